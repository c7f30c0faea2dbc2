/*
 * test_conformance.c - every case of ../shared/testdata/conformance/cases
 * through the library, the way the Sigstore conformance suite drives a
 * client: once with the artifact file and once with its sha256: digest.
 * A directory whose name ends in _fail must be rejected by verification
 * (not merely fail to be read); any other must verify. Every case counts:
 * none is skipped.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <criterion/criterion.h>

#include "pyverify.h"
#include "testdata.h"
#include "vsigstore.h"

#define DEFAULT_IDENTITY                                                       \
	"https://github.com/sigstore-conformance/extremely-dangerous-public-"  \
	"oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@"   \
	"refs/heads/main"
#define DEFAULT_ISSUER "https://token.actions.githubusercontent.com"

/* snprintf that fails the test instead of truncating a path. */
#define JOIN(buf, ...)                                                         \
	cr_assert(snprintf(buf, sizeof(buf), __VA_ARGS__) < (int)sizeof(buf),  \
	          "path too long")

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs one case in one artifact mode; returns the library status and
 * fills err. */
static int
run_case(const char *dir, int by_digest, pyverify_error *err)
{
	char path[4096], digest[72];
	pyverify_trust_root *root = NULL;
	pyverify_bundle *bundle = NULL;
	pyverify_policy *policy = NULL;
	pyverify_artifact artifact;
	pyverify_result res;
	char *identity = NULL, *issuer = NULL, *key = NULL;
	size_t key_len = 0;
	int rc, i;

	JOIN(path, "%s/trusted_root.json", dir);
	if (!td_exists(path))
		JOIN(path, "%s",
		         td_path("sigstore/production.trusted_root.json"));
	rc = pyverify_trust_root_load_file(&root, path, err);
	if (rc != 0)
		goto done;

	JOIN(path, "%s/artifact", dir);
	if (!td_exists(path))
		JOIN(path, "%s",
		         td_path("conformance/a.txt"));
	rc = pyverify_artifact_from_file(&artifact, path, err);
	cr_assert_eq(rc, 0, "%s: artifact %s unreadable: %s", dir, path,
	             err->msg);
	if (by_digest) {
		memcpy(digest, "sha256:", 7);
		for (i = 0; i < 32; i++)
			snprintf(digest + 7 + 2 * i, 3, "%02x",
			         artifact.sha256[i]);
		rc = pyverify_artifact_from_digest(&artifact, digest, err);
		cr_assert_eq(rc, 0);
	}

	rc = pyverify_policy_new(&policy, err);
	cr_assert_eq(rc, 0);
	JOIN(path, "%s/key.pub", dir);
	key = td_read(path, &key_len);
	if (key != NULL) {
		rc = pyverify_policy_set_key_pem(policy, key, key_len, err);
		if (rc != 0)
			goto done;
	} else {
		JOIN(path, "%s/identity", dir);
		identity = td_read_line(path);
		JOIN(path, "%s/issuer", dir);
		issuer = td_read_line(path);
		rc = pyverify_policy_add_identity(
		    policy, identity ? identity : DEFAULT_IDENTITY,
		    PYVERIFY_MATCH_EXACT, issuer ? issuer : DEFAULT_ISSUER,
		    PYVERIFY_MATCH_EXACT, err);
		cr_assert_eq(rc, 0, "%s", err->msg);
	}

	JOIN(path, "%s/bundle.sigstore.json", dir);
	rc = pyverify_bundle_load_file(&bundle, path, err);
	if (rc != 0)
		goto done;
	rc = pyverify_verify(root, bundle, &artifact, policy, &res, err);
done:
	pyverify_bundle_free(bundle);
	pyverify_policy_free(policy);
	pyverify_trust_root_free(root);
	free(identity);
	free(issuer);
	free(key);
	return rc;
}

/* A _fail case agrees only when its files were read and verification
 * refused them: PYVERIFY_EREJECT, or PYVERIFY_EPARSE for a malformed
 * bundle, trusted root or key (what many _fail cases are about). A file
 * that could not be read (EIO: a missing bundle, a typo in the harness), a
 * usage error or an internal error is no verdict. */
static int
agrees(int want_fail, int rc)
{
	if (!want_fail)
		return rc == 0;
	return rc == PYVERIFY_EREJECT || rc == PYVERIFY_EPARSE;
}

/* Runs every case directory of `cases` in both artifact modes; returns the
 * number of runs that disagree with their expectation, printing each run
 * when verbose. */
static size_t
run_cases(const char *cases, int verbose)
{
	char dir[4096];
	char *names[512];
	size_t n = 0, i, mismatches = 0;
	struct dirent *de;
	DIR *d;

	d = opendir(cases);
	cr_assert_not_null(d, "cannot open %s", cases);
	while ((de = readdir(d)) != NULL && n < 512) {
		if (de->d_name[0] == '.')
			continue;
		names[n] = strdup(de->d_name);
		cr_assert_not_null(names[n]);
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_names);
	cr_assert_gt(n, 0, "no cases in %s", cases);

	for (i = 0; i < n; i++) {
		size_t len = strlen(names[i]);
		int want_fail = len > 5 && strcmp(names[i] + len - 5, "_fail") == 0;
		int mode;

		JOIN(dir, "%s/%s", cases, names[i]);
		for (mode = 0; mode < 2; mode++) {
			pyverify_error err = { 0 };
			int rc = run_case(dir, mode, &err);
			int ok = agrees(want_fail, rc);

			if (verbose)
				printf("%-4s %-58s %-6s %s%s%s%s\n",
				       ok ? "ok" : "FAIL", names[i],
				       mode ? "digest" : "file",
				       rc == 0 ? "verified"
				               : pyverify_step_code(err.step),
				       rc == 0 ? "" : " (",
				       rc == 0 ? "" : pyverify_status_name(rc),
				       rc == 0 ? "" : ")");
			if (verbose && rc != 0)
				printf("     %s\n", err.msg);
			if (!ok)
				mismatches++;
		}
		free(names[i]);
	}
	fflush(stdout);
	return mismatches;
}

Test(conformance, every_case_agrees_with_its_expectation)
{
	char cases[4096];
	size_t mismatches;

	if (td_dir() == NULL)
		cr_skip_test("../shared/testdata is absent: no conformance cases");
	JOIN(cases, "%s", td_path("conformance/cases"));
	mismatches = run_cases(cases, 1);
	cr_assert_eq(mismatches, 0, "%zu conformance case runs disagree with "
	             "their expectation (see the lines marked FAIL)",
	             mismatches);
}

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f, "cannot write %s", path);
	cr_assert_eq(fputs(text, f) >= 0, 1);
	cr_assert_eq(fclose(f), 0);
}

/* The runner must be able to fail: a _fail case whose bundle cannot be
 * read is no rejection, and neither is one whose trusted root is missing;
 * a real rejection and a real verification agree with their names. The
 * cases come from the virtual Sigstore, so no testdata is needed. */
Test(conformance, the_runner_does_not_count_an_unreadable_file_as_a_rejection)
{
	static const char *const names[] = {
		"verifies", "wrong-signer_fail", "no-bundle_fail",
		"unreadable-root_fail",
	};
	char top[] = "/tmp/pv-conf-XXXXXX", dir[128], path[192], cmd[64];
	struct vs *vs = vs_new();
	struct vs_leaf *leaf;
	char *root_text, *bundle_text;
	json_t *b;
	size_t i;

	cr_assert_not_null(vs);
	leaf = vs_leaf_new(vs, NULL);
	cr_assert_not_null(leaf);
	b = vs_sign(vs, leaf, NULL); /* over VS's default artifact "hello\n" */
	cr_assert_not_null(b);
	root_text = vs_trust_root_string(vs);
	bundle_text = vs_dump(b);
	cr_assert(root_text != NULL && bundle_text != NULL);
	cr_assert_not_null(mkdtemp(top));
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		JOIN(dir, "%s/%s", top, names[i]);
		cr_assert_eq(mkdir(dir, 0700), 0);
		JOIN(path, "%s/trusted_root.json", dir);
		if (i == 3)
			/* Present but not a file: it cannot be read. */
			cr_assert_eq(mkdir(path, 0700), 0);
		else
			write_text(path, root_text);
		JOIN(path, "%s/artifact", dir);
		write_text(path, "hello\n");
		JOIN(path, "%s/identity", dir);
		write_text(path, i == 1 ? "other@example.org\n"
		                        : "dev@example.org\n");
		JOIN(path, "%s/issuer", dir);
		write_text(path, "https://issuer.example\n");
		if (i != 2) {
			JOIN(path, "%s/bundle.sigstore.json", dir);
			write_text(path, bundle_text);
		}
	}
	/* A verified case whose clock is the virtual Sigstore's: the
	 * certificate is checked at the logged time, not now. */
	cr_assert_eq(run_cases(top, 0), 4, "only no-bundle_fail and "
	             "unreadable-root_fail (file and digest) disagree");
	JOIN(cmd, "rm -rf '%s'", top);
	cr_assert_eq(system(cmd), 0);
	free(root_text);
	free(bundle_text);
	json_decref(b);
	vs_leaf_free(leaf);
	vs_free(vs);
}
