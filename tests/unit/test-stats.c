/*
 * test-stats.c: lib/stats.c against values computed independently.
 *
 * References, each named where it is used:
 * - published tables and R (qnorm, qt, pchisq, prop.test, t.test) output;
 * - closed forms of special cases (t with 1, 2 and 4 degrees of freedom,
 *   chi-square with 1, 2 and 3), coded here from textbook formulas;
 * - Simpson integration of the t density, which shares no code with the
 *   incomplete-beta route the library takes;
 * - formulas worked by hand, the arithmetic shown in the comment.
 */
#include <math.h>
#include <stdlib.h>

#include "stats.h"
#include "tap.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static int
near(double got, double want, double tol)
{
	if (isnan(want))
		return isnan(got);
	if (isinf(want))
		return got == want;
	return fabs(got - want) <= tol * (fabs(want) > 1 ? fabs(want) : 1);
}

#define is_num(got, want, tol, ...) do { \
	double g_ = (got), w_ = (want); \
	ok(near(g_, w_, tol), __VA_ARGS__); \
	if (!near(g_, w_, tol)) \
		printf("#   got %.17g want %.17g\n", g_, w_); \
} while (0)

/* P(T <= t) by Simpson's rule on the density, t >= 0. */
static double
t_cdf_simpson(double t, double df)
{
	int n = 20000, i;
	double h = t / n, s = 0, x, c;

	c = tgamma((df + 1) / 2) / (sqrt(df * M_PI) * tgamma(df / 2));
	for (i = 0; i <= n; i++) {
		x = i * h;
		s += (i == 0 || i == n ? 1 : i % 2 ? 4 : 2) *
		    c * pow(1 + x * x / df, -(df + 1) / 2);
	}
	return 0.5 + s * h / 3;
}

static void
test_normal(void)
{
	/* R: qnorm(c(.975, .95, .995, .9995, 1e-10)); also Python's
	 * statistics.NormalDist().inv_cdf (Wichura's AS241) */
	is_num(st_norm_quantile(0.975), 1.959963984540054, 1e-15, "qnorm(.975)");
	is_num(st_norm_quantile(0.95), 1.6448536269514715, 1e-15, "qnorm(.95)");
	is_num(st_norm_quantile(0.995), 2.5758293035489, 1e-14, "qnorm(.995)");
	is_num(st_norm_quantile(0.9995), 3.2905267314919255, 1e-14, "qnorm(.9995)");
	is_num(st_norm_quantile(1e-10), -6.361340902404056, 1e-14, "qnorm(1e-10)");
	is_num(st_norm_quantile(0.025), -1.959963984540054, 1e-15, "qnorm(.025)");
	is_num(st_norm_quantile(0.5), 0, 1e-16, "qnorm(.5) = 0");
	ok(isinf(st_norm_quantile(0)) && st_norm_quantile(0) < 0, "qnorm(0) = -Inf");
	ok(isinf(st_norm_quantile(1)) && st_norm_quantile(1) > 0, "qnorm(1) = Inf");
	ok(isnan(st_norm_quantile(1.5)), "qnorm(1.5) is NaN");
	is_num(st_z(0.95), 1.959963984540054, 1e-15, "z for 95%");
	is_num(st_z(0.99), 2.5758293035489, 1e-14, "z for 99%");
	/* R: pnorm(-1.96), pnorm(1), pnorm(-5) */
	is_num(st_norm_cdf(-1.96), 0.024997895148220435, 1e-15, "pnorm(-1.96)");
	is_num(st_norm_cdf(1), 0.8413447460685429, 1e-15, "pnorm(1)");
	is_num(st_norm_sf(5) / 2.866515718791939e-07, 1, 1e-12, "pnorm(-5), relative");
	/* round trip over the whole range, tails included */
	for (double p = 1e-300; p < 0.5; p *= 7.3) {
		double x = st_norm_quantile(p);
		/* cdf's condition number is about x^2: 1e-11 is a few ulps of x */
		if (!near(st_norm_cdf(x) / p, 1, 1e-11)) {
			ok(0, "cdf(quantile(%g)) = %g", p, st_norm_cdf(x));
			return;
		}
	}
	ok(1, "cdf(quantile(p)) = p from 1e-300 to 0.5");
}

/* Student t quantile for 4 degrees of freedom in closed form
 * (Shaw 2006; the Student's t-distribution article's quantile table):
 * a = 4p(1-p), q = cos(acos(sqrt a) / 3) / sqrt a, t = 2 sqrt(q - 1). */
static double
t4_quantile(double p)
{
	double a = 4 * p * (1 - p), q = cos(acos(sqrt(a)) / 3) / sqrt(a);
	return (p > 0.5 ? 2 : -2) * sqrt(q - 1);
}

static void
test_t(void)
{
	/* df 1 is Cauchy: tan(pi (p - 1/2)); R qt(.975, 1) = 12.70620473617471 */
	is_num(st_t_quantile(0.975, 1), 12.70620473617471, 1e-13, "qt(.975, 1)");
	/* df 2: (2p - 1) / sqrt(2 p (1 - p)); R qt(.975, 2) = 4.302652729749464 */
	is_num(st_t_quantile(0.975, 2), 4.302652729749464, 1e-13, "qt(.975, 2)");
	is_num(st_t_quantile(0.975, 4), t4_quantile(0.975), 1e-12, "qt(.975, 4) closed form");
	is_num(st_t_quantile(0.001, 4), t4_quantile(0.001), 1e-12, "qt(.001, 4) closed form");
	/* R: qt(.975, c(5, 10, 30)), qt(.995, 5) */
	is_num(st_t_quantile(0.975, 5), 2.570581835636314, 1e-12, "qt(.975, 5)");
	is_num(st_t_quantile(0.975, 10), 2.228138851986274, 1e-12, "qt(.975, 10)");
	is_num(st_t_quantile(0.975, 30), 2.042272456301238, 1e-12, "qt(.975, 30)");
	is_num(st_t_quantile(0.995, 5), 4.032142983557536, 1e-12, "qt(.995, 5)");
	is_num(st_t_quantile(0.025, 10), -2.228138851986274, 1e-12, "qt(.025, 10)");
	is_num(st_t_quantile(0.975, 1e9), 1.959963984540054, 1e-8, "large df is normal");
	/* large df against the Cornish-Fisher expansion, Abramowitz and
	 * Stegun 26.7.5 (four terms: error of order df^-5) */
	for (double df = 1e3; df <= 1e7; df *= 10) {
		double x = 1.959963984540054, x2 = x * x, t;
		t = x + x * (x2 + 1) / 4 / df +
		    x * ((5 * x2 + 16) * x2 + 3) / 96 / (df * df) +
		    x * (((3 * x2 + 19) * x2 + 17) * x2 - 15) / 384 / (df * df * df) +
		    x * ((((79 * x2 + 776) * x2 + 1482) * x2 - 1920) * x2 - 945) /
		    92160 / (df * df * df * df);
		is_num(st_t_quantile(0.975, df), t, 1e-13, "qt(.975, %g) Cornish-Fisher", df);
	}
	is_num(st_t_quantile(0.975, INFINITY), 1.959963984540054, 1e-15, "df = Inf is normal");
	is_num(st_t_quantile(0.5, 3), 0, 0, "median 0");
	/* heavy tail: df 1, p = 1 - 1e-12: tan(pi (1/2 - 1e-12)) */
	is_num(st_t_quantile(1 - 1e-12, 1) / (1 / tan(M_PI * 1e-12)), 1, 1e-3,
	    "qt(1 - 1e-12, 1) in the far tail");
	is_num(st_t_quantile(1e-12, 3.5), -st_t_quantile(1 - 1e-12, 3.5), 1e-3,
	    "symmetric in the far tail");
	/* fractional df against Simpson integration of the density */
	is_num(st_t_cdf(2.4, 5.882352941), t_cdf_simpson(2.4, 5.882352941), 1e-10,
	    "pt(2.4, 5.88) against Simpson");
	is_num(st_t_cdf(0.7, 24.9), t_cdf_simpson(0.7, 24.9), 1e-10,
	    "pt(0.7, 24.9) against Simpson");
	is_num(t_cdf_simpson(st_t_quantile(0.975, 5.882352941), 5.882352941), 0.975,
	    1e-10, "qt(.975, 5.88) by Simpson");
	is_num(st_t_cdf(-3, 7), 1 - t_cdf_simpson(3, 7), 1e-10, "pt(-3, 7) symmetric");
	/* far tails keep relative precision: df 1 is Cauchy,
	 * P(T > t) = atan(1/t)/pi; df 2: (1 - t/sqrt(2 + t^2))/2
	 * = 1/(sqrt(2 + t^2) (sqrt(2 + t^2) + t)) */
	is_num(st_t_cdf(-1e6, 1) / (atan(1e-6) / M_PI), 1, 1e-12, "pt(-1e6, 1)");
	is_num(st_t_cdf(-300, 2) / (1 / (sqrt(90002.0) * (sqrt(90002.0) + 300))), 1,
	    1e-12, "pt(-300, 2)");
	/* large df, far tail: the first term of the expansion in 1/df,
	 * P(T > t) = Q(t) + phi(t) (t^3 + t) / (4 df) + O(df^-2)
	 * (Abramowitz and Stegun 26.7.5's companion for the cdf) */
	is_num(st_t_cdf(-8, 1e7), st_norm_cdf(-8) + exp(-32) / sqrt(2 * M_PI) *
	    (512 + 8) / 4e7, 1e-3 * st_norm_cdf(-8) * 1e-3, "pt(-8, 1e7) expansion");
	ok(st_t_cdf(-10, 1000) > 0, "pt(-10, 1000) is not lost to cancellation");
	for (double df = 0.5; df < 300; df *= 1.7)
		for (double p = 1e-8; p < 1; p += 0.0731) {
			double t = st_t_quantile(p, df);
			if (!near(st_t_cdf(t, df), p, 1e-11)) {
				ok(0, "pt(qt(%g, %g)) = %g", p, df, st_t_cdf(t, df));
				return;
			}
		}
	ok(1, "pt(qt(p, df)) = p over p and df");
}

static void
test_chisq(void)
{
	double x;

	/* R: pchisq(3.841458820694124, 1, lower = FALSE) = 0.05 */
	is_num(st_chisq_sf(3.841458820694124, 1), 0.05, 1e-13, "qchisq(.95, 1)");
	/* R: pchisq(18.30703805327515, 10, lower = FALSE) = 0.05 */
	is_num(st_chisq_sf(18.30703805327515, 10), 0.05, 1e-12, "qchisq(.95, 10)");
	/* closed forms: df 1 erfc(sqrt(x/2)), df 2 exp(-x/2),
	 * df 3 erfc(sqrt(x/2)) + sqrt(2x/pi) exp(-x/2) */
	for (x = 0.01; x < 200; x *= 1.9) {
		if (!near(st_chisq_sf(x, 1) / erfc(sqrt(x / 2)), 1, 1e-12) ||
		    !near(st_chisq_sf(x, 2) / exp(-x / 2), 1, 1e-12) ||
		    !near(st_chisq_sf(x, 3) / (erfc(sqrt(x / 2)) +
		    sqrt(2 * x / M_PI) * exp(-x / 2)), 1, 1e-11)) {
			ok(0, "chi-square closed forms at %g", x);
			return;
		}
	}
	ok(1, "chi-square df 1, 2, 3 equal their closed forms");
	is_num(st_chisq_sf(0, 3), 1, 0, "sf(0) = 1");
	is_num(st_gamma_p(2.5, 1.3) + st_gamma_q(2.5, 1.3), 1, 1e-15, "P + Q = 1");
	/* I_x(a, 1) = x^a; I_x(1, b) = 1 - (1-x)^b */
	is_num(st_beta_inc(3.5, 1, 0.4), pow(0.4, 3.5), 1e-14, "I_x(a, 1) = x^a");
	is_num(st_beta_inc(1, 2.5, 0.3), 1 - pow(0.7, 2.5), 1e-14, "I_x(1, b)");
}

static void
test_proportions(void)
{
	struct st_interval iv;
	double z;

	/* Wilson, worked by hand: p = 8/20 = .4, z = 1.959964, z^2 = 3.841459,
	 * centre (.4 + 3.841459/40) / (1 + 3.841459/20) = .416114,
	 * half 1.959964/1.192073 sqrt(.4*.6/20 + 3.841459/1600) = .197307;
	 * R: prop.test(8, 20, correct = FALSE)$conf.int = 0.2188065 0.6134185 */
	st_wilson(8, 20, 0.95, &iv);
	is_num(iv.est, 0.4, 1e-15, "wilson estimate");
	is_num(iv.lo, 0.2188065323728171, 1e-12, "wilson 8/20 low");
	is_num(iv.hi, 0.6134184992377468, 1e-12, "wilson 8/20 high");
	/* 0 of 10: low 0, high z^2/(n + z^2) = 3.841459/13.841459 = .2775328 */
	st_wilson(0, 10, 0.95, &iv);
	is_num(iv.lo, 0, 0, "wilson 0/10 low is 0");
	is_num(iv.hi, 0.27753279986288915, 1e-12, "wilson 0/10 high");
	st_wilson(10, 10, 0.95, &iv);
	is_num(iv.hi, 1, 0, "wilson 10/10 high is 1");
	{
		char s[64];
		snprintf(s, sizeof s, "%.4f-%.4f", iv.lo, iv.hi);
		/* low n/(n + z^2) = 10/13.841459 = .7224672 */
		is_str(s, "0.7225-1.0000", "wilson 10/10");
	}
	st_wilson(0, 0, 0.95, &iv);
	ok(isnan(iv.est) && isnan(iv.lo), "wilson of nothing is NaN");

	/* R: prop.test(c(15, 25), c(50, 50), correct = FALSE):
	 * X-squared = 4.1667, p-value = 0.04123,
	 * 95 percent CI -0.38799314 -0.01200686 (unpooled) */
	st_prop_diff(15, 50, 25, 50, 0.95, &iv, &z);
	is_num(iv.est, -0.2, 1e-15, "difference of proportions");
	is_num(iv.lo, -0.3879931412322959, 1e-12, "unpooled interval low");
	is_num(iv.hi, -0.01200685876770416, 1e-12, "unpooled interval high");
	is_num(z * z, 4.166666666666667, 1e-12, "pooled z^2 = X-squared");
	is_num(iv.p, 0.041226833337163704, 1e-12, "pooled p-value");
	st_prop_diff(0, 50, 0, 50, 0.95, &iv, &z);
	ok(isnan(iv.p) && iv.est == 0, "no conversions: no p-value");
	st_prop_diff(1, 0, 1, 5, 0.95, &iv, NULL);
	ok(isnan(iv.est), "empty arm: NaN");

	/* Relative lift, by hand: p1 = .3 (30/100), p2 = .2 (20/100), r = 1.5,
	 * se^2 = .0021/.04 + .09 * .0016/.0016 = .0525 + .09 = .1425,
	 * se = .3774917, lift .5 +- 1.959964 * .3774917 */
	st_lift(30, 100, 20, 100, 0.95, &iv);
	is_num(iv.est, 0.5, 1e-15, "lift");
	is_num(iv.se, sqrt(0.1425), 1e-14, "lift standard error");
	is_num(iv.lo, -0.23987017911854813, 1e-12, "lift low");
	is_num(iv.hi, 1.2398701791185482, 1e-12, "lift high");
	st_lift(3, 10, 0, 10, 0.95, &iv);
	ok(isnan(iv.est), "lift over a zero control rate is NaN");
	/* ratio of means: 6 (se 1) over 3 (se 0.5): r = 2,
	 * se = sqrt(1/9 + 36 * .25/81) = sqrt(2/9) */
	st_ratio(6, 1, 3, 0.5, 0.95, &iv);
	is_num(iv.est, 2, 1e-15, "ratio");
	is_num(iv.se, sqrt(2.0 / 9), 1e-14, "ratio se");
	/* SRM: 5100 v 4900 against 50/50: chi = 2 * 100^2/5000 = 4;
	 * R: pchisq(4, 1, lower = FALSE) = 0.04550026 */
	{
		double obs[] = { 5100, 4900 }, share[] = { 0.5, 0.5 }, stat;
		double obs3[] = { 90, 5, 5 }, share3[] = { 0.8, 0.1, 0.1 };
		is_num(st_chisq_gof(obs, share, 2, &stat), 0.045500263896358396, 1e-12,
		    "srm p-value");
		is_num(stat, 4, 1e-12, "srm chi-square");
		/* (90-80)^2/80 + (5-10)^2/10 * 2 = 1.25 + 5 = 6.25, df 2: exp(-3.125) */
		is_num(st_chisq_gof(obs3, share3, 3, &stat), exp(-3.125), 1e-12,
		    "three cells, df 2");
		is_num(stat, 6.25, 1e-12, "three cells statistic");
	}
}

static void
test_welch(void)
{
	/* Wikipedia, Welch's t-test, example 1: t = -2.46, df = 24.99,
	 * p = 0.021 (published to those digits). */
	static const double a1[] = { 27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9,
		20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4 };
	static const double a2[] = { 27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8,
		22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4 };
	struct st_moments a, b, h1, h2;
	struct st_interval iv;
	double df, tq;
	size_t i;

	st_moments_init(&a);
	st_moments_init(&b);
	st_moments_init(&h1);
	st_moments_init(&h2);
	for (i = 0; i < 15; i++) {
		st_moments_add(&a, a1[i]);
		st_moments_add(&b, a2[i]);
		st_moments_add(i < 6 ? &h1 : &h2, a1[i]);
	}
	st_welch(&a, &b, 0.95, &iv, &df);
	is_num(round(iv.est / iv.se * 100) / 100, -2.46, 1e-12, "welch t = -2.46");
	is_num(round(df * 100) / 100, 24.99, 1e-12, "welch df = 24.99");
	is_num(round(iv.p * 1000) / 1000, 0.021, 1e-12, "welch p = 0.021");

	/* By hand: 1:5 against 2,4,...,10: means 3 and 6, variances 2.5 and
	 * 10, se = sqrt(.5 + 2) = 1.5811388, df = 2.5^2/(.5^2/4 + 2^2/4)
	 * = 6.25/1.0625 = 5.8823529; the t quantile checked by Simpson. */
	st_moments_init(&a);
	st_moments_init(&b);
	for (i = 1; i <= 5; i++) {
		st_moments_add(&a, (double)i);
		st_moments_add(&b, 2.0 * i);
	}
	st_welch(&a, &b, 0.95, &iv, &df);
	is_num(st_moments_var(&b), 10, 1e-14, "sample variance");
	is_num(iv.se, sqrt(2.5), 1e-14, "welch se");
	is_num(df, 6.25 / 1.0625, 1e-13, "welch df");
	tq = (iv.hi - iv.est) / iv.se;
	is_num(t_cdf_simpson(tq, df), 0.975, 1e-10, "welch half-width is t(.975, df) se");

	st_moments_merge(&h1, &h2);
	is_num(h1.mean, 20.82, 1e-12, "merged mean (sum 312.3 / 15)");
	is_num(st_moments_mean(&h1), 312.3 / 15, 1e-14, "mean is sum / n");
	{
		struct st_moments whole;
		st_moments_init(&whole);
		for (i = 0; i < 15; i++)
			st_moments_add(&whole, a1[i]);
		is_num(h1.m2, whole.m2, 1e-12, "merge equals one pass");
	}
	st_moments_init(&b);
	st_moments_add(&b, 1);
	st_welch(&a, &b, 0.95, &iv, NULL);
	ok(isnan(iv.est), "welch needs two per arm");
}

static void
test_qini(void)
{
	/*
	 * By hand, six units (score, arm, converted):
	 * A .9 T 1, B .8 C 0, C .7 T 1, D .6 C 1, E .5 T 0, F .4 C 0.
	 * qini after n: 1, 1, 2, 2 - 1*2/2 = 1, 2 - 1*3/2 = .5, 2 - 1*3/3 = 1.
	 * Area (x in sixths): (.5 + 1 + 1.5 + 1.5 + .75 + .75)/6 = 1.
	 * Random: 1/2. Perfect order {A,C} {B,E,F} {D}: points (2/6, 2),
	 * (5/6, 2), (1, 1): area 1/3 + 1 + 1/4 = 19/12.
	 * vs random 1/.5 = 2, vs perfect .5/(19/12 - .5) = 6/13.
	 */
	struct st_unit u[] = {
		{ 0.5, 0, 1 }, { 0.9, 1, 1 }, { 0.4, 0, 0 },
		{ 0.7, 1, 1 }, { 0.6, 1, 0 }, { 0.8, 0, 0 },
	};
	struct st_unit tie[] = { { 1, 1, 1 }, { 1, 0, 0 }, { 0, 1, 0 } };
	struct st_qini_point *pt;
	struct st_auuc au;
	size_t n;
	static const double want[] = { 0, 1, 1, 2, 1, 0.5, 1 };
	int good = 1;

	n = st_qini_curve(u, 6, &pt);
	ok(n == 7, "one point per unit plus the origin");
	for (size_t i = 0; i < n && i < 7; i++)
		good &= near(pt[i].qini, want[i], 1e-15) && pt[i].n == i;
	ok(good, "qini curve points worked by hand");
	is_num(st_qini_area(pt, n), 1, 1e-15, "area under the curve");
	/* running areas, x in sixths: .5, 1.5, 3, 4.5, 5.25, 6 over 6 */
	static const double area[] = { 0, 0.5, 1.5, 3, 4.5, 5.25, 6 };
	good = 1;
	for (size_t i = 0; i < n && i < 7; i++)
		good &= near(pt[i].area, area[i] / 6, 1e-15);
	ok(good, "the running area under the curve at each point");
	ok(n == 7 && pt[6].area == st_qini_area(pt, n),
	    "the last point's area is st_qini_area to the bit");
	free(pt);
	st_auuc(u, 6, &au);
	is_num(au.auuc, 1, 1e-15, "auuc");
	is_num(au.random, 0.5, 1e-15, "random");
	is_num(au.perfect, 19.0 / 12, 1e-15, "perfect");
	is_num(au.qini, 0.5, 1e-15, "qini coefficient");
	is_num(au.vs_random, 2, 1e-15, "normalised vs random");
	is_num(au.vs_perfect, 6.0 / 13, 1e-15, "normalised vs perfect");

	/* equal scores enter together: points at n = 0, 2, 3 */
	n = st_qini_curve(tie, 3, &pt);
	ok(n == 3 && pt[1].n == 2 && pt[1].qini == 1 && pt[2].n == 3,
	    "tied scores make one point");
	free(pt);
	n = st_qini_curve(tie, 0, &pt);
	ok(n == 0 && pt == NULL, "no units, no curve");
}

/*
 * Hypergeometric probabilities against exact ones: C(c,k) C(t-c,r-k) /
 * C(t,r) in Python 3's whole numbers (math.comb), one correctly rounded
 * division (int / int):
 *   math.comb(c, k) * math.comb(t - c, r - k) / math.comb(t, r)
 * Loader's form is good to an ulp or two; lgamma differences were good to
 * about 1e-10 here and 1e-8 at 2 million baskets.
 */
static void
test_hyper(void)
{
	static const struct { double k, r, c, t, p; } h[] = {
		{ 2, 4, 4, 8, 0.5142857142857142 },
		{ 0, 3, 5, 20, 0.3991228070175439 },
		{ 7, 16, 1711, 10000, 0.009029956500608649 },
		{ 162, 205, 247, 1000, 2.389383886095649e-81 },
		{ 93, 838, 190, 10000, 2.3661411586942385e-50 },
		{ 1, 1, 1, 2000000, 5e-07 },
		{ 30, 30, 40, 2000000, 2.0944819637904234e-148 },
		{ 192, 14935, 6736, 2000000, 2.3086495742718526e-53 },
		{ 5122, 9126, 914089, 2000000, 1.643240147875433e-89 },
		{ 501000, 1000000, 1000000, 2000000, 2.0667005159984555e-05 },
		{ 1998, 2000, 1999000, 2000000, 0.1840776733118801 },
	};

	for (size_t i = 0; i < sizeof h / sizeof h[0]; i++) {
		double got = st_hyper_pmf(h[i].k, h[i].r, h[i].c, h[i].t);

		ok(fabs(got - h[i].p) <= 1e-13 * h[i].p,
		    "dhyper(%g; %g, %g, %g) to 1e-13 relative", h[i].k, h[i].r,
		    h[i].c, h[i].t);
		if (!(fabs(got - h[i].p) <= 1e-13 * h[i].p))
			printf("#   got %.17g want %.17g\n", got, h[i].p);
	}
	ok(st_hyper_pmf(5, 4, 6, 10) == 0 && st_hyper_pmf(0, 5, 6, 10) == 0,
	    "dhyper outside the support is 0");
	ok(st_hyper_pmf(3, 3, 3, 3) == 1, "dhyper of a certain table is 1");
	ok(isnan(st_hyper_pmf(1, 5, 2, 4)), "dhyper of impossible margins is NaN");
}

int
main(void)
{
	test_normal();
	test_t();
	test_chisq();
	test_proportions();
	test_welch();
	test_qini();
	test_hyper();
	return tap_done();
}
