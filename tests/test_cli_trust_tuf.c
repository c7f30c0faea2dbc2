/*
 * test_cli_trust_tuf.c - the built pyverify getting its trusted root from a
 * TUF repository, as a user runs it: `trust update|show`, verification
 * with no --trusted-root, the cache's age, a repository that is down,
 * --offline, and the lookup order against explicit and imported files.
 * The repository is generated (tuf_fx) and served on loopback (http_fx);
 * it publishes the trusted root of the virtual Sigstore that signed the
 * test's release (cli_fx). HOME and the XDG directories are temporary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "cli_fx.h"
#include "http_fx.h"
#include "tuf_fx.h"
#include "vsigstore.h"

#define BOUND 60 /* seconds any one run may take */

struct t {
	struct cfx f;
	struct hfx *srv;
	struct tfx *repo;
	char url[128];
	char *tuf_root;   /* the repository's root v1, as a file */
	char *env[8];
};

static void
t_start(struct t *t)
{
	const uint8_t *root;
	size_t len, trlen;
	uint8_t *tr;
	char *dir;

	memset(t, 0, sizeof(*t));
	cfx_init_signed(&t->f);
	t->srv = hfx_start();
	snprintf(t->url, sizeof(t->url), "%s", hfx_url(t->srv));
	dir = t->f.dir;
	tr = tfx_read(dir, strrchr(t->f.root, '/') + 1, &trlen);
	cr_assert_not_null(tr, "cli_fx writes the trusted root in its dir");
	t->repo = tfx_sigstore_repo(t->srv, (int64_t)time(NULL), tr, trlen,
	                            NULL, 0);
	free(tr);
	root = tfx_root_bytes(t->repo, 1, &len);
	t->tuf_root = cfx_pathf("%s/tuf-root.json", dir);
	cfx_write_file(t->tuf_root, root, len, 0644);
	t->env[0] = cfx_pathf("HOME=%s/home", dir);
	t->env[1] = cfx_pathf("XDG_CACHE_HOME=%s/cache", dir);
	t->env[2] = cfx_pathf("XDG_DATA_HOME=%s/data", dir);
	t->env[3] = cfx_pathf("PYVERIFY_TRUSTED_ROOT");
	t->env[4] = cfx_pathf("PYVERIFY_OFFLINE");
	t->env[5] = cfx_pathf("PYVERIFY_TUF_URL");
	t->env[6] = cfx_pathf("PYVERIFY_TUF_ROOT");
}

static void
t_stop(struct t *t)
{
	size_t i;

	hfx_stop(t->srv);
	tfx_free(t->repo);
	for (i = 0; i < 8; i++)
		free(t->env[i]);
	free(t->tuf_root);
	cfx_free(&t->f);
}

/* pyverify with argv, the test's environment plus extra (may be NULL). */
static struct cfx_run
t_run(struct t *t, const char *extra, const char *const *args)
{
	const char *env[10];
	const char *argv[24];
	size_t i, n = 0;

	for (i = 0; t->env[i] != NULL; i++)
		env[n++] = t->env[i];
	if (extra != NULL)
		env[n++] = extra;
	env[n] = NULL;
	argv[0] = cfx_bin("pyverify");
	for (i = 0; args[i] != NULL && i < 22; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	return cfx_run(NULL, env, argv, BOUND);
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* `pyverify ARTIFACT` against the test's repository. */
static struct cfx_run
t_verify(struct t *t, const char *extra, const char *opt)
{
	if (opt != NULL)
		return t_run(t, extra, ARGS("--policy", t->f.policy, "--tuf-url",
		                            t->url, "--tuf-root", t->tuf_root,
		                            opt, t->f.art));
	return t_run(t, extra, ARGS("--policy", t->f.policy, "--tuf-url",
	                            t->url, "--tuf-root", t->tuf_root,
	                            t->f.art));
}

Test(cli_trust_tuf, verification_fetches_trust_once_then_uses_the_cache,
     .timeout = 120)
{
	struct t t;
	struct cfx_run r;

	t_start(&t);
	r = t_verify(&t, NULL, NULL);
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.out, "verified"), "%s", r.out);
	cr_assert_eq(r.err[0], '\0', "no warning: %s", r.err);
	cr_assert_gt(hfx_count(t.srv, "/timestamp.json"), 0);
	cfx_run_free(&r);
	hfx_clear_log(t.srv);
	r = t_verify(&t, NULL, NULL);
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_eq(hfx_request_count(t.srv), 0, "a young cache is used");
	cfx_run_free(&r);
	/* Max age 0: refreshed every time. */
	r = t_verify(&t, NULL, "--trust-max-age=0");
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_gt(hfx_count(t.srv, "/timestamp.json"), 0);
	cfx_run_free(&r);
	/* A bad age is a usage error. */
	r = t_verify(&t, NULL, "--trust-max-age=soon");
	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "24h"), "%s", r.err);
	cfx_run_free(&r);
	t_stop(&t);
}

Test(cli_trust_tuf, environment_variables_choose_the_repository,
     .timeout = 120)
{
	struct t t;
	struct cfx_run r;
	char *url, *root, *bundle_args;

	t_start(&t);
	url = cfx_pathf("PYVERIFY_TUF_URL=%s", t.url);
	root = cfx_pathf("PYVERIFY_TUF_ROOT=%s", t.tuf_root);
	free(t.env[5]);
	free(t.env[6]);
	t.env[5] = url;
	t.env[6] = root;
	bundle_args = t.f.bundle;
	r = t_run(&t, NULL, ARGS("verify-bundle", "--bundle", bundle_args,
	                         "--certificate-identity", CFX_ID,
	                         "--certificate-oidc-issuer", CFX_ISS,
	                         t.f.art));
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_eq(strncmp(r.out, "OK ", 3), 0, "%s", r.out);
	cr_assert_gt(hfx_request_count(t.srv), 0);
	cfx_run_free(&r);
	t_stop(&t);
}

Test(cli_trust_tuf, trust_update_prints_versions_and_what_changed,
     .timeout = 120)
{
	struct t t;
	struct cfx_run r;
	struct vs *vs2 = vs_new();
	char *tr2 = vs_trust_root_string(vs2);

	t_start(&t);
	r = t_run(&t, NULL, ARGS("trust", "show", "--tuf-url", t.url,
	                         "--tuf-root", t.tuf_root));
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.out, "not yet fetched"), "%s", r.out);
	cr_assert_eq(hfx_request_count(t.srv), 0, "show never fetches");
	cfx_run_free(&r);

	r = t_run(&t, NULL, ARGS("trust", "update", "--tuf-url", t.url,
	                         "--tuf-root", t.tuf_root));
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.out, t.url), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "root       version 1, expires"),
	                   "%s", r.out);
	cr_assert_not_null(strstr(r.out, "timestamp  version 1"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "first fetch"), "%s", r.out);
	cfx_run_free(&r);

	/* The repository publishes another trusted root and rotates its
	 * root key. */
	tfx_sigstore_update(t.repo, t.srv, tr2, strlen(tr2), NULL, 0, 1);
	r = t_run(&t, NULL, ARGS("trust", "update", "--tuf-url", t.url));
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.out, "root       version 2"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "targets    version 2"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "changes:\n"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "  + transparency log"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "  - transparency log"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "  + CT log"), "%s", r.out);
	cfx_run_free(&r);

	hfx_clear_log(t.srv);
	r = t_run(&t, NULL, ARGS("trust", "show", "--tuf-url", t.url));
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.out, "root       version 2"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "last refresh: "), "%s", r.out);
	cr_assert_eq(hfx_request_count(t.srv), 0);
	cfx_run_free(&r);

	/* Offline and update exclude each other. */
	r = t_run(&t, "PYVERIFY_OFFLINE=1",
	          ARGS("trust", "update", "--tuf-url", t.url));
	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "offline"), "%s", r.err);
	cfx_run_free(&r);
	free(tr2);
	vs_free(vs2);
	t_stop(&t);
}

Test(cli_trust_tuf, a_repository_that_is_down_leaves_the_cache_in_use,
     .timeout = 120)
{
	struct t t;
	struct cfx_run r;

	t_start(&t);
	r = t_verify(&t, NULL, NULL);
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cfx_run_free(&r);
	hfx_set_status(t.srv, "/timestamp.json", 503);
	hfx_set_status(t.srv, "/2.root.json", 503);
	r = t_verify(&t, NULL, "--trust-max-age=0");
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_eq(cfx_count_lines(r.err, "pyverify: warning: "), 1, "%s",
	             r.err);
	cr_assert_not_null(strstr(r.err, "cached less than a minute ago"),
	                   "%s", r.err);
	cr_assert_not_null(strstr(r.out, "verified"), "%s", r.out);
	cfx_run_free(&r);
	t_stop(&t);
}

Test(cli_trust_tuf, nothing_usable_exits_2_and_says_what_to_do,
     .timeout = 120)
{
	struct t t;
	struct cfx_run r;

	t_start(&t);
	hfx_set_status(t.srv, "/1.root.json", 503);
	hfx_set_status(t.srv, "/2.root.json", 503);
	hfx_set_status(t.srv, "/timestamp.json", 503);
	r = t_verify(&t, NULL, NULL);
	cr_assert_eq(r.status, 2, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.err, "pyverify trust update"), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "pyverify trust import"), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "/etc/pyverify/trusted_root.json"),
	                   "%s", r.err);
	cr_assert_not_null(strstr(r.err, "--trusted-root FILE"), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "none is cached"), "%s", r.err);
	cfx_run_free(&r);
	t_stop(&t);
}

Test(cli_trust_tuf, offline_makes_no_request_and_works_from_the_cache,
     .timeout = 120)
{
	struct t t;
	struct cfx_run r;

	t_start(&t);
	r = t_verify(&t, NULL, "--offline");
	cr_assert_eq(r.status, 2, "nothing cached yet: %s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.err, "offline"), "%s", r.err);
	cr_assert_eq(hfx_request_count(t.srv), 0);
	cfx_run_free(&r);
	r = t_run(&t, NULL, ARGS("trust", "update", "--tuf-url", t.url,
	                         "--tuf-root", t.tuf_root));
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cfx_run_free(&r);
	hfx_clear_log(t.srv);
	r = t_verify(&t, NULL, "--offline");
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cfx_run_free(&r);
	r = t_verify(&t, "PYVERIFY_OFFLINE=1", "--trust-max-age=0");
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cfx_run_free(&r);
	cr_assert_eq(hfx_request_count(t.srv), 0);
	t_stop(&t);
}

Test(cli_trust_tuf, explicit_and_imported_files_come_first_in_order,
     .timeout = 120)
{
	struct t t;
	struct cfx_run r;

	t_start(&t);
	/* --trusted-root wins over a TUF repository and makes no request. */
	r = t_run(&t, NULL, ARGS("--policy", t.f.policy, "--tuf-url", t.url,
	                         "--tuf-root", t.tuf_root, "--trusted-root",
	                         t.f.root, t.f.art));
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_eq(hfx_request_count(t.srv), 0);
	cfx_run_free(&r);

	/* An imported file is used before Sigstore's default repository... */
	r = t_run(&t, NULL, ARGS("trust", "import", t.f.root));
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cfx_run_free(&r);
	r = t_run(&t, NULL, ARGS("trust", "show"));
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.out, "source: imported file"), "%s", r.out);
	cfx_run_free(&r);
	r = t_run(&t, NULL, ARGS("--policy", t.f.policy, t.f.art));
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cfx_run_free(&r);
	/* ...but a repository named explicitly comes before it. */
	r = t_run(&t, NULL, ARGS("trust", "show", "--tuf-url", t.url,
	                         "--tuf-root", t.tuf_root));
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.out, "source: TUF repository (chosen)"),
	                   "%s", r.out);
	cfx_run_free(&r);
	r = t_run(&t, NULL, ARGS("trust", "update", "--tuf-url", t.url,
	                         "--tuf-root", t.tuf_root));
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cfx_run_free(&r);
	cr_assert_eq(hfx_count(t.srv, "/1.root.json"), 0,
	             "the root file bootstraps a private repository");
	t_stop(&t);
}

Test(cli_trust_tuf, help_explains_where_trust_comes_from)
{
	struct t t;
	struct cfx_run r;

	t_start(&t);
	r = t_run(&t, NULL, ARGS("trust", "--help"));
	cr_assert_eq(r.status, 0);
	cr_assert_not_null(strstr(r.out, "trust update"));
	cr_assert_not_null(strstr(r.out, "--tuf-url"));
	cr_assert_not_null(strstr(r.out, "--offline"));
	cr_assert_not_null(strstr(r.out, "/etc/pyverify/trusted_root.json"));
	cr_assert_not_null(strstr(r.out, "--trust-max-age"));
	cfx_run_free(&r);
	r = t_run(&t, NULL, ARGS("verify-bundle", "--help"));
	cr_assert_not_null(strstr(r.out, "first match wins"), "%s", r.out);
	cfx_run_free(&r);
	r = t_run(&t, NULL, ARGS("scan", "--help"));
	cr_assert_not_null(strstr(r.out, "--tuf-root"), "%s", r.out);
	cfx_run_free(&r);
	t_stop(&t);
}
