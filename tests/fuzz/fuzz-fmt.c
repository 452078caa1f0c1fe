/* Formatting computed values, not only parsed ones: num_fmt of any
 * double (the input's bytes as bit patterns, and sums, products, squares
 * and quotients of the numbers it holds, which reach infinity, NaN,
 * subnormals and -0) fits NUM_BUF and reads back; time_fmt of any int64
 * likewise; the JSON writer's numeric cells are JSON that reads back to
 * the same text; a score from weights that parse stays in [0, 1]. */
#define _GNU_SOURCE
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "scorer.h"
#include "num.h"
#include "writer.h"

static void
check_num(double v)
{
	/* Exactly NUM_BUF on the heap: one byte past it is an ASan report. */
	char *b = xmalloc(NUM_BUF), n2[NUM_BUF];
	size_t n = num_fmt(v, b), m;
	double w;

	if (n >= NUM_BUF || strlen(b) != n)
		abort();
	if (isfinite(v)) {
		if (num_parse(b, n, &w) || w != v || !num_is_fmt(b, n))
			abort();
		if (num_norm(b, n, n2, &m) || m != n || memcmp(b, n2, n) != 0)
			abort();
	} else if (strcmp(b, isnan(v) ? "nan" : v < 0 ? "-inf" : "inf") != 0 ||
	    !num_parse(b, n, &w) || num_is_fmt(b, n)) {
		abort();
	}
	free(b);
}

/* The value in a numeric column, written as JSON lines and read back
 * by jansson as the tools read it: the same text, as a number or not. */
static void
check_json(double v)
{
	static const char *const cols[] = { "price" };
	char nb[NUM_BUF], *out = NULL;
	char *row[1] = { nb };
	size_t outlen = 0, n = num_fmt(v, nb);
	FILE *fp = open_memstream(&out, &outlen);
	struct writer w;
	json_t *o, *x;
	json_error_t je;

	if (!fp)
		abort();
	writer_open(&w, fp, 1, 1, (char *const *)cols);
	writer_row(&w, row, &n);
	writer_close(&w);
	fclose(fp);
	o = json_loadb(out, outlen, 0, &je);
	if (!o || !(x = json_object_get(o, "price")))
		abort();
	if (json_is_string(x)) {
		if (strcmp(json_string_value(x), nb) != 0)
			abort();
	} else if (json_is_integer(x)) {
		if (!isfinite(v) || (double)json_integer_value(x) != v)
			abort();
	} else if (json_is_real(x)) {
		char back[NUM_BUF];

		num_fmt(json_real_value(x), back);
		if (strcmp(back, nb) != 0)
			abort();
	} else {
		abort();
	}
	json_decref(o);
	free(out);
}

static void
check_time(int64_t t)
{
	char *b = xmalloc(NUM_BUF);
	size_t n = time_fmt(t, b);
	int64_t back;

	if (n >= NUM_BUF || strlen(b) != n)
		abort();
	/* Years 1000 to 9999 read back; a date, or digits, outside them. */
	if (t >= INT64_C(-30610224000) && t <= INT64_C(253402300799) &&
	    (time_parse(b, n, &back) || back != t))
		abort();
	free(b);
}

static void
check_score(const double *v)
{
	struct weights w;
	struct score_parts p;
	double x[NFACTOR], s = 0;
	char msg[128];

	for (int k = 0; k < NFACTOR; k++) {
		if (!(v[k] >= 0 && v[k] <= 1))
			return;
		w.w[k] = v[k];
		x[k] = norm_clamp(v[NFACTOR + k]);
	}
	if (weights_sum_check(w.w, msg, sizeof msg))
		return;
	w.u = 0;
	score_compute(&w, x, NAN, &p);
	for (int k = 0; k <= NFACTOR; k++)
		s += p.contrib[k];
	if (!(p.score >= 0 && p.score <= 1) || s != p.score)
		abort();
	check_num(p.score);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	double v[16], d, sum = 0, sq = 0, prod = 1;
	int nv = 0;
	size_t i = 0;

	xs_die_hook = fuzz_die_hook;
	if (setjmp(fuzz_jmp))
		abort();	/* nothing here may die */
	/* The first bytes as the bits of a double and of an int64. */
	if (size >= 8) {
		uint64_t u;
		int64_t t;

		memcpy(&u, data, 8);
		memcpy(&d, &u, 8);
		memcpy(&t, &u, 8);
		check_num(d);
		check_num(-d);
		check_num(d * d);
		check_num(d + d);
		check_num(1 / d);
		check_num(nextafter(d, INFINITY));
		check_json(d);
		check_time(t);
		check_time(t / 86400 * 86400);
	}
	/* The numbers in the text, split at blanks and commas. */
	while (i < size && nv < 16) {
		size_t j = i;

		while (j < size && s[j] != ',' && s[j] != ' ' && s[j] != '\n')
			j++;
		if (j > i && !num_parse(s + i, j - i, &v[nv]))
			nv++;
		i = j + 1;
	}
	for (int k = 0; k < nv; k++) {
		sum += v[k];
		sq += v[k] * v[k];
		prod *= v[k];
		check_num(v[k]);
		check_num(sum);
		check_num(sq);
		check_num(prod);
		check_num(sq / (k + 1) - (sum / (k + 1)) * (sum / (k + 1)));
		if (k > 0) {
			check_num(v[k] - v[k - 1]);
			check_num(v[k] / v[k - 1]);
			check_num(fma(v[k], v[k - 1], -sum));
		}
		check_json(sum);
		check_json(prod);
	}
	if (nv >= 2 * NFACTOR)
		check_score(v);
	return 0;
}
