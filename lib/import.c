/*
 * import.c: the run (import.h): each input read by content (JSON lines,
 * xsell TSV, or CSV, stdin given back what sniffing read), its rows handed
 * to import-row.c; the outputs begun with the first header, the output
 * held back for --strict, and the shrink guard.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "import-internal.h"
#include "buf.h"
#include "rec.h"
#include "writer.h"
#include "out.h"
#include "progress.h"
#include "intern.h"

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	    c == '\f';
}

static const char *
shown(const char *file)
{
	return !file || strcmp(file, "-") == 0 ? "<stdin>" : file;
}

/* Does the input look like xsell's own TSV or JSON lines? */
static int
sniff(const char *s, size_t n, int delim_given)
{
	size_t i = 0, nl;

	while (i < n && is_space((unsigned char)s[i]))
		i++;
	if (i < n && s[i] == '{')
		return F_JSON;
	if (delim_given)
		return F_CSV;
	for (nl = i; nl < n && s[nl] != '\n'; nl++)
		;
	if (memchr(s + i, '\t', nl - i) && csvin_guess_delim(s + i, nl - i) == '\t')
		return F_TSV;
	return F_CSV;
}

/* Gives stdin back its sniffed bytes: seek back when it is a file, else a
 * child process feeds them and the rest through a pipe. */
static pid_t
unread_stdin(off_t at, const char *head, size_t n)
{
	int p[2];
	pid_t pid;

	if (at >= 0 && lseek(0, at, SEEK_SET) == at)
		return 0;
	if (pipe(p) != 0 || (pid = fork()) < 0)
		die(XS_SYS, "<stdin>: %s", strerror(errno));
	if (pid == 0) {
		char b[1 << 16];
		ssize_t k;

		close(p[0]);
		if (write(p[1], head, n) != (ssize_t)n)
			_exit(1);
		while ((k = read(0, b, sizeof b)) > 0)
			if (write(p[1], b, (size_t)k) != k)
				_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (dup2(p[0], 0) < 0)
		die(XS_SYS, "<stdin>: %s", strerror(errno));
	close(p[0]);
	return pid;
}

/* Opens an input and reads its header; 0 when it has no header at all. */
static int
src_open(struct import *im, struct src *s, const char *path)
{
	size_t n;
	const char *head;
	int stdin_in = !path || strcmp(path, "-") == 0;
	off_t at = stdin_in ? lseek(0, 0, SEEK_CUR) : -1;

	memset(s, 0, sizeof *s);
	header_init(&s->h);
	s->name = shown(path);
	csvin_open(&s->c, path, im->o->delim);
	head = csvin_peek(&s->c, &n);
	s->fmt = im->o->csv ? F_CSV : sniff(head, n, im->o->delim != 0);
	if (s->fmt == F_CSV) {
		if (!csvin_next(&s->c))
			return 0;
		if (s->c.bad)
			die(XS_INPUT, "%s:%ld: header: column %d: %s", s->name,
			    s->c.line, s->c.badcol, csvin_why(s->c.bad));
		header_set(&s->h, s->name, s->c.f, s->c.len, s->c.nf);
		return 1;
	}
	if (stdin_in)
		s->child = unread_stdin(at, head, n);
	csvin_close(&s->c);
	s->r.lenient = 1;
	rec_open(&s->r, 1, (char **)&path);
	if (stdin_in)
		s->r.name = "<stdin>";
	if (s->r.empty)
		return 0;
	header_set(&s->h, s->name, s->r.cols, NULL, s->r.ncols);
	return 1;
}

/* The next row: 1, or 0 at the end. */
static int
src_next(struct src *s, struct row *rw)
{
	int rc;

	memset(rw, 0, sizeof *rw);
	if (s->fmt == F_CSV) {
		if (!csvin_next(&s->c))
			return 0;
		rw->f = s->c.f;
		rw->len = s->c.len;
		rw->nf = s->c.nf;
		rw->line = s->c.line;
		rw->lastline = s->c.lastline;
		rw->special = s->c.special;
		rw->plain = s->c.plain;
		if (s->c.bad) {
			rw->bad = csvin_why(s->c.bad);
			rw->badcol = s->c.badcol;
			rw->raw = s->c.raw;
			rw->rawlen = s->c.rawlen;
		}
		return 1;
	}
	if ((rc = rec_next(&s->r)) == REC_END)
		return 0;
	rw->f = s->r.f;
	rw->len = s->r.len;
	rw->nf = s->r.ncols;
	rw->line = rw->lastline = s->r.line;
	rw->special = 1;
	if (rc == REC_BAD) {
		rw->bad = s->r.err;
		rw->raw = s->r.raw;
		rw->rawlen = s->r.rawlen;
	}
	return 1;
}

static void
src_close(struct src *s)
{
	if (s->fmt == F_CSV) {
		csvin_close(&s->c);
	} else {
		rec_close(&s->r);
		if (s->child > 0)
			waitpid(s->child, NULL, 0);
	}
	header_free(&s->h);
}

/* The base snapshot's header, then the rejects file with the snapshot's
 * columns and op, then the base's rows. */
static void
begin_merge(struct import *im)
{
	struct merge *m = &im->mg;

	merge_open(m, im->nout, im->ocol);
	if (im->o->rej_path) {
		char **h = xcalloc((size_t)m->ncols + 2, sizeof *h);
		int op = merge_col(m, "op");

		memcpy(h, m->cols, (size_t)m->ncols * sizeof *h);
		im->rej_op = op >= 0 ? op : m->ncols;
		h[m->ncols] = "op";
		imp_open_rejects(im, m->ncols + (op < 0), h);
		free(h);
	}
	merge_load(m, imp_base_duplicate, im);
}

/* Outputs begin with the first input that has a header (s), or with
 * none when no input has one. */
static void
start(struct import *im, const struct src *s)
{
	if (im->o->rej_path && !im->o->merge_path)
		imp_open_rejects(im, im->nout, im->ocol);
	if (im->o->preview) {
		imp_preview_init(im);
		if (s)
			imp_describe_map(im, s);
	} else if (im->o->merge_path) {
		begin_merge(im);
	} else {
		writer_open(&im->w, im->spool ? im->spool : im->out, im->o->json,
		    im->nout, im->ocol);
	}
}

static void
read_input(struct import *im, struct src *s, int fileno)
{
	struct row rw;
	int first = !im->ready;

	im->delim_eff = s->fmt == F_CSV ? s->c.delim : s->fmt == F_TSV ? '\t' : 0;
	colmap_detect(&im->cm, &s->h, im->kind);
	if (im->kind < 0)
		imp_set_kind(im, colmap_guess(&im->cm, &s->h));
	imp_map_input(im, s);
	im->title_col = s->h.use.title >= 0 ? s->h.use.title : imp_title_col(im, s);
	/* an order's lines after its first: the order's customer and date */
	im->carry.started = im->kind == K_ORDERS &&
	    (im->spec_src[im->ix_customer] >= 0 ||
	    im->spec_src[im->ix_ts] >= 0) ? 0 : -1;
	if (first)
		start(im, s);
	imp_map_rejects(im, s);
	progress_at(&im->pg, fileno, s->fmt == F_CSV ? s->c.fd : s->r.fd);
	while (src_next(s, &rw)) {
		/* A quote still open at the end: the rest of the input is
		 * one field, and what rows it held nobody can say. */
		if (s->fmt == F_CSV && s->c.bad == CSVIN_OPEN)
			die(XS_INPUT, "%s:%ld: column %d%s%s%s: unterminated quoted "
			    "field", s->name, rw.line, rw.badcol,
			    rw.badcol <= s->h.ncols ? " '" : "",
			    rw.badcol <= s->h.ncols ? s->h.cols[rw.badcol - 1] : "",
			    rw.badcol <= s->h.ncols ? "'" : "");
		im->in++;
		progress_tick(&im->pg, (uint64_t)im->in);
		if (im->nslot)
			imp_split_row(im, s, &rw, fileno);
		else
			imp_one_row(im, s, &rw, fileno);
	}
}

static void
copy_spool(FILE *from, FILE *to)
{
	char b[1 << 16];
	size_t n;

	if (fflush(from) != 0 || fseek(from, 0, SEEK_SET) != 0)
		die(XS_SYS, "temporary file: %s", strerror(errno));
	while ((n = fread(b, 1, sizeof b, from)) > 0)
		if (fwrite(b, 1, n, to) != n)
			break;
	if (ferror(from))
		die(XS_SYS, "temporary file: %s", strerror(errno));
	fclose(from);
}

static void
free_strv(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
import_opts_init(struct import_opts *o)
{
	memset(o, 0, sizeof *o);
	o->kind = -1;
	o->max_shrink = 0.5;
	o->shrink_arg = "50%";
}

static void
imp_free(struct import *im)
{
	for (int k = 0; k < im->nspec; k++)
		buf_free(&im->lb[k]);
	free(im->lb);
	free(im->ospec);
	free(im->spec_src);
	free(im->val);
	free(im->vlen);
	free(im->nb);
	free(im->draw);
	free(im->drawlen);
	free(im->dout);
	free(im->doutlen);
	free_strv(im->ocol, im->nout);
	free_strv(im->extra, im->nextra);
	free(im->extra_src);
	free(im->v);
	free(im->olen);
	free(im->rv);
	free(im->rl);
	free(im->rej_at);
	for (int i = 0; i < im->nrs; i++) {
		free(im->rs[i].key);
		free(im->rs[i].first);
	}
	free(im->rs);
	intern_free(&im->ids);
	intern_free(&im->excl);
	intern_free(&im->onames);
	linkset_free(&im->links);
	free(im->excl_hit);
	imp_preview_free(im);
	merge_free(&im->mg);
	free(im->carried);
	free(im->rowcarried);
	free(im->files);
	free(im->setv);
	free(im->extra_setv);
	free(im->peritem);
	free(im->posok);
	free(im->slot);
	free(im->bl);
	carry_free(&im->carry);
	free(im);
}

/* Kinds whose file is the whole of something (a catalog, the links),
 * not a log of events that a smaller file may rightly follow. */
static int
snapshot_kind(int kind)
{
	return kind == K_CATALOG || kind == K_RELATIONS || kind == K_CUSTOMERS ||
	    kind == K_OFFERS;
}

/* The records of an existing output file (its lines, the TSV header left
 * out), or -1 when there is nothing to count: no such file, not a regular
 * one, unreadable. */
static long
count_records(const char *path)
{
	char b[1 << 16];
	struct stat sb;
	ssize_t n;
	long lines = 0;
	int fd, first = -1, last = '\n';

	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (fd = open(path, O_RDONLY)) < 0)
		return -1;
	while ((n = read(fd, b, sizeof b)) > 0 || (n < 0 && errno == EINTR)) {
		for (ssize_t i = 0; first < 0 && i < n; i++)
			if (!is_space((unsigned char)b[i]))
				first = (unsigned char)b[i];
		for (const char *p = b; (p = memchr(p, '\n',
		    (size_t)(b + n - p))) != NULL; p++)
			lines++;
		if (n > 0)
			last = (unsigned char)b[n - 1];
	}
	close(fd);
	if (n < 0 || first < 0)
		return n < 0 ? -1 : 0;
	lines += last != '\n';
	return first == '{' ? lines : lines - 1;
}

/* A cron job's guard: -o over a snapshot that would lose more than
 * --max-shrink of its records (an empty or cut-short feed) is exit 1,
 * and the file stays as it was. */
static void
check_shrink(const struct import *im)
{
	long old;

	if (im->o->force || im->o->preview || !snapshot_kind(im->kind) ||
	    !im->o->out_path || strcmp(im->o->out_path, "-") == 0 ||
	    (old = count_records(im->o->out_path)) <= 0 ||
	    (double)(old - im->written) <= im->o->max_shrink * (double)old)
		return;
	die(XS_DATA, "%s: would shrink from %ld to %ld records, by more than "
	    "--max-shrink %s: left as it was (--force replaces it)",
	    im->o->out_path, old, im->written, im->o->shrink_arg);
}

struct import *
import_new(const struct import_opts *o, int nfiles, char **files)
{
	struct import *im = xcalloc(1, sizeof *im);

	im->o = o;
	im->kind = -1;
	im->cm.maps = o->maps;
	im->cm.nmaps = o->nmaps;
	im->cm.merge = o->merge_path != NULL;
	intern_init(&im->ids);
	intern_init(&im->excl);
	intern_init(&im->onames);
	buf_init(&im->pv.cols);
	buf_init(&im->pv.problems);
	merge_init(&im->mg, o->merge_path, o->full);
	carry_init(&im->carry);
	im->carry.started = -1;
	im->dlastk = -1;
	im->title_col = -1;
	im->lt = -1;
	if (o->kind >= 0)
		imp_set_kind(im, o->kind);
	im->paths = files;
	im->files = xcalloc((size_t)nfiles + 1, sizeof *im->files);
	for (int i = 0; i < nfiles; i++)
		im->files[i] = (char *)shown(files[i]);
	im->nfiles = nfiles;
	/* Every input named up front (an output that is one is exit 2), the
	 * merge base being the one that -o may replace. */
	for (int i = 0; i < nfiles; i++)
		out_input(files[i]);
	out_inplace(o->merge_path, o->out_path);
	im->out = out_open(o->out_path);
	if (o->strict && im->out == stdout && !(im->spool = tmpfile()))
		die(XS_SYS, "temporary file: %s", strerror(errno));
	progress_init(&im->pg, "rows");
	progress_files(&im->pg, nfiles, files);
	return im;
}

void
import_file(struct import *im, int i)
{
	struct src s;

	if (src_open(im, &s, im->paths[i]))
		read_input(im, &s, i);
	src_close(&s);
}

int
import_finish(struct import *im)
{
	int status;

	progress_done(&im->pg);
	if (!im->ready) {
		if (im->kind < 0)
			die(XS_INPUT, "no header in the input: give --kind");
		imp_make_layout(im, NULL, NULL);
		start(im, NULL);
	}
	im->written = im->nout_rows;
	if (im->o->preview)
		imp_preview_print(im, im->spool ? im->spool : im->out);
	else if (im->o->merge_path)
		im->written = merge_write(&im->mg, im->spool ? im->spool : im->out,
		    im->o->json);
	else
		writer_close(&im->w);
	imp_report(im);
	if (im->rej) {
		writer_close(&im->rw);
		out_close(im->rej);
	}
	if (im->o->strict && im->blanked)
		die(XS_DATA, "--strict: %ld rows rejected, %ld value%s blanked, "
		    "nothing written", im->problems, im->blanked,
		    im->blanked == 1 ? "" : "s");
	if (im->o->strict && im->problems)
		die(XS_DATA, "--strict: %ld rows rejected, nothing written",
		    im->problems);
	check_shrink(im);
	if (im->spool)
		copy_spool(im->spool, im->out);
	out_close(im->out);
	status = im->problems || im->blanked ? XS_DATA : XS_OK;
	imp_free(im);
	return status;
}

