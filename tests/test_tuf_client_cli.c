/* test_tuf_client_cli.c - build/tuf-client, the client under test of the
 * public TUF conformance suite (tests/tuf-conformance/), run as the suite
 * runs it: a child process against a generated repository on loopback.
 * Each test pins down one thing the suite measures: the exit code, which
 * files the metadata directory holds and their exact bytes, which
 * requests were made in which order, and what lands in the target
 * directory. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "cli_fx.h"
#include "http_fx.h"
#include "tuf/tuf_impl.h"
#include "tuf_fx.h"

static struct hfx *srv;
static struct tfx *repo;
static char *mdir, *tdir, *rdir, *rootfile;
static char murl[128], turl[128];

static void
setup(void)
{
	srv = hfx_start();
	/* The client reads the real clock, as under the suite's faketime. */
	repo = tfx_new((int64_t)time(NULL));
	mdir = tfx_tmpdir("cli-md");
	tdir = tfx_tmpdir("cli-tg");
	rdir = tfx_tmpdir("cli-root");
	rootfile = cfx_pathf("%s/initial_root.json", rdir);
	/* The suite's URLs end in a slash. */
	snprintf(murl, sizeof(murl), "%s/", hfx_url(srv));
	snprintf(turl, sizeof(turl), "%s/targets/", hfx_url(srv));
}

static void
teardown(void)
{
	tfx_free(repo);
	hfx_stop(srv);
	tfx_rmtree(mdir);
	tfx_rmtree(tdir);
	tfx_rmtree(rdir);
	free(mdir);
	free(tdir);
	free(rdir);
	free(rootfile);
}

TestSuite(tuf_client_cli, .init = setup, .fini = teardown, .timeout = 60);

static int
run(const char *const *argv)
{
	struct cfx_run r = cfx_run(NULL, NULL, argv, 30);
	int st = r.status;

	cr_assert_neq(st, -1, "tuf-client did not finish: %s", r.err);
	/* An exit code of 1 is also what a sanitizer report gives. */
	cr_assert(r.err == NULL || (strstr(r.err, "Sanitizer") == NULL &&
	                            strstr(r.err, "runtime error") == NULL),
	          "%s", r.err);
	cfx_run_free(&r);
	return st;
}

/* init from root version 1 of the repository (published first). */
static int
init_client(void)
{
	size_t len;
	const uint8_t *root;

	tfx_publish(repo, srv);
	root = tfx_root_bytes(repo, 1, &len);
	cfx_write_file(rootfile, root, len, 0644);
	return run((const char *const[]){ cfx_bin("tuf-client"),
	                                  "--metadata-dir", mdir, "init",
	                                  rootfile, NULL });
}

static int
refresh(void)
{
	/* The option order of the suite's runner. */
	return run((const char *const[]){ cfx_bin("tuf-client"),
	                                  "--metadata-url", murl,
	                                  "--metadata-dir", mdir, "refresh",
	                                  NULL });
}

static int
download(const char *name)
{
	return run((const char *const[]){
	    cfx_bin("tuf-client"), "--metadata-url", murl, "--metadata-dir",
	    mdir, "--target-name", name, "--target-dir", tdir,
	    "--target-base-url", turl, "download", NULL });
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir, sorted, one per line (malloc'd). */
static char *
listing(const char *dir)
{
	char *names[64], *out;
	size_t n = 0, total = 1;
	struct dirent *de;
	DIR *d = opendir(dir);

	cr_assert_not_null(d, "cannot open %s", dir);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		cr_assert_lt(n, 64);
		names[n] = strdup(de->d_name);
		total += strlen(names[n++]) + 1;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);
	out = calloc(1, total);
	for (size_t i = 0; i < n; i++) {
		strcat(out, names[i]);
		strcat(out, "\n");
		free(names[i]);
	}
	return out;
}

static void
assert_listing(const char *dir, const char *want)
{
	char *got = listing(dir);

	cr_assert_str_eq(got, want, "%s holds:\n%s", dir, got);
	free(got);
}

static void
assert_log(const char *want)
{
	char *got = hfx_log(srv);

	cr_assert_str_eq(got, want, "requests were:\n%s", got);
	free(got);
}

static void
assert_role_bytes(const char *role)
{
	char file[64];
	size_t len;
	const uint8_t *want = tfx_bytes(repo, role, &len);

	snprintf(file, sizeof(file), "%s.json", role);
	tfx_assert_file(mdir, file, want, len);
}

#define TOP_LEVEL "root.json\nsnapshot.json\ntargets.json\ntimestamp.json\n"

Test(tuf_client_cli, init_copies_the_root_and_makes_no_request)
{
	size_t len;
	const uint8_t *root;

	cr_assert_eq(init_client(), 0);
	cr_assert_eq(hfx_request_count(srv), 0);
	assert_listing(mdir, "root.json\n");
	root = tfx_root_bytes(repo, 1, &len);
	tfx_assert_file(mdir, "root.json", root, len);
}

Test(tuf_client_cli, refresh_requests_in_order_and_keeps_exact_bytes)
{
	cr_assert_eq(init_client(), 0);
	cr_assert_eq(refresh(), 0);
	assert_log("GET /2.root.json\nGET /timestamp.json\n"
	           "GET /1.snapshot.json\nGET /1.targets.json\n");
	/* Unversioned names, nothing else (no temporary files left). */
	assert_listing(mdir, TOP_LEVEL);
	assert_role_bytes("root");
	assert_role_bytes("timestamp");
	assert_role_bytes("snapshot");
	assert_role_bytes("targets");
}

Test(tuf_client_cli, unchanged_repository_costs_root_and_timestamp_only)
{
	cr_assert_eq(init_client(), 0);
	cr_assert_eq(refresh(), 0);
	hfx_clear_log(srv);
	cr_assert_eq(refresh(), 0);
	/* Snapshot and targets come from the local copies that the
	 * timestamp still lists (the suite counts these requests). */
	assert_log("GET /2.root.json\nGET /timestamp.json\n");
}

Test(tuf_client_cli, stored_bytes_are_the_served_ones_not_a_reserialisation)
{
	size_t len;
	const uint8_t *ts;
	uint8_t *odd;

	cr_assert_eq(init_client(), 0);
	ts = tfx_bytes(repo, "timestamp", &len);
	odd = malloc(len + 1);
	memcpy(odd, ts, len);
	odd[len] = ' ';
	hfx_put(srv, "/timestamp.json", odd, len + 1);
	cr_assert_eq(refresh(), 0);
	tfx_assert_file(mdir, "timestamp.json", odd, len + 1);
	free(odd);
}

Test(tuf_client_cli, invalid_initial_root_fails_without_a_request)
{
	static const char broken[] = "{\"signed\": {\"_type\": \"root\"}, "
	                             "\"signatures\": []}";

	tfx_publish(repo, srv);
	cfx_write_text(rootfile, broken);
	/* init does no checks (CLIENT-CLI.md); refresh refuses. */
	cr_assert_eq(run((const char *const[]){ cfx_bin("tuf-client"),
	                                        "--metadata-dir", mdir, "init",
	                                        rootfile, NULL }), 0);
	cr_assert_eq(refresh(), 1);
	cr_assert_eq(hfx_request_count(srv), 0);
}

Test(tuf_client_cli, missing_timestamp_fails_the_refresh)
{
	cr_assert_eq(init_client(), 0);
	hfx_remove(srv, "/timestamp.json");
	cr_assert_eq(refresh(), 1);
	assert_log("GET /2.root.json\nGET /timestamp.json\n");
	assert_listing(mdir, "root.json\n");
}

Test(tuf_client_cli, missing_snapshot_keeps_the_newer_timestamp)
{
	char path[64];

	cr_assert_eq(init_client(), 0);
	cr_assert_eq(refresh(), 0);
	tfx_bump_release(repo);
	tfx_publish(repo, srv);
	hfx_remove(srv, tfx_meta_path(repo, "snapshot", path, sizeof(path)));
	hfx_clear_log(srv);
	cr_assert_eq(refresh(), 1);
	assert_log("GET /2.root.json\nGET /timestamp.json\n"
	           "GET /2.snapshot.json\n");
	assert_role_bytes("timestamp");
	assert_listing(mdir, TOP_LEVEL);
}

Test(tuf_client_cli, duplicate_signature_keyids_refuse_the_document)
{
	char path[64];
	size_t len;
	const uint8_t *sn;
	json_t *doc, *sigs;
	char *text;

	cr_assert_eq(init_client(), 0);
	sn = tfx_bytes(repo, "snapshot", &len);
	doc = json_loadb((const char *)sn, len, 0, NULL);
	cr_assert_not_null(doc);
	sigs = json_object_get(doc, "signatures");
	json_array_append(sigs, json_array_get(sigs, 0));
	text = json_dumps(doc, 0);
	hfx_put(srv, tfx_meta_path(repo, "snapshot", path, sizeof(path)),
	        text, strlen(text));
	/* The suite's test_duplicate_sig_keyids: the one valid signature,
	 * twice, is a malformed document, not a met threshold. */
	cr_assert_eq(refresh(), 1);
	assert_listing(mdir, "root.json\ntimestamp.json\n");
	free(text);
	json_decref(doc);
}

Test(tuf_client_cli, download_refreshes_first_and_misses_cleanly)
{
	cr_assert_eq(init_client(), 0);
	cr_assert_eq(download("nonexistent artifact"), 1);
	assert_log("GET /2.root.json\nGET /timestamp.json\n"
	           "GET /1.snapshot.json\nGET /1.targets.json\n");
	assert_listing(mdir, TOP_LEVEL);
	assert_listing(tdir, "");
}

Test(tuf_client_cli, download_in_a_sub_directory_and_cache_hit)
{
	static const char body[] = "target file contents";
	char path[256];

	tfx_add_target(repo, "targets", "path/to/a/target_file.txt", body,
	               sizeof(body) - 1);
	cr_assert_eq(init_client(), 0);
	cr_assert_eq(download("path/to/a/target_file.txt"), 0);
	tfx_target_path(repo, "targets", "path/to/a/target_file.txt", path,
	                sizeof(path));
	cr_assert_eq(hfx_count(srv, path), 1);
	/* One file, under one stable name, holding exactly the target. */
	tfx_assert_file(tdir, "path%2Fto%2Fa%2Ftarget_file.txt",
	                (const uint8_t *)body, sizeof(body) - 1);
	assert_listing(tdir, "path%2Fto%2Fa%2Ftarget_file.txt\n");

	/* The second download of an unchanged target requests no target. */
	hfx_clear_log(srv);
	cr_assert_eq(download("path/to/a/target_file.txt"), 0);
	assert_log("GET /2.root.json\nGET /timestamp.json\n");
}

Test(tuf_client_cli, substituted_target_is_never_stored)
{
	static const char evil[] = "malicious data - should not download";
	char path[256];

	tfx_add_target(repo, "targets", "one.txt", "one", 3);
	tfx_add_target(repo, "targets", "two.txt", "content", 7);
	cr_assert_eq(init_client(), 0);
	cr_assert_eq(download("one.txt"), 0);
	hfx_put(srv, tfx_target_path(repo, "targets", "two.txt", path,
	                             sizeof(path)), evil, sizeof(evil) - 1);
	cr_assert_eq(download("two.txt"), 1);
	assert_listing(tdir, "one.txt\n");
}

Test(tuf_client_cli, changed_target_replaces_the_same_file)
{
	cr_assert_eq(init_client(), 0);
	tfx_add_target(repo, "targets", "f.txt", "first", 5);
	tfx_bump_release(repo);
	tfx_publish(repo, srv);
	cr_assert_eq(download("f.txt"), 0);
	tfx_add_target(repo, "targets", "f.txt", "second!", 7);
	tfx_bump_release(repo);
	tfx_publish(repo, srv);
	cr_assert_eq(download("f.txt"), 0);
	tfx_assert_file(tdir, "f.txt", (const uint8_t *)"second!", 7);
	assert_listing(tdir, "f.txt\n");
}

Test(tuf_client_cli, zero_length_target)
{
	tfx_add_target(repo, "targets", "empty", "", 0);
	cr_assert_eq(init_client(), 0);
	cr_assert_eq(download("empty"), 0);
	tfx_assert_file(tdir, "empty", (const uint8_t *)"", 0);
	hfx_clear_log(srv);
	cr_assert_eq(download("empty"), 0);
	assert_log("GET /2.root.json\nGET /timestamp.json\n");
}

Test(tuf_client_cli, unusual_role_names_are_percent_encoded)
{
	static const char *const all[] = { "*", NULL };
	static const char *const names[] = { "?", "#", "/delegatedrole",
	                                     "../delegatedrole" };

	for (size_t i = 0; i < 4; i++) {
		char esc[128], req[160], file[160];
		uint8_t *got;
		size_t len;
		char *log;

		tfx_delegate(repo, "targets", names[i], all, NULL, 0);
		tfx_escape(names[i], esc, sizeof(esc));
		snprintf(req, sizeof(req), "GET /1.%s.json\n", esc);
		snprintf(file, sizeof(file), "%s.json", esc);
		if (i == 0) {
			cr_assert_eq(init_client(), 0);
		} else {
			tfx_bump_release(repo);
			tfx_publish(repo, srv);
		}
		hfx_clear_log(srv);
		cr_assert_eq(download("nonexistent target"), 1);
		log = hfx_log(srv);
		cr_assert(strstr(log, req) != NULL, "want %s in:\n%s", req,
		          log);
		free(log);
		/* Stored under the same encoding, inside the directory. */
		got = tfx_read(mdir, file, &len);
		cr_assert_not_null(got, "%s/%s is missing", mdir, file);
		free(got);
	}
	assert_listing(mdir, "%23.json\n%2Fdelegatedrole.json\n%3F.json\n"
	               "..%2Fdelegatedrole.json\n" TOP_LEVEL);
}

Test(tuf_client_cli, consistent_snapshot_off_uses_unversioned_names)
{
	tfx_set_consistent(repo, 0);
	tfx_add_target(repo, "targets", "a.txt", "hello", 5);
	cr_assert_eq(init_client(), 0);
	cr_assert_eq(download("a.txt"), 0);
	assert_log("GET /2.root.json\nGET /timestamp.json\n"
	           "GET /snapshot.json\nGET /targets.json\n"
	           "GET /targets/a.txt\n");
}

Test(tuf_client_cli, expired_root_fails_after_persisting_it)
{
	cr_assert_eq(init_client(), 0);
	cr_assert_eq(refresh(), 0);
	tfx_root_rotate(repo);
	tfx_set_expires(repo, "root", (int64_t)time(NULL) - 86400);
	tfx_publish(repo, srv);
	cr_assert_eq(refresh(), 1);
	/* 5.3.10: the freeze check comes after the new root is stored. */
	assert_role_bytes("root");
}

/* TAP 15 hash bins, with the names the suite expects
 * (test_succinct_roles_graph_traversal). */
static void
check_bin(unsigned bits, const char *target, const char *want)
{
	char doc[1024], bin[64], why[256];
	struct tuf_md *m = NULL;

	snprintf(doc, sizeof(doc),
	         "{\"signatures\":[],\"signed\":{\"_type\":\"targets\","
	         "\"spec_version\":\"1.0.31\",\"version\":1,"
	         "\"expires\":\"2030-01-01T00:00:00Z\",\"targets\":{},"
	         "\"delegations\":{\"keys\":{},\"succinct_roles\":{"
	         "\"keyids\":[\"k\"],\"threshold\":1,\"bit_length\":%u,"
	         "\"name_prefix\":\"bin\"}}}}", bits);
	cr_assert_eq(tuf_md_parse(&m, TUF_TARGETS, "targets.json",
	                          (const uint8_t *)doc, strlen(doc), why,
	                          sizeof(why)), 0, "%s", why);
	cr_assert(m->has_succinct);
	cr_assert_eq(tuf_succinct_bin(m, target, bin, sizeof(bin)), 0);
	cr_assert_str_eq(bin, want, "%u bits, %s", bits, target);
	tuf_md_free(m);
}

Test(tuf_client_cli, succinct_role_bins)
{
	check_bin(1, "boo", "bin-0");
	check_bin(1, "too", "bin-1");
	check_bin(2, "foo", "bin-0");
	check_bin(2, "doo", "bin-1");
	check_bin(2, "too", "bin-2");
	check_bin(2, "bar", "bin-3");
	check_bin(8, "bar", "bin-fc");
}
