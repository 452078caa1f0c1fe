/*
 * experiment.c: the read-out of an experiment with any number of arms,
 * and its plan (experiment.h says what and how memory grows).
 *
 * One pass over the events sums them per context (and per context and
 * cell with a breakdown); then each cell's arms are summed and compared.
 * The arms are kept in the order of the planned split, then in order of
 * first appearance, the control arm last; the comparisons are each arm
 * against control, then every two other arms (the later against the
 * earlier).
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "experiment.h"
#include "catalog.h"
#include "siphash.h"
#include "report.h"
#include "stats.h"
#include "xsell.h"
#include "buf.h"
#include "num.h"
#include "rec.h"
#include "writer.h"
#include "progress.h"
#include "intern.h"

#define MIXED 255	/* a context with events in two arms */

/* Smaller cells are flagged: the normal approximations behind the
 * intervals want a few dozen contexts and a few events of each kind. */
#define SMALL_N 30
#define SMALL_X 5

/* A context's sums over its events. */
struct ctxsum {
	double rev, margin, cov;
	unsigned char arm;	/* 0 none yet, else arm id + 1, or MIXED */
	unsigned char conv, hascov;
};

/* With a breakdown: a context's sums within one cell. */
struct unitsum {
	uint32_t ctx, cell;
	double rev, margin;
	unsigned char conv;
};

/* One arm in one cell. */
struct armsum {
	double n, conv;
	struct st_moments rev, margin, aov;
	struct st_comoments xconv, xrev, xmargin;	/* (covariate, outcome) */
};

enum { M_RATE, M_REV, M_MARGIN, M_AOV, M_INCREV, M_INCMARGIN, NMETRIC };
static const char *const metric_name[NMETRIC] = {
	"conversion_rate", "revenue_per_context", "margin_per_context", "aov",
	"incremental_revenue", "incremental_margin"
};

/* One metric of one comparison. */
struct result {
	double av, bv;		/* the arm's and the baseline's value */
	struct st_interval d;	/* arm - baseline */
	struct st_interval lift;	/* arm / baseline - 1 */
	struct st_interval seq;	/* always-valid interval of d */
	struct st_interval cuped;	/* d adjusted by the covariate */
	double reduction;	/* CUPED's share of variance removed */
	double p_holm, seq_holm;
};

struct cell {
	char *name;		/* NULL: the total */
	size_t namelen;
	struct armsum *a;	/* per arm, in output order */
	struct result *r;	/* comparison k, metric m: r[k * NMETRIC + m] */
	int small;
};

struct experiment {
	const struct exp_opts *o;
	const struct exp_show *sh;
	const char *file;	/* as named in messages */
	/* arms: ids in order of registration; pos[id] the output place */
	int narms;
	char *arm[EXP_MAXARMS];
	size_t armlen[EXP_MAXARMS];
	int pos[EXP_MAXARMS], ord[EXP_MAXARMS], control;	/* control: a place */
	int ncmp;
	int cmp[EXP_MAXARMS * EXP_MAXARMS / 2][2];	/* places: arm, baseline */
	/* contexts */
	struct intern ctx;
	struct ctxsum *cx;
	size_t cxcap;
	/* breakdown */
	struct intern cellids, units;
	struct unitsum *ux;
	size_t uxcap;
	struct catalog catalog;
	int have_catalog;
	/* results */
	struct cell *cell;	/* [0] the total, then the cells by name */
	size_t ncell;
	int have_margin, have_cov;
	double mixed;
	int srm;		/* the split was tested */
	double srm_p, srm_chi, planned[EXP_MAXARMS];	/* by place */
	/* Said after the verdict, which needs them all: the sample ratio's
	 * line, and the guardrails' (one a line), with the metrics each arm
	 * lowers (a bit per metric, by place). */
	struct buf srm_text, guard_text;
	unsigned lowers[EXP_MAXARMS];
};

/* ---- output for people and for pipes ---- */

static char *
cellnum(double v, char *buf)
{
	if (isnan(v) || isinf(v)) {
		buf[0] = '\0';
		return buf;
	}
	num_fmt(v, buf);
	return buf;
}

/* A number for pipes: NaN and infinities are missing, as cellnum has
 * them. */
static void
writer_cell(struct writer *w, double v)
{
	if (isnan(v) || isinf(v))
		writer_str(w, "", 0);
	else
		writer_num(w, v);
}

static void say(const struct exp_show *sh, const char *fmt, ...) XS_PRINTF(2, 3);

static void
say(const struct exp_show *sh, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_vparaf(sh->report ? sh->out : NULL, sh->html, fmt, ap);
	va_end(ap);
}

static void
heading(const struct exp_show *sh, const char *s)
{
	report_heading(sh->report ? sh->out : NULL, sh->html, s);
}

static void
show_table(const struct exp_show *sh, struct rtable *t)
{
	if (sh->report)
		rtable_text(t, sh->out);
	if (sh->html)
		rtable_html(t, sh->html);
	rtable_free(t);
}

static void
show_chart(const struct exp_show *sh, struct rchart *c)
{
	if (sh->report && c->kind != CHART_LINES)
		rchart_text(c, sh->out);
	if (sh->html)
		rchart_svg(c, sh->html);
	rchart_free(c);
}

static void flag(struct experiment *e, int kind, double key, const char *fmt,
    ...) XS_PRINTF(4, 5);

static void
flag(struct experiment *e, int kind, double key, const char *fmt, ...)
{
	char d[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d, sizeof d, fmt, ap);
	va_end(ap);
	if (e->o->flag)
		e->o->flag(e->o->flag_arg, kind, key, d);
}

/* ---- the planned split ---- */

void
exp_split_parse(struct exp_split *s, const char *opt, const char *arg)
{
	const char *p = arg, *item, *eq;
	size_t n;
	double sum = 0;

	memset(s, 0, sizeof *s);
	while (list_next(&p, arg + strlen(arg), &item, &n)) {
		char *name, *num;

		if (!(eq = memchr(item, '=', n)) || eq == item)
			die(XS_USAGE, "option %s: expected NAME=SHARE: \"%.*s\"", opt,
			    (int)n, item);
		if (s->n == EXP_MAXARMS)
			die(XS_USAGE, "option %s: more than %d arms", opt, EXP_MAXARMS);
		name = xmemdup(item, (size_t)(eq - item));
		if (exp_split_find(s, name) >= 0)
			die(XS_USAGE, "option %s: arm '%s' given twice", opt, name);
		num = xmemdup(eq + 1, (size_t)(item + n - eq - 1));
		s->share[s->n] = opt_num(opt, num, 0, 1);
		if (s->share[s->n] == 0)
			die(XS_USAGE, "option %s: arm '%s' has no share", opt, name);
		free(num);
		sum += s->share[s->n];
		s->arm[s->n++] = name;
	}
	if (s->n < 2)
		die(XS_USAGE, "option %s: an experiment needs two arms or more: \"%s\"",
		    opt, arg);
	if (fabs(sum - 1) > 1e-6) {
		char b[NUM_BUF];

		num_fmt(sum, b);
		die(XS_USAGE, "option %s: the shares add up to %s, not 1", opt, b);
	}
}

void
exp_split_free(struct exp_split *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->arm[i]);
	s->n = 0;
}

int
exp_split_find(const struct exp_split *s, const char *arm)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->arm[i], arm) == 0)
			return i;
	return -1;
}

int
exp_split_draw(const struct exp_split *s, uint64_t seed, const void *key,
    size_t n)
{
	double u = keyed_unit(seed, key, n), cum = 0;

	for (int i = 0; i + 1 < s->n; i++) {
		cum += s->share[i];
		if (u < cum)
			return i;
	}
	return s->n - 1;
}

/* ---- reading ---- */

static int
arm_add(struct experiment *e, const char *s, size_t n)
{
	if (e->narms == EXP_MAXARMS)
		return -1;
	e->arm[e->narms] = xmemdup(s, n);
	e->armlen[e->narms] = n;
	return e->narms++;
}

static int
arm_find(const struct experiment *e, const char *s, size_t n)
{
	for (int i = 0; i < e->narms; i++)
		if (e->armlen[i] == n && memcmp(e->arm[i], s, n) == 0)
			return i;
	return -1;
}


static double
num_of(const struct rec *r, int col)
{
	return col < 0 ? 0 : rec_num(r, col, 0);
}

/* The cell of the current row with a breakdown. */
static uint32_t
cell_of(struct experiment *e, const struct rec *r, int ccell, int ccand)
{
	const char *s = "";
	size_t n = 0;

	if (ccell >= 0) {
		s = r->f[ccell];
		n = r->len[ccell];
	} else if (e->have_catalog) {	/* category from the catalog */
		uint32_t row = catalog_find(&e->catalog, r->f[ccand], r->len[ccand]);
		const char *v = row == INTERN_NONE ? NULL :
		    catalog_text(&e->catalog, row, 0, &n);

		if (v)
			s = v;
	}
	return intern_put(&e->cellids, s, n);
}

static struct unitsum *
unit_of(struct experiment *e, uint32_t ctx, uint32_t cell)
{
	uint32_t key[2] = { ctx, cell }, u;

	u = intern_put(&e->units, (const char *)key, sizeof key);
	if (u >= e->uxcap) {
		size_t n = e->uxcap ? 2 * e->uxcap : 4096;

		e->ux = xreallocarray(e->ux, n, sizeof *e->ux);
		memset(e->ux + e->uxcap, 0, (n - e->uxcap) * sizeof *e->ux);
		e->uxcap = n;
	}
	e->ux[u].ctx = ctx;
	e->ux[u].cell = cell;
	return &e->ux[u];
}

static void
read_events(struct experiment *e)
{
	const struct exp_opts *o = e->o;
	struct rec r = { 0 };
	char *files[1] = { (char *)o->events };
	int cctx, ccand, cgrp, cconv, crev, cmar, ccov = -1, ccell = -1;
	uint32_t last = INTERN_NONE;
	int lastarm = -1;
	struct progress pr;
	uint64_t nev = 0;
	double magr = 0, magm = 0;

	rec_open(&r, 1, files);
	rec_background(&r);
	cctx = rec_need(&r, "context_id");
	ccand = rec_need(&r, "candidate_id");
	cgrp = rec_need(&r, "group");
	cconv = rec_col(&r, "converted");
	crev = rec_col(&r, "revenue");
	cmar = rec_col(&r, "margin");
	e->have_margin = cmar >= 0;
	if (o->covariate) {
		ccov = rec_need(&r, o->covariate);
		e->have_cov = 1;
	}
	switch (o->by) {
	case EXP_BY_CHANNEL: ccell = rec_need(&r, "channel"); break;
	case EXP_BY_SUBJECT: ccell = rec_need(&r, "subject_id"); break;
	case EXP_BY_CATEGORY:
		ccell = rec_col(&r, "category");
		if (ccell < 0 && !e->have_catalog && !r.empty)
			die(XS_INPUT, "%s: --by category needs a category column or "
			    "--catalog", e->file);
		break;
	}
	progress_init(&pr, "events");
	progress_input(&pr, &r);
	while (rec_next(&r) == REC_ROW) {
		uint32_t id;
		struct ctxsum *c;
		int a, conv;
		double rev, mar;

		progress_tick(&pr, ++nev);
		/* events of one context usually come together */
		if (last != INTERN_NONE && intern_len(&e->ctx, last) == r.len[cctx] &&
		    memcmp(intern_str(&e->ctx, last), r.f[cctx], r.len[cctx]) == 0)
			id = last;
		else
			id = last = intern_put(&e->ctx, r.f[cctx], r.len[cctx]);
		if (id >= e->cxcap) {
			size_t n = e->cxcap ? 2 * e->cxcap : 4096;

			e->cx = xreallocarray(e->cx, n, sizeof *e->cx);
			memset(e->cx + e->cxcap, 0, (n - e->cxcap) * sizeof *e->cx);
			e->cxcap = n;
		}
		if (lastarm >= 0 && e->armlen[lastarm] == r.len[cgrp] &&
		    memcmp(e->arm[lastarm], r.f[cgrp], r.len[cgrp]) == 0)
			a = lastarm;
		else if ((a = arm_find(e, r.f[cgrp], r.len[cgrp])) < 0) {
			if (r.len[cgrp] == 0)
				die(XS_INPUT, "%s: column 'group': missing", rec_where(&r));
			if ((a = arm_add(e, r.f[cgrp], r.len[cgrp])) < 0)
				die(XS_INPUT, "%s: column 'group': more than %d arms: "
				    "\"%s\"", rec_where(&r), EXP_MAXARMS, r.f[cgrp]);
		}
		lastarm = a;
		c = &e->cx[id];
		if (c->arm == 0)
			c->arm = (unsigned char)(a + 1);
		else if (c->arm != a + 1)
			c->arm = MIXED;
		conv = exp_converted(&r, cconv);
		rev = num_of(&r, crev);
		mar = num_of(&r, cmar);
		c->conv |= (unsigned char)conv;
		c->rev += rev;
		c->margin += mar;
		magr += fabs(rev);
		magm += fabs(mar);
		/* Squared, they bound the variances of the contexts' sums. */
		if (!isfinite(magr * magr) || !isfinite(magm * magm))
			num_overflow(rec_where(&r), isfinite(magr * magr) ?
			    "margin" : "revenue");
		if (ccov >= 0 && !c->hascov && r.len[ccov]) {
			c->cov = rec_num(&r, ccov, 0);
			c->hascov = 1;
		}
		if (o->by != EXP_BY_NONE) {
			struct unitsum *u = unit_of(e, id, cell_of(e, &r, ccell, ccand));

			u->conv |= (unsigned char)conv;
			u->rev += rev;
			u->margin += mar;
		}
	}
	progress_done(&pr);
	rec_close(&r);
}

/* ---- summing and comparing ---- */

static void
armsum_init(struct armsum *a)
{
	memset(a, 0, sizeof *a);
	st_moments_init(&a->rev);
	st_moments_init(&a->margin);
	st_moments_init(&a->aov);
	st_comoments_init(&a->xconv);
	st_comoments_init(&a->xrev);
	st_comoments_init(&a->xmargin);
}

static void
armsum_add(const struct experiment *e, struct armsum *a, int conv, double rev,
    double margin, double cov)
{
	a->n++;
	a->conv += conv;
	st_moments_add(&a->rev, rev);
	st_moments_add(&a->margin, margin);
	if (conv)
		st_moments_add(&a->aov, rev);
	if (e->have_cov) {
		st_comoments_add(&a->xconv, cov, conv);
		st_comoments_add(&a->xrev, cov, rev);
		st_comoments_add(&a->xmargin, cov, margin);
	}
}

/* Arms in output order (control last) and the comparisons. */
static void
order_arms(struct experiment *e)
{
	int c = arm_find(e, e->o->control, strlen(e->o->control)), k = 0;

	for (int i = 0; i < e->narms; i++)
		if (i != c)
			e->ord[k++] = i;
	if (c >= 0)
		e->ord[k++] = c;
	for (int p = 0; p < k; p++)
		e->pos[e->ord[p]] = p;
	e->control = c >= 0 ? e->pos[c] : -1;
	e->ncmp = 0;
	for (int p = 0; p < k; p++)
		if (p != e->control) {
			e->cmp[e->ncmp][0] = p;
			e->cmp[e->ncmp++][1] = e->control;
		}
	for (int p = 0; p < k; p++)
		for (int q = p + 1; q < k; q++)
			if (p != e->control && q != e->control) {
				e->cmp[e->ncmp][0] = q;
				e->cmp[e->ncmp++][1] = p;
			}
}

static struct cell *
cell_new(struct experiment *e, struct cell *c, const char *name, size_t len)
{
	c->name = name ? xmemdup(name, len) : NULL;
	c->namelen = len;
	c->a = xreallocarray(NULL, (size_t)e->narms, sizeof *c->a);
	for (int i = 0; i < e->narms; i++)
		armsum_init(&c->a[i]);
	c->r = xcalloc((size_t)e->ncmp * NMETRIC + 1, sizeof *c->r);
	c->small = 0;
	return c;
}

static int
by_cell_name(const void *pa, const void *pb)
{
	const struct cell *a = pa, *b = pb;
	size_t n = a->namelen < b->namelen ? a->namelen : b->namelen;
	int c = memcmp(a->name, b->name, n);

	return c ? c : (a->namelen > b->namelen) - (a->namelen < b->namelen);
}

static void
sum_cells(struct experiment *e)
{
	size_t ncells = e->o->by != EXP_BY_NONE ? e->cellids.n : 0;
	struct cell *byid;

	e->cell = xreallocarray(NULL, ncells + 1, sizeof *e->cell);
	cell_new(e, &e->cell[0], NULL, 0);
	for (uint32_t i = 0; i < e->ctx.n; i++) {
		const struct ctxsum *c = &e->cx[i];

		if (c->arm == MIXED) {
			e->mixed++;
			flag(e, EXP_FLAG_BOTH_ARMS, i, "context %s has events in both "
			    "arms; left out", intern_str(&e->ctx, i));
			continue;
		}
		armsum_add(e, &e->cell[0].a[e->pos[c->arm - 1]], c->conv, c->rev,
		    c->margin, c->cov);
	}
	e->ncell = 1;
	if (!ncells)
		return;
	byid = e->cell + 1;
	for (uint32_t k = 0; k < ncells; k++)
		cell_new(e, &byid[k], intern_str(&e->cellids, k),
		    intern_len(&e->cellids, k));
	for (uint32_t u = 0; u < e->units.n; u++) {
		const struct unitsum *x = &e->ux[u];
		const struct ctxsum *c = &e->cx[x->ctx];

		if (c->arm == MIXED)
			continue;
		armsum_add(e, &byid[x->cell].a[e->pos[c->arm - 1]], x->conv, x->rev,
		    x->margin, c->cov);
	}
	qsort(byid, ncells, sizeof *byid, by_cell_name);
	e->ncell = ncells + 1;
	for (size_t k = 1; k < e->ncell; k++)
		for (int i = 0; i < e->narms; i++) {
			const struct armsum *a = &e->cell[k].a[i];

			if (a->n < SMALL_N || a->conv < SMALL_X || a->n - a->conv < SMALL_X)
				e->cell[k].small = 1;
		}
}

/* Means: Welch's difference, the ratio's lift by the delta method. */
static void
compare_means(const struct st_moments *a, const struct st_moments *b,
    double conf, struct result *r)
{
	r->av = st_moments_mean(a);
	r->bv = st_moments_mean(b);
	st_welch(a, b, conf, &r->d, NULL);
	st_ratio(r->av, sqrt(st_moments_var(a) / a->n), r->bv,
	    sqrt(st_moments_var(b) / b->n), conf, &r->lift);
	r->lift.est -= 1;
	r->lift.lo -= 1;
	r->lift.hi -= 1;
}

static void
scale(struct st_interval *o, const struct st_interval *i, double k)
{
	*o = *i;
	o->est *= k;
	o->lo *= k;
	o->hi *= k;
	o->se *= k;
}

static void
nan_interval(struct st_interval *o)
{
	o->est = o->lo = o->hi = o->se = o->p = NAN;
}

static void
compare(const struct experiment *e, struct cell *c, int k)
{
	const struct exp_opts *o = e->o;
	const struct armsum *a = &c->a[e->cmp[k][0]], *b = &c->a[e->cmp[k][1]];
	struct result *r = &c->r[k * NMETRIC];
	double conf = o->conf;

	for (int m = 0; m < NMETRIC; m++) {
		nan_interval(&r[m].lift);
		nan_interval(&r[m].seq);
		nan_interval(&r[m].cuped);
		r[m].reduction = NAN;
	}
	r[M_RATE].av = a->n > 0 ? a->conv / a->n : NAN;
	r[M_RATE].bv = b->n > 0 ? b->conv / b->n : NAN;
	st_prop_diff(a->conv, a->n, b->conv, b->n, conf, &r[M_RATE].d, NULL);
	st_lift(a->conv, a->n, b->conv, b->n, conf, &r[M_RATE].lift);
	compare_means(&a->rev, &b->rev, conf, &r[M_REV]);
	compare_means(&a->margin, &b->margin, conf, &r[M_MARGIN]);
	compare_means(&a->aov, &b->aov, conf, &r[M_AOV]);
	if (o->sequential)
		for (int m = M_RATE; m <= M_AOV; m++) {
			double n = m == M_AOV ? a->aov.n + b->aov.n : a->n + b->n;

			st_msprt(r[m].d.est, r[m].d.se, st_msprt_tau2(r[m].d.se, n,
			    o->horizon, conf), conf, &r[m].seq);
		}
	if (e->have_cov) {
		st_cuped(&a->xconv, &b->xconv, conf, &r[M_RATE].cuped, NULL,
		    &r[M_RATE].reduction);
		st_cuped(&a->xrev, &b->xrev, conf, &r[M_REV].cuped, NULL,
		    &r[M_REV].reduction);
		st_cuped(&a->xmargin, &b->xmargin, conf, &r[M_MARGIN].cuped, NULL,
		    &r[M_MARGIN].reduction);
	}
	/* incremental: the per-context difference times the arm's contexts */
	for (int m = M_INCREV; m <= M_INCMARGIN; m++) {
		const struct result *f = &r[m == M_INCREV ? M_REV : M_MARGIN];

		r[m].av = r[m].bv = NAN;
		scale(&r[m].d, &f->d, a->n);
		scale(&r[m].seq, &f->seq, a->n);
		scale(&r[m].cuped, &f->cuped, a->n);
		r[m].reduction = f->reduction;
	}
}

/* Holm across the comparisons of a cell, metric by metric. */
static void
holm(const struct experiment *e, struct cell *c)
{
	double p[EXP_MAXARMS * EXP_MAXARMS / 2], adj[EXP_MAXARMS * EXP_MAXARMS / 2];

	for (int m = M_RATE; m <= M_AOV; m++) {
		for (int k = 0; k < e->ncmp; k++)
			p[k] = c->r[k * NMETRIC + m].d.p;
		st_holm(p, (size_t)e->ncmp, adj);
		for (int k = 0; k < e->ncmp; k++)
			c->r[k * NMETRIC + m].p_holm = adj[k];
		for (int k = 0; k < e->ncmp; k++)
			p[k] = c->r[k * NMETRIC + m].seq.p;
		st_holm(p, (size_t)e->ncmp, adj);
		for (int k = 0; k < e->ncmp; k++)
			c->r[k * NMETRIC + m].seq_holm = adj[k];
	}
	for (int k = 0; k < e->ncmp; k++) {
		struct result *r = &c->r[k * NMETRIC];

		r[M_INCREV].p_holm = r[M_REV].p_holm;
		r[M_INCREV].seq_holm = r[M_REV].seq_holm;
		r[M_INCMARGIN].p_holm = r[M_MARGIN].p_holm;
		r[M_INCMARGIN].seq_holm = r[M_MARGIN].seq_holm;
	}
}

/* ---- sample ratio ---- */

static void
shares_text(const struct experiment *e, const double *v, struct buf *b)
{
	char s[32];

	buf_reset(b);
	for (int p = 0; p < e->narms; p++)
		buf_printf(b, "%s%s %s", p ? ", " : "", e->arm[e->ord[p]],
		    fmt_pct(v[p], s, sizeof s));
}

static void
sample_ratio(struct experiment *e)
{
	const struct exp_opts *o = e->o;
	const struct armsum *a = e->cell[0].a;
	double obs[EXP_MAXARMS], share[EXP_MAXARMS], n = 0;

	for (int p = 0; p < e->narms; p++) {
		n += a[p].n;
		e->planned[p] = NAN;
	}
	if (o->split) {
		struct buf ob, pb;

		for (int p = 0; p < e->narms; p++) {
			int s = exp_split_find(o->split, e->arm[e->ord[p]]);

			obs[p] = a[p].n;
			share[p] = e->planned[p] = s >= 0 ? o->split->share[s] : 0;
		}
		e->srm_p = st_chisq_gof(obs, share, e->narms, &e->srm_chi);
		for (int p = 0; p < e->narms; p++)
			obs[p] = a[p].n / n;
		buf_init(&ob);
		buf_init(&pb);
		shares_text(e, obs, &ob);
		shares_text(e, e->planned, &pb);
		buf_printf(&e->srm_text, "sample ratio: shares %s against --split "
		    "%s: chi-square %.3f, p = %.3g%s", buf_str(&ob), buf_str(&pb), e->srm_chi,
		    e->srm_p, e->srm_p < 0.001 ? " (mismatch: check the assignment "
		    "before trusting the read-out)" : "");
		if (e->srm_p < 0.001) {
			flag(e, EXP_FLAG_SRM, 0, "shares %s, expected %s; chi-square %.3f, "
			    "p = %.3g", buf_str(&ob), buf_str(&pb), e->srm_chi, e->srm_p);
			warning("sample ratio mismatch: shares %s, expected %s (p = %.3g)",
			    buf_str(&ob), buf_str(&pb), e->srm_p);
		}
		buf_free(&ob);
		buf_free(&pb);
	} else {
		/* --holdout: control against all the other arms together */
		double c = a[e->control].n, s[2] = { 1 - o->holdout, o->holdout };
		char es[32], os[32];

		obs[0] = n - c;
		obs[1] = c;
		e->srm_p = st_chisq_gof(obs, s, 2, &e->srm_chi);
		e->planned[e->control] = o->holdout;
		if (e->narms == 2)
			e->planned[e->control == 0] = 1 - o->holdout;
		buf_printf(&e->srm_text, "sample ratio: control share %s against "
		    "--holdout %s: chi-square %.3f, p = %.3g%s", fmt_pct(c / n, os, sizeof os),
		    fmt_pct(o->holdout, es, sizeof es), e->srm_chi, e->srm_p,
		    e->srm_p < 0.001 ? " (mismatch: check the assignment before "
		    "trusting the read-out)" : "");
		if (e->srm_p < 0.001) {
			flag(e, EXP_FLAG_SRM, 0, "control share %s, expected %s; "
			    "chi-square %.3f, p = %.3g", os, es, e->srm_chi, e->srm_p);
			warning("sample ratio mismatch: control share %s, expected %s "
			    "(p = %.3g)", os, es, e->srm_p);
		}
	}
	e->srm = 1;
}

/* ---- guardrails ---- */

static void
guardrails(struct experiment *e)
{
	const struct exp_opts *o = e->o;
	const struct cell *c = &e->cell[0];

	for (int k = 0; k < e->ncmp; k++) {
		if (e->cmp[k][1] != e->control)
			continue;
		for (int m = M_RATE; m <= M_MARGIN; m += M_MARGIN - M_RATE) {
			const struct result *r = &c->r[k * NMETRIC + m];
			double p = o->sequential ? r->seq_holm : r->p_holm;
			const char *arm = e->arm[e->ord[e->cmp[k][0]]];
			char d[32], lo[32], hi[32], ps[32];

			if (m == M_MARGIN && !e->have_margin)
				continue;
			if (!(r->d.est < 0) || !(p < o->alpha))
				continue;
			fmt_num(r->d.est, 4, d, sizeof d);
			fmt_num(o->sequential ? r->seq.lo : r->d.lo, 4, lo, sizeof lo);
			fmt_num(o->sequential ? r->seq.hi : r->d.hi, 4, hi, sizeof hi);
			fmt_num(p, 3, ps, sizeof ps);
			flag(e, EXP_FLAG_GUARDRAIL, k, "arm %s lowers %s against %s: %s "
			    "(%s to %s), %sp_holm %s < %g", arm, metric_name[m],
			    o->control, d, lo, hi, o->sequential ? "sequential " : "", ps,
			    o->alpha);
			warning("guardrail: arm %s lowers %s against %s: %s (%s to %s), "
			    "%sp_holm %s < %g", arm, metric_name[m], o->control, d, lo, hi,
			    o->sequential ? "sequential " : "", ps, o->alpha);
			/* the report and page say it too; stderr has it already */
			buf_printf(&e->guard_text, "guardrail: arm %s lowers %s against "
			    "%s (%sp_holm %s)\n", arm, metric_name[m], o->control,
			    o->sequential ? "sequential " : "", ps);
			e->lowers[e->cmp[k][0]] |= 1u << m;
		}
	}
}

/* The read-out's first line: stop an arm, check the assignment, or go
 * on; then the guardrails and the sample ratio that make it. */
static void
verdict(struct experiment *e)
{
	const struct exp_show *sh = e->sh;
	struct buf b;
	int level = 0;

	if (!sh->report && !sh->html) {
		/* stderr has had the guardrails as warnings */
		if (e->srm_text.len)
			say(sh, "%s", buf_str(&e->srm_text));
		return;
	}
	buf_init(&b);
	for (int p = 0; p < e->narms; p++) {
		int n = 0;

		if (!e->lowers[p])
			continue;
		buf_puts(&b, level ? "; arm " : "stop: arm ");
		buf_puts(&b, e->arm[e->ord[p]]);
		buf_puts(&b, " lowers ");
		for (int m = 0; m < NMETRIC; m++)
			if (e->lowers[p] >> m & 1)
				buf_printf(&b, "%s%s", n++ ? " and " : "",
				    metric_name[m]);
		buf_printf(&b, " against %s", e->o->control);
		level = 2;
	}
	if (!level && e->srm && e->srm_p < 0.001) {
		buf_printf(&b, "check the assignment first: the arms' shares are "
		    "not the planned ones (p = %.3g)", e->srm_p);
		level = 2;
	} else if (!level) {
		buf_printf(&b, "no guardrail fired: no arm lowers %s against %s "
		    "(alpha %g)", e->have_margin ? "conversion or margin" :
		    "conversion", e->o->control, e->o->alpha);
	}
	report_verdict(sh->report ? sh->out : NULL, sh->html, level,
	    buf_str(&b));
	buf_free(&b);
	for (const char *l = buf_str(&e->guard_text), *nl; *l; l = nl + 1) {
		nl = strchr(l, '\n');
		say(sh, "%.*s", (int)(nl - l), l);
	}
	if (e->srm_text.len)
		say(sh, "%s", buf_str(&e->srm_text));
}

/* ---- the two-arm table: today's layout, one column per arm ---- */

struct wide {
	struct writer w;
	struct rtable t;
	int ncols;
	const struct exp_show *sh;
	int seq, cov;
};

static void
wide_row(struct wide *x, const char *metric, double av, double bv,
    const struct st_interval *iv, const struct result *r, int sig)
{
	char p[16][32];
	double v[16];
	const char *q[16];
	struct st_interval none = { NAN, NAN, NAN, NAN, NAN };
	const struct st_interval *seq = r ? &r->seq : &none;
	const struct st_interval *cup = r ? &r->cuped : &none;
	int k = 7;

	if (!iv)
		iv = &none;
	v[1] = av;
	v[2] = bv;
	v[3] = iv->est;
	v[4] = iv->lo;
	v[5] = iv->hi;
	v[6] = iv->p;
	q[0] = metric;
	q[1] = fmt_num(av, sig, p[1], 32);
	q[2] = fmt_num(bv, sig, p[2], 32);
	q[3] = fmt_num(iv->est, 4, p[3], 32);
	q[4] = fmt_num(iv->lo, 4, p[4], 32);
	q[5] = fmt_num(iv->hi, 4, p[5], 32);
	q[6] = fmt_num(iv->p, 3, p[6], 32);
	if (x->seq) {
		double s[3] = { seq->lo, seq->hi, seq->p };

		for (int i = 0; i < 3; i++, k++) {
			v[k] = s[i];
			q[k] = fmt_num(s[i], i == 2 ? 3 : 4, p[k], 32);
		}
	}
	if (x->cov) {
		double s[5] = { cup->est, cup->lo, cup->hi, cup->p,
			r ? r->reduction : NAN };

		for (int i = 0; i < 5; i++, k++) {
			v[k] = s[i];
			q[k] = fmt_num(s[i], i == 3 ? 3 : 4, p[k], 32);
		}
	}
	if (!x->sh->report) {
		writer_begin(&x->w);
		writer_str(&x->w, metric, strlen(metric));
		for (int i = 1; i < k; i++)
			writer_cell(&x->w, v[i]);
		writer_end(&x->w);
	}
	rtable_row(&x->t, q);
}

static void
write_wide(struct experiment *e, struct rtable *t)
{
	const struct exp_show *sh = e->sh;
	const char *cols[16] = { "metric", e->arm[e->ord[0]], e->arm[e->ord[1]],
		"estimate", "low", "high", "p_value" };
	static const char *const seqcols[] = { "seq_low", "seq_high", "seq_p" };
	static const char *const covcols[] = { "cuped_estimate", "cuped_low",
		"cuped_high", "cuped_p", "variance_reduction" };
	const struct armsum *a = e->cell[0].a;
	const struct result *r = e->cell[0].r;
	struct st_interval srm;
	struct wide x;

	memset(&x, 0, sizeof x);
	x.sh = sh;
	x.ncols = 7;
	x.seq = e->o->sequential;
	x.cov = e->have_cov;
	if (x.seq)
		for (int i = 0; i < 3; i++)
			cols[x.ncols++] = seqcols[i];
	if (x.cov)
		for (int i = 0; i < 5; i++)
			cols[x.ncols++] = covcols[i];
	if (!sh->report) {
		writer_open(&x.w, sh->out, sh->json, x.ncols, (char *const *)cols);
		for (int i = 1; i < x.ncols; i++)
			writer_type(&x.w, i, WRITER_NUM);
	}
	rtable_init(&x.t, "Experiment read-out (95% intervals; p-values two-sided)",
	    x.ncols, cols);
	for (int i = 1; i < x.ncols; i++)
		rtable_numeric(&x.t, i);
	srm.est = a[1].n / (a[0].n + a[1].n);
	srm.lo = srm.hi = srm.se = NAN;
	srm.p = e->srm_p;
	wide_row(&x, "contexts", a[0].n, a[1].n, e->srm ? &srm : NULL, NULL, 15);
	wide_row(&x, "conversions", a[0].conv, a[1].conv, NULL, NULL, 15);
	wide_row(&x, "conversion_rate", r[M_RATE].av, r[M_RATE].bv, &r[M_RATE].d,
	    &r[M_RATE], 4);
	wide_row(&x, "relative_lift", NAN, NAN, &r[M_RATE].lift, NULL, 4);
	wide_row(&x, "revenue_per_context", r[M_REV].av, r[M_REV].bv, &r[M_REV].d,
	    &r[M_REV], 4);
	if (e->have_margin)
		wide_row(&x, "margin_per_context", r[M_MARGIN].av, r[M_MARGIN].bv,
		    &r[M_MARGIN].d, &r[M_MARGIN], 4);
	wide_row(&x, "incremental_revenue", NAN, NAN, &r[M_INCREV].d, &r[M_INCREV], 4);
	if (e->have_margin)
		wide_row(&x, "incremental_margin", NAN, NAN, &r[M_INCMARGIN].d,
		    &r[M_INCMARGIN], 4);
	wide_row(&x, "aov", r[M_AOV].av, r[M_AOV].bv, &r[M_AOV].d, &r[M_AOV], 4);
	if (!sh->report)
		writer_close(&x.w);
	*t = x.t;
}

/* ---- any number of arms: one row per arm and metric, one per
 * comparison and metric ---- */

static const char *const by_word[] = { "", "channel", "category", "subject" };

/* For people the comparisons come in tables of a few columns each, so
 * that each fits the page: the difference, the lift, and the sequential
 * and CUPED columns when asked for (the values are the Arms table's). */
enum { G_DIFF, G_LIFT, G_SEQ, G_CUPED, NGROUP };

struct longt {
	struct writer w;
	struct rtable arms, cmps[NGROUP];
	const struct exp_show *sh;
	int by, seq, cov, ncols;
};

enum {
	L_ARM, L_BASE, L_METRIC, L_AV, L_BV, L_EST, L_LO, L_HI, L_P, L_HOLM,
	L_LIFT, L_LIFTLO, L_LIFTHI, L_SEQLO, L_SEQHI, L_SEQP, L_CEST, L_CLO,
	L_CHI, L_CP, L_RED, NL
};

static const char *const long_cols[NL] = {
	"arm", "baseline", "metric", "arm_value", "baseline_value", "estimate",
	"low", "high", "p_value", "p_holm", "lift", "lift_low", "lift_high",
	"seq_low", "seq_high", "seq_p", "cuped_estimate", "cuped_low",
	"cuped_high", "cuped_p", "variance_reduction"
};

/* Their short headings, for a narrow terminal. */
static const char *const long_brief[NL] = {
	[L_EST] = "diff", [L_LIFTLO] = "low", [L_LIFTHI] = "high",
	[L_SEQLO] = "low", [L_SEQHI] = "high", [L_SEQP] = "p",
	[L_CEST] = "diff", [L_CLO] = "low", [L_CHI] = "high", [L_CP] = "p",
	[L_RED] = "var_cut",
};

static const int group_lo[NGROUP] = { L_EST, L_LIFT, L_SEQLO, L_CEST };
static const int group_hi[NGROUP] = { L_HOLM, L_LIFTHI, L_SEQP, L_RED };

/* Whether a column is written: the sequential and CUPED ones on request. */
static int
long_has(const struct longt *x, int c)
{
	if (c >= L_SEQLO && c <= L_SEQP)
		return x->seq;
	if (c >= L_CEST && c <= L_RED)
		return x->cov;
	return 1;
}

static void
long_open(struct longt *x, const struct experiment *e)
{
	const char *cols[NL + 3];
	int n = 0, na = 0, numeric[NL], nnum = 0;
	const char *acols[8];

	memset(x, 0, sizeof *x);
	x->sh = e->sh;
	x->by = e->o->by;
	x->seq = e->o->sequential;
	x->cov = e->have_cov;
	if (x->by) {
		cols[n++] = "level";
		cols[n++] = by_word[x->by];
		acols[na++] = by_word[x->by];
	}
	for (int c = 0; c < NL; c++)
		if (long_has(x, c)) {
			/* from arm_value on, the long columns are numbers */
			if (c >= 3)
				numeric[nnum++] = n;
			cols[n++] = long_cols[c];
		}
	if (x->by)
		cols[n++] = "small";
	x->ncols = n;
	if (!x->sh->report) {
		writer_open(&x->w, x->sh->out, x->sh->json, n, (char *const *)cols);
		for (int i = 0; i < nnum; i++)
			writer_type(&x->w, numeric[i], WRITER_NUM);
	}
	/* for people: arms and comparisons apart, the columns each needs */
	acols[na++] = "arm";
	acols[na++] = "metric";
	acols[na++] = "value";
	acols[na++] = "low";
	acols[na++] = "high";
	acols[na++] = "planned";
	rtable_init(&x->arms, "Arms (95% intervals: Wilson for rates, t for means)",
	    na, acols);
	for (int i = x->by ? 3 : 2; i < na; i++)
		rtable_numeric(&x->arms, i);
	for (int g = 0; g < NGROUP; g++) {
		static const char *const title[NGROUP] = {
			("Comparisons: arm against baseline (95% intervals; "
			"p-values two-sided, Holm-adjusted across the comparisons)"),
			"Relative lift: arm over baseline (95% delta-method intervals)",
			"Sequential: always-valid 95% intervals (mixture SPRT)",
			"CUPED: adjusted by the covariate (95% intervals)",
		};
		const char *gc[12];
		int k = 0, p = 0;

		if (!long_has(x, group_lo[g]))
			continue;
		if (x->by)
			gc[k++] = by_word[x->by];
		gc[k++] = "arm";
		gc[k++] = "baseline";
		gc[k++] = "metric";
		p = k;
		for (int c = group_lo[g]; c <= group_hi[g]; c++)
			gc[k++] = long_cols[c];
		rtable_init(&x->cmps[g], title[g], k, gc);
		/* a narrow terminal shortens the metric's name and the
		 * headings, not a number */
		rtable_cut(&x->cmps[g], p - 1);
		rtable_brief(&x->cmps[g], p - 2, "vs");
		for (int i = p; i < k; i++) {
			rtable_numeric(&x->cmps[g], i);
			if (long_brief[group_lo[g] + i - p])
				rtable_brief(&x->cmps[g], i,
				    long_brief[group_lo[g] + i - p]);
		}
	}
}

/* A comparison's row q (the written columns) into each group's table. */
static void
cmp_rows(struct longt *x, const char *const *q)
{
	int at[NL], j = x->by ? 1 : 0;

	for (int c = 0; c < NL; c++)
		at[c] = long_has(x, c) ? j++ : -1;
	for (int g = 0; g < NGROUP; g++) {
		const char *a[12];
		int k = 0;

		if (!long_has(x, group_lo[g]))
			continue;
		if (x->by)
			a[k++] = q[0];
		a[k++] = q[at[L_ARM]];
		a[k++] = q[at[L_BASE]];
		a[k++] = q[at[L_METRIC]];
		for (int c = group_lo[g]; c <= group_hi[g]; c++)
			a[k++] = q[at[c]];
		rtable_row(&x->cmps[g], a);
	}
}

/* One row: v[NL] numbers (NaN is empty) after the text columns. */
static void
long_row(struct longt *x, const struct cell *c, const char *arm,
    const char *base, const char *metric, const double *v, int sig)
{
	char p[NL + 3][32];
	const char *q[NL + 3];
	int j = 0, out = !x->sh->report;

	if (out)
		writer_begin(&x->w);
	if (x->by && out) {
		const char *s = c->name ? "cell" : "total";

		writer_str(&x->w, s, strlen(s));
		writer_str(&x->w, c->name ? c->name : "", c->name ? strlen(c->name) : 0);
	}
	if (x->by)
		q[j++] = c->name ? (*c->name ? c->name : "(none)") : "(all)";
	for (int col = 0; col < NL; col++) {
		if (!long_has(x, col))
			continue;
		if (col == L_ARM || col == L_BASE || col == L_METRIC) {
			const char *s = col == L_ARM ? arm : col == L_BASE ? base : metric;

			if (out)
				writer_str(&x->w, s, strlen(s));
			q[j++] = s;
			continue;
		}
		if (out)
			writer_cell(&x->w, v[col]);
		q[j] = fmt_num(v[col], col == L_AV || col == L_BV ? sig :
		    col == L_P || col == L_HOLM || col == L_SEQP || col == L_CP ? 3 : 4,
		    p[j], 32);
		j++;
	}
	if (x->by && out)
		writer_str(&x->w, "1", c->small ? 1 : 0);
	if (out)
		writer_end(&x->w);
	if (base[0] == '\0') {	/* an arm's own row; contexts add a share */
		const char *a[8];
		int i = 0, b;

		if (x->by)
			a[i++] = q[0];
		a[i++] = arm;
		b = i;
		a[i++] = metric;
		a[i++] = fmt_num(v[L_AV], sig, p[NL], 32);
		a[i++] = fmt_num(v[L_LO], 4, p[NL + 1], 32);
		a[i++] = fmt_num(v[L_HI], 4, p[NL + 2], 32);
		a[i++] = "";
		rtable_row(&x->arms, a);
		if (strcmp(metric, "contexts") == 0) {
			a[b] = "share";
			a[b + 1] = fmt_num(v[L_EST], 4, p[NL], 32);
			a[b + 4] = isnan(v[L_BV]) ? "" : fmt_num(v[L_BV], 4, p[0], 32);
			rtable_row(&x->arms, a);
		}
	} else
		cmp_rows(x, q);
}

static void
values_nan(double *v)
{
	for (int i = 0; i < NL; i++)
		v[i] = NAN;
}

static void
long_arm_rows(struct longt *x, const struct experiment *e, const struct cell *c)
{
	double total = 0, v[NL];

	for (int p = 0; p < e->narms; p++)
		total += c->a[p].n;
	for (int p = 0; p < e->narms; p++) {
		const struct armsum *a = &c->a[p];
		const char *arm = e->arm[e->ord[p]];
		struct st_interval iv;
		const struct st_moments *mm[3] = { &a->rev, &a->margin, &a->aov };
		static const int mi[3] = { M_REV, M_MARGIN, M_AOV };

		values_nan(v);
		v[L_AV] = a->n;
		v[L_EST] = total > 0 ? a->n / total : NAN;
		if (!c->name && e->srm) {
			v[L_BV] = e->planned[p];
			v[L_P] = e->srm_p;
		}
		long_row(x, c, arm, "", "contexts", v, 15);
		values_nan(v);
		v[L_AV] = v[L_EST] = a->conv;
		long_row(x, c, arm, "", "conversions", v, 15);
		values_nan(v);
		st_wilson(a->conv, a->n, e->o->conf, &iv);
		v[L_AV] = v[L_EST] = iv.est;
		v[L_LO] = iv.lo;
		v[L_HI] = iv.hi;
		long_row(x, c, arm, "", metric_name[M_RATE], v, 4);
		for (int i = 0; i < 3; i++) {
			if (mi[i] == M_MARGIN && !e->have_margin)
				continue;
			values_nan(v);
			st_mean_interval(mm[i], e->o->conf, &iv);
			v[L_AV] = v[L_EST] = iv.est;
			v[L_LO] = iv.lo;
			v[L_HI] = iv.hi;
			long_row(x, c, arm, "", metric_name[mi[i]], v, 4);
		}
	}
}

static void
long_cmp_rows(struct longt *x, const struct experiment *e, const struct cell *c)
{
	static const int order[] = { M_RATE, M_REV, M_MARGIN, M_AOV, M_INCREV,
		M_INCMARGIN };
	double v[NL];

	for (int k = 0; k < e->ncmp; k++)
		for (int i = 0; i < NMETRIC; i++) {
			int m = order[i];
			const struct result *r = &c->r[k * NMETRIC + m];

			if ((m == M_MARGIN || m == M_INCMARGIN) && !e->have_margin)
				continue;
			values_nan(v);
			v[L_AV] = r->av;
			v[L_BV] = r->bv;
			v[L_EST] = r->d.est;
			v[L_LO] = r->d.lo;
			v[L_HI] = r->d.hi;
			v[L_P] = r->d.p;
			v[L_HOLM] = r->p_holm;
			v[L_LIFT] = r->lift.est;
			v[L_LIFTLO] = r->lift.lo;
			v[L_LIFTHI] = r->lift.hi;
			v[L_SEQLO] = r->seq.lo;
			v[L_SEQHI] = r->seq.hi;
			v[L_SEQP] = r->seq.p;
			v[L_CEST] = r->cuped.est;
			v[L_CLO] = r->cuped.lo;
			v[L_CHI] = r->cuped.hi;
			v[L_CP] = r->cuped.p;
			v[L_RED] = r->reduction;
			long_row(x, c, e->arm[e->ord[e->cmp[k][0]]],
			    e->arm[e->ord[e->cmp[k][1]]], metric_name[m], v, 4);
		}
}

static void
write_long(struct experiment *e, struct longt *x)
{
	long_open(x, e);
	for (size_t k = 0; k < e->ncell; k++) {
		long_arm_rows(x, e, &e->cell[k]);
		long_cmp_rows(x, e, &e->cell[k]);
	}
	if (!e->sh->report)
		writer_close(&x->w);
}

/* ---- charts: arms side by side, and differences, each on one scale ---- */

static void
cmp_label(const struct experiment *e, int k, const char *what, const char *tail,
    struct buf *b)
{
	buf_reset(b);
	buf_printf(b, "%s%s%s - %s%s", what ? what : "", what ? ": " : "",
	    e->arm[e->ord[e->cmp[k][0]]], e->arm[e->ord[e->cmp[k][1]]],
	    tail ? tail : "");
}

static void
charts(struct experiment *e)
{
	const struct cell *c = &e->cell[0];
	struct rchart ch;
	struct buf b;
	static const char *const mword[] = { "revenue", "margin" };

	buf_init(&b);
	rchart_init(&ch, CHART_INTERVALS, "Conversion rate by arm (%), 95% Wilson "
	    "intervals");
	rchart_unit(&ch, "%");	/* one unit a chart: % here, pp below */
	for (int p = 0; p < e->narms; p++) {
		struct st_interval w;

		st_wilson(c->a[p].conv, c->a[p].n, e->o->conf, &w);
		rchart_interval(&ch, e->arm[e->ord[p]], 100 * w.est, 100 * w.lo,
		    100 * w.hi);
	}
	show_chart(e->sh, &ch);
	rchart_init(&ch, CHART_INTERVALS, "Conversion: rate difference (pp), arm "
	    "minus baseline, 95% intervals");
	rchart_unit(&ch, " pp");
	for (int k = 0; k < e->ncmp; k++) {
		const struct result *r = &c->r[k * NMETRIC + M_RATE];

		cmp_label(e, k, NULL, NULL, &b);
		rchart_interval(&ch, buf_str(&b), 100 * r->d.est, 100 * r->d.lo,
		    100 * r->d.hi);
		if (e->o->sequential) {
			cmp_label(e, k, NULL, " (always valid)", &b);
			rchart_interval(&ch, buf_str(&b), 100 * r->seq.est,
			    100 * r->seq.lo, 100 * r->seq.hi);
		}
		if (e->have_cov) {
			cmp_label(e, k, NULL, " (CUPED)", &b);
			rchart_interval(&ch, buf_str(&b), 100 * r->cuped.est,
			    100 * r->cuped.lo, 100 * r->cuped.hi);
		}
	}
	show_chart(e->sh, &ch);
	rchart_init(&ch, CHART_INTERVALS, "Conversion: relative lift (%), arm over "
	    "baseline, 95% delta-method intervals");
	rchart_unit(&ch, "%");
	for (int k = 0; k < e->ncmp; k++) {
		const struct result *r = &c->r[k * NMETRIC + M_RATE];

		cmp_label(e, k, NULL, NULL, &b);
		rchart_interval(&ch, buf_str(&b), 100 * r->lift.est, 100 * r->lift.lo,
		    100 * r->lift.hi);
	}
	show_chart(e->sh, &ch);
	rchart_init(&ch, CHART_INTERVALS, "Revenue and margin per context by arm, "
	    "95% t intervals");
	for (int i = 0; i < 1 + e->have_margin; i++)
		for (int p = 0; p < e->narms; p++) {
			struct st_interval iv;

			st_mean_interval(i ? &c->a[p].margin : &c->a[p].rev, e->o->conf,
			    &iv);
			buf_reset(&b);
			buf_printf(&b, "%s: %s", mword[i], e->arm[e->ord[p]]);
			rchart_interval(&ch, buf_str(&b), iv.est, iv.lo, iv.hi);
		}
	show_chart(e->sh, &ch);
	rchart_init(&ch, CHART_INTERVALS, "Revenue and margin per context: arm "
	    "minus baseline, 95% Welch intervals");
	for (int i = 0; i < 1 + e->have_margin; i++)
		for (int k = 0; k < e->ncmp; k++) {
			const struct result *r = &c->r[k * NMETRIC + (i ? M_MARGIN : M_REV)];

			cmp_label(e, k, mword[i], NULL, &b);
			rchart_interval(&ch, buf_str(&b), r->d.est, r->d.lo, r->d.hi);
		}
	show_chart(e->sh, &ch);
	if (e->ncell > 1) {
		buf_reset(&b);
		buf_printf(&b, "Conversion rate difference (pp) against %s by %s, 95%% "
		    "intervals", e->o->control, by_word[e->o->by]);
		rchart_init(&ch, CHART_INTERVALS, buf_str(&b));
		rchart_unit(&ch, " pp");
		for (size_t j = 1; j < e->ncell; j++)
			for (int k = 0; k < e->ncmp; k++) {
				const struct result *r = &e->cell[j].r[k * NMETRIC + M_RATE];

				if (e->cmp[k][1] != e->control)
					continue;
				buf_reset(&b);
				buf_printf(&b, "%s: %s%s", *e->cell[j].name ?
				    e->cell[j].name : "(none)",
				    e->arm[e->ord[e->cmp[k][0]]],
				    e->cell[j].small ? " (small)" : "");
				rchart_interval(&ch, buf_str(&b), 100 * r->d.est,
				    100 * r->d.lo, 100 * r->d.hi);
			}
		show_chart(e->sh, &ch);
	}
	buf_free(&b);
}

/* ---- the read-out ---- */

static void
small_cells(struct experiment *e)
{
	struct buf b;
	size_t n = 0;

	buf_init(&b);
	for (size_t k = 1; k < e->ncell; k++) {
		if (!e->cell[k].small)
			continue;
		if (n < 10)
			buf_printf(&b, "%s%s", n ? ", " : "", *e->cell[k].name ?
			    e->cell[k].name : "(none)");
		n++;
	}
	if (n > 10)
		buf_printf(&b, " and %zu more", n - 10);
	if (n)
		say(e->sh, "%zu %s of %s too small to read (an arm with fewer than "
		    "%d contexts, or %d conversions or non-conversions): %s", n,
		    n == 1 ? "cell" : "cells", by_word[e->o->by], SMALL_N, SMALL_X,
		    buf_str(&b));
	buf_free(&b);
}

/* Refuses a read-out without two arms to compare; warns of planned arms
 * that never showed. */
static void
check_arms(struct experiment *e)
{
	double n[EXP_MAXARMS] = { 0 }, other = 0;
	int c = arm_find(e, e->o->control, strlen(e->o->control));

	for (uint32_t i = 0; i < e->ctx.n; i++)
		if (e->cx[i].arm != MIXED)
			n[e->cx[i].arm - 1]++;
	for (int a = 0; a < e->narms; a++)
		if (a != c)
			other += n[a];
	if (other == 0)
		die(XS_INPUT, "%s: no treatment contexts: an experiment needs both arms",
		    e->file);
	if (c < 0 || n[c] == 0)
		die(XS_INPUT, "%s: no %s contexts: an experiment needs both arms",
		    e->file, e->o->control);
	for (int a = 0; a < e->narms; a++)
		if (n[a] == 0)
			warning("%s: arm %s of the split has no contexts", e->file, e->arm[a]);
}

void
exp_readout(const struct exp_opts *o, const struct exp_show *sh)
{
	struct experiment e;
	struct rtable wide;
	struct longt lt;
	int is_wide;

	memset(&e, 0, sizeof e);
	e.o = o;
	e.sh = sh;
	e.file = strcmp(o->events, "-") ? o->events : "<stdin>";
	intern_init(&e.ctx);
	intern_init(&e.cellids);
	intern_init(&e.units);
	if (o->split)
		for (int i = 0; i < o->split->n; i++)
			arm_add(&e, o->split->arm[i], strlen(o->split->arm[i]));
	if (o->by == EXP_BY_CATEGORY && o->catalog) {
		static const char *const cat[] = { "category" };
		static const struct catalog_spec cs = { .key = "product_id",
		    .ntxt = 1, .txt = cat };

		catalog_load(&e.catalog, o->catalog, &cs);
		e.have_catalog = 1;
	}
	read_events(&e);
	check_arms(&e);
	order_arms(&e);
	is_wide = e.narms == 2 && o->by == EXP_BY_NONE;
	if (sh->html)
		html_begin(sh->html, "xsell-audit: experiment");
	{
		struct buf b;

		buf_init(&b);
		if (is_wide)
			buf_printf(&b, "Experiment: %s against %s", e.arm[e.ord[0]],
			    o->control);
		else
			buf_printf(&b, "Experiment: %d arms against %s", e.narms,
			    o->control);
		heading(sh, buf_str(&b));
		buf_free(&b);
	}
	sum_cells(&e);
	if (o->split || !isnan(o->holdout))
		sample_ratio(&e);
	for (size_t k = 0; k < e.ncell; k++) {
		for (int j = 0; j < e.ncmp; j++)
			compare(&e, &e.cell[k], j);
		holm(&e, &e.cell[k]);
	}
	guardrails(&e);
	verdict(&e);
	if (e.mixed)
		say(sh, "%.0f contexts have events in both arms and are left out",
		    e.mixed);
	if (!e.srm && is_wide)
		say(sh, "sample ratio not tested: give --holdout F, the planned "
		    "control share");
	else if (!e.srm)
		say(sh, "sample ratio not tested: give --split ARM=F,..., the planned "
		    "shares, or --holdout F");
	if (o->sequential) {
		char h[NUM_BUF];

		num_fmt(o->horizon, h);
		say(sh, "sequential: always-valid 95%% intervals (mixture SPRT, tuned "
		    "to %s contexts a comparison)", h);
	}
	if (e.have_cov) {
		const struct result *r = e.cell[0].r;
		char a[32], b2[32];

		for (int k = 0; k < e.ncmp; k++)
			say(sh, "cuped: %s - %s: variance of the estimate reduced by %s "
			    "(conversion), %s (revenue)", e.arm[e.ord[e.cmp[k][0]]],
			    e.arm[e.ord[e.cmp[k][1]]],
			    fmt_pct(r[k * NMETRIC + M_RATE].reduction, a, sizeof a),
			    fmt_pct(r[k * NMETRIC + M_REV].reduction, b2, sizeof b2));
	}
	small_cells(&e);
	if (is_wide)
		write_wide(&e, &wide);
	else
		write_long(&e, &lt);
	charts(&e);
	if (is_wide)
		show_table(sh, &wide);
	else {
		show_table(sh, &lt.arms);
		for (int g = 0; g < NGROUP; g++)
			if (long_has(&lt, group_lo[g]))
				show_table(sh, &lt.cmps[g]);
	}
	for (size_t k = 0; k < e.ncell; k++) {
		free(e.cell[k].name);
		free(e.cell[k].a);
		free(e.cell[k].r);
	}
	free(e.cell);
	for (int i = 0; i < e.narms; i++)
		free(e.arm[i]);
	free(e.cx);
	free(e.ux);
	intern_free(&e.ctx);
	intern_free(&e.cellids);
	intern_free(&e.units);
	buf_free(&e.srm_text);
	buf_free(&e.guard_text);
	if (e.have_catalog)
		catalog_free(&e.catalog);
}

/* ---- planning ---- */

void
exp_plan(const struct exp_plan *p, const struct exp_show *sh)
{
	static const char *const cols[] = { "arm", "share", "rate", "contexts",
		"days" };
	int k = p->split ? p->split->n : p->arms, m = k * (k - 1) / 2, c;
	double pc = p->baseline, pt, need = 0;
	double alpha = p->alpha / m, total, days;
	char name[EXP_MAXARMS][24];
	const char *arm[EXP_MAXARMS];
	double share[EXP_MAXARMS];
	int ord[EXP_MAXARMS];
	struct writer w;
	struct rtable t;
	char a[32], b[32], d[32];

	/* the target rate as written by hand: 0.05 x 1.1 is 0.055, not
	 * 0.05500000000000001 */
	snprintf(a, sizeof a, "%.12g", pc * (1 + p->mde));
	pt = strtod(a, NULL);
	if (!(pt > 0 && pt < 1) || pt == pc)
		die(XS_USAGE, "option --mde: a rate of %g x (1 + %g) = %g is not "
		    "between 0 and 1 or not a change", pc, p->mde, pt);
	if (p->split) {
		if ((c = exp_split_find(p->split, p->control)) < 0)
			die(XS_USAGE, "option --split: no share for the control arm '%s'",
			    p->control);
		for (int i = 0; i < k; i++) {
			arm[i] = p->split->arm[i];
			share[i] = p->split->share[i];
		}
	} else {
		c = k - 1;
		for (int i = 0; i < k; i++) {
			snprintf(name[i], sizeof name[i], "arm%d", i + 1);
			arm[i] = i == c ? p->control : name[i];
			share[i] = 1.0 / k;
		}
	}
	for (int i = 0; i < k; i++) {
		double n;

		if (i == c)
			continue;
		n = st_plan_total(pt, pc, share[i], share[c], alpha, p->power);
		if (n > need)
			need = n;
	}
	total = ceil(need - 1e-9);
	days = ceil(total / p->traffic - 1e-9);
	if (!sh->report) {
		writer_open(&w, sh->out, sh->json, 5, (char *const *)cols);
		for (int i = 1; i < 5; i++)
			writer_type(&w, i, WRITER_NUM);
	}
	rtable_init(&t, "Experiment plan", 5, cols);
	for (int i = 1; i < 5; i++)
		rtable_numeric(&t, i);
	/* the arms in order, control last, then the total */
	for (int i = 0, o = 0; i < k; i++)
		if (i != c)
			ord[o++] = i;
	ord[k - 1] = c;
	for (int i = 0; i <= k; i++) {
		int all = i == k, j = all ? c : ord[i];
		char v[5][NUM_BUF], pv[3][32];
		const char *q[5];
		const char *name = all ? "total" : arm[j];

		if (!sh->report) {
			writer_begin(&w);
			writer_str(&w, name, strlen(name));
			writer_cell(&w, all ? 1 : share[j]);
			writer_cell(&w, all ? NAN : j == c ? pc : pt);
			writer_cell(&w, all ? total : ceil(need * share[j] - 1e-9));
			writer_cell(&w, days);
			writer_end(&w);
		}
		q[0] = name;
		q[1] = all ? "" : fmt_pct(share[j], pv[1], sizeof pv[1]);
		q[2] = all ? "" : fmt_pct(j == c ? pc : pt, pv[2], sizeof pv[2]);
		q[3] = cellnum(all ? total : ceil(need * share[j] - 1e-9), v[3]);
		q[4] = cellnum(days, v[4]);
		rtable_row(&t, q);
	}
	if (!sh->report)
		writer_close(&w);
	if (sh->html)
		html_begin(sh->html, "xsell-audit: experiment plan");
	heading(sh, "Experiment plan");
	say(sh, "plan: %d arms, %d %s at alpha %.4g each (%g / %d, Holm's first "
	    "step), power %s: %s against %s needs %.0f contexts in all, %.0f days "
	    "at %s a day", k, m, m == 1 ? "comparison" : "comparisons", alpha,
	    p->alpha, m, fmt_pct(p->power, a, sizeof a), fmt_pct(pt, b, sizeof b),
	    fmt_pct(pc, d, sizeof d), total, days, fmt_num(p->traffic, 6,
	    (char[32]){ 0 }, 32));
	show_table(sh, &t);
}
