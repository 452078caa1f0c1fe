/* Interning: dense ids in order of first sight, stable across growth;
 * short (inline) and long keys, two-step put, reserve, batches, in
 * both layouts. */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "xsell.h"
#include "intern.h"

static void
slots(void (*init)(struct intern *))
{
	struct intern m;
	char s[64];
	int same = 1;
	const char *lng = "a-product-id-longer-than-sixteen-bytes";

	init(&m);
	ok(intern_put(&m, "P1", 2) == 0, "first id is 0");
	ok(intern_put(&m, lng, strlen(lng)) == 1, "long key");
	ok(intern_put(&m, "P1", 2) == 0 && intern_put(&m, lng, strlen(lng)) == 1,
	    "seen keys keep their ids");
	ok(intern_put(&m, "P1\0", 3) == 2, "a NUL byte makes another key");
	ok(intern_put(&m, "", 0) == 3, "the empty key is a key");
	ok(intern_find(&m, "P2", 2) == UINT32_MAX, "find does not add");
	for (int i = 0; i < 100000; i++) {
		int n = snprintf(s, sizeof s, i % 2 ? "sku-%d" :
		    "a-much-longer-sku-number-%d", i);
		uint64_t h = xs_hash(s, (size_t)n);

		intern_prefetch(&m, h);
		if (intern_put_hash(&m, s, (size_t)n, h) != (uint32_t)i + 4)
			same = 0;
	}
	ok(same, "100000 ids are dense and in order");
	same = 1;
	for (int i = 0; i < 100000; i += 7) {
		int n = snprintf(s, sizeof s, i % 2 ? "sku-%d" :
		    "a-much-longer-sku-number-%d", i);
		uint32_t id = intern_find(&m, s, (size_t)n);

		if (id != (uint32_t)i + 4 || strcmp(intern_str(&m, id), s) != 0 ||
		    intern_len(&m, id) != (size_t)n)
			same = 0;
	}
	ok(same, "ids, strings and lengths survive growth");
	same = 1;
	for (int i = 0; i < 100000; i += 13) {
		int n = snprintf(s, sizeof s, i % 2 ? "sku-%d" :
		    "a-much-longer-sku-number-%d", i);
		uint64_t h = xs_hash(s, (size_t)n);

		intern_prefetch(&m, h);
		if (intern_find_hash(&m, s, (size_t)n, h) != (uint32_t)i + 4)
			same = 0;
	}
	ok(same && intern_find_hash(&m, "sku-x", 5, xs_hash("sku-x", 5)) ==
	    UINT32_MAX, "find_hash finds short and long ids, and not others");
	is_str(intern_str(&m, 1), lng, "long key's string");
	intern_free(&m);

	init(&m);
	ok(intern_put(&m, "first", 5) == 0, "an id before the reserve");
	intern_reserve(&m, 50001);
	{
		size_t mask = m.mask;

		same = 1;
		for (int i = 1; i <= 50000; i++) {
			int n = snprintf(s, sizeof s, "r-%d", i);

			if (intern_put(&m, s, (size_t)n) != (uint32_t)i)
				same = 0;
		}
		ok(same && m.mask == mask && m.cap >= 50001, "50000 ids more "
		    "after a reserve: the same ids, no table rebuilt");
	}
	ok(intern_find(&m, "first", 5) == 0 && intern_find(&m, "r-777", 5) == 777,
	    "ids before and after the reserve are found");
	intern_reserve(&m, 10);
	ok(intern_find(&m, "r-50000", 7) == 50000, "a smaller reserve changes "
	    "nothing");
	intern_free(&m);
}


/* A batch resolves in queue order, as the same puts one by one would. */
static void
batch(void (*init)(struct intern *))
{
	struct intern in, one;
	struct intern_batch b;
	char s[64];
	size_t k[300];
	int same = 1;

	init(&in);
	intern_init(&one);
	intern_batch_init(&b, &in);
	intern_put(&in, "known", 5);
	intern_put(&one, "known", 5);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 300; i++) {
			int n = snprintf(s, sizeof s, i % 3 ? "id-%d" :
			    "an-id-longer-than-sixteen-%d", (i * 7 + round * 100) % 350);

			k[i] = intern_batch_add(&b, s, (size_t)n);
			memset(s, 'x', sizeof s);	/* the batch has its copy */
		}
		intern_batch_put(&b);
		for (int i = 0; i < 300; i++) {
			int n = snprintf(s, sizeof s, i % 3 ? "id-%d" :
			    "an-id-longer-than-sixteen-%d", (i * 7 + round * 100) % 350);

			if (intern_batch_id(&b, k[i]) != intern_put(&one, s, (size_t)n) ||
			    strcmp(intern_batch_str(&b, k[i]), s) != 0 ||
			    intern_batch_len(&b, k[i]) != (size_t)n)
				same = 0;
		}
		intern_batch_clear(&b);
	}
	ok(same && in.n == one.n, "batched puts give the ids of puts in order");
	k[0] = intern_batch_add(&b, "new", 3);
	k[1] = intern_batch_again(&b, k[0]);
	k[2] = intern_batch_known(&b, 0);
	k[3] = intern_batch_add(&b, "id-7", 4);
	ok(intern_batch_n(&b) == 4, "four entries queued");
	intern_batch_find(&b);
	ok(intern_batch_id(&b, k[0]) == INTERN_NONE &&
	    intern_batch_id(&b, k[1]) == INTERN_NONE &&
	    intern_batch_id(&b, k[2]) == 0 &&
	    intern_batch_id(&b, k[3]) == intern_find(&in, "id-7", 4),
	    "find: not seen, again, known, seen");
	ok(intern_find(&in, "new", 3) == INTERN_NONE, "find adds nothing");
	intern_batch_put(&b);
	ok(intern_batch_id(&b, k[0]) == in.n - 1 &&
	    intern_batch_id(&b, k[1]) == in.n - 1, "put: again has the id of its entry");
	intern_batch_free(&b);
	intern_free(&one);
	intern_free(&in);
}

int
main(void)
{
	struct intern in;
	char s[32];
	int same = 1, found = 1;

	intern_init(&in);
	ok(intern_put(&in, "P1", 2) == 0, "first id is 0");
	ok(intern_put(&in, "P2", 2) == 1, "second id is 1");
	ok(intern_put(&in, "P1", 2) == 0, "seen string keeps its id");
	ok(intern_put(&in, "", 0) == 2, "empty string is a string");
	ok(intern_find(&in, "P3", 2) == INTERN_NONE, "find does not add");
	for (int i = 0; i < 200000; i++) {
		int n = snprintf(s, sizeof s, "sku-%d", i);

		if (intern_put(&in, s, (size_t)n) != (uint32_t)i + 3)
			same = 0;
	}
	ok(same, "200000 ids are dense and in order");
	for (int i = 0; i < 200000; i += 997) {
		int n = snprintf(s, sizeof s, "sku-%d", i);
		uint32_t id = intern_find(&in, s, (size_t)n);

		if (id != (uint32_t)i + 3 || strcmp(intern_str(&in, id), s) != 0)
			found = 0;
	}
	ok(found, "strings read back after the table grew");
	is_str(intern_str(&in, 1), "P2", "id to string");
	ok(intern_len(&in, 1) == 2, "id to length");
	ok(xs_hash("abc", 3) != xs_hash("abd", 3), "hash tells neighbours apart");
	ok(xs_hash("abc", 3) == xs_hash("abc", 3), "hash is a function");
	intern_free(&in);
	slots(intern_init);
	slots(intern_init_wide);
	batch(intern_init);
	batch(intern_init_wide);
	return tap_done();
}
