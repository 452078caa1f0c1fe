/*
 * qualify-internal.h: the parts of the qualify engine shared by its three
 * files (qualify.c: contexts, candidates and checks; qualify-load.c: the
 * side files; qualify-rules.c: the rules) and by no other module.
 */
#ifndef QUALIFY_INTERNAL_H
#define QUALIFY_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include "catalog.h"
#include "popular.h"
#include "relations.h"
#include "qualify.h"
#include "rule.h"
#include "xsell.h"
#include "num.h"
#include "rec.h"
#include "writer.h"
#include "intern.h"

/* Rule sources: where customer.x, candidate.x and subject.x are read. */
enum { SRC_CTX, SRC_OWN, SRC_OFFER, SRC_CAND, SRC_SUBJ };

/* The relation types, interned first in the order of qualify_types. */
enum { TYPE_CROSS_SELL, TYPE_UPSELL, TYPE_SUBSTITUTE, TYPE_BUNDLE };
enum { SOURCE_MANAGED, SOURCE_OFFER, SOURCE_POPULAR };	/* interned first */

/* Built-in checks, in the order they run (names in qualify.c). */
enum { B_SUBSTITUTE, B_OWNED, B_STOCK, NBUILTIN };

/* What the catalog says of an item, for --in-stock and substitutes. */
enum { AV_UNKNOWN, AV_YES, AV_NO };

/* Context kinds, by the columns of the contexts' header. */
enum { K_PAGE, K_CART, K_CUSTOMER };

#define NONE UINT32_MAX

/* ---- rules: the rules file and -r ---- */

struct qrule {
	char *name;
	char *file;		/* rules file, or "-r" */
	long line;		/* line in it, or the -r's number */
	char *text;		/* the whole line (or expression) */
	size_t exproff;		/* where the expression starts in it */
	int any;		/* scope * */
	uint32_t *types;	/* type: scopes */
	int ntypes;
	char **ids;		/* id scopes, resolved when binding */
	int nids;
	struct rule r;
	uint64_t rejected;
};

/* ---- one context at a time ---- */

struct slot {
	uint32_t cand, type;	/* item id, type id */
	uint32_t src;		/* source id */
	uint32_t head, nlink;	/* its links, a chain in ctx.link */
	uint32_t next;		/* the same candidate's slot of another type
				 * or source */
	int oos;		/* a substitute whose subject is out of stock */
};

struct cand_link {
	const struct rel_link *e;
	uint32_t subj;		/* the item it was reached from */
	uint32_t next;
};

/* What the current context knows of an item; one struct, so that a link
 * costs one cache miss and not four. Valid where the stamp is gen. */
struct itemst {
	uint32_t in, idx;	/* the context expands it, as exp[idx] */
	uint32_t own;		/* the context owns it */
	uint32_t slot, head;	/* it has slots, the first is head */
};

struct ctx {
	int kind;
	int idcol, subjcol, itemscol, holdcol;
	uint32_t gen;		/* the stamp of the current context */
	struct itemst *it;	/* per item, stamped with gen */
	uint32_t *exp, nexp, capexp;
	struct slot *slot;
	uint32_t nslot, capslot;
	struct cand_link *link;
	uint32_t nlink, caplink;
	uint64_t *bits;		/* supporting items per slot: words bits */
	size_t capbits;
	uint32_t words;
};

/* ---- the whole state ---- */

struct qualify {
	struct qualify_opts o;
	struct intern items, types, sources;
	uint32_t nitems;
	struct catalog *catalog, *offers;	/* every column as text */
	char **cand_v, **offer_v;	/* a catalog and an offer row, for rules */
	size_t *cand_len, *offer_len;
	uint8_t *avail;		/* item -> AV_* */
	int cat_status, cat_stock;
	struct relations R;	/* --relations, ids in items */
	struct popular pop;	/* --popular */
	uint32_t *pop_item;	/* its products best first, as item ids */
	struct qrule *rule;
	int nrule;
	int *gen, ngen;		/* rules scoped by * or type:, in order */
	uint32_t *idstart, *idrule;	/* item -> the rules naming it */
	struct rec in;		/* the contexts */
	struct ctx c;
	int need_offer, need_cand, need_subj;	/* rules read these rows */
	/* offers */
	int offer_status, offer_type;
	uint8_t *offer_active;	/* per offer row */
	uint16_t *offer_typeid;
	/* output */
	int nown;		/* own columns */
	char **own;
	int o_support, o_rel, nrel_out;	/* where they start */
	int o_pos, pos_added;	/* position; added for --popular alone */
	int o_channel;		/* an offer's channel, or -1 */
	int *relmap;		/* own rel column -> R.cols or offer column */
	int nextra, *extra;	/* catalog columns appended, their index */
	int nkeep, *keep;	/* context columns passed through */
	int o_extra;
	char **names;		/* output columns, then rejected_by */
	char **ov;		/* one output row */
	size_t *ol;
	char numbuf[NUM_BUF];
	uint32_t *lk;		/* a slot's links, best first */
	char **lv;		/* their values, link by link */
	size_t *ll, caplk, caplv;
	char **sv;		/* the subject's catalog row, for rules */
	size_t *sl;
	uint32_t sv_row;	/* which row sv holds */
	struct writer w, wrej;
	FILE *fout, *frej;
	/* counts for -v */
	uint64_t contexts, noid, none_found, none_kept, *before, *after;
	uint64_t builtin_rejected[NBUILTIN];
	uint64_t pop_before, pop_after;
	char *noidname;	/* the input of the first context without an id */
	long firstnoid;
	uint32_t nbefore;
};

/* qualify-load.c */
void q_load(struct qualify *Q);
void q_table_free(struct catalog *t);

/* qualify-rules.c */
void q_rules_load(struct qualify *Q, const char *file);
void q_rules_exprs(struct qualify *Q);
void q_rules_bind(struct qualify *Q);
int q_rules_first_failing(struct qualify *Q, uint32_t cand, uint32_t type,
    const struct rule_env *env);
int q_own_col(const struct qualify *Q, const char *name);

#endif
