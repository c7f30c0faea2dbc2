/* test_net.c - the libcurl transport against the loopback server. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <microhttpd.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "http_fx.h"
#include "net/net.h"

static struct hfx *srv;

static void
start(void)
{
	srv = hfx_start();
}

static void
stop(void)
{
	hfx_stop(srv);
	srv = NULL;
}

/* Quick retries, so the file stays fast; bounded timeouts throughout. */
static pv_net_opts
quick(void)
{
	pv_net_opts o = { 0 };

	o.connect_timeout_ms = 2000;
	o.total_timeout_ms = 5000;
	o.retries = 2;
	o.retry_base_ms = 10;
	return o;
}

static void
url_of(char *out, size_t n, const char *path)
{
	snprintf(out, n, "%s%s", hfx_url(srv), path);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A loopback port nothing listens on: bound, then closed. */
static unsigned
closed_port(void)
{
	struct sockaddr_in sa = { 0 };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	cr_assert(fd >= 0);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

TestSuite(net, .init = start, .fini = stop, .timeout = 15);

Test(net, get_returns_the_body_nul_terminated)
{
	pv_net_opts o = quick();
	char url[256], why[512] = "";
	uint8_t *body = NULL;
	size_t len = 0;

	hfx_put(srv, "/1.root.json", "{\"a\":1}", 7);
	url_of(url, sizeof(url), "/1.root.json");
	cr_assert_eq(pv_net_get(&o, url, 1024, &body, &len, why, sizeof(why)),
	             PV_NET_OK, "%s", why);
	cr_assert_eq(len, 7);
	cr_assert_str_eq((char *)body, "{\"a\":1}");
	free(body);
	cr_assert_eq(hfx_count(srv, "/1.root.json"), 1);
}

Test(net, get_of_an_empty_file_gives_an_empty_string)
{
	pv_net_opts o = quick();
	char url[256], why[512] = "";
	uint8_t *body = NULL;
	size_t len = 7;

	hfx_put(srv, "/empty", "", 0);
	url_of(url, sizeof(url), "/empty");
	cr_assert_eq(pv_net_get(&o, url, 1024, &body, &len, why, sizeof(why)),
	             PV_NET_OK, "%s", why);
	cr_assert_eq(len, 0);
	cr_assert_not_null(body);
	cr_assert_eq(body[0], '\0');
	free(body);
}

Test(net, get_maps_404_and_403_to_not_found_without_retry)
{
	pv_net_opts o = quick();
	char url[256], why[512] = "";
	uint8_t *body = NULL;
	size_t len = 0;

	url_of(url, sizeof(url), "/2.root.json");
	cr_assert_eq(pv_net_get(&o, url, 1024, &body, &len, why, sizeof(why)),
	             PV_NET_ENOTFOUND);
	cr_assert_null(body);
	cr_assert_not_null(strstr(why, url), "%s", why);
	cr_assert_not_null(strstr(why, "HTTP 404"), "%s", why);
	cr_assert_eq(hfx_count(srv, "/2.root.json"), 1);

	hfx_set_status(srv, "/forbidden", 403);
	url_of(url, sizeof(url), "/forbidden");
	cr_assert_eq(pv_net_get(&o, url, 1024, &body, &len, why, sizeof(why)),
	             PV_NET_ENOTFOUND);
	cr_assert_eq(hfx_count(srv, "/forbidden"), 1);
}

Test(net, get_maps_other_4xx_to_failure_with_the_status)
{
	pv_net_opts o = quick();
	char url[256], why[512] = "";
	uint8_t *body = NULL;
	size_t len = 0;

	hfx_set_status(srv, "/teapot", 418);
	url_of(url, sizeof(url), "/teapot");
	cr_assert_eq(pv_net_get(&o, url, 1024, &body, &len, why, sizeof(why)),
	             PV_NET_EFAIL);
	cr_assert_not_null(strstr(why, "HTTP 418"), "%s", why);
	cr_assert_eq(hfx_count(srv, "/teapot"), 1);
}

Test(net, get_retries_503_and_then_succeeds)
{
	pv_net_opts o = quick();
	char url[256], why[512] = "";
	uint8_t *body = NULL;
	size_t len = 0;

	hfx_put(srv, "/timestamp.json", "ts", 2);
	hfx_fail_times(srv, "/timestamp.json", 503, 2);
	url_of(url, sizeof(url), "/timestamp.json");
	cr_assert_eq(pv_net_get(&o, url, 1024, &body, &len, why, sizeof(why)),
	             PV_NET_OK, "%s", why);
	cr_assert_str_eq((char *)body, "ts");
	free(body);
	cr_assert_eq(hfx_count(srv, "/timestamp.json"), 3);
}

Test(net, get_gives_up_on_503_after_retries_plus_one_requests)
{
	pv_net_opts o = quick();
	char url[256], why[512] = "";
	uint8_t *body = NULL;
	size_t len = 0;

	hfx_set_status(srv, "/down", 503);
	url_of(url, sizeof(url), "/down");
	cr_assert_eq(pv_net_get(&o, url, 1024, &body, &len, why, sizeof(why)),
	             PV_NET_EFAIL);
	cr_assert_null(body);
	cr_assert_eq(hfx_count(srv, "/down"), 3);
	cr_assert_not_null(strstr(why, "HTTP 503 after 3 attempts"), "%s",
	                   why);
	cr_assert_not_null(strstr(why, url), "%s", why);
}

Test(net, get_retries_429)
{
	pv_net_opts o = quick();
	char url[256], why[512] = "";
	uint8_t *body = NULL;
	size_t len = 0;

	hfx_put(srv, "/busy", "ok", 2);
	hfx_fail_times(srv, "/busy", 429, 1);
	url_of(url, sizeof(url), "/busy");
	cr_assert_eq(pv_net_get(&o, url, 1024, &body, &len, why, sizeof(why)),
	             PV_NET_OK, "%s", why);
	free(body);
	cr_assert_eq(hfx_count(srv, "/busy"), 2);
}

Test(net, negative_retries_mean_one_attempt)
{
	pv_net_opts o = quick();
	char url[256], why[512] = "";
	uint8_t *body = NULL;
	size_t len = 0;

	o.retries = -1;
	hfx_set_status(srv, "/down", 500);
	url_of(url, sizeof(url), "/down");
	cr_assert_eq(pv_net_get(&o, url, 1024, &body, &len, why, sizeof(why)),
	             PV_NET_EFAIL);
	cr_assert_eq(hfx_count(srv, "/down"), 1);
}

Test(net, endless_body_is_cut_at_max_bytes_quickly)
{
	pv_net_opts o = quick();
	char url[256], why[512] = "";
	uint8_t *body = NULL;
	size_t len = 0;
	double t0 = now_s();

	hfx_endless(srv, "/snapshot.json");
	url_of(url, sizeof(url), "/snapshot.json");
	cr_assert_eq(pv_net_get(&o, url, 16384, &body, &len, why, sizeof(why)),
	             PV_NET_ETOOBIG, "%s", why);
	cr_assert_null(body);
	cr_assert_lt(now_s() - t0, 3.0);
	cr_assert_not_null(strstr(why, "answer larger than 16384 bytes"), "%s",
	                   why);
	cr_assert_not_null(strstr(why, url), "%s", why);
	/* Too big is an attack, not an outage: not retried. */
	cr_assert_eq(hfx_count(srv, "/snapshot.json"), 1);
}

Test(net, announced_length_above_max_is_refused)
{
	pv_net_opts o = quick();
	char url[256], why[512] = "";
	static uint8_t big[10000];
	uint8_t *body = NULL;
	size_t len = 0;

	memset(big, 'b', sizeof(big));
	hfx_put(srv, "/big", big, sizeof(big));
	url_of(url, sizeof(url), "/big");
	cr_assert_eq(pv_net_get(&o, url, 100, &body, &len, why, sizeof(why)),
	             PV_NET_ETOOBIG, "%s", why);
	cr_assert_eq(hfx_count(srv, "/big"), 1);
	/* Exactly max bytes is fine. */
	cr_assert_eq(pv_net_get(&o, url, sizeof(big), &body, &len, why,
	                        sizeof(why)),
	             PV_NET_OK, "%s", why);
	cr_assert_eq(len, sizeof(big));
	free(body);
}

Test(net, trickle_below_the_low_speed_limit_fails_in_bounded_time)
{
	pv_net_opts o = quick();
	char url[256], why[512] = "";
	static uint8_t data[4096];
	uint8_t *body = NULL;
	size_t len = 0;
	double t0 = now_s();

	memset(data, 't', sizeof(data));
	hfx_put(srv, "/targets.json", data, sizeof(data));
	hfx_trickle(srv, "/targets.json", 100);
	o.low_speed_bytes = 1000;
	o.low_speed_seconds = 1;
	url_of(url, sizeof(url), "/targets.json");
	cr_assert_eq(pv_net_get(&o, url, sizeof(data), &body, &len, why,
	                        sizeof(why)),
	             PV_NET_EFAIL);
	cr_assert_null(body);
	cr_assert_lt(now_s() - t0, 4.0);
	cr_assert_not_null(strstr(why, "too slow"), "%s", why);
	cr_assert_not_null(strstr(why, url), "%s", why);
	cr_assert_eq(hfx_count(srv, "/targets.json"), 1);
}

Test(net, total_timeout_ends_a_transfer_that_is_just_fast_enough)
{
	pv_net_opts o = quick();
	char url[256], why[512] = "";
	static uint8_t data[1000];
	uint8_t *body = NULL;
	size_t len = 0;
	double t0 = now_s();

	memset(data, 't', sizeof(data));
	hfx_put(srv, "/slow", data, sizeof(data));
	hfx_trickle(srv, "/slow", 20);
	o.low_speed_bytes = 1;
	o.low_speed_seconds = 5;
	o.total_timeout_ms = 1000;
	url_of(url, sizeof(url), "/slow");
	cr_assert_eq(pv_net_get(&o, url, sizeof(data), &body, &len, why,
	                        sizeof(why)),
	             PV_NET_EFAIL);
	cr_assert_lt(now_s() - t0, 3.0);
	cr_assert_not_null(strstr(why, "timed out after 1 s"), "%s", why);
}

Test(net, connection_refused_names_the_url)
{
	pv_net_opts o = quick();
	char url[256], why[512] = "";
	uint8_t *body = NULL;
	size_t len = 0;

	o.retries = 1;
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/root.json",
	         closed_port());
	cr_assert_eq(pv_net_get(&o, url, 1024, &body, &len, why, sizeof(why)),
	             PV_NET_EFAIL);
	cr_assert_null(body);
	cr_assert_not_null(strstr(why, url), "%s", why);
	cr_assert_not_null(strstr(why, "connection refused after 2 attempts"),
	                   "%s", why);
}

Test(net, messages_never_show_a_password)
{
	pv_net_opts o = quick();
	char url[256], why[512] = "", shown[256];
	uint8_t *body = NULL;
	size_t len = 0;

	o.retries = -1;
	snprintf(url, sizeof(url), "http://user:s3cret@127.0.0.1:%u/x?tok=1",
	         closed_port());
	cr_assert_eq(pv_net_get(&o, url, 1024, &body, &len, why, sizeof(why)),
	             PV_NET_EFAIL);
	cr_assert_null(strstr(why, "s3cret"), "%s", why);
	cr_assert_null(strstr(why, "tok=1"), "%s", why);
	pv_net_url_for_msg(shown, sizeof(shown),
	                   "https://u:pw@example.org/a/b?q=1#f");
	cr_assert_str_eq(shown, "https://example.org/a/b");
	pv_net_url_for_msg(shown, sizeof(shown), "not a url://u:pw@h/\n");
	cr_assert_null(strstr(shown, "pw"), "%s", shown);
	cr_assert_null(strchr(shown, '\n'), "%s", shown);
}

Test(net, plain_http_to_another_host_is_refused_before_connecting)
{
	pv_net_opts o = quick();
	char why[512] = "";
	uint8_t *body = NULL;
	size_t len = 0;
	double t0 = now_s();

	/* 192.0.2.0/24 is TEST-NET-1: nothing answers, so a connection
	 * attempt would show as a timeout, not as an immediate refusal. */
	cr_assert_eq(pv_net_get(&o, "http://192.0.2.1/1.root.json", 1024,
	                        &body, &len, why, sizeof(why)),
	             PV_NET_EURL);
	cr_assert_lt(now_s() - t0, 0.5);
	cr_assert_not_null(strstr(why, "http://192.0.2.1/1.root.json"), "%s",
	                   why);
	cr_assert_not_null(strstr(why, "https://"), "%s", why);
	cr_assert_eq(pv_net_url_allowed("http://192.0.2.1/x", 1, why,
	                                sizeof(why)),
	             0);
}

Test(net, url_policy_allows_https_and_loopback_http_only)
{
	static const char *ok[] = {
		"https://tuf-repo-cdn.sigstore.dev/1.root.json",
		"https://127.0.0.1:8443/x",
		"http://localhost:8080/",
		"http://LOCALHOST/x",
		"http://127.0.0.1:1/x",
		"http://127.200.3.4/x",
		"http://[::1]:8080/x",
	};
	static const char *refused[] = {
		"",
		"http://10.0.0.1/x",
		"http://example.org/x",
		"http://127.0.0.1.example.org/x",
		"http://localhost.example.org/x",
		"http://[::2]/x",
		"ftp://example.org/x",
		"file:///etc/passwd",
		"example.org/x",
		"https://",
		"https://exa mple.org/",
	};
	char why[512];
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		cr_assert_eq(pv_net_url_allowed(ok[i], 0, why, sizeof(why)), 0,
		             "%s: %s", ok[i], why);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		why[0] = '\0';
		cr_assert_eq(pv_net_url_allowed(refused[i], 0, why,
		                                sizeof(why)),
		             PV_NET_EURL, "%s", refused[i]);
		cr_assert_neq(why[0], '\0', "%s", refused[i]);
	}
	cr_assert_eq(pv_net_url_allowed("ftp://example.org/x", 1, why,
	                                sizeof(why)),
	             PV_NET_EURL);
}

Test(net, redirect_within_loopback_is_followed)
{
	pv_net_opts o = quick();
	char url[256], why[512] = "";
	uint8_t *body = NULL;
	size_t len = 0;

	hfx_put(srv, "/new/1.root.json", "moved", 5);
	hfx_redirect(srv, "/1.root.json", 302, "/new/1.root.json");
	url_of(url, sizeof(url), "/1.root.json");
	cr_assert_eq(pv_net_get(&o, url, 1024, &body, &len, why, sizeof(why)),
	             PV_NET_OK, "%s", why);
	cr_assert_str_eq((char *)body, "moved");
	free(body);
}

Test(net, redirect_to_plain_http_elsewhere_is_refused)
{
	pv_net_opts o = quick();
	char url[256], why[512] = "";
	uint8_t *body = NULL;
	size_t len = 0;

	hfx_redirect(srv, "/1.root.json", 301, "http://192.0.2.1/1.root.json");
	url_of(url, sizeof(url), "/1.root.json");
	cr_assert_eq(pv_net_get(&o, url, 1024, &body, &len, why, sizeof(why)),
	             PV_NET_EURL);
	cr_assert_not_null(strstr(why, "redirected"), "%s", why);
	cr_assert_not_null(strstr(why, "192.0.2.1"), "%s", why);
}

Test(net, redirect_loops_end)
{
	pv_net_opts o = quick();
	char url[256], why[512] = "";
	uint8_t *body = NULL;
	size_t len = 0;

	hfx_redirect(srv, "/a", 307, "/b");
	hfx_redirect(srv, "/b", 307, "/a");
	url_of(url, sizeof(url), "/a");
	cr_assert_eq(pv_net_get(&o, url, 1024, &body, &len, why, sizeof(why)),
	             PV_NET_EFAIL);
	cr_assert_not_null(strstr(why, "redirects"), "%s", why);
	cr_assert_lt(hfx_request_count(srv), 10);
}

Test(net, escape_segment_encodes_everything_but_unreserved)
{
	char out[64];

	cr_assert_eq(pv_net_escape_segment(out, sizeof(out), "a/b c"), 0);
	cr_assert_str_eq(out, "a%2Fb%20c");
	cr_assert_eq(pv_net_escape_segment(out, sizeof(out), "1.root.json"),
	             0);
	cr_assert_str_eq(out, "1.root.json");
	cr_assert_eq(pv_net_escape_segment(out, sizeof(out), "A-z_0.9~"), 0);
	cr_assert_str_eq(out, "A-z_0.9~");
	cr_assert_eq(pv_net_escape_segment(out, sizeof(out), "r?%#\xc3\xa9"),
	             0);
	cr_assert_str_eq(out, "r%3F%25%23%C3%A9");
	cr_assert_eq(pv_net_escape_segment(out, sizeof(out), ""), 0);
	cr_assert_str_eq(out, "");
	/* "a%2Fb" needs 6 bytes with its NUL. */
	cr_assert_eq(pv_net_escape_segment(out, 6, "a/b"), 0);
	cr_assert_eq(pv_net_escape_segment(out, 5, "a/b"), -1);
}

Test(net, join_puts_exactly_one_slash_between)
{
	char out[64];

	cr_assert_eq(pv_net_join(out, sizeof(out), "http://h/repo", "x.json"),
	             0);
	cr_assert_str_eq(out, "http://h/repo/x.json");
	cr_assert_eq(pv_net_join(out, sizeof(out), "http://h/repo/",
	                         "/x.json"),
	             0);
	cr_assert_str_eq(out, "http://h/repo/x.json");
	cr_assert_eq(pv_net_join(out, sizeof(out), "http://h//", "t/a"), 0);
	cr_assert_str_eq(out, "http://h/t/a");
	cr_assert_eq(pv_net_join(out, 10, "http://h/repo", "x.json"), -1);
}

struct echo {
	char method[16];
	size_t got;
};

static void
echo_handler(void *ctx, const char *method, const char *path,
             const uint8_t *req, size_t req_len, unsigned *status,
             uint8_t **body, size_t *len, char ctype[128])
{
	struct echo *e = ctx;
	char *b = malloc(req_len + 32);

	(void)path;
	snprintf(e->method, sizeof(e->method), "%s", method);
	e->got = req_len;
	if (b == NULL) {
		*status = 500;
		return;
	}
	*len = (size_t)snprintf(b, 32, "%s:", method);
	memcpy(b + *len, req, req_len);
	*len += req_len;
	*status = 201;
	*body = (uint8_t *)b;
	snprintf(ctype, 128, "application/json");
}

Test(net, post_reaches_a_route_and_its_answer_comes_back)
{
	pv_net_opts o = quick();
	static const char *hdrs[] = { "Content-Type: application/json",
		                      NULL };
	struct echo e = { "", 0 };
	pv_net_response r;
	char url[256], why[512] = "";

	hfx_route(srv, "/api/v1/log/entries", echo_handler, &e);
	url_of(url, sizeof(url), "/api/v1/log/entries");
	cr_assert_eq(pv_net_request(&o, "POST", url, hdrs, "{\"k\":2}", 7,
	                            4096, 0, &r, why, sizeof(why)),
	             PV_NET_OK, "%s", why);
	cr_assert_eq(r.status, 201);
	cr_assert_eq(r.len, 12);
	cr_assert_str_eq((char *)r.body, "POST:{\"k\":2}");
	cr_assert_str_eq(r.content_type, "application/json");
	cr_assert_str_eq(e.method, "POST");
	cr_assert_eq(e.got, 7);
	pv_net_response_free(&r);
	cr_assert_null(r.body);
	pv_net_response_free(NULL);
}

Test(net, post_with_a_large_body_arrives_whole)
{
	pv_net_opts o = quick();
	struct echo e = { "", 0 };
	pv_net_response r;
	char url[256], why[512] = "";
	size_t n = 300000;
	uint8_t *big = malloc(n);

	cr_assert_not_null(big);
	memset(big, 'p', n);
	hfx_route(srv, "/upload", echo_handler, &e);
	url_of(url, sizeof(url), "/upload");
	cr_assert_eq(pv_net_request(&o, "PUT", url, NULL, big, n, n + 64, 0,
	                            &r, why, sizeof(why)),
	             PV_NET_OK, "%s", why);
	cr_assert_eq(e.got, n);
	cr_assert_str_eq(e.method, "PUT");
	cr_assert_eq(r.len, n + 4);
	pv_net_response_free(&r);
	free(big);
}

Test(net, post_is_not_retried_on_503_unless_asked)
{
	pv_net_opts o = quick();
	pv_net_response r;
	char url[256], why[512] = "";

	hfx_set_status(srv, "/sign", 503);
	url_of(url, sizeof(url), "/sign");
	cr_assert_eq(pv_net_request(&o, "POST", url, NULL, "x", 1, 4096, 0,
	                            &r, why, sizeof(why)),
	             PV_NET_OK, "%s", why);
	cr_assert_eq(r.status, 503);
	pv_net_response_free(&r);
	cr_assert_eq(hfx_count(srv, "/sign"), 1);

	cr_assert_eq(pv_net_request(&o, "POST", url, NULL, "x", 1, 4096, 1,
	                            &r, why, sizeof(why)),
	             PV_NET_OK, "%s", why);
	cr_assert_eq(r.status, 503);
	pv_net_response_free(&r);
	cr_assert_eq(hfx_count(srv, "/sign"), 1 + 3);
}

Test(net, request_refuses_header_injection_and_odd_methods)
{
	pv_net_opts o = quick();
	static const char *hdrs[] = { "X-A: 1\r\nX-B: 2", NULL };
	pv_net_response r;
	char url[256], why[512] = "";

	url_of(url, sizeof(url), "/x");
	cr_assert_eq(pv_net_request(&o, "POST", url, hdrs, NULL, 0, 4096, 0,
	                            &r, why, sizeof(why)),
	             PV_NET_EURL);
	cr_assert_null(r.body);
	cr_assert_eq(pv_net_request(&o, "GET /x HTTP/1.1\r\n", url, NULL, NULL,
	                            0, 4096, 0, &r, why, sizeof(why)),
	             PV_NET_EURL);
	cr_assert_eq(hfx_request_count(srv), 0);
}

Test(net, request_log_keeps_raw_paths_in_order)
{
	pv_net_opts o = quick();
	char url[256], why[512] = "";
	uint8_t *body = NULL;
	size_t len = 0;
	char *log;

	hfx_put(srv, "/targets/a%2Fb.json", "d", 1);
	url_of(url, sizeof(url), "/targets/a%2Fb.json?x=1");
	cr_assert_eq(pv_net_get(&o, url, 1024, &body, &len, why, sizeof(why)),
	             PV_NET_OK, "%s", why);
	free(body);
	url_of(url, sizeof(url), "/missing");
	cr_assert_eq(pv_net_get(&o, url, 1024, &body, &len, why, sizeof(why)),
	             PV_NET_ENOTFOUND);
	log = hfx_log(srv);
	cr_assert_str_eq(log, "GET /targets/a%2Fb.json\nGET /missing\n");
	free(log);
	hfx_clear_log(srv);
	cr_assert_eq(hfx_request_count(srv), 0);
}

/* ---- TLS: a self-signed certificate for 127.0.0.1, minted here ---- */

struct tls_fx {
	char cert[4096], key[4096];
	char ca_path[64];
};

static void
pem_of(BIO *b, char *out, size_t n)
{
	char *p;
	long len = BIO_get_mem_data(b, &p);

	cr_assert(len > 0 && (size_t)len < n);
	memcpy(out, p, (size_t)len);
	out[len] = '\0';
}

static void
mint_tls(struct tls_fx *t)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	BIO *cb = BIO_new(BIO_s_mem()), *kb = BIO_new(BIO_s_mem());
	int fd;

	cr_assert(k && x && name && cb && kb);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	                           (const unsigned char *)"http_fx", -1, -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, name);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, k);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name,
	                          "IP:127.0.0.1");
	cr_assert_not_null(ext);
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
	                          "critical,CA:TRUE");
	cr_assert_not_null(ext);
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	cr_assert(X509_sign(x, k, EVP_sha256()) > 0);
	cr_assert(PEM_write_bio_X509(cb, x) == 1);
	cr_assert(PEM_write_bio_PrivateKey(kb, k, NULL, NULL, 0, NULL, NULL) ==
	          1);
	pem_of(cb, t->cert, sizeof(t->cert));
	pem_of(kb, t->key, sizeof(t->key));
	snprintf(t->ca_path, sizeof(t->ca_path), "/tmp/test_net_ca.XXXXXX");
	fd = mkstemp(t->ca_path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, t->cert, strlen(t->cert)),
	             (ssize_t)strlen(t->cert));
	close(fd);
	BIO_free(cb);
	BIO_free(kb);
	X509_NAME_free(name);
	X509_free(x);
	EVP_PKEY_free(k);
}

Test(net_tls, https_needs_a_trusted_certificate, .timeout = 15)
{
	struct tls_fx t;
	struct hfx *s;
	pv_net_opts o = quick();
	char url[256], why[512] = "";
	uint8_t *body = NULL;
	size_t len = 0;

	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
		cr_skip_test("libmicrohttpd was built without TLS");
	mint_tls(&t);
	s = hfx_start_tls(t.cert, t.key);
	hfx_put(s, "/1.root.json", "tls", 3);
	snprintf(url, sizeof(url), "%s/1.root.json", hfx_url(s));
	cr_assert_eq(strncmp(url, "https://", 8), 0);

	/* The system store does not know the minted certificate. */
	cr_assert_eq(pv_net_get(&o, url, 1024, &body, &len, why, sizeof(why)),
	             PV_NET_EFAIL);
	cr_assert_not_null(strstr(why, "TLS certificate not trusted"), "%s",
	                   why);
	cr_assert_not_null(strstr(why, url), "%s", why);
	cr_assert_eq(hfx_count(s, "/1.root.json"), 0);

	/* Named as the CA bundle, it is. */
	o.ca_bundle = t.ca_path;
	cr_assert_eq(pv_net_get(&o, url, 1024, &body, &len, why, sizeof(why)),
	             PV_NET_OK, "%s", why);
	cr_assert_str_eq((char *)body, "tls");
	free(body);

	o.ca_bundle = "/nonexistent/ca.pem";
	cr_assert_eq(pv_net_get(&o, url, 1024, &body, &len, why, sizeof(why)),
	             PV_NET_EFAIL);
	cr_assert_not_null(strstr(why, "/nonexistent/ca.pem"), "%s", why);

	unlink(t.ca_path);
	hfx_stop(s);
}
