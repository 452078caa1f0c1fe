/*
 * The TSV split of lib/rec.c (one pass for tabs, line ends, backslashes
 * and NULs) against the way it was done before, a memchr for each: random
 * lines of tabs, backslashes, NULs, CRs and text, short and longer than a
 * word, over more than one read buffer; by the reader alone (lenient: bad
 * rows too) and by rec_background's workers (good rows).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "xsell.h"
#include "buf.h"
#include "rec.h"
#include "rec-thread.h"

#define NCOLS 4

static char path[64];

static void
cleanup(void)
{
	unlink(path);
}

static unsigned long rng = 4242;

static unsigned
next_rand(unsigned n)
{
	rng = rng * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)(rng >> 33) % n;
}

/* Undoes \t \n \r \\ as rec.c does. */
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

/* The old way: a row as "line rc f0|f1|..;" (fields with their NULs
 * shown as '@'), or nothing for a blank line. */
static void
old_row(struct buf *out, long line, char *s, size_t len)
{
	char *end, *p, *tab, *f[NCOLS];
	size_t fl[NCOLS];
	int n = 0, esc, blank = 1;

	if (len && s[len - 1] == '\r')
		len--;
	for (size_t i = 0; i < len; i++)
		blank &= s[i] == ' ' || s[i] == '\t';
	if (blank)
		return;
	for (int i = 0; i < NCOLS; i++) {
		f[i] = "";
		fl[i] = 0;
	}
	buf_printf(out, "%ld ", line);
	if (memchr(s, '\0', len)) {
		buf_puts(out, "bad NUL byte");
		goto show;
	}
	end = s + len;
	p = s;
	esc = memchr(s, '\\', len) != NULL;
	do {
		tab = memchr(p, '\t', (size_t)(end - p));
		if (!tab)
			tab = end;
		if (n < NCOLS) {
			*tab = '\0';
			f[n] = p;
			fl[n] = esc ? unescape(p, (size_t)(tab - p)) :
			    (size_t)(tab - p);
		}
		n++;
		p = tab + 1;
	} while (tab < end);
	if (n != NCOLS)
		buf_printf(out, "bad expected %d fields, found %d", NCOLS, n);
	else
		buf_puts(out, "row");
show:
	for (int i = 0; i < NCOLS; i++) {
		buf_putc(out, i ? '|' : ' ');
		for (size_t k = 0; k < fl[i]; k++)
			buf_putc(out, f[i][k] ? f[i][k] : '@');
	}
	buf_putc(out, ';');
}

static void
new_rows(struct buf *out, int lenient, int background)
{
	struct rec r;
	char *files[] = { path };
	int rc;

	r.lenient = lenient;
	rec_open(&r, 1, files);
	if (background)
		rec_background(&r);
	while ((rc = rec_next(&r)) != REC_END) {
		buf_printf(out, "%ld %s", r.line, rc == REC_ROW ? "row" : "bad ");
		if (rc != REC_ROW)
			buf_puts(out, r.err);
		for (int i = 0; i < NCOLS; i++) {
			buf_putc(out, i ? '|' : ' ');
			for (size_t k = 0; k < r.len[i]; k++)
				buf_putc(out, r.f[i][k] ? r.f[i][k] : '@');
		}
		buf_putc(out, ';');
	}
	rec_close(&r);
}

/* A file of random lines after the header, and the old way's rows. */
static void
make_file(struct buf *old, int nlines, int good)
{
	static const char bytes[] = "ab\t\\\\tnr\0\r \xc3\xa9";
	struct buf in, line;
	FILE *fp;

	buf_init(&in);
	buf_init(&line);
	buf_puts(&in, "c0\tc1\tc2\tc3\n");
	for (int k = 0; k < nlines; k++) {
		int n = next_rand(8) == 0 ? 40 + next_rand(60) : next_rand(24);

		buf_reset(&line);
		for (int f = 0; f < NCOLS; f++) {
			if (f && (good || next_rand(4)))
				buf_putc(&line, '\t');
			for (int i = 0, m = good ? next_rand(n / 4 + 1) : 0; i < m;
			    i++)
				buf_putc(&line, "xy\\t"[next_rand(4)]);
		}
		for (int i = 0; !good && i < n; i++)
			buf_putc(&line, bytes[next_rand(sizeof bytes - 1)]);
		if (next_rand(3) == 0)
			buf_putc(&line, '\r');
		buf_put(&in, line.s ? line.s : "", line.len);
		if (k + 1 < nlines || next_rand(2))
			buf_putc(&in, '\n');
		old_row(old, k + 2, line.s ? line.s : "", line.len);
	}
	fp = fopen(path, "wb");
	fwrite(in.s, 1, in.len, fp);
	fclose(fp);
	buf_free(&in);
	buf_free(&line);
}

int
main(void)
{
	struct buf old, got;

	snprintf(path, sizeof path, "/tmp/xsell-test-split-%d", (int)getpid());
	atexit(cleanup);
	buf_init(&old);
	buf_init(&got);

	/* about 1.5 MB: lines across the reader's 1 MB buffer */
	make_file(&old, 60000, 0);
	new_rows(&got, 1, 0);
	ok(got.len == old.len && memcmp(got.s, old.s, old.len) == 0,
	    "random lines of tabs, backslashes, NULs and CRs: one pass "
	    "splits them as memchr did (%zu bytes of rows)", old.len);

	buf_reset(&old);
	buf_reset(&got);
	rec_thread_most = 4096;
	rec_thread_workers = 2;
	make_file(&old, 60000, 1);
	new_rows(&got, 0, 1);
	ok(got.len == old.len && memcmp(got.s, old.s, old.len) == 0,
	    "and rec_background's workers as well (%zu bytes of rows)",
	    old.len);

	buf_free(&old);
	buf_free(&got);
	return tap_done();
}
