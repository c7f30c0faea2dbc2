/* json.c - the one intake for JSON text from outside (bounded loading),
 * and jansson helpers shared by the bundle and trusted-root parsers:
 * camel/snake member lookup, typed and bounded getters that
 * name the JSON path of whatever they reject. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"

/* Member names are protobuf field names: short ASCII identifiers. */
#define NAME_MAX_LEN 64

static const char *
where(const char *path)
{
	return path[0] != '\0' ? path : "the top level";
}

/* What kind of syntax error jansson found, in words of our own: its
 * text quotes the offending token ("invalid token near 'xyz'"), and a file
 * given as a bundle or trusted root by mistake (a key, a password file)
 * must not have its bytes echoed into logs. */
const char *
pv_json_syntax_error(const json_error_t *e)
{
	switch (json_error_code(e)) {
	case json_error_out_of_memory: return "out of memory";
	case json_error_stack_overflow: return "nested too deeply";
	case json_error_invalid_utf8: return "invalid UTF-8";
	case json_error_premature_end_of_input:
		return "premature end of input";
	case json_error_end_of_input_expected:
		return "data after the end of the JSON value";
	case json_error_null_character:
	case json_error_null_byte_in_key:
		return "a \\u0000 escape in a string";
	case json_error_duplicate_key: return "an object key appears twice";
	case json_error_numeric_overflow: return "a number out of range";
	case json_error_invalid_syntax:
	case json_error_invalid_format:
		return "invalid syntax";
	default: return "malformed JSON";
	}
}

static const char *
type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a real number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "an unknown value";
}

static int
type_error(const struct pv_json_ctx *cx, const char *vpath, const json_t *v,
           const char *expected)
{
	return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step, "%s is %s, expected %s",
	               vpath, type_name(v), expected);
}

/* SPEC 0.1: the original proto field name is the lowerCamelCase JSON name
 * with each capital turned into '_' + lowercase ("rawBytes" -> "raw_bytes",
 * "rfc3161Timestamps" -> "rfc3161_timestamps"). */
static void
snake_name(char out[2 * NAME_MAX_LEN + 1], const char *camel)
{
	size_t i, o = 0;

	for (i = 0; camel[i] != '\0' && i < NAME_MAX_LEN; i++) {
		char c = camel[i];
		if (c >= 'A' && c <= 'Z') {
			out[o++] = '_';
			out[o++] = (char)(c - 'A' + 'a');
		} else {
			out[o++] = c;
		}
	}
	out[o] = '\0';
}

void
pv_json_path(char *out, const char *path, const char *name)
{
	if (path[0] == '\0')
		snprintf(out, PV_JSON_PATH_MAX, "%s", name);
	else
		snprintf(out, PV_JSON_PATH_MAX, "%s.%s", path, name);
}

void
pv_json_path_index(char *out, const char *path, const char *name, size_t i)
{
	if (path[0] == '\0')
		snprintf(out, PV_JSON_PATH_MAX, "%s[%zu]", name, i);
	else
		snprintf(out, PV_JSON_PATH_MAX, "%s.%s[%zu]", path, name, i);
}

int
pv_json_oom(const struct pv_json_ctx *cx)
{
	return pv_fail(cx->err, PYVERIFY_ENOMEM, cx->step, "out of memory");
}

int
pv_json_prefix_error(const struct pv_json_ctx *cx, int code, const char *path)
{
	char msg[PYVERIFY_ERROR_MSG_SIZE];

	if (cx->err == NULL)
		return code;
	memcpy(msg, cx->err->msg, sizeof(msg));
	msg[sizeof(msg) - 1] = '\0';
	return pv_fail(cx->err, (pyverify_status)code, cx->step, "%s: %s", path,
	               msg);
}

int
pv_json_read_file(const struct pv_json_ctx *cx, const char *file, size_t max,
                  const char *what, uint8_t **buf, size_t *len)
{
	char why[PYVERIFY_ERROR_MSG_SIZE];
	int rc = pv_file_read(buf, len, file, 0, max, what, why, sizeof(why));

	return rc == 0 ? 0 : pv_fail(cx->err, (pyverify_status)rc, cx->step,
	                             "%s", why);
}

int
pv_json_load_file(const struct pv_json_ctx *cx, const char *path, size_t max,
                  const char *what, pv_json_loader load, void *out)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if (out == NULL || path == NULL)
		return pv_fail(cx->err, PYVERIFY_EUSAGE, cx->step,
		               "no output pointer or no file name");
	rc = pv_json_read_file(cx, path, max, what, &buf, &len);
	if (rc == 0)
		rc = load(out, buf, len, path, cx->err);
	free(buf);
	return rc;
}

/* Bracket depth of the text, counted outside strings, before jansson (whose
 * own limit is 2048) recurses into it. Invalid JSON is left to jansson. */
static int
depth_ok(const unsigned char *p, size_t len, size_t max)
{
	size_t i, depth = 0;
	int in_str = 0, esc = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = p[i];
		if (in_str) {
			if (esc)
				esc = 0;
			else if (c == '\\')
				esc = 1;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '{' || c == '[') {
			if (++depth > max)
				return 0;
		} else if ((c == '}' || c == ']') && depth > 0) {
			depth--;
		}
	}
	return 1;
}

int
pv_json_values_within(const uint8_t *p, size_t n, size_t max)
{
	size_t i, count = 1;
	int in_str = 0;

	for (i = 0; i < n; i++) {
		if (in_str) {
			if (p[i] == '\\')
				i++;
			else if (p[i] == '"')
				in_str = 0;
			continue;
		}
		if (p[i] == '"')
			in_str = 1;
		else if ((p[i] == '{' || p[i] == '[' || p[i] == ',') &&
		         ++count > max)
			return 0;
	}
	return 1;
}

enum pv_json_refusal
pv_json_intake(json_t **out, const void *buf, size_t len,
               const struct pv_json_bounds *b, json_error_t *jerr)
{
	json_error_t local;
	json_t *root;

	*out = NULL;
	if (jerr == NULL)
		jerr = &local;
	if (buf == NULL)
		buf = ""; /* len is 0: jansson reports the empty input */
	/* Every refusal leaves words in jerr->text: a caller that prints it
	 * never prints uninitialised bytes. */
	if (len > b->max_bytes) {
		snprintf(jerr->text, sizeof(jerr->text), "larger than %zu bytes",
		         b->max_bytes);
		return PV_JSON_TOO_LARGE;
	}
	if (b->max_values != 0 && !pv_json_values_within(buf, len,
	                                                 b->max_values)) {
		snprintf(jerr->text, sizeof(jerr->text),
		         "more than %zu JSON values", b->max_values);
		return PV_JSON_TOO_MANY_VALUES;
	}
	if (b->max_depth != 0 && !depth_ok(buf, len, b->max_depth)) {
		snprintf(jerr->text, sizeof(jerr->text),
		         "nested deeper than %zu levels", b->max_depth);
		return PV_JSON_TOO_DEEP;
	}
	/* STYLE 8: duplicate keys are an error, and jansson's default end of
	 * input check rejects trailing data; \u0000 is refused because
	 * JSON_ALLOW_NUL is not given. */
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, jerr);
	if (root == NULL)
		return PV_JSON_INVALID;
	if (!json_is_object(root)) {
		snprintf(jerr->text, sizeof(jerr->text), "%s",
		         type_name(root));
		json_decref(root);
		return PV_JSON_NOT_OBJECT;
	}
	*out = root;
	return PV_JSON_ACCEPTED;
}

int
pv_json_parse(const struct pv_json_ctx *cx, const void *buf, size_t len,
              size_t max, const char *what, json_t **out)
{
	const struct pv_json_bounds b = PV_JSON_BOUNDS(max);
	json_error_t jerr;

	switch (pv_json_intake(out, buf, len, &b, &jerr)) {
	case PV_JSON_ACCEPTED:
		return 0;
	case PV_JSON_TOO_LARGE:
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s is %zu bytes, larger than the limit of %zu",
		               what, len, max);
	case PV_JSON_TOO_DEEP:
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s nests JSON deeper than %d levels", what,
		               PV_MAX_JSON_DEPTH);
	case PV_JSON_NOT_OBJECT:
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s is %s, expected a JSON object", what,
		               jerr.text);
	case PV_JSON_TOO_MANY_VALUES: /* not counted with these bounds */
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s holds too many JSON values", what);
	default: /* PV_JSON_INVALID: jerr was filled by jansson */
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s is not valid JSON: %s (line %d, column %d)",
		               what, pv_json_syntax_error(&jerr), jerr.line,
		               jerr.column);
	}
}

int
pv_json_parse_input(const struct pv_json_ctx *cx, const void *out,
                    const void *buf, size_t len, size_t max, const char *what,
                    json_t **root)
{
	if (out == NULL || (buf == NULL && len > 0))
		return pv_fail(cx->err, PYVERIFY_EUSAGE, cx->step,
		               "no output pointer or no input buffer");
	return pv_json_parse(cx, buf, len, max, what, root);
}

const char *
pv_json_unknown_member(const json_t *obj, const char *const *names)
{
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach((json_t *)obj, key, v) {
		(void)v;
		for (i = 0; names[i] != NULL; i++)
			if (strcmp(key, names[i]) == 0)
				break;
		if (names[i] == NULL)
			return key;
	}
	return NULL;
}

int
pv_json_only(const struct pv_json_ctx *cx, const json_t *obj, const char *path,
             const char *const *names)
{
	const char *key;
	json_t *v;
	char snake[2 * NAME_MAX_LEN + 1];
	size_t i;

	json_object_foreach((json_t *)obj, key, v) {
		int known = 0;
		for (i = 0; names[i] != NULL && !known; i++) {
			snake_name(snake, names[i]);
			known = strcmp(key, names[i]) == 0 ||
			        strcmp(key, snake) == 0;
		}
		if (!known)
			return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
			               "unknown member \"%.64s\" in %s", key,
			               where(path));
	}
	return 0;
}

int
pv_json_get(const struct pv_json_ctx *cx, const json_t *obj, const char *path,
            const char *name, json_t **out)
{
	char snake[2 * NAME_MAX_LEN + 1], vpath[PV_JSON_PATH_MAX];
	json_t *camel_v, *snake_v = NULL;

	snake_name(snake, name);
	camel_v = json_object_get(obj, name);
	if (strcmp(snake, name) != 0)
		snake_v = json_object_get(obj, snake);
	pv_json_path(vpath, path, name);
	if (camel_v != NULL && snake_v != NULL)
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s is given twice (as \"%s\" and \"%s\")", vpath,
		               name, snake);
	if (camel_v == NULL)
		camel_v = snake_v;
	if (camel_v != NULL && json_is_null(camel_v)) {
		if (!cx->null_is_absent)
			return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
			               "%s is null", vpath);
		camel_v = NULL;
	}
	*out = camel_v;
	return 0;
}

static int
missing(const struct pv_json_ctx *cx, const char *path, const char *name)
{
	char vpath[PV_JSON_PATH_MAX];

	pv_json_path(vpath, path, name);
	return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step, "%s is missing",
	               vpath);
}

int
pv_json_object(const struct pv_json_ctx *cx, const json_t *obj,
               const char *path, const char *name, int required, json_t **out)
{
	char vpath[PV_JSON_PATH_MAX];
	json_t *v;

	PV_TRY(pv_json_get(cx, obj, path, name, &v));
	if (v == NULL) {
		if (required)
			return missing(cx, path, name);
	} else if (!json_is_object(v)) {
		pv_json_path(vpath, path, name);
		return type_error(cx, vpath, v, "an object");
	}
	*out = v;
	return 0;
}

int
pv_json_array(const struct pv_json_ctx *cx, const json_t *obj,
              const char *path, const char *name, size_t max, json_t **out,
              size_t *n)
{
	char vpath[PV_JSON_PATH_MAX];
	json_t *v;

	PV_TRY(pv_json_get(cx, obj, path, name, &v));
	if (v != NULL) {
		pv_json_path(vpath, path, name);
		if (!json_is_array(v))
			return type_error(cx, vpath, v, "an array");
		if (json_array_size(v) > max)
			return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
			               "%s has %zu elements, the limit is %zu",
			               vpath, json_array_size(v), max);
	}
	*out = v;
	*n = v != NULL ? json_array_size(v) : 0;
	return 0;
}

static int
string_value(const struct pv_json_ctx *cx, const json_t *v, const char *vpath,
             size_t maxlen, const char **out, size_t *outlen)
{
	const char *s;
	size_t len;

	if (!json_is_string(v))
		return type_error(cx, vpath, v, "a string");
	s = json_string_value(v);
	len = json_string_length(v);
	/* jansson refuses \u0000 without JSON_ALLOW_NUL; checked again here
	 * because every consumer treats these as C strings. */
	if (memchr(s, '\0', len) != NULL)
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s contains a NUL character", vpath);
	if (len > maxlen)
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s is %zu bytes long, the limit is %zu", vpath,
		               len, maxlen);
	*out = s;
	*outlen = len;
	return 0;
}

int
pv_json_string(const struct pv_json_ctx *cx, const json_t *obj,
               const char *path, const char *name, int required,
               size_t maxlen, const char **out, size_t *outlen)
{
	char vpath[PV_JSON_PATH_MAX];
	const char *s = NULL;
	size_t len = 0;
	json_t *v;

	PV_TRY(pv_json_get(cx, obj, path, name, &v));
	pv_json_path(vpath, path, name);
	if (v != NULL)
		PV_TRY(string_value(cx, v, vpath, maxlen, &s, &len));
	if (required && len == 0)
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s is %s", vpath, v == NULL ? "missing" : "empty");
	*out = s;
	if (outlen != NULL)
		*outlen = len;
	return 0;
}

int
pv_json_bytes_value(const struct pv_json_ctx *cx, const json_t *v,
                    const char *vpath, size_t maxlen, struct pv_bytes *out)
{
	struct pv_bytes b = { NULL, 0 };
	const char *s;
	size_t len;

	PV_TRY(string_value(cx, v, vpath, (size_t)-1, &s, &len));
	/* SPEC 0.1 says Go's protojson also accepts the URL-safe alphabet and
	 * missing padding. We are stricter on purpose: every producer writes
	 * standard padded base64, and one spelling per byte string keeps two
	 * different texts from meaning the same bundle. */
	if (pv_b64_decode(&b, s, len) != 0)
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s is not valid base64 (standard alphabet, "
		               "padded)", vpath);
	if (b.len > maxlen) {
		size_t got = b.len;
		pv_bytes_clear(&b);
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s is %zu bytes, the limit is %zu", vpath, got,
		               maxlen);
	}
	*out = b;
	return 0;
}

int
pv_json_bytes(const struct pv_json_ctx *cx, const json_t *obj,
              const char *path, const char *name, int required, size_t maxlen,
              struct pv_bytes *out)
{
	char vpath[PV_JSON_PATH_MAX];
	struct pv_bytes b = { NULL, 0 };
	json_t *v;

	PV_TRY(pv_json_get(cx, obj, path, name, &v));
	pv_json_path(vpath, path, name);
	if (v != NULL)
		PV_TRY(pv_json_bytes_value(cx, v, vpath, maxlen, &b));
	if (required && b.len == 0) {
		pv_bytes_clear(&b);
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s is %s", vpath, v == NULL ? "missing" : "empty");
	}
	*out = b;
	return 0;
}

int
pv_json_fixed_value(const struct pv_json_ctx *cx, const json_t *v,
                    const char *vpath, uint8_t *out, size_t n)
{
	struct pv_bytes b = { NULL, 0 };
	size_t got;

	PV_TRY(pv_json_bytes_value(cx, v, vpath, (size_t)-1, &b));
	got = b.len;
	if (got == n && n > 0)
		memcpy(out, b.data, n);
	pv_bytes_clear(&b);
	if (got != n)
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s is %zu bytes, expected %zu", vpath, got, n);
	return 0;
}

int
pv_json_fixed(const struct pv_json_ctx *cx, const json_t *obj,
              const char *path, const char *name, uint8_t *out, size_t n)
{
	char vpath[PV_JSON_PATH_MAX];
	json_t *v;

	PV_TRY(pv_json_get(cx, obj, path, name, &v));
	if (v == NULL)
		return missing(cx, path, name);
	pv_json_path(vpath, path, name);
	return pv_json_fixed_value(cx, v, vpath, out, n);
}

int
pv_json_int64(const struct pv_json_ctx *cx, const json_t *obj,
              const char *path, const char *name, int64_t *out, int *present)
{
	char vpath[PV_JSON_PATH_MAX];
	uint64_t u;
	json_t *v;

	PV_TRY(pv_json_get(cx, obj, path, name, &v));
	pv_json_path(vpath, path, name);
	if (v == NULL) {
		/* SPEC 0.1: protobuf JSON omits zero values. */
		*out = 0;
	} else if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		if (i < 0)
			return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
			               "%s is %lld, expected a non-negative "
			               "integer", vpath, (long long)i);
		*out = (int64_t)i;
	} else if (json_is_string(v)) {
		/* The protobuf JSON form of int64: a decimal string. */
		if (pv_parse_u64(&u, json_string_value(v),
		                 json_string_length(v)) != 0)
			return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
			               "%s is \"%.32s\", expected a non-negative "
			               "decimal integer", vpath,
			               json_string_value(v));
		if (u > (uint64_t)INT64_MAX)
			return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
			               "%s is %llu, larger than the int64 "
			               "maximum", vpath, (unsigned long long)u);
		*out = (int64_t)u;
	} else {
		return type_error(cx, vpath, v, "a decimal string");
	}
	if (present != NULL)
		*present = v != NULL;
	return 0;
}
