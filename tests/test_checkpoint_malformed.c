/* test_checkpoint_malformed.c - malformed signed notes, which
 * lib/verify/checkpoint.c must refuse at the checkpoint step, on the logs
 * and notes of tests/support/note_fx.h; most are rows of one table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "note_fx.h"
#include "vrun.h"

TestSuite(checkpoint, .init = nf_setup, .fini = nf_teardown);

/*
 * Malformed notes, one row each, with exactly what the checkpoint step
 * must answer (BearSSL's test/x509/alltests.txt pairs each chain with its
 * expected result the same way). SIGNED: `text` is the whole note text,
 * signed correctly by the Rekor v2 log (sign_v2), so only the text is at
 * fault. APPENDED: `text` is one more signature line after a valid v2
 * note.
 */
enum note_form { SIGNED, APPENDED };

struct note_case {
	const char *name;
	enum note_form form;
	const char *text;
	int code;
	pyverify_step step;
	const char *msg; /* a fragment of the message; NULL = any */
};

#define MALFORMED(name, form, text, msg)                                     \
	{ name, form, text, PYVERIFY_EPARSE, PYVERIFY_STEP_CHECKPOINT, msg }

static const struct note_case note_rejections[] = {
	/* Origin, size and root lines. */
	MALFORMED("no_origin_line", SIGNED, "736\n" ROOT_B64 "\n", NULL),
	MALFORMED("no_size_line", SIGNED, V2_ORIGIN "\n" ROOT_B64 "\n", NULL),
	MALFORMED("no_root_line", SIGNED, V2_ORIGIN "\n736\n", NULL),
	MALFORMED("origin_line_only", SIGNED, V2_ORIGIN "\n", NULL),
	MALFORMED("empty_origin_line", SIGNED, "\n736\n" ROOT_B64 "\n", NULL),
	MALFORMED("lines_in_another_order", SIGNED,
	          V2_ORIGIN "\n" ROOT_B64 "\n736\n", NULL),
	MALFORMED("empty_extension_line", SIGNED,
	          V2_ORIGIN "\n736\n" ROOT_B64 "\n\next\n", NULL),
	/* The size: canonical decimal, 64 bits. */
	MALFORMED("size_with_a_leading_zero", SIGNED,
	          V2_ORIGIN "\n0736\n" ROOT_B64 "\n", NULL),
	MALFORMED("size_with_a_plus_sign", SIGNED,
	          V2_ORIGIN "\n+736\n" ROOT_B64 "\n", NULL),
	MALFORMED("size_with_a_trailing_space", SIGNED,
	          V2_ORIGIN "\n736 \n" ROOT_B64 "\n", NULL),
	MALFORMED("size_of_2_to_the_64", SIGNED,
	          V2_ORIGIN "\n18446744073709551616\n" ROOT_B64 "\n", NULL),
	/* The root hash: standard base64 of 32 bytes. */
	MALFORMED("root_hash_of_31_bytes", SIGNED,
	          V2_ORIGIN "\n736\n"
	          "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n",
	          "31"),
	MALFORMED("root_hash_of_33_bytes", SIGNED,
	          V2_ORIGIN "\n736\n"
	          "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
	          NULL),
	MALFORMED("root_hash_in_base64url", SIGNED,
	          V2_ORIGIN "\n736\n"
	          "rs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5-eGUTDI=\n",
	          NULL),
	MALFORMED("root_hash_without_padding", SIGNED,
	          V2_ORIGIN "\n736\n"
	          "rs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI\n",
	          NULL),
	/* UTF-8. */
	MALFORMED("invalid_utf8_byte", SIGNED,
	          "log\xff" "2030\n736\n" ROOT_B64 "\n", "UTF-8"),
	MALFORMED("overlong_nul", SIGNED, "log\xc0\x80\n736\n" ROOT_B64 "\n",
	          "UTF-8"),
	MALFORMED("utf8_surrogate", SIGNED,
	          "log\xed\xa0\x80\n736\n" ROOT_B64 "\n", "UTF-8"),
	MALFORMED("beyond_u_10ffff", SIGNED,
	          "log\xf4\x90\x80\x80\n736\n" ROOT_B64 "\n", "UTF-8"),
	MALFORMED("truncated_utf8", SIGNED,
	          "log\xe2\x80\n736\n" ROOT_B64 "\n", "UTF-8"),
	MALFORMED("stray_continuation_byte", SIGNED,
	          "log\n736\n" ROOT_B64 "\nx\x80\n", "UTF-8"),
	/* Control characters and CRLF in the text. */
	MALFORMED("crlf_lines", SIGNED,
	          V2_ORIGIN "\r\n736\r\n" ROOT_B64 "\r\n", "control"),
	MALFORMED("tab_in_an_extension", SIGNED,
	          V2_ORIGIN "\n736\n" ROOT_B64 "\nTime\tstamp\n", "control"),
	MALFORMED("del_in_an_extension", SIGNED,
	          V2_ORIGIN "\n736\n" ROOT_B64 "\nDEL\x7f\n", "control"),
	MALFORMED("escape_in_an_extension", SIGNED,
	          V2_ORIGIN "\n736\n" ROOT_B64 "\n\x1b[31m\n", "control"),
	/* Signature lines: em dash, name, space, base64. */
	MALFORMED("line_with_an_ascii_hyphen", APPENDED, "- w AAAAAAA=\n",
	          NULL),
	MALFORMED("line_with_an_en_dash", APPENDED,
	          "\xe2\x80\x93 w AAAAAAA=\n", NULL),
	MALFORMED("no_space_after_the_dash", APPENDED,
	          "\xe2\x80\x94w AAAAAAA=\n", NULL),
	MALFORMED("empty_key_name", APPENDED, DASH " AAAAAAA=\n", NULL),
	MALFORMED("no_signature", APPENDED, DASH "w\n", NULL),
	MALFORMED("plus_in_the_key_name", APPENDED, DASH "w+x AAAAAAA=\n",
	          NULL),
	MALFORMED("no_break_space_in_the_key_name", APPENDED,
	          DASH "w\xc2\xa0x AAAAAAA=\n", NULL),
	MALFORMED("ideographic_space_in_the_key_name", APPENDED,
	          DASH "w\xe3\x80\x80x AAAAAAA=\n", NULL),
	MALFORMED("signature_with_bad_padding", APPENDED, DASH "w AAAAAAA\n",
	          NULL),
	MALFORMED("space_inside_the_base64", APPENDED, DASH "w AAAA AAA=\n",
	          NULL),
	MALFORMED("trailing_space_after_the_base64", APPENDED,
	          DASH "w AAAAAAA= \n", NULL),
};

ParameterizedTestParameters(checkpoint, rejects_each_malformed_note)
{
	return vr_rows(sizeof(note_rejections) / sizeof(note_rejections[0]));
}

ParameterizedTest(const size_t *row, checkpoint, rejects_each_malformed_note)
{
	const struct note_case *c = &note_rejections[*row];
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	int rc;

	if (c->form == SIGNED) {
		rc = nf_sign_v2(c->text, &err);
	} else {
		nf_v2_note(&n);
		nf_adds(&n, c->text);
		rc = nf_verify(&n, nf_v2_log, 1, &cp, &err);
	}
	cr_assert_eq(rc, c->code, "%s: rc %d (%s)", c->name, rc, err.msg);
	cr_assert_eq(err.code, c->code, "%s", c->name);
	cr_assert_eq(err.step, c->step, "%s: step %d", c->name,
	             (int)err.step);
	cr_assert_neq(err.msg[0], '\0', "%s", c->name);
	if (c->msg != NULL)
		cr_assert(strstr(err.msg, c->msg) != NULL, "%s: %s", c->name,
		          err.msg);
}

/* The malformed sizes are rows of note_rejections. */
Test(checkpoint, size_must_be_canonical_decimal)
{
	pyverify_error err = { 0 };

	cr_assert_eq(nf_sign_v2(V2_ORIGIN "\n18446744073709551615\n" ROOT_B64
	                        "\n", &err), 0, "%s", err.msg);
	cr_assert_eq(nf_sign_v2(V2_ORIGIN "\n0\n" ROOT_B64 "\n", &err), 0, "%s",
	             err.msg);
}

Test(checkpoint, missing_or_empty_signature_block_is_malformed)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	size_t t;

	/* No blank line: text runs straight into the signature. */
	nf_body(&n, V2_ORIGIN, "736");
	t = nf_text_end(&n);
	nf_add_v2_sig(&n, V2_ORIGIN, n.s, t);
	nf_assert_fail(nf_verify(&n, nf_v2_log, 1, &cp, &err), PYVERIFY_EPARSE,
	               &err);

	/* Blank line and nothing after it (signatures stripped). */
	nf_body(&n, V2_ORIGIN, "736");
	nf_adds(&n, "\n");
	nf_assert_fail(nf_verify(&n, nf_v2_log, 1, &cp, &err), PYVERIFY_EPARSE,
	               &err);

	/* Text without a final newline before the blank line: the last
	 * "\n\n" is then inside the signature block, or absent. */
	n.len = 0;
	nf_adds(&n, V2_ORIGIN "\n736\n" ROOT_B64);
	t = n.len;
	nf_adds(&n, "\n");
	nf_add_v2_sig(&n, V2_ORIGIN, n.s, t);
	nf_assert_fail(nf_verify(&n, nf_v2_log, 1, &cp, &err), PYVERIFY_EPARSE,
	               &err);

	/* Signature block without a final newline. */
	nf_v2_note(&n);
	n.s[--n.len] = '\0';
	nf_assert_fail(nf_verify(&n, nf_v2_log, 1, &cp, &err), PYVERIFY_EPARSE,
	               &err);

	/* Empty and absent input. */
	nf_assert_fail(pv_checkpoint_verify(&cp, "", 0, nf_v2_log, 1, &err),
	               PYVERIFY_EPARSE, &err);
	nf_assert_fail(pv_checkpoint_verify(&cp, NULL, 0, nf_v2_log, 1, &err),
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
	nf_body(&n, V2_ORIGIN, "736");
	nf_adds(&n, "\n");
	t = nf_text_end(&n);
	nf_adds(&n, "\n");
	nf_add_v2_sig(&n, V2_ORIGIN, n.s, t);
	nf_assert_fail(nf_verify(&n, nf_v2_log, 1, &cp, &err), PYVERIFY_EPARSE,
	               &err);

	/* A blank line inside the signature block moves the split there. */
	nf_v2_note(&n);
	nf_adds(&n, "\n");
	nf_add_witness(&n, "w");
	nf_assert_fail(nf_verify(&n, nf_v2_log, 1, &cp, &err), PYVERIFY_EPARSE,
	               &err);
}

/* The invalid UTF-8 is in rows of note_rejections. */
Test(checkpoint, valid_utf8_text_is_not_malformed)
{
	pyverify_error err = { 0 };

	/* Valid multi-byte text (a 4-byte emoji) is fine in extensions. */
	cr_assert_eq(nf_sign_v2(V2_ORIGIN "\n736\n" ROOT_B64 "\n\xf0\x9f\x98\x80"
	                        "\n", &err), 0, "%s", err.msg);
}

Test(checkpoint, control_characters_and_crlf_are_malformed)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	size_t t;

	/* CRLF and control characters in the text: rows of note_rejections.
	 * An embedded NUL (the length, not strlen, bounds the text). */
	nf_body(&n, V2_ORIGIN, "736");
	nf_add(&n, "a\0b\n", 4);
	t = n.len;
	nf_adds(&n, "\n");
	nf_add_v2_sig(&n, V2_ORIGIN, n.s, t);
	nf_assert_fail(nf_verify(&n, nf_v2_log, 1, &cp, &err), PYVERIFY_EPARSE,
	               &err);
	/* CRLF only in the signature block. */
	nf_v2_note(&n);
	n.s[n.len - 1] = '\r';
	nf_adds(&n, "\n");
	nf_assert_fail(nf_verify(&n, nf_v2_log, 1, &cp, &err), PYVERIFY_EPARSE,
	               &err);
}

Test(checkpoint, signature_field_must_hold_more_than_a_key_id)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	uint8_t one = 0;

	nf_body(&n, V2_ORIGIN, "736");
	nf_adds(&n, "\n");
	nf_add_line(&n, V2_ORIGIN, nf_v2_key_id, NULL, 0); /* exactly 4 bytes */
	nf_assert_fail(nf_verify(&n, nf_v2_log, 1, &cp, &err), PYVERIFY_EPARSE,
	               &err);

	/* 5 bytes is well-formed, but a 1-byte signature does not verify. */
	nf_body(&n, V2_ORIGIN, "736");
	nf_adds(&n, "\n");
	nf_add_line(&n, V2_ORIGIN, nf_v2_key_id, &one, 1);
	nf_assert_fail(nf_verify(&n, nf_v2_log, 1, &cp, &err), PYVERIFY_EREJECT,
	               &err);

	/* A short field on an unrelated line is still malformed. */
	nf_v2_note(&n);
	nf_add_line(&n, "witness", (const uint8_t *)"abcd", NULL, 0);
	nf_assert_fail(nf_verify(&n, nf_v2_log, 1, &cp, &err), PYVERIFY_EPARSE,
	               &err);
}

/* The malformed signature lines are rows of note_rejections. */
Test(checkpoint, a_well_formed_witness_line_is_accepted)
{
	static struct note n;
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };

	/* Sanity: the same note with a well-formed witness line passes. */
	nf_v2_note(&n);
	nf_adds(&n, DASH "w AAAAAAA=\n");
	cr_assert_eq(nf_verify(&n, nf_v2_log, 1, &cp, &err), 0, "%s", err.msg);
}

Test(checkpoint, oversized_notes_and_origins_are_malformed)
{
	static struct note n;
	static char origin[PV_MAX_SHORT_STRING + 2];
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };

	nf_v2_note(&n);
	while (n.len <= PV_MAX_CHECKPOINT_BYTES)
		nf_add_witness(&n, "w");
	nf_assert_fail(nf_verify(&n, nf_v2_log, 1, &cp, &err), PYVERIFY_EPARSE,
	               &err);
	cr_assert(strstr(err.msg, "at most") != NULL, "%s", err.msg);

	memset(origin, 'o', sizeof(origin) - 1);
	origin[sizeof(origin) - 1] = '\0';
	nf_body(&n, origin, "1");
	nf_adds(&n, "\n");
	nf_add_witness(&n, "w");
	nf_assert_fail(nf_verify(&n, nf_v1_log, 0, &cp, &err), PYVERIFY_EPARSE,
	               &err);
	cr_assert(strstr(err.msg, "origin") != NULL, "%s", err.msg);

	/* Exactly PV_MAX_SHORT_STRING bytes is fine. */
	origin[sizeof(origin) - 2] = '\0';
	{
		size_t t;
		nf_body(&n, origin, "1");
		t = nf_text_end(&n);
		nf_adds(&n, "\n");
		nf_add_v1_sig(&n, "rekor.test", n.s, t);
	}
	cr_assert_eq(nf_verify(&n, nf_v1_log, 0, &cp, &err), 0, "%s", err.msg);
	cr_assert_str_eq(cp.origin, origin);
}
