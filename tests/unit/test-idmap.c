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
	is_str(idmap_str(&m, 1), lng, "long key's string");
	idmap_free(&m);
	return tap_done();
}
