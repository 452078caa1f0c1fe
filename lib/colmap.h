/*
 * colmap.h: how xsell-import reads a merchant's header.
 *
 * The kinds of record xsell-import writes, their canonical columns and
 * the aliases each is known by; an input's header with the match key of
 * each column (case, blanks and punctuation dropped) and an index of
 * them; binding the canonical columns to the header's (--map, then the
 * export format the header is, then canonical names, then aliases);
 * guessing the kind; and when no kind fits, the nearest known name of
 * each column and the --kind and --map options that would read it.
 */
#ifndef XSELL_COLMAP_H
#define XSELL_COLMAP_H

#include <stddef.h>

#include "xsell.h"
#include "buf.h"
#include "intern.h"
#include "shopfmt.h"

/* What a canonical column holds, for checking and normalising values;
 * those kept as they are (ids, text) first, up to T_TEXT. */
enum {
	T_ID, T_OPTID, T_TEXT, T_NUM, T_POS, T_PCT, T_DATE, T_STATUS,
	T_LINK, T_SOURCE, T_LIST, T_BOOL, T_GROUP, T_OP
};
/* REQ: required. IFANY: written only when the first input has it.
 * OP: the --merge operation, read but never written. */
enum { REQ = 1, IFANY = 2, OP = 4 };

/* Aliases are column names with case and everything but letters and
 * digits dropped, best first; the canonical name always matches. */
struct spec {
	const char *name;
	int type, flags;
	const char *alias;
};

enum { K_CATALOG, K_RELATIONS, K_ORDERS, K_CUSTOMERS, K_OFFERS, K_EVENTS,
	K_NKINDS };
extern const char *const kind_names[];		/* ends with NULL */
extern const struct spec *const kind_cols[];	/* ends with a NULL name */
/* The order kinds are guessed in: most specific first. */
extern const int guess_order[K_NKINDS];

/* The match key of s[0..n): lowercase letters, digits and non-ASCII
 * bytes, cut to cap - 1 bytes. */
void colmap_key(const char *s, size_t n, char *out, size_t cap);
/* Drops blanks, and the no-break spaces spreadsheets leave, around s. */
void colmap_trim(const char **s, size_t *n);
int colmap_nspecs(const struct spec *sp);

/* An input's header. */
struct header {
	const char *name;	/* the input, for messages */
	int ncols;
	char **cols;		/* the names as given, trimmed */
	char **ckey;		/* column -> its match key, "" when empty */
	struct intern keys;	/* the keys, in order: */
	int *keycol;		/* key id -> column; an empty key is left out */
	struct shopfmt_use use;	/* the export format it is, or the wide form */
};

void header_init(struct header *h);
/* Keeps the names and indexes their keys, so that mapping takes time
 * linear in the columns. Two columns with one key could each be the one
 * a canonical name or alias means: exit 3 naming both. */
void header_set(struct header *h, const char *name, char *const *f,
    const size_t *len, int n);
/* The column whose key is key[0..n), or -1. */
int header_col(const struct header *h, const char *key, size_t n);
/* The column named name: by its key, or as it is when it has none (the
 * first not in skip, when skip is not NULL); -1. */
int header_named(const struct header *h, const char *name,
    const unsigned char *skip);
/* Exit 3: "name: columns 2 'A' and 5 'a' collide: how". */
XS_NORETURN void header_collide(const struct header *h, int a, int b,
    const char *how);
/* "a, b, c", or "none". */
void header_found(struct buf *b, const struct header *h);
void header_free(struct header *h);

/* What the options say about binding. */
struct colmap_opts {
	char *const *maps;	/* --map canonical=source */
	int nmaps;
	int merge;		/* --merge: the op column is read */
};

/*
 * The export format the header is (of kind, or any when kind < 0), or
 * for relations without a linked column the wide form (Linked 1, ...):
 * h->use.
 */
void colmap_detect(const struct colmap_opts *o, struct header *h, int kind);
/*
 * Binds the canonical columns sp to the header's: src[k] the column of
 * sp[k] or -1, used[j] set for each column read as a canonical one (or as
 * links). With weak 0 the catch-all aliases (id, code) do not count, for
 * guessing. A --map of no column is exit 3.
 */
void colmap_bind(const struct colmap_opts *o, const struct spec *sp,
    const struct header *h, int *src, unsigned char *used, int weak);
/* sp's values come from the header's lists (linked_id of links). */
int colmap_from_lists(const struct header *h, const struct spec *sp);
/*
 * The kind of the header: its export format's, or the first in
 * guess_order whose required columns it has (said on stderr). When none
 * fits, exit 3 naming the columns, the nearest known name of each and the
 * --kind and --map options that would read it.
 */
int colmap_guess(const struct colmap_opts *o, const struct header *h);

/* The bytes of a column name's match key: ASCII letters folded to lower
 * case, letters, digits and any byte of a multibyte character kept (the
 * rest separate words). Locale-free, for header mapping and import's
 * column names alike. */
static inline int
colmap_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static inline int
colmap_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c >= 0x80;
}

#endif
