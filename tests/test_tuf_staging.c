/* test_tuf_staging.c - the TUF client (lib/tuf/) against a real snapshot of
 * Sigstore's staging repository (../shared/testdata/sigstore/
 * staging-tuf-repo), served on loopback with staging.root.json (root v14)
 * as the trusted root, at a reference time when that metadata was valid. */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "http_fx.h"
#include "testdata.h"
#include "tuf_fx.h"

/* The snapshot's timestamp expires at 2025-07-29T13:28:44Z. */
#define TS_EXPIRES INT64_C(1753795724)
#define VALID_AT (TS_EXPIRES - 86400)

static struct tfx_env env;
static char repo_dir[4096];

/* Serves every file of dir under prefix ("" or "/targets"). */
static void
serve_dir(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[4096];

	cr_assert_not_null(d, "cannot read %s", dir);
	while ((de = readdir(d)) != NULL) {
		size_t len = 0;
		uint8_t *b;

		if (de->d_name[0] == '.' || strcmp(de->d_name, "targets") == 0)
			continue;
		b = tfx_read(dir, de->d_name, &len);
		cr_assert_not_null(b, "cannot read %s/%s", dir, de->d_name);
		snprintf(path, sizeof(path), "%s/%s", prefix, de->d_name);
		hfx_put(env.srv, path, b, len);
		free(b);
	}
	closedir(d);
}

/* The environment at reference time now, the snapshot served, root v14
 * trusted; false (and the test skipped) without ../shared. */
static void
start(int64_t now)
{
	char tdir[4200];
	size_t len = 0;
	char *root;

	if (td_dir() == NULL ||
	    !td_exists(td_path("sigstore/staging-tuf-repo/timestamp.json")))
		cr_skip_test("no staging TUF snapshot in ../shared/testdata");
	snprintf(repo_dir, sizeof(repo_dir), "%s",
	         td_path("sigstore/staging-tuf-repo"));
	tfx_env_start(&env, now);
	serve_dir(repo_dir, "");
	snprintf(tdir, sizeof(tdir), "%s/targets", repo_dir);
	serve_dir(tdir, "/targets");
	root = td_read(td_path("sigstore/staging.root.json"), &len);
	cr_assert_not_null(root);
	cr_assert_eq(pv_tuf_init_dir(env.dir, (const uint8_t *)root, len,
	                             env.why, sizeof(env.why)), PV_TUF_OK, "%s",
	             env.why);
	free(root);
	tfx_env_reopen(&env);
}

static void
teardown(void)
{
	tfx_env_stop(&env);
}

TestSuite(tuf_staging, .fini = teardown, .timeout = 30);

static json_t *
load_json(const char *path)
{
	json_error_t e;
	json_t *j = json_load_file(path, 0, &e);

	cr_assert_not_null(j, "%s: %s", path, e.text);
	return j;
}

/* "expires" of a metadata file of the snapshot, in Unix seconds. */
static int64_t
expires_of(const char *file)
{
	char path[4200];
	json_t *j;
	const char *s;
	struct tm tm = { 0 };
	int64_t t;

	snprintf(path, sizeof(path), "%s/%s", repo_dir, file);
	j = load_json(path);
	s = json_string_value(json_object_get(json_object_get(j, "signed"),
	                                      "expires"));
	cr_assert_not_null(s);
	cr_assert_not_null(strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm), "%s", s);
	t = (int64_t)timegm(&tm);
	json_decref(j);
	return t;
}

/* The sha256 17.targets.json lists for trusted_root.json. */
static void
listed_sha256(char out[65])
{
	char path[4200];
	json_t *j;
	const char *h;

	snprintf(path, sizeof(path), "%s/17.targets.json", repo_dir);
	j = load_json(path);
	h = json_string_value(json_object_get(json_object_get(json_object_get(
	        json_object_get(json_object_get(j, "signed"), "targets"),
	        "trusted_root.json"), "hashes"), "sha256"));
	cr_assert(h != NULL && strlen(h) == 64);
	memcpy(out, h, 65);
	json_decref(j);
}

Test(tuf_staging, yields_exactly_the_listed_trusted_root)
{
	pv_tuf_target t = { 0 };
	pv_tuf_state st;
	uint8_t *got = NULL, *want = NULL, *newer = NULL;
	size_t len = 0, wlen = 0, nlen = 0;
	char sha[65], file[200], tdir[4200], expect[512], *log;

	start(VALID_AT);
	/* The reference time is inside every role's validity. */
	cr_assert_gt(expires_of("timestamp.json"), VALID_AT);
	cr_assert_gt(expires_of("16.snapshot.json"), VALID_AT);
	cr_assert_gt(expires_of("17.targets.json"), VALID_AT);
	cr_assert_gt(expires_of("../staging.root.json"), VALID_AT);

	cr_assert_eq(tfx_env_refresh(&env), PV_TUF_OK, "refresh: %s",
	             env.why);
	pv_tuf_get_state(env.c, &st);
	cr_assert_eq(st.root.version, 14);
	cr_assert_eq(st.timestamp.version, 353);
	cr_assert_eq(st.snapshot.version, 16);
	cr_assert_eq(st.targets.version, 17);
	cr_assert_eq(st.timestamp.expires, TS_EXPIRES);
	cr_assert(st.consistent_snapshot);

	cr_assert_eq(pv_tuf_target_info(env.c, "trusted_root.json", &t,
	                                 env.why, sizeof(env.why)), PV_TUF_OK,
	             "%s", env.why);
	cr_assert_eq(pv_tuf_target_fetch(env.c, &t, &got, &len, env.why,
	                                 sizeof(env.why)), PV_TUF_OK, "%s",
	             env.why);
	listed_sha256(sha);
	snprintf(file, sizeof(file), "%s.trusted_root.json", sha);
	snprintf(tdir, sizeof(tdir), "%s/targets", repo_dir);
	want = tfx_read(tdir, file, &wlen);
	cr_assert_not_null(want, "no %s in the snapshot", file);
	cr_assert(len == wlen && memcmp(got, want, len) == 0,
	          "the client's trusted_root.json is not the listed file");
	tfx_sha256_hex(file, got, len);
	cr_assert_str_eq(file, sha);
	/* The newer trusted root beside the snapshot is a different file. */
	newer = (uint8_t *)td_read(td_path("sigstore/staging.trusted_root.json"),
	                           &nlen);
	cr_assert_not_null(newer);
	cr_assert(nlen != len || memcmp(newer, got, len) != 0);

	/* 5.3.3: root v15 is absent (404), which ends the root walk; and
	 * the target is in the top-level targets, so no delegated role is
	 * fetched (5.6.7). */
	cr_assert_eq(hfx_count(env.srv, "/15.root.json"), 1);
	log = hfx_log(env.srv);
	cr_assert_null(strstr(log, "registry"), "requests:\n%s", log);
	snprintf(expect, sizeof(expect), "GET /15.root.json\n"
	         "GET /timestamp.json\nGET /16.snapshot.json\n"
	         "GET /17.targets.json\nGET /targets/%s.trusted_root.json\n",
	         sha);
	cr_assert_str_eq(log, expect, "requests:\n%s", log);
	free(log);
	free(got);
	free(want);
	free(newer);
	pv_tuf_target_clear(&t);
}

Test(tuf_staging, is_refused_once_the_timestamp_expired)
{
	int rc;

	start(TS_EXPIRES + 1);
	rc = tfx_env_refresh(&env);
	cr_assert_eq(rc, PV_TUF_EREJECT, "refresh returned %d: %s", rc,
	             env.why);
	cr_assert(tfx_mentions(env.why, "timestamp"), "%s", env.why);
	cr_assert(tfx_mentions(env.why, "expire"), "%s", env.why);
	/* Nothing of the frozen repository was trusted. */
	tfx_assert_file(env.dir, "timestamp.json", NULL, 0);
	tfx_assert_file(env.dir, "snapshot.json", NULL, 0);
}
