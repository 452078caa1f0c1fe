/*
 * upliftlearn.c: the uplift learner (upliftlearn.h). Reads events with a
 * holdout (group treatment or control), sums outcomes per candidate and
 * segment cell, estimates each cell's CATE with the chosen learner and
 * writes the model rows. Memory grows with candidates x segments (and, for
 * logistic-t, candidates x distinct attribute profiles), not with events.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "upliftlearn.h"
#include "xsell.h"
#include "buf.h"
#include "num.h"
#include "rec.h"
#include "writer.h"
#include "out.h"
#include "progress.h"
#include "intern.h"
#include "xsum.h"

#define SEP 0x1f

/* An arm's sums while reading: exact (xsum.h), so that they do not
 * depend on the order of the events and partial sums merge to the bit. */
struct xarm {
	double n;
	xsum sum, sumsq;
};

/* A (candidate, segment) or (candidate, profile) cell: both arms. */
struct cell {
	uint32_t cand, seg;
	struct uplift_arm arm[2];	/* [0] control, [1] treatment */
	struct xarm xa[2];		/* the same while reading */
};

struct cells {
	struct intern ix;	/* 8 bytes: candidate id, segment/profile id */
	struct cell *c;
	size_t cap;
};

/* What the logistic learner needs of one distinct attribute profile. */
struct profiles {
	struct intern ix;	/* the raw values, SEP-joined */
	uint32_t *seg;		/* profile -> segment */
	double *num;		/* profile x numeric column (NaN missing) */
	uint32_t *lev;		/* profile x categorical column: level */
	size_t cap;
	int nnum, ncat;
	int *numcol, *catcol;	/* spec columns of each kind */
	struct intern *levels;	/* per categorical column */
};

struct learn {
	const struct uplift_opts *o;
	struct rec r;
	int cand_col, group_col, y_col, *seg_ix;
	struct intern cand, seg;
	int *seg_band;		/* segment x spec column: band, -1 missing */
	size_t seg_cap;
	struct uplift_arm (*candarm)[2];
	struct xarm (*candx)[2];
	size_t cand_cap;
	struct cells cells, pcells;
	struct profiles prof;
	struct buf key, pkey;
	uint64_t rows, skipped, nocand;
	struct uplift_arm pooled_c;	/* every control event */
	uint64_t fallbacks, glm_failed;
};

/* ---- options ---- */

void
uplift_opts_init(struct uplift_opts *o)
{
	memset(o, 0, sizeof *o);
	uplift_spec_init(&o->spec);
	o->min_per_arm = 10;
	o->k = 20;
	o->l2 = 1;
}

void
uplift_opts_free(struct uplift_opts *o)
{
	uplift_spec_free(&o->spec);
}

/* ---- cells ---- */

static void
cells_init(struct cells *cs)
{
	memset(cs, 0, sizeof *cs);
	intern_init(&cs->ix);
}

static void
cells_free(struct cells *cs)
{
	intern_free(&cs->ix);
	free(cs->c);
}

static struct cell *
cells_get(struct cells *cs, uint32_t cand, uint32_t seg)
{
	unsigned char k[8];
	uint32_t id;

	memcpy(k, &cand, 4);
	memcpy(k + 4, &seg, 4);
	id = intern_put(&cs->ix, (const char *)k, 8);
	if (id >= cs->cap) {
		size_t old = cs->cap;

		cs->cap = cs->cap ? 2 * cs->cap : 1024;
		cs->c = xreallocarray(cs->c, cs->cap, sizeof *cs->c);
		memset(cs->c + old, 0, (cs->cap - old) * sizeof *cs->c);
	}
	cs->c[id].cand = cand;
	cs->c[id].seg = seg;
	return &cs->c[id];
}

static void
arm_add(struct xarm *a, double y)
{
	a->n += 1;
	if (!xsum_add(&a->sum, xsum_of(y)) || !xsum_add(&a->sumsq, xsum_of(y * y)))
		die(XS_INPUT, "outcome sums past 2^62");
}

static void
arm_of(struct uplift_arm *to, const struct xarm *a)
{
	to->n = a->n;
	to->sum = xsum_double(a->sum);
	to->sumsq = xsum_double(a->sumsq);
}

/* ---- reading events ---- */

static void
prof_init(struct profiles *p, const struct uplift_spec *s)
{
	memset(p, 0, sizeof *p);
	intern_init(&p->ix);
	p->numcol = xcalloc((size_t)s->ncols + 1, sizeof *p->numcol);
	p->catcol = xcalloc((size_t)s->ncols + 1, sizeof *p->catcol);
	for (int i = 0; i < s->ncols; i++) {
		if (s->col[i].nedges)
			p->numcol[p->nnum++] = i;
		else
			p->catcol[p->ncat++] = i;
	}
	p->levels = xcalloc((size_t)p->ncat + 1, sizeof *p->levels);
	for (int i = 0; i < p->ncat; i++)
		intern_init(&p->levels[i]);
}

static void
prof_free(struct profiles *p)
{
	intern_free(&p->ix);
	free(p->seg);
	free(p->num);
	free(p->lev);
	free(p->numcol);
	free(p->catcol);
	for (int i = 0; i < p->ncat; i++)
		intern_free(&p->levels[i]);
	free(p->levels);
}

/* Field c of the current row as a number, NaN when missing; the segment
 * key has already checked that it is one. */
static double
field_num(const struct learn *l, int c)
{
	double v = NAN;

	if (l->r.len[c])
		num_parse(l->r.f[c], l->r.len[c], &v);
	return v;
}

/* The row's profile (its raw attribute values) for the logistic learner. */
static uint32_t
prof_get(struct learn *l, uint32_t seg)
{
	struct profiles *p = &l->prof;
	const struct uplift_spec *s = &l->o->spec;
	char **f = l->r.f;
	size_t *len = l->r.len;
	uint32_t id, before = p->ix.n;

	buf_reset(&l->pkey);
	for (int i = 0; i < s->ncols; i++) {
		if (i)
			buf_putc(&l->pkey, SEP);
		buf_put(&l->pkey, f[l->seg_ix[i]], len[l->seg_ix[i]]);
	}
	id = intern_put(&p->ix, l->pkey.s, l->pkey.len);
	if (p->ix.n == before)
		return id;
	if (id >= p->cap) {
		p->cap = p->cap ? 2 * p->cap : 1024;
		p->seg = xreallocarray(p->seg, p->cap, sizeof *p->seg);
		p->num = xreallocarray(p->num, p->cap * (size_t)(p->nnum + 1),
		    sizeof *p->num);
		p->lev = xreallocarray(p->lev, p->cap * (size_t)(p->ncat + 1),
		    sizeof *p->lev);
	}
	p->seg[id] = seg;
	for (int i = 0; i < p->nnum; i++)
		p->num[id * (size_t)p->nnum + i] = field_num(l,
		    l->seg_ix[p->numcol[i]]);
	for (int i = 0; i < p->ncat; i++) {
		int c = l->seg_ix[p->catcol[i]];

		p->lev[id * (size_t)p->ncat + i] = intern_put(&p->levels[i],
		    f[c], len[c]);
	}
	return id;
}

static uint32_t
seg_get(struct learn *l)
{
	const struct uplift_spec *s = &l->o->spec;
	const char *err = NULL;
	int bad;
	uint32_t id, before = l->seg.n;

	for (int i = 0; i < s->ncols; i++)
		if (s->col[i].nedges == 0 && l->r.len[l->seg_ix[i]] == 1 &&
		    l->r.f[l->seg_ix[i]][0] == '*')
			die(XS_INPUT, "%s: column '%s': the value '*' is kept for "
			    "the candidate-level rows", rec_where(&l->r),
			    s->col[i].name);
	bad = uplift_seg_key(s, l->seg_ix, l->r.f, l->r.len, &l->key, &err);
	if (bad >= 0)
		die(XS_INPUT, "%s: column '%s': %s: \"%.40s\"", rec_where(&l->r),
		    s->col[bad].name, err, l->r.f[l->seg_ix[bad]]);
	id = intern_put(&l->seg, l->key.s, l->key.len);
	if (l->seg.n == before)
		return id;
	if (id >= l->seg_cap) {
		l->seg_cap = l->seg_cap ? 2 * l->seg_cap : 256;
		l->seg_band = xreallocarray(l->seg_band,
		    l->seg_cap * (size_t)(s->ncols + 1), sizeof *l->seg_band);
	}
	/* The output order: by band (missing first), then by value. */
	for (int i = 0; i < s->ncols; i++) {
		const struct useg_col *c = &s->col[i];
		int fi = l->seg_ix[i];

		l->seg_band[id * (size_t)s->ncols + i] = l->r.len[fi] == 0 ? -1 :
		    c->nedges ? uplift_band(c, field_num(l, fi)) : 0;
	}
	return id;
}

/* The row's arm: 1 treatment, 0 control, -1 neither. */
static int
row_arm(const struct learn *l)
{
	const char *g = l->r.f[l->group_col];

	if (strcmp(g, "treatment") == 0)
		return 1;
	if (strcmp(g, "control") == 0)
		return 0;
	return -1;
}

static double
row_outcome(const struct learn *l)
{
	double y = rec_num(&l->r, l->y_col, 0);

	if (l->o->outcome == ULEARN_CONVERTED && y != 0 && y != 1)
		die(XS_INPUT, "%s: column 'converted': not 0 or 1: \"%.40s\"",
		    rec_where(&l->r), l->r.f[l->y_col]);
	return y;
}

static uint32_t
cand_get(struct learn *l, const char *s, size_t n)
{
	uint32_t cand = intern_put(&l->cand, s, n);

	if (cand >= l->cand_cap) {
		size_t old = l->cand_cap;

		l->cand_cap = l->cand_cap ? 2 * l->cand_cap : 256;
		l->candx = xreallocarray(l->candx, l->cand_cap, sizeof *l->candx);
		memset(l->candx + old, 0, (l->cand_cap - old) * sizeof *l->candx);
	}
	return cand;
}

static void
read_row(struct learn *l)
{
	int arm = row_arm(l);
	uint32_t cand, seg = 0;
	double y;

	if (l->r.len[l->cand_col] == 0) {
		l->nocand++;
		return;
	}
	if (arm < 0) {
		l->skipped++;
		return;
	}
	y = row_outcome(l);
	if (!(fabs(y) < 2147483648.0))
		die(XS_INPUT, "%s: column '%s': out of range: \"%.40s\"",
		    rec_where(&l->r), l->o->outcome == ULEARN_REVENUE ? "revenue" :
		    "converted", l->r.f[l->y_col]);
	cand = cand_get(l, l->r.f[l->cand_col], l->r.len[l->cand_col]);
	arm_add(&l->candx[cand][arm], y);
	if (l->o->spec.ncols == 0)
		return;
	seg = seg_get(l);
	arm_add(&cells_get(&l->cells, cand, seg)->xa[arm], y);
	if (l->o->learner == ULEARN_LOGIT)
		arm_add(&cells_get(&l->pcells, cand, prof_get(l, seg))->xa[arm],
		    y);
}

/* The arms as the estimators take them, from the exact sums; the pooled
 * control arm is every candidate's control events. */
static void
arms_finish(struct learn *l)
{
	struct xarm pooled = { 0, 0, 0 };

	l->candarm = xreallocarray(l->candarm, l->cand_cap + 1,
	    sizeof *l->candarm);
	for (uint32_t c = 0; c < l->cand.n; c++) {
		for (int a = 0; a < 2; a++)
			arm_of(&l->candarm[c][a], &l->candx[c][a]);
		pooled.n += l->candx[c][0].n;
		if (!xsum_add(&pooled.sum, l->candx[c][0].sum) ||
		    !xsum_add(&pooled.sumsq, l->candx[c][0].sumsq))
			die(XS_INPUT, "outcome sums past 2^62");
	}
	arm_of(&l->pooled_c, &pooled);
	for (size_t i = 0; i < l->cells.ix.n; i++)
		for (int a = 0; a < 2; a++)
			arm_of(&l->cells.c[i].arm[a], &l->cells.c[i].xa[a]);
	for (size_t i = 0; i < l->pcells.ix.n; i++)
		for (int a = 0; a < 2; a++)
			arm_of(&l->pcells.c[i].arm[a], &l->pcells.c[i].xa[a]);
}

static void
read_events(struct learn *l, int nfiles, char **files)
{
	const struct uplift_spec *s = &l->o->spec;
	struct progress pg;

	rec_open(&l->r, nfiles, files);
	l->cand_col = rec_need(&l->r, "candidate_id");
	l->group_col = rec_need(&l->r, "group");
	l->y_col = rec_need(&l->r, l->o->outcome == ULEARN_REVENUE ? "revenue" :
	    "converted");
	l->seg_ix = xcalloc((size_t)s->ncols + 1, sizeof *l->seg_ix);
	for (int i = 0; i < s->ncols; i++)
		l->seg_ix[i] = rec_need(&l->r, s->col[i].name);
	if (l->r.empty)
		return;
	rec_background(&l->r);
	progress_init(&pg, "events");
	progress_input(&pg, &l->r);
	while (rec_next(&l->r) == REC_ROW) {
		read_row(l);
		progress_tick(&pg, ++l->rows);
	}
	progress_done(&pg);
}

/* ---- output order: candidates by id, then segments by band/value ---- */

static const struct learn *sort_l;

static int
cmp_bytes(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	return c ? c : (an > bn) - (an < bn);
}

static int
cmp_cand(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	return cmp_bytes(intern_str(&sort_l->cand, a), intern_len(&sort_l->cand,
	    a), intern_str(&sort_l->cand, b), intern_len(&sort_l->cand, b));
}

/* The i-th label of a segment key, and its length. */
static const char *
seg_part(const struct intern *in, uint32_t seg, int i, size_t *n)
{
	const char *s = intern_str(in, seg), *end = s + intern_len(in, seg);
	const char *e;

	while (i-- > 0)
		s = (const char *)memchr(s, SEP, (size_t)(end - s)) + 1;
	e = memchr(s, SEP, (size_t)(end - s));
	*n = (size_t)((e ? e : end) - s);
	return s;
}

static int
cmp_seg(uint32_t a, uint32_t b)
{
	const struct uplift_spec *s = &sort_l->o->spec;

	for (int i = 0; i < s->ncols; i++) {
		int ba = sort_l->seg_band[a * (size_t)s->ncols + i];
		int bb = sort_l->seg_band[b * (size_t)s->ncols + i];
		const char *x, *y;
		size_t xn, yn;
		int c;

		if (ba != bb)
			return ba < bb ? -1 : 1;
		if (s->col[i].nedges)
			continue;
		x = seg_part(&sort_l->seg, a, i, &xn);
		y = seg_part(&sort_l->seg, b, i, &yn);
		if ((c = cmp_bytes(x, xn, y, yn)))
			return c;
	}
	return 0;
}

static int
cmp_cell(const void *pa, const void *pb)
{
	const struct cell *a = *(struct cell *const *)pa;
	const struct cell *b = *(struct cell *const *)pb;
	int c;

	if (a->cand != b->cand)
		return cmp_cand(&a->cand, &b->cand);
	if ((c = cmp_seg(a->seg, b->seg)))
		return c;
	return (a->seg > b->seg) - (a->seg < b->seg);
}

/* Profile cells by candidate, then profile id (first seen first). */
static int
cmp_cand_of_cell(const void *pa, const void *pb)
{
	const struct cell *a = *(struct cell *const *)pa;
	const struct cell *b = *(struct cell *const *)pb;

	if (a->cand != b->cand)
		return cmp_cand(&a->cand, &b->cand);
	return (a->seg > b->seg) - (a->seg < b->seg);
}

/* ---- the logistic T-learner ---- */

/* One candidate's design: a row per profile it was seen with. */
struct design {
	int p;
	size_t n;
	double *x, *w[2], *s[2], *ss[2];
	uint32_t *seg;		/* row -> segment */
	double *rw;		/* row -> events in both arms */
};

/* Columns: intercept, each numeric attribute standardised over the
 * candidate's events (missing: 0, the mean), one-hot levels. */
static int
design_width(const struct profiles *p)
{
	int w = 1 + p->nnum;

	for (int i = 0; i < p->ncat; i++)
		w += (int)p->levels[i].n;
	return w;
}

static void
design_build(struct design *d, const struct learn *l, struct cell *const *pc,
    size_t n)
{
	const struct profiles *p = &l->prof;
	double *mean = xcalloc((size_t)p->nnum + 1, sizeof *mean);
	double *sd = xcalloc((size_t)p->nnum + 1, sizeof *sd);

	memset(d, 0, sizeof *d);
	d->p = design_width(p);
	d->n = n;
	d->x = xcalloc(n * (size_t)d->p, sizeof *d->x);
	for (int a = 0; a < 2; a++) {
		d->w[a] = xcalloc(n, sizeof *d->w[a]);
		d->s[a] = xcalloc(n, sizeof *d->s[a]);
		d->ss[a] = xcalloc(n, sizeof *d->ss[a]);
	}
	d->seg = xcalloc(n, sizeof *d->seg);
	d->rw = xcalloc(n, sizeof *d->rw);
	for (int i = 0; i < p->nnum; i++) {
		struct uplift_arm m = { 0, 0, 0 };

		for (size_t j = 0; j < n; j++) {
			double v = p->num[pc[j]->seg * (size_t)p->nnum + i];
			double wj = pc[j]->arm[0].n + pc[j]->arm[1].n;

			if (!isnan(v)) {
				m.n += wj;
				m.sum += wj * v;
				m.sumsq += wj * v * v;
			}
		}
		mean[i] = m.n > 0 ? m.sum / m.n : 0;
		sd[i] = m.n > 0 ? sqrt(fmax(m.sumsq / m.n - mean[i] * mean[i],
		    0)) : 0;
	}
	for (size_t j = 0; j < n; j++) {
		double *x = d->x + j * (size_t)d->p;
		uint32_t pr = pc[j]->seg;
		int at = 1 + p->nnum;

		x[0] = 1;
		for (int i = 0; i < p->nnum; i++) {
			double v = p->num[pr * (size_t)p->nnum + i];

			x[1 + i] = isnan(v) || sd[i] == 0 ? 0 :
			    (v - mean[i]) / sd[i];
		}
		for (int i = 0; i < p->ncat; i++) {
			x[at + (int)p->lev[pr * (size_t)p->ncat + i]] = 1;
			at += (int)p->levels[i].n;
		}
		for (int a = 0; a < 2; a++) {
			d->w[a][j] = pc[j]->arm[a].n;
			d->s[a][j] = pc[j]->arm[a].sum;
			d->ss[a][j] = pc[j]->arm[a].sumsq;
		}
		d->seg[j] = p->seg[pr];
		d->rw[j] = pc[j]->arm[0].n + pc[j]->arm[1].n;
	}
	free(mean);
	free(sd);
}

static void
design_free(struct design *d)
{
	free(d->x);
	for (int a = 0; a < 2; a++) {
		free(d->w[a]);
		free(d->s[a]);
		free(d->ss[a]);
	}
	free(d->seg);
	free(d->rw);
}

/* Per segment of one candidate: the fitted effect averaged over the
 * segment's events, with its delta-method variance. */
struct seg_acc {
	double w, cate, base;
	double *g[2];		/* d cate / d beta of each arm's model */
};

/* Fits both arms' models for one candidate and fills est[seg] for each
 * segment in its cells; 0 when a fit failed. */
static int
logit_candidate(struct learn *l, struct cell *const *pc, size_t n,
    struct uplift_est *est, unsigned char *have)
{
	int fam = l->o->outcome == ULEARN_REVENUE ? GLM_LINEAR : GLM_LOGIT;
	struct design d;
	struct uplift_glm g[2];
	struct seg_acc *acc;
	int ok = 1, p;

	design_build(&d, l, pc, n);
	p = d.p;
	for (int a = 0; a < 2; a++) {
		uplift_glm_init(&g[a], p);
		if (!uplift_glm_fit(&g[a], fam, d.n, d.x, d.w[a], d.s[a],
		    d.ss[a], l->o->l2))
			ok = 0;
	}
	acc = xcalloc(l->seg.n + 1, sizeof *acc);
	for (size_t j = 0; ok && j < d.n; j++) {
		const double *x = d.x + j * (size_t)p;
		struct seg_acc *sa = &acc[d.seg[j]];
		double m[2];

		if (!sa->g[0]) {
			sa->g[0] = xcalloc((size_t)p, sizeof(double));
			sa->g[1] = xcalloc((size_t)p, sizeof(double));
		}
		for (int a = 0; a < 2; a++) {
			double dm;

			m[a] = uplift_glm_mean(&g[a], fam, x);
			dm = fam == GLM_LOGIT ? m[a] * (1 - m[a]) : 1;
			for (int i = 0; i < p; i++)
				sa->g[a][i] += d.rw[j] * dm * x[i];
		}
		sa->w += d.rw[j];
		sa->cate += d.rw[j] * (m[1] - m[0]);
		sa->base += d.rw[j] * m[0];
	}
	for (uint32_t sgi = 0; sgi < l->seg.n; sgi++) {
		struct seg_acc *sa = &acc[sgi];
		double var = 0;

		if (!sa->g[0])
			continue;
		if (ok && sa->w > 0) {
			struct uplift_est *e = &est[sgi];

			for (int a = 0; a < 2; a++)
				for (int i = 0; i < p; i++)
					for (int k = 0; k < p; k++)
						var += sa->g[a][i] / sa->w *
						    g[a].cov[i * p + k] *
						    sa->g[a][k] / sa->w;
			e->cate = sa->cate / sa->w;
			e->base = sa->base / sa->w;
			uplift_est_finish(e, var);
			have[sgi] = 1;
		}
		free(sa->g[0]);
		free(sa->g[1]);
	}
	free(acc);
	for (int a = 0; a < 2; a++)
		uplift_glm_free(&g[a]);
	design_free(&d);
	return ok;
}

static void
glm_warn(struct learn *l, uint32_t cand)
{
	l->glm_failed++;
	warning("candidate '%s': the regression did not converge; its segments "
	    "use the candidate-level effect", intern_str(&l->cand, cand));
}

/* ---- writing the model ---- */

enum { C_N_T, C_N_C, C_RATE_T, C_RATE_C, C_CATE, C_LOW, C_HIGH, C_BASE,
	C_LABEL, C_FALLBACK, C_SPEC, C_NOWN };

static const char *const own_names[] = { "n_t", "n_c", "rate_t", "rate_c",
	"cate", "cate_low", "cate_high", "base_rate", "label", "fallback",
	"segment_spec" };


/* Rounded to 6 decimals: the estimates carry no more, and the files
 * stay readable. */
static double
rounded(double v)
{
	return fabs(v) < 1e9 ? round(v * 1e6) / 1e6 : v;
}

static void
put_num(struct buf *b, double v)
{
	char s[NUM_BUF];

	if (isnan(v))
		return;
	num_fmt(rounded(v), s);
	buf_puts(b, s);
}

/* put_num's text as a column of the writer's fast path. */
static void
write_num(struct writer *w, double v)
{
	if (isnan(v))
		writer_str(w, "", 0);
	else
		writer_num(w, rounded(v));
}

static void
write_text(struct writer *w, const char *s)
{
	writer_str(w, s, strlen(s));
}

static const char *
label_of(const struct uplift_opts *o, const struct uplift_est *e, double high)
{
	if (isnan(e->cate))
		return "";
	if (e->lo > 0 && e->cate >= o->min_effect)
		return "persuadable";
	if (e->hi < 0 && e->cate <= -o->min_effect)
		return "sleeping_dog";
	return e->base >= high ? "sure_thing" : "lost_cause";
}

struct upl_writer {
	struct writer w;
	int nseg;
	const char *spectext;
	double high;
	const struct uplift_opts *o;
};

/* Writes one model row, a column at a time (writer.h's fast path): seg
 * NULL for the candidate-level row. */
static void
write_row(struct upl_writer *wt, const struct learn *l, uint32_t cand,
    const uint32_t *seg, const struct uplift_arm *arm,
    const struct uplift_est *e, int fallback)
{
	struct writer *w = &wt->w;

	writer_begin(w);
	writer_str(w, intern_str(&l->cand, cand), intern_len(&l->cand, cand));
	for (int k = 0; k < wt->nseg; k++) {
		size_t n;
		const char *s;

		if (seg) {
			s = seg_part(&l->seg, *seg, k, &n);
			writer_str(w, s, n);
		} else {
			writer_str(w, "*", 1);
		}
	}
	write_num(w, arm[1].n);
	write_num(w, arm[0].n);
	write_num(w, arm[1].n > 0 ? arm[1].sum / arm[1].n : NAN);
	write_num(w, arm[0].n > 0 ? arm[0].sum / arm[0].n : NAN);
	write_num(w, e->cate);
	write_num(w, e->lo);
	write_num(w, e->hi);
	write_num(w, e->base);
	write_text(w, label_of(wt->o, e, wt->high));
	writer_str(w, fallback ? "1" : "0", 1);
	write_text(w, wt->spectext);
	writer_end(w);
}

static void
upl_writer_open(struct upl_writer *wt, const struct learn *l, FILE *fp,
    const char *spectext, double high)
{
	const struct uplift_spec *s = &l->o->spec;
	char **cols = xcalloc((size_t)s->ncols + 1 + C_NOWN, sizeof *cols);
	int n = 0;

	memset(wt, 0, sizeof *wt);
	wt->nseg = s->ncols;
	wt->spectext = spectext;
	wt->high = high;
	wt->o = l->o;
	cols[n++] = "candidate_id";
	for (int i = 0; i < s->ncols; i++)
		cols[n++] = s->col[i].name;
	for (int i = 0; i < C_NOWN; i++)
		cols[n++] = (char *)own_names[i];
	writer_open(&wt->w, fp, l->o->json, n, cols);
	free(cols);
	for (int i = 1; i <= s->ncols; i++)
		writer_type(&wt->w, i, WRITER_STR);
	writer_type(&wt->w, 1 + s->ncols + C_LABEL, WRITER_STR);
	writer_type(&wt->w, 1 + s->ncols + C_SPEC, WRITER_STR);
}

/* A cell's estimate by the chosen learner, or the candidate's when an arm
 * is thinner than --min-per-arm (returns 1 then). */
static int
cell_est(const struct learn *l, const struct cell *c,
    const struct uplift_est *cand_est, const struct uplift_est *logit,
    int have_logit, struct uplift_est *e)
{
	const struct uplift_arm *ca = l->candarm[c->cand];
	double share = ca[1].n / (ca[0].n + ca[1].n);

	if (c->arm[0].n < l->o->min_per_arm || c->arm[1].n < l->o->min_per_arm ||
	    isnan(cand_est->cate)) {
		*e = *cand_est;
		return 1;
	}
	switch (l->o->learner) {
	case ULEARN_X:
		uplift_est_x(c->arm, ca, l->o->k, share, e);
		break;
	case ULEARN_LOGIT:
		if (!have_logit) {
			*e = *cand_est;
			return 1;
		}
		*e = *logit;
		break;
	default:
		uplift_est_t(c->arm, ca, l->o->k, e);
	}
	return 0;
}

static void
write_model(struct learn *l, FILE *fp)
{
	size_t ncell = l->o->spec.ncols ? l->cells.ix.n : 0;
	struct cell **cp = xcalloc(ncell + 1, sizeof *cp);
	struct cell **pp = NULL;
	uint32_t *order = xcalloc(l->cand.n + 1, sizeof *order);
	struct uplift_est *lest = NULL;
	unsigned char *have = NULL;
	struct upl_writer wt;
	struct buf spec;
	size_t at = 0, pat = 0, npc = 0;
	double high;

	buf_init(&spec);
	uplift_spec_text(&l->o->spec, &spec);
	high = l->o->have_high_base ? l->o->high_base :
	    l->pooled_c.n > 0 ? l->pooled_c.sum / l->pooled_c.n : 0;
	if (xs_verbose) {
		struct buf h;

		buf_init(&h);
		put_num(&h, high);
		note("base rate splitting sure_thing from lost_cause: %s",
		    buf_str(&h));
		buf_free(&h);
	}
	upl_writer_open(&wt, l, fp, buf_str(&spec), high);
	sort_l = l;
	for (uint32_t i = 0; i < l->cand.n; i++)
		order[i] = i;
	qsort(order, l->cand.n, sizeof *order, cmp_cand);
	for (size_t i = 0; i < ncell; i++)
		cp[i] = &l->cells.c[i];
	qsort(cp, ncell, sizeof *cp, cmp_cell);
	if (l->o->learner == ULEARN_LOGIT && ncell) {
		npc = l->pcells.ix.n;
		pp = xcalloc(npc + 1, sizeof *pp);
		for (size_t i = 0; i < npc; i++)
			pp[i] = &l->pcells.c[i];
		qsort(pp, npc, sizeof *pp, cmp_cand_of_cell);
		lest = xcalloc(l->seg.n + 1, sizeof *lest);
		have = xcalloc(l->seg.n + 1, 1);
	}
	for (uint32_t oi = 0; oi < l->cand.n; oi++) {
		uint32_t cand = order[oi];
		struct uplift_est ce, e;

		uplift_est_candidate(l->candarm[cand], &ce);
		write_row(&wt, l, cand, NULL, l->candarm[cand], &ce, 0);
		if (pp) {
			size_t from = pat;

			while (pat < npc && pp[pat]->cand == cand)
				pat++;
			memset(have, 0, l->seg.n);
			if (!isnan(ce.cate) && !logit_candidate(l, pp + from,
			    pat - from, lest, have))
				glm_warn(l, cand);
		}
		for (; at < ncell && cp[at]->cand == cand; at++) {
			const struct cell *c = cp[at];
			int fb = cell_est(l, c, &ce, lest ? &lest[c->seg] : NULL,
			    have ? have[c->seg] : 0, &e);

			l->fallbacks += fb;
			write_row(&wt, l, cand, &c->seg, c->arm, &e, fb);
		}
	}
	writer_close(&wt.w);
	buf_free(&spec);
	free(cp);
	free(pp);
	free(order);
	free(lest);
	free(have);
}

/* ---- partial sums: --counts writes them, --merge reads them ---- */

static const char *const sums_cols[] = {
	"kind", "candidate_id", "segment", "arm", "n", "sum", "sumsq"
};
static const char *const arm_words[] = { "control", "treatment", NULL };

/* What the sums depend on: --merge must be given the same. */
static void
sums_options(const struct learn *l, struct buf *b)
{
	struct buf spec;

	buf_init(&spec);
	uplift_spec_text(&l->o->spec, &spec);
	buf_reset(b);
	buf_printf(b, "outcome=%s segment-by=%s", l->o->outcome == ULEARN_REVENUE ?
	    "revenue" : "converted", buf_str(&spec));
	buf_free(&spec);
}

static void
sums_row(struct writer *w, const char *kind, const char *cand, const char *seg,
    int arm, const struct xarm *a)
{
	char s[48];

	writer_begin(w);
	write_text(w, kind);
	write_text(w, cand);
	write_text(w, seg);
	write_text(w, arm < 0 ? "" : arm_words[arm]);
	writer_num(w, a->n);
	write_text(w, arm < 0 ? "" : xsum_fmt(a->sum, s));
	write_text(w, arm < 0 ? "" : xsum_fmt(a->sumsq, s));
	writer_end(w);
}

/*
 * Each candidate's and each cell's arms, exact (sums in units of 2^-64),
 * and the events read: --merge adds any number of such streams and
 * writes the model one process over all their events would.
 */
static void
write_sums(struct learn *l, FILE *fp)
{
	struct writer w;
	struct buf b;
	struct xarm n = { 0, 0, 0 };

	buf_init(&b);
	writer_open(&w, fp, l->o->json, 7, (char *const *)sums_cols);
	for (int k = 4; k < 7; k++)
		writer_type(&w, k, WRITER_STR);
	sums_options(l, &b);
	sums_row(&w, "options", "", buf_str(&b), -1, &n);
	n.n = (double)l->rows;
	sums_row(&w, "events", "", "", -1, &n);
	n.n = (double)l->skipped;
	sums_row(&w, "skipped", "", "", -1, &n);
	n.n = (double)l->nocand;
	sums_row(&w, "nocand", "", "", -1, &n);
	for (uint32_t c = 0; c < l->cand.n; c++)
		for (int a = 0; a < 2; a++)
			if (l->candx[c][a].n > 0)
				sums_row(&w, "candidate", intern_str(&l->cand, c), "",
				    a, &l->candx[c][a]);
	for (size_t i = 0; l->o->spec.ncols && i < l->cells.ix.n; i++) {
		const struct cell *c = &l->cells.c[i];

		for (int a = 0; a < 2; a++)
			if (c->xa[a].n > 0)
				sums_row(&w, "cell", intern_str(&l->cand, c->cand),
				    intern_str(&l->seg, c->seg), a, &c->xa[a]);
	}
	writer_close(&w);
	buf_free(&b);
}

/* The segment of a key read back (labels joined by SEP), its bands
 * found from the labels. */
static uint32_t
seg_put(struct learn *l, const char *key, size_t n)
{
	const struct uplift_spec *s = &l->o->spec;
	uint32_t id, before = l->seg.n;
	int parts = 1;

	for (size_t i = 0; i < n; i++)
		parts += key[i] == SEP;
	if (parts != s->ncols)
		die(XS_INPUT, "%s: column 'segment': %d values for %d "
		    "--segment-by columns", rec_where(&l->r), parts, s->ncols);
	id = intern_put(&l->seg, key, n);
	if (l->seg.n == before)
		return id;
	if (id >= l->seg_cap) {
		l->seg_cap = l->seg_cap ? 2 * l->seg_cap : 256;
		l->seg_band = xreallocarray(l->seg_band,
		    l->seg_cap * (size_t)(s->ncols + 1), sizeof *l->seg_band);
	}
	for (int i = 0; i < s->ncols; i++) {
		const struct useg_col *c = &s->col[i];
		size_t pn;
		const char *p = seg_part(&l->seg, id, i, &pn);
		int band = pn == 0 ? -1 : 0;

		if (pn && c->nedges) {
			for (band = 0; band <= c->nedges; band++)
				if (strlen(c->label[band]) == pn &&
				    memcmp(c->label[band], p, pn) == 0)
					break;
			if (band > c->nedges)
				die(XS_INPUT, "%s: column 'segment': \"%.*s\" is no "
				    "band of %s", rec_where(&l->r), (int)pn, p,
				    c->name);
		}
		l->seg_band[id * (size_t)s->ncols + i] = band;
	}
	return id;
}

static void
sums_add(struct learn *l, struct xarm *to, const int *col)
{
	const struct rec *r = &l->r;
	int64_t n;
	xsum a, b;

	if (num_parse_int(r->f[col[4]], r->len[col[4]], &n) || n < 0)
		die(XS_INPUT, "%s: column 'n': not a count: \"%.40s\"",
		    rec_where(r), r->f[col[4]]);
	if (!xsum_parse(r->f[col[5]], r->len[col[5]], &a) ||
	    !xsum_parse(r->f[col[6]], r->len[col[6]], &b))
		die(XS_INPUT, "%s: columns 'sum' and 'sumsq': not sums in "
		    "units of 2^-64", rec_where(r));
	to->n += (double)n;
	if (!xsum_add(&to->sum, a) || !xsum_add(&to->sumsq, b))
		die(XS_INPUT, "%s: outcome sums past 2^62", rec_where(r));
}

static uint64_t
sums_count(const struct learn *l, const int *col)
{
	int64_t n;

	if (num_parse_int(l->r.f[col[4]], l->r.len[col[4]], &n) || n < 0)
		die(XS_INPUT, "%s: column 'n': not a count: \"%.40s\"",
		    rec_where(&l->r), l->r.f[col[4]]);
	return (uint64_t)n;
}

/* --merge: the arms from partial sums instead of events. */
static void
read_sums(struct learn *l, int nfiles, char **files)
{
	struct rec *r = &l->r;
	struct buf want;
	int col[7], nopts = 0;

	buf_init(&want);
	sums_options(l, &want);
	rec_open(r, nfiles, files);
	for (int k = 0; k < 7; k++)
		col[k] = rec_need(r, sums_cols[k]);
	while (rec_next(r) == REC_ROW) {
		const char *kind = r->f[col[0]];
		uint32_t cand;
		int arm;

		if (strcmp(kind, "kind") == 0)	/* streams concatenated */
			continue;
		if (strcmp(kind, "options") == 0) {
			if (strcmp(r->f[col[2]], buf_str(&want)) != 0)
				die(XS_INPUT, "%s: summed with \"%s\", merging with "
				    "\"%s\"", rec_where(r), r->f[col[2]],
				    buf_str(&want));
			nopts++;
			continue;
		}
		if (strcmp(kind, "events") == 0) {
			l->rows += sums_count(l, col);
			continue;
		}
		if (strcmp(kind, "skipped") == 0) {
			l->skipped += sums_count(l, col);
			continue;
		}
		if (strcmp(kind, "nocand") == 0) {
			l->nocand += sums_count(l, col);
			continue;
		}
		if (strcmp(kind, "candidate") != 0 && strcmp(kind, "cell") != 0)
			die(XS_INPUT, "%s: column 'kind': \"%.40s\" is not options, "
			    "events, skipped, nocand, candidate or cell",
			    rec_where(r), kind);
		if (r->len[col[1]] == 0)
			die(XS_INPUT, "%s: column 'candidate_id': missing",
			    rec_where(r));
		arm = strcmp(r->f[col[3]], "treatment") == 0 ? 1 :
		    strcmp(r->f[col[3]], "control") == 0 ? 0 : -1;
		if (arm < 0)
			die(XS_INPUT, "%s: column 'arm': \"%.40s\" is not control or "
			    "treatment", rec_where(r), r->f[col[3]]);
		cand = cand_get(l, r->f[col[1]], r->len[col[1]]);
		if (strcmp(kind, "candidate") == 0)
			sums_add(l, &l->candx[cand][arm], col);
		else
			sums_add(l, &cells_get(&l->cells, cand, seg_put(l,
			    r->f[col[2]], r->len[col[2]]))->xa[arm], col);
	}
	if (nopts == 0)
		die(XS_INPUT, "%s: not partial sums of xsell-learn --uplift "
		    "--counts (no options row)", r->name ? r->name : "<stdin>");
	buf_free(&want);
}

static void
learn_free(struct learn *l)
{
	rec_close(&l->r);
	intern_free(&l->cand);
	intern_free(&l->seg);
	free(l->seg_band);
	free(l->candarm);
	free(l->candx);
	free(l->seg_ix);
	cells_free(&l->cells);
	cells_free(&l->pcells);
	prof_free(&l->prof);
	buf_free(&l->key);
	buf_free(&l->pkey);
}

int
uplift_learn(const struct uplift_opts *o, int nfiles, char **files)
{
	struct learn l;
	FILE *fp;
	int status = XS_OK;

	memset(&l, 0, sizeof l);
	l.o = o;
	intern_init(&l.cand);
	intern_init(&l.seg);
	cells_init(&l.cells);
	cells_init(&l.pcells);
	prof_init(&l.prof, &o->spec);
	buf_init(&l.key);
	buf_init(&l.pkey);
	if (o->merge)
		read_sums(&l, nfiles, files);
	else
		read_events(&l, nfiles, files);
	fp = out_open(o->out);
	if (o->counts) {
		write_sums(&l, fp);
	} else {
		arms_finish(&l);
		write_model(&l, fp);
	}
	out_close(fp);
	/* xsell-rank --assignments logs a context offered nothing as one
	 * row without a candidate: not an event, not an error. */
	if (l.nocand)
		note("%llu rows without a candidate_id skipped",
		    (unsigned long long)l.nocand);
	if (l.skipped) {
		warning("%llu of %llu events skipped: group not treatment or "
		    "control", (unsigned long long)l.skipped,
		    (unsigned long long)l.rows);
		status = XS_DATA;
	}
	if (xs_verbose)
		note("%llu events, %u candidates, %u segments, %zu cells, "
		    "%llu fell back to the candidate level",
		    (unsigned long long)l.rows, l.cand.n, l.seg.n,
		    o->spec.ncols ? (size_t)l.cells.ix.n : 0,
		    (unsigned long long)l.fallbacks);
	learn_free(&l);
	return status;
}
