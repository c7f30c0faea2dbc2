/*
 * test_server_api.c - integration tests of pyverifyd (issue #5): its
 * endpoints and verdicts, access control, the CPython sample over HTTP,
 * and answers to hostile bytes. Each test starts $PYVERIFY_BUILD/pyverifyd
 * on an ephemeral loopback port with a trusted root and bundles minted by
 * the virtual Sigstore (tests/support/daemon_fx.c). Only 127.0.0.1.
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

#include "cli_fx.h"
#include "daemon_fx.h"
#include "testdata.h"
#include "vsigstore.h"

#define ARTIFACT_NAME DFX_ARTIFACT_NAME
#define TOKEN DFX_TOKEN
#define ADMIN_TOKEN DFX_ADMIN_TOKEN

/* ---- endpoints and verdicts ------------------------------------------- */

Test(server, verifies_a_bundle_by_artifact_name_and_caches_the_verdict)
{
	struct dfx f;
	struct dfx_resp r;
	char *req;

	dfx_init(&f);
	dfx_start(&f, NULL);
	req = dfx_request_json(f.bundle, f.digest, ARTIFACT_NAME, NULL, NULL);
	r = dfx_post_verify(&f, req, NULL);
	cr_assert_eq(r.code, 200, "%s", r.body);
	cr_expect_str_eq(dfx_jget(&r, "status"), "verified");
	cr_expect_str_eq(dfx_jget(&r, "artifact"), ARTIFACT_NAME);
	cr_expect_str_eq(dfx_jget(&r, "version"), "3.14.0");
	cr_expect_str_eq(dfx_jget(&r, "identity"), "dev@example.org");
	cr_expect_str_eq(dfx_jget(&r, "issuer"), "https://issuer.example");
	cr_expect_str_eq(dfx_jget(&r, "sha256"), f.digest + 7);
	dfx_resp_free(&r);
	/* The same question again is answered from the cache. */
	r = dfx_post_verify(&f, req, NULL);
	cr_expect_eq(r.code, 200);
	dfx_resp_free(&r);
	r = dfx_http(&f, "GET", "/metrics", NULL, NULL, 0, NULL);
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
	dfx_resp_free(&r);
	free(req);
	cr_expect_eq(dfx_stop(&f), 0);
	dfx_fini(&f);
}

Test(server, answers_422_with_the_verdict_when_verification_fails)
{
	struct dfx f;
	struct dfx_resp r;
	char other[72], *req;
	json_t *err;

	dfx_init(&f);
	dfx_start(&f, NULL);
	cfx_digest(other, "tampered\n", 9);
	req = dfx_request_json(f.bundle, other, ARTIFACT_NAME, NULL, NULL);
	r = dfx_post_verify(&f, req, NULL);
	cr_expect_eq(r.code, 422, "%s", r.body);
	cr_expect_str_eq(dfx_jget(&r, "status"), "failed");
	err = json_object_get(r.json, "error");
	cr_expect(json_is_object(err), "%s", r.body);
	dfx_resp_free(&r);
	free(req);
	/* A signer the policy does not name: failed at the identity step. */
	req = dfx_request_json(f.bundle, f.digest, ARTIFACT_NAME,
	                       "eve@example.org", "https://issuer.example");
	r = dfx_post_verify(&f, req, NULL);
	cr_expect_eq(r.code, 422, "%s", r.body);
	cr_expect_str_eq(json_string_value(json_object_get(
				 json_object_get(r.json, "error"), "step")),
	                 "identity");
	dfx_resp_free(&r);
	free(req);
	/* Not a CPython release name: unknown-release, also 422. */
	req = dfx_request_json(f.bundle, f.digest, "hello.txt", NULL, NULL);
	r = dfx_post_verify(&f, req, NULL);
	cr_expect_eq(r.code, 422, "%s", r.body);
	cr_expect_str_eq(dfx_jget(&r, "status"), "unknown-release");
	dfx_resp_free(&r);
	free(req);
	/* A bundle object that is not a bundle: the verdict says so. */
	r = dfx_post_verify(&f, "{\"bundle\":{\"mediaType\":\"x\"},\"digest\":"
	                    "\"sha256:0000000000000000000000000000000000000000"
	                    "000000000000000000000000\",\"artifact\":\""
	                    ARTIFACT_NAME "\"}", NULL);
	cr_expect_eq(r.code, 422, "%s", r.body);
	cr_expect_str_eq(json_string_value(json_object_get(
				 json_object_get(r.json, "error"), "step")),
	                 "bundle-format");
	dfx_resp_free(&r);
	dfx_fini(&f);
}

Test(server, verifies_with_identity_and_issuer_without_an_artifact_name)
{
	struct dfx f;
	struct dfx_resp r;
	char *req;

	dfx_init(&f);
	dfx_start(&f, NULL);
	req = dfx_request_json(f.bundle, f.digest, NULL, "dev@example.org",
	                       "https://issuer.example");
	r = dfx_post_verify(&f, req, NULL);
	cr_expect_eq(r.code, 200, "%s", r.body);
	cr_expect_str_eq(dfx_jget(&r, "status"), "verified");
	dfx_resp_free(&r);
	free(req);
	req = dfx_request_json(f.bundle, f.digest, NULL, "dev@example.org",
	                       "https://other.example");
	r = dfx_post_verify(&f, req, NULL);
	cr_expect_eq(r.code, 422, "%s", r.body);
	cr_expect_str_eq(json_string_value(json_object_get(
				 json_object_get(r.json, "error"), "step")),
	                 "issuer");
	dfx_resp_free(&r);
	free(req);
	dfx_fini(&f);
}

Test(server, rejects_malformed_requests_with_400_naming_the_problem)
{
	struct dfx f;
	char *req;

	dfx_init(&f);
	dfx_start(&f, NULL);
	dfx_expect_code(&f, "{\"bundle\": {", 400, "bad-json");
	dfx_expect_code(&f, "[1,2]", 400, "bad-request");
	dfx_expect_code(&f, "{\"bundle\":\"x\",\"digest\":\"sha256:00\"}", 400,
	                "bad-request");
	req = dfx_request_json(f.bundle, "sha256:abc", ARTIFACT_NAME, NULL,
	                       NULL);
	dfx_expect_code(&f, req, 400, "bad-request");
	free(req);
	req = dfx_request_json(f.bundle, f.digest, NULL, NULL, NULL);
	/* Neither name nor signer. */
	dfx_expect_code(&f, req, 400, "bad-request");
	free(req);
	req = dfx_request_json(f.bundle, f.digest, ARTIFACT_NAME,
	                       "dev@example.org", NULL);
	/* Identity without issuer. */
	dfx_expect_code(&f, req, 400, "bad-request");
	free(req);
	/* Wrong types, unknown members, duplicate members. */
	dfx_expect_code(&f, "{\"bundle\":{},\"digest\":7,\"artifact\":\"a\"}",
	                400, "bad-request");
	dfx_expect_code(&f, "{\"bundle\":{},\"digest\":\"sha256:00000000000000"
	                "00000000000000000000000000000000000000000000000000\","
	                "\"artifact\":\"a\",\"identty\":\"x\"}", 400,
	                "bad-request");
	dfx_expect_code(&f, "{\"bundle\":{},\"bundle\":{},\"digest\":\"x\"}",
	                400, "bad-json");
	dfx_expect_code(&f, "", 400, "bad-request");
	{
		/* A syntax error is described, never quoted back. */
		struct dfx_resp r = dfx_post_verify(&f, "{\"bundle\": topsecret}",
		                                    NULL);
		cr_expect_eq(r.code, 400);
		cr_expect(r.body != NULL && strstr(r.body, "topsecret") == NULL &&
		          strstr(r.body, "not valid JSON") != NULL,
		          "%s", r.body ? r.body : "");
		dfx_resp_free(&r);
	}
	dfx_fini(&f);
}

Test(server, answers_404_405_413_415_for_wrong_paths_methods_sizes_types)
{
	const char *const extra[] = { "--max-json-bytes", "4K", NULL };
	struct dfx f;
	struct dfx_resp r;
	char *big;

	dfx_init(&f);
	dfx_start(&f, extra);
	r = dfx_http(&f, "GET", "/nope", NULL, NULL, 0, NULL);
	cr_expect_eq(r.code, 404);
	cr_expect_str_eq(dfx_jget(&r, "error"), "not-found");
	dfx_resp_free(&r);
	r = dfx_http(&f, "GET", "/v1/verify", NULL, NULL, 0, NULL);
	cr_expect_eq(r.code, 405);
	dfx_resp_free(&r);
	r = dfx_http(&f, "DELETE", "/healthz", NULL, NULL, 0, NULL);
	cr_expect_eq(r.code, 405);
	dfx_resp_free(&r);
	r = dfx_http(&f, "POST", "/v1/verify", "text/plain", "x", 1, NULL);
	cr_expect_eq(r.code, 415);
	dfx_resp_free(&r);
	r = dfx_http(&f, "POST", "/v1/verify",
	             "application/x-www-form-urlencoded", "a=b", 3, NULL);
	cr_expect_eq(r.code, 415);
	dfx_resp_free(&r);
	big = malloc(10000);
	memset(big, ' ', 10000);
	big[0] = '{';
	big[9999] = '}';
	r = dfx_http(&f, "POST", "/v1/verify", "application/json", big, 10000,
	             NULL);
	cr_expect_eq(r.code, 413, "%s", r.body);
	cr_expect_str_eq(dfx_jget(&r, "error"), "too-large");
	dfx_resp_free(&r);
	free(big);
	/* The admin endpoint does not exist without an admin token file. */
	r = dfx_http(&f, "POST", "/v1/admin/reload", NULL, NULL, 0, NULL);
	cr_expect_eq(r.code, 404);
	dfx_resp_free(&r);
	r = dfx_http(&f, "GET", "/healthz", NULL, NULL, 0, NULL);
	cr_expect_eq(r.code, 200);
	cr_expect_str_eq(dfx_jget(&r, "status"), "ok");
	dfx_resp_free(&r);
	r = dfx_http(&f, "GET", "/v1/trust", NULL, NULL, 0, NULL);
	cr_expect_eq(r.code, 200);
	cr_expect(json_is_true(json_object_get(r.json, "ready")));
	cr_expect_eq(json_array_size(json_object_get(
			     json_object_get(r.json, "trusted_root"),
			     "certificate_authorities")), 1, "%s", r.body);
	dfx_resp_free(&r);
	dfx_fini(&f);
}

Test(server, answers_503_until_a_trusted_root_is_loaded)
{
	struct dfx f;
	struct dfx_resp r;
	char *req;

	dfx_init(&f);
	unlink(f.root);
	dfx_start(&f, NULL);
	r = dfx_http(&f, "GET", "/readyz", NULL, NULL, 0, NULL);
	cr_expect_eq(r.code, 503);
	cr_expect_str_eq(dfx_jget(&r, "status"), "not-ready");
	dfx_resp_free(&r);
	r = dfx_http(&f, "GET", "/healthz", NULL, NULL, 0, NULL);
	cr_expect_eq(r.code, 200);
	dfx_resp_free(&r);
	req = dfx_request_json(f.bundle, f.digest, ARTIFACT_NAME, NULL, NULL);
	r = dfx_post_verify(&f, req, NULL);
	cr_expect_eq(r.code, 503, "%s", r.body);
	dfx_resp_free(&r);
	free(req);
	dfx_fini(&f);
}

/* ---- access control --------------------------------------------------- */

Test(server, requires_a_valid_bearer_token_when_configured)
{
	struct dfx f;
	struct dfx_resp r;
	char *req;
	const char *extra[] = { "--token-file", NULL, NULL };

	dfx_init(&f);
	extra[1] = f.tokens;
	dfx_start(&f, extra);
	req = dfx_request_json(f.bundle, f.digest, ARTIFACT_NAME, NULL, NULL);
	r = dfx_post_verify(&f, req, NULL);
	cr_expect_eq(r.code, 401);
	cr_expect_str_eq(dfx_jget(&r, "error"), "missing-token");
	dfx_resp_free(&r);
	r = dfx_post_verify(&f, req, "test-token-0123456789abcdeX");
	cr_expect_eq(r.code, 401);
	cr_expect_str_eq(dfx_jget(&r, "error"), "invalid-token");
	dfx_resp_free(&r);
	r = dfx_post_verify(&f, req, TOKEN);
	cr_expect_eq(r.code, 200, "%s", r.body);
	dfx_resp_free(&r);
	r = dfx_http(&f, "GET", "/v1/trust", NULL, NULL, 0, NULL);
	cr_expect_eq(r.code, 401);
	dfx_resp_free(&r);
	/* Probes and scrapers need no token. */
	r = dfx_http(&f, "GET", "/readyz", NULL, NULL, 0, NULL);
	cr_expect_eq(r.code, 200);
	dfx_resp_free(&r);
	free(req);
	dfx_stop(&f);
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
	dfx_fini(&f);
}

Test(server, refuses_to_start_with_a_group_readable_token_file)
{
	struct dfx f;
	const char *extra[] = { "--token-file", NULL, NULL };
	int status = 0;

	dfx_init(&f);
	cr_assert_eq(chmod(f.tokens, 0640), 0);
	extra[1] = f.tokens;
	cr_expect_eq(dfx_start_status(&f, extra, &status), -1);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) != 0);
	dfx_fini(&f);
}

/* ---- real CPython bundles --------------------------------------------------- */

Test(server, verifies_the_cpython_sample_over_http)
{
	char manifest[512], root[512], line[2048];
	const char *td = getenv("PYVERIFY_TESTDATA");
	struct dfx f;
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
	dfx_init(&f);
	snprintf(f.root, sizeof(f.root), "%s", root);
	snprintf(f.policy, sizeof(f.policy), "policy/cpython.json");
	dfx_start(&f, NULL);
	while (fgets(line, sizeof(line), mf) != NULL) {
		char *fld[7], *p = line, bpath[1024], digest[80], *req;
		json_t *bundle;
		struct dfx_resp r;
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
		req = dfx_request_json(bundle, digest, fld[1], NULL, NULL);
		r = dfx_post_verify(&f, req, NULL);
		cr_expect_eq(r.code, 200, "%s: %s", fld[1], r.body);
		cr_expect_str_eq(dfx_jget(&r, "identity")
		                     ? dfx_jget(&r, "identity") : "",
		                 fld[4], "%s", fld[1]);
		dfx_resp_free(&r);
		free(req);
		json_decref(bundle);
		n++;
	}
	fclose(mf);
	cr_expect_gt(n, 0, "no rows in %s", manifest);
	dfx_fini(&f);
}

/* ---- review: hostile bytes, status codes, limits -------------------------- */

Test(server, answers_errors_about_non_utf8_client_bytes_instead_of_dropping)
{
	static const char mp[] =
		"--BB\r\nContent-Disposition: form-data; name=\"\xff\xfe\"\r\n\r\n"
		"x\r\n--BB--\r\n";
	struct dfx f;
	char *ans = NULL, member[128], body[256];
	json_t *j;
	int code;

	dfx_init(&f);
	dfx_start(&f, NULL);
	/* A Content-Type that is not UTF-8: still a 415 with a JSON body. */
	code = dfx_raw_post(&f, "/v1/verify", "text/\xff\xfe", "x", 1, &ans);
	cr_expect_eq(code, 415, "answer: %s", ans);
	j = dfx_raw_body_json(ans);
	cr_expect_str_eq(j ? json_string_value(json_object_get(j, "error"))
	                   : "", "unsupported-media-type");
	json_decref(j);
	free(ans);
	code = dfx_raw_post(&f, "/v1/verify",
	                    "application/json; charset="
	                    "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
	                    "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
	                    "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
	                    "\xff\xff\xff\xff\xff\xff\xff", "{}", 2, NULL);
	cr_expect_eq(code, 415);
	/* An unknown member whose name is cut inside a UTF-8 sequence. */
	memset(member, 0, sizeof(member));
	member[0] = 'a';
	for (code = 0; code < 40; code++)
		memcpy(member + 1 + 2 * code, "\xc3\xa9", 2);
	snprintf(body, sizeof(body), "{\"%s\":1}", member);
	ans = NULL;
	code = dfx_raw_post(&f, "/v1/verify", "application/json", body,
	                    strlen(body), &ans);
	cr_expect_eq(code, 400, "answer: %s", ans);
	j = dfx_raw_body_json(ans);
	cr_expect_not_null(j, "the error body must be valid JSON: %s", ans);
	cr_expect_str_eq(j ? json_string_value(json_object_get(j, "error"))
	                   : "", "bad-request");
	json_decref(j);
	free(ans);
	/* A multipart part name that is not UTF-8. */
	code = dfx_raw_post(&f, "/v1/verify",
	                    "multipart/form-data; boundary=BB", mp,
	                    sizeof(mp) - 1, NULL);
	cr_expect_eq(code, 400);
	dfx_fini(&f);
}

Test(server, answers_401_for_an_unknown_token_on_the_admin_endpoint)
{
	struct dfx f;
	struct dfx_resp r;
	const char *extra[] = { "--token-file", NULL, "--admin-token-file",
	                        NULL, NULL };

	dfx_init(&f);
	extra[1] = f.tokens;
	extra[3] = f.admin;
	dfx_start(&f, extra);
	/* Not a token at all: 401, like everywhere under /v1/. */
	r = dfx_http(&f, "POST", "/v1/admin/reload", NULL, NULL, 0,
	             "not-a-configured-token-000000");
	cr_expect_eq(r.code, 401, "%s", r.body);
	cr_expect_str_eq(dfx_jget(&r, "error") ? dfx_jget(&r, "error") : "",
	                 "invalid-token");
	dfx_resp_free(&r);
	/* A valid token that is not an admin token: 403. */
	r = dfx_http(&f, "POST", "/v1/admin/reload", NULL, NULL, 0, TOKEN);
	cr_expect_eq(r.code, 403, "%s", r.body);
	dfx_resp_free(&r);
	r = dfx_http(&f, "POST", "/v1/admin/reload", NULL, NULL, 0,
	             ADMIN_TOKEN);
	cr_expect_eq(r.code, 200, "%s", r.body);
	dfx_resp_free(&r);
	dfx_fini(&f);
}

Test(server, refuses_an_artifact_limit_that_overflows_the_body_limit)
{
	const char *const extra[] = { "--max-artifact-bytes", "17179869183G",
	                              NULL };
	struct dfx f;
	int status = 0;

	dfx_init(&f);
	cr_expect_eq(dfx_start_status(&f, extra, &status), -1,
	             "a limit of ~2^64 bytes must be refused at start-up");
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 2, "status %d",
	          status);
	dfx_fini(&f);
}

/* ---- issue 8: hardening ---------------------------------------------------- */

Test(server, refuses_a_request_of_too_many_json_values)
{
	const size_t members = 100000;
	struct dfx f;
	char *body, *p;
	size_t i;
	int code;
	char *ans = NULL;
	json_t *j;

	dfx_init(&f);
	dfx_start(&f, NULL);
	body = malloc(members * 16 + 256);
	cr_assert_not_null(body);
	p = body + sprintf(body, "{\"bundle\":{");
	for (i = 0; i < members; i++)
		p += sprintf(p, "%s\"%zx\":0", i ? "," : "", i);
	p += sprintf(p, "},\"digest\":\"%s\",\"artifact\":\"" ARTIFACT_NAME
	             "\"}", f.digest);
	code = dfx_raw_post(&f, "/v1/verify", "application/json", body,
	                    (size_t)(p - body), &ans);
	cr_expect_eq(code, 400, "answer: %.300s", ans ? ans : "");
	j = dfx_raw_body_json(ans);
	cr_expect_str_eq(j ? json_string_value(json_object_get(j, "error"))
	                   : "", "too-many-values");
	json_decref(j);
	free(ans);
	free(body);
	dfx_fini(&f);
}

/* Issue 12: the daemon finds the bundle's bytes in the request and parses
 * them once; every request it cannot take that way (a key written with
 * escapes, JSON that is broken or has duplicates inside the bundle,
 * trailing bytes) is answered as the whole parse answers it. */
static char *
edited(const char *req, const char *find, const char *put)
{
	const char *at = strstr(req, find);
	size_t pre, flen = strlen(find), plen = strlen(put);
	char *s;

	cr_assert_not_null(at, "no %s in the request", find);
	pre = (size_t)(at - req);
	s = malloc(strlen(req) - flen + plen + 1);
	cr_assert_not_null(s);
	memcpy(s, req, pre);
	memcpy(s + pre, put, plen);
	strcpy(s + pre + plen, at + flen);
	return s;
}

Test(server, the_bundle_parsed_once_gets_the_answers_of_a_whole_parse)
{
	struct dfx f;
	struct dfx_resp r;
	char *req, *s;

	dfx_init(&f);
	dfx_start(&f, NULL);
	req = dfx_request_json(f.bundle, f.digest, ARTIFACT_NAME, NULL, NULL);
	cr_assert_eq(strncmp(req, "{\"bundle\":{", 11), 0, "%.40s", req);

	/* The same key spelled with an escape: the same request. */
	s = edited(req, "\"bundle\"", "\"bun\\u0064le\"");
	r = dfx_post_verify(&f, s, NULL);
	cr_expect_eq(r.code, 200, "%s", r.body);
	cr_expect_str_eq(dfx_jget(&r, "status"), "verified");
	dfx_resp_free(&r);
	free(s);
	/* Whitespace inside and around the bundle changes nothing. */
	s = edited(req, "{\"bundle\":{", "{ \"bundle\" :\n {\t");
	r = dfx_post_verify(&f, s, NULL);
	cr_expect_eq(r.code, 200, "%s", r.body);
	dfx_resp_free(&r);
	free(s);
	/* Broken JSON inside the bundle is a malformed request. */
	s = edited(req, "{\"bundle\":{", "{\"bundle\":{\"x\"::1,");
	dfx_expect_code(&f, s, 400, "bad-json");
	free(s);
	/* So is a member twice inside the bundle. */
	s = edited(req, "{\"bundle\":{", "{\"bundle\":{\"x\":1,\"x\":2,");
	dfx_expect_code(&f, s, 400, "bad-json");
	free(s);
	/* And bytes after the request object. */
	s = malloc(strlen(req) + 3);
	cr_assert_not_null(s);
	strcpy(s, req);
	strcat(s, " x");
	dfx_expect_code(&f, s, 400, "bad-json");
	free(s);
	/* A bundle that parses but is not one: the bundle's failure, 422
	 * at step bundle-format. */
	s = edited(req, "{\"bundle\":{", "{\"bundle\":{\"x\":1,");
	r = dfx_post_verify(&f, s, NULL);
	cr_expect_eq(r.code, 422, "%s", r.body);
	cr_expect(r.body != NULL &&
	          strstr(r.body, "\"step\":\"bundle-format\"") != NULL,
	          "%s", r.body ? r.body : "");
	dfx_resp_free(&r);
	free(s);
	free(req);
	dfx_fini(&f);
}
