/*
 * similar.h: upsells and substitutes for xsell-learn --type, from the
 * catalog and the counts of assoc.h (read from orders, or merged). An
 * upsell is a dearer product of the same category bought by the same
 * customers; a substitute one of the same category bought less often
 * together than by chance, with a similar co-occurrence row.
 *
 * similar_new() loads the catalog before the orders are read (every
 * product gets a label, bought or not); similar_upsell() or
 * similar_subst() writes the rules once they are counted.
 */
#ifndef SIMILAR_H
#define SIMILAR_H

#include "assoc.h"

struct similar;

struct similar *similar_new(struct assoc *L, const char *catalog);
void similar_free(struct similar *S);
void similar_upsell(struct similar *S);
void similar_subst(struct similar *S);

#endif
