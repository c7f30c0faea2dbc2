/* release_signer.c - pyverify_release_verify_signer(): a bundle checked
 * against a signer the caller names, no CPython policy applied, answered
 * in the same verdict shape as a release (so the daemon's body is always
 * pyverify_release_verdict_json()). For a CI gate checking its own build
 * output, or an artifact known only by its digest. */
#include <stdio.h>
#include <string.h>

#include "cpython/release.h"

int
pyverify_release_verify_signer(pyverify_release_verdict *v,
                               const pyverify_trust_root *root,
                               const pyverify_release_input *in)
{
	pyverify_policy *policy = NULL;
	pyverify_result res;
	pyverify_error err;
	int rc;

	if (v == NULL)
		return PYVERIFY_EUSAGE;
	pv_verdict_init(v);
	if (in == NULL || in->identity == NULL || in->issuer == NULL ||
	    !pv_release_has_sha256(in->digest) ||
	    (in->bundle == NULL && in->material_error == NULL)) {
		pv_fail(&v->error, PYVERIFY_EUSAGE, PYVERIFY_STEP_NONE,
		        "a signer check needs the signer, the artifact digest "
		        "and a bundle");
		return PYVERIFY_EUSAGE;
	}
	if (in->artifact != NULL) {
		snprintf(v->artifact, sizeof(v->artifact), "%s", in->artifact);
	} else {
		memcpy(v->artifact, "sha256:", 7);
		pv_hex_encode(v->artifact + 7, in->digest->sha256, 32);
	}
	pv_hex_encode(v->sha256, in->digest->sha256, 32);
	if (in->bundle_path != NULL)
		snprintf(v->bundle, sizeof(v->bundle), "%s", in->bundle_path);
	v->override_identity = in->identity;
	v->override_issuer = in->issuer;
	if (in->material_error != NULL) {
		v->error = *in->material_error;
		return 0;
	}
	rc = pyverify_policy_new(&policy, &err);
	if (rc == 0)
		rc = pyverify_policy_add_identity(policy, in->identity,
		                                  PYVERIFY_MATCH_EXACT, in->issuer,
		                                  PYVERIFY_MATCH_EXACT, &err);
	if (rc == 0)
		rc = pyverify_verify(root, in->bundle, in->digest, policy, &res,
		                     &err);
	pyverify_policy_free(policy);
	if (rc != 0) {
		v->error = err;
		if (v->error.code == PYVERIFY_OK)
			v->error.code = PYVERIFY_EREJECT;
		return rc == PYVERIFY_ENOMEM ? rc : 0;
	}
	pv_verdict_set_verified(v, &res);
	if (in->artifact != NULL)
		snprintf(v->note, sizeof(v->note),
		         "signer given in the request; %s is not a CPython "
		         "release name, so no CPython release policy was applied",
		         in->artifact);
	else
		snprintf(v->note, sizeof(v->note),
		         "signer given in the request; no artifact name, so no "
		         "CPython release policy was applied");
	return 0;
}
