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
	PYVERIFY_STEP_KEY,               /* "key" (managed key bundles) */
	PYVERIFY_STEP_TRUST_UPDATE,      /* "trust-update" (TUF refresh) */
	/* Signing (pyverify_sign_*): the service or stage that failed. */
	PYVERIFY_STEP_OIDC,              /* "oidc" (identity token) */
	PYVERIFY_STEP_FULCIO,            /* "fulcio" (certificate) */
	PYVERIFY_STEP_REKOR,             /* "rekor" (transparency log) */
	PYVERIFY_STEP_TSA,               /* "tsa" (RFC 3161 timestamp) */
	PYVERIFY_STEP_SIGN_VERIFY        /* "verify" (the new bundle, checked
	                                    before it is handed out) */
} pyverify_step;

#define PYVERIFY_ERROR_MSG_SIZE 1024
/* Longest identity, issuer or subject a result or view holds. */
#define PYVERIFY_VALUE_MAX 4096

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
 * and quoted in messages that say the root may be out of date. Loading
 * checks everything but the inside of certificates framed as strict DER,
 * which are decoded when a verification first uses their entry (a
 * verification uses one or two entries; see pyverify_trust_root_check). */
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_trust_root_load_file(pyverify_trust_root **out, const char *path,
                              pyverify_error *err);
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_trust_root_load_memory(pyverify_trust_root **out, const void *buf,
                                size_t len, const char *source,
                                pyverify_error *err);
PYVERIFY_EXPORT void pyverify_trust_root_free(pyverify_trust_root *root);
/* Decodes every certificate of the root now, and validates each Fulcio
 * CA entry's own chain once: 0, or an error naming the first certificate
 * that is not one DER X.509 certificate. For a root about to be installed
 * or served, which should be known whole before it is. */
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_trust_root_check(const pyverify_trust_root *root,
                          pyverify_error *err);
/* Where the root was loaded from (borrowed; never NULL). */
PYVERIFY_EXPORT const char *
pyverify_trust_root_source(const pyverify_trust_root *root);
/* Its mediaType (borrowed; never NULL). */
PYVERIFY_EXPORT const char *
pyverify_trust_root_media_type(const pyverify_trust_root *root);

/* A read-only view of what a loaded root trusts (for listings such as the
 * daemon's /v1/trust): entries of each kind are numbered 0..count-1 in
 * file order. */
typedef enum {
	PYVERIFY_TRUST_TLOG = 1, /* transparency logs (Rekor) */
	PYVERIFY_TRUST_CTLOG,    /* certificate transparency logs */
	PYVERIFY_TRUST_CA,       /* certificate authorities (Fulcio) */
	PYVERIFY_TRUST_TSA       /* RFC 3161 timestamp authorities */
} pyverify_trust_kind;

typedef struct {
	pyverify_trust_kind kind;
	/* Logs: baseUrl; CAs and TSAs: uri. Borrowed from the root; NULL
	 * when the file gave none. */
	const char *url;
	/* Logs: logId.keyId as lowercase hex; "" for CAs and TSAs. */
	char log_id_hex[65];
	/* Logs: publicKey.keyDetails ("PKIX_ECDSA_P256_SHA_256"); NULL for
	 * CAs and TSAs. Static. */
	const char *key_type;
	/* CAs and TSAs: the RFC 2253 subject of the first certificate of the
	 * chain and of its last one (the trust anchor); "" for logs, or when
	 * a subject cannot be printed in full. */
	char subject[PYVERIFY_VALUE_MAX + 1];
	char anchor[PYVERIFY_VALUE_MAX + 1];
	size_t n_certificates; /* CAs and TSAs: length of certChain; logs 0 */
	/* validFor, Unix milliseconds, closed interval [start, end]. No start
	 * (has_start 0): the root gave no validFor at all; no end: still
	 * valid. */
	int has_start, has_end;
	int64_t start_ms, end_ms;
} pyverify_trust_entry;

/* How many entries of that kind the root holds (0 for NULL or an unknown
 * kind). */
PYVERIFY_EXPORT size_t
pyverify_trust_root_count(const pyverify_trust_root *root,
                          pyverify_trust_kind kind);
/* Fills *out with entry i of that kind. PYVERIFY_EUSAGE when i is out of
 * range; PYVERIFY_ENOMEM. */
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_trust_root_entry(pyverify_trust_entry *out,
                          const pyverify_trust_root *root,
                          pyverify_trust_kind kind, size_t i,
                          pyverify_error *err);
/* 1 if the entry's validFor window contains t_ms (Unix milliseconds): a
 * signature made then would be accepted by it; else 0. */
PYVERIFY_EXPORT int pyverify_trust_entry_valid_at(const pyverify_trust_entry *e,
                                                  int64_t t_ms);

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

/* ---- CPython releases (SPEC 6) ----------------------------------------- */

/* The verdict on one python.org CPython release artifact under the CPython
 * signing policy (policy/cpython.json: which release manager identity and
 * OIDC issuer signed each release series, and since when). The caller
 * finds the material (a bundle beside the artifact, an uploaded one, an
 * .asc) and hands over what it found; nothing here touches the file system
 * or the network except the policy loaders. */

typedef struct pyverify_release_policy pyverify_release_policy;

/* Where the policy lives in the source tree (relative to its root). */
#define PYVERIFY_RELEASE_POLICY_SOURCE "policy/cpython.json"
/* Largest policy document the loaders accept. */
#define PYVERIFY_RELEASE_POLICY_MAX_BYTES (256u << 10)

/* Loads and strictly validates a policy (schema
 * "pyverify.cpython-policy/1"); a broken policy is an error, never an empty
 * one. PYVERIFY_EIO, PYVERIFY_EPARSE (the message names the JSON path),
 * PYVERIFY_ENOMEM; step PYVERIFY_STEP_POLICY. Immutable once loaded. */
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_release_policy_load_file(pyverify_release_policy **out,
                                  const char *path, pyverify_error *err);
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_release_policy_load_memory(pyverify_release_policy **out,
                                    const void *buf, size_t len,
                                    pyverify_error *err);
PYVERIFY_EXPORT void
pyverify_release_policy_free(pyverify_release_policy *policy);
/* Where `make install` puts the policy (static string). */
PYVERIFY_EXPORT const char *pyverify_release_policy_installed_path(void);
/* The policy of the running program: the source tree's
 * PYVERIFY_RELEASE_POLICY_SOURCE when the binary runs from a build
 * directory of that tree, else the installed one. */
PYVERIFY_EXPORT void pyverify_release_policy_default_path(char *out,
                                                          size_t outlen);

/* A read-only view of the policy's release series, in file order. */
#define PYVERIFY_RELEASE_VERSION_MAX 32 /* "9999.9999.9999rc9999" + NUL */
typedef struct {
	unsigned major, minor;  /* "3.14" */
	unsigned pep;           /* release schedule PEP; 0 when not given */
	char first_sigstore[PYVERIFY_RELEASE_VERSION_MAX]; /* "3.14.0a1" */
	int pgp;                /* the series publishes PGP .asc signatures */
	size_t n_identities;    /* accepted signers (any one) */
} pyverify_release_series;

PYVERIFY_EXPORT size_t
pyverify_release_policy_series_count(const pyverify_release_policy *policy);
/* Series i; PYVERIFY_EUSAGE when out of range. */
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_release_policy_series(pyverify_release_series *out,
                               const pyverify_release_policy *policy,
                               size_t i);
/* Signer k of series i (borrowed from the policy); PYVERIFY_EUSAGE when
 * out of range. */
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_release_policy_signer(const char **identity, const char **issuer,
                               const pyverify_release_policy *policy,
                               size_t i, size_t k);

/* What a python.org artifact is. */
typedef enum {
	PYVERIFY_RELEASE_KIND_NONE = 0,
	PYVERIFY_RELEASE_KIND_SOURCE,           /* "source": Python-X.Y.Z.tgz */
	PYVERIFY_RELEASE_KIND_WINDOWS,          /* "windows": .exe, .msi, zip */
	PYVERIFY_RELEASE_KIND_WINDOWS_MANIFEST, /* "windows-manifest" */
	PYVERIFY_RELEASE_KIND_WINDOWS_HELP,     /* "windows-help": .chm */
	PYVERIFY_RELEASE_KIND_MACOS,            /* "macos": .pkg */
	PYVERIFY_RELEASE_KIND_ANDROID,          /* "android" */
	PYVERIFY_RELEASE_KIND_IOS,              /* "ios" */
	PYVERIFY_RELEASE_KIND_DOCS              /* "docs" */
} pyverify_release_kind;

/* The last component of path (after its last '/'), borrowed from path. */
PYVERIFY_EXPORT const char *pyverify_release_basename(const char *path);
/* Maps a python.org artifact file name (a basename; a name with '/' is
 * rejected) to its release version ("3.14.0rc1") and kind; version (room
 * for PYVERIFY_RELEASE_VERSION_MAX bytes) and kind may be NULL. Only the
 * published name forms are accepted. 0, or -1 with the outputs untouched. */
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_release_parse_name(char *version, pyverify_release_kind *kind,
                            const char *name);

typedef enum {
	/* The bundle verified under the policy's (or the override's) signer. */
	PYVERIFY_RELEASE_VERIFIED = 1,
	/* The bundle (or the artifact) did not verify: error says which
	 * step. */
	PYVERIFY_RELEASE_FAILED,
	/* No Sigstore material; the release predates Sigstore signing and a
	 * PGP .asc is published for it (pyverify does not check PGP). */
	PYVERIFY_RELEASE_LEGACY_PGP_ONLY,
	/* No Sigstore material where there should be some, or nothing at all
	 * to verify; the note says which. */
	PYVERIFY_RELEASE_MISSING,
	/* Not a python.org CPython artifact name, or its series is not in the
	 * policy. */
	PYVERIFY_RELEASE_UNKNOWN_RELEASE
} pyverify_release_status;

/* Longest artifact name or bundle path a verdict names, and its note. */
#define PYVERIFY_RELEASE_PATH_MAX 4096
#define PYVERIFY_RELEASE_NOTE_MAX 512

typedef struct {
	pyverify_release_status status;
	char artifact[PYVERIFY_RELEASE_PATH_MAX]; /* as the caller named it */
	char version[PYVERIFY_RELEASE_VERSION_MAX]; /* "" if not CPython */
	pyverify_release_kind kind;
	/* verified: the identity that signed and its issuer; else "". */
	char identity[PYVERIFY_VALUE_MAX + 1];
	char issuer[PYVERIFY_VALUE_MAX + 1];
	int policy_index;    /* which accepted signer matched; -1 */
	char sha256[65];     /* lowercase hex; "" when no digest was given */
	char bundle[PYVERIFY_RELEASE_PATH_MAX]; /* where the bundle came from */
	int64_t log_index;       /* -1 when not verified */
	int64_t integrated_time; /* Unix seconds; 0 when none (Rekor v2) */
	int64_t signing_time;    /* earliest verified time; 0 */
	/* failed: the first failing step and why; code 0 otherwise. */
	pyverify_error error;
	char note[PYVERIFY_RELEASE_NOTE_MAX]; /* one line of advice; "" */
	/* Who was expected to sign: series `series` (-1: none) of `policy`,
	 * or the override. Borrowed: valid while the policy and the input's
	 * strings live. */
	const pyverify_release_policy *policy;
	long series;
	const char *override_identity, *override_issuer;
} pyverify_release_verdict;

/* What the caller found for one artifact. */
typedef struct {
	/* The artifact as the user named it (a path or a bare file name); its
	 * basename must be a python.org artifact name. Required (see
	 * pyverify_release_verify_signer for the exception). */
	const char *artifact;
	/* Its digests, when known (file hashed, --digest, manifest row).
	 * Required when bundle is not NULL. */
	const pyverify_artifact *digest;
	/* The Sigstore bundle, or NULL when no Sigstore material was found. */
	const pyverify_bundle *bundle;
	/* Where the bundle came from, shown in the verdict; may be NULL. */
	const char *bundle_path;
	/* Not NULL: material existed but could not be read or parsed (the
	 * artifact file, the bundle): the verdict is failed with this error. */
	const pyverify_error *material_error;
	int has_asc;      /* a PGP signature (ARTIFACT.asc) lies beside it */
	int has_detached; /* ARTIFACT.sig + ARTIFACT.crt lie beside it */
	/* Override the policy's signer for this artifact: both or neither. */
	const char *identity, *issuer;
} pyverify_release_input;

/*
 * Decides the verdict for one artifact: name -> version -> policy series
 * (or the override) -> verify the bundle, or classify the absence of one.
 * root may be NULL when in->bundle is NULL. Always fills *out (status
 * failed when it returns an error). Returns 0, or PYVERIFY_EUSAGE (NULL
 * arguments, one override without the other, a bundle without a digest or
 * root, a name longer than PYVERIFY_RELEASE_PATH_MAX), PYVERIFY_ENOMEM.
 * Thread-safe: root, policy, bundle and digest are only read.
 */
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_release_verify(pyverify_release_verdict *out,
                        const pyverify_trust_root *root,
                        const pyverify_release_policy *policy,
                        const pyverify_release_input *in);
/*
 * The same verdict shape for a bundle checked against the given signer
 * alone (in->identity and in->issuer, both required), no CPython policy
 * applied: for an artifact known only by its digest (in->artifact NULL:
 * shown as "sha256:HEX") or by a name that is no CPython release name.
 * in->bundle NULL needs in->material_error. Returns as pyverify_release_verify.
 */
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_release_verify_signer(pyverify_release_verdict *out,
                               const pyverify_trust_root *root,
                               const pyverify_release_input *in);

/* "verified", "failed", "legacy-pgp-only", "missing", "unknown-release";
 * never NULL. */
PYVERIFY_EXPORT const char *
pyverify_release_status_name(pyverify_release_status status);
/* "source", "windows", ...; "" for PYVERIFY_RELEASE_KIND_NONE. */
PYVERIFY_EXPORT const char *
pyverify_release_kind_name(pyverify_release_kind kind);
/* 1 if the verdict lets a build proceed: verified, or legacy-pgp-only
 * when allow_legacy_pgp. */
PYVERIFY_EXPORT int
pyverify_release_verdict_passes(const pyverify_release_verdict *v,
                                int allow_legacy_pgp);
/*
 * The verdict as one line of compact JSON (no newline), malloc'd (release
 * it with free()); NULL on ENOMEM. Members, always present, null when not
 * applicable: artifact, status, version, kind, identity, issuer, expected
 * ([{identity, issuer}]), sha256, bundle, log_index, integrated_time and
 * signing_time (RFC 3339), error ({step, message} when failed), note.
 * Bytes that are not UTF-8 in names are written as the text "\xNN".
 */
PYVERIFY_EXPORT char *
pyverify_release_verdict_json(const pyverify_release_verdict *v);

/* ---- Trust kept current by TUF (Sigstore's repositories) -------------- */

/* The trusted root comes from a TUF repository (The Update Framework):
 * Sigstore's production one (https://tuf-repo-cdn.sigstore.dev), its
 * staging one (https://tuf-repo-cdn.sigstage.dev), or a private
 * deployment's. The built-in repositories start from a pinned root (its
 * version and SHA-256, checked before anything in it is trusted); a
 * private one from a root file the caller names. Verified metadata and
 * targets are cached on disk, one directory per repository:
 *   <cache>/<repository>/metadata/   root.json, timestamp.json, ...
 *   <cache>/<repository>/targets/    trusted_root.json,
 *                                    signing_config.v0.2.json
 *   <cache>/<repository>/refreshed   time of the last successful refresh
 * These functions are NOT thread-safe for the same cache directory within
 * one process (the daemon refreshes from one thread); separate processes
 * sharing a cache are serialised by a lock file. */

/* Default maximum age of the cache before a refresh: 24 hours. */
#define PYVERIFY_TUF_DEFAULT_MAX_AGE (24 * 60 * 60)
/* Longest URL or path a pyverify_tuf_info holds. */
#define PYVERIFY_TUF_PATH_MAX 4096

typedef struct {
	/* Repository base URL (metadata at <url>/<N>.root.json, targets at
	 * <url>/targets/). NULL: Sigstore production, or staging when
	 * `staging` is set. https:// only; http:// for loopback addresses or
	 * with allow_http. */
	const char *url;
	int staging;
	/* The repository's initial root.json, used only when the cache is
	 * empty (bootstrap), unchecked beyond its own signatures: the caller
	 * vouches for it. Required for a `url` that is not built in; for a
	 * built-in repository it replaces the pinned root. */
	const char *root_file;
	/* Base of the cache; the repository's directory is created below it.
	 * NULL: $XDG_CACHE_HOME/pyverify/tuf, else ~/.cache/pyverify/tuf.
	 * The daemon passes its state directory. */
	const char *cache_dir;
	/* Never touch the network: the cached metadata is checked
	 * (signatures, versions, lengths and hashes; not expiry, so a build
	 * chroot keeps working) and the cached trusted_root.json must match
	 * its trusted targets entry. */
	int offline;
	/* Seconds after the last successful refresh before
	 * pyverify_tuf_trust_root refreshes again. 0: the default (24 h);
	 * negative: refresh on every call. */
	int64_t max_age;
	/* PEM file of CAs for HTTPS; NULL: the system store. */
	const char *ca_bundle;
	/* http:// also to hosts that are not loopback (never for the
	 * built-in repositories' defaults; an explicit deployment choice). */
	int allow_http;
	/* Reference time, Unix seconds, for expiry and cache age; 0: the
	 * clock. For tests only, not a user setting. */
	int64_t now;
} pyverify_tuf_options;

typedef struct {
	int present;      /* the role's metadata is cached and trusted */
	uint64_t version;
	int64_t expires;  /* Unix seconds */
} pyverify_tuf_role_info;

typedef struct {
	char url[PYVERIFY_TUF_PATH_MAX];       /* the repository */
	char cache_dir[PYVERIFY_TUF_PATH_MAX]; /* its own cache directory */
	pyverify_tuf_role_info root, timestamp, snapshot, targets;
	/* Unix seconds of the last successful refresh; 0: never. */
	int64_t last_refresh;
	/* This call refreshed from the network successfully. */
	int refreshed;
	/* One line when a refresh failed and the cached trusted root was used
	 * instead (it names the cache's age and why the refresh failed), or
	 * when the cached metadata has expired; "" otherwise. */
	char warning[PYVERIFY_ERROR_MSG_SIZE];
	/* The cached trusted_root.json and its SHA-256 (lowercase hex); ""
	 * when not cached yet. */
	char trusted_root_path[PYVERIFY_TUF_PATH_MAX];
	char trusted_root_sha256[65];
	/* The cached signing_config.v0.2.json; "" when the repository does
	 * not list one (or it is not cached yet). */
	char signing_config_path[PYVERIFY_TUF_PATH_MAX];
} pyverify_tuf_info;

/* Refreshes now (never offline): the TUF workflow, then trusted_root.json
 * and, when the repository lists it, signing_config.v0.2.json, into the
 * cache. info (may be NULL) describes the result, also on most failures.
 * PYVERIFY_EIO (repository unreachable, cache unwritable), PYVERIFY_EREJECT
 * (metadata or a target failed a check; the cache keeps the last good
 * state), PYVERIFY_EUSAGE (options, offline, no bootstrap root),
 * PYVERIFY_ENOMEM; step PYVERIFY_STEP_TRUST_UPDATE. */
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_tuf_update(pyverify_tuf_info *info, const pyverify_tuf_options *opts,
                    pyverify_error *err);

/* The trusted root to verify with, from the cache when it is younger than
 * max_age (no network), else after a refresh. When the refresh fails and
 * a cached trusted root exists, that one is returned and info->warning
 * says so (with its age). Offline: the cache only. Fails (the message says
 * what to do) when nothing usable exists. info may be NULL. */
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_tuf_trust_root(pyverify_trust_root **out, pyverify_tuf_info *info,
                        const pyverify_tuf_options *opts, pyverify_error *err);

/* What is cached, without the network and without refreshing: the roles
 * present are those whose metadata checks out offline. 0 also when nothing
 * is cached yet (info->root.present is 0); PYVERIFY_EREJECT when the cache
 * fails its checks. */
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_tuf_status(pyverify_tuf_info *info, const pyverify_tuf_options *opts,
                    pyverify_error *err);

/* ---- OIDC identity tokens --------------------------------------------- */

/* Keyless signing needs an OIDC identity token (a JWT with audience
 * "sigstore"). pyverify_oidc_token_get() takes the first one found:
 *   1. the explicit token (opts->token: the JWT, or "@FILE", a regular
 *      file holding it);
 *   2. $SIGSTORE_ID_TOKEN;
 *   3. the ambient GitHub Actions token ($ACTIONS_ID_TOKEN_REQUEST_URL and
 *      $ACTIONS_ID_TOKEN_REQUEST_TOKEN, audience "sigstore"; the job needs
 *      `permissions: id-token: write`);
 *   4. the interactive flow: OAuth 2.0 authorization code with PKCE (S256)
 *      against the issuer, redirected to a one-shot listener on 127.0.0.1
 *      (http://localhost:PORT/auth/callback), or out of band: the user
 *      pastes the code shown by the issuer.
 * Steps 2 and 3 are skipped with no_environment, step 4 with
 * no_interactive. Tokens are never logged or written anywhere. */

#define PYVERIFY_OIDC_ISSUER "https://oauth2.sigstore.dev/auth"
#define PYVERIFY_OIDC_STAGING_ISSUER "https://oauth2.sigstage.dev/auth"
#define PYVERIFY_OIDC_CLIENT_ID "sigstore"

struct pyverify_transport;

typedef enum {
	PYVERIFY_OIDC_SOURCE_NONE = 0,
	PYVERIFY_OIDC_SOURCE_OPTION,      /* "option" (opts->token) */
	PYVERIFY_OIDC_SOURCE_FILE,        /* "file" (opts->token "@FILE") */
	PYVERIFY_OIDC_SOURCE_ENV,         /* "SIGSTORE_ID_TOKEN" */
	PYVERIFY_OIDC_SOURCE_GITHUB,      /* "github-actions" */
	PYVERIFY_OIDC_SOURCE_BROWSER,     /* "browser" (loopback redirect) */
	PYVERIFY_OIDC_SOURCE_OUT_OF_BAND  /* "out-of-band" (pasted code) */
} pyverify_oidc_source;

typedef struct {
	/* The JWT itself, or "@" and a file holding it (trailing white space
	 * ignored). NULL: look further. */
	const char *token;
	int no_environment;  /* ignore SIGSTORE_ID_TOKEN and GitHub Actions */
	int no_interactive;  /* fail instead of starting the interactive flow */
	/* The interactive flow. issuer NULL: PYVERIFY_OIDC_ISSUER;
	 * client_id NULL: PYVERIFY_OIDC_CLIENT_ID. */
	const char *issuer;
	const char *client_id;
	/* Redirect to urn:ietf:wg:oauth:2.0:oob and read the code the issuer
	 * shows, instead of the loopback listener. */
	int out_of_band;
	/* Shows the authorization URL to the user. It must return without
	 * waiting for the browser (the listener accepts the redirect only
	 * after it returns); non-zero aborts. NULL: the URL is printed to
	 * stderr and, when $DISPLAY or $WAYLAND_DISPLAY is set and
	 * no_browser is not, opened with xdg-open. */
	int (*show_url)(void *ctx, const char *url);
	/* Out of band: reads the pasted code into code (NUL-terminated, at
	 * most codelen-1 bytes); non-zero aborts. NULL: one line from
	 * code_in (NULL: stdin), after a prompt on stderr. */
	int (*read_code)(void *ctx, char *code, size_t codelen);
	void *ctx;
	void *code_in;        /* a FILE *; void so stdio is not required */
	int no_browser;
	/* How long the listener waits for the browser, ms; 0: 300000. */
	long timeout_ms;
	const char *ca_bundle;   /* PEM CAs for HTTPS; NULL: system store */
	int allow_http;          /* http:// to hosts that are not loopback */
	/* NULL: libcurl. The type is defined with signing, below. */
	const struct pyverify_transport *transport;
} pyverify_oidc_options;

/* The token (malloc'd; release it with pyverify_oidc_token_free) and,
 * when source is not NULL, where it came from. Step PYVERIFY_STEP_OIDC:
 * PYVERIFY_EIO (a file or service could not be read or reached),
 * PYVERIFY_EREJECT (the issuer refused: its own message is quoted),
 * PYVERIFY_EPARSE (an answer or token is malformed), PYVERIFY_EUSAGE (no
 * token and no_interactive), PYVERIFY_ENOMEM. */
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_oidc_token_get(char **token, pyverify_oidc_source *source,
                        const pyverify_oidc_options *opts,
                        pyverify_error *err);
/* Wipes and frees; accepts NULL. */
PYVERIFY_EXPORT void pyverify_oidc_token_free(char *token);
/* Stable name of a source ("github-actions"); never NULL. */
PYVERIFY_EXPORT const char *
pyverify_oidc_source_name(pyverify_oidc_source source);

/* What the certificate will carry, read from the token's (unverified:
 * Fulcio verifies it) claims: the identity (email, else subject) and the
 * issuer (the upstream issuer of a federated Dex token). The token's
 * audience and times are checked at now (Unix seconds; 0: the clock).
 * Step PYVERIFY_STEP_OIDC. */
typedef struct {
	char identity[PYVERIFY_VALUE_MAX + 1];
	char issuer[PYVERIFY_VALUE_MAX + 1];
	int64_t expires;   /* Unix seconds */
} pyverify_oidc_claims;
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_oidc_token_claims(pyverify_oidc_claims *out, const char *token,
                           int64_t now, pyverify_error *err);

/* ---- Signing ---------------------------------------------------------- */

/* Signing talks to an OIDC provider, Fulcio, Rekor (v1 or v2) and
 * timestamp authorities. By default through libcurl (https://; http://
 * only to loopback addresses or with allow_http); a program may replace
 * the transport (tests, embedders with their own HTTP stack).
 *
 * request: one HTTP exchange. headers is a NULL-terminated list of
 * "Name: value" lines. Returns 0 when an answer arrived, whatever its
 * status, with *status, *body (malloc'd, freed by the library with free())
 * and *body_len filled and content_type ("" if none, at most 127 bytes);
 * a negative value and one line in why when no answer arrived. At most
 * max_bytes of body may be returned. */
typedef struct pyverify_transport {
	int (*request)(void *ctx, const char *method, const char *url,
	               const char *const *headers, const void *req_body,
	               size_t req_len, size_t max_bytes, long *status,
	               char content_type[128], unsigned char **body,
	               size_t *body_len, char *why, size_t whylen);
	void *ctx;
} pyverify_transport;

typedef struct {
	/* Required: what the new bundles must verify against (the same
	 * trusted root verification uses). */
	const pyverify_trust_root *trust_root;
	/* signing_config.v0.2.json (media type
	 * application/vnd.dev.sigstore.signingconfig.v0.2+json): which
	 * Fulcio, Rekor, TSA and OIDC provider to use. May be NULL when the
	 * overrides below name every service needed. */
	const void *signing_config;
	size_t signing_config_len;
	/* Overrides of single services (NULL: from the signing config). */
	const char *fulcio_url;   /* base URL */
	const char *rekor_url;    /* base URL */
	int rekor_version;        /* 1 or 2 with rekor_url; 0: 1 */
	const char *tsa_url;      /* full URL of the timestamp endpoint */
	/* Ask a timestamp authority also with Rekor v1 (always with v2). */
	int timestamp;
	/* Keyless: the OIDC identity token (a JWT) from
	 * pyverify_oidc_token_get() or the caller. Its expiry and audience
	 * ("sigstore") are checked; it is never logged or stored. */
	const char *identity_token;
	/* Managed key instead (no OIDC, no Fulcio): a PEM private key
	 * (PKCS#8 or SEC1 EC, P-256/P-384/P-521, or Ed25519). The log entry
	 * carries its public key; verify with `verify-bundle --key`. */
	const void *key_pem;
	size_t key_pem_len;
	const char *ca_bundle;    /* PEM CAs for HTTPS; NULL: system store */
	int allow_http;           /* http:// to hosts that are not loopback */
	const pyverify_transport *transport; /* NULL: libcurl */
	/* Reference time, Unix seconds, for token expiry and service
	 * validity; 0: the clock. For tests, not a user setting. */
	int64_t now;
} pyverify_sign_options;

typedef struct pyverify_signer pyverify_signer;

/* Prepares signing: selects the services, and for keyless signing checks
 * the token, makes an ephemeral P-256 key (in memory only) and obtains a
 * certificate from Fulcio, checked before use (chain to the trusted root,
 * its embedded SCT, our key, the token's identity). One signer signs any
 * number of artifacts with one key and certificate. Failures name the
 * step: PYVERIFY_STEP_OIDC, _FULCIO, or PYVERIFY_STEP_NONE for options. */
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_signer_new(pyverify_signer **out, const pyverify_sign_options *opts,
                    pyverify_error *err);
PYVERIFY_EXPORT void pyverify_signer_free(pyverify_signer *signer);
/* The identity and OIDC issuer the certificate binds ("" with a managed
 * key). Borrowed, valid as long as the signer. */
PYVERIFY_EXPORT const char *
pyverify_signer_identity(const pyverify_signer *signer);
PYVERIFY_EXPORT const char *
pyverify_signer_issuer(const pyverify_signer *signer);

/* Signs the artifact's SHA-256 (a message signature), logs it, adds the
 * timestamps, assembles a v0.3 bundle and verifies it with this library
 * against the trusted root with the signer's identity as the policy: a
 * bundle is handed out only if pyverify would accept it. *bundle_json is
 * compact JSON, malloc'd (free()). Steps: REKOR, TSA, SIGN_VERIFY. */
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_sign_artifact(pyverify_signer *signer,
                       const pyverify_artifact *artifact, char **bundle_json,
                       pyverify_error *err);
/* The same for a DSSE envelope over payload (an in-toto statement with
 * payload_type "application/vnd.in-toto+json"). */
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_sign_dsse(pyverify_signer *signer, const char *payload_type,
                   const void *payload, size_t payload_len, char **bundle_json,
                   pyverify_error *err);

/* Which services signing with opts would use, without contacting any
 * (`pyverify sign --dry-run`; the OIDC issuer of the interactive flow):
 * the overrides, else the signing config's selection at opts->now. URLs
 * are malloc'd; NULL or 0 when none is chosen (no Fulcio and OIDC
 * provider with a managed key). Step PYVERIFY_STEP_NONE. */
#define PYVERIFY_SIGN_PLAN_MAX 8
typedef struct {
	char *oidc_url;
	char *fulcio_url;
	char *rekor_urls[PYVERIFY_SIGN_PLAN_MAX];
	size_t n_rekor;
	int rekor_version;          /* 1 or 2 */
	char *tsa_urls[PYVERIFY_SIGN_PLAN_MAX];
	size_t n_tsa;               /* also 0 when no timestamp is asked */
} pyverify_sign_plan;
PYVERIFY_EXPORT PYVERIFY_MUST_CHECK int
pyverify_sign_plan_get(pyverify_sign_plan *out,
                       const pyverify_sign_options *opts, pyverify_error *err);
PYVERIFY_EXPORT void pyverify_sign_plan_clear(pyverify_sign_plan *plan);

/* ---- Versions of the libraries in use -------------------------------- */

/* What the running process uses (`pyverify --version`, pyverifyd
 * --version): the versions the shared libraries report at run time, which
 * a distribution's security update changes without rebuilding pyverify.
 * Every member is a static string, never NULL ("unknown" when a library
 * does not say). */
typedef struct {
	const char *pyverify;  /* PYVERIFY_VERSION */
	const char *openssl;   /* "OpenSSL 3.0.15 3 Sep 2024" */
	const char *jansson;   /* "2.14" */
	const char *libsodium; /* "1.0.18" */
	const char *libcurl;   /* "7.88.1"; loaded for the question (the
	                        * library loads libcurl only for network
	                        * use): "not available (why)" without it */
} pyverify_versions;
PYVERIFY_EXPORT void pyverify_runtime_versions(pyverify_versions *out);

#ifdef __cplusplus
}
#endif
#endif /* PYVERIFY_H */
