/*
 * audit-relations.c: the relations read by relations.c (REL_REPORT) into
 * the links of struct audit, the checks of one row (ids, type, date)
 * made as they come; the links indexed by subject (relations.c's index)
 * for the offer read-out.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audit-internal.h"
#include "num.h"
#include "writer.h"
#include "intern.h"

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

/* ord and sfirst: relations.c's index of the links by subject. */
void
links_index(struct audit *a)
{
	relations_rows_index(&a->rel, a->items.n);
	a->ord = a->rel.ord;
	a->sfirst = a->rel.sfirst;
	a->nsfirst = a->rel.nsfirst;
}

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

/* What the checks of the rows keep while the relations are read. */
struct rowcheck {
	struct audit *a;
	int64_t cutoff;		/* older is old; INT64_MIN: no --max-age */
	struct datememo datememo[256];
};

static inline const char *
date_parse(struct rowcheck *rc, const char *s, size_t n, int64_t *t)
{
	uint64_t w[3];
	struct datememo *m;

	if (n < 16 || n > 24)
		return time_parse(s, n, t);
	memcpy(&w[0], s, 8);
	memcpy(&w[1], s + n - 16, 8);
	memcpy(&w[2], s + n - 8, 8);
	m = &rc->datememo[((w[1] * 0x9e3779b97f4a7c15ULL) ^ w[2] ^ n) *
	    0xff51afd7ed558ccdULL >> 56];
	if (m->len != n || m->w[0] != w[0] || m->w[1] != w[1] || m->w[2] != w[2]) {
		memcpy(m->w, w, sizeof w);
		m->len = n;
		m->err = time_parse(s, n, &m->t);
	}
	*t = m->t;
	return m->err;
}

/* "file:line" of a row, as rec_where says it. */
static const char *
row_where(const struct audit *a, const struct rel_seen *v, char *buf,
    size_t size)
{
	snprintf(buf, size, "%s:%ld", a->rel.files[v->file], v->line);
	return buf;
}

/* The checks that need one row only (ids, type, date), as its link is
 * read (relations.c's check hook): does the row make a finding? */
static int
row_check(void *arg, const struct rel_seen *v)
{
	struct rowcheck *rc = arg;
	int64_t t;

	if (v->type == T_OTHER)
		return 1;
	if (!v->val)
		return 0;
	return date_parse(rc, v->val, v->vallen, &t) != NULL || t < rc->cutoff;
}

/* The findings of a row row_check asked for, or with an empty id, its
 * ids known (the row hook). */
static void
row_findings(void *arg, const struct rel_seen *v)
{
	struct rowcheck *rc = arg;
	struct audit *a = rc->a;
	double key = (double)v->file * 4294967296.0 + (double)v->line;
	char w[512];
	int64_t t;

	if (v->link == SIZE_MAX) {
		finding(&a->fs, C_MISSING_ID, v->subj, v->linked, key, "%s: no %s",
		    row_where(a, v, w, sizeof w),
		    v->subj == INTERN_NONE ? "subject_id" : "linked_id");
		return;
	}
	if (v->type == T_OTHER)
		finding(&a->fs, C_UNKNOWN_TYPE, v->subj, v->linked, key, "type "
		    "\"%s\" is none of cross_sell, upsell, substitute, bundle (%s)",
		    v->word, row_where(a, v, w, sizeof w));
	if (v->val) {
		if (date_parse(rc, v->val, v->vallen, &t))
			finding(&a->fs, C_BAD_DATE, v->subj, v->linked, key,
			    "updated \"%s\" is not a date (%s)", v->val,
			    row_where(a, v, w, sizeof w));
		else if (!isnan(a->opt->max_age) && t < rc->cutoff)
			link_finding(a, C_OLD_LINK, v->link, v->subj, v->linked,
			    key)->val = t;
	}
}

/* Links from .. to have their ids (relations.c's links hook): room for
 * their items, and with checking their checks. */
static void
links_in(void *arg, size_t from, size_t to)
{
	struct audit *a = ((struct rowcheck *)arg)->a;

	a->links = a->rel.row;
	a->link_src = a->rel.rowsrc;
	a->nlinks = a->rel.nrow;
	if (a->items.n)
		item_of(a, a->items.n - 1);	/* room for the new ids */
	if (a->checking)
		links_taken(a, from, to);
}

/*
 * Relations: the links (relations.c's, REL_REPORT), and with checking
 * their checks as they come. Each file is opened on its own, with its
 * own header, so curated and learned relations (which add count,
 * support, ...) are read together.
 */
void
audit_load_relations(struct audit *a, int nfiles, char **files, int checking)
{
	char *stdin_only[1] = { "-" };
	struct rowcheck *rc = xcalloc(1, sizeof *rc);
	struct rel_report rep = {
		type_words, "updated", a->opt->events ? &a->words : NULL, rc,
		row_check, row_findings, links_in
	};
	unsigned char *ran;
	int any_updated;

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
	rc->a = a;
	rc->cutoff = isnan(a->opt->max_age) ? INT64_MIN :
	    a->opt->now - (int64_t)(a->opt->max_age * 86400);
	relations_init_report(&a->rel, &a->items, &rep);
	for (int fi = 0; fi < nfiles; fi++)
		relations_load(&a->rel, files[fi]);
	a->rel.rep = NULL;
	free(rc);
	any_updated = a->rel.hascol;
	ran[C_BAD_DATE] = any_updated;
	ran[C_OLD_LINK] = any_updated && !isnan(a->opt->max_age);
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
