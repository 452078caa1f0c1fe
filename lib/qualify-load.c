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

static int
rels_col(struct rels *R, const char *name, int add)
{
	for (int k = 0; k < R->ncols; k++)
		if (strcmp(R->cols[k], name) == 0)
			return k;
	if (!add)
		return -1;
	R->cols = xreallocarray(R->cols, (size_t)R->ncols + 1, sizeof *R->cols);
	R->cols[R->ncols] = xstrdup(name);
	return R->ncols++;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
body_add(struct rels *R, struct intern *items, char **v, size_t n)
{
	struct body *bd;

	if (R->nbody == R->capbody) {
		R->capbody = R->capbody ? R->capbody * 2 : 64;
		R->body = xreallocarray(R->body, R->capbody, sizeof *R->body);
	}
	bd = &R->body[R->nbody++];
	bd->item0 = (uint32_t)R->nbitem;
	bd->nitem = (uint32_t)n;
	if (R->nbitem + n > R->capbitem) {
		R->capbitem = (R->nbitem + n) * 2;
		R->bitem = xreallocarray(R->bitem, R->capbitem, sizeof *R->bitem);
	}
	for (size_t i = 0; i < n; i++)
		R->bitem[R->nbitem++] = intern_put(items, v[i], strlen(v[i]));
}

/* The key of a subject: an item, or for a comma list of two or more
 * distinct items a body (sorted, so "B,A" and "A,B" are one body). */
static uint32_t
subject_key(struct rels *R, struct intern *items, const char *s, size_t len)
{
	const char *p = s, *end = s + len, *item;
	size_t n, cnt = 0, k = 0;
	char **v;
	struct buf b;
	uint32_t id, before;

	if (!memchr(s, ',', len))
		return intern_put(items, s, len);
	v = xcalloc(len / 2 + 2, sizeof *v);
	while (list_next(&p, end, &item, &n))
		v[cnt++] = xmemdup(item, n);
	qsort(v, cnt, sizeof *v, cmp_str);
	for (size_t i = 0; i < cnt; i++) {
		if (k && strcmp(v[i], v[k - 1]) == 0)
			free(v[i]);
		else
			v[k++] = v[i];
	}
	buf_init(&b);
	for (size_t i = 0; i < k; i++) {
		if (i)
			buf_putc(&b, ',');
		buf_puts(&b, v[i]);
	}
	if (k <= 1) {
		id = intern_put(items, k ? v[0] : "", k ? strlen(v[0]) : 0);
	} else {
		before = R->bodykey.n;
		id = intern_put(&R->bodykey, buf_str(&b), b.len);
		if (R->bodykey.n > before)
			body_add(R, items, v, k);
		id |= BODY;
	}
	for (size_t i = 0; i < k; i++)
		free(v[i]);
	free(v);
	buf_free(&b);
	return id;
}

static double
num_or_nan(const struct rec *r, int i)
{
	return i < 0 ? NAN : rec_num(r, i, NAN);
}

static uint16_t
small_id(struct intern *in, const char *s, size_t len, const struct rec *r)
{
	uint32_t id = intern_put(in, s, len);

	if (id > 0xffff)
		die(XS_INPUT, "%s: more than 65536 distinct types or sources",
		    rec_where(r));
	return (uint16_t)id;
}

/* How one relations file's columns land: inv[j] is the file column of
 * R->cols[j] (or -1) for j < nvals. */
struct relfile {
	int subj, linked, type, src, pos, conf, lift;
	int nvals, *inv;
};

/* Appends one relation row, its columns' values to the pool in the
 * order of R->cols. */
static void
rels_row(struct rels *R, const struct rec *r, const struct relfile *rf,
    uint32_t key, uint32_t linked)
{
	struct edge *e;

	if (R->ne == R->cape) {
		R->cape = R->cape ? R->cape * 2 : 4096;
		R->e = xreallocarray(R->e, R->cape, sizeof *R->e);
		R->key = xreallocarray(R->key, R->cape, sizeof *R->key);
	}
	e = &R->e[R->ne];
	R->key[R->ne] = key;
	e->linked = linked;
	e->seq = (uint32_t)R->ne++;
	e->type = TYPE_CROSS_SELL;
	e->src = SOURCE_MANAGED;
	e->pos = num_or_nan(r, rf->pos);
	e->conf = num_or_nan(r, rf->conf);
	e->lift = num_or_nan(r, rf->lift);
	e->nvals = (uint16_t)rf->nvals;
	e->vals = R->pool.len;
	for (int j = 0; j < rf->nvals; j++) {
		if (rf->inv[j] >= 0)
			buf_put(&R->pool, r->f[rf->inv[j]], r->len[rf->inv[j]]);
		buf_putc(&R->pool, '\0');
	}
}

static void
rels_load(struct qualify *Q, const char *file)
{
	struct rels *R = &Q->R;
	struct rec r;
	char *files[1] = { (char *)file };
	struct relfile rf;

	memset(&r, 0, sizeof r);
	rec_open(&r, 1, files);
	if (r.empty) {
		rec_close(&r);
		return;
	}
	rf.subj = rec_need(&r, "subject_id");
	rf.linked = rec_need(&r, "linked_id");
	rf.type = rec_col(&r, "type");
	rf.src = rec_col(&r, "source");
	rf.pos = rec_col(&r, "position");
	rf.conf = rec_col(&r, "confidence");
	rf.lift = rec_col(&r, "lift");
	rf.nvals = 0;
	rf.inv = xcalloc((size_t)r.ncols + (size_t)R->ncols + 1, sizeof *rf.inv);
	for (int j = 0; j < r.ncols + R->ncols; j++)
		rf.inv[j] = -1;
	for (int k = 0; k < r.ncols; k++) {
		int j;

		if (k == rf.subj || k == rf.linked || k == rf.type || k == rf.src)
			continue;
		j = rels_col(R, r.cols[k], 1);
		rf.inv[j] = k;
		if (j >= rf.nvals)
			rf.nvals = j + 1;
	}
	if (rf.nvals > 0xffff)
		die(XS_INPUT, "%s: too many columns", file);
	while (rec_next(&r) == REC_ROW) {
		uint32_t key, lk;
		struct edge *e;

		if (r.len[rf.subj] == 0 || r.len[rf.linked] == 0)
			die(XS_INPUT, "%s: empty %s", rec_where(&r),
			    r.len[rf.subj] == 0 ? "subject_id" : "linked_id");
		key = subject_key(R, &Q->items, r.f[rf.subj], r.len[rf.subj]);
		lk = intern_put(&Q->items, r.f[rf.linked], r.len[rf.linked]);
		rels_row(R, &r, &rf, key, lk);
		e = &R->e[R->ne - 1];
		if (rf.type >= 0 && r.len[rf.type])
			e->type = small_id(&Q->types, r.f[rf.type], r.len[rf.type], &r);
		if (rf.src >= 0 && r.len[rf.src])
			e->src = small_id(&Q->sources, r.f[rf.src], r.len[rf.src], &r);
	}
	free(rf.inv);
	rec_close(&r);
	R->conf = rels_col(R, "confidence", 0);
	R->lift = rels_col(R, "lift", 0);
}

/* Groups the edges by subject (stable: file order within a subject):
 * single items first, then bodies; and indexes bodies by first item. */
static void
rels_build(struct qualify *Q)
{
	struct rels *R = &Q->R;
	uint32_t n = Q->nitems, nb = R->nbody;
	uint32_t *cnt = xcalloc((size_t)n + nb + 1, sizeof *cnt);
	struct edge *se = xreallocarray(NULL, R->ne + 1, sizeof *se);

	for (size_t i = 0; i < R->ne; i++) {
		uint32_t k = R->key[i];

		cnt[(k & BODY) ? n + (k & ~BODY) : k]++;
	}
	R->start = xcalloc((size_t)n + 1, sizeof *R->start);
	R->bstart = xcalloc((size_t)nb + 1, sizeof *R->bstart);
	{
		uint32_t sum = 0;

		for (uint32_t i = 0; i < n + nb; i++) {
			uint32_t c = cnt[i];

			cnt[i] = sum;
			sum += c;
		}
		cnt[n + nb] = sum;
	}
	for (uint32_t i = 0; i <= n; i++)
		R->start[i] = cnt[i];
	for (uint32_t b = 0; b <= nb; b++)
		R->bstart[b] = cnt[n + b];
	for (size_t i = 0; i < R->ne; i++) {
		uint32_t k = R->key[i];

		se[cnt[(k & BODY) ? n + (k & ~BODY) : k]++] = R->e[i];
	}
	free(R->e);
	free(R->key);
	R->key = NULL;
	R->e = se;
	free(cnt);
	/* item -> bodies whose first (smallest) item it is */
	R->istart = xcalloc((size_t)n + 2, sizeof *R->istart);
	R->ibody = xcalloc((size_t)nb + 1, sizeof *R->ibody);
	for (uint32_t b = 0; b < nb; b++)
		R->istart[R->bitem[R->body[b].item0] + 1]++;
	for (uint32_t i = 0; i < n; i++)
		R->istart[i + 1] += R->istart[i];
	{
		uint32_t *fill = xcalloc((size_t)n + 1, sizeof *fill);

		for (uint32_t b = 0; b < nb; b++) {
			uint32_t it = R->bitem[R->body[b].item0];

			R->ibody[R->istart[it] + fill[it]++] = b;
		}
		free(fill);
	}
}

void
q_rels_free(struct rels *R)
{
	for (int k = 0; k < R->ncols; k++)
		free(R->cols[k]);
	free(R->cols);
	buf_free(&R->pool);
	free(R->e);
	free(R->key);
	free(R->start);
	free(R->bstart);
	free(R->istart);
	free(R->ibody);
	free(R->body);
	free(R->bitem);
	intern_free(&R->bodykey);
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
		rels_load(Q, Q->o.relations[i]);
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
		rels_build(Q);
	catalog_facts(Q);
	if (!Q->offers)
		Q->nbefore = Q->types.n;
	Q->before = xcalloc((size_t)Q->nbefore + 1, sizeof *Q->before);
	Q->after = xcalloc((size_t)Q->nbefore + 1, sizeof *Q->after);
}

