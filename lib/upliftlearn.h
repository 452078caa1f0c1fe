/*
 * upliftlearn.h: the uplift learner of xsell-learn --uplift. Reads
 * events with a holdout (group treatment or control), sums outcomes per
 * candidate and segment cell, estimates each cell's CATE with the chosen
 * learner and writes the model rows; or writes the partial sums
 * (--counts) and merges them (--merge). The formulas are in uplift.h and
 * man/xsell-uplift.7; the options are parsed by xsell-learn.
 */
#ifndef UPLIFTLEARN_H
#define UPLIFTLEARN_H

#include "uplift.h"

enum { ULEARN_T, ULEARN_X, ULEARN_LOGIT };	/* --learner */
enum { ULEARN_CONVERTED, ULEARN_REVENUE };	/* --outcome */

struct uplift_opts {
	struct uplift_spec spec;	/* --segment-by */
	int learner, outcome;		/* ULEARN_* */
	double min_per_arm, k, l2, min_effect, high_base;
	int have_high_base, json;
	int counts, merge;	/* partial sums out, or in */
	const char *out;
};

/* The defaults; uplift_opts_free() frees the segment spec. */
void uplift_opts_init(struct uplift_opts *o);
void uplift_opts_free(struct uplift_opts *o);
/* Learns from the events (or sums) of the files; returns the exit status. */
int uplift_learn(const struct uplift_opts *o, int nfiles, char **files);

#endif
