/* rec.c: the record reader, TSV with a header line or JSON lines. */
#define _GNU_SOURCE	/* memrchr, where glibc has it */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "xsell.h"
#include "buf.h"
#include "num.h"
#include "rec.h"
#include "writer.h"
#include "out.h"
#include "intern.h"
#include "rec-internal.h"
#include "swar.h"

#define RCHUNK (1 << 20)

static char empty[1];
static char *stdin_name[] = { "-" };

/* The last LF in p[0, n), or NULL. memrchr is glibc's (and the BSDs'),
 * not POSIX: macOS lacks it. Elsewhere a plain loop, as fast here: the
 * last LF of a block is a line's length from its end. */
static char *
last_lf(char *p, size_t n)
{
#ifdef __GLIBC__
	return memrchr(p, '\n', n);
#else
	while (n > 0)
		if (p[--n] == '\n')
			return p + n;
	return NULL;
#endif
}

static const char *
shown(const char *file)
{
	return strcmp(file, "-") == 0 ? "<stdin>" : file;
}

/* Opens input number k; 0 when there is none left. */
static int
open_input(struct rec *r, int k)
{
	const char *file;

	if (r->fd > STDIN_FILENO)
		close(r->fd);
	r->fd = -1;
	if (k >= r->nfiles)
		return 0;
	r->fileno = k;
	file = r->files[k];
	r->name = shown(file);
	r->line = 0;
	r->rpos = r->rlen = 0;
	r->reof = 0;
	if (strcmp(file, "-") == 0)
		r->fd = STDIN_FILENO;
	else if ((r->fd = open(file, O_RDONLY)) < 0)
		die(XS_SYS, "%s: %s", file, strerror(errno));
	return 1;
}

/* Reads more bytes after the unread ones; 0 at end of file. */
static int
fill(struct rec *r)
{
	ssize_t n;

	if (r->reof)
		return 0;
	if (r->rpos > 0) {
		memmove(r->rbuf, r->rbuf + r->rpos, r->rlen - r->rpos);
		r->rlen -= r->rpos;
		r->rpos = 0;
	}
	if (r->rcap - r->rlen < RCHUNK / 2) {
		r->rcap = r->rcap ? r->rcap * 2 : RCHUNK;
		r->rbuf = xrealloc(r->rbuf, r->rcap + 1);
	}
	do
		n = read(r->fd, r->rbuf + r->rlen, r->rcap - r->rlen);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		die(XS_SYS, "%s: %s", r->name, strerror(errno));
	if (n == 0) {
		r->reof = 1;
		return 0;
	}
	r->rlen += (size_t)n;
	return 1;
}

/* Next line without its LF (and CR), NUL-terminated in the read buffer and
 * valid until the next call; NULL at end of input. */
static char *
next_line(struct rec *r, size_t *len)
{
	char *s, *nl;
	size_t from = r->rpos;

	for (;;) {
		nl = memchr(r->rbuf + from, '\n', r->rlen - from);
		if (nl)
			break;
		from = r->rlen - r->rpos;
		if (!fill(r)) {
			if (r->rpos == r->rlen)
				return NULL;
			nl = r->rbuf + r->rlen;	/* last line without LF */
			break;
		}
	}
	s = r->rbuf + r->rpos;
	*len = (size_t)(nl - s);
	r->rpos = (size_t)(nl - r->rbuf) + (nl < r->rbuf + r->rlen);
	if (*len && s[*len - 1] == '\r')
		(*len)--;
	s[*len] = '\0';
	r->line++;
	if (r->line == 1 && *len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
		s += 3;
		*len -= 3;
	}
	return s;
}

/* Undoes \t \n \r \\ in place; other backslashes stay as they are. */
static size_t
unescape(char *s, size_t n)
{
	char *w = s, *end = s + n, *p = s;

	while (p < end) {
		if (*p == '\\' && p + 1 < end) {
			switch (p[1]) {
			case 't': *w++ = '\t'; p += 2; continue;
			case 'n': *w++ = '\n'; p += 2; continue;
			case 'r': *w++ = '\r'; p += 2; continue;
			case '\\': *w++ = '\\'; p += 2; continue;
			}
		}
		*w++ = *p++;
	}
	*w = '\0';
	return (size_t)(w - s);
}

static int
is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

static void
grow_fields(struct rec *r, int n)
{
	r->rflen = xreallocarray(r->rflen, (size_t)n + 1, sizeof *r->rflen);
	r->map = xreallocarray(r->map, (size_t)n + 1, sizeof *r->map);
	r->toff = xreallocarray(r->toff, (size_t)n + 1, sizeof *r->toff);
}

/* Adds a column of the first header; exit 3 on a duplicate name. */
static void
add_col(struct rec *r, const char *name, size_t len)
{
	uint32_t before = r->colix.n;

	intern_put(&r->colix, name, len);
	if (r->colix.n == before)
		die(XS_INPUT, "%s:%ld: duplicate column '%.*s'", r->name,
		    r->line, (int)len, name);
	r->cols = xreallocarray(r->cols, (size_t)r->ncols + 1, sizeof *r->cols);
	r->cols[r->ncols++] = xmemdup(name, len);
}

/* Where this input's column goes in the first header, or exit 3. */
static int
map_col(struct rec *r, const char *name, size_t len, const char *what)
{
	uint32_t i = intern_find(&r->colix, name, len);

	if (i == INTERN_NONE)
		die(XS_INPUT, "%s:%ld: %s '%.*s' is not a column of %s",
		    r->name, r->line, what, (int)len, name, shown(r->files[0]));
	return (int)i;
}

static void
tsv_header(struct rec *r, char *s, size_t len, int first)
{
	char *end = s + len, *p = s, *tab;
	int n = 0;
	unsigned char *seen;

	do {
		tab = memchr(p, '\t', (size_t)(end - p));
		if (!tab)
			tab = end;
		*tab = '\0';
		len = unescape(p, (size_t)(tab - p));
		if (first)
			add_col(r, p, len);
		grow_fields(r, n);
		r->map[n] = first ? n : map_col(r, p, len, "column");
		n++;
		p = tab + 1;
	} while (tab < end);
	r->nfcols = n;
	if (first)
		return;
	seen = xcalloc((size_t)r->ncols, 1);
	for (int i = 0; i < n; i++) {
		int c = r->map[i];

		if (seen[c]) {
			free(seen);
			die(XS_INPUT, "%s:1: duplicate column '%s'", r->name,
			    r->cols[c]);
		}
		seen[c] = 1;
	}
	for (int i = 0; i < r->ncols; i++)
		if (!seen[i]) {
			free(seen);
			die(XS_INPUT, "%s:1: no column '%s' (as in %s)", r->name,
			    r->cols[i], shown(r->files[0]));
		}
	free(seen);
}

/* The next line, without consuming it or writing to it; NULL at end. */
static char *
peek_line(struct rec *r, size_t *len)
{
	char *nl, *s;
	size_t from = r->rpos;

	while (!(nl = memchr(r->rbuf + from, '\n', r->rlen - from))) {
		from = r->rlen - r->rpos;
		if (!fill(r)) {
			nl = r->rbuf + r->rlen;
			break;
		}
	}
	if (r->rpos == r->rlen)
		return NULL;
	s = r->rbuf + r->rpos;
	*len = (size_t)(nl - s);
	if (r->line == 0 && *len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
		s += 3;
		*len -= 3;
	}
	if (*len && s[*len - 1] == '\r')
		(*len)--;
	return s;
}

/* The first JSON object's keys make the columns. */
static void
json_header(struct rec *r, const char *s, size_t len)
{
	json_error_t je;
	json_t *o, *v;
	const char *key;

	o = json_loadb(s, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
	if (!o)
		die(XS_INPUT, "%s:%ld: column %d: invalid JSON: %s", r->name,
		    r->line + 1, je.column, je.text);
	if (!json_is_object(o))
		die(XS_INPUT, "%s:%ld: not a JSON object", r->name, r->line + 1);
	json_object_foreach(o, key, v)
		add_col(r, key, strlen(key));
	json_decref(o);
}

/* Skips blank lines, detects the format of the input just opened and
 * reads its header: a TSV line, or the keys of the first JSON object
 * (left unread). 0 when the input has nothing but blanks. */
static int
start_input(struct rec *r, int first)
{
	char *s;
	size_t len;

	while ((s = peek_line(r, &len)) && is_blank(s, len))
		next_line(r, &len);
	if (!s)
		return 0;
	if (*s == '{') {
		r->fmt = REC_JSON;
		if (first)
			json_header(r, s, len);
		return 1;
	}
	r->fmt = REC_TSV;
	s = next_line(r, &len);
	if (memchr(s, '\0', len))
		die(XS_INPUT, "%s:%ld: NUL byte in the header", r->name, r->line);
	tsv_header(r, s, len, first);
	return 1;
}

void
rec_open(struct rec *r, int nfiles, char **files)
{
	int lenient = r->lenient;

	memset(r, 0, sizeof *r);
	r->lenient = lenient;
	r->fd = -1;
	r->files = nfiles > 0 ? files : stdin_name;
	r->nfiles = nfiles > 0 ? nfiles : 1;
	intern_init(&r->colix);
	buf_init(&r->tmp);
	r->empty = 1;
	r->rcap = RCHUNK;
	r->rbuf = xmalloc(r->rcap + 1);
	grow_fields(r, 0);
	/* Every input named before any is read: an output that is one of
	 * them is refused before the work is done. */
	for (int k = 0; k < r->nfiles; k++)
		out_input(r->files[k]);
	r->f = xcalloc(1, sizeof *r->f);
	r->len = xcalloc(1, sizeof *r->len);
	for (int k = 0; open_input(r, k); k++) {
		if (start_input(r, 1)) {
			r->empty = 0;
			break;
		}
	}
	r->f = xreallocarray(r->f, (size_t)r->ncols + 1, sizeof *r->f);
	r->len = xreallocarray(r->len, (size_t)r->ncols + 1, sizeof *r->len);
	if (r->fmt == REC_JSON)
		grow_fields(r, r->ncols);
}

static int
why(struct rec *r, const char *fmt, ...) XS_PRINTF(2, 3);

/* Records why the row is malformed; REC_BAD. */
static int
why(struct rec *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof r->err, fmt, ap);
	va_end(ap);
	return REC_BAD;
}

/* A malformed row is fatal unless the caller asked for lenient. */
static int
verdict(struct rec *r, int rc)
{
	if (rc == REC_BAD && !r->lenient && !r->quiet)
		die(XS_INPUT, "%s:%ld: %s", r->name, r->line, r->err);
	return rc;
}

static void
clear_row(struct rec *r)
{
	for (int i = 0; i < r->ncols; i++) {
		r->f[i] = empty;
		r->len[i] = 0;
	}
}

static void
keep_raw(struct rec *r, const char *s, size_t len)
{
	if (!r->lenient)
		return;
	buf_reset(&r->tmp);
	buf_put(&r->tmp, s, len);
	r->raw = buf_str(&r->tmp);
	r->rawlen = len;
}

/*
 * A TSV line is scanned once, a word at a time: its tabs, and its LF,
 * backslashes and NULs, come out as two bit masks, with SSE2 where there
 * is SSE2 and with carry-free arithmetic on eight bytes elsewhere (as in
 * csvin.c); the last bytes before the buffer's end, fewer than a word,
 * go one by one, so that nothing past it is read.
 */
#if defined(__SSE2__) && !defined(REC_SWAR)
#include <emmintrin.h>

#define WORD 16
#define POS(m) __builtin_ctz((unsigned)(m))

/* The tabs, and the LFs, backslashes and NULs, of the WORD bytes at p, one
 * bit each, the first byte lowest. */
static inline void
masks(const char *p, uint64_t *t, uint64_t *k)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);

	*t = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v,
	    _mm_set1_epi8('\t')));
	*k = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(
	    _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')),
	    _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
	    _mm_cmpeq_epi8(v, _mm_setzero_si128())));
}
#else
#define WORD 8
#define POS(m) (__builtin_ctzll(m) >> 3)


/* As above, with a byte's high bit for its bit. */
static inline void
masks(const char *p, uint64_t *t, uint64_t *k)
{
	uint64_t v = swar_load(p);

	*t = swar_eq(v, '\t');
	*k = swar_eq(v, '\n') | swar_eq(v, '\\') | swar_eq(v, '\0');
}
#endif

enum { TSV_ESC = 1, TSV_NUL = 2 };

/*
 * The line at s, up to its LF or to lim, in one pass: the ends of its
 * first nfcols fields (its tabs) go into r->rflen as offsets from s, its
 * fields are counted into *nf, and *what has TSV_ESC when it holds a
 * backslash, TSV_NUL when it holds a NUL byte. Returns its LF, or lim when
 * there is none before. Writes nothing to the line.
 */
static char *
tsv_scan(struct rec *r, char *s, char *lim, int *nf, int *what)
{
	size_t *end = r->rflen;
	int n = 0, most = r->nfcols, w = 0;
	char *p = s;

	for (; lim - p >= WORD; p += WORD) {
		uint64_t t, k, kb, before;

		masks(p, &t, &k);
		for (;;) {
			kb = k & -k;
			before = kb ? t & (kb - 1) : t;
			for (; before; before &= before - 1, n++)
				if (n < most)
					end[n] = (size_t)(p - s) + POS(before);
			if (!kb)
				break;
			t &= ~(kb - 1);
			k ^= kb;
			switch (p[POS(kb)]) {
			case '\n':
				p += POS(kb);
				goto done;
			case '\\':
				w |= TSV_ESC;
				break;
			default:
				w |= TSV_NUL;
			}
		}
	}
	for (; p < lim; p++)
		switch (*p) {
		case '\t':
			if (n < most)
				end[n] = (size_t)(p - s);
			n++;
			break;
		case '\n':
			goto done;
		case '\\':
			w |= TSV_ESC;
			break;
		case '\0':
			w |= TSV_NUL;
			break;
		}
done:
	*nf = n + 1;
	*what = w;
	return p;
}

/* The row of the line s[0, len), as tsv_scan found it: n fields. The
 * arrays are read through locals: a store to the line may alias them. */
static int
tsv_row(struct rec *r, char *s, size_t len, int n, int what)
{
	char **f = r->f;
	size_t *flen = r->len, *end = r->rflen, from = 0, to;
	const int *map = r->map;
	int i, m = n < r->nfcols ? n : r->nfcols;

	keep_raw(r, s, len);
	if (what & TSV_NUL) {
		clear_row(r);
		return verdict(r, why(r, "NUL byte"));
	}
	if (n <= r->nfcols)
		end[n - 1] = len;	/* the last field ends the line */
	if (n != r->nfcols)
		clear_row(r);
	for (i = 0; i < m; i++) {
		to = end[i];
		s[to] = '\0';
		f[map[i]] = s + from;
		flen[map[i]] = what & TSV_ESC ? unescape(s + from, to - from) :
		    to - from;
		from = to + 1;
	}
	if (n == r->nfcols)
		return REC_ROW;
	return verdict(r, why(r, "expected %d fields, found %d", r->nfcols,
	    n));
}

/* Appends a JSON scalar as text; 0 when it is not a scalar. */
static int
json_text(struct buf *b, json_t *v)
{
	char nb[NUM_BUF];

	switch (json_typeof(v)) {
	case JSON_STRING:
		buf_put(b, json_string_value(v), json_string_length(v));
		return 1;
	case JSON_INTEGER:
		buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return 1;
	case JSON_REAL:
		buf_put(b, nb, num_fmt(json_real_value(v), nb));
		return 1;
	case JSON_TRUE:
		buf_puts(b, "true");
		return 1;
	case JSON_FALSE:
		buf_puts(b, "false");
		return 1;
	case JSON_NULL:
		return 1;
	default:
		return 0;
	}
}

/* A value as compact JSON text: keys in their order, numbers in the
 * shortest form that reads back the same (as json_text writes them). */
static void
json_compact(struct buf *b, json_t *v)
{
	const char *key;
	json_t *e;
	size_t k;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		buf_putc(b, '{');
		k = 0;
		json_object_foreach(v, key, e) {
			if (k++)
				buf_putc(b, ',');
			writer_json_str(b, key, strlen(key));
			buf_putc(b, ':');
			json_compact(b, e);
		}
		buf_putc(b, '}');
		break;
	case JSON_ARRAY:
		buf_putc(b, '[');
		json_array_foreach(v, k, e) {
			if (k)
				buf_putc(b, ',');
			json_compact(b, e);
		}
		buf_putc(b, ']');
		break;
	case JSON_STRING:
		writer_json_str(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_NULL:
		buf_puts(b, "null");
		break;
	default:
		json_text(b, v);
	}
}

/* An array of scalars: its items as a comma list. 0 when one is not. */
static int
json_list_text(struct buf *b, json_t *v)
{
	size_t k;
	json_t *e;

	json_array_foreach(v, k, e)
		if (json_is_object(e) || json_is_array(e))
			return 0;
	json_array_foreach(v, k, e) {
		if (k)
			buf_putc(b, ',');
		json_text(b, e);
	}
	return 1;
}

static int
json_row(struct rec *r, char *s, size_t len)
{
	json_error_t je;
	json_t *o, *v;
	const char *key;
	size_t at;
	int rc = REC_ROW;

	keep_raw(r, s, len);
	o = json_loadb(s, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
	if (!o) {
		clear_row(r);
		return verdict(r, why(r, "column %d: invalid JSON: %s",
		    je.column, je.text));
	}
	if (!json_is_object(o)) {
		json_decref(o);
		clear_row(r);
		return verdict(r, why(r, "not a JSON object"));
	}
	/* With lenient, tmp starts with the raw line: values go after it. */
	at = r->lenient ? r->tmp.len + 1 : 0;
	r->tmp.len = at;
	for (int i = 0; i < r->ncols; i++)
		r->toff[i] = SIZE_MAX;
	json_object_foreach(o, key, v) {
		uint32_t i = intern_find(&r->colix, key, strlen(key));
		size_t from;

		if (i == INTERN_NONE) {
			rc = why(r, "key '%s' is not a column of the first line",
			    key);
			break;
		}
		from = r->tmp.len;
		/*
		 * A nested value (an object, an array holding objects or
		 * arrays) is carried as its compact JSON text, which the
		 * writer gives back as JSON: what one tool writes with -j
		 * (xsell-score's explain) another reads. Not where an id or
		 * a list of ids must be.
		 */
		if (json_is_array(v) ? !json_list_text(&r->tmp, v) :
		    json_is_object(v)) {
			if (writer_col_type(key) != WRITER_TEXT) {
				rc = why(r, "key '%s': nested %s", key,
				    json_is_array(v) ? "value" : "object");
				break;
			}
			r->tmp.len = from;
			json_compact(&r->tmp, v);
		} else if (!json_is_array(v)) {
			json_text(&r->tmp, v);
		}
		if (memchr(r->tmp.s ? r->tmp.s + from : "", '\0', r->tmp.len - from)) {
			rc = why(r, "key '%s': NUL byte", key);
			break;
		}
		r->toff[i] = from;
		r->len[i] = r->tmp.len - from;
		buf_putc(&r->tmp, '\0');
	}
	json_decref(o);
	buf_str(&r->tmp);
	if (r->lenient)
		r->raw = r->tmp.s;
	for (int i = 0; i < r->ncols; i++) {
		if (rc != REC_ROW || r->toff[i] == SIZE_MAX) {
			r->f[i] = empty;
			r->len[i] = 0;
		} else {
			r->f[i] = r->tmp.s + r->toff[i];
		}
	}
	return verdict(r, rc);
}

/*
 * The next TSV line when the buffer holds it whole, found and split in
 * one pass; NULL when next_line must read on. Not the first line of an
 * input, which may start with a BOM: that one is its header.
 */
static char *
tsv_line(struct rec *r, size_t *len, int *nf, int *what)
{
	char *s = r->rbuf + r->rpos, *lim = r->rbuf + r->rlen, *nl;

	if (r->fmt != REC_TSV || r->line == 0 ||
	    (nl = tsv_scan(r, s, lim, nf, what)) == lim)
		return NULL;
	*len = (size_t)(nl - s);
	r->rpos = (size_t)(nl + 1 - r->rbuf);
	if (*len && s[*len - 1] == '\r')
		(*len)--;
	s[*len] = '\0';
	r->line++;
	return s;
}

int
rec_next(struct rec *r)
{
	char *s;
	size_t len;
	int nf, what;

	if (r->src)
		return r->src->next(r);
	if (r->empty)
		return REC_END;
	for (;;) {
		if ((s = tsv_line(r, &len, &nf, &what))) {
			if (is_blank(s, len))
				continue;
			r->span = s;
			r->spanlen = len;
			return tsv_row(r, s, len, nf, what);
		}
		s = next_line(r, &len);
		if (!s) {
			/* Next input: its header must match the first one's. */
			int k = r->fileno + 1;

			if (r->block)
				return REC_END;
			for (;;) {
				if (!open_input(r, k))
					return REC_END;
				if (start_input(r, 0))
					break;
				k++;
			}
			continue;
		}
		if (is_blank(s, len))
			continue;
		if (r->fmt == REC_JSON) {
			r->span = NULL;
			return json_row(r, s, len);
		}
		r->span = s;
		r->spanlen = len;
		tsv_scan(r, s, s + len, &nf, &what);
		return tsv_row(r, s, len, nf, what);
	}
}

/* Room for n more bytes in a block, and the NUL after them. */
static void
block_room(struct rec_block *t, size_t n)
{
	if (t->cap - t->len >= n && t->data)
		return;
	t->cap = t->len + n > 2 * t->cap ? t->len + n : 2 * t->cap;
	t->data = xrealloc(t->data, t->cap + 1);
}

/* read() into the block; 0 at end of file. */
static int
block_read(struct rec *w, struct rec_block *t, size_t want)
{
	ssize_t n;

	block_room(t, want);
	do
		n = read(w->fd, t->data + t->len, want);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		die(XS_SYS, "%s: %s", w->name, strerror(errno));
	if (n == 0)
		w->reof = 1;
	t->len += (size_t)n;
	return n > 0;
}

/*
 * Lines go into the block straight from read(): only the unread bytes
 * of the reader's buffer (the first read's, and the part line a block
 * leaves) are copied. A block ends at the last line end in its first
 * `most` bytes, or after its first line when that is longer.
 */
int
rec_take(struct rec *w, struct rec_block *t, size_t most)
{
	size_t want = most > RCHUNK / 4 ? most : RCHUNK / 4, cut, have;
	char *nl;

	while (w->rpos == w->rlen && !fill(w))
		do
			if (!open_input(w, w->fileno + 1))
				return 0;
		while (!start_input(w, 0));
	t->len = 0;
	have = w->rlen - w->rpos;
	if (have > most && (nl = last_lf(w->rbuf + w->rpos, most))) {
		/* read before (the first read is larger than a block) */
		cut = (size_t)(nl - (w->rbuf + w->rpos)) + 1;
		block_room(t, cut);
		memcpy(t->data, w->rbuf + w->rpos, cut);
		t->len = cut;
		w->rpos += cut;
		goto taken;
	}
	block_room(t, have);
	memcpy(t->data, w->rbuf + w->rpos, have);
	t->len = have;
	w->rpos = w->rlen = 0;
	while (t->len < want && !w->reof && block_read(w, t, want - t->len))
		;
	nl = last_lf(t->data, t->len < most ? t->len : most);
	for (size_t seen = t->len < most ? t->len : most; !nl; ) {
		nl = memchr(t->data + seen, '\n', t->len - seen);
		seen = t->len;
		if (!nl && (w->reof || !block_read(w, t, t->cap - t->len > RCHUNK / 4 ?
		    t->cap - t->len : RCHUNK / 4)))
			nl = t->data + t->len - 1;	/* the last line has no LF */
	}
	cut = (size_t)(nl - t->data) + 1;
	if (cut < t->len) {
		/* the rest waits in the reader's buffer for the next block */
		if (w->rcap < t->len - cut) {
			w->rcap = t->len - cut;
			w->rbuf = xrealloc(w->rbuf, w->rcap + 1);
		}
		memcpy(w->rbuf, t->data + cut, t->len - cut);
		w->rlen = t->len - cut;
	}
	t->len = cut;
taken:
	t->fileno = w->fileno;
	t->name = w->name;
	t->fmt = w->fmt;
	t->line0 = w->line;
	if (t->mapcap < w->nfcols) {
		t->mapcap = w->nfcols;
		t->map = xreallocarray(t->map, (size_t)t->mapcap, sizeof *t->map);
	}
	if (w->nfcols > 0)	/* JSON lines have none */
		memcpy(t->map, w->map, (size_t)w->nfcols * sizeof *t->map);
	t->nfcols = w->nfcols;
	return 1;
}

void
rec_worker(struct rec *p, const struct rec *w)
{
	*p = *w;
	p->fd = -1;
	p->rbuf = NULL;
	p->map = NULL;
	p->rflen = p->toff = NULL;
	grow_fields(p, w->nfcols > w->ncols ? w->nfcols : w->ncols);
	buf_init(&p->tmp);
	p->f = xcalloc((size_t)w->ncols + 1, sizeof *p->f);
	p->len = xcalloc((size_t)w->ncols + 1, sizeof *p->len);
	p->block = 1;
	p->quiet = 1;
	p->lenient = 0;
	p->src = NULL;
	p->srcarg = NULL;
}

void
rec_worker_block(struct rec *p, const struct rec_block *t, long line)
{
	grow_fields(p, t->nfcols > p->ncols ? t->nfcols : p->ncols);
	if (t->nfcols > 0)
		memcpy(p->map, t->map, (size_t)t->nfcols * sizeof *p->map);
	p->nfcols = t->nfcols;
	p->fmt = t->fmt;
	p->name = t->name;
	p->fileno = t->fileno;
	p->rbuf = t->data;
	p->rcap = t->cap;
	p->rpos = 0;
	p->rlen = t->len;
	p->reof = 1;
	p->line = line;
}

/* What a reader has of its own besides its input and its columns. */
static void
free_scratch(struct rec *r)
{
	free(r->f);
	free(r->len);
	free(r->rflen);
	free(r->map);
	free(r->toff);
	buf_free(&r->tmp);
}

void
rec_worker_free(struct rec *p)
{
	free_scratch(p);
	memset(p, 0, sizeof *p);
}

int
rec_col(const struct rec *r, const char *name)
{
	uint32_t i = intern_find(&r->colix, name, strlen(name));

	return i == INTERN_NONE ? -1 : (int)i;
}

int
rec_need(const struct rec *r, const char *name)
{
	struct buf b;
	int i = rec_col(r, name);

	if (i >= 0 || r->empty)
		return i;
	buf_init(&b);
	for (int k = 0; k < r->ncols; k++)
		buf_printf(&b, "%s%s", k ? ", " : "", r->cols[k]);
	die(XS_INPUT, "%s: missing required column '%s' (found: %s)",
	    shown(r->files[0]), name, r->ncols ? buf_str(&b) : "none");
}

const char *
rec_where(const struct rec *r)
{
	static char w[512];

	snprintf(w, sizeof w, "%s:%ld", r->name, r->line);
	return w;
}

double
rec_num(const struct rec *r, int i, double dflt)
{
	double v;
	const char *err;

	if (i < 0 || r->len[i] == 0)
		return dflt;
	if ((err = num_parse(r->f[i], r->len[i], &v)))
		die(XS_INPUT, "%s:%ld: column '%s': %s: \"%.40s\"", r->name,
		    r->line, r->cols[i], err, r->f[i]);
	return v;
}

void
rec_close(struct rec *r)
{
	if (r->src)
		r->src->close(r);	/* r's reading state is back */
	if (r->fd > STDIN_FILENO)
		close(r->fd);
	for (int i = 0; i < r->ncols; i++)
		free(r->cols[i]);
	free(r->cols);
	free_scratch(r);
	free(r->rbuf);
	intern_free(&r->colix);
	memset(r, 0, sizeof *r);
	r->fd = -1;
}
