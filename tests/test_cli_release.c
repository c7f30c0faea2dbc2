/*
 * test_cli_release.c - the built command, `pyverify ARTIFACT...` and
 * `pyverify scan`, run as a user runs it ($PYVERIFY_BUILD/pyverify, set by
 * the Makefile): statuses, exit codes 0/1/2/3, --allow-legacy-pgp, -q,
 * --json, --bundle/--digest, help; a scan of 1,000 artifacts signed by the
 * virtual Sigstore; and the python.org bundles of ../shared/testdata.
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

#include "testdata.h"
#include "vsigstore.h"

#define ID "dev@example.org"
#define ISS "https://issuer.example"

static const char policy_text[] =
	"{\"schema\":\"pyverify.cpython-policy/1\",\"series\":["
	"{\"series\":\"3.7\",\"identities\":[{\"identity\":\"" ID "\","
	"\"issuer\":\"" ISS "\"}],\"first_sigstore\":\"3.7.14\",\"pgp\":true},"
	"{\"series\":\"3.14\",\"identities\":[{\"identity\":\"" ID "\","
	"\"issuer\":\"" ISS "\"}],\"first_sigstore\":\"3.14.0a1\",\"pgp\":false},"
	"{\"series\":\"3.15\",\"identities\":[{\"identity\":\"" ID "\","
	"\"issuer\":\"" ISS "\"}],\"first_sigstore\":\"3.15.0a1\",\"pgp\":false}"
	"]}";

/* ---- helpers ---------------------------------------------------------------- */

static const char *
binary(void)
{
	static char path[4096], abs[4096];
	const char *b = getenv("PYVERIFY_BUILD");

	snprintf(path, sizeof(path), "%s/pyverify", b && *b ? b : "build");
	cr_assert(access(path, X_OK) == 0 && realpath(path, abs) != NULL,
	          "%s is missing: run the tests with make (make test)", path);
	return abs;
}

static void
write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

static void
write_text(const char *path, const char *text)
{
	write_file(path, text, strlen(text));
}

static char *
pathf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	cr_assert_geq(n, 0);
	p = malloc((size_t)n + 1);
	cr_assert_not_null(p);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

struct run {
	int status;
	char *out, *err;
};

static void
run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

/* Runs the binary with args (NULL-terminated) in dir; captures both
 * streams in files (no pipe deadlock on large output). */
static struct run
run_in(const char *dir, const char *const *args)
{
	char outp[] = "/tmp/pv-cli-out-XXXXXX", errp[] = "/tmp/pv-cli-err-XXXXXX";
	const char *argv[64];
	struct run r = { 0 };
	int fo = mkstemp(outp), fe = mkstemp(errp), st;
	size_t n = 0;
	pid_t pid;

	cr_assert(fo >= 0 && fe >= 0);
	argv[n++] = binary();
	while (args[n - 1] != NULL && n < 63) {
		argv[n] = args[n - 1];
		n++;
	}
	argv[n] = NULL;
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		dup2(fo, 1);
		dup2(fe, 2);
		if (dir != NULL && chdir(dir) != 0)
			_exit(127);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st), "pyverify died (signal %d)",
	          WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	r.status = WEXITSTATUS(st);
	close(fo);
	close(fe);
	r.out = td_read(outp, NULL);
	r.err = td_read(errp, NULL);
	cr_assert(r.out != NULL && r.err != NULL);
	unlink(outp);
	unlink(errp);
	return r;
}

#define RUN(dir, ...) run_in(dir, (const char *const[]){ __VA_ARGS__, NULL })

static size_t
count_lines(const char *s, const char *prefix)
{
	size_t n = 0, len = strlen(prefix);
	const char *p = s;

	while (*p) {
		if (strncmp(p, prefix, len) == 0)
			n++;
		p = strchr(p, '\n');
		if (p == NULL)
			break;
		p++;
	}
	return n;
}

/* A temporary directory with trusted_root.json and policy.json of a fresh
 * virtual Sigstore, and helpers to sign artifacts into it. */
struct fx {
	char dir[64];
	char *root, *policy;
	struct vs *vs;
	struct vs_leaf *leaf;
};

static void
fx_init(struct fx *f)
{
	char *root_text;

	snprintf(f->dir, sizeof(f->dir), "/tmp/pv-cli-XXXXXX");
	cr_assert_not_null(mkdtemp(f->dir));
	f->vs = vs_new();
	cr_assert_not_null(f->vs);
	f->leaf = vs_leaf_new(f->vs, NULL);
	cr_assert_not_null(f->leaf);
	root_text = vs_trust_root_string(f->vs);
	cr_assert_not_null(root_text);
	f->root = pathf("%s/trusted_root.json", f->dir);
	f->policy = pathf("%s/policy.json", f->dir);
	write_text(f->root, root_text);
	write_text(f->policy, policy_text);
	free(root_text);
}

static void
rm_rf(const char *dir)
{
	char *cmd = pathf("rm -rf '%s'", dir);

	cr_expect_eq(system(cmd), 0);
	free(cmd);
}

static void
fx_free(struct fx *f)
{
	rm_rf(f->dir);
	free(f->root);
	free(f->policy);
	vs_leaf_free(f->leaf);
	vs_free(f->vs);
}

/* Writes `content` to path and, when bundle_path is not NULL, a bundle
 * over signed_content (normally the same bytes) to bundle_path. */
static void
put_signed(struct fx *f, const char *path, const char *content,
           const char *bundle_path, const char *signed_content)
{
	struct vs_sign_opts o = { 0 };
	json_t *b;
	char *text;

	write_text(path, content);
	if (bundle_path == NULL)
		return;
	o.artifact = signed_content;
	o.artifact_len = strlen(signed_content);
	b = vs_sign(f->vs, f->leaf, &o);
	cr_assert_not_null(b);
	text = vs_dump(b);
	write_text(bundle_path, text);
	free(text);
	json_decref(b);
}

static void
put_release(struct fx *f, const char *name, int signed_ok)
{
	char *p = pathf("%s/%s", f->dir, name);
	char *b = pathf("%s/%s.sigstore", f->dir, name);

	put_signed(f, p, name, b, signed_ok ? name : "other bytes");
	free(p);
	free(b);
}

static void
touch(const char *dir, const char *name)
{
	char *p = pathf("%s/%s", dir, name);

	write_text(p, "");
	free(p);
}

/* Every line of out is a JSON object with the required members. Returns
 * the number of lines; counts[status] are added up. */
static size_t
check_json_lines(const char *out, size_t counts[5])
{
	static const char *const required[] = {
		"artifact", "status", "version", "identity", "issuer",
		"sha256", "bundle", "log_index", "integrated_time", "error",
	};
	static const char *const statuses[] = {
		"verified", "failed", "legacy-pgp-only", "missing",
		"unknown-release",
	};
	char *copy = strdup(out), *line, *save = NULL;
	size_t n = 0, i;

	cr_assert_not_null(copy);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		json_error_t jerr;
		json_t *j = json_loads(line, 0, &jerr), *e;
		const char *status;

		cr_assert_not_null(j, "not JSON (%s): %s", jerr.text, line);
		for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
			cr_assert_not_null(json_object_get(j, required[i]),
			                   "no %s in %s", required[i], line);
		status = json_string_value(json_object_get(j, "status"));
		cr_assert_not_null(status);
		for (i = 0; i < 5 && strcmp(status, statuses[i]) != 0; i++)
			;
		cr_assert_lt(i, 5, "status %s", status);
		counts[i]++;
		e = json_object_get(j, "error");
		if (i == 1) {
			cr_assert(json_is_string(json_object_get(e, "step")),
			          "%s", line);
			cr_assert(json_is_string(json_object_get(e, "message")),
			          "%s", line);
		} else {
			cr_assert(json_is_null(e), "%s", line);
		}
		if (i == 0) {
			cr_assert(json_is_integer(json_object_get(j,
			                                           "log_index")));
			cr_assert(json_is_string(json_object_get(
				j, "integrated_time")));
			cr_assert_eq(strlen(json_string_value(
				             json_object_get(j, "sha256"))), 64);
		}
		json_decref(j);
		n++;
	}
	free(copy);
	return n;
}

/* ---- help and usage --------------------------------------------------------- */

Test(cli_release, help_leads_with_the_release_mode_and_explains_it)
{
	struct run r = RUN(NULL, "--help");

	cr_assert_eq(r.status, 0);
	cr_assert_not_null(strstr(r.out, "pyverify Python-3.14.0.tgz"));
	cr_assert_lt(strstr(r.out, "pyverify Python-3.14.0.tgz") - r.out, 400,
	             "the example comes first");
	cr_assert_not_null(strstr(r.out, "legacy-pgp-only"));
	cr_assert_not_null(strstr(r.out, "--allow-legacy-pgp"));
	cr_assert_not_null(strstr(r.out, "exit status"));
	cr_assert_not_null(strstr(r.out, "verify-bundle"));
	cr_assert_not_null(strstr(r.out, "scan"));
	run_free(&r);
	r = RUN(NULL, "scan", "--help");
	cr_assert_eq(r.status, 0);
	cr_assert_not_null(strstr(r.out, "--manifest"));
	cr_assert_not_null(strstr(r.out, "--jobs"));
	run_free(&r);
	r = RUN(NULL, "verify-bundle", "--help");
	cr_assert_eq(r.status, 0);
	cr_assert_not_null(strstr(r.out, "--certificate-identity"));
	run_free(&r);
	r = RUN(NULL, "--version");
	cr_assert_eq(r.status, 0);
	cr_assert_not_null(strstr(r.out, "pyverify "));
	run_free(&r);
}

Test(cli_release, usage_errors_exit_2_with_a_reason)
{
	struct fx f;
	struct run r;
	char *bad;

	fx_init(&f);
	bad = pathf("%s/bad.json", f.dir);
	write_text(bad, "{\"schema\":\"pyverify.cpython-policy/1\"}");
	r = RUN(NULL, "--no-such-option", "Python-3.14.0.tgz");
	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "--no-such-option"));
	run_free(&r);
	r = RUN(NULL, "--json");
	cr_assert_eq(r.status, 2, "no artifact");
	cr_assert_not_null(strstr(r.err, "no ARTIFACT"));
	run_free(&r);
	r = RUN(NULL, "--bundle", "x.sigstore", "Python-3.14.0.tgz",
	        "Python-3.14.1.tgz");
	cr_assert_eq(r.status, 2);
	run_free(&r);
	r = RUN(NULL, "--digest", "sha256:1234", "Python-3.14.0.tgz");
	cr_assert_eq(r.status, 2);
	run_free(&r);
	r = RUN(NULL, "--certificate-identity", ID, "Python-3.14.0.tgz");
	cr_assert_eq(r.status, 2, "an identity needs its issuer");
	run_free(&r);
	r = RUN(NULL, "--policy", bad, "Python-3.14.0.tgz");
	cr_assert_eq(r.status, 2, "a broken policy is never an empty one");
	cr_assert_not_null(strstr(r.err, "policy"), "%s", r.err);
	run_free(&r);
	r = RUN(NULL, "--policy", "/nonexistent/policy.json",
	        "Python-3.14.0.tgz");
	cr_assert_eq(r.status, 2);
	run_free(&r);
	r = RUN(NULL, f.dir);
	cr_assert_eq(r.status, 2, "a directory is for scan");
	cr_assert_not_null(strstr(r.err, "scan"));
	run_free(&r);
	r = RUN(NULL, "scan");
	cr_assert_eq(r.status, 2);
	run_free(&r);
	r = RUN(NULL, "scan", "/nonexistent-dir");
	cr_assert_eq(r.status, 2);
	run_free(&r);
	r = RUN(NULL, "scan", "-j", "0", f.dir);
	cr_assert_eq(r.status, 2);
	run_free(&r);
	r = RUN(NULL, "scan", "--manifest", bad, f.dir);
	cr_assert_eq(r.status, 2, "DIR and --manifest together");
	run_free(&r);
	free(bad);
	fx_free(&f);
}

/* ---- verdicts and exit codes ------------------------------------------------ */

Test(cli_release, a_signed_release_beside_its_bundle_exits_0)
{
	struct fx f;
	struct run r;

	fx_init(&f);
	put_release(&f, "Python-3.14.0.tgz", 1);
	r = RUN(f.dir, "--policy", f.policy, "--trusted-root", f.root,
	        "Python-3.14.0.tgz");
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.out, "verified Python-3.14.0.tgz: 3.14.0 "
	                                 "signed by " ID " (" ISS ")"),
	                   "%s", r.out);
	run_free(&r);
	/* -q: nothing to say when everything passed. */
	r = RUN(f.dir, "-q", "--policy", f.policy, "--trusted-root", f.root,
	        "Python-3.14.0.tgz");
	cr_assert_eq(r.status, 0);
	cr_assert_str_eq(r.out, "");
	run_free(&r);
	fx_free(&f);
}

Test(cli_release, a_bundle_named_sigstore_json_is_found_too)
{
	struct fx f;
	struct run r;
	char *p, *b;

	fx_init(&f);
	p = pathf("%s/python-3.15.0a2-amd64.exe", f.dir);
	b = pathf("%s/python-3.15.0a2-amd64.exe.sigstore.json", f.dir);
	put_signed(&f, p, "installer", b, "installer");
	r = RUN(f.dir, "--json", "--policy", f.policy, "--trusted-root",
	        f.root, "python-3.15.0a2-amd64.exe");
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.out, "\"bundle\":\"python-3.15.0a2-amd64"
	                                 ".exe.sigstore.json\""), "%s", r.out);
	run_free(&r);
	free(p);
	free(b);
	fx_free(&f);
}

Test(cli_release, a_tampered_artifact_fails_with_exit_1_and_the_step)
{
	struct fx f;
	struct run r;

	fx_init(&f);
	put_release(&f, "Python-3.14.0.tgz", 1);
	put_release(&f, "Python-3.14.1.tgz", 0);
	touch(f.dir, "Python-3.14.2.tgz"); /* missing */
	r = RUN(f.dir, "--policy", f.policy, "--trusted-root", f.root,
	        "Python-3.14.0.tgz", "Python-3.14.1.tgz", "Python-3.14.2.tgz");
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.out, "failed Python-3.14.1.tgz: 3.14.1 "
	                                 "[tlog-body]"), "%s", r.out);
	cr_assert_eq(count_lines(r.out, "verified "), 1);
	cr_assert_eq(count_lines(r.out, "missing "), 1);
	run_free(&r);
	/* -q keeps the failure and the missing one, drops the verified. */
	r = RUN(f.dir, "-q", "--policy", f.policy, "--trusted-root", f.root,
	        "Python-3.14.0.tgz", "Python-3.14.1.tgz", "Python-3.14.2.tgz");
	cr_assert_eq(r.status, 1);
	cr_assert_eq(count_lines(r.out, "verified "), 0);
	cr_assert_eq(count_lines(r.out, "failed "), 1);
	cr_assert_eq(count_lines(r.out, "missing "), 1);
	run_free(&r);
	fx_free(&f);
}

Test(cli_release, legacy_pgp_only_exits_3_unless_allowed)
{
	struct fx f;
	struct run r;

	fx_init(&f);
	touch(f.dir, "Python-3.6.15.tgz");
	touch(f.dir, "Python-3.6.15.tgz.asc");
	touch(f.dir, "Python-3.7.13.tgz");
	touch(f.dir, "Python-3.7.13.tgz.asc");
	r = RUN(f.dir, "--policy", f.policy, "Python-3.6.15.tgz",
	        "Python-3.7.13.tgz");
	cr_assert_eq(r.status, 3, "%s%s", r.out, r.err);
	cr_assert_eq(count_lines(r.out, "legacy-pgp-only "), 2, "%s", r.out);
	run_free(&r);
	/* The default policy: the source tree's, as this binary runs from
	 * its build directory. */
	r = RUN(f.dir, "Python-3.6.15.tgz");
	cr_assert_eq(r.status, 3, "%s%s", r.out, r.err);
	cr_assert_eq(count_lines(r.out, "legacy-pgp-only "), 1, "%s", r.out);
	run_free(&r);
	/* The shipped policy knows 3.16 (PEP 826): a 3.16 pre-release with
	 * only an .asc is missing its bundle, never an unknown release. */
	touch(f.dir, "Python-3.16.0a2.tgz");
	touch(f.dir, "Python-3.16.0a2.tgz.asc");
	r = RUN(f.dir, "Python-3.16.0a2.tgz");
	cr_assert_eq(r.status, 3, "%s%s", r.out, r.err);
	cr_assert_eq(count_lines(r.out, "missing Python-3.16.0a2.tgz"), 1,
	             "%s", r.out);
	run_free(&r);
	/* No trusted root is needed when there is no bundle to check. */
	r = RUN(f.dir, "--policy", f.policy, "--allow-legacy-pgp",
	        "--trusted-root", "/nonexistent/root.json",
	        "Python-3.6.15.tgz", "Python-3.7.13.tgz");
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	run_free(&r);
	r = RUN(f.dir, "-q", "--allow-legacy-pgp", "--policy", f.policy,
	        "Python-3.6.15.tgz");
	cr_assert_eq(r.status, 0);
	cr_assert_str_eq(r.out, "");
	run_free(&r);
	/* Only an .asc for a 3.14 release: missing, and suspicious. */
	touch(f.dir, "Python-3.14.0.tgz");
	touch(f.dir, "Python-3.14.0.tgz.asc");
	r = RUN(f.dir, "--allow-legacy-pgp", "--policy", f.policy,
	        "Python-3.14.0.tgz");
	cr_assert_eq(r.status, 3);
	cr_assert_not_null(strstr(r.out, "missing Python-3.14.0.tgz: "
	                                 "suspicious"), "%s", r.out);
	run_free(&r);
	fx_free(&f);
}

Test(cli_release, unknown_names_and_series_exit_3)
{
	struct fx f;
	struct run r;

	fx_init(&f);
	touch(f.dir, "notes.txt");
	touch(f.dir, "Python-3.16.0.tgz");
	r = RUN(f.dir, "--policy", f.policy, "notes.txt", "Python-3.16.0.tgz");
	cr_assert_eq(r.status, 3);
	cr_assert_eq(count_lines(r.out, "unknown-release "), 2, "%s", r.out);
	cr_assert_not_null(strstr(r.out, "series 3.16"));
	run_free(&r);
	/* A typo is not "missing": the file itself is not there. */
	r = RUN(f.dir, "--policy", f.policy, "Python-3.14.9.tgz");
	cr_assert_eq(r.status, 1);
	cr_assert_not_null(strstr(r.out, "[artifact]"), "%s", r.out);
	run_free(&r);
	fx_free(&f);
}

Test(cli_release, explicit_signer_verifies_a_series_the_policy_lacks)
{
	struct fx f;
	struct run r;

	fx_init(&f);
	put_release(&f, "Python-3.16.0a1.tgz", 1);
	r = RUN(f.dir, "--policy", f.policy, "--trusted-root", f.root,
	        "--certificate-identity", ID, "--certificate-oidc-issuer", ISS,
	        "Python-3.16.0a1.tgz");
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	run_free(&r);
	r = RUN(f.dir, "--policy", f.policy, "--trusted-root", f.root,
	        "--certificate-identity", "x@example.org",
	        "--certificate-oidc-issuer", ISS, "Python-3.16.0a1.tgz");
	cr_assert_eq(r.status, 1);
	cr_assert_not_null(strstr(r.out, "[identity]"), "%s", r.out);
	run_free(&r);
	fx_free(&f);
}

Test(cli_release, digest_and_bundle_verify_without_the_file)
{
	struct fx f;
	struct run r;
	uint8_t d[32];
	char hex[65], *digest, *bundle, *elsewhere;
	size_t i;

	fx_init(&f);
	/* The bundle lives under another name, the artifact nowhere. */
	elsewhere = pathf("%s/unrelated.bin", f.dir);
	bundle = pathf("%s/b.json", f.dir);
	put_signed(&f, elsewhere, "x", bundle, "the release bytes");
	vs_sha256(d, "the release bytes", strlen("the release bytes"));
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	digest = pathf("sha256:%s", hex);
	r = RUN(f.dir, "--json", "--policy", f.policy, "--trusted-root", f.root,
	        "--digest", digest, "--bundle", bundle, "Python-3.14.3.tgz");
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	{
		size_t counts[5] = { 0 };
		json_t *j = json_loads(r.out, JSON_DISABLE_EOF_CHECK, NULL);
		cr_assert_eq(check_json_lines(r.out, counts), 1);
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
	run_free(&r);
	/* The same bundle for another release's digest fails. */
	r = RUN(f.dir, "--json", "--policy", f.policy, "--trusted-root", f.root,
	        "--digest", "sha256:" "00000000000000000000000000000000"
	                    "00000000000000000000000000000000",
	        "--bundle", bundle, "Python-3.14.3.tgz");
	cr_assert_eq(r.status, 1);
	{
		size_t counts[5] = { 0 };
		cr_assert_eq(check_json_lines(r.out, counts), 1);
		cr_assert_eq(counts[1], 1);
	}
	run_free(&r);
	free(digest);
	free(bundle);
	free(elsewhere);
	fx_free(&f);
}

Test(cli_release, an_unreadable_bundle_is_a_failure_not_an_absence)
{
	struct fx f;
	struct run r;
	char *b;

	fx_init(&f);
	touch(f.dir, "Python-3.14.0.tgz");
	b = pathf("%s/Python-3.14.0.tgz.sigstore", f.dir);
	write_text(b, "<html>404</html>");
	r = RUN(f.dir, "--policy", f.policy, "--trusted-root", f.root,
	        "Python-3.14.0.tgz");
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.out, "[bundle-format]"), "%s", r.out);
	run_free(&r);
	/* A bundle needs a trusted root: none found is a usage error. */
	r = RUN(f.dir, "--policy", f.policy, "--trusted-root",
	        "/nonexistent/root.json", "Python-3.14.0.tgz");
	cr_assert_eq(r.status, 2);
	cr_assert_str_eq(r.out, "", "no half report");
	run_free(&r);
	free(b);
	fx_free(&f);
}

/* ---- scan ------------------------------------------------------------------- */

Test(cli_release, scan_of_1000_signed_artifacts_counts_every_status,
     .timeout = 300)
{
	struct fx f;
	struct run r;
	size_t counts[5] = { 0 }, i, failed = 0, missing = 0, verified = 0;
	char *sub, *name, *p, *b, *loop;

	fx_init(&f);
	for (i = 0; i < 10; i++) {
		sub = pathf("%s/d%zu", f.dir, i);
		cr_assert_eq(mkdir(sub, 0700), 0);
		free(sub);
	}
	/* A symbolic link loop must not be followed. */
	loop = pathf("%s/d0/loop", f.dir);
	cr_assert_eq(symlink("..", loop), 0);
	free(loop);
	for (i = 0; i < 1000; i++) {
		switch (i % 4) {
		case 0: name = pathf("Python-3.14.%zu.tgz", i); break;
		case 1: name = pathf("Python-3.15.0a%zu.tar.xz", i); break;
		case 2: name = pathf("python-3.14.%zurc2-amd64.exe", i); break;
		default: name = pathf("python-3.15.%zu-embed-arm64.zip", i);
		}
		p = pathf("%s/d%zu/%s", f.dir, i % 10, name);
		b = pathf("%s.sigstore", p);
		if (i % 100 == 7) {
			put_signed(&f, p, name, b, "not these bytes");
			failed++;
		} else if (i % 100 == 42) {
			put_signed(&f, p, name, NULL, NULL);
			missing++;
		} else {
			put_signed(&f, p, name, b, name);
			verified++;
		}
		free(name);
		free(p);
		free(b);
	}
	/* Series the policy lacks, and files that are not artifacts. */
	for (i = 0; i < 5; i++) {
		name = pathf("d%zu/Python-3.16.%zu.tgz", i, i);
		touch(f.dir, name);
		free(name);
	}
	touch(f.dir, "d1/index.html");
	touch(f.dir, "d1/SHA256SUMS");

	r = RUN(NULL, "scan", "--json", "-j", "4", "--policy", f.policy,
	        "--trusted-root", f.root, f.dir);
	cr_assert_eq(r.status, 1, "some failed: %s", r.err);
	cr_assert_eq(check_json_lines(r.out, counts), 1005);
	cr_assert_eq(counts[0], verified);
	cr_assert_eq(counts[1], failed);
	cr_assert_eq(counts[2], 0);
	cr_assert_eq(counts[3], missing);
	cr_assert_eq(counts[4], 5);
	/* With --json the summary goes to stderr. */
	cr_assert_not_null(strstr(r.err, "980 verified, 10 failed, "
	                                 "0 legacy-pgp-only, 10 missing, "
	                                 "5 unknown-release"), "%s", r.err);
	run_free(&r);

	/* Human output: input order is the sorted walk, stable across runs
	 * and job counts. */
	r = RUN(NULL, "scan", "-q", "-j", "1", "--policy", f.policy,
	        "--trusted-root", f.root, f.dir);
	{
		struct run r2 = RUN(NULL, "scan", "-q", "-j", "3", "--policy",
		                    f.policy, "--trusted-root", f.root, f.dir);
		char *sum1 = strstr(r.out, "scan: "), *sum2 = strstr(r2.out,
		                                                     "scan: ");
		cr_assert_eq(r.status, 1);
		cr_assert(sum1 != NULL && sum2 != NULL);
		/* The verdict lines; the summary differs in time and jobs. */
		cr_assert_eq(sum1 - r.out, sum2 - r2.out);
		cr_assert(memcmp(r.out, r2.out, (size_t)(sum1 - r.out)) == 0);
		cr_assert_eq(count_lines(r.out, "failed "), 10);
		cr_assert_eq(count_lines(r.out, "verified "), 0);
		cr_assert_not_null(strstr(r.out, "scan: 1005 artifacts"));
		run_free(&r2);
	}
	run_free(&r);
	fx_free(&f);
}

Test(cli_release, scan_manifest_reads_columns_by_name)
{
	struct fx f;
	struct run r;
	size_t counts[5] = { 0 };
	uint8_t d[32];
	char hex[65], *m, *text, *b, *junk;
	size_t i;

	fx_init(&f);
	junk = pathf("%s/junk", f.dir);
	b = pathf("%s/sig.bundle", f.dir);
	put_signed(&f, junk, "", b, "manifest bytes");
	vs_sha256(d, "manifest bytes", strlen("manifest bytes"));
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	/* Extra columns, another column order, a digest with its prefix, a
	 * row without bundle (missing), a malformed digest (failed). */
	text = pathf("size\tbundle\tsha256\tartifact\n"
	             "1\tsig.bundle\t%s\tPython-3.14.5.tgz\n"
	             "2\tsig.bundle\tsha256:%s\tPython-3.15.0b1.tgz\n"
	             "3\t\t%s\tPython-3.14.6.tgz\n"
	             "4\tsig.bundle\tnothex\tPython-3.14.7.tgz\n",
	             hex, hex, hex);
	m = pathf("%s/MANIFEST.tsv", f.dir);
	write_text(m, text);
	r = RUN(NULL, "scan", "--json", "--manifest", m, "--policy", f.policy,
	        "--trusted-root", f.root);
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_assert_eq(check_json_lines(r.out, counts), 4);
	cr_assert_eq(counts[0], 2);
	cr_assert_eq(counts[3], 1);
	cr_assert_eq(counts[1], 1);
	cr_assert_lt(strstr(r.out, "3.14.5") - r.out,
	             strstr(r.out, "3.14.7") - r.out, "input order");
	run_free(&r);
	/* No artifact column: usage error. */
	write_text(m, "name\tsha256\nPython-3.14.5.tgz\tab\n");
	r = RUN(NULL, "scan", "--manifest", m, "--policy", f.policy);
	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "artifact"), "%s", r.err);
	run_free(&r);
	free(text);
	free(m);
	free(b);
	free(junk);
	fx_free(&f);
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
	struct run r;
	size_t counts[5] = { 0 };
	char manifest[4096];

	if (td_dir() == NULL)
		cr_skip_test("../shared/testdata is absent: no CPython bundles");
	snprintf(manifest, sizeof(manifest), "%s",
	         td_path("cpython/MANIFEST.tsv"));
	r = RUN(NULL, "scan", "--json", "--manifest", manifest,
	        "--trusted-root", production_root());
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_eq(check_json_lines(r.out, counts), 24);
	cr_assert_eq(counts[0], 24);
	run_free(&r);
}

Test(cli_release, python_org_releases_without_sigstore_are_legacy_or_missing)
{
	struct run r;
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
		name = pathf("%s.asc", tab + 1);
		touch(dir, tab + 1);
		touch(dir, name);
		free(name);
		rows++;
	}
	free(text);
	cr_assert_gt(rows, 50);
	/* 3.14 with only an .asc: PEP 761 says that cannot be genuine. */
	touch(dir, "Python-3.14.0.tgz");
	touch(dir, "Python-3.14.0.tgz.asc");
	r = RUN(NULL, "scan", "--json", "--trusted-root", production_root(),
	        dir);
	cr_assert_eq(r.status, 3, "%s", r.err);
	cr_assert_eq(check_json_lines(r.out, counts), rows + 1);
	cr_assert_eq(counts[2], rows, "%s", r.out);
	cr_assert_eq(counts[3], 1);
	cr_assert_not_null(strstr(r.out, "PEP 761"));
	run_free(&r);
	r = RUN(NULL, "scan", "-q", "--allow-legacy-pgp", dir);
	cr_assert_eq(r.status, 3, "the 3.14 one is still missing");
	cr_assert_eq(count_lines(r.out, "missing "), 1, "%s", r.out);
	run_free(&r);
	rm_rf(dir);
}

Test(cli_release, a_python_org_bundle_beside_another_release_fails)
{
	struct run r;
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
		text = pathf("artifact\tsha256\tbundle\n"
		             "Python-3.14.0a1.tgz\t%s\t%s\n", sha, bundle);
		free(all);
	}
	m = pathf("%s/MANIFEST.tsv", dir);
	write_text(m, text);
	r = RUN(NULL, "scan", "--json", "--allow-outside-paths", "--manifest",
	        m, "--trusted-root", production_root());
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_assert_eq(check_json_lines(r.out, counts), 1);
	cr_assert_eq(counts[1], 1);
	cr_assert_not_null(strstr(r.out, "\"step\":\"tlog-body\""), "%s", r.out);
	run_free(&r);
	free(m);
	free(text);
	free(bundle);
	rm_rf(dir);
}

/* ---- hostile input ---------------------------------------------------------- */

/* A manifest line without end (a binary file, /dev/zero, a stalled pipe) is
 * refused at the line bound: pyverify neither reads on nor buffers it. The
 * manifest here is a pipe whose writer stays open after 1 MiB without a
 * newline, so only a bounded reader can return. */
Test(cli_release, an_endless_manifest_line_is_refused_at_the_bound,
     .timeout = 30)
{
	/* An endless stream (a FIFO) is refused before anything is read
	 * (tests/test_files.c); a regular file with a line 16 times the
	 * bound checks that reading stops at the bound. */
	char dir[] = "/tmp/pv-cli-long-XXXXXX", *path, *text;
	struct run r;
	size_t n = 16 * 65536;

	cr_assert_not_null(mkdtemp(dir));
	path = pathf("%s/MANIFEST.tsv", dir);
	text = malloc(16 + n + 1);
	cr_assert_not_null(text);
	memcpy(text, "artifact\tsha256\n", 16);
	memset(text + 16, 'a', n);
	write_file(path, text, 16 + n);
	r = RUN(NULL, "scan", "--manifest", path);
	cr_assert_eq(r.status, 2, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.err, "line 2"), "%s", r.err);
	run_free(&r);
	free(text);
	free(path);
	rm_rf(dir);
}

/* The mirror hook passes synced paths to pyverify; a path that looks like
 * an option ("--help", "--manifest=x") must be taken as a path, or a file
 * named "--help" would be accepted (pyverify --help exits 0). */
Test(cli_release, the_mirror_hook_takes_option_like_names_as_paths)
{
	struct fx f;
	struct run r;
	char *cmd, *hook, *out;
	int st;

	fx_init(&f);
	hook = realpath("deploy/hooks/mirror-ingest.sh", NULL);
	cr_assert_not_null(hook);
	touch(f.dir, "--help");
	out = pathf("%s/hook.out", f.dir);
	cmd = pathf("cd '%s' && PYVERIFY='%s' PYVERIFY_HOOK_ARGS='--policy "
	            "%s --trusted-root %s' sh '%s' --help >'%s' 2>&1",
	            f.dir, binary(), f.policy, f.root, hook, out);
	st = system(cmd);
	cr_assert(WIFEXITED(st));
	cr_assert_eq(WEXITSTATUS(st), 3, "a file named --help is not a "
	             "CPython release: %s", td_read(out, NULL));
	free(cmd);
	/* A directory named like an option: scanned, not obeyed. Its
	 * unsigned 3.14 tarball must be rejected even though the manifest
	 * the name points at would verify. */
	{
		char *sub = pathf("%s/--manifest=good.tsv", f.dir);
		cr_assert_eq(mkdir(sub, 0700), 0);
		touch(sub, "Python-3.14.0.tgz");
		put_release(&f, "Python-3.14.1.tgz", 1);
		char *good = pathf("%s/good.tsv", f.dir);
		write_text(good, "artifact\nPython-3.14.1.tgz\n");
		free(good);
		cmd = pathf("cd '%s' && PYVERIFY='%s' PYVERIFY_HOOK_ARGS="
		            "'--policy %s --trusted-root %s' sh '%s' "
		            "--manifest=good.tsv >'%s' 2>&1", f.dir, binary(),
		            f.policy, f.root, hook, out);
		st = system(cmd);
		cr_assert(WIFEXITED(st));
		cr_assert_neq(WEXITSTATUS(st), 0, "%s", td_read(out, NULL));
		free(cmd);
		free(sub);
	}
	r = RUN(f.dir, "--policy", f.policy, "--", "--help");
	cr_assert_eq(r.status, 3, "after --, --help is a file name");
	run_free(&r);
	free(out);
	free(hook);
	fx_free(&f);
}

/* Directory names come from the mirror: a C1 control (raw 0x9b, or U+009B
 * as UTF-8) or a bidi override must not reach the terminal from a human
 * line; ordinary UTF-8 names stay readable. */
Test(cli_release, human_lines_neutralise_terminal_controls_in_names)
{
	static const char *const dirs[] = {
		"raw\x9b" "2J", "c1\xc2\x9b" "31m", "bidi\xe2\x80\xae" "zgt",
		"esc\x1b[2J", "caf\xc3\xa9",
	};
	struct fx f;
	struct run r;
	size_t i;

	fx_init(&f);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char *d = pathf("%s/%s", f.dir, dirs[i]);
		cr_assert_eq(mkdir(d, 0700), 0);
		touch(d, "Python-3.14.0.tgz");
		free(d);
	}
	r = RUN(NULL, "scan", "--policy", f.policy, f.dir);
	cr_assert_eq(r.status, 3, "%s%s", r.out, r.err);
	cr_assert_eq(count_lines(r.out, "missing "), 5, "%s", r.out);
	cr_assert_null(strchr(r.out, '\x9b'), "%s", r.out);
	cr_assert_null(strchr(r.out, '\x1b'), "%s", r.out);
	cr_assert_null(strstr(r.out, "\xe2\x80\xae"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "/caf\xc3\xa9/Python-3.14.0.tgz"),
	                   "%s", r.out);
	run_free(&r);
	fx_free(&f);
}

Test(cli_release, scan_errors_neutralise_terminal_controls_in_paths)
{
	struct fx f;
	struct run r;
	char *d;
	int level;

	/* A tree deeper than the walk goes, under a directory whose name
	 * carries an escape sequence: the stderr message names the path. */
	fx_init(&f);
	d = pathf("%s/esc\x1b[2J", f.dir);
	cr_assert_eq(mkdir(d, 0700), 0);
	for (level = 0; level < 70; level++) {
		char *next = pathf("%s/a", d);
		cr_assert_eq(mkdir(next, 0700), 0);
		free(d);
		d = next;
	}
	free(d);
	r = RUN(NULL, "scan", "--policy", f.policy, f.dir);
	cr_assert_neq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.err, "nested deeper"), "%s", r.err);
	cr_assert_null(strchr(r.err, '\x1b'), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "esc?[2J"), "%s", r.err);
	run_free(&r);
	fx_free(&f);
}

/* A report that could not be written is not a clean pass: a mirror that
 * logs to a full disk must hear about it (as `pyverify FILE` does). */
Test(cli_release, a_scan_whose_report_cannot_be_written_does_not_exit_0)
{
	struct fx f;
	char *cmd;
	int st;

	fx_init(&f);
	put_release(&f, "Python-3.14.0.tgz", 1);
	cmd = pathf("'%s' scan -j 2 --policy '%s' --trusted-root '%s' '%s' "
	            ">/dev/null 2>&1", binary(), f.policy, f.root, f.dir);
	st = system(cmd);
	cr_assert(WIFEXITED(st));
	cr_assert_eq(WEXITSTATUS(st), 0, "the fixture verifies");
	free(cmd);
	cmd = pathf("'%s' scan -j 2 --policy '%s' --trusted-root '%s' '%s' "
	            ">/dev/full 2>/dev/null", binary(), f.policy, f.root,
	            f.dir);
	st = system(cmd);
	cr_assert(WIFEXITED(st));
	cr_assert_eq(WEXITSTATUS(st), 1);
	free(cmd);
	cmd = pathf("'%s' --policy '%s' --trusted-root '%s' "
	            "'%s/Python-3.14.0.tgz' >/dev/full 2>/dev/null", binary(),
	            f.policy, f.root, f.dir);
	st = system(cmd);
	cr_assert(WIFEXITED(st));
	cr_assert_eq(WEXITSTATUS(st), 1);
	free(cmd);
	fx_free(&f);
}

/* A manifest saved by a spreadsheet on Windows: byte order mark, CRLF,
 * bundle paths relative to the manifest's own directory (not the current
 * one), rows shorter than the header. */
Test(cli_release, scan_manifest_from_a_spreadsheet_is_read_as_written)
{
	struct fx f;
	struct run r;
	size_t counts[5] = { 0 }, i;
	uint8_t d[32];
	char hex[65], *sub, *m, *text, *b, *junk;

	fx_init(&f);
	sub = pathf("%s/sigs", f.dir);
	cr_assert_eq(mkdir(sub, 0700), 0);
	junk = pathf("%s/junk", f.dir);
	b = pathf("%s/sigs/a.sigstore", f.dir);
	put_signed(&f, junk, "", b, "spreadsheet bytes");
	vs_sha256(d, "spreadsheet bytes", strlen("spreadsheet bytes"));
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	text = pathf("\xef\xbb\xbf" "artifact\tsha256\tbundle\r\n"
	             "Python-3.14.5.tgz\t%s\tsigs/a.sigstore\r\n"
	             "Python-3.14.6.tgz\r\n"
	             "\r\n"
	             "Python-3.14.7.tgz\t%s\r\n", hex, hex);
	m = pathf("%s/MANIFEST.tsv", f.dir);
	write_text(m, text);
	/* Run from elsewhere: relative paths are the manifest's. */
	r = RUN("/", "scan", "--json", "--manifest", m, "--policy", f.policy,
	        "--trusted-root", f.root);
	cr_assert_eq(r.status, 3, "%s%s", r.out, r.err);
	cr_assert_eq(check_json_lines(r.out, counts), 3, "%s", r.out);
	cr_assert_eq(counts[0], 1, "%s", r.out);
	cr_assert_eq(counts[3], 2, "%s", r.out);
	run_free(&r);
	free(text);
	free(m);
	free(b);
	free(junk);
	free(sub);
	fx_free(&f);
}

/* A manifest comes from a mirror: a bundle or artifact cell that is
 * absolute or climbs out of the manifest's directory fails its row (and
 * nothing is read for it) unless --allow-outside-paths is given. The check
 * is lexical: "sub/../x" stays inside. */
Test(cli_release, scan_manifest_refuses_paths_outside_its_directory)
{
	struct fx f;
	struct run r;
	size_t counts[5] = { 0 }, i;
	uint8_t d[32];
	char hex[65], *sub, *m, *text, *b, *abs_b, *junk;

	fx_init(&f);
	sub = pathf("%s/m", f.dir);
	cr_assert_eq(mkdir(sub, 0700), 0);
	junk = pathf("%s/m/x", f.dir);
	cr_assert_eq(mkdir(junk, 0700), 0);
	free(junk);
	junk = pathf("%s/junk", f.dir);
	/* The bundle sits beside the manifest's directory, not in it. */
	b = pathf("%s/outside.sigstore", f.dir);
	put_signed(&f, junk, "", b, "outside bytes");
	abs_b = pathf("%s/m/inside.sigstore", f.dir);
	put_signed(&f, junk, "", abs_b, "outside bytes");
	vs_sha256(d, "outside bytes", strlen("outside bytes"));
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	text = pathf("artifact\tsha256\tbundle\n"
	             "Python-3.14.1.tgz\t%s\t../outside.sigstore\n"
	             "Python-3.14.2.tgz\t%s\t%s\n"
	             "../Python-3.14.3.tgz\t%s\tinside.sigstore\n"
	             "Python-3.14.4.tgz\t%s\tx/../inside.sigstore\n",
	             hex, hex, abs_b, hex, hex);
	m = pathf("%s/MANIFEST.tsv", sub);
	write_text(m, text);
	r = RUN(NULL, "scan", "--json", "--manifest", m, "--policy", f.policy,
	        "--trusted-root", f.root);
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_assert_eq(check_json_lines(r.out, counts), 4, "%s", r.out);
	cr_assert_eq(counts[1], 3, "three rows leave the directory: %s", r.out);
	cr_assert_eq(counts[0], 1, "x/../inside.sigstore stays: %s", r.out);
	cr_assert_eq(count_lines(r.out, "{\"artifact\":\"Python-3.14.4.tgz\""
	                                ",\"status\":\"verified\""), 1,
	             "%s", r.out);
	run_free(&r);
	/* Human lines say which cell and how to accept it. */
	r = RUN(NULL, "scan", "--manifest", m, "--policy", f.policy,
	        "--trusted-root", f.root);
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_assert_eq(count_lines(r.out, "failed "), 3, "%s", r.out);
	cr_assert_not_null(strstr(r.out, "bundle cell '../outside.sigstore' "
	                                 "is outside the manifest's "
	                                 "directory"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "artifact cell '../Python-3.14.3.tgz'"),
	                   "%s", r.out);
	cr_assert_not_null(strstr(r.out, "--allow-outside-paths"), "%s", r.out);
	run_free(&r);
	/* Accepted on request: both bundles verify, the artifact row is
	 * read from ../ (digest given, bundle beside the manifest). */
	r = RUN(NULL, "scan", "--json", "--allow-outside-paths", "--manifest", m,
	        "--policy", f.policy, "--trusted-root", f.root);
	memset(counts, 0, sizeof(counts));
	cr_assert_eq(check_json_lines(r.out, counts), 4, "%s", r.out);
	cr_assert_eq(counts[0], 4, "%s%s", r.out, r.err);
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	run_free(&r);
	r = RUN(NULL, "scan", "--help");
	cr_assert_not_null(strstr(r.out, "--allow-outside-paths"));
	run_free(&r);
	free(text);
	free(m);
	free(b);
	free(abs_b);
	free(junk);
	free(sub);
	fx_free(&f);
}

/* Paths and arguments in the messages of the release and scan modes
 * (policy, manifest, arguments that are not files) are printed cleaned:
 * a newline cannot add a line, an escape cannot reach the terminal. */
Test(cli_release, messages_neutralise_controls_in_paths_and_arguments)
{
	struct fx f;
	struct run r;
	char *evil, *evil_dir;

	fx_init(&f);
	evil = pathf("%s/x\nverified Python-3.14.0.tgz: forged\x1b[2J", f.dir);
	evil_dir = pathf("%s/d\n\x1b[2J", f.dir);
	cr_assert_eq(mkdir(evil_dir, 0700), 0);
	r = RUN(NULL, "--policy", evil, "Python-3.14.0.tgz");
	cr_assert_eq(r.status, 2, "%s", r.err);
	cr_assert_eq(count_lines(r.err, "verified"), 0, "%s", r.err);
	cr_assert_null(strchr(r.err, '\x1b'), "%s", r.err);
	run_free(&r);
	r = RUN(NULL, "scan", "--manifest", evil, "--policy", f.policy);
	cr_assert_eq(r.status, 2, "%s", r.err);
	cr_assert_eq(count_lines(r.err, "verified"), 0, "%s", r.err);
	cr_assert_null(strchr(r.err, '\x1b'), "%s", r.err);
	run_free(&r);
	r = RUN(NULL, "--policy", f.policy, evil_dir);
	cr_assert_eq(r.status, 2, "%s", r.err);
	cr_assert_null(strchr(r.err, '\x1b'), "%s", r.err);
	cr_assert_eq(strchr(r.err, '\n'), r.err + strlen(r.err) - 1,
	             "one line: %s", r.err);
	run_free(&r);
	r = RUN(NULL, "scan", "--policy", f.policy, evil);
	cr_assert_eq(r.status, 2, "%s", r.err);
	cr_assert_eq(count_lines(r.err, "verified"), 0, "%s", r.err);
	cr_assert_null(strchr(r.err, '\x1b'), "%s", r.err);
	run_free(&r);
	free(evil);
	free(evil_dir);
	fx_free(&f);
}

/* A text file where a bundle belongs is a failed verdict whose message says
 * where parsing stopped, never what the file holds. */
Test(cli_release, a_text_file_as_bundle_is_not_echoed)
{
	struct fx f;
	struct run r;
	char *art, *bundle, *m, *text;

	fx_init(&f);
	art = pathf("%s/Python-3.14.0.tgz", f.dir);
	bundle = pathf("%s/Python-3.14.0.tgz.sigstore", f.dir);
	write_text(art, "Python-3.14.0.tgz");
	write_text(bundle, "topsecret is not JSON\n");
	r = RUN(NULL, "--policy", f.policy, "--trusted-root", f.root, art);
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.out, "[bundle-format]"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "line 1, column"), "%s", r.out);
	cr_assert_null(strstr(r.out, "topsecret"), "echoed: %s", r.out);
	run_free(&r);
	text = pathf("artifact\tsha256\tbundle\nPython-3.14.0.tgz\t\t"
	             "Python-3.14.0.tgz.sigstore\n");
	m = pathf("%s/MANIFEST.tsv", f.dir);
	write_text(m, text);
	r = RUN(NULL, "scan", "--json", "--manifest", m, "--policy", f.policy,
	        "--trusted-root", f.root);
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.out, "bundle-format"), "%s", r.out);
	cr_assert_null(strstr(r.out, "topsecret"), "echoed: %s", r.out);
	run_free(&r);
	/* The same text given as the policy: a usage error, not an echo. */
	r = RUN(NULL, "--policy", bundle, art);
	cr_assert_eq(r.status, 2, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.err, "line 1, column"), "%s", r.err);
	cr_assert_null(strstr(r.err, "topsecret"), "echoed: %s", r.err);
	run_free(&r);
	free(art);
	free(bundle);
	free(m);
	free(text);
	fx_free(&f);
}
