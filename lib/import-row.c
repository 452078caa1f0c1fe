/*
 * import-row.c: a row of an input checked (its fields, its bytes), its
 * values converted, split on its lists, put through its kind's rules
 * (returns, --exclude, self-links, duplicate links), then written,
 * previewed or merged, or rejected. A value is checked and normalised
 * for its canonical column first (ids, numbers as merchants write them,
 * dates, lists, words from a small set: shopwords.h); a bad one in an
 * optional column is blanked and the row kept.
 */
#include <stdlib.h>
#include <string.h>

#include "import-internal.h"
#include "shopwords.h"
#include "buf.h"
#include "num.h"
#include "writer.h"
#include "intern.h"

/* ---- a value, checked and normalised for its column ---- */

int
imp_fail_key(struct import *im, const char *key)
{
	snprintf(im->keybuf, sizeof im->keybuf, "%s", key);
	snprintf(im->why, sizeof im->why, "%s", key);
	im->whykey = im->keybuf;
	return -1;
}

/* "column 'price': not a number" with the value after it in why. */
int
imp_fail(struct import *im, int k, const char *what, const char *s, size_t n)
{
	snprintf(im->keybuf, sizeof im->keybuf, "column '%s': %s",
	    im->spec[k].name, what);
	snprintf(im->why, sizeof im->why, "%s: \"%.*s%s\"", im->keybuf,
	    (int)(n > 60 ? 60 : n), s, n > 60 ? "..." : "");
	im->whykey = im->keybuf;
	im->whycol = im->conv_col;
	im->whyv = s;
	im->whyn = n;
	return -1;
}

static int
missing_marker(const char *s, size_t n)
{
	char k[8];

	if (n == 1 && *s == '-')
		return 1;
	if (n > 4)
		return 0;
	colmap_key(s, n, k, sizeof k);
	return strcmp(k, "null") == 0 || strcmp(k, "na") == 0 ||
	    strcmp(k, "none") == 0 || strcmp(k, "nan") == 0;
}

/*
 * The length of s without the zeros that end its fraction (and the point
 * when nothing is left after it), for a plain decimal -?d+.d+ of at most
 * 15 significant digits; n otherwise. Those zeros change nothing and the
 * rest is then already in num_fmt's form, so large exports of 2.0 and
 * 19.90 skip strtod and the shortest-digits search.
 */
static size_t
plain_decimal(const char *s, size_t n)
{
	size_t i = s[0] == '-', point = 0, digits = 0;

	if (n < 3 || s[n - 1] != '0')
		return n;
	for (; i < n; i++) {
		if (s[i] == '.' && !point)
			point = i;
		else if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else
			return n;
	}
	if (!point || point == (s[0] == '-') || point + 1 == n || digits > 15)
		return n;
	while (s[n - 1] == '0')
		n--;
	return s[n - 1] == '.' ? n - 1 : n;
}

/* A number as merchants write it: a currency sign, and with ';' as the
 * delimiter a decimal comma. */
static const char *
lenient_num(const struct import *im, const char *s, size_t n, char *out,
    size_t *outlen)
{
	char t[NUM_BUF * 2];
	size_t k = 0;
	int changed = 0;
	const char *err;

	if ((k = plain_decimal(s, n)) < n)
		return num_norm(s, k, out, outlen);
	k = 0;
	if (!(err = num_norm(s, n, out, outlen)) || n >= sizeof t)
		return err;
	for (size_t i = 0; i < n; i++) {
		const unsigned char *u = (const unsigned char *)s + i;
		size_t skip = *u == '$' || *u == ' ' ? 1 :
		    i + 2 < n && u[0] == 0xE2 && u[1] == 0x82 && u[2] == 0xAC ? 3 :
		    i + 1 < n && u[0] == 0xC2 && (u[1] == 0xA3 || u[1] == 0xA5 ||
		    u[1] == 0xA0) ? 2 : 0;	/* euro, pound, yen, no-break space */

		if (skip) {
			i += skip - 1;
			changed = 1;
			continue;
		}
		t[k] = s[i];
		if (*u == ',' && im->delim_eff == ';' && !memchr(s, '.', n))
			t[k] = '.', changed = 1;
		k++;
	}
	if (!changed || num_norm(t, k, out, outlen))
		return err;
	return NULL;
}

/*
 * The common numbers in one pass: 1 to 15 digits, not starting with 0,
 * and a fraction or none. Their length once the zeros that end the
 * fraction (and then the point) are dropped, which is num_fmt's form of
 * them; 0 for any other value.
 */
static inline size_t
quick_num(const char *s, size_t n)
{
	size_t dot = 0;

	if (n == 0 || n > 16 || s[0] < '1' || s[0] > '9')
		return 0;
	for (size_t i = 1; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			continue;
		if (s[i] != '.' || dot)
			return 0;
		dot = i;
	}
	if (!dot)
		return n < 16 ? n : 0;
	if (dot == n - 1)
		return 0;
	while (s[n - 1] == '0')
		n--;
	return s[n - 1] == '.' ? n - 1 : n;
}

/* A value already in num_fmt's form, or in it once the zeros that end
 * its fraction are dropped (nearly every value of a large export), is
 * kept where it is, not copied. */
static int
conv_num(struct import *im, int k, const char *s, size_t n)
{
	size_t pn = quick_num(s, n);
	const char *err;
	double v;

	if (pn || num_canonical(s, pn = plain_decimal(s, n))) {
		set_val(im, k, s, pn);
	} else {
		if ((err = lenient_num(im, s, n, im->nb[k], &im->vlen[k])))
			return imp_fail(im, k, err, s, n);
		im->val[k] = im->nb[k];
	}
	if (im->spec[k].type == T_POS && im->val[k][0] == '-')
		return imp_fail(im, k, "negative", s, n);
	if (im->spec[k].type == T_PCT &&
	    (num_parse(im->val[k], im->vlen[k], &v) || v < 0 || v > 100))
		return imp_fail(im, k, "not between 0 and 100", s, n);
	return 0;
}

/* n bytes alike: a word at a time, as a date is 8 to 32 bytes and a
 * call to memcmp costs as much as the comparison. */
static inline int
same_bytes(const char *a, const char *b, size_t n)
{
	uint64_t x, y;

	if (n < 8)
		return memcmp(a, b, n) == 0;
	for (size_t i = 0; i + 8 < n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			return 0;
	}
	memcpy(&x, a + n - 8, 8);
	memcpy(&y, b + n - 8, 8);
	return x == y;
}

/* Dates come in runs (every line of an order): the last one is kept.
 * Whether s is it, then converted. */
static inline int
date_again(struct import *im, int k, const char *s, size_t n)
{
	if (n != im->drawlen[k] || !same_bytes(im->draw[k], s, n))
		return 0;
	set_val(im, k, im->dout[k], im->doutlen[k]);
	return 1;
}

/* The next date is mostly of the same day as the last. */
static int
conv_date(struct import *im, int k, const char *s, size_t n)
{
	int64_t t;
	const char *err;
	char why[DATE_WHY];

	if (date_again(im, k, s, n))
		return 0;
	if ((err = date_parse(&im->o->df, s, n, &t, why)))
		return imp_fail(im, k, err, s, n);
	im->doutlen[k] = im->dlastk == k ? time_fmt_after(t, im->dlast,
	    im->dout[k]) : time_fmt(t, im->dout[k]);
	im->dlastk = k;
	im->dlast = t;
	if (n <= sizeof im->draw[k]) {
		memcpy(im->draw[k], s, n);
		im->drawlen[k] = n;
	} else {	/* too long to keep: the kept one is not dout's now */
		im->drawlen[k] = SIZE_MAX;
	}
	set_val(im, k, im->dout[k], im->doutlen[k]);
	return 0;
}

static int
conv_list(struct import *im, int k, const char *s, size_t n)
{
	struct buf *b = &im->lb[k];
	const char *p = s, *item;
	size_t len;

	buf_reset(b);
	while (list_next(&p, s + n, &item, &len)) {
		if (b->len)
			buf_putc(b, ',');
		buf_put(b, item, len);
	}
	set_val(im, k, buf_str(b), b->len);
	return 0;
}

/* A value from a small set, written the canonical way. */
static int
conv_word(struct import *im, int k, const char *s, size_t n)
{
	char key[64];
	int w, type = im->spec[k].type;

	colmap_key(s, n, key, sizeof key);
	switch (type) {
	case T_STATUS:
		if ((w = words_which(status_words, key)) >= 0) {
			set_val(im, k, status_names[w], strlen(status_names[w]));
			return 0;
		}
		if (words_in(OUT_OF_STOCK, key)) {
			set_val(im, k, "active", 6);
			im->oos = 1;
			return 0;
		}
		return imp_fail(im, k, "not active, inactive or discontinued", s, n);
	case T_LINK:
		if ((w = words_which(link_words, key)) < 0)
			return imp_fail(im, k, "not cross_sell, upsell, substitute "
			    "or bundle", s, n);
		im->type_given = 1;
		set_val(im, k, link_types[w], strlen(link_types[w]));
		return 0;
	case T_SOURCE:
		if ((w = words_which(source_words, key)) < 0)
			return imp_fail(im, k, "not managed or learned", s, n);
		set_val(im, k, source_names[w], strlen(source_names[w]));
		return 0;
	case T_BOOL:
		if ((w = words_which(bool_words, key)) < 0)
			return imp_fail(im, k, "not 0 or 1", s, n);
		set_val(im, k, bool_names[w], 1);
		return 0;
	case T_GROUP:
		/* the synonyms of treatment and control; any other name is
		 * an arm of its own (managed, learned, ...), kept as given */
		if ((w = words_which(group_words, key)) >= 0)
			set_val(im, k, group_names[w], strlen(group_names[w]));
		return 0;
	default:	/* T_OP */
		w = n == 1 && *s == '+' ? 0 : n == 1 && *s == '-' ? 1 :
		    words_which(op_words, key);
		if (w < 0)
			return imp_fail(im, k, "not add or remove", s, n);
		set_val(im, k, op_names[w], strlen(op_names[w]));
		return 0;
	}
}

/*
 * Can a bad value of spec k be blanked, the row kept? In an optional
 * column whose empty value means "not known" (a date, a price, a
 * status), yes; not where it would mean the default (a type, a source,
 * an op: an upsell would become a cross-sell) nor in an id.
 */
static int
soft(const struct import *im, int k)
{
	int type = im->spec[k].type;

	return !im->checking && !(im->spec[k].flags & REQ) && type != T_ID &&
	    type != T_LINK && type != T_SOURCE && type != T_OP;
}

/* The bad value s of spec k blanked; imp_fail has said why. */
int
imp_blank(struct import *im, int k, const char *s, size_t n)
{
	struct blank *b;

	if (im->nbl == im->capbl) {
		im->capbl = im->capbl ? 2 * im->capbl : 8;
		im->bl = xreallocarray(im->bl, (size_t)im->capbl, sizeof *im->bl);
	}
	b = &im->bl[im->nbl++];
	b->col = im->conv_col;
	b->k = k;
	b->v = s;
	b->n = n;
	snprintf(b->key, sizeof b->key, "%s", im->keybuf);
	snprintf(b->why, sizeof b->why, "%s", im->why);
	set_val(im, k, "", 0);
	return 0;
}

/* Checks and normalises the trimmed value s of spec k. */
int
imp_conv(struct import *im, int k, const char *s, size_t n)
{
	int type = im->spec[k].type;

	set_val(im, k, s, n);
	if (type == T_ID && n == 0) {
		char key[128];

		snprintf(key, sizeof key, "column '%s': empty", im->spec[k].name);
		imp_fail_key(im, key);
		im->whycol = im->conv_col;
		im->whyv = "";
		im->whyn = 0;
		return -1;
	}
	if (type == T_ID || type == T_OPTID || type == T_TEXT)
		return 0;
	if (type == T_LIST)
		return conv_list(im, k, s, n);
	if (n > 0) {
		int rc = type == T_NUM || type == T_POS || type == T_PCT ?
		    conv_num(im, k, s, n) : type == T_DATE ?
		    conv_date(im, k, s, n) : conv_word(im, k, s, n);

		if (rc == 0)
			return 0;
		if (!missing_marker(s, n))
			return soft(im, k) ? imp_blank(im, k, s, n) : rc;
	}
	set_val(im, k, "", 0);
	if (type == T_LINK)
		set_val(im, k, "cross_sell", 10);
	else if (type == T_SOURCE)
		set_val(im, k, "managed", 7);
	return 0;
}

/* imp_conv, with the numbers and dates of nearly every row of a large
 * import converted without its calls and dispatch: a number in num_fmt's
 * form (but for the zeros that end its fraction), the date of the row
 * before. */
static inline int
conv_value(struct import *im, int k, const char *s, size_t n)
{
	int type = im->spec[k].type;
	size_t pn;

	if (type == T_NUM && (pn = quick_num(s, n))) {
		set_val(im, k, s, pn);
		return 0;
	}
	if (type == T_DATE && n > 0 && date_again(im, k, s, n))
		return 0;
	return imp_conv(im, k, s, n);
}

/* ---- a row ---- */

/* NUL bytes and invalid UTF-8: the reason, or NULL when s is clean. */
static const char *
bad_bytes(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		size_t k;

		if (p[i] == 0)
			return "NUL byte";
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if (!(k = utf8_len(p + i, n - i)))
			return "invalid UTF-8";
		i += k;
	}
	return NULL;
}

static int
check_bytes(struct import *im, const struct src *s, const struct row *rw)
{
	int n = rw->nf < s->h.ncols ? rw->nf : s->h.ncols;

	for (int j = 0; j < n; j++) {
		const char *why = bad_bytes(rw->f[j], rw->len[j]);
		char key[256];

		if (!why)
			continue;
		snprintf(key, sizeof key, "column '%s': %s", s->h.cols[j], why);
		imp_fail_key(im, key);
		im->whycol = j;
		im->whyv = rw->f[j];
		im->whyn = rw->len[j];
		return -1;
	}
	return 0;
}

/* Fields past the header are fine when empty (trailing delimiters). */
static int
check_width(struct import *im, const struct src *s, const struct row *rw)
{
	for (int j = s->h.ncols; j < rw->nf; j++) {
		const char *p = rw->f[j];
		size_t n = rw->len[j];

		trim(&p, &n);
		if (n) {
			imp_fail_key(im, "more fields than the header");
			snprintf(im->why, sizeof im->why,
			    "more fields than the header: %d, header has %d",
			    rw->nf, s->h.ncols);
			return -1;
		}
	}
	return 0;
}

/* A CSV record that could not be split: "column 3 'description': text
 * after a closing quote", and the lines it took when more than one. */
static int
malformed_csv(struct import *im, const struct src *s, const struct row *rw)
{
	char key[256];
	int j = rw->badcol - 1;

	if (j >= 0 && j < s->h.ncols) {
		snprintf(key, sizeof key, "column %d '%s': %s", j + 1, s->h.cols[j],
		    rw->bad);
		im->whycol = j;
		im->whyv = "";
		im->whyn = 0;
	} else
		snprintf(key, sizeof key, "column %d: %s", j + 1, rw->bad);
	imp_fail_key(im, key);
	if (rw->lastline > rw->line)
		snprintf(im->why, sizeof im->why, "%s (the record runs over "
		    "lines %ld-%ld)", im->keybuf, rw->line, rw->lastline);
	return -1;
}

/* Checks a row as a record: 0, or -1 rejected (malformed, too wide, bad
 * bytes). */
static inline int
check_row(struct import *im, const struct src *s, const struct row *rw)
{
	im->whycol = -1;
	im->nbl = 0;
	im->initem = 0;
	im->pos_given = 0;
	if (rw->bad && rw->badcol > 0)
		return malformed_csv(im, s, rw);
	if (rw->bad) {
		imp_fail_key(im, "malformed row");
		snprintf(im->why, sizeof im->why, "malformed row: %s", rw->bad);
		return -1;
	}
	if ((rw->nf > s->h.ncols && check_width(im, s, rw)) ||
	    (rw->special && check_bytes(im, s, rw)))
		return -1;
	return 0;
}

/*
 * Converts a checked row's values, except those converted per list
 * item: 0, or -1 rejected. An order's line with no customer or date has
 * those of the order's line before it, when that is right before it.
 */
static inline int
read_values(struct import *im, const struct row *rw)
{
	int carry = im->carry.started >= 0, same = 0;

	im->oos = im->type_given = 0;
	im->verbatim = rw->plain;
	for (int k = 0; k < im->nspec; k++) {	/* order_id comes first */
		const char *p;
		size_t n;

		if (im->peritem[k])
			continue;
		src_field(rw, im->spec_src[k], &p, &n);
		if (carry) {
			if (k == im->ix_order)
				same = carry_order(&im->carry, p, n);
			else if (k == im->ix_customer || k == im->ix_ts) {
				/* the order's first value: from another row */
				if (n == 0)
					im->verbatim = 0;
				/* a later line's own value, the order's first
				 * kept: carry_value would change nothing */
				if (!same || n == 0 ||
				    !im->carry.val[k == im->ix_ts].len)
					carry_value(&im->carry, k == im->ix_ts,
					    same, &p, &n);
			}
		}
		if (n > 0 && im->spec[k].type <= T_TEXT) {	/* ids, text */
			set_val(im, k, p, n);
			continue;
		}
		im->conv_col = im->spec_src[k];
		if (n == 0 && im->setv[k]) {
			p = im->setv[k];
			n = strlen(p);
			im->conv_col = -1;
			im->verbatim = 0;
		}
		if (conv_value(im, k, p, n))
			return -1;
	}
	return 0;
}

static inline int
read_row(struct import *im, const struct src *s, const struct row *rw)
{
	return check_row(im, s, rw) || read_values(im, rw) ? -1 : 0;
}

/* ---- the rules of each kind ---- */

static int
excluded(struct import *im, const char *s, size_t n)
{
	uint32_t id = intern_put(&im->excl, s, n);

	if (id >= im->nexcl) {
		im->excl_hit = xrealloc(im->excl_hit, (size_t)id + 1);
		im->excl_hit[id] = regexec(&im->o->exclude, intern_str(&im->excl, id),
		    0, NULL, 0) == 0;
		im->nexcl = id + 1;
	}
	return im->excl_hit[id];
}

/* Orders: returns and non-product codes. 1 when dropped on request. */
static int
order_rules(struct import *im)
{
	const char *o = im->val[im->ix_order], *q = im->val[im->ix_qty];
	size_t qn = im->vlen[im->ix_qty];
	int cancel = im->vlen[im->ix_order] >= 2 && o[0] == 'C' &&
	    o[1] >= '0' && o[1] <= '9';
	int neg = qn > 0 && q[0] == '-';

	if (im->o->has_exclude &&
	    excluded(im, im->val[im->ix_product], im->vlen[im->ix_product]))
		return imp_fail_key(im, "product_id matches --exclude"), 1;
	if (!cancel && !neg)
		return 0;
	if (!im->o->keep_returns)
		return imp_fail_key(im, cancel ? "cancelled order (--returns drop)" :
		    "negative quantity (--returns drop)"), 1;
	if (!neg) {	/* a cancellation line: its quantity goes negative */
		char t[NUM_BUF];

		snprintf(t, sizeof t, "-%.*s", (int)(qn ? qn : 1), qn ? q : "1");
		if (strcmp(t, "-0") == 0)
			t[0] = '0', t[1] = '\0';
		memcpy(im->nb[im->ix_qty], t, strlen(t) + 1);
		set_val(im, im->ix_qty, im->nb[im->ix_qty], strlen(t));
	}
	return 0;
}

static int
relation_rules(struct import *im, int fileno, long line)
{
	int k = im->ix_subject, j = im->ix_linked, isnew;
	uint32_t s, l;
	size_t at;
	struct seen_link *lk;

	if (im->vlen[k] == im->vlen[j] &&
	    memcmp(im->val[k], im->val[j], im->vlen[k]) == 0)
		return imp_fail_key(im, "self-link");
	if (im->o->merge_path)
		return 0;
	s = intern_put(&im->ids, im->val[k], im->vlen[k]);
	l = intern_put(&im->ids, im->val[j], im->vlen[j]);
	at = linkset_find(&im->links, s, l, link_code(im->val[im->ix_type]), 1,
	    &isnew);
	lk = &im->links.t[at];
	if (isnew) {
		lk->at = (uint32_t)line;
		lk->file = (uint32_t)fileno;
		return 0;
	}
	imp_fail_key(im, "duplicate link");
	snprintf(im->why, sizeof im->why, "duplicate link (first at %s:%lu)",
	    im->files[lk->file], (unsigned long)lk->at);
	return -1;
}

/* The kind's rules, then the output row in im->v: 0, -1 rejected, 1
 * dropped on request. */
static inline int
finish_row(struct import *im, const struct row *rw, int fileno)
{
	int base = im->nout - im->nextra;

	if (im->kind == K_ORDERS && order_rules(im))
		return 1;
	if (im->kind == K_RELATIONS && relation_rules(im, fileno, rw->line))
		return -1;
	if (im->oos && im->ix_stock >= 0 && im->vlen[im->ix_stock] == 0)
		set_val(im, im->ix_stock, "0", 1);
	if (im->oident)
		return 0;
	for (int k = 0; k < im->nspec; k++) {
		if (im->ospec[k] >= 0) {
			im->v[im->ospec[k]] = im->val[k];
			im->olen[im->ospec[k]] = im->vlen[k];
		}
	}
	for (int e = 0; e < im->nextra; e++) {
		const char *p;
		size_t n;

		src_field(rw, im->extra_src[e], &p, &n);
		if (n == 0 && im->extra_setv[e]) {
			p = im->extra_setv[e], n = strlen(p);
			im->verbatim = 0;
		}
		im->v[base + e] = (char *)p;
		im->olen[base + e] = n;
	}
	return 0;
}

/*
 * The columns a merged record updates: the input's, less the values
 * blanked (a bad value leaves the base's as it was), plus the position a
 * list item has of its own (Magento's positions, Linked 2, its place).
 */
static const unsigned char *
merge_carried(struct import *im)
{
	int po = im->ix_pos >= 0 ? im->ospec[im->ix_pos] : -1;

	if (!im->nbl && !(im->pos_given && po >= 0 && !im->carried[po]))
		return im->carried;
	im->rowcarried = xrealloc(im->rowcarried, (size_t)im->nout + 1);
	memcpy(im->rowcarried, im->carried, (size_t)im->nout + 1);
	if (im->pos_given && po >= 0)
		im->rowcarried[po] = 1;
	for (int i = 0; i < im->nbl; i++)
		if (im->ospec[im->bl[i].k] >= 0)
			im->rowcarried[im->ospec[im->bl[i].k]] = 0;
	return im->rowcarried;
}

static inline void
emit(struct import *im, const struct row *rw)
{
	im->nout_rows++;
	if (im->o->preview)
		imp_preview_row(im, rw);
	else if (im->o->merge_path)
		merge_row(&im->mg, im->val[im->ix_subject],
		    im->vlen[im->ix_subject], im->val[im->ix_linked],
		    im->vlen[im->ix_linked], im->val[im->ix_type],
		    im->type_given, (im->spec_src[im->ix_op] >= 0 ||
		    im->setv[im->ix_op]) && strcmp(im->val[im->ix_op],
		    "remove") == 0, im->v, im->olen, merge_carried(im));
	else if (im->verbatim)
		writer_row_verbatim(&im->w, im->oident ? im->val : im->v,
		    im->oident ? im->vlen : im->olen);
	else if (im->oident)
		writer_row(&im->w, im->val, im->vlen);
	else
		writer_row(&im->w, im->v, im->olen);
}

/* A row without lists: one record in, written or rejected. */
void
imp_one_row(struct import *im, const struct src *s, const struct row *rw,
    int fileno)
{
	int rc = read_row(im, s, rw);

	im->nrec++;
	if (rc == 0)
		rc = finish_row(im, rw, fileno);
	if (rc) {
		imp_reject(im, s, rw, rc > 0);
		return;
	}
	imp_report_blanks(im, s, rw, 0);
	emit(im, rw);
}

static size_t
count_items(const char *p, size_t n, const struct slot *sl)
{
	const char *item, *end = p + n;
	size_t len, c = 0;

	while (shopfmt_item(&p, end, sl->sep, sl->seplen, &item, &len))
		c++;
	return c;
}

/* Has the row an item in any of its lists? */
static int
has_items(const struct import *im, const struct row *rw)
{
	for (int l = 0; l < im->nslot; l++) {
		const char *p;
		size_t n;

		src_field(rw, im->slot[l].col, &p, &n);
		if (count_items(p, n, &im->slot[l]))
			return 1;
	}
	return 0;
}

/*
 * A row whose lists hold several values of the list column (im->lt):
 * every item is a record of its own, converted, checked, written or
 * rejected on its own. For links, an item's type is the one its column's
 * name says, else the row's; its position the one its column's number
 * says (Linked 2), else the item of the same place in the positions
 * list, else its place when the cell holds more than one item.
 */
void
imp_split_row(struct import *im, const struct src *s, const struct row *rw,
    int fileno)
{
	int lk = im->lt, links = lk == im->ix_linked;
	int lp = links ? im->ix_pos : -1, lt = links ? im->ix_type : -1;
	int nrow, items = 0, flushed = 0, rgiven = 0, rc;
	const char *rtype = NULL;
	size_t rtypen = 0;
	char num[32];

	/* a product row without links is none the worse for a bad id or
	 * value: nothing of it would be written (below) */
	if (check_row(im, s, rw) || (read_values(im, rw) &&
	    !(im->slot_opt && !has_items(im, rw)))) {
		im->nrec++;
		imp_reject(im, s, rw, 0);
		return;
	}
	im->verbatim = 0;	/* items and positions: not looked into */
	if (lt >= 0) {
		rtype = im->val[lt];
		rtypen = im->vlen[lt];
		rgiven = im->type_given;
	}
	/* positions lists that do not pair with their items: blanked */
	for (int l = 0; lp >= 0 && l < im->nslot; l++) {
		const struct slot *sl = &im->slot[l];
		const char *p, *q;
		size_t n, qn, ni, nq;

		im->posok[l] = P_NONE;
		if (sl->pos || sl->poscol < 0)
			continue;
		src_field(rw, sl->col, &p, &n);
		src_field(rw, sl->poscol, &q, &qn);
		if (!(nq = count_items(q, qn, sl)))
			continue;
		ni = count_items(p, n, sl);
		if (ni == nq || ni == 0) {
			im->posok[l] = P_PAIRED;
			continue;
		}
		im->posok[l] = P_BAD;
		im->conv_col = sl->poscol;
		imp_fail(im, lp, "not as many positions as items", q, qn);
		snprintf(im->why + strlen(im->why), sizeof im->why -
		    strlen(im->why), " (%zu for %zu item%s)", nq, ni,
		    ni == 1 ? "" : "s");
		imp_blank(im, lp, q, qn);
	}
	nrow = im->nbl;
	for (int l = 0; l < im->nslot || (l == im->nslot && !items &&
	    !im->slot_opt); l++) {
		const struct slot *sl = l < im->nslot ? &im->slot[l] : NULL;
		const char *p = "", *end, *q = "", *qend, *item, *pi;
		size_t n = 0, qn = 0, len, pl, cnt, i = 0;
		int none = sl == NULL;	/* no items: the row as it is */

		if (sl) {
			src_field(rw, sl->col, &p, &n);
			if (!(cnt = count_items(p, n, sl)))
				continue;
			if (lp >= 0 && im->posok[l] == P_PAIRED)
				src_field(rw, sl->poscol, &q, &qn);
		} else {
			cnt = 1;
		}
		end = p + n;
		qend = q + qn;
		while (none || shopfmt_item(&p, end, sl->sep, sl->seplen, &item,
		    &len)) {
			if (none)
				item = "", len = 0;
			items++;
			im->nrec++;
			im->nbl = nrow;
			im->whycol = -1;
			/* --rejects: the item where the row has more, or has
			 * it in a column of its own */
			im->initem = !none && (cnt > 1 ||
			    sl->col != im->spec_src[lk]);
			im->itemtype = sl && sl->type ? sl->type : NULL;
			im->item = item;
			im->itemlen = len;
			im->conv_col = none ? im->spec_src[lk] : sl->col;
			rc = imp_conv(im, lk, item, len);
			if (rc == 0 && lt >= 0) {
				if (sl && sl->type) {
					set_val(im, lt, sl->type, strlen(sl->type));
					im->type_given = 1;
				} else {
					set_val(im, lt, rtype, rtypen);
					im->type_given = rgiven;
				}
			}
			if (rc == 0 && lp >= 0) {
				pi = "", pl = 0;
				im->conv_col = -1;
				if (sl && sl->pos) {
					pl = (size_t)snprintf(num, sizeof num, "%ld",
					    sl->pos);
					pi = num;
				} else if (qn && shopfmt_item(&q, qend, sl->sep,
				    sl->seplen, &pi, &pl)) {
					im->conv_col = sl->poscol;
				} else if (cnt > 1 && im->posok[l] == P_NONE) {
					pl = (size_t)snprintf(num, sizeof num, "%zu",
					    i + 1);
					pi = num;
				} else if (im->setv[lp]) {
					pi = im->setv[lp];
					pl = strlen(pi);
				}
				im->itempos = pi;
				im->itemposlen = pl;
				im->pos_given = pl > 0;
				rc = imp_conv(im, lp, pi, pl);
			}
			if (rc == 0)
				rc = finish_row(im, rw, fileno);
			if (rc) {
				imp_reject(im, s, rw, rc > 0);
			} else {
				imp_report_blanks(im, s, rw, flushed ? nrow : 0);
				flushed = 1;
				emit(im, rw);
			}
			i++;
			if (none)
				break;
		}
	}
	im->initem = 0;
	if (!items) {	/* a product without links */
		im->nrec++;
		im->whycol = -1;
		imp_fail_key(im, "no linked products");
		imp_reject(im, s, rw, 1);
	}
}
