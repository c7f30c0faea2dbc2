/*
 * pyverify.h - verify Sigstore bundles offline.
 *
 * This is the only installed header of libpyverify. Every public symbol
 * starts with pyverify_ / PYVERIFY_.
 *
 * What a successful pyverify_verify() establishes (see README.md):
 *   - the bundle is well formed for its version (v0.1, v0.2, v0.3);
 *   - the signing certificate chains to a Fulcio CA of the trusted root at
 *     every verified signing time, inside that CA's validFor window, and has
 *     the digitalSignature key usage and the codeSigning extended key usage;
 *   - an embedded signed certificate timestamp verifies against a CT log key
 *     of the trusted root;
 *   - every transparency log entry names a log of the trusted root, matches
 *     the bundle (artifact digest, signature, certificate or key), and every
 *     inclusion promise (SET), inclusion proof and checkpoint it carries
 *     verifies;
 *   - every RFC 3161 timestamp the bundle carries verifies against a
 *     timestamp authority of the trusted root;
 *   - the artifact signature verifies with the leaf (or managed) key;
 *   - the certificate identity and OIDC issuer satisfy the policy.
 *
 * What it does not do: it never touches the network, never refreshes the
 * trusted root (that is the caller's job, e.g. with TUF), and does not check
 * certificate revocation (Fulcio certificates are short-lived).
 *
 * Conventions: fallible functions return 0 (PYVERIFY_OK) or a negative
 * pyverify_status, write results through their first parameter (named out)
 * only on success, and fill the caller-owned pyverify_error when it is not
 * NULL. Every _free accepts NULL. Loaded trust roots, bundles and policies
 * are immutable and may be shared by any number of threads at once.
 */
#ifndef PYVERIFY_H
#define PYVERIFY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && !defined(PYVERIFY_NO_ATTRIBUTES)
#define PYVERIFY_MUST_CHECK __attribute__((warn_unused_result))
#define PYVERIFY_EXPORT __attribute__((visibility("default")))
#else
#define PYVERIFY_MUST_CHECK
#define PYVERIFY_EXPORT
#endif

#define PYVERIFY_VERSION "0.1.0"

/* Status classes: decide behaviour (for example the CLI exit code). */
typedef enum {
	PYVERIFY_OK = 0,
	PYVERIFY_EREJECT = -1,   /* verification said no */
	PYVERIFY_EPARSE = -2,    /* input is malformed (bundle, root, key) */
	PYVERIFY_EIO = -3,       /* a file could not be read */
	PYVERIFY_ENOMEM = -4,
	PYVERIFY_EUSAGE = -5,    /* the caller passed something invalid */
	PYVERIFY_EINTERNAL = -6  /* a library call failed unexpectedly */
} pyverify_status;

/* Where verification stopped. pyverify_step_code() gives a stable name. */
typedef enum {
	PYVERIFY_STEP_NONE = 0,
	PYVERIFY_STEP_BUNDLE_FORMAT,     /* "bundle-format" */
	PYVERIFY_STEP_TRUST_ROOT,        /* "trust-root" */
	PYVERIFY_STEP_ARTIFACT,          /* "artifact" */
	PYVERIFY_STEP_POLICY,            /* "policy" */
	PYVERIFY_STEP_TIMESTAMP,         /* "timestamp" (RFC 3161) */
	PYVERIFY_STEP_CERTIFICATE_CHAIN, /* "certificate-chain" */
	PYVERIFY_STEP_SCT,               /* "sct" */
	PYVERIFY_STEP_TLOG,              /* "tlog" (log lookup, times) */
	PYVERIFY_STEP_TLOG_BODY,         /* "tlog-body" */
	PYVERIFY_STEP_SET,               /* "set" */
	PYVERIFY_STEP_INCLUSION_PROOF,   /* "inclusion-proof" */
	PYVERIFY_STEP_CHECKPOINT,        /* "checkpoint" */
	PYVERIFY_STEP_SIGNATURE,         /* "signature" */
	PYVERIFY_STEP_IDENTITY,          /* "identity" */
	PYVERIFY_STEP_ISSUER,            /* "issuer" */
	PYVERIFY_STEP_KEY                /* "key" (managed key bundles) */
} pyverify_step;

#define PYVERIFY_ERROR_MSG_SIZE 1024

typedef struct {
	pyverify_status code;
	pyverify_step step;
	char msg[PYVERIFY_ERROR_MSG_SIZE]; /* one line, no trailing newline */
} pyverify_error;

/* Stable reason code of a step ("certificate-chain"); never NULL. */
PYVERIFY_EXPORT const char *pyverify_step_code(pyverify_step step);
/* Short name of a status class ("rejected"); never NULL. */
PYVERIFY_EXPORT const char *pyverify_status_name(pyverify_status code);

/* ---- Trusted root (trusted_root.json) --------------------------------- */

typedef struct pyverify_trust_root pyverify_trust_root;

/* Loads and validates a trusted root. `source` (may be NULL) is remembered
 * and quoted in messages that say the root may be out of date. */
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_trust_root_load_file(pyverify_trust_root **out, const char *path,
                              pyverify_error *err);
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_trust_root_load_memory(pyverify_trust_root **out, const void *buf,
                                size_t len, const char *source,
                                pyverify_error *err);
PYVERIFY_EXPORT void pyverify_trust_root_free(pyverify_trust_root *root);
/* Where the root was loaded from (borrowed; never NULL). */
PYVERIFY_EXPORT const char *
pyverify_trust_root_source(const pyverify_trust_root *root);

/* ---- Bundle ----------------------------------------------------------- */

typedef struct pyverify_bundle pyverify_bundle;

PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_bundle_load_file(pyverify_bundle **out, const char *path,
                          pyverify_error *err);
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_bundle_load_memory(pyverify_bundle **out, const void *buf, size_t len,
                            pyverify_error *err);
PYVERIFY_EXPORT void pyverify_bundle_free(pyverify_bundle *bundle);
/* The bundle's media type (borrowed; valid while the bundle lives). */
PYVERIFY_EXPORT const char *
pyverify_bundle_media_type(const pyverify_bundle *bundle);

/* ---- Artifact --------------------------------------------------------- */

/* The artifact is known by its digests; a file is streamed, never read
 * whole into memory. A bundle signs one digest of the artifact (SHA-256,
 * or SHA-384/SHA-512 for P-384/P-521 keys); verification fails at the
 * "artifact" step, naming the algorithm, when that one is not known. */
typedef struct {
	unsigned char sha256[32];
	/* Which digests are known (PYVERIFY_DIGEST_* bits). 0 means sha256
	 * alone, so a zeroed struct whose sha256 the caller filled keeps
	 * working. */
	unsigned digests;
	unsigned char sha384[48];
	unsigned char sha512[64];
} pyverify_artifact;

#define PYVERIFY_DIGEST_SHA256 0x1u
#define PYVERIFY_DIGEST_SHA384 0x2u
#define PYVERIFY_DIGEST_SHA512 0x4u

/* SHA-256 of the file only. */
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_artifact_from_file(pyverify_artifact *out, const char *path,
                            pyverify_error *err);
/* The file hashed, in one pass, with the algorithm(s) `bundle` signs or
 * names (its message digest, the in-toto subjects' digests). */
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_artifact_from_file_for(pyverify_artifact *out, const char *path,
                                const pyverify_bundle *bundle,
                                pyverify_error *err);
/* `digest` is "sha256:", "sha384:" or "sha512:" followed by 64, 96 or 128
 * hexadecimal digits. */
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_artifact_from_digest(pyverify_artifact *out, const char *digest,
                              pyverify_error *err);
/* All three digests of the buffer. */
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_artifact_from_memory(pyverify_artifact *out, const void *buf,
                              size_t len, pyverify_error *err);
/* The PYVERIFY_DIGEST_* bits of the artifact digests `bundle` can be
 * verified with (what pyverify_artifact_from_file_for computes). */
PYVERIFY_EXPORT unsigned
pyverify_bundle_digests(const pyverify_bundle *bundle);

/* ---- Policy ----------------------------------------------------------- */

typedef struct pyverify_policy pyverify_policy;

enum {
	PYVERIFY_MATCH_EXACT = 0, /* byte-equal, case-sensitive */
	PYVERIFY_MATCH_REGEX = 1  /* POSIX extended, matched against the whole value */
};

PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_policy_new(pyverify_policy **out, pyverify_error *err);
PYVERIFY_EXPORT void pyverify_policy_free(pyverify_policy *policy);
/* Adds one accepted (identity, issuer) pair; any one pair matching passes.
 * Each side is exact or a regular expression (PYVERIFY_MATCH_*). */
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_policy_add_identity(pyverify_policy *policy, const char *identity,
                             int identity_match, const char *issuer,
                             int issuer_match, pyverify_error *err);
/* Managed-key verification: the bundle must carry a public key and be signed
 * by this PEM SubjectPublicKeyInfo key. Excludes identities. */
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_policy_set_key_pem(pyverify_policy *policy, const void *pem,
                            size_t len, pyverify_error *err);
/* The wall clock used to reject log times in the future (Unix seconds).
 * Default: the time of each pyverify_verify() call. */
PYVERIFY_EXPORT void pyverify_policy_set_now(pyverify_policy *policy,
                                             int64_t unix_seconds);
/* How many verified signing times (log SETs plus RFC 3161 timestamps) are
 * required; default 1. */
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_policy_set_min_verified_times(pyverify_policy *policy, unsigned n,
                                       pyverify_error *err);

/* ---- Verification ----------------------------------------------------- */

#define PYVERIFY_VALUE_MAX 4096

typedef struct {
	char identity[PYVERIFY_VALUE_MAX + 1]; /* SAN that matched ("" for keys) */
	char issuer[PYVERIFY_VALUE_MAX + 1];   /* OIDC issuer ("" for keys) */
	int policy_index;       /* which pyverify_policy_add_identity() matched */
	int64_t signing_time;   /* earliest verified time, Unix seconds */
	int64_t log_index;      /* of the first log entry, -1 if none */
	int64_t integrated_time; /* of the first log entry, Unix seconds;
	                            0 for Rekor v2 entries, which have none */
	unsigned verified_times; /* how many verified times were found */
	char log_id_hex[65];    /* of the first log entry */
	int bundle_minor_version; /* 1, 2 or 3 */
} pyverify_result;

/*
 * Verifies `bundle` for `artifact` under `policy` with trust from `root`.
 * Returns PYVERIFY_OK and fills *out if and only if every step passed;
 * otherwise returns a negative status and err names the first failing step.
 * Thread-safe: all inputs are read-only.
 */
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_verify(const pyverify_trust_root *root, const pyverify_bundle *bundle,
                const pyverify_artifact *artifact,
                const pyverify_policy *policy, pyverify_result *out,
                pyverify_error *err);

#ifdef __cplusplus
}
#endif
#endif /* PYVERIFY_H */
