/*
 * stats.h: the statistics xsell reports: distributions (normal, Student t,
 * chi-square), intervals for proportions and means, two-sample tests, the
 * delta method for ratios, and Qini curves for uplift.
 *
 * Pure functions of numbers, no I/O, no allocation except st_qini_curve's
 * output. Every interval is two-sided at confidence level conf (0.95 for
 * 95%). A result that does not exist (an empty sample, a zero
 * denominator) is NaN, never a made-up number: callers print it as missing.
 */
#ifndef STATS_H
#define STATS_H

#include <stddef.h>

/* ---- distributions ---- */

/* Standard normal: P(Z <= x), P(Z > x) without cancellation, density. */
double st_norm_cdf(double x);
double st_norm_sf(double x);
double st_norm_pdf(double x);
/* Inverse of st_norm_cdf for 0 < p < 1 (-inf at 0, +inf at 1, NaN
 * outside), to full double precision. */
double st_norm_quantile(double p);
/* Two-sided critical value: st_norm_quantile(1 - (1 - conf) / 2). */
double st_z(double conf);

/* Student t with df > 0 degrees of freedom (df may be fractional, as
 * Welch's is). */
double st_t_cdf(double t, double df);
double st_t_quantile(double p, double df);

/* Chi-square with df > 0: P(X > x). */
double st_chisq_sf(double x, double df);

/*
 * Hypergeometric P(X = k): k of the c marked among r drawn from t (the
 * 2x2 table k, r - k, c - k, t - r - c + k), whole numbers. Loader's
 * saddle-point form (stirlerr and deviance terms), so relative error is
 * a few ulps times the size of log P, not the size of log t! as with
 * lgamma differences. 0 outside the support; NaN for impossible margins.
 */
double st_hyper_pmf(double k, double r, double c, double t);

/* Regularised incomplete gamma P(a, x), Q(a, x) = 1 - P, and incomplete
 * beta I_x(a, b): the building blocks above, exported for tests and
 * for tools that need other distributions. */
double st_gamma_p(double a, double x);
double st_gamma_q(double a, double x);
double st_beta_inc(double a, double b, double x);

/* ---- intervals ---- */

struct st_interval {
	double est, lo, hi;
	double se;	/* standard error of est */
	double p;	/* two-sided p-value of est = 0 (of the ratio = 1 for
			 * st_ratio), NaN where no test applies */
};

/* Wilson score interval for a proportion x successes out of n. */
void st_wilson(double x, double n, double conf, struct st_interval *out);

/*
 * Two independent proportions x1/n1 and x2/n2 (treatment, control):
 * est = p1 - p2 with the unpooled (Wald) interval
 * se = sqrt(p1(1-p1)/n1 + p2(1-p2)/n2), and p the pooled two-proportion
 * z-test: z = (p1 - p2) / sqrt(q(1-q)(1/n1 + 1/n2)), q = (x1+x2)/(n1+n2).
 * z is stored in *zout when not NULL.
 */
void st_prop_diff(double x1, double n1, double x2, double n2, double conf,
    struct st_interval *out, double *zout);

/*
 * Ratio of two independent estimates m1/m2 with standard errors s1, s2,
 * by the delta method: se = |m1/m2| sqrt((s1/m1)^2 + (s2/m2)^2), written
 * equivalently as sqrt(s1^2/m2^2 + m1^2 s2^2/m2^4) so m1 = 0 works.
 * p tests ratio = 1 with a normal approximation.
 */
void st_ratio(double m1, double s1, double m2, double s2, double conf,
    struct st_interval *out);

/* Relative lift of proportion x1/n1 over x2/n2: p1/p2 - 1 with the delta
 * method interval of the ratio, shifted by -1. */
void st_lift(double x1, double n1, double x2, double n2, double conf,
    struct st_interval *out);

/* ---- means: streaming moments and Welch's interval ---- */

struct st_moments {
	double n, mean, m2;	/* m2: sum of squared deviations (Welford) */
	double sum;		/* the mean reported is sum / n: exact for
				 * money amounts where the running mean drifts */
};

void st_moments_init(struct st_moments *m);
void st_moments_add(struct st_moments *m, double x);
/* Adds b into a (Chan et al.), for sharded or grouped inputs. */
void st_moments_merge(struct st_moments *a, const struct st_moments *b);
/* sum / n; NaN for n = 0. */
double st_moments_mean(const struct st_moments *m);
/* Sample variance (n - 1 denominator); NaN for n < 2. */
double st_moments_var(const struct st_moments *m);

/*
 * Welch's unequal-variance comparison of means a - b (est from
 * st_moments_mean):
 * se = sqrt(va/na + vb/nb), df = se^4 / ((va/na)^2/(na-1) + (vb/nb)^2/(nb-1)),
 * interval est +- t(1-(1-conf)/2, df) se, p from the t distribution.
 * The degrees of freedom go to *dfout when not NULL. Both samples need
 * n >= 2; with se = 0 the interval is the point and p is NaN.
 */
void st_welch(const struct st_moments *a, const struct st_moments *b,
    double conf, struct st_interval *out, double *dfout);

/* ---- goodness of fit ---- */

/*
 * Pearson's chi-square of observed counts against expected shares
 * (summing to 1) over k cells, df = k - 1. Returns the p-value, the
 * statistic in *stat when not NULL. Used for the sample-ratio-mismatch
 * test: observed arm sizes against the planned split.
 */
double st_chisq_gof(const double *obs, const double *share, int k,
    double *stat);

/* ---- uplift: Qini curve and area under it ---- */

struct st_unit {
	double score;	/* model's uplift score: higher is targeted first */
	double y;	/* outcome: converted 0/1, or a revenue */
	int treated;	/* 1 treatment, 0 control */
};

/*
 * A point of the Qini curve after targeting the n highest-scored units
 * (units with equal scores enter together): n_t, n_c treated and control
 * among them, y_t, y_c their summed outcomes, and
 * qini = y_t - y_c * n_t / n_c (y_c term 0 while n_c = 0),
 * the incremental outcome so far in treatment-sized units; area is the
 * area under the curve so far (st_qini_area of the points up to this
 * one, to the bit), so the last point's is the AUUC.
 */
struct st_qini_point {
	double n, n_t, n_c, y_t, y_c, qini;
	double area;
};

/*
 * Sorts u by score (descending) and returns the curve: a first point at
 * n = 0 and one per distinct score, in *out (malloc'd; free it). Returns
 * the number of points (0 with no units, and *out NULL).
 */
size_t st_qini_curve(struct st_unit *u, size_t n, struct st_qini_point **out);

/*
 * Areas with x = n / N (the fraction targeted) by the trapezoid rule:
 * auuc under the model's curve, random under the straight line to the
 * last point (qini(N) / 2), perfect under the curve of the ideal order
 * (treated units by outcome descending, then control units by outcome
 * ascending), and their normalisations:
 *   qini       = auuc - random          (Qini coefficient)
 *   vs_random  = auuc / random          (1 = no better than random)
 *   vs_perfect = (auuc - random) / (perfect - random)  (1 = ideal)
 * Reorders u.
 */
struct st_auuc {
	double auuc, random, perfect, qini, vs_random, vs_perfect;
	double total;	/* qini(N): incremental outcome of treating all */
};

double st_qini_area(const struct st_qini_point *pt, size_t npt);
void st_auuc(struct st_unit *u, size_t n, struct st_auuc *out);

/* ---- experiments: multiple comparisons, sequential tests, CUPED, planning ---- */

/*
 * Holm's step-down adjustment of m p-values (Holm 1979): with the
 * p-values sorted, p(1) <= ... <= p(m),
 *   adj(i) = min(1, max over j <= i of (m - j + 1) p(j)),
 * written back in the input order. A NaN p is no test: it stays NaN
 * and does not count in m.
 */
void st_holm(const double *p, size_t m, double *adj);

/*
 * Always-valid interval of a normal estimate est with standard error se
 * by the mixture sequential probability ratio test (Johari, Pekelis and
 * Walsh 2017, "Always valid inference"), with a normal mixture of
 * variance tau2 over the true effect. With s2 = se^2,
 *   Lambda(t) = sqrt(s2 / (s2 + tau2)) exp(tau2 (est - t)^2 / (2 s2 (s2 + tau2)))
 * is their statistic for effect t; the interval is the t with
 * Lambda(t) < 1 / alpha, alpha = 1 - conf:
 *   est +- sqrt(s2 (s2 + tau2) / tau2 (log((s2 + tau2) / s2) - 2 log alpha)),
 * and p = min(1, 1 / Lambda(0)). se in out is se.
 */
void st_msprt(double est, double se, double tau2, double conf,
    struct st_interval *out);

/*
 * The mixture variance tau2 that makes st_msprt's interval narrowest
 * when n units have become horizon units: the estimate's variance is
 * then se^2 n / horizon and tau2 is x times it, x the root of
 * x = log(1 + x) - 2 log alpha (8.19 for alpha 0.05), where the
 * half-width's factor (1 + 1/x)(log(1 + x) - 2 log alpha) is least.
 */
double st_msprt_tau2(double se, double n, double horizon, double conf);

/* Streaming co-moments of pairs (x, y), Welford style. */
struct st_comoments {
	double n, mx, my;	/* count, means */
	double sx, sy;		/* sums: the means reported (exact for money) */
	double m2x, m2y, cxy;	/* sums of squared and cross deviations */
};

void st_comoments_init(struct st_comoments *m);
void st_comoments_add(struct st_comoments *m, double x, double y);
void st_comoments_merge(struct st_comoments *a, const struct st_comoments *b);

/*
 * CUPED (Deng, Xu, Kohavi and Walker 2013): the difference of the means
 * of y in a and b, adjusted by a covariate x measured before the
 * experiment. theta = cov(x, y) / var(x) over a and b together; each
 * arm's y becomes y - theta (x - mean x), so
 *   est = (ybar_a - ybar_b) - theta (xbar_a - xbar_b)
 * with Welch's interval and p on the adjusted values' variances,
 *   v = (m2y - 2 theta cxy + theta^2 m2x) / (n - 1).
 * theta goes to *theta, and the share of the variance of the estimate
 * removed, 1 - se_cuped^2 / se_welch^2, to *reduction (each when not
 * NULL). With var(x) = 0, theta is 0 and the result is Welch's.
 */
void st_cuped(const struct st_comoments *a, const struct st_comoments *b,
    double conf, struct st_interval *out, double *theta, double *reduction);

/* Student t interval of one mean (est +- t(df = n - 1) sd / sqrt(n)); p
 * is NaN. Needs n >= 2. */
void st_mean_interval(const struct st_moments *m, double conf,
    struct st_interval *out);

/*
 * Contexts needed, in all, so that a two-sided test at level alpha of
 * rate p_t against p_c finds the difference with the given power, the
 * two arms taking shares e_t and e_c of the contexts:
 *   N = (z(1 - alpha/2) + z(power))^2 (p_t (1 - p_t) / e_t + p_c (1 - p_c) / e_c)
 *       / (p_t - p_c)^2
 * (not rounded). NaN when p_t = p_c or an argument is out of range.
 */
double st_plan_total(double p_t, double p_c, double e_t, double e_c,
    double alpha, double power);

#endif
