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
static inline uint32_t
itemtab_find(const struct itemtab *t, const char *id, size_t n)
{
	return intern_find(&t->ids, id, n);
}
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
