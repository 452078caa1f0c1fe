/*
 * rec-thread.c: rec_background, the threaded reader (rec-thread.h). Reading and splitting rows is most of what a
 * tool that aggregates does. Here worker threads do it, a block of lines
 * each, while the caller works on the rows of the blocks before; the
 * caller gets the blocks in input order. A block's TSV rows point into
 * its lines, which stay where read() put them: nothing is copied row by
 * row (but the fields of JSON lines, which jansson hands over as values).
 * A bad row and any die() in a worker (a read error, the bad header of a
 * later input) end the stream, said when the caller gets there.
 */
#define _GNU_SOURCE	/* sched_getaffinity, CPU_COUNT, where there are */
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xsell.h"
#include "buf.h"
#include "rec.h"
#include "rec-internal.h"
#include "rec-thread.h"

enum { NSLOT = 4, NWORK = 3 };
#define WORKER_STACK ((size_t)8 << 20)
enum { FREE, BUSY, FULL };

size_t rec_thread_most = 256 << 10;
int rec_thread_workers;

struct slot {
	struct rec_block t;
	int first;		/* the first block of its input */
	char **f;		/* row x column: into t.data, or jdata */
	size_t *len;
	long *line;		/* of each row, from the block's start */
	size_t rowcap;
	int nrows;
	long nlines;		/* lines in the block, blank ones too */
	int json;
	struct buf jdata;	/* JSON rows' fields */
	int state;		/* under mu */
	int last;		/* no rows after this slot's */
	int status;		/* with last: die(status, msg) after the rows */
	int bad;		/* with last: the row after them is bad, msg says why */
	long badline;
	char msg[1024];
};

struct worker {
	struct rec_thread *g;
	struct rec p;		/* reads one block at a time */
	char **f;		/* p's own f and len, which split points */
	size_t *len;		/* into the slot while it runs */
	pthread_t tid;
	struct slot *sl;	/* the slot it fills */
	int taking;		/* holds g->take */
	jmp_buf jb;		/* where a die() in the thread lands */
};

struct rec_thread {
	struct rec w;		/* cuts the input into blocks; under take */
	pthread_mutex_t take;
	int ended;		/* under mu: no block follows */
	long seq;		/* under take: the next block's number */
	int lastfile;		/* under take: the input of the block before */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;		/* under mu: the caller is done */
	struct slot s[NSLOT];
	struct worker wk[NWORK];
	int nwork;
	/*
	 * The caller's, read at every row, a line apart from what the
	 * workers write: on one cache line, every row was a miss.
	 */
	char apart[64];
	long head;		/* the caller's block */
	int row;		/* the caller's next row in it */
	int taken;		/* head is the caller's */
	int ncols;
	int joined;
	long base, next;	/* line before the caller's block; the next's */
};

static _Thread_local struct worker *catching;

static void
caught(int status, const char *msg)
{
	struct worker *k = catching;

	k->sl->status = status;
	snprintf(k->sl->msg, sizeof k->sl->msg, "%s", msg);
	longjmp(k->jb, 1);
}

static void
seal(struct rec_thread *g, struct slot *sl)
{
	pthread_mutex_lock(&g->mu);
	sl->state = FULL;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

static void
slot_start(struct slot *sl)
{
	sl->nrows = 0;
	sl->nlines = 0;
	sl->json = 0;
	buf_reset(&sl->jdata);
	sl->last = sl->status = sl->bad = 0;
}

static void
slot_free(struct slot *sl)
{
	free(sl->t.data);
	free(sl->t.map);
	free(sl->f);
	free(sl->len);
	free(sl->line);
	buf_free(&sl->jdata);
}

/*
 * The next block into the next slot, once the caller has freed it; 0
 * when there is none (the end, an error, or the caller stopped). The
 * slot after the last block has no rows and says the input ended.
 */
static int
take_block(struct rec_thread *g, struct worker *k)
{
	struct slot *sl;
	int stop;

	pthread_mutex_lock(&g->take);
	k->taking = 1;
	sl = &g->s[g->seq % NSLOT];
	pthread_mutex_lock(&g->mu);
	while (sl->state != FREE && !g->stop && !g->ended)
		pthread_cond_wait(&g->cv, &g->mu);
	stop = g->stop || g->ended;
	if (!stop)
		sl->state = BUSY;
	pthread_mutex_unlock(&g->mu);
	if (stop) {
		k->taking = 0;
		pthread_mutex_unlock(&g->take);
		return 0;
	}
	g->seq++;
	k->sl = sl;
	slot_start(sl);
	if (rec_take(&g->w, &sl->t, rec_thread_most)) {
		sl->first = sl->t.fileno != g->lastfile;
		g->lastfile = sl->t.fileno;
	} else {
		sl->last = 1;
	}
	k->taking = 0;
	pthread_mutex_unlock(&g->take);
	return 1;
}

static void
grow_rows(struct slot *sl, int ncols)
{
	sl->rowcap = sl->rowcap ? 2 * sl->rowcap : 4096;
	sl->f = xreallocarray(sl->f, sl->rowcap, (size_t)ncols * sizeof *sl->f);
	sl->len = xreallocarray(sl->len, sl->rowcap,
	    (size_t)ncols * sizeof *sl->len);
	sl->line = xreallocarray(sl->line, sl->rowcap, sizeof *sl->line);
}

/* A JSON row's fields go into jdata; f holds offsets until the block is
 * done, as jdata may move while it grows. */
static void
add_json(struct slot *sl, const struct rec *p, size_t at)
{
	for (int i = 0; i < p->ncols; i++) {
		const char *v = sl->f[at + i];

		sl->f[at + i] = (char *)(uintptr_t)sl->jdata.len;
		buf_put(&sl->jdata, v, sl->len[at + i]);
		buf_putc(&sl->jdata, '\0');
	}
	sl->json = 1;
}

/*
 * The block's rows into its slot, up to the end or a bad row. The
 * worker's reader writes each row's fields straight into the slot.
 */
static void
split(struct worker *k)
{
	struct slot *sl = k->sl;
	struct rec *p = &k->p;
	size_t nc = (size_t)p->ncols, at;
	int rc;

	/* counted from 1: a data line is never taken for the first (BOM) */
	rec_worker_block(p, &sl->t, 1);
	for (;;) {
		if ((size_t)sl->nrows == sl->rowcap)
			grow_rows(sl, p->ncols);
		at = (size_t)sl->nrows * nc;
		p->f = sl->f + at;
		p->len = sl->len + at;
		if ((rc = rec_next(p)) == REC_END)
			break;
		if (rc == REC_BAD) {
			sl->last = sl->bad = 1;
			sl->badline = p->line - 1;
			snprintf(sl->msg, sizeof sl->msg, "%s", p->err);
			break;
		}
		if (!p->span)
			add_json(sl, p, at);
		sl->line[sl->nrows++] = p->line - 1;
	}
	p->f = k->f;
	p->len = k->len;
	sl->nlines = p->line - 1;
	if (sl->json)
		for (size_t i = 0; i < (size_t)sl->nrows * nc; i++)
			sl->f[i] = sl->jdata.s + (uintptr_t)sl->f[i];
}

/* No block is taken after k's: the input ended or went wrong there. */
static void
end_blocks(struct rec_thread *g, struct worker *k)
{
	if (k->taking)
		pthread_mutex_unlock(&g->take);
	k->taking = 0;
	pthread_mutex_lock(&g->mu);
	g->ended = 1;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

static void *
work(void *arg)
{
	struct worker *k = arg;
	struct rec_thread *g = k->g;

	catching = k;
	xs_die_catch = caught;
	if (setjmp(k->jb)) {
		/* p's arrays are its own again, for rec_worker_free */
		k->p.f = k->f;
		k->p.len = k->len;
		k->sl->last = 1;	/* with caught's status and message */
		end_blocks(g, k);
		seal(g, k->sl);
		return NULL;
	}
	while (take_block(g, k)) {
		if (!k->sl->last)
			split(k);
		if (k->sl->last)
			end_blocks(g, k);
		seal(g, k->sl);
	}
	return NULL;
}

/* Cores this process may run on: with one, threads only take turns
 * with the caller. The affinity mask is Linux's (glibc, musl); where
 * there is none (macOS, the BSDs), the cores online. */
static int
ncpu(void)
{
#ifdef CPU_COUNT
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof set, &set) == 0)
		return CPU_COUNT(&set);
#endif
#ifdef _SC_NPROCESSORS_ONLN
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n > 0)
		return n < INT_MAX ? (int)n : INT_MAX;
#endif
	return 2;
}

static void
stop_workers(struct rec_thread *g)
{
	if (g->joined)
		return;
	pthread_mutex_lock(&g->mu);
	g->stop = 1;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
	for (int i = 0; i < g->nwork; i++)
		pthread_join(g->wk[i].tid, NULL);
	g->joined = 1;
}

static void
thread_free(struct rec_thread *g)
{
	for (int i = 0; i < NWORK; i++)
		rec_worker_free(&g->wk[i].p);
	for (int i = 0; i < NSLOT; i++)
		slot_free(&g->s[i]);
	pthread_mutex_destroy(&g->take);
	pthread_mutex_destroy(&g->mu);
	pthread_cond_destroy(&g->cv);
	free(g);
}

/* After the caller's last row: the end, or the error that ended it. */
static int
the_end(struct rec *r, struct rec_thread *g, struct slot *sl)
{
	stop_workers(g);
	if (sl->status)
		die(sl->status, "%s", sl->msg);
	if (sl->bad)
		die(XS_INPUT, "%s:%ld: %s", sl->t.name, g->base + sl->badline,
		    sl->msg);
	/* The last input, as a reader in one thread ends on it, though it
	 * had no rows (a message after the end may name it). */
	r->name = g->w.name;
	r->fileno = g->w.fileno;
	return REC_END;
}

static int
thread_next(struct rec *r)
{
	struct rec_thread *g = r->srcarg;
	struct slot *sl = &g->s[g->head % NSLOT];
	size_t k;

	while (!g->taken || g->row == sl->nrows) {
		if (g->taken) {
			if (sl->last)
				return the_end(r, g, sl);
			pthread_mutex_lock(&g->mu);
			sl->state = FREE;
			pthread_cond_broadcast(&g->cv);
			pthread_mutex_unlock(&g->mu);
			g->head++;
			g->taken = 0;
			sl = &g->s[g->head % NSLOT];
		}
		pthread_mutex_lock(&g->mu);
		while (sl->state != FULL)
			pthread_cond_wait(&g->cv, &g->mu);
		pthread_mutex_unlock(&g->mu);
		g->taken = 1;
		g->row = 0;
		if (sl->nrows == 0 && sl->last && !sl->bad)
			continue;	/* no block: the end marker */
		g->base = sl->first ? sl->t.line0 : g->next;
		g->next = g->base + sl->nlines;
		r->name = sl->t.name;
		r->fileno = sl->t.fileno;
		r->fmt = sl->t.fmt;
	}
	k = (size_t)g->row * (size_t)g->ncols;
	r->f = sl->f + k;
	r->len = sl->len + k;
	r->line = g->base + sl->line[g->row];
	g->row++;
	return REC_ROW;
}

static void
thread_close(struct rec *r)
{
	struct rec_thread *g = r->srcarg;

	stop_workers(g);
	*r = g->w;	/* the reading state, which rec_close frees */
	r->src = NULL;
	r->srcarg = NULL;
	thread_free(g);
}

static const struct rec_source thread_source = { thread_next, thread_close };

void
rec_background(struct rec *r)
{
	struct rec_thread *g;
	sigset_t all, old;
	pthread_attr_t attr;
	int cpus = ncpu(), want;

	if (r->empty || r->lenient || r->src || (cpus < 2 && !rec_thread_workers))
		return;
	/*
	 * The caller keeps a core: on two, a second worker made the three
	 * threads take turns and cost more than it split (the caller is as
	 * busy as one worker).
	 */
	want = cpus - 1 < NWORK ? cpus - 1 : NWORK;
	if (rec_thread_workers > 0 && rec_thread_workers <= NWORK)
		want = rec_thread_workers;
	g = xcalloc(1, sizeof *g);
	g->w = *r;
	g->ncols = r->ncols;
	g->lastfile = -1;
	for (int i = 0; i < NSLOT; i++)
		buf_init(&g->s[i].jdata);
	pthread_mutex_init(&g->take, NULL);
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	/* Signals are the caller's: SIGPIPE and SIGINT land on its thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (int i = 0; i < want; i++) {
		g->wk[i].g = g;
		rec_worker(&g->wk[i].p, &g->w);	/* before any thread reads */
		g->wk[i].f = g->wk[i].p.f;
		g->wk[i].len = g->wk[i].p.len;
	}
	/*
	 * jansson parses a JSON line recursively, a few frames per nesting
	 * level up to its limit of 2048: the stack glibc gives a thread
	 * (8 MiB) holds that, musl's (128 KiB) does not. Ask for glibc's.
	 */
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, WORKER_STACK);
	for (int i = 0; i < want; i++) {
		if (pthread_create(&g->wk[i].tid, &attr, work, &g->wk[i]) != 0)
			break;
		g->nwork++;
	}
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (g->nwork == 0) {
		thread_free(g);
		return;		/* read in this thread, as before */
	}
	r->src = &thread_source;
	r->srcarg = g;
}
