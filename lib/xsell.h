/*
 * xsell.h: what every file of xsell needs: the exit statuses, the
 * version, the printf attribute, errors and allocation (err.c) and the
 * options every tool shares (opt.c). Each other module has its own
 * header: buf.h, num.h, rec.h, writer.h, out.h, progress.h, intern.h,
 * catalog.h, ... (lib/README.md says which holds what).
 */
#ifndef XSELL_H
#define XSELL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define XSELL_VERSION "0.1.0"

/* Exit statuses every tool keeps (DESIGN.md). */
enum {
	XS_OK = 0,	/* success */
	XS_DATA = 1,	/* data problems the tool reported */
	XS_USAGE = 2,	/* bad options */
	XS_INPUT = 3,	/* input unusable: missing column, malformed file, bad rule */
	XS_SYS = 4	/* open, write, memory */
};

#if defined(__GNUC__)
#define XS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define XS_NORETURN __attribute__((noreturn))
#else
#define XS_PRINTF(a, b)
#define XS_NORETURN
#endif

/* ---- program, errors (err.c) ---- */

extern const char *progname;	/* basename of argv[0] */
extern int xs_quiet;		/* --quiet: only errors on stderr */
extern int xs_verbose;		/* -v: counts of each step */

/* Sets progname, gives a closed descriptor 0, 1 or 2 /dev/null opened
 * so that reading stdin or writing stdout still fails (exit 4), puts
 * SIGPIPE back to its default (a closed pipe ends the tool quietly with
 * 141), ignores SIGXFSZ (a file size limit is a write error) and gives
 * stdout a large buffer. */
void xs_init(const char *argv0);
/* The long options every tool has (DESIGN.md), to close its getopt_long
 * table: --json, --output, --quiet, --verbose, --help, --version. */
#define XS_COMMON_LONGOPTS \
	{ "json", no_argument, NULL, 'j' }, \
	{ "output", required_argument, NULL, 'o' }, \
	{ "quiet", no_argument, NULL, 'q' }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, 'V' }, \
	{ NULL, 0, NULL, 0 }

/* Fuzzers and tests only: called by die() just before it exits. */
extern void (*xs_die_hook)(int status);
/* A thread that must not end the process (the background reader) sets
 * this: die() then hands it the status and the message, without the
 * program name, instead of printing and exiting. It must not return. */
extern _Thread_local void (*xs_die_catch)(int status, const char *msg);
/* Registers a cleanup that die() and a failed xs_finish() run before
 * exiting (out.c's removal of -o temporaries): err.c calls no module
 * above it. At most a few; registering the same one again is a no-op. */
void xs_at_die(void (*fn)(void));
/* "progname: message" on stderr, runs the cleanups (removes pending -o
 * temporaries), exits. */
XS_NORETURN void die(int status, const char *fmt, ...) XS_PRINTF(2, 3);
/* "progname: message" on stderr, always (errors and warnings). */
void warning(const char *fmt, ...) XS_PRINTF(1, 2);
/* "progname: message" on stderr unless --quiet (counts, summaries). */
void note(const char *fmt, ...) XS_PRINTF(1, 2);
/* Prints "progname VERSION" and exits 0. */
XS_NORETURN void xs_version(void);
/* Flushes and closes stdout; a write error is exit 4. Returns status so
 * main can end with "return xs_finish(status);". */
int xs_finish(int status);

/* ---- allocation that dies with status 4 (err.c) ---- */

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xmemdup(const void *p, size_t n);	/* adds a NUL */
/* A large table probed at random (n bytes at p) asks for huge pages, so
 * that a probe is not also a TLB miss; no-op without them. */
void xhuge_pages(void *p, size_t n);

enum { XS_OPT_CSV = 0x1000, XS_OPT_CSV_SAFE };
#define XS_CSV_LONGOPTS \
	{ "csv-out", no_argument, NULL, XS_OPT_CSV }, \
	{ "csv-safe", no_argument, NULL, XS_OPT_CSV_SAFE }

/* ---- option values (opt.c): exit 2 with the option named ---- */

double opt_num(const char *opt, const char *arg, double lo, double hi);
int64_t opt_int(const char *opt, const char *arg, int64_t lo, int64_t hi);
/* Index of arg in the NULL-terminated list of words. */
int opt_word(const char *opt, const char *arg, const char *const *words);
/* Unknown option or missing argument: the usage text on stderr, exit 2. */
XS_NORETURN void usage_die(const char *usage);

/*
 * The options every tool has, one meaning everywhere (git's OPT__QUIET
 * way): -j, -o, -q, -v, -h, -V (XS_COMMON_LONGOPTS) and, for a tool that
 * lists XS_CSV_LONGOPTS, --csv-out and --csv-safe. A tool's getopt_long
 * switch hands them on from its default case; anything else there (an
 * unknown option, a missing argument) is usage_die.
 */
struct opt_common {
	const char *usage;	/* the synopsis: -h, and on stderr for errors */
	const char *help;	/* the option lines -h prints after it */
	int *format;		/* -j: WRITER_JSONL; --csv-out, --csv-safe */
	const char **out;	/* -o FILE */
};
void opt_common(int ch, const struct opt_common *c);

#endif
