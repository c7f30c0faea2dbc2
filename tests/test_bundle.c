/* test_bundle.c - the bundle parser: shape, encodings, bounds and version
 * rules (SPEC 1, 3.15), on the tiny synthetic bundles of
 * tests/support/bundle_fx.h (the malformed ones, one row each, are in
 * test_bundle_rejections.c) and on the real bundles of ../shared. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "bundle_fx.h"
#include "verify/steps.h"

Test(bundle, loads_a_v03_bundle_and_fills_every_field)
{
	pyverify_bundle *b = bf_expect_load(bf_base_bundle(V03));
	const struct pv_tlog_entry *e;
	size_t i;

	cr_assert_str_eq(pyverify_bundle_media_type(b), V03);
	cr_assert_eq(b->minor, 3);
	cr_assert_eq(b->material, PV_MATERIAL_CERTIFICATE);
	cr_assert_eq(b->n_certs, 1);
	cr_assert(bf_bytes_eq(&b->certs[0], "leaf-der"));
	cr_assert_null(b->key_hint);
	cr_assert_eq(b->content, PV_CONTENT_MESSAGE);
	cr_assert(b->has_message_digest);
	cr_assert_eq(b->digest_alg, PV_HASH_SHA2_256);
	cr_assert(bf_all_bytes(&b->message_digest, 0x44, 32));
	cr_assert(bf_bytes_eq(&b->signature, "signature-bytes"));
	cr_assert_eq(b->n_entries, 1);
	e = &b->entries[0];
	cr_assert_eq(e->log_index, 42);
	for (i = 0; i < 32; i++)
		cr_assert_eq(e->log_id[i], 0xaa);
	cr_assert_str_eq(e->kind, "hashedrekord");
	cr_assert_str_eq(e->version, "0.0.1");
	cr_assert_eq(e->integrated_time, 1700000060);
	cr_assert(bf_bytes_eq(&e->set, "set-bytes"));
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
	cr_assert(bf_bytes_eq(&e->body, "{\"kind\":\"x\"}"));
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
		pyverify_bundle *b = bf_expect_load(bf_base_bundle(cases[i].mt));
		cr_assert_eq(b->minor, cases[i].minor, "%s", cases[i].mt);
		cr_assert_eq(b->material, cases[i].minor < 3
		                              ? PV_MATERIAL_CHAIN
		                              : PV_MATERIAL_CERTIFICATE);
		pyverify_bundle_free(b);
	}
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
	json_t *camel = bf_base_bundle(V02), *snake = to_snake(camel);
	pyverify_bundle *b;

	cr_assert_not_null(json_object_get(snake, "verification_material"));
	json_decref(camel);
	b = bf_expect_load(snake);
	cr_assert_eq(b->n_certs, 1);
	cr_assert_eq(b->entries[0].proof.tree_size, 100);
	cr_assert_eq(b->digest_alg, PV_HASH_SHA2_256);
	pyverify_bundle_free(b);
}

Test(bundle, reads_int64_fields_as_strings_or_integers)
{
	json_t *j = bf_base_bundle(V03);
	pyverify_bundle *b;

	bf_set(j, "verificationMaterial.tlogEntries.0", "logIndex",
	       json_integer(7));
	bf_set(j, "verificationMaterial.tlogEntries.0", "integratedTime",
	       json_string("9223372036854775807"));
	bf_del(j, "verificationMaterial.tlogEntries.0.inclusionProof",
	       "logIndex");
	b = bf_expect_load(j);
	cr_assert_eq(b->entries[0].log_index, 7);
	cr_assert_eq(b->entries[0].integrated_time, INT64_MAX);
	cr_assert_eq(b->entries[0].proof.log_index, 0, "absent is 0");
	pyverify_bundle_free(b);
}

Test(bundle, reads_a_public_key_hint_which_may_be_empty)
{
	json_t *j = bf_base_bundle(V03);
	pyverify_bundle *b;

	bf_del(j, "verificationMaterial", "certificate");
	bf_set(j, "verificationMaterial", "publicKey",
	       json_pack("{s:s}", "hint", "TLMsSDfG3ajP="));
	b = bf_expect_load(j);
	cr_assert_eq(b->material, PV_MATERIAL_PUBLIC_KEY);
	cr_assert_eq(b->n_certs, 0);
	cr_assert_str_eq(b->key_hint, "TLMsSDfG3ajP=");
	pyverify_bundle_free(b);

	j = bf_base_bundle(V03);
	bf_del(j, "verificationMaterial", "certificate");
	bf_set(j, "verificationMaterial", "publicKey", json_object());
	b = bf_expect_load(j);
	cr_assert_str_eq(b->key_hint, "");
	pyverify_bundle_free(b);
}

Test(bundle, reads_every_certificate_of_a_chain_in_order)
{
	json_t *j = bf_base_bundle(V01);
	json_t *certs = bf_at(j, "verificationMaterial.x509CertificateChain"
	                      ".certificates");
	pyverify_bundle *b;

	json_array_append_new(certs, json_pack("{s:o}", "rawBytes",
	                                       bf_b64_str("intermediate")));
	b = bf_expect_load(j);
	cr_assert_eq(b->n_certs, 2);
	cr_assert(bf_bytes_eq(&b->certs[0], "leaf-der"));
	cr_assert(bf_bytes_eq(&b->certs[1], "intermediate"));
	pyverify_bundle_free(b);
}

Test(bundle, rejects_empty_oversized_or_misplaced_certificate_chains)
{
	json_t *j = bf_base_bundle(V01), *certs;
	int i;

	json_array_clear(bf_at(j, "verificationMaterial.x509CertificateChain"
	                       ".certificates"));
	bf_expect_reject(j, "certificates is empty");

	j = bf_base_bundle(V01);
	bf_del(j, "verificationMaterial.x509CertificateChain", "certificates");
	bf_expect_reject(j, "certificates is empty");

	j = bf_base_bundle(V01);
	certs = bf_at(j,
	              "verificationMaterial.x509CertificateChain.certificates");
	for (i = 0; i < PV_MAX_CHAIN_CERTS; i++)
		json_array_append_new(certs, json_pack("{s:o}", "rawBytes",
		                                       bf_b64_str("x")));
	bf_expect_reject(j, "the limit is 10");

	/* SPEC 1.7: v0.3 forbids x509CertificateChain. */
	j = bf_base_bundle(V03);
	bf_del(j, "verificationMaterial", "certificate");
	bf_set(j, "verificationMaterial", "x509CertificateChain",
	       json_pack("{s:[{s:o}]}", "certificates", "rawBytes",
	                 bf_b64_str("leaf")));
	bf_expect_reject(j, "not allowed in a v0.3 bundle");

	/* ... and v0.1/v0.2 carry the leaf in a chain, not `certificate`. */
	j = bf_base_bundle(V02);
	bf_del(j, "verificationMaterial", "x509CertificateChain");
	bf_set(j, "verificationMaterial", "certificate",
	       json_pack("{s:o}", "rawBytes", bf_b64_str("leaf")));
	bf_expect_reject(j, "not allowed in a v0.2 bundle");

	j = bf_base_bundle(V03);
	bf_set(j, "verificationMaterial.certificate", "rawBytes",
	       json_string(""));
	bf_expect_reject(j, "certificate.rawBytes is empty");
}

Test(bundle, checks_the_message_digest_algorithm_and_length)
{
	json_t *j = bf_base_bundle(V03);
	pyverify_bundle *b;

	bf_set(j, "messageSignature.messageDigest", "digest", bf_b64(0x44, 31));
	bf_expect_reject(j, "messageSignature.messageDigest.digest is 31 bytes, "
	                 "expected 32");

	j = bf_base_bundle(V03);
	bf_set(j, "messageSignature.messageDigest", "algorithm",
	       json_string("SHA2_384"));
	bf_expect_reject(j, "is 32 bytes, expected 48");

	j = bf_base_bundle(V03);
	bf_set(j, "messageSignature.messageDigest", "algorithm",
	       json_string("SHA2_512"));
	bf_set(j, "messageSignature.messageDigest", "digest", bf_b64(0x55, 64));
	b = bf_expect_load(j);
	cr_assert_eq(b->digest_alg, PV_HASH_SHA2_512);
	cr_assert(bf_all_bytes(&b->message_digest, 0x55, 64));
	pyverify_bundle_free(b);

	j = bf_base_bundle(V03);
	bf_set(j, "messageSignature.messageDigest", "algorithm",
	       json_string("SHA3_256"));
	bf_expect_reject(j, "\"SHA3_256\", expected SHA2_256");

	/* Enums by name only. */
	j = bf_base_bundle(V03);
	bf_set(j, "messageSignature.messageDigest", "algorithm",
	       json_integer(1));
	bf_expect_reject(j, "algorithm is an integer");

	j = bf_base_bundle(V03);
	bf_del(j, "messageSignature", "messageDigest");
	b = bf_expect_load(j);
	cr_assert_eq(b->has_message_digest, 0);
	pyverify_bundle_free(b);
}

Test(bundle, requires_a_non_empty_message_signature)
{
	json_t *j = bf_base_bundle(V03);

	bf_del(j, "messageSignature", "signature");
	bf_expect_reject(j, "messageSignature.signature is missing");
	j = bf_base_bundle(V03);
	bf_set(j, "messageSignature", "signature", json_string(""));
	bf_expect_reject(j, "messageSignature.signature is empty");
}

static json_t *
dsse_bundle(json_t *signatures)
{
	json_t *j = bf_base_bundle(V03);

	bf_del(j, "", "messageSignature");
	bf_set(j, "", "dsseEnvelope",
	       json_pack("{s:o, s:s, s:o}", "payload",
	                 bf_b64_str("{\"_type\":1}"),
	                 "payloadType", "application/vnd.in-toto+json",
	                 "signatures", signatures));
	return j;
}

Test(bundle, reads_a_dsse_envelope_with_one_signature)
{
	pyverify_bundle *b = bf_expect_load(dsse_bundle(
	    json_pack("[{s:o, s:s}]", "sig", bf_b64_str("dsse-sig"), "keyid",
	              "")));

	cr_assert_eq(b->content, PV_CONTENT_DSSE);
	cr_assert(bf_bytes_eq(&b->payload, "{\"_type\":1}"));
	cr_assert_str_eq(b->payload_type, "application/vnd.in-toto+json");
	cr_assert(bf_bytes_eq(&b->signature, "dsse-sig"));
	cr_assert_str_eq(b->dsse_keyid, "");
	pyverify_bundle_free(b);

	b = bf_expect_load(dsse_bundle(
	    json_pack("[{s:o}]", "sig", bf_b64_str("dsse-sig"))));
	cr_assert_null(b->dsse_keyid);
	pyverify_bundle_free(b);
}

Test(bundle, rejects_dsse_envelopes_without_exactly_one_signature)
{
	json_t *j;

	bf_expect_reject(dsse_bundle(json_array()), "has 0 elements, expected "
	                                         "exactly 1");
	bf_expect_reject(dsse_bundle(json_pack("[{s:o}, {s:o}]", "sig",
	                                       bf_b64_str("a"), "sig", bf_b64_str("b"))),
	                 "has 2 elements");
	bf_expect_reject(dsse_bundle(json_pack("[{s:s}]", "sig", "")),
	                 "signatures[0].sig is empty");
	bf_expect_reject(dsse_bundle(json_pack("[{s:s}]", "keyid", "k")),
	                 "signatures[0].sig is missing");
	j = dsse_bundle(json_pack("[{s:o}]", "sig", bf_b64_str("a")));
	bf_set(j, "dsseEnvelope", "payload", json_string(""));
	bf_expect_reject(j, "dsseEnvelope.payload is empty");
	j = dsse_bundle(json_pack("[{s:o}]", "sig", bf_b64_str("a")));
	bf_del(j, "dsseEnvelope", "payloadType");
	bf_expect_reject(j, "dsseEnvelope.payloadType is missing");
}

Test(bundle, requires_exactly_one_content_member)
{
	json_t *j = bf_base_bundle(V03);

	bf_del(j, "", "messageSignature");
	bf_expect_reject(j, "neither");
	j = dsse_bundle(json_pack("[{s:o}]", "sig", bf_b64_str("a")));
	bf_set(j, "", "messageSignature",
	       json_pack("{s:o}", "signature", bf_b64_str("s")));
	bf_expect_reject(j, "both");
}

Test(bundle, requires_between_one_and_32_log_entries)
{
	json_t *j = bf_base_bundle(V03), *arr;
	int i;
	char idx[16];

	json_array_clear(bf_at(j, "verificationMaterial.tlogEntries"));
	bf_expect_reject(j, "at least one transparency log entry");
	j = bf_base_bundle(V03);
	bf_del(j, "verificationMaterial", "tlogEntries");
	bf_expect_reject(j, "at least one transparency log entry");

	j = bf_base_bundle(V03);
	arr = bf_at(j, "verificationMaterial.tlogEntries");
	for (i = 0; i < PV_MAX_TLOG_ENTRIES; i++) {
		snprintf(idx, sizeof(idx), "%d", 100 + i);
		json_array_append_new(arr, bf_entry(idx, 0xaa));
	}
	bf_expect_reject(j, "has 33 elements, the limit is 32");
}

Test(bundle, rejects_duplicate_log_entries_but_not_distinct_ones)
{
	json_t *j = bf_base_bundle(V03);
	pyverify_bundle *b;

	json_array_append_new(bf_at(j, "verificationMaterial.tlogEntries"),
	                      bf_entry("42", 0xaa));
	bf_expect_reject(j, "tlogEntries[1] duplicates tlogEntries[0]");

	j = bf_base_bundle(V03);
	json_array_append_new(bf_at(j, "verificationMaterial.tlogEntries"),
	                      bf_entry("42", 0xbb));
	json_array_append_new(bf_at(j, "verificationMaterial.tlogEntries"),
	                      bf_entry("43", 0xaa));
	b = bf_expect_load(j);
	cr_assert_eq(b->n_entries, 3);
	cr_assert_eq(b->entries[1].log_id[0], 0xbb);
	cr_assert_eq(b->entries[2].log_index, 43);
	pyverify_bundle_free(b);
}

Test(bundle, checks_the_inclusion_proof)
{
	const char *p = "verificationMaterial.tlogEntries.0.inclusionProof";
	json_t *j, *hashes;
	pyverify_bundle *b;
	int i;

	j = bf_base_bundle(V03);
	json_array_append_new(bf_at(j, "verificationMaterial.tlogEntries.0"
	                            ".inclusionProof.hashes"),
	                      bf_b64(0, 32));
	json_array_append_new(bf_at(j, "verificationMaterial.tlogEntries.0"
	                            ".inclusionProof.hashes"),
	                      bf_b64(0, 31));
	bf_expect_reject(j, "verificationMaterial.tlogEntries[0].inclusionProof"
	                 ".hashes[3] is 31 bytes, expected 32");

	j = bf_base_bundle(V03);
	hashes = bf_at(j, "verificationMaterial.tlogEntries.0.inclusionProof"
	               ".hashes");
	for (i = 0; i < PV_MAX_PROOF_HASHES; i++)
		json_array_append_new(hashes, bf_b64(0, 32));
	bf_expect_reject(j, "hashes has 66 elements, the limit is 64");

	/* The other defects of a proof are rows of bundle_rejections. */

	/* Tree of one leaf: no hashes, and the list may be absent. */
	j = bf_base_bundle(V03);
	bf_del(j, p, "hashes");
	bf_set(j, p, "treeSize", json_string("1"));
	bf_set(j, p, "logIndex", json_string("0"));
	b = bf_expect_load(j);
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

	j = bf_base_bundle(V03);
	bf_set(j, p, "checkpoint", json_pack("{s:s}", "envelope", note));
	text = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(j);
	cr_assert_not_null(text);
	cr_assert_not_null(strstr(text, "\\u2014 w\\uD83D\\uDE00 "));
	cr_assert_eq(bf_load_text(text, &b, &err), 0, "%s", err.msg);
	cr_assert_eq(b->entries[0].proof.checkpoint_len, strlen(note));
	cr_assert_eq(memcmp(b->entries[0].proof.checkpoint, note,
	                    sizeof(note)), 0);
	pyverify_bundle_free(b);

	/* A lone surrogate is not a character. */
	hit = strstr(text, "\\uDE00");
	memcpy(hit, "\\u0077", 6);
	bf_expect_text_reject(text, "not valid JSON");
	/* Nor is a NUL, which would end the note early for C code. */
	hit = strstr(text, "\\u0077");
	memcpy(hit, "\\u0000", 6);
	bf_expect_text_reject(text, "not valid JSON");
	free(text);
}

Test(bundle, applies_the_version_rules_for_promises_and_proofs)
{
	json_t *j;
	pyverify_bundle *b;

	/* SPEC 1.7: v0.1 requires the promise, the proof is optional. */
	j = bf_base_bundle(V01);
	bf_del(j, "verificationMaterial.tlogEntries.0", "inclusionPromise");
	bf_expect_reject(j, "which a v0.1 bundle requires");
	j = bf_base_bundle(V01);
	bf_del(j, "verificationMaterial.tlogEntries.0", "inclusionProof");
	b = bf_expect_load(j);
	cr_assert_eq(b->entries[0].has_proof, 0);
	cr_assert_null(b->entries[0].proof.checkpoint);
	pyverify_bundle_free(b);

	/* v0.2+ requires the proof; the promise is optional (Rekor v2). */
	j = bf_base_bundle(V02);
	bf_del(j, "verificationMaterial.tlogEntries.0", "inclusionProof");
	bf_expect_reject(j, "which a v0.2 bundle requires");
	j = bf_base_bundle(V03B);
	bf_del(j, "verificationMaterial.tlogEntries.0", "inclusionProof");
	bf_expect_reject(j, "which a v0.3 bundle requires");
	j = bf_base_bundle(V03B);
	bf_del(j, "verificationMaterial.tlogEntries.0", "inclusionPromise");
	bf_del(j, "verificationMaterial.tlogEntries.0", "integratedTime");
	b = bf_expect_load(j);
	cr_assert_eq(b->entries[0].set.len, 0);
	cr_assert_eq(b->entries[0].integrated_time, 0);
	pyverify_bundle_free(b);
}

Test(bundle, reads_rfc3161_timestamps_and_rejects_duplicates)
{
	json_t *j = bf_base_bundle(V03), *arr;
	pyverify_bundle *b;
	int i;

	bf_set(j, "verificationMaterial", "timestampVerificationData",
	       json_pack("{s:[{s:o}, {s:o}]}", "rfc3161Timestamps",
	                 "signedTimestamp", bf_b64_str("ts-one"), "signedTimestamp",
	                 bf_b64_str("ts-two")));
	b = bf_expect_load(j);
	cr_assert_eq(b->n_timestamps, 2);
	cr_assert(bf_bytes_eq(&b->timestamps[0], "ts-one"));
	cr_assert(bf_bytes_eq(&b->timestamps[1], "ts-two"));
	pyverify_bundle_free(b);

	j = bf_base_bundle(V03);
	bf_set(j, "verificationMaterial", "timestampVerificationData",
	       json_pack("{s:[{s:o}, {s:o}]}", "rfc3161Timestamps",
	                 "signedTimestamp", bf_b64_str("ts-one"), "signedTimestamp",
	                 bf_b64_str("ts-one")));
	bf_expect_reject(j, "rfc3161Timestamps[1] duplicates "
	                 "rfc3161Timestamps[0]");

	j = bf_base_bundle(V03);
	bf_set(j, "verificationMaterial", "timestampVerificationData",
	       json_pack("{s:[{s:s}]}", "rfc3161Timestamps", "signedTimestamp",
	                 ""));
	bf_expect_reject(j, "signedTimestamp is empty");

	j = bf_base_bundle(V03);
	bf_set(j, "verificationMaterial", "timestampVerificationData",
	       json_pack("{s:[]}", "rfc3161Timestamps"));
	arr = bf_at(j, "verificationMaterial.timestampVerificationData"
	            ".rfc3161Timestamps");
	for (i = 0; i <= PV_MAX_TIMESTAMPS; i++) {
		char text[16];
		snprintf(text, sizeof(text), "ts-%d", i);
		json_array_append_new(arr, json_pack("{s:o}", "signedTimestamp",
		                                     bf_b64_str(text)));
	}
	bf_expect_reject(j, "the limit is 32");

	j = bf_base_bundle(V03);
	bf_set(j, "verificationMaterial", "timestampVerificationData",
	       json_object());
	b = bf_expect_load(j);
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
	json_t *j = bf_base_bundle(V03B);
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
