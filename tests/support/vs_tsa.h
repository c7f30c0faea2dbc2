/*
 * vs_tsa.h - a test RFC 3161 timestamp authority minted in code with OpenSSL
 * (modelled on sigstore-go's VirtualSigstore TSA): a P-384 self-signed root,
 * optionally an intermediate, and a TSA signing leaf (critical EKU
 * timeStamping only, not a CA). It issues DER TimeStampResp messages with
 * OpenSSL's TS_RESP_CTX and gives the matching trusted-root
 * timestampAuthorities[] element, so tests need no ../shared.
 *
 * Test-only: never linked into the library.
 */
#ifndef VS_TSA_H
#define VS_TSA_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

struct vtsa;

/* Default times: the chain is valid from VTSA_EPOCH - 1 year to
 * VTSA_EPOCH + 10 years; timestamps are issued at VTSA_EPOCH. */
#define VTSA_EPOCH ((int64_t)1700000000)
#define VTSA_POLICY "1.3.6.1.4.1.57264.2"

enum vtsa_eku {
	VTSA_EKU_CRITICAL = 0,     /* critical, timeStamping only (correct) */
	VTSA_EKU_NONCRITICAL = 1,  /* timeStamping, not critical */
	VTSA_EKU_NONE = 2,         /* no EKU extension */
	VTSA_EKU_EXTRA = 3         /* critical, timeStamping + codeSigning */
};

enum vtsa_int_eku {
	VTSA_INT_EKU_NONE = 0,        /* intermediate without EKU */
	VTSA_INT_EKU_TIMESTAMP = 1,   /* timeStamping (like real TSA chains) */
	VTSA_INT_EKU_CODESIGN = 2     /* codeSigning only: must be refused */
};

struct vtsa_opts {
	const char *uri;          /* "https://tsa.test/api/v1/timestamp" */
	const char *name;         /* CN prefix; default "Test TSA" */
	int intermediate;         /* root -> intermediate -> leaf */
	int intermediate_eku;     /* enum vtsa_int_eku */
	int leaf_p256;            /* leaf key P-256 (default P-384) */
	int leaf_eku;             /* enum vtsa_eku */
	int leaf_is_ca;           /* leaf carries basicConstraints CA:TRUE */
	int64_t not_before;       /* chain validity, Unix s; 0 = default */
	int64_t not_after;        /* 0 = default */
	/* Reuse the root (and intermediate) of another instance: a second
	 * signer of the same authority. Must outlive nothing: certificates
	 * and keys are reference-counted. */
	const struct vtsa *same_ca;
};

/* opts may be NULL. Returns NULL on failure. */
struct vtsa *vtsa_new(const struct vtsa_opts *opts);
void vtsa_free(struct vtsa *t);

/* Borrowed (valid while t lives). vtsa_intermediate is NULL without one. */
X509 *vtsa_root(const struct vtsa *t);
X509 *vtsa_intermediate(const struct vtsa *t);
X509 *vtsa_leaf(const struct vtsa *t);
EVP_PKEY *vtsa_leaf_key(const struct vtsa *t);
const char *vtsa_uri(const struct vtsa *t);
int64_t vtsa_not_before(const struct vtsa *t); /* Unix seconds */
int64_t vtsa_not_after(const struct vtsa *t);

struct vtsa_stamp_opts {
	int64_t gen_time_ms;      /* genTime, Unix ms; 0 = VTSA_EPOCH s */
	int embed_certs;          /* certReq: embed leaf, intermediate, root */
	int status;               /* PKIStatus: 0 granted, 1 grantedWithMods
	                             (token kept), >= 2 no token */
	int sha1_imprint;         /* SHA-1 message imprint */
	int sha512_imprint;       /* SHA-512 message imprint */
};

/*
 * Issues a DER TimeStampResp over `msg` (the imprint is its hash). opts may
 * be NULL. *der is malloc'd (caller frees). 0 on success, -1 on failure.
 * A leaf with a bad EKU (which TS_RESP_CTX refuses) is signed by building
 * the token by hand with the same structure.
 */
int vtsa_stamp(struct vtsa *t, const void *msg, size_t len,
               const struct vtsa_stamp_opts *opts, uint8_t **der,
               size_t *der_len);

/*
 * Issue 11 (the fake TSA): the TimeStampResp to a client's DER
 * TimeStampReq, as a TSA answers it: granted (or a rejection OpenSSL
 * chooses for a bad request), nonce and imprint echoed, certificates
 * embedded when certReq is set. gen_time_ms 0 = VTSA_EPOCH. *der is
 * malloc'd. 0 on success, -1 on failure.
 */
int vtsa_respond(struct vtsa *t, const uint8_t *req_der, size_t req_len,
                 int64_t gen_time_ms, uint8_t **der, size_t *der_len);

/*
 * The trusted-root timestampAuthorities[] element of this TSA:
 * {subject, uri, certChain {certificates [leaf, (intermediate), root]},
 *  validFor {start, end?}}. start 0 = the chain's notBefore; end 0 = open.
 * New reference (caller json_decref()s); NULL on failure.
 */
json_t *vtsa_trust_root_entry(const struct vtsa *t, int64_t start,
                              int64_t end);

#endif
