/* scoring.c: weights, normalisations and the score's contributions. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "scoring.h"
#include "xsell.h"
#include "num.h"

const char factor_letter[NFACTOR + 1] = "PRIE";

const char *
weights_sum_check(const double w[NFACTOR], char *msg, size_t msglen)
{
	double sum = 0;
	char nb[NUM_BUF];

	for (int k = 0; k < NFACTOR; k++)
		sum += w[k];
	if (fabs(sum - 1) <= 1e-9)
		return NULL;
	num_fmt(sum, nb);
	snprintf(msg, msglen, "weights sum to %s, not 1", nb);
	return msg;
}

const char *
weights_parse(const char *s, struct weights *w, char *msg, size_t msglen)
{
	const char *p = s, *end = s + strlen(s), *item;
	size_t n;
	int seen[NFACTOR] = { 0 };
	double v[NFACTOR];

	while (list_next(&p, end, &item, &n)) {
		const char *eq = memchr(item, '=', n), *err, *at = NULL;
		int k, c = toupper((unsigned char)item[0]);

		if (!eq || eq - item != 1 || !c ||
		    !(at = strchr(factor_letter, c))) {
			snprintf(msg, msglen, "\"%.*s\" is not P=, R=, I= or E= "
			    "with a number", (int)n, item);
			return msg;
		}
		k = (int)(at - factor_letter);
		if (seen[k]++) {
			snprintf(msg, msglen, "%c given twice", factor_letter[k]);
			return msg;
		}
		if ((err = num_parse(eq + 1, n - 2, &v[k]))) {
			snprintf(msg, msglen, "%c: %s: \"%.*s\"", factor_letter[k],
			    err, (int)(n - 2), eq + 1);
			return msg;
		}
		if (v[k] < 0 || v[k] > 1) {
			snprintf(msg, msglen, "%c: %.*s is not in [0, 1]",
			    factor_letter[k], (int)(n - 2), eq + 1);
			return msg;
		}
	}
	for (int k = 0; k < NFACTOR; k++) {
		if (!seen[k]) {
			snprintf(msg, msglen, "%c is missing (name P, R, I and E)",
			    factor_letter[k]);
			return msg;
		}
	}
	if (weights_sum_check(v, msg, msglen))
		return msg;
	memcpy(w->w, v, sizeof v);
	return NULL;
}

double
norm_clamp(double x)
{
	if (isnan(x))
		return x;
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

double
norm_lift(double lift)
{
	if (isnan(lift))
		return lift;
	if (!(lift > 0))
		return 0;
	if (isinf(lift))
		return 1;
	return lift / (1 + lift);
}

double
norm_position(double pos)
{
	if (isnan(pos))
		return pos;
	if (!(pos > 0))
		return 0;
	return pos <= 1 ? 1 : 1 / pos;
}

double
norm_uplift(double cate, double maxabs)
{
	double u;

	if (isnan(cate))
		return cate;
	if (!(maxabs > 0))
		return 0;
	u = cate / maxabs;
	return u < -1 ? -1 : u > 1 ? 1 : u;
}

void
score_compute(const struct weights *w, const double x[NFACTOR], double u,
    struct score_parts *out)
{
	double base = 0, m;

	/*
	 * base is a weighted mean of factors in [0, 1], so at most 1; but
	 * the weights sum to 1 only within 1e-9, and rounding adds up
	 * (0.33 + 0.56 + 0.11 is 1.0000000000000002). A contribution that
	 * would take base past 1 is cut to 1 - base, which then adds to
	 * exactly 1 (exact subtraction for base >= 0.5 by Sterbenz, an
	 * error under half an ulp of 1 below), so the contributions still
	 * sum to the score.
	 */
	for (int k = 0; k < NFACTOR; k++) {
		double c = isnan(x[k]) ? 0 : w->w[k] * x[k];

		if (base + c > 1)
			c = 1 - base;
		out->contrib[k] = c;
		base += c;
	}
	m = 1 + w->u * (isnan(u) ? 0 : u);
	out->mult = m > 0 ? m : 0;
	out->base = base;
	/* base*mult - base: zero exactly when mult is 1, and -base exactly
	 * when it is 0. The score is the sum, which may differ from
	 * base*mult in the last place or so. */
	out->contrib[NFACTOR] = base * out->mult - base;
	out->score = base + out->contrib[NFACTOR];
}
