/* The record reader and writer: TSV and JSON lines in, TSV and JSON out. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "xsell.h"
#include "buf.h"
#include "rec.h"
#include "writer.h"

static char *made[16];
static int nmade;

static void
cleanup(void)
{
	for (int i = 0; i < nmade; i++)
		unlink(made[i]);
}

static void
atexit_unlink(char *path)
{
	if (!nmade)
		atexit(cleanup);
	made[nmade++] = path;
}

static char *
tmpfile_with(const char *text, size_t n)
{
	static int k;
	char *path = xmalloc(64);
	FILE *fp;

	snprintf(path, 64, "/tmp/xsell-test-rec-%d-%d", (int)getpid(), k++);
	fp = fopen(path, "wb");
	fwrite(text, 1, n, fp);
	fclose(fp);
	atexit_unlink(path);
	return path;
}

/* Every row of the inputs as "a|b|c;" */
static char *
read_all(int nfiles, char **files, struct rec *r)
{
	struct buf b;

	buf_init(&b);
	rec_open(r, nfiles, files);
	while (rec_next(r) == REC_ROW) {
		for (int i = 0; i < r->ncols; i++)
			buf_printf(&b, "%s%s", i ? "|" : "", r->f[i]);
		buf_putc(&b, ';');
	}
	buf_str(&b);
	return b.s;
}

static char *
write_rows(int json, int ncols, char **cols, char **rows, int nrows)
{
	char *text = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&text, &n);
	struct writer w;

	writer_open(&w, fp, json, ncols, cols);
	for (int i = 0; i < nrows; i++)
		writer_row(&w, rows + i * ncols, NULL);
	writer_close(&w);
	fclose(fp);
	return text;
}

int
main(void)
{
	struct rec r;
	char *f[3], *got;
	static const char tsv[] =
	    "\xEF\xBB\xBFid\tname\r\n1\ta\\tb\r\n\r\n2\tline\\nbreak\\\\x\r\n";
	static const char json[] =
	    "{\"id\": 1, \"name\": \"x\", \"tags\": [\"a\", \"b\"], \"ok\": true}\n"
	    "{\"name\": \"y\", \"id\": \"2\", \"ok\": null}\n";

	f[0] = tmpfile_with(tsv, sizeof tsv - 1);
	got = read_all(1, f, &r);
	ok(r.fmt == REC_TSV && r.ncols == 2, "TSV with a BOM and CRLF: 2 columns");
	is_str(r.cols[0], "id", "BOM is not part of the first column");
	is_str(got, "1|a\tb;2|line\nbreak\\x;", "escapes undone, blank line skipped");
	rec_close(&r);
	free(got);

	f[1] = tmpfile_with("name\tid\nc\t3\n", 12);
	got = read_all(2, f, &r);
	is_str(got, "1|a\tb;2|line\nbreak\\x;3|c;",
	    "second input's columns mapped by name");
	rec_close(&r);
	free(got);

	f[2] = tmpfile_with(json, sizeof json - 1);
	got = read_all(1, f + 2, &r);
	ok(r.fmt == REC_JSON && r.ncols == 4, "JSON lines: keys of line 1");
	is_str(got, "1|x|a,b|true;2|y||;", "values as text, lists joined");
	ok(rec_col(&r, "tags") == 2 && rec_col(&r, "nope") == -1, "rec_col");
	rec_close(&r);
	free(got);

	f[0] = tmpfile_with("", 0);
	got = read_all(1, f, &r);
	ok(r.empty && r.ncols == 0 && !*got, "empty input: no header, no rows");
	ok(rec_need(&r, "id") == -1, "rec_need on empty input is -1");
	rec_close(&r);
	free(got);

	f[0] = tmpfile_with("a\tb\n1\n", 6);
	r.lenient = 1;
	rec_open(&r, 1, f);
	ok(rec_next(&r) == REC_BAD, "short row is REC_BAD when lenient");
	is_str(r.err, "expected 2 fields, found 1", "reason");
	is_str(r.raw, "1", "raw line kept");
	ok(r.line == 2, "line number");
	rec_close(&r);

	{
		char *cols[] = { "product_id", "price", "items", "note" };
		char *rows[] = { "007", "12.5", "a,b", "tab\there",
				 "8", "", "", "\"q\"\xff" };

		got = write_rows(0, 4, cols, rows, 2);
		is_str(got, "product_id\tprice\titems\tnote\n"
		    "007\t12.5\ta,b\ttab\\there\n8\t\t\t\"q\"\xff\n",
		    "TSV out: header, escapes");
		free(got);
		got = write_rows(1, 4, cols, rows, 2);
		is_str(got, "{\"product_id\":\"007\",\"price\":12.5,"
		    "\"items\":[\"a\",\"b\"],\"note\":\"tab\\there\"}\n"
		    "{\"product_id\":\"8\",\"price\":null,\"items\":null,"
		    "\"note\":\"\\\"q\\\"\\ufffd\"}\n",
		    "JSON out: ids strings, numbers, lists, U+FFFD");
		free(got);
	}
	{
		/* Nested values: carried as compact JSON text, written back
		 * as JSON; not under an id or a list column. */
		static const char nested[] =
		    "{\"context_id\": \"A\", \"explain\": {\"P\": {\"raw\": 0.1, "
		    "\"n\": [1, 2.50, null, true, \"t\\u00e9\"]}}, "
		    "\"rows\": [{\"a\": 1}, [2]], \"tags\": [\"x\", 3]}\n";
		char *cols[] = { "context_id", "explain", "rows", "tags", "note" };
		char *rows[] = { "A", NULL, NULL, "x,3", "[Sale] {x}",
				 "B", "[1,2]", "{\"a\":", "", "{\"b\":\n1}" };

		f[0] = tmpfile_with(nested, sizeof nested - 1);
		got = read_all(1, f, &r);
		is_str(got, "A|{\"P\":{\"raw\":0.1,\"n\":[1,2.5,null,true,"
		    "\"t\xc3\xa9\"]}}|[{\"a\":1},[2]]|x,3;",
		    "a nested object or array is its compact JSON text");
		rows[1] = xstrdup(strchr(got, '|') + 1);
		*strchr(rows[1], '|') = '\0';
		rows[2] = "[{\"a\":1},[2]]";
		rec_close(&r);
		free(got);
		got = write_rows(1, 5, cols, rows, 2);
		is_str(got, "{\"context_id\":\"A\",\"explain\":{\"P\":{\"raw\":0.1,"
		    "\"n\":[1,2.5,null,true,\"t\xc3\xa9\"]}},\"rows\":[{\"a\":1},[2]],"
		    "\"tags\":\"x,3\",\"note\":\"[Sale] {x}\"}\n"
		    "{\"context_id\":\"B\",\"explain\":\"[1,2]\",\"rows\":"
		    "\"{\\\"a\\\":\",\"tags\":null,\"note\":\"{\\\"b\\\":\\n1}\"}\n",
		    "JSON text of an object or array of them goes out as JSON; "
		    "other text as a string");
		free(got);
		free(rows[1]);
		static const char ids[] = "{\"context_id\":{\"a\":1},\"items\":1}\n"
		    "{\"context_id\":\"B\",\"items\":[[1]]}\n";

		f[0] = tmpfile_with(ids, sizeof ids - 1);
		r.lenient = 1;
		rec_open(&r, 1, f);
		ok(rec_next(&r) == REC_BAD, "an id column takes no object");
		is_str(r.err, "key 'context_id': nested object", "its reason");
		ok(rec_next(&r) == REC_BAD, "a list column takes no nested array");
		is_str(r.err, "key 'items': nested value", "its reason");
		rec_close(&r);
	}
	{
		/* Numbers only in numeric columns and in num_fmt's form. */
		char *cols[] = { "price", "score", "barcode", "rank" };
		char *rows[] = {
			"1.10", "1e+21", "12345678901234567891", "42",
			"12345678901234567891", "-0.5", "1E5", "7",
			"10000000000000000000", "inf", "", "1e21"
		};

		got = write_rows(1, 4, cols, rows, 3);
		is_str(got, "{\"price\":\"1.10\",\"score\":1e+21,"
		    "\"barcode\":\"12345678901234567891\",\"rank\":42}\n"
		    "{\"price\":\"12345678901234567891\",\"score\":-0.5,"
		    "\"barcode\":\"1E5\",\"rank\":7}\n"
		    "{\"price\":\"10000000000000000000\",\"score\":\"inf\","
		    "\"barcode\":null,\"rank\":\"1e21\"}\n",
		    "JSON out: other forms and other columns are strings");
		free(got);
	}
	{
		char *in[] = { "context_id", "score", "x" };
		const char *own[] = { "score", "rank" };
		struct layout l;

		layout_init(&l, 3, in, 2, own);
		ok(l.nout == 4 && strcmp(l.out[1], "score") == 0 &&
		    strcmp(l.out[3], "rank") == 0, "own column replaces in place");
		ok(l.in_at[1] == -1 && l.own_at[0] == 1 && l.own_at[1] == 3,
		    "layout indexes");
		layout_free(&l);
	}
	return tap_done();
}
