/* The CSV reader on arbitrary bytes, twice: with the fast path for plain
 * lines and with libcsv alone. Both must give the same records, lines,
 * flags and malformed records (with their bytes). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "csvin.h"
#include "buf.h"

/* Every record as "line-lastline special bad/col nf: len bytes..." into
 * b; -1 when the reader died. */
static int
run(int fd, int delim, int nofast, struct buf *b)
{
	static struct csvin c;

	if (lseek(fd, 0, SEEK_SET) != 0)
		abort();
	if (setjmp(fuzz_jmp)) {
		csvin_close(&c);
		return -1;
	}
	csvin_open_fd(&c, fd, "fuzz", delim);
	c.nofast = nofast;
	while (csvin_next(&c)) {
		buf_printf(b, "%ld-%ld %d %d/%d %d:", c.line, c.lastline,
		    c.special, c.bad, c.badcol, c.nf);
		if (c.bad) {
			if (!c.raw || c.raw[c.rawlen] != '\0' || c.nf != 0 ||
			    c.lastline < c.line)
				abort();
			buf_put(b, c.raw, c.rawlen);
		}
		for (int i = 0; i < c.nf; i++) {
			if (c.f[i][c.len[i]] != '\0')
				abort();	/* fields are NUL-terminated */
			buf_printf(b, "%zu ", c.len[i]);
			buf_put(b, c.f[i], c.len[i]);
		}
		buf_putc(b, '\n');
	}
	csvin_close(&c);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int delims[] = { 0, ',', ';', '\t' };
	struct buf fast, slow;
	int fd = memfd_create("fuzz-csv", 0), delim, a, b;

	xs_die_hook = fuzz_die_hook;
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	delim = delims[size ? data[0] % 4 : 0];
	buf_init(&fast);
	buf_init(&slow);
	a = run(fd, delim, 0, &fast);
	b = run(fd, delim, 1, &slow);
	if (a != b || (a == 0 && (fast.len != slow.len ||
	    memcmp(fast.s ? fast.s : "", slow.s ? slow.s : "", fast.len) != 0)))
		abort();
	buf_free(&fast);
	buf_free(&slow);
	close(fd);
	return 0;
}
