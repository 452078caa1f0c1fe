/*
 * xsell-import: merchant CSV, TSV or JSON lines in, canonical records out.
 *
 * Each input is read by content (JSON lines, xsell TSV, or CSV through
 * libcsv), its header is mapped to the canonical columns of a kind (by
 * aliases, case and spacing aside, or --map), and every row is checked
 * and normalised or rejected with a reason. Rows stream: memory grows
 * only with what duplicate detection, --exclude, --preview and --merge
 * must remember. The engine is lib/import*.c (import.h), --merge
 * lib/merge.c; this file holds the options.
 */
#include <getopt.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "xsell.h"
#include "num.h"
#include "colmap.h"
#include "date.h"
#include "import.h"

static const char usage_text[] =
    "usage: xsell-import [-jqv] [--csv] [--strict] [--preview] [--kind kind]\n"
    "           [--map canonical=source] [--delimiter char]\n"
    "           [--returns drop|keep] [--exclude regex] [--rejects file]\n"
    "           [--merge base [--full]] [--max-shrink limit] [--force]\n"
    "           [--set column=value] [--split column[=sep]]\n"
    "           [--date-format format] [-o file] [file ...]\n";

/* --help: the usage, then one line per option, each long option of the
 * page's OPTIONS on one (tests/help.bats); the page is the reference. */
static const char help_text[] =
    "\n"
    "options (details in xsell-import(1)):\n"
    "  --csv                       read every input as CSV, whatever its content\n"
    "  --date-format format        a date format to try after ISO 8601; repeatable\n"
    "  -d, --delimiter char        the CSV delimiter (one character, or tab)\n"
    "  --force                     replace the -o file however much smaller\n"
    "  --full                      with --merge: the feed is the whole snapshot\n"
    "  -j, --json                  write JSON lines instead of TSV\n"
    "  -k, --kind kind             the kind of input, instead of guessing\n"
    "  -m, --map canonical=source  read a canonical column from another; repeatable\n"
    "  --max-shrink limit          how much smaller a snapshot may get (default 50%)\n"
    "  --merge base                apply a delta feed to the relations snapshot base\n"
    "  -o, --output file           write to file, atomically\n"
    "  --preview                   a summary for a person instead of records\n"
    "  -q, --quiet                 only errors and data problems on standard error\n"
    "  --rejects file              write the rejected rows and blanked values to file\n"
    "  --returns drop|keep         cancellations in orders (default drop)\n"
    "  --set column=value          the value of column where the input has none\n"
    "  --split column[=sep]        the cells of column are lists split at sep (,)\n"
    "  --strict                    any rejected row or blanked value fails the run\n"
    "  -v, --verbose               name every rejected row on standard error\n"
    "  -x, --exclude regex         in orders, drop the product ids regex matches\n"
    "  -h, --help                  print this help and exit\n"
    "  -V, --version               print the version and exit\n";

static int
parse_delim(const char *arg)
{
	if (strcmp(arg, "tab") == 0 || strcmp(arg, "TAB") == 0 ||
	    strcmp(arg, "\\t") == 0)
		return '\t';
	if (strlen(arg) != 1 || arg[0] == '"' || arg[0] == '\n' ||
	    arg[0] == '\r') {
		warning("--delimiter: not a single character: '%s'", arg);
		exit(XS_USAGE);
	}
	return (unsigned char)arg[0];
}

/* A fraction from 0 to 1 (0.5) or a percent (50%). */
static double
parse_shrink(const char *arg)
{
	size_t n = strlen(arg);
	int pct = n > 0 && arg[n - 1] == '%';
	double v;

	if (num_parse(arg, n - (size_t)pct, &v) != NULL || v < 0 ||
	    v > (pct ? 100 : 1))
		die(XS_USAGE, "option --max-shrink: \"%s\" is not a fraction "
		    "from 0 to 1 or a percent from 0%% to 100%%", arg);
	return pct ? v / 100 : v;
}

static void
add_map(struct import_opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg || !eq[1]) {
		warning("--map: not canonical=source: '%s'", arg);
		exit(XS_USAGE);
	}
	o->maps = xreallocarray(o->maps, (size_t)o->nmaps + 1,
	    sizeof *o->maps);
	o->maps[o->nmaps++] = (char *)arg;
}

/* --set column=value: the value of column where the input has none. */
static void
add_set(struct import_opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg || !eq[1])
		die(XS_USAGE, "--set: not column=value: '%s'", arg);
	o->sets = xreallocarray(o->sets, (size_t)o->nsets + 1,
	    sizeof *o->sets);
	o->sets[o->nsets++] = (char *)arg;
}

/* --split column[=sep]: the column's cells are lists. */
static void
add_split(struct import_opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (eq == arg || *arg == '\0' || (eq && !eq[1]))
		die(XS_USAGE, "--split: not column or column=separator: '%s'",
		    arg);
	o->splits = xreallocarray(o->splits, (size_t)o->nsplits + 1,
	    sizeof *o->splits);
	o->splits[o->nsplits++] = (char *)arg;
}

static void
add_date_format(struct import_opts *o, const char *arg)
{
	const char *err = date_fmt_check(arg);

	if (err)
		die(XS_USAGE, "--date-format '%s': %s", arg, err);
	if (o->df.n == DATE_MAXFMT)
		die(XS_USAGE, "--date-format: at most %d", DATE_MAXFMT);
	o->df.fmt[o->df.n++] = arg;
}

static void
set_exclude(struct import_opts *o, const char *arg)
{
	int e = regcomp(&o->exclude, arg, REG_EXTENDED | REG_NOSUB);

	if (e) {
		char msg[128];

		regerror(e, &o->exclude, msg, sizeof msg);
		warning("--exclude: %s: '%s'", msg, arg);
		exit(XS_USAGE);
	}
	o->has_exclude = 1;
}

static const struct option longopts[] = {
	{ "kind", required_argument, NULL, 'k' },
	{ "map", required_argument, NULL, 'm' },
	{ "rejects", required_argument, NULL, 'r' },
	{ "strict", no_argument, NULL, 'S' },
	{ "preview", no_argument, NULL, 'P' },
	{ "merge", required_argument, NULL, 'M' },
	{ "returns", required_argument, NULL, 'R' },
	{ "exclude", required_argument, NULL, 'x' },
	{ "delimiter", required_argument, NULL, 'd' },
	{ "csv", no_argument, NULL, 'C' },
	{ "full", no_argument, NULL, 'U' },
	{ "force", no_argument, NULL, 'F' },
	{ "max-shrink", required_argument, NULL, 'X' },
	{ "set", required_argument, NULL, 'T' },
	{ "split", required_argument, NULL, 'L' },
	{ "date-format", required_argument, NULL, 'D' },
	XS_COMMON_LONGOPTS
};

static void
options(struct import_opts *o, int argc, char **argv)
{
	static const char *const returns[] = { "drop", "keep", NULL };
	const struct opt_common common = { usage_text, help_text, &o->json,
	    &o->out_path };
	int c;

	while ((c = getopt_long(argc, argv, "k:m:r:x:d:jo:qvhV", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'k': o->kind = opt_word("--kind", optarg, kind_names); break;
		case 'm': add_map(o, optarg); break;
		case 'r': o->rej_path = optarg; break;
		case 'S': o->strict = 1; break;
		case 'P': o->preview = 1; break;
		case 'M': o->merge_path = optarg; break;
		case 'R':
			o->keep_returns = opt_word("--returns", optarg, returns);
			break;
		case 'x': set_exclude(o, optarg); break;
		case 'd': o->delim = parse_delim(optarg); break;
		case 'C': o->csv = 1; break;
		case 'U': o->full = 1; break;
		case 'F': o->force = 1; break;
		case 'X':
			o->max_shrink = parse_shrink(optarg);
			o->shrink_arg = optarg;
			break;
		case 'T': add_set(o, optarg); break;
		case 'L': add_split(o, optarg); break;
		case 'D': add_date_format(o, optarg); break;
		default: opt_common(c, &common);
		}
	}
	if (o->full && !o->merge_path) {
		warning("--full needs --merge");
		exit(XS_USAGE);
	}
	if (o->merge_path && o->preview) {
		warning("--merge and --preview cannot be used together");
		exit(XS_USAGE);
	}
	if (o->merge_path && o->kind >= 0 && o->kind != K_RELATIONS) {
		warning("--merge needs --kind relations");
		exit(XS_USAGE);
	}
	if (o->merge_path)
		o->kind = K_RELATIONS;
}

static void
opts_free(struct import_opts *o)
{
	free(o->maps);
	free(o->sets);
	free(o->splits);
	if (o->has_exclude)
		regfree(&o->exclude);
}

int
main(int argc, char **argv)
{
	static char *stdin_only[] = { "-" };
	struct import_opts o;
	struct import *im;
	char **files;
	int nfiles, status;

	xs_init(argv[0]);
	import_opts_init(&o);
	options(&o, argc, argv);
	files = optind < argc ? argv + optind : stdin_only;
	nfiles = optind < argc ? argc - optind : 1;
	im = import_new(&o, nfiles, files);
	for (int i = 0; i < nfiles; i++)
		import_file(im, i);
	status = import_finish(im);
	opts_free(&o);
	return xs_finish(status);
}
