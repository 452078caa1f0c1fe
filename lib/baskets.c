/* baskets.c: order lines to netted baskets, co-occurrence rows, itemsets. */
#include <stdlib.h>
#include <string.h>

#include "xsell.h"
#include "baskets.h"
#include "pairs.h"

void
bkeys_init(struct bkeys *k)
{
	memset(k, 0, sizeof *k);
}

void
bkeys_free(struct bkeys *k)
{
	free(k->pool);
	free(k->off);
	free(k->hash);
	memset(k, 0, sizeof *k);
}

uint32_t
bkeys_new(struct bkeys *k, const char *s, size_t len, uint64_t h)
{
	if (k->n == k->cap) {
		if (k->cap >= UINT32_MAX / 2)
			die(XS_SYS, "more than %u baskets", UINT32_MAX / 2);
		k->cap = k->cap ? k->cap * 2 : 1 << 14;
		k->off = xreallocarray(k->off, k->cap, sizeof *k->off);
		k->hash = xreallocarray(k->hash, k->cap, sizeof *k->hash);
	}
	if (k->poollen + len + 1 > k->poolcap) {
		size_t cap = k->poolcap ? k->poolcap : 1 << 16;

		while (cap < k->poollen + len + 1)
			cap *= 2;
		k->pool = xrealloc(k->pool, cap);
		k->poolcap = cap;
	}
	memcpy(k->pool + k->poollen, s, len);
	k->pool[k->poollen + len] = '\0';
	k->off[k->n] = k->poollen;
	k->hash[k->n] = h;
	k->poollen += len + 1;
	return k->n++;
}

struct hid {
	uint64_t h;
	uint32_t id;
};

static int
cmp_hid(const void *a, const void *b)
{
	const struct hid *x = a, *y = b;

	if (x->h != y->h)
		return (x->h > y->h) - (x->h < y->h);
	return (x->id > y->id) - (x->id < y->id);
}

uint32_t *
bkeys_merge(const struct bkeys *k, uint32_t *merged)
{
	uint32_t *start = xcalloc((1 << 16) + 1, sizeof *start), *canon = NULL;
	struct hid *v = xreallocarray(NULL, k->n + 1, sizeof *v);

	*merged = 0;
	/* One scatter by the top 16 bits of the hash, then tiny sorts. */
	for (uint32_t i = 0; i < k->n; i++)
		start[(k->hash[i] >> 48) + 1]++;
	for (uint32_t d = 0; d < 1 << 16; d++)
		start[d + 1] += start[d];
	for (uint32_t i = 0; i < k->n; i++) {
		struct hid *e = &v[start[k->hash[i] >> 48]++];

		e->h = k->hash[i];
		e->id = i;
	}
	for (uint32_t d = 0, from = 0; d < 1 << 16; d++) {
		uint32_t to = start[d];

		if (to - from > 1)
			qsort(v + from, to - from, sizeof *v, cmp_hid);
		from = to;
	}
	for (uint32_t i = 1; i < k->n; i++) {
		if (v[i].h != v[i - 1].h)
			continue;
		/* Equal hashes: the first earlier entry with an equal string
		 * (nearly always the one before) is the key's first id. */
		for (uint32_t j = i; j-- > 0 && v[j].h == v[i].h;) {
			if (strcmp(k->pool + k->off[v[i].id],
			    k->pool + k->off[v[j].id]) != 0)
				continue;
			if (!canon) {
				canon = xreallocarray(NULL, k->n, sizeof *canon);
				for (uint32_t c = 0; c < k->n; c++)
					canon[c] = c;
			}
			canon[v[i].id] = canon[v[j].id];
			(*merged)++;
			break;
		}
	}
	free(start);
	free(v);
	return canon;
}

void
bsk_remap(struct baskets *b, const uint32_t *canon)
{
	for (size_t i = 0; i < b->nl; i++)
		b->lb[i] = canon[b->lb[i]];
	b->grouped = 0;
}

void
bsk_init(struct baskets *b)
{
	memset(b, 0, sizeof *b);
	b->grouped = 1;
}

void
bsk_free(struct baskets *b)
{
	free(b->lb);
	free(b->li);
	free(b->lq);
	free(b->start);
	free(b->item);
	free(b->w);
	free(b->istart);
	free(b->bid);
	memset(b, 0, sizeof *b);
}

static void
grow_lines(struct baskets *b)
{
	size_t cap = b->capl ? b->capl * 2 : 1 << 16;

	if (b->capl >= UINT32_MAX)
		die(XS_SYS, "more than %u order lines", UINT32_MAX);
	if (cap > UINT32_MAX)
		cap = UINT32_MAX;
	b->lb = xreallocarray(b->lb, cap, sizeof *b->lb);
	b->li = xreallocarray(b->li, cap, sizeof *b->li);
	if (b->lq)
		b->lq = xreallocarray(b->lq, cap, sizeof *b->lq);
	b->capl = cap;
}

void
bsk_add(struct baskets *b, uint32_t basket, uint32_t item, double qty)
{
	size_t n = b->nl;

	if (n == b->capl)
		grow_lines(b);
	if (qty != 1 && !b->lq) {
		/* Most logs sell one of each; quantities cost memory only
		 * once one differs. */
		b->lq = xreallocarray(NULL, b->capl, sizeof *b->lq);
		for (size_t i = 0; i < n; i++)
			b->lq[i] = 1;
	}
	if (n > 0 && basket != b->lb[n - 1] && basket < b->nbid)
		b->grouped = 0;
	if (basket >= b->nbid)
		b->nbid = basket + 1;
	b->lb[n] = basket;
	b->li[n] = item;
	if (b->lq)
		b->lq[n] = (float)qty;
	b->nl = n + 1;
}

/* Line offsets of each basket id, the lines reordered by basket when
 * they were not grouped (a stable counting sort). */
static uint32_t *
group_lines(struct baskets *b)
{
	uint32_t *off = xcalloc((size_t)b->nbid + 1, sizeof *off);
	uint32_t *li, *pos;
	float *lq = NULL;

	for (size_t i = 0; i < b->nl; i++)
		off[b->lb[i] + 1]++;
	for (uint32_t k = 0; k < b->nbid; k++)
		off[k + 1] += off[k];
	if (b->grouped)
		return off;
	pos = (uint32_t *)xmemdup(off, (size_t)b->nbid * sizeof *off);
	li = xreallocarray(NULL, b->nl ? b->nl : 1, sizeof *li);
	if (b->lq)
		lq = xreallocarray(NULL, b->nl ? b->nl : 1, sizeof *lq);
	for (size_t i = 0; i < b->nl; i++) {
		uint32_t j = pos[b->lb[i]]++;

		li[j] = b->li[i];
		if (lq)
			lq[j] = b->lq[i];
	}
	free(pos);
	free(b->li);
	free(b->lq);
	b->li = li;
	b->lq = lq;
	return off;
}

struct line {
	uint32_t item;
	float q;
};

static int
cmp_line(const void *a, const void *b)
{
	const struct line *x = a, *y = b;

	return (x->item > y->item) - (x->item < y->item);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static void
sort_u32(uint32_t *v, size_t n)
{
	if (n > 24) {
		qsort(v, n, sizeof *v, cmp_u32);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		uint32_t x = v[i];
		size_t j = i;

		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static void
sort_lines(struct line *v, size_t n)
{
	if (n > 24) {
		qsort(v, n, sizeof *v, cmp_line);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		struct line x = v[i];
		size_t j = i;

		for (; j > 0 && v[j - 1].item > x.item; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* Nets the lines li[from, to) into sorted distinct items with a positive
 * net quantity, written to out; returns how many. */
static uint32_t
net_basket(const struct baskets *b, const uint32_t *label, uint32_t from,
    uint32_t to, struct line *tmp, uint32_t *out)
{
	uint32_t n = to - from, k = 0;

	if (!b->lq) {
		for (uint32_t i = 0; i < n; i++)
			out[i] = label ? label[b->li[from + i]] : b->li[from + i];
		sort_u32(out, n);
		for (uint32_t i = 0; i < n; i++)
			if (k == 0 || out[k - 1] != out[i])
				out[k++] = out[i];
		return k;
	}
	for (uint32_t i = 0; i < n; i++) {
		tmp[i].item = label ? label[b->li[from + i]] : b->li[from + i];
		tmp[i].q = b->lq[from + i];
	}
	sort_lines(tmp, n);
	for (uint32_t i = 0; i < n;) {
		uint32_t j = i;
		double q = 0;

		for (; j < n && tmp[j].item == tmp[i].item; j++)
			q += tmp[j].q;
		if (q > 0)
			out[k++] = tmp[i].item;
		i = j;
	}
	return k;
}

void
bsk_build(struct baskets *b, const uint32_t *label, uint32_t nitems,
    const uint64_t *weight, uint32_t max_items, struct bsk_stats *st)
{
	uint32_t *off = group_lines(b), maxn = 0, wp = 0;
	struct line *tmp;
	uint32_t *out;

	memset(st, 0, sizeof *st);
	st->lines = b->nl;
	for (uint32_t k = 0; k < b->nbid; k++)
		if (off[k + 1] - off[k] > maxn)
			maxn = off[k + 1] - off[k];
	tmp = xreallocarray(NULL, maxn + 1, sizeof *tmp);
	out = xreallocarray(NULL, maxn + 1, sizeof *out);
	b->start = xreallocarray(NULL, (size_t)b->nbid + 1, sizeof *b->start);
	if (weight)
		b->w = xreallocarray(NULL, (size_t)b->nbid + 1, sizeof *b->w);
	b->nb = 0;
	for (uint32_t k = 0; k < b->nbid; k++) {
		uint32_t n;

		if (off[k] == off[k + 1])
			continue;	/* an id merged into another */
		n = net_basket(b, label, off[k], off[k + 1], tmp, out);
		if (n == 0) {
			st->empty++;
			continue;
		}
		if (max_items && n > max_items) {
			st->big++;
			continue;
		}
		if (weight && weight[k] == 0) {
			st->weightless++;
			continue;
		}
		/* In place: a basket never grows, so wp <= off[k]. */
		memcpy(b->li + wp, out, (size_t)n * sizeof *out);
		b->start[b->nb] = wp;
		if (weight)
			b->w[b->nb] = weight[k];
		b->nb++;
		wp += n;
	}
	b->start[b->nb] = wp;
	st->kept = b->nb;
	st->incidences = wp;
	free(tmp);
	free(out);
	free(off);
	free(b->lb);
	free(b->lq);
	b->lb = NULL;
	b->lq = NULL;
	b->item = xreallocarray(b->li, wp ? wp : 1, sizeof *b->item);
	b->li = NULL;
	b->nl = b->capl = 0;
	b->start = xreallocarray(b->start, (size_t)b->nb + 1, sizeof *b->start);
	b->nitems = nitems;
}

uint64_t
bsk_count(const struct baskets *b, uint64_t *cnt)
{
	uint64_t n = 0;

	memset(cnt, 0, (size_t)b->nitems * sizeof *cnt);
	for (uint32_t k = 0; k < b->nb; k++) {
		uint64_t w = b->w ? b->w[k] : 1;

		n += w;
		for (uint32_t p = b->start[k]; p < b->start[k + 1]; p++)
			cnt[b->item[p]] += w;
	}
	return n;
}

void
bsk_prune(struct baskets *b, const uint32_t *newid, uint32_t nnew,
    uint32_t min_size)
{
	uint32_t nb = 0, wp = 0;

	for (uint32_t k = 0; k < b->nb; k++) {
		uint32_t from = wp;

		for (uint32_t p = b->start[k]; p < b->start[k + 1]; p++)
			if (newid[b->item[p]] != UINT32_MAX)
				b->item[wp++] = newid[b->item[p]];
		if (wp - from < min_size) {
			wp = from;
			continue;
		}
		b->start[nb] = from;
		if (b->w)
			b->w[nb] = b->w[k];
		nb++;
	}
	b->start[nb] = wp;
	b->nb = nb;
	b->nitems = nnew;
	free(b->istart);
	free(b->bid);
	b->istart = b->bid = NULL;
}

void
bsk_index(struct baskets *b)
{
	uint32_t total = b->start[b->nb], *pos;

	free(b->istart);
	free(b->bid);
	b->istart = xcalloc((size_t)b->nitems + 1, sizeof *b->istart);
	b->bid = xreallocarray(NULL, total ? total : 1, sizeof *b->bid);
	for (uint32_t p = 0; p < total; p++)
		b->istart[b->item[p] + 1]++;
	for (uint32_t a = 0; a < b->nitems; a++)
		b->istart[a + 1] += b->istart[a];
	pos = (uint32_t *)xmemdup(b->istart, (size_t)b->nitems * sizeof *pos);
	for (uint32_t k = 0; k < b->nb; k++)
		for (uint32_t p = b->start[k]; p < b->start[k + 1]; p++)
			b->bid[pos[b->item[p]]++] = k;
	free(pos);
}

/* First item > x in the sorted list [s, e). */
static const uint32_t *
after(const uint32_t *s, const uint32_t *e, uint32_t x)
{
	while (s < e) {
		const uint32_t *m = s + (e - s) / 2;

		if (*m <= x)
			s = m + 1;
		else
			e = m;
	}
	return s;
}

size_t
bsk_row(const struct baskets *b, uint32_t a, int upper, uint64_t *cnt,
    uint32_t *touched)
{
	size_t nt = 0;
	const uint32_t *bid = b->bid + b->istart[a];
	const uint32_t *end = b->bid + b->istart[a + 1];

	for (; bid < end; bid++) {
		uint32_t k = *bid;
		uint64_t w = b->w ? b->w[k] : 1;
		const uint32_t *s = b->item + b->start[k];
		const uint32_t *e = b->item + b->start[k + 1];

		/* Two hops to a basket's items (id, then offset): fetch the
		 * offset 16 baskets ahead and the items 8 ahead. */
		if (bid + 16 < end)
			__builtin_prefetch(b->start + bid[16]);
		if (bid + 8 < end)
			__builtin_prefetch(b->item + b->start[bid[8]]);
		if (upper)
			s = after(s, e, a);
		for (; s < e; s++) {
			uint32_t x = *s;

			if (x == a)
				continue;
			if (!cnt[x])
				touched[nt++] = x;
			cnt[x] += w;
		}
	}
	return nt;
}

void
bsk_row_clear(uint64_t *cnt, const uint32_t *touched, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cnt[touched[i]] = 0;
}

/* ---- frequent itemsets, depth first over basket-id lists ---- */

struct miner {
	const struct baskets *b;
	uint64_t thr;
	int maxk;
	bsk_set_fn *fn;
	void *ctx;
	uint64_t *cnt;		/* weight of prefix + x */
	uint32_t *nbk;		/* baskets with prefix + x */
	uint32_t *touched;
	uint32_t *mark;		/* x -> its place among the extensions + 1 */
	uint32_t set[ISETS_MAX + 1];
};

/* Sorts the touched items > last: by a scan of the counters when they
 * are dense in that range, else by sorting the list. */
static void
sort_touched(struct miner *m, uint32_t last, size_t nt)
{
	size_t range = m->b->nitems - (size_t)last - 1, k = 0;

	if (nt * 16 < range) {
		sort_u32(m->touched, nt);
		return;
	}
	for (uint32_t x = last + 1; x < m->b->nitems; x++)
		if (m->nbk[x])
			m->touched[k++] = x;
}

static void
mine(struct miner *m, int len, const uint32_t *tid, size_t ntid)
{
	const struct baskets *b = m->b;
	uint32_t last = m->set[len - 1], *fx, *fnb, *coff, *ctid, *pos;
	uint64_t *fw;
	size_t nt = 0, nf = 0;

	for (size_t i = 0; i < ntid; i++) {
		uint32_t k = tid[i];
		uint64_t w = b->w ? b->w[k] : 1;
		const uint32_t *e = b->item + b->start[k + 1];

		for (const uint32_t *s = after(b->item + b->start[k], e, last);
		    s < e; s++) {
			if (!m->nbk[*s])
				m->touched[nt++] = *s;
			m->cnt[*s] += w;
			m->nbk[*s]++;
		}
	}
	sort_touched(m, last, nt);
	fx = xreallocarray(NULL, nt + 1, sizeof *fx);
	fnb = xreallocarray(NULL, nt + 1, sizeof *fnb);
	fw = xreallocarray(NULL, nt + 1, sizeof *fw);
	for (size_t j = 0; j < nt; j++) {
		uint32_t x = m->touched[j];

		if (m->cnt[x] >= m->thr) {
			fx[nf] = x;
			fw[nf] = m->cnt[x];
			fnb[nf] = m->nbk[x];
			nf++;
		}
		m->cnt[x] = 0;
		m->nbk[x] = 0;
	}
	if (len + 1 >= m->maxk || nf == 0) {
		for (size_t f = 0; f < nf; f++) {
			m->set[len] = fx[f];
			m->fn(m->ctx, m->set, len + 1, fw[f]);
		}
		free(fx);
		free(fnb);
		free(fw);
		return;
	}
	/* The baskets of each frequent extension, in one pass. */
	coff = xreallocarray(NULL, nf + 1, sizeof *coff);
	coff[0] = 0;
	for (size_t f = 0; f < nf; f++) {
		coff[f + 1] = coff[f] + fnb[f];
		m->mark[fx[f]] = (uint32_t)f + 1;
	}
	ctid = xreallocarray(NULL, coff[nf] ? coff[nf] : 1, sizeof *ctid);
	pos = (uint32_t *)xmemdup(coff, nf * sizeof *pos);
	for (size_t i = 0; i < ntid; i++) {
		uint32_t k = tid[i];
		const uint32_t *e = b->item + b->start[k + 1];

		for (const uint32_t *s = after(b->item + b->start[k], e, last);
		    s < e; s++)
			if (m->mark[*s])
				ctid[pos[m->mark[*s] - 1]++] = k;
	}
	for (size_t f = 0; f < nf; f++)
		m->mark[fx[f]] = 0;
	free(pos);
	for (size_t f = 0; f < nf; f++) {
		m->set[len] = fx[f];
		m->fn(m->ctx, m->set, len + 1, fw[f]);
		mine(m, len + 1, ctid + coff[f], coff[f + 1] - coff[f]);
	}
	free(ctid);
	free(coff);
	free(fx);
	free(fnb);
	free(fw);
}

void
bsk_mine(const struct baskets *b, uint64_t thr, int maxk, bsk_set_fn *fn,
    void *ctx)
{
	struct miner m;
	size_t n = (size_t)b->nitems + 1;

	if (maxk < 2)
		return;
	if (maxk > ISETS_MAX)
		maxk = ISETS_MAX;
	m.b = b;
	m.thr = thr;
	m.maxk = maxk;
	m.fn = fn;
	m.ctx = ctx;
	m.cnt = xcalloc(n, sizeof *m.cnt);
	m.nbk = xcalloc(n, sizeof *m.nbk);
	m.mark = xcalloc(n, sizeof *m.mark);
	m.touched = xreallocarray(NULL, n, sizeof *m.touched);
	for (uint32_t a = 0; a < b->nitems; a++) {
		uint32_t from = b->istart[a], to = b->istart[a + 1];

		if (from == to)
			continue;
		m.set[0] = a;
		mine(&m, 1, b->bid + from, to - from);
	}
	free(m.cnt);
	free(m.nbk);
	free(m.mark);
	free(m.touched);
}
