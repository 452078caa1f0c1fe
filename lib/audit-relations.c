/*
 * audit-relations.c: the relations files into the links of struct audit,
 * their ids looked up in batches, the checks of one row made as they
 * come; the links indexed by subject for the offer read-out.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audit-internal.h"
#include "buf.h"
#include "num.h"
#include "rec.h"
#include "writer.h"
#include "intern.h"

/* (the words by length, so that each compare is of a known size) */
static int
type_of(const char *s, size_t n)
{
	if (n == 0)
		return T_CROSS;
	if (n == 10 && memcmp(s, "cross_sell", 10) == 0)
		return T_CROSS;
	if (n == 6 && memcmp(s, "upsell", 6) == 0)
		return T_UPSELL;
	if (n == 10 && memcmp(s, "substitute", 10) == 0)
		return T_SUBSTITUTE;
	if (n == 6 && memcmp(s, "bundle", 6) == 0)
		return T_BUNDLE;
	return T_OTHER;
}

/* Is s what b holds? (a value repeated from the row before: short, so
 * a loop here, not a call) */
static inline int
same(const struct buf *b, const char *s, size_t n)
{
	if (b->len != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (b->s[i] != s[i])
			return 0;
	return 1;
}

static void
remember(struct buf *b, const char *s, size_t n)
{
	buf_reset(b);
	buf_put(b, s, n);
}

static void
links_files(struct audit *a, int nfiles, char **files)
{
	a->lfiles = xcalloc((size_t)nfiles, sizeof *a->lfiles);
	for (int i = 0; i < nfiles; i++) {
		struct lfile *f = &a->lfiles[i];

		f->name = strcmp(files[i], "-") == 0 ? "<stdin>" : files[i];
		f->len = strlen(f->name);
		f->tsv = xmalloc(2 * f->len + 1);
		f->tsvlen = (size_t)(writer_tsv_escape(f->tsv, f->name, f->len) - f->tsv);
		if (f->tsvlen > a->lfile_max)
			a->lfile_max = f->tsvlen;
	}
}

/* One (subject) run of ord into (linked, type, input) order: a run is
 * in input order, so a stable sort by (linked, type) does it. */
static const struct audit_link *sort_links;	/* for by_linked_type */

static int
by_linked_type(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	const struct audit_link *x = &sort_links[a], *y = &sort_links[b];

	if (x->linked != y->linked)
		return x->linked < y->linked ? -1 : 1;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return a < b ? -1 : a > b;
}

/*
 * A run of up to 32: each link's place is the number of links before it
 * in (linked, type, position in the run) order, counted without a branch
 * to mispredict (a sort by compare and swap guesses wrong at every other
 * step on ids in no order).
 */
static void
run_sort_small(struct audit *a, uint32_t *o, size_t n)
{
	uint64_t key[32];
	uint32_t was[32];
	size_t i, j, at;

	for (i = 0; i < n; i++) {
		const struct audit_link *k = &a->links[o[i]];

		key[i] = ((uint64_t)k->linked << 8 | k->type) << 5 | i;
		was[i] = o[i];
	}
	for (i = 0; i < n; i++) {
		for (at = 0, j = 0; j < n; j++)
			at += key[j] < key[i];
		o[at] = was[i];
	}
}

void
run_sort(struct audit *a, uint32_t *o, size_t n)
{
	if (n <= 32) {
		run_sort_small(a, o, n);
		return;
	}
	sort_links = a->links;
	qsort(o, n, sizeof *o, by_linked_type);
}

/* ord and sfirst: the links counted out by subject (in input order
 * within one), then each subject's few sorted. */
void
links_index(struct audit *a)
{
	uint32_t n = a->items.n;
	size_t i;

	a->nsfirst = n;
	a->sfirst = xcalloc((size_t)n + 2, sizeof *a->sfirst);
	a->ord = xreallocarray(NULL, a->nlinks + 1, sizeof *a->ord);
	for (i = 0; i < a->nlinks; i++)
		a->sfirst[a->links[i].subj + 2]++;
	for (uint32_t s = 2; s < n + 2; s++)
		a->sfirst[s] += a->sfirst[s - 1];
	for (i = 0; i < a->nlinks; i++)
		a->ord[a->sfirst[a->links[i].subj + 1]++] = (uint32_t)i;
	for (uint32_t s = 0; s < n; s++)
		if (a->sfirst[s + 1] - a->sfirst[s] > 1)
			run_sort(a, a->ord + a->sfirst[s],
			    a->sfirst[s + 1] - a->sfirst[s]);
}

/*
 * Relations rows wait in batches for their ids, so that the cache misses
 * of the look-ups overlap (as the events' do, evq_flush). A row has two
 * slots, subject and linked; until the flush, the batch's links and its
 * row findings hold slot numbers where the ids go. The flush looks the
 * slots up in row order, so ids keep the order of first sight.
 */
enum { RBATCH = 64 };
struct rq {
	struct intern_batch ids;	/* the slots */
	size_t link0;		/* the batch's first link */
	size_t f0[4];		/* the row checks' findings before the batch */
};
static const int row_checks[4] = {
	C_MISSING_ID, C_UNKNOWN_TYPE, C_BAD_DATE, C_OLD_LINK
};

/*
 * The updated column's values, parsed once each: a relations file has
 * few distinct ones (the times of its exports), and a million rows would
 * parse them a million times. Direct-mapped; a value of 16 to 24 bytes
 * (the usual forms) is its length and three words that cover it; others
 * are parsed every time.
 */
struct datememo {
	uint64_t w[3];
	size_t len;		/* 0: empty */
	const char *err;	/* what time_parse said */
	int64_t t;
};

/* The subject of the row before: subjects come in runs. */
struct lastsubj {
	struct buf s;
	int valid, slot;	/* its slot in this batch, or -1: id has it */
	uint32_t id;
};

/* What loading the relations keeps while it reads them. */
struct rload {
	struct rq rq;
	struct lastsubj lastsubj;
	struct datememo datememo[256];
};

static const char *
date_parse(struct rload *rl, const char *s, size_t n, int64_t *t)
{
	uint64_t w[3];
	struct datememo *m;

	if (n < 16 || n > 24)
		return time_parse(s, n, t);
	memcpy(&w[0], s, 8);
	memcpy(&w[1], s + n - 16, 8);
	memcpy(&w[2], s + n - 8, 8);
	m = &rl->datememo[((w[1] * 0x9e3779b97f4a7c15ULL) ^ w[2] ^ n) *
	    0xff51afd7ed558ccdULL >> 56];
	if (m->len != n || m->w[0] != w[0] || m->w[1] != w[1] || m->w[2] != w[2]) {
		memcpy(m->w, w, sizeof w);
		m->len = n;
		m->err = time_parse(s, n, &m->t);
	}
	*t = m->t;
	return m->err;
}

/* Checks that need one row only: ids, type, date. 0: no link. */
static int
link_row_checks(struct audit *a, struct rload *rl, struct rec *r, int fileno,
    uint32_t s, uint32_t l, int ct, int cu, int64_t cutoff, int *type)
{
	int64_t t;
	double key = (double)fileno * 4294967296.0 + (double)r->line;

	if (s == INTERN_NONE || l == INTERN_NONE) {
		finding(&a->fs, C_MISSING_ID, s, l, key, "%s: no %s", rec_where(r),
		    s == INTERN_NONE ? "subject_id" : "linked_id");
		return 0;
	}
	*type = ct >= 0 ? type_of(r->f[ct], r->len[ct]) : T_CROSS;
	if (*type == T_OTHER)
		finding(&a->fs, C_UNKNOWN_TYPE, s, l, key, "type \"%s\" is none of "
		    "cross_sell, upsell, substitute, bundle (%s)", r->f[ct],
		    rec_where(r));
	if (cu >= 0 && r->len[cu]) {
		if (date_parse(rl, r->f[cu], r->len[cu], &t))
			finding(&a->fs, C_BAD_DATE, s, l, key, "updated \"%s\" is not a date "
			    "(%s)", r->f[cu], rec_where(r));
		else if (!isnan(a->opt->max_age) && t < cutoff)
			link_finding(a, C_OLD_LINK, a->nlinks, s, l, key)->val = t;
	}
	return 1;
}

static void
rq_start(struct audit *a, struct rload *rl)
{
	intern_batch_clear(&rl->rq.ids);
	rl->rq.link0 = a->nlinks;
	for (int i = 0; i < 4; i++)
		rl->rq.f0[i] = a->fs.fnd[row_checks[i]].n;
}

static uint32_t
rq_lookup(struct rload *rl, const char *s, size_t n)
{
	return (uint32_t)intern_batch_add(&rl->rq.ids, s, n);
}

static uint32_t
rq_id(struct rload *rl, uint32_t slot)
{
	return slot == INTERN_NONE ? INTERN_NONE :
	    intern_batch_id(&rl->rq.ids, slot);
}

/* Ids into the slots, then into the batch's links and findings. */
static void
rq_flush(struct audit *a, struct rload *rl)
{
	struct intern_batch *ids = &rl->rq.ids;
	int i;

	intern_batch_put(ids);
	if (a->items.n)
		item_of(a, a->items.n - 1);	/* room for the new ids */
	for (size_t k = rl->rq.link0; k < a->nlinks; k++) {
		a->links[k].subj = intern_batch_id(ids, a->links[k].subj);
		a->links[k].linked = intern_batch_id(ids, a->links[k].linked);
	}
	if (a->checking)
		links_taken(a, rl->rq.link0, a->nlinks);
	for (i = 0; i < 4; i++) {
		struct flist *l = &a->fs.fnd[row_checks[i]];

		for (size_t j = rl->rq.f0[i]; j < l->n; j++) {
			l->f[j].subj = rq_id(rl, l->f[j].subj);
			l->f[j].linked = rq_id(rl, l->f[j].linked);
		}
	}
	if (rl->lastsubj.slot >= 0) {
		rl->lastsubj.id = intern_batch_id(ids, (size_t)rl->lastsubj.slot);
		rl->lastsubj.slot = -1;
	}
	rq_start(a, rl);
}

static uint32_t
subject_slot(struct rload *rl, const char *s, size_t n)
{
	uint32_t slot;

	if (n == 0) {
		rl->lastsubj.valid = 0;
		return INTERN_NONE;
	}
	if (rl->lastsubj.valid && same(&rl->lastsubj.s, s, n))
		return (uint32_t)(rl->lastsubj.slot >= 0 ?
		    intern_batch_again(&rl->rq.ids, (size_t)rl->lastsubj.slot) :
		    intern_batch_known(&rl->rq.ids, rl->lastsubj.id));
	slot = rq_lookup(rl, s, n);
	remember(&rl->lastsubj.s, s, n);
	rl->lastsubj.valid = 1;
	rl->lastsubj.slot = (int)slot;
	return slot;
}

/*
 * Relations: the links, and with checking their checks as they come. Each
 * file is opened on its own, with its own header, so curated and learned
 * relations (which add count, support, ...) are read together: the
 * columns are the union, a column a file lacks is empty in its rows.
 */
void
audit_load_relations(struct audit *a, int nfiles, char **files, int checking)
{
	struct rec r;
	char *stdin_only[1] = { "-" };
	int cs, cl, ct, cu, csrc, any_updated = 0;
	int64_t cutoff = isnan(a->opt->max_age) ? INT64_MIN :
	    a->opt->now - (int64_t)(a->opt->max_age * 86400);
	struct buf src;		/* sources are a few words: the row before's */
	uint32_t srcid = INTERN_NONE;
	struct rload *rl = xcalloc(1, sizeof *rl);
	unsigned char *ran;

	if (nfiles == 0) {
		nfiles = 1;
		files = stdin_only;
	}
	links_files(a, nfiles, files);
	ran = a->fs.ran;
	ran[C_MISSING_ID] = ran[C_SELF_LINK] = ran[C_DUPLICATE_LINK] = 1;
	ran[C_CONFLICTING_TYPES] = ran[C_UNKNOWN_TYPE] = ran[C_OVER_LINKED] = 1;
	ran[C_ONE_WAY_BUNDLE] = 1;
	a->checking = checking;
	if (checking)
		links_begin(a);
	buf_init(&src);
	intern_batch_init(&rl->rq.ids, &a->items);
	buf_init(&rl->lastsubj.s);
	rl->lastsubj.valid = 0;
	rl->lastsubj.slot = -1;
	rq_start(a, rl);
	for (int fi = 0; fi < nfiles; fi++) {
		memset(&r, 0, sizeof r);
		rec_open(&r, 1, &files[fi]);
		cs = rec_need(&r, "subject_id");
		if (cs < 0) {
			rec_close(&r);	/* an empty input: no rows follow */
			continue;
		}
		cl = rec_need(&r, "linked_id");
		ct = rec_col(&r, "type");
		cu = rec_col(&r, "updated");
		csrc = rec_col(&r, "source");
		any_updated |= cu >= 0;
		rec_background(&r);
		while (rec_next(&r) == REC_ROW) {
			struct audit_link *k;
			uint32_t s, l;
			int type;

			s = subject_slot(rl, r.f[cs], r.len[cs]);
			l = r.len[cl] ? rq_lookup(rl, r.f[cl], r.len[cl]) : INTERN_NONE;
			if (link_row_checks(a, rl, &r, fi, s, l, ct, cu, cutoff, &type)) {
				if (a->nlinks == a->links_cap) {
					if (a->links_cap >= UINT32_MAX / 4)
						die(XS_SYS, "too many links");
					a->links_cap = a->links_cap ? 2 * a->links_cap : 1024;
					a->links = xreallocarray(a->links, a->links_cap,
					    sizeof *a->links);
					if (a->opt->events)
						a->link_src = xreallocarray(a->link_src,
						    a->links_cap, sizeof *a->link_src);
				}
				if (a->opt->events) {
					if (csrc < 0 || r.len[csrc] == 0)
						a->link_src[a->nlinks] = INTERN_NONE;
					else {
						if (srcid == INTERN_NONE ||
						    !same(&src, r.f[csrc], r.len[csrc])) {
							srcid = intern_put(&a->words, r.f[csrc],
							    r.len[csrc]);
							remember(&src, r.f[csrc], r.len[csrc]);
						}
						a->link_src[a->nlinks] = srcid;
					}
				}
				k = &a->links[a->nlinks++];
				k->subj = s;
				k->linked = l;
				k->type = (unsigned char)type;
				k->file = (uint16_t)fi;
				k->line = (uint32_t)r.line;
			}
			if (intern_batch_n(&rl->rq.ids) >= 2 * RBATCH - 1)
				rq_flush(a, rl);
		}
		/* the batch's rows before the next file's: messages in order */
		rq_flush(a, rl);
		rec_close(&r);
	}
	ran[C_BAD_DATE] = any_updated;
	ran[C_OLD_LINK] = any_updated && !isnan(a->opt->max_age);
	buf_free(&src);
	intern_batch_free(&rl->rq.ids);
	buf_free(&rl->lastsubj.s);
	free(rl);
	if (!any_updated && !isnan(a->opt->max_age))
		note("relations have no 'updated' column: --max-age not checked");
	if (a->checking) {
		links_end(a);
		return;
	}
	/* the offer read-out asks which ids are linked to, and finds links */
	for (size_t i = 0; i < a->nlinks; i++)
		a->item[a->links[i].linked].linked = 1;
	links_index(a);
}
