/* idmap: dense ids, short (inline) and long keys, growth, two-step put. */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "xsell.h"
#include "idmap.h"

int
main(void)
{
	struct idmap m;
	char s[64];
	int same = 1;
	const char *lng = "a-product-id-longer-than-sixteen-bytes";

	idmap_init(&m);
	ok(idmap_put(&m, "P1", 2) == 0, "first id is 0");
	ok(idmap_put(&m, lng, strlen(lng)) == 1, "long key");
	ok(idmap_put(&m, "P1", 2) == 0 && idmap_put(&m, lng, strlen(lng)) == 1,
	    "seen keys keep their ids");
	ok(idmap_put(&m, "P1\0", 3) == 2, "a NUL byte makes another key");
	ok(idmap_put(&m, "", 0) == 3, "the empty key is a key");
	ok(idmap_find(&m, "P2", 2) == UINT32_MAX, "find does not add");
	for (int i = 0; i < 100000; i++) {
		int n = snprintf(s, sizeof s, i % 2 ? "sku-%d" :
		    "a-much-longer-sku-number-%d", i);
		uint64_t h = xs_hash(s, (size_t)n);

		idmap_prefetch(&m, h);
		if (idmap_put_hash(&m, s, (size_t)n, h) != (uint32_t)i + 4)
			same = 0;
	}
	ok(same, "100000 ids are dense and in order");
	same = 1;
	for (int i = 0; i < 100000; i += 7) {
		int n = snprintf(s, sizeof s, i % 2 ? "sku-%d" :
		    "a-much-longer-sku-number-%d", i);
		uint32_t id = idmap_find(&m, s, (size_t)n);

		if (id != (uint32_t)i + 4 || strcmp(idmap_str(&m, id), s) != 0 ||
		    idmap_len(&m, id) != (size_t)n)
			same = 0;
	}
	ok(same, "ids, strings and lengths survive growth");
	same = 1;
	for (int i = 0; i < 100000; i += 13) {
		int n = snprintf(s, sizeof s, i % 2 ? "sku-%d" :
		    "a-much-longer-sku-number-%d", i);
		uint64_t h = xs_hash(s, (size_t)n);

		idmap_prefetch(&m, h);
		if (idmap_find_hash(&m, s, (size_t)n, h) != (uint32_t)i + 4)
			same = 0;
	}
	ok(same && idmap_find_hash(&m, "sku-x", 5, xs_hash("sku-x", 5)) ==
	    UINT32_MAX, "find_hash finds short and long ids, and not others");
	is_str(idmap_str(&m, 1), lng, "long key's string");
	idmap_free(&m);

	idmap_init(&m);
	ok(idmap_put(&m, "first", 5) == 0, "an id before the reserve");
	idmap_reserve(&m, 50001);
	{
		size_t mask = m.mask;

		same = 1;
		for (int i = 1; i <= 50000; i++) {
			int n = snprintf(s, sizeof s, "r-%d", i);

			if (idmap_put(&m, s, (size_t)n) != (uint32_t)i)
				same = 0;
		}
		ok(same && m.mask == mask && m.cap >= 50001, "50000 ids more "
		    "after a reserve: the same ids, no table rebuilt");
	}
	ok(idmap_find(&m, "first", 5) == 0 && idmap_find(&m, "r-777", 5) == 777,
	    "ids before and after the reserve are found");
	idmap_reserve(&m, 10);
	ok(idmap_find(&m, "r-50000", 7) == 50000, "a smaller reserve changes "
	    "nothing");
	idmap_free(&m);
	return tap_done();
}
