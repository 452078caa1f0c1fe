/* report.c: aligned text tables, text charts, and an HTML page with SVG. */
#include <sys/ioctl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "term.h"
#include "xsell.h"
#include "buf.h"
#include "rec.h"
#include "intern.h"

#define BARW 30		/* text bar width at the column's largest value */
#define BARMIN 10	/* the narrowest it gets on a narrow page */
#define SPANW 40	/* text interval chart width */

/* ---- numbers ---- */

char *
fmt_num(double v, int sig, char *buf, size_t size)
{
	int dec;

	if (isnan(v))
		snprintf(buf, size, "-");
	else if (isinf(v))
		snprintf(buf, size, v > 0 ? "inf" : "-inf");
	else if (v == 0)
		snprintf(buf, size, "0");
	else if (fabs(v) >= 1e15 || fabs(v) < 1e-4)
		snprintf(buf, size, "%.*g", sig, v);
	else {
		dec = sig - 1 - (int)floor(log10(fabs(v)));
		if (dec < 0)
			dec = 0;
		if (dec > 8)
			dec = 8;
		snprintf(buf, size, "%.*f", dec, v);
		if (dec > 0) {	/* 2.000 reads better as 2, 0.5000 as 0.5 */
			char *e = buf + strlen(buf) - 1;
			while (*e == '0')
				*e-- = '\0';
			if (*e == '.')
				*e = '\0';
		}
		/* "-0" and "-0.000" after rounding read as zero */
		if (buf[0] == '-' && strspn(buf + 1, "0.") == strlen(buf + 1))
			memmove(buf, buf + 1, strlen(buf));
	}
	return buf;
}

char *
fmt_pct(double v, char *buf, size_t size)
{
	if (isnan(v))
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.1f%%", 100 * v);
	return buf;
}

/* ---- tables ---- */

static const char *const sev_word[3] = { "info", "warning", "error" };

void
rtable_init(struct rtable *t, const char *title, int ncols,
    const char *const *cols)
{
	memset(t, 0, sizeof *t);
	t->title = xstrdup(title ? title : "");
	t->ncols = ncols;
	t->cols = xcalloc((size_t)ncols, sizeof *t->cols);
	t->numeric = xcalloc((size_t)ncols, 1);
	t->cut = xcalloc((size_t)ncols, 1);
	t->brief = xcalloc((size_t)ncols, sizeof *t->brief);
	for (int i = 0; i < ncols; i++)
		t->cols[i] = xstrdup(cols[i]);
	t->bar = -1;
	t->sev = -1;
	t->wrap = -1;
	t->under = -1;
}

void
rtable_free(struct rtable *t)
{
	for (size_t i = 0; i < t->nrows * (size_t)t->ncols; i++)
		free(t->cells[i]);
	for (int i = 0; i < t->ncols; i++) {
		free(t->cols[i]);
		free(t->brief[i]);
	}
	free(t->brief);
	free(t->cells);
	free(t->cols);
	free(t->numeric);
	free(t->cut);
	free(t->span);
	free(t->rsev);
	free(t->title);
	memset(t, 0, sizeof *t);
}

void
rtable_numeric(struct rtable *t, int i)
{
	t->numeric[i] = 1;
}

void
rtable_brief(struct rtable *t, int i, const char *heading)
{
	free(t->brief[i]);
	t->brief[i] = xstrdup(heading);
}

void
rtable_cut(struct rtable *t, int i)
{
	t->cut[i] = 1;
}

void
rtable_row(struct rtable *t, const char *const *cells)
{
	size_t base;

	if (t->nrows == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->cells = xreallocarray(t->cells, t->cap * (size_t)t->ncols,
		    sizeof *t->cells);
		t->span = xreallocarray(t->span, t->cap, 1);
		t->rsev = xreallocarray(t->rsev, t->cap, 1);
	}
	t->span[t->nrows] = 0;
	t->rsev[t->nrows] = -1;
	base = t->nrows++ * (size_t)t->ncols;
	for (int i = 0; i < t->ncols; i++)
		t->cells[base + (size_t)i] = xstrdup(cells[i] ? cells[i] : "");
	if (t->sev >= 0)
		for (int k = 0; k < 3; k++)
			if (strcmp(t->cells[base + (size_t)t->sev], sev_word[k]) == 0)
				t->rsev[t->nrows - 1] = (signed char)k;
}

void
rtable_row_sev(struct rtable *t, int level)
{
	if (t->nrows)
		t->rsev[t->nrows - 1] = (signed char)level;
}

void
rtable_note(struct rtable *t, const char *text)
{
	const char **c = xcalloc((size_t)t->ncols + 1, sizeof *c);

	c[0] = text;
	rtable_row(t, c);
	t->span[t->nrows - 1] = 1;
	free(c);
}

/* ---- the page a text report is laid out for ---- */

int report_cols = 132, report_lines = 0, report_colour = 0;

void
report_term(FILE *fp)
{
	struct winsize ws;
	const char *e;
	int fd = fileno(fp);

	if (!isatty(fd))
		return;
	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
		report_cols = ws.ws_col;
		report_lines = ws.ws_row;
	}
	report_colour = !((e = getenv("NO_COLOR")) && *e) &&
	    !((e = getenv("TERM")) && strcmp(e, "dumb") == 0);
}

/* The colour of a row's severity, or NULL. */
static const char *
sev_colour(int level)
{
	static const char *const colour[3] = {
		"\033[2m", "\033[33m", "\033[1;31m"
	};

	return report_colour && level >= 0 && level < 3 ? colour[level] : NULL;
}

void
report_heading(FILE *text, FILE *html, const char *s)
{
	if (text) {
		fputs("== ", text);
		term_puts(s, text);
		fputs(" ==\n\n", text);
	}
	if (html)
		html_heading(html, s);
}

static void para_text(const char *s, FILE *fp);

void
report_para(FILE *text, FILE *html, const char *s)
{
	if (text) {
		para_text(s, text);
		fputs("\n\n", text);
	} else {
		note("%s", s);
	}
	if (html)
		html_para(html, s);
}

void
report_vparaf(FILE *text, FILE *html, const char *fmt, va_list ap)
{
	struct buf b;

	buf_init(&b);
	buf_vprintf(&b, fmt, ap);
	report_para(text, html, buf_str(&b));
	buf_free(&b);
}

void
report_verdict(FILE *text, FILE *html, int level, const char *msg)
{
	static const char *const colour[] = {
		"\033[1;32m", "\033[1;33m", "\033[1;31m"
	};

	if (level < 0)
		level = 0;
	if (level > 2)
		level = 2;
	if (text) {
		if (report_colour)
			fputs(colour[level], text);
		para_text(msg, text);
		if (report_colour)
			fputs("\033[0m", text);
		fputs("\n\n", text);
	}
	if (html) {
		fprintf(html, "<p class=\"verdict l%d\">", level);
		html_escape(html, msg);
		fputs("</p>\n", html);
	}
}

static void
pad(FILE *fp, size_t n)
{
	while (n--)
		putc(' ', fp);
}

static void
bar(FILE *fp, double v, double max, int w)
{
	int n = max > 0 && v > 0 ? (int)lround(v / max * w) : 0;

	if (n == 0 && v > 0)
		n = 1;	/* something, however small, is not nothing */
	for (int i = 0; i < n; i++)
		putc('#', fp);
}

/* Code points of UTF-8 text (escaped text is printable: one column each). */
static size_t
cps(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xC0) != 0x80;
	return k;
}

/* The bytes of the longest piece of s[0..n) that fits w columns, broken
 * after a space where there is one; *next is where the next piece starts. */
static size_t
piece(const char *s, size_t n, size_t w, size_t *next)
{
	size_t i = 0, cols = 0, brk = 0;

	while (i < n) {
		size_t k = 1;

		while (i + k < n && ((unsigned char)s[i + k] & 0xC0) == 0x80)
			k++;
		if (cols + 1 > w)
			break;
		if (s[i] == ' ')
			brk = i;
		i += k;
		cols++;
	}
	if (i >= n) {
		*next = n;
		return n;
	}
	if (brk > 0) {
		*next = brk + 1;
		return brk;
	}
	*next = i;
	return i;
}

/* A paragraph: on a terminal, broken at spaces to fit its width. */
static void
para_text(const char *s, FILE *fp)
{
	struct buf e;
	size_t at = 0, n, next;

	if (report_lines <= 0 || report_cols <= 0) {
		term_puts(s, fp);
		return;
	}
	buf_init(&e);
	term_escape(&e, s, strlen(s));
	while (at < e.len) {
		n = piece(e.s + at, e.len - at, (size_t)report_cols, &next);
		if (at)
			putc('\n', fp);
		fwrite(e.s + at, 1, n, fp);
		at += next;
	}
	buf_free(&e);
}

/* How a table is laid out on the page. */
struct layout {
	size_t *w;	/* per column: its width */
	size_t *dw;	/* per column: its cells' width */
	size_t total;	/* the table's width */
	size_t barw;	/* the bar's, 0 for none */
	int wc;		/* the column that wraps, or -1 */
	int below;	/* it goes below its row */
	int brief;	/* the short headings */
	int lastcol;	/* the last column on a row's first line */
};

/* Column i's heading as the layout has it. */
static const char *
heading_of(const struct rtable *t, const struct layout *L, int i)
{
	return L->brief && t->brief[i] ? t->brief[i] : t->cols[i];
}

/* Columns of kind (0 cut, 1 wrap) give up what they can of the excess
 * over the page, down to min or their heading: cut columns each a share. */
static void
give(const struct rtable *t, struct layout *L, int wrap, size_t min)
{
	int k = 0;

	for (int j = 0; j < t->ncols; j++)
		k += t->cut[j];
	for (int i = 0; i < t->ncols && L->total > (size_t)report_cols; i++) {
		size_t over = L->total - (size_t)report_cols, m = min;
		size_t was = L->w[i];

		if (wrap ? i != t->wrap : !t->cut[i])
			continue;
		if (term_width(heading_of(t, L, i)) > m)
			m = term_width(heading_of(t, L, i));
		if (was <= m)
			continue;
		if (!wrap)
			over = (over + (size_t)k - 1) / (size_t)k;
		L->w[i] = was > over + m ? was - over : m;
		L->total -= was - L->w[i];
	}
}

/*
 * Widths that fit the page: the cut columns give up what they can down
 * to 22, then the wrap column down to 36. On a narrower page (80 columns)
 * the wrap column goes below its row, across the page; then the short
 * headings are used, the bar shrinks to BARMIN, the cut columns go down
 * to 12, and then the bar goes. A table of numbers alone may still be
 * wider.
 */
static void
fit(const struct rtable *t, struct layout *L)
{
	size_t cols = (size_t)report_cols;

	if (report_cols <= 0)
		return;
	give(t, L, 0, 22);
	give(t, L, 1, 36);
	if (t->under >= 0 && t->wrap < 0)
		L->wc = t->under;
	if (L->wc >= 0 && t->ncols > 1 && L->total > cols) {
		L->below = 1;
		L->total -= L->w[L->wc] + 2;
		L->w[L->wc] = cols > 22 ? cols - 2 : 20;
	} else {
		L->wc = t->wrap;
	}
	if (L->total > cols) {
		L->brief = 1;
		for (int i = 0; i < t->ncols; i++) {
			size_t was = L->w[i], h = term_width(heading_of(t, L, i));

			if (t->brief[i] && !(L->below && i == L->wc) &&
			    !t->cut[i]) {
				L->w[i] = L->dw[i] > h ? L->dw[i] : h;
				L->total -= was - L->w[i];
			}
		}
	}
	if (L->barw && L->total > cols) {
		size_t over = L->total - cols, was = L->barw;

		L->barw = was > over + BARMIN ? was - over : BARMIN;
		L->total -= was - L->barw;
	}
	give(t, L, 0, 12);
	if (L->barw && L->total > cols)
		L->barw = 0;
}

/* The heading line; a wrap column below its rows has its own. */
static void
heading(const struct rtable *t, const struct layout *L, FILE *fp)
{
	for (int i = 0; i <= L->lastcol; i++) {
		const char *h = heading_of(t, L, i);

		if (L->below && i == L->wc)
			continue;
		if (t->numeric[i])
			pad(fp, L->w[i] - term_width(h));
		term_puts(h, fp);
		if (i < L->lastcol)
			pad(fp, (t->numeric[i] ? 0 : L->w[i] - term_width(h)) + 2);
	}
	putc('\n', fp);
	if (L->below) {
		fputs("  ", fp);
		term_puts(heading_of(t, L, L->wc), fp);
		putc('\n', fp);
	}
}

void
rtable_text(const struct rtable *t, FILE *fp)
{
	struct layout L = { 0 };
	size_t *w, r;
	double max = 0, v;
	const char *cell, *col;
	struct buf e;

	buf_init(&e);
	L.w = w = xcalloc((size_t)t->ncols, sizeof *w);
	L.dw = xcalloc((size_t)t->ncols, sizeof *L.dw);
	L.barw = t->bar >= 0 ? BARW : 0;
	L.wc = t->wrap;
	for (r = 0; r < t->nrows; r++)
		for (int i = 0; i < t->ncols && !t->span[r]; i++) {
			cell = t->cells[r * (size_t)t->ncols + (size_t)i];
			if (term_width(cell) > L.dw[i])
				L.dw[i] = term_width(cell);
			if (i == t->bar && (v = strtod(cell, NULL)) > max)
				max = v;
		}
	for (int i = 0; i < t->ncols; i++) {
		w[i] = term_width(t->cols[i]);
		if (L.dw[i] > w[i])
			w[i] = L.dw[i];
		L.total += w[i] + (i ? 2 : 0);
	}
	if (L.barw)
		L.total += 2 + L.barw;
	fit(t, &L);
	L.lastcol = t->ncols - 1 - (L.below && L.wc == t->ncols - 1);
	if (*t->title) {
		para_text(t->title, fp);
		putc('\n', fp);
	}
	heading(t, &L, fp);
	for (r = 0; r < t->nrows; r++) {
		char *const *row = t->cells + r * (size_t)t->ncols;
		size_t at = 0, len = 0, next, shown;
			int line = 0;

		if (t->span[r]) {
			if (report_colour)
				fputs("\033[2m", fp);
			fputs("  ", fp);
			term_puts(row[0], fp);
			if (report_colour)
				fputs("\033[0m", fp);
			putc('\n', fp);
			continue;
		}
		col = sev_colour(t->rsev[r]);
		if (L.wc >= 0) {
			buf_reset(&e);
			term_escape(&e, row[L.wc], strlen(row[L.wc]));
			len = e.len;
		}
		do {	/* a line, and more while the wrap column has text */
			if (col)
				fputs(col, fp);
			if (L.below && line)
				fputs("  ", fp);
			for (int i = 0; i < t->ncols; i++) {
				int last = i == L.lastcol && !L.barw;

				if (L.below && (line ? i != L.wc : i == L.wc))
					continue;
				if (line && i != L.wc) {
					if (i < L.wc)
						pad(fp, w[i] + 2);
					continue;
				}
				if (i == L.wc) {
					size_t n = piece(e.s + at, len - at, w[i], &next);

					fwrite(e.s + at, 1, n, fp);
					shown = cps(e.s + at, n);
					at += next;
					if (!last && !line && !L.below)
						pad(fp, w[i] - shown + 2);
					continue;
				}
				cell = row[i];
				if (t->cut[i] && term_width(cell) > w[i]) {
					/* the escaped form, cut, with an ellipsis */
					size_t nx, n;
					struct buf c;

					buf_init(&c);
					term_escape(&c, cell, strlen(cell));
					n = piece(c.s, c.len, w[i] - 1, &nx);
					(void)nx;
					fwrite(c.s, 1, n, fp);
					fputs("\xe2\x80\xa6", fp);
					if (!last)
						pad(fp, w[i] - cps(c.s, n) + 1);
					buf_free(&c);
					continue;
				}
				if (t->numeric[i])
					pad(fp, w[i] - term_width(cell));
				term_puts(cell, fp);
				if (!last)
					pad(fp, (t->numeric[i] ? 0 : w[i] - term_width(cell)) + 2);
			}
			if (L.barw && !line)
				bar(fp, strtod(row[t->bar], NULL), max, (int)L.barw);
			if (col)
				fputs("\033[0m", fp);
			putc('\n', fp);
			line++;
		} while (L.wc >= 0 && at < len);
	}
	putc('\n', fp);
	buf_free(&e);
	free(w);
	free(L.dw);
}

void
html_escape(FILE *fp, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '&': fputs("&amp;", fp); break;
		case '"': fputs("&quot;", fp); break;
		default: putc(*s, fp);
		}
}

void
rtable_html(const struct rtable *t, FILE *fp)
{
	double max = 0, v;

	for (size_t r = 0; t->bar >= 0 && r < t->nrows; r++)
		if (!t->span[r] && (v = strtod(t->cells[r * (size_t)t->ncols +
		    (size_t)t->bar], NULL)) > max)
			max = v;
	fputs("<table>\n", fp);
	if (*t->title) {
		fputs("<caption>", fp);
		html_escape(fp, t->title);
		fputs("</caption>\n", fp);
	}
	fputs("<tr>", fp);
	for (int i = 0; i < t->ncols; i++) {
		fputs(t->numeric[i] ? "<th class=n>" : "<th>", fp);
		html_escape(fp, t->cols[i]);
		fputs("</th>", fp);
	}
	if (t->bar >= 0) {	/* what the bars show */
		fputs("<th>", fp);
		html_escape(fp, t->cols[t->bar]);
		fputs("</th>", fp);
	}
	fputs("</tr>\n", fp);
	for (size_t r = 0; r < t->nrows; r++) {
		char *const *row = t->cells + r * (size_t)t->ncols;
		const char *cls = "";

		if (t->span[r]) {
			fprintf(fp, "<tr class=more><td colspan=%d>", t->ncols +
			    (t->bar >= 0));
			html_escape(fp, row[0]);
			fputs("</td></tr>\n", fp);
			continue;
		}
		if (t->rsev[r] >= 0)
			cls = sev_word[t->rsev[r]];
		if (*cls)
			fprintf(fp, "<tr class=%s>", cls);
		else
			fputs("<tr>", fp);
		for (int i = 0; i < t->ncols; i++) {
			fputs(t->numeric[i] ? "<td class=n>" : i == t->wrap ?
			    "<td class=w>" : i == t->sev ? "<td class=sev>" :
			    "<td>", fp);
			html_escape(fp, row[i]);
			fputs("</td>", fp);
		}
		if (t->bar >= 0) {
			v = strtod(row[t->bar], NULL);
			fprintf(fp, "<td><span class=bar style=\"width:%.0fpx\">"
			    "</span></td>", max > 0 && v > 0 ? fmax(1, v / max * 160) : 0);
		}
		fputs("</tr>\n", fp);
	}
	fputs("</table>\n", fp);
}

/* ---- charts ---- */

void
rchart_init(struct rchart *c, int kind, const char *title)
{
	memset(c, 0, sizeof *c);
	c->kind = kind;
	c->title = xstrdup(title ? title : "");
	c->xlabel = xstrdup("");
	c->ylabel = xstrdup("");
	c->unit = xstrdup("");
	c->mark = NAN;
}

void
rchart_unit(struct rchart *c, const char *unit)
{
	free(c->unit);
	c->unit = xstrdup(unit);
}

void
rchart_mark(struct rchart *c, double v, const char *name)
{
	c->mark = v;
	free(c->markname);
	c->markname = xstrdup(name);
}

void
rchart_ticks(struct rchart *c, size_t n, const char *const *labels)
{
	for (size_t i = 0; i < c->nticks; i++)
		free(c->ticks[i]);
	free(c->ticks);
	c->ticks = xcalloc(n + 1, sizeof *c->ticks);
	for (size_t i = 0; i < n; i++)
		c->ticks[i] = xstrdup(labels[i]);
	c->nticks = n;
}

void
rchart_free(struct rchart *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->labels[i]);
	free(c->labels);
	free(c->v);
	free(c->lo);
	free(c->hi);
	for (int i = 0; i < c->nseries; i++) {
		free(c->sname[i]);
		free(c->sx[i]);
		free(c->sy[i]);
	}
	for (size_t i = 0; i < c->nticks; i++)
		free(c->ticks[i]);
	free(c->ticks);
	free(c->unit);
	free(c->markname);
	free(c->title);
	free(c->xlabel);
	free(c->ylabel);
	memset(c, 0, sizeof *c);
}

static void
chart_grow(struct rchart *c)
{
	if (c->n < c->cap)
		return;
	c->cap = c->cap ? 2 * c->cap : 16;
	c->labels = xreallocarray(c->labels, c->cap, sizeof *c->labels);
	c->v = xreallocarray(c->v, c->cap, sizeof *c->v);
	c->lo = xreallocarray(c->lo, c->cap, sizeof *c->lo);
	c->hi = xreallocarray(c->hi, c->cap, sizeof *c->hi);
}

void
rchart_bar(struct rchart *c, const char *label, double v)
{
	chart_grow(c);
	c->labels[c->n] = xstrdup(label);
	c->v[c->n] = v;
	c->lo[c->n] = c->hi[c->n] = NAN;
	c->n++;
}

void
rchart_interval(struct rchart *c, const char *label, double est, double lo,
    double hi)
{
	chart_grow(c);
	c->labels[c->n] = xstrdup(label);
	c->v[c->n] = est;
	c->lo[c->n] = lo;
	c->hi[c->n] = hi;
	c->n++;
}

void
rchart_series(struct rchart *c, const char *name, size_t n, const double *x,
    const double *y)
{
	int k = c->nseries;

	if (k == CHART_SERIES)
		return;
	c->sname[k] = xstrdup(name);
	c->sn[k] = n;
	c->sx[k] = xreallocarray(NULL, n + 1, sizeof *x);
	c->sy[k] = xreallocarray(NULL, n + 1, sizeof *y);
	memcpy(c->sx[k], x, n * sizeof *x);
	memcpy(c->sy[k], y, n * sizeof *y);
	c->nseries++;
}

static size_t
label_width(const struct rchart *c)
{
	size_t w = 0;

	for (size_t i = 0; i < c->n; i++)
		if (term_width(c->labels[i]) > w)
			w = term_width(c->labels[i]);
	return w;
}

/* The span [lo, hi] that holds every finite end and the reference. */
static void
interval_span(const struct rchart *c, double *lo, double *hi)
{
	*lo = *hi = c->ref;
	for (size_t i = 0; i < c->n; i++) {
		double a = isnan(c->lo[i]) ? c->v[i] : c->lo[i];
		double b = isnan(c->hi[i]) ? c->v[i] : c->hi[i];
		if (!isnan(a) && a < *lo)
			*lo = a;
		if (!isnan(b) && b > *hi)
			*hi = b;
	}
	if (!isnan(c->mark) && c->mark < *lo)
		*lo = c->mark;
	if (!isnan(c->mark) && c->mark > *hi)
		*hi = c->mark;
	if (*hi <= *lo)
		*hi = *lo + 1;
}

/* A value with the chart's unit, for labels. */
static char *
with_unit(const struct rchart *c, double v, int sig, char *buf, size_t size)
{
	size_t n;

	fmt_num(v, sig, buf, size);
	n = strlen(buf);
	if (!isnan(v))
		snprintf(buf + n, size - n, "%s", c->unit);
	return buf;
}

/* The width a chart's bars or span may take beside used columns: want,
 * or less on a narrow terminal, down to BARMIN. */
static size_t
room(size_t used, size_t want)
{
	if (report_lines <= 0 || report_cols <= 0 ||
	    used + want <= (size_t)report_cols)
		return want;
	return (size_t)report_cols > used + BARMIN ?
	    (size_t)report_cols - used : BARMIN;
}

/* The widest "5% [0.8881, 23.61%]" after an interval chart's span. */
static size_t
interval_tail(const struct rchart *c)
{
	char a[32], b[32], e[32];
	size_t w = 0, n;

	for (size_t i = 0; i < c->n; i++) {
		n = strlen(with_unit(c, c->v[i], 4, e, sizeof e)) +
		    strlen(fmt_num(c->lo[i], 4, a, sizeof a)) +
		    strlen(with_unit(c, c->hi[i], 4, b, sizeof b)) + 6;
		if (n > w)
			w = n;
	}
	return w;
}

void
rchart_text(const struct rchart *c, FILE *fp)
{
	size_t lw = label_width(c), sw = SPANW, bw = BARW;
	char a[32], b[32], e[32];
	double max = 0, lo, hi;

	if (*c->title) {
		para_text(c->title, fp);
		putc('\n', fp);
	}
	if (c->kind == CHART_BARS) {
		for (size_t i = 0; i < c->n; i++)
			if (c->v[i] > max)
				max = c->v[i];
		bw = room(lw + 14, BARW);
		for (size_t i = 0; i < c->n; i++) {
			term_puts(c->labels[i], fp);
			pad(fp, lw - term_width(c->labels[i]) + 2);
			fprintf(fp, "%10s  ", with_unit(c, c->v[i], 4, a, sizeof a));
			bar(fp, c->v[i], max, (int)bw);
			putc('\n', fp);
		}
	} else if (c->kind == CHART_INTERVALS) {
		interval_span(c, &lo, &hi);
		sw = room(lw + 4 + interval_tail(c), SPANW);
		for (size_t i = 0; i < c->n; i++) {
			char line[SPANW + 1];
			int p0, p1, pe, pr;

			memset(line, ' ', sw);
			line[sw] = '\0';
#define COL(x) ((int)lround(((x) - lo) / (hi - lo) * (double)(sw - 1)))
			pr = COL(c->ref);
			line[pr] = '|';
			if (!isnan(c->mark))
				line[COL(c->mark)] = '!';
			if (!isnan(c->lo[i]) && !isnan(c->hi[i])) {
				p0 = COL(c->lo[i]);
				p1 = COL(c->hi[i]);
				for (int k = p0; k <= p1; k++)
					line[k] = '-';
				line[p0] = '[';
				line[p1] = ']';
			}
			if (!isnan(c->v[i])) {
				pe = COL(c->v[i]);
				line[pe] = 'o';
			}
#undef COL
			term_puts(c->labels[i], fp);
			pad(fp, lw - term_width(c->labels[i]) + 2);
			fprintf(fp, "%s  %s [%s, %s]\n", line,
			    with_unit(c, c->v[i], 4, e, sizeof e),
			    fmt_num(c->lo[i], 4, a, sizeof a),
			    with_unit(c, c->hi[i], 4, b, sizeof b));
		}
		fprintf(fp, "%*s  %s marks %s\n", (int)lw, "", "|",
		    with_unit(c, c->ref, 4, a, sizeof a));
		if (!isnan(c->mark)) {
			fprintf(fp, "%*s  ! marks ", (int)lw, "");
			term_puts(c->markname ? c->markname : "", fp);
			fprintf(fp, " (%s)\n", with_unit(c, c->mark, 4, a, sizeof a));
		}
	}
	putc('\n', fp);
}

/* ---- SVG ---- */

#define SVGW 680
#define ROWH 22
static const char *const colours[CHART_SERIES] = {
	"#1f6fb4", "#888888", "#2a9d3a", "#c0392b"
};
#define MARKC "#c0392b"	/* a threshold line */

static void
svg_text(FILE *fp, double x, double y, const char *anchor, const char *s)
{
	fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">", x, y, anchor);
	html_escape(fp, s);
	fputs("</text>\n", fp);
}

/* Room for the longest label (about 7 px a character), within limits. */
static double
label_room(const struct rchart *c)
{
	double x = 10 + 7.0 * (double)label_width(c);

	return x < 120 ? 120 : x > 330 ? 330 : x;
}

static void
svg_bars(const struct rchart *c, FILE *fp)
{
	double max = 0, x0 = label_room(c), w = SVGW - x0 - 90;
	char a[32];

	for (size_t i = 0; i < c->n; i++)
		if (c->v[i] > max)
			max = c->v[i];
	fprintf(fp, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%zu\" role=\"img\">\n", SVGW, c->n * ROWH + 10);
	for (size_t i = 0; i < c->n; i++) {
		double y = 5 + (double)i * ROWH, bw = max > 0 && c->v[i] > 0 ?
		    c->v[i] / max * w : 0;

		svg_text(fp, x0 - 6, y + 15, "end", c->labels[i]);
		fprintf(fp, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"16\" "
		    "fill=\"%s\"/>\n", x0, y + 2, bw, colours[0]);
		svg_text(fp, x0 + bw + 4, y + 15, "start", with_unit(c, c->v[i], 4, a, sizeof a));
	}
	fputs("</svg>\n", fp);
}

static void
svg_intervals(const struct rchart *c, FILE *fp)
{
	double lo, hi, x0 = label_room(c), w = SVGW - x0 - 30;
	double h = (double)c->n * ROWH + 30;
	char a[32];

	interval_span(c, &lo, &hi);
#define X(v) (x0 + ((v) - lo) / (hi - lo) * w)
	if (!isnan(c->mark))
		h += 16;	/* room for the mark's name at the top */
	fprintf(fp, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%.0f\" role=\"img\">\n", SVGW, h);
	fprintf(fp, "<line x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"%.0f\" "
	    "stroke=\"#999\" stroke-dasharray=\"4 3\"/>\n", X(c->ref), X(c->ref), h - 20);
	if (!isnan(c->mark)) {
		struct buf m;

		buf_init(&m);
		buf_printf(&m, "%s %s", c->markname ? c->markname : "",
		    with_unit(c, c->mark, 4, a, sizeof a));
		fprintf(fp, "<line x1=\"%.1f\" y1=\"14\" x2=\"%.1f\" y2=\"%.0f\" "
		    "stroke=\"%s\" stroke-width=\"1.5\" stroke-dasharray=\"6 3\"/>\n",
		    X(c->mark), X(c->mark), h - 20, MARKC);
		fprintf(fp, "<text x=\"%.1f\" y=\"11\" text-anchor=\"middle\" "
		    "fill=\"%s\" style=\"fill:%s\">", X(c->mark), MARKC, MARKC);
		html_escape(fp, buf_str(&m));
		fputs("</text>\n", fp);
		buf_free(&m);
	}
	for (size_t i = 0; i < c->n; i++) {
		double y = 5 + (double)i * ROWH + 11 + (isnan(c->mark) ? 0 : 16);

		svg_text(fp, x0 - 6, y + 4, "end", c->labels[i]);
		if (!isnan(c->lo[i]) && !isnan(c->hi[i]))
			fprintf(fp, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			    "y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>\n",
			    X(c->lo[i]), y, X(c->hi[i]), y, colours[0]);
		if (!isnan(c->v[i]))
			fprintf(fp, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" "
			    "fill=\"%s\"/>\n", X(c->v[i]), y, colours[0]);
	}
	/* axis ends, unless they would print over the reference's label */
	if (X(c->ref) - X(lo) > 40)
		svg_text(fp, X(lo), h - 5, "start", with_unit(c, lo, 3, a, sizeof a));
	svg_text(fp, X(c->ref), h - 5, "middle", with_unit(c, c->ref, 3, a, sizeof a));
	if (X(hi) - X(c->ref) > 40)
		svg_text(fp, X(hi), h - 5, "end", with_unit(c, hi, 3, a, sizeof a));
#undef X
	fputs("</svg>\n", fp);
}

static void
svg_lines(const struct rchart *c, FILE *fp)
{
	double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
	double x0 = 60, y0 = 20, w = SVGW - 80, h = 300, step;
	char a[32];

	for (int k = 0; k < c->nseries; k++)
		for (size_t i = 0; i < c->sn[k]; i++) {
			xmin = fmin(xmin, c->sx[k][i]);
			xmax = fmax(xmax, c->sx[k][i]);
			ymin = fmin(ymin, c->sy[k][i]);
			ymax = fmax(ymax, c->sy[k][i]);
		}
	if (!(xmax > xmin)) {
		xmin = 0;
		xmax = 1;
	}
	if (!isnan(c->mark)) {
		ymin = fmin(ymin, c->mark);
		ymax = fmax(ymax, c->mark);
	}
	if (c->nticks && ymin > 0)
		ymin = 0;	/* a rate over time: from zero, not magnified */
	if (!(ymax > ymin)) {
		ymin = fmin(ymin, 0);
		ymax = ymin + 1;
	}
	/* the y axis in four round steps (1, 2, 2.5 or 5 times a power of 10) */
	{
		double raw = (ymax - ymin) / 4, mag = pow(10, floor(log10(raw)));
		double r = raw / mag;

		step = (r <= 1 ? 1 : r <= 2 ? 2 : r <= 2.5 ? 2.5 : r <= 5 ? 5 : 10) * mag;
		ymin = floor(ymin / step + 1e-9) * step;
		ymax = ymin + ceil((ymax - ymin) / step - 1e-9) * step;
	}
#define PX(v) (x0 + ((v) - xmin) / (xmax - xmin) * w)
#define PY(v) (y0 + h - ((v) - ymin) / (ymax - ymin) * h)
	fprintf(fp, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%.0f\" role=\"img\">\n", SVGW, h + 85);
	fprintf(fp, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
	    "fill=\"none\" stroke=\"#ccc\"/>\n", x0, y0, w, h);
	if (ymin < 0 && ymax > 0)
		fprintf(fp, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		    "stroke=\"#ccc\"/>\n", x0, PY(0), x0 + w, PY(0));
	for (int k = 0; k < c->nseries; k++) {
		fprintf(fp, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s "
		    "points=\"", colours[k], k == 1 ? " stroke-dasharray=\"5 4\"" : "");
		for (size_t i = 0; i < c->sn[k]; i++)
			fprintf(fp, "%s%.1f,%.1f", i ? " " : "", PX(c->sx[k][i]),
			    PY(c->sy[k][i]));
		fputs("\"/>\n", fp);
		fprintf(fp, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"4\" "
		    "fill=\"%s\"/>\n", x0 + 10 + 150.0 * k, y0 + h + 46, colours[k]);
		svg_text(fp, x0 + 26 + 150.0 * k, y0 + h + 52, "start", c->sname[k]);
	}
	if (c->nticks) {
		/* at most one date per 100 px, first and last among them */
		size_t m = c->nticks < (size_t)(w / 100) ? c->nticks :
		    (size_t)(w / 100);

		for (size_t k = 0; k < m; k++) {
			size_t i = m > 1 ? k * (c->nticks - 1) / (m - 1) : 0;

			fprintf(fp, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			    "y2=\"%.1f\" stroke=\"#ccc\"/>\n", PX((double)i),
			    y0 + h, PX((double)i), y0 + h + 4);
			svg_text(fp, PX((double)i), y0 + h + 16, k + 1 == m && m > 1 ?
			    "end" : "middle", c->ticks[i]);
		}
	} else {
		svg_text(fp, x0, y0 + h + 16, "start", fmt_num(xmin, 3, a, sizeof a));
		svg_text(fp, x0 + w, y0 + h + 16, "end", fmt_num(xmax, 3, a, sizeof a));
	}
	if (!isnan(c->mark)) {
		struct buf m;

		buf_init(&m);
		buf_printf(&m, "%s %s", c->markname ? c->markname : "",
		    with_unit(c, c->mark, 4, a, sizeof a));
		fprintf(fp, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		    "stroke=\"%s\" stroke-width=\"1.5\" stroke-dasharray=\"6 3\"/>\n",
		    x0, PY(c->mark), x0 + w, PY(c->mark), MARKC);
		fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
		    "style=\"fill:%s\">", x0 + w - 4, PY(c->mark) - 4, MARKC);
		html_escape(fp, buf_str(&m));
		fputs("</text>\n", fp);
		buf_free(&m);
	}
	svg_text(fp, x0 + w / 2, y0 + h + 30, "middle", c->xlabel);
	/* the y axis at its steps, with light grid lines */
	for (int k = 0; ymin + step * k <= ymax + step / 2; k++) {
		double yv = ymin + step * k;

		if (k > 0 && yv < ymax - step / 2)
			fprintf(fp, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			    "y2=\"%.1f\" stroke=\"#eee\"/>\n", x0, PY(yv), x0 + w,
			    PY(yv));
		svg_text(fp, x0 - 4, PY(yv) + 4, "end", with_unit(c, yv, 3, a,
		    sizeof a));
	}
	svg_text(fp, x0 + 4, y0 - 6, "start", c->ylabel);
#undef PX
#undef PY
	fputs("</svg>\n", fp);
}

void
rchart_svg(const struct rchart *c, FILE *fp)
{
	fputs("<figure>\n", fp);
	if (*c->title) {
		fputs("<figcaption>", fp);
		html_escape(fp, c->title);
		fputs("</figcaption>\n", fp);
	}
	if (c->kind == CHART_BARS)
		svg_bars(c, fp);
	else if (c->kind == CHART_INTERVALS)
		svg_intervals(c, fp);
	else
		svg_lines(c, fp);
	fputs("</figure>\n", fp);
}

/* ---- page ---- */

void
html_begin(FILE *fp, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<title>", fp);
	html_escape(fp, title);
	fputs("</title>\n<style>\n"
	    "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}\n"
	    "table{border-collapse:collapse;margin:1em 0;max-width:100%}\n"
	    "caption{text-align:left;font-weight:bold;padding:.3em 0}\n"
	    "th,td{padding:.2em .6em;border-bottom:1px solid #ddd;text-align:left;white-space:nowrap}\n"
	    ".n{text-align:right;font-variant-numeric:tabular-nums}\n"
	    "td.w{white-space:normal;min-width:18em}\n"
	    "tr.error td{background:#fdecea}tr.error td.sev{color:#b3261e;font-weight:bold}\n"
	    "tr.warning td{background:#fff6e0}tr.warning td.sev{color:#8a5a00;font-weight:bold}\n"
	    "tr.info td{color:#555}\n"
	    "tr.more td{color:#666;font-style:italic;text-align:center}\n"
	    ".bar{display:inline-block;height:.8em;background:#1f6fb4}\n"
	    ".verdict{font-size:1.25em;font-weight:bold;padding:.45em .9em;"
	    "border-radius:4px;display:inline-block;margin:.2em 0 .8em}\n"
	    ".verdict.l2{background:#b3261e;color:#fff}"
	    ".verdict.l1{background:#f2b705;color:#222}"
	    ".verdict.l0{background:#2a7d3a;color:#fff}\n"
	    "svg text{font:12px system-ui,sans-serif;fill:#222}\n"
	    "figure{margin:1.5em 0}figcaption{font-weight:bold;margin-bottom:.4em}\n"
	    "</style>\n</head>\n<body>\n<h1>", fp);
	html_escape(fp, title);
	fputs("</h1>\n", fp);
}

void
html_end(FILE *fp)
{
	fputs("</body>\n</html>\n", fp);
}

void
html_heading(FILE *fp, const char *text)
{
	fputs("<h2>", fp);
	html_escape(fp, text);
	fputs("</h2>\n", fp);
}

void
html_para(FILE *fp, const char *text)
{
	fputs("<p>", fp);
	html_escape(fp, text);
	fputs("</p>\n", fp);
}

/* ---- titles beside ids ---- */

#define TITLEW 32	/* a title longer than this is cut, with an ellipsis */

void
rlabels_load(struct rlabels *l, const char *catalog)
{
	struct rec r;
	char *files[1] = { (char *)catalog };
	int cid, ct;
	size_t cap = 0;

	memset(l, 0, sizeof *l);
	intern_init(&l->ids);
	intern_init(&l->titles);
	if (!catalog)
		return;
	memset(&r, 0, sizeof r);
	rec_open(&r, 1, files);
	if ((cid = rec_col(&r, "product_id")) < 0 ||
	    (ct = rec_col(&r, "title")) < 0) {
		rec_close(&r);
		return;
	}
	/* Lenient: the report shows what the catalog has; the audit itself
	 * reports its duplicates and bad rows. */
	while (rec_next(&r) == REC_ROW) {
		uint32_t before = l->ids.n, id;

		id = intern_put(&l->ids, r.f[cid], r.len[cid]);
		if (l->ids.n == before)
			continue;	/* the first title of an id given twice */
		if (id >= cap) {
			cap = cap ? 2 * cap : 256;
			l->title = xreallocarray(l->title, cap, sizeof *l->title);
		}
		l->title[id] = r.len[ct] ? intern_put(&l->titles, r.f[ct],
		    r.len[ct]) : INTERN_NONE;
	}
	rec_close(&r);
	l->on = 1;
}

void
rlabels_free(struct rlabels *l)
{
	intern_free(&l->ids);
	intern_free(&l->titles);
	free(l->title);
	memset(l, 0, sizeof *l);
}

const char *
rlabel_title(const struct rlabels *l, const char *id)
{
	uint32_t k;

	if (!l->on || (k = intern_find(&l->ids, id, strlen(id))) == INTERN_NONE ||
	    l->title[k] == INTERN_NONE)
		return NULL;
	return intern_str(&l->titles, l->title[k]);
}

const char *
rlabel(const struct rlabels *l, const char *id, struct buf *b)
{
	const char *t = rlabel_title(l, id);
	size_t n, cp = 0, i;

	buf_reset(b);
	buf_puts(b, id);
	if (!t || !*id)
		return buf_str(b);
	buf_putc(b, ' ');
	n = strlen(t);
	/* cut at a character boundary after TITLEW characters */
	for (i = 0; i < n; i++) {
		if (((unsigned char)t[i] & 0xC0) != 0x80 && cp++ == TITLEW)
			break;
	}
	buf_put(b, t, i);
	if (i < n)
		buf_puts(b, "\xe2\x80\xa6");	/* ... */
	return buf_str(b);
}
