/* The rule language: no crash on any text; an error has a place and a
 * message; what compiles evaluates, and its printed tree compiles again
 * to the same tree. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rule.h"
#include "buf.h"

static char *ctx[] = { "premium", "36", "false", "checking,savings", "" };
static const size_t ctxlen[] = { 7, 2, 5, 16, 0 };
static char *cand[] = { "P7", "149.5", "audio", "-0", "1e3" };
static const size_t candlen[] = { 2, 5, 5, 2, 3 };

static int
owns(void *arg, const char *id, size_t len)
{
	(void)arg;
	return len == 8 && memcmp(id, "checking", 8) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rule r, r2;
	struct rule_error err;
	struct rule_env env;
	struct buf a, b;

	xs_die_hook = fuzz_die_hook;
	rule_init(&r);
	rule_init(&r2);
	if (rule_compile(&r, (const char *)data, size, &err) != 0) {
		if (err.line < 1 || err.col < 1 || err.off > size || !err.msg[0])
			abort();
		return 0;
	}
	memset(&env, 0, sizeof env);
	env.v[0] = ctx;
	env.len[0] = ctxlen;
	env.v[1] = cand;
	env.len[1] = candlen;
	env.owns = owns;
	for (int i = 0; i < r.nfield; i++)
		rule_bind(&r, i, r.field[i].scope == 2 ? -1 : r.field[i].scope,
		    (int)(strlen(r.field[i].name) % 6) - 1);
	rule_eval(&r, &env);
	buf_init(&a);
	buf_init(&b);
	rule_dump(&r, &a);
	/* The printed tree has more parentheses than the source had, so it
	 * may hit the nesting limit the source stayed under. */
	if (rule_compile(&r2, a.s, a.len, &err) != 0) {
		if (strcmp(err.msg, "rule nested too deeply") != 0)
			abort();
	} else {
		rule_dump(&r2, &b);
		if (strcmp(a.s, b.s) != 0)
			abort();
	}
	buf_free(&a);
	buf_free(&b);
	rule_free(&r);
	rule_free(&r2);
	return 0;
}
