/*
 * uplift.h: conditional average treatment effects (CATE) of offers by
 * customer segment, learned from events with a holdout, and looked up
 * again when scoring. See man/xsell-uplift.7 for the formulas.
 *
 * Two entry points for the tools:
 *   xsell-learn --uplift      uplift_learn() (upliftlearn.h) writes the model rows;
 *   xsell-score --uplift-model  uplift_model_load(), uplift_model_bind(),
 *                             uplift_lookup() read them back.
 * The pieces in between (segment specs, cell estimators, the regularised
 * GLM fit) are exported for the unit tests.
 */
#ifndef UPLIFT_H
#define UPLIFT_H

#include <stddef.h>

#include "xsell.h"
#include "buf.h"
#include "rec.h"

/* ---- segment specs: --segment-by tier,tenure_months:12,36 ---- */

/*
 * A column without edges is categorical: its value is the segment label.
 * A column with edges e1 < ... < ek is numeric and banded into k + 1
 * bands labelled "<e1", "e1-e2", ..., ">=ek", band i holding
 * e(i) <= x < e(i+1). A missing value is the label "" in both kinds.
 */
struct useg_col {
	char *name;
	double *edges;
	int nedges;		/* 0: categorical */
	char **label;		/* nedges + 1 band labels */
};

struct uplift_spec {
	int ncols;
	struct useg_col *col;
};

void uplift_spec_init(struct uplift_spec *s);
void uplift_spec_free(struct uplift_spec *s);
/*
 * Adds the columns of one --segment-by value. After "COL:" every
 * comma-separated item that is a number is an edge of COL; the first
 * item that is not starts the next column. Returns NULL or a reason.
 */
const char *uplift_spec_add(struct uplift_spec *s, const char *text);
/* The canonical text (edges in num_fmt form), which parses back to s. */
void uplift_spec_text(const struct uplift_spec *s, struct buf *out);
/* Band of a number: 0 .. nedges. */
int uplift_band(const struct useg_col *c, double v);

/*
 * The segment key of a row: each column's label (the value itself, or
 * its band), separated by 0x1f. ix[i] is spec column i's index in f.
 * Returns -1, or the spec column whose value is not a number (the
 * reason in *err).
 */
int uplift_seg_key(const struct uplift_spec *s, const int *ix,
    char *const *f, const size_t *len, struct buf *key, const char **err);

/* ---- cell estimators ---- */

/* Outcome sums of one arm: events, sum of y, sum of y squared. */
struct uplift_arm {
	double n, sum, sumsq;
};

/* One estimate: CATE with its 95% interval and standard error, and the
 * outcome without the offer. */
struct uplift_est {
	double cate, lo, hi, se, base;
};

/* Sets se, lo, hi of an estimate from the variance of its cate. */
void uplift_est_finish(struct uplift_est *e, double var);
/* (sum + k * prior) / (n + k): k pseudo-observations at prior. */
double uplift_shrink(double sum, double n, double prior, double k);

/* Candidate level: difference of arm means, Wald interval. NaN when an
 * arm is empty. Each takes two arms: [0] control, [1] treatment. */
void uplift_est_candidate(const struct uplift_arm *cand,
    struct uplift_est *out);
/* T-learner cell: each arm's mean shrunk toward the candidate's. */
void uplift_est_t(const struct uplift_arm *cell,
    const struct uplift_arm *cand, double k, struct uplift_est *out);
/* X-learner cell: imputed effects, shrunk toward the candidate's effect,
 * combined with the treated share e as the weight of the control side. */
void uplift_est_x(const struct uplift_arm *cell,
    const struct uplift_arm *cand, double k, double e,
    struct uplift_est *out);

/* ---- regularised GLM by IRLS (the logistic T-learner) ---- */

enum { GLM_LOGIT, GLM_LINEAR };

/*
 * Fits beta on aggregated rows: row j has features x[j * p .. j * p + p)
 * (x[j * p] = 1, the intercept), weight w[j] (events) and outcome sum
 * s[j]; ss[j] is the sum of squares (GLM_LINEAR's residual variance;
 * may be NULL for GLM_LOGIT). Maximises
 *   sum_j [s_j log m_j + (w_j - s_j) log(1 - m_j)] - l2/2 sum_{i>0} b_i^2
 * (GLM_LOGIT, m = 1/(1+exp(-x b))), or minimises
 *   1/2 sum_j sum (y - x_j b)^2 + l2/2 sum_{i>0} b_i^2 (GLM_LINEAR)
 * by Newton steps. The intercept is not penalised.
 */
struct uplift_glm {
	int p;
	double *beta;	/* p */
	double *cov;	/* p x p: inverse penalised Hessian (x sigma^2, linear) */
	int iter;
	int ok;		/* converged, Hessian positive definite */
};

void uplift_glm_init(struct uplift_glm *g, int p);
void uplift_glm_free(struct uplift_glm *g);
int uplift_glm_fit(struct uplift_glm *g, int family, size_t nrow,
    const double *x, const double *w, const double *s, const double *ss,
    double l2);
/* Mean outcome at x: the inverse link of x b. */
double uplift_glm_mean(const struct uplift_glm *g, int family,
    const double *x);

/* ---- the two tools ---- */

/* What uplift_lookup found. */
enum { UPLIFT_BAD = -1, UPLIFT_NONE = 0, UPLIFT_CANDIDATE = 1,
	UPLIFT_SEGMENT = 2 };

struct uplift_hit {
	double cate, lo, hi, base;
	/* The rate with the offer: base + cate where the model has both,
	 * else its rate_t column; NaN when neither. xsell-score's
	 * propensity from --propensity-model. */
	double treated;
	const char *label;	/* "" when the model has none */
};

struct uplift_model;

/*
 * Reads a model written by xsell-learn --uplift: exit 4 when it cannot
 * be opened, 3 when it is not a model. Its segment_spec column says how
 * to band; a model without one (written by hand) has categorical segment
 * columns between candidate_id and n_t, and "" or "*" in all of them
 * marks the candidate-level row.
 */
struct uplift_model *uplift_model_load(const char *path);
void uplift_model_free(struct uplift_model *m);
/* Finds the model's segment columns in the input being scored. When one
 * is missing, lookups use the candidate-level rows only (said with -v):
 * a product page's context has no customer attributes. */
void uplift_model_bind(struct uplift_model *m, const struct rec *r);
/*
 * The effect for candidate cand in the segment of the row (f, len):
 * the segment's row, or the candidate-level row when the segment is
 * unseen or has no estimate; UPLIFT_NONE for an unknown candidate;
 * UPLIFT_BAD when a banded column's value is not a number, the reason in
 * uplift_model_err() for the caller to die with the row's file:line. Uses
 * scratch space in m: one lookup at a time.
 */
int uplift_lookup(struct uplift_model *m, const char *cand,
    size_t candlen, char *const *f, const size_t *len,
    struct uplift_hit *hit);
const char *uplift_model_err(const struct uplift_model *m);
/* The largest |cate| of the model's rows (0 for none): xsell-score's
 * normalisation of uplift to [-1, 1]. */
double uplift_model_maxabs(const struct uplift_model *m);
/* NULL when every base_rate and rate_t of the model is in [0, 1] (a
 * model of conversions, whose treated rate is a probability); else why
 * not, naming the first row that is not. */
const char *uplift_model_not_rates(const struct uplift_model *m);
/* The segment spec the model was learned with (canonical text). */
const char *uplift_model_spec(const struct uplift_model *m);

#endif
