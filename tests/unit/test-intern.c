/* Interning: dense ids in order of first sight, stable across growth. */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "xsell.h"

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
	return tap_done();
}
