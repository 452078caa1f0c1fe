/*
 * xsell-rank: the top N scored candidates of each context, filled by a
 * fallback chain of sources, with diversity, independent placements, a
 * holdout group or experiment arms, and contact caps. Every row it writes
 * is a row of its input: back-fill (best sellers) is a source of
 * xsell-qualify, so that no candidate is shown without passing
 * eligibility, stock and ownership checks.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ctxgroup.h"
#include "experiment.h"
#include "catalog.h"
#include "period.h"
#include "widget.h"
#include "rankorder.h"
#include "xsell.h"

static const char usage_text[] =
    "usage: xsell-rank [--top N] [--by COLUMN] [--per COLUMN] "
    "[--fallback SRC,SRC,...]\n"
    "                  [--keep-order SRC,...] [--catalog FILE] "
    "[--max-per-category K]\n"
    "                  [--holdout F --seed S [--assignments FILE]]\n"
    "                  [--arms ARM=F,... --seed S [--control NAME]\n"
    "                   [--arm-fallback ARM=SRC,...] "
    "[--arm-placements ARM=VAL,...]\n"
    "                   [--assignments FILE]]\n"
    "                  [--history FILE --cap N --period day|week|month "
    "[--now TS]]\n"
    "                  [--group-json] [--with FIELD,... [--precision N]]\n"
    "                  [--buffer] [-jqv] [--csv-out | --csv-safe] [-o FILE]\n"
    "                  [FILE ...]\n";

/* --help: the usage, then one line per option, each long option of the
 * page's OPTIONS on one (tests/help.bats); the page is the reference. */
static const char help_text[] =
    "\n"
    "options (details in xsell-rank(1)):\n"
    "  --top N                       offers per list (default 5)\n"
    "  --by COLUMN                   the context column (default context_id)\n"
    "  --per COLUMN                  independent lists per value of COLUMN\n"
    "  --fallback SRC,SRC,...        the sources in the order they fill the slots\n"
    "  --keep-order SRC,...          sources shown in their position order\n"
    "  --catalog FILE                products' categories, and the --with fields\n"
    "  --max-per-category K          at most K offers of a category per list\n"
    "  --holdout F                   the share of contexts kept as control\n"
    "  --arms ARM=F,...              experiment arms and their shares\n"
    "  --control NAME                the arm that gets no offers (default control)\n"
    "  --arm-fallback ARM=SRC,...    an arm's own source order; repeatable\n"
    "  --arm-placements ARM=VAL,...  the --per values an arm shows; repeatable\n"
    "  --seed S                      the key of the holdout or arm draw\n"
    "  --assignments FILE            log every context's group and offers to FILE\n"
    "  --history FILE                past contacts, for --cap\n"
    "  --cap N                       contacts allowed per period\n"
    "  --period day|week|month       the calendar period of the cap\n"
    "  --now TS                      the time that decides the current period\n"
    "  --group-json                  one JSON object per list, for a web widget\n"
    "  --with FIELD,...              display fields for each offer\n"
    "  --precision N                 round the numeric --with fields to N decimals\n"
    "  --buffer                      read all input first, for ungrouped input\n"
    "  -j, --json                    write JSON lines\n"
    "  --csv-out                     write CSV, for spreadsheets and SQL engines\n"
    "  --csv-safe                    CSV with formula-like cells neutralised\n"
    "  -o, --output FILE             write to FILE, atomically\n"
    "  -q, --quiet                   only errors on standard error\n"
    "  -v, --verbose                 counts of rows, contexts, arms and caps\n"
    "  -h, --help                    print this help and exit\n"
    "  -V, --version                 print the version and exit\n";

#define MAXTOP 100000

static struct opts {
	int64_t top, maxcat, cap, seed;
	const char *by, *per, *fallback, *keep, *catalog, *assign;
	const char *history, *out, *control;
	double holdout;		/* NaN without --holdout */
	int period, has_seed, has_now, buffer, json;
	int64_t now;
	struct widget_opts widget;	/* --group-json, --with, --precision */
} o;

/* --fallback: source name -> tier; --keep-order: the sources kept in
 * position order. */
static struct intern tiers, keeps;

/* --arms, or --holdout F as the arms control = F, treatment = 1 - F (in
 * that order, so a draw below F is control, as it always was). */
static struct exp_split arms;
static int control_arm = -1;	/* the arm shown nothing, or -1 */
/* An arm's own ranking: --arm-fallback and --arm-placements. */
static struct armrule {
	struct intern tiers;	/* its fallback order, when has_tiers */
	struct intern places;	/* the --per values it shows, when has_places */
	int has_tiers, has_places;
} rule[EXP_MAXARMS];
static const char **armopt[2];	/* the options' arguments, parsed once */
static int narmopt[2];

/* --catalog: category of a product. */
static struct catalog catalog;
static int have_catalog;

/* --history: contacts in the current period per context (and placement). */
static struct hist {
	struct intern keys;
	uint32_t *count;
	int per;		/* counted per placement */
	int64_t start, now;
	uint32_t *id;		/* while reading: each contact's key and ts */
	int64_t *t;
} hist;

struct cols {
	int by, cid, score, source, category, per, position;
};

/* One candidate row of the current context. */
struct item {
	uint32_t part;		/* placement, in order of first appearance */
	int tier;		/* place in --fallback, -1 not listed */
	int keep;		/* place in --keep-order, -1 not listed */
	double score, pos;	/* pos: NaN when missing or not kept */
	const char *cid;
	size_t cidlen;
	const char *cat;	/* NULL: no category, never limited */
	size_t catlen;
	size_t row;
};

/* A chosen offer: a candidate row. */
struct pick {
	size_t row;
	const char *cid, *cat;
	size_t cidlen, catlen;
};

struct str {
	const char *s;
	size_t n;
};

static struct {
	uint64_t contexts, control, rows, written, capped;
	uint64_t arm[EXP_MAXARMS];
} counts;

static int
cmp_str(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	return c ? c : (an > bn) - (an < bn);
}

/* ---- side files ---- */

static void
hist_key(struct buf *b, const char *ctx, size_t n, const char *per,
    size_t pn)
{
	buf_reset(b);
	buf_put(b, ctx, n);
	if (per) {
		buf_putc(b, '\x1f');
		buf_put(b, per, pn);
	}
}

/*
 * Counts each context's contacts in the calendar period that holds "now"
 * (--now, else the latest ts in the history), from the period's start up
 * to now. Per placement when the history has the --per column.
 */
static void
load_history(const char *file)
{
	struct rec r;
	char *files[1] = { (char *)file };
	int ctx, ts, per = -1;
	int64_t latest = INT64_MIN;
	size_t n = 0, cap = 0;
	struct buf k;

	memset(&r, 0, sizeof r);
	intern_init(&hist.keys);
	buf_init(&k);
	rec_open(&r, 1, files);
	ctx = rec_col(&r, o.by);
	if (ctx < 0)
		ctx = rec_need(&r, "context_id");
	ts = rec_need(&r, "ts");
	if (o.per)
		per = rec_col(&r, o.per);
	hist.per = per >= 0;
	while (ctx >= 0 && rec_next(&r) != REC_END) {
		const char *err;

		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			hist.id = xreallocarray(hist.id, cap, sizeof *hist.id);
			hist.t = xreallocarray(hist.t, cap, sizeof *hist.t);
		}
		if ((err = time_parse(r.f[ts], r.len[ts], &hist.t[n])))
			die(XS_INPUT, "%s: column 'ts': %s: \"%.40s\"",
			    rec_where(&r), err, r.f[ts]);
		hist_key(&k, r.f[ctx], r.len[ctx], per >= 0 ? r.f[per] : NULL,
		    per >= 0 ? r.len[per] : 0);
		hist.id[n] = intern_put(&hist.keys, buf_str(&k), k.len);
		if (hist.t[n] > latest)
			latest = hist.t[n];
		n++;
	}
	/* An empty history has no latest ts: any period will do (nothing to
	 * count), but not one from INT64_MIN, which overflows. */
	hist.now = o.has_now ? o.now : n ? latest : 0;
	hist.start = period_start(o.period, hist.now);
	hist.count = xcalloc((size_t)hist.keys.n + 1, sizeof *hist.count);
	for (size_t i = 0; i < n; i++)
		if (hist.t[i] >= hist.start && hist.t[i] <= hist.now)
			hist.count[hist.id[i]]++;
	if (xs_verbose && n) {
		char a[NUM_BUF], b[NUM_BUF];

		time_fmt(hist.start, a);
		time_fmt(hist.now, b);
		note("history: %zu contacts, counting from %s to %s", n, a, b);
	}
	free(hist.id);
	free(hist.t);
	hist.id = NULL;
	hist.t = NULL;
	buf_free(&k);
	rec_close(&r);
}

static uint32_t
contacts(struct buf *k, const struct str *ctx, const struct str *per)
{
	uint32_t id;

	hist_key(k, ctx->s, ctx->n, per ? per->s : NULL, per ? per->n : 0);
	id = intern_find(&hist.keys, buf_str(k), k->len);
	return id == INTERN_NONE ? 0 : hist.count[id];
}

/* ---- ranking one context ---- */

/* Placement, fallback tier, score descending, candidate id, input order. */
static int
by_rank(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c;

	if (x->part != y->part)
		return x->part < y->part ? -1 : 1;
	if (x->tier != y->tier)
		return x->tier < y->tier ? -1 : 1;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if ((c = cmp_str(x->cid, x->cidlen, y->cid, y->cidlen)))
		return c;
	return (x->row > y->row) - (x->row < y->row);
}

/* --keep-order: a kept source's class within its placement. */
static long
keep_class(const void *a)
{
	const struct item *x = a;

	return x->keep < 0 ? -1 : (long)x->part * (long)keeps.n + x->keep;
}

/* Within a kept source: position, a missing one last, then as by_rank. */
static int
by_position(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (isnan(x->pos) != isnan(y->pos))
		return isnan(x->pos) ? 1 : -1;
	if (x->pos != y->pos && !isnan(x->pos))
		return x->pos < y->pos ? -1 : 1;
	return by_rank(a, b);
}

static int
same(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && memcmp(a, b, an) == 0;
}

/* May a candidate of this category join the chosen ones? */
static int
diverse(const struct pick *p, size_t n, const char *cat, size_t catlen)
{
	size_t k = 0;

	if (!o.maxcat || !cat)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (p[i].cat && same(p[i].cat, p[i].catlen, cat, catlen))
			k++;
	return k < (uint64_t)o.maxcat;
}

static int
shown(const struct pick *p, size_t n, const char *cid, size_t cidlen)
{
	for (size_t i = 0; i < n; i++)
		if (same(p[i].cid, p[i].cidlen, cid, cidlen))
			return 1;
	return 0;
}

/* Scratch space reused from context to context. */
struct work {
	struct item *it;
	size_t itcap;
	struct str *parts;	/* placement values, first appearance */
	size_t *partrow;	/* a row of each placement */
	size_t nparts, partcap;
	struct pick *pk;	/* chosen, for one placement */
	struct buf key;
};

/* A product's category from the --catalog, if it has one. */
static const char *
catalog_category(const char *cid, size_t n, size_t *len)
{
	uint32_t c;

	if (!have_catalog ||
	    (c = catalog_find(&catalog, cid, n)) == INTERN_NONE)
		return NULL;
	return catalog_text(&catalog, c, 0, len);
}

static uint32_t
part_of(struct work *w, const char *s, size_t n, size_t row)
{
	for (size_t i = 0; i < w->nparts; i++)
		if (same(w->parts[i].s, w->parts[i].n, s, n))
			return (uint32_t)i;
	if (w->nparts == w->partcap) {
		w->partcap = w->partcap ? 2 * w->partcap : 8;
		w->parts = xreallocarray(w->parts, w->partcap, sizeof *w->parts);
		w->partrow = xreallocarray(w->partrow, w->partcap,
		    sizeof *w->partrow);
	}
	w->parts[w->nparts].s = s;
	w->parts[w->nparts].n = n;
	w->partrow[w->nparts] = row;
	return (uint32_t)w->nparts++;
}

static void
read_items(struct work *w, const struct group *g, const struct cols *k,
    int arm)
{
	const struct intern *tt = arm >= 0 && rule[arm].has_tiers ?
	    &rule[arm].tiers : o.fallback ? &tiers : NULL;

	if (g->n > w->itcap) {
		w->itcap = g->n;
		w->it = xreallocarray(w->it, w->itcap, sizeof *w->it);
	}
	w->nparts = 0;
	for (size_t i = 0; i < g->n; i++) {
		char *const *f = group_f(g, i);
		const size_t *len = group_len(g, i);
		struct item *t = &w->it[i];

		t->row = i;
		t->part = k->per >= 0 ? part_of(w, f[k->per], len[k->per], i) :
		    part_of(w, "", 0, i);
		t->score = group_num(g, i, k->score, -INFINITY);
		t->cid = f[k->cid];
		t->cidlen = len[k->cid];
		t->tier = 0;
		if (tt) {
			uint32_t tr = intern_find(tt, f[k->source],
			    len[k->source]);

			t->tier = tr == INTERN_NONE ? -1 : (int)tr;
		}
		t->keep = -1;
		t->pos = NAN;
		if (o.keep) {
			uint32_t kp = intern_find(&keeps, f[k->source],
			    len[k->source]);

			if (kp != INTERN_NONE) {
				t->keep = (int)kp;
				t->pos = group_num(g, i, k->position, NAN);
			}
		}
		t->catlen = 0;
		if (k->category >= 0 && len[k->category]) {
			t->cat = f[k->category];
			t->catlen = len[k->category];
		} else {
			t->cat = catalog_category(t->cid, t->cidlen, &t->catlen);
		}
	}
	qsort(w->it, g->n, sizeof *w->it, by_rank);
	if (o.keep)
		rank_keep_order(w->it, g->n, sizeof *w->it, keep_class,
		    by_position);
}

/* Chooses up to slots offers of one placement from its sorted items. */
static size_t
choose(struct work *w, const struct item *it, size_t n, size_t slots)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k < slots; i++) {
		if (it[i].tier < 0 || shown(w->pk, k, it[i].cid, it[i].cidlen) ||
		    !diverse(w->pk, k, it[i].cat, it[i].catlen))
			continue;
		w->pk[k] = (struct pick){ it[i].row, it[i].cid, it[i].cat,
		    it[i].cidlen, it[i].catlen };
		k++;
	}
	return k;
}

/* ---- output ---- */

enum { OWN_RANK, OWN_GROUP };

struct out {
	struct layout l;
	struct wr w;
	FILE *fp;
	int nown;
	char **v;
	size_t *len;
	/* --assignments */
	struct wr aw;
	FILE *afp;
	int acols;
	char *av[7];
	size_t alen[7];
};

static void
out_init(struct out *u, const struct rec *r)
{
	static const char *const own[] = { "rank", "group" };

	u->nown = arms.n ? 2 : 1;
	layout_init(&u->l, r->ncols, r->cols, u->nown, own);
	u->fp = out_open(o.out);
	o.widget.by = o.by;
	o.widget.per = o.per;
	o.widget.catalog = o.catalog;
	widget_open(&u->w, u->fp, o.json, u->l.nout, u->l.out, &o.widget);
	u->v = xcalloc((size_t)u->l.nout + 1, sizeof *u->v);
	u->len = xcalloc((size_t)u->l.nout + 1, sizeof *u->len);
	if (o.assign) {
		char *cols[7];
		int n = 0;

		cols[n++] = (char *)o.by;
		if (o.per)
			cols[n++] = (char *)o.per;
		cols[n++] = "group";
		cols[n++] = "candidate_id";
		cols[n++] = "source";
		cols[n++] = "rank";
		cols[n++] = "score";
		u->acols = n;
		u->afp = out_open(o.assign);
		wr_open(&u->aw, u->afp, o.json, n, cols);
	}
}

static void
out_free(struct out *u)
{
	wr_close(&u->w);
	if (o.assign) {
		wr_close(&u->aw);
		out_close(u->afp);
	}
	out_close(u->fp);
	layout_free(&u->l);
	free(u->v);
	free(u->len);
}

static void
set(struct out *u, int col, const char *s, size_t n)
{
	if (col < 0)
		return;
	u->v[col] = (char *)s;
	u->len[col] = n;
}

/* A list's offers on the output, unless the context is in control. */
static void
write_part(struct out *u, const struct group *g, struct work *w, size_t n,
    int arm)
{
	int control = arm >= 0 && arm == control_arm;
	char rb[24];

	if (control)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct pick *p = &w->pk[i];

		layout_fill(&u->l, group_f(g, p->row), group_len(g, p->row),
		    u->v, u->len);
		set(u, u->l.own_at[OWN_RANK], rb,
		    (size_t)snprintf(rb, sizeof rb, "%zu", i + 1));
		if (u->nown > 1)
			set(u, u->l.own_at[OWN_GROUP], arms.arm[arm],
			    strlen(arms.arm[arm]));
		wr_row(&u->w, u->v, u->len);
		counts.written++;
	}
}

/* A list in the assignments log, in any arm; an empty list is one row
 * without a candidate. */
static void
log_part(struct out *u, const struct group *g, const struct cols *k,
    struct work *w, size_t part, size_t n, int arm)
{
	char *const *f = group_f(g, w->partrow[part]);
	const size_t *len = group_len(g, w->partrow[part]);
	char rb[24];

	for (size_t i = 0; i < n || (i == 0 && n == 0); i++) {
		const struct pick *p = n ? &w->pk[i] : NULL;
		int a = 0;

		memset(u->av, 0, sizeof u->av);
		memset(u->alen, 0, sizeof u->alen);
		u->av[a] = f[k->by], u->alen[a++] = len[k->by];
		if (o.per)
			u->av[a] = f[k->per], u->alen[a++] = len[k->per];
		u->av[a] = arms.arm[arm];
		u->alen[a++] = strlen(arms.arm[arm]);
		if (!p) {
			wr_row(&u->aw, u->av, u->alen);
			continue;
		}
		u->av[a] = (char *)p->cid, u->alen[a++] = p->cidlen;
		if (k->source >= 0) {
			u->av[a] = group_f(g, p->row)[k->source];
			u->alen[a++] = group_len(g, p->row)[k->source];
		} else {
			a++;
		}
		u->alen[a] = (size_t)snprintf(rb, sizeof rb, "%zu", i + 1);
		u->av[a++] = rb;
		u->av[a] = group_f(g, p->row)[k->score];
		u->alen[a] = group_len(g, p->row)[k->score];
		wr_row(&u->aw, u->av, u->alen);
	}
}

static void
rank_group(struct out *u, const struct group *g, const struct cols *k,
    struct work *w)
{
	struct str ctx = { group_f(g, 0)[k->by], group_len(g, 0)[k->by] };
	int arm = -1;
	size_t from = 0, left = (size_t)o.top;
	int64_t budget = o.top;

	counts.contexts++;
	counts.rows += g->n;
	if (arms.n) {
		arm = exp_split_draw(&arms, (uint64_t)o.seed, ctx.s, ctx.n);
		counts.arm[arm]++;
		counts.control += arm == control_arm;
	}
	read_items(w, g, k, arm);
	/* The cap left: the context's, used up by its lists in order, or
	 * each list's own when the history counts per placement. */
	if (o.history && !hist.per) {
		budget = o.cap - contacts(&w->key, &ctx, NULL);
		left = budget > 0 ? (size_t)budget : 0;
	}
	for (size_t part = 0; part < w->nparts; part++) {
		size_t to = from, slots = (size_t)o.top, n;

		while (to < g->n && w->it[to].part == part)
			to++;
		/* a placement the arm does not show: nothing, no contact */
		if (arm >= 0 && rule[arm].has_places &&
		    intern_find(&rule[arm].places, w->parts[part].s,
		    w->parts[part].n) == INTERN_NONE) {
			from = to;
			continue;
		}
		if (o.history && hist.per) {
			budget = o.cap - contacts(&w->key, &ctx, &w->parts[part]);
			left = budget > 0 ? (size_t)budget : 0;
		}
		if (o.history && left < slots) {
			slots = left;
			counts.capped++;
		}
		n = choose(w, w->it + from, to - from, slots);
		left -= n < left ? n : left;
		write_part(u, g, w, n, arm);
		if (o.assign)
			log_part(u, g, k, w, part, n, arm);
		from = to;
	}
}

/* ---- options ---- */

/* A list of names in order, each once: sources, placements. */
static void
parse_list(struct intern *in, const char *opt, const char *s, const char *what)
{
	const char *p = s, *item;
	size_t n;

	intern_init(in);
	while (list_next(&p, s + strlen(s), &item, &n)) {
		uint32_t before = in->n;

		intern_put(in, item, n);
		if (in->n == before)
			die(XS_USAGE, "option %s: '%.*s' given twice", opt,
			    (int)n, item);
	}
	if (!in->n)
		die(XS_USAGE, "option %s: no %s named", opt, what);
}

/* --arm-fallback ARM=SRC,... and --arm-placements ARM=VAL,...: which = 0, 1. */
static void
parse_arm_rules(void)
{
	static const char *const name[2] = { "--arm-fallback", "--arm-placements" };

	for (int which = 0; which < 2; which++)
		for (int i = 0; i < narmopt[which]; i++) {
			const char *arg = armopt[which][i], *eq = strchr(arg, '=');
			char *arm;
			int a;

			if (!eq || eq == arg)
				die(XS_USAGE, "option %s: expected ARM=%s,...: \"%s\"",
				    name[which], which ? "VAL" : "SRC", arg);
			arm = xmemdup(arg, (size_t)(eq - arg));
			if ((a = exp_split_find(&arms, arm)) < 0)
				die(XS_USAGE, "option %s: '%s' is not an arm of --arms",
				    name[which], arm);
			if (which ? rule[a].has_places : rule[a].has_tiers)
				die(XS_USAGE, "option %s: arm '%s' given twice",
				    name[which], arm);
			if (which) {
				parse_list(&rule[a].places, name[which], eq + 1,
				    "placement");
				rule[a].has_places = 1;
			} else {
				parse_list(&rule[a].tiers, name[which], eq + 1,
				    "source");
				rule[a].has_tiers = 1;
			}
			free(arm);
		}
}

static void
arm_option(int which, const char *arg)
{
	armopt[which] = xreallocarray(armopt[which], (size_t)narmopt[which] + 1,
	    sizeof *armopt[which]);
	armopt[which][narmopt[which]++] = arg;
}

static void
parse_args(int argc, char **argv)
{
	enum { O_TOP = 256, O_BY, O_PER, O_FALLBACK, O_POPULAR, O_CATALOG,
	    O_MAXCAT, O_HOLDOUT, O_SEED, O_ASSIGN, O_HISTORY, O_CAP,
	    O_PERIOD, O_NOW, O_BUFFER, O_KEEP, O_ARMS, O_CONTROL, O_ARMFALLBACK,
	    O_ARMPLACES, O_GROUPJSON, O_WITH, O_PRECISION };
	static const struct option lo[] = {
		{ "top", required_argument, NULL, O_TOP },
		{ "by", required_argument, NULL, O_BY },
		{ "per", required_argument, NULL, O_PER },
		{ "fallback", required_argument, NULL, O_FALLBACK },
		{ "keep-order", required_argument, NULL, O_KEEP },
		{ "popular", required_argument, NULL, O_POPULAR },
		{ "catalog", required_argument, NULL, O_CATALOG },
		{ "max-per-category", required_argument, NULL, O_MAXCAT },
		{ "holdout", required_argument, NULL, O_HOLDOUT },
		{ "seed", required_argument, NULL, O_SEED },
		{ "assignments", required_argument, NULL, O_ASSIGN },
		{ "history", required_argument, NULL, O_HISTORY },
		{ "cap", required_argument, NULL, O_CAP },
		{ "period", required_argument, NULL, O_PERIOD },
		{ "now", required_argument, NULL, O_NOW },
		{ "buffer", no_argument, NULL, O_BUFFER },
		{ "arms", required_argument, NULL, O_ARMS },
		{ "control", required_argument, NULL, O_CONTROL },
		{ "arm-fallback", required_argument, NULL, O_ARMFALLBACK },
		{ "arm-placements", required_argument, NULL, O_ARMPLACES },
		{ "group-json", no_argument, NULL, O_GROUPJSON },
		{ "with", required_argument, NULL, O_WITH },
		{ "precision", required_argument, NULL, O_PRECISION },
		XS_CSV_LONGOPTS,
		XS_COMMON_LONGOPTS
	};
	int ch, has_cap = 0;
	const char *err;

	o.top = 5;
	o.by = "context_id";
	o.holdout = NAN;
	o.period = -1;
	o.widget.precision = -1;
	while ((ch = getopt_long(argc, argv, "jo:qvhV", lo, NULL)) != -1) {
		switch (ch) {
		case O_TOP: o.top = opt_int("--top", optarg, 1, MAXTOP); break;
		case O_BY: o.by = optarg; break;
		case O_PER: o.per = optarg; break;
		case O_FALLBACK: o.fallback = optarg; break;
		case O_KEEP: o.keep = optarg; break;
		case O_POPULAR:
			/* It filled slots with products that never passed
			 * xsell-qualify's eligibility, stock and ownership. */
			die(XS_USAGE, "option --popular is gone: best sellers are "
			    "a source of xsell-qualify (--popular FILE), ranked "
			    "with --fallback ...,popular");
		case O_CATALOG: o.catalog = optarg; break;
		case O_MAXCAT:
			o.maxcat = opt_int("--max-per-category", optarg, 1,
			    MAXTOP);
			break;
		case O_HOLDOUT:
			o.holdout = opt_num("--holdout", optarg, 0, 1);
			break;
		case O_SEED:
			o.seed = opt_int("--seed", optarg, 0, INT64_C(1) << 53);
			o.has_seed = 1;
			break;
		case O_ASSIGN: o.assign = optarg; break;
		case O_HISTORY: o.history = optarg; break;
		case O_CAP:
			o.cap = opt_int("--cap", optarg, 1, MAXTOP);
			has_cap = 1;
			break;
		case O_PERIOD:
			o.period = opt_word("--period", optarg, period_words);
			break;
		case O_NOW:
			if ((err = time_parse(optarg, strlen(optarg), &o.now)))
				die(XS_USAGE, "option --now: %s: \"%s\"", err,
				    optarg);
			o.has_now = 1;
			break;
		case O_BUFFER: o.buffer = 1; break;
		case O_ARMS:
			exp_split_free(&arms);
			exp_split_parse(&arms, "--arms", optarg);
			break;
		case O_CONTROL: o.control = optarg; break;
		case O_ARMFALLBACK: arm_option(0, optarg); break;
		case O_ARMPLACES: arm_option(1, optarg); break;
		case O_GROUPJSON: o.widget.group_json = 1; break;
		case O_WITH: o.widget.with = optarg; break;
		case O_PRECISION:
			o.widget.precision = (int)opt_int("--precision", optarg,
			    0, 15);
			break;
		case 'j': o.json = WR_JSONL; break;
		case XS_OPT_CSV: o.json = WR_CSV; break;
		case XS_OPT_CSV_SAFE: o.json = WR_CSV_SAFE; break;
		case 'o': o.out = optarg; break;
		case 'q': xs_quiet = 1; break;
		case 'v': xs_verbose = 1; break;
		case 'h':
			fputs(usage_text, stdout);
			fputs(help_text, stdout);
			exit(xs_finish(XS_OK));
		case 'V': xs_version();
		default: usage_die(usage_text);
		}
	}
	if (!isnan(o.holdout) && arms.n)
		die(XS_USAGE, "option --holdout is the two-arm form of --arms; "
		    "give one");
	if (!isnan(o.holdout) && !o.has_seed)
		die(XS_USAGE, "option --holdout needs --seed");
	if (arms.n && !o.has_seed)
		die(XS_USAGE, "option --arms needs --seed");
	if (isnan(o.holdout) && !arms.n && (o.has_seed || o.assign))
		die(XS_USAGE, "option %s needs --holdout or --arms",
		    o.has_seed ? "--seed" : "--assignments");
	if (!arms.n && (o.control || narmopt[0] || narmopt[1]))
		die(XS_USAGE, "option %s needs --arms", o.control ? "--control" :
		    narmopt[0] ? "--arm-fallback" : "--arm-placements");
	if (narmopt[1] && !o.per)
		die(XS_USAGE, "option --arm-placements needs --per");
	if (!isnan(o.holdout)) {
		arms.n = 2;
		arms.arm[0] = xstrdup("control");
		arms.arm[1] = xstrdup("treatment");
		arms.share[0] = o.holdout;
		arms.share[1] = 1 - o.holdout;
	}
	if (arms.n) {
		control_arm = exp_split_find(&arms, o.control ? o.control : "control");
		if (o.control && control_arm < 0)
			die(XS_USAGE, "option --control: '%s' is not an arm of --arms",
			    o.control);
		parse_arm_rules();
	}
	if (o.history && (!has_cap || o.period < 0))
		die(XS_USAGE, "option --history needs --cap and --period");
	if (!o.history && (has_cap || o.period >= 0 || o.has_now))
		die(XS_USAGE, "option %s needs --history", has_cap ? "--cap" :
		    o.period >= 0 ? "--period" : "--now");
	if (o.per && strcmp(o.per, o.by) == 0)
		die(XS_USAGE, "option --per: '%s' is the --by column", o.per);
	if (o.fallback)
		parse_list(&tiers, "--fallback", o.fallback, "source");
	if (o.keep)
		parse_list(&keeps, "--keep-order", o.keep, "source");
}

static void
find_cols(struct cols *k, const struct rec *r)
{
	k->by = rec_need(r, o.by);
	k->cid = rec_need(r, "candidate_id");
	k->score = rec_need(r, "score");
	k->source = o.fallback || o.keep || narmopt[0] ?
	    rec_need(r, "source") : rec_col(r, "source");
	k->position = o.keep ? rec_need(r, "position") : -1;
	k->per = o.per ? rec_need(r, o.per) : -1;
	k->category = rec_col(r, "category");
	if (o.maxcat && k->category < 0 && !have_catalog)
		die(XS_USAGE, "option --max-per-category needs a category "
		    "column or --catalog");
}

int
main(int argc, char **argv)
{
	static const char *const catcols[] = { "category" };
	struct rec r;
	struct group g;
	struct out u;
	struct cols k;
	struct work w;
	struct progress prog;

	xs_init(argv[0]);
	parse_args(argc, argv);
	if (o.catalog) {
		struct catalog_spec cs = { .key = "product_id", .ntxt = 1,
		    .txt = catcols };

		catalog_load(&catalog, o.catalog, &cs);
		have_catalog = 1;
	}
	if (o.history)
		load_history(o.history);
	memset(&r, 0, sizeof r);
	rec_open(&r, argc - optind, argv + optind);
	if (r.empty) {
		rec_close(&r);
		return xs_finish(XS_OK);
	}
	find_cols(&k, &r);
	if (!o.buffer && group_check(&r, k.by) == 0) {
		if (xs_verbose)
			note("input not grouped by %s: reading it all first",
			    r.cols[k.by]);
		o.buffer = 1;
	}
	group_init(&g, &r, k.by, o.buffer ? GROUP_BUFFER : GROUP_STREAM,
	    "--buffer");
	memset(&w, 0, sizeof w);
	w.pk = xcalloc((size_t)o.top + 1, sizeof *w.pk);
	buf_init(&w.key);
	out_init(&u, &r);
	progress_init(&prog, "rows");
	progress_input(&prog, &r);
	while (group_next(&g)) {
		rank_group(&u, &g, &k, &w);
		progress_tick(&prog, counts.rows);
	}
	progress_done(&prog);
	if (xs_verbose) {
		note("%llu rows in %llu contexts, %llu rows written",
		    (unsigned long long)counts.rows,
		    (unsigned long long)counts.contexts,
		    (unsigned long long)counts.written);
		if (!isnan(o.holdout))
			note("%llu contexts in control",
			    (unsigned long long)counts.control);
		else if (arms.n) {
			struct buf b;

			buf_init(&b);
			for (int a = 0; a < arms.n; a++)
				buf_printf(&b, "%s%s %llu", a ? ", " : "", arms.arm[a],
				    (unsigned long long)counts.arm[a]);
			note("contexts per arm: %s", buf_str(&b));
			buf_free(&b);
		}
		if (o.history)
			note("%llu lists cut short by the contact cap",
			    (unsigned long long)counts.capped);
	}
	out_free(&u);
	group_free(&g);
	rec_close(&r);
	free(w.it);
	free(w.parts);
	free(w.partrow);
	free(w.pk);
	buf_free(&w.key);
	if (have_catalog)
		catalog_free(&catalog);
	if (o.history) {
		intern_free(&hist.keys);
		free(hist.count);
	}
	if (o.fallback)
		intern_free(&tiers);
	for (int a = 0; a < arms.n; a++) {
		if (rule[a].has_tiers)
			intern_free(&rule[a].tiers);
		if (rule[a].has_places)
			intern_free(&rule[a].places);
	}
	exp_split_free(&arms);
	free(armopt[0]);
	free(armopt[1]);
	if (o.keep)
		intern_free(&keeps);
	return xs_finish(XS_OK);
}
