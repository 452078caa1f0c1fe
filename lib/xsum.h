/*
 * xsum.h: sums of doubles that do not depend on the order of addition,
 * so that shards summed apart and then together give the bits one
 * process gives.
 *
 * A value is held as a 128-bit integer in units of 2^-64: exact for
 * every double of magnitude 2^-12 or more (amounts of money, counts),
 * the rest rounded to the unit, each the same way wherever it is added.
 * Integer sums are associative; a sum is read back as the double nearest
 * to it. Sums must stay under 2^62 in magnitude.
 */
#ifndef XSUM_H
#define XSUM_H

#include <math.h>
#include <stdint.h>
#include <string.h>

typedef __int128 xsum;

#define XSUM_MAX 4.611686018427387904e18	/* 2^62 */

/* x in units of 2^-64; |x| < 2^62. */
static inline xsum
xsum_of(double x)
{
	int e, s;
	int64_t m;
	xsum v;

	if (x == 0)
		return 0;
	m = (int64_t)ldexp(frexp(x, &e), 53);	/* x = m 2^(e - 53) */
	s = e + 11;				/* x 2^64 = m 2^s */
	if (s >= 0)
		return (xsum)m * ((xsum)1 << s);
	if (s <= -64)
		return 0;
	/* Below the unit: rounded to nearest, ties away from zero. */
	v = m < 0 ? -(xsum)m : (xsum)m;
	v = (v + ((xsum)1 << (-s - 1))) >> -s;
	return m < 0 ? -v : v;
}

/* The double nearest to the sum. */
static inline double
xsum_double(xsum v)
{
	return ldexp((double)v, -64);
}

/* *to += v; 0 when the sum leaves the range. */
static inline int
xsum_add(xsum *to, xsum v)
{
	return !__builtin_add_overflow(*to, v, to) &&
	    *to < ((xsum)1 << 126) && *to > -((xsum)1 << 126);
}

/* Decimal text of v (room for 41 bytes); returns buf. */
static inline char *
xsum_fmt(xsum v, char *buf)
{
	char tmp[48];
	int n = 0, neg = v < 0;
	unsigned __int128 u = neg ? -(unsigned __int128)v : (unsigned __int128)v;

	do {
		tmp[n++] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u);
	if (neg)
		tmp[n++] = '-';
	for (int i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return buf;
}

/* Reads decimal text of an integer into *v: 0 when it is not one. */
static inline int
xsum_parse(const char *s, size_t n, xsum *v)
{
	size_t i = 0;
	int neg = 0;
	xsum x = 0;

	if (n > 0 && s[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i == n || n - i > 39)
		return 0;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' ||
		    x > (((xsum)1 << 126) - 1) / 10)
			return 0;
		x = x * 10 + (s[i] - '0');
	}
	*v = neg ? -x : x;
	return 1;
}

#endif
