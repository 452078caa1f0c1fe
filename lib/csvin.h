/*
 * csvin.h: CSV input on libcsv (RFC 4180 and what merchants really send):
 * quoted fields with embedded delimiters, doubled quotes and line breaks,
 * a byte order mark, CRLF, and a delimiter that is given or guessed from
 * the header line. Named csvin.h because libcsv's header is <csv.h>.
 *
 * Records are handed out one at a time with the line each starts on.
 * Input is read in large blocks; lines without a quote take a fast path
 * that splits them in place, everything else goes through libcsv, and
 * both give the same fields (libcsv's rules: blank lines are skipped,
 * blanks around an unquoted field are trimmed).
 *
 * Quoting is strict where leniency would lose rows: a quoted field must
 * end at its closing quote (blanks, then the delimiter or the line end).
 * Lenient libcsv reads the quote of "Best" mug as text and the field runs
 * on over the next lines until some other quote, swallowing the records
 * between; here such a record is handed out as malformed (bad) with the
 * field it went wrong in, and reading goes on after the line it went
 * wrong on. A quote inside an unquoted field (12" ruler) is text.
 */
#ifndef XSELL_CSVIN_H
#define XSELL_CSVIN_H

#include <stddef.h>
#include <csv.h>

#include "buf.h"

#define CSVIN_BLOCK (256 * 1024)

/* Why a record is malformed (csvin.bad). */
enum {
	CSVIN_OK,
	CSVIN_AFTER_QUOTE,	/* text after a quoted field's closing quote */
	CSVIN_OPEN		/* a quoted field still open at the end of input */
};

struct csvin_fld {
	size_t off, len;	/* in the arena */
};

struct csvin_rec {
	long line, lastline;
	size_t f0;		/* first field in fld[] */
	int nf;
	int special;
	int bad, badcol;
	size_t rawoff, rawlen;	/* bad: the record's bytes in the arena */
};

struct csvin {
	/* read-only for callers */
	const char *name;	/* input as shown in messages */
	long line;		/* line the current record starts on */
	int nf;			/* fields of the current record */
	char **f;		/* NUL-terminated; valid until the next csvin_next */
	size_t *len;
	int special;		/* a byte < 0x20 (not TAB) or >= 0x80 in a field:
				 * check it for NUL and UTF-8 */
	int plain;		/* every byte of every field is ASCII above the
				 * space and no backslash: nothing to trim, check
				 * or escape in TSV (never special) */
	int bad;		/* CSVIN_OK, or why the record is malformed: it
				 * then has no fields (nf 0) and raw holds it */
	int badcol;		/* bad: the field it went wrong in, from 1 */
	long lastline;		/* the line the current record ends on */
	const char *raw;	/* bad: the record's lines as read, without the
				 * last line end, NUL-terminated */
	size_t rawlen;
	int delim;		/* the delimiter in use */
	int empty;		/* the input had no bytes at all */
	int nofast;		/* set after csvin_open: libcsv for every line (tests) */
	/* private */
	int fd, ownfd, eof, done, atbol, started;
	long nextline, recline;
	char *rbuf;
	char *bp, *be;		/* the part of the block not yet parsed */
	char *quote;		/* the next '"' at or after bp, or be */
	int fast;		/* plain lines may be split in place */
	struct csv_parser p;
	unsigned char cls[256];
	struct buf arena;	/* records that came through libcsv */
	struct csvin_fld *fld;
	size_t nfld, capfld, recf0;
	int recspecial;
	struct buf rawb;	/* the lines of a record libcsv is still in */
	long rawline;		/* the line of the last byte in rawb */
	int skip, skipcol;	/* a malformed record: to the end of its line */
	struct csvin_rec *q;
	size_t nq, capq, qpos;
	int capf;
};

/* Opens path (NULL or "-" is stdin): exit 4 when it cannot be read.
 * delim 0 guesses ',' ';' TAB or '|' from the first line. */
void csvin_open(struct csvin *c, const char *path, int delim);
/* The same on an open descriptor; name is used in messages. */
void csvin_open_fd(struct csvin *c, int fd, const char *name, int delim);
/* The first bytes of the input (after a BOM), before the first csvin_next:
 * for telling CSV from other formats. */
const char *csvin_peek(const struct csvin *c, size_t *len);
/* 1 and the next record, or 0 at the end. A malformed record (bad) is a
 * record too; a quoted field still open at the end of the input is one
 * last malformed record (CSVIN_OPEN) holding the rest of the input. */
int csvin_next(struct csvin *c);
/* Why, for messages: "text after a closing quote", ... */
const char *csvin_why(int bad);
void csvin_close(struct csvin *c);
/* The delimiter a header line suggests: the most frequent of , ; TAB |
 * outside quotes, ',' on a tie or when there is none. */
int csvin_guess_delim(const char *s, size_t len);

#endif
