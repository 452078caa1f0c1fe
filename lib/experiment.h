/*
 * experiment.h: the read-out of an experiment with any number of arms,
 * and its plan.
 *
 * Events (context_id, group = the arm's name, converted, revenue,
 * margin, ...) are summed per context; each arm is compared with the
 * control arm and every two other arms with each other: conversion rate,
 * revenue, margin and AOV per context, the difference and relative lift
 * with intervals, p-values with Holm's correction across the comparisons,
 * the sample-ratio test against the planned split, guardrails (an arm
 * that lowers conversion or margin against control), and on request a
 * breakdown by cell, always-valid (sequential) intervals and CUPED.
 * The statistics themselves are in stats.h; this module reads, sums,
 * pairs the arms and writes the tables, charts and page.
 *
 * Memory grows with contexts (one entry of 32 bytes and the id each) and,
 * with a breakdown, with (context, cell) pairs; not with events.
 */
#ifndef EXPERIMENT_H
#define EXPERIMENT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "xsell.h"
#include "num.h"
#include "rec.h"

#define EXP_MAXARMS 32

/* --by: what a cell is. */
enum { EXP_BY_NONE, EXP_BY_CHANNEL, EXP_BY_CATEGORY, EXP_BY_SUBJECT };

/* A planned split: arm names and their shares, summing to 1. */
struct exp_split {
	int n;
	char *arm[EXP_MAXARMS];
	double share[EXP_MAXARMS];
};

/*
 * Parses "NAME=F,NAME=F,...": shares in (0, 1] summing to 1 (within
 * 1e-6), names distinct and not empty, 2 to EXP_MAXARMS arms. A bad
 * value is exit 2 naming opt.
 */
void exp_split_parse(struct exp_split *s, const char *opt, const char *arg);
void exp_split_free(struct exp_split *s);
/* Index of an arm in the split, or -1. */
int exp_split_find(const struct exp_split *s, const char *arm);
/*
 * The arm of a unit (a context's id, n bytes): u = keyed_unit(seed, key)
 * (siphash.h), uniform in [0, 1), falls in arm i when the shares before
 * it add up to at most u and with it to more; the last arm takes the
 * rest. So the shares (F, 1 - F) put u < F in the first arm, as
 * xsell-rank's --holdout always has.
 */
int exp_split_draw(const struct exp_split *s, uint64_t seed, const void *key,
    size_t n);

/* An event's converted column: 0, 1 or empty (0); col < 0: none (0).
 * Anything else is exit 3. Inline: it runs once an event in the
 * read-outs' loops. */
static inline int
exp_converted(const struct rec *r, int col)
{
	double v;

	if (col < 0 || r->len[col] == 0)
		return 0;
	if (r->len[col] == 1 && (r->f[col][0] == '0' || r->f[col][0] == '1'))
		return r->f[col][0] == '1';
	if (num_parse(r->f[col], r->len[col], &v) || (v != 0 && v != 1))
		die(XS_INPUT, "%s: column 'converted': not 0 or 1: \"%s\"",
		    rec_where(r), r->f[col]);
	return v == 1;
}

/* What the read-out tells its tool, which keeps them as findings. */
enum { EXP_FLAG_BOTH_ARMS, EXP_FLAG_SRM, EXP_FLAG_GUARDRAIL };

struct exp_opts {
	const char *events;	/* file name, "-" for stdin */
	const char *control;	/* the control arm's name */
	const char *covariate;	/* CUPED column, or NULL */
	const char *catalog;	/* categories for --by category, or NULL */
	double conf;		/* interval level, 0.95 */
	double alpha;		/* guardrail level, 0.05 */
	double holdout;		/* planned control share, or NaN */
	const struct exp_split *split;	/* planned split, or NULL */
	int by;			/* EXP_BY_* */
	int sequential;		/* add always-valid intervals */
	double horizon;		/* contexts the sequential interval is tuned to */
	/* called for each finding; detail is valid during the call */
	void (*flag)(void *arg, int kind, double key, const char *detail);
	void *flag_arg;
};

/* Where a read-out goes: the table (TSV or JSON lines), or tables and
 * text charts for people (report), and an optional HTML page. */
struct exp_show {
	FILE *out;
	FILE *html;		/* NULL: no page */
	int report;
	int json;
};

/* Reads the events and writes the read-out. Unusable input is exit 3. */
void exp_readout(const struct exp_opts *o, const struct exp_show *sh);

struct exp_plan {
	double baseline;	/* control's conversion rate */
	double mde;		/* relative change to detect: 0.1 is +10% */
	double traffic;		/* contexts a day, all arms */
	double alpha, power;
	int arms;		/* equal shares, when split is NULL */
	const struct exp_split *split;
	const char *control;
};

/* Contexts per arm and days needed; a plan that cannot be made (a rate
 * out of (0, 1)) is exit 2. */
void exp_plan(const struct exp_plan *p, const struct exp_show *sh);

#endif
