/*
 * test_tlog.c - log entry body consistency and signed entry timestamps
 * (lib/verify/tlog.c).
 *
 * Two halves: entries minted here with generated keys (always run), and
 * the conformance fixtures in ../shared/testdata (skipped when absent).
 * The bundle parser is not used: fixtures are read with jansson directly so
 * that this module is tested on its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "verify/steps.h"

/* ========================================================================= */
/* Minted material                                                           */
/* ========================================================================= */

static const char artifact[] = "hello\n";
static const char in_toto_type[] = "application/vnd.in-toto+json";
static const char statement[] =
    "{\"_type\":\"https://in-toto.io/Statement/v1\"}";

static EVP_PKEY *
gen_key(const char *curve)
{
	EVP_PKEY *k = curve ? EVP_EC_gen(curve)
	                    : EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

	cr_assert_not_null(k, "key generation failed");
	return k;
}

static void
sign(EVP_PKEY *k, const void *msg, size_t len, struct pv_bytes *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t n = 0;

	cr_assert_not_null(ctx);
	cr_assert_eq(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k), 1);
	cr_assert_eq(EVP_DigestSign(ctx, NULL, &n, msg, len), 1);
	out->data = malloc(n);
	cr_assert_not_null(out->data);
	cr_assert_eq(EVP_DigestSign(ctx, out->data, &n, msg, len), 1);
	out->len = n;
	EVP_MD_CTX_free(ctx);
}

static X509 *
self_signed(EVP_PKEY *k, const char *cn)
{
	X509 *x = X509_new();
	X509_NAME *name;

	cr_assert_not_null(x);
	cr_assert_eq(X509_set_version(x, 2), 1);
	cr_assert_eq(ASN1_INTEGER_set(X509_get_serialNumber(x), 1), 1);
	cr_assert_not_null(X509_gmtime_adj(X509_getm_notBefore(x), 0));
	cr_assert_not_null(X509_gmtime_adj(X509_getm_notAfter(x), 600));
	name = X509_get_subject_name(x);
	cr_assert_eq(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	                                        (const unsigned char *)cn, -1,
	                                        -1, 0), 1);
	cr_assert_eq(X509_set_issuer_name(x, name), 1);
	cr_assert_eq(X509_set_pubkey(x, k), 1);
	cr_assert(X509_sign(x, k, EVP_sha256()) > 0);
	return x;
}

static void
der_of_cert(X509 *x, struct pv_bytes *out)
{
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);

	cr_assert(n > 0);
	cr_assert_eq(pv_bytes_dup(out, der, (size_t)n), 0);
	OPENSSL_free(der);
}

/* PEM text of a certificate (cert != NULL) or of a public key. */
static char *
pem_of(X509 *cert, EVP_PKEY *key)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p = NULL, *s;
	long n;

	cr_assert_not_null(bio);
	cr_assert_eq(cert ? PEM_write_bio_X509(bio, cert)
	                  : PEM_write_bio_PUBKEY(bio, key), 1);
	n = BIO_get_mem_data(bio, &p);
	cr_assert(n > 0);
	s = malloc((size_t)n + 1);
	cr_assert_not_null(s);
	memcpy(s, p, (size_t)n);
	s[n] = '\0';
	BIO_free(bio);
	return s;
}

static char *
b64(const void *p, size_t n)
{
	char *s = pv_b64_encode(p, n);

	cr_assert_not_null(s);
	return s;
}

static char *
b64s(const char *s)
{
	return b64(s, strlen(s));
}

static void
spki_key(struct pv_pubkey *out, EVP_PKEY *k, int details)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(k, &der);
	pyverify_error err = { 0 };

	cr_assert(n > 0);
	cr_assert_eq(pv_pubkey_from_der(out, details, der, (size_t)n,
	                                PYVERIFY_STEP_KEY, &err), 0, "%s",
	             err.msg);
	OPENSSL_free(der);
}

/* One signer (P-256 leaf), its message and DSSE signatures, and an entry. */
struct fx {
	EVP_PKEY *pkey;
	X509 *cert;
	struct pv_bytes cert_der;
	char *cert_pem;
	char *key_pem;
	struct pv_pubkey key;
	uint8_t digest[32];
	struct pv_bytes sig;      /* over the artifact */
	struct pv_bytes dsse_sig; /* over PAE(in_toto_type, statement) */
	struct pv_tlog_entry e;
	struct pv_signed_content c;
	pyverify_error err;
	uint8_t leaf[32];
};

static struct fx F;

static void
fx_setup(void)
{
	struct pv_bytes pae = { NULL, 0 };

	memset(&F, 0, sizeof(F));
	F.pkey = gen_key("P-256");
	F.cert = self_signed(F.pkey, "leaf");
	der_of_cert(F.cert, &F.cert_der);
	F.cert_pem = pem_of(F.cert, NULL);
	F.key_pem = pem_of(NULL, F.pkey);
	cr_assert_eq(pv_pubkey_from_x509(&F.key, F.cert, PYVERIFY_STEP_KEY,
	                                 &F.err), 0);
	cr_assert_eq(pv_sha256(F.digest, artifact, strlen(artifact)), 0);
	sign(F.pkey, artifact, strlen(artifact), &F.sig);
	cr_assert_eq(pv_dsse_pae(&pae, in_toto_type,
	                         (const uint8_t *)statement,
	                         strlen(statement)), 0);
	sign(F.pkey, pae.data, pae.len, &F.dsse_sig);
	pv_bytes_clear(&pae);

	F.c.content = PV_CONTENT_MESSAGE;
	F.c.artifact_sha256 = F.digest;
	F.c.signature = F.sig.data;
	F.c.signature_len = F.sig.len;
	F.c.cert_der = F.cert_der.data;
	F.c.cert_len = F.cert_der.len;
	F.c.key = &F.key;
	F.e.log_index = 42;
}

static void
fx_teardown(void)
{
	EVP_PKEY_free(F.pkey);
	X509_free(F.cert);
	pv_bytes_clear(&F.cert_der);
	free(F.cert_pem);
	free(F.key_pem);
	pv_pubkey_clear(&F.key);
	pv_bytes_clear(&F.sig);
	pv_bytes_clear(&F.dsse_sig);
	pv_bytes_clear(&F.e.body);
	pv_bytes_clear(&F.e.set);
}

/* Switches the signed content to the DSSE envelope. */
static void
fx_dsse(void)
{
	F.c.content = PV_CONTENT_DSSE;
	F.c.artifact_sha256 = NULL;
	F.c.signature = F.dsse_sig.data;
	F.c.signature_len = F.dsse_sig.len;
	F.c.payload = (const uint8_t *)statement;
	F.c.payload_len = strlen(statement);
	F.c.payload_type = in_toto_type;
}

/* Switches to a key bundle (no certificate). */
static void
fx_key_bundle(void)
{
	F.c.cert_der = NULL;
	F.c.cert_len = 0;
}

static void
set_body_text(const char *kind, const char *version, const char *text)
{
	pv_bytes_clear(&F.e.body);
	cr_assert_eq(pv_bytes_dup(&F.e.body, text, strlen(text)), 0);
	snprintf(F.e.kind, sizeof(F.e.kind), "%s", kind);
	snprintf(F.e.version, sizeof(F.e.version), "%s", version);
}

/* Sets the entry body to the compact JSON of v (consumed). */
static void
set_body(const char *kind, const char *version, json_t *v)
{
	char *s;

	cr_assert_not_null(v);
	s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	cr_assert_not_null(s);
	set_body_text(kind, version, s);
	free(s);
	json_decref(v);
}

static int
check(void)
{
	memset(&F.err, 0, sizeof(F.err));
	memset(F.leaf, 0xAA, sizeof(F.leaf));
	return pv_tlog_check_body(&F.e, &F.c, F.leaf, &F.err);
}

static void
assert_ok(void)
{
	uint8_t want[32];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	static const uint8_t zero = 0;

	cr_assert_eq(check(), 0, "rejected: %s", F.err.msg);
	/* RFC 6962: leaf = SHA-256(0x00 || body) */
	cr_assert_not_null(ctx);
	cr_assert_eq(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL), 1);
	cr_assert_eq(EVP_DigestUpdate(ctx, &zero, 1), 1);
	cr_assert_eq(EVP_DigestUpdate(ctx, F.e.body.data, F.e.body.len), 1);
	cr_assert_eq(EVP_DigestFinal_ex(ctx, want, NULL), 1);
	EVP_MD_CTX_free(ctx);
	cr_assert_eq(memcmp(F.leaf, want, 32), 0, "wrong leaf hash");
}

static void
assert_fails(int code)
{
	uint8_t untouched[32];

	memset(untouched, 0xAA, sizeof(untouched));
	cr_assert_eq(check(), code, "got %d (%s), want %d", F.err.code,
	             F.err.msg, code);
	cr_assert_eq(F.err.step, PYVERIFY_STEP_TLOG_BODY);
	cr_assert_eq(memcmp(F.leaf, untouched, 32), 0,
	             "leaf hash written on failure");
}

/* ---- hashedrekord 0.0.1 ---- */

static json_t *
v001(const char *alg, const char *hexdigest, const struct pv_bytes *sig,
     const char *pem)
{
	char hex[65];
	char *sig64, *pem64;
	json_t *v;

	if (hexdigest == NULL) {
		pv_hex_encode(hex, F.digest, 32);
		hexdigest = hex;
	}
	sig64 = b64(sig->data, sig->len);
	pem64 = b64s(pem);
	v = json_pack("{s:s, s:s, s:{s:{s:{s:s, s:s}}, s:{s:s, s:{s:s}}}}",
	              "apiVersion", "0.0.1", "kind", "hashedrekord", "spec",
	              "data", "hash", "algorithm", alg, "value", hexdigest,
	              "signature", "content", sig64, "publicKey", "content",
	              pem64);
	free(sig64);
	free(pem64);
	return v;
}

static void
v001_default(void)
{
	set_body("hashedrekord", "0.0.1",
	         v001("sha256", NULL, &F.sig, F.cert_pem));
}

TestSuite(tlog, .init = fx_setup, .fini = fx_teardown);

Test(tlog, accepts_hashedrekord_v001_about_this_signature_and_writes_leaf_hash)
{
	v001_default();
	assert_ok();
}

Test(tlog, rejects_hashedrekord_v001_for_another_artifact_digest)
{
	set_body("hashedrekord", "0.0.1",
	         v001("sha256",
	              "a0cfc71271d6e278e57cd332ff957c3f"
	              "7043fdda354c4cbb190a30d56efa01bf",
	              &F.sig, F.cert_pem));
	assert_fails(PYVERIFY_EREJECT);
	cr_assert(strstr(F.err.msg, "another artifact") != NULL, "%s",
	          F.err.msg);
}

Test(tlog, rejects_hashedrekord_v001_with_an_unsupported_digest_algorithm)
{
	set_body("hashedrekord", "0.0.1",
	         v001("sha512", NULL, &F.sig, F.cert_pem));
	assert_fails(PYVERIFY_EREJECT);
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
		cr_assert_eq(EVP_Digest(artifact, strlen(artifact), d, &n,
		                        algs[i].md(), NULL), 1);
		pv_hex_encode(hex, d, n);
		set_body("hashedrekord", "0.0.1",
		         v001(algs[i].name, hex, &F.sig, F.cert_pem));
		F.c.digest_alg = algs[i].alg;
		F.c.artifact_digest = d;
		assert_ok();
		cr_assert_eq(pv_tlog_body_digest_alg(&F.e), algs[i].alg);
		/* Another digest of that length. */
		d[0] ^= 1;
		assert_fails(PYVERIFY_EREJECT);
		cr_assert(strstr(F.err.msg, "another artifact") != NULL, "%s",
		          F.err.msg);
		d[0] ^= 1;
		/* The bundle signs the SHA-256 digest instead. */
		F.c.digest_alg = 0;
		F.c.artifact_digest = NULL;
		assert_fails(PYVERIFY_EREJECT);
		cr_assert(strstr(F.err.msg, "bundle signs its sha256 digest") !=
		          NULL, "%s", F.err.msg);
	}
	/* Not a SHA-2 name at all. */
	set_body("hashedrekord", "0.0.1", v001("md5", NULL, &F.sig, F.cert_pem));
	assert_fails(PYVERIFY_EREJECT);
	cr_assert(strstr(F.err.msg, "not supported") != NULL, "%s", F.err.msg);
	cr_assert_eq(pv_tlog_body_digest_alg(&F.e), 0);
}

Test(tlog, rejects_hashedrekord_v001_with_a_malformed_digest)
{
	set_body("hashedrekord", "0.0.1", v001("sha256", "abcd", &F.sig,
	                                       F.cert_pem));
	assert_fails(PYVERIFY_EPARSE);
}

Test(tlog, rejects_hashedrekord_v001_with_a_second_valid_signature)
{
	struct pv_bytes other = { NULL, 0 };

	/* ECDSA is randomised: same key, same artifact, other bytes. */
	sign(F.pkey, artifact, strlen(artifact), &other);
	set_body("hashedrekord", "0.0.1",
	         v001("sha256", NULL, &other, F.cert_pem));
	pv_bytes_clear(&other);
	assert_fails(PYVERIFY_EREJECT);
}

Test(tlog, rejects_hashedrekord_v001_naming_another_certificate)
{
	EVP_PKEY *k = gen_key("P-256");
	X509 *x = self_signed(k, "other");
	char *pem = pem_of(x, NULL);

	set_body("hashedrekord", "0.0.1", v001("sha256", NULL, &F.sig, pem));
	free(pem);
	X509_free(x);
	EVP_PKEY_free(k);
	assert_fails(PYVERIFY_EREJECT);
}

Test(tlog, rejects_hashedrekord_v001_public_key_entry_for_a_certificate_bundle)
{
	/* Even the leaf's own key: a key entry never vouches for a cert. */
	set_body("hashedrekord", "0.0.1",
	         v001("sha256", NULL, &F.sig, F.key_pem));
	assert_fails(PYVERIFY_EREJECT);
}

Test(tlog, accepts_hashedrekord_v001_public_key_entry_for_a_key_bundle)
{
	fx_key_bundle();
	set_body("hashedrekord", "0.0.1",
	         v001("sha256", NULL, &F.sig, F.key_pem));
	assert_ok();
}

Test(tlog, rejects_hashedrekord_v001_certificate_entry_for_a_key_bundle)
{
	fx_key_bundle();
	v001_default();
	assert_fails(PYVERIFY_EREJECT);
}

Test(tlog, rejects_hashedrekord_v001_naming_another_public_key)
{
	EVP_PKEY *k = gen_key("P-256");
	char *pem = pem_of(NULL, k);

	fx_key_bundle();
	set_body("hashedrekord", "0.0.1", v001("sha256", NULL, &F.sig, pem));
	free(pem);
	EVP_PKEY_free(k);
	assert_fails(PYVERIFY_EREJECT);
}

Test(tlog, rejects_hashedrekord_v001_with_two_pem_blocks)
{
	size_t n = strlen(F.cert_pem);
	char *two = malloc(2 * n + 1);

	cr_assert_not_null(two);
	memcpy(two, F.cert_pem, n);
	memcpy(two + n, F.cert_pem, n + 1);
	set_body("hashedrekord", "0.0.1", v001("sha256", NULL, &F.sig, two));
	free(two);
	assert_fails(PYVERIFY_EPARSE);
}

Test(tlog, rejects_hashedrekord_v001_with_text_before_the_pem_block)
{
	size_t n = strlen(F.cert_pem);
	char *pre = malloc(n + 8);

	cr_assert_not_null(pre);
	memcpy(pre, "junk\n", 5);
	memcpy(pre + 5, F.cert_pem, n + 1);
	set_body("hashedrekord", "0.0.1", v001("sha256", NULL, &F.sig, pre));
	free(pre);
	assert_fails(PYVERIFY_EPARSE);
}

Test(tlog, rejects_hashedrekord_v001_with_an_unexpected_pem_label)
{
	char *pem = strdup(F.cert_pem);
	char *p;

	cr_assert_not_null(pem);
	/* Same length label: "CERTIFICATE" -> "CERTIFICATX" on both lines. */
	for (p = strstr(pem, "CERTIFICATE"); p; p = strstr(p, "CERTIFICATE"))
		p[10] = 'X';
	set_body("hashedrekord", "0.0.1", v001("sha256", NULL, &F.sig, pem));
	free(pem);
	assert_fails(PYVERIFY_EPARSE);
}

Test(tlog, rejects_hashedrekord_v001_with_an_unknown_member)
{
	json_t *v = v001("sha256", NULL, &F.sig, F.cert_pem);

	json_object_set_new(json_object_get(json_object_get(v, "spec"), "data"),
	                    "content", json_string("aGVsbG8K"));
	set_body("hashedrekord", "0.0.1", v);
	assert_fails(PYVERIFY_EPARSE);
}

Test(tlog, rejects_hashedrekord_v001_without_a_public_key)
{
	json_t *v = v001("sha256", NULL, &F.sig, F.cert_pem);

	json_object_del(json_object_get(json_object_get(v, "spec"),
	                                "signature"), "publicKey");
	set_body("hashedrekord", "0.0.1", v);
	assert_fails(PYVERIFY_EPARSE);
}

Test(tlog, rejects_hashedrekord_v001_with_invalid_base64_signature)
{
	json_t *v = v001("sha256", NULL, &F.sig, F.cert_pem);

	json_object_set_new(json_object_get(json_object_get(v, "spec"),
	                                    "signature"),
	                    "content", json_string("INVALID!!!BASE64===="));
	set_body("hashedrekord", "0.0.1", v);
	assert_fails(PYVERIFY_EPARSE);
}

Test(tlog, rejects_hashedrekord_v001_for_a_dsse_bundle)
{
	v001_default();
	fx_dsse();
	assert_fails(PYVERIFY_EREJECT);
}

/* ---- envelope of the body ---- */

Test(tlog, rejects_a_body_whose_kind_differs_from_kind_version)
{
	v001_default();
	snprintf(F.e.kind, sizeof(F.e.kind), "%s", "rekord");
	assert_fails(PYVERIFY_EREJECT);
	v001_default();
	snprintf(F.e.version, sizeof(F.e.version), "%s", "0.0.2");
	assert_fails(PYVERIFY_EREJECT);
}

Test(tlog, rejects_unsupported_kinds_with_their_name)
{
	set_body_text("rekord", "0.0.1",
	              "{\"apiVersion\":\"0.0.1\",\"kind\":\"rekord\","
	              "\"spec\":{}}");
	assert_fails(PYVERIFY_EREJECT);
	cr_assert(strstr(F.err.msg, "rekord version 0.0.1") != NULL, "%s",
	          F.err.msg);
	set_body_text("dsse", "0.0.2",
	              "{\"apiVersion\":\"0.0.2\",\"kind\":\"dsse\","
	              "\"spec\":{}}");
	fx_dsse();
	assert_fails(PYVERIFY_EREJECT);
}

Test(tlog, rejects_bodies_that_are_not_one_json_object)
{
	set_body_text("hashedrekord", "0.0.1", "{\"kind\":");
	assert_fails(PYVERIFY_EPARSE);
	set_body_text("hashedrekord", "0.0.1", "[]");
	assert_fails(PYVERIFY_EPARSE);
	set_body_text("hashedrekord", "0.0.1",
	              "{\"apiVersion\":\"0.0.1\",\"kind\":\"hashedrekord\","
	              "\"spec\":{}} {}");
	assert_fails(PYVERIFY_EPARSE);
	set_body_text("hashedrekord", "0.0.1",
	              "{\"apiVersion\":\"0.0.1\",\"kind\":\"hashedrekord\","
	              "\"kind\":\"hashedrekord\",\"spec\":{}}");
	assert_fails(PYVERIFY_EPARSE);
	set_body_text("hashedrekord", "0.0.1",
	              "{\"apiVersion\":\"0.0.1\",\"kind\":\"hashedrekord\"}");
	assert_fails(PYVERIFY_EPARSE);
	pv_bytes_clear(&F.e.body);
	assert_fails(PYVERIFY_EPARSE);
}

/* ---- hashedrekord 0.0.2 ---- */

/* The canonical body written out by hand (not with lib/util/jcs.c). */
static void
v002(const char *alg, const uint8_t *digest, size_t dlen,
     const struct pv_bytes *sig, const char *details, const char *member_name,
     const uint8_t *raw, size_t rawlen)
{
	char *d = b64(digest, dlen), *s = b64(sig->data, sig->len);
	char *r = b64(raw, rawlen);
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
	set_body_text("hashedrekord", "0.0.2", text);
	free(text);
	free(d);
	free(s);
	free(r);
}

static void
v002_default(void)
{
	v002("SHA2_256", F.digest, 32, &F.sig, "PKIX_ECDSA_P256_SHA_256",
	     "x509Certificate", F.cert_der.data, F.cert_der.len);
}

Test(tlog, accepts_hashedrekord_v002_equal_to_the_rebuilt_canonical_body)
{
	v002_default();
	assert_ok();
}

Test(tlog, accepts_hashedrekord_v002_with_a_public_key_verifier)
{
	fx_key_bundle();
	v002("SHA2_256", F.digest, 32, &F.sig, "PKIX_ECDSA_P256_SHA_256",
	     "publicKey", F.key.spki.data, F.key.spki.len);
	assert_ok();
	/* ... but not for a certificate bundle. */
	F.c.cert_der = F.cert_der.data;
	F.c.cert_len = F.cert_der.len;
	assert_fails(PYVERIFY_EREJECT);
}

Test(tlog, accepts_hashedrekord_v002_over_dsse_with_the_pae_digest)
{
	struct pv_bytes pae = { NULL, 0 };
	uint8_t d[32];

	fx_dsse();
	cr_assert_eq(pv_dsse_pae(&pae, in_toto_type,
	                         (const uint8_t *)statement,
	                         strlen(statement)), 0);
	cr_assert_eq(pv_sha256(d, pae.data, pae.len), 0);
	pv_bytes_clear(&pae);
	v002("SHA2_256", d, 32, &F.dsse_sig, "PKIX_ECDSA_P256_SHA_256",
	     "x509Certificate", F.cert_der.data, F.cert_der.len);
	assert_ok();
	/* The payload hash alone is not the PAE digest. */
	cr_assert_eq(pv_sha256(d, statement, strlen(statement)), 0);
	v002("SHA2_256", d, 32, &F.dsse_sig, "PKIX_ECDSA_P256_SHA_256",
	     "x509Certificate", F.cert_der.data, F.cert_der.len);
	assert_fails(PYVERIFY_EREJECT);
}

Test(tlog, rejects_hashedrekord_v002_for_another_artifact)
{
	uint8_t d[32];

	memcpy(d, F.digest, 32);
	d[31] ^= 1;
	v002("SHA2_256", d, 32, &F.sig, "PKIX_ECDSA_P256_SHA_256",
	     "x509Certificate", F.cert_der.data, F.cert_der.len);
	assert_fails(PYVERIFY_EREJECT);
	cr_assert(strstr(F.err.msg, "another artifact") != NULL, "%s",
	          F.err.msg);
}

Test(tlog, rejects_hashedrekord_v002_with_a_second_valid_signature)
{
	struct pv_bytes other = { NULL, 0 };

	sign(F.pkey, artifact, strlen(artifact), &other);
	v002("SHA2_256", F.digest, 32, &other, "PKIX_ECDSA_P256_SHA_256",
	     "x509Certificate", F.cert_der.data, F.cert_der.len);
	pv_bytes_clear(&other);
	assert_fails(PYVERIFY_EREJECT);
	cr_assert(strstr(F.err.msg, "signature") != NULL, "%s", F.err.msg);
}

Test(tlog, rejects_hashedrekord_v002_with_another_certificate_or_key_details)
{
	EVP_PKEY *k = gen_key("P-256");
	X509 *x = self_signed(k, "other");
	struct pv_bytes der = { NULL, 0 };

	der_of_cert(x, &der);
	v002("SHA2_256", F.digest, 32, &F.sig, "PKIX_ECDSA_P256_SHA_256",
	     "x509Certificate", der.data, der.len);
	pv_bytes_clear(&der);
	X509_free(x);
	EVP_PKEY_free(k);
	assert_fails(PYVERIFY_EREJECT);
	cr_assert(strstr(F.err.msg, "verifier") != NULL, "%s", F.err.msg);
	v002("SHA2_256", F.digest, 32, &F.sig, "PKIX_ECDSA_P384_SHA_384",
	     "x509Certificate", F.cert_der.data, F.cert_der.len);
	assert_fails(PYVERIFY_EREJECT);
}

Test(tlog, rejects_hashedrekord_v002_that_is_not_byte_for_byte_canonical)
{
	char *text;
	size_t n;

	v002_default();
	n = F.e.body.len;
	text = malloc(n + 2);
	cr_assert_not_null(text);
	/* A trailing space: same JSON value, other bytes, other leaf. */
	memcpy(text, F.e.body.data, n);
	memcpy(text + n, " ", 2);
	set_body_text("hashedrekord", "0.0.2", text);
	free(text);
	assert_fails(PYVERIFY_EREJECT);
	/* Members out of order (same length, same JSON value). */
	v002_default();
	cr_assert_eq(memcmp(F.e.body.data,
	                    "{\"apiVersion\":\"0.0.2\",\"kind\":\"hashedrekord\",",
	                    44), 0);
	memcpy(F.e.body.data,
	       "{\"kind\":\"hashedrekord\",\"apiVersion\":\"0.0.2\",", 44);
	assert_fails(PYVERIFY_EREJECT);
}

/* Issue 8 defect 8: a P-384 key signs the SHA-384 digest of the artifact
 * (PKIX_ECDSA_P384_SHA_384); the rebuilt 0.0.2 body names SHA2_384 and
 * carries that digest. A body that records SHA2_384 for a bundle that
 * signs the SHA-256 digest is another signing event. */
Test(tlog, accepts_hashedrekord_v002_for_a_p384_message_signature)
{
	EVP_PKEY *k = gen_key("P-384");
	struct pv_pubkey key384;
	uint8_t d384[48];
	unsigned int n = 0;

	cr_assert_eq(EVP_Digest(artifact, strlen(artifact), d384, &n,
	                        EVP_sha384(), NULL), 1);
	spki_key(&key384, k, PV_KEY_PKIX_ECDSA_P384_SHA_384);
	fx_key_bundle();
	F.c.key = &key384;
	v002("SHA2_384", d384, sizeof(d384), &F.sig,
	     "PKIX_ECDSA_P384_SHA_384", "publicKey", key384.spki.data,
	     key384.spki.len);
	/* Before: "only SHA-256 artifact digests are supported". */
	F.c.digest_alg = PV_HASH_SHA2_384;
	F.c.artifact_digest = d384;
	assert_ok();
	/* The bundle signs the SHA-256 digest: the entry is not about it. */
	F.c.digest_alg = 0;
	F.c.artifact_digest = NULL;
	assert_fails(PYVERIFY_EREJECT);
	cr_assert(strstr(F.err.msg, "another artifact") != NULL, "%s",
	          F.err.msg);
	pv_pubkey_clear(&key384);
	EVP_PKEY_free(k);
}

Test(tlog, accepts_hashedrekord_v002_over_dsse_with_a_p384_prehash)
{
	EVP_PKEY *k = gen_key("P-384");
	struct pv_pubkey key384;
	struct pv_bytes pae = { NULL, 0 };
	uint8_t d[48];
	unsigned int dlen = 0;

	spki_key(&key384, k, PV_KEY_PKIX_ECDSA_P384_SHA_384);
	fx_key_bundle();
	fx_dsse();
	F.c.key = &key384;
	cr_assert_eq(pv_dsse_pae(&pae, in_toto_type,
	                         (const uint8_t *)statement,
	                         strlen(statement)), 0);
	cr_assert_eq(EVP_Digest(pae.data, pae.len, d, &dlen, EVP_sha384(),
	                        NULL), 1);
	pv_bytes_clear(&pae);
	v002("SHA2_384", d, dlen, &F.dsse_sig, "PKIX_ECDSA_P384_SHA_384",
	     "publicKey", key384.spki.data, key384.spki.len);
	assert_ok();
	pv_pubkey_clear(&key384);
	EVP_PKEY_free(k);
}

Test(tlog, rejects_hashedrekord_v002_for_an_ed25519_key)
{
	EVP_PKEY *k = gen_key(NULL);
	struct pv_pubkey ed;

	spki_key(&ed, k, PV_KEY_PKIX_ED25519);
	fx_key_bundle();
	F.c.key = &ed;
	v002("SHA2_512", F.digest, 32, &F.sig, "PKIX_ED25519", "publicKey",
	     ed.spki.data, ed.spki.len);
	assert_fails(PYVERIFY_EREJECT);
	pv_pubkey_clear(&ed);
	EVP_PKEY_free(k);
}

/* ---- dsse 0.0.1 ---- */

static json_t *
dsse001(const struct pv_bytes *sig, const char *pem)
{
	uint8_t h[32];
	char hex[65];
	char *s64 = b64(sig->data, sig->len), *p64 = b64s(pem);
	json_t *v;

	cr_assert_eq(pv_sha256(h, statement, strlen(statement)), 0);
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
	fx_dsse();
	set_body("dsse", "0.0.1", dsse001(&F.dsse_sig, F.cert_pem));
	assert_ok();
}

Test(tlog, rejects_dsse_v001_with_a_second_valid_signature)
{
	struct pv_bytes other = { NULL, 0 }, pae = { NULL, 0 };

	fx_dsse();
	cr_assert_eq(pv_dsse_pae(&pae, in_toto_type,
	                         (const uint8_t *)statement,
	                         strlen(statement)), 0);
	sign(F.pkey, pae.data, pae.len, &other);
	pv_bytes_clear(&pae);
	set_body("dsse", "0.0.1", dsse001(&other, F.cert_pem));
	pv_bytes_clear(&other);
	assert_fails(PYVERIFY_EREJECT);
}

Test(tlog, rejects_dsse_v001_for_another_payload)
{
	fx_dsse();
	set_body("dsse", "0.0.1", dsse001(&F.dsse_sig, F.cert_pem));
	F.c.payload_len--;
	assert_fails(PYVERIFY_EREJECT);
}

Test(tlog, rejects_dsse_v001_naming_another_certificate)
{
	EVP_PKEY *k = gen_key("P-256");
	X509 *x = self_signed(k, "other");
	char *pem = pem_of(x, NULL);

	fx_dsse();
	set_body("dsse", "0.0.1", dsse001(&F.dsse_sig, pem));
	free(pem);
	X509_free(x);
	EVP_PKEY_free(k);
	assert_fails(PYVERIFY_EREJECT);
}

Test(tlog, rejects_dsse_v001_with_two_signatures)
{
	json_t *v, *sigs;

	fx_dsse();
	v = dsse001(&F.dsse_sig, F.cert_pem);
	sigs = json_object_get(json_object_get(v, "spec"), "signatures");
	json_array_append_new(sigs, json_deep_copy(json_array_get(sigs, 0)));
	set_body("dsse", "0.0.1", v);
	assert_fails(PYVERIFY_EREJECT);
}

Test(tlog, rejects_dsse_v001_for_a_message_signature_bundle)
{
	set_body("dsse", "0.0.1", dsse001(&F.dsse_sig, F.cert_pem));
	assert_fails(PYVERIFY_EREJECT);
}

/* ---- intoto 0.0.2 ---- */

static json_t *
intoto002(const struct pv_bytes *sig, const char *pem, const char *ptype,
          const char *payload)
{
	uint8_t h[32];
	char hex[65];
	char *s1 = b64(sig->data, sig->len), *s2 = b64s(s1);
	char *p1 = b64s(payload), *p2 = b64s(p1), *k64 = b64s(pem);
	json_t *v;

	cr_assert_eq(pv_sha256(h, statement, strlen(statement)), 0);
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
	fx_dsse();
	set_body("intoto", "0.0.2",
	         intoto002(&F.dsse_sig, F.cert_pem, in_toto_type, statement));
	assert_ok();
}

Test(tlog, accepts_intoto_v002_without_the_payload)
{
	json_t *v;

	fx_dsse();
	v = intoto002(&F.dsse_sig, F.cert_pem, in_toto_type, statement);
	json_object_del(intoto_envelope(v), "payload");
	set_body("intoto", "0.0.2", v);
	assert_ok();
}

Test(tlog, rejects_intoto_v002_whose_signature_is_single_base64)
{
	json_t *v;
	char *s1 = b64(F.dsse_sig.data, F.dsse_sig.len);

	fx_dsse();
	v = intoto002(&F.dsse_sig, F.cert_pem, in_toto_type, statement);
	json_object_set_new(json_array_get(json_object_get(intoto_envelope(v),
	                                                   "signatures"), 0),
	                    "sig", json_string(s1));
	free(s1);
	set_body("intoto", "0.0.2", v);
	assert_fails(PYVERIFY_EPARSE);
}

Test(tlog, rejects_intoto_v002_with_another_payload_type)
{
	fx_dsse();
	set_body("intoto", "0.0.2",
	         intoto002(&F.dsse_sig, F.cert_pem, "text/plain", statement));
	assert_fails(PYVERIFY_EREJECT);
}

Test(tlog, rejects_intoto_v002_whose_payload_differs)
{
	fx_dsse();
	set_body("intoto", "0.0.2",
	         intoto002(&F.dsse_sig, F.cert_pem, in_toto_type, "{}"));
	assert_fails(PYVERIFY_EREJECT);
}

Test(tlog, rejects_intoto_v002_with_a_second_valid_signature)
{
	struct pv_bytes other = { NULL, 0 }, pae = { NULL, 0 };

	fx_dsse();
	cr_assert_eq(pv_dsse_pae(&pae, in_toto_type,
	                         (const uint8_t *)statement,
	                         strlen(statement)), 0);
	sign(F.pkey, pae.data, pae.len, &other);
	pv_bytes_clear(&pae);
	set_body("intoto", "0.0.2",
	         intoto002(&other, F.cert_pem, in_toto_type, statement));
	pv_bytes_clear(&other);
	assert_fails(PYVERIFY_EREJECT);
}

/* ---- signed entry timestamps ---- */

#define T0 ((int64_t)1700000000)

struct setfx {
	EVP_PKEY *log_key;
	struct pv_tlog log;
};

static struct setfx S;

/* A Rekor v1 style log (P-256) valid from T0 - 1 day, and F.e promised by
 * it at T0 with a SET over the payload written out by hand. */
static void
set_setup(void)
{
	fx_setup();
	memset(&S, 0, sizeof(S));
	S.log_key = gen_key("P-256");
	spki_key(&S.log.key, S.log_key, PV_KEY_PKIX_ECDSA_P256_SHA_256);
	memcpy(S.log.log_id, S.log.key.spki_sha256, 32);
	S.log.valid.start_ms = (T0 - 86400) * 1000;
	memcpy(F.e.log_id, S.log.log_id, 32);
	F.e.integrated_time = T0;
	F.e.log_index = 79571823;
	v001_default();
}

static void
set_teardown(void)
{
	pv_pubkey_clear(&S.log.key);
	EVP_PKEY_free(S.log_key);
	fx_teardown();
}

/* Signs the SET payload for the entry's current values with `key`. */
static void
promise(EVP_PKEY *key)
{
	char hex[65];
	char *body = b64(F.e.body.data, F.e.body.len);
	size_t n = strlen(body) + 256;
	char *payload = malloc(n);
	int len;

	cr_assert_not_null(payload);
	pv_hex_encode(hex, F.e.log_id, 32);
	len = snprintf(payload, n,
	               "{\"body\":\"%s\",\"integratedTime\":%lld,"
	               "\"logID\":\"%s\",\"logIndex\":%lld}",
	               body, (long long)F.e.integrated_time, hex,
	               (long long)F.e.log_index);
	cr_assert(len > 0 && (size_t)len < n);
	pv_bytes_clear(&F.e.set);
	sign(key, payload, (size_t)len, &F.e.set);
	free(payload);
	free(body);
}

static int
verify_set(void)
{
	memset(&F.err, 0, sizeof(F.err));
	return pv_tlog_verify_set(&F.e, &S.log, &F.err);
}

static void
assert_set_fails(int code)
{
	cr_assert_eq(verify_set(), code, "got %d (%s), want %d", F.err.code,
	             F.err.msg, code);
	cr_assert_eq(F.err.step, PYVERIFY_STEP_SET);
}

TestSuite(tlog_set, .init = set_setup, .fini = set_teardown);

Test(tlog_set, accepts_a_promise_signed_by_the_log_over_the_jcs_payload)
{
	promise(S.log_key);
	cr_assert_eq(verify_set(), 0, "%s", F.err.msg);
}

Test(tlog_set, rejects_a_promise_with_one_byte_changed)
{
	promise(S.log_key);
	F.e.set.data[F.e.set.len / 2] ^= 0x01;
	assert_set_fails(PYVERIFY_EREJECT);
}

Test(tlog_set, rejects_a_promise_signed_by_another_key)
{
	EVP_PKEY *k = gen_key("P-256");

	promise(k);
	EVP_PKEY_free(k);
	assert_set_fails(PYVERIFY_EREJECT);
}

Test(tlog_set, rejects_a_promise_when_index_time_or_body_changed)
{
	promise(S.log_key);
	F.e.log_index++;
	assert_set_fails(PYVERIFY_EREJECT);
	F.e.log_index--;
	F.e.integrated_time++;
	assert_set_fails(PYVERIFY_EREJECT);
	F.e.integrated_time--;
	F.e.body.data[F.e.body.len - 1] = ' ';
	assert_set_fails(PYVERIFY_EREJECT);
}

Test(tlog_set, rejects_an_entry_without_a_promise_or_integrated_time)
{
	assert_set_fails(PYVERIFY_EREJECT);
	cr_assert(strstr(F.err.msg, "inclusion promise") != NULL, "%s",
	          F.err.msg);
	promise(S.log_key);
	F.e.integrated_time = 0;
	assert_set_fails(PYVERIFY_EREJECT);
}

Test(tlog_set, rejects_an_index_that_jcs_cannot_write_exactly)
{
	promise(S.log_key);
	F.e.log_index = (int64_t)1 << 53; /* beyond the IEEE double range */
	assert_set_fails(PYVERIFY_EPARSE);
}

Test(tlog_set, rejects_an_entry_of_another_log)
{
	promise(S.log_key);
	S.log.log_id[0] ^= 1;
	assert_set_fails(PYVERIFY_EREJECT);
}

Test(tlog_set, rejects_integrated_time_before_the_log_key_validity)
{
	S.log.valid.start_ms = (T0 + 1) * 1000;
	promise(S.log_key);
	assert_set_fails(PYVERIFY_EREJECT);
	cr_assert(strstr(F.err.msg, "out of date") != NULL, "%s", F.err.msg);
	cr_assert(strstr(F.err.msg, "2023-11-14T22:13:20Z") != NULL, "%s",
	          F.err.msg);
}

Test(tlog_set, accepts_integrated_time_at_the_inclusive_end_of_validity)
{
	S.log.valid.has_end = 1;
	S.log.valid.end_ms = T0 * 1000;
	promise(S.log_key);
	cr_assert_eq(verify_set(), 0, "%s", F.err.msg);
	S.log.valid.end_ms = T0 * 1000 - 1;
	assert_set_fails(PYVERIFY_EREJECT);
	cr_assert(strstr(F.err.msg, "out of date") != NULL, "%s", F.err.msg);
}

/* ========================================================================= */
/* Conformance fixtures                                                      */
/* ========================================================================= */

static const char *
testdata(void)
{
	const char *d = getenv("PYVERIFY_TESTDATA");
	struct stat st;

	if (d == NULL || d[0] == '\0')
		d = "../shared/testdata";
	return stat(d, &st) == 0 && S_ISDIR(st.st_mode) ? d : NULL;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

static json_t *
load_json(const char *path)
{
	json_error_t jerr;
	json_t *v = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);

	cr_assert_not_null(v, "%s: %s", path, jerr.text);
	return v;
}

static void
b64_at(struct pv_bytes *out, const json_t *s)
{
	cr_assert(json_is_string(s));
	cr_assert_eq(pv_b64_decode(out, json_string_value(s),
	                           json_string_length(s)), 0);
}

static int64_t
int_at(const json_t *s)
{
	uint64_t v = 0;

	if (s == NULL)
		return 0;
	cr_assert(json_is_string(s));
	cr_assert_eq(pv_parse_u64(&v, json_string_value(s),
	                          json_string_length(s)), 0);
	return (int64_t)v;
}

/* A conformance case read by hand into the module's input structs. */
struct conf {
	struct pv_tlog_entry e;
	struct pv_signed_content c;
	struct pv_bytes sig, payload, cert;
	char *payload_type;
	uint8_t artifact_sha256[32];
	struct pv_pubkey key;
	struct pv_tlog log;
	int has_log;
};

static struct conf C;

static void
conf_teardown(void)
{
	pv_bytes_clear(&C.e.body);
	pv_bytes_clear(&C.e.set);
	pv_bytes_clear(&C.sig);
	pv_bytes_clear(&C.payload);
	pv_bytes_clear(&C.cert);
	free(C.payload_type);
	pv_pubkey_clear(&C.key);
	pv_pubkey_clear(&C.log.key);
	free(C.log.base_url);
	memset(&C, 0, sizeof(C));
}

/* Finds the entry's log in the case's trusted root (or production's). */
static void
conf_log(const char *dir, const char *base)
{
	char path[1024];
	json_t *root, *tlogs, *t;
	size_t i;
	struct stat st;
	pyverify_error err = { 0 };

	snprintf(path, sizeof(path), "%s/trusted_root.json", dir);
	if (stat(path, &st) != 0)
		snprintf(path, sizeof(path),
		         "%s/sigstore/production.trusted_root.json", base);
	root = load_json(path);
	tlogs = json_object_get(root, "tlogs");
	json_array_foreach(tlogs, i, t) {
		struct pv_bytes id = { NULL, 0 }, raw = { NULL, 0 };
		const json_t *pk = json_object_get(t, "publicKey");
		const json_t *vf = json_object_get(pk, "validFor");
		int details, match;

		b64_at(&id, json_object_get(json_object_get(t, "logId"),
		                            "keyId"));
		match = id.len == 32 && memcmp(id.data, C.e.log_id, 32) == 0;
		pv_bytes_clear(&id);
		if (!match)
			continue;
		details = pv_key_details_from_name(json_string_value(
		    json_object_get(pk, "keyDetails")));
		b64_at(&raw, json_object_get(pk, "rawBytes"));
		cr_assert_eq(pv_pubkey_from_der(&C.log.key, details, raw.data,
		                                raw.len, PYVERIFY_STEP_TRUST_ROOT,
		                                &err), 0, "%s", err.msg);
		pv_bytes_clear(&raw);
		memcpy(C.log.log_id, C.e.log_id, 32);
		C.log.base_url = strdup(json_string_value(
		    json_object_get(t, "baseUrl")));
		cr_assert_eq(pv_parse_rfc3339_ms(&C.log.valid.start_ms,
		    json_string_value(json_object_get(vf, "start")), 1), 0);
		if (json_object_get(vf, "end") != NULL) {
			C.log.valid.has_end = 1;
			cr_assert_eq(pv_parse_rfc3339_ms(&C.log.valid.end_ms,
			    json_string_value(json_object_get(vf, "end")), 0),
			    0);
		}
		C.has_log = 1;
		break;
	}
	json_decref(root);
}

/* Loads conformance case `name`; skips the test when the data is absent. */
static void
conf_load(const char *name)
{
	const char *base = testdata();
	char dir[768], path[1024];
	json_t *b, *vm, *te, *ms, *env, *x;
	struct stat st;
	pyverify_error err = { 0 };
	char *text;
	size_t len = 0;

	memset(&C, 0, sizeof(C));
	if (base == NULL)
		cr_skip_test("conformance test data not found "
		             "(set PYVERIFY_TESTDATA or add ../shared/testdata)");
	snprintf(dir, sizeof(dir), "%s/conformance/cases/%s", base, name);
	snprintf(path, sizeof(path), "%s/bundle.sigstore.json", dir);
	b = load_json(path);
	vm = json_object_get(b, "verificationMaterial");
	te = json_array_get(json_object_get(vm, "tlogEntries"), 0);
	cr_assert_not_null(te, "%s has no tlog entry", name);

	C.e.log_index = int_at(json_object_get(te, "logIndex"));
	C.e.integrated_time = int_at(json_object_get(te, "integratedTime"));
	x = json_object_get(json_object_get(te, "logId"), "keyId");
	{
		struct pv_bytes id = { NULL, 0 };
		b64_at(&id, x);
		cr_assert_eq(id.len, 32);
		memcpy(C.e.log_id, id.data, 32);
		pv_bytes_clear(&id);
	}
	x = json_object_get(te, "kindVersion");
	snprintf(C.e.kind, sizeof(C.e.kind), "%s",
	         json_string_value(json_object_get(x, "kind")));
	snprintf(C.e.version, sizeof(C.e.version), "%s",
	         json_string_value(json_object_get(x, "version")));
	x = json_object_get(json_object_get(te, "inclusionPromise"),
	                    "signedEntryTimestamp");
	if (x != NULL)
		b64_at(&C.e.set, x);
	b64_at(&C.e.body, json_object_get(te, "canonicalizedBody"));

	/* Signing material: leaf certificate or the case's key.pub. */
	x = json_object_get(json_object_get(vm, "certificate"), "rawBytes");
	if (x == NULL)
		x = json_object_get(json_array_get(json_object_get(
		        json_object_get(vm, "x509CertificateChain"),
		        "certificates"), 0), "rawBytes");
	if (x != NULL) {
		X509 *leaf;

		b64_at(&C.cert, x);
		leaf = pv_x509_from_der(C.cert.data, C.cert.len);
		cr_assert_not_null(leaf);
		cr_assert_eq(pv_pubkey_from_x509(&C.key, leaf,
		                                 PYVERIFY_STEP_KEY, &err), 0);
		X509_free(leaf);
		C.c.cert_der = C.cert.data;
		C.c.cert_len = C.cert.len;
	} else {
		snprintf(path, sizeof(path), "%s/key.pub", dir);
		text = slurp(path, &len);
		cr_assert_not_null(text, "%s: no certificate and no key.pub",
		                   name);
		cr_assert_eq(pv_pubkey_from_pem(&C.key, text, len,
		                                PYVERIFY_STEP_KEY, &err), 0);
		free(text);
	}
	C.c.key = &C.key;

	/* Content: message signature over the artifact, or the envelope. */
	ms = json_object_get(b, "messageSignature");
	env = json_object_get(b, "dsseEnvelope");
	if (ms != NULL) {
		C.c.content = PV_CONTENT_MESSAGE;
		b64_at(&C.sig, json_object_get(ms, "signature"));
		snprintf(path, sizeof(path), "%s/artifact", dir);
		if (stat(path, &st) != 0)
			snprintf(path, sizeof(path), "%s/conformance/a.txt",
			         base);
		text = slurp(path, &len);
		cr_assert_not_null(text, "%s", path);
		cr_assert_eq(pv_sha256(C.artifact_sha256, text, len), 0);
		free(text);
		C.c.artifact_sha256 = C.artifact_sha256;
	} else {
		C.c.content = PV_CONTENT_DSSE;
		b64_at(&C.payload, json_object_get(env, "payload"));
		C.payload_type = strdup(json_string_value(
		    json_object_get(env, "payloadType")));
		b64_at(&C.sig, json_object_get(json_array_get(
		    json_object_get(env, "signatures"), 0), "sig"));
		C.c.payload = C.payload.data;
		C.c.payload_len = C.payload.len;
		C.c.payload_type = C.payload_type;
	}
	C.c.signature = C.sig.data;
	C.c.signature_len = C.sig.len;
	conf_log(dir, base);
	json_decref(b);
}

static int
conf_body(pyverify_error *err)
{
	uint8_t leaf[32];

	return pv_tlog_check_body(&C.e, &C.c, leaf, err);
}

static void
expect_body(const char *name, int code)
{
	pyverify_error err = { 0 };

	conf_load(name);
	cr_assert_eq(conf_body(&err), code, "%s: got %d (%s), want %d", name,
	             err.code, err.msg, code);
	if (code != 0)
		cr_assert_eq(err.step, PYVERIFY_STEP_TLOG_BODY);
}

static void
expect_set(int code)
{
	pyverify_error err = { 0 };

	cr_assert(C.has_log, "the entry's log is not in the trusted root");
	cr_assert_eq(pv_tlog_verify_set(&C.e, &C.log, &err), code,
	             "got %d (%s), want %d", err.code, err.msg, code);
	if (code != 0)
		cr_assert_eq(err.step, PYVERIFY_STEP_SET);
}

TestSuite(tlog_conformance, .fini = conf_teardown);

Test(tlog_conformance, happy_path_v03_body_matches_and_set_verifies)
{
	uint8_t leaf[32], want[32];
	pyverify_error err = { 0 };
	uint8_t *pre;

	expect_body("happy-path-v0.3", 0);
	cr_assert_eq(C.e.log_index, 79571823);
	cr_assert_eq(C.e.integrated_time, 1710869186);
	expect_set(0);
	/* The leaf hash is H(0x00 || canonicalizedBody). */
	cr_assert_eq(pv_tlog_check_body(&C.e, &C.c, leaf, &err), 0);
	pre = malloc(C.e.body.len + 1);
	cr_assert_not_null(pre);
	pre[0] = 0;
	memcpy(pre + 1, C.e.body.data, C.e.body.len);
	cr_assert_eq(pv_sha256(want, pre, C.e.body.len + 1), 0);
	free(pre);
	cr_assert_eq(memcmp(leaf, want, 32), 0);
}

Test(tlog_conformance, happy_path_v03_body_does_not_vouch_for_a_key_bundle)
{
	pyverify_error err = { 0 };

	conf_load("happy-path-v0.3");
	C.c.cert_der = NULL; /* the same key, presented as a managed key */
	C.c.cert_len = 0;
	cr_assert_eq(conf_body(&err), PYVERIFY_EREJECT, "%s", err.msg);
	cr_assert_eq(err.step, PYVERIFY_STEP_TLOG_BODY);
}

Test(tlog_conformance, wrong_hashedrekord_artifact_is_rejected)
{
	expect_body("wrong-hashedrekord-artifact_fail", PYVERIFY_EREJECT);
}

Test(tlog_conformance, wrong_hashedrekord_cert_and_sig_is_rejected)
{
	expect_body("wrong-hashedrekord-cert-and-sig_fail", PYVERIFY_EREJECT);
}

Test(tlog_conformance, incorrect_public_key_is_rejected)
{
	expect_body("incorrect-public-key_fail", PYVERIFY_EREJECT);
}

Test(tlog_conformance, set_invalid_signature_body_matches_but_set_is_rejected)
{
	expect_body("set-invalid-signature_fail", 0);
	expect_set(PYVERIFY_EREJECT);
}

Test(tlog_conformance, dsse_mismatch_sig_is_rejected)
{
	expect_body("dsse-mismatch-sig_fail", PYVERIFY_EREJECT);
}

Test(tlog_conformance, intoto_in_dsse_v3_dsse_v001_matches_and_set_verifies)
{
	expect_body("happy-path-intoto-in-dsse-v3", 0);
	expect_set(0);
}

Test(tlog_conformance, rekor2_happy_path_rebuilt_body_equals_logged_body)
{
	expect_body("rekor2-happy-path", 0);
	cr_assert_eq(C.e.set.len, 0);
}

Test(tlog_conformance, rekor2_dsse_happy_path_rebuilt_body_equals_logged_body)
{
	expect_body("rekor2-dsse-happy-path", 0);
}

Test(tlog_conformance, rekor2_dsse_mismatch_sig_is_rejected)
{
	expect_body("rekor2-dsse-mismatch-sig_fail", PYVERIFY_EREJECT);
}

Test(tlog_conformance, bundle_with_sct_with_extensions_rekor2_body_matches)
{
	expect_body("bundle-with-sct-with-extensions", 0);
}

Test(tlog_conformance, intoto_v002_entry_matches_and_set_verifies)
{
	/* The case fails on certificate validity, not on the entry. */
	expect_body("intoto-expired-certificate_fail", 0);
	expect_set(0);
}

Test(tlog_conformance, intoto_v002_log_entry_mismatch_is_rejected)
{
	/* Its sig is single base64 (and another signature): malformed. */
	expect_body("intoto-log-entry-mismatch_fail", PYVERIFY_EPARSE);
}

Test(tlog_conformance, managed_key_public_key_entry_matches_and_set_verifies)
{
	expect_body("managed-key-happy-path", 0);
	cr_assert_null(C.c.cert_der);
	expect_set(0);
}

Test(tlog_conformance, tlog_validity_end_is_inclusive_for_the_set)
{
	expect_body("trust-root-tlog-validity-end-inclusive", 0);
	cr_assert(C.log.valid.has_end);
	cr_assert_eq(C.log.valid.end_ms, C.e.integrated_time * 1000);
	expect_set(0);
	C.log.valid.end_ms -= 1000;
	expect_set(PYVERIFY_EREJECT);
}
