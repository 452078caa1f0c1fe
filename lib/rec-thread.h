/*
 * rec-thread.h: rec_background (declared in xsell.h with the rest of
 * the record reader), the threaded reader: one reader cuts the input
 * into blocks of whole lines, worker threads split the blocks into rows
 * (rec-internal.h), the caller gets them in input order. It installs
 * itself in the rec as a source: rec.c does not call it.
 */
#ifndef REC_THREAD_H
#define REC_THREAD_H

#include <stddef.h>

/* Tests only: the most bytes a block takes (so that small inputs make
 * many blocks), and how many workers (0: one fewer than the cores, none
 * with one core; more than 0 even with one core). */
extern size_t rec_thread_most;
extern int rec_thread_workers;

#endif
