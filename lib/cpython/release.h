/*
 * release.h - the CPython layer's internals behind the public release API
 * (pyverify.h, "CPython releases"): `pyverify Python-3.14.0.tgz`,
 * `pyverify scan` and the HTTP daemon all decide and report through
 * pyverify_release_verify() and pyverify_release_verdict_json(), so a
 * verdict means the same everywhere and `--json` prints the very object
 * the daemon returns.
 *
 * Internal; never installed. Nothing here touches the file system or the
 * network.
 */
#ifndef PV_RELEASE_H
#define PV_RELEASE_H

#include "cpython/cpython.h"

/* pyverify_release_policy is the public name of a loaded struct
 * pv_cpython_policy: the handle is that very object, so the loaders hand
 * it out and the verdict reads it without a copy. These two are the only
 * places that convert. */
static inline const struct pv_cpython_policy *
pv_release_policy_in(const pyverify_release_policy *p)
{
	return (const struct pv_cpython_policy *)(const void *)p;
}
static inline const pyverify_release_policy *
pv_release_policy_out(const struct pv_cpython_policy *p)
{
	return (const pyverify_release_policy *)(const void *)p;
}

/* The series the verdict was judged by; NULL when none (an override, or
 * not a CPython release). */
const struct pv_cpython_series *
pv_verdict_series(const pyverify_release_verdict *v);

/* A verdict that names nothing yet: failed, no indexes, no times. */
void pv_verdict_init(pyverify_release_verdict *v);
/* Marks v verified with who signed, when and where it was logged. */
void pv_verdict_set_verified(pyverify_release_verdict *v,
                             const pyverify_result *res);
/* 1 if the artifact's SHA-256 is known (digests 0 means sha256 alone). */
int pv_release_has_sha256(const pyverify_artifact *a);

#endif
