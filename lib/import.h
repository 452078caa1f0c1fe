/*
 * import.h: the engine of xsell-import. Each input is read by content
 * (JSON lines, xsell TSV, or CSV through libcsv), its header mapped to
 * the canonical columns of a kind (colmap.h), and every row checked and
 * normalised, or rejected with a reason: counted, named with -v, written
 * to --rejects. A bad value in an optional column is blanked and the row
 * kept. Lists in a cell (--split, the export formats, the wide form) make
 * a record of each item. The records go to the output, to --preview's
 * summary, or with --merge onto a relations snapshot (merge.h).
 *
 * Use: import_new (the options, the inputs; opens the output),
 * import_file for each input in turn, import_finish.
 */
#ifndef XSELL_IMPORT_H
#define XSELL_IMPORT_H

#include <regex.h>

#include "date.h"

struct import_opts {
	int kind;		/* K_*, or -1: guessed from the first header */
	int json, strict, preview, csv, keep_returns, full, force;
	int delim;		/* --delimiter, or 0: guessed */
	double max_shrink;	/* of an existing -o snapshot, 0 to 1 */
	const char *shrink_arg;	/* as given, for the message */
	char **maps;		/* --map canonical=source */
	int nmaps;
	char **sets;		/* --set name=value, as given */
	int nsets;
	char **splits;		/* --split column[=sep], as given */
	int nsplits;
	struct datefmt df;	/* --date-format */
	regex_t exclude;
	int has_exclude;
	const char *out_path, *rej_path, *merge_path;
};

struct import;

/* Sets the defaults: no kind, --max-shrink 50%. */
void import_opts_init(struct import_opts *o);
/* Checks the --map and --set of a given kind, claims the inputs (an
 * output that is one is exit 2) and opens the output. The options and
 * the files must outlive the engine. */
struct import *import_new(const struct import_opts *o, int nfiles,
    char **files);
/* Reads the i'th input. */
void import_file(struct import *im, int i);
/* Writes what is held back, reports, closes the outputs, frees; returns
 * the exit status. */
int import_finish(struct import *im);

#endif
