/*
 * intern.h: a fast string hash, and strings interned to dense ids
 * (0, 1, 2, ... in order of first sight).
 *
 * Open addressing, in one of two layouts chosen at init:
 * - intern_init: the load at or under 3/4; a slot is 32 bits of the
 *   hash and the id, 8 bytes (11 to 21 an id), and a lookup compares
 *   the string in the pool: two or three cache lines. For most maps,
 *   and for maps of many ids each looked up a few times (contexts,
 *   customers), where the other layout would double a tool's memory.
 * - intern_init_wide: the load at or under 1/2; a slot holds the full
 *   64-bit hash and, for strings of up to INTERN_INLINE bytes, the
 *   string itself, so that a lookup is one cache line: no second
 *   access to compare the string (longer ones are compared in the
 *   pool). 32 bytes a slot, 64 to 128 an id. For the hot loops that
 *   look up the same few hundred thousand ids millions of times
 *   (products of an order log, of events).
 * Either way 12 bytes an id more, and the strings.
 *
 * Loops that look up many strings hide the cache misses: one by one,
 * h = xs_hash(s, len); intern_prefetch(in, h); ...; intern_put_hash(in,
 * s, len, h); or a struct intern_batch that does the same for a queue.
 */
/* xsell.h (struct buf) first, outside the guard: it includes this
 * header itself, and needs struct intern complete for struct rec. */
#include "xsell.h"
#include "buf.h"

#ifndef INTERN_H
#define INTERN_H

#include <stddef.h>
#include <stdint.h>

#define INTERN_NONE UINT32_MAX
#define INTERN_INLINE 16

uint64_t xs_hash(const void *p, size_t n);

struct intern_slot {
	uint64_t hash;
	uint32_t id;		/* INTERN_NONE: empty */
	uint32_t len;
	char key[INTERN_INLINE];	/* the string when len <= INTERN_INLINE, zero padded */
};

/* A slot of intern_init's layout; struct intern_slot is the wide one. */
struct intern_cslot {
	uint32_t hash;
	uint32_t id;		/* INTERN_NONE: empty */
};

struct intern {
	void *slot;		/* struct intern_slot or intern_cslot */
	size_t mask;
	unsigned shift;		/* a slot is 1 << shift bytes */
	struct buf pool;	/* every string, NUL-terminated */
	uint64_t *off;		/* id -> offset in pool */
	uint32_t *len;		/* id -> length */
	uint32_t n, cap;
};

void intern_init(struct intern *in);
void intern_init_wide(struct intern *in);
void intern_free(struct intern *in);
/* s must not point into the pool. */
uint32_t intern_put(struct intern *in, const char *s, size_t len);
/* The id, or INTERN_NONE. */
uint32_t intern_find(const struct intern *in, const char *s, size_t len);
/* The same with h = xs_hash(s, len), best after an intern_prefetch(in, h). */
uint32_t intern_put_hash(struct intern *in, const char *s, size_t len,
    uint64_t h);
uint32_t intern_find_hash(const struct intern *in, const char *s, size_t len,
    uint64_t h);
static inline void
intern_prefetch(const struct intern *in, uint64_t h)
{
	__builtin_prefetch((const char *)in->slot + ((h & in->mask) << in->shift));
}
/* Room for n ids in all without growing, for a caller that knows about
 * how many will come: no table rebuilt on the way, none left behind. */
void intern_reserve(struct intern *in, size_t n);

/* A hint that id's string comes soon, in two steps a few ids apart:
 * stage 0 fetches where it is, stage 1 (once that has come) its bytes. */
static inline void
intern_prefetch_id(const struct intern *in, uint32_t id, int stage)
{
	if (stage == 0) {
		__builtin_prefetch(&in->off[id]);
		__builtin_prefetch(&in->len[id]);
	} else {
		__builtin_prefetch(in->pool.s + in->off[id]);
	}
}

/* Valid until the next intern_put. */
static inline const char *
intern_str(const struct intern *in, uint32_t id)
{
	return in->pool.s + in->off[id];
}
static inline size_t
intern_len(const struct intern *in, uint32_t id)
{
	return in->len[id];
}

/*
 * A queue of look-ups whose cache misses overlap: a string is hashed,
 * its slot prefetched and the string copied as it is queued; the ids
 * come when the batch is resolved, in queue order (so ids keep the
 * order of first sight), by which time the slots are in cache. An
 * entry is numbered 0, 1, ... from the last clear.
 *
 *	intern_batch_init(&b, &in);
 *	for each row: k[row] = intern_batch_add(&b, s, len);
 *	    when the batch holds some 64: intern_batch_put(&b), then
 *	    intern_batch_id(&b, k[row]) for its rows, intern_batch_clear(&b)
 */
struct intern_qent {
	uint64_t h;
	size_t off, len;	/* the string in text */
	size_t from;		/* an entry added by intern_batch_again */
	uint32_t id;
	int how;
};

struct intern_batch {
	struct intern *in;
	struct buf text;	/* the queued strings, NUL-terminated */
	struct intern_qent *q;
	size_t n, cap;
};

void intern_batch_init(struct intern_batch *b, struct intern *in);
void intern_batch_free(struct intern_batch *b);
/* Queues s (which may change after the call); returns its entry. */
size_t intern_batch_add(struct intern_batch *b, const char *s, size_t len);
/* An entry whose id is known: no look-up. */
size_t intern_batch_known(struct intern_batch *b, uint32_t id);
/* An entry with the id of entry i, without a look-up (a value repeated
 * from the row before, whose id is not known yet). */
size_t intern_batch_again(struct intern_batch *b, size_t i);
/* The ids of the queued entries, adding the strings not seen before;
 * then intern_batch_id(). */
void intern_batch_put(struct intern_batch *b);
/* The same without adding: INTERN_NONE for a string not seen. */
void intern_batch_find(struct intern_batch *b);
/* Empties the queue, keeping its memory. */
void intern_batch_clear(struct intern_batch *b);

static inline size_t
intern_batch_n(const struct intern_batch *b)
{
	return b->n;
}
static inline uint32_t
intern_batch_id(const struct intern_batch *b, size_t i)
{
	return b->q[i].id;
}
/* The string of an entry added by intern_batch_add, NUL-terminated;
 * valid until the next add or clear. */
static inline const char *
intern_batch_str(const struct intern_batch *b, size_t i)
{
	return b->text.s + b->q[i].off;
}
static inline size_t
intern_batch_len(const struct intern_batch *b, size_t i)
{
	return b->q[i].len;
}

#endif
