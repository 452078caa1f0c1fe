/*
 * xsell-import: merchant CSV, TSV or JSON lines in, canonical records out.
 *
 * Each input is read by content (JSON lines, xsell TSV, or CSV through
 * libcsv), its header is mapped to the canonical columns of a kind (by
 * aliases, case and spacing aside, or --map), and every row is checked
 * and normalised or rejected with a reason. Rows stream: memory grows
 * only with what duplicate detection, --exclude, --preview and --merge
 * must remember.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xsell.h"
#include "colmap.h"
#include "csvin.h"
#include "date.h"
#include "merge.h"
#include "report.h"
#include "shopfmt.h"
#include "shopwords.h"

static const char usage_text[] =
    "usage: xsell-import [-jqv] [--csv] [--strict] [--preview] [--kind kind]\n"
    "           [--map canonical=source] [--delimiter char]\n"
    "           [--returns drop|keep] [--exclude regex] [--rejects file]\n"
    "           [--merge base [--full]] [--max-shrink limit] [--force]\n"
    "           [--set column=value] [--split column[=sep]]\n"
    "           [--date-format format] [-o file] [file ...]\n";

/* --help: the usage, then one line per option, each long option of the
 * page's OPTIONS on one (tests/help.bats); the page is the reference. */
static const char help_text[] =
    "\n"
    "options (details in xsell-import(1)):\n"
    "  --csv                       read every input as CSV, whatever its content\n"
    "  --date-format format        a date format to try after ISO 8601; repeatable\n"
    "  -d, --delimiter char        the CSV delimiter (one character, or tab)\n"
    "  --force                     replace the -o file however much smaller\n"
    "  --full                      with --merge: the feed is the whole snapshot\n"
    "  -j, --json                  write JSON lines instead of TSV\n"
    "  -k, --kind kind             the kind of input, instead of guessing\n"
    "  -m, --map canonical=source  read a canonical column from another; repeatable\n"
    "  --max-shrink limit          how much smaller a snapshot may get (default 50%)\n"
    "  --merge base                apply a delta feed to the relations snapshot base\n"
    "  -o, --output file           write to file, atomically\n"
    "  --preview                   a summary for a person instead of records\n"
    "  -q, --quiet                 only errors and data problems on standard error\n"
    "  --rejects file              write the rejected rows and blanked values to file\n"
    "  --returns drop|keep         cancellations in orders (default drop)\n"
    "  --set column=value          the value of column where the input has none\n"
    "  --split column[=sep]        the cells of column are lists split at sep (,)\n"
    "  --strict                    any rejected row or blanked value fails the run\n"
    "  -v, --verbose               name every rejected row on standard error\n"
    "  -x, --exclude regex         in orders, drop the product ids regex matches\n"
    "  -h, --help                  print this help and exit\n"
    "  -V, --version               print the version and exit\n";

/* Columns whose distinct values --preview counts. */
static const char *const preview_ids[][3] = {
	{ "product_id" }, { "subject_id", "linked_id" },
	{ "order_id", "product_id", "customer_id" }, { "customer_id" },
	{ "offer_id" }, { "context_id", "candidate_id" }
};

/* ---- the state of one run ---- */

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
	const char *bad;	/* malformed: why */
	int badcol;		/* malformed CSV: the field, from 1 */
	const char *raw;	/* malformed: the line as read, when known */
	size_t rawlen;
};

struct preview {
	struct intern ids[3];
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
	const char *v;		/* the value as read */
	size_t n;
	char key[256], why[512];
};

struct imp {
	/* options */
	int kind, json, strict, preview, csv, delim, keep_returns, full, force;
	double max_shrink;	/* of an existing -o snapshot, 0 to 1 */
	const char *shrink_arg;
	int delim_eff;		/* the current input's delimiter */
	char **maps;
	int nmaps;
	struct colmap_opts cm;	/* --map and --merge, for binding */
	char **sets;		/* --set name=value, as given */
	int nsets;
	char **splits;		/* --split column[=sep], as given */
	int nsplits;
	struct datefmt df;	/* --date-format */
	regex_t exclude;
	int has_exclude;
	const char *out_path, *rej_path, *merge_path;
	/* the specs of the kind and the output layout (first input) */
	const struct spec *spec;
	int nspec;
	int *ospec;		/* spec -> output column, or -1 */
	int nout, nextra;
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
	int ncols_in;
	/* the row being converted */
	char **val;		/* spec -> value */
	size_t *vlen;
	char (*nb)[NUM_BUF];
	char (*draw)[32];	/* last date seen per spec, and its form */
	size_t *drawlen;
	char (*dout)[NUM_BUF];
	size_t *doutlen;
	struct buf *lb;		/* lists */
	struct intern onames;	/* output column names: id = output column */
	char **v;		/* output row */
	size_t *olen;
	int type_given;		/* the row has a link type of its own */
	int oos;		/* the row's status said out of stock */
	char why[512];
	const char *whykey;
	char keybuf[256];
	/* where things go */
	FILE *out;
	struct wr w;
	FILE *spool;		/* --strict on stdout: held back until the end */
	FILE *rej;
	struct wr rw;
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

/* ---- small text helpers ---- */

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int
alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c >= 0x80;
}

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	    c == '\f';
}

static inline void
trim(const char **s, size_t *n)
{
	const unsigned char *p = (const unsigned char *)*s;

	if (*n && (p[0] <= ' ' || p[0] == 0xC2 || p[*n - 1] <= ' ' ||
	    p[*n - 1] == 0xA0))
		colmap_trim(s, n);
}

/* NUL bytes and invalid UTF-8: the reason, or NULL when s is clean. */
static const char *
bad_bytes(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		size_t k;
		uint32_t cp;

		if (c == 0)
			return "NUL byte";
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			k = 2, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			k = 3, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			k = 4, cp = c & 0x07;
		else
			return "invalid UTF-8";
		if (i + k > n)
			return "invalid UTF-8";
		for (size_t j = 1; j < k; j++) {
			if ((p[i + j] & 0xC0) != 0x80)
				return "invalid UTF-8";
			cp = cp << 6 | (p[i + j] & 0x3F);
		}
		if ((k == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
		    (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
			return "invalid UTF-8";
		i += k;
	}
	return NULL;
}

/* A column name downstream tools can use: lowercase words joined by _. */
static char *
snake(const char *s, int pos)
{
	struct buf b;
	int gap = 0;

	buf_init(&b);
	for (; *s; s++) {
		if (!alnum((unsigned char)*s)) {
			gap = b.len > 0;
			continue;
		}
		if (gap)
			buf_putc(&b, '_');
		gap = 0;
		buf_putc(&b, lower((unsigned char)*s));
	}
	if (b.len == 0)
		buf_printf(&b, "column_%d", pos + 1);
	buf_str(&b);
	return b.s;
}

static const char *
shown(const char *file)
{
	return !file || strcmp(file, "-") == 0 ? "<stdin>" : file;
}

/* ---- reading inputs: CSV, TSV or JSON lines by content ---- */

/* Does the input look like xsell's own TSV or JSON lines? */
static int
sniff(const char *s, size_t n, int delim_given)
{
	size_t i = 0, nl;

	while (i < n && is_space((unsigned char)s[i]))
		i++;
	if (i < n && s[i] == '{')
		return F_JSON;
	if (delim_given)
		return F_CSV;
	for (nl = i; nl < n && s[nl] != '\n'; nl++)
		;
	if (memchr(s + i, '\t', nl - i) && csvin_guess_delim(s + i, nl - i) == '\t')
		return F_TSV;
	return F_CSV;
}

/* Gives stdin back its sniffed bytes: seek back when it is a file, else a
 * child process feeds them and the rest through a pipe. */
static pid_t
unread_stdin(off_t at, const char *head, size_t n)
{
	int p[2];
	pid_t pid;

	if (at >= 0 && lseek(0, at, SEEK_SET) == at)
		return 0;
	if (pipe(p) != 0 || (pid = fork()) < 0)
		die(XS_SYS, "<stdin>: %s", strerror(errno));
	if (pid == 0) {
		char b[1 << 16];
		ssize_t k;

		close(p[0]);
		if (write(p[1], head, n) != (ssize_t)n)
			_exit(1);
		while ((k = read(0, b, sizeof b)) > 0)
			if (write(p[1], b, (size_t)k) != k)
				_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (dup2(p[0], 0) < 0)
		die(XS_SYS, "<stdin>: %s", strerror(errno));
	close(p[0]);
	return pid;
}

/* Opens an input and reads its header; 0 when it has no header at all. */
static int
src_open(struct imp *im, struct src *s, const char *path)
{
	size_t n;
	const char *head;
	int stdin_in = !path || strcmp(path, "-") == 0;
	off_t at = stdin_in ? lseek(0, 0, SEEK_CUR) : -1;

	memset(s, 0, sizeof *s);
	header_init(&s->h);
	s->name = shown(path);
	csvin_open(&s->c, path, im->delim);
	head = csvin_peek(&s->c, &n);
	s->fmt = im->csv ? F_CSV : sniff(head, n, im->delim != 0);
	if (s->fmt == F_CSV) {
		if (!csvin_next(&s->c))
			return 0;
		if (s->c.bad)
			die(XS_INPUT, "%s:%ld: header: column %d: %s", s->name,
			    s->c.line, s->c.badcol, csvin_why(s->c.bad));
		header_set(&s->h, s->name, s->c.f, s->c.len, s->c.nf);
		return 1;
	}
	if (stdin_in)
		s->child = unread_stdin(at, head, n);
	csvin_close(&s->c);
	s->r.lenient = 1;
	rec_open(&s->r, 1, (char **)&path);
	if (stdin_in)
		s->r.name = "<stdin>";
	if (s->r.empty)
		return 0;
	header_set(&s->h, s->name, s->r.cols, NULL, s->r.ncols);
	return 1;
}

/* The next row: 1, or 0 at the end. */
static int
src_next(struct src *s, struct row *rw)
{
	int rc;

	memset(rw, 0, sizeof *rw);
	if (s->fmt == F_CSV) {
		if (!csvin_next(&s->c))
			return 0;
		rw->f = s->c.f;
		rw->len = s->c.len;
		rw->nf = s->c.nf;
		rw->line = s->c.line;
		rw->lastline = s->c.lastline;
		rw->special = s->c.special;
		if (s->c.bad) {
			rw->bad = csvin_why(s->c.bad);
			rw->badcol = s->c.badcol;
			rw->raw = s->c.raw;
			rw->rawlen = s->c.rawlen;
		}
		return 1;
	}
	if ((rc = rec_next(&s->r)) == REC_END)
		return 0;
	rw->f = s->r.f;
	rw->len = s->r.len;
	rw->nf = s->r.ncols;
	rw->line = rw->lastline = s->r.line;
	rw->special = 1;
	if (rc == REC_BAD) {
		rw->bad = s->r.err;
		rw->raw = s->r.raw;
		rw->rawlen = s->r.rawlen;
	}
	return 1;
}

static void
src_close(struct src *s)
{
	if (s->fmt == F_CSV) {
		csvin_close(&s->c);
	} else {
		rec_close(&s->r);
		if (s->child > 0)
			waitpid(s->child, NULL, 0);
	}
	header_free(&s->h);
}

static int
spec_ix(const struct imp *im, const char *name)
{
	for (int k = 0; k < im->nspec; k++)
		if (strcmp(im->spec[k].name, name) == 0)
			return k;
	return -1;
}

static int conv(struct imp *im, int k, const char *s, size_t n);

/* The column a --set name=value is for, as an output column name. */
static char *
set_name(const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *cn = xmemdup(arg, (size_t)(eq - arg));
	char *name = snake(cn, 0);

	free(cn);
	return name;
}

/* --set values of the kind's columns: each checked as a value of its
 * column would be, a bad one exit 2. The others become columns of their
 * own (make_layout). */
static void
check_sets(struct imp *im)
{
	im->checking = 1;
	for (int i = 0; i < im->nsets; i++) {
		const char *a = im->sets[i], *eq = strchr(a, '=');
		char *name = set_name(a);

		for (int k = 0; k < im->nspec; k++) {
			if (strcmp(im->spec[k].name, name) != 0)
				continue;
			if ((im->spec[k].flags & OP) && !im->merge_path)
				die(XS_USAGE, "--set %s: op is read with --merge "
				    "only", a);
			if (conv(im, k, eq + 1, strlen(eq + 1)))
				die(XS_USAGE, "--set %s: %s", a, im->why);
			im->setv[k] = eq + 1;
		}
		free(name);
	}
	im->checking = 0;
}

static void
set_kind(struct imp *im, int kind)
{
	int n;

	im->kind = kind;
	im->spec = kind_cols[kind];
	im->nspec = n = colmap_nspecs(im->spec);
	im->ospec = xcalloc((size_t)n, sizeof *im->ospec);
	im->spec_src = xcalloc((size_t)n, sizeof *im->spec_src);
	im->val = xcalloc((size_t)n, sizeof *im->val);
	im->vlen = xcalloc((size_t)n, sizeof *im->vlen);
	im->nb = xcalloc((size_t)n, sizeof *im->nb);
	im->draw = xcalloc((size_t)n, sizeof *im->draw);
	im->drawlen = xcalloc((size_t)n, sizeof *im->drawlen);
	im->dout = xcalloc((size_t)n, sizeof *im->dout);
	im->doutlen = xcalloc((size_t)n, sizeof *im->doutlen);
	im->lb = xcalloc((size_t)n, sizeof *im->lb);
	for (int k = 0; k < n; k++) {
		buf_init(&im->lb[k]);
		im->drawlen[k] = SIZE_MAX;
	}
	im->ix_order = spec_ix(im, "order_id");
	im->ix_product = spec_ix(im, "product_id");
	im->ix_qty = spec_ix(im, "quantity");
	im->ix_subject = spec_ix(im, "subject_id");
	im->ix_linked = spec_ix(im, "linked_id");
	im->ix_type = spec_ix(im, "type");
	im->ix_op = spec_ix(im, "op");
	im->ix_stock = spec_ix(im, "stock");
	im->ix_status = spec_ix(im, "status");
	im->ix_pos = spec_ix(im, "position");
	im->ix_customer = spec_ix(im, "customer_id");
	im->ix_ts = spec_ix(im, "ts");
	im->setv = xcalloc((size_t)n, sizeof *im->setv);
	im->peritem = xcalloc((size_t)n, 1);
	for (int i = 0; i < im->nmaps; i++) {
		const char *eq = strchr(im->maps[i], '=');
		int ok = 0;

		for (int k = 0; k < n; k++)
			if (strlen(im->spec[k].name) == (size_t)(eq - im->maps[i]) &&
			    strncmp(im->spec[k].name, im->maps[i],
			    (size_t)(eq - im->maps[i])) == 0)
				ok = 1;
		if (!ok) {
			warnx("--map %s: '%.*s' is not a column of %s", im->maps[i],
			    (int)(eq - im->maps[i]), im->maps[i], kind_names[kind]);
			exit(XS_USAGE);
		}
	}
	check_sets(im);
}

static void
add_out(struct imp *im, const char *name)
{
	im->ocol = xreallocarray(im->ocol, (size_t)im->nout + 1,
	    sizeof *im->ocol);
	im->ocol[im->nout++] = xstrdup(name);
	intern_put(&im->onames, name, strlen(name));
}

static void
add_extra(struct imp *im, char *name)
{
	add_out(im, name);
	im->extra = xreallocarray(im->extra, (size_t)im->nextra + 1,
	    sizeof *im->extra);
	im->extra[im->nextra++] = name;
}

/* The output columns, from the first input with a header (or none). */
static void
make_layout(struct imp *im, const struct src *s, const unsigned char *used)
{
	for (int k = 0; k < im->nspec; k++) {
		const struct spec *sp = &im->spec[k];

		im->ospec[k] = -1;
		if ((sp->flags & OP) || ((sp->flags & IFANY) &&
		    (!s || im->spec_src[k] < 0) && !im->setv[k]))
			continue;
		im->ospec[k] = im->nout;
		add_out(im, sp->name);
	}
	for (int j = 0; s && j < s->h.ncols; j++) {
		char *name;

		if (used[j])
			continue;
		name = snake(s->h.cols[j], j);
		if (intern_find(&im->onames, name, strlen(name)) != INTERN_NONE) {
			free(name);	/* a clash: map_input says with what */
			continue;
		}
		add_extra(im, name);
	}
	/* --set of a column that is not the kind's: a column of its own,
	 * or the value of an input column of that name where it is empty */
	im->extra_setv = xcalloc((size_t)im->nextra + im->nsets + 1,
	    sizeof *im->extra_setv);
	for (int i = 0; i < im->nsets; i++) {
		const char *eq = strchr(im->sets[i], '=');
		char *name = set_name(im->sets[i]);
		uint32_t o;

		if (spec_ix(im, name) >= 0) {
			free(name);
			continue;
		}
		if ((o = intern_find(&im->onames, name, strlen(name))) ==
		    INTERN_NONE) {
			add_extra(im, name);
			o = (uint32_t)im->nout - 1;
		} else {
			free(name);
		}
		im->extra_setv[(int)o - (im->nout - im->nextra)] = eq + 1;
	}
	im->v = xcalloc((size_t)im->nout + 1, sizeof *im->v);
	im->olen = xcalloc((size_t)im->nout + 1, sizeof *im->olen);
	im->extra_src = xcalloc((size_t)im->nextra + 1, sizeof *im->extra_src);
	im->ready = 1;
}

static void
add_slot(struct imp *im, int col, int poscol, long pos, const char *type,
    const char *sep)
{
	im->slot = xreallocarray(im->slot, (size_t)im->nslot + 1,
	    sizeof *im->slot);
	im->slot[im->nslot++] = (struct slot){ col, poscol, pos, type, sep,
		strlen(sep) };
}

/*
 * The lists of this input: the columns of links of its export format or
 * of the wide form, for relations the linked column (a list in one cell
 * is a list), and --split. One canonical column's values come from lists
 * in a row (im->lt); --split of another replaces the linked column's.
 */
static void
make_slots(struct imp *im, const struct src *s)
{
	const struct shopfmt_use *u = &s->h.use;
	int lk = -1, plain = 0, pos = im->ix_pos >= 0 ? im->spec_src[im->ix_pos] :
	    -1;

	im->nslot = 0;
	im->slot_opt = 0;
	memset(im->peritem, 0, (size_t)im->nspec);
	if (u->nlist && im->ix_linked >= 0) {
		lk = im->ix_linked;
		for (int l = 0; l < u->nlist; l++) {
			const struct shopfmt_list *sl = &u->list[l];

			add_slot(im, sl->col, sl->poscol >= 0 ? sl->poscol :
			    sl->pos ? -1 : pos, sl->pos, sl->type, ",");
		}
		/* a product's lists, or numbered columns, may all be empty */
		im->slot_opt = !u->fmt || u->fmt->product_rows;
	} else if (im->kind == K_RELATIONS && im->spec_src[im->ix_linked] >= 0) {
		lk = im->ix_linked;
		add_slot(im, im->spec_src[lk], pos, 0, NULL, ",");
		plain = 1;
	}
	for (int i = 0; i < im->nsplits; i++) {
		const char *a = im->splits[i], *eq = strchr(a, '=');
		char *name = xmemdup(a, eq ? (size_t)(eq - a) : strlen(a));
		const char *sep = eq ? eq + 1 : ",";
		struct buf ck;
		int j = -1, k = -1, done = 0;

		buf_init(&ck);
		j = header_named(&s->h, name, NULL);
		if (j < 0 && (k = spec_ix(im, name)) >= 0) {
			if (k == lk && !plain) {	/* every list */
				for (int l = 0; l < im->nslot; l++)
					im->slot[l].sep = sep,
					im->slot[l].seplen = strlen(sep);
				done = 1;
			}
			j = im->spec_src[k];
		}
		for (int l = 0; !done && l < im->nslot; l++)
			if (im->slot[l].col == j)
				im->slot[l].sep = sep,
				im->slot[l].seplen = strlen(sep), done = 1;
		for (k = 0; !done && j >= 0 && k < im->nspec; k++)
			if (im->spec_src[k] == j)
				break;
		if (!done && j < 0) {
			buf_reset(&ck);
			header_found(&ck, &s->h);
			die(XS_INPUT, "%s: --split %s: no such column (found: %s)",
			    s->name, a, buf_str(&ck));
		}
		if (!done && (k >= im->nspec || im->spec[k].type == T_LIST ||
		    (im->spec[k].flags & OP)))
			die(XS_INPUT, "%s: --split %s: column '%s' is not read as "
			    "an id or value of %s", s->name, a, s->h.cols[j],
			    kind_names[im->kind]);
		if (!done && lk >= 0 && lk != k && !plain)
			die(XS_INPUT, "%s: --split %s: the rows are split on "
			    "their lists of %s already", s->name, a,
			    im->spec[lk].name);
		if (!done) {
			if (plain)
				im->nslot = 0, plain = 0;
			lk = k;
			add_slot(im, j, k == im->ix_linked ? pos : -1, 0, NULL,
			    sep);
		}
		buf_free(&ck);
		free(name);
	}
	im->lt = lk;
	if (lk >= 0) {
		im->peritem[lk] = 1;
		if (lk == im->ix_linked && im->ix_pos >= 0)
			im->peritem[im->ix_pos] = 1;
	}
	im->posok = xrealloc(im->posok, (size_t)im->nslot + 1);
}

/* Says how the input is read when it is an export format or has lists. */
static void
say_format(const struct imp *im, const struct src *s)
{
	const struct shopfmt_use *u = &s->h.use;
	struct buf b;
	int left = 0;

	if (!u->nlist && !u->fmt)
		return;
	buf_init(&b);
	if (u->fmt)
		buf_printf(&b, "read as a %s (--kind %s)", u->fmt->name,
		    u->fmt->kind);
	for (int l = 0; l < u->nlist; l++)
		buf_printf(&b, "%s%s", l ? ", " : u->fmt ? "; links from " :
		    "links from ", s->h.cols[u->list[l].col]);
	if (!u->fmt)
		buf_puts(&b, ", their numbers the positions");
	for (int j = 0; u->fmt && u->fmt->product_rows && j < s->h.ncols; j++) {
		int bound = 0;

		for (int k = 0; k < im->nspec; k++)
			bound |= im->spec_src[k] == j;
		for (int l = 0; l < u->nlist; l++)
			bound |= u->list[l].col == j || u->list[l].poscol == j;
		left += !bound;
	}
	if (left && im->spec_src[im->ix_subject] >= 0)	/* the product's id */
		buf_printf(&b, "; %d other column%s about the product, not its "
		    "links, left out (--kind catalog --map product_id=%s reads "
		    "them)", left, left == 1 ? "" : "s",
		    s->h.cols[im->spec_src[im->ix_subject]]);
	note("%s: %s", s->name, buf_str(&b));
	buf_free(&b);
}

/* Maps this input's columns: spec_src, extra_src; later inputs must fit
 * the columns of the first one. */
static void
map_input(struct imp *im, const struct src *s)
{
	unsigned char *used = xcalloc((size_t)s->h.ncols + 1, 1);
	struct buf b;

	colmap_bind(&im->cm, im->spec, &s->h, im->spec_src, used, 1);
	for (int k = 0; k < im->nspec; k++) {
		if ((im->spec[k].flags & REQ) && im->spec_src[k] < 0 &&
		    !colmap_from_lists(&s->h, &im->spec[k])) {
			buf_init(&b);
			header_found(&b, &s->h);
			die(XS_INPUT, "%s: missing required column '%s' (found: %s)",
			    s->name, im->spec[k].name, buf_str(&b));
		}
	}
	if (!im->ready)
		make_layout(im, s, used);
	for (int k = 0; k < im->nspec; k++)
		if (im->spec_src[k] >= 0 && im->ospec[k] < 0 &&
		    !(im->spec[k].flags & OP))
			die(XS_INPUT, "%s: column '%s' is not in the first input",
			    s->name, s->h.cols[im->spec_src[k]]);
	for (int e = 0; e < im->nextra; e++)
		im->extra_src[e] = -1;
	for (int j = 0; j < s->h.ncols; j++) {
		char *name;
		uint32_t o;
		int e, other = -1, base = im->nout - im->nextra;

		if (used[j])
			continue;
		name = snake(s->h.cols[j], j);
		o = intern_find(&im->onames, name, strlen(name));
		if (o == INTERN_NONE)
			die(XS_INPUT, "%s: column '%s' is not in the first input",
			    s->name, s->h.cols[j]);
		e = (int)o - base;
		if (e < 0) {	/* a canonical column read from another one */
			for (int k = 0; k < im->nspec; k++)
				if (im->ospec[k] == (int)o)
					other = im->spec_src[k];
		} else {
			other = im->extra_src[e];
		}
		if (e < 0 || other >= 0) {
			struct buf b;

			buf_init(&b);
			buf_printf(&b, "both would be written as '%s'", name);
			if (other >= 0)
				header_collide(&s->h, other, j, buf_str(&b));
			die(XS_INPUT, "%s: column %d '%s' would be written as "
			    "canonical column '%s'", s->name, j + 1, s->h.cols[j],
			    name);
		}
		free(name);
		im->extra_src[e] = j;
	}
	im->carried = xrealloc(im->carried, (size_t)im->nout + 1);
	memset(im->carried, 0, (size_t)im->nout + 1);
	for (int k = 0; k < im->nspec; k++)
		if (im->spec_src[k] >= 0 && im->ospec[k] >= 0)
			im->carried[im->ospec[k]] = 1;
	for (int k = 0; k < im->nspec; k++)
		if (im->setv[k] && im->ospec[k] >= 0)
			im->carried[im->ospec[k]] = 1;
	for (int e = 0; e < im->nextra; e++)
		if (im->extra_src[e] >= 0 || im->extra_setv[e])
			im->carried[im->nout - im->nextra + e] = 1;
	im->ncols_in = s->h.ncols;
	make_slots(im, s);
	say_format(im, s);
	free(used);
}

/* ---- rejections ---- */

static void
count_reason(struct imp *im, const char *key, const char *where, int what)
{
	int i;

	for (i = 0; i < im->nrs; i++)
		if (im->rs[i].what == what && strcmp(im->rs[i].key, key) == 0)
			break;
	if (i == im->nrs) {
		im->rs = xreallocarray(im->rs, (size_t)im->nrs + 1, sizeof *im->rs);
		im->rs[i].key = xstrdup(key);
		im->rs[i].first = xstrdup(where);
		im->rs[i].n = 0;
		im->rs[i].what = what;
		im->nrs++;
	}
	im->rs[i].n++;
}

/* The rejects file's own columns, before the row's. */
enum { RJ_FILE, RJ_LINE, RJ_COLUMN, RJ_VALUE, RJ_REASON, RJ_N };

/* The rejects file: file, line, the column and value the reason is about
 * (when it is about one), reason, then cols (the output's, or with
 * --merge the snapshot's and op), so that a row of any input, whatever
 * the order of its columns, has each value under the column it is. */
static void
open_rejects(struct imp *im, int ncols, char *const *cols)
{
	char **h = xcalloc((size_t)ncols + RJ_N + 1, sizeof *h);

	h[RJ_FILE] = "file";
	h[RJ_LINE] = "line";
	h[RJ_COLUMN] = "column";
	h[RJ_VALUE] = "value";
	h[RJ_REASON] = "reason";
	for (int i = 0; i < ncols; i++)
		h[RJ_N + i] = cols[i];
	im->rej = out_open(im->rej_path);
	wr_open(&im->rw, im->rej, 0, ncols + RJ_N, h);
	im->rv = xcalloc((size_t)ncols + RJ_N + 1, sizeof *im->rv);
	im->rl = xcalloc((size_t)ncols + RJ_N + 1, sizeof *im->rl);
	free(h);
}

/* Where each column of this input goes in the rejects file. */
static void
map_rejects(struct imp *im, const struct src *s)
{
	int base = im->nout - im->nextra;

	if (!im->rej)
		return;
	im->rej_at = xreallocarray(im->rej_at, (size_t)s->h.ncols + 1,
	    sizeof *im->rej_at);
	for (int j = 0; j < s->h.ncols; j++)
		im->rej_at[j] = -1;
	for (int k = 0; k < im->nspec; k++) {
		int j = im->spec_src[k], o = im->ospec[k];

		if (j < 0)
			continue;
		if (k == im->ix_op)	/* bound with --merge only */
			im->rej_at[j] = im->rej_op;
		else if (o >= 0)
			im->rej_at[j] = im->merge_path ? im->mg.from[o] : o;
	}
	for (int e = 0; e < im->nextra; e++) {
		int j = im->extra_src[e];

		if (j >= 0)
			im->rej_at[j] = im->merge_path ? im->mg.from[base + e] :
			    base + e;
	}
}

static void
put_reject(struct imp *im, int col, const char *v, size_t n)
{
	im->rv[RJ_N + col] = (char *)v;
	im->rl[RJ_N + col] = n;
}

/* The rejects column of spec k, or -1. */
static int
rej_col(const struct imp *im, int k)
{
	int o = k >= 0 ? im->ospec[k] : -1;

	return o < 0 ? -1 : im->merge_path ? im->mg.from[o] : o;
}

/* The file's own columns of a rejects record; col is the input column
 * the reason is about, or -1. */
static void
reject_head(struct imp *im, const char *file, long line, const char **cols,
    int col, const char *v, size_t vn, const char *why, char *lb)
{
	snprintf(lb, 32, "%ld", line);
	im->rv[RJ_FILE] = (char *)file;
	im->rv[RJ_LINE] = lb;
	im->rv[RJ_COLUMN] = col >= 0 ? (char *)cols[col] : "";
	im->rv[RJ_VALUE] = col >= 0 ? (char *)v : "";
	im->rv[RJ_REASON] = (char *)why;
	for (int i = 0; i < RJ_N; i++)
		im->rl[i] = strlen(im->rv[i]);
	if (col >= 0)
		im->rl[RJ_VALUE] = vn;
	for (int i = 0; i < im->rw.ncols - RJ_N; i++)
		put_reject(im, i, "", 0);
}

/* The rejected row as read, each value under its column: fields beyond
 * the header are joined to the last column's value by the delimiter, a
 * line that could not be split goes whole into the first column. A list
 * item rejected on its own has the item, its type and its position
 * under the columns they would have been written to. */
static void
write_reject(struct imp *im, const struct src *s, const struct row *rw,
    const char *why)
{
	int n = im->rw.ncols - RJ_N, last = s->h.ncols - 1, c;
	char lb[32];
	struct buf tail;

	buf_init(&tail);
	reject_head(im, s->name, rw->line, (const char **)s->h.cols, im->whycol,
	    im->whyv, im->whyn, why, lb);
	if (rw->bad && rw->raw) {
		if (n > 0)
			put_reject(im, 0, rw->raw, rw->rawlen);
	} else {
		for (int j = 0; j < rw->nf && j < s->h.ncols; j++)
			if (im->rej_at[j] >= 0)
				put_reject(im, im->rej_at[j], rw->f[j], rw->len[j]);
		if (rw->nf > s->h.ncols && last >= 0 && im->rej_at[last] >= 0) {
			for (int i = last; i < rw->nf; i++) {
				if (i > last)
					buf_putc(&tail, s->fmt == F_CSV ?
					    s->c.delim : '\t');
				buf_put(&tail, rw->f[i], rw->len[i]);
			}
			put_reject(im, im->rej_at[last], buf_str(&tail),
			    tail.len);
		}
	}
	if (im->initem) {
		if ((c = rej_col(im, im->lt)) >= 0)
			put_reject(im, c, im->item, im->itemlen);
		if (im->lt == im->ix_linked && (c = rej_col(im, im->ix_pos)) >= 0)
			put_reject(im, c, im->itempos, im->itemposlen);
		if (im->itemtype && (c = rej_col(im, im->ix_type)) >= 0)
			put_reject(im, c, im->itemtype, strlen(im->itemtype));
	}
	wr_row(&im->rw, im->rv, im->rl);
	buf_free(&tail);
}

/* --preview is read on a terminal: merchant data in it is escaped. */
static void
preview_problem(struct imp *im, const char *where, const char *why)
{
	struct buf *b = &im->pv.problems;

	buf_puts(b, "  ");
	term_escape(b, where, strlen(where));
	buf_puts(b, ": ");
	term_escape(b, why, strlen(why));
	buf_putc(b, '\n');
}

/* Counts and reports the row (or list item) just refused; why and whykey
 * are set. */
static void
reject(struct imp *im, const struct src *s, const struct row *rw, int policy)
{
	char where[512];

	snprintf(where, sizeof where, "%s:%ld", s->name, rw->line);
	im->rejected++;
	if (!policy)
		im->problems++;
	count_reason(im, im->whykey, where, policy ? R_POLICY : R_PROBLEM);
	if (xs_verbose)
		warnx("%s: %s", where, im->why);
	if (im->preview && !policy)
		preview_problem(im, where, im->why);
	if (im->rej)
		write_reject(im, s, rw, im->why);
}

/* Reports the values blanked in the row (or list item) just written,
 * from the from'th on. */
static void
report_blanks(struct imp *im, const struct src *s, const struct row *rw,
    int from)
{
	char where[512], lb[32];

	if (from >= im->nbl)
		return;
	snprintf(where, sizeof where, "%s:%ld", s->name, rw->line);
	for (int i = from; i < im->nbl; i++) {
		const struct blank *b = &im->bl[i];

		im->blanked++;
		count_reason(im, b->key, where, R_BLANK);
		if (xs_verbose)
			warnx("%s: %s (blanked, row kept)", where, b->why);
		if (im->preview) {
			char w[600];

			snprintf(w, sizeof w, "%s (blanked, row kept)", b->why);
			preview_problem(im, where, w);
		}
		if (im->rej) {
			char w[600];

			snprintf(w, sizeof w, "%s (blanked, row kept)", b->why);
			reject_head(im, s->name, rw->line, (const char **)s->h.cols,
			    b->col, b->v, b->n, w, lb);
			if (b->col < 0) {	/* a --set value */
				im->rv[RJ_VALUE] = (char *)b->v;
				im->rl[RJ_VALUE] = b->n;
			}
			wr_row(&im->rw, im->rv, im->rl);
		}
	}
}

static int
fail_key(struct imp *im, const char *key)
{
	snprintf(im->keybuf, sizeof im->keybuf, "%s", key);
	snprintf(im->why, sizeof im->why, "%s", key);
	im->whykey = im->keybuf;
	return -1;
}

/* "column 'price': not a number" with the value after it in why. */
static int
fail(struct imp *im, int k, const char *what, const char *s, size_t n)
{
	snprintf(im->keybuf, sizeof im->keybuf, "column '%s': %s",
	    im->spec[k].name, what);
	snprintf(im->why, sizeof im->why, "%s: \"%.*s%s\"", im->keybuf,
	    (int)(n > 60 ? 60 : n), s, n > 60 ? "..." : "");
	im->whykey = im->keybuf;
	im->whycol = im->conv_col;
	im->whyv = s;
	im->whyn = n;
	return -1;
}

/* ---- values ---- */

static int
missing_marker(const char *s, size_t n)
{
	char k[8];

	if (n == 1 && *s == '-')
		return 1;
	if (n > 4)
		return 0;
	colmap_key(s, n, k, sizeof k);
	return strcmp(k, "null") == 0 || strcmp(k, "na") == 0 ||
	    strcmp(k, "none") == 0 || strcmp(k, "nan") == 0;
}

/*
 * The length of s without the zeros that end its fraction (and the point
 * when nothing is left after it), for a plain decimal -?d+.d+ of at most
 * 15 significant digits; n otherwise. Those zeros change nothing and the
 * rest is then already in num_fmt's form, so large exports of 2.0 and
 * 19.90 skip strtod and the shortest-digits search.
 */
static size_t
plain_decimal(const char *s, size_t n)
{
	size_t i = s[0] == '-', point = 0, digits = 0;

	if (n < 3 || s[n - 1] != '0')
		return n;
	for (; i < n; i++) {
		if (s[i] == '.' && !point)
			point = i;
		else if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else
			return n;
	}
	if (!point || point == (s[0] == '-') || point + 1 == n || digits > 15)
		return n;
	while (s[n - 1] == '0')
		n--;
	return s[n - 1] == '.' ? n - 1 : n;
}

/* A number as merchants write it: a currency sign, and with ';' as the
 * delimiter a decimal comma. */
static const char *
lenient_num(const struct imp *im, const char *s, size_t n, char *out,
    size_t *outlen)
{
	char t[NUM_BUF * 2];
	size_t k = 0;
	int changed = 0;
	const char *err;

	if ((k = plain_decimal(s, n)) < n)
		return num_norm(s, k, out, outlen);
	k = 0;
	if (!(err = num_norm(s, n, out, outlen)) || n >= sizeof t)
		return err;
	for (size_t i = 0; i < n; i++) {
		const unsigned char *u = (const unsigned char *)s + i;
		size_t skip = *u == '$' || *u == ' ' ? 1 :
		    i + 2 < n && u[0] == 0xE2 && u[1] == 0x82 && u[2] == 0xAC ? 3 :
		    i + 1 < n && u[0] == 0xC2 && (u[1] == 0xA3 || u[1] == 0xA5 ||
		    u[1] == 0xA0) ? 2 : 0;	/* euro, pound, yen, no-break space */

		if (skip) {
			i += skip - 1;
			changed = 1;
			continue;
		}
		t[k] = s[i];
		if (*u == ',' && im->delim_eff == ';' && !memchr(s, '.', n))
			t[k] = '.', changed = 1;
		k++;
	}
	if (!changed || num_norm(t, k, out, outlen))
		return err;
	return NULL;
}

static void
set_val(struct imp *im, int k, const char *s, size_t n)
{
	im->val[k] = (char *)s;
	im->vlen[k] = n;
}

static int
conv_num(struct imp *im, int k, const char *s, size_t n)
{
	const char *err = lenient_num(im, s, n, im->nb[k], &im->vlen[k]);
	double v;

	if (err)
		return fail(im, k, err, s, n);
	im->val[k] = im->nb[k];
	if (im->spec[k].type == T_POS && im->nb[k][0] == '-')
		return fail(im, k, "negative", s, n);
	if (im->spec[k].type == T_PCT &&
	    (num_parse(im->nb[k], im->vlen[k], &v) || v < 0 || v > 100))
		return fail(im, k, "not between 0 and 100", s, n);
	return 0;
}

/* Dates come in runs (every line of an order): the last one is kept. */
static int
conv_date(struct imp *im, int k, const char *s, size_t n)
{
	int64_t t;
	const char *err;
	char why[DATE_WHY];

	if (n == im->drawlen[k] && memcmp(im->draw[k], s, n) == 0) {
		set_val(im, k, im->dout[k], im->doutlen[k]);
		return 0;
	}
	if ((err = date_parse(&im->df, s, n, &t, why)))
		return fail(im, k, err, s, n);
	im->doutlen[k] = time_fmt(t, im->dout[k]);
	if (n <= sizeof im->draw[k]) {
		memcpy(im->draw[k], s, n);
		im->drawlen[k] = n;
	}
	set_val(im, k, im->dout[k], im->doutlen[k]);
	return 0;
}

static int
conv_list(struct imp *im, int k, const char *s, size_t n)
{
	struct buf *b = &im->lb[k];
	const char *p = s, *item;
	size_t len;

	buf_reset(b);
	while (list_next(&p, s + n, &item, &len)) {
		if (b->len)
			buf_putc(b, ',');
		buf_put(b, item, len);
	}
	set_val(im, k, buf_str(b), b->len);
	return 0;
}

/* A value from a small set, written the canonical way. */
static int
conv_word(struct imp *im, int k, const char *s, size_t n)
{
	char key[64];
	int w, type = im->spec[k].type;

	colmap_key(s, n, key, sizeof key);
	switch (type) {
	case T_STATUS:
		if ((w = words_which(status_words, key)) >= 0) {
			set_val(im, k, status_names[w], strlen(status_names[w]));
			return 0;
		}
		if (words_in(OUT_OF_STOCK, key)) {
			set_val(im, k, "active", 6);
			im->oos = 1;
			return 0;
		}
		return fail(im, k, "not active, inactive or discontinued", s, n);
	case T_LINK:
		if ((w = words_which(link_words, key)) < 0)
			return fail(im, k, "not cross_sell, upsell, substitute "
			    "or bundle", s, n);
		im->type_given = 1;
		set_val(im, k, link_types[w], strlen(link_types[w]));
		return 0;
	case T_SOURCE:
		if ((w = words_which(source_words, key)) < 0)
			return fail(im, k, "not managed or learned", s, n);
		set_val(im, k, source_names[w], strlen(source_names[w]));
		return 0;
	case T_BOOL:
		if ((w = words_which(bool_words, key)) < 0)
			return fail(im, k, "not 0 or 1", s, n);
		set_val(im, k, bool_names[w], 1);
		return 0;
	case T_GROUP:
		/* the synonyms of treatment and control; any other name is
		 * an arm of its own (managed, learned, ...), kept as given */
		if ((w = words_which(group_words, key)) >= 0)
			set_val(im, k, group_names[w], strlen(group_names[w]));
		return 0;
	default:	/* T_OP */
		w = n == 1 && *s == '+' ? 0 : n == 1 && *s == '-' ? 1 :
		    words_which(op_words, key);
		if (w < 0)
			return fail(im, k, "not add or remove", s, n);
		set_val(im, k, op_names[w], strlen(op_names[w]));
		return 0;
	}
}

/*
 * Can a bad value of spec k be blanked, the row kept? In an optional
 * column whose empty value means "not known" (a date, a price, a
 * status), yes; not where it would mean the default (a type, a source,
 * an op: an upsell would become a cross-sell) nor in an id.
 */
static int
soft(const struct imp *im, int k)
{
	int type = im->spec[k].type;

	return !im->checking && !(im->spec[k].flags & REQ) && type != T_ID &&
	    type != T_LINK && type != T_SOURCE && type != T_OP;
}

/* The bad value s of spec k blanked; fail has said why. */
static int
blank_value(struct imp *im, int k, const char *s, size_t n)
{
	struct blank *b;

	if (im->nbl == im->capbl) {
		im->capbl = im->capbl ? 2 * im->capbl : 8;
		im->bl = xreallocarray(im->bl, (size_t)im->capbl, sizeof *im->bl);
	}
	b = &im->bl[im->nbl++];
	b->col = im->conv_col;
	b->v = s;
	b->n = n;
	snprintf(b->key, sizeof b->key, "%s", im->keybuf);
	snprintf(b->why, sizeof b->why, "%s", im->why);
	set_val(im, k, "", 0);
	return 0;
}

/* Checks and normalises the trimmed value s of spec k. */
static int
conv(struct imp *im, int k, const char *s, size_t n)
{
	int type = im->spec[k].type;

	set_val(im, k, s, n);
	if (type == T_ID && n == 0) {
		char key[128];

		snprintf(key, sizeof key, "column '%s': empty", im->spec[k].name);
		fail_key(im, key);
		im->whycol = im->conv_col;
		im->whyv = "";
		im->whyn = 0;
		return -1;
	}
	if (type == T_ID || type == T_OPTID || type == T_TEXT)
		return 0;
	if (type == T_LIST)
		return conv_list(im, k, s, n);
	if (n > 0) {
		int rc = type == T_NUM || type == T_POS || type == T_PCT ?
		    conv_num(im, k, s, n) : type == T_DATE ?
		    conv_date(im, k, s, n) : conv_word(im, k, s, n);

		if (rc == 0)
			return 0;
		if (!missing_marker(s, n))
			return soft(im, k) ? blank_value(im, k, s, n) : rc;
	}
	set_val(im, k, "", 0);
	if (type == T_LINK)
		set_val(im, k, "cross_sell", 10);
	else if (type == T_SOURCE)
		set_val(im, k, "managed", 7);
	return 0;
}

/* ---- links: duplicates and the --merge snapshot ---- */

/* ---- the rules of each kind ---- */

static int
excluded(struct imp *im, const char *s, size_t n)
{
	uint32_t id = intern_put(&im->excl, s, n);

	if (id >= im->nexcl) {
		im->excl_hit = xrealloc(im->excl_hit, (size_t)id + 1);
		im->excl_hit[id] = regexec(&im->exclude, intern_str(&im->excl, id),
		    0, NULL, 0) == 0;
		im->nexcl = id + 1;
	}
	return im->excl_hit[id];
}

/* Orders: returns and non-product codes. 1 when dropped on request. */
static int
order_rules(struct imp *im)
{
	const char *o = im->val[im->ix_order], *q = im->val[im->ix_qty];
	size_t qn = im->vlen[im->ix_qty];
	int cancel = im->vlen[im->ix_order] >= 2 && o[0] == 'C' &&
	    o[1] >= '0' && o[1] <= '9';
	int neg = qn > 0 && q[0] == '-';

	if (im->has_exclude &&
	    excluded(im, im->val[im->ix_product], im->vlen[im->ix_product]))
		return fail_key(im, "product_id matches --exclude"), 1;
	if (!cancel && !neg)
		return 0;
	if (!im->keep_returns)
		return fail_key(im, cancel ? "cancelled order (--returns drop)" :
		    "negative quantity (--returns drop)"), 1;
	if (!neg) {	/* a cancellation line: its quantity goes negative */
		char t[NUM_BUF];

		snprintf(t, sizeof t, "-%.*s", (int)(qn ? qn : 1), qn ? q : "1");
		if (strcmp(t, "-0") == 0)
			t[0] = '0', t[1] = '\0';
		memcpy(im->nb[im->ix_qty], t, strlen(t) + 1);
		set_val(im, im->ix_qty, im->nb[im->ix_qty], strlen(t));
	}
	return 0;
}

static int
relation_rules(struct imp *im, int fileno, long line)
{
	int k = im->ix_subject, j = im->ix_linked, isnew;
	uint32_t s, l;
	size_t at;
	struct link *lk;

	if (im->vlen[k] == im->vlen[j] &&
	    memcmp(im->val[k], im->val[j], im->vlen[k]) == 0)
		return fail_key(im, "self-link");
	if (im->merge_path)
		return 0;
	s = intern_put(&im->ids, im->val[k], im->vlen[k]);
	l = intern_put(&im->ids, im->val[j], im->vlen[j]);
	at = linkset_find(&im->links, s, l, link_code(im->val[im->ix_type]), 1,
	    &isnew);
	lk = &im->links.t[at];
	if (isnew) {
		lk->at = (uint32_t)line;
		lk->file = (uint32_t)fileno;
		return 0;
	}
	fail_key(im, "duplicate link");
	snprintf(im->why, sizeof im->why, "duplicate link (first at %s:%lu)",
	    im->files[lk->file], (unsigned long)lk->at);
	return -1;
}

/* ---- one row ---- */

static int
check_bytes(struct imp *im, const struct src *s, const struct row *rw)
{
	int n = rw->nf < s->h.ncols ? rw->nf : s->h.ncols;

	for (int j = 0; j < n; j++) {
		const char *why = bad_bytes(rw->f[j], rw->len[j]);
		char key[256];

		if (!why)
			continue;
		snprintf(key, sizeof key, "column '%s': %s", s->h.cols[j], why);
		fail_key(im, key);
		im->whycol = j;
		im->whyv = rw->f[j];
		im->whyn = rw->len[j];
		return -1;
	}
	return 0;
}

/* Fields past the header are fine when empty (trailing delimiters). */
static int
check_width(struct imp *im, const struct src *s, const struct row *rw)
{
	for (int j = s->h.ncols; j < rw->nf; j++) {
		const char *p = rw->f[j];
		size_t n = rw->len[j];

		trim(&p, &n);
		if (n) {
			fail_key(im, "more fields than the header");
			snprintf(im->why, sizeof im->why,
			    "more fields than the header: %d, header has %d",
			    rw->nf, s->h.ncols);
			return -1;
		}
	}
	return 0;
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
		trim(p, n);
	}
}

/* A CSV record that could not be split: "column 3 'description': text
 * after a closing quote", and the lines it took when more than one. */
static int
malformed_csv(struct imp *im, const struct src *s, const struct row *rw)
{
	char key[256];
	int j = rw->badcol - 1;

	if (j >= 0 && j < s->h.ncols) {
		snprintf(key, sizeof key, "column %d '%s': %s", j + 1, s->h.cols[j],
		    rw->bad);
		im->whycol = j;
		im->whyv = "";
		im->whyn = 0;
	} else
		snprintf(key, sizeof key, "column %d: %s", j + 1, rw->bad);
	fail_key(im, key);
	if (rw->lastline > rw->line)
		snprintf(im->why, sizeof im->why, "%s (the record runs over "
		    "lines %ld-%ld)", im->keybuf, rw->line, rw->lastline);
	return -1;
}

/*
 * Checks a row and converts its values, except those converted per list
 * item: 0, or -1 rejected. An order's line with no customer or date has
 * those of the order's line before it, when that is right before it.
 */
static inline int
read_row(struct imp *im, const struct src *s, const struct row *rw)
{
	int carry = im->carry.started >= 0, same = 0;

	im->whycol = -1;
	im->nbl = 0;
	im->initem = 0;
	if (rw->bad && rw->badcol > 0)
		return malformed_csv(im, s, rw);
	if (rw->bad) {
		fail_key(im, "malformed row");
		snprintf(im->why, sizeof im->why, "malformed row: %s", rw->bad);
		return -1;
	}
	if ((rw->nf > s->h.ncols && check_width(im, s, rw)) ||
	    (rw->special && check_bytes(im, s, rw)))
		return -1;
	im->oos = im->type_given = 0;
	for (int k = 0; k < im->nspec; k++) {	/* order_id comes first */
		const char *p;
		size_t n;

		if (im->peritem[k])
			continue;
		src_field(rw, im->spec_src[k], &p, &n);
		if (carry) {
			if (k == im->ix_order)
				same = carry_order(&im->carry, p, n);
			else if (k == im->ix_customer || k == im->ix_ts)
				carry_value(&im->carry, k == im->ix_ts, same, &p,
				    &n);
		}
		if (n > 0 && im->spec[k].type <= T_TEXT) {	/* ids, text */
			set_val(im, k, p, n);
			continue;
		}
		im->conv_col = im->spec_src[k];
		if (n == 0 && im->setv[k]) {
			p = im->setv[k];
			n = strlen(p);
			im->conv_col = -1;
		}
		if (conv(im, k, p, n))
			return -1;
	}
	return 0;
}

/* The kind's rules, then the output row in im->v: 0, -1 rejected, 1
 * dropped on request. */
static inline int
finish_row(struct imp *im, const struct row *rw, int fileno)
{
	int base = im->nout - im->nextra;

	if (im->kind == K_ORDERS && order_rules(im))
		return 1;
	if (im->kind == K_RELATIONS && relation_rules(im, fileno, rw->line))
		return -1;
	if (im->oos && im->ix_stock >= 0 && im->vlen[im->ix_stock] == 0)
		set_val(im, im->ix_stock, "0", 1);
	for (int k = 0; k < im->nspec; k++) {
		if (im->ospec[k] >= 0) {
			im->v[im->ospec[k]] = im->val[k];
			im->olen[im->ospec[k]] = im->vlen[k];
		}
	}
	for (int e = 0; e < im->nextra; e++) {
		const char *p;
		size_t n;

		src_field(rw, im->extra_src[e], &p, &n);
		if (n == 0 && im->extra_setv[e])
			p = im->extra_setv[e], n = strlen(p);
		im->v[base + e] = (char *)p;
		im->olen[base + e] = n;
	}
	return 0;
}

static void emit(struct imp *im, const struct row *rw);

/* A row without lists: one record in, written or rejected. */
static void
one_row(struct imp *im, const struct src *s, const struct row *rw,
    int fileno)
{
	int rc = read_row(im, s, rw);

	im->nrec++;
	if (rc == 0)
		rc = finish_row(im, rw, fileno);
	if (rc) {
		reject(im, s, rw, rc > 0);
		return;
	}
	report_blanks(im, s, rw, 0);
	emit(im, rw);
}

static size_t
count_items(const char *p, size_t n, const struct slot *sl)
{
	const char *item, *end = p + n;
	size_t len, c = 0;

	while (shopfmt_item(&p, end, sl->sep, sl->seplen, &item, &len))
		c++;
	return c;
}

/*
 * A row whose lists hold several values of the list column (im->lt):
 * every item is a record of its own, converted, checked, written or
 * rejected on its own. For links, an item's type is the one its column's
 * name says, else the row's; its position the one its column's number
 * says (Linked 2), else the item of the same place in the positions
 * list, else its place when the cell holds more than one item.
 */
static void
split_row(struct imp *im, const struct src *s, const struct row *rw,
    int fileno)
{
	int lk = im->lt, links = lk == im->ix_linked;
	int lp = links ? im->ix_pos : -1, lt = links ? im->ix_type : -1;
	int nrow, items = 0, flushed = 0, rgiven = 0, rc;
	const char *rtype = NULL;
	size_t rtypen = 0;
	char num[32];

	if (read_row(im, s, rw)) {
		im->nrec++;
		reject(im, s, rw, 0);
		return;
	}
	if (lt >= 0) {
		rtype = im->val[lt];
		rtypen = im->vlen[lt];
		rgiven = im->type_given;
	}
	/* positions lists that do not pair with their items: blanked */
	for (int l = 0; lp >= 0 && l < im->nslot; l++) {
		const struct slot *sl = &im->slot[l];
		const char *p, *q;
		size_t n, qn, ni, nq;

		im->posok[l] = P_NONE;
		if (sl->pos || sl->poscol < 0)
			continue;
		src_field(rw, sl->col, &p, &n);
		src_field(rw, sl->poscol, &q, &qn);
		if (!(nq = count_items(q, qn, sl)))
			continue;
		ni = count_items(p, n, sl);
		if (ni == nq || ni == 0) {
			im->posok[l] = P_PAIRED;
			continue;
		}
		im->posok[l] = P_BAD;
		im->conv_col = sl->poscol;
		fail(im, lp, "not as many positions as items", q, qn);
		snprintf(im->why + strlen(im->why), sizeof im->why -
		    strlen(im->why), " (%zu for %zu item%s)", nq, ni,
		    ni == 1 ? "" : "s");
		blank_value(im, lp, q, qn);
	}
	nrow = im->nbl;
	for (int l = 0; l < im->nslot || (l == im->nslot && !items &&
	    !im->slot_opt); l++) {
		const struct slot *sl = l < im->nslot ? &im->slot[l] : NULL;
		const char *p = "", *end, *q = "", *qend, *item, *pi;
		size_t n = 0, qn = 0, len, pl, cnt, i = 0;
		int none = sl == NULL;	/* no items: the row as it is */

		if (sl) {
			src_field(rw, sl->col, &p, &n);
			if (!(cnt = count_items(p, n, sl)))
				continue;
			if (lp >= 0 && im->posok[l] == P_PAIRED)
				src_field(rw, sl->poscol, &q, &qn);
		} else {
			cnt = 1;
		}
		end = p + n;
		qend = q + qn;
		while (none || shopfmt_item(&p, end, sl->sep, sl->seplen, &item,
		    &len)) {
			if (none)
				item = "", len = 0;
			items++;
			im->nrec++;
			im->nbl = nrow;
			im->whycol = -1;
			/* --rejects: the item where the row has more, or has
			 * it in a column of its own */
			im->initem = !none && (cnt > 1 ||
			    sl->col != im->spec_src[lk]);
			im->itemtype = sl && sl->type ? sl->type : NULL;
			im->item = item;
			im->itemlen = len;
			im->conv_col = none ? im->spec_src[lk] : sl->col;
			rc = conv(im, lk, item, len);
			if (rc == 0 && lt >= 0) {
				if (sl && sl->type) {
					set_val(im, lt, sl->type, strlen(sl->type));
					im->type_given = 1;
				} else {
					set_val(im, lt, rtype, rtypen);
					im->type_given = rgiven;
				}
			}
			if (rc == 0 && lp >= 0) {
				pi = "", pl = 0;
				im->conv_col = -1;
				if (sl && sl->pos) {
					pl = (size_t)snprintf(num, sizeof num, "%ld",
					    sl->pos);
					pi = num;
				} else if (qn && shopfmt_item(&q, qend, sl->sep,
				    sl->seplen, &pi, &pl)) {
					im->conv_col = sl->poscol;
				} else if (cnt > 1 && im->posok[l] == P_NONE) {
					pl = (size_t)snprintf(num, sizeof num, "%zu",
					    i + 1);
					pi = num;
				} else if (im->setv[lp]) {
					pi = im->setv[lp];
					pl = strlen(pi);
				}
				im->itempos = pi;
				im->itemposlen = pl;
				rc = conv(im, lp, pi, pl);
			}
			if (rc == 0)
				rc = finish_row(im, rw, fileno);
			if (rc) {
				reject(im, s, rw, rc > 0);
			} else {
				report_blanks(im, s, rw, flushed ? nrow : 0);
				flushed = 1;
				emit(im, rw);
			}
			i++;
			if (none)
				break;
		}
	}
	im->initem = 0;
	if (!items) {	/* a product without links */
		im->nrec++;
		fail_key(im, "no linked products");
		reject(im, s, rw, 1);
	}
}

/* ---- --preview ---- */

/* An input column's name for --preview, escaped. */
static void
put_col(struct buf *b, const char *c)
{
	term_escape(b, c, strlen(c));
}

/* Where the list column's values come from, when not a plain column. */
static void
describe_slots(struct imp *im, const struct src *s, int k)
{
	struct buf *b = &im->pv.cols;

	for (int l = 0; l < im->nslot; l++) {
		const struct slot *sl = &im->slot[l];

		buf_printf(b, "  %-16s <- ", l ? "" : im->spec[k].name);
		put_col(b, s->h.cols[sl->col]);
		buf_puts(b, " (a list");
		if (strcmp(sl->sep, ",") != 0) {
			buf_puts(b, " split on '");
			term_escape(b, sl->sep, sl->seplen);
			buf_putc(b, '\'');
		}
		if (sl->type)
			buf_printf(b, "; type %s", sl->type);
		if (sl->pos)
			buf_printf(b, "; position %ld", sl->pos);
		else if (sl->poscol >= 0 && k == im->ix_linked &&
		    sl->poscol != im->spec_src[im->ix_pos]) {
			buf_puts(b, "; positions from ");
			put_col(b, s->h.cols[sl->poscol]);
		}
		buf_puts(b, ")\n");
	}
}

static void
describe_map(struct imp *im, const struct src *s)
{
	struct buf *b = &im->pv.cols;

	for (int k = 0; k < im->nspec; k++) {
		const struct spec *sp = &im->spec[k];

		if (k == im->lt && (im->nslot != 1 || im->spec_src[k] < 0 ||
		    im->slot[0].type || strcmp(im->slot[0].sep, ",") != 0)) {
			describe_slots(im, s, k);
		} else if (im->spec_src[k] >= 0) {
			buf_printf(b, "  %-16s <- ", sp->name);
			put_col(b, s->h.cols[im->spec_src[k]]);
			if (im->setv[k]) {
				buf_puts(b, " (where empty: ");
				term_escape(b, im->setv[k], strlen(im->setv[k]));
				buf_puts(b, ", --set)");
			}
			buf_putc(b, '\n');
		} else if (im->setv[k]) {
			buf_printf(b, "  %-16s = ", sp->name);
			term_escape(b, im->setv[k], strlen(im->setv[k]));
			buf_puts(b, " (--set)\n");
		} else if (!(sp->flags & (OP | IFANY))) {
			buf_printf(b, "  %-16s (no column)\n", sp->name);
		}
	}
	for (int e = 0; e < im->nextra; e++) {
		size_t at = b->len;

		buf_puts(b, "  ");
		term_escape(b, im->extra[e], strlen(im->extra[e]));
		while (b->len < at + 18)
			buf_putc(b, ' ');
		if (im->extra_src[e] < 0) {
			buf_puts(b, " = ");
			term_escape(b, im->extra_setv[e], strlen(im->extra_setv[e]));
			buf_puts(b, " (--set)\n");
			continue;
		}
		buf_puts(b, " <- ");
		put_col(b, s->h.cols[im->extra_src[e]]);
		if (im->extra_setv[e]) {
			buf_puts(b, " (kept as it is; where empty: ");
			term_escape(b, im->extra_setv[e], strlen(im->extra_setv[e]));
			buf_puts(b, ", --set)\n");
		} else {
			buf_puts(b, " (kept as it is)\n");
		}
	}
}

static void
preview_init(struct imp *im)
{
	struct preview *pv = &im->pv;

	for (int i = 0; i < 3 && preview_ids[im->kind][i]; i++) {
		intern_init(&pv->ids[i]);
		pv->ix[i] = spec_ix(im, preview_ids[im->kind][i]);
		pv->nids++;
	}
	pv->sample = xcalloc(5, sizeof *pv->sample);
}

/* The column with the products' titles, for --preview: one whose name
 * says so, when no format says which. */
static int
title_col(const struct imp *im, const struct src *s)
{
	static const char titles[] = "title name productname producttitle "
	    "itemname lineitemname";

	for (const char *p = titles; im->preview && *p;) {
		const char *e = strchr(p, ' ');
		size_t wl = e ? (size_t)(e - p) : strlen(p);
		int j = header_col(&s->h, p, wl);

		if (j >= 0)
			return j;
		p += wl + (e != NULL);
	}
	return -1;
}

/* The titles column is not written: the sample shows it all the same. */
static int
title_hidden(const struct imp *im)
{
	if (im->title_col < 0)
		return 0;
	for (int k = 0; k < im->nspec; k++)
		if (im->spec_src[k] == im->title_col && im->ospec[k] >= 0)
			return 0;
	for (int e = 0; e < im->nextra; e++)
		if (im->extra_src[e] == im->title_col)
			return 0;
	return 1;
}

static void
preview_row(struct imp *im, const struct row *rw)
{
	struct preview *pv = &im->pv;
	const char *t;
	size_t tn;

	src_field(rw, im->title_col, &t, &tn);
	if (!pv->nsample && !pv->nlinks)
		pv->title = title_hidden(im);
	for (int i = 0; i < pv->nids; i++) {
		int k = pv->ix[i];
		uint32_t id;

		if (!im->vlen[k])
			continue;
		id = intern_put(&pv->ids[i], im->val[k], im->vlen[k]);
		if (im->kind != K_RELATIONS || i != 0)
			continue;
		if (id >= pv->nlinks) {
			pv->links = xreallocarray(pv->links, (size_t)id + 1,
			    sizeof *pv->links);
			pv->titles = xreallocarray(pv->titles, (size_t)id + 1,
			    sizeof *pv->titles);
			pv->links[id] = 0;
			pv->titles[id] = NULL;
			pv->nlinks = (size_t)id + 1;
		}
		pv->links[id]++;
		if (!pv->titles[id] && tn)
			pv->titles[id] = xmemdup(t, tn);
	}
	if (pv->nsample < 5) {
		char **r = xcalloc((size_t)im->nout + 2, sizeof *r);

		for (int i = 0; i < im->nout; i++)
			r[i] = xmemdup(im->v[i] ? im->v[i] : "", im->olen[i]);
		r[im->nout] = xmemdup(t, tn);
		pv->sample[pv->nsample++] = r;
	}
}

/* A value on one line, escaped, cut to w columns (characters). */
static void
put_cell(struct buf *b, const char *s, int w)
{
	struct buf e;
	int n = (int)term_width(s), cut = n > w, c = 0;

	buf_init(&e);
	term_escape(&e, s, strlen(s));
	if (cut)
		n = w - 3;
	for (size_t i = 0; i < e.len; i++) {
		if (((unsigned char)e.s[i] & 0xC0) != 0x80 && c++ == n)
			break;
		buf_putc(b, e.s[i]);
	}
	buf_free(&e);
	if (cut)
		buf_puts(b, "...");
	for (int i = cut ? w : n; i < w + 2; i++)
		buf_putc(b, ' ');
}

static void
print_sample(const struct imp *im, FILE *fp)
{
	const struct preview *pv = &im->pv;
	int *w = xcalloc((size_t)im->nout + 2, sizeof *w);
	int nc = im->nout + pv->title;	/* the titles last, when not written */
	struct buf b;

	buf_init(&b);
	for (int i = 0; i < nc; i++) {
		w[i] = (int)term_width(i < im->nout ? im->ocol[i] : "title");
		for (int r = 0; r < pv->nsample; r++) {
			int n = (int)term_width(pv->sample[r][i]);
			if (n > w[i])
				w[i] = n > 24 ? 24 : n;
		}
	}
	fprintf(fp, "sample (first %d rows):\n", pv->nsample);
	for (int r = -1; r < pv->nsample; r++) {
		buf_reset(&b);
		buf_puts(&b, "  ");
		for (int i = 0; i < nc; i++)
			put_cell(&b, r >= 0 ? pv->sample[r][i] : i < im->nout ?
			    im->ocol[i] : "title", w[i]);
		while (b.len && b.s[b.len - 1] == ' ')
			b.len--;
		fprintf(fp, "%s\n", buf_str(&b));
	}
	buf_free(&b);
	free(w);
}

static const uint32_t *top_links;
static const struct intern *top_ids;

static int
by_links(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (top_links[x] != top_links[y])
		return top_links[x] < top_links[y] ? 1 : -1;
	return strcmp(intern_str(top_ids, x), intern_str(top_ids, y));
}

static void
print_links(const struct imp *im, FILE *fp)
{
	static const uint32_t lo[] = { 1, 2, 3, 4, 6, 11, 21 };
	static const char *const label[] = { "1", "2", "3", "4-5", "6-10",
		"11-20", "21+" };
	const struct preview *pv = &im->pv;
	long bucket[7] = { 0 }, most = 0;
	uint32_t *ix;
	size_t n = pv->nlinks;

	for (size_t i = 0; i < n; i++) {
		int b = 6;
		while (b > 0 && pv->links[i] < lo[b])
			b--;
		bucket[b]++;
	}
	for (int b = 0; b < 7; b++)
		most = bucket[b] > most ? bucket[b] : most;
	fprintf(fp, "links per subject:\n");
	for (int b = 0; b < 7; b++) {
		int bar = most ? (int)((bucket[b] * 40 + most - 1) / most) : 0;
		fprintf(fp, "  %-6s %6ld%s", label[b], bucket[b], bar ? "  " : "");
		for (int i = 0; i < bar; i++)
			fputc('#', fp);
		fputc('\n', fp);
	}
	ix = xcalloc(n + 1, sizeof *ix);
	for (size_t i = 0; i < n; i++)
		ix[i] = (uint32_t)i;
	top_links = pv->links;
	top_ids = &pv->ids[0];
	qsort(ix, n, sizeof *ix, by_links);
	fprintf(fp, "most links:\n");
	for (size_t i = 0; i < n && i < 5; i++) {
		struct buf b;

		buf_init(&b);
		term_escape(&b, intern_str(&pv->ids[0], ix[i]),
		    intern_len(&pv->ids[0], ix[i]));
		fprintf(fp, "  %-16s %u", buf_str(&b), pv->links[ix[i]]);
		if (pv->titles[ix[i]]) {	/* the subject's title */
			buf_reset(&b);
			buf_puts(&b, "  ");
			put_cell(&b, pv->titles[ix[i]], 40);
			while (b.len && b.s[b.len - 1] == ' ')
				b.len--;
			fputs(buf_str(&b), fp);
		}
		fputc('\n', fp);
		buf_free(&b);
	}
	free(ix);
}

static void
preview_print(struct imp *im, FILE *fp)
{
	struct preview *pv = &im->pv;

	fprintf(fp, "kind: %s\n", kind_names[im->kind]);
	fprintf(fp, "rows: %ld in, %ld out, %ld rejected", im->nrec,
	    im->nout_rows, im->rejected);
	if (im->blanked)
		fprintf(fp, ", %ld value%s blanked", im->blanked,
		    im->blanked == 1 ? "" : "s");
	fputc('\n', fp);
	if (im->nrec != im->in)
		fprintf(fp, "lists split: %ld rows read became %ld\n", im->in,
		    im->nrec);
	fprintf(fp, "columns:\n%s", pv->cols.s ? buf_str(&pv->cols) : "");
	fprintf(fp, "distinct values:\n");
	for (int i = 0; i < pv->nids; i++)
		fprintf(fp, "  %-16s %u\n", im->spec[pv->ix[i]].name,
		    pv->ids[i].n);
	if (im->kind == K_RELATIONS)
		print_links(im, fp);
	print_sample(im, fp);
	for (int what = R_PROBLEM; what <= R_BLANK; what += 2) {
		int any = 0;

		for (int i = 0; i < im->nrs; i++)
			any |= (im->rs[i].what == R_BLANK) == (what == R_BLANK);
		fprintf(fp, "%s:%s\n", what == R_BLANK ? "blanked" : "rejected",
		    any ? "" : " none");
		for (int i = 0; i < im->nrs; i++) {
			if ((im->rs[i].what == R_BLANK) != (what == R_BLANK))
				continue;
			fprintf(fp, "  %6ld  ", im->rs[i].n);
			term_puts(im->rs[i].key, fp);
			putc('\n', fp);
		}
	}
	fprintf(fp, "problems:%s\n", im->problems || im->blanked ? "" :
	    " none");
	if (pv->problems.len)
		fputs(buf_str(&pv->problems), fp);
}

/* ---- --merge ---- */

/* A duplicate link in the base: the first one is kept, this one is
 * reported like a rejected row (under the base's columns in --rejects). */
static void
base_duplicate(void *arg, const struct rec *r, const int *bmap,
    const struct link *first)
{
	struct imp *im = arg;
	char why[512], lb[32];

	snprintf(why, sizeof why, "duplicate link in the base (first at "
	    "%s:%lu)", r->name, (unsigned long)first->at);
	im->problems++;
	count_reason(im, "duplicate link in the base", rec_where(r), R_PROBLEM);
	if (xs_verbose)
		warnx("%s: %s", rec_where(r), why);
	if (!im->rej)
		return;
	reject_head(im, r->name, r->line, NULL, -1, NULL, 0, why, lb);
	for (int i = 0; i < r->ncols; i++)
		put_reject(im, bmap[i], r->f[i], r->len[i]);
	wr_row(&im->rw, im->rv, im->rl);
}

/* The base snapshot's header, then the rejects file with the snapshot's
 * columns and op, then the base's rows. */
static void
begin_merge(struct imp *im)
{
	struct merge *m = &im->mg;

	merge_open(m, im->nout, im->ocol);
	if (im->rej_path) {
		char **h = xcalloc((size_t)m->ncols + 2, sizeof *h);
		int op = merge_col(m, "op");

		memcpy(h, m->cols, (size_t)m->ncols * sizeof *h);
		im->rej_op = op >= 0 ? op : m->ncols;
		h[m->ncols] = "op";
		open_rejects(im, m->ncols + (op < 0), h);
		free(h);
	}
	merge_load(m, base_duplicate, im);
}

/* ---- the run ---- */

/* Outputs begin with the first input that has a header (s), or with
 * none when no input has one. */
static void
start(struct imp *im, const struct src *s)
{
	if (im->rej_path && !im->merge_path)
		open_rejects(im, im->nout, im->ocol);
	if (im->preview) {
		preview_init(im);
		if (s)
			describe_map(im, s);
	} else if (im->merge_path) {
		begin_merge(im);
	} else {
		wr_open(&im->w, im->spool ? im->spool : im->out, im->json,
		    im->nout, im->ocol);
	}
}

static void
emit(struct imp *im, const struct row *rw)
{
	im->nout_rows++;
	if (im->preview)
		preview_row(im, rw);
	else if (im->merge_path)
		merge_row(&im->mg, im->val[im->ix_subject],
		    im->vlen[im->ix_subject], im->val[im->ix_linked],
		    im->vlen[im->ix_linked], im->val[im->ix_type],
		    im->type_given, (im->spec_src[im->ix_op] >= 0 ||
		    im->setv[im->ix_op]) && strcmp(im->val[im->ix_op],
		    "remove") == 0, im->v, im->olen, im->carried);
	else
		wr_row(&im->w, im->v, im->olen);
}

static void
read_input(struct imp *im, struct src *s, int fileno)
{
	struct row rw;
	int first = !im->ready;

	im->delim_eff = s->fmt == F_CSV ? s->c.delim : s->fmt == F_TSV ? '\t' : 0;
	colmap_detect(&im->cm, &s->h, im->kind);
	if (im->kind < 0)
		set_kind(im, colmap_guess(&im->cm, &s->h));
	map_input(im, s);
	im->title_col = s->h.use.title >= 0 ? s->h.use.title : title_col(im, s);
	/* an order's lines after its first: the order's customer and date */
	im->carry.started = im->kind == K_ORDERS &&
	    (im->spec_src[im->ix_customer] >= 0 ||
	    im->spec_src[im->ix_ts] >= 0) ? 0 : -1;
	if (first)
		start(im, s);
	map_rejects(im, s);
	progress_at(&im->pg, fileno, s->fmt == F_CSV ? s->c.fd : s->r.fd);
	while (src_next(s, &rw)) {
		/* A quote still open at the end: the rest of the input is
		 * one field, and what rows it held nobody can say. */
		if (s->fmt == F_CSV && s->c.bad == CSVIN_OPEN)
			die(XS_INPUT, "%s:%ld: column %d%s%s%s: unterminated quoted "
			    "field", s->name, rw.line, rw.badcol,
			    rw.badcol <= s->h.ncols ? " '" : "",
			    rw.badcol <= s->h.ncols ? s->h.cols[rw.badcol - 1] : "",
			    rw.badcol <= s->h.ncols ? "'" : "");
		im->in++;
		progress_tick(&im->pg, (uint64_t)im->in);
		if (im->nslot)
			split_row(im, s, &rw, fileno);
		else
			one_row(im, s, &rw, fileno);
	}
}

/* Rows in are the rows after splitting lists (out + rejected); the rows
 * as read are said before, when lists made them more. */
static void
report(const struct imp *im)
{
	if (im->nrec != im->in)
		note("%slists split: %ld rows read became %ld", im->merge_path ?
		    "feed: " : "", im->in, im->nrec);
	if (im->blanked)
		note("%s%ld rows in, %ld %s, %ld rejected, %ld value%s blanked",
		    im->merge_path ? "feed: " : "", im->nrec, im->nout_rows,
		    im->merge_path ? "applied" : "out", im->rejected, im->blanked,
		    im->blanked == 1 ? "" : "s");
	else
		note("%s%ld rows in, %ld %s, %ld rejected", im->merge_path ?
		    "feed: " : "", im->nrec, im->nout_rows, im->merge_path ?
		    "applied" : "out", im->rejected);
	for (int i = 0; i < im->nrs; i++) {
		const struct reason *r = &im->rs[i];

		if (r->what == R_POLICY)
			note("%ld rejected: %s (first at %s)", r->n, r->key,
			    r->first);
		else if (r->what == R_BLANK)
			warnx("%ld value%s blanked, row%s kept: %s (first at %s)",
			    r->n, r->n == 1 ? "" : "s", r->n == 1 ? "" : "s", r->key,
			    r->first);
		else
			warnx("%ld rejected: %s (first at %s)", r->n, r->key,
			    r->first);
	}
}

static void
copy_spool(FILE *from, FILE *to)
{
	char b[1 << 16];
	size_t n;

	if (fflush(from) != 0 || fseek(from, 0, SEEK_SET) != 0)
		die(XS_SYS, "temporary file: %s", strerror(errno));
	while ((n = fread(b, 1, sizeof b, from)) > 0)
		if (fwrite(b, 1, n, to) != n)
			break;
	if (ferror(from))
		die(XS_SYS, "temporary file: %s", strerror(errno));
	fclose(from);
}

static void
free_strv(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
imp_init(struct imp *im)
{
	memset(im, 0, sizeof *im);
	im->kind = -1;
	im->max_shrink = 0.5;
	im->shrink_arg = "50%";
	intern_init(&im->ids);
	intern_init(&im->excl);
	intern_init(&im->onames);
	buf_init(&im->pv.cols);
	buf_init(&im->pv.problems);
	carry_init(&im->carry);
	im->carry.started = -1;
	im->title_col = -1;
	im->lt = -1;
}

static void
imp_free(struct imp *im)
{
	struct preview *pv = &im->pv;

	for (int k = 0; k < im->nspec; k++)
		buf_free(&im->lb[k]);
	free(im->lb);
	free(im->ospec);
	free(im->spec_src);
	free(im->val);
	free(im->vlen);
	free(im->nb);
	free(im->draw);
	free(im->drawlen);
	free(im->dout);
	free(im->doutlen);
	free_strv(im->ocol, im->nout);
	free_strv(im->extra, im->nextra);
	free(im->extra_src);
	free(im->v);
	free(im->olen);
	free(im->rv);
	free(im->rl);
	free(im->rej_at);
	for (int i = 0; i < im->nrs; i++) {
		free(im->rs[i].key);
		free(im->rs[i].first);
	}
	free(im->rs);
	intern_free(&im->ids);
	intern_free(&im->excl);
	intern_free(&im->onames);
	linkset_free(&im->links);
	free(im->excl_hit);
	if (im->has_exclude)
		regfree(&im->exclude);
	for (int i = 0; i < pv->nids; i++)
		intern_free(&pv->ids[i]);
	free(pv->links);
	for (int r = 0; r < pv->nsample; r++)
		free_strv(pv->sample[r], im->nout + 1);
	free(pv->sample);
	buf_free(&pv->cols);
	buf_free(&pv->problems);
	merge_free(&im->mg);
	free(im->carried);
	free(im->files);
	free(im->maps);
	free(im->sets);
	free(im->splits);
	free(im->setv);
	free(im->extra_setv);
	free(im->peritem);
	free(im->posok);
	free(im->slot);
	free(im->bl);
	carry_free(&im->carry);
	for (size_t i = 0; i < pv->nlinks; i++)
		free(pv->titles[i]);
	free(pv->titles);
}

/* Kinds whose file is the whole of something (a catalog, the links),
 * not a log of events that a smaller file may rightly follow. */
static int
snapshot_kind(int kind)
{
	return kind == K_CATALOG || kind == K_RELATIONS || kind == K_CUSTOMERS ||
	    kind == K_OFFERS;
}

/* The records of an existing output file (its lines, the TSV header left
 * out), or -1 when there is nothing to count: no such file, not a regular
 * one, unreadable. */
static long
count_records(const char *path)
{
	char b[1 << 16];
	struct stat sb;
	ssize_t n;
	long lines = 0;
	int fd, first = -1, last = '\n';

	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (fd = open(path, O_RDONLY)) < 0)
		return -1;
	while ((n = read(fd, b, sizeof b)) > 0 || (n < 0 && errno == EINTR)) {
		for (ssize_t i = 0; first < 0 && i < n; i++)
			if (!is_space((unsigned char)b[i]))
				first = (unsigned char)b[i];
		for (const char *p = b; (p = memchr(p, '\n',
		    (size_t)(b + n - p))) != NULL; p++)
			lines++;
		if (n > 0)
			last = (unsigned char)b[n - 1];
	}
	close(fd);
	if (n < 0 || first < 0)
		return n < 0 ? -1 : 0;
	lines += last != '\n';
	return first == '{' ? lines : lines - 1;
}

/* A cron job's guard: -o over a snapshot that would lose more than
 * --max-shrink of its records (an empty or cut-short feed) is exit 1,
 * and the file stays as it was. */
static void
check_shrink(const struct imp *im)
{
	long old;

	if (im->force || im->preview || !snapshot_kind(im->kind) ||
	    !im->out_path || strcmp(im->out_path, "-") == 0 ||
	    (old = count_records(im->out_path)) <= 0 ||
	    (double)(old - im->written) <= im->max_shrink * (double)old)
		return;
	die(XS_DATA, "%s: would shrink from %ld to %ld records, by more than "
	    "--max-shrink %s: left as it was (--force replaces it)",
	    im->out_path, old, im->written, im->shrink_arg);
}

static int
finish(struct imp *im)
{
	int status;

	progress_done(&im->pg);
	if (!im->ready) {
		if (im->kind < 0)
			die(XS_INPUT, "no header in the input: give --kind");
		make_layout(im, NULL, NULL);
		start(im, NULL);
	}
	im->written = im->nout_rows;
	if (im->preview)
		preview_print(im, im->spool ? im->spool : im->out);
	else if (im->merge_path)
		im->written = merge_write(&im->mg, im->spool ? im->spool : im->out,
		    im->json);
	else
		wr_close(&im->w);
	report(im);
	if (im->rej) {
		wr_close(&im->rw);
		out_close(im->rej);
	}
	if (im->strict && im->blanked)
		die(XS_DATA, "--strict: %ld rows rejected, %ld value%s blanked, "
		    "nothing written", im->problems, im->blanked,
		    im->blanked == 1 ? "" : "s");
	if (im->strict && im->problems)
		die(XS_DATA, "--strict: %ld rows rejected, nothing written",
		    im->problems);
	check_shrink(im);
	if (im->spool)
		copy_spool(im->spool, im->out);
	out_close(im->out);
	status = im->problems || im->blanked ? XS_DATA : XS_OK;
	imp_free(im);
	return status;
}

static int
parse_delim(const char *arg)
{
	if (strcmp(arg, "tab") == 0 || strcmp(arg, "TAB") == 0 ||
	    strcmp(arg, "\\t") == 0)
		return '\t';
	if (strlen(arg) != 1 || arg[0] == '"' || arg[0] == '\n' ||
	    arg[0] == '\r') {
		warnx("--delimiter: not a single character: '%s'", arg);
		exit(XS_USAGE);
	}
	return (unsigned char)arg[0];
}

/* A fraction from 0 to 1 (0.5) or a percent (50%). */
static double
parse_shrink(const char *arg)
{
	size_t n = strlen(arg);
	int pct = n > 0 && arg[n - 1] == '%';
	double v;

	if (num_parse(arg, n - (size_t)pct, &v) != NULL || v < 0 ||
	    v > (pct ? 100 : 1))
		die(XS_USAGE, "option --max-shrink: \"%s\" is not a fraction "
		    "from 0 to 1 or a percent from 0%% to 100%%", arg);
	return pct ? v / 100 : v;
}

static void
add_map(struct imp *im, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg || !eq[1]) {
		warnx("--map: not canonical=source: '%s'", arg);
		exit(XS_USAGE);
	}
	im->maps = xreallocarray(im->maps, (size_t)im->nmaps + 1,
	    sizeof *im->maps);
	im->maps[im->nmaps++] = (char *)arg;
}

/* --set column=value: the value of column where the input has none. */
static void
add_set(struct imp *im, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg || !eq[1])
		die(XS_USAGE, "--set: not column=value: '%s'", arg);
	im->sets = xreallocarray(im->sets, (size_t)im->nsets + 1,
	    sizeof *im->sets);
	im->sets[im->nsets++] = (char *)arg;
}

/* --split column[=sep]: the column's cells are lists. */
static void
add_split(struct imp *im, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (eq == arg || *arg == '\0' || (eq && !eq[1]))
		die(XS_USAGE, "--split: not column or column=separator: '%s'",
		    arg);
	im->splits = xreallocarray(im->splits, (size_t)im->nsplits + 1,
	    sizeof *im->splits);
	im->splits[im->nsplits++] = (char *)arg;
}

static void
add_date_format(struct imp *im, const char *arg)
{
	const char *err = date_fmt_check(arg);

	if (err)
		die(XS_USAGE, "--date-format '%s': %s", arg, err);
	if (im->df.n == DATE_MAXFMT)
		die(XS_USAGE, "--date-format: at most %d", DATE_MAXFMT);
	im->df.fmt[im->df.n++] = arg;
}

static void
set_exclude(struct imp *im, const char *arg)
{
	int e = regcomp(&im->exclude, arg, REG_EXTENDED | REG_NOSUB);

	if (e) {
		char msg[128];

		regerror(e, &im->exclude, msg, sizeof msg);
		warnx("--exclude: %s: '%s'", msg, arg);
		exit(XS_USAGE);
	}
	im->has_exclude = 1;
}

static const struct option longopts[] = {
	{ "kind", required_argument, NULL, 'k' },
	{ "map", required_argument, NULL, 'm' },
	{ "rejects", required_argument, NULL, 'r' },
	{ "strict", no_argument, NULL, 'S' },
	{ "preview", no_argument, NULL, 'P' },
	{ "merge", required_argument, NULL, 'M' },
	{ "returns", required_argument, NULL, 'R' },
	{ "exclude", required_argument, NULL, 'x' },
	{ "delimiter", required_argument, NULL, 'd' },
	{ "csv", no_argument, NULL, 'C' },
	{ "full", no_argument, NULL, 'U' },
	{ "force", no_argument, NULL, 'F' },
	{ "max-shrink", required_argument, NULL, 'X' },
	{ "set", required_argument, NULL, 'T' },
	{ "split", required_argument, NULL, 'L' },
	{ "date-format", required_argument, NULL, 'D' },
	XS_COMMON_LONGOPTS
};

static void
options(struct imp *im, int argc, char **argv)
{
	static const char *const returns[] = { "drop", "keep", NULL };
	int c;

	while ((c = getopt_long(argc, argv, "k:m:r:x:d:jo:qvhV", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'k': im->kind = opt_word("--kind", optarg, kind_names); break;
		case 'm': add_map(im, optarg); break;
		case 'r': im->rej_path = optarg; break;
		case 'S': im->strict = 1; break;
		case 'P': im->preview = 1; break;
		case 'M': im->merge_path = optarg; break;
		case 'R':
			im->keep_returns = opt_word("--returns", optarg, returns);
			break;
		case 'x': set_exclude(im, optarg); break;
		case 'd': im->delim = parse_delim(optarg); break;
		case 'C': im->csv = 1; break;
		case 'U': im->full = 1; break;
		case 'F': im->force = 1; break;
		case 'X':
			im->max_shrink = parse_shrink(optarg);
			im->shrink_arg = optarg;
			break;
		case 'T': add_set(im, optarg); break;
		case 'L': add_split(im, optarg); break;
		case 'D': add_date_format(im, optarg); break;
		case 'j': im->json = 1; break;
		case 'o': im->out_path = optarg; break;
		case 'q': xs_quiet = 1; break;
		case 'v': xs_verbose = 1; break;
		case 'h':
			fputs(usage_text, stdout);
			fputs(help_text, stdout);
			exit(xs_finish(XS_OK));
		case 'V': xs_version();
		default: usage_die(usage_text);
		}
	}
	if (im->full && !im->merge_path) {
		warnx("--full needs --merge");
		exit(XS_USAGE);
	}
	if (im->merge_path && im->preview) {
		warnx("--merge and --preview cannot be used together");
		exit(XS_USAGE);
	}
	if (im->merge_path && im->kind >= 0 && im->kind != K_RELATIONS) {
		warnx("--merge needs --kind relations");
		exit(XS_USAGE);
	}
	if (im->merge_path)
		im->kind = K_RELATIONS;
	im->cm.maps = im->maps;
	im->cm.nmaps = im->nmaps;
	im->cm.merge = im->merge_path != NULL;
}

int
main(int argc, char **argv)
{
	static char *stdin_only[] = { "-" };
	struct imp im;
	char **files;
	int nfiles;

	xs_init(argv[0]);
	imp_init(&im);
	options(&im, argc, argv);
	merge_init(&im.mg, im.merge_path, im.full);
	files = optind < argc ? argv + optind : stdin_only;
	nfiles = optind < argc ? argc - optind : 1;
	if (im.kind >= 0)
		set_kind(&im, im.kind);
	im.files = xcalloc((size_t)nfiles + 1, sizeof *im.files);
	for (int i = 0; i < nfiles; i++)
		im.files[i] = (char *)shown(files[i]);
	im.nfiles = nfiles;
	/* Every input named up front (an output that is one is exit 2), the
	 * merge base being the one that -o may replace. */
	for (int i = 0; i < nfiles; i++)
		out_input(files[i]);
	out_inplace(im.merge_path, im.out_path);
	im.out = out_open(im.out_path);
	if (im.strict && im.out == stdout && !(im.spool = tmpfile()))
		die(XS_SYS, "temporary file: %s", strerror(errno));
	progress_init(&im.pg, "rows");
	progress_files(&im.pg, nfiles, files);
	for (int i = 0; i < nfiles; i++) {
		struct src s;

		if (src_open(&im, &s, files[i]))
			read_input(&im, &s, i);
		src_close(&s);
	}
	return xs_finish(finish(&im));
}
