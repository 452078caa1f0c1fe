/* widget.c: lists as JSON objects, display fields joined and rounded. */
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "widget.h"
#include "buf.h"
#include "num.h"
#include "writer.h"

#define WFLUSH (1 << 16)

struct widget {
	struct writer *w;		/* the writer whose rows come here */
	FILE *fp;
	int json, group, prec;
	int ncols;
	char **cols;		/* the rows' column names */
	int by, per, grp, cid, rank;	/* their columns, or -1 */
	/* --with: each field's source and JSON type */
	int nwith;
	char **with;
	int *fromcat;		/* catalog text column k, or -1 */
	int *fromrow;		/* row column, or -1 */
	int *type;		/* WRITER_STR or WRITER_NUM (catalog), the writer's (row) */
	struct catalog cat;
	int have_cat;
	uint64_t offers, uncataloged;
	struct buf *val;	/* per field: its rounded value */
	/* rows: the input's columns, the fields appended */
	struct layout l;
	struct writer out;
	char **v;
	size_t *len;
	/* objects: the one being written and its list's key */
	struct buf b, key, nextkey;
	int open;
};

int
widget_wanted(const struct widget_opts *o)
{
	return o->group_json || o->with || o->precision >= 0;
}

/* ---- rounding ---- */

const char *
widget_round(const char *s, size_t n, int prec, struct buf *out,
    size_t *outlen)
{
	double v;
	size_t i = 0, nd = 0, at;
	long ip = 0;
	int neg = 0, seen_point = 0, nonzero = 0;
	int64_t e = 0;
	char *d, *o;

	*outlen = n;
	if (prec < 0 || num_parse(s, n, &v))
		return s;
	/* The digits as written, without leading zeros, and where the point
	 * falls among them: the value is 0.d[0]d[1]... times 10^ip. */
	buf_reset(out);
	buf_grow(out, n + 2);
	d = out->s;
	if (s[i] == '+' || s[i] == '-')
		neg = s[i++] == '-';
	for (; i < n && s[i] != 'e' && s[i] != 'E'; i++) {
		if (s[i] == '.') {
			seen_point = 1;
		} else if (nd == 0 && s[i] == '0') {
			ip -= seen_point;
		} else {
			d[nd++] = s[i];
			ip += !seen_point;
		}
	}
	if (i < n && num_parse_int(s + i + 1, n - i - 1, &e))
		return s;	/* not reached: num_parse took the exponent */
	ip += (long)e;
	/* keep the digits before the point and prec after it */
	if (ip + prec < 0) {
		nd = 0;
	} else if ((size_t)(ip + prec) < nd) {
		int up = d[ip + prec] >= '5';

		nd = (size_t)(ip + prec);
		for (size_t k = nd; up && k-- > 0;) {
			if (d[k] == '9') {
				d[k] = '0';
			} else {
				d[k]++;
				up = 0;
			}
		}
		if (up) {	/* 9.99 to 10: one digit more in front */
			memmove(d + 1, d, nd);
			d[0] = '1';
			nd++;
			ip++;
		}
	}
	while (nd > 0 && d[nd - 1] == '0' && (long)nd > ip)
		nd--;		/* zeros at the end of the fraction */
	for (size_t k = 0; k < nd; k++)
		nonzero |= d[k] != '0';
	/* the result goes after the digits, then moves to the front */
	at = n + 2;
	buf_grow(out, at + 4 + (size_t)(ip > 0 ? ip : 0) + (size_t)prec + nd);
	d = out->s;
	o = out->s + at;
	if (neg && nonzero)
		*o++ = '-';
	if (!nonzero || ip <= 0)
		*o++ = '0';
	if (nonzero) {
		for (long k = 0; k < ip; k++)
			*o++ = (size_t)k < nd ? d[k] : '0';
		if ((long)nd > ip) {
			*o++ = '.';
			for (long k = ip; k < 0; k++)
				*o++ = '0';
			for (size_t k = ip > 0 ? (size_t)ip : 0; k < nd; k++)
				*o++ = d[k];
		}
	}
	out->len = (size_t)(o - (out->s + at));
	memmove(out->s, out->s + at, out->len);
	*outlen = out->len;
	return out->s;
}

/* ---- fields ---- */

static int
col_of(const struct widget *x, const char *name)
{
	for (int i = 0; i < x->ncols; i++)
		if (strcmp(x->cols[i], name) == 0)
			return i;
	return -1;
}

/* A catalog column is a number when every value it has is one. */
static int
numeric_column(const struct catalog *t, int k)
{
	double v;

	for (uint32_t r = 0; r < t->n; r++) {
		size_t n;
		const char *s = catalog_text(t, r, k, &n);

		if (s && num_parse(s, n, &v))
			return 0;
	}
	return 1;
}

static void
parse_with(struct widget *x, const struct widget_opts *o)
{
	const char *p = o->with, *item;
	size_t n;
	struct writer types;	/* the JSON type the writer gives each column */

	while (p && list_next(&p, o->with + strlen(o->with), &item, &n)) {
		for (int i = 0; i < x->nwith; i++)
			if (strlen(x->with[i]) == n && memcmp(x->with[i], item, n) == 0)
				die(XS_USAGE, "option --with: '%.*s' given twice",
				    (int)n, item);
		x->with = xreallocarray(x->with, (size_t)x->nwith + 1,
		    sizeof *x->with);
		x->with[x->nwith++] = xmemdup(item, n);
	}
	if (o->with && !x->nwith)
		die(XS_USAGE, "option --with: no field named");
	x->fromcat = xcalloc((size_t)x->nwith + 1, sizeof *x->fromcat);
	x->fromrow = xcalloc((size_t)x->nwith + 1, sizeof *x->fromrow);
	x->type = xcalloc((size_t)x->nwith + 1, sizeof *x->type);
	x->val = xcalloc((size_t)x->nwith + 1, sizeof *x->val);
	if (o->catalog) {
		struct catalog_spec cs = { .key = "product_id",
		    .ntxt = x->nwith, .txt = (const char *const *)x->with };

		catalog_load(&x->cat, o->catalog, &cs);
		x->have_cat = 1;
	}
	writer_open(&types, x->fp, 1, x->ncols, x->cols);	/* JSON: writes nothing */
	for (int i = 0; i < x->nwith; i++) {
		buf_init(&x->val[i]);
		x->fromcat[i] = x->have_cat && x->cat.hastxt[i] ? i : -1;
		x->fromrow[i] = col_of(x, x->with[i]);
		if (x->fromcat[i] >= 0)
			x->type[i] = numeric_column(&x->cat, i) ? WRITER_NUM : WRITER_STR;
		else if (x->fromrow[i] >= 0)
			x->type[i] = types.type[x->fromrow[i]];
		else if (o->catalog)
			die(XS_INPUT, "option --with: column '%s' is in neither "
			    "%s nor the input", x->with[i], o->catalog);
		else
			die(XS_INPUT, "option --with: column '%s' is not in the "
			    "input (the catalog's fields need --catalog)",
			    x->with[i]);
	}
	writer_close(&types);
}

/* Field i of the row's offer, rounded where it is a number. */
static const char *
field(struct widget *x, int i, char *const *v, const size_t *len,
    uint32_t crow, size_t *n)
{
	const char *s = NULL;
	int num = x->type[i] != WRITER_STR;

	*n = 0;
	if (x->fromcat[i] >= 0) {
		if (crow != INTERN_NONE)
			s = catalog_text(&x->cat, crow, x->fromcat[i], n);
	} else if (v[x->fromrow[i]]) {
		s = v[x->fromrow[i]];
		*n = len ? len[x->fromrow[i]] : strlen(s);
	}
	if (!s)
		return NULL;
	if (num && x->prec >= 0)
		s = widget_round(s, *n, x->prec, &x->val[i], n);
	return s;
}

/* The offer's catalog row, counting offers the catalog lacks. */
static uint32_t
catalog_row(struct widget *x, char *const *v, const size_t *len)
{
	uint32_t r;

	x->offers++;
	if (!x->have_cat)
		return INTERN_NONE;
	r = v[x->cid] ? catalog_find(&x->cat, v[x->cid],
	    len ? len[x->cid] : strlen(v[x->cid])) : INTERN_NONE;
	x->uncataloged += r == INTERN_NONE;
	return r;
}

/* ---- rows, fields appended ---- */

static void
rows_row(void *arg, char *const *v, const size_t *len)
{
	struct widget *x = arg;
	uint32_t crow = catalog_row(x, v, len);
	size_t *inlen = NULL;

	if (!len) {
		inlen = xcalloc((size_t)x->ncols + 1, sizeof *inlen);
		for (int i = 0; i < x->ncols; i++)
			inlen[i] = v[i] ? strlen(v[i]) : 0;
		len = inlen;
	}
	layout_fill(&x->l, v, len, x->v, x->len);
	for (int i = 0; i < x->nwith; i++) {
		size_t n;
		const char *s = field(x, i, v, len, crow, &n);

		x->v[x->l.own_at[i]] = (char *)s;
		x->len[x->l.own_at[i]] = n;
	}
	writer_row(&x->out, x->v, x->len);
	free(inlen);
}

/* ---- one object per list ---- */

static void
flush(struct widget *x)
{
	/* a write error stays on the stream: out_close or xs_finish says it */
	if (x->b.len && fwrite(x->b.s, 1, x->b.len, x->fp) != x->b.len) {
	}
	buf_reset(&x->b);
}

static void
put_key(struct buf *b, const char *k)
{
	writer_json_value(b, WRITER_STR, k, strlen(k));
	buf_putc(b, ':');
}

static void
put_val(struct buf *b, int type, char *const *v, const size_t *len, int c)
{
	const char *s = c >= 0 && v[c] ? v[c] : "";

	writer_json_value(b, type, s, c < 0 || !v[c] ? 0 : len ? len[c] : strlen(s));
}

static void
list_key(struct buf *k, char *const *v, const size_t *len, const int *c)
{
	buf_reset(k);
	for (int i = 0; i < 3; i++) {
		if (c[i] >= 0 && v[c[i]])
			buf_put(k, v[c[i]], len ? len[c[i]] : strlen(v[c[i]]));
		buf_putc(k, '\x1f');
	}
}

static void
group_row(void *arg, char *const *v, const size_t *len)
{
	struct widget *x = arg;
	uint32_t crow = catalog_row(x, v, len);
	const int keycols[3] = { x->by, x->per, x->grp };
	struct buf *b = &x->b;

	list_key(&x->nextkey, v, len, keycols);
	if (!x->open || x->key.len != x->nextkey.len ||
	    memcmp(x->key.s, x->nextkey.s, x->key.len) != 0) {
		struct buf t = x->key;

		x->key = x->nextkey;
		x->nextkey = t;
		if (x->open)
			buf_puts(b, "]}\n");
		buf_putc(b, '{');
		put_key(b, x->cols[x->by]);
		put_val(b, WRITER_STR, v, len, x->by);
		if (x->per >= 0) {
			buf_putc(b, ',');
			put_key(b, x->cols[x->per]);
			put_val(b, WRITER_STR, v, len, x->per);
		}
		if (x->grp >= 0) {
			buf_putc(b, ',');
			put_key(b, x->cols[x->grp]);
			put_val(b, WRITER_STR, v, len, x->grp);
		}
		buf_puts(b, ",\"offers\":[");
		x->open = 1;
	} else {
		buf_putc(b, ',');
	}
	buf_putc(b, '{');
	put_key(b, x->cols[x->cid]);
	put_val(b, WRITER_STR, v, len, x->cid);
	buf_putc(b, ',');
	put_key(b, x->cols[x->rank]);
	put_val(b, WRITER_NUM, v, len, x->rank);
	for (int i = 0; i < x->nwith; i++) {
		size_t n;
		const char *s = field(x, i, v, len, crow, &n);

		buf_putc(b, ',');
		put_key(b, x->with[i]);
		writer_json_value(b, x->type[i], s ? s : "", n);
	}
	buf_putc(b, '}');
	if (b->len >= WFLUSH)
		flush(x);
}

static void
widget_close(void *arg)
{
	struct widget *x = arg;

	if (x->group) {
		if (x->open)
			buf_puts(&x->b, "]}\n");
		flush(x);
	} else {
		writer_close(&x->out);
		layout_free(&x->l);
		free(x->v);
		free(x->len);
	}
	if (x->uncataloged)
		note("%llu of %llu offers not in %s: their --with fields are "
		    "empty", (unsigned long long)x->uncataloged,
		    (unsigned long long)x->offers, "the catalog");
	if (x->have_cat)
		catalog_free(&x->cat);
	for (int i = 0; i < x->nwith; i++) {
		free(x->with[i]);
		buf_free(&x->val[i]);
	}
	for (int i = 0; i < x->ncols; i++)
		free(x->cols[i]);
	free(x->cols);
	free(x->with);
	free(x->fromcat);
	free(x->fromrow);
	free(x->type);
	free(x->val);
	buf_free(&x->b);
	buf_free(&x->key);
	buf_free(&x->nextkey);
	x->w->sink = NULL;
	free(x);
}

static const struct writer_sink rows_sink = { rows_row, widget_close };
static const struct writer_sink group_sink = { group_row, widget_close };

void
widget_open(struct writer *w, FILE *fp, int json, int ncols, char *const *cols,
    const struct widget_opts *o)
{
	struct widget *x;

	if (!widget_wanted(o)) {
		writer_open(w, fp, json, ncols, cols);
		return;
	}
	if (o->precision >= 0 && !o->with)
		die(XS_USAGE, "option --precision rounds the --with fields; "
		    "give --with");
	x = xcalloc(1, sizeof *x);
	x->w = w;
	x->fp = fp;
	x->json = json;
	x->group = o->group_json;
	x->prec = o->precision;
	x->ncols = ncols;
	x->cols = xcalloc((size_t)ncols + 1, sizeof *x->cols);
	for (int i = 0; i < ncols; i++)
		x->cols[i] = xstrdup(cols[i]);
	x->by = col_of(x, o->by);
	x->per = o->per ? col_of(x, o->per) : -1;
	x->grp = col_of(x, "group");
	x->cid = col_of(x, "candidate_id");
	x->rank = col_of(x, "rank");
	if (x->by < 0 || x->cid < 0 || x->rank < 0)
		die(XS_INPUT, "widget output needs the columns %s, candidate_id "
		    "and rank", o->by);
	buf_init(&x->b);
	buf_init(&x->key);
	buf_init(&x->nextkey);
	parse_with(x, o);
	/* the writer itself writes nothing: json and no columns, no header */
	writer_open(w, fp, 1, 0, NULL);
	w->sink = x->group ? &group_sink : &rows_sink;
	w->sink_arg = x;
	if (x->group)
		return;
	layout_init(&x->l, ncols, cols, x->nwith, (const char *const *)x->with);
	x->v = xcalloc((size_t)x->l.nout + 1, sizeof *x->v);
	x->len = xcalloc((size_t)x->l.nout + 1, sizeof *x->len);
	writer_open(&x->out, fp, json, x->l.nout, x->l.out);
	for (int i = 0; i < x->nwith; i++)
		writer_type(&x->out, x->l.own_at[i], x->type[i]);
}
