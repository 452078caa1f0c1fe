/* progress.h: the progress line on a terminal (progress.c). */
#ifndef XS_PROGRESS_H
#define XS_PROGRESS_H

#include "xsell.h"
#include "rec.h"
#include <stdint.h>
struct rec;

/*
 * "xsell-rank: 42% 1200000 rows, 350000/s, 12s left" on standard error
 * when it is a terminal (never with --quiet): the percent and time left
 * when the input's size is known (regular files, standard input
 * redirected from one). Stages of one pipeline share the line: a stage
 * draws only while it holds a lock on the terminal (flock), which a stage
 * reading a regular file asks for at once and any other after a second,
 * and which the holder gives back when it is done.
 */
struct progress {
	int on;
	const char *what;
	uint64_t n, next;
	double t0, last;
	uint64_t every;		/* redraw every this many items (tests) */
	/* the input, for percent and time left */
	uint64_t total;		/* bytes of all inputs; 0 unknown */
	uint64_t at;		/* the most read so far */
	uint64_t *start;	/* where input k starts among them */
	struct progress_id {
		uint64_t dev, ino;	/* input k's file, to know its fd */
	} *id;
	int nfiles, file, fd;
	const struct rec *r;	/* follows its current input, or NULL */
	/* the terminal's line */
	int tty, held, drawn;
};

void progress_init(struct progress *p, const char *what);
/* The inputs are r's (call after rec_open). */
void progress_input(struct progress *p, const struct rec *r);
/* The inputs are these files (none, or "-", is standard input); a
 * reader of its own says which it reads with progress_at. */
void progress_files(struct progress *p, int nfiles, char *const *files);
void progress_at(struct progress *p, int file, int fd);
static inline void
progress_tick(struct progress *p, uint64_t n)
{
	void progress_show_(struct progress *, uint64_t);
	if (p->on && n >= p->next)
		progress_show_(p, n);
}
void progress_done(struct progress *p);

#endif
