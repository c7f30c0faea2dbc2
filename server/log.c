/* log.c - one line per request and per daemon event on stderr, JSON (one
 * object a line, for log shippers) or text (key=value, for people). Lines
 * are built whole and written with one write(2) each, so threads never
 * interleave.
 * Never logs a token or a request body. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "util/util.h"
#include "pyverifyd.h"

static enum pvd_log_format log_format = PVD_LOG_JSON;
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;

static void clean(char *dst, size_t cap, const char *src);

void
pvd_log_init(enum pvd_log_format f)
{
	log_format = f;
}

double
pvd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int64_t
pvd_unix_now(void)
{
	return (int64_t)time(NULL);
}

/* The seconds part of the timestamp changes once a second: kept per
 * thread instead of formatted for every line. */
static void
timestamp(char out[40])
{
	static _Thread_local time_t last = (time_t)-1;
	static _Thread_local char base[32];
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != last) {
		struct tm tm;
		gmtime_r(&ts.tv_sec, &tm);
		strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
		last = ts.tv_sec;
	}
	snprintf(out, 40, "%.24s.%03dZ", base, (int)(ts.tv_nsec / 1000000) % 1000);
}

static void
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* a log that cannot be written is dropped */
		p += w;
		n -= (size_t)w;
	}
}

static void
emit(json_t *o)
{
	char *line = NULL;

	if (o == NULL)
		return;
	if (log_format == PVD_LOG_JSON) {
		line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
		                        JSON_REAL_PRECISION(6));
	} else {
		/* key=value; strings are quoted when they hold blanks/quotes. */
		size_t cap = 1024, len = 0;
		const char *k;
		json_t *v;

		line = malloc(cap);
		if (line != NULL) {
			line[0] = '\0';
			json_object_foreach(o, k, v) {
				char *val = json_is_string(v)
				                ? NULL
				                : json_dumps(v, JSON_ENCODE_ANY |
						                 JSON_REAL_PRECISION(6));
				const char *s = json_is_string(v) ? json_string_value(v)
				                                  : (val ? val : "?");
				int quote = strpbrk(s, " \"=") != NULL || s[0] == '\0';
				size_t need = strlen(k) + strlen(s) * 2 + 8;
				if (len + need >= cap) {
					char *np = realloc(line, cap + need * 2);
					if (np == NULL) {
						free(val);
						break;
					}
					line = np;
					cap += need * 2;
				}
				len += (size_t)snprintf(line + len, cap - len, "%s%s=",
				                        len ? " " : "", k);
				if (quote)
					line[len++] = '"';
				for (; *s; s++) {
					unsigned char ch = (unsigned char)*s;
					if (ch == '"' || ch == '\\')
						line[len++] = '\\';
					line[len++] = ch < 0x20 ? '?' : (char)ch;
				}
				if (quote)
					line[len++] = '"';
				line[len] = '\0';
				free(val);
			}
		}
	}
	if (line != NULL) {
		size_t n = strlen(line);
		char *whole = realloc(line, n + 2);

		/* One write(2) of the whole line with its newline, as the
		 * access lines are written: stdio would send the newline as
		 * a second write, and a worker's access line could land
		 * between the two. */
		if (whole != NULL) {
			line = whole;
			line[n++] = '\n';
			pthread_mutex_lock(&log_mu);
			write_all(fileno(stderr), line, n);
			pthread_mutex_unlock(&log_mu);
		}
	}
	free(line);
	json_decref(o);
}

void
pvd_log(const char *level, const char *fmt, ...)
{
	char ts[40], raw[2048], msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	clean(msg, sizeof(msg), raw);
	timestamp(ts);
	emit(json_pack("{s:s,s:s,s:s}", "ts", ts, "level", level, "msg", msg));
}

/* Log values come partly from clients (paths, names): bytes outside
 * printable ASCII become '?' so a line is always valid and one line. */
static void
clean(char *dst, size_t cap, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < cap && src[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)src[i];
		dst[i] = ch < 0x20 || ch >= 0x7f ? '?' : (char)ch;
	}
	dst[i] = '\0';
}

/* The access line is built by hand into one buffer and written with one
 * call: it is written for every request, and building a JSON object for
 * it cost a cached request more than answering it. The output is what
 * emit() prints for the same members. */
struct line {
	char p[4096];
	size_t len;
};

static void
line_raw(struct line *l, const char *s, size_t n)
{
	if (n > sizeof(l->p) - 1 - l->len)
		n = sizeof(l->p) - 1 - l->len;
	memcpy(l->p + l->len, s, n);
	l->len += n;
}

static void
line_char(struct line *l, char c)
{
	if (l->len < sizeof(l->p) - 1)
		l->p[l->len++] = c;
}

/* key and value; a value (cleaned to printable ASCII) is escaped for the
 * format, a number (is_num) is written as it is. Absent members are left
 * out so text lines stay short. */
static void
line_member(struct line *l, const char *key, const char *val, int is_num)
{
	char buf[512];
	const char *v;
	int quote;

	if (val == NULL)
		return;
	if (is_num) {
		v = val;
	} else {
		clean(buf, sizeof(buf), val);
		v = buf;
	}
	if (log_format == PVD_LOG_JSON) {
		line_raw(l, l->len > 1 ? ",\"" : "\"", l->len > 1 ? 2 : 1);
		line_raw(l, key, strlen(key));
		line_raw(l, "\":", 2);
		quote = !is_num;
	} else {
		if (l->len > 0)
			line_char(l, ' ');
		line_raw(l, key, strlen(key));
		line_char(l, '=');
		quote = !is_num && (strpbrk(v, " \"=") != NULL || v[0] == '\0');
	}
	if (quote)
		line_char(l, '"');
	for (; *v != '\0'; v++) {
		if (*v == '"' || *v == '\\')
			line_char(l, '\\');
		line_char(l, *v);
	}
	if (quote)
		line_char(l, '"');
}

/* A double as jansson writes it with JSON_REAL_PRECISION(6): %.6g, ".0"
 * when it would read as an integer, no '+' or leading zeros in the
 * exponent. */
static void
real_text(char out[40], double d)
{
	char tmp[40], *e;
	size_t i = 0, j;

	snprintf(tmp, sizeof(tmp), "%.6g", d);
	if (strpbrk(tmp, ".e") == NULL)
		memcpy(tmp + strlen(tmp), ".0", 3);
	e = strchr(tmp, 'e');
	if (e == NULL) {
		memcpy(out, tmp, strlen(tmp) + 1);
		return;
	}
	j = (size_t)(e - tmp) + 1;
	memcpy(out, tmp, j);
	i = j;
	if (tmp[j] == '-')
		out[i++] = tmp[j++];
	else if (tmp[j] == '+')
		j++;
	while (tmp[j] == '0' && tmp[j + 1] != '\0')
		j++;
	memcpy(out + i, tmp + j, strlen(tmp + j) + 1);
}

void
pvd_log_access(const struct pvd_access *a)
{
	struct line l;
	char ts[40], code[24], bytes[24], dur[40];

	l.len = 0;
	timestamp(ts);
	snprintf(code, sizeof(code), "%d", a->code);
	snprintf(bytes, sizeof(bytes), "%llu", (unsigned long long)a->bytes_in);
	real_text(dur, (double)(int64_t)(a->duration_ms * 1000) / 1000.0);
	if (log_format == PVD_LOG_JSON)
		line_char(&l, '{');
	line_member(&l, "ts", ts, 0);
	line_member(&l, "level", "info", 0);
	line_member(&l, "request_id", a->request_id, 0);
	line_member(&l, "remote", a->remote, 0);
	line_member(&l, "method", a->method, 0);
	line_member(&l, "path", a->path, 0);
	line_member(&l, "endpoint", a->endpoint, 0);
	line_member(&l, "code", code, 1);
	line_member(&l, "verdict", a->verdict, 0);
	line_member(&l, "cache", a->cache, 0);
	line_member(&l, "error", a->error, 0);
	line_member(&l, "termination", a->termination, 0);
	line_member(&l, "bytes_in", bytes, 1);
	line_member(&l, "duration_ms", dur, 1);
	if (log_format == PVD_LOG_JSON)
		line_char(&l, '}');
	l.p[l.len++] = '\n'; /* line_* leave one byte for it */
	/* One write(2) of a whole line, without a lock: lines never
	 * interleave (a pipe takes up to PIPE_BUF bytes whole, a file is
	 * written under its position lock), and the workers no longer queue
	 * behind each other's system calls. Daemon events flush before
	 * they return, so nothing of theirs is left in stderr's buffer. */
	write_all(fileno(stderr), l.p, l.len);
}

/* Length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0. */
static size_t
utf8_seq(const unsigned char *p)
{
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (p[0] >= 0xe0 && p[0] <= 0xef) {
		unsigned lo = p[0] == 0xe0 ? 0xa0 : 0x80;
		unsigned hi = p[0] == 0xed ? 0x9f : 0xbf;
		return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		unsigned lo = p[0] == 0xf0 ? 0x90 : 0x80;
		unsigned hi = p[0] == 0xf4 ? 0x8f : 0xbf;
		return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 &&
		               (p[3] & 0xc0) == 0x80
		           ? 4
		           : 0;
	}
	return 0;
}

void
pvd_json_text(char *dst, size_t cap, const char *src)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t n = 0, k;

	if (cap == 0)
		return;
	while (*p != '\0' && n + 1 < cap) {
		if (*p >= 0x20 && *p < 0x7f) {
			dst[n++] = (char)*p++;
			continue;
		}
		k = *p >= 0x80 ? utf8_seq(p) : 0;
		if (k == 0) {
			dst[n++] = '?';
			p++;
			continue;
		}
		if (n + k >= cap)
			break; /* never cut a character in two */
		memcpy(dst + n, p, k);
		n += k;
		p += k;
	}
	dst[n] = '\0';
}

char *
pvd_error_json(const char *code, const char *msg, const char *rid)
{
	/* msg often quotes client bytes (a Content-Type, a part or member
	 * name, cut at a byte count): jansson refuses strings that are not
	 * UTF-8, and a NULL body would drop the connection unanswered. */
	size_t cap = strlen(msg) + 1;
	char *safe = malloc(cap), *s = NULL;
	json_t *o = NULL;

	if (safe == NULL)
		return NULL;
	pvd_json_text(safe, cap, msg);
	o = json_pack("{s:s,s:s,s:s}", "error", code, "message", safe,
	              "request_id", rid ? rid : "");
	if (o != NULL)
		s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	free(safe);
	return s;
}
