/* Option values with their own syntax: --weights (weights_parse), the
 * uplift --segment-by spec (uplift_spec_add) and calendar periods of the
 * contact caps (period_start). No crash; what weights_parse accepts is in
 * range and sums to 1; a spec's canonical text parses back to the same
 * text; a period starts at or before t, and the start's period is itself. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "scorer.h"
#include "uplift.h"
#include "period.h"
#include "buf.h"

static void
weights(const char *s)
{
	struct weights w = { { 0 }, 0.5 };
	struct weights w2 = { { 0 }, 0 };
	char msg[256], text[256];
	double sum = 0;

	if (weights_parse(s, &w, msg, sizeof msg)) {
		if (!msg[0])
			abort();	/* a refusal says why */
		return;
	}
	if (w.u != 0.5)
		abort();	/* the uplift weight is kept */
	for (int i = 0; i < NFACTOR; i++) {
		if (!(w.w[i] >= 0 && w.w[i] <= 1))
			abort();
		sum += w.w[i];
	}
	if (fabs(sum - 1) > 1e-6)
		abort();
	snprintf(text, sizeof text, "P=%.17g,R=%.17g,I=%.17g,E=%.17g",
	    w.w[F_P], w.w[F_R], w.w[F_I], w.w[F_E]);
	if (weights_parse(text, &w2, msg, sizeof msg) ||
	    memcmp(w.w, w2.w, sizeof w.w) != 0)
		abort();
}

static void
spec(const char *s)
{
	struct uplift_spec a, b;
	struct buf t1, t2;

	uplift_spec_init(&a);
	uplift_spec_init(&b);
	buf_init(&t1);
	buf_init(&t2);
	if (!uplift_spec_add(&a, s)) {
		uplift_spec_text(&a, &t1);
		buf_putc(&t1, '\0');
		if (uplift_spec_add(&b, t1.s))
			abort();
		uplift_spec_text(&b, &t2);
		buf_putc(&t2, '\0');
		if (strcmp(t1.s, t2.s) != 0)
			abort();
		for (int i = 0; i < a.ncols; i++)
			for (int k = 0; k < a.col[i].nedges; k++)
				if (uplift_band(&a.col[i], a.col[i].edges[k]) != k + 1)
					abort();
	}
	buf_free(&t1);
	buf_free(&t2);
	uplift_spec_free(&a);
	uplift_spec_free(&b);
}

static void
period(const uint8_t *data, size_t size)
{
	int64_t t, s;

	if (size < 9)
		return;
	memcpy(&t, data + 1, sizeof t);
	/* the dates time_parse accepts: years 1970 to 9999 */
	t = (int64_t)((uint64_t)t % 253402300800ULL);
	for (int p = PERIOD_DAY; p <= PERIOD_MONTH; p++) {
		s = period_start(p, t);
		if (s > t || t - s > 31 * 86400 || period_start(p, s) != s)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xmemdup((const char *)data, size);

	xs_die_hook = fuzz_die_hook;
	if (!setjmp(fuzz_jmp)) {
		weights(s);
		spec(s);
		period(data, size);
	}
	free(s);
	return 0;
}
