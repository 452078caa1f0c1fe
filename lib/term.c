/* term.c: text shown on a terminal, its controls escaped (term.h). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "xsell.h"
#include "buf.h"
#include "term.h"
#include "writer.h"

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

	if ((*k = utf8_len(s, n)) == 0) {
		*k = 1;
		snprintf(esc, 8, "\\x%02x", s[0]);
		return 1;
	}
	/* The controls are all below U+0800: one or two bytes. */
	if (*k > 2)
		return 0;
	cp = *k == 1 ? s[0] : (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
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
