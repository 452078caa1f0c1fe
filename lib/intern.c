/* intern.c: a fast string hash, strings interned to dense ids, one cache
 * line a lookup, and batches of look-ups. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intern.h"
#include "buf.h"

static inline uint64_t
rd64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static inline uint64_t
mix(uint64_t a, uint64_t b)
{
	__uint128_t r = (__uint128_t)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/* Eight bytes a step, folded by 128-bit multiplication (the wyhash idea):
 * ids are short, so the tail handling matters as much as the loop. */
uint64_t
xs_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	/* The length is mixed in first: XORed in plainly it cancelled against
	 * the tail bytes, so "U1" and "U10" hashed alike. */
	uint64_t h = mix(0x9e3779b97f4a7c15ULL ^ n, 0xa0761d6478bd642fULL), a, b;

	while (n > 16) {
		h = mix(rd64(s) ^ 0xa0761d6478bd642fULL, rd64(s + 8) ^ h);
		s += 16;
		n -= 16;
	}
	if (n >= 8) {
		a = rd64(s);
		b = rd64(s + n - 8);
	} else if (n >= 4) {
		uint32_t x, y;

		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		a = x;
		b = y;
	} else if (n > 0) {
		a = ((uint64_t)s[0] << 16) | ((uint64_t)s[n >> 1] << 8) | s[n - 1];
		b = 0;
	} else {
		a = b = 0;
	}
	return mix(a ^ 0xe7037ed1a0b428dbULL ^ h, b ^ 0x8ebc6af09c88c6e3ULL);
}

#define WIDE(in) ((struct intern_slot *)(in)->slot)
#define COMPACT(in) ((struct intern_cslot *)(in)->slot)

/* On a cache line boundary: malloc's 16-byte alignment put every other
 * 32-byte slot across two lines, and the prefetch fetched only one. */
static void
slots_alloc(struct intern *in, size_t n)
{
	size_t size = (size_t)1 << in->shift;
	void *p;

	if (n > SIZE_MAX / size || posix_memalign(&p, 64, n * size) != 0)
		die(XS_SYS, "out of memory");
	in->slot = p;
	xhuge_pages(in->slot, n * size);
	for (size_t i = 0; i < n; i++)
		if (in->shift == 3)
			COMPACT(in)[i].id = INTERN_NONE;
		else
			WIDE(in)[i].id = INTERN_NONE;
	in->mask = n - 1;
}

void
intern_init(struct intern *in)
{
	memset(in, 0, sizeof *in);
	in->shift = 3;
	slots_alloc(in, 1024);
}

void
intern_init_wide(struct intern *in)
{
	memset(in, 0, sizeof *in);
	in->shift = 5;
	slots_alloc(in, 1024);
}

void
intern_free(struct intern *in)
{
	free(in->slot);
	buf_free(&in->pool);
	free(in->off);
	free(in->len);
	memset(in, 0, sizeof *in);
}

/* Whether the n bytes at a and b are the same: ids are a few bytes, and
 * a loop costs less than a call to memcmp. */
static inline int
same_short(const char *a, const char *b, size_t n)
{
	for (size_t j = 0; j < n; j++)
		if (a[j] != b[j])
			return 0;
	return 1;
}

/* The slot holding s, or the empty slot where it would go. */
static inline size_t
lookup_wide(const struct intern *in, const char *s, size_t len, uint64_t h)
{
	const struct intern_slot *slot = WIDE(in);
	size_t i;

	for (i = h & in->mask; slot[i].id != INTERN_NONE; i = (i + 1) & in->mask) {
		const struct intern_slot *sl = &slot[i];

		if (sl->hash != h || sl->len != len)
			continue;
		if (len <= INTERN_INLINE ? same_short(sl->key, s, len) :
		    memcmp(in->pool.s + in->off[sl->id], s, len) == 0)
			break;
	}
	return i;
}

static inline size_t
lookup_compact(const struct intern *in, const char *s, size_t len, uint64_t h)
{
	const struct intern_cslot *slot = COMPACT(in);
	size_t i;

	/* where the 32 bits of the hash it keeps place it on growth */
	for (i = (uint32_t)h & in->mask; slot[i].id != INTERN_NONE;
	    i = (i + 1) & in->mask) {
		uint32_t id = slot[i].id;

		if (slot[i].hash == (uint32_t)h && in->len[id] == len &&
		    memcmp(in->pool.s + in->off[id], s, len) == 0)
			break;
	}
	return i;
}

/* The id of s, or INTERN_NONE; *at its slot or the empty one where it
 * would go. */
static inline uint32_t
lookup(const struct intern *in, const char *s, size_t len, uint64_t h,
    size_t *at)
{
	if (in->shift == 3) {
		*at = lookup_compact(in, s, len, h);
		return COMPACT(in)[*at].id;
	}
	*at = lookup_wide(in, s, len, h);
	return WIDE(in)[*at].id;
}

uint32_t
intern_find(const struct intern *in, const char *s, size_t len)
{
	size_t at;

	return lookup(in, s, len, xs_hash(s, len), &at);
}

uint32_t
intern_find_hash(const struct intern *in, const char *s, size_t len,
    uint64_t h)
{
	size_t at;

	return lookup(in, s, len, h, &at);
}

/* The slots to nslots (a power of two, larger), the ids moved over. */
static void
grow_slots(struct intern *in, size_t nslots)
{
	void *old = in->slot;
	size_t n = in->mask + 1, j;

	slots_alloc(in, nslots);
	for (size_t i = 0; i < n; i++) {
		if (in->shift == 3) {
			const struct intern_cslot *o = (struct intern_cslot *)old + i;

			if (o->id == INTERN_NONE)
				continue;
			for (j = o->hash & in->mask; COMPACT(in)[j].id != INTERN_NONE;
			    j = (j + 1) & in->mask)
				;
			COMPACT(in)[j] = *o;
		} else {
			const struct intern_slot *o = (struct intern_slot *)old + i;

			if (o->id == INTERN_NONE)
				continue;
			for (j = o->hash & in->mask; WIDE(in)[j].id != INTERN_NONE;
			    j = (j + 1) & in->mask)
				;
			WIDE(in)[j] = *o;
		}
	}
	free(old);
}

/* Is the table too full with n ids? */
static inline int
full(const struct intern *in, size_t n, size_t nslots)
{
	return in->shift == 3 ? n * 4 > nslots * 3 : n * 2 > nslots;
}

void
intern_reserve(struct intern *in, size_t n)
{
	size_t nslots = in->mask + 1;

	if (n > UINT32_MAX - 1)
		n = UINT32_MAX - 1;
	while (full(in, n, nslots))
		nslots *= 2;
	if (nslots > in->mask + 1)
		grow_slots(in, nslots);
	if (n > in->cap) {
		in->cap = (uint32_t)n;
		in->off = xreallocarray(in->off, in->cap, sizeof *in->off);
		in->len = xreallocarray(in->len, in->cap, sizeof *in->len);
	}
}

static inline uint32_t
put_hash(struct intern *in, const char *s, size_t len, uint64_t h)
{
	size_t i;
	uint32_t id = lookup(in, s, len, h, &i);

	if (id != INTERN_NONE)
		return id;
	if (in->n == UINT32_MAX - 1 || len >= UINT32_MAX)
		die(XS_SYS, "too many distinct strings");
	if (in->n == in->cap) {
		in->cap = in->cap ? in->cap * 2 : 1024;
		in->off = xreallocarray(in->off, in->cap, sizeof *in->off);
		in->len = xreallocarray(in->len, in->cap, sizeof *in->len);
	}
	id = in->n++;
	in->off[id] = in->pool.len;
	in->len[id] = (uint32_t)len;
	buf_put(&in->pool, s, len);
	buf_putc(&in->pool, '\0');
	if (in->shift == 3) {
		COMPACT(in)[i].hash = (uint32_t)h;
		COMPACT(in)[i].id = id;
	} else {
		struct intern_slot *sl = &WIDE(in)[i];

		sl->hash = h;
		sl->id = id;
		sl->len = (uint32_t)len;
		memset(sl->key, 0, sizeof sl->key);
		if (len <= INTERN_INLINE)
			memcpy(sl->key, s, len);
	}
	if (full(in, in->n, in->mask + 1))
		grow_slots(in, 2 * (in->mask + 1));
	return id;
}

uint32_t
intern_put(struct intern *in, const char *s, size_t len)
{
	return put_hash(in, s, len, xs_hash(s, len));
}

uint32_t
intern_put_hash(struct intern *in, const char *s, size_t len, uint64_t h)
{
	return put_hash(in, s, len, h);
}

/* ---- batches ---- */

enum { Q_LOOKUP, Q_KNOWN, Q_AGAIN };

void
intern_batch_init(struct intern_batch *b, struct intern *in)
{
	memset(b, 0, sizeof *b);
	b->in = in;
	buf_init(&b->text);
}

void
intern_batch_free(struct intern_batch *b)
{
	buf_free(&b->text);
	free(b->q);
	memset(b, 0, sizeof *b);
}

static struct intern_qent *
qent(struct intern_batch *b, int how)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 128;
		b->q = xreallocarray(b->q, b->cap, sizeof *b->q);
	}
	b->q[b->n].how = how;
	return &b->q[b->n];
}

size_t
intern_batch_add(struct intern_batch *b, const char *s, size_t len)
{
	struct intern_qent *q = qent(b, Q_LOOKUP);

	q->h = xs_hash(s, len);
	intern_prefetch(b->in, q->h);	/* resolved batches later */
	q->off = b->text.len;
	q->len = len;
	if (b->text.cap - b->text.len <= len)
		buf_grow(&b->text, len + 1);
	memcpy(b->text.s + b->text.len, s, len);
	b->text.s[b->text.len + len] = '\0';
	b->text.len += len + 1;
	return b->n++;
}

size_t
intern_batch_known(struct intern_batch *b, uint32_t id)
{
	qent(b, Q_KNOWN)->id = id;
	return b->n++;
}

size_t
intern_batch_again(struct intern_batch *b, size_t i)
{
	qent(b, Q_AGAIN)->from = i;
	return b->n++;
}

void
intern_batch_put(struct intern_batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		struct intern_qent *q = &b->q[i];

		if (q->how == Q_LOOKUP)
			q->id = put_hash(b->in, b->text.s + q->off, q->len, q->h);
		else if (q->how == Q_AGAIN)
			q->id = b->q[q->from].id;
	}
}

void
intern_batch_find(struct intern_batch *b)
{
	size_t at;

	for (size_t i = 0; i < b->n; i++) {
		struct intern_qent *q = &b->q[i];

		if (q->how == Q_LOOKUP)
			q->id = lookup(b->in, b->text.s + q->off, q->len, q->h,
			    &at);
		else if (q->how == Q_AGAIN)
			q->id = b->q[q->from].id;
	}
}

void
intern_batch_clear(struct intern_batch *b)
{
	b->n = 0;
	buf_reset(&b->text);
}
