/* test_cursor.c - lib/util/cursor.c: bounded reads over untrusted bytes,
 * and the property everything relies on: a failed read never moves the
 * cursor. */
#include <criterion/criterion.h>
#include <string.h>

#include "util/cursor.h"

/* Asserts c still points at p with left bytes. */
static void
unmoved(const struct pv_cur *c, const uint8_t *p, size_t left)
{
	cr_assert_eq(c->p, p, "cursor moved by %td", c->p - p);
	cr_assert_eq(c->left, left);
}

Test(cursor, reads_big_endian_integers_in_order)
{
	static const uint8_t b[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
		                     0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
		                     0x77, 0x88 };
	struct pv_cur c;
	uint8_t u8;
	uint16_t u16;
	uint32_t u24;
	uint64_t u64;

	pv_cur_init(&c, b, sizeof(b));
	cr_assert_eq(pv_cur_u8(&c, &u8), 0);
	cr_assert_eq(u8, 0x01);
	cr_assert_eq(pv_cur_u16(&c, &u16), 0);
	cr_assert_eq(u16, 0x0203);
	cr_assert_eq(pv_cur_u24(&c, &u24), 0);
	cr_assert_eq(u24, 0x040506);
	cr_assert_eq(pv_cur_u64(&c, &u64), 0);
	cr_assert_eq(u64, 0x1122334455667788ULL);
	cr_assert_eq(c.left, 0);
	cr_assert_eq(pv_cur_u8(&c, &u8), -1);
}

Test(cursor, a_failed_read_never_moves_it)
{
	/* Every reader, tried at every position with too few bytes left. */
	static const uint8_t b[] = { 0x00, 0x05, 'a', 'b', 'c', '\n', 'x' };
	const uint8_t *out;
	size_t len, at, n;
	uint8_t u8;
	uint16_t u16;
	uint32_t u24;
	uint64_t u64;
	struct pv_cur c;

	for (at = 0; at <= sizeof(b); at++) {
		n = sizeof(b) - at;
		pv_cur_init(&c, b + at, n);
		cr_assert_eq(pv_cur_take(&c, n + 1, &out), -1);
		unmoved(&c, b + at, n);
		if (n < 1) {
			cr_assert_eq(pv_cur_u8(&c, &u8), -1);
			unmoved(&c, b + at, n);
		}
		if (n < 2) {
			cr_assert_eq(pv_cur_u16(&c, &u16), -1);
			unmoved(&c, b + at, n);
		}
		if (n < 3) {
			cr_assert_eq(pv_cur_u24(&c, &u24), -1);
			unmoved(&c, b + at, n);
		}
		cr_assert_eq(pv_cur_u64(&c, &u64), -1);
		unmoved(&c, b + at, n);
		if (memchr(b + at, '\n', n) == NULL) {
			cr_assert_eq(pv_cur_line(&c, &out, &len), -1);
			unmoved(&c, b + at, n);
		}
		cr_assert_eq(pv_cur_until(&c, '#', &out, &len), -1);
		unmoved(&c, b + at, n);
		cr_assert_eq(pv_cur_expect(&c, "zz", 2), -1);
		unmoved(&c, b + at, n);
	}
	/* b's prefix says 5 bytes follow: with all 7 bytes that reads; with
	 * 6 the body is short, and the prefix is not consumed either. */
	pv_cur_init(&c, b, sizeof(b));
	cr_assert_eq(pv_cur_vec(&c, 2, &out, &len), 0);
	cr_assert_eq(len, 5);
	pv_cur_init(&c, b, 6);
	cr_assert_eq(pv_cur_vec(&c, 2, &out, &len), -1);
	unmoved(&c, b, 6);
	cr_assert_eq(pv_cur_vec(&c, 4, &out, &len), -1); /* no such prefix */
	unmoved(&c, b, 6);
}

Test(cursor, reads_length_prefixed_vectors)
{
	static const uint8_t b[] = { 0x00, 0x03, 'a', 'b', 'c', 0x01, 'z',
		                     0x00, 0x00, 0x00 };
	struct pv_cur c;
	const uint8_t *out;
	size_t len;

	pv_cur_init(&c, b, sizeof(b));
	cr_assert_eq(pv_cur_vec(&c, 2, &out, &len), 0);
	cr_assert_eq(len, 3);
	cr_assert_eq(memcmp(out, "abc", 3), 0);
	cr_assert_eq(pv_cur_vec(&c, 1, &out, &len), 0);
	cr_assert_eq(len, 1);
	cr_assert_eq(out[0], 'z');
	cr_assert_eq(pv_cur_vec(&c, 3, &out, &len), 0); /* empty */
	cr_assert_eq(len, 0);
	cr_assert_eq(c.left, 0);
}

Test(cursor, reads_lines_without_their_newline)
{
	static const char t[] = "origin\n\n42\ntail";
	struct pv_cur c;
	const uint8_t *l;
	size_t len;

	pv_cur_init(&c, t, sizeof(t) - 1);
	cr_assert_eq(pv_cur_line(&c, &l, &len), 0);
	cr_assert_eq(len, 6);
	cr_assert_eq(memcmp(l, "origin", 6), 0);
	cr_assert_eq(pv_cur_line(&c, &l, &len), 0);
	cr_assert_eq(len, 0);
	cr_assert_eq(pv_cur_line(&c, &l, &len), 0);
	cr_assert_eq(len, 2);
	/* "tail" has no newline: refused, left for the caller to see. */
	cr_assert_eq(pv_cur_line(&c, &l, &len), -1);
	cr_assert_eq(c.left, 4);
}

Test(cursor, reads_fields_up_to_a_delimiter)
{
	static const char t[] = "a\t\tbc";
	struct pv_cur c;
	const uint8_t *f;
	size_t len;

	pv_cur_init(&c, t, sizeof(t) - 1);
	cr_assert_eq(pv_cur_until(&c, '\t', &f, &len), 0);
	cr_assert(len == 1 && f[0] == 'a');
	cr_assert_eq(pv_cur_until(&c, '\t', &f, &len), 0);
	cr_assert_eq(len, 0);
	cr_assert_eq(pv_cur_until(&c, '\t', &f, &len), -1);
	unmoved(&c, (const uint8_t *)t + 3, 2);
}

Test(cursor, expects_literals_exactly)
{
	static const char t[] = "\xe2\x80\x94 name";
	struct pv_cur c;

	pv_cur_init(&c, t, sizeof(t) - 1);
	cr_assert_eq(pv_cur_expect(&c, "\xe2\x80\x94 x", 5), -1);
	cr_assert_eq(c.left, sizeof(t) - 1);
	cr_assert_eq(pv_cur_expect(&c, "\xe2\x80\x94 ", 4), 0);
	cr_assert_eq(c.left, 4);
	cr_assert_eq(pv_cur_expect(&c, "", 0), 0);
	cr_assert_eq(pv_cur_expect(&c, "names", 5), -1);
	cr_assert_eq(c.left, 4);
}

Test(cursor, an_empty_or_null_buffer_reads_nothing)
{
	struct pv_cur c;
	const uint8_t *out;
	uint8_t u8;

	pv_cur_init(&c, NULL, 5);
	cr_assert_eq(c.left, 0);
	cr_assert_eq(pv_cur_u8(&c, &u8), -1);
	cr_assert_eq(pv_cur_take(&c, 0, &out), 0);
	cr_assert_eq(c.left, 0);
}
