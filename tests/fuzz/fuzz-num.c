/* Number, date and option parsers: no crash, and what they accept reads
 * back to the same value. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "num.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char buf[NUM_BUF], buf2[NUM_BUF], *z;
	double v, w;
	int64_t t, t2;
	size_t n;
	static const char *const words[] = { "day", "week", "month", NULL };

	xs_die_hook = fuzz_die_hook;
	if (!num_parse(s, size, &v)) {
		if (!isfinite(v))
			abort();
		n = num_fmt(v, buf);
		if (num_parse(buf, n, &w) || w != v)
			abort();
		if (num_norm(s, size, buf2, &n) || strcmp(buf, buf2) != 0)
			abort();
	} else if (!num_norm(s, size, buf, &n)) {
		abort();	/* norm accepted what parse refused */
	}
	if (!num_parse_int(s, size, &t) && (num_parse(s, size, &v) || v != (double)t))
		abort();
	if (!time_parse(s, size, &t)) {
		n = time_fmt(t, buf);
		if (time_parse(buf, n, &t2) || t2 != t)
			abort();
	}
	z = xmemdup(s, size);
	if (!setjmp(fuzz_jmp))
		opt_num("--x", z, -1e9, 1e9);
	if (!setjmp(fuzz_jmp))
		opt_int("--n", z, 0, 1000);
	if (!setjmp(fuzz_jmp))
		opt_word("--period", z, words);
	free(z);
	return 0;
}
