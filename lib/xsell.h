/*
 * xsell.h: the core of libxsell, shared by every tool.
 *
 * Errors and allocation, growable buffers, numbers and dates, string
 * interning, the record reader (TSV and JSON lines), the record writer,
 * pass-through column layout, atomic output and the progress line.
 * Modules with a narrower audience have their own header (csv.h, rule.h,
 * stats.h, ...).
 */
#ifndef XSELL_H
#define XSELL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define XSELL_VERSION "0.1.0"

/* Exit statuses every tool keeps (DESIGN.md). */
enum {
	XS_OK = 0,	/* success */
	XS_DATA = 1,	/* data problems the tool reported */
	XS_USAGE = 2,	/* bad options */
	XS_INPUT = 3,	/* input unusable: missing column, malformed file, bad rule */
	XS_SYS = 4	/* open, write, memory */
};

#if defined(__GNUC__)
#define XS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define XS_NORETURN __attribute__((noreturn))
#else
#define XS_PRINTF(a, b)
#define XS_NORETURN
#endif

/* ---- program, errors (err.c) ---- */

extern const char *progname;	/* basename of argv[0] */
extern int xs_quiet;		/* --quiet: only errors on stderr */
extern int xs_verbose;		/* -v: counts of each step */

/* Sets progname, gives a closed descriptor 0, 1 or 2 /dev/null opened
 * so that reading stdin or writing stdout still fails (exit 4), puts
 * SIGPIPE back to its default (a closed pipe ends the tool quietly with
 * 141), ignores SIGXFSZ (a file size limit is a write error) and gives
 * stdout a large buffer. */
void xs_init(const char *argv0);
/* The long options every tool has (DESIGN.md), to close its getopt_long
 * table: --json, --output, --quiet, --verbose, --help, --version. */
#define XS_COMMON_LONGOPTS \
	{ "json", no_argument, NULL, 'j' }, \
	{ "output", required_argument, NULL, 'o' }, \
	{ "quiet", no_argument, NULL, 'q' }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, 'V' }, \
	{ NULL, 0, NULL, 0 }

/* Fuzzers and tests only: called by die() just before it exits. */
extern void (*xs_die_hook)(int status);
/* A thread that must not end the process (the background reader) sets
 * this: die() then hands it the status and the message, without the
 * program name, instead of printing and exiting. It must not return. */
extern _Thread_local void (*xs_die_catch)(int status, const char *msg);
/* Registers a cleanup that die() and a failed xs_finish() run before
 * exiting (out.c's removal of -o temporaries): err.c calls no module
 * above it. At most a few; registering the same one again is a no-op. */
void xs_at_die(void (*fn)(void));
/* "progname: message" on stderr, runs the cleanups (removes pending -o
 * temporaries), exits. */
XS_NORETURN void die(int status, const char *fmt, ...) XS_PRINTF(2, 3);
/* "progname: message" on stderr, always (errors and warnings). */
void warnx(const char *fmt, ...) XS_PRINTF(1, 2);
/* "progname: message" on stderr unless --quiet (counts, summaries). */
void note(const char *fmt, ...) XS_PRINTF(1, 2);
/* Prints "progname VERSION" and exits 0. */
XS_NORETURN void xs_version(void);
/* Flushes and closes stdout; a write error is exit 4. Returns status so
 * main can end with "return xs_finish(status);". */
int xs_finish(int status);

/* ---- allocation that dies with status 4 (err.c) ---- */

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xmemdup(const void *p, size_t n);	/* adds a NUL */
/* A large table probed at random (n bytes at p) asks for huge pages, so
 * that a probe is not also a TLB miss; no-op without them. */
void xhuge_pages(void *p, size_t n);

/* ---- growable byte buffer (err.c) ---- */

struct buf {
	char *s;
	size_t len, cap;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_grow(struct buf *b, size_t extra);
void buf_put(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) XS_PRINTF(2, 3);
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) XS_PRINTF(2, 0);
/* NUL-terminates without counting it in len. */
const char *buf_str(struct buf *b);
static inline void buf_reset(struct buf *b) { b->len = 0; }
static inline void
buf_putc(struct buf *b, int c)
{
	if (b->len + 1 >= b->cap)
		buf_grow(b, 1);
	b->s[b->len++] = (char)c;
}

/* ---- numbers and dates (num.c) ---- */

#define NUM_BUF 40	/* room for any num_fmt or time_fmt result */

/*
 * Parses a whole decimal number: [+-]digits[.digits][(e|E)[+-]digits].
 * No surrounding space, no hex, inf, nan, and nothing out of double range
 * (1e999). Returns NULL, or a short lowercase reason ("not a number",
 * "out of range").
 */
const char *num_parse(const char *s, size_t len, double *out);
/* As num_parse, and the value must be an integer within +-2^53. */
const char *num_parse_int(const char *s, size_t len, int64_t *out);
/*
 * Shortest text that reads back as the same double, JavaScript style:
 * plain digits for 1e-7 <= |v| < 1e21, else d.ddde+X; integers without a
 * point; -0 as 0. Infinities and NaN as inf, -inf and nan, which no
 * tool reads as numbers. Writes a NUL-terminated string of at most
 * NUM_BUF - 1 bytes for any double, returns its length.
 */
size_t num_fmt(double v, char *buf);
/* Exit 3 for a total of column col that no double holds (values too
 * large to add up): "where: column 'col': sum out of range". */
XS_NORETURN void num_overflow(const char *where, const char *col);
/* Is s exactly what num_fmt writes for some double? Then it reads back
 * to the same text through any shortest-form printer (jq, JavaScript). */
int num_is_fmt(const char *s, size_t len);
/* num_parse then num_fmt, without the round trip when s is already in
 * that form (the common case in large files). */
const char *num_norm(const char *s, size_t len, char *buf, size_t *outlen);

/*
 * Parses a timestamp: ISO 8601 (YYYY-MM-DD, optionally followed by T or a
 * space and HH:MM[:SS[.fff]], optionally Z or +HH:MM / -HH:MM; or eight
 * digits, YYYYMMDD) or epoch seconds (any other all-digit value). Years
 * 1000 to 9999. Seconds since the epoch, UTC (negative before 1970).
 */
const char *time_parse(const char *s, size_t len, int64_t *out);
/* YYYY-MM-DDTHH:MM:SSZ (a t outside years 0-9999: its digits); returns
 * the length, below NUM_BUF. */
size_t time_fmt(int64_t t, char *buf);

/* ---- comma lists inside one field (num.c) ---- */

/*
 * Iterates the items of a comma list, trimming blanks and skipping empty
 * items: while (list_next(&p, end, &item, &n)) ...
 */
int list_next(const char **p, const char *end, const char **item, size_t *n);

/* ---- hashing and interning (intern.c): intern.h ---- */

#include "intern.h"

/* ---- record reader: TSV with header, or JSON lines (rec.c) ---- */

enum { REC_TSV, REC_JSON };
enum { REC_END = 0, REC_ROW = 1, REC_BAD = 2 };

struct rec {
	/* read-only for callers */
	const char *name;	/* current input as shown in messages */
	long line;		/* line of the current row (1 is the header) */
	int fmt;		/* REC_TSV or REC_JSON, of the current input */
	int ncols;		/* columns of the first input's header */
	char **cols;
	char **f;		/* current row: f[i] for i < ncols, NUL-terminated, */
	size_t *len;		/* unescaped; a missing value is "" (len 0) */
	char err[256];		/* with lenient: why rec_next returned REC_BAD */
	int lenient;		/* set before rec_open: bad rows are REC_BAD, not fatal */
	const char *raw;	/* with lenient: the current line as read */
	size_t rawlen;
	int empty;		/* every input had no bytes at all */
	/* private */
	char **files;
	int nfiles, fileno;
	FILE *fp;
	int fd;
	char *rbuf;		/* read buffer and where the unread bytes are */
	size_t rcap, rpos, rlen;
	int reof;
	int *map;		/* this input's column -> first input's column */
	int nmap;
	int nfcols;		/* columns of the current input */
	char **rf;		/* current input's fields before mapping */
	size_t *rflen;
	struct intern colix;	/* column name -> index */
	struct buf tmp;		/* JSON values as text; raw line copy */
	size_t *toff;
	const char *span;	/* a TSV row: its fields lie in span[0..spanlen] */
	size_t spanlen;
	const struct rec_source *src;	/* rows from elsewhere (rec-internal.h) */
	void *srcarg;		/* its state */
	int block;		/* rbuf holds one block of lines: no more input */
	int quiet;		/* a bad row is REC_BAD, whatever lenient says */
};

/* Opens the inputs (none, or "-", is stdin) and reads the first header:
 * exit 4 when a file cannot be opened, 3 when the header is unusable. */
void rec_open(struct rec *r, int nfiles, char **files);
/* Next row: REC_ROW, REC_END, or with lenient REC_BAD. A malformed row is
 * otherwise exit 3 naming file and line. */
int rec_next(struct rec *r);
/* Index of a column, or -1. */
int rec_col(const struct rec *r, const char *name);
/* Index of a required column; exit 3 naming it and the columns found.
 * Returns -1 only for an input with no bytes at all (no rows follow). */
int rec_need(const struct rec *r, const char *name);
void rec_close(struct rec *r);
/*
 * After rec_open (rec-thread.c): other threads (one fewer than the
 * cores, at most three) read and split the rest of the input in blocks
 * of lines while the caller works on the rows of the blocks before.
 * rec_next returns the same rows in the same order, and a malformed row
 * or a read error still ends the tool when the caller reaches it, with
 * the same message, so the output does not depend on the timing. Not
 * with lenient, and not where the process may use one core only (the
 * rows are then read in the caller's thread, as without it). Rows stay
 * valid until the next rec_next, as without it.
 */
void rec_background(struct rec *r);
/* "file:line" of the current row, for messages. */
const char *rec_where(const struct rec *r);
/* Field i of the current row as a number, or exit 3 naming file, line
 * and column. A missing value returns dflt. */
double rec_num(const struct rec *r, int i, double dflt);

/* ---- record writer and pass-through layout (wr.c) ---- */

/*
 * How a column is written in JSON lines. STR: a string, byte for byte.
 * TEXT: a string, except JSON text of an object (or of an array of
 * objects or arrays), which is written as that JSON: the reader carries
 * a nested value through as such text. NUM: a number when the value is
 * in num_fmt's form (and within the integers every JSON reader takes),
 * else a string. LIST: an array of strings. RAW: the value is JSON text
 * already. AUTO, wr_open's choice by the column's name: LIST for items
 * and holdings, NUM for the numeric columns of xsell(7) (price, score,
 * support, ...), STR for ids (id, *_id), TEXT for every other column,
 * pass-through columns included; a tool marks its other numeric columns
 * NUM.
 */
enum { WR_AUTO, WR_STR, WR_NUM, WR_LIST, WR_RAW, WR_TEXT };
/* The type a column gets by its name: WR_STR, WR_TEXT, WR_NUM or
 * WR_LIST. The reader takes nested JSON only in a WR_TEXT column. */
int wr_col_type(const char *col);
/* s as a JSON string, quoted and escaped (invalid UTF-8 as U+FFFD). */
void wr_json_str(struct buf *b, const char *s, size_t n);
/* Length of the valid UTF-8 sequence at s (n bytes left), or 0: overlong
 * forms, surrogates and code points above U+10FFFF are not valid. */
size_t utf8_len(const unsigned char *s, size_t n);

/* A writer may hand its rows to a filter that writes them otherwise
 * (lib/widget.c): wr_row calls row, wr_close calls close first. */
struct wr_sink {
	void (*row)(void *arg, char *const *v, const size_t *len);
	void (*close)(void *arg);
};

struct wr {
	FILE *fp;
	int json;
	int ncols;
	char **cols;
	int *type;
	int *dflt;		/* the AUTO type of each column */
	struct buf b;
	const struct wr_sink *sink;	/* NULL: rows are written here */
	void *sink_arg;
	int col;		/* wr_begin: the next column */
	struct buf fb;		/* wr_begin with a sink: the row's texts */
	size_t *foff;		/* where each column's text starts in fb */
	char **fv;		/* and the row as wr_row takes it */
	size_t *fl;
};

/*
 * The json argument of wr_open is the format: 0 TSV, 1 JSON lines, or
 * CSV (RFC 4180: fields with a comma, quote, CR or LF quoted, quotes
 * doubled, CRLF line ends, values as they are, no backslash escapes) for
 * spreadsheets and SQL engines. WR_CSV_SAFE also neutralises cells a
 * spreadsheet would run as a formula: a value that starts with = + - @
 * TAB or CR and is not a number gets a leading apostrophe.
 * The options --csv-out and --csv-safe choose them.
 */
enum { WR_TSV = 0, WR_JSONL = 1, WR_CSV = 2, WR_CSV_SAFE = 3 };
enum { XS_OPT_CSV = 0x1000, XS_OPT_CSV_SAFE };
#define XS_CSV_LONGOPTS \
	{ "csv-out", no_argument, NULL, XS_OPT_CSV }, \
	{ "csv-safe", no_argument, NULL, XS_OPT_CSV_SAFE }

/* Writes the TSV or CSV header at once (JSON lines have none). */
void wr_open(struct wr *w, FILE *fp, int json, int ncols, char *const *cols);
void wr_type(struct wr *w, int col, int type);
/* One row of ncols values (NULL is missing); len may be NULL (strlen). */
void wr_row(struct wr *w, char *const *v, const size_t *len);
/* Flushes to fp (does not close it). */
void wr_close(struct wr *w);
/* s escaped as a TSV field (\t \n \r \\) at o, which has room for
 * 2 * n bytes; returns the end. For writers of their own rows. */
char *wr_tsv_escape(char *o, const char *s, size_t n);
/* One JSON value of a column of that type, as wr_row writes it (an empty
 * value is null), for writers of their own JSON. */
void wr_json_value(struct buf *b, int type, const char *s, size_t n);
/*
 * The fast path: a row built a column at a time straight into the
 * writer's buffer, the same bytes as wr_row of the same texts in every
 * format, without arrays of pointers or numbers formatted into buffers
 * first. One call a column, in order, between wr_begin and wr_end:
 * wr_str (n 0 is missing), wr_num (num_fmt's text of any double),
 * wr_u64; or, for a TSV column made of pieces, o = wr_field(w, room),
 * at most room bytes already escaped (wr_tsv_escape) written at o,
 * then wr_field_end(w, o).
 */
void wr_begin(struct wr *w);
void wr_str(struct wr *w, const char *s, size_t n);
void wr_num(struct wr *w, double v);
void wr_u64(struct wr *w, uint64_t v);
char *wr_field(struct wr *w, size_t room);
void wr_field_end(struct wr *w, char *end);
void wr_end(struct wr *w);

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

/* ---- output files (out.c) ---- */

/*
 * NULL or "-" is stdout. Otherwise a temporary file beside path, renamed
 * over it by out_close; an error, any exit before out_close, or a fatal
 * signal (SIGINT, SIGTERM, SIGPIPE, ...) removes the temporary and leaves
 * path as it was. A symbolic link stays: the file it points to is
 * replaced (created when the link dangles). The replaced file keeps its
 * mode (and as root its owner). A device or FIFO is written in place.
 * Exit 2 when path is the same file as an input or another output.
 */
FILE *out_open(const char *path);
/* Flushes and checks; for a file, fsyncs and renames. Exit 4 on error. */
void out_close(FILE *fp);
/* Names a file the tool reads (NULL or "-": stdin, when it is a regular
 * file), for out_open's check; exit 2 when an output is that file.
 * rec_open and csvin_open call it: only a tool that opens a file itself
 * does. */
void out_input(const char *path);
/* Allows output out to replace input in (an update in place:
 * xsell-import --merge rel.tsv -o rel.tsv); any other output still may not. */
void out_inplace(const char *in, const char *out);

/* ---- progress line on a terminal (progress.c) ---- */

/*
 * "xsell-rank: 42% 1200000 rows, 350000/s, 12s left" on standard error
 * when it is a terminal (never with --quiet): the percent and time left
 * when the input's size is known (regular files, standard input
 * redirected from one). Stages of one pipeline share the line: a stage
 * draws only while it holds a lock on the terminal (flock), which a stage
 * reading a regular file asks for at once and any other after a second,
 * and which the holder gives back when it is done.
 */
struct progress {
	int on;
	const char *what;
	uint64_t n, next;
	double t0, last;
	uint64_t every;		/* redraw every this many items (tests) */
	/* the input, for percent and time left */
	uint64_t total;		/* bytes of all inputs; 0 unknown */
	uint64_t at;		/* the most read so far */
	uint64_t *start;	/* where input k starts among them */
	struct progress_id {
		uint64_t dev, ino;	/* input k's file, to know its fd */
	} *id;
	int nfiles, file, fd;
	const struct rec *r;	/* follows its current input, or NULL */
	/* the terminal's line */
	int tty, held, drawn;
};

void progress_init(struct progress *p, const char *what);
/* The inputs are r's (call after rec_open). */
void progress_input(struct progress *p, const struct rec *r);
/* The inputs are these files (none, or "-", is standard input); a
 * reader of its own says which it reads with progress_at. */
void progress_files(struct progress *p, int nfiles, char *const *files);
void progress_at(struct progress *p, int file, int fd);
static inline void
progress_tick(struct progress *p, uint64_t n)
{
	void progress_show_(struct progress *, uint64_t);
	if (p->on && n >= p->next)
		progress_show_(p, n);
}
void progress_done(struct progress *p);

/* ---- option values (opt.c): exit 2 with the option named ---- */

double opt_num(const char *opt, const char *arg, double lo, double hi);
int64_t opt_int(const char *opt, const char *arg, int64_t lo, int64_t hi);
/* Index of arg in the NULL-terminated list of words. */
int opt_word(const char *opt, const char *arg, const char *const *words);
/* Unknown option or missing argument: the usage text on stderr, exit 2. */
XS_NORETURN void usage_die(const char *usage);

/*
 * The options every tool has, one meaning everywhere (git's OPT__QUIET
 * way): -j, -o, -q, -v, -h, -V (XS_COMMON_LONGOPTS) and, for a tool that
 * lists XS_CSV_LONGOPTS, --csv-out and --csv-safe. A tool's getopt_long
 * switch hands them on from its default case; anything else there (an
 * unknown option, a missing argument) is usage_die.
 */
struct opt_common {
	const char *usage;	/* the synopsis: -h, and on stderr for errors */
	const char *help;	/* the option lines -h prints after it */
	int *format;		/* -j: WR_JSONL; --csv-out, --csv-safe */
	const char **out;	/* -o FILE */
};
void opt_common(int ch, const struct opt_common *c);

#endif
