/*
 * recbg.h: the background reader behind rec_background (xsell.h), for
 * rec.c only: a thread runs rec_next on its own copy of the reader and
 * hands the rows over in batches.
 */
#ifndef RECBG_H
#define RECBG_H

#include "xsell.h"

int recbg_next(struct rec *r);
/* Stops and joins the thread and gives r its reading state back. */
void recbg_close(struct rec *r);

#endif
