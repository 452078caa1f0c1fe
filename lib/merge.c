/*
 * merge.c: xsell-import --merge, and the set of links (merge.h).
 */
#include <stdlib.h>
#include <string.h>

#include "xsell.h"
#include "buf.h"
#include "rec.h"
#include "writer.h"
#include "intern.h"
#include "colmap.h"
#include "merge.h"
#include "shopwords.h"

static uint64_t
link_hash(uint32_t s, uint32_t l, uint32_t type)
{
	uint32_t k[3] = { s, l, type };

	return xs_hash(k, sizeof k);
}

size_t
linkset_find(struct linkset *ls, uint32_t s, uint32_t l, uint32_t type,
    int add, int *isnew)
{
	size_t mask, i;

	if (add && 2 * (ls->n + 1) > ls->nslot) {
		size_t ns = ls->nslot ? 2 * ls->nslot : 1024;

		free(ls->slot);
		ls->slot = xcalloc(ns, sizeof *ls->slot);
		ls->nslot = ns;
		for (size_t j = 0; j < ls->n; j++) {
			const struct seen_link *k = &ls->t[j];

			i = link_hash(k->s, k->l, k->type) & (ns - 1);
			while (ls->slot[i])
				i = (i + 1) & (ns - 1);
			ls->slot[i] = (uint32_t)j + 1;
		}
	}
	if (isnew)
		*isnew = 0;
	if (!ls->nslot)
		return SIZE_MAX;
	mask = ls->nslot - 1;
	for (i = link_hash(s, l, type) & mask; ls->slot[i]; i = (i + 1) & mask) {
		const struct seen_link *k = &ls->t[ls->slot[i] - 1];

		if (k->s == s && k->l == l && k->type == type)
			return ls->slot[i] - 1;
	}
	if (!add)
		return SIZE_MAX;
	if (ls->n == ls->cap) {
		ls->cap = ls->cap ? 2 * ls->cap : 1024;
		ls->t = xreallocarray(ls->t, ls->cap, sizeof *ls->t);
	}
	ls->t[ls->n] = (struct seen_link){ s, l, type, 0, 0 };
	ls->slot[i] = (uint32_t)ls->n + 1;
	if (isnew)
		*isnew = 1;
	return ls->n++;
}

uint32_t
link_code(const char *s)
{
	for (uint32_t i = 0; link_types[i]; i++)
		if (strcmp(s, link_types[i]) == 0)
			return i;
	return 0;
}

void
linkset_free(struct linkset *ls)
{
	free(ls->t);
	free(ls->slot);
}

static int
store_add_col(struct merge *st, const char *name)
{
	uint32_t i = intern_put(&st->names, name, strlen(name));

	if ((int)i < st->ncols)
		return (int)i;
	st->cols = xreallocarray(st->cols, (size_t)st->ncols + 1,
	    sizeof *st->cols);
	st->cols[st->ncols] = xstrdup(name);
	return st->ncols++;
}

static size_t
store_entry(struct merge *st, uint32_t s, uint32_t l, uint32_t t, int *isnew)
{
	size_t e = linkset_find(&st->keys, s, l, t, 1, isnew), nc = (size_t)st->ncols;

	if (!*isnew)
		return e;
	if (st->n == st->cap) {
		st->cap = st->cap ? 2 * st->cap : 1024;
		st->off = xreallocarray(st->off, st->cap * nc, sizeof *st->off);
		st->len = xreallocarray(st->len, st->cap * nc, sizeof *st->len);
		st->alive = xrealloc(st->alive, st->cap);
		st->fed = xrealloc(st->fed, st->cap);
	}
	for (size_t c = 0; c < nc; c++) {
		st->off[e * nc + c] = 0;	/* the empty string */
		st->len[e * nc + c] = 0;
	}
	st->alive[e] = 1;
	st->fed[e] = 0;
	st->n++;
	return e;
}

/* Values are appended to the arena, as a later update must not move
 * the ones a row already has. */
static inline void
store_set(struct merge *st, size_t e, int c, const char *s, size_t n)
{
	size_t i = e * (size_t)st->ncols + (size_t)c;

	st->off[i] = st->arena.len;
	st->len[i] = (uint32_t)n;
	buf_put(&st->arena, s, n);
	buf_putc(&st->arena, '\0');
}

static uint32_t
base_type(const struct rec *r, int ti)
{
	char key[64];
	int w;

	if (ti < 0 || r->len[ti] == 0)
		return 0;
	colmap_key(r->f[ti], r->len[ti], key, sizeof key);
	if ((w = words_which(link_words, key)) < 0)
		die(XS_INPUT, "%s: column 'type': not cross_sell, upsell, "
		    "substitute or bundle: \"%s\"", rec_where(r), r->f[ti]);
	return (uint32_t)w;
}

void
merge_init(struct merge *m, const char *base, int full)
{
	memset(m, 0, sizeof *m);
	m->base = base;
	m->full = full;
	intern_init(&m->names);
	intern_init(&m->ids);
	buf_init(&m->arena);
}

void
merge_open(struct merge *m, int nout, char *const *ocol)
{
	static const char *const canon[] = { "subject_id", "linked_id", "type",
		"source", "position", NULL };

	buf_putc(&m->arena, '\0');
	for (int i = 0; canon[i]; i++)
		store_add_col(m, canon[i]);
	rec_open(&m->r, 1, (char **)&m->base);
	m->bmap = xcalloc((size_t)m->r.ncols + 1, sizeof *m->bmap);
	for (int i = 0; i < m->r.ncols; i++)
		m->bmap[i] = store_add_col(m, m->r.cols[i]);
	m->nfrom = nout;
	m->from = xcalloc((size_t)nout + 1, sizeof *m->from);
	for (int i = 0; i < nout; i++)
		m->from[i] = store_add_col(m, ocol[i]);
}

int
merge_col(const struct merge *m, const char *name)
{
	uint32_t c = intern_find(&m->names, name, strlen(name));

	return c == INTERN_NONE ? -1 : (int)c;
}

void
merge_load(struct merge *m, merge_dup_fn *dup, void *arg)
{
	struct rec *r = &m->r;
	int si = rec_need(r, "subject_id"), li = rec_need(r, "linked_id");
	int ti = rec_col(r, "type");

	while (rec_next(r) == REC_ROW) {
		uint32_t s, l;
		size_t e;
		int isnew;

		if (!r->len[si] || !r->len[li])
			die(XS_INPUT, "%s: column '%s': empty", rec_where(r),
			    r->len[si] ? "linked_id" : "subject_id");
		s = intern_put(&m->ids, r->f[si], r->len[si]);
		l = intern_put(&m->ids, r->f[li], r->len[li]);
		e = store_entry(m, s, l, base_type(r, ti), &isnew);
		if (!isnew) {
			m->dups++;
			dup(arg, r, m->bmap, &m->keys.t[e]);
			continue;
		}
		m->keys.t[e].at = (uint32_t)r->line;
		for (int i = 0; i < r->ncols; i++)
			store_set(m, e, m->bmap[i], r->f[i], r->len[i]);
		m->nbase++;
	}
	rec_close(r);
	free(m->bmap);
	m->bmap = NULL;
}

void
merge_row(struct merge *st, const char *sv, size_t sn, const char *lv,
    size_t ln, const char *type, int type_given, int remove,
    char *const *v, const size_t *olen, const unsigned char *carried)
{
	uint32_t s = intern_put(&st->ids, sv, sn);
	uint32_t l = intern_put(&st->ids, lv, ln);
	uint32_t t = link_code(type);
	size_t e;
	int isnew;

	if (remove) {
		int hit = 0;

		for (uint32_t u = 0; link_types[u]; u++) {
			if (type_given && u != t)
				continue;
			e = linkset_find(&st->keys, s, l, u, 0, NULL);
			if (e != SIZE_MAX && st->alive[e]) {
				st->alive[e] = 0;
				st->removed++;
				hit = 1;
			}
		}
		st->missed += !hit;
		return;
	}
	e = store_entry(st, s, l, t, &isnew);
	if (!isnew && st->alive[e]) {
		/* an update: the columns the feed does not have keep the
		 * base's values (a learned link stays learned) */
		st->updated++;
		for (int i = 0; i < st->nfrom; i++)
			if (carried[i])
				store_set(st, e, st->from[i], v[i] ? v[i] : "",
				    olen[i]);
	} else {
		st->added++;
		for (int c = 0; c < st->ncols; c++)
			store_set(st, e, c, "", 0);
		for (int i = 0; i < st->nfrom; i++)
			store_set(st, e, st->from[i], v[i] ? v[i] : "", olen[i]);
	}
	st->alive[e] = 1;
	st->fed[e] = 1;
}

long
merge_write(struct merge *st, FILE *fp, int json)
{
	char **v = xcalloc((size_t)st->ncols + 1, sizeof *v);
	size_t *len = xcalloc((size_t)st->ncols + 1, sizeof *len), out = 0;
	struct buf dup, full;

	/* --full: the feed is the whole snapshot */
	for (size_t e = 0; st->full && e < st->n; e++) {
		if (st->alive[e] && !st->fed[e]) {
			st->alive[e] = 0;
			st->unfed++;
		}
	}
	writer_open(&st->w, fp, json, st->ncols, st->cols);
	for (size_t e = 0; e < st->n; e++) {
		if (!st->alive[e])
			continue;
		for (int c = 0; c < st->ncols; c++) {
			size_t i = e * (size_t)st->ncols + (size_t)c;
			v[c] = st->arena.s + st->off[i];
			len[c] = st->len[i];
		}
		writer_row(&st->w, v, len);
		out++;
	}
	writer_close(&st->w);
	/* links in + added - removed - not in the feed = links out */
	buf_init(&dup);
	buf_init(&full);
	if (st->dups)
		buf_printf(&dup, " (and %ld duplicate%s, rejected)", st->dups,
		    st->dups == 1 ? "" : "s");
	if (st->full)
		buf_printf(&full, ", %ld not in the feed removed (--full)",
		    st->unfed);
	note("merge: %ld links in %s%s; feed: %ld added, %ld updated, "
	    "%ld removed, %ld removes matched nothing%s; %zu links out",
	    st->nbase, st->base, dup.s ? buf_str(&dup) : "", st->added,
	    st->updated, st->removed, st->missed, full.s ? buf_str(&full) : "",
	    out);
	buf_free(&dup);
	buf_free(&full);
	free(v);
	free(len);
	return (long)out;
}


void
merge_free(struct merge *m)
{
	for (int i = 0; i < m->ncols; i++)
		free(m->cols[i]);
	free(m->cols);
	intern_free(&m->names);
	intern_free(&m->ids);
	buf_free(&m->arena);
	free(m->off);
	free(m->len);
	free(m->alive);
	free(m->fed);
	free(m->from);
	free(m->bmap);
	linkset_free(&m->keys);
}
