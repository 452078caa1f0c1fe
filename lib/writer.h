/* writer.h: the record writer (TSV, JSON lines, CSV), its fast path and the pass-through layout (writer.c). */
#ifndef XS_WRITER_H
#define XS_WRITER_H

#include <stdint.h>
#include <stdio.h>
#include "buf.h"

/*
 * How a column is written in JSON lines. STR: a string, byte for byte.
 * TEXT: a string, except JSON text of an object (or of an array of
 * objects or arrays), which is written as that JSON: the reader carries
 * a nested value through as such text. NUM: a number when the value is
 * in num_fmt's form (and within the integers every JSON reader takes),
 * else a string. LIST: an array of strings. RAW: the value is JSON text
 * already. AUTO, writer_open's choice by the column's name: LIST for items
 * and holdings, NUM for the numeric columns of xsell(7) (price, score,
 * support, ...), STR for ids (id, *_id), TEXT for every other column,
 * pass-through columns included; a tool marks its other numeric columns
 * NUM.
 */
enum { WRITER_AUTO, WRITER_STR, WRITER_NUM, WRITER_LIST, WRITER_RAW, WRITER_TEXT };
/* The type a column gets by its name: WRITER_STR, WRITER_TEXT, WRITER_NUM or
 * WRITER_LIST. The reader takes nested JSON only in a WRITER_TEXT column. */
int writer_col_type(const char *col);
/* s as a JSON string, quoted and escaped (invalid UTF-8 as U+FFFD). */
void writer_json_str(struct buf *b, const char *s, size_t n);
/* Length of the valid UTF-8 sequence at s (n bytes left), or 0: overlong
 * forms, surrogates and code points above U+10FFFF are not valid. */
size_t utf8_len(const unsigned char *s, size_t n);

/* A writer may hand its rows to a filter that writes them otherwise
 * (lib/widget.c): writer_row calls row, writer_close calls close first. */
struct writer_sink {
	void (*row)(void *arg, char *const *v, const size_t *len);
	void (*close)(void *arg);
};

struct writer {
	FILE *fp;
	int json;
	int ncols;
	char **cols;
	int *type;
	int *dflt;		/* the AUTO type of each column */
	struct buf b;
	const struct writer_sink *sink;	/* NULL: rows are written here */
	void *sink_arg;
	int col;		/* writer_begin: the next column */
	int plain;		/* writer_begin: TSV to fp (the inline case) */
	struct buf fb;		/* writer_begin with a sink: the row's texts */
	size_t *foff;		/* where each column's text starts in fb */
	char **fv;		/* and the row as writer_row takes it */
	size_t *fl;
};

/*
 * The json argument of writer_open is the format: 0 TSV, 1 JSON lines, or
 * CSV (RFC 4180: fields with a comma, quote, CR or LF quoted, quotes
 * doubled, CRLF line ends, values as they are, no backslash escapes) for
 * spreadsheets and SQL engines. WRITER_CSV_SAFE also neutralises cells a
 * spreadsheet would run as a formula: a value that starts with = + - @
 * TAB or CR and is not a number gets a leading apostrophe.
 * The options --csv-out and --csv-safe choose them.
 */
enum { WRITER_TSV = 0, WRITER_JSONL = 1, WRITER_CSV = 2, WRITER_CSV_SAFE = 3 };

/* Writes the TSV or CSV header at once (JSON lines have none). */
void writer_open(struct writer *w, FILE *fp, int json, int ncols, char *const *cols);
void writer_type(struct writer *w, int col, int type);
/* One row of ncols values (NULL is missing); len may be NULL (strlen). */
void writer_row(struct writer *w, char *const *v, const size_t *len);
/* Flushes to fp (does not close it). */
void writer_close(struct writer *w);
/* s escaped as a TSV field (\t \n \r \\) at o, which has room for
 * 2 * n bytes; returns the end. For writers of their own rows. */
char *writer_tsv_escape(char *o, const char *s, size_t n);
/* One JSON value of a column of that type, as writer_row writes it (an empty
 * value is null), for writers of their own JSON. */
void writer_json_value(struct buf *b, int type, const char *s, size_t n);
/*
 * The fast path: a row built a column at a time straight into the
 * writer's buffer, the same bytes as writer_row of the same texts in every
 * format, without arrays of pointers or numbers formatted into buffers
 * first. One call a column, in order, between writer_begin and writer_end:
 * writer_str (n 0 is missing), writer_num (num_fmt's text of any double),
 * writer_u64; or, for a TSV column made of pieces (writer_plain says the
 * row is TSV written here), o = writer_field(w, room),
 * at most room bytes already escaped (writer_tsv_escape) written at o,
 * then writer_field_end(w, o).
 */
static inline void writer_begin(struct writer *w);
static inline void writer_str(struct writer *w, const char *s, size_t n);
void writer_num(struct writer *w, double v);
static inline void writer_u64(struct writer *w, uint64_t v);
static inline char *writer_field(struct writer *w, size_t room);
static inline void writer_field_end(struct writer *w, char *end);
static inline void writer_end(struct writer *w);

/*
 * The TSV case of the fast path is inline: a call a column costs a test
 * and a copy (the calls' own cost was what the fast path lost to rows
 * written by hand); JSON, CSV and sinks take the *_slow functions.
 */
void writer_begin_slow(struct writer *w);
void writer_str_slow(struct writer *w, const char *s, size_t n);
void writer_u64_slow(struct writer *w, uint64_t v);
char *writer_field_slow(struct writer *w, size_t room);
void writer_field_end_slow(struct writer *w, char *end);
void writer_end_slow(struct writer *w);
/* The buffer is written out when it holds this much: 64 KB, a pipe's
 * size, so that the next stage of a pipeline is fed steadily (1 MB bursts
 * made import | learn 1.6 times slower). */
enum { WRITER_FLUSH = 1 << 16 };
/* Grows the buffer for n bytes more; returns its end. */
char *writer_grow(struct writer *w, size_t n);

/* Between writer_begin and writer_end: is the row TSV written here? */
static inline int
writer_plain(const struct writer *w)
{
	return w->plain;
}

/* The end of the buffer with room for n bytes more and the column's tab. */
static inline char *
writer_col_at(struct writer *w, size_t n)
{
	char *o = w->b.cap - w->b.len > n + 1 ? w->b.s + w->b.len :
	    writer_grow(w, n + 1);

	if (w->col++)
		*o++ = '\t';
	return o;
}

static inline void
writer_begin(struct writer *w)
{
	w->col = 0;
	w->plain = w->json == WRITER_TSV && !w->sink;
	if (!w->plain)
		writer_begin_slow(w);
}

static inline void
writer_str(struct writer *w, const char *s, size_t n)
{
	char *o;

	if (!writer_plain(w)) {
		writer_str_slow(w, s, n);
		return;
	}
	o = writer_col_at(w, 2 * n);
	w->b.len = (size_t)((n ? writer_tsv_escape(o, s, n) : o) - w->b.s);
}

static inline void
writer_u64(struct writer *w, uint64_t v)
{
	char t[20], *o;
	size_t n = sizeof t;

	if (!writer_plain(w)) {
		writer_u64_slow(w, v);
		return;
	}
	do {
		t[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	o = writer_col_at(w, sizeof t);
	for (; n < sizeof t; n++)
		*o++ = t[n];
	w->b.len = (size_t)(o - w->b.s);
}

static inline char *
writer_field(struct writer *w, size_t room)
{
	return writer_plain(w) ? writer_col_at(w, room) : writer_field_slow(w, room);
}

static inline void
writer_field_end(struct writer *w, char *end)
{
	if (writer_plain(w))
		w->b.len = (size_t)(end - w->b.s);
	else
		writer_field_end_slow(w, end);
}

static inline void
writer_end(struct writer *w)
{
	if (writer_plain(w) && w->b.len + 1 < w->b.cap &&
	    w->b.len + 1 < WRITER_FLUSH)
		w->b.s[w->b.len++] = '\n';
	else
		writer_end_slow(w);
}

/*
 * Pass-through: the output columns are the input's, in order, each of the
 * tool's own columns replacing a same-named input column where it stands,
 * the rest of the own columns appended.
 */
struct layout {
	int nin, nown, nout;
	char **out;	/* output column names */
	int *in_at;	/* input column j -> output index, or -1 when replaced */
	int *own_at;	/* own column i -> output index */
};

void layout_init(struct layout *l, int nin, char *const *in, int nown,
    const char *const *own);
void layout_free(struct layout *l);
/* Copies the input row's fields to their output places in v/len. */
void layout_fill(const struct layout *l, char *const *in, const size_t *inlen,
    char **v, size_t *len);

#endif
