/* rankorder.c: an order kept inside a ranked list (rankorder.h). */
#include <stdlib.h>
#include <string.h>

#include "rankorder.h"
#include "xsell.h"

struct slot {
	long cls;
	size_t at;
};

static int
by_class(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;

	if (x->cls != y->cls)
		return x->cls < y->cls ? -1 : 1;
	return (x->at > y->at) - (x->at < y->at);
}

void
rank_keep_order(void *base, size_t n, size_t size,
    long (*cls)(const void *), int (*cmp)(const void *, const void *))
{
	char *b = base, *tmp;
	struct slot *s;
	size_t ns = 0;

	if (n < 2)
		return;
	s = xcalloc(n, sizeof *s);
	for (size_t i = 0; i < n; i++) {
		long c = cls(b + i * size);

		if (c >= 0)
			s[ns++] = (struct slot){ c, i };
	}
	/* The slots of each class together, in list order. */
	qsort(s, ns, sizeof *s, by_class);
	tmp = xcalloc(ns + 1, size);
	for (size_t i = 0, j; i < ns; i = j) {
		for (j = i; j < ns && s[j].cls == s[i].cls; j++)
			memcpy(tmp + (j - i) * size, b + s[j].at * size, size);
		qsort(tmp, j - i, size, cmp);
		for (size_t k = i; k < j; k++)
			memcpy(b + s[k].at * size, tmp + (k - i) * size, size);
	}
	free(tmp);
	free(s);
}
