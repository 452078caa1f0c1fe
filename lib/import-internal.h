/*
 * import-internal.h: the state of an import run, shared by the files of
 * the import engine and by no other module: import.c (the inputs, the
 * run), import-row.c (a row and its lists, its values checked and
 * normalised, the kinds' rules), import-map.c (the kind, the output's
 * columns, an input's columns bound to them), import-reject.c
 * (reasons, the rejects file, the counts and the -v report) and
 * import-preview.c.
 */
#ifndef XSELL_IMPORT_INTERNAL_H
#define XSELL_IMPORT_INTERNAL_H

#include <regex.h>
#include <stdio.h>
#include <sys/types.h>

#include "xsell.h"
#include "buf.h"
#include "num.h"
#include "rec.h"
#include "writer.h"
#include "progress.h"
#include "intern.h"
#include "colmap.h"
#include "csvin.h"
#include "date.h"
#include "import.h"
#include "merge.h"
#include "shopfmt.h"

/* What a reason counts: rows rejected as data problems, rows dropped on
 * request, values blanked in rows that were kept. */
enum { R_PROBLEM, R_POLICY, R_BLANK };

struct reason {
	char *key;		/* the reason without the value */
	char *first;		/* "file:line" of the first row */
	long n;
	int what;		/* R_PROBLEM, R_POLICY, R_BLANK */
};

enum { F_CSV, F_TSV, F_JSON };

/* One input being read. */
struct src {
	int fmt;		/* F_CSV, F_TSV, F_JSON */
	struct csvin c;
	struct rec r;
	const char *name;
	struct header h;	/* its columns */
	pid_t child;		/* copies stdin back after sniffing, or 0 */
};

/* One row as read, whatever the format. */
struct row {
	char **f;
	size_t *len;
	int nf;
	long line, lastline;
	int special;
	int plain;		/* csvin's plain: no field to trim, check or
				 * escape */
	const char *bad;	/* malformed: why */
	int badcol;		/* malformed CSV: the field, from 1 */
	const char *raw;	/* malformed: the line as read, when known */
	size_t rawlen;
};

/* --preview: what it counts and keeps to show at the end. */
struct preview {
	struct intern ids[3];	/* the distinct values of up to 3 columns */
	int ix[3], nids;
	uint32_t *links;	/* relations: links per subject */
	size_t nlinks;
	char ***sample;		/* the output's columns, then the title */
	int nsample;
	int title;		/* the sample shows the titles the file has */
	char **titles;		/* relations: subject -> its title, or NULL */
	struct buf cols;	/* how the first input's columns were mapped */
	struct buf problems;
};

/* A slot's positions list against its items (struct import's posok). */
enum { P_NONE, P_PAIRED, P_BAD };

/* Where a row's values for the list column (im->lt) come from: each item
 * of a cell is a record of its own (--split, the formats' lists, the wide
 * form). */
struct slot {
	int col;		/* the input column */
	int poscol;		/* its positions, a list, or -1 */
	long pos;		/* the position its name says, or 0 */
	const char *type;	/* the link type its name says, or NULL */
	const char *sep;	/* the separator of its items */
	size_t seplen;
};

/* A bad value in an optional column of the row being converted: blanked,
 * and reported when the row is written. */
struct blank {
	int col;		/* the input column, or -1 (--set) */
	int k;			/* the spec */
	const char *v;		/* the value as read */
	size_t n;
	char key[256], why[512];
};

/* The state of one run. */
struct import {
	const struct import_opts *o;
	int kind;		/* K_*, or -1 before the first header */
	int delim_eff;		/* the current input's delimiter */
	struct colmap_opts cm;	/* --map and --merge, for binding */
	char **paths;		/* the inputs as given */
	/* the specs of the kind and the output layout (first input) */
	const struct spec *spec;
	int nspec;
	int *ospec;		/* spec -> output column, or -1 */
	int nout, nextra;
	size_t capout, capextra;	/* grown by doubling: a header may have 100 k columns */
	char **ocol;
	char **extra;		/* extra output columns, after the canonical ones */
	int ready;
	const char **setv;	/* spec -> its --set value, or NULL */
	const char **extra_setv;	/* extra -> its --set value, or NULL */
	/* this input's columns for each spec and extra */
	int *spec_src, *extra_src;
	int title_col;		/* its titles (for --preview), or -1 */
	struct slot *slot;	/* its lists, feeding spec lt */
	int nslot, lt;
	size_t capslot;
	int slot_opt;		/* a row with no items in its lists is a product
				 * without links, not a problem */
	unsigned char *peritem;	/* spec -> converted per item, not per row */
	unsigned char *posok;	/* slot -> its positions: P_NONE, P_PAIRED,
				 * P_BAD (not as many as items: blanked) */
	int conv_col;		/* the input column of the value being converted */
	int checking;		/* --set values: a bad one is an error */
	struct blank *bl;	/* the row's blanked values */
	int nbl, capbl;
	int whycol;		/* the input column the row's reason is about */
	const char *whyv;
	size_t whyn;
	const char *item;	/* the list item being converted, for --rejects */
	size_t itemlen;
	const char *itempos;
	size_t itemposlen;
	const char *itemtype;
	int initem;
	struct carry carry;	/* orders: an order's lines after its first */
	unsigned char *carried;	/* output column -> this input has it */
	unsigned char *rowcarried;	/* the same for the record being
				 * merged, when it differs (merge_carried) */
	int pos_given;		/* the list item has a position of its own */
	int ncols_in;
	/* the row being converted */
	char **val;		/* spec -> value */
	size_t *vlen;
	char (*nb)[NUM_BUF];
	char (*draw)[32];	/* last date seen per spec, and its form */
	size_t *drawlen;
	char (*dout)[NUM_BUF];
	size_t *doutlen;
	int dlastk;		/* the spec whose dout is of dlast, or -1 */
	int64_t dlast;
	struct buf *lb;		/* lists */
	struct intern onames;	/* output column names: id = output column */
	char **v;		/* output row */
	size_t *olen;
	int oident;		/* the output row is val itself: the kind's
				 * columns in order, no others, written */
	int type_given;		/* the row has a link type of its own */
	int oos;		/* the row's status said out of stock */
	int verbatim;		/* every value of the output row is the row's
				 * own (plain) or made by a conversion: none
				 * to escape */
	char why[512];
	const char *whykey;
	char keybuf[256];
	/* where things go */
	FILE *out;
	struct writer w;
	FILE *spool;		/* --strict on stdout: held back until the end */
	FILE *rej;
	struct writer rw;
	char **rv;
	size_t *rl;
	int *rej_at;		/* this input's column -> rejects column */
	int rej_op;		/* --merge: the rejects column of op */
	/* counts */
	long in, nout_rows, rejected, problems;
	long nrec;		/* rows after splitting lists: out + rejected */
	long blanked;
	long written;		/* records in the output */
	struct reason *rs;
	int nrs;
	/* kind rules */
	int ix_order, ix_product, ix_qty, ix_subject, ix_linked, ix_type,
	    ix_op, ix_stock, ix_status, ix_pos, ix_customer, ix_ts;
	struct intern ids;	/* relations: ids for duplicate detection */
	struct linkset links;
	char **files;		/* names for "first at" messages */
	int nfiles;
	struct intern excl;	/* --exclude: product -> matched */
	unsigned char *excl_hit;
	uint32_t nexcl;
	struct preview pv;
	struct merge mg;
	struct progress pg;
};

/* Blanks (and no-break spaces) at either end of a value dropped; the
 * test first, as most values have none. */
static inline void
trim(const char **s, size_t *n)
{
	const unsigned char *p = (const unsigned char *)*s;

	if (*n && (p[0] <= ' ' || p[0] == 0xC2 || p[*n - 1] <= ' ' ||
	    p[*n - 1] == 0xA0))
		colmap_trim(s, n);
}

/* Source column j of a row, trimmed; empty where the row has no column j
 * (or j < 0: the column is not in this input). */
static inline void
src_field(const struct row *rw, int j, const char **p, size_t *n)
{
	*p = "";
	*n = 0;
	if (j >= 0 && j < rw->nf) {
		*p = rw->f[j];
		*n = rw->len[j];
		if (!rw->plain)
			trim(p, n);
	}
}

static inline void
set_val(struct import *im, int k, const char *s, size_t n)
{
	im->val[k] = (char *)s;
	im->vlen[k] = n;
}

/* import-row.c: a row of s read (src_next), then written or rejected:
 * one_row for a row without lists, split_row for one with */
void imp_one_row(struct import *im, const struct src *s, const struct row *rw,
    int fileno);
void imp_split_row(struct import *im, const struct src *s,
    const struct row *rw, int fileno);

/* import-map.c */
int imp_spec_ix(const struct import *im, const char *name);
void imp_set_kind(struct import *im, int kind);
void imp_make_layout(struct import *im, const struct src *s,
    const unsigned char *used);
void imp_map_input(struct import *im, const struct src *s);

/* import-row.c, values: a failure sets why,
 * whykey and the column it is about, and returns -1 */
int imp_fail_key(struct import *im, const char *key);
int imp_fail(struct import *im, int k, const char *what, const char *s,
    size_t n);
int imp_blank(struct import *im, int k, const char *s, size_t n);
int imp_conv(struct import *im, int k, const char *s, size_t n);

/* import-reject.c */
void imp_open_rejects(struct import *im, int ncols, char *const *cols);
void imp_map_rejects(struct import *im, const struct src *s);
void imp_reject(struct import *im, const struct src *s, const struct row *rw,
    int policy);
void imp_blanks(struct import *im, const struct src *s, const struct row *rw,
    int from);
merge_dup_fn imp_base_duplicate;
void imp_report(const struct import *im);

/* Reports the values blanked in the row (or list item) just written,
 * from the from'th on: most rows have none. */
static inline void
imp_report_blanks(struct import *im, const struct src *s,
    const struct row *rw, int from)
{
	if (from < im->nbl)
		imp_blanks(im, s, rw, from);
}

/* import-preview.c */
void imp_preview_init(struct import *im);
void imp_describe_map(struct import *im, const struct src *s);
int imp_title_col(const struct import *im, const struct src *s);
void imp_preview_row(struct import *im, const struct row *rw);
void imp_preview_print(struct import *im, FILE *fp);
void imp_preview_free(struct import *im);

#endif
