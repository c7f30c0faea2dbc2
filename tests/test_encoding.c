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

static void
expect_time(const char *s, int round_up, int64_t want_ms)
{
	int64_t t = 0;

	cr_assert_eq(pv_parse_rfc3339_ms(&t, s, round_up), 0, "\"%s\" refused",
	             s);
	cr_assert_eq(t, want_ms, "\"%s\" (round_up %d) gave %lld, expected "
	             "%lld", s, round_up, (long long)t, (long long)want_ms);
}

static void
expect_time_refused(const char *s)
{
	int64_t t = 777;

	cr_assert_eq(pv_parse_rfc3339_ms(&t, s, 0), -1, "\"%s\" accepted", s);
	cr_assert_eq(t, 777);
}

Test(encoding, rfc3339_parses_utc_times_to_unix_milliseconds)
{
	expect_time("1970-01-01T00:00:00Z", 0, 0);
	/* The production Rekor key start (SPEC 2.4). */
	expect_time("2021-01-12T11:53:27Z", 0, 1610452407000LL);
	expect_time("2021-01-12t11:53:27z", 0, 1610452407000LL);
	expect_time("2025-06-12T12:02:20Z", 0, 1749729740000LL);
	expect_time("1969-12-31T23:59:59Z", 0, -1000);
	expect_time("0001-01-01T00:00:00Z", 0, -62135596800000LL);
	expect_time("9999-12-31T23:59:59Z", 0, 253402300799000LL);
}

Test(encoding, rfc3339_knows_leap_days)
{
	expect_time("2024-02-29T00:00:00Z", 0, 1709164800000LL);
	expect_time("2000-02-29T00:00:00Z", 0, 951782400000LL);
	expect_time("2024-03-01T00:00:00Z", 0, 1709251200000LL);
	expect_time("2023-12-31T23:59:59Z", 0, 1704067199000LL);
	expect_time_refused("2023-02-29T00:00:00Z");
	expect_time_refused("1900-02-29T00:00:00Z"); /* century, not /400 */
	expect_time_refused("2100-02-29T00:00:00Z");
	expect_time_refused("2024-02-30T00:00:00Z");
	expect_time_refused("2024-04-31T00:00:00Z");
}

Test(encoding, rfc3339_applies_numeric_offsets)
{
	/* The same instant written three ways. */
	expect_time("2021-01-12T11:53:27Z", 0, 1610452407000LL);
	expect_time("2021-01-12T13:23:27+01:30", 0, 1610452407000LL);
	expect_time("2021-01-12T06:53:27-05:00", 0, 1610452407000LL);
	expect_time("2021-01-12T11:53:27+00:00", 0, 1610452407000LL);
	expect_time("2021-01-12T11:53:27-00:00", 0, 1610452407000LL);
	/* An offset moves the instant across a day and a year. */
	expect_time("2021-01-01T00:30:00+01:00", 0, 1609457400000LL);
	expect_time("2020-12-31T23:30:00-01:00", 0, 1609461000000LL);
	expect_time_refused("2021-01-12T11:53:27+0100");
	expect_time_refused("2021-01-12T11:53:27+01");
	expect_time_refused("2021-01-12T11:53:27+24:00");
	expect_time_refused("2021-01-12T11:53:27+01:60");
	expect_time_refused("2021-01-12T11:53:27 01:00");
	expect_time_refused("2021-01-12T11:53:27");      /* no zone */
	expect_time_refused("2021-01-12T11:53:27Z ");
	expect_time_refused("2021-01-12T11:53:27ZZ");
}

Test(encoding, rfc3339_fractions_round_down_or_up_to_the_millisecond)
{
	expect_time("2021-01-12T11:53:27.5Z", 0, 1610452407500LL);
	expect_time("2021-01-12T11:53:27.05Z", 0, 1610452407050LL);
	expect_time("2021-01-12T11:53:27.123Z", 0, 1610452407123LL);
	expect_time("2021-01-12T11:53:27.123000000Z", 1, 1610452407123LL);
	/* Below a millisecond: floor, or ceiling when round_up. */
	expect_time("2021-01-12T11:53:27.123456Z", 0, 1610452407123LL);
	expect_time("2021-01-12T11:53:27.123456Z", 1, 1610452407124LL);
	expect_time("2021-01-12T11:53:27.000000001Z", 0, 1610452407000LL);
	expect_time("2021-01-12T11:53:27.000000001Z", 1, 1610452407001LL);
	expect_time("2021-01-12T11:53:27.999999999Z", 1, 1610452408000LL);
	expect_time("2021-01-12T11:53:27.999999999+01:00", 0,
	            1610448807999LL);
	/* Before 1970 the floor still goes towards minus infinity. */
	expect_time("1969-12-31T23:59:59.9995Z", 0, -1);
	expect_time("1969-12-31T23:59:59.9995Z", 1, 0);
	expect_time_refused("2021-01-12T11:53:27.Z");
	expect_time_refused("2021-01-12T11:53:27.1234567890Z"); /* 10 digits */
	expect_time_refused("2021-01-12T11:53:27,5Z");
	expect_time_refused("2021-01-12T11:53:27.5");
}

Test(encoding, rfc3339_refuses_out_of_range_fields_and_other_shapes)
{
	static const char *const bad[] = {
		"",
		"2021-01-12",
		"2021-01-12 11:53:27Z",
		"2021-01-12T11:53Z",
		"2021-1-12T11:53:27Z",
		"21-01-12T11:53:27Z",
		"+2021-01-12T11:53:27Z",
		"2021-00-12T11:53:27Z",
		"2021-13-12T11:53:27Z",
		"2021-01-00T11:53:27Z",
		"2021-01-32T11:53:27Z",
		"2021-01-12T24:00:00Z",
		"2021-01-12T11:60:27Z",
		"2021-01-12T11:53:60Z", /* leap seconds: protobuf has none */
		"2021-01-12T11:53:2aZ",
		"2021-01-12T-1:53:27Z",
		"2021/01/12T11:53:27Z",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_time_refused(bad[i]);
}

Test(encoding, rfc3339_formats_utc_seconds)
{
	char out[32];

	pv_format_rfc3339(out, 0);
	cr_assert_str_eq(out, "1970-01-01T00:00:00Z");
	pv_format_rfc3339(out, 1710869186);
	cr_assert_str_eq(out, "2024-03-19T17:26:26Z");
	pv_format_rfc3339(out, 1709164800);
	cr_assert_str_eq(out, "2024-02-29T00:00:00Z");
	pv_format_rfc3339(out, -1);
	cr_assert_str_eq(out, "1969-12-31T23:59:59Z");
	/* A year too large for struct tm: no overflow, a clear text. */
	pv_format_rfc3339(out, INT64_MAX);
	cr_assert_str_eq(out, "(invalid time)");
	pv_format_rfc3339(out, INT64_MIN);
	cr_assert_str_eq(out, "(invalid time)");
}

Test(encoding, formatted_times_parse_back_to_the_same_instant)
{
	static const int64_t secs[] = { 0, 951782400, 1610452407, 1709164800,
		                        4102444799LL, -86400 };
	char out[32];
	size_t i;

	for (i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
		pv_format_rfc3339(out, secs[i]);
		expect_time(out, 0, secs[i] * 1000);
	}
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
