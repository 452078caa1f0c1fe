/*
 * xsell-qualify: candidate generation and eligibility rules; the command
 * line. The engine is lib/qualify.c (see lib/qualify.h).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "qualify.h"
#include "xsell.h"
#include "num.h"
#include "rec.h"
#include "progress.h"

static const char usage_text[] =
    "usage: xsell-qualify [--relations FILE ...] [--popular FILE [--max-popular N]]\n"
    "           [--catalog FILE] [--rules FILE] [-r EXPR ...] [--type TYPE,...]\n"
    "           [--exclude-owned] [--in-stock] [--rejected FILE] [-jqv] [-o FILE]\n"
    "           [FILE ...]\n"
    "       xsell-qualify --offers FILE [--catalog FILE] [--rules FILE] [-r EXPR ...]\n"
    "           [--type TYPE,...] [--exclude-owned] [--in-stock] [--rejected FILE]\n"
    "           [-jqv] [-o FILE] [FILE ...]\n"
    "       xsell-qualify -h | -V\n";

/* --help: the usage, then one line per option, each long option of the
 * page's OPTIONS on one (tests/help.bats); the page is the reference. */
static const char help_text[] =
    "\n"
    "options (details in xsell-qualify(1)):\n"
    "  --relations FILE   relations, a source of candidates; repeatable\n"
    "  --popular FILE     best sellers, a source of their own\n"
    "  --max-popular N    at most N best sellers per context (default 20)\n"
    "  --offers FILE      offers, the only source (not with --relations)\n"
    "  --catalog FILE     products and their attributes, for rules and checks\n"
    "  --rules FILE       a rules file\n"
    "  -r EXPR            a rule every candidate must pass; repeatable\n"
    "  --type TYPE,...    only these relation (or offer) types\n"
    "  --exclude-owned    drop what the context already owns\n"
    "  --in-stock         drop what is out of stock or not active\n"
    "  --rejected FILE    write every dropped candidate and why to FILE\n"
    "  -j, --json         write JSON lines\n"
    "  -o, --output FILE  write to FILE, atomically\n"
    "  -q, --quiet        only errors on standard error\n"
    "  -v, --verbose      counts of contexts, candidates and each check's drops\n"
    "  -h, --help         print this help and exit\n"
    "  -V, --version      print the version and exit\n";

enum {
	OPT_RELATIONS = 256, OPT_OFFERS, OPT_CATALOG, OPT_RULES, OPT_TYPE,
	OPT_EXCLUDE_OWNED, OPT_IN_STOCK, OPT_REJECTED, OPT_POPULAR,
	OPT_MAX_POPULAR
};

static const struct option longopts[] = {
	{ "relations", required_argument, NULL, OPT_RELATIONS },
	{ "offers", required_argument, NULL, OPT_OFFERS },
	{ "popular", required_argument, NULL, OPT_POPULAR },
	{ "max-popular", required_argument, NULL, OPT_MAX_POPULAR },
	{ "catalog", required_argument, NULL, OPT_CATALOG },
	{ "rules", required_argument, NULL, OPT_RULES },
	{ "type", required_argument, NULL, OPT_TYPE },
	{ "exclude-owned", no_argument, NULL, OPT_EXCLUDE_OWNED },
	{ "in-stock", no_argument, NULL, OPT_IN_STOCK },
	{ "rejected", required_argument, NULL, OPT_REJECTED },
	XS_COMMON_LONGOPTS
};

static unsigned
type_mask(const char *arg)
{
	const char *p = arg, *end = arg + strlen(arg), *item;
	size_t n;
	unsigned mask = 0;

	while (list_next(&p, end, &item, &n)) {
		char *w = xmemdup(item, n);

		mask |= 1u << opt_word("--type", w, qualify_types);
		free(w);
	}
	if (!mask)
		die(XS_USAGE, "option --type: give one or more of cross_sell, "
		    "upsell, substitute, bundle");
	return mask;
}

static void
push(char ***v, int *n, char *s)
{
	*v = xreallocarray(*v, (size_t)*n + 1, sizeof **v);
	(*v)[(*n)++] = s;
}

static void
options(struct qualify_opts *o, int argc, char **argv)
{
	const struct opt_common common = { usage_text, help_text, &o->json,
	    &o->out };
	int c;

	while ((c = getopt_long(argc, argv, "r:jo:qvhV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_RELATIONS: push(&o->relations, &o->nrelations, optarg); break;
		case OPT_OFFERS: o->offers = optarg; break;
		case OPT_POPULAR: o->popular = optarg; break;
		case OPT_MAX_POPULAR:
			o->max_popular = opt_int("--max-popular", optarg, 1,
			    INT64_C(1) << 32);
			break;
		case OPT_CATALOG: o->catalog = optarg; break;
		case OPT_RULES: o->rules = optarg; break;
		case OPT_TYPE: o->typemask = type_mask(optarg); break;
		case OPT_EXCLUDE_OWNED: o->exclude_owned = 1; break;
		case OPT_IN_STOCK: o->in_stock = 1; break;
		case OPT_REJECTED: o->rejected = optarg; break;
		case 'r': push(&o->exprs, &o->nexprs, optarg); break;
		default: opt_common(c, &common);
		}
	}
	if (o->offers && (o->nrelations || o->popular)) {
		warning("--%s and --offers do not go together", o->nrelations ?
		    "relations" : "popular");
		usage_die(usage_text);
	}
	if (!o->offers && !o->nrelations && !o->popular) {
		warning("give --relations FILE, --popular FILE or --offers FILE");
		usage_die(usage_text);
	}
	if (o->max_popular && !o->popular)
		die(XS_USAGE, "option --max-popular needs --popular");
	if (!o->max_popular)
		o->max_popular = QUALIFY_MAX_POPULAR;
}


int
main(int argc, char **argv)
{
	struct qualify_opts o;
	struct qualify *Q;
	struct rec *in;
	struct progress pr;
	uint64_t n = 0;
	int status;

	xs_init(argv[0]);
	memset(&o, 0, sizeof o);
	options(&o, argc, argv);
	Q = qualify_new(&o);
	in = qualify_open(Q, argc - optind, argv + optind);
	progress_init(&pr, "contexts");
	progress_input(&pr, in);
	while (rec_next(in) == REC_ROW) {
		progress_tick(&pr, ++n);
		qualify_row(Q);
	}
	progress_done(&pr);
	status = qualify_close(Q);
	free(o.relations);
	free(o.exprs);
	return xs_finish(status);
}
