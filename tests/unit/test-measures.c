/* Rule measures against values worked by hand and by R (fisher.test,
 * chisq.test(correct = FALSE)), and Fisher's tail against a direct sum. */
#include <math.h>
#include <stdio.h>

#include "tap.h"
#include "measures.h"

static int
near(double got, double want, double rel)
{
	if (got == want)
		return 1;
	return fabs(got - want) <= rel * fabs(want);
}

/* P(X >= a) by summing every term with long double logs. */
static double
fisher_direct(int a, int nx, int ny, int n)
{
	long double s = 0, lnc = lgammal(n + 1.0L) - lgammal(nx + 1.0L) -
	    lgammal(n - nx + 1.0L);
	int hi = nx < ny ? nx : ny;

	for (int k = a; k <= hi; k++) {
		if (nx - k > n - ny || k < 0)
			continue;
		s += expl(lgammal(ny + 1.0L) - lgammal(k + 1.0L) -
		    lgammal(ny - k + 1.0L) + lgammal(n - ny + 1.0L) -
		    lgammal(nx - k + 1.0L) - lgammal(n - ny - nx + k + 1.0L) - lnc);
	}
	return (double)s;
}

int
main(void)
{
	/* The lady tasting tea: 3 of 4 cups right. */
	ok(near(ms_fisher(3, 4, 4, 8), 17.0 / 70, 1e-12),
	    "fisher tea tasting: 17/70 (R 0.2428571)");
	ok(near(ms_fisher(4, 4, 4, 8), 1.0 / 70, 1e-12), "fisher all right: 1/70");
	ok(near(ms_fisher(1, 4, 4, 8), 69.0 / 70, 1e-12),
	    "fisher below the mode: 1 - P(0) = 69/70");
	ok(ms_fisher(0, 4, 4, 8) == 1, "fisher at the lower bound is 1");
	ok(ms_fisher(2, 5, 5, 8) == 1, "fisher: 2 of 5 and 5 of 8 must overlap");
	ok(near(ms_fisher(50, 1000, 1000, 100000), fisher_direct(50, 1000, 1000,
	    100000), 1e-8), "fisher large table, tiny p (%g)",
	    ms_fisher(50, 1000, 1000, 100000));
	ok(near(ms_fisher(12, 1000, 1000, 100000), fisher_direct(12, 1000, 1000,
	    100000), 1e-8), "fisher large table near the mean");
	ok(near(ms_fisher(7, 1000, 1000, 100000), fisher_direct(7, 1000, 1000,
	    100000), 1e-8), "fisher large table below the mean");
	ok(ms_fisher(900, 1000, 1000, 100000) >= 0 &&
	    ms_fisher(900, 1000, 1000, 100000) < 1e-300,
	    "fisher far tail underflows to 0, not NaN");
	ok(isnan(ms_fisher(1, 2, 2, 0)), "fisher of no baskets is NaN");
	/* Exact tails: the sum of C(c,k) C(t-c,r-k) over k >= a in Python 3's
	 * whole numbers, divided once by C(t,r) (int / int rounds
	 * correctly), stopping when a term is below 2^-400 of the sum:
	 *   T = comb(c, a) * comb(t - c, r - a); S = 0; k = a
	 *   while k <= min(r, c) and T << 400 >= S:
	 *       S += T; T = T * (c - k) * (r - k) // ((k + 1) * (t - c - r + k + 1)); k += 1
	 *   p = S / comb(t, r)
	 * The lgamma form was off by 2e-10 on such tables and 1e-8 at 2
	 * million baskets; R's level is 1e-13. */
	{
		static const struct { double a, nx, ny, n, p; } f[] = {
			{ 3, 4, 4, 8, 0.24285714285714285 },
			{ 1, 4, 4, 8, 0.9857142857142858 },
			{ 24, 30, 40, 100, 1.1500780528078035e-07 },
			{ 7, 16, 1711, 10000, 0.011564086173883268 },
			{ 50, 1000, 1000, 100000, 3.6904602849581626e-20 },
			{ 65, 14935, 6736, 2000000, 0.025528972979543065 },
			{ 192, 14935, 6736, 2000000, 3.0872614012033534e-53 },
			{ 56, 7859, 13063, 2000000, 0.2742520776475621 },
			{ 4647, 9126, 914089, 2000000, 8.058057675486657e-24 },
			{ 1, 1, 1, 2000000, 5e-07 },
			{ 30, 30, 40, 2000000, 2.0944819637904234e-148 },
			{ 2099, 2100, 1999000, 2000000, 0.7173582718015211 },
			{ 1998, 2000, 1999000, 2000000, 0.9198366860489239 },
			{ 499000, 1000000, 1000000, 2000000, 0.9976714513729311 },
			{ 502000, 1000000, 1000000, 2000000, 7.772044331492171e-09 },
			{ 503500, 1000000, 1000000, 2000000, 2.120852496336746e-23 },
			{ 260000, 500000, 1000000, 2000000, 2.740872039828917e-234 },
		};

		for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
			double got = ms_fisher(f[i].a, f[i].nx, f[i].ny, f[i].n);

			ok(near(got, f[i].p, 1e-13),
			    "fisher exact tail %g of %g, %g in %g to 1e-13",
			    f[i].a, f[i].nx, f[i].ny, f[i].n);
			if (!near(got, f[i].p, 1e-13))
				printf("#   got %.17g want %.17g\n", got, f[i].p);
		}
	}
	ok(ms_fisher(376, 516, 553, 3903) == ms_fisher(376, 553, 516, 3903),
	    "fisher is symmetric to the bit");

	ok(near(ms_chi2(3, 4, 4, 8), 2, 1e-15), "chi2 tea tasting: 2");
	ok(near(ms_chi2(2, 3, 2, 5), 20.0 / 9, 1e-15), "chi2 2x2: 20/9");
	ok(isnan(ms_chi2(3, 3, 3, 3)), "chi2 with an empty margin is NaN");

	/* Baskets {A,B} {A,B,C} {A,C} {C} {D}: A -> B. */
	ok(ms_value(MS_COUNT, 2, 3, 2, 5) == 2, "count");
	ok(ms_value(MS_SUPPORT, 2, 3, 2, 5) == 0.4, "support 2/5");
	ok(ms_value(MS_CONFIDENCE, 2, 3, 2, 5) == 2.0 / 3, "confidence 2/3");
	ok(ms_value(MS_LIFT, 2, 3, 2, 5) == 2.0 / 3 * 5 / 2,
	    "lift is confidence * n / ny, arules' order of operations");
	ok(ms_value(MS_JACCARD, 2, 3, 2, 5) == 2.0 / 3, "jaccard 2/(3+2-2)");
	ok(near(ms_value(MS_COSINE, 2, 3, 2, 5), 2 / sqrt(6), 1e-15),
	    "cosine 2/sqrt(6)");
	ok(near(ms_value(MS_LEVERAGE, 2, 3, 2, 5), 0.4 - 0.6 * 0.4, 1e-15),
	    "leverage 0.4 - 0.6 * 0.4");
	ok(near(ms_value(MS_CONVICTION, 2, 3, 2, 5), 0.6 / (1.0 / 3), 1e-15),
	    "conviction (1 - 0.4) / (1 - 2/3)");
	ok(isinf(ms_value(MS_CONVICTION, 2, 2, 3, 5)),
	    "conviction of a rule that always holds is infinite");
	ok(near(ms_value(MS_PVALUE, 2, 3, 2, 5), 0.3, 1e-12),
	    "pvalue: P(X >= 2) = 3/10");

	ok(ms_find("chi2", 4) == MS_CHI2, "find chi2");
	is_str(ms_name[MS_PVALUE], "pvalue", "names are the column names");
	ok(ms_find("lif", 3) == -1, "no prefix matches");
	ok(ms_lower_better(MS_PVALUE) && !ms_lower_better(MS_LIFT),
	    "only the p-value is better small");
	return tap_done();
}
