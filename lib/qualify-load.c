/*
 * qualify-load.c: the side files of xsell-qualify, read once before the
 * contexts stream: --relations as adjacency lists by subject (learned
 * bodies of several items indexed by their first item), --popular, and
 * --offers and --catalog through lib/catalog, every column kept as text
 * (rules may read any of them) and ids interned into the same map as the
 * relations'. A repeated id is exit 3, as in every tool.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "qualify-internal.h"
#include "num.h"
#include "intern.h"

/* Reads file keyed by column key, every column kept, ids in items. */
static struct catalog *
table_load(const char *file, const char *key, struct intern *items)
{
	struct catalog *t = xcalloc(1, sizeof *t);
	struct catalog_spec spec = { .key = key,
	    .flags = CATALOG_ALL | CATALOG_NONEMPTY, .ids = items };

	catalog_load(t, file, &spec);
	return t;
}

void
q_table_free(struct catalog *t)
{
	if (!t)
		return;
	catalog_free(t);
	free(t);
}

/* ---- the catalog's facts ---- */

/* Available: in the catalog, status active (or none) and stock above
 * zero (or none). A stock that is not a number is exit 3. */
static void
catalog_facts(struct qualify *Q)
{
	struct catalog *t = Q->catalog;

	Q->avail = xcalloc((size_t)Q->nitems + 1, 1);
	if (!t)
		return;
	Q->cat_status = catalog_col(t, "status");
	Q->cat_stock = catalog_col(t, "stock");
	for (uint32_t row = 0; row < t->n; row++) {
		size_t len;
		const char *s;
		double stock;
		int ok = 1;

		if (Q->cat_status >= 0) {
			s = catalog_cell(t, row, Q->cat_status, &len);
			ok = len == 0 || (len == 6 && memcmp(s, "active", 6) == 0);
		}
		if (Q->cat_stock >= 0) {
			s = catalog_cell(t, row, Q->cat_stock, &len);
			if (len && num_parse(s, len, &stock))
				die(XS_INPUT, "%s: product '%s': stock: not a "
				    "number: \"%.40s\"", t->file,
				    intern_str(&Q->items, t->item[row]), s);
			if (len && stock <= 0)
				ok = 0;
		}
		Q->avail[t->item[row]] = ok ? AV_YES : AV_NO;
	}
}

/* ---- offers ---- */

static void
offers_facts(struct qualify *Q)
{
	struct catalog *t = Q->offers;

	Q->offer_status = catalog_col(t, "status");
	Q->offer_type = catalog_col(t, "type");
	Q->offer_active = xcalloc((size_t)t->n + 1, 1);
	Q->offer_typeid = xcalloc((size_t)t->n + 1, sizeof *Q->offer_typeid);
	for (uint32_t row = 0; row < t->n; row++) {
		size_t len = 0;
		const char *s = "";

		if (Q->offer_status >= 0)
			s = catalog_cell(t, row, Q->offer_status, &len);
		Q->offer_active[row] = len == 0 ||
		    (len == 6 && memcmp(s, "active", 6) == 0);
		if (Q->offer_type >= 0 &&
		    (s = catalog_cell(t, row, Q->offer_type, &len)) && len) {
			uint32_t id = intern_put(&Q->types, s, len);

			if (id > 0xffff)
				die(XS_INPUT, "%s: more than 65536 types", t->file);
			Q->offer_typeid[row] = (uint16_t)id;
		}
	}
}

void
q_load(struct qualify *Q)
{
	for (int i = 0; i < Q->o.nrelations; i++)
		relations_load(&Q->R, Q->o.relations[i]);
	if (Q->o.popular) {
		popular_load(&Q->pop, Q->o.popular);
		Q->pop_item = xcalloc((size_t)Q->pop.n + 1, sizeof *Q->pop_item);
		for (uint32_t i = 0; i < Q->pop.n; i++) {
			size_t len;
			const char *id = popular_id(&Q->pop, i, &len);

			Q->pop_item[i] = intern_put(&Q->items, id, len);
		}
	}
	if (Q->o.offers)
		Q->offers = table_load(Q->o.offers, "offer_id", &Q->items);
	if (Q->o.catalog)
		Q->catalog = table_load(Q->o.catalog, "product_id", &Q->items);
	Q->nitems = Q->items.n;
	if (Q->offers) {
		catalog_cover(Q->offers, Q->nitems);
		offers_facts(Q);
		Q->nbefore = Q->offers->n;
		Q->offer_v = xcalloc((size_t)Q->offers->ncols + 1,
		    sizeof *Q->offer_v);
		Q->offer_len = xcalloc((size_t)Q->offers->ncols + 1,
		    sizeof *Q->offer_len);
	}
	if (Q->catalog) {
		catalog_cover(Q->catalog, Q->nitems);
		Q->cand_v = xcalloc((size_t)Q->catalog->ncols + 1,
		    sizeof *Q->cand_v);
		Q->cand_len = xcalloc((size_t)Q->catalog->ncols + 1,
		    sizeof *Q->cand_len);
	}
	if (!Q->offers)
		relations_index(&Q->R, Q->nitems);
	catalog_facts(Q);
	if (!Q->offers)
		Q->nbefore = Q->types.n;
	Q->before = xcalloc((size_t)Q->nbefore + 1, sizeof *Q->before);
	Q->after = xcalloc((size_t)Q->nbefore + 1, sizeof *Q->after);
}

