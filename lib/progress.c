/*
 * progress.c: a progress line on stderr when it is a terminal, with the
 * percent and time left when the input's size is known, shared by the
 * stages of a pipeline through a lock on the terminal.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xsell.h"
#include "rec.h"
#include "progress.h"

#define STEP (1 << 16)	/* items between looks at the clock */
#define WAIT 1.0	/* seconds a stage of unknown size leaves the line to
			 * the stages that read files */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void
progress_init(struct progress *p, const char *what)
{
	const char *e;

	memset(p, 0, sizeof *p);
	p->on = !xs_quiet && isatty(STDERR_FILENO);
	p->what = what;
	p->tty = p->fd = -1;
	/* XSELL_PROGRESS_EVERY=N: redraw every N items, whatever the
	 * clock says (the tests' way to see the line on small inputs) */
	if ((e = getenv("XSELL_PROGRESS_EVERY")) && *e)
		p->every = strtoull(e, NULL, 10);
	p->next = p->every ? p->every : STEP;
	p->t0 = p->last = p->on ? now() : 0;
}

void
progress_files(struct progress *p, int nfiles, char *const *files)
{
	static char *const in[] = { "-" };
	struct stat st;

	if (!p->on)
		return;
	if (nfiles <= 0) {
		nfiles = 1;
		files = in;
	}
	free(p->start);
	free(p->id);
	p->start = xcalloc((size_t)nfiles + 1, sizeof *p->start);
	p->id = xcalloc((size_t)nfiles + 1, sizeof *p->id);
	p->nfiles = nfiles;
	p->total = 0;
	for (int k = 0; k < nfiles; k++) {
		int r = strcmp(files[k], "-") == 0 ? fstat(STDIN_FILENO, &st) :
		    stat(files[k], &st);

		if (r != 0 || !S_ISREG(st.st_mode)) {
			p->total = 0;	/* a pipe: no size, no percent */
			break;
		}
		p->start[k] = p->total;
		p->total += (uint64_t)st.st_size;
		p->id[k].dev = st.st_dev;
		p->id[k].ino = st.st_ino;
	}
	if (p->total)
		p->start[nfiles] = p->total;
}

void
progress_input(struct progress *p, const struct rec *r)
{
	progress_files(p, r->nfiles, r->files);
	p->r = r;
}

void
progress_at(struct progress *p, int file, int fd)
{
	p->file = file;
	p->fd = fd;
}

/* Bytes read so far: the inputs before the current one, and the current
 * one's offset (a reader reads a little ahead: close enough). */
static uint64_t
position(const struct progress *p)
{
	int k = p->r ? p->r->fileno : p->file, fd = p->r ? p->r->fd : p->fd;
	uint64_t at, size;
	struct stat st;
	off_t off;

	if (k < 0 || k >= p->nfiles)
		return 0;
	at = p->start[k];
	size = p->start[k + 1] - at;
	/* A reader closes an input it has read whole (and the number may
	 * be another file's by now): an fd that is not the input's is the
	 * end of it. */
	if (fd < 0 || fstat(fd, &st) != 0 || st.st_dev != p->id[k].dev ||
	    st.st_ino != p->id[k].ino)
		return fd < 0 && k == 0 && !p->r ? 0 : at + size;
	if ((off = lseek(fd, 0, SEEK_CUR)) >= 0)
		at += (uint64_t)off < size ? (uint64_t)off : size;
	return at;
}

/* May this stage draw? Only while it holds the terminal's lock. */
static int
claim(struct progress *p, double t)
{
	const char *name;

	if (p->held)
		return 1;
	if (!p->total && t - p->t0 < WAIT)
		return 0;
	if (p->tty < 0) {
		if (!(name = ttyname(STDERR_FILENO)) ||
		    (p->tty = open(name, O_RDONLY | O_NOCTTY | O_CLOEXEC)) < 0) {
			p->held = 1;	/* no lock to be had: draw, as before */
			return 1;
		}
	}
	if (flock(p->tty, LOCK_EX | LOCK_NB) == 0)
		p->held = 1;
	else if (errno != EWOULDBLOCK && errno != EINTR)
		p->held = 1;	/* a terminal that cannot be locked */
	return p->held;
}

static void
duration(char *b, size_t n, double s)
{
	long x = (long)(s + 0.5);

	if (x < 60)
		snprintf(b, n, "%lds", x);
	else if (x < 3600)
		snprintf(b, n, "%ldm%02lds", x / 60, x % 60);
	else
		snprintf(b, n, "%ldh%02ldm", x / 3600, x / 60 % 60);
}

void
progress_show_(struct progress *p, uint64_t n)
{
	double t = now(), dt;
	char pct[16] = "", left[40] = "";

	p->n = n;
	p->next = n + (p->every ? p->every : STEP);
	if (!p->every && t - p->last < 0.25)
		return;	/* redrawn at most four times a second */
	p->last = t;
	if (!claim(p, t))
		return;
	dt = t - p->t0 > 1e-9 ? t - p->t0 : 1e-9;
	if (p->total) {
		uint64_t at = position(p);
		double f;

		if (at < p->at)	/* never backwards (a closed, reused fd) */
			at = p->at;
		p->at = at;
		f = (double)at / (double)p->total;
		/* all read (into memory, to sort or group): counts alone */
		if (at < p->total)
			snprintf(pct, sizeof pct, "%.0f%% ", 100 * f);
		if (at > 0 && at < p->total && dt >= 1) {
			char d[24];

			duration(d, sizeof d, dt * (1 - f) / f);
			snprintf(left, sizeof left, ", %s left", d);
		}
	}
	fprintf(stderr, "\r%s: %s%llu %s, %.0f/s%s\033[K", progname, pct,
	    (unsigned long long)n, p->what, n / dt, left);
	p->drawn = 1;
}

void
progress_done(struct progress *p)
{
	if (p->on && p->drawn)
		fprintf(stderr, "\r\033[K");
	if (p->tty >= 0) {
		if (p->held)
			flock(p->tty, LOCK_UN);
		close(p->tty);
	}
	free(p->start);
	free(p->id);
	p->start = NULL;
	p->id = NULL;
	p->tty = -1;
	p->held = p->drawn = p->on = 0;
}
