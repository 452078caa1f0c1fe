/*
 * scorer.h: the engine of xsell-score: reads candidates (from
 * xsell-qualify) a context at a time and writes each with its score,
 * expected value and, with explain, where each part came from. The
 * formula is lib/scoring.h; the side files are lib/catalog (catalog,
 * offers) and lib/uplift (models).
 *
 * Use: scorer_new (side files), scorer_open on the candidates' reader
 * (columns, output), scorer_group for each group of the returned
 * grouper, scorer_close.
 */
#ifndef SCORER_H
#define SCORER_H

#include <stddef.h>

#include "group.h"
#include "scoring.h"
#include "xsell.h"
#include "rec.h"

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
