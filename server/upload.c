/* upload.c - request bodies of POST /v1/verify.
 *
 * application/json: {"bundle": {...}, "digest": "sha256:HEX",
 *   "artifact": "NAME", "identity": "...", "issuer": "..."}, bounded by
 *   --max-json-bytes, parsed strictly (duplicate keys and unknown members
 *   are errors: a typo must not silently drop a policy input).
 * multipart/form-data: parts bundle and artifact, fields name, identity,
 *   issuer. The artifact part is hashed (SHA-256) as libmicrohttpd's post
 *   processor hands it over and never stored, so its size costs only time.
 *   Each part may appear once and must have a name.
 * Either way the JSON is counted before it is parsed: a body of many tiny
 * values costs a worker time out of proportion to its size.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/util.h"
#include "util/json.h"
#include "request.h"

void
pvd_upload_fail(struct pvd_upload *up, int code, const char *id,
                const char *fmt, ...)
{
	va_list ap;

	if (up->err_code != 0)
		return; /* the first problem is the one reported */
	up->err_code = code;
	snprintf(up->err_id, sizeof(up->err_id), "%s", id);
	va_start(ap, fmt);
	vsnprintf(up->err_msg, sizeof(up->err_msg), fmt, ap);
	va_end(ap);
}

static void
buf_clear(struct pvd_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* Appends; -1 when it would pass b->max (nothing appended) or on ENOMEM. */
static int
buf_append(struct pvd_buf *b, const char *p, size_t n)
{
	size_t need;

	if (n > b->max || b->len > b->max - n)
		return -1;
	need = b->len + n + 1; /* room for a terminating NUL */
	if (need > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		uint8_t *np;
		while (cap < need)
			cap *= 2;
		/* Never more than the limit allows (need <= max + 1 here): a
		 * body at the limit costs its size, not twice it. */
		if (cap > b->max + 1)
			cap = b->max + 1;
		np = realloc(b->data, cap);
		if (np == NULL)
			return -2;
		b->data = np;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

static enum MHD_Result
post_iter(void *cls, enum MHD_ValueKind kind, const char *key,
          const char *filename, const char *content_type,
          const char *transfer_encoding, const char *data, uint64_t off,
          size_t size)
{
	struct pvd_upload *up = cls;
	struct pvd_buf *field = NULL;
	int *seen = NULL, rc;

	(void)kind;
	(void)content_type;
	if (up->err_code != 0)
		return MHD_NO;
	/* libmicrohttpd passes NULL for a part without name="...". */
	if (key == NULL) {
		pvd_upload_fail(up, 400, "bad-part",
		                "a part has no name (Content-Disposition: "
		                "form-data; name=\"...\"); expected bundle, "
		                "artifact, name, identity, issuer");
		return MHD_NO;
	}
	/* Parts are binary as sent; we do not decode base64/quoted-printable. */
	if (transfer_encoding != NULL && transfer_encoding[0] != '\0' &&
	    strcasecmp(transfer_encoding, "binary") != 0 &&
	    strcasecmp(transfer_encoding, "7bit") != 0 &&
	    strcasecmp(transfer_encoding, "8bit") != 0) {
		pvd_upload_fail(up, 400, "bad-part",
		                "part \"%s\" uses Content-Transfer-Encoding %s; "
		                "send it binary", key, transfer_encoding);
		return MHD_NO;
	}
	if (strcmp(key, "artifact") == 0) {
		seen = &up->have_artifact;
	} else if (strcmp(key, "bundle") == 0) {
		field = &up->bundle;
		seen = &up->have_bundle;
	} else if (strcmp(key, "name") == 0) {
		field = &up->name;
		seen = &up->have_name;
	} else if (strcmp(key, "identity") == 0) {
		field = &up->identity;
		seen = &up->have_identity;
	} else if (strcmp(key, "issuer") == 0) {
		field = &up->issuer;
		seen = &up->have_issuer;
	} else {
		pvd_upload_fail(up, 400, "unknown-part",
		                "unknown part \"%.64s\"; expected bundle, artifact, "
		                "name, identity, issuer", key);
		return MHD_NO;
	}
	if (up->part_gen == 0) {
		/* A first boundary we did not count as one: fail closed. */
		pvd_upload_fail(up, 400, "bad-multipart",
		                "multipart/form-data body does not start with "
		                "its boundary");
		return MHD_NO;
	}
	if (up->cur_seen == NULL || up->cur_gen != up->part_gen) {
		/* The first bytes of the part opened by the last delimiter. */
		if (*seen) {
			pvd_upload_fail(up, 400, "duplicate-part",
			                "part \"%s\" appears twice", key);
			return MHD_NO;
		}
		*seen = 1;
		up->cur_seen = seen;
		up->cur_gen = up->part_gen;
		up->cur_off = 0;
		if (seen == &up->have_artifact && filename != NULL)
			snprintf(up->artifact_filename,
			         sizeof(up->artifact_filename), "%s",
			         pyverify_release_basename(filename));
	}
	/* Within one part the offsets only grow; a restart is a second
	 * value (a nested multipart/mixed part holding several files). */
	if (seen != up->cur_seen || off != up->cur_off) {
		pvd_upload_fail(up, 400, "duplicate-part",
		                "part \"%s\" holds more than one value", key);
		return MHD_NO;
	}
	up->cur_off = off + size;
	if (size == 0)
		return MHD_YES;
	if (field == NULL) {
		up->artifact_len += size;
		if (up->artifact_len > up->cfg->max_artifact_bytes) {
			pvd_upload_fail(up, 413, "too-large",
			                "artifact part is larger than %llu bytes "
			                "(--max-artifact-bytes)",
			                (unsigned long long)up->cfg->max_artifact_bytes);
			return MHD_NO;
		}
		if (EVP_DigestUpdate(up->md, data, size) != 1) {
			pvd_upload_fail(up, 500, "internal", "SHA-256 failed");
			return MHD_NO;
		}
		return MHD_YES;
	}
	rc = buf_append(field, data, size);
	if (rc == -1)
		pvd_upload_fail(up, field == &up->bundle ? 413 : 400,
		                field == &up->bundle ? "too-large" : "bad-field",
		                "part \"%s\" is longer than %zu bytes", key,
		                field->max);
	else if (rc != 0)
		pvd_upload_fail(up, 500, "internal", "out of memory");
	return rc == 0 ? MHD_YES : MHD_NO;
}

/* Case-insensitive search (strcasestr is a GNU extension). */
static const char *
find_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return hay;
	return NULL;
}

/* Media type of a Content-Type value, lowercase, without parameters. */
static int
media_type_is(const char *ct, const char *want)
{
	size_t n = strlen(want);

	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, want, n) != 0)
		return 0;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

/* The delimiter the post processor looks for, found in the Content-Type
 * exactly as libmicrohttpd finds it (the rest of the value after
 * "boundary=", enclosing quotes removed), and its KMP failure function. */
static int
delim_init(struct pvd_upload *up, const char *ct)
{
	const char *b = strstr(ct, "boundary=");
	size_t blen, i, k;

	if (b == NULL)
		return -1;
	b += 9;
	blen = strlen(b);
	if (blen >= 2 && b[0] == '"' && b[blen - 1] == '"') {
		b++;
		blen -= 2;
	}
	if (blen == 0)
		return -1;
	up->delim_len = blen + 4;
	up->delim = malloc(up->delim_len);
	up->delim_next = calloc(up->delim_len, sizeof(*up->delim_next));
	if (up->delim == NULL || up->delim_next == NULL)
		return -1;
	memcpy(up->delim, "\r\n--", 4);
	memcpy(up->delim + 4, b, blen);
	for (i = 1, k = 0; i < up->delim_len; i++) {
		while (k > 0 && up->delim[i] != up->delim[k])
			k = up->delim_next[k - 1];
		if (up->delim[i] == up->delim[k])
			k++;
		up->delim_next[i] = k;
	}
	up->delim_skip = malloc(256 * sizeof(*up->delim_skip));
	if (up->delim_skip == NULL)
		return -1;
	for (i = 0; i < 256; i++)
		up->delim_skip[i] = up->delim_len;
	for (i = 0; i + 1 < up->delim_len; i++)
		up->delim_skip[up->delim[i]] = up->delim_len - 1 - i;
	/* The first delimiter may open the body without a line break. */
	up->delim_match = 2;
	return 0;
}

/* Where the next whole delimiter starts in data[from..len), or len
 * (Boyer-Moore-Horspool on delim_skip). */
static size_t
delim_find(const struct pvd_upload *up, const char *data, size_t from,
           size_t len)
{
	const size_t dl = up->delim_len;
	const uint8_t last = up->delim[dl - 1];
	size_t pos = from;

	while (len - pos >= dl) {
		uint8_t c = (uint8_t)data[pos + dl - 1];
		if (c == last && memcmp(data + pos, up->delim, dl - 1) == 0)
			return pos;
		pos += up->delim_skip[c];
	}
	return len;
}

/* With no delimiter in p[0..n), the match state at its end: the longest
 * prefix of the delimiter that ends the bytes, found in the last
 * delim_len - 1 of them (a longer one would be a whole delimiter). */
static void
tail_state(struct pvd_upload *up, const char *p, size_t n)
{
	size_t i = n > up->delim_len - 1 ? n - (up->delim_len - 1) : 0;

	up->delim_match = 0;
	for (; i < n; i++) {
		uint8_t ch = (uint8_t)p[i];
		while (up->delim_match > 0 && ch != up->delim[up->delim_match])
			up->delim_match = up->delim_next[up->delim_match - 1];
		if (ch == up->delim[up->delim_match])
			up->delim_match++;
	}
}

/* Feeds the post processor in pieces that end where a delimiter ends, and
 * counts the delimiters (see struct pvd_upload). 0, or -1 when the post
 * processor refused the body. */
static int
feed_multipart(struct pvd_upload *up, const char *data, size_t len)
{
	size_t i, start = 0;

	for (i = 0; i < len; i++) {
		uint8_t ch = (uint8_t)data[i];

		if (up->delim_match == 0) {
			/* Nothing pending: the next delimiter starts at i or
			 * later, and a Horspool skip gets to it far faster than
			 * stopping at every '\r' (one in 256 bytes of a binary
			 * artifact). */
			size_t at = delim_find(up, data, i, len);
			if (at == len) {
				tail_state(up, data + i, len - i);
				break;
			}
			i = at + up->delim_len - 1;
			up->delim_match = up->delim_len;
			goto matched;
		}
		while (up->delim_match > 0 && ch != up->delim[up->delim_match])
			up->delim_match = up->delim_next[up->delim_match - 1];
		if (ch == up->delim[up->delim_match])
			up->delim_match++;
		if (up->delim_match < up->delim_len)
			continue;
	matched:
		if (MHD_post_process(up->pp, data + start, i + 1 - start) !=
		    MHD_YES)
			return -1;
		start = i + 1;
		up->part_gen++;
		up->delim_match = up->delim_next[up->delim_len - 1];
	}
	if (start < len &&
	    MHD_post_process(up->pp, data + start, len - start) != MHD_YES)
		return -1;
	return 0;
}

int
pvd_upload_begin(struct pvd_upload *up, struct MHD_Connection *c,
                 const struct pvd_config *cfg, const char *ct)
{
	up->cfg = cfg;
	if (ct == NULL) {
		pvd_upload_fail(up, 415, "unsupported-media-type",
		                "no Content-Type; send application/json or "
		                "multipart/form-data");
		return -1;
	}
	if (media_type_is(ct, "application/json")) {
		const char *cs = find_ci(ct, "charset=");
		/* RFC 8259 8.1: JSON exchanged between systems is UTF-8. */
		if (cs != NULL && strncasecmp(cs + 8, "utf-8", 5) != 0 &&
		    strncasecmp(cs + 8, "\"utf-8\"", 7) != 0) {
			pvd_upload_fail(up, 415, "unsupported-media-type",
			                "JSON must be UTF-8 (got %.40s)", cs);
			return -1;
		}
		up->kind = PVD_BODY_JSON;
		up->json.max = cfg->max_json_bytes;
		return 0;
	}
	if (media_type_is(ct, "multipart/form-data")) {
		up->kind = PVD_BODY_MULTIPART;
		up->bundle.max = cfg->max_json_bytes;
		up->name.max = PYVERIFY_RELEASE_PATH_MAX - 1;
		up->identity.max = PYVERIFY_VALUE_MAX;
		up->issuer.max = PYVERIFY_VALUE_MAX;
		up->md = EVP_MD_CTX_new();
		if (up->md == NULL ||
		    EVP_DigestInit_ex(up->md, EVP_sha256(), NULL) != 1) {
			pvd_upload_fail(up, 500, "internal", "SHA-256 unavailable");
			return -1;
		}
		up->pp = MHD_create_post_processor(c, PVD_POST_BUFFER, post_iter,
		                                   up);
		if (up->pp == NULL || delim_init(up, ct) != 0) {
			pvd_upload_fail(up, 400, "bad-multipart",
			                "multipart/form-data without a usable "
			                "boundary parameter");
			return -1;
		}
		return 0;
	}
	pvd_upload_fail(up, 415, "unsupported-media-type",
	                "Content-Type %.60s is not accepted; send "
	                "application/json or multipart/form-data", ct);
	return -1;
}

int
pvd_upload_feed(struct pvd_upload *up, const char *data, size_t len)
{
	int rc;

	if (up->err_code != 0)
		return 0;
	if (up->kind == PVD_BODY_JSON) {
		rc = buf_append(&up->json, data, len);
		if (rc == -1)
			pvd_upload_fail(up, 413, "too-large",
			                "JSON body is larger than %zu bytes "
			                "(--max-json-bytes); send large artifacts "
			                "as multipart/form-data", up->json.max);
		else if (rc != 0)
			pvd_upload_fail(up, 500, "internal", "out of memory");
		return 0;
	}
	if (up->kind == PVD_BODY_MULTIPART &&
	    feed_multipart(up, data, len) != 0)
		pvd_upload_fail(up, 400, "bad-multipart",
		                "malformed multipart/form-data body");
	return 0;
}

/* A string member, or NULL when absent; -1 on a wrong type or bad value. */
static int
get_string(struct pvd_upload *up, json_t *doc, const char *key, size_t max,
           const char **out)
{
	json_t *v = json_object_get(doc, key);

	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_string(v)) {
		pvd_upload_fail(up, 400, "bad-request",
		                "member \"%s\" must be a string", key);
		return -1;
	}
	if (json_string_length(v) == 0 || json_string_length(v) > max ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		pvd_upload_fail(up, 400, "bad-request",
		                "member \"%s\" must be 1 to %zu characters without "
		                "NUL", key, max);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

/* No member the request format does not know. */
static int
no_unknown_member(struct pvd_upload *up, json_t *doc)
{
	static const char *const known[] = { "bundle", "digest", "artifact",
	                                     "identity", "issuer", NULL };
	const char *key = pv_json_unknown_member(doc, known);

	if (key == NULL)
		return 0;
	pvd_upload_fail(up, 400, "bad-request",
	                "unknown member \"%.64s\"; expected bundle, digest, "
	                "artifact, identity, issuer", key);
	return -1;
}

/* The request's string members and the digest. */
static int
request_fields(struct pvd_upload *up, json_t *doc,
               struct pvd_verify_input *in)
{
	const char *digest;
	pyverify_error perr;

	if (get_string(up, doc, "digest", 71, &digest) != 0 ||
	    get_string(up, doc, "artifact", PYVERIFY_RELEASE_PATH_MAX - 1,
	               &in->artifact) != 0 ||
	    get_string(up, doc, "identity", PYVERIFY_VALUE_MAX, &in->identity) ||
	    get_string(up, doc, "issuer", PYVERIFY_VALUE_MAX, &in->issuer))
		return -1;
	if (digest == NULL) {
		pvd_upload_fail(up, 400, "bad-request",
		                "member \"digest\" (sha256:HEX) is required");
		return -1;
	}
	if (pyverify_artifact_from_digest(&in->digest, digest, &perr) != 0) {
		pvd_upload_fail(up, 400, "bad-request",
		                "member \"digest\" must be sha256: followed by 64 "
		                "hexadecimal digits");
		return -1;
	}
	return 0;
}

/*
 * Issue 12: the bundle parsed once. The scanner finds the bundle's bytes;
 * the rest of the request is parsed with `null` in their place, and the
 * bundle, without its whitespace, by the library. When both parse, the
 * request as sent is valid JSON with exactly these members, so the
 * answer is the one the whole parse below gives: a wrong field is
 * reported here with the same words (-1). Anything else (the scanner
 * declines, either part does not parse) returns 1 with nothing reported,
 * and the whole parse answers, with its own messages. The bytes without
 * whitespace are also what the verdict cache keys on, so requests that
 * differ in whitespace share an entry.
 */
static int
finish_json_fast(struct pvd_upload *up, struct pvd_verify_input *in,
                 json_t **doc_out, char **bundle_bytes)
{
	const struct pv_json_bounds bounds = { up->json.max, 0,
		                               PVD_MAX_JSON_VALUES };
	const uint8_t *p = up->json.data;
	size_t n = up->json.len, s, e, m, clen;
	uint8_t *copy = NULL, *min = NULL;
	pyverify_bundle *b = NULL;
	pyverify_error perr;
	json_error_t jerr;
	json_t *doc = NULL;

	if (!pv_json_values_within(p, n, PVD_MAX_JSON_VALUES) ||
	    pvd_json_member(p, n, "bundle", &s, &e) != 0 || p[s] != '{')
		return 1;
	clen = n - (e - s) + 4;
	copy = malloc(clen);
	min = malloc(e - s + 1);
	if (copy == NULL || min == NULL)
		goto fallback;
	memcpy(copy, p, s);
	memcpy(copy + s, "null", 4);
	memcpy(copy + s + 4, p + e, n - e);
	if (pv_json_intake(&doc, copy, clen, &bounds, &jerr) !=
	        PV_JSON_ACCEPTED ||
	    !json_is_null(json_object_get(doc, "bundle")))
		goto fallback;
	m = pvd_json_minify(p + s, e - s, min);
	min[m] = '\0';
	if (pyverify_bundle_load_memory(&b, min, m, &perr) != 0)
		goto fallback;
	free(copy);
	*doc_out = doc;
	if (no_unknown_member(up, doc) != 0 ||
	    request_fields(up, doc, in) != 0) {
		pyverify_bundle_free(b);
		free(min);
		return -1; /* the same fields, the same message */
	}
	up->parsed = b;
	in->parsed = b;
	in->bundle = min;
	in->bundle_len = m;
	*bundle_bytes = (char *)min;
	return 0;
fallback:
	json_decref(doc);
	pyverify_bundle_free(b);
	free(copy);
	free(min);
	return 1;
}

static int
finish_json(struct pvd_upload *up, struct pvd_verify_input *in,
            json_t **doc_out, char **bundle_bytes)
{
	const struct pv_json_bounds bounds = { up->json.max, 0,
		                               PVD_MAX_JSON_VALUES };
	json_error_t jerr;
	json_t *doc, *bundle;
	int rc;

	if (up->json.len == 0) {
		pvd_upload_fail(up, 400, "bad-request", "empty request body");
		return -1;
	}
	if ((rc = finish_json_fast(up, in, doc_out, bundle_bytes)) != 1)
		return rc;
	/* The one JSON intake (util/json.h). The size was bounded while
	 * receiving; depth is left to the parser's own limit here, so that a
	 * bundle nested too deeply gets the bundle parser's answer. */
	switch (pv_json_intake(&doc, up->json.data, up->json.len, &bounds,
	                       &jerr)) {
	case PV_JSON_ACCEPTED:
		break;
	case PV_JSON_TOO_MANY_VALUES:
		pvd_upload_fail(up, 400, "too-many-values",
		                "request JSON holds more than %u values (members "
		                "and elements); a bundle needs far fewer",
		                PVD_MAX_JSON_VALUES);
		return -1;
	case PV_JSON_NOT_OBJECT:
		pvd_upload_fail(up, 400, "bad-request",
		                "request must be a JSON object");
		return -1;
	case PV_JSON_INVALID:
		/* Worded without quoting the request's bytes, as for files. */
		pvd_upload_fail(up, 400, "bad-json",
		                "request is not valid JSON: %s at line %d column %d",
		                pv_json_syntax_error(&jerr), jerr.line,
		                jerr.column);
		return -1;
	default: /* too large or too deep: bounded while receiving */
		pvd_upload_fail(up, 413, "too-large",
		                "request JSON is over the limits of --max-json-bytes");
		return -1;
	}
	*doc_out = doc;
	if (no_unknown_member(up, doc) != 0)
		return -1;
	bundle = json_object_get(doc, "bundle");
	if (bundle == NULL || !json_is_object(bundle)) {
		pvd_upload_fail(up, 400, "bad-request",
		                bundle == NULL ? "member \"bundle\" is required"
		                               : "member \"bundle\" must be the "
		                                 "bundle as a JSON object");
		return -1;
	}
	if (request_fields(up, doc, in) != 0)
		return -1;
	/* The library reads the bundle from bytes; compact re-serialisation
	 * keeps member order (and so the bytes the cache key covers). */
	*bundle_bytes = json_dumps(bundle, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (*bundle_bytes == NULL) {
		pvd_upload_fail(up, 500, "internal", "out of memory");
		return -1;
	}
	in->bundle = (const uint8_t *)*bundle_bytes;
	in->bundle_len = strlen(*bundle_bytes);
	return 0;
}

static const char *
field_str(struct pvd_upload *up, struct pvd_buf *b, int have, const char *what)
{
	if (!have)
		return NULL;
	if (b->len == 0 || strlen((const char *)b->data) != b->len) {
		pvd_upload_fail(up, 400, "bad-field",
		                "field \"%s\" must be non-empty text without NUL",
		                what);
		return NULL;
	}
	return (const char *)b->data;
}

static int
finish_multipart(struct pvd_upload *up, struct pvd_verify_input *in)
{
	unsigned int dlen = 0;

	if (MHD_destroy_post_processor(up->pp) != MHD_YES)
		pvd_upload_fail(up, 400, "bad-multipart",
		                "multipart/form-data body ends early");
	up->pp = NULL;
	if (up->err_code != 0)
		return -1;
	if (!up->have_bundle || !up->have_artifact) {
		pvd_upload_fail(up, 400, "bad-request",
		                "multipart body needs a \"bundle\" part and an "
		                "\"artifact\" part");
		return -1;
	}
	if (up->bundle.len == 0) {
		pvd_upload_fail(up, 400, "bad-request", "part \"bundle\" is empty");
		return -1;
	}
	if (!pv_json_values_within(up->bundle.data, up->bundle.len,
	                           PVD_MAX_JSON_VALUES)) {
		pvd_upload_fail(up, 400, "too-many-values",
		                "part \"bundle\" holds more than %u JSON values "
		                "(members and elements); a bundle needs far fewer",
		                PVD_MAX_JSON_VALUES);
		return -1;
	}
	if (EVP_DigestFinal_ex(up->md, in->digest.sha256, &dlen) != 1 ||
	    dlen != 32) {
		pvd_upload_fail(up, 500, "internal", "SHA-256 failed");
		return -1;
	}
	in->bundle = up->bundle.data;
	in->bundle_len = up->bundle.len;
	in->artifact = field_str(up, &up->name, up->have_name, "name");
	in->identity = field_str(up, &up->identity, up->have_identity,
	                         "identity");
	in->issuer = field_str(up, &up->issuer, up->have_issuer, "issuer");
	if (up->err_code != 0)
		return -1;
	/* curl -F artifact=@Python-3.14.0.tgz names the artifact itself. A
	 * file name that is no CPython release name, uploaded with the signer
	 * (a CI gate checking its own build output), is only shown: the
	 * answer is the one the same question as JSON without "artifact"
	 * gets. An explicit "name" field always selects the CPython rules. */
	if (in->artifact == NULL && up->artifact_filename[0] != '\0') {
		if (in->identity != NULL &&
		    pyverify_release_parse_name(NULL, NULL,
		                                up->artifact_filename) != 0)
			in->shown_name = up->artifact_filename;
		else
			in->artifact = up->artifact_filename;
	}
	return 0;
}

int
pvd_upload_finish(struct pvd_upload *up, struct pvd_verify_input *in,
                  json_t **doc, char **bundle_bytes)
{
	memset(in, 0, sizeof(*in));
	*doc = NULL;
	*bundle_bytes = NULL;
	if (up->err_code != 0)
		return -1;
	if (up->kind == PVD_BODY_JSON) {
		if (finish_json(up, in, doc, bundle_bytes) != 0)
			return -1;
	} else if (finish_multipart(up, in) != 0) {
		return -1;
	}
	if ((in->identity == NULL) != (in->issuer == NULL)) {
		pvd_upload_fail(up, 400, "bad-request",
		                "\"identity\" and \"issuer\" go together: give "
		                "both or neither");
		return -1;
	}
	if (in->artifact == NULL && in->identity == NULL) {
		pvd_upload_fail(up, 400, "bad-request",
		                "name the artifact (\"artifact\", e.g. "
		                "Python-3.14.0.tgz) or the signer (\"identity\" "
		                "and \"issuer\")");
		return -1;
	}
	return 0;
}

void
pvd_upload_clear(struct pvd_upload *up)
{
	if (up->pp != NULL)
		(void)MHD_destroy_post_processor(up->pp);
	up->pp = NULL;
	EVP_MD_CTX_free(up->md);
	up->md = NULL;
	buf_clear(&up->json);
	pyverify_bundle_free(up->parsed);
	up->parsed = NULL;
	buf_clear(&up->bundle);
	buf_clear(&up->name);
	buf_clear(&up->identity);
	buf_clear(&up->issuer);
	free(up->delim);
	up->delim = NULL;
	free(up->delim_next);
	up->delim_next = NULL;
	free(up->delim_skip);
	up->delim_skip = NULL;
}
