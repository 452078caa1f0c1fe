/*
 * recbg.c: rec_background. Reading and splitting rows is most of what a
 * tool that aggregates does; on a second core it overlaps the work done
 * with the rows. The thread runs rec_next on its own copy of the reader
 * and copies each row into one of a few batches; the caller's rec_next
 * points f and len into the batch. Any die() in the thread (a malformed
 * row is one) becomes the end of the stream, said when the caller gets
 * there.
 */
#define _GNU_SOURCE	/* sched_getaffinity, CPU_COUNT */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "xsell.h"
#include "recbg.h"

enum { NBATCH = 4, BATCH_ROWS = 4096, BATCH_BYTES = 1 << 20 };

struct batch {
	struct buf data;	/* the rows' fields, NUL-terminated */
	char **f;		/* row x column, into data */
	size_t *len;
	long *line;
	const char **name;
	int *fileno;
	int nrows;
	int last;		/* no rows follow */
	int status;		/* with last: die(status, msg) after the rows */
	char msg[1024];
};

struct recbg {
	struct rec w;		/* the thread's reader */
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct batch b[NBATCH];
	int nfull;		/* sealed and not yet released by the caller */
	int stop;		/* the caller closed before the end */
	int wi;			/* the batch the thread fills */
	int pending;		/* the reader's row goes first into the next batch */
	/*
	 * The caller's, read at every row, a line apart from what the thread
	 * writes at every row (pending, w): on one cache line, every row was
	 * a miss, a tenth of the caller's time in a relations audit.
	 */
	char apart[64];
	int head;		/* the caller's batch */
	int row;		/* the caller's next row in it */
	int taken;		/* head is the caller's */
	int ncols;		/* the thread's own is w.ncols */
	int joined;
	jmp_buf jb;		/* where a die() in the thread lands */
};

static _Thread_local struct recbg *catching;

static void
caught(int status, const char *msg)
{
	struct recbg *g = catching;
	struct batch *b = &g->b[g->wi];	/* the one being filled */

	b->status = status;
	snprintf(b->msg, sizeof b->msg, "%s", msg);
	longjmp(g->jb, 1);
}

static void
batch_init(struct batch *b, int ncols)
{
	size_t n = (size_t)BATCH_ROWS * (size_t)(ncols > 0 ? ncols : 1);

	memset(b, 0, sizeof *b);
	buf_init(&b->data);
	buf_grow(&b->data, BATCH_BYTES);
	b->f = xreallocarray(NULL, n, sizeof *b->f);
	b->len = xreallocarray(NULL, n, sizeof *b->len);
	b->line = xreallocarray(NULL, BATCH_ROWS, sizeof *b->line);
	b->name = xreallocarray(NULL, BATCH_ROWS, sizeof *b->name);
	b->fileno = xreallocarray(NULL, BATCH_ROWS, sizeof *b->fileno);
}

static void
batch_free(struct batch *b)
{
	buf_free(&b->data);
	free(b->f);
	free(b->len);
	free(b->line);
	free(b->name);
	free(b->fileno);
}

/* Bytes the thread's current row takes in a batch. */
static size_t
row_size(const struct rec *w, int ncols)
{
	size_t n = 0;

	if (w->span)
		return w->spanlen + 1;
	for (int i = 0; i < ncols; i++)
		n += w->len[i] + 1;
	return n;
}

/*
 * Copies the thread's current row into b, whose data has room for it: a
 * TSV row in one piece (its fields lie in its line), a JSON row field by
 * field. f points into the data at once: the data of a batch with rows
 * is never moved.
 */
static void
add_row(struct batch *b, const struct rec *w, int ncols)
{
	size_t k = (size_t)b->nrows * (size_t)ncols;
	char *to = b->data.s + b->data.len;

	if (w->span) {
		memcpy(to, w->span, w->spanlen + 1);
		for (int i = 0; i < ncols; i++)
			b->f[k + i] = to + (w->f[i] - w->span);
		b->data.len += w->spanlen + 1;
	} else {
		for (int i = 0; i < ncols; i++) {
			b->f[k + i] = to;
			memcpy(to, w->f[i], w->len[i]);
			to[w->len[i]] = '\0';
			to += w->len[i] + 1;
		}
		b->data.len = (size_t)(to - b->data.s);
	}
	memcpy(b->len + k, w->len, (size_t)ncols * sizeof *b->len);
	b->line[b->nrows] = w->line;
	b->name[b->nrows] = w->name;
	b->fileno[b->nrows] = w->fileno;
	b->nrows++;
}

/*
 * Rows into b until it is full (1) or the input ends (0). A row that
 * does not fit in a batch with rows waits in the reader for the next
 * batch (pending), which grows to take it if it must.
 */
static int
fill_batch(struct recbg *g, struct batch *b)
{
	struct rec *w = &g->w;
	int rc;
	size_t need;

	for (;;) {
		if (g->pending)
			rc = REC_ROW;
		else if ((rc = rec_next(w)) == REC_END) {
			b->last = 1;
			return 0;
		}
		need = row_size(w, w->ncols);
		g->pending = b->nrows > 0 &&
		    (b->nrows == BATCH_ROWS || b->data.len + need > b->data.cap);
		if (g->pending)
			return 1;
		if (b->nrows == 0)
			buf_grow(&b->data, need);
		add_row(b, w, w->ncols);
	}
}

static void
batch_start(struct batch *b)
{
	b->data.len = 0;
	b->nrows = 0;
	b->last = 0;
	b->status = 0;
}

static void
seal(struct recbg *g)
{
	pthread_mutex_lock(&g->mu);
	g->nfull++;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

static void *
reader(void *arg)
{
	struct recbg *g = arg;
	struct batch *b;
	int more = 1;

	catching = g;
	xs_die_catch = caught;
	if (setjmp(g->jb)) {
		g->b[g->wi].last = 1;	/* with caught's status and message */
		seal(g);
		return NULL;
	}
	while (more) {
		pthread_mutex_lock(&g->mu);
		while (g->nfull == NBATCH && !g->stop)
			pthread_cond_wait(&g->cv, &g->mu);
		more = !g->stop;
		pthread_mutex_unlock(&g->mu);
		if (!more)
			break;
		b = &g->b[g->wi];
		batch_start(b);
		more = fill_batch(g, b);
		seal(g);
		g->wi = (g->wi + 1) % NBATCH;
	}
	return NULL;
}

/* Cores this process may run on: with one, a second thread only takes
 * turns with the first and adds the copying. */
static int
ncpu(void)
{
#ifdef CPU_COUNT
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof set, &set) == 0)
		return CPU_COUNT(&set);
#endif
	return 2;
}

void
rec_background(struct rec *r)
{
	struct recbg *g;
	sigset_t all, old;

	if (r->empty || r->lenient || r->bg || ncpu() < 2)
		return;
	g = xcalloc(1, sizeof *g);
	g->w = *r;
	g->ncols = r->ncols;
	for (int i = 0; i < NBATCH; i++)
		batch_init(&g->b[i], r->ncols);
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	/* Signals are the caller's: SIGPIPE and SIGINT land on its thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (pthread_create(&g->tid, NULL, reader, g) != 0) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		for (int i = 0; i < NBATCH; i++)
			batch_free(&g->b[i]);
		pthread_mutex_destroy(&g->mu);
		pthread_cond_destroy(&g->cv);
		free(g);
		return;		/* read in this thread, as before */
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	r->bg = g;
}

int
recbg_next(struct rec *r)
{
	struct recbg *g = r->bg;
	struct batch *b = &g->b[g->head];
	size_t k;

	while (!g->taken || g->row == b->nrows) {
		pthread_mutex_lock(&g->mu);
		if (g->taken) {
			if (b->last) {
				pthread_mutex_unlock(&g->mu);
				if (b->status) {
					/* the thread has ended: it sealed its last batch */
					pthread_join(g->tid, NULL);
					g->joined = 1;
					die(b->status, "%s", b->msg);
				}
				return REC_END;
			}
			g->nfull--;	/* b is free for the thread again */
			g->head = (g->head + 1) % NBATCH;
			g->taken = 0;
			pthread_cond_broadcast(&g->cv);
		}
		while (g->nfull == 0)
			pthread_cond_wait(&g->cv, &g->mu);
		pthread_mutex_unlock(&g->mu);
		b = &g->b[g->head];
		g->taken = 1;
		g->row = 0;
	}
	k = (size_t)g->row * (size_t)g->ncols;
	r->f = b->f + k;
	r->len = b->len + k;
	r->line = b->line[g->row];
	r->name = b->name[g->row];
	r->fileno = b->fileno[g->row];
	g->row++;
	return REC_ROW;
}

void
recbg_close(struct rec *r)
{
	struct recbg *g = r->bg;

	pthread_mutex_lock(&g->mu);
	g->stop = 1;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
	if (!g->joined)
		pthread_join(g->tid, NULL);
	*r = g->w;
	r->bg = NULL;
	for (int i = 0; i < NBATCH; i++)
		batch_free(&g->b[i]);
	pthread_mutex_destroy(&g->mu);
	pthread_cond_destroy(&g->cv);
	free(g);
}
