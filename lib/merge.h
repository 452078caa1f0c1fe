/*
 * merge.h: xsell-import --merge, a relations feed applied to a base
 * snapshot. The base is read into a store of links, (subject, linked,
 * type) in the order first seen; each feed row adds a link, updates one
 * (the columns the feed has, the others keeping the base's values) or
 * removes it (op remove); --full removes what the feed did not name.
 * A link repeated in the base keeps its first row; the others are
 * handed to the caller to report. The counts add up: links in + added -
 * removed - not in the feed = links out.
 *
 * Also the set of links by (subject, linked, type) that import's
 * duplicate check uses.
 *
 * Not struct relations (relations.h): that is a read-only index for
 * expanding contexts (numbers parsed, a type is its spelling, every row
 * a link); a snapshot is edited (cells replaced, links removed), written
 * back byte for byte (a bad position passes), and a link is one whatever
 * the spelling of its type ("Cross Sell" is cross_sell).
 *
 * Use: merge_init, merge_open (the base's header, the snapshot's
 * columns), merge_load (its rows), merge_row for each feed row,
 * merge_write, merge_free.
 */
#ifndef XSELL_MERGE_H
#define XSELL_MERGE_H

#include <stdint.h>
#include <stdio.h>

#include "xsell.h"
#include "buf.h"
#include "rec.h"
#include "writer.h"
#include "intern.h"

/* A link remembered: (subject, linked, type), and where it was first. */
struct seen_link {
	uint32_t s, l;
	uint32_t type;
	uint32_t at;		/* the line it was first seen on */
	uint32_t file;
};

struct linkset {
	struct seen_link *t;
	size_t n, cap;
	uint32_t *slot;		/* open addressing: index + 1, 0 empty */
	size_t nslot;
};

/* The link's index, or with add a new one (*isnew set); SIZE_MAX when
 * absent and not added. */
size_t linkset_find(struct linkset *ls, uint32_t s, uint32_t l, uint32_t type,
    int add, int *isnew);
void linkset_free(struct linkset *ls);
/* The code of a link type written the canonical way (shopwords.h). */
uint32_t link_code(const char *type);

/* The snapshot being built, rows in order. */
struct merge {
	const char *base;	/* its path */
	int full;		/* --full: the feed is the whole snapshot */
	int ncols;
	char **cols;
	struct intern names;	/* column name -> column */
	struct intern ids;	/* subject and linked ids */
	struct buf arena;	/* every value, NUL-terminated */
	size_t *off;		/* entry * ncols + column -> offset in arena */
	uint32_t *len;
	unsigned char *alive;
	unsigned char *fed;	/* the feed added or updated the entry */
	size_t n, cap;
	struct linkset keys;	/* link -> entry */
	int nfrom;
	int *from;		/* feed output column -> store column */
	struct rec r;		/* the base, until merge_load */
	int *bmap;		/* its columns -> store columns */
	struct writer w;
	long added, updated, removed, missed, nbase, dups, unfed;
};

/* A repeated link in the base, at r's row: its columns are r's mapped
 * through bmap; first is the link's first row. */
typedef void merge_dup_fn(void *arg, const struct rec *r, const int *bmap,
    const struct seen_link *first);

void merge_init(struct merge *m, const char *base, int full);
/* Opens the base; the snapshot's columns are the canonical ones, the
 * base's, then the feed's (nout, ocol). */
void merge_open(struct merge *m, int nout, char *const *ocol);
/* The snapshot's column named name, or -1. */
int merge_col(const struct merge *m, const char *name);
/* Reads the base's rows, dup called for each repeated link. */
void merge_load(struct merge *m, merge_dup_fn *dup, void *arg);
/*
 * Applies a feed row: the link (s, l, type), removed when remove (of
 * any type when !type_given), else added or updated with the output
 * row v, olen (the columns carried[i] the feed has, on an update).
 */
void merge_row(struct merge *m, const char *s, size_t sn, const char *l,
    size_t ln, const char *type, int type_given, int remove,
    char *const *v, const size_t *olen, const unsigned char *carried);
/* Writes the snapshot to fp and says the counts; the records written. */
long merge_write(struct merge *m, FILE *fp, int json);
void merge_free(struct merge *m);

#endif
