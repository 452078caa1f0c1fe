/* out.c: output files written atomically (temporary, then rename). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xsell.h"

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

void out_abort_all(void);

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

/* Called by die(): a failed run leaves no half-written file behind. */
void
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
