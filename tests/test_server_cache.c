/*
 * test_server_cache.c - pyverifyd's verdict cache (issue #12): a JSON body
 * asked before is answered from its raw bytes before it is parsed, and
 * such an answer is exactly the one a fresh verification gives for the
 * same bytes under the same trust material; bytes that ask another
 * question, a reload, and access control are never short-cut by it.
 * Harness: tests/support/daemon_fx.c. Only 127.0.0.1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "cli_fx.h"
#include "daemon_fx.h"
#include "vsigstore.h"

#define ARTIFACT_NAME DFX_ARTIFACT_NAME

TestSuite(server_cache, .timeout = 120);

/* A counter of /metrics (without labels). */
static long
metric(struct dfx *f, const char *name)
{
	struct dfx_resp r = dfx_http(f, "GET", "/metrics", NULL, NULL, 0, NULL);
	char pat[128];
	const char *p;
	long v = -1;

	cr_assert_eq(r.code, 200);
	snprintf(pat, sizeof(pat), "\n%s ", name);
	p = strstr(r.body, pat);
	if (p != NULL)
		v = strtol(p + strlen(pat), NULL, 10);
	dfx_resp_free(&r);
	return v;
}

/* POSTs body and expects code; returns the answer's body (malloc'd). */
static char *
post(struct dfx *f, const char *ctype, const char *body, long code,
     const char *token)
{
	struct dfx_resp r = dfx_http(f, "POST", "/v1/verify", ctype, body,
	                             strlen(body), token);
	char *b;

	cr_assert_eq(r.code, code, "expected %ld, got %ld: %s", code, r.code,
	             r.body ? r.body : "");
	b = strdup(r.body != NULL ? r.body : "");
	dfx_resp_free(&r);
	return b;
}

/* The same request as JSON with other whitespace. */
static char *
reindent(const char *req)
{
	json_t *doc = json_loads(req, 0, NULL);
	char *s;

	cr_assert_not_null(doc);
	s = json_dumps(doc, JSON_INDENT(3) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	cr_assert_not_null(s);
	return s;
}

Test(server_cache, a_repeated_body_gets_the_answer_a_fresh_verification_gives)
{
	struct dfx f, g;
	char *req, *bad, *first, *again, *fresh, *b1, *b2;
	const char *nocache[] = { "--cache-entries", "0", NULL };
	char other[72];

	dfx_init(&f);
	dfx_start(&f, NULL);
	req = dfx_request_json(f.bundle, f.digest, ARTIFACT_NAME, NULL, NULL);
	first = post(&f, "application/json", req, 200, NULL);
	again = post(&f, "application/json", req, 200, NULL);
	cr_expect_str_eq(again, first);
	cr_expect_eq(metric(&f, "pyverifyd_cache_hits_total"), 1);
	cr_expect_eq(metric(&f, "pyverifyd_cache_misses_total"), 1);
	/* A failing verdict is cached as it is, with its status code. */
	cfx_digest(other, "tampered\n", 9);
	bad = dfx_request_json(f.bundle, other, ARTIFACT_NAME, NULL, NULL);
	b1 = post(&f, "application/json", bad, 422, NULL);
	b2 = post(&f, "application/json", bad, 422, NULL);
	cr_expect_str_eq(b2, b1);
	cr_expect_eq(metric(&f, "pyverifyd_cache_hits_total"), 2);

	/* The same bytes to a server without a cache, on the same trust
	 * material: the same answers, byte for byte. */
	dfx_init(&g);
	{
		char *root = vs_trust_root_string(f.vs);
		cfx_write_text(g.root, root);
		free(root);
	}
	dfx_start(&g, nocache);
	fresh = post(&g, "application/json", req, 200, NULL);
	cr_expect_str_eq(fresh, again);
	free(fresh);
	fresh = post(&g, "application/json", bad, 422, NULL);
	cr_expect_str_eq(fresh, b2);
	free(fresh);
	cr_expect_eq(metric(&g, "pyverifyd_cache_hits_total"), 0);
	dfx_fini(&g);

	free(req);
	free(bad);
	free(first);
	free(again);
	free(b1);
	free(b2);
	dfx_fini(&f);
}

Test(server_cache, other_bytes_share_an_entry_only_when_they_ask_the_same)
{
	struct dfx f;
	char *req, *spaced, *first, *a, *b, *c, *renamed;

	dfx_init(&f);
	dfx_start(&f, NULL);
	req = dfx_request_json(f.bundle, f.digest, ARTIFACT_NAME, NULL, NULL);
	spaced = reindent(req);
	cr_assert_str_neq(spaced, req);
	first = post(&f, "application/json", req, 200, NULL);
	/* Whitespace only: the parsed question is the same, so is the
	 * answer, from the cache. */
	a = post(&f, "application/json", spaced, 200, NULL);
	cr_expect_str_eq(a, first);
	cr_expect_eq(metric(&f, "pyverifyd_cache_hits_total"), 1);
	cr_expect_eq(metric(&f, "pyverifyd_cache_misses_total"), 1);
	/* Another Content-Type spelling of the same bytes: the same. */
	b = post(&f, "application/json; charset=utf-8", req, 200, NULL);
	cr_expect_str_eq(b, first);
	cr_expect_eq(metric(&f, "pyverifyd_cache_hits_total"), 2);
	/* Another question in nearly the same bytes is verified afresh. */
	renamed = dfx_request_json(f.bundle, f.digest, "hello.txt", NULL,
	                           NULL);
	c = post(&f, "application/json", renamed, 422, NULL);
	cr_expect_not_null(strstr(c, "unknown-release"), "%s", c);
	cr_expect_eq(metric(&f, "pyverifyd_cache_misses_total"), 2);
	free(c);
	/* And once more: its own entry, not the first one's. */
	c = post(&f, "application/json", renamed, 422, NULL);
	cr_expect_not_null(strstr(c, "unknown-release"), "%s", c);
	cr_expect_eq(metric(&f, "pyverifyd_cache_hits_total"), 3);
	/* A malformed body is never answered from an entry. */
	free(c);
	c = post(&f, "application/json", "{\"bundle\":", 400, NULL);
	free(c);
	c = post(&f, "application/json", "{\"bundle\":", 400, NULL);
	cr_expect_eq(metric(&f, "pyverifyd_cache_hits_total"), 3);
	free(c);
	free(req);
	free(spaced);
	free(renamed);
	free(first);
	free(a);
	free(b);
	dfx_fini(&f);
}

Test(server_cache, a_reload_makes_the_same_bytes_verified_again)
{
	struct dfx f;
	struct dfx_resp r;
	struct vs *vs2;
	char *req, *root2, *x;
	const char *extra[] = { "--admin-token-file", NULL, NULL };

	dfx_init(&f);
	extra[1] = f.admin;
	dfx_start(&f, extra);
	req = dfx_request_json(f.bundle, f.digest, ARTIFACT_NAME, NULL, NULL);
	free(post(&f, "application/json", req, 200, NULL));
	free(post(&f, "application/json", req, 200, NULL));
	cr_expect_eq(metric(&f, "pyverifyd_cache_hits_total"), 1);
	/* Another Sigstore's root: the bytes answered 200 before are
	 * verified again under it, and fail. */
	vs2 = vs_new();
	root2 = vs_trust_root_string(vs2);
	cfx_write_text(f.root, root2);
	r = dfx_http(&f, "POST", "/v1/admin/reload", NULL, NULL, 0,
	             DFX_ADMIN_TOKEN);
	cr_expect_eq(r.code, 200, "%s", r.body);
	dfx_resp_free(&r);
	x = post(&f, "application/json", req, 422, NULL);
	cr_expect_not_null(strstr(x, "\"status\":\"failed\""), "%s", x);
	free(x);
	cr_expect_eq(metric(&f, "pyverifyd_cache_hits_total"), 1);
	cr_expect_eq(metric(&f, "pyverifyd_cache_misses_total"), 2);
	free(req);
	free(root2);
	vs_free(vs2);
	dfx_fini(&f);
}

Test(server_cache, a_cached_body_still_needs_its_token)
{
	struct dfx f;
	char *req, *x;
	const char *extra[] = { "--token-file", NULL, NULL };

	dfx_init(&f);
	extra[1] = f.tokens;
	dfx_start(&f, extra);
	req = dfx_request_json(f.bundle, f.digest, ARTIFACT_NAME, NULL, NULL);
	free(post(&f, "application/json", req, 200, DFX_TOKEN));
	x = post(&f, "application/json", req, 401, NULL);
	cr_expect_not_null(strstr(x, "missing-token"), "%s", x);
	free(x);
	x = post(&f, "application/json", req, 401,
	         "test-token-0123456789abcdeX");
	cr_expect_not_null(strstr(x, "invalid-token"), "%s", x);
	free(x);
	free(post(&f, "application/json", req, 200, DFX_TOKEN));
	cr_expect_eq(metric(&f, "pyverifyd_cache_hits_total"), 1);
	free(req);
	dfx_fini(&f);
}
