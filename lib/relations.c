/* relations.c: relations files read into links by subject (relations.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relations.h"
#include "buf.h"
#include "num.h"
#include "rec.h"
#include "intern.h"

static int
other_col(struct relations *R, const char *name, int add)
{
	for (int k = 0; k < R->ncols; k++)
		if (strcmp(R->cols[k], name) == 0)
			return k;
	if (!add)
		return -1;
	R->cols = xreallocarray(R->cols, (size_t)R->ncols + 1, sizeof *R->cols);
	R->cols[R->ncols] = xstrdup(name);
	return R->ncols++;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
body_add(struct relations *R, char **v, size_t n)
{
	struct rel_body *bd;

	if (R->nbody == R->capbody) {
		R->capbody = R->capbody ? R->capbody * 2 : 64;
		R->body = xreallocarray(R->body, R->capbody, sizeof *R->body);
	}
	bd = &R->body[R->nbody++];
	bd->item0 = (uint32_t)R->nbitem;
	bd->nitem = (uint32_t)n;
	if (R->nbitem + n > R->capbitem) {
		R->capbitem = (R->nbitem + n) * 2;
		R->bitem = xreallocarray(R->bitem, R->capbitem, sizeof *R->bitem);
	}
	for (size_t i = 0; i < n; i++)
		R->bitem[R->nbitem++] = intern_put(R->items, v[i], strlen(v[i]));
}

/* The key of a subject: an item, or for a comma list of two or more
 * distinct items a body (sorted, so "B,A" and "A,B" are one body). */
static uint32_t
subject_key(struct relations *R, const char *s, size_t len)
{
	const char *p = s, *end = s + len, *item;
	size_t n, cnt = 0, k = 0;
	char **v;
	struct buf b;
	uint32_t id, before;

	if (!(R->flags & REL_BODIES) || !memchr(s, ',', len))
		return intern_put(R->items, s, len);
	v = xcalloc(len / 2 + 2, sizeof *v);
	while (list_next(&p, end, &item, &n))
		v[cnt++] = xmemdup(item, n);
	qsort(v, cnt, sizeof *v, cmp_str);
	for (size_t i = 0; i < cnt; i++) {
		if (k && strcmp(v[i], v[k - 1]) == 0)
			free(v[i]);
		else
			v[k++] = v[i];
	}
	buf_init(&b);
	for (size_t i = 0; i < k; i++) {
		if (i)
			buf_putc(&b, ',');
		buf_puts(&b, v[i]);
	}
	if (k <= 1) {
		id = intern_put(R->items, k ? v[0] : "", k ? strlen(v[0]) : 0);
	} else {
		before = R->bodykey.n;
		id = intern_put(&R->bodykey, buf_str(&b), b.len);
		if (R->bodykey.n > before)
			body_add(R, v, k);
		id |= REL_BODY;
	}
	for (size_t i = 0; i < k; i++)
		free(v[i]);
	free(v);
	buf_free(&b);
	return id;
}

static uint16_t
small_default(struct intern *in, const char *s)
{
	uint32_t id = intern_put(in, s, strlen(s));

	if (id > 0xffff)
		die(XS_INPUT, "more than 65536 distinct types or sources");
	return (uint16_t)id;
}

static double
num_or_nan(const struct rec *r, int i)
{
	return i < 0 ? NAN : rec_num(r, i, NAN);
}

static uint16_t
small_id(struct intern *in, const char *s, size_t len, const struct rec *r)
{
	uint32_t id = intern_put(in, s, len);

	if (id > 0xffff)
		die(XS_INPUT, "%s: more than 65536 distinct types or sources",
		    rec_where(r));
	return (uint16_t)id;
}

/* How one relations file's columns land: inv[j] is the file column of
 * R->cols[j] (or -1) for j < nvals; with REL_REPORT, val is rep->col's. */
struct relfile {
	int subj, linked, type, src, pos, conf, lift, val;
	int nvals, *inv;
};

/* Appends one relation row, its columns' values to the pool in the
 * order of R->cols. */
static void
link_add(struct relations *R, const struct rec *r, const struct relfile *rf,
    uint32_t key, uint32_t linked)
{
	struct rel_link *e;

	if (R->ne == R->cape) {
		R->cape = R->cape ? R->cape * 2 : 4096;
		R->e = xreallocarray(R->e, R->cape, sizeof *R->e);
		R->key = xreallocarray(R->key, R->cape, sizeof *R->key);
		R->line = xreallocarray(R->line, R->cape, sizeof *R->line);
		R->file = xreallocarray(R->file, R->cape, sizeof *R->file);
	}
	R->line[R->ne] = r->line > UINT32_MAX ? UINT32_MAX : (uint32_t)r->line;
	R->file[R->ne] = (uint16_t)(R->nfiles - 1);
	e = &R->e[R->ne];
	R->key[R->ne] = key;
	e->linked = linked;
	e->seq = (uint32_t)R->ne++;
	e->type = R->deftype;
	e->src = R->defsrc;
	e->pos = num_or_nan(r, rf->pos);
	e->conf = num_or_nan(r, rf->conf);
	e->lift = num_or_nan(r, rf->lift);
	e->nvals = (uint16_t)rf->nvals;
	e->vals = R->pool.len;
	for (int j = 0; j < rf->nvals; j++) {
		if (rf->inv[j] >= 0)
			buf_put(&R->pool, r->f[rf->inv[j]], r->len[rf->inv[j]]);
		buf_putc(&R->pool, '\0');
	}
}

/* ---- REL_REPORT ---- */

/*
 * Rows wait in batches for their ids, so that the cache misses of the
 * look-ups overlap (as the events' do, evq_flush). A row has two
 * entries, subject and linked; until the flush, the batch's links hold
 * entry numbers where the ids go. The flush looks the entries up in row
 * order, so ids keep the order of first sight.
 */
enum { RBATCH = 64 };

/* A row of the batch that the row hook is to see. */
struct pend {
	uint32_t s, l;		/* entries, or INTERN_NONE */
	int type;
	long line;
	size_t link;		/* or SIZE_MAX */
	size_t word, val, vallen;	/* offsets in text; SIZE_MAX: none */
};

/* A word of the caller's (a type). */
struct word {
	const char *s;
	size_t len;
};

struct relbatch {
	struct intern_batch ids;
	size_t link0;		/* the batch's first link */
	struct pend pend[2 * RBATCH];
	int n;
	struct buf text;	/* type words and values, NUL-terminated */
	struct word *words;
	/* the subject of the row before: subjects come in runs */
	struct buf subj;
	int subjvalid, subjslot;	/* its entry in this batch, or -1: subjid */
	uint32_t subjid;
	/* the source of the row before: sources are a few words */
	struct buf src;
	uint32_t srcid;
};

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
word_init(struct word *w, const char *s)
{
	w->s = s;
	w->len = strlen(s);
}

static struct relbatch *
batch_new(struct relations *R)
{
	struct relbatch *b = xcalloc(1, sizeof *b);

	intern_batch_init(&b->ids, R->items);
	buf_init(&b->text);
	buf_init(&b->subj);
	buf_init(&b->src);
	b->subjslot = -1;
	b->srcid = INTERN_NONE;
	b->words = xcalloc((size_t)R->nwords + 1, sizeof *b->words);
	for (int k = 0; k < R->nwords; k++)
		word_init(&b->words[k], R->rep->words[k]);
	return b;
}

static void
batch_free(struct relbatch *b)
{
	if (!b)
		return;
	intern_batch_free(&b->ids);
	buf_free(&b->text);
	buf_free(&b->subj);
	buf_free(&b->src);
	free(b->words);
	free(b);
}

/* The caller's word of a type (most are one of the first few). */
static int
word_of(const struct relations *R, const struct relbatch *b, const char *s,
    size_t n)
{
	if (n == 0)
		return 0;
	for (int k = 0; k < R->nwords; k++)
		if (b->words[k].len == n && memcmp(b->words[k].s, s, n) == 0)
			return k;
	return R->nwords;
}

static uint32_t
subject_entry(struct relbatch *b, const char *s, size_t n)
{
	uint32_t e;

	if (n == 0) {
		b->subjvalid = 0;
		return INTERN_NONE;
	}
	if (b->subjvalid && same(&b->subj, s, n))
		return (uint32_t)(b->subjslot >= 0 ?
		    intern_batch_again(&b->ids, (size_t)b->subjslot) :
		    intern_batch_known(&b->ids, b->subjid));
	e = (uint32_t)intern_batch_add(&b->ids, s, n);
	remember(&b->subj, s, n);
	b->subjvalid = 1;
	b->subjslot = (int)e;
	return e;
}

static uint32_t
source_of(struct relations *R, struct relbatch *b, const struct rec *r,
    int col)
{
	if (col < 0 || r->len[col] == 0)
		return INTERN_NONE;
	if (b->srcid == INTERN_NONE || !same(&b->src, r->f[col], r->len[col])) {
		b->srcid = intern_put(R->rep->sources, r->f[col], r->len[col]);
		remember(&b->src, r->f[col], r->len[col]);
	}
	return b->srcid;
}

/* A link, its ids still the batch's entries. */
static size_t
row_add(struct relations *R, const struct rec *r, uint32_t s, uint32_t l,
    int type)
{
	struct rel_row *k;

	if (R->nrow == R->caprow) {
		if (R->caprow >= UINT32_MAX / 4)
			die(XS_SYS, "too many links");
		R->caprow = R->caprow ? 2 * R->caprow : 1024;
		R->row = xreallocarray(R->row, R->caprow, sizeof *R->row);
		if (R->rep->sources)
			R->rowsrc = xreallocarray(R->rowsrc, R->caprow,
			    sizeof *R->rowsrc);
	}
	k = &R->row[R->nrow];
	k->subj = s;
	k->linked = l;
	k->type = (unsigned char)type;
	k->file = (uint16_t)(R->nfiles - 1);
	k->line = (uint32_t)r->line;
	return R->nrow++;
}

static size_t
text_add(struct relbatch *b, const char *s, size_t n)
{
	size_t off = b->text.len;

	buf_put(&b->text, s, n);
	buf_putc(&b->text, '\0');
	return off;
}

static uint32_t
entry_id(const struct relbatch *b, uint32_t e)
{
	return e == INTERN_NONE ? INTERN_NONE : intern_batch_id(&b->ids, e);
}

/* The batch's ids, into its links; then its rows and links to the
 * hooks. */
static void
batch_flush(struct relations *R, struct relbatch *b)
{
	const struct rel_report *rep = R->rep;
	struct rel_seen v;

	intern_batch_put(&b->ids);
	for (size_t k = b->link0; k < R->nrow; k++) {
		R->row[k].subj = intern_batch_id(&b->ids, R->row[k].subj);
		R->row[k].linked = intern_batch_id(&b->ids, R->row[k].linked);
	}
	if (b->subjslot >= 0) {
		b->subjid = intern_batch_id(&b->ids, (size_t)b->subjslot);
		b->subjslot = -1;
	}
	v.file = R->nfiles - 1;
	for (int i = 0; i < b->n; i++) {
		const struct pend *p = &b->pend[i];

		v.subj = entry_id(b, p->s);
		v.linked = entry_id(b, p->l);
		v.line = p->line;
		v.type = p->type;
		v.link = p->link;
		v.word = p->word == SIZE_MAX ? NULL : b->text.s + p->word;
		v.val = p->val == SIZE_MAX ? NULL : b->text.s + p->val;
		v.vallen = p->vallen;
		rep->row(rep->arg, &v);
	}
	rep->links(rep->arg, b->link0, R->nrow);
	intern_batch_clear(&b->ids);
	buf_reset(&b->text);
	b->link0 = R->nrow;
	b->n = 0;
}

/* A row for the row hook, once its ids are known; its type and value
 * kept, the row's fields being gone by then. */
static void
pend_add(struct relbatch *b, const struct rel_seen *v, uint32_t s,
    uint32_t l)
{
	struct pend *p = &b->pend[b->n++];

	p->s = s;
	p->l = l;
	p->line = v->line;
	p->link = v->link;
	p->type = v->type;
	p->word = v->word ? text_add(b, v->word, strlen(v->word)) : SIZE_MAX;
	p->val = v->val ? text_add(b, v->val, v->vallen) : SIZE_MAX;
	p->vallen = v->vallen;
}

/* One row into the batch: its ids queued, its link kept (when it has
 * both ids), and for the row hook when it has an empty id or the
 * caller's check asks. */
static void
report_row(struct relations *R, struct relbatch *b, const struct rec *r,
    const struct relfile *rf)
{
	const struct rel_report *rep = R->rep;
	int cl = rf->linked, ct = rf->type, cv = rf->val;
	uint32_t s, l;
	struct rel_seen v;

	s = subject_entry(b, r->f[rf->subj], r->len[rf->subj]);
	l = r->len[cl] ? (uint32_t)intern_batch_add(&b->ids, r->f[cl],
	    r->len[cl]) : INTERN_NONE;
	v.line = r->line;
	v.word = v.val = NULL;
	v.vallen = 0;
	v.type = 0;
	if (s == INTERN_NONE || l == INTERN_NONE) {
		v.link = SIZE_MAX;
		pend_add(b, &v, s, l);
	} else {
		if (ct >= 0 && (v.type = word_of(R, b, r->f[ct], r->len[ct])) ==
		    R->nwords)
			v.word = r->f[ct];
		if (cv >= 0 && r->len[cv]) {
			v.val = r->f[cv];
			v.vallen = r->len[cv];
		}
		v.link = row_add(R, r, s, l, v.type);
		if (rep->sources)
			R->rowsrc[v.link] = source_of(R, b, r, rf->src);
		v.file = R->nfiles - 1;
		if (rep->check(rep->arg, &v))
			pend_add(b, &v, s, l);
	}
	if (intern_batch_n(&b->ids) >= 2 * RBATCH - 1 || b->n == 2 * RBATCH)
		batch_flush(R, b);
}

/* REL_REPORT: the rows of an open file, its subject_id and linked_id
 * columns found. */
static void
report_load(struct relations *R, struct rec *r, struct relfile *rf)
{
	if (!R->batch)
		R->batch = batch_new(R);
	rf->type = rec_col(r, "type");
	rf->src = rec_col(r, "source");
	rf->val = R->rep->col ? rec_col(r, R->rep->col) : -1;
	R->hascol |= rf->val >= 0;
	rec_background(r);
	while (rec_next(r) == REC_ROW)
		report_row(R, R->batch, r, rf);
	/* the batch's rows before the next file's: messages in order */
	batch_flush(R, R->batch);
}

/* A subject's run of rows into (linked, type, input) order: a run is
 * in input order, so a stable sort by (linked, type) does it. */
static const struct rel_row *sort_rows;	/* for by_linked_type */

static int
by_linked_type(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	const struct rel_row *x = &sort_rows[a], *y = &sort_rows[b];

	if (x->linked != y->linked)
		return x->linked < y->linked ? -1 : 1;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return a < b ? -1 : a > b;
}

/*
 * A run of up to 32: each row's place is the number of rows before it
 * in (linked, type, position in the run) order, counted without a branch
 * to mispredict (a sort by compare and swap guesses wrong at every other
 * step on ids in no order).
 */
static void
run_sort_small(const struct relations *R, uint32_t *o, size_t n)
{
	uint64_t key[32];
	uint32_t was[32];
	size_t i, j, at;

	for (i = 0; i < n; i++) {
		const struct rel_row *k = &R->row[o[i]];

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
relations_rows_sort(const struct relations *R, uint32_t *o, size_t n)
{
	if (n <= 32) {
		run_sort_small(R, o, n);
		return;
	}
	sort_rows = R->row;
	qsort(o, n, sizeof *o, by_linked_type);
}

void
relations_rows_index(struct relations *R, uint32_t nitems)
{
	uint32_t n = nitems;
	size_t i;

	free(R->sfirst);
	free(R->ord);
	R->nsfirst = n;
	R->sfirst = xcalloc((size_t)n + 2, sizeof *R->sfirst);
	R->ord = xreallocarray(NULL, R->nrow + 1, sizeof *R->ord);
	for (i = 0; i < R->nrow; i++)
		R->sfirst[R->row[i].subj + 2]++;
	for (uint32_t s = 2; s < n + 2; s++)
		R->sfirst[s] += R->sfirst[s - 1];
	for (i = 0; i < R->nrow; i++)
		R->ord[R->sfirst[R->row[i].subj + 1]++] = (uint32_t)i;
	for (uint32_t s = 0; s < n; s++)
		if (R->sfirst[s + 1] - R->sfirst[s] > 1)
			relations_rows_sort(R, R->ord + R->sfirst[s],
			    R->sfirst[s + 1] - R->sfirst[s]);
}

void
relations_load(struct relations *R, const char *file)
{
	struct rec r;
	char *files[1] = { (char *)file };
	struct relfile rf;

	memset(&r, 0, sizeof r);
	rec_open(&r, 1, files);
	if (R->nfiles == 0xffff)
		die(XS_USAGE, "more than 65535 relations files");
	R->files = xreallocarray(R->files, (size_t)R->nfiles + 1,
	    sizeof *R->files);
	R->files[R->nfiles++] = xstrdup(r.name);
	if (r.empty) {
		rec_close(&r);
		return;
	}
	rf.subj = rec_need(&r, "subject_id");
	rf.linked = rec_need(&r, "linked_id");
	if (R->flags & REL_REPORT) {
		report_load(R, &r, &rf);
		rec_close(&r);
		return;
	}
	rf.type = rec_col(&r, "type");
	rf.src = rec_col(&r, "source");
	rf.pos = rec_col(&r, "position");
	rf.conf = rec_col(&r, "confidence");
	rf.lift = rec_col(&r, "lift");
	rf.nvals = 0;
	rf.inv = xcalloc((size_t)r.ncols + (size_t)R->ncols + 1, sizeof *rf.inv);
	for (int j = 0; j < r.ncols + R->ncols; j++)
		rf.inv[j] = -1;
	for (int k = 0; k < r.ncols; k++) {
		int j;

		if (k == rf.subj || k == rf.linked || k == rf.type || k == rf.src)
			continue;
		j = other_col(R, r.cols[k], 1);
		rf.inv[j] = k;
		if (j >= rf.nvals)
			rf.nvals = j + 1;
	}
	if (rf.nvals > 0xffff)
		die(XS_INPUT, "%s: too many columns", file);
	while (rec_next(&r) == REC_ROW) {
		uint32_t key, lk;
		struct rel_link *e;

		if (r.len[rf.subj] == 0 || r.len[rf.linked] == 0)
			die(XS_INPUT, "%s: empty %s", rec_where(&r),
			    r.len[rf.subj] == 0 ? "subject_id" : "linked_id");
		key = subject_key(R, r.f[rf.subj], r.len[rf.subj]);
		lk = intern_put(R->items, r.f[rf.linked], r.len[rf.linked]);
		link_add(R, &r, &rf, key, lk);
		e = &R->e[R->ne - 1];
		if (rf.type >= 0 && r.len[rf.type])
			e->type = small_id(R->types, r.f[rf.type], r.len[rf.type], &r);
		if (rf.src >= 0 && r.len[rf.src])
			e->src = small_id(R->sources, r.f[rf.src], r.len[rf.src], &r);
	}
	free(rf.inv);
	rec_close(&r);
	R->conf = other_col(R, "confidence", 0);
	R->lift = other_col(R, "lift", 0);
}

/* Groups the links by subject (stable: file order within a subject):
 * single items first, then bodies; and indexes bodies by first item. */
void
relations_index(struct relations *R, uint32_t nitems)
{
	uint32_t n = nitems, nb = R->nbody;
	uint32_t *cnt = xcalloc((size_t)n + nb + 1, sizeof *cnt);
	struct rel_link *se = xreallocarray(NULL, R->ne + 1, sizeof *se);

	for (size_t i = 0; i < R->ne; i++) {
		uint32_t k = R->key[i];

		cnt[(k & REL_BODY) ? n + (k & ~REL_BODY) : k]++;
	}
	R->start = xcalloc((size_t)n + 1, sizeof *R->start);
	R->bstart = xcalloc((size_t)nb + 1, sizeof *R->bstart);
	{
		uint32_t sum = 0;

		for (uint32_t i = 0; i < n + nb; i++) {
			uint32_t c = cnt[i];

			cnt[i] = sum;
			sum += c;
		}
		cnt[n + nb] = sum;
	}
	for (uint32_t i = 0; i <= n; i++)
		R->start[i] = cnt[i];
	for (uint32_t b = 0; b <= nb; b++)
		R->bstart[b] = cnt[n + b];
	for (size_t i = 0; i < R->ne; i++) {
		uint32_t k = R->key[i];

		se[cnt[(k & REL_BODY) ? n + (k & ~REL_BODY) : k]++] = R->e[i];
	}
	free(R->e);
	free(R->key);
	R->key = NULL;
	R->e = se;
	free(cnt);
	/* item -> bodies whose first (smallest) item it is */
	R->istart = xcalloc((size_t)n + 2, sizeof *R->istart);
	R->ibody = xcalloc((size_t)nb + 1, sizeof *R->ibody);
	for (uint32_t b = 0; b < nb; b++)
		R->istart[R->bitem[R->body[b].item0] + 1]++;
	for (uint32_t i = 0; i < n; i++)
		R->istart[i + 1] += R->istart[i];
	{
		uint32_t *fill = xcalloc((size_t)n + 1, sizeof *fill);

		for (uint32_t b = 0; b < nb; b++) {
			uint32_t it = R->bitem[R->body[b].item0];

			R->ibody[R->istart[it] + fill[it]++] = b;
		}
		free(fill);
	}
}

void
relations_free(struct relations *R)
{
	for (int i = 0; i < R->nfiles; i++)
		free(R->files[i]);
	free(R->files);
	free(R->line);
	free(R->file);
	for (int k = 0; k < R->ncols; k++)
		free(R->cols[k]);
	free(R->cols);
	buf_free(&R->pool);
	free(R->e);
	free(R->key);
	free(R->start);
	free(R->bstart);
	free(R->istart);
	free(R->ibody);
	free(R->body);
	free(R->bitem);
	intern_free(&R->bodykey);
	free(R->row);
	free(R->rowsrc);
	free(R->ord);
	free(R->sfirst);
	batch_free(R->batch);
}

void
relations_init(struct relations *R, struct intern *items,
    struct intern *types, struct intern *sources, int flags)
{
	memset(R, 0, sizeof *R);
	R->items = items;
	R->types = types;
	R->sources = sources;
	R->flags = flags;
	intern_init(&R->bodykey);
	buf_init(&R->pool);
	R->conf = R->lift = -1;
	R->deftype = small_default(types, "cross_sell");
	R->defsrc = small_default(sources, "managed");
}

void
relations_init_report(struct relations *R, struct intern *items,
    const struct rel_report *rep)
{
	memset(R, 0, sizeof *R);
	R->items = items;
	R->flags = REL_REPORT;
	R->rep = rep;
	while (rep->words[R->nwords])
		R->nwords++;
	intern_init(&R->bodykey);
	buf_init(&R->pool);
	R->conf = R->lift = -1;
}

const char *
relations_where(const struct relations *R, const struct rel_link *e,
    char *buf, size_t size)
{
	snprintf(buf, size, "%s:%lu", R->files[R->file[e->seq]],
	    (unsigned long)R->line[e->seq]);
	return buf;
}
