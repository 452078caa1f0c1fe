/* opt.c: option values, checked once, with the option named on error;
 * the options every tool has. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsell.h"
#include "num.h"
#include "writer.h"

double
opt_num(const char *opt, const char *arg, double lo, double hi)
{
	double v;
	const char *err = num_parse(arg, strlen(arg), &v);

	if (err)
		die(XS_USAGE, "option %s: %s: \"%s\"", opt, err, arg);
	if (v < lo || v > hi) {
		char a[NUM_BUF], b[NUM_BUF];

		num_fmt(lo, a);
		num_fmt(hi, b);
		die(XS_USAGE, "option %s: %s is not in [%s, %s]", opt, arg, a, b);
	}
	return v;
}

int64_t
opt_int(const char *opt, const char *arg, int64_t lo, int64_t hi)
{
	int64_t v;
	const char *err = num_parse_int(arg, strlen(arg), &v);

	if (err)
		die(XS_USAGE, "option %s: %s: \"%s\"", opt, err, arg);
	if (v < lo || v > hi)
		die(XS_USAGE, "option %s: %s is not in [%lld, %lld]", opt, arg,
		    (long long)lo, (long long)hi);
	return v;
}

int
opt_word(const char *opt, const char *arg, const char *const *words)
{
	char list[256];
	size_t n = 0;

	for (int i = 0; words[i]; i++)
		if (strcmp(arg, words[i]) == 0)
			return i;
	list[0] = '\0';
	for (int i = 0; words[i] && n < sizeof list; i++)
		n += (size_t)snprintf(list + n, sizeof list - n, "%s%s",
		    i ? ", " : "", words[i]);
	die(XS_USAGE, "option %s: \"%s\" is not one of %s", opt, arg, list);
}

void
usage_die(const char *usage)
{
	fputs(usage, stderr);
	exit(XS_USAGE);
}

void
opt_common(int ch, const struct opt_common *c)
{
	switch (ch) {
	case 'j': *c->format = WRITER_JSONL; break;
	case XS_OPT_CSV: *c->format = WRITER_CSV; break;
	case XS_OPT_CSV_SAFE: *c->format = WRITER_CSV_SAFE; break;
	case 'o': *c->out = optarg; break;
	case 'q': xs_quiet = 1; break;
	case 'v': xs_verbose = 1; break;
	case 'h':
		fputs(c->usage, stdout);
		fputs(c->help, stdout);
		exit(xs_finish(XS_OK));
	case 'V': xs_version();
	default: usage_die(c->usage);
	}
}
