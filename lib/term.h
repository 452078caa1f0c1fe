/* term.h: text for a terminal, merchant data's control characters shown
 * escaped: by the reports, --preview, and every error message. */
#ifndef TERM_H
#define TERM_H

#include <stddef.h>
#include <stdio.h>

#include "buf.h"

/*
 * Text for a terminal. Merchant data reaches reports as it is, and a
 * terminal acts on control characters in it (ESC starts a sequence that
 * can retitle the window, rewrite the screen or worse): they are shown
 * instead. C0 controls and DEL as \a \b \t \n \v \f \r \e or \xHH,
 * the C1 controls U+0080..U+009F as \u0080 to \u009f, and a byte that is
 * not part of well-formed UTF-8 as \xHH (a terminal in an 8-bit mode
 * reads 0x80..0x9f as C1). Everything else, backslashes too, is kept.
 */
void term_escape(struct buf *b, const char *s, size_t n);
/* Columns the escaped form of s takes (a character each). */
size_t term_width(const char *s);
/* Writes s escaped. */
void term_puts(const char *s, FILE *fp);

#endif
