/* test-rule.c: the rule language: operators, precedence, values, errors. */
#include <stdlib.h>
#include <string.h>

#include "rule.h"
#include "tap.h"
#include "buf.h"
#include "num.h"

/* Three sources, as xsell-qualify binds them. */
enum { CTX, CAND, SUBJ };

static const char *const ctx_cols[] = {
	"tier", "tenure_months", "hasCreditCard", "holdings", "zip", "since",
	"empty", "flag", "segment", "score", NULL
};
static char *ctx_vals[] = {
	"premium", "36", "false", "checking, savings", "02134", "2019-05-01",
	"", "yes", "budget", "-2.5",
};
static const char *const cand_cols[] = {
	"candidate_id", "price", "category", "stock", "tier", "type", NULL
};
static char *cand_vals[] = { "P7", "149.5", "audio", "0", "premium", "upsell" };
static const char *const subj_cols[] = { "product_id", "price", "category", NULL };
static char *subj_vals[] = { "P1", "100", "audio" };

static size_t ctx_len[16], cand_len[16], subj_len[16];

static int
col_of(const char *const *cols, const char *name)
{
	for (int i = 0; cols[i]; i++)
		if (strcmp(cols[i], name) == 0)
			return i;
	return -1;
}

static int
owns_cb(void *arg, const char *id, size_t len)
{
	const char *p = arg, *end = p + strlen(p), *item;
	size_t n;

	while (list_next(&p, end, &item, &n))
		if (n == len && memcmp(item, id, len) == 0)
			return 1;
	return 0;
}

static struct rule_env env;

static void
env_init(void)
{
	for (int i = 0; ctx_cols[i]; i++)
		ctx_len[i] = strlen(ctx_vals[i]);
	for (int i = 0; cand_cols[i]; i++)
		cand_len[i] = strlen(cand_vals[i]);
	for (int i = 0; subj_cols[i]; i++)
		subj_len[i] = strlen(subj_vals[i]);
	env.v[CTX] = ctx_vals;
	env.len[CTX] = ctx_len;
	env.v[CAND] = cand_vals;
	env.len[CAND] = cand_len;
	env.v[SUBJ] = subj_vals;
	env.len[SUBJ] = subj_len;
	env.owns = owns_cb;
	env.arg = "checking,savings,P1";
}

static void
bind_all(struct rule *r)
{
	static const char *const *cols[] = { ctx_cols, cand_cols, subj_cols };

	for (int i = 0; i < r->nfield; i++) {
		int s = r->field[i].scope;	/* scope order matches sources */

		rule_bind(r, i, s, col_of(cols[s], r->field[i].name));
	}
}

/* -1: does not compile; else the rule's value for the test row. */
static int
run(const char *src)
{
	struct rule r;
	struct rule_error err;
	int v;

	rule_init(&r);
	if (rule_compile(&r, src, strlen(src), &err) != 0) {
		printf("# %s: %d:%d: %s\n", src, err.line, err.col, err.msg);
		return -1;
	}
	bind_all(&r);
	v = rule_eval(&r, &env);
	rule_free(&r);
	return v;
}

static const struct {
	const char *src;
	int want;
} cases[] = {
	/* comparisons of each kind */
	{ "customer.tier == \"premium\"", 1 },
	{ "customer.tier != \"premium\"", 0 },
	{ "customer.tier != \"gold\"", 1 },
	{ "customer.tenure_months >= 36", 1 },
	{ "customer.tenure_months > 36", 0 },
	{ "customer.tenure_months < 36.5", 1 },
	{ "customer.tenure_months <= 35", 0 },
	{ "customer.tenure_months == 36.0", 1 },
	{ "customer.score < -2", 1 },
	{ "customer.score == -2.5", 1 },
	{ "customer.zip == \"02134\"", 1 },
	{ "customer.zip == 2134", 1 },	/* numbers compare numerically */
	{ "customer.since >= \"2019-01-01\"", 1 },	/* strings byte by byte */
	{ "customer.since < \"2019-01-01\"", 0 },
	{ "\"abc\" < \"abd\"", 1 },
	{ "\"ab\" < \"abc\"", 1 },
	/* booleans */
	{ "customer.hasCreditCard == false", 1 },
	{ "customer.hasCreditCard == true", 0 },
	{ "customer.hasCreditCard != true", 1 },
	{ "customer.flag == true", 1 },
	{ "customer.flag", 1 },
	{ "customer.hasCreditCard", 0 },
	{ "!customer.hasCreditCard", 1 },
	{ "customer.hasCreditCard < true", 0 },	/* booleans have no order */
	{ "customer.tier == true", 0 },		/* not a boolean: incomparable */
	{ "true == true", 1 },
	{ "true != false", 1 },
	/* arrays, in, not in, contains */
	{ "customer.tier in [\"premium\", \"gold\"]", 1 },
	{ "customer.tier in [\"silver\", \"gold\"]", 0 },
	{ "customer.tier not in [\"silver\", \"gold\"]", 1 },
	{ "customer.tier not in [\"premium\"]", 0 },
	{ "customer.tenure_months in [12, 24, 36]", 1 },
	{ "customer.tenure_months in []", 0 },
	{ "customer.holdings contains \"savings\"", 1 },
	{ "customer.holdings contains \"mortgage\"", 0 },
	{ "\"checking\" in customer.holdings", 1 },
	{ "\"mortgage\" not in customer.holdings", 1 },
	{ "[1, 2, 3] contains 2", 1 },
	{ "[\"a\", true, -1] contains -1", 1 },
	{ "candidate.category == subject.category", 1 },
	{ "candidate.category in \"audio,video\"", 1 },
	/* arithmetic */
	{ "candidate.price <= subject.price * 1.5", 1 },
	{ "candidate.price <= subject.price * 1.4", 0 },
	{ "candidate.price > subject.price", 1 },	/* text with text: numbers */
	{ "candidate.price - subject.price == 49.5", 1 },
	{ "subject.price / 4 + 1 == 26", 1 },
	{ "1 + 2 * 3 == 7", 1 },
	{ "(1 + 2) * 3 == 9", 1 },
	{ "10 - 4 - 3 == 3", 1 },	/* left to right */
	{ "12 / 3 / 2 == 2", 1 },
	{ "-subject.price == -100", 1 },
	{ "- -2 == 2", 1 },
	{ "2 * -3 == -6", 1 },
	{ "1 / 0 == 1 / 0", 0 },	/* division by zero: missing */
	{ "customer.tier * 2 == 0", 0 },	/* not a number: missing */
	{ ".5 + 1e2 == 100.5", 1 },
	/* logic and precedence */
	{ "customer.tier == \"premium\" && customer.tenure_months >= 36", 1 },
	{ "customer.tier == \"gold\" || customer.tenure_months >= 36", 1 },
	{ "customer.tier == \"gold\" || customer.tenure_months > 36", 0 },
	{ "true || false && false", 1 },	/* && binds tighter */
	{ "(true || false) && false", 0 },
	{ "!customer.tier == \"gold\"", 1 },	/* ! below comparisons */
	{ "!(customer.tier == \"premium\")", 0 },
	{ "!!true", 1 },
	{ "! true || true", 1 },
	/* missing fields */
	{ "customer.nope == 1", 0 },
	{ "customer.nope != 1", 0 },
	{ "customer.nope < 1", 0 },
	{ "customer.nope >= 1", 0 },
	{ "customer.nope == customer.nope", 0 },
	{ "customer.nope in [1, 2]", 0 },
	{ "customer.nope not in [1, 2]", 0 },
	{ "customer.holdings contains customer.nope", 0 },
	{ "customer.nope contains 1", 0 },
	{ "customer.empty == \"\"", 0 },	/* empty is missing */
	{ "!(customer.nope == 1)", 1 },
	{ "customer.nope", 0 },
	{ "!customer.nope", 1 },
	{ "has(customer.nope)", 0 },
	{ "has(customer.empty)", 0 },
	{ "has(customer.tier)", 1 },
	{ "!has(customer.nope) || customer.nope > 3", 1 },
	{ "candidate.price < subject.nope * 2", 0 },
	/* owns */
	{ "owns(\"checking\")", 1 },
	{ "owns(\"credit_card\")", 0 },
	{ "owns(subject.product_id)", 1 },
	{ "owns(candidate.candidate_id)", 0 },
	{ "owns(customer.nope)", 0 },
	{ "!owns(\"credit_card\") && customer.tier in [\"premium\"]", 1 },
	/* aliases and odd spacing */
	{ "linked.price == offer.price", 1 },
	{ "context.tier==\"premium\"&&subject.category==\"audio\"", 1 },
	{ "owns ( \"savings\" )", 1 },
	{ "customer.tier\n  == \"premium\"", 1 },
	{ "\"a\\\"b\" == \"a\\\"b\"", 1 },
};

static const struct {
	const char *src;
	int line, col;
	const char *msg;
} errors[] = {
	{ "own(\"x\")", 1, 1, "unknown function 'own' (functions: owns, has)" },
	{ "customer.tier = \"gold\"", 1, 15, "'=' alone: use == to compare" },
	{ "customer.tier == 'gold'", 1, 18, "strings are written in double quotes" },
	{ "customer.tier == \"gold", 1, 18, "unterminated string" },
	{ "customer.tier == \"g\\old\"", 1, 20, "unknown escape '\\o' in a string" },
	{ "cust.tier == 1", 1, 1, "unknown field scope 'cust' (use customer, "
	    "context, candidate, linked, offer or subject)" },
	{ "tier == 1", 1, 1, "unknown name 'tier' (fields are written "
	    "customer.x, candidate.x or subject.x)" },
	{ "customer == 1", 1, 1, "expected '.' and a field name after 'customer'" },
	{ "customer. == 1", 1, 11, "expected a field name after the dot, found '=='" },
	{ "(1 == 1", 1, 8, "expected ')', found the end of the rule" },
	{ "1 == 1)", 1, 7, "expected an operator or the end of the rule, found ')'" },
	{ "1 < 2 < 3", 1, 7, "comparisons do not chain: join them with &&" },
	{ "customer.tier not [\"a\"]", 1, 15, "'not' must be followed by 'in' "
	    "(use ! to negate)" },
	{ "customer.tier in [customer.x]", 1, 19, "array members must be "
	    "numbers, strings, true or false" },
	{ "customer.tier in [\"a\" \"b\"]", 1, 23, "expected ',' or ']', found '\"b\"'" },
	{ "has(\"x\")", 1, 5, "has() takes one field, as in has(customer.tier)" },
	{ "owns()", 1, 6, "owns() takes one argument" },
	{ "owns(\"a\", \"b\")", 1, 9, "owns() takes one argument" },
	{ "", 1, 1, "empty rule" },
	{ "   ", 1, 4, "empty rule" },
	{ "1 &", 1, 3, "'&' alone: use && for and" },
	{ "1 | 2", 1, 3, "'|' alone: use || for or" },
	{ "customer.tier == @", 1, 18, "unexpected character '@'" },
	{ "1e999 > 1", 1, 1, "number out of range" },
	{ "customer.tier ==", 1, 17, "expected a value, found the end of the rule" },
	{ "customer.tier &&\n  \"é\" == 1 ||\n  foo(1)", 3, 3,
	    "unknown function 'foo' (functions: owns, has)" },
	{ "\"é\" == ü", 1, 8, "unexpected character" },
};

static void
test_cases(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ok(run(cases[i].src) == cases[i].want, "%s is %s", cases[i].src,
		    cases[i].want ? "true" : "false");
}

static void
test_errors(void)
{
	for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
		struct rule r;
		struct rule_error err;
		const char *s = errors[i].src;
		int rc;

		rule_init(&r);
		memset(&err, 0, sizeof err);
		rc = rule_compile(&r, s, strlen(s), &err);
		ok(rc == -1 && err.line == errors[i].line && err.col == errors[i].col,
		    "error at %d:%d in %s (got %d:%d)", errors[i].line,
		    errors[i].col, s, err.line, err.col);
		is_str(err.msg, errors[i].msg, "message for %s", s);
		rule_free(&r);
	}
}

static void
dump_is(const char *src, const char *want)
{
	struct rule r;
	struct rule_error err;
	struct buf b;

	rule_init(&r);
	buf_init(&b);
	if (rule_compile(&r, src, strlen(src), &err) == 0)
		rule_dump(&r, &b);
	else
		buf_printf(&b, "error: %s", err.msg);
	is_str(b.s, want, "tree of %s", src);
	buf_free(&b);
	rule_free(&r);
}

static void
test_precedence(void)
{
	dump_is("a.x || b.y && c.z",
	    "error: unknown field scope 'a' (use customer, context, candidate, "
	    "linked, offer or subject)");
	dump_is("customer.a || customer.b && customer.c",
	    "(customer.a || (customer.b && customer.c))");
	dump_is("customer.a && customer.b || customer.c",
	    "((customer.a && customer.b) || customer.c)");
	dump_is("!customer.a == 1 && !has(linked.b)",
	    "((!(customer.a == 1)) && (!has(candidate.b)))");
	dump_is("1 + 2 * 3 - 4 / 5", "((1 + (2 * 3)) - (4 / 5))");
	dump_is("-subject.p * 2 <= offer.p", "(((-subject.p) * 2) <= candidate.p)");
	dump_is("context.t in [\"a\", 1.5, true, -2]",
	    "(customer.t in [\"a\", 1.5, true, -2])");
	dump_is("customer.h contains \"x\\ty\" || customer.t not in []",
	    "((customer.h contains \"x\\ty\") || (customer.t not in []))");
	dump_is("owns(candidate.candidate_id)", "owns(candidate.candidate_id)");
}

static void
test_depth(void)
{
	struct buf b;
	struct rule r;
	struct rule_error err;

	buf_init(&b);
	rule_init(&r);
	for (int i = 0; i < 5000; i++)
		buf_putc(&b, '(');
	buf_putc(&b, '1');
	for (int i = 0; i < 5000; i++)
		buf_putc(&b, ')');
	ok(rule_compile(&r, b.s, b.len, &err) == -1 &&
	    strcmp(err.msg, "rule nested too deeply") == 0, "deep parentheses refused");
	buf_reset(&b);
	for (int i = 0; i < 5000; i++)
		buf_puts(&b, "true || ");
	buf_puts(&b, "true");
	ok(rule_compile(&r, b.s, b.len, &err) == -1 &&
	    strcmp(err.msg, "rule nested too deeply") == 0, "long chains refused");
	buf_reset(&b);
	for (int i = 0; i < 500; i++)
		buf_puts(&b, "false || ");
	buf_puts(&b, "true");
	ok(rule_compile(&r, b.s, b.len, &err) == 0 && rule_eval(&r, &env) == 1,
	    "a chain of 500 works");
	rule_free(&r);
	buf_free(&b);
}

static void
test_binding(void)
{
	struct rule r;
	struct rule_error err;
	const char *s = "customer.tier == \"premium\" && customer.tier != candidate.x";

	rule_init(&r);
	ok(rule_compile(&r, s, strlen(s), &err) == 0, "compiles");
	ok(r.nfield == 2, "one field per distinct name (%d)", r.nfield);
	is_str(r.field[1].name, "x", "second field name");
	ok(r.field[1].scope == RULE_CANDIDATE && r.field[1].off == 47,
	    "scope and place of the second field");
	ok(rule_eval(&r, &env) == 0, "unbound fields are missing");
	rule_bind(&r, 0, CTX, 0);
	rule_bind(&r, 1, CAND, 2);
	ok(rule_eval(&r, &env) == 1, "bound fields have values");
	env.v[CAND] = NULL;
	ok(rule_eval(&r, &env) == 0, "an absent source is missing");
	env.v[CAND] = cand_vals;
	rule_free(&r);
}

static void
test_caret(void)
{
	struct buf b;
	const char *line = "credit_card\tno_card\t!own(\"x\")";

	buf_init(&b);
	rule_caret(&b, line, strlen(line), 21);
	is_str(buf_str(&b), "  credit_card\tno_card\t!own(\"x\")\n"
	    "             \t       \t ^\n", "caret keeps tabs");
	buf_reset(&b);
	rule_caret(&b, "\"é\" == x", 9, 8);
	is_str(buf_str(&b), "  \"é\" == x\n         ^\n", "caret counts characters");
	ok(rule_column("\"é\" == x", 8) == 8, "column in characters");
	ok(rule_column("a\nbc", 3) == 2, "column on a later line");
	buf_free(&b);
}

static void
test_suggest(void)
{
	char *cols[] = { "product_id", "price", "category", "tier", "segment" };

	is_str(rule_suggest("prise", cols, 5), "price", "a letter changed");
	is_str(rule_suggest("segmnet", cols, 5), "segment", "two letters swapped");
	is_str(rule_suggest("categry", cols, 5), "category", "a letter dropped");
	is_str(rule_suggest("productid", cols, 5), "product_id", "a letter added");
	ok(rule_suggest("teir", cols, 5) != NULL, "a swap in a short name");
	ok(rule_suggest("tear", cols, 5) == NULL, "two edits in a short name: none");
	ok(rule_suggest("brand", cols, 5) == NULL, "nothing close: none");
	ok(rule_suggest("price", cols, 5) == NULL, "the name itself: none");
	ok(rule_suggest("x", cols, 0) == NULL, "no candidates");
}

int
main(void)
{
	env_init();
	test_cases();
	test_errors();
	test_precedence();
	test_depth();
	test_binding();
	test_caret();
	test_suggest();
	return tap_done();
}
