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

struct buf;

struct rtable {
	char *title;
	int ncols;
	char **cols;
	unsigned char *numeric;	/* per column: right-aligned */
	size_t nrows, cap;
	char **cells;		/* nrows * ncols, owned, never NULL */
	int bar;		/* column drawn as a bar after the row, or -1 */
};

/*
 * Text for a terminal. Merchant data reaches reports as it is, and a
 * terminal acts on control characters in it (ESC starts a sequence that
 * can retitle the window, rewrite the screen or worse): they are shown
 * instead. C0 controls and DEL as \a \b \t \n \v \f \r \e or \xHH,
 * the C1 controls U+0080..U+009F as \u0080 to \u009f, and a byte that is
 * not part of well-formed UTF-8 as \xHH (a terminal in an 8-bit mode
 * reads 0x80..0x9f as C1). Everything else, backslashes too, is kept.
 */
void term_escape(struct buf *b, const char *s, size_t n);
/* Columns the escaped form of s takes (a character each). */
size_t term_width(const char *s);
/* Writes s escaped. */
void term_puts(const char *s, FILE *fp);

void rtable_init(struct rtable *t, const char *title, int ncols,
    const char *const *cols);
void rtable_free(struct rtable *t);
/* Marks column i numeric (right-aligned). */
void rtable_numeric(struct rtable *t, int i);
/* Appends a row of ncols cells (NULL is empty); copies them. */
void rtable_row(struct rtable *t, const char *const *cells);
/* Aligned text; the bar column, when set, also gets a '#' bar scaled to
 * the column's largest value. */
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
};

void rchart_init(struct rchart *c, int kind, const char *title);
void rchart_free(struct rchart *c);
void rchart_bar(struct rchart *c, const char *label, double v);
void rchart_interval(struct rchart *c, const char *label, double est,
    double lo, double hi);
/* Adds a series of n points (copied) to a LINES chart. */
void rchart_series(struct rchart *c, const char *name, size_t n,
    const double *x, const double *y);
/* Text rendering of BARS and INTERVALS (LINES are left to tables). */
void rchart_text(const struct rchart *c, FILE *fp);
/* Inline SVG. */
void rchart_svg(const struct rchart *c, FILE *fp);

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
