/* vrun.h - the harness of the end-to-end verification tests: load a
 * trusted root and a bundle from JSON, verify, assert the verdict. Uses
 * Criterion assertions, so only Criterion test binaries link it. */
#ifndef VRUN_H
#define VRUN_H

#include <stddef.h>
#include <stdint.h>

#include <criterion/parameterized.h>
#include <jansson.h>

#include "pyverify.h"

/* The virtual Sigstore's default signer and a clock an hour after its
 * entries were logged. */
#define VR_ID "dev@example.org"
#define VR_ISS "https://issuer.example"
#define VR_ARTIFACT "hello\n"

struct vr_opts {
	const void *artifact;  /* default VR_ARTIFACT */
	size_t len;
	int digest_only;       /* verify from "sha256:<hex>", not the bytes */
	const char *identity;  /* default VR_ID */
	int identity_mode;     /* PYVERIFY_MATCH_* */
	const char *issuer;    /* default VR_ISS */
	int64_t now;           /* default VS_EPOCH + 3600 */
	const char *key_pem;   /* managed-key policy instead of an identity */
};

/* One signer of a fresh virtual Sigstore, its trusted root and one signed
 * bundle (vs_sign with `so`), both JSON that a test may edit before
 * vr_run. lo and so may be NULL. */
struct vs;
struct vs_leaf;
struct vs_leaf_opts;
struct vs_sign_opts;
struct vr_fx {
	struct vs *vs;
	struct vs_leaf *leaf;
	json_t *root;   /* trusted root JSON, editable */
	json_t *bundle; /* bundle JSON, editable */
};
void vr_fx_init(struct vr_fx *f, const struct vs_leaf_opts *lo,
                const struct vs_sign_opts *so);
void vr_fx_free(struct vr_fx *f);

/* Verifies; returns the library status (trust root must load). */
int vr_run(json_t *root_json, json_t *bundle_json, const struct vr_opts *o,
           pyverify_result *res, pyverify_error *err);
/* Asserts rejection at exactly `step`, with a message, as a verdict
 * (PYVERIFY_EREJECT or PYVERIFY_EPARSE, never a usage or internal error). */
void vr_expect_step(json_t *root_json, json_t *bundle_json,
                    const struct vr_opts *o, pyverify_step step);
/* Asserts acceptance. */
void vr_expect_ok(json_t *root_json, json_t *bundle_json,
                  const struct vr_opts *o, pyverify_result *res);
/* The JSON value at a dotted path ("a.b.0.c"); asserts it exists. */
json_t *vr_at(json_t *j, const char *path);
/* Flips one base64 character of a string member (stays valid base64). */
void vr_flip_b64(json_t *j, const char *path, size_t pos);
/* "YYYY-MM-DDTHH:MM:SSZ" into buf (32 bytes). */
const char *vr_rfc3339(int64_t t, char *buf);

/*
 * The parameters 0 .. n-1 of a ParameterizedTest over a static table of
 * cases: the test receives a row's index (const size_t *), not the row.
 * Criterion copies parameters into worker processes that are new
 * executables, where the pointers a row holds (names, mutation functions)
 * would point elsewhere; an index means the same in every process.
 */
struct criterion_test_params vr_rows(size_t n);

#endif
