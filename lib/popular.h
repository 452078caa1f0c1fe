/*
 * popular.h: a best-seller list, the back-fill source of
 * xsell-qualify --popular. Its rows are product_id and, optionally,
 * score (units sold, revenue: any number, larger is better). Products
 * come out best first: highest score, a missing score after every
 * number, ties by id in byte order; a file without a score column keeps
 * its own order. Memory grows with the list's rows.
 */
#ifndef POPULAR_H
#define POPULAR_H

#include "catalog.h"

struct popular {
	struct catalog t;	/* product_id and score, in file order */
	uint32_t *order;	/* rank -> row, best first */
	uint32_t n;
};

/* Reads FILE (TSV or JSON lines): exit 4 when it cannot be opened, 3
 * without a product_id column, for an empty or repeated product_id or a
 * score that is not a number (file:line; see catalog.h). */
void popular_load(struct popular *p, const char *file);
void popular_free(struct popular *p);

/* The product at rank i (0 is the best seller). */
static inline const char *
popular_id(const struct popular *p, uint32_t i, size_t *len)
{
	return catalog_id(&p->t, p->order[i], len);
}

#endif
