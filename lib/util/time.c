/* time.c - civil dates, RFC 3339 and validity windows, without timegm()
 * or the TZ environment. */
#include <string.h>
#include <time.h>

#include "util/util.h"

int
pv_time_range_contains(const struct pv_time_range *r, int64_t t_ms)
{
	/* SPEC 2.2: closed interval [start, end]; no end = still valid. */
	return (r->open_start || t_ms >= r->start_ms) &&
	       (!r->has_end || t_ms <= r->end_ms);
}

/* Howard Hinnant's days_from_civil: eras of 400 years (146097 days) from
 * 0000-03-01, so February's leap day ends each year. */
int64_t
pv_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* Hinnant's civil_from_days, the exact inverse of the above. */
void
pv_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t z = days + 719468, era;
	unsigned doe, yoe, doy, mp;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

int64_t
pv_ms_to_seconds(int64_t t_ms)
{
	return t_ms >= 0 ? t_ms / 1000 : -((-(t_ms + 1)) / 1000) - 1;
}

static int
digits(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 0;
}

int
pv_parse_rfc3339_ms(int64_t *out, const char *s, int round_up)
{
	static const unsigned mdays[] = { 31, 29, 31, 30, 31, 30,
	                                  31, 31, 30, 31, 30, 31 };
	unsigned y, mo, d, h, mi, sec, ms = 0, oh, om;
	size_t n = strlen(s), p = 19, nfrac = 0;
	int sub_ms = 0;
	int64_t t;

	if (n < 20 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
		return -1;
	if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) ||
	    digits(s + 17, 2, &sec))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
	    mi > 59 || sec > 59)
		return -1;
	if (mo == 2 && d == 29 &&
	    !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return -1;
	if (s[p] == '.') {
		p++;
		while (p < n && s[p] >= '0' && s[p] <= '9') {
			if (nfrac < 3)
				ms = ms * 10 + (unsigned)(s[p] - '0');
			else if (s[p] != '0')
				sub_ms = 1;
			nfrac++;
			p++;
		}
		if (nfrac == 0 || nfrac > 9)
			return -1;
		while (nfrac < 3) {
			ms *= 10;
			nfrac++;
		}
	}
	t = (pv_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) *
	        1000 + ms;
	if (p == n - 1 && (s[p] == 'Z' || s[p] == 'z')) {
		/* UTC */
	} else if (p + 6 == n && (s[p] == '+' || s[p] == '-') &&
	           s[p + 3] == ':' && !digits(s + p + 1, 2, &oh) &&
	           !digits(s + p + 4, 2, &om) && oh <= 23 && om <= 59) {
		int64_t off = ((int64_t)oh * 3600 + om * 60) * 1000;
		t += s[p] == '+' ? -off : off;
	} else {
		return -1;
	}
	if (sub_ms && round_up)
		t += 1;
	*out = t;
	return 0;
}

void
pv_format_rfc3339(char *out, int64_t unix_seconds)
{
	time_t t = (time_t)unix_seconds;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		memcpy(out, "(invalid time)", 15);
	}
}

void
pv_format_rfc3339_ms(char *out, int64_t t_ms)
{
	pv_format_rfc3339(out, pv_ms_to_seconds(t_ms));
}

void
pv_format_window(const struct pv_time_range *r, char *start, char *end)
{
	if (r->open_start)
		memcpy(start, PV_WINDOW_NO_START, sizeof(PV_WINDOW_NO_START));
	else
		pv_format_rfc3339_ms(start, r->start_ms);
	if (r->has_end)
		pv_format_rfc3339_ms(end, r->end_ms);
	else
		memcpy(end, PV_WINDOW_NO_END, sizeof(PV_WINDOW_NO_END));
}
