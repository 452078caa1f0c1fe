/*
 * xsell-audit: is the relationship data sound, which recommendations earn
 * money, and did the programme move revenue against its holdout.
 *
 * Four modes, one table each on stdout (TSV, JSON lines with -j, or
 * aligned text with bar charts on a terminal or with --report), and an
 * optional HTML page with inline SVG charts:
 *   audit       relations against catalog and orders: findings
 *   offers      --events: acceptance, revenue and flags per candidate
 *   experiment  --experiment --events: arms against control (lib/experiment.c)
 *   plan        --plan: contexts and days an experiment needs
 *   qini        --qini --events: Qini curve and AUUC of an uplift score
 */
#include <getopt.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "audit-experiment.h"
#include "audit-internal.h"
#include "experiment.h"
#include "num.h"
#include "offerperf.h"
#include "out.h"
#include "qini.h"
#include "report.h"
#include "writer.h"
#include "xsell.h"

static const char usage_text[] =
"usage: xsell-audit [--catalog FILE] [--orders FILE] [--max-links N]\n"
"           [--max-age DAYS] [--now TS] [--fail-on LEVEL]\n"
"           [--report | --html FILE] [-j | --csv-out | --csv-safe] [-q]\n"
"           [-o FILE] [RELATIONS ...]\n"
"       xsell-audit --events FILE [--counts | --merge] [--by WORD]\n"
"           [--min-acceptance F] [--what-if [ID,]acceptance=[A:]B]\n"
"           [--catalog FILE] [--offers FILE] [--fail-on LEVEL]\n"
"           [--report | --html FILE] [-j | --csv-out | --csv-safe] [-q]\n"
"           [-o FILE] [RELATIONS ...]\n"
"       xsell-audit --experiment --events FILE [--holdout F]\n"
"           [--split ARM=F,...] [--control NAME] [--by WORD] [--catalog FILE]\n"
"           [--covariate COLUMN] [--sequential] [--horizon N] [--alpha F]\n"
"           [--fail-on LEVEL] [--report | --html FILE]\n"
"           [-j | --csv-out | --csv-safe] [-q] [-o FILE]\n"
"       xsell-audit --plan --baseline F --mde F --traffic N [--arms K]\n"
"           [--split ARM=F,...] [--control NAME] [--alpha F] [--power F]\n"
"           [--report | --html FILE] [-j | --csv-out | --csv-safe] [-q]\n"
"           [-o FILE]\n"
"       xsell-audit --qini --events FILE [--score COLUMN]\n"
"           [--report | --html FILE] [-j | --csv-out | --csv-safe] [-q]\n"
"           [-o FILE]\n"
"       xsell-audit -h | -V\n";

/* --help: the usage, then one line per option, each long option of the
 * page's OPTIONS on one (tests/help.bats); the page is the reference. */
static const char help_text[] =
    "\n"
    "options (details in xsell-audit(1)):\n"
    "  --catalog FILE                   the catalog to check links against\n"
    "  --orders FILE                    orders, for revenue and coverage\n"
    "  --max-links N                    over-linked above N products (default 20)\n"
    "  --max-age DAYS                   report links not updated for DAYS days\n"
    "  --now TS                         the date --max-age counts from\n"
    "  --fail-on LEVEL                  exit 1 on a finding of info, warning or error\n"
    "  --events FILE                    events: offer performance, or an experiment\n"
    "  --counts                         write the events' partial sums, for --merge\n"
    "  --merge                          read --events as partial sums from --counts\n"
    "  --by WORD                        the column to break the read-out down by\n"
    "  --min-acceptance F               flag retire below acceptance F\n"
    "  --what-if [ID,]acceptance=[A:]B  a what-if scenario; repeatable\n"
    "  --offers FILE                    offers: known candidates and categories\n"
    "  --experiment                     arms against control and each other\n"
    "  --holdout F                      the planned control share\n"
    "  --split ARM=F,...                the planned shares of the arms\n"
    "  --control NAME                   the control arm (default control)\n"
    "  --alpha F                        the guardrails' level (default 0.05)\n"
    "  --covariate COLUMN               a pre-experiment column for CUPED\n"
    "  --sequential                     add always-valid intervals and p-values\n"
    "  --horizon N                      contexts the sequential interval is tuned to\n"
    "  --plan                           contexts and days an experiment needs\n"
    "  --baseline F                     the control's conversion rate, for --plan\n"
    "  --mde F                          the relative change to detect, for --plan\n"
    "  --traffic N                      contexts a day, all arms together\n"
    "  --arms K                         arms with equal shares (default 2)\n"
    "  --power F                        the power wanted (default 0.8)\n"
    "  --qini                           the Qini curve and AUUC\n"
    "  --score COLUMN                   the score column for --qini (default score)\n"
    "  --report                         tables for people on standard output\n"
    "  --html FILE                      also write the HTML page to FILE\n"
    "  -j, --json                       JSON lines instead of TSV\n"
    "  --csv-out                        CSV instead of TSV\n"
    "  --csv-safe                       CSV with formula-like cells neutralised\n"
    "  -o, --output FILE                write the table to FILE, atomically\n"
    "  -q, --quiet                      no summary lines on standard error\n"
    "  -v, --verbose                    more messages\n"
    "  -h, --help                       print this help and exit\n"
    "  -V, --version                    print the version and exit\n";


static struct audit_opts opt = {
	.max_links = 20, .max_age = NAN, .min_acceptance = NAN,
	.holdout = NAN, .fail_on = SEV_NONE, .score = "score",
	.control = "control", .alpha = 0.05, .horizon = NAN, .baseline = NAN,
	.mde = NAN, .traffic = NAN, .power = NAN,
};

/* The state the modes share (lib/audit-internal.h). */
static struct audit audit;

/* The relations audit (lib/audit-links.c). */
static void
run_audit(void)
{
	audit_links_run(&audit);
}

/* ---- options and main ---- */

static int by = OFFER_BY_NONE;		/* --by of offer performance */
static struct whatif *whatifs;		/* --what-if, in the order given */
static int nwhatif;
static int exp_by = EXP_BY_NONE;	/* --experiment --by */

/* --what-if [ID,]acceptance=[A:]B */
static void
parse_whatif(const char *arg)
{
	const char *key = "acceptance=", *p = arg, *hit, *colon;
	struct whatif w = { NULL, NAN, NAN };
	char *num;

	if (strncmp(arg, key, strlen(key)) != 0) {
		for (hit = NULL; (p = strstr(p, ",acceptance=")); p++)
			hit = p;
		if (!hit || hit == arg)
			die(XS_USAGE, "option --what-if: expected [ID,]acceptance=[A:]B: "
			    "\"%s\"", arg);
		w.id = xmemdup(arg, (size_t)(hit - arg));
		p = hit + 1 + strlen(key);
	} else
		p = arg + strlen(key);
	if ((colon = strchr(p, ':'))) {
		num = xmemdup(p, (size_t)(colon - p));
		w.from = opt_num("--what-if", num, 0, 1);
		free(num);
		p = colon + 1;
	}
	w.to = opt_num("--what-if", p, 0, 1);
	whatifs = xreallocarray(whatifs, (size_t)nwhatif + 1, sizeof *whatifs);
	whatifs[nwhatif++] = w;
}

/* --traffic N or N/day: contexts a day, all arms together. */
static double
traffic_arg(const char *arg)
{
	size_t n = strlen(arg);
	char *num;
	double v;

	if (n > 4 && strcmp(arg + n - 4, "/day") == 0)
		n -= 4;
	num = xmemdup(arg, n);
	v = opt_num("--traffic", num, 0, 1e15);
	free(num);
	if (v <= 0)
		die(XS_USAGE, "option --traffic: %s is not a number of contexts a day",
		    arg);
	return v;
}

enum {
	O_CATALOG = 256, O_ORDERS, O_OFFERS, O_EVENTS, O_BY, O_MINACC, O_WHATIF,
	O_EXPERIMENT, O_HOLDOUT, O_QINI, O_SCORE, O_MAXLINKS, O_MAXAGE, O_NOW,
	O_FAILON, O_REPORT, O_HTML, O_CONTROL, O_SPLIT, O_ALPHA, O_COVARIATE,
	O_SEQUENTIAL, O_HORIZON, O_PLAN, O_BASELINE, O_MDE, O_TRAFFIC, O_POWER,
	O_ARMS, O_COUNTS, O_MERGE
};

static const struct option longopts[] = {
	{ "catalog", required_argument, NULL, O_CATALOG },
	{ "orders", required_argument, NULL, O_ORDERS },
	{ "offers", required_argument, NULL, O_OFFERS },
	{ "events", required_argument, NULL, O_EVENTS },
	{ "by", required_argument, NULL, O_BY },
	{ "min-acceptance", required_argument, NULL, O_MINACC },
	{ "what-if", required_argument, NULL, O_WHATIF },
	{ "experiment", no_argument, NULL, O_EXPERIMENT },
	{ "holdout", required_argument, NULL, O_HOLDOUT },
	{ "qini", no_argument, NULL, O_QINI },
	{ "score", required_argument, NULL, O_SCORE },
	{ "max-links", required_argument, NULL, O_MAXLINKS },
	{ "max-age", required_argument, NULL, O_MAXAGE },
	{ "now", required_argument, NULL, O_NOW },
	{ "fail-on", required_argument, NULL, O_FAILON },
	{ "report", no_argument, NULL, O_REPORT },
	{ "html", required_argument, NULL, O_HTML },
	{ "control", required_argument, NULL, O_CONTROL },
	{ "split", required_argument, NULL, O_SPLIT },
	{ "alpha", required_argument, NULL, O_ALPHA },
	{ "covariate", required_argument, NULL, O_COVARIATE },
	{ "sequential", no_argument, NULL, O_SEQUENTIAL },
	{ "horizon", required_argument, NULL, O_HORIZON },
	{ "plan", no_argument, NULL, O_PLAN },
	{ "baseline", required_argument, NULL, O_BASELINE },
	{ "mde", required_argument, NULL, O_MDE },
	{ "traffic", required_argument, NULL, O_TRAFFIC },
	{ "power", required_argument, NULL, O_POWER },
	{ "arms", required_argument, NULL, O_ARMS },
	XS_CSV_LONGOPTS,
	{ "counts", no_argument, NULL, O_COUNTS },
	{ "merge", no_argument, NULL, O_MERGE },
	XS_COMMON_LONGOPTS
};

static void
parse_options(int argc, char **argv)
{
	static const struct opt_common common = {
		usage_text, help_text, &opt.json, &opt.out
	};
	int c, now_set = 0;

	while ((c = getopt_long(argc, argv, "o:jqvhV", longopts, NULL)) != -1)
		switch (c) {
		case O_CATALOG: opt.catalog = optarg; break;
		case O_ORDERS: opt.orders = optarg; break;
		case O_OFFERS: opt.offers = optarg; break;
		case O_EVENTS: opt.events = optarg; break;
		case O_BY: opt.by = optarg; break;
		case O_MINACC:
			opt.min_acceptance = opt_num("--min-acceptance", optarg, 0, 1);
			break;
		case O_WHATIF: parse_whatif(optarg); break;
		case O_EXPERIMENT: opt.experiment = 1; break;
		case O_HOLDOUT:
			opt.holdout = opt_num("--holdout", optarg, 0, 1);
			if (opt.holdout <= 0 || opt.holdout >= 1)
				die(XS_USAGE, "option --holdout: %s is not between 0 and 1",
				    optarg);
			break;
		case O_QINI: opt.qini = 1; break;
		case O_SCORE: opt.score = optarg; break;
		case O_MAXLINKS:
			opt.max_links = (double)opt_int("--max-links", optarg, 0, INT32_MAX);
			break;
		case O_MAXAGE: opt.max_age = opt_num("--max-age", optarg, 0, 1e6); break;
		case O_NOW:
			if (time_parse(optarg, strlen(optarg), &opt.now))
				die(XS_USAGE, "option --now: not a date: \"%s\"", optarg);
			now_set = 1;
			break;
		case O_FAILON: opt.fail_on = opt_word("--fail-on", optarg, sev_words); break;
		case O_REPORT: opt.report = 1; break;
		case O_HTML: opt.html = optarg; break;
		case O_CONTROL:
			if (!*optarg)
				die(XS_USAGE, "option --control: empty name");
			opt.control = optarg;
			opt.control_set = 1;
			break;
		case O_SPLIT:
			exp_split_free(&opt.split);
			exp_split_parse(&opt.split, "--split", optarg);
			break;
		case O_ALPHA:
			opt.alpha = opt_num("--alpha", optarg, 0, 1);
			if (opt.alpha <= 0 || opt.alpha >= 1)
				die(XS_USAGE, "option --alpha: %s is not between 0 and 1",
				    optarg);
			opt.alpha_set = 1;
			break;
		case O_COVARIATE: opt.covariate = optarg; break;
		case O_SEQUENTIAL: opt.sequential = 1; break;
		case O_HORIZON:
			opt.horizon = (double)opt_int("--horizon", optarg, 2,
			    INT64_C(1) << 53);
			break;
		case O_PLAN: opt.plan = 1; break;
		case O_BASELINE:
			opt.baseline = opt_num("--baseline", optarg, 0, 1);
			if (opt.baseline <= 0 || opt.baseline >= 1)
				die(XS_USAGE, "option --baseline: %s is not between 0 and 1",
				    optarg);
			break;
		case O_MDE:
			opt.mde = opt_num("--mde", optarg, -1, 1e6);
			if (opt.mde == 0 || opt.mde == -1)
				die(XS_USAGE, "option --mde: %s is no change to detect",
				    optarg);
			break;
		case O_TRAFFIC: opt.traffic = traffic_arg(optarg); break;
		case O_POWER:
			opt.power = opt_num("--power", optarg, 0, 1);
			if (opt.power <= 0 || opt.power >= 1)
				die(XS_USAGE, "option --power: %s is not between 0 and 1",
				    optarg);
			break;
		case O_COUNTS: opt.counts = 1; break;
		case O_MERGE: opt.merge = 1; break;
		case O_ARMS:
			opt.arms = (int)opt_int("--arms", optarg, 2, EXP_MAXARMS);
			break;
		default: opt_common(c, &common);
		}
	opt.nrel = argc - optind;
	opt.rel = argv + optind;
	if (!now_set)
		opt.now = (int64_t)time(NULL);
}

static const char *const exp_by_words[] = {
	"channel", "category", "subject", NULL
};

/* --plan is a mode of its own: no input. */
static void
check_plan(void)
{
	if (opt.events || opt.experiment || opt.qini || opt.nrel || opt.catalog ||
	    opt.orders || opt.offers || opt.by)
		die(XS_USAGE, "--plan reads no input: give --baseline, --mde and "
		    "--traffic only");
	if (isnan(opt.baseline) || isnan(opt.mde) || isnan(opt.traffic))
		die(XS_USAGE, "--plan needs --baseline F, --mde F and --traffic N");
	if (opt.arms && opt.split.n)
		die(XS_USAGE, "--arms and --split both say how many arms; give one");
	if (!isnan(opt.holdout))
		die(XS_USAGE, "--holdout belongs to --experiment; --plan takes "
		    "--split ARM=F,...");
	if (opt.covariate || opt.sequential || !isnan(opt.horizon))
		die(XS_USAGE, "--covariate, --sequential and --horizon belong to "
		    "--experiment");
	if (!opt.arms)
		opt.arms = 2;
	if (isnan(opt.power))
		opt.power = 0.8;
}

/* The experiment's own options. */
static void
check_experiment(void)
{
	if (opt.plan)
		return;
	if (!isnan(opt.baseline) || !isnan(opt.mde) || !isnan(opt.traffic) ||
	    !isnan(opt.power) || opt.arms)
		die(XS_USAGE, "--baseline, --mde, --traffic, --power and --arms "
		    "belong to --plan");
	if (!opt.experiment && (opt.split.n || opt.control_set || opt.alpha_set ||
	    opt.covariate || opt.sequential || !isnan(opt.horizon)))
		die(XS_USAGE, "--split, --control, --alpha, --covariate, --sequential "
		    "and --horizon belong to --experiment");
	if (opt.split.n && !isnan(opt.holdout))
		die(XS_USAGE, "--split and --holdout both give the planned split; "
		    "give one");
	if (opt.split.n && exp_split_find(&opt.split, opt.control) < 0)
		die(XS_USAGE, "option --split: no share for the control arm '%s'",
		    opt.control);
	if (!isnan(opt.horizon) && !opt.sequential)
		die(XS_USAGE, "--horizon belongs to --sequential");
	if (isnan(opt.horizon))
		opt.horizon = 10000;
}

/* Options that belong to another mode are usage errors, not ignored. */
static void
check_modes(void)
{
	int events_mode = opt.events != NULL;

	if (opt.plan)
		check_plan();
	if (opt.by && opt.experiment)
		exp_by = 1 + opt_word("--by", opt.by, exp_by_words);
	else if (opt.by)
		by = opt_word("--by", opt.by, offer_by_words);
	check_experiment();
	if (opt.experiment && opt.qini)
		die(XS_USAGE, "--experiment and --qini are separate read-outs");
	if ((opt.experiment || opt.qini) && !opt.events)
		die(XS_USAGE, "--%s needs --events FILE", opt.qini ? "qini" : "experiment");
	if (!events_mode && (by != OFFER_BY_NONE || !isnan(opt.min_acceptance) || nwhatif ||
	    opt.offers))
		die(XS_USAGE, "--by, --min-acceptance, --what-if and --offers need "
		    "--events FILE");
	if (events_mode && (opt.orders || !isnan(opt.max_age)))
		die(XS_USAGE, "--orders and --max-age belong to the relations audit, "
		    "not to --events");
	if ((opt.experiment || opt.qini) && (opt.nrel || by != OFFER_BY_NONE ||
	    nwhatif || !isnan(opt.min_acceptance) || opt.offers ||
	    (opt.catalog && exp_by != EXP_BY_CATEGORY)))
		die(XS_USAGE, "--%s reads only --events%s", opt.qini ? "qini" :
		    "experiment", opt.catalog && !opt.qini ? " (and --catalog with "
		    "--by category)" : "");
	if (!isnan(opt.holdout) && !opt.experiment)
		die(XS_USAGE, "--holdout belongs to --experiment");
	if (opt.report && opt.json)
		die(XS_USAGE, "--report and %s are different outputs; pick one",
		    opt.json == WRITER_JSONL ? "--json" : opt.json == WRITER_CSV ?
		    "--csv-out" : "--csv-safe");
	if (opt.counts && opt.merge)
		die(XS_USAGE, "--counts and --merge exclude each other");
	if ((opt.counts || opt.merge) && (!events_mode || opt.experiment ||
	    opt.qini))
		die(XS_USAGE, "--counts and --merge belong to --events (offer "
		    "performance)");
	if (opt.counts && (opt.report || opt.html))
		die(XS_USAGE, "--counts writes partial sums, not a report");
}

int
main(int argc, char **argv)
{
	int status = XS_OK;

	xs_init(argv[0]);
	parse_options(argc, argv);
	check_modes();
	audit_init(&audit, &opt);
	audit.as_report = opt.report || (!opt.json && !opt.out && isatty(STDOUT_FILENO));
	audit.out = out_open(opt.out);
	if (audit.as_report)
		report_term(audit.out);
	if (opt.html)
		audit.html = out_open(opt.html);
	if (opt.plan)
		audit_plan(&audit);
	else if (opt.qini)
		qini_readout(&audit);
	else if (opt.experiment)
		audit_experiment(&audit, exp_by);
	else if (opt.events) {
		struct offer_opts oo = { by, whatifs, nwhatif };

		offer_perf(&audit, &oo);
	}
	else
		run_audit();
	if (audit.html) {
		html_end(audit.html);
		out_close(audit.html);
	}
	out_close(audit.out);
	rlabels_free(&audit.labels);
	if (opt.fail_on != SEV_NONE && worst_severity(&audit.fs) >= opt.fail_on)
		status = XS_DATA;
	return xs_finish(status);
}
