/*
 * vcheck.h - independent checks of what the virtual Sigstore mints, for
 * test_vsigstore*.c: OpenSSL and jansson only, never the library (which is
 * tested with the fixture, so it cannot vouch for it). Criterion
 * assertions inside; names start with vc_ because the support objects are
 * linked into every test binary.
 */
#ifndef VCHECK_H
#define VCHECK_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

/* Decodes standard padded base64 (asserts it is well formed); malloc'd. */
size_t vc_unb64(uint8_t **out, const char *in);
/* The string at a dot-separated path of object keys (asserted). */
const char *vc_jstr(const json_t *o, const char *path);
/* An SPKI or a certificate from base64 DER, nothing after it. */
EVP_PKEY *vc_pubkey_b64(const char *b);
X509 *vc_cert_b64(const char *b);
void vc_sha256(uint8_t out[32], const void *d, size_t n);
/* ECDSA with SHA-256; 1 when the signature verifies. */
int vc_ecdsa_verify(EVP_PKEY *k, const void *msg, size_t len,
                    const uint8_t *sig, size_t siglen);
/* The canonical decimal string at a path; the first tlogEntries[] entry. */
uint64_t vc_jdec(const json_t *o, const char *path);
const json_t *vc_entry0(const json_t *b);

#endif
