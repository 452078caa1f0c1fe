/*
 * rule.h: the eligibility rule language (xsell-qualify).
 *
 * A rule is one expression over the fields of a context (customer.x,
 * context.x), a candidate (candidate.x, linked.x, offer.x) and the subject
 * it was linked from (subject.x):
 *
 *	customer.tier in ["premium", "gold"] && !owns("credit_card")
 *	candidate.price <= subject.price * 1.5
 *
 * Compiled once into a flat tree; field references are bound by the
 * caller to (source, column) pairs before the first evaluation, so a row
 * is evaluated without looking any name up. A comparison with a missing
 * field is false; has() tests for presence. See man/xsell-qualify.1 for
 * the grammar and the value rules.
 */
#ifndef RULE_H
#define RULE_H

#include <stddef.h>

#include "xsell.h"
#include "buf.h"

/* Field scopes, as written before the dot. */
enum { RULE_CONTEXT, RULE_CANDIDATE, RULE_SUBJECT };

/* Where a rule failed to compile: 1-based line and column (in
 * characters) within the source, and the byte offset. */
struct rule_error {
	int line, col;
	size_t off;
	char msg[160];
};

/* A field the rule names, once per distinct scope and name. */
struct rule_field {
	int scope;		/* RULE_CONTEXT, ... */
	char *name;		/* after the dot */
	size_t off;		/* first mention in the source */
	int src, col;		/* bound by rule_bind; src -1: always missing */
};

struct rule_node;

struct rule {
	struct rule_node *node;
	int nnode, capnode, root;
	int *item;		/* array literal members, as node indexes */
	int nitem, capitem;
	struct buf str;		/* string literals */
	struct rule_field *field;
	int nfield, capfield;
};

/* A row source for evaluation: v[src][col] and len[src][col]. A NULL v
 * means the whole source is absent (every field in it missing). num, when
 * not NULL, holds the field's number where the caller parsed it already
 * (a table loaded once), NaN where the text is to be read. */
#define RULE_NSRC 8
struct rule_env {
	char *const *v[RULE_NSRC];
	const size_t *len[RULE_NSRC];
	const double *num[RULE_NSRC];
	/* owns(id): does the context hold id? NULL: never. */
	int (*owns)(void *arg, const char *id, size_t len);
	void *arg;
};

void rule_init(struct rule *r);
void rule_free(struct rule *r);
/* Compiles src[0..len). 0, or -1 with *err filled in (and r empty). */
int rule_compile(struct rule *r, const char *src, size_t len,
    struct rule_error *err);
/* Binds field i to column col of env source src (src -1: missing). */
void rule_bind(struct rule *r, int i, int src, int col);
/* 1 when the rule holds for the row, else 0. */
int rule_eval(const struct rule *r, const struct rule_env *env);
/* The compiled tree, fully parenthesised, for tests and -v. */
void rule_dump(const struct rule *r, struct buf *b);

/* The candidate closest to name, when it is close enough to be what a
 * typo of name meant (at most two edits: a letter added, dropped,
 * changed or two swapped; one for names of up to four letters), else
 * NULL. Ties go to the earlier candidate. */
const char *rule_suggest(const char *name, char *const *cand, int n);

/* 1-based column in characters of byte offset off in s (UTF-8). */
int rule_column(const char *s, size_t off);
/* Appends "  LINE\n  ^\n" with the caret under byte offset off of the
 * line, tabs kept so that it lines up in any terminal. */
void rule_caret(struct buf *b, const char *line, size_t len, size_t off);

#endif
