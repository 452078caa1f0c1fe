/*
 * report.h: output for people. Tables aligned for a terminal with text
 * bar charts, and one self-contained HTML page (inline CSS and SVG, no
 * scripts, nothing fetched) with the same tables and charts.
 *
 * A tool builds its tables and charts once, then renders them either
 * way. Cells are text; a column marked numeric is right-aligned.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "xsell.h"
#include "buf.h"
#include "intern.h"

struct rtable {
	char *title;
	int ncols;
	char **cols;
	unsigned char *numeric;	/* per column: right-aligned */
	size_t nrows, cap;
	char **cells;		/* nrows * ncols, owned, never NULL */
	int bar;		/* column drawn as a bar after the row, or -1 */
	int sev;		/* column whose word (error, warning, info)
				 * colours its row, or -1 */
	int wrap;		/* column that wraps to fit the width, or -1 */
	int under;		/* column that goes below its row on a narrow
				 * page, or -1 (the wrap column does) */
	unsigned char *cut;	/* per column: cut short ("...") to fit first */
	char **brief;		/* per column: a short heading, or NULL */
	unsigned char *span;	/* per row: a note across the table (cell 0) */
	signed char *rsev;	/* per row: -1 plain, 0 info, 1 warning, 2 error */
};

/*
 * The page a text report is laid out for, set once by report_term: on a
 * terminal its width and height and colours (unless NO_COLOR is set or
 * TERM is dumb); elsewhere 132 columns, no height, no colours.
 */
extern int report_cols, report_lines, report_colour;
void report_term(FILE *fp);

void rtable_init(struct rtable *t, const char *title, int ncols,
    const char *const *cols);
void rtable_free(struct rtable *t);
/* Marks column i numeric (right-aligned). */
void rtable_numeric(struct rtable *t, int i);
/* Marks column i as one a text report may cut short to fit its width. */
void rtable_cut(struct rtable *t, int i);
/* Gives column i a short heading, for a page too narrow for the long
 * ones (an 80-column terminal). */
void rtable_brief(struct rtable *t, int i, const char *heading);
/* Appends a row of ncols cells (NULL is empty); copies them. */
void rtable_row(struct rtable *t, const char *const *cells);
/* Sets the last row's severity (-1 plain, 0 info, 1 warning, 2 error);
 * by default it is the sev column's word. */
void rtable_row_sev(struct rtable *t, int level);
/* Appends a note row across the table ("... 191 more in the TSV"). */
void rtable_note(struct rtable *t, const char *text);
/*
 * Tables that fit a page show the first head and last tail of n rows and
 * a note for the rest: is row i of n shown? (Never folds one row alone.)
 */
static inline int
rfold_shown(size_t i, size_t n, size_t head, size_t tail)
{
	return n <= head + tail + 1 || i < head || i >= n - tail;
}
/* Aligned text; the bar column, when set, also gets a '#' bar scaled to
 * the column's largest value. A table wider than report_cols wraps its
 * wrap column; rows are coloured by their sev column when
 * report_colour is on. */
void rtable_text(const struct rtable *t, FILE *fp);
void rtable_html(const struct rtable *t, FILE *fp);

/*
 * Charts. BARS: one value per label. INTERVALS: an estimate with a low and
 * high end per label, around a reference line (ref, usually 0). LINES: up
 * to four series of (x, y) points sharing axes.
 */
enum { CHART_BARS, CHART_INTERVALS, CHART_LINES };

#define CHART_SERIES 4

struct rchart {
	int kind;
	char *title, *xlabel, *ylabel;
	size_t n, cap;
	char **labels;		/* BARS, INTERVALS */
	double *v, *lo, *hi;	/* v for BARS; v, lo, hi for INTERVALS */
	double ref;
	int nseries;		/* LINES */
	char *sname[CHART_SERIES];
	size_t sn[CHART_SERIES];
	double *sx[CHART_SERIES], *sy[CHART_SERIES];
	char *unit;		/* after every value shown: "%", " pp", "" */
	double mark;		/* a threshold line (NaN: none) and its name */
	char *markname;
	size_t nticks;		/* LINES: the label of x = 0, 1, ... */
	char **ticks;
};

void rchart_init(struct rchart *c, int kind, const char *title);
void rchart_free(struct rchart *c);
void rchart_bar(struct rchart *c, const char *label, double v);
void rchart_interval(struct rchart *c, const char *label, double est,
    double lo, double hi);
/* Adds a series of n points (copied) to a LINES chart. */
void rchart_series(struct rchart *c, const char *name, size_t n,
    const double *x, const double *y);
/* The unit of the values (one per chart: a % and a pp never share an
 * axis). */
void rchart_unit(struct rchart *c, const char *unit);
/* A threshold drawn across the chart, named in its legend. */
void rchart_mark(struct rchart *c, double v, const char *name);
/* LINES: x values are 0 .. n-1 and these their labels (dates). */
void rchart_ticks(struct rchart *c, size_t n, const char *const *labels);
/* Text rendering of BARS and INTERVALS (LINES are left to tables). */
void rchart_text(const struct rchart *c, FILE *fp);
/* Inline SVG. */
void rchart_svg(const struct rchart *c, FILE *fp);

/*
 * The one-line verdict a report starts with ("upload blocked: 3
 * errors"): level 2 error, 1 warning, 0 fine; coloured on a terminal and
 * on the page. Either fp may be NULL.
 */
void report_verdict(FILE *text, FILE *html, int level, const char *msg);
/* A section heading on the text report (text not NULL) and the page. */
void report_heading(FILE *text, FILE *html, const char *s);
/* A summary line on the text report and the page; without a text report
 * on stderr as a note, so a pipeline keeps one table on stdout and a
 * person still sees it. Merchant data in it is shown escaped. */
void report_para(FILE *text, FILE *html, const char *s);
/* The same, the paragraph made by printf(3) rules. */
void report_vparaf(FILE *text, FILE *html, const char *fmt, va_list ap)
    XS_PRINTF(3, 0);

/*
 * Titles beside ids: a catalog's title column by product_id (the first
 * title of an id given twice). Without a catalog, or without titles,
 * labels are the ids alone.
 */
struct rlabels {
	struct intern ids;
	uint32_t *title;	/* id -> title in titles, or INTERN_NONE */
	struct intern titles;
	int on;
};
void rlabels_load(struct rlabels *l, const char *catalog);
void rlabels_free(struct rlabels *l);
/* "id title" (the title cut to about 32 characters), or the id; in b. */
const char *rlabel(const struct rlabels *l, const char *id, struct buf *b);
/* The title alone, or NULL. */
const char *rlabel_title(const struct rlabels *l, const char *id);

/* Page frame; the title is escaped. */
void html_begin(FILE *fp, const char *title);
void html_end(FILE *fp);
void html_heading(FILE *fp, const char *text);
void html_para(FILE *fp, const char *text);
void html_escape(FILE *fp, const char *s);

/* A number for people: sig significant digits without trailing zeros,
 * no exponent from 1e-4 to 1e15, "-" for NaN. Returns buf. */
char *fmt_num(double v, int sig, char *buf, size_t size);
/* A share as a percentage with one decimal: "12.3%". */
char *fmt_pct(double v, char *buf, size_t size);

#endif
