/* Baskets: netting, grouping of scattered lines, weights, rows, itemsets
 * against a brute-force count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "xsell.h"
#include "intern.h"
#include "baskets.h"
#include "pairs.h"

#define U UINT32_MAX

static struct isets found;

static void
collect(void *ctx, const uint32_t *set, int k, uint64_t w)
{
	(void)ctx;
	isets_add(&found, set, k, w);
}

static int
basket_is(const struct baskets *b, uint32_t k, const uint32_t *want, uint32_t n)
{
	if (b->start[k + 1] - b->start[k] != n)
		return 0;
	return memcmp(b->item + b->start[k], want, n * sizeof *want) == 0;
}

int
main(void)
{
	struct baskets b;
	struct bsk_stats st;
	struct bkeys keys;
	uint64_t cnt[8], n, w[3] = { 1, 5, 0 }, row[8] = { 0 };
	uint32_t touched[8], label[8] = { 7, 6, 5, 4, 3, 2, 1, 0 };
	uint32_t b0[] = { 5, 6, 7 }, b1[] = { 4, 6 };
	size_t nt;
	int same;

	/* Basket 0: items 0 1 2 (with 1 twice); basket 1: 1 3, 2 returned;
	 * basket 0 again after basket 1: its lines were not together. */
	bsk_init(&b);
	bsk_add(&b, 0, 0, 1);
	bsk_add(&b, 0, 1, 1);
	bsk_add(&b, 1, 1, 2);
	bsk_add(&b, 1, 2, 1);
	bsk_add(&b, 1, 3, 1);
	bsk_add(&b, 1, 2, -1);
	bsk_add(&b, 0, 2, 1);
	bsk_add(&b, 0, 1, 1);
	bsk_add(&b, 2, 4, 1);
	bsk_add(&b, 2, 4, -1);
	ok(!b.grouped, "lines of basket 0 apart: not grouped");
	bsk_build(&b, label, 8, NULL, 0, &st);
	ok(b.nb == 2 && st.empty == 1, "two baskets, one netted to nothing");
	ok(basket_is(&b, 0, b0, 3), "basket 0: relabelled, sorted, once each");
	ok(basket_is(&b, 1, b1, 2), "basket 1: the returned item is gone");
	n = bsk_count(&b, cnt);
	ok(n == 2 && cnt[6] == 2 && cnt[5] == 1 && cnt[3] == 0, "counts");
	bsk_index(&b);
	nt = bsk_row(&b, 6, 0, row, touched);
	ok(nt == 3 && row[7] == 1 && row[5] == 1 && row[4] == 1 && row[6] == 0,
	    "row of 6: 7, 5, 4 once each");
	bsk_row_clear(row, touched, nt);
	nt = bsk_row(&b, 6, 1, row, touched);
	ok(nt == 1 && row[7] == 1, "upper row of 6: only 7");
	bsk_row_clear(row, touched, nt);
	bsk_free(&b);

	/* Grouped lines, relabelled: each basket sorted again. */
	bsk_init(&b);
	bsk_add(&b, 0, 0, 1);
	bsk_add(&b, 0, 2, 1);
	bsk_add(&b, 0, 1, 1);
	bsk_add(&b, 1, 3, 1);
	bsk_add(&b, 1, 1, 1);
	ok(b.grouped, "each basket's lines together: grouped");
	bsk_build(&b, label, 8, NULL, 0, &st);
	ok(st.runs == 2 && b.nb == 2, "two runs, two baskets");
	ok(basket_is(&b, 0, b0, 3) && basket_is(&b, 1, b1, 2),
	    "relabelled and sorted");
	bsk_prune(&b, (uint32_t[]){ U, U, U, U, U, U, 1, 2 }, 3, 2);
	ok(b.nb == 1 && b.nitems == 3, "pruned to items 6, 7, renamed 1, 2");
	bsk_index_upper(&b);
	nt = bsk_row_upper(&b, 1, row, touched);
	ok(nt == 1 && touched[0] == 2 && row[2] == 1, "upper row of 1: 2 once");
	bsk_row_clear(row, touched, nt);
	bsk_free(&b);

	/* Weights, and the size limit. */
	bsk_init(&b);
	bsk_add(&b, 0, 0, 1);
	bsk_add(&b, 0, 1, 1);
	bsk_add(&b, 1, 0, 1);
	bsk_add(&b, 1, 1, 1);
	bsk_add(&b, 2, 0, 1);
	bsk_add(&b, 2, 1, 1);
	bsk_build(&b, NULL, 2, w, 0, &st);
	ok(b.nb == 2 && st.weightless == 1, "a weight of 0 drops the basket");
	n = bsk_count(&b, cnt);
	ok(n == 6 && cnt[0] == 6, "weights add up");
	bsk_free(&b);
	bsk_init(&b);
	bsk_add(&b, 0, 0, 1);
	bsk_add(&b, 0, 1, 1);
	bsk_add(&b, 0, 2, 1);
	bsk_add(&b, 1, 0, 1);
	bsk_build(&b, NULL, 3, NULL, 2, &st);
	ok(b.nb == 1 && st.big == 1, "--max-basket 2 skips the basket of 3");
	bsk_free(&b);

	/* Basket keys: dense ids, the same id when a key comes back, equal
	 * hashes told apart by the strings. */
	bkeys_init(&keys);
	ok(bkeys_id(&keys, "o1", 2, 11) == 0, "first key");
	ok(bkeys_id(&keys, "o2", 2, 22) == 1, "second key");
	ok(bkeys_id(&keys, "o3", 2, 11) == 2, "third key, the hash of o1");
	ok(bkeys_id(&keys, "o1", 2, 11) == 0, "o1 again: its id");
	ok(bkeys_id(&keys, "o3", 2, 11) == 2, "o3 again: its id");
	same = 1;
	for (uint32_t k = 0; k < 100000; k++) {
		char s[16];
		int n = snprintf(s, sizeof s, "k%u", k);

		if (bkeys_id(&keys, s, (size_t)n, xs_hash(s, (size_t)n)) != k + 3)
			same = 0;
	}
	for (uint32_t k = 0; k < 100000; k += 7) {
		char s[16];
		int n = snprintf(s, sizeof s, "k%u", k);

		if (bkeys_id(&keys, s, (size_t)n, xs_hash(s, (size_t)n)) != k + 3)
			same = 0;
	}
	ok(same, "100000 keys keep their ids across growth");
	is_str(keys.pool.s + keys.off[2], "o3", "keys are kept as given");
	bkeys_free(&keys);

	/* Itemsets against brute force on random baskets. */
	bsk_init(&b);
	srand(3);
	for (uint32_t k = 0; k < 400; k++) {
		int m = 1 + rand() % 6;

		for (int i = 0; i < m; i++)
			bsk_add(&b, k, (uint32_t)(rand() % 8), 1);
	}
	bsk_build(&b, NULL, 8, NULL, 0, &st);
	bsk_index(&b);
	isets_init(&found);
	bsk_mine(&b, 20, 4, collect, NULL);
	same = 1;
	for (uint32_t mask = 0; mask < 256; mask++) {
		uint32_t set[8], k = 0;
		uint64_t c = 0;
		size_t at;

		for (uint32_t i = 0; i < 8; i++)
			if (mask >> i & 1)
				set[k++] = i;
		if (k < 2 || k > 4)
			continue;
		for (uint32_t bk = 0; bk < b.nb; bk++) {
			uint32_t hit = 0;

			for (uint32_t p = b.start[bk]; p < b.start[bk + 1]; p++)
				hit += mask >> b.item[p] & 1;
			c += hit == k;
		}
		at = isets_find(&found, set, (int)k);
		if (c >= 20 ? at == SIZE_MAX || found.count[at] != c :
		    at != SIZE_MAX)
			same = 0;
	}
	ok(same, "every itemset of 2-4 items with count >= 20, and only those");
	isets_free(&found);
	bsk_free(&b);
	return tap_done();
}
