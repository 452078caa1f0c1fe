/*
 * xsell-learn: frequently-bought-together rules from order logs, exact,
 * fast and mergeable across machines; upsells and substitutes from the
 * catalog and the same counts; with --uplift, an uplift model from
 * events with a holdout. The command line: the engines are assoc.h,
 * similar.h and upliftlearn.h.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "xsell.h"
#include "num.h"
#include "assoc.h"
#include "similar.h"
#include "upliftlearn.h"

static const char usage_text[] =
"usage: xsell-learn [--basket order|customer] [--min-count N | --min-support F]\n"
"           [--min-confidence F] [--min-lift F] [--all-rules] [--top K]\n"
"           [--sort-by MEASURE]\n"
"           [--measures LIST] [--max-items K] [--max-basket N]\n"
"           [--half-life DAYS [--now TS]] [--counts | --merge] [--shard I/N]\n"
"           [--memory SIZE] [-jqv] [-o FILE] [FILE ...]\n"
"       xsell-learn --type upsell|substitute --catalog FILE\n"
"           [--max-price-ratio R] [--basket order|customer] [--min-count N]\n"
"           [--min-confidence F] [--min-lift F] [--top K] [--measures LIST]\n"
"           [--max-basket N] [--half-life DAYS [--now TS]] [--counts | --merge]\n"
"           [--shard I/N] [-jqv] [-o FILE] [FILE ...]\n"
"       xsell-learn --uplift [--segment-by COL[:EDGES],...]\n"
"           [--learner t|x|logistic-t] [--min-per-arm N] [--prior-strength K]\n"
"           [--outcome converted|revenue] [--l2 L] [--min-effect E]\n"
"           [--high-base B] [--counts | --merge] [-jqv] [-o FILE] [FILE ...]\n"
"       xsell-learn -h | -V\n";

/* --help: the usage, then one line per option, each long option of the
 * page's OPTIONS on one (tests/help.bats); the page is the reference. */
static const char help_text[] =
    "\n"
    "options (details in xsell-learn(1)):\n"
    "  --basket order|customer   what a basket is (default order)\n"
    "  --min-count N             keep the rules counted at least N times (default 2)\n"
    "  --min-support F           keep the rules with support of at least F\n"
    "  --min-confidence F        keep the rules with confidence of at least F\n"
    "  --min-lift F              keep the rules with lift of at least F\n"
    "  --all-rules               no default floor: every rule the thresholds allow\n"
    "  --top K                   keep the K best rules of each subject\n"
    "  --sort-by MEASURE         what --top ranks by (default confidence)\n"
    "  --measures LIST           add measure columns (comma list, or all)\n"
    "  --max-items K             mine itemsets of up to K items (default 2)\n"
    "  --max-basket N            skip baskets of more than N products\n"
    "  --half-life DAYS          weigh each basket by its age\n"
    "  --now TS                  the moment ages are measured from\n"
    "  --counts                  write mergeable partial counts instead of rules\n"
    "  --merge                   read count streams and write the rules\n"
    "  --memory SIZE             the most memory a block of pair rows may take\n"
    "  --shard I/N               count only the baskets of shard I of N\n"
    "  --type upsell|substitute  learn upsells or substitutes from the catalog\n"
    "  --catalog FILE            the catalog, for --type\n"
    "  --max-price-ratio R       an upsell costs at most R times as much (default 2)\n"
    "  --uplift                  learn an uplift model instead (see xsell-uplift(7))\n"
    "  -j, --json                write JSON lines\n"
    "  -q, --quiet               only errors on standard error\n"
    "  -v, --verbose             also print counts, thresholds used and peak memory\n"
    "  -o, --output FILE         write to FILE, atomically\n"
    "  -h, --help                print this help and exit\n"
    "  -V, --version             print the version and exit\n";

/* --uplift's own usage, for its --help and its errors. */
static const char uplift_usage_text[] =
    "usage: xsell-learn --uplift [--segment-by COL[:EDGES],...] "
    "[--learner t|x|logistic-t] [--min-per-arm N] [--prior-strength K] "
    "[--outcome converted|revenue] [--l2 L] [--min-effect E] "
    "[--high-base B] [--counts | --merge] [-jqv] [-o FILE] [FILE ...]\n";

/* Cross-sell rules written as relations, unless --all-rules: a pair seen
 * in one basket is chance, and one bought together no more often than by
 * chance (lift 1 or less) is no recommendation; a merchant publishing the
 * defaults should not show anti-correlated products. */
#define DEFAULT_MIN_COUNT 2

struct opts {
	int uplift;		/* --uplift: the uplift learner, with u */
	struct assoc_opts a;
	struct uplift_opts u;
	int all_rules;		/* --all-rules: no default floors */
	const char *catalog;
};

/* ---- options ---- */

static void
parse_measures(struct assoc_opts *o, const char *arg)
{
	const char *p = arg, *end = arg + strlen(arg), *s;
	size_t n;

	while (list_next(&p, end, &s, &n)) {
		int m = ms_find(s, n);

		if (n == 3 && memcmp(s, "all", 3) == 0) {
			for (m = MS_JACCARD; m < MS_N; m++)
				o->measure[m] = 1;
			continue;
		}
		if (m < MS_JACCARD)
			die(XS_USAGE, "option --measures: \"%.*s\" is not one of "
			    "jaccard, cosine, leverage, conviction, chi2, pvalue, all",
			    (int)n, s);
		o->measure[m] = 1;
	}
	o->nmeasure = 0;
	for (int m = 0; m < MS_N; m++)
		o->nmeasure += o->measure[m];
}

static void
parse_shard(struct assoc_opts *o, const char *arg)
{
	const char *slash = strchr(arg, '/');
	char head[32];
	int64_t i, n;

	if (!slash || (size_t)(slash - arg) >= sizeof head)
		die(XS_USAGE, "option --shard: \"%s\" is not I/N", arg);
	memcpy(head, arg, (size_t)(slash - arg));
	head[slash - arg] = '\0';
	n = opt_int("--shard", slash + 1, 1, UINT32_MAX);
	i = opt_int("--shard", head, 1, n);
	o->shard_i = (uint32_t)i;
	o->shard_n = (uint32_t)n;
}

/* --memory SIZE: bytes, or with a suffix K, M or G (powers of 1024). */
static void
parse_memory(struct assoc_opts *o, const char *arg)
{
	size_t n = strlen(arg);
	int shift = 0;
	int64_t v;

	if (n > 0 && strchr("KkMmGg", arg[n - 1])) {
		shift = arg[n - 1] == 'K' || arg[n - 1] == 'k' ? 10 :
		    arg[n - 1] == 'M' || arg[n - 1] == 'm' ? 20 : 30;
		n--;
	}
	if (num_parse_int(arg, n, &v) || v < 1 || v > ((int64_t)1 << 40) >> shift)
		die(XS_USAGE, "option --memory: \"%s\" is not a size from 1 "
		    "byte to 1024G (a number, optionally followed by K, M or G)",
		    arg);
	o->memory = (size_t)v << shift;
}

static void
parse_now(struct assoc_opts *o, const char *arg)
{
	const char *err = time_parse(arg, strlen(arg), &o->now);

	if (err)
		die(XS_USAGE, "option --now: %s: \"%s\"", err, arg);
	o->has_now = 1;
}

static void
check_opts(struct opts *opts)
{
	struct assoc_opts *o = &opts->a;

	if (o->has_count && o->has_support)
		die(XS_USAGE, "--min-count and --min-support exclude each other");
	if (o->has_now && o->half_life == 0)
		die(XS_USAGE, "--now needs --half-life");
	if (o->mode != M_RULES && o->half_life > 0 && !o->has_now)
		die(XS_USAGE, "--counts and --merge with --half-life need --now "
		    "(every shard must weigh from the same moment)");
	if (o->mode == M_MERGE && o->shard_n)
		die(XS_USAGE, "--shard is for --counts, not --merge");
	if (o->type != T_CROSS) {
		/* Their counts are pair counts: --counts needs no catalog. */
		if (!opts->catalog && o->mode != M_COUNTS)
			die(XS_USAGE, "--type %s needs --catalog FILE",
			    assoc_type_words[o->type]);
		if (o->max_items > 2 || o->sort_by >= 0)
			die(XS_USAGE, "--type %s takes no --max-items or --sort-by",
			    assoc_type_words[o->type]);
	} else if (opts->catalog) {
		die(XS_USAGE, "--catalog is for --type upsell or substitute");
	}
	if (o->basket < 0)
		o->basket = o->type == T_UPSELL ? B_CUSTOMER : B_ORDER;
	/* Upsells and substitutes are often bought instead of each other,
	 * and counts are partial: the floors are for cross-sell rules. */
	if (o->type == T_CROSS && o->mode != M_COUNTS && !opts->all_rules) {
		if (!o->has_count && !o->has_support) {
			o->min_count = DEFAULT_MIN_COUNT;
			o->has_count = o->dflt_count = 1;
		}
		if (!o->has_lift) {
			o->min_lift = 1;
			o->has_lift = o->dflt_lift = 1;
		}
	}
	if (o->sort_by < 0)
		o->sort_by = MS_CONFIDENCE;
}

enum {
	O_BASKET = 256, O_MINCOUNT, O_MINSUPP, O_MINCONF, O_MINLIFT,
	O_TOP, O_SORTBY, O_MEASURES, O_MAXITEMS, O_MAXBASKET,
	O_HALFLIFE, O_NOW, O_COUNTS, O_MERGE, O_SHARD, O_TYPE,
	O_CATALOG, O_MAXPRICE, O_UPLIFT, O_UPLIFT_ONLY, O_ALLRULES,
	O_MEMORY, O_SEGMENT, O_LEARNER, O_MINPERARM, O_PRIOR, O_OUTCOME,
	O_L2, O_MINEFFECT, O_HIGHBASE
};

static const struct option learn_lo[] = {
	{ "basket", required_argument, NULL, O_BASKET },
	{ "min-count", required_argument, NULL, O_MINCOUNT },
	{ "min-support", required_argument, NULL, O_MINSUPP },
	{ "min-confidence", required_argument, NULL, O_MINCONF },
	{ "min-lift", required_argument, NULL, O_MINLIFT },
	{ "all-rules", no_argument, NULL, O_ALLRULES },
	{ "top", required_argument, NULL, O_TOP },
	{ "sort-by", required_argument, NULL, O_SORTBY },
	{ "measures", required_argument, NULL, O_MEASURES },
	{ "max-items", required_argument, NULL, O_MAXITEMS },
	{ "max-basket", required_argument, NULL, O_MAXBASKET },
	{ "half-life", required_argument, NULL, O_HALFLIFE },
	{ "now", required_argument, NULL, O_NOW },
	{ "counts", no_argument, NULL, O_COUNTS },
	{ "merge", no_argument, NULL, O_MERGE },
	{ "shard", required_argument, NULL, O_SHARD },
	{ "memory", required_argument, NULL, O_MEMORY },
	{ "type", required_argument, NULL, O_TYPE },
	{ "catalog", required_argument, NULL, O_CATALOG },
	{ "max-price-ratio", required_argument, NULL, O_MAXPRICE },
	XS_COMMON_LONGOPTS
};

/* With --uplift, only these: the uplift learner's own first (--uplift
 * and NUPLIFT_ONLY more), then the ones it shares. getopt's messages
 * (an unknown option, an ambiguous prefix) follow this table. */
static const struct option uplift_lo[] = {
	{ "uplift", no_argument, NULL, O_UPLIFT },
	{ "segment-by", required_argument, NULL, O_SEGMENT },
	{ "learner", required_argument, NULL, O_LEARNER },
	{ "min-per-arm", required_argument, NULL, O_MINPERARM },
	{ "prior-strength", required_argument, NULL, O_PRIOR },
	{ "outcome", required_argument, NULL, O_OUTCOME },
	{ "l2", required_argument, NULL, O_L2 },
	{ "min-effect", required_argument, NULL, O_MINEFFECT },
	{ "high-base", required_argument, NULL, O_HIGHBASE },
	{ "output", required_argument, NULL, 'o' },
	{ "json", no_argument, NULL, 'j' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "counts", no_argument, NULL, O_COUNTS },
	{ "merge", no_argument, NULL, O_MERGE },
	{ NULL, 0, NULL, 0 }
};
#define NUPLIFT_ONLY 8

static void
parse_learn(struct opts *opts, int argc, char **argv, const struct option *all)
{
	struct assoc_opts *o = &opts->a;
	const struct opt_common common = { usage_text, help_text, &o->json,
	    &o->out };
	int c, m, at;

	o->basket = -1;
	o->sort_by = -1;
	o->max_items = 2;
	o->max_price_ratio = 2.0;
	o->memory = (size_t)48 << 20;
	while ((c = getopt_long(argc, argv, "o:jqvhV", all, &at)) != -1) {
		switch (c) {
		case O_UPLIFT_ONLY:
			die(XS_USAGE, "option --%s goes with --uplift", all[at].name);
		case O_BASKET:
			o->basket = opt_word("--basket", optarg, assoc_basket_words);
			break;
		case O_MINCOUNT:
			o->min_count = opt_num("--min-count", optarg, 0, 1e15);
			o->has_count = 1;
			break;
		case O_MINSUPP:
			o->min_support = opt_num("--min-support", optarg, 0, 1);
			o->has_support = 1;
			break;
		case O_MINCONF:
			o->min_conf = opt_num("--min-confidence", optarg, 0, 1);
			o->has_conf = 1;
			break;
		case O_MINLIFT:
			o->min_lift = opt_num("--min-lift", optarg, 0, 1e300);
			o->has_lift = 1;
			break;
		case O_ALLRULES:
			opts->all_rules = 1;
			break;
		case O_TOP:
			o->top = opt_int("--top", optarg, 1, INT64_MAX >> 11);
			break;
		case O_SORTBY:
			m = ms_find(optarg, strlen(optarg));
			if (m < 0) {
				const char *words[MS_N + 1];

				memcpy(words, ms_name, sizeof ms_name);
				words[MS_N] = NULL;
				opt_word("--sort-by", optarg, words);
			}
			o->sort_by = m;
			break;
		case O_MEASURES:
			parse_measures(o, optarg);
			break;
		case O_MAXITEMS:
			o->max_items = (int)opt_int("--max-items", optarg, 2, 64);
			break;
		case O_MAXBASKET:
			o->max_basket = (uint32_t)opt_int("--max-basket", optarg, 1,
			    UINT32_MAX);
			break;
		case O_HALFLIFE:
			o->half_life = opt_num("--half-life", optarg, 1e-6, 1e9);
			break;
		case O_NOW:
			parse_now(o, optarg);
			break;
		case O_COUNTS:
		case O_MERGE:
			if (o->mode != M_RULES)
				die(XS_USAGE, "--counts and --merge exclude each other");
			o->mode = c == O_COUNTS ? M_COUNTS : M_MERGE;
			break;
		case O_SHARD:
			parse_shard(o, optarg);
			break;
		case O_MEMORY:
			parse_memory(o, optarg);
			break;
		case O_TYPE:
			o->type = opt_word("--type", optarg, assoc_type_words);
			break;
		case O_CATALOG:
			opts->catalog = optarg;
			break;
		case O_MAXPRICE:
			o->max_price_ratio = opt_num("--max-price-ratio", optarg, 1,
			    1e9);
			break;
		default:
			opt_common(c, &common);
		}
	}
	check_opts(opts);
}

static void
parse_uplift(struct uplift_opts *o, int argc, char **argv)
{
	static const char *const learners[] = { "t", "x", "logistic-t", NULL };
	static const char *const outcomes[] = { "converted", "revenue", NULL };
	/* --uplift --help is its usage alone. */
	const struct opt_common common = { uplift_usage_text, "", &o->json,
	    &o->out };
	const char *err;
	int c;

	uplift_opts_init(o);
	while ((c = getopt_long(argc, argv, "o:jqvhV", uplift_lo, NULL)) != -1) {
		switch (c) {
		case O_UPLIFT:
			break;
		case O_SEGMENT:
			if ((err = uplift_spec_add(&o->spec, optarg)))
				die(XS_USAGE, "option --segment-by: %s", err);
			break;
		case O_LEARNER:
			o->learner = opt_word("--learner", optarg, learners);
			break;
		case O_MINPERARM:
			o->min_per_arm = (double)opt_int("--min-per-arm", optarg,
			    1, INT64_C(1) << 53);
			break;
		case O_PRIOR:
			o->k = opt_num("--prior-strength", optarg, 0, 1e12);
			break;
		case O_OUTCOME:
			o->outcome = opt_word("--outcome", optarg, outcomes);
			break;
		case O_L2:
			o->l2 = opt_num("--l2", optarg, 0, 1e12);
			break;
		case O_MINEFFECT:
			o->min_effect = opt_num("--min-effect", optarg, 0, 1e300);
			break;
		case O_HIGHBASE:
			o->high_base = opt_num("--high-base", optarg, -1e300,
			    1e300);
			o->have_high_base = 1;
			break;
		case O_COUNTS:
		case O_MERGE:
			if (o->counts || o->merge)
				die(XS_USAGE, "--counts and --merge exclude each other");
			*(c == O_COUNTS ? &o->counts : &o->merge) = 1;
			break;
		default:
			opt_common(c, &common);
		}
	}
	if ((o->counts || o->merge) && o->learner == ULEARN_LOGIT)
		die(XS_USAGE, "--learner logistic-t does not merge: its fit "
		    "depends on the order profiles are first seen in; use t or x");
}

/*
 * --uplift is an option like any other, anywhere on the line. A quiet
 * scan of the whole line looks for it first, with every option known.
 * With it, the uplift learner's table judges the line, where learn's own
 * options are unknown; without it, the uplift learner's options are
 * known, to say that they go with --uplift.
 */
static void
parse_opts(struct opts *o, int argc, char **argv)
{
	const size_t nlo = sizeof learn_lo / sizeof learn_lo[0] - 1;
	struct option all[sizeof learn_lo / sizeof learn_lo[0] +
	    NUPLIFT_ONLY + 1];
	int c;

	memcpy(all, learn_lo, nlo * sizeof *learn_lo);
	for (size_t i = 0; i <= NUPLIFT_ONLY; i++) {
		all[nlo + i] = uplift_lo[i];
		all[nlo + i].val = i == 0 ? O_UPLIFT : O_UPLIFT_ONLY;
	}
	memset(&all[nlo + NUPLIFT_ONLY + 1], 0, sizeof *all);
	memset(o, 0, sizeof *o);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:jqvhV", all, NULL)) != -1)
		o->uplift |= c == O_UPLIFT;
	opterr = 1;
	optind = 0;	/* GNU getopt: start over */
	if (o->uplift)
		parse_uplift(&o->u, argc, argv);
	else
		parse_learn(o, argc, argv, all);
}

/* ---- dispatch ---- */

static int
learn(struct assoc_opts *o, const char *catalog, int nfiles, char **files)
{
	struct assoc *L = assoc_new(o);
	struct similar *S = NULL;
	int status;

	if (o->type != T_CROSS && o->mode != M_COUNTS)
		S = similar_new(L, catalog);
	if (o->mode == M_MERGE)
		assoc_merge(L, nfiles, files);
	else
		assoc_read(L, nfiles, files);
	if (o->mode == M_COUNTS)
		assoc_counts(L);
	else if (o->type == T_CROSS)
		assoc_rules(L);
	else if (o->type == T_UPSELL)
		similar_upsell(S);
	else
		similar_subst(S);
	similar_free(S);
	status = assoc_report(L);
	assoc_free(L);
	return status;
}

int
main(int argc, char **argv)
{
	struct opts o;
	int status;

	xs_init(argv[0]);
	parse_opts(&o, argc, argv);
	if (o.uplift) {
		status = uplift_learn(&o.u, argc - optind, argv + optind);
		uplift_opts_free(&o.u);
	} else {
		status = learn(&o.a, o.catalog, argc - optind, argv + optind);
	}
	return xs_finish(status);
}
