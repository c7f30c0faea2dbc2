/* test_tuf_rotation.c - root rotation in the TUF client (lib/tuf/), the
 * specification's 5.3 "Update the root role": one version at a time, each
 * new root signed by a threshold of the old and of the new root keys, the
 * walk stopping at the first missing version or at the rotation bound;
 * fast-forward recovery (5.3.11); key schemes, and keys of unknown
 * schemes, which are ignored unless a threshold needs them. */
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

TestSuite(tuf_rotation, .init = setup, .fini = teardown, .timeout = 60);

static void
refresh_ok(void)
{
	cr_assert_eq(tfx_env_refresh(&env), PV_TUF_OK, "refresh: %s",
	             env.why);
}

static void
assert_refused(const char *word)
{
	int rc = tfx_env_refresh(&env);

	cr_assert_eq(rc, PV_TUF_EREJECT, "refresh returned %d: %s", rc,
	             env.why);
	cr_assert(tfx_mentions(env.why, word),
	          "the message does not name \"%s\": %s", word, env.why);
}

static uint64_t
trusted_root_version(void)
{
	pv_tuf_state st;

	pv_tuf_get_state(env.c, &st);
	return st.root.version;
}

static void
assert_root_file_is(uint64_t v)
{
	size_t len = 0;
	const uint8_t *b = tfx_root_bytes(env.repo, v, &len);

	cr_assert_not_null(b);
	tfx_assert_file(env.dir, "root.json", b, len);
}

/* ---- the walk ---------------------------------------------------------- */

Test(tuf_rotation, the_root_update_stops_at_the_first_missing_version)
{
	char *log;

	tfx_env_init(&env);
	refresh_ok();
	cr_assert_eq(hfx_count(env.srv, "/2.root.json"), 1);
	cr_assert_eq(hfx_count(env.srv, "/3.root.json"), 0);
	log = hfx_log(env.srv);
	/* 5.3.3 first, then 5.4 the timestamp: nothing else before. */
	cr_assert_eq(strncmp(log, "GET /2.root.json\nGET /timestamp.json\n",
	                     37), 0, "request log:\n%s", log);
	free(log);
	cr_assert_eq(trusted_root_version(), 1);
}

Test(tuf_rotation, roots_are_walked_one_version_at_a_time)
{
	tfx_env_init(&env);
	refresh_ok();
	for (int i = 0; i < 2; i++) {
		tfx_root_rotate(env.repo);
		tfx_set_new_key(env.repo, "root", i ? TFX_ECDSA : TFX_ED25519);
	}
	tfx_bump_release(env.repo);
	tfx_publish(env.repo, env.srv);
	hfx_clear_log(env.srv);
	refresh_ok();
	cr_assert_eq(trusted_root_version(), 3);
	cr_assert_eq(hfx_count(env.srv, "/2.root.json"), 1);
	cr_assert_eq(hfx_count(env.srv, "/3.root.json"), 1);
	cr_assert_eq(hfx_count(env.srv, "/4.root.json"), 1);
	assert_root_file_is(3);
	/* And a restart trusts root v3. */
	tfx_env_reopen(&env);
	cr_assert_eq(trusted_root_version(), 3);
}

Test(tuf_rotation, the_walk_stops_at_max_root_rotations)
{
	tfx_env_init(&env);
	for (int i = 0; i < 4; i++)
		tfx_root_rotate(env.repo);
	tfx_publish(env.repo, env.srv);
	env.cfg.max_root_rotations = 2;
	tfx_env_reopen(&env);
	/* Root keys never changed, so root v3 still verifies the rest. */
	refresh_ok();
	cr_assert_eq(trusted_root_version(), 3);
	cr_assert_eq(hfx_count(env.srv, "/4.root.json"), 0);
	assert_root_file_is(3);
}

/* ---- signatures on a new root ------------------------------------------ */

/* Root v2 with a new root key, signed as `who` says; refused. */
static void
new_root_signed_by(int old_key, int new_key, const char *word)
{
	struct tfx_saved s;
	struct tfx_key *old, *nk, *signers[2];
	size_t n = 0;

	tfx_env_init(&env);
	refresh_ok();
	tfx_save(&s, env.dir);
	old = tfx_role_key(env.repo, "root", 0);
	tfx_root_rotate(env.repo);
	nk = tfx_set_new_key(env.repo, "root", TFX_ECDSA);
	if (old_key)
		signers[n++] = old;
	if (new_key)
		signers[n++] = nk;
	tfx_sign_with(env.repo, "root", signers, n);
	tfx_bump_release(env.repo);
	tfx_publish(env.repo, env.srv);
	assert_refused(word);
	cr_assert_eq(trusted_root_version(), 1);
	tfx_assert_kept(&s, env.dir, "root.json");
	tfx_assert_kept(&s, env.dir, "timestamp.json");
	tfx_saved_free(&s);
}

Test(tuf_rotation, a_new_root_without_the_old_keys_is_refused)
{
	/* 5.3.4: signed by a threshold of the trusted root's keys. */
	new_root_signed_by(0, 1, "root");
}

Test(tuf_rotation, a_new_root_without_its_own_keys_is_refused)
{
	/* 5.3.5: and by a threshold of its own keys. */
	new_root_signed_by(1, 0, "root");
}

Test(tuf_rotation, a_new_root_under_the_old_threshold_is_refused)
{
	struct tfx_key *k[2];
	struct tfx_saved s;

	/* v1: two root keys, threshold 2. v2 signed by one of them. */
	tfx_add_key(env.repo, "root", TFX_ECDSA);
	tfx_set_threshold(env.repo, "root", 2);
	tfx_env_init(&env);
	refresh_ok();
	tfx_save(&s, env.dir);
	k[0] = tfx_role_key(env.repo, "root", 0);
	tfx_root_rotate(env.repo);
	k[1] = tfx_set_new_key(env.repo, "root", TFX_ED25519);
	tfx_sign_with(env.repo, "root", k, 2);
	tfx_publish(env.repo, env.srv);
	assert_refused("root");
	tfx_assert_kept(&s, env.dir, "root.json");
	tfx_saved_free(&s);
}

Test(tuf_rotation, a_skipped_root_version_is_refused)
{
	size_t len;
	const uint8_t *v3;
	struct tfx_saved s;

	tfx_env_init(&env);
	refresh_ok();
	tfx_save(&s, env.dir);
	tfx_root_rotate(env.repo);
	tfx_root_rotate(env.repo);
	tfx_publish(env.repo, env.srv);
	/* 5.3.5: N+2 served as N+1 ("version ... is N+1"). */
	v3 = tfx_root_bytes(env.repo, 3, &len);
	hfx_put(env.srv, "/2.root.json", v3, len);
	assert_refused("root");
	cr_assert_eq(trusted_root_version(), 1);
	tfx_assert_kept(&s, env.dir, "root.json");
	tfx_saved_free(&s);
}

Test(tuf_rotation, a_bad_root_signature_is_refused)
{
	tfx_env_init(&env);
	refresh_ok();
	tfx_root_rotate(env.repo);
	tfx_set_bad_signature(env.repo, "root", 1);
	tfx_publish(env.repo, env.srv);
	assert_refused("root");
	cr_assert_eq(trusted_root_version(), 1);
	assert_root_file_is(1);
}

/* ---- fast-forward recovery --------------------------------------------- */

Test(tuf_rotation, rotated_timestamp_and_snapshot_keys_allow_lower_versions)
{
	pv_tuf_state st;
	size_t len;
	const uint8_t *b;

	tfx_env_init(&env);
	for (int i = 0; i < 9; i++)
		tfx_bump_release(env.repo);
	tfx_publish(env.repo, env.srv);
	refresh_ok();
	pv_tuf_get_state(env.c, &st);
	cr_assert_eq(st.timestamp.version, 10);

	/* The old timestamp and snapshot keys are gone (an attacker may have
	 * published version 2^63 with them): the new root rotates them, and
	 * the repository starts again at version 1. */
	tfx_root_rotate(env.repo);
	tfx_set_new_key(env.repo, "timestamp", TFX_ECDSA);
	tfx_set_new_key(env.repo, "snapshot", TFX_ECDSA);
	tfx_set_version(env.repo, "timestamp", 1);
	tfx_set_version(env.repo, "snapshot", 1);
	tfx_bump(env.repo, "targets");
	tfx_publish(env.repo, env.srv);
	refresh_ok();
	pv_tuf_get_state(env.c, &st);
	cr_assert_eq(st.root.version, 2);
	cr_assert_eq(st.timestamp.version, 1);
	cr_assert_eq(st.snapshot.version, 1);
	cr_assert_eq(st.targets.version, 11);
	b = tfx_bytes(env.repo, "timestamp", &len);
	tfx_assert_file(env.dir, "timestamp.json", b, len);
	b = tfx_bytes(env.repo, "snapshot", &len);
	tfx_assert_file(env.dir, "snapshot.json", b, len);
}

Test(tuf_rotation, without_a_key_rotation_lower_versions_stay_refused)
{
	tfx_env_init(&env);
	for (int i = 0; i < 9; i++)
		tfx_bump_release(env.repo);
	tfx_publish(env.repo, env.srv);
	refresh_ok();
	/* A new root that changes nothing for timestamp and snapshot. */
	tfx_root_rotate(env.repo);
	tfx_set_version(env.repo, "timestamp", 1);
	tfx_set_version(env.repo, "snapshot", 1);
	tfx_publish(env.repo, env.srv);
	assert_refused("timestamp");
}

/* ---- key schemes ------------------------------------------------------- */

static void
every_role_uses(enum tfx_scheme s)
{
	static const char *const roles[] = { "root", "timestamp", "snapshot",
		                             "targets" };

	for (size_t i = 0; i < 4; i++)
		tfx_set_new_key(env.repo, roles[i], s);
	tfx_env_init(&env);
	refresh_ok();
}

Test(tuf_rotation, ecdsa_p256_keys_verify)
{
	every_role_uses(TFX_ECDSA);
}

Test(tuf_rotation, ecdsa_keys_of_the_older_keytype_verify)
{
	every_role_uses(TFX_ECDSA_KEYTYPE);
}

Test(tuf_rotation, rsassa_pss_sha256_keys_verify)
{
	every_role_uses(TFX_RSA_PSS);
}

Test(tuf_rotation, a_threshold_of_mixed_schemes_verifies)
{
	struct tfx_key *k[3];

	k[0] = tfx_key_new(env.repo, TFX_ED25519);
	k[1] = tfx_key_new(env.repo, TFX_ECDSA);
	k[2] = tfx_key_new(env.repo, TFX_RSA_PSS);
	tfx_set_keys(env.repo, "snapshot", k, 3, 2);
	tfx_sign_with(env.repo, "snapshot", k + 1, 2);
	tfx_env_init(&env);
	refresh_ok();
}

Test(tuf_rotation, a_key_of_an_unknown_scheme_is_ignored)
{
	struct tfx_key *k[2];

	k[0] = tfx_role_key(env.repo, "timestamp", 0);
	k[1] = tfx_key_new(env.repo, TFX_UNKNOWN_SCHEME);
	tfx_set_keys(env.repo, "timestamp", k, 2, 1);
	tfx_env_init(&env);
	refresh_ok();
}

Test(tuf_rotation, a_key_of_an_unknown_scheme_cannot_make_a_threshold)
{
	struct tfx_key *k[2];
	struct tfx_saved s;

	k[0] = tfx_role_key(env.repo, "timestamp", 0);
	k[1] = tfx_key_new(env.repo, TFX_UNKNOWN_SCHEME);
	tfx_set_keys(env.repo, "timestamp", k, 2, 2);
	tfx_env_init(&env);
	tfx_save(&s, env.dir);
	assert_refused("timestamp");
	tfx_assert_kept(&s, env.dir, "timestamp.json");
	tfx_saved_free(&s);
}

Test(tuf_rotation, a_timestamp_under_its_threshold_is_refused)
{
	struct tfx_key *k;

	tfx_add_key(env.repo, "timestamp", TFX_ED25519);
	tfx_set_threshold(env.repo, "timestamp", 2);
	tfx_env_init(&env);
	refresh_ok();
	tfx_bump_release(env.repo);
	k = tfx_role_key(env.repo, "timestamp", 1);
	tfx_sign_with(env.repo, "timestamp", &k, 1);
	tfx_publish(env.repo, env.srv);
	assert_refused("timestamp");
}
