/*
 * audit-internal.h: the state xsell-audit's modes share (struct audit):
 * every id seen and what is known of it, the relations' links, the
 * findings, where the output goes; and the loaders and output plumbing
 * that work on it (audit.c, audit-relations.c).
 */
#ifndef AUDIT_INTERNAL_H
#define AUDIT_INTERNAL_H

#include <stdio.h>

#include "audit.h"
#include "findings.h"
#include "idmap.h"
#include "report.h"
#include "xsell.h"

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

struct link {
	uint32_t subj, linked, line;
	uint16_t file;
	unsigned char type;
};

/* A relations file as the details name it, and TSV-escaped. */
struct lfile {
	const char *name;
	char *tsv;
	size_t len, tsvlen;
};

struct audit {
	struct audit_opts opt;

	struct idmap items;	/* every id: products, candidates, offers */
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
	struct wr wr;
	struct rlabels labels;	/* titles beside ids, from --catalog */

	/* The links in input order (which is file and line order); with
	 * --events, their sources too (in words), which --by source asks. */
	struct link *links;
	uint32_t *link_src;
	size_t nlinks, links_cap;
	struct lfile *lfiles;
	size_t lfile_max;	/* the longest tsvlen */
	/*
	 * The links by subject, linked, type, input order: ord has their
	 * indices, subject s's run is ord[sfirst[s]] up to ord[sfirst[s + 1]].
	 * nsfirst: the subjects it covers (ids seen until the relations).
	 */
	uint32_t *ord, *sfirst;
	uint32_t nsfirst;
};

#endif
