/* term.c: text shown on a terminal, its controls escaped (term.h). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "xsell.h"
#include "buf.h"
#include "term.h"

/* The length of the well-formed UTF-8 sequence at s[0..n) and its code
 * point, or 0 when s does not start one (overlong forms, surrogates and
 * code points past U+10FFFF are not well-formed). */
static size_t
utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t k;
	uint32_t c = s[0];

	if (c < 0x80)
		return *cp = c, 1;
	if (c >= 0xC2 && c <= 0xDF)
		k = 2, c &= 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		k = 3, c &= 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		k = 4, c &= 0x07;
	else
		return 0;
	if (k > n)
		return 0;
	for (size_t j = 1; j < k; j++) {
		if ((s[j] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[j] & 0x3F);
	}
	if ((k == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) ||
	    (k == 4 && (c < 0x10000 || c > 0x10FFFF)))
		return 0;
	*cp = c;
	return k;
}

/* One character's shown form: its escape in esc (NUL-terminated) and 1,
 * or 0 when the k bytes are shown as they are. */
static int
term_char(const unsigned char *s, size_t n, size_t *k, char esc[8])
{
	static const char letter[32] = {
		[7] = 'a', [8] = 'b', [9] = 't', [10] = 'n', [11] = 'v',
		[12] = 'f', [13] = 'r', [27] = 'e',
	};
	uint32_t cp;

	if ((*k = utf8_seq(s, n, &cp)) == 0) {
		*k = 1;
		snprintf(esc, 8, "\\x%02x", s[0]);
		return 1;
	}
	if (cp < 0x20 && letter[cp])
		snprintf(esc, 8, "\\%c", letter[cp]);
	else if (cp < 0x20 || cp == 0x7F)
		snprintf(esc, 8, "\\x%02x", (unsigned)cp);
	else if (cp >= 0x80 && cp <= 0x9F)
		snprintf(esc, 8, "\\u%04x", (unsigned)cp);
	else
		return 0;
	return 1;
}

void
term_escape(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	char esc[8];
	size_t i = 0, k, from = 0;

	while (i < n) {
		if (p[i] >= 0x20 && p[i] < 0x7F) {	/* the common case */
			i++;
			continue;
		}
		if (!term_char(p + i, n - i, &k, esc)) {
			i += k;
			continue;
		}
		buf_put(b, s + from, i - from);
		buf_puts(b, esc);
		i += k;
		from = i;
	}
	buf_put(b, s + from, n - from);
}

size_t
term_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), w = 0, k;
	char esc[8];

	for (size_t i = 0; i < n; i += k) {
		if (p[i] >= 0x20 && p[i] < 0x7F)
			k = 1, w++;
		else if (term_char(p + i, n - i, &k, esc))
			w += strlen(esc);
		else
			w++;
	}
	return w;
}

void
term_puts(const char *s, FILE *fp)
{
	struct buf b;

	buf_init(&b);
	term_escape(&b, s, strlen(s));
	fwrite(b.s ? b.s : "", 1, b.len, fp);
	buf_free(&b);
}
