/*
 * stats.c: distributions, intervals, tests and Qini curves (see stats.h).
 *
 * The special functions follow the classic forms: the incomplete gamma by
 * its series below a + 1 and its continued fraction above, the incomplete
 * beta by its continued fraction (modified Lentz), the normal quantile by
 * Acklam's rational approximation polished with Halley steps on erfc.
 * Everything that could cancel is computed on the small tail directly.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "xsell.h"

#define ITMAX 1000
#define EPS (2 * DBL_EPSILON)	/* a fraction's factor this close to 1 is 1 */
#define TINY 1e-300

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* ---- normal ---- */

double
st_norm_cdf(double x)
{
	return 0.5 * erfc(-x / M_SQRT2);
}

double
st_norm_sf(double x)
{
	return 0.5 * erfc(x / M_SQRT2);
}

double
st_norm_pdf(double x)
{
	return exp(-0.5 * x * x) / sqrt(2 * M_PI);
}

/* Acklam's approximation, relative error below 1.2e-9, for p <= 0.5. */
static double
acklam_low(double p)
{
	static const double a[] = { -3.969683028665376e+01, 2.209460984245205e+02,
		-2.759285104469687e+02, 1.383577518672690e+02,
		-3.066479806614716e+01, 2.506628277459239e+00 };
	static const double b[] = { -5.447609879822406e+01, 1.615858368580409e+02,
		-1.556989798598866e+02, 6.680131188771972e+01,
		-1.328068155288572e+01 };
	static const double c[] = { -7.784894002430293e-03, -3.223964580411365e-01,
		-2.400758277161838e+00, -2.549732539343734e+00,
		4.374664141464968e+00, 2.938163982698783e+00 };
	static const double d[] = { 7.784695709041462e-03, 3.224671290700398e-01,
		2.445134137142996e+00, 3.754408661907416e+00 };
	double q, r;

	if (p < 0.02425) {
		q = sqrt(-2 * log(p));
		return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	q = p - 0.5;
	r = q * q;
	return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
	    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

double
st_norm_quantile(double p)
{
	double x, e, u;
	int i;

	if (isnan(p) || p < 0 || p > 1)
		return NAN;
	if (p == 0)
		return -INFINITY;
	if (p == 1)
		return INFINITY;
	if (p > 0.5)
		return -st_norm_quantile(1 - p);	/* 1 - p is exact here */
	x = acklam_low(p);
	/* Halley steps on the lower tail, where cdf(x) keeps its precision. */
	for (i = 0; i < 2; i++) {
		e = st_norm_cdf(x) - p;
		u = e * sqrt(2 * M_PI) * exp(0.5 * x * x);
		x = x - u / (1 + 0.5 * x * u);
	}
	return x;
}

/* The last level asked is kept: an audit asks 0.95 for each of a few
 * hundred thousand rows. */
double
st_z(double conf)
{
	static _Thread_local double last_conf = NAN, last_z;

	if (conf != last_conf) {
		last_z = -st_norm_quantile((1 - conf) / 2);
		last_conf = conf;
	}
	return last_z;
}

/* ---- incomplete gamma and beta ---- */

static double
gamma_series(double a, double x)
{
	double sum = 1 / a, term = sum, ap = a;
	int i;

	for (i = 0; i < ITMAX; i++) {
		ap += 1;
		term *= x / ap;
		sum += term;
		if (fabs(term) < fabs(sum) * EPS)
			break;
	}
	return sum * exp(-x + a * log(x) - lgamma(a));
}

static double
gamma_fraction(double a, double x)
{
	double b = x + 1 - a, c = 1 / TINY, d = 1 / b, h = d, an, del;
	int i;

	for (i = 1; i < ITMAX; i++) {
		an = -i * (i - a);
		b += 2;
		d = an * d + b;
		if (fabs(d) < TINY)
			d = TINY;
		c = b + an / c;
		if (fabs(c) < TINY)
			c = TINY;
		d = 1 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < EPS)
			break;
	}
	return exp(-x + a * log(x) - lgamma(a)) * h;
}

double
st_gamma_p(double a, double x)
{
	if (isnan(a) || isnan(x) || a <= 0 || x < 0)
		return NAN;
	if (x == 0)
		return 0;
	if (isinf(x))
		return 1;
	return x < a + 1 ? gamma_series(a, x) : 1 - gamma_fraction(a, x);
}

double
st_gamma_q(double a, double x)
{
	if (isnan(a) || isnan(x) || a <= 0 || x < 0)
		return NAN;
	if (x == 0)
		return 1;
	if (isinf(x))
		return 0;
	return x < a + 1 ? 1 - gamma_series(a, x) : gamma_fraction(a, x);
}

static double
beta_fraction(double a, double b, double x)
{
	double qab = a + b, qap = a + 1, qam = a - 1, c = 1, d, h, aa, del;
	int m, m2, mmax;

	/* Near x = (a+1)/(a+b+2) the fraction needs about sqrt(a + b) terms. */
	mmax = ITMAX + (int)(10 * sqrt(qab < 1e12 ? qab : 1e12));

	d = 1 - qab * x / qap;
	if (fabs(d) < TINY)
		d = TINY;
	d = 1 / d;
	h = d;
	for (m = 1; m < mmax; m++) {
		m2 = 2 * m;
		aa = m * (b - m) * x / ((qam + m2) * (a + m2));
		d = 1 + aa * d;
		if (fabs(d) < TINY)
			d = TINY;
		c = 1 + aa / c;
		if (fabs(c) < TINY)
			c = TINY;
		d = 1 / d;
		h *= d * c;
		aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
		d = 1 + aa * d;
		if (fabs(d) < TINY)
			d = TINY;
		c = 1 + aa / c;
		if (fabs(c) < TINY)
			c = TINY;
		d = 1 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < EPS)
			break;
	}
	return h;
}

/*
 * lgamma(b + a) - lgamma(b). For large b the two lgammas are huge and
 * nearly equal (a t with a million degrees of freedom has b = 5e5), so the
 * difference comes from Stirling's series, where it is a sum of small
 * terms: (b - 1/2) log1p(a/b) + a log(b + a) - a + corrections.
 */
static double
lgamma_shift(double b, double a)
{
	double c, x = b + a;

	if (b < 1e3)
		return lgamma(x) - lgamma(b);
	c = (1 / x - 1 / b) / 12 - (1 / (x * x * x) - 1 / (b * b * b)) / 360;
	return (b - 0.5) * log1p(a / b) + a * log(x) - a + c;
}

/* log of Beta(a, b)'s reciprocal: lgamma(a + b) - lgamma(a) - lgamma(b). */
static double
lbeta_inv(double a, double b)
{
	return a < b ? lgamma_shift(b, a) - lgamma(a) : lgamma_shift(a, b) - lgamma(b);
}

/* I_x(a, b) with y = 1 - x given separately, so x near 1 keeps its
 * digits; each log is taken of the smaller of x and y. */
static double
beta_inc2(double a, double b, double x, double y)
{
	double bt, lx, ly;

	if (x <= 0)
		return 0;
	if (y <= 0)
		return 1;
	lx = x < 0.5 ? log(x) : log1p(-y);
	ly = y < 0.5 ? log(y) : log1p(-x);
	bt = exp(lbeta_inv(a, b) + a * lx + b * ly);
	if (x < (a + 1) / (a + b + 2))
		return bt * beta_fraction(a, b, x) / a;
	return 1 - bt * beta_fraction(b, a, y) / b;
}

double
st_beta_inc(double a, double b, double x)
{
	if (isnan(a) || isnan(b) || isnan(x) || a <= 0 || b <= 0 || x < 0 || x > 1)
		return NAN;
	return beta_inc2(a, b, x, 1 - x);
}

/* ---- Student t ---- */

/*
 * P(T > t) for large df by Hill's normalising transformation (CACM
 * algorithm 395): the incomplete beta's x = df/(df + t^2) is then within
 * 1e-3 of 1 and would lose the digits that 1 - x carries.
 */
static double
t_tail_hill(double t, double df)
{
	double a = df - 0.5, b = 48 * a * a, z, z2, y;

	z = sqrt(a * log1p(t * t / df));
	z2 = z * z;
	y = z + (z2 + 3) * z / b -
	    (((4 * z2 + 33) * z2 + 240) * z2 + 855) * z /
	    (10 * b * (b + 0.8 * z2 * z2 + 100));
	return st_norm_sf(y);
}

/* P(T > t) for t >= 0, computed on the tail itself. */
static double
t_tail(double t, double df)
{
	double t2 = t * t;

	if (isinf(df))
		return st_norm_sf(t);
	if (t < 1)	/* central part: 1/2 - P(0 < T < t), no tail to lose */
		return 0.5 - 0.5 * beta_inc2(0.5, 0.5 * df, t2 / (df + t2), df / (df + t2));
	if (df > 1e4 && t2 < 1e-3 * df)
		return t_tail_hill(t, df);
	return 0.5 * beta_inc2(0.5 * df, 0.5, df / (df + t2), t2 / (df + t2));
}

static double
t_pdf(double t, double df)
{
	if (isinf(df))
		return st_norm_pdf(t);
	return exp(lgamma_shift(0.5 * df, 0.5) -
	    0.5 * (df + 1) * log1p(t * t / df)) / sqrt(df * M_PI);
}

double
st_t_cdf(double t, double df)
{
	if (isnan(t) || isnan(df) || df <= 0)
		return NAN;
	if (isinf(t))
		return t > 0 ? 1 : 0;
	return t >= 0 ? 1 - t_tail(t, df) : t_tail(-t, df);
}

/* The t with P(T > t) = q, 0 < q <= 0.5: Newton on log tail, safeguarded
 * by a bracket, which converges fast on heavy and light tails alike. */
static double
t_upper(double q, double df)
{
	double z = -st_norm_quantile(q), lo = 0, hi, t, f, nt;
	int i;

	if (df == 1)
		return tan(M_PI * (0.5 - q));
	if (df == 2)
		return (1 - 2 * q) / sqrt(2 * q * (1 - q));
	hi = z > 1 ? 2 * z : 2;
	while (t_tail(hi, df) > q && hi < 1e300)
		hi *= 2;
	/* Cornish-Fisher start */
	t = z + (z * z * z + z) / (4 * df) +
	    (5 * pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * df * df);
	if (!(t > lo && t < hi))
		t = 0.5 * (lo + hi);
	for (i = 0; i < 200; i++) {
		f = t_tail(t, df);
		if (f > q)
			lo = t;
		else
			hi = t;
		if (f == q)
			break;
		nt = t + (log(f) - log(q)) * f / t_pdf(t, df);
		if (!(nt > lo && nt < hi))
			nt = 0.5 * (lo + hi);
		if (fabs(nt - t) <= 4 * DBL_EPSILON * nt) {
			t = nt;
			break;
		}
		t = nt;
	}
	return t;
}

double
st_t_quantile(double p, double df)
{
	if (isnan(p) || isnan(df) || df <= 0 || p < 0 || p > 1)
		return NAN;
	if (p == 0)
		return -INFINITY;
	if (p == 1)
		return INFINITY;
	if (p == 0.5)
		return 0;
	if (isinf(df))
		return st_norm_quantile(p);
	return p > 0.5 ? t_upper(1 - p, df) : -t_upper(p, df);
}

/* ---- chi-square ---- */

double
st_chisq_sf(double x, double df)
{
	if (isnan(x) || isnan(df) || df <= 0)
		return NAN;
	if (x <= 0)
		return 1;
	return st_gamma_q(0.5 * df, 0.5 * x);
}

double
st_chisq_gof(const double *obs, const double *share, int k, double *stat)
{
	double n = 0, chi = 0, e;
	int i;

	for (i = 0; i < k; i++)
		n += obs[i];
	for (i = 0; i < k; i++) {
		e = share[i] * n;
		if (e > 0)
			chi += (obs[i] - e) * (obs[i] - e) / e;
		else if (obs[i] > 0)
			chi = INFINITY;
	}
	if (stat)
		*stat = k > 1 && n > 0 ? chi : NAN;
	if (k < 2 || n <= 0)
		return NAN;
	return isinf(chi) ? 0 : st_chisq_sf(chi, k - 1);
}

/* ---- hypergeometric ---- */

/*
 * Loader's saddle-point form of binomial coefficients (C. Loader, "Fast
 * and accurate computation of binomial probabilities", 2000): log C(n, k)
 * is a deviance part, small Stirling corrections and a square root,
 * none of which cancels, where lgamma(n + 1) - lgamma(k + 1) - ... loses
 * log10(n) digits. Worked in long double where it is wider than double:
 * the exponent of a tiny P is large, and its rounding error, times that
 * size, is the error of P.
 */
typedef long double ldbl;

/*
 * stirlerr(n) = log(n!) - log(sqrt(2 pi n) (n/e)^n) for whole n >= 1:
 * the table below 16 (worked to 50 digits from exact factorials), above
 * it the asymptotic series 1/(12n) - 1/(360n^3) + 1/(1260n^5) - ...,
 * cut where the next term is below 2e-16 (Loader's cut-offs).
 */
static ldbl
stirlerr(ldbl n)
{
	static const ldbl tab[16] = { 0,
		8.106146679532725821967e-2L, 4.134069595540929409382e-2L,
		2.767792568499833914879e-2L, 2.079067210376509311152e-2L,
		1.664469118982119216319e-2L, 1.387612882307074799875e-2L,
		1.189670994589177009506e-2L, 1.041126526197209649748e-2L,
		9.255462182712732917729e-3L, 8.330563433362871256469e-3L,
		7.573675487951840794972e-3L, 6.942840107209529865664e-3L,
		6.408994188004207068440e-3L, 5.951370112758847735624e-3L,
		5.554733551962801371039e-3L };
	const ldbl s0 = 1.0L / 12, s1 = 1.0L / 360, s2 = 1.0L / 1260,
	    s3 = 1.0L / 1680, s4 = 1.0L / 1188;
	ldbl nn = n * n;

	if (n < 16)
		return tab[(int)n];
	if (n > 500)
		return (s0 - s1 / nn) / n;
	if (n > 80)
		return (s0 - (s1 - s2 / nn) / nn) / n;
	if (n > 35)
		return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n;
	return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n;
}

/*
 * The deviance term x log(x/m) + m - x >= 0 of a count x against its
 * expectation m, given d = x - m as well: the caller knows both where
 * x - m or m - x would cancel. Within |d| < (x + m)/2 it is Loader's
 * series in v = d/(x + m), d v + 2x (v^3/3 + v^5/5 + ...), every term of
 * one sign; beyond, x/m is at least 3 or at most 1/3, so log(x/m) keeps
 * its relative precision and the difference loses at most a factor 3.
 */
static ldbl
bd0(ldbl x, ldbl m, ldbl d)
{
	ldbl w = x + m, v, s, e, s1;

	if (x == 0)
		return m;
	if (fabsl(d) < 0.5L * w) {
		v = d / w;
		s = d * v;
		e = 2 * x * v;
		v *= v;
		for (int j = 3; j < 400; j += 2) {
			e *= v;
			s1 = s + e / j;
			if (s1 == s)
				break;
			s = s1;
		}
		return s;
	}
	return x * logl(x / m) - d;
}

/*
 * Adds the Stirling parts of log C(n, k) to *s and its square-root
 * factor n / (2 pi k (n - k)) to *q, as a divisor when sign is -1;
 * C(n, 0) = C(n, n) = 1 has none.
 */
static void
binom_parts(ldbl n, ldbl k, int sign, ldbl *s, ldbl *q)
{
	ldbl f;

	if (k <= 0 || k >= n)
		return;
	*s += sign * (stirlerr(n) - stirlerr(k) - stirlerr(n - k));
	f = n / (2 * (ldbl)M_PI * k * (n - k));
	*q = sign > 0 ? *q * f : *q / f;
}

double
st_hyper_pmf(double k, double r, double c, double t)
{
	ldbl n11 = k, n12 = (ldbl)r - k, n21 = (ldbl)c - k;
	ldbl n22 = (ldbl)t - r - c + k, r2 = (ldbl)t - r, c2 = (ldbl)t - c;
	ldbl d, s = 0, q = 1, b;

	if (!(t >= 0) || r < 0 || c < 0 || r > t || c > t)
		return NAN;
	if (k < 0 || n12 < 0 || n21 < 0 || n22 < 0)
		return 0;
	if (t == 0)
		return 1;
	/* A cell's expectation is its row times its column over t, and
	 * every cell is off it by the same d, up to sign:
	 * d = (n11 n22 - n12 n21) / t. Products are exact in a long
	 * double's 64 bits for counts below 2^32. */
	d = (n11 * n22 - n12 * n21) / t;
	b = bd0(n11, r * (ldbl)c / t, d) + bd0(n22, r2 * c2 / t, d) +
	    bd0(n12, r * c2 / t, -d) + bd0(n21, r2 * c / t, -d);
	binom_parts(c, n11, 1, &s, &q);
	binom_parts((ldbl)t - c, n12, 1, &s, &q);
	binom_parts(t, r, -1, &s, &q);
	return (double)(expl(s - b) * sqrtl(q));
}

/* ---- intervals and tests ---- */

static void
interval_nan(struct st_interval *o)
{
	o->est = o->lo = o->hi = o->se = o->p = NAN;
}

/* est +- z se with the normal two-sided p-value of est = 0. */
static void
interval_normal(struct st_interval *o, double est, double se, double conf)
{
	double z = st_z(conf);

	o->est = est;
	o->se = se;
	o->lo = est - z * se;
	o->hi = est + z * se;
	o->p = se > 0 ? 2 * st_norm_sf(fabs(est) / se) : NAN;
}

void
st_wilson(double x, double n, double conf, struct st_interval *o)
{
	double z, z2, p, den, mid, half;

	interval_nan(o);
	if (!(n > 0) || x < 0 || x > n)
		return;
	z = st_z(conf);
	z2 = z * z;
	p = x / n;
	den = 1 + z2 / n;
	mid = (p + z2 / (2 * n)) / den;
	half = z / den * sqrt(p * (1 - p) / n + z2 / (4 * n * n));
	o->est = p;
	o->se = sqrt(p * (1 - p) / n);
	o->lo = x == 0 ? 0 : mid - half;	/* exact ends where rounding strays */
	o->hi = x == n ? 1 : mid + half;
}

void
st_prop_diff(double x1, double n1, double x2, double n2, double conf,
    struct st_interval *o, double *zout)
{
	double p1, p2, q, se0, z = NAN;

	interval_nan(o);
	if (!(n1 > 0) || !(n2 > 0) || x1 < 0 || x2 < 0 || x1 > n1 || x2 > n2) {
		if (zout)
			*zout = NAN;
		return;
	}
	p1 = x1 / n1;
	p2 = x2 / n2;
	interval_normal(o, p1 - p2, sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2),
	    conf);
	q = (x1 + x2) / (n1 + n2);
	se0 = sqrt(q * (1 - q) * (1 / n1 + 1 / n2));
	if (se0 > 0) {
		z = (p1 - p2) / se0;
		o->p = 2 * st_norm_sf(fabs(z));
	} else
		o->p = NAN;
	if (zout)
		*zout = z;
}

void
st_ratio(double m1, double s1, double m2, double s2, double conf,
    struct st_interval *o)
{
	double r, se;

	interval_nan(o);
	if (m2 == 0 || isnan(m1) || isnan(m2) || isnan(s1) || isnan(s2))
		return;
	r = m1 / m2;
	se = sqrt(s1 * s1 / (m2 * m2) + m1 * m1 * s2 * s2 / (m2 * m2 * m2 * m2));
	interval_normal(o, r, se, conf);
	o->p = se > 0 ? 2 * st_norm_sf(fabs(r - 1) / se) : NAN;
}

void
st_lift(double x1, double n1, double x2, double n2, double conf,
    struct st_interval *o)
{
	double p1, p2;

	interval_nan(o);
	if (!(n1 > 0) || !(n2 > 0))
		return;
	p1 = x1 / n1;
	p2 = x2 / n2;
	st_ratio(p1, sqrt(p1 * (1 - p1) / n1), p2, sqrt(p2 * (1 - p2) / n2), conf, o);
	o->est -= 1;
	o->lo -= 1;
	o->hi -= 1;
}

/* ---- moments and Welch ---- */

void
st_moments_init(struct st_moments *m)
{
	m->n = m->mean = m->m2 = m->sum = 0;
}

void
st_moments_add(struct st_moments *m, double x)
{
	double d = x - m->mean;

	m->n += 1;
	m->sum += x;
	m->mean += d / m->n;
	m->m2 += d * (x - m->mean);
}

void
st_moments_merge(struct st_moments *a, const struct st_moments *b)
{
	double n = a->n + b->n, d = b->mean - a->mean;

	if (b->n == 0)
		return;
	if (a->n == 0) {
		*a = *b;
		return;
	}
	a->m2 += b->m2 + d * d * a->n * b->n / n;
	a->sum += b->sum;
	a->mean += d * b->n / n;
	a->n = n;
}

double
st_moments_mean(const struct st_moments *m)
{
	return m->n > 0 ? m->sum / m->n : NAN;
}

double
st_moments_var(const struct st_moments *m)
{
	return m->n >= 2 ? m->m2 / (m->n - 1) : NAN;
}

void
st_welch(const struct st_moments *a, const struct st_moments *b, double conf,
    struct st_interval *o, double *dfout)
{
	double va, vb, se2, se, df, t;

	interval_nan(o);
	if (dfout)
		*dfout = NAN;
	if (a->n < 2 || b->n < 2)
		return;
	va = st_moments_var(a) / a->n;
	vb = st_moments_var(b) / b->n;
	se2 = va + vb;
	se = sqrt(se2);
	o->est = st_moments_mean(a) - st_moments_mean(b);
	o->se = se;
	if (!(se > 0)) {
		o->lo = o->hi = o->est;
		return;
	}
	df = se2 * se2 / (va * va / (a->n - 1) + vb * vb / (b->n - 1));
	t = st_t_quantile(1 - (1 - conf) / 2, df);
	o->lo = o->est - t * se;
	o->hi = o->est + t * se;
	o->p = 2 * t_tail(fabs(o->est) / se, df);
	if (dfout)
		*dfout = df;
}

/* ---- Qini ---- */

static int
by_score_desc(const void *pa, const void *pb)
{
	const struct st_unit *a = pa, *b = pb;

	if (a->score > b->score)
		return -1;
	if (a->score < b->score)
		return 1;
	return 0;
}

/* The area between points i - 1 and i, with x = n / total: one
 * expression for the running areas and st_qini_area, so they agree. */
static double
trapezoid(const struct st_qini_point *pt, size_t i, double total)
{
	return (pt[i].n - pt[i - 1].n) / total * (pt[i].qini + pt[i - 1].qini) / 2;
}

size_t
st_qini_curve(struct st_unit *u, size_t n, struct st_qini_point **out)
{
	struct st_qini_point *pt, cur;
	size_t i, npt = 0;

	*out = NULL;
	if (n == 0)
		return 0;
	qsort(u, n, sizeof *u, by_score_desc);
	pt = xreallocarray(NULL, n + 1, sizeof *pt);
	memset(&cur, 0, sizeof cur);
	pt[npt++] = cur;
	for (i = 0; i < n; i++) {
		cur.n += 1;
		if (u[i].treated) {
			cur.n_t += 1;
			cur.y_t += u[i].y;
		} else {
			cur.n_c += 1;
			cur.y_c += u[i].y;
		}
		if (i + 1 < n && u[i + 1].score == u[i].score)
			continue;
		cur.qini = cur.y_t - (cur.n_c > 0 ? cur.y_c * cur.n_t / cur.n_c : 0);
		pt[npt++] = cur;
	}
	for (i = 1; i < npt; i++)
		pt[i].area = pt[i - 1].area + trapezoid(pt, i, (double)n);
	*out = pt;
	return npt;
}

double
st_qini_area(const struct st_qini_point *pt, size_t npt)
{
	double area = 0, total;
	size_t i;

	if (npt < 2)
		return NAN;
	total = pt[npt - 1].n;
	for (i = 1; i < npt; i++)
		area += trapezoid(pt, i, total);
	return area;
}

void
st_auuc(struct st_unit *u, size_t n, struct st_auuc *o)
{
	struct st_qini_point *pt;
	struct st_unit *ideal;
	size_t npt, i;

	o->auuc = o->random = o->perfect = o->qini = NAN;
	o->vs_random = o->vs_perfect = o->total = NAN;
	if (n == 0)
		return;
	npt = st_qini_curve(u, n, &pt);
	o->auuc = st_qini_area(pt, npt);
	o->total = pt[npt - 1].qini;
	o->random = o->total / 2;
	free(pt);

	ideal = xreallocarray(NULL, n, sizeof *ideal);
	for (i = 0; i < n; i++) {
		ideal[i] = u[i];
		ideal[i].score = u[i].treated ? u[i].y : -u[i].y;
	}
	npt = st_qini_curve(ideal, n, &pt);
	o->perfect = st_qini_area(pt, npt);
	free(pt);
	free(ideal);

	o->qini = o->auuc - o->random;
	o->vs_random = o->random != 0 ? o->auuc / o->random : NAN;
	o->vs_perfect = o->perfect != o->random ?
	    (o->auuc - o->random) / (o->perfect - o->random) : NAN;
}

/* ---- experiments: Holm, mSPRT, CUPED, planning ---- */

void
st_holm(const double *p, size_t m, double *adj)
{
	size_t *ix = xreallocarray(NULL, m + 1, sizeof *ix), k = 0;
	double run = 0;

	for (size_t i = 0; i < m; i++) {
		adj[i] = NAN;
		if (!isnan(p[i]))
			ix[k++] = i;
	}
	/* insertion sort by p, ties in input order: m is a few dozen
	 * comparisons, and qsort's comparator would need a global */
	for (size_t j = 1; j < k; j++) {
		size_t v = ix[j], i = j;

		for (; i > 0 && p[ix[i - 1]] > p[v]; i--)
			ix[i] = ix[i - 1];
		ix[i] = v;
	}
	for (size_t j = 0; j < k; j++) {
		double v = (double)(k - j) * p[ix[j]];

		if (v > run)
			run = v;
		adj[ix[j]] = run < 1 ? run : 1;
	}
	free(ix);
}

void
st_msprt(double est, double se, double tau2, double conf,
    struct st_interval *o)
{
	double s2 = se * se, alpha = 1 - conf, half, loglam;

	interval_nan(o);
	if (isnan(est) || !(se > 0) || !(tau2 > 0) || !(alpha > 0 && alpha < 1))
		return;
	half = sqrt(s2 * (s2 + tau2) / tau2 * (log1p(tau2 / s2) - 2 * log(alpha)));
	o->est = est;
	o->se = se;
	o->lo = est - half;
	o->hi = est + half;
	loglam = -0.5 * log1p(tau2 / s2) + tau2 * est * est / (2 * s2 * (s2 + tau2));
	o->p = loglam > 0 ? exp(-loglam) : 1;
}

double
st_msprt_tau2(double se, double n, double horizon, double conf)
{
	double c = -2 * log(1 - conf), x = c;

	if (!(se > 0) || !(n > 0) || !(horizon > 0) || !(conf > 0 && conf < 1))
		return NAN;
	/* a contraction (slope 1 / (1 + x) < 1/2): 60 steps are exact */
	for (int i = 0; i < 60; i++)
		x = c + log1p(x);
	return x * se * se * n / horizon;
}

void
st_comoments_init(struct st_comoments *m)
{
	memset(m, 0, sizeof *m);
}

void
st_comoments_add(struct st_comoments *m, double x, double y)
{
	double dx = x - m->mx, dy = y - m->my;

	m->n += 1;
	m->sx += x;
	m->sy += y;
	m->mx += dx / m->n;
	m->my += dy / m->n;
	m->m2x += dx * (x - m->mx);
	m->m2y += dy * (y - m->my);
	m->cxy += dx * (y - m->my);
}

void
st_comoments_merge(struct st_comoments *a, const struct st_comoments *b)
{
	double n = a->n + b->n, dx = b->mx - a->mx, dy = b->my - a->my;
	double w;

	if (b->n == 0)
		return;
	if (a->n == 0) {
		*a = *b;
		return;
	}
	w = a->n * b->n / n;
	a->m2x += b->m2x + dx * dx * w;
	a->m2y += b->m2y + dy * dy * w;
	a->cxy += b->cxy + dx * dy * w;
	a->mx += dx * b->n / n;
	a->my += dy * b->n / n;
	a->sx += b->sx;
	a->sy += b->sy;
	a->n = n;
}

/* y's moments, or y - theta (x - xbar) with xbar the pooled mean of x. */
static void
adjusted(const struct st_comoments *c, double theta, double xbar,
    struct st_moments *m)
{
	double mean = c->n > 0 ? c->sy / c->n - theta * (c->sx / c->n - xbar) : 0;

	m->n = c->n;
	m->mean = mean;
	m->sum = mean * c->n;
	m->m2 = c->m2y - 2 * theta * c->cxy + theta * theta * c->m2x;
	if (m->m2 < 0)	/* rounding when y is x times theta exactly */
		m->m2 = 0;
}

void
st_cuped(const struct st_comoments *a, const struct st_comoments *b,
    double conf, struct st_interval *o, double *theta, double *reduction)
{
	struct st_comoments all = *a;
	struct st_moments ma, mb;
	struct st_interval plain;
	double th = 0, xbar;

	st_comoments_merge(&all, b);
	if (all.m2x > 0)
		th = all.cxy / all.m2x;
	xbar = all.n > 0 ? all.sx / all.n : 0;
	adjusted(a, th, xbar, &ma);
	adjusted(b, th, xbar, &mb);
	st_welch(&ma, &mb, conf, o, NULL);
	if (theta)
		*theta = a->n >= 2 && b->n >= 2 ? th : NAN;
	if (reduction) {
		adjusted(a, 0, xbar, &ma);
		adjusted(b, 0, xbar, &mb);
		st_welch(&ma, &mb, conf, &plain, NULL);
		*reduction = plain.se > 0 ? 1 - o->se * o->se / (plain.se * plain.se) :
		    NAN;
	}
}

void
st_mean_interval(const struct st_moments *m, double conf, struct st_interval *o)
{
	double se, t;

	interval_nan(o);
	if (m->n < 1)
		return;
	o->est = st_moments_mean(m);
	if (m->n < 2)
		return;
	se = sqrt(st_moments_var(m) / m->n);
	t = st_t_quantile(1 - (1 - conf) / 2, m->n - 1);
	o->se = se;
	o->lo = o->est - t * se;
	o->hi = o->est + t * se;
}

double
st_plan_total(double p_t, double p_c, double e_t, double e_c, double alpha,
    double power)
{
	double z, d = p_t - p_c;

	if (!(p_t > 0 && p_t < 1) || !(p_c > 0 && p_c < 1) || !(e_t > 0) ||
	    !(e_c > 0) || !(alpha > 0 && alpha < 1) || !(power > 0 && power < 1) ||
	    d == 0)
		return NAN;
	z = st_norm_quantile(1 - alpha / 2) + st_norm_quantile(power);
	return z * z * (p_t * (1 - p_t) / e_t + p_c * (1 - p_c) / e_c) / (d * d);
}
