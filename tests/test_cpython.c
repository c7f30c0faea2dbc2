/*
 * test_cpython.c - every python.org bundle of
 * ../shared/testdata/cpython/MANIFEST.tsv verifies by digest with its
 * release manager's identity against the production trusted root, and is
 * rejected for another release manager and for another artifact's digest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "pyverify.h"
#include "testdata.h"

struct row {
	char version[32], artifact[128], digest[72], identity[128],
	    issuer[128], bundle[256];
};

static size_t
load_manifest(struct row *rows, size_t max)
{
	char *text = td_read(td_path("cpython/MANIFEST.tsv"), NULL), *line, *save;
	size_t n = 0;
	int header = 1;

	cr_assert_not_null(text, "MANIFEST.tsv unreadable");
	for (line = strtok_r(text, "\n", &save); line && n < max;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f[7], *s2, *tok;
		int k = 0;
		if (header) {
			header = 0;
			continue;
		}
		for (tok = strtok_r(line, "\t", &s2); tok && k < 7;
		     tok = strtok_r(NULL, "\t", &s2))
			f[k++] = tok;
		cr_assert_eq(k, 7, "MANIFEST.tsv row %zu has %d columns", n, k);
		snprintf(rows[n].version, sizeof(rows[n].version), "%s", f[0]);
		snprintf(rows[n].artifact, sizeof(rows[n].artifact), "%s", f[1]);
		snprintf(rows[n].digest, sizeof(rows[n].digest), "sha256:%s",
		         f[2]);
		snprintf(rows[n].identity, sizeof(rows[n].identity), "%s", f[4]);
		snprintf(rows[n].issuer, sizeof(rows[n].issuer), "%s", f[5]);
		snprintf(rows[n].bundle, sizeof(rows[n].bundle), "%s", f[6]);
		n++;
	}
	free(text);
	return n;
}

static int
verify_row(const pyverify_trust_root *root, const struct row *r,
           const char *digest, const char *identity, const char *issuer,
           pyverify_result *res, pyverify_error *err)
{
	pyverify_bundle *bundle = NULL;
	pyverify_policy *policy = NULL;
	pyverify_artifact artifact;
	char path[512];
	int rc;

	snprintf(path, sizeof(path), "cpython/%s", r->bundle);
	cr_assert_eq(pyverify_bundle_load_file(&bundle, td_path(path), err), 0,
	             "%s: %s", r->bundle, err->msg);
	cr_assert_eq(pyverify_artifact_from_digest(&artifact, digest, err), 0);
	cr_assert_eq(pyverify_policy_new(&policy, err), 0);
	cr_assert_eq(pyverify_policy_add_identity(policy, identity,
	                                          PYVERIFY_MATCH_EXACT, issuer,
	                                          PYVERIFY_MATCH_EXACT, err), 0);
	rc = pyverify_verify(root, bundle, &artifact, policy, res, err);
	pyverify_policy_free(policy);
	pyverify_bundle_free(bundle);
	return rc;
}

static pyverify_trust_root *
production_root(void)
{
	pyverify_trust_root *root = NULL;
	pyverify_error err;

	cr_assert_eq(pyverify_trust_root_load_file(
	                 &root, td_path("sigstore/production.trusted_root.json"),
	                 &err), 0, "%s", err.msg);
	return root;
}

Test(cpython, every_release_bundle_verifies_with_its_release_manager)
{
	struct row rows[256];
	pyverify_trust_root *root;
	size_t n, i;

	if (td_dir() == NULL)
		cr_skip_test("../shared/testdata is absent: no CPython bundles");
	n = load_manifest(rows, 256);
	cr_assert_gt(n, 0);
	root = production_root();
	for (i = 0; i < n; i++) {
		pyverify_result res;
		pyverify_error err = { 0 };
		int rc = verify_row(root, &rows[i], rows[i].digest,
		                    rows[i].identity, rows[i].issuer, &res, &err);
		cr_expect_eq(rc, 0, "%s (%s): [%s] %s", rows[i].artifact,
		             rows[i].version, pyverify_step_code(err.step),
		             err.msg);
		if (rc == 0) {
			cr_expect_str_eq(res.identity, rows[i].identity);
			cr_expect_str_eq(res.issuer, rows[i].issuer);
			cr_expect_gt(res.signing_time, 1600000000);
		}
	}
	pyverify_trust_root_free(root);
}

Test(cpython, another_release_managers_identity_is_rejected)
{
	struct row rows[256];
	pyverify_trust_root *root;
	size_t n, i, j;

	if (td_dir() == NULL)
		cr_skip_test("../shared/testdata is absent: no CPython bundles");
	n = load_manifest(rows, 256);
	root = production_root();
	for (i = 0; i < n; i++) {
		pyverify_result res;
		pyverify_error err = { 0 };
		int rc;
		for (j = 0; j < n; j++)
			if (strcmp(rows[j].identity, rows[i].identity) != 0)
				break;
		cr_assert_lt(j, n);
		/* Another release manager with that manager's own issuer. */
		rc = verify_row(root, &rows[i], rows[i].digest, rows[j].identity,
		                rows[j].issuer, &res, &err);
		cr_expect_eq(rc, PYVERIFY_EREJECT, "%s accepted for %s",
		             rows[i].artifact, rows[j].identity);
		cr_expect_eq(err.step, PYVERIFY_STEP_IDENTITY, "%s: [%s] %s",
		             rows[i].artifact, pyverify_step_code(err.step),
		             err.msg);
		/* The right identity with the wrong issuer. */
		rc = verify_row(root, &rows[i], rows[i].digest, rows[i].identity,
		                strcmp(rows[i].issuer,
		                       "https://accounts.google.com") == 0
		                    ? "https://github.com/login/oauth"
		                    : "https://accounts.google.com",
		                &res, &err);
		cr_expect_eq(rc, PYVERIFY_EREJECT);
		cr_expect_eq(err.step, PYVERIFY_STEP_ISSUER, "%s: [%s] %s",
		             rows[i].artifact, pyverify_step_code(err.step),
		             err.msg);
	}
	pyverify_trust_root_free(root);
}

Test(cpython, another_artifacts_digest_is_rejected)
{
	struct row rows[256];
	pyverify_trust_root *root;
	size_t n, i;

	if (td_dir() == NULL)
		cr_skip_test("../shared/testdata is absent: no CPython bundles");
	n = load_manifest(rows, 256);
	cr_assert_gt(n, 1);
	root = production_root();
	for (i = 0; i < n; i++) {
		const struct row *other = &rows[(i + 1) % n];
		pyverify_result res;
		pyverify_error err = { 0 };
		int rc = verify_row(root, &rows[i], other->digest,
		                    rows[i].identity, rows[i].issuer, &res, &err);
		cr_expect_eq(rc, PYVERIFY_EREJECT, "%s accepted with the digest "
		             "of %s", rows[i].artifact, other->artifact);
		cr_expect(err.step == PYVERIFY_STEP_ARTIFACT ||
		          err.step == PYVERIFY_STEP_TLOG_BODY ||
		          err.step == PYVERIFY_STEP_SIGNATURE,
		          "%s: [%s] %s", rows[i].artifact,
		          pyverify_step_code(err.step), err.msg);
	}
	pyverify_trust_root_free(root);
}
