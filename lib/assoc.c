/*
 * assoc.c: association rules from order lines (assoc.h): the state, the
 * items' labels, the thresholds, the rules of one process or of merged
 * counts, written; the summary. Reading the lines is in assoc-read.c,
 * the counts of --counts and their --merge in assoc-counts.c.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "assoc-internal.h"
#include "measures.h"
#include "buf.h"
#include "num.h"
#include "writer.h"
#include "out.h"
#include "intern.h"

/* arules compares confidences with this slack (istree.c, EPSILON). */
#define CONF_EPS 1e-12
/* The default lift floor of cross-sell rules (xsell-learn.c) is strict,
 * with a slack for rounding, so that independence (lift 1, computed as
 * 1 - 1 ulp or 1 + 1 ulp) is out. */
#define LIFT_EPS 1e-12

const char *const assoc_basket_words[] = { "order", "customer", NULL };
const char *const assoc_type_words[] = {
	"cross_sell", "upsell", "substitute", NULL
};

int
assoc_cmp_ids(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static const struct intern *sort_ids;	/* for cmp_by_string */

static int
cmp_by_string(const void *a, const void *b)
{
	const struct intern *in = sort_ids;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	size_t lx = intern_len(in, x), ly = intern_len(in, y);
	int c = memcmp(intern_str(in, x), intern_str(in, y), lx < ly ? lx : ly);

	return c ? c : (lx > ly) - (lx < ly);
}

/* Labels in byte order of the ids, so that every loop over labels writes
 * in a stable, documented order whatever order the input came in. */
void
assoc_label_items(struct assoc *L)
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

struct assoc *
assoc_new(struct assoc_opts *o)
{
	struct assoc *L = xcalloc(1, sizeof *L);

	L->o = o;
	intern_init_wide(&L->items);
	bsk_init(&L->bk);
	bstream_init(&L->bs, o->half_life > 0, o->max_basket);
	buf_init(&L->subj);
	L->unit = o->half_life > 0 ? WUNIT : 1;
	return L;
}

void
assoc_free(struct assoc *L)
{
	intern_free(&L->items);
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
	pairs_free(&L->mpairs);
	isets_free(&L->msets);
	free(L);
}

/* ---- thresholds ---- */

static const char *
fmt_count(const struct assoc *L, uint64_t c, char *buf)
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
void
assoc_set_threshold(struct assoc *L)
{
	const struct assoc_opts *o = L->o;
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

void
assoc_open_output(struct assoc *L)
{
	const char *cols[NBASE + 2 + MS_N];
	int n = 0;

	for (; n < NBASE; n++)
		cols[n] = base_cols[n];
	if (L->o->type == T_UPSELL) {
		cols[n++] = "price_ratio";
		cols[n++] = "margin";
	} else if (L->o->type == T_SUBST) {
		cols[n++] = "row_cosine";
	}
	for (int m = 0; m < MS_N; m++)
		if (L->o->measure[m])
			cols[n++] = ms_name[m];
	L->fp = out_open(L->o->out);
	writer_open(&L->w, L->fp, L->o->json, n, (char *const *)cols);
}

void
assoc_close_output(struct assoc *L)
{
	writer_close(&L->w);
	out_close(L->fp);
}

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

/* A measure: empty when it does not exist (NaN, infinite). */
static void
put_measure(struct writer *w, double v)
{
	if (isfinite(v))
		writer_num(w, v);
	else
		writer_str(w, "", 0);
}

/* A count as fmt_count writes it. */
static void
put_count(struct writer *w, const struct assoc *L, uint64_t c)
{
	if (L->unit == 1)
		writer_u64(w, c);
	else
		writer_num(w, (double)c / L->unit);
}

/* One rule, a column at a time into the writer (writer.h's fast path):
 * the output of a large run is mostly these rows. */
static void
write_rule(struct assoc *L, const struct cand *c, uint64_t sc, int64_t pos)
{
	const char *type = assoc_type_words[L->o->type];
	struct writer *w = &L->w;
	uint32_t head = L->byl[c->head];
	double nxy = (double)c->count / L->unit, nx = (double)sc / L->unit;
	double ny = (double)L->icnt[c->head] / L->unit;
	double n = (double)L->n / L->unit;

	writer_begin(w);
	writer_str(w, buf_str(&L->subj), L->subj.len);
	writer_str(w, intern_str(&L->items, head), intern_len(&L->items, head));
	writer_str(w, type, strlen(type));
	writer_str(w, "learned", 7);
	writer_u64(w, (uint64_t)pos);
	put_count(w, L, c->count);
	put_count(w, L, sc);
	put_count(w, L, L->icnt[c->head]);
	put_count(w, L, L->n);
	put_measure(w, ms_value(MS_SUPPORT, nxy, nx, ny, n));
	put_measure(w, ms_value(MS_CONFIDENCE, nxy, nx, ny, n));
	put_measure(w, ms_value(MS_LIFT, nxy, nx, ny, n));
	if (L->o->type == T_UPSELL) {
		put_measure(w, c->extra[0]);
		put_measure(w, c->extra[1]);
	} else if (L->o->type == T_SUBST) {
		put_measure(w, c->extra[0]);
	}
	for (int m = 0; m < MS_N; m++)
		if (L->o->measure[m])
			put_measure(w, ms_value(m, nxy, nx, ny, n));
	writer_end(w);
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
rank_cands(struct assoc *L, uint64_t sc, struct cand *c, size_t nc)
{
	const struct assoc_opts *o = L->o;
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
void
assoc_emit_subject(struct assoc *L, uint64_t sc, struct cand *c, size_t nc)
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

void
assoc_set_subject(struct assoc *L, const uint32_t *set, int k)
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

struct dpairs {
	struct dpair *d;
	size_t n, cap;
};

/* A frequent pair, once: by_subject makes its two rules. */
static void
dpairs_add(struct dpairs *dp, uint32_t a, uint32_t b, uint64_t c)
{
	if (dp->n == dp->cap) {
		dp->cap = dp->cap ? dp->cap * 2 : 1024;
		dp->d = xreallocarray(dp->d, dp->cap, sizeof *dp->d);
	}
	dp->d[dp->n++] = (struct dpair){ a, b, c };
}

/*
 * The two rules of each pair, grouped by subject: each is written
 * straight to its subject's place (counted first), as a large run has
 * millions, which a sort took a tenth of the run to order. Their order
 * within a subject does not matter: cmp_cand orders a subject's rules
 * fully. ns: the labels (every pair's are below it). Frees the pairs.
 */
static struct dpair *
by_subject(struct dpairs *dp, uint32_t ns, size_t *nd)
{
	size_t *at;
	struct dpair *d = dp->d, *r;

	at = xcalloc((size_t)ns + 1, sizeof *at);
	for (size_t i = 0; i < dp->n; i++) {
		at[d[i].s + 1]++;
		at[d[i].h + 1]++;
	}
	for (uint32_t b = 0; b < ns; b++)
		at[b + 1] += at[b];
	*nd = 2 * dp->n;
	r = xreallocarray(NULL, *nd ? *nd : 1, sizeof *r);
	for (size_t i = 0; i < dp->n; i++) {
		r[at[d[i].s]++] = d[i];
		r[at[d[i].h]++] = (struct dpair){ d[i].h, d[i].s, d[i].c };
	}
	free(at);
	free(dp->d);
	memset(dp, 0, sizeof *dp);
	return r;
}

/* Pair rules grouped by subject and written: one process and --merge
 * both end here, so they write the same bytes. */
static void
rules_from_dpairs(struct assoc *L, struct dpairs *dp)
{
	size_t nd, maxc = 1;
	struct dpair *d = by_subject(dp, L->nitems, &nd);
	struct cand *c;

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
		assoc_set_subject(L, &d[i].s, 1);
		assoc_emit_subject(L, L->icnt[d[i].s], c, nc);
	}
	free(c);
	free(d);
}

/* Pairs from merged counts. */
static void
rules_from_pairs(struct assoc *L, const struct pairs *pt)
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
rules_from_rows(struct assoc *L)
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
rules_from_sets(struct assoc *L, const struct isets *fs)
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
		assoc_set_subject(L, r[i].body, r[i].blen);
		assoc_emit_subject(L, r[i].bcount, c, nc);
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
rules_from_mining(struct assoc *L)
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
uint32_t
assoc_stream_subjects(struct assoc *L, const uint8_t *keep,
    uint32_t **newid)
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

/* The same subjects in the order of their interned ids, in which the
 * baskets on disk list their items: pruned baskets then need no sort.
 * For rules, whose pairs are grouped by label afterwards. */
static uint32_t
subjects_by_id(struct assoc *L, uint32_t **newid)
{
	uint32_t n = 0;

	L->freq = xreallocarray(NULL, L->nitems + 1, sizeof *L->freq);
	*newid = xreallocarray(NULL, L->nitems + 1, sizeof **newid);
	for (uint32_t i = 0; i < L->nitems; i++) {
		uint32_t lab = L->label[i];

		(*newid)[i] = UINT32_MAX;
		if (L->icnt[lab] >= L->thr && L->icnt[lab] > 0) {
			L->freq[n] = lab;
			(*newid)[i] = n++;
		}
	}
	return n;
}

struct rows_ctx {
	struct assoc *L;
	struct dpairs dp;
};

static void
rule_row(void *ctx, uint32_t a, const uint64_t *cnt, uint32_t *touched,
    size_t nt)
{
	struct rows_ctx *rc = ctx;
	struct assoc *L = rc->L;

	for (size_t i = 0; i < nt; i++)
		if (cnt[touched[i]] >= L->thr)
			dpairs_add(&rc->dp, L->freq[a], L->freq[touched[i]],
			    cnt[touched[i]]);
}

static void
learn_rules_streamed(struct assoc *L)
{
	uint32_t *newid, nfreq;
	uint64_t nkept, distinct;
	struct rows_ctx rc = { L, { NULL, 0, 0 } };

	assoc_set_threshold(L);
	nfreq = subjects_by_id(L, &newid);
	/* Apriori's first step, as in learn_rules. */
	nkept = bstream_prune(&L->bs, newid, nfreq);
	free(newid);
	if (xs_verbose)
		note("%" PRIu32 " frequent items, %" PRIu64 " baskets with two "
		    "or more of them", nfreq, nkept);
	assoc_open_output(L);
	distinct = bstream_rows(&L->bs, L->o->memory, rule_row, &rc);
	if (xs_verbose)
		note("baskets counted from %.1f MB of temporary files",
		    (double)bstream_bytes(&L->bs) / 1e6);
	rules_from_dpairs(L, &rc.dp);
	L->pairs = distinct;
	assoc_close_output(L);
}

/* ---- rules from merged counts ---- */

/* Frequent merged itemsets, relabelled (labels are known only now). */
static void
rules_from_merged_sets(struct assoc *L, const struct isets *st)
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
		qsort(set, (size_t)k, sizeof *set, assoc_cmp_ids);
		isets_add(&fs, set, k, st->count[s]);
	}
	L->pairs = st->n;
	L->frequent = fs.n;
	rules_from_sets(L, &fs);
	isets_free(&fs);
}

static void
rules_from_merged(struct assoc *L)
{
	assoc_set_threshold(L);
	assoc_open_output(L);
	if (L->o->max_items == 2) {
		L->pairs = L->mpairs.n;
		rules_from_pairs(L, &L->mpairs);
	} else {
		rules_from_merged_sets(L, &L->msets);
	}
	assoc_close_output(L);
}

/* ---- cross-sell rules ---- */

void
assoc_rules(struct assoc *L)
{
	uint32_t *newid, nfreq = 0;

	if (L->merged) {
		rules_from_merged(L);
		return;
	}
	if (L->streamed) {
		learn_rules_streamed(L);
		return;
	}
	newid = xreallocarray(NULL, L->nitems + 1, sizeof *newid);
	assoc_set_threshold(L);
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
	assoc_open_output(L);
	if (L->o->max_items == 2)
		rules_from_rows(L);
	else
		rules_from_mining(L);
	assoc_close_output(L);
}

/* ---- the summary ---- */

int
assoc_report(const struct assoc *L)
{
	const struct assoc_opts *o = L->o;
	struct rusage ru;

	if (L->rejected > 1)
		warning("%" PRIu64 " rows without %s or product_id skipped",
		    L->rejected, o->basket == B_CUSTOMER ? "customer_id" :
		    "order_id");
	if (L->guests)
		note("%" PRIu64 " rows without customer_id skipped", L->guests);
	if (L->st.big)
		note("%" PRIu64 " baskets of more than --max-basket %" PRIu32
		    " items skipped", L->st.big, o->max_basket);
	if (!xs_verbose)
		return L->rejected ? XS_DATA : XS_OK;
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
		    L->written, assoc_type_words[o->type], L->subjects);
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
	return L->rejected ? XS_DATA : XS_OK;
}
