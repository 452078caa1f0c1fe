/*
 * catalog.h: a side file keyed by id (a catalog's product_id, an offers
 * file's offer_id, a popular list's product_id), read once. It keeps the
 * line of every row, the few numeric and text columns a tool asks for,
 * and, for a tool whose rules may read any column (xsell-qualify), every
 * column as text. Ids are the catalog's own (row i is id i, looked up by
 * catalog_find) or interned into a map the caller shares with other
 * files (catalog_row_of). Memory grows with the file's rows.
 *
 * The repeated-id policy: an id given on two rows is exit 3, naming the
 * file and line of the repeat and the line of the first row, for every
 * tool. CATALOG_REPORT is for a tool whose job is to report what is
 * wrong with a file (xsell-audit): the first row is kept and the repeat
 * listed in rep, for the caller to report.
 */
#ifndef CATALOG_H
#define CATALOG_H

#include "xsell.h"
#include "buf.h"
#include "intern.h"

enum {
	CATALOG_ALL = 1,	/* keep every column as text too */
	CATALOG_NONEMPTY = 2,	/* an empty id is exit 3 */
	CATALOG_REPORT = 4,	/* a repeated id is listed, not exit 3 */
};

/* What to read: the columns are each optional (absent ones read as
 * missing) unless named in need. */
struct catalog_spec {
	const char *key;	/* the id column (exit 3 when absent) */
	int nnum, ntxt;
	const char *const *num;	/* kept as numbers: a bad one is exit 3 */
	const char *const *txt;	/* kept as text, interned per column */
	const char *const *need;	/* required columns, checked after key
					 * in this order; NULL-terminated */
	int flags;		/* CATALOG_* */
	struct intern *ids;	/* ids interned here; NULL: the catalog's */
	const char *empty;	/* CATALOG_NONEMPTY's message after file:line;
				 * NULL: "empty KEY" */
};

struct catalog_repeat {
	uint32_t row;		/* the first row of the id, which is kept */
	long line;		/* the line that gave it again */
};

struct catalog {
	char *file;		/* as given */
	char *name;		/* as messages name it (stdin too) */
	uint32_t n;		/* rows */
	long *line;		/* row -> its line */
	struct intern own;	/* the catalog's own ids: id == row */
	struct intern *ids;	/* the caller's map, or NULL */
	uint32_t *item;		/* caller's map: row -> id */
	uint32_t *row_of;	/* caller's map: id -> row, or INTERN_NONE */
	uint32_t nrow_of, caprow_of;
	/* the columns asked for */
	int nnum, ntxt;
	double *num;		/* row * nnum + k; NaN when missing */
	uint32_t *txt;		/* row * ntxt + k: id in vals[k], or INTERN_NONE */
	struct intern *vals;	/* column k's distinct values */
	int *hasnum, *hastxt;	/* whether the file has column k */
	int *numcol, *txtcol;	/* while loading: their columns */
	/* CATALOG_ALL: every column, as text */
	int ncols, keycol;
	char **cols;
	struct buf pool;	/* the values, NUL-terminated, row by row */
	size_t *off;		/* row * ncols + k -> offset in pool; sentinel */
	double *cellnum;	/* after catalog_numbers: each cell's number */
	/* CATALOG_REPORT: the repeated ids, in file order */
	struct catalog_repeat *rep;
	size_t nrep;
	/* Lookup index of the catalog's own ids: probing it touches one slot
	 * and the id's text, where intern_find touches five places, which
	 * shows when a large catalog is looked up on every input row. */
	struct catalog_slot {
		uint64_t off;	/* of the id in ids.pool */
		uint32_t hash, len;
		uint32_t row;	/* + 1; 0 is an empty slot */
	} *slot;
	size_t mask;
};

/*
 * Reads FILE (TSV or JSON lines): exit 4 when it cannot be opened, 3
 * without the key column or a required one, for a number that is not
 * one and for a repeated id (unless CATALOG_REPORT), naming file and
 * line. An empty file is an empty catalog.
 */
void catalog_load(struct catalog *t, const char *file,
    const struct catalog_spec *spec);
void catalog_free(struct catalog *t);

/* Row of an id, or INTERN_NONE. */
uint32_t catalog_find(const struct catalog *t, const char *id, size_t n);

/* With a caller's map: row_of covers every id below n, for ids other
 * files interned after this one was read. */
void catalog_cover(struct catalog *t, uint32_t n);
/* With a caller's map: the row of an id of it, or INTERN_NONE. */
static inline uint32_t
catalog_row_of(const struct catalog *t, uint32_t id)
{
	return t && id < t->nrow_of ? t->row_of[id] : INTERN_NONE;
}
/* The id of a row in the map the ids went to, and as text. */
static inline uint32_t
catalog_item(const struct catalog *t, uint32_t row)
{
	return t->item ? t->item[row] : row;
}
static inline const char *
catalog_id(const struct catalog *t, uint32_t row, size_t *len)
{
	const struct intern *in = t->ids ? t->ids : &t->own;

	*len = intern_len(in, catalog_item(t, row));
	return intern_str(in, catalog_item(t, row));
}

static inline double
catalog_num(const struct catalog *t, uint32_t row, int k)
{
	return t->num[(size_t)row * (size_t)t->nnum + (size_t)k];
}
/* Id of a text value in vals[k], or INTERN_NONE. */
static inline uint32_t
catalog_txt(const struct catalog *t, uint32_t row, int k)
{
	return t->txt[(size_t)row * (size_t)t->ntxt + (size_t)k];
}
/* A text value, or NULL when the row has none. */
static inline const char *
catalog_text(const struct catalog *t, uint32_t row, int k, size_t *len)
{
	uint32_t v = catalog_txt(t, row, k);

	if (v == INTERN_NONE)
		return NULL;
	*len = intern_len(&t->vals[k], v);
	return intern_str(&t->vals[k], v);
}

/* CATALOG_ALL: the index of a column (-1: none, or no catalog), a cell
 * (its length from the next cell's offset), all cells of a row, and the
 * cells parsed as numbers once (NaN: empty or not a number). */
int catalog_col(const struct catalog *t, const char *name);
static inline const char *
catalog_cell(const struct catalog *t, uint32_t row, int k, size_t *len)
{
	size_t i = (size_t)row * (size_t)t->ncols + (size_t)k;

	*len = t->off[i + 1] - t->off[i] - 1;
	return t->pool.s + t->off[i];
}
void catalog_cells(const struct catalog *t, uint32_t row, char **v,
    size_t *len);
void catalog_numbers(struct catalog *t);

#endif
