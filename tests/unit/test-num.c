/* Numbers, dates and lists: the forms every tool reads and writes. */
#include <math.h>
#include <string.h>

#include "tap.h"
#include "xsell.h"
#include "num.h"

static const char *
fmt(double v)
{
	static char b[NUM_BUF];

	num_fmt(v, b);
	return b;
}

static const char *
norm(const char *s)
{
	static char b[NUM_BUF + 64];
	size_t n;
	const char *err = num_norm(s, strlen(s), b, &n);

	return err ? err : b;
}

static const char *
tm(const char *s)
{
	static char b[NUM_BUF];
	int64_t t;
	const char *err = time_parse(s, strlen(s), &t);

	if (err)
		return err;
	time_fmt(t, b);
	return b;
}

int
main(void)
{
	double v;
	int64_t i;
	const char *p, *item, *end;
	size_t n;
	char got[64];

	/* JavaScript's Number#toString is the model for num_fmt. */
	is_str(fmt(0), "0", "zero");
	is_str(fmt(-0.0), "0", "negative zero prints as 0");
	is_str(fmt(42), "42", "integer");
	is_str(fmt(-7), "-7", "negative integer");
	is_str(fmt(0.1), "0.1", "0.1 is shortest");
	is_str(fmt(0.1 + 0.2), "0.30000000000000004", "17 digits when needed");
	is_str(fmt(1.0 / 3), "0.3333333333333333", "one third");
	is_str(fmt(12.34), "12.34", "two decimals");
	is_str(fmt(1e21), "1e+21", "1e21 in exponent form");
	is_str(fmt(1e20), "100000000000000000000", "1e20 in full");
	is_str(fmt(1e-7), "1e-7", "1e-7 in exponent form");
	is_str(fmt(1e-6), "0.000001", "1e-6 in full");
	is_str(fmt(9007199254740993.0), "9007199254740992", "beyond 2^53");
	is_str(fmt(123456789012345680000.0), "123456789012345680000",
	    "large integer with shortest digits");
	is_str(fmt(-2.5e-10), "-2.5e-10", "small negative");
	is_str(fmt(1.7976931348623157e308), "1.7976931348623157e+308", "max");
	is_str(fmt(-1.7976931348623157e308), "-1.7976931348623157e+308",
	    "-max");
	is_str(fmt(INFINITY), "inf", "infinity");
	is_str(fmt(-INFINITY), "-inf", "minus infinity");
	is_str(fmt(NAN), "nan", "NaN");
	is_str(fmt(-NAN), "nan", "NaN with the sign bit");
	is_str(fmt(4.9406564584124654e-324), "4.94065645841247e-324",
	    "smallest subnormal");
	is_str(fmt(-2.2250738585072014e-308), "-2.2250738585072014e-308",
	    "-smallest normal");
	is_str(fmt(1.7976931348623157e308 * 2), "inf", "a sum that overflows");
	{
		/* Any bit pattern: within NUM_BUF, and a finite one reads back. */
		uint64_t x = 88172645463325252ULL;
		int bad = 0;

		for (int k = 0; k < 300000 && !bad; k++) {
			char b[NUM_BUF + 8];
			double d, w;
			size_t len;

			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			memcpy(&d, &x, sizeof d);
			memset(b, 'Z', sizeof b);
			len = num_fmt(d, b);
			if (len >= NUM_BUF || strlen(b) != len ||
			    memcmp(b + NUM_BUF, "ZZZZZZZZ", 8) != 0)
				bad = 1;
			else if (isfinite(d) && (num_parse(b, len, &w) ||
			    w != d))
				bad = 1;
			else if (!isfinite(d) && strcmp(b, isnan(d) ? "nan" :
			    d < 0 ? "-inf" : "inf") != 0)
				bad = 1;
			if (bad)
				printf("# %016llx: \"%.*s\"\n",
				    (unsigned long long)x, NUM_BUF, b);
		}
		ok(!bad, "300000 random doubles fit and read back");
	}

	ok(!num_parse("12.5", 4, &v) && v == 12.5, "parse decimal");
	ok(!num_parse("-3e2", 4, &v) && v == -300, "parse exponent");
	ok(!num_parse("+1", 2, &v) && v == 1, "parse plus sign");
	ok(!num_parse(".5", 2, &v) && v == 0.5, "parse leading point");
	ok(!num_parse("-0", 2, &v) && v == 0 && !signbit(v), "-0 is 0");
	is_str(num_parse("abc", 3, &v), "not a number", "letters");
	is_str(num_parse("", 0, &v), "not a number", "empty");
	is_str(num_parse("0x10", 4, &v), "not a number", "hex");
	is_str(num_parse("nan", 3, &v), "not a number", "nan");
	is_str(num_parse("inf", 3, &v), "not a number", "inf");
	is_str(num_parse(" 1", 2, &v), "not a number", "leading space");
	is_str(num_parse("1e999", 5, &v), "out of range", "1e999");
	is_str(num_parse("1e", 2, &v), "not a number", "bare exponent");
	is_str(num_parse(".", 1, &v), "not a number", "lone point");
	ok(!num_parse("1e-999", 6, &v) && v == 0, "underflow is zero");
	ok(!num_parse_int("17", 2, &i) && i == 17, "integer");
	is_str(num_parse_int("1.5", 3, &i), "not an integer", "fraction");

	is_str(norm("12.34"), "12.34", "canonical kept");
	is_str(norm("12.340"), "12.34", "trailing zero dropped");
	is_str(norm("007"), "7", "leading zeros dropped");
	is_str(norm("-0"), "0", "-0 normalised");
	is_str(norm("1e3"), "1000", "exponent expanded");
	is_str(norm("+5"), "5", "plus dropped");
	is_str(norm("0.0000001"), "1e-7", "tiny to exponent");
	is_str(norm("1234567890123456789"), "1234567890123456800", "19 digits");
	is_str(norm("x"), "not a number", "bad");
	ok(num_is_fmt("12.5", 4) && num_is_fmt("1e+21", 5) &&
	    num_is_fmt("-2.5e-10", 8) && num_is_fmt("0.30000000000000004", 19) &&
	    num_is_fmt("123456789012345680000", 21), "num_fmt's forms");
	ok(!num_is_fmt("1.10", 4) && !num_is_fmt("1E5", 3) &&
	    !num_is_fmt("007", 3) && !num_is_fmt("-0", 2) &&
	    !num_is_fmt("1e21", 4) && !num_is_fmt("+1", 2) &&
	    !num_is_fmt("12345678901234567891", 20) && !num_is_fmt("", 0) &&
	    !num_is_fmt("inf", 3), "other spellings are not");

	is_str(tm("2024-02-29"), "2024-02-29T00:00:00Z", "date only");
	is_str(tm("2024-02-29T13:05:09Z"), "2024-02-29T13:05:09Z", "UTC");
	is_str(tm("2024-02-29 13:05"), "2024-02-29T13:05:00Z", "space, no secs");
	is_str(tm("2024-03-01T01:00:00+02:00"), "2024-02-29T23:00:00Z", "offset");
	is_str(tm("2024-03-01T01:00:00.123-0130"), "2024-03-01T02:30:00Z",
	    "fraction and compact offset");
	is_str(tm("1700000000"), "2023-11-14T22:13:20Z", "epoch");
	is_str(tm("0"), "1970-01-01T00:00:00Z", "epoch zero");
	is_str(tm("2023-02-29"), "date out of range", "not a leap year");
	is_str(tm("2023-13-01"), "date out of range", "month 13");
	is_str(tm("0999-01-01"), "date out of range", "year 999");
	is_str(tm("99999999999999"), "out of range", "epoch too large");
	is_str(tm("2023-1-1"), "not a date", "short fields");
	is_str(tm("yesterday"), "not a date", "words");
	is_str(tm("2024-01-01T10:00:00Zx"), "not a date", "trailing junk");
	is_str(tm("9999-12-31T23:59:59Z"), "9999-12-31T23:59:59Z", "last second");
	is_str(tm("1969-12-31T23:59:59Z"), "1969-12-31T23:59:59Z",
	    "before 1970");
	is_str(tm("1000-01-01"), "1000-01-01T00:00:00Z", "first day");
	is_str(tm("1000-01-01T00:30:00+01:00"), "date out of range",
	    "an offset that takes it before year 1000");
	is_str(tm("1582-10-10"), "1582-10-10T00:00:00Z", "proleptic Gregorian");
	is_str(tm("1900-02-29"), "date out of range", "1900 is not leap");
	is_str(tm("20240101"), "2024-01-01T00:00:00Z", "YYYYMMDD, not epoch");
	is_str(tm("99991231"), "9999-12-31T00:00:00Z", "YYYYMMDD last day");
	is_str(tm("20240230"), "date out of range", "YYYYMMDD February 30");
	is_str(tm("09991231"), "date out of range", "YYYYMMDD year 999");
	is_str(tm("12345678"), "date out of range", "YYYYMMDD month 56");
	is_str(tm("1234567"), "1970-01-15T06:56:07Z", "seven digits: epoch");
	is_str(tm("123456789"), "1973-11-29T21:33:09Z", "nine digits: epoch");
	{
		char b[NUM_BUF + 8];
		int64_t t, back;
		int bad = 0;

		/* Every day of years 1000-9999 round-trips, at 23:59:59. */
		for (t = INT64_C(-30610224000) + 86399; t <= INT64_C(253402300799);
		    t += 86400) {
			size_t len = time_fmt(t, b);

			if (len != 20 || time_parse(b, len, &back) || back != t) {
				printf("# %lld: %s\n", (long long)t, b);
				bad = 1;
				break;
			}
		}
		ok(!bad, "years 1000-9999 day by day read back");
		memset(b, 'Z', sizeof b);
		ok(time_fmt(INT64_MIN, b) < NUM_BUF && strcmp(b,
		    "-9223372036854775808") == 0 && b[NUM_BUF] == 'Z',
		    "INT64_MIN as its digits");
		ok(time_fmt(INT64_MAX, b) < NUM_BUF && strcmp(b,
		    "9223372036854775807") == 0, "INT64_MAX as its digits");
		is_str((time_fmt(INT64_C(-62167219200), b), b),
		    "0000-01-01T00:00:00Z", "year 0 formats, for computed times");
	}
	{
		/* time_fmt_after writes the time of day alone on the day
		 * before's text: steps over midnight, across the first and the
		 * last day, and out of range must give time_fmt's text */
		static const int64_t ts[] = { 1700006398, 1700006399,
		    1700006400, 1700006400 + 86399, 1700006400 + 3 * 86400,
		    5, 0, 86399, 86400, -1, -86400, -86401, 7,
		    INT64_C(253402300799), INT64_C(253402300799) + 1,
		    INT64_C(253402300799) - 86400, INT64_C(253402300799),
		    INT64_C(253402300799) + 86400, INT64_C(253402300799) + 2 };
		char want[NUM_BUF], got[NUM_BUF];
		size_t wn, gn;
		int bad = 0;

		time_fmt(ts[0], got);
		for (size_t i = 1; i < sizeof ts / sizeof *ts; i++) {
			wn = time_fmt(ts[i], want);
			gn = time_fmt_after(ts[i], ts[i - 1], got);
			if (gn != wn || strcmp(got, want) != 0) {
				printf("# %lld after %lld: %s, not %s\n",
				    (long long)ts[i], (long long)ts[i - 1], got, want);
				bad = 1;
			}
		}
		ok(!bad, "time_fmt_after as time_fmt, over days and ranges");
	}
	is_str(tm("99999999999999999999999"), "out of range",
	    "a long run of digits: out of range");
	is_str(tm("253402300800"), "out of range", "epoch after year 9999");

	p = " a, b ,,c,";
	end = p + strlen(p);
	got[0] = '\0';
	while (list_next(&p, end, &item, &n)) {
		strncat(got, item, n);
		strcat(got, "|");
	}
	is_str(got, "a|b|c|", "list items trimmed, empties skipped");

	return tap_done();
}
