/* trend.c: events by day or week, for reports. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trend.h"
#include "buf.h"
#include "num.h"

#define DAYS_MAX 62	/* a longer span is shown by week */

void
trend_init(struct trend *t)
{
	memset(t, 0, sizeof *t);
}

void
trend_free(struct trend *t)
{
	free(t->day);
	free(t->n);
	free(t->conv);
	free(t->rev);
	free(t->slot);
	memset(t, 0, sizeof *t);
}

static size_t
day_hash(int64_t d, size_t mask)
{
	uint64_t x = (uint64_t)d * 0x9E3779B97F4A7C15ULL;

	return (size_t)(x >> 32) & mask;
}

static void
rehash(struct trend *t)
{
	size_t n = t->nslot ? 2 * t->nslot : 64;

	free(t->slot);
	t->slot = xcalloc(n, sizeof *t->slot);
	t->nslot = n;
	for (size_t b = 0; b < t->nbin; b++) {
		size_t h = day_hash(t->day[b], n - 1);

		while (t->slot[h])
			h = (h + 1) & (n - 1);
		t->slot[h] = (uint32_t)b + 1;
	}
}

static size_t
bin_of(struct trend *t, int64_t d)
{
	size_t h;

	if (2 * (t->nbin + 1) > t->nslot)
		rehash(t);
	for (h = day_hash(d, t->nslot - 1); t->slot[h];
	    h = (h + 1) & (t->nslot - 1))
		if (t->day[t->slot[h] - 1] == d)
			return t->slot[h] - 1;
	if (t->nbin == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->day = xreallocarray(t->day, t->cap, sizeof *t->day);
		t->n = xreallocarray(t->n, t->cap, sizeof *t->n);
		t->conv = xreallocarray(t->conv, t->cap, sizeof *t->conv);
		t->rev = xreallocarray(t->rev, t->cap, sizeof *t->rev);
	}
	t->day[t->nbin] = d;
	t->n[t->nbin] = t->conv[t->nbin] = t->rev[t->nbin] = 0;
	t->slot[h] = (uint32_t)++t->nbin;
	return t->nbin - 1;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

void
trend_add(struct trend *t, const char *ts, size_t len, double conv,
    double rev)
{
	int64_t s;
	size_t b;

	if (!len || time_parse(ts, len, &s)) {
		t->undated++;
		return;
	}
	b = bin_of(t, floor_div(s, 86400));
	t->n[b]++;
	t->conv[b] += conv;
	t->rev[b] += rev;
}

/* The Monday of a day's week (1970-01-01 was a Thursday). */
static int64_t
monday(int64_t d)
{
	return d - (((d + 3) % 7) + 7) % 7;
}

int
trend_report(const struct trend *t, double mark, const char *markname,
    struct rtable *tab, struct rchart *ch)
{
	static const char *const cols[] = {
		"period", "impressions", "conversions", "acceptance", "revenue"
	}, *const brief[] = { "", "impr", "conv", "accept", "revenue" };
	int64_t lo = INT64_MAX, hi = INT64_MIN, step;
	size_t np, i, shown;
	double *n, *cv, *rv, *x, *y;
	char **lab;
	char tb[NUM_BUF], c[5][40];
	struct buf title;

	for (i = 0; i < t->nbin; i++) {
		lo = t->day[i] < lo ? t->day[i] : lo;
		hi = t->day[i] > hi ? t->day[i] : hi;
	}
	if (t->nbin == 0)
		return 0;
	step = hi - lo + 1 <= DAYS_MAX ? 1 : 7;
	if (step == 7) {
		lo = monday(lo);
		hi = monday(hi);
	}
	np = (size_t)((hi - lo) / step + 1);
	if (np < 2)
		return 0;
	n = xcalloc(np, sizeof *n);
	cv = xcalloc(np, sizeof *cv);
	rv = xcalloc(np, sizeof *rv);
	x = xcalloc(np, sizeof *x);
	y = xcalloc(np, sizeof *y);
	lab = xcalloc(np, sizeof *lab);
	for (i = 0; i < t->nbin; i++) {
		size_t p = (size_t)(((step == 7 ? monday(t->day[i]) : t->day[i]) -
		    lo) / step);

		n[p] += t->n[i];
		cv[p] += t->conv[i];
		rv[p] += t->rev[i];
	}
	buf_init(&title);
	buf_printf(&title, "Acceptance by %s", step == 1 ? "day" : "week "
	    "(weeks start on Monday)");
	if (t->undated)
		buf_printf(&title, "; %llu events without a date left out",
		    (unsigned long long)t->undated);
	rtable_init(tab, buf_str(&title), 5, cols);
	for (int k = 1; k < 5; k++) {
		rtable_numeric(tab, k);
		rtable_brief(tab, k, brief[k]);
	}
	tab->bar = 3;
	shown = 0;
	for (size_t p = 0; p < np; p++) {
		const char *v[5];

		time_fmt((lo + (int64_t)p * step) * 86400, tb);
		tb[10] = '\0';
		lab[p] = xstrdup(tb);
		if (n[p] > 0) {
			x[shown] = (double)p;
			y[shown++] = 100 * cv[p] / n[p];
		}
		if (!rfold_shown(p, np, 10, 10)) {
			if (p == 10) {
				char more[96];

				snprintf(more, sizeof more, "... %zu more %s (the "
				    "--html page charts them all)", np - 20,
				    step == 1 ? "days" : "weeks");
				rtable_note(tab, more);
			}
			continue;
		}
		v[0] = lab[p];
		v[1] = fmt_num(n[p], 15, c[1], sizeof c[1]);
		v[2] = fmt_num(cv[p], 15, c[2], sizeof c[2]);
		v[3] = n[p] > 0 ? fmt_pct(cv[p] / n[p], c[3], sizeof c[3]) : "-";
		snprintf(c[4], sizeof c[4], "%.2f", rv[p]);
		v[4] = c[4];
		rtable_row(tab, v);
	}
	buf_reset(&title);
	buf_printf(&title, "Acceptance by %s (%%)", step == 1 ? "day" : "week");
	rchart_init(ch, CHART_LINES, buf_str(&title));
	rchart_unit(ch, "%");
	rchart_series(ch, "acceptance", shown, x, y);
	rchart_ticks(ch, np, (const char *const *)lab);
	if (!isnan(mark))
		rchart_mark(ch, 100 * mark, markname);
	for (size_t p = 0; p < np; p++)
		free(lab[p]);
	free(lab);
	free(n);
	free(cv);
	free(rv);
	free(x);
	free(y);
	buf_free(&title);
	return 1;
}
