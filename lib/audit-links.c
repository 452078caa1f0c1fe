/*
 * audit-links.c: the relations audit (xsell-audit without --events): the
 * checks of the links as the relations are read (links_taken), those
 * left when they are in (bundles, subjects come back, empty products),
 * and the summary: coverage, links per subject, counts per check.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audit-internal.h"
#include "buf.h"
#include "intern.h"
#include "report.h"

/*
 * The relations audit checks links as their ids come (rq_flush): a
 * link's own checks at once, a subject's when its run of rows ends, the
 * links still in the cache. Where each subject's rows are together (as
 * files usually are) that is all; where a subject comes back after
 * another, its checks so far are dropped and made again over all links
 * by subject (run_checks), as then they must be.
 */
struct linkcheck {
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
	/*
	 * What the checks of a link ask of its items, packed so that a
	 * million look-ups stay in the cache: the stale check a link to the
	 * item fails (-1: none), and its price if it is in the catalog (NaN:
	 * not compared). Made once the catalog is in; an id first seen in
	 * the relations is in no catalog.
	 */
	signed char *stale;
	double *cat_price;
	uint32_t ncat_view;
};

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

static void
catalog_view(struct audit *a, struct linkcheck *lc)
{
	lc->ncat_view = a->items.n;
	lc->stale = xreallocarray(NULL, a->items.n + 1, sizeof *lc->stale);
	lc->cat_price = xreallocarray(NULL, a->items.n + 1, sizeof *lc->cat_price);
	for (uint32_t id = 0; id < a->items.n; id++) {
		lc->stale[id] = (signed char)stale_check(&a->item[id]);
		lc->cat_price[id] = a->item[id].cat_line ? a->item[id].price : NAN;
	}
}

void
links_begin(struct audit *a)
{
	a->lc = xcalloc(1, sizeof *a->lc);
	if (a->have_catalog)
		catalog_view(a, a->lc);
}

static int
stale_of(const struct linkcheck *lc, uint32_t id)
{
	return id < lc->ncat_view ? lc->stale[id] : C_STALE_UNKNOWN;
}

static double
cat_price_of(const struct linkcheck *lc, uint32_t id)
{
	return id < lc->ncat_view ? lc->cat_price[id] : NAN;
}

/* (the pair kept with the link: the links are far apart, and read
 * again they would miss the cache) */
static void
bundle_add(struct audit *a, struct linkcheck *lc, uint32_t i)
{
	struct bundle *b;

	if (lc->nbund == lc->bund_cap) {
		lc->bund_cap = lc->bund_cap ? 2 * lc->bund_cap : 1024;
		lc->bund = xreallocarray(lc->bund, lc->bund_cap, sizeof *lc->bund);
	}
	b = &lc->bund[lc->nbund++];
	b->s = a->links[i].subj;
	b->l = a->links[i].linked;
	b->link = i;
}

/* The checks of link i alone: self, stale, upsell price; bundles are
 * put aside for their reverses. In input order, so their findings are
 * in the order they sort in. */
static void
link_checks(struct audit *a, struct linkcheck *lc, uint32_t i)
{
	const struct rel_row *k = &a->links[i];
	int c;

	if (k->subj == k->linked) {
		link_note(&a->fs, C_SELF_LINK, i);
		return;
	}
	if (a->have_catalog) {
		if ((c = stale_of(lc, k->linked)) >= 0)
			link_note(&a->fs, c, i);
		/* false where either price is NaN */
		if (k->type == T_UPSELL &&
		    cat_price_of(lc, k->linked) <= cat_price_of(lc, k->subj))
			link_note(&a->fs, C_UPSELL_NOT_PRICIER, i);
	}
	if (k->type == T_BUNDLE)
		bundle_add(a, lc, i);
}

/* One (subject, linked) run of sorted links: duplicates and types. */
static void
check_pair(struct audit *a, const uint32_t *o, size_t n)
{
	const struct rel_row *k0 = &a->links[o[0]];
	char w[300];
	struct buf types;
	size_t first = 0;

	for (size_t i = 1; i < n; i++) {
		const struct rel_row *k = &a->links[o[i]];

		if (k->type != a->links[o[i - 1]].type) {
			first = i;
			continue;
		}
		link_finding(a, C_DUPLICATE_LINK, o[i], k->subj, k->linked,
		    link_seq(k))->val = o[first];
	}
	if (k0->type == a->links[o[n - 1]].type)
		return;
	buf_init(&types);
	for (size_t i = 0; i < n; i++) {
		const struct rel_row *k = &a->links[o[i]];

		if (i && k->type == a->links[o[i - 1]].type)
			continue;
		buf_printf(&types, "%s%s (%s)", types.len ? ", " : "",
		    k->type == T_OTHER ? "other" : type_words[k->type],
		    link_where(a, k, w, sizeof w));
	}
	finding(&a->fs, C_CONFLICTING_TYPES, k0->subj, k0->linked, link_seq(k0),
	    "types %s", buf_str(&types));
	buf_free(&types);
}

/* A subject's count of distinct linked ids: over --max-links, and in
 * no catalog (first: the link the finding names). */
static void
subject_counted(struct audit *a, uint32_t s, uint32_t distinct, size_t first,
    size_t n)
{
	a->item[s].nlinks = distinct;
	if (distinct > a->opt->max_links)
		finding_add(&a->fs, C_OVER_LINKED, s, INTERN_NONE,
		    -(double)distinct)->arg = distinct;
	if (a->have_catalog && !a->item[s].cat_line)
		link_finding(a, C_UNKNOWN_SUBJECT, first, s, INTERN_NONE,
		    link_seq(&a->links[first]))->val = (int64_t)n;
}

/* One subject's links, sorted: counts distinct linked ids, runs the
 * pair checks. */
static void
check_subject(struct audit *a, const uint32_t *o, size_t n)
{
	uint32_t distinct = 0, s = a->links[o[0]].subj;
	size_t i, j;

	for (i = 0; i < n; i = j) {
		uint32_t l = a->links[o[i]].linked;

		for (j = i + 1; j < n && a->links[o[j]].linked == l; j++)
			;
		if (j - i > 1)
			check_pair(a, &o[i], j - i);
		if (l != s)
			distinct++;
	}
	subject_counted(a, s, distinct, o[0], n);
}

/* Do two of the (up to 32) links from .. to go to the same id? A small
 * table of the linked ids tells, where a sort would: most runs have no
 * pair. */
static int
run_repeats(const struct audit *a, size_t from, size_t to)
{
	uint32_t tab[64];

	memset(tab, 0xff, sizeof tab);	/* UINT32_MAX, no id: empty */
	for (size_t i = from; i < to; i++) {
		uint32_t l = a->links[i].linked, h = (l * 0x9e3779b1u) >> 26;

		for (; tab[h] != UINT32_MAX; h = (h + 1) & 63)
			if (tab[h] == l)
				return 1;
		tab[h] = l;
	}
	return 0;
}

/*
 * The checks of a subject whose links from .. to all go to different
 * ids, as check_subject makes them without sorting: no pair to check,
 * each link a distinct id but a self link, and the first in order the
 * one to the smallest id.
 */
static void
run_plain(struct audit *a, size_t from, size_t to)
{
	uint32_t s = a->links[from].subj, distinct = 0;
	size_t first = from;

	for (size_t i = from; i < to; i++) {
		distinct += a->links[i].linked != s;
		if (a->links[i].linked < a->links[first].linked)
			first = i;
	}
	subject_counted(a, s, distinct, first, to - from);
}

/* The run of links from .. to of one subject has ended: its checks,
 * unless the subject had a run before. */
static void
run_done(struct audit *a, struct linkcheck *lc, size_t from, size_t to)
{
	uint32_t s = a->links[from].subj;

	if (lc->scattered)
		return;
	if (s >= lc->seen_cap) {
		size_t n = lc->seen_cap ? 2 * lc->seen_cap : 4096;

		while (n <= s)
			n *= 2;
		lc->seen = xrealloc(lc->seen, n);
		memset(lc->seen + lc->seen_cap, 0, n - lc->seen_cap);
		lc->seen_cap = n;
	}
	if (lc->seen[s]) {
		lc->scattered = 1;
		return;
	}
	lc->seen[s] = 1;
	if (to - from <= 32 && !run_repeats(a, from, to)) {
		run_plain(a, from, to);
		return;
	}
	if (to - from > lc->o_cap) {
		lc->o_cap = to - from;
		lc->o = xreallocarray(lc->o, lc->o_cap, sizeof *lc->o);
	}
	for (size_t i = from; i < to; i++)
		lc->o[i - from] = (uint32_t)i;
	relations_rows_sort(&a->rel, lc->o, to - from);
	check_subject(a, lc->o, to - from);
}

/* Links from to to have their ids: their checks, and those of the
 * subjects whose runs end among them. */
void
links_taken(struct audit *a, size_t from, size_t to)
{
	struct linkcheck *lc = a->lc;

	/* an upsell compares its linked item's price: asked first */
	for (size_t i = from; a->have_catalog && i < to; i++)
		if (a->links[i].type == T_UPSELL && a->links[i].linked < lc->ncat_view)
			__builtin_prefetch(&lc->cat_price[a->links[i].linked]);
	for (size_t i = from; i < to; i++) {
		link_checks(a, lc, (uint32_t)i);
		if (a->links[i].subj != a->links[lc->run0].subj) {
			run_done(a, lc, lc->run0, i);
			lc->run0 = i;
		}
	}
}

/* The relations are in: the last run's checks. */
void
links_end(struct audit *a)
{
	if (a->nlinks)
		run_done(a, a->lc, a->lc->run0, a->nlinks);
}

/* A subject came back: the checks of subjects made again, by subject. */
static void
subjects_again(struct audit *a)
{
	static const int per_subject[] = {
		C_DUPLICATE_LINK, C_CONFLICTING_TYPES, C_OVER_LINKED,
		C_UNKNOWN_SUBJECT
	};

	for (size_t k = 0; k < sizeof per_subject / sizeof *per_subject; k++) {
		a->fs.fnd[per_subject[k]].n = 0;
		a->fs.fnd[per_subject[k]].unsorted = 0;
		a->fs.ncheck[per_subject[k]] = 0;
	}
	links_index(a);
	for (uint32_t s = 0; s < a->nsfirst; s++)
		if (a->sfirst[s] < a->sfirst[s + 1])
			check_subject(a, &a->ord[a->sfirst[s]],
			    a->sfirst[s + 1] - a->sfirst[s]);
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
bundles_one_way(struct audit *a, const struct linkcheck *lc)
{
	uint64_t *set, key;
	size_t mask, j, ahead = 16;
	int bits = 10;

	if (lc->nbund == 0)
		return;
	while (((size_t)1 << bits) < 2 * lc->nbund)
		bits++;
	mask = ((size_t)1 << bits) - 1;
	set = xreallocarray(NULL, mask + 1, sizeof *set);
	memset(set, 0xff, (mask + 1) * sizeof *set);	/* UINT64_MAX: empty */
	for (size_t i = 0; i < lc->nbund; i++) {
		const struct bundle *b = &lc->bund[i];

		if (i + ahead < lc->nbund)
			__builtin_prefetch(&set[pair_slot(pair_key(b[ahead].s,
			    b[ahead].l), bits)]);
		key = pair_key(b->s, b->l);
		for (j = pair_slot(key, bits); set[j] != UINT64_MAX && set[j] != key;
		    j = (j + 1) & mask)
			;
		set[j] = key;
	}
	for (size_t i = 0; i < lc->nbund; i++) {
		const struct bundle *b = &lc->bund[i];

		if (i + ahead < lc->nbund)
			__builtin_prefetch(&set[pair_slot(pair_key(b[ahead].l,
			    b[ahead].s), bits)]);
		key = pair_key(b->l, b->s);
		for (j = pair_slot(key, bits); set[j] != UINT64_MAX && set[j] != key;
		    j = (j + 1) & mask)
			;
		if (set[j] == UINT64_MAX)
			link_note(&a->fs, C_ONE_WAY_BUNDLE, b->link);
	}
	free(set);
}

/* The audit by_revenue_desc sorts ids of (qsort has no argument for it). */
static const struct audit *sort_audit;

static int
by_revenue_desc(const void *pa, const void *pb)
{
	uint32_t x = *(const uint32_t *)pa, y = *(const uint32_t *)pb;
	const struct audit *a = sort_audit;

	if (a->item[x].revenue != a->item[y].revenue)
		return a->item[x].revenue > a->item[y].revenue ? -1 : 1;
	return strcmp(intern_str(&a->items, x), intern_str(&a->items, y));
}

/* Active catalog products with no links: the expensive gaps first. */
static void
check_empty(struct audit *a)
{
	uint32_t *ids = xreallocarray(NULL, a->items.n + 1, sizeof *ids), n = 0;

	for (uint32_t id = 0; id < a->items.n; id++)
		if (a->item[id].cat_line && a->item[id].status == ST_ACTIVE &&
		    a->item[id].nlinks == 0)
			ids[n++] = id;
	sort_audit = a;
	qsort(ids, n, sizeof *ids, by_revenue_desc);
	for (uint32_t i = 0; i < n; i++)
		finding_add(&a->fs, C_EMPTY_SUBJECT, ids[i], INTERN_NONE, i);
	free(ids);
}

/* What the relations' loading left: subjects again where they came
 * back, the bundles' reverses, the empty products. */
static void
run_checks(struct audit *a)
{
	struct linkcheck *lc = a->lc;
	unsigned char *ran = a->fs.ran;

	if (a->have_catalog) {
		ran[C_STALE_UNKNOWN] = ran[C_STALE_DISCONTINUED] = 1;
		ran[C_STALE_INACTIVE] = ran[C_STALE_OUT_OF_STOCK] = 1;
		ran[C_UNKNOWN_SUBJECT] = ran[C_UPSELL_NOT_PRICIER] = 1;
		ran[C_EMPTY_SUBJECT] = 1;
	}
	if (lc->scattered)
		subjects_again(a);
	bundles_one_way(a, lc);
	free(lc->stale);
	free(lc->cat_price);
	free(lc->seen);
	free(lc->o);
	free(lc->bund);
	free(lc);
	a->lc = NULL;
	if (a->have_catalog)
		check_empty(a);
}

/* ---- the summary ---- */

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

/* Active products, those with links, and the order revenue they carry. */
static void
coverage(struct audit *a, size_t active, size_t covered, double cov_rev)
{
	char p1[32], p2[32];
	struct rchart ch;

	rchart_init(&ch, CHART_BARS, "Catalog coverage (% of active products, "
	    "% of order revenue)");
	rchart_bar(&ch, "products with links", active ? 100.0 * covered / active : 0);
	if (a->have_orders)
		rchart_bar(&ch, "revenue they carry", a->total_revenue > 0 ?
		    100 * cov_rev / a->total_revenue : 0);
	if (a->have_orders)
		show_para(a, "coverage: %zu of %zu active products have links (%s); "
		    "they carry %s of order revenue (%.2f of %.2f)", covered, active,
		    fmt_pct(active ? (double)covered / active : NAN, p1, sizeof p1),
		    fmt_pct(a->total_revenue > 0 ? cov_rev / a->total_revenue : NAN,
		    p2, sizeof p2), cov_rev, a->total_revenue);
	else
		show_para(a, "coverage: %zu of %zu active products have links (%s)",
		    covered, active, fmt_pct(active ? (double)covered / active :
		    NAN, p1, sizeof p1));
	show_chart(a, &ch);
}

/* Coverage, links per subject, counts per check. */
static void
audit_summary(struct audit *a)
{
	uint32_t *per = xreallocarray(NULL, a->items.n + 1, sizeof *per), n = 0;
	size_t active = 0, covered = 0;
	double cov_rev = 0, sum = 0;
	char p1[32];
	static const uint32_t edge[] = { 1, 2, 4, 6, 11, 21, UINT32_MAX };
	static const char *const bucket[] = {
		"1", "2-3", "4-5", "6-10", "11-20", "21+"
	};
	struct rchart ch;

	for (uint32_t id = 0; id < a->items.n; id++) {
		if (a->item[id].nlinks)
			per[n++] = a->item[id].nlinks;
		if (a->item[id].cat_line && a->item[id].status == ST_ACTIVE) {
			active++;
			if (a->item[id].nlinks) {
				covered++;
				cov_rev += a->item[id].revenue;
			}
		}
	}
	sort_u32(per, n);
	for (uint32_t i = 0; i < n; i++)
		sum += per[i];
	if (a->have_catalog)
		coverage(a, active, covered, cov_rev);
	if (n)
		show_para(a, "links per subject: %u subjects, min %u, median %u, "
		    "90th percentile %u, max %u, mean %s", n, per[0], per[(n - 1) / 2],
		    per[(uint32_t)ceil(0.9 * n) - 1], per[n - 1],
		    fmt_num(sum / n, 3, p1, sizeof p1));
	else
		show_para(a, "links per subject: no subjects with links");
	rchart_init(&ch, CHART_BARS, "Subjects by number of linked products");
	if (a->have_catalog)
		rchart_bar(&ch, "0 (active, no links)", (double)(active - covered));
	for (int k = 0; k < 6; k++) {
		uint32_t cnt = 0;
		for (uint32_t i = 0; i < n; i++)
			cnt += per[i] >= edge[k] && per[i] < edge[k + 1];
		rchart_bar(&ch, bucket[k], cnt);
	}
	show_chart(a, &ch);
	show_check_counts(a);
	if (!a->as_report) {
		struct buf b;

		buf_init(&b);
		for (int k = 0; k < NCHECK; k++)
			if (a->fs.ncheck[k])
				buf_printf(&b, "%s%s %zu", b.len ? ", " : "",
				    checks[k].name, a->fs.ncheck[k]);
		note("findings: %s", b.len ? buf_str(&b) : "none");
		buf_free(&b);
	}
	free(per);
}

void
audit_links_run(struct audit *a)
{
	const struct audit_opts *opt = a->opt;

	if (opt->catalog)
		audit_load_catalog(a, opt->catalog);
	if (opt->orders)
		audit_load_orders(a, opt->orders);
	audit_load_relations(a, opt->nrel, opt->rel, 1);
	run_checks(a);
	if (a->html)
		html_begin(a->html, "xsell-audit: relations");
	show_heading(a, "Relations audit");
	if (a->as_report || a->html) {
		show_verdict(a);
		rlabels_load(&a->labels, opt->catalog);
	}
	audit_summary(a);
	write_findings(a);
}
