/* buf.h: a growable byte buffer (err.c). */
#ifndef XS_BUF_H
#define XS_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include "xsell.h"

struct buf {
	char *s;
	size_t len, cap;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_grow(struct buf *b, size_t extra);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) XS_PRINTF(2, 3);
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) XS_PRINTF(2, 0);
/* NUL-terminates without counting it in len. */
const char *buf_str(struct buf *b);
static inline void buf_reset(struct buf *b) { b->len = 0; }
/* Inline: the readers put every key and id of their lines, a call or two
 * each when out of line. */
static inline void
buf_put(struct buf *b, const void *p, size_t n)
{
	if (!n)
		return;
	if (b->len + n >= b->cap)
		buf_grow(b, n);
	memcpy(b->s + b->len, p, n);
	b->len += n;
}
static inline void
buf_putc(struct buf *b, int c)
{
	if (b->len + 1 >= b->cap)
		buf_grow(b, 1);
	b->s[b->len++] = (char)c;
}

#endif
