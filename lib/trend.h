/*
 * trend.h: events over time for a report. Each event is counted in its
 * day; the report shows days when the events span at most 62 days, else
 * weeks (Monday to Sunday), as a table and a line chart of acceptance.
 * Memory grows with the days that have events.
 */
#ifndef TREND_H
#define TREND_H

#include "report.h"
#include "xsell.h"

struct trend {
	int64_t *day;		/* bin -> day number since 1970-01-01 */
	double *n, *conv, *rev;	/* bin -> events, conversions, revenue */
	size_t nbin, cap;
	uint32_t *slot;		/* open addressing: bin + 1, 0 empty */
	size_t nslot;
	uint64_t undated;	/* events without a usable ts */
};

void trend_init(struct trend *t);
void trend_free(struct trend *t);
/* An event at the timestamp ts[0..len) (empty or not a date: undated). */
void trend_add(struct trend *t, const char *ts, size_t len, double conv,
    double rev);
/*
 * The periods as a table (the first and last 10 on a text report) and a
 * chart of acceptance in % with the mark (a --min-acceptance, NaN for
 * none) drawn. Returns 0, with nothing made, when there are fewer than
 * two periods: no trend to show.
 */
int trend_report(const struct trend *t, double mark, const char *markname,
    struct rtable *tab, struct rchart *ch);

#endif
