/*
 * xsell-audit's experiment read-out and plan (audit-experiment.h):
 * lib/experiment.c does them, told the command's options and output;
 * what it flags becomes the audit's findings.
 */
#include <math.h>

#include "audit-experiment.h"
#include "audit-internal.h"
#include "experiment.h"

static void
exp_flag(void *arg, int kind, double key, const char *detail)
{
	static const int check[] = { C_BOTH_ARMS, C_SRM, C_GUARDRAIL };
	struct audit *a = arg;

	finding(&a->fs, check[kind], INTERN_NONE, INTERN_NONE, key, "%s", detail);
}

static struct exp_show
exp_show(struct audit *a)
{
	struct exp_show sh = { a->out, a->html, a->as_report, a->opt->json };

	return sh;
}

void
audit_experiment(struct audit *a, int by)
{
	const struct audit_opts *opt = a->opt;
	struct exp_opts xo = {
		.events = opt->events, .control = opt->control,
		.covariate = opt->covariate, .catalog = opt->catalog, .conf = 0.95,
		.alpha = opt->alpha, .holdout = opt->holdout,
		.split = opt->split.n ? &opt->split : NULL, .by = by,
		.sequential = opt->sequential, .horizon = opt->horizon,
		.flag = exp_flag, .flag_arg = a,
	};
	struct exp_show sh = exp_show(a);

	a->fs.ran[C_BOTH_ARMS] = a->fs.ran[C_GUARDRAIL] = 1;
	a->fs.ran[C_SRM] = xo.split || !isnan(xo.holdout);
	exp_readout(&xo, &sh);
}

void
audit_plan(struct audit *a)
{
	const struct audit_opts *opt = a->opt;
	struct exp_plan p = {
		.baseline = opt->baseline, .mde = opt->mde, .traffic = opt->traffic,
		.alpha = opt->alpha, .power = opt->power, .arms = opt->arms,
		.split = opt->split.n ? &opt->split : NULL, .control = opt->control,
	};
	struct exp_show sh = exp_show(a);

	exp_plan(&p, &sh);
}
