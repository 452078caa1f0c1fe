/* The CSV reader: RFC 4180 quoting, BOM, CRLF, delimiters, line numbers,
 * blocks, and the fast path giving exactly what libcsv gives. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "xsell.h"
#include "buf.h"
#include "csvin.h"

static char path[64];

static void
cleanup(void)
{
	unlink(path);
}

static void
put_file(const char *text, size_t n)
{
	FILE *fp = fopen(path, "wb");

	fwrite(text, 1, n, fp);
	fclose(fp);
}

/* No byte of the record's fields that trimming, checking or TSV
 * escaping would act on: what csvin.plain promises. */
static int
all_plain(const struct csvin *c)
{
	for (int i = 0; i < c->nf; i++)
		for (size_t j = 0; j < c->len[i]; j++) {
			unsigned char u = (unsigned char)c->f[i][j];

			if (u <= ' ' || u >= 0x80 || u == '\\')
				return 0;
		}
	return 1;
}

/* Every record as "line:a|b|c" then ";" (a "!" after the line marks a
 * special record; a malformed one is "line-lastline bad/column:raw"),
 * with libcsv only when nofast. */
static char *
parse(const char *text, size_t n, int delim, int nofast)
{
	struct csvin c;
	struct buf b;
	int p[2] = { -1, -1 };

	/* small inputs through a pipe, large ones through a file */
	if (n < 60000 && pipe(p) == 0) {
		if (write(p[1], text, n) != (ssize_t)n)
			return xstrdup("write failed");
		close(p[1]);
		csvin_open_fd(&c, p[0], "pipe", delim);
	} else {
		put_file(text, n);
		csvin_open(&c, path, delim);
	}
	buf_init(&b);
	c.nofast = nofast;
	while (csvin_next(&c)) {
		if (c.bad) {
			buf_printf(&b, "%ld-%ld %s/%d:", c.line, c.lastline,
			    c.bad == CSVIN_OPEN ? "open" : "quote", c.badcol);
			if (strlen(c.raw) != c.rawlen || c.nf != 0)
				buf_puts(&b, "<BAD RAW>");
			buf_put(&b, c.raw, c.rawlen);
			buf_putc(&b, ';');
			continue;
		}
		buf_printf(&b, "%ld%s:", c.line, c.special ? "!" : "");
		if (c.badcol || c.raw || c.lastline < c.line)
			buf_puts(&b, "<STALE>");
		if (c.plain && !all_plain(&c))
			buf_puts(&b, "<NOT PLAIN>");
		for (int i = 0; i < c.nf; i++) {
			if (i)
				buf_putc(&b, '|');
			if (strlen(c.f[i]) != c.len[i])
				buf_puts(&b, "<NUL>");
			buf_put(&b, c.f[i], c.len[i]);
		}
		buf_putc(&b, ';');
	}
	csvin_close(&c);
	if (p[0] >= 0)
		close(p[0]);
	buf_str(&b);
	return b.s;
}

/* Parses both ways, checks they agree and returns the result. */
static char *
both(const char *text, size_t n, int delim, const char *what)
{
	char *fast = parse(text, n, delim, 0), *slow = parse(text, n, delim, 1);

	is_str(fast, slow, "%s: fast path equals libcsv", what);
	free(slow);
	return fast;
}

static void
check(const char *text, int delim, const char *want, const char *what)
{
	char *got = both(text, strlen(text), delim, what);

	is_str(got, want, "%s", what);
	free(got);
}

static void
test_rfc4180(void)
{
	check("a,b,c\n1,2,3\n", 0, "1:a|b|c;2:1|2|3;", "plain rows");
	check("a,b\n1,2", 0, "1:a|b;2:1|2;", "no newline at the end");
	check("id,desc\n1,\"Mug, blue\"\n", 0, "1:id|desc;2:1|Mug, blue;",
	    "quoted comma");
	check("id,desc\n1,\"12\"\" ruler\"\n", 0,
	    "1:id|desc;2:1|12\" ruler;", "doubled quote");
	check("id,desc\n1,\"two\nlines\"\n2,x\n", 0,
	    "1:id|desc;2!:1|two\nlines;4:2|x;",
	    "quoted newline: the next record's line counts it");
	check("id,desc\r\n1,\"a\r\nb\"\r\n2,c\r\n", 0,
	    "1:id|desc;2!:1|a\r\nb;4:2|c;", "CRLF, and CRLF inside quotes");
	check("\xef\xbb\xbfid,name\n1,x\n", 0, "1:id|name;2:1|x;", "BOM");
	check("a,b\n\n1,2\n   \n\r\n3,4\n", 0, "1:a|b;3:1|2;6:3|4;",
	    "blank lines are skipped and counted");
	check("a,b\n 1 , x y \n", 0, "1:a|b;2:1|x y;",
	    "blanks around unquoted fields trimmed");
	check("a,b\n \" 1 \" ,2\n", 0, "1:a|b;2: 1 |2;",
	    "blanks inside quotes kept, outside dropped");
	check("a,b,c\n,,\n", 0, "1:a|b|c;2:||;", "empty fields");
	check("a\n,\n", ',', "1:a;2:|;", "a line of one delimiter");
	check("a,b\n1,ab\"c\n", 0, "1:a|b;2:1|ab\"c;", "stray quote kept");
	check("a,b\n\"\",\"\"\n", 0, "1:a|b;2:|;", "empty quoted fields");
	check("h\n\"x\"\"\"\n", 0, "1:h;2:x\";", "quote at end of quoted field");
}

static void
test_delimiters(void)
{
	check("a;b;c\n1;2,5;3\n", 0, "1:a|b|c;2:1|2,5|3;", "guessed ;");
	check("a\tb\n1\t2\n", 0, "1:a|b;2:1|2;", "guessed TAB");
	check("a\tb\n 1\t 2 \n", 0, "1:a|b;2:1|2;", "TAB: blanks trimmed");
	check("a\tb\n\t\n", 0, "1:a|b;2:|;", "TAB: empty fields");
	check("a|b\n1|2\n", 0, "1:a|b;2:1|2;", "guessed |");
	check("sep=;\r\na,b;c\r\n1,5;2\r\n", 0, "2:a,b|c;3:1,5|2;",
	    "Excel's sep= line names the delimiter");
	check("sep=;\na;b,c\n", ',', "2:a;b|c;", "a given delimiter wins over sep=");
	check("a;b\n1;2\n", ',', "1:a;b;2:1;2;", "--delimiter , kept");
	check("\"x;y\",b\n1,2\n", 0, "1:x;y|b;2:1|2;",
	    "quoted delimiters do not count");
	ok(csvin_guess_delim("a,b;c;d", 7) == ';', "guess: most frequent");
	ok(csvin_guess_delim("a;b,c", 5) == ',', "guess: tie is comma");
	ok(csvin_guess_delim("abc", 3) == ',', "guess: none is comma");
	ok(csvin_guess_delim("a,b\nc;d;e", 9) == ',', "guess: first line only");
}

static void
test_special(void)
{
	static const char nul[] = "a,b\n1,x\0y\n2,z\n";
	char *got = both(nul, sizeof nul - 1, 0, "NUL byte");

	ok(memcmp(got, "1:a|b;2!:1|<NUL>x\0y;3:2|z;", 27) == 0,
	    "NUL byte kept in its field, the record flagged");
	free(got);
	check("a,b\n1,caf\xc3\xa9\n2,x\n", 0, "1:a|b;2!:1|caf\xc3\xa9;3:2|x;",
	    "non-ASCII flagged");
	check("a,b\n1,\"caf\xe9\"\n", 0, "1:a|b;2!:1|caf\xe9;",
	    "non-ASCII flagged through libcsv");
	check("a,b\n1,x\ty\n", 0, "1:a|b;2:1|x\ty;", "a TAB is ordinary text");
	check("a,b\n1,x\ry\n", 0, "1:a|b;2:1|x;2:y;",
	    "a stray CR ends a record, as in libcsv");
}

/* Records across block boundaries and a field of 1 MB. */
static void
test_blocks(void)
{
	struct buf in, want;
	char *got;
	long line = 2;

	buf_init(&in);
	buf_init(&want);
	buf_puts(&in, "id,text\n");
	buf_puts(&want, "1:id|text;");
	for (int i = 0; in.len < 3 * CSVIN_BLOCK; i++) {
		if (i % 7 == 3) {
			buf_printf(&in, "%d,\"q,%d\nz\"\r\n", i, i);
			buf_printf(&want, "%ld!:%d|q,%d\nz;", line, i, i);
			line += 2;
		} else {
			buf_printf(&in, "%d,t%d\n", i, i);
			buf_printf(&want, "%ld:%d|t%d;", line, i, i);
			line++;
		}
	}
	buf_puts(&in, "big,\"");
	buf_printf(&want, "%ld:big|", line);
	for (int i = 0; i < 1 << 20; i++) {
		buf_putc(&in, 'a' + i % 26);
		buf_putc(&want, 'a' + i % 26);
	}
	buf_puts(&in, "\"\nlast,1\n");
	buf_printf(&want, ";%ld:last|1;", line + 1);
	buf_str(&want);
	got = both(in.s, in.len, 0, "3 blocks and a 1 MB field");
	ok(strcmp(got, want.s) == 0, "3 blocks and a 1 MB field: records");
	free(got);
	buf_free(&in);
	buf_free(&want);
}

static void
test_empty(void)
{
	struct csvin c;

	put_file("", 0);
	csvin_open(&c, path, 0);
	ok(c.empty, "empty input is marked");
	ok(!csvin_next(&c), "and has no records");
	csvin_close(&c);
	check("a,b\n", 0, "1:a|b;", "header only");
	check("\n\n", 0, "", "blank lines only");
}

static void
test_peek(void)
{
	struct csvin c;
	size_t n;
	const char *s;

	put_file("\xef\xbb\xbf{\"a\":1}\n", 11);
	csvin_open(&c, path, 0);
	s = csvin_peek(&c, &n);
	ok(n == 8 && memcmp(s, "{\"a\":1}\n", 8) == 0, "peek: BOM dropped");
	csvin_close(&c);
}

static unsigned long rng = 12345;

static unsigned
next_rand(unsigned n)
{
	rng = rng * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)(rng >> 33) % n;
}

/* Random records of every shape the grammar allows (no unterminated
 * quote): the fast path must agree with libcsv on all of them. */
static void
test_random(void)
{
	static const char plain[] = "ab ,;\t|\0\xff\xc3\xa9x\r\\";
	static const char *const ends[] = { "\n", "\r\n", "\n\n", " \n" };
	struct buf in;
	int same = 0, cases = 3000;

	buf_init(&in);
	for (int k = 0; k < cases; k++) {
		char *fast, *slow;

		buf_reset(&in);
		for (int r = 0, nr = 1 + next_rand(4); r < nr; r++) {
			for (int f = 0, nf = 1 + next_rand(4); f < nf; f++) {
				int quoted = next_rand(4) == 0;

				if (f)
					buf_putc(&in, ',');
				if (quoted)
					buf_putc(&in, '"');
				/* a stray quote only after text: after blanks,
				 * a comma or a CR it would open a quoted field */
				int text = 0;

				for (int i = 0, n = next_rand(6); i < n; i++) {
					char ch = plain[next_rand(sizeof plain - 1)];
					if (quoted && next_rand(8) == 0) {
						buf_puts(&in, "\"\"");
						continue;
					}
					if (!quoted && ch == '\r' && next_rand(2))
						ch = 'r';
					buf_putc(&in, ch);
					if (ch == ',' || ch == '\r')
						text = 0;
					else if (ch != ' ' && ch != '\t')
						text = 1;
					if (!quoted && text && next_rand(10) == 0)
						buf_putc(&in, '"');
				}
				if (quoted)
					buf_putc(&in, '"');
			}
			buf_puts(&in, ends[next_rand(4)]);
		}
		fast = parse(in.s, in.len, ',', 0);
		slow = parse(in.s, in.len, ',', 1);
		same += strcmp(fast, slow) == 0;
		if (strcmp(fast, slow) != 0 && same + 1 == k + 1)
			printf("# differ on case %d\n#   fast: %s\n#   slow: %s\n", k,
			    fast, slow);
		free(fast);
		free(slow);
	}
	ok(same == cases, "%d random inputs: fast path equals libcsv (%d same)",
	    cases, same);
	buf_free(&in);
}

/* Text after a closing quote makes the record malformed, with its field
 * and bytes, and the records after it are read as they are (lenient
 * libcsv ran the field on to the next quote, swallowing them). */
static void
test_malformed(void)
{
	struct buf in, want;
	char *got;

	check("order_id,product_id,description,quantity\n"
	    "1,A,\"Best\" mug,2\n2,B,ok,1\n3,C,\"Mug, large\",1\n", 0,
	    "1:order_id|product_id|description|quantity;"
	    "2-2 quote/3:1,A,\"Best\" mug,2;3:2|B|ok|1;4:3|C|Mug, large|1;",
	    "text after a closing quote: that record alone is malformed");
	check("a,b\n1,\"x\"y\n", 0, "1:a|b;2-2 quote/2:1,\"x\"y;",
	    "malformed, the first field");
	check("a,b\n\"x\" \"y\",2\n3,4\n", 0, "1:a|b;2-2 quote/1:\"x\" \"y\",2;3:3|4;",
	    "a quote after the closing quote and blanks");
	check("a,b\n\"x\"  ,2\n", 0, "1:a|b;2:x|2;",
	    "blanks after the closing quote are fine");
	check("a,b\n1,\"two\nlines\" more\n2,z\n", 0,
	    "1:a|b;2-3 quote/2:1,\"two\nlines\" more;4:2|z;",
	    "a malformed record over two lines: all of its bytes");
	check("a,b\r\n1,\"x\"y\r\n2,z\r\n", 0,
	    "1:a|b;2-2 quote/2:1,\"x\"y;3:2|z;", "CRLF: the line end is not raw");
	check("a,b\n1,\"x\"y", 0, "1:a|b;2-2 quote/2:1,\"x\"y;",
	    "malformed at the end without a newline");
	check("a,b\n1,x\n2,\"open\n3,y\n", 0,
	    "1:a|b;2:1|x;3-4 open/2:2,\"open\n3,y;",
	    "an unterminated quote: the rest of the input, malformed");
	check("\"a\"x,b\n1,2\n", 0, "1-1 quote/1:\"a\"x,b;2:1|2;",
	    "a plain line after a malformed one is not malformed");
	check("a,b\n1,12\" ruler\n", 0, "1:a|b;2:1|12\" ruler;",
	    "a quote inside an unquoted field is text");
	/* a malformed line that goes on into the next block */
	buf_init(&in);
	buf_init(&want);
	buf_puts(&in, "id,text\n1,\"x\"y");
	while (in.len < CSVIN_BLOCK + 1000)
		buf_putc(&in, 'a');
	buf_printf(&want, "1:id|text;2-2 quote/2:%s;3:2|ok;", in.s + 8);
	buf_puts(&in, "\n2,ok\n");
	got = both(in.s, in.len, 0, "malformed over a block boundary");
	ok(strcmp(got, buf_str(&want)) == 0,
	    "malformed over a block boundary: the whole line, then on");
	free(got);
	buf_free(&in);
	buf_free(&want);
}

/*
 * The fast path's edges. Plain lines are scanned a word (8 or 16 bytes)
 * at a time and a block of CSVIN_BLOCK at a time: every kind of byte the
 * scan stops at is put at every place of the first three words of a
 * line, and the end of the block at every place of a line. libcsv alone
 * (nofast) must give the same.
 */
static const struct {
	const char *s;
	size_t n;
} kinds[] = {
#define K(s) { s, sizeof s - 1 }
	K(","), K("\n"), K("\r\n"), K("\r"), K("\rx\n"), K("\""), K(",\"x,y\""),
	K(",\"a\nb\""), K("x\"y,z"), K("\"x\"y"), K(" "), K(" ,"), K("\t,"),
	K(", \t"), K("\0"), K("\0,"), K("\xff"), K("\xc3("), K("\xc3\xa9,"),
	K(",,,,"), K("\n\n"), K("\n \n"), K("\r\n\r\n"), K(";"),
#undef K
};

static void
test_words(void)
{
	struct buf in;
	int same = 0, cases = 0;

	buf_init(&in);
	for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
		for (int at = 0; at < 48; at++) {
			for (int delim = ','; delim; delim = delim == ',' ? '\t' : 0) {
				char *fast, *slow;

				buf_reset(&in);
				buf_puts(&in, "h1,h2\n");
				for (int i = 0; i < at; i++)
					buf_putc(&in, "abc,de"[i % 6]);
				buf_put(&in, kinds[k].s, kinds[k].n);
				buf_puts(&in, "a,b\n1,2\n");
				fast = parse(in.s, in.len, delim, 0);
				slow = parse(in.s, in.len, delim, 1);
				cases++;
				if (strcmp(fast, slow) == 0)
					same++;
				else if (cases - same == 1)
					printf("# differ: kind %zu at %d\n#   fast: %s\n"
					    "#   slow: %s\n", k, at, fast, slow);
				free(fast);
				free(slow);
			}
		}
	}
	ok(same == cases, "every stop byte at every place of a word: fast "
	    "path equals libcsv (%d of %d)", same, cases);
	buf_free(&in);
}

/* Lines of 14 bytes after a first line of pad bytes: the block ends at
 * every place of a line, on a delimiter, a CR, an LF, a NUL, ... */
static void
test_block_ends(void)
{
	static const char *const lines[] = { "12,abc,\xff\0yz\n", "12,abc,\"q,\"\n",
	    "12,ab,c\r\n", "1,2,3,4,5,6,\n" };
	struct buf in;
	int same = 0, cases = 0;

	buf_init(&in);
	for (size_t l = 0; l < sizeof lines / sizeof *lines; l++) {
		size_t ln = l == 0 ? 13 : strlen(lines[l]);

		for (int pad = 0; pad < 16; pad++) {
			for (int last = 0; last < 9; last++) {
				char *fast, *slow;

				buf_reset(&in);
				for (int i = 0; i < pad; i++)
					buf_putc(&in, 'p');
				buf_puts(&in, ",x\n");
				while (in.len < CSVIN_BLOCK + 64)
					buf_put(&in, lines[l], ln);
				/* the last line without a line end, the bytes
				 * after it in the block those of the block
				 * before: each of a line's */
				buf_put(&in, "5,e,g,ij", (size_t)last);
				fast = parse(in.s, in.len, 0, 0);
				slow = parse(in.s, in.len, 0, 1);
				cases++;
				same += strcmp(fast, slow) == 0;
				free(fast);
				free(slow);
			}
		}
	}
	ok(same == cases, "the block ends at every place of a line: fast path "
	    "equals libcsv (%d of %d)", same, cases);
	buf_free(&in);
}

/* A long file of plain lines with a BOM and one quoted record in the
 * middle of its second block; CRLF and a line of many fields. */
static void
test_long(void)
{
	struct buf in, want;
	char *got;
	long line = 2;

	buf_init(&in);
	buf_init(&want);
	for (int crlf = 0; crlf < 2; crlf++) {
		const char *eol = crlf ? "\r\n" : "\n";

		buf_reset(&in);
		buf_reset(&want);
		line = 2;
		buf_printf(&in, "\xef\xbb\xbfid,text%s", eol);
		buf_puts(&want, "1:id|text;");
		for (int i = 0; in.len < 3 * CSVIN_BLOCK; i++, line++) {
			if (i == 30000) {
				buf_printf(&in, "%d,\"a \"\"b\"\",%s c\"%s", i, eol,
				    eol);
				buf_printf(&want, "%ld!:%d|a \"b\",%s c;", line, i,
				    eol);
				line++;
			} else if (i == 30001) {
				buf_puts(&in, ",");
				for (int j = 0; j < 1000; j++)
					buf_puts(&in, j % 2 ? ", " : ",\t");
				buf_puts(&in, eol);
				buf_printf(&want, "%ld:", line);
				for (int j = 0; j < 1001; j++)
					buf_putc(&want, '|');
				buf_putc(&want, ';');
			} else {
				buf_printf(&in, "%d, t%d %s", i, i, eol);
				buf_printf(&want, "%ld:%d|t%d;", line, i, i);
			}
		}
		got = both(in.s, in.len, 0, crlf ? "long file, CRLF" :
		    "long file");
		is_str(got, buf_str(&want), "%s: a quoted record in the middle",
		    crlf ? "long file, CRLF" : "long file");
		free(got);
	}
	buf_free(&in);
	buf_free(&want);
}

/* Random plain and not so plain lines over several blocks. */
static void
test_random_long(void)
{
	static const char bytes[] = "aaaaaaaaaaaaaaaa,,,,,,  \t\"\r\n\n\n\n\0\xff\xc3";
	struct buf in;
	int same = 0, cases = 6;

	buf_init(&in);
	for (int k = 0; k < cases; k++) {
		char *fast, *slow;

		buf_reset(&in);
		while (in.len < 2 * CSVIN_BLOCK + 5000) {
			int ch = bytes[next_rand(sizeof bytes - 1)];

			/* quotes rare, or most of the file is one field */
			if (ch == '"' && next_rand(16))
				ch = 'q';
			buf_putc(&in, ch);
		}
		buf_puts(&in, "\"\n");
		fast = parse(in.s, in.len, k % 2 ? ',' : '\t', 0);
		slow = parse(in.s, in.len, k % 2 ? ',' : '\t', 1);
		same += strcmp(fast, slow) == 0;
		free(fast);
		free(slow);
	}
	ok(same == cases, "%d random files of 3 blocks: fast path equals libcsv",
	    cases);
	buf_free(&in);
}

/* csvin.plain: said of the lines that are, never of one with a byte its
 * readers would have to act on. */
static void
test_plain(void)
{
	static const struct {
		const char *in;
		int plain;
	} t[] = {
		{ "a,b,c\n", 1 }, { "a,b,c\r\n", 1 },
		{ "x,1.5,2024-01-01T00:00:00Z\n", 1 }, { "a\\b,c\n", 0 },
		{ "a, b,c\n", 0 }, { "a,b c,d\n", 0 }, { "a,b\t,c\n", 0 },
		{ "a,\xc3\xa9,c\n", 0 }, { "a,b\x01,c\n", 0 },
		{ "\"a\",b\n", 0 },
	};

	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		struct csvin c;

		put_file(t[i].in, strlen(t[i].in));
		csvin_open(&c, path, ',');
		ok(csvin_next(&c) && c.plain == t[i].plain, "plain line %zu: %d",
		    i, t[i].plain);
		csvin_close(&c);
	}
}

int
main(int argc, char **argv)
{
	(void)argc;
	xs_init(argv[0]);
	snprintf(path, sizeof path, "/tmp/xsell-test-csv-%d", (int)getpid());
	atexit(cleanup);
	test_rfc4180();
	test_delimiters();
	test_special();
	test_plain();
	test_blocks();
	test_empty();
	test_peek();
	test_random();
	test_malformed();
	test_words();
	test_block_ends();
	test_long();
	test_random_long();
	return tap_done();
}
