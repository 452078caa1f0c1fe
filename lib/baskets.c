/* baskets.c: order lines to netted baskets, co-occurrence rows, itemsets. */
#include <stdlib.h>
#include <string.h>

#include "xsell.h"
#include "intern.h"
#include "buf.h"
#include "baskets.h"
#include "pairs.h"

void
bkeys_init(struct bkeys *k)
{
	memset(k, 0, sizeof *k);
	k->mask = 1023;
	k->slot = xcalloc(k->mask + 1, sizeof *k->slot);
}

void
bkeys_free(struct bkeys *k)
{
	buf_free(&k->pool);
	free(k->off);
	free(k->slot);
	memset(k, 0, sizeof *k);
}

static size_t
key_len(const struct bkeys *k, uint32_t id)
{
	size_t end = id + 1 < k->n ? k->off[id + 1] : k->pool.len;

	return end - k->off[id] - 1;
}

#define TAG(h) ((h) >> 32 << 32)

/* The slots keep only the hash's top half: growing hashes the keys again. */
static void
bkeys_grow(struct bkeys *k)
{
	size_t n = (k->mask + 1) * 2, mask = n - 1;
	uint64_t *slot = xcalloc(n, sizeof *slot);

	xhuge_pages(slot, n * sizeof *slot);
	for (uint32_t id = 0; id < k->n; id++) {
		uint64_t h = xs_hash(k->pool.s + k->off[id], key_len(k, id));
		size_t i;

		for (i = h & mask; slot[i]; i = (i + 1) & mask)
			;
		slot[i] = TAG(h) | (id + 1);
	}
	free(k->slot);
	k->slot = slot;
	k->mask = mask;
}

uint32_t
bkeys_id(struct bkeys *k, const char *s, size_t len, uint64_t h)
{
	size_t i;
	uint32_t id;

	for (i = h & k->mask; k->slot[i]; i = (i + 1) & k->mask) {
		if (TAG(k->slot[i]) != TAG(h))
			continue;
		id = (uint32_t)k->slot[i] - 1;
		if (key_len(k, id) == len &&
		    memcmp(k->pool.s + k->off[id], s, len) == 0)
			return id;
	}
	if (k->n == k->cap) {
		if (k->cap >= UINT32_MAX / 2)
			die(XS_SYS, "more than %u baskets", UINT32_MAX / 2);
		k->cap = k->cap ? k->cap * 2 : 1 << 14;
		k->off = xreallocarray(k->off, k->cap, sizeof *k->off);
	}
	id = k->n++;
	k->off[id] = k->pool.len;
	buf_put(&k->pool, s, len);
	buf_putc(&k->pool, '\0');
	k->slot[i] = TAG(h) | (id + 1);
	if ((size_t)k->n * 2 > k->mask + 1)
		bkeys_grow(k);
	return id;
}

void
bsk_init(struct baskets *b)
{
	memset(b, 0, sizeof *b);
	b->grouped = 1;
	b->curb = UINT32_MAX;
}

void
bsk_free(struct baskets *b)
{
	free(b->ritem);
	free(b->rq);
	free(b->rstart);
	free(b->rbasket);
	free(b->cur);
	free(b->start);
	free(b->item);
	free(b->w);
	free(b->istart);
	free(b->bid);
	free(b->ustart);
	free(b->ufrom);
	free(b->uto);
	free(b->ub);
	memset(b, 0, sizeof *b);
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

static int
cmp_line(const void *a, const void *b)
{
	const struct bsk_line *x = a, *y = b;

	return (x->item > y->item) - (x->item < y->item);
}

static void
sort_lines(struct bsk_line *v, size_t n)
{
	if (n > 24) {
		qsort(v, n, sizeof *v, cmp_line);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		struct bsk_line x = v[i];
		size_t j = i;

		for (; j > 0 && v[j - 1].item > x.item; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

size_t
bsk_net(struct bsk_line *v, size_t n)
{
	size_t k = 0;

	sort_lines(v, n);
	for (size_t i = 0, j; i < n; i = j) {
		float q = 0;

		for (j = i; j < n && v[j].item == v[i].item; j++)
			q += v[j].q;
		v[k].item = v[i].item;
		v[k++].q = q;
	}
	return k;
}

/* Quantities cost memory only once one differs from 1 (or an item comes
 * twice in a run): most logs sell one of each. */
static void
need_quantities(struct baskets *b)
{
	if (b->rq)
		return;
	b->rq = xreallocarray(NULL, b->capri ? b->capri : 1, sizeof *b->rq);
	for (size_t i = 0; i < b->nri; i++)
		b->rq[i] = 1;
}

/* Nets the current run into its distinct items and their quantities. */
static void
flush_run(struct baskets *b)
{
	struct bsk_line *v = b->cur;
	size_t n = b->ncur;

	if (n == 0)
		return;
	if (b->nrun + 1 >= b->caprun) {
		if (b->caprun >= UINT32_MAX / 2)
			die(XS_SYS, "more than %u runs of order lines",
			    UINT32_MAX / 2);
		b->caprun = b->caprun ? b->caprun * 2 : 1 << 14;
		b->rstart = xreallocarray(b->rstart, b->caprun, sizeof *b->rstart);
		b->rbasket = xreallocarray(b->rbasket, b->caprun,
		    sizeof *b->rbasket);
	}
	if (b->nri + n > b->capri) {
		while (b->nri + n > b->capri)
			b->capri = b->capri ? b->capri * 2 : 1 << 16;
		if (b->capri > UINT32_MAX)
			die(XS_SYS, "more than %u order lines", UINT32_MAX);
		b->ritem = xreallocarray(b->ritem, b->capri, sizeof *b->ritem);
		if (b->rq)
			b->rq = xreallocarray(b->rq, b->capri, sizeof *b->rq);
	}
	sort_lines(v, n);
	b->rstart[b->nrun] = (uint32_t)b->nri;
	b->rbasket[b->nrun++] = b->curb;
	for (size_t i = 0, j; i < n; i = j) {
		float q = 0;

		for (j = i; j < n && v[j].item == v[i].item; j++)
			q += v[j].q;
		if ((j - i > 1 || q != 1) && !b->rq)
			need_quantities(b);
		b->ritem[b->nri] = v[i].item;
		if (b->rq)
			b->rq[b->nri] = q;
		b->nri++;
	}
	b->rstart[b->nrun] = (uint32_t)b->nri;
	b->ncur = 0;
}

void
bsk_add(struct baskets *b, uint32_t basket, uint32_t item, double qty)
{
	if (basket != b->curb) {
		flush_run(b);
		if (basket < b->nbid)
			b->grouped = 0;
		else
			b->nbid = basket + 1;
		b->curb = basket;
	}
	if (b->ncur == b->capcur) {
		b->capcur = b->capcur ? b->capcur * 2 : 64;
		b->cur = xreallocarray(b->cur, b->capcur, sizeof *b->cur);
	}
	b->cur[b->ncur].item = item;
	b->cur[b->ncur].q = (float)qty;
	b->ncur++;
}

/* Keeps a basket of n items at out[0 .. n), or says why not. */
static int
keep_basket(struct baskets *b, uint32_t n, uint32_t id, const uint64_t *weight,
    uint32_t max_items, struct bsk_stats *st)
{
	if (n == 0) {
		st->empty++;
		return 0;
	}
	if (max_items && n > max_items) {
		st->big++;
		return 0;
	}
	if (weight && weight[id] == 0) {
		st->weightless++;
		return 0;
	}
	if (weight)
		b->w[b->nb] = weight[id];
	return 1;
}

/* Every basket in one run: the runs are the baskets, in place. */
static void
build_grouped(struct baskets *b, const uint32_t *label, const uint64_t *weight,
    uint32_t max_items, struct bsk_stats *st)
{
	uint32_t wp = 0;

	for (uint32_t r = 0; r < b->nrun; r++) {
		uint32_t from = wp;

		for (uint32_t p = b->rstart[r]; p < b->rstart[r + 1]; p++)
			if (!b->rq || b->rq[p] > 0)
				b->ritem[wp++] = label ? label[b->ritem[p]] :
				    b->ritem[p];
		if (!keep_basket(b, wp - from, b->rbasket[r], weight, max_items,
		    st)) {
			wp = from;
			continue;
		}
		if (label)
			sort_u32(b->ritem + from, wp - from);
		b->start[b->nb++] = from;
	}
	b->start[b->nb] = wp;
	b->item = b->ritem;
	b->ritem = NULL;
}

/* Some basket in several runs: gather each basket's runs and net again. */
static void
build_scattered(struct baskets *b, const uint32_t *label,
    const uint64_t *weight, uint32_t max_items, struct bsk_stats *st)
{
	uint32_t *first = xcalloc((size_t)b->nbid + 1, sizeof *first);
	uint32_t *order = xreallocarray(NULL, b->nrun + 1, sizeof *order);
	uint32_t *item = xreallocarray(NULL, b->nri + 1, sizeof *item);
	struct bsk_line *tmp = NULL;
	size_t cap = 0;
	uint32_t wp = 0;

	for (uint32_t r = 0; r < b->nrun; r++)
		first[b->rbasket[r] + 1]++;
	for (uint32_t k = 0; k < b->nbid; k++)
		first[k + 1] += first[k];
	for (uint32_t r = 0; r < b->nrun; r++)
		order[first[b->rbasket[r]]++] = r;
	for (uint32_t k = 0, i = 0; k < b->nbid; k++) {
		size_t n = 0;
		uint32_t from = wp;

		for (; i < b->nrun && b->rbasket[order[i]] == k; i++) {
			uint32_t r = order[i];
			size_t m = b->rstart[r + 1] - b->rstart[r];

			if (n + m > cap) {
				cap = (n + m) * 2;
				tmp = xreallocarray(tmp, cap, sizeof *tmp);
			}
			for (uint32_t p = b->rstart[r]; p < b->rstart[r + 1]; p++) {
				tmp[n].item = label ? label[b->ritem[p]] : b->ritem[p];
				tmp[n++].q = b->rq ? b->rq[p] : 1;
			}
		}
		if (n == 0)
			continue;
		sort_lines(tmp, n);
		for (size_t a = 0, z; a < n; a = z) {
			float q = 0;

			for (z = a; z < n && tmp[z].item == tmp[a].item; z++)
				q += tmp[z].q;
			if (q > 0)
				item[wp++] = tmp[a].item;
		}
		if (!keep_basket(b, wp - from, k, weight, max_items, st)) {
			wp = from;
			continue;
		}
		b->start[b->nb++] = from;
	}
	b->start[b->nb] = wp;
	b->item = item;
	free(tmp);
	free(first);
	free(order);
}

void
bsk_build(struct baskets *b, const uint32_t *label, uint32_t nitems,
    const uint64_t *weight, uint32_t max_items, struct bsk_stats *st)
{
	flush_run(b);
	memset(st, 0, sizeof *st);
	st->runs = b->nrun;
	b->nb = 0;
	b->start = xreallocarray(NULL, (size_t)b->nbid + 1, sizeof *b->start);
	if (weight)
		b->w = xreallocarray(NULL, (size_t)b->nbid + 1, sizeof *b->w);
	if (b->grouped)
		build_grouped(b, label, weight, max_items, st);
	else
		build_scattered(b, label, weight, max_items, st);
	st->kept = b->nb;
	st->incidences = b->start[b->nb];
	free(b->ritem);
	free(b->rq);
	free(b->rstart);
	free(b->rbasket);
	free(b->cur);
	b->ritem = b->rstart = b->rbasket = NULL;
	b->cur = NULL;
	b->rq = NULL;
	b->nri = b->capri = b->ncur = b->capcur = 0;
	b->nrun = b->caprun = 0;
	b->item = xreallocarray(b->item, st->incidences ? st->incidences : 1,
	    sizeof *b->item);
	xhuge_pages(b->item, st->incidences * sizeof *b->item);
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
	free(b->ustart);
	free(b->ufrom);
	free(b->uto);
	free(b->ub);
	b->istart = b->bid = b->ustart = b->ufrom = b->uto = b->ub = NULL;
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
		for (; s < e; s++) {
			uint32_t x = *s;

			if (upper ? x <= a : x == a)
				continue;
			if (!cnt[x])
				touched[nt++] = x;
			cnt[x] += w;
		}
	}
	return nt;
}

void
bsk_index_upper(struct baskets *b)
{
	uint32_t *pos;
	size_t total = 0;

	b->ustart = xcalloc((size_t)b->nitems + 1, sizeof *b->ustart);
	for (uint32_t k = 0; k < b->nb; k++)
		for (uint32_t p = b->start[k]; p + 1 < b->start[k + 1]; p++) {
			b->ustart[b->item[p] + 1]++;
			total++;
		}
	for (uint32_t a = 0; a < b->nitems; a++)
		b->ustart[a + 1] += b->ustart[a];
	b->ufrom = xreallocarray(NULL, total + 1, sizeof *b->ufrom);
	b->uto = xreallocarray(NULL, total + 1, sizeof *b->uto);
	if (b->w)
		b->ub = xreallocarray(NULL, total + 1, sizeof *b->ub);
	pos = (uint32_t *)xmemdup(b->ustart, (size_t)b->nitems * sizeof *pos);
	for (uint32_t k = 0; k < b->nb; k++)
		for (uint32_t p = b->start[k]; p + 1 < b->start[k + 1]; p++) {
			uint32_t at = pos[b->item[p]]++;

			b->ufrom[at] = p + 1;
			b->uto[at] = b->start[k + 1];
			if (b->ub)
				b->ub[at] = k;
		}
	free(pos);
}

size_t
bsk_row_upper(const struct baskets *b, uint32_t a, uint64_t *cnt,
    uint32_t *touched)
{
	size_t nt = 0;
	const uint32_t *item = b->item;

	for (uint32_t p = b->ustart[a]; p < b->ustart[a + 1]; p++) {
		uint64_t w = b->ub ? b->w[b->ub[p]] : 1;

		if (p + 8 < b->ustart[a + 1])
			__builtin_prefetch(item + b->ufrom[p + 8]);
		for (uint32_t q = b->ufrom[p]; q < b->uto[p]; q++) {
			uint32_t x = item[q];

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
