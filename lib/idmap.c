/* idmap.c: strings to dense ids, one cache line a lookup. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xsell.h"
#include "idmap.h"

/* On a cache line boundary: malloc's 16-byte alignment put every other
 * 32-byte slot across two lines, and the prefetch fetched only one. */
static void
slots_alloc(struct idmap *m, size_t n)
{
	void *p;

	if (n > SIZE_MAX / sizeof *m->slot ||
	    posix_memalign(&p, 64, n * sizeof *m->slot) != 0)
		die(XS_SYS, "out of memory");
	m->slot = p;
	xhuge_pages(m->slot, n * sizeof *m->slot);
	for (size_t i = 0; i < n; i++)
		m->slot[i].id = UINT32_MAX;
	m->mask = n - 1;
}

void
idmap_init(struct idmap *m)
{
	memset(m, 0, sizeof *m);
	slots_alloc(m, 1024);
}

void
idmap_free(struct idmap *m)
{
	free(m->slot);
	buf_free(&m->pool);
	free(m->off);
	free(m->len);
	memset(m, 0, sizeof *m);
}

/* The slot holding s, or the empty slot where it would go. */
static inline size_t
lookup(const struct idmap *m, const char *s, size_t len, uint64_t h)
{
	char key[IDMAP_INLINE];
	size_t i;

	if (len <= IDMAP_INLINE) {
		memset(key, 0, sizeof key);
		memcpy(key, s, len);
	}
	for (i = h & m->mask; m->slot[i].id != UINT32_MAX; i = (i + 1) & m->mask) {
		const struct idslot *sl = &m->slot[i];

		if (sl->hash != h || sl->len != len)
			continue;
		if (len <= IDMAP_INLINE ? memcmp(sl->key, key, sizeof key) == 0 :
		    memcmp(m->pool.s + m->off[sl->id], s, len) == 0)
			break;
	}
	return i;
}

uint32_t
idmap_find(const struct idmap *m, const char *s, size_t len)
{
	return m->slot[lookup(m, s, len, xs_hash(s, len))].id;
}

uint32_t
idmap_find_hash(const struct idmap *m, const char *s, size_t len, uint64_t h)
{
	return m->slot[lookup(m, s, len, h)].id;
}

/* The slots to nslots (a power of two, larger), the ids moved over. */
static void
grow_slots(struct idmap *m, size_t nslots)
{
	struct idslot *old = m->slot;
	size_t n = m->mask + 1;

	slots_alloc(m, nslots);
	for (size_t i = 0; i < n; i++) {
		size_t j;

		if (old[i].id == UINT32_MAX)
			continue;
		for (j = old[i].hash & m->mask; m->slot[j].id != UINT32_MAX;
		    j = (j + 1) & m->mask)
			;
		m->slot[j] = old[i];
	}
	free(old);
}

void
idmap_reserve(struct idmap *m, size_t n)
{
	size_t nslots = m->mask + 1;

	if (n > UINT32_MAX - 1)
		n = UINT32_MAX - 1;
	while (nslots < 2 * n)
		nslots *= 2;
	if (nslots > m->mask + 1)
		grow_slots(m, nslots);
	if (n > m->cap) {
		m->cap = (uint32_t)n;
		m->off = xreallocarray(m->off, m->cap, sizeof *m->off);
		m->len = xreallocarray(m->len, m->cap, sizeof *m->len);
	}
}

uint32_t
idmap_put(struct idmap *m, const char *s, size_t len)
{
	return idmap_put_hash(m, s, len, xs_hash(s, len));
}

uint32_t
idmap_put_hash(struct idmap *m, const char *s, size_t len, uint64_t h)
{
	size_t i = lookup(m, s, len, h);
	struct idslot *sl = &m->slot[i];
	uint32_t id;

	if (sl->id != UINT32_MAX)
		return sl->id;
	if (m->n == UINT32_MAX - 1 || len >= UINT32_MAX)
		die(XS_SYS, "too many distinct strings");
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 1024;
		m->off = xreallocarray(m->off, m->cap, sizeof *m->off);
		m->len = xreallocarray(m->len, m->cap, sizeof *m->len);
	}
	id = m->n++;
	m->off[id] = m->pool.len;
	m->len[id] = (uint32_t)len;
	buf_put(&m->pool, s, len);
	buf_putc(&m->pool, '\0');
	sl->hash = h;
	sl->id = id;
	sl->len = (uint32_t)len;
	memset(sl->key, 0, sizeof sl->key);
	if (len <= IDMAP_INLINE)
		memcpy(sl->key, s, len);
	if ((size_t)m->n * 2 > m->mask + 1)
		grow_slots(m, 2 * (m->mask + 1));
	return id;
}
