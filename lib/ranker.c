/* ranker.c: xsell-rank's engine (ranker.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "period.h"
#include "rankorder.h"
#include "ranker.h"
#include "buf.h"
#include "num.h"
#include "rec.h"
#include "writer.h"
#include "out.h"
#include "intern.h"

/* --history: contacts in the current period per context (and placement). */
struct hist {
	struct intern keys;
	uint32_t *count;
	int per;		/* counted per placement */
	int64_t start, now;
	uint32_t *id;		/* while reading: each contact's key and ts */
	int64_t *t;
};

struct cols {
	int by, cid, score, source, category, per, position;
};

/* One candidate row of the current context. */
struct item {
	uint32_t part;		/* placement, in order of first appearance */
	int tier;		/* place in --fallback, -1 not listed */
	long keep;		/* class in --keep-order (placement, kept
				 * source), -1 not listed */
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

enum { OWN_RANK, OWN_GROUP };

struct out {
	struct layout l;
	struct writer w;
	FILE *fp;
	int nown;
	char **v;
	size_t *len;
	/* --assignments */
	struct writer aw;
	FILE *afp;
	int acols;
	char *av[7];
	size_t alen[7];
};

struct ranker {
	const struct ranker_opts *o;
	/* --catalog: category of a product. */
	struct catalog catalog;
	int have_catalog;
	struct hist hist;
	struct widget_opts widget;
	struct cols k;
	struct group g;
	struct work w;
	struct out u;
	struct {
		uint64_t contexts, control, rows, written, capped;
		uint64_t arm[EXP_MAXARMS];
	} counts;
};

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
load_history(struct hist *hist, const struct ranker_opts *o)
{
	struct rec r;
	char *files[1] = { (char *)o->history };
	int ctx, ts, per = -1;
	int64_t latest = INT64_MIN;
	size_t n = 0, cap = 0;
	struct buf k;

	memset(&r, 0, sizeof r);
	intern_init(&hist->keys);
	buf_init(&k);
	rec_open(&r, 1, files);
	ctx = rec_col(&r, o->by);
	if (ctx < 0)
		ctx = rec_need(&r, "context_id");
	ts = rec_need(&r, "ts");
	if (o->per)
		per = rec_col(&r, o->per);
	hist->per = per >= 0;
	while (ctx >= 0 && rec_next(&r) != REC_END) {
		const char *err;

		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			hist->id = xreallocarray(hist->id, cap, sizeof *hist->id);
			hist->t = xreallocarray(hist->t, cap, sizeof *hist->t);
		}
		if ((err = time_parse(r.f[ts], r.len[ts], &hist->t[n])))
			die(XS_INPUT, "%s: column 'ts': %s: \"%.40s\"",
			    rec_where(&r), err, r.f[ts]);
		hist_key(&k, r.f[ctx], r.len[ctx], per >= 0 ? r.f[per] : NULL,
		    per >= 0 ? r.len[per] : 0);
		hist->id[n] = intern_put(&hist->keys, buf_str(&k), k.len);
		if (hist->t[n] > latest)
			latest = hist->t[n];
		n++;
	}
	/* An empty history has no latest ts: any period will do (nothing to
	 * count), but not one from INT64_MIN, which overflows. */
	hist->now = o->has_now ? o->now : n ? latest : 0;
	hist->start = period_start(o->period, hist->now);
	hist->count = xcalloc((size_t)hist->keys.n + 1, sizeof *hist->count);
	for (size_t i = 0; i < n; i++)
		if (hist->t[i] >= hist->start && hist->t[i] <= hist->now)
			hist->count[hist->id[i]]++;
	if (xs_verbose && n) {
		char a[NUM_BUF], b[NUM_BUF];

		time_fmt(hist->start, a);
		time_fmt(hist->now, b);
		note("history: %zu contacts, counting from %s to %s", n, a, b);
	}
	free(hist->id);
	free(hist->t);
	hist->id = NULL;
	hist->t = NULL;
	buf_free(&k);
	rec_close(&r);
}

static uint32_t
contacts(const struct hist *hist, struct buf *k, const struct str *ctx,
    const struct str *per)
{
	uint32_t id;

	hist_key(k, ctx->s, ctx->n, per ? per->s : NULL, per ? per->n : 0);
	id = intern_find(&hist->keys, buf_str(k), k->len);
	return id == INTERN_NONE ? 0 : hist->count[id];
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

	return x->keep;
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
diverse(int64_t maxcat, const struct pick *p, size_t n, const char *cat,
    size_t catlen)
{
	size_t k = 0;

	if (!maxcat || !cat)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (p[i].cat && same(p[i].cat, p[i].catlen, cat, catlen))
			k++;
	return k < (uint64_t)maxcat;
}

static int
shown(const struct pick *p, size_t n, const char *cid, size_t cidlen)
{
	for (size_t i = 0; i < n; i++)
		if (same(p[i].cid, p[i].cidlen, cid, cidlen))
			return 1;
	return 0;
}

/* A product's category from the --catalog, if it has one. */
static const char *
catalog_category(const struct ranker *R, const char *cid, size_t n,
    size_t *len)
{
	uint32_t c;

	if (!R->have_catalog ||
	    (c = catalog_find(&R->catalog, cid, n)) == INTERN_NONE)
		return NULL;
	return catalog_text(&R->catalog, c, 0, len);
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
read_items(struct ranker *R, const struct group *g, int arm)
{
	const struct ranker_opts *o = R->o;
	const struct cols *k = &R->k;
	struct work *w = &R->w;
	const struct intern *tt = arm >= 0 && o->rule[arm].has_tiers ?
	    &o->rule[arm].tiers : o->fallback ? &o->tiers : NULL;

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
		if (o->keep) {
			uint32_t kp = intern_find(&o->keeps, f[k->source],
			    len[k->source]);

			if (kp != INTERN_NONE) {
				t->keep = (long)t->part * (long)o->keeps.n +
				    (long)kp;
				t->pos = group_num(g, i, k->position, NAN);
			}
		}
		t->catlen = 0;
		if (k->category >= 0 && len[k->category]) {
			t->cat = f[k->category];
			t->catlen = len[k->category];
		} else {
			t->cat = catalog_category(R, t->cid, t->cidlen,
			    &t->catlen);
		}
	}
	qsort(w->it, g->n, sizeof *w->it, by_rank);
	if (o->keep)
		rank_keep_order(w->it, g->n, sizeof *w->it, keep_class,
		    by_position);
}

/* Chooses up to slots offers of one placement from its sorted items. */
static size_t
choose(const struct ranker *R, const struct item *it, size_t n, size_t slots)
{
	struct pick *pk = R->w.pk;
	size_t k = 0;

	for (size_t i = 0; i < n && k < slots; i++) {
		if (it[i].tier < 0 || shown(pk, k, it[i].cid, it[i].cidlen) ||
		    !diverse(R->o->maxcat, pk, k, it[i].cat, it[i].catlen))
			continue;
		pk[k] = (struct pick){ it[i].row, it[i].cid, it[i].cat,
		    it[i].cidlen, it[i].catlen };
		k++;
	}
	return k;
}

/* ---- output ---- */

static void
out_init(struct ranker *R, const struct rec *r)
{
	static const char *const own[] = { "rank", "group" };
	const struct ranker_opts *o = R->o;
	struct out *u = &R->u;

	u->nown = o->arms.n ? 2 : 1;
	layout_init(&u->l, r->ncols, r->cols, u->nown, own);
	u->fp = out_open(o->out);
	R->widget = o->widget;
	R->widget.by = o->by;
	R->widget.per = o->per;
	R->widget.catalog = o->catalog;
	widget_open(&u->w, u->fp, o->json, u->l.nout, u->l.out, &R->widget);
	u->v = xcalloc((size_t)u->l.nout + 1, sizeof *u->v);
	u->len = xcalloc((size_t)u->l.nout + 1, sizeof *u->len);
	if (o->assign) {
		char *cols[7];
		int n = 0;

		cols[n++] = (char *)o->by;
		if (o->per)
			cols[n++] = (char *)o->per;
		cols[n++] = "group";
		cols[n++] = "candidate_id";
		cols[n++] = "source";
		cols[n++] = "rank";
		cols[n++] = "score";
		u->acols = n;
		u->afp = out_open(o->assign);
		writer_open(&u->aw, u->afp, o->json, n, cols);
	}
}

static void
out_free(struct ranker *R)
{
	struct out *u = &R->u;

	writer_close(&u->w);
	if (R->o->assign) {
		writer_close(&u->aw);
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
write_part(struct ranker *R, const struct group *g, size_t n, int arm)
{
	const struct exp_split *arms = &R->o->arms;
	struct out *u = &R->u;
	int control = arm >= 0 && arm == R->o->control_arm;
	char rb[24];

	if (control)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct pick *p = &R->w.pk[i];

		layout_fill(&u->l, group_f(g, p->row), group_len(g, p->row),
		    u->v, u->len);
		set(u, u->l.own_at[OWN_RANK], rb,
		    (size_t)snprintf(rb, sizeof rb, "%zu", i + 1));
		if (u->nown > 1)
			set(u, u->l.own_at[OWN_GROUP], arms->arm[arm],
			    strlen(arms->arm[arm]));
		writer_row(&u->w, u->v, u->len);
		R->counts.written++;
	}
}

/* A list in the assignments log, in any arm; an empty list is one row
 * without a candidate. */
static void
log_part(struct ranker *R, const struct group *g, size_t part, size_t n,
    int arm)
{
	const struct exp_split *arms = &R->o->arms;
	const struct cols *k = &R->k;
	struct work *w = &R->w;
	struct out *u = &R->u;
	char *const *f = group_f(g, w->partrow[part]);
	const size_t *len = group_len(g, w->partrow[part]);
	char rb[24];

	for (size_t i = 0; i < n || (i == 0 && n == 0); i++) {
		const struct pick *p = n ? &w->pk[i] : NULL;
		int a = 0;

		memset(u->av, 0, sizeof u->av);
		memset(u->alen, 0, sizeof u->alen);
		u->av[a] = f[k->by], u->alen[a++] = len[k->by];
		if (R->o->per)
			u->av[a] = f[k->per], u->alen[a++] = len[k->per];
		u->av[a] = arms->arm[arm];
		u->alen[a++] = strlen(arms->arm[arm]);
		if (!p) {
			writer_row(&u->aw, u->av, u->alen);
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
		writer_row(&u->aw, u->av, u->alen);
	}
}

void
ranker_group(struct ranker *R, const struct group *g)
{
	const struct ranker_opts *o = R->o;
	const struct cols *k = &R->k;
	struct work *w = &R->w;
	struct str ctx = { group_f(g, 0)[k->by], group_len(g, 0)[k->by] };
	int arm = -1;
	size_t from = 0, left = (size_t)o->top;
	int64_t budget = o->top;

	R->counts.contexts++;
	R->counts.rows += g->n;
	if (o->arms.n) {
		arm = exp_split_draw(&o->arms, (uint64_t)o->seed, ctx.s, ctx.n);
		R->counts.arm[arm]++;
		R->counts.control += arm == o->control_arm;
	}
	read_items(R, g, arm);
	/* The cap left: the context's, used up by its lists in order, or
	 * each list's own when the history counts per placement. */
	if (o->history && !R->hist.per) {
		budget = o->cap - contacts(&R->hist, &w->key, &ctx, NULL);
		left = budget > 0 ? (size_t)budget : 0;
	}
	for (size_t part = 0; part < w->nparts; part++) {
		size_t to = from, slots = (size_t)o->top, n;

		while (to < g->n && w->it[to].part == part)
			to++;
		/* a placement the arm does not show: nothing, no contact */
		if (arm >= 0 && o->rule[arm].has_places &&
		    intern_find(&o->rule[arm].places, w->parts[part].s,
		    w->parts[part].n) == INTERN_NONE) {
			from = to;
			continue;
		}
		if (o->history && R->hist.per) {
			budget = o->cap - contacts(&R->hist, &w->key, &ctx,
			    &w->parts[part]);
			left = budget > 0 ? (size_t)budget : 0;
		}
		if (o->history && left < slots) {
			slots = left;
			R->counts.capped++;
		}
		n = choose(R, w->it + from, to - from, slots);
		left -= n < left ? n : left;
		write_part(R, g, n, arm);
		if (o->assign)
			log_part(R, g, part, n, arm);
		from = to;
	}
}

/* ---- the run ---- */

struct ranker *
ranker_new(const struct ranker_opts *o)
{
	static const char *const catcols[] = { "category" };
	struct ranker *R = xcalloc(1, sizeof *R);

	R->o = o;
	if (o->catalog) {
		struct catalog_spec cs = { .key = "product_id", .ntxt = 1,
		    .txt = catcols };

		catalog_load(&R->catalog, o->catalog, &cs);
		R->have_catalog = 1;
	}
	if (o->history)
		load_history(&R->hist, o);
	return R;
}

static void
find_cols(struct ranker *R, const struct rec *r)
{
	const struct ranker_opts *o = R->o;
	struct cols *k = &R->k;
	int arm_tiers = 0;

	for (int a = 0; a < o->arms.n; a++)
		arm_tiers |= o->rule[a].has_tiers;
	k->by = rec_need(r, o->by);
	k->cid = rec_need(r, "candidate_id");
	k->score = rec_need(r, "score");
	k->source = o->fallback || o->keep || arm_tiers ?
	    rec_need(r, "source") : rec_col(r, "source");
	k->position = o->keep ? rec_need(r, "position") : -1;
	k->per = o->per ? rec_need(r, o->per) : -1;
	k->category = rec_col(r, "category");
	if (o->maxcat && k->category < 0 && !R->have_catalog)
		die(XS_USAGE, "option --max-per-category needs a category "
		    "column or --catalog");
}

struct group *
ranker_open(struct ranker *R, struct rec *r)
{
	int buffer = R->o->buffer;

	find_cols(R, r);
	if (!buffer && group_check(r, R->k.by) == 0) {
		if (xs_verbose)
			note("input not grouped by %s: reading it all first",
			    r->cols[R->k.by]);
		buffer = 1;
	}
	group_init(&R->g, r, R->k.by, buffer ? GROUP_BUFFER : GROUP_STREAM,
	    "--buffer");
	R->w.pk = xcalloc((size_t)R->o->top + 1, sizeof *R->w.pk);
	buf_init(&R->w.key);
	out_init(R, r);
	return &R->g;
}

uint64_t
ranker_rows(const struct ranker *R)
{
	return R->counts.rows;
}

static void
verbose_counts(const struct ranker *R)
{
	const struct ranker_opts *o = R->o;

	note("%llu rows in %llu contexts, %llu rows written",
	    (unsigned long long)R->counts.rows,
	    (unsigned long long)R->counts.contexts,
	    (unsigned long long)R->counts.written);
	if (!isnan(o->holdout))
		note("%llu contexts in control",
		    (unsigned long long)R->counts.control);
	else if (o->arms.n) {
		struct buf b;

		buf_init(&b);
		for (int a = 0; a < o->arms.n; a++)
			buf_printf(&b, "%s%s %llu", a ? ", " : "", o->arms.arm[a],
			    (unsigned long long)R->counts.arm[a]);
		note("contexts per arm: %s", buf_str(&b));
		buf_free(&b);
	}
	if (o->history)
		note("%llu lists cut short by the contact cap",
		    (unsigned long long)R->counts.capped);
}

void
ranker_close(struct ranker *R)
{
	if (xs_verbose)
		verbose_counts(R);
	out_free(R);
}

void
ranker_free(struct ranker *R)
{
	group_free(&R->g);
	free(R->w.it);
	free(R->w.parts);
	free(R->w.partrow);
	free(R->w.pk);
	buf_free(&R->w.key);
	if (R->have_catalog)
		catalog_free(&R->catalog);
	if (R->o->history) {
		intern_free(&R->hist.keys);
		free(R->hist.count);
	}
	free(R);
}
