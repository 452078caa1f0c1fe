/* measures.c: rule interestingness measures, Fisher's exact test. */
#include <math.h>
#include <string.h>

#include "measures.h"
#include "stats.h"

const char *const ms_name[MS_N] = {
	"count", "support", "confidence", "lift", "jaccard", "cosine",
	"leverage", "conviction", "chi2", "pvalue"
};

int
ms_find(const char *name, size_t len)
{
	for (int m = 0; m < MS_N; m++)
		if (strlen(ms_name[m]) == len && memcmp(ms_name[m], name, len) == 0)
			return m;
	return -1;
}

int
ms_lower_better(int m)
{
	return m == MS_PVALUE;
}

double
ms_chi2(double nxy, double nx, double ny, double n)
{
	double d = n * nxy - nx * ny;
	double den = nx * ny * (n - nx) * (n - ny);

	if (!(den > 0))
		return NAN;
	/* n d^2 / den, ordered so that large tables do not overflow. */
	return (d / nx) * (d / ny) * n / ((n - nx) * (n - ny));
}

/*
 * The tail's terms from P(k0) outwards by their ratio recurrence, each
 * relative to P(k0) (so a tiny P(k0) keeps its precision), added with
 * Neumaier's compensation; up (dir 1) to hi or down (dir -1) to lo,
 * until a term no longer counts. Returns the sum, 1 at least.
 */
static double
tail_sum(double k0, int dir, double lim, double r, double c, double t)
{
	double s = 1, comp = 0, term = 1, k, u, y;

	for (k = k0; dir > 0 ? k < lim : k > lim; k += dir) {
		if (dir > 0)
			term *= (c - k) * (r - k) / ((k + 1) * (t - c - r + k + 1));
		else
			term *= k * (t - c - r + k) / ((c - k + 1) * (r - k + 1));
		y = s + term;
		u = fabs(s) >= fabs(term) ? (s - y) + term : (term - y) + s;
		comp += u;
		s = y;
		if (term < s * 1e-17)
			break;
	}
	return s + comp;
}

double
ms_fisher(double nxy, double nx, double ny, double n)
{
	double a = round(nxy), r = fmin(round(nx), round(ny));
	double c = fmax(round(nx), round(ny)), t = round(n);
	double lo = fmax(0, r + c - t), hi = fmin(r, c);
	double mode;

	/* The test is symmetric in X and Y; ordering the margins makes the
	 * two directions of a rule agree to the last bit too. */
	if (!(t > 0) || r > t || c > t || r < 0 || c < 0)
		return NAN;
	if (a <= lo)
		return 1;
	if (a > hi)
		return 0;
	/* P(k) is Loader's saddle-point form (st_hyper_pmf), good to a few
	 * ulps where differences of lgammas of t lose log10(t) digits. */
	mode = floor((r + 1) * (c + 1) / (t + 2));
	if (a > mode)
		/* Upper tail: terms fall from a onwards. */
		return fmin(1, st_hyper_pmf(a, r, c, t) *
		    tail_sum(a, 1, hi, r, c, t));
	/* Upper tail holds the mode: 1 - P(X <= a - 1), whose terms fall
	 * from a - 1 downwards. */
	return fmax(0, fmin(1, 1 - st_hyper_pmf(a - 1, r, c, t) *
	    tail_sum(a - 1, -1, lo, r, c, t)));
}

double
ms_value(int m, double nxy, double nx, double ny, double n)
{
	double conf = nxy / nx;

	switch (m) {
	case MS_COUNT:
		return nxy;
	case MS_SUPPORT:
		return nxy / n;
	case MS_CONFIDENCE:
		return conf;
	case MS_LIFT:
		/* arules' order of operations, so lifts agree to the bit. */
		return conf * n / ny;
	case MS_JACCARD:
		return nxy / (nx + ny - nxy);
	case MS_COSINE:
		return nxy / sqrt(nx * ny);
	case MS_LEVERAGE:
		return nxy / n - (nx / n) * (ny / n);
	case MS_CONVICTION:
		return (1 - ny / n) / (1 - conf);
	case MS_CHI2:
		return ms_chi2(nxy, nx, ny, n);
	case MS_PVALUE:
		return ms_fisher(nxy, nx, ny, n);
	}
	return NAN;
}
