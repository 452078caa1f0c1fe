/* Dates as shops export them: ISO with what exports add, --date-format. */
#include <string.h>

#include "tap.h"
#include "xsell.h"
#include "num.h"
#include "date.h"

static struct datefmt df;

static const char *
dt(const char *s)
{
	static char b[DATE_WHY + NUM_BUF];
	char why[DATE_WHY];
	int64_t t;
	const char *err = date_parse(&df, s, strlen(s), &t, why);

	if (err) {
		snprintf(b, sizeof b, "%s", err);
		return b;
	}
	time_fmt(t, b);
	return b;
}

int
main(void)
{
	/* ISO 8601 as time_parse has it, and what exports add */
	is_str(dt("2024-01-01 16:13:00 +0100"), "2024-01-01T15:13:00Z",
	    "Shopify: a blank before the offset");
	is_str(dt("2024-01-01 16:13:00 -05:00"), "2024-01-01T21:13:00Z",
	    "a blank before a negative offset with a colon");
	is_str(dt("2024-01-01T16:13:00+01:00"), "2024-01-01T15:13:00Z",
	    "+01:00");
	is_str(dt("2024-01-01T16:13:00+0100"), "2024-01-01T15:13:00Z", "+0100");
	is_str(dt("2024-01-01 16:13:00 UTC"), "2024-01-01T16:13:00Z", " UTC");
	is_str(dt("2024-01-01 16:13:00 gmt"), "2024-01-01T16:13:00Z", " gmt");
	is_str(dt("2024-01-01 16:13:00 Z"), "2024-01-01T16:13:00Z", " Z");
	is_str(dt("2024-01-01T16:13:00z"), "2024-01-01T16:13:00Z", "z");
	is_str(dt("2024-01-01t16:13:00.250Z"), "2024-01-01T16:13:00Z",
	    "t and a fraction");
	is_str(dt("2024-01-01 16:13:00.123456 +0100"), "2024-01-01T15:13:00Z",
	    "a fraction and a blank before the offset");
	is_str(dt("2024/01/05"), "2024-01-05T00:00:00Z", "year first, slashes");
	is_str(dt("2024.01.05 10:00"), "2024-01-05T10:00:00Z",
	    "year first, points");
	is_str(dt("2024-02-30 10:00 UTC"), "date out of range",
	    "out of range with a zone name");
	is_str(dt("2024-01-01 16:13:00 +01x"), "not a date", "junk after");
	is_str(dt("2024-01-01 16:13:00 CET"), "not a date",
	    "zone names other than UTC and GMT");

	/* day first, month first: only with a format, which the reason names */
	is_str(dt("12/01/2010 09:53"), "day or month first: give --date-format "
	    "'%d/%m/%Y %H:%M' or '%m/%d/%Y %H:%M'", "ambiguous");
	is_str(dt("13/01/2010"), "day first: give --date-format '%d/%m/%Y'",
	    "day first");
	is_str(dt("1/13/2010 8:26"), "month first: give --date-format "
	    "'%m/%d/%Y %H:%M'", "month first, one-digit fields");
	is_str(dt("01.02.24 08:26:01"), "day or month first: give --date-format "
	    "'%d.%m.%y %H:%M:%S' or '%m.%d.%y %H:%M:%S'", "points, two-digit "
	    "year, seconds");
	is_str(dt("1/2/2024 8:05 PM"), "day or month first: give --date-format "
	    "'%d/%m/%Y %I:%M %p' or '%m/%d/%Y %I:%M %p'", "AM/PM");
	is_str(dt("13/13/2010"), "not a date", "no month");
	is_str(dt("12/01/201"), "not a date", "three-digit year");

	/* --date-format */
	df.fmt[df.n++] = "%d/%m/%Y %H:%M";
	is_str(dt("12/01/2010 09:53"), "2010-01-12T09:53:00Z", "day first");
	is_str(dt("1/2/2010 8:05"), "2010-02-01T08:05:00Z", "one digit fields");
	is_str(dt("1/2/2010"), "2010-02-01T00:00:00Z", "the date alone");
	is_str(dt("2010-02-01T08:05:00Z"), "2010-02-01T08:05:00Z",
	    "ISO still read");
	is_str(dt("31/02/2010 08:00"), "date out of range", "31 February");
	is_str(dt("1/13/2010 8:26"), "month first: give --date-format "
	    "'%m/%d/%Y %H:%M'", "month first with a day-first format: the one "
	    "that reads it");
	is_str(dt("01/02/2010 08:00:00"), "day or month first: give "
	    "--date-format '%d/%m/%Y %H:%M:%S' or '%m/%d/%Y %H:%M:%S'",
	    "seconds the format lacks");
	is_str(dt("1/2/2010 8"), "not a date, nor in the --date-format given",
	    "a short time");
	df.n = 0;
	df.fmt[df.n++] = "%m/%d/%y %I:%M %p";
	df.fmt[df.n++] = "%b %d, %Y";
	is_str(dt("12/31/99 11:59 PM"), "1999-12-31T23:59:00Z", "two-digit year, 12-hour clock");
	is_str(dt("1/1/24 12:00 am"), "2024-01-01T00:00:00Z", "12 am");
	is_str(dt("1/1/24 12:30 p.m."), "2024-01-01T12:30:00Z", "12:30 p.m.");
	is_str(dt("Sept 5, 2024"), "2024-09-05T00:00:00Z",
	    "the second format, a month name");
	is_str(dt("march 5, 2024"), "2024-03-05T00:00:00Z", "a full name");
	df.n = 0;
	df.fmt[df.n++] = "%d.%m.%Y %H:%M:%S %z";
	is_str(dt("05.01.2024 10:00:00.5 +0100"), "2024-01-05T09:00:00Z",
	    "a fraction and an offset");
	df.fmt[0] = "%Y%m%d %H%M %Z";
	is_str(dt("20240105 1000 UTC"), "2024-01-05T10:00:00Z",
	    "digits run together, a zone name");

	/* the patterns */
	ok(date_fmt_check("%d/%m/%Y %H:%M") == NULL, "a good pattern");
	is_str(date_fmt_check("%d/%m %H:%M"), "needs a year (%Y or %y), a "
	    "month (%m or %b) and a day (%d)", "no year");
	is_str(date_fmt_check("%d/%m/%Y %q"), "unknown conversion (%Y %y %m "
	    "%d %b %H %I %M %S %p %z %Z)", "an unknown conversion");
	is_str(date_fmt_check("%d/%m/%Y %"), "ends in %", "a lone percent sign");
	is_str(date_fmt_check("%d/%m/%Y %I:%M"), "%I and %p go together",
	    "a 12-hour clock without AM or PM");
	return tap_done();
}
