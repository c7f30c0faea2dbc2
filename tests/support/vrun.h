/* vrun.h - the harness of the end-to-end verification tests: load a
 * trusted root and a bundle from JSON, verify, assert the verdict. Uses
 * Criterion assertions, so only Criterion test binaries link it. */
#ifndef VRUN_H
#define VRUN_H

#include <stddef.h>
#include <stdint.h>

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

#endif
