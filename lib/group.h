/*
 * group.h: a record stream handed out one context (group of rows with
 * the same key) at a time, for the stages that decide per context
 * (xsell-score's impact scale, xsell-rank's top-N).
 *
 * GROUP_STREAM keeps one group in memory: rows with the same key must be
 * consecutive, as xsell-qualify writes them (group_check tells, for
 * files). A key seen again after its group ended is exit 3 naming the row,
 * since the group's result has already been written; the keys of closed groups are remembered as
 * 64-bit hashes (16 to 32 bytes a context, in a table at most half
 * full). GROUP_BUFFER reads everything first and hands out the groups in
 * order of first appearance, rows in input order: input in any order,
 * memory grows with rows. GROUP_ALL is the whole input as one group in
 * input order; GROUP_ROW is each row alone, without copying.
 */
#ifndef CTXGROUP_H
#define CTXGROUP_H

#include "xsell.h"
#include "buf.h"
#include "rec.h"
#include "intern.h"

enum { GROUP_STREAM, GROUP_BUFFER, GROUP_ALL, GROUP_ROW };

struct group {
	/* read-only for callers: the current group */
	size_t n;		/* its rows */
	int ncols;
	/* private */
	struct rec *r;
	int key, mode;
	const char *hint;	/* the option that reads ungrouped input */
	struct buf arena;	/* field bytes, NUL-terminated */
	size_t *off, *len;	/* row * ncols + col */
	char **f;		/* pointers into arena once a group is whole */
	const char **name;	/* per row: input name and line */
	long *line;
	size_t rows, cap;	/* rows stored, room for */
	size_t *at;		/* group row i -> stored row */
	size_t atcap;
	int pending;		/* the rec's current row starts the next group */
	int done;
	uint64_t *closed;	/* GROUP_STREAM: hashes of finished keys */
	size_t nclosed, closedcap;
	/* GROUP_BUFFER */
	size_t *next;		/* stored row -> next row of its group */
	size_t *head, *tail;	/* group id -> first, last stored row */
	uint32_t gnext;		/* next group id to hand out */
	struct intern keys;
};

/*
 * key is the grouping column (ignored for GROUP_ALL and GROUP_ROW); hint
 * names the option that reads ungrouped input, for the message. The rec
 * is open and stays owned by the caller.
 */
void group_init(struct group *g, struct rec *r, int key, int mode,
    const char *hint);
/*
 * Whether the rec's inputs are grouped by column key: 1 or 0 from a first
 * pass over them when they are all regular files (which can be read
 * twice), -1 for a pipe. Lets a tool buffer an ungrouped file unasked and
 * still stream a grouped one. Call before the first group_next.
 */
int group_check(struct rec *r, int key);
/* Reads the next group: 1, or 0 at the end of the input. */
int group_next(struct group *g);
void group_free(struct group *g);

/* Row i of the current group: fields and lengths, ncols of each. */
static inline char **
group_f(const struct group *g, size_t i)
{
	return g->f + g->at[i] * (size_t)g->ncols;
}
static inline size_t *
group_len(const struct group *g, size_t i)
{
	return g->len + g->at[i] * (size_t)g->ncols;
}
/* "file:line" of row i, for messages; valid until the next call. */
const char *group_where(const struct group *g, size_t i);
/* Field col of row i as a number (dflt when missing or col < 0), or
 * exit 3 naming file, line and column. */
double group_num(const struct group *g, size_t i, int col, double dflt);

#endif
