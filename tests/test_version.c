/* test_version.c - `pyverify --version` and pyverify_runtime_versions():
 * the library versions are the ones the process runs with, and the trust
 * line follows the same lookup as verification. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <sodium.h>

#include "cli_fx.h"
#include "pyverify.h"

TestSuite(version, .timeout = 60);

Test(version, runtime_versions_come_from_the_running_libraries)
{
	pyverify_versions v;

	pyverify_runtime_versions(&v);
	cr_assert_str_eq(v.pyverify, PYVERIFY_VERSION);
	cr_assert_str_eq(v.openssl, OpenSSL_version(OPENSSL_VERSION));
	cr_assert_str_eq(v.jansson, jansson_version_str());
	cr_assert_str_eq(v.libsodium, sodium_version_string());
	cr_assert_str_eq(v.libcurl, curl_version_info(CURLVERSION_NOW)->version);
}

Test(version, cli_names_versions_policy_and_trust_source)
{
	pyverify_versions v;
	char line[512];
	struct cfx_run r;
	const char *env_file[] = { "PYVERIFY_TRUSTED_ROOT=/nonexistent/root.json",
	                           NULL };
	const char *env_tuf[] = { "PYVERIFY_TRUSTED_ROOT=",
	                          "XDG_CACHE_HOME=/nonexistent-cache",
	                          "XDG_DATA_HOME=/nonexistent-data", NULL };

	pyverify_runtime_versions(&v);
	snprintf(line, sizeof(line),
	         "libraries: %s, jansson %s, libsodium %s, libcurl %s\n",
	         v.openssl, v.jansson, v.libsodium, v.libcurl);
	r = cfx_run(NULL, env_file,
	            (const char *const[]){ cfx_bin("pyverify"), "--version",
	                                   NULL }, 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strncmp(r.out, "pyverify " PYVERIFY_VERSION "\n",
	                  strlen("pyverify " PYVERIFY_VERSION "\n")) == 0,
	          "%s", r.out);
	cr_assert_not_null(strstr(r.out, line), "%s", r.out);
	/* Run from the build directory: the source tree's policy. */
	cr_assert_not_null(strstr(r.out, "policy: "), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "/policy/cpython.json\n"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "trusted root: /nonexistent/root.json "
	                                 "(environment variable)\n"),
	                   "%s", r.out);
	cfx_run_free(&r);

	/* Nothing installed: Sigstore's TUF repository and the cache path,
	 * without touching the network or creating the cache. A machine with
	 * a system trusted root answers with that file instead. */
	if (access("/etc/pyverify/trusted_root.json", F_OK) == 0)
		cr_skip_test("/etc/pyverify/trusted_root.json exists here");
	r = cfx_run(NULL, env_tuf,
	            (const char *const[]){ cfx_bin("pyverify"), "--version",
	                                   NULL }, 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_not_null(strstr(r.out, "trusted root: TUF repository "
	                                 "https://tuf-repo-cdn.sigstore.dev, "
	                                 "cache /nonexistent-cache/pyverify/tuf/"),
	                   "%s", r.out);
	cfx_run_free(&r);
}
