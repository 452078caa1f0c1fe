/*
 * audit-experiment.h: xsell-audit --experiment and --plan, run by
 * lib/experiment.c with the command's options (struct audit_opts), the
 * read-out's flags kept as the audit's findings (both arms, sample
 * ratio, guardrail) for --fail-on.
 */
#ifndef AUDIT_EXPERIMENT_H
#define AUDIT_EXPERIMENT_H

struct audit;

/* The read-out of a's --events; by: EXP_BY_* (experiment.h). */
void audit_experiment(struct audit *a, int by);
/* The plan from a's --baseline, --mde, --traffic and the rest. */
void audit_plan(struct audit *a);

#endif
