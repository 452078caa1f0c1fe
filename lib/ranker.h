/*
 * ranker.h: xsell-rank's engine. The candidate rows of each context,
 * ordered by placement, fallback tier, score and id (kept sources in
 * their position order), cut to the top N of each placement without
 * repeating a product, at most K of a category, within the contact cap
 * of the current period; the holdout or experiment arm of the context
 * (a keyed draw) decides whether its lists are shown and which sources
 * and placements fill them. Writes the rows kept (rank and group
 * appended, or one JSON object a list through widget.h) and the
 * --assignments log. The options, parsed, are struct ranker_opts;
 * xsell-rank(1) is the reference.
 */
#ifndef RANKER_H
#define RANKER_H

#include <stdint.h>

#include "group.h"
#include "experiment.h"
#include "widget.h"
#include "xsell.h"
#include "rec.h"
#include "intern.h"

/* An arm's own ranking: --arm-fallback and --arm-placements. */
struct ranker_arm {
	struct intern tiers;	/* its fallback order, when has_tiers */
	struct intern places;	/* the --per values it shows, when has_places */
	int has_tiers, has_places;
};

struct ranker_opts {
	int64_t top;		/* offers per list */
	int64_t maxcat;		/* at most this many of a category; 0 any */
	const char *by;		/* the context column */
	const char *per;	/* the placement column, or NULL */
	const char *fallback;	/* as given (tiers holds it), or NULL */
	const char *keep;	/* as given (keeps holds it), or NULL */
	struct intern tiers;	/* --fallback: source name -> tier */
	struct intern keeps;	/* --keep-order: the sources kept in position order */
	const char *catalog;	/* categories and --with fields, or NULL */
	/* --arms, or --holdout F as the arms control = F, treatment =
	 * 1 - F (in that order, so a draw below F is control, as it
	 * always was) */
	double holdout;		/* NaN without --holdout */
	struct exp_split arms;	/* n 0: neither */
	int control_arm;	/* the arm shown nothing, or -1 */
	struct ranker_arm rule[EXP_MAXARMS];
	int64_t seed;		/* the key of the draw */
	const char *assign;	/* the --assignments log, or NULL */
	/* --history FILE --cap N --period P [--now TS] */
	const char *history;	/* NULL: no cap */
	int64_t cap;
	int period;
	int has_now;
	int64_t now;
	const char *out;	/* -o */
	int json;		/* WRITER_TSV, WRITER_JSONL, WRITER_CSV, WRITER_CSV_SAFE */
	int buffer;		/* --buffer: input in any order */
	struct widget_opts widget;	/* --group-json, --with, --precision */
};

struct ranker;

/* Loads the --catalog and the --history (the options stay the caller's
 * and must outlive the ranker). */
struct ranker *ranker_new(const struct ranker_opts *o);
/*
 * Finds the columns of r's input (exit 3 when one is missing), opens
 * the outputs and returns the input's contexts: streamed when grouped
 * (or a pipe), else read whole first.
 */
struct group *ranker_open(struct ranker *R, struct rec *r);
/* Ranks and writes the current context of g. */
void ranker_group(struct ranker *R, const struct group *g);
/* Rows read so far, for the progress line. */
uint64_t ranker_rows(const struct ranker *R);
/* With -v, the counts; closes the outputs. */
void ranker_close(struct ranker *R);
void ranker_free(struct ranker *R);

#endif
