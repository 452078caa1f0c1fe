/*
 * test-experiment.c: the statistics of experiments in lib/stats.c
 * (Holm, the mixture SPRT, CUPED, one-mean intervals, planning) against
 * values computed independently.
 *
 * References, each named where it is used: R's p.adjust and t.test;
 * Python's mpmath (30 digits), solving the published formulas with
 * findroot rather than the closed forms the library uses; the published
 * values of Howard et al.'s normal mixture confidence sequence; the uplift
 * man page's worked example; and an A/A simulation of the property the
 * sequential interval exists for.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "stats.h"
#include "tap.h"

static int
near(double got, double want, double tol)
{
	if (isnan(want))
		return isnan(got);
	return fabs(got - want) <= tol * (fabs(want) > 1 ? fabs(want) : 1);
}

#define is_num(got, want, tol, ...) do { \
	double g_ = (got), w_ = (want); \
	ok(near(g_, w_, tol), __VA_ARGS__); \
	if (!near(g_, w_, tol)) \
		printf("#   got %.17g want %.17g\n", g_, w_); \
} while (0)

static void
test_holm(void)
{
	/* R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02;
	 * by hand: sorted .005 .01 .03 .04 times 4 3 2 1 = .02 .03 .06 .04,
	 * running maximum .02 .03 .06 .06 */
	double p[5] = { 0.01, 0.04, 0.03, 0.005, NAN }, adj[5];
	double q[3] = { 0.5, 0.6, 0.5 }, qa[3];

	st_holm(p, 5, adj);
	is_num(adj[0], 0.03, 1e-15, "holm: 0.01 -> 0.03");
	is_num(adj[1], 0.06, 1e-15, "holm: 0.04 -> 0.06 (running maximum)");
	is_num(adj[2], 0.06, 1e-15, "holm: 0.03 -> 0.06");
	is_num(adj[3], 0.02, 1e-15, "holm: 0.005 -> 0.02");
	ok(isnan(adj[4]), "holm: NaN is no test and does not count in m");
	/* by hand: 3 x .5 = 1.5 -> 1; ties keep their order; all capped at 1 */
	st_holm(q, 3, qa);
	ok(qa[0] == 1 && qa[1] == 1 && qa[2] == 1, "holm: capped at 1");
	st_holm(p + 4, 1, adj);
	ok(isnan(adj[0]), "holm: only NaN");
}

/*
 * A published example: the two-sided normal mixture confidence sequence
 * of Howard, Ramdas, McAuliffe and Sekhon (2021), "Time-uniform,
 * nonparametric, nonasymptotic confidence sequences", Ann. Statist.
 * 49(2), eq. (14), as its authors' confseq library checks it against
 * their R reference (test/uniform_boundaries_unittest.cpp): intrinsic
 * time v = 100, alpha 0.05, rho = best_rho(100, 0.05) = 12.60056, the
 * bound on the sum S_v is 30.35209 and log M(S = 10, v = 100) is
 * -0.6510052. It is the mixture SPRT in other units: v = 1 / se^2,
 * S = est / se^2, rho = 1 / tau2, so the half-width is 30.35209 se^2
 * and Lambda(0) = exp(-0.6510052) < 1 at est = 10 se^2.
 */
static void
test_msprt_published(void)
{
	struct st_interval o;
	double c = 2 * log(20), rho = 100 / (c + log1p(c));

	is_num(rho, 12.60056, 1e-6, "msprt: confseq's best_rho(100, 0.05)");
	st_msprt(0.1, 0.1, 1 / rho, 0.95, &o);
	is_num((o.hi - o.lo) / 2, 30.35209 * 0.01, 1e-6,
	    "msprt: half-width is confseq's two-sided normal mixture bound");
	ok(o.p == 1, "msprt: Lambda(0) = exp(-0.6510052) < 1, p is 1");
}

static void
test_msprt(void)
{
	struct st_interval o;

	/* mpmath: Lambda of Johari, Pekelis and Walsh (2017) written with
	 * sigma^2 = 0.01 per unit and n = 100 (se 0.01), tau^2 = 0.0004, mean
	 * 0.02; findroot of log Lambda(t) = log 20 on either side gives
	 * -0.0108238999388909 and 0.0508238999388909; 1 / Lambda(0) =
	 * 0.451454338656559 */
	st_msprt(0.02, 0.01, 0.0004, 0.95, &o);
	is_num(o.lo, -0.0108238999388909, 1e-13, "msprt: low end");
	is_num(o.hi, 0.0508238999388909, 1e-13, "msprt: high end");
	is_num(o.p, 0.451454338656559, 1e-13, "msprt: always-valid p");
	st_msprt(0, 0.01, 0.0004, 0.95, &o);
	ok(o.p == 1, "msprt: p is 1 at no effect");
	st_msprt(0.02, 0, 0.0004, 0.95, &o);
	ok(isnan(o.lo) && isnan(o.p), "msprt: no variance, no interval");
	/* mpmath: findroot(x - log(1 + x) + 2 log 0.05) = 8.21196806206825;
	 * tau2 = x se^2 n / horizon */
	is_num(st_msprt_tau2(0.01, 100, 400, 0.95), 8.21196806206825 * 1e-4 / 4,
	    1e-12, "msprt: tau2 tuned to the horizon");
	test_msprt_published();
}

/* xorshift64* and Box-Muller: a fixed stream of normals for the tests. */
static uint64_t rng = 88172645463325252ULL;

static double
unif(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return ((rng * 2685821657736338717ULL) >> 11) * 0x1.0p-53;
}

static double
normal(void)
{
	double u = unif(), v = unif();

	return sqrt(-2 * log(u + 0x1.0p-60)) * cos(2 * M_PI * v);
}

/*
 * The property: in A/A experiments looked at 40 times, the sequential
 * interval excludes 0 at some look in about alpha of them or fewer,
 * while the fixed-horizon interval, looked at as often, does so far more
 * often (31% of these runs). tau2 is fixed at the first look from the
 * first variance, as a tool's horizon fixes it in advance.
 */
static void
test_msprt_peeking(void)
{
	int runs = 400, looks = 40, per = 50, seq_fp = 0, fix_fp = 0;

	for (int r = 0; r < runs; r++) {
		struct st_moments a, b;
		int seq = 0, fix = 0;
		double tau2 = NAN;

		st_moments_init(&a);
		st_moments_init(&b);
		for (int l = 1; l <= looks; l++) {
			struct st_interval w, s;

			for (int i = 0; i < per; i++) {
				st_moments_add(&a, normal());
				st_moments_add(&b, normal());
			}
			st_welch(&a, &b, 0.95, &w, NULL);
			if (isnan(tau2))	/* fixed before the looks that count */
				tau2 = st_msprt_tau2(w.se, a.n + b.n,
				    2.0 * looks * per, 0.95);
			st_msprt(w.est, w.se, tau2, 0.95, &s);
			fix |= w.lo > 0 || w.hi < 0;
			seq |= s.lo > 0 || s.hi < 0;
		}
		seq_fp += seq;
		fix_fp += fix;
	}
	printf("# A/A, %d looks: sequential %d of %d, fixed %d of %d exclude 0\n",
	    looks, seq_fp, runs, fix_fp, runs);
	ok(seq_fp <= 0.06 * runs, "msprt: at most about alpha of A/A runs "
	    "ever exclude 0 (%d of %d)", seq_fp, runs);
	ok(fix_fp >= 0.15 * runs, "fixed horizon, peeked at: many more (%d of %d)",
	    fix_fp, runs);
}

static void
test_cuped(void)
{
	/* x pre-period, y outcome; mpmath, by the definitions: theta =
	 * cov(x, y) / var(x) over all 12 pairs, y' = y - theta (x - xbar),
	 * Welch on y': theta 1.08146639511202, est 1.68024439918534, 95%
	 * 0.689894627207929 to 2.67059417116274, p 0.00360283854014662; the
	 * plain difference 1.5; variance reduction 0.893235165886267 */
	static const double a[6][2] = { { 1, 3 }, { 2, 5 }, { 3, 4 }, { 4, 7 },
		{ 5, 8 }, { 6, 9 } };
	static const double b[6][2] = { { 1, 2 }, { 2, 2 }, { 3, 5 }, { 4, 4 },
		{ 5, 6 }, { 7, 8 } };
	struct st_comoments ca, cb, half;
	struct st_interval o;
	double theta, red;

	st_comoments_init(&ca);
	st_comoments_init(&cb);
	st_comoments_init(&half);
	for (int i = 0; i < 6; i++) {
		st_comoments_add(i < 3 ? &ca : &half, a[i][0], a[i][1]);
		st_comoments_add(&cb, b[i][0], b[i][1]);
	}
	st_comoments_merge(&ca, &half);	/* merging equals adding */
	st_cuped(&ca, &cb, 0.95, &o, &theta, &red);
	is_num(theta, 1.08146639511202, 1e-13, "cuped: theta");
	is_num(o.est, 1.68024439918534, 1e-13, "cuped: estimate");
	is_num(o.lo, 0.689894627207929, 1e-12, "cuped: low");
	is_num(o.hi, 2.67059417116274, 1e-12, "cuped: high");
	is_num(o.p, 0.00360283854014662, 1e-10, "cuped: p");
	is_num(red, 0.893235165886267, 1e-12, "cuped: variance reduction");
	/* a constant covariate removes nothing: Welch on y */
	st_comoments_init(&ca);
	st_comoments_init(&cb);
	for (int i = 0; i < 6; i++) {
		st_comoments_add(&ca, 1, a[i][1]);
		st_comoments_add(&cb, 1, b[i][1]);
	}
	st_cuped(&ca, &cb, 0.95, &o, &theta, &red);
	ok(theta == 0 && fabs(red) < 1e-15 && near(o.est, 1.5, 1e-15),
	    "cuped: constant covariate is plain Welch");
}

static void
test_mean_interval(void)
{
	/* R: t.test(c(3, 5, 4, 7, 8, 9))$conf.int = 3.516582 8.483418 */
	static const double y[] = { 3, 5, 4, 7, 8, 9 };
	struct st_moments m;
	struct st_interval o;

	st_moments_init(&m);
	for (int i = 0; i < 6; i++)
		st_moments_add(&m, y[i]);
	st_mean_interval(&m, 0.95, &o);
	is_num(o.est, 6, 1e-15, "mean interval: mean");
	is_num(o.lo, 3.51658201085886, 1e-12, "mean interval: low");
	is_num(o.hi, 8.48341798914114, 1e-12, "mean interval: high");
}

static void
test_plan(void)
{
	/* xsell-uplift(7): 4% against 7%, 10% holdout, 80% power:
	 * (1.959964 + 0.841621)^2 (0.07 x 0.93 / 0.9 + 0.04 x 0.96 / 0.1) /
	 * 0.03^2 = 7.848879 x 0.456333 / 0.0009 = 3979.7, rounded up 3980 */
	double n = st_plan_total(0.07, 0.04, 0.9, 0.1, 0.05, 0.8);

	is_num(n, 3979.71, 1e-5, "plan: the uplift page's example");
	ok(ceil(n) == 3980, "plan: 3980 contexts");
	ok(isnan(st_plan_total(0.05, 0.05, 0.5, 0.5, 0.05, 0.8)),
	    "plan: no difference, no plan");
}

int
main(void)
{
	test_holm();
	test_msprt();
	test_msprt_peeking();
	test_cuped();
	test_mean_interval();
	test_plan();
	return tap_done();
}
