/* jcs.c - RFC 8785 canonical JSON for the values Sigstore signs or hashes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "util/jcs.h"

/* The largest document we canonicalise is a signed entry timestamp payload:
 * the base64 of a body of at most PV_MAX_BODY_BYTES (4/3 of it) plus a few
 * short members. Four times the body bound leaves room and still stops a
 * runaway input from exhausting memory. */
#define JCS_MAX_OUTPUT ((size_t)4 * PV_MAX_BODY_BYTES)

/* RFC 8785 section 3.2.2.3: numbers are IEEE 754 doubles. Integers beyond
 * 2^53 - 1 cannot be written back unchanged, so they are refused rather
 * than silently rounded. */
#define JCS_MAX_SAFE_INTEGER 9007199254740991LL

struct jbuf {
	char *p;
	size_t len;
	size_t cap;
};

struct member {
	const char *key;
	size_t klen;
	const json_t *val;
};

static int
put(struct jbuf *b, const void *s, size_t n)
{
	size_t want;
	char *np;

	if (n > JCS_MAX_OUTPUT - b->len)
		return -1;
	want = b->len + n + 1; /* room for the final NUL */
	if (want > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < want)
			cap *= 2;
		np = realloc(b->p, cap);
		if (np == NULL)
			return -1;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	return 0;
}

/* Length of the well-formed UTF-8 sequence (RFC 3629) at s and its code
 * point in *cp; 0 when the bytes are not well-formed (overlong forms,
 * surrogates, code points above U+10FFFF, truncation). */
static size_t
utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t len, i;

	if (n == 0)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		c &= 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) ||
	    (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static int
utf8_valid(const char *s, size_t n)
{
	size_t i = 0, k;
	uint32_t cp;

	while (i < n) {
		k = utf8_next((const unsigned char *)s + i, n - i, &cp);
		if (k == 0)
			return 0;
		i += k;
	}
	return 1;
}

/* First and second UTF-16 code unit of a code point (the second only
 * exists for code points above U+FFFF). */
static uint32_t
utf16_hi(uint32_t cp)
{
	return cp < 0x10000 ? cp : 0xd800 + ((cp - 0x10000) >> 10);
}

static uint32_t
utf16_lo(uint32_t cp)
{
	return 0xdc00 + ((cp - 0x10000) & 0x3ff);
}

/* RFC 8785 section 3.2.3: members are sorted by their names as arrays of
 * UTF-16 code units. UTF-8 byte order equals code point order, which
 * differs from UTF-16 order only between U+E000..U+FFFF and supplementary
 * characters, so compare code unit by code unit. Keys were validated before
 * sorting. */
static int
member_cmp(const void *pa, const void *pb)
{
	const struct member *a = pa, *b = pb;
	const unsigned char *s = (const unsigned char *)a->key;
	const unsigned char *t = (const unsigned char *)b->key;
	size_t i = 0, j = 0, ka, kb;
	uint32_t ca, cb, ua, ub;

	while (i < a->klen && j < b->klen) {
		ka = utf8_next(s + i, a->klen - i, &ca);
		kb = utf8_next(t + j, b->klen - j, &cb);
		if (ka == 0 || kb == 0) /* unreachable: keys are validated */
			return ka == 0 ? (kb == 0 ? 0 : 1) : -1;
		i += ka;
		j += kb;
		if (ca == cb)
			continue;
		ua = utf16_hi(ca);
		ub = utf16_hi(cb);
		if (ua == ub) { /* both supplementary, same high surrogate */
			ua = utf16_lo(ca);
			ub = utf16_lo(cb);
		}
		return ua < ub ? -1 : 1;
	}
	if (i < a->klen)
		return 1;
	return j < b->klen ? -1 : 0;
}

/* RFC 8785 section 3.2.2.2 (ECMAScript JSON.stringify): escape only '"',
 * '\' and control characters, the latter as \b \t \n \f \r or \u00xx with
 * lowercase hex; everything else is written as UTF-8. */
static int
put_string(struct jbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;
	char esc[6];
	size_t elen;

	if (!utf8_valid(s, n) || put(b, "\"", 1) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		if (put(b, s + run, i - run) != 0)
			return -1;
		run = i + 1;
		esc[0] = '\\';
		elen = 2;
		switch (ch) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\t': esc[1] = 't'; break;
		case '\n': esc[1] = 'n'; break;
		case '\f': esc[1] = 'f'; break;
		case '\r': esc[1] = 'r'; break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[ch >> 4];
			esc[5] = hex[ch & 0xf];
			elen = 6;
		}
		if (put(b, esc, elen) != 0)
			return -1;
	}
	if (put(b, s + run, n - run) != 0)
		return -1;
	return put(b, "\"", 1);
}

static int emit(struct jbuf *b, const json_t *v, int depth);

static int
emit_object(struct jbuf *b, const json_t *v, int depth)
{
	/* jansson's iterator API takes a non-const object; it does not
	 * modify it. */
	json_t *obj = (json_t *)(uintptr_t)v;
	size_t n = json_object_size(obj), i = 0, k;
	struct member *m;
	void *it;
	int rc = -1;

	m = calloc(n ? n : 1, sizeof(*m));
	if (m == NULL)
		return -1;
	for (it = json_object_iter(obj); it != NULL && i < n;
	     it = json_object_iter_next(obj, it), i++) {
		m[i].key = json_object_iter_key(it);
		m[i].klen = json_object_iter_key_len(it);
		m[i].val = json_object_iter_value(it);
		if (!utf8_valid(m[i].key, m[i].klen))
			goto done;
	}
	if (i != n)
		goto done;
	qsort(m, n, sizeof(*m), member_cmp);
	if (put(b, "{", 1) != 0)
		goto done;
	for (k = 0; k < n; k++) {
		if ((k > 0 && put(b, ",", 1) != 0) ||
		    put_string(b, m[k].key, m[k].klen) != 0 ||
		    put(b, ":", 1) != 0 || emit(b, m[k].val, depth + 1) != 0)
			goto done;
	}
	rc = put(b, "}", 1);
done:
	free(m);
	return rc;
}

static int
emit(struct jbuf *b, const json_t *v, int depth)
{
	char num[32];
	json_int_t iv;
	size_t i, n;
	int len;

	if (v == NULL || depth > PV_MAX_JSON_DEPTH)
		return -1;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return emit_object(b, v, depth);
	case JSON_ARRAY:
		if (put(b, "[", 1) != 0)
			return -1;
		n = json_array_size(v);
		for (i = 0; i < n; i++)
			if ((i > 0 && put(b, ",", 1) != 0) ||
			    emit(b, json_array_get(v, i), depth + 1) != 0)
				return -1;
		return put(b, "]", 1);
	case JSON_STRING:
		return put_string(b, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		iv = json_integer_value(v);
		if (iv > JCS_MAX_SAFE_INTEGER || iv < -JCS_MAX_SAFE_INTEGER)
			return -1;
		len = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, iv);
		if (len < 0 || (size_t)len >= sizeof(num))
			return -1;
		return put(b, num, (size_t)len);
	case JSON_TRUE:
		return put(b, "true", 4);
	case JSON_FALSE:
		return put(b, "false", 5);
	case JSON_NULL:
		return put(b, "null", 4);
	case JSON_REAL:
	default:
		/* Sigstore never signs or hashes a fractional number; the
		 * ECMAScript number formatting JCS requires is not worth
		 * carrying for it. */
		return -1;
	}
}

char *
pv_jcs_dumps(const json_t *v, size_t *len)
{
	struct jbuf b = { NULL, 0, 0 };

	if (emit(&b, v, 0) != 0 || put(&b, "", 0) != 0 || b.p == NULL) {
		free(b.p);
		return NULL;
	}
	b.p[b.len] = '\0';
	if (len != NULL)
		*len = b.len;
	return b.p;
}
