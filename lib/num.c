/* num.c: numbers and dates in and out, comma lists. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xsell.h"
#include "num.h"

static int
isdig(int c)
{
	return c >= '0' && c <= '9';
}

/* Checks the decimal syntax num_parse accepts. */
static int
num_syntax(const char *s, size_t len)
{
	size_t i = 0, d = 0;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	while (i < len && isdig(s[i]))
		i++, d++;
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && isdig(s[i]))
			i++, d++;
	}
	if (!d)
		return 0;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			i++;
		d = 0;
		while (i < len && isdig(s[i]))
			i++, d++;
		if (!d)
			return 0;
	}
	return i == len;
}

static const double p10[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
	1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

/*
 * Clinger's fast path: a decimal of at most 19 digits whose digits make an
 * integer m <= 2^53, scaled by 10^e with |e| <= 22, is m * 10^e or
 * m / 10^-e in one IEEE operation on two exact doubles, so correctly
 * rounded, as strtod would give. 0 when the text is not of that kind (or
 * the compiler evaluates in extra precision).
 */
static int
parse_fast(const char *s, size_t len, double *out)
{
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
	size_t i = 0;
	uint64_t m = 0;
	int nd = 0, e = 0, neg = 0, x = 0, xneg = 0, xd = 0;
	double v;

	if (s[i] == '-' || s[i] == '+')
		neg = s[i++] == '-';
	for (; i < len && isdig(s[i]); i++)
		if (m || s[i] != '0') {
			if (++nd > 19)
				return 0;
			m = m * 10 + (uint64_t)(s[i] - '0');
		}
	if (i < len && s[i] == '.')
		for (i++; i < len && isdig(s[i]); i++) {
			if (m || s[i] != '0') {
				if (++nd > 19)
					return 0;
				m = m * 10 + (uint64_t)(s[i] - '0');
			}
			e--;
		}
	if (i < len) {		/* the exponent, syntax already checked */
		i++;
		if (s[i] == '-' || s[i] == '+')
			xneg = s[i++] == '-';
		for (; i < len; i++) {
			if (++xd > 4)
				return 0;
			x = x * 10 + (s[i] - '0');
		}
		e += xneg ? -x : x;
	}
	if (m == 0) {
		*out = 0;
		return 1;
	}
	if (m > (UINT64_C(1) << 53) || e < -22 || e > 22)
		return 0;
	v = e < 0 ? (double)m / p10[-e] : (double)m * p10[e];
	*out = neg ? -v : v;
	return 1;
#else
	(void)s, (void)len, (void)out;
	return 0;
#endif
}

const char *
num_parse(const char *s, size_t len, double *out)
{
	char small[64], *t, *end;
	double v;

	if (!num_syntax(s, len))
		return "not a number";
	if (parse_fast(s, len, out))
		return NULL;
	t = len < sizeof small ? small : xmalloc(len + 1);
	memcpy(t, s, len);
	t[len] = '\0';
	errno = 0;
	v = strtod(t, &end);
	if (t != small)
		free(t);
	/* Underflow to a tiny or zero value is fine; overflow is not. */
	if (isinf(v) || isnan(v))
		return "out of range";
	*out = v == 0 ? 0 : v;
	return NULL;
}

const char *
num_parse_int(const char *s, size_t len, int64_t *out)
{
	double v;
	const char *err = num_parse(s, len, &v);

	if (err)
		return err;
	if (v != floor(v))
		return "not an integer";
	if (fabs(v) > 9007199254740992.0)
		return "out of range";
	*out = (int64_t)v;
	return NULL;
}

/* "00" to "99": numbers are written two digits a step */
static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Writes the n digits of c, the last at dig[n - 1]. */
static void
put_n_digits(uint64_t c, size_t n, char *dig)
{
	uint32_t w;

	/* the last 8 digits in 32 bits, which divide faster */
	for (; n > 8; n -= 8, c /= 100000000) {
		w = (uint32_t)(c % 100000000);
		for (int i = 0; i < 4; i++, w /= 100)
			memcpy(dig + n - 2 - 2 * i, digit_pairs + 2 * (w % 100), 2);
	}
	for (w = (uint32_t)c; n >= 2; n -= 2, w /= 100)
		memcpy(dig + n - 2, digit_pairs + 2 * (w % 100), 2);
	if (n)
		dig[0] = (char)('0' + w);
}

size_t
num_u64(uint64_t u, char *buf)
{
	size_t n = 1;

	for (uint64_t p = 10; n < 20 && u >= p; p *= 10)
		n++;
	put_n_digits(u, n, buf);
	buf[n] = '\0';
	return n;
}

typedef unsigned __int128 u128;

/* Writes the n digits of c; returns n less its trailing zeros. */
static size_t
put_digits(uint64_t c, size_t n, char *dig)
{
	put_n_digits(c, n, dig);
	while (n > 1 && dig[n - 1] == '0')
		n--;
	dig[n] = '\0';
	return n;
}

/* floor(log10(2^x)) for |x| < 1650, without floating point */
static int
floor_log10_pow2(int x)
{
	int32_t p = x * 78913;

	return p >= 0 ? p >> 18 : -((-p + (1 << 18) - 1) >> 18);
}

/*
 * shortest_digits below, exactly, without printf or strtod, for the
 * non-integers in [1e-10, 1e16): v = M 2^E and N = M 5^q = v 10^q 2^s are
 * 128-bit integers, so rounding v to t significant digits and testing
 * whether that decimal reads back as v (lies within half an ulp of v,
 * ties to even) are integer operations. 0 for any other v.
 *
 * N = d 2^s + low with d < 10^17, so rounding to 17 - k digits divides
 * only d (a 64-bit number) by 10^k, and low breaks the ties: most of a
 * large run's output is these numbers, and a 128-bit division costs
 * more than all the rest.
 */
static size_t
shortest_exact(double v, char *dig, int *exp10)
{
	static const uint64_t ten[] = { 1, 10, 100, 1000000000000000ULL,
	    10000000000000000ULL, 100000000000000000ULL };
	static uint64_t pow5[28];	/* 5^27 < 2^64 */
	int e2, E, q, s;
	uint64_t M, bits, d = 0;
	u128 N = 0, V4, half4, low4, low, lowhalf;

	if (!(v >= 1e-10 && v < 1e16))
		return 0;
	if (!pow5[0]) {
		pow5[0] = 1;
		for (int i = 1; i < 28; i++)
			pow5[i] = pow5[i - 1] * 5;
	}
	/* v is normal here: its bits give M (53 bits) and E */
	memcpy(&bits, &v, sizeof bits);
	M = (bits & ((UINT64_C(1) << 52) - 1)) | (UINT64_C(1) << 52);
	E = (int)((bits >> 52) & 0x7ff) - 1075;
	e2 = E + 53;
	/* log10(v) from the binary exponent, off by one at most: the loop
	 * below puts N / 2^s into [10^16, 10^17). */
	q = 16 - floor_log10_pow2(e2 - 1);
	for (int tries = 0;; tries++) {
		if (q < 1 || q > 27 || tries > 4)
			return 0;
		s = -(E + q);
		if (s < 1 || s > 100)
			return 0;
		N = (u128)M * pow5[q];
		d = (uint64_t)(N >> s);
		if (d < ten[4])
			q++;
		else if (d >= ten[5])
			q--;
		else
			break;
	}
	low = N & (((u128)1 << s) - 1);
	lowhalf = (u128)1 << (s - 1);
	/* In units of 4N: v, and half the gaps to its neighbours (the one
	 * below is half as far when M is a power of two). */
	V4 = N << 2;
	half4 = (u128)pow5[q] << 1;
	low4 = M == (UINT64_C(1) << 52) ? pow5[q] : half4;
	for (int t = 15; t <= 17; t++) {
		int k = 17 - t, ok, up = 0, tie, above;
		uint64_t c, rd;
		u128 C4;

		c = k == 0 ? d : k == 1 ? d / 10 : d / 100;
		rd = d - c * ten[k];
		/* the remainder r = rd 2^s + low against half of 10^k 2^s */
		if (k == 0) {
			above = low > lowhalf;
			tie = low == lowhalf;
		} else {
			above = 2 * rd > ten[k] || (2 * rd == ten[k] && low);
			tie = 2 * rd == ten[k] && !low;
		}
		if (above || (tie && (c & 1)))
			c++;
		C4 = ((u128)c * ten[k]) << (s + 2);
		if (C4 >= V4)
			ok = C4 - V4 < half4 || (C4 - V4 == half4 && !(M & 1));
		else
			ok = V4 - C4 < low4 || (V4 - C4 == low4 && !(M & 1));
		if (!ok)
			continue;
		if (c == ten[t - 12]) {	/* 9.99.. rounded up to 10.0.. */
			c /= 10;
			up = 1;
		}
		*exp10 = 17 - q + up;
		return put_digits(c, (size_t)t, dig);
	}
	return 0;
}

/*
 * Significant digits of v (no leading or trailing zeros) and its decimal
 * exponent, so that v = 0.DIGITS x 10^(exp): the shortest of 15, 16 or 17
 * digits that reads back as v. Any decimal of 15 digits or fewer that reads
 * back is the 15-digit rounding with its trailing zeros removed.
 */
static size_t
shortest_digits(double v, char *dig, int *exp10)
{
	char t[48];
	const char *x;
	int p, e;
	size_t nd;

	for (p = 15; p <= 17; p++) {
		snprintf(t, sizeof t, "%.*e", p - 1, v);
		if (p == 17 || strtod(t, NULL) == v)
			break;
	}
	/* v is finite and positive, so t is d.ddde[+-]X; the bounds below
	 * hold whatever snprintf wrote all the same. */
	nd = 0;
	dig[nd++] = isdig(t[0]) ? t[0] : '0';
	for (x = t + 1; *x && *x != 'e' && nd < 17; x++)
		if (isdig(*x))
			dig[nd++] = *x;
	x = strchr(t, 'e');
	e = x ? atoi(x + 1) : 0;
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	dig[nd] = '\0';
	*exp10 = e + 1;
	return nd;
}

size_t
num_fmt(double v, char *buf)
{
	char dig[24];
	size_t nd, n = 0;
	int e, i;

	/* Not numbers a tool reads back, but never more than NUM_BUF: sums
	 * that overflow are caught where they are made, and what slips
	 * through (rule arithmetic, a statistic of huge values) prints as
	 * printf would. */
	if (isnan(v)) {
		memcpy(buf, "nan", 4);
		return 3;
	}
	if (isinf(v)) {
		memcpy(buf, v < 0 ? "-inf" : "inf", v < 0 ? 5 : 4);
		return v < 0 ? 4 : 3;
	}
	if (v == 0)
		return num_u64(0, buf);
	/* (the cast, not floor(): a call per number of a large run) */
	if (fabs(v) < 9007199254740992.0 && (double)(int64_t)v == v) {
		if (v < 0)
			buf[n++] = '-';
		return n + num_u64((uint64_t)fabs(v), buf + n);
	}
	if (v < 0) {
		buf[n++] = '-';
		v = -v;
	}
	if (!(nd = shortest_exact(v, dig, &e)))
		nd = shortest_digits(v, dig, &e);
	if (e > 21 || e < -5) {
		/* d.ddde+X, as JavaScript writes what fixed notation cannot */
		buf[n++] = dig[0];
		if (nd > 1) {
			buf[n++] = '.';
			memcpy(buf + n, dig + 1, nd - 1);
			n += nd - 1;
		}
		n += (size_t)snprintf(buf + n, NUM_BUF - n, "e%c%d",
		    e - 1 < 0 ? '-' : '+', abs(e - 1));
		return n;
	}
	if (e <= 0) {
		buf[n++] = '0';
		buf[n++] = '.';
		for (i = e; i < 0; i++)
			buf[n++] = '0';
		memcpy(buf + n, dig, nd);
		n += nd;
	} else if ((size_t)e >= nd) {
		memcpy(buf + n, dig, nd);
		n += nd;
		for (i = (int)nd; i < e; i++)
			buf[n++] = '0';
	} else {
		memcpy(buf + n, dig, (size_t)e);
		n += (size_t)e;
		buf[n++] = '.';
		memcpy(buf + n, dig + e, nd - (size_t)e);
		n += nd - (size_t)e;
	}
	buf[n] = '\0';
	return n;
}

void
num_overflow(const char *where, const char *col)
{
	die(XS_INPUT, "%s: column '%s': sum out of range", where, col);
}

/* Is s already what num_fmt would write? Plain decimals of at most 15
 * significant digits without redundant zeros are. */
int
num_canonical(const char *s, size_t len)
{
	size_t i = 0, intd = 0, lead = 0, sig = 0;

	if (!len || len > 30)
		return 0;
	if (s[0] == '-')
		i++;
	if (i < len && s[i] == '0') {
		i++;
		if (i == len)
			return s[0] != '-';
		if (s[i] != '.')
			return 0;
	} else {
		while (i < len && isdig(s[i]))
			i++, intd++;
		if (!intd)
			return 0;
		sig = intd;
	}
	if (i < len && s[i] == '.') {
		size_t fd = 0;

		i++;
		while (i < len && isdig(s[i])) {
			if (!sig && s[i] == '0')
				lead++;
			else
				sig++;
			i++, fd++;
		}
		if (!fd || s[i - 1] == '0')
			return 0;
		if (!intd && lead > 5)
			return 0;
	}
	return i == len && sig <= 15 && intd <= 15;
}

int
num_is_fmt(const char *s, size_t len)
{
	char b[NUM_BUF];
	double v;

	if (num_canonical(s, len))
		return 1;
	if (len >= NUM_BUF || num_parse(s, len, &v))
		return 0;
	return num_fmt(v, b) == len && memcmp(b, s, len) == 0;
}

const char *
num_norm(const char *s, size_t len, char *buf, size_t *outlen)
{
	double v;
	const char *err;

	if (num_canonical(s, len)) {
		memcpy(buf, s, len);
		buf[len] = '\0';
		*outlen = len;
		return NULL;
	}
	if ((err = num_parse(s, len, &v)))
		return err;
	*outlen = num_fmt(v, buf);
	return NULL;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int
digits(const char *s, size_t len, size_t at, size_t n, int *out)
{
	int v = 0;

	if (at + n > len)
		return 0;
	for (size_t i = at; i < at + n; i++) {
		if (!isdig(s[i]))
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

static int
mdays(int y, int m)
{
	static const int md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return md[m - 1];
}

/* The years xsell(7) promises, 1000 to 9999, by the arithmetic above
 * rather than the platform's time_t functions. */
#define TIME_MIN INT64_C(-30610224000)	/* 1000-01-01T00:00:00Z */
#define TIME_MAX INT64_C(253402300799)	/* 9999-12-31T23:59:59Z */

const char *
time_parse(const char *s, size_t len, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, se = 0, oh, om = 0, sign;
	size_t i;
	int64_t t;
	uint64_t u = 0;

	/* the digits' value as they go: epoch seconds need no second pass
	 * (unsigned, as it may wrap on a long run of digits, then unused) */
	for (i = 0; i < len && isdig(s[i]); i++)
		u = u * 10 + (uint64_t)(s[i] - '0');
	/*
	 * Eight digits are ISO 8601's basic YYYYMMDD: 20240101 is a day,
	 * not 1970-08-23 in epoch seconds. Epoch seconds of eight digits
	 * fall in 1970-1973, before any shop's data; others are seconds.
	 */
	if (i == len && len == 8) {
		if (!digits(s, len, 0, 4, &y) || !digits(s, len, 4, 2, &mo) ||
		    !digits(s, len, 6, 2, &d))
			return "not a date";
		if (y < 1000 || mo < 1 || mo > 12 || d < 1 || d > mdays(y, mo))
			return "date out of range";
		*out = days_from_civil(y, mo, d) * 86400;
		return NULL;
	}
	if (i == len && len > 0) {
		if (len > 12 || u > (uint64_t)TIME_MAX)
			return "out of range";
		*out = (int64_t)u;
		return NULL;
	}
	if (!digits(s, len, 0, 4, &y) || len < 10 || s[4] != '-' ||
	    !digits(s, len, 5, 2, &mo) || s[7] != '-' ||
	    !digits(s, len, 8, 2, &d))
		return "not a date";
	if (y < 1000 || mo < 1 || mo > 12 || d < 1 || d > mdays(y, mo))
		return "date out of range";
	i = 10;
	if (i < len && (s[i] == 'T' || s[i] == ' ')) {
		if (!digits(s, len, i + 1, 2, &h) || i + 3 >= len ||
		    s[i + 3] != ':' || !digits(s, len, i + 4, 2, &mi))
			return "not a date";
		i += 6;
		if (i < len && s[i] == ':') {
			if (!digits(s, len, i + 1, 2, &se))
				return "not a date";
			i += 3;
			if (i < len && (s[i] == '.' || s[i] == ',')) {
				size_t f = ++i;

				while (i < len && isdig(s[i]))
					i++;
				if (i == f)
					return "not a date";
			}
		}
		if (h > 23 || mi > 59 || se > 60)
			return "date out of range";
	}
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	if (i < len && s[i] == 'Z') {
		i++;
	} else if (i < len && (s[i] == '+' || s[i] == '-') && i > 10) {
		sign = s[i] == '-' ? -1 : 1;
		if (!digits(s, len, i + 1, 2, &oh))
			return "not a date";
		i += 3;
		if (i < len && s[i] == ':')
			i++;
		if (i < len) {
			if (!digits(s, len, i, 2, &om))
				return "not a date";
			i += 2;
		}
		if (oh > 23 || om > 59)
			return "date out of range";
		t -= sign * (oh * 3600 + om * 60);
	}
	if (i != len)
		return "not a date";
	if (t < TIME_MIN || t > TIME_MAX)
		return "date out of range";
	*out = t;
	return NULL;
}

static void
put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

/* HH:MM:SSZ of the second sec of a day. */
static void
put_hms(char *buf, int64_t sec)
{
	put2(buf, (int)(sec / 3600));
	buf[2] = ':';
	put2(buf + 3, (int)(sec / 60 % 60));
	buf[5] = ':';
	put2(buf + 6, (int)(sec % 60));
	buf[8] = 'Z';
	buf[9] = '\0';
}

size_t
time_fmt(int64_t t, char *buf)
{
	int y, m, d;
	int64_t days, sec;

	/* Years 0 to 9999 as dates (a week's start may be before 1000);
	 * any other t, computed or not, as seconds. */
	if (t < INT64_C(-62167219200) || t > TIME_MAX)
		return (size_t)snprintf(buf, NUM_BUF, "%lld", (long long)t);
	days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	sec = t - days * 86400;
	civil_from_days(days, &y, &m, &d);
	put2(buf, y / 100);
	put2(buf + 2, y % 100);
	buf[4] = '-';
	put2(buf + 5, m);
	buf[7] = '-';
	put2(buf + 8, d);
	buf[10] = 'T';
	put_hms(buf + 11, sec);
	return 20;
}

size_t
time_fmt_after(int64_t t, int64_t prev, char *buf)
{
	int64_t sec = t % 86400;

	if (t < 0 || prev < 0 || t > TIME_MAX || t - sec != prev - prev % 86400)
		return time_fmt(t, buf);
	put_hms(buf + 11, sec);
	return 20;
}

int
list_next(const char **p, const char *end, const char **item, size_t *n)
{
	const char *s = *p, *e;

	for (;;) {
		while (s < end && (*s == ' ' || *s == '\t' || *s == ','))
			s++;
		if (s >= end) {
			*p = s;
			return 0;
		}
		e = memchr(s, ',', (size_t)(end - s));
		if (!e)
			e = end;
		*p = e;
		*item = s;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		*n = (size_t)(e - s);
		return 1;
	}
}
