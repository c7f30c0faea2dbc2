/*
 * test_tlog_set.c - signed entry timestamps (lib/verify/tlog_set.c): the
 * fixture's entry promised by a log of the trusted root, which is built as
 * JSON and loaded by the trusted-root loader.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tlog_fx.h"
#include "vsigstore.h"

#define T0 ((int64_t)1700000000)

struct setfx {
	EVP_PKEY *log_key;
	/* The log as a trusted root holds it: JSON, loaded by the trusted-root
	 * loader before every verification, so a test changes the JSON. */
	unsigned char *spki;
	int spki_len;
	pyverify_trust_root *root;
	const struct pv_tlog *log;
};

static struct setfx S;

/* Replaces the root's one log: S.log_key with log ID `id` (NULL = the
 * key's), valid from start_ms to end_ms (CM_NO_END = open), and loads it. */
static void
set_log(const uint8_t *id, int64_t start_ms, int64_t end_ms)
{
	json_t *j = cm_root_json();

	cr_assert_not_null(j);
	cr_assert_eq(cm_root_add_tlog(j, "https://rekor.test",
	                              "PKIX_ECDSA_P256_SHA_256", S.spki,
	                              (size_t)S.spki_len, id, start_ms,
	                              end_ms), 0);
	pyverify_trust_root_free(S.root);
	S.root = cm_root_load(j, "set-root.json");
	json_decref(j);
	cr_assert_not_null(S.root);
	S.log = &S.root->tlogs[0];
}

/* A Rekor v1 style log (P-256) valid from T0 - 1 day, and F.e promised by
 * it at T0 with a SET over the payload written out by hand. */
static void
set_setup(void)
{
	tf_setup();
	memset(&S, 0, sizeof(S));
	S.log_key = tf_gen_key("P-256");
	S.spki_len = i2d_PUBKEY(S.log_key, &S.spki);
	cr_assert(S.spki_len > 0);
	set_log(NULL, (T0 - 86400) * 1000, CM_NO_END);
	memcpy(tf.e.log_id, S.log->log_id, 32);
	tf.e.integrated_time = T0;
	tf.e.log_index = 79571823;
	tf_v001_default();
}

static void
set_teardown(void)
{
	pyverify_trust_root_free(S.root);
	OPENSSL_free(S.spki);
	EVP_PKEY_free(S.log_key);
	tf_teardown();
}

/* Signs the SET payload for the entry's current values with `key`. */
static void
promise(EVP_PKEY *key)
{
	char hex[65];
	char *body = tf_b64(tf.e.body.data, tf.e.body.len);
	size_t n = strlen(body) + 256;
	char *payload = malloc(n);
	int len;

	cr_assert_not_null(payload);
	pv_hex_encode(hex, tf.e.log_id, 32);
	len = snprintf(payload, n,
	               "{\"body\":\"%s\",\"integratedTime\":%lld,"
	               "\"logID\":\"%s\",\"logIndex\":%lld}",
	               body, (long long)tf.e.integrated_time, hex,
	               (long long)tf.e.log_index);
	cr_assert(len > 0 && (size_t)len < n);
	pv_bytes_clear(&tf.e.set);
	tf_sign(key, payload, (size_t)len, &tf.e.set);
	free(payload);
	free(body);
}

static int
verify_set(void)
{
	memset(&tf.err, 0, sizeof(tf.err));
	return pv_tlog_verify_set(&tf.e, S.log, &tf.err);
}

static void
assert_set_fails(int code)
{
	cr_assert_eq(verify_set(), code, "got %d (%s), want %d", tf.err.code,
	             tf.err.msg, code);
	cr_assert_eq(tf.err.step, PYVERIFY_STEP_SET);
}

TestSuite(tlog_set, .init = set_setup, .fini = set_teardown);

Test(tlog_set, accepts_a_promise_signed_by_the_log_over_the_jcs_payload)
{
	promise(S.log_key);
	cr_assert_eq(verify_set(), 0, "%s", tf.err.msg);
}

Test(tlog_set, rejects_a_promise_with_one_byte_changed)
{
	promise(S.log_key);
	tf.e.set.data[tf.e.set.len / 2] ^= 0x01;
	assert_set_fails(PYVERIFY_EREJECT);
}

Test(tlog_set, rejects_a_promise_signed_by_another_key)
{
	EVP_PKEY *k = tf_gen_key("P-256");

	promise(k);
	EVP_PKEY_free(k);
	assert_set_fails(PYVERIFY_EREJECT);
}

Test(tlog_set, rejects_a_promise_when_index_time_or_body_changed)
{
	promise(S.log_key);
	tf.e.log_index++;
	assert_set_fails(PYVERIFY_EREJECT);
	tf.e.log_index--;
	tf.e.integrated_time++;
	assert_set_fails(PYVERIFY_EREJECT);
	tf.e.integrated_time--;
	tf.e.body.data[tf.e.body.len - 1] = ' ';
	assert_set_fails(PYVERIFY_EREJECT);
}

Test(tlog_set, rejects_an_entry_without_a_promise_or_integrated_time)
{
	assert_set_fails(PYVERIFY_EREJECT);
	cr_assert(strstr(tf.err.msg, "inclusion promise") != NULL, "%s",
	          tf.err.msg);
	promise(S.log_key);
	tf.e.integrated_time = 0;
	assert_set_fails(PYVERIFY_EREJECT);
}

Test(tlog_set, rejects_an_index_that_jcs_cannot_write_exactly)
{
	promise(S.log_key);
	tf.e.log_index = (int64_t)1 << 53; /* beyond the IEEE double range */
	assert_set_fails(PYVERIFY_EPARSE);
}

Test(tlog_set, rejects_an_entry_of_another_log)
{
	uint8_t other[32];

	memcpy(other, S.log->log_id, 32);
	other[0] ^= 1;
	set_log(other, (T0 - 86400) * 1000, CM_NO_END);
	promise(S.log_key);
	assert_set_fails(PYVERIFY_EREJECT);
}

Test(tlog_set, rejects_integrated_time_before_the_log_key_validity)
{
	set_log(NULL, (T0 + 1) * 1000, CM_NO_END);
	promise(S.log_key);
	assert_set_fails(PYVERIFY_EREJECT);
	cr_assert(strstr(tf.err.msg, "out of date") != NULL, "%s", tf.err.msg);
	cr_assert(strstr(tf.err.msg, "2023-11-14T22:13:20Z") != NULL, "%s",
	          tf.err.msg);
}

Test(tlog_set, accepts_integrated_time_at_the_inclusive_end_of_validity)
{
	set_log(NULL, (T0 - 86400) * 1000, T0 * 1000);
	promise(S.log_key);
	cr_assert_eq(verify_set(), 0, "%s", tf.err.msg);
	set_log(NULL, (T0 - 86400) * 1000, T0 * 1000 - 1);
	assert_set_fails(PYVERIFY_EREJECT);
	cr_assert(strstr(tf.err.msg, "out of date") != NULL, "%s", tf.err.msg);
}
