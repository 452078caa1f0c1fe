/*
 * uplift.c: segment specs, the cell estimators (T- and X-learner), the
 * regularised GLM fit of the logistic T-learner, and reading a model back
 * for scoring. The learning tool itself is upliftlearn.c. Formulas and
 * their reasons are in man/xsell-uplift.7.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "uplift.h"
#include "xsell.h"
#include "buf.h"
#include "num.h"
#include "rec.h"
#include "intern.h"

#define SEP 0x1f	/* between segment labels in a key */
#define CAND_SEP 0x1e	/* between candidate and segment in a model key */
#define CONF 0.95

/* The model's own columns: a segment column may not take their names. */
static const char *const own_cols[] = {
	"candidate_id", "n_t", "n_c", "rate_t", "rate_c", "cate", "cate_low",
	"cate_high", "base_rate", "label", "fallback", "segment_spec", NULL
};

/* ---- segment specs ---- */

void
uplift_spec_init(struct uplift_spec *s)
{
	memset(s, 0, sizeof *s);
}

static void
col_free(struct useg_col *c)
{
	free(c->name);
	free(c->edges);
	if (c->label)
		for (int i = 0; i <= c->nedges; i++)
			free(c->label[i]);
	free(c->label);
}

void
uplift_spec_free(struct uplift_spec *s)
{
	for (int i = 0; i < s->ncols; i++)
		col_free(&s->col[i]);
	free(s->col);
	memset(s, 0, sizeof *s);
}

static char *
fmt_label(const char *pre, double a, const char *mid, double b, int two)
{
	char x[NUM_BUF], y[NUM_BUF];
	struct buf o;

	num_fmt(a, x);
	buf_init(&o);
	if (two) {
		num_fmt(b, y);
		buf_printf(&o, "%s%s%s", x, mid, y);
	} else {
		buf_printf(&o, "%s%s", pre, x);
	}
	buf_str(&o);
	return o.s;
}

/* "<e1", "e1-e2", ..., ">=ek". */
static void
make_labels(struct useg_col *c)
{
	int k = c->nedges;

	if (k == 0)
		return;
	c->label = xcalloc((size_t)k + 1, sizeof *c->label);
	c->label[0] = fmt_label("<", c->edges[0], NULL, 0, 0);
	for (int i = 1; i < k; i++)
		c->label[i] = fmt_label(NULL, c->edges[i - 1], "-", c->edges[i], 1);
	c->label[k] = fmt_label(">=", c->edges[k - 1], NULL, 0, 0);
}

static struct useg_col *
new_col(struct uplift_spec *s, const char *name, size_t n)
{
	struct useg_col *c;

	s->col = xreallocarray(s->col, (size_t)s->ncols + 1, sizeof *s->col);
	c = &s->col[s->ncols++];
	memset(c, 0, sizeof *c);
	c->name = xmemdup(name, n);
	return c;
}

static const char *
check_name(const struct uplift_spec *s, const char *name)
{
	static char why[200];

	if (!*name)
		return "empty column name";
	for (int i = 0; own_cols[i]; i++)
		if (strcmp(name, own_cols[i]) == 0) {
			snprintf(why, sizeof why, "column '%.60s' is one of the "
			    "model's own columns", name);
			return why;
		}
	for (int i = 0; i < s->ncols - 1; i++)
		if (strcmp(s->col[i].name, name) == 0) {
			snprintf(why, sizeof why, "column '%.60s' named twice",
			    name);
			return why;
		}
	return NULL;
}

static const char *
add_edge(struct useg_col *c, const char *item, size_t n)
{
	static char why[200];
	double v;
	const char *err = num_parse(item, n, &v);

	if (err) {
		snprintf(why, sizeof why, "column '%.60s': edge %s: \"%.*s\"",
		    c->name, err, (int)(n > 40 ? 40 : n), item);
		return why;
	}
	if (c->nedges && v <= c->edges[c->nedges - 1]) {
		snprintf(why, sizeof why, "column '%.60s': edges must increase",
		    c->name);
		return why;
	}
	c->edges = xreallocarray(c->edges, (size_t)c->nedges + 1,
	    sizeof *c->edges);
	c->edges[c->nedges++] = v;
	return NULL;
}

const char *
uplift_spec_add(struct uplift_spec *s, const char *text)
{
	const char *p = text, *end = text + strlen(text), *item, *err;
	size_t n;
	struct useg_col *cur = NULL;	/* the banded column taking edges */
	int first = s->ncols;
	double v;

	while (list_next(&p, end, &item, &n)) {
		const char *colon = memchr(item, ':', n);

		if (cur && num_parse(item, n, &v) == NULL) {
			if ((err = add_edge(cur, item, n)))
				return err;
			continue;
		}
		cur = NULL;
		if (!colon) {
			struct useg_col *c = new_col(s, item, n);

			if ((err = check_name(s, c->name)))
				return err;
			continue;
		}
		cur = new_col(s, item, (size_t)(colon - item));
		if ((err = check_name(s, cur->name)))
			return err;
		if (colon + 1 == item + n) {
			static char why[200];

			snprintf(why, sizeof why, "column '%.60s': no band edges "
			    "after ':'", cur->name);
			return why;
		}
		if ((err = add_edge(cur, colon + 1, (size_t)(item + n - colon - 1))))
			return err;
	}
	if (s->ncols == first)
		return "no columns";
	for (int i = first; i < s->ncols; i++)
		make_labels(&s->col[i]);
	return NULL;
}

void
uplift_spec_text(const struct uplift_spec *s, struct buf *out)
{
	char x[NUM_BUF];

	for (int i = 0; i < s->ncols; i++) {
		const struct useg_col *c = &s->col[i];

		buf_printf(out, "%s%s", i ? "," : "", c->name);
		for (int j = 0; j < c->nedges; j++) {
			num_fmt(c->edges[j], x);
			buf_printf(out, "%s%s", j ? "," : ":", x);
		}
	}
}

int
uplift_band(const struct useg_col *c, double v)
{
	int i = 0;

	while (i < c->nedges && v >= c->edges[i])
		i++;
	return i;
}

int
uplift_seg_key(const struct uplift_spec *s, const int *ix, char *const *f,
    const size_t *len, struct buf *key, const char **err)
{
	buf_reset(key);
	for (int i = 0; i < s->ncols; i++) {
		const struct useg_col *c = &s->col[i];
		const char *v = f[ix[i]];
		size_t n = len[ix[i]];
		double x;

		if (i)
			buf_putc(key, SEP);
		if (c->nedges == 0 || n == 0) {
			buf_put(key, v, n);
			continue;
		}
		if ((*err = num_parse(v, n, &x)))
			return i;
		buf_puts(key, c->label[uplift_band(c, x)]);
	}
	buf_str(key);
	return -1;
}

/* ---- cell estimators ---- */

static double
z95(void)
{
	static double z;

	if (z == 0)
		z = st_z(CONF);
	return z;
}

double
uplift_shrink(double sum, double n, double prior, double k)
{
	return (sum + k * prior) / (n + k);
}

static double
mean_of(const struct uplift_arm *a)
{
	return a->sum / a->n;
}

/* Second moment about zero: E[y^2]. */
static double
m2_of(const struct uplift_arm *a)
{
	return a->sumsq / a->n;
}

static void
est_nan(const struct uplift_arm *cand, struct uplift_est *o)
{
	o->cate = o->lo = o->hi = o->se = NAN;
	o->base = cand[0].n > 0 ? mean_of(&cand[0]) : NAN;
}

void
uplift_est_finish(struct uplift_est *o, double var)
{
	o->se = sqrt(var > 0 ? var : 0);
	o->lo = o->cate - z95() * o->se;
	o->hi = o->cate + z95() * o->se;
}

void
uplift_est_candidate(const struct uplift_arm *cand, struct uplift_est *o)
{
	double var = 0;

	if (cand[0].n <= 0 || cand[1].n <= 0) {
		est_nan(cand, o);
		return;
	}
	for (int a = 0; a < 2; a++) {
		double m = mean_of(&cand[a]), s2 = m2_of(&cand[a]) - m * m;

		var += (s2 > 0 ? s2 : 0) / cand[a].n;
	}
	o->cate = mean_of(&cand[1]) - mean_of(&cand[0]);
	o->base = mean_of(&cand[0]);
	uplift_est_finish(o, var);
}

/*
 * One arm of a cell with k pseudo-observations at the candidate's arm:
 * the shrunk mean r and, from the shrunk second moment, the variance s2
 * of one observation. For 0/1 outcomes s2 = r (1 - r).
 */
static void
shrunk_arm(const struct uplift_arm *cell, const struct uplift_arm *cand,
    double k, double *r, double *s2)
{
	*r = uplift_shrink(cell->sum, cell->n, mean_of(cand), k);
	*s2 = uplift_shrink(cell->sumsq, cell->n, m2_of(cand), k) - *r * *r;
	if (*s2 < 0)
		*s2 = 0;
}

void
uplift_est_t(const struct uplift_arm *cell, const struct uplift_arm *cand,
    double k, struct uplift_est *o)
{
	double r[2], s2[2];

	if (cand[0].n <= 0 || cand[1].n <= 0 || cell[0].n + k <= 0 ||
	    cell[1].n + k <= 0) {
		est_nan(cand, o);
		return;
	}
	for (int a = 0; a < 2; a++)
		shrunk_arm(&cell[a], &cand[a], k, &r[a], &s2[a]);
	o->cate = r[1] - r[0];
	o->base = r[0];
	/* The posterior variance of each shrunk mean: s2 / (n + k). */
	uplift_est_finish(o, s2[1] / (cell[1].n + k) + s2[0] / (cell[0].n + k));
}

void
uplift_est_x(const struct uplift_arm *cell, const struct uplift_arm *cand,
    double k, double e, struct uplift_est *o)
{
	double a[2], y[2], r[2], s2[2], w[2], tau, mu1, mu0, t1, t0, var = 0;

	if (cand[0].n <= 0 || cand[1].n <= 0 || cell[0].n + k <= 0 ||
	    cell[1].n + k <= 0) {
		est_nan(cand, o);
		return;
	}
	for (int i = 0; i < 2; i++) {
		a[i] = cell[i].n / (cell[i].n + k);
		y[i] = cell[i].n > 0 ? mean_of(&cell[i]) : 0;
		shrunk_arm(&cell[i], &cand[i], k, &r[i], &s2[i]);
	}
	tau = mean_of(&cand[1]) - mean_of(&cand[0]);
	mu1 = r[1];
	mu0 = r[0];
	/* Imputed effects of the treated (y - mu0) and of the controls
	 * (mu1 - y), each averaged over its arm in the cell and shrunk
	 * toward the candidate's effect. */
	t1 = a[1] * (y[1] - mu0) + (1 - a[1]) * tau;
	t0 = a[0] * (mu1 - y[0]) + (1 - a[0]) * tau;
	o->cate = e * t0 + (1 - e) * t1;
	o->base = mu0;
	/* cate is linear in the two cell means: w1 y1 - w0 y0 + const. */
	w[1] = a[1] * ((1 - e) + e * a[0]);
	w[0] = a[0] * (e + (1 - e) * a[1]);
	for (int i = 0; i < 2; i++)
		if (cell[i].n > 0)
			var += w[i] * w[i] * s2[i] * (cell[i].n + k) /
			    (cell[i].n * cell[i].n);
	uplift_est_finish(o, var);
	(void)tau;
}

/* ---- regularised GLM by Newton's method (IRLS) ---- */

void
uplift_glm_init(struct uplift_glm *g, int p)
{
	memset(g, 0, sizeof *g);
	g->p = p;
	g->beta = xcalloc((size_t)p, sizeof *g->beta);
	g->cov = xcalloc((size_t)p * (size_t)p, sizeof *g->cov);
}

void
uplift_glm_free(struct uplift_glm *g)
{
	free(g->beta);
	free(g->cov);
	memset(g, 0, sizeof *g);
}

static double
dot(const double *x, const double *b, int p)
{
	double s = 0;

	for (int i = 0; i < p; i++)
		s += x[i] * b[i];
	return s;
}

static double
logistic(double eta)
{
	if (eta >= 0)
		return 1 / (1 + exp(-eta));
	return exp(eta) / (1 + exp(eta));
}

/* log(1 + exp(eta)) without overflow. */
static double
log1pexp(double eta)
{
	return eta > 0 ? eta + log1p(exp(-eta)) : log1p(exp(eta));
}

double
uplift_glm_mean(const struct uplift_glm *g, int family, const double *x)
{
	double eta = dot(x, g->beta, g->p);

	return family == GLM_LOGIT ? logistic(eta) : eta;
}

/* Cholesky factor in place (lower triangle): 0 when not positive
 * definite. */
static int
chol(double *a, int p)
{
	for (int j = 0; j < p; j++) {
		double d = a[j * p + j];

		for (int k = 0; k < j; k++)
			d -= a[j * p + k] * a[j * p + k];
		if (!(d > 1e-300))
			return 0;
		d = sqrt(d);
		a[j * p + j] = d;
		for (int i = j + 1; i < p; i++) {
			double s = a[i * p + j];

			for (int k = 0; k < j; k++)
				s -= a[i * p + k] * a[j * p + k];
			a[i * p + j] = s / d;
		}
	}
	return 1;
}

/* Solves L L' x = b in place. */
static void
chol_solve(const double *l, int p, double *b)
{
	for (int i = 0; i < p; i++) {
		for (int k = 0; k < i; k++)
			b[i] -= l[i * p + k] * b[k];
		b[i] /= l[i * p + i];
	}
	for (int i = p - 1; i >= 0; i--) {
		for (int k = i + 1; k < p; k++)
			b[i] -= l[k * p + i] * b[k];
		b[i] /= l[i * p + i];
	}
}

/* Penalised objective to maximise (log-likelihood, or minus half the
 * residual sum of squares, less the penalty). */
static double
glm_objective(int family, size_t nrow, int p, const double *x,
    const double *w, const double *s, const double *beta, double l2)
{
	double f = 0;

	for (size_t j = 0; j < nrow; j++) {
		double eta = dot(x + j * (size_t)p, beta, p);

		if (w[j] <= 0)
			continue;
		if (family == GLM_LOGIT)
			f += s[j] * eta - w[j] * log1pexp(eta);
		else
			f += s[j] * eta - 0.5 * w[j] * eta * eta;
	}
	for (int i = 1; i < p; i++)
		f -= 0.5 * l2 * beta[i] * beta[i];
	return f;
}

/* Gradient g and penalised information h (the negated Hessian) at beta. */
static void
glm_derivs(int family, size_t nrow, int p, const double *x, const double *w,
    const double *s, const double *beta, double l2, double *g, double *h)
{
	memset(g, 0, (size_t)p * sizeof *g);
	memset(h, 0, (size_t)p * (size_t)p * sizeof *h);
	for (size_t j = 0; j < nrow; j++) {
		const double *xj = x + j * (size_t)p;
		double eta, m, wt, res;

		if (w[j] <= 0)
			continue;
		eta = dot(xj, beta, p);
		if (family == GLM_LOGIT) {
			m = logistic(eta);
			wt = w[j] * m * (1 - m);
		} else {
			m = eta;
			wt = w[j];
		}
		res = s[j] - w[j] * m;
		for (int a = 0; a < p; a++) {
			if (xj[a] == 0)
				continue;
			g[a] += res * xj[a];
			for (int b = 0; b <= a; b++)
				h[a * p + b] += wt * xj[a] * xj[b];
		}
	}
	for (int a = 0; a < p; a++)
		for (int b = 0; b < a; b++)
			h[b * p + a] = h[a * p + b];
	for (int i = 1; i < p; i++) {
		g[i] -= l2 * beta[i];
		h[i * p + i] += l2;
	}
}

/* Starts at the intercept-only fit: every later step is a small one. */
static void
glm_start(struct uplift_glm *gl, int family, size_t nrow, const double *w,
    const double *s)
{
	double sw = 0, ss = 0, m;

	memset(gl->beta, 0, (size_t)gl->p * sizeof *gl->beta);
	for (size_t j = 0; j < nrow; j++) {
		sw += w[j];
		ss += s[j];
	}
	m = sw > 0 ? ss / sw : 0;
	if (family == GLM_LOGIT) {
		if (m <= 0 || m >= 1)
			m = m <= 0 ? 0.5 / (sw + 1) : 1 - 0.5 / (sw + 1);
		gl->beta[0] = log(m / (1 - m));
	} else {
		gl->beta[0] = m;
	}
}

/* Inverse of the information matrix from its Cholesky factor. */
static void
glm_cov(struct uplift_glm *gl, const double *l)
{
	int p = gl->p;
	double *e = xcalloc((size_t)p, sizeof *e);

	for (int c = 0; c < p; c++) {
		memset(e, 0, (size_t)p * sizeof *e);
		e[c] = 1;
		chol_solve(l, p, e);
		for (int r = 0; r < p; r++)
			gl->cov[r * p + c] = e[r];
	}
	free(e);
}

/* Residual variance of a linear fit: (sum of squares) / (n - p). */
static double
glm_sigma2(const struct uplift_glm *gl, size_t nrow, const double *x,
    const double *w, const double *s, const double *ss)
{
	double rss = 0, n = 0;
	int p = gl->p;

	for (size_t j = 0; j < nrow; j++) {
		double eta = dot(x + j * (size_t)p, gl->beta, p);

		if (w[j] <= 0)
			continue;
		rss += ss[j] - 2 * eta * s[j] + w[j] * eta * eta;
		n += w[j];
	}
	if (rss < 0)
		rss = 0;
	return n > p ? rss / (n - p) : rss / (n > 0 ? n : 1);
}

int
uplift_glm_fit(struct uplift_glm *gl, int family, size_t nrow,
    const double *x, const double *w, const double *s, const double *ss,
    double l2)
{
	int p = gl->p, maxit = family == GLM_LOGIT ? 100 : 3;
	double *g = xcalloc((size_t)p, sizeof *g);
	double *h = xcalloc((size_t)p * (size_t)p, sizeof *h);
	double *nb = xcalloc((size_t)p, sizeof *nb);
	double f;

	glm_start(gl, family, nrow, w, s);
	f = glm_objective(family, nrow, p, x, w, s, gl->beta, l2);
	gl->ok = 0;
	for (gl->iter = 0; gl->iter < maxit; gl->iter++) {
		double step = 1, big = 0, fn;

		glm_derivs(family, nrow, p, x, w, s, gl->beta, l2, g, h);
		if (!chol(h, p))
			break;
		chol_solve(h, p, g);	/* g is now the Newton step */
		for (int i = 0; i < p; i++) {
			double d = fabs(g[i]) / (1 + fabs(gl->beta[i]));

			if (d > big)
				big = d;
		}
		/* Halve the step until the objective does not fall: Newton
		 * can overshoot on nearly separated data. */
		for (int t = 0; t < 40; t++, step /= 2) {
			for (int i = 0; i < p; i++)
				nb[i] = gl->beta[i] + step * g[i];
			fn = glm_objective(family, nrow, p, x, w, s, nb, l2);
			if (fn >= f - 1e-12 * (1 + fabs(f)))
				break;
		}
		memcpy(gl->beta, nb, (size_t)p * sizeof *nb);
		f = fn;
		if (big < 1e-10) {
			gl->ok = 1;
			break;
		}
	}
	if (gl->ok) {
		glm_derivs(family, nrow, p, x, w, s, gl->beta, l2, g, h);
		if (chol(h, p)) {
			glm_cov(gl, h);
			if (family == GLM_LINEAR) {
				double s2 = glm_sigma2(gl, nrow, x, w, s, ss);

				for (int i = 0; i < p * p; i++)
					gl->cov[i] *= s2;
			}
		} else {
			gl->ok = 0;
		}
	}
	free(g);
	free(h);
	free(nb);
	return gl->ok;
}

/* ---- reading a model back (xsell-score --uplift-model) ---- */

struct uplift_model {
	struct uplift_spec spec;
	char *spectext;
	int *ix;		/* spec column -> column of the scored input */
	struct intern keys;	/* candidate CAND_SEP ('C' | 'S' seg key) */
	struct uplift_hit *hit;	/* key id -> row */
	uint32_t *labid;	/* key id -> label in labels */
	size_t nhit, caphit;
	struct intern labels;
	double maxabs;
	int legacy;		/* no segment_spec: empty also means "all" */
	char notrate[160];	/* a row whose rates are not in [0, 1] */
	int bound;		/* every segment column is in the scored input */
	struct buf key, seg;	/* scratch */
	char err[160];		/* why the last lookup was UPLIFT_BAD */
};

/* The key of a candidate-level row (seg NULL) or of a segment's row. */
static void
model_key(struct buf *k, const char *cand, size_t n, const struct buf *seg)
{
	buf_reset(k);
	buf_put(k, cand, n);
	buf_putc(k, CAND_SEP);
	buf_putc(k, seg ? 'S' : 'C');
	if (seg)
		buf_put(k, seg->s, seg->len);
}

static double
model_num(const struct rec *r, int i)
{
	return i < 0 || r->len[i] == 0 ? NAN : rec_num(r, i, NAN);
}

static int
band_label_ok(const struct useg_col *c, const char *v)
{
	if (c->nedges == 0 || !*v)
		return 1;
	for (int i = 0; i <= c->nedges; i++)
		if (strcmp(c->label[i], v) == 0)
			return 1;
	return 0;
}

/* The model row's segment: 0 for the candidate-level row (every segment
 * column "*"), else 1 with its key in m->seg. */
static int
model_row_seg(struct uplift_model *m, const struct rec *r, const int *six)
{
	int stars = 0;

	for (int i = 0; i < m->spec.ncols; i++)
		stars += strcmp(r->f[six[i]], "*") == 0 ||
		    (m->legacy && r->len[six[i]] == 0);
	if (stars == m->spec.ncols)
		return 0;
	if (stars)
		die(XS_INPUT, "%s: a row mixes '*' with segment values",
		    rec_where(r));
	buf_reset(&m->seg);
	for (int i = 0; i < m->spec.ncols; i++) {
		const struct useg_col *c = &m->spec.col[i];

		if (!band_label_ok(c, r->f[six[i]]))
			die(XS_INPUT, "%s: column '%s': \"%.40s\" is not one of "
			    "its bands", rec_where(r), c->name, r->f[six[i]]);
		if (i)
			buf_putc(&m->seg, SEP);
		buf_put(&m->seg, r->f[six[i]], r->len[six[i]]);
	}
	return 1;
}

/* The spec from the first row's segment_spec. */
static void
model_spec(struct uplift_model *m, const struct rec *r, int spec_col)
{
	const char *text = r->f[spec_col];
	const char *err;

	m->spectext = xstrdup(text);
	if (!*text)
		return;
	if ((err = uplift_spec_add(&m->spec, text)))
		die(XS_INPUT, "%s: column 'segment_spec': %s", rec_where(r), err);
}

/* A model without segment_spec (written by hand): the columns between
 * candidate_id and n_t (or cate) are categorical segment columns, and a
 * row whose segment values are all empty or "*" is the candidate level. */
static void
model_legacy_spec(struct uplift_model *m, const struct rec *r, int cid,
    int cate)
{
	int end = rec_col(r, "n_t");
	struct buf b;

	if (end <= cid)
		end = cate > cid ? cate : cid + 1;
	buf_init(&b);
	for (int k = cid + 1; k < end; k++) {
		new_col(&m->spec, r->cols[k], strlen(r->cols[k]));
		buf_printf(&b, "%s%s", k > cid + 1 ? "," : "", r->cols[k]);
	}
	m->spectext = xstrdup(buf_str(&b));
	m->legacy = 1;
	buf_free(&b);
}

/* c: candidate_id, cate, cate_low, cate_high, base_rate, label, rate_t. */
static void
model_add(struct uplift_model *m, const struct rec *r, const int *c,
    const int *six)
{
	struct uplift_hit *h;
	uint32_t id;
	int seg;

	if (r->len[c[0]] == 0)
		die(XS_INPUT, "%s: column 'candidate_id': missing value",
		    rec_where(r));
	seg = model_row_seg(m, r, six);
	model_key(&m->key, r->f[c[0]], r->len[c[0]], seg ? &m->seg : NULL);
	id = intern_put(&m->keys, m->key.s, m->key.len);
	if (id < m->nhit)
		die(XS_INPUT, "%s: candidate '%.60s' has two %s rows",
		    rec_where(r), r->f[c[0]], seg ? "of one segment's" :
		    "candidate-level");
	if (m->nhit == m->caphit) {
		m->caphit = m->caphit ? 2 * m->caphit : 256;
		m->hit = xreallocarray(m->hit, m->caphit, sizeof *m->hit);
		m->labid = xreallocarray(m->labid, m->caphit, sizeof *m->labid);
	}
	h = &m->hit[m->nhit];
	h->cate = model_num(r, c[1]);
	h->lo = model_num(r, c[2]);
	h->hi = model_num(r, c[3]);
	h->base = model_num(r, c[4]);
	/* The sum to 12 decimals: the model's rates have 6, and 0.3 + -0.1
	 * is 0.19999999999999998 in binary. */
	h->treated = !isnan(h->base) && !isnan(h->cate) ?
	    round((h->base + h->cate) * 1e12) / 1e12 : model_num(r, c[6]);
	h->label = NULL;
	if (!m->notrate[0]) {
		double rt = model_num(r, c[6]);
		const char *col = !(h->base >= 0 && h->base <= 1) &&
		    !isnan(h->base) ? "base_rate" : !(rt >= 0 && rt <= 1) &&
		    !isnan(rt) ? "rate_t" : NULL;

		if (col)
			snprintf(m->notrate, sizeof m->notrate, "%s: %s is %.40s, "
			    "not a rate in [0, 1]", rec_where(r), col,
			    r->f[c[col[0] == 'b' ? 4 : 6]]);
	}
	m->labid[m->nhit++] = intern_put(&m->labels,
	    c[5] >= 0 ? r->f[c[5]] : "", c[5] >= 0 ? r->len[c[5]] : 0);
	if (!isnan(h->cate) && fabs(h->cate) > m->maxabs)
		m->maxabs = fabs(h->cate);
}

struct uplift_model *
uplift_model_load(const char *path)
{
	static const char *const names[] = { "candidate_id", "cate",
	    "cate_low", "cate_high", "base_rate", "label", "rate_t" };
	struct uplift_model *m = xcalloc(1, sizeof *m);
	char *files[1] = { (char *)path };
	struct rec r = { 0 };
	int c[7], spec_col, *six = NULL;

	intern_init(&m->keys);
	intern_init(&m->labels);
	buf_init(&m->key);
	buf_init(&m->seg);
	rec_open(&r, 1, files);
	if (r.empty)
		die(XS_INPUT, "%s: empty uplift model", path);
	c[0] = rec_need(&r, "candidate_id");
	c[1] = rec_need(&r, "cate");
	for (int i = 2; i < 7; i++)
		c[i] = rec_col(&r, names[i]);
	spec_col = rec_col(&r, "segment_spec");
	if (spec_col < 0)
		model_legacy_spec(m, &r, c[0], c[1]);
	while (rec_next(&r) == REC_ROW) {
		if (!six) {
			if (!m->spectext)
				model_spec(m, &r, spec_col);
			six = xcalloc((size_t)m->spec.ncols + 1, sizeof *six);
			for (int i = 0; i < m->spec.ncols; i++)
				six[i] = rec_need(&r, m->spec.col[i].name);
		} else if (spec_col >= 0 && strcmp(r.f[spec_col],
		    m->spectext) != 0) {
			die(XS_INPUT, "%s: segment_spec \"%.60s\" differs from "
			    "the first row's \"%.60s\"", rec_where(&r),
			    r.f[spec_col], m->spectext);
		}
		model_add(m, &r, c, six);
	}
	if (!m->spectext)
		m->spectext = xstrdup("");
	/* Now that the label pool no longer moves. */
	for (size_t i = 0; i < m->nhit; i++)
		m->hit[i].label = intern_str(&m->labels, m->labid[i]);
	m->ix = xcalloc((size_t)m->spec.ncols + 1, sizeof *m->ix);
	free(six);
	rec_close(&r);
	return m;
}

void
uplift_model_free(struct uplift_model *m)
{
	if (!m)
		return;
	uplift_spec_free(&m->spec);
	free(m->spectext);
	free(m->ix);
	intern_free(&m->keys);
	intern_free(&m->labels);
	free(m->hit);
	free(m->labid);
	buf_free(&m->key);
	buf_free(&m->seg);
	free(m);
}

void
uplift_model_bind(struct uplift_model *m, const struct rec *r)
{
	m->bound = 1;
	for (int i = 0; i < m->spec.ncols; i++) {
		m->ix[i] = rec_col(r, m->spec.col[i].name);
		if (m->ix[i] < 0 && m->bound) {
			m->bound = 0;
			if (xs_verbose && !r->empty)
				note("%s: no column '%s': the uplift model's "
				    "candidate-level effects only", r->name,
				    m->spec.col[i].name);
		}
	}
}

static const struct uplift_hit *
model_find(const struct uplift_model *m)
{
	uint32_t id = intern_find(&m->keys, m->key.s, m->key.len);

	if (id == INTERN_NONE || isnan(m->hit[id].cate))
		return NULL;
	return &m->hit[id];
}

int
uplift_lookup(struct uplift_model *m, const char *cand, size_t n,
    char *const *f, const size_t *len, struct uplift_hit *hit)
{
	const struct uplift_hit *h;
	const char *err = NULL;
	int bad;

	if (m->spec.ncols && m->bound) {
		bad = uplift_seg_key(&m->spec, m->ix, f, len, &m->seg, &err);
		if (bad >= 0) {
			snprintf(m->err, sizeof m->err, "column '%.60s': %s: "
			    "\"%.40s\"", m->spec.col[bad].name, err,
			    f[m->ix[bad]]);
			return UPLIFT_BAD;
		}
		model_key(&m->key, cand, n, &m->seg);
		if ((h = model_find(m))) {
			*hit = *h;
			return UPLIFT_SEGMENT;
		}
	}
	model_key(&m->key, cand, n, NULL);
	if ((h = model_find(m))) {
		*hit = *h;
		return UPLIFT_CANDIDATE;
	}
	return UPLIFT_NONE;
}

const char *
uplift_model_err(const struct uplift_model *m)
{
	return m->err;
}

double
uplift_model_maxabs(const struct uplift_model *m)
{
	return m->maxabs;
}

const char *
uplift_model_not_rates(const struct uplift_model *m)
{
	return m->notrate[0] ? m->notrate : NULL;
}

const char *
uplift_model_spec(const struct uplift_model *m)
{
	return m->spectext;
}
