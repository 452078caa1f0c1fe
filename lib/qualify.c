/*
 * qualify.c: the engine of xsell-qualify, candidate generation and
 * eligibility rules.
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
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "qualify-internal.h"
#include "buf.h"
#include "num.h"
#include "rec.h"
#include "writer.h"
#include "out.h"
#include "intern.h"

const char *const qualify_types[] = {
	"cross_sell", "upsell", "substitute", "bundle", NULL
};

/* The built-in checks, as named in --rejected. */
static const char *const builtin_name[] = {
	"substitute", "exclude-owned", "in-stock"
};

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
ctx_open(struct qualify *Q)
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
ctx_items(struct qualify *Q, int col, int list, int expand)
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
ctx_begin(struct qualify *Q)
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
	const struct qualify *Q = arg;
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
slot_get(struct qualify *Q, uint32_t cand, uint32_t type, uint32_t src)
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
link_add(struct qualify *Q, const struct rel_link *e, uint32_t subj,
    const uint32_t *sup, uint32_t nsup)
{
	struct ctx *c = &Q->c;
	uint32_t s;
	struct cand_link *l;

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
expand(struct qualify *Q)
{
	struct ctx *c = &Q->c;
	struct relations *R = &Q->R;
	uint32_t *sup = NULL, capsup = 0;

	for (uint32_t i = 0; i < c->nexp; i++) {
		uint32_t x = c->exp[i];

		for (uint32_t k = R->start[x]; k < R->start[x + 1]; k++)
			__builtin_prefetch(&c->it[R->e[k].linked], 1);
		for (uint32_t k = R->start[x]; k < R->start[x + 1]; k++)
			link_add(Q, &R->e[k], x, &i, 1);
		for (uint32_t k = R->istart[x]; k < R->istart[x + 1]; k++) {
			const struct rel_body *b = &R->body[R->ibody[k]];
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
better(const struct cand_link *a, const struct cand_link *b)
{
	const struct rel_link *x = a->e, *y = b->e;
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
edge_fill(const struct relations *R, const struct rel_link *e, char **v,
    size_t *len)
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
link_max(const struct qualify *Q, uint32_t n, int lift)
{
	int best = -1;
	double bv = 0;

	for (uint32_t i = 0; i < n; i++) {
		const struct rel_link *e = Q->c.link[Q->lk[i]].e;
		double v = lift ? e->lift : e->conf;

		if (!isnan(v) && (best < 0 || v > bv)) {
			best = (int)i;
			bv = v;
		}
	}
	return best;
}

static void
set_own(struct qualify *Q, int k, const char *s, size_t len)
{
	Q->ov[k] = (char *)s;
	Q->ol[k] = len;
}

/* The catalog's columns appended for later stages. */
static void
extra_values(struct qualify *Q, uint32_t cand)
{
	uint32_t row = catalog_row_of(Q->catalog, cand);

	for (int j = 0; j < Q->nextra; j++) {
		size_t len = 0;
		const char *s = row == NONE ? "" :
		    catalog_cell(Q->catalog, row, Q->extra[j], &len);

		set_own(Q, Q->o_extra + j, s, len);
	}
}

/* The links of a slot, best first (a handful: insertion sort). */
static uint32_t
slot_links(struct qualify *Q, const struct slot *s)
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
slot_values(struct qualify *Q, const struct slot *s)
{
	const struct relations *R = &Q->R;
	uint32_t n = slot_links(Q, s);
	size_t nc = (size_t)R->ncols, need = n * nc + 1;
	const struct rel_link *best = Q->c.link[Q->lk[0]].e;

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
offer_values(struct qualify *Q, uint32_t row)
{
	struct catalog *t = Q->offers;
	uint32_t type = Q->offer_typeid[row];
	size_t len;
	const char *s = catalog_cell(t, row, t->keycol, &len);

	set_own(Q, 1, s, len);
	set_own(Q, 2, intern_str(&Q->sources, SOURCE_OFFER),
	    intern_len(&Q->sources, SOURCE_OFFER));
	set_own(Q, 3, intern_str(&Q->types, type), intern_len(&Q->types, type));
	for (int j = 0; j < Q->nrel_out; j++) {
		s = catalog_cell(t, row, Q->relmap[j], &len);
		set_own(Q, Q->o_rel + j, s, len);
	}
	extra_values(Q, t->item[row]);
}

/* A best seller's own columns: no relation's, its place in the list as
 * position (for xsell-rank --keep-order popular), no supporting item. */
static void
popular_values(struct qualify *Q, uint32_t cand, uint32_t place)
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
rule_env_fill(struct qualify *Q, struct rule_env *env, uint32_t cand,
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
		catalog_cells(Q->offers, offer_row, Q->offer_v, Q->offer_len);
		env->v[SRC_OFFER] = Q->offer_v;
		env->len[SRC_OFFER] = Q->offer_len;
		env->num[SRC_OFFER] = Q->offers->cellnum +
		    (size_t)offer_row * (size_t)Q->offers->ncols;
	}
	if (Q->need_cand && (row = catalog_row_of(Q->catalog, cand)) != NONE) {
		catalog_cells(Q->catalog, row, Q->cand_v, Q->cand_len);
		env->v[SRC_CAND] = Q->cand_v;
		env->len[SRC_CAND] = Q->cand_len;
		env->num[SRC_CAND] = Q->catalog->cellnum +
		    (size_t)row * (size_t)Q->catalog->ncols;
	}
	if (Q->need_subj && (row = catalog_row_of(Q->catalog, subj)) != NONE) {
		struct catalog *t = Q->catalog;

		if (row != Q->sv_row)	/* the same for a page's candidates */
			for (int k = 0; k < t->ncols; k++)
				Q->sv[k] = (char *)catalog_cell(t, row, k, &Q->sl[k]);
		Q->sv_row = row;
		env->v[SRC_SUBJ] = Q->sv;
		env->len[SRC_SUBJ] = Q->sl;
		env->num[SRC_SUBJ] = t->cellnum + (size_t)row * (size_t)t->ncols;
	}
}

/* Which check drops the candidate: a built-in, NBUILTIN + a rule, or -1. */
static int
qualify(struct qualify *Q, uint32_t cand, uint32_t type, int oos, uint32_t subj,
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
	r = q_rules_first_failing(Q, cand, type, &env);
	return r < 0 ? -1 : NBUILTIN + r;
}

/* Qualifies the candidate in Q->ov and writes it where it goes;
 * 1 when kept. */
static int
emit(struct qualify *Q, uint32_t cand, uint32_t type, int oos, uint32_t subj,
    uint32_t offer_row, uint32_t counter)
{
	int why = qualify(Q, cand, type, oos, subj, offer_row);
	const char *name;

	Q->before[counter]++;
	if (why < 0) {
		Q->after[counter]++;
		writer_row(&Q->w, Q->ov, Q->ol);
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
		writer_row(&Q->wrej, Q->ov, Q->ol);
	}
	return 0;
}

static int
offer_wanted(const struct qualify *Q, uint32_t row)
{
	uint32_t t = Q->offer_typeid[row];

	return Q->offer_active[row] && (!Q->o.typemask ||
	    (t <= TYPE_BUNDLE && (Q->o.typemask & (1u << t))));
}

/* The candidates' catalog rows are far apart in memory: asking for them
 * all before the first is needed overlaps the waits. */
static void
prefetch_rows(const struct qualify *Q)
{
	const struct catalog *t = Q->catalog;
	const struct ctx *c = &Q->c;

	if (!t)
		return;
	for (uint32_t s = 0; s < c->nslot; s++) {
		uint32_t row = catalog_row_of(t, c->slot[s].cand);
		size_t at = (size_t)row * (size_t)t->ncols;

		if (row == NONE)
			continue;
		__builtin_prefetch(t->off + at);
		__builtin_prefetch(t->pool.s + t->off[at]);
		if (t->cellnum)
			__builtin_prefetch(t->cellnum + at);
	}
}

static int emit(struct qualify *Q, uint32_t cand, uint32_t type, int oos,
    uint32_t subj, uint32_t offer_row, uint32_t counter);

/*
 * The best sellers, after the links: candidates of source popular and
 * type cross_sell under the same checks as the links, best first, until
 * --max-popular of them qualified. Never what the context expands from
 * (the page's subject, the cart's items, the customer's holdings), as
 * for links; a page's subject is the subject of subject.x rules.
 */
static void
popular_cands(struct qualify *Q, uint32_t *found, uint32_t *kept)
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
offer_placements(struct qualify *Q, uint32_t row, uint32_t *found, uint32_t *kept)
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
context(struct qualify *Q)
{
	struct ctx *c = &Q->c;
	uint32_t found = 0, kept = 0;

	ctx_begin(Q);
	set_own(Q, 0, Q->in.f[c->idcol], Q->in.len[c->idcol]);
	for (int j = 0; j < Q->nkeep; j++)
		set_own(Q, Q->nown + j, Q->in.f[Q->keep[j]], Q->in.len[Q->keep[j]]);
	if (Q->offers) {
		for (uint32_t row = 0; row < Q->offers->n; row++) {
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

/* The reader's current row: a context without an id is counted and
 * skipped (exit 4 at the end), as the others are qualified. */
void
qualify_row(struct qualify *Q)
{
	Q->contexts++;
	if (Q->in.len[Q->c.idcol] == 0) {
		if (!Q->noid++) {
			Q->noidname = xstrdup(Q->in.name);
			Q->firstnoid = Q->in.line;
		}
		return;
	}
	context(Q);
}

/* ---- output columns ---- */

static int
add_own(struct qualify *Q, const char *name)
{
	if (q_own_col(Q, name) >= 0)
		return -1;
	Q->own = xreallocarray(Q->own, (size_t)Q->nown + 1, sizeof *Q->own);
	Q->own[Q->nown] = xstrdup(name);
	return Q->nown++;
}

static int
skipped_offer_col(const struct catalog *t, int k)
{
	static const char *const skip[] = { "status", "type", "source", NULL };

	if (k == t->keycol)
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
out_columns(struct qualify *Q)
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
	Q->o_channel = Q->offers ? q_own_col(Q, "channel") : -1;
	Q->o_pos = q_own_col(Q, "position");
	if (Q->o.popular && Q->o_pos < 0) {
		Q->o_pos = add_own(Q, "position");
		Q->pos_added = 1;
	}
	Q->o_support = !Q->offers && Q->c.kind != K_PAGE ?
	    add_own(Q, "support_items") : -1;
	Q->o_extra = Q->nown;
	Q->extra = xcalloc(4, sizeof *Q->extra);
	for (int i = 0; i < 3; i++) {
		int k = catalog_col(Q->catalog, extras[i]);

		if (k >= 0 && add_own(Q, extras[i]) >= 0)
			Q->extra[Q->nextra++] = k;
	}
	Q->keep = xcalloc((size_t)Q->in.ncols + 1, sizeof *Q->keep);
	for (int k = 0; k < Q->in.ncols; k++)
		if (q_own_col(Q, Q->in.cols[k]) < 0)
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
out_start(struct qualify *Q)
{
	int n = Q->nown + Q->nkeep;

	Q->fout = out_open(Q->o.out);
	writer_open(&Q->w, Q->fout, Q->o.json, n, Q->names);
	writer_type(&Q->w, Q->o_support, WRITER_NUM);
	if (Q->o.rejected) {
		Q->frej = out_open(Q->o.rejected);
		writer_open(&Q->wrej, Q->frej, Q->o.json, n + 1, Q->names);
		writer_type(&Q->wrej, Q->o_support, WRITER_NUM);
	}
	free(Q->names);
	Q->names = NULL;
}

/* ---- -v ---- */

static void
report(struct qualify *Q)
{
	uint64_t total = 0, kept = 0;

	note("contexts: %llu read, %llu without any candidate, %llu with none "
	    "qualified", (unsigned long long)Q->contexts,
	    (unsigned long long)Q->none_found, (unsigned long long)Q->none_kept);
	if (Q->offers) {
		uint32_t inactive = 0;

		for (uint32_t row = 0; row < Q->offers->n; row++) {
			size_t len;
			const char *id = catalog_cell(Q->offers, row, Q->offers->keycol, &len);

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

static void
q_free(struct qualify *Q)
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
	relations_free(&Q->R);
	if (Q->o.popular) {
		popular_free(&Q->pop);
		free(Q->pop_item);
	}
	q_table_free(Q->catalog);
	q_table_free(Q->offers);
	free(Q->offer_v);
	free(Q->offer_len);
	free(Q->cand_v);
	free(Q->cand_len);
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
}

struct qualify *
qualify_new(const struct qualify_opts *o)
{
	struct qualify *Q = xcalloc(1, sizeof *Q);

	Q->o = *o;
	intern_init(&Q->items);
	intern_init(&Q->types);
	intern_init(&Q->sources);
	for (int i = 0; qualify_types[i]; i++)
		intern_put(&Q->types, qualify_types[i], strlen(qualify_types[i]));
	intern_put(&Q->sources, "managed", 7);
	intern_put(&Q->sources, "offer", 5);
	intern_put(&Q->sources, "popular", 7);
	relations_init(&Q->R, &Q->items, &Q->types, &Q->sources, REL_BODIES);
	/* Rules first: a typo is reported before any large file is read. */
	if (Q->o.rules)
		q_rules_load(Q, Q->o.rules);
	q_rules_exprs(Q);
	q_load(Q);
	return Q;
}

struct rec *
qualify_open(struct qualify *Q, int nfiles, char **files)
{
	rec_open(&Q->in, nfiles, files);
	ctx_open(Q);
	out_columns(Q);
	q_rules_bind(Q);
	out_start(Q);
	return &Q->in;
}

int
qualify_close(struct qualify *Q)
{
	int status = XS_OK;

	writer_close(&Q->w);
	if (Q->frej) {
		writer_close(&Q->wrej);
		out_close(Q->frej);
	}
	out_close(Q->fout);
	if (xs_verbose)
		report(Q);
	if (Q->noid) {
		warning("%s:%ld: %llu contexts without an id skipped (the first "
		    "here)", Q->noidname, Q->firstnoid, (unsigned long long)Q->noid);
		status = XS_DATA;
		free(Q->noidname);
	}
	rec_close(&Q->in);
	q_free(Q);
	free(Q);
	return status;
}
