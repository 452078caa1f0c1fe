/* colmap.c: how xsell-import reads a merchant's header (see colmap.h). */
#include <stdlib.h>
#include <string.h>

#include "xsell.h"
#include "buf.h"
#include "intern.h"
#include "colmap.h"
#include "shopfmt.h"

/* ---- kinds and their columns ---- */

#define PRODUCT_ALIASES "productid product sku itemid item variantsku " \
	"productcode articleid article articlenumber stockcode"
#define DATE_ALIASES "ts timestamp time date datetime"

static const struct spec catalog_cols[] = {
	{ "product_id", T_ID, REQ, PRODUCT_ALIASES " id code" },
	{ "title", T_TEXT, 0, "title name productname producttitle itemname "
	    "description" },
	{ "category", T_TEXT, 0, "category categoryname productcategory "
	    "producttype department categorypath" },
	{ "brand", T_TEXT, 0, "brand brandname vendor manufacturer make" },
	{ "price", T_NUM, 0, "price unitprice saleprice regularprice "
	    "retailprice listprice variantprice" },
	{ "cost", T_NUM, 0, "cost unitcost costprice cogs purchaseprice "
	    "costperitem variantcost" },
	{ "stock", T_NUM, 0, "stock stockqty stocklevel stockquantity inventory "
	    "inventoryquantity inventoryqty variantinventoryqty onhand quantity "
	    "qty available" },
	{ "status", T_STATUS, 0, "status productstatus state" },
	{ "tier", T_TEXT, 0, "tier pricetier level grade segment" },
	{ "created", T_DATE, 0, "created createdat createdon datecreated "
	    "dateadded added launchdate publishedat" },
	{ NULL, 0, 0, NULL }
};

static const struct spec relations_cols[] = {
	{ "subject_id", T_ID, REQ, "subjectid subject mainproductid mainproduct "
	    "mainsku productid product sku parentsku parentid fromsku from "
	    "sourceproductid sourceproduct sourcesku baseproductid anchorid "
	    "itemid item" },
	{ "linked_id", T_ID, REQ, "linkedid linked linkedsku linkedproduct "
	    "linkedproductid relatedid related relatedsku relatedproduct "
	    "relatedproductid targetid target targetsku toid to tosku "
	    "recommendedid recommended recommendedsku crosssellsku upsellsku "
	    "childsku" },
	{ "type", T_LINK, 0, "type linktype relationtype relation relationship "
	    "kind" },
	{ "source", T_SOURCE, 0, "source origin" },
	{ "position", T_POS, 0, "position pos rank sortorder sort priority" },
	{ "updated", T_DATE, IFANY, "updated updatedat lastupdated modified "
	    "lastmodified updatedon modifiedat date" },
	{ "op", T_OP, OP, "op operation action change" },
	{ NULL, 0, 0, NULL }
};

static const struct spec orders_cols[] = {
	{ "order_id", T_ID, REQ, "orderid order ordernumber orderno ordernr "
	    "invoice invoiceno invoiceid invoicenumber transactionid "
	    "transaction basketid basket receiptid receipt" },
	{ "product_id", T_ID, REQ, PRODUCT_ALIASES " lineitemsku" },
	{ "customer_id", T_OPTID, 0, "customerid customer customerno "
	    "customernumber clientid client userid user shopperid buyerid "
	    "memberid accountid" },
	{ "quantity", T_NUM, 0, "quantity qty units lineitemquantity "
	    "lineitemqty count" },
	{ "price", T_NUM, 0, "price unitprice priceeach itemprice lineitemprice "
	    "saleprice" },
	{ "ts", T_DATE, 0, DATE_ALIASES " orderdate invoicedate orderedat "
	    "createdat created ordertime placedat purchasedate" },
	{ NULL, 0, 0, NULL }
};

static const struct spec customers_cols[] = {
	{ "customer_id", T_ID, REQ, "customerid customer customerno "
	    "customernumber clientid client userid user memberid accountid id" },
	{ "holdings", T_LIST, 0, "holdings holding productsheld owned "
	    "portfolio" },
	{ NULL, 0, 0, NULL }
};

static const struct spec offers_cols[] = {
	{ "offer_id", T_ID, REQ, "offerid offer offercode id code" },
	{ "status", T_STATUS, 0, "status state" },
	{ "business_value", T_PCT, 0, "businessvalue bizvalue businessscore" },
	{ "revenue_value", T_NUM, 0, "revenuevalue revenue expectedrevenue" },
	{ "category", T_TEXT, 0, "category productcategory offertype" },
	{ "channel", T_TEXT, 0, "channel channels" },
	{ NULL, 0, 0, NULL }
};

static const struct spec events_cols[] = {
	{ "context_id", T_ID, REQ, "contextid context sessionid session "
	    "requestid impressionid pageid" },
	{ "candidate_id", T_ID, REQ, "candidateid candidate recommendedid "
	    "recommended itemid item offerid offer productid product" },
	{ "group", T_GROUP, 0, "group arm variant bucket cohort "
	    "experimentgroup" },
	{ "converted", T_BOOL, 0, "converted conversion accepted purchased "
	    "outcome" },
	{ "revenue", T_NUM, 0, "revenue amount" },
	{ "margin", T_NUM, 0, "margin profit" },
	{ "channel", T_TEXT, 0, "channel" },
	{ "ts", T_DATE, 0, DATE_ALIASES " eventtime createdat" },
	{ NULL, 0, 0, NULL }
};

const char *const kind_names[] = { "catalog", "relations", "orders",
	"customers", "offers", "events", NULL };
const struct spec *const kind_cols[] = { catalog_cols, relations_cols,
	orders_cols, customers_cols, offers_cols, events_cols };
/* Most specific first: a relations file has product ids too. */
const int guess_order[K_NKINDS] = { K_RELATIONS, K_EVENTS, K_ORDERS, K_OFFERS,
	K_CATALOG, K_CUSTOMERS };
/* ---- match keys ---- */

void
colmap_key(const char *s, size_t n, char *out, size_t cap)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k + 1 < cap; i++)
		if (colmap_alnum((unsigned char)s[i]))
			out[k++] = (char)colmap_lower((unsigned char)s[i]);
	out[k] = '\0';
}

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	    c == '\f';
}

void
colmap_trim(const char **s, size_t *n)
{
	const unsigned char *p = (const unsigned char *)*s;
	size_t len = *n;

	for (;;) {
		if (len && is_space(p[0]))
			p++, len--;
		else if (len >= 2 && p[0] == 0xC2 && p[1] == 0xA0)
			p += 2, len -= 2;
		else
			break;
	}
	for (;;) {
		if (len && is_space(p[len - 1]))
			len--;
		else if (len >= 2 && p[len - 2] == 0xC2 && p[len - 1] == 0xA0)
			len -= 2;
		else
			break;
	}
	*s = (const char *)p;
	*n = len;
}

/* ---- an input's header ---- */

void
header_init(struct header *h)
{
	memset(h, 0, sizeof *h);
	shopfmt_use_init(&h->use);
}

/* Two columns of one input that would be read, or written, as one. */
void
header_collide(const struct header *h, int a, int b, const char *how)
{
	if (a > b) {
		int t = a;
		a = b;
		b = t;
	}
	die(XS_INPUT, "%s: columns %d '%s' and %d '%s' collide: %s", h->name,
	    a + 1, h->cols[a], b + 1, h->cols[b], how);
}

void
header_set(struct header *h, const char *name, char *const *f,
    const size_t *len, int n)
{
	struct buf k;

	h->name = name;
	h->ncols = n;
	h->cols = xcalloc((size_t)n + 1, sizeof *h->cols);
	h->keycol = xcalloc((size_t)n + 1, sizeof *h->keycol);
	h->ckey = xcalloc((size_t)n + 1, sizeof *h->ckey);
	intern_init(&h->keys);
	buf_init(&k);
	for (int i = 0; i < n; i++) {
		const char *p = f[i];
		size_t m = len ? len[i] : strlen(p);
		uint32_t id, seen;

		colmap_trim(&p, &m);
		h->cols[i] = xmemdup(p, m);
		buf_reset(&k);
		for (size_t j = 0; j < m; j++)
			if (colmap_alnum((unsigned char)p[j]))
				buf_putc(&k, colmap_lower((unsigned char)p[j]));
		h->ckey[i] = xmemdup(k.s ? k.s : "", k.len);
		if (k.len == 0)
			continue;
		seen = h->keys.n;
		if ((id = intern_put(&h->keys, k.s, k.len)) < seen)
			header_collide(h, h->keycol[id], i, "the same name when "
			    "case, spaces and punctuation are ignored");
		h->keycol[id] = i;
	}
	buf_free(&k);
}

int
header_col(const struct header *h, const char *key, size_t n)
{
	uint32_t id = n ? intern_find(&h->keys, key, n) : INTERN_NONE;

	return id == INTERN_NONE ? -1 : h->keycol[id];
}

static void key_of(struct buf *b, const char *s);

int
header_named(const struct header *h, const char *name,
    const unsigned char *skip)
{
	struct buf k;
	int j = -1;

	buf_init(&k);
	key_of(&k, name);
	if (k.len)
		j = header_col(h, k.s, k.len);
	else	/* a name of punctuation alone: as it is */
		for (j = 0; j < h->ncols; j++)
			if (!(skip && skip[j]) && strcmp(h->cols[j], name) == 0)
				break;
	if (j >= h->ncols)
		j = -1;
	buf_free(&k);
	return j;
}

void
header_free(struct header *h)
{
	for (int i = 0; i < h->ncols; i++) {
		free(h->cols[i]);
		free(h->ckey[i]);
	}
	free(h->cols);
	free(h->ckey);
	free(h->keycol);
	if (h->cols)
		intern_free(&h->keys);
	shopfmt_use_free(&h->use);
}

/* ---- header mapping ---- */

int
colmap_nspecs(const struct spec *sp)
{
	int n = 0;

	while (sp[n].name)
		n++;
	return n;
}

/* --map CANON=SOURCE for this spec: the source, or NULL. */
static const char *
mapped(const struct colmap_opts *o, const char *canon)
{
	size_t n = strlen(canon);

	for (int i = o->nmaps - 1; i >= 0; i--)
		if (strncmp(o->maps[i], canon, n) == 0 && o->maps[i][n] == '=')
			return o->maps[i] + n + 1;
	return NULL;
}

void
header_found(struct buf *b, const struct header *h)
{
	for (int i = 0; i < h->ncols; i++)
		buf_printf(b, "%s%s", i ? ", " : "", h->cols[i]);
	if (!h->ncols)
		buf_puts(b, "none");
}

/* The match key of s (colmap_key without a length limit), in b. */
static void
key_of(struct buf *b, const char *s)
{
	buf_reset(b);
	for (; *s; s++)
		if (colmap_alnum((unsigned char)*s))
			buf_putc(b, colmap_lower((unsigned char)*s));
	buf_str(b);
}

/*
 * --map first, then what the input's export format says, then exact
 * canonical names, then aliases (the first column that has one of them).
 * Each name is looked up in the header's key index, so the time does not
 * grow with the columns.
 */
void
colmap_bind(const struct colmap_opts *o, const struct spec *sp,
    const struct header *h, int *src, unsigned char *used, int weak)
{
	int n = colmap_nspecs(sp);
	unsigned char owned[16] = { 0 };
	const struct shopfmt_use *u = &h->use;
	struct buf ck;

	buf_init(&ck);
	memset(used, 0, (size_t)h->ncols + 1);
	for (int k = 0; k < n; k++)
		src[k] = -1;
	for (int k = 0; k < n; k++) {
		const char *m = mapped(o, sp[k].name);
		int j = -1;

		if (!m)
			continue;
		j = header_named(h, m, used);
		if (j < 0 || used[j]) {
			struct buf b;

			buf_init(&b);
			header_found(&b, h);
			die(XS_INPUT, "%s: --map %s=%s: no such column (found: %s)",
			    h->name, sp[k].name, m, buf_str(&b));
		}
		src[k] = j, used[j] = 1;
	}
	for (int k = 0; k < n; k++) {
		int j;

		if (src[k] >= 0 || mapped(o, sp[k].name) ||
		    (j = shopfmt_col(u, h->ckey, h->ncols, sp[k].name)) == -2)
			continue;
		owned[k] = 1;
		if (j >= 0 && !used[j])
			src[k] = j, used[j] = 1;
	}
	for (int l = 0; l < u->nlist; l++) {
		used[u->list[l].col] = 1;
		if (u->list[l].poscol >= 0)
			used[u->list[l].poscol] = 1;
	}
	/* a product row's other columns are the product's, not its links' */
	if (u->fmt && u->fmt->product_rows)
		memset(used, 1, (size_t)h->ncols);
	for (int k = 0; k < n; k++) {
		int j;

		if (src[k] >= 0 || owned[k] || mapped(o, sp[k].name))
			continue;
		key_of(&ck, sp[k].name);
		if ((j = header_col(h, ck.s, ck.len)) >= 0 && !used[j])
			src[k] = j, used[j] = 1;
	}
	for (int k = 0; k < n; k++) {
		int best = -1;

		if (src[k] >= 0 || owned[k] || mapped(o, sp[k].name))
			continue;
		for (const char *p = sp[k].alias; *p;) {
			const char *e = strchr(p, ' ');
			size_t wl = e ? (size_t)(e - p) : strlen(p);
			int j = header_col(h, p, wl);

			if (j >= 0 && !used[j] && (best < 0 || j < best) &&
			    (weak || !((wl == 2 && memcmp(p, "id", 2) == 0) ||
			    (wl == 4 && memcmp(p, "code", 4) == 0))))
				best = j;
			p += wl + (e != NULL);
		}
		if (best >= 0)
			src[k] = best, used[best] = 1;
	}
	/* Without --merge an op column is just another column. */
	for (int k = 0; k < n; k++)
		if ((sp[k].flags & OP) && !o->merge && src[k] >= 0)
			used[src[k]] = 0, src[k] = -1;
	buf_free(&ck);
}

int
colmap_from_lists(const struct header *h, const struct spec *sp)
{
	return h->use.nlist > 0 && strcmp(sp->name, "linked_id") == 0;
}

static int
has_required(const struct header *h, const struct spec *sp, const int *src)
{
	for (int k = 0; sp[k].name; k++)
		if ((sp[k].flags & REQ) && src[k] < 0 &&
		    !colmap_from_lists(h, &sp[k]))
			return 0;
	return 1;
}

/* The distance from key to the nearest name of spec sp (its canonical
 * name or an alias), that name in *w. */
static int
spec_dist(const struct spec *sp, const char *key, size_t kl, const char **w,
    size_t *wl)
{
	char ck[64];
	int best;

	colmap_key(sp->name, strlen(sp->name), ck, sizeof ck);
	best = shopfmt_dist(key, kl, ck, strlen(ck));
	*w = sp->name;
	*wl = strlen(sp->name);
	for (const char *p = sp->alias; *p;) {
		const char *e = strchr(p, ' ');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		int d = shopfmt_dist(key, kl, p, n);

		if (d < best)
			best = d, *w = p, *wl = n;
		p += n + (e != NULL);
	}
	return best;
}

/* A --map argument as the shell takes it. */
static void
shell_word(struct buf *b, const char *canon, const char *col)
{
	int plain = *col != '\0';

	for (const char *p = col; *p; p++)
		if (!colmap_alnum((unsigned char)*p) && !strchr("_.-/+@%:,", *p))
			plain = 0;
	if (plain) {
		buf_printf(b, " --map %s=%s", canon, col);
		return;
	}
	buf_printf(b, " --map '%s=", canon);
	for (const char *p = col; *p; p++) {
		if (*p == '\'')
			buf_puts(b, "'\\''");
		else
			buf_putc(b, *p);
	}
	buf_putc(b, '\'');
}

/*
 * The --kind and --map options that read an input no kind fits: the kind
 * whose required columns the input's names come nearest (the mean edit
 * distance, relative to the names' lengths), each taken from the nearest
 * column not yet taken. Checked by binding it. 0 when none would do.
 */
static int
suggest(const struct colmap_opts *o, const struct header *h, struct buf *b)
{
	int best = -1, pick[16];
	double bestcost = 0;

	for (size_t g = 0; g < sizeof guess_order / sizeof guess_order[0]; g++) {
		const struct spec *sp = kind_cols[guess_order[g]];
		int need = 0, got = 0, col[16];
		unsigned char *taken = xcalloc((size_t)h->ncols + 1, 1);
		double cost = 0;

		for (int k = 0; sp[k].name; k++) {
			int bj = -1, bd = 0;
			size_t bl = 1;

			col[k] = -1;
			if (!(sp[k].flags & REQ))
				continue;
			need++;
			for (int j = 0; j < h->ncols; j++) {
				size_t kl = strlen(h->ckey[j]), wl;
				const char *w;
				int d;

				if (taken[j] || kl == 0)
					continue;
				d = spec_dist(&sp[k], h->ckey[j], kl, &w, &wl);
				if (bj < 0 || d < bd)
					bj = j, bd = d, bl = wl > kl ? wl : kl;
			}
			if (bj < 0)
				continue;
			taken[bj] = 1;
			col[k] = bj;
			cost += (double)bd / (double)bl;
			got++;
		}
		free(taken);
		if (got < need || need == 0)
			continue;
		cost /= need;
		if (best < 0 || cost < bestcost) {
			best = guess_order[g];
			bestcost = cost;
			memcpy(pick, col, sizeof pick);
		}
	}
	if (best < 0)
		return 0;
	{
		const struct spec *sp = kind_cols[best];
		struct colmap_opts t = *o;
		char **maps = xcalloc(16, sizeof *maps);
		unsigned char *used = xcalloc((size_t)h->ncols + 1, 1);
		int n = 0, ok, bound[16];

		buf_printf(b, "--kind %s", kind_names[best]);
		for (int k = 0; sp[k].name; k++) {
			struct buf m;

			if (pick[k] < 0)
				continue;
			buf_init(&m);
			buf_printf(&m, "%s=%s", sp[k].name, h->cols[pick[k]]);
			maps[n++] = (char *)buf_str(&m);
			shell_word(b, sp[k].name, h->cols[pick[k]]);
		}
		t.maps = maps;
		t.nmaps = n;
		t.merge = 0;
		colmap_bind(&t, sp, h, bound, used, 1);
		ok = has_required(h, sp, bound);
		for (int i = 0; i < n; i++)
			free(maps[i]);
		free(maps);
		free(used);
		return ok;
	}
}

/*
 * No kind fits: exit 3 with the columns found, the nearest known name of
 * each (among every kind's canonical names and aliases), and the --kind
 * and --map options that would read the input.
 */
XS_NORETURN static void
cannot_guess(const struct colmap_opts *o, const struct header *h)
{
	struct buf b, sug;

	buf_init(&b);
	buf_init(&sug);
	for (int j = 0; j < h->ncols; j++) {
		const char *bw = NULL, *w;
		size_t bwl = 0, wl, kl = strlen(h->ckey[j]);
		int bd = -1, bk = 0, bs = 0;

		buf_printf(&b, "%s'%s'", j ? ", " : "", h->cols[j]);
		for (size_t g = 0; kl && g < sizeof guess_order /
		    sizeof guess_order[0]; g++) {
			const struct spec *sp = kind_cols[guess_order[g]];

			for (int k = 0; sp[k].name; k++) {
				int d = spec_dist(&sp[k], h->ckey[j], kl, &w, &wl);

				if (bd < 0 || d < bd)
					bd = d, bw = w, bwl = wl,
					bk = guess_order[g], bs = k;
			}
		}
		if (bw)
			buf_printf(&b, " (nearest: %.*s, %s %s)", (int)bwl, bw,
			    kind_names[bk], kind_cols[bk][bs].name);
	}
	if (!h->ncols)
		buf_puts(&b, "none");
	if (suggest(o, h, &sug))
		die(XS_INPUT, "%s: cannot guess --kind from the header; found %s; "
		    "this would read it: %s", h->name, buf_str(&b), buf_str(&sug));
	die(XS_INPUT, "%s: cannot guess --kind from the header; found %s",
	    h->name, buf_str(&b));
}

int
colmap_guess(const struct colmap_opts *o, const struct header *h)
{
	int src[16];
	unsigned char *used = xcalloc((size_t)h->ncols + 1, 1);

	if (h->use.fmt) {
		free(used);
		return opt_word("--kind", h->use.fmt->kind, kind_names);
	}
	for (size_t i = 0; i < sizeof guess_order / sizeof guess_order[0]; i++) {
		int k = guess_order[i];

		colmap_bind(o, kind_cols[k], h, src, used, 0);
		if (has_required(h, kind_cols[k], src)) {
			free(used);
			note("%s: guessed --kind %s from the header", h->name,
			    kind_names[k]);
			return k;
		}
	}
	free(used);
	cannot_guess(o, h);
}

/* Has the input a column of one of the names in words (keys)? */
static int
any_key(const struct header *h, const char *words)
{
	for (const char *p = words; *p;) {
		const char *e = strchr(p, ' ');
		size_t wl = e ? (size_t)(e - p) : strlen(p);

		if (header_col(h, p, wl) >= 0)
			return 1;
		p += wl + (e != NULL);
	}
	return 0;
}

void
colmap_detect(const struct colmap_opts *o, struct header *h, int kind)
{
	const char *kn = kind >= 0 ? kind_names[kind] : NULL;

	if (shopfmt_find(h->ckey, h->ncols, kn, &h->use) ||
	    (kind >= 0 && kind != K_RELATIONS) ||
	    mapped(o, "linked_id") || any_key(h, "linkedid") ||
	    any_key(h, relations_cols[1].alias))
		return;
	shopfmt_wide(h->ckey, h->ncols, relations_cols[1].alias, &h->use);
	shopfmt_wide(h->ckey, h->ncols, "linkedid", &h->use);
}

