/*
 * itemtab.h: a small side table keyed by id (a catalog's product_id, an
 * offers file's offer_id, a popular list's product_id), holding the few
 * numeric and text columns a tool asks for. Memory grows with the
 * table's rows.
 */
#ifndef ITEMTAB_H
#define ITEMTAB_H

#include "xsell.h"

struct itemtab {
	struct intern ids;	/* id -> row */
	int nnum, ntxt;
	double *num;		/* row * nnum + k; NaN when missing */
	uint32_t *txt;		/* row * ntxt + k: id in vals, or INTERN_NONE */
	struct intern vals;	/* text values */
	int *hasnum, *hastxt;	/* whether the file has column k */
	int *numcol, *txtcol;	/* while loading: their columns */
	/* Lookup index, built after loading: probing it touches one slot
	 * and the id's text, where intern_find touches five places, which
	 * shows when a large catalog is looked up on every input row. */
	struct itemslot {
		uint64_t off;	/* of the id in ids.pool */
		uint32_t hash, len;
		uint32_t row;	/* + 1; 0 is an empty slot */
	} *slot;
	size_t mask;
};

/*
 * Reads FILE (TSV or JSON lines). key is the id column (exit 3 when
 * absent); num and txt name the columns to keep, each optional (absent
 * ones read as missing). A bad number, or an id seen twice, is exit 3
 * naming file and line.
 */
void itemtab_load(struct itemtab *t, const char *file, const char *key,
    int nnum, const char *const *num, int ntxt, const char *const *txt);
void itemtab_free(struct itemtab *t);

/* Row of an id, or INTERN_NONE. */
uint32_t itemtab_find(const struct itemtab *t, const char *id, size_t n);
/* Starts fetching the slot of an id: a tool that looks up a batch of ids
 * (a context's candidates) prefetches them all first, so the cache misses
 * overlap instead of coming one after another. */
void itemtab_prefetch(const struct itemtab *t, const char *id, size_t n);
static inline double
itemtab_num(const struct itemtab *t, uint32_t row, int k)
{
	return t->num[(size_t)row * (size_t)t->nnum + (size_t)k];
}
static inline uint32_t
itemtab_txt(const struct itemtab *t, uint32_t row, int k)
{
	return t->txt[(size_t)row * (size_t)t->ntxt + (size_t)k];
}

#endif
