/* test_tuf_layout.c - the TUF client (lib/tuf/) and the file names and
 * local copies it relies on: repositories without consistent snapshots,
 * the targets cache (a verified copy is reused, a tampered one is not),
 * and the Sigstore-shaped repository of tests/support/tuf_fx.h that the
 * CLI and daemon tests build on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "http_fx.h"
#include "tuf_fx.h"

#define NOW INT64_C(1750000000)

static struct tfx_env env;

static void
setup(void)
{
	tfx_env_start(&env, NOW);
	tfx_add_target(env.repo, "targets", "hello.txt", "hello", 5);
}

static void
teardown(void)
{
	tfx_env_stop(&env);
}

TestSuite(tuf_layout, .init = setup, .fini = teardown, .timeout = 30);

static void
refresh_ok(void)
{
	cr_assert_eq(tfx_env_refresh(&env), PV_TUF_OK, "refresh: %s",
	             env.why);
}

/* target_info + target_fetch of name; the bytes (malloc'd). */
static uint8_t *
fetch(const char *name, size_t *len)
{
	pv_tuf_target t = { 0 };
	uint8_t *got = NULL;

	cr_assert_eq(pv_tuf_target_info(env.c, name, &t, env.why,
	                                 sizeof(env.why)), PV_TUF_OK, "%s",
	             env.why);
	cr_assert_eq(pv_tuf_target_fetch(env.c, &t, &got, len, env.why,
	                                 sizeof(env.why)), PV_TUF_OK, "%s",
	             env.why);
	pv_tuf_target_clear(&t);
	return got;
}

Test(tuf_layout, without_consistent_snapshots_unversioned_names_are_used)
{
	uint8_t *got;
	size_t len = 0;
	pv_tuf_state st;

	tfx_set_consistent(env.repo, 0);
	tfx_env_init(&env);
	refresh_ok();
	pv_tuf_get_state(env.c, &st);
	cr_assert_not(st.consistent_snapshot);
	cr_assert_eq(hfx_count(env.srv, "/snapshot.json"), 1);
	cr_assert_eq(hfx_count(env.srv, "/targets.json"), 1);
	got = fetch("hello.txt", &len);
	cr_assert(len == 5 && memcmp(got, "hello", 5) == 0);
	cr_assert_eq(hfx_count(env.srv, "/targets/hello.txt"), 1);
	free(got);

	/* Roots are versioned whatever the setting (5.3.3). */
	cr_assert_eq(hfx_count(env.srv, "/2.root.json"), 1);
}

Test(tuf_layout, a_tampered_cached_target_is_downloaded_again)
{
	char path[4200], url[256];
	uint8_t *got;
	size_t len = 0;
	FILE *f;

	tfx_env_init(&env);
	refresh_ok();
	free(fetch("hello.txt", &len));
	snprintf(path, sizeof(path), "%s/hello.txt", env.tdir);
	f = fopen(path, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite("HELLO", 1, 5, f), 5);
	cr_assert_eq(fclose(f), 0);

	got = fetch("hello.txt", &len);
	cr_assert(len == 5 && memcmp(got, "hello", 5) == 0);
	tfx_target_path(env.repo, "targets", "hello.txt", url, sizeof(url));
	cr_assert_eq(hfx_count(env.srv, url), 2);
	tfx_assert_file(env.tdir, "hello.txt", (const uint8_t *)"hello", 5);
	free(got);
}

Test(tuf_layout, a_target_name_with_a_directory_is_hash_prefixed_in_place)
{
	uint8_t *got;
	size_t len = 0;
	char url[256], hex[65], want[256];

	tfx_add_target(env.repo, "targets", "dir/file.txt", "nested", 6);
	tfx_env_init(&env);
	refresh_ok();
	got = fetch("dir/file.txt", &len);
	cr_assert(len == 6 && memcmp(got, "nested", 6) == 0);
	free(got);
	/* python-tuf and go-tuf: dirname/<hash>.basename. */
	tfx_sha256_hex(hex, "nested", 6);
	snprintf(want, sizeof(want), "/targets/dir/%s.file.txt", hex);
	tfx_target_path(env.repo, "targets", "dir/file.txt", url, sizeof(url));
	cr_assert_str_eq(url, want);
	cr_assert_eq(hfx_count(env.srv, want), 1);
}

/* ---- the Sigstore-shaped repository ------------------------------------- */

Test(tuf_layout, a_sigstore_repository_serves_and_rotates_its_trusted_root)
{
	static const char tr1[] = "{\"trusted\": 1}\n", tr2[] = "{\"v\": 2}\n";
	static const char sc[] = "{\"signing\": true}\n";
	struct tfx *r;
	const uint8_t *root;
	uint8_t *got;
	size_t len = 0;
	pv_tuf_state st;

	tfx_free(env.repo);
	env.repo = r = tfx_sigstore_repo(env.srv, NOW, tr1, strlen(tr1), sc,
	                                 strlen(sc));
	root = tfx_root_bytes(r, 1, &len);
	cr_assert_not_null(root);
	cr_assert_eq(pv_tuf_init_dir(env.dir, root, len, env.why,
	                             sizeof(env.why)), PV_TUF_OK, "%s", env.why);
	tfx_env_reopen(&env);
	refresh_ok();
	got = fetch("trusted_root.json", &len);
	cr_assert(len == strlen(tr1) && memcmp(got, tr1, len) == 0);
	free(got);
	got = fetch("signing_config.v0.2.json", &len);
	cr_assert(len == strlen(sc) && memcmp(got, sc, len) == 0);
	free(got);

	tfx_sigstore_update(r, env.srv, tr2, strlen(tr2), NULL, 0, 1);
	refresh_ok();
	pv_tuf_get_state(env.c, &st);
	cr_assert_eq(st.root.version, 2);
	cr_assert_eq(st.targets.version, 2);
	got = fetch("trusted_root.json", &len);
	cr_assert(len == strlen(tr2) && memcmp(got, tr2, len) == 0);
	free(got);
	/* The signing config is still listed, unchanged. */
	got = fetch("signing_config.v0.2.json", &len);
	cr_assert(len == strlen(sc) && memcmp(got, sc, len) == 0);
	free(got);
}
