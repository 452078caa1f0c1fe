/* rule.c: the rule language: lexer, recursive-descent parser, evaluator. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "rule.h"
#include "buf.h"
#include "num.h"

/* Deep enough for any rule a person writes; keeps the parser's and the
 * evaluator's recursion (and a fuzzer's) well inside the stack. */
#define MAXNEST 200		/* parentheses, ! and unary - */
#define MAXDEPTH 1000		/* operators in a chain: a || b || c ... */

enum {
	N_NUM, N_STR, N_BOOL, N_LIST, N_FIELD, N_HAS, N_OWNS, N_NEG, N_NOT,
	N_ADD, N_SUB, N_MUL, N_DIV,
	N_EQ, N_NE, N_LT, N_LE, N_GT, N_GE, N_IN, N_NOTIN, N_CONTAINS,
	N_AND, N_OR
};

static const char *const opname[] = {
	[N_NEG] = "-", [N_NOT] = "!", [N_ADD] = "+", [N_SUB] = "-",
	[N_MUL] = "*", [N_DIV] = "/", [N_EQ] = "==", [N_NE] = "!=",
	[N_LT] = "<", [N_LE] = "<=", [N_GT] = ">", [N_GE] = ">=",
	[N_IN] = "in", [N_NOTIN] = "not in", [N_CONTAINS] = "contains",
	[N_AND] = "&&", [N_OR] = "||",
};

/*
 * a, b: children; N_STR: offset and length in str; N_LIST: first
 * member in item and count; N_FIELD, N_HAS: field index.
 */
struct rule_node {
	int kind, depth;
	int a, b;
	double num;
};

/* ---- lexer ---- */

enum {
	T_END, T_NUM, T_STR, T_IDENT, T_LP, T_RP, T_LB, T_RB, T_COMMA, T_DOT,
	T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_AND, T_OR, T_NOT,
	T_PLUS, T_MINUS, T_STAR, T_SLASH
};

struct parser {
	struct rule *r;
	const char *src;
	size_t len, pos;
	/* the current token */
	int tok;
	size_t at, tlen;	/* where it starts, its length */
	double num;
	int depth;
	struct rule_error *err;
	int failed;
};

static int
fail(struct parser *p, size_t at, const char *fmt, ...) XS_PRINTF(3, 4);

static int
fail(struct parser *p, size_t at, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return -1;
	p->failed = 1;
	p->err->off = at;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof p->err->msg, fmt, ap);
	va_end(ap);
	return -1;
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static size_t
scan_number(const char *s, size_t i, size_t n)
{
	while (i < n && is_digit(s[i]))
		i++;
	if (i < n && s[i] == '.')
		for (i++; i < n && is_digit(s[i]); i++)
			;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t j = i + 1;

		if (j < n && (s[j] == '+' || s[j] == '-'))
			j++;
		if (j < n && is_digit(s[j])) {
			for (i = j; i < n && is_digit(s[i]); i++)
				;
		}
	}
	return i;
}

/* A string literal: its decoded text goes to the rule's pool. */
static int
scan_string(struct parser *p)
{
	struct buf *b = &p->r->str;
	size_t i = p->at + 1;

	p->num = (double)b->len;
	while (i < p->len && p->src[i] != '"') {
		char c = p->src[i];

		if (c == '\n')
			break;
		if (c == '\\' && i + 1 < p->len) {
			switch (p->src[i + 1]) {
			case '"': c = '"'; break;
			case '\\': c = '\\'; break;
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			default:
				return fail(p, i, "unknown escape '\\%c' in a string",
				    p->src[i + 1]);
			}
			i++;
		}
		buf_putc(b, c);
		i++;
	}
	if (i >= p->len || p->src[i] != '"')
		return fail(p, p->at, "unterminated string");
	p->pos = i + 1;
	return T_STR;
}

static int
two(struct parser *p, char second, int yes, int no)
{
	if (p->pos < p->len && p->src[p->pos] == second) {
		p->pos++;
		return yes;
	}
	return no;
}

static int
lex(struct parser *p)
{
	const char *s = p->src;
	char c;

	while (p->pos < p->len && (s[p->pos] == ' ' || s[p->pos] == '\t' ||
	    s[p->pos] == '\n' || s[p->pos] == '\r'))
		p->pos++;
	p->at = p->pos;
	if (p->pos >= p->len)
		return p->tok = T_END, p->tlen = 0, T_END;
	c = s[p->pos++];
	if (is_digit(c) || (c == '.' && p->pos < p->len && is_digit(s[p->pos]))) {
		p->pos = scan_number(s, p->at, p->len);
		if (num_parse(s + p->at, p->pos - p->at, &p->num))
			return p->tok = fail(p, p->at, "number out of range");
		p->tok = T_NUM;
	} else if (is_alpha(c)) {
		while (p->pos < p->len && (is_alpha(s[p->pos]) || is_digit(s[p->pos])))
			p->pos++;
		p->tok = T_IDENT;
	} else {
		switch (c) {
		case '"': p->tok = scan_string(p); break;
		case '(': p->tok = T_LP; break;
		case ')': p->tok = T_RP; break;
		case '[': p->tok = T_LB; break;
		case ']': p->tok = T_RB; break;
		case ',': p->tok = T_COMMA; break;
		case '.': p->tok = T_DOT; break;
		case '+': p->tok = T_PLUS; break;
		case '-': p->tok = T_MINUS; break;
		case '*': p->tok = T_STAR; break;
		case '/': p->tok = T_SLASH; break;
		case '<': p->tok = two(p, '=', T_LE, T_LT); break;
		case '>': p->tok = two(p, '=', T_GE, T_GT); break;
		case '!': p->tok = two(p, '=', T_NE, T_NOT); break;
		case '=':
			if ((p->tok = two(p, '=', T_EQ, -1)) < 0)
				return p->tok = fail(p, p->at, "'=' alone: use == to compare");
			break;
		case '&':
			if ((p->tok = two(p, '&', T_AND, -1)) < 0)
				return p->tok = fail(p, p->at, "'&' alone: use && for and");
			break;
		case '|':
			if ((p->tok = two(p, '|', T_OR, -1)) < 0)
				return p->tok = fail(p, p->at, "'|' alone: use || for or");
			break;
		case '\'':
			return p->tok = fail(p, p->at, "strings are written in double quotes");
		default:
			if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
				return p->tok = fail(p, p->at, "unexpected character");
			return p->tok = fail(p, p->at, "unexpected character '%c'", c);
		}
	}
	p->tlen = p->pos - p->at;
	return p->tok;
}

static int
is_word(const struct parser *p, const char *w)
{
	size_t n = strlen(w);

	return p->tok == T_IDENT && p->tlen == n &&
	    memcmp(p->src + p->at, w, n) == 0;
}

/* The current token as shown in messages. */
static const char *
shown(const struct parser *p, char *buf, size_t size)
{
	if (p->tok == T_END)
		return "the end of the rule";
	snprintf(buf, size, "'%.*s'", p->tlen > 30 ? 30 : (int)p->tlen,
	    p->src + p->at);
	return buf;
}

static int
unexpected(struct parser *p, const char *want)
{
	char b[40];

	return fail(p, p->at, "expected %s, found %s", want, shown(p, b, sizeof b));
}

/* ---- tree ---- */

static int
node(struct parser *p, int kind, int a, int b)
{
	struct rule *r = p->r;
	struct rule_node *n;
	int d = 0;

	if (p->failed)
		return -1;
	if (r->nnode == r->capnode) {
		r->capnode = r->capnode ? r->capnode * 2 : 16;
		r->node = xreallocarray(r->node, (size_t)r->capnode, sizeof *r->node);
	}
	n = &r->node[r->nnode];
	n->kind = kind;
	n->a = a;
	n->b = b;
	n->num = 0;
	if (kind >= N_OWNS) {
		d = r->node[a].depth;
		if (kind >= N_ADD && r->node[b].depth > d)
			d = r->node[b].depth;
	}
	n->depth = d + 1;
	if (n->depth > MAXDEPTH)
		return fail(p, p->at, "rule nested too deeply");
	return r->nnode++;
}

static int
field(struct parser *p, int scope, size_t at, const char *name, size_t len)
{
	struct rule *r = p->r;
	struct rule_field *f;

	for (int i = 0; i < r->nfield; i++)
		if (r->field[i].scope == scope && strlen(r->field[i].name) == len &&
		    memcmp(r->field[i].name, name, len) == 0)
			return i;
	if (r->nfield == r->capfield) {
		r->capfield = r->capfield ? r->capfield * 2 : 8;
		r->field = xreallocarray(r->field, (size_t)r->capfield,
		    sizeof *r->field);
	}
	f = &r->field[r->nfield];
	f->scope = scope;
	f->name = xmemdup(name, len);
	f->off = at;
	f->src = -1;
	f->col = -1;
	return r->nfield++;
}

/* ---- parser: one function per precedence level, loosest first ---- */

static int expr_or(struct parser *p);

static const struct {
	const char *word;
	int scope;
} scopes[] = {
	{ "customer", RULE_CONTEXT }, { "context", RULE_CONTEXT },
	{ "candidate", RULE_CANDIDATE }, { "linked", RULE_CANDIDATE },
	{ "offer", RULE_CANDIDATE }, { "subject", RULE_SUBJECT },
};

/* scope.name, the current token being the scope's identifier. */
static int
field_ref(struct parser *p)
{
	size_t at = p->at, slen = p->tlen;
	int scope = -1;

	for (size_t i = 0; i < sizeof scopes / sizeof scopes[0]; i++)
		if (is_word(p, scopes[i].word))
			scope = scopes[i].scope;
	lex(p);
	if (p->tok != T_DOT) {
		if (scope >= 0)
			return fail(p, at, "expected '.' and a field name after '%.*s'",
			    (int)slen, p->src + at);
		return fail(p, at, "unknown name '%.*s' (fields are written "
		    "customer.x, candidate.x or subject.x)", (int)slen, p->src + at);
	}
	if (scope < 0)
		return fail(p, at, "unknown field scope '%.*s' (use customer, "
		    "context, candidate, linked, offer or subject)", (int)slen,
		    p->src + at);
	lex(p);
	if (p->tok != T_IDENT)
		return unexpected(p, "a field name after the dot");
	scope = field(p, scope, at, p->src + p->at, p->tlen);
	lex(p);
	return scope;
}

static int
call(struct parser *p)
{
	size_t at = p->at;
	int has = is_word(p, "has"), arg;

	if (!has && !is_word(p, "owns"))
		return fail(p, at, "unknown function '%.*s' (functions: owns, has)",
		    (int)p->tlen, p->src + at);
	lex(p);	/* ( */
	lex(p);
	if (has) {
		if (p->tok != T_IDENT)
			return fail(p, p->at, "has() takes one field, as in "
			    "has(customer.tier)");
		arg = field_ref(p);
	} else {
		if (p->tok == T_RP)
			return fail(p, p->at, "owns() takes one argument");
		arg = expr_or(p);
	}
	if (p->failed)
		return -1;
	if (p->tok == T_COMMA)
		return fail(p, p->at, "%s() takes one argument", has ? "has" : "owns");
	if (p->tok != T_RP)
		return unexpected(p, "')'");
	lex(p);
	return node(p, has ? N_HAS : N_OWNS, arg, -1);
}

/* One member of an array literal: a number, string or boolean. */
static int
literal(struct parser *p)
{
	int n, neg = 0;

	if (p->tok == T_MINUS) {
		neg = 1;
		lex(p);
		if (p->tok != T_NUM)
			return unexpected(p, "a number after '-'");
	}
	if (p->tok == T_NUM) {
		if ((n = node(p, N_NUM, -1, -1)) >= 0)
			p->r->node[n].num = neg ? -p->num : p->num;
	} else if (p->tok == T_STR) {
		n = node(p, N_STR, (int)p->num, (int)(p->r->str.len - (size_t)p->num));
	} else if (is_word(p, "true") || is_word(p, "false")) {
		if ((n = node(p, N_BOOL, -1, -1)) >= 0)
			p->r->node[n].num = is_word(p, "true");
	} else {
		return fail(p, p->at, "array members must be numbers, strings, "
		    "true or false");
	}
	lex(p);
	return n;
}

static int
array(struct parser *p)
{
	struct rule *r = p->r;
	int first = r->nitem, n;

	lex(p);
	while (!p->failed && p->tok != T_RB) {
		if (r->nitem > first) {
			if (p->tok != T_COMMA)
				return unexpected(p, "',' or ']'");
			lex(p);
		}
		if ((n = literal(p)) < 0)
			return -1;
		if (r->nitem == r->capitem) {
			r->capitem = r->capitem ? r->capitem * 2 : 16;
			r->item = xreallocarray(r->item, (size_t)r->capitem,
			    sizeof *r->item);
		}
		r->item[r->nitem++] = n;
	}
	lex(p);
	return node(p, N_LIST, first, r->nitem - first);
}

/* Is the identifier just read followed by '(' (a function call)? */
static int
next_is_paren(const struct parser *p)
{
	size_t i = p->pos;

	while (i < p->len && (p->src[i] == ' ' || p->src[i] == '\t'))
		i++;
	return i < p->len && p->src[i] == '(';
}

static int
primary(struct parser *p)
{
	int n;

	switch (p->tok) {
	case T_NUM:
		if ((n = node(p, N_NUM, -1, -1)) >= 0)
			p->r->node[n].num = p->num;
		lex(p);
		return n;
	case T_STR:
		n = node(p, N_STR, (int)p->num, (int)(p->r->str.len - (size_t)p->num));
		lex(p);
		return n;
	case T_LB:
		return array(p);
	case T_LP:
		lex(p);
		n = expr_or(p);
		if (!p->failed && p->tok != T_RP)
			return unexpected(p, "')'");
		lex(p);
		return n;
	case T_IDENT:
		if (is_word(p, "true") || is_word(p, "false")) {
			if ((n = node(p, N_BOOL, -1, -1)) >= 0)
				p->r->node[n].num = is_word(p, "true");
			lex(p);
			return n;
		}
		if (next_is_paren(p))
			return call(p);
		if ((n = field_ref(p)) < 0)
			return -1;
		return node(p, N_FIELD, n, -1);
	default:
		return unexpected(p, "a value");
	}
}

static int
enter(struct parser *p)
{
	if (++p->depth > MAXNEST)
		return fail(p, p->at, "rule nested too deeply");
	return 0;
}

static int
unary(struct parser *p)
{
	int n;

	if (enter(p))
		return -1;
	if (p->tok == T_MINUS) {
		lex(p);
		n = unary(p);
		n = n < 0 ? -1 : node(p, N_NEG, n, -1);
	} else {
		n = primary(p);
	}
	p->depth--;
	return n;
}

static int
product(struct parser *p)
{
	int n = unary(p), op, m;

	while (n >= 0 && (p->tok == T_STAR || p->tok == T_SLASH)) {
		op = p->tok == T_STAR ? N_MUL : N_DIV;
		lex(p);
		if ((m = unary(p)) < 0)
			return -1;
		n = node(p, op, n, m);
	}
	return n;
}

static int
sum(struct parser *p)
{
	int n = product(p), op, m;

	while (n >= 0 && (p->tok == T_PLUS || p->tok == T_MINUS)) {
		op = p->tok == T_PLUS ? N_ADD : N_SUB;
		lex(p);
		if ((m = product(p)) < 0)
			return -1;
		n = node(p, op, n, m);
	}
	return n;
}

/* The comparison operator at the current token (consumed), or -1. */
static int
cmp_op(struct parser *p)
{
	static const int tk[] = { T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE };
	static const int nk[] = { N_EQ, N_NE, N_LT, N_LE, N_GT, N_GE };
	size_t at = p->at;

	for (size_t i = 0; i < sizeof tk / sizeof tk[0]; i++)
		if (p->tok == tk[i])
			return lex(p), nk[i];
	if (is_word(p, "in"))
		return lex(p), N_IN;
	if (is_word(p, "contains"))
		return lex(p), N_CONTAINS;
	if (is_word(p, "not")) {
		lex(p);
		if (!is_word(p, "in"))
			return fail(p, at, "'not' must be followed by 'in' "
			    "(use ! to negate)");
		lex(p);
		return N_NOTIN;
	}
	return -1;
}

static int
comparison(struct parser *p)
{
	int n = sum(p), op, m;
	size_t at;

	if (n < 0)
		return -1;
	if ((op = cmp_op(p)) < 0)
		return p->failed ? -1 : n;
	if ((m = sum(p)) < 0)
		return -1;
	at = p->at;
	if (cmp_op(p) >= 0)
		return fail(p, at, "comparisons do not chain: join them with &&");
	return node(p, op, n, m);
}

static int
negation(struct parser *p)
{
	int n;

	if (p->tok != T_NOT)
		return comparison(p);
	if (enter(p))
		return -1;
	lex(p);
	n = negation(p);
	p->depth--;
	return n < 0 ? -1 : node(p, N_NOT, n, -1);
}

static int
conjunction(struct parser *p)
{
	int n = negation(p), m;

	while (n >= 0 && p->tok == T_AND) {
		lex(p);
		if ((m = negation(p)) < 0)
			return -1;
		n = node(p, N_AND, n, m);
	}
	return n;
}

static int
expr_or(struct parser *p)
{
	int n, m;

	if (enter(p))
		return -1;
	n = conjunction(p);
	while (n >= 0 && p->tok == T_OR) {
		lex(p);
		if ((m = conjunction(p)) < 0)
			return -1;
		n = node(p, N_OR, n, m);
	}
	p->depth--;
	return n;
}

/* ---- public: compile, bind, dump ---- */

void
rule_init(struct rule *r)
{
	memset(r, 0, sizeof *r);
	buf_init(&r->str);
	r->root = -1;
}

void
rule_free(struct rule *r)
{
	for (int i = 0; i < r->nfield; i++)
		free(r->field[i].name);
	free(r->field);
	free(r->node);
	free(r->item);
	buf_free(&r->str);
	rule_init(r);
}

int
rule_column(const char *s, size_t off)
{
	size_t from = off;
	int col = 1;

	while (from > 0 && s[from - 1] != '\n')
		from--;
	for (size_t i = from; i < off; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			col++;
	return col;
}

int
rule_compile(struct rule *r, const char *src, size_t len,
    struct rule_error *err)
{
	struct parser p;

	rule_free(r);
	memset(&p, 0, sizeof p);
	p.r = r;
	p.src = src;
	p.len = len;
	p.err = err;
	lex(&p);
	if (!p.failed && p.tok == T_END)
		fail(&p, p.at, "empty rule");
	if (!p.failed)
		r->root = expr_or(&p);
	if (!p.failed && p.tok != T_END)
		unexpected(&p, "an operator or the end of the rule");
	if (!p.failed) {
		buf_str(&r->str);
		return 0;
	}
	err->line = 1;
	for (size_t i = 0; i < err->off && i < len; i++)
		if (src[i] == '\n')
			err->line++;
	err->col = rule_column(src, err->off);
	rule_free(r);
	return -1;
}

void
rule_bind(struct rule *r, int i, int src, int col)
{
	if (i < 0 || i >= r->nfield)
		return;
	r->field[i].src = src >= 0 && src < RULE_NSRC && col >= 0 ? src : -1;
	r->field[i].col = col;
}

static const char *const scopeword[] = { "customer", "candidate", "subject" };

static void
dump_str(struct buf *b, const char *s, size_t n)
{
	buf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '"': buf_puts(b, "\\\""); break;
		case '\\': buf_puts(b, "\\\\"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\t': buf_puts(b, "\\t"); break;
		default: buf_putc(b, s[i]);
		}
	}
	buf_putc(b, '"');
}

static void
dump(const struct rule *r, int i, struct buf *b)
{
	const struct rule_node *n = &r->node[i];
	char nb[NUM_BUF];

	switch (n->kind) {
	case N_NUM:
		num_fmt(n->num, nb);
		buf_puts(b, nb);
		break;
	case N_STR:
		dump_str(b, r->str.s + n->a, (size_t)n->b);
		break;
	case N_BOOL:
		buf_puts(b, n->num ? "true" : "false");
		break;
	case N_LIST:
		buf_putc(b, '[');
		for (int k = 0; k < n->b; k++) {
			if (k)
				buf_puts(b, ", ");
			dump(r, r->item[n->a + k], b);
		}
		buf_putc(b, ']');
		break;
	case N_FIELD:
	case N_HAS:
		buf_printf(b, "%s%s.%s%s", n->kind == N_HAS ? "has(" : "",
		    scopeword[r->field[n->a].scope], r->field[n->a].name,
		    n->kind == N_HAS ? ")" : "");
		break;
	case N_OWNS:
		buf_puts(b, "owns(");
		dump(r, n->a, b);
		buf_putc(b, ')');
		break;
	case N_NEG:
	case N_NOT:
		buf_printf(b, "(%s", opname[n->kind]);
		dump(r, n->a, b);
		buf_putc(b, ')');
		break;
	default:
		buf_putc(b, '(');
		dump(r, n->a, b);
		buf_printf(b, " %s ", opname[n->kind]);
		dump(r, n->b, b);
		buf_putc(b, ')');
	}
}

void
rule_dump(const struct rule *r, struct buf *b)
{
	if (r->root >= 0)
		dump(r, r->root, b);
	buf_str(b);
}

/* Edit distance of a and b, adjacent swaps counting one (the optimal
 * string alignment distance); rows are three rolling arrays. */
static size_t
edits(const char *a, size_t m, const char *b, size_t n)
{
	size_t *row = xcalloc(3 * (n + 1), sizeof *row), d;
	size_t *pp = row, *p = row + n + 1, *c = row + 2 * (n + 1), *t;

	for (size_t j = 0; j <= n; j++)
		p[j] = j;
	for (size_t i = 1; i <= m; i++) {
		c[0] = i;
		for (size_t j = 1; j <= n; j++) {
			size_t sub = p[j - 1] + (a[i - 1] != b[j - 1]);

			c[j] = p[j] + 1 < c[j - 1] + 1 ? p[j] + 1 : c[j - 1] + 1;
			if (sub < c[j])
				c[j] = sub;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && pp[j - 2] + 1 < c[j])
				c[j] = pp[j - 2] + 1;
		}
		t = pp, pp = p, p = c, c = t;
	}
	d = p[n];
	free(row);
	return d;
}

const char *
rule_suggest(const char *name, char *const *cand, int n)
{
	size_t len = strlen(name), most = len <= 4 ? 1 : 2, best = most + 1;
	const char *pick = NULL;

	for (int i = 0; i < n; i++) {
		size_t cl = strlen(cand[i]), d;

		/* the distance is at least the difference in length */
		if (cl > len + most || len > cl + most)
			continue;
		if ((d = edits(name, len, cand[i], cl)) < best && d > 0) {
			best = d;
			pick = cand[i];
		}
	}
	return pick;
}

void
rule_caret(struct buf *b, const char *line, size_t len, size_t off)
{
	buf_puts(b, "  ");
	buf_put(b, line, len);
	buf_puts(b, "\n  ");
	for (size_t i = 0; i < off && i < len; i++) {
		if (line[i] == '\t')
			buf_putc(b, '\t');
		else if (((unsigned char)line[i] & 0xC0) != 0x80)
			buf_putc(b, ' ');
	}
	buf_puts(b, "^\n");
}

/* ---- evaluation ---- */

/*
 * A value: missing; a number; a string literal; a boolean; text from a
 * field (its kind decided by what it meets); an array literal.
 */
enum { V_MISSING, V_NUM, V_STR, V_BOOL, V_TEXT, V_LIST };

struct val {
	int k;
	double n;		/* V_NUM, V_BOOL */
	const char *s;		/* V_STR, V_TEXT */
	size_t len;		/* V_TEXT: n is its number if not NaN */
	int node;		/* V_LIST */
};

/* Powers of ten a double holds exactly. */
static const double pow10[] = {
	1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
	1e13, 1e14, 1e15
};

/*
 * A field's text as a number, as num_parse reads it. Plain decimals of
 * up to 15 digits (prices, stock, counts: nearly every value a rule
 * meets) take the exact short cut: the digits and the power of ten are
 * both exact doubles, so one division rounds as strtod would.
 */
static int
text_num(const char *s, size_t len, double *out)
{
	size_t i = 0, nd = 0, frac = 0;
	int neg = 0, dot = 0;
	double m = 0;

	if (len > 0 && s[0] == '-')
		neg = 1, i = 1;
	for (; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			m = m * 10 + (s[i] - '0');
			nd++;
			frac += dot;
		} else if (s[i] == '.' && !dot) {
			dot = 1;
		} else {
			break;
		}
	}
	if (i == len && nd > 0 && nd <= 15) {
		m /= pow10[frac];
		*out = neg && m != 0 ? -m : m;
		return 1;
	}
	return len > 0 && num_parse(s, len, out) == NULL;
}

static int
word_is(const char *s, size_t len, const char *w)
{
	size_t n = strlen(w);

	if (len != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((s[i] | 0x20) != w[i])
			return 0;
	return 1;
}

/* A field's text as a boolean: true/false, yes/no, y/n, t/f, 1/0. */
static int
text_bool(const char *s, size_t len, double *out)
{
	static const char *const yes[] = { "true", "yes", "y", "t", "1" };
	static const char *const no[] = { "false", "no", "n", "f", "0" };

	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (word_is(s, len, yes[i]))
			return *out = 1, 1;
		if (word_is(s, len, no[i]))
			return *out = 0, 1;
	}
	return 0;
}

static int
as_num(const struct val *v, double *out)
{
	if (v->k == V_NUM)
		return *out = v->n, 1;
	if (v->k == V_TEXT) {
		if (!isnan(v->n))
			return *out = v->n, 1;
		return text_num(v->s, v->len, out);
	}
	return 0;
}

static int
as_bool(const struct val *v, double *out)
{
	if (v->k == V_BOOL)
		return *out = v->n, 1;
	if (v->k == V_TEXT)
		return text_bool(v->s, v->len, out);
	return 0;
}

static int
truth(const struct val *v)
{
	double d;

	switch (v->k) {
	case V_NUM:
	case V_BOOL:
		return v->n != 0;
	case V_STR:
		return v->len > 0;
	case V_TEXT:
		if (text_bool(v->s, v->len, &d) || text_num(v->s, v->len, &d))
			return d != 0;
		return 1;
	case V_LIST:
		return 1;
	default:
		return 0;
	}
}

enum { ORDERED, EQ_ONLY, INCOMPARABLE };

/* Compares a with b: *ord is -1, 0 or 1. Numbers numerically, booleans
 * for equality only, text with text as numbers when both are numbers,
 * otherwise byte by byte. */
static int
compare(const struct val *a, const struct val *b, int *ord)
{
	double x, y;

	if (a->k == V_MISSING || b->k == V_MISSING || a->k == V_LIST ||
	    b->k == V_LIST)
		return INCOMPARABLE;
	if (a->k == V_NUM || b->k == V_NUM) {
		if (!as_num(a, &x) || !as_num(b, &y))
			return INCOMPARABLE;
		goto numbers;
	}
	if (a->k == V_BOOL || b->k == V_BOOL) {
		if (!as_bool(a, &x) || !as_bool(b, &y))
			return INCOMPARABLE;
		*ord = x != y;
		return EQ_ONLY;
	}
	if (a->k == V_TEXT && b->k == V_TEXT && as_num(a, &x) && as_num(b, &y))
		goto numbers;
	{
		size_t n = a->len < b->len ? a->len : b->len;
		int c = memcmp(a->s, b->s, n);

		if (c == 0)
			c = (a->len > b->len) - (a->len < b->len);
		*ord = (c > 0) - (c < 0);
	}
	return ORDERED;
numbers:
	*ord = (x > y) - (x < y);
	return ORDERED;
}

static int
equal(const struct val *a, const struct val *b)
{
	int ord;

	return compare(a, b, &ord) != INCOMPARABLE && ord == 0;
}

static void eval(const struct rule *r, int i, const struct rule_env *env,
    struct val *out);

/* Is x one of the members of list l (an array, or a comma list in text)? */
static int
member(const struct rule *r, const struct val *x, const struct val *l,
    const struct rule_env *env)
{
	struct val m;

	if (l->k == V_LIST) {
		const struct rule_node *n = &r->node[l->node];

		for (int k = 0; k < n->b; k++) {
			eval(r, r->item[n->a + k], env, &m);
			if (equal(x, &m))
				return 1;
		}
		return 0;
	}
	{
		const char *p = l->s, *end = l->s + l->len, *item;
		size_t len;

		m.k = l->k;
		while (list_next(&p, end, &item, &len)) {
			m.s = item;
			m.len = len;
			if (equal(x, &m))
				return 1;
		}
	}
	return 0;
}

static void
set_bool(struct val *out, int b)
{
	out->k = V_BOOL;
	out->n = b;
}

static void
relation(const struct rule *r, const struct rule_node *n,
    const struct rule_env *env, struct val *out)
{
	struct val a, b;
	int ord = 0, c;

	eval(r, n->a, env, &a);
	eval(r, n->b, env, &b);
	if (n->kind >= N_IN) {
		/* x in L, x not in L, L contains x */
		const struct val *x = n->kind == N_CONTAINS ? &b : &a;
		const struct val *l = n->kind == N_CONTAINS ? &a : &b;

		if (x->k == V_MISSING || x->k == V_LIST || l->k == V_MISSING ||
		    l->k == V_NUM || l->k == V_BOOL)
			return set_bool(out, 0);
		c = member(r, x, l, env);
		return set_bool(out, n->kind == N_NOTIN ? !c : c);
	}
	c = compare(&a, &b, &ord);
	if (c == INCOMPARABLE || (c == EQ_ONLY && n->kind != N_EQ && n->kind != N_NE))
		return set_bool(out, 0);
	switch (n->kind) {
	case N_EQ: return set_bool(out, ord == 0);
	case N_NE: return set_bool(out, ord != 0);
	case N_LT: return set_bool(out, ord < 0);
	case N_LE: return set_bool(out, ord <= 0);
	case N_GT: return set_bool(out, ord > 0);
	default: return set_bool(out, ord >= 0);
	}
}

static void
arith(const struct rule *r, const struct rule_node *n,
    const struct rule_env *env, struct val *out)
{
	struct val a, b;
	double x, y;

	eval(r, n->a, env, &a);
	eval(r, n->b, env, &b);
	out->k = V_MISSING;
	if (!as_num(&a, &x) || !as_num(&b, &y))
		return;
	switch (n->kind) {
	case N_ADD: out->n = x + y; break;
	case N_SUB: out->n = x - y; break;
	case N_MUL: out->n = x * y; break;
	default:
		if (y == 0)
			return;
		out->n = x / y;
	}
	if (isfinite(out->n))
		out->k = V_NUM;
}

static void
field_val(const struct rule *r, int i, const struct rule_env *env,
    struct val *out)
{
	const struct rule_field *f = &r->field[i];

	out->k = V_MISSING;
	if (f->src < 0 || !env->v[f->src])
		return;
	out->s = env->v[f->src][f->col];
	out->len = env->len[f->src][f->col];
	out->n = env->num[f->src] ? env->num[f->src][f->col] : NAN;
	if (out->len > 0)
		out->k = V_TEXT;
}

static void
owns(const struct rule *r, const struct rule_node *n,
    const struct rule_env *env, struct val *out)
{
	struct val a;
	char nb[NUM_BUF];

	eval(r, n->a, env, &a);
	if (a.k == V_NUM) {
		a.s = nb;
		a.len = num_fmt(a.n, nb);
	} else if (a.k != V_STR && a.k != V_TEXT) {
		return set_bool(out, 0);
	}
	set_bool(out, env->owns && env->owns(env->arg, a.s, a.len));
}

static void
eval(const struct rule *r, int i, const struct rule_env *env, struct val *out)
{
	const struct rule_node *n = &r->node[i];
	double x;

	switch (n->kind) {
	case N_NUM:
		out->k = V_NUM;
		out->n = n->num;
		break;
	case N_STR:
		out->k = V_STR;
		out->s = r->str.s + n->a;
		out->len = (size_t)n->b;
		break;
	case N_BOOL:
		set_bool(out, n->num != 0);
		break;
	case N_LIST:
		out->k = V_LIST;
		out->node = i;
		break;
	case N_FIELD:
		field_val(r, n->a, env, out);
		break;
	case N_HAS:
		field_val(r, n->a, env, out);
		set_bool(out, out->k != V_MISSING);
		break;
	case N_OWNS:
		owns(r, n, env, out);
		break;
	case N_NEG:
		eval(r, n->a, env, out);
		if (as_num(out, &x)) {
			out->k = V_NUM;
			out->n = -x;
		} else {
			out->k = V_MISSING;
		}
		break;
	case N_NOT:
		eval(r, n->a, env, out);
		set_bool(out, !truth(out));
		break;
	case N_AND:
		eval(r, n->a, env, out);
		if (truth(out))
			eval(r, n->b, env, out);
		set_bool(out, truth(out));
		break;
	case N_OR:
		eval(r, n->a, env, out);
		if (!truth(out))
			eval(r, n->b, env, out);
		set_bool(out, truth(out));
		break;
	case N_ADD:
	case N_SUB:
	case N_MUL:
	case N_DIV:
		arith(r, n, env, out);
		break;
	default:
		relation(r, n, env, out);
	}
}

int
rule_eval(const struct rule *r, const struct rule_env *env)
{
	struct val v;

	if (r->root < 0)
		return 0;
	eval(r, r->root, env, &v);
	return truth(&v);
}
