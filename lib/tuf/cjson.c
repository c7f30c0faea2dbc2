/*
 * tuf/cjson.c - OLPC canonical JSON, the form TUF metadata is signed in
 * (securesystemslib's encode_canonical). It differs from RFC 8785: keys are
 * ordered by their bytes, only '"' and '\\' are escaped and every other
 * byte (control characters, UTF-8) is written as is, and real numbers do
 * not exist.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tuf/tuf.h"

struct cj_buf {
	char *p;
	size_t len, cap;
};

static int
cj_put(struct cj_buf *b, const char *s, size_t n)
{
	if (n > SIZE_MAX - b->len - 1)
		return -1;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *np;

		while (cap < b->len + n + 1) {
			if (cap > SIZE_MAX / 2)
				return -1;
			cap *= 2;
		}
		np = realloc(b->p, cap);
		if (np == NULL)
			return -1;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int
cj_string(struct cj_buf *b, const char *s, size_t n)
{
	size_t i, run = 0;

	PV_TRY(cj_put(b, "\"", 1));
	for (i = 0; i < n; i++) {
		if (s[i] != '"' && s[i] != '\\')
			continue;
		PV_TRY(cj_put(b, s + run, i - run));
		PV_TRY(cj_put(b, "\\", 1));
		run = i;
	}
	PV_TRY(cj_put(b, s + run, n - run));
	return cj_put(b, "\"", 1);
}

static int
cj_key_cmp(const void *a, const void *b)
{
	/* strcmp compares as unsigned char: byte order, as Python's sort of
	 * the UTF-8 keys gives for code points. */
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cj_value(struct cj_buf *b, const json_t *v, unsigned depth);

static int
cj_object(struct cj_buf *b, const json_t *v, unsigned depth)
{
	size_t n = json_object_size(v), i = 0;
	const char **keys;
	const char *k;
	json_t *m;
	int rc = 0;

	PV_TRY(cj_put(b, "{", 1));
	if (n == 0)
		return cj_put(b, "}", 1);
	keys = calloc(n, sizeof(*keys));
	if (keys == NULL)
		return -1;
	json_object_foreach((json_t *)v, k, m) {
		if (i < n)
			keys[i++] = k;
	}
	qsort(keys, i, sizeof(*keys), cj_key_cmp);
	for (size_t j = 0; j < i && rc == 0; j++) {
		if (j > 0)
			rc = cj_put(b, ",", 1);
		if (rc == 0)
			rc = cj_string(b, keys[j], strlen(keys[j]));
		if (rc == 0)
			rc = cj_put(b, ":", 1);
		if (rc == 0)
			rc = cj_value(b, json_object_get(v, keys[j]), depth + 1);
	}
	free(keys);
	return rc != 0 ? rc : cj_put(b, "}", 1);
}

static int
cj_value(struct cj_buf *b, const json_t *v, unsigned depth)
{
	char num[32];
	int n;

	/* Parsed input is already depth-bounded; this guards callers that
	 * build values in code. */
	if (v == NULL || depth > 1000)
		return -1;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return cj_object(b, v, depth);
	case JSON_ARRAY:
		PV_TRY(cj_put(b, "[", 1));
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i > 0)
				PV_TRY(cj_put(b, ",", 1));
			PV_TRY(cj_value(b, json_array_get(v, i), depth + 1));
		}
		return cj_put(b, "]", 1);
	case JSON_STRING:
		return cj_string(b, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		n = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		             json_integer_value(v));
		if (n < 0 || (size_t)n >= sizeof(num))
			return -1;
		return cj_put(b, num, (size_t)n);
	case JSON_TRUE:
		return cj_put(b, "true", 4);
	case JSON_FALSE:
		return cj_put(b, "false", 5);
	case JSON_NULL:
		return cj_put(b, "null", 4);
	case JSON_REAL:
	default:
		return -1;
	}
}

int
pv_tuf_cjson(const json_t *v, char **out, size_t *len)
{
	struct cj_buf b = { NULL, 0, 0 };

	if (out == NULL || len == NULL)
		return -1;
	if (cj_value(&b, v, 0) != 0) {
		free(b.p);
		return -1;
	}
	*out = b.p;
	*len = b.len;
	return 0;
}
