/*
 * assoc-read.c: order lines into baskets for assoc.c: while the lines
 * come grouped by basket, to baskets on disk (bstream.h), else to struct
 * baskets in memory; the items interned, labelled and counted, weighed
 * by age with --half-life, sharded with --shard. The lookups of a batch
 * of lines are prefetched together.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assoc-internal.h"
#include "buf.h"
#include "num.h"
#include "rec.h"
#include "progress.h"
#include "intern.h"

struct reader {
	struct rec r;
	int cb, ci, cq, cts;
	struct bkeys keys;	/* basket keys */
	struct buf prev;	/* the previous row's basket key */
	int previn;		/* the previous key is in this shard */
	int stream;		/* lines go to L->bs while the keys prove
				 * them grouped */
	uint32_t curb;		/* basket id of the last line added */
	int64_t *bts;		/* basket id -> latest ts */
	size_t capts;
	/* Lines whose basket key (when it changes) and product id are being
	 * fetched: the lookups of a batch overlap instead of waiting for
	 * memory one after the other. */
	struct pending {
		uint64_t hash, khash;
		size_t off, len;	/* product id in batch */
		size_t koff, klen;	/* a new basket key in batch */
		int newkey;
		double qty;
		int64_t ts;
	} pend[32];
	int npend;
	struct buf batch;
};

static void
note_ts(struct reader *rd, uint32_t b, int64_t t)
{
	if (b >= rd->capts) {
		size_t cap = rd->capts ? rd->capts * 2 : 1 << 16;

		while (cap <= b)
			cap *= 2;
		rd->bts = xreallocarray(rd->bts, cap, sizeof *rd->bts);
		for (size_t i = rd->capts; i < cap; i++)
			rd->bts[i] = INT64_MIN;
		rd->capts = cap;
	}
	if (t > rd->bts[b])
		rd->bts[b] = t;
}

struct replay {
	struct assoc *L;
	struct reader *rd;
};

static void
replay_basket(void *ctx, const char *key, size_t klen, int64_t ts,
    const struct bsk_line *v, size_t n)
{
	struct replay *rp = ctx;
	uint32_t b = bkeys_id(&rp->rd->keys, key, klen, xs_hash(key, klen));

	if (rp->rd->cts >= 0)
		note_ts(rp->rd, b, ts);
	for (size_t i = 0; i < n; i++)
		bsk_add(&rp->L->bk, b, v[i].item, v[i].q);
}

/* A key came that may have come before: the baskets spooled so far go
 * to memory, as if read there, and so do the lines from here on. */
static void
fall_back(struct assoc *L, struct reader *rd, const char *key, size_t klen)
{
	struct replay rp = { L, rd };
	const char *col = L->o->basket == B_CUSTOMER ? "customer_id" :
	    "order_id";

	if (xs_verbose)
		note("%s \"%.*s\" after \"%.*s\": the lines are not sorted by "
		    "%s, so the baskets are held in memory (sort them by %s to "
		    "keep memory flat)", col, (int)(klen > 40 ? 40 : klen), key,
		    (int)(L->bs.key.len > 40 ? 40 : L->bs.key.len), L->bs.key.s,
		    col, col);
	bstream_replay(&L->bs, replay_basket, &rp);
	bstream_free(&L->bs);
	rd->stream = 0;
}

static void
flush_lines(struct assoc *L, struct reader *rd)
{
	for (int i = 0; i < rd->npend; i++) {
		struct pending *p = &rd->pend[i];
		uint32_t item;

		if (p->newkey) {
			const char *key = rd->batch.s + p->koff;

			if (rd->stream && !bstream_key(&L->bs, key, p->klen))
				fall_back(L, rd, key, p->klen);
			if (!rd->stream)
				rd->curb = bkeys_id(&rd->keys, key, p->klen,
				    p->khash);
		}
		item = intern_put_hash(&L->items, rd->batch.s + p->off, p->len,
		    p->hash);
		if (rd->stream) {
			bstream_line(&L->bs, item, p->qty, p->ts);
			continue;
		}
		if (rd->cts >= 0)
			note_ts(rd, rd->curb, p->ts);
		bsk_add(&L->bk, rd->curb, item, p->qty);
	}
	rd->npend = 0;
	buf_reset(&rd->batch);
}

/* The time of the current row, for --half-life. */
static int64_t
row_ts(const struct reader *rd)
{
	const struct rec *r = &rd->r;
	int64_t t;
	const char *err;

	if (r->len[rd->cts] == 0)
		die(XS_INPUT, "%s: column 'ts': missing; --half-life needs the "
		    "time of every line", rec_where(r));
	if ((err = time_parse(r->f[rd->cts], r->len[rd->cts], &t)))
		die(XS_INPUT, "%s: column 'ts': %s: \"%.40s\"", rec_where(r), err,
		    r->f[rd->cts]);
	return t;
}

/*
 * Queues the current row: 0 when its basket is another shard's. Rows of
 * one order usually come together, so the key is compared with the
 * previous row's before it is hashed and looked up.
 */
static int
add_line(struct assoc *L, struct reader *rd, double qty)
{
	const struct rec *r = &rd->r;
	const char *key = r->f[rd->cb], *id = r->f[rd->ci];
	size_t n = r->len[rd->cb];
	struct pending *p = &rd->pend[rd->npend];

	p->newkey = 0;
	if (!rd->prev.s || rd->prev.len != n || memcmp(rd->prev.s, key, n)) {
		uint64_t h = xs_hash(key, n);

		buf_reset(&rd->prev);
		buf_put(&rd->prev, key, n);
		rd->previn = !L->o->shard_n ||
		    h % L->o->shard_n == L->o->shard_i - 1;
		if (rd->previn) {
			p->newkey = 1;
			p->khash = h;
			p->koff = rd->batch.len;
			p->klen = n;
			buf_put(&rd->batch, key, n);
			bkeys_prefetch(&rd->keys, h);
		}
	}
	if (!rd->previn)
		return 0;
	p->qty = qty;
	p->ts = rd->cts >= 0 ? row_ts(rd) : 0;
	p->off = rd->batch.len;
	p->len = r->len[rd->ci];
	p->hash = xs_hash(id, p->len);
	buf_put(&rd->batch, id, p->len);
	intern_prefetch(&L->items, p->hash);
	if (++rd->npend == (int)(sizeof rd->pend / sizeof rd->pend[0]))
		flush_lines(L, rd);
	return 1;
}

static void
reject_row(struct assoc *L, struct reader *rd, int guest)
{
	if (guest) {
		L->guests++;
		return;
	}
	if (L->rejected++ == 0)
		warning("%s: no %s or product_id: row skipped", rec_where(&rd->r),
		    L->o->basket == B_CUSTOMER ? "customer_id" : "order_id");
}

/* Weight of a basket whose latest line is at ts: 0.5^(age / half-life),
 * age from ts to --now (default: the latest line of all, set by the
 * caller); a basket later than --now weighs 1. */
static uint64_t
basket_weight(void *ctx, int64_t ts)
{
	const struct assoc *L = ctx;
	int64_t now = L->o->now;
	double age = ts < now ? (double)(now - ts) : 0;
	double x = pow(0.5, age / 86400.0 / L->o->half_life);

	return (uint64_t)llround(x * WUNIT);
}

/* Weight of each basket id. */
static uint64_t *
basket_weights(struct assoc *L, struct reader *rd)
{
	uint32_t nb = rd->keys.n;
	uint64_t *w = xreallocarray(NULL, nb + 1, sizeof *w);

	if (!L->o->has_now) {
		int64_t now = INT64_MIN;

		for (uint32_t b = 0; b < nb; b++)
			if (rd->bts[b] > now)
				now = rd->bts[b];
		L->o->now = now;
	}
	for (uint32_t b = 0; b < nb; b++)
		w[b] = basket_weight(L, rd->bts[b]);
	return w;
}

/* The quantity of a line: small whole numbers without a trip through
 * strtod, which would cost more than the rest of the line. */
static double
quantity(const struct rec *r, int col)
{
	const char *s = r->f[col];
	size_t n = r->len[col];
	uint32_t v = 0;

	if (n == 0 || n > 9)
		return rec_num(r, col, 1);
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return rec_num(r, col, 1);
		v = v * 10 + (uint32_t)(s[i] - '0');
	}
	return v;
}

/* Itemsets are written as comma lists (subjects of --max-items 3 and
 * more, count streams): an id with a comma in it would read back as two. */
static void
check_commas(const struct assoc *L)
{
	if (L->o->max_items < 3 && L->o->mode != M_COUNTS)
		return;
	for (uint32_t i = 0; i < L->items.n; i++)
		if (memchr(intern_str(&L->items, i), ',', intern_len(&L->items, i)))
			die(XS_INPUT, "product_id \"%.40s\" has a comma, which "
			    "itemsets (--max-items 3 or more, --counts) cannot hold",
			    intern_str(&L->items, i));
}

/* The items' counts from the baskets on disk, in labels. */
static void
count_streamed(struct assoc *L)
{
	uint64_t *c = xcalloc((size_t)L->nitems + 1, sizeof *c);

	if (L->o->half_life > 0 && !L->o->has_now)
		L->o->now = L->bs.maxts;
	bstream_count(&L->bs, L->o->half_life > 0 ? basket_weight : NULL, L,
	    &L->st, c, L->nitems, &L->n);
	L->icnt = xreallocarray(NULL, L->nitems + 1, sizeof *L->icnt);
	for (uint32_t i = 0; i < L->nitems; i++)
		L->icnt[L->label[i]] = c[i];
	free(c);
}

void
assoc_read(struct assoc *L, int nfiles, char **files)
{
	struct reader rd;
	struct rec *r = &rd.r;
	struct progress pg;
	uint64_t *w = NULL;
	int key_customer = L->o->basket == B_CUSTOMER;

	memset(&rd, 0, sizeof rd);
	bkeys_init(&rd.keys);
	buf_init(&rd.prev);
	buf_init(&rd.batch);
	rec_open(r, nfiles, files);
	rd.cb = rec_need(r, key_customer ? "customer_id" : "order_id");
	rd.ci = rec_need(r, "product_id");
	rd.cq = rec_col(r, "quantity");
	rd.cts = L->o->half_life > 0 ? rec_need(r, "ts") : -1;
	/* Pairs (rules or counts) can be counted from baskets on disk,
	 * when their lines come grouped. */
	rd.stream = (L->o->type == T_CROSS || L->o->mode == M_COUNTS) &&
	    L->o->max_items == 2 && L->o->mode != M_MERGE;
	progress_init(&pg, "lines");
	progress_input(&pg, r);
	while (rec_next(r) == REC_ROW) {
		progress_tick(&pg, ++L->rows);
		if (r->len[rd.cb] == 0 || r->len[rd.ci] == 0) {
			reject_row(L, &rd, key_customer && r->len[rd.cb] == 0 &&
			    r->len[rd.ci] != 0);
			continue;
		}
		add_line(L, &rd, rd.cq >= 0 ? quantity(r, rd.cq) : 1);
	}
	flush_lines(L, &rd);
	progress_done(&pg);
	rec_close(r);
	if (rd.stream) {
		bstream_end(&L->bs);
		L->streamed = 1;
	}
	if (rd.cts >= 0 && !L->streamed)
		w = basket_weights(L, &rd);
	bkeys_free(&rd.keys);
	buf_free(&rd.prev);
	buf_free(&rd.batch);
	free(rd.bts);
	check_commas(L);
	assoc_label_items(L);
	if (L->streamed) {
		count_streamed(L);
		return;
	}
	/* Pair rules need some order of the items, not the labels': their
	 * baskets keep the interned ids, already sorted when netted, and
	 * only the rules are relabelled. */
	L->interned = L->o->type == T_CROSS && L->o->mode == M_RULES &&
	    L->o->max_items == 2;
	bsk_build(&L->bk, L->interned ? NULL : L->label, L->nitems, w,
	    L->o->max_basket, &L->st);
	free(w);
	L->icnt = xreallocarray(NULL, L->nitems + 1, sizeof *L->icnt);
	L->n = bsk_count(&L->bk, L->icnt);
	if (L->interned) {
		uint64_t *c = xreallocarray(NULL, L->nitems + 1, sizeof *c);

		for (uint32_t i = 0; i < L->nitems; i++)
			c[L->label[i]] = L->icnt[i];
		free(L->icnt);
		L->icnt = c;
	}
}
