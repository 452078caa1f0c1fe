/* scoring: weight syntax, normalisations, the score as a sum of parts. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "scorer.h"
#include "tap.h"
#include "xsell.h"

static const char *
parse(const char *s, struct weights *w)
{
	static char msg[160];

	return weights_parse(s, w, msg, sizeof msg);
}

int
main(void)
{
	struct weights w = { { 0 }, 0.5 };
	struct score_parts p;
	double x[NFACTOR] = { 0.5, 0.75, 0.5, 1 };
	int exact = 1;

	ok(!parse("P=0.4,R=0.2,I=0.3,E=0.1", &w), "default weights parse");
	ok(w.w[F_P] == 0.4 && w.w[F_E] == 0.1 && w.u == 0.5,
	    "values land on their factor, U kept");
	ok(!parse(" E=0.1 , I=0.3,R=0.2,P=0.4 ", &w), "any order, blanks");
	is_str(parse("P=0.4,R=0.2,I=0.3,E=0.2", &w), "weights sum to 1.1, not 1",
	    "sum off by 0.1");
	is_str(parse("P=1,R=0,I=0", &w), "E is missing (name P, R, I and E)",
	    "a missing factor");
	is_str(parse("P=1,R=0,I=0,E=0,R=0", &w), "R given twice", "twice");
	is_str(parse("P=1,R=0,I=0,E", &w),
	    "\"E\" is not P=, R=, I= or E= with a number", "no value");
	is_str(parse("PR=1", &w), "\"PR=1\" is not P=, R=, I= or E= with a number",
	    "two letters");
	is_str(parse("P=2,R=-1,I=0,E=0", &w), "P: 2 is not in [0, 1]", "range");
	is_str(parse("P=,R=1,I=0,E=0", &w), "P: not a number: \"\"", "empty value");
	is_str(parse("", &w), "P is missing (name P, R, I and E)", "empty text");
	ok(!parse("P=0.2500000001,R=0.25,I=0.25,E=0.25", &w), "within 1e-9");

	ok(norm_clamp(-1) == 0 && norm_clamp(2) == 1 && norm_clamp(0.3) == 0.3,
	    "clamp");
	ok(isnan(norm_clamp(NAN)) && isnan(norm_lift(NAN)), "NaN stays missing");
	ok(norm_lift(3) == 0.75 && norm_lift(1) == 0.5 && norm_lift(0) == 0 &&
	    norm_lift(-2) == 0 && norm_lift(INFINITY) == 1, "lift / (1 + lift)");
	ok(norm_position(1) == 1 && norm_position(4) == 0.25 &&
	    norm_position(0.5) == 1 && norm_position(0) == 0, "1 / position");
	ok(norm_uplift(0.05, 0.1) == 0.5 && norm_uplift(-0.3, 0.1) == -1 &&
	    norm_uplift(0.1, 0) == 0, "cate / largest |cate|");

	w = (struct weights){ { 0.5, 0.25, 0.125, 0.125 }, 0 };
	score_compute(&w, x, NAN, &p);
	ok(p.score == 0.625 && p.contrib[NFACTOR] == 0 && p.mult == 1,
	    "worked example: 0.625, no uplift");
	w.u = 1;
	score_compute(&w, x, 0.5, &p);
	ok(p.score == 0.9375 && p.contrib[NFACTOR] == 0.3125,
	    "uplift 0.5 at U=1: x 1.5");
	w.u = 2;
	score_compute(&w, x, -1, &p);
	ok(p.score == 0 && p.mult == 0, "sleeping dog at U=2: 0");
	x[F_R] = NAN;
	w.u = 0;
	score_compute(&w, x, 0, &p);
	ok(p.score == 0.4375 && p.contrib[F_R] == 0, "a missing factor is 0");

	/* The score is exactly the left-to-right sum of the contributions. */
	w = (struct weights){ { 0.37, 0.21, 0.29, 0.13 }, 1.3 };
	for (long long i = 0; i < 100000; i++) {
		double y[NFACTOR], u, s = 0;

		for (int k = 0; k < NFACTOR; k++)
			y[k] = (double)((i * 7919 + k * 104729) % 1000003) / 1000003;
		u = (double)((i * 31337) % 2001) / 1000 - 1;
		score_compute(&w, y, u, &p);
		for (int k = 0; k <= NFACTOR; k++)
			s += p.contrib[k];
		if (s != p.score || fabs(p.score - p.base * p.mult) > 1e-15)
			exact = 0;
	}
	ok(exact, "100000 scores equal the sum of their parts");

	/* Weights of two decimals summing to 1 (2026 of the 176851 sum past
	 * 1 in doubles) and within 1e-9 of it: with every factor 1, base
	 * is 1 or a rounding below, never above. */
	{
		double one[NFACTOR] = { 1, 1, 1, 1 };
		int inrange = 1;

		for (int a = 0; a <= 100; a++)
			for (int b = 0; a + b <= 100; b++)
				for (int c = 0; a + b + c <= 100; c++) {
					double s = 0;

					w = (struct weights){ { a / 100.0, b / 100.0,
					    c / 100.0, (100 - a - b - c) / 100.0 }, 0 };
					score_compute(&w, one, NAN, &p);
					for (int k = 0; k <= NFACTOR; k++)
						s += p.contrib[k];
					if (p.score > 1 || p.score < 1 - 1e-15 ||
					    p.base != p.score || s != p.score)
						inrange = 0;
				}
		ok(inrange, "weights of two decimals: all factors 1 score at most 1");
		w = (struct weights){ { 0.33, 0.56, 0.11, 0 }, 0 };
		score_compute(&w, one, NAN, &p);
		ok(p.score == 1 && p.contrib[F_I] == 1 - (0.33 + 0.56),
		    "0.33 + 0.56 + 0.11: the last contribution is cut to 1");
		ok(!parse("P=0.6,R=0.4000000005,I=0.0000000004,E=0", &w),
		    "weights 1.0000000009 accepted");
		score_compute(&w, one, NAN, &p);
		ok(p.score == 1 && p.contrib[F_I] == 0,
		    "within 1e-9: the score is 1, the part past it 0");
		w.u = 2;
		score_compute(&w, one, 1, &p);
		ok(p.score == 3 && p.base == 1, "U=2, u=1 triples base 1");
	}
	return tap_done();
}
