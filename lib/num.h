/* num.h: numbers, dates and comma lists in one field (num.c). */
#ifndef XS_NUM_H
#define XS_NUM_H

#include "xsell.h"
#include <stddef.h>
#include <stdint.h>

#define NUM_BUF 40	/* room for any num_fmt or time_fmt result */

/*
 * Parses a whole decimal number: [+-]digits[.digits][(e|E)[+-]digits].
 * No surrounding space, no hex, inf, nan, and nothing out of double range
 * (1e999). Returns NULL, or a short lowercase reason ("not a number",
 * "out of range").
 */
const char *num_parse(const char *s, size_t len, double *out);
/* As num_parse, and the value must be an integer within +-2^53. */
const char *num_parse_int(const char *s, size_t len, int64_t *out);
/*
 * Shortest text that reads back as the same double, JavaScript style:
 * plain digits for 1e-7 <= |v| < 1e21, else d.ddde+X; integers without a
 * point; -0 as 0. Infinities and NaN as inf, -inf and nan, which no
 * tool reads as numbers. Writes a NUL-terminated string of at most
 * NUM_BUF - 1 bytes for any double, returns its length.
 */
size_t num_fmt(double v, char *buf);
/* The decimal digits of u and a NUL (NUM_U64_BUF bytes at most); returns
 * the number of digits. Every tool's integers are written by it. */
enum { NUM_U64_BUF = 21 };
size_t num_u64(uint64_t u, char *buf);
/* Exit 3 for a total of column col that no double holds (values too
 * large to add up): "where: column 'col': sum out of range". */
XS_NORETURN void num_overflow(const char *where, const char *col);
/* Is s exactly what num_fmt writes for some double? Then it reads back
 * to the same text through any shortest-form printer (jq, JavaScript). */
int num_is_fmt(const char *s, size_t len);
/* The quick part of num_is_fmt: 1 for a plain decimal of at most 15
 * significant digits without redundant zeros, which num_fmt writes as it
 * is; 0 says nothing. */
int num_canonical(const char *s, size_t len);
/* num_parse then num_fmt, without the round trip when s is already in
 * that form (the common case in large files). */
const char *num_norm(const char *s, size_t len, char *buf, size_t *outlen);

/*
 * Parses a timestamp: ISO 8601 (YYYY-MM-DD, optionally followed by T or a
 * space and HH:MM[:SS[.fff]], optionally Z or +HH:MM / -HH:MM; or eight
 * digits, YYYYMMDD) or epoch seconds (any other all-digit value). Years
 * 1000 to 9999. Seconds since the epoch, UTC (negative before 1970).
 */
const char *time_parse(const char *s, size_t len, int64_t *out);
/* YYYY-MM-DDTHH:MM:SSZ (a t outside years 0-9999: its digits); returns
 * the length, below NUM_BUF. */
size_t time_fmt(int64_t t, char *buf);
/* time_fmt(t) into buf, which holds time_fmt(prev): when both fall on
 * one day, as the dates of a large log mostly do, only the time of day
 * is written. */
size_t time_fmt_after(int64_t t, int64_t prev, char *buf);

/* ---- comma lists inside one field (num.c) ---- */

/*
 * Iterates the items of a comma list, trimming blanks and skipping empty
 * items: while (list_next(&p, end, &item, &n)) ...
 */
int list_next(const char **p, const char *end, const char **item, size_t *n);

#endif
