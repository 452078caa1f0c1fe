/*
 * Offer performance (offerperf.h): the events read in batches into
 * sums per (group, candidate), the partial sums of --counts and
 * --merge, the flags and what-if changes; the output is
 * offerperf-report.c's.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "experiment.h"
#include "offerperf-internal.h"
#include "progress.h"
#include "stats.h"
#include "xsell.h"

const char *const offer_by_words[] = {
	"category", "channel", "type", "source", "link", NULL
};

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static void
slots_grow(struct offerperf *op)
{
	size_t n = op->nslots ? 2 * op->nslots : 1024;

	free(op->slots);
	op->slots = xcalloc(n, sizeof *op->slots);
	op->nslots = n;
	for (size_t i = 0; i < op->ncells; i++) {
		size_t h = mix64((uint64_t)op->cells[i].g << 32 | op->cells[i].c) & (n - 1);
		while (op->slots[h])
			h = (h + 1) & (n - 1);
		op->slots[h] = (uint32_t)i + 1;
	}
}

static struct agg *
cell_of(struct offerperf *op, uint32_t g, uint32_t c)
{
	size_t h;

	if (2 * (op->ncells + 1) > op->nslots)
		slots_grow(op);
	h = mix64((uint64_t)g << 32 | c) & (op->nslots - 1);
	for (; op->slots[h]; h = (h + 1) & (op->nslots - 1)) {
		struct cell *x = &op->cells[op->slots[h] - 1];
		if (x->g == g && x->c == c)
			return &x->a;
	}
	if (op->ncells == op->cells_cap) {
		op->cells_cap = op->cells_cap ? 2 * op->cells_cap : 1024;
		op->cells = xreallocarray(op->cells, op->cells_cap, sizeof *op->cells);
	}
	memset(&op->cells[op->ncells], 0, sizeof op->cells[op->ncells]);
	op->cells[op->ncells].g = g;
	op->cells[op->ncells].c = c;
	op->slots[h] = (uint32_t)++op->ncells;
	return &op->cells[op->ncells - 1].a;
}

static struct agg *
cand_cell(struct offerperf *op, uint32_t c)
{
	if (c >= op->cellno_cap) {
		size_t n = op->cellno_cap ? 2 * op->cellno_cap : 4096;

		while (n <= c)
			n *= 2;
		op->cellno = xreallocarray(op->cellno, n, sizeof *op->cellno);
		memset(op->cellno + op->cellno_cap, 0,
		    (n - op->cellno_cap) * sizeof *op->cellno);
		op->cellno_cap = n;
	}
	if (!op->cellno[c]) {
		if (op->ncells == op->cells_cap) {
			op->cells_cap = op->cells_cap ? 2 * op->cells_cap : 1024;
			op->cells = xreallocarray(op->cells, op->cells_cap, sizeof *op->cells);
		}
		memset(&op->cells[op->ncells], 0, sizeof op->cells[op->ncells]);
		op->cells[op->ncells].c = c;
		op->cellno[c] = (uint32_t)++op->ncells;
	}
	return &op->cells[op->cellno[c] - 1].a;
}

/* The --by word as a group's name says it (--by link: a group is a
 * subject, its candidates are the links). */
const char *
by_name(struct offerperf *op)
{
	return op->by == OFFER_BY_LINK ? "subject" : offer_by_words[op->by];
}

/* --by type, source or link of an event without that column: its
 * context's link to the candidate (ctx INTERN_NONE: the context is no
 * subject); --by link's group is the subject, the context itself. */
static void
link_group(struct offerperf *op, uint32_t ctx, uint32_t c, const char **s,
    size_t *n)
{
	struct audit *a = op->a;
	const struct rel_row *k;

	*s = "";
	*n = 0;
	if (ctx == INTERN_NONE || !(k = find_link(a, ctx, c, -1)))
		return;
	if (op->by == OFFER_BY_LINK) {
		*s = intern_str(&a->items, ctx);
		*n = intern_len(&a->items, ctx);
	} else if (op->by == OFFER_BY_TYPE && k->type != T_OTHER) {
		*s = type_words[k->type];
		*n = strlen(*s);
	} else if (op->by == OFFER_BY_SOURCE &&
	    a->link_src[k - a->links] != INTERN_NONE) {
		*s = intern_str(&a->words, a->link_src[k - a->links]);
		*n = intern_len(&a->words, a->link_src[k - a->links]);
	}
}

/* The item ids of the candidates first seen in this batch (candmap ids
 * from before on), in the order of first sight. */
static void
cand_items(struct offerperf *op, uint32_t before)
{
	uint32_t n = op->candmap.n;

	if (n == before)
		return;
	if (n > op->cand_item_cap) {
		size_t cap = op->cand_item_cap ? 2 * op->cand_item_cap : 4096;

		while (cap < n)
			cap *= 2;
		op->cand_item = xreallocarray(op->cand_item, cap,
		    sizeof *op->cand_item);
		memset(op->cand_item + op->cand_item_cap, 0xff,
		    (cap - op->cand_item_cap) * sizeof *op->cand_item);
		op->cand_item_cap = cap;
	}
	for (size_t i = 0; i < intern_batch_n(&op->cands); i++) {
		uint32_t k = intern_batch_id(&op->cands, i);

		if (k >= before && op->cand_item[k] == INTERN_NONE)
			op->cand_item[k] = item_put(op->a,
			    intern_batch_str(&op->cands, i),
			    intern_batch_len(&op->cands, i));
	}
}

static void
money_add(struct offerperf *op, xsum *to, xsum v)
{
	if (!xsum_add(to, v))
		die(XS_INPUT, "%s: revenue or margin sums past 2^62",
		    op->opt->events);
}

static struct sums *
sums_of(struct offerperf *op, uint32_t g, uint32_t k)
{
	if (k >= op->gsum_cap[g]) {
		size_t cap = op->gsum_cap[g] ? 2 * op->gsum_cap[g] : 4096;

		while (cap <= k)
			cap *= 2;
		op->gsum[g] = xreallocarray(op->gsum[g], cap, sizeof *op->gsum[g]);
		memset(op->gsum[g] + op->gsum_cap[g], 0,
		    (cap - op->gsum_cap[g]) * sizeof *op->gsum[g]);
		op->gsum_cap[g] = cap;
	}
	return &op->gsum[g][k];
}

static void
evsum_add(struct offerperf *op)
{
	for (int i = 0; i < op->nevprev; i++) {
		const struct evsum *e = &op->evprev[i];

		if (e->g < DENSE) {
			struct sums *a = &op->gsum[e->g][e->k];

			a->imps++;
			a->conv += e->conv;
			money_add(op, &a->rev, e->rev);
			money_add(op, &a->margin, e->mar);
		} else {
			struct agg *a = cell_of(op, e->g, op->cand_item[e->k]);

			a->imps++;
			a->conv += e->conv;
			money_add(op, &a->xrev, e->rev);
			money_add(op, &a->xmargin, e->mar);
		}
	}
	op->nevprev = 0;
}

/* Finds this batch's candidates (and groups), prefetches their sums,
 * adds the previous batch's, and keeps this one's for the next call; at
 * the end (last) adds this one's too. */
static void
evq_flush(struct offerperf *op, int last)
{
	struct evsum next[EVBATCH];
	uint32_t before = op->candmap.n;
	int i;

	intern_batch_put(&op->cands);
	cand_items(op, before);
	if (intern_batch_n(&op->ctxs))
		intern_batch_find(&op->ctxs);
	for (i = 0; i < op->nevq; i++) {
		struct evq *q = &op->evq[i];
		uint32_t k = intern_batch_id(&op->cands, (size_t)i);

		if (q->g == GROUP_OF_LINK) {
			const char *gs;
			size_t gn;

			link_group(op, intern_batch_id(&op->ctxs, q->ctx),
			    op->cand_item[k], &gs, &gn);
			q->g = intern_put(&op->groups, gs, gn);
		}
		if (q->g < DENSE)
			__builtin_prefetch(sums_of(op, q->g, k));
		next[i].g = q->g;
		next[i].k = k;
		next[i].conv = q->conv;
		next[i].rev = xsum_of(q->rev);
		next[i].mar = xsum_of(q->mar);
	}
	evsum_add(op);
	memcpy(op->evprev, next, (size_t)op->nevq * sizeof *next);
	op->nevprev = op->nevq;
	op->nevq = 0;
	intern_batch_clear(&op->cands);
	intern_batch_clear(&op->ctxs);
	if (last)
		evsum_add(op);
}

/* The group of a candidate by its catalog or offer category. */
static uint32_t
category_group(struct offerperf *op, uint32_t c)
{
	if (op->a->item[c].category == INTERN_NONE)
		return intern_put(&op->groups, "", 0);
	return intern_put(&op->groups, intern_str(&op->a->cats, op->a->item[c].category),
	    intern_len(&op->a->cats, op->a->item[c].category));
}

/*
 * The dense sums as cells; without --by one a candidate, in order of
 * first sight. With by_cand (--by category from the catalog) the sums
 * were kept per candidate, in group 0, and the group is its category.
 */
static void
sums_to_cells(struct offerperf *op, int by_cand)
{
	for (uint32_t g = 0; g < DENSE; g++) {
		for (size_t k = 0; k < op->candmap.n && k < op->gsum_cap[g]; k++) {
			const struct sums *s = &op->gsum[g][k];
			uint32_t c = op->cand_item[k];
			struct agg *a;

			if (s->imps == 0)
				continue;
			a = op->by == OFFER_BY_NONE ? cand_cell(op, c) :
			    cell_of(op, by_cand ? category_group(op, c) : g, c);
			a->imps = s->imps;
			a->conv = s->conv;
			a->xrev = s->rev;
			a->xmargin = s->margin;
		}
		free(op->gsum[g]);
		op->gsum[g] = NULL;
		op->gsum_cap[g] = 0;
	}
}

static void
read_offer_events(struct offerperf *op)
{
	struct rec r = { 0 };
	char *files[1] = { (char *)op->opt->events };
	int cctx, ccand, cgrp, cconv, crev, cmar, cby = -1, cts = -1;
	struct progress pr;
	uint32_t lastg;

	rec_open(&r, 1, files);
	rec_background(&r);
	cctx = rec_need(&r, "context_id");
	ccand = rec_need(&r, "candidate_id");
	cgrp = rec_col(&r, "group");
	cconv = rec_col(&r, "converted");
	crev = rec_col(&r, "revenue");
	cmar = rec_col(&r, "margin");
	op->have_margin = cmar >= 0;
	if (op->a->as_report || op->a->html)	/* a trend over time, for people */
		cts = rec_col(&r, "ts");
	if (op->by != OFFER_BY_NONE)
		cby = rec_col(&r, op->by == OFFER_BY_LINK ? "subject_id" :
		    offer_by_words[op->by]);
	if (op->by == OFFER_BY_LINK && cby < 0 && !op->opt->nrel)
		die(XS_INPUT, "%s: --by link needs a 'subject_id' column in the "
		    "events, or RELATIONS to find the context's link to the "
		    "candidate", r.name);
	intern_put(&op->groups, "", 0);	/* group 0: missing or no --by */
	intern_init_wide(&op->candmap);
	intern_batch_init(&op->cands, &op->candmap);
	intern_batch_init(&op->ctxs, &op->a->items);
	lastg = INTERN_NONE;
	progress_init(&pr, "events");
	progress_input(&pr, &r);
	while (rec_next(&r) == REC_ROW) {
		uint32_t g = 0;
		int conv;
		double rev, mar;
		struct evq *q;

		progress_tick(&pr, (uint64_t)++op->all_events);
		if (cgrp >= 0 && r.len[cgrp] == 7 && memcmp(r.f[cgrp], "control", 7) == 0) {
			op->control_events++;
			continue;
		}
		conv = exp_converted(&r, cconv);
		rev = field_num(&r, crev, 0);
		mar = field_num(&r, cmar, 0);
		if (cts >= 0)
			trend_add(&op->trend, r.f[cts], r.len[cts], conv, rev);
		if (!(fabs(rev) < XSUM_MAX) || !(fabs(mar) < XSUM_MAX))
			die(XS_INPUT, "%s: column '%s': out of range: %g",
			    rec_where(&r), fabs(rev) < XSUM_MAX ? "margin" :
			    "revenue", fabs(rev) < XSUM_MAX ? mar : rev);
		q = &op->evq[op->nevq];
		if ((op->by == OFFER_BY_TYPE || op->by == OFFER_BY_SOURCE ||
		    op->by == OFFER_BY_LINK) &&
		    cby < 0) {
			/* the context's link decides, once the ids are found */
			q->ctx = intern_batch_add(&op->ctxs, r.f[cctx],
			    r.len[cctx]);
			g = GROUP_OF_LINK;
		} else if (op->by != OFFER_BY_NONE && cby >= 0) {
			/* the last value again (channels come in runs) */
			if (lastg == INTERN_NONE || intern_len(&op->groups, lastg) != r.len[cby] ||
			    memcmp(intern_str(&op->groups, lastg), r.f[cby], r.len[cby]) != 0)
				lastg = intern_put(&op->groups, r.f[cby], r.len[cby]);
			g = lastg;
		}
		intern_batch_add(&op->cands, r.f[ccand], r.len[ccand]);
		op->nevq++;
		q->g = g;
		q->conv = conv;
		q->rev = rev;
		q->mar = mar;
		if (op->nevq == EVBATCH)
			evq_flush(op, 0);
	}
	evq_flush(op, 1);
	progress_done(&pr);
	rec_close(&r);
	sums_to_cells(op, op->by == OFFER_BY_CATEGORY && cby < 0);
	intern_batch_free(&op->cands);
	intern_batch_free(&op->ctxs);
	intern_free(&op->candmap);
	free(op->cand_item);
	op->cand_item = NULL;
	op->cand_item_cap = 0;
}

static const struct whatif *
whatif_for(struct offerperf *op, uint32_t c)
{
	const struct whatif *all = NULL;

	for (int i = 0; i < op->nwhatif; i++) {
		if (!op->whatifs[i].id)
			all = &op->whatifs[i];
		else if (strcmp(op->whatifs[i].id, intern_str(&op->a->items, c)) == 0)
			return &op->whatifs[i];
	}
	return all;
}

void
agg_add(struct offerperf *op, struct agg *to, const struct agg *a)
{
	to->imps += a->imps;
	to->conv += a->conv;
	money_add(op, &to->xrev, a->xrev);
	money_add(op, &to->xmargin, a->xmargin);
	to->rev = xsum_double(to->xrev);
	to->margin = xsum_double(to->xmargin);
	to->dconv += a->dconv;
	to->drev += a->drev;
	to->dmargin += a->dmargin;
	to->whatif |= a->whatif;
}

/* The change if acceptance moved as asked, at the current traffic and
 * the current value per conversion (overall where this one has none). */
static void
apply_whatif(struct offerperf *op, struct agg *a, uint32_t c,
    const struct agg *total)
{
	const struct whatif *w = whatif_for(op, c);
	double vpc, mpc;

	if (!w || a->imps == 0)
		return;
	/* imps x to - conv is exact where imps x (to - from) picks up a tail */
	a->dconv = isnan(w->from) ? a->imps * w->to - a->conv :
	    a->imps * w->to - a->imps * w->from;
	vpc = a->conv > 0 ? a->rev / a->conv :
	    total->conv > 0 ? total->rev / total->conv : 0;
	mpc = a->conv > 0 ? a->margin / a->conv :
	    total->conv > 0 ? total->margin / total->conv : 0;
	a->whatif = 1;
	a->drev = a->dconv * vpc;
	a->dmargin = a->dconv * mpc;
}

/* A cell's sort key: the group's rank by name, revenue, the candidate
 * id; small, so the sort moves 24 bytes and seldom looks a name up. */
struct cellkey {
	uint32_t grank, i;
	double rev;
	uint64_t head;		/* the id's first 8 bytes, big-endian: strcmp's order */
};

static uint64_t
id_head(const char *s)
{
	uint64_t h = 0;
	int k;

	for (k = 0; k < 8 && s[k]; k++)
		h = h << 8 | (unsigned char)s[k];
	return h << (8 * (8 - k));
}

/* The read-out being sorted, for the comparators (qsort passes none). */
static const struct offerperf *sort_op;

static int
by_cellkey(const void *pa, const void *pb)
{
	const struct offerperf *op = sort_op;
	const struct cellkey *a = pa, *b = pb;

	if (a->grank != b->grank)
		return a->grank < b->grank ? -1 : 1;
	if (a->rev != b->rev)
		return a->rev > b->rev ? -1 : 1;
	if (a->head != b->head)
		return a->head < b->head ? -1 : 1;
	/* ids alike in 8 bytes: the cells have not moved yet */
	return strcmp(intern_str(&op->a->items, op->cells[a->i].c),
	    intern_str(&op->a->items, op->cells[b->i].c));
}

static int
by_group_name(const void *pa, const void *pb)
{
	const struct offerperf *op = sort_op;
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	return strcmp(intern_str(&op->groups, a), intern_str(&op->groups, b));
}

/* The cells by group name, then revenue (highest first), then id. */
static void
sort_cells(struct offerperf *op)
{
	uint32_t *byname = xreallocarray(NULL, op->groups.n + 1, sizeof *byname);
	uint32_t *rank = xreallocarray(NULL, op->groups.n + 1, sizeof *rank);
	struct cellkey *key = xreallocarray(NULL, op->ncells, sizeof *key);

	/* the doubling's slack back first: the keys and the sort need room */
	op->cells = xreallocarray(op->cells, op->ncells, sizeof *op->cells);
	op->cells_cap = op->ncells;
	for (uint32_t g = 0; g < op->groups.n; g++)
		byname[g] = g;
	sort_op = op;
	qsort(byname, op->groups.n, sizeof *byname, by_group_name);
	for (uint32_t r = 0; r < op->groups.n; r++)
		rank[byname[r]] = r;
	for (size_t i = 0; i < op->ncells; i++) {
		key[i].grank = rank[op->cells[i].g];
		key[i].i = (uint32_t)i;
		key[i].rev = op->cells[i].a.rev;
		key[i].head = id_head(intern_str(&op->a->items, op->cells[i].c));
	}
	qsort(key, op->ncells, sizeof *key, by_cellkey);
	/* moved in place, a cycle at a time: no second array of cells */
	for (size_t j = 0; j < op->ncells; j++) {
		struct cell tmp;
		size_t k = j, from;

		if (key[j].i == j)
			continue;
		tmp = op->cells[j];
		for (;;) {
			from = key[k].i;
			key[k].i = (uint32_t)k;		/* placed */
			if (from == j) {
				op->cells[k] = tmp;
				break;
			}
			op->cells[k] = op->cells[from];
			k = from;
		}
	}
	free(byname);
	free(rank);
	free(key);
}

/* Per candidate over all groups: the flags and the findings. */
static struct agg *
candidate_totals(struct offerperf *op, struct agg *total)
{
	struct agg *ca = xcalloc(op->a->items.n + 1, sizeof *ca);
	struct buf fl;

	memset(total, 0, sizeof *total);
	for (size_t i = 0; i < op->ncells; i++) {
		agg_add(op, &ca[op->cells[i].c], &op->cells[i].a);
		agg_add(op, total, &op->cells[i].a);
	}
	buf_init(&fl);
	for (uint32_t c = 0; c < op->a->items.n; c++) {
		char a[32], b[32];
		struct st_interval w;

		if (ca[c].imps == 0)
			continue;
		st_wilson(ca[c].conv, ca[c].imps, OFFER_CONF, &w);
		if (op->a->fs.ran[C_UNTRACKED] && !op->a->item[c].linked &&
		    !op->a->item[c].offer)
			finding(&op->a->fs, C_UNTRACKED, c, INTERN_NONE, 0, "%.0f events for a "
			    "candidate in no relation or offer given", ca[c].imps);
		if (!isnan(op->opt->min_acceptance) && w.hi < op->opt->min_acceptance)
			finding(&op->a->fs, C_RETIRE, c, INTERN_NONE, 0, "acceptance %s, 95%% "
			    "upper bound %s below --min-acceptance",
			    fmt_pct(w.est, a, sizeof a), fmt_pct(w.hi, b, sizeof b));
		if (op->have_margin && ca[c].conv > 0 && ca[c].margin <= 0)
			finding(&op->a->fs, C_UNPROFITABLE, c, INTERN_NONE, 0, "total margin %s",
			    fmt_num(ca[c].margin, 6, a, sizeof a));
	}
	op->nretire_all = op->a->fs.ncheck[C_RETIRE];
	/* with --by, retire inside each group too: a candidate that sells on
	 * one channel and not on another is retired where it does not */
	for (size_t i = 0; op->by != OFFER_BY_NONE && !isnan(op->opt->min_acceptance) &&
	    i < op->ncells; i++) {
		const struct cell *x = &op->cells[i];
		const char *g = intern_str(&op->groups, x->g);
		char a[32], b[32];
		struct st_interval w;

		st_wilson(x->a.conv, x->a.imps, OFFER_CONF, &w);
		if (w.hi < op->opt->min_acceptance)
			finding(&op->a->fs, C_RETIRE, x->c, INTERN_NONE, 0, "acceptance %s, 95%% "
			    "upper bound %s below --min-acceptance in %s %s",
			    fmt_pct(w.est, a, sizeof a), fmt_pct(w.hi, b, sizeof b),
			    by_name(op), *g ? g : "(none)");
	}
	buf_free(&fl);
	return ca;
}

/* ---- partial sums: --counts writes them, --merge reads them ---- */

static const char *const sums_cols[] = {
	"kind", "group", "candidate_id", "impressions", "conversions",
	"revenue", "margin"
};

/* What the sums depend on: --merge must be given the same. */
static void
sums_options(struct offerperf *op, char *buf, size_t n)
{
	snprintf(buf, n, "by=%s", op->by == OFFER_BY_NONE ? "none" :
	    offer_by_words[op->by]);
}

/*
 * Each cell's sums, exact (revenue and margin in units of 2^-64), with
 * the events read: xsell-audit --merge adds any number of such streams
 * and writes what one process over all their events would.
 */
static void
write_offer_sums(struct offerperf *op)
{
	struct writer w;
	char o[64], n1[NUM_BUF], n2[NUM_BUF], r[48], m[48];
	char *v[7];

	writer_open(&w, op->a->out, op->opt->json, 7, (char *const *)sums_cols);
	writer_type(&w, 5, WRITER_STR);
	writer_type(&w, 6, WRITER_STR);
	sums_options(op, o, sizeof o);
	v[0] = "options";
	v[1] = o;
	v[2] = "";
	v[3] = v[4] = "";
	v[5] = v[6] = "";
	writer_row(&w, v, NULL);
	num_fmt(op->all_events, n1);
	num_fmt(op->control_events, n2);
	v[0] = "events";
	v[1] = op->have_margin ? "margin" : "";
	v[3] = n1;
	v[4] = n2;
	writer_row(&w, v, NULL);
	v[0] = "cell";
	for (size_t i = 0; i < op->ncells; i++) {
		const struct agg *a = &op->cells[i].a;

		v[1] = (char *)intern_str(&op->groups, op->cells[i].g);
		v[2] = (char *)intern_str(&op->a->items, op->cells[i].c);
		num_fmt(a->imps, n1);
		num_fmt(a->conv, n2);
		v[3] = n1;
		v[4] = n2;
		v[5] = xsum_fmt(a->xrev, r);
		v[6] = xsum_fmt(a->xmargin, m);
		writer_row(&w, v, NULL);
	}
	writer_close(&w);
}

static double
sums_count(const struct rec *r, int col, const char *name)
{
	int64_t v;

	if (num_parse_int(r->f[col], r->len[col], &v) || v < 0)
		die(XS_INPUT, "%s: column '%s': not a count: \"%.40s\"",
		    rec_where(r), name, r->f[col]);
	return (double)v;
}

static xsum
sums_money(const struct rec *r, int col, const char *name)
{
	xsum v;

	if (!xsum_parse(r->f[col], r->len[col], &v))
		die(XS_INPUT, "%s: column '%s': not a sum in units of 2^-64: "
		    "\"%.40s\"", rec_where(r), name, r->f[col]);
	return v;
}

/* --merge: the cells from partial sums instead of events. */
static void
read_offer_sums(struct offerperf *op)
{
	struct rec r = { 0 };
	char *files[1] = { (char *)op->opt->events };
	char want[64];
	int col[7], nopts = 0, nevents = 0;

	rec_open(&r, 1, files);
	for (int k = 0; k < 7; k++)
		col[k] = rec_need(&r, sums_cols[k]);
	sums_options(op, want, sizeof want);
	intern_put(&op->groups, "", 0);	/* group 0, as when reading events */
	while (rec_next(&r) == REC_ROW) {
		const char *kind = r.f[col[0]];
		struct agg *a;
		uint32_t g, c;

		if (strcmp(kind, "kind") == 0)	/* streams concatenated */
			continue;
		if (strcmp(kind, "options") == 0) {
			if (strcmp(r.f[col[1]], want) != 0)
				die(XS_INPUT, "%s: summed with \"%s\", merging with "
				    "\"%s\"", rec_where(&r), r.f[col[1]], want);
			nopts++;
			continue;
		}
		if (strcmp(kind, "events") == 0) {
			op->have_margin |= strcmp(r.f[col[1]], "margin") == 0;
			op->all_events += sums_count(&r, col[3], "impressions");
			op->control_events += sums_count(&r, col[4], "conversions");
			nevents++;
			continue;
		}
		if (strcmp(kind, "cell") != 0)
			die(XS_INPUT, "%s: column 'kind': \"%.40s\" is not options, "
			    "events or cell", rec_where(&r), kind);
		if (r.len[col[2]] == 0)
			die(XS_INPUT, "%s: column 'candidate_id': missing",
			    rec_where(&r));
		g = intern_put(&op->groups, r.f[col[1]], r.len[col[1]]);
		c = item_put(op->a, r.f[col[2]], r.len[col[2]]);
		a = op->by == OFFER_BY_NONE ? cand_cell(op, c) : cell_of(op, g, c);
		a->imps += sums_count(&r, col[3], "impressions");
		a->conv += sums_count(&r, col[4], "conversions");
		money_add(op, &a->xrev, sums_money(&r, col[5], "revenue"));
		money_add(op, &a->xmargin, sums_money(&r, col[6], "margin"));
	}
	if (nopts == 0 || nopts != nevents)
		die(XS_INPUT, "%s: not partial sums of xsell-audit --counts "
		    "(%d options rows, %d events rows)", r.name ? r.name :
		    "<stdin>", nopts, nevents);
	rec_close(&r);
}

static void
offerperf_init(struct offerperf *op, struct audit *a, const struct offer_opts *o)
{
	memset(op, 0, sizeof *op);
	op->a = a;
	op->opt = a->opt;
	op->by = o->by;
	op->whatifs = o->whatif;
	op->nwhatif = o->nwhatif;
	intern_init(&op->groups);
	trend_init(&op->trend);
}

static void
offerperf_free(struct offerperf *op)
{
	free(op->cells);
	free(op->slots);
	free(op->cellno);
	intern_free(&op->groups);
	trend_free(&op->trend);
}

/* The read-out: the cells (in from the events or sums) to totals,
 * flags and what-if changes, sorted, then written. */
static void
offers_out(struct offerperf *op)
{
	struct agg total, *ca;
	size_t i;

	for (i = 0; i < op->ncells; i++) {
		op->cells[i].a.rev = xsum_double(op->cells[i].a.xrev);
		op->cells[i].a.margin = xsum_double(op->cells[i].a.xmargin);
	}
	op->a->fs.ran[C_UNPROFITABLE] = op->have_margin;
	/* findings of loading (a catalog's duplicates) stay counted */
	for (int k = 0; k < NCHECK; k++)
		if (op->a->fs.ncheck[k])
			op->a->fs.ran[k] = 1;
	ca = candidate_totals(op, &total);
	for (i = 0; i < op->ncells; i++)
		apply_whatif(op, &op->cells[i].a, op->cells[i].c, &total);
	if (op->ncells)
		sort_cells(op);
	/* The what-if changes are doubles: summed in the sorted order, the
	 * same whatever order the events came in. */
	memset(&total, 0, sizeof total);
	for (i = 0; i < op->ncells; i++)
		agg_add(op, &total, &op->cells[i].a);
	free(op->slots);
	op->slots = NULL;
	op->nslots = 0;
	free(op->cellno);
	op->cellno = NULL;

	offers_write(op, &total, ca);
	if (op->a->as_report || op->a->html) {
		rlabels_load(&op->a->labels, op->opt->catalog);
		offers_people(op, &total, ca);
	}
	free(ca);
}

void
offer_perf(struct audit *a, const struct offer_opts *o)
{
	const struct audit_opts *opt = a->opt;
	struct offerperf op;

	offerperf_init(&op, a, o);
	if (opt->catalog)
		audit_load_catalog(a, opt->catalog);
	if (opt->offers)
		audit_load_offers(a, opt->offers);
	if (opt->nrel)
		audit_load_relations(a, opt->nrel, opt->rel, 0);
	memset(a->fs.ran, 0, sizeof a->fs.ran);	/* only this mode's checks count here */
	a->fs.ran[C_UNTRACKED] = opt->nrel > 0 || opt->offers != NULL;
	a->fs.ran[C_RETIRE] = !isnan(opt->min_acceptance);
	if (opt->merge)
		read_offer_sums(&op);
	else
		read_offer_events(&op);
	if (opt->counts)
		write_offer_sums(&op);
	else
		offers_out(&op);
	offerperf_free(&op);
}
