/* http_fx.c - see http_fx.h. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <criterion/criterion.h>
#include <microhttpd.h>

#include "http_fx.h"

/* An upload larger than this gets 413: no test needs more, and a runaway
 * client must not exhaust the test machine. */
#define HFX_MAX_UPLOAD (16u << 20)
/* A connection idle this long is dropped, so hfx_stop never waits on a
 * client that went away without closing. */
#define HFX_IDLE_SECONDS 10

struct hfx_entry {
	char *path;
	uint8_t *data; /* NULL: no content (404 unless misbehaving) */
	size_t len;
	unsigned status;      /* nonzero: always answered with this */
	unsigned fail_status; /* answered while fail_left > 0 */
	unsigned fail_left;
	int endless;
	unsigned trickle_ms;
	unsigned redirect_status;
	char *location;
	hfx_handler handler;
	void *ctx;
	struct hfx_entry *next;
};

struct hfx {
	struct MHD_Daemon *d;
	pthread_mutex_t mu;
	struct hfx_entry *entries;
	char **log; /* "METHOD /path" */
	size_t nlog, caplog;
	char url[64];
	char *cert, *key; /* PEM, kept while the daemon runs */
};

/* Per request: the upload collected so far. */
struct hfx_req {
	uint8_t *body;
	size_t len, cap;
	int too_big;
};

/* Byte source of a trickling or endless answer; owned by its response. */
struct hfx_stream {
	uint8_t *data;
	size_t len;
	unsigned every_ms;
	int endless;
};

static char *
hfx_strdup(const char *s)
{
	char *d = strdup(s);

	cr_assert_not_null(d, "http_fx: out of memory");
	return d;
}

static struct hfx_entry *
hfx_find(struct hfx *s, const char *path)
{
	struct hfx_entry *e;

	for (e = s->entries; e != NULL; e = e->next)
		if (strcmp(e->path, path) == 0)
			return e;
	return NULL;
}

/* Caller holds the mutex. */
static struct hfx_entry *
hfx_find_or_add(struct hfx *s, const char *path)
{
	struct hfx_entry *e = hfx_find(s, path);

	if (e != NULL)
		return e;
	e = calloc(1, sizeof(*e));
	cr_assert_not_null(e, "http_fx: out of memory");
	e->path = hfx_strdup(path);
	e->next = s->entries;
	s->entries = e;
	return e;
}

static void
hfx_entry_free(struct hfx_entry *e)
{
	if (e == NULL)
		return;
	free(e->path);
	free(e->data);
	free(e->location);
	free(e);
}

/* Caller holds the mutex. */
static void
hfx_unlink(struct hfx *s, const char *path)
{
	struct hfx_entry **pp;

	for (pp = &s->entries; *pp != NULL; pp = &(*pp)->next) {
		if (strcmp((*pp)->path, path) == 0) {
			struct hfx_entry *e = *pp;

			*pp = e->next;
			hfx_entry_free(e);
			return;
		}
	}
}

void
hfx_log_append(pthread_mutex_t *mu, char ***log, size_t *n, size_t *cap,
               const char *method, const char *path)
{
	size_t len = strlen(method) + 1 + strlen(path) + 1;
	char *line = malloc(len);

	if (line == NULL)
		return;
	snprintf(line, len, "%s %s", method, path);
	pthread_mutex_lock(mu);
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;
		char **l = realloc(*log, ncap * sizeof(*l));

		if (l == NULL) {
			pthread_mutex_unlock(mu);
			free(line);
			return;
		}
		*log = l;
		*cap = ncap;
	}
	(*log)[(*n)++] = line;
	pthread_mutex_unlock(mu);
}

static void
hfx_log_add(struct hfx *s, const char *method, const char *path)
{
	hfx_log_append(&s->mu, &s->log, &s->nlog, &s->caplog, method, path);
}

/* Paths are compared and logged as the client sent them: a test about
 * percent-encoded role names must see "%2F", not "/". */
static size_t
hfx_no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

static void
hfx_sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static ssize_t
hfx_stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct hfx_stream *st = cls;

	if (st->endless) {
		memset(buf, 'x', max);
		return (ssize_t)max;
	}
	if (pos >= st->len)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (max == 0)
		return 0;
	hfx_sleep_ms(st->every_ms);
	buf[0] = (char)st->data[pos];
	return 1;
}

static void
hfx_stream_free(void *cls)
{
	struct hfx_stream *st = cls;

	free(st->data);
	free(st);
}

struct MHD_Response *
hfx_stream_response(uint8_t *data, size_t len, unsigned every_ms,
                    int endless)
{
	struct hfx_stream *st = calloc(1, sizeof(*st));
	struct MHD_Response *r;

	if (st == NULL) {
		free(data);
		return NULL;
	}
	st->data = data;
	st->len = data != NULL ? len : 0;
	st->every_ms = every_ms;
	st->endless = endless;
	r = MHD_create_response_from_callback(
	    endless ? MHD_SIZE_UNKNOWN : st->len, 1024, hfx_stream_read, st,
	    hfx_stream_free);
	if (r == NULL)
		hfx_stream_free(st);
	return r;
}

static enum MHD_Result
hfx_send(struct MHD_Connection *c, unsigned status, struct MHD_Response *r,
         const char *ctype)
{
	enum MHD_Result ret;

	if (r == NULL)
		return MHD_NO;
	if (ctype != NULL && ctype[0] != '\0')
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
hfx_send_text(struct MHD_Connection *c, unsigned status, const char *text)
{
	return hfx_send(c, status,
	                MHD_create_response_from_buffer(
	                    strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY),
	                "text/plain");
}

static enum MHD_Result
hfx_call_handler(struct MHD_Connection *c, hfx_handler h, void *ctx,
                 const char *method, const char *path,
                 const struct hfx_req *rq)
{
	unsigned status = 500;
	uint8_t *body = NULL;
	size_t len = 0;
	char ctype[128] = "";
	struct MHD_Response *r;

	h(ctx, method, path, rq->body, rq->len, &status, &body, &len, ctype);
	ctype[sizeof(ctype) - 1] = '\0';
	r = MHD_create_response_from_buffer(len, body ? body : (void *)"",
	                                    MHD_RESPMEM_MUST_COPY);
	free(body);
	return hfx_send(c, status, r, ctype);
}

/* What a path answers, decided under the mutex and acted on outside it
 * (a trickle or a handler must not block the table). */
static enum MHD_Result
hfx_answer(struct hfx *s, struct MHD_Connection *c, const char *method,
           const char *path, const struct hfx_req *rq)
{
	struct hfx_entry *e;
	struct MHD_Response *r;
	unsigned every = 0;
	int stream = 0, endless = 0;
	hfx_handler h = NULL;
	void *ctx = NULL;
	unsigned status = 0, redirect = 0;
	char *location = NULL;
	uint8_t *copy = NULL;
	size_t len = 0;
	int found = 0;

	pthread_mutex_lock(&s->mu);
	e = hfx_find(s, path);
	if (e != NULL && e->handler != NULL) {
		h = e->handler;
		ctx = e->ctx;
	} else if (e != NULL && e->redirect_status != 0) {
		redirect = e->redirect_status;
		location = strdup(e->location);
	} else if (e != NULL && e->status != 0) {
		status = e->status;
	} else if (e != NULL && e->fail_left > 0) {
		e->fail_left--;
		status = e->fail_status;
	} else if (e != NULL && (e->endless || e->data != NULL)) {
		found = 1;
		len = e->len;
		if (e->data != NULL) {
			copy = malloc(len ? len : 1);
			if (copy != NULL)
				memcpy(copy, e->data, len);
		}
		stream = e->endless || e->trickle_ms > 0;
		endless = e->endless;
		every = e->trickle_ms;
	}
	pthread_mutex_unlock(&s->mu);

	if (h != NULL)
		return hfx_call_handler(c, h, ctx, method, path, rq);
	if (redirect != 0) {
		r = location == NULL ? NULL
		                     : MHD_create_response_from_buffer(
		                           0, (void *)"", MHD_RESPMEM_PERSISTENT);
		if (r != NULL)
			MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION,
			                        location);
		free(location);
		return hfx_send(c, redirect, r, NULL);
	}
	if (status != 0) {
		char text[64];

		snprintf(text, sizeof(text), "status %u\n", status);
		return hfx_send_text(c, status, text);
	}
	if (!found)
		return hfx_send_text(c, MHD_HTTP_NOT_FOUND, "not found\n");
	if (stream)
		return hfx_send(c, MHD_HTTP_OK,
		                hfx_stream_response(copy, len, every, endless),
		                NULL);
	if (copy == NULL)
		return MHD_NO;
	r = MHD_create_response_from_buffer(len, copy, MHD_RESPMEM_MUST_FREE);
	if (r == NULL)
		free(copy);
	return hfx_send(c, MHD_HTTP_OK, r, NULL);
}

static enum MHD_Result
hfx_access(void *cls, struct MHD_Connection *c, const char *url,
           const char *method, const char *version, const char *upload,
           size_t *upload_size, void **con_cls)
{
	struct hfx *s = cls;
	struct hfx_req *rq = *con_cls;
	enum MHD_Result ret;

	(void)version;
	if (rq == NULL) {
		rq = calloc(1, sizeof(*rq));
		if (rq == NULL)
			return MHD_NO;
		*con_cls = rq;
		hfx_log_add(s, method, url);
		return MHD_YES;
	}
	if (*upload_size != 0) {
		size_t n = *upload_size;

		*upload_size = 0;
		return hfx_body_append(&rq->body, &rq->len, &rq->cap,
		                       &rq->too_big, upload, n, HFX_MAX_UPLOAD) == 0
		           ? MHD_YES : MHD_NO;
	}
	if (rq->too_big)
		return hfx_send_text(c, 413,
		                     "upload too large\n");
	ret = hfx_answer(s, c, method, url, rq);
	return ret;
}

int
hfx_body_append(uint8_t **body, size_t *len, size_t *cap, int *too_big,
                const void *data, size_t n, size_t max)
{
	if (*too_big || n > max - *len) {
		*too_big = 1;
		return 0;
	}
	if (*len + n > *cap) {
		size_t c = *cap ? *cap : 4096;
		uint8_t *b;

		while (c < *len + n)
			c *= 2;
		if ((b = realloc(*body, c)) == NULL)
			return -1;
		*body = b;
		*cap = c;
	}
	memcpy(*body + *len, data, n);
	*len += n;
	return 0;
}

static void
hfx_completed(void *cls, struct MHD_Connection *c, void **con_cls,
              enum MHD_RequestTerminationCode toe)
{
	struct hfx_req *rq = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (rq != NULL) {
		free(rq->body);
		free(rq);
		*con_cls = NULL;
	}
}

static struct hfx *
hfx_start_common(const char *cert_pem, const char *key_pem)
{
	struct hfx *s = calloc(1, sizeof(*s));
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD |
	                 MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL;

	cr_assert_not_null(s, "http_fx: out of memory");
	if (cert_pem != NULL) {
		s->cert = hfx_strdup(cert_pem);
		s->key = hfx_strdup(key_pem);
		flags |= MHD_USE_TLS;
	}
	pthread_mutex_init(&s->mu, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = 0;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* A proxy from the environment would see loopback requests as its
	 * own; the fixture's server is always reached directly. */
	setenv("no_proxy", "127.0.0.1,localhost,::1", 1);
	setenv("NO_PROXY", "127.0.0.1,localhost,::1", 1);
	/* One thread per connection: a trickling or endless answer blocks only
	 * its own client. */
	/* TLS options only with TLS: the list ends at the first END. */
	struct MHD_OptionItem tls[] = {
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, s->cert },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, s->key },
		{ MHD_OPTION_END, 0, NULL },
	};
	s->d = MHD_start_daemon(
	    flags, 0, NULL, NULL, hfx_access, s, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&sa, MHD_OPTION_UNESCAPE_CALLBACK,
	    hfx_no_unescape, NULL, MHD_OPTION_NOTIFY_COMPLETED, hfx_completed,
	    s, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HFX_IDLE_SECONDS,
	    MHD_OPTION_ARRAY, s->cert ? tls : tls + 2, MHD_OPTION_END);
	cr_assert_not_null(s->d,
	                   "http_fx: cannot start libmicrohttpd on 127.0.0.1");
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	cr_assert(info != NULL && info->port != 0, "http_fx: no port bound");
	snprintf(s->url, sizeof(s->url), "%s://127.0.0.1:%u",
	         s->cert ? "https" : "http", (unsigned)info->port);
	return s;
}

struct hfx *
hfx_start(void)
{
	return hfx_start_common(NULL, NULL);
}

struct hfx *
hfx_start_tls(const char *cert_pem, const char *key_pem)
{
	return hfx_start_common(cert_pem, key_pem);
}

void
hfx_stop(struct hfx *s)
{
	struct hfx_entry *e, *next;
	size_t i;

	if (s == NULL)
		return;
	MHD_stop_daemon(s->d);
	for (e = s->entries; e != NULL; e = next) {
		next = e->next;
		hfx_entry_free(e);
	}
	for (i = 0; i < s->nlog; i++)
		free(s->log[i]);
	free(s->log);
	free(s->cert);
	free(s->key);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

const char *
hfx_url(const struct hfx *s)
{
	return s->url;
}

void
hfx_put(struct hfx *s, const char *path, const void *data, size_t len)
{
	struct hfx_entry *e;
	uint8_t *copy = malloc(len ? len : 1);

	cr_assert_not_null(copy, "http_fx: out of memory");
	if (len)
		memcpy(copy, data, len);
	pthread_mutex_lock(&s->mu);
	hfx_unlink(s, path);
	e = hfx_find_or_add(s, path);
	e->data = copy;
	e->len = len;
	pthread_mutex_unlock(&s->mu);
}

void
hfx_remove(struct hfx *s, const char *path)
{
	pthread_mutex_lock(&s->mu);
	hfx_unlink(s, path);
	pthread_mutex_unlock(&s->mu);
}

void
hfx_set_status(struct hfx *s, const char *path, unsigned status)
{
	pthread_mutex_lock(&s->mu);
	hfx_find_or_add(s, path)->status = status;
	pthread_mutex_unlock(&s->mu);
}

void
hfx_fail_times(struct hfx *s, const char *path, unsigned status, unsigned n)
{
	struct hfx_entry *e;

	pthread_mutex_lock(&s->mu);
	e = hfx_find_or_add(s, path);
	e->fail_status = status;
	e->fail_left = n;
	pthread_mutex_unlock(&s->mu);
}

void
hfx_endless(struct hfx *s, const char *path)
{
	pthread_mutex_lock(&s->mu);
	hfx_find_or_add(s, path)->endless = 1;
	pthread_mutex_unlock(&s->mu);
}

void
hfx_trickle(struct hfx *s, const char *path, unsigned every_ms)
{
	pthread_mutex_lock(&s->mu);
	hfx_find_or_add(s, path)->trickle_ms = every_ms ? every_ms : 1;
	pthread_mutex_unlock(&s->mu);
}

void
hfx_redirect(struct hfx *s, const char *path, unsigned status,
             const char *location)
{
	struct hfx_entry *e;
	char *copy = hfx_strdup(location);

	pthread_mutex_lock(&s->mu);
	e = hfx_find_or_add(s, path);
	free(e->location);
	e->location = copy;
	e->redirect_status = status;
	pthread_mutex_unlock(&s->mu);
}

void
hfx_route(struct hfx *s, const char *path, hfx_handler h, void *ctx)
{
	struct hfx_entry *e;

	pthread_mutex_lock(&s->mu);
	e = hfx_find_or_add(s, path);
	e->handler = h;
	e->ctx = ctx;
	pthread_mutex_unlock(&s->mu);
}

size_t
hfx_request_count(struct hfx *s)
{
	size_t n;

	pthread_mutex_lock(&s->mu);
	n = s->nlog;
	pthread_mutex_unlock(&s->mu);
	return n;
}

size_t
hfx_count(struct hfx *s, const char *path)
{
	size_t i, n = 0;

	pthread_mutex_lock(&s->mu);
	for (i = 0; i < s->nlog; i++) {
		const char *sp = strchr(s->log[i], ' ');

		if (sp != NULL && strcmp(sp + 1, path) == 0)
			n++;
	}
	pthread_mutex_unlock(&s->mu);
	return n;
}

char *
hfx_log(struct hfx *s)
{
	size_t i, total = 1, off = 0;
	char *out;

	pthread_mutex_lock(&s->mu);
	for (i = 0; i < s->nlog; i++)
		total += strlen(s->log[i]) + 1;
	out = malloc(total);
	if (out == NULL) {
		pthread_mutex_unlock(&s->mu);
		cr_assert_fail("http_fx: out of memory");
		return NULL;
	}
	for (i = 0; i < s->nlog; i++) {
		size_t n = strlen(s->log[i]);

		memcpy(out + off, s->log[i], n);
		off += n;
		out[off++] = '\n';
	}
	out[off] = '\0';
	pthread_mutex_unlock(&s->mu);
	return out;
}

void
hfx_clear_log(struct hfx *s)
{
	size_t i;

	pthread_mutex_lock(&s->mu);
	for (i = 0; i < s->nlog; i++)
		free(s->log[i]);
	s->nlog = 0;
	pthread_mutex_unlock(&s->mu);
}
