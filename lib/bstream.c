/* bstream.c: pair counts from grouped order lines, baskets spilled to disk. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xsell.h"
#include "buf.h"
#include "baskets.h"
#include "bstream.h"
#include "ncpu.h"

/* ---- the temporary file ---- */

#define SPOOL_BUF (1 << 20)
/* A reader's: reads of this size go as fast as larger ones. */
#define SPOOL_RD (256 << 10)

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

/* Before reading: what is still in the buffer goes to the file, and
 * the buffer is let go (readers have their own). */
static void
spool_end(struct spool *s)
{
	if (!s->file)
		return;
	if (s->len)
		spool_flush(s);
	free(s->buf);
	s->buf = NULL;
	s->cap = 0;
}

/* A reader of bytes [from, to) of a spool, with a buffer of its own when
 * the spool is a file (pread): two threads can read one spool at once. */
struct spool_rd {
	const struct spool *sp;
	const unsigned char *p;	/* the bytes: the spool's or buf */
	unsigned char *buf;
	size_t cap, len, pos;	/* unread: p[pos, len) */
	uint64_t off, end;	/* the file's bytes not yet read */
};

static void
rd_open(struct spool_rd *r, const struct spool *sp, uint64_t from,
    uint64_t to)
{
	memset(r, 0, sizeof *r);
	r->sp = sp;
	if (!sp->file) {
		r->p = sp->buf;
		r->pos = (size_t)from;
		r->len = (size_t)to;
		return;
	}
	r->cap = SPOOL_RD;
	r->p = r->buf = xmalloc(r->cap);
	r->off = from;
	r->end = to;
}

static void
rd_close(struct spool_rd *r)
{
	free(r->buf);
	memset(r, 0, sizeof *r);
}

static void
rd_fill(struct spool_rd *r, size_t n)
{
	size_t have = r->len - r->pos;

	memmove(r->buf, r->buf + r->pos, have);
	r->len = have;
	r->pos = 0;
	while (n > r->cap) {
		r->cap *= 2;
		r->buf = xrealloc(r->buf, r->cap);
	}
	r->p = r->buf;
	while (r->len < n && r->off < r->end) {
		size_t want = r->cap - r->len;
		ssize_t got;

		if (want > r->end - r->off)
			want = (size_t)(r->end - r->off);
		got = pread(r->sp->fd, r->buf + r->len, want, (off_t)r->off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			die(XS_SYS, "temporary file: %s", strerror(errno));
		if (got == 0)
			break;
		r->len += (size_t)got;
		r->off += (uint64_t)got;
	}
}

/* The next n bytes, contiguous (4-byte aligned when every read is a
 * multiple of 4), valid until the next call; NULL at the end. */
static const void *
rd_get(struct spool_rd *r, size_t n)
{
	const unsigned char *p;

	if (r->len - r->pos < n) {
		if (r->sp->file)
			rd_fill(r, n);
		if (r->len - r->pos < n) {
			if (r->len == r->pos)
				return NULL;
			die(XS_SYS, "temporary file: shorter than written");
		}
	}
	p = r->p + r->pos;
	r->pos += n;
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

/* A basket every so many starts a part: far more baskets than that make
 * two parts worth their thread. */
#define MARK_EVERY (1u << 16)

void
bstream_init(struct bstream *s, int with_ts)
{
	memset(s, 0, sizeof *s);
	s->with_ts = with_ts;
	s->order = O_ALL;
	s->maxts = INT64_MIN;
	s->ncpu = ncpu();
	buf_init(&s->key);
}

void
bstream_free(struct bstream *s)
{
	spool_close(&s->runs);
	for (int i = 0; i < NKEPT; i++)
		spool_close(&s->kept[i]);
	free(s->mark);
	free(s->cur);
	free(s->sub);
	free(s->usz);
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

static void
flush_basket(struct bstream *s)
{
	size_t n = bsk_net(s->cur, s->ncur), ne = 0;
	uint32_t w[2], pad = 0;

	if (s->nbaskets && s->nbaskets % MARK_EVERY == 0) {
		if (s->nmark == s->capmark) {
			s->capmark = s->capmark ? 2 * s->capmark : 16;
			s->mark = xreallocarray(s->mark, s->capmark,
			    sizeof *s->mark);
		}
		s->mark[s->nmark++] = s->runs.bytes;
	}

	if (n >= EXC)
		die(XS_SYS, "an order of more than %u products", EXC - 1);
	for (size_t i = 0; i < n; i++)
		ne += s->cur[i].q != 1;
	w[0] = (uint32_t)n | (ne ? EXC : 0);
	w[1] = (uint32_t)s->key.len;
	spool_write(&s->runs, w, sizeof w);
	spool_write(&s->runs, s->key.s, s->key.len);
	spool_write(&s->runs, &pad, (4 - s->key.len % 4) % 4);
	if (s->with_ts) {
		w[0] = (uint32_t)(uint64_t)s->curts;
		w[1] = (uint32_t)((uint64_t)s->curts >> 32);
		spool_write(&s->runs, w, sizeof w);
		if (s->curts > s->maxts)
			s->maxts = s->curts;
	}
	grow_sub(s, 2 * n + 1);
	for (size_t i = 0; i < n; i++)
		s->sub[i] = s->cur[i].item;
	spool_write(&s->runs, s->sub, n * sizeof *s->sub);
	if (ne) {
		size_t k = 0;

		s->sub[k++] = (uint32_t)ne;
		for (size_t i = 0; i < n; i++) {
			if (s->cur[i].q == 1)
				continue;
			s->sub[k++] = (uint32_t)i;
			memcpy(&s->sub[k++], &s->cur[i].q, sizeof s->cur[i].q);
		}
		spool_write(&s->runs, s->sub, k * sizeof *s->sub);
	}
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
 * the others as bytes. */
static int
cmp_num(const char *a, size_t na, const char *b, size_t nb)
{
	int da = all_digits(a, na), db = all_digits(b, nb);
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
	if (s->open) {
		int cb, cn;

		/* The lines of another shard came between: the same basket. */
		if (len == s->key.len && memcmp(key, s->key.s, len) == 0)
			return 1;
		cb = cmp_bytes(s->key.s, s->key.len, key, len);
		cn = cmp_num(s->key.s, s->key.len, key, len);
		s->order &= (cb < 0 ? O_BYTES_UP : O_BYTES_DOWN) |
		    (cn < 0 ? O_NUM_UP : O_NUM_DOWN);
		flush_basket(s);
		if (!s->order)
			return 0;
	}
	buf_reset(&s->key);
	buf_put(&s->key, key, len);
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

/* ---- reading back, in up to two parts at once ---- */

/*
 * A part of the reading back: the baskets of a range of the first file,
 * read by one thread with state of its own. Its results (counts, a
 * second file, suffix sizes) are added to the other part's afterwards,
 * in input order, so that one part or two give the same bytes.
 */
struct part {
	struct bstream *s;
	struct spool_rd rd;
	struct bsk_line *cur;	/* the basket read */
	size_t capcur;
	uint32_t *sub;
	size_t capsub;
	struct bsk_stats st;
	uint64_t *cnt, n;	/* bstream_count */
	const uint32_t *newid;	/* bstream_prune */
	struct spool *kept;
	uint64_t *usz, nkept;
};

/* The parts of the first file: two, split at the mark nearest its
 * middle, when there are marks and cores for them. */
static int
parts_open(struct bstream *s, struct part *pt)
{
	uint64_t end = s->runs.bytes, cut = end;
	int np = 1;

	spool_end(&s->runs);
	for (size_t i = 0; i < s->nmark; i++)
		if (cut == end || (s->mark[i] > end / 2 ? s->mark[i] - end / 2 :
		    end / 2 - s->mark[i]) < (cut > end / 2 ? cut - end / 2 :
		    end / 2 - cut))
			cut = s->mark[i];
	if (cut < end && s->ncpu > 1)
		np = 2;
	memset(pt, 0, 2 * sizeof *pt);
	for (int i = 0; i < np; i++) {
		pt[i].s = s;
		rd_open(&pt[i].rd, &s->runs, i ? cut : 0, np > 1 && !i ? cut : end);
	}
	return np;
}

static void
parts_close(struct part *pt, int np)
{
	for (int i = 0; i < np; i++) {
		rd_close(&pt[i].rd);
		free(pt[i].cur);
		free(pt[i].sub);
	}
}

/* fn(arg0), and fn(arg1) unless NULL: in a thread of its own when par
 * and a thread can be had, after fn(arg0) otherwise. The results are the
 * same either way. */
static void
both(void *(*fn)(void *), void *arg0, void *arg1, int par)
{
	pthread_t t;
	int started = 0;

	if (arg1 && par)
		started = pthread_create(&t, NULL, fn, arg1) == 0;
	fn(arg0);
	if (started)
		pthread_join(t, NULL);
	else if (arg1)
		fn(arg1);
}

/* The next basket of the part into cur[0, n), its key into key when not
 * NULL: 0 at the end. */
static int
next_basket(struct part *pt, size_t *n, int64_t *ts, struct buf *key)
{
	const uint32_t *w = rd_get(&pt->rd, 8);
	uint32_t hdr, klen;
	size_t cnt;

	if (!w)
		return 0;
	hdr = w[0];
	klen = w[1];
	if (klen) {
		const char *k = rd_get(&pt->rd, (klen + 3) / 4 * 4);

		if (key) {
			buf_reset(key);
			buf_put(key, k, klen);
		}
	}
	*ts = 0;
	if (pt->s->with_ts) {
		w = rd_get(&pt->rd, 8);
		*ts = (int64_t)((uint64_t)w[1] << 32 | w[0]);
	}
	cnt = hdr & ~EXC;
	if (cnt > pt->capcur) {
		pt->capcur = cnt;
		pt->cur = xreallocarray(pt->cur, pt->capcur, sizeof *pt->cur);
	}
	w = rd_get(&pt->rd, cnt * 4);
	for (size_t i = 0; i < cnt; i++) {
		pt->cur[i].item = w[i];
		pt->cur[i].q = 1;
	}
	if (hdr & EXC) {
		uint32_t ne = *(const uint32_t *)rd_get(&pt->rd, 4);

		w = rd_get(&pt->rd, (size_t)ne * 8);
		for (uint32_t j = 0; j < ne; j++)
			memcpy(&pt->cur[w[2 * j]].q, &w[2 * j + 1], sizeof (float));
	}
	*n = cnt;
	return 1;
}

void
bstream_replay(struct bstream *s, bstream_replay_fn *fn, void *ctx)
{
	struct part pt;
	struct buf key;
	size_t n;
	int64_t ts;

	spool_end(&s->runs);
	memset(&pt, 0, sizeof pt);
	pt.s = s;
	rd_open(&pt.rd, &s->runs, 0, s->runs.bytes);
	buf_init(&key);
	while (next_basket(&pt, &n, &ts, &key))
		fn(ctx, key.s, key.len, ts, pt.cur, n);
	buf_free(&key);
	parts_close(&pt, 1);
}

/* Whether the basket in cur counts (its items of net quantity > 0 left
 * in cur[0, *n)), and its weight. */
static int
keep(struct part *pt, size_t *n, int64_t ts, uint64_t *w)
{
	const struct bstream *s = pt->s;
	size_t k = 0;

	for (size_t i = 0; i < *n; i++)
		if (pt->cur[i].q > 0)
			pt->cur[k++] = pt->cur[i];
	*n = k;
	if (k == 0) {
		pt->st.empty++;
		return 0;
	}
	if (s->max_items && k > s->max_items) {
		pt->st.big++;
		return 0;
	}
	*w = s->weight ? s->weight(s->wctx, ts) : 1;
	if (*w == 0) {
		pt->st.weightless++;
		return 0;
	}
	return 1;
}

static void *
count_part(void *arg)
{
	struct part *pt = arg;
	size_t k;
	int64_t ts;
	uint64_t w;

	while (next_basket(pt, &k, &ts, NULL)) {
		if (!keep(pt, &k, ts, &w))
			continue;
		pt->st.kept++;
		pt->st.incidences += k;
		pt->n += w;
		for (size_t i = 0; i < k; i++)
			pt->cnt[pt->cur[i].item] += w;
	}
	return NULL;
}

static void
add_stats(struct bsk_stats *to, const struct bsk_stats *st)
{
	to->empty += st->empty;
	to->big += st->big;
	to->weightless += st->weightless;
	to->kept += st->kept;
	to->incidences += st->incidences;
}

void
bstream_count(struct bstream *s, bstream_weight_fn *weight, void *wctx,
    uint32_t max_items, struct bsk_stats *st, uint64_t *cnt, size_t ncnt,
    uint64_t *n)
{
	struct part pt[2];
	int np;

	s->weight = weight;
	s->wctx = wctx;
	s->max_items = max_items;
	np = parts_open(s, pt);
	pt[0].cnt = cnt;
	if (np > 1)
		pt[1].cnt = xcalloc(ncnt, sizeof *cnt);
	both(count_part, &pt[0], np > 1 ? &pt[1] : NULL, 1);
	memset(st, 0, sizeof *st);
	st->runs = s->nbaskets;
	*n = 0;
	for (int i = 0; i < np; i++) {
		add_stats(st, &pt[i].st);
		*n += pt[i].n;
	}
	if (np > 1) {
		for (size_t i = 0; i < ncnt; i++)
			cnt[i] += pt[1].cnt[i];
		free(pt[1].cnt);
	}
	parts_close(pt, np);
}

static void
part_grow_sub(struct part *pt, size_t n)
{
	if (n <= pt->capsub)
		return;
	pt->capsub = n < 64 ? 64 : n * 2;
	pt->sub = xreallocarray(pt->sub, pt->capsub, sizeof *pt->sub);
}

static void *
prune_part(void *arg)
{
	struct part *pt = arg;
	const struct bstream *s = pt->s;
	size_t k;
	int64_t ts;
	uint64_t w;
	/* A row's suffixes: their items, and with weights a header each
	 * (length and weight: 3 words). */
	uint64_t hdr = s->weight ? 3 : 0;

	while (next_basket(pt, &k, &ts, NULL)) {
		uint32_t m = 0, head[3], *sub;

		if (!keep(pt, &k, ts, &w))
			continue;
		part_grow_sub(pt, k);
		sub = pt->sub;
		for (size_t i = 0; i < k; i++)
			if (pt->newid[pt->cur[i].item] != UINT32_MAX)
				sub[m++] = pt->newid[pt->cur[i].item];
		if (m < 2)
			continue;
		/* Renamed items need not keep their order. */
		for (uint32_t i = 1; i < m; i++) {
			uint32_t x = sub[i], j = i;

			for (; j > 0 && sub[j - 1] > x; j--)
				sub[j] = sub[j - 1];
			sub[j] = x;
		}
		head[0] = m;
		head[1] = (uint32_t)w;
		head[2] = (uint32_t)(w >> 32);
		spool_write(pt->kept, head, s->weight ? 12 : 4);
		spool_write(pt->kept, sub, (size_t)m * sizeof *sub);
		for (uint32_t i = 0; i + 1 < m; i++)
			pt->usz[sub[i]] += m - 1 - i + hdr;
		pt->nkept++;
	}
	return NULL;
}

uint64_t
bstream_prune(struct bstream *s, const uint32_t *newid, uint32_t nsub)
{
	struct part pt[2];
	int np = parts_open(s, pt);

	s->nsub = nsub;
	s->usz = xcalloc((size_t)nsub + 1, sizeof *s->usz);
	for (int i = 0; i < np; i++) {
		pt[i].newid = newid;
		pt[i].kept = &s->kept[i];
		pt[i].usz = i ? xcalloc((size_t)nsub + 1, sizeof *s->usz) :
		    s->usz;
	}
	both(prune_part, &pt[0], np > 1 ? &pt[1] : NULL, 1);
	s->nkept = pt[0].nkept;
	if (np > 1) {
		s->nkept += pt[1].nkept;
		for (uint32_t a = 0; a < nsub; a++)
			s->usz[a] += pt[1].usz[a];
		free(pt[1].usz);
	}
	parts_close(pt, np);
	for (int i = 0; i < NKEPT; i++)
		spool_end(&s->kept[i]);
	return s->nkept;
}

/* The second files, read one after the other: the baskets in input
 * order, as one part would have written them. */
struct kept_rd {
	const struct bstream *s;
	struct spool_rd rd;
	int i;
};

static void
kept_open(struct kept_rd *k, const struct bstream *s)
{
	k->s = s;
	k->i = 0;
	rd_open(&k->rd, &s->kept[0], 0, s->kept[0].bytes);
}

/* The next basket of the second files: its subjects, or NULL. */
static const uint32_t *
next_kept(struct kept_rd *k, uint32_t *m, uint64_t *w)
{
	int wt = k->s->weight != NULL;
	const uint32_t *h;

	while (!(h = rd_get(&k->rd, wt ? 12 : 4))) {
		rd_close(&k->rd);
		if (++k->i == NKEPT)
			return NULL;
		rd_open(&k->rd, &k->s->kept[k->i], 0, k->s->kept[k->i].bytes);
	}
	*m = h[0];
	*w = wt ? (uint64_t)h[2] << 32 | h[1] : 1;
	return rd_get(&k->rd, (size_t)*m * 4);
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

/* One subject whose row is larger than the block: summed from the file. */
static size_t
row_direct(const struct bstream *s, uint32_t a, uint64_t *cnt,
    uint32_t *touched)
{
	struct kept_rd k;
	const uint32_t *it;
	uint32_t m;
	uint64_t w;
	size_t nt = 0;

	kept_open(&k, s);
	while ((it = next_kept(&k, &m, &w))) {
		uint32_t p = 0;

		while (p + 1 < m && it[p] < a)
			p++;
		if (p + 1 < m && it[p] == a)
			nt = add_suffix(cnt, touched, nt, it + p + 1, m - 1 - p, w);
	}
	return nt;
}

/* The suffixes of the subjects lo .. hi - 1 into blk, each subject's at
 * off[a - lo] .. off[a - lo + 1]. */
static void
gather(const struct bstream *s, uint32_t lo, uint32_t hi, uint32_t *blk,
    uint64_t *off)
{
	struct kept_rd k;
	const uint32_t *it;
	uint32_t m;
	uint64_t w;

	kept_open(&k, s);
	while ((it = next_kept(&k, &m, &w))) {
		if (it[0] >= hi || it[m - 1] < lo)
			continue;
		for (uint32_t p = 0; p + 1 < m; p++) {
			uint32_t a = it[p], len = m - 1 - p;
			uint32_t *o;

			if (a < lo)
				continue;
			if (a >= hi)
				break;
			o = blk + off[a - lo];
			if (s->weight) {
				*o++ = len;
				*o++ = (uint32_t)w;
				*o++ = (uint32_t)(w >> 32);
			}
			memcpy(o, it + p + 1, (size_t)len * sizeof *o);
			off[a - lo] += (uint64_t)(o - (blk + off[a - lo])) + len;
		}
	}
}

/* The rows of the subjects [lo, hi), in blocks of at most cap words. */
struct rows_part {
	const struct bstream *s;
	uint32_t lo, hi;
	uint64_t cap, distinct;
	bstream_row_fn *fn;
	void *ctx;
};

/* The end of the block that starts at subject lo, and its words in tot
 * (more than cap: one subject's row, summed from the file). */
static uint32_t
block_end(const struct bstream *s, uint32_t lo, uint32_t end, uint64_t cap,
    uint64_t *tot)
{
	uint32_t hi;

	*tot = s->usz[lo];
	for (hi = lo + 1; hi < end && *tot + s->usz[hi] <= cap; hi++)
		*tot += s->usz[hi];
	return hi;
}

static void *
rows_part(void *arg)
{
	struct rows_part *rp = arg;
	const struct bstream *s = rp->s;
	uint64_t *cnt = xcalloc((size_t)s->nsub + 1, sizeof *cnt);
	uint32_t *touched = xreallocarray(NULL, (size_t)s->nsub + 1,
	    sizeof *touched);
	uint64_t cap = rp->cap, tot, most = 0, nmost = 0;
	uint32_t *blk;
	uint64_t *off;

	/* One buffer as large as the largest block, taken once: a buffer
	 * freed and taken again for each block may be kept by the allocator
	 * beside the next, and two threads would hold four blocks. */
	for (uint32_t lo = rp->lo, hi; lo < rp->hi; lo = hi) {
		hi = block_end(s, lo, rp->hi, cap, &tot);
		if (tot <= cap && tot > most)
			most = tot;
		if (hi - lo > nmost)
			nmost = hi - lo;
	}
	blk = xreallocarray(NULL, most + 1, sizeof *blk);
	off = xreallocarray(NULL, nmost + 1, sizeof *off);
	for (uint32_t lo = rp->lo, hi; lo < rp->hi; lo = hi) {
		hi = block_end(s, lo, rp->hi, cap, &tot);
		if (tot > cap) {
			size_t nt = row_direct(s, lo, cnt, touched);

			rp->distinct += nt;
			rp->fn(rp->ctx, lo, cnt, touched, nt);
			bsk_row_clear(cnt, touched, nt);
			continue;
		}
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
			const uint32_t *p = blk + off[a - lo];
			const uint32_t *e = blk + off[a - lo + 1];
			size_t nt = 0;

			if (!s->weight) {
				nt = add_suffix(cnt, touched, 0, p, (size_t)(e - p), 1);
			} else {
				while (p < e) {
					uint64_t w = (uint64_t)p[2] << 32 | p[1];

					nt = add_suffix(cnt, touched, nt, p + 3, p[0], w);
					p += 3 + p[0];
				}
			}
			rp->distinct += nt;
			rp->fn(rp->ctx, a, cnt, touched, nt);
			bsk_row_clear(cnt, touched, nt);
		}
	}
	free(blk);
	free(off);
	free(cnt);
	free(touched);
	return NULL;
}

uint64_t
bstream_rows(struct bstream *s, size_t memory, bstream_row_fn *fn,
    void *const *ctx, int nctx)
{
	struct rows_part rp[2];
	uint64_t cap = memory / 4 ? memory / 4 : 1, tot = 0, half = 0;
	uint32_t mid = s->nsub;

	if (nctx > 1) {
		/* Two ranges of about the same words, each with half the
		 * memory, so that both blocks together take what one did. */
		for (uint32_t a = 0; a < s->nsub; a++)
			tot += s->usz[a];
		for (mid = 0; mid < s->nsub && half < tot / 2; mid++)
			half += s->usz[mid];
		cap = cap / 2 ? cap / 2 : 1;
	}
	for (int i = 0; i < 2; i++)
		rp[i] = (struct rows_part){ s, i ? mid : 0, i ? s->nsub : mid,
		    cap, 0, fn, ctx[nctx > 1 ? i : 0] };
	both(rows_part, &rp[0], nctx > 1 ? &rp[1] : NULL, s->ncpu > 1);
	return rp[0].distinct + rp[1].distinct;
}
