/* dsse.c - DSSE pre-authentication encoding and in-toto subject matching. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "verify/steps.h"
#include "util/json.h"

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

/* The digest algorithms the matcher knows (SPEC 3.7.3: Go compares sha256,
 * sha384 and sha512 subject digests). */
static const int subject_algs[] = { PV_HASH_SHA2_256, PV_HASH_SHA2_384,
	                            PV_HASH_SHA2_512 };
#define N_SUBJECT_ALGS (sizeof(subject_algs) / sizeof(subject_algs[0]))

/* Checks one subject. Every digest that is compared must be well formed.
 * The subject matches (*hit) when it shares an algorithm with the
 * artifact and every shared digest is equal: one equal digest beside a
 * different one would be a subject that is two files at once. *seen
 * collects the PYVERIFY_DIGEST_* bits the subject carries. */
static int
check_subject(json_t *s, size_t idx, const pyverify_artifact *a, int *hit,
              unsigned *seen, pyverify_error *err)
{
	const struct pv_digest_info *d;
	json_t *digest, *name, *hex;
	uint8_t got[EVP_MAX_MD_SIZE];
	const uint8_t *want;
	size_t k;
	int shared = 0, equal = 1;

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
	for (k = 0; k < N_SUBJECT_ALGS; k++) {
		d = pv_digest_by_alg(subject_algs[k]);
		hex = json_object_get(digest, d->name);
		if (hex == NULL)
			continue; /* other algorithms are not an error */
		*seen |= d->bit;
		want = pv_artifact_digest(a, d->alg);
		if (want == NULL)
			continue; /* not compared, so not read */
		/* SPEC 3.7.3 step 3: compare decoded bytes, so case does
		 * not matter and anything else is malformed. */
		if (!json_is_string(hex) ||
		    pv_hex_decode(got, d->len, json_string_value(hex),
		                  json_string_length(hex)) != 0)
			return pv_fail(err, PYVERIFY_EPARSE,
			               PYVERIFY_STEP_ARTIFACT,
			               "in-toto subject %zu has a %s digest that "
			               "is not %zu hexadecimal digits", idx,
			               d->name, 2 * d->len);
		shared = 1;
		equal &= memcmp(got, want, d->len) == 0;
	}
	if (shared && equal)
		*hit = 1;
	return 0;
}

/* "sha256:<hex>" of the artifact's first known digest; 2*64+8 bytes. */
static void
artifact_label(char *out, size_t outlen, const pyverify_artifact *a)
{
	const struct pv_digest_info *d;
	const uint8_t *v;
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	size_t k;

	for (k = 0; k < N_SUBJECT_ALGS; k++) {
		d = pv_digest_by_alg(subject_algs[k]);
		v = pv_artifact_digest(a, d->alg);
		if (v == NULL)
			continue;
		pv_hex_encode(hex, v, d->len);
		snprintf(out, outlen, "%s:%s", d->name, hex);
		return;
	}
	snprintf(out, outlen, "(no digest)");
}

/* "sha384 and sha512" of PYVERIFY_DIGEST_* bits. */
static void
bits_names(char *out, size_t outlen, unsigned bits)
{
	pyverify_artifact tmp;

	memset(&tmp, 0, sizeof(tmp));
	tmp.digests = bits;
	pv_artifact_known_names(out, outlen, &tmp);
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
	pyverify_artifact a;

	memset(&a, 0, sizeof(a));
	if (sha256 != NULL)
		memcpy(a.sha256, sha256, 32);
	a.digests = PYVERIFY_DIGEST_SHA256;
	return pv_dsse_match_subject_digests(payload_type, payload, len, &a,
	                                     err);
}

int
pv_dsse_match_subject_digests(const char *payload_type,
                              const uint8_t *payload, size_t len,
                              const pyverify_artifact *a, pyverify_error *err)
{
	const struct pv_json_bounds bounds =
	    PV_JSON_BOUNDS(PV_MAX_BUNDLE_BYTES);
	json_t *doc = NULL, *type, *subjects, *s;
	json_error_t jerr;
	char label[2 * EVP_MAX_MD_SIZE + 8], names[512], have[64], used[64];
	size_t i, n;
	unsigned seen = 0;
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
	/* SPEC 3.7.3 step 2, through the one JSON intake. */
	switch (pv_json_intake(&doc, payload, len, &bounds, &jerr)) {
	case PV_JSON_ACCEPTED:
		break;
	case PV_JSON_NOT_OBJECT:
		rc = pv_fail(err, PYVERIFY_EPARSE, PYVERIFY_STEP_ARTIFACT,
		             "in-toto statement is not a JSON object");
		goto done;
	case PV_JSON_INVALID:
		rc = pv_fail(err, PYVERIFY_EPARSE, PYVERIFY_STEP_ARTIFACT,
		             "in-toto statement is not valid JSON: %s "
		             "(line %d)", jerr.text, jerr.line);
		goto done;
	default: /* too deep; the size was checked above */
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
		if ((rc = check_subject(s, i, a, &hit, &seen, err)) != 0)
			goto done;
	}
	if (!hit && seen == 0) {
		rc = pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_ARTIFACT,
		             "no subject of the in-toto statement has a "
		             "sha256, sha384 or sha512 digest, so no artifact "
		             "can match it");
		goto done;
	}
	if (!hit && (seen & pv_artifact_known(a)) == 0) {
		/* Not "another artifact": the two sides never met. */
		pv_artifact_known_names(have, sizeof(have), a);
		bits_names(used, sizeof(used), seen);
		rc = pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_ARTIFACT,
		             "the in-toto statement's subjects carry only %s "
		             "digests, but the artifact is known only by its "
		             "%s digest: give the artifact file, or its %s "
		             "digest", used, have, used);
		goto done;
	}
	if (!hit) {
		artifact_label(label, sizeof(label), a);
		subject_names(names, sizeof(names), subjects);
		rc = pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_ARTIFACT,
		             "artifact %s is not a subject of the in-toto "
		             "statement (subjects: %s)", label, names);
		goto done;
	}
	rc = 0;
done:
	json_decref(doc);
	return rc;
}

unsigned
pv_dsse_subject_digests(const char *payload_type, const uint8_t *payload,
                        size_t len)
{
	const struct pv_json_bounds bounds =
	    PV_JSON_BOUNDS(PV_MAX_BUNDLE_BYTES);
	const struct pv_digest_info *d;
	json_t *doc, *subjects, *s, *digest;
	unsigned bits = 0;
	size_t i, k;

	if (payload_type == NULL ||
	    strcmp(payload_type, INTOTO_PAYLOAD_TYPE) != 0 ||
	    (payload == NULL && len != 0) || len > PV_MAX_BUNDLE_BYTES)
		return 0;
	if (pv_json_intake(&doc, payload, len, &bounds, NULL) != 0)
		return 0;
	subjects = json_object_get(doc, "subject");
	if (json_array_size(subjects) <= PV_MAX_DSSE_SUBJECTS) {
		json_array_foreach(subjects, i, s) {
			digest = json_object_get(s, "digest");
			for (k = 0; k < N_SUBJECT_ALGS; k++) {
				d = pv_digest_by_alg(subject_algs[k]);
				if (json_is_string(json_object_get(digest,
				                                   d->name)))
					bits |= d->bit;
			}
		}
	}
	json_decref(doc);
	return bits;
}
