/*
 * baskets.h: market baskets for association mining. Order lines go in as
 * (basket, item, quantity) in any order; out come baskets as sorted,
 * duplicate-free item lists (quantities netted per basket and item, a net
 * quantity <= 0 meaning "not in the basket"), an inverted index from item
 * to baskets, co-occurrence rows and frequent itemsets.
 *
 * Memory: 8 bytes a line while reading (12 once a quantity other than 1
 * is seen); after bsk_build 4 bytes an item in a basket and 4 (12
 * weighted) a basket, plus 4 bytes an item in a basket for the index.
 * Time: lines O(1) each, plus a counting sort when the lines of a basket
 * are not together; rows and itemsets O(sum over baskets of the items
 * counted in them).
 */
#ifndef BASKETS_H
#define BASKETS_H

#include <stddef.h>
#include <stdint.h>

struct baskets {
	/* lines, while reading */
	uint32_t *lb, *li;	/* basket id, item id */
	float *lq;		/* quantity; NULL while every one is 1 */
	size_t nl, capl;
	uint32_t nbid;		/* basket ids seen: 0 .. nbid - 1 */
	int grouped;		/* each basket's lines came together */
	/* baskets, after bsk_build */
	uint32_t nb;		/* baskets kept */
	uint32_t *start;	/* basket b: item[start[b] .. start[b + 1]] */
	uint32_t *item;
	uint64_t *w;		/* weight of basket b; NULL: every weight is 1 */
	uint32_t nitems;	/* item ids are < nitems */
	/* inverted index, after bsk_index */
	uint32_t *istart;	/* item a: bid[istart[a] .. istart[a + 1]] */
	uint32_t *bid;
};

struct bsk_stats {
	uint64_t lines;		/* lines added */
	uint64_t empty;		/* baskets with nothing left after netting */
	uint64_t big;		/* baskets over the size limit, skipped */
	uint64_t weightless;	/* baskets whose weight rounds to 0 */
	uint64_t kept;		/* baskets kept */
	uint64_t incidences;	/* items in kept baskets */
};

/*
 * Basket keys (order or customer ids) to basket ids with no hash table
 * in the hot loop: the caller gives a line the previous line's id while
 * the key stays the same and asks bkeys_new for an id when it changes,
 * so an order whose lines come together costs one append. bkeys_merge
 * then finds the keys given more than one id (lines not together) by
 * sorting the 64-bit hashes and comparing the strings of equal ones.
 */
struct bkeys {
	char *pool;		/* the keys, NUL-terminated */
	size_t poollen, poolcap;
	uint64_t *off, *hash;
	uint32_t n, cap;
};

void bkeys_init(struct bkeys *k);
void bkeys_free(struct bkeys *k);
/* A new id for key s (of hash h, xs_hash). */
uint32_t bkeys_new(struct bkeys *k, const char *s, size_t len, uint64_t h);
/* NULL when every id has its own key; else id -> the first id of its key
 * (malloc'd), and the number of ids merged away in *merged. */
uint32_t *bkeys_merge(const struct bkeys *k, uint32_t *merged);

void bsk_init(struct baskets *b);
void bsk_free(struct baskets *b);
/* One order line. Basket ids should be dense (interned). */
void bsk_add(struct baskets *b, uint32_t basket, uint32_t item, double qty);

/* Renames the basket ids of the lines (bkeys_merge's map). */
void bsk_remap(struct baskets *b, const uint32_t *canon);

/*
 * Groups the lines into baskets. label maps item ids to the ids used from
 * now on (NULL: unchanged), all < nitems. weight, when not NULL, gives
 * each basket id its weight; baskets of weight 0 are dropped (they would
 * add nothing). Baskets with more than max_items items (0: no limit) are
 * skipped. Frees the lines.
 */
void bsk_build(struct baskets *b, const uint32_t *label, uint32_t nitems,
    const uint64_t *weight, uint32_t max_items, struct bsk_stats *st);

/* Weight of all baskets, and of the baskets holding each item (cnt has
 * nitems entries). */
uint64_t bsk_count(const struct baskets *b, uint64_t *cnt);

/*
 * Keeps only the items with newid[item] != UINT32_MAX, renamed to newid
 * (all < nnew, in the same order, so baskets stay sorted), and the
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
 * Every itemset of 2 to maxk items whose weight is >= thr (needs the
 * index; every item in the baskets should already be frequent, see
 * bsk_prune), depth first in lexicographic order: fn(ctx, set, k, weight)
 * with set ascending. Singletons are the caller's (bsk_count).
 */
typedef void bsk_set_fn(void *ctx, const uint32_t *set, int k, uint64_t w);
void bsk_mine(const struct baskets *b, uint64_t thr, int maxk,
    bsk_set_fn *fn, void *ctx);

#endif
