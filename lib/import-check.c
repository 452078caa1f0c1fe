/*
 * import-check.c: a value checked and normalised for its canonical
 * column: ids, numbers as merchants write them, dates, lists, words from
 * a small set (shopwords.h); a bad one in an optional column blanked, the
 * row kept.
 */
#include <stdlib.h>
#include <string.h>

#include "import-internal.h"
#include "shopwords.h"
#include "buf.h"
#include "num.h"

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

/* Dates come in runs (every line of an order): the last one is kept. */
static int
conv_date(struct import *im, int k, const char *s, size_t n)
{
	int64_t t;
	const char *err;
	char why[DATE_WHY];

	if (n == im->drawlen[k] && memcmp(im->draw[k], s, n) == 0) {
		set_val(im, k, im->dout[k], im->doutlen[k]);
		return 0;
	}
	if ((err = date_parse(&im->o->df, s, n, &t, why)))
		return imp_fail(im, k, err, s, n);
	im->doutlen[k] = time_fmt(t, im->dout[k]);
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
