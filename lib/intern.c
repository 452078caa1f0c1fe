/* intern.c: a fast string hash, and strings interned to dense ids. */
#include <stdlib.h>
#include <string.h>

#include "xsell.h"

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

void
intern_init(struct intern *in)
{
	memset(in, 0, sizeof *in);
	in->nslot = 1024;
	in->slot = xcalloc(in->nslot, sizeof *in->slot);
	in->slothash = xcalloc(in->nslot, sizeof *in->slothash);
}

void
intern_free(struct intern *in)
{
	buf_free(&in->pool);
	free(in->off);
	free(in->len);
	free(in->slot);
	free(in->slothash);
	memset(in, 0, sizeof *in);
}

static void
rehash(struct intern *in)
{
	size_t n = in->nslot * 2, mask = n - 1;
	uint32_t *slot = xcalloc(n, sizeof *slot);
	uint32_t *sh = xcalloc(n, sizeof *sh);

	for (size_t i = 0; i < in->nslot; i++) {
		size_t j;

		if (!in->slot[i])
			continue;
		for (j = in->slothash[i] & mask; slot[j]; j = (j + 1) & mask)
			;
		slot[j] = in->slot[i];
		sh[j] = in->slothash[i];
	}
	free(in->slot);
	free(in->slothash);
	in->slot = slot;
	in->slothash = sh;
	in->nslot = n;
}

static size_t
lookup(const struct intern *in, const char *s, size_t len, uint32_t h)
{
	size_t mask = in->nslot - 1, i;

	for (i = h & mask; in->slot[i]; i = (i + 1) & mask) {
		uint32_t id = in->slot[i] - 1;

		if (in->slothash[i] == h && in->len[id] == len &&
		    memcmp(in->pool.s + in->off[id], s, len) == 0)
			break;
	}
	return i;
}

uint32_t
intern_find(const struct intern *in, const char *s, size_t len)
{
	uint32_t h = (uint32_t)xs_hash(s, len);
	size_t i = lookup(in, s, len, h);

	return in->slot[i] ? in->slot[i] - 1 : INTERN_NONE;
}

uint32_t
intern_put(struct intern *in, const char *s, size_t len)
{
	uint32_t h = (uint32_t)xs_hash(s, len), id;
	size_t i = lookup(in, s, len, h);

	if (in->slot[i])
		return in->slot[i] - 1;
	if (in->n == UINT32_MAX - 1 || len > UINT32_MAX)
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
	in->slot[i] = id + 1;
	in->slothash[i] = h;
	if ((size_t)in->n * 4 > in->nslot * 3)
		rehash(in);
	return id;
}
