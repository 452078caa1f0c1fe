/* test-uplift.c: segment specs and banding, the cell estimators with
 * their shrinkage, the regularised GLM against independently computed
 * coefficients, and model lookups with their fallback. */
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "uplift.h"
#include "xsell.h"
#include "buf.h"
#include "rec.h"

#define Z95 1.959963984540054

static int
near(double got, double want, double tol)
{
	if (fabs(got - want) <= tol)
		return 1;
	printf("#   got %.15g, want %.15g\n", got, want);
	return 0;
}

static void
test_spec(void)
{
	struct uplift_spec s;
	struct buf b;
	const char *err;

	uplift_spec_init(&s);
	buf_init(&b);
	ok(uplift_spec_add(&s, "tier,tenure_months:12,36") == NULL,
	    "spec: a categorical and a banded column");
	ok(s.ncols == 2 && s.col[0].nedges == 0 && s.col[1].nedges == 2,
	    "spec: tier categorical, tenure_months with 2 edges");
	is_str(s.col[1].label[0], "<12", "band label below the first edge");
	is_str(s.col[1].label[1], "12-36", "band label between edges");
	is_str(s.col[1].label[2], ">=36", "band label from the last edge");
	/* A second --segment-by appends; items after edges that are not
	 * numbers start a new column. */
	ok(uplift_spec_add(&s, "age:25.5,has_card") == NULL,
	    "spec: a second value appends");
	uplift_spec_text(&s, &b);
	is_str(buf_str(&b), "tier,tenure_months:12,36,age:25.5,has_card",
	    "spec: canonical text");
	uplift_spec_free(&s);

	uplift_spec_init(&s);
	ok(uplift_spec_add(&s, "x:1e1,2e1") == NULL, "spec: edges in any "
	    "number form");
	buf_reset(&b);
	uplift_spec_text(&s, &b);
	is_str(buf_str(&b), "x:10,20", "spec: edges written by num_fmt");
	uplift_spec_free(&s);

	{
		static const char *const bad[][2] = {
			{ "x:", "column 'x': no band edges after ':'" },
			{ "x:2,1", "column 'x': edges must increase" },
			{ "x:2,2", "column 'x': edges must increase" },
			{ "x,x", "column 'x' named twice" },
			{ "cate", "column 'cate' is one of the model's own "
			    "columns" },
			{ "", "no columns" },
			{ "x:abc", "column 'x': edge not a number: \"abc\"" },
		};

		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			uplift_spec_init(&s);
			err = uplift_spec_add(&s, bad[i][0]);
			is_str(err, bad[i][1], "spec error for \"%s\"", bad[i][0]);
			uplift_spec_free(&s);
		}
	}
	buf_free(&b);
}

static void
test_band(void)
{
	struct uplift_spec s;
	struct buf key;
	char *f[3];
	size_t len[3];
	int ix[2] = { 2, 0 };
	const char *err = NULL;

	uplift_spec_init(&s);
	buf_init(&key);
	uplift_spec_add(&s, "tenure:12,36,tier");
	ok(uplift_band(&s.col[0], 11.999) == 0, "band: 11.999 is <12");
	ok(uplift_band(&s.col[0], 12) == 1, "band: 12 is 12-36 (edges "
	    "belong to the band above)");
	ok(uplift_band(&s.col[0], 35.9) == 1, "band: 35.9 is 12-36");
	ok(uplift_band(&s.col[0], 36) == 2, "band: 36 is >=36");
	ok(uplift_band(&s.col[0], -5) == 0, "band: negatives are <12");

	f[0] = "gold";
	f[1] = "unused";
	f[2] = "40";
	for (int i = 0; i < 3; i++)
		len[i] = strlen(f[i]);
	ok(uplift_seg_key(&s, ix, f, len, &key, &err) == -1, "key: ok");
	is_str(buf_str(&key), ">=36\x1fgold", "key: band and value joined "
	    "by 0x1f");
	f[2] = "";
	len[2] = 0;
	uplift_seg_key(&s, ix, f, len, &key, &err);
	is_str(buf_str(&key), "\x1fgold", "key: a missing value is an "
	    "empty label");
	f[2] = "ten";
	len[2] = 3;
	ok(uplift_seg_key(&s, ix, f, len, &key, &err) == 0 && err &&
	    strcmp(err, "not a number") == 0, "key: a non-number names "
	    "column 0");
	uplift_spec_free(&s);
	buf_free(&key);
}

static void
test_estimators(void)
{
	struct uplift_arm cand[2], cell[2];
	struct uplift_est e;
	double se;

	ok(near(uplift_shrink(3, 10, 0.5, 10), 0.4, 1e-15),
	    "shrink: (3 + 10 x 0.5) / (10 + 10) = 0.4");

	/* Candidate: control 10/100, treated 30/100 (0/1 outcomes, so
	 * sumsq = sum). */
	cand[0] = (struct uplift_arm){ 100, 10, 10 };
	cand[1] = (struct uplift_arm){ 100, 30, 30 };
	uplift_est_candidate(cand, &e);
	se = sqrt(0.3 * 0.7 / 100 + 0.1 * 0.9 / 100);
	ok(near(e.cate, 0.2, 1e-12) && near(e.se, se, 1e-12) &&
	    near(e.lo, 0.2 - Z95 * se, 1e-12) && near(e.base, 0.1, 1e-15),
	    "candidate: difference of rates with the Wald interval");

	/*
	 * A thin cell: treated 2/4, control 0/4; K = 6 pseudo-observations.
	 * r_t = (2 + 6 x 0.3) / 10 = 0.38, r_c = (0 + 6 x 0.1) / 10 = 0.06,
	 * cate 0.32 (raw: 0.5). Variance: r(1 - r) / (n + K) per arm:
	 * 0.38 x 0.62 / 10 + 0.06 x 0.94 / 10 = 0.02356 + 0.00564 = 0.0292.
	 */
	cell[0] = (struct uplift_arm){ 4, 0, 0 };
	cell[1] = (struct uplift_arm){ 4, 2, 2 };
	uplift_est_t(cell, cand, 6, &e);
	ok(near(e.cate, 0.32, 1e-12), "t: thin cell shrinks 0.5 to 0.32");
	ok(near(e.base, 0.06, 1e-12), "t: base rate is the shrunk control "
	    "rate");
	ok(near(e.se, sqrt(0.0292), 1e-12), "t: posterior standard error");
	ok(near(e.hi, 0.32 + Z95 * sqrt(0.0292), 1e-12), "t: 95%% interval");
	uplift_est_t(cell, cand, 0, &e);
	ok(near(e.cate, 0.5, 1e-12) && near(e.se, sqrt(0.5 * 0.5 / 4), 1e-12),
	    "t: K = 0 is the raw difference with the Wald interval");
	uplift_est_t(cell, cand, 1e12, &e);
	ok(near(e.cate, 0.2, 1e-9), "t: K -> infinity is the candidate's "
	    "effect");

	/* Revenue: treated 10, 0, 20 (sum 30, sumsq 500); control 0, 0.
	 * Candidate treated mean 5, E[y^2] 100; control 2, E[y^2] 20. K = 2:
	 * r_t = (30 + 10) / 5 = 8, s2_t = (500 + 200) / 5 - 64 = 76;
	 * r_c = (0 + 4) / 4 = 1, s2_c = (0 + 40) / 4 - 1 = 9;
	 * var = 76 / 5 + 9 / 4 = 17.45. */
	cand[0] = (struct uplift_arm){ 50, 100, 1000 };
	cand[1] = (struct uplift_arm){ 50, 250, 5000 };
	cell[0] = (struct uplift_arm){ 2, 0, 0 };
	cell[1] = (struct uplift_arm){ 3, 30, 500 };
	uplift_est_t(cell, cand, 2, &e);
	ok(near(e.cate, 7, 1e-12) && near(e.se, sqrt(17.45), 1e-12),
	    "t: revenue outcome, shrunk mean and second moment");

	/*
	 * X-learner by hand. Candidate: treated 40/100, control 20/100,
	 * tau = 0.2; cell: treated 8/10, control 1/5; K = 10; e = 0.5.
	 * a_t = 10/20 = 1/2, a_c = 5/15 = 1/3.
	 * mu1 = 0.5 x 0.8 + 0.5 x 0.4 = 0.6; mu0 = (0.2 + 2 x 0.2) / 3 = 0.2.
	 * tau1 = a_t (0.8 - mu0) + (1 - a_t) tau = 0.3 + 0.1 = 0.4
	 * tau0 = a_c (mu1 - 0.2) + (1 - a_c) tau = 0.4/3 + 0.4/3 = 0.8/3
	 * cate = 0.5 x 0.8/3 + 0.5 x 0.4 = 1/3.
	 * Weights of the cell means: w_t = a_t ((1 - e) + e a_c) = 1/3,
	 * w_c = a_c (e + (1 - e) a_t) = 1/4; s2_t = r_t (1 - r_t) with
	 * r_t = mu1 = 0.6, s2_c = 0.2 x 0.8;
	 * var = w_t^2 s2_t (n_t + K) / n_t^2 + w_c^2 s2_c (n_c + K) / n_c^2
	 *     = (1/9)(0.24)(20/100) + (1/16)(0.16)(15/25) = 0.00533.. + 0.006
	 */
	cand[0] = (struct uplift_arm){ 100, 20, 20 };
	cand[1] = (struct uplift_arm){ 100, 40, 40 };
	cell[0] = (struct uplift_arm){ 5, 1, 1 };
	cell[1] = (struct uplift_arm){ 10, 8, 8 };
	uplift_est_x(cell, cand, 10, 0.5, &e);
	ok(near(e.cate, 1.0 / 3, 1e-12), "x: cate by hand");
	ok(near(e.se, sqrt(0.24 * 0.2 / 9 + 0.16 * 0.6 / 16), 1e-12),
	    "x: variance from the weights of the cell means");
	ok(near(e.base, 0.2, 1e-12), "x: base rate mu0");
	uplift_est_x(cell, cand, 0, 0.9, &e);
	ok(near(e.cate, 0.6, 1e-12) && near(e.se, sqrt(0.8 * 0.2 / 10 +
	    0.2 * 0.8 / 5), 1e-12), "x: K = 0 is the raw difference");
	/* With no controls in the cell the control side says nothing: the
	 * candidate's effect plus the treated deviation, weighted 1 - e. */
	cell[0] = (struct uplift_arm){ 0, 0, 0 };
	uplift_est_x(cell, cand, 10, 0.9, &e);
	ok(near(e.cate, 0.2 + 0.1 * 0.5 * (0.8 - 0.4), 1e-12),
	    "x: an empty control arm leans on the candidate's effect");

	cand[0] = (struct uplift_arm){ 0, 0, 0 };
	uplift_est_candidate(cand, &e);
	ok(isnan(e.cate) && isnan(e.lo) && isnan(e.base),
	    "candidate without controls: no estimate");
}

/* ---- GLM against independent computations ---- */

static double
sigm(double x)
{
	return 1 / (1 + exp(-x));
}

/* The intercept solving the intercept's score equation for a fixed slope,
 * by bisection: sum_j s_j - w_j sigm(b0 + b1 x_j) = 0. */
static double
intercept_for(double b1, const double *x1, const double *w, const double *s,
    int n)
{
	double lo = -30, hi = 30;

	for (int it = 0; it < 200; it++) {
		double mid = (lo + hi) / 2, g = 0;

		for (int j = 0; j < n; j++)
			g += s[j] - w[j] * sigm(mid + b1 * x1[j]);
		if (g > 0)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/* Both score equations by nested bisection: the slope's
 * sum_j x_j (s_j - w_j m_j) - l2 b1 is decreasing in b1. */
static void
bisect_fit(const double *x1, const double *w, const double *s, int n,
    double l2, double *b0, double *b1)
{
	double lo = -30, hi = 30;

	for (int it = 0; it < 200; it++) {
		double mid = (lo + hi) / 2, c = intercept_for(mid, x1, w, s, n);
		double g = -l2 * mid;

		for (int j = 0; j < n; j++)
			g += x1[j] * (s[j] - w[j] * sigm(c + mid * x1[j]));
		if (g > 0)
			lo = mid;
		else
			hi = mid;
	}
	*b1 = (lo + hi) / 2;
	*b0 = intercept_for(*b1, x1, w, s, n);
}

static void
test_glm(void)
{
	struct uplift_glm g;

	/*
	 * Saturated, unpenalised: group 0 has 3 of 10, group 1 has 15 of 20.
	 * The fit reproduces both rates: b0 = logit(0.3) = log(3/7),
	 * b0 + b1 = logit(0.75) = log 3, so b1 = log 3 - log(3/7) = log 7.
	 * Inverse information: var b0 = 1/(10 x 0.3 x 0.7) = 1/2.1,
	 * var b1 = 1/2.1 + 1/(20 x 0.75 x 0.25) = 1/2.1 + 1/3.75,
	 * cov = -1/2.1.
	 */
	{
		double x[] = { 1, 0, 1, 1 }, w[] = { 10, 20 }, s[] = { 3, 15 };

		uplift_glm_init(&g, 2);
		ok(uplift_glm_fit(&g, GLM_LOGIT, 2, x, w, s, NULL, 0),
		    "glm: saturated fit converges");
		ok(near(g.beta[0], log(3.0 / 7), 1e-10), "glm: b0 = log(3/7)");
		ok(near(g.beta[1], log(7.0), 1e-10), "glm: b1 = log 7");
		ok(near(g.cov[0], 1 / 2.1, 1e-9) &&
		    near(g.cov[3], 1 / 2.1 + 1 / 3.75, 1e-9) &&
		    near(g.cov[1], -1 / 2.1, 1e-9), "glm: covariance is the "
		    "inverse information");
		ok(near(uplift_glm_mean(&g, GLM_LOGIT, x + 2), 0.75, 1e-10),
		    "glm: fitted mean of group 1");
		uplift_glm_free(&g);
	}
	/* The same data with l2 = 2, against nested bisection on the two
	 * score equations. */
	{
		double x[] = { 1, 0, 1, 1 }, x1[] = { 0, 1 };
		double w[] = { 10, 20 }, s[] = { 3, 15 }, b0, b1;

		bisect_fit(x1, w, s, 2, 2, &b0, &b1);
		uplift_glm_init(&g, 2);
		ok(uplift_glm_fit(&g, GLM_LOGIT, 2, x, w, s, NULL, 2),
		    "glm: penalised fit converges");
		ok(near(g.beta[0], b0, 1e-9) && near(g.beta[1], b1, 1e-9),
		    "glm: l2 = 2 matches bisection (b1 = %.6f)", b1);
		ok(b1 < log(7.0) - 0.1, "glm: the penalty pulls the slope in");
		uplift_glm_free(&g);
	}
	/* A continuous covariate, one event per row, l2 = 0.5. */
	{
		double x1[] = { -2, -1, -0.5, 0, 0.5, 1, 1.5, 2.5 };
		double y[] = { 0, 0, 1, 0, 1, 0, 1, 1 };
		double w[8], x[16], b0, b1;

		for (int j = 0; j < 8; j++) {
			w[j] = 1;
			x[2 * j] = 1;
			x[2 * j + 1] = x1[j];
		}
		bisect_fit(x1, w, y, 8, 0.5, &b0, &b1);
		uplift_glm_init(&g, 2);
		uplift_glm_fit(&g, GLM_LOGIT, 8, x, w, y, NULL, 0.5);
		ok(near(g.beta[0], b0, 1e-9) && near(g.beta[1], b1, 1e-9),
		    "glm: continuous covariate matches bisection "
		    "(b0 = %.6f, b1 = %.6f)", b0, b1);
		uplift_glm_free(&g);
	}
	/* Complete separation: without a penalty the slope would run off;
	 * the penalty keeps it finite. */
	{
		double x[] = { 1, -1, 1, 1 }, w[] = { 5, 5 }, s[] = { 0, 5 };
		double b0, b1, x1[] = { -1, 1 };

		uplift_glm_init(&g, 2);
		ok(uplift_glm_fit(&g, GLM_LOGIT, 2, x, w, s, NULL, 1) &&
		    isfinite(g.beta[1]), "glm: separated data converge with l2");
		bisect_fit(x1, w, s, 2, 1, &b0, &b1);
		ok(near(g.beta[1], b1, 1e-8), "glm: separated slope matches "
		    "bisection");
		uplift_glm_free(&g);
	}
	/*
	 * Ridge regression (GLM_LINEAR), l2 = 1: x = 0, 1, 2, 3 and
	 * y = 1, 3, 2, 5. Normal equations [4 6; 6 14 + 1] b = [11; 22]:
	 * det = 60 - 36 = 24, b0 = (15 x 11 - 6 x 22) / 24 = 33/24,
	 * b1 = (4 x 22 - 6 x 11) / 24 = 22/24.
	 */
	{
		double x[] = { 1, 0, 1, 1, 1, 2, 1, 3 }, w[] = { 1, 1, 1, 1 };
		double s[] = { 1, 3, 2, 5 }, ss[] = { 1, 9, 4, 25 };

		uplift_glm_init(&g, 2);
		ok(uplift_glm_fit(&g, GLM_LINEAR, 4, x, w, s, ss, 1),
		    "glm: ridge converges");
		ok(near(g.beta[0], 33.0 / 24, 1e-12) &&
		    near(g.beta[1], 22.0 / 24, 1e-12), "glm: ridge closed form");
		uplift_glm_free(&g);
	}
}

/* ---- model files ---- */

static const char model_tsv[] =
    "candidate_id\ttier\ttenure\tn_t\tn_c\trate_t\trate_c\tcate\tcate_low"
    "\tcate_high\tbase_rate\tlabel\tfallback\tsegment_spec\n"
    "card\t*\t*\t100\t100\t0.1\t0.05\t0.05\t0.01\t0.09\t0.05\tpersuadable"
    "\t0\ttier,tenure:12\n"
    "card\tgold\t<12\t20\t20\t0.3\t0.05\t0.2\t0.1\t0.3\t0.05\tpersuadable"
    "\t0\ttier,tenure:12\n"
    "card\tgold\t>=12\t20\t20\t0.1\t0.1\t0\t-0.1\t0.1\t0.1\tsure_thing"
    "\t0\ttier,tenure:12\n"
    "card\t\t<12\t20\t20\t0.1\t0.1\t-0.3\t-0.4\t-0.2\t0.1\tsleeping_dog"
    "\t0\ttier,tenure:12\n"
    "savings\t*\t*\t100\t100\t0.3\t0.3\t0\t-0.05\t0.05\t0.3\tsure_thing"
    "\t0\ttier,tenure:12\n";

static void
test_model(void)
{
	char path[] = "/tmp/test-uplift-XXXXXX";
	int fd = mkstemp(path);
	struct uplift_model *m;
	struct uplift_hit h;
	struct rec r;
	char *f[3];
	size_t len[3];
	char in[] = "/tmp/test-uplift-in-XXXXXX";
	int fd2 = mkstemp(in);
	char *files[1] = { in };
	static const char ctx[] = "context_id\ttenure\ttier\nx\t5\tgold\n";

	if (fd < 0 || fd2 < 0 || write(fd, model_tsv, sizeof model_tsv - 1) < 0
	    || write(fd2, ctx, sizeof ctx - 1) < 0)
		return;
	close(fd);
	close(fd2);
	m = uplift_model_load(path);
	is_str(uplift_model_spec(m), "tier,tenure:12", "model: spec read back");
	ok(near(uplift_model_maxabs(m), 0.3, 0), "model: largest |cate|");
	memset(&r, 0, sizeof r);
	rec_open(&r, 1, files);
	uplift_model_bind(m, &r);
	rec_next(&r);
	ok(uplift_lookup(m, "card", 4, r.f, r.len, &h) ==
	    UPLIFT_SEGMENT && near(h.cate, 0.2, 0), "lookup: gold, tenure 5 "
	    "is the segment gold <12");
	is_str(h.label, "persuadable", "lookup: its label");
	f[0] = "y";
	f[1] = "12";
	f[2] = "gold";
	for (int i = 0; i < 3; i++)
		len[i] = strlen(f[i]);
	ok(uplift_lookup(m, "card", 4, f, len, &h) == UPLIFT_SEGMENT &&
	    near(h.cate, 0, 0), "lookup: tenure 12 is >=12");
	f[2] = "silver";
	len[2] = 6;
	ok(uplift_lookup(m, "card", 4, f, len, &h) == UPLIFT_CANDIDATE &&
	    near(h.cate, 0.05, 0), "lookup: an unseen segment falls back to "
	    "the candidate");
	f[1] = "3";
	f[2] = "";
	len[1] = 1;
	len[2] = 0;
	ok(uplift_lookup(m, "card", 4, f, len, &h) == UPLIFT_SEGMENT &&
	    near(h.cate, -0.3, 0), "lookup: a missing tier is its own "
	    "segment");
	ok(uplift_lookup(m, "savings", 7, f, len, &h) ==
	    UPLIFT_CANDIDATE && near(h.cate, 0, 0), "lookup: candidate-level "
	    "only");
	ok(uplift_lookup(m, "loan", 4, f, len, &h) == UPLIFT_NONE,
	    "lookup: an unknown candidate");
	f[1] = "ten";
	len[1] = 3;
	ok(uplift_lookup(m, "card", 4, f, len, &h) == UPLIFT_BAD,
	    "lookup: a banded value that is not a number");
	is_str(uplift_model_err(m), "column 'tenure': not a number: \"ten\"",
	    "lookup: the reason");
	rec_close(&r);
	uplift_model_free(m);
	unlink(path);
	unlink(in);
}

/* A hand-written model without segment_spec: the columns between
 * candidate_id and n_t are categorical segments; "" or "*" in all of them
 * is the candidate level. Scored input without the segment column uses the
 * candidate-level rows. */
static const char legacy_tsv[] =
    "candidate_id\ttier\tn_t\tn_c\tcate\tlabel\n"
    "savings\t\t900\t100\t0\tsure_thing\n"
    "card\t*\t900\t100\t0.05\tpersuadable\n"
    "card\tpremium\t300\t30\t-0.1\tsleeping_dog\n";

static void
test_legacy(void)
{
	char path[] = "/tmp/test-uplift-XXXXXX";
	char in[] = "/tmp/test-uplift-in-XXXXXX";
	int fd = mkstemp(path), fd2 = mkstemp(in);
	static const char ctx[] = "context_id\ttier\nx\tpremium\n";
	static const char bare[] = "context_id\nx\n";
	char *files[1] = { in };
	struct uplift_model *m;
	struct uplift_hit h;
	struct rec r;

	if (fd < 0 || fd2 < 0 || write(fd, legacy_tsv,
	    sizeof legacy_tsv - 1) < 0 || write(fd2, ctx, sizeof ctx - 1) < 0)
		return;
	close(fd);
	close(fd2);
	m = uplift_model_load(path);
	is_str(uplift_model_spec(m), "tier", "legacy: segment columns by "
	    "position");
	memset(&r, 0, sizeof r);
	rec_open(&r, 1, files);
	uplift_model_bind(m, &r);
	rec_next(&r);
	ok(uplift_lookup(m, "card", 4, r.f, r.len, &h) == UPLIFT_SEGMENT &&
	    near(h.cate, -0.1, 0), "legacy: the premium segment");
	ok(uplift_lookup(m, "savings", 7, r.f, r.len, &h) ==
	    UPLIFT_CANDIDATE && near(h.cate, 0, 0), "legacy: an empty tier "
	    "is the candidate level");
	rec_close(&r);

	fd2 = open(in, O_WRONLY | O_TRUNC);
	if (fd2 < 0 || write(fd2, bare, sizeof bare - 1) < 0)
		return;
	close(fd2);
	memset(&r, 0, sizeof r);
	rec_open(&r, 1, files);
	uplift_model_bind(m, &r);
	rec_next(&r);
	ok(uplift_lookup(m, "card", 4, r.f, r.len, &h) ==
	    UPLIFT_CANDIDATE && near(h.cate, 0.05, 0), "input without the "
	    "segment column: candidate level");
	rec_close(&r);
	uplift_model_free(m);
	unlink(path);
	unlink(in);
}

int
main(void)
{
	test_spec();
	test_band();
	test_estimators();
	test_glm();
	test_model();
	test_legacy();
	return tap_done();
}
