/* rec.h: the record reader: TSV with a header, or JSON lines (rec.c, rec-thread.c). */
#ifndef XS_REC_H
#define XS_REC_H

#include <stdint.h>
#include "buf.h"
#include "intern.h"

enum { REC_TSV, REC_JSON };
enum { REC_END = 0, REC_ROW = 1, REC_BAD = 2 };

struct rec {
	/* read-only for callers */
	const char *name;	/* current input as shown in messages */
	long line;		/* line of the current row (1 is the header) */
	int fmt;		/* REC_TSV or REC_JSON, of the current input */
	int ncols;		/* columns of the first input's header */
	char **cols;
	char **f;		/* current row: f[i] for i < ncols, NUL-terminated, */
	size_t *len;		/* unescaped; a missing value is "" (len 0) */
	char err[256];		/* with lenient: why rec_next returned REC_BAD */
	int lenient;		/* set before rec_open: bad rows are REC_BAD, not fatal */
	const char *raw;	/* with lenient: the current line as read */
	size_t rawlen;
	int empty;		/* every input had no bytes at all */
	/* private */
	char **files;
	int nfiles, fileno;
	FILE *fp;
	int fd;
	char *rbuf;		/* read buffer and where the unread bytes are */
	size_t rcap, rpos, rlen;
	int reof;
	int *map;		/* this input's column -> first input's column */
	int nmap;
	int nfcols;		/* columns of the current input */
	size_t *rflen;
	struct intern colix;	/* column name -> index */
	struct buf tmp;		/* JSON values as text; raw line copy */
	size_t *toff;
	const char *span;	/* a TSV row: its fields lie in span[0..spanlen] */
	size_t spanlen;
	const struct rec_source *src;	/* rows from elsewhere (rec-internal.h) */
	void *srcarg;		/* its state */
	int block;		/* rbuf holds one block of lines: no more input */
	int quiet;		/* a bad row is REC_BAD, whatever lenient says */
};

/* Opens the inputs (none, or "-", is stdin) and reads the first header:
 * exit 4 when a file cannot be opened, 3 when the header is unusable. */
void rec_open(struct rec *r, int nfiles, char **files);
/* Next row: REC_ROW, REC_END, or with lenient REC_BAD. A malformed row is
 * otherwise exit 3 naming file and line. */
int rec_next(struct rec *r);
/* Index of a column, or -1. */
int rec_col(const struct rec *r, const char *name);
/* Index of a required column; exit 3 naming it and the columns found.
 * Returns -1 only for an input with no bytes at all (no rows follow). */
int rec_need(const struct rec *r, const char *name);
void rec_close(struct rec *r);
/*
 * After rec_open (rec-thread.c): other threads (one fewer than the
 * cores, at most three) read and split the rest of the input in blocks
 * of lines while the caller works on the rows of the blocks before.
 * rec_next returns the same rows in the same order, and a malformed row
 * or a read error still ends the tool when the caller reaches it, with
 * the same message, so the output does not depend on the timing. Not
 * with lenient, and not where the process may use one core only (the
 * rows are then read in the caller's thread, as without it). Rows stay
 * valid until the next rec_next, as without it.
 */
void rec_background(struct rec *r);
/* "file:line" of the current row, for messages. */
const char *rec_where(const struct rec *r);
/* Field i of the current row as a number, or exit 3 naming file, line
 * and column. A missing value returns dflt. */
double rec_num(const struct rec *r, int i, double dflt);

#endif
