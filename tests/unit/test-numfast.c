/*
 * The fast paths of num_parse (Clinger) and num_fmt (exact 128-bit
 * shortest digits) against the plain ones they stand in for: strtod, and
 * the shortest of printf's 15, 16 or 17 digits that strtod reads back.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "xsell.h"
#include "num.h"

/* num_fmt as it was before the fast path, for non-integers. */
static void
ref_fmt(double v, char *buf)
{
	char t[48], dig[24];
	int p, e, neg = v < 0;
	size_t nd = 0, n = 0;

	if (neg)
		v = -v;
	for (p = 15; p <= 17; p++) {
		snprintf(t, sizeof t, "%.*e", p - 1, v);
		if (p == 17 || strtod(t, NULL) == v)
			break;
	}
	dig[nd++] = t[0];
	for (const char *q = t + 2; *q != 'e'; q++)
		dig[nd++] = *q;
	e = atoi(strchr(t, 'e') + 1) + 1;
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	if (neg)
		buf[n++] = '-';
	if (e > 21 || e < -5) {
		buf[n++] = dig[0];
		if (nd > 1) {
			buf[n++] = '.';
			memcpy(buf + n, dig + 1, nd - 1);
			n += nd - 1;
		}
		snprintf(buf + n, 16, "e%c%d", e - 1 < 0 ? '-' : '+', abs(e - 1));
		return;
	}
	if (e <= 0) {
		buf[n++] = '0';
		buf[n++] = '.';
		for (int i = e; i < 0; i++)
			buf[n++] = '0';
		memcpy(buf + n, dig, nd);
		n += nd;
	} else if ((size_t)e >= nd) {
		memcpy(buf + n, dig, nd);
		n += nd;
		for (int i = (int)nd; i < e; i++)
			buf[n++] = '0';
	} else {
		memcpy(buf + n, dig, (size_t)e);
		n += (size_t)e;
		buf[n++] = '.';
		memcpy(buf + n, dig + e, nd - (size_t)e);
		n += nd - (size_t)e;
	}
	buf[n] = '\0';
}

static uint64_t rng = 88172645463325252ULL;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int bad_fmt, bad_parse;

static void
check_fmt(double v)
{
	char a[NUM_BUF], b[64];

	if (!isfinite(v) || v == floor(v))
		return;
	num_fmt(v, a);
	ref_fmt(v, b);
	if (strcmp(a, b) != 0 && bad_fmt++ < 5)
		printf("# num_fmt(%.17g): %s, reference %s\n", v, a, b);
}

static void
check_parse(const char *s)
{
	double v = 0, r = strtod(s, NULL);

	if (r == 0)
		r = 0;
	if ((num_parse(s, strlen(s), &v) || memcmp(&v, &r, sizeof v) != 0) &&
	    bad_parse++ < 5)
		printf("# num_parse(%s): %.17g, strtod %.17g\n", s, v, r);
}

int
main(void)
{
	char s[64];
	long n = 0;

	/* Random bit patterns over the fast range and beyond it. */
	for (int i = 0; i < 1000000; i++) {
		double v;
		uint64_t u = next();

		u = (u & 0x800FFFFFFFFFFFFFULL) |
		    ((uint64_t)(1023 - 40 + next() % 100) << 52);
		memcpy(&v, &u, sizeof v);
		check_fmt(v);
		n++;
	}
	/* Results of arithmetic, the kind scores are. */
	for (int i = 0; i < 500000; i++) {
		double a = (double)(next() % 100000) / 10000;
		double b = (double)(next() % 997 + 1) / 1000;

		check_fmt(a * b + 0.1);
		check_fmt(a / (1 + a) * 0.2 + b * 0.3);
		check_fmt(a / b);
		n += 3;
	}
	/* Short decimals, powers of two and ten and their neighbours. */
	for (int k = -34; k <= 54; k++) {
		double p = ldexp(1, k);

		check_fmt(p);
		check_fmt(nextafter(p, 0));
		check_fmt(nextafter(p, 1e300));
		n += 3;
	}
	for (int k = -10; k <= 16; k++) {
		double p = pow(10, k);

		check_fmt(p);
		check_fmt(nextafter(p, 0));
		check_fmt(nextafter(p, 1e300));
		n += 3;
	}
	for (int i = 0; i < 300000; i++) {
		int d = 1 + (int)(next() % 17), e = (int)(next() % 30) - 15;
		uint64_t m = next() % 100000000000000000ULL;

		snprintf(s, sizeof s, "%llue%d", (unsigned long long)(m %
		    (uint64_t)pow(10, d)), e);
		check_fmt(strtod(s, NULL));
		n++;
	}
	ok(bad_fmt == 0, "num_fmt agrees with printf and strtod on %ld values",
	    n);
	check_fmt(0.1 + 0.2);
	check_fmt(1.0 / 3);
	check_fmt(9007199254740991.5);
	ok(bad_fmt == 0, "and on the classics");

	n = 0;
	for (int i = 0; i < 500000; i++) {
		int d = 1 + (int)(next() % 20), f = (int)(next() % (d + 1));
		char dig[32];
		uint64_t m = next();

		for (int k = 0; k < d; k++, m /= 10)
			dig[k] = (char)('0' + m % 10);
		dig[d] = '\0';
		snprintf(s, sizeof s, "%s%.*s%s%.*s", next() % 4 ? "" : "-",
		    d - f, dig, f ? "." : "", f, dig + d - f);
		if (s[0] == '.' || (s[0] == '-' && s[1] == '.'))
			continue;
		check_parse(s);
		if (next() % 3 == 0) {
			size_t l = strlen(s);

			snprintf(s + l, sizeof s - l, "e%d", (int)(next() % 60) - 30);
			check_parse(s);
		}
		n++;
	}
	check_parse("0.30000000000000004");
	check_parse("9007199254740993");
	check_parse("1e22");
	check_parse("1e23");
	check_parse("-0.0");
	check_parse("000000000000000000000000123.5");
	check_parse("1e-99999");
	check_parse(".5");
	check_parse("5.");
	ok(bad_parse == 0, "num_parse agrees with strtod on %ld decimals", n);
	return tap_done();
}
