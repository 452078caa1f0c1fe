/*
 * findings.h: the audit's checks with their severities (the man page's
 * table), and the findings they make, kept per check in the order made
 * and sorted by key when written.
 */
#ifndef FINDINGS_H
#define FINDINGS_H

#include <stdint.h>

#include "xsell.h"
#include "buf.h"

#define NOLINK UINT32_MAX

enum { SEV_INFO, SEV_WARNING, SEV_ERROR, SEV_NONE };
extern const char *const sev_words[];

/* Checks, in output order. */
enum {
	C_MISSING_ID, C_BAD_DATE, C_SELF_LINK, C_STALE_UNKNOWN,
	C_STALE_DISCONTINUED, C_STALE_INACTIVE, C_STALE_OUT_OF_STOCK,
	C_UNKNOWN_SUBJECT, C_DUPLICATE_LINK, C_CONFLICTING_TYPES,
	C_UNKNOWN_TYPE, C_UPSELL_NOT_PRICIER, C_ONE_WAY_BUNDLE,
	C_OVER_LINKED, C_OLD_LINK, C_DUPLICATE_PRODUCT, C_UNKNOWN_STATUS,
	C_EMPTY_SUBJECT,
	/* offers and experiments */
	C_UNTRACKED, C_RETIRE, C_UNPROFITABLE, C_SRM, C_BOTH_ARMS,
	C_GUARDRAIL,
	NCHECK
};

struct check {
	const char *name;
	int sev;
};
extern const struct check checks[NCHECK];

/*
 * A finding. Its check is the list it is in, and its place there the
 * order it was made in (ties of key keep it). The rare checks keep their
 * detail as text in fdetail (val is the offset); the checks a million
 * links can fire keep what the text needs (link, arg, val) and the text
 * is made only when written, straight into the output (put_detail).
 */
struct finding {
	double key;		/* order within its check: ascending */
	uint32_t subj, linked;	/* ids in items, or INTERN_NONE */
	uint32_t link, arg;	/* a link (index in links) or NOLINK; a count */
	int64_t val;		/* offset in fdetail, a second link, or a time */
};

struct flist {
	struct finding *f;
	size_t n, cap;
	int unsorted;		/* a key came after a larger one */
	uint32_t *li;		/* or, for a check of one link, the links */
};

struct findings {
	struct flist fnd[NCHECK];
	struct buf fdetail;
	size_t ncheck[NCHECK];
	unsigned char ran[NCHECK];	/* the check had what it needs */
};

struct finding *finding_add(struct findings *fs, int check, uint32_t subj,
    uint32_t linked, double key);
/* A finding whose detail is made now. */
void finding(struct findings *fs, int check, uint32_t subj, uint32_t linked,
    double key, const char *fmt, ...) XS_PRINTF(6, 7);
void flist_sort(struct flist *l, int check);
/* The worst severity found, for --fail-on (-1: none). */
int worst_severity(const struct findings *fs);

/* Is the check one of a link alone? (see link_note) */
static inline int
link_only(int c)
{
	switch (c) {
	case C_SELF_LINK: case C_STALE_UNKNOWN: case C_STALE_DISCONTINUED:
	case C_STALE_INACTIVE: case C_STALE_OUT_OF_STOCK:
	case C_UPSELL_NOT_PRICIER: case C_ONE_WAY_BUNDLE:
		return 1;
	}
	return 0;
}

/*
 * The checks of one link alone (self, stale, upsell price, one-way
 * bundle) have a finding a link, made in input order: all it needs is
 * the link's index (4 bytes, not 32, for 200 k findings of 1 M links).
 */
static inline void
link_note(struct findings *fs, int check, uint32_t i)
{
	struct flist *l = &fs->fnd[check];

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 1024;
		l->li = xreallocarray(l->li, l->cap, sizeof *l->li);
	}
	l->li[l->n++] = i;
	fs->ncheck[check]++;
}

#endif
