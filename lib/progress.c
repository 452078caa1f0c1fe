/* progress.c: a progress line on stderr when it is a terminal. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "xsell.h"

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
	p->on = !xs_quiet && isatty(STDERR_FILENO);
	p->what = what;
	p->n = 0;
	p->next = 1 << 16;
	p->t0 = p->last = p->on ? now() : 0;
}

/* Checked every 64 K items; redrawn at most four times a second. */
void
progress_show_(struct progress *p, uint64_t n)
{
	double t = now();

	p->n = n;
	p->next = n + (1 << 16);
	if (t - p->last < 0.25)
		return;
	p->last = t;
	fprintf(stderr, "\r%s: %llu %s (%.0f/s)\033[K", progname,
	    (unsigned long long)n, p->what, n / (t - p->t0));
}

void
progress_done(struct progress *p)
{
	if (p->on && p->last > p->t0)
		fprintf(stderr, "\r\033[K");
	p->on = 0;
}
