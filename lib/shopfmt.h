/*
 * shopfmt.h: what shops export, for xsell-import.
 *
 * The export formats xsell-import recognises by their header (Shopify
 * orders, Magento and WooCommerce products, Personyze's managed links):
 * which column is which canonical column, which columns are lists of
 * linked products (and the link type their name says), where a list's
 * positions are. Also the wide form (Linked 1, Linked 2, ...), lists in
 * one cell, the lines of one order that leave its date and customer to
 * the first, and the distance between two names for suggesting the
 * nearest alias.
 *
 * Columns are matched by their keys: the name in lowercase letters and
 * digits, everything else dropped ("Linked (upsell product ID)" is
 * linkedupsellproductid).
 */
#ifndef XSELL_SHOPFMT_H
#define XSELL_SHOPFMT_H

#include <stddef.h>

#include "xsell.h"
#include "buf.h"

/* A column of links: each item of each cell is one link. */
struct shopfmt_list {
	int col;		/* the input column */
	const char *type;	/* the link type its name says, or NULL */
	int poscol;		/* the column with the positions, a list, or -1 */
	long pos;		/* the position its number says (Linked 2), or 0 */
};

struct shopfmt {
	const char *name;	/* "Magento product export" */
	const char *kind;	/* the --kind it is read as */
	const char *need;	/* keys the header must have, space-separated */
	const char *map;	/* "canonical=key ...": the columns it names */
	struct {
		const char *key, *type, *poskey;
	} lists[3];		/* columns of links: one at least is needed */
	const char *title;	/* key of the column with the titles, or NULL */
	int product_rows;	/* a row per product, its links in lists: the
				 * product's other columns are not about links */
};

/* The recognised formats, ended by a NULL name. */
extern const struct shopfmt shopfmt_table[];

/* A header read in the light of a format (or of the wide form alone). */
struct shopfmt_use {
	const struct shopfmt *fmt;	/* NULL: none */
	int title;		/* column with the titles, or -1 */
	int nlist;
	struct shopfmt_list *list;
};

/*
 * The format the header fits (keys: each column's key, "" for a name
 * without letters or digits), of kind when kind is not NULL: 1 and *u
 * filled, or 0. A list column may come numbered (Linked (upsell product
 * ID) 1, ... 2): each is a list of its own, its number the position.
 */
int shopfmt_find(char *const *keys, int n, const char *kind,
    struct shopfmt_use *u);
/*
 * The wide form: columns whose key is one of stems (space-separated)
 * followed by a number (linked1, linked2, ...), appended to u's lists in
 * column order with their numbers as positions; stems of fewer than three
 * letters are left out. Returns how many.
 */
int shopfmt_wide(char *const *keys, int n, const char *stems,
    struct shopfmt_use *u);
void shopfmt_use_init(struct shopfmt_use *u);
void shopfmt_use_free(struct shopfmt_use *u);
/*
 * The column a format says canonical column canon is: >= 0 the column,
 * -1 the format says the file has none (or reads it from its lists),
 * -2 the format leaves it to the usual aliases.
 */
int shopfmt_col(const struct shopfmt_use *u, char *const *keys, int n,
    const char *canon);

/*
 * The items of a list in one cell, separated by sep (seplen bytes),
 * blanks around each dropped, empty ones skipped:
 * while (shopfmt_item(&p, end, sep, seplen, &item, &n)) ...
 */
int shopfmt_item(const char **p, const char *end, const char *sep,
    size_t seplen, const char **item, size_t *n);

/*
 * The lines of one order that follow each other: the values its first
 * line carries and later lines leave empty (Shopify's date and
 * customer). For each line, carry_order with its order id (1: the same
 * order as the line before), then carry_value for each such value i
 * (below CARRY_MAX): an empty one becomes the order's first, valid until
 * the next carry_order.
 */
#define CARRY_MAX 4
struct carry {
	struct buf key, val[CARRY_MAX];
	int started;
};

void carry_init(struct carry *c);
void carry_free(struct carry *c);
int carry_order(struct carry *c, const char *key, size_t kn);
void carry_value(struct carry *c, int i, int same_order, const char **v,
    size_t *n);

/* Levenshtein distance between a and b, for the nearest known name. */
int shopfmt_dist(const char *a, size_t an, const char *b, size_t bn);

#endif
