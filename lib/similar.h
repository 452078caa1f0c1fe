/*
 * similar.h: upsells and substitutes for xsell-learn --type, from the
 * catalog and the counts of assoc.h (read from orders, or merged). An
 * upsell is an active product of the subject's category that costs more,
 * up to --max-price-ratio times as much, ranked by lift, then margin; a
 * substitute one of the same category bought together less often than
 * by chance (lift under 1), ranked by the cosine of the two products'
 * co-occurrence rows.
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
