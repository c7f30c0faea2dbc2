/*
 * cpython.h - CPython release knowledge (SPEC 6): version numbers, the
 * python.org artifact names that carry them, and the signing policy file
 * (policy/cpython.json) that says which release manager identity and OIDC
 * issuer must have signed each release series.
 *
 * Internal; never installed: programs use the public release API of
 * pyverify.h, which release.c builds on these. Nothing here touches the
 * network or verifies a signature: the caller turns a policy entry into a
 * pyverify_policy (pv_cpython_series_add_to_policy) and runs
 * pyverify_verify(). Like every file of this layer, it sees the library
 * only through pyverify.h (and util/).
 *
 * Modules: cpython_version.c (versions, artifact names),
 *          cpython_policy.c (policy file loader and lookups).
 */
#ifndef PV_CPYTHON_H
#define PV_CPYTHON_H

#include <stddef.h>

#include "util/util.h"

/* ---- cpython_version.c -------------------------------------------------- */

/* A CPython release version: X.Y.Z with an optional a/b/rc pre-release. */
struct pv_cpython_version {
	unsigned major, minor, micro;
	char pre;         /* 0 (final), 'a', 'b' or 'c' (rc) */
	unsigned pre_num; /* >= 1 when pre != 0, else 0 */
};

/* Largest number accepted in any version component. CPython's largest is
 * micro 25 (3.9.25); the bound keeps arithmetic and formatting trivial. */
#define PV_CPYTHON_MAX_COMPONENT 9999u
/* Room for "9999.9999.9999rc9999" and its NUL. */
#define PV_CPYTHON_VERSION_TEXT_MAX PYVERIFY_RELEASE_VERSION_MAX

/* Parses "3.14.0", "3.14.0a1", "3.14.0b2", "3.14.0rc1" (len bytes of s).
 * Strict: three components, decimal without leading zeros ("0" alone is
 * fine), each <= PV_CPYTHON_MAX_COMPONENT, pre-release number >= 1, nothing
 * before or after. Returns 0, or -1 with *out untouched. */
PV_MUST_CHECK int pv_cpython_version_parse(struct pv_cpython_version *out,
                                           const char *s, size_t len);
/* The same for a NUL-terminated string. */
PV_MUST_CHECK int pv_cpython_version_parse_str(struct pv_cpython_version *out,
                                               const char *s);
/* <0, 0, >0 like strcmp; order: X.Y.Za1 < a2 < b1 < rc1 < X.Y.Z. */
int pv_cpython_version_cmp(const struct pv_cpython_version *a,
                           const struct pv_cpython_version *b);
/* "3.14.0rc1"; out holds PV_CPYTHON_VERSION_TEXT_MAX bytes. */
void pv_cpython_version_format(char out[PV_CPYTHON_VERSION_TEXT_MAX],
                               const struct pv_cpython_version *v);

/* What a python.org artifact is (for messages such as "Windows help files
 * have no Sigstore bundle"). */
enum pv_cpython_kind { /* the public pyverify_release_kind, by value */
	PV_CPYTHON_SOURCE = PYVERIFY_RELEASE_KIND_SOURCE, /* Python-X.Y.Z.tgz /
	                                               .tar.xz / .tar.bz2 */
	PV_CPYTHON_WINDOWS = PYVERIFY_RELEASE_KIND_WINDOWS, /* .exe / .msi
	                                                    installers, zips */
	PV_CPYTHON_WINDOWS_MANIFEST = PYVERIFY_RELEASE_KIND_WINDOWS_MANIFEST,
	                                /* windows-X.Y.Z.json */
	PV_CPYTHON_WINDOWS_HELP = PYVERIFY_RELEASE_KIND_WINDOWS_HELP, /* .chm */
	PV_CPYTHON_MACOS = PYVERIFY_RELEASE_KIND_MACOS, /* .pkg / .dmg */
	PV_CPYTHON_ANDROID = PYVERIFY_RELEASE_KIND_ANDROID, /* *-linux-android
	                                                    .tar.gz */
	PV_CPYTHON_IOS = PYVERIFY_RELEASE_KIND_IOS, /* *-iOS-XCframework.tar.gz */
	PV_CPYTHON_DOCS = PYVERIFY_RELEASE_KIND_DOCS /* -docs-*.zip / .tar.bz2,
	                                               -docs.epub */
};

/* The last path component of `path` (after the last '/'), borrowed from
 * path; "" when path ends with '/'. */
const char *pv_cpython_basename(const char *path);

/* Maps a python.org artifact file name (a basename: a name containing '/'
 * is rejected) to the release version it belongs to. Only the known file
 * name forms are accepted (see cpython_version.c); anything else, including
 * signature files ("F.sigstore", "F.asc") and names with extra text, is
 * "not a CPython artifact". kind may be NULL. Returns 0, or -1 with the
 * outputs untouched. */
PV_MUST_CHECK int pv_cpython_parse_artifact_name(struct pv_cpython_version *out,
                                                 const char *name);
PV_MUST_CHECK int pv_cpython_classify_artifact(struct pv_cpython_version *out,
                                               enum pv_cpython_kind *kind,
                                               const char *name);
/* The same after reducing a path to its basename. */
PV_MUST_CHECK int pv_cpython_parse_artifact_path(struct pv_cpython_version *out,
                                                 const char *path);

/* ---- cpython_policy.c --------------------------------------------------- */

/* Where `make install` puts the policy file, and where it lives in the
 * source tree (relative to the repository root). */
#define PV_CPYTHON_POLICY_INSTALLED                                            \
	PYVERIFY_PREFIX "/share/pyverify/cpython.json"
#define PV_CPYTHON_POLICY_SOURCE PYVERIFY_RELEASE_POLICY_SOURCE
/* The only schema this loader understands. */
#define PV_CPYTHON_POLICY_SCHEMA "pyverify.cpython-policy/1"
/* The default policy path of the running program: the source tree's
 * policy/cpython.json when the binary runs from a build directory of that
 * tree (BUILD/pyverify, BUILD/pyverifyd), else the installed
 * PV_CPYTHON_POLICY_INSTALLED. A binary always uses the policy it was built
 * with; an installed one never looks at a source tree. */
void pv_cpython_policy_default_path(char *out, size_t outlen);
/* The policy file is ~3 KB; a few hundred series would still fit. */
#define PV_MAX_CPYTHON_POLICY_BYTES PYVERIFY_RELEASE_POLICY_MAX_BYTES
/* Release series in one policy (3.7 ... 3.15 today). */
#define PV_MAX_CPYTHON_SERIES 256
/* Back-filled releases listed for one series (one known today). */
#define PV_MAX_CPYTHON_BACKFILLED 64

struct pv_cpython_identity {
	char *identity; /* SAN e-mail, exact match */
	char *issuer;   /* OIDC issuer URL, exact match */
};

/* One release series ("3.14"). SPEC 6.2. */
struct pv_cpython_series {
	unsigned major, minor;
	unsigned pep; /* release schedule PEP, 0 when not given */
	/* Any one pair is accepted (a release-manager hand-over lists both). */
	struct pv_cpython_identity *identities;
	size_t n_identities;
	/* Releases >= first_sigstore were Sigstore-signed (bundle or .sig +
	 * .crt); earlier ones only when listed in backfilled. */
	struct pv_cpython_version first_sigstore;
	struct pv_cpython_version *backfilled;
	size_t n_backfilled;
	int pgp; /* 1: the series publishes PGP .asc signatures (PEP 761) */
};

/* Immutable after load; may be shared by threads. */
struct pv_cpython_policy {
	struct pv_cpython_series *series;
	size_t n_series;
};

/* Loads and strictly validates a policy document (schema
 * PV_CPYTHON_POLICY_SCHEMA). A broken policy is an error, never an empty
 * policy. Errors: PYVERIFY_EIO (file), PYVERIFY_EPARSE (document; the
 * message names the JSON path), PYVERIFY_ENOMEM; step PYVERIFY_STEP_POLICY.
 * *out is set only on success. */
PV_MUST_CHECK int pv_cpython_policy_load_file(struct pv_cpython_policy **out,
                                              const char *path,
                                              pyverify_error *err);
PV_MUST_CHECK int pv_cpython_policy_load_memory(struct pv_cpython_policy **out,
                                                const void *buf, size_t len,
                                                pyverify_error *err);
void pv_cpython_policy_free(struct pv_cpython_policy *p); /* NULL-safe */

/* The series entry for v's X.Y, borrowed from p; NULL when the policy has
 * none (e.g. 3.6 and older: those releases predate Sigstore signing). */
const struct pv_cpython_series *
pv_cpython_policy_lookup(const struct pv_cpython_policy *p,
                         const struct pv_cpython_version *v);
/* 1 if release v of series s was Sigstore-signed, else 0 (also for a
 * version of another series, or NULL arguments). */
int pv_cpython_release_has_sigstore(const struct pv_cpython_series *s,
                                    const struct pv_cpython_version *v);
/* 1 if release v of series s comes with a PGP .asc signature, else 0. */
int pv_cpython_release_publishes_pgp(const struct pv_cpython_series *s,
                                     const struct pv_cpython_version *v);
/* Adds every (identity, issuer) pair of s to policy as exact matches.
 * Returns 0 or the status of pyverify_policy_add_identity(). */
PV_MUST_CHECK int
pv_cpython_series_add_to_policy(pyverify_policy *policy,
                                const struct pv_cpython_series *s,
                                pyverify_error *err);

#endif
