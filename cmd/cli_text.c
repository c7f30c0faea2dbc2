/* cli_text.c - every line the pyverify command prints that carries a path
 * or text from outside (file names, manifest cells, library messages that
 * quote bundle or trusted-root contents) goes through here, so that text
 * cannot forge, split or recolour an output line. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

/* Length of the valid UTF-8 sequence at s that encodes a printable code
 * point, or 0: invalid, overlong, a surrogate, a C1 control (U+0080-U+009F,
 * terminals may take U+009B for CSI), or a bidirectional override or
 * isolate (U+202A-U+202E, U+2066-U+2069), which can make a line display
 * something else than it says. */
static size_t
utf8_printable(const unsigned char *s)
{
	unsigned long cp;
	size_t n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07u;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL */
			return 0;
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp <= 0x9f ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
		return 0;
	return n;
}

void
cli_put_clean(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	while (*p) {
		if (*p >= 0x20 && *p < 0x7f) {
			fputc(*p++, f);
		} else if (*p >= 0x80 && (n = utf8_printable(p)) > 0) {
			fwrite(p, 1, n, f);
			p += n;
		} else {
			fputc('?', f);
			p++;
		}
	}
}

void
cli_line(FILE *f, const char *fmt, ...)
{
	char small[1024], *buf = small;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		fputs("pyverify: a message could not be formatted\n", f);
		return;
	}
	/* Longer lines (a long path and a long library message) are
	 * formatted again in full; without memory the truncated line is
	 * better than none. */
	if ((size_t)n >= sizeof(small) &&
	    (buf = malloc((size_t)n + 1)) != NULL) {
		va_start(ap, fmt);
		vsnprintf(buf, (size_t)n + 1, fmt, ap);
		va_end(ap);
	} else if (buf == NULL) {
		buf = small;
	}
	cli_put_clean(f, buf);
	fputc('\n', f);
	if (buf != small)
		free(buf);
}
