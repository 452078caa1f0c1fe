/*
 * bstream.h: pair counts from order lines grouped by basket, in memory
 * that grows with the items, not with the lines.
 *
 * When the lines of each basket come together (an export lists an
 * order's lines together; sort(1) puts them together), a basket is
 * complete when its key changes. It is netted at once and written with
 * its interned item ids to a temporary file, as sort(1) spills to disk:
 * in $TMPDIR (default /tmp), removed as soon as it is created, so that
 * nothing is left behind whatever happens. Its items are counted as it
 * is written (with weights, read back: bstream_count); reading it back
 * keeps the baskets' frequent items in a
 * second, smaller file (bstream_prune), and counts the pairs a row at a
 * time (bstream_rows): the rows of a block of subjects are gathered
 * from the second file into a buffer of at most a given size, one pass
 * over the file for each block, and each row is summed into an array
 * as long as the subjects, as struct baskets does in memory.
 *
 * Grouping is proven, not assumed: the keys must come in one strict
 * order (ascending or descending, compared as bytes or as numbers), so
 * that no key can come back after another. When a key breaks every such
 * order, bstream_key says so and the caller replays the baskets read so
 * far into struct baskets (bstream_replay) and goes on as for lines in
 * any order.
 *
 * Memory: the current basket's lines; per subject 8 bytes of suffix
 * sizes and 12 of row counters; and the block, at most the size given,
 * unless one subject's row alone is larger: that row is summed straight
 * from the file. Disk: 4 bytes a line and 8 (16 with times) plus the key
 * a basket, then 2 bytes a frequent item of a basket with two or more
 * (4 with weights or more than 65536 subjects: the blocks likewise).
 */
#ifndef BSTREAM_H
#define BSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "xsell.h"
#include "buf.h"
#include "baskets.h"

/* A temporary file written once and read back any number of times. */
struct spool {
	int fd, file;		/* file: fd is open; else all is in buf */
	unsigned char *buf;
	size_t cap, len, pos;	/* writing: buf[0, len); reading: buf[pos, len) */
	int reading, eof;
	uint64_t bytes;		/* written */
};

/* A basket's weight from its latest ts (fixed point, 0 drops it). */
typedef uint64_t bstream_weight_fn(void *ctx, int64_t ts);
/* A basket read so far, netted: its key, latest ts and items. */
typedef void bstream_replay_fn(void *ctx, const char *key, size_t klen,
    int64_t ts, const struct bsk_line *v, size_t n);
/* The row of subject a: cnt[x] for the x in touched[0, nt), each x > a.
 * The callee may reorder touched; the caller zeroes cnt afterwards. */
typedef void bstream_row_fn(void *ctx, uint32_t a, const uint64_t *cnt,
    uint32_t *touched, size_t nt);

struct bstream {
	struct spool runs;	/* every basket, netted */
	struct spool kept;	/* baskets of two or more subjects */
	int with_ts;
	/* reading */
	struct bsk_line *cur;	/* the open basket's lines */
	size_t ncur, capcur;
	int64_t curts;
	struct buf key;		/* its key */
	int keydig;		/* the key is all digits */
	int open;
	unsigned order;		/* the orders the keys so far keep */
	uint64_t nbaskets;
	/* Without weights a basket counts the same read now as read back:
	 * its items are counted as it is written, while the input still
	 * comes, not in a pass of their own at the end. */
	uint32_t max_items;	/* 0: no limit */
	uint64_t *icnt;		/* item -> kept baskets holding it */
	size_t capicnt;
	struct bsk_stats est;
	uint64_t en;		/* kept baskets */
	int64_t maxts;		/* latest ts of all; INT64_MIN before any */
	/* reading back */
	bstream_weight_fn *weight;	/* NULL: every basket weighs 1 */
	void *wctx;
	uint32_t *sub;		/* a basket's subjects */
	size_t capsub;
	uint32_t nsub;		/* subjects are 0 .. nsub - 1 */
	int narrow;		/* the second file's subjects are 16 bits */
	uint64_t *usz;		/* subject -> size of its row's suffixes */
	uint64_t nkept;
};

/* with_ts: baskets keep their latest ts, for a weight; max_items: the
 * most items a basket counted may have (0: no limit). */
void bstream_init(struct bstream *s, int with_ts, uint32_t max_items);
void bstream_free(struct bstream *s);
/*
 * The next line's basket key, when it differs from the line before's.
 * Returns 1, or 0 when the key breaks every strict order the keys kept
 * so far: the key may have come before, and the caller must fall back
 * (bstream_replay), giving this key and its lines to struct baskets.
 */
int bstream_key(struct bstream *s, const char *key, size_t len);
/* A line of the current basket (ts used when made with_ts). */
void bstream_line(struct bstream *s, uint32_t item, double qty, int64_t ts);
/* After the last line. */
void bstream_end(struct bstream *s);
/* Every basket written so far, in input order (after bstream_key
 * returned 0, or bstream_end). */
void bstream_replay(struct bstream *s, bstream_replay_fn *fn, void *ctx);

/*
 * Which baskets count, as bsk_build decides: the items of net quantity
 * > 0; none left is empty, more than max_items is big, a weight of 0 is
 * weightless. Sets st, adds each kept basket's weight to *n and to
 * cnt[item] (cnt as long as the item ids, nitems). weight: NULL when
 * every basket weighs 1 (then nothing is read back); else the bstream
 * must have been made with_ts.
 */
void bstream_count(struct bstream *s, bstream_weight_fn *weight, void *wctx,
    struct bsk_stats *st, uint64_t *cnt, uint32_t nitems, uint64_t *n);
/*
 * Keeps the items with newid[item] != UINT32_MAX, renamed (all < nsub),
 * and the kept baskets left with two or more: returns how many.
 */
uint64_t bstream_prune(struct bstream *s, const uint32_t *newid,
    uint32_t nsub);
/*
 * Every subject's upper row (the partners after it), subjects ascending,
 * gathered in blocks of at most memory bytes; returns the number of
 * distinct pairs.
 */
uint64_t bstream_rows(struct bstream *s, size_t memory, bstream_row_fn *fn,
    void *ctx);
/* Bytes written to the temporary files (or kept in their buffers). */
static inline uint64_t
bstream_bytes(const struct bstream *s)
{
	return s->runs.bytes + s->kept.bytes;
}

#endif
