/* err.c: program name, error messages, allocation, buffers, exit. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "xsell.h"
#include "buf.h"
#include "term.h"

const char *progname = "xsell";
int xs_quiet;
int xs_verbose;
void (*xs_die_hook)(int status);
_Thread_local void (*xs_die_catch)(int status, const char *msg);

/* Run by die() and a failed xs_finish(); out.c registers the removal of
 * its temporaries, so that err.c needs nothing above it. */
static void (*cleanups[4])(void);
static int ncleanups;

void
xs_at_die(void (*fn)(void))
{
	for (int i = 0; i < ncleanups; i++)
		if (cleanups[i] == fn)
			return;
	if (ncleanups == (int)(sizeof cleanups / sizeof cleanups[0]))
		abort();	/* a programming error: raise the bound */
	cleanups[ncleanups++] = fn;
}

static void
run_cleanups(void)
{
	for (int i = 0; i < ncleanups; i++)
		cleanups[i]();
}

/*
 * A fatal error exits with what the tool holds, as git's die() does:
 * freeing it all on every error path would be code for nothing. So the
 * leak check of a sanitizer build (LeakSanitizer calls this hook at
 * exit) looks at the normal paths only, where every byte must be freed.
 */
static volatile int dying;
int __lsan_is_turned_off(void);

int
__lsan_is_turned_off(void)
{
	return dying;
}

void
xs_init(const char *argv0)
{
	const char *slash;
	static char obuf[1 << 16];

	if (argv0 && *argv0) {
		slash = strrchr(argv0, '/');
		progname = slash ? slash + 1 : argv0;
	}
	/*
	 * A descriptor 0, 1 or 2 closed by the caller (<&-) would be handed to
	 * the next file opened, a side file read as stdin or an output
	 * written as stdout. Each gets /dev/null, opened the wrong way round
	 * so that reading stdin or writing stdout fails with EBADF (exit 4)
	 * as the closed descriptor would.
	 */
	for (int fd = 0; fd <= 2; fd++) {
		int nfd;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		if ((nfd = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY)) != fd) {
			/* stderr may be the one missing: nothing to say */
			_exit(XS_SYS);
		}
	}
	/* A parent that ignores SIGPIPE would turn "| head" into write errors. */
	signal(SIGPIPE, SIG_DFL);
	/* A file size limit (ulimit -f) is a write error, exit 4 with the
	 * file named and no temporary left, not a kill by SIGXFSZ. */
	signal(SIGXFSZ, SIG_IGN);
	setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
}

/* A message quotes merchant data, whose control characters a terminal
 * would act on: they are shown escaped, as the reports show them, but
 * for the line ends and tabs of a message itself (a rule's caret line). */
static void
shown(struct buf *b, const char *s, size_t n)
{
	size_t from = 0;

	for (size_t i = 0; i < n; i++)
		if (s[i] == '\n' || s[i] == '\t') {
			term_escape(b, s + from, i - from);
			buf_putc(b, s[i]);
			from = i + 1;
		}
	term_escape(b, s + from, n - from);
}

static void
vmsg(const char *fmt, va_list ap)
{
	struct buf b, m;

	/* One write, so messages from tools in a pipeline do not interleave. */
	buf_init(&b);
	buf_init(&m);
	buf_printf(&b, "%s: ", progname);
	buf_vprintf(&m, fmt, ap);
	shown(&b, m.s ? m.s : "", m.len);
	buf_free(&m);
	buf_putc(&b, '\n');
	fflush(stdout);
	if (write(STDERR_FILENO, b.s, b.len) < 0) {
		/* nowhere left to report it */
	}
	buf_free(&b);
}

void
die(int status, const char *fmt, ...)
{
	va_list ap;

	if (xs_die_catch) {
		char msg[1024];

		va_start(ap, fmt);
		vsnprintf(msg, sizeof msg, fmt, ap);
		va_end(ap);
		xs_die_catch(status, msg);
	}
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	run_cleanups();
	if (xs_die_hook)
		xs_die_hook(status);
	dying = 1;
	exit(status);
}

void
warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void
note(const char *fmt, ...)
{
	va_list ap;

	if (xs_quiet)
		return;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void
xs_version(void)
{
	printf("%s %s\n", progname, XSELL_VERSION);
	exit(xs_finish(XS_OK));
}

int
xs_finish(int status)
{
	int err = fflush(stdout) != 0 || ferror(stdout);
	int e = errno;

	if (fclose(stdout) != 0 && !err) {
		err = 1;
		e = errno;
	}
	if (err) {
		run_cleanups();
		/* stderr may be the same full device: try anyway. */
		if (e == EPIPE)
			exit(128 + SIGPIPE);
		warning("write error: %s: %s", "<stdout>", strerror(e));
		exit(XS_SYS);
	}
	return status;
}

static void
nomem(void)
{
	die(XS_SYS, "out of memory");
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		nomem();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		nomem();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		nomem();
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		nomem();
	return xrealloc(p, n * size);
}

char *
xmemdup(const void *p, size_t n)
{
	char *s = xmalloc(n + 1);

	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

char *
xstrdup(const char *s)
{
	return xmemdup(s, strlen(s));
}

void
buf_init(struct buf *b)
{
	b->s = NULL;
	b->len = b->cap = 0;
}

void
buf_free(struct buf *b)
{
	free(b->s);
	buf_init(b);
}

void
buf_grow(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1, cap = b->cap ? b->cap : 64;

	if (need <= b->cap)
		return;
	while (cap < need) {
		if (cap > SIZE_MAX / 2)
			nomem();
		cap *= 2;
	}
	b->s = xrealloc(b->s, cap);
	b->cap = cap;
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list again;
	int n;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	if (n > 0) {
		buf_grow(b, (size_t)n + 1);
		vsnprintf(b->s + b->len, (size_t)n + 1, fmt, again);
		b->len += (size_t)n;
	}
	va_end(again);
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

const char *
buf_str(struct buf *b)
{
	buf_grow(b, 1);
	b->s[b->len] = '\0';
	return b->s;
}

void
xhuge_pages(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
	uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
	uintptr_t z = ((uintptr_t)p + n) & ~(uintptr_t)4095;

	if (n >= (4 << 20) && z > a)
		madvise((void *)a, z - a, MADV_HUGEPAGE);
#else
	(void)p;
	(void)n;
#endif
}
