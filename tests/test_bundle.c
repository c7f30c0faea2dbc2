/* test_bundle.c - the bundle parser: shape, encodings, bounds and version
 * rules (SPEC 1, 3.15). Bundles are tiny synthetic JSON built here; nothing
 * is verified, so arbitrary bytes stand in for keys, hashes and
 * signatures. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "verify/steps.h"

#define V01 "application/vnd.dev.sigstore.bundle+json;version=0.1"
#define V02 "application/vnd.dev.sigstore.bundle+json;version=0.2"
#define V03 "application/vnd.dev.sigstore.bundle+json;version=0.3"
#define V03B "application/vnd.dev.sigstore.bundle.v0.3+json"
#define CHECKPOINT "log.example - 1\n100\nERERERERERERERERERERERERERERERERERERERERERE=\n\n" \
	"\xe2\x80\x94 log.example AAAAAQ==\n"

/* base64 of n bytes of value v. */
static json_t *
b64(uint8_t v, size_t n)
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

static json_t *
b64_str(const char *text)
{
	char *s = pv_b64_encode((const uint8_t *)text, strlen(text));
	json_t *j = json_string(s);

	free(s);
	return j;
}

static json_t *
entry(const char *log_index, uint8_t log_id)
{
	return json_pack(
	    "{s:s, s:{s:o}, s:{s:s, s:s}, s:s, s:{s:o}, "
	    "s:{s:s, s:o, s:s, s:[o, o], s:{s:s}}, s:o}",
	    "logIndex", log_index, "logId", "keyId", b64(log_id, 32),
	    "kindVersion", "kind", "hashedrekord", "version", "0.0.1",
	    "integratedTime", "1700000060", "inclusionPromise",
	    "signedEntryTimestamp", b64_str("set-bytes"), "inclusionProof",
	    "logIndex", "41", "rootHash", b64(0x11, 32), "treeSize", "100",
	    "hashes", b64(0x22, 32), b64(0x33, 32), "checkpoint", "envelope",
	    CHECKPOINT, "canonicalizedBody", b64_str("{\"kind\":\"x\"}"));
}

/* A valid bundle of the given version: certificate (v0.3) or a one-element
 * chain (v0.1, v0.2), one log entry with promise and proof, and a message
 * signature with a SHA2_256 digest. */
static json_t *
base_bundle(const char *media_type)
{
	json_t *vm, *j;

	vm = json_pack("{s:[o]}", "tlogEntries", entry("42", 0xaa));
	if (strcmp(media_type, V01) == 0 || strcmp(media_type, V02) == 0)
		json_object_set_new(vm, "x509CertificateChain",
		                    json_pack("{s:[{s:o}]}", "certificates",
		                              "rawBytes", b64_str("leaf-der")));
	else
		json_object_set_new(vm, "certificate",
		                    json_pack("{s:o}", "rawBytes",
		                              b64_str("leaf-der")));
	j = json_pack("{s:s, s:o, s:{s:{s:s, s:o}, s:o}}", "mediaType",
	              media_type, "verificationMaterial", vm,
	              "messageSignature", "messageDigest", "algorithm",
	              "SHA2_256", "digest", b64(0x44, 32), "signature",
	              b64_str("signature-bytes"));
	cr_assert_not_null(j);
	return j;
}

/* The value at a dotted path ("verificationMaterial.tlogEntries.0"). */
static json_t *
at(json_t *j, const char *path)
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

static void
set(json_t *j, const char *path, const char *key, json_t *v)
{
	cr_assert_eq(json_object_set_new(at(j, path), key, v), 0);
}

static void
del(json_t *j, const char *path, const char *key)
{
	cr_assert_eq(json_object_del(at(j, path), key), 0, "no %s", key);
}

static int
load_text(const char *text, pyverify_bundle **b, pyverify_error *err)
{
	return pyverify_bundle_load_memory(b, text, strlen(text), err);
}

/* Loads and consumes j. */
static int
load(json_t *j, pyverify_bundle **b, pyverify_error *err)
{
	char *text = json_dumps(j, JSON_COMPACT);
	int rc;

	cr_assert_not_null(text);
	json_decref(j);
	rc = load_text(text, b, err);
	free(text);
	return rc;
}

static void
expect_text_reject(const char *text, const char *word)
{
	pyverify_bundle *b = NULL;
	pyverify_error err = { 0 };
	int rc = load_text(text, &b, &err);

	cr_assert_eq(rc, PYVERIFY_EPARSE, "rc %d (%s)", rc, err.msg);
	cr_assert_eq(err.step, PYVERIFY_STEP_BUNDLE_FORMAT);
	cr_assert_not_null(strstr(err.msg, word), "message \"%s\" lacks \"%s\"",
	                   err.msg, word);
	cr_assert_null(b);
}

static void
expect_reject(json_t *j, const char *word)
{
	char *text = json_dumps(j, JSON_COMPACT);

	json_decref(j);
	expect_text_reject(text, word);
	free(text);
}

static pyverify_bundle *
expect_load(json_t *j)
{
	pyverify_bundle *b = NULL;
	pyverify_error err = { 0 };
	int rc = load(j, &b, &err);

	cr_assert_eq(rc, 0, "rc %d: %s", rc, err.msg);
	cr_assert_not_null(b);
	return b;
}

static int
all_bytes(const struct pv_bytes *b, uint8_t v, size_t n)
{
	size_t i;

	if (b->len != n)
		return 0;
	for (i = 0; i < n; i++)
		if (b->data[i] != v)
			return 0;
	return 1;
}

static int
bytes_eq(const struct pv_bytes *b, const char *text)
{
	return b->len == strlen(text) && memcmp(b->data, text, b->len) == 0;
}

Test(bundle, loads_a_v03_bundle_and_fills_every_field)
{
	pyverify_bundle *b = expect_load(base_bundle(V03));
	const struct pv_tlog_entry *e;
	size_t i;

	cr_assert_str_eq(pyverify_bundle_media_type(b), V03);
	cr_assert_eq(b->minor, 3);
	cr_assert_eq(b->material, PV_MATERIAL_CERTIFICATE);
	cr_assert_eq(b->n_certs, 1);
	cr_assert(bytes_eq(&b->certs[0], "leaf-der"));
	cr_assert_null(b->key_hint);
	cr_assert_eq(b->content, PV_CONTENT_MESSAGE);
	cr_assert(b->has_message_digest);
	cr_assert_eq(b->digest_alg, PV_HASH_SHA2_256);
	cr_assert(all_bytes(&b->message_digest, 0x44, 32));
	cr_assert(bytes_eq(&b->signature, "signature-bytes"));
	cr_assert_eq(b->n_entries, 1);
	e = &b->entries[0];
	cr_assert_eq(e->log_index, 42);
	for (i = 0; i < 32; i++)
		cr_assert_eq(e->log_id[i], 0xaa);
	cr_assert_str_eq(e->kind, "hashedrekord");
	cr_assert_str_eq(e->version, "0.0.1");
	cr_assert_eq(e->integrated_time, 1700000060);
	cr_assert(bytes_eq(&e->set, "set-bytes"));
	cr_assert(e->has_proof);
	cr_assert_eq(e->proof.log_index, 41);
	cr_assert_eq(e->proof.tree_size, 100);
	cr_assert_eq(e->proof.root_hash[0], 0x11);
	cr_assert_eq(e->proof.root_hash[31], 0x11);
	cr_assert_eq(e->proof.n_hashes, 2);
	cr_assert_eq(e->proof.hashes[0][31], 0x22);
	cr_assert_eq(e->proof.hashes[1][0], 0x33);
	cr_assert_str_eq(e->proof.checkpoint, CHECKPOINT);
	cr_assert_eq(e->proof.checkpoint_len, strlen(CHECKPOINT));
	cr_assert(bytes_eq(&e->body, "{\"kind\":\"x\"}"));
	cr_assert_eq(b->n_timestamps, 0);
	pyverify_bundle_free(b);
}

Test(bundle, maps_each_media_type_to_its_minor_version)
{
	static const struct {
		const char *mt;
		int minor;
	} cases[] = { { V01, 1 }, { V02, 2 }, { V03, 3 }, { V03B, 3 } };
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pyverify_bundle *b = expect_load(base_bundle(cases[i].mt));
		cr_assert_eq(b->minor, cases[i].minor, "%s", cases[i].mt);
		cr_assert_eq(b->material, cases[i].minor < 3
		                              ? PV_MATERIAL_CHAIN
		                              : PV_MATERIAL_CERTIFICATE);
		pyverify_bundle_free(b);
	}
}

Test(bundle, rejects_unknown_media_types_naming_them)
{
	static const char *const bad[] = {
		"application/vnd.dev.sigstore.bundle+json;version=99.9",
		"application/vnd.dev.sigstore.bundle.v0.4+json",
		"application/vnd.dev.sigstore.bundle.v0.3.1+json",
		"application/vnd.dev.sigstore.bundle+json",
	};
	json_t *j;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = base_bundle(V03);
		set(j, "", "mediaType", json_string(bad[i]));
		expect_reject(j, bad[i]);
	}
	j = base_bundle(V03);
	del(j, "", "mediaType");
	expect_reject(j, "mediaType is missing");
}

Test(bundle, rejects_text_that_is_not_one_json_object)
{
	expect_text_reject("{\"mediaType\": \"x\"", "not valid JSON");
	expect_text_reject("", "not valid JSON");
	expect_text_reject("[1]", "expected a JSON object");
	expect_text_reject("{} {}", "not valid JSON");
	expect_text_reject("{\"a\":1,\"a\":2}", "not valid JSON");
	expect_text_reject("{\"mediaType\":\"a\\u0000b\"}", "not valid JSON");
	expect_text_reject("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]"
	                   "]]]]]]]]]]]]]]]]]]]",
	                   "deeper");
}

Test(bundle, rejects_unknown_members_naming_them)
{
	json_t *j = base_bundle(V03);

	set(j, "", "extra", json_true());
	expect_reject(j, "unknown member \"extra\" in the top level");
	j = base_bundle(V03);
	set(j, "verificationMaterial.tlogEntries.0.inclusionProof", "foo",
	    json_string("x"));
	expect_reject(j, "\"foo\" in verificationMaterial.tlogEntries[0]"
	                 ".inclusionProof");
	j = base_bundle(V03);
	set(j, "messageSignature.messageDigest", "hint", json_string("x"));
	expect_reject(j, "messageSignature.messageDigest");
}

/* Renames every member to its snake_case spelling. */
static json_t *
to_snake(json_t *j)
{
	json_t *out, *v;
	const char *key;
	size_t i;

	if (json_is_array(j)) {
		out = json_array();
		json_array_foreach(j, i, v)
			json_array_append_new(out, to_snake(v));
		return out;
	}
	if (!json_is_object(j))
		return json_incref(j);
	out = json_object();
	json_object_foreach(j, key, v) {
		char name[128];
		size_t o = 0;
		for (i = 0; key[i] != '\0' && o + 2 < sizeof(name); i++) {
			if (key[i] >= 'A' && key[i] <= 'Z') {
				name[o++] = '_';
				name[o++] = (char)(key[i] - 'A' + 'a');
			} else {
				name[o++] = key[i];
			}
		}
		name[o] = '\0';
		json_object_set_new(out, name, to_snake(v));
	}
	return out;
}

Test(bundle, accepts_snake_case_member_names)
{
	json_t *camel = base_bundle(V02), *snake = to_snake(camel);
	pyverify_bundle *b;

	cr_assert_not_null(json_object_get(snake, "verification_material"));
	json_decref(camel);
	b = expect_load(snake);
	cr_assert_eq(b->n_certs, 1);
	cr_assert_eq(b->entries[0].proof.tree_size, 100);
	cr_assert_eq(b->digest_alg, PV_HASH_SHA2_256);
	pyverify_bundle_free(b);
}

Test(bundle, rejects_a_member_given_in_both_spellings)
{
	json_t *j = base_bundle(V03);

	set(j, "verificationMaterial.certificate", "raw_bytes",
	    b64_str("other"));
	expect_reject(j, "given twice");
}

Test(bundle, rejects_null_members)
{
	json_t *j = base_bundle(V03);

	set(j, "", "dsseEnvelope", json_null());
	expect_reject(j, "dsseEnvelope is null");
	j = base_bundle(V03);
	set(j, "verificationMaterial.tlogEntries.0", "integratedTime",
	    json_null());
	expect_reject(j, "integratedTime is null");
}

Test(bundle, rejects_bytes_that_are_not_standard_padded_base64)
{
	static const char *const bad[] = { "c2lnbmF0dXJlcw", "c2ln_mF0dXJlcw==",
		                           "c2lnbmF0dXJlcw=", "@@@@",
		                           "c2lnbmF0dXJlcx==" };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *j = base_bundle(V03);
		set(j, "messageSignature", "signature", json_string(bad[i]));
		expect_reject(j, "messageSignature.signature is not valid "
		                 "base64");
	}
	{
		json_t *j = base_bundle(V03);
		set(j, "messageSignature", "signature", json_integer(5));
		expect_reject(j, "expected a string");
	}
}

Test(bundle, reads_int64_fields_as_strings_or_integers)
{
	json_t *j = base_bundle(V03);
	pyverify_bundle *b;

	set(j, "verificationMaterial.tlogEntries.0", "logIndex",
	    json_integer(7));
	set(j, "verificationMaterial.tlogEntries.0", "integratedTime",
	    json_string("9223372036854775807"));
	del(j, "verificationMaterial.tlogEntries.0.inclusionProof", "logIndex");
	b = expect_load(j);
	cr_assert_eq(b->entries[0].log_index, 7);
	cr_assert_eq(b->entries[0].integrated_time, INT64_MAX);
	cr_assert_eq(b->entries[0].proof.log_index, 0, "absent is 0");
	pyverify_bundle_free(b);
}

Test(bundle, rejects_negative_or_malformed_int64_fields)
{
	static const char *const bad[] = { "-1", "01", "0x10", "1.0", " 1", "",
		                           "9223372036854775808",
		                           "99999999999999999999999" };
	size_t i;
	json_t *j;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = base_bundle(V03);
		set(j, "verificationMaterial.tlogEntries.0", "logIndex",
		    json_string(bad[i]));
		expect_reject(j, "verificationMaterial.tlogEntries[0].logIndex");
	}
	j = base_bundle(V03);
	set(j, "verificationMaterial.tlogEntries.0", "logIndex",
	    json_integer(-1));
	expect_reject(j, "is -1, expected a non-negative");
	j = base_bundle(V03);
	set(j, "verificationMaterial.tlogEntries.0", "integratedTime",
	    json_real(1.0));
	expect_reject(j, "integratedTime is a real number");
}

Test(bundle, requires_exactly_one_verification_material)
{
	json_t *j = base_bundle(V03);

	del(j, "verificationMaterial", "certificate");
	expect_reject(j, "has 0 of publicKey");
	j = base_bundle(V03);
	set(j, "verificationMaterial", "publicKey",
	    json_pack("{s:s}", "hint", "abc"));
	expect_reject(j, "has 2 of publicKey");
	j = base_bundle(V03);
	del(j, "", "verificationMaterial");
	expect_reject(j, "verificationMaterial is missing");
}

Test(bundle, reads_a_public_key_hint_which_may_be_empty)
{
	json_t *j = base_bundle(V03);
	pyverify_bundle *b;

	del(j, "verificationMaterial", "certificate");
	set(j, "verificationMaterial", "publicKey",
	    json_pack("{s:s}", "hint", "TLMsSDfG3ajP="));
	b = expect_load(j);
	cr_assert_eq(b->material, PV_MATERIAL_PUBLIC_KEY);
	cr_assert_eq(b->n_certs, 0);
	cr_assert_str_eq(b->key_hint, "TLMsSDfG3ajP=");
	pyverify_bundle_free(b);

	j = base_bundle(V03);
	del(j, "verificationMaterial", "certificate");
	set(j, "verificationMaterial", "publicKey", json_object());
	b = expect_load(j);
	cr_assert_str_eq(b->key_hint, "");
	pyverify_bundle_free(b);
}

Test(bundle, reads_every_certificate_of_a_chain_in_order)
{
	json_t *j = base_bundle(V01);
	json_t *certs = at(j, "verificationMaterial.x509CertificateChain"
	                      ".certificates");
	pyverify_bundle *b;

	json_array_append_new(certs, json_pack("{s:o}", "rawBytes",
	                                       b64_str("intermediate")));
	b = expect_load(j);
	cr_assert_eq(b->n_certs, 2);
	cr_assert(bytes_eq(&b->certs[0], "leaf-der"));
	cr_assert(bytes_eq(&b->certs[1], "intermediate"));
	pyverify_bundle_free(b);
}

Test(bundle, rejects_empty_oversized_or_misplaced_certificate_chains)
{
	json_t *j = base_bundle(V01), *certs;
	int i;

	json_array_clear(at(j, "verificationMaterial.x509CertificateChain"
	                       ".certificates"));
	expect_reject(j, "certificates is empty");

	j = base_bundle(V01);
	del(j, "verificationMaterial.x509CertificateChain", "certificates");
	expect_reject(j, "certificates is empty");

	j = base_bundle(V01);
	certs = at(j, "verificationMaterial.x509CertificateChain.certificates");
	for (i = 0; i < PV_MAX_CHAIN_CERTS; i++)
		json_array_append_new(certs, json_pack("{s:o}", "rawBytes",
		                                       b64_str("x")));
	expect_reject(j, "the limit is 10");

	/* SPEC 1.7: v0.3 forbids x509CertificateChain. */
	j = base_bundle(V03);
	del(j, "verificationMaterial", "certificate");
	set(j, "verificationMaterial", "x509CertificateChain",
	    json_pack("{s:[{s:o}]}", "certificates", "rawBytes",
	              b64_str("leaf")));
	expect_reject(j, "not allowed in a v0.3 bundle");

	/* ... and v0.1/v0.2 carry the leaf in a chain, not `certificate`. */
	j = base_bundle(V02);
	del(j, "verificationMaterial", "x509CertificateChain");
	set(j, "verificationMaterial", "certificate",
	    json_pack("{s:o}", "rawBytes", b64_str("leaf")));
	expect_reject(j, "not allowed in a v0.2 bundle");

	j = base_bundle(V03);
	set(j, "verificationMaterial.certificate", "rawBytes", json_string(""));
	expect_reject(j, "certificate.rawBytes is empty");
}

Test(bundle, checks_the_message_digest_algorithm_and_length)
{
	json_t *j = base_bundle(V03);
	pyverify_bundle *b;

	set(j, "messageSignature.messageDigest", "digest", b64(0x44, 31));
	expect_reject(j, "messageSignature.messageDigest.digest is 31 bytes, "
	                 "expected 32");

	j = base_bundle(V03);
	set(j, "messageSignature.messageDigest", "algorithm",
	    json_string("SHA2_384"));
	expect_reject(j, "is 32 bytes, expected 48");

	j = base_bundle(V03);
	set(j, "messageSignature.messageDigest", "algorithm",
	    json_string("SHA2_512"));
	set(j, "messageSignature.messageDigest", "digest", b64(0x55, 64));
	b = expect_load(j);
	cr_assert_eq(b->digest_alg, PV_HASH_SHA2_512);
	cr_assert(all_bytes(&b->message_digest, 0x55, 64));
	pyverify_bundle_free(b);

	j = base_bundle(V03);
	set(j, "messageSignature.messageDigest", "algorithm",
	    json_string("SHA3_256"));
	expect_reject(j, "\"SHA3_256\", expected SHA2_256");

	/* Enums by name only. */
	j = base_bundle(V03);
	set(j, "messageSignature.messageDigest", "algorithm", json_integer(1));
	expect_reject(j, "algorithm is an integer");

	j = base_bundle(V03);
	del(j, "messageSignature", "messageDigest");
	b = expect_load(j);
	cr_assert_eq(b->has_message_digest, 0);
	pyverify_bundle_free(b);
}

Test(bundle, requires_a_non_empty_message_signature)
{
	json_t *j = base_bundle(V03);

	del(j, "messageSignature", "signature");
	expect_reject(j, "messageSignature.signature is missing");
	j = base_bundle(V03);
	set(j, "messageSignature", "signature", json_string(""));
	expect_reject(j, "messageSignature.signature is empty");
}

static json_t *
dsse_bundle(json_t *signatures)
{
	json_t *j = base_bundle(V03);

	del(j, "", "messageSignature");
	set(j, "", "dsseEnvelope",
	    json_pack("{s:o, s:s, s:o}", "payload", b64_str("{\"_type\":1}"),
	              "payloadType", "application/vnd.in-toto+json",
	              "signatures", signatures));
	return j;
}

Test(bundle, reads_a_dsse_envelope_with_one_signature)
{
	pyverify_bundle *b = expect_load(dsse_bundle(
	    json_pack("[{s:o, s:s}]", "sig", b64_str("dsse-sig"), "keyid", "")));

	cr_assert_eq(b->content, PV_CONTENT_DSSE);
	cr_assert(bytes_eq(&b->payload, "{\"_type\":1}"));
	cr_assert_str_eq(b->payload_type, "application/vnd.in-toto+json");
	cr_assert(bytes_eq(&b->signature, "dsse-sig"));
	cr_assert_str_eq(b->dsse_keyid, "");
	pyverify_bundle_free(b);

	b = expect_load(dsse_bundle(
	    json_pack("[{s:o}]", "sig", b64_str("dsse-sig"))));
	cr_assert_null(b->dsse_keyid);
	pyverify_bundle_free(b);
}

Test(bundle, rejects_dsse_envelopes_without_exactly_one_signature)
{
	json_t *j;

	expect_reject(dsse_bundle(json_array()), "has 0 elements, expected "
	                                         "exactly 1");
	expect_reject(dsse_bundle(json_pack("[{s:o}, {s:o}]", "sig",
	                                    b64_str("a"), "sig", b64_str("b"))),
	              "has 2 elements");
	expect_reject(dsse_bundle(json_pack("[{s:s}]", "sig", "")),
	              "signatures[0].sig is empty");
	expect_reject(dsse_bundle(json_pack("[{s:s}]", "keyid", "k")),
	              "signatures[0].sig is missing");
	j = dsse_bundle(json_pack("[{s:o}]", "sig", b64_str("a")));
	set(j, "dsseEnvelope", "payload", json_string(""));
	expect_reject(j, "dsseEnvelope.payload is empty");
	j = dsse_bundle(json_pack("[{s:o}]", "sig", b64_str("a")));
	del(j, "dsseEnvelope", "payloadType");
	expect_reject(j, "dsseEnvelope.payloadType is missing");
}

Test(bundle, requires_exactly_one_content_member)
{
	json_t *j = base_bundle(V03);

	del(j, "", "messageSignature");
	expect_reject(j, "neither");
	j = dsse_bundle(json_pack("[{s:o}]", "sig", b64_str("a")));
	set(j, "", "messageSignature",
	    json_pack("{s:o}", "signature", b64_str("s")));
	expect_reject(j, "both");
}

Test(bundle, requires_between_one_and_32_log_entries)
{
	json_t *j = base_bundle(V03), *arr;
	int i;
	char idx[16];

	json_array_clear(at(j, "verificationMaterial.tlogEntries"));
	expect_reject(j, "at least one transparency log entry");
	j = base_bundle(V03);
	del(j, "verificationMaterial", "tlogEntries");
	expect_reject(j, "at least one transparency log entry");

	j = base_bundle(V03);
	arr = at(j, "verificationMaterial.tlogEntries");
	for (i = 0; i < PV_MAX_TLOG_ENTRIES; i++) {
		snprintf(idx, sizeof(idx), "%d", 100 + i);
		json_array_append_new(arr, entry(idx, 0xaa));
	}
	expect_reject(j, "has 33 elements, the limit is 32");
}

Test(bundle, rejects_duplicate_log_entries_but_not_distinct_ones)
{
	json_t *j = base_bundle(V03);
	pyverify_bundle *b;

	json_array_append_new(at(j, "verificationMaterial.tlogEntries"),
	                      entry("42", 0xaa));
	expect_reject(j, "tlogEntries[1] duplicates tlogEntries[0]");

	j = base_bundle(V03);
	json_array_append_new(at(j, "verificationMaterial.tlogEntries"),
	                      entry("42", 0xbb));
	json_array_append_new(at(j, "verificationMaterial.tlogEntries"),
	                      entry("43", 0xaa));
	b = expect_load(j);
	cr_assert_eq(b->n_entries, 3);
	cr_assert_eq(b->entries[1].log_id[0], 0xbb);
	cr_assert_eq(b->entries[2].log_index, 43);
	pyverify_bundle_free(b);
}

Test(bundle, checks_the_fields_of_a_log_entry)
{
	const char *e = "verificationMaterial.tlogEntries.0";
	json_t *j;

	j = base_bundle(V03);
	set(j, "verificationMaterial.tlogEntries.0.logId", "keyId",
	    b64(1, 31));
	expect_reject(j, "tlogEntries[0].logId.keyId is 31 bytes, expected 32");
	j = base_bundle(V03);
	del(j, e, "logId");
	expect_reject(j, "tlogEntries[0].logId is missing");
	j = base_bundle(V03);
	del(j, e, "kindVersion");
	expect_reject(j, "kindVersion is missing");
	j = base_bundle(V03);
	set(j, "verificationMaterial.tlogEntries.0.kindVersion", "version",
	    json_string(""));
	expect_reject(j, "kindVersion.version is empty");
	j = base_bundle(V03);
	del(j, e, "canonicalizedBody");
	expect_reject(j, "canonicalizedBody is missing");
	j = base_bundle(V03);
	set(j, e, "inclusionPromise", json_object());
	expect_reject(j, "inclusionPromise.signedEntryTimestamp is missing");
	j = base_bundle(V03);
	cr_assert_eq(json_array_set_new(at(j, "verificationMaterial.tlogEntries"),
	                                0, json_string("x")), 0);
	expect_reject(j, "tlogEntries[0] is not an object");
}

Test(bundle, checks_the_inclusion_proof)
{
	const char *p = "verificationMaterial.tlogEntries.0.inclusionProof";
	json_t *j, *hashes;
	pyverify_bundle *b;
	int i;

	j = base_bundle(V03);
	json_array_append_new(at(j, "verificationMaterial.tlogEntries.0"
	                            ".inclusionProof.hashes"),
	                      b64(0, 32));
	json_array_append_new(at(j, "verificationMaterial.tlogEntries.0"
	                            ".inclusionProof.hashes"),
	                      b64(0, 31));
	expect_reject(j, "verificationMaterial.tlogEntries[0].inclusionProof"
	                 ".hashes[3] is 31 bytes, expected 32");

	j = base_bundle(V03);
	hashes = at(j, "verificationMaterial.tlogEntries.0.inclusionProof"
	               ".hashes");
	for (i = 0; i < PV_MAX_PROOF_HASHES; i++)
		json_array_append_new(hashes, b64(0, 32));
	expect_reject(j, "hashes has 66 elements, the limit is 64");

	j = base_bundle(V03);
	set(j, p, "rootHash", b64(0, 33));
	expect_reject(j, "rootHash is 33 bytes, expected 32");
	j = base_bundle(V03);
	set(j, p, "treeSize", json_string("0"));
	expect_reject(j, "expected 0 <= logIndex < treeSize");
	j = base_bundle(V03);
	set(j, p, "logIndex", json_string("100"));
	expect_reject(j, "logIndex 100 and treeSize 100");
	j = base_bundle(V03);
	del(j, p, "checkpoint");
	expect_reject(j, "inclusionProof.checkpoint is missing");
	j = base_bundle(V03);
	set(j, p, "checkpoint", json_pack("{s:s}", "envelope", ""));
	expect_reject(j, "checkpoint.envelope is empty");

	/* Tree of one leaf: no hashes, and the list may be absent. */
	j = base_bundle(V03);
	del(j, p, "hashes");
	set(j, p, "treeSize", json_string("1"));
	set(j, p, "logIndex", json_string("0"));
	b = expect_load(j);
	cr_assert_eq(b->entries[0].proof.n_hashes, 0);
	cr_assert_eq(b->entries[0].proof.tree_size, 1);
	pyverify_bundle_free(b);
}

/* SPEC 0.1: bundles write the checkpoint's em dash as \u2014; the
 * checkpoint module needs the UTF-8 bytes E2 80 94, and a surrogate pair
 * must become one 4-byte sequence, never two 3-byte halves. */
Test(bundle, turns_json_escapes_in_a_checkpoint_into_utf8)
{
	static const char note[] =
	    "log.example - 1\n100\nERERERERERERERERERERERERERERERERERERERERERE=\n"
	    "\n\xe2\x80\x94 w\xf0\x9f\x98\x80 AAAAAQ==\n";
	const char *p = "verificationMaterial.tlogEntries.0.inclusionProof";
	pyverify_bundle *b = NULL;
	pyverify_error err = { 0 };
	char *text, *hit;
	json_t *j;

	j = base_bundle(V03);
	set(j, p, "checkpoint", json_pack("{s:s}", "envelope", note));
	text = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(j);
	cr_assert_not_null(text);
	cr_assert_not_null(strstr(text, "\\u2014 w\\uD83D\\uDE00 "));
	cr_assert_eq(load_text(text, &b, &err), 0, "%s", err.msg);
	cr_assert_eq(b->entries[0].proof.checkpoint_len, strlen(note));
	cr_assert_eq(memcmp(b->entries[0].proof.checkpoint, note,
	                    sizeof(note)), 0);
	pyverify_bundle_free(b);

	/* A lone surrogate is not a character. */
	hit = strstr(text, "\\uDE00");
	memcpy(hit, "\\u0077", 6);
	expect_text_reject(text, "not valid JSON");
	/* Nor is a NUL, which would end the note early for C code. */
	hit = strstr(text, "\\u0077");
	memcpy(hit, "\\u0000", 6);
	expect_text_reject(text, "not valid JSON");
	free(text);
}

Test(bundle, applies_the_version_rules_for_promises_and_proofs)
{
	json_t *j;
	pyverify_bundle *b;

	/* SPEC 1.7: v0.1 requires the promise, the proof is optional. */
	j = base_bundle(V01);
	del(j, "verificationMaterial.tlogEntries.0", "inclusionPromise");
	expect_reject(j, "which a v0.1 bundle requires");
	j = base_bundle(V01);
	del(j, "verificationMaterial.tlogEntries.0", "inclusionProof");
	b = expect_load(j);
	cr_assert_eq(b->entries[0].has_proof, 0);
	cr_assert_null(b->entries[0].proof.checkpoint);
	pyverify_bundle_free(b);

	/* v0.2+ requires the proof; the promise is optional (Rekor v2). */
	j = base_bundle(V02);
	del(j, "verificationMaterial.tlogEntries.0", "inclusionProof");
	expect_reject(j, "which a v0.2 bundle requires");
	j = base_bundle(V03B);
	del(j, "verificationMaterial.tlogEntries.0", "inclusionProof");
	expect_reject(j, "which a v0.3 bundle requires");
	j = base_bundle(V03B);
	del(j, "verificationMaterial.tlogEntries.0", "inclusionPromise");
	del(j, "verificationMaterial.tlogEntries.0", "integratedTime");
	b = expect_load(j);
	cr_assert_eq(b->entries[0].set.len, 0);
	cr_assert_eq(b->entries[0].integrated_time, 0);
	pyverify_bundle_free(b);
}

Test(bundle, reads_rfc3161_timestamps_and_rejects_duplicates)
{
	json_t *j = base_bundle(V03), *arr;
	pyverify_bundle *b;
	int i;

	set(j, "verificationMaterial", "timestampVerificationData",
	    json_pack("{s:[{s:o}, {s:o}]}", "rfc3161Timestamps",
	              "signedTimestamp", b64_str("ts-one"), "signedTimestamp",
	              b64_str("ts-two")));
	b = expect_load(j);
	cr_assert_eq(b->n_timestamps, 2);
	cr_assert(bytes_eq(&b->timestamps[0], "ts-one"));
	cr_assert(bytes_eq(&b->timestamps[1], "ts-two"));
	pyverify_bundle_free(b);

	j = base_bundle(V03);
	set(j, "verificationMaterial", "timestampVerificationData",
	    json_pack("{s:[{s:o}, {s:o}]}", "rfc3161Timestamps",
	              "signedTimestamp", b64_str("ts-one"), "signedTimestamp",
	              b64_str("ts-one")));
	expect_reject(j, "rfc3161Timestamps[1] duplicates "
	                 "rfc3161Timestamps[0]");

	j = base_bundle(V03);
	set(j, "verificationMaterial", "timestampVerificationData",
	    json_pack("{s:[{s:s}]}", "rfc3161Timestamps", "signedTimestamp",
	              ""));
	expect_reject(j, "signedTimestamp is empty");

	j = base_bundle(V03);
	set(j, "verificationMaterial", "timestampVerificationData",
	    json_pack("{s:[]}", "rfc3161Timestamps"));
	arr = at(j, "verificationMaterial.timestampVerificationData"
	            ".rfc3161Timestamps");
	for (i = 0; i <= PV_MAX_TIMESTAMPS; i++) {
		char text[16];
		snprintf(text, sizeof(text), "ts-%d", i);
		json_array_append_new(arr, json_pack("{s:o}", "signedTimestamp",
		                                     b64_str(text)));
	}
	expect_reject(j, "the limit is 32");

	j = base_bundle(V03);
	set(j, "verificationMaterial", "timestampVerificationData",
	    json_object());
	b = expect_load(j);
	cr_assert_eq(b->n_timestamps, 0);
	pyverify_bundle_free(b);
}

Test(bundle, reports_unreadable_and_oversized_input)
{
	pyverify_bundle *b = NULL;
	pyverify_error err = { 0 };
	char *big;
	int rc;

	rc = pyverify_bundle_load_file(&b, "/nonexistent/pyverify.json", &err);
	cr_assert_eq(rc, PYVERIFY_EIO);
	cr_assert_eq(err.step, PYVERIFY_STEP_BUNDLE_FORMAT);
	cr_assert_not_null(strstr(err.msg, "/nonexistent/pyverify.json"));
	cr_assert_null(b);

	big = malloc(PV_MAX_BUNDLE_BYTES + 1);
	cr_assert_not_null(big);
	memset(big, ' ', PV_MAX_BUNDLE_BYTES + 1);
	rc = pyverify_bundle_load_memory(&b, big, PV_MAX_BUNDLE_BYTES + 1,
	                                 &err);
	free(big);
	cr_assert_eq(rc, PYVERIFY_EPARSE);
	cr_assert_not_null(strstr(err.msg, "limit"));
	cr_assert_null(b);

	pyverify_bundle_free(NULL);
}

Test(bundle, loads_a_bundle_file)
{
	char path[] = "/tmp/pyverify-test-bundle-XXXXXX";
	json_t *j = base_bundle(V03B);
	char *text = json_dumps(j, JSON_COMPACT);
	pyverify_bundle *b = NULL;
	pyverify_error err = { 0 };
	int fd = mkstemp(path), rc;
	FILE *f;

	json_decref(j);
	cr_assert(fd >= 0);
	f = fdopen(fd, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	rc = pyverify_bundle_load_file(&b, path, &err);
	remove(path);
	free(text);
	cr_assert_eq(rc, 0, "%s", err.msg);
	cr_assert_str_eq(pyverify_bundle_media_type(b), V03B);
	pyverify_bundle_free(b);
}

/* ---- real bundles from ../shared/testdata ------------------------------ */

static const char *
testdata(void)
{
	const char *d = getenv("PYVERIFY_TESTDATA");

	return d != NULL ? d : "../shared/testdata";
}

/* Conformance cases whose bundle is malformed under SPEC 1 / 3.15 and our
 * rules. bundle-with-root-cert_fail is here because its v0.1 inclusion
 * proof carries no checkpoint (SPEC 1.7; SPEC 7 item 5 notes the reference
 * clients reject it for the same reason). */
static int
expected_malformed(const char *name)
{
	static const char *const names[] = {
		"bundle-malformed-json_fail",
		"bundle-negative-log-index_fail",
		"bundle-unknown-version_fail",
		"bundle-invalid-base64-signature_fail",
		"bundle-empty-certificate-chain_fail",
		"bundle-with-root-cert_fail",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return 1;
	return 0;
}

Test(bundle, loads_every_well_formed_conformance_bundle)
{
	char dir[1024], path[2048];
	struct dirent *de;
	size_t n = 0, bad = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/conformance/cases", testdata());
	d = opendir(dir);
	if (d == NULL)
		cr_skip_test("no conformance test data at %s", dir);
	while ((de = readdir(d)) != NULL) {
		pyverify_bundle *b = NULL;
		pyverify_error err = { 0 };
		int rc;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/bundle.sigstore.json", dir,
		         de->d_name);
		if (access(path, R_OK) != 0)
			continue;
		rc = pyverify_bundle_load_file(&b, path, &err);
		n++;
		if (expected_malformed(de->d_name)) {
			bad++;
			cr_expect_eq(rc, PYVERIFY_EPARSE, "%s loaded",
			             de->d_name);
			cr_expect_eq(err.step, PYVERIFY_STEP_BUNDLE_FORMAT,
			             "%s", de->d_name);
			cr_expect_null(b);
		} else {
			cr_expect_eq(rc, 0, "%s: %s", de->d_name, err.msg);
		}
		pyverify_bundle_free(b);
	}
	closedir(d);
	cr_assert_gt(n, 10, "only %zu conformance bundles found", n);
	cr_assert_geq(bad, 3);
}

Test(bundle, loads_every_cpython_bundle)
{
	char dir[1024], path[2048];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/cpython/bundles", testdata());
	d = opendir(dir);
	if (d == NULL)
		cr_skip_test("no CPython test data at %s", dir);
	while ((de = readdir(d)) != NULL) {
		pyverify_bundle *b = NULL;
		pyverify_error err = { 0 };
		int rc;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		rc = pyverify_bundle_load_file(&b, path, &err);
		cr_expect_eq(rc, 0, "%s: %s", de->d_name, err.msg);
		if (rc == 0) {
			cr_expect_geq(b->n_entries, 1);
			cr_expect_geq(b->n_certs, 1);
		}
		pyverify_bundle_free(b);
		n++;
	}
	closedir(d);
	cr_assert_gt(n, 0, "no CPython bundles in %s", dir);
}
