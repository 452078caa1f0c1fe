/*
 * qualify-rules.c: the eligibility rules of xsell-qualify: the --rules
 * file and -r expressions, their scopes (*, type:, ids), binding their
 * fields to the columns they read, and the first rule a candidate fails.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "qualify-internal.h"
#include "buf.h"
#include "num.h"
#include "rec.h"
#include "out.h"
#include "intern.h"

/* ---- rules ---- */

static struct qrule *
rule_new(struct qualify *Q)
{
	struct qrule *r;

	Q->rule = xreallocarray(Q->rule, (size_t)Q->nrule + 1, sizeof *Q->rule);
	r = &Q->rule[Q->nrule++];
	memset(r, 0, sizeof *r);
	rule_init(&r->r);
	return r;
}

/* Exit 3 with file:line:column, the line, and a caret under the spot. */
static void
rule_die(const struct qrule *r, size_t off, const char *msg)
{
	struct buf b;
	size_t len = strlen(r->text), from = off, to;

	while (from > 0 && r->text[from - 1] != '\n')
		from--;
	for (to = off; to < len && r->text[to] != '\n'; to++)
		;
	buf_init(&b);
	rule_caret(&b, r->text + from, to - from, off - from);
	b.len--;	/* die adds the newline */
	die(XS_INPUT, "%s:%ld:%d: %s\n%s", r->file, r->line,
	    rule_column(r->text, off), msg, buf_str(&b));
}

static void
rule_compile_or_die(struct qrule *r)
{
	struct rule_error err;
	const char *e = r->text + r->exproff;

	if (rule_compile(&r->r, e, strlen(e), &err) == 0)
		return;
	rule_die(r, r->exproff + err.off, err.msg);
}

/* SCOPE: a comma list of *, type:TYPE and item ids. */
static void
rule_scope(struct qualify *Q, struct qrule *r, const char *s, size_t len)
{
	const char *p = s, *end = s + len, *item;
	size_t n;

	while (list_next(&p, end, &item, &n)) {
		if (n == 1 && *item == '*') {
			r->any = 1;
		} else if (n > 5 && memcmp(item, "type:", 5) == 0) {
			r->types = xreallocarray(r->types, (size_t)r->ntypes + 1,
			    sizeof *r->types);
			r->types[r->ntypes++] = intern_put(&Q->types, item + 5, n - 5);
		} else {
			r->ids = xreallocarray(r->ids, (size_t)r->nids + 1,
			    sizeof *r->ids);
			r->ids[r->nids++] = xmemdup(item, n);
		}
	}
	if (!r->any && !r->ntypes && !r->nids)
		die(XS_INPUT, "%s:%ld: empty scope: give *, type:TYPE or an id",
		    r->file, r->line);
}

/* One line of the rules file: SCOPE<TAB>NAME<TAB>EXPRESSION. */
static void
rules_line(struct qualify *Q, const char *file, long lineno, const char *s,
    size_t len)
{
	const char *t1, *t2, *p = s;
	struct qrule *r;

	while (p < s + len && (*p == ' ' || *p == '\t'))
		p++;
	if (p == s + len || *p == '#')
		return;
	t1 = memchr(s, '\t', len);
	t2 = t1 ? memchr(t1 + 1, '\t', (size_t)(s + len - t1 - 1)) : NULL;
	if (!t2)
		die(XS_INPUT, "%s:%ld: expected SCOPE<TAB>NAME<TAB>EXPRESSION",
		    file, lineno);
	r = rule_new(Q);
	r->file = xstrdup(file);
	r->line = lineno;
	r->text = xmemdup(s, len);
	r->exproff = (size_t)(t2 + 1 - s);
	if (t2 == t1 + 1)
		die(XS_INPUT, "%s:%ld: empty rule name", file, lineno);
	r->name = xmemdup(t1 + 1, (size_t)(t2 - t1 - 1));
	rule_scope(Q, r, s, (size_t)(t1 - s));
	rule_compile_or_die(r);
}

void
q_rules_load(struct qualify *Q, const char *file)
{
	FILE *fp;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;

	out_input(file);
	if (!(fp = fopen(file, "r")))
		die(XS_SYS, "%s: %s", file, strerror(errno));
	while ((n = getline(&line, &cap, fp)) >= 0) {
		size_t len = (size_t)n;

		lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (memchr(line, '\0', len))
			die(XS_INPUT, "%s:%ld: NUL byte", file, lineno);
		rules_line(Q, file, lineno, line, len);
	}
	if (ferror(fp))
		die(XS_SYS, "%s: %s", file, strerror(errno));
	free(line);
	fclose(fp);
}

void
q_rules_exprs(struct qualify *Q)
{
	for (int i = 0; i < Q->o.nexprs; i++) {
		struct qrule *r = rule_new(Q);
		char nb[32];

		snprintf(nb, sizeof nb, "-r:%d", i + 1);
		r->name = xstrdup(nb);
		r->file = xstrdup("-r");
		r->line = i + 1;
		r->text = xstrdup(Q->o.exprs[i]);
		r->any = 1;
		rule_compile_or_die(r);
	}
}

/* ---- binding rules to columns ---- */

int
q_own_col(const struct qualify *Q, const char *name)
{
	for (int k = 0; k < Q->nown; k++)
		if (strcmp(Q->own[k], name) == 0)
			return k;
	return -1;
}

static const char *const scope_word[] = { "customer", "candidate", "subject" };

/* The column names a field of scope can name, in the order they are
 * looked up. NULL-terminated, for rule_suggest; the caller frees it. */
static char **
scope_names(const struct qualify *Q, int scope, int *n)
{
	char **v = xcalloc((size_t)Q->in.ncols + (size_t)Q->nown +
	    (Q->offers ? (size_t)Q->offers->ncols : 0) +
	    (Q->catalog ? (size_t)Q->catalog->ncols : 0) + 1, sizeof *v);

	*n = 0;
	if (scope == RULE_CONTEXT) {
		for (int k = 0; k < Q->in.ncols; k++)
			v[(*n)++] = Q->in.cols[k];
		return v;
	}
	if (scope == RULE_CANDIDATE) {
		for (int k = 0; k < Q->nown; k++)
			v[(*n)++] = Q->own[k];
		for (int k = 0; Q->offers && k < Q->offers->ncols; k++)
			v[(*n)++] = Q->offers->cols[k];
	}
	if (scope == RULE_CANDIDATE || !Q->offers)
		for (int k = 0; Q->catalog && k < Q->catalog->ncols; k++)
			v[(*n)++] = Q->catalog->cols[k];
	return v;
}

/*
 * A field no row can have: the rule would be false (or true) for every
 * candidate, and a cron job would publish what that leaves, so it is
 * exit 3 with the rule and a caret under the field. A close name in the
 * same scope, or the same name in another, is suggested.
 */
static void
unknown_field(const struct qualify *Q, const struct qrule *qr,
    const struct rule_field *f)
{
	const char *sc = scope_word[f->scope], *near = NULL, *where;
	const char *at = qr->text + qr->exproff + f->off, *dot = strchr(at, '.');
	char **v, msg[512], hint[160] = "", word[16];
	int n;

	/* the scope as the rule spells it (context. is customer.) */
	if (dot && (size_t)(dot - at) < sizeof word) {
		memcpy(word, at, (size_t)(dot - at));
		word[dot - at] = '\0';
		sc = word;
	}

	v = scope_names(Q, f->scope, &n);
	near = rule_suggest(f->name, v, n);
	free(v);
	if (near) {
		snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
	} else {
		for (int s = RULE_CONTEXT; s <= RULE_SUBJECT && !near; s++) {
			v = scope_names(Q, s, &n);
			for (int k = 0; s != f->scope && k < n && !near; k++)
				if (strcmp(v[k], f->name) == 0)
					near = scope_word[s];
			free(v);
		}
		if (near)
			snprintf(hint, sizeof hint, " (did you mean '%s.%s'?)",
			    near, f->name);
	}
	if (f->scope == RULE_SUBJECT && Q->offers)
		snprintf(msg, sizeof msg, "%s.%s: offers have no subject%s", sc,
		    f->name, hint);
	else if (f->scope == RULE_SUBJECT && !Q->catalog)
		snprintf(msg, sizeof msg, "%s.%s needs --catalog (a subject's "
		    "fields are its catalog row)%s", sc, f->name, hint);
	else {
		where = f->scope == RULE_CONTEXT ? "the contexts"
		    : f->scope == RULE_SUBJECT ? "the catalog"
		    : Q->offers ? "the candidates, the offers or the catalog"
		    : "the candidates or the catalog";
		snprintf(msg, sizeof msg, "%s.%s is not a column of %s%s", sc,
		    f->name, where, hint);
	}
	rule_die(qr, qr->exproff + f->off, msg);
}

/* customer.x: a context column. candidate.x: an output column of the
 * candidate, else the offer's, else the catalog's. subject.x: the
 * catalog's, for the subject the best link came from. */
static void
bind_field(struct qualify *Q, struct qrule *qr, int i)
{
	struct rule_field *f = &qr->r.field[i];
	int src = -1, col = -1;

	switch (f->scope) {
	case RULE_CONTEXT:
		src = SRC_CTX;
		col = rec_col(&Q->in, f->name);
		if (Q->in.empty)
			col = 0, src = -1;	/* no rows: nothing to say */
		break;
	case RULE_CANDIDATE:
		if ((col = q_own_col(Q, f->name)) >= Q->o_extra &&
		    col < Q->o_extra + Q->nextra)
			col = Q->extra[col - Q->o_extra], src = SRC_CAND;
		else if (col >= 0)
			src = SRC_OWN;
		else if ((col = catalog_col(Q->offers, f->name)) >= 0)
			src = SRC_OFFER;
		else if ((col = catalog_col(Q->catalog, f->name)) >= 0)
			src = SRC_CAND;
		break;
	default:
		if (!Q->offers) {
			src = SRC_SUBJ;
			col = catalog_col(Q->catalog, f->name);
		}
	}
	if (col < 0)
		unknown_field(Q, qr, f);
	rule_bind(&qr->r, i, src, col);
	Q->need_offer |= src == SRC_OFFER;
	Q->need_cand |= src == SRC_CAND;
	Q->need_subj |= src == SRC_SUBJ;
}

/* Binds every field, and indexes the rules by the ids they name. */
void
q_rules_bind(struct qualify *Q)
{
	uint32_t *cnt = xcalloc((size_t)Q->nitems + 2, sizeof *cnt), total = 0;

	Q->gen = xcalloc((size_t)Q->nrule + 1, sizeof *Q->gen);
	for (int i = 0; i < Q->nrule; i++) {
		struct qrule *r = &Q->rule[i];

		for (int k = 0; k < r->r.nfield; k++)
			bind_field(Q, r, k);
		if (r->any || r->ntypes)
			Q->gen[Q->ngen++] = i;
		for (int k = 0; k < r->nids; k++) {
			uint32_t id = intern_find(&Q->items, r->ids[k],
			    strlen(r->ids[k]));

			if (id == INTERN_NONE) {
				note("%s:%ld: scope '%s' is not a %s: the rule never "
				    "applies to it", r->file, r->line, r->ids[k],
				    Q->offers ? "known offer" : "linked product");
				continue;
			}
			cnt[id + 1]++;
			total++;
		}
	}
	Q->idstart = cnt;
	for (uint32_t i = 0; i < Q->nitems; i++)
		cnt[i + 1] += cnt[i];
	Q->idrule = xcalloc((size_t)total + 1, sizeof *Q->idrule);
	{
		uint32_t *fill = xcalloc((size_t)Q->nitems + 1, sizeof *fill);

		/* rule order within an id, as in the file */
		for (int i = 0; i < Q->nrule; i++) {
			struct qrule *r = &Q->rule[i];

			for (int k = 0; k < r->nids; k++) {
				uint32_t id = intern_find(&Q->items, r->ids[k],
				    strlen(r->ids[k]));

				if (id != INTERN_NONE)
					Q->idrule[cnt[id] + fill[id]++] = (uint32_t)i;
			}
		}
		free(fill);
	}
	if (Q->need_offer)
		catalog_numbers(Q->offers);
	if (Q->need_cand || Q->need_subj)
		catalog_numbers(Q->catalog);
}

static int
type_in(const struct qrule *r, uint32_t type)
{
	for (int k = 0; k < r->ntypes; k++)
		if (r->types[k] == type)
			return 1;
	return 0;
}

/* The first rule in scope that fails, in file order, or -1. The rules
 * scoped by * or type and those naming the candidate are two lists in
 * rule order: merged, each rule at most once. */
int
q_rules_first_failing(struct qualify *Q, uint32_t cand, uint32_t type,
    const struct rule_env *env)
{
	int g = 0, last = -1;
	uint32_t j = Q->idstart[cand], jend = Q->idstart[cand + 1];

	while (g < Q->ngen || j < jend) {
		int r, byid = 0;

		if (j < jend && (g >= Q->ngen || (int)Q->idrule[j] <= Q->gen[g])) {
			r = (int)Q->idrule[j++];
			byid = 1;
		} else {
			r = Q->gen[g++];
		}
		if (r == last || (!byid && !Q->rule[r].any &&
		    !type_in(&Q->rule[r], type)))
			continue;
		last = r;
		if (!rule_eval(&Q->rule[r].r, env))
			return r;
	}
	return -1;
}
