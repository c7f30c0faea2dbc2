/*
 * test_cli.c - the pyverify command as a build script uses it: exit codes,
 * the one-line verdicts, the trusted-root lookup order and `trust import`,
 * and every conformance case through the real CLI protocol.
 * The binary is $PYVERIFY_BUILD/pyverify (the Makefile sets it).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "testdata.h"
#include "vsigstore.h"

#define ID "dev@example.org"
#define ISS "https://issuer.example"

struct out {
	int code;
	char *out, *err;
};

static const char *
binary(void)
{
	static char path[4096];
	const char *b = getenv("PYVERIFY_BUILD");

	snprintf(path, sizeof(path), "%s/pyverify", b && *b ? b : "build");
	return path;
}

static char *
slurp_fd(int fd)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	ssize_t n;

	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len < 2)
			buf = realloc(buf, cap *= 2);
	}
	buf[len] = '\0';
	return buf;
}

/* Runs the binary with argv (NULL-terminated, argv[0] ignored) and
 * environment changes "NAME=value" or "NAME" (unset). */
static struct out
run(const char *const *env, const char *const *argv)
{
	char tmpl_o[] = "/tmp/pvcli-oXXXXXX", tmpl_e[] = "/tmp/pvcli-eXXXXXX";
	int fo = mkstemp(tmpl_o), fe = mkstemp(tmpl_e), st;
	struct out r;
	pid_t pid;

	cr_assert(fo >= 0 && fe >= 0);
	unlink(tmpl_o);
	unlink(tmpl_e);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		const char *args[64];
		size_t i, n = 0;
		for (i = 0; env && env[i]; i++) {
			const char *eq = strchr(env[i], '=');
			if (eq) {
				char name[256];
				snprintf(name, sizeof(name), "%.*s",
				         (int)(eq - env[i]), env[i]);
				setenv(name, eq + 1, 1);
			} else {
				unsetenv(env[i]);
			}
		}
		args[n++] = binary();
		for (i = 1; argv[i] && n < 63; i++)
			args[n++] = argv[i];
		args[n] = NULL;
		dup2(fo, 1);
		dup2(fe, 2);
		execv(binary(), (char *const *)args);
		_exit(127);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	r.code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	r.out = slurp_fd(fo);
	r.err = slurp_fd(fe);
	close(fo);
	close(fe);
	return r;
}

static void
out_free(struct out *r)
{
	free(r->out);
	free(r->err);
}

struct fixture {
	char dir[64];
	char root[128], bundle[128], art[128], home[128];
	char digest[72];
};

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

static void
fixture_init(struct fixture *fx)
{
	struct vs *vs = vs_new();
	struct vs_leaf *leaf;
	json_t *b;
	char *text;
	uint8_t d[32];
	int i;

	snprintf(fx->dir, sizeof(fx->dir), "/tmp/pvcli-XXXXXX");
	cr_assert_not_null(mkdtemp(fx->dir));
	snprintf(fx->root, sizeof(fx->root), "%s/root.json", fx->dir);
	snprintf(fx->bundle, sizeof(fx->bundle), "%s/a.txt.sigstore", fx->dir);
	snprintf(fx->art, sizeof(fx->art), "%s/a.txt", fx->dir);
	snprintf(fx->home, sizeof(fx->home), "%s/home", fx->dir);
	mkdir(fx->home, 0700);
	cr_assert_not_null(vs);
	leaf = vs_leaf_new(vs, NULL);
	cr_assert_not_null(leaf);
	b = vs_sign(vs, leaf, NULL); /* artifact "hello\n" */
	cr_assert_not_null(b);
	text = vs_trust_root_string(vs);
	write_text(fx->root, text);
	free(text);
	text = vs_dump(b);
	write_text(fx->bundle, text);
	free(text);
	write_text(fx->art, "hello\n");
	vs_sha256(d, "hello\n", 6);
	memcpy(fx->digest, "sha256:", 7);
	for (i = 0; i < 32; i++)
		snprintf(fx->digest + 7 + 2 * i, 3, "%02x", d[i]);
	json_decref(b);
	vs_leaf_free(leaf);
	vs_free(vs);
}

static void
fixture_free(struct fixture *fx)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	cr_assert_eq(system(cmd), 0);
}

/* The environment every test starts from: no ambient trusted root. */
#define CLEAN_ENV(home)                                                        \
	"PYVERIFY_TRUSTED_ROOT", "PYVERIFY_STAGING_TRUSTED_ROOT",              \
	    "XDG_DATA_HOME", home

Test(cli, verifies_a_bundle_and_prints_one_ok_line)
{
	struct fixture fx;
	struct out r;
	char home[160];

	fixture_init(&fx);
	snprintf(home, sizeof(home), "HOME=%s", fx.home);
	{
		const char *env[] = { CLEAN_ENV(home), NULL };
		const char *argv[] = { "", "verify-bundle", "--bundle", fx.bundle,
		                       "--certificate-identity", ID,
		                       "--certificate-oidc-issuer", ISS,
		                       "--trusted-root", fx.root, fx.art, NULL };
		r = run(env, argv);
	}
	cr_assert_eq(r.code, 0, "stderr: %s", r.err);
	cr_assert(strncmp(r.out, "OK ", 3) == 0, "%s", r.out);
	cr_assert(strstr(r.out, ID) && strstr(r.out, ISS) &&
	          strstr(r.out, "log index") && strstr(r.out, "2023-11-14T"),
	          "%s", r.out);
	cr_assert_eq(strchr(r.out, '\n'), r.out + strlen(r.out) - 1,
	             "more than one line: %s", r.out);
	out_free(&r);
	fixture_free(&fx);
}

Test(cli, verifies_by_digest_without_the_file)
{
	struct fixture fx;
	struct out r;

	fixture_init(&fx);
	{
		const char *argv[] = { "", "verify-bundle", "--bundle", fx.bundle,
		                       "--certificate-identity", ID,
		                       "--certificate-oidc-issuer", ISS,
		                       "--trusted-root", fx.root, fx.digest, NULL };
		r = run(NULL, argv);
	}
	cr_assert_eq(r.code, 0, "stderr: %s", r.err);
	out_free(&r);
	fixture_free(&fx);
}

Test(cli, a_rejection_exits_1_and_names_the_step)
{
	struct fixture fx;
	struct out r;

	fixture_init(&fx);
	{
		const char *argv[] = { "", "verify-bundle", "--bundle", fx.bundle,
		                       "--certificate-identity", "other@example.org",
		                       "--certificate-oidc-issuer", ISS,
		                       "--trusted-root", fx.root, fx.art, NULL };
		r = run(NULL, argv);
	}
	cr_assert_eq(r.code, 1);
	cr_assert_str_eq(r.out, "");
	cr_assert(strstr(r.err, "FAILED") && strstr(r.err, "[identity]") &&
	          strstr(r.err, "other@example.org") && strstr(r.err, ID),
	          "%s", r.err);
	out_free(&r);
	{
		const char *argv[] = { "", "verify-bundle", "--bundle", fx.bundle,
		                       "--certificate-identity", ID,
		                       "--certificate-oidc-issuer", ISS,
		                       "--trusted-root", fx.root,
		                       "sha256:0000000000000000000000000000000000000000"
		                       "000000000000000000000000", NULL };
		r = run(NULL, argv);
	}
	cr_assert_eq(r.code, 1);
	cr_assert(strstr(r.err, "[tlog-body]"), "%s", r.err);
	out_free(&r);
	fixture_free(&fx);
}

Test(cli, a_malformed_bundle_is_a_rejection)
{
	struct fixture fx;
	struct out r;

	fixture_init(&fx);
	write_text(fx.bundle, "{\"mediaType\": \"application/vnd.dev.sigstore."
	                      "bundle.v0.3+json\", \"verificationMaterial\": {");
	{
		const char *argv[] = { "", "verify-bundle", "--bundle", fx.bundle,
		                       "--certificate-identity", ID,
		                       "--certificate-oidc-issuer", ISS,
		                       "--trusted-root", fx.root, fx.art, NULL };
		r = run(NULL, argv);
	}
	cr_assert_eq(r.code, 1);
	cr_assert(strstr(r.err, "[bundle-format]"), "%s", r.err);
	out_free(&r);
	fixture_free(&fx);
}

Test(cli, usage_errors_and_unreadable_input_exit_2)
{
	struct fixture fx;
	struct out r;
	size_t i;

	fixture_init(&fx);
	const char *cases[][12] = {
		{ "", "verify-bundle", NULL },
		{ "", "verify-bundle", "--bundle", fx.bundle, fx.art, NULL },
		{ "", "verify-bundle", "--bundle", fx.bundle, "--key", fx.root,
		  "--certificate-identity", ID, fx.art, NULL },
		{ "", "verify-bundle", "--bogus", NULL },
		{ "", "verify-bundle", "--bundle", fx.bundle,
		  "--certificate-identity", ID, "--certificate-oidc-issuer", ISS,
		  "--trusted-root", fx.root, "/nonexistent/artifact", NULL },
		{ "", "verify-bundle", "--bundle", "/nonexistent/bundle",
		  "--certificate-identity", ID, "--certificate-oidc-issuer", ISS,
		  "--trusted-root", fx.root, fx.art, NULL },
		{ "", "verify-bundle", "--bundle", fx.bundle,
		  "--certificate-identity", ID, "--certificate-oidc-issuer", ISS,
		  "--trusted-root", "/nonexistent/root.json", fx.art, NULL },
		{ "", NULL },
	};
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = run(NULL, cases[i]);
		cr_expect_eq(r.code, 2, "case %zu exited %d: %s", i, r.code,
		             r.err);
		cr_expect_neq(r.err[0], '\0', "case %zu: silent", i);
		out_free(&r);
	}
	fixture_free(&fx);
}

Test(cli, help_answers_a_new_users_questions)
{
	struct out r;
	const char *argv1[] = { "", "--help", NULL };
	const char *argv2[] = { "", "verify-bundle", "--help", NULL };
	const char *argv3[] = { "", "trust", "--help", NULL };

	r = run(NULL, argv1);
	cr_assert_eq(r.code, 0);
	cr_assert(strstr(r.out, "verify-bundle") && strstr(r.out, "trust"));
	out_free(&r);
	r = run(NULL, argv2);
	cr_assert_eq(r.code, 0);
	cr_assert(strstr(r.out, "--certificate-identity") &&
	          strstr(r.out, "sha256:") && strstr(r.out, "Exit status"));
	out_free(&r);
	r = run(NULL, argv3);
	cr_assert_eq(r.code, 0);
	cr_assert(strstr(r.out, "PYVERIFY_TRUSTED_ROOT") &&
	          strstr(r.out, "/etc/pyverify"));
	out_free(&r);
}

Test(cli, without_a_trusted_root_it_says_how_to_provide_one)
{
	static const char *const system_roots[] = {
		"/etc/pyverify/trusted_root.json",
		PYVERIFY_PREFIX "/share/pyverify/trusted_root.json",
	};
	struct fixture fx;
	struct out r;
	char home[160];
	size_t i;

	/* A root installed system-wide is found (as it should be), so the
	 * message under test cannot appear on this host. */
	for (i = 0; i < sizeof(system_roots) / sizeof(system_roots[0]); i++)
		if (access(system_roots[i], F_OK) == 0)
			cr_skip_test("%s exists on this host: the no-root "
			             "message cannot be provoked", system_roots[i]);
	fixture_init(&fx);
	snprintf(home, sizeof(home), "HOME=%s", fx.home);
	{
		/* Offline, so the test never reaches for Sigstore's TUF
		 * repository; the cache in the fresh HOME is empty. */
		const char *env[] = { CLEAN_ENV(home), "XDG_CACHE_HOME",
		                      "PYVERIFY_OFFLINE=1", NULL };
		const char *argv[] = { "", "verify-bundle", "--bundle", fx.bundle,
		                       "--certificate-identity", ID,
		                       "--certificate-oidc-issuer", ISS, fx.art,
		                       NULL };
		r = run(env, argv);
	}
	cr_assert_eq(r.code, 2, "%s%s", r.out, r.err);
	cr_assert(strstr(r.err, "pyverify trust update") &&
	          strstr(r.err, "pyverify trust import") &&
	          strstr(r.err, "--trusted-root FILE"), "%s", r.err);
	out_free(&r);
	fixture_free(&fx);
}

Test(cli, the_environment_variable_names_the_trusted_root)
{
	struct fixture fx;
	struct out r;
	char env_root[200], home[160];

	fixture_init(&fx);
	snprintf(env_root, sizeof(env_root), "PYVERIFY_TRUSTED_ROOT=%s", fx.root);
	snprintf(home, sizeof(home), "HOME=%s", fx.home);
	{
		const char *env[] = { "XDG_DATA_HOME", home, env_root, NULL };
		const char *argv[] = { "", "verify-bundle", "--bundle", fx.bundle,
		                       "--certificate-identity", ID,
		                       "--certificate-oidc-issuer", ISS, fx.art,
		                       NULL };
		r = run(env, argv);
	}
	cr_assert_eq(r.code, 0, "%s", r.err);
	out_free(&r);
	fixture_free(&fx);
}

Test(cli, trust_import_validates_and_installs_the_root)
{
	struct fixture fx;
	struct out r;
	char home[160], installed[256], broken[160];

	fixture_init(&fx);
	snprintf(home, sizeof(home), "HOME=%s", fx.home);
	snprintf(installed, sizeof(installed),
	         "%s/.local/share/pyverify/trusted_root.json", fx.home);
	snprintf(broken, sizeof(broken), "%s/broken.json", fx.dir);
	write_text(broken, "{\"mediaType\": \"nonsense\"}");
	{
		const char *env[] = { CLEAN_ENV(home), NULL };
		const char *imp_bad[] = { "", "trust", "import", broken, NULL };
		const char *imp[] = { "", "trust", "import", fx.root, NULL };
		const char *show[] = { "", "trust", "show", NULL };
		const char *ver[] = { "", "verify-bundle", "--bundle", fx.bundle,
		                      "--certificate-identity", ID,
		                      "--certificate-oidc-issuer", ISS, fx.art,
		                      NULL };

		r = run(env, imp_bad);
		cr_assert_eq(r.code, 1, "%s", r.err);
		cr_assert(access(installed, F_OK) != 0, "broken root installed");
		out_free(&r);

		r = run(env, imp);
		cr_assert_eq(r.code, 0, "%s", r.err);
		cr_assert(access(installed, R_OK) == 0);
		out_free(&r);

		r = run(env, show);
		cr_assert_eq(r.code, 0, "%s", r.err);
		cr_assert(strstr(r.out, installed), "%s", r.out);
		out_free(&r);

		r = run(env, ver);
		cr_assert_eq(r.code, 0, "%s", r.err);
		out_free(&r);
	}
	fixture_free(&fx);
}

/* Issue 12: loading decodes certificates lazily, but an installed root is
 * checked whole: a certificate framed as DER whose inside is not one is
 * refused by `trust import`, nothing installed. */
Test(cli, trust_import_decodes_every_certificate)
{
	struct fixture fx;
	struct out r;
	char home[160], installed[256], bad[160];
	json_t *j, *c;
	json_error_t je;

	fixture_init(&fx);
	snprintf(home, sizeof(home), "HOME=%s", fx.home);
	snprintf(installed, sizeof(installed),
	         "%s/.local/share/pyverify/trusted_root.json", fx.home);
	snprintf(bad, sizeof(bad), "%s/bad-cert.json", fx.dir);
	j = json_load_file(fx.root, 0, &je);
	cr_assert_not_null(j, "%s", je.text);
	c = json_array_get(json_object_get(json_object_get(json_array_get(
	                       json_object_get(j, "certificateAuthorities"), 0),
	                       "certChain"), "certificates"), 0);
	cr_assert_not_null(c);
	/* SEQUENCE { SEQUENCE { INTEGER 0 }, SEQUENCE {}, BIT STRING {} } */
	json_object_set_new(c, "rawBytes", json_string("MAowAwIBADAAAwEA"));
	cr_assert_eq(json_dump_file(j, bad, 0), 0);
	json_decref(j);
	{
		const char *env[] = { CLEAN_ENV(home), NULL };
		const char *imp[] = { "", "trust", "import", bad, NULL };

		r = run(env, imp);
		cr_assert_eq(r.code, 1, "%s", r.err);
		cr_assert(strstr(r.err, "certificateAuthorities[0].certChain."
		                        "certificates[0].rawBytes is not one "
		                        "DER X.509 certificate"), "%s", r.err);
		cr_assert(access(installed, F_OK) != 0, "bad root installed");
		out_free(&r);
	}
	fixture_free(&fx);
}

/* A _fail case counts as passed only when the bundle was read and refused
 * by verification: exit 1 with the one FAILED line naming the step (a
 * malformed bundle, trusted root or key that was read is such a refusal,
 * at [bundle-format], [trust-root] or [key]). Exit 2 is unreadable input
 * or a usage error (a missing bundle, a typo in the harness): no verdict
 * at all, so a mismatch. */
static int
cli_rejected(const struct out *r)
{
	return r->code == 1 && strncmp(r->err, "FAILED ", 7) == 0 &&
	       strstr(r->err, ": [") != NULL && r->out[0] == '\0';
}

/* Runs every case directory of `cases` through the binary, with the
 * artifact file and with its digest; counts (and logs) the runs that
 * disagree with the case's expectation (a name ending in _fail must be
 * rejected, any other must verify). */
static size_t
run_cli_cases(const char *cases, size_t *runs, FILE *log)
{
	DIR *d;
	struct dirent *de;
	size_t mismatches = 0;

	d = opendir(cases);
	cr_assert_not_null(d, "cannot open %s", cases);
	while ((de = readdir(d)) != NULL) {
		char dir[2048], bundle[2300], root[2300], art[2300], key[2300];
		char idf[2300], issf[2300], digest[80];
		char *ident, *iss;
		size_t len = strlen(de->d_name);
		int want_fail, mode;
		struct out r;

		if (de->d_name[0] == '.')
			continue;
		want_fail = len > 5 && strcmp(de->d_name + len - 5, "_fail") == 0;
		snprintf(dir, sizeof(dir), "%s/%s", cases, de->d_name);
		snprintf(bundle, sizeof(bundle), "%s/bundle.sigstore.json", dir);
		snprintf(root, sizeof(root), "%s/trusted_root.json", dir);
		if (!td_exists(root))
			snprintf(root, sizeof(root), "%s",
			         td_path("sigstore/production.trusted_root.json"));
		snprintf(art, sizeof(art), "%s/artifact", dir);
		if (!td_exists(art))
			snprintf(art, sizeof(art), "%s",
			         td_path("conformance/a.txt"));
		snprintf(key, sizeof(key), "%s/key.pub", dir);
		snprintf(idf, sizeof(idf), "%s/identity", dir);
		snprintf(issf, sizeof(issf), "%s/issuer", dir);
		ident = td_read_line(idf);
		iss = td_read_line(issf);
		{
			/* The digest from an independent tool (coreutils),
			 * not from the library under test. */
			char cmd[2400];
			FILE *p;
			snprintf(cmd, sizeof(cmd), "sha256sum '%s'", art);
			p = popen(cmd, "r");
			cr_assert_not_null(p);
			memcpy(digest, "sha256:", 7);
			cr_assert_not_null(fgets(digest + 7, 65, p));
			pclose(p);
		}
		for (mode = 0; mode < 2; mode++) {
			const char *subject = mode ? digest : art;
			if (td_exists(key)) {
				const char *argv[] = { "", "verify-bundle", "--bundle",
				                       bundle, "--key", key,
				                       "--trusted-root", root,
				                       subject, NULL };
				r = run(NULL, argv);
			} else {
				const char *argv[] = {
					"", "verify-bundle", "--bundle", bundle,
					"--certificate-identity",
					ident ? ident
					      : "https://github.com/sigstore-"
					        "conformance/extremely-dangerous-"
					        "public-oidc-beacon/.github/"
					        "workflows/extremely-dangerous-"
					        "oidc-beacon.yml@refs/heads/main",
					"--certificate-oidc-issuer",
					iss ? iss
					    : "https://token.actions."
					      "githubusercontent.com",
					"--trusted-root", root, subject, NULL
				};
				r = run(NULL, argv);
			}
			(*runs)++;
			if (want_fail ? !cli_rejected(&r) : r.code != 0) {
				mismatches++;
				if (log != NULL)
					fprintf(log, "FAIL %s (%s): exit %d: "
					        "%s%s\n", de->d_name,
					        mode ? "digest" : "file", r.code,
					        r.out, r.err);
			}
			out_free(&r);
		}
		free(ident);
		free(iss);
	}
	closedir(d);
	return mismatches;
}

/* The Sigstore conformance suite drives clients through exactly this
 * protocol; here every case of ../shared runs through the binary, with the
 * artifact file and with its digest. */
Test(cli, every_conformance_case_through_the_cli_protocol)
{
	char cases[4096];
	size_t mismatches, runs = 0;

	if (td_dir() == NULL)
		cr_skip_test("../shared/testdata is absent: no conformance cases");
	/* td_path's buffer is reused by the runner's own calls. */
	snprintf(cases, sizeof(cases), "%s", td_path("conformance/cases"));
	mismatches = run_cli_cases(cases, &runs, stderr);
	cr_assert_gt(runs, 0);
	cr_assert_eq(mismatches, 0, "%zu of %zu CLI runs disagree", mismatches,
	             runs);
}

/* The runner above must be able to fail: a _fail case whose bundle file is
 * missing exits 2 (unreadable input) and is no rejection, while a real
 * rejection and a real verification agree with their names. */
Test(cli, the_conformance_runner_does_not_count_an_unreadable_bundle)
{
	struct fixture fx;
	static const char *const names[] = { "verifies", "wrong-signer_fail",
		                             "no-bundle_fail" };
	char cases[128], dir[192], path[256];
	char *root_text, *bundle_text;
	size_t i, runs = 0, mismatches;

	fixture_init(&fx);
	root_text = td_read(fx.root, NULL);
	bundle_text = td_read(fx.bundle, NULL);
	cr_assert(root_text != NULL && bundle_text != NULL);
	snprintf(cases, sizeof(cases), "%s/cases", fx.dir);
	cr_assert_eq(mkdir(cases, 0700), 0);
	for (i = 0; i < 3; i++) {
		snprintf(dir, sizeof(dir), "%s/%s", cases, names[i]);
		cr_assert_eq(mkdir(dir, 0700), 0);
		snprintf(path, sizeof(path), "%s/trusted_root.json", dir);
		write_text(path, root_text);
		snprintf(path, sizeof(path), "%s/artifact", dir);
		write_text(path, "hello\n");
		snprintf(path, sizeof(path), "%s/identity", dir);
		write_text(path, i == 1 ? "other@example.org\n" : ID "\n");
		snprintf(path, sizeof(path), "%s/issuer", dir);
		write_text(path, ISS "\n");
		if (i < 2) {
			snprintf(path, sizeof(path), "%s/bundle.sigstore.json",
			         dir);
			write_text(path, bundle_text);
		}
	}
	mismatches = run_cli_cases(cases, &runs, NULL);
	cr_assert_eq(runs, 6);
	cr_assert_eq(mismatches, 2, "only no-bundle_fail (file and digest) "
	             "disagrees, got %zu mismatches", mismatches);
	free(root_text);
	free(bundle_text);
	fixture_free(&fx);
}

Test(cli, min_verified_times_is_enforced_and_validated)
{
	struct fixture fx;
	struct out r;

	fixture_init(&fx);
	{
		const char *argv[] = { "", "verify-bundle", "--bundle", fx.bundle,
		                       "--certificate-identity", ID,
		                       "--certificate-oidc-issuer", ISS,
		                       "--trusted-root", fx.root,
		                       "--min-verified-times", "2", fx.art, NULL };
		r = run(NULL, argv);
	}
	/* One inclusion promise, no timestamp: one verified time. */
	cr_assert_eq(r.code, 1, "%s", r.err);
	cr_assert(strstr(r.err, "[timestamp]"), "%s", r.err);
	out_free(&r);
	{
		const char *argv[] = { "", "verify-bundle", "--bundle", fx.bundle,
		                       "--certificate-identity", ID,
		                       "--certificate-oidc-issuer", ISS,
		                       "--trusted-root", fx.root,
		                       "--min-verified-times", "0", fx.art, NULL };
		r = run(NULL, argv);
	}
	cr_assert_eq(r.code, 2, "%s", r.err);
	out_free(&r);
	fixture_free(&fx);
}

/* ---- hostile names and contents ------------------------------------------ */

/* Number of '\n' in s. */
static size_t
newlines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* 1 if some line of s starts with prefix. */
static int
has_line(const char *s, const char *prefix)
{
	size_t len = strlen(prefix);

	for (;;) {
		if (strncmp(s, prefix, len) == 0)
			return 1;
		s = strchr(s, '\n');
		if (s == NULL)
			return 0;
		s++;
	}
}

/* An artifact named with a newline and an escape sequence cannot forge
 * an OK line, split the verdict or reach the terminal, on success or on
 * rejection. */
Test(cli, verdict_lines_neutralise_controls_in_file_names)
{
	struct fixture fx;
	struct out r;
	char art[256];

	fixture_init(&fx);
	snprintf(art, sizeof(art), "%s/a\nOK forged.txt: signed by "
	         "boss@example.org\x1b[2J", fx.dir);
	write_text(art, "hello\n");
	{
		const char *argv[] = { "", "verify-bundle", "--bundle", fx.bundle,
		                       "--certificate-identity", ID,
		                       "--certificate-oidc-issuer", ISS,
		                       "--trusted-root", fx.root, art, NULL };
		r = run(NULL, argv);
	}
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_eq(newlines(r.out), 1, "one line: %s", r.out);
	cr_assert_null(strchr(r.out, '\x1b'), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "/a?OK forged.txt"), "%s", r.out);
	out_free(&r);
	{
		const char *argv[] = { "", "verify-bundle", "--bundle", fx.bundle,
		                       "--certificate-identity",
		                       "other@example.org",
		                       "--certificate-oidc-issuer", ISS,
		                       "--trusted-root", fx.root, art, NULL };
		r = run(NULL, argv);
	}
	cr_assert_eq(r.code, 1, "%s", r.err);
	cr_assert_str_eq(r.out, "");
	cr_assert_eq(newlines(r.err), 1, "one line: %s", r.err);
	cr_assert(!has_line(r.err, "OK"), "forged OK line: %s", r.err);
	cr_assert_null(strchr(r.err, '\x1b'), "%s", r.err);
	out_free(&r);
	/* A bundle path that cannot be read: the library's message quotes
	 * it, and the CLI prints it cleaned too. */
	{
		const char *argv[] = { "", "verify-bundle", "--bundle",
		                       "/nonexistent/x\nOK y\x1b[2J",
		                       "--certificate-identity", ID,
		                       "--certificate-oidc-issuer", ISS,
		                       "--trusted-root", fx.root, fx.art, NULL };
		r = run(NULL, argv);
	}
	cr_assert_eq(r.code, 2, "%s", r.err);
	cr_assert_eq(newlines(r.err), 1, "one line: %s", r.err);
	cr_assert(!has_line(r.err, "OK"), "forged OK line: %s", r.err);
	cr_assert_null(strchr(r.err, '\x1b'), "%s", r.err);
	out_free(&r);
	fixture_free(&fx);
}

/* The identity and issuer come from the signing certificate, whose SAN may
 * hold any IA5 byte: the OK line (and the rejection that quotes them)
 * stays one clean line. */
Test(cli, certificate_identities_are_printed_neutralised)
{
	static const char evil_id[] = "dev@example.org\nOK x: signed by "
	                              "boss@example.org\x1b]0;owned\x07";
	static const char evil_iss[] = "https://issuer.example/\x1b[31m\xc2\x9b";
	struct fixture fx;
	struct vs *vs = vs_new();
	struct vs_leaf_opts lo = { 0 };
	struct vs_leaf *leaf;
	struct out r;
	char root[160], bundle[160], *text;
	json_t *b;

	fixture_init(&fx);
	cr_assert_not_null(vs);
	lo.identity = evil_id;
	lo.issuer = evil_iss;
	leaf = vs_leaf_new(vs, &lo);
	cr_assert_not_null(leaf);
	b = vs_sign(vs, leaf, NULL);
	cr_assert_not_null(b);
	snprintf(root, sizeof(root), "%s/evil-root.json", fx.dir);
	snprintf(bundle, sizeof(bundle), "%s/evil.sigstore", fx.dir);
	text = vs_trust_root_string(vs);
	write_text(root, text);
	free(text);
	text = vs_dump(b);
	write_text(bundle, text);
	free(text);
	{
		const char *argv[] = { "", "verify-bundle", "--bundle", bundle,
		                       "--certificate-identity", evil_id,
		                       "--certificate-oidc-issuer", evil_iss,
		                       "--trusted-root", root, fx.art, NULL };
		r = run(NULL, argv);
	}
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_eq(newlines(r.out), 1, "one line: %s", r.out);
	cr_assert_null(strchr(r.out, '\x1b'), "%s", r.out);
	cr_assert_null(strchr(r.out, '\x07'), "%s", r.out);
	cr_assert_null(strstr(r.out, "\xc2\x9b"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "dev@example.org?OK x"), "%s", r.out);
	out_free(&r);
	{
		const char *argv[] = { "", "verify-bundle", "--bundle", bundle,
		                       "--certificate-identity", ID,
		                       "--certificate-oidc-issuer", ISS,
		                       "--trusted-root", root, fx.art, NULL };
		r = run(NULL, argv);
	}
	cr_assert_eq(r.code, 1, "%s", r.err);
	cr_assert_eq(newlines(r.err), 1, "one line: %s", r.err);
	cr_assert(!has_line(r.err, "OK"), "%s", r.err);
	cr_assert_null(strchr(r.err, '\x1b'), "%s", r.err);
	cr_assert_null(strstr(r.err, "\xc2\x9b"), "%s", r.err);
	out_free(&r);
	json_decref(b);
	vs_leaf_free(leaf);
	vs_free(vs);
	fixture_free(&fx);
}

/* A text file given as the bundle or the trusted root (a key, a password
 * file) is refused at the right step, saying where and what kind of error,
 * without echoing any of its bytes. */
Test(cli, a_file_that_is_not_json_is_not_echoed)
{
	struct fixture fx;
	struct out r;
	char secret[160];

	fixture_init(&fx);
	snprintf(secret, sizeof(secret), "%s/secret.txt", fx.dir);
	write_text(secret, "topsecret and more\n");
	{
		const char *argv[] = { "", "verify-bundle", "--bundle", secret,
		                       "--certificate-identity", ID,
		                       "--certificate-oidc-issuer", ISS,
		                       "--trusted-root", fx.root, fx.art, NULL };
		r = run(NULL, argv);
	}
	cr_assert_eq(r.code, 1, "%s", r.err);
	cr_assert(strstr(r.err, "[bundle-format]") &&
	          strstr(r.err, "not valid JSON") &&
	          strstr(r.err, "line 1, column"), "%s", r.err);
	cr_assert_null(strstr(r.err, "topsecret"), "echoed: %s", r.err);
	out_free(&r);
	{
		const char *argv[] = { "", "verify-bundle", "--bundle", fx.bundle,
		                       "--certificate-identity", ID,
		                       "--certificate-oidc-issuer", ISS,
		                       "--trusted-root", secret, fx.art, NULL };
		r = run(NULL, argv);
	}
	/* Read and refused: a rejection, like a malformed bundle. */
	cr_assert_eq(r.code, 1, "%s", r.err);
	cr_assert(strstr(r.err, "[trust-root]") &&
	          strstr(r.err, "not valid JSON") &&
	          strstr(r.err, "secret.txt"), "%s", r.err);
	cr_assert_null(strstr(r.err, "topsecret"), "echoed: %s", r.err);
	out_free(&r);
	{
		const char *argv[] = { "", "verify-bundle", "--bundle", fx.bundle,
		                       "--key", secret, "--trusted-root", fx.root,
		                       fx.art, NULL };
		r = run(NULL, argv);
	}
	cr_assert_eq(r.code, 1, "%s", r.err);
	cr_assert(strstr(r.err, "[key]") && strstr(r.err, "secret.txt"),
	          "%s", r.err);
	cr_assert_null(strstr(r.err, "topsecret"), "echoed: %s", r.err);
	out_free(&r);
	fixture_free(&fx);
}

/* `trust import` names the file it was given; a name with a newline and an
 * escape sequence stays one clean line. */
Test(cli, trust_messages_neutralise_controls_in_paths)
{
	struct fixture fx;
	struct out r;
	char home[160], evil[200];

	fixture_init(&fx);
	snprintf(home, sizeof(home), "HOME=%s", fx.home);
	snprintf(evil, sizeof(evil), "%s/none\ninstalled x\x1b[2J", fx.dir);
	{
		const char *env[] = { CLEAN_ENV(home), NULL };
		const char *argv[] = { "", "trust", "import", evil, NULL };
		r = run(env, argv);
	}
	cr_assert_eq(r.code, 2, "%s", r.err);
	cr_assert_eq(newlines(r.err), 1, "one line: %s", r.err);
	cr_assert(!has_line(r.err, "installed"), "%s", r.err);
	cr_assert_null(strchr(r.err, '\x1b'), "%s", r.err);
	out_free(&r);
	fixture_free(&fx);
}
