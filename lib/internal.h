/*
 * internal.h - the library's internal model and the contracts between its
 * modules. Nothing here is installed. Cross-file symbols use the pv_ prefix.
 *
 * Module map (one job each):
 *   err.c         pv_fail(), step and status names
 *   file_open.c   opening and reading input files (regular files only)
 *   encoding.c    base64, hex, decimal, RFC 3339, SHA-256 helpers
 *   keys.c        public keys (SPKI, Ed25519) and signature checks
 *   json.c        jansson helpers shared by the two JSON parsers
 *   bundle.c      bundle JSON -> struct pyverify_bundle (only bundle parser)
 *   trust_root.c  trusted_root.json -> struct pyverify_trust_root
 *   policy.c      pyverify_policy
 *   artifact.c    artifact digest input (streamed, one pass)
 *   digests.c     SHA-2 digest algorithms: names, the artifact's digests,
 *                 which digest a bundle signs
 *   chain.c       Fulcio certificate path at a given time, leaf profile
 *   sct.c         embedded signed certificate timestamps
 *   identity.c    Fulcio extensions, SAN, identity policy match
 *   jcs.c         RFC 8785 canonical JSON (SET payloads, Rekor v2 bodies)
 *   tlog.c        log entry body consistency
 *   tlog_set.c    signed entry timestamp (inclusion promise)
 *   merkle.c      RFC 6962 inclusion proofs
 *   checkpoint.c  signed-note checkpoints (Rekor v1 ECDSA, v2 Ed25519)
 *   tsa.c         RFC 3161 timestamps
 *   dsse.c        DSSE PAE and in-toto subject matching
 *   verify.c      the orchestrator: steps in order
 *   cpython_*.c   CPython artifact names and the release-manager policy
 *   release.c     per-artifact verdicts shared by the CLI and the daemon
 *
 * Dependency direction: verify.c calls the step modules; step modules take
 * the plain structs below and never parse JSON bundles themselves.
 */
#ifndef PV_INTERNAL_H
#define PV_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <regex.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "pv_limits.h"
#include "pyverify.h"

#define PV_MUST_CHECK __attribute__((warn_unused_result))
#define PV_TRY(x)                                                              \
	do {                                                                   \
		int pv_rc_ = (x);                                              \
		if (pv_rc_ != 0)                                               \
			return pv_rc_;                                         \
	} while (0)

/* ---- err.c ------------------------------------------------------------ */

/* Fills err (if not NULL) and returns code. Messages are one line; the step
 * code is not repeated in the message. */
int pv_fail(pyverify_error *err, pyverify_status code, pyverify_step step,
            const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Resets err to "no error". */
void pv_error_clear(pyverify_error *err);

/* ---- file_open.c ---------------------------------------------------------- */

/* Every input file (artifact, bundle, trusted root, policy, manifest, key,
 * token file) is opened through these. `what` names the document in
 * messages ("bundle"; NULL for none); why receives one line such as
 * "bundle /m/x.sigstore is not a regular file (a FIFO)". Results are 0,
 * PYVERIFY_EIO (cannot open or read, not a regular file), PYVERIFY_EPARSE
 * (larger than max) or PYVERIFY_ENOMEM. */
#define PV_FILE_NOFOLLOW 1u /* refuse a symbolic link (secrets) */
/* Opens path read-only and close-on-exec, without blocking: a FIFO, device,
 * socket or directory is refused before anything is read. *fd_out is -1
 * on failure; st_out (may be NULL) receives the file's fstat. */
PV_MUST_CHECK int pv_file_open(int *fd_out, struct stat *st_out,
                               const char *path, unsigned flags,
                               const char *what, char *why, size_t whylen);
/* Reads fd to its end, at most max bytes (max < SIZE_MAX), into a malloc'd
 * buffer with a NUL appended (not counted in *len). st (may be NULL) sizes
 * the first allocation; buffers are wiped before they are freed. */
PV_MUST_CHECK int pv_file_read_fd(uint8_t **out, size_t *len, int fd,
                                  const struct stat *st, size_t max,
                                  const char *what, const char *path,
                                  char *why, size_t whylen);
/* pv_file_open + pv_file_read_fd + close. */
PV_MUST_CHECK int pv_file_read(uint8_t **out, size_t *len, const char *path,
                               unsigned flags, size_t max, const char *what,
                               char *why, size_t whylen);

/* ---- encoding.c --------------------------------------------------------- */

/* An owned byte string. data may be NULL when len is 0. */
struct pv_bytes {
	uint8_t *data;
	size_t len;
};
void pv_bytes_clear(struct pv_bytes *b); /* frees, zeroes */
PV_MUST_CHECK int pv_bytes_dup(struct pv_bytes *out, const void *p, size_t n);

/* Strict RFC 4648 standard base64 with padding; rejects whitespace,
 * non-alphabet bytes, non-zero pad bits and anything after the padding.
 * Returns 0 or -1 (out untouched on failure). An empty input decodes to an
 * empty string. */
PV_MUST_CHECK int pv_b64_decode(struct pv_bytes *out, const char *in,
                                size_t inlen);
/* Standard padded base64, NUL-terminated, malloc'd; NULL on ENOMEM. */
char *pv_b64_encode(const uint8_t *in, size_t len);
/* Exactly outlen bytes from 2*outlen hex digits (either case); 0 or -1. */
PV_MUST_CHECK int pv_hex_decode(uint8_t *out, size_t outlen, const char *in,
                                size_t inlen);
/* Lowercase hex; out must hold 2*len+1 bytes. */
void pv_hex_encode(char *out, const uint8_t *in, size_t len);
/* Decimal without sign or leading zeros ("0" alone is fine), fits uint64. */
PV_MUST_CHECK int pv_parse_u64(uint64_t *out, const char *s, size_t len);
/* RFC 3339 date-time ("2021-01-12T11:53:27Z", fraction up to 9 digits,
 * "Z" or +hh:mm offset) to Unix milliseconds. Fractions below a millisecond
 * round down, or up when round_up (use round_up for window starts so a
 * closed interval never grows). 0 or -1. */
PV_MUST_CHECK int pv_parse_rfc3339_ms(int64_t *out, const char *s,
                                      int round_up);
/* "2024-03-19T17:26:26Z"; out must hold 32 bytes. */
void pv_format_rfc3339(char *out, int64_t unix_seconds);
/* SHA-256 of a buffer; 0 or -1. */
PV_MUST_CHECK int pv_sha256(uint8_t out[32], const void *data, size_t len);

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

/* ---- time ranges (trust_root.c) ------------------------------------------- */

struct pv_time_range {
	int64_t start_ms; /* meaningful unless open_start */
	int64_t end_ms;   /* inclusive; meaningful when has_end */
	int has_end;
	/* The trusted root gave no validFor at all (an unbounded window);
	 * zero, the usual case, means start_ms bounds the window. */
	int open_start;
};
/* Closed interval [start, end]. */
int pv_time_range_contains(const struct pv_time_range *r, int64_t t_ms);

/* ---- trusted root (trust_root.c) ----------------------------------------- */

/* A transparency log or CT log of the trusted root. */
struct pv_tlog {
	char *base_url;
	char *origin;        /* base_url without scheme and trailing '/':
	                        the Rekor v2 checkpoint origin and key name */
	uint8_t log_id[32];  /* logId.keyId (always 32 bytes) */
	struct pv_pubkey key;
	struct pv_time_range valid; /* publicKey.validFor */
};

/* A Fulcio CA or a timestamp authority. */
struct pv_ca {
	char *uri;
	X509 **certs;        /* certChain in file order: most specific first,
	                        trust anchor last */
	size_t n_certs;      /* >= 1 */
	struct pv_time_range valid;
	/* Set by pv_ca_prepare() at load: the entry's own chain
	 * (certs[0] up to the anchor) was validated once, so a leaf issued
	 * by certs[0] can be checked against certs[0] alone, plus the upper
	 * certificates' validity at the signing time. */
	int first_is_checked_anchor;
};

struct pyverify_trust_root {
	char *source;        /* where it was loaded from */
	char *media_type;
	struct pv_tlog *tlogs;
	size_t n_tlogs;
	struct pv_tlog *ctlogs;
	size_t n_ctlogs;
	struct pv_ca *cas;
	size_t n_cas;
	struct pv_ca *tsas;
	size_t n_tsas;
};

/* Lookup by 32-byte log ID; NULL if the root does not know the log. */
const struct pv_tlog *pv_trust_root_find_tlog(const pyverify_trust_root *r,
                                              const uint8_t id[32]);
const struct pv_tlog *pv_trust_root_find_ctlog(const pyverify_trust_root *r,
                                               const uint8_t id[32]);

/* ---- bundle (bundle.c) -------------------------------------------------- */

enum pv_material {
	PV_MATERIAL_CHAIN = 1,       /* x509CertificateChain */
	PV_MATERIAL_CERTIFICATE = 2, /* certificate */
	PV_MATERIAL_PUBLIC_KEY = 3   /* publicKey.hint */
};

enum pv_content {
	PV_CONTENT_MESSAGE = 1, /* messageSignature */
	PV_CONTENT_DSSE = 2     /* dsseEnvelope */
};

/* HashAlgorithm (protobuf numbering). */
enum pv_hash_alg {
	PV_HASH_SHA2_256 = 1,
	PV_HASH_SHA2_384 = 2,
	PV_HASH_SHA2_512 = 3
};

struct pv_inclusion_proof {
	int64_t log_index;     /* >= 0 */
	int64_t tree_size;     /* >= 1 */
	uint8_t root_hash[32];
	uint8_t (*hashes)[32]; /* n_hashes <= PV_MAX_PROOF_HASHES */
	size_t n_hashes;
	char *checkpoint;      /* checkpoint.envelope, NUL-terminated UTF-8;
	                          NULL when absent */
	size_t checkpoint_len;
};

struct pv_tlog_entry {
	int64_t log_index;          /* >= 0 */
	uint8_t log_id[32];
	char kind[PV_MAX_SHORT_STRING + 1];    /* kindVersion.kind */
	char version[PV_MAX_SHORT_STRING + 1]; /* kindVersion.version */
	int64_t integrated_time;    /* Unix seconds; 0 = absent */
	struct pv_bytes set;        /* inclusionPromise; len 0 = absent */
	int has_proof;
	struct pv_inclusion_proof proof;
	struct pv_bytes body;       /* canonicalizedBody, decoded */
};

struct pyverify_bundle {
	char *media_type;
	int minor;                  /* 1, 2 or 3 */
	enum pv_material material;
	struct pv_bytes *certs;     /* DER; [0] is the leaf; n_certs == 1 for
	                               PV_MATERIAL_CERTIFICATE, 0 for keys */
	size_t n_certs;
	char *key_hint;             /* publicKey.hint ("" allowed) */

	enum pv_content content;
	/* messageSignature (PV_CONTENT_MESSAGE) */
	int has_message_digest;
	int digest_alg;             /* enum pv_hash_alg */
	struct pv_bytes message_digest;
	/* The signature: messageSignature.signature, or the one DSSE
	 * signatures[0].sig. Never empty. */
	struct pv_bytes signature;
	/* dsseEnvelope (PV_CONTENT_DSSE) */
	struct pv_bytes payload;
	char *payload_type;
	char *dsse_keyid;           /* may be NULL */

	struct pv_tlog_entry *entries;
	size_t n_entries;
	struct pv_bytes *timestamps; /* rfc3161Timestamps[].signedTimestamp */
	size_t n_timestamps;
};

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
/* At trusted-root load: validates a Fulcio CA entry's own chain once
 * (signatures, CA constraints, path lengths, EKU) and sets
 * ca->first_is_checked_anchor when pv_chain_verify may start from certs[0].
 * Never fails: a chain it cannot vouch for is simply validated in full at
 * every verification. */
void pv_ca_prepare(struct pv_ca *ca);
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

#endif /* PV_INTERNAL_H */
