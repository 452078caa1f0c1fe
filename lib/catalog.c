/* catalog.c: a side file keyed by id (catalog.h). */
#include <sys/stat.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "buf.h"
#include "num.h"
#include "rec.h"
#include "intern.h"

static void
build_index(struct catalog *t)
{
	size_t n = 16;

	while (n < 2 * (size_t)t->own.n)
		n *= 2;
	t->slot = xcalloc(n, sizeof *t->slot);
	t->mask = n - 1;
	for (uint32_t r = 0; r < t->own.n; r++) {
		uint64_t h = xs_hash(intern_str(&t->own, r), intern_len(&t->own, r));
		size_t i = h & t->mask;

		while (t->slot[i].row)
			i = (i + 1) & t->mask;
		t->slot[i].off = t->own.off[r];
		t->slot[i].hash = (uint32_t)(h >> 32);
		t->slot[i].len = (uint32_t)intern_len(&t->own, r);
		t->slot[i].row = r + 1;
	}
}

uint32_t
catalog_find(const struct catalog *t, const char *id, size_t n)
{
	uint64_t h;
	size_t i;

	if (t->ids)
		return catalog_row_of(t, intern_find(t->ids, id, n));
	if (!t->slot)
		return INTERN_NONE;
	h = xs_hash(id, n);
	for (i = h & t->mask; t->slot[i].row; i = (i + 1) & t->mask)
		if (t->slot[i].hash == (uint32_t)(h >> 32) &&
		    t->slot[i].len == n &&
		    memcmp(t->own.pool.s + t->slot[i].off, id, n) == 0)
			return t->slot[i].row - 1;
	return INTERN_NONE;
}

void
catalog_cover(struct catalog *t, uint32_t n)
{
	if (n <= t->nrow_of)
		return;
	if (n > t->caprow_of) {
		t->caprow_of = n > t->caprow_of * 2 ? n : t->caprow_of * 2;
		t->row_of = xreallocarray(t->row_of, t->caprow_of,
		    sizeof *t->row_of);
	}
	for (uint32_t i = t->nrow_of; i < n; i++)
		t->row_of[i] = INTERN_NONE;
	t->nrow_of = n;
}

/* The row an id already has, or INTERN_NONE; id is its id. */
static uint32_t
row_before(struct catalog *t, const struct rec *r, int kc, uint32_t *id)
{
	struct intern *in = t->ids ? t->ids : &t->own;
	uint32_t before = in->n;

	*id = intern_put(in, r->f[kc], r->len[kc]);
	if (!t->ids)
		return in->n == before ? *id : INTERN_NONE;
	catalog_cover(t, in->n);
	return t->row_of[*id];
}

/* Room for one more row. */
static void
grow(struct catalog *t, size_t *cap)
{
	size_t c;

	if (t->n < *cap)
		return;
	c = *cap = *cap ? 2 * *cap : 256;
	t->line = xreallocarray(t->line, c, sizeof *t->line);
	if (t->item)
		t->item = xreallocarray(t->item, c, sizeof *t->item);
	t->num = xreallocarray(t->num, c * (size_t)t->nnum + 1, sizeof *t->num);
	t->txt = xreallocarray(t->txt, c * (size_t)t->ntxt + 1, sizeof *t->txt);
	if (t->cols)
		t->off = xreallocarray(t->off, c * (size_t)t->ncols + 1,
		    sizeof *t->off);
}

/* The policy: a repeated id is exit 3, or with CATALOG_REPORT listed. */
static void
repeated(struct catalog *t, const struct rec *r, const char *key, int kc,
    uint32_t first, int flags)
{
	if (!(flags & CATALOG_REPORT))
		die(XS_INPUT, "%s: %s '%.60s' given twice (first at line %ld)",
		    rec_where(r), key, r->f[kc], t->line[first]);
	t->rep = xreallocarray(t->rep, t->nrep + 1, sizeof *t->rep);
	t->rep[t->nrep].row = first;
	t->rep[t->nrep++].line = r->line;
}

/* A text value's id in vals[k]; a value as the row before's (a status,
 * a category of sorted rows) is not looked up again. */
static uint32_t
txt_put(struct catalog *t, int k, uint32_t row, const char *s, size_t n)
{
	const struct intern *in = &t->vals[k];
	uint32_t v = row ? t->txt[(size_t)(row - 1) * t->ntxt + k] : INTERN_NONE;

	if (v != INTERN_NONE && intern_len(in, v) == n &&
	    memcmp(intern_str(in, v), s, n) == 0)
		return v;
	return intern_put(&t->vals[k], s, n);
}

/* A new row of id, given at line. */
static uint32_t
new_row(struct catalog *t, long line, uint32_t id)
{
	uint32_t row = t->n++;

	t->line[row] = line;
	if (t->item) {
		t->item[row] = id;
		t->row_of[id] = row;
	}
	return row;
}

static void
add_row(struct catalog *t, const struct rec *r, uint32_t id)
{
	uint32_t row = new_row(t, r->line, id);

	for (int k = 0; k < t->nnum; k++)
		t->num[(size_t)row * t->nnum + k] = rec_num(r, t->numcol[k], NAN);
	for (int k = 0; k < t->ntxt; k++) {
		int c = t->txtcol[k];
		uint32_t v = INTERN_NONE;

		if (c >= 0 && r->len[c])
			v = txt_put(t, k, row, r->f[c], r->len[c]);
		t->txt[(size_t)row * t->ntxt + k] = v;
	}
	for (int k = 0; k < t->ncols && t->cols; k++) {
		t->off[(size_t)row * (size_t)t->ncols + (size_t)k] = t->pool.len;
		buf_put(&t->pool, r->f[k], r->len[k]);
		buf_putc(&t->pool, '\0');
	}
}

/* The columns of the header: 0, or -1 for a file with no bytes. */
static int
columns(struct catalog *t, const struct rec *r, const struct catalog_spec *s)
{
	if ((t->keycol = rec_need(r, s->key)) < 0)
		return -1;
	for (int i = 0; s->need && s->need[i]; i++)
		rec_need(r, s->need[i]);
	for (int k = 0; k < s->nnum; k++)
		t->hasnum[k] = (t->numcol[k] = rec_col(r, s->num[k])) >= 0;
	for (int k = 0; k < s->ntxt; k++)
		t->hastxt[k] = (t->txtcol[k] = rec_col(r, s->txt[k])) >= 0;
	if (s->flags & CATALOG_ALL) {
		t->ncols = r->ncols;
		t->cols = xcalloc((size_t)r->ncols + 1, sizeof *t->cols);
		for (int k = 0; k < r->ncols; k++)
			t->cols[k] = xstrdup(r->cols[k]);
	}
	return 0;
}

static XS_NORETURN void
empty_id(const struct rec *r, const struct catalog_spec *s)
{
	if (s->empty)
		die(XS_INPUT, "%s: %s", rec_where(r), s->empty);
	die(XS_INPUT, "%s: empty %s", rec_where(r), s->key);
}

/*
 * CATALOG_REPORT: rows wait in batches for their ids, so that the cache
 * misses of the look-ups overlap (intern_batch); what a row says is kept
 * with it. Only there: a repeated id stops nothing, so no message comes
 * out of order for the rows read before a batch is resolved.
 */
enum { CBATCH = 64 };
struct cbatch {
	struct intern_batch ids;	/* entry i: row i's id */
	struct buf text;	/* the text values, NUL-terminated */
	long line[CBATCH];
	double *num;		/* row * nnum + k */
	size_t *txt;		/* row * ntxt + k: offset in text, or SIZE_MAX */
	size_t *txtlen;
	int n;
};

static void
cbatch_init(struct cbatch *b, struct catalog *t)
{
	intern_batch_init(&b->ids, t->ids ? t->ids : &t->own);
	buf_init(&b->text);
	b->num = xcalloc((size_t)CBATCH * t->nnum + 1, sizeof *b->num);
	b->txt = xcalloc((size_t)CBATCH * t->ntxt + 1, sizeof *b->txt);
	b->txtlen = xcalloc((size_t)CBATCH * t->ntxt + 1, sizeof *b->txtlen);
	b->n = 0;
}

static void
cbatch_free(struct cbatch *b)
{
	intern_batch_free(&b->ids);
	buf_free(&b->text);
	free(b->num);
	free(b->txt);
	free(b->txtlen);
}

/* A number of the row (NaN: none); 0 where rec_num would stop. */
static int
row_num(const struct rec *r, int col, double *v)
{
	*v = NAN;
	return col < 0 || r->len[col] == 0 || !num_parse(r->f[col], r->len[col], v);
}

/* The row an id already has, or INTERN_NONE (the batch resolved). */
static uint32_t
row_known(struct catalog *t, uint32_t id)
{
	if (!t->ids)
		return id < t->n ? id : INTERN_NONE;
	return catalog_row_of(t, id);
}

/* The batch's ids, then its rows, in order: a new id a row, a repeated
 * one listed. */
static void
cbatch_flush(struct catalog *t, struct cbatch *b, size_t *cap)
{
	intern_batch_put(&b->ids);
	if (t->ids)
		catalog_cover(t, t->ids->n);
	for (int i = 0; i < b->n; i++) {
		uint32_t id = intern_batch_id(&b->ids, (size_t)i), row, first;

		if ((first = row_known(t, id)) != INTERN_NONE) {
			t->rep = xreallocarray(t->rep, t->nrep + 1, sizeof *t->rep);
			t->rep[t->nrep].row = first;
			t->rep[t->nrep++].line = b->line[i];
			continue;
		}
		grow(t, cap);
		row = new_row(t, b->line[i], id);
		memcpy(&t->num[(size_t)row * t->nnum], &b->num[(size_t)i * t->nnum],
		    (size_t)t->nnum * sizeof *t->num);
		for (int k = 0; k < t->ntxt; k++) {
			size_t j = (size_t)i * t->ntxt + k, off = b->txt[j];

			t->txt[(size_t)row * t->ntxt + k] = off == SIZE_MAX ?
			    INTERN_NONE : txt_put(t, k, row, b->text.s + off,
			    b->txtlen[j]);
		}
	}
	intern_batch_clear(&b->ids);
	buf_reset(&b->text);
	b->n = 0;
}

/*
 * A row into the batch. A number that is not one stops the load (as
 * rec_num says), unless the row gives an id again: its numbers are never
 * read. Whether it does, the rows before tell, once their batch is
 * resolved.
 */
static void
cbatch_add(struct catalog *t, struct cbatch *b, const struct rec *r,
    size_t *cap)
{
	double *v = &b->num[(size_t)b->n * t->nnum];
	const char *key = r->f[t->keycol];
	size_t keylen = r->len[t->keycol];
	uint32_t id;

	for (int k = 0; k < t->nnum; k++) {
		if (row_num(r, t->numcol[k], &v[k]))
			continue;
		cbatch_flush(t, b, cap);
		v = b->num;
		id = intern_find(t->ids ? t->ids : &t->own, key, keylen);
		if (id == INTERN_NONE || row_known(t, id) == INTERN_NONE)
			for (int j = 0; j < t->nnum; j++)
				rec_num(r, t->numcol[j], NAN);
		break;
	}
	for (int k = 0; k < t->ntxt; k++) {
		int c = t->txtcol[k];
		size_t j = (size_t)b->n * t->ntxt + k;

		b->txt[j] = SIZE_MAX;
		if (c < 0 || r->len[c] == 0)
			continue;
		b->txt[j] = b->text.len;
		b->txtlen[j] = r->len[c];
		buf_put(&b->text, r->f[c], r->len[c]);
		buf_putc(&b->text, '\0');
	}
	b->line[b->n] = r->line;
	intern_batch_add(&b->ids, key, keylen);
	if (++b->n == CBATCH)
		cbatch_flush(t, b, cap);
}

/*
 * Room for the file's ids at once, where its size says about how many
 * rows it has (a TSV file, by the bytes of its first rows): no table
 * rebuilt on the way. A guess wrong either way costs time, not output.
 */
static void
reserve(struct catalog *t, const struct rec *r, size_t rows, size_t bytes)
{
	struct intern *in = t->ids ? t->ids : &t->own;
	struct stat st;
	double n;

	if (r->fmt != REC_TSV || strcmp(t->file, "-") == 0 ||
	    stat(t->file, &st) != 0 || !S_ISREG(st.st_mode) || bytes == 0)
		return;
	n = (double)st.st_size / ((double)bytes / (double)rows) * 1.1 + 64;
	if (n < 1e8)
		intern_reserve(in, in->n + (size_t)n);
}

static void
init(struct catalog *t, const char *file, const struct catalog_spec *s)
{
	memset(t, 0, sizeof *t);
	t->file = xstrdup(file);
	intern_init(&t->own);
	t->ids = s->ids;
	if (s->ids)
		t->item = xcalloc(1, sizeof *t->item);
	t->nnum = s->nnum;
	t->ntxt = s->ntxt;
	t->vals = xcalloc((size_t)s->ntxt + 1, sizeof *t->vals);
	for (int k = 0; k < s->ntxt; k++)
		intern_init(&t->vals[k]);
	t->hasnum = xcalloc((size_t)s->nnum + 1, sizeof *t->hasnum);
	t->hastxt = xcalloc((size_t)s->ntxt + 1, sizeof *t->hastxt);
	t->numcol = xcalloc((size_t)s->nnum + 1, sizeof *t->numcol);
	t->txtcol = xcalloc((size_t)s->ntxt + 1, sizeof *t->txtcol);
	buf_init(&t->pool);
	t->line = xcalloc(1, sizeof *t->line);
	t->keycol = -1;
}

void
catalog_load(struct catalog *t, const char *file,
    const struct catalog_spec *s)
{
	struct rec r;
	char *files[1] = { (char *)file };
	size_t cap = 0, rows = 0, bytes = 0;
	struct cbatch b;
	int batched = (s->flags & (CATALOG_REPORT | CATALOG_ALL)) == CATALOG_REPORT;

	init(t, file, s);
	memset(&r, 0, sizeof r);
	rec_open(&r, 1, files);
	t->name = xstrdup(r.name);
	if (columns(t, &r, s) == 0) {
		if (batched)
			cbatch_init(&b, t);
		while (rec_next(&r) == REC_ROW) {
			uint32_t id, first;

			if ((s->flags & CATALOG_NONEMPTY) && r.len[t->keycol] == 0)
				empty_id(&r, s);
			if (rows < 256) {
				for (int i = 0; i < r.ncols; i++)
					bytes += r.len[i] + 1;
				if (++rows == 256)
					reserve(t, &r, rows, bytes);
			}
			if (batched) {
				cbatch_add(t, &b, &r, &cap);
				continue;
			}
			if ((first = row_before(t, &r, t->keycol, &id)) !=
			    INTERN_NONE) {
				repeated(t, &r, s->key, t->keycol, first, s->flags);
				continue;
			}
			grow(t, &cap);
			add_row(t, &r, id);
		}
		if (batched) {
			cbatch_flush(t, &b, &cap);
			cbatch_free(&b);
		}
	}
	rec_close(&r);
	if (t->cols) {
		t->off = xreallocarray(t->off, (size_t)t->n * (size_t)t->ncols + 1,
		    sizeof *t->off);
		t->off[(size_t)t->n * (size_t)t->ncols] = t->pool.len;
		buf_str(&t->pool);
	}
	free(t->numcol);
	free(t->txtcol);
	t->numcol = t->txtcol = NULL;
	if (!t->ids)
		build_index(t);
}

int
catalog_col(const struct catalog *t, const char *name)
{
	for (int k = 0; t && k < t->ncols; k++)
		if (strcmp(t->cols[k], name) == 0)
			return k;
	return -1;
}

void
catalog_cells(const struct catalog *t, uint32_t row, char **v, size_t *len)
{
	for (int k = 0; k < t->ncols; k++)
		v[k] = (char *)catalog_cell(t, row, k, &len[k]);
}

void
catalog_numbers(struct catalog *t)
{
	size_t n;

	if (!t || t->cellnum)
		return;
	n = (size_t)t->n * (size_t)t->ncols;
	t->cellnum = xcalloc(n + 1, sizeof *t->cellnum);
	for (size_t i = 0; i < n; i++) {
		size_t len = t->off[i + 1] - t->off[i] - 1;

		if (!len || num_parse(t->pool.s + t->off[i], len, &t->cellnum[i]))
			t->cellnum[i] = NAN;
	}
}

void
catalog_free(struct catalog *t)
{
	free(t->file);
	free(t->name);
	free(t->line);
	intern_free(&t->own);
	free(t->item);
	free(t->row_of);
	free(t->num);
	free(t->txt);
	for (int k = 0; k < t->ntxt; k++)
		intern_free(&t->vals[k]);
	free(t->vals);
	free(t->hasnum);
	free(t->hastxt);
	free(t->numcol);
	free(t->txtcol);
	for (int k = 0; k < t->ncols && t->cols; k++)
		free(t->cols[k]);
	free(t->cols);
	buf_free(&t->pool);
	free(t->off);
	free(t->cellnum);
	free(t->rep);
	free(t->slot);
	memset(t, 0, sizeof *t);
}
