/*
 * baskets.h: market baskets for association mining. Order lines go in as
 * (basket, item, quantity) in any order; out come baskets as
 * duplicate-free item lists (quantities netted per basket and item, a net
 * quantity <= 0 meaning "not in the basket"), an inverted index from item
 * to baskets, co-occurrence rows and frequent itemsets.
 *
 * Lines are netted as they come, a run of lines of one basket at a time,
 * so that most of the work is done while the input is still arriving (in
 * a pipe, behind the producer): what is kept is each run's distinct
 * items and their net quantities. When every basket's lines came in one
 * run, the runs are the baskets; otherwise bsk_build gathers the runs of
 * each basket and nets them again.
 *
 * Memory: 4 bytes an item of a run (8 once a quantity other than 1 is
 * seen) and 8 a run while reading; after bsk_build 4 bytes an item in a
 * basket and 4 (12 weighted) a basket, plus 4 bytes an item in a basket
 * for the index. Time: O(1) a line, O(k log k) a run of k lines; rows and
 * itemsets O(sum over baskets of the items counted in them).
 */
#ifndef BASKETS_H
#define BASKETS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/*
 * Basket keys (order or customer ids) to dense basket ids. The caller
 * asks only when the key differs from the previous line's; a key seen
 * before gets its id back (exactly: equal 64-bit hashes are compared as
 * strings). Memory: 8 bytes a slot at a load of at most 1/2, 8 bytes and
 * the key a basket.
 */
struct bkeys {
	struct buf pool;	/* the keys, NUL-terminated */
	uint64_t *off;
	uint32_t n, cap;
	uint64_t *slot;		/* hash >> 32 << 32 | id + 1; 0 empty */
	size_t mask;
};

void bkeys_init(struct bkeys *k);
void bkeys_free(struct bkeys *k);
/* The id of key s (of hash h, xs_hash), new or seen before. */
uint32_t bkeys_id(struct bkeys *k, const char *s, size_t len, uint64_t h);
/* A hint that bkeys_id(k, ..., h) comes soon: its slot is fetched. */
static inline void
bkeys_prefetch(const struct bkeys *k, uint64_t h)
{
	__builtin_prefetch(&k->slot[h & k->mask]);
}

struct bsk_line {
	uint32_t item;
	float q;
};

struct baskets {
	/* runs of lines, netted, while reading */
	uint32_t *ritem;	/* distinct items of each run */
	float *rq;		/* their net quantities; NULL while all are 1 */
	size_t nri, capri;
	uint32_t *rstart;	/* run r: ritem[rstart[r] .. rstart[r + 1]] */
	uint32_t *rbasket;	/* basket id of run r */
	uint32_t nrun, caprun;
	struct bsk_line *cur;	/* the lines of the current run */
	size_t ncur, capcur;
	uint32_t curb;		/* its basket id, UINT32_MAX before the first */
	uint32_t nbid;		/* basket ids seen: 0 .. nbid - 1 */
	int grouped;		/* each basket's lines came in one run */
	/* baskets, after bsk_build */
	uint32_t nb;		/* baskets kept */
	uint32_t *start;	/* basket b: item[start[b] .. start[b + 1]] */
	uint32_t *item;
	uint64_t *w;		/* weight of basket b; NULL: every weight is 1 */
	uint32_t nitems;	/* item ids are < nitems */
	/* inverted index, after bsk_index */
	uint32_t *istart;	/* item a: bid[istart[a] .. istart[a + 1]] */
	uint32_t *bid;
	/* upper index, after bsk_index_upper: for item a and each basket
	 * holding a and a later item, that basket's items after a are
	 * item[ufrom[p] .. uto[p]], p in ustart[a] .. ustart[a + 1]; ub[p]
	 * is the basket (weighted baskets only) */
	uint32_t *ustart, *ufrom, *uto, *ub;
};

struct bsk_stats {
	uint64_t empty;		/* baskets with nothing left after netting */
	uint64_t big;		/* baskets over the size limit, skipped */
	uint64_t weightless;	/* baskets whose weight rounds to 0 */
	uint64_t kept;		/* baskets kept */
	uint64_t incidences;	/* items in kept baskets */
	uint64_t runs;		/* runs of lines; more than baskets when the
				 * lines of some basket were apart */
};

void bsk_init(struct baskets *b);
void bsk_free(struct baskets *b);
/* One order line. Basket ids should be dense (bkeys). */
void bsk_add(struct baskets *b, uint32_t basket, uint32_t item, double qty);

/* Sorts n lines by item and nets them in place: the distinct items, each
 * with its quantities summed in the order flush_run sums them (so a run
 * netted here is netted as bsk_add nets it); returns how many. */
size_t bsk_net(struct bsk_line *v, size_t n);

/*
 * Makes the baskets, each one's items ascending. label maps item ids to
 * the ids used from now on (NULL: unchanged), all < nitems. weight, when not NULL, gives each
 * basket id its weight; baskets of weight 0 are dropped (they would add
 * nothing). Baskets with more than max_items items (0: no limit) are
 * skipped.
 */
void bsk_build(struct baskets *b, const uint32_t *label, uint32_t nitems,
    const uint64_t *weight, uint32_t max_items, struct bsk_stats *st);

/* Weight of all baskets, and of the baskets holding each item (cnt has
 * nitems entries). */
uint64_t bsk_count(const struct baskets *b, uint64_t *cnt);

/*
 * Keeps only the items with newid[item] != UINT32_MAX, renamed to newid
 * (all < nnew; an increasing newid keeps sorted baskets sorted), and the
 * baskets left with at least min_size items. Dense new ids keep the
 * counters of bsk_row and bsk_mine small enough for the cache. Frees the
 * index.
 */
void bsk_prune(struct baskets *b, const uint32_t *newid, uint32_t nnew,
    uint32_t min_size);

/* Builds the inverted index. */
void bsk_index(struct baskets *b);

/*
 * The co-occurrence row of item a (needs the index): cnt[x] += weight of
 * each basket holding a and x, for every x != a (upper: only x > a). The
 * items touched go to touched (room for nitems), unordered; returns how
 * many. cnt must be all zero before; bsk_row_clear zeroes it again.
 */
size_t bsk_row(const struct baskets *b, uint32_t a, int upper, uint64_t *cnt,
    uint32_t *touched);
void bsk_row_clear(uint64_t *cnt, const uint32_t *touched, size_t n);

/*
 * The same for upper rows, faster: one memory access a basket, no test an
 * item. Needs sorted baskets; bsk_index_upper replaces bsk_index (8 bytes
 * an item in a basket but the last, 12 weighted).
 */
void bsk_index_upper(struct baskets *b);
size_t bsk_row_upper(const struct baskets *b, uint32_t a, uint64_t *cnt,
    uint32_t *touched);

/*
 * Every itemset of 2 to maxk items whose weight is >= thr (needs the
 * index; every item in the baskets should already be
 * frequent, see bsk_prune), depth first in lexicographic order:
 * fn(ctx, set, k, weight) with set ascending. Singletons are the
 * caller's (bsk_count).
 */
typedef void bsk_set_fn(void *ctx, const uint32_t *set, int k, uint64_t w);
void bsk_mine(const struct baskets *b, uint64_t thr, int maxk,
    bsk_set_fn *fn, void *ctx);

#endif
