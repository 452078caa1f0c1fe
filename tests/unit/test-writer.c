/* The writer's fast path (writer_begin ... writer_end) writes the bytes writer_row
 * writes for the same texts, in every format and through a sink. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "xsell.h"
#include "num.h"
#include "writer.h"

static char *const cols[] = { "product_id", "price", "count", "title", "detail" };

struct row {
	const char *id, *title;
	size_t idlen;
	double price;
	uint64_t count;
};

static const struct row rows[] = {
	{ "P1", "plain", 2, 9.5, 3 },
	{ "a\tb\\c\nd\re", "=1+2", 9, -0.0, 0 },
	{ "", "", 0, NAN, 18446744073709551615ULL },
	{ "x,\"y\"", "{\"a\":1}", 5, INFINITY, 42 },
	{ "z\0z", "-3.5", 3, 1e21, 7 },
	{ "\xff\xfe", "@x", 2, 1.5e-7, 1 },
};
#define NROWS (sizeof rows / sizeof rows[0])

/* The detail column: a few pieces, escaped for TSV as a caller would. */
static size_t
detail(char *o, const struct row *r, int tsv)
{
	char *p = o;

	memcpy(p, "seen ", 5);
	p += 5;
	if (tsv)
		p = writer_tsv_escape(p, r->id, r->idlen);
	else {
		memcpy(p, r->id, r->idlen);
		p += r->idlen;
	}
	*p++ = '!';
	return (size_t)(p - o);
}

/* The rows through writer_row (slow 1) or the fast path (0), as a string. */
static char *
write_rows(int fmt, int slow, const struct writer_sink *sink, void *arg,
    size_t *n)
{
	struct writer w;
	char *s = NULL;
	FILE *fp = open_memstream(&s, n);

	writer_open(&w, fp, fmt, 5, cols);
	writer_type(&w, 2, WRITER_NUM);
	w.sink = sink;
	w.sink_arg = arg;
	for (size_t i = 0; i < NROWS; i++) {
		const struct row *r = &rows[i];
		char num[NUM_BUF], cnt[24], det[64];
		char *v[5];
		size_t len[5];

		if (slow) {
			v[0] = (char *)r->id;
			len[0] = r->idlen;
			len[1] = num_fmt(r->price, num);
			v[1] = num;
			len[2] = (size_t)snprintf(cnt, sizeof cnt, "%llu",
			    (unsigned long long)r->count);
			v[2] = cnt;
			v[3] = (char *)r->title;
			len[3] = strlen(r->title);
			len[4] = detail(det, r, 0);
			v[4] = det;
			writer_row(&w, v, len);
			continue;
		}
		writer_begin(&w);
		writer_str(&w, r->id, r->idlen);
		writer_num(&w, r->price);
		writer_u64(&w, r->count);
		writer_str(&w, r->title, strlen(r->title));
		if (writer_plain(&w)) {
			char *o = writer_field(&w, 64);

			writer_field_end(&w, o + detail(o, r, 1));
		} else {
			writer_str(&w, det, detail(det, r, 0));
		}
		writer_end(&w);
	}
	writer_close(&w);
	fclose(fp);
	return s;
}

/* Many long rows, past the flush and the buffer's growth: long values
 * (escapes far apart, empty ones) through writer_row (slow 1) or the fast
 * path (0). */
static char *
write_many(int fmt, int slow, size_t *n)
{
	struct writer w;
	char *s = NULL, val[3000];
	FILE *fp = open_memstream(&s, n);

	writer_open(&w, fp, fmt, 5, cols);
	for (size_t i = 0; i < 3000; i++)
		val[i] = i % 97 == 96 ? '\t' : (char)('a' + i % 26);
	for (uint64_t i = 0; i < 3000; i++) {
		size_t l = (size_t)(i * 7 % 3000);
		char cnt[24];
		char *v[5] = { val, "", cnt, val + l / 2, val + 1 };
		size_t len[5] = { l, 0, 0, l / 3, l % 9 };

		len[2] = (size_t)snprintf(cnt, sizeof cnt, "%llu",
		    (unsigned long long)(i * i * i));
		if (slow) {
			writer_row(&w, v, len);
			continue;
		}
		writer_begin(&w);
		writer_str(&w, v[0], len[0]);
		writer_str(&w, v[1], len[1]);
		writer_u64(&w, i * i * i);
		writer_str(&w, v[3], len[3]);
		writer_str(&w, v[4], len[4]);
		writer_end(&w);
	}
	writer_close(&w);
	fclose(fp);
	return s;
}

/* A sink that prints each row as "len:bytes|" fields. */
static void
sink_row(void *arg, char *const *v, const size_t *len)
{
	FILE *fp = arg;

	for (int i = 0; i < 5; i++) {
		fprintf(fp, "%zu:", v[i] ? len[i] : 0);
		if (v[i])
			fwrite(v[i], 1, len[i], fp);
		fputc('|', fp);
	}
	fputc('\n', fp);
}

static void
sink_close(void *arg)
{
	(void)arg;
}

static const struct writer_sink sink = { sink_row, sink_close };

/* Rows of values with no byte TSV escapes (printable ASCII but the
 * backslash) of every length from 0 to 40, enough of them to
 * flush many times, by writer_row_verbatim or writer_row. */
static char *
write_plain(int fmt, int verbatim, size_t *n)
{
	static char *const pcols[] = { "order_id", "price", "title" };
	char *s = NULL, val[3][41], *v[3];
	size_t len[3];
	FILE *fp = open_memstream(&s, n);
	struct writer w;

	writer_open(&w, fp, fmt, 3, pcols);
	for (int r = 0; r < 20000; r++) {
		for (int i = 0; i < 3; i++) {
			len[i] = (size_t)(r * (i + 1) + i) % 41;
			for (size_t j = 0; j < len[i]; j++) {
				val[i][j] = (char)('!' + (r + j * 7 + (size_t)i) % 94);
				if (val[i][j] == '\\')	/* TSV would escape it */
					val[i][j] = '/';
			}
			v[i] = val[i];
		}
		if (verbatim)
			writer_row_verbatim(&w, v, len);
		else
			writer_row(&w, v, len);
	}
	writer_close(&w);
	fclose(fp);
	return s;
}

int
main(void)
{
	static const char *const names[] = { "TSV", "JSON lines", "CSV",
		"CSV, safe" };

	for (int fmt = WRITER_TSV; fmt <= WRITER_CSV_SAFE; fmt++) {
		size_t na, nb;
		char *a = write_rows(fmt, 1, NULL, NULL, &na);
		char *b = write_rows(fmt, 0, NULL, NULL, &nb);

		ok(na == nb && memcmp(a, b, na) == 0 && na > 100,
		    "%s: the fast path writes writer_row's bytes", names[fmt]);
		free(a);
		free(b);
	}
	for (int fmt = WRITER_TSV; fmt <= WRITER_CSV; fmt++) {
		size_t na, nb;
		char *a = write_many(fmt, 1, &na);
		char *b = write_many(fmt, 0, &nb);

		ok(na == nb && memcmp(a, b, na) == 0 && na > (2 << 20),
		    "%s: many long rows, the same bytes", names[fmt]);
		free(a);
		free(b);
	}
	for (int fmt = WRITER_TSV; fmt <= WRITER_CSV_SAFE; fmt++) {
		size_t na, nb;
		char *a = write_plain(fmt, 1, &na);
		char *b = write_plain(fmt, 0, &nb);

		ok(na == nb && memcmp(a, b, na) == 0 && na > (1 << 17),
		    "%s: writer_row_verbatim writes writer_row's bytes",
		    names[fmt]);
		free(a);
		free(b);
	}
	{
		char *sa = NULL, *sb = NULL;
		size_t na = 0, nb = 0, n;
		FILE *fa = open_memstream(&sa, &na), *fb = open_memstream(&sb, &nb);

		free(write_rows(WRITER_TSV, 1, &sink, fa, &n));
		free(write_rows(WRITER_TSV, 0, &sink, fb, &n));
		fclose(fa);
		fclose(fb);
		ok(na == nb && memcmp(sa, sb, na) == 0 && na > 0,
		    "a sink gets writer_row's texts and lengths, NUL bytes too");
		free(sa);
		free(sb);
	}
	return tap_done();
}
