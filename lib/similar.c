/*
 * similar.c: upsells and substitutes (similar.h): the catalog (read by
 * catalog.h), its rows by category and price, and each subject's
 * candidates in its category, from the co-occurrence rows of the
 * baskets or of merged counts.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assoc-internal.h"
#include "similar.h"
#include "catalog.h"
#include "intern.h"

/* ---- the catalog ---- */

enum { C_PRICE, C_COST };		/* its numeric columns */
enum { C_CATEGORY, C_STATUS };		/* its text columns */

/* The catalog (product ids in the learner's map), and the counts the
 * rules are learned from. */
struct similar {
	struct assoc *L;
	struct catalog c;
	uint32_t active;	/* the id of status "active" */
	uint32_t *order;	/* rows by category, then price, then id */
};

static inline uint32_t
cat_of(const struct catalog *c, uint32_t row)
{
	return catalog_txt(c, row, C_CATEGORY);
}

static inline double
price_of(const struct catalog *c, uint32_t row)
{
	return catalog_num(c, row, C_PRICE);
}

/* A product without a status is active. */
static inline int
is_active(const struct similar *S, uint32_t row)
{
	uint32_t st = catalog_txt(&S->c, row, C_STATUS);

	return st == INTERN_NONE || st == S->active;
}

static inline uint32_t
label_of(const struct similar *S, uint32_t row)
{
	return S->L->label[catalog_item(&S->c, row)];
}

/* The co-occurrence row of label a (cnt[x] for the x in touched, as
 * bsk_row gives it): from the baskets, or from merged counts. */
static size_t
cooc_row(const struct assoc *L, uint32_t a, uint64_t *cnt, uint32_t *touched)
{
	size_t nt = 0;

	if (!L->mstart)
		return bsk_row(&L->bk, a, 0, cnt, touched);
	for (uint64_t p = L->mstart[a]; p < L->mstart[a + 1]; p++) {
		touched[nt++] = L->mx[p];
		cnt[L->mx[p]] = L->mc[p];
	}
	return nt;
}

/* Products are interned before the orders, so that the ones nobody
 * bought have labels (and zero counts) too. */
struct similar *
similar_new(struct assoc *L, const char *file)
{
	static const char *const num[] = { "price", "cost" };
	static const char *const txt[] = { "category", "status" };
	static const char *const upsell_need[] = { "category", "price", NULL };
	static const char *const subst_need[] = { "category", NULL };
	struct catalog_spec spec = {
		.key = "product_id", .nnum = 2, .num = num, .ntxt = 2,
		.txt = txt, .flags = CATALOG_NONEMPTY, .ids = &L->items,
		.need = L->o->type == T_UPSELL ? upsell_need : subst_need,
	};
	struct similar *S = xcalloc(1, sizeof *S);

	S->L = L;
	catalog_load(&S->c, file, &spec);
	/* INTERN_NONE when no row is active by name: then only the
	 * rows without a status are. */
	S->active = intern_find(&S->c.vals[C_STATUS], "active", 6);
	return S;
}

void
similar_free(struct similar *S)
{
	if (!S)
		return;
	catalog_free(&S->c);
	free(S->order);
	free(S);
}

static const struct similar *sort_S;	/* for cmp_cat_row */

static int
cmp_cat_row(const void *x, const void *y)
{
	const struct similar *S = sort_S;
	const struct catalog *c = &S->c;
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	uint32_t la = label_of(S, a), lb = label_of(S, b);
	uint32_t ca = cat_of(c, a), cb = cat_of(c, b);
	double pa = price_of(c, a), pb = price_of(c, b);

	if (ca != cb)
		return (ca > cb) - (ca < cb);
	if (pa != pb && !isnan(pa) && !isnan(pb))
		return (pa > pb) - (pa < pb);
	if (isnan(pa) != isnan(pb))
		return isnan(pa) - isnan(pb);
	return (la > lb) - (la < lb);
}

/* Rows with a category, grouped by it, by price within; returns how many. */
static uint32_t
catalog_order(struct similar *S)
{
	const struct catalog *c = &S->c;
	uint32_t n = 0;

	S->order = xreallocarray(NULL, c->n + 1, sizeof *S->order);
	for (uint32_t k = 0; k < c->n; k++)
		if (cat_of(c, k) != INTERN_NONE)
			S->order[n++] = k;
	sort_S = S;
	qsort(S->order, n, sizeof *S->order, cmp_cat_row);
	return n;
}

struct subj {
	uint32_t label, row, grp;	/* grp: first place of its category */
};

static int
cmp_subj(const void *x, const void *y)
{
	const struct subj *a = x, *b = y;

	return (a->label > b->label) - (a->label < b->label);
}

void
similar_upsell(struct similar *S)
{
	struct assoc *L = S->L;
	const struct catalog *c = &S->c;
	uint32_t n = catalog_order(S), ns = 0;
	const uint32_t *order = S->order;
	uint64_t *cnt = xcalloc((size_t)L->nitems + 1, sizeof *cnt);
	uint32_t *touched = xreallocarray(NULL, L->nitems + 1, sizeof *touched);
	struct cand *cd = xreallocarray(NULL, n + 1, sizeof *cd);
	struct subj *s = xreallocarray(NULL, n + 1, sizeof *s);

	assoc_set_threshold(L);
	if (!L->mstart)
		bsk_index(&L->bk);
	assoc_open_output(L);
	for (uint32_t i = 0, g = 0; i < n; i++) {
		uint32_t k = order[i];

		if (i > 0 && cat_of(c, k) != cat_of(c, order[i - 1]))
			g = i;
		if (price_of(c, k) > 0)
			s[ns++] = (struct subj){ label_of(S, k), k, g };
	}
	qsort(s, ns, sizeof *s, cmp_subj);
	for (uint32_t i = 0; i < ns; i++) {
		uint32_t p = s[i].row, nc = 0, cat = cat_of(c, p);
		double lo = price_of(c, p), hi = lo * L->o->max_price_ratio;
		size_t nt = cooc_row(L, s[i].label, cnt, touched);

		for (uint32_t j = s[i].grp; j < n && cat_of(c, order[j]) == cat;
		    j++) {
			uint32_t q = order[j], lq = label_of(S, q);
			double pq = price_of(c, q), nxy, nx, ny;
			double N = (double)L->n / L->unit;

			if (!(pq > lo) || !(pq <= hi) || !is_active(S, q) ||
			    cnt[lq] < L->thr)
				continue;
			nxy = (double)cnt[lq] / L->unit;
			nx = (double)L->icnt[s[i].label] / L->unit;
			ny = (double)L->icnt[lq] / L->unit;
			cd[nc].head = lq;
			cd[nc].count = cnt[lq];
			cd[nc].extra[0] = pq / lo;
			/* Cents minus cents should read as cents. */
			cd[nc].extra[1] = round((pq - catalog_num(c, q, C_COST)) *
			    1e9) / 1e9;
			cd[nc].key1 = ms_value(MS_LIFT, nxy, nx, ny, N);
			cd[nc].key2 = cd[nc].extra[1];
			nc++;
		}
		bsk_row_clear(cnt, touched, nt);
		assoc_set_subject(L, &s[i].label, 1);
		assoc_emit_subject(L, L->icnt[s[i].label], cd, nc);
	}
	assoc_close_output(L);
	free(cnt);
	free(touched);
	free(cd);
	free(s);
}

/* A co-occurrence row: items ascending, counts. */
struct srow {
	uint32_t *x;
	uint64_t *c;
	size_t n;
	double norm2;
};

static uint64_t
srow_get(const struct srow *r, uint32_t x)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;

		if (r->x[m] < x)
			lo = m + 1;
		else
			hi = m;
	}
	return lo < r->n && r->x[lo] == x ? r->c[lo] : 0;
}

static double
srow_dot(const struct assoc *L, const struct srow *a, const struct srow *b)
{
	double s = 0;

	for (size_t i = 0, j = 0; i < a->n && j < b->n;) {
		if (a->x[i] < b->x[j]) {
			i++;
		} else if (a->x[i] > b->x[j]) {
			j++;
		} else {
			s += ((double)a->c[i] / L->unit) * ((double)b->c[j] / L->unit);
			i++;
			j++;
		}
	}
	return s;
}

static void
srow_fill(const struct assoc *L, struct srow *r, uint32_t a, uint64_t *cnt,
    uint32_t *touched)
{
	size_t nt = cooc_row(L, a, cnt, touched);

	qsort(touched, nt, sizeof *touched, assoc_cmp_ids);
	r->x = (uint32_t *)xmemdup(touched, nt * sizeof *touched);
	r->c = xreallocarray(NULL, nt + 1, sizeof *r->c);
	r->n = nt;
	r->norm2 = 0;
	for (size_t i = 0; i < nt; i++) {
		double v = (double)cnt[touched[i]] / L->unit;

		r->c[i] = cnt[touched[i]];
		r->norm2 += v * v;
	}
	bsk_row_clear(cnt, touched, nt);
}

struct scand {
	uint32_t subj;
	struct cand c;
};

static int
cmp_scand(const void *x, const void *y)
{
	const struct scand *a = x, *b = y;

	if (a->subj != b->subj)
		return (a->subj > b->subj) - (a->subj < b->subj);
	return (a->c.head > b->c.head) - (a->c.head < b->c.head);
}

/* Substitute candidates of the category at order[from, to). */
static void
subst_category(const struct similar *S, uint32_t from, uint32_t to,
    struct scand **out, size_t *nout, size_t *cap)
{
	struct assoc *L = S->L;
	const uint32_t *order = S->order + from;
	uint32_t m = to - from;
	struct srow *row = xcalloc(m + 1, sizeof *row);
	uint64_t *cnt = xcalloc((size_t)L->nitems + 1, sizeof *cnt);
	uint32_t *touched = xreallocarray(NULL, L->nitems + 1, sizeof *touched);
	double N = (double)L->n / L->unit;

	for (uint32_t i = 0; i < m; i++)
		srow_fill(L, &row[i], label_of(S, order[i]), cnt, touched);
	for (uint32_t i = 0; i < m; i++) {
		uint32_t lp = label_of(S, order[i]);

		for (uint32_t j = 0; j < m; j++) {
			uint32_t q = order[j], lq = label_of(S, q);
			uint64_t both = srow_get(&row[i], lq);
			double nxy = (double)both / L->unit, cv, d;
			double nx = (double)L->icnt[lp] / L->unit;
			double ny = (double)L->icnt[lq] / L->unit;

			if (i == j || !is_active(S, q) || both < L->thr ||
			    !(ms_value(MS_LIFT, nxy, nx, ny, N) < 1))
				continue;
			d = (row[i].norm2 - nxy * nxy) * (row[j].norm2 - nxy * nxy);
			cv = srow_dot(L, &row[i], &row[j]) / sqrt(d);
			if (!(cv > 0))
				continue;
			if (*nout == *cap) {
				*cap = *cap ? *cap * 2 : 1024;
				*out = xreallocarray(*out, *cap, sizeof **out);
			}
			memset(&(*out)[*nout], 0, sizeof **out);
			(*out)[*nout].subj = lp;
			(*out)[*nout].c.head = lq;
			(*out)[*nout].c.count = both;
			(*out)[*nout].c.key1 = cv;
			(*out)[*nout].c.key2 = 0;
			(*out)[*nout].c.extra[0] = cv;
			(*nout)++;
		}
	}
	for (uint32_t i = 0; i < m; i++) {
		free(row[i].x);
		free(row[i].c);
	}
	free(row);
	free(cnt);
	free(touched);
}

void
similar_subst(struct similar *S)
{
	struct assoc *L = S->L;
	const struct catalog *c = &S->c;
	uint32_t n = catalog_order(S);
	struct scand *sc = NULL;
	struct cand *cd;
	size_t nsc = 0, cap = 0, maxc = 1;

	assoc_set_threshold(L);
	if (!L->mstart)
		bsk_index(&L->bk);
	for (uint32_t i = 0, j; i < n; i = j) {
		for (j = i; j < n && cat_of(c, S->order[j]) ==
		    cat_of(c, S->order[i]); j++)
			;
		subst_category(S, i, j, &sc, &nsc, &cap);
	}
	if (nsc)
		qsort(sc, nsc, sizeof *sc, cmp_scand);
	for (size_t i = 0, j; i < nsc; i = j) {
		for (j = i; j < nsc && sc[j].subj == sc[i].subj; j++)
			;
		if (j - i > maxc)
			maxc = j - i;
	}
	cd = xreallocarray(NULL, maxc, sizeof *cd);
	assoc_open_output(L);
	for (size_t i = 0, j; i < nsc; i = j) {
		size_t nc = 0;

		for (j = i; j < nsc && sc[j].subj == sc[i].subj; j++)
			cd[nc++] = sc[j].c;
		assoc_set_subject(L, &sc[i].subj, 1);
		assoc_emit_subject(L, L->icnt[sc[i].subj], cd, nc);
	}
	assoc_close_output(L);
	free(cd);
	free(sc);
}
