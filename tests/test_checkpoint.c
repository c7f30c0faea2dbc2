/* test_checkpoint.c - signed-note checkpoints (lib/verify/checkpoint.c):
 * valid notes and signatures that do not count or do not verify, on the
 * logs and notes of tests/support/note_fx.h (malformed notes are in
 * test_checkpoint_malformed.c, the conformance checkpoints in
 * test_checkpoint_conformance.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "note_fx.h"

TestSuite(checkpoint, .init = nf_setup, .fini = nf_teardown);

/* ---- valid notes ------------------------------------------------------- */

Test(checkpoint, rekor_v1_note_signed_by_the_log_verifies)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };

	nf_v1_note(&n);
	cr_assert_eq(nf_verify(&n, nf_v1_log, 0, &cp, &err), 0, "%s", err.msg);
	cr_assert_str_eq(cp.origin, V1_ORIGIN);
	cr_assert_eq(cp.size, 75408393);
	nf_expect_root(&cp);
}

Test(checkpoint, rekor_v2_note_signed_by_the_log_verifies)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };

	nf_v2_note(&n);
	cr_assert_eq(nf_verify(&n, nf_v2_log, 1, &cp, &err), 0, "%s", err.msg);
	cr_assert_str_eq(cp.origin, V2_ORIGIN);
	cr_assert_eq(cp.size, 736);
	nf_expect_root(&cp);
}

Test(checkpoint, rekor_v1_ignores_the_key_name)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	size_t t;

	/* SPEC 3.11.3 note: fixtures sign as "localhost:8000" for baseUrl
	 * http://localhost:8000; v1 matches on the key ID only. */
	nf_body(&n, "localhost:8000 - 42", "1");
	t = nf_text_end(&n);
	nf_adds(&n, "\n");
	nf_add_v1_sig(&n, "localhost:8000", n.s, t);
	cr_assert_eq(nf_verify(&n, nf_v1_log, 0, &cp, &err), 0, "%s", err.msg);
	cr_assert_eq(cp.size, 1);
}

Test(checkpoint, c2sp_ecdsa_key_for_rekor_v2_uses_the_spki_hash_as_key_id)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	uint8_t sig[80];
	size_t t, siglen;

	nf_body(&n, V2_ORIGIN, "5");
	t = nf_text_end(&n);
	nf_adds(&n, "\n");
	siglen = nf_ec_sign(sig, n.s, t);
	nf_add_line(&n, V2_ORIGIN, nf_v2_ec_log->key.spki_sha256, sig, siglen);
	cr_assert_eq(nf_verify(&n, nf_v2_ec_log, 1, &cp, &err), 0, "%s",
	             err.msg);
}

Test(checkpoint, cosignature_lines_before_and_after_are_ignored)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	size_t t;

	nf_body(&n, V2_ORIGIN, "736");
	t = nf_text_end(&n);
	nf_adds(&n, "\n");
	nf_add_witness(&n, "witness.example/w1");
	nf_add_v2_sig(&n, V2_ORIGIN, n.s, t);
	nf_add_witness(&n, "witness.example/w2");
	cr_assert_eq(nf_verify(&n, nf_v2_log, 1, &cp, &err), 0, "%s", err.msg);

	nf_body(&n, V1_ORIGIN, "9");
	t = nf_text_end(&n);
	nf_adds(&n, "\n");
	nf_add_witness(&n, "witness.example");
	nf_add_v1_sig(&n, "rekor.test", n.s, t);
	nf_add_witness(&n, "rekor.test");
	cr_assert_eq(nf_verify(&n, nf_v1_log, 0, &cp, &err), 0, "%s", err.msg);
}

Test(checkpoint, another_key_with_the_log_name_is_ignored)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	size_t t;

	nf_body(&n, V2_ORIGIN, "736");
	t = nf_text_end(&n);
	nf_adds(&n, "\n");
	nf_add_witness(&n, V2_ORIGIN); /* same name, other key ID */
	nf_add_v2_sig(&n, V2_ORIGIN, n.s, t);
	cr_assert_eq(nf_verify(&n, nf_v2_log, 1, &cp, &err), 0, "%s", err.msg);

	/* Alone, it does not count. */
	nf_body(&n, V2_ORIGIN, "736");
	nf_adds(&n, "\n");
	nf_add_witness(&n, V2_ORIGIN);
	nf_assert_fail(nf_verify(&n, nf_v2_log, 1, &cp, &err), PYVERIFY_EREJECT,
	               &err);
	cr_assert(strstr(err.msg, "out of date") != NULL, "%s", err.msg);
}

Test(checkpoint, extension_lines_are_signed_and_allowed)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	size_t t;

	/* Rekor v1 style Timestamp extension. */
	nf_body(&n, V1_ORIGIN, "23083062");
	nf_adds(&n, "Timestamp: 1689177396617352539\n");
	t = nf_text_end(&n);
	nf_adds(&n, "\n");
	nf_add_v1_sig(&n, "rekor.test", n.s, t);
	cr_assert_eq(nf_verify(&n, nf_v1_log, 0, &cp, &err), 0, "%s", err.msg);
	cr_assert_eq(cp.size, 23083062);

	nf_body(&n, V2_ORIGIN, "736");
	nf_adds(&n, "ext one\next two \xe2\x80\x94 with unicode\n");
	t = nf_text_end(&n);
	nf_adds(&n, "\n");
	nf_add_v2_sig(&n, V2_ORIGIN, n.s, t);
	cr_assert_eq(nf_verify(&n, nf_v2_log, 1, &cp, &err), 0, "%s", err.msg);
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
	nf_body(&n, V2_ORIGIN, "736");
	nf_adds(&n, big);
	t = nf_text_end(&n);
	nf_adds(&n, "\n");
	nf_add_v2_sig(&n, V2_ORIGIN, n.s, t);
	cr_assert_eq(nf_verify(&n, nf_v2_log, 1, &cp, &err), 0, "%s", err.msg);
}

Test(checkpoint, one_hundred_signature_lines_are_accepted_and_101_are_not)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	size_t t, i;

	nf_body(&n, V2_ORIGIN, "736");
	t = nf_text_end(&n);
	nf_adds(&n, "\n");
	for (i = 0; i < PV_MAX_CHECKPOINT_SIGS - 1; i++)
		nf_add_witness(&n, "w");
	nf_add_v2_sig(&n, V2_ORIGIN, n.s, t);
	cr_assert_eq(nf_verify(&n, nf_v2_log, 1, &cp, &err), 0, "%s", err.msg);
	nf_add_witness(&n, "w");
	nf_assert_fail(nf_verify(&n, nf_v2_log, 1, &cp, &err), PYVERIFY_EPARSE,
	               &err);
}

/* ---- signatures that do not count or do not verify ------------------- */

Test(checkpoint, a_bad_signature_on_the_log_line_rejects)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	uint8_t sig[64];
	size_t t;

	nf_body(&n, V2_ORIGIN, "736");
	t = nf_text_end(&n);
	nf_adds(&n, "\n");
	crypto_sign_detached(sig, NULL, (const uint8_t *)n.s, t, nf_ed_sk);
	sig[10] ^= 0x04;
	nf_add_line(&n, V2_ORIGIN, nf_v2_key_id, sig, sizeof(sig));
	nf_assert_fail(nf_verify(&n, nf_v2_log, 1, &cp, &err), PYVERIFY_EREJECT,
	               &err);
	cr_assert(strstr(err.msg, "does not verify") != NULL, "%s", err.msg);

	/* Even next to a good one: every counting line must verify. */
	nf_v2_note(&n);
	nf_add_line(&n, V2_ORIGIN, nf_v2_key_id, sig, sizeof(sig));
	nf_assert_fail(nf_verify(&n, nf_v2_log, 1, &cp, &err), PYVERIFY_EREJECT,
	               &err);

	/* Ed25519 signature of the wrong length. */
	nf_body(&n, V2_ORIGIN, "736");
	nf_adds(&n, "\n");
	nf_add_line(&n, V2_ORIGIN, nf_v2_key_id, sig, 63);
	nf_assert_fail(nf_verify(&n, nf_v2_log, 1, &cp, &err), PYVERIFY_EREJECT,
	               &err);
}

Test(checkpoint, a_bad_ecdsa_signature_on_the_log_line_rejects)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	uint8_t sig[80];
	size_t siglen;

	/* A valid ECDSA signature, but over another text. */
	nf_body(&n, V1_ORIGIN, "12");
	nf_adds(&n, "\n");
	siglen = nf_ec_sign(sig, "other text\n", 11);
	nf_add_line(&n, "rekor.test", nf_v1_log->key.spki_sha256, sig, siglen);
	nf_assert_fail(nf_verify(&n, nf_v1_log, 0, &cp, &err), PYVERIFY_EREJECT,
	               &err);
	cr_assert(strstr(err.msg, "does not verify") != NULL, "%s", err.msg);
}

Test(checkpoint, signature_over_text_without_its_final_newline_rejects)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	size_t t;

	/* SPEC 3.11.2: the signed message includes the text's last '\n'. */
	nf_body(&n, V2_ORIGIN, "736");
	t = nf_text_end(&n);
	nf_adds(&n, "\n");
	nf_add_v2_sig(&n, V2_ORIGIN, n.s, t - 1);
	nf_assert_fail(nf_verify(&n, nf_v2_log, 1, &cp, &err), PYVERIFY_EREJECT,
	               &err);
}

Test(checkpoint, a_wrong_key_id_leaves_no_counting_line)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	uint8_t sig[64], id[4];
	char want[9];
	size_t t;

	nf_body(&n, V2_ORIGIN, "736");
	t = nf_text_end(&n);
	nf_adds(&n, "\n");
	crypto_sign_detached(sig, NULL, (const uint8_t *)n.s, t, nf_ed_sk);
	memcpy(id, nf_v2_key_id, 4);
	id[3] ^= 0x01; /* only the last key ID byte differs */
	nf_add_line(&n, V2_ORIGIN, id, sig, sizeof(sig));
	nf_assert_fail(nf_verify(&n, nf_v2_log, 1, &cp, &err), PYVERIFY_EREJECT,
	               &err);
	pv_hex_encode(want, nf_v2_key_id, 4);
	cr_assert(strstr(err.msg, want) != NULL, "%s", err.msg);
	cr_assert(strstr(err.msg, V2_ORIGIN) != NULL, "%s", err.msg);
	cr_assert(strstr(err.msg, "trusted root may be out of date") != NULL,
	          "%s", err.msg);

	/* v1: a line with the log's name but another key ID. */
	nf_body(&n, V1_ORIGIN, "12");
	nf_adds(&n, "\n");
	nf_add_witness(&n, "rekor.test");
	nf_assert_fail(nf_verify(&n, nf_v1_log, 0, &cp, &err), PYVERIFY_EREJECT,
	               &err);
	pv_hex_encode(want, nf_v1_log->key.spki_sha256, 4);
	cr_assert(strstr(err.msg, want) != NULL, "%s", err.msg);
}

Test(checkpoint, rekor_v2_line_with_the_right_key_but_another_name_is_ignored)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	size_t t;

	nf_body(&n, V2_ORIGIN, "736");
	t = nf_text_end(&n);
	nf_adds(&n, "\n");
	nf_add_v2_sig(&n, "log2030-2.rekor.test", n.s, t);
	nf_assert_fail(nf_verify(&n, nf_v2_log, 1, &cp, &err), PYVERIFY_EREJECT,
	               &err);
	cr_assert(strstr(err.msg, "out of date") != NULL, "%s", err.msg);
}

Test(checkpoint, rekor_v2_origin_must_equal_the_log_origin)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	size_t t;

	nf_body(&n, "log2030-2.rekor.test", "736");
	t = nf_text_end(&n);
	nf_adds(&n, "\n");
	nf_add_v2_sig(&n, V2_ORIGIN, n.s, t);
	nf_assert_fail(nf_verify(&n, nf_v2_log, 1, &cp, &err), PYVERIFY_EREJECT,
	               &err);
	cr_assert(strstr(err.msg, "origin") != NULL, "%s", err.msg);
}

Test(checkpoint, output_is_untouched_on_failure)
{
	static struct note n;
	struct pv_checkpoint cp, before;
	pyverify_error err = { 0 };

	memset(&cp, 0x5a, sizeof(cp));
	before = cp;
	nf_v2_note(&n);
	n.s[n.len - 3] ^= 0x01; /* corrupt the signature's base64 */
	cr_assert_neq(nf_verify(&n, nf_v2_log, 1, &cp, &err), 0);
	cr_assert_arr_eq(&cp, &before, sizeof(cp));
	nf_v1_note(&n);
	cr_assert_neq(nf_verify(&n, nf_v2_log, 1, &cp, &err), 0);
	cr_assert_arr_eq(&cp, &before, sizeof(cp));
}
