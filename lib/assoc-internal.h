/*
 * assoc-internal.h: the learner's state and the parts shared by its
 * files (assoc.c: thresholds, rules written; assoc-read.c: order lines
 * read; assoc-counts.c: --counts and --merge; similar.c: upsells and
 * substitutes) and by no other module.
 */
#ifndef ASSOC_INTERNAL_H
#define ASSOC_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include "xsell.h"
#include "buf.h"
#include "writer.h"
#include "assoc.h"
#include "baskets.h"
#include "bstream.h"
#include "intern.h"
#include "pairs.h"

/* Weighted counts are fixed-point integers in units of 2^-32 of a basket,
 * so that sums are exact and do not depend on the order of addition. */
#define WUNIT 4294967296.0

struct assoc {
	struct assoc_opts *o;
	struct intern items;	/* product ids */
	uint32_t *label;	/* intern id -> label: labels sort as the ids */
	uint32_t *byl;		/* label -> intern id */
	uint32_t nitems;
	uint64_t *icnt;		/* label -> weight of the baskets holding it */
	uint32_t *freq;		/* pruned basket item -> label */
	int interned;		/* basket items are interned ids, not labels */
	uint64_t n;		/* weight of all baskets */
	double unit;		/* 1, or WUNIT with --half-life */
	uint64_t thr;		/* a rule's count must be >= thr */
	struct baskets bk;
	struct bstream bs;	/* grouped lines: baskets on disk */
	/* --merge with --type: each label's co-occurrence row (partners
	 * and counts, in no order), from the merged pair counts */
	uint64_t *mstart;
	uint32_t *mx;
	uint64_t *mc;
	/* --merge of cross-sell counts: the sums, by intern id */
	int merged;
	struct pairs mpairs;	/* --max-items 2 */
	struct isets msets;	/* --max-items 3 or more */
	int streamed;		/* counted from bs, not bk */
	struct bsk_stats st;
	uint64_t rows, rejected, guests;
	/* output */
	FILE *fp;
	struct writer w;
	uint64_t written, subjects;
	uint64_t pairs, frequent;	/* distinct pairs (sets) counted, and
					 * at the threshold; for -v */
	struct buf subj;	/* the subject's ids, comma-separated */
};

/* A candidate rule subject -> head. */
struct cand {
	uint32_t head;
	uint64_t count;
	double key1, key2;	/* sort keys, larger first; NaN last */
	double extra[2];	/* price_ratio, margin / row_cosine */
};

static inline const char *
item_str(const struct assoc *L, uint32_t label)
{
	return intern_str(&L->items, L->byl[label]);
}

/* qsort's order of uint32_t ids, ascending. */
int assoc_cmp_ids(const void *a, const void *b);
/* Labels for the items interned so far (L->label, L->byl, L->nitems). */
void assoc_label_items(struct assoc *L);
/* The subjects of pair rows on disk: the labels with keep[label] set. */
uint32_t assoc_stream_subjects(struct assoc *L, const uint8_t *keep,
    uint32_t **newid);
void assoc_set_threshold(struct assoc *L);
void assoc_open_output(struct assoc *L);
void assoc_close_output(struct assoc *L);
/* The subject of the next rules: items by label. */
void assoc_set_subject(struct assoc *L, const uint32_t *set, int k);
/* The rules of the subject, subject count sc, best first. */
void assoc_emit_subject(struct assoc *L, uint64_t sc, struct cand *c,
    size_t nc);

#endif
