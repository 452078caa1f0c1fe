/*
 * date.h: dates as shops export them, for xsell-import.
 *
 * time_parse (num.c) reads ISO 8601 and epoch seconds; date_parse reads
 * what exports add to that: a blank before the offset
 * (2024-01-01 16:13:00 +0100, Shopify), a zone name (" UTC", " GMT",
 * " Z"), slashes in a year-first date (2024/01/05), and the forms a
 * merchant names with --date-format ('%d/%m/%Y %H:%M'). Day-first and
 * month-first dates are read only through such a format: 12/01/2010 is
 * the 12th of January or the 1st of December, and the reason date_parse
 * gives says which format would read it.
 */
#ifndef XSELL_DATE_H
#define XSELL_DATE_H

#include <stddef.h>
#include <stdint.h>

#define DATE_MAXFMT 8
#define DATE_WHY 160	/* room for any reason date_parse writes */

/* The --date-format patterns, tried in order after ISO 8601. */
struct datefmt {
	const char *fmt[DATE_MAXFMT];
	int n;
};

/*
 * A pattern for --date-format: NULL when usable, else what is wrong.
 * Conversions: %Y (four digits), %y (two: 00-68 are 2000-2068), %m, %d,
 * %H, %I, %M, %S (one or two digits; %S may have a fraction), %b (a
 * month's English name or its first three letters), %p (AM or PM, with
 * %I), %z (Z, +HH:MM, +HHMM or +HH), %Z (UTC, GMT or Z), %%. A blank
 * matches one or more blanks; any other character itself. Year, month
 * and day are required.
 */
const char *date_fmt_check(const char *fmt);

/*
 * Parses s[0..n) as a date: seconds since the epoch, UTC, in *t. NULL,
 * or the reason: "not a date", "date out of range", or for a day-first or
 * month-first date that no format given reads, which --date-format
 * would (written in why, DATE_WHY bytes).
 */
const char *date_parse(const struct datefmt *df, const char *s, size_t n,
    int64_t *t, char *why);

#endif
