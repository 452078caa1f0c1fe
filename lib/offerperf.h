/*
 * offerperf.h: offer performance, xsell-audit --events: events (or the
 * partial sums of --counts) to impressions, acceptance with its interval,
 * revenue and margin per candidate, overall or per group (--by), the
 * flags (untracked, retire, unprofitable) as findings, what-if
 * scenarios; written as a table, as partial sums, or for people.
 */
#ifndef OFFERPERF_H
#define OFFERPERF_H

struct audit;

/* --by: what a group is (link: the subject, its candidates the links). */
enum {
	OFFER_BY_NONE = -1, OFFER_BY_CATEGORY, OFFER_BY_CHANNEL, OFFER_BY_TYPE,
	OFFER_BY_SOURCE, OFFER_BY_LINK
};
extern const char *const offer_by_words[];	/* by OFFER_BY_*, NULL-ended */

/* --what-if: acceptance from A (NaN: the current) to B, for one
 * candidate or (id NULL) all. */
struct whatif {
	char *id;
	double from, to;
};

struct offer_opts {
	int by;				/* OFFER_BY_* */
	const struct whatif *whatif;	/* in the order given */
	int nwhatif;
};

/*
 * Reads the side files and the events that a's options name (--catalog,
 * --offers, RELATIONS, --events, --merge) and writes the read-out, or
 * with --counts the partial sums, to a's output. The flags are a's
 * findings, for --fail-on. Unusable input is exit 3.
 */
void offer_perf(struct audit *a, const struct offer_opts *o);

#endif
