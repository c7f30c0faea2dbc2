/* test_checkpoint.c - signed-note checkpoints (lib/verify/checkpoint.c). Logs and
 * notes are minted here: a Rekor v1 style ECDSA P-256 log and a Rekor v2
 * style Ed25519 log, plus conformance checkpoints when ../shared exists. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "verify/steps.h"

#define DASH "\xe2\x80\x94 "
#define V1_ORIGIN "rekor.test - 1193050959916656506"
#define V2_ORIGIN "log2030-1.rekor.test"
#define ROOT_B64 "rs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI="
#define NOTE_MAX (128u << 10)

static EVP_PKEY *ec_key;
static uint8_t ed_pk[32], ed_sk[64];
static struct pv_tlog v1_log, v2_log, v2_ec_log;
static uint8_t v2_key_id[32];

/* ---- fixtures ----------------------------------------------------------- */

static void
tlog_init(struct pv_tlog *log, const char *origin, int details,
          const uint8_t *der, size_t len)
{
	pyverify_error err = { 0 };
	size_t n = strlen(origin);

	memset(log, 0, sizeof(*log));
	log->origin = strdup(origin);
	log->base_url = malloc(n + 9);
	cr_assert(log->origin != NULL && log->base_url != NULL);
	snprintf(log->base_url, n + 9, "https://%s", origin);
	cr_assert_eq(pv_pubkey_from_der(&log->key, details, der, len,
	                                PYVERIFY_STEP_TRUST_ROOT, &err), 0,
	             "%s", err.msg);
	memcpy(log->log_id, log->key.spki_sha256, 32);
}

static void
tlog_clear(struct pv_tlog *log)
{
	free(log->origin);
	free(log->base_url);
	pv_pubkey_clear(&log->key);
	memset(log, 0, sizeof(*log));
}

static void
setup(void)
{
	static const uint8_t ed_spki_prefix[12] = {
		0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
		0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
	};
	uint8_t spki[44], *der = NULL;
	int len;
	char *hashed;
	size_t n;

	cr_assert(sodium_init() >= 0);
	ec_key = EVP_EC_gen("P-256");
	cr_assert_not_null(ec_key);
	len = i2d_PUBKEY(ec_key, &der);
	cr_assert(len > 0);
	tlog_init(&v1_log, "rekor.test", PV_KEY_PKIX_ECDSA_P256_SHA_256, der,
	          (size_t)len);
	tlog_init(&v2_ec_log, V2_ORIGIN, PV_KEY_PKIX_ECDSA_P256_SHA_256, der,
	          (size_t)len);
	OPENSSL_free(der);

	cr_assert_eq(crypto_sign_keypair(ed_pk, ed_sk), 0);
	memcpy(spki, ed_spki_prefix, 12);
	memcpy(spki + 12, ed_pk, 32);
	tlog_init(&v2_log, V2_ORIGIN, PV_KEY_PKIX_ED25519, spki, sizeof(spki));
	/* SPEC 3.11.3: the v2 key ID, computed here the long way. */
	n = strlen(V2_ORIGIN);
	hashed = malloc(n + 2 + 32);
	cr_assert_not_null(hashed);
	memcpy(hashed, V2_ORIGIN, n);
	hashed[n] = '\n';
	hashed[n + 1] = 0x01;
	memcpy(hashed + n + 2, ed_pk, 32);
	cr_assert_eq(pv_sha256(v2_key_id, hashed, n + 2 + 32), 0);
	free(hashed);
	memcpy(v2_log.log_id, v2_key_id, 32);
}

static void
teardown(void)
{
	tlog_clear(&v1_log);
	tlog_clear(&v2_log);
	tlog_clear(&v2_ec_log);
	EVP_PKEY_free(ec_key);
	ec_key = NULL;
}

TestSuite(checkpoint, .init = setup, .fini = teardown);

/* A growing note in a fixed buffer. */
struct note {
	char s[NOTE_MAX];
	size_t len;
};

static void
add(struct note *n, const char *s, size_t len)
{
	cr_assert(len < sizeof(n->s) - n->len);
	memcpy(n->s + n->len, s, len);
	n->len += len;
	n->s[n->len] = '\0';
}

static void
adds(struct note *n, const char *s)
{
	add(n, s, strlen(s));
}

/* Appends "— name b64(id || sig)\n". */
static void
add_line(struct note *n, const char *name, const uint8_t id[4],
         const uint8_t *sig, size_t siglen)
{
	uint8_t raw[600];
	char *b64;

	cr_assert(siglen + 4 <= sizeof(raw));
	memcpy(raw, id, 4);
	if (siglen)
		memcpy(raw + 4, sig, siglen);
	b64 = pv_b64_encode(raw, siglen + 4);
	cr_assert_not_null(b64);
	adds(n, DASH);
	adds(n, name);
	adds(n, " ");
	adds(n, b64);
	adds(n, "\n");
	free(b64);
}

static size_t
ec_sign(uint8_t sig[80], const char *msg, size_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t siglen = 80;

	cr_assert_not_null(ctx);
	cr_assert_eq(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, ec_key),
	             1);
	cr_assert_eq(EVP_DigestSign(ctx, sig, &siglen, (const uint8_t *)msg,
	                            len), 1);
	EVP_MD_CTX_free(ctx);
	return siglen;
}

/* Log signature lines over the note text text[0..len). */
static void
add_v1_sig(struct note *n, const char *name, const char *text, size_t len)
{
	uint8_t sig[80];
	size_t siglen = ec_sign(sig, text, len);

	add_line(n, name, v1_log.key.spki_sha256, sig, siglen);
}

static void
add_v2_sig(struct note *n, const char *name, const char *text, size_t len)
{
	uint8_t sig[64];

	crypto_sign_detached(sig, NULL, (const uint8_t *)text, len, ed_sk);
	add_line(n, name, v2_key_id, sig, sizeof(sig));
}

/* A witness cosignature: unknown key, 8-byte time + 64 bytes. */
static void
add_witness(struct note *n, const char *name)
{
	uint8_t id[4], sig[72];

	randombytes_buf(id, sizeof(id));
	randombytes_buf(sig, sizeof(sig));
	add_line(n, name, id, sig, sizeof(sig));
}

/* The usual body: origin, size, root, and the blank line. */
static void
body(struct note *n, const char *origin, const char *size)
{
	n->len = 0;
	adds(n, origin);
	adds(n, "\n");
	adds(n, size);
	adds(n, "\n" ROOT_B64 "\n");
}

static size_t
text_end(const struct note *n) /* the note text ends at the blank line */
{
	return n->len;
}

static int
verify(const struct note *n, const struct pv_tlog *log, int v2,
       struct pv_checkpoint *out, pyverify_error *err)
{
	return pv_checkpoint_verify(out, n->s, n->len, log, v2, err);
}

static void
assert_fail(int rc, int code, const pyverify_error *err)
{
	cr_assert_eq(rc, code, "rc %d (%s)", rc, err->msg);
	cr_assert_eq(err->code, code);
	cr_assert_eq(err->step, PYVERIFY_STEP_CHECKPOINT);
	cr_assert_neq(err->msg[0], '\0');
}

/* A complete, valid note of each kind. */
static void
v1_note(struct note *n)
{
	size_t t;

	body(n, V1_ORIGIN, "75408393");
	t = text_end(n);
	adds(n, "\n");
	add_v1_sig(n, "rekor.test", n->s, t);
}

static void
v2_note(struct note *n)
{
	size_t t;

	body(n, V2_ORIGIN, "736");
	t = text_end(n);
	adds(n, "\n");
	add_v2_sig(n, V2_ORIGIN, n->s, t);
}

static void
expect_root(const struct pv_checkpoint *cp)
{
	struct pv_bytes r = { 0 };

	cr_assert_eq(pv_b64_decode(&r, ROOT_B64, strlen(ROOT_B64)), 0);
	cr_assert_eq(r.len, 32);
	cr_assert_arr_eq(cp->root_hash, r.data, 32);
	pv_bytes_clear(&r);
}

/* ---- valid notes ------------------------------------------------------- */

Test(checkpoint, rekor_v1_note_signed_by_the_log_verifies)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };

	v1_note(&n);
	cr_assert_eq(verify(&n, &v1_log, 0, &cp, &err), 0, "%s", err.msg);
	cr_assert_str_eq(cp.origin, V1_ORIGIN);
	cr_assert_eq(cp.size, 75408393);
	expect_root(&cp);
}

Test(checkpoint, rekor_v2_note_signed_by_the_log_verifies)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };

	v2_note(&n);
	cr_assert_eq(verify(&n, &v2_log, 1, &cp, &err), 0, "%s", err.msg);
	cr_assert_str_eq(cp.origin, V2_ORIGIN);
	cr_assert_eq(cp.size, 736);
	expect_root(&cp);
}

Test(checkpoint, rekor_v1_ignores_the_key_name)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	size_t t;

	/* SPEC 3.11.3 note: fixtures sign as "localhost:8000" for baseUrl
	 * http://localhost:8000; v1 matches on the key ID only. */
	body(&n, "localhost:8000 - 42", "1");
	t = text_end(&n);
	adds(&n, "\n");
	add_v1_sig(&n, "localhost:8000", n.s, t);
	cr_assert_eq(verify(&n, &v1_log, 0, &cp, &err), 0, "%s", err.msg);
	cr_assert_eq(cp.size, 1);
}

Test(checkpoint, c2sp_ecdsa_key_for_rekor_v2_uses_the_spki_hash_as_key_id)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	uint8_t sig[80];
	size_t t, siglen;

	body(&n, V2_ORIGIN, "5");
	t = text_end(&n);
	adds(&n, "\n");
	siglen = ec_sign(sig, n.s, t);
	add_line(&n, V2_ORIGIN, v2_ec_log.key.spki_sha256, sig, siglen);
	cr_assert_eq(verify(&n, &v2_ec_log, 1, &cp, &err), 0, "%s", err.msg);
}

Test(checkpoint, cosignature_lines_before_and_after_are_ignored)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	size_t t;

	body(&n, V2_ORIGIN, "736");
	t = text_end(&n);
	adds(&n, "\n");
	add_witness(&n, "witness.example/w1");
	add_v2_sig(&n, V2_ORIGIN, n.s, t);
	add_witness(&n, "witness.example/w2");
	cr_assert_eq(verify(&n, &v2_log, 1, &cp, &err), 0, "%s", err.msg);

	body(&n, V1_ORIGIN, "9");
	t = text_end(&n);
	adds(&n, "\n");
	add_witness(&n, "witness.example");
	add_v1_sig(&n, "rekor.test", n.s, t);
	add_witness(&n, "rekor.test");
	cr_assert_eq(verify(&n, &v1_log, 0, &cp, &err), 0, "%s", err.msg);
}

Test(checkpoint, another_key_with_the_log_name_is_ignored)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	size_t t;

	body(&n, V2_ORIGIN, "736");
	t = text_end(&n);
	adds(&n, "\n");
	add_witness(&n, V2_ORIGIN); /* same name, other key ID */
	add_v2_sig(&n, V2_ORIGIN, n.s, t);
	cr_assert_eq(verify(&n, &v2_log, 1, &cp, &err), 0, "%s", err.msg);

	/* Alone, it does not count. */
	body(&n, V2_ORIGIN, "736");
	adds(&n, "\n");
	add_witness(&n, V2_ORIGIN);
	assert_fail(verify(&n, &v2_log, 1, &cp, &err), PYVERIFY_EREJECT, &err);
	cr_assert(strstr(err.msg, "out of date") != NULL, "%s", err.msg);
}

Test(checkpoint, extension_lines_are_signed_and_allowed)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	size_t t;

	/* Rekor v1 style Timestamp extension. */
	body(&n, V1_ORIGIN, "23083062");
	adds(&n, "Timestamp: 1689177396617352539\n");
	t = text_end(&n);
	adds(&n, "\n");
	add_v1_sig(&n, "rekor.test", n.s, t);
	cr_assert_eq(verify(&n, &v1_log, 0, &cp, &err), 0, "%s", err.msg);
	cr_assert_eq(cp.size, 23083062);

	body(&n, V2_ORIGIN, "736");
	adds(&n, "ext one\next two \xe2\x80\x94 with unicode\n");
	t = text_end(&n);
	adds(&n, "\n");
	add_v2_sig(&n, V2_ORIGIN, n.s, t);
	cr_assert_eq(verify(&n, &v2_log, 1, &cp, &err), 0, "%s", err.msg);
}

Test(checkpoint, a_long_extension_line_within_the_size_bound_verifies)
{
	static struct note n;
	static char big[60000];
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	size_t t;

	memset(big, 'x', sizeof(big) - 2);
	big[sizeof(big) - 2] = '\n';
	big[sizeof(big) - 1] = '\0';
	body(&n, V2_ORIGIN, "736");
	adds(&n, big);
	t = text_end(&n);
	adds(&n, "\n");
	add_v2_sig(&n, V2_ORIGIN, n.s, t);
	cr_assert_eq(verify(&n, &v2_log, 1, &cp, &err), 0, "%s", err.msg);
}

Test(checkpoint, one_hundred_signature_lines_are_accepted_and_101_are_not)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	size_t t, i;

	body(&n, V2_ORIGIN, "736");
	t = text_end(&n);
	adds(&n, "\n");
	for (i = 0; i < PV_MAX_CHECKPOINT_SIGS - 1; i++)
		add_witness(&n, "w");
	add_v2_sig(&n, V2_ORIGIN, n.s, t);
	cr_assert_eq(verify(&n, &v2_log, 1, &cp, &err), 0, "%s", err.msg);
	add_witness(&n, "w");
	assert_fail(verify(&n, &v2_log, 1, &cp, &err), PYVERIFY_EPARSE, &err);
}

/* ---- signatures that do not count or do not verify ------------------- */

Test(checkpoint, a_bad_signature_on_the_log_line_rejects)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	uint8_t sig[64];
	size_t t;

	body(&n, V2_ORIGIN, "736");
	t = text_end(&n);
	adds(&n, "\n");
	crypto_sign_detached(sig, NULL, (const uint8_t *)n.s, t, ed_sk);
	sig[10] ^= 0x04;
	add_line(&n, V2_ORIGIN, v2_key_id, sig, sizeof(sig));
	assert_fail(verify(&n, &v2_log, 1, &cp, &err), PYVERIFY_EREJECT, &err);
	cr_assert(strstr(err.msg, "does not verify") != NULL, "%s", err.msg);

	/* Even next to a good one: every counting line must verify. */
	v2_note(&n);
	add_line(&n, V2_ORIGIN, v2_key_id, sig, sizeof(sig));
	assert_fail(verify(&n, &v2_log, 1, &cp, &err), PYVERIFY_EREJECT, &err);

	/* Ed25519 signature of the wrong length. */
	body(&n, V2_ORIGIN, "736");
	adds(&n, "\n");
	add_line(&n, V2_ORIGIN, v2_key_id, sig, 63);
	assert_fail(verify(&n, &v2_log, 1, &cp, &err), PYVERIFY_EREJECT, &err);
}

Test(checkpoint, a_bad_ecdsa_signature_on_the_log_line_rejects)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	uint8_t sig[80];
	size_t siglen;

	/* A valid ECDSA signature, but over another text. */
	body(&n, V1_ORIGIN, "12");
	adds(&n, "\n");
	siglen = ec_sign(sig, "other text\n", 11);
	add_line(&n, "rekor.test", v1_log.key.spki_sha256, sig, siglen);
	assert_fail(verify(&n, &v1_log, 0, &cp, &err), PYVERIFY_EREJECT, &err);
	cr_assert(strstr(err.msg, "does not verify") != NULL, "%s", err.msg);
}

Test(checkpoint, signature_over_text_without_its_final_newline_rejects)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	size_t t;

	/* SPEC 3.11.2: the signed message includes the text's last '\n'. */
	body(&n, V2_ORIGIN, "736");
	t = text_end(&n);
	adds(&n, "\n");
	add_v2_sig(&n, V2_ORIGIN, n.s, t - 1);
	assert_fail(verify(&n, &v2_log, 1, &cp, &err), PYVERIFY_EREJECT, &err);
}

Test(checkpoint, a_wrong_key_id_leaves_no_counting_line)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	uint8_t sig[64], id[4];
	char want[9];
	size_t t;

	body(&n, V2_ORIGIN, "736");
	t = text_end(&n);
	adds(&n, "\n");
	crypto_sign_detached(sig, NULL, (const uint8_t *)n.s, t, ed_sk);
	memcpy(id, v2_key_id, 4);
	id[3] ^= 0x01; /* only the last key ID byte differs */
	add_line(&n, V2_ORIGIN, id, sig, sizeof(sig));
	assert_fail(verify(&n, &v2_log, 1, &cp, &err), PYVERIFY_EREJECT, &err);
	pv_hex_encode(want, v2_key_id, 4);
	cr_assert(strstr(err.msg, want) != NULL, "%s", err.msg);
	cr_assert(strstr(err.msg, V2_ORIGIN) != NULL, "%s", err.msg);
	cr_assert(strstr(err.msg, "trusted root may be out of date") != NULL,
	          "%s", err.msg);

	/* v1: a line with the log's name but another key ID. */
	body(&n, V1_ORIGIN, "12");
	adds(&n, "\n");
	add_witness(&n, "rekor.test");
	assert_fail(verify(&n, &v1_log, 0, &cp, &err), PYVERIFY_EREJECT, &err);
	pv_hex_encode(want, v1_log.key.spki_sha256, 4);
	cr_assert(strstr(err.msg, want) != NULL, "%s", err.msg);
}

Test(checkpoint, rekor_v2_line_with_the_right_key_but_another_name_is_ignored)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	size_t t;

	body(&n, V2_ORIGIN, "736");
	t = text_end(&n);
	adds(&n, "\n");
	add_v2_sig(&n, "log2030-2.rekor.test", n.s, t);
	assert_fail(verify(&n, &v2_log, 1, &cp, &err), PYVERIFY_EREJECT, &err);
	cr_assert(strstr(err.msg, "out of date") != NULL, "%s", err.msg);
}

Test(checkpoint, rekor_v2_origin_must_equal_the_log_origin)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	size_t t;

	body(&n, "log2030-2.rekor.test", "736");
	t = text_end(&n);
	adds(&n, "\n");
	add_v2_sig(&n, V2_ORIGIN, n.s, t);
	assert_fail(verify(&n, &v2_log, 1, &cp, &err), PYVERIFY_EREJECT, &err);
	cr_assert(strstr(err.msg, "origin") != NULL, "%s", err.msg);
}

Test(checkpoint, output_is_untouched_on_failure)
{
	static struct note n;
	struct pv_checkpoint cp, before;
	pyverify_error err = { 0 };

	memset(&cp, 0x5a, sizeof(cp));
	before = cp;
	v2_note(&n);
	n.s[n.len - 3] ^= 0x01; /* corrupt the signature's base64 */
	cr_assert_neq(verify(&n, &v2_log, 1, &cp, &err), 0);
	cr_assert_arr_eq(&cp, &before, sizeof(cp));
	v1_note(&n);
	cr_assert_neq(verify(&n, &v2_log, 1, &cp, &err), 0);
	cr_assert_arr_eq(&cp, &before, sizeof(cp));
}

/* ---- malformed notes ---------------------------------------------------- */

/* Builds text + "\n" + a valid v2 log line over text, then verifies. */
static int
sign_v2(const char *text, pyverify_error *err)
{
	static struct note n;
	struct pv_checkpoint cp;
	size_t t;

	n.len = 0;
	adds(&n, text);
	t = n.len;
	adds(&n, "\n");
	add_v2_sig(&n, V2_ORIGIN, n.s, t);
	return verify(&n, &v2_log, 1, &cp, err);
}

Test(checkpoint, missing_origin_size_or_root_lines_are_malformed)
{
	pyverify_error err = { 0 };

	assert_fail(sign_v2("736\n" ROOT_B64 "\n", &err), PYVERIFY_EPARSE,
	            &err);
	assert_fail(sign_v2(V2_ORIGIN "\n" ROOT_B64 "\n", &err),
	            PYVERIFY_EPARSE, &err);
	assert_fail(sign_v2(V2_ORIGIN "\n736\n", &err), PYVERIFY_EPARSE, &err);
	assert_fail(sign_v2(V2_ORIGIN "\n", &err), PYVERIFY_EPARSE, &err);
	/* An empty origin line. */
	assert_fail(sign_v2("\n736\n" ROOT_B64 "\n", &err), PYVERIFY_EPARSE,
	            &err);
	/* The lines in another order. */
	assert_fail(sign_v2(V2_ORIGIN "\n" ROOT_B64 "\n736\n", &err),
	            PYVERIFY_EPARSE, &err);
	/* An empty extension line. */
	assert_fail(sign_v2(V2_ORIGIN "\n736\n" ROOT_B64 "\n\next\n", &err),
	            PYVERIFY_EPARSE, &err);
}

Test(checkpoint, size_must_be_canonical_decimal)
{
	pyverify_error err = { 0 };

	assert_fail(sign_v2(V2_ORIGIN "\n0736\n" ROOT_B64 "\n", &err),
	            PYVERIFY_EPARSE, &err);
	assert_fail(sign_v2(V2_ORIGIN "\n+736\n" ROOT_B64 "\n", &err),
	            PYVERIFY_EPARSE, &err);
	assert_fail(sign_v2(V2_ORIGIN "\n736 \n" ROOT_B64 "\n", &err),
	            PYVERIFY_EPARSE, &err);
	assert_fail(sign_v2(V2_ORIGIN "\n18446744073709551616\n" ROOT_B64
	                    "\n", &err), PYVERIFY_EPARSE, &err);
	cr_assert_eq(sign_v2(V2_ORIGIN "\n18446744073709551615\n" ROOT_B64
	                     "\n", &err), 0, "%s", err.msg);
	cr_assert_eq(sign_v2(V2_ORIGIN "\n0\n" ROOT_B64 "\n", &err), 0, "%s",
	             err.msg);
}

Test(checkpoint, root_hash_must_be_base64_of_32_bytes)
{
	pyverify_error err = { 0 };

	/* 31 and 33 bytes. */
	assert_fail(sign_v2(V2_ORIGIN "\n736\n"
	                    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n",
	                    &err), PYVERIFY_EPARSE, &err);
	cr_assert(strstr(err.msg, "31") != NULL, "%s", err.msg);
	assert_fail(sign_v2(V2_ORIGIN "\n736\n"
	                    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
	                    &err), PYVERIFY_EPARSE, &err);
	/* URL-safe alphabet and missing padding. */
	assert_fail(sign_v2(V2_ORIGIN "\n736\n"
	                    "rs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5-eGUTDI=\n",
	                    &err), PYVERIFY_EPARSE, &err);
	assert_fail(sign_v2(V2_ORIGIN "\n736\n"
	                    "rs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI\n",
	                    &err), PYVERIFY_EPARSE, &err);
}

Test(checkpoint, missing_or_empty_signature_block_is_malformed)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	size_t t;

	/* No blank line: text runs straight into the signature. */
	body(&n, V2_ORIGIN, "736");
	t = text_end(&n);
	add_v2_sig(&n, V2_ORIGIN, n.s, t);
	assert_fail(verify(&n, &v2_log, 1, &cp, &err), PYVERIFY_EPARSE, &err);

	/* Blank line and nothing after it (signatures stripped). */
	body(&n, V2_ORIGIN, "736");
	adds(&n, "\n");
	assert_fail(verify(&n, &v2_log, 1, &cp, &err), PYVERIFY_EPARSE, &err);

	/* Text without a final newline before the blank line: the last
	 * "\n\n" is then inside the signature block, or absent. */
	n.len = 0;
	adds(&n, V2_ORIGIN "\n736\n" ROOT_B64);
	t = n.len;
	adds(&n, "\n");
	add_v2_sig(&n, V2_ORIGIN, n.s, t);
	assert_fail(verify(&n, &v2_log, 1, &cp, &err), PYVERIFY_EPARSE, &err);

	/* Signature block without a final newline. */
	v2_note(&n);
	n.s[--n.len] = '\0';
	assert_fail(verify(&n, &v2_log, 1, &cp, &err), PYVERIFY_EPARSE, &err);

	/* Empty and absent input. */
	assert_fail(pv_checkpoint_verify(&cp, "", 0, &v2_log, 1, &err),
	            PYVERIFY_EPARSE, &err);
	assert_fail(pv_checkpoint_verify(&cp, NULL, 0, &v2_log, 1, &err),
	            PYVERIFY_EPARSE, &err);
}

Test(checkpoint, split_is_at_the_last_blank_line)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	size_t t;

	/* Two blank lines: the first one ends up inside the note text,
	 * which then has an empty line. */
	body(&n, V2_ORIGIN, "736");
	adds(&n, "\n");
	t = text_end(&n);
	adds(&n, "\n");
	add_v2_sig(&n, V2_ORIGIN, n.s, t);
	assert_fail(verify(&n, &v2_log, 1, &cp, &err), PYVERIFY_EPARSE, &err);

	/* A blank line inside the signature block moves the split there. */
	v2_note(&n);
	adds(&n, "\n");
	add_witness(&n, "w");
	assert_fail(verify(&n, &v2_log, 1, &cp, &err), PYVERIFY_EPARSE, &err);
}

Test(checkpoint, non_utf8_text_is_malformed)
{
	static const char *const bad[] = {
		"log\xff" "2030\n736\n" ROOT_B64 "\n",     /* invalid byte */
		"log\xc0\x80\n736\n" ROOT_B64 "\n",        /* overlong NUL */
		"log\xed\xa0\x80\n736\n" ROOT_B64 "\n",    /* surrogate */
		"log\xf4\x90\x80\x80\n736\n" ROOT_B64 "\n", /* > U+10FFFF */
		"log\xe2\x80\n736\n" ROOT_B64 "\n",        /* truncated */
		"log\n736\n" ROOT_B64 "\nx\x80\n",         /* continuation */
	};
	pyverify_error err = { 0 };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_fail(sign_v2(bad[i], &err), PYVERIFY_EPARSE, &err);
		cr_assert(strstr(err.msg, "UTF-8") != NULL, "%zu: %s", i,
		          err.msg);
	}
	/* Valid multi-byte text (a 4-byte emoji) is fine in extensions. */
	cr_assert_eq(sign_v2(V2_ORIGIN "\n736\n" ROOT_B64 "\n\xf0\x9f\x98\x80"
	                     "\n", &err), 0, "%s", err.msg);
}

Test(checkpoint, control_characters_and_crlf_are_malformed)
{
	static const char *const bad[] = {
		V2_ORIGIN "\r\n736\r\n" ROOT_B64 "\r\n",
		V2_ORIGIN "\n736\n" ROOT_B64 "\nTime\tstamp\n",
		V2_ORIGIN "\n736\n" ROOT_B64 "\nDEL\x7f\n",
		V2_ORIGIN "\n736\n" ROOT_B64 "\n\x1b[31m\n",
	};
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	size_t i, t;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_fail(sign_v2(bad[i], &err), PYVERIFY_EPARSE, &err);
		cr_assert(strstr(err.msg, "control") != NULL, "%zu: %s", i,
		          err.msg);
	}
	/* An embedded NUL (the length, not strlen, bounds the text). */
	body(&n, V2_ORIGIN, "736");
	add(&n, "a\0b\n", 4);
	t = n.len;
	adds(&n, "\n");
	add_v2_sig(&n, V2_ORIGIN, n.s, t);
	assert_fail(verify(&n, &v2_log, 1, &cp, &err), PYVERIFY_EPARSE, &err);
	/* CRLF only in the signature block. */
	v2_note(&n);
	n.s[n.len - 1] = '\r';
	adds(&n, "\n");
	assert_fail(verify(&n, &v2_log, 1, &cp, &err), PYVERIFY_EPARSE, &err);
}

Test(checkpoint, signature_field_must_hold_more_than_a_key_id)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	uint8_t one = 0;

	body(&n, V2_ORIGIN, "736");
	adds(&n, "\n");
	add_line(&n, V2_ORIGIN, v2_key_id, NULL, 0); /* exactly 4 bytes */
	assert_fail(verify(&n, &v2_log, 1, &cp, &err), PYVERIFY_EPARSE, &err);

	/* 5 bytes is well-formed, but a 1-byte signature does not verify. */
	body(&n, V2_ORIGIN, "736");
	adds(&n, "\n");
	add_line(&n, V2_ORIGIN, v2_key_id, &one, 1);
	assert_fail(verify(&n, &v2_log, 1, &cp, &err), PYVERIFY_EREJECT, &err);

	/* A short field on an unrelated line is still malformed. */
	v2_note(&n);
	add_line(&n, "witness", (const uint8_t *)"abcd", NULL, 0);
	assert_fail(verify(&n, &v2_log, 1, &cp, &err), PYVERIFY_EPARSE, &err);
}

Test(checkpoint, signature_lines_need_em_dash_name_and_base64)
{
	static const char *const bad[] = {
		"- w AAAAAAA=\n",                 /* ASCII hyphen */
		"\xe2\x80\x93 w AAAAAAA=\n",      /* en dash */
		"\xe2\x80\x94w AAAAAAA=\n",       /* no space after the dash */
		DASH " AAAAAAA=\n",               /* empty name */
		DASH "w\n",                       /* no signature */
		DASH "w+x AAAAAAA=\n",            /* '+' in the name */
		DASH "w\xc2\xa0x AAAAAAA=\n",     /* no-break space in name */
		DASH "w\xe3\x80\x80x AAAAAAA=\n", /* ideographic space */
		DASH "w AAAAAAA\n",               /* bad padding */
		DASH "w AAAA AAA=\n",             /* space inside base64 */
		DASH "w AAAAAAA= \n",             /* trailing space */
	};
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v2_note(&n);
		adds(&n, bad[i]);
		assert_fail(verify(&n, &v2_log, 1, &cp, &err), PYVERIFY_EPARSE,
		            &err);
	}
	/* Sanity: the same note with a well-formed witness line passes. */
	v2_note(&n);
	adds(&n, DASH "w AAAAAAA=\n");
	cr_assert_eq(verify(&n, &v2_log, 1, &cp, &err), 0, "%s", err.msg);
}

Test(checkpoint, oversized_notes_and_origins_are_malformed)
{
	static struct note n;
	static char origin[PV_MAX_SHORT_STRING + 2];
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };

	v2_note(&n);
	while (n.len <= PV_MAX_CHECKPOINT_BYTES)
		add_witness(&n, "w");
	assert_fail(verify(&n, &v2_log, 1, &cp, &err), PYVERIFY_EPARSE, &err);
	cr_assert(strstr(err.msg, "at most") != NULL, "%s", err.msg);

	memset(origin, 'o', sizeof(origin) - 1);
	origin[sizeof(origin) - 1] = '\0';
	body(&n, origin, "1");
	adds(&n, "\n");
	add_witness(&n, "w");
	assert_fail(verify(&n, &v1_log, 0, &cp, &err), PYVERIFY_EPARSE, &err);
	cr_assert(strstr(err.msg, "origin") != NULL, "%s", err.msg);

	/* Exactly PV_MAX_SHORT_STRING bytes is fine. */
	origin[sizeof(origin) - 2] = '\0';
	{
		size_t t;
		body(&n, origin, "1");
		t = text_end(&n);
		adds(&n, "\n");
		add_v1_sig(&n, "rekor.test", n.s, t);
	}
	cr_assert_eq(verify(&n, &v1_log, 0, &cp, &err), 0, "%s", err.msg);
	cr_assert_str_eq(cp.origin, origin);
}

/* ---- conformance checkpoints ------------------------------------------- */

static const char *
testdata(void)
{
	const char *base = getenv("PYVERIFY_TESTDATA");

	return base != NULL && base[0] != '\0' ? base : "../shared/testdata";
}

/* Loads <testdata>/conformance/cases/<name>/<file>, or with name NULL
 * <testdata>/sigstore/<file>. */
static json_t *
load_json(const char *name, const char *file)
{
	char path[1024];
	json_error_t jerr;

	if (name != NULL)
		snprintf(path, sizeof(path), "%s/conformance/cases/%s/%s",
		         testdata(), name, file);
	else
		snprintf(path, sizeof(path), "%s/sigstore/%s", testdata(),
		         file);
	return json_load_file(path, 0, &jerr);
}

static void
b64_json(struct pv_bytes *out, json_t *v)
{
	const char *s = json_string_value(v);

	cr_assert_not_null(s);
	cr_assert_eq(pv_b64_decode(out, s, strlen(s)), 0);
}

/* The trusted-root tlog whose logId is `id`, built by hand (the
 * loader is not used here). Returns 0 when the root has no such log. */
static int
tlog_from_root(struct pv_tlog *log, json_t *root, const uint8_t id[32])
{
	json_t *tl = json_object_get(root, "tlogs"), *e;
	size_t i;

	json_array_foreach(tl, i, e) {
		struct pv_bytes lid = { 0 }, der = { 0 };
		const char *url, *o;
		int details;

		b64_json(&lid, json_object_get(json_object_get(e, "logId"),
		                               "keyId"));
		if (lid.len != 32 || memcmp(lid.data, id, 32) != 0) {
			pv_bytes_clear(&lid);
			continue;
		}
		pv_bytes_clear(&lid);
		url = json_string_value(json_object_get(e, "baseUrl"));
		cr_assert_not_null(url);
		o = strstr(url, "://") ? strstr(url, "://") + 3 : url;
		details = pv_key_details_from_name(json_string_value(
		    json_object_get(json_object_get(e, "publicKey"),
		                    "keyDetails")));
		b64_json(&der, json_object_get(json_object_get(e, "publicKey"),
		                               "rawBytes"));
		tlog_clear(log);
		tlog_init(log, o, details, der.data, der.len);
		if (log->origin[0] != '\0' &&
		    log->origin[strlen(log->origin) - 1] == '/')
			log->origin[strlen(log->origin) - 1] = '\0';
		memcpy(log->log_id, id, 32);
		pv_bytes_clear(&der);
		return 1;
	}
	return 0;
}

/* Verifies the first entry's checkpoint of a conformance case against the
 * case's trusted root, or the production one. The rekor_v2 flag comes
 * from the entry's kind version (0.0.2 = Rekor v2). */
static int
check_case(const char *name, struct pv_checkpoint *cp, uint8_t proof_root[32],
           pyverify_error *err)
{
	json_t *bundle, *root, *entry, *ip, *env;
	struct pv_bytes id = { 0 }, r = { 0 };
	struct pv_tlog log;
	const char *text, *version;
	int rc;

	bundle = load_json(name, "bundle.sigstore.json");
	if (bundle == NULL)
		cr_skip_test("conformance case %s not in %s (set "
		             "PYVERIFY_TESTDATA)", name, testdata());
	root = load_json(name, "trusted_root.json");
	if (root == NULL)
		root = load_json(NULL, "production.trusted_root.json");
	cr_assert_not_null(root);
	entry = json_array_get(json_object_get(json_object_get(bundle,
	                       "verificationMaterial"), "tlogEntries"), 0);
	ip = json_object_get(entry, "inclusionProof");
	env = json_object_get(json_object_get(ip, "checkpoint"), "envelope");
	text = json_string_value(env);
	cr_assert_not_null(text);
	version = json_string_value(json_object_get(json_object_get(entry,
	                            "kindVersion"), "version"));
	cr_assert_not_null(version);
	b64_json(&id, json_object_get(json_object_get(entry, "logId"),
	                              "keyId"));
	cr_assert_eq(id.len, 32);
	memset(&log, 0, sizeof(log));
	cr_assert(tlog_from_root(&log, root, id.data), "%s: log not in root",
	          name);
	b64_json(&r, json_object_get(ip, "rootHash"));
	cr_assert_eq(r.len, 32);
	memcpy(proof_root, r.data, 32);
	rc = pv_checkpoint_verify(cp, text, json_string_length(env), &log,
	                          strcmp(version, "0.0.2") == 0, err);
	tlog_clear(&log);
	pv_bytes_clear(&id);
	pv_bytes_clear(&r);
	json_decref(root);
	json_decref(bundle);
	return rc;
}

Test(checkpoint, conformance_happy_path_v03_rekor_v1_checkpoint_verifies)
{
	struct pv_checkpoint cp;
	uint8_t proof_root[32];
	pyverify_error err = { 0 };

	cr_assert_eq(check_case("happy-path-v0.3", &cp, proof_root, &err), 0,
	             "%s", err.msg);
	cr_assert_str_eq(cp.origin, "rekor.sigstore.dev - 2605736670972794746");
	cr_assert_eq(cp.size, 75408393);
	cr_assert_arr_eq(cp.root_hash, proof_root, 32);
}

Test(checkpoint, conformance_rekor_v2_happy_path_checkpoint_verifies)
{
	struct pv_checkpoint cp;
	uint8_t proof_root[32];
	pyverify_error err = { 0 };

	cr_assert_eq(check_case("rekor2-happy-path", &cp, proof_root, &err), 0,
	             "%s", err.msg);
	cr_assert_str_eq(cp.origin, "log2025-alpha1.rekor.sigstage.dev");
	cr_assert_eq(cp.size, 736);
	cr_assert_arr_eq(cp.root_hash, proof_root, 32);
}

Test(checkpoint, conformance_cosigned_rekor_v2_checkpoints_verify)
{
	static const char *const cases[] = {
		"rekor2-checkpoint-multiple-cosigs",
		"rekor2-checkpoint-origin-not-first",
		"rekor2-checkpoint-two-sigs-cosigned",
	};
	struct pv_checkpoint cp;
	uint8_t proof_root[32];
	pyverify_error err = { 0 };
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(check_case(cases[i], &cp, proof_root, &err), 0,
		             "%s: %s", cases[i], err.msg);
		cr_assert_arr_eq(cp.root_hash, proof_root, 32);
	}
}

Test(checkpoint, conformance_invalid_checkpoint_signature_is_rejected)
{
	struct pv_checkpoint cp;
	uint8_t proof_root[32];
	pyverify_error err = { 0 };

	assert_fail(check_case("invalid-checkpoint-signature_fail", &cp,
	                       proof_root, &err), PYVERIFY_EREJECT, &err);
}

Test(checkpoint, conformance_wrong_roothash_checkpoint_verifies_but_differs)
{
	struct pv_checkpoint cp;
	uint8_t proof_root[32];
	pyverify_error err = { 0 };

	/* README: "the checkpoint is self consistent but does not apply to
	 * this bundle"; the root comparison (verify.c) must catch it. */
	cr_assert_eq(check_case("checkpoint-wrong-roothash_fail", &cp,
	                        proof_root, &err), 0, "%s", err.msg);
	cr_assert(memcmp(cp.root_hash, proof_root, 32) != 0);
}

Test(checkpoint, conformance_bad_keyhint_is_rejected)
{
	struct pv_checkpoint cp;
	uint8_t proof_root[32];
	pyverify_error err = { 0 };

	assert_fail(check_case("checkpoint-bad-keyhint_fail", &cp,
	                       proof_root, &err), PYVERIFY_EREJECT, &err);
}

Test(checkpoint, conformance_stripped_or_truncated_rekor_v2_notes_fail)
{
	static const char *const cases[] = {
		"rekor2-checkpoint-missing-log-signature_fail",
		"rekor2-checkpoint-missing-origin_fail",
		"rekor2-checkpoint-missing-size_fail",
	};
	struct pv_checkpoint cp;
	uint8_t proof_root[32];
	pyverify_error err = { 0 };
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = check_case(cases[i], &cp, proof_root, &err);
		/* README: "should cause a parsing failure". */
		assert_fail(rc, PYVERIFY_EPARSE, &err);
		if (i > 0)
			cr_assert(strstr(err.msg, "2 line(s)") != NULL,
			          "%s: %s", cases[i], err.msg);
	}
}
