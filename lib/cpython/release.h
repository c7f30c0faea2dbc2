/*
 * release.h - the verdict on one CPython release artifact (issue #4):
 * `pyverify Python-3.14.0.tgz`, `pyverify scan` and the HTTP daemon all
 * decide and report through these functions, so a verdict means the same
 * everywhere and `--json` prints the very object the daemon returns.
 *
 * Internal; never installed. The caller finds the material (a bundle file
 * beside the artifact, a bundle uploaded to the daemon, an .asc beside it)
 * and hands over what it found; this module applies the CPython policy
 * (SPEC 6): which release, which signer, whether the release was published
 * with Sigstore, and runs pyverify_verify() when there is a bundle.
 *
 * Nothing here touches the file system or the network.
 */
#ifndef PV_RELEASE_H
#define PV_RELEASE_H

#include <stdint.h>

#include "cpython/cpython.h"

enum pv_verdict_status {
	/* The bundle verified under the policy's (or the override's) signer. */
	PV_VERDICT_VERIFIED = 1,
	/* The bundle (or the artifact) did not verify: error says which step. */
	PV_VERDICT_FAILED,
	/* No Sigstore material; the release predates Sigstore signing and a
	 * PGP .asc is published for it (pyverify does not check PGP). */
	PV_VERDICT_LEGACY_PGP_ONLY,
	/* No Sigstore material where there should be some, or nothing at all
	 * to verify; the note says which. */
	PV_VERDICT_MISSING,
	/* Not a python.org CPython artifact name, or its series is not in the
	 * policy. */
	PV_VERDICT_UNKNOWN_RELEASE
};

/* Longest artifact name or bundle path a verdict names (PATH_MAX). */
#define PV_VERDICT_PATH_MAX 4096
#define PV_VERDICT_NOTE_MAX 512

struct pv_verdict {
	enum pv_verdict_status status;
	char artifact[PV_VERDICT_PATH_MAX]; /* as the caller named it */
	char version[PV_CPYTHON_VERSION_TEXT_MAX]; /* "" if not CPython */
	enum pv_cpython_kind kind;          /* 0 if not CPython */
	/* verified: the identity that signed and its issuer; else "". */
	char identity[PYVERIFY_VALUE_MAX + 1];
	char issuer[PYVERIFY_VALUE_MAX + 1];
	int policy_index;    /* which accepted signer matched; -1 */
	char sha256[65];     /* lowercase hex; "" when no digest was given */
	char bundle[PV_VERDICT_PATH_MAX]; /* where the bundle came from; "" */
	int64_t log_index;       /* -1 when not verified */
	int64_t integrated_time; /* Unix seconds; 0 when none (Rekor v2) */
	int64_t signing_time;    /* earliest verified time; 0 */
	/* failed: the first failing step and why; code 0 otherwise. */
	pyverify_error error;
	char note[PV_VERDICT_NOTE_MAX]; /* one line of advice; "" */
	/* Who was expected to sign: the series entry of the policy, or the
	 * override. Borrowed: valid while the policy and the override strings
	 * given to pv_release_verify() live. series may be NULL. */
	const struct pv_cpython_series *series;
	const char *override_identity, *override_issuer;
};

/* What the caller found for one artifact. */
struct pv_release_input {
	/* The artifact as the user named it (a path or a bare file name); its
	 * basename must be a python.org artifact name. Required. */
	const char *artifact;
	/* Its SHA-256, when known (file hashed, --digest, manifest row).
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
	/* Override the policy for this artifact: both or neither. */
	const char *identity, *issuer;
};

/*
 * Decides the verdict for one artifact: name -> version -> policy series
 * (or the override) -> verify the bundle, or classify the absence of one.
 * root may be NULL when in->bundle is NULL. Always fills *out (status
 * failed when it returns an error). Returns 0, or PYVERIFY_EUSAGE (NULL
 * arguments, one override without the other, a bundle without a digest or
 * root, a name longer than PV_VERDICT_PATH_MAX), PYVERIFY_ENOMEM.
 * Thread-safe: root, policy, bundle and digest are only read.
 */
PV_MUST_CHECK int pv_release_verify(struct pv_verdict *out,
                                    const pyverify_trust_root *root,
                                    const struct pv_cpython_policy *policy,
                                    const struct pv_release_input *in);

/* "verified", "failed", "legacy-pgp-only", "missing", "unknown-release";
 * never NULL. */
const char *pv_verdict_status_name(enum pv_verdict_status s);
/* "source", "windows", ...; "" for 0. */
const char *pv_cpython_kind_name(enum pv_cpython_kind k);
/* 1 if the verdict lets a build proceed: verified, or legacy-pgp-only
 * when allow_legacy_pgp. */
int pv_verdict_passes(const struct pv_verdict *v, int allow_legacy_pgp);

/*
 * The verdict as one line of compact JSON (no newline), malloc'd; NULL on
 * ENOMEM. Members, always present, null when not applicable: artifact,
 * status, version, kind, identity, issuer, expected ([{identity, issuer}]),
 * sha256, bundle, log_index, integrated_time and signing_time (RFC 3339),
 * error ({step, message} when failed), note. Bytes that are not UTF-8 in
 * names are written as the text "\xNN".
 */
char *pv_verdict_json(const struct pv_verdict *v);

/* Marks v verified with who signed, when and where it was logged. */
void pv_verdict_set_verified(struct pv_verdict *v, const pyverify_result *res);

#endif
