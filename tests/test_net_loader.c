/* test_net_loader.c - libcurl loaded at the first network call (issue 12):
 * its functions resolve, a request works through them, and without it
 * (PYVERIFY_LIBCURL naming a missing file) the call that needed it fails
 * with a message naming the file and the package, for net/ and for a
 * signing service, while offline work never loads it. Criterion runs each
 * test in its own process, so each starts with libcurl not yet loaded by
 * the library (this binary links libcurl for its harnesses; the loader's
 * own state is what is observed). */
#define _GNU_SOURCE /* setenv */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "cli_fx.h"
#include "fake_sigstore.h"
#include "http_fx.h"
#include "net/curl_api.h"
#include "net/net.h"
#include "pyverify.h"
#include "vrun.h"
#include "vsigstore.h"

TestSuite(net_loader, .timeout = 60);

#define MISSING "/nonexistent/pyverify-test/libcurl.so.4"

static void
without_libcurl(void)
{
	cr_assert_eq(setenv(PV_CURL_ENV, MISSING, 1), 0);
}

static void
expect_load_error(const char *why)
{
	cr_assert_not_null(strstr(why, "libcurl (" MISSING ") cannot be "
	                               "loaded: "), "%s", why);
	cr_assert_not_null(strstr(why, "install the libcurl4 package"), "%s",
	                   why);
}

static pv_net_opts
quick(void)
{
	pv_net_opts o;

	memset(&o, 0, sizeof(o));
	o.connect_timeout_ms = 2000;
	o.total_timeout_ms = 5000;
	o.retries = -1;
	return o;
}

Test(net_loader, every_function_resolves_once)
{
	const struct pv_curl_api *a, *b;
	const char *msg = NULL;

	cr_assert_eq(pv_net_libcurl_loaded(), 0);
	a = pv_curl_load(&msg);
	cr_assert_not_null(a, "%s", msg ? msg : "");
	cr_assert_eq(pv_net_libcurl_loaded(), 1);
	cr_assert(a->global_init && a->version_info && a->easy_init &&
	          a->easy_setopt && a->easy_perform && a->easy_getinfo &&
	          a->easy_cleanup && a->easy_strerror && a->slist_append &&
	          a->slist_free_all && a->url && a->url_set && a->url_get &&
	          a->url_cleanup && a->url_strerror && a->free);
	b = pv_curl_load(NULL);
	cr_assert_eq(a, b, "one table per process");
	/* The library that this binary links is the one loaded: dlopen of
	 * the same soname gives the mapped library. */
	cr_assert_str_eq(pv_net_libcurl_version(),
	                 curl_version_info(CURLVERSION_NOW)->version);
}

Test(net_loader, a_request_works_through_the_loaded_table)
{
	struct hfx *s = hfx_start();
	pv_net_opts o = quick();
	pv_net_response r;
	char url[256], why[512] = "";
	uint8_t *body = NULL;
	size_t len = 0;

	hfx_put(s, "/x.json", "{\"a\":1}", 7);
	snprintf(url, sizeof(url), "%s/x.json", hfx_url(s));
	cr_assert_eq(pv_net_libcurl_loaded(), 0);
	cr_assert_eq(pv_net_get(&o, url, 1024, &body, &len, why, sizeof(why)),
	             PV_NET_OK, "%s", why);
	cr_assert_eq(pv_net_libcurl_loaded(), 1);
	cr_assert_eq(len, 7);
	cr_assert_str_eq((char *)body, "{\"a\":1}");
	free(body);
	cr_assert_eq(pv_net_request(&o, "POST", url, NULL, "x", 1, 1024, 0, &r,
	                            why, sizeof(why)),
	             PV_NET_OK, "%s", why);
	cr_assert_eq(r.status, 200);
	pv_net_response_free(&r);
	hfx_stop(s);
}

Test(net_loader, a_missing_libcurl_fails_the_request_closed)
{
	struct hfx *s = hfx_start();
	pv_net_opts o = quick();
	pv_net_response r;
	char url[256], why[1024] = "";
	const char *msg = NULL;
	uint8_t *body = (uint8_t *)"untouched";
	size_t len = 99;
	int i;

	without_libcurl();
	hfx_put(s, "/x.json", "{}", 2);
	snprintf(url, sizeof(url), "%s/x.json", hfx_url(s));
	/* Twice: the failure is kept, not retried half-way. */
	for (i = 0; i < 2; i++) {
		cr_assert_eq(pv_net_get(&o, url, 1024, &body, &len, why,
		                        sizeof(why)),
		             PV_NET_EFAIL);
		cr_assert_null(body);
		cr_assert_eq(len, 0);
		expect_load_error(why);
		cr_assert_not_null(strstr(why, url), "names the URL: %s", why);
	}
	cr_assert_eq(pv_net_request(&o, "POST", url, NULL, "x", 1, 1024, 0, &r,
	                            why, sizeof(why)),
	             PV_NET_EFAIL);
	expect_load_error(why);
	cr_assert_null(r.body);
	cr_assert_null(pv_curl_load(&msg));
	expect_load_error(msg);
	cr_assert_eq(pv_net_libcurl_loaded(), 0);
	cr_assert_eq(hfx_request_count(s), 0, "nothing reached the server");
	/* --version says so instead of failing. */
	cr_assert_not_null(strstr(pv_net_libcurl_version(), "not available ("));
	hfx_stop(s);
}

Test(net_loader, a_missing_libcurl_fails_a_signing_service_call)
{
	struct fss *fs = fss_start();
	char *tr = fss_trust_root_json(fs), *cfg = fss_signing_config(fs, 1, 0);
	char *tok = fss_token(fs, NULL);
	pyverify_trust_root *root = NULL;
	pyverify_signer *signer = NULL;
	pyverify_sign_options o;
	pyverify_error e;

	cr_assert_eq(pyverify_trust_root_load_memory(&root, tr, strlen(tr),
	                                             "fss", &e),
	             0, "%s", e.msg);
	memset(&o, 0, sizeof(o));
	o.trust_root = root;
	o.signing_config = cfg;
	o.signing_config_len = strlen(cfg);
	o.identity_token = tok;
	without_libcurl();
	cr_assert_neq(pyverify_signer_new(&signer, &o, &e), 0);
	cr_assert_null(signer);
	cr_assert_eq(e.step, PYVERIFY_STEP_FULCIO, "%s", e.msg);
	expect_load_error(e.msg);
	cr_assert_eq(fss_count(fs, FSS_PATH_FULCIO), 0);
	pyverify_trust_root_free(root);
	free(tok);
	free(cfg);
	free(tr);
	fss_stop(fs);
}

Test(net_loader, url_text_and_verification_never_load_libcurl)
{
	struct vr_fx f;
	pyverify_result res;
	const char *pairs[] = { "a", "x y&z", NULL };
	char out[128], why[512] = "", *s;

	without_libcurl();
	cr_assert_eq(pv_net_url_allowed("https://example.org/x", 0, why,
	                                sizeof(why)),
	             0, "%s", why);
	cr_assert_eq(pv_net_url_allowed("http://example.org/x", 0, why,
	                                sizeof(why)),
	             PV_NET_EURL);
	cr_assert_eq(pv_net_escape_segment(out, sizeof(out), "a b"), 0);
	cr_assert_str_eq(out, "a%20b");
	pv_net_url_for_msg(out, sizeof(out), "https://u:p@h/x?tok=1");
	cr_assert_str_eq(out, "https://h/x");
	s = pv_net_url_with_query("https://h/a?v=2", pairs);
	cr_assert_str_eq(s, "https://h/a?v=2&a=x%20y%26z");
	free(s);
	s = pv_net_unescape("x%20y%zz", 8);
	cr_assert_str_eq(s, "x y%zz");
	free(s);
	cr_assert_null(pv_net_unescape("a%00b", 5), "a NUL is refused");

	vr_fx_init(&f, NULL, NULL);
	vr_expect_ok(f.root, f.bundle, NULL, &res);
	vr_fx_free(&f);
	cr_assert_eq(pv_net_libcurl_loaded(), 0);
}

Test(net_loader, the_cli_verifies_without_libcurl)
{
	struct cfx f;
	struct cfx_run r;
	const char *env[] = { PV_CURL_ENV "=" MISSING, NULL };

	cfx_init_signed(&f);
	r = cfx_run(NULL, env,
	            (const char *const[]){ cfx_bin("pyverify"), "verify-bundle",
	                                   "--offline", "--trusted-root",
	                                   f.root, "--bundle", f.bundle,
	                                   "--certificate-identity", CFX_ID,
	                                   "--certificate-oidc-issuer",
	                                   CFX_ISS, f.art, NULL },
	            30);
	cr_expect_eq(r.status, 0, "%s%s", r.out, r.err);
	cfx_run_free(&r);
	cfx_free(&f);
}
