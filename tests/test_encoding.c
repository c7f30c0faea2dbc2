/* test_encoding.c - the strict text decoders every parser relies on
 * (lib/util/encoding.c): base64, hex, decimal, RFC 3339 times (SPEC 0.1, 0.6). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "verify/steps.h"

/* Decodes s and checks the exact bytes. */
static void
expect_b64(const char *s, const void *want, size_t want_len)
{
	struct pv_bytes out = { NULL, 0 };

	cr_assert_eq(pv_b64_decode(&out, s, strlen(s)), 0, "\"%s\" refused",
	             s);
	cr_assert_eq(out.len, want_len, "\"%s\" gave %zu bytes", s, out.len);
	if (want_len > 0)
		cr_assert_eq(memcmp(out.data, want, want_len), 0, "\"%s\"", s);
	pv_bytes_clear(&out);
}

static void
expect_b64_refused(const char *s, size_t len)
{
	struct pv_bytes out = { (uint8_t *)"untouched", 9 };

	cr_assert_eq(pv_b64_decode(&out, s, len), -1, "\"%.*s\" accepted",
	             (int)len, s);
	/* The contract: out untouched on failure. */
	cr_assert_eq(out.len, 9);
	cr_assert_str_eq((const char *)out.data, "untouched");
}

Test(encoding, base64_decodes_the_rfc4648_test_vectors)
{
	/* RFC 4648 section 10. */
	expect_b64("", "", 0);
	expect_b64("Zg==", "f", 1);
	expect_b64("Zm8=", "fo", 2);
	expect_b64("Zm9v", "foo", 3);
	expect_b64("Zm9vYg==", "foob", 4);
	expect_b64("Zm9vYmE=", "fooba", 5);
	expect_b64("Zm9vYmFy", "foobar", 6);
	/* Both ends of the standard alphabet. */
	expect_b64("+/+/", "\xfb\xff\xbf", 3);
	expect_b64("AAAA", "\0\0\0", 3);
}

Test(encoding, base64_round_trips_every_length_and_byte_value)
{
	uint8_t buf[300];
	size_t n, i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	for (n = 0; n <= sizeof(buf); n++) {
		char *s = pv_b64_encode(buf, n);
		cr_assert_not_null(s);
		cr_assert_eq(strlen(s), (n + 2) / 3 * 4);
		expect_b64(s, buf, n);
		free(s);
	}
}

Test(encoding, base64_refuses_other_alphabets_missing_padding_and_whitespace)
{
	static const char *const bad[] = {
		"Zg",       /* unpadded (protojson would accept it) */
		"Zg=",      /* half padded */
		"Zm8",      /* unpadded */
		"-_-_",     /* URL-safe alphabet */
		"Zm9v\n",   /* trailing newline */
		"Zm 9v",    /* inner space */
		" Zm9v",    /* leading space */
		"Zm9v====", /* padding-only group */
		"====",
		"Z===",     /* three '=' */
		"Zg==Zm8=", /* padding in the middle */
		"Zg=a",     /* '=' before a data character */
		"Z=g=",
		"=Zm9",
		"Zm9vY",    /* length not a multiple of 4 */
		"Zm9\x80",  /* non-ASCII */
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_b64_refused(bad[i], strlen(bad[i]));
	/* An embedded NUL is a non-alphabet byte, not an end of string. */
	expect_b64_refused("Zm\0v", 4);
}

Test(encoding, base64_refuses_non_zero_bits_under_the_padding)
{
	/* "Zg==" is the canonical "f"; "Zh==" .. "Zv==" carry stray low
	 * bits and would let two texts decode to the same byte. */
	expect_b64_refused("Zh==", 4);
	expect_b64_refused("Zv==", 4);
	expect_b64_refused("Zm9=", 4); /* canonical "fo" is "Zm8=" */
	expect_b64_refused("Zm/=", 4);
	expect_b64("Zm8=", "fo", 2);
}

Test(encoding, hex_decodes_exact_lengths_in_either_case)
{
	uint8_t out[4] = { 0 };
	char txt[9];

	cr_assert_eq(pv_hex_decode(out, 4, "00ff7FaB", 8), 0);
	cr_assert_eq(memcmp(out, "\x00\xff\x7f\xab", 4), 0);
	pv_hex_encode(txt, out, 4);
	cr_assert_str_eq(txt, "00ff7fab");
	cr_assert_eq(pv_hex_decode(out, 0, "", 0), 0);

	memset(out, 0x5a, sizeof(out));
	cr_assert_eq(pv_hex_decode(out, 4, "00ff7fa", 7), -1);   /* short */
	cr_assert_eq(pv_hex_decode(out, 4, "00ff7fab0", 9), -1); /* long */
	cr_assert_eq(pv_hex_decode(out, 4, "00ff7fag", 8), -1);
	cr_assert_eq(pv_hex_decode(out, 4, "0x ff7fa", 8), -1);
	cr_assert_eq(pv_hex_decode(out, 4, "00ff\0fab", 8), -1);
	/* Nothing written on failure. */
	cr_assert_eq(memcmp(out, "\x5a\x5a\x5a\x5a", 4), 0);
}

static void
expect_u64(const char *s, uint64_t want)
{
	uint64_t v = 12345;

	cr_assert_eq(pv_parse_u64(&v, s, strlen(s)), 0, "\"%s\" refused", s);
	cr_assert_eq(v, want, "\"%s\" gave %llu", s, (unsigned long long)v);
}

static void
expect_u64_refused(const char *s, size_t len)
{
	uint64_t v = 12345;

	cr_assert_eq(pv_parse_u64(&v, s, len), -1, "\"%.*s\" accepted",
	             (int)len, s);
	cr_assert_eq(v, 12345);
}

Test(encoding, decimal_accepts_the_whole_uint64_range)
{
	expect_u64("0", 0);
	expect_u64("7", 7);
	expect_u64("79571823", 79571823);
	expect_u64("9223372036854775807", 9223372036854775807ULL);
	expect_u64("9223372036854775808", 9223372036854775808ULL);
	expect_u64("18446744073709551615", UINT64_MAX);
	/* Only len bytes are read. */
	{
		uint64_t v = 0;
		cr_assert_eq(pv_parse_u64(&v, "12345", 2), 0);
		cr_assert_eq(v, 12);
	}
}

Test(encoding, decimal_refuses_overflow_signs_leading_zeros_and_junk)
{
	static const char *const bad[] = {
		"",
		"18446744073709551616",  /* UINT64_MAX + 1 */
		"18446744073709551620",
		"99999999999999999999",
		"100000000000000000000", /* 21 digits */
		"00", "01", "007", "-1", "+1", "-0", " 1", "1 ", "1e3",
		"0x10", "1.0", "١",      /* Arabic-Indic digit one */
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_u64_refused(bad[i], strlen(bad[i]));
	expect_u64_refused("1\0", 2);
}

Test(encoding, sha256_of_abc_is_the_fips_180_vector)
{
	static const char want[] =
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	uint8_t h[32];
	char hex[65];

	cr_assert_eq(pv_sha256(h, "abc", 3), 0);
	pv_hex_encode(hex, h, 32);
	cr_assert_str_eq(hex, want);
}
