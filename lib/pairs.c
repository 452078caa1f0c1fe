/* pairs.c: open-addressing count tables for id pairs and itemsets. */
#include <stdlib.h>
#include <string.h>

#include "xsell.h"
#include "intern.h"
#include "pairs.h"

/* Fibonacci hashing: the top bits of key * 2^64/phi spread the dense,
 * sequential ids interning gives. */
static inline size_t
pair_slot(const struct pairs *t, uint64_t key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> t->shift);
}

static void
pairs_alloc(struct pairs *t, size_t cap)
{
	int bits = 0;

	while (((size_t)1 << bits) < cap)
		bits++;
	t->cap = (size_t)1 << bits;
	t->shift = 64 - bits;
	t->e = xreallocarray(NULL, t->cap, sizeof *t->e);
	xhuge_pages(t->e, t->cap * sizeof *t->e);
	for (size_t i = 0; i < t->cap; i++)
		t->e[i].key = PAIRS_EMPTY;
}

void
pairs_init(struct pairs *t)
{
	t->n = 0;
	pairs_alloc(t, 1024);
}

void
pairs_free(struct pairs *t)
{
	free(t->e);
	memset(t, 0, sizeof *t);
}

static void
pairs_grow(struct pairs *t)
{
	struct pair_ent *old = t->e;
	size_t oldcap = t->cap, mask;

	pairs_alloc(t, oldcap * 2);
	mask = t->cap - 1;
	for (size_t i = 0; i < oldcap; i++) {
		size_t j;

		if (old[i].key == PAIRS_EMPTY)
			continue;
		for (j = pair_slot(t, old[i].key); t->e[j].key != PAIRS_EMPTY;
		    j = (j + 1) & mask)
			;
		t->e[j] = old[i];
	}
	free(old);
}

uint64_t *
pairs_at(struct pairs *t, uint32_t a, uint32_t b)
{
	uint64_t key = pairs_key(a, b);
	size_t mask = t->cap - 1, i;

	for (i = pair_slot(t, key); t->e[i].key != PAIRS_EMPTY; i = (i + 1) & mask)
		if (t->e[i].key == key)
			return &t->e[i].count;
	if ((t->n + 1) * 10 > t->cap * 7) {
		pairs_grow(t);
		return pairs_at(t, a, b);
	}
	t->n++;
	t->e[i].key = key;
	t->e[i].count = 0;
	return &t->e[i].count;
}

uint64_t
pairs_get(const struct pairs *t, uint32_t a, uint32_t b)
{
	uint64_t key = pairs_key(a, b);
	size_t mask = t->cap - 1, i;

	for (i = pair_slot(t, key); t->e[i].key != PAIRS_EMPTY; i = (i + 1) & mask)
		if (t->e[i].key == key)
			return t->e[i].count;
	return 0;
}

/* ---- itemsets ---- */

void
isets_init(struct isets *t)
{
	memset(t, 0, sizeof *t);
	t->nslot = 1024;
	t->slot = xcalloc(t->nslot, sizeof *t->slot);
}

void
isets_free(struct isets *t)
{
	free(t->items);
	free(t->off);
	free(t->len);
	free(t->count);
	free(t->hash);
	free(t->slot);
	memset(t, 0, sizeof *t);
}

static uint64_t
set_hash(const uint32_t *set, int k)
{
	return xs_hash(set, (size_t)k * sizeof *set);
}

static size_t
set_lookup(const struct isets *t, const uint32_t *set, int k, uint64_t h)
{
	size_t mask = t->nslot - 1, i;

	for (i = h & mask; t->slot[i]; i = (i + 1) & mask) {
		size_t s = t->slot[i] - 1;

		if (t->hash[s] == h && t->len[s] == k &&
		    memcmp(t->items + t->off[s], set, (size_t)k * sizeof *set) == 0)
			break;
	}
	return i;
}

size_t
isets_find(const struct isets *t, const uint32_t *set, int k)
{
	size_t i = set_lookup(t, set, k, set_hash(set, k));

	return t->slot[i] ? t->slot[i] - 1 : SIZE_MAX;
}

static void
isets_rehash(struct isets *t)
{
	size_t n = t->nslot * 2, mask = n - 1;
	uint32_t *slot = xcalloc(n, sizeof *slot);

	for (size_t s = 0; s < t->n; s++) {
		size_t j;

		for (j = t->hash[s] & mask; slot[j]; j = (j + 1) & mask)
			;
		slot[j] = (uint32_t)(s + 1);
	}
	free(t->slot);
	t->slot = slot;
	t->nslot = n;
}

size_t
isets_put(struct isets *t, const uint32_t *set, int k)
{
	uint64_t h = set_hash(set, k);
	size_t i = set_lookup(t, set, k, h), s;

	if (t->slot[i])
		return t->slot[i] - 1;
	if (k < 1 || k > ISETS_MAX || t->n >= UINT32_MAX - 1)
		die(XS_SYS, "itemset table: set of %d items, or too many sets", k);
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1024;
		t->off = xreallocarray(t->off, t->cap, sizeof *t->off);
		t->len = xreallocarray(t->len, t->cap, sizeof *t->len);
		t->count = xreallocarray(t->count, t->cap, sizeof *t->count);
		t->hash = xreallocarray(t->hash, t->cap, sizeof *t->hash);
	}
	if (t->nitems + (size_t)k > t->capitems) {
		while (t->nitems + (size_t)k > t->capitems)
			t->capitems = t->capitems ? t->capitems * 2 : 4096;
		t->items = xreallocarray(t->items, t->capitems, sizeof *t->items);
	}
	s = t->n++;
	memcpy(t->items + t->nitems, set, (size_t)k * sizeof *set);
	t->off[s] = t->nitems;
	t->nitems += (size_t)k;
	t->len[s] = (uint8_t)k;
	t->count[s] = 0;
	t->hash[s] = h;
	t->slot[i] = (uint32_t)(s + 1);
	if (t->n * 4 > t->nslot * 3)
		isets_rehash(t);
	return s;
}

int
isets_add(struct isets *t, const uint32_t *set, int k, uint64_t w)
{
	size_t i = isets_put(t, set, k);

	return !__builtin_add_overflow(t->count[i], w, &t->count[i]);
}
