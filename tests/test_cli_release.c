/*
 * test_cli_release.c - the built command, `pyverify ARTIFACT...`, run as a
 * user runs it ($PYVERIFY_BUILD/pyverify, set by the Makefile): statuses,
 * exit codes 0/1/2/3, --allow-legacy-pgp, -q, --json, --bundle/--digest,
 * help; and the python.org bundles of ../shared/testdata. The scan lives in
 * test_cli_release_scan.c, hostile names in test_cli_release_hostile.c; the
 * harness in tests/support/cli_fx.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "cli_fx.h"
#include "testdata.h"
#include "vsigstore.h"

#define ID CFX_ID
#define ISS CFX_ISS
#define RUN CFX_RUN

/* ---- help and usage --------------------------------------------------------- */

Test(cli_release, help_leads_with_the_release_mode_and_explains_it)
{
	struct cfx_run r = RUN(NULL, "--help");

	cr_assert_eq(r.status, 0);
	cr_assert_not_null(strstr(r.out, "pyverify Python-3.14.0.tgz"));
	cr_assert_lt(strstr(r.out, "pyverify Python-3.14.0.tgz") - r.out, 400,
	             "the example comes first");
	cr_assert_not_null(strstr(r.out, "legacy-pgp-only"));
	cr_assert_not_null(strstr(r.out, "--allow-legacy-pgp"));
	cr_assert_not_null(strstr(r.out, "exit status"));
	cr_assert_not_null(strstr(r.out, "verify-bundle"));
	cr_assert_not_null(strstr(r.out, "scan"));
	cfx_run_free(&r);
	r = RUN(NULL, "scan", "--help");
	cr_assert_eq(r.status, 0);
	cr_assert_not_null(strstr(r.out, "--manifest"));
	cr_assert_not_null(strstr(r.out, "--jobs"));
	cfx_run_free(&r);
	r = RUN(NULL, "verify-bundle", "--help");
	cr_assert_eq(r.status, 0);
	cr_assert_not_null(strstr(r.out, "--certificate-identity"));
	cfx_run_free(&r);
	r = RUN(NULL, "--version");
	cr_assert_eq(r.status, 0);
	cr_assert_not_null(strstr(r.out, "pyverify "));
	cfx_run_free(&r);
}

Test(cli_release, usage_errors_exit_2_with_a_reason)
{
	struct cfx f;
	struct cfx_run r;
	char *bad;

	cfx_init_release(&f);
	bad = cfx_pathf("%s/bad.json", f.dir);
	cfx_write_text(bad, "{\"schema\":\"pyverify.cpython-policy/1\"}");
	r = RUN(NULL, "--no-such-option", "Python-3.14.0.tgz");
	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "--no-such-option"));
	cfx_run_free(&r);
	r = RUN(NULL, "--json");
	cr_assert_eq(r.status, 2, "no artifact");
	cr_assert_not_null(strstr(r.err, "no ARTIFACT"));
	cfx_run_free(&r);
	r = RUN(NULL, "--bundle", "x.sigstore", "Python-3.14.0.tgz",
	        "Python-3.14.1.tgz");
	cr_assert_eq(r.status, 2);
	cfx_run_free(&r);
	r = RUN(NULL, "--digest", "sha256:1234", "Python-3.14.0.tgz");
	cr_assert_eq(r.status, 2);
	cfx_run_free(&r);
	r = RUN(NULL, "--certificate-identity", ID, "Python-3.14.0.tgz");
	cr_assert_eq(r.status, 2, "an identity needs its issuer");
	cfx_run_free(&r);
	r = RUN(NULL, "--policy", bad, "Python-3.14.0.tgz");
	cr_assert_eq(r.status, 2, "a broken policy is never an empty one");
	cr_assert_not_null(strstr(r.err, "policy"), "%s", r.err);
	cfx_run_free(&r);
	r = RUN(NULL, "--policy", "/nonexistent/policy.json",
	        "Python-3.14.0.tgz");
	cr_assert_eq(r.status, 2);
	cfx_run_free(&r);
	r = RUN(NULL, f.dir);
	cr_assert_eq(r.status, 2, "a directory is for scan");
	cr_assert_not_null(strstr(r.err, "scan"));
	cfx_run_free(&r);
	r = RUN(NULL, "scan");
	cr_assert_eq(r.status, 2);
	cfx_run_free(&r);
	r = RUN(NULL, "scan", "/nonexistent-dir");
	cr_assert_eq(r.status, 2);
	cfx_run_free(&r);
	r = RUN(NULL, "scan", "-j", "0", f.dir);
	cr_assert_eq(r.status, 2);
	cfx_run_free(&r);
	r = RUN(NULL, "scan", "--manifest", bad, f.dir);
	cr_assert_eq(r.status, 2, "DIR and --manifest together");
	cfx_run_free(&r);
	free(bad);
	cfx_free(&f);
}

/* ---- verdicts and exit codes ------------------------------------------------ */

Test(cli_release, a_signed_release_beside_its_bundle_exits_0)
{
	struct cfx f;
	struct cfx_run r;

	cfx_init_release(&f);
	cfx_put_release(&f, "Python-3.14.0.tgz", 1);
	r = RUN(f.dir, "--policy", f.policy, "--trusted-root", f.root,
	        "Python-3.14.0.tgz");
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.out, "verified Python-3.14.0.tgz: 3.14.0 "
	                                 "signed by " ID " (" ISS ")"),
	                   "%s", r.out);
	cfx_run_free(&r);
	/* -q: nothing to say when everything passed. */
	r = RUN(f.dir, "-q", "--policy", f.policy, "--trusted-root", f.root,
	        "Python-3.14.0.tgz");
	cr_assert_eq(r.status, 0);
	cr_assert_str_eq(r.out, "");
	cfx_run_free(&r);
	cfx_free(&f);
}

Test(cli_release, a_bundle_named_sigstore_json_is_found_too)
{
	struct cfx f;
	struct cfx_run r;
	char *p, *b;

	cfx_init_release(&f);
	p = cfx_pathf("%s/python-3.15.0a2-amd64.exe", f.dir);
	b = cfx_pathf("%s/python-3.15.0a2-amd64.exe.sigstore.json", f.dir);
	cfx_put_signed(&f, p, "installer", b, "installer");
	r = RUN(f.dir, "--json", "--policy", f.policy, "--trusted-root",
	        f.root, "python-3.15.0a2-amd64.exe");
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.out, "\"bundle\":\"python-3.15.0a2-amd64"
	                                 ".exe.sigstore.json\""), "%s", r.out);
	cfx_run_free(&r);
	free(p);
	free(b);
	cfx_free(&f);
}

Test(cli_release, a_tampered_artifact_fails_with_exit_1_and_the_step)
{
	struct cfx f;
	struct cfx_run r;

	cfx_init_release(&f);
	cfx_put_release(&f, "Python-3.14.0.tgz", 1);
	cfx_put_release(&f, "Python-3.14.1.tgz", 0);
	cfx_touch(f.dir, "Python-3.14.2.tgz"); /* missing */
	r = RUN(f.dir, "--policy", f.policy, "--trusted-root", f.root,
	        "Python-3.14.0.tgz", "Python-3.14.1.tgz", "Python-3.14.2.tgz");
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.out, "failed Python-3.14.1.tgz: 3.14.1 "
	                                 "[tlog-body]"), "%s", r.out);
	cr_assert_eq(cfx_count_lines(r.out, "verified "), 1);
	cr_assert_eq(cfx_count_lines(r.out, "missing "), 1);
	cfx_run_free(&r);
	/* -q keeps the failure and the missing one, drops the verified. */
	r = RUN(f.dir, "-q", "--policy", f.policy, "--trusted-root", f.root,
	        "Python-3.14.0.tgz", "Python-3.14.1.tgz", "Python-3.14.2.tgz");
	cr_assert_eq(r.status, 1);
	cr_assert_eq(cfx_count_lines(r.out, "verified "), 0);
	cr_assert_eq(cfx_count_lines(r.out, "failed "), 1);
	cr_assert_eq(cfx_count_lines(r.out, "missing "), 1);
	cfx_run_free(&r);
	cfx_free(&f);
}

Test(cli_release, legacy_pgp_only_exits_3_unless_allowed)
{
	struct cfx f;
	struct cfx_run r;

	cfx_init_release(&f);
	cfx_touch(f.dir, "Python-3.6.15.tgz");
	cfx_touch(f.dir, "Python-3.6.15.tgz.asc");
	cfx_touch(f.dir, "Python-3.7.13.tgz");
	cfx_touch(f.dir, "Python-3.7.13.tgz.asc");
	r = RUN(f.dir, "--policy", f.policy, "Python-3.6.15.tgz",
	        "Python-3.7.13.tgz");
	cr_assert_eq(r.status, 3, "%s%s", r.out, r.err);
	cr_assert_eq(cfx_count_lines(r.out, "legacy-pgp-only "), 2,
	             "%s", r.out);
	cfx_run_free(&r);
	/* The default policy: the source tree's, as this binary runs from
	 * its build directory. */
	r = RUN(f.dir, "Python-3.6.15.tgz");
	cr_assert_eq(r.status, 3, "%s%s", r.out, r.err);
	cr_assert_eq(cfx_count_lines(r.out, "legacy-pgp-only "), 1,
	             "%s", r.out);
	cfx_run_free(&r);
	/* The shipped policy knows 3.16 (PEP 826): a 3.16 pre-release with
	 * only an .asc is missing its bundle, never an unknown release. */
	cfx_touch(f.dir, "Python-3.16.0a2.tgz");
	cfx_touch(f.dir, "Python-3.16.0a2.tgz.asc");
	r = RUN(f.dir, "Python-3.16.0a2.tgz");
	cr_assert_eq(r.status, 3, "%s%s", r.out, r.err);
	cr_assert_eq(cfx_count_lines(r.out, "missing Python-3.16.0a2.tgz"), 1,
	             "%s", r.out);
	cfx_run_free(&r);
	/* No trusted root is needed when there is no bundle to check. */
	r = RUN(f.dir, "--policy", f.policy, "--allow-legacy-pgp",
	        "--trusted-root", "/nonexistent/root.json",
	        "Python-3.6.15.tgz", "Python-3.7.13.tgz");
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cfx_run_free(&r);
	r = RUN(f.dir, "-q", "--allow-legacy-pgp", "--policy", f.policy,
	        "Python-3.6.15.tgz");
	cr_assert_eq(r.status, 0);
	cr_assert_str_eq(r.out, "");
	cfx_run_free(&r);
	/* Only an .asc for a 3.14 release: missing, and suspicious. */
	cfx_touch(f.dir, "Python-3.14.0.tgz");
	cfx_touch(f.dir, "Python-3.14.0.tgz.asc");
	r = RUN(f.dir, "--allow-legacy-pgp", "--policy", f.policy,
	        "Python-3.14.0.tgz");
	cr_assert_eq(r.status, 3);
	cr_assert_not_null(strstr(r.out, "missing Python-3.14.0.tgz: "
	                                 "suspicious"), "%s", r.out);
	cfx_run_free(&r);
	cfx_free(&f);
}

Test(cli_release, unknown_names_and_series_exit_3)
{
	struct cfx f;
	struct cfx_run r;

	cfx_init_release(&f);
	cfx_touch(f.dir, "notes.txt");
	cfx_touch(f.dir, "Python-3.16.0.tgz");
	r = RUN(f.dir, "--policy", f.policy, "notes.txt", "Python-3.16.0.tgz");
	cr_assert_eq(r.status, 3);
	cr_assert_eq(cfx_count_lines(r.out, "unknown-release "), 2,
	             "%s", r.out);
	cr_assert_not_null(strstr(r.out, "series 3.16"));
	cfx_run_free(&r);
	/* A typo is not "missing": the file itself is not there. */
	r = RUN(f.dir, "--policy", f.policy, "Python-3.14.9.tgz");
	cr_assert_eq(r.status, 1);
	cr_assert_not_null(strstr(r.out, "[artifact]"), "%s", r.out);
	cfx_run_free(&r);
	cfx_free(&f);
}

Test(cli_release, explicit_signer_verifies_a_series_the_policy_lacks)
{
	struct cfx f;
	struct cfx_run r;

	cfx_init_release(&f);
	cfx_put_release(&f, "Python-3.16.0a1.tgz", 1);
	r = RUN(f.dir, "--policy", f.policy, "--trusted-root", f.root,
	        "--certificate-identity", ID, "--certificate-oidc-issuer", ISS,
	        "Python-3.16.0a1.tgz");
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cfx_run_free(&r);
	r = RUN(f.dir, "--policy", f.policy, "--trusted-root", f.root,
	        "--certificate-identity", "x@example.org",
	        "--certificate-oidc-issuer", ISS, "Python-3.16.0a1.tgz");
	cr_assert_eq(r.status, 1);
	cr_assert_not_null(strstr(r.out, "[identity]"), "%s", r.out);
	cfx_run_free(&r);
	cfx_free(&f);
}

Test(cli_release, digest_and_bundle_verify_without_the_file)
{
	struct cfx f;
	struct cfx_run r;
	uint8_t d[32];
	char hex[65], *digest, *bundle, *elsewhere;
	size_t i;

	cfx_init_release(&f);
	/* The bundle lives under another name, the artifact nowhere. */
	elsewhere = cfx_pathf("%s/unrelated.bin", f.dir);
	bundle = cfx_pathf("%s/b.json", f.dir);
	cfx_put_signed(&f, elsewhere, "x", bundle, "the release bytes");
	vs_sha256(d, "the release bytes", strlen("the release bytes"));
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	digest = cfx_pathf("sha256:%s", hex);
	r = RUN(f.dir, "--json", "--policy", f.policy, "--trusted-root", f.root,
	        "--digest", digest, "--bundle", bundle, "Python-3.14.3.tgz");
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	{
		size_t counts[5] = { 0 };
		json_t *j = json_loads(r.out, JSON_DISABLE_EOF_CHECK, NULL);
		cr_assert_eq(cfx_check_json_lines(r.out, counts), 1);
		cr_assert_eq(counts[0], 1);
		cr_assert_str_eq(json_string_value(json_object_get(j, "sha256")),
		                 hex);
		cr_assert_str_eq(json_string_value(json_object_get(j, "bundle")),
		                 bundle);
		cr_assert_str_eq(json_string_value(json_object_get(j,
		                                                   "version")),
		                 "3.14.3");
		json_decref(j);
	}
	cfx_run_free(&r);
	/* The same bundle for another release's digest fails. */
	r = RUN(f.dir, "--json", "--policy", f.policy, "--trusted-root", f.root,
	        "--digest", "sha256:" "00000000000000000000000000000000"
	                    "00000000000000000000000000000000",
	        "--bundle", bundle, "Python-3.14.3.tgz");
	cr_assert_eq(r.status, 1);
	{
		size_t counts[5] = { 0 };
		cr_assert_eq(cfx_check_json_lines(r.out, counts), 1);
		cr_assert_eq(counts[1], 1);
	}
	cfx_run_free(&r);
	free(digest);
	free(bundle);
	free(elsewhere);
	cfx_free(&f);
}

Test(cli_release, an_unreadable_bundle_is_a_failure_not_an_absence)
{
	struct cfx f;
	struct cfx_run r;
	char *b;

	cfx_init_release(&f);
	cfx_touch(f.dir, "Python-3.14.0.tgz");
	b = cfx_pathf("%s/Python-3.14.0.tgz.sigstore", f.dir);
	cfx_write_text(b, "<html>404</html>");
	r = RUN(f.dir, "--policy", f.policy, "--trusted-root", f.root,
	        "Python-3.14.0.tgz");
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.out, "[bundle-format]"), "%s", r.out);
	cfx_run_free(&r);
	/* A bundle needs a trusted root: none found is a usage error. */
	r = RUN(f.dir, "--policy", f.policy, "--trusted-root",
	        "/nonexistent/root.json", "Python-3.14.0.tgz");
	cr_assert_eq(r.status, 2);
	cr_assert_str_eq(r.out, "", "no half report");
	cfx_run_free(&r);
	free(b);
	cfx_free(&f);
}

/* ---- the python.org releases of ../shared/testdata -------------------------- */

static const char *
production_root(void)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s",
	         td_path("sigstore/production.trusted_root.json"));
	return path;
}

Test(cli_release, every_python_org_bundle_verifies_with_the_policy_alone)
{
	struct cfx_run r;
	size_t counts[5] = { 0 };
	char manifest[4096];

	if (td_dir() == NULL)
		cr_skip_test("../shared/testdata is absent: no CPython bundles");
	snprintf(manifest, sizeof(manifest), "%s",
	         td_path("cpython/MANIFEST.tsv"));
	r = RUN(NULL, "scan", "--json", "--manifest", manifest,
	        "--trusted-root", production_root());
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_eq(cfx_check_json_lines(r.out, counts), 24);
	cr_assert_eq(counts[0], 24);
	cfx_run_free(&r);
}

Test(cli_release, python_org_releases_without_sigstore_are_legacy_or_missing)
{
	struct cfx_run r;
	size_t counts[5] = { 0 }, rows = 0;
	char dir[] = "/tmp/pv-cli-nosig-XXXXXX", *text, *line, *save = NULL;
	int header = 1;

	if (td_dir() == NULL)
		cr_skip_test("../shared/testdata is absent: no release list");
	cr_assert_not_null(mkdtemp(dir));
	text = td_read(td_path("cpython/NO-SIGSTORE.tsv"), NULL);
	cr_assert_not_null(text);
	/* Empty placeholders with an .asc beside them: nothing is hashed
	 * for a release without Sigstore material. */
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t'), *end, *name;
		if (header) {
			header = 0;
			continue;
		}
		cr_assert_not_null(tab);
		end = strchr(tab + 1, '\t');
		cr_assert_not_null(end);
		*end = '\0';
		name = cfx_pathf("%s.asc", tab + 1);
		cfx_touch(dir, tab + 1);
		cfx_touch(dir, name);
		free(name);
		rows++;
	}
	free(text);
	cr_assert_gt(rows, 50);
	/* 3.14 with only an .asc: PEP 761 says that cannot be genuine. */
	cfx_touch(dir, "Python-3.14.0.tgz");
	cfx_touch(dir, "Python-3.14.0.tgz.asc");
	r = RUN(NULL, "scan", "--json", "--trusted-root", production_root(),
	        dir);
	cr_assert_eq(r.status, 3, "%s", r.err);
	cr_assert_eq(cfx_check_json_lines(r.out, counts), rows + 1);
	cr_assert_eq(counts[2], rows, "%s", r.out);
	cr_assert_eq(counts[3], 1);
	cr_assert_not_null(strstr(r.out, "PEP 761"));
	cfx_run_free(&r);
	r = RUN(NULL, "scan", "-q", "--allow-legacy-pgp", dir);
	cr_assert_eq(r.status, 3, "the 3.14 one is still missing");
	cr_assert_eq(cfx_count_lines(r.out, "missing "), 1, "%s", r.out);
	cfx_run_free(&r);
	cfx_rm_rf(dir);
}

Test(cli_release, a_python_org_bundle_beside_another_release_fails)
{
	struct cfx_run r;
	size_t counts[5] = { 0 };
	char dir[] = "/tmp/pv-cli-moved-XXXXXX", *m, *text, *bundle;

	if (td_dir() == NULL)
		cr_skip_test("../shared/testdata is absent: no CPython bundles");
	cr_assert_not_null(mkdtemp(dir));
	/* The 3.14.4 bundle, listed for 3.14.0a1 with 3.14.0a1's digest. */
	/* Absolute: the manifest's bundle paths are relative to its own
	 * directory. */
	bundle = realpath(td_path("cpython/bundles/Python-3.14.4.tgz.sigstore"),
	                  NULL);
	cr_assert_not_null(bundle);
	{
		/* Find 3.14.0a1's sha256 in MANIFEST.tsv. */
		char *all = td_read(td_path("cpython/MANIFEST.tsv"), NULL);
		char *row = strstr(all, "\tPython-3.14.0a1.tgz\t"), sha[65];
		cr_assert_not_null(row);
		memcpy(sha, row + strlen("\tPython-3.14.0a1.tgz\t"), 64);
		sha[64] = '\0';
		text = cfx_pathf("artifact\tsha256\tbundle\n"
		                 "Python-3.14.0a1.tgz\t%s\t%s\n", sha, bundle);
		free(all);
	}
	m = cfx_pathf("%s/MANIFEST.tsv", dir);
	cfx_write_text(m, text);
	r = RUN(NULL, "scan", "--json", "--allow-outside-paths", "--manifest",
	        m, "--trusted-root", production_root());
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_assert_eq(cfx_check_json_lines(r.out, counts), 1);
	cr_assert_eq(counts[1], 1);
	cr_assert_not_null(strstr(r.out, "\"step\":\"tlog-body\""), "%s", r.out);
	cfx_run_free(&r);
	free(m);
	free(text);
	free(bundle);
	cfx_rm_rf(dir);
}
