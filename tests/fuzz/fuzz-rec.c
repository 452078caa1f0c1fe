/* The record reader (TSV and JSON lines) and writer on arbitrary bytes:
 * every row read is written back as TSV and as JSON lines. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "rec.h"
#include "writer.h"

static void
run(const char *path, int lenient, FILE *sink)
{
	static struct rec r;
	static struct writer w[2];
	static int opened;
	char *files[1];

	files[0] = (char *)path;
	opened = 0;
	if (setjmp(fuzz_jmp)) {
		/* die() from a malformed header or row: free what is open */
		if (opened) {
			writer_close(&w[0]);
			writer_close(&w[1]);
		}
		rec_close(&r);
		return;
	}
	r.lenient = lenient;
	rec_open(&r, 1, files);
	writer_open(&w[0], sink, 0, r.ncols, r.cols);
	writer_open(&w[1], sink, 1, r.ncols, r.cols);
	opened = 1;
	while (rec_next(&r) != REC_END) {
		writer_row(&w[0], r.f, r.len);
		writer_row(&w[1], r.f, r.len);
	}
	writer_close(&w[0]);
	writer_close(&w[1]);
	rec_close(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	char path[64];
	int fd = memfd_create("fuzz-rec", 0);

	xs_die_hook = fuzz_die_hook;
	if (!sink)
		sink = fopen("/dev/null", "w");
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	run(path, 1, sink);
	run(path, 0, sink);
	close(fd);
	return 0;
}
