/*
 * util/time.h - the one date/time module: civil days, RFC 3339 in and out,
 * millisecond to second flooring and validity windows as text. Part of the
 * util layer (included by util/util.h); nothing here reads the clock. */
#ifndef PV_UTIL_TIME_H
#define PV_UTIL_TIME_H

#include <stdint.h>

/* A validFor window from a trusted root. */
struct pv_time_range {
	int64_t start_ms; /* meaningful unless open_start */
	int64_t end_ms;   /* inclusive; meaningful when has_end */
	int has_end;
	/* The trusted root gave no validFor at all (an unbounded window);
	 * zero, the usual case, means start_ms bounds the window. */
	int open_start;
};
/* Closed interval [start, end]. */
int pv_time_range_contains(const struct pv_time_range *r, int64_t t_ms);

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1..12, day
 * 1..31, not checked); avoids timegm(), which is neither C11 nor POSIX,
 * and the TZ environment. */
int64_t pv_days_from_civil(int64_t y, unsigned m, unsigned d);
/* The inverse: the date of a day count. */
void pv_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);
/* floor(t_ms / 1000): times before 1970 must not round towards zero. */
int64_t pv_ms_to_seconds(int64_t t_ms);

/* RFC 3339 date-time ("2021-01-12T11:53:27Z", fraction up to 9 digits,
 * "Z" or +hh:mm offset) to Unix milliseconds. Fractions below a millisecond
 * round down, or up when round_up (use round_up for window starts so a
 * closed interval never grows). 0 or -1 (*out untouched). */
int pv_parse_rfc3339_ms(int64_t *out, const char *s, int round_up)
    __attribute__((warn_unused_result));
/* "2024-03-19T17:26:26Z"; "(invalid time)" for a year struct tm cannot
 * hold. out must hold 32 bytes. */
void pv_format_rfc3339(char *out, int64_t unix_seconds);
/* The same for Unix milliseconds, rounded down to the second. */
void pv_format_rfc3339_ms(char *out, int64_t t_ms);

/* Spellings of a window's missing ends in messages: one each, so every
 * message about a window reads the same. */
#define PV_WINDOW_NO_START "the beginning"
#define PV_WINDOW_NO_END "no end"
/* A validFor window as two texts of 32 bytes each: RFC 3339 (rounded down
 * to the second) or the spellings above. */
void pv_format_window(const struct pv_time_range *r, char *start, char *end);

#endif /* PV_UTIL_TIME_H */
