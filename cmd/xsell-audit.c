/*
 * xsell-audit: is the relationship data sound, which recommendations earn
 * money, and did the programme move revenue against its holdout.
 *
 * Four modes, one table each on stdout (TSV, JSON lines with -j, or
 * aligned text with bar charts on a terminal or with --report), and an
 * optional HTML page with inline SVG charts:
 *   audit       relations against catalog and orders: findings
 *   offers      --events: acceptance, revenue and flags per candidate
 *   experiment  --experiment --events: arms against control (lib/experiment.c)
 *   plan        --plan: contexts and days an experiment needs
 *   qini        --qini --events: Qini curve and AUUC of an uplift score
 */
#include <sys/stat.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit-internal.h"
#include "experiment.h"
#include "intern.h"
#include "report.h"
#include "stats.h"
#include "trend.h"
#include "xsell.h"
#include "buf.h"
#include "num.h"
#include "rec.h"
#include "writer.h"
#include "out.h"
#include "progress.h"
#include "xsum.h"

static const char usage_text[] =
"usage: xsell-audit [--catalog FILE] [--orders FILE] [--max-links N]\n"
"           [--max-age DAYS] [--now TS] [--fail-on LEVEL]\n"
"           [--report | --html FILE] [-j | --csv-out | --csv-safe] [-q]\n"
"           [-o FILE] [RELATIONS ...]\n"
"       xsell-audit --events FILE [--counts | --merge] [--by WORD]\n"
"           [--min-acceptance F] [--what-if [ID,]acceptance=[A:]B]\n"
"           [--catalog FILE] [--offers FILE] [--fail-on LEVEL]\n"
"           [--report | --html FILE] [-j | --csv-out | --csv-safe] [-q]\n"
"           [-o FILE] [RELATIONS ...]\n"
"       xsell-audit --experiment --events FILE [--holdout F]\n"
"           [--split ARM=F,...] [--control NAME] [--by WORD] [--catalog FILE]\n"
"           [--covariate COLUMN] [--sequential] [--horizon N] [--alpha F]\n"
"           [--fail-on LEVEL] [--report | --html FILE]\n"
"           [-j | --csv-out | --csv-safe] [-q] [-o FILE]\n"
"       xsell-audit --plan --baseline F --mde F --traffic N [--arms K]\n"
"           [--split ARM=F,...] [--control NAME] [--alpha F] [--power F]\n"
"           [--report | --html FILE] [-j | --csv-out | --csv-safe] [-q]\n"
"           [-o FILE]\n"
"       xsell-audit --qini --events FILE [--score COLUMN]\n"
"           [--report | --html FILE] [-j | --csv-out | --csv-safe] [-q]\n"
"           [-o FILE]\n"
"       xsell-audit -h | -V\n";

/* --help: the usage, then one line per option, each long option of the
 * page's OPTIONS on one (tests/help.bats); the page is the reference. */
static const char help_text[] =
    "\n"
    "options (details in xsell-audit(1)):\n"
    "  --catalog FILE                   the catalog to check links against\n"
    "  --orders FILE                    orders, for revenue and coverage\n"
    "  --max-links N                    over-linked above N products (default 20)\n"
    "  --max-age DAYS                   report links not updated for DAYS days\n"
    "  --now TS                         the date --max-age counts from\n"
    "  --fail-on LEVEL                  exit 1 on a finding of info, warning or error\n"
    "  --events FILE                    events: offer performance, or an experiment\n"
    "  --counts                         write the events' partial sums, for --merge\n"
    "  --merge                          read --events as partial sums from --counts\n"
    "  --by WORD                        the column to break the read-out down by\n"
    "  --min-acceptance F               flag retire below acceptance F\n"
    "  --what-if [ID,]acceptance=[A:]B  a what-if scenario; repeatable\n"
    "  --offers FILE                    offers: known candidates and categories\n"
    "  --experiment                     arms against control and each other\n"
    "  --holdout F                      the planned control share\n"
    "  --split ARM=F,...                the planned shares of the arms\n"
    "  --control NAME                   the control arm (default control)\n"
    "  --alpha F                        the guardrails' level (default 0.05)\n"
    "  --covariate COLUMN               a pre-experiment column for CUPED\n"
    "  --sequential                     add always-valid intervals and p-values\n"
    "  --horizon N                      contexts the sequential interval is tuned to\n"
    "  --plan                           contexts and days an experiment needs\n"
    "  --baseline F                     the control's conversion rate, for --plan\n"
    "  --mde F                          the relative change to detect, for --plan\n"
    "  --traffic N                      contexts a day, all arms together\n"
    "  --arms K                         arms with equal shares (default 2)\n"
    "  --power F                        the power wanted (default 0.8)\n"
    "  --qini                           the Qini curve and AUUC\n"
    "  --score COLUMN                   the score column for --qini (default score)\n"
    "  --report                         tables for people on standard output\n"
    "  --html FILE                      also write the HTML page to FILE\n"
    "  -j, --json                       JSON lines instead of TSV\n"
    "  --csv-out                        CSV instead of TSV\n"
    "  --csv-safe                       CSV with formula-like cells neutralised\n"
    "  -o, --output FILE                write the table to FILE, atomically\n"
    "  -q, --quiet                      no summary lines on standard error\n"
    "  -v, --verbose                    more messages\n"
    "  -h, --help                       print this help and exit\n"
    "  -V, --version                    print the version and exit\n";

#define CONF 0.95

/* What --what-if asks: acceptance from A (NaN: the current) to B, for one
 * candidate or (id NULL) all. */
struct whatif {
	char *id;
	double from, to;
};
static struct whatif *whatifs;
static int nwhatif;

static struct audit_opts opt = {
	.max_links = 20, .max_age = NAN, .min_acceptance = NAN,
	.holdout = NAN, .fail_on = SEV_NONE, .score = "score",
	.control = "control", .alpha = 0.05, .horizon = NAN, .baseline = NAN,
	.mde = NAN, .traffic = NAN, .power = NAN,
};

/* The state the modes share (lib/audit-internal.h). */
static struct audit audit;

/* The relations audit (lib/audit-links.c). */
static void
run_audit(void)
{
	audit_links_run(&audit);
}

/* ---- offer performance ---- */

struct agg {
	double imps, conv, rev, margin;
	xsum xrev, xmargin;		/* rev and margin exactly: sums of
					 * shards add up to the same bits */
	double dconv, drev, dmargin;	/* --what-if changes */
	int whatif;			/* a scenario applies */
};

/* One (group, candidate) cell; group 0 is the whole when there is no
 * --by. Found through an open-addressing table keyed by both ids. */
struct cell {
	uint32_t g, c;
	struct agg a;
};

static struct cell *cells;
static size_t ncells, cells_cap;
static uint32_t *slots;		/* cell index + 1, 0 empty */
static size_t nslots;
static struct intern groups;

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static void
slots_grow(void)
{
	size_t n = nslots ? 2 * nslots : 1024;

	free(slots);
	slots = xcalloc(n, sizeof *slots);
	nslots = n;
	for (size_t i = 0; i < ncells; i++) {
		size_t h = mix64((uint64_t)cells[i].g << 32 | cells[i].c) & (n - 1);
		while (slots[h])
			h = (h + 1) & (n - 1);
		slots[h] = (uint32_t)i + 1;
	}
}

static struct agg *
cell_of(uint32_t g, uint32_t c)
{
	size_t h;

	if (2 * (ncells + 1) > nslots)
		slots_grow();
	h = mix64((uint64_t)g << 32 | c) & (nslots - 1);
	for (; slots[h]; h = (h + 1) & (nslots - 1)) {
		struct cell *x = &cells[slots[h] - 1];
		if (x->g == g && x->c == c)
			return &x->a;
	}
	if (ncells == cells_cap) {
		cells_cap = cells_cap ? 2 * cells_cap : 1024;
		cells = xreallocarray(cells, cells_cap, sizeof *cells);
	}
	memset(&cells[ncells], 0, sizeof cells[ncells]);
	cells[ncells].g = g;
	cells[ncells].c = c;
	slots[h] = (uint32_t)++ncells;
	return &cells[ncells - 1].a;
}

/* Without --by a candidate has one cell: found by its id, no hashing. */
static uint32_t *cellno;	/* candidate id -> cell index + 1 */
static size_t cellno_cap;

static struct agg *
cand_cell(uint32_t c)
{
	if (c >= cellno_cap) {
		size_t n = cellno_cap ? 2 * cellno_cap : 4096;

		while (n <= c)
			n *= 2;
		cellno = xreallocarray(cellno, n, sizeof *cellno);
		memset(cellno + cellno_cap, 0, (n - cellno_cap) * sizeof *cellno);
		cellno_cap = n;
	}
	if (!cellno[c]) {
		if (ncells == cells_cap) {
			cells_cap = cells_cap ? 2 * cells_cap : 1024;
			cells = xreallocarray(cells, cells_cap, sizeof *cells);
		}
		memset(&cells[ncells], 0, sizeof cells[ncells]);
		cells[ncells].c = c;
		cellno[c] = (uint32_t)++ncells;
	}
	return &cells[cellno[c] - 1].a;
}

enum { BY_NONE = -1, BY_CATEGORY, BY_CHANNEL, BY_TYPE, BY_SOURCE, BY_LINK };
static const char *const by_words[] = {
	"category", "channel", "type", "source", "link", NULL
};
static int by = BY_NONE;
static size_t nretire_all;	/* retire findings over all groups */

/* The --by word as a group's name says it (--by link: a group is a
 * subject, its candidates are the links). */
static const char *
by_name(void)
{
	return by == BY_LINK ? "subject" : by_words[by];
}
static int exp_by = EXP_BY_NONE;	/* --experiment --by */

/* --by type, source or link of an event without that column: its
 * context's link to the candidate (ctx INTERN_NONE: the context is no
 * subject); --by link's group is the subject, the context itself. */
static void
link_group(uint32_t ctx, uint32_t c, const char **s, size_t *n)
{
	const struct link *k;

	*s = "";
	*n = 0;
	if (ctx == INTERN_NONE || !(k = find_link(&audit, ctx, c, -1)))
		return;
	if (by == BY_LINK) {
		*s = intern_str(&audit.items, ctx);
		*n = intern_len(&audit.items, ctx);
	} else if (by == BY_TYPE && k->type != T_OTHER) {
		*s = type_words[k->type];
		*n = strlen(*s);
	} else if (by == BY_SOURCE && audit.link_src[k - audit.links] != INTERN_NONE) {
		*s = intern_str(&audit.words, audit.link_src[k - audit.links]);
		*n = intern_len(&audit.words, audit.link_src[k - audit.links]);
	}
}

/* converted: 0, 1 or empty (0). */
static int
converted_of(const struct rec *r, int col)
{
	double v;

	if (col < 0 || r->len[col] == 0)
		return 0;
	if (r->len[col] == 1 && (r->f[col][0] == '0' || r->f[col][0] == '1'))
		return r->f[col][0] == '1';
	if (num_parse(r->f[col], r->len[col], &v) || (v != 0 && v != 1))
		die(XS_INPUT, "%s: column 'converted': not 0 or 1: \"%s\"",
		    rec_where(r), r->f[col]);
	return v == 1;
}

static int have_margin;
static double control_events, all_events;
static struct trend trend;	/* impressions by day, for people */

/*
 * Candidates of the events: a wide intern map (one cache line a lookup, the miss
 * started early by a prefetch) in front of the items table, which is
 * asked only at a candidate's first sight, so item ids keep their order.
 */
static struct intern candmap;
static uint32_t *cand_item;	/* candmap id -> item id */
static size_t cand_item_cap;

/* The candmap id; cand_item[] has its item id. */
static uint32_t
cand_key(const char *s, size_t n, uint64_t h)
{
	uint32_t before = candmap.n, k = intern_put_hash(&candmap, s, n, h);

	if (candmap.n == before)	/* seen before: no cand_item miss */
		return k;
	if (k >= cand_item_cap) {
		size_t cap = cand_item_cap ? 2 * cand_item_cap : 4096;

		while (cap <= k)
			cap *= 2;
		cand_item = xreallocarray(cand_item, cap, sizeof *cand_item);
		memset(cand_item + cand_item_cap, 0xff,
		    (cap - cand_item_cap) * sizeof *cand_item);
		cand_item_cap = cap;
	}
	if (cand_item[k] == INTERN_NONE)
		cand_item[k] = item_put(&audit, s, n);
	return k;
}

/*
 * Events are taken in batches, so that the cache misses of a batch
 * overlap: the slots of its candidates are prefetched, then looked up in
 * order (first sight stays first), then each candidate's sums (dense by
 * candmap id without --by; added in event order, so the sums are the
 * same to the bit) are prefetched, then added to.
 */
enum { EVBATCH = 32 };
struct evq {
	uint64_t h, hctx;
	size_t off, len;	/* candidate in evbuf */
	size_t ctxoff, ctxlen;	/* context in evbuf, for --by type or source */
	uint32_t g, k;
	int conv;
	double rev, mar;
};
static struct evq evq[EVBATCH];
static int nevq;
static struct buf evbuf;
/*
 * The sums while reading, per (group, candmap id) in dense arrays for
 * the first DENSE groups (group 0 is the whole without --by): an event
 * is an index, not a hash probe, and 32 bytes, not a struct agg. A --by
 * with more values than that sends the rest to cell_of.
 */
enum { DENSE = 16, GROUP_OF_LINK = UINT32_MAX };
struct sums {
	double imps, conv;
	xsum rev, margin;
};

static void
money_add(xsum *to, xsum v)
{
	if (!xsum_add(to, v))
		die(XS_INPUT, "%s: revenue or margin sums past 2^62",
		    opt.events);
}
static struct sums *gsum[DENSE];
static size_t gsum_cap[DENSE];

static struct sums *
sums_of(uint32_t g, uint32_t k)
{
	if (k >= gsum_cap[g]) {
		size_t cap = gsum_cap[g] ? 2 * gsum_cap[g] : 4096;

		while (cap <= k)
			cap *= 2;
		gsum[g] = xreallocarray(gsum[g], cap, sizeof *gsum[g]);
		memset(gsum[g] + gsum_cap[g], 0,
		    (cap - gsum_cap[g]) * sizeof *gsum[g]);
		gsum_cap[g] = cap;
	}
	return &gsum[g][k];
}

/* The sums of the previous batch's events, added while this batch's
 * prefetches land (in event order all the same). */
static struct evsum {
	uint32_t g, k;
	int conv;
	xsum rev, mar;
} evprev[EVBATCH];
static int nevprev;

static void
evsum_add(void)
{
	for (int i = 0; i < nevprev; i++) {
		const struct evsum *e = &evprev[i];

		if (e->g < DENSE) {
			struct sums *a = &gsum[e->g][e->k];

			a->imps++;
			a->conv += e->conv;
			money_add(&a->rev, e->rev);
			money_add(&a->margin, e->mar);
		} else {
			struct agg *a = cell_of(e->g, cand_item[e->k]);

			a->imps++;
			a->conv += e->conv;
			money_add(&a->xrev, e->rev);
			money_add(&a->xmargin, e->mar);
		}
	}
	nevprev = 0;
}

/* Finds this batch's candidates (and groups), prefetches their sums,
 * adds the previous batch's, and keeps this one's for the next call; at
 * the end (last) adds this one's too. */
static void
evq_flush(int last)
{
	struct evsum next[EVBATCH];
	int i;

	for (i = 0; i < nevq; i++) {
		struct evq *q = &evq[i];

		q->k = cand_key(evbuf.s + q->off, q->len, q->h);
		if (q->g == GROUP_OF_LINK) {
			const char *gs;
			size_t gn;

			link_group(intern_find_hash(&audit.items, evbuf.s + q->ctxoff,
			    q->ctxlen, q->hctx), cand_item[q->k], &gs, &gn);
			q->g = intern_put(&groups, gs, gn);
		}
		if (q->g < DENSE)
			__builtin_prefetch(sums_of(q->g, q->k));
		next[i].g = q->g;
		next[i].k = q->k;
		next[i].conv = q->conv;
		next[i].rev = xsum_of(q->rev);
		next[i].mar = xsum_of(q->mar);
	}
	evsum_add();
	memcpy(evprev, next, (size_t)nevq * sizeof *next);
	nevprev = nevq;
	nevq = 0;
	buf_reset(&evbuf);
	if (last)
		evsum_add();
}

/* The group of a candidate by its catalog or offer category. */
static uint32_t
category_group(uint32_t c)
{
	if (audit.item[c].category == INTERN_NONE)
		return intern_put(&groups, "", 0);
	return intern_put(&groups, intern_str(&audit.cats, audit.item[c].category),
	    intern_len(&audit.cats, audit.item[c].category));
}

/*
 * The dense sums as cells; without --by one a candidate, in order of
 * first sight. With by_cand (--by category from the catalog) the sums
 * were kept per candidate, in group 0, and the group is its category.
 */
static void
sums_to_cells(int by_cand)
{
	for (uint32_t g = 0; g < DENSE; g++) {
		for (size_t k = 0; k < candmap.n && k < gsum_cap[g]; k++) {
			const struct sums *s = &gsum[g][k];
			uint32_t c = cand_item[k];
			struct agg *a;

			if (s->imps == 0)
				continue;
			a = by == BY_NONE ? cand_cell(c) :
			    cell_of(by_cand ? category_group(c) : g, c);
			a->imps = s->imps;
			a->conv = s->conv;
			a->xrev = s->rev;
			a->xmargin = s->margin;
		}
		free(gsum[g]);
		gsum[g] = NULL;
		gsum_cap[g] = 0;
	}
}

static void
read_offer_events(void)
{
	struct rec r = { 0 };
	char *files[1] = { (char *)opt.events };
	int cctx, ccand, cgrp, cconv, crev, cmar, cby = -1, cts = -1;
	struct progress pr;
	uint32_t lastg;

	rec_open(&r, 1, files);
	rec_background(&r);
	cctx = rec_need(&r, "context_id");
	ccand = rec_need(&r, "candidate_id");
	cgrp = column(&r, "group");
	cconv = column(&r, "converted");
	crev = column(&r, "revenue");
	cmar = column(&r, "margin");
	have_margin = cmar >= 0;
	if (audit.as_report || audit.html)	/* a trend over time, for people */
		cts = column(&r, "ts");
	if (by != BY_NONE)
		cby = column(&r, by == BY_LINK ? "subject_id" : by_words[by]);
	if (by == BY_LINK && cby < 0 && !opt.nrel)
		die(XS_INPUT, "%s: --by link needs a 'subject_id' column in the "
		    "events, or RELATIONS to find the context's link to the "
		    "candidate", r.name);
	intern_put(&groups, "", 0);	/* group 0: missing or no --by */
	intern_init_wide(&candmap);
	lastg = INTERN_NONE;
	progress_init(&pr, "events");
	progress_input(&pr, &r);
	while (rec_next(&r) == REC_ROW) {
		uint32_t g = 0;
		int conv;
		double rev, mar;
		uint64_t h;
		struct evq *q;

		progress_tick(&pr, (uint64_t)++all_events);
		if (cgrp >= 0 && r.len[cgrp] == 7 && memcmp(r.f[cgrp], "control", 7) == 0) {
			control_events++;
			continue;
		}
		h = xs_hash(r.f[ccand], r.len[ccand]);
		conv = converted_of(&r, cconv);
		rev = field_num(&r, crev, 0);
		mar = field_num(&r, cmar, 0);
		if (cts >= 0)
			trend_add(&trend, r.f[cts], r.len[cts], conv, rev);
		if (!(fabs(rev) < XSUM_MAX) || !(fabs(mar) < XSUM_MAX))
			die(XS_INPUT, "%s: column '%s': out of range: %g",
			    rec_where(&r), fabs(rev) < XSUM_MAX ? "margin" :
			    "revenue", fabs(rev) < XSUM_MAX ? mar : rev);
		q = &evq[nevq];
		if ((by == BY_TYPE || by == BY_SOURCE || by == BY_LINK) &&
		    cby < 0) {
			/* the context's link decides, once the ids are found */
			q->hctx = xs_hash(r.f[cctx], r.len[cctx]);
			intern_prefetch(&audit.items, q->hctx);
			q->ctxoff = evbuf.len;
			q->ctxlen = r.len[cctx];
			buf_put(&evbuf, r.f[cctx], r.len[cctx]);
			g = GROUP_OF_LINK;
		} else if (by != BY_NONE && cby >= 0) {
			/* the last value again (channels come in runs) */
			if (lastg == INTERN_NONE || intern_len(&groups, lastg) != r.len[cby] ||
			    memcmp(intern_str(&groups, lastg), r.f[cby], r.len[cby]) != 0)
				lastg = intern_put(&groups, r.f[cby], r.len[cby]);
			g = lastg;
		}
		intern_prefetch(&candmap, h);
		nevq++;
		q->h = h;
		q->off = evbuf.len;
		q->len = r.len[ccand];
		buf_put(&evbuf, r.f[ccand], r.len[ccand]);
		q->g = g;
		q->conv = conv;
		q->rev = rev;
		q->mar = mar;
		if (nevq == EVBATCH)
			evq_flush(0);
	}
	evq_flush(1);
	progress_done(&pr);
	rec_close(&r);
	sums_to_cells(by == BY_CATEGORY && cby < 0);
	intern_free(&candmap);
	free(cand_item);
	cand_item = NULL;
	cand_item_cap = 0;
	buf_free(&evbuf);
}

static const struct whatif *
whatif_for(uint32_t c)
{
	const struct whatif *all = NULL;

	for (int i = 0; i < nwhatif; i++) {
		if (!whatifs[i].id)
			all = &whatifs[i];
		else if (strcmp(whatifs[i].id, intern_str(&audit.items, c)) == 0)
			return &whatifs[i];
	}
	return all;
}

static void
agg_add(struct agg *to, const struct agg *a)
{
	to->imps += a->imps;
	to->conv += a->conv;
	money_add(&to->xrev, a->xrev);
	money_add(&to->xmargin, a->xmargin);
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
apply_whatif(struct agg *a, uint32_t c, const struct agg *total)
{
	const struct whatif *w = whatif_for(c);
	double vpc, mpc;

	if (!w || a->imps == 0)
		return;
	/* imps x to - conv is exact where imps x (to - from) picks up a tail */
	a->dconv = isnan(w->from) ? a->imps * w->to - a->conv :
	    a->imps * w->to - a->imps * w->from;
	vpc = a->conv > 0 ? a->rev / a->conv : total->conv > 0 ? total->rev / total->conv : 0;
	mpc = a->conv > 0 ? a->margin / a->conv :
	    total->conv > 0 ? total->margin / total->conv : 0;
	a->whatif = 1;
	a->drev = a->dconv * vpc;
	a->dmargin = a->dconv * mpc;
}

/* Flags of candidate c's row: retire is the row's own (a --by cell, so a
 * candidate can be retired on one channel and kept on another); untracked
 * and unprofitable are the candidate's over all groups (a). */
static void
flags_of(const struct agg *row, const struct agg *a, uint32_t c,
    struct buf *b)
{
	struct st_interval w;

	buf_reset(b);
	if (audit.fs.ran[C_UNTRACKED] && !audit.item[c].linked && !audit.item[c].offer)
		buf_puts(b, "untracked");
	st_wilson(row->conv, row->imps, CONF, &w);
	if (!isnan(opt.min_acceptance) && w.hi < opt.min_acceptance)
		buf_printf(b, "%sretire", b->len ? "," : "");
	if (have_margin && a->conv > 0 && a->margin <= 0)
		buf_printf(b, "%sunprofitable", b->len ? "," : "");
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

static int
by_cellkey(const void *pa, const void *pb)
{
	const struct cellkey *a = pa, *b = pb;

	if (a->grank != b->grank)
		return a->grank < b->grank ? -1 : 1;
	if (a->rev != b->rev)
		return a->rev > b->rev ? -1 : 1;
	if (a->head != b->head)
		return a->head < b->head ? -1 : 1;
	/* ids alike in 8 bytes: the cells have not moved yet */
	return strcmp(intern_str(&audit.items, cells[a->i].c),
	    intern_str(&audit.items, cells[b->i].c));
}

static int
by_group_name(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	return strcmp(intern_str(&groups, a), intern_str(&groups, b));
}

/* The cells by group name, then revenue (highest first), then id. */
static void
sort_cells(void)
{
	uint32_t *byname = xreallocarray(NULL, groups.n + 1, sizeof *byname);
	uint32_t *rank = xreallocarray(NULL, groups.n + 1, sizeof *rank);
	struct cellkey *key = xreallocarray(NULL, ncells, sizeof *key);

	/* the doubling's slack back first: the keys and the sort need room */
	cells = xreallocarray(cells, ncells, sizeof *cells);
	cells_cap = ncells;
	for (uint32_t g = 0; g < groups.n; g++)
		byname[g] = g;
	qsort(byname, groups.n, sizeof *byname, by_group_name);
	for (uint32_t r = 0; r < groups.n; r++)
		rank[byname[r]] = r;
	for (size_t i = 0; i < ncells; i++) {
		key[i].grank = rank[cells[i].g];
		key[i].i = (uint32_t)i;
		key[i].rev = cells[i].a.rev;
		key[i].head = id_head(intern_str(&audit.items, cells[i].c));
	}
	qsort(key, ncells, sizeof *key, by_cellkey);
	/* moved in place, a cycle at a time: no second array of cells */
	for (size_t j = 0; j < ncells; j++) {
		struct cell tmp;
		size_t k = j, from;

		if (key[j].i == j)
			continue;
		tmp = cells[j];
		for (;;) {
			from = key[k].i;
			key[k].i = (uint32_t)k;		/* placed */
			if (from == j) {
				cells[k] = tmp;
				break;
			}
			cells[k] = cells[from];
			k = from;
		}
	}
	free(byname);
	free(rank);
	free(key);
}

static int offer_ncols;

static void
offer_row(const char *level, const char *group, const char *cand,
    const struct agg *a, const char *flags)
{
	char num[15][NUM_BUF];
	char *v[17];
	struct st_interval w;
	int k = 0, j = 0;

	st_wilson(a->conv, a->imps, CONF, &w);
	v[k++] = (char *)level;
	if (by != BY_NONE)
		v[k++] = (char *)group;
	v[k++] = (char *)cand;
	v[k++] = cell(a->imps, num[j++]);
	v[k++] = cell(a->conv, num[j++]);
	v[k++] = cell(w.est, num[j++]);
	v[k++] = cell(w.lo, num[j++]);
	v[k++] = cell(w.hi, num[j++]);
	v[k++] = cell(a->rev, num[j++]);
	v[k++] = have_margin ? cell(a->margin, num[j++]) : "";
	v[k++] = cell(a->imps > 0 ? a->rev / a->imps : NAN, num[j++]);
	v[k++] = (char *)flags;
	if (nwhatif) {
		double to = a->imps > 0 ? (a->conv + a->dconv) / a->imps : NAN;
		int on = a->whatif;

		v[k++] = on ? cell(to, num[j++]) : "";
		v[k++] = on ? cell(a->dconv, num[j++]) : "";
		v[k++] = on ? cell(a->drev, num[j++]) : "";
		v[k++] = on && have_margin ? cell(a->dmargin, num[j++]) : "";
	}
	table_row(&audit, v);
}

static void
offer_table_open(void)
{
	const char *cols[17];
	int k = 0, num0, num1;

	cols[k++] = "level";
	if (by != BY_NONE)
		cols[k++] = by == BY_LINK ? "subject_id" : by_words[by];
	cols[k++] = "candidate_id";
	num0 = k;
	cols[k++] = "impressions";
	cols[k++] = "conversions";
	cols[k++] = "acceptance";
	cols[k++] = "acceptance_low";
	cols[k++] = "acceptance_high";
	cols[k++] = "revenue";
	cols[k++] = "margin";
	cols[k++] = "revenue_per_impression";
	num1 = k;
	cols[k++] = "flags";
	if (nwhatif) {
		cols[k++] = "whatif_acceptance";
		cols[k++] = "whatif_conversions";
		cols[k++] = "whatif_revenue";
		cols[k++] = "whatif_margin";
	}
	offer_ncols = k;
	table_open(&audit, k, cols);
	table_num(&audit, num0, num1);
	table_num(&audit, num1 + 1, k);
}

/* Per candidate over all groups: the flags and the findings. */
static struct agg *
candidate_totals(struct agg *total)
{
	struct agg *ca = xcalloc(audit.items.n + 1, sizeof *ca);
	struct buf fl;

	memset(total, 0, sizeof *total);
	for (size_t i = 0; i < ncells; i++) {
		agg_add(&ca[cells[i].c], &cells[i].a);
		agg_add(total, &cells[i].a);
	}
	buf_init(&fl);
	for (uint32_t c = 0; c < audit.items.n; c++) {
		char a[32], b[32];
		struct st_interval w;

		if (ca[c].imps == 0)
			continue;
		st_wilson(ca[c].conv, ca[c].imps, CONF, &w);
		if (audit.fs.ran[C_UNTRACKED] && !audit.item[c].linked && !audit.item[c].offer)
			finding(&audit.fs, C_UNTRACKED, c, INTERN_NONE, 0, "%.0f events for a "
			    "candidate in no relation or offer given", ca[c].imps);
		if (!isnan(opt.min_acceptance) && w.hi < opt.min_acceptance)
			finding(&audit.fs, C_RETIRE, c, INTERN_NONE, 0, "acceptance %s, 95%% "
			    "upper bound %s below --min-acceptance",
			    fmt_pct(w.est, a, sizeof a), fmt_pct(w.hi, b, sizeof b));
		if (have_margin && ca[c].conv > 0 && ca[c].margin <= 0)
			finding(&audit.fs, C_UNPROFITABLE, c, INTERN_NONE, 0, "total margin %s",
			    fmt_num(ca[c].margin, 6, a, sizeof a));
	}
	nretire_all = audit.fs.ncheck[C_RETIRE];
	/* with --by, retire inside each group too: a candidate that sells on
	 * one channel and not on another is retired where it does not */
	for (size_t i = 0; by != BY_NONE && !isnan(opt.min_acceptance) &&
	    i < ncells; i++) {
		const struct cell *x = &cells[i];
		const char *g = intern_str(&groups, x->g);
		char a[32], b[32];
		struct st_interval w;

		st_wilson(x->a.conv, x->a.imps, CONF, &w);
		if (w.hi < opt.min_acceptance)
			finding(&audit.fs, C_RETIRE, x->c, INTERN_NONE, 0, "acceptance %s, 95%% "
			    "upper bound %s below --min-acceptance in %s %s",
			    fmt_pct(w.est, a, sizeof a), fmt_pct(w.hi, b, sizeof b),
			    by_name(), *g ? g : "(none)");
	}
	buf_free(&fl);
	return ca;
}

static void
offer_flags_summary(void)
{
	char a[32];

	if (control_events)
		show_para(&audit, "%.0f of %.0f events are in the control group and count "
		    "no impressions", control_events, all_events);
	if (audit.fs.ran[C_UNTRACKED])
		show_para(&audit, "untracked candidates: %zu (a data gap: events for "
		    "candidates in no relation or offer)", audit.fs.ncheck[C_UNTRACKED]);
	if (audit.fs.ran[C_RETIRE] && by == BY_NONE)
		show_para(&audit, "retire: %zu candidates whose 95%% upper bound of acceptance "
		    "is below %s", audit.fs.ncheck[C_RETIRE],
		    fmt_pct(opt.min_acceptance, a, sizeof a));
	else if (audit.fs.ran[C_RETIRE])
		show_para(&audit, "retire: %zu candidates whose 95%% upper bound of acceptance "
		    "is below %s over all groups, %zu candidate rows within a %s",
		    nretire_all, fmt_pct(opt.min_acceptance, a, sizeof a),
		    audit.fs.ncheck[C_RETIRE] - nretire_all, by_name());
	if (audit.fs.ran[C_UNPROFITABLE])
		show_para(&audit, "unprofitable: %zu candidates with total margin <= 0",
		    audit.fs.ncheck[C_UNPROFITABLE]);
}

static const struct agg *sort_ca;	/* for by_imps_desc */

static int
by_imps_desc(const void *pa, const void *pb)
{
	const struct agg *a = *(struct agg *const *)pa, *b = *(struct agg *const *)pb;

	if (a->imps != b->imps)
		return a->imps > b->imps ? -1 : 1;
	return strcmp(intern_str(&audit.items, (uint32_t)(a - sort_ca)),
	    intern_str(&audit.items, (uint32_t)(b - sort_ca)));
}

/* Without --by, the chart shows the 15 candidates with most impressions. */
static void
top_candidates_chart(struct rchart *ch, struct agg *ca)
{
	struct agg **p = xreallocarray(NULL, audit.items.n + 1, sizeof *p);
	uint32_t n = 0;
	struct buf lb;

	buf_init(&lb);
	for (uint32_t c = 0; c < audit.items.n; c++)
		if (ca[c].imps > 0)
			p[n++] = &ca[c];
	sort_ca = ca;
	qsort(p, n, sizeof *p, by_imps_desc);
	for (uint32_t i = 0; i < n && i < 15; i++) {
		struct st_interval w;

		st_wilson(p[i]->conv, p[i]->imps, CONF, &w);
		rchart_interval(ch, rlabel(&audit.labels, intern_str(&audit.items,
		    (uint32_t)(p[i] - ca)), &lb), 100 * w.est, 100 * w.lo,
		    100 * w.hi);
	}
	buf_free(&lb);
	free(p);
}

/* --by link: the linked products over all subjects, by revenue
 * (highest first), then id, as the candidates of a group are. */
static const struct agg *lo_ca;

static int
by_linked_rev(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	if (lo_ca[a].rev != lo_ca[b].rev)
		return lo_ca[a].rev > lo_ca[b].rev ? -1 : 1;
	return strcmp(intern_str(&audit.items, a), intern_str(&audit.items, b));
}

static uint32_t *
linked_order(const struct agg *ca, uint32_t *n)
{
	uint32_t *o = xreallocarray(NULL, audit.items.n + 1, sizeof *o);

	*n = 0;
	for (uint32_t c = 0; c < audit.items.n; c++)
		if (ca[c].imps > 0)
			o[(*n)++] = c;
	lo_ca = ca;
	qsort(o, *n, sizeof *o, by_linked_rev);
	return o;
}

/* ---- offer performance for people: rounded, titled, folded ---- */

enum { OP_LABEL, OP_IMPS, OP_CONV, OP_ACC, OP_INT, OP_REV, OP_MARGIN,
    OP_RPI, OP_FLAGS, NOP };

static void
op_table(struct rtable *t, const char *title, const char *first, int flags)
{
	const char *cols[NOP] = {
		first, "impressions", "conversions", "acceptance", "95% interval",
		"revenue", "margin", "rev/impr", "flags"
	};

	rtable_init(t, title, flags ? NOP : NOP - 1, cols);
	for (int i = OP_IMPS; i < OP_FLAGS; i++)
		rtable_numeric(t, i);
	rtable_cut(t, OP_LABEL);
}

/* A row rounded for people; flags colour it (untracked is an error,
 * retire and unprofitable are warnings). */
static void
op_row(struct rtable *t, const char *label, const struct agg *a,
    const char *flags)
{
	char pp[NOP][40];
	const char *p[NOP];
	struct st_interval w;

	st_wilson(a->conv, a->imps, CONF, &w);
	p[OP_LABEL] = label;
	p[OP_IMPS] = fmt_num(a->imps, 15, pp[OP_IMPS], 40);
	p[OP_CONV] = fmt_num(a->conv, 15, pp[OP_CONV], 40);
	p[OP_ACC] = fmt_pct(w.est, pp[OP_ACC], 40);
	snprintf(pp[OP_INT], 40, "%.1f-%.1f%%", 100 * w.lo, 100 * w.hi);
	p[OP_INT] = isnan(w.lo) ? "-" : pp[OP_INT];
	snprintf(pp[OP_REV], 40, "%.2f", a->rev);
	p[OP_REV] = pp[OP_REV];
	snprintf(pp[OP_MARGIN], 40, "%.2f", a->margin);
	p[OP_MARGIN] = have_margin ? pp[OP_MARGIN] : "-";
	p[OP_RPI] = fmt_num(a->imps > 0 ? a->rev / a->imps : NAN, 4,
	    pp[OP_RPI], 40);
	p[OP_FLAGS] = flags;	/* a table without flags has a column less */
	rtable_row(t, p);
	if (strstr(flags, "untracked"))
		rtable_row_sev(t, 2);
	else if (*flags)
		rtable_row_sev(t, 1);
}

/* What-if per group and in total: the candidates' rows are in the TSV. */
static void
whatif_row(struct rtable *t, const char *label, const struct agg *a)
{
	char pp[6][40];
	const char *p[6];

	p[0] = label;
	p[1] = fmt_pct(a->imps > 0 ? a->conv / a->imps : NAN, pp[1], 40);
	p[2] = a->whatif ? fmt_pct((a->conv + a->dconv) / a->imps, pp[2], 40) : "";
	snprintf(pp[3], 40, "%+.1f", a->dconv);
	p[3] = a->whatif ? pp[3] : "";
	snprintf(pp[4], 40, "%+.2f", a->drev);
	p[4] = a->whatif ? pp[4] : "";
	snprintf(pp[5], 40, "%+.2f", a->dmargin);
	p[5] = a->whatif && have_margin ? pp[5] : "";
	rtable_row(t, p);
}

/* The offers' verdict: what the flags add up to. */
static void
offers_verdict(void)
{
	struct buf b;
	int level = 0;

	buf_init(&b);
	buf_puts(&b, "flagged: ");
	for (int sev = SEV_ERROR; sev >= SEV_WARNING; sev--) {
		size_t n = 0, k = 0;

		for (int c = 0; c < NCHECK; c++)
			if (checks[c].sev == sev)
				n += audit.fs.ncheck[c];
		if (!n)
			continue;
		buf_printf(&b, "%s%zu %s%s (", level ? ", " : "", n,
		    sev_words[sev], n == 1 ? "" : "s");
		for (int c = 0; c < NCHECK; c++)
			if (checks[c].sev == sev && audit.fs.ncheck[c])
				buf_printf(&b, "%s%s %zu", k++ ? ", " : "",
				    checks[c].name, audit.fs.ncheck[c]);
		buf_putc(&b, ')');
		if (level == 0)
			level = sev == SEV_ERROR ? 2 : 1;
	}
	if (!level) {
		buf_reset(&b);
		buf_puts(&b, "no offer flagged");
	}
	report_verdict(audit.as_report ? audit.out : NULL, audit.html, level, buf_str(&b));
	buf_free(&b);
}

static void
offers_people(const struct agg *total, struct agg *ca)
{
	struct rtable t;
	struct rchart ch;
	struct buf fl, lb, tt;
	size_t i, j;

	buf_init(&fl);
	buf_init(&lb);
	buf_init(&tt);
	offers_verdict();
	offer_flags_summary();
	/* totals: one row a group, then all */
	op_table(&t, by != BY_NONE ? "Offer performance per group" :
	    "Offer performance", by != BY_NONE ? by_name() : "", 0);
	t.bar = OP_REV;
	rchart_init(&ch, CHART_INTERVALS, by != BY_NONE ?
	    "Acceptance by group (%), 95% Wilson intervals" :
	    "Acceptance of the 15 candidates with the most impressions (%), "
	    "95% Wilson intervals");
	rchart_unit(&ch, "%");
	if (!isnan(opt.min_acceptance))
		rchart_mark(&ch, 100 * opt.min_acceptance, "--min-acceptance");
	for (i = 0; by != BY_NONE && i < ncells; i = j) {
		const char *gname = intern_str(&groups, cells[i].g);
		struct agg gsum;
		struct st_interval w;

		memset(&gsum, 0, sizeof gsum);
		for (j = i; j < ncells && cells[j].g == cells[i].g; j++)
			agg_add(&gsum, &cells[j].a);
		op_row(&t, *gname ? gname : "(none)", &gsum, "");
		st_wilson(gsum.conv, gsum.imps, CONF, &w);
		rchart_interval(&ch, *gname ? gname : "(none)", 100 * w.est,
		    100 * w.lo, 100 * w.hi);
	}
	op_row(&t, by != BY_NONE ? "all" : "all candidates", total, "");
	show_table(&audit, &t);
	if (by == BY_NONE)
		top_candidates_chart(&ch, ca);
	show_chart(&audit, &ch);
	if (trend_report(&trend, opt.min_acceptance, "--min-acceptance", &t,
	    &ch)) {
		show_chart(&audit, &ch);
		show_table(&audit, &t);
	}
	if (by == BY_LINK) {	/* the linked products over all subjects */
		uint32_t n, *o = linked_order(ca, &n);

		op_table(&t, n > 2 * FOLD + 1 ? "Linked products over all subjects "
		    "by revenue, highest first (the first and last 10; the TSV "
		    "output has them all)" : "Linked products over all subjects "
		    "by revenue, highest first", "linked", 1);
		for (uint32_t k = 0; k < n; k++) {
			if (!rfold_shown(k, n, FOLD, FOLD)) {
				if (k == FOLD) {
					buf_reset(&lb);
					buf_printf(&lb, "... %u more linked products",
					    n - 2 * FOLD);
					rtable_note(&t, buf_str(&lb));
				}
				continue;
			}
			flags_of(&ca[o[k]], &ca[o[k]], o[k], &fl);
			op_row(&t, rlabel(&audit.labels, intern_str(&audit.items, o[k]), &lb),
			    &ca[o[k]], buf_str(&fl));
		}
		show_table(&audit, &t);
		free(o);
	}
	/* candidates: each group's first and last 10 by revenue */
	for (i = 0; i < ncells; i = j) {
		const char *gname = intern_str(&groups, cells[i].g);
		size_t n;

		for (j = i; j < ncells && cells[j].g == cells[i].g; j++)
			;
		n = j - i;
		buf_reset(&tt);
		buf_puts(&tt, "Candidates");
		if (by != BY_NONE)
			buf_printf(&tt, " in %s %s", by_name(),
			    *gname ? gname : "(none)");
		buf_printf(&tt, " by revenue, highest first%s",
		    n > 2 * FOLD + 1 ? " (the first and last 10; the TSV output "
		    "has them all)" : "");
		op_table(&t, buf_str(&tt), "candidate", 1);
		for (size_t k = i; k < j; k++) {
			if (!rfold_shown(k - i, n, FOLD, FOLD)) {
				if (k - i == FOLD) {
					buf_reset(&lb);
					buf_printf(&lb, "... %zu more candidates", n - 2 * FOLD);
					rtable_note(&t, buf_str(&lb));
				}
				continue;
			}
			flags_of(&cells[k].a, &ca[cells[k].c], cells[k].c, &fl);
			op_row(&t, rlabel(&audit.labels, intern_str(&audit.items, cells[k].c), &lb),
			    &cells[k].a, buf_str(&fl));
		}
		show_table(&audit, &t);
	}
	if (nwhatif) {
		static const char *const wc[] = {
			"", "acceptance", "what-if acceptance", "conversions change",
			"revenue change", "margin change"
		};

		rtable_init(&t, "What if (--what-if): per group and in total; each "
		    "candidate's change is in the TSV output", 6, wc);
		for (int k = 1; k < 6; k++)
			rtable_numeric(&t, k);
		for (i = 0; by != BY_NONE && i < ncells; i = j) {
			const char *gname = intern_str(&groups, cells[i].g);
			struct agg gsum;

			memset(&gsum, 0, sizeof gsum);
			for (j = i; j < ncells && cells[j].g == cells[i].g; j++)
				agg_add(&gsum, &cells[j].a);
			whatif_row(&t, *gname ? gname : "(none)", &gsum);
		}
		whatif_row(&t, "all", total);
		show_table(&audit, &t);
	}
	buf_free(&fl);
	buf_free(&lb);
	buf_free(&tt);
}

/* ---- partial sums: --counts writes them, --merge reads them ---- */

static const char *const sums_cols[] = {
	"kind", "group", "candidate_id", "impressions", "conversions",
	"revenue", "margin"
};

/* What the sums depend on: --merge must be given the same. */
static void
sums_options(char *buf, size_t n)
{
	snprintf(buf, n, "by=%s", by == BY_NONE ? "none" : by_words[by]);
}

/*
 * Each cell's sums, exact (revenue and margin in units of 2^-64), with
 * the events read: xsell-audit --merge adds any number of such streams
 * and writes what one process over all their events would.
 */
static void
write_offer_sums(void)
{
	struct writer w;
	char o[64], n1[NUM_BUF], n2[NUM_BUF], r[48], m[48];
	char *v[7];

	writer_open(&w, audit.out, opt.json, 7, (char *const *)sums_cols);
	writer_type(&w, 5, WRITER_STR);
	writer_type(&w, 6, WRITER_STR);
	sums_options(o, sizeof o);
	v[0] = "options";
	v[1] = o;
	v[2] = "";
	v[3] = v[4] = "";
	v[5] = v[6] = "";
	writer_row(&w, v, NULL);
	num_fmt(all_events, n1);
	num_fmt(control_events, n2);
	v[0] = "events";
	v[1] = have_margin ? "margin" : "";
	v[3] = n1;
	v[4] = n2;
	writer_row(&w, v, NULL);
	v[0] = "cell";
	for (size_t i = 0; i < ncells; i++) {
		const struct agg *a = &cells[i].a;

		v[1] = (char *)intern_str(&groups, cells[i].g);
		v[2] = (char *)intern_str(&audit.items, cells[i].c);
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
read_offer_sums(void)
{
	struct rec r = { 0 };
	char *files[1] = { (char *)opt.events };
	char want[64];
	int col[7], nopts = 0, nevents = 0;

	rec_open(&r, 1, files);
	for (int k = 0; k < 7; k++)
		col[k] = rec_need(&r, sums_cols[k]);
	sums_options(want, sizeof want);
	intern_put(&groups, "", 0);	/* group 0, as when reading events */
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
			have_margin |= strcmp(r.f[col[1]], "margin") == 0;
			all_events += sums_count(&r, col[3], "impressions");
			control_events += sums_count(&r, col[4], "conversions");
			nevents++;
			continue;
		}
		if (strcmp(kind, "cell") != 0)
			die(XS_INPUT, "%s: column 'kind': \"%.40s\" is not options, "
			    "events or cell", rec_where(&r), kind);
		if (r.len[col[2]] == 0)
			die(XS_INPUT, "%s: column 'candidate_id': missing",
			    rec_where(&r));
		g = intern_put(&groups, r.f[col[1]], r.len[col[1]]);
		c = item_put(&audit, r.f[col[2]], r.len[col[2]]);
		a = by == BY_NONE ? cand_cell(c) : cell_of(g, c);
		a->imps += sums_count(&r, col[3], "impressions");
		a->conv += sums_count(&r, col[4], "conversions");
		money_add(&a->xrev, sums_money(&r, col[5], "revenue"));
		money_add(&a->xmargin, sums_money(&r, col[6], "margin"));
	}
	if (nopts == 0 || nopts != nevents)
		die(XS_INPUT, "%s: not partial sums of xsell-audit --counts "
		    "(%d options rows, %d events rows)", r.name ? r.name :
		    "<stdin>", nopts, nevents);
	rec_close(&r);
}

static void
run_offers(void)
{
	struct agg total, *ca, gsum;
	struct buf fl;
	size_t i, j;

	if (opt.catalog)
		audit_load_catalog(&audit, opt.catalog);
	if (opt.offers)
		audit_load_offers(&audit, opt.offers);
	if (opt.nrel)
		audit_load_relations(&audit, opt.nrel, opt.rel, 0);
	memset(audit.fs.ran, 0, sizeof audit.fs.ran);	/* only this mode's checks count here */
	audit.fs.ran[C_UNTRACKED] = opt.nrel > 0 || opt.offers != NULL;
	audit.fs.ran[C_RETIRE] = !isnan(opt.min_acceptance);
	trend_init(&trend);
	if (opt.merge)
		read_offer_sums();
	else
		read_offer_events();
	if (opt.counts) {
		write_offer_sums();
		return;
	}
	for (i = 0; i < ncells; i++) {
		cells[i].a.rev = xsum_double(cells[i].a.xrev);
		cells[i].a.margin = xsum_double(cells[i].a.xmargin);
	}
	audit.fs.ran[C_UNPROFITABLE] = have_margin;
	/* findings of loading (a catalog's duplicates) stay counted */
	for (int k = 0; k < NCHECK; k++)
		if (audit.fs.ncheck[k])
			audit.fs.ran[k] = 1;
	ca = candidate_totals(&total);
	for (i = 0; i < ncells; i++)
		apply_whatif(&cells[i].a, cells[i].c, &total);
	if (ncells)
		sort_cells();
	/* The what-if changes are doubles: summed in the sorted order, the
	 * same whatever order the events came in. */
	memset(&total, 0, sizeof total);
	for (i = 0; i < ncells; i++)
		agg_add(&total, &cells[i].a);
	free(slots);
	slots = NULL;
	nslots = 0;
	free(cellno);
	cellno = NULL;

	if (audit.html)
		html_begin(audit.html, "xsell-audit: offer performance");
	show_heading(&audit, "Offer performance");
	if (!audit.as_report && !audit.html)
		offer_flags_summary();
	offer_table_open();
	buf_init(&fl);
	offer_row("total", "", "", &total, "");
	if (by == BY_LINK) {
		/* per linked product over all subjects, then per link */
		uint32_t n, *o = linked_order(ca, &n);

		for (uint32_t k = 0; k < n; k++) {
			flags_of(&ca[o[k]], &ca[o[k]], o[k], &fl);
			offer_row("linked", "", intern_str(&audit.items, o[k]), &ca[o[k]],
			    buf_str(&fl));
		}
		free(o);
	}
	for (i = 0; i < ncells; i = j) {
		const char *gname = intern_str(&groups, cells[i].g);

		memset(&gsum, 0, sizeof gsum);
		for (j = i; j < ncells && cells[j].g == cells[i].g; j++)
			agg_add(&gsum, &cells[j].a);
		if (by != BY_NONE)
			offer_row("group", gname, "", &gsum, "");
		for (size_t k = i; k < j; k++) {
			flags_of(&cells[k].a, &ca[cells[k].c], cells[k].c, &fl);
			offer_row("candidate", gname, intern_str(&audit.items, cells[k].c),
			    &cells[k].a, buf_str(&fl));
		}
	}
	buf_free(&fl);
	table_close(&audit);
	if (audit.as_report || audit.html) {
		rlabels_load(&audit.labels, opt.catalog);
		offers_people(&total, ca);
	}
	trend_free(&trend);
	free(ca);
}

/* ---- experiments: lib/experiment.c reads them out ---- */

static void
exp_flag(void *arg, int kind, double key, const char *detail)
{
	static const int check[] = { C_BOTH_ARMS, C_SRM, C_GUARDRAIL };

	(void)arg;
	finding(&audit.fs, check[kind], INTERN_NONE, INTERN_NONE, key, "%s", detail);
}

static struct exp_show
exp_show(void)
{
	struct exp_show sh = { audit.out, audit.html, audit.as_report, opt.json };

	return sh;
}

static void
run_experiment(void)
{
	struct exp_opts xo = {
		.events = opt.events, .control = opt.control,
		.covariate = opt.covariate, .catalog = opt.catalog, .conf = CONF,
		.alpha = opt.alpha, .holdout = opt.holdout,
		.split = opt.split.n ? &opt.split : NULL, .by = exp_by,
		.sequential = opt.sequential, .horizon = opt.horizon,
		.flag = exp_flag,
	};
	struct exp_show sh = exp_show();

	audit.fs.ran[C_BOTH_ARMS] = audit.fs.ran[C_GUARDRAIL] = 1;
	audit.fs.ran[C_SRM] = xo.split || !isnan(xo.holdout);
	exp_readout(&xo, &sh);
}

static void
run_plan(void)
{
	struct exp_plan p = {
		.baseline = opt.baseline, .mde = opt.mde, .traffic = opt.traffic,
		.alpha = opt.alpha, .power = opt.power, .arms = opt.arms,
		.split = opt.split.n ? &opt.split : NULL, .control = opt.control,
	};
	struct exp_show sh = exp_show();

	exp_plan(&p, &sh);
}

/* ---- Qini: uplift score against observed outcomes ---- */

/* The Qini curve has two arms: treatment and control. */
static int
arm_of(const struct rec *r, int col)
{
	if (r->len[col] == 9 && memcmp(r->f[col], "treatment", 9) == 0)
		return 1;
	if (r->len[col] == 7 && memcmp(r->f[col], "control", 7) == 0)
		return 2;
	die(XS_INPUT, "%s: column 'group': not treatment or control: \"%s\"",
	    rec_where(r), r->f[col]);
}

static struct st_unit *
read_units(size_t *nout)
{
	struct rec r = { 0 };
	char *files[1] = { (char *)opt.events };
	int cscore, cgrp, cconv;
	struct st_unit *u = NULL;
	size_t n = 0, cap = 0;

	rec_open(&r, 1, files);
	cscore = rec_need(&r, opt.score);
	cgrp = rec_need(&r, "group");
	cconv = rec_need(&r, "converted");
	while (rec_next(&r) == REC_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 4096;
			u = xreallocarray(u, cap, sizeof *u);
		}
		if (r.len[cscore] == 0)
			die(XS_INPUT, "%s: column '%s': missing", rec_where(&r), opt.score);
		u[n].score = rec_num(&r, cscore, 0);
		u[n].treated = arm_of(&r, cgrp) == 1;
		u[n].y = converted_of(&r, cconv);
		n++;
	}
	rec_close(&r);
	*nout = n;
	return u;
}

static void
qini_report(const struct st_qini_point *pt, size_t npt, const struct st_auuc *au)
{
	static const char *const cols[] = { "measure", "value", "meaning" };
	struct rtable t;
	struct rchart c;
	char v[32];
	double total = pt[npt - 1].n, *x, *y, *yr;
	size_t step = npt > 200 ? npt / 200 : 1, m = 0;

	rtable_init(&t, "Area under the Qini curve (x: share targeted; y: "
	    "incremental conversions)", 3, cols);
	rtable_numeric(&t, 1);
#define ROW(name, val, what) do { const char *r_[3] = { name, \
	fmt_num(val, 4, v, sizeof v), what }; rtable_row(&t, r_); } while (0)
	ROW("auuc", au->auuc, "area under the model's curve");
	ROW("auuc_random", au->random, "area under the random line");
	ROW("auuc_perfect", au->perfect, "area under the perfect curve");
	ROW("qini_coefficient", au->qini, "auuc - random");
	ROW("auuc_vs_random", au->vs_random, "auuc / random (1 = no better than random)");
	ROW("auuc_vs_perfect", au->vs_perfect,
	    "(auuc - random) / (perfect - random) (1 = perfect)");
	ROW("incremental_total", au->total, "incremental conversions when all are treated");
#undef ROW
	show_table(&audit, &t);
	x = xreallocarray(NULL, npt + 1, sizeof *x);
	y = xreallocarray(NULL, npt + 1, sizeof *y);
	yr = xreallocarray(NULL, npt + 1, sizeof *yr);
	for (size_t i = 0; i < npt; i += step) {
		x[m] = pt[i].n / total;
		y[m] = pt[i].qini;
		yr[m] = x[m] * au->total;
		m++;
	}
	if (x[m - 1] != 1) {
		x[m] = 1;
		y[m] = pt[npt - 1].qini;
		yr[m++] = au->total;
	}
	rchart_init(&c, CHART_LINES, "Qini curve");
	free(c.xlabel);
	free(c.ylabel);
	c.xlabel = xstrdup("share of the population targeted, by score");
	c.ylabel = xstrdup("incremental conversions");
	rchart_series(&c, "model", m, x, y);
	rchart_series(&c, "random", m, x, yr);
	show_chart(&audit, &c);
	if (audit.as_report) {
		/* the curve in ten steps, as a bar table */
		static const char *const qc[] = { "targeted", "qini", "random" };
		struct rtable q;
		char a[32], b[32], d[32];

		rtable_init(&q, "Qini curve", 3, qc);
		rtable_numeric(&q, 1);
		rtable_numeric(&q, 2);
		q.bar = 1;
		for (int k = 1; k <= 10; k++) {
			size_t i = 0;
			const char *r_[3];

			while (i + 1 < npt && pt[i].n < total * k / 10)
				i++;
			r_[0] = fmt_pct(pt[i].n / total, a, sizeof a);
			r_[1] = fmt_num(pt[i].qini, 4, b, sizeof b);
			r_[2] = fmt_num(pt[i].n / total * au->total, 4, d, sizeof d);
			rtable_row(&q, r_);
		}
		show_table(&audit, &q);
	}
	free(x);
	free(y);
	free(yr);
}

static void
run_qini(void)
{
	static const char *const cols[] = {
		"n", "fraction", "n_treatment", "n_control", "conversions_treatment",
		"conversions_control", "qini", "random", "auuc"
	};
	struct st_unit *u;
	struct st_qini_point *pt;
	struct st_auuc au;
	size_t n, npt, nt = 0;
	char num[9][NUM_BUF];

	u = read_units(&n);
	for (size_t i = 0; i < n; i++)
		nt += (size_t)u[i].treated;
	if (nt == 0 || nt == n)
		die(XS_INPUT, "%s: no %s rows: a Qini curve needs both arms",
		    strcmp(opt.events, "-") ? opt.events : "<stdin>",
		    nt == 0 ? "treatment" : "control");
	st_auuc(u, n, &au);	/* sorts u by score */
	npt = st_qini_curve(u, n, &pt);
	if (audit.html)
		html_begin(audit.html, "xsell-audit: Qini curve");
	show_heading(&audit, "Qini curve and AUUC");
	show_para(&audit, "qini: auuc %.6g, random %.6g, perfect %.6g; normalised vs "
	    "random (auuc/random) %.4g; vs perfect ((auuc-random)/(perfect-random)) "
	    "%.4g", au.auuc, au.random, au.perfect, au.vs_random, au.vs_perfect);
	/* auuc: the area so far, so the last row's is the AUUC at full
	 * precision for a pipeline (the summary line above has 6 digits). */
	table_open(&audit, 9, cols);
	table_num(&audit, 0, 9);
	for (size_t i = 0; i < npt; i++) {
		char *v[9];

		v[0] = cell(pt[i].n, num[0]);
		v[1] = cell(pt[i].n / pt[npt - 1].n, num[1]);
		v[2] = cell(pt[i].n_t, num[2]);
		v[3] = cell(pt[i].n_c, num[3]);
		v[4] = cell(pt[i].y_t, num[4]);
		v[5] = cell(pt[i].y_c, num[5]);
		v[6] = cell(pt[i].qini, num[6]);
		v[7] = cell(pt[i].n / pt[npt - 1].n * au.total, num[7]);
		v[8] = cell(pt[i].area, num[8]);
		table_row(&audit, v);
	}
	table_close(&audit);
	if (audit.as_report || audit.html)
		qini_report(pt, npt, &au);
	free(pt);
	free(u);
}

/* ---- options and main ---- */

static void
usage(int status)
{
	fputs(usage_text, status ? stderr : stdout);
	if (status == XS_OK)
		fputs(help_text, stdout);
	exit(status);
}

/* --what-if [ID,]acceptance=[A:]B */
static void
parse_whatif(const char *arg)
{
	const char *key = "acceptance=", *p = arg, *hit, *colon;
	struct whatif w = { NULL, NAN, NAN };
	char *num;

	if (strncmp(arg, key, strlen(key)) != 0) {
		for (hit = NULL; (p = strstr(p, ",acceptance=")); p++)
			hit = p;
		if (!hit || hit == arg)
			die(XS_USAGE, "option --what-if: expected [ID,]acceptance=[A:]B: "
			    "\"%s\"", arg);
		w.id = xmemdup(arg, (size_t)(hit - arg));
		p = hit + 1 + strlen(key);
	} else
		p = arg + strlen(key);
	if ((colon = strchr(p, ':'))) {
		num = xmemdup(p, (size_t)(colon - p));
		w.from = opt_num("--what-if", num, 0, 1);
		free(num);
		p = colon + 1;
	}
	w.to = opt_num("--what-if", p, 0, 1);
	whatifs = xreallocarray(whatifs, (size_t)nwhatif + 1, sizeof *whatifs);
	whatifs[nwhatif++] = w;
}

/* --traffic N or N/day: contexts a day, all arms together. */
static double
traffic_arg(const char *arg)
{
	size_t n = strlen(arg);
	char *num;
	double v;

	if (n > 4 && strcmp(arg + n - 4, "/day") == 0)
		n -= 4;
	num = xmemdup(arg, n);
	v = opt_num("--traffic", num, 0, 1e15);
	free(num);
	if (v <= 0)
		die(XS_USAGE, "option --traffic: %s is not a number of contexts a day",
		    arg);
	return v;
}

enum {
	O_CATALOG = 256, O_ORDERS, O_OFFERS, O_EVENTS, O_BY, O_MINACC, O_WHATIF,
	O_EXPERIMENT, O_HOLDOUT, O_QINI, O_SCORE, O_MAXLINKS, O_MAXAGE, O_NOW,
	O_FAILON, O_REPORT, O_HTML, O_CONTROL, O_SPLIT, O_ALPHA, O_COVARIATE,
	O_SEQUENTIAL, O_HORIZON, O_PLAN, O_BASELINE, O_MDE, O_TRAFFIC, O_POWER,
	O_ARMS, O_COUNTS, O_MERGE
};

static const struct option longopts[] = {
	{ "catalog", required_argument, NULL, O_CATALOG },
	{ "orders", required_argument, NULL, O_ORDERS },
	{ "offers", required_argument, NULL, O_OFFERS },
	{ "events", required_argument, NULL, O_EVENTS },
	{ "by", required_argument, NULL, O_BY },
	{ "min-acceptance", required_argument, NULL, O_MINACC },
	{ "what-if", required_argument, NULL, O_WHATIF },
	{ "experiment", no_argument, NULL, O_EXPERIMENT },
	{ "holdout", required_argument, NULL, O_HOLDOUT },
	{ "qini", no_argument, NULL, O_QINI },
	{ "score", required_argument, NULL, O_SCORE },
	{ "max-links", required_argument, NULL, O_MAXLINKS },
	{ "max-age", required_argument, NULL, O_MAXAGE },
	{ "now", required_argument, NULL, O_NOW },
	{ "fail-on", required_argument, NULL, O_FAILON },
	{ "report", no_argument, NULL, O_REPORT },
	{ "html", required_argument, NULL, O_HTML },
	{ "control", required_argument, NULL, O_CONTROL },
	{ "split", required_argument, NULL, O_SPLIT },
	{ "alpha", required_argument, NULL, O_ALPHA },
	{ "covariate", required_argument, NULL, O_COVARIATE },
	{ "sequential", no_argument, NULL, O_SEQUENTIAL },
	{ "horizon", required_argument, NULL, O_HORIZON },
	{ "plan", no_argument, NULL, O_PLAN },
	{ "baseline", required_argument, NULL, O_BASELINE },
	{ "mde", required_argument, NULL, O_MDE },
	{ "traffic", required_argument, NULL, O_TRAFFIC },
	{ "power", required_argument, NULL, O_POWER },
	{ "arms", required_argument, NULL, O_ARMS },
	XS_CSV_LONGOPTS,
	{ "counts", no_argument, NULL, O_COUNTS },
	{ "merge", no_argument, NULL, O_MERGE },
	XS_COMMON_LONGOPTS
};

static void
parse_options(int argc, char **argv)
{
	int c, now_set = 0;

	while ((c = getopt_long(argc, argv, "o:jqvhV", longopts, NULL)) != -1)
		switch (c) {
		case O_CATALOG: opt.catalog = optarg; break;
		case O_ORDERS: opt.orders = optarg; break;
		case O_OFFERS: opt.offers = optarg; break;
		case O_EVENTS: opt.events = optarg; break;
		case O_BY: opt.by = optarg; break;
		case O_MINACC:
			opt.min_acceptance = opt_num("--min-acceptance", optarg, 0, 1);
			break;
		case O_WHATIF: parse_whatif(optarg); break;
		case O_EXPERIMENT: opt.experiment = 1; break;
		case O_HOLDOUT:
			opt.holdout = opt_num("--holdout", optarg, 0, 1);
			if (opt.holdout <= 0 || opt.holdout >= 1)
				die(XS_USAGE, "option --holdout: %s is not between 0 and 1",
				    optarg);
			break;
		case O_QINI: opt.qini = 1; break;
		case O_SCORE: opt.score = optarg; break;
		case O_MAXLINKS:
			opt.max_links = (double)opt_int("--max-links", optarg, 0, INT32_MAX);
			break;
		case O_MAXAGE: opt.max_age = opt_num("--max-age", optarg, 0, 1e6); break;
		case O_NOW:
			if (time_parse(optarg, strlen(optarg), &opt.now))
				die(XS_USAGE, "option --now: not a date: \"%s\"", optarg);
			now_set = 1;
			break;
		case O_FAILON: opt.fail_on = opt_word("--fail-on", optarg, sev_words); break;
		case O_REPORT: opt.report = 1; break;
		case O_HTML: opt.html = optarg; break;
		case O_CONTROL:
			if (!*optarg)
				die(XS_USAGE, "option --control: empty name");
			opt.control = optarg;
			opt.control_set = 1;
			break;
		case O_SPLIT:
			exp_split_free(&opt.split);
			exp_split_parse(&opt.split, "--split", optarg);
			break;
		case O_ALPHA:
			opt.alpha = opt_num("--alpha", optarg, 0, 1);
			if (opt.alpha <= 0 || opt.alpha >= 1)
				die(XS_USAGE, "option --alpha: %s is not between 0 and 1",
				    optarg);
			opt.alpha_set = 1;
			break;
		case O_COVARIATE: opt.covariate = optarg; break;
		case O_SEQUENTIAL: opt.sequential = 1; break;
		case O_HORIZON:
			opt.horizon = (double)opt_int("--horizon", optarg, 2,
			    INT64_C(1) << 53);
			break;
		case O_PLAN: opt.plan = 1; break;
		case O_BASELINE:
			opt.baseline = opt_num("--baseline", optarg, 0, 1);
			if (opt.baseline <= 0 || opt.baseline >= 1)
				die(XS_USAGE, "option --baseline: %s is not between 0 and 1",
				    optarg);
			break;
		case O_MDE:
			opt.mde = opt_num("--mde", optarg, -1, 1e6);
			if (opt.mde == 0 || opt.mde == -1)
				die(XS_USAGE, "option --mde: %s is no change to detect",
				    optarg);
			break;
		case O_TRAFFIC: opt.traffic = traffic_arg(optarg); break;
		case O_POWER:
			opt.power = opt_num("--power", optarg, 0, 1);
			if (opt.power <= 0 || opt.power >= 1)
				die(XS_USAGE, "option --power: %s is not between 0 and 1",
				    optarg);
			break;
		case O_COUNTS: opt.counts = 1; break;
		case O_MERGE: opt.merge = 1; break;
		case O_ARMS:
			opt.arms = (int)opt_int("--arms", optarg, 2, EXP_MAXARMS);
			break;
		case 'o': opt.out = optarg; break;
		case 'j': opt.json = WRITER_JSONL; break;
		case XS_OPT_CSV: opt.json = WRITER_CSV; break;
		case XS_OPT_CSV_SAFE: opt.json = WRITER_CSV_SAFE; break;
		case 'q': xs_quiet = 1; break;
		case 'v': xs_verbose = 1; break;
		case 'h': usage(XS_OK); break;
		case 'V': xs_version(); break;
		default: usage_die(usage_text);
		}
	opt.nrel = argc - optind;
	opt.rel = argv + optind;
	if (!now_set)
		opt.now = (int64_t)time(NULL);
}

static const char *const exp_by_words[] = {
	"channel", "category", "subject", NULL
};

/* --plan is a mode of its own: no input. */
static void
check_plan(void)
{
	if (opt.events || opt.experiment || opt.qini || opt.nrel || opt.catalog ||
	    opt.orders || opt.offers || opt.by)
		die(XS_USAGE, "--plan reads no input: give --baseline, --mde and "
		    "--traffic only");
	if (isnan(opt.baseline) || isnan(opt.mde) || isnan(opt.traffic))
		die(XS_USAGE, "--plan needs --baseline F, --mde F and --traffic N");
	if (opt.arms && opt.split.n)
		die(XS_USAGE, "--arms and --split both say how many arms; give one");
	if (!isnan(opt.holdout))
		die(XS_USAGE, "--holdout belongs to --experiment; --plan takes "
		    "--split ARM=F,...");
	if (opt.covariate || opt.sequential || !isnan(opt.horizon))
		die(XS_USAGE, "--covariate, --sequential and --horizon belong to "
		    "--experiment");
	if (!opt.arms)
		opt.arms = 2;
	if (isnan(opt.power))
		opt.power = 0.8;
}

/* The experiment's own options. */
static void
check_experiment(void)
{
	if (opt.plan)
		return;
	if (!isnan(opt.baseline) || !isnan(opt.mde) || !isnan(opt.traffic) ||
	    !isnan(opt.power) || opt.arms)
		die(XS_USAGE, "--baseline, --mde, --traffic, --power and --arms "
		    "belong to --plan");
	if (!opt.experiment && (opt.split.n || opt.control_set || opt.alpha_set ||
	    opt.covariate || opt.sequential || !isnan(opt.horizon)))
		die(XS_USAGE, "--split, --control, --alpha, --covariate, --sequential "
		    "and --horizon belong to --experiment");
	if (opt.split.n && !isnan(opt.holdout))
		die(XS_USAGE, "--split and --holdout both give the planned split; "
		    "give one");
	if (opt.split.n && exp_split_find(&opt.split, opt.control) < 0)
		die(XS_USAGE, "option --split: no share for the control arm '%s'",
		    opt.control);
	if (!isnan(opt.horizon) && !opt.sequential)
		die(XS_USAGE, "--horizon belongs to --sequential");
	if (isnan(opt.horizon))
		opt.horizon = 10000;
}

/* Options that belong to another mode are usage errors, not ignored. */
static void
check_modes(void)
{
	int events_mode = opt.events != NULL;

	if (opt.plan)
		check_plan();
	if (opt.by && opt.experiment)
		exp_by = 1 + opt_word("--by", opt.by, exp_by_words);
	else if (opt.by)
		by = opt_word("--by", opt.by, by_words);
	check_experiment();
	if (opt.experiment && opt.qini)
		die(XS_USAGE, "--experiment and --qini are separate read-outs");
	if ((opt.experiment || opt.qini) && !opt.events)
		die(XS_USAGE, "--%s needs --events FILE", opt.qini ? "qini" : "experiment");
	if (!events_mode && (by != BY_NONE || !isnan(opt.min_acceptance) || nwhatif ||
	    opt.offers))
		die(XS_USAGE, "--by, --min-acceptance, --what-if and --offers need "
		    "--events FILE");
	if (events_mode && (opt.orders || !isnan(opt.max_age)))
		die(XS_USAGE, "--orders and --max-age belong to the relations audit, "
		    "not to --events");
	if ((opt.experiment || opt.qini) && (opt.nrel || by != BY_NONE ||
	    nwhatif || !isnan(opt.min_acceptance) || opt.offers ||
	    (opt.catalog && exp_by != EXP_BY_CATEGORY)))
		die(XS_USAGE, "--%s reads only --events%s", opt.qini ? "qini" :
		    "experiment", opt.catalog && !opt.qini ? " (and --catalog with "
		    "--by category)" : "");
	if (!isnan(opt.holdout) && !opt.experiment)
		die(XS_USAGE, "--holdout belongs to --experiment");
	if (opt.report && opt.json)
		die(XS_USAGE, "--report and %s are different outputs; pick one",
		    opt.json == WRITER_JSONL ? "--json" : opt.json == WRITER_CSV ?
		    "--csv-out" : "--csv-safe");
	if (opt.counts && opt.merge)
		die(XS_USAGE, "--counts and --merge exclude each other");
	if ((opt.counts || opt.merge) && (!events_mode || opt.experiment ||
	    opt.qini))
		die(XS_USAGE, "--counts and --merge belong to --events (offer "
		    "performance)");
	if (opt.counts && (opt.report || opt.html))
		die(XS_USAGE, "--counts writes partial sums, not a report");
}

int
main(int argc, char **argv)
{
	int status = XS_OK;

	xs_init(argv[0]);
	parse_options(argc, argv);
	check_modes();
	audit_init(&audit, &opt);
	intern_init(&groups);
	audit.as_report = opt.report || (!opt.json && !opt.out && isatty(STDOUT_FILENO));
	audit.out = out_open(opt.out);
	if (audit.as_report)
		report_term(audit.out);
	if (opt.html)
		audit.html = out_open(opt.html);
	if (opt.plan)
		run_plan();
	else if (opt.qini)
		run_qini();
	else if (opt.experiment)
		run_experiment();
	else if (opt.events)
		run_offers();
	else
		run_audit();
	if (audit.html) {
		html_end(audit.html);
		out_close(audit.html);
	}
	out_close(audit.out);
	rlabels_free(&audit.labels);
	if (opt.fail_on != SEV_NONE && worst_severity(&audit.fs) >= opt.fail_on)
		status = XS_DATA;
	return xs_finish(status);
}
