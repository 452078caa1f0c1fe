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
 * R->cols[j] (or -1) for j < nvals. */
struct relfile {
	int subj, linked, type, src, pos, conf, lift;
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

const char *
relations_where(const struct relations *R, const struct rel_link *e,
    char *buf, size_t size)
{
	snprintf(buf, size, "%s:%lu", R->files[R->file[e->seq]],
	    (unsigned long)R->line[e->seq]);
	return buf;
}
