/* bundle_fx.c - tiny synthetic bundles for the bundle parser tests (see
 * bundle_fx.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "bundle_fx.h"

/* base64 of n bytes of value v. */
json_t *
bf_b64(uint8_t v, size_t n)
{
	uint8_t buf[256];
	char *s;
	json_t *j;

	cr_assert(n <= sizeof(buf));
	memset(buf, v, n);
	s = pv_b64_encode(buf, n);
	cr_assert_not_null(s);
	j = json_string(s);
	free(s);
	return j;
}

json_t *
bf_b64_str(const char *text)
{
	char *s = pv_b64_encode((const uint8_t *)text, strlen(text));
	json_t *j = json_string(s);

	free(s);
	return j;
}

json_t *
bf_entry(const char *log_index, uint8_t log_id)
{
	return json_pack(
	    "{s:s, s:{s:o}, s:{s:s, s:s}, s:s, s:{s:o}, "
	    "s:{s:s, s:o, s:s, s:[o, o], s:{s:s}}, s:o}",
	    "logIndex", log_index, "logId", "keyId", bf_b64(log_id, 32),
	    "kindVersion", "kind", "hashedrekord", "version", "0.0.1",
	    "integratedTime", "1700000060", "inclusionPromise",
	    "signedEntryTimestamp", bf_b64_str("set-bytes"), "inclusionProof",
	    "logIndex", "41", "rootHash", bf_b64(0x11, 32), "treeSize", "100",
	    "hashes", bf_b64(0x22, 32), bf_b64(0x33,
	                                       32), "checkpoint", "envelope",
	    CHECKPOINT, "canonicalizedBody", bf_b64_str("{\"kind\":\"x\"}"));
}

/* A valid bundle of the given version: certificate (v0.3) or a one-element
 * chain (v0.1, v0.2), one log entry with promise and proof, and a message
 * signature with a SHA2_256 digest. */
json_t *
bf_base_bundle(const char *media_type)
{
	json_t *vm, *j;

	vm = json_pack("{s:[o]}", "tlogEntries", bf_entry("42", 0xaa));
	if (strcmp(media_type, V01) == 0 || strcmp(media_type, V02) == 0)
		json_object_set_new(vm, "x509CertificateChain",
		                    json_pack("{s:[{s:o}]}", "certificates",
		                              "rawBytes", bf_b64_str("leaf-der")));
	else
		json_object_set_new(vm, "certificate",
		                    json_pack("{s:o}", "rawBytes",
		                              bf_b64_str("leaf-der")));
	j = json_pack("{s:s, s:o, s:{s:{s:s, s:o}, s:o}}", "mediaType",
	              media_type, "verificationMaterial", vm,
	              "messageSignature", "messageDigest", "algorithm",
	              "SHA2_256", "digest", bf_b64(0x44, 32), "signature",
	              bf_b64_str("signature-bytes"));
	cr_assert_not_null(j);
	return j;
}

/* The value at a dotted path ("verificationMaterial.tlogEntries.0"). */
json_t *
bf_at(json_t *j, const char *path)
{
	char buf[256], *p, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = strtok_r(buf, ".", &save); p != NULL;
	     p = strtok_r(NULL, ".", &save)) {
		if (json_is_array(j))
			j = json_array_get(j, strtoul(p, NULL, 10));
		else
			j = json_object_get(j, p);
		cr_assert_not_null(j, "no %s in %s", p, path);
	}
	return j;
}

void
bf_set(json_t *j, const char *path, const char *key, json_t *v)
{
	cr_assert_eq(json_object_set_new(bf_at(j, path), key, v), 0);
}

void
bf_del(json_t *j, const char *path, const char *key)
{
	cr_assert_eq(json_object_del(bf_at(j, path), key), 0, "no %s", key);
}

int
bf_load_text(const char *text, pyverify_bundle **b, pyverify_error *err)
{
	return pyverify_bundle_load_memory(b, text, strlen(text), err);
}

/* Loads and consumes j. */
int
bf_load(json_t *j, pyverify_bundle **b, pyverify_error *err)
{
	char *text = json_dumps(j, JSON_COMPACT);
	int rc;

	cr_assert_not_null(text);
	json_decref(j);
	rc = bf_load_text(text, b, err);
	free(text);
	return rc;
}

void
bf_expect_text_reject(const char *text, const char *word)
{
	pyverify_bundle *b = NULL;
	pyverify_error err = { 0 };
	int rc = bf_load_text(text, &b, &err);

	cr_assert_eq(rc, PYVERIFY_EPARSE, "rc %d (%s)", rc, err.msg);
	cr_assert_eq(err.step, PYVERIFY_STEP_BUNDLE_FORMAT);
	cr_assert_not_null(strstr(err.msg, word), "message \"%s\" lacks \"%s\"",
	                   err.msg, word);
	cr_assert_null(b);
}

void
bf_expect_reject(json_t *j, const char *word)
{
	char *text = json_dumps(j, JSON_COMPACT);

	json_decref(j);
	bf_expect_text_reject(text, word);
	free(text);
}

pyverify_bundle *
bf_expect_load(json_t *j)
{
	pyverify_bundle *b = NULL;
	pyverify_error err = { 0 };
	int rc = bf_load(j, &b, &err);

	cr_assert_eq(rc, 0, "rc %d: %s", rc, err.msg);
	cr_assert_not_null(b);
	return b;
}

int
bf_all_bytes(const struct pv_bytes *b, uint8_t v, size_t n)
{
	size_t i;

	if (b->len != n)
		return 0;
	for (i = 0; i < n; i++)
		if (b->data[i] != v)
			return 0;
	return 1;
}

int
bf_bytes_eq(const struct pv_bytes *b, const char *text)
{
	return b->len == strlen(text) && memcmp(b->data, text, b->len) == 0;
}
