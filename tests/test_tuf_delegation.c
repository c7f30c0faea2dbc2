/* test_tuf_delegation.c - delegated targets roles in the TUF client
 * (lib/tuf/), the specification's 5.6.7 "Perform a pre-order depth-first
 * search for metadata about the desired target": top-level targets first,
 * delegations fetched only when needed, in their listed order, matched by
 * paths or path_hash_prefixes, a terminating role ending the search, each
 * role verified against its delegator's keys and threshold. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "http_fx.h"
#include "tuf_fx.h"

#define NOW INT64_C(1750000000)

static struct tfx_env env;
static const char *const ALL[] = { "*", NULL };
static const char *const TXT[] = { "*.txt", NULL };

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

TestSuite(tuf_delegation, .init = setup, .fini = teardown, .timeout = 30);

/* Publishes, initialises, refreshes; then looks name up. */
static int
lookup(const char *name, pv_tuf_target *t)
{
	tfx_env_init(&env);
	cr_assert_eq(tfx_env_refresh(&env), PV_TUF_OK, "refresh: %s",
	             env.why);
	env.why[0] = '\0';
	return pv_tuf_target_info(env.c, name, t, env.why, sizeof(env.why));
}

static size_t
requests_of(const char *role)
{
	char path[256];

	return hfx_count(env.srv, tfx_meta_path(env.repo, role, path,
	                                        sizeof(path)));
}

static void
assert_found(int rc, pv_tuf_target *t, size_t length)
{
	cr_assert_eq(rc, PV_TUF_OK, "target_info: %s", env.why);
	cr_assert_eq(t->length, length);
	pv_tuf_target_clear(t);
}

Test(tuf_delegation, a_top_level_target_needs_no_delegated_metadata)
{
	pv_tuf_target t = { 0 };

	tfx_delegate(env.repo, "targets", "team", ALL, NULL, 0);
	assert_found(lookup("hello.txt", &t), &t, 5);
	cr_assert_eq(requests_of("team"), 0);
	tfx_assert_file(env.dir, "team.json", NULL, 0);
}

Test(tuf_delegation, a_delegated_target_is_found_fetched_and_its_role_kept)
{
	pv_tuf_target t = { 0 };
	uint8_t *got = NULL;
	size_t len = 0, blen;
	const uint8_t *b;

	tfx_delegate(env.repo, "targets", "team", ALL, NULL, 0);
	tfx_add_target(env.repo, "team", "team-a.txt", "from team", 9);
	cr_assert_eq(lookup("team-a.txt", &t), PV_TUF_OK, "%s", env.why);
	cr_assert_eq(t.length, 9);
	b = tfx_bytes(env.repo, "team", &blen);
	tfx_assert_file(env.dir, "team.json", b, blen);
	cr_assert_eq(pv_tuf_target_fetch(env.c, &t, &got, &len, env.why,
	                                 sizeof(env.why)), PV_TUF_OK, "%s",
	             env.why);
	cr_assert(len == 9 && memcmp(got, "from team", 9) == 0);
	free(got);
	pv_tuf_target_clear(&t);
}

Test(tuf_delegation, the_first_role_in_order_wins)
{
	pv_tuf_target t = { 0 };

	tfx_delegate(env.repo, "targets", "first", TXT, NULL, 0);
	tfx_delegate(env.repo, "targets", "second", TXT, NULL, 0);
	tfx_add_target(env.repo, "first", "x.txt", "one", 3);
	tfx_add_target(env.repo, "second", "x.txt", "second!", 7);
	assert_found(lookup("x.txt", &t), &t, 3);
	cr_assert_eq(requests_of("first"), 1);
	cr_assert_eq(requests_of("second"), 0);
}

Test(tuf_delegation, a_terminating_role_ends_the_search)
{
	pv_tuf_target t = { 0 };
	int rc;

	tfx_delegate(env.repo, "targets", "first", TXT, NULL, 1);
	tfx_delegate(env.repo, "targets", "second", TXT, NULL, 0);
	tfx_add_target(env.repo, "second", "x.txt", "second!", 7);
	rc = lookup("x.txt", &t);
	cr_assert_eq(rc, PV_TUF_ENOTFOUND, "rc %d: %s", rc, env.why);
	cr_assert_eq(requests_of("first"), 1);
	cr_assert_eq(requests_of("second"), 0);
}

Test(tuf_delegation, a_non_terminating_role_lets_the_search_go_on)
{
	pv_tuf_target t = { 0 };

	tfx_delegate(env.repo, "targets", "first", TXT, NULL, 0);
	tfx_delegate(env.repo, "targets", "second", TXT, NULL, 0);
	tfx_add_target(env.repo, "second", "x.txt", "second!", 7);
	assert_found(lookup("x.txt", &t), &t, 7);
	cr_assert_eq(requests_of("first"), 1);
	cr_assert_eq(requests_of("second"), 1);
}

Test(tuf_delegation, a_role_whose_paths_do_not_match_is_not_fetched)
{
	static const char *const bin[] = { "*.bin", NULL };
	pv_tuf_target t = { 0 };

	/* Even a terminating one: it is not consulted at all. */
	tfx_delegate(env.repo, "targets", "binaries", bin, NULL, 1);
	tfx_delegate(env.repo, "targets", "rest", ALL, NULL, 0);
	tfx_add_target(env.repo, "binaries", "x.txt", "wrong", 5);
	tfx_add_target(env.repo, "rest", "x.txt", "right!", 6);
	assert_found(lookup("x.txt", &t), &t, 6);
	cr_assert_eq(requests_of("binaries"), 0);
}

Test(tuf_delegation, path_hash_prefixes_select_the_role)
{
	pv_tuf_target t = { 0 };
	char hex[65], right[3], wrong[3];
	const char *rp[] = { right, NULL }, *wp[] = { wrong, NULL };

	/* The prefix of the SHA-256 of the target's name. */
	tfx_sha256_hex(hex, "x.txt", 5);
	memcpy(right, hex, 2);
	right[2] = '\0';
	memcpy(wrong, hex, 2);
	wrong[2] = '\0';
	wrong[0] = wrong[0] == 'f' ? '0' : 'f';
	tfx_delegate(env.repo, "targets", "other-bin", NULL, wp, 1);
	tfx_delegate(env.repo, "targets", "this-bin", NULL, rp, 0);
	tfx_add_target(env.repo, "this-bin", "x.txt", "hashed", 6);
	assert_found(lookup("x.txt", &t), &t, 6);
	cr_assert_eq(requests_of("other-bin"), 0);
	cr_assert_eq(requests_of("this-bin"), 1);
}

Test(tuf_delegation, nested_roles_are_searched_and_names_percent_encoded)
{
	pv_tuf_target t = { 0 };
	uint8_t *stored;

	tfx_delegate(env.repo, "targets", "team", ALL, NULL, 0);
	tfx_delegate(env.repo, "team", "team/ops", ALL, NULL, 0);
	tfx_add_target(env.repo, "team/ops", "deep.txt", "deep", 4);
	assert_found(lookup("deep.txt", &t), &t, 4);
	cr_assert_eq(hfx_count(env.srv, "/1.team.json"), 1);
	cr_assert_eq(hfx_count(env.srv, "/1.team%2Fops.json"), 1);
	stored = tfx_read(env.dir, "team%2Fops.json", NULL);
	cr_assert_not_null(stored, "team%%2Fops.json was not stored");
	free(stored);
}

Test(tuf_delegation, a_delegation_below_its_threshold_is_refused)
{
	pv_tuf_target t = { 0 };
	struct tfx_key *k;
	int rc;

	tfx_delegate(env.repo, "targets", "team", ALL, NULL, 0);
	tfx_add_key(env.repo, "team", TFX_ECDSA);
	tfx_set_threshold(env.repo, "team", 2);
	k = tfx_role_key(env.repo, "team", 1);
	tfx_sign_with(env.repo, "team", &k, 1);
	tfx_add_target(env.repo, "team", "team-a.txt", "from team", 9);
	rc = lookup("team-a.txt", &t);
	cr_assert_eq(rc, PV_TUF_EREJECT, "rc %d: %s", rc, env.why);
	cr_assert(tfx_mentions(env.why, "team"), "%s", env.why);
	tfx_assert_file(env.dir, "team.json", NULL, 0);
}

Test(tuf_delegation, a_delegation_signed_by_the_wrong_key_is_refused)
{
	pv_tuf_target t = { 0 };
	int rc;

	tfx_delegate(env.repo, "targets", "team", ALL, NULL, 0);
	/* Signed by the top-level targets key, which team does not list. */
	tfx_sign_with(env.repo, "team", (struct tfx_key *[]){
		tfx_role_key(env.repo, "targets", 0) }, 1);
	tfx_add_target(env.repo, "team", "team-a.txt", "from team", 9);
	rc = lookup("team-a.txt", &t);
	cr_assert_eq(rc, PV_TUF_EREJECT, "rc %d: %s", rc, env.why);
	tfx_assert_file(env.dir, "team.json", NULL, 0);
}

Test(tuf_delegation, a_delegated_role_other_than_the_snapshot_lists_is_refused)
{
	pv_tuf_target t = { 0 };
	int rc;

	tfx_delegate(env.repo, "targets", "team", ALL, NULL, 0);
	tfx_add_target(env.repo, "team", "team-a.txt", "from team", 9);
	tfx_meta_version_delta(env.repo, "team", 1);
	tfx_env_init(&env);
	/* The snapshot lists team v2, 2.team.json is team v1. */
	{
		size_t len;
		const uint8_t *b = tfx_bytes(env.repo, "team", &len);

		hfx_put(env.srv, "/2.team.json", b, len);
	}
	cr_assert_eq(tfx_env_refresh(&env), PV_TUF_OK, "%s", env.why);
	rc = pv_tuf_target_info(env.c, "team-a.txt", &t, env.why,
	                        sizeof(env.why));
	cr_assert_eq(rc, PV_TUF_EREJECT, "rc %d: %s", rc, env.why);
	tfx_assert_file(env.dir, "team.json", NULL, 0);
}

Test(tuf_delegation, the_search_is_bounded_by_max_delegations)
{
	pv_tuf_target t = { 0 };
	int rc;

	tfx_delegate(env.repo, "targets", "d1", ALL, NULL, 0);
	tfx_delegate(env.repo, "d1", "d2", ALL, NULL, 0);
	tfx_delegate(env.repo, "d2", "d3", ALL, NULL, 0);
	tfx_delegate(env.repo, "d3", "d4", ALL, NULL, 0);
	tfx_add_target(env.repo, "d4", "deep.txt", "deep", 4);
	env.cfg.max_delegations = 2;
	rc = lookup("deep.txt", &t);
	cr_assert_eq(rc, PV_TUF_ENOTFOUND, "rc %d: %s", rc, env.why);
	cr_assert_eq(requests_of("d4"), 0);
}

Test(tuf_delegation, an_unlisted_target_is_not_found_after_the_whole_tree)
{
	pv_tuf_target t = { 0 };
	int rc;

	tfx_delegate(env.repo, "targets", "a", ALL, NULL, 0);
	tfx_delegate(env.repo, "targets", "b", ALL, NULL, 0);
	rc = lookup("nope.txt", &t);
	cr_assert_eq(rc, PV_TUF_ENOTFOUND, "rc %d: %s", rc, env.why);
	cr_assert_eq(requests_of("a"), 1);
	cr_assert_eq(requests_of("b"), 1);
}
