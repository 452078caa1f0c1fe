/* shopfmt.c: what shops export (see shopfmt.h). */
#include <stdlib.h>
#include <string.h>

#include "xsell.h"
#include "buf.h"
#include "shopfmt.h"
#include "colmap.h"

/*
 * Built from the formats' published column lists. Most specific first:
 * Magento and WooCommerce both have a sku, their lists tell them apart.
 */
const struct shopfmt shopfmt_table[] = {
	{ "Shopify orders export", "orders",
	    "name createdat lineitemquantity lineitemsku",
	    "order_id=name product_id=lineitemsku customer_id=email "
	    "quantity=lineitemquantity price=lineitemprice ts=createdat",
	    { { NULL, NULL, NULL } }, "lineitemname", 0 },
	{ "Magento product export", "relations", "sku",
	    "subject_id=sku",
	    { { "relatedskus", "cross_sell", "relatedposition" },
	      { "crosssellskus", "cross_sell", "crosssellposition" },
	      { "upsellskus", "upsell", "upsellposition" } }, "name", 1 },
	{ "WooCommerce product export", "relations", "sku",
	    "subject_id=sku",
	    { { "upsells", "upsell", NULL },
	      { "crosssells", "cross_sell", NULL } }, "name", 1 },
	{ "Personyze managed cross-sell/upsell upload", "relations",
	    "subjectmainproductid",
	    "subject_id=subjectmainproductid",
	    { { "linkedcrosssellproductid", "cross_sell", NULL },
	      { "linkedupsellproductid", "upsell", NULL } }, NULL, 0 },
	{ NULL, NULL, NULL, NULL, { { NULL, NULL, NULL } }, NULL, 0 }
};

/* The column whose key is key[0..kn), or -1. */
static int
col_of(char *const *keys, int n, const char *key, size_t kn)
{
	for (int j = 0; j < n; j++)
		if (strlen(keys[j]) == kn && memcmp(keys[j], key, kn) == 0)
			return j;
	return -1;
}

/* Are all the space-separated keys of words in the header? */
static int
has_all(char *const *keys, int n, const char *words)
{
	for (const char *p = words; *p;) {
		const char *e = strchr(p, ' ');
		size_t wl = e ? (size_t)(e - p) : strlen(p);

		if (col_of(keys, n, p, wl) < 0)
			return 0;
		p += wl + (e != NULL);
	}
	return 1;
}

/* A key that is stem followed by a number: the number, else 0. */
static long
numbered(const char *key, const char *stem, size_t sl)
{
	size_t kl = strlen(key);
	long v = 0;

	if (kl <= sl || kl > sl + 6 || memcmp(key, stem, sl) != 0)
		return 0;
	for (size_t i = sl; i < kl; i++) {
		if (key[i] < '0' || key[i] > '9')
			return 0;
		v = v * 10 + (key[i] - '0');
	}
	return v;
}

static void
add_list(struct shopfmt_use *u, int col, const char *type, int poscol,
    long pos)
{
	u->list = xreallocarray(u->list, (size_t)u->nlist + 1, sizeof *u->list);
	u->list[u->nlist++] = (struct shopfmt_list){ col, type, poscol, pos };
}

void
shopfmt_use_init(struct shopfmt_use *u)
{
	memset(u, 0, sizeof *u);
	u->title = -1;
}

void
shopfmt_use_free(struct shopfmt_use *u)
{
	free(u->list);
	shopfmt_use_init(u);
}

/* The lists of format f in the header, plain or numbered, in the
 * format's order (numbered ones in column order). */
static void
find_lists(const struct shopfmt *f, char *const *keys, int n,
    struct shopfmt_use *u)
{
	for (int l = 0; l < 3 && f->lists[l].key; l++) {
		const char *k = f->lists[l].key, *pk = f->lists[l].poskey;
		int j = col_of(keys, n, k, strlen(k));
		int pc = pk ? col_of(keys, n, pk, strlen(pk)) : -1;

		if (j >= 0) {
			add_list(u, j, f->lists[l].type, pc, 0);
			continue;
		}
		for (j = 0; j < n; j++) {
			long pos = numbered(keys[j], k, strlen(k));

			if (pos > 0)
				add_list(u, j, f->lists[l].type, -1, pos);
		}
	}
}

int
shopfmt_find(char *const *keys, int n, const char *kind, struct shopfmt_use *u)
{
	shopfmt_use_init(u);
	for (const struct shopfmt *f = shopfmt_table; f->name; f++) {
		if ((kind && strcmp(kind, f->kind) != 0) ||
		    !has_all(keys, n, f->need))
			continue;
		find_lists(f, keys, n, u);
		if (f->lists[0].key && u->nlist == 0)
			continue;
		u->fmt = f;
		u->title = f->title ? col_of(keys, n, f->title,
		    strlen(f->title)) : -1;
		return 1;
	}
	return 0;
}

int
shopfmt_wide(char *const *keys, int n, const char *stems, struct shopfmt_use *u)
{
	int found = 0;

	for (int j = 0; j < n; j++) {
		for (const char *p = stems; *p;) {
			const char *e = strchr(p, ' ');
			size_t wl = e ? (size_t)(e - p) : strlen(p);
			char stem[64];
			long pos;

			/* "To 3" is too likely something else */
			if (wl >= 3 && wl < sizeof stem) {
				memcpy(stem, p, wl);
				stem[wl] = '\0';
				if ((pos = numbered(keys[j], stem, wl)) > 0) {
					add_list(u, j, NULL, -1, pos);
					found++;
					break;
				}
			}
			p += wl + (e != NULL);
		}
	}
	return found;
}

int
shopfmt_col(const struct shopfmt_use *u, char *const *keys, int n,
    const char *canon)
{
	const struct shopfmt *f = u->fmt;
	size_t cl = strlen(canon);

	if (strcmp(canon, "linked_id") == 0 && u->nlist)
		return -1;
	if (!f)
		return -2;
	for (const char *p = f->map; *p;) {
		const char *e = strchr(p, ' ');
		size_t wl = e ? (size_t)(e - p) : strlen(p);
		const char *eq = memchr(p, '=', wl);

		if (eq && (size_t)(eq - p) == cl && memcmp(p, canon, cl) == 0)
			return col_of(keys, n, eq + 1, wl - cl - 1);
		p += wl + (e != NULL);
	}
	return f->product_rows ? -1 : -2;
}

/* ---- lists in one cell ---- */

/* The first sep in s[..end), or NULL (memmem is not in every libc). */
static const char *
find(const char *s, const char *end, const char *sep, size_t seplen)
{
	for (; (size_t)(end - s) >= seplen; s++) {
		if (!(s = memchr(s, *sep, (size_t)(end - s) - seplen + 1)))
			return NULL;
		if (memcmp(s, sep, seplen) == 0)
			return s;
	}
	return NULL;
}

int
shopfmt_item(const char **p, const char *end, const char *sep, size_t seplen,
    const char **item, size_t *n)
{
	const char *s = *p, *e;

	for (;;) {
		if (s >= end) {
			*p = s;
			return 0;
		}
		e = find(s, end, sep, seplen);
		*p = e ? e + seplen : end;
		if (!e)
			e = end;
		/* trimmed as a value is: a spreadsheet's cell may have an
		 * item on each line */
		*item = s;
		*n = (size_t)(e - s);
		colmap_trim(item, n);
		if (*n)
			return 1;
		s = *p;
	}
}

/* ---- an order's lines ---- */

void
carry_init(struct carry *c)
{
	memset(c, 0, sizeof *c);
	buf_init(&c->key);
	for (int i = 0; i < CARRY_MAX; i++)
		buf_init(&c->val[i]);
}

void
carry_free(struct carry *c)
{
	buf_free(&c->key);
	for (int i = 0; i < CARRY_MAX; i++)
		buf_free(&c->val[i]);
}

/* b holds s[0..n), NUL-terminated. Every line of a large export comes
 * through here: no calls for the common short value. */
static inline void
set(struct buf *b, const char *s, size_t n)
{
	if (n + 1 > b->cap) {
		b->len = 0;
		buf_grow(b, n);
	}
	memcpy(b->s, s, n);
	b->s[n] = '\0';
	b->len = n;
}

/* Order ids are short: a loop beats a call. */
static inline int
same(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

int
carry_order(struct carry *c, const char *key, size_t kn)
{
	if (c->started && kn > 0 && c->key.len == kn && same(c->key.s, key, kn))
		return 1;
	set(&c->key, key, kn);
	c->started = 1;
	return 0;
}

void
carry_value(struct carry *c, int i, int same_order, const char **v, size_t *n)
{
	struct buf *b = &c->val[i];

	if (!same_order)
		set(b, *v, *n);
	else if (*n == 0)	/* the order's first value */
		*v = b->len ? b->s : "", *n = b->len;
	else if (b->len == 0)
		set(b, *v, *n);
}

/* ---- the nearest name ---- */

int
shopfmt_dist(const char *a, size_t an, const char *b, size_t bn)
{
	int row[65], d;

	if (an > 64)
		an = 64;
	if (bn > 64)
		bn = 64;
	for (size_t j = 0; j <= bn; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= an; i++) {
		int diag = row[0];

		row[0] = (int)i;
		for (size_t j = 1; j <= bn; j++) {
			int up = row[j];

			d = diag + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < d)
				d = row[j] + 1;
			if (row[j - 1] + 1 < d)
				d = row[j - 1] + 1;
			row[j] = d;
			diag = up;
		}
	}
	return row[bn];
}
