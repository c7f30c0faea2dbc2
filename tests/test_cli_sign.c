/* test_cli_sign.c - `pyverify sign` and `pyverify attest` run as a user
 * runs them, against the loopback fake Sigstore (fake_sigstore.h), with
 * --trusted-root and --signing-config of the fakes; every bundle written
 * is checked with `pyverify verify-bundle`. */
#define _GNU_SOURCE /* asprintf */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "cli_fx.h"
#include "fake_sigstore.h"

TestSuite(cli_sign, .timeout = 120);

static struct fss *S;
static char D[64];
static char *ROOT, *CONF1, *CONF2, *TOKEN_ARG, *A, *B;

static char *
put(const char *name, const char *text)
{
	char *p = cfx_pathf("%s/%s", D, name);
	cfx_write_text(p, text);
	return p;
}

static void
setup(void)
{
	char *t, *tok;

	unsetenv("SIGSTORE_ID_TOKEN");
	unsetenv("ACTIONS_ID_TOKEN_REQUEST_URL");
	unsetenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
	unsetenv("DISPLAY");
	unsetenv("WAYLAND_DISPLAY");
	snprintf(D, sizeof(D), "/tmp/pv-sign-XXXXXX");
	cr_assert_not_null(mkdtemp(D));
	S = fss_start();
	t = fss_trust_root_json(S);
	ROOT = put("trusted_root.json", t);
	free(t);
	t = fss_signing_config(S, 1, 1);
	CONF1 = put("signing_config_v1.json", t);
	free(t);
	t = fss_signing_config(S, 2, 1);
	CONF2 = put("signing_config_v2.json", t);
	free(t);
	tok = fss_token(S, NULL);
	t = put("token", tok);
	free(tok);
	TOKEN_ARG = cfx_pathf("@%s", t);
	free(t);
	A = put("Python-3.14.0.tgz", "source tarball\n");
	B = put("Python-3.14.0.tar.xz", "another archive\n");
}

static void
teardown(void)
{
	fss_stop(S);
	cfx_rm_rf(D);
	free(ROOT);
	free(CONF1);
	free(CONF2);
	free(TOKEN_ARG);
	free(A);
	free(B);
}

/* The environment of every run: no user cache or data directory, no
 * network for trust. */
static const char *const *
env(void)
{
	static char cache[128], data[128];
	static const char *e[4];

	snprintf(cache, sizeof(cache), "XDG_CACHE_HOME=%s/cache", D);
	snprintf(data, sizeof(data), "XDG_DATA_HOME=%s/data", D);
	e[0] = cache;
	e[1] = data;
	e[2] = "PYVERIFY_OFFLINE=1";
	e[3] = NULL;
	return e;
}

#define RUN(...)                                                               \
	cfx_run(D, env(),                                                      \
	        (const char *const[]){ cfx_bin("pyverify"), __VA_ARGS__,       \
	                               NULL },                                 \
	        60)

static int
exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

static void
verify_keyless(const char *file, const char *bundle)
{
	struct cfx_run r = RUN("verify-bundle", "--bundle", bundle,
	                       "--certificate-identity", "dev@example.org",
	                       "--certificate-oidc-issuer", fss_oidc_issuer(S),
	                       "--trusted-root", ROOT, file);
	cr_assert_eq(r.status, 0, "verify-bundle %s: %s%s", bundle, r.out,
	             r.err);
	cfx_run_free(&r);
}

static void
sign_two_and_verify(const char *conf, const char *rekor_path)
{
	char *ba = cfx_pathf("%s.sigstore", A), *bb = cfx_pathf("%s.sigstore", B);
	char *want = cfx_pathf("signing as dev@example.org (issuer %s)",
	                       fss_oidc_issuer(S));
	struct cfx_run r = RUN("sign", "--trusted-root", ROOT,
	                       "--signing-config", conf, "--identity-token",
	                       TOKEN_ARG, A, B);

	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.out, want), "%s", r.out);
	cfx_run_free(&r);
	/* One certificate for the release, one log entry per file. */
	cr_assert_eq(fss_count(S, FSS_PATH_FULCIO), 1);
	cr_assert_geq(fss_count(S, rekor_path), 2);
	verify_keyless(A, ba);
	verify_keyless(B, bb);
	/* A bundle is for its own file only. */
	r = RUN("verify-bundle", "--bundle", ba, "--certificate-identity",
	        "dev@example.org", "--certificate-oidc-issuer",
	        fss_oidc_issuer(S), "--trusted-root", ROOT, B);
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	cfx_run_free(&r);
	free(ba);
	free(bb);
	free(want);
}

Test(cli_sign, two_files_rekor_v1, .init = setup, .fini = teardown)
{
	sign_two_and_verify(CONF1, FSS_PATH_REKOR1);
}

Test(cli_sign, two_files_rekor_v2, .init = setup, .fini = teardown)
{
	sign_two_and_verify(CONF2, FSS_PATH_REKOR2);
	cr_assert_geq(fss_count(S, FSS_PATH_TSA), 2, "v2 needs timestamps");
}

Test(cli_sign, managed_key, .init = setup, .fini = teardown)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	char *priv = cfx_pathf("%s/release.key.pem", D);
	char *pub = cfx_pathf("%s/release.pub.pem", D);
	char *ba = cfx_pathf("%s.sigstore", A);
	struct cfx_run r;
	FILE *f;

	cr_assert_not_null(k);
	f = fopen(priv, "w");
	cr_assert(f && PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL));
	fclose(f);
	f = fopen(pub, "w");
	cr_assert(f && PEM_write_PUBKEY(f, k));
	fclose(f);
	EVP_PKEY_free(k);

	r = RUN("sign", "--trusted-root", ROOT, "--signing-config", CONF1,
	        "--key", priv, A);
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.out, "signing with the key in"), "%s",
	                   r.out);
	cfx_run_free(&r);
	cr_assert_eq(fss_count(S, "/fulcio"), 0, "no certificate with a key");
	cr_assert_eq(fss_count(S, "/oidc"), 0, "no sign-in with a key");
	r = RUN("verify-bundle", "--bundle", ba, "--key", pub,
	        "--trusted-root", ROOT, A);
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cfx_run_free(&r);
	free(priv);
	free(pub);
	free(ba);
}

Test(cli_sign, existing_bundle_kept, .init = setup, .fini = teardown)
{
	char *ba = cfx_pathf("%s.sigstore", A), *bb = cfx_pathf("%s.sigstore", B);
	struct cfx_run r;
	uint8_t *buf;
	size_t len;
	FILE *f;

	cfx_write_text(bb, "an older bundle\n");
	r = RUN("sign", "--trusted-root", ROOT, "--signing-config", CONF1,
	        "--identity-token", TOKEN_ARG, A, B);
	cr_assert_eq(r.status, 2, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.err, "--overwrite"), "%s", r.err);
	cfx_run_free(&r);
	cr_assert(!exists(ba), "nothing is written for any file");
	cr_assert_eq(fss_count(S, "/"), 0, "nothing is signed");
	f = fopen(bb, "r");
	cr_assert_not_null(f);
	buf = calloc(1, 64);
	len = fread(buf, 1, 63, f);
	fclose(f);
	cr_assert_str_eq((char *)buf, "an older bundle\n", "%zu", len);
	free(buf);

	r = RUN("sign", "--trusted-root", ROOT, "--signing-config", CONF1,
	        "--identity-token", TOKEN_ARG, "--overwrite", A, B);
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cfx_run_free(&r);
	verify_keyless(A, ba);
	verify_keyless(B, bb);
	free(ba);
	free(bb);
}

Test(cli_sign, dry_run_writes_nothing, .init = setup, .fini = teardown)
{
	char *ba = cfx_pathf("%s.sigstore", A);
	struct cfx_run r = RUN("sign", "--trusted-root", ROOT,
	                       "--signing-config", CONF2, "--identity-token",
	                       TOKEN_ARG, "--dry-run", A);

	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.out, "dev@example.org"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, fss_fulcio_url(S)), "%s", r.out);
	cr_assert_not_null(strstr(r.out, fss_rekor2_url(S)), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "Rekor (v2)"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, fss_tsa_url(S)), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "would write"), "%s", r.out);
	cfx_run_free(&r);
	cr_assert(!exists(ba));
	cr_assert_eq(fss_count(S, "/"), 0, "no service is called");
	free(ba);
}

/* A dry run makes no --output-dir; --tsa-url asks for a timestamp with
 * Rekor v1 too; a signing config that does not parse is named. */
Test(cli_sign, dry_run_makes_no_directory_and_tsa_url_is_used,
     .init = setup, .fini = teardown)
{
	char *dir = cfx_pathf("%s.out", A), *bad = put("bad-config.json", "[1]");
	struct cfx_run r = RUN("sign", "--trusted-root", ROOT,
	                       "--signing-config", CONF1, "--identity-token",
	                       TOKEN_ARG, "--tsa-url", fss_tsa_url(S),
	                       "--output-dir", dir, "--dry-run", A);

	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.out, fss_tsa_url(S)), "%s", r.out);
	cfx_run_free(&r);
	cr_assert(!exists(dir), "a dry run made %s", dir);
	r = RUN("sign", "--trusted-root", ROOT, "--signing-config", bad,
	        "--identity-token", TOKEN_ARG, "--dry-run", A);
	cr_assert_eq(r.status, 2, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.err, "signing config "), "%s", r.err);
	cr_assert_not_null(strstr(r.err, bad), "the file is named: %s", r.err);
	cfx_run_free(&r);
	free(dir);
	free(bad);
}

Test(cli_sign, fulcio_failure, .init = setup, .fini = teardown)
{
	char *ba = cfx_pathf("%s.sigstore", A), *bb = cfx_pathf("%s.sigstore", B);
	struct cfx_run r;

	fss_fault(S, FSS_FULCIO_400);
	r = RUN("sign", "--trusted-root", ROOT, "--signing-config", CONF1,
	        "--identity-token", TOKEN_ARG, A, B);
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.err, "pyverify sign: fulcio:"), "%s",
	                   r.err);
	cr_assert_not_null(strstr(r.err, "refused"), "the service's own "
	                   "message: %s", r.err);
	cfx_run_free(&r);
	cr_assert(!exists(ba) && !exists(bb));
	cr_assert_eq(fss_count(S, "/rekor1"), 0);
	free(ba);
	free(bb);
}

Test(cli_sign, attest_round_trip, .init = setup, .fini = teardown)
{
	char *pred = put("provenance.json",
	                 "{\"buildDefinition\":{\"buildType\":"
	                 "\"https://example.org/release\"}}");
	char *ba = cfx_pathf("%s.intoto.sigstore", A);
	char *bb = cfx_pathf("%s.intoto.sigstore", B);
	struct cfx_run r = RUN("attest", "--predicate-type",
	                       "https://slsa.dev/provenance/v1", "--predicate",
	                       pred, "--trusted-root", ROOT,
	                       "--signing-config", CONF1, "--identity-token",
	                       TOKEN_ARG, A, B);

	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cfx_run_free(&r);
	verify_keyless(A, ba);
	verify_keyless(B, bb);

	/* A predicate that is not a JSON object is refused before any
	 * service is asked. */
	fss_clear_log(S);
	cfx_write_text(pred, "[1, 2]");
	r = RUN("attest", "--predicate-type", "https://slsa.dev/provenance/v1",
	        "--predicate", pred, "--trusted-root", ROOT,
	        "--signing-config", CONF1, "--identity-token", TOKEN_ARG,
	        "--overwrite", A);
	cr_assert_eq(r.status, 2, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.err, "not a JSON object"), "%s", r.err);
	cfx_run_free(&r);
	cr_assert_eq(fss_count(S, "/"), 0);
	free(pred);
	free(ba);
	free(bb);
}

Test(cli_sign, help_and_usage, .init = setup, .fini = teardown)
{
	struct cfx_run r = RUN("sign", "--help");

	cr_assert_eq(r.status, 0);
	cr_assert_not_null(strstr(r.out, "--identity-token"));
	cr_assert_not_null(strstr(r.out, "--oauth-out-of-band"));
	cr_assert_not_null(strstr(r.out, "Exit status"));
	cfx_run_free(&r);
	r = RUN("attest", "--help");
	cr_assert_eq(r.status, 0);
	cr_assert_not_null(strstr(r.out, "--predicate-type"));
	cr_assert_not_null(strstr(r.out, ".intoto.sigstore"));
	cfx_run_free(&r);
	r = RUN("sign", "--bundle", "x.sigstore", A, B);
	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "one FILE"), "%s", r.err);
	cfx_run_free(&r);
	r = RUN("--help");
	cr_assert_eq(r.status, 0);
	cr_assert_not_null(strstr(r.out, "sign "));
	cr_assert_not_null(strstr(r.out, "attest "));
	cfx_run_free(&r);
}

/* ---- out of band through standard input ---------------------------------- */

Test(cli_sign, out_of_band_stdin, .init = setup, .fini = teardown)
{
	char *ba = cfx_pathf("%s.sigstore", A), *code, *url, *line;
	char errbuf[16384];
	size_t elen = 0;
	int in[2], err[2], status = -1;
	time_t until = time(NULL) + 60;
	pid_t pid;

	cr_assert_eq(pipe(in), 0);
	cr_assert_eq(pipe(err), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		const char *const *e = env();
		int null = open("/dev/null", O_WRONLY);
		dup2(in[0], 0);
		dup2(err[1], 2);
		dup2(null, 1);
		close(in[1]);
		close(err[0]);
		for (size_t i = 0; e[i] != NULL; i++)
			putenv((char *)e[i]);
		execl(cfx_bin("pyverify"), "pyverify", "sign",
		      "--trusted-root", ROOT, "--signing-config", CONF1,
		      "--oauth-out-of-band", A, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(err[1]);
	/* Read stderr until the sign-in URL is shown. */
	url = NULL;
	while (url == NULL && time(NULL) < until) {
		struct pollfd p = { .fd = err[0], .events = POLLIN };
		ssize_t got;
		if (poll(&p, 1, 1000) <= 0)
			continue;
		got = read(err[0], errbuf + elen, sizeof(errbuf) - 1 - elen);
		if (got <= 0)
			break;
		elen += (size_t)got;
		errbuf[elen] = '\0';
		line = strstr(errbuf, "    http");
		if (line != NULL && strchr(line + 4, '\n') != NULL) {
			url = strndup(line + 4, strcspn(line + 4, "\n"));
		}
	}
	cr_assert_not_null(url, "no sign-in URL shown: %s", errbuf);
	code = fss_oob_code(url);
	cr_assert_not_null(code, "the provider showed no code");
	cr_assert(write(in[1], code, strlen(code)) > 0);
	cr_assert(write(in[1], "\n", 1) == 1);
	close(in[1]);
	while (waitpid(pid, &status, WNOHANG) == 0 && time(NULL) < until) {
		char sink[4096];
		struct pollfd p = { .fd = err[0], .events = POLLIN };
		if (poll(&p, 1, 200) > 0 && read(err[0], sink, sizeof(sink)) <= 0)
			usleep(10000);
	}
	if (!WIFEXITED(status)) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	close(err[0]);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	          "exit %d: %s", status, errbuf);
	verify_keyless(A, ba);
	free(url);
	free(code);
	free(ba);
}
