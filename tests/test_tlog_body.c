/*
 * test_tlog_body.c - log entry bodies against the bundle's signed content
 * (lib/verify/tlog.c, pv_tlog_check_body): hashedrekord 0.0.1 and 0.0.2,
 * dsse 0.0.1, intoto 0.0.2, each minted by hand on the fixture of
 * tests/support/tlog_fx.h; rejections are tables with their exact answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tlog_fx.h"
#include "vrun.h"

TestSuite(tlog, .init = tf_setup, .fini = tf_teardown);

Test(tlog, accepts_hashedrekord_v001_about_this_signature_and_writes_leaf_hash)
{
	tf_v001_default();
	tf_assert_ok();
}

/* Issue 8 defect 8: hashedrekord 0.0.1 with sha384 and sha512 (P-384 and
 * P-521 signers); the algorithm must be the one the bundle signs. */
Test(tlog, accepts_hashedrekord_v001_with_sha384_and_sha512_digests)
{
	static const struct {
		const char *name;
		int alg;
		const EVP_MD *(*md)(void);
	} algs[] = {
		{ "sha384", PV_HASH_SHA2_384, EVP_sha384 },
		{ "sha512", PV_HASH_SHA2_512, EVP_sha512 },
	};
	uint8_t d[64];
	char hex[129];
	unsigned int n = 0;
	size_t i;

	for (i = 0; i < 2; i++) {
		cr_assert_eq(EVP_Digest(tf_artifact, strlen(tf_artifact), d, &n,
		                        algs[i].md(), NULL), 1);
		pv_hex_encode(hex, d, n);
		tf_set_body("hashedrekord", "0.0.1",
		            tf_v001(algs[i].name, hex, &tf.sig, tf.cert_pem));
		tf.c.digest_alg = algs[i].alg;
		tf.c.artifact_digest = d;
		tf_assert_ok();
		cr_assert_eq(pv_tlog_body_digest_alg(&tf.e), algs[i].alg);
		/* Another digest of that length. */
		d[0] ^= 1;
		tf_assert_fails(PYVERIFY_EREJECT);
		cr_assert(strstr(tf.err.msg, "another artifact") != NULL, "%s",
		          tf.err.msg);
		d[0] ^= 1;
		/* The bundle signs the SHA-256 digest instead. */
		tf.c.digest_alg = 0;
		tf.c.artifact_digest = NULL;
		tf_assert_fails(PYVERIFY_EREJECT);
		cr_assert(strstr(tf.err.msg,
		                 "bundle signs its sha256 digest") != NULL,
		          "%s", tf.err.msg);
	}
	/* Not a SHA-2 name at all. */
	tf_set_body("hashedrekord", "0.0.1",
	            tf_v001("md5", NULL, &tf.sig, tf.cert_pem));
	tf_assert_fails(PYVERIFY_EREJECT);
	cr_assert(strstr(tf.err.msg, "not supported") != NULL, "%s",
	          tf.err.msg);
	cr_assert_eq(pv_tlog_body_digest_alg(&tf.e), 0);
}

Test(tlog, accepts_hashedrekord_v001_public_key_entry_for_a_key_bundle)
{
	tf_key_bundle();
	tf_set_body("hashedrekord", "0.0.1",
	            tf_v001("sha256", NULL, &tf.sig, tf.key_pem));
	tf_assert_ok();
}

/* ---- hashedrekord 0.0.1 rejections, one row each ---- */

static void
v001_for_another_artifact_digest(void)
{
	tf_set_body("hashedrekord", "0.0.1",
	            tf_v001("sha256",
	                    "a0cfc71271d6e278e57cd332ff957c3f"
	                    "7043fdda354c4cbb190a30d56efa01bf",
	                    &tf.sig, tf.cert_pem));
}

static void
v001_with_an_unsupported_digest_algorithm(void)
{
	tf_set_body("hashedrekord", "0.0.1",
	            tf_v001("sha512", NULL, &tf.sig, tf.cert_pem));
}

static void
v001_with_a_malformed_digest(void)
{
	tf_set_body("hashedrekord", "0.0.1", tf_v001("sha256", "abcd", &tf.sig,
	                                             tf.cert_pem));
}

static void
v001_with_a_second_valid_signature(void)
{
	struct pv_bytes other = { NULL, 0 };

	/* ECDSA is randomised: same key, same artifact, other bytes. */
	tf_sign(tf.pkey, tf_artifact, strlen(tf_artifact), &other);
	tf_set_body("hashedrekord", "0.0.1",
	            tf_v001("sha256", NULL, &other, tf.cert_pem));
	pv_bytes_clear(&other);
}

static void
v001_naming_another_certificate(void)
{
	EVP_PKEY *k = tf_gen_key("P-256");
	X509 *x = tf_self_signed(k, "other");
	char *pem = tf_pem_of(x, NULL);

	tf_set_body("hashedrekord", "0.0.1",
	            tf_v001("sha256", NULL, &tf.sig, pem));
	free(pem);
	X509_free(x);
	EVP_PKEY_free(k);
}

static void
v001_public_key_entry_for_a_certificate_bundle(void)
{
	/* Even the leaf's own key: a key entry never vouches for a cert. */
	tf_set_body("hashedrekord", "0.0.1",
	            tf_v001("sha256", NULL, &tf.sig, tf.key_pem));
}

static void
v001_certificate_entry_for_a_key_bundle(void)
{
	tf_key_bundle();
	tf_v001_default();
}

static void
v001_naming_another_public_key(void)
{
	EVP_PKEY *k = tf_gen_key("P-256");
	char *pem = tf_pem_of(NULL, k);

	tf_key_bundle();
	tf_set_body("hashedrekord", "0.0.1",
	            tf_v001("sha256", NULL, &tf.sig, pem));
	free(pem);
	EVP_PKEY_free(k);
}

static void
v001_with_two_pem_blocks(void)
{
	size_t n = strlen(tf.cert_pem);
	char *two = malloc(2 * n + 1);

	cr_assert_not_null(two);
	memcpy(two, tf.cert_pem, n);
	memcpy(two + n, tf.cert_pem, n + 1);
	tf_set_body("hashedrekord", "0.0.1",
	            tf_v001("sha256", NULL, &tf.sig, two));
	free(two);
}

static void
v001_with_text_before_the_pem_block(void)
{
	size_t n = strlen(tf.cert_pem);
	char *pre = malloc(n + 8);

	cr_assert_not_null(pre);
	memcpy(pre, "junk\n", 5);
	memcpy(pre + 5, tf.cert_pem, n + 1);
	tf_set_body("hashedrekord", "0.0.1",
	            tf_v001("sha256", NULL, &tf.sig, pre));
	free(pre);
}

static void
v001_with_an_unexpected_pem_label(void)
{
	char *pem = strdup(tf.cert_pem);
	char *p;

	cr_assert_not_null(pem);
	/* Same length label: "CERTIFICATE" -> "CERTIFICATX" on both lines. */
	for (p = strstr(pem, "CERTIFICATE"); p; p = strstr(p, "CERTIFICATE"))
		p[10] = 'X';
	tf_set_body("hashedrekord", "0.0.1",
	            tf_v001("sha256", NULL, &tf.sig, pem));
	free(pem);
}

static void
v001_with_an_unknown_member(void)
{
	json_t *v = tf_v001("sha256", NULL, &tf.sig, tf.cert_pem);

	json_object_set_new(json_object_get(json_object_get(v, "spec"), "data"),
	                    "content", json_string("aGVsbG8K"));
	tf_set_body("hashedrekord", "0.0.1", v);
}

static void
v001_without_a_public_key(void)
{
	json_t *v = tf_v001("sha256", NULL, &tf.sig, tf.cert_pem);

	json_object_del(json_object_get(json_object_get(v, "spec"),
	                                "signature"), "publicKey");
	tf_set_body("hashedrekord", "0.0.1", v);
}

static void
v001_with_invalid_base64_signature(void)
{
	json_t *v = tf_v001("sha256", NULL, &tf.sig, tf.cert_pem);

	json_object_set_new(json_object_get(json_object_get(v, "spec"),
	                                    "signature"),
	                    "content", json_string("INVALID!!!BASE64===="));
	tf_set_body("hashedrekord", "0.0.1", v);
}

static void
v001_for_a_dsse_bundle(void)
{
	tf_v001_default();
	tf_dsse();
}

static const struct body_case v001_rejections[] = {
	BODY_CASE(v001_for_another_artifact_digest, PYVERIFY_EREJECT,
	          PYVERIFY_STEP_TLOG_BODY, "another artifact"),
	BODY_CASE(v001_with_an_unsupported_digest_algorithm, PYVERIFY_EREJECT,
	          PYVERIFY_STEP_TLOG_BODY, NULL),
	BODY_CASE(v001_with_a_malformed_digest, PYVERIFY_EPARSE,
	          PYVERIFY_STEP_TLOG_BODY, NULL),
	BODY_CASE(v001_with_a_second_valid_signature, PYVERIFY_EREJECT,
	          PYVERIFY_STEP_TLOG_BODY, NULL),
	BODY_CASE(v001_naming_another_certificate, PYVERIFY_EREJECT,
	          PYVERIFY_STEP_TLOG_BODY, NULL),
	BODY_CASE(v001_public_key_entry_for_a_certificate_bundle,
	          PYVERIFY_EREJECT, PYVERIFY_STEP_TLOG_BODY, NULL),
	BODY_CASE(v001_certificate_entry_for_a_key_bundle, PYVERIFY_EREJECT,
	          PYVERIFY_STEP_TLOG_BODY, NULL),
	BODY_CASE(v001_naming_another_public_key, PYVERIFY_EREJECT,
	          PYVERIFY_STEP_TLOG_BODY, NULL),
	BODY_CASE(v001_with_two_pem_blocks, PYVERIFY_EPARSE,
	          PYVERIFY_STEP_TLOG_BODY, NULL),
	BODY_CASE(v001_with_text_before_the_pem_block, PYVERIFY_EPARSE,
	          PYVERIFY_STEP_TLOG_BODY, NULL),
	BODY_CASE(v001_with_an_unexpected_pem_label, PYVERIFY_EPARSE,
	          PYVERIFY_STEP_TLOG_BODY, NULL),
	BODY_CASE(v001_with_an_unknown_member, PYVERIFY_EPARSE,
	          PYVERIFY_STEP_TLOG_BODY, NULL),
	BODY_CASE(v001_without_a_public_key, PYVERIFY_EPARSE,
	          PYVERIFY_STEP_TLOG_BODY, NULL),
	BODY_CASE(v001_with_invalid_base64_signature, PYVERIFY_EPARSE,
	          PYVERIFY_STEP_TLOG_BODY, NULL),
	BODY_CASE(v001_for_a_dsse_bundle, PYVERIFY_EREJECT,
	          PYVERIFY_STEP_TLOG_BODY, NULL),
};

ParameterizedTestParameters(tlog, rejects_hashedrekord_v001)
{
	return vr_rows(ARRAY_LEN(v001_rejections));
}

ParameterizedTest(const size_t *row, tlog, rejects_hashedrekord_v001)
{
	tf_assert_case(&v001_rejections[*row]);
}

/* ---- envelope of the body ---- */

Test(tlog, rejects_a_body_whose_kind_differs_from_kind_version)
{
	tf_v001_default();
	snprintf(tf.e.kind, sizeof(tf.e.kind), "%s", "rekord");
	tf_assert_fails(PYVERIFY_EREJECT);
	tf_v001_default();
	snprintf(tf.e.version, sizeof(tf.e.version), "%s", "0.0.2");
	tf_assert_fails(PYVERIFY_EREJECT);
}

Test(tlog, rejects_unsupported_kinds_with_their_name)
{
	tf_set_body_text("rekord", "0.0.1",
	                 "{\"apiVersion\":\"0.0.1\",\"kind\":\"rekord\","
	                 "\"spec\":{}}");
	tf_assert_fails(PYVERIFY_EREJECT);
	cr_assert(strstr(tf.err.msg, "rekord version 0.0.1") != NULL, "%s",
	          tf.err.msg);
	tf_set_body_text("dsse", "0.0.2",
	                 "{\"apiVersion\":\"0.0.2\",\"kind\":\"dsse\","
	                 "\"spec\":{}}");
	tf_dsse();
	tf_assert_fails(PYVERIFY_EREJECT);
}

Test(tlog, rejects_bodies_that_are_not_one_json_object)
{
	tf_set_body_text("hashedrekord", "0.0.1", "{\"kind\":");
	tf_assert_fails(PYVERIFY_EPARSE);
	tf_set_body_text("hashedrekord", "0.0.1", "[]");
	tf_assert_fails(PYVERIFY_EPARSE);
	tf_set_body_text("hashedrekord", "0.0.1",
	                 "{\"apiVersion\":\"0.0.1\",\"kind\":\"hashedrekord\","
	                 "\"spec\":{}} {}");
	tf_assert_fails(PYVERIFY_EPARSE);
	tf_set_body_text("hashedrekord", "0.0.1",
	                 "{\"apiVersion\":\"0.0.1\",\"kind\":\"hashedrekord\","
	                 "\"kind\":\"hashedrekord\",\"spec\":{}}");
	tf_assert_fails(PYVERIFY_EPARSE);
	tf_set_body_text("hashedrekord", "0.0.1",
	                 "{\"apiVersion\":\"0.0.1\","
	                 "\"kind\":\"hashedrekord\"}");
	tf_assert_fails(PYVERIFY_EPARSE);
	pv_bytes_clear(&tf.e.body);
	tf_assert_fails(PYVERIFY_EPARSE);
}

/* ---- hashedrekord 0.0.2 ---- */

/* The canonical body written out by hand (not with lib/util/jcs.c). */
static void
v002(const char *alg, const uint8_t *digest, size_t dlen,
     const struct pv_bytes *sig, const char *details, const char *member_name,
     const uint8_t *raw, size_t rawlen)
{
	char *d = tf_b64(digest, dlen), *s = tf_b64(sig->data, sig->len);
	char *r = tf_b64(raw, rawlen);
	size_t n = strlen(d) + strlen(s) + strlen(r) + 512;
	char *text = malloc(n);

	cr_assert_not_null(text);
	snprintf(text, n,
	         "{\"apiVersion\":\"0.0.2\",\"kind\":\"hashedrekord\","
	         "\"spec\":{\"hashedRekordV002\":{\"data\":{\"algorithm\":"
	         "\"%s\",\"digest\":\"%s\"},\"signature\":{\"content\":\"%s\","
	         "\"verifier\":{\"keyDetails\":\"%s\",\"%s\":{\"rawBytes\":"
	         "\"%s\"}}}}}}",
	         alg, d, s, details, member_name, r);
	tf_set_body_text("hashedrekord", "0.0.2", text);
	free(text);
	free(d);
	free(s);
	free(r);
}

static void
v002_default(void)
{
	v002("SHA2_256", tf.digest, 32, &tf.sig, "PKIX_ECDSA_P256_SHA_256",
	     "x509Certificate", tf.cert_der.data, tf.cert_der.len);
}

Test(tlog, accepts_hashedrekord_v002_equal_to_the_rebuilt_canonical_body)
{
	v002_default();
	tf_assert_ok();
}

Test(tlog, accepts_hashedrekord_v002_with_a_public_key_verifier)
{
	tf_key_bundle();
	v002("SHA2_256", tf.digest, 32, &tf.sig, "PKIX_ECDSA_P256_SHA_256",
	     "publicKey", tf.key.spki.data, tf.key.spki.len);
	tf_assert_ok();
	/* ... but not for a certificate bundle. */
	tf.c.cert_der = tf.cert_der.data;
	tf.c.cert_len = tf.cert_der.len;
	tf_assert_fails(PYVERIFY_EREJECT);
}

Test(tlog, accepts_hashedrekord_v002_over_dsse_with_the_pae_digest)
{
	struct pv_bytes pae = { NULL, 0 };
	uint8_t d[32];

	tf_dsse();
	cr_assert_eq(pv_dsse_pae(&pae, tf_in_toto_type,
	                         (const uint8_t *)tf_statement,
	                         strlen(tf_statement)), 0);
	cr_assert_eq(pv_sha256(d, pae.data, pae.len), 0);
	pv_bytes_clear(&pae);
	v002("SHA2_256", d, 32, &tf.dsse_sig, "PKIX_ECDSA_P256_SHA_256",
	     "x509Certificate", tf.cert_der.data, tf.cert_der.len);
	tf_assert_ok();
	/* The payload hash alone is not the PAE digest. */
	cr_assert_eq(pv_sha256(d, tf_statement, strlen(tf_statement)), 0);
	v002("SHA2_256", d, 32, &tf.dsse_sig, "PKIX_ECDSA_P256_SHA_256",
	     "x509Certificate", tf.cert_der.data, tf.cert_der.len);
	tf_assert_fails(PYVERIFY_EREJECT);
}

Test(tlog, rejects_hashedrekord_v002_with_another_certificate_or_key_details)
{
	EVP_PKEY *k = tf_gen_key("P-256");
	X509 *x = tf_self_signed(k, "other");
	struct pv_bytes der = { NULL, 0 };

	tf_der_of_cert(x, &der);
	v002("SHA2_256", tf.digest, 32, &tf.sig, "PKIX_ECDSA_P256_SHA_256",
	     "x509Certificate", der.data, der.len);
	pv_bytes_clear(&der);
	X509_free(x);
	EVP_PKEY_free(k);
	tf_assert_fails(PYVERIFY_EREJECT);
	cr_assert(strstr(tf.err.msg, "verifier") != NULL, "%s", tf.err.msg);
	v002("SHA2_256", tf.digest, 32, &tf.sig, "PKIX_ECDSA_P384_SHA_384",
	     "x509Certificate", tf.cert_der.data, tf.cert_der.len);
	tf_assert_fails(PYVERIFY_EREJECT);
}

Test(tlog, rejects_hashedrekord_v002_that_is_not_byte_for_byte_canonical)
{
	char *text;
	size_t n;

	v002_default();
	n = tf.e.body.len;
	text = malloc(n + 2);
	cr_assert_not_null(text);
	/* A trailing space: same JSON value, other bytes, other leaf. */
	memcpy(text, tf.e.body.data, n);
	memcpy(text + n, " ", 2);
	tf_set_body_text("hashedrekord", "0.0.2", text);
	free(text);
	tf_assert_fails(PYVERIFY_EREJECT);
	/* Members out of order (same length, same JSON value). */
	v002_default();
	cr_assert_eq(memcmp(tf.e.body.data,
	                    "{\"apiVersion\":\"0.0.2\","
	                    "\"kind\":\"hashedrekord\",", 44), 0);
	memcpy(tf.e.body.data,
	       "{\"kind\":\"hashedrekord\",\"apiVersion\":\"0.0.2\",", 44);
	tf_assert_fails(PYVERIFY_EREJECT);
}

/* Issue 8 defect 8: a P-384 key signs the SHA-384 digest of the artifact
 * (PKIX_ECDSA_P384_SHA_384); the rebuilt 0.0.2 body names SHA2_384 and
 * carries that digest. A body that records SHA2_384 for a bundle that
 * signs the SHA-256 digest is another signing event. */
Test(tlog, accepts_hashedrekord_v002_for_a_p384_message_signature)
{
	EVP_PKEY *k = tf_gen_key("P-384");
	struct pv_pubkey key384;
	uint8_t d384[48];
	unsigned int n = 0;

	cr_assert_eq(EVP_Digest(tf_artifact, strlen(tf_artifact), d384, &n,
	                        EVP_sha384(), NULL), 1);
	tf_spki_key(&key384, k, PV_KEY_PKIX_ECDSA_P384_SHA_384);
	tf_key_bundle();
	tf.c.key = &key384;
	v002("SHA2_384", d384, sizeof(d384), &tf.sig,
	     "PKIX_ECDSA_P384_SHA_384", "publicKey", key384.spki.data,
	     key384.spki.len);
	/* Before: "only SHA-256 artifact digests are supported". */
	tf.c.digest_alg = PV_HASH_SHA2_384;
	tf.c.artifact_digest = d384;
	tf_assert_ok();
	/* The bundle signs the SHA-256 digest: the entry is not about it. */
	tf.c.digest_alg = 0;
	tf.c.artifact_digest = NULL;
	tf_assert_fails(PYVERIFY_EREJECT);
	cr_assert(strstr(tf.err.msg, "another artifact") != NULL, "%s",
	          tf.err.msg);
	pv_pubkey_clear(&key384);
	EVP_PKEY_free(k);
}

Test(tlog, accepts_hashedrekord_v002_over_dsse_with_a_p384_prehash)
{
	EVP_PKEY *k = tf_gen_key("P-384");
	struct pv_pubkey key384;
	struct pv_bytes pae = { NULL, 0 };
	uint8_t d[48];
	unsigned int dlen = 0;

	tf_spki_key(&key384, k, PV_KEY_PKIX_ECDSA_P384_SHA_384);
	tf_key_bundle();
	tf_dsse();
	tf.c.key = &key384;
	cr_assert_eq(pv_dsse_pae(&pae, tf_in_toto_type,
	                         (const uint8_t *)tf_statement,
	                         strlen(tf_statement)), 0);
	cr_assert_eq(EVP_Digest(pae.data, pae.len, d, &dlen, EVP_sha384(),
	                        NULL), 1);
	pv_bytes_clear(&pae);
	v002("SHA2_384", d, dlen, &tf.dsse_sig, "PKIX_ECDSA_P384_SHA_384",
	     "publicKey", key384.spki.data, key384.spki.len);
	tf_assert_ok();
	pv_pubkey_clear(&key384);
	EVP_PKEY_free(k);
}

Test(tlog, rejects_hashedrekord_v002_for_an_ed25519_key)
{
	EVP_PKEY *k = tf_gen_key(NULL);
	struct pv_pubkey ed;

	tf_spki_key(&ed, k, PV_KEY_PKIX_ED25519);
	tf_key_bundle();
	tf.c.key = &ed;
	v002("SHA2_512", tf.digest, 32, &tf.sig, "PKIX_ED25519", "publicKey",
	     ed.spki.data, ed.spki.len);
	tf_assert_fails(PYVERIFY_EREJECT);
	pv_pubkey_clear(&ed);
	EVP_PKEY_free(k);
}

static void
v002_for_another_artifact(void)
{
	uint8_t d[32];

	memcpy(d, tf.digest, 32);
	d[31] ^= 1;
	v002("SHA2_256", d, 32, &tf.sig, "PKIX_ECDSA_P256_SHA_256",
	     "x509Certificate", tf.cert_der.data, tf.cert_der.len);
}

static void
v002_with_a_second_valid_signature(void)
{
	struct pv_bytes other = { NULL, 0 };

	tf_sign(tf.pkey, tf_artifact, strlen(tf_artifact), &other);
	v002("SHA2_256", tf.digest, 32, &other, "PKIX_ECDSA_P256_SHA_256",
	     "x509Certificate", tf.cert_der.data, tf.cert_der.len);
	pv_bytes_clear(&other);
}

static const struct body_case v002_rejections[] = {
	BODY_CASE(v002_for_another_artifact, PYVERIFY_EREJECT,
	          PYVERIFY_STEP_TLOG_BODY, "another artifact"),
	BODY_CASE(v002_with_a_second_valid_signature, PYVERIFY_EREJECT,
	          PYVERIFY_STEP_TLOG_BODY, "signature"),
};

ParameterizedTestParameters(tlog, rejects_hashedrekord_v002)
{
	return vr_rows(ARRAY_LEN(v002_rejections));
}

ParameterizedTest(const size_t *row, tlog, rejects_hashedrekord_v002)
{
	tf_assert_case(&v002_rejections[*row]);
}

/* ---- dsse 0.0.1 ---- */

static json_t *
dsse001(const struct pv_bytes *sig, const char *pem)
{
	uint8_t h[32];
	char hex[65];
	char *s64 = tf_b64(sig->data, sig->len), *p64 = tf_b64s(pem);
	json_t *v;

	cr_assert_eq(pv_sha256(h, tf_statement, strlen(tf_statement)), 0);
	pv_hex_encode(hex, h, 32);
	v = json_pack("{s:s, s:s, s:{s:{s:s, s:s}, s:{s:s, s:s}, "
	              "s:[{s:s, s:s}]}}",
	              "apiVersion", "0.0.1", "kind", "dsse", "spec",
	              "envelopeHash", "algorithm", "sha256", "value",
	              "5608b4de188cd2cf3b6d79691c3160fd"
	              "6feeec89000000000000000000000000",
	              "payloadHash", "algorithm", "sha256", "value", hex,
	              "signatures", "signature", s64, "verifier", p64);
	free(s64);
	free(p64);
	return v;
}

Test(tlog, accepts_dsse_v001_about_this_envelope)
{
	tf_dsse();
	tf_set_body("dsse", "0.0.1", dsse001(&tf.dsse_sig, tf.cert_pem));
	tf_assert_ok();
}

Test(tlog, rejects_dsse_v001_with_a_second_valid_signature)
{
	struct pv_bytes other = { NULL, 0 }, pae = { NULL, 0 };

	tf_dsse();
	cr_assert_eq(pv_dsse_pae(&pae, tf_in_toto_type,
	                         (const uint8_t *)tf_statement,
	                         strlen(tf_statement)), 0);
	tf_sign(tf.pkey, pae.data, pae.len, &other);
	pv_bytes_clear(&pae);
	tf_set_body("dsse", "0.0.1", dsse001(&other, tf.cert_pem));
	pv_bytes_clear(&other);
	tf_assert_fails(PYVERIFY_EREJECT);
}

static void
dsse_for_another_payload(void)
{
	tf_dsse();
	tf_set_body("dsse", "0.0.1", dsse001(&tf.dsse_sig, tf.cert_pem));
	tf.c.payload_len--;
}

static void
dsse_naming_another_certificate(void)
{
	EVP_PKEY *k = tf_gen_key("P-256");
	X509 *x = tf_self_signed(k, "other");
	char *pem = tf_pem_of(x, NULL);

	tf_dsse();
	tf_set_body("dsse", "0.0.1", dsse001(&tf.dsse_sig, pem));
	free(pem);
	X509_free(x);
	EVP_PKEY_free(k);
}

static void
dsse_with_two_signatures(void)
{
	json_t *v, *sigs;

	tf_dsse();
	v = dsse001(&tf.dsse_sig, tf.cert_pem);
	sigs = json_object_get(json_object_get(v, "spec"), "signatures");
	json_array_append_new(sigs, json_deep_copy(json_array_get(sigs, 0)));
	tf_set_body("dsse", "0.0.1", v);
}

static void
dsse_for_a_message_signature_bundle(void)
{
	tf_set_body("dsse", "0.0.1", dsse001(&tf.dsse_sig, tf.cert_pem));
}

static const struct body_case dsse_rejections[] = {
	BODY_CASE(dsse_for_another_payload, PYVERIFY_EREJECT,
	          PYVERIFY_STEP_TLOG_BODY, NULL),
	BODY_CASE(dsse_naming_another_certificate, PYVERIFY_EREJECT,
	          PYVERIFY_STEP_TLOG_BODY, NULL),
	BODY_CASE(dsse_with_two_signatures, PYVERIFY_EREJECT,
	          PYVERIFY_STEP_TLOG_BODY, NULL),
	BODY_CASE(dsse_for_a_message_signature_bundle, PYVERIFY_EREJECT,
	          PYVERIFY_STEP_TLOG_BODY, NULL),
};

ParameterizedTestParameters(tlog, rejects_dsse_v001)
{
	return vr_rows(ARRAY_LEN(dsse_rejections));
}

ParameterizedTest(const size_t *row, tlog, rejects_dsse_v001)
{
	tf_assert_case(&dsse_rejections[*row]);
}

/* ---- intoto 0.0.2 ---- */

static json_t *
intoto002(const struct pv_bytes *sig, const char *pem, const char *ptype,
          const char *payload)
{
	uint8_t h[32];
	char hex[65];
	char *s1 = tf_b64(sig->data, sig->len), *s2 = tf_b64s(s1);
	char *p1 = tf_b64s(payload), *p2 = tf_b64s(p1), *k64 = tf_b64s(pem);
	json_t *v;

	cr_assert_eq(pv_sha256(h, tf_statement, strlen(tf_statement)), 0);
	pv_hex_encode(hex, h, 32);
	v = json_pack("{s:s, s:s, s:{s:{s:{s:s, s:s, s:[{s:s, s:s}]}, "
	              "s:{s:s, s:s}, s:{s:s, s:s}}}}",
	              "apiVersion", "0.0.2", "kind", "intoto", "spec",
	              "content", "envelope", "payload", p2, "payloadType",
	              ptype, "signatures", "publicKey", k64, "sig", s2,
	              "hash", "algorithm", "sha256", "value",
	              "3faa16b4e58b82c10ecac02bc03f2772"
	              "e573088c000000000000000000000000",
	              "payloadHash", "algorithm", "sha256", "value", hex);
	free(s1);
	free(s2);
	free(p1);
	free(p2);
	free(k64);
	return v;
}

static json_t *
intoto_envelope(json_t *v)
{
	return json_object_get(
	    json_object_get(json_object_get(v, "spec"), "content"), "envelope");
}

Test(tlog, accepts_intoto_v002_with_double_base64_fields)
{
	tf_dsse();
	tf_set_body("intoto", "0.0.2",
	            intoto002(&tf.dsse_sig, tf.cert_pem, tf_in_toto_type,
	                      tf_statement));
	tf_assert_ok();
}

Test(tlog, accepts_intoto_v002_without_the_payload)
{
	json_t *v;

	tf_dsse();
	v = intoto002(&tf.dsse_sig, tf.cert_pem, tf_in_toto_type, tf_statement);
	json_object_del(intoto_envelope(v), "payload");
	tf_set_body("intoto", "0.0.2", v);
	tf_assert_ok();
}

Test(tlog, rejects_intoto_v002_with_a_second_valid_signature)
{
	struct pv_bytes other = { NULL, 0 }, pae = { NULL, 0 };

	tf_dsse();
	cr_assert_eq(pv_dsse_pae(&pae, tf_in_toto_type,
	                         (const uint8_t *)tf_statement,
	                         strlen(tf_statement)), 0);
	tf_sign(tf.pkey, pae.data, pae.len, &other);
	pv_bytes_clear(&pae);
	tf_set_body("intoto", "0.0.2",
	            intoto002(&other, tf.cert_pem, tf_in_toto_type,
	                      tf_statement));
	pv_bytes_clear(&other);
	tf_assert_fails(PYVERIFY_EREJECT);
}

static void
intoto_whose_signature_is_single_base64(void)
{
	json_t *v;
	char *s1 = tf_b64(tf.dsse_sig.data, tf.dsse_sig.len);

	tf_dsse();
	v = intoto002(&tf.dsse_sig, tf.cert_pem, tf_in_toto_type, tf_statement);
	json_object_set_new(json_array_get(json_object_get(intoto_envelope(v),
	                                                   "signatures"), 0),
	                    "sig", json_string(s1));
	free(s1);
	tf_set_body("intoto", "0.0.2", v);
}

static void
intoto_with_another_payload_type(void)
{
	tf_dsse();
	tf_set_body("intoto", "0.0.2",
	            intoto002(&tf.dsse_sig, tf.cert_pem, "text/plain",
	                      tf_statement));
}

static void
intoto_whose_payload_differs(void)
{
	tf_dsse();
	tf_set_body("intoto", "0.0.2",
	            intoto002(&tf.dsse_sig, tf.cert_pem, tf_in_toto_type,
	                      "{}"));
}

static const struct body_case intoto_rejections[] = {
	BODY_CASE(intoto_whose_signature_is_single_base64, PYVERIFY_EPARSE,
	          PYVERIFY_STEP_TLOG_BODY, NULL),
	BODY_CASE(intoto_with_another_payload_type, PYVERIFY_EREJECT,
	          PYVERIFY_STEP_TLOG_BODY, NULL),
	BODY_CASE(intoto_whose_payload_differs, PYVERIFY_EREJECT,
	          PYVERIFY_STEP_TLOG_BODY, NULL),
};

ParameterizedTestParameters(tlog, rejects_intoto_v002)
{
	return vr_rows(ARRAY_LEN(intoto_rejections));
}

ParameterizedTest(const size_t *row, tlog, rejects_intoto_v002)
{
	tf_assert_case(&intoto_rejections[*row]);
}
