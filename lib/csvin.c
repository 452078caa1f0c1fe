/*
 * csvin.c: CSV input on libcsv, see csvin.h.
 *
 * The input is read in CSVIN_BLOCK blocks and fed to libcsv one line at a
 * time, so every record knows the line it starts on (libcsv itself does
 * not count lines). A whole line with no quote and no stray CR, met
 * between records, is split in place instead: that is nearly every line
 * of a large export and libcsv's byte-at-a-time copy is the cost there.
 * Records are queued until the block is used up and handed out one by
 * one; fields point into the block or into an arena.
 *
 * libcsv runs strict, so that a quoted field followed by more text is a
 * parse error instead of a field that runs on over later lines; the
 * record is then handed out as malformed with its raw bytes, and parsing
 * starts again after the line the error is on. The other strict error,
 * a quote inside an unquoted field, is given back to the lenient rule for
 * that one byte: it is text, as in every CSV reader.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "xsell.h"
#include "buf.h"
#include "out.h"
#include "csvin.h"
#include "swar.h"

/* libcsv.c's parser state between records (csv_parser.pstate). */
#define LIBCSV_ROW_NOT_BEGUN 0
#define LIBCSV_FIELD_BEGUN 2
#define LIBCSV_FIELD_MIGHT_HAVE_ENDED 3

/* Byte classes (csvin.cls); from C_SPECIAL on a byte makes a field
 * special. */
enum { C_PLAIN, C_BLANK, C_DELIM, C_SPECIAL, C_LF, C_CR };

static void
csvin_init(struct csvin *c, int fd, const char *name, int delim)
{
	memset(c, 0, sizeof *c);
	c->fd = fd;
	c->name = name;
	c->delim = delim;
	c->nextline = 1;
	c->atbol = 1;
	/* room for fast_line's last word */
	c->rbuf = xcalloc(1, CSVIN_BLOCK + 64);
	buf_init(&c->arena);
	buf_init(&c->rawb);
	if (csv_init(&c->p, CSV_STRICT) != 0)
		die(XS_SYS, "out of memory");
}

/* Reads until the block is full or the input ends. */
static size_t
fill(struct csvin *c, size_t have)
{
	while (have < CSVIN_BLOCK && !c->eof) {
		ssize_t n = read(c->fd, c->rbuf + have, CSVIN_BLOCK - have);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die(XS_SYS, "%s: %s", c->name, strerror(errno));
		}
		if (n == 0)
			c->eof = 1;
		have += (size_t)n;
	}
	return have;
}

int
csvin_guess_delim(const char *s, size_t len)
{
	static const char cand[] = ",;\t|";
	size_t n[4] = { 0 };
	int q = 0, best = 0;

	for (size_t i = 0; i < len && (q || (s[i] != '\n' && s[i] != '\r'));
	    i++) {
		const char *k;
		if (s[i] == '"')
			q = !q;
		else if (!q && s[i] && (k = strchr(cand, s[i])) != NULL)
			n[k - cand]++;
	}
	for (int i = 1; i < 4; i++)
		if (n[i] > n[best])
			best = i;
	return cand[best];
}

static void
set_delim(struct csvin *c, int delim)
{
	c->delim = delim;
	csv_set_delim(&c->p, (unsigned char)delim);
	for (int i = 0; i < 256; i++)
		c->cls[i] = (i < 0x20 && i != '\t') || i >= 0x80 ? C_SPECIAL :
		    C_PLAIN;
	c->cls[' '] = c->cls['\t'] = C_BLANK;
	c->cls['\n'] = C_LF;
	c->cls['\r'] = C_CR;
	c->cls[(unsigned char)delim] = C_DELIM;
	/* a line end or a quote for a delimiter is libcsv's business */
	c->fast = delim != '\n' && delim != '\r' && delim != '"';
}

/* Excel's "sep=;" first line names the delimiter: it is taken (unless one
 * was given) and skipped. Returns the bytes left in the block. */
static size_t
skip_sep_line(struct csvin *c, size_t n, int *delim)
{
	size_t end = 5;

	if (n < 6 || memcmp(c->rbuf, "sep=", 4) != 0 || c->rbuf[4] == '\n')
		return n;
	if (c->rbuf[end] == '\r')
		end++;
	if (end >= n || c->rbuf[end] != '\n')
		return n;
	if (!*delim)
		*delim = (unsigned char)c->rbuf[4];
	memmove(c->rbuf, c->rbuf + end + 1, n - end - 1);
	c->nextline = 2;
	return n - end - 1;
}

void
csvin_open_fd(struct csvin *c, int fd, const char *name, int delim)
{
	size_t n;

	csvin_init(c, fd, name, delim);
	n = fill(c, 0);
	c->empty = n == 0;
	if (n >= 3 && memcmp(c->rbuf, "\xef\xbb\xbf", 3) == 0) {
		memmove(c->rbuf, c->rbuf + 3, n - 3);
		n -= 3;
	}
	n = skip_sep_line(c, n, &delim);
	c->bp = c->rbuf;
	c->be = c->rbuf + n;
	set_delim(c, delim ? delim : csvin_guess_delim(c->rbuf, n));
}

void
csvin_open(struct csvin *c, const char *path, int delim)
{
	int fd = 0;
	const char *name = "<stdin>";

	out_input(path);
	if (path && strcmp(path, "-") != 0) {
		if ((fd = open(path, O_RDONLY)) < 0)
			die(XS_SYS, "%s: %s", path, strerror(errno));
		name = path;
	}
	csvin_open_fd(c, fd, name, delim);
	c->ownfd = fd != 0;
}

const char *
csvin_peek(const struct csvin *c, size_t *len)
{
	*len = c->started ? 0 : (size_t)(c->be - c->rbuf);
	return c->rbuf;
}

/* ---- records from libcsv, queued until handed out ---- */

static struct csvin_fld *
new_field(struct csvin *c)
{
	if (c->nfld == c->capfld) {
		c->capfld = c->capfld ? 2 * c->capfld : 1024;
		c->fld = xreallocarray(c->fld, c->capfld, sizeof *c->fld);
	}
	return &c->fld[c->nfld++];
}

/* libcsv's field callback: the bytes are in its entry buffer, copy them. */
static void
on_field(void *s, size_t len, void *data)
{
	struct csvin *c = data;
	struct csvin_fld *f = new_field(c);
	const unsigned char *u = s;

	for (size_t i = 0; i < len && !c->recspecial; i++)
		if (c->cls[u[i]] >= C_SPECIAL)
			c->recspecial = 1;
	f->off = c->arena.len;
	f->len = len;
	buf_put(&c->arena, s, len);
	buf_putc(&c->arena, 0);
}

static struct csvin_rec *
new_record(struct csvin *c)
{
	struct csvin_rec *r;

	if (c->nq == c->capq) {
		c->capq = c->capq ? 2 * c->capq : 256;
		c->q = xreallocarray(c->q, c->capq, sizeof *c->q);
	}
	r = &c->q[c->nq++];
	memset(r, 0, sizeof *r);
	r->line = c->recline;
	r->lastline = c->nextline;
	r->f0 = c->recf0;
	return r;
}

static void
on_record(int term, void *data)
{
	struct csvin *c = data;
	struct csvin_rec *r = new_record(c);

	(void)term;
	r->nf = (int)(c->nfld - c->recf0);
	r->special = c->recspecial;
	c->recf0 = c->nfld;
	c->recspecial = 0;
}

/* The record libcsv is in is malformed: its fields so far are dropped
 * and libcsv starts afresh; the rest of the line is skipped (next_line). */
static void
bad_record(struct csvin *c, int col)
{
	if (c->nfld > c->recf0) {
		c->arena.len = c->fld[c->recf0].off;
		c->nfld = c->recf0;
	}
	c->recspecial = 0;
	csv_fini(&c->p, NULL, NULL, NULL);
	c->skip = CSVIN_AFTER_QUOTE;
	c->skipcol = col;
}

/* Queues the malformed record whose bytes are in rawb. */
static void
queue_bad(struct csvin *c, int why, int col)
{
	struct csvin_rec *r = new_record(c);
	size_t n = c->rawb.len;

	if (n && c->rawb.s[n - 1] == '\n')
		n--;
	if (n && c->rawb.s[n - 1] == '\r')
		n--;
	r->lastline = c->rawline;
	r->bad = why;
	r->badcol = col;
	r->special = 1;
	r->rawoff = c->arena.len;
	r->rawlen = n;
	buf_put(&c->arena, c->rawb.s, n);
	buf_putc(&c->arena, 0);
	c->rawb.len = 0;
	c->recf0 = c->nfld;
}

/* Parses [s, s + n), part of one line. Returns 0, or 1 when the record
 * turned out malformed (the rest is then not parsed). */
static int
slow(struct csvin *c, const char *s, size_t n)
{
	/* libcsv grows its field buffer by blk_size: keep that geometric */
	size_t blk = csv_get_buffer_size(&c->p);

	csv_set_blk_size(&c->p, blk < 4096 ? 4096 : blk);
	for (;;) {
		size_t k = csv_parse(&c->p, s, n, on_field, on_record, c);

		if (k == n)
			return 0;
		if (csv_error(&c->p) != CSV_EPARSE)
			die(XS_SYS, "%s: %s", c->name,
			    csv_strerror(csv_error(&c->p)));
		c->p.status = CSV_SUCCESS;
		if (c->p.pstate != LIBCSV_FIELD_MIGHT_HAVE_ENDED) {
			/* a quote in an unquoted field: text */
			csv_set_opts(&c->p, 0);
			csv_parse(&c->p, s + k, 1, on_field, on_record, c);
			csv_set_opts(&c->p, CSV_STRICT);
			s += k + 1;
			n -= k + 1;
			continue;
		}
		bad_record(c, (int)(c->nfld - c->recf0) + 1);
		return 1;
	}
}

static void
room(struct csvin *c, int n)
{
	if (n <= c->capf)
		return;
	c->capf = n < 16 ? 16 : 2 * n;
	c->f = xreallocarray(c->f, (size_t)c->capf, sizeof *c->f);
	c->len = xreallocarray(c->len, (size_t)c->capf, sizeof *c->len);
}

static void
hand_out(struct csvin *c, const struct csvin_rec *r)
{
	room(c, r->nf);
	for (int i = 0; i < r->nf; i++) {
		const struct csvin_fld *f = &c->fld[r->f0 + (size_t)i];
		c->f[i] = c->arena.s + f->off;
		c->len[i] = f->len;
	}
	c->nf = r->nf;
	c->line = r->line;
	c->lastline = r->lastline;
	c->special = r->special;
	c->plain = 0;
	c->bad = r->bad;
	c->badcol = r->badcol;
	c->raw = r->bad ? c->arena.s + r->rawoff : NULL;
	c->rawlen = r->rawlen;
}

const char *
csvin_why(int bad)
{
	return bad == CSVIN_AFTER_QUOTE ? "text after a closing quote" :
	    bad == CSVIN_OPEN ? "unterminated quoted field" : "";
}

/* ---- plain lines, split where they lie ---- */

/*
 * A plain line is scanned a word at a time: the delimiters, the bytes
 * below 0x20 or from 0x80 (the line end, CR, TAB and the special bytes)
 * and the blanks of a word come out as bit masks, with SSE2 where there
 * is SSE2 and with carry-free arithmetic on eight bytes elsewhere. The
 * delimiters before a word's first control byte end fields; that byte is
 * looked up in the class table. A delimiter is overwritten by its field's
 * NUL at once and put back should the line turn out not plain (a stray
 * CR, no line end before the next quote), so that libcsv reads it as it
 * was; blanks are trimmed once the line is known, if it has any. A line
 * with no blank, backslash or special byte at all is plain (csvin.plain):
 * its readers can skip their own scans of it.
 */
#if defined(__SSE2__) && !defined(CSVIN_SWAR)
#include <emmintrin.h>

#define WORD 16
#define BITS 1		/* mask bits a byte */
#define POS(m) __builtin_ctz((unsigned)(m))

/* The delimiters, control bytes that are not delimiters, spaces and
 * backslashes of the WORD bytes at p, one bit each, the first byte
 * lowest. */
static inline void
masks(const char *p, int delim, uint64_t *d, uint64_t *k, uint64_t *bl,
    uint64_t *bs)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	unsigned dm = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v,
	    _mm_set1_epi8((char)delim)));

	*d = dm;
	*k = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(v,
	    _mm_set1_epi8(0x20))) & ~dm;
	*bl = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v,
	    _mm_set1_epi8(' ')));
	*bs = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v,
	    _mm_set1_epi8('\\')));
}
#else
#define WORD 8
#define BITS 8
#define POS(m) (__builtin_ctzll(m) >> 3)


/* As above, with a byte's high bit for its bit. */
static inline void
masks(const char *p, int delim, uint64_t *d, uint64_t *k, uint64_t *bl,
    uint64_t *bs)
{
	uint64_t v = swar_load(p);

	*d = swar_eq(v, delim);
	*k = (~((v & SWAR_LOW7) + 0x60 * SWAR_ONES) | v) & SWAR_HIGH & ~*d;
	*bl = swar_eq(v, ' ');
	*bs = swar_eq(v, '\\');
}
#endif

/* Trims the fields of the current record as libcsv trims unquoted ones. */
static void
trim_fields(struct csvin *c)
{
	for (int i = 0; i < c->nf; i++) {
		char *s = c->f[i], *e = s + c->len[i];

		while (s < e && c->cls[(unsigned char)*s] == C_BLANK)
			s++;
		while (e > s && c->cls[(unsigned char)e[-1]] == C_BLANK)
			e--;
		*e = '\0';
		c->f[i] = s;
		c->len[i] = (size_t)(e - s);
	}
}

/* Splits the line at b into the current record when it is plain: it ends
 * before lim (the next quote, or the end of the block) and has no CR but
 * the one of a CRLF. Returns 1, 0 for a blank line (libcsv skips those
 * too), or -1 when libcsv must read the line; *nl is its '\n'. The block
 * has WORD bytes of room after its end. */
static int
fast_line(struct csvin *c, char *b, char *lim, char **nl)
{
	char *fs = b, *end, *q;
	char **f = c->f;
	size_t *len = c->len;
	int nf = 0, special = 0;
	uint64_t blanks = 0, bslash = 0;

	for (char *p = b; p < lim; p += WORD) {
		uint64_t d, k, bl, bs;

		masks(p, c->delim, &d, &k, &bl, &bs);
		if (lim - p < WORD) {
			uint64_t in = ((uint64_t)1 << (lim - p) * BITS) - 1;
			d &= in, k &= in, bl &= in, bs &= in;
		}
		blanks |= bl;
		bslash |= bs;
		if (nf + WORD >= c->capf) {
			room(c, nf + WORD + 1);
			f = c->f;
			len = c->len;
		}
		for (;;) {
			uint64_t kb = k & -k, before = kb ? d & (kb - 1) : d;

			for (; before; before &= before - 1) {
				q = p + POS(before);
				*q = '\0';
				f[nf] = fs;
				len[nf++] = (size_t)(q - fs);
				fs = q + 1;
			}
			if (!kb)
				break;
			d &= ~(kb - 1);
			k ^= kb;
			q = p + POS(kb);
			switch (c->cls[(unsigned char)*q]) {
			case C_BLANK:	/* TAB */
				blanks = 1;
				break;
			case C_SPECIAL:
				special = 1;
				break;
			case C_LF:
				end = *nl = q;
				goto line;
			case C_CR:
				if (q + 1 >= c->be || q[1] != '\n')
					goto back;
				end = q;
				*nl = q + 1;
				goto line;
			}
		}
	}
back:
	for (int i = 0; i < nf; i++)
		f[i][len[i]] = (char)c->delim;
	return -1;
line:
	*end = '\0';
	f[nf] = fs;
	len[nf++] = (size_t)(end - fs);
	c->nf = nf;
	if (blanks)
		trim_fields(c);
	if (nf == 1 && len[0] == 0)
		return 0;
	c->line = c->lastline = c->nextline;
	c->special = special;
	c->plain = !special && !blanks && !bslash;
	c->bad = c->badcol = CSVIN_OK;
	c->raw = NULL;
	c->rawlen = 0;
	return 1;
}

/* Parses the next line of the block, or what is left of it: 1 when it was
 * a plain line, now the current record. */
static int
next_line(struct csvin *c)
{
	char *b = c->bp, *e = c->be, *nl = NULL;
	size_t n;
	int got = -1;

	if (c->atbol && !c->skip && c->p.pstate == LIBCSV_ROW_NOT_BEGUN) {
		c->recline = c->nextline;
		c->rawb.len = 0;
		if (c->fast && !c->nofast) {
			if ((!c->quote || c->quote < b) &&
			    !(c->quote = memchr(b, '"', (size_t)(e - b))))
				c->quote = e;
			got = fast_line(c, b, c->quote, &nl);
		}
	}
	if (got < 0) {
		nl = memchr(b, '\n', (size_t)(e - b));
		n = nl ? (size_t)(nl + 1 - b) : (size_t)(e - b);
		/* A record's bytes are kept while it is unfinished, for when
		 * it turns out malformed; most end on their first line. */
		if (c->skip || slow(c, b, n) ||
		    c->p.pstate != LIBCSV_ROW_NOT_BEGUN || !nl) {
			buf_put(&c->rawb, b, n);
			c->rawline = c->nextline;
		}
		if (c->skip && nl) {
			queue_bad(c, c->skip, c->skipcol);
			c->skip = 0;
		}
	}
	if (nl) {
		c->nextline++;
		c->atbol = 1;
		c->bp = nl + 1;
	} else {
		c->atbol = 0;
		c->bp = e;
	}
	return got > 0;
}

/* Drops the handed-out records, keeping a record libcsv is still in. */
static void
compact(struct csvin *c)
{
	size_t keep = c->nfld - c->recf0, base = c->arena.len;

	if (keep > 0) {
		base = c->fld[c->recf0].off;
		memmove(c->fld, c->fld + c->recf0, keep * sizeof *c->fld);
		for (size_t i = 0; i < keep; i++)
			c->fld[i].off -= base;
	}
	if (base > 0)
		memmove(c->arena.s, c->arena.s + base, c->arena.len - base);
	c->arena.len -= base;
	c->nfld = keep;
	c->recf0 = 0;
	c->nq = c->qpos = 0;
}

static void
set_block(struct csvin *c, size_t n)
{
	c->bp = c->rbuf;
	c->be = c->rbuf + n;
	c->quote = NULL;	/* not looked for yet */
}

static void
finish(struct csvin *c)
{
	if (c->skip) {
		queue_bad(c, c->skip, c->skipcol);
		c->skip = 0;
	} else if (c->p.pstate == LIBCSV_FIELD_BEGUN && c->p.quoted) {
		bad_record(c, (int)(c->nfld - c->recf0) + 1);
		queue_bad(c, CSVIN_OPEN, c->skipcol);
		c->skip = 0;
	}
	csv_fini(&c->p, on_field, on_record, c);
	c->done = 1;
}

int
csvin_next(struct csvin *c)
{
	if (!c->started) {
		c->started = 1;
		set_block(c, (size_t)(c->be - c->rbuf));
	}
	for (;;) {
		if (c->qpos < c->nq) {
			hand_out(c, &c->q[c->qpos++]);
			return 1;
		}
		if (c->done)
			return 0;
		if (c->bp < c->be) {
			if (next_line(c))
				return 1;
			continue;
		}
		compact(c);
		set_block(c, fill(c, 0));
		if (c->bp == c->be)
			finish(c);
	}
}

void
csvin_close(struct csvin *c)
{
	if (c->ownfd)
		close(c->fd);
	csv_free(&c->p);
	buf_free(&c->arena);
	buf_free(&c->rawb);
	free(c->rbuf);
	free(c->fld);
	free(c->q);
	free(c->f);
	free(c->len);
	memset(c, 0, sizeof *c);
}
