/* period: calendar periods in UTC; weeks start on Monday. */
#include <string.h>

#include "period.h"
#include "tap.h"
#include "xsell.h"
#include "num.h"

static const char *
start(int period, const char *when)
{
	static char out[NUM_BUF];
	int64_t t;

	if (time_parse(when, strlen(when), &t))
		return "bad time";
	time_fmt(period_start(period, t), out);
	return out;
}

int
main(void)
{
	is_str(start(PERIOD_DAY, "2025-11-21T13:45:10Z"), "2025-11-21T00:00:00Z",
	    "day");
	is_str(start(PERIOD_DAY, "2025-11-21T00:00:00Z"), "2025-11-21T00:00:00Z",
	    "midnight starts its own day");
	is_str(start(PERIOD_WEEK, "2025-11-21T13:45:10Z"), "2025-11-17T00:00:00Z",
	    "a Friday's week starts on Monday");
	is_str(start(PERIOD_WEEK, "2025-11-23T23:59:59Z"), "2025-11-17T00:00:00Z",
	    "Sunday is the week's last day");
	is_str(start(PERIOD_WEEK, "2025-11-24T00:00:00Z"), "2025-11-24T00:00:00Z",
	    "Monday starts a week");
	is_str(start(PERIOD_WEEK, "1970-01-01T12:00:00Z"), "1969-12-29T00:00:00Z",
	    "the epoch's week began in 1969");
	is_str(start(PERIOD_WEEK, "2021-01-03"), "2020-12-28T00:00:00Z",
	    "weeks cross years");
	is_str(start(PERIOD_MONTH, "2025-11-21T13:45:10Z"), "2025-11-01T00:00:00Z",
	    "month");
	is_str(start(PERIOD_MONTH, "2024-02-29T23:00:00Z"), "2024-02-01T00:00:00Z",
	    "leap day");
	is_str(start(PERIOD_MONTH, "2025-03-01"), "2025-03-01T00:00:00Z",
	    "first of the month");
	/* 1969-07-20T20:17:00Z is -14182980: day 1969-07-20 is day -165,
	 * 1969-07-01 day -184, Monday 1969-07-14 day -171. */
	ok(period_start(PERIOD_DAY, -14182980) == -165 * 86400,
	    "a day before the epoch");
	ok(period_start(PERIOD_MONTH, -14182980) == -184 * 86400,
	    "a month before the epoch");
	ok(period_start(PERIOD_WEEK, -14182980) == -171 * 86400,
	    "a week before the epoch");
	is_str(start(PERIOD_DAY, "2025-11-21T01:00:00+02:00"),
	    "2025-11-20T00:00:00Z", "periods are UTC");
	ok(strcmp(period_words[PERIOD_WEEK], "week") == 0 && !period_words[3],
	    "the words");
	return tap_done();
}
