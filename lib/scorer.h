/*
 * scorer.h: the engine of xsell-score: reads candidates (from
 * xsell-qualify) a context at a time and writes each with its score,
 * expected value and, with explain, where each part came from. The
 * formula is below; the side files are lib/catalog (catalog, offers)
 * and lib/uplift (models).
 *
 * Use: scorer_new (side files), scorer_open on the candidates' reader
 * (columns, output), scorer_group for each group of the returned
 * grouper, scorer_close.
 */
#ifndef SCORER_H
#define SCORER_H

#include <stddef.h>

#include "group.h"
#include "xsell.h"
#include "rec.h"

/*
 * The score:
 *
 *   base  = wP*P + wR*R + wI*I + wE*E         each factor in [0, 1]
 *   mult  = max(0, 1 + U*u)                   u in [-1, 1], U in [0, 2]
 *   score = base * mult
 *
 * The score is computed as the sum of five contributions, in the order
 * P, R, I, E, U, in double precision: cX = wX*X for the four factors and
 * cU = base*mult - base for uplift. A factor's contribution that would
 * take base past 1 (weights summing to 1 within 1e-9, rounding) is cut
 * to what keeps it at exactly 1, so base stays in [0, 1]. The printed
 * contributions (shortest text that reads back as the same double)
 * therefore add up, in that order, to the printed score exactly.
 */

enum { F_P, F_R, F_I, F_E, NFACTOR };

/* The factor letters, "PRIE". */
extern const char factor_letter[NFACTOR + 1];

struct weights {
	double w[NFACTOR];
	double u;		/* uplift weight U */
};

/* Parses "P=0.4,R=0.2,I=0.3,E=0.1" (any order, each letter once, values
 * in [0, 1], sum 1 within 1e-9); keeps w->u. NULL, or why not in msg. */
const char *weights_parse(const char *s, struct weights *w, char *msg,
    size_t msglen);
/* The sum check alone: NULL, or "weights sum to X, not 1" in msg. */
const char *weights_sum_check(const double w[NFACTOR], char *msg,
    size_t msglen);

/* Normalisations to [0, 1]. NaN (missing) stays NaN. */
double norm_clamp(double x);		/* min(1, max(0, x)) */
double norm_lift(double lift);		/* lift / (1 + lift), 0 below 0 */
double norm_position(double pos);	/* min(1, 1 / pos), 0 unless pos > 0 */
double norm_uplift(double cate, double maxabs);	/* cate/maxabs in [-1, 1] */

struct score_parts {
	double contrib[NFACTOR + 1];	/* cP cR cI cE cU */
	double base, mult, score;
};

/* x: the four normalised factors (NaN counts as 0); u: uplift in
 * [-1, 1] (NaN counts as 0). */
void score_compute(const struct weights *w, const double x[NFACTOR], double u,
    struct score_parts *out);

struct scorer_opts {
	struct weights w;	/* --weights and --uplift-weight */
	const char *weights_file, *catalog, *offers, *model, *pmodel, *out;
	int explain, buffer, json;
};

struct scorer;

/* Reads --weights-file, --catalog, --offers and the models (exit 3 on a
 * bad one). The options' strings must outlive the engine. */
struct scorer *scorer_new(const struct scorer_opts *o);
/* Binds to the candidates' columns, chooses how rows are grouped by
 * context and opens the output; r must not be empty. */
struct group *scorer_open(struct scorer *S, struct rec *r);
/* Scores and writes one group of the grouper scorer_open returned. */
void scorer_group(struct scorer *S, const struct group *g);
/* With -v, says what was scored (rows and groups as counted by the
 * caller); closes the output and frees. */
void scorer_close(struct scorer *S, size_t rows, size_t groups);
/* Frees an engine that scorer_open was never called on. */
void scorer_free(struct scorer *S);

#endif
