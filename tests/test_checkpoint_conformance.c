/* test_checkpoint_conformance.c - the checkpoints of the conformance cases
 * in ../shared/testdata (skipped when absent), verified by
 * lib/verify/checkpoint.c against the log of the case's trusted root, which
 * the trusted-root loader loads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "verify/steps.h"
#include "vsigstore.h"

TestSuite(checkpoint);

static void
assert_fail(int rc, int code, const pyverify_error *err)
{
	cr_assert_eq(rc, code, "rc %d (%s)", rc, err->msg);
	cr_assert_eq(err->code, code);
	cr_assert_eq(err->step, PYVERIFY_STEP_CHECKPOINT);
	cr_assert_neq(err->msg[0], '\0');
}

static const char *
testdata(void)
{
	const char *base = getenv("PYVERIFY_TESTDATA");

	return base != NULL && base[0] != '\0' ? base : "../shared/testdata";
}

/* Loads <testdata>/conformance/cases/<name>/<file>, or with name NULL
 * <testdata>/sigstore/<file>. */
static json_t *
load_json(const char *name, const char *file)
{
	char path[1024];
	json_error_t jerr;

	if (name != NULL)
		snprintf(path, sizeof(path), "%s/conformance/cases/%s/%s",
		         testdata(), name, file);
	else
		snprintf(path, sizeof(path), "%s/sigstore/%s", testdata(),
		         file);
	return json_load_file(path, 0, &jerr);
}

static void
b64_json(struct pv_bytes *out, json_t *v)
{
	const char *s = json_string_value(v);

	cr_assert_not_null(s);
	cr_assert_eq(pv_b64_decode(out, s, strlen(s)), 0);
}

/* Verifies the first entry's checkpoint of a conformance case against the
 * case's trusted root, or the production one. The rekor_v2 flag comes
 * from the entry's kind version (0.0.2 = Rekor v2). */
static int
check_case(const char *name, struct pv_checkpoint *cp, uint8_t proof_root[32],
           pyverify_error *err)
{
	json_t *bundle, *root, *entry, *ip, *env;
	struct pv_bytes id = { 0 }, r = { 0 };
	const struct pv_tlog *log;
	pyverify_trust_root *tr;
	const char *text, *version;
	int rc;

	bundle = load_json(name, "bundle.sigstore.json");
	if (bundle == NULL)
		cr_skip_test("conformance case %s not in %s (set "
		             "PYVERIFY_TESTDATA)", name, testdata());
	root = load_json(name, "trusted_root.json");
	if (root == NULL)
		root = load_json(NULL, "production.trusted_root.json");
	cr_assert_not_null(root);
	entry = json_array_get(json_object_get(json_object_get(bundle,
	                       "verificationMaterial"), "tlogEntries"), 0);
	ip = json_object_get(entry, "inclusionProof");
	env = json_object_get(json_object_get(ip, "checkpoint"), "envelope");
	text = json_string_value(env);
	cr_assert_not_null(text);
	version = json_string_value(json_object_get(json_object_get(entry,
	                            "kindVersion"), "version"));
	cr_assert_not_null(version);
	b64_json(&id, json_object_get(json_object_get(entry, "logId"),
	                              "keyId"));
	cr_assert_eq(id.len, 32);
	tr = cm_root_load(root, name);
	cr_assert_not_null(tr, "%s: the trusted root does not load", name);
	log = pv_trust_root_find_tlog(tr, id.data);
	cr_assert_not_null(log, "%s: log not in root", name);
	b64_json(&r, json_object_get(ip, "rootHash"));
	cr_assert_eq(r.len, 32);
	memcpy(proof_root, r.data, 32);
	rc = pv_checkpoint_verify(cp, text, json_string_length(env), log,
	                          strcmp(version, "0.0.2") == 0, err);
	pyverify_trust_root_free(tr);
	pv_bytes_clear(&id);
	pv_bytes_clear(&r);
	json_decref(root);
	json_decref(bundle);
	return rc;
}

Test(checkpoint, conformance_happy_path_v03_rekor_v1_checkpoint_verifies)
{
	struct pv_checkpoint cp;
	uint8_t proof_root[32];
	pyverify_error err = { 0 };

	cr_assert_eq(check_case("happy-path-v0.3", &cp, proof_root, &err), 0,
	             "%s", err.msg);
	cr_assert_str_eq(cp.origin, "rekor.sigstore.dev - 2605736670972794746");
	cr_assert_eq(cp.size, 75408393);
	cr_assert_arr_eq(cp.root_hash, proof_root, 32);
}

Test(checkpoint, conformance_rekor_v2_happy_path_checkpoint_verifies)
{
	struct pv_checkpoint cp;
	uint8_t proof_root[32];
	pyverify_error err = { 0 };

	cr_assert_eq(check_case("rekor2-happy-path", &cp, proof_root, &err), 0,
	             "%s", err.msg);
	cr_assert_str_eq(cp.origin, "log2025-alpha1.rekor.sigstage.dev");
	cr_assert_eq(cp.size, 736);
	cr_assert_arr_eq(cp.root_hash, proof_root, 32);
}

Test(checkpoint, conformance_cosigned_rekor_v2_checkpoints_verify)
{
	static const char *const cases[] = {
		"rekor2-checkpoint-multiple-cosigs",
		"rekor2-checkpoint-origin-not-first",
		"rekor2-checkpoint-two-sigs-cosigned",
	};
	struct pv_checkpoint cp;
	uint8_t proof_root[32];
	pyverify_error err = { 0 };
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(check_case(cases[i], &cp, proof_root, &err), 0,
		             "%s: %s", cases[i], err.msg);
		cr_assert_arr_eq(cp.root_hash, proof_root, 32);
	}
}

Test(checkpoint, conformance_invalid_checkpoint_signature_is_rejected)
{
	struct pv_checkpoint cp;
	uint8_t proof_root[32];
	pyverify_error err = { 0 };

	assert_fail(check_case("invalid-checkpoint-signature_fail", &cp,
	                       proof_root, &err), PYVERIFY_EREJECT, &err);
}

Test(checkpoint, conformance_wrong_roothash_checkpoint_verifies_but_differs)
{
	struct pv_checkpoint cp;
	uint8_t proof_root[32];
	pyverify_error err = { 0 };

	/* README: "the checkpoint is self consistent but does not apply to
	 * this bundle"; the root comparison (verify.c) must catch it. */
	cr_assert_eq(check_case("checkpoint-wrong-roothash_fail", &cp,
	                        proof_root, &err), 0, "%s", err.msg);
	cr_assert(memcmp(cp.root_hash, proof_root, 32) != 0);
}

Test(checkpoint, conformance_bad_keyhint_is_rejected)
{
	struct pv_checkpoint cp;
	uint8_t proof_root[32];
	pyverify_error err = { 0 };

	assert_fail(check_case("checkpoint-bad-keyhint_fail", &cp,
	                       proof_root, &err), PYVERIFY_EREJECT, &err);
}

Test(checkpoint, conformance_stripped_or_truncated_rekor_v2_notes_fail)
{
	static const char *const cases[] = {
		"rekor2-checkpoint-missing-log-signature_fail",
		"rekor2-checkpoint-missing-origin_fail",
		"rekor2-checkpoint-missing-size_fail",
	};
	struct pv_checkpoint cp;
	uint8_t proof_root[32];
	pyverify_error err = { 0 };
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = check_case(cases[i], &cp, proof_root, &err);
		/* README: "should cause a parsing failure". */
		assert_fail(rc, PYVERIFY_EPARSE, &err);
		if (i > 0)
			cr_assert(strstr(err.msg, "2 line(s)") != NULL,
			          "%s: %s", cases[i], err.msg);
	}
}
