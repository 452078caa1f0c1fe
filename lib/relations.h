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
 */
#ifndef RELATIONS_H
#define RELATIONS_H

#include "xsell.h"
#include "buf.h"
#include "intern.h"

#define REL_BODY 0x80000000u	/* a subject key that is a body */

enum { REL_BODIES = 1 };

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
};

void relations_init(struct relations *R, struct intern *items,
    struct intern *types, struct intern *sources, int flags);
/* Reads one more file (TSV or JSON lines; exit 4 when it cannot be
 * opened, 3 without subject_id or linked_id, for an empty one, a bad
 * number; an empty file adds nothing). */
void relations_load(struct relations *R, const char *file);
/* Groups the links by subject, in input order within one, for the item
 * ids below nitems (every id the caller interned). */
void relations_index(struct relations *R, uint32_t nitems);
void relations_free(struct relations *R);
/* A link's "file:line". */
const char *relations_where(const struct relations *R,
    const struct rel_link *e, char *buf, size_t size);

#endif
