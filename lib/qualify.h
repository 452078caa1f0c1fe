/*
 * qualify.h: the engine of xsell-qualify. Each context read (a product
 * page, a cart, a customer) becomes its candidates from --relations,
 * --popular or --offers; a candidate is kept when it passes the built-in
 * checks and every rule in its scope. Kept ones go to the output, dropped
 * ones to --rejected with the rule that dropped them.
 *
 * Use: qualify_new (rules, then side files), qualify_open (the contexts
 * and the outputs), qualify_row for each row the returned reader gives,
 * qualify_close.
 */
#ifndef QUALIFY_H
#define QUALIFY_H

#include <stdint.h>

#include "xsell.h"
#include "rec.h"

/* --max-popular: best sellers kept per context unless said otherwise. */
#define QUALIFY_MAX_POPULAR 20

/* The relation types, in the order of the --type bits. */
extern const char *const qualify_types[];

struct qualify_opts {
	char **relations;
	int nrelations;
	const char *offers, *popular, *catalog, *rules, *rejected, *out;
	int64_t max_popular;	/* QUALIFY_MAX_POPULAR unless given */
	char **exprs;
	int nexprs;
	unsigned typemask;	/* --type: bits of qualify_types; 0 is all */
	int exclude_owned, in_stock, json;
};

struct qualify;

/* Reads the rules first (a typo is reported before any large file is
 * read), then the side files. The options are copied; their strings are
 * not, and must outlive the engine. */
struct qualify *qualify_new(const struct qualify_opts *o);
/* Opens the contexts (FILE ..., or stdin) and the outputs; returns the
 * contexts' reader, whose rows the caller reads with rec_next. */
struct rec *qualify_open(struct qualify *Q, int nfiles, char **files);
/* Qualifies the reader's current row. */
void qualify_row(struct qualify *Q);
/* Closes the outputs, reports (-v), frees; returns the exit status. */
int qualify_close(struct qualify *Q);

#endif
