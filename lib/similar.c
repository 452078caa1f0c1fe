/*
 * similar.c: upsells and substitutes (similar.h): the catalog, its rows
 * by category and price, and each subject's candidates in its category,
 * from the co-occurrence rows of the baskets or of merged counts.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assoc-internal.h"
#include "similar.h"
#include "rec.h"
#include "intern.h"

/* ---- the catalog ---- */

struct catalog {
	uint32_t n, cap;
	uint32_t *item;		/* intern id of product_id */
	uint32_t *cat;		/* category, UINT32_MAX when missing */
	double *price, *cost;	/* NaN when missing */
	uint8_t *active;
	struct intern cats;
	uint32_t *order;	/* rows by category, then price, then id */
};

/* The catalog, and the counts the rules are learned from. */
struct similar {
	struct assoc *L;
	struct catalog c;
};

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

static void
catalog_grow(struct catalog *c)
{
	c->cap = c->cap ? c->cap * 2 : 1024;
	c->item = xreallocarray(c->item, c->cap, sizeof *c->item);
	c->cat = xreallocarray(c->cat, c->cap, sizeof *c->cat);
	c->price = xreallocarray(c->price, c->cap, sizeof *c->price);
	c->cost = xreallocarray(c->cost, c->cap, sizeof *c->cost);
	c->active = xreallocarray(c->active, c->cap, sizeof *c->active);
}

/* Products are interned before the orders, so that the ones nobody
 * bought have labels (and zero counts) too. */
struct similar *
similar_new(struct assoc *L, const char *file)
{
	struct similar *S = xcalloc(1, sizeof *S);
	struct catalog *c = &S->c;
	struct rec r;
	char *files[1] = { (char *)file };
	int ci, cc, cp, cx, cs;

	S->L = L;
	memset(&r, 0, sizeof r);
	intern_init(&c->cats);
	rec_open(&r, 1, files);
	ci = rec_need(&r, "product_id");
	cc = rec_need(&r, "category");
	cp = L->o->type == T_UPSELL ? rec_need(&r, "price") :
	    rec_col(&r, "price");
	cx = rec_col(&r, "cost");
	cs = rec_col(&r, "status");
	while (rec_next(&r) == REC_ROW) {
		uint32_t n = L->items.n, k;

		if (r.len[ci] == 0)
			die(XS_INPUT, "%s: column 'product_id': missing",
			    rec_where(&r));
		if (c->n == c->cap)
			catalog_grow(c);
		k = c->n++;
		c->item[k] = intern_put(&L->items, r.f[ci], r.len[ci]);
		if (c->item[k] < n)
			die(XS_INPUT, "%s: product_id \"%.40s\" seen twice",
			    rec_where(&r), r.f[ci]);
		c->cat[k] = r.len[cc] ? intern_put(&c->cats, r.f[cc], r.len[cc]) :
		    UINT32_MAX;
		c->price[k] = rec_num(&r, cp, NAN);
		c->cost[k] = rec_num(&r, cx, NAN);
		c->active[k] = cs < 0 || r.len[cs] == 0 ||
		    strcmp(r.f[cs], "active") == 0;
	}
	rec_close(&r);
	return S;
}

void
similar_free(struct similar *S)
{
	struct catalog *c;

	if (!S)
		return;
	c = &S->c;
	free(c->item);
	free(c->cat);
	free(c->price);
	free(c->cost);
	free(c->active);
	free(c->order);
	intern_free(&c->cats);
	free(S);
}

static const struct catalog *sort_cat;
static const struct assoc *sort_learn;

static int
cmp_cat_row(const void *x, const void *y)
{
	const struct catalog *c = sort_cat;
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	uint32_t la = sort_learn->label[c->item[a]];
	uint32_t lb = sort_learn->label[c->item[b]];

	if (c->cat[a] != c->cat[b])
		return (c->cat[a] > c->cat[b]) - (c->cat[a] < c->cat[b]);
	if (c->price[a] != c->price[b] && !isnan(c->price[a]) &&
	    !isnan(c->price[b]))
		return (c->price[a] > c->price[b]) - (c->price[a] < c->price[b]);
	if (isnan(c->price[a]) != isnan(c->price[b]))
		return isnan(c->price[a]) - isnan(c->price[b]);
	return (la > lb) - (la < lb);
}

/* Rows with a category, grouped by it, by price within; returns how many. */
static uint32_t
catalog_order(const struct assoc *L, struct catalog *c)
{
	uint32_t n = 0;

	c->order = xreallocarray(NULL, c->n + 1, sizeof *c->order);
	for (uint32_t k = 0; k < c->n; k++)
		if (c->cat[k] != UINT32_MAX)
			c->order[n++] = k;
	sort_cat = c;
	sort_learn = L;
	qsort(c->order, n, sizeof *c->order, cmp_cat_row);
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
	struct catalog *c = &S->c;
	uint32_t n = catalog_order(L, c), ns = 0;
	uint64_t *cnt = xcalloc((size_t)L->nitems + 1, sizeof *cnt);
	uint32_t *touched = xreallocarray(NULL, L->nitems + 1, sizeof *touched);
	struct cand *cd = xreallocarray(NULL, n + 1, sizeof *cd);
	struct subj *s = xreallocarray(NULL, n + 1, sizeof *s);

	assoc_set_threshold(L);
	if (!L->mstart)
		bsk_index(&L->bk);
	assoc_open_output(L);
	for (uint32_t i = 0, g = 0; i < n; i++) {
		uint32_t k = c->order[i];

		if (i > 0 && c->cat[k] != c->cat[c->order[i - 1]])
			g = i;
		if (c->price[k] > 0)
			s[ns++] = (struct subj){ L->label[c->item[k]], k, g };
	}
	qsort(s, ns, sizeof *s, cmp_subj);
	for (uint32_t i = 0; i < ns; i++) {
		uint32_t p = s[i].row, nc = 0;
		double lo = c->price[p], hi = lo * L->o->max_price_ratio;
		size_t nt = cooc_row(L, s[i].label, cnt, touched);

		for (uint32_t j = s[i].grp; j < n && c->cat[c->order[j]] ==
		    c->cat[p]; j++) {
			uint32_t q = c->order[j], lq = L->label[c->item[q]];
			double nxy, nx, ny, N = (double)L->n / L->unit;

			if (!(c->price[q] > lo) || !(c->price[q] <= hi) ||
			    !c->active[q] || cnt[lq] < L->thr)
				continue;
			nxy = (double)cnt[lq] / L->unit;
			nx = (double)L->icnt[s[i].label] / L->unit;
			ny = (double)L->icnt[lq] / L->unit;
			cd[nc].head = lq;
			cd[nc].count = cnt[lq];
			cd[nc].extra[0] = c->price[q] / lo;
			/* Cents minus cents should read as cents. */
			cd[nc].extra[1] = round((c->price[q] - c->cost[q]) * 1e9) / 1e9;
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
subst_category(struct assoc *L, const struct catalog *c, uint32_t from,
    uint32_t to, struct scand **out, size_t *nout, size_t *cap)
{
	uint32_t m = to - from;
	struct srow *row = xcalloc(m + 1, sizeof *row);
	uint64_t *cnt = xcalloc((size_t)L->nitems + 1, sizeof *cnt);
	uint32_t *touched = xreallocarray(NULL, L->nitems + 1, sizeof *touched);
	double N = (double)L->n / L->unit;

	for (uint32_t i = 0; i < m; i++)
		srow_fill(L, &row[i], L->label[c->item[c->order[from + i]]], cnt,
		    touched);
	for (uint32_t i = 0; i < m; i++) {
		uint32_t lp = L->label[c->item[c->order[from + i]]];

		for (uint32_t j = 0; j < m; j++) {
			uint32_t q = c->order[from + j], lq = L->label[c->item[q]];
			uint64_t both = srow_get(&row[i], lq);
			double nxy = (double)both / L->unit, cv, d;
			double nx = (double)L->icnt[lp] / L->unit;
			double ny = (double)L->icnt[lq] / L->unit;

			if (i == j || !c->active[q] || both < L->thr ||
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
	struct catalog *c = &S->c;
	uint32_t n = catalog_order(L, c);
	struct scand *sc = NULL;
	struct cand *cd;
	size_t nsc = 0, cap = 0, maxc = 1;

	assoc_set_threshold(L);
	if (!L->mstart)
		bsk_index(&L->bk);
	for (uint32_t i = 0, j; i < n; i = j) {
		for (j = i; j < n && c->cat[c->order[j]] == c->cat[c->order[i]]; j++)
			;
		subst_category(L, c, i, j, &sc, &nsc, &cap);
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
