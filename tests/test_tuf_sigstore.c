/*
 * test_tuf_sigstore.c - the Sigstore layer over the TUF client
 * (lib/tuf/sigstore_*.c, pyverify_tuf_*): the pinned bootstrap, the cache
 * and its age, the fallback to the last good trusted root, offline use,
 * and a private repository bootstrapped from a root file. A generated
 * repository (tuf_fx) serves a virtual Sigstore's trusted root on
 * loopback (http_fx).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "http_fx.h"
#include "testdata.h"
#include "tuf/sigstore.h"
#include "tuf_fx.h"
#include "vsigstore.h"

#define T0 ((int64_t)1760000000) /* 2025-10-09 */
#define HOUR 3600

struct world {
	struct hfx *srv;
	struct tfx *repo;
	struct vs *vs;
	char *tr;        /* the served trusted_root.json */
	char *cache;     /* cache base */
	char url[128];
	pv_sigstore_pin pin;
	char pin_hex[65];
	pyverify_tuf_options o;
};

static void
world_start(struct world *w)
{
	const uint8_t *root;
	size_t len;

	memset(w, 0, sizeof(*w));
	w->srv = hfx_start();
	w->vs = vs_new();
	w->tr = vs_trust_root_string(w->vs);
	w->repo = tfx_sigstore_repo(w->srv, T0, w->tr, strlen(w->tr), NULL, 0);
	snprintf(w->url, sizeof(w->url), "%s", hfx_url(w->srv));
	root = tfx_root_bytes(w->repo, 1, &len);
	cr_assert_not_null(root);
	tfx_sha256_hex(w->pin_hex, root, len);
	w->pin.url = w->url;
	w->pin.version = 1;
	w->pin.sha256 = w->pin_hex;
	w->cache = tfx_tmpdir("sigstore");
	w->o.url = w->url;
	w->o.cache_dir = w->cache;
	w->o.now = T0;
}

static void
world_stop(struct world *w)
{
	hfx_stop(w->srv);
	tfx_free(w->repo);
	vs_free(w->vs);
	free(w->tr);
	tfx_rmtree(w->cache);
	free(w->cache);
}

static int
update(struct world *w, pyverify_tuf_info *info, pyverify_error *err)
{
	return pv_sigstore_update(info, &w->o, &w->pin, 1, err);
}

static int
trust_root(struct world *w, pyverify_trust_root **root,
           pyverify_tuf_info *info, pyverify_error *err)
{
	return pv_sigstore_trust_root(root, info, &w->o, &w->pin, 1, err);
}

static int
has_file(const char *dir, const char *name)
{
	char p[4200];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &st) == 0;
}

/* ---- the built-in pins --------------------------------------------------- */

TestSuite(tuf_sigstore, .timeout = 60);

Test(tuf_sigstore, built_in_pins_are_the_published_roots)
{
	static const char *const files[2] = { "sigstore/production.root.json",
	                                      "sigstore/staging.root.json" };
	char hex[65];
	size_t i, len;

	cr_assert_str_eq(pv_sigstore_builtin[0].url,
	                 "https://tuf-repo-cdn.sigstore.dev");
	cr_assert_str_eq(pv_sigstore_builtin[1].url,
	                 "https://tuf-repo-cdn.sigstage.dev");
	if (!td_exists(td_path(files[0])))
		cr_skip_test("%s is absent: the pins cannot be compared",
		             td_path(files[0]));
	for (i = 0; i < 2; i++) {
		char *buf = td_read(td_path(files[i]), &len);
		json_t *j;
		cr_assert_not_null(buf);
		tfx_sha256_hex(hex, buf, len);
		cr_assert_str_eq(hex, pv_sigstore_builtin[i].sha256, "%s",
		                 files[i]);
		j = json_loadb(buf, len, 0, NULL);
		cr_assert_not_null(j);
		cr_assert_eq(json_integer_value(json_object_get(
		                 json_object_get(j, "signed"), "version")),
		             (json_int_t)pv_sigstore_builtin[i].version);
		json_decref(j);
		free(buf);
	}
}

Test(tuf_sigstore, cache_directory_is_named_by_host_and_url_hash)
{
	char a[128], b[128];

	cr_assert_eq(pv_sigstore_repo_name(a, sizeof(a),
	             "https://tuf-repo-cdn.sigstore.dev"), 0);
	cr_assert_eq(strncmp(a, "tuf-repo-cdn.sigstore.dev-", 26), 0, "%s", a);
	cr_assert_eq(strlen(a), 26 + 16);
	cr_assert_eq(pv_sigstore_repo_name(b, sizeof(b),
	             "http://127.0.0.1:8080/../x"), 0);
	cr_assert_eq(strchr(b, '/'), NULL, "%s", b);
	cr_assert_eq(strncmp(b, "127.0.0.1_8080-", 15), 0, "%s", b);
}

Test(tuf_sigstore, default_cache_is_under_xdg_cache_home)
{
	pyverify_tuf_options o = { 0 };
	pv_sigstore_repo r;
	pyverify_error err;

	setenv("XDG_CACHE_HOME", "/nonexistent/cache", 1);
	cr_assert_eq(pv_sigstore_resolve(&r, &o, pv_sigstore_builtin, 2, &err),
	             0, "%s", err.msg);
	cr_assert_eq(strncmp(r.dir, "/nonexistent/cache/pyverify/tuf/"
	                     "tuf-repo-cdn.sigstore.dev-", 58), 0, "%s", r.dir);
	cr_assert_eq(r.pin.version, 15);
	o.staging = 1;
	cr_assert_eq(pv_sigstore_resolve(&r, &o, pv_sigstore_builtin, 2, &err),
	             0);
	cr_assert_str_eq(r.url, "https://tuf-repo-cdn.sigstage.dev");
	cr_assert_eq(r.pin.version, 14);
	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", "/nonexistent/home", 1);
	o.staging = 0;
	cr_assert_eq(pv_sigstore_resolve(&r, &o, pv_sigstore_builtin, 2, &err),
	             0);
	cr_assert_eq(strncmp(r.dir, "/nonexistent/home/.cache/pyverify/tuf/",
	                     38), 0, "%s", r.dir);
}

Test(tuf_sigstore, plain_http_to_a_remote_host_is_refused)
{
	pyverify_tuf_options o = { 0 };
	pyverify_tuf_info info;
	pyverify_error err;

	o.url = "http://tuf.example.org";
	o.root_file = "/nonexistent";
	o.cache_dir = "/nonexistent";
	cr_assert_eq(pyverify_tuf_update(&info, &o, &err), PYVERIFY_EUSAGE);
	cr_assert_eq(err.step, PYVERIFY_STEP_TRUST_UPDATE);
	cr_assert_str_eq(pyverify_step_code(err.step), "trust-update");
}

/* ---- bootstrap ----------------------------------------------------------- */

Test(tuf_sigstore, bootstraps_from_the_pinned_root_and_caches_the_targets)
{
	struct world w;
	pyverify_tuf_info info;
	pyverify_error err;
	char *log;
	size_t len;
	uint8_t *got;

	world_start(&w);
	cr_assert_eq(update(&w, &info, &err), 0, "%s", err.msg);
	cr_assert(info.refreshed);
	cr_assert_eq(info.last_refresh, T0);
	cr_assert(info.root.present && info.root.version == 1);
	cr_assert(info.timestamp.present && info.snapshot.present &&
	          info.targets.present);
	cr_assert_eq(info.timestamp.expires, T0 + 30 * 24 * HOUR);
	cr_assert_str_eq(info.url, w.url);
	cr_assert_eq(info.signing_config_path[0], '\0');
	log = hfx_log(w.srv);
	cr_assert_eq(strncmp(log, "GET /1.root.json\n", 17), 0,
	             "the pinned root comes first: %s", log);
	free(log);
	got = tfx_read(info.cache_dir, "targets/trusted_root.json", &len);
	cr_assert_not_null(got);
	cr_assert_eq(len, strlen(w.tr));
	cr_assert_eq(memcmp(got, w.tr, len), 0);
	free(got);
	cr_assert(has_file(info.cache_dir, "metadata/root.json"));
	cr_assert(has_file(info.cache_dir, "metadata/timestamp.json"));
	cr_assert(has_file(info.cache_dir, "refreshed"));
	cr_assert_str_eq(info.trusted_root_path + strlen(info.cache_dir),
	                 "/targets/trusted_root.json");
	world_stop(&w);
}

Test(tuf_sigstore, a_root_that_does_not_match_the_pin_is_never_trusted)
{
	struct world w;
	pyverify_tuf_info info;
	pyverify_error err;
	const uint8_t *root;
	uint8_t *bad;
	size_t len;

	world_start(&w);
	/* A mirror serves a root with one byte changed (still JSON). */
	root = tfx_root_bytes(w.repo, 1, &len);
	bad = malloc(len);
	memcpy(bad, root, len);
	bad[len - 2] = bad[len - 2] == ' ' ? '\n' : ' ';
	hfx_put(w.srv, "/1.root.json", bad, len);
	free(bad);
	hfx_clear_log(w.srv);
	cr_assert_eq(update(&w, &info, &err), PYVERIFY_EREJECT);
	cr_assert_not_null(strstr(err.msg, "pins"), "%s", err.msg);
	cr_assert_not_null(strstr(err.msg, w.pin_hex), "%s", err.msg);
	cr_assert_eq(hfx_request_count(w.srv), 1, "nothing after the root");
	cr_assert(!has_file(info.cache_dir, "metadata/root.json"));
	cr_assert(!has_file(info.cache_dir, "refreshed"));
	world_stop(&w);
}

Test(tuf_sigstore, a_private_repository_starts_from_its_root_file)
{
	struct world w;
	pyverify_tuf_info info;
	pyverify_error err;
	const uint8_t *root;
	char path[4200];
	size_t len;
	FILE *f;

	world_start(&w);
	/* No pin for this URL: without a root file it cannot start. */
	cr_assert_eq(pv_sigstore_update(&info, &w.o, NULL, 0, &err),
	             PYVERIFY_EUSAGE);
	cr_assert_not_null(strstr(err.msg, "--tuf-root"), "%s", err.msg);
	root = tfx_root_bytes(w.repo, 1, &len);
	snprintf(path, sizeof(path), "%s/root.json", w.cache);
	f = fopen(path, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(root, 1, len, f), len);
	fclose(f);
	w.o.root_file = path;
	hfx_clear_log(w.srv);
	cr_assert_eq(pyverify_tuf_update(&info, &w.o, &err), 0, "%s", err.msg);
	cr_assert_eq(hfx_count(w.srv, "/1.root.json"), 0,
	             "the root file replaces the download");
	cr_assert(info.refreshed);
	world_stop(&w);
}

Test(tuf_sigstore, a_root_file_that_does_not_sign_itself_is_not_kept)
{
	struct world w;
	pyverify_tuf_info info;
	pyverify_error err;
	char path[4200];
	FILE *f;

	world_start(&w);
	snprintf(path, sizeof(path), "%s/root.json", w.cache);
	f = fopen(path, "wb");
	cr_assert_not_null(f);
	fputs("{\"signed\": {}, \"signatures\": []}", f);
	fclose(f);
	w.o.root_file = path;
	cr_assert_neq(pyverify_tuf_update(&info, &w.o, &err), 0);
	cr_assert(!has_file(info.cache_dir, "metadata/root.json"),
	          "a root that failed its own check stays behind");
	world_stop(&w);
}

/* ---- cache or refresh ---------------------------------------------------- */

Test(tuf_sigstore, a_young_cache_is_used_without_any_request)
{
	struct world w;
	pyverify_tuf_info info;
	pyverify_trust_root *root = NULL;
	pyverify_error err;

	world_start(&w);
	cr_assert_eq(update(&w, &info, &err), 0, "%s", err.msg);
	hfx_clear_log(w.srv);
	w.o.now = T0 + 23 * HOUR;
	cr_assert_eq(trust_root(&w, &root, &info, &err), 0, "%s", err.msg);
	cr_assert_not_null(root);
	cr_assert_eq(hfx_request_count(w.srv), 0);
	cr_assert(!info.refreshed);
	cr_assert_str_eq(info.warning, "");
	cr_assert_eq(pyverify_trust_root_count(root, PYVERIFY_TRUST_CA), 1);
	pyverify_trust_root_free(root);
	world_stop(&w);
}

Test(tuf_sigstore, an_old_cache_is_refreshed_first)
{
	struct world w;
	pyverify_tuf_info info;
	pyverify_trust_root *root = NULL;
	pyverify_error err;

	world_start(&w);
	cr_assert_eq(update(&w, &info, &err), 0, "%s", err.msg);
	hfx_clear_log(w.srv);
	w.o.now = T0 + 25 * HOUR;
	cr_assert_eq(trust_root(&w, &root, &info, &err), 0, "%s", err.msg);
	cr_assert_gt(hfx_count(w.srv, "/timestamp.json"), 0);
	cr_assert(info.refreshed);
	cr_assert_eq(info.last_refresh, T0 + 25 * HOUR);
	pyverify_trust_root_free(root);
	/* A shorter max age makes a young cache old. */
	hfx_clear_log(w.srv);
	w.o.now = T0 + 26 * HOUR;
	w.o.max_age = 30 * 60;
	cr_assert_eq(trust_root(&w, &root, &info, &err), 0, "%s", err.msg);
	cr_assert(info.refreshed);
	pyverify_trust_root_free(root);
	/* Negative: every call refreshes. */
	w.o.max_age = -1;
	hfx_clear_log(w.srv);
	cr_assert_eq(trust_root(&w, &root, &info, &err), 0, "%s", err.msg);
	cr_assert_gt(hfx_count(w.srv, "/timestamp.json"), 0);
	pyverify_trust_root_free(root);
	world_stop(&w);
}

Test(tuf_sigstore, a_failed_refresh_falls_back_to_the_cache_with_its_age)
{
	struct world w;
	pyverify_tuf_info info;
	pyverify_trust_root *root = NULL;
	pyverify_error err;

	world_start(&w);
	cr_assert_eq(update(&w, &info, &err), 0, "%s", err.msg);
	/* The repository is down (5xx on everything it serves). */
	hfx_set_status(w.srv, "/timestamp.json", 503);
	hfx_set_status(w.srv, "/2.root.json", 503);
	w.o.now = T0 + 50 * HOUR;
	cr_assert_eq(trust_root(&w, &root, &info, &err), 0, "%s", err.msg);
	cr_assert_not_null(root);
	cr_assert(!info.refreshed);
	cr_assert_not_null(strstr(info.warning, "2 days 2 hours"), "%s",
	                   info.warning);
	cr_assert_not_null(strstr(info.warning, "could not refresh"), "%s",
	                   info.warning);
	cr_assert_eq(info.last_refresh, T0);
	pyverify_trust_root_free(root);
	world_stop(&w);
}

Test(tuf_sigstore, nothing_cached_and_no_repository_fails_and_says_so)
{
	struct world w;
	pyverify_tuf_info info;
	pyverify_trust_root *root = NULL;
	pyverify_error err;

	world_start(&w);
	hfx_set_status(w.srv, "/1.root.json", 503);
	cr_assert_neq(trust_root(&w, &root, &info, &err), 0);
	cr_assert_null(root);
	cr_assert_eq(err.step, PYVERIFY_STEP_TRUST_UPDATE);
	cr_assert_not_null(strstr(err.msg, "none is cached"), "%s", err.msg);
	cr_assert_not_null(strstr(err.msg, "1.root.json"), "%s", err.msg);
	world_stop(&w);
}

Test(tuf_sigstore, offline_uses_the_cache_and_never_the_network)
{
	struct world w;
	pyverify_tuf_info info;
	pyverify_trust_root *root = NULL;
	pyverify_error err;

	world_start(&w);
	w.o.offline = 1;
	cr_assert_neq(trust_root(&w, &root, &info, &err), 0);
	cr_assert_not_null(strstr(err.msg, "offline"), "%s", err.msg);
	cr_assert_eq(update(&w, &info, &err), PYVERIFY_EUSAGE);
	cr_assert_eq(hfx_request_count(w.srv), 0);
	w.o.offline = 0;
	cr_assert_eq(update(&w, &info, &err), 0, "%s", err.msg);
	hfx_clear_log(w.srv);
	w.o.offline = 1;
	w.o.now = T0 + 400 * 24 * HOUR; /* long after every expiry */
	cr_assert_eq(trust_root(&w, &root, &info, &err), 0, "%s", err.msg);
	cr_assert_eq(hfx_request_count(w.srv), 0);
	pyverify_trust_root_free(root);
	world_stop(&w);
}

Test(tuf_sigstore, offline_refuses_a_cached_trusted_root_that_was_altered)
{
	struct world w;
	pyverify_tuf_info info;
	pyverify_trust_root *root = NULL;
	pyverify_error err;
	char path[4200];
	FILE *f;

	world_start(&w);
	cr_assert_eq(update(&w, &info, &err), 0, "%s", err.msg);
	snprintf(path, sizeof(path), "%s", info.trusted_root_path);
	f = fopen(path, "ab");
	cr_assert_not_null(f);
	fputs(" ", f);
	fclose(f);
	w.o.offline = 1;
	cr_assert_neq(trust_root(&w, &root, &info, &err), 0);
	cr_assert_null(root);
	world_stop(&w);
}

Test(tuf_sigstore, update_follows_a_new_trusted_root_and_a_root_rotation)
{
	struct world w;
	pyverify_tuf_info info, st;
	pyverify_error err;
	struct vs *vs2 = vs_new();
	char *tr2 = vs_trust_root_string(vs2), old_sha[65], new_sha[65];
	const char sc[] = "{\"mediaType\": \"application/vnd.dev.sigstore."
	                  "signingconfig.v0.2+json\"}";

	world_start(&w);
	cr_assert_eq(update(&w, &info, &err), 0, "%s", err.msg);
	memcpy(old_sha, info.trusted_root_sha256, 65);
	tfx_sigstore_update(w.repo, w.srv, tr2, strlen(tr2), sc,
	                    sizeof(sc) - 1, 1);
	w.o.now = T0 + HOUR;
	cr_assert_eq(update(&w, &info, &err), 0, "%s", err.msg);
	tfx_sha256_hex(new_sha, tr2, strlen(tr2));
	cr_assert_str_eq(info.trusted_root_sha256, new_sha);
	cr_assert_str_neq(old_sha, new_sha);
	cr_assert_eq(info.root.version, 2);
	cr_assert_neq(info.signing_config_path[0], '\0');
	/* status: what is cached, no network. */
	hfx_clear_log(w.srv);
	cr_assert_eq(pv_sigstore_status(&st, &w.o, &w.pin, 1, &err), 0, "%s",
	             err.msg);
	cr_assert_eq(hfx_request_count(w.srv), 0);
	cr_assert_eq(st.root.version, 2);
	cr_assert_str_eq(st.trusted_root_sha256, new_sha);
	cr_assert_eq(st.last_refresh, T0 + HOUR);
	free(tr2);
	vs_free(vs2);
	world_stop(&w);
}

Test(tuf_sigstore, status_of_an_empty_cache_is_not_an_error)
{
	pyverify_tuf_options o = { 0 };
	pyverify_tuf_info info;
	pyverify_error err;
	char *dir = tfx_tmpdir("sigstore-empty");

	o.cache_dir = dir;
	cr_assert_eq(pyverify_tuf_status(&info, &o, &err), 0, "%s", err.msg);
	cr_assert(!info.root.present);
	cr_assert_str_eq(info.trusted_root_path, "");
	cr_assert_str_eq(info.url, "https://tuf-repo-cdn.sigstore.dev");
	tfx_rmtree(dir);
	free(dir);
}
