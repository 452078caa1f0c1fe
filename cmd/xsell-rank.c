/*
 * xsell-rank: the top N scored candidates of each context, filled by a
 * fallback chain of sources, with diversity, independent placements, a
 * holdout group or experiment arms, and contact caps. Every row it writes
 * is a row of its input: back-fill (best sellers) is a source of
 * xsell-qualify, so that no candidate is shown without passing
 * eligibility, stock and ownership checks. The command line; the engine
 * is lib/ranker.c.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "period.h"
#include "ranker.h"
#include "xsell.h"
#include "num.h"
#include "rec.h"
#include "progress.h"
#include "intern.h"

static const char usage_text[] =
    "usage: xsell-rank [--top N] [--by COLUMN] [--per COLUMN] "
    "[--fallback SRC,SRC,...]\n"
    "                  [--keep-order SRC,...] [--catalog FILE] "
    "[--max-per-category K]\n"
    "                  [--holdout F --seed S [--assignments FILE]]\n"
    "                  [--arms ARM=F,... --seed S [--control NAME]\n"
    "                   [--arm-fallback ARM=SRC,...] "
    "[--arm-placements ARM=VAL,...]\n"
    "                   [--assignments FILE]]\n"
    "                  [--history FILE --cap N --period day|week|month "
    "[--now TS]]\n"
    "                  [--group-json] [--with FIELD,... [--precision N]]\n"
    "                  [--buffer] [-jqv] [--csv-out | --csv-safe] [-o FILE]\n"
    "                  [FILE ...]\n";

/* --help: the usage, then one line per option, each long option of the
 * page's OPTIONS on one (tests/help.bats); the page is the reference. */
static const char help_text[] =
    "\n"
    "options (details in xsell-rank(1)):\n"
    "  --top N                       offers per list (default 5)\n"
    "  --by COLUMN                   the context column (default context_id)\n"
    "  --per COLUMN                  independent lists per value of COLUMN\n"
    "  --fallback SRC,SRC,...        the sources in the order they fill the slots\n"
    "  --keep-order SRC,...          sources shown in their position order\n"
    "  --catalog FILE                products' categories, and the --with fields\n"
    "  --max-per-category K          at most K offers of a category per list\n"
    "  --holdout F                   the share of contexts kept as control\n"
    "  --arms ARM=F,...              experiment arms and their shares\n"
    "  --control NAME                the arm that gets no offers (default control)\n"
    "  --arm-fallback ARM=SRC,...    an arm's own source order; repeatable\n"
    "  --arm-placements ARM=VAL,...  the --per values an arm shows; repeatable\n"
    "  --seed S                      the key of the holdout or arm draw\n"
    "  --assignments FILE            log every context's group and offers to FILE\n"
    "  --history FILE                past contacts, for --cap\n"
    "  --cap N                       contacts allowed per period\n"
    "  --period day|week|month       the calendar period of the cap\n"
    "  --now TS                      the time that decides the current period\n"
    "  --group-json                  one JSON object per list, for a web widget\n"
    "  --with FIELD,...              display fields for each offer\n"
    "  --precision N                 round the numeric --with fields to N decimals\n"
    "  --buffer                      read all input first, for ungrouped input\n"
    "  -j, --json                    write JSON lines\n"
    "  --csv-out                     write CSV, for spreadsheets and SQL engines\n"
    "  --csv-safe                    CSV with formula-like cells neutralised\n"
    "  -o, --output FILE             write to FILE, atomically\n"
    "  -q, --quiet                   only errors on standard error\n"
    "  -v, --verbose                 counts of rows, contexts, arms and caps\n"
    "  -h, --help                    print this help and exit\n"
    "  -V, --version                 print the version and exit\n";

#define MAXTOP 100000

/* The arguments of --arm-fallback (0) and --arm-placements (1), parsed
 * once --arms is known. */
struct armopts {
	const char **arg[2];
	int n[2];
};

/* ---- options ---- */

/* A list of names in order, each once: sources, placements. */
static void
parse_list(struct intern *in, const char *opt, const char *s, const char *what)
{
	const char *p = s, *item;
	size_t n;

	intern_init(in);
	while (list_next(&p, s + strlen(s), &item, &n)) {
		uint32_t before = in->n;

		intern_put(in, item, n);
		if (in->n == before)
			die(XS_USAGE, "option %s: '%.*s' given twice", opt,
			    (int)n, item);
	}
	if (!in->n)
		die(XS_USAGE, "option %s: no %s named", opt, what);
}

/* --arm-fallback ARM=SRC,... and --arm-placements ARM=VAL,...: which = 0, 1. */
static void
parse_arm_rules(struct ranker_opts *o, const struct armopts *ao)
{
	static const char *const name[2] = { "--arm-fallback", "--arm-placements" };

	for (int which = 0; which < 2; which++)
		for (int i = 0; i < ao->n[which]; i++) {
			const char *arg = ao->arg[which][i], *eq = strchr(arg, '=');
			struct ranker_arm *rule;
			char *arm;
			int a;

			if (!eq || eq == arg)
				die(XS_USAGE, "option %s: expected ARM=%s,...: \"%s\"",
				    name[which], which ? "VAL" : "SRC", arg);
			arm = xmemdup(arg, (size_t)(eq - arg));
			if ((a = exp_split_find(&o->arms, arm)) < 0)
				die(XS_USAGE, "option %s: '%s' is not an arm of --arms",
				    name[which], arm);
			rule = &o->rule[a];
			if (which ? rule->has_places : rule->has_tiers)
				die(XS_USAGE, "option %s: arm '%s' given twice",
				    name[which], arm);
			if (which) {
				parse_list(&rule->places, name[which], eq + 1,
				    "placement");
				rule->has_places = 1;
			} else {
				parse_list(&rule->tiers, name[which], eq + 1,
				    "source");
				rule->has_tiers = 1;
			}
			free(arm);
		}
}

static void
arm_option(struct armopts *ao, int which, const char *arg)
{
	ao->arg[which] = xreallocarray(ao->arg[which], (size_t)ao->n[which] + 1,
	    sizeof *ao->arg[which]);
	ao->arg[which][ao->n[which]++] = arg;
}

/* What the options say, checked, once all are read. */
static void
check_args(struct ranker_opts *o, const struct armopts *ao, int has_seed,
    int has_cap, const char *control)
{
	if (!isnan(o->holdout) && o->arms.n)
		die(XS_USAGE, "option --holdout is the two-arm form of --arms; "
		    "give one");
	if (!isnan(o->holdout) && !has_seed)
		die(XS_USAGE, "option --holdout needs --seed");
	if (o->arms.n && !has_seed)
		die(XS_USAGE, "option --arms needs --seed");
	if (isnan(o->holdout) && !o->arms.n && (has_seed || o->assign))
		die(XS_USAGE, "option %s needs --holdout or --arms",
		    has_seed ? "--seed" : "--assignments");
	if (!o->arms.n && (control || ao->n[0] || ao->n[1]))
		die(XS_USAGE, "option %s needs --arms", control ? "--control" :
		    ao->n[0] ? "--arm-fallback" : "--arm-placements");
	if (ao->n[1] && !o->per)
		die(XS_USAGE, "option --arm-placements needs --per");
	if (!isnan(o->holdout)) {
		o->arms.n = 2;
		o->arms.arm[0] = xstrdup("control");
		o->arms.arm[1] = xstrdup("treatment");
		o->arms.share[0] = o->holdout;
		o->arms.share[1] = 1 - o->holdout;
	}
	if (o->arms.n) {
		o->control_arm = exp_split_find(&o->arms, control ? control :
		    "control");
		if (control && o->control_arm < 0)
			die(XS_USAGE, "option --control: '%s' is not an arm of --arms",
			    control);
		parse_arm_rules(o, ao);
	}
	if (o->history && (!has_cap || o->period < 0))
		die(XS_USAGE, "option --history needs --cap and --period");
	if (!o->history && (has_cap || o->period >= 0 || o->has_now))
		die(XS_USAGE, "option %s needs --history", has_cap ? "--cap" :
		    o->period >= 0 ? "--period" : "--now");
	if (o->per && strcmp(o->per, o->by) == 0)
		die(XS_USAGE, "option --per: '%s' is the --by column", o->per);
	if (o->fallback)
		parse_list(&o->tiers, "--fallback", o->fallback, "source");
	if (o->keep)
		parse_list(&o->keeps, "--keep-order", o->keep, "source");
}

static void
parse_args(struct ranker_opts *o, int argc, char **argv)
{
	enum { O_TOP = 256, O_BY, O_PER, O_FALLBACK, O_POPULAR, O_CATALOG,
	    O_MAXCAT, O_HOLDOUT, O_SEED, O_ASSIGN, O_HISTORY, O_CAP,
	    O_PERIOD, O_NOW, O_BUFFER, O_KEEP, O_ARMS, O_CONTROL, O_ARMFALLBACK,
	    O_ARMPLACES, O_GROUPJSON, O_WITH, O_PRECISION };
	static const struct option lo[] = {
		{ "top", required_argument, NULL, O_TOP },
		{ "by", required_argument, NULL, O_BY },
		{ "per", required_argument, NULL, O_PER },
		{ "fallback", required_argument, NULL, O_FALLBACK },
		{ "keep-order", required_argument, NULL, O_KEEP },
		{ "popular", required_argument, NULL, O_POPULAR },
		{ "catalog", required_argument, NULL, O_CATALOG },
		{ "max-per-category", required_argument, NULL, O_MAXCAT },
		{ "holdout", required_argument, NULL, O_HOLDOUT },
		{ "seed", required_argument, NULL, O_SEED },
		{ "assignments", required_argument, NULL, O_ASSIGN },
		{ "history", required_argument, NULL, O_HISTORY },
		{ "cap", required_argument, NULL, O_CAP },
		{ "period", required_argument, NULL, O_PERIOD },
		{ "now", required_argument, NULL, O_NOW },
		{ "buffer", no_argument, NULL, O_BUFFER },
		{ "arms", required_argument, NULL, O_ARMS },
		{ "control", required_argument, NULL, O_CONTROL },
		{ "arm-fallback", required_argument, NULL, O_ARMFALLBACK },
		{ "arm-placements", required_argument, NULL, O_ARMPLACES },
		{ "group-json", no_argument, NULL, O_GROUPJSON },
		{ "with", required_argument, NULL, O_WITH },
		{ "precision", required_argument, NULL, O_PRECISION },
		XS_CSV_LONGOPTS,
		XS_COMMON_LONGOPTS
	};
	const struct opt_common common = { usage_text, help_text, &o->json,
	    &o->out };
	struct armopts ao;
	const char *control = NULL;
	int ch, has_cap = 0, has_seed = 0;
	const char *err;

	memset(o, 0, sizeof *o);
	memset(&ao, 0, sizeof ao);
	o->top = 5;
	o->by = "context_id";
	o->holdout = NAN;
	o->control_arm = -1;
	o->period = -1;
	o->widget.precision = -1;
	while ((ch = getopt_long(argc, argv, "jo:qvhV", lo, NULL)) != -1) {
		switch (ch) {
		case O_TOP: o->top = opt_int("--top", optarg, 1, MAXTOP); break;
		case O_BY: o->by = optarg; break;
		case O_PER: o->per = optarg; break;
		case O_FALLBACK: o->fallback = optarg; break;
		case O_KEEP: o->keep = optarg; break;
		case O_POPULAR:
			/* It filled slots with products that never passed
			 * xsell-qualify's eligibility, stock and ownership. */
			die(XS_USAGE, "option --popular is gone: best sellers are "
			    "a source of xsell-qualify (--popular FILE), ranked "
			    "with --fallback ...,popular");
		case O_CATALOG: o->catalog = optarg; break;
		case O_MAXCAT:
			o->maxcat = opt_int("--max-per-category", optarg, 1,
			    MAXTOP);
			break;
		case O_HOLDOUT:
			o->holdout = opt_num("--holdout", optarg, 0, 1);
			break;
		case O_SEED:
			o->seed = opt_int("--seed", optarg, 0, INT64_C(1) << 53);
			has_seed = 1;
			break;
		case O_ASSIGN: o->assign = optarg; break;
		case O_HISTORY: o->history = optarg; break;
		case O_CAP:
			o->cap = opt_int("--cap", optarg, 1, MAXTOP);
			has_cap = 1;
			break;
		case O_PERIOD:
			o->period = opt_word("--period", optarg, period_words);
			break;
		case O_NOW:
			if ((err = time_parse(optarg, strlen(optarg), &o->now)))
				die(XS_USAGE, "option --now: %s: \"%s\"", err,
				    optarg);
			o->has_now = 1;
			break;
		case O_BUFFER: o->buffer = 1; break;
		case O_ARMS:
			exp_split_free(&o->arms);
			exp_split_parse(&o->arms, "--arms", optarg);
			break;
		case O_CONTROL: control = optarg; break;
		case O_ARMFALLBACK: arm_option(&ao, 0, optarg); break;
		case O_ARMPLACES: arm_option(&ao, 1, optarg); break;
		case O_GROUPJSON: o->widget.group_json = 1; break;
		case O_WITH: o->widget.with = optarg; break;
		case O_PRECISION:
			o->widget.precision = (int)opt_int("--precision", optarg,
			    0, 15);
			break;
		default: opt_common(ch, &common);
		}
	}
	check_args(o, &ao, has_seed, has_cap, control);
	free(ao.arg[0]);
	free(ao.arg[1]);
}

static void
opts_free(struct ranker_opts *o)
{
	if (o->fallback)
		intern_free(&o->tiers);
	for (int a = 0; a < o->arms.n; a++) {
		if (o->rule[a].has_tiers)
			intern_free(&o->rule[a].tiers);
		if (o->rule[a].has_places)
			intern_free(&o->rule[a].places);
	}
	exp_split_free(&o->arms);
	if (o->keep)
		intern_free(&o->keeps);
}

int
main(int argc, char **argv)
{
	struct ranker_opts o;
	struct ranker *R;
	struct rec r;
	struct group *g;
	struct progress prog;

	xs_init(argv[0]);
	parse_args(&o, argc, argv);
	R = ranker_new(&o);
	memset(&r, 0, sizeof r);
	rec_open(&r, argc - optind, argv + optind);
	if (r.empty) {
		rec_close(&r);
		ranker_free(R);
		opts_free(&o);
		return xs_finish(XS_OK);
	}
	g = ranker_open(R, &r);
	progress_init(&prog, "rows");
	progress_input(&prog, &r);
	while (group_next(g)) {
		ranker_group(R, g);
		progress_tick(&prog, ranker_rows(R));
	}
	progress_done(&prog);
	ranker_close(R);
	ranker_free(R);
	rec_close(&r);
	opts_free(&o);
	return xs_finish(XS_OK);
}
