/* findings.c: the checks' table, findings made and sorted. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "findings.h"
#include "buf.h"

const char *const sev_words[] = { "info", "warning", "error", NULL };

const struct check checks[NCHECK] = {
	{ "missing_id", SEV_ERROR },
	{ "bad_date", SEV_ERROR },
	{ "self_link", SEV_ERROR },
	{ "stale_unknown", SEV_ERROR },
	{ "stale_discontinued", SEV_ERROR },
	{ "stale_inactive", SEV_WARNING },
	{ "stale_out_of_stock", SEV_WARNING },
	{ "unknown_subject", SEV_WARNING },
	{ "duplicate_link", SEV_WARNING },
	{ "conflicting_types", SEV_WARNING },
	{ "unknown_type", SEV_WARNING },
	{ "upsell_not_pricier", SEV_WARNING },
	{ "one_way_bundle", SEV_WARNING },
	{ "over_linked", SEV_WARNING },
	{ "old_link", SEV_WARNING },
	{ "duplicate_product", SEV_WARNING },
	{ "unknown_status", SEV_WARNING },
	{ "empty_subject", SEV_INFO },
	{ "untracked", SEV_ERROR },
	{ "retire", SEV_WARNING },
	{ "unprofitable", SEV_WARNING },
	{ "sample_ratio_mismatch", SEV_WARNING },
	{ "both_arms", SEV_WARNING },
	{ "guardrail", SEV_ERROR },
};

/*
 * The order of findings within a check: by key, ties in the order made;
 * but over_linked's ties by subject id, the order the checks of subjects
 * were once made in (now they may come in input order).
 */
static int
fcmp(int check, const struct finding *a, const struct finding *b)
{
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (check == C_OVER_LINKED && a->subj != b->subj)
		return a->subj < b->subj ? -1 : 1;
	return 0;
}

struct finding *
finding_add(struct findings *fs, int check, uint32_t subj, uint32_t linked,
    double key)
{
	struct flist *l = &fs->fnd[check];
	struct finding *f;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		l->f = xreallocarray(l->f, l->cap, sizeof *l->f);
	}
	f = &l->f[l->n++];
	f->key = key;
	f->subj = subj;
	f->linked = linked;
	if (l->n > 1 && fcmp(check, f, f - 1) < 0)
		l->unsorted = 1;
	f->link = NOLINK;
	f->arg = 0;
	f->val = 0;
	fs->ncheck[check]++;
	return f;
}

void
finding(struct findings *fs, int check, uint32_t subj, uint32_t linked,
    double key, const char *fmt, ...)
{
	struct finding *f = finding_add(fs, check, subj, linked, key);
	struct buf *d = &fs->fdetail;
	va_list ap;
	int n;

	f->val = (int64_t)d->len;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	buf_grow(d, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(d->s + d->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	d->len += (size_t)n + 1;
}

/* qsort's compare has no argument: the list being sorted */
static const struct finding *by_key_f;
static int by_key_check;

static int
by_key(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	int c = fcmp(by_key_check, &by_key_f[a], &by_key_f[b]);

	return c ? c : a < b ? -1 : a > b;
}

/* Into the order of the key, ties in the order made. Most lists are made
 * in that order already (the checks that walk the links in input order). */
void
flist_sort(struct flist *l, int check)
{
	uint32_t *ix;
	struct finding *f;

	if (!l->unsorted)
		return;
	ix = xreallocarray(NULL, l->n, sizeof *ix);
	for (size_t i = 0; i < l->n; i++)
		ix[i] = (uint32_t)i;
	by_key_f = l->f;
	by_key_check = check;
	qsort(ix, l->n, sizeof *ix, by_key);
	f = xreallocarray(NULL, l->cap, sizeof *f);
	for (size_t i = 0; i < l->n; i++)
		f[i] = l->f[ix[i]];
	free(l->f);
	free(ix);
	l->f = f;
	l->unsorted = 0;
}

int
worst_severity(const struct findings *fs)
{
	int worst = -1;

	for (int c = 0; c < NCHECK; c++)
		if (fs->ncheck[c] && checks[c].sev > worst)
			worst = checks[c].sev;
	return worst;
}
