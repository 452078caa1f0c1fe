/* report.c: aligned text tables, text charts, and an HTML page with SVG. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "xsell.h"

#define BARW 30		/* text bar width at the column's largest value */
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

/* ---- text for a terminal ---- */

/* The length of the well-formed UTF-8 sequence at s[0..n) and its code
 * point, or 0 when s does not start one (overlong forms, surrogates and
 * code points past U+10FFFF are not well-formed). */
static size_t
utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t k;
	uint32_t c = s[0];

	if (c < 0x80)
		return *cp = c, 1;
	if (c >= 0xC2 && c <= 0xDF)
		k = 2, c &= 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		k = 3, c &= 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		k = 4, c &= 0x07;
	else
		return 0;
	if (k > n)
		return 0;
	for (size_t j = 1; j < k; j++) {
		if ((s[j] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[j] & 0x3F);
	}
	if ((k == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) ||
	    (k == 4 && (c < 0x10000 || c > 0x10FFFF)))
		return 0;
	*cp = c;
	return k;
}

/* One character's shown form: its escape in esc (NUL-terminated) and 1,
 * or 0 when the k bytes are shown as they are. */
static int
term_char(const unsigned char *s, size_t n, size_t *k, char esc[8])
{
	static const char letter[32] = {
		[7] = 'a', [8] = 'b', [9] = 't', [10] = 'n', [11] = 'v',
		[12] = 'f', [13] = 'r', [27] = 'e',
	};
	uint32_t cp;

	if ((*k = utf8_seq(s, n, &cp)) == 0) {
		*k = 1;
		snprintf(esc, 8, "\\x%02x", s[0]);
		return 1;
	}
	if (cp < 0x20 && letter[cp])
		snprintf(esc, 8, "\\%c", letter[cp]);
	else if (cp < 0x20 || cp == 0x7F)
		snprintf(esc, 8, "\\x%02x", (unsigned)cp);
	else if (cp >= 0x80 && cp <= 0x9F)
		snprintf(esc, 8, "\\u%04x", (unsigned)cp);
	else
		return 0;
	return 1;
}

void
term_escape(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	char esc[8];
	size_t i = 0, k, from = 0;

	while (i < n) {
		if (p[i] >= 0x20 && p[i] < 0x7F) {	/* the common case */
			i++;
			continue;
		}
		if (!term_char(p + i, n - i, &k, esc)) {
			i += k;
			continue;
		}
		buf_put(b, s + from, i - from);
		buf_puts(b, esc);
		i += k;
		from = i;
	}
	buf_put(b, s + from, n - from);
}

size_t
term_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), w = 0, k;
	char esc[8];

	for (size_t i = 0; i < n; i += k) {
		if (p[i] >= 0x20 && p[i] < 0x7F)
			k = 1, w++;
		else if (term_char(p + i, n - i, &k, esc))
			w += strlen(esc);
		else
			w++;
	}
	return w;
}

void
term_puts(const char *s, FILE *fp)
{
	struct buf b;

	buf_init(&b);
	term_escape(&b, s, strlen(s));
	fwrite(b.s ? b.s : "", 1, b.len, fp);
	buf_free(&b);
}

/* ---- tables ---- */

void
rtable_init(struct rtable *t, const char *title, int ncols,
    const char *const *cols)
{
	memset(t, 0, sizeof *t);
	t->title = xstrdup(title ? title : "");
	t->ncols = ncols;
	t->cols = xcalloc((size_t)ncols, sizeof *t->cols);
	t->numeric = xcalloc((size_t)ncols, 1);
	for (int i = 0; i < ncols; i++)
		t->cols[i] = xstrdup(cols[i]);
	t->bar = -1;
}

void
rtable_free(struct rtable *t)
{
	for (size_t i = 0; i < t->nrows * (size_t)t->ncols; i++)
		free(t->cells[i]);
	for (int i = 0; i < t->ncols; i++)
		free(t->cols[i]);
	free(t->cells);
	free(t->cols);
	free(t->numeric);
	free(t->title);
	memset(t, 0, sizeof *t);
}

void
rtable_numeric(struct rtable *t, int i)
{
	t->numeric[i] = 1;
}

void
rtable_row(struct rtable *t, const char *const *cells)
{
	size_t base;

	if (t->nrows == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->cells = xreallocarray(t->cells, t->cap * (size_t)t->ncols,
		    sizeof *t->cells);
	}
	base = t->nrows++ * (size_t)t->ncols;
	for (int i = 0; i < t->ncols; i++)
		t->cells[base + (size_t)i] = xstrdup(cells[i] ? cells[i] : "");
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

void
rtable_text(const struct rtable *t, FILE *fp)
{
	size_t *w = xcalloc((size_t)t->ncols, sizeof *w), r;
	double max = 0, v;
	const char *cell;

	for (int i = 0; i < t->ncols; i++)
		w[i] = term_width(t->cols[i]);
	for (r = 0; r < t->nrows; r++)
		for (int i = 0; i < t->ncols; i++) {
			cell = t->cells[r * (size_t)t->ncols + (size_t)i];
			if (term_width(cell) > w[i])
				w[i] = term_width(cell);
			if (i == t->bar && (v = strtod(cell, NULL)) > max)
				max = v;
		}
	if (*t->title) {
		term_puts(t->title, fp);
		putc('\n', fp);
	}
	for (int i = 0; i < t->ncols; i++) {
		if (t->numeric[i])
			pad(fp, w[i] - term_width(t->cols[i]));
		term_puts(t->cols[i], fp);
		if (i + 1 < t->ncols)
			pad(fp, (t->numeric[i] ? 0 : w[i] - term_width(t->cols[i])) + 2);
	}
	putc('\n', fp);
	for (r = 0; r < t->nrows; r++) {
		for (int i = 0; i < t->ncols; i++) {
			cell = t->cells[r * (size_t)t->ncols + (size_t)i];
			if (t->numeric[i])
				pad(fp, w[i] - term_width(cell));
			term_puts(cell, fp);
			if (i + 1 < t->ncols || t->bar >= 0)
				pad(fp, (t->numeric[i] ? 0 : w[i] - term_width(cell)) + 2);
		}
		if (t->bar >= 0)
			bar(fp, strtod(t->cells[r * (size_t)t->ncols + (size_t)t->bar],
			    NULL), max, BARW);
		putc('\n', fp);
	}
	putc('\n', fp);
	free(w);
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
	fputs("</tr>\n", fp);
	for (size_t r = 0; r < t->nrows; r++) {
		fputs("<tr>", fp);
		for (int i = 0; i < t->ncols; i++) {
			fputs(t->numeric[i] ? "<td class=n>" : "<td>", fp);
			html_escape(fp, t->cells[r * (size_t)t->ncols + (size_t)i]);
			fputs("</td>", fp);
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
	if (*hi <= *lo)
		*hi = *lo + 1;
}

void
rchart_text(const struct rchart *c, FILE *fp)
{
	size_t lw = label_width(c);
	char a[32], b[32], e[32];
	double max = 0, lo, hi;

	if (*c->title) {
		term_puts(c->title, fp);
		putc('\n', fp);
	}
	if (c->kind == CHART_BARS) {
		for (size_t i = 0; i < c->n; i++)
			if (c->v[i] > max)
				max = c->v[i];
		for (size_t i = 0; i < c->n; i++) {
			term_puts(c->labels[i], fp);
			pad(fp, lw - term_width(c->labels[i]) + 2);
			fprintf(fp, "%10s  ", fmt_num(c->v[i], 4, a, sizeof a));
			bar(fp, c->v[i], max, BARW);
			putc('\n', fp);
		}
	} else if (c->kind == CHART_INTERVALS) {
		interval_span(c, &lo, &hi);
		for (size_t i = 0; i < c->n; i++) {
			char line[SPANW + 1];
			int p0, p1, pe, pr;

			memset(line, ' ', SPANW);
			line[SPANW] = '\0';
#define COL(x) ((int)lround(((x) - lo) / (hi - lo) * (SPANW - 1)))
			pr = COL(c->ref);
			line[pr] = '|';
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
			    fmt_num(c->v[i], 4, e, sizeof e),
			    fmt_num(c->lo[i], 4, a, sizeof a),
			    fmt_num(c->hi[i], 4, b, sizeof b));
		}
		fprintf(fp, "%*s  %s marks %s\n", (int)lw, "", "|",
		    fmt_num(c->ref, 4, a, sizeof a));
	}
	putc('\n', fp);
}

/* ---- SVG ---- */

#define SVGW 680
#define ROWH 22
static const char *const colours[CHART_SERIES] = {
	"#1f6fb4", "#888888", "#2a9d3a", "#c0392b"
};

static void
svg_text(FILE *fp, double x, double y, const char *anchor, const char *s)
{
	fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">", x, y, anchor);
	html_escape(fp, s);
	fputs("</text>\n", fp);
}

static void
svg_bars(const struct rchart *c, FILE *fp)
{
	double max = 0, x0 = 170, w = SVGW - x0 - 90;
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
		svg_text(fp, x0 + bw + 4, y + 15, "start", fmt_num(c->v[i], 4, a, sizeof a));
	}
	fputs("</svg>\n", fp);
}

static void
svg_intervals(const struct rchart *c, FILE *fp)
{
	double lo, hi, x0 = 170, w = SVGW - x0 - 30, h = (double)c->n * ROWH + 30;
	char a[32];

	interval_span(c, &lo, &hi);
#define X(v) (x0 + ((v) - lo) / (hi - lo) * w)
	fprintf(fp, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%.0f\" role=\"img\">\n", SVGW, h);
	fprintf(fp, "<line x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"%.0f\" "
	    "stroke=\"#999\" stroke-dasharray=\"4 3\"/>\n", X(c->ref), X(c->ref), h - 20);
	for (size_t i = 0; i < c->n; i++) {
		double y = 5 + (double)i * ROWH + 11;

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
		svg_text(fp, X(lo), h - 5, "start", fmt_num(lo, 3, a, sizeof a));
	svg_text(fp, X(c->ref), h - 5, "middle", fmt_num(c->ref, 3, a, sizeof a));
	if (X(hi) - X(c->ref) > 40)
		svg_text(fp, X(hi), h - 5, "end", fmt_num(hi, 3, a, sizeof a));
#undef X
	fputs("</svg>\n", fp);
}

static void
svg_lines(const struct rchart *c, FILE *fp)
{
	double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
	double x0 = 60, y0 = 20, w = SVGW - 80, h = 300;
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
	if (!(ymax > ymin)) {
		ymin = fmin(ymin, 0);
		ymax = ymin + 1;
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
	svg_text(fp, x0, y0 + h + 16, "start", fmt_num(xmin, 3, a, sizeof a));
	svg_text(fp, x0 + w, y0 + h + 16, "end", fmt_num(xmax, 3, a, sizeof a));
	svg_text(fp, x0 + w / 2, y0 + h + 30, "middle", c->xlabel);
	svg_text(fp, x0 - 4, PY(ymax) + 4, "end", fmt_num(ymax, 3, a, sizeof a));
	svg_text(fp, x0 - 4, PY(ymin) + 4, "end", fmt_num(ymin, 3, a, sizeof a));
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
	    "table{border-collapse:collapse;margin:1em 0}\n"
	    "caption{text-align:left;font-weight:bold;padding:.3em 0}\n"
	    "th,td{padding:.2em .6em;border-bottom:1px solid #ddd;text-align:left;white-space:nowrap}\n"
	    ".n{text-align:right;font-variant-numeric:tabular-nums}\n"
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
