/* Pair and itemset count tables against a plain array, across growth. */
#include <stdio.h>
#include <stdlib.h>

#include "tap.h"
#include "pairs.h"

int
main(void)
{
	struct pairs t;
	struct isets s;
	static uint64_t want[300][300];
	int same = 1, n = 0;
	uint32_t a3[3] = { 1, 5, 9 }, b3[3] = { 1, 5, 10 }, a1[1] = { 5 };
	size_t i;

	pairs_init(&t);
	srand(7);
	for (int k = 0; k < 200000; k++) {
		uint32_t a = (uint32_t)rand() % 300, b = (uint32_t)rand() % 300;

		if (a == b)
			continue;
		*pairs_at(&t, a, b) += 3;
		want[a < b ? a : b][a < b ? b : a] += 3;
	}
	for (uint32_t a = 0; a < 300; a++)
		for (uint32_t b = a + 1; b < 300; b++) {
			n += want[a][b] != 0;
			if (pairs_get(&t, a, b) != want[a][b] ||
			    pairs_get(&t, b, a) != want[a][b])
				same = 0;
		}
	ok(same, "200000 increments over 300 ids agree, either order");
	ok(t.n == (size_t)n, "one entry a distinct pair (%d)", n);
	ok(t.n * 10 <= t.cap * 7, "load stays at or under 0.7");
	ok(pairs_key(9, 2) == ((uint64_t)2 << 32 | 9), "key is low id first");
	{
		char k[32];

		snprintf(k, sizeof k, "%llx", (unsigned long long)pairs_key(1, 0));
		is_str(k, "1", "key of {0, 1}");
	}
	pairs_free(&t);

	isets_init(&s);
	i = isets_put(&s, a3, 3);
	s.count[i] += 4;
	ok(isets_put(&s, a3, 3) == i, "the same set has the same index");
	ok(isets_find(&s, b3, 3) == SIZE_MAX, "another set is absent");
	ok(isets_find(&s, a3, 2) == SIZE_MAX, "a prefix is another set");
	i = isets_put(&s, a1, 1);
	ok(isets_find(&s, a1, 1) == i && s.count[i] == 0, "singleton, count 0");
	for (uint32_t k = 0; k < 50000; k++) {
		uint32_t v[2] = { k, k + 1 };

		isets_add(&s, v, 2, k);
	}
	same = 1;
	for (uint32_t k = 0; k < 50000; k++) {
		uint32_t v[2] = { k, k + 1 };
		size_t j = isets_find(&s, v, 2);

		if (j == SIZE_MAX || s.count[j] != k || isets_items(&s, j)[1] != k + 1)
			same = 0;
	}
	ok(same, "50000 sets survive growth with their counts and items");
	ok(s.count[isets_find(&s, a3, 3)] == 4, "the first set kept its count");
	ok(isets_add(&s, a3, 3, UINT64_MAX - 4) && !isets_add(&s, a3, 3, 1),
	    "isets_add reports overflow");
	isets_free(&s);
	return tap_done();
}
