/* period.c: calendar periods in UTC. */
#include <stddef.h>

#include "period.h"

const char *const period_words[] = { "day", "week", "month", NULL };

/* Rounds toward minus infinity, for times before 1970. */
static int64_t
floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Days since 1970-01-01 of the first day of the month that holds day d
 * (Howard Hinnant's civil-from-days and days-from-civil). */
static int64_t
month_first(int64_t d)
{
	int64_t z = d + 719468, era = floordiv(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t dom = doy - (153 * mp + 2) / 5;	/* day of month - 1 */

	return d - dom;
}

int64_t
period_start(int period, int64_t t)
{
	int64_t d = floordiv(t, 86400);

	switch (period) {
	case PERIOD_WEEK:
		/* 1970-01-01 was a Thursday: Monday-based weekday (d + 3) mod 7. */
		d -= (d + 3) - floordiv(d + 3, 7) * 7;
		break;
	case PERIOD_MONTH:
		d = month_first(d);
		break;
	}
	return d * 86400;
}
