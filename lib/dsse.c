/* dsse.c - DSSE pre-authentication encoding and in-toto subject matching. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "internal.h"

int
pv_dsse_pae(struct pv_bytes *out, const char *type, const uint8_t *body,
            size_t body_len)
{
	/* SPEC 3.7.2: PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP
	 * LEN(body) SP body, LEN in ASCII decimal without leading zeros. */
	char head[64];
	size_t tlen = strlen(type), hlen, total;
	uint8_t *buf;
	int n;

	n = snprintf(head, sizeof(head), "DSSEv1 %zu ", tlen);
	if (n < 0 || (size_t)n >= sizeof(head))
		return -1;
	hlen = (size_t)n;
	n = snprintf(NULL, 0, " %zu ", body_len);
	if (n < 0 || body_len > SIZE_MAX / 2 || tlen > SIZE_MAX / 4)
		return -1;
	total = hlen + tlen + (size_t)n + body_len;
	buf = malloc(total + 1); /* +1: snprintf writes a NUL */
	if (buf == NULL)
		return -1;
	memcpy(buf, head, hlen);
	memcpy(buf + hlen, type, tlen);
	snprintf((char *)buf + hlen + tlen, (size_t)n + 1, " %zu ", body_len);
	if (body_len)
		memcpy(buf + hlen + tlen + (size_t)n, body, body_len);
	out->data = buf;
	out->len = total;
	return 0;
}

#define INTOTO_PAYLOAD_TYPE "application/vnd.in-toto+json"
/* Subject names quoted when no subject matches; more would not help. */
#define NAMES_SHOWN 5

/* PV_MAX_JSON_DEPTH bounds every document we accept (pv_limits.h). */
static int
depth_ok(json_t *j, int depth)
{
	const char *key;
	json_t *v;
	size_t i;

	if (depth > PV_MAX_JSON_DEPTH)
		return 0;
	if (json_is_object(j)) {
		json_object_foreach(j, key, v)
			if (!depth_ok(v, depth + 1))
				return 0;
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if (!depth_ok(v, depth + 1))
				return 0;
	}
	return 1;
}

/* Checks one subject; *hit is set when its sha256 equals `sha256`. */
static int
check_subject(json_t *s, size_t idx, const uint8_t sha256[32], int *hit,
              pyverify_error *err)
{
	json_t *digest, *name, *hex;
	uint8_t d[32];

	if (!json_is_object(s))
		return pv_fail(err, PYVERIFY_EPARSE, PYVERIFY_STEP_ARTIFACT,
		               "in-toto subject %zu is not an object", idx);
	name = json_object_get(s, "name");
	if (name != NULL && !json_is_string(name))
		return pv_fail(err, PYVERIFY_EPARSE, PYVERIFY_STEP_ARTIFACT,
		               "in-toto subject %zu has a non-string name",
		               idx);
	digest = json_object_get(s, "digest");
	if (!json_is_object(digest))
		return pv_fail(err, PYVERIFY_EPARSE, PYVERIFY_STEP_ARTIFACT,
		               "in-toto subject %zu has no digest object", idx);
	if (json_object_size(digest) > PV_MAX_SUBJECT_DIGESTS)
		return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_ARTIFACT,
		               "in-toto subject %zu has %zu digests, at most "
		               "%d are accepted", idx, json_object_size(digest),
		               PV_MAX_SUBJECT_DIGESTS);
	hex = json_object_get(digest, "sha256");
	if (hex == NULL)
		return 0; /* other algorithms only: no match, not an error */
	/* SPEC 3.7.3 step 3: compare decoded bytes, so case does not matter
	 * and anything but 64 hex digits is malformed. */
	if (!json_is_string(hex) ||
	    pv_hex_decode(d, sizeof(d), json_string_value(hex),
	                  json_string_length(hex)) != 0)
		return pv_fail(err, PYVERIFY_EPARSE, PYVERIFY_STEP_ARTIFACT,
		               "in-toto subject %zu has a sha256 digest that "
		               "is not 64 hexadecimal digits", idx);
	if (memcmp(d, sha256, 32) == 0)
		*hit = 1;
	return 0;
}

static void
subject_names(char *out, size_t outlen, json_t *subjects)
{
	size_t i, n = json_array_size(subjects), used = 0;
	json_t *name;
	int k;

	out[0] = '\0';
	for (i = 0; i < n && i < NAMES_SHOWN; i++) {
		name = json_object_get(json_array_get(subjects, i), "name");
		k = snprintf(out + used, outlen - used, "%s%.80s",
		             i ? ", " : "",
		             json_is_string(name) ? json_string_value(name) :
		                                    "(unnamed)");
		if (k < 0 || (size_t)k >= outlen - used)
			return;
		used += (size_t)k;
	}
	if (n > NAMES_SHOWN)
		snprintf(out + used, outlen - used, ", ... %zu more",
		         n - NAMES_SHOWN);
}

int
pv_dsse_match_subject(const char *payload_type, const uint8_t *payload,
                      size_t len, const uint8_t sha256[32],
                      pyverify_error *err)
{
	json_t *doc = NULL, *type, *subjects, *s;
	json_error_t jerr;
	char hex[65], names[512];
	size_t i, n;
	int hit = 0, rc;

	/* SPEC 3.7.3 step 1. */
	if (payload_type == NULL ||
	    strcmp(payload_type, INTOTO_PAYLOAD_TYPE) != 0)
		return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_ARTIFACT,
		               "DSSE payloadType is \"%.100s\", expected \""
		               INTOTO_PAYLOAD_TYPE "\"",
		               payload_type ? payload_type : "");
	if ((payload == NULL && len != 0) || len > PV_MAX_BUNDLE_BYTES)
		return pv_fail(err, PYVERIFY_EPARSE, PYVERIFY_STEP_ARTIFACT,
		               "in-toto statement is missing or too large");
	/* SPEC 3.7.3 step 2. NUL bytes are refused by jansson's default. */
	doc = json_loadb(payload ? (const char *)payload : "", len,
	                 JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL) {
		rc = pv_fail(err, PYVERIFY_EPARSE, PYVERIFY_STEP_ARTIFACT,
		             "in-toto statement is not valid JSON: %s "
		             "(line %d)", jerr.text, jerr.line);
		goto done;
	}
	if (!json_is_object(doc)) {
		rc = pv_fail(err, PYVERIFY_EPARSE, PYVERIFY_STEP_ARTIFACT,
		             "in-toto statement is not a JSON object");
		goto done;
	}
	if (!depth_ok(doc, 1)) {
		rc = pv_fail(err, PYVERIFY_EPARSE, PYVERIFY_STEP_ARTIFACT,
		             "in-toto statement nests deeper than %d levels",
		             PV_MAX_JSON_DEPTH);
		goto done;
	}
	type = json_object_get(doc, "_type");
	if (!json_is_string(type) ||
	    (strcmp(json_string_value(type),
	            "https://in-toto.io/Statement/v1") != 0 &&
	     strcmp(json_string_value(type),
	            "https://in-toto.io/Statement/v0.1") != 0)) {
		rc = pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_ARTIFACT,
		             "in-toto statement _type is \"%.100s\", expected "
		             "https://in-toto.io/Statement/v1 or v0.1",
		             json_is_string(type) ? json_string_value(type) :
		                                    "(missing)");
		goto done;
	}
	subjects = json_object_get(doc, "subject");
	n = json_array_size(subjects);
	if (!json_is_array(subjects)) {
		rc = pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_ARTIFACT,
		             "in-toto statement has no subject array");
		goto done;
	}
	if (n == 0 || n > PV_MAX_DSSE_SUBJECTS) {
		rc = pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_ARTIFACT,
		             "in-toto statement has %zu subjects, expected 1 "
		             "to %d", n, PV_MAX_DSSE_SUBJECTS);
		goto done;
	}
	/* Every subject is checked, so a malformed one never hides behind
	 * an earlier match. */
	json_array_foreach(subjects, i, s) {
		if ((rc = check_subject(s, i, sha256, &hit, err)) != 0)
			goto done;
	}
	if (!hit) {
		pv_hex_encode(hex, sha256, 32);
		subject_names(names, sizeof(names), subjects);
		rc = pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_ARTIFACT,
		             "artifact sha256:%s is not a subject of the "
		             "in-toto statement (subjects: %s)", hex, names);
		goto done;
	}
	rc = 0;
done:
	json_decref(doc);
	return rc;
}
