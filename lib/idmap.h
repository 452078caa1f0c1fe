/*
 * idmap.h: strings to dense ids (0, 1, 2, ... in order of first sight),
 * like struct intern in xsell.h, tuned for a hot loop that looks up the
 * same few hundred thousand ids millions of times (product ids of an
 * order log).
 *
 * Each slot holds the full 64-bit hash and, for ids of up to 16 bytes,
 * the id itself, so that a lookup is one cache line: no second access
 * to compare the string. Longer ids are compared in the pool. The load
 * stays at or under 1/2. Memory: 32 bytes a slot (64 to 128 an id) plus
 * the strings and 12 bytes an id.
 */
#ifndef IDMAP_H
#define IDMAP_H

#include <stddef.h>
#include <stdint.h>
#include "xsell.h"

#define IDMAP_INLINE 16

struct idslot {
	uint64_t hash;
	uint32_t id;		/* UINT32_MAX: empty */
	uint32_t len;
	char key[IDMAP_INLINE];	/* the id when len <= IDMAP_INLINE, zero padded */
};

struct idmap {
	struct idslot *slot;
	size_t mask;
	struct buf pool;	/* every string, NUL-terminated */
	uint64_t *off;		/* id -> offset in pool */
	uint32_t *len;		/* id -> length */
	uint32_t n, cap;
};

void idmap_init(struct idmap *m);
void idmap_free(struct idmap *m);
uint32_t idmap_put(struct idmap *m, const char *s, size_t len);
/*
 * The same in two steps, for loops that hide the cache miss of a lookup
 * behind other work: h = xs_hash(s, len); idmap_prefetch(m, h); ... ;
 * idmap_put_hash(m, s, len, h).
 */
uint32_t idmap_put_hash(struct idmap *m, const char *s, size_t len,
    uint64_t h);
static inline void
idmap_prefetch(const struct idmap *m, uint64_t h)
{
	__builtin_prefetch(&m->slot[h & m->mask]);
}
/* The id, or UINT32_MAX. */
uint32_t idmap_find(const struct idmap *m, const char *s, size_t len);
/* The same with h = xs_hash(s, len), after an idmap_prefetch(m, h). */
uint32_t idmap_find_hash(const struct idmap *m, const char *s, size_t len,
    uint64_t h);
/* Room for n ids in all without growing, for a caller that knows about
 * how many will come: no table rebuilt on the way, none left behind. */
void idmap_reserve(struct idmap *m, size_t n);

static inline const char *
idmap_str(const struct idmap *m, uint32_t id)
{
	return m->pool.s + m->off[id];
}
static inline size_t
idmap_len(const struct idmap *m, uint32_t id)
{
	return m->len[id];
}

#endif
