/* keys.c - public keys of logs, CT logs, leaves and managed keys, and the
 * two signature checks Sigstore needs (over a message, over a prehash). */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sodium.h>

#include "crypto/crypto.h"
#include "util/cursor.h"

static const struct {
	const char *name;
	int value;
} key_names[] = {
	{ "PKCS1_RSA_PKCS1V5", PV_KEY_PKCS1_RSA_PKCS1V5 },
	{ "PKIX_RSA_PKCS1V5", PV_KEY_PKIX_RSA_PKCS1V5 },
	{ "PKIX_ECDSA_P256_SHA_256", PV_KEY_PKIX_ECDSA_P256_SHA_256 },
	{ "PKIX_ED25519", PV_KEY_PKIX_ED25519 },
	{ "PKIX_ED25519_PH", PV_KEY_PKIX_ED25519_PH },
	{ "PKIX_RSA_PKCS1V15_2048_SHA256", PV_KEY_PKIX_RSA_PKCS1V15_2048_SHA256 },
	{ "PKIX_RSA_PKCS1V15_3072_SHA256", PV_KEY_PKIX_RSA_PKCS1V15_3072_SHA256 },
	{ "PKIX_RSA_PKCS1V15_4096_SHA256", PV_KEY_PKIX_RSA_PKCS1V15_4096_SHA256 },
	{ "PKIX_ECDSA_P384_SHA_384", PV_KEY_PKIX_ECDSA_P384_SHA_384 },
	{ "PKIX_ECDSA_P521_SHA_512", PV_KEY_PKIX_ECDSA_P521_SHA_512 },
};

int
pv_key_details_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(key_names) / sizeof(key_names[0]); i++)
		if (strcmp(name, key_names[i].name) == 0)
			return key_names[i].value;
	return -1;
}

const char *
pv_key_details_name(int details)
{
	size_t i;

	for (i = 0; i < sizeof(key_names) / sizeof(key_names[0]); i++)
		if (key_names[i].value == details)
			return key_names[i].name;
	return NULL;
}

static int
is_ed25519(int details)
{
	return details == PV_KEY_PKIX_ED25519 ||
	       details == PV_KEY_PKIX_ED25519_PH;
}

static int
is_rsa(int details)
{
	return details == PV_KEY_PKCS1_RSA_PKCS1V5 ||
	       details == PV_KEY_PKIX_RSA_PKCS1V5 ||
	       details == PV_KEY_PKIX_RSA_PKCS1V15_2048_SHA256 ||
	       details == PV_KEY_PKIX_RSA_PKCS1V15_3072_SHA256 ||
	       details == PV_KEY_PKIX_RSA_PKCS1V15_4096_SHA256;
}

static const char *
ec_group(const EVP_PKEY *pkey, char *buf, size_t len)
{
	size_t got = 0;

	if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
	                                    buf, len, &got))
		return "";
	return buf;
}

/* The details a key of this type and size would have in a trusted root. */
static int
infer_details(const EVP_PKEY *pkey)
{
	char group[64];

	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_EC:
		ec_group(pkey, group, sizeof(group));
		if (strcmp(group, "prime256v1") == 0)
			return PV_KEY_PKIX_ECDSA_P256_SHA_256;
		if (strcmp(group, "secp384r1") == 0)
			return PV_KEY_PKIX_ECDSA_P384_SHA_384;
		if (strcmp(group, "secp521r1") == 0)
			return PV_KEY_PKIX_ECDSA_P521_SHA_512;
		return -1;
	case EVP_PKEY_ED25519:
		return PV_KEY_PKIX_ED25519;
	case EVP_PKEY_RSA:
		switch (EVP_PKEY_get_bits(pkey)) {
		case 2048: return PV_KEY_PKIX_RSA_PKCS1V15_2048_SHA256;
		case 3072: return PV_KEY_PKIX_RSA_PKCS1V15_3072_SHA256;
		case 4096: return PV_KEY_PKIX_RSA_PKCS1V15_4096_SHA256;
		default:
			return EVP_PKEY_get_bits(pkey) >= 2048
			           ? PV_KEY_PKIX_RSA_PKCS1V5 : -1;
		}
	}
	return -1;
}

/* Does the parsed key agree with what the trusted root says it is? */
static int
details_match(int details, const EVP_PKEY *pkey)
{
	int inferred = infer_details(pkey);

	if (inferred < 0)
		return 0;
	if (is_rsa(details))
		return is_rsa(inferred) &&
		       (details == inferred || details == PV_KEY_PKCS1_RSA_PKCS1V5 ||
		        details == PV_KEY_PKIX_RSA_PKCS1V5);
	if (is_ed25519(details))
		return inferred == PV_KEY_PKIX_ED25519;
	return details == inferred;
}

/*
 * Takes pkey. The key ID is the SHA-256 of the SubjectPublicKeyInfo DER:
 * `given` when the caller holds that DER in strict form already (hashing
 * it as given saves OpenSSL's encoder round trip), else pkey re-encoded.
 */
static int
finish_key(struct pv_pubkey *out, EVP_PKEY *pkey, int details,
           const uint8_t *given, size_t given_len, pyverify_step step,
           pyverify_error *err)
{
	unsigned char *der = NULL;
	int n;
	size_t rawlen = sizeof(out->ed25519);

	memset(out, 0, sizeof(*out));
	if (given == NULL) {
		n = i2d_PUBKEY(pkey, &der);
		if (n <= 0) {
			EVP_PKEY_free(pkey);
			return pv_fail(err, PYVERIFY_EINTERNAL, step,
			               "cannot encode public key");
		}
		given = der;
		given_len = (size_t)n;
	}
	if (pv_bytes_dup(&out->spki, given, given_len) != 0) {
		OPENSSL_free(der);
		EVP_PKEY_free(pkey);
		return pv_fail(err, PYVERIFY_ENOMEM, step, "out of memory");
	}
	OPENSSL_free(der);
	if (pv_sha256(out->spki_sha256, out->spki.data, out->spki.len) != 0 ||
	    (is_ed25519(details) &&
	     (!EVP_PKEY_get_raw_public_key(pkey, out->ed25519, &rawlen) ||
	      rawlen != 32))) {
		pv_bytes_clear(&out->spki);
		EVP_PKEY_free(pkey);
		return pv_fail(err, PYVERIFY_EINTERNAL, step,
		               "cannot read public key");
	}
	out->pkey = pkey;
	out->details = details;
	return 0;
}

/* DER of the AlgorithmIdentifier contents pyverify builds directly. */
static const uint8_t oid_ec[] = { 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d,
                                  0x02, 0x01 };
static const uint8_t oid_ed25519[] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };
static const struct {
	uint8_t oid[10];
	size_t oid_len;
	const char *group;
	size_t point_len; /* uncompressed: 0x04 || X || Y */
} ec_curves[] = {
	{ { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 }, 10,
	  "prime256v1", 65 },
	{ { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22 }, 7, "secp384r1", 97 },
	{ { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23 }, 7, "secp521r1", 133 },
};

static EVP_PKEY *
ec_from_point(const char *group, const uint8_t *point, size_t len)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *pkey = NULL;
	OSSL_PARAM params[3];

	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(
	    OSSL_PKEY_PARAM_PUB_KEY, (void *)point, len);
	params[2] = OSSL_PARAM_construct_end();
	/* fromdata puts the point through EC_POINT_oct2point, which refuses
	 * a point that is not on the curve, as the decoder would. */
	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

/*
 * The common SubjectPublicKeyInfo forms (named-curve ECDSA with an
 * uncompressed point, Ed25519) built directly: OpenSSL's generic decoder
 * tries every provider's decoders and costs several times more. NULL when
 * the DER is anything else; the caller then decodes it generically, which
 * gives the same verdict and the usual error for a bad key.
 */
static EVP_PKEY *
spki_direct(const uint8_t *der, size_t len)
{
	struct pv_cur c, in;
	struct pv_der spki, alg, bits, oid;
	size_t i;

	pv_cur_init(&c, der, len);
	if (pv_der_next(&c, &spki) != 0 || spki.tag != 0x30 || c.left != 0)
		return NULL;
	pv_cur_init(&in, spki.val, spki.len);
	if (pv_der_next(&in, &alg) != 0 || alg.tag != 0x30 ||
	    pv_der_next(&in, &bits) != 0 || bits.tag != 0x03 || in.left != 0 ||
	    bits.len < 2 || bits.val[0] != 0)
		return NULL;
	if (alg.len == sizeof(oid_ed25519) &&
	    memcmp(alg.val, oid_ed25519, sizeof(oid_ed25519)) == 0)
		return bits.len == 33
		           ? EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL,
		                                         bits.val + 1, 32)
		           : NULL;
	pv_cur_init(&in, alg.val, alg.len);
	if (pv_cur_expect(&in, oid_ec, sizeof(oid_ec)) != 0 ||
	    pv_der_next(&in, &oid) != 0 || in.left != 0)
		return NULL;
	for (i = 0; i < sizeof(ec_curves) / sizeof(ec_curves[0]); i++)
		if (oid.hdr_len + oid.len == ec_curves[i].oid_len &&
		    memcmp(oid.hdr, ec_curves[i].oid, oid.hdr_len + oid.len) ==
		        0 &&
		    bits.len - 1 == ec_curves[i].point_len && bits.val[1] == 0x04)
			return ec_from_point(ec_curves[i].group, bits.val + 1,
			                     bits.len - 1);
	return NULL;
}

int
pv_pubkey_from_der(struct pv_pubkey *out, int details, const uint8_t *der,
                   size_t len, pyverify_step step, pyverify_error *err)
{
	const unsigned char *p = der;
	EVP_PKEY *pkey;
	int direct = 0;

	if (len == 0 || len > PV_MAX_CERT_BYTES)
		return pv_fail(err, PYVERIFY_EPARSE, step,
		               "public key has an invalid length (%zu bytes)", len);
	if (pv_key_details_name(details) == NULL)
		return pv_fail(err, PYVERIFY_EPARSE, step,
		               "unsupported key type %d", details);
	/* PKCS1_RSA_PKCS1V5 keys are a bare PKCS#1 RSAPublicKey (section 0.5). */
	if (details == PV_KEY_PKCS1_RSA_PKCS1V5) {
		pkey = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)len);
	} else if ((pkey = spki_direct(der, len)) != NULL) {
		p = der + len;
		direct = 1;
	} else {
		ERR_clear_error();
		pkey = d2i_PUBKEY(NULL, &p, (long)len);
	}
	if (pkey == NULL || p != der + len) {
		EVP_PKEY_free(pkey);
		ERR_clear_error();
		return pv_fail(err, PYVERIFY_EPARSE, step,
		               "public key is not one DER %s",
		               details == PV_KEY_PKCS1_RSA_PKCS1V5
		                   ? "RSAPublicKey" : "SubjectPublicKeyInfo");
	}
	if (!details_match(details, pkey)) {
		EVP_PKEY_free(pkey);
		return pv_fail(err, PYVERIFY_EPARSE, step,
		               "public key does not match its declared type %s",
		               pv_key_details_name(details));
	}
	/* Strict DER as spki_direct read it is its own re-encoding. */
	return finish_key(out, pkey, details, direct ? der : NULL, len, step,
	                  err);
}

int
pv_pubkey_from_pem(struct pv_pubkey *out, const void *pem, size_t len,
                   pyverify_step step, pyverify_error *err)
{
	BIO *bio;
	EVP_PKEY *pkey;
	int details;

	if (len == 0 || len > PV_MAX_KEY_PEM_BYTES)
		return pv_fail(err, PYVERIFY_EPARSE, step,
		               "public key PEM has an invalid length (%zu bytes)",
		               len);
	bio = BIO_new_mem_buf(pem, (int)len);
	if (bio == NULL)
		return pv_fail(err, PYVERIFY_ENOMEM, step, "out of memory");
	pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (pkey == NULL) {
		ERR_clear_error();
		return pv_fail(err, PYVERIFY_EPARSE, step,
		               "not a PEM \"PUBLIC KEY\" (SubjectPublicKeyInfo)");
	}
	details = infer_details(pkey);
	if (details < 0) {
		EVP_PKEY_free(pkey);
		return pv_fail(err, PYVERIFY_EPARSE, step,
		               "unsupported public key type (expected ECDSA "
		               "P-256/P-384/P-521, RSA >= 2048 or Ed25519)");
	}
	return finish_key(out, pkey, details, NULL, 0, step, err);
}

int
pv_pubkey_from_x509(struct pv_pubkey *out, X509 *cert, pyverify_step step,
                    pyverify_error *err)
{
	EVP_PKEY *pkey = X509_get_pubkey(cert); /* up-referenced */
	unsigned char *der = NULL;
	int details, n, rc;

	if (pkey == NULL) {
		ERR_clear_error();
		return pv_fail(err, PYVERIFY_EPARSE, step,
		               "certificate public key cannot be read");
	}
	details = infer_details(pkey);
	if (details < 0) {
		EVP_PKEY_free(pkey);
		return pv_fail(err, PYVERIFY_EPARSE, step,
		               "certificate has an unsupported key type");
	}
	/* The certificate's SubjectPublicKeyInfo from its parsed fields,
	 * without a trip through the provider's encoder. */
	n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
	if (n <= 0) {
		EVP_PKEY_free(pkey);
		ERR_clear_error();
		return pv_fail(err, PYVERIFY_EINTERNAL, step,
		               "cannot encode public key");
	}
	rc = finish_key(out, pkey, details, der, (size_t)n, step, err);
	OPENSSL_free(der);
	return rc;
}

void
pv_pubkey_clear(struct pv_pubkey *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	pv_bytes_clear(&k->spki);
	memset(k, 0, sizeof(*k));
}

const EVP_MD *
pv_pubkey_md(const struct pv_pubkey *k)
{
	switch (k->details) {
	case PV_KEY_PKIX_ECDSA_P384_SHA_384:
		return EVP_sha384();
	case PV_KEY_PKIX_ECDSA_P521_SHA_512:
	case PV_KEY_PKIX_ED25519_PH:
		return EVP_sha512();
	case PV_KEY_PKIX_ED25519:
		return NULL;
	default:
		return EVP_sha256();
	}
}

/*
 * The verdict of the final EVP verify call. 1 is valid. Anything else is
 * "does not verify" (OpenSSL also returns -1 for a signature that is not
 * DER, which is the signer's fault), unless OpenSSL ran out of memory:
 * then there is no verdict, and saying "invalid" would blame the bundle.
 */
static int
verify_verdict(int rc)
{
	unsigned long e;
	int oom = 0;

	if (rc == 1) {
		ERR_clear_error();
		return 1;
	}
	while ((e = ERR_get_error()) != 0)
		oom |= ERR_GET_REASON(e) == ERR_R_MALLOC_FAILURE;
	return oom ? -1 : 0;
}

int
pv_pubkey_verify_message(const struct pv_pubkey *k, const uint8_t *msg,
                         size_t len, const uint8_t *sig, size_t siglen)
{
	EVP_MD_CTX *ctx;
	int rc;

	if (k->pkey == NULL || sig == NULL || siglen == 0)
		return 0;
	if (k->details == PV_KEY_PKIX_ED25519) {
		if (siglen != crypto_sign_BYTES || sodium_init() < 0)
			return siglen != crypto_sign_BYTES ? 0 : -1;
		return crypto_sign_verify_detached(sig, msg, len,
		                                   k->ed25519) == 0;
	}
	if (k->details == PV_KEY_PKIX_ED25519_PH)
		return 0; /* Ed25519ph is not used by Sigstore logs or Fulcio */
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL)
		return -1;
	/* Setting up cannot fail for a key the loader accepted: a failure
	 * here is OpenSSL's (allocation, a provider), not the bundle's. */
	if (EVP_DigestVerifyInit(ctx, NULL, pv_pubkey_md(k), NULL, k->pkey) !=
	    1) {
		EVP_MD_CTX_free(ctx);
		ERR_clear_error();
		return -1;
	}
	rc = verify_verdict(EVP_DigestVerify(ctx, sig, siglen, msg, len));
	EVP_MD_CTX_free(ctx);
	return rc;
}

int
pv_pubkey_verify_prehash(const struct pv_pubkey *k, const EVP_MD *md,
                         const uint8_t *digest, size_t dlen,
                         const uint8_t *sig, size_t siglen)
{
	EVP_PKEY_CTX *ctx;
	int rc;

	if (k->pkey == NULL || md == NULL || sig == NULL || siglen == 0 ||
	    is_ed25519(k->details) || dlen != (size_t)EVP_MD_get_size(md))
		return 0;
	ctx = EVP_PKEY_CTX_new(k->pkey, NULL);
	if (ctx == NULL)
		return -1;
	rc = EVP_PKEY_verify_init(ctx);
	if (rc == 1 && is_rsa(k->details))
		rc = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING);
	if (rc == 1)
		rc = EVP_PKEY_CTX_set_signature_md(ctx, md);
	/* As in pv_pubkey_verify_message: set-up failures are OpenSSL's. */
	if (rc != 1) {
		EVP_PKEY_CTX_free(ctx);
		ERR_clear_error();
		return -1;
	}
	rc = verify_verdict(EVP_PKEY_verify(ctx, sig, siglen, digest, dlen));
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

X509 *
pv_x509_from_der(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509 *x;

	if (der == NULL || len == 0 || len > PV_MAX_CERT_BYTES)
		return NULL;
	x = d2i_X509(NULL, &p, (long)len);
	if (x == NULL || p != der + len) {
		X509_free(x);
		ERR_clear_error();
		return NULL;
	}
	return x;
}
