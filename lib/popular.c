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
	const struct catalog *t = &sorting->t;
	double sx = catalog_num(t, x, 0), sy = catalog_num(t, y, 0);
	const char *ix, *iy;
	size_t nx, ny;

	if (isnan(sx) != isnan(sy))
		return isnan(sx) ? 1 : -1;
	if (sx != sy && !isnan(sx))
		return sx > sy ? -1 : 1;
	ix = catalog_id(t, x, &nx);
	iy = catalog_id(t, y, &ny);
	return cmp_bytes(ix, nx, iy, ny);
}

void
popular_load(struct popular *p, const char *file)
{
	static const char *const score[] = { "score" };
	static const struct catalog_spec spec = { .key = "product_id",
	    .nnum = 1, .num = score, .flags = CATALOG_NONEMPTY };

	memset(p, 0, sizeof *p);
	catalog_load(&p->t, file, &spec);
	p->n = p->t.n;
	p->order = xcalloc((size_t)p->n + 1, sizeof *p->order);
	for (uint32_t i = 0; i < p->n; i++)
		p->order[i] = i;
	if (p->t.hasnum[0]) {
		sorting = p;
		qsort(p->order, p->n, sizeof *p->order, by_score);
		sorting = NULL;
	}
}

void
popular_free(struct popular *p)
{
	catalog_free(&p->t);
	free(p->order);
	memset(p, 0, sizeof *p);
}
