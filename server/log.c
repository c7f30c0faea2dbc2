/* log.c - one line per request and per daemon event on stderr, JSON (one
 * object a line, for log shippers) or text (key=value, for people). Lines
 * are built whole and written under a mutex so threads never interleave.
 * Never logs a token or a request body. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static void
timestamp(char out[40])
{
	struct timespec ts;
	struct tm tm;
	char base[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 40, "%.24s.%03dZ", base, (int)(ts.tv_nsec / 1000000) % 1000);
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
		pthread_mutex_lock(&log_mu);
		fputs(line, stderr);
		fputc('\n', stderr);
		fflush(stderr);
		pthread_mutex_unlock(&log_mu);
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

/* Absent members are left out so text lines stay short. */
static void
set_str(json_t *o, const char *k, const char *v)
{
	char buf[512];

	if (v == NULL)
		return;
	clean(buf, sizeof(buf), v);
	json_object_set_new(o, k, json_string(buf));
}

void
pvd_log_access(const struct pvd_access *a)
{
	char ts[40];
	json_t *o;

	timestamp(ts);
	o = json_pack("{s:s,s:s}", "ts", ts, "level", "info");
	if (o == NULL)
		return;
	set_str(o, "request_id", a->request_id);
	set_str(o, "remote", a->remote);
	set_str(o, "method", a->method);
	set_str(o, "path", a->path);
	set_str(o, "endpoint", a->endpoint);
	json_object_set_new(o, "code", json_integer(a->code));
	set_str(o, "verdict", a->verdict);
	set_str(o, "cache", a->cache);
	set_str(o, "error", a->error);
	set_str(o, "termination", a->termination);
	json_object_set_new(o, "bytes_in", json_integer((json_int_t)a->bytes_in));
	json_object_set_new(o, "duration_ms",
	                    json_real((double)(int64_t)(a->duration_ms * 1000) /
	                              1000.0));
	emit(o);
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
