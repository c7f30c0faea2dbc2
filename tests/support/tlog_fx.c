/*
 * tlog_fx.c - the fixture of the log entry tests (test_tlog_body.c,
 * test_tlog_set.c): one P-256 signer with a self-signed certificate, its
 * message and DSSE signatures, a log entry, and the checks with their exact
 * expected failure (see tlog_fx.h). Minted here with OpenSSL, not with the
 * virtual Sigstore, so that the body checks see hand-written bodies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "tlog_fx.h"

const char tf_artifact[] = "hello\n";
const char tf_in_toto_type[] = "application/vnd.in-toto+json";
const char tf_statement[] =
    "{\"_type\":\"https://in-toto.io/Statement/v1\"}";

EVP_PKEY *
tf_gen_key(const char *curve)
{
	EVP_PKEY *k = curve ? EVP_EC_gen(curve)
	                    : EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

	cr_assert_not_null(k, "key generation failed");
	return k;
}

void
tf_sign(EVP_PKEY *k, const void *msg, size_t len, struct pv_bytes *out)
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

X509 *
tf_self_signed(EVP_PKEY *k, const char *cn)
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

void
tf_der_of_cert(X509 *x, struct pv_bytes *out)
{
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);

	cr_assert(n > 0);
	cr_assert_eq(pv_bytes_dup(out, der, (size_t)n), 0);
	OPENSSL_free(der);
}

/* PEM text of a certificate (cert != NULL) or of a public key. */
char *
tf_pem_of(X509 *cert, EVP_PKEY *key)
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

char *
tf_b64(const void *p, size_t n)
{
	char *s = pv_b64_encode(p, n);

	cr_assert_not_null(s);
	return s;
}

char *
tf_b64s(const char *s)
{
	return tf_b64(s, strlen(s));
}

void
tf_spki_key(struct pv_pubkey *out, EVP_PKEY *k, int details)
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

struct tf_fixture tf;

void
tf_setup(void)
{
	struct pv_bytes pae = { NULL, 0 };

	memset(&tf, 0, sizeof(tf));
	tf.pkey = tf_gen_key("P-256");
	tf.cert = tf_self_signed(tf.pkey, "leaf");
	tf_der_of_cert(tf.cert, &tf.cert_der);
	tf.cert_pem = tf_pem_of(tf.cert, NULL);
	tf.key_pem = tf_pem_of(NULL, tf.pkey);
	cr_assert_eq(pv_pubkey_from_x509(&tf.key, tf.cert, PYVERIFY_STEP_KEY,
	                                 &tf.err), 0);
	cr_assert_eq(pv_sha256(tf.digest, tf_artifact, strlen(tf_artifact)), 0);
	tf_sign(tf.pkey, tf_artifact, strlen(tf_artifact), &tf.sig);
	cr_assert_eq(pv_dsse_pae(&pae, tf_in_toto_type,
	                         (const uint8_t *)tf_statement,
	                         strlen(tf_statement)), 0);
	tf_sign(tf.pkey, pae.data, pae.len, &tf.dsse_sig);
	pv_bytes_clear(&pae);

	tf.c.content = PV_CONTENT_MESSAGE;
	tf.c.artifact_sha256 = tf.digest;
	tf.c.signature = tf.sig.data;
	tf.c.signature_len = tf.sig.len;
	tf.c.cert_der = tf.cert_der.data;
	tf.c.cert_len = tf.cert_der.len;
	tf.c.key = &tf.key;
	tf.e.log_index = 42;
}

void
tf_teardown(void)
{
	EVP_PKEY_free(tf.pkey);
	X509_free(tf.cert);
	pv_bytes_clear(&tf.cert_der);
	free(tf.cert_pem);
	free(tf.key_pem);
	pv_pubkey_clear(&tf.key);
	pv_bytes_clear(&tf.sig);
	pv_bytes_clear(&tf.dsse_sig);
	pv_bytes_clear(&tf.e.body);
	pv_bytes_clear(&tf.e.set);
}

/* Switches the signed content to the DSSE envelope. */
void
tf_dsse(void)
{
	tf.c.content = PV_CONTENT_DSSE;
	tf.c.artifact_sha256 = NULL;
	tf.c.signature = tf.dsse_sig.data;
	tf.c.signature_len = tf.dsse_sig.len;
	tf.c.payload = (const uint8_t *)tf_statement;
	tf.c.payload_len = strlen(tf_statement);
	tf.c.payload_type = tf_in_toto_type;
}

/* Switches to a key bundle (no certificate). */
void
tf_key_bundle(void)
{
	tf.c.cert_der = NULL;
	tf.c.cert_len = 0;
}

void
tf_set_body_text(const char *kind, const char *version, const char *text)
{
	pv_bytes_clear(&tf.e.body);
	cr_assert_eq(pv_bytes_dup(&tf.e.body, text, strlen(text)), 0);
	snprintf(tf.e.kind, sizeof(tf.e.kind), "%s", kind);
	snprintf(tf.e.version, sizeof(tf.e.version), "%s", version);
}

/* Sets the entry body to the compact JSON of v (consumed). */
void
tf_set_body(const char *kind, const char *version, json_t *v)
{
	char *s;

	cr_assert_not_null(v);
	s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	cr_assert_not_null(s);
	tf_set_body_text(kind, version, s);
	free(s);
	json_decref(v);
}

int
tf_check(void)
{
	memset(&tf.err, 0, sizeof(tf.err));
	memset(tf.leaf, 0xAA, sizeof(tf.leaf));
	return pv_tlog_check_body(&tf.e, &tf.c, tf.leaf, &tf.err);
}

void
tf_assert_ok(void)
{
	uint8_t want[32];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	static const uint8_t zero = 0;

	cr_assert_eq(tf_check(), 0, "rejected: %s", tf.err.msg);
	/* RFC 6962: leaf = SHA-256(0x00 || body) */
	cr_assert_not_null(ctx);
	cr_assert_eq(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL), 1);
	cr_assert_eq(EVP_DigestUpdate(ctx, &zero, 1), 1);
	cr_assert_eq(EVP_DigestUpdate(ctx, tf.e.body.data, tf.e.body.len), 1);
	cr_assert_eq(EVP_DigestFinal_ex(ctx, want, NULL), 1);
	EVP_MD_CTX_free(ctx);
	cr_assert_eq(memcmp(tf.leaf, want, 32), 0, "wrong leaf hash");
}

void
tf_assert_fails(int code)
{
	uint8_t untouched[32];

	memset(untouched, 0xAA, sizeof(untouched));
	cr_assert_eq(tf_check(), code, "got %d (%s), want %d", tf.err.code,
	             tf.err.msg, code);
	cr_assert_eq(tf.err.step, PYVERIFY_STEP_TLOG_BODY);
	cr_assert_eq(memcmp(tf.leaf, untouched, 32), 0,
	             "leaf hash written on failure");
}

/* tf_assert_fails() and the message fragment, naming the row. */
void
tf_assert_case(const struct body_case *c)
{
	uint8_t untouched[32];

	c->mutate();
	memset(untouched, 0xAA, sizeof(untouched));
	cr_assert_eq(tf_check(), c->code, "%s: got %d (%s), want %d", c->name,
	             tf.err.code, tf.err.msg, c->code);
	cr_assert_eq(tf.err.step, c->step, "%s: step %d, want %d", c->name,
	             (int)tf.err.step, (int)c->step);
	cr_assert_eq(memcmp(tf.leaf, untouched, 32), 0,
	             "%s: leaf hash written on failure", c->name);
	if (c->msg != NULL)
		cr_assert(strstr(tf.err.msg, c->msg) != NULL, "%s: %s", c->name,
		          tf.err.msg);
}

json_t *
tf_v001(const char *alg, const char *hexdigest, const struct pv_bytes *sig,
        const char *pem)
{
	char hex[65];
	char *sig64, *pem64;
	json_t *v;

	if (hexdigest == NULL) {
		pv_hex_encode(hex, tf.digest, 32);
		hexdigest = hex;
	}
	sig64 = tf_b64(sig->data, sig->len);
	pem64 = tf_b64s(pem);
	v = json_pack("{s:s, s:s, s:{s:{s:{s:s, s:s}}, s:{s:s, s:{s:s}}}}",
	              "apiVersion", "0.0.1", "kind", "hashedrekord", "spec",
	              "data", "hash", "algorithm", alg, "value", hexdigest,
	              "signature", "content", sig64, "publicKey", "content",
	              pem64);
	free(sig64);
	free(pem64);
	return v;
}

void
tf_v001_default(void)
{
	tf_set_body("hashedrekord", "0.0.1",
	            tf_v001("sha256", NULL, &tf.sig, tf.cert_pem));
}
