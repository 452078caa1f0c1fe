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
#include <sys/stat.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit-experiment.h"
#include "audit-internal.h"
#include "experiment.h"
#include "intern.h"
#include "offerperf.h"
#include "qini.h"
#include "report.h"
#include "stats.h"
#include "trend.h"
#include "xsell.h"
#include "buf.h"
#include "num.h"
#include "rec.h"
#include "writer.h"
#include "out.h"
#include "progress.h"
#include "xsum.h"

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

#define CONF 0.95

static struct audit_opts opt = {
	.max_links = 20, .max_age = NAN, .min_acceptance = NAN,
	.holdout = NAN, .fail_on = SEV_NONE, .score = "score",
	.control = "control", .alpha = 0.05, .horizon = NAN, .baseline = NAN,
	.mde = NAN, .traffic = NAN, .power = NAN,
};

/* The state the modes share (lib/audit-internal.h). */
static struct audit audit;

/* ---- audit checks over the links ---- */

/*
 * The relations audit checks links as their ids come (rq_flush): a
 * link's own checks at once, a subject's when its run of rows ends, the
 * links still in the cache. Where each subject's rows are together (as
 * files usually are) that is all; where a subject comes back after
 * another, its checks so far are dropped and made again over all links
 * by subject (run_checks), as then they must be.
 */
static struct {
	int scattered;		/* a subject came back after another */
	size_t run0;		/* the current subject's first link */
	unsigned char *seen;	/* subject id -> its run has ended */
	size_t seen_cap;
	uint32_t *o;		/* a run's links, sorted */
	size_t o_cap;
	struct bundle {
		uint32_t s, l, link;
	} *bund;		/* the bundles (not to self), in input order */
	size_t nbund, bund_cap;
} la;

/* The stale check a link to the item fails, or -1. */
static int
stale_check(const struct item *L)
{
	if (!L->cat_line)
		return C_STALE_UNKNOWN;
	if (L->status == ST_DISCONTINUED)
		return C_STALE_DISCONTINUED;
	if (L->status != ST_ACTIVE)
		return C_STALE_INACTIVE;
	if (L->out_of_stock)
		return C_STALE_OUT_OF_STOCK;
	return -1;
}

/*
 * What the checks of a link ask of its items, packed so that a million
 * look-ups stay in the cache: the stale check a link to the item fails
 * (-1: none), and its price if it is in the catalog (NaN: not compared).
 * Made once the catalog is in; an id first seen in the relations is in
 * no catalog.
 */
static signed char *stale;
static double *cat_price;
static uint32_t ncat_view;

void
catalog_view(struct audit *a)
{
	ncat_view = a->items.n;
	stale = xreallocarray(NULL, a->items.n + 1, sizeof *stale);
	cat_price = xreallocarray(NULL, a->items.n + 1, sizeof *cat_price);
	for (uint32_t id = 0; id < a->items.n; id++) {
		stale[id] = (signed char)stale_check(&a->item[id]);
		cat_price[id] = a->item[id].cat_line ? a->item[id].price : NAN;
	}
}

static int
stale_of(uint32_t id)
{
	return id < ncat_view ? stale[id] : C_STALE_UNKNOWN;
}

static double
cat_price_of(uint32_t id)
{
	return id < ncat_view ? cat_price[id] : NAN;
}

/* (the pair kept with the link: the links are far apart, and read
 * again they would miss the cache) */
static void
bundle_add(uint32_t i)
{
	struct bundle *b;

	if (la.nbund == la.bund_cap) {
		la.bund_cap = la.bund_cap ? 2 * la.bund_cap : 1024;
		la.bund = xreallocarray(la.bund, la.bund_cap, sizeof *la.bund);
	}
	b = &la.bund[la.nbund++];
	b->s = audit.links[i].subj;
	b->l = audit.links[i].linked;
	b->link = i;
}

/* The checks of link i alone: self, stale, upsell price; bundles are
 * put aside for their reverses. In input order, so their findings are
 * in the order they sort in. */
static void
link_checks(uint32_t i)
{
	const struct link *k = &audit.links[i];
	int c;

	if (k->subj == k->linked) {
		link_note(&audit.fs, C_SELF_LINK, i);
		return;
	}
	if (audit.have_catalog) {
		if ((c = stale_of(k->linked)) >= 0)
			link_note(&audit.fs, c, i);
		/* false where either price is NaN */
		if (k->type == T_UPSELL &&
		    cat_price_of(k->linked) <= cat_price_of(k->subj))
			link_note(&audit.fs, C_UPSELL_NOT_PRICIER, i);
	}
	if (k->type == T_BUNDLE)
		bundle_add(i);
}

/* One (subject, linked) run of sorted links: duplicates and types. */
static void
check_pair(const uint32_t *o, size_t n)
{
	const struct link *k0 = &audit.links[o[0]];
	char w[300];
	struct buf types;
	size_t first = 0;

	for (size_t i = 1; i < n; i++) {
		const struct link *k = &audit.links[o[i]];

		if (k->type != audit.links[o[i - 1]].type) {
			first = i;
			continue;
		}
		link_finding(&audit, C_DUPLICATE_LINK, o[i], k->subj, k->linked,
		    link_seq(k))->val = o[first];
	}
	if (k0->type == audit.links[o[n - 1]].type)
		return;
	buf_init(&types);
	for (size_t i = 0; i < n; i++) {
		const struct link *k = &audit.links[o[i]];

		if (i && k->type == audit.links[o[i - 1]].type)
			continue;
		buf_printf(&types, "%s%s (%s)", types.len ? ", " : "",
		    k->type == T_OTHER ? "other" : type_words[k->type],
		    link_where(&audit, k, w, sizeof w));
	}
	finding(&audit.fs, C_CONFLICTING_TYPES, k0->subj, k0->linked, link_seq(k0),
	    "types %s", buf_str(&types));
	buf_free(&types);
}

/* One subject's links, sorted: counts distinct linked ids, runs the
 * pair checks. */
static void
check_subject(const uint32_t *o, size_t n)
{
	const struct link *k0 = &audit.links[o[0]];
	uint32_t distinct = 0, s = k0->subj;
	size_t i, j;

	for (i = 0; i < n; i = j) {
		uint32_t l = audit.links[o[i]].linked;

		for (j = i + 1; j < n && audit.links[o[j]].linked == l; j++)
			;
		if (j - i > 1)
			check_pair(&o[i], j - i);
		if (l != s)
			distinct++;
	}
	audit.item[s].nlinks = distinct;
	if (distinct > opt.max_links)
		finding_add(&audit.fs, C_OVER_LINKED, s, INTERN_NONE,
		    -(double)distinct)->arg = distinct;
	if (audit.have_catalog && !audit.item[s].cat_line)
		link_finding(&audit, C_UNKNOWN_SUBJECT, o[0], s, INTERN_NONE,
		    link_seq(k0))->val = (int64_t)n;
}

/* Do two of the (up to 32) links a..b go to the same id? A small table
 * of the linked ids tells, where a sort would: most runs have no pair. */
static int
run_repeats(size_t a, size_t b)
{
	uint32_t tab[64];

	memset(tab, 0xff, sizeof tab);	/* UINT32_MAX, no id: empty */
	for (size_t i = a; i < b; i++) {
		uint32_t l = audit.links[i].linked, h = (l * 0x9e3779b1u) >> 26;

		for (; tab[h] != UINT32_MAX; h = (h + 1) & 63)
			if (tab[h] == l)
				return 1;
		tab[h] = l;
	}
	return 0;
}

/*
 * The checks of a subject whose links a..b all go to different ids, as
 * check_subject makes them without sorting: no pair to check, each link
 * a distinct id but a self link, and the first in order the one to the
 * smallest id.
 */
static void
run_plain(size_t a, size_t b)
{
	uint32_t s = audit.links[a].subj, distinct = 0;
	size_t first = a;

	for (size_t i = a; i < b; i++) {
		distinct += audit.links[i].linked != s;
		if (audit.links[i].linked < audit.links[first].linked)
			first = i;
	}
	audit.item[s].nlinks = distinct;
	if (distinct > opt.max_links)
		finding_add(&audit.fs, C_OVER_LINKED, s, INTERN_NONE,
		    -(double)distinct)->arg = distinct;
	if (audit.have_catalog && !audit.item[s].cat_line)
		link_finding(&audit, C_UNKNOWN_SUBJECT, first, s, INTERN_NONE,
		    link_seq(&audit.links[first]))->val = (int64_t)(b - a);
}

/* The run of links a..b of one subject has ended: its checks, unless
 * the subject had a run before. */
static void
run_done(size_t a, size_t b)
{
	uint32_t s = audit.links[a].subj;

	if (la.scattered)
		return;
	if (s >= la.seen_cap) {
		size_t n = la.seen_cap ? 2 * la.seen_cap : 4096;

		while (n <= s)
			n *= 2;
		la.seen = xrealloc(la.seen, n);
		memset(la.seen + la.seen_cap, 0, n - la.seen_cap);
		la.seen_cap = n;
	}
	if (la.seen[s]) {
		la.scattered = 1;
		return;
	}
	la.seen[s] = 1;
	if (b - a <= 32 && !run_repeats(a, b)) {
		run_plain(a, b);
		return;
	}
	if (b - a > la.o_cap) {
		la.o_cap = b - a;
		la.o = xreallocarray(la.o, la.o_cap, sizeof *la.o);
	}
	for (size_t i = a; i < b; i++)
		la.o[i - a] = (uint32_t)i;
	run_sort(&audit, la.o, b - a);
	check_subject(la.o, b - a);
}

/* Links from to to have their ids: their checks, and those of the
 * subjects whose runs end among them. */
void
links_taken(struct audit *a, size_t from, size_t to)
{
	/* an upsell compares its linked item's price: asked first */
	for (size_t i = from; a->have_catalog && i < to; i++)
		if (a->links[i].type == T_UPSELL && a->links[i].linked < ncat_view)
			__builtin_prefetch(&cat_price[a->links[i].linked]);
	for (size_t i = from; i < to; i++) {
		link_checks((uint32_t)i);
		if (a->links[i].subj != a->links[la.run0].subj) {
			run_done(la.run0, i);
			la.run0 = i;
		}
	}
}

/* The relations are in: the last run's checks. */
void
links_end(struct audit *a)
{
	if (a->nlinks)
		run_done(la.run0, a->nlinks);
}

/* A subject came back: the checks of subjects made again, by subject. */
static void
subjects_again(void)
{
	static const int per_subject[] = {
		C_DUPLICATE_LINK, C_CONFLICTING_TYPES, C_OVER_LINKED,
		C_UNKNOWN_SUBJECT
	};

	for (size_t k = 0; k < sizeof per_subject / sizeof *per_subject; k++) {
		audit.fs.fnd[per_subject[k]].n = 0;
		audit.fs.fnd[per_subject[k]].unsorted = 0;
		audit.fs.ncheck[per_subject[k]] = 0;
	}
	links_index(&audit);
	for (uint32_t s = 0; s < audit.nsfirst; s++)
		if (audit.sfirst[s] < audit.sfirst[s + 1])
			check_subject(&audit.ord[audit.sfirst[s]],
			    audit.sfirst[s + 1] - audit.sfirst[s]);
}

/*
 * A bundle from s to l wants one from l to s. The pairs of all bundles
 * go into a set (open addressing, a pair a word); then each bundle, in
 * input order, asks for its reverse, some bundles ahead prefetched.
 */
static uint64_t
pair_key(uint32_t s, uint32_t l)
{
	return (uint64_t)s << 32 | l;
}

static size_t
pair_slot(uint64_t key, int bits)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> (64 - bits));
}

static void
bundles_one_way(void)
{
	uint64_t *set, key;
	size_t mask, j, ahead = 16;
	int bits = 10;

	if (la.nbund == 0)
		return;
	while (((size_t)1 << bits) < 2 * la.nbund)
		bits++;
	mask = ((size_t)1 << bits) - 1;
	set = xreallocarray(NULL, mask + 1, sizeof *set);
	memset(set, 0xff, (mask + 1) * sizeof *set);	/* UINT64_MAX: empty */
	for (size_t i = 0; i < la.nbund; i++) {
		const struct bundle *b = &la.bund[i];

		if (i + ahead < la.nbund)
			__builtin_prefetch(&set[pair_slot(pair_key(b[ahead].s,
			    b[ahead].l), bits)]);
		key = pair_key(b->s, b->l);
		for (j = pair_slot(key, bits); set[j] != UINT64_MAX && set[j] != key;
		    j = (j + 1) & mask)
			;
		set[j] = key;
	}
	for (size_t i = 0; i < la.nbund; i++) {
		const struct bundle *b = &la.bund[i];

		if (i + ahead < la.nbund)
			__builtin_prefetch(&set[pair_slot(pair_key(b[ahead].l,
			    b[ahead].s), bits)]);
		key = pair_key(b->l, b->s);
		for (j = pair_slot(key, bits); set[j] != UINT64_MAX && set[j] != key;
		    j = (j + 1) & mask)
			;
		if (set[j] == UINT64_MAX)
			link_note(&audit.fs, C_ONE_WAY_BUNDLE, b->link);
	}
	free(set);
}

static int
by_revenue_desc(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	int c;

	if (audit.item[a].revenue != audit.item[b].revenue)
		return audit.item[a].revenue > audit.item[b].revenue ? -1 : 1;
	c = strcmp(intern_str(&audit.items, a), intern_str(&audit.items, b));
	return c;
}

/* Active catalog products with no links: the expensive gaps first. */
static void
check_empty(void)
{
	uint32_t *ids = xreallocarray(NULL, audit.items.n + 1, sizeof *ids), n = 0;

	for (uint32_t id = 0; id < audit.items.n; id++)
		if (audit.item[id].cat_line && audit.item[id].status == ST_ACTIVE &&
		    audit.item[id].nlinks == 0)
			ids[n++] = id;
	qsort(ids, n, sizeof *ids, by_revenue_desc);
	for (uint32_t i = 0; i < n; i++)
		finding_add(&audit.fs, C_EMPTY_SUBJECT, ids[i], INTERN_NONE, i);
	free(ids);
}

/* What the relations' loading left: subjects again where they came
 * back, the bundles' reverses, the empty products. */
static void
run_checks(void)
{
	if (audit.have_catalog) {
		audit.fs.ran[C_STALE_UNKNOWN] = audit.fs.ran[C_STALE_DISCONTINUED] = 1;
		audit.fs.ran[C_STALE_INACTIVE] = audit.fs.ran[C_STALE_OUT_OF_STOCK] = 1;
		audit.fs.ran[C_UNKNOWN_SUBJECT] = audit.fs.ran[C_UPSELL_NOT_PRICIER] = 1;
		audit.fs.ran[C_EMPTY_SUBJECT] = 1;
	}
	if (la.scattered)
		subjects_again();
	bundles_one_way();
	free(stale);
	free(cat_price);
	free(la.seen);
	free(la.o);
	free(la.bund);
	if (audit.have_catalog)
		check_empty();
}

/* ---- audit summary ---- */

static int
by_u32(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	return a < b ? -1 : a > b;
}

/* Ascending; counted out where the values are small (links per
 * subject mostly are), else qsort. */
static void
sort_u32(uint32_t *v, uint32_t n)
{
	uint32_t max = 0, *count;
	size_t k = 0;

	for (uint32_t i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	if (max > 4 * (uint64_t)n + 1024) {
		qsort(v, n, sizeof *v, by_u32);
		return;
	}
	count = xcalloc((size_t)max + 1, sizeof *count);
	for (uint32_t i = 0; i < n; i++)
		count[v[i]]++;
	for (uint64_t x = 0; x <= max; x++)
		for (uint32_t c = count[x]; c; c--)
			v[k++] = (uint32_t)x;
	free(count);
}

/* Coverage, links per subject, counts per check. */
static void
audit_summary(void)
{
	uint32_t *per = xreallocarray(NULL, audit.items.n + 1, sizeof *per), n = 0;
	size_t active = 0, covered = 0;
	double cov_rev = 0, sum = 0;
	char a[32], b[32];
	static const uint32_t edge[] = { 1, 2, 4, 6, 11, 21, UINT32_MAX };
	static const char *const bucket[] = {
		"1", "2-3", "4-5", "6-10", "11-20", "21+"
	};
	struct rchart ch;

	for (uint32_t id = 0; id < audit.items.n; id++) {
		if (audit.item[id].nlinks)
			per[n++] = audit.item[id].nlinks;
		if (audit.item[id].cat_line && audit.item[id].status == ST_ACTIVE) {
			active++;
			if (audit.item[id].nlinks) {
				covered++;
				cov_rev += audit.item[id].revenue;
			}
		}
	}
	sort_u32(per, n);
	for (uint32_t i = 0; i < n; i++)
		sum += per[i];
	if (audit.have_catalog) {
		rchart_init(&ch, CHART_BARS, "Catalog coverage (% of active products, "
		    "% of order revenue)");
		rchart_bar(&ch, "products with links", active ? 100.0 * covered / active : 0);
		if (audit.have_orders)
			rchart_bar(&ch, "revenue they carry", audit.total_revenue > 0 ?
			    100 * cov_rev / audit.total_revenue : 0);
		if (audit.have_orders)
			show_para(&audit, "coverage: %zu of %zu active products have links (%s); "
			    "they carry %s of order revenue (%.2f of %.2f)", covered, active,
			    fmt_pct(active ? (double)covered / active : NAN, a, sizeof a),
			    fmt_pct(audit.total_revenue > 0 ? cov_rev / audit.total_revenue : NAN,
			    b, sizeof b), cov_rev, audit.total_revenue);
		else
			show_para(&audit, "coverage: %zu of %zu active products have links (%s)",
			    covered, active, fmt_pct(active ? (double)covered / active :
			    NAN, a, sizeof a));
		show_chart(&audit, &ch);
	}
	if (n)
		show_para(&audit, "links per subject: %u subjects, min %u, median %u, "
		    "90th percentile %u, max %u, mean %s", n, per[0], per[(n - 1) / 2],
		    per[(uint32_t)ceil(0.9 * n) - 1], per[n - 1],
		    fmt_num(sum / n, 3, a, sizeof a));
	else
		show_para(&audit, "links per subject: no subjects with links");
	rchart_init(&ch, CHART_BARS, "Subjects by number of linked products");
	if (audit.have_catalog)
		rchart_bar(&ch, "0 (active, no links)", (double)(active - covered));
	for (int k = 0; k < 6; k++) {
		uint32_t cnt = 0;
		for (uint32_t i = 0; i < n; i++)
			cnt += per[i] >= edge[k] && per[i] < edge[k + 1];
		rchart_bar(&ch, bucket[k], cnt);
	}
	show_chart(&audit, &ch);
	show_check_counts(&audit);
	if (!audit.as_report) {
		struct buf b2;

		buf_init(&b2);
		for (int k = 0; k < NCHECK; k++)
			if (audit.fs.ncheck[k])
				buf_printf(&b2, "%s%s %zu", b2.len ? ", " : "",
				    checks[k].name, audit.fs.ncheck[k]);
		note("findings: %s", b2.len ? buf_str(&b2) : "none");
		buf_free(&b2);
	}
	free(per);
}

static void
run_audit(void)
{
	if (opt.catalog)
		audit_load_catalog(&audit, opt.catalog);
	if (opt.orders)
		audit_load_orders(&audit, opt.orders);
	audit_load_relations(&audit, opt.nrel, opt.rel, 1);
	run_checks();
	if (audit.html)
		html_begin(audit.html, "xsell-audit: relations");
	show_heading(&audit, "Relations audit");
	if (audit.as_report || audit.html) {
		show_verdict(&audit);
		rlabels_load(&audit.labels, opt.catalog);
	}
	audit_summary();
	write_findings(&audit);
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
