/*
 * audit-findings.c: the findings out: rows through the writer's fast path,
 * a TSV detail made where it is written; JSON lines, the
 * table and verdict for people.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audit-internal.h"
#include "buf.h"
#include "num.h"
#include "writer.h"
#include "intern.h"

/* Writers at a cursor with room enough (row_room): they return the end. */
static inline char *
put(char *o, const char *s, size_t n)
{
	memcpy(o, s, n);
	return o + n;
}
#define PUTS(o, lit) put((o), (lit), sizeof(lit) - 1)

static char *
put_text(char *o, const char *s, size_t n, int tsv)
{
	return tsv ? writer_tsv_escape(o, s, n) : put(o, s, n);
}

static char *
put_u64(char *o, uint64_t v)
{
	return o + num_u64(v, o);
}

static char *
put_num(char *o, double v)
{
	return o + num_fmt(v, o);
}

static char *
put_id(struct audit *a, char *o, uint32_t id, int tsv)
{
	if (id == INTERN_NONE)
		return o;
	return put_text(o, intern_str(&a->items, id), intern_len(&a->items, id), tsv);
}

/*
 * "file:line" of link i. The details had it from a buffer of 300 bytes
 * (rec_where's of 512 for old_link), which cut a long file name short:
 * so they still do.
 */
enum { WHERE_LINK = 300, WHERE_ROW = 512 };

static char *
put_where(struct audit *a, char *o, uint32_t i, int tsv, size_t size)
{
	const struct rel_row *k = &a->links[i];
	const struct lfile *f = &a->lfiles[k->file];
	char w[WHERE_ROW];
	int n;

	if (f->len + 12 > size) {
		/* cut where the buffer of that size cut it */
		n = snprintf(w, size, "%s:%u", f->name, k->line);
		return put_text(o, w, (size_t)n < size ? (size_t)n : size - 1, tsv);
	}
	o = tsv ? put(o, f->tsv, f->tsvlen) : put(o, f->name, f->len);
	*o++ = ':';
	return put_u64(o, k->line);
}

/* Is the detail of the check made when written? (else it is text) */
static int
detail_later(int c)
{
	switch (c) {
	case C_SELF_LINK: case C_STALE_UNKNOWN: case C_STALE_DISCONTINUED:
	case C_STALE_INACTIVE: case C_STALE_OUT_OF_STOCK:
	case C_UPSELL_NOT_PRICIER: case C_ONE_WAY_BUNDLE:
	case C_DUPLICATE_LINK: case C_OVER_LINKED: case C_UNKNOWN_SUBJECT:
	case C_OLD_LINK: case C_EMPTY_SUBJECT:
		return 1;
	}
	return 0;
}

static size_t
id_len(struct audit *a, uint32_t id)
{
	return id == INTERN_NONE ? 0 : intern_len(&a->items, id);
}

/* Bytes a row of the finding can take at most: escaping doubles one. */
static size_t
row_room(struct audit *a, int c, const struct finding *f)
{
	size_t n = 256 + 2 * a->lfile_max + 2 * id_len(a, f->subj) +
	    4 * id_len(a, f->linked) + 4 * NUM_BUF;

	if (!detail_later(c))
		n += 2 * strlen(a->fs.fdetail.s + f->val);
	return n;
}

/* The detail of a finding at o (its text as the checks word it). */
static char *
put_detail(struct audit *a, char *o, int c, const struct finding *f, int tsv)
{
	const struct item *S = f->subj == INTERN_NONE ? NULL : &a->item[f->subj];

	switch (c) {
	case C_SELF_LINK:
		o = PUTS(o, "links to itself (");
		break;
	case C_STALE_UNKNOWN:
		o = PUTS(o, "linked product not in the catalog (");
		break;
	case C_STALE_DISCONTINUED:
		o = PUTS(o, "linked product is discontinued (");
		break;
	case C_STALE_INACTIVE:
		o = PUTS(o, "linked product is not active (");
		break;
	case C_STALE_OUT_OF_STOCK:
		o = PUTS(o, "linked product is out of stock (");
		break;
	case C_UPSELL_NOT_PRICIER:
		o = PUTS(o, "upsell price ");
		o = put_num(o, a->item[f->linked].price);
		o = PUTS(o, " is not above the subject's ");
		o = put_num(o, S->price);
		o = PUTS(o, " (");
		break;
	case C_ONE_WAY_BUNDLE:
		o = PUTS(o, "bundle without its reverse from ");
		o = put_id(a, o, f->linked, tsv);
		o = PUTS(o, " (");
		break;
	case C_DUPLICATE_LINK:
		o = PUTS(o, "same link as ");
		o = put_where(a, o, (uint32_t)f->val, tsv, WHERE_LINK);
		o = PUTS(o, " (");
		break;
	case C_OLD_LINK: {
		double days = floor((double)(a->opt->now - f->val) / 86400);
		char tmp[NUM_BUF + 320];

		o = PUTS(o, "updated ");
		o = put(o, tmp, time_fmt(f->val, tmp));
		o = put(o, tmp, (size_t)snprintf(tmp, sizeof tmp,
		    ", %.0f days before --now (", days));
		break;
	}
	case C_OVER_LINKED:
		o = put_u64(o, f->arg);
		o = PUTS(o, " linked products, more than --max-links ");
		return put(o, a->max_links_text, strlen(a->max_links_text));
	case C_UNKNOWN_SUBJECT:
		o = PUTS(o, "subject not in the catalog; ");
		o = put_u64(o, (uint64_t)f->val);
		o = f->val == 1 ? PUTS(o, " link from it, first at ") :
		    PUTS(o, " links from it, first at ");
		return put_where(a, o, f->link, tsv, WHERE_LINK);
	case C_EMPTY_SUBJECT:
		o = PUTS(o, "active product with no links");
		if (a->have_orders) {
			o = PUTS(o, "; order revenue ");
			o = put_num(o, round(S->revenue * 100) / 100);
		}
		return o;
	default: {
		const char *s = a->fs.fdetail.s + f->val;

		return put_text(o, s, strlen(s), tsv);
	}
	}
	o = put_where(a, o, f->link, tsv, c == C_OLD_LINK ? WHERE_ROW : WHERE_LINK);
	*o++ = ')';
	return o;
}

/*
 * A row of the finding through the writer's fast path: in TSV the
 * detail is made where it is written, escaped as it goes; else as text
 * first. nlen and slen: the lengths of the check's name and severity.
 */
static void
finding_row(struct audit *a, int c, const struct finding *f, size_t nlen,
    size_t slen, struct buf *d)
{
	struct writer *w = &a->wr;
	char *o;

	writer_begin(w);
	if (writer_plain(w)) {
		/* the names have nothing to escape */
		o = writer_field(w, nlen);
		writer_field_end(w, put(o, checks[c].name, nlen));
		o = writer_field(w, slen);
		writer_field_end(w, put(o, sev_words[checks[c].sev], slen));
	} else {
		writer_str(w, checks[c].name, nlen);
		writer_str(w, sev_words[checks[c].sev], slen);
	}
	writer_str(w, id_str(a, f->subj), id_len(a, f->subj));
	writer_str(w, id_str(a, f->linked), id_len(a, f->linked));
	if (writer_plain(w)) {
		o = writer_field(w, row_room(a, c, f));
		writer_field_end(w, put_detail(a, o, c, f, 1));
	} else {
		buf_reset(d);
		buf_grow(d, row_room(a, c, f));
		d->len = (size_t)(put_detail(a, d->s, c, f, 0) - d->s);
		writer_str(w, d->s, d->len);
	}
	writer_end(w);
}

/*
 * The ids of findings about links are at random places: their offsets
 * and lengths are asked for some findings ahead (stage 0), their bytes
 * and items fewer ahead (stage 1, when the offsets are in the cache).
 * (Inlined always: gcc takes a function of prefetches alone for one
 * without effects, and drops its calls.)
 */
static inline __attribute__((always_inline)) void
id_prefetch(struct audit *a, uint32_t id, int stage)
{
	if (id == INTERN_NONE)
		return;
	intern_prefetch_id(&a->items, id, stage);
	if (stage == 1)
		__builtin_prefetch(&a->item[id]);
}

static inline __attribute__((always_inline)) void
finding_prefetch(struct audit *a, const struct finding *f, int stage)
{
	id_prefetch(a, f->subj, stage);
	id_prefetch(a, f->linked, stage);
	if (stage == 0 && f->link != NOLINK)
		__builtin_prefetch(&a->links[f->link]);
}

/* Finding i of check c; a link's alone made up in one. */
static const struct finding *
finding_at(struct audit *a, int c, size_t i, struct finding *one)
{
	const struct rel_row *k;

	if (!link_only(c))
		return &a->fs.fnd[c].f[i];
	k = &a->links[a->fs.fnd[c].li[i]];
	one->key = link_seq(k);
	one->subj = k->subj;
	one->linked = k->linked;
	one->link = a->fs.fnd[c].li[i];
	one->arg = 0;
	one->val = 0;
	return one;
}

/* Findings for people: errors first, each check's first and last 10 with
 * the rest in the TSV; with fold_info, info checks as one count each. */
static void
findings_table(struct audit *a, struct rtable *t, int fold_info)
{
	static const char *const cols[] = {
		"check", "severity", "subject", "linked", "detail"
	};
	struct buf d, ls, ll, note;

	rtable_init(t, "Findings, errors first", 5, cols);
	t->sev = 1;
	t->wrap = 4;
	rtable_cut(t, 2);
	rtable_cut(t, 3);
	buf_init(&d);
	buf_init(&ls);
	buf_init(&ll);
	buf_init(&note);
	for (int i = 0; i < 3 * NCHECK; i++) {
		int c = i % NCHECK;
		size_t n = a->fs.fnd[c].n;

		if (!n || checks[c].sev != SEV_ERROR - i / NCHECK)
			continue;
		if (fold_info && checks[c].sev == SEV_INFO) {
			const char *v[5] = { checks[c].name, "info", "", "", NULL };

			buf_reset(&note);
			buf_printf(&note, "%zu findings, folded to their count on "
			    "this terminal (the TSV output has them all)", n);
			v[4] = buf_str(&note);
			rtable_row(t, v);
			continue;
		}
		for (size_t k = 0; k < n; k++) {
			struct finding one;
			const struct finding *f;
			const char *v[5];

			if (!rfold_shown(k, n, FOLD, FOLD)) {
				if (k == FOLD) {
					buf_reset(&note);
					buf_printf(&note, "... %zu more %s findings (the "
					    "TSV output has them all)", n - 2 * FOLD,
					    checks[c].name);
					rtable_note(t, buf_str(&note));
				}
				continue;
			}
			f = finding_at(a, c, k, &one);
			buf_reset(&d);
			buf_grow(&d, row_room(a, c, f));
			d.len = (size_t)(put_detail(a, d.s, c, f, 0) - d.s);
			v[0] = checks[c].name;
			v[1] = sev_words[checks[c].sev];
			v[2] = rlabel(&a->labels, id_str(a, f->subj), &ls);
			v[3] = rlabel(&a->labels, id_str(a, f->linked), &ll);
			v[4] = buf_str(&d);
			rtable_row(t, v);
		}
	}
	buf_free(&d);
	buf_free(&ls);
	buf_free(&ll);
	buf_free(&note);
}

static void
findings_people(struct audit *a)
{
	struct rtable t;

	if (a->html) {
		findings_table(a, &t, 0);
		rtable_html(&t, a->html);
		rtable_free(&t);
	}
	if (a->as_report) {
		/* a terminal too short for every row: info rows as counts */
		findings_table(a, &t, 0);
		if (report_lines > 0 && t.nrows + 4 > (size_t)report_lines) {
			rtable_free(&t);
			findings_table(a, &t, 1);
		}
		rtable_text(&t, a->out);
		rtable_free(&t);
	}
}

void
show_verdict(struct audit *a)
{
	size_t n[3] = { 0, 0, 0 }, block = 0;
	struct buf b;
	int level;

	for (int c = 0; c < NCHECK; c++)
		if (a->fs.ncheck[c]) {
			n[checks[c].sev] += a->fs.ncheck[c];
			if (a->opt->fail_on != SEV_NONE && checks[c].sev >= a->opt->fail_on)
				block += a->fs.ncheck[c];
		}
	buf_init(&b);
	if (block)
		buf_puts(&b, "upload blocked: ");
	else if (n[SEV_ERROR])
		buf_puts(&b, "not ready to upload: ");
	else
		buf_puts(&b, "ready to upload: ");
	if (n[SEV_ERROR])
		buf_printf(&b, "%zu error%s", n[SEV_ERROR],
		    n[SEV_ERROR] == 1 ? "" : "s");
	if (n[SEV_WARNING])
		buf_printf(&b, "%s%zu warning%s%s", n[SEV_ERROR] ? ", " : "",
		    n[SEV_WARNING], n[SEV_WARNING] == 1 ? "" : "s",
		    n[SEV_ERROR] ? "" : " to review");
	if (!n[SEV_ERROR] && !n[SEV_WARNING])
		buf_puts(&b, "no errors or warnings");
	if (n[SEV_INFO])
		buf_printf(&b, " (and %zu info)", n[SEV_INFO]);
	level = n[SEV_ERROR] || block ? 2 : n[SEV_WARNING] ? 1 : 0;
	report_verdict(a->as_report ? a->out : NULL, a->html, level, buf_str(&b));
	buf_free(&b);
}

void
write_findings(struct audit *a)
{
	static const char *const cols[] = {
		"check", "severity", "subject_id", "linked_id", "detail"
	};
	struct buf d;

	snprintf(a->max_links_text, sizeof a->max_links_text, "%.0f", a->opt->max_links);
	table_open(a, 5, cols);
	buf_init(&d);
	for (int c = 0; c < NCHECK; c++) {
		struct flist *l = &a->fs.fnd[c];
		size_t nlen = strlen(checks[c].name);
		size_t slen = strlen(sev_words[checks[c].sev]);

		if (!link_only(c))
			flist_sort(l, c);
		for (size_t i = 0; !a->as_report && i < l->n; i++) {
			struct finding one, ahead;

			/* a link's findings: the link, then its ids, then their bytes */
			if (i + 24 < l->n && link_only(c))
				__builtin_prefetch(&a->links[l->li[i + 24]]);
			if (i + 16 < l->n)
				finding_prefetch(a, finding_at(a, c, i + 16, &ahead), 0);
			if (i + 8 < l->n)
				finding_prefetch(a, finding_at(a, c, i + 8, &ahead), 1);
			finding_row(a, c, finding_at(a, c, i, &one), nlen, slen, &d);
		}
	}
	buf_free(&d);
	table_close(a);
	if (a->as_report || a->html)
		findings_people(a);
}
