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
	int plain;		/* writer_begin: TSV to fp */
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
/* writer_row for values the caller knows have no byte TSV escapes
 * (\t \n \r \\) and none NULL: in TSV they are copied without a look. */
void writer_row_verbatim(struct writer *w, char *const *v, const size_t *len);
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
void writer_begin(struct writer *w);
void writer_str(struct writer *w, const char *s, size_t n);
void writer_num(struct writer *w, double v);
void writer_u64(struct writer *w, uint64_t v);
char *writer_field(struct writer *w, size_t room);
void writer_field_end(struct writer *w, char *end);
void writer_end(struct writer *w);
/* Between writer_begin and writer_end: is the row TSV written here? */
int writer_plain(const struct writer *w);

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
