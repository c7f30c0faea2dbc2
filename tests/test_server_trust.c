/*
 * test_server_trust.c - pyverifyd's trust material: reloading the trusted
 * root and policy atomically, and the policy found from a build directory.
 * Harness: tests/support/daemon_fx.c. Only 127.0.0.1.
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

/* ---- reload ------------------------------------------------------------ */

Test(server, reloads_trust_material_atomically_and_keeps_it_on_errors)
{
	struct dfx f;
	struct dfx_resp r;
	struct vs *vs2;
	struct vs_leaf *leaf2;
	json_t *b2;
	char *req, *req2, *root2;
	const char *extra[] = { "--admin-token-file", NULL, NULL };
	int i;

	dfx_init(&f);
	extra[1] = f.admin;
	dfx_start(&f, extra);
	req = dfx_request_json(f.bundle, f.digest, ARTIFACT_NAME, NULL, NULL);
	r = dfx_http(&f, "POST", "/v1/admin/reload", NULL, NULL, 0, NULL);
	cr_expect_eq(r.code, 401);
	dfx_resp_free(&r);
	r = dfx_http(&f, "POST", "/v1/admin/reload", NULL, NULL, 0, TOKEN);
	cr_expect_eq(r.code, 403);
	dfx_resp_free(&r);
	/* A broken trusted root: refused, the old one stays. */
	cfx_write_text(f.root, "{\"mediaType\": 1}");
	r = dfx_http(&f, "POST", "/v1/admin/reload", NULL, NULL, 0,
	             ADMIN_TOKEN);
	cr_expect_eq(r.code, 422, "%s", r.body);
	cr_expect(json_is_false(json_object_get(r.json, "reloaded")));
	cr_expect_not_null(strstr(dfx_jget(&r, "message"), "trusted root"),
	                   "%s", r.body);
	dfx_resp_free(&r);
	r = dfx_post_verify(&f, req, NULL);
	cr_expect_eq(r.code, 200, "%s", r.body);
	dfx_resp_free(&r);
	/* Another Sigstore's root: the old bundle no longer verifies, a
	 * bundle from the new one does. */
	vs2 = vs_new();
	leaf2 = vs_leaf_new(vs2, NULL);
	b2 = vs_sign(vs2, leaf2, NULL);
	root2 = vs_trust_root_string(vs2);
	cfx_write_text(f.root, root2);
	r = dfx_http(&f, "POST", "/v1/admin/reload", NULL, NULL, 0,
	             ADMIN_TOKEN);
	cr_expect_eq(r.code, 200, "%s", r.body);
	cr_expect_eq(json_integer_value(json_object_get(r.json, "generation")),
	             2);
	dfx_resp_free(&r);
	r = dfx_post_verify(&f, req, NULL);
	cr_expect_eq(r.code, 422, "%s", r.body);
	dfx_resp_free(&r);
	req2 = dfx_request_json(b2, f.digest, ARTIFACT_NAME, NULL, NULL);
	r = dfx_post_verify(&f, req2, NULL);
	cr_expect_eq(r.code, 200, "%s", r.body);
	dfx_resp_free(&r);
	/* SIGHUP does the same. */
	{
		char *root1 = vs_trust_root_string(f.vs);
		cfx_write_text(f.root, root1);
		free(root1);
	}
	kill(f.pid, SIGHUP);
	for (i = 0; i < 100; i++) {
		r = dfx_http(&f, "GET", "/readyz", NULL, NULL, 0, NULL);
		json_int_t g = json_integer_value(
			json_object_get(r.json, "generation"));
		dfx_resp_free(&r);
		if (g == 3)
			break;
		usleep(50000);
	}
	cr_expect_lt(i, 100, "SIGHUP did not reload");
	r = dfx_post_verify(&f, req, NULL);
	cr_expect_eq(r.code, 200, "%s", r.body);
	dfx_resp_free(&r);
	free(req);
	free(req2);
	free(root2);
	json_decref(b2);
	vs_leaf_free(leaf2);
	vs_free(vs2);
	dfx_fini(&f);
}

/* ---- issue 8: hardening ---------------------------------------------------- */

Test(server, uses_the_source_trees_policy_when_run_from_a_build_directory)
{
	struct dfx f;
	struct dfx_resp r;
	const char *path;

	dfx_init(&f);
	f.policy[0] = '\0'; /* no --policy */
	dfx_start(&f, NULL);
	r = dfx_http(&f, "GET", "/readyz", NULL, NULL, 0, NULL);
	cr_expect_eq(r.code, 200, "%s", r.body);
	dfx_resp_free(&r);
	r = dfx_http(&f, "GET", "/v1/trust", NULL, NULL, 0, NULL);
	path = json_string_value(json_object_get(json_object_get(r.json,
	                                                         "policy"),
	                                         "path"));
	cr_expect(path != NULL &&
	          strlen(path) >= 19 &&
	          strcmp(path + strlen(path) - 19, "policy/cpython.json") == 0,
	          "%s", r.body);
	dfx_resp_free(&r);
	dfx_fini(&f);
}

/* Issue 12: a root is loaded with its certificates decoded at first use,
 * but the daemon decodes every one before it serves a root: a certificate
 * framed as DER whose inside is not one is refused at reload, and the
 * root in service stays. */
Test(server, a_reload_decodes_every_certificate_before_serving)
{
	struct dfx f;
	struct dfx_resp r;
	json_t *j, *c;
	json_error_t je;
	char *req;
	const char *extra[] = { "--admin-token-file", NULL, NULL };

	dfx_init(&f);
	extra[1] = f.admin;
	dfx_start(&f, extra);
	req = dfx_request_json(f.bundle, f.digest, ARTIFACT_NAME, NULL, NULL);
	j = json_load_file(f.root, 0, &je);
	cr_assert_not_null(j, "%s", je.text);
	c = json_array_get(json_object_get(json_object_get(json_array_get(
	                       json_object_get(j, "certificateAuthorities"), 0),
	                       "certChain"), "certificates"), 0);
	cr_assert_not_null(c);
	/* SEQUENCE { SEQUENCE { INTEGER 0 }, SEQUENCE {}, BIT STRING {} } */
	json_object_set_new(c, "rawBytes", json_string("MAowAwIBADAAAwEA"));
	cr_assert_eq(json_dump_file(j, f.root, 0), 0);
	json_decref(j);
	r = dfx_http(&f, "POST", "/v1/admin/reload", NULL, NULL, 0,
	             ADMIN_TOKEN);
	cr_expect_eq(r.code, 422, "%s", r.body);
	cr_expect(json_is_false(json_object_get(r.json, "reloaded")));
	cr_expect_not_null(strstr(dfx_jget(&r, "message"),
	                          "is not one DER X.509 certificate"),
	                   "%s", r.body);
	dfx_resp_free(&r);
	r = dfx_post_verify(&f, req, NULL);
	cr_expect_eq(r.code, 200, "%s", r.body);
	dfx_resp_free(&r);
	free(req);
	dfx_fini(&f);
}
