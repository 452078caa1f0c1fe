/*
 * xsell-score: scores candidates from xsell-qualify by propensity,
 * relevance, impact and emphasis, scaled by uplift, and explains each
 * score; the command line. The engine, the formula and its
 * normalisations are lib/scorer.h and lib/scorer.c, and man/xsell-score.1.
 */
#include <getopt.h>
#include <string.h>

#include "scorer.h"
#include "xsell.h"
#include "rec.h"
#include "progress.h"

static const char usage_text[] =
    "usage: xsell-score [--weights P=0.4,R=0.2,I=0.3,E=0.1] "
    "[--uplift-weight U]\n"
    "                   [--weights-file FILE] [--catalog FILE] "
    "[--offers FILE]\n"
    "                   [--uplift-model FILE] [--propensity-model FILE] "
    "[--explain]\n"
    "                   [--buffer] [-jqv] [-o FILE] [FILE ...]\n";

/* --help: the usage, then one line per option, each long option of the
 * page's OPTIONS on one (tests/help.bats); the page is the reference. */
static const char help_text[] =
    "\n"
    "options (details in xsell-score(1)):\n"
    "  --weights P=p,R=r,I=i,E=e  the factor weights, summing to 1\n"
    "  --uplift-weight U          the uplift weight, in [0, 2] (default 0)\n"
    "  --weights-file FILE        per-channel weights\n"
    "  --catalog FILE             products' price and cost, for the margin\n"
    "  --offers FILE              offers' business and revenue values\n"
    "  --uplift-model FILE        an uplift model, for the uplift factor\n"
    "  --propensity-model FILE    an uplift model whose rates are the propensity\n"
    "  --explain                  add the explanation columns\n"
    "  --buffer                   read all input first, for ungrouped input\n"
    "  -j, --json                 write JSON lines\n"
    "  -o, --output FILE          write to FILE, atomically\n"
    "  -q, --quiet                only errors on standard error\n"
    "  -v, --verbose              counts of rows, contexts and each factor's inputs\n"
    "  -h, --help                 print this help and exit\n"
    "  -V, --version              print the version and exit\n";

static void
parse_args(struct scorer_opts *o, int argc, char **argv)
{
	enum { O_WEIGHTS = 256, O_UW, O_WFILE, O_CATALOG, O_OFFERS, O_MODEL,
	    O_EXPLAIN, O_BUFFER, O_PMODEL };
	static const struct option lo[] = {
		{ "weights", required_argument, NULL, O_WEIGHTS },
		{ "uplift-weight", required_argument, NULL, O_UW },
		{ "weights-file", required_argument, NULL, O_WFILE },
		{ "catalog", required_argument, NULL, O_CATALOG },
		{ "offers", required_argument, NULL, O_OFFERS },
		{ "uplift-model", required_argument, NULL, O_MODEL },
		{ "propensity-model", required_argument, NULL, O_PMODEL },
		{ "explain", no_argument, NULL, O_EXPLAIN },
		{ "buffer", no_argument, NULL, O_BUFFER },
		XS_COMMON_LONGOPTS
	};
	const struct opt_common common = { usage_text, help_text, &o->json,
	    &o->out };
	int ch;
	char msg[160];

	o->w = (struct weights){ { 0.4, 0.2, 0.3, 0.1 }, 0 };
	while ((ch = getopt_long(argc, argv, "jo:qvhV", lo, NULL)) != -1) {
		switch (ch) {
		case O_WEIGHTS:
			if (weights_parse(optarg, &o->w, msg, sizeof msg))
				die(XS_USAGE, "option --weights: %s", msg);
			break;
		case O_UW:
			o->w.u = opt_num("--uplift-weight", optarg, 0, 2);
			break;
		case O_WFILE: o->weights_file = optarg; break;
		case O_CATALOG: o->catalog = optarg; break;
		case O_OFFERS: o->offers = optarg; break;
		case O_MODEL: o->model = optarg; break;
		case O_PMODEL: o->pmodel = optarg; break;
		case O_EXPLAIN: o->explain = 1; break;
		case O_BUFFER: o->buffer = 1; break;
		default: opt_common(ch, &common);
		}
	}
}

int
main(int argc, char **argv)
{
	struct scorer_opts o;
	struct scorer *S;
	struct rec r;
	struct group *g;
	struct progress prog;
	size_t rows = 0, groups = 0;

	xs_init(argv[0]);
	memset(&o, 0, sizeof o);
	parse_args(&o, argc, argv);
	S = scorer_new(&o);
	memset(&r, 0, sizeof r);
	rec_open(&r, argc - optind, argv + optind);
	if (r.empty) {
		rec_close(&r);
		scorer_free(S);
		return xs_finish(XS_OK);
	}
	g = scorer_open(S, &r);
	progress_init(&prog, "rows");
	progress_input(&prog, &r);
	while (group_next(g)) {
		scorer_group(S, g);
		rows += g->n;
		groups++;
		progress_tick(&prog, rows);
	}
	progress_done(&prog);
	scorer_close(S, rows, groups);
	rec_close(&r);
	return xs_finish(XS_OK);
}
