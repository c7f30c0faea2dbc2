/* test_bundle_rejections.c - malformed bundles, one row each with the
 * loader's exact answer (SPEC 1, 3.15); the bundles are the tiny synthetic
 * ones of tests/support/bundle_fx.h. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "bundle_fx.h"
#include "vrun.h"

TestSuite(bundle);


/* ---- malformed bundles, one row each ---------------------------------- */

/*
 * Each row changes one member of base_bundle(V03) (or, with path NULL,
 * replaces the whole text) and names exactly what the loader must answer:
 * status, step and a fragment of the message, as BearSSL's
 * test/x509/alltests.txt pairs each chain with its expected result.
 * value is JSON text; NULL deletes the member. An array at `path` has its
 * element `key` (a decimal index) replaced.
 */
struct bundle_case {
	const char *name;
	const char *path;
	const char *key;
	const char *value;
	int code;
	pyverify_step step;
	const char *msg;
};

#define TLE "verificationMaterial.tlogEntries.0"
#define PROOF TLE ".inclusionProof"
#define REJECT(name, path, key, value, msg)                                  \
	{ name, path, key, value, PYVERIFY_EPARSE,                           \
	  PYVERIFY_STEP_BUNDLE_FORMAT, msg }
#define REJECT_TEXT(name, text, msg) REJECT(name, NULL, NULL, text, msg)

static const struct bundle_case bundle_rejections[] = {
	/* The text itself. */
	REJECT_TEXT("truncated_text", "{\"mediaType\": \"x\"",
	            "not valid JSON"),
	REJECT_TEXT("empty_text", "", "not valid JSON"),
	REJECT_TEXT("an_array", "[1]", "expected a JSON object"),
	REJECT_TEXT("two_objects", "{} {}", "not valid JSON"),
	REJECT_TEXT("a_duplicate_member", "{\"a\":1,\"a\":2}",
	            "not valid JSON"),
	REJECT_TEXT("a_nul_in_a_string", "{\"mediaType\":\"a\\u0000b\"}",
	            "not valid JSON"),
	REJECT_TEXT("nesting_beyond_the_limit",
	            "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]"
	            "]]]]]]]]]]]]]]]]]]]",
	            "deeper"),
	/* Media types, named in the message. */
	REJECT("media_type_version_99_9", "", "mediaType",
	       "\"application/vnd.dev.sigstore.bundle+json;version=99.9\"",
	       "application/vnd.dev.sigstore.bundle+json;version=99.9"),
	REJECT("media_type_v0_4", "", "mediaType",
	       "\"application/vnd.dev.sigstore.bundle.v0.4+json\"",
	       "application/vnd.dev.sigstore.bundle.v0.4+json"),
	REJECT("media_type_v0_3_1", "", "mediaType",
	       "\"application/vnd.dev.sigstore.bundle.v0.3.1+json\"",
	       "application/vnd.dev.sigstore.bundle.v0.3.1+json"),
	REJECT("media_type_without_version", "", "mediaType",
	       "\"application/vnd.dev.sigstore.bundle+json\"",
	       "application/vnd.dev.sigstore.bundle+json"),
	REJECT("no_media_type", "", "mediaType", NULL, "mediaType is missing"),
	/* Unknown, doubled and null members. */
	REJECT("unknown_top_level_member", "", "extra", "true",
	       "unknown member \"extra\" in the top level"),
	REJECT("unknown_member_of_a_proof", PROOF, "foo", "\"x\"",
	       "\"foo\" in verificationMaterial.tlogEntries[0]"
	       ".inclusionProof"),
	REJECT("unknown_member_of_a_digest", "messageSignature.messageDigest",
	       "hint", "\"x\"", "messageSignature.messageDigest"),
	REJECT("a_member_in_both_spellings", "verificationMaterial.certificate",
	       "raw_bytes", "\"b3RoZXI=\"", "given twice"),
	REJECT("null_dsse_envelope", "", "dsseEnvelope", "null",
	       "dsseEnvelope is null"),
	REJECT("null_integrated_time", TLE, "integratedTime", "null",
	       "integratedTime is null"),
	/* Bytes: standard padded base64 only. */
	REJECT("base64_without_padding", "messageSignature", "signature",
	       "\"c2lnbmF0dXJlcw\"",
	       "messageSignature.signature is not valid base64"),
	REJECT("base64url", "messageSignature", "signature",
	       "\"c2ln_mF0dXJlcw==\"",
	       "messageSignature.signature is not valid base64"),
	REJECT("base64_with_short_padding", "messageSignature", "signature",
	       "\"c2lnbmF0dXJlcw=\"",
	       "messageSignature.signature is not valid base64"),
	REJECT("not_base64", "messageSignature", "signature", "\"@@@@\"",
	       "messageSignature.signature is not valid base64"),
	REJECT("base64_with_nonzero_padding_bits", "messageSignature",
	       "signature", "\"c2lnbmF0dXJlcx==\"",
	       "messageSignature.signature is not valid base64"),
	REJECT("bytes_as_a_number", "messageSignature", "signature", "5",
	       "expected a string"),
	/* int64 fields. */
	REJECT("negative_log_index_string", TLE, "logIndex", "\"-1\"",
	       "verificationMaterial.tlogEntries[0].logIndex"),
	REJECT("log_index_with_a_leading_zero", TLE, "logIndex", "\"01\"",
	       "verificationMaterial.tlogEntries[0].logIndex"),
	REJECT("hexadecimal_log_index", TLE, "logIndex", "\"0x10\"",
	       "verificationMaterial.tlogEntries[0].logIndex"),
	REJECT("fractional_log_index", TLE, "logIndex", "\"1.0\"",
	       "verificationMaterial.tlogEntries[0].logIndex"),
	REJECT("log_index_with_a_space", TLE, "logIndex", "\" 1\"",
	       "verificationMaterial.tlogEntries[0].logIndex"),
	REJECT("empty_log_index", TLE, "logIndex", "\"\"",
	       "verificationMaterial.tlogEntries[0].logIndex"),
	REJECT("log_index_of_2_to_the_63", TLE, "logIndex",
	       "\"9223372036854775808\"",
	       "verificationMaterial.tlogEntries[0].logIndex"),
	REJECT("log_index_of_twenty_digits", TLE, "logIndex",
	       "\"99999999999999999999999\"",
	       "verificationMaterial.tlogEntries[0].logIndex"),
	REJECT("negative_log_index_number", TLE, "logIndex", "-1",
	       "is -1, expected a non-negative"),
	REJECT("real_integrated_time", TLE, "integratedTime", "1.0",
	       "integratedTime is a real number"),
	/* Verification material: exactly one. */
	REJECT("no_verification_material_member", "verificationMaterial",
	       "certificate", NULL, "has 0 of publicKey"),
	REJECT("two_verification_material_members", "verificationMaterial",
	       "publicKey", "{\"hint\":\"abc\"}", "has 2 of publicKey"),
	REJECT("no_verification_material", "", "verificationMaterial", NULL,
	       "verificationMaterial is missing"),
	/* A log entry. */
	REJECT("log_id_of_31_bytes", TLE ".logId", "keyId",
	       "\"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ==\"",
	       "tlogEntries[0].logId.keyId is 31 bytes, expected 32"),
	REJECT("no_log_id", TLE, "logId", NULL,
	       "tlogEntries[0].logId is missing"),
	REJECT("no_kind_version", TLE, "kindVersion", NULL,
	       "kindVersion is missing"),
	REJECT("empty_kind_version", TLE ".kindVersion", "version", "\"\"",
	       "kindVersion.version is empty"),
	REJECT("no_canonicalized_body", TLE, "canonicalizedBody", NULL,
	       "canonicalizedBody is missing"),
	REJECT("empty_inclusion_promise", TLE, "inclusionPromise", "{}",
	       "inclusionPromise.signedEntryTimestamp is missing"),
	REJECT("log_entry_not_an_object", "verificationMaterial.tlogEntries",
	       "0", "\"x\"", "tlogEntries[0] is not an object"),
	/* An inclusion proof. */
	REJECT("root_hash_of_33_bytes", PROOF, "rootHash",
	       "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"",
	       "rootHash is 33 bytes, expected 32"),
	REJECT("empty_tree", PROOF, "treeSize", "\"0\"",
	       "expected 0 <= logIndex < treeSize"),
	REJECT("proof_index_at_tree_size", PROOF, "logIndex", "\"100\"",
	       "logIndex 100 and treeSize 100"),
	REJECT("no_checkpoint", PROOF, "checkpoint", NULL,
	       "inclusionProof.checkpoint is missing"),
	REJECT("empty_checkpoint", PROOF, "checkpoint", "{\"envelope\":\"\"}",
	       "checkpoint.envelope is empty"),
};

ParameterizedTestParameters(bundle, rejects_each_malformed_bundle)
{
	return vr_rows(sizeof(bundle_rejections) /
	               sizeof(bundle_rejections[0]));
}

/* The text of base_bundle(V03) changed as row c says; malloc'd. */
static char *
row_text(const struct bundle_case *c)
{
	json_t *j = bf_base_bundle(V03), *where = bf_at(j, c->path), *v;
	char *text;

	if (c->value == NULL) {
		bf_del(j, c->path, c->key);
	} else {
		v = json_loads(c->value, JSON_DECODE_ANY, NULL);
		cr_assert_not_null(v, "%s: bad row value", c->name);
		if (json_is_array(where))
			cr_assert_eq(json_array_set_new(where,
			                                strtoul(c->key, NULL, 10),
			                                v), 0);
		else
			bf_set(j, c->path, c->key, v);
	}
	text = json_dumps(j, JSON_COMPACT);
	cr_assert_not_null(text);
	json_decref(j);
	return text;
}

ParameterizedTest(const size_t *row, bundle, rejects_each_malformed_bundle)
{
	const struct bundle_case *c = &bundle_rejections[*row];
	pyverify_bundle *b = NULL;
	pyverify_error err = { 0 };
	char *text = c->path != NULL ? row_text(c) : NULL;
	int rc = bf_load_text(text != NULL ? text : c->value, &b, &err);

	cr_assert_eq(rc, c->code, "%s: rc %d (%s)", c->name, rc, err.msg);
	cr_assert_eq(err.step, c->step, "%s: step %d", c->name, (int)err.step);
	cr_assert_not_null(strstr(err.msg, c->msg),
	                   "%s: message \"%s\" lacks \"%s\"", c->name, err.msg,
	                   c->msg);
	cr_assert_null(b, "%s", c->name);
	free(text);
}
