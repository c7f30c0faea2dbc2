/*
 * test_server.c - integration tests of pyverifyd (issue #5): each test
 * starts $PYVERIFY_BUILD/pyverifyd on an ephemeral loopback port (it prints
 * "listening on 127.0.0.1:PORT") with a trusted root and bundles minted by
 * the virtual Sigstore, and talks to it with libcurl. Only 127.0.0.1.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <jansson.h>

#include "testdata.h"
#include "vsigstore.h"

#define ARTIFACT_NAME "Python-3.14.0.tgz"
#define TOKEN "test-token-0123456789abcdef"
#define ADMIN_TOKEN "admin-token-0123456789abcdef"

struct fx {
	char dir[64];
	char root[512], policy[128], tokens[128], admin[128], log[128];
	struct vs *vs;
	struct vs_leaf *leaf;
	json_t *bundle;
	char digest[72];
	pid_t pid;
	int port;
};

struct resp {
	long code;
	char *body;
	size_t len;
	json_t *json;
};

static void
write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	FILE *f;

	unlink(path);
	f = fopen(path, "wb");
	cr_assert_not_null(f, "cannot write %s", path);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	fclose(f);
	cr_assert_eq(chmod(path, mode), 0);
}

static void
write_str(const char *path, const char *s)
{
	write_file(path, s, strlen(s), 0644);
}

static const char *policy_json =
	"{\"schema\":\"pyverify.cpython-policy/1\",\"series\":[{\"series\":"
	"\"3.14\",\"identities\":[{\"identity\":\"dev@example.org\",\"issuer\":"
	"\"https://issuer.example\"}],\"first_sigstore\":\"3.14.0a1\","
	"\"pgp\":false}]}";

static void
digest_of(char out[72], const void *data, size_t len)
{
	uint8_t d[32];
	int i;

	vs_sha256(d, data, len);
	memcpy(out, "sha256:", 7);
	for (i = 0; i < 32; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", d[i]);
}

static void
fx_init(struct fx *f)
{
	char *root;

	memset(f, 0, sizeof(*f));
	f->pid = -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/pvd-test-XXXXXX");
	cr_assert_not_null(mkdtemp(f->dir));
	snprintf(f->root, sizeof(f->root), "%s/trusted_root.json", f->dir);
	snprintf(f->policy, sizeof(f->policy), "%s/policy.json", f->dir);
	snprintf(f->tokens, sizeof(f->tokens), "%s/tokens", f->dir);
	snprintf(f->admin, sizeof(f->admin), "%s/admin-tokens", f->dir);
	snprintf(f->log, sizeof(f->log), "%s/server.log", f->dir);
	f->vs = vs_new();
	cr_assert_not_null(f->vs);
	f->leaf = vs_leaf_new(f->vs, NULL);
	cr_assert_not_null(f->leaf);
	f->bundle = vs_sign(f->vs, f->leaf, NULL);
	cr_assert_not_null(f->bundle);
	digest_of(f->digest, "hello\n", 6);
	root = vs_trust_root_string(f->vs);
	write_str(f->root, root);
	free(root);
	write_str(f->policy, policy_json);
	write_file(f->tokens, "# CI\n" TOKEN "\n", strlen(TOKEN) + 6, 0600);
	write_file(f->admin, ADMIN_TOKEN "\n", strlen(ADMIN_TOKEN) + 1, 0600);
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static const char *
server_path(void)
{
	static char p[512];
	const char *b = getenv("PYVERIFY_BUILD");

	snprintf(p, sizeof(p), "%s/pyverifyd", b && b[0] ? b : "build");
	return p;
}

/* Starts the server with the fixture's files plus extra (NULL-terminated).
 * Returns 0 when it listens, -1 when it exited (f->pid reaped, status in
 * *status). */
static int
fx_start_status(struct fx *f, const char *const *extra, int *status)
{
	const char *argv[48];
	int out[2], n = 0, i, logfd;
	char buf[256];
	size_t got = 0;

	argv[n++] = server_path();
	argv[n++] = "--listen";
	argv[n++] = "127.0.0.1:0";
	argv[n++] = "--trusted-root";
	argv[n++] = f->root;
	if (f->policy[0] != '\0') { /* "": the default policy */
		argv[n++] = "--policy";
		argv[n++] = f->policy;
	}
	argv[n++] = "--threads";
	argv[n++] = "2";
	for (i = 0; extra != NULL && extra[i] != NULL && n < 46; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	cr_assert_eq(pipe(out), 0);
	logfd = open(f->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	cr_assert(logfd >= 0);
	f->pid = fork();
	cr_assert(f->pid >= 0);
	if (f->pid == 0) {
		dup2(out[1], 1);
		dup2(logfd, 2);
		close(out[0]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	close(logfd);
	/* Read "listening on 127.0.0.1:PORT\n" (ASan builds start slowly). */
	for (;;) {
		struct pollfd p = { out[0], POLLIN, 0 };
		ssize_t r;
		char *nl, *colon;

		if (poll(&p, 1, 20000) <= 0)
			break;
		r = read(out[0], buf + got, sizeof(buf) - 1 - got);
		if (r <= 0)
			break;
		got += (size_t)r;
		buf[got] = '\0';
		nl = strchr(buf, '\n');
		if (nl == NULL)
			continue;
		colon = strrchr(buf, ':');
		cr_assert(strncmp(buf, "listening on ", 13) == 0, "got %s", buf);
		f->port = (int)strtol(colon + 1, NULL, 10);
		close(out[0]);
		return 0;
	}
	close(out[0]);
	waitpid(f->pid, status, 0);
	f->pid = -1;
	return -1;
}

static void
fx_start(struct fx *f, const char *const *extra)
{
	int status = 0;

	cr_assert_eq(fx_start_status(f, extra, &status), 0,
	             "pyverifyd did not start (status %d); see %s", status,
	             f->log);
}

/* SIGTERM and the exit status. */
static int
fx_stop(struct fx *f)
{
	int status = -1;

	if (f->pid > 0) {
		kill(f->pid, SIGTERM);
		waitpid(f->pid, &status, 0);
		f->pid = -1;
	}
	return status;
}

static void
fx_fini(struct fx *f)
{
	char cmd[128], line[4096];
	int running = f->pid > 0, status = fx_stop(f);
	FILE *lf;

	/* Every server exits 0 on SIGTERM, also under ASan/LSan, and never
	 * reports a sanitizer error. */
	if (running)
		cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		          "pyverifyd exit status %d; see its log", status);
	lf = fopen(f->log, "r");
	while (lf != NULL && fgets(line, sizeof(line), lf) != NULL) {
		cr_expect_null(strstr(line, "Sanitizer"), "%s", line);
		cr_expect_null(strstr(line, "runtime error"), "%s", line);
	}
	if (lf != NULL)
		fclose(lf);
	json_decref(f->bundle);
	vs_leaf_free(f->leaf);
	vs_free(f->vs);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", f->dir);
}

static size_t
collect(char *p, size_t sz, size_t n, void *ud)
{
	struct resp *r = ud;
	char *nb = realloc(r->body, r->len + sz * n + 1);

	if (nb == NULL)
		return 0;
	r->body = nb;
	memcpy(r->body + r->len, p, sz * n);
	r->len += sz * n;
	r->body[r->len] = '\0';
	return sz * n;
}

static CURL *
easy(struct fx *f, struct resp *r, const char *method, const char *path,
     const char *ctype, const char *body, size_t len, const char *token,
     struct curl_slist **hdrs)
{
	char url[256], h[256];
	CURL *c = curl_easy_init();

	cr_assert_not_null(c);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", f->port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	*hdrs = curl_slist_append(NULL, "Expect:");
	if (ctype != NULL) {
		snprintf(h, sizeof(h), "Content-Type: %s", ctype);
		*hdrs = curl_slist_append(*hdrs, h);
	}
	if (token != NULL) {
		snprintf(h, sizeof(h), "Authorization: Bearer %s", token);
		*hdrs = curl_slist_append(*hdrs, h);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, *hdrs);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	return c;
}

static void
finish(struct resp *r, CURL *c)
{
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->code);
	if (r->body != NULL)
		r->json = json_loads(r->body, 0, NULL);
}

static struct resp
http(struct fx *f, const char *method, const char *path, const char *ctype,
     const char *body, size_t len, const char *token)
{
	struct resp r = { 0, NULL, 0, NULL };
	struct curl_slist *hdrs = NULL;
	CURL *c = easy(f, &r, method, path, ctype, body, len, token, &hdrs);
	CURLcode rc = curl_easy_perform(c);

	cr_assert_eq(rc, CURLE_OK, "%s %s: %s", method, path,
	             curl_easy_strerror(rc));
	finish(&r, c);
	curl_easy_cleanup(c);
	curl_slist_free_all(hdrs);
	return r;
}

static void
resp_free(struct resp *r)
{
	free(r->body);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

static const char *
jget(const struct resp *r, const char *key)
{
	json_t *v = r->json ? json_object_get(r->json, key) : NULL;

	return v != NULL && json_is_string(v) ? json_string_value(v) : NULL;
}

/* {"bundle": ..., "digest": ..., "artifact": ..., ...} as text. */
static char *
request_json(json_t *bundle, const char *digest, const char *artifact,
             const char *identity, const char *issuer)
{
	json_t *o = json_pack("{s:O,s:s}", "bundle", bundle, "digest", digest);
	char *s;

	if (artifact)
		json_object_set_new(o, "artifact", json_string(artifact));
	if (identity)
		json_object_set_new(o, "identity", json_string(identity));
	if (issuer)
		json_object_set_new(o, "issuer", json_string(issuer));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

static struct resp
post_verify(struct fx *f, const char *body, const char *token)
{
	return http(f, "POST", "/v1/verify", "application/json", body,
	            strlen(body), token);
}

static long
expect_code(struct fx *f, const char *body, long code, const char *err)
{
	struct resp r = post_verify(f, body, NULL);

	cr_expect_eq(r.code, code, "expected %ld, got %ld: %s", code, r.code,
	             r.body ? r.body : "");
	if (err != NULL)
		cr_expect_str_eq(jget(&r, "error") ? jget(&r, "error") : "", err,
		                 "body %s", r.body ? r.body : "");
	resp_free(&r);
	return code;
}

/* ---- endpoints and verdicts ------------------------------------------- */

Test(server, verifies_a_bundle_by_artifact_name_and_caches_the_verdict)
{
	struct fx f;
	struct resp r;
	char *req;

	fx_init(&f);
	fx_start(&f, NULL);
	req = request_json(f.bundle, f.digest, ARTIFACT_NAME, NULL, NULL);
	r = post_verify(&f, req, NULL);
	cr_assert_eq(r.code, 200, "%s", r.body);
	cr_expect_str_eq(jget(&r, "status"), "verified");
	cr_expect_str_eq(jget(&r, "artifact"), ARTIFACT_NAME);
	cr_expect_str_eq(jget(&r, "version"), "3.14.0");
	cr_expect_str_eq(jget(&r, "identity"), "dev@example.org");
	cr_expect_str_eq(jget(&r, "issuer"), "https://issuer.example");
	cr_expect_str_eq(jget(&r, "sha256"), f.digest + 7);
	resp_free(&r);
	/* The same question again is answered from the cache. */
	r = post_verify(&f, req, NULL);
	cr_expect_eq(r.code, 200);
	resp_free(&r);
	r = http(&f, "GET", "/metrics", NULL, NULL, 0, NULL);
	cr_expect_eq(r.code, 200);
	cr_expect_not_null(strstr(r.body, "pyverifyd_cache_hits_total 1\n"),
	                   "%s", r.body);
	cr_expect_not_null(strstr(r.body, "pyverifyd_cache_misses_total 1\n"));
	cr_expect_not_null(strstr(r.body, "pyverifyd_verdicts_total{status="
	                                  "\"verified\"} 2\n"));
	cr_expect_not_null(strstr(r.body, "pyverifyd_requests_total{endpoint="
	                                  "\"/v1/verify\",code=\"200\"} 2\n"));
	cr_expect_not_null(strstr(r.body, "pyverifyd_verify_duration_seconds_"
	                                  "bucket{cache=\"miss\",le=\"+Inf\"} 1"));
	resp_free(&r);
	free(req);
	cr_expect_eq(fx_stop(&f), 0);
	fx_fini(&f);
}

Test(server, answers_422_with_the_verdict_when_verification_fails)
{
	struct fx f;
	struct resp r;
	char other[72], *req;
	json_t *err;

	fx_init(&f);
	fx_start(&f, NULL);
	digest_of(other, "tampered\n", 9);
	req = request_json(f.bundle, other, ARTIFACT_NAME, NULL, NULL);
	r = post_verify(&f, req, NULL);
	cr_expect_eq(r.code, 422, "%s", r.body);
	cr_expect_str_eq(jget(&r, "status"), "failed");
	err = json_object_get(r.json, "error");
	cr_expect(json_is_object(err), "%s", r.body);
	resp_free(&r);
	free(req);
	/* A signer the policy does not name: failed at the identity step. */
	req = request_json(f.bundle, f.digest, ARTIFACT_NAME, "eve@example.org",
	                   "https://issuer.example");
	r = post_verify(&f, req, NULL);
	cr_expect_eq(r.code, 422, "%s", r.body);
	cr_expect_str_eq(json_string_value(json_object_get(
				 json_object_get(r.json, "error"), "step")),
	                 "identity");
	resp_free(&r);
	free(req);
	/* Not a CPython release name: unknown-release, also 422. */
	req = request_json(f.bundle, f.digest, "hello.txt", NULL, NULL);
	r = post_verify(&f, req, NULL);
	cr_expect_eq(r.code, 422, "%s", r.body);
	cr_expect_str_eq(jget(&r, "status"), "unknown-release");
	resp_free(&r);
	free(req);
	/* A bundle object that is not a bundle: the verdict says so. */
	r = post_verify(&f, "{\"bundle\":{\"mediaType\":\"x\"},\"digest\":"
	                    "\"sha256:0000000000000000000000000000000000000000"
	                    "000000000000000000000000\",\"artifact\":\""
	                    ARTIFACT_NAME "\"}", NULL);
	cr_expect_eq(r.code, 422, "%s", r.body);
	cr_expect_str_eq(json_string_value(json_object_get(
				 json_object_get(r.json, "error"), "step")),
	                 "bundle-format");
	resp_free(&r);
	fx_fini(&f);
}

Test(server, verifies_with_identity_and_issuer_without_an_artifact_name)
{
	struct fx f;
	struct resp r;
	char *req;

	fx_init(&f);
	fx_start(&f, NULL);
	req = request_json(f.bundle, f.digest, NULL, "dev@example.org",
	                   "https://issuer.example");
	r = post_verify(&f, req, NULL);
	cr_expect_eq(r.code, 200, "%s", r.body);
	cr_expect_str_eq(jget(&r, "status"), "verified");
	resp_free(&r);
	free(req);
	req = request_json(f.bundle, f.digest, NULL, "dev@example.org",
	                   "https://other.example");
	r = post_verify(&f, req, NULL);
	cr_expect_eq(r.code, 422, "%s", r.body);
	cr_expect_str_eq(json_string_value(json_object_get(
				 json_object_get(r.json, "error"), "step")),
	                 "issuer");
	resp_free(&r);
	free(req);
	fx_fini(&f);
}

Test(server, rejects_malformed_requests_with_400_naming_the_problem)
{
	struct fx f;
	char *req;

	fx_init(&f);
	fx_start(&f, NULL);
	expect_code(&f, "{\"bundle\": {", 400, "bad-json");
	expect_code(&f, "[1,2]", 400, "bad-request");
	expect_code(&f, "{\"bundle\":\"x\",\"digest\":\"sha256:00\"}", 400,
	            "bad-request");
	req = request_json(f.bundle, "sha256:abc", ARTIFACT_NAME, NULL, NULL);
	expect_code(&f, req, 400, "bad-request");
	free(req);
	req = request_json(f.bundle, f.digest, NULL, NULL, NULL);
	expect_code(&f, req, 400, "bad-request"); /* neither name nor signer */
	free(req);
	req = request_json(f.bundle, f.digest, ARTIFACT_NAME, "dev@example.org",
	                   NULL);
	expect_code(&f, req, 400, "bad-request"); /* identity without issuer */
	free(req);
	/* Wrong types, unknown members, duplicate members. */
	expect_code(&f, "{\"bundle\":{},\"digest\":7,\"artifact\":\"a\"}", 400,
	            "bad-request");
	expect_code(&f, "{\"bundle\":{},\"digest\":\"sha256:0000000000000000"
	                "000000000000000000000000000000000000000000000000\","
	                "\"artifact\":\"a\",\"identty\":\"x\"}", 400,
	            "bad-request");
	expect_code(&f, "{\"bundle\":{},\"bundle\":{},\"digest\":\"x\"}", 400,
	            "bad-json");
	expect_code(&f, "", 400, "bad-request");
	fx_fini(&f);
}

Test(server, answers_404_405_413_415_for_wrong_paths_methods_sizes_types)
{
	const char *const extra[] = { "--max-json-bytes", "4K", NULL };
	struct fx f;
	struct resp r;
	char *big;

	fx_init(&f);
	fx_start(&f, extra);
	r = http(&f, "GET", "/nope", NULL, NULL, 0, NULL);
	cr_expect_eq(r.code, 404);
	cr_expect_str_eq(jget(&r, "error"), "not-found");
	resp_free(&r);
	r = http(&f, "GET", "/v1/verify", NULL, NULL, 0, NULL);
	cr_expect_eq(r.code, 405);
	resp_free(&r);
	r = http(&f, "DELETE", "/healthz", NULL, NULL, 0, NULL);
	cr_expect_eq(r.code, 405);
	resp_free(&r);
	r = http(&f, "POST", "/v1/verify", "text/plain", "x", 1, NULL);
	cr_expect_eq(r.code, 415);
	resp_free(&r);
	r = http(&f, "POST", "/v1/verify", "application/x-www-form-urlencoded",
	         "a=b", 3, NULL);
	cr_expect_eq(r.code, 415);
	resp_free(&r);
	big = malloc(10000);
	memset(big, ' ', 10000);
	big[0] = '{';
	big[9999] = '}';
	r = http(&f, "POST", "/v1/verify", "application/json", big, 10000, NULL);
	cr_expect_eq(r.code, 413, "%s", r.body);
	cr_expect_str_eq(jget(&r, "error"), "too-large");
	resp_free(&r);
	free(big);
	/* The admin endpoint does not exist without an admin token file. */
	r = http(&f, "POST", "/v1/admin/reload", NULL, NULL, 0, NULL);
	cr_expect_eq(r.code, 404);
	resp_free(&r);
	r = http(&f, "GET", "/healthz", NULL, NULL, 0, NULL);
	cr_expect_eq(r.code, 200);
	cr_expect_str_eq(jget(&r, "status"), "ok");
	resp_free(&r);
	r = http(&f, "GET", "/v1/trust", NULL, NULL, 0, NULL);
	cr_expect_eq(r.code, 200);
	cr_expect(json_is_true(json_object_get(r.json, "ready")));
	cr_expect_eq(json_array_size(json_object_get(
			     json_object_get(r.json, "trusted_root"),
			     "certificate_authorities")), 1, "%s", r.body);
	resp_free(&r);
	fx_fini(&f);
}

Test(server, answers_503_until_a_trusted_root_is_loaded)
{
	struct fx f;
	struct resp r;
	char *req;

	fx_init(&f);
	unlink(f.root);
	fx_start(&f, NULL);
	r = http(&f, "GET", "/readyz", NULL, NULL, 0, NULL);
	cr_expect_eq(r.code, 503);
	cr_expect_str_eq(jget(&r, "status"), "not-ready");
	resp_free(&r);
	r = http(&f, "GET", "/healthz", NULL, NULL, 0, NULL);
	cr_expect_eq(r.code, 200);
	resp_free(&r);
	req = request_json(f.bundle, f.digest, ARTIFACT_NAME, NULL, NULL);
	r = post_verify(&f, req, NULL);
	cr_expect_eq(r.code, 503, "%s", r.body);
	resp_free(&r);
	free(req);
	fx_fini(&f);
}

/* ---- access control --------------------------------------------------- */

Test(server, requires_a_valid_bearer_token_when_configured)
{
	struct fx f;
	struct resp r;
	char *req;
	const char *extra[] = { "--token-file", NULL, NULL };

	fx_init(&f);
	extra[1] = f.tokens;
	fx_start(&f, extra);
	req = request_json(f.bundle, f.digest, ARTIFACT_NAME, NULL, NULL);
	r = post_verify(&f, req, NULL);
	cr_expect_eq(r.code, 401);
	cr_expect_str_eq(jget(&r, "error"), "missing-token");
	resp_free(&r);
	r = post_verify(&f, req, "test-token-0123456789abcdeX");
	cr_expect_eq(r.code, 401);
	cr_expect_str_eq(jget(&r, "error"), "invalid-token");
	resp_free(&r);
	r = post_verify(&f, req, TOKEN);
	cr_expect_eq(r.code, 200, "%s", r.body);
	resp_free(&r);
	r = http(&f, "GET", "/v1/trust", NULL, NULL, 0, NULL);
	cr_expect_eq(r.code, 401);
	resp_free(&r);
	/* Probes and scrapers need no token. */
	r = http(&f, "GET", "/readyz", NULL, NULL, 0, NULL);
	cr_expect_eq(r.code, 200);
	resp_free(&r);
	free(req);
	fx_stop(&f);
	/* The log never holds a token. */
	{
		FILE *lf = fopen(f.log, "r");
		char line[4096];
		cr_assert_not_null(lf);
		while (fgets(line, sizeof(line), lf) != NULL)
			cr_expect_null(strstr(line, "0123456789abcde"), "%s",
			               line);
		fclose(lf);
	}
	fx_fini(&f);
}

Test(server, refuses_to_start_with_a_group_readable_token_file)
{
	struct fx f;
	const char *extra[] = { "--token-file", NULL, NULL };
	int status = 0;

	fx_init(&f);
	cr_assert_eq(chmod(f.tokens, 0640), 0);
	extra[1] = f.tokens;
	cr_expect_eq(fx_start_status(&f, extra, &status), -1);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) != 0);
	fx_fini(&f);
}

/* ---- reload ------------------------------------------------------------ */

Test(server, reloads_trust_material_atomically_and_keeps_it_on_errors)
{
	struct fx f;
	struct resp r;
	struct vs *vs2;
	struct vs_leaf *leaf2;
	json_t *b2;
	char *req, *req2, *root2;
	const char *extra[] = { "--admin-token-file", NULL, NULL };
	int i;

	fx_init(&f);
	extra[1] = f.admin;
	fx_start(&f, extra);
	req = request_json(f.bundle, f.digest, ARTIFACT_NAME, NULL, NULL);
	r = http(&f, "POST", "/v1/admin/reload", NULL, NULL, 0, NULL);
	cr_expect_eq(r.code, 401);
	resp_free(&r);
	r = http(&f, "POST", "/v1/admin/reload", NULL, NULL, 0, TOKEN);
	cr_expect_eq(r.code, 403);
	resp_free(&r);
	/* A broken trusted root: refused, the old one stays. */
	write_str(f.root, "{\"mediaType\": 1}");
	r = http(&f, "POST", "/v1/admin/reload", NULL, NULL, 0, ADMIN_TOKEN);
	cr_expect_eq(r.code, 422, "%s", r.body);
	cr_expect(json_is_false(json_object_get(r.json, "reloaded")));
	cr_expect_not_null(strstr(jget(&r, "message"), "trusted root"), "%s",
	                   r.body);
	resp_free(&r);
	r = post_verify(&f, req, NULL);
	cr_expect_eq(r.code, 200, "%s", r.body);
	resp_free(&r);
	/* Another Sigstore's root: the old bundle no longer verifies, a
	 * bundle from the new one does. */
	vs2 = vs_new();
	leaf2 = vs_leaf_new(vs2, NULL);
	b2 = vs_sign(vs2, leaf2, NULL);
	root2 = vs_trust_root_string(vs2);
	write_str(f.root, root2);
	r = http(&f, "POST", "/v1/admin/reload", NULL, NULL, 0, ADMIN_TOKEN);
	cr_expect_eq(r.code, 200, "%s", r.body);
	cr_expect_eq(json_integer_value(json_object_get(r.json, "generation")),
	             2);
	resp_free(&r);
	r = post_verify(&f, req, NULL);
	cr_expect_eq(r.code, 422, "%s", r.body);
	resp_free(&r);
	req2 = request_json(b2, f.digest, ARTIFACT_NAME, NULL, NULL);
	r = post_verify(&f, req2, NULL);
	cr_expect_eq(r.code, 200, "%s", r.body);
	resp_free(&r);
	/* SIGHUP does the same. */
	{
		char *root1 = vs_trust_root_string(f.vs);
		write_str(f.root, root1);
		free(root1);
	}
	kill(f.pid, SIGHUP);
	for (i = 0; i < 100; i++) {
		r = http(&f, "GET", "/readyz", NULL, NULL, 0, NULL);
		json_int_t g = json_integer_value(
			json_object_get(r.json, "generation"));
		resp_free(&r);
		if (g == 3)
			break;
		usleep(50000);
	}
	cr_expect_lt(i, 100, "SIGHUP did not reload");
	r = post_verify(&f, req, NULL);
	cr_expect_eq(r.code, 200, "%s", r.body);
	resp_free(&r);
	free(req);
	free(req2);
	free(root2);
	json_decref(b2);
	vs_leaf_free(leaf2);
	vs_free(vs2);
	fx_fini(&f);
}

/* ---- multipart ---------------------------------------------------------- */

Test(server, verifies_a_30_MB_multipart_upload_hashed_as_it_streams)
{
	const size_t size = 30u << 20;
	struct vs_sign_opts so;
	struct fx f;
	struct resp r = { 0, NULL, 0, NULL };
	struct curl_slist *hdrs = NULL;
	char path[160], *bundle;
	uint8_t *art = malloc(size);
	json_t *b;
	curl_mime *mime;
	curl_mimepart *part;
	CURL *c;
	size_t i;
	int pass;

	cr_assert_not_null(art);
	for (i = 0; i < size; i++)
		art[i] = (uint8_t)(i * 2654435761u >> 13);
	fx_init(&f);
	memset(&so, 0, sizeof(so));
	so.artifact = art;
	so.artifact_len = size;
	b = vs_sign(f.vs, f.leaf, &so);
	cr_assert_not_null(b);
	bundle = vs_dump(b);
	snprintf(path, sizeof(path), "%s/" ARTIFACT_NAME, f.dir);
	write_file(path, art, size, 0644);
	fx_start(&f, NULL);
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1) { /* one byte changed: no longer verifies */
			art[size / 2] ^= 1;
			write_file(path, art, size, 0644);
		}
		c = easy(&f, &r, "POST", "/v1/verify", NULL, NULL, 0, NULL, &hdrs);
		mime = curl_mime_init(c);
		part = curl_mime_addpart(mime);
		curl_mime_name(part, "bundle");
		curl_mime_data(part, bundle, CURL_ZERO_TERMINATED);
		part = curl_mime_addpart(mime);
		curl_mime_name(part, "artifact");
		curl_mime_filedata(part, path);
		curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
		cr_assert_eq(curl_easy_perform(c), CURLE_OK);
		finish(&r, c);
		cr_expect_eq(r.code, pass == 0 ? 200 : 422, "%s", r.body);
		cr_expect_str_eq(jget(&r, "artifact"), ARTIFACT_NAME);
		cr_expect_str_eq(jget(&r, "status"),
		                 pass == 0 ? "verified" : "failed");
		resp_free(&r);
		curl_mime_free(mime);
		curl_easy_cleanup(c);
		curl_slist_free_all(hdrs);
	}
	free(bundle);
	json_decref(b);
	free(art);
	fx_fini(&f);
}

/* ---- abuse and load -------------------------------------------------------- */

Test(server, cuts_off_a_client_that_sends_one_byte_a_second)
{
	const char *const extra[] = { "--timeout", "2", NULL };
	static const char head[] =
		"POST /v1/verify HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n";
	struct sockaddr_in sa;
	struct fx f;
	char got[512];
	size_t n = 0;
	int s, i, closed = 0;

	fx_init(&f);
	fx_start(&f, extra);
	s = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)f.port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(connect(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(send(s, head, sizeof(head) - 1, MSG_NOSIGNAL),
	             (ssize_t)sizeof(head) - 1);
	for (i = 0; i < 12 && !closed; i++) {
		struct pollfd p = { s, POLLIN, 0 };
		if (send(s, "{", 1, MSG_NOSIGNAL) != 1)
			closed = 1;
		while (!closed && poll(&p, 1, 1000) > 0) {
			ssize_t r = recv(s, got + n, sizeof(got) - 1 - n, 0);
			if (r <= 0) {
				closed = 1;
				break;
			}
			n += (size_t)r;
		}
	}
	got[n] = '\0';
	close(s);
	cr_expect(closed, "a trickling client was not cut off in 12 s");
	cr_expect_null(strstr(got, " 200 "), "%s", got);
	fx_fini(&f);
}

Test(server, serves_50_concurrent_connections)
{
	const char *const extra[] = { "--cache-entries", "0", NULL };
	enum { N = 50 };
	struct fx f;
	struct resp r[N];
	struct curl_slist *hdrs[N];
	CURL *c[N];
	CURLM *m;
	char *req;
	int i, running = 1;

	fx_init(&f);
	fx_start(&f, extra);
	req = request_json(f.bundle, f.digest, ARTIFACT_NAME, NULL, NULL);
	m = curl_multi_init();
	for (i = 0; i < N; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		c[i] = easy(&f, &r[i], "POST", "/v1/verify", "application/json",
		            req, strlen(req), NULL, &hdrs[i]);
		curl_easy_setopt(c[i], CURLOPT_FORBID_REUSE, 1L);
		curl_multi_add_handle(m, c[i]);
	}
	while (running) {
		curl_multi_perform(m, &running);
		if (running)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	}
	for (i = 0; i < N; i++) {
		finish(&r[i], c[i]);
		cr_expect_eq(r[i].code, 200, "request %d: %ld", i, r[i].code);
		resp_free(&r[i]);
		curl_multi_remove_handle(m, c[i]);
		curl_easy_cleanup(c[i]);
		curl_slist_free_all(hdrs[i]);
	}
	curl_multi_cleanup(m);
	free(req);
	fx_fini(&f);
}

Test(server, drains_requests_in_flight_on_sigterm_and_exits_0)
{
	enum { N = 8 };
	struct fx f;
	struct resp r[N];
	struct curl_slist *hdrs[N];
	CURL *c[N];
	CURLM *m;
	char *req;
	int i, running = 1, signalled = 0, status = -1;
	struct timespec t0, now;

	fx_init(&f);
	fx_start(&f, NULL);
	req = request_json(f.bundle, f.digest, ARTIFACT_NAME, NULL, NULL);
	m = curl_multi_init();
	for (i = 0; i < N; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		c[i] = easy(&f, &r[i], "POST", "/v1/verify", "application/json",
		            req, strlen(req), NULL, &hdrs[i]);
		/* Each upload takes ~1.5 s, so all are in flight at SIGTERM. */
		curl_easy_setopt(c[i], CURLOPT_MAX_SEND_SPEED_LARGE,
		                 (curl_off_t)(strlen(req) * 2 / 3));
		curl_multi_add_handle(m, c[i]);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (running) {
		curl_multi_perform(m, &running);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (!signalled && (now.tv_sec - t0.tv_sec) * 1000 +
		                          (now.tv_nsec - t0.tv_nsec) / 1000000 >
		                      500) {
			kill(f.pid, SIGTERM);
			signalled = 1;
		}
		if (running)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	for (i = 0; i < N; i++) {
		finish(&r[i], c[i]);
		cr_expect_eq(r[i].code, 200, "request %d lost: %ld", i, r[i].code);
		resp_free(&r[i]);
		curl_multi_remove_handle(m, c[i]);
		curl_easy_cleanup(c[i]);
		curl_slist_free_all(hdrs[i]);
	}
	curl_multi_cleanup(m);
	waitpid(f.pid, &status, 0);
	f.pid = -1;
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	          "status %d", status);
	free(req);
	fx_fini(&f);
}

/* ---- real CPython bundles --------------------------------------------------- */

Test(server, verifies_the_cpython_sample_over_http)
{
	char manifest[512], root[512], line[2048];
	const char *td = getenv("PYVERIFY_TESTDATA");
	struct fx f;
	FILE *mf;
	int n = 0;

	if (td == NULL || td[0] == '\0')
		td = "../shared/testdata";
	snprintf(manifest, sizeof(manifest), "%s/cpython/MANIFEST.tsv", td);
	snprintf(root, 400, "%s/sigstore/production.trusted_root.json",
	         td);
	mf = fopen(manifest, "r");
	if (mf == NULL || access(root, R_OK) != 0) {
		if (mf)
			fclose(mf);
		cr_skip_test("CPython test data not found (set PYVERIFY_TESTDATA)");
	}
	fx_init(&f);
	snprintf(f.root, sizeof(f.root), "%s", root);
	snprintf(f.policy, sizeof(f.policy), "policy/cpython.json");
	fx_start(&f, NULL);
	while (fgets(line, sizeof(line), mf) != NULL) {
		char *fld[7], *p = line, bpath[1024], digest[80], *req;
		json_t *bundle;
		struct resp r;
		int k;

		line[strcspn(line, "\r\n")] = '\0';
		for (k = 0; k < 7; k++) {
			fld[k] = p;
			p = strchr(p, '\t');
			if (p == NULL)
				break;
			*p++ = '\0';
		}
		if (k < 6 || strcmp(fld[0], "version") == 0)
			continue;
		snprintf(bpath, sizeof(bpath), "%s/cpython/%s", td, fld[6]);
		bundle = json_load_file(bpath, 0, NULL);
		cr_assert_not_null(bundle, "%s", bpath);
		snprintf(digest, sizeof(digest), "sha256:%s", fld[2]);
		req = request_json(bundle, digest, fld[1], NULL, NULL);
		r = post_verify(&f, req, NULL);
		cr_expect_eq(r.code, 200, "%s: %s", fld[1], r.body);
		cr_expect_str_eq(jget(&r, "identity") ? jget(&r, "identity") : "",
		                 fld[4], "%s", fld[1]);
		resp_free(&r);
		free(req);
		json_decref(bundle);
		n++;
	}
	fclose(mf);
	cr_expect_gt(n, 0, "no rows in %s", manifest);
	fx_fini(&f);
}

/* ---- review: hostile bytes, status codes, limits -------------------------- */

/* Sends raw bytes on a fresh connection and reads until the server closes
 * it (or 10 s pass). Returns the status code of the answer, 0 when the
 * connection was closed without one; *out (malloc'd) holds the answer. */
static int
raw_http(struct fx *f, const void *req, size_t len, char **out)
{
	struct sockaddr_in sa;
	char *buf = malloc(65536);
	size_t n = 0;
	int s, code = 0;

	cr_assert_not_null(buf);
	s = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(s >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)f->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(connect(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(send(s, req, len, MSG_NOSIGNAL), (ssize_t)len);
	for (;;) {
		struct pollfd p = { s, POLLIN, 0 };
		ssize_t r;

		if (poll(&p, 1, 10000) <= 0 || n + 1 >= 65536)
			break;
		r = recv(s, buf + n, 65536 - 1 - n, 0);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(s);
	buf[n] = '\0';
	if (n > 12 && strncmp(buf, "HTTP/1.1 ", 9) == 0)
		code = (int)strtol(buf + 9, NULL, 10);
	if (out != NULL)
		*out = buf;
	else
		free(buf);
	return code;
}

/* POST path with the given Content-Type line (raw bytes) and body. */
static int
raw_post(struct fx *f, const char *path, const char *ctype, const void *body,
         size_t len, char **out)
{
	char head[1024];
	char *req;
	int n, code;

	n = snprintf(head, sizeof(head),
	             "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	             "Connection: close\r\nContent-Type: %s\r\n"
	             "Content-Length: %zu\r\n\r\n", path, ctype, len);
	cr_assert(n > 0 && (size_t)n < sizeof(head));
	req = malloc((size_t)n + len);
	cr_assert_not_null(req);
	memcpy(req, head, (size_t)n);
	memcpy(req + n, body, len);
	code = raw_http(f, req, (size_t)n + len, out);
	free(req);
	return code;
}

/* The JSON error body of a raw answer, parsed (NULL when none). */
static json_t *
raw_body_json(const char *answer)
{
	const char *b = answer != NULL ? strstr(answer, "\r\n\r\n") : NULL;

	return b != NULL ? json_loads(b + 4, 0, NULL) : NULL;
}

Test(server, answers_errors_about_non_utf8_client_bytes_instead_of_dropping)
{
	static const char mp[] =
		"--BB\r\nContent-Disposition: form-data; name=\"\xff\xfe\"\r\n\r\n"
		"x\r\n--BB--\r\n";
	struct fx f;
	char *ans = NULL, member[128], body[256];
	json_t *j;
	int code;

	fx_init(&f);
	fx_start(&f, NULL);
	/* A Content-Type that is not UTF-8: still a 415 with a JSON body. */
	code = raw_post(&f, "/v1/verify", "text/\xff\xfe", "x", 1, &ans);
	cr_expect_eq(code, 415, "answer: %s", ans);
	j = raw_body_json(ans);
	cr_expect_str_eq(j ? json_string_value(json_object_get(j, "error"))
	                   : "", "unsupported-media-type");
	json_decref(j);
	free(ans);
	code = raw_post(&f, "/v1/verify",
	                "application/json; charset=\xff\xff\xff\xff\xff\xff\xff"
	                "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
	                "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
	                "\xff\xff\xff\xff\xff\xff\xff\xff", "{}", 2, NULL);
	cr_expect_eq(code, 415);
	/* An unknown member whose name is cut inside a UTF-8 sequence. */
	memset(member, 0, sizeof(member));
	member[0] = 'a';
	for (code = 0; code < 40; code++)
		memcpy(member + 1 + 2 * code, "\xc3\xa9", 2);
	snprintf(body, sizeof(body), "{\"%s\":1}", member);
	ans = NULL;
	code = raw_post(&f, "/v1/verify", "application/json", body,
	                strlen(body), &ans);
	cr_expect_eq(code, 400, "answer: %s", ans);
	j = raw_body_json(ans);
	cr_expect_not_null(j, "the error body must be valid JSON: %s", ans);
	cr_expect_str_eq(j ? json_string_value(json_object_get(j, "error"))
	                   : "", "bad-request");
	json_decref(j);
	free(ans);
	/* A multipart part name that is not UTF-8. */
	code = raw_post(&f, "/v1/verify", "multipart/form-data; boundary=BB",
	                mp, sizeof(mp) - 1, NULL);
	cr_expect_eq(code, 400);
	fx_fini(&f);
}

Test(server, answers_401_for_an_unknown_token_on_the_admin_endpoint)
{
	struct fx f;
	struct resp r;
	const char *extra[] = { "--token-file", NULL, "--admin-token-file",
	                        NULL, NULL };

	fx_init(&f);
	extra[1] = f.tokens;
	extra[3] = f.admin;
	fx_start(&f, extra);
	/* Not a token at all: 401, like everywhere under /v1/. */
	r = http(&f, "POST", "/v1/admin/reload", NULL, NULL, 0,
	         "not-a-configured-token-000000");
	cr_expect_eq(r.code, 401, "%s", r.body);
	cr_expect_str_eq(jget(&r, "error") ? jget(&r, "error") : "",
	                 "invalid-token");
	resp_free(&r);
	/* A valid token that is not an admin token: 403. */
	r = http(&f, "POST", "/v1/admin/reload", NULL, NULL, 0, TOKEN);
	cr_expect_eq(r.code, 403, "%s", r.body);
	resp_free(&r);
	r = http(&f, "POST", "/v1/admin/reload", NULL, NULL, 0, ADMIN_TOKEN);
	cr_expect_eq(r.code, 200, "%s", r.body);
	resp_free(&r);
	fx_fini(&f);
}

Test(server, refuses_an_artifact_limit_that_overflows_the_body_limit)
{
	const char *const extra[] = { "--max-artifact-bytes", "17179869183G",
	                              NULL };
	struct fx f;
	int status = 0;

	fx_init(&f);
	cr_expect_eq(fx_start_status(&f, extra, &status), -1,
	             "a limit of ~2^64 bytes must be refused at start-up");
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 2, "status %d",
	          status);
	fx_fini(&f);
}

/* ---- issue 8: hardening ---------------------------------------------------- */

static int
connect_loopback(int port)
{
	struct sockaddr_in sa;
	int s = socket(AF_INET, SOCK_STREAM, 0);

	cr_assert(s >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(connect(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return s;
}

static double
now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Reads one answer (up to a blank line plus Content-Length bytes) from s
 * within `wait` seconds. Returns its status code, 0 when the connection
 * was closed or nothing came in time. */
static int
read_answer(int s, double wait)
{
	char buf[8192];
	size_t n = 0;
	double end = now_s() + wait;

	for (;;) {
		struct pollfd p = { s, POLLIN, 0 };
		const char *eoh, *cl;
		double left = end - now_s();
		ssize_t r;

		if (left <= 0 || poll(&p, 1, (int)(left * 1000) + 1) <= 0)
			return 0;
		r = recv(s, buf + n, sizeof(buf) - 1 - n, 0);
		if (r <= 0)
			return 0;
		n += (size_t)r;
		buf[n] = '\0';
		eoh = strstr(buf, "\r\n\r\n");
		cl = strstr(buf, "Content-Length: ");
		if (eoh != NULL && cl != NULL && cl < eoh &&
		    n >= (size_t)(eoh + 4 - buf) + strtoul(cl + 16, NULL, 10))
			return (int)strtol(buf + 9, NULL, 10);
		if (n + 1 >= sizeof(buf))
			return 0;
	}
}

/* Sends one byte every `every` seconds, up to `max` seconds, until the
 * server closes the connection; returns the seconds it took (or max). */
static double
trickle_until_closed(int s, const char *byte, double every, double max)
{
	double t0 = now_s();

	while (now_s() - t0 < max) {
		struct pollfd p = { s, POLLIN, 0 };
		char buf[512];

		if (send(s, byte, 1, MSG_NOSIGNAL) != 1)
			break;
		if (poll(&p, 1, (int)(every * 1000)) > 0 &&
		    recv(s, buf, sizeof(buf), 0) <= 0)
			break;
	}
	return now_s() - t0;
}

Test(server, answers_400_for_a_nameless_or_repeated_part_and_keeps_serving)
{
	static const char nameless[] =
		"--BB\r\nContent-Disposition: form-data\r\n\r\nx\r\n--BB--\r\n";
	static const char nameless_file[] =
		"--BB\r\nContent-Disposition: form-data; filename=\"a.tgz\"\r\n"
		"\r\nx\r\n--BB--\r\n";
	/* An empty first copy, then a second one: in one write, and split
	 * right after the second copy's headers. */
	static const char dup_empty[] =
		"--BB\r\nContent-Disposition: form-data; name=\"identity\"\r\n\r\n"
		"\r\n--BB\r\nContent-Disposition: form-data; name=\"identity\"\r\n"
		"\r\nx@example.org\r\n--BB--\r\n";
	struct fx f;
	struct resp r;
	char *ans = NULL;
	json_t *j;
	int code;

	fx_init(&f);
	fx_start(&f, NULL);
	code = raw_post(&f, "/v1/verify", "multipart/form-data; boundary=BB",
	                nameless, sizeof(nameless) - 1, &ans);
	cr_expect_eq(code, 400, "answer: %s", ans ? ans : "");
	j = raw_body_json(ans);
	cr_expect_str_eq(j ? json_string_value(json_object_get(j, "error"))
	                   : "", "bad-part");
	json_decref(j);
	free(ans);
	code = raw_post(&f, "/v1/verify", "multipart/form-data; boundary=BB",
	                nameless_file, sizeof(nameless_file) - 1, NULL);
	cr_expect_eq(code, 400);
	ans = NULL;
	code = raw_post(&f, "/v1/verify", "multipart/form-data; boundary=BB",
	                dup_empty, sizeof(dup_empty) - 1, &ans);
	cr_expect_eq(code, 400, "answer: %s", ans ? ans : "");
	j = raw_body_json(ans);
	cr_expect_str_eq(j ? json_string_value(json_object_get(j, "error"))
	                   : "", "duplicate-part");
	json_decref(j);
	free(ans);
	/* The same, the body split in two writes. */
	{
		char head[256];
		size_t cut = strstr(dup_empty + 60, "\r\n\r\n") + 4 - dup_empty;
		int s = connect_loopback(f.port), n;

		n = snprintf(head, sizeof(head),
		             "POST /v1/verify HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		             "Content-Type: multipart/form-data; boundary=BB\r\n"
		             "Content-Length: %zu\r\n\r\n", sizeof(dup_empty) - 1);
		cr_assert_eq(send(s, head, (size_t)n, MSG_NOSIGNAL), n);
		cr_assert_eq(send(s, dup_empty, cut, MSG_NOSIGNAL), (ssize_t)cut);
		usleep(300000);
		cr_assert_eq(send(s, dup_empty + cut, sizeof(dup_empty) - 1 - cut,
		                  MSG_NOSIGNAL),
		             (ssize_t)(sizeof(dup_empty) - 1 - cut));
		cr_expect_eq(read_answer(s, 10), 400);
		close(s);
	}
	r = http(&f, "GET", "/healthz", NULL, NULL, 0, NULL);
	cr_expect_eq(r.code, 200, "pyverifyd died");
	resp_free(&r);
	fx_fini(&f);
}

Test(server, verifies_a_multipart_part_split_after_its_headers)
{
	struct fx f;
	char *bundle = NULL, *body = NULL, head[256];
	size_t len, cut;
	int s, n;

	fx_init(&f);
	fx_start(&f, NULL);
	bundle = vs_dump(f.bundle);
	len = strlen(bundle) + 512;
	body = malloc(len);
	cr_assert_not_null(body);
	n = snprintf(body, len,
	             "--BB\r\nContent-Disposition: form-data; name=\"bundle\"\r\n"
	             "\r\n%s\r\n--BB\r\nContent-Disposition: form-data; "
	             "name=\"artifact\"; filename=\"" ARTIFACT_NAME "\"\r\n\r\n"
	             "hello\n\r\n--BB--\r\n", bundle);
	/* Two bytes of the artifact after its headers, the rest later: the
	 * post processor reports the part's start twice at offset 0. */
	cut = (size_t)(strstr(body, "hello\n") + 2 - body);
	s = connect_loopback(f.port);
	snprintf(head, sizeof(head),
	         "POST /v1/verify HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	         "Content-Type: multipart/form-data; boundary=BB\r\n"
	         "Content-Length: %d\r\n\r\n", n);
	cr_assert(send(s, head, strlen(head), MSG_NOSIGNAL) > 0);
	cr_assert_eq(send(s, body, cut, MSG_NOSIGNAL), (ssize_t)cut);
	usleep(300000);
	cr_assert_eq(send(s, body + cut, (size_t)n - cut, MSG_NOSIGNAL),
	             (ssize_t)((size_t)n - cut));
	cr_expect_eq(read_answer(s, 10), 200);
	close(s);
	free(body);
	free(bundle);
	fx_fini(&f);
}

/* 270 keep-alive clients against 256 slots on one thread (under epoll the
 * accepted connections starved here): every connection that got a first
 * answer keeps getting answers; the others wait or are refused. */
Test(server, keeps_serving_accepted_connections_beyond_max_connections,
     .timeout = 60)
{
	const char *const extra[] = { "--threads", "1", "--max-connections",
	                              "256", "--per-ip-connections", "0",
	                              NULL };
	enum { N = 270 };
	/* A small POST answered (400) after its body, on a kept connection. */
	static const char req[] = "POST /v1/verify HTTP/1.1\r\nHost: x\r\n"
	                          "Content-Type: application/json\r\n"
	                          "Content-Length: 2\r\n\r\n{}";
	static struct pollfd p[N];
	static double sent[N];
	static int answers[N], closed[N];
	static char last[N];
	struct rlimit rl;
	struct fx f;
	double t0, now, all_served = 0;
	int i, starved = 0, served = 0;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < N + 64)
		cr_skip_test("needs %d open files (ulimit -n)", N + 64);
	fx_init(&f);
	fx_start(&f, extra);
	t0 = now_s();
	for (i = 0; i < N; i++) {
		p[i].fd = connect_loopback(f.port);
		p[i].events = POLLIN;
		fcntl(p[i].fd, F_SETFL, O_NONBLOCK);
		cr_assert_eq(send(p[i].fd, req, sizeof(req) - 1, MSG_NOSIGNAL),
		             (ssize_t)sizeof(req) - 1);
		sent[i] = t0;
	}
	/* Until every accepted connection had an answer (bounded, so a loaded
	 * or sanitized run is not mistaken for a stall), then 3 s more in
	 * which none may wait. */
	while ((now = now_s()) - t0 < 30.0 &&
	       !(all_served > 0 && now - all_served > 3.0)) {
		if (all_served == 0 && served >= 256)
			all_served = now;
		if (poll(p, N, 100) <= 0)
			continue;
		for (i = 0; i < N; i++) {
			char buf[4096];
			ssize_t r, k;

			if (closed[i] || (p[i].revents & (POLLIN | POLLHUP)) == 0)
				continue;
			r = recv(p[i].fd, buf, sizeof(buf), 0);
			if (r <= 0) {
				closed[i] = 1;
				p[i].fd = -p[i].fd - 1; /* poll ignores it */
				continue;
			}
			/* Each JSON answer ends its body with "}\n". */
			for (k = 0; k < r; k++) {
				if (last[i] == '}' && buf[k] == '\n') {
					if (answers[i]++ == 0)
						served++;
					sent[i] = now_s();
					if (send(p[i].fd, req, sizeof(req) - 1,
					         MSG_NOSIGNAL) != (ssize_t)sizeof(req) - 1)
						closed[i] = 1;
				}
				last[i] = buf[k];
			}
		}
	}
	now = now_s();
	for (i = 0; i < N; i++) {
		if (answers[i] > 0 && !closed[i] && now - sent[i] > 2.5)
			starved++;
		close(p[i].fd < 0 ? -p[i].fd - 1 : p[i].fd);
	}
	cr_expect_geq(served, 256, "only %d connections were served", served);
	cr_expect_eq(starved, 0, "%d accepted connections waited > 2.5 s for "
	             "an answer", starved);
	fx_fini(&f);
}

/* A body trickled as a chunk extension or as trailers never reaches the
 * request handler; the upload-rate deadline still cuts it off. */
Test(server, cuts_off_a_chunked_body_trickled_as_extension_or_trailers,
     .timeout = 60)
{
	const char *const extra[] = { "--timeout", "2", NULL };
	static const char head[] =
		"POST /v1/verify HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Content-Type: application/json\r\n"
		"Transfer-Encoding: chunked\r\n\r\n";
	static const char *const starts[] = { "1;", "0\r\nX-Slow: " };
	struct fx f;
	size_t k;

	fx_init(&f);
	fx_start(&f, extra);
	for (k = 0; k < 2; k++) {
		int s = connect_loopback(f.port);
		double took;

		cr_assert(send(s, head, sizeof(head) - 1, MSG_NOSIGNAL) > 0);
		cr_assert(send(s, starts[k], strlen(starts[k]), MSG_NOSIGNAL) > 0);
		took = trickle_until_closed(s, "a", 1.0, 15.0);
		cr_expect_lt(took, 8.0, "%s...: held for %.1f s", starts[k], took);
		close(s);
	}
	fx_fini(&f);
}

Test(server, cuts_off_a_request_head_trickled_within_the_idle_timeout,
     .timeout = 60)
{
	const char *const extra[] = { "--timeout", "30", "--header-timeout",
	                              "2", NULL };
	static const char start[] = "GET /healthz HTTP/1.1\r\nX-Slow: ";
	struct fx f;
	struct resp r;
	double took;
	int s;

	fx_init(&f);
	fx_start(&f, extra);
	s = connect_loopback(f.port);
	cr_assert(send(s, start, sizeof(start) - 1, MSG_NOSIGNAL) > 0);
	took = trickle_until_closed(s, "a", 1.0, 15.0);
	cr_expect_lt(took, 6.0, "a trickled head held for %.1f s", took);
	close(s);
	/* A prompt client is not affected. */
	r = http(&f, "GET", "/healthz", NULL, NULL, 0, NULL);
	cr_expect_eq(r.code, 200);
	resp_free(&r);
	fx_fini(&f);
}

Test(server, limits_connections_per_address_by_default, .timeout = 60)
{
	enum { N = 64 };
	static const char req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	int s[N + 1], i;
	struct fx f;

	fx_init(&f);
	fx_start(&f, NULL);
	for (i = 0; i < N; i++) {
		s[i] = connect_loopback(f.port);
		cr_assert(send(s[i], req, sizeof(req) - 1, MSG_NOSIGNAL) > 0);
		cr_assert_eq(read_answer(s[i], 10), 200, "connection %d", i);
	}
	/* One more from the same address: refused, not served. */
	s[N] = connect_loopback(f.port);
	(void)send(s[N], req, sizeof(req) - 1, MSG_NOSIGNAL);
	cr_expect_eq(read_answer(s[N], 3), 0,
	             "connection %d from one address was served", N + 1);
	for (i = 0; i <= N; i++)
		close(s[i]);
	fx_fini(&f);
}

Test(server, keeps_get_connections_alive)
{
	static const char req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	static const char *const paths[] = { "/healthz", "/readyz", "/metrics",
	                                     "/v1/trust" };
	struct fx f;
	char buf[256];
	size_t i;
	int s;

	fx_init(&f);
	fx_start(&f, NULL);
	s = connect_loopback(f.port);
	cr_assert(send(s, req, sizeof(req) - 1, MSG_NOSIGNAL) > 0);
	cr_expect_eq(read_answer(s, 5), 200);
	for (i = 0; i < 4; i++) {
		snprintf(buf, sizeof(buf), "GET %s HTTP/1.1\r\nHost: x\r\n\r\n",
		         paths[i]);
		cr_assert(send(s, buf, strlen(buf), MSG_NOSIGNAL) > 0);
		cr_expect_eq(read_answer(s, 5), 200, "%s on the same connection",
		             paths[i]);
	}
	close(s);
	fx_fini(&f);
}

/* Connections waiting in the listen queue at SIGTERM (every slot busy) are
 * answered, not reset. */
Test(server, answers_connections_queued_at_sigterm, .timeout = 60)
{
	const char *const extra[] = { "--threads", "1", "--max-connections",
	                              "2", NULL };
	enum { Q = 3 };
	static const char req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	struct fx f;
	char head[256], *body;
	int busy[2], q[Q], i, n;
	size_t len;

	fx_init(&f);
	fx_start(&f, extra);
	body = request_json(f.bundle, f.digest, ARTIFACT_NAME, NULL, NULL);
	len = strlen(body);
	n = snprintf(head, sizeof(head),
	             "POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: "
	             "application/json\r\nContent-Length: %zu\r\n\r\n", len);
	/* Two slow uploads hold both slots. */
	for (i = 0; i < 2; i++) {
		busy[i] = connect_loopback(f.port);
		cr_assert_eq(send(busy[i], head, (size_t)n, MSG_NOSIGNAL), n);
		cr_assert_eq(send(busy[i], body, 10, MSG_NOSIGNAL), 10);
	}
	usleep(300000);
	for (i = 0; i < Q; i++) {
		q[i] = connect_loopback(f.port);
		cr_assert(send(q[i], req, sizeof(req) - 1, MSG_NOSIGNAL) > 0);
	}
	usleep(300000);
	kill(f.pid, SIGTERM);
	usleep(300000);
	for (i = 0; i < 2; i++) {
		cr_assert_eq(send(busy[i], body + 10, len - 10, MSG_NOSIGNAL),
		             (ssize_t)(len - 10));
		cr_expect_eq(read_answer(busy[i], 10), 200);
		close(busy[i]);
	}
	for (i = 0; i < Q; i++) {
		int code = read_answer(q[i], 10);
		cr_expect(code == 200 || code == 503,
		          "queued connection %d: answer %d", i, code);
		close(q[i]);
	}
	free(body);
	fx_fini(&f);
}

Test(server, refuses_a_request_of_too_many_json_values)
{
	const size_t members = 100000;
	struct fx f;
	char *body, *p;
	size_t i;
	int code;
	char *ans = NULL;
	json_t *j;

	fx_init(&f);
	fx_start(&f, NULL);
	body = malloc(members * 16 + 256);
	cr_assert_not_null(body);
	p = body + sprintf(body, "{\"bundle\":{");
	for (i = 0; i < members; i++)
		p += sprintf(p, "%s\"%zx\":0", i ? "," : "", i);
	p += sprintf(p, "},\"digest\":\"%s\",\"artifact\":\"" ARTIFACT_NAME
	             "\"}", f.digest);
	code = raw_post(&f, "/v1/verify", "application/json", body,
	                (size_t)(p - body), &ans);
	cr_expect_eq(code, 400, "answer: %.300s", ans ? ans : "");
	j = raw_body_json(ans);
	cr_expect_str_eq(j ? json_string_value(json_object_get(j, "error"))
	                   : "", "too-many-values");
	json_decref(j);
	free(ans);
	free(body);
	fx_fini(&f);
}

Test(server, uses_the_source_trees_policy_when_run_from_a_build_directory)
{
	struct fx f;
	struct resp r;
	const char *path;

	fx_init(&f);
	f.policy[0] = '\0'; /* no --policy */
	fx_start(&f, NULL);
	r = http(&f, "GET", "/readyz", NULL, NULL, 0, NULL);
	cr_expect_eq(r.code, 200, "%s", r.body);
	resp_free(&r);
	r = http(&f, "GET", "/v1/trust", NULL, NULL, 0, NULL);
	path = json_string_value(json_object_get(json_object_get(r.json,
	                                                         "policy"),
	                                         "path"));
	cr_expect(path != NULL &&
	          strlen(path) >= 19 &&
	          strcmp(path + strlen(path) - 19, "policy/cpython.json") == 0,
	          "%s", r.body);
	resp_free(&r);
	fx_fini(&f);
}

/* A CI gate uploads its own build output with the signer: the same answer
 * as the JSON question without "artifact", the file name echoed. */
Test(server, verifies_an_upload_of_a_non_cpython_file_against_the_named_signer)
{
	struct fx f;
	struct resp r = { 0, NULL, 0, NULL };
	struct curl_slist *hdrs = NULL;
	char path[160], *bundle;
	curl_mime *mime;
	curl_mimepart *part;
	CURL *c;

	fx_init(&f);
	bundle = vs_dump(f.bundle);
	snprintf(path, sizeof(path), "%s/build-output.bin", f.dir);
	write_file(path, "hello\n", 6, 0644);
	fx_start(&f, NULL);
	c = easy(&f, &r, "POST", "/v1/verify", NULL, NULL, 0, NULL, &hdrs);
	mime = curl_mime_init(c);
	part = curl_mime_addpart(mime);
	curl_mime_name(part, "bundle");
	curl_mime_data(part, bundle, CURL_ZERO_TERMINATED);
	part = curl_mime_addpart(mime);
	curl_mime_name(part, "artifact");
	curl_mime_filedata(part, path);
	part = curl_mime_addpart(mime);
	curl_mime_name(part, "identity");
	curl_mime_data(part, "dev@example.org", CURL_ZERO_TERMINATED);
	part = curl_mime_addpart(mime);
	curl_mime_name(part, "issuer");
	curl_mime_data(part, "https://issuer.example", CURL_ZERO_TERMINATED);
	curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
	cr_assert_eq(curl_easy_perform(c), CURLE_OK);
	finish(&r, c);
	cr_expect_eq(r.code, 200, "%s", r.body);
	cr_expect_str_eq(jget(&r, "status") ? jget(&r, "status") : "",
	                 "verified");
	cr_expect_str_eq(jget(&r, "artifact") ? jget(&r, "artifact") : "",
	                 "build-output.bin");
	cr_expect_not_null(jget(&r, "note") ? strstr(jget(&r, "note"),
	                                            "no CPython release policy")
	                                     : NULL, "%s", r.body);
	resp_free(&r);
	curl_mime_free(mime);
	curl_easy_cleanup(c);
	curl_slist_free_all(hdrs);
	free(bundle);
	fx_fini(&f);
}
