/* writer.c: the record writer (TSV or JSON lines) and pass-through layout. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "xsell.h"
#include "buf.h"
#include "num.h"
#include "writer.h"
#include "swar.h"


static const char *const list_cols[] = { "items", "holdings", NULL };

/*
 * The numeric columns of xsell(7)'s streams: -j writes them as numbers.
 * Any other column is text, whatever it looks like: a barcode
 * 12345678901234567891, 1E5 or 1.10 passing through stays as it was.
 */
static const char *const num_cols[] = {
	/* catalog, orders, offers, events */
	"price", "cost", "stock", "quantity", "business_value", "revenue_value",
	"converted", "revenue", "margin",
	/* relations and the measures xsell-learn writes (measures.c) */
	"position", "count", "subject_count", "linked_count", "baskets",
	"support", "confidence", "lift", "jaccard", "cosine", "leverage",
	"conviction", "chi2", "pvalue", "price_ratio", "row_cosine",
	/* candidates, scored, ranked */
	"propensity", "relevance", "impact", "emphasis", "uplift", "score",
	"expected_value", "incremental_value", "rank",
	/* the uplift model (xsell-uplift(7)) */
	"n_t", "n_c", "rate_t", "rate_c", "cate", "cate_low", "cate_high",
	"base_rate", "fallback",
	NULL
};

int
writer_col_type(const char *col)
{
	size_t n = strlen(col);

	for (int i = 0; list_cols[i]; i++)
		if (strcmp(col, list_cols[i]) == 0)
			return WRITER_LIST;
	for (int i = 0; num_cols[i]; i++)
		if (strcmp(col, num_cols[i]) == 0)
			return WRITER_NUM;
	if (strcmp(col, "id") == 0 || (n > 3 && strcmp(col + n - 3, "_id") == 0))
		return WRITER_STR;
	return WRITER_TEXT;
}

/* The buffer is written out when it holds this much: 64 KB, a pipe's
 * size, so that the next stage of a pipeline is fed steadily (1 MB bursts
 * made import | learn 1.6 times slower). */
enum { WRITER_FLUSH = 1 << 16 };

static void
flush(struct writer *w)
{
	if (w->b.len && fwrite(w->b.s, 1, w->b.len, w->fp) != w->b.len) {
		/* The error stays on the stream; xs_finish or out_close says it. */
	}
	w->b.len = 0;
}

/* The letter after the backslash that escapes a byte in TSV, or 0. */
static const char tsv_esc[256] = {
	['\t'] = 't', ['\n'] = 'n', ['\r'] = 'r', ['\\'] = '\\'
};

static char *
escape_bytes(char *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char e = tsv_esc[(unsigned char)s[i]];

		if (e) {
			*o++ = '\\';
			*o++ = e;
		} else {
			*o++ = s[i];
		}
	}
	return o;
}

/*
 * Nearly every value has nothing to escape: eight bytes at a time are
 * tested (carry-free arithmetic) and copied whole. A byte below 0x0E or
 * a backslash sends its word to the byte loop; the test says "none" only
 * when there is none. The last word of a value overlaps the one before
 * it, so no byte past the value is read or written; values of under
 * eight bytes are read as two overlapping halves.
 */

static inline int
tsv_plain(uint64_t x)
{
	uint64_t b = x ^ (SWAR_ONES * '\\');

	return ((((x - SWAR_ONES * 0x0E) & ~x) | ((b - SWAR_ONES) & ~b)) & SWAR_HIGH) == 0;
}

static inline char *
escape_short(char *o, const char *s, size_t n)
{
	uint32_t lo, hi;
	uint16_t l2, h2;

	if (n >= 4) {
		memcpy(&lo, s, 4);
		memcpy(&hi, s + n - 4, 4);
		if (!tsv_plain(lo | (uint64_t)hi << 32))
			return escape_bytes(o, s, n);
		memcpy(o, &lo, 4);
		memcpy(o + n - 4, &hi, 4);
		return o + n;
	}
	if (n >= 2) {
		memcpy(&l2, s, 2);
		memcpy(&h2, s + n - 2, 2);
		/* the upper half a plain filler */
		if (!tsv_plain(l2 | (uint64_t)h2 << 16 | (SWAR_ONES * 'a') << 32))
			return escape_bytes(o, s, n);
		memcpy(o, &l2, 2);
		memcpy(o + n - 2, &h2, 2);
		return o + n;
	}
	return escape_bytes(o, s, n);
}

static inline char *
escape(char *o, const char *s, size_t n)
{
	size_t i;
	uint64_t x;

	if (n < 8)
		return escape_short(o, s, n);
	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&x, s + i, 8);
		if (tsv_plain(x)) {
			memcpy(o, &x, 8);
			o += 8;
		} else {
			o = escape_bytes(o, s + i, 8);
		}
	}
	if (i == n)
		return o;
	/* the last n - i bytes, with the plain ones before them that the
	 * word before put out as they are */
	memcpy(&x, s + n - 8, 8);
	if (!tsv_plain(x))
		return escape_bytes(o, s + i, n - i);
	memcpy(o - (8 - (n - i)), &x, 8);
	return o + (n - i);
}

char *
writer_tsv_escape(char *o, const char *s, size_t n)
{
	return escape(o, s, n);
}

static void
tsv_put(struct buf *b, const char *s, size_t n)
{
	buf_grow(b, 2 * n);
	b->len = (size_t)(escape(b->s + b->len, s, n) - b->s);
}

/* A TSV row: bytes, no calls per field (the writer's hot loop in large
 * imports); the buffer grows only when a field's worst case might not
 * fit, which the flush at WRITER_FLUSH makes rare. */
static void
tsv_row(struct writer *w, char *const *v, const size_t *len)
{
	struct buf *b = &w->b;
	char *o;

	if (b->cap - b->len < 2)	/* the line end of a row of no columns */
		buf_grow(b, 1);
	o = b->s + b->len;
	for (int i = 0; i < w->ncols; i++) {
		size_t n = !v[i] ? 0 : len ? len[i] : strlen(v[i]);

		/* the field escaped, its separator and the line end */
		if (b->cap - (size_t)(o - b->s) <= 2 * n + 2) {
			b->len = (size_t)(o - b->s);
			buf_grow(b, 2 * n + 2);
			o = b->s + b->len;
		}
		if (i)
			*o++ = '\t';
		o = escape(o, v[i], n);
	}
	*o++ = '\n';
	b->len = (size_t)(o - b->s);
}

size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t k;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		k = 2, cp = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		k = 3, cp = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		k = 4, cp = c & 0x07;
	else
		return 0;
	if (k > n)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((k == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return k;
}

/* A JSON string; invalid UTF-8 becomes U+FFFD so the line stays JSON. */
void
writer_json_str(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, from = 0, k;

	buf_putc(b, '"');
	while (i < n) {
		unsigned c = p[i];

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++;
			continue;
		}
		if (c >= 0x80 && (k = utf8_len(p + i, n - i))) {
			i += k;
			continue;
		}
		buf_put(b, s + from, i - from);
		switch (c) {
		case '"': buf_puts(b, "\\\""); break;
		case '\\': buf_puts(b, "\\\\"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\t': buf_puts(b, "\\t"); break;
		case '\r': buf_puts(b, "\\r"); break;
		default:
			if (c < 0x20)
				buf_printf(b, "\\u%04x", c);
			else
				buf_puts(b, "\\ufffd");
		}
		from = ++i;
	}
	buf_put(b, s + from, n - from);
	buf_putc(b, '"');
}

/*
 * Is s written as a JSON number? Only in num_fmt's form, which is valid
 * JSON and reads back as the same text (1.10 or 1E5 would not), and not
 * an integer of 19 digits or more, which JSON readers with 64-bit
 * integers (jansson, so every xsell tool) refuse.
 */
static int
json_number(const char *s, size_t n)
{
	size_t digits = 0;

	if (!num_is_fmt(s, n))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.' || s[i] == 'e')
			return 1;
		digits += s[i] != '-';
	}
	return digits < 19;
}

/*
 * Is s JSON text of an object, or of an array of objects or arrays, on
 * one line? That is what the reader makes of a nested value (compact, so
 * no control bytes); written back as JSON, a nested value goes through
 * every tool as it came. Other text, "[Sale] mugs" or "[1,2]", stays a
 * string.
 */
static int
json_container(const char *s, size_t n)
{
	size_t i = 1;
	json_t *v;

	if (s[0] == '[') {
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i >= n || (s[i] != '{' && s[i] != '['))
			return 0;
	} else if (s[0] != '{') {
		return 0;
	}
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20)
			return 0;
	if (!(v = json_loadb(s, n, JSON_REJECT_DUPLICATES, NULL)))
		return 0;
	json_decref(v);
	return 1;
}

static void
json_list(struct buf *b, const char *s, size_t n)
{
	const char *p = s, *item;
	size_t len;
	int k = 0;

	buf_putc(b, '[');
	while (list_next(&p, s + n, &item, &len)) {
		if (k++)
			buf_putc(b, ',');
		writer_json_str(b, item, len);
	}
	buf_putc(b, ']');
}

/* ---- CSV (RFC 4180) ---- */

/* Would a spreadsheet take the cell for a formula? */
static int
formula_like(const char *s, size_t n)
{
	double v;

	if (!n || !strchr("=+-@\t\r", s[0]))
		return 0;
	return num_parse(s, n, &v) != NULL;	/* -3.5 is a number, not a formula */
}

static void
csv_field(struct buf *b, const char *s, size_t n, int safe)
{
	int quote = 0, tick = safe && formula_like(s, n);

	for (size_t i = 0; i < n && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
	if (!quote && !tick) {
		buf_put(b, s, n);
		return;
	}
	/* quoted too when ticked, so the apostrophe stays part of the text */
	buf_putc(b, '"');
	if (tick)
		buf_putc(b, '\'');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			buf_putc(b, '"');
		buf_putc(b, s[i]);
	}
	buf_putc(b, '"');
}

static void
csv_row(struct writer *w, char *const *v, const size_t *len)
{
	for (int i = 0; i < w->ncols; i++) {
		if (i)
			buf_putc(&w->b, ',');
		if (v[i])
			csv_field(&w->b, v[i], len ? len[i] : strlen(v[i]),
			    w->json == WRITER_CSV_SAFE);
	}
	buf_puts(&w->b, "\r\n");
}

void
writer_open(struct writer *w, FILE *fp, int json, int ncols, char *const *cols)
{
	w->fp = fp;
	w->json = json;
	w->sink = NULL;
	w->sink_arg = NULL;
	w->plain = 0;
	w->ncols = ncols;
	w->cols = xcalloc((size_t)ncols + 1, sizeof *w->cols);
	w->type = xcalloc((size_t)ncols + 1, sizeof *w->type);
	w->dflt = xcalloc((size_t)ncols + 1, sizeof *w->dflt);
	buf_init(&w->b);
	buf_init(&w->fb);
	w->foff = w->fl = NULL;
	w->fv = NULL;
	for (int i = 0; i < ncols; i++) {
		struct buf k;

		/* JSON keys are escaped once, with their colon. */
		buf_init(&k);
		if (json) {
			writer_json_str(&k, cols[i], strlen(cols[i]));
			buf_putc(&k, ':');
		} else {
			tsv_put(&k, cols[i], strlen(cols[i]));
		}
		w->cols[i] = xmemdup(k.s ? k.s : "", k.len);
		buf_free(&k);
		w->type[i] = w->dflt[i] = writer_col_type(cols[i]);
	}
	if (json >= WRITER_CSV && ncols > 0) {
		csv_row(w, cols, NULL);
		flush(w);
	}
	if (!json && ncols > 0) {
		for (int i = 0; i < ncols; i++) {
			if (i)
				buf_putc(&w->b, '\t');
			buf_puts(&w->b, w->cols[i]);
		}
		buf_putc(&w->b, '\n');
		flush(w);
	}
}

void
writer_type(struct writer *w, int col, int type)
{
	if (col >= 0 && col < w->ncols)
		w->type[col] = type == WRITER_AUTO ? w->dflt[col] : type;
}

static void
json_value(struct buf *b, int type, const char *s, size_t n)
{
	if (!n) {
		buf_puts(b, "null");
		return;
	}
	switch (type) {
	case WRITER_LIST:
		json_list(b, s, n);
		break;
	case WRITER_RAW:
		buf_put(b, s, n);
		break;
	case WRITER_NUM:
		if (json_number(s, n)) {
			buf_put(b, s, n);
			break;
		}
		/* FALLTHROUGH */
	case WRITER_TEXT:
		if (type == WRITER_TEXT && (s[0] == '{' || s[0] == '[') &&
		    json_container(s, n)) {
			buf_put(b, s, n);
			break;
		}
		/* FALLTHROUGH */
	default:
		writer_json_str(b, s, n);
	}
}

void
writer_json_value(struct buf *b, int type, const char *s, size_t n)
{
	json_value(b, type, s, n);
}

void
writer_row(struct writer *w, char *const *v, const size_t *len)
{
	struct buf *b = &w->b;

	if (w->sink) {
		w->sink->row(w->sink_arg, v, len);
		return;
	}
	if (w->json >= WRITER_CSV) {
		csv_row(w, v, len);
		if (b->len >= WRITER_FLUSH)
			flush(w);
		return;
	}
	if (!w->json) {
		tsv_row(w, v, len);
		if (b->len >= WRITER_FLUSH)
			flush(w);
		return;
	}
	buf_putc(b, '{');
	for (int i = 0; i < w->ncols; i++) {
		const char *s = v[i] ? v[i] : "";
		size_t n = !v[i] ? 0 : len ? len[i] : strlen(s);

		if (i)
			buf_putc(b, ',');
		buf_puts(b, w->cols[i]);
		json_value(b, w->type[i], s, n);
	}
	buf_putc(b, '}');
	buf_putc(b, '\n');
	if (b->len >= WRITER_FLUSH)
		flush(w);
}

/* n bytes that need no escape copied as escape copies plain ones: words,
 * the last one overlapping the one before, nothing past the value. */
static inline char *
copy_bytes(char *o, const char *s, size_t n)
{
	uint64_t x;
	uint32_t lo, hi;
	uint16_t l2, h2;

	if (n >= 8) {
		for (size_t i = 0; i + 8 < n; i += 8) {
			memcpy(&x, s + i, 8);
			memcpy(o + i, &x, 8);
		}
		memcpy(&x, s + n - 8, 8);
		memcpy(o + n - 8, &x, 8);
	} else if (n >= 4) {
		memcpy(&lo, s, 4);
		memcpy(&hi, s + n - 4, 4);
		memcpy(o, &lo, 4);
		memcpy(o + n - 4, &hi, 4);
	} else if (n >= 2) {
		memcpy(&l2, s, 2);
		memcpy(&h2, s + n - 2, 2);
		memcpy(o, &l2, 2);
		memcpy(o + n - 2, &h2, 2);
	} else if (n) {
		*o = *s;
	}
	return o + n;
}

/* The room a row needs is known before it is written, so the buffer is
 * looked at once a row, not once a field. */
void
writer_row_verbatim(struct writer *w, char *const *v, const size_t *len)
{
	struct buf *b = &w->b;
	size_t need = (size_t)w->ncols + 1;
	char *o;

	if (w->sink || w->json) {
		writer_row(w, v, len);
		return;
	}
	for (int i = 0; i < w->ncols; i++)
		need += len[i];
	if (b->cap - b->len <= need)
		buf_grow(b, need);
	o = b->s + b->len;
	for (int i = 0; i < w->ncols; i++) {
		o = copy_bytes(o, v[i], len[i]);
		*o++ = '\t';
	}
	if (w->ncols)
		o--;
	*o++ = '\n';
	b->len = (size_t)(o - b->s);
	if (b->len >= WRITER_FLUSH)
		flush(w);
}

/* ---- the fast path ---- */

/* Room for n bytes more at the end of the buffer. */
static inline char *
room(struct writer *w, size_t n)
{
	if (w->b.cap - w->b.len <= n)
		buf_grow(&w->b, n);
	return w->b.s + w->b.len;
}

int
writer_plain(const struct writer *w)
{
	return w->plain;
}

/* TSV: the end of the buffer with room for n bytes more and the
 * column's tab. */
static char *
col_at(struct writer *w, size_t n)
{
	char *o = room(w, n + 1);

	if (w->col++)
		*o++ = '\t';
	return o;
}

void
writer_begin(struct writer *w)
{
	w->col = 0;
	w->plain = w->json == WRITER_TSV && !w->sink;
	if (w->sink) {
		if (!w->foff) {
			w->foff = xcalloc((size_t)w->ncols + 1, sizeof *w->foff);
			w->fv = xcalloc((size_t)w->ncols + 1, sizeof *w->fv);
			w->fl = xcalloc((size_t)w->ncols + 1, sizeof *w->fl);
		}
		buf_reset(&w->fb);
	} else if (w->json == WRITER_JSONL) {
		buf_putc(&w->b, '{');
	}
}

/* A column's text for the sink, or its separator, and JSON's key. */
static void
field_start(struct writer *w)
{
	int i = w->col++;

	if (w->sink) {
		w->foff[i] = w->fb.len;
		return;
	}
	if (w->json == WRITER_JSONL) {
		if (i)
			buf_putc(&w->b, ',');
		buf_puts(&w->b, w->cols[i]);
	} else if (i) {
		buf_putc(&w->b, w->json >= WRITER_CSV ? ',' : '\t');
	}
}

/* The sink's column ends; writer_end hands the row over. */
static void
sink_end(struct writer *w)
{
	w->fl[w->col - 1] = w->fb.len - w->foff[w->col - 1];
	buf_putc(&w->fb, '\0');
}

void
writer_str(struct writer *w, const char *s, size_t n)
{
	char *o;

	if (w->plain) {
		o = col_at(w, 2 * n);
		w->b.len = (size_t)((n ? escape(o, s, n) : o) - w->b.s);
		return;
	}
	field_start(w);
	if (w->sink) {
		buf_put(&w->fb, s, n);
		sink_end(w);
	} else if (w->json == WRITER_JSONL) {
		json_value(&w->b, w->type[w->col - 1], s, n);
	} else if (n) {
		csv_field(&w->b, s, n, w->json == WRITER_CSV_SAFE);
	}
}

void
writer_num(struct writer *w, double v)
{
	char t[NUM_BUF];

	if (w->plain) {
		char *o = col_at(w, NUM_BUF);

		w->b.len = (size_t)(o + num_fmt(v, o) - w->b.s);
		return;
	}
	writer_str(w, t, num_fmt(v, t));
}

void
writer_u64(struct writer *w, uint64_t v)
{
	char t[NUM_U64_BUF];

	if (w->plain) {
		char *o = col_at(w, NUM_U64_BUF);

		w->b.len = (size_t)(o + num_u64(v, o) - w->b.s);
		return;
	}
	writer_str(w, t, num_u64(v, t));
}

char *
writer_field(struct writer *w, size_t n)
{
	if (w->plain)
		return col_at(w, n);
	field_start(w);
	if (w->sink) {
		buf_grow(&w->fb, n);
		return w->fb.s + w->fb.len;
	}
	return room(w, n);
}

void
writer_field_end(struct writer *w, char *end)
{
	if (w->sink) {
		w->fb.len = (size_t)(end - w->fb.s);
		sink_end(w);
		return;
	}
	w->b.len = (size_t)(end - w->b.s);
}

void
writer_end(struct writer *w)
{
	if (w->sink) {
		for (int i = 0; i < w->ncols; i++) {
			w->fv[i] = i < w->col ? w->fb.s + w->foff[i] : NULL;
			if (i >= w->col)
				w->fl[i] = 0;
		}
		w->sink->row(w->sink_arg, w->fv, w->fl);
		return;
	}
	if (w->json == WRITER_JSONL)
		buf_putc(&w->b, '}');
	else if (w->json >= WRITER_CSV)
		buf_putc(&w->b, '\r');
	buf_putc(&w->b, '\n');
	if (w->b.len >= WRITER_FLUSH)
		flush(w);
}

void
writer_close(struct writer *w)
{
	if (w->sink)
		w->sink->close(w->sink_arg);
	flush(w);
	for (int i = 0; i < w->ncols; i++)
		free(w->cols[i]);
	free(w->cols);
	free(w->type);
	free(w->dflt);
	buf_free(&w->b);
	buf_free(&w->fb);
	free(w->foff);
	free(w->fv);
	free(w->fl);
	memset(w, 0, sizeof *w);
}

void
layout_init(struct layout *l, int nin, char *const *in, int nown,
    const char *const *own)
{
	l->nin = nin;
	l->nown = nown;
	l->out = xcalloc((size_t)(nin + nown) + 1, sizeof *l->out);
	l->in_at = xcalloc((size_t)nin + 1, sizeof *l->in_at);
	l->own_at = xcalloc((size_t)nown + 1, sizeof *l->own_at);
	l->nout = 0;
	for (int j = 0; j < nin; j++) {
		l->in_at[j] = l->nout;
		l->out[l->nout++] = xstrdup(in[j]);
	}
	for (int i = 0; i < nown; i++) {
		int at = -1;

		for (int j = 0; j < nin; j++)
			if (strcmp(in[j], own[i]) == 0)
				at = j;
		if (at >= 0) {
			l->own_at[i] = l->in_at[at];
			l->in_at[at] = -1;
		} else {
			l->own_at[i] = l->nout;
			l->out[l->nout++] = xstrdup(own[i]);
		}
	}
}

void
layout_free(struct layout *l)
{
	for (int i = 0; i < l->nout; i++)
		free(l->out[i]);
	free(l->out);
	free(l->in_at);
	free(l->own_at);
	memset(l, 0, sizeof *l);
}

void
layout_fill(const struct layout *l, char *const *in, const size_t *inlen,
    char **v, size_t *len)
{
	for (int j = 0; j < l->nin; j++) {
		if (l->in_at[j] < 0)
			continue;
		v[l->in_at[j]] = in[j];
		len[l->in_at[j]] = inlen[j];
	}
}
