/*
 * audit.h: what xsell-audit's engines are asked, as its options give it
 * (struct audit_opts, filled by the command).
 */
#ifndef AUDIT_H
#define AUDIT_H

#include <stdint.h>

#include "experiment.h"

struct audit_opts {
	const char *catalog, *orders, *offers, *events, *html, *out, *score;
	const char *by;
	double max_links, max_age, min_acceptance, holdout;
	int64_t now;
	int fail_on, json, report, experiment, qini;
	int counts, merge;	/* --events: partial sums out, or in */
	int nrel;
	char **rel;
	/* experiments and plans */
	const char *control, *covariate;
	struct exp_split split;
	double alpha, horizon, baseline, mde, traffic, power;
	int sequential, plan, arms, alpha_set, control_set;
};

#endif
