/*
 * import-reject.c: rows refused and values blanked: the reasons counted
 * with the first row of each, the rejects file (each value under its
 * column), -v, and the counts said at the end.
 */
#include <stdlib.h>
#include <string.h>

#include "import-internal.h"
#include "report.h"
#include "term.h"
#include "buf.h"
#include "rec.h"
#include "writer.h"
#include "out.h"

static void
count_reason(struct import *im, const char *key, const char *where, int what)
{
	int i;

	for (i = 0; i < im->nrs; i++)
		if (im->rs[i].what == what && strcmp(im->rs[i].key, key) == 0)
			break;
	if (i == im->nrs) {
		im->rs = xreallocarray(im->rs, (size_t)im->nrs + 1, sizeof *im->rs);
		im->rs[i].key = xstrdup(key);
		im->rs[i].first = xstrdup(where);
		im->rs[i].n = 0;
		im->rs[i].what = what;
		im->nrs++;
	}
	im->rs[i].n++;
}

/* The rejects file's own columns, before the row's. */
enum { RJ_FILE, RJ_LINE, RJ_COLUMN, RJ_VALUE, RJ_REASON, RJ_N };

/* The rejects file: file, line, the column and value the reason is about
 * (when it is about one), reason, then cols (the output's, or with
 * --merge the snapshot's and op), so that a row of any input, whatever
 * the order of its columns, has each value under the column it is. */
void
imp_open_rejects(struct import *im, int ncols, char *const *cols)
{
	char **h = xcalloc((size_t)ncols + RJ_N + 1, sizeof *h);

	h[RJ_FILE] = "file";
	h[RJ_LINE] = "line";
	h[RJ_COLUMN] = "column";
	h[RJ_VALUE] = "value";
	h[RJ_REASON] = "reason";
	for (int i = 0; i < ncols; i++)
		h[RJ_N + i] = cols[i];
	im->rej = out_open(im->o->rej_path);
	writer_open(&im->rw, im->rej, 0, ncols + RJ_N, h);
	im->rv = xcalloc((size_t)ncols + RJ_N + 1, sizeof *im->rv);
	im->rl = xcalloc((size_t)ncols + RJ_N + 1, sizeof *im->rl);
	free(h);
}

/* Where each column of this input goes in the rejects file. */
void
imp_map_rejects(struct import *im, const struct src *s)
{
	int base = im->nout - im->nextra;

	if (!im->rej)
		return;
	im->rej_at = xreallocarray(im->rej_at, (size_t)s->h.ncols + 1,
	    sizeof *im->rej_at);
	for (int j = 0; j < s->h.ncols; j++)
		im->rej_at[j] = -1;
	for (int k = 0; k < im->nspec; k++) {
		int j = im->spec_src[k], o = im->ospec[k];

		if (j < 0)
			continue;
		if (k == im->ix_op)	/* bound with --merge only */
			im->rej_at[j] = im->rej_op;
		else if (o >= 0)
			im->rej_at[j] = im->o->merge_path ? im->mg.from[o] : o;
	}
	for (int e = 0; e < im->nextra; e++) {
		int j = im->extra_src[e];

		if (j >= 0)
			im->rej_at[j] = im->o->merge_path ? im->mg.from[base + e] :
			    base + e;
	}
}

static void
put_reject(struct import *im, int col, const char *v, size_t n)
{
	im->rv[RJ_N + col] = (char *)v;
	im->rl[RJ_N + col] = n;
}

/* The rejects column of spec k, or -1. */
static int
rej_col(const struct import *im, int k)
{
	int o = k >= 0 ? im->ospec[k] : -1;

	return o < 0 ? -1 : im->o->merge_path ? im->mg.from[o] : o;
}

/* The file's own columns of a rejects record; col is the input column
 * the reason is about, or -1. */
static void
reject_head(struct import *im, const char *file, long line, const char **cols,
    int col, const char *v, size_t vn, const char *why, char *lb)
{
	snprintf(lb, 32, "%ld", line);
	im->rv[RJ_FILE] = (char *)file;
	im->rv[RJ_LINE] = lb;
	im->rv[RJ_COLUMN] = col >= 0 ? (char *)cols[col] : "";
	im->rv[RJ_VALUE] = col >= 0 ? (char *)v : "";
	im->rv[RJ_REASON] = (char *)why;
	for (int i = 0; i < RJ_N; i++)
		im->rl[i] = strlen(im->rv[i]);
	if (col >= 0)
		im->rl[RJ_VALUE] = vn;
	for (int i = 0; i < im->rw.ncols - RJ_N; i++)
		put_reject(im, i, "", 0);
}

/* The rejected row as read, each value under its column: fields beyond
 * the header are joined to the last column's value by the delimiter, a
 * line that could not be split goes whole into the first column. A list
 * item rejected on its own has the item, its type and its position
 * under the columns they would have been written to. */
static void
write_reject(struct import *im, const struct src *s, const struct row *rw,
    const char *why)
{
	int n = im->rw.ncols - RJ_N, last = s->h.ncols - 1, c;
	char lb[32];
	struct buf tail;

	buf_init(&tail);
	reject_head(im, s->name, rw->line, (const char **)s->h.cols, im->whycol,
	    im->whyv, im->whyn, why, lb);
	if (rw->bad && rw->raw) {
		if (n > 0)
			put_reject(im, 0, rw->raw, rw->rawlen);
	} else {
		for (int j = 0; j < rw->nf && j < s->h.ncols; j++)
			if (im->rej_at[j] >= 0)
				put_reject(im, im->rej_at[j], rw->f[j], rw->len[j]);
		if (rw->nf > s->h.ncols && last >= 0 && im->rej_at[last] >= 0) {
			for (int i = last; i < rw->nf; i++) {
				if (i > last)
					buf_putc(&tail, s->fmt == F_CSV ?
					    s->c.delim : '\t');
				buf_put(&tail, rw->f[i], rw->len[i]);
			}
			put_reject(im, im->rej_at[last], buf_str(&tail),
			    tail.len);
		}
	}
	if (im->initem) {
		if ((c = rej_col(im, im->lt)) >= 0)
			put_reject(im, c, im->item, im->itemlen);
		if (im->lt == im->ix_linked && (c = rej_col(im, im->ix_pos)) >= 0)
			put_reject(im, c, im->itempos, im->itemposlen);
		if (im->itemtype && (c = rej_col(im, im->ix_type)) >= 0)
			put_reject(im, c, im->itemtype, strlen(im->itemtype));
	}
	writer_row(&im->rw, im->rv, im->rl);
	buf_free(&tail);
}

/* --preview is read on a terminal: merchant data in it is escaped. */
static void
preview_problem(struct import *im, const char *where, const char *why)
{
	struct buf *b = &im->pv.problems;

	buf_puts(b, "  ");
	term_escape(b, where, strlen(where));
	buf_puts(b, ": ");
	term_escape(b, why, strlen(why));
	buf_putc(b, '\n');
}

/* Counts and reports the row (or list item) just refused; why and whykey
 * are set. */
void
imp_reject(struct import *im, const struct src *s, const struct row *rw, int policy)
{
	char where[512];

	snprintf(where, sizeof where, "%s:%ld", s->name, rw->line);
	im->rejected++;
	if (!policy)
		im->problems++;
	count_reason(im, im->whykey, where, policy ? R_POLICY : R_PROBLEM);
	if (xs_verbose)
		warning("%s: %s", where, im->why);
	if (im->o->preview && !policy)
		preview_problem(im, where, im->why);
	if (im->rej)
		write_reject(im, s, rw, im->why);
}

/* The values blanked in the row (or list item) just written, from the
 * from'th on (imp_report_blanks). */
void
imp_blanks(struct import *im, const struct src *s, const struct row *rw,
    int from)
{
	char where[512], lb[32];

	snprintf(where, sizeof where, "%s:%ld", s->name, rw->line);
	for (int i = from; i < im->nbl; i++) {
		const struct blank *b = &im->bl[i];

		im->blanked++;
		count_reason(im, b->key, where, R_BLANK);
		if (xs_verbose)
			warning("%s: %s (blanked, row kept)", where, b->why);
		if (im->o->preview) {
			char w[600];

			snprintf(w, sizeof w, "%s (blanked, row kept)", b->why);
			preview_problem(im, where, w);
		}
		if (im->rej) {
			char w[600];

			snprintf(w, sizeof w, "%s (blanked, row kept)", b->why);
			reject_head(im, s->name, rw->line, (const char **)s->h.cols,
			    b->col, b->v, b->n, w, lb);
			if (b->col < 0) {	/* a --set value */
				im->rv[RJ_VALUE] = (char *)b->v;
				im->rl[RJ_VALUE] = b->n;
			}
			writer_row(&im->rw, im->rv, im->rl);
		}
	}
}

/* A duplicate link in the base: the first one is kept, this one is
 * reported like a rejected row (under the base's columns in --rejects). */
void
imp_base_duplicate(void *arg, const struct rec *r, const int *bmap,
    const struct seen_link *first)
{
	struct import *im = arg;
	char why[512], lb[32];

	snprintf(why, sizeof why, "duplicate link in the base (first at "
	    "%s:%lu)", r->name, (unsigned long)first->at);
	im->problems++;
	count_reason(im, "duplicate link in the base", rec_where(r), R_PROBLEM);
	if (xs_verbose)
		warning("%s: %s", rec_where(r), why);
	if (!im->rej)
		return;
	reject_head(im, r->name, r->line, NULL, -1, NULL, 0, why, lb);
	for (int i = 0; i < r->ncols; i++)
		put_reject(im, bmap[i], r->f[i], r->len[i]);
	writer_row(&im->rw, im->rv, im->rl);
}

/* Rows in are the rows after splitting lists (out + rejected); the rows
 * as read are said before, when lists made them more. */
void
imp_report(const struct import *im)
{
	if (im->nrec != im->in)
		note("%slists split: %ld rows read became %ld", im->o->merge_path ?
		    "feed: " : "", im->in, im->nrec);
	if (im->blanked)
		note("%s%ld rows in, %ld %s, %ld rejected, %ld value%s blanked",
		    im->o->merge_path ? "feed: " : "", im->nrec, im->nout_rows,
		    im->o->merge_path ? "applied" : "out", im->rejected, im->blanked,
		    im->blanked == 1 ? "" : "s");
	else
		note("%s%ld rows in, %ld %s, %ld rejected", im->o->merge_path ?
		    "feed: " : "", im->nrec, im->nout_rows, im->o->merge_path ?
		    "applied" : "out", im->rejected);
	for (int i = 0; i < im->nrs; i++) {
		const struct reason *r = &im->rs[i];

		if (r->what == R_POLICY)
			note("%ld rejected: %s (first at %s)", r->n, r->key,
			    r->first);
		else if (r->what == R_BLANK)
			warning("%ld value%s blanked, row%s kept: %s (first at %s)",
			    r->n, r->n == 1 ? "" : "s", r->n == 1 ? "" : "s", r->key,
			    r->first);
		else
			warning("%ld rejected: %s (first at %s)", r->n, r->key,
			    r->first);
	}
}

