/*
 * verify/steps.h - the verification steps and the contracts between them;
 * verify.c runs them in order. Uses util/, crypto/ and format/. */
#ifndef PV_STEPS_H
#define PV_STEPS_H

#include <regex.h>

#include "format/format.h"

/* ---- digests.c ----------------------------------------------------------- */

/* One artifact digest algorithm (HashAlgorithm of SPEC 1.4.1). */
struct pv_digest_info {
	int alg;              /* enum pv_hash_alg */
	unsigned bit;         /* PYVERIFY_DIGEST_* */
	const char *name;     /* "sha256": hashedrekord 0.0.1, in-toto, CLI */
	const char *enum_name; /* "SHA2_256": bundles, hashedrekord 0.0.2 */
	const char *title;    /* "SHA-256": messages */
	size_t len;           /* digest bytes */
};
/* NULL when unknown. */
const struct pv_digest_info *pv_digest_by_alg(int alg);
const struct pv_digest_info *pv_digest_by_bit(unsigned bit);
const struct pv_digest_info *pv_digest_by_name(const char *name, size_t len);
const struct pv_digest_info *pv_digest_by_md(const EVP_MD *md);
const EVP_MD *pv_digest_md(const struct pv_digest_info *d);
/* The PYVERIFY_DIGEST_* bits the artifact knows (0 reads as sha256). */
unsigned pv_artifact_known(const pyverify_artifact *a);
/* The artifact's digest of that algorithm; NULL if not known. */
const uint8_t *pv_artifact_digest(const pyverify_artifact *a, int alg);
/* "sha256" or "sha256 and sha512": the known digests, for messages;
 * out holds 64 bytes. */
void pv_artifact_known_names(char *out, size_t outlen,
                             const pyverify_artifact *a);
/*
 * The digest algorithm a message signature signs (SPEC 3.7.1): the
 * messageDigest's when present, else the one the first hashedrekord entry
 * records, else the hash of `key`'s algorithm (key NULL: the leaf's;
 * unknown: 0). enum pv_hash_alg or 0.
 */
int pv_message_digest_alg(const pyverify_bundle *b,
                          const struct pv_pubkey *key);

/* ---- policy.c ------------------------------------------------------------ */

struct pv_match {
	char *value;  /* exact value, or the pattern */
	int mode;     /* PYVERIFY_MATCH_* */
	regex_t re;   /* compiled "^(pattern)$" when mode is REGEX */
};

struct pv_identity_rule {
	struct pv_match identity;
	struct pv_match issuer;
};

struct pyverify_policy {
	struct pv_identity_rule *rules;
	size_t n_rules;
	int has_key;
	struct pv_pubkey key;
	int has_now;
	int64_t now;             /* Unix seconds */
	unsigned min_times;      /* >= 1 */
};

/* 1 if value matches m, 0 if not. value is NUL-terminated. */
int pv_match_value(const struct pv_match *m, const char *value);

/* ---- chain.c --------------------------------------------------------------- */

/*
 * Validates `leaf` (RFC 5280, X509_V_FLAG_X509_STRICT) against each Fulcio CA
 * of `root` whose validFor contains t_ms, at time t_ms: anchor = the last
 * certificate of the CA's chain, untrusted intermediates = the others of the
 * same CA entry; certificates from the bundle are never used. On success
 * *issuer_out receives the certificate that signed the leaf (up-referenced;
 * the caller frees it). Fails with step CERTIFICATE_CHAIN; when no CA covers
 * t_ms or none matches the leaf's issuer, the message says the trusted root
 * may be out of date and names root->source.
 */
PV_MUST_CHECK int pv_chain_verify(const pyverify_trust_root *root, X509 *leaf,
                                  int64_t t_ms, X509 **issuer_out,
                                  pyverify_error *err);
/* Leaf profile: X.509 v3, not a CA, KeyUsage with digitalSignature, EKU with
 * codeSigning. Step CERTIFICATE_CHAIN. */
PV_MUST_CHECK int pv_leaf_check_profile(X509 *leaf, pyverify_error *err);
/* t_ms within [notBefore, notAfter] of cert (inclusive); step
 * CERTIFICATE_CHAIN, message names both times in RFC 3339. `what` says which
 * time it is ("log integrated time", "RFC 3161 timestamp"). */
PV_MUST_CHECK int pv_cert_check_time(X509 *cert, int64_t t_ms,
                                     const char *what, pyverify_error *err);
/* Checks the extra certificates a bundle chain carries after the leaf: each
 * must parse, and none may be a self-signed (self-issued) certificate: a
 * root sent inside a bundle proves nothing. Step CERTIFICATE_CHAIN. */
PV_MUST_CHECK int pv_bundle_chain_check(const struct pv_bytes *certs,
                                        size_t n_certs, pyverify_error *err);
/* The same from certificate `from` on: a caller that has decoded the
 * leaf itself passes 1 (each decode costs a provider lookup). */
PV_MUST_CHECK int pv_bundle_chain_check_from(const struct pv_bytes *certs,
                                             size_t n_certs, size_t from,
                                             pyverify_error *err);

/* After pv_chain_verify: each extra certificate of the bundle chain
 * (certs[1..]) must be the trusted root's certificate that issued the one
 * before it, certs[1] being `issuer`. Step CERTIFICATE_CHAIN. */
PV_MUST_CHECK int pv_bundle_chain_agrees(const pyverify_trust_root *root,
                                         const struct pv_bytes *certs,
                                         size_t n_certs, X509 *leaf,
                                         X509 *issuer, pyverify_error *err);

/* ---- sct.c --------------------------------------------------------------- */

/*
 * Verifies the leaf's embedded SCT list (OID 1.3.6.1.4.1.11129.2.4.2): at
 * least one SCT must verify (RFC 6962 precert signed data over the leaf TBS
 * without the SCT extension, issuer key hash of `issuer`) with a CT log key
 * of the root whose validFor contains the SCT timestamp. SCTs from logs the
 * root does not know are skipped; a known log whose signature fails rejects.
 * Step SCT.
 */
PV_MUST_CHECK int pv_sct_verify(const pyverify_trust_root *root, X509 *leaf,
                                X509 *issuer, pyverify_error *err);

/* ---- identity.c ------------------------------------------------------------ */

struct pv_cert_identity {
	char **sans;     /* email, URI and otherName (1.3.6.1.4.1.57264.1.7)
	                    values, in certificate order */
	size_t n_sans;
	char *issuer;    /* 1.3.6.1.4.1.57264.1.8 if present, else .1; NULL if
	                    neither */
};
/* Reads SANs and the OIDC issuer. Malformed extensions (bad DER, trailing
 * bytes, embedded NUL) fail with step IDENTITY or ISSUER. If both .1 and .8
 * are present they must be equal. */
PV_MUST_CHECK int pv_cert_identity_read(struct pv_cert_identity *out,
                                        X509 *leaf, pyverify_error *err);
void pv_cert_identity_clear(struct pv_cert_identity *id);
/*
 * Succeeds iff some rule matches: some SAN matches the rule's identity and
 * the issuer matches the rule's issuer. Fills out->identity, out->issuer and
 * out->policy_index. Fails with step IDENTITY when no SAN matches any rule
 * (message: expected vs actual), else ISSUER.
 */
PV_MUST_CHECK int pv_identity_match(const struct pv_cert_identity *id,
                                    const pyverify_policy *policy,
                                    pyverify_result *out, pyverify_error *err);

/* ---- tlog.c ------------------------------------------------------------------ */

/* What a log entry must be about. */
struct pv_signed_content {
	enum pv_content content;
	const uint8_t *artifact_sha256;   /* 32 bytes (message signatures) */
	/* The digest the message signature signs, when not SHA-256
	 * (digest_alg 0: artifact_sha256 is the digest). */
	int digest_alg;                   /* enum pv_hash_alg */
	const uint8_t *artifact_digest;   /* pv_digest_by_alg(digest_alg)->len */
	const uint8_t *signature;         /* bundle signature bytes */
	size_t signature_len;
	const uint8_t *payload;           /* DSSE payload (decoded) */
	size_t payload_len;
	const char *payload_type;         /* DSSE payloadType */
	const uint8_t *cert_der;          /* leaf DER; NULL for key bundles */
	size_t cert_len;
	const struct pv_pubkey *key;      /* the signing key (leaf's or managed) */
};

/*
 * Checks that the entry's body is about this signature: kind/version match
 * kindVersion, then per kind (hashedrekord 0.0.1/0.0.2, dsse 0.0.1, intoto
 * 0.0.2) the digest, signature and certificate/key equal the bundle's.
 * Writes the RFC 6962 leaf hash to use for the inclusion proof
 * (H(0x00 || body)). Step TLOG_BODY.
 */
PV_MUST_CHECK int pv_tlog_check_body(const struct pv_tlog_entry *e,
                                     const struct pv_signed_content *c,
                                     uint8_t leaf_hash[32],
                                     pyverify_error *err);
/* The artifact digest algorithm a hashedrekord entry (0.0.1 or 0.0.2)
 * records; 0 for other kinds or a body that does not say. Never fails. */
int pv_tlog_body_digest_alg(const struct pv_tlog_entry *e);
/* Verifies the signed entry timestamp (JCS payload of body, integratedTime,
 * logID hex, logIndex) with the log key. Step SET. */
PV_MUST_CHECK int pv_tlog_verify_set(const struct pv_tlog_entry *e,
                                     const struct pv_tlog *log,
                                     pyverify_error *err);

/* ---- merkle.c ---------------------------------------------------------------- */

/* H(0x00 || data); 0, or -1 (out zeroed) if OpenSSL fails. */
PV_MUST_CHECK int pv_merkle_leaf_hash(uint8_t out[32], const uint8_t *data,
                                      size_t len);
/* RFC 6962/9162 inclusion proof of leaf `index` in a tree of `size`:
 * recomputes the root and compares it with `root`. Step INCLUSION_PROOF. */
PV_MUST_CHECK int pv_merkle_verify_inclusion(const uint8_t leaf_hash[32],
                                             uint64_t index, uint64_t size,
                                             const uint8_t (*proof)[32],
                                             size_t n_proof,
                                             const uint8_t root[32],
                                             pyverify_error *err);

/* ---- checkpoint.c -------------------------------------------------------------- */

struct pv_checkpoint {
	char origin[PV_MAX_SHORT_STRING + 1];
	uint64_t size;
	uint8_t root_hash[32];
};
/*
 * Parses a signed note (C2SP signed-note / tlog-checkpoint) and requires a
 * valid signature line from `log`:
 *   rekor_v2 == 0 (Rekor v1, ECDSA): a line counts when its 4-byte key ID is
 *     the first 4 bytes of H(DER SPKI) (the key name is not checked);
 *   rekor_v2 == 1 (C2SP): the key name and the origin line must both equal
 *     log->origin, and the key ID is H(name || 0x0A || 0x01 || raw Ed25519)
 *     for Ed25519 keys, H(DER SPKI) for ECDSA keys (first 4 bytes).
 * Lines from other keys are ignored; a counting line whose signature fails
 * rejects; no counting line rejects. Step CHECKPOINT.
 */
PV_MUST_CHECK int pv_checkpoint_verify(struct pv_checkpoint *out,
                                       const char *text, size_t len,
                                       const struct pv_tlog *log, int rekor_v2,
                                       pyverify_error *err);

/* ---- tsa.c ---------------------------------------------------------------------- */

/*
 * Verifies one DER TimeStampResp: status granted, imprint = hash of
 * `signature`, CMS signature by a signer that chains (at genTime) to a
 * timestamp authority of the root whose validFor contains genTime, signer EKU
 * timeStamping (critical). Writes genTime (Unix ms). Step TIMESTAMP.
 */
PV_MUST_CHECK int pv_tsa_verify(const pyverify_trust_root *root,
                                const uint8_t *resp, size_t resp_len,
                                const uint8_t *signature, size_t sig_len,
                                int64_t *gen_time_ms, pyverify_error *err);
/* The same, also naming which root->tsas[] entry accepted it (so a
 * threshold can count each authority once). */
PV_MUST_CHECK int pv_tsa_verify_from(const pyverify_trust_root *root,
                                     const uint8_t *resp, size_t resp_len,
                                     const uint8_t *signature, size_t sig_len,
                                     int64_t *gen_time_ms, size_t *tsa_index,
                                     pyverify_error *err);

/* ---- dsse.c ---------------------------------------------------------------------- */

/* PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body. */
PV_MUST_CHECK int pv_dsse_pae(struct pv_bytes *out, const char *type,
                              const uint8_t *body, size_t body_len);
/* The payload must be an in-toto Statement (payloadType
 * application/vnd.in-toto+json, _type v0.1 or v1) one of whose subjects has
 * the sha256 digest `sha256`. Step ARTIFACT. */
PV_MUST_CHECK int pv_dsse_match_subject(const char *payload_type,
                                        const uint8_t *payload, size_t len,
                                        const uint8_t sha256[32],
                                        pyverify_error *err);
/* The same with every digest the artifact knows: a subject matches when it
 * shares at least one of them and every shared one is equal (SPEC 3.7.3:
 * sha256, sha384, sha512). A statement none of whose subjects carries a
 * known algorithm is rejected naming the algorithms it does use. */
PV_MUST_CHECK int pv_dsse_match_subject_digests(const char *payload_type,
                                                const uint8_t *payload,
                                                size_t len,
                                                const pyverify_artifact *a,
                                                pyverify_error *err);
/* PYVERIFY_DIGEST_* bits of the algorithms the statement's subjects carry
 * (0 if it is not an in-toto statement). Never fails. */
unsigned pv_dsse_subject_digests(const char *payload_type,
                                 const uint8_t *payload, size_t len);

#endif /* PV_STEPS_H */
