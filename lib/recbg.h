/*
 * recbg.h: the background readers behind rec_background (xsell.h), for
 * rec.c and recbg.c only. One reader cuts the input into blocks of whole
 * lines; worker threads split the blocks into rows, each with a reader
 * of its own that reads one block and no further.
 */
#ifndef RECBG_H
#define RECBG_H

#include "xsell.h"

int recbg_next(struct rec *r);
/* Stops and joins the threads and gives r its reading state back. */
void recbg_close(struct rec *r);

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

/* Tests only: the most bytes a block takes (so that small inputs make
 * many blocks), and how many workers (0: one fewer than the cores, none
 * with one core; more than 0 even with one core). */
extern size_t recbg_most;
extern int recbg_workers;

#endif
