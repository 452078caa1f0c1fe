/* date.c: dates as shops export them (see date.h). */
#include <stdio.h>
#include <string.h>

#include "xsell.h"
#include "num.h"
#include "date.h"

static int
isdig(int c)
{
	return c >= '0' && c <= '9';
}

static int
lc(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int
blank(int c)
{
	return c == ' ' || c == '\t';
}

/* Does s[at..) start with word, case aside? */
static int
has_word(const char *s, size_t n, size_t at, const char *word)
{
	size_t k = strlen(word);

	if (at + k > n)
		return 0;
	for (size_t i = 0; i < k; i++)
		if (lc((unsigned char)s[at + i]) != word[i])
			return 0;
	return 1;
}

/*
 * What exports add to ISO 8601, taken away: 2024/01/05 as 2024-01-05, a
 * zone name after the time as Z, the blank before an offset dropped.
 * Writes at most n + 1 bytes to out; returns the length.
 */
static size_t
iso_tidy(const char *s, size_t n, char *out)
{
	static const char *const zones[] = { "utc", "gmt", "z", NULL };
	size_t m = n;

	memcpy(out, s, n);
	if (n >= 10 && (s[4] == '/' || s[4] == '.') && s[7] == s[4] &&
	    isdig(s[0]) && isdig(s[1]) && isdig(s[2]) && isdig(s[3]) &&
	    isdig(s[5]) && isdig(s[6]) && isdig(s[8]) && isdig(s[9]))
		out[4] = out[7] = '-';
	if (m > 10 && (out[10] == 't'))
		out[10] = 'T';
	for (int z = 0; zones[z]; z++) {
		size_t k = strlen(zones[z]);

		if (m > 10 + k && blank(out[m - k - 1]) &&
		    has_word(out, m, m - k, zones[z])) {
			m -= k + 1;
			while (m > 10 && blank(out[m - 1]))
				m--;
			out[m++] = 'Z';
			return m;
		}
	}
	if (m > 10 && out[m - 1] == 'z')
		out[m - 1] = 'Z';
	/* "16:13:00 +0100": the last blank, when an offset follows it */
	for (size_t i = m; i-- > 11;) {
		if (!blank(out[i]))
			continue;
		if (i + 3 <= m && (out[i + 1] == '+' || out[i + 1] == '-') &&
		    isdig(out[i + 2]) && isdig(out[i - 1])) {
			size_t j = i;

			while (j > 10 && blank(out[j - 1]))
				j--;
			memmove(out + j, out + i + 1, m - i - 1);
			m -= i + 1 - j;
		}
		break;
	}
	return m;
}

/* Up to max digits (at least one) at s[*i]: the value, or -1. */
static int
num(const char *s, size_t n, size_t *i, int max)
{
	int v = 0, k = 0;

	while (*i < n && k < max && isdig(s[*i]))
		v = v * 10 + (s[(*i)++] - '0'), k++;
	return k ? v : -1;
}

static const char *const months[] = { "january", "february", "march",
	"april", "may", "june", "july", "august", "september", "october",
	"november", "december" };

/* A month's name or its first three letters ("sept" too): 1-12, or -1. */
static int
month_name(const char *s, size_t n, size_t *i)
{
	for (int m = 0; m < 12; m++) {
		if (has_word(s, n, *i, months[m])) {
			*i += strlen(months[m]);
			return m + 1;
		}
	}
	for (int m = 0; m < 12; m++) {
		char abbr[4];

		memcpy(abbr, months[m], 3);
		abbr[3] = '\0';
		if (has_word(s, n, *i, abbr)) {
			*i += 3;
			if (m == 8 && *i < n && lc((unsigned char)s[*i]) == 't')
				(*i)++;
			if (*i < n && s[*i] == '.')
				(*i)++;
			return m + 1;
		}
	}
	return -1;
}

/* Z, +HH:MM, +HHMM, +HH at s[*i]: the offset in "+HH:MM" or "Z" (out has
 * room for 16 bytes: more than the digits need, so that no compiler warns). */
static int
offset(const char *s, size_t n, size_t *i, char *out)
{
	int h, m = 0;
	char sign;

	if (*i < n && (s[*i] == 'Z' || s[*i] == 'z')) {
		(*i)++;
		memcpy(out, "Z", 2);
		return 1;
	}
	if (*i >= n || (s[*i] != '+' && s[*i] != '-'))
		return 0;
	sign = s[(*i)++];
	if (*i + 2 > n || !isdig(s[*i]) || !isdig(s[*i + 1]))
		return 0;
	h = (s[*i] - '0') * 10 + (s[*i + 1] - '0');
	*i += 2;
	if (*i < n && s[*i] == ':')
		(*i)++;
	if (*i + 2 <= n && isdig(s[*i]) && isdig(s[*i + 1])) {
		m = (s[*i] - '0') * 10 + (s[*i + 1] - '0');
		*i += 2;
	}
	if (h > 23 || m > 59)
		return 0;
	snprintf(out, 16, "%c%02d:%02d", sign, h, m);
	return 1;
}

const char *
date_fmt_check(const char *fmt)
{
	int y = 0, m = 0, d = 0, i12 = 0, p = 0;

	for (const char *f = fmt; *f; f++) {
		if (*f != '%')
			continue;
		switch (*++f) {
		case 'Y': case 'y': y = 1; break;
		case 'm': case 'b': m = 1; break;
		case 'd': d = 1; break;
		case 'I': i12 = 1; break;
		case 'p': p = 1; break;
		case 'H': case 'M': case 'S': case 'z': case 'Z': case '%':
			break;
		case '\0':
			return "ends in %";
		default:
			return "unknown conversion (%Y %y %m %d %b %H %I %M %S "
			    "%p %z %Z)";
		}
	}
	if (!y || !m || !d)
		return "needs a year (%Y or %y), a month (%m or %b) and a day (%d)";
	if (i12 != p)
		return "%I and %p go together";
	return NULL;
}

/* s read with one --date-format pattern, as ISO 8601 in iso. */
static const char *
fmt_parse(const char *fmt, const char *s, size_t n, int64_t *t)
{
	int y = -1, mo = -1, d = -1, h = 0, mi = 0, se = 0, pm = -1, v;
	char off[16] = "Z", iso[80];
	size_t i = 0;
	const char *f;

	for (f = fmt; *f; f++) {
		if (*f == ' ') {
			if (i == n && y >= 0 && mo >= 0 && d >= 0)
				break;	/* a date without its time: midnight */
			if (i >= n || !blank(s[i]))
				return "not a date";
			while (i < n && blank(s[i]))
				i++;
			continue;
		}
		if (*f != '%' || f[1] == '%') {
			f += *f == '%';
			if (i >= n || s[i] != *f)
				return "not a date";
			i++;
			continue;
		}
		switch (*++f) {
		case 'Y': {
			size_t at = i;

			if ((v = num(s, n, &i, 4)) < 0 || i != at + 4)
				return "not a date";
			y = v;
			break;
		}
		case 'y':
			if ((v = num(s, n, &i, 2)) < 0)
				return "not a date";
			y = v < 69 ? 2000 + v : 1900 + v;
			break;
		case 'b':
			if ((mo = month_name(s, n, &i)) < 0)
				return "not a date";
			break;
		case 'p':
			if (has_word(s, n, i, "am") || has_word(s, n, i, "pm")) {
				pm = lc((unsigned char)s[i]) == 'p';
				i += 2;
			} else if (has_word(s, n, i, "a.m.") ||
			    has_word(s, n, i, "p.m.")) {
				pm = lc((unsigned char)s[i]) == 'p';
				i += 4;
			} else {
				return "not a date";
			}
			break;
		case 'z':
			if (!offset(s, n, &i, off))
				return "not a date";
			break;
		case 'Z':
			if (has_word(s, n, i, "utc") || has_word(s, n, i, "gmt"))
				i += 3;
			else if (i < n && (s[i] == 'Z' || s[i] == 'z'))
				i++;
			else
				return "not a date";
			break;
		default:	/* m d H I M S */
			if ((v = num(s, n, &i, 2)) < 0)
				return "not a date";
			switch (*f) {
			case 'm': mo = v; break;
			case 'd': d = v; break;
			case 'H': case 'I': h = v; break;
			case 'M': mi = v; break;
			default:
				se = v;
				if (i + 1 < n && (s[i] == '.' || s[i] == ',') &&
				    isdig(s[i + 1]))
					for (i++; i < n && isdig(s[i]); i++)
						;
			}
		}
	}
	if (i != n || y < 0 || mo < 0 || d < 0)
		return "not a date";
	if (pm >= 0) {
		if (h < 1 || h > 12)
			return "date out of range";
		h = h % 12 + (pm ? 12 : 0);
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    se > 60)
		return "date out of range";
	snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02d%s", y, mo, d,
	    h, mi, se, off);
	return time_parse(iso, strlen(iso), t);
}

/*
 * A day-first or month-first date (12/01/2010, 1.12.2010 08:26,
 * 12-1-10 8:26 PM): which --date-format would read it, in why; NULL for
 * anything else.
 */
static const char *
dmy_reason(const char *s, size_t n, char *why)
{
	size_t i = 0, y0;
	int a, b, yd, colons = 0, ampm = 0;
	char sep, tm[16] = "", df[40], mf[40];

	if ((a = num(s, n, &i, 2)) < 0 || i >= n || !strchr("/.-", s[i]))
		return NULL;
	sep = s[i++];
	if ((b = num(s, n, &i, 2)) < 0 || i >= n || s[i] != sep)
		return NULL;
	y0 = ++i;
	while (i < n && isdig(s[i]))
		i++;
	yd = (int)(i - y0);
	if (yd != 2 && yd != 4)
		return NULL;
	if (i < n && (blank(s[i]) || s[i] == 'T')) {
		char tsep = s[i] == 'T' ? 'T' : ' ';

		while (i < n && (blank(s[i]) || s[i] == 'T'))
			i++;
		if (num(s, n, &i, 2) < 0)
			return NULL;
		while (i < n && s[i] == ':' && colons < 2) {
			i++;
			if (num(s, n, &i, 2) < 0)
				return NULL;
			colons++;
		}
		while (i < n && blank(s[i]))
			i++;
		if (has_word(s, n, i, "am") || has_word(s, n, i, "pm"))
			ampm = 1, i += 2;
		if (!colons)
			return NULL;
		snprintf(tm, sizeof tm, "%c%%%c:%%M%s%s", tsep, ampm ? 'I' : 'H',
		    colons > 1 ? ":%S" : "", ampm ? " %p" : "");
	}
	if (i != n || a < 1 || b < 1 || (a > 12 && b > 12) || a > 31 || b > 31)
		return NULL;
	snprintf(df, sizeof df, "%%d%c%%m%c%%%c%s", sep, sep, yd == 4 ? 'Y' : 'y',
	    tm);
	snprintf(mf, sizeof mf, "%%m%c%%d%c%%%c%s", sep, sep, yd == 4 ? 'Y' : 'y',
	    tm);
	if (a > 12)
		snprintf(why, DATE_WHY, "day first: give --date-format '%s'", df);
	else if (b > 12)
		snprintf(why, DATE_WHY, "month first: give --date-format '%s'", mf);
	else
		snprintf(why, DATE_WHY, "day or month first: give --date-format "
		    "'%s' or '%s'", df, mf);
	return why;
}

/* Is one of the formats given among those why names ('%d/%m/%Y')? */
static int
named(const struct datefmt *df, const char *why)
{
	for (int i = 0; i < df->n; i++) {
		size_t fl = strlen(df->fmt[i]);

		for (const char *p = why; (p = strstr(p, df->fmt[i])); p++)
			if (p > why && p[-1] == '\'' && p[fl] == '\'')
				return 1;
	}
	return 0;
}

const char *
date_parse(const struct datefmt *df, const char *s, size_t n, int64_t *t,
    char *why)
{
	const char *err, *e;
	char b[64];
	size_t m;

	if (!(err = time_parse(s, n, t)))
		return NULL;
	if (n < sizeof b - 1) {
		m = iso_tidy(s, n, b);
		if ((m != n || memcmp(b, s, n) != 0) &&
		    !(e = time_parse(b, m, t)))
			return NULL;
	}
	for (int i = 0; df && i < df->n; i++) {
		if (!(e = fmt_parse(df->fmt[i], s, n, t)))
			return NULL;
		if (strcmp(e, "not a date") != 0)
			err = e;
	}
	/* a month-first date with a day-first format (or the other way
	 * round): the format that would read it, not "out of range" */
	if (df && df->n && dmy_reason(s, n, why) && !named(df, why))
		return why;
	if (strcmp(err, "not a date") != 0)
		return err;
	if (df && df->n)
		return "not a date, nor in the --date-format given";
	return dmy_reason(s, n, why) ? why : err;
}
