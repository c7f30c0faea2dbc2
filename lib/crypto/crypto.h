/*
 * crypto/crypto.h - public keys, certificates from DER and signature
 * checks over OpenSSL and libsodium, certificate times. Uses util/ only. */
#ifndef PV_CRYPTO_H
#define PV_CRYPTO_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "util/util.h"

/* ---- keys.c ------------------------------------------------------------- */

/* PublicKeyDetails values (protobuf numbering). */
enum pv_key_details {
	PV_KEY_UNSPECIFIED = 0,
	PV_KEY_PKCS1_RSA_PKCS1V5 = 1,
	PV_KEY_PKIX_RSA_PKCS1V5 = 3,
	PV_KEY_PKIX_ECDSA_P256_SHA_256 = 5,
	PV_KEY_PKIX_ED25519 = 7,
	PV_KEY_PKIX_ED25519_PH = 8,
	PV_KEY_PKIX_RSA_PKCS1V15_2048_SHA256 = 9,
	PV_KEY_PKIX_RSA_PKCS1V15_3072_SHA256 = 10,
	PV_KEY_PKIX_RSA_PKCS1V15_4096_SHA256 = 11,
	PV_KEY_PKIX_ECDSA_P384_SHA_384 = 12,
	PV_KEY_PKIX_ECDSA_P521_SHA_512 = 13
};
/* Name ("PKIX_ECDSA_P256_SHA_256") to value; -1 for unknown/unsupported. */
int pv_key_details_from_name(const char *name);
const char *pv_key_details_name(int details); /* NULL if unknown */

struct pv_pubkey {
	int details;         /* enum pv_key_details */
	EVP_PKEY *pkey;      /* ECDSA, RSA or Ed25519 key; owned */
	uint8_t ed25519[32]; /* raw key when details is an Ed25519 kind */
	struct pv_bytes spki; /* DER SubjectPublicKeyInfo (converted from
	                        PKCS#1 for PKCS1_RSA_PKCS1V5) */
	uint8_t spki_sha256[32]; /* RFC 6962 key ID */
};
/* Parses rawBytes of the given details (SPKI, or PKCS#1 for
 * PKCS1_RSA_PKCS1V5) and checks the key type matches the details.
 * Returns 0 or PYVERIFY_EPARSE (err step = `step`). */
PV_MUST_CHECK int pv_pubkey_from_der(struct pv_pubkey *out, int details,
                                     const uint8_t *der, size_t len,
                                     pyverify_step step, pyverify_error *err);
/* From a PEM "PUBLIC KEY" block; details inferred from the key. */
PV_MUST_CHECK int pv_pubkey_from_pem(struct pv_pubkey *out, const void *pem,
                                     size_t len, pyverify_step step,
                                     pyverify_error *err);
/* From a certificate's key; details inferred. */
PV_MUST_CHECK int pv_pubkey_from_x509(struct pv_pubkey *out, X509 *cert,
                                      pyverify_step step, pyverify_error *err);
void pv_pubkey_clear(struct pv_pubkey *k);
/* The hash a key's algorithm uses (SHA-256 for P-256 and RSA, SHA-384 for
 * P-384, SHA-512 for P-521 and Ed25519ph); NULL for pure Ed25519. */
const EVP_MD *pv_pubkey_md(const struct pv_pubkey *k);
/* Verifies sig over msg: ECDSA/RSA with the key's hash, pure Ed25519 with
 * libsodium. Returns 1 valid, 0 invalid, -1 internal error. */
int pv_pubkey_verify_message(const struct pv_pubkey *k, const uint8_t *msg,
                             size_t len, const uint8_t *sig, size_t siglen);
/* Verifies sig over an already computed digest of md (the "prehash").
 * Not possible for pure Ed25519 (returns 0). 1 valid, 0 invalid, -1 error. */
int pv_pubkey_verify_prehash(const struct pv_pubkey *k, const EVP_MD *md,
                             const uint8_t *digest, size_t dlen,
                             const uint8_t *sig, size_t siglen);
/* DER to X509, exactly one object and no trailing bytes; NULL on failure. */
X509 *pv_x509_from_der(const uint8_t *der, size_t len);

/* ---- der.c -------------------------------------------------------------- */

struct pv_cur;
/* One DER element: a single-byte tag, a minimal definite length. */
struct pv_der {
	uint8_t tag;
	const uint8_t *hdr; /* the element's first byte */
	size_t hdr_len;     /* tag and length bytes */
	const uint8_t *val; /* its contents, borrowed */
	size_t len;
};
/* Reads the next element; 0, or -1 (cursor unmoved) when it is not
 * strict DER or runs past the end. */
PV_MUST_CHECK int pv_der_next(struct pv_cur *c, struct pv_der *out);
/* Writes a tag and the minimal length form of len (up to 2^32-1) to p,
 * which has room for 6 bytes; returns the bytes written. */
size_t pv_der_put_header(uint8_t *p, uint8_t tag, size_t len);
/* Whether der is framed as exactly one strict-DER certificate: a SEQUENCE
 * of a SEQUENCE (to be signed), a SEQUENCE (algorithm) and a BIT STRING,
 * nothing after it. Only the framing: the contents are OpenSSL's to
 * decode. 1 or 0. */
int pv_der_is_certificate_frame(const uint8_t *der, size_t len);

/* ---- x509_time.c -------------------------------------------------------- */

/* ASN1_TIME to Unix seconds; 0 or -1 when the time does not parse. */
PV_MUST_CHECK int pv_asn1_time_to_unix(const ASN1_TIME *t, int64_t *out);
/* Sets the store's verification time to t_ms (rounded down to the second)
 * with notAfter inclusive (SPEC 0.6, 3.13: a validity period is a closed
 * interval, compared in milliseconds). Every path validation goes through
 * this; contexts initialised from the store inherit both. */
void pv_x509_store_at(X509_STORE *store, int64_t t_ms);

#endif /* PV_CRYPTO_H */
