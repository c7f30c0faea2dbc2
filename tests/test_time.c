/* test_time.c - lib/util/time.c: civil days, RFC 3339 in and out, windows
 * as text. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

Test(time, civil_days_round_trip_over_twenty_thousand_years)
{
	int64_t days, y;
	unsigned m, d;

	/* Every day from -10000-01-01 to 9999-12-31 (proleptic Gregorian),
	 * and each consecutive: a skipped or repeated day fails. */
	int64_t first = pv_days_from_civil(-10000, 1, 1);
	int64_t last = pv_days_from_civil(9999, 12, 31);

	for (days = first; days <= last; days++) {
		pv_civil_from_days(days, &y, &m, &d);
		cr_assert(m >= 1 && m <= 12 && d >= 1 && d <= 31);
		if (pv_days_from_civil(y, m, d) != days)
			cr_assert_fail("day %lld gave %lld-%u-%u, back %lld",
			               (long long)days, (long long)y, m, d,
			               (long long)pv_days_from_civil(y, m, d));
	}
	cr_assert_eq(last - first + 1, 20000 * 365 + 20000 / 4 -
	                                   20000 / 100 + 20000 / 400);
}

Test(time, civil_days_know_the_epoch_and_leap_days)
{
	int64_t y;
	unsigned m, d;

	cr_assert_eq(pv_days_from_civil(1970, 1, 1), 0);
	cr_assert_eq(pv_days_from_civil(1969, 12, 31), -1);
	cr_assert_eq(pv_days_from_civil(2000, 3, 1) -
	                 pv_days_from_civil(2000, 2, 28), 2);
	cr_assert_eq(pv_days_from_civil(1900, 3, 1) -
	                 pv_days_from_civil(1900, 2, 28), 1);
	pv_civil_from_days(19782, &y, &m, &d); /* 2024-02-29 */
	cr_assert(y == 2024 && m == 2 && d == 29);
}

Test(time, milliseconds_round_down_to_seconds_before_1970_too)
{
	cr_assert_eq(pv_ms_to_seconds(0), 0);
	cr_assert_eq(pv_ms_to_seconds(999), 0);
	cr_assert_eq(pv_ms_to_seconds(1000), 1);
	cr_assert_eq(pv_ms_to_seconds(-1), -1);
	cr_assert_eq(pv_ms_to_seconds(-1000), -1);
	cr_assert_eq(pv_ms_to_seconds(-1001), -2);
	cr_assert_eq(pv_ms_to_seconds(INT64_MIN), INT64_MIN / 1000 - 1);
	cr_assert_eq(pv_ms_to_seconds(INT64_MAX), INT64_MAX / 1000);
}

Test(time, windows_spell_missing_ends_one_way)
{
	struct pv_time_range r = { .start_ms = 1610452407500LL,
		                   .end_ms = 1749729740999LL,
		                   .has_end = 1 };
	char a[32], b[32];

	pv_format_window(&r, a, b);
	cr_assert_str_eq(a, "2021-01-12T11:53:27Z");
	cr_assert_str_eq(b, "2025-06-12T12:02:20Z");
	r.has_end = 0;
	pv_format_window(&r, a, b);
	cr_assert_str_eq(b, "no end");
	r.open_start = 1;
	pv_format_window(&r, a, b);
	cr_assert_str_eq(a, "the beginning");
	r.open_start = 0;
	r.start_ms = -1;
	pv_format_window(&r, a, b);
	cr_assert_str_eq(a, "1969-12-31T23:59:59Z");
}

Test(time, windows_are_closed_intervals)
{
	struct pv_time_range r = { .start_ms = 1000, .end_ms = 2000,
		                   .has_end = 1 };

	cr_assert(!pv_time_range_contains(&r, 999));
	cr_assert(pv_time_range_contains(&r, 1000));
	cr_assert(pv_time_range_contains(&r, 2000));
	cr_assert(!pv_time_range_contains(&r, 2001));
	r.has_end = 0;
	cr_assert(pv_time_range_contains(&r, INT64_MAX));
	r.open_start = 1;
	cr_assert(pv_time_range_contains(&r, INT64_MIN));
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

Test(time, rfc3339_parses_utc_times_to_unix_milliseconds)
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

Test(time, rfc3339_knows_leap_days)
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

Test(time, rfc3339_applies_numeric_offsets)
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

Test(time, rfc3339_fractions_round_down_or_up_to_the_millisecond)
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

Test(time, rfc3339_refuses_out_of_range_fields_and_other_shapes)
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

Test(time, rfc3339_formats_utc_seconds)
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

Test(time, formatted_times_parse_back_to_the_same_instant)
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
