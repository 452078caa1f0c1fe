/*
 * xsell-learn: frequently-bought-together rules from order logs, exact,
 * fast and mergeable across machines; upsells and substitutes from the
 * catalog and the same counts.
 */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "xsell.h"
#include "baskets.h"
#include "bstream.h"
#include "idmap.h"
#include "measures.h"
#include "pairs.h"
#include "uplift.h"

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

/* Weighted counts are fixed-point integers in units of 2^-32 of a basket,
 * so that sums are exact and do not depend on the order of addition. */
#define WUNIT 4294967296.0
/* arules compares confidences with this slack (istree.c, EPSILON). */
#define CONF_EPS 1e-12
/* Cross-sell rules written as relations, unless --all-rules: a pair seen
 * in one basket is chance, and one bought together no more often than by
 * chance (lift 1 or less) is no recommendation; a merchant publishing the
 * defaults should not show anti-correlated products. The lift floor is
 * strict, with a slack for rounding, so that independence (lift 1,
 * computed as 1 - 1 ulp or 1 + 1 ulp) is out. */
#define DEFAULT_MIN_COUNT 2
#define LIFT_EPS 1e-12

enum { B_ORDER, B_CUSTOMER };
enum { T_CROSS, T_UPSELL, T_SUBST };
enum { M_RULES, M_COUNTS, M_MERGE };

static const char *const basket_words[] = { "order", "customer", NULL };
static const char *const type_words[] = {
	"cross_sell", "upsell", "substitute", NULL
};

struct opts {
	int basket;		/* B_*, -1 until given */
	int type, mode;
	double min_count, min_support, min_conf, min_lift;
	int has_count, has_support, has_conf, has_lift;
	int all_rules;		/* --all-rules: no default floors */
	int dflt_count, dflt_lift;	/* the floors are the defaults */
	int64_t top;		/* 0: all */
	int sort_by;
	int measure[MS_N], nmeasure;
	int max_items;
	uint32_t max_basket;
	double half_life;	/* days; 0: none */
	int64_t now;
	int has_now;
	uint32_t shard_i, shard_n;
	size_t memory;		/* --memory: bytes of a block of pair rows */
	const char *catalog;
	double max_price_ratio;
	const char *out;
	int json;
	int uplift;		/* --uplift: the uplift learner takes over */
};

/* ---- options ---- */

static void
parse_measures(struct opts *o, const char *arg)
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
parse_shard(struct opts *o, const char *arg)
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
parse_memory(struct opts *o, const char *arg)
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
parse_now(struct opts *o, const char *arg)
{
	const char *err = time_parse(arg, strlen(arg), &o->now);

	if (err)
		die(XS_USAGE, "option --now: %s: \"%s\"", err, arg);
	o->has_now = 1;
}

static void
check_opts(struct opts *o)
{
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
		if (!o->catalog && o->mode != M_COUNTS)
			die(XS_USAGE, "--type %s needs --catalog FILE",
			    type_words[o->type]);
		if (o->max_items > 2 || o->sort_by >= 0)
			die(XS_USAGE, "--type %s takes no --max-items or --sort-by",
			    type_words[o->type]);
	} else if (o->catalog) {
		die(XS_USAGE, "--catalog is for --type upsell or substitute");
	}
	if (o->basket < 0)
		o->basket = o->type == T_UPSELL ? B_CUSTOMER : B_ORDER;
	/* Upsells and substitutes are often bought instead of each other,
	 * and counts are partial: the floors are for cross-sell rules. */
	if (o->type == T_CROSS && o->mode != M_COUNTS && !o->all_rules) {
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

static void
parse_opts(struct opts *o, int argc, char **argv)
{
	enum {
		O_BASKET = 256, O_MINCOUNT, O_MINSUPP, O_MINCONF, O_MINLIFT,
		O_TOP, O_SORTBY, O_MEASURES, O_MAXITEMS, O_MAXBASKET,
		O_HALFLIFE, O_NOW, O_COUNTS, O_MERGE, O_SHARD, O_TYPE,
		O_CATALOG, O_MAXPRICE, O_UPLIFT, O_UPLIFT_ONLY, O_ALLRULES,
		O_MEMORY
	};
	static const struct option lo[] = {
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
	const size_t nlo = sizeof lo / sizeof lo[0] - 1;
	/* --uplift is an option like any other, anywhere on the line: the
	 * scans know it and the options only it takes. */
	struct option *all = xcalloc(nlo + (size_t)uplift_learn_nopts + 1,
	    sizeof *all);
	int c, m, at;

	memcpy(all, lo, nlo * sizeof *lo);
	for (int i = 0; i < uplift_learn_nopts; i++) {
		all[nlo + (size_t)i] = uplift_learn_options[i];
		all[nlo + (size_t)i].flag = NULL;
		all[nlo + (size_t)i].val = i == 0 ? O_UPLIFT : O_UPLIFT_ONLY;
	}
	memset(o, 0, sizeof *o);
	/* A quiet scan for --uplift first: with it, the uplift learner
	 * parses the line, and judges every option itself. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:jqvhV", all, NULL)) != -1)
		o->uplift |= c == O_UPLIFT;
	opterr = 1;
	optind = 0;	/* GNU getopt: start over */
	if (o->uplift) {
		free(all);
		return;
	}
	o->basket = -1;
	o->sort_by = -1;
	o->max_items = 2;
	o->max_price_ratio = 2.0;
	o->memory = (size_t)64 << 20;
	while ((c = getopt_long(argc, argv, "o:jqvhV", all, &at)) != -1) {
		switch (c) {
		case O_UPLIFT_ONLY:
			die(XS_USAGE, "option --%s goes with --uplift", all[at].name);
		case O_BASKET:
			o->basket = opt_word("--basket", optarg, basket_words);
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
			o->all_rules = 1;
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
			o->type = opt_word("--type", optarg, type_words);
			break;
		case O_CATALOG:
			o->catalog = optarg;
			break;
		case O_MAXPRICE:
			o->max_price_ratio = opt_num("--max-price-ratio", optarg, 1,
			    1e9);
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'q':
			xs_quiet = 1;
			break;
		case 'v':
			xs_verbose++;
			break;
		case 'h':
			fputs(usage_text, stdout);
			fputs(help_text, stdout);
			exit(xs_finish(XS_OK));
		case 'V':
			xs_version();
		default:
			usage_die(usage_text);
		}
	}
	free(all);
	check_opts(o);
}

/* ---- the learner's state ---- */

struct learn {
	struct opts *o;
	struct idmap items;	/* product ids */
	uint32_t *label;	/* intern id -> label: labels sort as the ids */
	uint32_t *byl;		/* label -> intern id */
	uint32_t nitems;
	uint64_t *icnt;		/* label -> weight of the baskets holding it */
	uint32_t *freq;		/* pruned basket item -> label */
	int interned;		/* basket items are interned ids, not labels */
	uint64_t n;		/* weight of all baskets */
	double unit;		/* 1, or WUNIT with --half-life */
	uint64_t thr;		/* a rule's count must be >= thr */
	struct baskets bk;
	struct bstream bs;	/* grouped lines: baskets on disk */
	/* --merge with --type: each label's co-occurrence row (partners
	 * and counts, in no order), from the merged pair counts */
	uint64_t *mstart;
	uint32_t *mx;
	uint64_t *mc;
	int streamed;		/* counted from bs, not bk */
	struct bsk_stats st;
	uint64_t rows, rejected, guests;
	/* output */
	FILE *fp;
	struct wr w;
	int ncols, col_extra;	/* columns; where upsell's or substitute's go */
	uint64_t written, subjects;
	uint64_t pairs, frequent;	/* distinct pairs (sets) counted, and
					 * at the threshold; for -v */
	struct buf subj;	/* the subject's ids, comma-separated */
};

static const char *
item_str(const struct learn *L, uint32_t label)
{
	return idmap_str(&L->items, L->byl[label]);
}

static int
cmp_u32_ids(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static const struct idmap *sort_ids;	/* for cmp_by_string */

static int
cmp_by_string(const void *a, const void *b)
{
	const struct idmap *in = sort_ids;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	size_t lx = idmap_len(in, x), ly = idmap_len(in, y);
	int c = memcmp(idmap_str(in, x), idmap_str(in, y), lx < ly ? lx : ly);

	return c ? c : (lx > ly) - (lx < ly);
}

/* Labels in byte order of the ids, so that every loop over labels writes
 * in a stable, documented order whatever order the input came in. */
static void
label_items(struct learn *L)
{
	uint32_t n = L->items.n;

	L->nitems = n;
	L->byl = xreallocarray(NULL, n + 1, sizeof *L->byl);
	L->label = xreallocarray(NULL, n + 1, sizeof *L->label);
	for (uint32_t i = 0; i < n; i++)
		L->byl[i] = i;
	sort_ids = &L->items;
	qsort(L->byl, n, sizeof *L->byl, cmp_by_string);
	for (uint32_t i = 0; i < n; i++)
		L->label[L->byl[i]] = i;
}

static void
learn_init(struct learn *L, struct opts *o)
{
	memset(L, 0, sizeof *L);
	L->o = o;
	idmap_init(&L->items);
	bsk_init(&L->bk);
	bstream_init(&L->bs, o->half_life > 0);
	buf_init(&L->subj);
	L->unit = o->half_life > 0 ? WUNIT : 1;
}

static void
learn_free(struct learn *L)
{
	idmap_free(&L->items);
	bsk_free(&L->bk);
	bstream_free(&L->bs);
	buf_free(&L->subj);
	free(L->label);
	free(L->byl);
	free(L->icnt);
	free(L->freq);
	free(L->mstart);
	free(L->mx);
	free(L->mc);
}

/* ---- reading order lines ---- */

struct reader {
	struct rec r;
	int cb, ci, cq, cts;
	struct bkeys keys;	/* basket keys */
	struct buf prev;	/* the previous row's basket key */
	int previn;		/* the previous key is in this shard */
	int stream;		/* lines go to L->bs while the keys prove
				 * them grouped */
	uint32_t curb;		/* basket id of the last line added */
	int64_t *bts;		/* basket id -> latest ts */
	size_t capts;
	/* Lines whose basket key (when it changes) and product id are being
	 * fetched: the lookups of a batch overlap instead of waiting for
	 * memory one after the other. */
	struct pending {
		uint64_t hash, khash;
		size_t off, len;	/* product id in batch */
		size_t koff, klen;	/* a new basket key in batch */
		int newkey;
		double qty;
		int64_t ts;
	} pend[32];
	int npend;
	struct buf batch;
};

static void
note_ts(struct reader *rd, uint32_t b, int64_t t)
{
	if (b >= rd->capts) {
		size_t cap = rd->capts ? rd->capts * 2 : 1 << 16;

		while (cap <= b)
			cap *= 2;
		rd->bts = xreallocarray(rd->bts, cap, sizeof *rd->bts);
		for (size_t i = rd->capts; i < cap; i++)
			rd->bts[i] = INT64_MIN;
		rd->capts = cap;
	}
	if (t > rd->bts[b])
		rd->bts[b] = t;
}

struct replay {
	struct learn *L;
	struct reader *rd;
};

static void
replay_basket(void *ctx, const char *key, size_t klen, int64_t ts,
    const struct bsk_line *v, size_t n)
{
	struct replay *rp = ctx;
	uint32_t b = bkeys_id(&rp->rd->keys, key, klen, xs_hash(key, klen));

	if (rp->rd->cts >= 0)
		note_ts(rp->rd, b, ts);
	for (size_t i = 0; i < n; i++)
		bsk_add(&rp->L->bk, b, v[i].item, v[i].q);
}

/* A key came that may have come before: the baskets spooled so far go
 * to memory, as if read there, and so do the lines from here on. */
static void
fall_back(struct learn *L, struct reader *rd, const char *key, size_t klen)
{
	struct replay rp = { L, rd };
	const char *col = L->o->basket == B_CUSTOMER ? "customer_id" :
	    "order_id";

	if (xs_verbose)
		note("%s \"%.*s\" after \"%.*s\": the lines are not sorted by "
		    "%s, so the baskets are held in memory (sort them by %s to "
		    "keep memory flat)", col, (int)(klen > 40 ? 40 : klen), key,
		    (int)(L->bs.key.len > 40 ? 40 : L->bs.key.len), L->bs.key.s,
		    col, col);
	bstream_replay(&L->bs, replay_basket, &rp);
	bstream_free(&L->bs);
	rd->stream = 0;
}

static void
flush_lines(struct learn *L, struct reader *rd)
{
	for (int i = 0; i < rd->npend; i++) {
		struct pending *p = &rd->pend[i];
		uint32_t item;

		if (p->newkey) {
			const char *key = rd->batch.s + p->koff;

			if (rd->stream && !bstream_key(&L->bs, key, p->klen))
				fall_back(L, rd, key, p->klen);
			if (!rd->stream)
				rd->curb = bkeys_id(&rd->keys, key, p->klen,
				    p->khash);
		}
		item = idmap_put_hash(&L->items, rd->batch.s + p->off, p->len,
		    p->hash);
		if (rd->stream) {
			bstream_line(&L->bs, item, p->qty, p->ts);
			continue;
		}
		if (rd->cts >= 0)
			note_ts(rd, rd->curb, p->ts);
		bsk_add(&L->bk, rd->curb, item, p->qty);
	}
	rd->npend = 0;
	buf_reset(&rd->batch);
}

/* The time of the current row, for --half-life. */
static int64_t
row_ts(const struct reader *rd)
{
	const struct rec *r = &rd->r;
	int64_t t;
	const char *err;

	if (r->len[rd->cts] == 0)
		die(XS_INPUT, "%s: column 'ts': missing; --half-life needs the "
		    "time of every line", rec_where(r));
	if ((err = time_parse(r->f[rd->cts], r->len[rd->cts], &t)))
		die(XS_INPUT, "%s: column 'ts': %s: \"%.40s\"", rec_where(r), err,
		    r->f[rd->cts]);
	return t;
}

/*
 * Queues the current row: 0 when its basket is another shard's. Rows of
 * one order usually come together, so the key is compared with the
 * previous row's before it is hashed and looked up.
 */
static int
add_line(struct learn *L, struct reader *rd, double qty)
{
	const struct rec *r = &rd->r;
	const char *key = r->f[rd->cb], *id = r->f[rd->ci];
	size_t n = r->len[rd->cb];
	struct pending *p = &rd->pend[rd->npend];

	p->newkey = 0;
	if (!rd->prev.s || rd->prev.len != n || memcmp(rd->prev.s, key, n)) {
		uint64_t h = xs_hash(key, n);

		buf_reset(&rd->prev);
		buf_put(&rd->prev, key, n);
		rd->previn = !L->o->shard_n ||
		    h % L->o->shard_n == L->o->shard_i - 1;
		if (rd->previn) {
			p->newkey = 1;
			p->khash = h;
			p->koff = rd->batch.len;
			p->klen = n;
			buf_put(&rd->batch, key, n);
			bkeys_prefetch(&rd->keys, h);
		}
	}
	if (!rd->previn)
		return 0;
	p->qty = qty;
	p->ts = rd->cts >= 0 ? row_ts(rd) : 0;
	p->off = rd->batch.len;
	p->len = r->len[rd->ci];
	p->hash = xs_hash(id, p->len);
	buf_put(&rd->batch, id, p->len);
	idmap_prefetch(&L->items, p->hash);
	if (++rd->npend == (int)(sizeof rd->pend / sizeof rd->pend[0]))
		flush_lines(L, rd);
	return 1;
}

static void
reject_row(struct learn *L, struct reader *rd, int guest)
{
	if (guest) {
		L->guests++;
		return;
	}
	if (L->rejected++ == 0)
		warnx("%s: no %s or product_id: row skipped", rec_where(&rd->r),
		    L->o->basket == B_CUSTOMER ? "customer_id" : "order_id");
}

/* Weight of a basket whose latest line is at ts: 0.5^(age / half-life),
 * age from ts to --now (default: the latest line of all, set by the
 * caller); a basket later than --now weighs 1. */
static uint64_t
basket_weight(void *ctx, int64_t ts)
{
	const struct learn *L = ctx;
	int64_t now = L->o->now;
	double age = ts < now ? (double)(now - ts) : 0;
	double x = pow(0.5, age / 86400.0 / L->o->half_life);

	return (uint64_t)llround(x * WUNIT);
}

/* Weight of each basket id. */
static uint64_t *
basket_weights(struct learn *L, struct reader *rd)
{
	uint32_t nb = rd->keys.n;
	uint64_t *w = xreallocarray(NULL, nb + 1, sizeof *w);

	if (!L->o->has_now) {
		int64_t now = INT64_MIN;

		for (uint32_t b = 0; b < nb; b++)
			if (rd->bts[b] > now)
				now = rd->bts[b];
		L->o->now = now;
	}
	for (uint32_t b = 0; b < nb; b++)
		w[b] = basket_weight(L, rd->bts[b]);
	return w;
}

/* The quantity of a line: small whole numbers without a trip through
 * strtod, which would cost more than the rest of the line. */
static double
quantity(const struct rec *r, int col)
{
	const char *s = r->f[col];
	size_t n = r->len[col];
	uint32_t v = 0;

	if (n == 0 || n > 9)
		return rec_num(r, col, 1);
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return rec_num(r, col, 1);
		v = v * 10 + (uint32_t)(s[i] - '0');
	}
	return v;
}

/* Itemsets are written as comma lists (subjects of --max-items 3 and
 * more, count streams): an id with a comma in it would read back as two. */
static void
check_commas(const struct learn *L)
{
	if (L->o->max_items < 3 && L->o->mode != M_COUNTS)
		return;
	for (uint32_t i = 0; i < L->items.n; i++)
		if (memchr(idmap_str(&L->items, i), ',', idmap_len(&L->items, i)))
			die(XS_INPUT, "product_id \"%.40s\" has a comma, which "
			    "itemsets (--max-items 3 or more, --counts) cannot hold",
			    idmap_str(&L->items, i));
}

/* The items' counts from the baskets on disk, in labels. */
static void
count_streamed(struct learn *L)
{
	uint64_t *c = xcalloc((size_t)L->nitems + 1, sizeof *c);

	if (L->o->half_life > 0 && !L->o->has_now)
		L->o->now = L->bs.maxts;
	bstream_count(&L->bs, L->o->half_life > 0 ? basket_weight : NULL, L,
	    L->o->max_basket, &L->st, c, &L->n);
	L->icnt = xreallocarray(NULL, L->nitems + 1, sizeof *L->icnt);
	for (uint32_t i = 0; i < L->nitems; i++)
		L->icnt[L->label[i]] = c[i];
	free(c);
}

static void
read_orders(struct learn *L, int nfiles, char **files)
{
	struct reader rd;
	struct rec *r = &rd.r;
	struct progress pg;
	uint64_t *w = NULL;
	int key_customer = L->o->basket == B_CUSTOMER;

	memset(&rd, 0, sizeof rd);
	bkeys_init(&rd.keys);
	buf_init(&rd.prev);
	buf_init(&rd.batch);
	rec_open(r, nfiles, files);
	rd.cb = rec_need(r, key_customer ? "customer_id" : "order_id");
	rd.ci = rec_need(r, "product_id");
	rd.cq = rec_col(r, "quantity");
	rd.cts = L->o->half_life > 0 ? rec_need(r, "ts") : -1;
	/* Pairs (rules or counts) can be counted from baskets on disk,
	 * when their lines come grouped. */
	rd.stream = (L->o->type == T_CROSS || L->o->mode == M_COUNTS) &&
	    L->o->max_items == 2 && L->o->mode != M_MERGE;
	/* With the weights known now, items are counted as baskets end. */
	if (rd.stream && (L->o->half_life == 0 || L->o->has_now))
		bstream_count_online(&L->bs, L->o->half_life > 0 ?
		    basket_weight : NULL, L, L->o->max_basket);
	progress_init(&pg, "lines");
	progress_input(&pg, r);
	while (rec_next(r) == REC_ROW) {
		progress_tick(&pg, ++L->rows);
		if (r->len[rd.cb] == 0 || r->len[rd.ci] == 0) {
			reject_row(L, &rd, key_customer && r->len[rd.cb] == 0 &&
			    r->len[rd.ci] != 0);
			continue;
		}
		add_line(L, &rd, rd.cq >= 0 ? quantity(r, rd.cq) : 1);
	}
	flush_lines(L, &rd);
	progress_done(&pg);
	rec_close(r);
	if (rd.stream) {
		bstream_end(&L->bs);
		L->streamed = 1;
	}
	if (rd.cts >= 0 && !L->streamed)
		w = basket_weights(L, &rd);
	bkeys_free(&rd.keys);
	buf_free(&rd.prev);
	buf_free(&rd.batch);
	free(rd.bts);
	check_commas(L);
	label_items(L);
	if (L->streamed) {
		count_streamed(L);
		return;
	}
	/* Pair rules need some order of the items, not the labels': their
	 * baskets keep the interned ids, already sorted when netted, and
	 * only the rules are relabelled. */
	L->interned = L->o->type == T_CROSS && L->o->mode == M_RULES &&
	    L->o->max_items == 2;
	bsk_build(&L->bk, L->interned ? NULL : L->label, L->nitems, w,
	    L->o->max_basket, &L->st);
	free(w);
	L->icnt = xreallocarray(NULL, L->nitems + 1, sizeof *L->icnt);
	L->n = bsk_count(&L->bk, L->icnt);
	if (L->interned) {
		uint64_t *c = xreallocarray(NULL, L->nitems + 1, sizeof *c);

		for (uint32_t i = 0; i < L->nitems; i++)
			c[L->label[i]] = L->icnt[i];
		free(L->icnt);
		L->icnt = c;
	}
}

/* ---- thresholds ---- */

static const char *
fmt_count(const struct learn *L, uint64_t c, char *buf)
{
	if (L->unit == 1)
		snprintf(buf, NUM_BUF, "%" PRIu64, c);
	else
		num_fmt((double)c / L->unit, buf);
	return buf;
}

/* The smallest count a rule may have. --min-support F is arules'
 * ceil(F' x N), in the same floating-point steps, F' the double just
 * below F: arules (since 1.7-6) steps F down so that a support equal to
 * F is kept although F x N may round up past the whole count (0.07 x
 * 100 is 7.000000000000001). */
static void
set_threshold(struct learn *L)
{
	const struct opts *o = L->o;
	double t;
	char a[NUM_BUF], b[NUM_BUF];

	if (o->has_support)
		t = ceil((double)L->n * nextafter(o->min_support, 0));
	else if (o->has_count)
		t = ceil(o->min_count * L->unit);
	else
		t = 0;
	/* A rule holds in at least one basket (of any weight); upsell and
	 * substitute candidates may have no co-purchases at all. */
	L->thr = t < 1 && o->type == T_CROSS ? 1 : (uint64_t)t;
	if (!xs_verbose)
		return;
	fmt_count(L, L->thr, a);
	if (o->has_support) {
		char c[NUM_BUF];

		num_fmt(o->min_support, b);
		note("threshold: count >= %s (ceil(%s x %s baskets))", a, b,
		    fmt_count(L, L->n, c));
	} else {
		note("threshold: count >= %s%s", a, o->dflt_count ? " (the "
		    "default for cross-sell rules; --min-count 1 or --all-rules "
		    "for every pair)" : "");
	}
	if (o->dflt_lift)
		note("threshold: lift > 1 (the default for cross-sell rules; "
		    "--min-lift 0 or --all-rules for every pair)");
	else if (o->has_lift) {
		num_fmt(o->min_lift, b);
		note("threshold: lift >= %s", b);
	}
}

/* ---- writing rules ---- */

static const char *const base_cols[] = {
	"subject_id", "linked_id", "type", "source", "position", "count",
	"subject_count", "linked_count", "baskets", "support", "confidence",
	"lift"
};
#define NBASE 12

static void
open_output(struct learn *L)
{
	const char *cols[NBASE + 2 + MS_N];
	int n = 0;

	for (; n < NBASE; n++)
		cols[n] = base_cols[n];
	L->col_extra = n;
	if (L->o->type == T_UPSELL) {
		cols[n++] = "price_ratio";
		cols[n++] = "margin";
	} else if (L->o->type == T_SUBST) {
		cols[n++] = "row_cosine";
	}
	for (int m = 0; m < MS_N; m++)
		if (L->o->measure[m])
			cols[n++] = ms_name[m];
	L->ncols = n;
	L->fp = out_open(L->o->out);
	wr_open(&L->w, L->fp, L->o->json, n, (char *const *)cols);
}

static void
close_output(struct learn *L)
{
	wr_close(&L->w);
	out_close(L->fp);
}

/* A candidate rule subject -> head. */
struct cand {
	uint32_t head;
	uint64_t count;
	double key1, key2;	/* sort keys, larger first; NaN last */
	double extra[2];	/* price_ratio, margin / row_cosine */
};

static int
cmp_key(double a, double b)
{
	if (isnan(a) || isnan(b))
		return isnan(a) - isnan(b);
	return (a < b) - (a > b);
}

static int
cmp_cand(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;
	int c = cmp_key(a->key1, b->key1);

	if (!c)
		c = cmp_key(a->key2, b->key2);
	return c ? c : (a->head > b->head) - (a->head < b->head);
}

/* A measure as text: empty when it does not exist (NaN, infinite). */
static void
put_num(char *buf, double v)
{
	if (isfinite(v))
		num_fmt(v, buf);
	else
		buf[0] = '\0';
}

static void
write_rule(struct learn *L, const struct cand *c, uint64_t sc, int64_t pos)
{
	static const char *const tname[] = { "cross_sell", "upsell", "substitute" };
	char nb[NBASE + 2 + MS_N][NUM_BUF];
	char *v[NBASE + 2 + MS_N];
	double nxy = (double)c->count / L->unit, nx = (double)sc / L->unit;
	double ny = (double)L->icnt[c->head] / L->unit;
	double n = (double)L->n / L->unit;
	int k = 0;

	for (int i = 0; i < L->ncols; i++)
		v[i] = nb[i];
	v[0] = (char *)buf_str(&L->subj);
	v[1] = (char *)item_str(L, c->head);
	v[2] = (char *)tname[L->o->type];
	v[3] = "learned";
	snprintf(nb[4], NUM_BUF, "%" PRId64, pos);
	fmt_count(L, c->count, nb[5]);
	fmt_count(L, sc, nb[6]);
	fmt_count(L, L->icnt[c->head], nb[7]);
	fmt_count(L, L->n, nb[8]);
	put_num(nb[9], ms_value(MS_SUPPORT, nxy, nx, ny, n));
	put_num(nb[10], ms_value(MS_CONFIDENCE, nxy, nx, ny, n));
	put_num(nb[11], ms_value(MS_LIFT, nxy, nx, ny, n));
	k = L->col_extra;
	if (L->o->type == T_UPSELL) {
		put_num(nb[k++], c->extra[0]);
		put_num(nb[k++], c->extra[1]);
	} else if (L->o->type == T_SUBST) {
		put_num(nb[k++], c->extra[0]);
	}
	for (int m = 0; m < MS_N; m++)
		if (L->o->measure[m])
			put_num(nb[k++], ms_value(m, nxy, nx, ny, n));
	wr_row(&L->w, v, NULL);
	L->written++;
}

/* Whether a rule's lift reaches --min-lift F. The lift written is in
 * arules' order of operations, (count / nx) x N / ny, and its roundings
 * can put a lift exactly equal to F an ulp below it (7/10 x 12 / 7 is
 * 1.1999999999999997): so a rule is also kept when count x N / (nx x ny),
 * rounded once, reaches F, which is exact while both products stay
 * under 2^53 (whole baskets up to tens of millions; weighted counts
 * have only the lift written). */
static int
lift_reaches(uint64_t cxy, uint64_t cx, uint64_t cy, uint64_t cn,
    double lift, double f)
{
	const uint64_t lim = (uint64_t)1 << 53;

	if (lift >= f)
		return 1;
	if (cx == 0 || cy == 0 || (cxy && cn > lim / cxy) || cy > lim / cx)
		return 0;
	return (double)(cxy * cn) / (double)(cx * cy) >= f;
}

/* Drops the candidates under --min-confidence or --min-lift and sets the
 * sort keys of cross-sell ones (upsell and substitute candidates come
 * with theirs); returns how many are left. */
static size_t
rank_cands(struct learn *L, uint64_t sc, struct cand *c, size_t nc)
{
	const struct opts *o = L->o;
	double nx = (double)sc / L->unit, n = (double)L->n / L->unit;
	/* arules steps C one double down, as F for support, then allows
	 * its slack (istree.c: conf < C - EPSILON fails). */
	double cmin = nextafter(o->min_conf, 0) - CONF_EPS;
	size_t k = 0;

	for (size_t i = 0; i < nc; i++) {
		double nxy = (double)c[i].count / L->unit;
		double ny = (double)L->icnt[c[i].head] / L->unit;
		double conf = ms_value(MS_CONFIDENCE, nxy, nx, ny, n);
		double lift = ms_value(MS_LIFT, nxy, nx, ny, n);
		double key;

		if (o->has_conf && !(conf >= cmin))
			continue;
		if (o->has_lift && !(o->dflt_lift ? lift > 1 + LIFT_EPS :
		    lift_reaches(c[i].count, sc, L->icnt[c[i].head], L->n,
		    lift, o->min_lift)))
			continue;
		c[k] = c[i];
		if (o->type == T_CROSS) {
			key = o->sort_by == MS_CONFIDENCE ? conf :
			    o->sort_by == MS_LIFT ? lift :
			    ms_value(o->sort_by, nxy, nx, ny, n);
			c[k].key1 = ms_lower_better(o->sort_by) ? -key : key;
			c[k].key2 = lift;
		}
		k++;
	}
	return k;
}

/* Writes the rules of one subject (in L->subj), best first. */
static void
emit_subject(struct learn *L, uint64_t sc, struct cand *c, size_t nc)
{
	nc = rank_cands(L, sc, c, nc);
	if (nc == 0)
		return;
	qsort(c, nc, sizeof *c, cmp_cand);
	if (L->o->top && (uint64_t)L->o->top < nc)
		nc = (size_t)L->o->top;
	for (size_t i = 0; i < nc; i++)
		write_rule(L, &c[i], sc, (int64_t)i + 1);
	L->subjects++;
}

static void
set_subject(struct learn *L, const uint32_t *set, int k)
{
	buf_reset(&L->subj);
	for (int i = 0; i < k; i++) {
		if (i)
			buf_putc(&L->subj, ',');
		buf_puts(&L->subj, item_str(L, set[i]));
	}
}

/* A pair rule subject -> head with its count, in labels. */
struct dpair {
	uint32_t s, h;
	uint64_t c;
};

static int
cmp_dpair(const void *x, const void *y)
{
	const struct dpair *a = x, *b = y;

	if (a->s != b->s)
		return (a->s > b->s) - (a->s < b->s);
	return (a->h > b->h) - (a->h < b->h);
}

struct dpairs {
	struct dpair *d;
	size_t n, cap;
};

/* Both rules of a frequent pair. */
static void
dpairs_add(struct dpairs *dp, uint32_t a, uint32_t b, uint64_t c)
{
	if (dp->n + 2 > dp->cap) {
		dp->cap = dp->cap ? dp->cap * 2 : 1024;
		dp->d = xreallocarray(dp->d, dp->cap, sizeof *dp->d);
	}
	dp->d[dp->n++] = (struct dpair){ a, b, c };
	dp->d[dp->n++] = (struct dpair){ b, a, c };
}

/* Pair rules grouped by subject and written: one process and --merge
 * both end here, so they write the same bytes. */
static void
rules_from_dpairs(struct learn *L, struct dpairs *dp)
{
	struct dpair *d = dp->d;
	size_t nd = dp->n, maxc = 1;
	struct cand *c;

	if (nd)
		qsort(d, nd, sizeof *d, cmp_dpair);
	L->frequent = nd / 2;
	for (size_t i = 0, j; i < nd; i = j) {
		for (j = i; j < nd && d[j].s == d[i].s; j++)
			;
		if (j - i > maxc)
			maxc = j - i;
	}
	c = xreallocarray(NULL, maxc, sizeof *c);
	for (size_t i = 0, j; i < nd; i = j) {
		size_t nc = 0;

		for (j = i; j < nd && d[j].s == d[i].s; j++) {
			c[nc].head = d[j].h;
			c[nc].count = d[j].c;
			nc++;
		}
		set_subject(L, &d[i].s, 1);
		emit_subject(L, L->icnt[d[i].s], c, nc);
	}
	free(c);
	free(dp->d);
	memset(dp, 0, sizeof *dp);
}

/* Pairs from merged counts. */
static void
rules_from_pairs(struct learn *L, const struct pairs *pt)
{
	struct dpairs dp = { NULL, 0, 0 };

	for (size_t i = 0; i < pt->cap; i++) {
		if (pt->e[i].key == PAIRS_EMPTY || pt->e[i].count < L->thr)
			continue;
		dpairs_add(&dp, L->label[pt->e[i].key >> 32],
		    L->label[pt->e[i].key & UINT32_MAX], pt->e[i].count);
	}
	rules_from_dpairs(L, &dp);
}

/* ---- pair rules from co-occurrence rows (one process, --max-items 2) ---- */

/* The upper row of each frequent item (partners after it) holds each
 * pair once; only the pairs at the threshold are kept: the output's
 * size, not the pairs'. */
static void
rules_from_rows(struct learn *L)
{
	uint64_t *cnt = xcalloc((size_t)L->bk.nitems + 1, sizeof *cnt);
	uint32_t *touched = xreallocarray(NULL, L->bk.nitems + 1,
	    sizeof *touched);
	struct dpairs dp = { NULL, 0, 0 };
	uint64_t distinct = 0;

	bsk_index_upper(&L->bk);
	for (uint32_t a = 0; a < L->bk.nitems; a++) {
		size_t nt = bsk_row_upper(&L->bk, a, cnt, touched);

		distinct += nt;
		for (size_t i = 0; i < nt; i++)
			if (cnt[touched[i]] >= L->thr)
				dpairs_add(&dp, L->freq[a], L->freq[touched[i]],
				    cnt[touched[i]]);
		bsk_row_clear(cnt, touched, nt);
	}
	free(cnt);
	free(touched);
	rules_from_dpairs(L, &dp);
	L->pairs = distinct;
}

/* ---- rules from frequent itemsets (--max-items >= 3, and --merge) ---- */

struct rule {
	const uint32_t *body;
	int blen;
	uint32_t head;
	uint64_t count, bcount;
};

static int
cmp_rule(const void *x, const void *y)
{
	const struct rule *a = x, *b = y;
	int n = a->blen < b->blen ? a->blen : b->blen;

	for (int i = 0; i < n; i++)
		if (a->body[i] != b->body[i])
			return (a->body[i] > b->body[i]) - (a->body[i] < b->body[i]);
	if (a->blen != b->blen)
		return (a->blen > b->blen) - (a->blen < b->blen);
	return (a->head > b->head) - (a->head < b->head);
}

/* Every rule body -> head with body + head a frequent itemset of fs (in
 * labels, each set ascending), grouped by body, written per body. */
static void
rules_from_sets(struct learn *L, const struct isets *fs)
{
	struct rule *r = NULL;
	size_t nr = 0, cap = 0;
	struct cand *c;
	size_t maxc = 1;

	for (size_t s = 0; s < fs->n; s++) {
		const uint32_t *set = isets_items(fs, s);
		int k = fs->len[s];
		uint32_t body[ISETS_MAX];

		for (int h = 0; h < k; h++) {
			size_t bi = SIZE_MAX;
			int bl = 0;

			for (int i = 0; i < k; i++)
				if (i != h)
					body[bl++] = set[i];
			if (bl > 1 && (bi = isets_find(fs, body, bl)) == SIZE_MAX)
				die(XS_INPUT, "counts are inconsistent: a subset of a "
				    "frequent itemset is missing");
			if (nr == cap) {
				cap = cap ? cap * 2 : 1024;
				r = xreallocarray(r, cap, sizeof *r);
			}
			r[nr].body = bl > 1 ? isets_items(fs, bi) : &set[h == 0];
			r[nr].blen = bl;
			r[nr].head = set[h];
			r[nr].count = fs->count[s];
			r[nr].bcount = bl > 1 ? fs->count[bi] : L->icnt[set[h == 0]];
			nr++;
		}
	}
	if (nr)
		qsort(r, nr, sizeof *r, cmp_rule);
	for (size_t i = 0, j; i < nr; i = j) {
		for (j = i + 1; j < nr && r[j].blen == r[i].blen &&
		    memcmp(r[j].body, r[i].body, (size_t)r[i].blen * 4) == 0; j++)
			;
		if (j - i > maxc)
			maxc = j - i;
	}
	c = xreallocarray(NULL, maxc, sizeof *c);
	for (size_t i = 0, j; i < nr; i = j) {
		size_t nc = 0;

		for (j = i; j < nr && r[j].blen == r[i].blen &&
		    memcmp(r[j].body, r[i].body, (size_t)r[i].blen * 4) == 0; j++) {
			c[nc].head = r[j].head;
			c[nc].count = r[j].count;
			nc++;
		}
		set_subject(L, r[i].body, r[i].blen);
		emit_subject(L, r[i].bcount, c, nc);
	}
	free(c);
	free(r);
}

struct sets_ctx {
	struct isets *fs;
	const uint32_t *label;
};

static void
add_set(void *ctx, const uint32_t *set, int k, uint64_t w)
{
	struct sets_ctx *sc = ctx;
	uint32_t s[ISETS_MAX];

	for (int i = 0; i < k; i++)
		s[i] = sc->label[set[i]];
	isets_add(sc->fs, s, k, w);
}

static void
rules_from_mining(struct learn *L)
{
	struct isets fs;
	struct sets_ctx sc = { &fs, L->freq };

	isets_init(&fs);
	bsk_index(&L->bk);
	bsk_mine(&L->bk, L->thr, L->o->max_items, add_set, &sc);
	L->frequent = fs.n;
	rules_from_sets(L, &fs);
	isets_free(&fs);
}

/* ---- pair rules from the baskets on disk ---- */

/* Subjects of the rows: the items of labels with keep[label] set, in
 * label order; returns how many, and newid (interned id -> subject) for
 * bstream_prune. L->freq maps subjects back to labels. */
static uint32_t
stream_subjects(struct learn *L, const uint8_t *keep, uint32_t **newid)
{
	uint32_t *nl = xreallocarray(NULL, L->nitems + 1, sizeof *nl), n = 0;

	L->freq = xreallocarray(NULL, L->nitems + 1, sizeof *L->freq);
	for (uint32_t lab = 0; lab < L->nitems; lab++) {
		nl[lab] = UINT32_MAX;
		if (keep[lab]) {
			L->freq[n] = lab;
			nl[lab] = n++;
		}
	}
	*newid = xreallocarray(NULL, L->nitems + 1, sizeof **newid);
	for (uint32_t i = 0; i < L->nitems; i++)
		(*newid)[i] = nl[L->label[i]];
	free(nl);
	return n;
}

struct rows_ctx {
	struct learn *L;
	struct dpairs dp;
};

static void
rule_row(void *ctx, uint32_t a, const uint64_t *cnt, uint32_t *touched,
    size_t nt)
{
	struct rows_ctx *rc = ctx;
	struct learn *L = rc->L;

	for (size_t i = 0; i < nt; i++)
		if (cnt[touched[i]] >= L->thr)
			dpairs_add(&rc->dp, L->freq[a], L->freq[touched[i]],
			    cnt[touched[i]]);
}

static void
learn_rules_streamed(struct learn *L)
{
	uint8_t *keep = xcalloc((size_t)L->nitems + 1, 1);
	uint32_t *newid, nfreq;
	uint64_t nkept, distinct;
	struct rows_ctx rc = { L, { NULL, 0, 0 } };

	set_threshold(L);
	for (uint32_t lab = 0; lab < L->nitems; lab++)
		keep[lab] = L->icnt[lab] >= L->thr && L->icnt[lab] > 0;
	nfreq = stream_subjects(L, keep, &newid);
	free(keep);
	/* Apriori's first step, as in learn_rules. */
	nkept = bstream_prune(&L->bs, newid, nfreq);
	free(newid);
	if (xs_verbose)
		note("%" PRIu32 " frequent items, %" PRIu64 " baskets with two "
		    "or more of them", nfreq, nkept);
	open_output(L);
	distinct = bstream_rows(&L->bs, L->o->memory, rule_row, &rc);
	if (xs_verbose)
		note("baskets counted from %.1f MB of temporary files",
		    (double)bstream_bytes(&L->bs) / 1e6);
	rules_from_dpairs(L, &rc.dp);
	L->pairs = distinct;
	close_output(L);
}

/* ---- cross-sell rules: one process ---- */

static void
learn_rules(struct learn *L)
{
	uint32_t *newid, nfreq = 0;

	if (L->streamed) {
		learn_rules_streamed(L);
		return;
	}
	newid = xreallocarray(NULL, L->nitems + 1, sizeof *newid);
	set_threshold(L);
	L->freq = xreallocarray(NULL, L->nitems + 1, sizeof *L->freq);
	for (uint32_t a = 0; a < L->nitems; a++) {
		uint32_t lab = L->interned ? L->label[a] : a;

		newid[a] = UINT32_MAX;
		if (L->icnt[lab] >= L->thr && L->icnt[lab] > 0) {
			L->freq[nfreq] = lab;
			newid[a] = nfreq++;
		}
	}
	/* Apriori's first step: a rule's items are each at least as
	 * frequent as the rule, so rarer items never need counting. */
	bsk_prune(&L->bk, newid, nfreq, 2);
	free(newid);
	if (xs_verbose)
		note("%" PRIu32 " frequent items, %" PRIu32 " baskets with two "
		    "or more of them", nfreq, L->bk.nb);
	open_output(L);
	if (L->o->max_items == 2)
		rules_from_rows(L);
	else
		rules_from_mining(L);
	close_output(L);
}

/* ---- mergeable counts ---- */

static const char *const count_cols[] = { "kind", "itemset", "count" };

/* What a count stream was counted with: --merge needs the same. */
static void
options_string(const struct learn *L, struct buf *b)
{
	const struct opts *o = L->o;
	char hl[NUM_BUF], now[NUM_BUF];

	num_fmt(o->half_life, hl);
	if (o->half_life > 0)
		time_fmt(o->now, now);
	else
		snprintf(now, sizeof now, "-");
	buf_reset(b);
	buf_printf(b, "basket=%s max-items=%d max-basket=%" PRIu32
	    " half-life=%s now=%s", basket_words[o->basket], o->max_items,
	    o->max_basket, hl, now);
}

struct counts_out {
	struct learn *L;
	uint32_t next;		/* next singleton to write */
	struct buf set;
	uint64_t rows;
};

static void
count_row(struct counts_out *co, const char *kind, const char *set,
    uint64_t count)
{
	char num[NUM_BUF];
	char *v[3];

	snprintf(num, sizeof num, "%" PRIu64, count);
	v[0] = (char *)kind;
	v[1] = (char *)set;
	v[2] = num;
	wr_row(&co->L->w, v, NULL);
	co->rows++;
}

/* Singletons up to label a, so that the stream is in lexicographic order
 * of the sets. */
static void
count_items_upto(struct counts_out *co, uint32_t a)
{
	struct learn *L = co->L;

	for (; co->next < a; co->next++)
		if (L->icnt[co->next])
			count_row(co, "set", item_str(L, co->next),
			    L->icnt[co->next]);
}

static void
count_set(void *ctx, const uint32_t *set, int k, uint64_t w)
{
	struct counts_out *co = ctx;

	count_items_upto(co, set[0] + 1);
	buf_reset(&co->set);
	for (int i = 0; i < k; i++) {
		if (i)
			buf_putc(&co->set, ',');
		buf_puts(&co->set, item_str(co->L, set[i]));
	}
	count_row(co, "set", buf_str(&co->set), w);
}

struct counts_rows {
	struct counts_out *co;
	struct learn *L;
};

/* A subject's row of the count stream: its singleton (and the ones
 * before it), then its pairs in order. */
static void
count_row_streamed(void *ctx, uint32_t a, const uint64_t *cnt,
    uint32_t *touched, size_t nt)
{
	struct counts_rows *cr = ctx;
	struct learn *L = cr->L;
	uint32_t la = L->freq[a];

	count_items_upto(cr->co, la + 1);
	qsort(touched, nt, sizeof *touched, cmp_u32_ids);
	for (size_t i = 0; i < nt; i++) {
		buf_reset(&cr->co->set);
		buf_puts(&cr->co->set, item_str(L, la));
		buf_putc(&cr->co->set, ',');
		buf_puts(&cr->co->set, item_str(L, L->freq[touched[i]]));
		count_row(cr->co, "set", buf_str(&cr->co->set), cnt[touched[i]]);
	}
}

/* Every pair of the baskets on disk: the items that are in some basket
 * are the subjects, in label order. */
static void
count_pairs_streamed(struct learn *L, struct counts_out *co)
{
	uint8_t *keep = xcalloc((size_t)L->nitems + 1, 1);
	uint32_t *newid, n;
	struct counts_rows cr = { co, L };

	for (uint32_t lab = 0; lab < L->nitems; lab++)
		keep[lab] = L->icnt[lab] > 0;
	n = stream_subjects(L, keep, &newid);
	free(keep);
	bstream_prune(&L->bs, newid, n);
	free(newid);
	L->pairs = bstream_rows(&L->bs, L->o->memory, count_row_streamed, &cr);
}

static void
write_counts(struct learn *L)
{
	struct counts_out co;
	struct buf b;
	char shard[48];

	memset(&co, 0, sizeof co);
	co.L = L;
	buf_init(&co.set);
	buf_init(&b);
	L->fp = out_open(L->o->out);
	wr_open(&L->w, L->fp, L->o->json, 3, (char *const *)count_cols);
	/* Weighted counts pass 2^53: keep them exact in JSON too. */
	wr_type(&L->w, 2, WR_STR);
	options_string(L, &b);
	count_row(&co, "options", buf_str(&b), 0);
	if (L->o->shard_n) {
		snprintf(shard, sizeof shard, "%" PRIu32 "/%" PRIu32,
		    L->o->shard_i, L->o->shard_n);
		count_row(&co, "shard", shard, 0);
	}
	count_row(&co, "baskets", "", L->n);
	if (L->streamed) {
		count_pairs_streamed(L, &co);
	} else {
		bsk_index(&L->bk);
		bsk_mine(&L->bk, 1, L->o->max_items, count_set, &co);
	}
	count_items_upto(&co, L->nitems);
	wr_close(&L->w);
	out_close(L->fp);
	L->written = co.rows;
	buf_free(&co.set);
	buf_free(&b);
}

static const char *
parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0)
		return "missing";
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return "not a whole number";
		if (v > (UINT64_MAX - 9) / 10)
			return "out of range";
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return NULL;
}

static void
add_count(uint64_t *to, uint64_t c, const struct rec *r)
{
	if (__builtin_add_overflow(*to, c, to))
		die(XS_INPUT, "%s: counts overflow 2^64", rec_where(r));
}

struct merger {
	struct rec r;
	int ck, cs, cc;
	uint64_t *icnt;		/* intern id -> count */
	size_t capi;
	struct pairs pt;	/* --max-items 2 */
	struct isets st;	/* --max-items 3 or more */
	uint32_t *seen_shard;	/* shard i -> times seen */
	uint32_t shard_n;
	uint64_t nopts, nbaskets;
	struct buf want;
};

static void
merge_set(struct learn *L, struct merger *mg, uint64_t c)
{
	struct rec *r = &mg->r;
	const char *p = r->f[mg->cs], *end = p + r->len[mg->cs], *s;
	uint32_t set[ISETS_MAX];
	size_t n;
	int k = 0;

	while (list_next(&p, end, &s, &n)) {
		if (k >= L->o->max_items)
			die(XS_INPUT, "%s: a set of more than --max-items %d items",
			    rec_where(r), L->o->max_items);
		set[k++] = idmap_put(&L->items, s, n);
	}
	if (k == 0)
		die(XS_INPUT, "%s: column 'itemset': missing", rec_where(r));
	if (k == 1) {
		if (set[0] >= mg->capi) {
			size_t cap = mg->capi ? mg->capi * 2 : 1024;

			mg->icnt = xreallocarray(mg->icnt, cap, sizeof *mg->icnt);
			memset(mg->icnt + mg->capi, 0,
			    (cap - mg->capi) * sizeof *mg->icnt);
			mg->capi = cap;
		}
		add_count(&mg->icnt[set[0]], c, r);
	} else if (L->o->max_items == 2) {
		add_count(pairs_at(&mg->pt, set[0], set[1]), c, r);
	} else {
		qsort(set, (size_t)k, sizeof *set, cmp_u32_ids);
		if (!isets_add(&mg->st, set, k, c))
			die(XS_INPUT, "%s: counts overflow 2^64", rec_where(r));
	}
}

static void
merge_meta(struct learn *L, struct merger *mg, const char *kind)
{
	struct rec *r = &mg->r;
	const char *val = r->f[mg->cs];
	uint64_t c;
	const char *err;

	if (strcmp(kind, "options") == 0) {
		if (strcmp(val, buf_str(&mg->want)) != 0)
			die(XS_INPUT, "%s: counted with \"%s\", merging with \"%s\"",
			    rec_where(r), val, buf_str(&mg->want));
		mg->nopts++;
	} else if (strcmp(kind, "shard") == 0) {
		unsigned long i, n;
		char end;

		if (sscanf(val, "%lu/%lu%c", &i, &n, &end) != 2 || i < 1 || i > n ||
		    n > UINT32_MAX || (mg->shard_n && n != mg->shard_n))
			die(XS_INPUT, "%s: shard \"%s\" does not fit the others",
			    rec_where(r), val);
		if (!mg->shard_n) {
			mg->shard_n = (uint32_t)n;
			mg->seen_shard = xcalloc(n + 1, sizeof *mg->seen_shard);
		}
		if (mg->seen_shard[i]++)
			die(XS_INPUT, "%s: shard %s merged twice", rec_where(r), val);
	} else if (strcmp(kind, "baskets") == 0) {
		if ((err = parse_u64(r->f[mg->cc], r->len[mg->cc], &c)))
			die(XS_INPUT, "%s: column 'count': %s: \"%.40s\"",
			    rec_where(r), err, r->f[mg->cc]);
		add_count(&L->n, c, r);
		mg->nbaskets++;
	} else {
		die(XS_INPUT, "%s: column 'kind': \"%.40s\" is not options, "
		    "shard, baskets or set", rec_where(r), kind);
	}
}

static void
check_merged(struct merger *mg)
{
	const char *name = mg->r.name ? mg->r.name : "<stdin>";

	if (mg->nopts == 0)
		die(XS_INPUT, "%s: not a count stream of xsell-learn --counts "
		    "(no options row)", name);
	if (mg->nbaskets != mg->nopts)
		die(XS_INPUT, "%s: %" PRIu64 " count streams but %" PRIu64
		    " baskets rows", name, mg->nopts, mg->nbaskets);
	if (!mg->shard_n)
		return;
	for (uint32_t i = 1; i <= mg->shard_n; i++)
		if (!mg->seen_shard[i])
			die(XS_INPUT, "shard %" PRIu32 "/%" PRIu32 " is missing", i,
			    mg->shard_n);
	if (mg->nopts != mg->shard_n)
		die(XS_INPUT, "%s: sharded and unsharded count streams mixed",
		    name);
}

/* Frequent merged itemsets, relabelled (labels are known only now). */
static void
rules_from_merged_sets(struct learn *L, const struct isets *st)
{
	struct isets fs;
	uint32_t set[ISETS_MAX];

	isets_init(&fs);
	for (size_t s = 0; s < st->n; s++) {
		const uint32_t *it = isets_items(st, s);
		int k = st->len[s];

		if (st->count[s] < L->thr)
			continue;
		for (int i = 0; i < k; i++)
			set[i] = L->label[it[i]];
		qsort(set, (size_t)k, sizeof *set, cmp_u32_ids);
		isets_add(&fs, set, k, st->count[s]);
	}
	L->pairs = st->n;
	L->frequent = fs.n;
	rules_from_sets(L, &fs);
	isets_free(&fs);
}

/* Each label's co-occurrence row from the merged pair counts, for
 * --type upsell and substitute: both directions of every pair. */
static void
merged_rows(struct learn *L, const struct pairs *pt)
{
	uint64_t *pos;

	L->mstart = xcalloc((size_t)L->nitems + 2, sizeof *L->mstart);
	for (size_t i = 0; i < pt->cap; i++) {
		uint64_t k = pt->e[i].key;

		if (k == PAIRS_EMPTY || k >> 32 == (k & UINT32_MAX))
			continue;
		L->mstart[L->label[k >> 32] + 1]++;
		L->mstart[L->label[k & UINT32_MAX] + 1]++;
	}
	for (uint32_t a = 0; a < L->nitems; a++)
		L->mstart[a + 1] += L->mstart[a];
	L->mx = xreallocarray(NULL, L->mstart[L->nitems] + 1, sizeof *L->mx);
	L->mc = xreallocarray(NULL, L->mstart[L->nitems] + 1, sizeof *L->mc);
	pos = (uint64_t *)xmemdup(L->mstart, ((size_t)L->nitems + 1) *
	    sizeof *pos);
	for (size_t i = 0; i < pt->cap; i++) {
		uint64_t k = pt->e[i].key;
		uint32_t a, b;

		if (k == PAIRS_EMPTY || k >> 32 == (k & UINT32_MAX))
			continue;
		a = L->label[k >> 32];
		b = L->label[k & UINT32_MAX];
		L->mx[pos[a]] = b;
		L->mc[pos[a]++] = pt->e[i].count;
		L->mx[pos[b]] = a;
		L->mc[pos[b]++] = pt->e[i].count;
	}
	free(pos);
}

/* The co-occurrence row of label a (cnt[x] for the x in touched, as
 * bsk_row gives it): from the baskets, or from merged counts. */
static size_t
cooc_row(const struct learn *L, uint32_t a, uint64_t *cnt, uint32_t *touched)
{
	size_t nt = 0;

	if (!L->mstart)
		return bsk_row(&L->bk, a, 0, cnt, touched);
	for (uint64_t p = L->mstart[a]; p < L->mstart[a + 1]; p++) {
		touched[nt++] = L->mx[p];
		cnt[L->mx[p]] = L->mc[p];
	}
	return nt;
}

struct catalog;
static void learn_upsell(struct learn *L, struct catalog *c);
static void learn_subst(struct learn *L, struct catalog *c);

static void
merge_counts(struct learn *L, struct catalog *cat, int nfiles, char **files)
{
	struct merger mg;
	struct rec *r = &mg.r;
	struct progress pg;

	memset(&mg, 0, sizeof mg);
	pairs_init(&mg.pt);
	isets_init(&mg.st);
	buf_init(&mg.want);
	options_string(L, &mg.want);
	rec_open(r, nfiles, files);
	mg.ck = rec_need(r, "kind");
	mg.cs = rec_need(r, "itemset");
	mg.cc = rec_need(r, "count");
	progress_init(&pg, "counts");
	progress_input(&pg, r);
	while (rec_next(r) == REC_ROW) {
		const char *kind = r->f[mg.ck];
		uint64_t c;
		const char *err;

		progress_tick(&pg, ++L->rows);
		if (strcmp(kind, "set") != 0) {
			/* Count streams concatenated (cat, parallel) repeat
			 * the header line. */
			if (strcmp(kind, "kind") != 0)
				merge_meta(L, &mg, kind);
			continue;
		}
		if ((err = parse_u64(r->f[mg.cc], r->len[mg.cc], &c)))
			die(XS_INPUT, "%s: column 'count': %s: \"%.40s\"",
			    rec_where(r), err, r->f[mg.cc]);
		merge_set(L, &mg, c);
	}
	progress_done(&pg);
	check_merged(&mg);
	rec_close(r);
	label_items(L);
	L->icnt = xcalloc((size_t)L->nitems + 1, sizeof *L->icnt);
	for (uint32_t i = 0; i < L->nitems && i < mg.capi; i++)
		L->icnt[L->label[i]] = mg.icnt[i];
	if (L->o->type != T_CROSS) {
		merged_rows(L, &mg.pt);
		pairs_free(&mg.pt);
		if (L->o->type == T_UPSELL)
			learn_upsell(L, cat);
		else
			learn_subst(L, cat);
	} else {
		set_threshold(L);
		open_output(L);
		if (L->o->max_items == 2) {
			L->pairs = mg.pt.n;
			rules_from_pairs(L, &mg.pt);
		} else {
			rules_from_merged_sets(L, &mg.st);
		}
		close_output(L);
	}
	free(mg.icnt);
	free(mg.seen_shard);
	pairs_free(&mg.pt);
	isets_free(&mg.st);
	buf_free(&mg.want);
}

/* ---- upsell and substitutes from the catalog ---- */

struct catalog {
	uint32_t n, cap;
	uint32_t *item;		/* intern id of product_id */
	uint32_t *cat;		/* category, UINT32_MAX when missing */
	double *price, *cost;	/* NaN when missing */
	uint8_t *active;
	struct intern cats;
	uint32_t *order;	/* rows by category, then price, then id */
};

static void
catalog_grow(struct catalog *c)
{
	c->cap = c->cap ? c->cap * 2 : 1024;
	c->item = xreallocarray(c->item, c->cap, sizeof *c->item);
	c->cat = xreallocarray(c->cat, c->cap, sizeof *c->cat);
	c->price = xreallocarray(c->price, c->cap, sizeof *c->price);
	c->cost = xreallocarray(c->cost, c->cap, sizeof *c->cost);
	c->active = xreallocarray(c->active, c->cap, sizeof *c->active);
}

/* Products are interned before the orders, so that the ones nobody
 * bought have labels (and zero counts) too. */
static void
load_catalog(struct learn *L, struct catalog *c, const char *file)
{
	struct rec r;
	char *files[1] = { (char *)file };
	int ci, cc, cp, cx, cs;

	memset(c, 0, sizeof *c);
	memset(&r, 0, sizeof r);
	intern_init(&c->cats);
	rec_open(&r, 1, files);
	ci = rec_need(&r, "product_id");
	cc = rec_need(&r, "category");
	cp = L->o->type == T_UPSELL ? rec_need(&r, "price") :
	    rec_col(&r, "price");
	cx = rec_col(&r, "cost");
	cs = rec_col(&r, "status");
	while (rec_next(&r) == REC_ROW) {
		uint32_t n = L->items.n, k;

		if (r.len[ci] == 0)
			die(XS_INPUT, "%s: column 'product_id': missing",
			    rec_where(&r));
		if (c->n == c->cap)
			catalog_grow(c);
		k = c->n++;
		c->item[k] = idmap_put(&L->items, r.f[ci], r.len[ci]);
		if (c->item[k] < n)
			die(XS_INPUT, "%s: product_id \"%.40s\" seen twice",
			    rec_where(&r), r.f[ci]);
		c->cat[k] = r.len[cc] ? intern_put(&c->cats, r.f[cc], r.len[cc]) :
		    UINT32_MAX;
		c->price[k] = rec_num(&r, cp, NAN);
		c->cost[k] = rec_num(&r, cx, NAN);
		c->active[k] = cs < 0 || r.len[cs] == 0 ||
		    strcmp(r.f[cs], "active") == 0;
	}
	rec_close(&r);
}

static void
catalog_free(struct catalog *c)
{
	free(c->item);
	free(c->cat);
	free(c->price);
	free(c->cost);
	free(c->active);
	free(c->order);
	intern_free(&c->cats);
}

static const struct catalog *sort_cat;
static const struct learn *sort_learn;

static int
cmp_cat_row(const void *x, const void *y)
{
	const struct catalog *c = sort_cat;
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	uint32_t la = sort_learn->label[c->item[a]];
	uint32_t lb = sort_learn->label[c->item[b]];

	if (c->cat[a] != c->cat[b])
		return (c->cat[a] > c->cat[b]) - (c->cat[a] < c->cat[b]);
	if (c->price[a] != c->price[b] && !isnan(c->price[a]) &&
	    !isnan(c->price[b]))
		return (c->price[a] > c->price[b]) - (c->price[a] < c->price[b]);
	if (isnan(c->price[a]) != isnan(c->price[b]))
		return isnan(c->price[a]) - isnan(c->price[b]);
	return (la > lb) - (la < lb);
}

/* Rows with a category, grouped by it, by price within; returns how many. */
static uint32_t
catalog_order(const struct learn *L, struct catalog *c)
{
	uint32_t n = 0;

	c->order = xreallocarray(NULL, c->n + 1, sizeof *c->order);
	for (uint32_t k = 0; k < c->n; k++)
		if (c->cat[k] != UINT32_MAX)
			c->order[n++] = k;
	sort_cat = c;
	sort_learn = L;
	qsort(c->order, n, sizeof *c->order, cmp_cat_row);
	return n;
}

struct subj {
	uint32_t label, row, grp;	/* grp: first place of its category */
};

static int
cmp_subj(const void *x, const void *y)
{
	const struct subj *a = x, *b = y;

	return (a->label > b->label) - (a->label < b->label);
}

static void
learn_upsell(struct learn *L, struct catalog *c)
{
	uint32_t n = catalog_order(L, c), ns = 0;
	uint64_t *cnt = xcalloc((size_t)L->nitems + 1, sizeof *cnt);
	uint32_t *touched = xreallocarray(NULL, L->nitems + 1, sizeof *touched);
	struct cand *cd = xreallocarray(NULL, n + 1, sizeof *cd);
	struct subj *s = xreallocarray(NULL, n + 1, sizeof *s);

	set_threshold(L);
	if (!L->mstart)
		bsk_index(&L->bk);
	open_output(L);
	for (uint32_t i = 0, g = 0; i < n; i++) {
		uint32_t k = c->order[i];

		if (i > 0 && c->cat[k] != c->cat[c->order[i - 1]])
			g = i;
		if (c->price[k] > 0)
			s[ns++] = (struct subj){ L->label[c->item[k]], k, g };
	}
	qsort(s, ns, sizeof *s, cmp_subj);
	for (uint32_t i = 0; i < ns; i++) {
		uint32_t p = s[i].row, nc = 0;
		double lo = c->price[p], hi = lo * L->o->max_price_ratio;
		size_t nt = cooc_row(L, s[i].label, cnt, touched);

		for (uint32_t j = s[i].grp; j < n && c->cat[c->order[j]] ==
		    c->cat[p]; j++) {
			uint32_t q = c->order[j], lq = L->label[c->item[q]];
			double nxy, nx, ny, N = (double)L->n / L->unit;

			if (!(c->price[q] > lo) || !(c->price[q] <= hi) ||
			    !c->active[q] || cnt[lq] < L->thr)
				continue;
			nxy = (double)cnt[lq] / L->unit;
			nx = (double)L->icnt[s[i].label] / L->unit;
			ny = (double)L->icnt[lq] / L->unit;
			cd[nc].head = lq;
			cd[nc].count = cnt[lq];
			cd[nc].extra[0] = c->price[q] / lo;
			/* Cents minus cents should read as cents. */
			cd[nc].extra[1] = round((c->price[q] - c->cost[q]) * 1e9) / 1e9;
			cd[nc].key1 = ms_value(MS_LIFT, nxy, nx, ny, N);
			cd[nc].key2 = cd[nc].extra[1];
			nc++;
		}
		bsk_row_clear(cnt, touched, nt);
		set_subject(L, &s[i].label, 1);
		emit_subject(L, L->icnt[s[i].label], cd, nc);
	}
	close_output(L);
	free(cnt);
	free(touched);
	free(cd);
	free(s);
}

/* A co-occurrence row: items ascending, counts. */
struct srow {
	uint32_t *x;
	uint64_t *c;
	size_t n;
	double norm2;
};

static uint64_t
srow_get(const struct srow *r, uint32_t x)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;

		if (r->x[m] < x)
			lo = m + 1;
		else
			hi = m;
	}
	return lo < r->n && r->x[lo] == x ? r->c[lo] : 0;
}

static double
srow_dot(const struct learn *L, const struct srow *a, const struct srow *b)
{
	double s = 0;

	for (size_t i = 0, j = 0; i < a->n && j < b->n;) {
		if (a->x[i] < b->x[j]) {
			i++;
		} else if (a->x[i] > b->x[j]) {
			j++;
		} else {
			s += ((double)a->c[i] / L->unit) * ((double)b->c[j] / L->unit);
			i++;
			j++;
		}
	}
	return s;
}

static void
srow_fill(const struct learn *L, struct srow *r, uint32_t a, uint64_t *cnt,
    uint32_t *touched)
{
	size_t nt = cooc_row(L, a, cnt, touched);

	qsort(touched, nt, sizeof *touched, cmp_u32_ids);
	r->x = (uint32_t *)xmemdup(touched, nt * sizeof *touched);
	r->c = xreallocarray(NULL, nt + 1, sizeof *r->c);
	r->n = nt;
	r->norm2 = 0;
	for (size_t i = 0; i < nt; i++) {
		double v = (double)cnt[touched[i]] / L->unit;

		r->c[i] = cnt[touched[i]];
		r->norm2 += v * v;
	}
	bsk_row_clear(cnt, touched, nt);
}

struct scand {
	uint32_t subj;
	struct cand c;
};

static int
cmp_scand(const void *x, const void *y)
{
	const struct scand *a = x, *b = y;

	if (a->subj != b->subj)
		return (a->subj > b->subj) - (a->subj < b->subj);
	return (a->c.head > b->c.head) - (a->c.head < b->c.head);
}

/* Substitute candidates of the category at order[from, to). */
static void
subst_category(struct learn *L, const struct catalog *c, uint32_t from,
    uint32_t to, struct scand **out, size_t *nout, size_t *cap)
{
	uint32_t m = to - from;
	struct srow *row = xcalloc(m + 1, sizeof *row);
	uint64_t *cnt = xcalloc((size_t)L->nitems + 1, sizeof *cnt);
	uint32_t *touched = xreallocarray(NULL, L->nitems + 1, sizeof *touched);
	double N = (double)L->n / L->unit;

	for (uint32_t i = 0; i < m; i++)
		srow_fill(L, &row[i], L->label[c->item[c->order[from + i]]], cnt,
		    touched);
	for (uint32_t i = 0; i < m; i++) {
		uint32_t lp = L->label[c->item[c->order[from + i]]];

		for (uint32_t j = 0; j < m; j++) {
			uint32_t q = c->order[from + j], lq = L->label[c->item[q]];
			uint64_t both = srow_get(&row[i], lq);
			double nxy = (double)both / L->unit, cv, d;
			double nx = (double)L->icnt[lp] / L->unit;
			double ny = (double)L->icnt[lq] / L->unit;

			if (i == j || !c->active[q] || both < L->thr ||
			    !(ms_value(MS_LIFT, nxy, nx, ny, N) < 1))
				continue;
			d = (row[i].norm2 - nxy * nxy) * (row[j].norm2 - nxy * nxy);
			cv = srow_dot(L, &row[i], &row[j]) / sqrt(d);
			if (!(cv > 0))
				continue;
			if (*nout == *cap) {
				*cap = *cap ? *cap * 2 : 1024;
				*out = xreallocarray(*out, *cap, sizeof **out);
			}
			memset(&(*out)[*nout], 0, sizeof **out);
			(*out)[*nout].subj = lp;
			(*out)[*nout].c.head = lq;
			(*out)[*nout].c.count = both;
			(*out)[*nout].c.key1 = cv;
			(*out)[*nout].c.key2 = 0;
			(*out)[*nout].c.extra[0] = cv;
			(*nout)++;
		}
	}
	for (uint32_t i = 0; i < m; i++) {
		free(row[i].x);
		free(row[i].c);
	}
	free(row);
	free(cnt);
	free(touched);
}

static void
learn_subst(struct learn *L, struct catalog *c)
{
	uint32_t n = catalog_order(L, c);
	struct scand *sc = NULL;
	struct cand *cd;
	size_t nsc = 0, cap = 0, maxc = 1;

	set_threshold(L);
	if (!L->mstart)
		bsk_index(&L->bk);
	for (uint32_t i = 0, j; i < n; i = j) {
		for (j = i; j < n && c->cat[c->order[j]] == c->cat[c->order[i]]; j++)
			;
		subst_category(L, c, i, j, &sc, &nsc, &cap);
	}
	if (nsc)
		qsort(sc, nsc, sizeof *sc, cmp_scand);
	for (size_t i = 0, j; i < nsc; i = j) {
		for (j = i; j < nsc && sc[j].subj == sc[i].subj; j++)
			;
		if (j - i > maxc)
			maxc = j - i;
	}
	cd = xreallocarray(NULL, maxc, sizeof *cd);
	open_output(L);
	for (size_t i = 0, j; i < nsc; i = j) {
		size_t nc = 0;

		for (j = i; j < nsc && sc[j].subj == sc[i].subj; j++)
			cd[nc++] = sc[j].c;
		set_subject(L, &sc[i].subj, 1);
		emit_subject(L, L->icnt[sc[i].subj], cd, nc);
	}
	close_output(L);
	free(cd);
	free(sc);
}

/* ---- main ---- */

static void
report(const struct learn *L)
{
	const struct opts *o = L->o;
	struct rusage ru;

	if (L->rejected > 1)
		warnx("%" PRIu64 " rows without %s or product_id skipped",
		    L->rejected, o->basket == B_CUSTOMER ? "customer_id" :
		    "order_id");
	if (L->guests)
		note("%" PRIu64 " rows without customer_id skipped", L->guests);
	if (L->st.big)
		note("%" PRIu64 " baskets of more than --max-basket %" PRIu32
		    " items skipped", L->st.big, o->max_basket);
	if (!xs_verbose)
		return;
	if (o->mode == M_MERGE) {
		note("%" PRIu64 " count rows read, %" PRIu32 " items", L->rows,
		    L->nitems);
	} else {
		note("%" PRIu64 " lines read, %" PRIu64 " baskets (%" PRIu64
		    " empty after netting returns), %" PRIu32 " items",
		    L->rows, L->st.kept, L->st.empty, L->nitems);
		if (L->st.runs > L->st.kept + L->st.empty + L->st.big +
		    L->st.weightless)
			note("%" PRIu64 " runs of lines: the lines of some "
			    "baskets were apart", L->st.runs);
		if (L->st.weightless)
			note("%" PRIu64 " baskets weigh nothing at --half-life %g",
			    L->st.weightless, o->half_life);
	}
	if (o->mode == M_COUNTS)
		note("%" PRIu64 " count rows written", L->written);
	else if (o->type != T_CROSS)
		note("%" PRIu64 " %s rules written for %" PRIu64 " subjects",
		    L->written, type_words[o->type], L->subjects);
	else if (L->pairs)
		note("%" PRIu64 " distinct %s counted, %" PRIu64 " at the "
		    "threshold; %" PRIu64 " rules written for %" PRIu64
		    " subjects", L->pairs, o->max_items == 2 ? "pairs" :
		    "itemsets", L->frequent, L->written, L->subjects);
	else
		note("%" PRIu64 " itemsets at the threshold; %" PRIu64 " rules "
		    "written for %" PRIu64 " subjects", L->frequent, L->written,
		    L->subjects);
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		note("peak memory %.1f MB", ru.ru_maxrss / 1024.0);
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct learn L;
	struct catalog cat;
	int status;

	xs_init(argv[0]);
	parse_opts(&o, argc, argv);
	/* The uplift learner reads events, not orders, and has options of
	 * its own: it parses the line again. */
	if (o.uplift)
		return uplift_learn_main(argc, argv);
	learn_init(&L, &o);
	if (o.type != T_CROSS && o.mode != M_COUNTS)
		load_catalog(&L, &cat, o.catalog);
	if (o.mode == M_MERGE) {
		merge_counts(&L, &cat, argc - optind, argv + optind);
		if (o.type != T_CROSS)
			catalog_free(&cat);
	} else {
		read_orders(&L, argc - optind, argv + optind);
		if (o.mode == M_COUNTS)
			write_counts(&L);
		else if (o.type == T_CROSS)
			learn_rules(&L);
		else if (o.type == T_UPSELL)
			learn_upsell(&L, &cat);
		else
			learn_subst(&L, &cat);
		if (o.type != T_CROSS && o.mode != M_COUNTS)
			catalog_free(&cat);
	}
	report(&L);
	status = L.rejected ? XS_DATA : XS_OK;
	learn_free(&L);
	return xs_finish(status);
}
