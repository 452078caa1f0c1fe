/*
 * assoc.h: association rules from order lines, the engine of xsell-learn
 * (cross-sell). Reads order lines into baskets (streamed from disk while
 * they come grouped, held in memory otherwise), counts the items and the
 * pairs or itemsets at the threshold and writes the rules as relations;
 * or writes the mergeable partial counts of --counts, and merges count
 * streams (--merge) into the same rules. Upsells and substitutes
 * (similar.h) are learned from the same counts.
 *
 * Use: assoc_new(), then assoc_read() or assoc_merge(), then
 * assoc_rules() or assoc_counts() (or similar.h), assoc_report(),
 * assoc_free().
 */
#ifndef ASSOC_H
#define ASSOC_H

#include <stddef.h>
#include <stdint.h>

#include "measures.h"

enum { B_ORDER, B_CUSTOMER };		/* what a basket is */
enum { T_CROSS, T_UPSELL, T_SUBST };	/* the rules learned */
enum { M_RULES, M_COUNTS, M_MERGE };	/* rules, counts out, counts in */

/* The words of --basket (by B_*) and --type (by T_*), NULL-ended. */
extern const char *const assoc_basket_words[];
extern const char *const assoc_type_words[];

/* What to learn, as xsell-learn's options give it, checked and with the
 * defaults applied. */
struct assoc_opts {
	int basket;		/* B_* */
	int type, mode;		/* T_*, M_* */
	double min_count, min_support, min_conf, min_lift;
	int has_count, has_support, has_conf, has_lift;
	int dflt_count, dflt_lift;	/* the floors are the defaults */
	int64_t top;		/* 0: all */
	int sort_by;		/* MS_* */
	int measure[MS_N], nmeasure;
	int max_items;
	uint32_t max_basket;	/* 0: no limit */
	double half_life;	/* days; 0: none */
	int64_t now;		/* set from the data unless has_now */
	int has_now;
	uint32_t shard_i, shard_n;	/* shard_n 0: no --shard */
	size_t memory;		/* bytes of a block of pair rows */
	double max_price_ratio;	/* upsell */
	const char *out;
	int json;
};

struct assoc;

/* The learner's state; o stays the caller's (its now may be set). */
struct assoc *assoc_new(struct assoc_opts *o);
void assoc_free(struct assoc *L);
/* Order lines (TSV or JSON lines) into baskets and item counts. */
void assoc_read(struct assoc *L, int nfiles, char **files);
/* Count streams of --counts, summed. */
void assoc_merge(struct assoc *L, int nfiles, char **files);
/* The cross-sell rules of what was read or merged, written. */
void assoc_rules(struct assoc *L);
/* The partial counts of what was read, written. */
void assoc_counts(struct assoc *L);
/* The summary on stderr (more with -v); returns the exit status. */
int assoc_report(const struct assoc *L);

#endif
