/*
 * qini.h: xsell-audit --qini: an uplift score against the outcomes of
 * treatment and control (--events: the score column, group, converted),
 * the Qini curve and the area under it (AUUC) against random and
 * perfect targeting; a table, and for people the measures and the curve.
 */
#ifndef QINI_H
#define QINI_H

struct audit;

/* Reads a's --events and writes the read-out to a's output. A file
 * without both arms, or with another group, is exit 3. */
void qini_readout(struct audit *a);

#endif
