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

#include "internal.h"
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

char *
pvd_error_json(const char *code, const char *msg, const char *rid)
{
	json_t *o = json_pack("{s:s,s:s,s:s}", "error", code, "message", msg,
	                      "request_id", rid ? rid : "");
	char *s;

	if (o == NULL)
		return NULL;
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}
