/* json_member.c - where the value of one top-level member of a JSON
 * request lies, found without parsing it, so that a request's bundle is
 * parsed once, by the library, instead of twice (issue 12: parsing the
 * request, dumping the bundle back to text and parsing that again was 15%
 * of the daemon's CPU per verification).
 *
 * It finds, it never validates: the caller parses both the request (with
 * the value replaced) and the value, and anything this scanner is unsure
 * of - a key written with escapes, the member twice, text it cannot
 * follow - makes it decline, and the caller parses the whole request as
 * before. It never recurses: brackets are counted, not matched (the
 * parsers match them afterwards). */
#include <string.h>

#include "pyverifyd.h"

static int
is_ws(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static size_t
skip_ws(const uint8_t *p, size_t n, size_t i)
{
	while (i < n && is_ws(p[i]))
		i++;
	return i;
}

/* p[i] is '"': the index after the closing quote, or n when the string
 * does not end. *escaped is set when it holds a backslash. */
static size_t
skip_string(const uint8_t *p, size_t n, size_t i, int *escaped)
{
	for (i++; i < n; i++) {
		if (p[i] == '\\') {
			*escaped = 1;
			i++;
		} else if (p[i] == '"') {
			return i + 1;
		}
	}
	return n;
}

/* The index after the value starting at p[i], or n when it runs off. */
static size_t
skip_value(const uint8_t *p, size_t n, size_t i)
{
	size_t depth = 0;
	int escaped = 0;

	do {
		if (i >= n)
			return n;
		if (p[i] == '"') {
			i = skip_string(p, n, i, &escaped);
		} else if (p[i] == '{' || p[i] == '[') {
			depth++;
			i++;
		} else if (p[i] == '}' || p[i] == ']') {
			if (depth == 0)
				return n; /* a close where a value should be */
			depth--;
			i++;
		} else if (depth == 0) {
			/* A number or a literal: up to the next delimiter. */
			while (i < n && !is_ws(p[i]) && p[i] != ',' &&
			       p[i] != '}' && p[i] != ']')
				i++;
		} else {
			i++;
		}
	} while (depth > 0);
	return i;
}

int
pvd_json_member(const uint8_t *p, size_t n, const char *name,
                size_t *vstart, size_t *vend)
{
	size_t i, k0, k1, v0, v1, nlen = strlen(name), found = 0;
	int escaped;

	i = skip_ws(p, n, 0);
	if (i >= n || p[i] != '{')
		return -1;
	i = skip_ws(p, n, i + 1);
	if (i < n && p[i] == '}')
		return -1; /* empty: not there */
	for (;;) {
		if (i >= n || p[i] != '"')
			return -1;
		escaped = 0;
		k0 = i + 1;
		i = skip_string(p, n, i, &escaped);
		if (i >= n || escaped)
			return -1; /* "bun\u0064le" is the same key: decline */
		k1 = i - 1;
		i = skip_ws(p, n, i);
		if (i >= n || p[i] != ':')
			return -1;
		v0 = skip_ws(p, n, i + 1);
		v1 = skip_value(p, n, v0);
		if (v1 >= n || v1 == v0)
			return -1; /* an object never ends in a value */
		if (k1 - k0 == nlen && memcmp(p + k0, name, nlen) == 0) {
			if (found++)
				return -1; /* twice: the parser's to refuse */
			*vstart = v0;
			*vend = v1;
		}
		i = skip_ws(p, n, v1);
		if (i < n && p[i] == ',') {
			i = skip_ws(p, n, i + 1);
			continue;
		}
		if (i >= n || p[i] != '}')
			return -1;
		break;
	}
	return found == 1 && skip_ws(p, n, i + 1) == n ? 0 : -1;
}

/* Characters next to which whitespace never separates two tokens. */
static int
is_punct(uint8_t c)
{
	return c == '{' || c == '}' || c == '[' || c == ']' || c == ',' ||
	       c == ':' || c == '"';
}

size_t
pvd_json_minify(const uint8_t *p, size_t n, uint8_t *out)
{
	size_t i, o = 0;
	int in_str = 0;

	for (i = 0; i < n; i++) {
		if (in_str) {
			out[o++] = p[i];
			if (p[i] == '\\' && i + 1 < n)
				out[o++] = p[++i];
			else if (p[i] == '"')
				in_str = 0;
		} else if (is_ws(p[i])) {
			/* A run between two characters of numbers or
			 * literals stays one space: "3e- 5" is not a
			 * number, and must not become one (found by
			 * fuzz_json_member). */
			while (i + 1 < n && is_ws(p[i + 1]))
				i++;
			if (o > 0 && i + 1 < n && !is_punct(out[o - 1]) &&
			    !is_punct(p[i + 1]))
				out[o++] = ' ';
		} else {
			out[o++] = p[i];
			in_str = p[i] == '"';
		}
	}
	return o;
}
