/*
 * rankorder.h: an order kept inside a ranked list, for
 * xsell-rank --keep-order. The list is first sorted as the ranking says;
 * then the elements of each kept class (a source, within one placement)
 * are laid back into the slots that class holds, in the class's own order
 * (a merchandiser's positions). So the class keeps the places its scores
 * earned among the others, and within them its own order; elements of
 * no class stay where they are.
 */
#ifndef RANKORDER_H
#define RANKORDER_H

#include <stddef.h>

/*
 * base holds n elements of size bytes. cls gives an element's class, or
 * -1 for none; cmp orders the elements of one class. Elements with equal
 * cmp keep their relative order only if cmp says so: give it a last key
 * (an input row) to be deterministic.
 */
void rank_keep_order(void *base, size_t n, size_t size,
    long (*cls)(const void *), int (*cmp)(const void *, const void *));

#endif
