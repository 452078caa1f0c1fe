/*
 * assoc-counts.c: the mergeable partial counts of xsell-learn --counts
 * (the options they were counted with, the shard, the baskets, every
 * itemset's count, in lexicographic order of the sets) and --merge, which
 * sums count streams for the rules (assoc.c) or for upsells and
 * substitutes (similar.c).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "assoc-internal.h"
#include "buf.h"
#include "num.h"
#include "rec.h"
#include "writer.h"
#include "out.h"
#include "progress.h"
#include "intern.h"

/* ---- mergeable counts ---- */

static const char *const count_cols[] = { "kind", "itemset", "count" };

/* What a count stream was counted with: --merge needs the same. */
static void
options_string(const struct assoc *L, struct buf *b)
{
	const struct assoc_opts *o = L->o;
	char hl[NUM_BUF], now[NUM_BUF];

	num_fmt(o->half_life, hl);
	if (o->half_life > 0)
		time_fmt(o->now, now);
	else
		snprintf(now, sizeof now, "-");
	buf_reset(b);
	buf_printf(b, "basket=%s max-items=%d max-basket=%" PRIu32
	    " half-life=%s now=%s", assoc_basket_words[o->basket], o->max_items,
	    o->max_basket, hl, now);
}

struct counts_out {
	struct assoc *L;
	uint32_t next;		/* next singleton to write */
	struct buf set;
	uint64_t rows;
};

/* A row of the stream (writer.h's fast path: a large stream is mostly
 * set rows). */
static void
count_row(struct counts_out *co, const char *kind, const char *set,
    size_t n, uint64_t count)
{
	struct writer *w = &co->L->w;

	writer_begin(w);
	writer_str(w, kind, strlen(kind));
	writer_str(w, set, n);
	writer_u64(w, count);
	writer_end(w);
	co->rows++;
}

/* A set row of the items (labels) or the set in co->set. */
static void
count_item(struct counts_out *co, uint32_t label, uint64_t count)
{
	const struct intern *in = &co->L->items;
	uint32_t id = co->L->byl[label];

	count_row(co, "set", intern_str(in, id), intern_len(in, id), count);
}

static void
count_set_row(struct counts_out *co, uint64_t count)
{
	count_row(co, "set", buf_str(&co->set), co->set.len, count);
}

/* Singletons up to label a, so that the stream is in lexicographic order
 * of the sets. */
static void
count_items_upto(struct counts_out *co, uint32_t a)
{
	struct assoc *L = co->L;

	for (; co->next < a; co->next++)
		if (L->icnt[co->next])
			count_item(co, co->next, L->icnt[co->next]);
}

static void
count_set(void *ctx, const uint32_t *set, int k, uint64_t w)
{
	struct counts_out *co = ctx;

	count_items_upto(co, set[0] + 1);
	buf_reset(&co->set);
	for (int i = 0; i < k; i++) {
		if (i)
			buf_putc(&co->set, ',');
		buf_puts(&co->set, item_str(co->L, set[i]));
	}
	count_set_row(co, w);
}

struct counts_rows {
	struct counts_out *co;
	struct assoc *L;
};

/* A subject's row of the count stream: its singleton (and the ones
 * before it), then its pairs in order. */
static void
count_row_streamed(void *ctx, uint32_t a, const uint64_t *cnt,
    uint32_t *touched, size_t nt)
{
	struct counts_rows *cr = ctx;
	struct assoc *L = cr->L;
	uint32_t la = L->freq[a];

	count_items_upto(cr->co, la + 1);
	qsort(touched, nt, sizeof *touched, assoc_cmp_ids);
	for (size_t i = 0; i < nt; i++) {
		buf_reset(&cr->co->set);
		buf_puts(&cr->co->set, item_str(L, la));
		buf_putc(&cr->co->set, ',');
		buf_puts(&cr->co->set, item_str(L, L->freq[touched[i]]));
		count_set_row(cr->co, cnt[touched[i]]);
	}
}

/* Every pair of the baskets on disk: the items that are in some basket
 * are the subjects, in label order. */
static void
count_pairs_streamed(struct assoc *L, struct counts_out *co)
{
	uint8_t *keep = xcalloc((size_t)L->nitems + 1, 1);
	uint32_t *newid, n;
	struct counts_rows cr = { co, L };

	for (uint32_t lab = 0; lab < L->nitems; lab++)
		keep[lab] = L->icnt[lab] > 0;
	n = assoc_stream_subjects(L, keep, &newid);
	free(keep);
	bstream_prune(&L->bs, newid, n);
	free(newid);
	L->pairs = bstream_rows(&L->bs, L->o->memory, count_row_streamed, &cr);
}

void
assoc_counts(struct assoc *L)
{
	struct counts_out co;
	struct buf b;
	char shard[48];

	memset(&co, 0, sizeof co);
	co.L = L;
	buf_init(&co.set);
	buf_init(&b);
	L->fp = out_open(L->o->out);
	writer_open(&L->w, L->fp, L->o->json, 3, (char *const *)count_cols);
	/* Weighted counts pass 2^53: keep them exact in JSON too. */
	writer_type(&L->w, 2, WRITER_STR);
	options_string(L, &b);
	count_row(&co, "options", buf_str(&b), b.len, 0);
	if (L->o->shard_n) {
		snprintf(shard, sizeof shard, "%" PRIu32 "/%" PRIu32,
		    L->o->shard_i, L->o->shard_n);
		count_row(&co, "shard", shard, strlen(shard), 0);
	}
	count_row(&co, "baskets", "", 0, L->n);
	if (L->streamed) {
		count_pairs_streamed(L, &co);
	} else {
		bsk_index(&L->bk);
		bsk_mine(&L->bk, 1, L->o->max_items, count_set, &co);
	}
	count_items_upto(&co, L->nitems);
	writer_close(&L->w);
	out_close(L->fp);
	L->written = co.rows;
	buf_free(&co.set);
	buf_free(&b);
}

/* ---- merging count streams ---- */

static const char *
parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0)
		return "missing";
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return "not a whole number";
		if (v > (UINT64_MAX - 9) / 10)
			return "out of range";
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return NULL;
}

static void
add_count(uint64_t *to, uint64_t c, const struct rec *r)
{
	if (__builtin_add_overflow(*to, c, to))
		die(XS_INPUT, "%s: counts overflow 2^64", rec_where(r));
}

struct merger {
	struct rec r;
	int ck, cs, cc;
	uint64_t *icnt;		/* intern id -> count */
	size_t capi;
	uint32_t *seen_shard;	/* shard i -> times seen */
	uint32_t shard_n;
	uint64_t nopts, nbaskets;
	struct buf want;
};

static void
merge_set(struct assoc *L, struct merger *mg, uint64_t c)
{
	struct rec *r = &mg->r;
	const char *p = r->f[mg->cs], *end = p + r->len[mg->cs], *s;
	uint32_t set[ISETS_MAX];
	size_t n;
	int k = 0;

	while (list_next(&p, end, &s, &n)) {
		if (k >= L->o->max_items)
			die(XS_INPUT, "%s: a set of more than --max-items %d items",
			    rec_where(r), L->o->max_items);
		set[k++] = intern_put(&L->items, s, n);
	}
	if (k == 0)
		die(XS_INPUT, "%s: column 'itemset': missing", rec_where(r));
	if (k == 1) {
		if (set[0] >= mg->capi) {
			size_t cap = mg->capi ? mg->capi * 2 : 1024;

			mg->icnt = xreallocarray(mg->icnt, cap, sizeof *mg->icnt);
			memset(mg->icnt + mg->capi, 0,
			    (cap - mg->capi) * sizeof *mg->icnt);
			mg->capi = cap;
		}
		add_count(&mg->icnt[set[0]], c, r);
	} else if (L->o->max_items == 2) {
		add_count(pairs_at(&L->mpairs, set[0], set[1]), c, r);
	} else {
		qsort(set, (size_t)k, sizeof *set, assoc_cmp_ids);
		if (!isets_add(&L->msets, set, k, c))
			die(XS_INPUT, "%s: counts overflow 2^64", rec_where(r));
	}
}

static void
merge_meta(struct assoc *L, struct merger *mg, const char *kind)
{
	struct rec *r = &mg->r;
	const char *val = r->f[mg->cs];
	uint64_t c;
	const char *err;

	if (strcmp(kind, "options") == 0) {
		if (strcmp(val, buf_str(&mg->want)) != 0)
			die(XS_INPUT, "%s: counted with \"%s\", merging with \"%s\"",
			    rec_where(r), val, buf_str(&mg->want));
		mg->nopts++;
	} else if (strcmp(kind, "shard") == 0) {
		unsigned long i, n;
		char end;

		if (sscanf(val, "%lu/%lu%c", &i, &n, &end) != 2 || i < 1 || i > n ||
		    n > UINT32_MAX || (mg->shard_n && n != mg->shard_n))
			die(XS_INPUT, "%s: shard \"%s\" does not fit the others",
			    rec_where(r), val);
		if (!mg->shard_n) {
			mg->shard_n = (uint32_t)n;
			mg->seen_shard = xcalloc(n + 1, sizeof *mg->seen_shard);
		}
		if (mg->seen_shard[i]++)
			die(XS_INPUT, "%s: shard %s merged twice", rec_where(r), val);
	} else if (strcmp(kind, "baskets") == 0) {
		if ((err = parse_u64(r->f[mg->cc], r->len[mg->cc], &c)))
			die(XS_INPUT, "%s: column 'count': %s: \"%.40s\"",
			    rec_where(r), err, r->f[mg->cc]);
		add_count(&L->n, c, r);
		mg->nbaskets++;
	} else {
		die(XS_INPUT, "%s: column 'kind': \"%.40s\" is not options, "
		    "shard, baskets or set", rec_where(r), kind);
	}
}

static void
check_merged(struct merger *mg)
{
	const char *name = mg->r.name ? mg->r.name : "<stdin>";

	if (mg->nopts == 0)
		die(XS_INPUT, "%s: not a count stream of xsell-learn --counts "
		    "(no options row)", name);
	if (mg->nbaskets != mg->nopts)
		die(XS_INPUT, "%s: %" PRIu64 " count streams but %" PRIu64
		    " baskets rows", name, mg->nopts, mg->nbaskets);
	if (!mg->shard_n)
		return;
	for (uint32_t i = 1; i <= mg->shard_n; i++)
		if (!mg->seen_shard[i])
			die(XS_INPUT, "shard %" PRIu32 "/%" PRIu32 " is missing", i,
			    mg->shard_n);
	if (mg->nopts != mg->shard_n)
		die(XS_INPUT, "%s: sharded and unsharded count streams mixed",
		    name);
}

/* Each label's co-occurrence row from the merged pair counts, for
 * --type upsell and substitute: both directions of every pair. */
static void
merged_rows(struct assoc *L, const struct pairs *pt)
{
	uint64_t *pos;

	L->mstart = xcalloc((size_t)L->nitems + 2, sizeof *L->mstart);
	for (size_t i = 0; i < pt->cap; i++) {
		uint64_t k = pt->e[i].key;

		if (k == PAIRS_EMPTY || k >> 32 == (k & UINT32_MAX))
			continue;
		L->mstart[L->label[k >> 32] + 1]++;
		L->mstart[L->label[k & UINT32_MAX] + 1]++;
	}
	for (uint32_t a = 0; a < L->nitems; a++)
		L->mstart[a + 1] += L->mstart[a];
	L->mx = xreallocarray(NULL, L->mstart[L->nitems] + 1, sizeof *L->mx);
	L->mc = xreallocarray(NULL, L->mstart[L->nitems] + 1, sizeof *L->mc);
	pos = (uint64_t *)xmemdup(L->mstart, ((size_t)L->nitems + 1) *
	    sizeof *pos);
	for (size_t i = 0; i < pt->cap; i++) {
		uint64_t k = pt->e[i].key;
		uint32_t a, b;

		if (k == PAIRS_EMPTY || k >> 32 == (k & UINT32_MAX))
			continue;
		a = L->label[k >> 32];
		b = L->label[k & UINT32_MAX];
		L->mx[pos[a]] = b;
		L->mc[pos[a]++] = pt->e[i].count;
		L->mx[pos[b]] = a;
		L->mc[pos[b]++] = pt->e[i].count;
	}
	free(pos);
}

/* Sums the count streams; upsells and substitutes read their rows of
 * pairs, cross-sell rules the sums. */
void
assoc_merge(struct assoc *L, int nfiles, char **files)
{
	struct merger mg;
	struct rec *r = &mg.r;
	struct progress pg;

	memset(&mg, 0, sizeof mg);
	pairs_init(&L->mpairs);
	isets_init(&L->msets);
	buf_init(&mg.want);
	options_string(L, &mg.want);
	rec_open(r, nfiles, files);
	mg.ck = rec_need(r, "kind");
	mg.cs = rec_need(r, "itemset");
	mg.cc = rec_need(r, "count");
	progress_init(&pg, "counts");
	progress_input(&pg, r);
	while (rec_next(r) == REC_ROW) {
		const char *kind = r->f[mg.ck];
		uint64_t c;
		const char *err;

		progress_tick(&pg, ++L->rows);
		if (strcmp(kind, "set") != 0) {
			/* Count streams concatenated (cat, parallel) repeat
			 * the header line. */
			if (strcmp(kind, "kind") != 0)
				merge_meta(L, &mg, kind);
			continue;
		}
		if ((err = parse_u64(r->f[mg.cc], r->len[mg.cc], &c)))
			die(XS_INPUT, "%s: column 'count': %s: \"%.40s\"",
			    rec_where(r), err, r->f[mg.cc]);
		merge_set(L, &mg, c);
	}
	progress_done(&pg);
	check_merged(&mg);
	rec_close(r);
	assoc_label_items(L);
	L->icnt = xcalloc((size_t)L->nitems + 1, sizeof *L->icnt);
	for (uint32_t i = 0; i < L->nitems && i < mg.capi; i++)
		L->icnt[L->label[i]] = mg.icnt[i];
	if (L->o->type != T_CROSS) {
		merged_rows(L, &L->mpairs);
		pairs_free(&L->mpairs);
	} else {
		L->merged = 1;
	}
	free(mg.icnt);
	free(mg.seen_shard);
	buf_free(&mg.want);
}

/* ---- upsell and substitutes from the catalog ---- */
