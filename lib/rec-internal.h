/*
 * rec-internal.h: the record reader's parts for a reader built on it
 * (rec-thread.c), not for tools. A reader cuts its input into blocks of
 * whole lines; another reader, of one block and no further, splits a
 * block into rows. A source installed in a reader hands out its rows
 * instead: rec.c calls it and knows nothing else of it.
 */
#ifndef REC_INTERNAL_H
#define REC_INTERNAL_H

#include "xsell.h"
#include "rec.h"

/* While r->src is set, rec_next(r) is src->next(r), and rec_close(r)
 * first calls src->close(r), which gives r its reading state back. */
struct rec_source {
	int (*next)(struct rec *r);
	void (*close)(struct rec *r);
};

/* A block: whole lines of one input, data[0..len). */
struct rec_block {
	char *data;		/* cap + 1 bytes, the block's own */
	size_t cap, len;
	int fileno;
	const char *name;
	int fmt;
	long line0;		/* lines of the input before the first block */
	int *map;		/* the input's columns, as the reader's map */
	int nfcols, mapcap;
};

/*
 * The next lines of w's input into t, at most `most` bytes of them
 * unless one line is longer. Goes on to the next input (reading its
 * header) when one ends. 0 at the end of the last input.
 */
int rec_take(struct rec *w, struct rec_block *t, size_t most);
/* A worker's reader: w's columns, scratch of its own; a bad row is
 * REC_BAD with its reason in err. */
void rec_worker(struct rec *p, const struct rec *w);
/* p reads t's lines, the first of them as line `line` + 1. */
void rec_worker_block(struct rec *p, const struct rec_block *t, long line);
void rec_worker_free(struct rec *p);

#endif
