/* test_sign_net.c - the signing transport: a program's own transport is
 * held to the same URL policy and size bound as libcurl, and services'
 * error answers become one safe line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "sign/sign.h"

TestSuite(sign_net, .timeout = 30);

struct fake {
	int calls;
	long status;
	const char *body;
	int fail;
};

static int
fake_request(void *ctx, const char *method, const char *url,
             const char *const *headers, const void *req_body, size_t req_len,
             size_t max_bytes, long *status, char content_type[128],
             unsigned char **body, size_t *body_len, char *why, size_t whylen)
{
	struct fake *f = ctx;
	(void)method;
	(void)url;
	(void)headers;
	(void)req_body;
	(void)req_len;
	(void)max_bytes; /* a careless transport: ignores the bound */
	f->calls++;
	if (f->fail) {
		snprintf(why, whylen, "connection refused");
		return -1;
	}
	*status = f->status;
	snprintf(content_type, 128, "application/json");
	*body = (unsigned char *)strdup(f->body);
	*body_len = strlen(f->body);
	return 0;
}

static int
call(struct fake *f, const char *url, size_t max, pv_net_response *r,
     char *why, size_t whylen)
{
	pyverify_transport t = { fake_request, f };
	struct pv_sign_net n;
	memset(&n, 0, sizeof(n));
	n.transport = &t;
	return pv_sign_http(&n, "POST", url, NULL, "{}", 2, max, 0, r, why,
	                    whylen);
}

Test(sign_net, transport_answer_is_wrapped)
{
	struct fake f = { 0, 201, "{\"ok\":true}", 0 };
	pv_net_response r;
	char why[256];
	cr_assert_eq(call(&f, "https://rekor.test/api", 1024, &r, why,
	                  sizeof(why)),
	             0, "%s", why);
	cr_assert_eq(r.status, 201);
	cr_assert_eq(r.len, 11);
	cr_assert_eq(r.body[r.len], '\0');
	cr_assert_str_eq(r.content_type, "application/json");
	pv_net_response_free(&r);
}

Test(sign_net, transport_over_the_bound_is_refused)
{
	struct fake f = { 0, 200, "0123456789abcdef", 0 };
	pv_net_response r;
	char why[256];
	cr_assert_eq(call(&f, "https://rekor.test/api", 8, &r, why,
	                  sizeof(why)),
	             PV_NET_ETOOBIG);
	cr_assert(strstr(why, "rekor.test") != NULL, "%s", why);
	cr_assert_null(r.body);
}

Test(sign_net, transport_failure_names_the_url)
{
	struct fake f = { 0, 0, "", 1 };
	pv_net_response r;
	char why[256];
	cr_assert_eq(call(&f, "https://user:secret@fulcio.test/x?t=tok", 8, &r,
	                  why, sizeof(why)),
	             PV_NET_EFAIL);
	cr_assert(strstr(why, "connection refused") != NULL, "%s", why);
	cr_assert(strstr(why, "fulcio.test") != NULL, "%s", why);
	cr_assert(strstr(why, "secret") == NULL, "%s", why);
	cr_assert(strstr(why, "tok") == NULL, "%s", why);
}

Test(sign_net, transport_keeps_the_url_policy)
{
	struct fake f = { 0, 200, "{}", 0 };
	pv_net_response r;
	char why[256];
	cr_assert_eq(call(&f, "http://rekor.example.org/api", 64, &r, why,
	                  sizeof(why)),
	             PV_NET_EURL);
	cr_assert_eq(f.calls, 0);
	cr_assert_eq(call(&f, "http://127.0.0.1:9/api", 64, &r, why,
	                  sizeof(why)),
	             0, "%s", why);
	pv_net_response_free(&r);
	cr_assert_eq(f.calls, 1);
}

Test(sign_net, transport_bad_status_is_refused)
{
	struct fake f = { 0, 42, "{}", 0 };
	pv_net_response r;
	char why[256];
	cr_assert_eq(call(&f, "https://rekor.test/api", 64, &r, why,
	                  sizeof(why)),
	             PV_NET_EFAIL);
}

static void
error_text(long status, const char *body, const char *want)
{
	pv_net_response r;
	char out[200];
	memset(&r, 0, sizeof(r));
	r.status = status;
	r.body = (uint8_t *)(body != NULL ? strdup(body) : NULL);
	r.len = body != NULL ? strlen(body) : 0;
	pv_sign_http_error(out, sizeof(out), &r);
	cr_assert_str_eq(out, want);
	free(r.body);
}

Test(sign_net, service_messages_are_quoted_safely)
{
	error_text(400, "{\"code\":3,\"message\":\"bad CSR\"}", "HTTP 400: bad CSR");
	error_text(409, "{\"error\":\"exists\"}", "HTTP 409: exists");
	error_text(500, "upstream down\nstack trace", "HTTP 500: upstream down");
	error_text(502, "<html><body>Bad gateway</body></html>", "HTTP 502");
	error_text(503, NULL, "HTTP 503");
	error_text(400, "{\"message\":\"a\\u001b[31mb\"}", "HTTP 400: a?[31mb");
	error_text(400, "{\"message\":7}", "HTTP 400");
	char long_msg[1000];
	memset(long_msg, 'x', sizeof(long_msg) - 1);
	long_msg[sizeof(long_msg) - 1] = '\0';
	pv_net_response r = { 400, (uint8_t *)long_msg, strlen(long_msg), "" };
	char out[64];
	pv_sign_http_error(out, sizeof(out), &r);
	cr_assert_eq(strlen(out), 63);
}
