/*
 * offerperf-internal.h: the state of one offer-performance read-out
 * (struct offerperf), shared by offerperf.c (reading, sums, cells,
 * flags) and offerperf-report.c (the table and the report for people).
 */
#ifndef OFFERPERF_INTERNAL_H
#define OFFERPERF_INTERNAL_H

#include <stdint.h>

#include "audit-internal.h"
#include "buf.h"
#include "intern.h"
#include "offerperf.h"
#include "trend.h"
#include "xsum.h"

#define OFFER_CONF 0.95	/* the level of the acceptance intervals */

struct agg {
	double imps, conv, rev, margin;
	xsum xrev, xmargin;		/* rev and margin exactly: sums of
					 * shards add up to the same bits */
	double dconv, drev, dmargin;	/* --what-if changes */
	int whatif;			/* a scenario applies */
};

/* One (group, candidate) cell; group 0 is the whole when there is no
 * --by. Found through an open-addressing table keyed by both ids. */
struct cell {
	uint32_t g, c;
	struct agg a;
};

/*
 * Events are taken in batches, so that the cache misses of a batch
 * overlap: the slots of its candidates are prefetched (an intern batch),
 * then looked up in order (first sight stays first), then each
 * candidate's sums (dense by candmap id without --by; added in event
 * order, so the sums are the same to the bit) are prefetched, then added
 * to. Event i of the batch is entry i of the candidates' intern batch.
 */
enum { EVBATCH = 32 };
struct evq {
	size_t ctx;		/* the context's entry, for --by type or source */
	uint32_t g;
	int conv;
	double rev, mar;
};

/*
 * The sums while reading, per (group, candmap id) in dense arrays for
 * the first DENSE groups (group 0 is the whole without --by): an event
 * is an index, not a hash probe, and 32 bytes, not a struct agg. A --by
 * with more values than that sends the rest to cell_of.
 */
enum { DENSE = 16, GROUP_OF_LINK = UINT32_MAX };
struct sums {
	double imps, conv;
	xsum rev, margin;
};

/* The sums of the previous batch's events, added while this batch's
 * prefetches land (in event order all the same). */
struct evsum {
	uint32_t g, k;
	int conv;
	xsum rev, mar;
};

struct offerperf {
	struct audit *a;
	const struct audit_opts *opt;
	int by;				/* OFFER_BY_* */
	const struct whatif *whatifs;
	int nwhatif;

	struct cell *cells;
	size_t ncells, cells_cap;
	uint32_t *slots;		/* cell index + 1, 0 empty */
	size_t nslots;
	struct intern groups;
	/* Without --by a candidate has one cell: found by its id, no hashing. */
	uint32_t *cellno;		/* candidate id -> cell index + 1 */
	size_t cellno_cap;
	size_t nretire_all;		/* retire findings over all groups */
	int have_margin;
	double control_events, all_events;
	struct trend trend;		/* impressions by day, for people */

	/*
	 * Candidates of the events: a wide intern map (one cache line a
	 * lookup, the miss started early by a prefetch) in front of the
	 * items table, which is asked only at a candidate's first sight, so
	 * item ids keep their order.
	 */
	struct intern candmap;
	uint32_t *cand_item;		/* candmap id -> item id */
	size_t cand_item_cap;
	struct evq evq[EVBATCH];
	int nevq;
	struct intern_batch cands;	/* in candmap */
	struct intern_batch ctxs;	/* in the items, found, not added */
	struct sums *gsum[DENSE];
	size_t gsum_cap[DENSE];
	struct evsum evprev[EVBATCH];
	int nevprev;
};

void agg_add(struct offerperf *op, struct agg *to, const struct agg *a);
/* The --by word as a group's name says it. */
const char *by_name(struct offerperf *op);

/* offerperf-report.c: the table (TSV, JSON, CSV) with the flags of each
 * row, and the tables and charts for people. */
void offers_write(struct offerperf *op, const struct agg *total,
    const struct agg *ca);
void offer_flags_summary(struct offerperf *op);
void offers_people(struct offerperf *op, const struct agg *total,
    struct agg *ca);

#endif
