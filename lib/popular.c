/* popular.c: a best-seller list in order (popular.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "popular.h"

static int
cmp_bytes(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	return c ? c : (an > bn) - (an < bn);
}

/* qsort has no context argument: the list being sorted. */
static const struct popular *sorting;

static int
by_score(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	double sx = sorting->score[x], sy = sorting->score[y];

	if (isnan(sx) != isnan(sy))
		return isnan(sx) ? 1 : -1;
	if (sx != sy && !isnan(sx))
		return sx > sy ? -1 : 1;
	return cmp_bytes(intern_str(&sorting->ids, x),
	    intern_len(&sorting->ids, x), intern_str(&sorting->ids, y),
	    intern_len(&sorting->ids, y));
}

void
popular_load(struct popular *p, const char *file)
{
	struct rec r;
	char *files[1] = { (char *)file };
	int id, sc;
	size_t cap = 0;

	memset(p, 0, sizeof *p);
	intern_init(&p->ids);
	memset(&r, 0, sizeof r);
	rec_open(&r, 1, files);
	if ((id = rec_need(&r, "product_id")) < 0) {
		rec_close(&r);
		return;
	}
	sc = rec_col(&r, "score");
	while (rec_next(&r) != REC_END) {
		uint32_t before = p->ids.n, row;

		if (r.len[id] == 0)
			die(XS_INPUT, "%s: empty product_id", rec_where(&r));
		row = intern_put(&p->ids, r.f[id], r.len[id]);
		if (p->ids.n == before)
			die(XS_INPUT, "%s: product_id '%.60s' given twice",
			    rec_where(&r), r.f[id]);
		if (p->ids.n > cap) {
			cap = cap ? 2 * cap : 256;
			p->score = xreallocarray(p->score, cap, sizeof *p->score);
		}
		p->score[row] = rec_num(&r, sc, NAN);
	}
	rec_close(&r);
	p->n = p->ids.n;
	p->order = xcalloc((size_t)p->n + 1, sizeof *p->order);
	for (uint32_t i = 0; i < p->n; i++)
		p->order[i] = i;
	if (sc >= 0) {
		sorting = p;
		qsort(p->order, p->n, sizeof *p->order, by_score);
		sorting = NULL;
	}
}

void
popular_free(struct popular *p)
{
	intern_free(&p->ids);
	free(p->score);
	free(p->order);
	memset(p, 0, sizeof *p);
}
