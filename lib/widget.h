/*
 * widget.h: ranked rows in the form a web widget or an e-mail template
 * reads. One JSON object per list (a context, or a context and a
 * placement) with its offers in rank order, and display fields (title,
 * price, url, ...) joined from a catalog, their numbers rounded on
 * request.
 *
 * It sits behind the record writer: a tool opens its output with
 * widget_open instead of writer_open and writes its rows with writer_row as
 * before (the writer hands them on, struct writer_sink). Rows of one list
 * must come one after another, as xsell-rank writes them. Memory: the
 * catalog's rows and one list.
 */
#ifndef WIDGET_H
#define WIDGET_H

#include "xsell.h"
#include "buf.h"
#include "writer.h"

struct widget_opts {
	int group_json;		/* one object per list instead of rows */
	const char *by;		/* the list's key column */
	const char *per;	/* and its placement column, or NULL */
	const char *catalog;	/* display fields from here first, or NULL */
	const char *with;	/* comma list of display fields, or NULL */
	int precision;		/* decimals of numeric display fields; -1 exact */
};

/* Is any of the options on (else widget_open is writer_open)? */
int widget_wanted(const struct widget_opts *o);

/*
 * Opens w on fp for rows of ncols columns named cols (json: JSON lines,
 * as for writer_open). Loads the catalog; a --with field in neither the
 * catalog nor cols is exit 3. Without any option on, this is writer_open.
 */
void widget_open(struct writer *w, FILE *fp, int json, int ncols,
    char *const *cols, const struct widget_opts *o);

/*
 * The decimal number s[0..n) rounded to at most prec decimals, half away
 * from zero on the digits as written (2.675 is 2.68), trailing zeros
 * dropped, -0 as 0, no exponent. Anything that is not a number is
 * returned as it is. The result is in out (or is s); *outlen its length.
 */
const char *widget_round(const char *s, size_t n, int prec, struct buf *out,
    size_t *outlen);

#endif
