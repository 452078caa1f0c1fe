/* bstream.c: pair counts from grouped order lines, baskets spilled to disk. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xsell.h"
#include "buf.h"
#include "baskets.h"
#include "bstream.h"

/* ---- the temporary file ---- */

#define SPOOL_BUF (1 << 20)

/* The file, once the buffer is full: small inputs never touch the disk. */
static void
spool_open(struct spool *s)
{
	const char *dir = getenv("TMPDIR");
	struct buf path;

	if (!dir || !*dir)
		dir = "/tmp";
	buf_init(&path);
	buf_printf(&path, "%s/xsell-learn-XXXXXX", dir);
	buf_str(&path);
	s->fd = mkstemp(path.s);
	if (s->fd < 0)
		die(XS_SYS, "temporary file in %s: %s", dir, strerror(errno));
	/* Gone from the directory at once: nothing is left behind, even
	 * after a kill; the space comes back when the file is closed. */
	unlink(path.s);
	buf_free(&path);
	s->file = 1;
}

static void
spool_close(struct spool *s)
{
	if (s->file)
		close(s->fd);
	free(s->buf);
	memset(s, 0, sizeof *s);
}

static void
spool_flush(struct spool *s)
{
	size_t done = 0;

	while (done < s->len) {
		ssize_t r = write(s->fd, s->buf + done, s->len - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die(XS_SYS, "temporary file: %s", strerror(errno));
		done += (size_t)r;
	}
	s->len = 0;
}

static void
spool_write(struct spool *s, const void *p, size_t n)
{
	if (!s->buf) {
		s->cap = SPOOL_BUF;
		s->buf = xmalloc(s->cap);
	}
	if (s->len + n > s->cap) {
		if (!s->file)
			spool_open(s);
		spool_flush(s);
		while (n > s->cap) {
			s->cap *= 2;
			s->buf = xrealloc(s->buf, s->cap);
		}
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->bytes += n;
}

static void
spool_rewind(struct spool *s)
{
	if (!s->buf)
		return;
	if (!s->file) {
		/* All in the buffer: read it there. */
		s->reading = 1;
		s->pos = 0;
		return;
	}
	if (!s->reading)
		spool_flush(s);
	if (lseek(s->fd, 0, SEEK_SET) < 0)
		die(XS_SYS, "temporary file: %s", strerror(errno));
	s->reading = 1;
	s->eof = 0;
	s->len = s->pos = 0;
}

/* The next n bytes, contiguous (4-byte aligned when every read is a
 * multiple of 4), valid until the next call; NULL at the end. */
static const void *
spool_get(struct spool *s, size_t n)
{
	const unsigned char *p;

	if (!s->buf)
		return NULL;
	if (s->len - s->pos < n && !s->file) {
		if (s->len == s->pos)
			return NULL;
		die(XS_SYS, "temporary file: shorter than written");
	}
	if (s->len - s->pos < n) {
		size_t have = s->len - s->pos;

		memmove(s->buf, s->buf + s->pos, have);
		s->len = have;
		s->pos = 0;
		while (n > s->cap) {
			s->cap *= 2;
			s->buf = xrealloc(s->buf, s->cap);
		}
		while (s->len < n && !s->eof) {
			ssize_t r = read(s->fd, s->buf + s->len, s->cap - s->len);

			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				die(XS_SYS, "temporary file: %s", strerror(errno));
			if (r == 0)
				s->eof = 1;
			s->len += (size_t)r;
		}
		if (s->len < n) {
			if (s->len == 0)
				return NULL;
			die(XS_SYS, "temporary file: shorter than written");
		}
	}
	p = s->buf + s->pos;
	s->pos += n;
	return p;
}

/* ---- reading the lines ---- */

/* The orders the keys may keep; each is a strict total order, so keys
 * that keep one all the way are all different. */
enum {
	O_BYTES_UP = 1, O_BYTES_DOWN = 2, O_NUM_UP = 4, O_NUM_DOWN = 8,
	O_ALL = 15
};

/* A basket record: n | EXC, the key's length, the key padded to 4
 * bytes, the ts (with_ts), the items, and with EXC the quantities other
 * than 1 as (index, float) pairs after their count. */
#define EXC 0x80000000u

void
bstream_init(struct bstream *s, int with_ts, uint32_t max_items)
{
	memset(s, 0, sizeof *s);
	s->with_ts = with_ts;
	s->max_items = max_items;
	s->order = O_ALL;
	s->maxts = INT64_MIN;
	buf_init(&s->key);
}

void
bstream_free(struct bstream *s)
{
	spool_close(&s->runs);
	spool_close(&s->kept);
	free(s->cur);
	free(s->sub);
	free(s->usz);
	free(s->icnt);
	buf_free(&s->key);
	memset(s, 0, sizeof *s);
}

static void
grow_sub(struct bstream *s, size_t n)
{
	if (n <= s->capsub)
		return;
	s->capsub = n < 64 ? 64 : n * 2;
	s->sub = xreallocarray(s->sub, s->capsub, sizeof *s->sub);
}

/* The netted basket in cur[0, n) counted as keep() will find it. */
static void
count_basket(struct bstream *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += s->cur[i].q > 0;
	if (k == 0) {
		s->est.empty++;
		return;
	}
	if (s->max_items && k > s->max_items) {
		s->est.big++;
		return;
	}
	s->est.kept++;
	s->est.incidences += k;
	s->en++;
	for (size_t i = 0; i < n; i++) {
		uint32_t x = s->cur[i].item;

		if (x >= s->capicnt) {
			size_t cap = s->capicnt ? s->capicnt : 1024;

			while (cap <= x)
				cap *= 2;
			s->icnt = xreallocarray(s->icnt, cap, sizeof *s->icnt);
			memset(s->icnt + s->capicnt, 0,
			    (cap - s->capicnt) * sizeof *s->icnt);
			s->capicnt = cap;
		}
		s->icnt[x] += s->cur[i].q > 0;
	}
}

/* The netted basket in cur, as one record (see EXC) put in one write:
 * four small writes cost more than the copying. */
static void
flush_basket(struct bstream *s)
{
	size_t n = bsk_net(s->cur, s->ncur), ne = 0, kw, k;
	uint32_t *w;

	if (n >= EXC)
		die(XS_SYS, "an order of more than %u products", EXC - 1);
	if (!s->with_ts)
		count_basket(s, n);
	for (size_t i = 0; i < n; i++)
		ne += s->cur[i].q != 1;
	kw = (s->key.len + 3) / 4;
	grow_sub(s, 2 + kw + 2 + n + 1 + 2 * ne);
	w = s->sub;
	w[0] = (uint32_t)n | (ne ? EXC : 0);
	w[1] = (uint32_t)s->key.len;
	if (kw) {
		w[1 + kw] = 0;	/* the key's padding */
		memcpy(w + 2, s->key.s, s->key.len);
	}
	k = 2 + kw;
	if (s->with_ts) {
		w[k++] = (uint32_t)(uint64_t)s->curts;
		w[k++] = (uint32_t)((uint64_t)s->curts >> 32);
		if (s->curts > s->maxts)
			s->maxts = s->curts;
	}
	for (size_t i = 0; i < n; i++)
		w[k++] = s->cur[i].item;
	if (ne) {
		w[k++] = (uint32_t)ne;
		for (size_t i = 0; i < n; i++) {
			if (s->cur[i].q == 1)
				continue;
			w[k++] = (uint32_t)i;
			memcpy(&w[k++], &s->cur[i].q, sizeof s->cur[i].q);
		}
	}
	spool_write(&s->runs, w, k * sizeof *w);
	s->nbaskets++;
	s->ncur = 0;
	s->open = 0;
}

static int
all_digits(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int
cmp_bytes(const char *a, size_t na, const char *b, size_t nb)
{
	int c = memcmp(a, b, na < nb ? na : nb);

	return c ? c : (na > nb) - (na < nb);
}

/* Keys of digits first, by value (then as bytes: 07 and 7 differ), then
 * the others as bytes; da, db: whether a and b are all digits. */
static int
cmp_num(const char *a, size_t na, int da, const char *b, size_t nb, int db)
{
	size_t za = 0, zb = 0;
	int c;

	if (da != db)
		return da ? -1 : 1;
	if (!da)
		return cmp_bytes(a, na, b, nb);
	while (za + 1 < na && a[za] == '0')
		za++;
	while (zb + 1 < nb && b[zb] == '0')
		zb++;
	if (na - za != nb - zb)
		return na - za < nb - zb ? -1 : 1;
	c = memcmp(a + za, b + zb, na - za);
	return c ? c : cmp_bytes(a, na, b, nb);
}

int
bstream_key(struct bstream *s, const char *key, size_t len)
{
	int dig = all_digits(key, len);

	if (s->open) {
		/* The lines of another shard came between: the same basket. */
		if (len == s->key.len && memcmp(key, s->key.s, len) == 0)
			return 1;
		/* Only the orders still kept are compared: after a few keys,
		 * one or two. */
		if (s->order & (O_BYTES_UP | O_BYTES_DOWN))
			s->order &= cmp_bytes(s->key.s, s->key.len, key, len) < 0 ?
			    ~(unsigned)O_BYTES_DOWN : ~(unsigned)O_BYTES_UP;
		if (s->order & (O_NUM_UP | O_NUM_DOWN))
			s->order &= cmp_num(s->key.s, s->key.len, s->keydig, key,
			    len, dig) < 0 ? ~(unsigned)O_NUM_DOWN :
			    ~(unsigned)O_NUM_UP;
		flush_basket(s);
		if (!s->order)
			return 0;
	}
	buf_reset(&s->key);
	buf_put(&s->key, key, len);
	s->keydig = dig;
	s->open = 1;
	s->curts = INT64_MIN;
	return 1;
}

void
bstream_line(struct bstream *s, uint32_t item, double qty, int64_t ts)
{
	if (s->ncur == s->capcur) {
		s->capcur = s->capcur ? s->capcur * 2 : 64;
		s->cur = xreallocarray(s->cur, s->capcur, sizeof *s->cur);
	}
	s->cur[s->ncur].item = item;
	s->cur[s->ncur].q = (float)qty;
	s->ncur++;
	if (ts > s->curts)
		s->curts = ts;
}

void
bstream_end(struct bstream *s)
{
	if (s->open)
		flush_basket(s);
}

/* The next basket of the first file into cur[0, n): 0 at the end. */
static int
next_basket(struct bstream *s, size_t *n, int64_t *ts, int want_key)
{
	const uint32_t *w = spool_get(&s->runs, 8);
	uint32_t hdr, klen;
	size_t cnt;

	if (!w)
		return 0;
	hdr = w[0];
	klen = w[1];
	if (klen) {
		const char *k = spool_get(&s->runs, (klen + 3) / 4 * 4);

		if (want_key) {
			buf_reset(&s->key);
			buf_put(&s->key, k, klen);
		}
	}
	*ts = 0;
	if (s->with_ts) {
		w = spool_get(&s->runs, 8);
		*ts = (int64_t)((uint64_t)w[1] << 32 | w[0]);
	}
	cnt = hdr & ~EXC;
	if (cnt > s->capcur) {
		s->capcur = cnt;
		s->cur = xreallocarray(s->cur, s->capcur, sizeof *s->cur);
	}
	w = spool_get(&s->runs, cnt * 4);
	for (size_t i = 0; i < cnt; i++) {
		s->cur[i].item = w[i];
		s->cur[i].q = 1;
	}
	if (hdr & EXC) {
		uint32_t ne = *(const uint32_t *)spool_get(&s->runs, 4);

		w = spool_get(&s->runs, (size_t)ne * 8);
		for (uint32_t j = 0; j < ne; j++)
			memcpy(&s->cur[w[2 * j]].q, &w[2 * j + 1], sizeof (float));
	}
	*n = cnt;
	return 1;
}

void
bstream_replay(struct bstream *s, bstream_replay_fn *fn, void *ctx)
{
	size_t n;
	int64_t ts;

	spool_rewind(&s->runs);
	while (next_basket(s, &n, &ts, 1))
		fn(ctx, s->key.s, s->key.len, ts, s->cur, n);
}

/* ---- reading back ---- */

/* Whether the basket in cur counts (its items of net quantity > 0 left
 * in cur[0, *n)), and its weight. */
static int
keep(struct bstream *s, size_t *n, int64_t ts, uint64_t *w,
    struct bsk_stats *st)
{
	size_t k = 0;

	for (size_t i = 0; i < *n; i++)
		if (s->cur[i].q > 0)
			s->cur[k++] = s->cur[i];
	*n = k;
	if (k == 0) {
		st->empty++;
		return 0;
	}
	if (s->max_items && k > s->max_items) {
		st->big++;
		return 0;
	}
	*w = s->weight ? s->weight(s->wctx, ts) : 1;
	if (*w == 0) {
		st->weightless++;
		return 0;
	}
	return 1;
}

void
bstream_count(struct bstream *s, bstream_weight_fn *weight, void *wctx,
    struct bsk_stats *st, uint64_t *cnt, uint32_t nitems, uint64_t *n)
{
	size_t k;
	int64_t ts;
	uint64_t w;

	s->weight = weight;
	s->wctx = wctx;
	if (!weight) {
		size_t have = s->capicnt < nitems ? s->capicnt : nitems;

		*st = s->est;
		st->runs = s->nbaskets;
		*n = s->en;
		if (have)
			memcpy(cnt, s->icnt, have * sizeof *cnt);
		memset(cnt + have, 0, (nitems - have) * sizeof *cnt);
		return;
	}
	memset(st, 0, sizeof *st);
	st->runs = s->nbaskets;
	*n = 0;
	memset(cnt, 0, (size_t)nitems * sizeof *cnt);
	spool_rewind(&s->runs);
	while (next_basket(s, &k, &ts, 0)) {
		if (!keep(s, &k, ts, &w, st))
			continue;
		st->kept++;
		st->incidences += k;
		*n += w;
		for (size_t i = 0; i < k; i++)
			cnt[s->cur[i].item] += w;
	}
}

/* A kept basket's subjects sub[0, m) to the second file: 16 bits each
 * when narrow (padded to a multiple of 4 bytes), else 32. */
static void
keep_subjects(struct bstream *s, uint32_t m, uint64_t w, uint64_t hdr)
{
	uint32_t head[3];

	/* Renamed items need not keep their order (a numbering in the
	 * items' order keeps it, and then nothing moves). */
	for (uint32_t i = 1; i < m; i++) {
		uint32_t x = s->sub[i], j = i;

		for (; j > 0 && s->sub[j - 1] > x; j--)
			s->sub[j] = s->sub[j - 1];
		s->sub[j] = x;
	}
	head[0] = m;
	head[1] = (uint32_t)w;
	head[2] = (uint32_t)(w >> 32);
	spool_write(&s->kept, head, s->weight ? 12 : 4);
	if (s->narrow) {
		uint16_t *n16 = (uint16_t *)(s->sub + m);

		/* sub has room for 2m + 1 words (grow_sub) */
		for (uint32_t i = 0; i < m; i++)
			n16[i] = (uint16_t)s->sub[i];
		n16[m] = 0;
		spool_write(&s->kept, n16, (size_t)(m + 1) / 2 * 4);
	} else {
		spool_write(&s->kept, s->sub, (size_t)m * sizeof *s->sub);
	}
	for (uint32_t i = 0; i + 1 < m; i++)
		s->usz[s->sub[i]] += m - 1 - i + hdr;
	s->nkept++;
}

/* A basket's quantities other than 1, after its items: the items of net
 * quantity not above 0 unnamed in sub; returns how many. */
static size_t
dropped(struct bstream *s)
{
	uint32_t ne = *(const uint32_t *)spool_get(&s->runs, 4);
	const uint32_t *x = spool_get(&s->runs, (size_t)ne * 8);
	size_t d = 0;

	for (uint32_t j = 0; j < ne; j++) {
		float q;

		memcpy(&q, &x[2 * j + 1], sizeof q);
		if (q > 0)
			continue;
		s->sub[x[2 * j]] = UINT32_MAX;
		d++;
	}
	return d;
}

/*
 * The next basket's subjects into sub[0, *m) and its weight: 0 at the
 * end. Without weights a basket is renamed straight from the file, as
 * keep() would keep it, without its copy into cur: an item whose net
 * quantity is not above 0 is dropped, and a basket of more than
 * max_items left is skipped.
 */
static int
next_subjects(struct bstream *s, const uint32_t *newid, uint32_t *m,
    uint64_t *w, struct bsk_stats *st)
{
	const uint32_t *h;
	size_t k, left;
	uint32_t exc;
	int64_t ts;

	for (;;) {
		if (s->with_ts) {
			if (!next_basket(s, &k, &ts, 0))
				return 0;
			if (!keep(s, &k, ts, w, st))
				continue;
			grow_sub(s, 2 * k + 1);
			for (size_t i = 0; i < k; i++)
				s->sub[i] = newid[s->cur[i].item];
		} else {
			if (!(h = spool_get(&s->runs, 8)))
				return 0;
			k = h[0] & ~EXC;
			exc = h[0] & EXC;
			left = k;
			if (h[1])
				spool_get(&s->runs, (h[1] + 3) / 4 * 4);
			grow_sub(s, 2 * k + 1);
			/* subjects by place first: the quantities come after */
			h = spool_get(&s->runs, k * 4);
			for (size_t i = 0; i < k; i++)
				s->sub[i] = newid[h[i]];
			if (exc)
				left -= dropped(s);
			if (left == 0 || (s->max_items && left > s->max_items))
				continue;
			*w = 1;
		}
		*m = 0;
		for (size_t i = 0; i < k; i++)
			if (s->sub[i] != UINT32_MAX)
				s->sub[(*m)++] = s->sub[i];
		return 1;
	}
}

uint64_t
bstream_prune(struct bstream *s, const uint32_t *newid, uint32_t nsub)
{
	struct bsk_stats st;
	uint64_t w;
	uint32_t m;
	/* A row's suffixes: their items, and with weights a header each
	 * (length and weight: 3 words). */
	uint64_t hdr = s->weight ? 3 : 0;

	memset(&st, 0, sizeof st);
	s->nsub = nsub;
	/* Half the bytes to write, read back and gather when the subjects'
	 * ids fit in 16 bits (with weights the rows hold 32-bit headers). */
	s->narrow = !s->weight && nsub <= 65536;
	s->usz = xcalloc((size_t)nsub + 1, sizeof *s->usz);
	s->nkept = 0;
	spool_rewind(&s->runs);
	while (next_subjects(s, newid, &m, &w, &st))
		if (m >= 2)
			keep_subjects(s, m, w, hdr);
	return s->nkept;
}

/* Subject i of a basket of the second file or of a block. */
static inline uint32_t
sub_at(const void *v, size_t i, int narrow)
{
	return narrow ? ((const uint16_t *)v)[i] : ((const uint32_t *)v)[i];
}

/* The next basket of the second file: its subjects, or NULL. */
static const void *
next_kept(struct bstream *s, uint32_t *m, uint64_t *w)
{
	const uint32_t *h = spool_get(&s->kept, s->weight ? 12 : 4);

	if (!h)
		return NULL;
	*m = h[0];
	*w = s->weight ? (uint64_t)h[2] << 32 | h[1] : 1;
	return spool_get(&s->kept, s->narrow ? (size_t)(*m + 1) / 2 * 4 :
	    (size_t)*m * 4);
}

static size_t
add_suffix(uint64_t *cnt, uint32_t *touched, size_t nt, const uint32_t *x,
    size_t n, uint64_t w)
{
	for (size_t i = 0; i < n; i++) {
		if (!cnt[x[i]])
			touched[nt++] = x[i];
		cnt[x[i]] += w;
	}
	return nt;
}

/* add_suffix of a narrow suffix, weight 1. */
static size_t
add_suffix16(uint64_t *cnt, uint32_t *touched, size_t nt, const uint16_t *x,
    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!cnt[x[i]])
			touched[nt++] = x[i];
		cnt[x[i]]++;
	}
	return nt;
}

static size_t
add_any(const struct bstream *s, uint64_t *cnt, uint32_t *touched, size_t nt,
    const void *x, size_t from, size_t n, uint64_t w)
{
	if (s->narrow)
		return add_suffix16(cnt, touched, nt, (const uint16_t *)x + from, n);
	return add_suffix(cnt, touched, nt, (const uint32_t *)x + from, n, w);
}

/* One subject whose row is larger than the block: summed from the file. */
static size_t
row_direct(struct bstream *s, uint32_t a, uint64_t *cnt, uint32_t *touched)
{
	const void *it;
	uint32_t m;
	uint64_t w;
	size_t nt = 0;

	spool_rewind(&s->kept);
	while ((it = next_kept(s, &m, &w))) {
		uint32_t p = 0;

		while (p + 1 < m && sub_at(it, p, s->narrow) < a)
			p++;
		if (p + 1 < m && sub_at(it, p, s->narrow) == a)
			nt = add_any(s, cnt, touched, nt, it, p + 1, m - 1 - p, w);
	}
	return nt;
}

/* Suffixes are a few items long: a loop beats a call to memcpy. */
static inline void
copy16(unsigned char *to, const unsigned char *from, uint32_t n)
{
	uint16_t *t = (uint16_t *)(void *)to;
	const uint16_t *f = (const uint16_t *)(const void *)from;

	for (uint32_t i = 0; i < n; i++)
		t[i] = f[i];
}

/* The suffixes of the subjects lo .. hi - 1 into blk (of elements of es
 * bytes), each subject's at off[a - lo] .. off[a - lo + 1]. */
static void
gather(struct bstream *s, uint32_t lo, uint32_t hi, unsigned char *blk,
    uint64_t *off)
{
	const unsigned char *it;
	size_t es = s->narrow ? 2 : 4;
	uint32_t m;
	uint64_t w;

	spool_rewind(&s->kept);
	while ((it = next_kept(s, &m, &w))) {
		if (sub_at(it, 0, s->narrow) >= hi ||
		    sub_at(it, m - 1, s->narrow) < lo)
			continue;
		for (uint32_t p = 0; p + 1 < m; p++) {
			uint32_t a = sub_at(it, p, s->narrow), len = m - 1 - p;
			unsigned char *o;

			if (a < lo)
				continue;
			if (a >= hi)
				break;
			o = blk + off[a - lo] * es;
			if (s->weight) {	/* never narrow */
				uint32_t h[3] = { len, (uint32_t)w,
				    (uint32_t)(w >> 32) };

				memcpy(o, h, sizeof h);
				o += sizeof h;
				off[a - lo] += 3;
			}
			if (s->narrow)	/* short: no call to memcpy */
				copy16(o, it + (p + 1) * es, len);
			else
				memcpy(o, it + (p + 1) * es, (size_t)len * es);
			off[a - lo] += len;
		}
	}
}

/* The row of subject a from its suffixes in blk[from, to). */
static size_t
block_row(const struct bstream *s, const unsigned char *blk, uint64_t from,
    uint64_t to, uint64_t *cnt, uint32_t *touched)
{
	const uint32_t *p, *e;
	size_t nt = 0;

	if (!s->weight)
		return add_any(s, cnt, touched, 0, blk, (size_t)from,
		    (size_t)(to - from), 1);
	p = (const uint32_t *)blk + from;
	e = (const uint32_t *)blk + to;
	while (p < e) {
		uint64_t w = (uint64_t)p[2] << 32 | p[1];

		nt = add_suffix(cnt, touched, nt, p + 3, p[0], w);
		p += 3 + p[0];
	}
	return nt;
}

uint64_t
bstream_rows(struct bstream *s, size_t memory, bstream_row_fn *fn, void *ctx)
{
	uint64_t *cnt = xcalloc((size_t)s->nsub + 1, sizeof *cnt);
	uint32_t *touched = xreallocarray(NULL, (size_t)s->nsub + 1,
	    sizeof *touched);
	size_t es = s->narrow ? 2 : 4;
	uint64_t cap = memory / es ? memory / es : 1, distinct = 0;
	unsigned char *blk = NULL;
	uint64_t *off = NULL;

	for (uint32_t lo = 0, hi; lo < s->nsub; lo = hi) {
		uint64_t tot = s->usz[lo];

		for (hi = lo + 1; hi < s->nsub && tot + s->usz[hi] <= cap; hi++)
			tot += s->usz[hi];
		if (tot > cap) {
			size_t nt = row_direct(s, lo, cnt, touched);

			distinct += nt;
			fn(ctx, lo, cnt, touched, nt);
			bsk_row_clear(cnt, touched, nt);
			continue;
		}
		blk = xreallocarray(blk, tot + 1, es);
		off = xreallocarray(off, (size_t)(hi - lo) + 1, sizeof *off);
		off[0] = 0;
		for (uint32_t a = lo; a < hi; a++)
			off[a - lo + 1] = off[a - lo] + s->usz[a];
		if (tot)
			gather(s, lo, hi, blk, off);
		/* gather moved each start to the next one's: back by one. */
		for (uint32_t a = hi; a > lo; a--)
			off[a - lo] = off[a - lo - 1];
		off[0] = 0;
		for (uint32_t a = lo; a < hi; a++) {
			size_t nt = block_row(s, blk, off[a - lo], off[a - lo + 1],
			    cnt, touched);

			distinct += nt;
			fn(ctx, a, cnt, touched, nt);
			bsk_row_clear(cnt, touched, nt);
		}
		/* A block's buffer is freed before the next is taken, so
		 * that memory holds one block, not two. */
		free(blk);
		blk = NULL;
	}
	free(blk);
	free(off);
	free(cnt);
	free(touched);
	return distinct;
}
