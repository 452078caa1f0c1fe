/*
 * xsell-rank: the top N scored candidates of each context.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ctxgroup.h"
#include "xsell.h"

static const char usage_text[] =
    "usage: xsell-rank [--top N] [--by COLUMN] [--buffer] [-jqv] "
    "[-o FILE] [FILE ...]\n";

#define MAXTOP 100000

static struct opts {
	int64_t top;
	const char *by, *out;
	int buffer, json;
} o;

struct cols {
	int by, cid, score;
};

/* One candidate row of the current context. */
struct item {
	double score;
	const char *cid;
	size_t cidlen;
	size_t row;
};

/* A chosen offer. */
struct pick {
	size_t row;
	const char *cid;
	size_t cidlen;
};

static struct {
	uint64_t contexts, rows, written;
} counts;

static int
cmp_str(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	return c ? c : (an > bn) - (an < bn);
}

/* ---- ranking one context ---- */

/* Score descending, candidate id, input order. */
static int
by_rank(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if ((c = cmp_str(x->cid, x->cidlen, y->cid, y->cidlen)))
		return c;
	return (x->row > y->row) - (x->row < y->row);
}

static int
same(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && memcmp(a, b, an) == 0;
}

static int
shown(const struct pick *p, size_t n, const char *cid, size_t cidlen)
{
	for (size_t i = 0; i < n; i++)
		if (same(p[i].cid, p[i].cidlen, cid, cidlen))
			return 1;
	return 0;
}

/* Scratch space reused from context to context. */
struct work {
	struct item *it;
	size_t itcap;
	struct pick *pk;	/* chosen */
};

static void
read_items(struct work *w, const struct group *g, const struct cols *k)
{
	if (g->n > w->itcap) {
		w->itcap = g->n;
		w->it = xreallocarray(w->it, w->itcap, sizeof *w->it);
	}
	for (size_t i = 0; i < g->n; i++) {
		char *const *f = group_f(g, i);
		const size_t *len = group_len(g, i);
		struct item *t = &w->it[i];

		t->row = i;
		t->score = group_num(g, i, k->score, -INFINITY);
		t->cid = f[k->cid];
		t->cidlen = len[k->cid];
	}
	qsort(w->it, g->n, sizeof *w->it, by_rank);
}

/* Chooses up to slots offers from the sorted items. */
static size_t
choose(struct work *w, const struct item *it, size_t n, size_t slots)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k < slots; i++) {
		if (shown(w->pk, k, it[i].cid, it[i].cidlen))
			continue;
		w->pk[k] = (struct pick){ it[i].row, it[i].cid, it[i].cidlen };
		k++;
	}
	return k;
}

/* ---- output ---- */

enum { OWN_RANK };

struct out {
	struct layout l;
	struct wr w;
	FILE *fp;
	int nown;
	char **v;
	size_t *len;
};

static void
out_init(struct out *u, const struct rec *r)
{
	static const char *const own[] = { "rank" };

	u->nown = 1;
	layout_init(&u->l, r->ncols, r->cols, u->nown, own);
	u->fp = out_open(o.out);
	wr_open(&u->w, u->fp, o.json, u->l.nout, u->l.out);
	u->v = xcalloc((size_t)u->l.nout + 1, sizeof *u->v);
	u->len = xcalloc((size_t)u->l.nout + 1, sizeof *u->len);
}

static void
out_free(struct out *u)
{
	wr_close(&u->w);
	out_close(u->fp);
	layout_free(&u->l);
	free(u->v);
	free(u->len);
}

/* The chosen offers on the output. */
static void
write_list(struct out *u, const struct group *g, struct work *w, size_t n)
{
	char rb[24];

	for (size_t i = 0; i < n; i++) {
		const struct pick *p = &w->pk[i];

		layout_fill(&u->l, group_f(g, p->row), group_len(g, p->row),
		    u->v, u->len);
		u->v[u->l.own_at[OWN_RANK]] = rb;
		u->len[u->l.own_at[OWN_RANK]] = (size_t)snprintf(rb, sizeof rb,
		    "%zu", i + 1);
		wr_row(&u->w, u->v, u->len);
		counts.written++;
	}
}

static void
rank_group(struct out *u, const struct group *g, const struct cols *k,
    struct work *w)
{
	counts.contexts++;
	counts.rows += g->n;
	read_items(w, g, k);
	write_list(u, g, w, choose(w, w->it, g->n, (size_t)o.top));
}

/* ---- options ---- */

static void
parse_args(int argc, char **argv)
{
	enum { O_TOP = 256, O_BY, O_BUFFER };
	static const struct option lo[] = {
		{ "top", required_argument, NULL, O_TOP },
		{ "by", required_argument, NULL, O_BY },
		{ "buffer", no_argument, NULL, O_BUFFER },
		{ "json", no_argument, NULL, 'j' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	o.top = 5;
	o.by = "context_id";
	while ((ch = getopt_long(argc, argv, "jo:qvhV", lo, NULL)) != -1) {
		switch (ch) {
		case O_TOP: o.top = opt_int("--top", optarg, 1, MAXTOP); break;
		case O_BY: o.by = optarg; break;
		case O_BUFFER: o.buffer = 1; break;
		case 'j': o.json = 1; break;
		case 'o': o.out = optarg; break;
		case 'q': xs_quiet = 1; break;
		case 'v': xs_verbose = 1; break;
		case 'h':
			fputs(usage_text, stdout);
			exit(xs_finish(XS_OK));
		case 'V': xs_version();
		default: usage_die(usage_text);
		}
	}
}

static void
find_cols(struct cols *k, const struct rec *r)
{
	k->by = rec_need(r, o.by);
	k->cid = rec_need(r, "candidate_id");
	k->score = rec_need(r, "score");
}

int
main(int argc, char **argv)
{
	struct rec r;
	struct group g;
	struct out u;
	struct cols k;
	struct work w;
	struct progress prog;

	xs_init(argv[0]);
	parse_args(argc, argv);
	memset(&r, 0, sizeof r);
	rec_open(&r, argc - optind, argv + optind);
	if (r.empty) {
		rec_close(&r);
		return xs_finish(XS_OK);
	}
	find_cols(&k, &r);
	group_init(&g, &r, k.by, o.buffer ? GROUP_BUFFER : GROUP_STREAM,
	    "--buffer");
	memset(&w, 0, sizeof w);
	w.pk = xcalloc((size_t)o.top + 1, sizeof *w.pk);
	out_init(&u, &r);
	progress_init(&prog, "rows");
	while (group_next(&g)) {
		rank_group(&u, &g, &k, &w);
		progress_tick(&prog, counts.rows);
	}
	progress_done(&prog);
	if (xs_verbose) {
		note("%llu rows in %llu contexts, %llu rows written",
		    (unsigned long long)counts.rows,
		    (unsigned long long)counts.contexts,
		    (unsigned long long)counts.written);
	}
	out_free(&u);
	group_free(&g);
	rec_close(&r);
	free(w.it);
	free(w.pk);
	return xs_finish(XS_OK);
}
