/*
 * audit-internal.h: the state xsell-audit's modes share (struct audit):
 * every id seen and what is known of it, the relations' links, the
 * findings, where the output goes; and the loaders and output plumbing
 * that work on it (audit.c, audit-relations.c).
 */
#ifndef AUDIT_INTERNAL_H
#define AUDIT_INTERNAL_H

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "findings.h"
#include "intern.h"
#include "report.h"
#include "xsell.h"
#include "num.h"
#include "rec.h"
#include "relations.h"
#include "writer.h"

#define FOLD 10	/* a long list shows its first and last 10 */

enum { ST_ACTIVE, ST_INACTIVE, ST_DISCONTINUED, ST_OTHER };
enum { T_CROSS, T_UPSELL, T_SUBSTITUTE, T_BUNDLE, T_OTHER };

/* Per interned id (products, candidates, offers alike): 32 bytes. */
struct item {
	double price, revenue;
	uint32_t nlinks;	/* distinct linked ids as a subject */
	uint32_t cat_line;	/* catalog line, 0: not in the catalog */
	uint32_t category;	/* in cats, or INTERN_NONE */
	unsigned char status, offer, linked;
	unsigned char out_of_stock;	/* stock <= 0 (none given: not) */
};

/* A relations file as the details name it, and TSV-escaped. */
struct lfile {
	const char *name;
	char *tsv;
	size_t len, tsvlen;
};

struct audit {
	const struct audit_opts *opt;	/* as the command has them */

	struct intern items;	/* every id: products, candidates, offers */
	struct intern cats, words;
	struct item *item;
	size_t item_cap;
	double total_revenue;
	int have_catalog, have_orders;

	struct findings fs;

	/* output: TSV/JSON table, text report, HTML page */
	FILE *out;
	int as_report;
	FILE *html;
	struct writer wr;
	struct rlabels labels;	/* titles beside ids, from --catalog */
	char max_links_text[64];	/* over_linked's limit, as "%.0f" has it */

	/* The relations, and their links in input order (which is file and
	 * line order); with --events, their sources too (in words), which
	 * --by source asks: rel's, under the names the audit knows them by. */
	struct relations rel;
	struct rel_row *links;
	uint32_t *link_src;
	size_t nlinks;
	struct lfile *lfiles;
	size_t lfile_max;	/* the longest tsvlen */
	/*
	 * The links by subject, linked, type, input order (rel's index):
	 * ord has their indices, subject s's run is ord[sfirst[s]] up to
	 * ord[sfirst[s + 1]]. nsfirst: the subjects it covers (ids seen
	 * until the relations).
	 */
	uint32_t *ord, *sfirst;
	uint32_t nsfirst;
	int checking;		/* a relations audit, not the offer read-out */
	struct linkcheck *lc;	/* its checks' state (audit-links.c) */
};

extern const char *const type_words[];

/* Empty, the options the command's (kept, not copied); the output
 * (out, as_report, html) is the command's to set. */
void audit_init(struct audit *a, const struct audit_opts *opt);
void audit_items_grow(struct audit *a, size_t n);
void show_para(struct audit *a, const char *fmt, ...) XS_PRINTF(2, 3);
/* Counts per check that ran, as a table and a bar chart. */
void show_check_counts(struct audit *a);
/* Catalog: product_id, price, stock, status, category. */
void audit_load_catalog(struct audit *a, const char *file);
/* Orders: revenue per product = quantity x price (price from the
 * catalog where the order line has none). */
void audit_load_orders(struct audit *a, const char *file);
/* Offers: offer_id, category. Offers are candidates that are tracked. */
void audit_load_offers(struct audit *a, const char *file);

static inline struct item *
item_of(struct audit *a, uint32_t id)
{
	if (id >= a->item_cap) {
		size_t n = a->item_cap ? a->item_cap : 1024;

		while (n <= id)
			n *= 2;
		audit_items_grow(a, n);
	}
	return &a->item[id];
}

static inline void
items_reserve(struct audit *a, size_t n)
{
	intern_reserve(&a->items, n);
	if (n > a->item_cap)
		audit_items_grow(a, n);
}

static inline uint32_t
item_put(struct audit *a, const char *s, size_t n)
{
	uint32_t id = intern_put(&a->items, s, n);

	item_of(a, id);
	return id;
}

/* Full-precision number cell for TSV and JSON; NaN is missing. */
static inline char *
cell(double v, char *buf)
{
	if (isnan(v) || isinf(v)) {
		buf[0] = '\0';
		return buf;
	}
	num_fmt(v, buf);
	return buf;
}

static inline const char *
id_str(struct audit *a, uint32_t id)
{
	return id == INTERN_NONE ? "" : intern_str(&a->items, id);
}

/* The TSV/JSON table; with a report for people, none. */
static inline void
table_open(struct audit *a, int ncols, const char *const *cols)
{
	if (!a->as_report)
		writer_open(&a->wr, a->out, a->opt->json, ncols, (char *const *)cols);
}

/* Columns from .. to - 1 are numbers in JSON (the others text). */
static inline void
table_num(struct audit *a, int from, int to)
{
	for (int i = from; !a->as_report && i < to; i++)
		writer_type(&a->wr, i, WRITER_NUM);
}

static inline void
table_row(struct audit *a, char *const *v)
{
	if (!a->as_report)
		writer_row(&a->wr, v, NULL);
}

static inline void
table_close(struct audit *a)
{
	if (!a->as_report)
		writer_close(&a->wr);
}

/* A table or chart for people goes to the report and the page, as asked. */
static inline void
show_table(struct audit *a, struct rtable *t)
{
	if (a->as_report)
		rtable_text(t, a->out);
	if (a->html)
		rtable_html(t, a->html);
	rtable_free(t);
}

static inline void
show_chart(struct audit *a, struct rchart *c)
{
	if (a->as_report && c->kind != CHART_LINES)
		rchart_text(c, a->out);
	if (a->html)
		rchart_svg(c, a->html);
	rchart_free(c);
}

static inline void
show_heading(struct audit *a, const char *s)
{
	report_heading(a->as_report ? a->out : NULL, a->html, s);
}

static inline double
field_num(const struct rec *r, int col, double dflt)
{
	return col < 0 ? dflt : rec_num(r, col, dflt);
}

static inline int
status_of(const char *s, size_t n)
{
	if (n == 0 || (n == 6 && memcmp(s, "active", 6) == 0))
		return ST_ACTIVE;
	if (n == 8 && memcmp(s, "inactive", 8) == 0)
		return ST_INACTIVE;
	if (n == 12 && memcmp(s, "discontinued", 12) == 0)
		return ST_DISCONTINUED;
	return ST_OTHER;
}

/* The findings out (audit-findings.c): the table, TSV or JSON, and for
 * people; the verdict line, the one a merchandiser reads first. */
void write_findings(struct audit *a);
void show_verdict(struct audit *a);

/*
 * Relations (audit-relations.c), read by relations.c. With checking,
 * the relations audit: the link checks run as the links come
 * (links_begin, links_taken, links_end: audit-links.c's); else the links
 * are indexed by subject (links_index) for find_link.
 */
void audit_load_relations(struct audit *a, int nfiles, char **files,
    int checking);
/* ord and sfirst: relations.c's index of the links by subject, linked,
 * type, input order (relations_rows_index). */
void links_index(struct audit *a);
void links_begin(struct audit *a);
void links_taken(struct audit *a, size_t from, size_t to);
void links_end(struct audit *a);
/* The relations audit (audit-links.c): catalog, orders and relations
 * loaded and checked; the summary and the findings out. */
void audit_links_run(struct audit *a);

/* Input order of a link, for findings in the order of the file. */
static inline double
link_seq(const struct rel_row *l)
{
	return (double)l->file * 4294967296.0 + l->line;
}

static inline const char *
link_where(struct audit *a, const struct rel_row *l, char *buf, size_t size)
{
	snprintf(buf, size, "%s:%u", a->lfiles[l->file].name, l->line);
	return buf;
}

/* A finding about the link that index i names (or will, when it is
 * taken next); its detail says where the link is. */
static inline struct finding *
link_finding(struct audit *a, int check, size_t i, uint32_t s, uint32_t l,
    double key)
{
	struct finding *f = finding_add(&a->fs, check, s, l, key);

	f->link = (uint32_t)i;
	return f;
}

/* The first link from s to l (of type t, or any type when t < 0). */
static inline const struct rel_row *
find_link(struct audit *a, uint32_t s, uint32_t l, int t)
{
	uint32_t lo, hi, mid;
	const struct rel_row *m;

	if (s >= a->nsfirst)
		return NULL;
	lo = a->sfirst[s];
	hi = a->sfirst[s + 1];
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		m = &a->links[a->ord[mid]];
		if (m->linked < l || (m->linked == l && t >= 0 && m->type < t))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == a->sfirst[s + 1])
		return NULL;
	m = &a->links[a->ord[lo]];
	return m->linked == l && (t < 0 || m->type == t) ? m : NULL;
}

#endif
