/* out.c: output files written atomically (temporary, then rename). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xsell.h"
#include "buf.h"
#include "out.h"

#define MAXPENDING 8

static struct pending {
	FILE *fp;
	char *tmp, *path;	/* tmp is NULL for a device or FIFO */
	char *dest;		/* what the temporary is renamed to: path
				 * with its symbolic links followed */
} pending[MAXPENDING];

/* Signal handlers may only read these: the temporaries' names, and the
 * process that made them (a forked child must not remove them). */
static char *volatile tmpnames[MAXPENDING];
static volatile pid_t owner;

/*
 * Signals whose default action ends the process: each removes the
 * temporaries first. SIGPIPE too, so a reader that went away (on stdout
 * or on stderr) still ends the tool quietly, but leaves nothing behind.
 * SIGXFSZ is not here: xs_init ignores it, so a file size limit is a
 * write error like a full disk.
 */
static const int fatal[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGALRM, SIGTERM, SIGUSR1, SIGUSR2,
	SIGXCPU, SIGVTALRM, SIGPROF,
#ifdef SIGPOLL
	SIGPOLL,
#endif
#ifdef SIGPWR
	SIGPWR,
#endif
	/* a crash, where no sanitizer or debugger has a handler of its own */
	SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGSEGV, SIGSYS, SIGTRAP,
};

static void
on_signal(int sig)
{
	if (getpid() == owner)
		for (int i = 0; i < MAXPENDING; i++)
			if (tmpnames[i])
				unlink(tmpnames[i]);
	/* Blocked while the handler runs: delivered, with the default
	 * action, as it returns. */
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
fatal_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
		sigaddset(set, fatal[i]);
}

static void out_abort_all(void);

static void
catch_signals(void)
{
	static int done;

	if (done++)
		return;
	owner = getpid();
	/* An exit that bypasses die() (a closed pipe seen as EPIPE, a
	 * return from main with a file left open) removes them too. */
	atexit(out_abort_all);
	/* die() and a failed xs_finish() run it before they exit. */
	xs_at_die(out_abort_all);
	for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++) {
		struct sigaction sa, old;

		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_signal;
		fatal_set(&sa.sa_mask);
		/* Only a default disposition is replaced: "ignore" (nohup)
		 * stays, and so does a sanitizer's handler. */
		if (sigaction(fatal[i], NULL, &old) != 0 ||
		    (old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL)
			continue;
		sigaction(fatal[i], &sa, NULL);
	}
}

/*
 * path with its symbolic links followed, as a path (the directories on
 * the way may still be links: the last component is the file itself).
 * *proc is set when the way leads through /proc (/dev/stdout,
 * /dev/fd/N): such a "file" is another process's descriptor.
 */
static char *
follow(const char *path, int *proc)
{
	char *cur = xstrdup(path);

	*proc = 0;
	for (int hops = 0;; hops++) {
		struct stat st;
		struct buf b;
		char *link;
		ssize_t n;
		const char *slash;

		if (strncmp(cur, "/proc/", 6) == 0)
			*proc = 1;
		if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode))
			return cur;
		if (hops == 40)
			die(XS_SYS, "%s: %s", path, strerror(ELOOP));
		link = xmalloc(PATH_MAX + 1);
		if ((n = readlink(cur, link, PATH_MAX)) < 0)
			die(XS_SYS, "%s: %s", path, strerror(errno));
		link[n] = '\0';
		buf_init(&b);
		/* A relative target is relative to the link's directory. */
		if (link[0] != '/' && (slash = strrchr(cur, '/')))
			buf_put(&b, cur, (size_t)(slash - cur) + 1);
		buf_puts(&b, link);
		free(link);
		free(cur);
		cur = (char *)buf_str(&b);
	}
}

/* ---- which files a run reads and writes ---- */

/*
 * Every regular file a tool reads or replaces, by device and inode where
 * it exists and by its full path with the links followed in any case, so
 * that "f", "./f", "dir/../f", a symbolic or a hard link to f are one
 * file. An output that is an input or another output is refused before
 * any output replaces anything.
 */
struct ident {
	const char *name;	/* as the user wrote it */
	char *canon;		/* full path, links followed; NULL for stdin */
	dev_t dev;
	ino_t ino;
	int have;		/* dev and ino are set: the file exists */
	int out;		/* an output (else an input) */
};

static struct ident *ins, *outs;
static size_t nins, capins, nouts, capouts;
static struct ident inplace_in, inplace_out;	/* out_inplace */

/* An absolute name for path (links already followed), which may not
 * exist yet: its directory's real path and its own name. */
static char *
canonical(const char *path)
{
	char *r = realpath(path, NULL), *dir, *rdir;
	const char *slash, *base;
	struct buf b;

	if (r)
		return r;
	slash = strrchr(path, '/');
	base = slash ? slash + 1 : path;
	if (!slash)
		dir = xstrdup(".");
	else
		dir = xmemdup(path, slash == path ? 1 : (size_t)(slash - path));
	rdir = realpath(dir, NULL);
	buf_init(&b);
	buf_printf(&b, "%s/%s", rdir ? rdir : dir, base);
	free(rdir);
	free(dir);
	return (char *)buf_str(&b);
}

/* Fills id for path; 0 when it is not a regular file (a device, FIFO,
 * directory, another process's descriptor), which is never replaced. */
static int
identify(struct ident *id, const char *path)
{
	struct stat st;
	int proc;
	char *real = follow(path, &proc);

	memset(id, 0, sizeof *id);
	id->name = path;
	if (!proc && stat(real, &st) == 0) {
		id->dev = st.st_dev;
		id->ino = st.st_ino;
		id->have = 1;
	}
	if (proc || (id->have && !S_ISREG(st.st_mode))) {
		free(real);
		return 0;
	}
	id->canon = canonical(real);
	free(real);
	return 1;
}

static int
same(const struct ident *a, const struct ident *b)
{
	if (a->have && b->have && a->dev == b->dev && a->ino == b->ino)
		return 1;
	return a->canon && b->canon && strcmp(a->canon, b->canon) == 0;
}

/* A usage error writes nothing: a header already buffered for stdout
 * (the first output opened before the second clashed) is dropped. */
static void
clash(const char *name, const char *what, const char *other)
{
	__fpurge(stdout);
	die(XS_USAGE, "%s: output is the same file as %s %s", name, what, other);
}

/* Output out may replace input in: out_inplace said so. */
static int
allowed(const struct ident *in, const struct ident *out)
{
	return inplace_in.name && same(in, &inplace_in) &&
	    same(out, &inplace_out);
}

/* Records id, or exit 2 when it clashes with one recorded before. An
 * input is compared with the outputs only (a few), so that thousands of
 * inputs cost no more than thousands of stat calls. */
static void
record(struct ident *id)
{
	struct ident **list = id->out ? &outs : &ins;
	size_t *n = id->out ? &nouts : &nins, *cap = id->out ? &capouts : &capins;

	for (size_t i = 0; i < nouts; i++) {
		if (!same(id, &outs[i]))
			continue;
		if (id->out)
			clash(id->name, "output", outs[i].name);
		if (!allowed(id, &outs[i]))
			clash(outs[i].name, "input", id->name);
	}
	for (size_t i = 0; id->out && i < nins; i++)
		if (same(id, &ins[i]) && !allowed(&ins[i], id))
			clash(id->name, "input", ins[i].name);
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		*list = xreallocarray(*list, *cap, sizeof **list);
	}
	id->name = xstrdup(id->name);
	(*list)[(*n)++] = *id;
}

void
out_input(const char *path)
{
	struct ident id;

	if (!path || strcmp(path, "-") == 0) {
		struct stat st;

		/* stdin redirected from a file: "-o f < f" */
		if (fstat(STDIN_FILENO, &st) != 0 || !S_ISREG(st.st_mode))
			return;
		memset(&id, 0, sizeof id);
		id.name = "<stdin>";
		id.dev = st.st_dev;
		id.ino = st.st_ino;
		id.have = 1;
		record(&id);
		return;
	}
	if (identify(&id, path))
		record(&id);
}

void
out_inplace(const char *in, const char *out)
{
	if (!in || !out || strcmp(out, "-") == 0 || strcmp(in, "-") == 0)
		return;
	if (!identify(&inplace_in, in) || !identify(&inplace_out, out))
		memset(&inplace_in, 0, sizeof inplace_in);
	else {
		inplace_in.name = xstrdup(in);
		inplace_out.name = xstrdup(out);
	}
}

FILE *
out_open(const char *path)
{
	struct buf b;
	struct stat st;
	sigset_t block, old;
	int fd, slot, proc, exists;
	char *dest;
	FILE *fp;

	if (!path || strcmp(path, "-") == 0)
		return stdout;
	for (slot = 0; slot < MAXPENDING && pending[slot].fp; slot++)
		;
	if (slot == MAXPENDING)
		die(XS_SYS, "%s: too many output files", path);
	/* Through a symbolic link, the file it points to is replaced (the
	 * link stays a link); a dangling link's target is created. */
	dest = follow(path, &proc);
	exists = stat(dest, &st) == 0;
	/* A device or FIFO (-o /dev/null, /dev/full, /dev/stdout) is written
	 * in place: renaming a temporary over it would replace the device. */
	if (proc || (exists && !S_ISREG(st.st_mode))) {
		free(dest);
		if (!(fp = fopen(path, "w")))
			die(XS_SYS, "%s: %s", path, strerror(errno));
		pending[slot].fp = fp;
		pending[slot].path = xstrdup(path);
		return fp;
	}
	{
		struct ident id;

		identify(&id, path);
		id.out = 1;
		record(&id);
	}
	catch_signals();
	buf_init(&b);
	buf_printf(&b, "%s.tmpXXXXXX", dest);
	buf_str(&b);
	/* A signal between making the temporary and naming it to the handler
	 * would leave it behind: held off until the name is recorded. */
	fatal_set(&block);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	if ((fd = mkstemp(b.s)) < 0)
		die(XS_SYS, "%s: %s", path, strerror(errno));
	tmpnames[slot] = b.s;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (exists) {
		/* The file replaced keeps its mode, and as root its owner
		 * (best effort: a file system may not have owners). chown
		 * first: it may clear the set-id bits. */
		if (geteuid() == 0 && fchown(fd, st.st_uid, st.st_gid) != 0) {
			/* left as the creator's */
		}
		fchmod(fd, st.st_mode & 07777);
	} else {
		/* mkstemp makes it 0600; a new file gets the usual umask mode. */
		mode_t um = umask(0);

		umask(um);
		fchmod(fd, 0666 & ~um);
	}
	if (!(fp = fdopen(fd, "w"))) {
		unlink(b.s);
		die(XS_SYS, "%s: %s", path, strerror(errno));
	}
	pending[slot].fp = fp;
	pending[slot].tmp = b.s;
	pending[slot].path = xstrdup(path);
	pending[slot].dest = dest;
	return fp;
}

static void
forget(int slot)
{
	tmpnames[slot] = NULL;
	free(pending[slot].tmp);
	free(pending[slot].path);
	free(pending[slot].dest);
	memset(&pending[slot], 0, sizeof pending[slot]);
}

void
out_close(FILE *fp)
{
	int slot, e;

	if (fp == stdout) {
		if (fflush(stdout) != 0 || ferror(stdout)) {
			e = errno;
			if (e == EPIPE) {
				out_abort_all();
				exit(128 + SIGPIPE);
			}
			die(XS_SYS, "write error: <stdout>: %s", strerror(e));
		}
		return;
	}
	for (slot = 0; slot < MAXPENDING && pending[slot].fp != fp; slot++)
		;
	if (slot == MAXPENDING)
		die(XS_SYS, "out_close: not an output file");
	e = 0;
	if (fflush(fp) != 0 || ferror(fp) ||
	    (pending[slot].tmp && fsync(fileno(fp)) != 0))
		e = errno ? errno : EIO;
	if (fclose(fp) != 0 && !e)
		e = errno;
	pending[slot].fp = NULL;
	if (!e && pending[slot].tmp &&
	    rename(pending[slot].tmp, pending[slot].dest) != 0)
		e = errno;
	if (e) {
		char *path = xstrdup(pending[slot].path);

		if (pending[slot].tmp)
			unlink(pending[slot].tmp);
		forget(slot);
		die(XS_SYS, "write error: %s: %s", path, strerror(e));
	}
	forget(slot);
}

/* Run by die() (registered with xs_at_die) and at exit: a failed run
 * leaves no half-written file behind. */
static void
out_abort_all(void)
{
	if (owner && getpid() != owner)
		return;
	for (int i = 0; i < MAXPENDING; i++) {
		if (!pending[i].tmp)
			continue;
		if (pending[i].fp)
			fclose(pending[i].fp);
		unlink(pending[i].tmp);
		forget(i);
	}
}
