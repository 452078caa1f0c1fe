/* group.c: a record stream handed out one context at a time. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "group.h"
#include "siphash.h"
#include "buf.h"
#include "num.h"
#include "rec.h"
#include "intern.h"

#define NONE SIZE_MAX

void
group_init(struct group *g, struct rec *r, int key, int mode,
    const char *hint)
{
	memset(g, 0, sizeof *g);
	g->r = r;
	g->key = key;
	g->mode = mode;
	g->hint = hint;
	g->ncols = r->ncols;
	buf_init(&g->arena);
	intern_init(&g->keys);
	if (key < 0 && (mode == GROUP_STREAM || mode == GROUP_BUFFER))
		g->mode = GROUP_ALL;
}

void
group_free(struct group *g)
{
	if (g->mode == GROUP_ROW)
		g->f = NULL, g->len = NULL;	/* the rec's */
	buf_free(&g->arena);
	free(g->off);
	free(g->len);
	free(g->f);
	free(g->name);
	free(g->line);
	free(g->at);
	free(g->closed);
	free(g->next);
	free(g->head);
	free(g->tail);
	intern_free(&g->keys);
	memset(g, 0, sizeof *g);
}

static void
need_at(struct group *g, size_t n)
{
	if (n <= g->atcap)
		return;
	g->atcap = n > 2 * g->atcap ? n : 2 * g->atcap;
	g->at = xreallocarray(g->at, g->atcap, sizeof *g->at);
}

/* Copies the rec's current row after the stored ones. */
static void
store(struct group *g)
{
	struct rec *r = g->r;
	size_t nc = (size_t)g->ncols, base;

	if (g->rows == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 64;
		g->off = xreallocarray(g->off, g->cap * nc + 1, sizeof *g->off);
		g->len = xreallocarray(g->len, g->cap * nc + 1, sizeof *g->len);
		g->name = xreallocarray(g->name, g->cap, sizeof *g->name);
		g->line = xreallocarray(g->line, g->cap, sizeof *g->line);
		if (g->mode == GROUP_BUFFER)
			g->next = xreallocarray(g->next, g->cap, sizeof *g->next);
	}
	base = g->rows * nc;
	for (size_t c = 0; c < nc; c++) {
		g->off[base + c] = g->arena.len;
		g->len[base + c] = r->len[c];
		buf_put(&g->arena, r->f[c], r->len[c]);
		buf_putc(&g->arena, '\0');
	}
	g->name[g->rows] = r->name;
	g->line[g->rows] = r->line;
	g->rows++;
}

/* Field pointers for every stored row, now that the arena stops moving. */
static void
fix(struct group *g)
{
	size_t n = g->rows * (size_t)g->ncols;

	g->f = xreallocarray(g->f, n + 1, sizeof *g->f);
	for (size_t i = 0; i < n; i++)
		g->f[i] = g->arena.s + g->off[i];
}

/* SipHash with a fixed key: at two calls a group its cost is nothing, and
 * a false "seen again" needs a 64-bit collision of a keyed PRF. */
static uint64_t
key_hash(const char *s, size_t n)
{
	uint64_t h = siphash24(0x7873656c6c2d6374ULL, 0x787467726f75702eULL,
	    s, n);

	return h ? h : 1;
}

static int
closed_has(const struct group *g, uint64_t h)
{
	size_t mask = g->closedcap - 1;

	if (!g->closedcap)
		return 0;
	for (size_t i = h & mask; g->closed[i]; i = (i + 1) & mask)
		if (g->closed[i] == h)
			return 1;
	return 0;
}

static void
closed_add(struct group *g, uint64_t h)
{
	size_t mask;

	if (2 * (g->nclosed + 1) > g->closedcap) {
		size_t ncap = g->closedcap ? 2 * g->closedcap : 1024;
		uint64_t *old = g->closed;
		size_t ocap = g->closedcap;

		g->closed = xcalloc(ncap, sizeof *g->closed);
		g->closedcap = ncap;
		g->nclosed = 0;
		for (size_t i = 0; i < ocap; i++)
			if (old[i])
				closed_add(g, old[i]);
		free(old);
	}
	mask = g->closedcap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		if (g->closed[i] == h)
			return;
		if (!g->closed[i]) {
			g->closed[i] = h;
			g->nclosed++;
			return;
		}
	}
}

int
group_check(struct rec *r, int key)
{
	struct group seen, *g = &seen;
	struct rec scan;
	struct buf prev;
	struct stat st;
	int k, grouped = 1, have = 0;

	if (key < 0)
		return 1;

	for (int i = 0; i < r->nfiles; i++)
		if (strcmp(r->files[i], "-") == 0 ||
		    stat(r->files[i], &st) != 0 || !S_ISREG(st.st_mode))
			return -1;
	memset(&scan, 0, sizeof scan);
	rec_open(&scan, r->nfiles, r->files);
	k = rec_col(&scan, r->cols[key]);
	memset(g, 0, sizeof *g);
	buf_init(&prev);
	while (k >= 0 && rec_next(&scan) == REC_ROW) {
		const char *ks = scan.f[k];
		size_t kn = scan.len[k];

		if (have && prev.len == kn && memcmp(prev.s, ks, kn) == 0)
			continue;
		if (closed_has(g, key_hash(ks, kn))) {
			grouped = 0;
			break;
		}
		if (have)
			closed_add(g, key_hash(prev.s, prev.len));
		buf_reset(&prev);
		buf_put(&prev, ks, kn);
		have = 1;
	}
	buf_free(&prev);
	rec_close(&scan);
	free(g->closed);
	return grouped;
}

static int
next_stream(struct group *g)
{
	struct rec *r = g->r;
	size_t k = (size_t)g->key;

	g->rows = 0;
	buf_reset(&g->arena);
	if (!g->pending && rec_next(r) == REC_END) {
		g->done = 1;
		return 0;
	}
	g->pending = 0;
	store(g);
	while (rec_next(r) != REC_END) {
		const char *ks = g->arena.s + g->off[k];
		size_t kn = g->len[k];
		uint64_t h;

		if (r->len[k] == kn && memcmp(r->f[k], ks, kn) == 0) {
			store(g);
			continue;
		}
		h = key_hash(r->f[k], r->len[k]);
		if (closed_has(g, h))
			die(XS_INPUT, "%s: input not grouped by %s: '%.60s' "
			    "seen again after its rows ended (sort by it, or "
			    "use %s)", rec_where(r), r->cols[k], r->f[k],
			    g->hint);
		closed_add(g, key_hash(ks, kn));
		g->pending = 1;
		break;
	}
	if (!g->pending)
		g->done = 1;
	return 1;
}

/* GROUP_BUFFER and GROUP_ALL: every row first, each linked to its group. */
static void
read_all(struct group *g)
{
	struct rec *r = g->r;
	size_t gcap = 0;

	while (rec_next(r) != REC_END) {
		size_t row = g->rows;
		uint32_t before = g->keys.n, id;

		store(g);
		if (g->mode != GROUP_BUFFER)
			continue;
		id = intern_put(&g->keys, r->f[g->key], r->len[g->key]);
		g->next[row] = NONE;
		if (g->keys.n > gcap) {
			gcap = gcap ? 2 * gcap : 64;
			g->head = xreallocarray(g->head, gcap, sizeof *g->head);
			g->tail = xreallocarray(g->tail, gcap, sizeof *g->tail);
		}
		if (g->keys.n > before)
			g->head[id] = row;
		else
			g->next[g->tail[id]] = row;
		g->tail[id] = row;
	}
	fix(g);
}

int
group_next(struct group *g)
{
	struct rec *r = g->r;

	switch (g->mode) {
	case GROUP_ROW:
		if (rec_next(r) == REC_END)
			return 0;
		/* The rec's own arrays, no copy. */
		g->f = r->f;
		g->len = r->len;
		need_at(g, 1);
		g->at[0] = 0;
		g->n = 1;
		return 1;
	case GROUP_STREAM:
		if (g->done || !next_stream(g))
			return 0;
		fix(g);
		need_at(g, g->rows);
		for (size_t i = 0; i < g->rows; i++)
			g->at[i] = i;
		g->n = g->rows;
		return 1;
	case GROUP_ALL:
		if (g->done)
			return 0;
		read_all(g);
		g->done = 1;
		need_at(g, g->rows);
		for (size_t i = 0; i < g->rows; i++)
			g->at[i] = i;
		g->n = g->rows;
		return g->n > 0;
	default:
		if (!g->done) {
			read_all(g);
			g->done = 1;
		}
		if (g->gnext >= g->keys.n)
			return 0;
		g->n = 0;
		for (size_t row = g->head[g->gnext]; row != NONE;
		    row = g->next[row]) {
			need_at(g, g->n + 1);
			g->at[g->n++] = row;
		}
		g->gnext++;
		return 1;
	}
}

const char *
group_where(const struct group *g, size_t i)
{
	static char w[512];

	if (g->mode == GROUP_ROW)
		return rec_where(g->r);
	snprintf(w, sizeof w, "%s:%ld", g->name[g->at[i]], g->line[g->at[i]]);
	return w;
}

double
group_num(const struct group *g, size_t i, int col, double dflt)
{
	const char *err, *s;
	size_t n;
	double v;

	if (col < 0)
		return dflt;
	s = group_f(g, i)[col];
	n = group_len(g, i)[col];
	if (n == 0)
		return dflt;
	if ((err = num_parse(s, n, &v)))
		die(XS_INPUT, "%s: column '%s': %s: \"%.40s\"", group_where(g, i),
		    g->r->cols[col], err, s);
	return v;
}
