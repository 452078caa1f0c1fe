/*
 * rec_background: the same rows, lines, names and errors as the reader
 * in one thread, whatever the input: TSV with escapes, CRLF and a BOM,
 * JSON lines, several inputs in another column order, batches crossed
 * by row count and by a line longer than a batch, an early close, and a
 * bad row or a failing input after thousands of good rows.
 */
#define _GNU_SOURCE	/* sched_setaffinity, where there is one */
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "xsell.h"
#include "buf.h"
#include "rec.h"
#include "rec-thread.h"

/* Which block size the checks run with, for their names. */
static char most_is[64];

static char *made[128];
static int nmade;
static pid_t owner;

/* In the parent only: a child that dies runs atexit handlers too. */
static void
cleanup(void)
{
	for (int i = 0; i < nmade && getpid() == owner; i++)
		unlink(made[i]);
}

static char *
tmpfile_with(const char *text, size_t n)
{
	static int k;
	char *path = xmalloc(64);
	FILE *fp;

	snprintf(path, 64, "/tmp/xsell-test-recbg-%d-%d", (int)getpid(), k++);
	fp = fopen(path, "wb");
	fwrite(text, 1, n, fp);
	fclose(fp);
	if (!nmade) {
		owner = getpid();
		atexit(cleanup);
	}
	made[nmade++] = path;
	return path;
}

static char *
tmpfile_str(const char *text)
{
	return tmpfile_with(text, strlen(text));
}

/* Every row as "name:line:fileno:a|b|c\n", read with or without the
 * thread; stops after max rows (then closes early). */
static char *
read_all(int nfiles, char **files, int bg, long max)
{
	struct rec r = { 0 };
	struct buf b;
	long n = 0;

	buf_init(&b);
	rec_open(&r, nfiles, files);
	if (bg)
		rec_background(&r);
	while (n < max && rec_next(&r) == REC_ROW) {
		buf_printf(&b, "%s:%ld:%d:", r.name, r.line, r.fileno);
		for (int i = 0; i < r.ncols; i++) {
			buf_puts(&b, i ? "|" : "");
			buf_put(&b, r.f[i], r.len[i]);
			if (strlen(r.f[i]) != r.len[i])
				buf_puts(&b, "<len>");
		}
		buf_putc(&b, '\n');
		n++;
	}
	rec_close(&r);
	buf_str(&b);
	return b.s;
}

static void
same_rows(int nfiles, char **files, const char *what)
{
	char *a = read_all(nfiles, files, 0, -1UL >> 1);
	char *b = read_all(nfiles, files, 1, -1UL >> 1);

	ok(a && b && strcmp(a, b) == 0 && strlen(a) > 0,
	    "%s%s: the same rows (%zu bytes of them)", most_is, what,
	    a ? strlen(a) : 0);
	free(a);
	free(b);
}

/* What a child reading every row prints and exits with: stdout (a row
 * count) and stderr, joined. */
static char *
child_result(int nfiles, char **files, int bg, int *status)
{
	int fd[2];
	pid_t pid;
	struct buf b;
	char chunk[4096];
	ssize_t n;

	if (pipe(fd) != 0)
		return NULL;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct rec r = { 0 };
		long rows = 0;

		dup2(fd[1], STDOUT_FILENO);
		dup2(fd[1], STDERR_FILENO);
		close(fd[0]);
		progname = "t";
		rec_open(&r, nfiles, files);
		if (bg)
			rec_background(&r);
		while (rec_next(&r) == REC_ROW)
			if (++rows % 1000 == 0)
				printf("%ld rows\n", rows);
		printf("end after %ld rows\n", rows);
		rec_close(&r);
		fflush(stdout);
		_exit(0);
	}
	close(fd[1]);
	buf_init(&b);
	while ((n = read(fd[0], chunk, sizeof chunk)) > 0)
		buf_put(&b, chunk, (size_t)n);
	close(fd[0]);
	waitpid(pid, status, 0);
	buf_str(&b);
	return b.s;
}

static void
same_end(int nfiles, char **files, const char *want, const char *what)
{
	int s1 = -1, s2 = -1;
	char *a = child_result(nfiles, files, 0, &s1);
	char *b = child_result(nfiles, files, 1, &s2);
	const char *last = b ? strrchr(b, '\n') : NULL;

	while (last && last > b && last[-1] != '\n')
		last--;
	ok(a && b && strcmp(a, b) == 0 && s1 == s2,
	    "%s%s: the same rows, message and status as in one thread",
	    most_is, what);
	if (a && b && (strcmp(a, b) != 0 || s1 != s2))
		printf("#   one thread (status %d):\n%s\n#   two (status %d):\n%s\n",
		    s1, a, s2, b);
	ok(b && strstr(b, want) != NULL, "%s%s: says \"%s\"", most_is, what,
	    want);
	if (b && !strstr(b, want))
		printf("#   got: %s\n", last ? last : b);
	free(a);
	free(b);
}

/* n rows of three fields of varying length; bad: line of a short row */
static char *
many_rows(long n, long bad)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "id\tname\tvalue\n");
	for (long i = 0; i < n; i++) {
		if (i + 2 == bad)
			buf_printf(&b, "X%ld\tshort\n", i);
		else
			buf_printf(&b, "X%ld\t%.*s\t%ld.5\n", i, (int)(i % 37),
			    "abcdefghijklmnopqrstuvwxyz0123456789", i * 7);
	}
	buf_str(&b);
	return b.s;
}

static void
checks(void)
{
	char *f[3], *text;
	static const char messy[] =
	    "\xEF\xBB\xBFid\tnote\tprice\r\n"
	    "A\tone\\ttab\t1.5\r\n"
	    "\r\n"
	    "B\t\t2\r\n"
	    "C\tback\\\\slash\\nnewline\t\r\n";
	static const char reordered[] =
	    "price\tid\tnote\n"
	    "3\tD\tfour\n"
	    "\t\t\n"
	    "5\tE\tfive";
	static const char json[] =
	    "{\"id\": \"J1\", \"note\": \"x\", \"price\": 1}\n"
	    "{\"id\": \"J2\", \"price\": 2.25, \"note\": [\"a\", \"b\"]}\n"
	    "\n"
	    "{\"note\": null, \"id\": \"J3\", \"price\": true}\n";

	f[0] = tmpfile_str(messy);
	same_rows(1, f, "TSV with a BOM, CRLF, escapes, blank lines");
	f[1] = tmpfile_str(reordered);
	same_rows(2, f, "two inputs, the second in another column order");
	f[0] = tmpfile_str(json);
	same_rows(1, f, "JSON lines with a list, null and a missing key");
	f[1] = tmpfile_str(reordered);
	same_rows(2, f, "JSON lines then TSV");

	text = many_rows(30000, -1);
	f[0] = tmpfile_str(text);
	same_rows(1, f, "30000 rows, several batches");
	f[1] = f[0];
	same_rows(2, f, "the same file twice");
	free(text);
	{
		/* one line longer than a whole batch of bytes */
		size_t big = 3 << 20;
		struct buf b;

		buf_init(&b);
		buf_puts(&b, "id\tname\tvalue\nA\t");
		for (size_t i = 0; i < big; i++)
			buf_putc(&b, (char)('a' + i % 26));
		buf_puts(&b, "\t1\nB\tb\t2\n");
		f[0] = tmpfile_with(b.s, b.len);
		same_rows(1, f, "a 3 MB field between short rows");
		buf_free(&b);
	}
	{
		char *all, *head;

		text = many_rows(30000, -1);
		f[0] = tmpfile_str(text);
		free(text);
		all = read_all(1, f, 0, 10);
		head = read_all(1, f, 1, 10);
		ok(strcmp(all, head) == 0, "%sclosed after 10 of 30000 rows: "
		    "no hang, the same 10 rows", most_is);
		free(all);
		free(head);
	}
	{
		struct rec r = { 0 };

		f[0] = tmpfile_str("");
		rec_open(&r, 1, f);
		rec_background(&r);
		ok(rec_next(&r) == REC_END && rec_next(&r) == REC_END,
		    "%san empty input ends at once, and stays ended", most_is);
		rec_close(&r);
	}

	{
		/* one core allowed: no thread, the rows read as without it
		 * (an affinity mask is Linux's: elsewhere, skipped) */
#ifdef CPU_COUNT
		cpu_set_t was, one;
		struct rec r = { 0 };
		char *a, *b;
		int workers;

		text = many_rows(5000, -1);
		f[0] = tmpfile_str(text);
		free(text);
		if (sched_getaffinity(0, sizeof was, &was) == 0) {
			CPU_ZERO(&one);
			for (int c = 0; c < CPU_SETSIZE; c++)
				if (CPU_ISSET(c, &was)) {
					CPU_SET(c, &one);
					break;
				}
			sched_setaffinity(0, sizeof one, &one);
			workers = rec_thread_workers;
			rec_thread_workers = 0;	/* as the tools have it */
			rec_open(&r, 1, f);
			rec_background(&r);
			ok(r.src == NULL, "%sone core allowed: no reading thread",
			    most_is);
			rec_close(&r);
			a = read_all(1, f, 1, -1UL >> 1);
			rec_thread_workers = workers;
			sched_setaffinity(0, sizeof was, &was);
			b = read_all(1, f, 0, -1UL >> 1);
			ok(strcmp(a, b) == 0, "%sone core allowed: the same rows",
			    most_is);
			free(a);
			free(b);
		} else {
			ok(1, "# SKIP no sched_getaffinity");
			ok(1, "# SKIP no sched_getaffinity");
		}
#else
		ok(1, "# SKIP no sched_getaffinity");
		ok(1, "# SKIP no sched_getaffinity");
#endif
	}

	text = many_rows(20000, 9000);
	f[0] = tmpfile_str(text);
	free(text);
	same_end(1, f, ":9000: expected 3 fields, found 2", "a short row at line 9000");
	text = many_rows(8000, -1);
	f[0] = tmpfile_str(text);
	free(text);
	f[1] = "/nonexistent/xsell-recbg";
	same_end(2, f, "t: /nonexistent/xsell-recbg: No such file or directory",
	    "8000 rows, then an input that cannot be opened");
	f[1] = tmpfile_str("id\tvalue\nA\t1\n");
	same_end(2, f, ":1: no column 'name'", "8000 rows, then a header without a column");
	f[1] = "/tmp";
	same_end(2, f, "t: /tmp: Is a directory", "8000 rows, then a directory");
}

/*
 * Blocks as the tools cut them (all that one read gives) with the
 * workers the cores allow, then with one worker whatever the cores (so
 * that a one-core machine runs the threads too), then ever smaller
 * blocks down to one line a block, with up to three workers taking
 * turns: a block ends at a line's end, a line longer than a block makes
 * one of its own, and the rows, line numbers and errors must not change.
 */
int
main(void)
{
	struct {
		size_t most;
		int workers;
	} run[] = { { rec_thread_most, 0 }, { rec_thread_most, 1 }, { 4096, 2 },
	    { 100, 3 }, { 1, 2 } };

	for (size_t i = 0; i < sizeof run / sizeof run[0]; i++) {
		rec_thread_most = run[i].most;
		rec_thread_workers = run[i].workers;
		if (i == 0)
			most_is[0] = '\0';
		else
			snprintf(most_is, sizeof most_is,
			    "blocks of %zu bytes, %d workers: ", run[i].most,
			    run[i].workers);
		checks();
	}
	return tap_done();
}
