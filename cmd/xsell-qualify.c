/*
 * xsell-qualify: candidate generation and eligibility rules.
 *
 * Each context read on stdin (a product page, a cart, a customer) becomes
 * its candidates: the products linked to its subject or cart items by
 * --relations, the best sellers of --popular, or every active offer of
 * --offers. Best sellers are a source like the others, so that back-fill
 * passes the same checks as every candidate. A candidate is kept
 * when it passes the built-in checks and every rule in its scope; kept
 * ones go to stdout, dropped ones to --rejected with the rule that
 * dropped them.
 *
 * Relations, offers and the catalog are loaded once with their ids
 * interned to dense integers; contexts stream, so memory grows with those
 * files and not with the contexts. Per context the work is on integers:
 * stamps say which items the context holds, and a slot per (candidate,
 * type, source) merges the links that reach it: a candidate both curated
 * and learned is two rows, so that a fallback chain or an experiment can
 * take either (xsell-rank shows it once).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "popular.h"
#include "rule.h"
#include "xsell.h"

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

/* Rule sources: where customer.x, candidate.x and subject.x are read. */
enum { SRC_CTX, SRC_OWN, SRC_OFFER, SRC_CAND, SRC_SUBJ };

/* The relation types, interned first in this order. */
static const char *const known_types[] = {
	"cross_sell", "upsell", "substitute", "bundle", NULL
};
enum { TYPE_CROSS_SELL, TYPE_UPSELL, TYPE_SUBSTITUTE, TYPE_BUNDLE };
enum { SOURCE_MANAGED, SOURCE_OFFER, SOURCE_POPULAR };	/* interned first */

/* --max-popular: best sellers kept per context unless said otherwise. */
#define MAX_POPULAR 20

/* Built-in checks, in the order they run, as named in --rejected. */
static const char *const builtin_name[] = {
	"substitute", "exclude-owned", "in-stock"
};
enum { B_SUBSTITUTE, B_OWNED, B_STOCK, NBUILTIN };

/* What the catalog says of an item, for --in-stock and substitutes. */
enum { AV_UNKNOWN, AV_YES, AV_NO };

/* Context kinds, by the columns of the contexts' header. */
enum { K_PAGE, K_CART, K_CUSTOMER };

#define NONE UINT32_MAX
#define BODY 0x80000000u

struct opts {
	char **relations;
	int nrelations;
	const char *offers, *popular, *catalog, *rules, *rejected, *out;
	int64_t max_popular;	/* 0 until given */
	char **exprs;
	int nexprs;
	unsigned typemask;	/* --type: bits of known_types; 0 is all */
	int exclude_owned, in_stock, json;
};

/* ---- tables: the catalog and the offers, every column kept as text ---- */

struct table {
	const char *file;
	int ncols, key;
	char **cols;
	uint32_t nrows;
	struct buf pool;	/* the values, NUL-terminated, row by row */
	size_t *off;		/* row * ncols + k -> offset in pool; sentinel */
	uint32_t *item;		/* row -> item id */
	uint32_t *row_of;	/* item id -> row, or NONE */
	uint32_t nrow_of, caprow_of;
	char **v;		/* the row being looked at, for rules */
	size_t *len;
	double *num;		/* row * ncols + k: the cell's number, or NaN */
};

/* A stored cell; its length from the next cell's offset. */
static inline const char *
table_cell(const struct table *t, uint32_t row, int k, size_t *len)
{
	size_t i = (size_t)row * (size_t)t->ncols + (size_t)k;

	*len = t->off[i + 1] - t->off[i] - 1;
	return t->pool.s + t->off[i];
}

static int
table_col(const struct table *t, const char *name)
{
	for (int k = 0; t && k < t->ncols; k++)
		if (strcmp(t->cols[k], name) == 0)
			return k;
	return -1;
}

/* row_of covers every item id up to n. */
static void
table_cover(struct table *t, uint32_t n)
{
	if (n <= t->nrow_of)
		return;
	if (n > t->caprow_of) {
		t->caprow_of = n > t->caprow_of * 2 ? n : t->caprow_of * 2;
		t->row_of = xreallocarray(t->row_of, t->caprow_of,
		    sizeof *t->row_of);
	}
	for (uint32_t i = t->nrow_of; i < n; i++)
		t->row_of[i] = NONE;
	t->nrow_of = n;
}

static void
table_add(struct table *t, const struct rec *r, uint32_t id, size_t *cap)
{
	size_t need = ((size_t)t->nrows + 1) * (size_t)t->ncols + 1;

	if (need > *cap) {
		*cap = need * 2;
		t->off = xreallocarray(t->off, *cap, sizeof *t->off);
		t->item = xreallocarray(t->item, *cap / (size_t)t->ncols + 1,
		    sizeof *t->item);
	}
	for (int k = 0; k < t->ncols; k++) {
		t->off[(size_t)t->nrows * (size_t)t->ncols + (size_t)k] = t->pool.len;
		buf_put(&t->pool, r->f[k], r->len[k]);
		buf_putc(&t->pool, '\0');
	}
	t->row_of[id] = t->nrows;
	t->item[t->nrows++] = id;
}

/* Reads file keyed by column key. A repeated id keeps its first row and
 * is counted in a warning. */
static struct table *
table_load(const char *file, const char *key, struct intern *items)
{
	struct table *t = xcalloc(1, sizeof *t);
	struct rec r;
	char *files[1] = { (char *)file };
	size_t cap = 0;
	long dups = 0, firstdup = 0;

	memset(&r, 0, sizeof r);
	rec_open(&r, 1, files);
	t->file = file;
	t->key = rec_need(&r, key);
	t->ncols = r.ncols;
	t->cols = xcalloc((size_t)r.ncols + 1, sizeof *t->cols);
	for (int k = 0; k < r.ncols; k++)
		t->cols[k] = xstrdup(r.cols[k]);
	buf_init(&t->pool);
	while (rec_next(&r) == REC_ROW) {
		uint32_t id;

		if (r.len[t->key] == 0)
			die(XS_INPUT, "%s: empty %s", rec_where(&r), key);
		id = intern_put(items, r.f[t->key], r.len[t->key]);
		table_cover(t, items->n);
		if (t->row_of[id] != NONE) {
			if (!dups++)
				firstdup = r.line;
			continue;
		}
		table_add(t, &r, id, &cap);
	}
	t->off = xreallocarray(t->off, (size_t)t->nrows * (size_t)t->ncols + 1,
	    sizeof *t->off);
	t->off[(size_t)t->nrows * (size_t)t->ncols] = t->pool.len;
	buf_str(&t->pool);
	if (dups)
		warnx("%s:%ld: %ld repeated %s ignored (the first row of each "
		    "is kept)", r.name, firstdup, dups, key);
	rec_close(&r);
	t->v = xcalloc((size_t)t->ncols + 1, sizeof *t->v);
	t->len = xcalloc((size_t)t->ncols + 1, sizeof *t->len);
	return t;
}

static inline uint32_t
table_row(const struct table *t, uint32_t item)
{
	return t && item < t->nrow_of ? t->row_of[item] : NONE;
}

/* The row's values in t->v and t->len, for rule evaluation. */
static void
table_fill(struct table *t, uint32_t row)
{
	for (int k = 0; k < t->ncols; k++)
		t->v[k] = (char *)table_cell(t, row, k, &t->len[k]);
}

/* Numbers parsed once, for rules that compare them row after row. */
static void
table_numbers(struct table *t)
{
	size_t n;

	if (!t || t->num)
		return;
	n = (size_t)t->nrows * (size_t)t->ncols;
	t->num = xcalloc(n + 1, sizeof *t->num);
	for (size_t i = 0; i < n; i++) {
		size_t len = t->off[i + 1] - t->off[i] - 1;

		if (!len || num_parse(t->pool.s + t->off[i], len, &t->num[i]))
			t->num[i] = NAN;
	}
}

static void
table_free(struct table *t)
{
	if (!t)
		return;
	free(t->num);
	for (int k = 0; k < t->ncols; k++)
		free(t->cols[k]);
	free(t->cols);
	buf_free(&t->pool);
	free(t->off);
	free(t->item);
	free(t->row_of);
	free(t->v);
	free(t->len);
	free(t);
}

/* ---- relations: adjacency lists by subject ---- */

struct edge {
	uint32_t linked, seq;
	uint16_t type, src, nvals;
	size_t vals;		/* the relation's columns in rels.pool */
	double pos, conf, lift;	/* NaN when missing */
};

/* A learned rule's body of several items (subject_id "A,B"): it applies
 * to a cart that holds all of them. */
struct body {
	uint32_t item0, nitem;	/* in rels.bitem */
};

struct rels {
	int ncols;		/* the relations' own columns, all files */
	char **cols;
	int conf, lift;		/* their index in cols, or -1 */
	struct buf pool;
	struct edge *e;		/* loaded, then grouped by subject */
	uint32_t *key;		/* while loading: item, or BODY | body */
	size_t ne, cape;
	uint32_t *start;	/* item i: e[start[i] .. start[i + 1]) */
	uint32_t *bstart;	/* body b: e[bstart[b] .. bstart[b + 1]) */
	uint32_t *istart, *ibody;	/* item -> the bodies it opens */
	struct body *body;
	uint32_t nbody, capbody;
	uint32_t *bitem;
	size_t nbitem, capbitem;
	struct intern bodykey;	/* normalised "A,B" -> body */
};

static int
rels_col(struct rels *R, const char *name, int add)
{
	for (int k = 0; k < R->ncols; k++)
		if (strcmp(R->cols[k], name) == 0)
			return k;
	if (!add)
		return -1;
	R->cols = xreallocarray(R->cols, (size_t)R->ncols + 1, sizeof *R->cols);
	R->cols[R->ncols] = xstrdup(name);
	return R->ncols++;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
body_add(struct rels *R, struct intern *items, char **v, size_t n)
{
	struct body *bd;

	if (R->nbody == R->capbody) {
		R->capbody = R->capbody ? R->capbody * 2 : 64;
		R->body = xreallocarray(R->body, R->capbody, sizeof *R->body);
	}
	bd = &R->body[R->nbody++];
	bd->item0 = (uint32_t)R->nbitem;
	bd->nitem = (uint32_t)n;
	if (R->nbitem + n > R->capbitem) {
		R->capbitem = (R->nbitem + n) * 2;
		R->bitem = xreallocarray(R->bitem, R->capbitem, sizeof *R->bitem);
	}
	for (size_t i = 0; i < n; i++)
		R->bitem[R->nbitem++] = intern_put(items, v[i], strlen(v[i]));
}

/* The key of a subject: an item, or for a comma list of two or more
 * distinct items a body (sorted, so "B,A" and "A,B" are one body). */
static uint32_t
subject_key(struct rels *R, struct intern *items, const char *s, size_t len)
{
	const char *p = s, *end = s + len, *item;
	size_t n, cnt = 0, k = 0;
	char **v;
	struct buf b;
	uint32_t id, before;

	if (!memchr(s, ',', len))
		return intern_put(items, s, len);
	v = xcalloc(len / 2 + 2, sizeof *v);
	while (list_next(&p, end, &item, &n))
		v[cnt++] = xmemdup(item, n);
	qsort(v, cnt, sizeof *v, cmp_str);
	for (size_t i = 0; i < cnt; i++) {
		if (k && strcmp(v[i], v[k - 1]) == 0)
			free(v[i]);
		else
			v[k++] = v[i];
	}
	buf_init(&b);
	for (size_t i = 0; i < k; i++) {
		if (i)
			buf_putc(&b, ',');
		buf_puts(&b, v[i]);
	}
	if (k <= 1) {
		id = intern_put(items, k ? v[0] : "", k ? strlen(v[0]) : 0);
	} else {
		before = R->bodykey.n;
		id = intern_put(&R->bodykey, buf_str(&b), b.len);
		if (R->bodykey.n > before)
			body_add(R, items, v, k);
		id |= BODY;
	}
	for (size_t i = 0; i < k; i++)
		free(v[i]);
	free(v);
	buf_free(&b);
	return id;
}

static double
num_or_nan(const struct rec *r, int i)
{
	return i < 0 ? NAN : rec_num(r, i, NAN);
}

static uint16_t
small_id(struct intern *in, const char *s, size_t len, const struct rec *r)
{
	uint32_t id = intern_put(in, s, len);

	if (id > 0xffff)
		die(XS_INPUT, "%s: more than 65536 distinct types or sources",
		    rec_where(r));
	return (uint16_t)id;
}

/* How one relations file's columns land: inv[j] is the file column of
 * R->cols[j] (or -1) for j < nvals. */
struct relfile {
	int subj, linked, type, src, pos, conf, lift;
	int nvals, *inv;
};

/* Appends one relation row, its columns' values to the pool in the
 * order of R->cols. */
static void
rels_row(struct rels *R, const struct rec *r, const struct relfile *rf,
    uint32_t key, uint32_t linked)
{
	struct edge *e;

	if (R->ne == R->cape) {
		R->cape = R->cape ? R->cape * 2 : 4096;
		R->e = xreallocarray(R->e, R->cape, sizeof *R->e);
		R->key = xreallocarray(R->key, R->cape, sizeof *R->key);
	}
	e = &R->e[R->ne];
	R->key[R->ne] = key;
	e->linked = linked;
	e->seq = (uint32_t)R->ne++;
	e->type = TYPE_CROSS_SELL;
	e->src = SOURCE_MANAGED;
	e->pos = num_or_nan(r, rf->pos);
	e->conf = num_or_nan(r, rf->conf);
	e->lift = num_or_nan(r, rf->lift);
	e->nvals = (uint16_t)rf->nvals;
	e->vals = R->pool.len;
	for (int j = 0; j < rf->nvals; j++) {
		if (rf->inv[j] >= 0)
			buf_put(&R->pool, r->f[rf->inv[j]], r->len[rf->inv[j]]);
		buf_putc(&R->pool, '\0');
	}
}

/* ---- rules: the rules file and -r ---- */

struct qrule {
	char *name;
	char *file;		/* rules file, or "-r" */
	long line;		/* line in it, or the -r's number */
	char *text;		/* the whole line (or expression) */
	size_t exproff;		/* where the expression starts in it */
	int any;		/* scope * */
	uint32_t *types;	/* type: scopes */
	int ntypes;
	char **ids;		/* id scopes, resolved when binding */
	int nids;
	struct rule r;
	uint64_t rejected;
};

/* ---- one context at a time ---- */

struct slot {
	uint32_t cand, type;	/* item id, type id */
	uint32_t src;		/* source id */
	uint32_t head, nlink;	/* its links, a chain in ctx.link */
	uint32_t next;		/* the same candidate's slot of another type
				 * or source */
	int oos;		/* a substitute whose subject is out of stock */
};

struct link {
	const struct edge *e;
	uint32_t subj;		/* the item it was reached from */
	uint32_t next;
};

/* What the current context knows of an item; one struct, so that a link
 * costs one cache miss and not four. Valid where the stamp is gen. */
struct itemst {
	uint32_t in, idx;	/* the context expands it, as exp[idx] */
	uint32_t own;		/* the context owns it */
	uint32_t slot, head;	/* it has slots, the first is head */
};

struct ctx {
	int kind;
	int idcol, subjcol, itemscol, holdcol;
	uint32_t gen;		/* the stamp of the current context */
	struct itemst *it;	/* per item, stamped with gen */
	uint32_t *exp, nexp, capexp;
	struct slot *slot;
	uint32_t nslot, capslot;
	struct link *link;
	uint32_t nlink, caplink;
	uint64_t *bits;		/* supporting items per slot: words bits */
	size_t capbits;
	uint32_t words;
};

/* ---- the whole state ---- */

struct q {
	struct opts o;
	struct intern items, types, sources;
	uint32_t nitems;
	struct table *catalog, *offers;
	uint8_t *avail;		/* item -> AV_* */
	int cat_status, cat_stock;
	struct rels R;
	struct popular pop;	/* --popular */
	uint32_t *pop_item;	/* its products best first, as item ids */
	struct qrule *rule;
	int nrule;
	int *gen, ngen;		/* rules scoped by * or type:, in order */
	uint32_t *idstart, *idrule;	/* item -> the rules naming it */
	struct rec in;		/* the contexts */
	struct ctx c;
	int need_offer, need_cand, need_subj;	/* rules read these rows */
	/* offers */
	int offer_status, offer_type;
	uint8_t *offer_active;	/* per offer row */
	uint16_t *offer_typeid;
	/* output */
	int nown;		/* own columns */
	char **own;
	int o_support, o_rel, nrel_out;	/* where they start */
	int o_pos, pos_added;	/* position; added for --popular alone */
	int o_channel;		/* an offer's channel, or -1 */
	int *relmap;		/* own rel column -> R.cols or offer column */
	int nextra, *extra;	/* catalog columns appended, their index */
	int nkeep, *keep;	/* context columns passed through */
	int o_extra;
	char **names;		/* output columns, then rejected_by */
	char **ov;		/* one output row */
	size_t *ol;
	char numbuf[NUM_BUF];
	uint32_t *lk;		/* a slot's links, best first */
	char **lv;		/* their values, link by link */
	size_t *ll, caplk, caplv;
	char **sv;		/* the subject's catalog row, for rules */
	size_t *sl;
	uint32_t sv_row;	/* which row sv holds */
	struct wr w, wrej;
	FILE *fout, *frej;
	/* counts for -v */
	uint64_t contexts, noid, none_found, none_kept, *before, *after;
	uint64_t builtin_rejected[NBUILTIN];
	uint64_t pop_before, pop_after;
	long firstnoid;
	uint32_t nbefore;
};

static void
rels_load(struct q *Q, const char *file)
{
	struct rels *R = &Q->R;
	struct rec r;
	char *files[1] = { (char *)file };
	struct relfile rf;

	memset(&r, 0, sizeof r);
	rec_open(&r, 1, files);
	if (r.empty) {
		rec_close(&r);
		return;
	}
	rf.subj = rec_need(&r, "subject_id");
	rf.linked = rec_need(&r, "linked_id");
	rf.type = rec_col(&r, "type");
	rf.src = rec_col(&r, "source");
	rf.pos = rec_col(&r, "position");
	rf.conf = rec_col(&r, "confidence");
	rf.lift = rec_col(&r, "lift");
	rf.nvals = 0;
	rf.inv = xcalloc((size_t)r.ncols + (size_t)R->ncols + 1, sizeof *rf.inv);
	for (int j = 0; j < r.ncols + R->ncols; j++)
		rf.inv[j] = -1;
	for (int k = 0; k < r.ncols; k++) {
		int j;

		if (k == rf.subj || k == rf.linked || k == rf.type || k == rf.src)
			continue;
		j = rels_col(R, r.cols[k], 1);
		rf.inv[j] = k;
		if (j >= rf.nvals)
			rf.nvals = j + 1;
	}
	if (rf.nvals > 0xffff)
		die(XS_INPUT, "%s: too many columns", file);
	while (rec_next(&r) == REC_ROW) {
		uint32_t key, lk;
		struct edge *e;

		if (r.len[rf.subj] == 0 || r.len[rf.linked] == 0)
			die(XS_INPUT, "%s: empty %s", rec_where(&r),
			    r.len[rf.subj] == 0 ? "subject_id" : "linked_id");
		key = subject_key(R, &Q->items, r.f[rf.subj], r.len[rf.subj]);
		lk = intern_put(&Q->items, r.f[rf.linked], r.len[rf.linked]);
		rels_row(R, &r, &rf, key, lk);
		e = &R->e[R->ne - 1];
		if (rf.type >= 0 && r.len[rf.type])
			e->type = small_id(&Q->types, r.f[rf.type], r.len[rf.type], &r);
		if (rf.src >= 0 && r.len[rf.src])
			e->src = small_id(&Q->sources, r.f[rf.src], r.len[rf.src], &r);
	}
	free(rf.inv);
	rec_close(&r);
	R->conf = rels_col(R, "confidence", 0);
	R->lift = rels_col(R, "lift", 0);
}

/* Groups the edges by subject (stable: file order within a subject):
 * single items first, then bodies; and indexes bodies by first item. */
static void
rels_build(struct q *Q)
{
	struct rels *R = &Q->R;
	uint32_t n = Q->nitems, nb = R->nbody;
	uint32_t *cnt = xcalloc((size_t)n + nb + 1, sizeof *cnt);
	struct edge *se = xreallocarray(NULL, R->ne + 1, sizeof *se);

	for (size_t i = 0; i < R->ne; i++) {
		uint32_t k = R->key[i];

		cnt[(k & BODY) ? n + (k & ~BODY) : k]++;
	}
	R->start = xcalloc((size_t)n + 1, sizeof *R->start);
	R->bstart = xcalloc((size_t)nb + 1, sizeof *R->bstart);
	{
		uint32_t sum = 0;

		for (uint32_t i = 0; i < n + nb; i++) {
			uint32_t c = cnt[i];

			cnt[i] = sum;
			sum += c;
		}
		cnt[n + nb] = sum;
	}
	for (uint32_t i = 0; i <= n; i++)
		R->start[i] = cnt[i];
	for (uint32_t b = 0; b <= nb; b++)
		R->bstart[b] = cnt[n + b];
	for (size_t i = 0; i < R->ne; i++) {
		uint32_t k = R->key[i];

		se[cnt[(k & BODY) ? n + (k & ~BODY) : k]++] = R->e[i];
	}
	free(R->e);
	free(R->key);
	R->key = NULL;
	R->e = se;
	free(cnt);
	/* item -> bodies whose first (smallest) item it is */
	R->istart = xcalloc((size_t)n + 2, sizeof *R->istart);
	R->ibody = xcalloc((size_t)nb + 1, sizeof *R->ibody);
	for (uint32_t b = 0; b < nb; b++)
		R->istart[R->bitem[R->body[b].item0] + 1]++;
	for (uint32_t i = 0; i < n; i++)
		R->istart[i + 1] += R->istart[i];
	{
		uint32_t *fill = xcalloc((size_t)n + 1, sizeof *fill);

		for (uint32_t b = 0; b < nb; b++) {
			uint32_t it = R->bitem[R->body[b].item0];

			R->ibody[R->istart[it] + fill[it]++] = b;
		}
		free(fill);
	}
}

static void
rels_free(struct rels *R)
{
	for (int k = 0; k < R->ncols; k++)
		free(R->cols[k]);
	free(R->cols);
	buf_free(&R->pool);
	free(R->e);
	free(R->key);
	free(R->start);
	free(R->bstart);
	free(R->istart);
	free(R->ibody);
	free(R->body);
	free(R->bitem);
	intern_free(&R->bodykey);
}

/* ---- the catalog's facts ---- */

/* Available: in the catalog, status active (or none) and stock above
 * zero (or none). A stock that is not a number is exit 3. */
static void
catalog_facts(struct q *Q)
{
	struct table *t = Q->catalog;

	Q->avail = xcalloc((size_t)Q->nitems + 1, 1);
	if (!t)
		return;
	Q->cat_status = table_col(t, "status");
	Q->cat_stock = table_col(t, "stock");
	for (uint32_t row = 0; row < t->nrows; row++) {
		size_t len;
		const char *s;
		double stock;
		int ok = 1;

		if (Q->cat_status >= 0) {
			s = table_cell(t, row, Q->cat_status, &len);
			ok = len == 0 || (len == 6 && memcmp(s, "active", 6) == 0);
		}
		if (Q->cat_stock >= 0) {
			s = table_cell(t, row, Q->cat_stock, &len);
			if (len && num_parse(s, len, &stock))
				die(XS_INPUT, "%s: product '%s': stock: not a "
				    "number: \"%.40s\"", t->file,
				    intern_str(&Q->items, t->item[row]), s);
			if (len && stock <= 0)
				ok = 0;
		}
		Q->avail[t->item[row]] = ok ? AV_YES : AV_NO;
	}
}

/* ---- offers ---- */

static void
offers_facts(struct q *Q)
{
	struct table *t = Q->offers;

	Q->offer_status = table_col(t, "status");
	Q->offer_type = table_col(t, "type");
	Q->offer_active = xcalloc((size_t)t->nrows + 1, 1);
	Q->offer_typeid = xcalloc((size_t)t->nrows + 1, sizeof *Q->offer_typeid);
	for (uint32_t row = 0; row < t->nrows; row++) {
		size_t len = 0;
		const char *s = "";

		if (Q->offer_status >= 0)
			s = table_cell(t, row, Q->offer_status, &len);
		Q->offer_active[row] = len == 0 ||
		    (len == 6 && memcmp(s, "active", 6) == 0);
		if (Q->offer_type >= 0 &&
		    (s = table_cell(t, row, Q->offer_type, &len)) && len) {
			uint32_t id = intern_put(&Q->types, s, len);

			if (id > 0xffff)
				die(XS_INPUT, "%s: more than 65536 types", t->file);
			Q->offer_typeid[row] = (uint16_t)id;
		}
	}
}

/* ---- rules ---- */

static struct qrule *
rule_new(struct q *Q)
{
	struct qrule *r;

	Q->rule = xreallocarray(Q->rule, (size_t)Q->nrule + 1, sizeof *Q->rule);
	r = &Q->rule[Q->nrule++];
	memset(r, 0, sizeof *r);
	rule_init(&r->r);
	return r;
}

/* Exit 3 with file:line:column, the line, and a caret under the spot. */
static void
rule_die(const struct qrule *r, size_t off, const char *msg)
{
	struct buf b;
	size_t len = strlen(r->text), from = off, to;

	while (from > 0 && r->text[from - 1] != '\n')
		from--;
	for (to = off; to < len && r->text[to] != '\n'; to++)
		;
	buf_init(&b);
	rule_caret(&b, r->text + from, to - from, off - from);
	b.len--;	/* die adds the newline */
	die(XS_INPUT, "%s:%ld:%d: %s\n%s", r->file, r->line,
	    rule_column(r->text, off), msg, buf_str(&b));
}

static void
rule_compile_or_die(struct qrule *r)
{
	struct rule_error err;
	const char *e = r->text + r->exproff;

	if (rule_compile(&r->r, e, strlen(e), &err) == 0)
		return;
	rule_die(r, r->exproff + err.off, err.msg);
}

/* SCOPE: a comma list of *, type:TYPE and item ids. */
static void
rule_scope(struct q *Q, struct qrule *r, const char *s, size_t len)
{
	const char *p = s, *end = s + len, *item;
	size_t n;

	while (list_next(&p, end, &item, &n)) {
		if (n == 1 && *item == '*') {
			r->any = 1;
		} else if (n > 5 && memcmp(item, "type:", 5) == 0) {
			r->types = xreallocarray(r->types, (size_t)r->ntypes + 1,
			    sizeof *r->types);
			r->types[r->ntypes++] = intern_put(&Q->types, item + 5, n - 5);
		} else {
			r->ids = xreallocarray(r->ids, (size_t)r->nids + 1,
			    sizeof *r->ids);
			r->ids[r->nids++] = xmemdup(item, n);
		}
	}
	if (!r->any && !r->ntypes && !r->nids)
		die(XS_INPUT, "%s:%ld: empty scope: give *, type:TYPE or an id",
		    r->file, r->line);
}

/* One line of the rules file: SCOPE<TAB>NAME<TAB>EXPRESSION. */
static void
rules_line(struct q *Q, const char *file, long lineno, const char *s,
    size_t len)
{
	const char *t1, *t2, *p = s;
	struct qrule *r;

	while (p < s + len && (*p == ' ' || *p == '\t'))
		p++;
	if (p == s + len || *p == '#')
		return;
	t1 = memchr(s, '\t', len);
	t2 = t1 ? memchr(t1 + 1, '\t', (size_t)(s + len - t1 - 1)) : NULL;
	if (!t2)
		die(XS_INPUT, "%s:%ld: expected SCOPE<TAB>NAME<TAB>EXPRESSION",
		    file, lineno);
	r = rule_new(Q);
	r->file = xstrdup(file);
	r->line = lineno;
	r->text = xmemdup(s, len);
	r->exproff = (size_t)(t2 + 1 - s);
	if (t2 == t1 + 1)
		die(XS_INPUT, "%s:%ld: empty rule name", file, lineno);
	r->name = xmemdup(t1 + 1, (size_t)(t2 - t1 - 1));
	rule_scope(Q, r, s, (size_t)(t1 - s));
	rule_compile_or_die(r);
}

static void
rules_load(struct q *Q, const char *file)
{
	FILE *fp;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;

	out_input(file);
	if (!(fp = fopen(file, "r")))
		die(XS_SYS, "%s: %s", file, strerror(errno));
	while ((n = getline(&line, &cap, fp)) >= 0) {
		size_t len = (size_t)n;

		lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (memchr(line, '\0', len))
			die(XS_INPUT, "%s:%ld: NUL byte", file, lineno);
		rules_line(Q, file, lineno, line, len);
	}
	if (ferror(fp))
		die(XS_SYS, "%s: %s", file, strerror(errno));
	free(line);
	fclose(fp);
}

static void
rules_exprs(struct q *Q)
{
	for (int i = 0; i < Q->o.nexprs; i++) {
		struct qrule *r = rule_new(Q);
		char nb[32];

		snprintf(nb, sizeof nb, "-r:%d", i + 1);
		r->name = xstrdup(nb);
		r->file = xstrdup("-r");
		r->line = i + 1;
		r->text = xstrdup(Q->o.exprs[i]);
		r->any = 1;
		rule_compile_or_die(r);
	}
}

/* ---- binding rules to columns ---- */

static int
own_col(const struct q *Q, const char *name)
{
	for (int k = 0; k < Q->nown; k++)
		if (strcmp(Q->own[k], name) == 0)
			return k;
	return -1;
}

static const char *const scope_word[] = { "customer", "candidate", "subject" };

/* The column names a field of scope can name, in the order they are
 * looked up. NULL-terminated, for rule_suggest; the caller frees it. */
static char **
scope_names(const struct q *Q, int scope, int *n)
{
	char **v = xcalloc((size_t)Q->in.ncols + (size_t)Q->nown +
	    (Q->offers ? (size_t)Q->offers->ncols : 0) +
	    (Q->catalog ? (size_t)Q->catalog->ncols : 0) + 1, sizeof *v);

	*n = 0;
	if (scope == RULE_CONTEXT) {
		for (int k = 0; k < Q->in.ncols; k++)
			v[(*n)++] = Q->in.cols[k];
		return v;
	}
	if (scope == RULE_CANDIDATE) {
		for (int k = 0; k < Q->nown; k++)
			v[(*n)++] = Q->own[k];
		for (int k = 0; Q->offers && k < Q->offers->ncols; k++)
			v[(*n)++] = Q->offers->cols[k];
	}
	if (scope == RULE_CANDIDATE || !Q->offers)
		for (int k = 0; Q->catalog && k < Q->catalog->ncols; k++)
			v[(*n)++] = Q->catalog->cols[k];
	return v;
}

/*
 * A field no row can have: the rule would be false (or true) for every
 * candidate, and a cron job would publish what that leaves, so it is
 * exit 3 with the rule and a caret under the field. A close name in the
 * same scope, or the same name in another, is suggested.
 */
static void
unknown_field(const struct q *Q, const struct qrule *qr,
    const struct rule_field *f)
{
	const char *sc = scope_word[f->scope], *near = NULL, *where;
	char **v, msg[512], hint[160] = "";
	int n;

	v = scope_names(Q, f->scope, &n);
	near = rule_suggest(f->name, v, n);
	free(v);
	if (near) {
		snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
	} else {
		for (int s = RULE_CONTEXT; s <= RULE_SUBJECT && !near; s++) {
			v = scope_names(Q, s, &n);
			for (int k = 0; s != f->scope && k < n && !near; k++)
				if (strcmp(v[k], f->name) == 0)
					near = scope_word[s];
			free(v);
		}
		if (near)
			snprintf(hint, sizeof hint, " (did you mean '%s.%s'?)",
			    near, f->name);
	}
	if (f->scope == RULE_SUBJECT && Q->offers)
		snprintf(msg, sizeof msg, "%s.%s: offers have no subject%s", sc,
		    f->name, hint);
	else if (f->scope == RULE_SUBJECT && !Q->catalog)
		snprintf(msg, sizeof msg, "%s.%s needs --catalog (a subject's "
		    "fields are its catalog row)%s", sc, f->name, hint);
	else {
		where = f->scope == RULE_CONTEXT ? "the contexts"
		    : f->scope == RULE_SUBJECT ? "the catalog"
		    : Q->offers ? "the candidates, the offers or the catalog"
		    : "the candidates or the catalog";
		snprintf(msg, sizeof msg, "%s.%s is not a column of %s%s", sc,
		    f->name, where, hint);
	}
	rule_die(qr, qr->exproff + f->off, msg);
}

/* customer.x: a context column. candidate.x: an output column of the
 * candidate, else the offer's, else the catalog's. subject.x: the
 * catalog's, for the subject the best link came from. */
static void
bind_field(struct q *Q, struct qrule *qr, int i)
{
	struct rule_field *f = &qr->r.field[i];
	int src = -1, col = -1;

	switch (f->scope) {
	case RULE_CONTEXT:
		src = SRC_CTX;
		col = rec_col(&Q->in, f->name);
		if (Q->in.empty)
			col = 0, src = -1;	/* no rows: nothing to say */
		break;
	case RULE_CANDIDATE:
		if ((col = own_col(Q, f->name)) >= Q->o_extra &&
		    col < Q->o_extra + Q->nextra)
			col = Q->extra[col - Q->o_extra], src = SRC_CAND;
		else if (col >= 0)
			src = SRC_OWN;
		else if ((col = table_col(Q->offers, f->name)) >= 0)
			src = SRC_OFFER;
		else if ((col = table_col(Q->catalog, f->name)) >= 0)
			src = SRC_CAND;
		break;
	default:
		if (!Q->offers) {
			src = SRC_SUBJ;
			col = table_col(Q->catalog, f->name);
		}
	}
	if (col < 0)
		unknown_field(Q, qr, f);
	rule_bind(&qr->r, i, src, col);
	Q->need_offer |= src == SRC_OFFER;
	Q->need_cand |= src == SRC_CAND;
	Q->need_subj |= src == SRC_SUBJ;
}

/* Binds every field, and indexes the rules by the ids they name. */
static void
rules_bind(struct q *Q)
{
	uint32_t *cnt = xcalloc((size_t)Q->nitems + 2, sizeof *cnt), total = 0;

	Q->gen = xcalloc((size_t)Q->nrule + 1, sizeof *Q->gen);
	for (int i = 0; i < Q->nrule; i++) {
		struct qrule *r = &Q->rule[i];

		for (int k = 0; k < r->r.nfield; k++)
			bind_field(Q, r, k);
		if (r->any || r->ntypes)
			Q->gen[Q->ngen++] = i;
		for (int k = 0; k < r->nids; k++) {
			uint32_t id = intern_find(&Q->items, r->ids[k],
			    strlen(r->ids[k]));

			if (id == INTERN_NONE) {
				note("%s:%ld: scope '%s' is not a %s: the rule never "
				    "applies to it", r->file, r->line, r->ids[k],
				    Q->offers ? "known offer" : "linked product");
				continue;
			}
			cnt[id + 1]++;
			total++;
		}
	}
	Q->idstart = cnt;
	for (uint32_t i = 0; i < Q->nitems; i++)
		cnt[i + 1] += cnt[i];
	Q->idrule = xcalloc((size_t)total + 1, sizeof *Q->idrule);
	{
		uint32_t *fill = xcalloc((size_t)Q->nitems + 1, sizeof *fill);

		/* rule order within an id, as in the file */
		for (int i = 0; i < Q->nrule; i++) {
			struct qrule *r = &Q->rule[i];

			for (int k = 0; k < r->nids; k++) {
				uint32_t id = intern_find(&Q->items, r->ids[k],
				    strlen(r->ids[k]));

				if (id != INTERN_NONE)
					Q->idrule[cnt[id] + fill[id]++] = (uint32_t)i;
			}
		}
		free(fill);
	}
	if (Q->need_offer)
		table_numbers(Q->offers);
	if (Q->need_cand || Q->need_subj)
		table_numbers(Q->catalog);
}

static int
type_in(const struct qrule *r, uint32_t type)
{
	for (int k = 0; k < r->ntypes; k++)
		if (r->types[k] == type)
			return 1;
	return 0;
}

/* The first rule in scope that fails, in file order, or -1. The rules
 * scoped by * or type and those naming the candidate are two lists in
 * rule order: merged, each rule at most once. */
static int
rules_first_failing(struct q *Q, uint32_t cand, uint32_t type,
    const struct rule_env *env)
{
	int g = 0, last = -1;
	uint32_t j = Q->idstart[cand], jend = Q->idstart[cand + 1];

	while (g < Q->ngen || j < jend) {
		int r, byid = 0;

		if (j < jend && (g >= Q->ngen || (int)Q->idrule[j] <= Q->gen[g])) {
			r = (int)Q->idrule[j++];
			byid = 1;
		} else {
			r = Q->gen[g++];
		}
		if (r == last || (!byid && !Q->rule[r].any &&
		    !type_in(&Q->rule[r], type)))
			continue;
		last = r;
		if (!rule_eval(&Q->rule[r].r, env))
			return r;
	}
	return -1;
}

/* ---- contexts ---- */

static const char *const page_ids[] = { "subject_id", NULL };
static const char *const cart_ids[] = {
	"cart_id", "order_id", "customer_id", NULL
};
static const char *const customer_ids[] = { "customer_id", NULL };
static const char *const offer_ids[] = {
	"customer_id", "cart_id", "order_id", "subject_id", NULL
};

static void
need_columns(const struct rec *in, const char *what)
{
	struct buf b;

	buf_init(&b);
	for (int k = 0; k < in->ncols; k++)
		buf_printf(&b, "%s%s", k ? ", " : "", in->cols[k]);
	die(XS_INPUT, "%s: contexts need %s (found: %s)", in->name, what,
	    in->ncols ? buf_str(&b) : "none");
}

/* The kind of context and its id column, from the header. */
static void
ctx_open(struct q *Q)
{
	struct ctx *c = &Q->c;
	const struct rec *in = &Q->in;
	const char *const *ids;
	size_t n = (size_t)Q->nitems + 1;

	c->itemscol = rec_col(in, "items");
	c->subjcol = rec_col(in, "subject_id");
	c->holdcol = rec_col(in, "holdings");
	c->kind = c->itemscol >= 0 ? K_CART : c->subjcol >= 0 ? K_PAGE
	    : K_CUSTOMER;
	ids = Q->offers ? offer_ids : c->kind == K_CART ? cart_ids
	    : c->kind == K_PAGE ? page_ids : customer_ids;
	c->idcol = rec_col(in, "context_id");
	for (int i = 0; c->idcol < 0 && ids[i]; i++)
		c->idcol = rec_col(in, ids[i]);
	if (!in->empty && !Q->offers && !Q->o.popular && c->kind == K_CUSTOMER &&
	    c->holdcol < 0)
		need_columns(in, "subject_id (a product page), items (a cart) "
		    "or holdings (a customer) with --relations");
	if (!in->empty && c->idcol < 0)
		need_columns(in, Q->offers ? "context_id or customer_id"
		    : c->kind == K_CART ? "context_id, cart_id, order_id or "
		    "customer_id" : "context_id or customer_id");
	c->it = xcalloc(n, sizeof *c->it);
}

static void
exp_add(struct ctx *c, uint32_t id)
{
	if (c->it[id].in == c->gen)
		return;
	if (c->nexp == c->capexp) {
		c->capexp = c->capexp ? c->capexp * 2 : 64;
		c->exp = xreallocarray(c->exp, c->capexp, sizeof *c->exp);
	}
	c->it[id].in = c->gen;
	c->it[id].idx = c->nexp;
	c->exp[c->nexp++] = id;
}

/* Marks the items of a field as owned and, with expand, as the items
 * the context's candidates come from. */
static void
ctx_items(struct q *Q, int col, int list, int expand)
{
	struct ctx *c = &Q->c;
	const char *s, *p, *end, *item;
	size_t n;

	if (col < 0)
		return;
	s = p = Q->in.f[col];
	end = s + Q->in.len[col];
	while (list ? list_next(&p, end, &item, &n) : p < end) {
		uint32_t id;

		if (!list) {
			item = s;
			n = (size_t)(end - s);
			p = end;
		}
		id = intern_find(&Q->items, item, n);
		if (id == INTERN_NONE)
			continue;
		c->it[id].own = c->gen;
		if (expand)
			exp_add(c, id);
	}
}

static void
ctx_begin(struct q *Q)
{
	struct ctx *c = &Q->c;

	if (++c->gen == 0) {
		/* 2^32 contexts later: the stamps start over */
		size_t n = (size_t)Q->nitems + 1;

		memset(c->it, 0, n * sizeof *c->it);
		c->gen = 1;
	}
	c->nexp = c->nslot = c->nlink = 0;
	ctx_items(Q, c->subjcol, 0, c->kind == K_PAGE);
	ctx_items(Q, c->itemscol, 1, c->kind == K_CART);
	ctx_items(Q, c->holdcol, 1, c->kind == K_CUSTOMER);
	c->words = (c->nexp + 63) / 64;
	if (c->words == 0)
		c->words = 1;
}

/* owns(id): in the holdings, the cart, or the subject itself. */
static int
ctx_owns(void *arg, const char *id, size_t len)
{
	const struct q *Q = arg;
	const struct ctx *c = &Q->c;
	const int cols[] = { c->itemscol, c->holdcol };

	if (c->subjcol >= 0 && Q->in.len[c->subjcol] == len &&
	    memcmp(Q->in.f[c->subjcol], id, len) == 0)
		return 1;
	for (int k = 0; k < 2; k++) {
		const char *p, *end, *item;
		size_t n;

		if (cols[k] < 0)
			continue;
		p = Q->in.f[cols[k]];
		end = p + Q->in.len[cols[k]];
		while (list_next(&p, end, &item, &n))
			if (n == len && memcmp(item, id, len) == 0)
				return 1;
	}
	return 0;
}

/* ---- candidates from relations ---- */

static uint32_t
slot_get(struct q *Q, uint32_t cand, uint32_t type, uint32_t src)
{
	struct ctx *c = &Q->c;
	uint32_t s, first = NONE;
	struct slot *sl;

	if (c->it[cand].slot == c->gen) {
		first = c->it[cand].head;
		for (s = first; s != NONE; s = c->slot[s].next)
			if (c->slot[s].type == type && c->slot[s].src == src)
				return s;
	}
	if (c->nslot == c->capslot) {
		c->capslot = c->capslot ? c->capslot * 2 : 256;
		c->slot = xreallocarray(c->slot, c->capslot, sizeof *c->slot);
	}
	if (((size_t)c->nslot + 1) * c->words > c->capbits) {
		c->capbits = ((size_t)c->nslot + 1) * c->words * 2;
		c->bits = xreallocarray(c->bits, c->capbits, sizeof *c->bits);
	}
	memset(c->bits + (size_t)c->nslot * c->words, 0,
	    c->words * sizeof *c->bits);
	s = c->nslot++;
	sl = &c->slot[s];
	sl->cand = cand;
	sl->type = type;
	sl->src = src;
	sl->head = NONE;
	sl->nlink = 0;
	sl->oos = 0;
	sl->next = first;
	c->it[cand].head = s;
	c->it[cand].slot = c->gen;
	return s;
}

/* A link reaches the candidate e->linked from subj, supported by the
 * context's items at indexes sup[0..nsup). */
static void
link_add(struct q *Q, const struct edge *e, uint32_t subj,
    const uint32_t *sup, uint32_t nsup)
{
	struct ctx *c = &Q->c;
	uint32_t s;
	struct link *l;

	if (Q->o.typemask && (e->type >= TYPE_BUNDLE + 1 ||
	    !(Q->o.typemask & (1u << e->type))))
		return;
	if (c->it[e->linked].in == c->gen)
		return;		/* in the cart, or the subject itself */
	s = slot_get(Q, e->linked, e->type, e->src);
	if (c->nlink == c->caplink) {
		c->caplink = c->caplink ? c->caplink * 2 : 256;
		c->link = xreallocarray(c->link, c->caplink, sizeof *c->link);
	}
	l = &c->link[c->nlink];
	l->e = e;
	l->subj = subj;
	l->next = c->slot[s].head;
	c->slot[s].head = c->nlink++;
	c->slot[s].nlink++;
	for (uint32_t k = 0; k < nsup; k++)
		c->bits[(size_t)s * c->words + sup[k] / 64] |=
		    UINT64_C(1) << (sup[k] % 64);
	if (e->type == TYPE_SUBSTITUTE && Q->avail[subj] == AV_NO)
		c->slot[s].oos = 1;
}

/* Every candidate of the context, in the order first reached. */
static void
expand(struct q *Q)
{
	struct ctx *c = &Q->c;
	struct rels *R = &Q->R;
	uint32_t *sup = NULL, capsup = 0;

	for (uint32_t i = 0; i < c->nexp; i++) {
		uint32_t x = c->exp[i];

		for (uint32_t k = R->start[x]; k < R->start[x + 1]; k++)
			__builtin_prefetch(&c->it[R->e[k].linked], 1);
		for (uint32_t k = R->start[x]; k < R->start[x + 1]; k++)
			link_add(Q, &R->e[k], x, &i, 1);
		for (uint32_t k = R->istart[x]; k < R->istart[x + 1]; k++) {
			const struct body *b = &R->body[R->ibody[k]];
			uint32_t j;

			if (b->nitem > capsup) {
				capsup = b->nitem;
				sup = xreallocarray(sup, capsup, sizeof *sup);
			}
			for (j = 0; j < b->nitem; j++) {
				uint32_t it = R->bitem[b->item0 + j];

				if (c->it[it].in != c->gen)
					break;
				sup[j] = c->it[it].idx;
			}
			if (j < b->nitem)
				continue;
			for (uint32_t m = R->bstart[R->ibody[k]];
			    m < R->bstart[R->ibody[k] + 1]; m++)
				link_add(Q, &R->e[m], x, sup, b->nitem);
		}
	}
	free(sup);
}

/* Is link a better than link b? Curated before learned, then the lower
 * position, the higher confidence, the earlier row. */
static int
better(const struct link *a, const struct link *b)
{
	const struct edge *x = a->e, *y = b->e;
	int mx = x->src == SOURCE_MANAGED, my = y->src == SOURCE_MANAGED;

	if (mx != my)
		return mx;
	if (!isnan(x->pos) || !isnan(y->pos)) {
		if (isnan(y->pos) || (!isnan(x->pos) && x->pos < y->pos))
			return 1;
		if (isnan(x->pos) || y->pos < x->pos)
			return 0;
	}
	if (!isnan(x->conf) || !isnan(y->conf)) {
		if (isnan(y->conf) || (!isnan(x->conf) && x->conf > y->conf))
			return 1;
		if (isnan(x->conf) || y->conf > x->conf)
			return 0;
	}
	return x->seq < y->seq;
}

/* ---- a candidate's own columns ---- */

static void
edge_fill(const struct rels *R, const struct edge *e, char **v, size_t *len)
{
	char *p = R->pool.s + e->vals;

	for (int k = 0; k < R->ncols; k++) {
		if (k < e->nvals) {
			v[k] = p;
			len[k] = strlen(p);
			p += len[k] + 1;
		} else {
			v[k] = "";
			len[k] = 0;
		}
	}
}

/* The link with the largest value of conf or lift, or -1. */
static int
link_max(const struct q *Q, uint32_t n, int lift)
{
	int best = -1;
	double bv = 0;

	for (uint32_t i = 0; i < n; i++) {
		const struct edge *e = Q->c.link[Q->lk[i]].e;
		double v = lift ? e->lift : e->conf;

		if (!isnan(v) && (best < 0 || v > bv)) {
			best = (int)i;
			bv = v;
		}
	}
	return best;
}

static void
set_own(struct q *Q, int k, const char *s, size_t len)
{
	Q->ov[k] = (char *)s;
	Q->ol[k] = len;
}

/* The catalog's columns appended for later stages. */
static void
extra_values(struct q *Q, uint32_t cand)
{
	uint32_t row = table_row(Q->catalog, cand);

	for (int j = 0; j < Q->nextra; j++) {
		size_t len = 0;
		const char *s = row == NONE ? "" :
		    table_cell(Q->catalog, row, Q->extra[j], &len);

		set_own(Q, Q->o_extra + j, s, len);
	}
}

/* The links of a slot, best first (a handful: insertion sort). */
static uint32_t
slot_links(struct q *Q, const struct slot *s)
{
	const struct ctx *c = &Q->c;
	uint32_t n = 0;

	if (s->nlink > Q->caplk) {
		Q->caplk = s->nlink * 2;
		Q->lk = xreallocarray(Q->lk, Q->caplk, sizeof *Q->lk);
	}
	for (uint32_t l = s->head; l != NONE; l = c->link[l].next) {
		uint32_t j = n++;

		while (j > 0 && better(&c->link[l], &c->link[Q->lk[j - 1]])) {
			Q->lk[j] = Q->lk[j - 1];
			j--;
		}
		Q->lk[j] = l;
	}
	return n;
}

/*
 * The own columns of a relation candidate: the best link's columns, a
 * column the best link lacks from the next best that has it, confidence
 * and lift the largest among the links. Returns the best link's subject.
 */
static uint32_t
slot_values(struct q *Q, const struct slot *s)
{
	const struct rels *R = &Q->R;
	uint32_t n = slot_links(Q, s);
	size_t nc = (size_t)R->ncols, need = n * nc + 1;
	const struct edge *best = Q->c.link[Q->lk[0]].e;

	if (need > Q->caplv) {
		Q->caplv = need * 2;
		Q->lv = xreallocarray(Q->lv, Q->caplv, sizeof *Q->lv);
		Q->ll = xreallocarray(Q->ll, Q->caplv, sizeof *Q->ll);
	}
	for (uint32_t i = 0; i < n; i++)
		edge_fill(R, Q->c.link[Q->lk[i]].e, Q->lv + i * nc, Q->ll + i * nc);
	set_own(Q, 1, intern_str(&Q->items, s->cand), intern_len(&Q->items, s->cand));
	set_own(Q, 2, intern_str(&Q->sources, best->src),
	    intern_len(&Q->sources, best->src));
	set_own(Q, 3, intern_str(&Q->types, s->type), intern_len(&Q->types, s->type));
	for (int j = 0; j < Q->nrel_out; j++) {
		int k = Q->relmap[j];
		int i = n == 1 ? -1 : k == R->conf ? link_max(Q, n, 0)
		    : k == R->lift ? link_max(Q, n, 1) : -1;

		if (i < 0)
			for (i = 0; i + 1 < (int)n && Q->ll[(size_t)i * nc + k] == 0; i++)
				;
		set_own(Q, Q->o_rel + j, Q->lv[(size_t)i * nc + k],
		    Q->ll[(size_t)i * nc + k]);
	}
	if (Q->pos_added)
		set_own(Q, Q->o_pos, "", 0);
	if (Q->o_support >= 0) {
		const uint64_t *b = Q->c.bits + (size_t)(s - Q->c.slot) * Q->c.words;
		uint32_t cnt = 0;

		for (uint32_t w = 0; w < Q->c.words; w++)
			cnt += (uint32_t)__builtin_popcountll(b[w]);
		set_own(Q, Q->o_support, Q->numbuf, num_fmt(cnt, Q->numbuf));
	}
	extra_values(Q, s->cand);
	return Q->c.link[Q->lk[0]].subj;
}

static void
offer_values(struct q *Q, uint32_t row)
{
	struct table *t = Q->offers;
	uint32_t type = Q->offer_typeid[row];
	size_t len;
	const char *s = table_cell(t, row, t->key, &len);

	set_own(Q, 1, s, len);
	set_own(Q, 2, intern_str(&Q->sources, SOURCE_OFFER),
	    intern_len(&Q->sources, SOURCE_OFFER));
	set_own(Q, 3, intern_str(&Q->types, type), intern_len(&Q->types, type));
	for (int j = 0; j < Q->nrel_out; j++) {
		s = table_cell(t, row, Q->relmap[j], &len);
		set_own(Q, Q->o_rel + j, s, len);
	}
	extra_values(Q, t->item[row]);
}

/* A best seller's own columns: no relation's, its place in the list as
 * position (for xsell-rank --keep-order popular), no supporting item. */
static void
popular_values(struct q *Q, uint32_t cand, uint32_t place)
{
	set_own(Q, 1, intern_str(&Q->items, cand), intern_len(&Q->items, cand));
	set_own(Q, 2, intern_str(&Q->sources, SOURCE_POPULAR),
	    intern_len(&Q->sources, SOURCE_POPULAR));
	set_own(Q, 3, intern_str(&Q->types, TYPE_CROSS_SELL),
	    intern_len(&Q->types, TYPE_CROSS_SELL));
	for (int j = 0; j < Q->nrel_out; j++)
		set_own(Q, Q->o_rel + j, "", 0);
	set_own(Q, Q->o_pos, Q->numbuf, num_fmt(place, Q->numbuf));
	if (Q->o_support >= 0)
		set_own(Q, Q->o_support, "0", 1);
	extra_values(Q, cand);
}

/* ---- qualification and output ---- */

static void
rule_env_fill(struct q *Q, struct rule_env *env, uint32_t cand,
    uint32_t subj, uint32_t offer_row)
{
	uint32_t row;

	memset(env, 0, sizeof *env);
	env->v[SRC_CTX] = Q->in.f;
	env->len[SRC_CTX] = Q->in.len;
	env->v[SRC_OWN] = Q->ov;
	env->len[SRC_OWN] = Q->ol;
	env->owns = ctx_owns;
	env->arg = Q;
	if (Q->need_offer && offer_row != NONE) {
		table_fill(Q->offers, offer_row);
		env->v[SRC_OFFER] = Q->offers->v;
		env->len[SRC_OFFER] = Q->offers->len;
		env->num[SRC_OFFER] = Q->offers->num +
		    (size_t)offer_row * (size_t)Q->offers->ncols;
	}
	if (Q->need_cand && (row = table_row(Q->catalog, cand)) != NONE) {
		table_fill(Q->catalog, row);
		env->v[SRC_CAND] = Q->catalog->v;
		env->len[SRC_CAND] = Q->catalog->len;
		env->num[SRC_CAND] = Q->catalog->num +
		    (size_t)row * (size_t)Q->catalog->ncols;
	}
	if (Q->need_subj && (row = table_row(Q->catalog, subj)) != NONE) {
		struct table *t = Q->catalog;

		if (row != Q->sv_row)	/* the same for a page's candidates */
			for (int k = 0; k < t->ncols; k++)
				Q->sv[k] = (char *)table_cell(t, row, k, &Q->sl[k]);
		Q->sv_row = row;
		env->v[SRC_SUBJ] = Q->sv;
		env->len[SRC_SUBJ] = Q->sl;
		env->num[SRC_SUBJ] = t->num + (size_t)row * (size_t)t->ncols;
	}
}

/* Which check drops the candidate: a built-in, NBUILTIN + a rule, or -1. */
static int
qualify(struct q *Q, uint32_t cand, uint32_t type, int oos, uint32_t subj,
    uint32_t offer_row)
{
	struct rule_env env;
	int r;

	if (!Q->offers && type == TYPE_SUBSTITUTE && !oos)
		return B_SUBSTITUTE;
	if (Q->o.exclude_owned && Q->c.it[cand].own == Q->c.gen)
		return B_OWNED;
	if (Q->o.in_stock && Q->avail[cand] != AV_YES)
		return B_STOCK;
	if (!Q->nrule)
		return -1;
	rule_env_fill(Q, &env, cand, subj, offer_row);
	r = rules_first_failing(Q, cand, type, &env);
	return r < 0 ? -1 : NBUILTIN + r;
}

/* Qualifies the candidate in Q->ov and writes it where it goes;
 * 1 when kept. */
static int
emit(struct q *Q, uint32_t cand, uint32_t type, int oos, uint32_t subj,
    uint32_t offer_row, uint32_t counter)
{
	int why = qualify(Q, cand, type, oos, subj, offer_row);
	const char *name;

	Q->before[counter]++;
	if (why < 0) {
		Q->after[counter]++;
		wr_row(&Q->w, Q->ov, Q->ol);
		return 1;
	}
	if (why < NBUILTIN) {
		Q->builtin_rejected[why]++;
		name = builtin_name[why];
	} else {
		Q->rule[why - NBUILTIN].rejected++;
		name = Q->rule[why - NBUILTIN].name;
	}
	if (Q->frej) {
		set_own(Q, Q->nown + Q->nkeep, name, strlen(name));
		wr_row(&Q->wrej, Q->ov, Q->ol);
	}
	return 0;
}

static int
offer_wanted(const struct q *Q, uint32_t row)
{
	uint32_t t = Q->offer_typeid[row];

	return Q->offer_active[row] && (!Q->o.typemask ||
	    (t <= TYPE_BUNDLE && (Q->o.typemask & (1u << t))));
}

/* The candidates' catalog rows are far apart in memory: asking for them
 * all before the first is needed overlaps the waits. */
static void
prefetch_rows(const struct q *Q)
{
	const struct table *t = Q->catalog;
	const struct ctx *c = &Q->c;

	if (!t)
		return;
	for (uint32_t s = 0; s < c->nslot; s++) {
		uint32_t row = table_row(t, c->slot[s].cand);
		size_t at = (size_t)row * (size_t)t->ncols;

		if (row == NONE)
			continue;
		__builtin_prefetch(t->off + at);
		__builtin_prefetch(t->pool.s + t->off[at]);
		if (t->num)
			__builtin_prefetch(t->num + at);
	}
}

static int emit(struct q *Q, uint32_t cand, uint32_t type, int oos,
    uint32_t subj, uint32_t offer_row, uint32_t counter);

/*
 * The best sellers, after the links: candidates of source popular and
 * type cross_sell under the same checks as the links, best first, until
 * --max-popular of them qualified. Never what the context expands from
 * (the page's subject, the cart's items, the customer's holdings), as
 * for links; a page's subject is the subject of subject.x rules.
 */
static void
popular_cands(struct q *Q, uint32_t *found, uint32_t *kept)
{
	struct ctx *c = &Q->c;
	uint32_t subj = c->kind == K_PAGE && c->nexp ? c->exp[0] : NONE;
	int64_t n = 0;

	if (Q->o.typemask && !(Q->o.typemask & (1u << TYPE_CROSS_SELL)))
		return;
	for (uint32_t i = 0; i < Q->pop.n && n < Q->o.max_popular; i++) {
		uint32_t cand = Q->pop_item[i];

		if (c->it[cand].in == c->gen)
			continue;
		popular_values(Q, cand, i + 1);
		(*found)++;
		Q->pop_before++;
		if (emit(Q, cand, TYPE_CROSS_SELL, 0, subj, NONE,
		    TYPE_CROSS_SELL)) {
			n++;
			Q->pop_after++;
		}
	}
	*kept += (uint32_t)n;
}

/* Is the list item at item one of the items before it in the list? */
static int
listed_before(const char *s, const char *item, size_t n)
{
	const char *p = s, *it;
	size_t len;

	while (list_next(&p, item, &it, &len) && it < item)
		if (len == n && memcmp(it, item, n) == 0)
			return 1;
	return 0;
}

/*
 * An offer is one placement per channel: a channel list (email,in_app)
 * makes a candidate row for each channel, checked on its own (a rule may
 * read candidate.channel), so that xsell-score weighs each by its
 * channel's weights and xsell-rank --per channel fills each list.
 */
static void
offer_placements(struct q *Q, uint32_t row, uint32_t *found, uint32_t *kept)
{
	const char *s, *p, *end, *item;
	size_t n;
	int any = 0;

	offer_values(Q, row);
	s = Q->o_channel >= 0 ? Q->ov[Q->o_channel] : "";
	end = s + (Q->o_channel >= 0 ? Q->ol[Q->o_channel] : 0);
	for (p = s; memchr(s, ',', (size_t)(end - s)) &&
	    list_next(&p, end, &item, &n);) {
		if (listed_before(s, item, n))
			continue;
		set_own(Q, Q->o_channel, item, n);
		(*found)++;
		*kept += (uint32_t)emit(Q, Q->offers->item[row],
		    Q->offer_typeid[row], 0, NONE, row, row);
		any = 1;
	}
	if (any)
		return;
	/* One channel, none, or a list of nothing but commas. */
	if (Q->o_channel >= 0 && memchr(s, ',', (size_t)(end - s)))
		set_own(Q, Q->o_channel, "", 0);
	(*found)++;
	*kept += (uint32_t)emit(Q, Q->offers->item[row], Q->offer_typeid[row],
	    0, NONE, row, row);
}

/* One context: its candidates, qualified. */
static void
context(struct q *Q)
{
	struct ctx *c = &Q->c;
	uint32_t found = 0, kept = 0;

	ctx_begin(Q);
	set_own(Q, 0, Q->in.f[c->idcol], Q->in.len[c->idcol]);
	for (int j = 0; j < Q->nkeep; j++)
		set_own(Q, Q->nown + j, Q->in.f[Q->keep[j]], Q->in.len[Q->keep[j]]);
	if (Q->offers) {
		for (uint32_t row = 0; row < Q->offers->nrows; row++) {
			if (offer_wanted(Q, row))
				offer_placements(Q, row, &found, &kept);
		}
	} else {
		expand(Q);
		prefetch_rows(Q);
		for (uint32_t s = 0; s < c->nslot; s++) {
			const struct slot *sl = &c->slot[s];
			uint32_t subj = slot_values(Q, sl);

			found++;
			kept += (uint32_t)emit(Q, sl->cand, sl->type, sl->oos, subj,
			    NONE, sl->type);
		}
		if (Q->o.popular)
			popular_cands(Q, &found, &kept);
	}
	Q->none_found += found == 0;
	Q->none_kept += found > 0 && kept == 0;
}

static void
contexts(struct q *Q)
{
	struct progress pr;

	progress_init(&pr, "contexts");
	progress_input(&pr, &Q->in);
	while (rec_next(&Q->in) == REC_ROW) {
		progress_tick(&pr, ++Q->contexts);
		if (Q->in.len[Q->c.idcol] == 0) {
			if (!Q->noid++)
				Q->firstnoid = Q->in.line;
			continue;
		}
		context(Q);
	}
	progress_done(&pr);
}

/* ---- output columns ---- */

static int
add_own(struct q *Q, const char *name)
{
	if (own_col(Q, name) >= 0)
		return -1;
	Q->own = xreallocarray(Q->own, (size_t)Q->nown + 1, sizeof *Q->own);
	Q->own[Q->nown] = xstrdup(name);
	return Q->nown++;
}

static int
skipped_offer_col(const struct table *t, int k)
{
	static const char *const skip[] = { "status", "type", "source", NULL };

	if (k == t->key)
		return 1;
	for (int i = 0; skip[i]; i++)
		if (strcmp(t->cols[k], skip[i]) == 0)
			return 1;
	return 0;
}

/*
 * context_id, candidate_id, source, type; the relations' (or offers')
 * columns; support_items for carts; the candidate's category, price and
 * cost from the catalog; then the context's columns not named as one of
 * these.
 */
static void
out_columns(struct q *Q)
{
	static const char *const fixed[] = {
		"context_id", "candidate_id", "source", "type"
	};
	static const char *const extras[] = { "category", "price", "cost" };
	int n = Q->offers ? Q->offers->ncols : Q->R.ncols;
	char **names;

	for (int i = 0; i < 4; i++)
		add_own(Q, fixed[i]);
	Q->o_rel = Q->nown;
	Q->relmap = xcalloc((size_t)n + 1, sizeof *Q->relmap);
	for (int k = 0; k < n; k++) {
		if (Q->offers ? skipped_offer_col(Q->offers, k) ||
		    add_own(Q, Q->offers->cols[k]) < 0 : add_own(Q, Q->R.cols[k]) < 0)
			continue;
		Q->relmap[Q->nrel_out++] = k;
	}
	Q->o_channel = Q->offers ? own_col(Q, "channel") : -1;
	Q->o_pos = own_col(Q, "position");
	if (Q->o.popular && Q->o_pos < 0) {
		Q->o_pos = add_own(Q, "position");
		Q->pos_added = 1;
	}
	Q->o_support = !Q->offers && Q->c.kind != K_PAGE ?
	    add_own(Q, "support_items") : -1;
	Q->o_extra = Q->nown;
	Q->extra = xcalloc(4, sizeof *Q->extra);
	for (int i = 0; i < 3; i++) {
		int k = table_col(Q->catalog, extras[i]);

		if (k >= 0 && add_own(Q, extras[i]) >= 0)
			Q->extra[Q->nextra++] = k;
	}
	Q->keep = xcalloc((size_t)Q->in.ncols + 1, sizeof *Q->keep);
	for (int k = 0; k < Q->in.ncols; k++)
		if (own_col(Q, Q->in.cols[k]) < 0)
			Q->keep[Q->nkeep++] = k;
	n = Q->nown + Q->nkeep;
	Q->ov = xcalloc((size_t)n + 1, sizeof *Q->ov);
	Q->ol = xcalloc((size_t)n + 1, sizeof *Q->ol);
	names = xcalloc((size_t)n + 1, sizeof *names);
	for (int k = 0; k < Q->nown; k++)
		names[k] = Q->own[k];
	for (int j = 0; j < Q->nkeep; j++)
		names[Q->nown + j] = Q->in.cols[Q->keep[j]];
	names[n] = "rejected_by";
	Q->names = names;
	Q->sv_row = NONE;
	if (Q->catalog) {
		Q->sv = xcalloc((size_t)Q->catalog->ncols + 1, sizeof *Q->sv);
		Q->sl = xcalloc((size_t)Q->catalog->ncols + 1, sizeof *Q->sl);
	}
}

/* The output files, once every warning about the rules is out. */
static void
out_start(struct q *Q)
{
	int n = Q->nown + Q->nkeep;

	Q->fout = out_open(Q->o.out);
	wr_open(&Q->w, Q->fout, Q->o.json, n, Q->names);
	wr_type(&Q->w, Q->o_support, WR_NUM);
	if (Q->o.rejected) {
		Q->frej = out_open(Q->o.rejected);
		wr_open(&Q->wrej, Q->frej, Q->o.json, n + 1, Q->names);
		wr_type(&Q->wrej, Q->o_support, WR_NUM);
	}
	free(Q->names);
	Q->names = NULL;
}

/* ---- -v ---- */

static void
report(struct q *Q)
{
	uint64_t total = 0, kept = 0;

	note("contexts: %llu read, %llu without any candidate, %llu with none "
	    "qualified", (unsigned long long)Q->contexts,
	    (unsigned long long)Q->none_found, (unsigned long long)Q->none_kept);
	if (Q->offers) {
		uint32_t inactive = 0;

		for (uint32_t row = 0; row < Q->offers->nrows; row++) {
			size_t len;
			const char *id = table_cell(Q->offers, row, Q->offers->key, &len);

			if (!Q->offer_active[row]) {
				inactive++;
				continue;
			}
			note("offer %s: %llu candidates, %llu qualified", id,
			    (unsigned long long)Q->before[row],
			    (unsigned long long)Q->after[row]);
		}
		if (inactive)
			note("offers: %u inactive, never candidates", inactive);
	} else {
		for (uint32_t t = 0; t < Q->nbefore; t++)
			if (Q->before[t])
				note("type %s: %llu candidates, %llu qualified",
				    intern_str(&Q->types, t),
				    (unsigned long long)Q->before[t],
				    (unsigned long long)Q->after[t]);
		if (Q->o.popular)
			note("source popular: %llu candidates, %llu qualified "
			    "(at most %lld a context)",
			    (unsigned long long)Q->pop_before,
			    (unsigned long long)Q->pop_after,
			    (long long)Q->o.max_popular);
	}
	for (uint32_t t = 0; t < Q->nbefore; t++) {
		total += Q->before[t];
		kept += Q->after[t];
	}
	note("candidates: %llu, %llu qualified, %llu rejected",
	    (unsigned long long)total, (unsigned long long)kept,
	    (unsigned long long)(total - kept));
	for (int b = 0; b < NBUILTIN; b++)
		if (Q->builtin_rejected[b])
			note("rule %s: %llu rejected", builtin_name[b],
			    (unsigned long long)Q->builtin_rejected[b]);
	for (int i = 0; i < Q->nrule; i++) {
		const struct qrule *r = &Q->rule[i];

		if (strcmp(r->file, "-r") == 0)
			note("rule %s: %llu rejected", r->name,
			    (unsigned long long)r->rejected);
		else
			note("rule %s (%s:%ld): %llu rejected", r->name, r->file,
			    r->line, (unsigned long long)r->rejected);
	}
}

/* ---- options and main ---- */

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

		mask |= 1u << opt_word("--type", w, known_types);
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
options(struct opts *o, int argc, char **argv)
{
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
		case 'j': o->json = 1; break;
		case 'o': o->out = optarg; break;
		case 'q': xs_quiet = 1; break;
		case 'v': xs_verbose = 1; break;
		case 'h':
			fputs(usage_text, stdout);
			fputs(help_text, stdout);
			exit(xs_finish(XS_OK));
		case 'V': xs_version();
		default: usage_die(usage_text);
		}
	}
	if (o->offers && (o->nrelations || o->popular)) {
		warnx("--%s and --offers do not go together", o->nrelations ?
		    "relations" : "popular");
		usage_die(usage_text);
	}
	if (!o->offers && !o->nrelations && !o->popular) {
		warnx("give --relations FILE, --popular FILE or --offers FILE");
		usage_die(usage_text);
	}
	if (o->max_popular && !o->popular)
		die(XS_USAGE, "option --max-popular needs --popular");
	if (!o->max_popular)
		o->max_popular = MAX_POPULAR;
}

static void
load(struct q *Q)
{
	for (int i = 0; i < Q->o.nrelations; i++)
		rels_load(Q, Q->o.relations[i]);
	if (Q->o.popular) {
		popular_load(&Q->pop, Q->o.popular);
		Q->pop_item = xcalloc((size_t)Q->pop.n + 1, sizeof *Q->pop_item);
		for (uint32_t i = 0; i < Q->pop.n; i++) {
			size_t len;
			const char *id = popular_id(&Q->pop, i, &len);

			Q->pop_item[i] = intern_put(&Q->items, id, len);
		}
	}
	if (Q->o.offers)
		Q->offers = table_load(Q->o.offers, "offer_id", &Q->items);
	if (Q->o.catalog)
		Q->catalog = table_load(Q->o.catalog, "product_id", &Q->items);
	Q->nitems = Q->items.n;
	if (Q->offers) {
		table_cover(Q->offers, Q->nitems);
		offers_facts(Q);
		Q->nbefore = Q->offers->nrows;
	}
	if (Q->catalog)
		table_cover(Q->catalog, Q->nitems);
	if (!Q->offers)
		rels_build(Q);
	catalog_facts(Q);
	if (!Q->offers)
		Q->nbefore = Q->types.n;
	Q->before = xcalloc((size_t)Q->nbefore + 1, sizeof *Q->before);
	Q->after = xcalloc((size_t)Q->nbefore + 1, sizeof *Q->after);
}

static void
q_free(struct q *Q)
{
	struct ctx *c = &Q->c;

	for (int i = 0; i < Q->nrule; i++) {
		struct qrule *r = &Q->rule[i];

		rule_free(&r->r);
		free(r->name);
		free(r->file);
		free(r->text);
		free(r->types);
		for (int k = 0; k < r->nids; k++)
			free(r->ids[k]);
		free(r->ids);
	}
	free(Q->rule);
	free(Q->gen);
	free(Q->idstart);
	free(Q->idrule);
	rels_free(&Q->R);
	if (Q->o.popular) {
		popular_free(&Q->pop);
		free(Q->pop_item);
	}
	table_free(Q->catalog);
	table_free(Q->offers);
	free(Q->avail);
	free(Q->offer_active);
	free(Q->offer_typeid);
	for (int k = 0; k < Q->nown; k++)
		free(Q->own[k]);
	free(Q->own);
	free(Q->relmap);
	free(Q->extra);
	free(Q->keep);
	free(Q->ov);
	free(Q->ol);
	free(Q->lk);
	free(Q->lv);
	free(Q->ll);
	free(Q->sv);
	free(Q->sl);
	free(Q->before);
	free(Q->after);
	free(c->it);
	free(c->exp);
	free(c->slot);
	free(c->link);
	free(c->bits);
	intern_free(&Q->items);
	intern_free(&Q->types);
	intern_free(&Q->sources);
	free(Q->o.relations);
	free(Q->o.exprs);
}

int
main(int argc, char **argv)
{
	static struct q Q;
	int status = XS_OK;

	xs_init(argv[0]);
	intern_init(&Q.items);
	intern_init(&Q.types);
	intern_init(&Q.sources);
	intern_init(&Q.R.bodykey);
	for (int i = 0; known_types[i]; i++)
		intern_put(&Q.types, known_types[i], strlen(known_types[i]));
	intern_put(&Q.sources, "managed", 7);
	intern_put(&Q.sources, "offer", 5);
	intern_put(&Q.sources, "popular", 7);
	options(&Q.o, argc, argv);
	/* Rules first: a typo is reported before any large file is read. */
	if (Q.o.rules)
		rules_load(&Q, Q.o.rules);
	rules_exprs(&Q);
	load(&Q);
	rec_open(&Q.in, argc - optind, argv + optind);
	ctx_open(&Q);
	out_columns(&Q);
	rules_bind(&Q);
	out_start(&Q);
	contexts(&Q);
	wr_close(&Q.w);
	if (Q.frej) {
		wr_close(&Q.wrej);
		out_close(Q.frej);
	}
	out_close(Q.fout);
	if (xs_verbose)
		report(&Q);
	if (Q.noid) {
		warnx("%s:%ld: %llu contexts without an id skipped (the first "
		    "here)", Q.in.name, Q.firstnoid, (unsigned long long)Q.noid);
		status = XS_DATA;
	}
	rec_close(&Q.in);
	q_free(&Q);
	return xs_finish(status);
}
