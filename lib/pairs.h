/*
 * pairs.h: counts keyed by interned ids, in open-addressing hash tables
 * with one probe sequence and no per-entry allocation.
 *
 * struct pairs counts unordered pairs of 32-bit ids in 16 bytes an entry
 * (the 64-bit key a << 32 | b with a < b, and the count): one cache line
 * holds four entries, so a lookup is usually one cache miss. struct isets
 * counts small sets of ids (itemsets) of any size, the items stored once
 * in a pool.
 *
 * Counts are 64-bit integers: whole basket counts, or fixed-point weights
 * (see xsell-learn --half-life). Integer sums do not depend on the order
 * of addition, which is what makes sharded counts merge exactly.
 * Memory: pairs 16 bytes an entry at a load between 0.35 and 0.7, so 23
 * to 46 bytes a distinct pair; isets 4 bytes an item plus about 40 bytes
 * a set.
 */
#ifndef PAIRS_H
#define PAIRS_H

#include <stddef.h>
#include <stdint.h>

struct pair_ent {
	uint64_t key;		/* PAIRS_EMPTY, or a << 32 | b */
	uint64_t count;
};

#define PAIRS_EMPTY UINT64_MAX

struct pairs {
	struct pair_ent *e;
	size_t n, cap;		/* cap a power of 2 */
	int shift;		/* 64 - log2(cap) */
};

void pairs_init(struct pairs *t);
void pairs_free(struct pairs *t);
/* The count of {a, b} (a != b, either order), added when absent. */
uint64_t *pairs_at(struct pairs *t, uint32_t a, uint32_t b);
/* The count of {a, b}, or 0 when absent. */
uint64_t pairs_get(const struct pairs *t, uint32_t a, uint32_t b);

static inline uint64_t
pairs_key(uint32_t a, uint32_t b)
{
	return a < b ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
}

/* Small sets of ids, each given sorted ascending (callers sort). */
struct isets {
	uint32_t *items;	/* pool: set i is items[off[i]] .. +len[i] */
	size_t nitems, capitems;
	uint64_t *off;
	uint8_t *len;
	uint64_t *count;
	uint64_t *hash;
	size_t n, cap;
	uint32_t *slot;		/* set index + 1, 0 empty */
	size_t nslot;
};

#define ISETS_MAX 255	/* longest set */

void isets_init(struct isets *t);
void isets_free(struct isets *t);
/* Index of the set (k items, ascending), added with count 0 when absent.
 * It may move count: index it after the call, not in the same expression. */
size_t isets_put(struct isets *t, const uint32_t *set, int k);
/* Adds w to the set's count (0 when absent); 0 on overflow of 2^64. */
int isets_add(struct isets *t, const uint32_t *set, int k, uint64_t w);
/* Index of the set, or SIZE_MAX. */
size_t isets_find(const struct isets *t, const uint32_t *set, int k);
static inline const uint32_t *
isets_items(const struct isets *t, size_t i)
{
	return t->items + t->off[i];
}

#endif
