/* itemtab.c: a side table keyed by id. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "itemtab.h"

static void
build_index(struct itemtab *t)
{
	size_t n = 16;

	while (n < 2 * (size_t)t->ids.n)
		n *= 2;
	t->slot = xcalloc(n, sizeof *t->slot);
	t->mask = n - 1;
	for (uint32_t r = 0; r < t->ids.n; r++) {
		uint64_t h = xs_hash(intern_str(&t->ids, r), intern_len(&t->ids, r));
		size_t i = h & t->mask;

		while (t->slot[i].row)
			i = (i + 1) & t->mask;
		t->slot[i].off = t->ids.off[r];
		t->slot[i].hash = (uint32_t)(h >> 32);
		t->slot[i].len = (uint32_t)intern_len(&t->ids, r);
		t->slot[i].row = r + 1;
	}
}

void
itemtab_prefetch(const struct itemtab *t, const char *id, size_t n)
{
	if (t->slot)
		__builtin_prefetch(&t->slot[xs_hash(id, n) & t->mask]);
}

uint32_t
itemtab_find(const struct itemtab *t, const char *id, size_t n)
{
	uint64_t h;
	size_t i;

	if (!t->slot)
		return INTERN_NONE;
	h = xs_hash(id, n);
	for (i = h & t->mask; t->slot[i].row; i = (i + 1) & t->mask)
		if (t->slot[i].hash == (uint32_t)(h >> 32) &&
		    t->slot[i].len == n &&
		    memcmp(t->ids.pool.s + t->slot[i].off, id, n) == 0)
			return t->slot[i].row - 1;
	return INTERN_NONE;
}

void
itemtab_load(struct itemtab *t, const char *file, const char *key,
    int nnum, const char *const *num, int ntxt, const char *const *txt)
{
	struct rec r;
	char *files[1];
	int kc, *nc, *tc;	/* kept in t: reachable if a bad row dies */
	size_t cap = 0;

	memset(t, 0, sizeof *t);
	intern_init(&t->ids);
	intern_init(&t->vals);
	t->nnum = nnum;
	t->ntxt = ntxt;
	t->hasnum = xcalloc((size_t)nnum + 1, sizeof *t->hasnum);
	t->hastxt = xcalloc((size_t)ntxt + 1, sizeof *t->hastxt);
	memset(&r, 0, sizeof r);
	files[0] = (char *)file;
	rec_open(&r, 1, files);
	if ((kc = rec_need(&r, key)) < 0) {
		rec_close(&r);
		return;
	}
	nc = t->numcol = xcalloc((size_t)nnum + 1, sizeof *nc);
	tc = t->txtcol = xcalloc((size_t)ntxt + 1, sizeof *tc);
	for (int k = 0; k < nnum; k++)
		t->hasnum[k] = (nc[k] = rec_col(&r, num[k])) >= 0;
	for (int k = 0; k < ntxt; k++)
		t->hastxt[k] = (tc[k] = rec_col(&r, txt[k])) >= 0;
	while (rec_next(&r) != REC_END) {
		uint32_t before = t->ids.n, row;

		row = intern_put(&t->ids, r.f[kc], r.len[kc]);
		if (t->ids.n == before)
			die(XS_INPUT, "%s: %s '%.60s' given twice", rec_where(&r),
			    key, r.f[kc]);
		if (t->ids.n > cap) {
			cap = cap ? 2 * cap : 256;
			t->num = xreallocarray(t->num, cap * (size_t)nnum + 1,
			    sizeof *t->num);
			t->txt = xreallocarray(t->txt, cap * (size_t)ntxt + 1,
			    sizeof *t->txt);
		}
		for (int k = 0; k < nnum; k++)
			t->num[(size_t)row * nnum + k] = rec_num(&r, nc[k], NAN);
		for (int k = 0; k < ntxt; k++) {
			uint32_t v = INTERN_NONE;

			if (tc[k] >= 0 && r.len[tc[k]])
				v = intern_put(&t->vals, r.f[tc[k]], r.len[tc[k]]);
			t->txt[(size_t)row * ntxt + k] = v;
		}
	}
	free(nc);
	free(tc);
	t->numcol = t->txtcol = NULL;
	rec_close(&r);
	build_index(t);
}

void
itemtab_free(struct itemtab *t)
{
	intern_free(&t->ids);
	intern_free(&t->vals);
	free(t->num);
	free(t->txt);
	free(t->hasnum);
	free(t->hastxt);
	free(t->slot);
	memset(t, 0, sizeof *t);
}
