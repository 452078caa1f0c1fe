/*
 * relations.h: relations files (subject_id, linked_id, type, source,
 * position, confidence, lift and any other columns) read into links,
 * each with the file and line it came from, and indexed by subject.
 * Ids, types and sources are interned into the caller's maps, so that
 * the links and the other side files (catalog.h) share one id space.
 * With REL_BODIES a subject that is a comma list of two or more items
 * (a learned rule's body, "A,B") is a body, indexed by its first item.
 * Memory grows with the links.
 *
 * xsell-import --merge edits a snapshot of links with a store of its own
 * (merge.h says why).
 *
 * Use: relations_init, relations_load for each file, relations_index
 * once every file that interns ids is read, then the links of item i are
 * e[start[i] .. start[i + 1]), of body b e[bstart[b] .. bstart[b + 1]).
 *
 * REL_REPORT is for a tool whose job is to report what is wrong with
 * the relations (xsell-audit), as CATALOG_REPORT is for a catalog: a row
 * with an empty id is handed to the caller, not exit 3; a link keeps its
 * ids, its type as one of the caller's words, its source and file:line
 * (struct rel_row, in input order; no numbers read, no other columns);
 * the caller's hooks (struct rel_report) see the rows. Ids are looked up
 * in batches, so that the cache misses overlap; they keep the order of
 * first sight. Use: relations_init_report, relations_load for each
 * file, relations_rows_index when the links are wanted by subject.
 */
#ifndef RELATIONS_H
#define RELATIONS_H

#include "xsell.h"
#include "buf.h"
#include "intern.h"

#define REL_BODY 0x80000000u	/* a subject key that is a body */

enum { REL_BODIES = 1, REL_REPORT = 2 };

/* One link, as the expansion of a context reads it. */
struct rel_link {
	uint32_t linked;	/* id in items */
	uint32_t seq;		/* input order over every file */
	uint16_t type, src;	/* ids in types and sources */
	uint16_t nvals;
	size_t vals;		/* the other columns' values in pool */
	double pos, conf, lift;	/* NaN when missing */
};

/* A body of several items: a cart that holds all of them. */
struct rel_body {
	uint32_t item0, nitem;	/* in bitem */
};

/* REL_REPORT: a link (16 bytes: a million stay small). */
struct rel_row {
	uint32_t subj, linked, line;	/* ids in items */
	uint16_t file;		/* in files */
	unsigned char type;	/* in the caller's words; nwords: another */
};

/* REL_REPORT: a row as the hooks see it. */
struct rel_seen {
	uint32_t subj, linked;	/* INTERN_NONE: empty (check: not known) */
	long line;
	int file;
	int type;		/* as rel_row's */
	const char *word;	/* the type as given, when another word */
	const char *val;	/* the value of col, when the row has one */
	size_t vallen;
	size_t link;		/* the row's link, or SIZE_MAX: an id is empty */
};

struct rel_report {
	const char *const *words;	/* the types known, fewer than 255 (an
					 * empty type or none is the first);
					 * NULL-terminated */
	const char *col;	/* a column whose values the hooks see */
	struct intern *sources;	/* the links' sources (NULL: not kept) */
	void *arg;
	/* A link's row as it is read, its ids not known yet: is it one for
	 * row()? (most rows are not: they cost no copy of their text) */
	int (*check)(void *arg, const struct rel_seen *v);
	/* A row with an empty id, or one check() asked for, its ids known;
	 * in input order. */
	void (*row)(void *arg, const struct rel_seen *v);
	/* Links from .. to (in row) have their ids, after their rows' row(). */
	void (*links)(void *arg, size_t from, size_t to);
};

struct relbatch;

struct relations {
	struct intern *items, *types, *sources;	/* the caller's maps */
	int flags;
	uint16_t deftype, defsrc;	/* cross_sell, managed */
	int ncols;		/* the other columns, over every file */
	char **cols;
	int conf, lift;		/* their index in cols, or -1 */
	struct buf pool;	/* values of cols, NUL-terminated, link by link */
	struct rel_link *e;	/* input order, then grouped by subject */
	uint32_t *key;		/* while loading: item, or REL_BODY | body */
	size_t ne, cape;
	uint32_t *start;	/* item i: e[start[i] .. start[i + 1]) */
	uint32_t *bstart;	/* body b: e[bstart[b] .. bstart[b + 1]) */
	uint32_t *istart, *ibody;	/* item -> the bodies it opens */
	struct rel_body *body;
	uint32_t nbody, capbody;
	uint32_t *bitem;
	size_t nbitem, capbitem;
	struct intern bodykey;	/* normalised "A,B" -> body */
	/* where each link is, by seq */
	char **files;		/* as messages name them */
	int nfiles;
	uint32_t *line;
	uint16_t *file;
	/* REL_REPORT */
	const struct rel_report *rep;
	struct rel_row *row;	/* the links, in input order */
	uint32_t *rowsrc;	/* their sources: ids in rep->sources, or
				 * INTERN_NONE */
	size_t nrow, caprow;
	/* the links by subject, linked, type, input order: ord has their
	 * indices, subject s's run is ord[sfirst[s]] .. ord[sfirst[s + 1]];
	 * nsfirst: the subjects it covers */
	uint32_t *ord, *sfirst;
	uint32_t nsfirst;
	int nwords;
	int hascol;		/* a file had the column rep->col */
	struct relbatch *batch;	/* while loading */
};

void relations_init(struct relations *R, struct intern *items,
    struct intern *types, struct intern *sources, int flags);
/* REL_REPORT, with the caller's words and hooks (kept, not copied). */
void relations_init_report(struct relations *R, struct intern *items,
    const struct rel_report *rep);
/* Reads one more file (TSV or JSON lines; exit 4 when it cannot be
 * opened, 3 without subject_id or linked_id, for an empty one (but with
 * REL_REPORT), a bad number; an empty file adds nothing). */
void relations_load(struct relations *R, const char *file);
/* Groups the links by subject, in input order within one, for the item
 * ids below nitems (every id the caller interned). */
void relations_index(struct relations *R, uint32_t nitems);
/* REL_REPORT: ord and sfirst, for the subjects below nitems. */
void relations_rows_index(struct relations *R, uint32_t nitems);
/* One subject's run of links o[0 .. n) into (linked, type, input) order. */
void relations_rows_sort(const struct relations *R, uint32_t *o, size_t n);
void relations_free(struct relations *R);
/* A link's "file:line". */
const char *relations_where(const struct relations *R,
    const struct rel_link *e, char *buf, size_t size);

#endif
