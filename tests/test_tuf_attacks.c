/* test_tuf_attacks.c - the TUF client (lib/tuf/) against a generated
 * repository on loopback: the happy path, then one test per attack the
 * specification names ("Detailed client workflow"; the security section:
 * rollback, freeze, mix-and-match, endless data, slow retrieval, wrong
 * targets). Each attack asserts the refusal and that the metadata
 * directory still holds the last good metadata. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "http_fx.h"
#include "tuf_fx.h"

/* 2025-06-15T14:40:00Z: any fixed moment; the repository expires 30 days
 * later unless a test says otherwise. */
#define NOW INT64_C(1750000000)

static const char HELLO[] = "hello, TUF\n";

static struct tfx_env env;

static void
setup(void)
{
	tfx_env_start(&env, NOW);
	tfx_add_target(env.repo, "targets", "hello.txt", HELLO,
	               sizeof(HELLO) - 1);
	tfx_env_init(&env);
}

static void
teardown(void)
{
	tfx_env_stop(&env);
}

TestSuite(tuf_attacks, .init = setup, .fini = teardown, .timeout = 30);

/* A first refresh that must work, and the state it leaves. */
static void
refresh_ok(void)
{
	cr_assert_eq(tfx_env_refresh(&env), PV_TUF_OK, "refresh: %s",
	             env.why);
}

static void
release(void)
{
	tfx_bump_release(env.repo);
	tfx_publish(env.repo, env.srv);
}

/* The refusal, the file it names and why: each attack its own reason
 * (a bad signature must not pass as a rollback). */
static void
assert_refused(int rc, int want, const char *word, const char *reason)
{
	cr_assert_eq(rc, want, "refresh returned %d, not %d: %s", rc, want,
	             env.why);
	cr_assert(tfx_mentions(env.why, word),
	          "the message does not name \"%s\": %s", word, env.why);
	cr_assert(tfx_mentions(env.why, reason),
	          "the message does not say \"%s\": %s", reason, env.why);
}

static void
assert_kept_all(const struct tfx_saved *s, const char *const *names)
{
	for (size_t i = 0; names[i] != NULL; i++)
		tfx_assert_kept(s, env.dir, names[i]);
}

static const char *const TS_DOWN[] = { "root.json", "timestamp.json",
	                               "snapshot.json", "targets.json", NULL };
static const char *const SNAP_DOWN[] = { "root.json", "snapshot.json",
	                                 "targets.json", NULL };
static const char *const TARGETS_DOWN[] = { "root.json", "targets.json",
	                                    NULL };

static double
seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* ---- the happy path ---------------------------------------------------- */

Test(tuf_attacks, refresh_then_fetch_a_target_stores_the_served_bytes)
{
	pv_tuf_target t = { 0 };
	pv_tuf_state st;
	const uint8_t *want;
	uint8_t *got = NULL;
	size_t len = 0, wlen;
	char path[256];

	refresh_ok();
	pv_tuf_get_state(env.c, &st);
	cr_assert(st.root.present && st.timestamp.present &&
	          st.snapshot.present && st.targets.present);
	cr_assert_eq(st.root.version, 1);
	cr_assert_eq(st.timestamp.version, 1);
	cr_assert_eq(st.snapshot.version, 1);
	cr_assert_eq(st.targets.version, 1);
	cr_assert_eq(st.timestamp.expires, NOW + 30 * 86400);
	cr_assert(st.consistent_snapshot);
	/* Exactly the verified bytes are persisted, not a re-encoding. */
	for (size_t i = 0; TS_DOWN[i] != NULL; i++) {
		char role[32];

		memcpy(role, TS_DOWN[i], strlen(TS_DOWN[i]) - 5);
		role[strlen(TS_DOWN[i]) - 5] = '\0';
		want = tfx_bytes(env.repo, role, &wlen);
		tfx_assert_file(env.dir, TS_DOWN[i], want, wlen);
	}

	cr_assert_eq(pv_tuf_target_info(env.c, "hello.txt", &t, env.why,
	                                 sizeof(env.why)), PV_TUF_OK, "%s",
	             env.why);
	cr_assert_str_eq(t.path, "hello.txt");
	cr_assert_eq(t.length, sizeof(HELLO) - 1);
	cr_assert_eq(pv_tuf_target_fetch(env.c, &t, &got, &len, env.why,
	                                 sizeof(env.why)), PV_TUF_OK, "%s",
	             env.why);
	cr_assert_eq(len, sizeof(HELLO) - 1);
	cr_assert_eq(memcmp(got, HELLO, len), 0);
	tfx_assert_file(env.tdir, "hello.txt", (const uint8_t *)HELLO, len);
	free(got);
	got = NULL;

	/* A second fetch is served from the verified copy. */
	tfx_target_path(env.repo, "targets", "hello.txt", path, sizeof(path));
	cr_assert_eq(hfx_count(env.srv, path), 1);
	cr_assert_eq(pv_tuf_target_fetch(env.c, &t, &got, &len, env.why,
	                                 sizeof(env.why)), PV_TUF_OK, "%s",
	             env.why);
	cr_assert_eq(hfx_count(env.srv, path), 1);
	free(got);
	pv_tuf_target_clear(&t);
}

Test(tuf_attacks, a_new_release_is_picked_up)
{
	pv_tuf_state st;
	size_t len;
	const uint8_t *b;

	refresh_ok();
	tfx_add_target(env.repo, "targets", "hello.txt", "v2", 2);
	release();
	refresh_ok();
	pv_tuf_get_state(env.c, &st);
	cr_assert_eq(st.timestamp.version, 2);
	cr_assert_eq(st.snapshot.version, 2);
	cr_assert_eq(st.targets.version, 2);
	b = tfx_bytes(env.repo, "targets", &len);
	tfx_assert_file(env.dir, "targets.json", b, len);
}

Test(tuf_attacks, a_bad_timestamp_signature_is_refused)
{
	struct tfx_saved s;

	refresh_ok();
	tfx_save(&s, env.dir);
	tfx_set_bad_signature(env.repo, "timestamp", 1);
	release();
	assert_refused(tfx_env_refresh(&env), PV_TUF_EREJECT, "timestamp",
	               "threshold not met");
	assert_kept_all(&s, TS_DOWN);
	tfx_saved_free(&s);
}

/* ---- rollback ----------------------------------------------------------- */

/* Trusted: everything at version 2. Returns the bytes of timestamp v1. */
static uint8_t *
two_releases(size_t *ts1_len)
{
	const uint8_t *b = NULL;
	uint8_t *ts1;

	refresh_ok();
	b = tfx_bytes(env.repo, "timestamp", ts1_len);
	ts1 = malloc(*ts1_len);
	cr_assert_not_null(ts1);
	memcpy(ts1, b, *ts1_len);
	release();
	refresh_ok();
	return ts1;
}

static void
rollback_timestamp(int restart)
{
	struct tfx_saved s;
	size_t len;
	uint8_t *ts1 = two_releases(&len);

	tfx_save(&s, env.dir);
	if (restart)
		tfx_env_reopen(&env);
	/* 5.4.3.1: the new timestamp's version must not be lower. */
	hfx_put(env.srv, "/timestamp.json", ts1, len);
	assert_refused(tfx_env_refresh(&env), PV_TUF_EREJECT, "timestamp",
	               "rollback");
	assert_kept_all(&s, TS_DOWN);
	tfx_saved_free(&s);
	free(ts1);
}

Test(tuf_attacks, timestamp_rollback_is_refused)
{
	rollback_timestamp(0);
}

Test(tuf_attacks, timestamp_rollback_is_refused_after_a_restart)
{
	rollback_timestamp(1);
}

static void
rollback_snapshot(int restart)
{
	struct tfx_saved s;
	size_t len;

	free(two_releases(&len));
	tfx_save(&s, env.dir);
	if (restart)
		tfx_env_reopen(&env);
	/* 5.4.3.2: a newer timestamp that lists an older snapshot. */
	tfx_set_version(env.repo, "snapshot", 1);
	tfx_bump(env.repo, "timestamp");
	tfx_publish(env.repo, env.srv);
	assert_refused(tfx_env_refresh(&env), PV_TUF_EREJECT, "snapshot",
	               "rollback");
	assert_kept_all(&s, TS_DOWN);
	tfx_saved_free(&s);
}

Test(tuf_attacks, snapshot_rollback_is_refused)
{
	rollback_snapshot(0);
}

Test(tuf_attacks, snapshot_rollback_is_refused_after_a_restart)
{
	rollback_snapshot(1);
}

static void
rollback_targets(int restart)
{
	struct tfx_saved s;
	size_t len;

	free(two_releases(&len));
	tfx_save(&s, env.dir);
	if (restart)
		tfx_env_reopen(&env);
	/* 5.5.5: a newer snapshot that lists an older targets. */
	tfx_set_version(env.repo, "targets", 1);
	tfx_bump(env.repo, "snapshot");
	tfx_bump(env.repo, "timestamp");
	tfx_publish(env.repo, env.srv);
	assert_refused(tfx_env_refresh(&env), PV_TUF_EREJECT, "targets",
	               "rollback");
	assert_kept_all(&s, SNAP_DOWN);
	tfx_saved_free(&s);
}

Test(tuf_attacks, targets_rollback_is_refused)
{
	rollback_targets(0);
}

Test(tuf_attacks, targets_rollback_is_refused_after_a_restart)
{
	rollback_targets(1);
}

Test(tuf_attacks, delegated_role_rollback_is_refused)
{
	static const char *const pats[] = { "team-*", NULL };
	struct tfx_saved s;
	pv_tuf_target t = { 0 };
	uint8_t *team;

	tfx_delegate(env.repo, "targets", "team", pats, NULL, 0);
	tfx_add_target(env.repo, "team", "team-a.txt", "A", 1);
	tfx_set_version(env.repo, "team", 2);
	release();
	refresh_ok();
	cr_assert_eq(pv_tuf_target_info(env.c, "team-a.txt", &t, env.why,
	                                 sizeof(env.why)), PV_TUF_OK, "%s",
	             env.why);
	pv_tuf_target_clear(&t);
	tfx_save(&s, env.dir);
	team = tfx_read(env.dir, "team.json", NULL);
	cr_assert_not_null(team, "team.json was not stored");
	free(team);

	tfx_set_version(env.repo, "team", 1);
	release();
	assert_refused(tfx_env_refresh(&env), PV_TUF_EREJECT, "team",
	               "rollback");
	assert_kept_all(&s, SNAP_DOWN);
	tfx_assert_kept(&s, env.dir, "team.json");
	tfx_saved_free(&s);
}

/* ---- freeze ------------------------------------------------------------- */

static void
freeze(const char *role, const char *const *kept)
{
	struct tfx_saved s;

	refresh_ok();
	tfx_save(&s, env.dir);
	tfx_set_expires(env.repo, role, NOW - 1);
	release();
	assert_refused(tfx_env_refresh(&env), PV_TUF_EREJECT, role,
	               "freeze attack");
	assert_kept_all(&s, kept);
	tfx_saved_free(&s);
}

Test(tuf_attacks, expired_timestamp_is_refused)
{
	freeze("timestamp", TS_DOWN);
}

Test(tuf_attacks, expired_snapshot_is_refused)
{
	freeze("snapshot", SNAP_DOWN);
}

Test(tuf_attacks, expired_targets_is_refused)
{
	freeze("targets", TARGETS_DOWN);
}

Test(tuf_attacks, an_expired_final_root_is_refused)
{
	static const char *const kept[] = { "timestamp.json", "snapshot.json",
		                            "targets.json", NULL };
	struct tfx_saved s;

	refresh_ok();
	tfx_save(&s, env.dir);
	tfx_root_rotate(env.repo);
	tfx_set_new_key(env.repo, "root", TFX_ED25519);
	tfx_set_expires(env.repo, "root", NOW - 1);
	release();
	/* 5.3.10: the final root must not be expired. (5.3.8 may already
	 * have persisted it, so root.json is not compared.) */
	assert_refused(tfx_env_refresh(&env), PV_TUF_EREJECT, "root",
	               "freeze attack");
	assert_kept_all(&s, kept);
	tfx_saved_free(&s);
}

Test(tuf_attacks, expired_trusted_timestamp_is_not_enough_when_no_new_one)
{
	struct tfx_saved s;

	/* The repository stops publishing: the same timestamp is served
	 * after it expired (while every other role is still valid). */
	tfx_set_expires(env.repo, "timestamp", NOW + 86400);
	release();
	refresh_ok();
	tfx_save(&s, env.dir);
	env.cfg.now = NOW + 2 * 86400;
	tfx_env_reopen(&env);
	assert_refused(tfx_env_refresh(&env), PV_TUF_EREJECT, "expire",
	               "freeze attack");
	assert_kept_all(&s, TS_DOWN);
	tfx_saved_free(&s);
}

/* ---- mix-and-match ------------------------------------------------------ */

/* Serves, under the current name of `role`, the bytes of its previous
 * version, after a release. */
static void
serve_previous(const char *role)
{
	size_t len;
	const uint8_t *b = tfx_bytes(env.repo, role, &len);
	uint8_t *old = malloc(len);
	char path[256];

	cr_assert_not_null(old);
	memcpy(old, b, len);
	release();
	hfx_put(env.srv, tfx_meta_path(env.repo, role, path, sizeof(path)),
	        old, len);
	free(old);
}

Test(tuf_attacks, a_snapshot_other_than_the_timestamp_lists_is_refused)
{
	struct tfx_saved s;

	refresh_ok();
	tfx_save(&s, env.dir);
	/* 5.5.4: the snapshot's version must be the one the timestamp
	 * lists. */
	serve_previous("snapshot");
	assert_refused(tfx_env_refresh(&env), PV_TUF_EREJECT, "snapshot",
	               "mix-and-match");
	assert_kept_all(&s, SNAP_DOWN);
	tfx_saved_free(&s);
}

Test(tuf_attacks, a_snapshot_whose_hash_differs_from_the_timestamp_is_refused)
{
	struct tfx_saved s;

	refresh_ok();
	tfx_save(&s, env.dir);
	tfx_meta_bad_hash(env.repo, "snapshot", 1);
	release();
	assert_refused(tfx_env_refresh(&env), PV_TUF_EREJECT, "snapshot",
	               "hash");
	assert_kept_all(&s, SNAP_DOWN);
	tfx_saved_free(&s);
}

Test(tuf_attacks, a_snapshot_longer_than_the_timestamp_lists_is_refused)
{
	struct tfx_saved s;
	int rc;

	refresh_ok();
	tfx_save(&s, env.dir);
	tfx_meta_bad_length(env.repo, "snapshot", 1);
	release();
	rc = tfx_env_refresh(&env);
	/* Cut at the listed length (a transfer error) or refused after
	 * it: either way nothing of it is trusted. */
	cr_assert(rc == PV_TUF_EREJECT || rc == PV_TUF_ENET, "rc %d: %s", rc,
	          env.why);
	cr_assert(tfx_mentions(env.why, "snapshot"), "%s", env.why);
	assert_kept_all(&s, SNAP_DOWN);
	tfx_saved_free(&s);
}

Test(tuf_attacks, targets_other_than_the_snapshot_lists_are_refused)
{
	struct tfx_saved s;

	refresh_ok();
	tfx_save(&s, env.dir);
	serve_previous("targets");
	assert_refused(tfx_env_refresh(&env), PV_TUF_EREJECT, "targets",
	               "mix-and-match");
	assert_kept_all(&s, TARGETS_DOWN);
	tfx_saved_free(&s);
}

Test(tuf_attacks, targets_whose_hash_differs_from_the_snapshot_are_refused)
{
	struct tfx_saved s;

	refresh_ok();
	tfx_save(&s, env.dir);
	tfx_meta_bad_hash(env.repo, "targets", 1);
	release();
	assert_refused(tfx_env_refresh(&env), PV_TUF_EREJECT, "targets",
	               "hash");
	assert_kept_all(&s, TARGETS_DOWN);
	tfx_saved_free(&s);
}

/* ---- endless data and slow retrieval ------------------------------------ */

Test(tuf_attacks, an_endless_timestamp_is_cut_off_and_refused)
{
	struct tfx_saved s;
	struct timespec t0;
	int rc;

	refresh_ok();
	tfx_save(&s, env.dir);
	hfx_endless(env.srv, "/timestamp.json");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = tfx_env_refresh(&env);
	cr_assert(rc == PV_TUF_EREJECT || rc == PV_TUF_ENET, "rc %d: %s", rc,
	          env.why);
	cr_assert(tfx_mentions(env.why, "timestamp"), "%s", env.why);
	/* The bound is 16 KiB: over loopback that is milliseconds. */
	cr_assert_lt(seconds_since(&t0), 5.0);
	assert_kept_all(&s, TS_DOWN);
	tfx_saved_free(&s);
}

/* A timestamp key holder cannot lift the snapshot's download bound by
 * listing a huge length: the role's cap (2 MiB) still applies. */
Test(tuf_attacks, a_huge_listed_snapshot_length_keeps_the_cap)
{
	struct tfx_saved s;
	struct timespec t0;
	char path[256];
	int rc;

	refresh_ok();
	tfx_save(&s, env.dir);
	tfx_meta_length(env.repo, "snapshot", (uint64_t)1 << 40);
	release();
	hfx_endless(env.srv, tfx_meta_path(env.repo, "snapshot", path,
	                                   sizeof(path)));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = tfx_env_refresh(&env);
	cr_assert(rc == PV_TUF_EREJECT || rc == PV_TUF_ENET, "rc %d: %s", rc,
	          env.why);
	cr_assert(tfx_mentions(env.why, "snapshot"), "%s", env.why);
	cr_assert(tfx_mentions(env.why, "larger than"), "%s", env.why);
	/* 2 MiB over loopback: well under a second, never the minutes an
	 * uncapped endless answer would take. */
	cr_assert_lt(seconds_since(&t0), 10.0);
	assert_kept_all(&s, SNAP_DOWN);
	tfx_saved_free(&s);
}

Test(tuf_attacks, a_trickled_timestamp_is_abandoned_in_bounded_time)
{
	struct tfx_saved s;
	struct timespec t0;
	int rc;

	refresh_ok();
	tfx_save(&s, env.dir);
	release();
	/* 5 bytes a second against a floor of 100 B/s for 1 s. */
	hfx_trickle(env.srv, "/timestamp.json", 200);
	env.cfg.net.low_speed_bytes = 100;
	env.cfg.net.low_speed_seconds = 1;
	tfx_env_reopen(&env);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = tfx_env_refresh(&env);
	cr_assert_eq(rc, PV_TUF_ENET, "rc %d: %s", rc, env.why);
	cr_assert(tfx_mentions(env.why, "timestamp"), "%s", env.why);
	cr_assert_lt(seconds_since(&t0), 8.0);
	assert_kept_all(&s, TS_DOWN);
	tfx_saved_free(&s);
}

/* ---- targets ------------------------------------------------------------ */

static void
fetch_refused(const uint8_t *served, size_t len, int rc_a, int rc_b)
{
	pv_tuf_target t = { 0 };
	uint8_t *got = NULL;
	size_t glen = 0;
	char path[256];
	int rc;

	refresh_ok();
	hfx_put(env.srv, tfx_target_path(env.repo, "targets", "hello.txt",
	                                 path, sizeof(path)), served, len);
	cr_assert_eq(pv_tuf_target_info(env.c, "hello.txt", &t, env.why,
	                                 sizeof(env.why)), PV_TUF_OK, "%s",
	             env.why);
	rc = pv_tuf_target_fetch(env.c, &t, &got, &glen, env.why,
	                         sizeof(env.why));
	cr_assert(rc == rc_a || rc == rc_b, "fetch returned %d: %s", rc,
	          env.why);
	cr_assert_null(got);
	cr_assert(tfx_mentions(env.why, "hello.txt"), "%s", env.why);
	tfx_assert_file(env.tdir, "hello.txt", NULL, 0);
	pv_tuf_target_clear(&t);
}

Test(tuf_attacks, a_target_whose_hash_differs_is_refused)
{
	char bad[sizeof(HELLO)];

	memcpy(bad, HELLO, sizeof(HELLO));
	bad[0] = 'J';
	fetch_refused((const uint8_t *)bad, sizeof(HELLO) - 1,
	              PV_TUF_EREJECT, PV_TUF_EREJECT);
}

Test(tuf_attacks, a_target_shorter_than_listed_is_refused)
{
	fetch_refused((const uint8_t *)HELLO, sizeof(HELLO) - 2,
	              PV_TUF_EREJECT, PV_TUF_EREJECT);
}

Test(tuf_attacks, a_target_longer_than_listed_is_refused)
{
	char more[sizeof(HELLO) + 4096];

	memset(more, 'x', sizeof(more));
	memcpy(more, HELLO, sizeof(HELLO) - 1);
	fetch_refused((const uint8_t *)more, sizeof(more), PV_TUF_EREJECT,
	              PV_TUF_ENET);
}

Test(tuf_attacks, an_endless_target_is_cut_at_its_length)
{
	pv_tuf_target t = { 0 };
	uint8_t *got = NULL;
	size_t glen = 0;
	char path[256];
	struct timespec t0;
	int rc;

	refresh_ok();
	hfx_endless(env.srv, tfx_target_path(env.repo, "targets", "hello.txt",
	                                     path, sizeof(path)));
	cr_assert_eq(pv_tuf_target_info(env.c, "hello.txt", &t, env.why,
	                                 sizeof(env.why)), PV_TUF_OK, "%s",
	             env.why);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = pv_tuf_target_fetch(env.c, &t, &got, &glen, env.why,
	                         sizeof(env.why));
	cr_assert(rc == PV_TUF_EREJECT || rc == PV_TUF_ENET, "rc %d: %s", rc,
	          env.why);
	cr_assert_lt(seconds_since(&t0), 5.0);
	cr_assert_null(got);
	pv_tuf_target_clear(&t);
}

Test(tuf_attacks, an_unlisted_target_is_not_found)
{
	pv_tuf_target t = { 0 };

	refresh_ok();
	cr_assert_eq(pv_tuf_target_info(env.c, "nope.txt", &t, env.why,
	                                 sizeof(env.why)), PV_TUF_ENOTFOUND,
	             "%s", env.why);
}
