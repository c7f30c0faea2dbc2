/*
 * vs_cert.h - test-only minting of Fulcio-shaped certificates (P-384 root
 * and intermediate, P-256 leaves with SANs, Fulcio issuer extensions,
 * KU/EKU variants, embedded SCTs signed by a test CT key) and hand-built
 * trusted roots for the chain, SCT and identity unit tests.
 *
 * Never linked into the library. Functions return NULL / -1 on failure.
 */
#ifndef VS_CERT_H
#define VS_CERT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <jansson.h>

#include "pyverify.h"

/* Default instant of the minted PKI (Unix seconds, 2023-11-14). */
#define CM_EPOCH ((int64_t)1700000000)
#define CM_YEAR ((int64_t)365 * 86400)
/* A time range without an end. */
#define CM_NO_END INT64_MIN

EVP_PKEY *cm_key_p256(void);
EVP_PKEY *cm_key_p384(void);

enum cm_eku { CM_EKU_NONE = 0, CM_EKU_CODESIGN = 1, CM_EKU_SERVER = 2 };

/* A CA certificate (basicConstraints CA:TRUE critical, keyCertSign, SKI,
 * AKI unless self-signed). issuer/issuer_key NULL = self-signed. */
X509 *cm_ca_cert(const char *cn, EVP_PKEY *key, X509 *issuer,
                 EVP_PKEY *issuer_key, int64_t not_before,
                 int64_t not_after, int eku);

/* One embedded SCT. */
struct cm_sct {
	EVP_PKEY *key;        /* CT log key that signs it */
	uint64_t time_ms;     /* 0 = (leaf notBefore) * 1000 */
	const uint8_t *ext;   /* SCT extensions, copied verbatim */
	size_t ext_len;
	int corrupt;          /* flip a bit of the signed timestamp after
	                         signing */
	int version;          /* 0 = v1 */
	int hash_alg;         /* 0 = sha256 (4) */
};

#define CM_MAX_SCTS 4

struct cm_leaf_opts {
	const char *email;      /* rfc822Name SAN */
	const char *uri;        /* URI SAN */
	size_t uri_len;         /* 0 = strlen(uri) (for embedded NUL tests) */
	const char *othername;  /* otherName 1.3.6.1.4.1.57264.1.7 */
	int othername_ia5;      /* encode its value as IA5String (malformed) */
	const char *issuer_v1;  /* 1.3.6.1.4.1.57264.1.1, raw bytes */
	const char *issuer_v8;  /* 1.3.6.1.4.1.57264.1.8, DER UTF8String */
	const uint8_t *issuer_v8_raw; /* raw content of .8 (malformed tests) */
	size_t issuer_v8_raw_len;
	int issuer_v1_twice;    /* repeat the .1 extension */
	int64_t not_before;     /* 0 = CM_EPOCH */
	int64_t lifetime;       /* seconds; 0 = 600 */
	int no_ku;
	int ku_no_digital_signature; /* keyEncipherment only */
	int eku;                /* enum cm_eku; default codeSigning */
	int no_eku;
	int ca_true;            /* basicConstraints CA:TRUE */
	int version1;           /* X.509 v1 without any extension */
	struct cm_sct scts[CM_MAX_SCTS];
	size_t n_scts;
	const uint8_t *raw_sct_list; /* inner TLS list bytes, used as is */
	size_t raw_sct_list_len;
};

/* A leaf with key leaf_key issued by issuer (signed with issuer_key). */
X509 *cm_leaf(const struct cm_leaf_opts *o, EVP_PKEY *leaf_key, X509 *issuer,
              EVP_PKEY *issuer_key);

/* The standard test PKI: root (P-384) and intermediate (P-384, EKU
 * codeSigning), both valid CM_EPOCH - 1 year .. CM_EPOCH + 10 years; a
 * P-256 leaf key and a P-256 CT log key. */
struct cm_pki {
	EVP_PKEY *root_key, *int_key, *leaf_key, *ct_key;
	X509 *root, *inter;
};
int cm_pki_init(struct cm_pki *p);
void cm_pki_free(struct cm_pki *p);

/*
 * Trusted roots for the chain and SCT tests, built as trusted-root JSON and
 * loaded through pyverify_trust_root_load_memory like any other root, never
 * by filling the library's structs. Times in Unix milliseconds; end
 * CM_NO_END = open-ended. The add functions return 0 or -1.
 */
json_t *cm_root_json(void); /* no logs, no CAs; caller json_decref()s */
int cm_root_add_ca(json_t *root, X509 *const *certs, size_t n,
                   int64_t start_ms, int64_t end_ms, const char *uri);
/* A timestampAuthorities[] entry: certs = [signer..., root]. */
int cm_root_add_tsa(json_t *root, X509 *const *certs, size_t n,
                    int64_t start_ms, int64_t end_ms, const char *uri);
/* Sets validFor.end of certificateAuthorities[i]. */
int cm_root_set_ca_end(json_t *root, size_t i, int64_t end_ms);
/* A P-256 CT log whose logId is the SHA-256 of its SPKI. */
int cm_root_add_ctlog(json_t *root, EVP_PKEY *key, int64_t start_ms,
                      int64_t end_ms, const char *url);
/* A Rekor log at `url` (its checkpoint origin is the host), key `spki`
 * (DER SubjectPublicKeyInfo) of type `details` ("PKIX_ED25519", ...);
 * id NULL = SHA-256 of spki. start_ms CM_OPEN: no validFor at all (an
 * open window). */
#define CM_OPEN ((int64_t)-1)
int cm_root_add_tlog(json_t *root, const char *url, const char *details,
                     const uint8_t *spki, size_t len, const uint8_t *id,
                     int64_t start_ms, int64_t end_ms);
/* The loaded root (pyverify_trust_root_free), NULL if the loader refuses;
 * `source` names it in messages. */
pyverify_trust_root *cm_root_load(const json_t *root, const char *source);
/* A trusted_root.json file, loaded; NULL on error. */
pyverify_trust_root *cm_root_from_json(const char *path);

/* The leaf of a bundle file (certificate.rawBytes or
 * x509CertificateChain.certificates[0]) and its first entry's
 * integratedTime (Unix seconds). */
X509 *cm_bundle_leaf(const char *path, int64_t *integrated_time);

#endif
