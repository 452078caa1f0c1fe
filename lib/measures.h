/*
 * measures.h: how interesting an association rule X -> Y is, from its
 * 2x2 contingency table of baskets.
 *
 *   n   baskets in all           nx  baskets with X (the subject)
 *   nxy baskets with X and Y     ny  baskets with Y (the linked item)
 *
 * Counts are doubles so that weighted (decayed) counts work too; with
 * whole counts every measure is what arules' interestMeasure() gives.
 * A measure that does not exist for a table (conviction of a rule that
 * always holds, chi2 with an empty margin) is NaN or +inf: callers print
 * it as missing.
 */
#ifndef MEASURES_H
#define MEASURES_H

#include <stddef.h>

enum {
	MS_COUNT,	/* nxy */
	MS_SUPPORT,	/* nxy / n */
	MS_CONFIDENCE,	/* nxy / nx */
	MS_LIFT,	/* confidence * n / ny */
	MS_JACCARD,	/* nxy / (nx + ny - nxy) */
	MS_COSINE,	/* nxy / sqrt(nx ny) */
	MS_LEVERAGE,	/* nxy / n - (nx / n)(ny / n) */
	MS_CONVICTION,	/* (1 - ny / n) / (1 - confidence) */
	MS_CHI2,	/* Pearson's chi-square of the 2x2 table, 1 df */
	MS_PVALUE,	/* Fisher's exact test, one-sided: P(X >= nxy) */
	MS_N
};

extern const char *const ms_name[MS_N];

/* Index of a measure name (exact, lowercase), or -1. */
int ms_find(const char *name, size_t len);
/* 1 when smaller values are better (pvalue), else 0. */
int ms_lower_better(int m);
/* One measure of the table. */
double ms_value(int m, double nxy, double nx, double ny, double n);

/*
 * Pearson's chi-square statistic without continuity correction:
 * n (n nxy - nx ny)^2 / (nx ny (n - nx) (n - ny)); NaN when a margin is
 * zero.
 */
double ms_chi2(double nxy, double nx, double ny, double n);

/*
 * Fisher's exact test of positive association, one-sided: the
 * hypergeometric probability of nxy or more baskets with both, given the
 * margins (R: fisher.test(..., alternative = "greater")). Counts are
 * rounded to whole numbers. The observed term is Loader's saddle-point
 * form (st_hyper_pmf), the others follow from it by the terms' ratio
 * recurrence, summed outwards with compensation: it costs O(terms until
 * negligible) and is good to a few ulps, down to p-values of about
 * 1e-300 (below that 0).
 */
double ms_fisher(double nxy, double nx, double ny, double n);

#endif
