/*
 * import-preview.c: --preview, a summary for a person instead of
 * records: how the columns were read, distinct values, links per
 * subject, a sample, the problems.
 */
#include <stdlib.h>
#include <string.h>

#include "import-internal.h"
#include "report.h"
#include "term.h"
#include "buf.h"
#include "intern.h"

/* Columns whose distinct values --preview counts. */
static const char *const preview_ids[][3] = {
	{ "product_id" }, { "subject_id", "linked_id" },
	{ "order_id", "product_id", "customer_id" }, { "customer_id" },
	{ "offer_id" }, { "context_id", "candidate_id" }
};

/* An input column's name for --preview, escaped. */
static void
put_col(struct buf *b, const char *c)
{
	term_escape(b, c, strlen(c));
}

/* Where the list column's values come from, when not a plain column. */
static void
describe_slots(struct import *im, const struct src *s, int k)
{
	struct buf *b = &im->pv.cols;

	for (int l = 0; l < im->nslot; l++) {
		const struct slot *sl = &im->slot[l];

		buf_printf(b, "  %-16s <- ", l ? "" : im->spec[k].name);
		put_col(b, s->h.cols[sl->col]);
		buf_puts(b, " (a list");
		if (strcmp(sl->sep, ",") != 0) {
			buf_puts(b, " split on '");
			term_escape(b, sl->sep, sl->seplen);
			buf_putc(b, '\'');
		}
		if (sl->type)
			buf_printf(b, "; type %s", sl->type);
		if (sl->pos)
			buf_printf(b, "; position %ld", sl->pos);
		else if (sl->poscol >= 0 && k == im->ix_linked &&
		    sl->poscol != im->spec_src[im->ix_pos]) {
			buf_puts(b, "; positions from ");
			put_col(b, s->h.cols[sl->poscol]);
		}
		buf_puts(b, ")\n");
	}
}

void
imp_describe_map(struct import *im, const struct src *s)
{
	struct buf *b = &im->pv.cols;

	for (int k = 0; k < im->nspec; k++) {
		const struct spec *sp = &im->spec[k];

		if (k == im->lt && (im->nslot != 1 || im->spec_src[k] < 0 ||
		    im->slot[0].type || strcmp(im->slot[0].sep, ",") != 0)) {
			describe_slots(im, s, k);
		} else if (im->spec_src[k] >= 0) {
			buf_printf(b, "  %-16s <- ", sp->name);
			put_col(b, s->h.cols[im->spec_src[k]]);
			if (im->setv[k]) {
				buf_puts(b, " (where empty: ");
				term_escape(b, im->setv[k], strlen(im->setv[k]));
				buf_puts(b, ", --set)");
			}
			buf_putc(b, '\n');
		} else if (im->setv[k]) {
			buf_printf(b, "  %-16s = ", sp->name);
			term_escape(b, im->setv[k], strlen(im->setv[k]));
			buf_puts(b, " (--set)\n");
		} else if (!(sp->flags & (OP | IFANY))) {
			buf_printf(b, "  %-16s (no column)\n", sp->name);
		}
	}
	for (int e = 0; e < im->nextra; e++) {
		size_t at = b->len;

		buf_puts(b, "  ");
		term_escape(b, im->extra[e], strlen(im->extra[e]));
		while (b->len < at + 18)
			buf_putc(b, ' ');
		if (im->extra_src[e] < 0) {
			buf_puts(b, " = ");
			term_escape(b, im->extra_setv[e], strlen(im->extra_setv[e]));
			buf_puts(b, " (--set)\n");
			continue;
		}
		buf_puts(b, " <- ");
		put_col(b, s->h.cols[im->extra_src[e]]);
		if (im->extra_setv[e]) {
			buf_puts(b, " (kept as it is; where empty: ");
			term_escape(b, im->extra_setv[e], strlen(im->extra_setv[e]));
			buf_puts(b, ", --set)\n");
		} else {
			buf_puts(b, " (kept as it is)\n");
		}
	}
}

void
imp_preview_init(struct import *im)
{
	struct preview *pv = &im->pv;

	for (int i = 0; i < 3 && preview_ids[im->kind][i]; i++) {
		intern_init(&pv->ids[i]);
		pv->ix[i] = imp_spec_ix(im, preview_ids[im->kind][i]);
		pv->nids++;
	}
	pv->sample = xcalloc(5, sizeof *pv->sample);
}

/* The column with the products' titles, for --preview: one whose name
 * says so, when no format says which. */
int
imp_title_col(const struct import *im, const struct src *s)
{
	static const char titles[] = "title name productname producttitle "
	    "itemname lineitemname";

	for (const char *p = titles; im->o->preview && *p;) {
		const char *e = strchr(p, ' ');
		size_t wl = e ? (size_t)(e - p) : strlen(p);
		int j = header_col(&s->h, p, wl);

		if (j >= 0)
			return j;
		p += wl + (e != NULL);
	}
	return -1;
}

/* The titles column is not written: the sample shows it all the same. */
static int
title_hidden(const struct import *im)
{
	if (im->title_col < 0)
		return 0;
	for (int k = 0; k < im->nspec; k++)
		if (im->spec_src[k] == im->title_col && im->ospec[k] >= 0)
			return 0;
	for (int e = 0; e < im->nextra; e++)
		if (im->extra_src[e] == im->title_col)
			return 0;
	return 1;
}

void
imp_preview_row(struct import *im, const struct row *rw)
{
	struct preview *pv = &im->pv;
	const char *t;
	size_t tn;

	src_field(rw, im->title_col, &t, &tn);
	if (!pv->nsample && !pv->nlinks)
		pv->title = title_hidden(im);
	for (int i = 0; i < pv->nids; i++) {
		int k = pv->ix[i];
		uint32_t id;

		if (!im->vlen[k])
			continue;
		id = intern_put(&pv->ids[i], im->val[k], im->vlen[k]);
		if (im->kind != K_RELATIONS || i != 0)
			continue;
		if (id >= pv->nlinks) {
			pv->links = xreallocarray(pv->links, (size_t)id + 1,
			    sizeof *pv->links);
			pv->titles = xreallocarray(pv->titles, (size_t)id + 1,
			    sizeof *pv->titles);
			pv->links[id] = 0;
			pv->titles[id] = NULL;
			pv->nlinks = (size_t)id + 1;
		}
		pv->links[id]++;
		if (!pv->titles[id] && tn)
			pv->titles[id] = xmemdup(t, tn);
	}
	if (pv->nsample < 5) {
		char **r = xcalloc((size_t)im->nout + 2, sizeof *r);

		for (int i = 0; i < im->nout; i++)
			r[i] = xmemdup(im->v[i] ? im->v[i] : "", im->olen[i]);
		r[im->nout] = xmemdup(t, tn);
		pv->sample[pv->nsample++] = r;
	}
}

/* A value on one line, escaped, cut to w columns (characters). */
static void
put_cell(struct buf *b, const char *s, int w)
{
	struct buf e;
	int n = (int)term_width(s), cut = n > w, c = 0;

	buf_init(&e);
	term_escape(&e, s, strlen(s));
	if (cut)
		n = w - 3;
	for (size_t i = 0; i < e.len; i++) {
		if (((unsigned char)e.s[i] & 0xC0) != 0x80 && c++ == n)
			break;
		buf_putc(b, e.s[i]);
	}
	buf_free(&e);
	if (cut)
		buf_puts(b, "...");
	for (int i = cut ? w : n; i < w + 2; i++)
		buf_putc(b, ' ');
}

static void
print_sample(const struct import *im, FILE *fp)
{
	const struct preview *pv = &im->pv;
	int *w = xcalloc((size_t)im->nout + 2, sizeof *w);
	int nc = im->nout + pv->title;	/* the titles last, when not written */
	struct buf b;

	buf_init(&b);
	for (int i = 0; i < nc; i++) {
		w[i] = (int)term_width(i < im->nout ? im->ocol[i] : "title");
		for (int r = 0; r < pv->nsample; r++) {
			int n = (int)term_width(pv->sample[r][i]);
			if (n > w[i])
				w[i] = n > 24 ? 24 : n;
		}
	}
	fprintf(fp, "sample (first %d rows):\n", pv->nsample);
	for (int r = -1; r < pv->nsample; r++) {
		buf_reset(&b);
		buf_puts(&b, "  ");
		for (int i = 0; i < nc; i++)
			put_cell(&b, r >= 0 ? pv->sample[r][i] : i < im->nout ?
			    im->ocol[i] : "title", w[i]);
		while (b.len && b.s[b.len - 1] == ' ')
			b.len--;
		fprintf(fp, "%s\n", buf_str(&b));
	}
	buf_free(&b);
	free(w);
}

/* "most links:" lists this many subjects. */
#define NTOP 5

/* A subject ranked by its links. */
struct top {
	uint32_t links, id;
	const char *name;
};

/* More links first, then by name. */
static int
by_links(const struct top *x, const struct top *y)
{
	if (x->links != y->links)
		return x->links < y->links ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* The NTOP subjects first by_links, in order, into top; how many. Only
 * these are shown, so the rest need no sorting. */
static size_t
top_subjects(const struct preview *pv, struct top *top)
{
	size_t n = 0;

	for (size_t i = 0; i < pv->nlinks; i++) {
		struct top t = { pv->links[i], (uint32_t)i,
			intern_str(&pv->ids[0], (uint32_t)i) };
		size_t j = n;

		if (n == NTOP) {
			if (by_links(&t, &top[NTOP - 1]) >= 0)
				continue;
			j = NTOP - 1;
		} else {
			n++;
		}
		for (; j > 0 && by_links(&t, &top[j - 1]) < 0; j--)
			top[j] = top[j - 1];
		top[j] = t;
	}
	return n;
}

static void
print_links(const struct import *im, FILE *fp)
{
	static const uint32_t lo[] = { 1, 2, 3, 4, 6, 11, 21 };
	static const char *const label[] = { "1", "2", "3", "4-5", "6-10",
		"11-20", "21+" };
	const struct preview *pv = &im->pv;
	long bucket[7] = { 0 }, most = 0;
	struct top ix[NTOP];
	size_t n = pv->nlinks, ntop;

	for (size_t i = 0; i < n; i++) {
		int b = 6;
		while (b > 0 && pv->links[i] < lo[b])
			b--;
		bucket[b]++;
	}
	for (int b = 0; b < 7; b++)
		most = bucket[b] > most ? bucket[b] : most;
	fprintf(fp, "links per subject:\n");
	for (int b = 0; b < 7; b++) {
		int bar = most ? (int)((bucket[b] * 40 + most - 1) / most) : 0;
		fprintf(fp, "  %-6s %6ld%s", label[b], bucket[b], bar ? "  " : "");
		for (int i = 0; i < bar; i++)
			fputc('#', fp);
		fputc('\n', fp);
	}
	ntop = top_subjects(pv, ix);
	fprintf(fp, "most links:\n");
	for (size_t i = 0; i < ntop; i++) {
		struct buf b;

		buf_init(&b);
		term_escape(&b, ix[i].name, intern_len(&pv->ids[0], ix[i].id));
		fprintf(fp, "  %-16s %u", buf_str(&b), ix[i].links);
		if (pv->titles[ix[i].id]) {	/* the subject's title */
			buf_reset(&b);
			buf_puts(&b, "  ");
			put_cell(&b, pv->titles[ix[i].id], 40);
			while (b.len && b.s[b.len - 1] == ' ')
				b.len--;
			fputs(buf_str(&b), fp);
		}
		fputc('\n', fp);
		buf_free(&b);
	}
}

void
imp_preview_print(struct import *im, FILE *fp)
{
	struct preview *pv = &im->pv;

	fprintf(fp, "kind: %s\n", kind_names[im->kind]);
	fprintf(fp, "rows: %ld in, %ld out, %ld rejected", im->nrec,
	    im->nout_rows, im->rejected);
	if (im->blanked)
		fprintf(fp, ", %ld value%s blanked", im->blanked,
		    im->blanked == 1 ? "" : "s");
	fputc('\n', fp);
	if (im->nrec != im->in)
		fprintf(fp, "lists split: %ld rows read became %ld\n", im->in,
		    im->nrec);
	fprintf(fp, "columns:\n%s", pv->cols.s ? buf_str(&pv->cols) : "");
	fprintf(fp, "distinct values:\n");
	for (int i = 0; i < pv->nids; i++)
		fprintf(fp, "  %-16s %u\n", im->spec[pv->ix[i]].name,
		    pv->ids[i].n);
	if (im->kind == K_RELATIONS)
		print_links(im, fp);
	print_sample(im, fp);
	for (int what = R_PROBLEM; what <= R_BLANK; what += 2) {
		int any = 0;

		for (int i = 0; i < im->nrs; i++)
			any |= (im->rs[i].what == R_BLANK) == (what == R_BLANK);
		fprintf(fp, "%s:%s\n", what == R_BLANK ? "blanked" : "rejected",
		    any ? "" : " none");
		for (int i = 0; i < im->nrs; i++) {
			if ((im->rs[i].what == R_BLANK) != (what == R_BLANK))
				continue;
			fprintf(fp, "  %6ld  ", im->rs[i].n);
			term_puts(im->rs[i].key, fp);
			putc('\n', fp);
		}
	}
	fprintf(fp, "problems:%s\n", im->problems || im->blanked ? "" :
	    " none");
	if (pv->problems.len)
		fputs(buf_str(&pv->problems), fp);
}

void
imp_preview_free(struct import *im)
{
	struct preview *pv = &im->pv;

	for (int i = 0; i < pv->nids; i++)
		intern_free(&pv->ids[i]);
	free(pv->links);
	for (int r = 0; r < pv->nsample; r++) {
		for (int i = 0; i < im->nout + 1; i++)
			free(pv->sample[r][i]);
		free(pv->sample[r]);
	}
	free(pv->sample);
	buf_free(&pv->cols);
	buf_free(&pv->problems);
	for (size_t i = 0; i < pv->nlinks; i++)
		free(pv->titles[i]);
	free(pv->titles);
}
