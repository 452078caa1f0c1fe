/*
 * period.h: calendar periods in UTC, for contact caps ("at most N offers
 * a week"). A day starts at 00:00 UTC, a week on Monday 00:00 UTC (ISO
 * 8601), a month on its first day at 00:00 UTC.
 */
#ifndef PERIOD_H
#define PERIOD_H

#include <stdint.h>

enum { PERIOD_DAY, PERIOD_WEEK, PERIOD_MONTH };

/* The words for opt_word: "day", "week", "month", NULL. */
extern const char *const period_words[];

/* Start (seconds since the epoch) of the period that contains t. */
int64_t period_start(int period, int64_t t);

#endif
