/* http.c - the libmicrohttpd daemon: routing, access control, per-request
 * state, responses, the request log and draining on shutdown. HTTP itself
 * (request line, headers, chunking, multipart framing) is libmicrohttpd's.
 *
 * Routes:
 *   POST /v1/verify         token when configured; 503 until trust loaded
 *   GET  /v1/trust          token when configured
 *   POST /v1/admin/reload   admin token; 404 when no admin token file
 *   GET  /healthz /readyz /metrics   open (probes and scrapers)
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "util/util.h"
#include "request.h"

static const struct pvd_config *cfg;
static atomic_int draining;

static const char body_why[] = "request body too slow (--min-upload-rate), "
                               "connection closed";

/* Queues body (malloc'd, taken over) with status code. */
static enum MHD_Result
respond(struct pvd_request *r, struct MHD_Connection *c, int code,
        char *body, const char *ctype, const char *hname, const char *hval)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	size_t len;

	if (body == NULL)
		return MHD_NO; /* out of memory: drop the connection */
	len = strlen(body);
	if (strcmp(ctype, "application/json") == 0) {
		/* One object, one line: handy for curl and line-based tools. */
		char *nb = realloc(body, len + 2);
		if (nb == NULL) {
			free(body);
			return MHD_NO;
		}
		body = nb;
		body[len++] = '\n';
		body[len] = '\0';
	}
	resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", ctype);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Request-Id", r->id);
	if (hname != NULL)
		MHD_add_response_header(resp, hname, hval);
	if (atomic_load(&draining))
		MHD_add_response_header(resp, "Connection", "close");
	ret = MHD_queue_response(c, (unsigned)code, resp);
	MHD_destroy_response(resp);
	/* Sending the answer is bounded by the idle timeout; the next head
	 * deadline starts when the request completes. */
	pvd_conn_deadline(r->conn, 0, NULL);
	/* Counted when answered, so a client that has its answer sees it in
	 * /metrics; connections closed without one count as code 0. */
	pvd_metrics_request(r->ep, code);
	r->code = code;
	r->phase = 2;
	return ret;
}

static enum MHD_Result
respond_error(struct pvd_request *r, struct MHD_Connection *c, int code,
              const char *id, const char *msg)
{
	const char *hname = NULL, *hval = NULL;

	snprintf(r->error, sizeof(r->error), "%s", id);
	if (code == 401) {
		hname = "WWW-Authenticate";
		hval = "Bearer realm=\"pyverifyd\"";
	}
	return respond(r, c, code, pvd_error_json(id, msg, r->id),
	               "application/json", hname, hval);
}

static enum MHD_Result
respond_405(struct pvd_request *r, struct MHD_Connection *c,
            const char *allow)
{
	char msg[320];

	snprintf(msg, sizeof(msg), "%s accepts %s", r->path, allow);
	snprintf(r->error, sizeof(r->error), "method-not-allowed");
	return respond(r, c, 405,
	               pvd_error_json("method-not-allowed", msg, r->id),
	               "application/json", "Allow", allow);
}

static int
is_get(const char *m)
{
	return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
}

/* Request ids need to be unique and short, not secret: a random seed per
 * process, then a counter through splitmix64 (a bijection, so no two
 * requests share an id, and ids still look unrelated in logs). */
static _Atomic uint64_t id_counter;
static uint64_t id_seed;
static pthread_once_t id_once = PTHREAD_ONCE_INIT;

static void
id_seed_init(void)
{
	if (RAND_bytes((unsigned char *)&id_seed, sizeof(id_seed)) != 1)
		id_seed = (uint64_t)pvd_unix_now() * 0x9e3779b97f4a7c15ull;
}

static void
request_id(struct pvd_request *r, struct MHD_Connection *c)
{
	static const char hex[] = "0123456789abcdef";
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                            "X-Request-Id");
	uint64_t z;
	size_t i, n;

	/* A caller's id is kept when it is short and harmless in logs. */
	if (h != NULL && (n = strlen(h)) > 0 && n < 40 &&
	    strspn(h, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	              "0123456789._-") == n) {
		memcpy(r->id, h, n + 1);
		return;
	}
	pthread_once(&id_once, id_seed_init);
	z = id_seed + atomic_fetch_add(&id_counter, 1) * 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	for (i = 0; i < 16; i++)
		r->id[i] = hex[(z >> (60 - 4 * i)) & 0xf];
	r->id[16] = '\0';
}

static void
remote_addr(struct pvd_request *r, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;

	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		          r->remote, sizeof(r->remote));
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
		          r->remote, sizeof(r->remote));
}

static enum pvd_endpoint
route(const char *url)
{
	if (strcmp(url, "/v1/verify") == 0)
		return PVD_EP_VERIFY;
	if (strcmp(url, "/healthz") == 0)
		return PVD_EP_HEALTHZ;
	if (strcmp(url, "/readyz") == 0)
		return PVD_EP_READYZ;
	if (strcmp(url, "/metrics") == 0)
		return PVD_EP_METRICS;
	if (strcmp(url, "/v1/trust") == 0)
		return PVD_EP_TRUST;
	if (strcmp(url, "/v1/admin/reload") == 0)
		return PVD_EP_RELOAD;
	return PVD_EP_OTHER;
}

static int
ready(const struct pvd_snapshot *s)
{
	return s != NULL && s->root != NULL && s->policy != NULL;
}

static enum MHD_Result
do_readyz(struct pvd_request *r, struct MHD_Connection *c)
{
	const struct pvd_snapshot *s = r->snap;
	json_t *o;
	char *body, reason[sizeof(s->not_ready)];
	int ok = ready(s) && !atomic_load(&draining);

	/* Reasons quote file names and library messages: keep them UTF-8. */
	pvd_json_text(reason, sizeof(reason),
	              atomic_load(&draining)
	                  ? "shutting down"
	                  : (s != NULL && s->not_ready[0] ? s->not_ready
	                                                  : "trust material "
	                                                    "not loaded"));
	if (ok)
		o = json_pack("{s:s,s:I}", "status", "ready", "generation",
		              (json_int_t)s->generation);
	else
		o = json_pack("{s:s,s:s}", "status", "not-ready", "reason",
		              reason);
	body = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER)
	                 : NULL;
	json_decref(o);
	return respond(r, c, ok ? 200 : 503, body, "application/json", NULL,
	               NULL);
}

static enum MHD_Result
do_trust(struct pvd_request *r, struct MHD_Connection *c)
{
	json_t *doc = json_loads(r->snap->trust_json, 0, NULL);
	char raw[1024], why[1024], when[32];
	int64_t at;
	int ok;
	char *body = NULL;

	if (doc == NULL)
		return respond_error(r, c, 500, "internal", "out of memory");
	pvd_trust_last_reload(&at, &ok, raw, sizeof(raw));
	pvd_json_text(why, sizeof(why), raw);
	pv_format_rfc3339(when, at);
	json_object_set_new(doc, "last_reload",
	                    json_pack("{s:s,s:b,s:s?}", "at", when, "ok", ok,
	                              "error", ok ? NULL : why));
	/* The refresh outcome changes without a new snapshot: read live. */
	json_object_set_new(doc, "source", json_string(cfg->trusted_root != NULL
	                                               ? "file" : "tuf"));
	if (cfg->trusted_root == NULL) {
		json_t *tuf = pvd_refresh_json();
		json_object_set_new(doc, "tuf", tuf != NULL ? tuf : json_null());
	}
	body = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(doc);
	return respond(r, c, ready(r->snap) ? 200 : 503, body,
	               "application/json", NULL, NULL);
}

static enum MHD_Result
do_reload(struct pvd_request *r, struct MHD_Connection *c)
{
	char why[1024] = "", safe[1024];
	struct pvd_snapshot *s;
	json_t *o;
	char *body;
	int rc = pvd_trust_reload(why, sizeof(why));

	pvd_refresh_kick(); /* TUF mode: fetch a newer root too */
	pvd_json_text(safe, sizeof(safe), why);

	s = pvd_trust_acquire();
	if (rc == 0) {
		pvd_log("info", "trust material reloaded by %s: generation %llu",
		        r->remote, (unsigned long long)s->generation);
		o = json_pack("{s:b,s:I}", "reloaded", 1, "generation",
		              (json_int_t)s->generation);
	} else {
		pvd_log("error", "reload requested by %s failed, keeping "
		        "generation %llu: %s", r->remote,
		        (unsigned long long)s->generation, why);
		o = json_pack("{s:b,s:s,s:s,s:I,s:s}", "reloaded", 0, "error",
		              "reload-failed", "message", safe, "generation",
		              (json_int_t)s->generation, "request_id", r->id);
		snprintf(r->error, sizeof(r->error), "reload-failed");
	}
	pvd_trust_release(s);
	body = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER)
	                 : NULL;
	json_decref(o);
	/* 422: the new files were refused; the old ones stay in use. */
	return respond(r, c, rc == 0 ? 200 : 422, body, "application/json",
	               NULL, NULL);
}

static uint64_t
content_length(struct MHD_Connection *c, int *present)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                            "Content-Length");
	uint64_t v = 0;

	*present = h != NULL && pv_parse_u64(&v, h, strlen(h)) == 0;
	return v;
}

/* First call for POST /v1/verify: everything decidable from the headers
 * is decided before a byte of body is read (and before 100 Continue). */
static enum MHD_Result
begin_verify(struct pvd_request *r, struct MHD_Connection *c)
{
	const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                             "Content-Type");
	uint64_t len, max;
	int has_len;

	if (!ready(r->snap))
		return respond_error(r, c, 503, "not-ready",
		                     r->snap && r->snap->not_ready[0]
		                         ? r->snap->not_ready
		                         : "no trusted root loaded");
	if (pvd_upload_begin(&r->up, c, cfg, ct) != 0)
		return respond_error(r, c, r->up.err_code, r->up.err_id,
		                     r->up.err_msg);
	len = content_length(c, &has_len);
	max = r->up.kind == PVD_BODY_JSON
	          ? cfg->max_json_bytes
	          : cfg->max_artifact_bytes + cfg->max_json_bytes +
	                PVD_MULTIPART_OVERHEAD;
	if (has_len && len > max) {
		char msg[160];
		snprintf(msg, sizeof(msg),
		         "request body of %llu bytes is larger than %llu bytes",
		         (unsigned long long)len, (unsigned long long)max);
		return respond_error(r, c, 413, "too-large", msg);
	}
	r->phase = 1;
	pvd_conn_deadline(r->conn, r->start_ms + 1e3 * (double)cfg->timeout,
	                  body_why);
	return MHD_YES;
}

static enum MHD_Result
finish_verify(struct pvd_request *r, struct MHD_Connection *c)
{
	struct pvd_verify_input in;
	struct pvd_verify_output out;
	json_t *doc = NULL;
	char *bundle_bytes = NULL;
	enum MHD_Result ret;
	uint8_t raw_key[32];
	int have_raw = 0;

	/* A JSON body asked before is answered before it is parsed. Multipart
	 * bodies are not: their boundary is new for each upload, and the
	 * artifact is hashed while it arrives anyway. */
	if (cfg->cache_entries > 0 && r->up.kind == PVD_BODY_JSON &&
	    r->up.err_code == 0 && r->up.json.len > 0) {
		have_raw = pvd_verify_raw_key(
			raw_key, r->snap, pvd_endpoint_name(r->ep),
			MHD_lookup_connection_value(c, MHD_HEADER_KIND,
			                            "Content-Type"),
			r->up.json.data, r->up.json.len) == 0;
		if (have_raw && pvd_verify_cached(raw_key, &out)) {
			r->verdict = out.verdict;
			r->cache = 1;
			return respond(r, c, out.http_code, out.body,
			               "application/json", NULL, NULL);
		}
	}
	if (pvd_upload_finish(&r->up, &in, &doc, &bundle_bytes) != 0) {
		ret = respond_error(r, c, r->up.err_code, r->up.err_id,
		                    r->up.err_msg);
		goto done;
	}
	if (pvd_verify_run(r->snap, &in, have_raw ? raw_key : NULL, &out) !=
	    0) {
		free(out.body);
		ret = respond_error(r, c, 500, "internal",
		                    "verification could not run (out of memory?)");
		goto done;
	}
	r->verdict = out.verdict;
	r->cache = out.cache_hit;
	ret = respond(r, c, out.http_code, out.body, "application/json", NULL,
	              NULL);
done:
	json_decref(doc);
	free(bundle_bytes);
	return ret;
}

/* Decides what a new request is, and answers everything but a verify. */
static enum MHD_Result
first_call(struct pvd_request *r, struct MHD_Connection *c)
{
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                               "Authorization");

	r->snap = pvd_trust_acquire();
	if (r->snap == NULL)
		return respond_error(r, c, 503, "not-ready", "starting");
	switch (r->ep) {
	case PVD_EP_HEALTHZ:
		if (!is_get(r->method))
			return respond_405(r, c, "GET, HEAD");
		return respond(r, c, 200, strdup("{\"status\":\"ok\"}"),
		               "application/json", NULL, NULL);
	case PVD_EP_READYZ:
		if (!is_get(r->method))
			return respond_405(r, c, "GET, HEAD");
		return do_readyz(r, c);
	case PVD_EP_METRICS:
		if (!is_get(r->method))
			return respond_405(r, c, "GET, HEAD");
		return respond(r, c, 200, pvd_metrics_render(),
		               "text/plain; version=0.0.4; charset=utf-8", NULL,
		               NULL);
	case PVD_EP_RELOAD:
		/* Without admin tokens the endpoint does not exist. */
		if (!r->snap->admin_enabled)
			return respond_error(r, c, 404, "not-found",
			                     "no such endpoint");
		if (strcmp(r->method, "POST") != 0)
			return respond_405(r, c, "POST");
		if (auth == NULL)
			return respond_error(r, c, 401, "missing-token",
			                     "an admin bearer token is required");
		if (!pvd_tokens_check(&r->snap->admin, auth)) {
			/* 403 is for a caller we know (a valid /v1 token, or
			 * anyone when /v1 is open) who is not an admin; a token
			 * nobody issued is 401, as on the rest of /v1/. */
			if (r->snap->tokens_enabled &&
			    !pvd_tokens_check(&r->snap->tokens, auth))
				return respond_error(r, c, 401, "invalid-token",
				                     "the bearer token is not "
				                     "valid");
			return respond_error(r, c, 403, "forbidden",
			                     "not an admin token");
		}
		return do_reload(r, c);
	case PVD_EP_TRUST:
	case PVD_EP_VERIFY:
		if (r->ep == PVD_EP_TRUST ? !is_get(r->method)
		                          : strcmp(r->method, "POST") != 0)
			return respond_405(r, c,
			                   r->ep == PVD_EP_TRUST ? "GET, HEAD"
			                                         : "POST");
		if (r->snap->tokens_enabled) {
			if (auth == NULL)
				return respond_error(r, c, 401, "missing-token",
				                     "a bearer token is required "
				                     "(Authorization: Bearer ...)");
			if (!pvd_tokens_check(&r->snap->tokens, auth))
				return respond_error(r, c, 401, "invalid-token",
				                     "the bearer token is not valid");
		}
		if (r->ep == PVD_EP_TRUST)
			return do_trust(r, c);
		return begin_verify(r, c);
	default:
		return respond_error(r, c, 404, "not-found", "no such endpoint");
	}
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *c, const char *url,
        const char *method, const char *version, const char *data,
        size_t *data_size, void **con_cls)
{
	struct pvd_request *r = *con_cls;

	(void)cls;
	(void)version;
	if (r == NULL) {
		r = calloc(1, sizeof(*r));
		if (r == NULL)
			return MHD_NO;
		*con_cls = r;
		r->start_ms = pvd_now_ms();
		r->cache = -1;
		snprintf(r->method, sizeof(r->method), "%s", method);
		snprintf(r->path, sizeof(r->path), "%s", url);
		r->ep = route(url);
		request_id(r, c);
		remote_addr(r, c);
		r->conn = pvd_conn_of(c);
		pvd_metrics_inflight(1);
		/* Only a verify body is worth deciding on before it is read. An
		 * answer queued before libmicrohttpd has the whole request closes
		 * the connection after it, so GET and the other endpoints answer
		 * on the call after the request is complete: keep-alive. */
		if (r->ep == PVD_EP_VERIFY && strcmp(r->method, "POST") == 0)
			return first_call(r, c);
		r->phase = 3;
		pvd_conn_deadline(r->conn,
		                  r->start_ms + 1e3 * (double)cfg->timeout,
		                  body_why);
		return MHD_YES;
	}
	if (r->phase == 3) {
		if (*data_size == 0) {
			pvd_conn_deadline(r->conn, 0, NULL);
			return first_call(r, c);
		}
		/* A body where none is expected: dropped, within bounds. */
		r->bytes_in += *data_size;
		r->discarded += *data_size;
		*data_size = 0;
		if (r->discarded > PVD_DISCARD_MAX) {
			r->termination = "unexpected request body, connection "
			                 "closed";
			return MHD_NO;
		}
		return MHD_YES;
	}
	if (r->phase != 1) {
		/* Answered already: drop anything still arriving. */
		*data_size = 0;
		return MHD_YES;
	}
	if (*data_size > 0) {
		size_t n = *data_size;
		double elapsed = (pvd_now_ms() - r->start_ms) / 1e3, allowed;

		*data_size = 0;
		r->bytes_in += n;
		if (r->up.err_code != 0) {
			r->discarded += n;
			if (r->discarded > PVD_DISCARD_MAX) {
				r->termination = "body too large, connection closed";
				return MHD_NO;
			}
			return MHD_YES;
		}
		/* A client trickling a body holds a thread's connection slot:
		 * each byte buys 1/min_upload_rate seconds beyond --timeout.
		 * Bytes that never reach here (chunk extensions, trailers) buy
		 * nothing: the reaper enforces the same deadline. */
		allowed = (double)cfg->timeout +
		          (double)r->bytes_in / (double)cfg->min_upload_rate;
		if (elapsed > allowed) {
			snprintf(r->error, sizeof(r->error), "upload-too-slow");
			r->termination = body_why;
			return MHD_NO;
		}
		pvd_conn_deadline(r->conn, r->start_ms + 1e3 * allowed, NULL);
		pvd_upload_feed(&r->up, data, n);
		return MHD_YES;
	}
	/* The body is complete; verification is CPU work, not the client's. */
	pvd_conn_deadline(r->conn, 0, NULL);
	return finish_verify(r, c);
}

static void
completed(void *cls, struct MHD_Connection *c, void **con_cls,
          enum MHD_RequestTerminationCode toe)
{
	struct pvd_request *r = *con_cls;
	struct pvd_access a;

	(void)cls;
	if (r == NULL)
		return;
	*con_cls = NULL;
	/* Looked up again: the connection may be gone already. */
	r->conn = pvd_conn_of(c);
	if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
		pvd_conn_next_head(r->conn);
	else if (r->termination == NULL && pvd_conn_reaped(r->conn) != NULL) {
		r->termination = pvd_conn_reaped(r->conn);
		if (r->error[0] == '\0')
			snprintf(r->error, sizeof(r->error), "upload-too-slow");
	}
	if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && r->termination == NULL)
		r->termination =
			toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED
			    ? "idle timeout"
			    : toe == MHD_REQUEST_TERMINATED_CLIENT_ABORT
			          ? "client closed the connection"
			          : toe == MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN
			                ? "daemon shutdown"
			                : "connection error";
	if (r->code == 0)
		pvd_metrics_request(r->ep, 0);
	memset(&a, 0, sizeof(a));
	a.request_id = r->id;
	a.method = r->method;
	a.path = r->path;
	a.endpoint = pvd_endpoint_name(r->ep);
	a.remote = r->remote[0] ? r->remote : NULL;
	a.code = r->code;
	a.verdict = r->verdict;
	a.cache = r->cache < 0 ? NULL : r->cache ? "hit" : "miss";
	a.error = r->error[0] ? r->error : NULL;
	a.termination = r->termination;
	a.bytes_in = r->bytes_in;
	a.duration_ms = pvd_now_ms() - r->start_ms;
	pvd_log_access(&a);
	pvd_upload_clear(&r->up);
	pvd_trust_release(r->snap);
	free(r);
	pvd_metrics_inflight(-1);
}

static void mhd_logger(void *cls, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static void
mhd_logger(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	pvd_log("warn", "libmicrohttpd: %s", msg);
}

struct MHD_Daemon *
pvd_http_start(const struct pvd_config *config, int listen_fd)
{
	struct MHD_Daemon *d;

	cfg = config;
	if (pvd_deadline_start(config->header_timeout) != 0)
		return NULL;
	/* poll(), not epoll: with epoll (MHD_USE_AUTO on Linux),
	 * libmicrohttpd 0.9.75 at its connection limit stops serving the
	 * connections it has (520 keep-alive clients against 512 slots: most
	 * requests starve until clients time out); with poll the accepted
	 * connections keep being served and the others wait in the listen
	 * queue. Connections are bounded (--max-connections), so poll's cost
	 * per wake-up stays small. */
	d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC |
			MHD_USE_ERROR_LOG,
		0, NULL, NULL, handler, NULL,
		/* First, so that no message goes to MHD's own logger. */
		MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, NULL,
		MHD_OPTION_LISTEN_SOCKET, (MHD_socket)listen_fd,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)config->threads,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)config->max_connections,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(unsigned int)config->per_ip_connections,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)config->timeout,
		/* Larger reads for multipart uploads: a 30 MB artifact in 64 KB
		 * pieces instead of the default's ~16 KB wakes the worker a
		 * quarter as often. The pool is mmap'd, so idle connections
		 * cost address space, not memory. */
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)PVD_CONN_MEMORY,
		MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
		MHD_OPTION_NOTIFY_CONNECTION, pvd_conn_notify, NULL,
		MHD_OPTION_END);
	if (d == NULL)
		pvd_deadline_stop();
	return d;
}

/* Hands connections waiting in the listen queue to the daemon while it has
 * free slots, so a client that connected before SIGTERM gets an answer
 * instead of a reset. Returns how many were handed over. */
static unsigned
take_queued(struct MHD_Daemon *d, MHD_socket fd, unsigned conns)
{
	unsigned n = 0;

	while (conns + n < cfg->max_connections) {
		struct pollfd p = { fd, POLLIN, 0 };
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int s;

		if (poll(&p, 1, 0) <= 0 || (p.revents & POLLIN) == 0)
			break;
		s = accept(fd, (struct sockaddr *)&ss, &sl);
		if (s < 0)
			break;
		(void)fcntl(s, F_SETFD, FD_CLOEXEC);
		/* On failure libmicrohttpd closes the socket itself. */
		if (MHD_add_connection(d, s, (const struct sockaddr *)&ss, sl) ==
		    MHD_YES)
			n++;
	}
	return n;
}

void
pvd_http_drain_and_stop(struct MHD_Daemon *d, unsigned drain_timeout)
{
	const union MHD_DaemonInfo *info;
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	double t0 = pvd_now_ms(), last_add = t0, elapsed;
	MHD_socket fd;

	atomic_store(&draining, 1);
	/* Stop accepting; connections already accepted are served, and so
	 * are those already in the listen queue (the socket stays open until
	 * the drain ends; /readyz says 503 so no new ones should come). */
	fd = MHD_quiesce_daemon(d);
	for (;;) {
		unsigned conns;

		info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
		conns = info != NULL ? info->num_connections : 0;
		elapsed = (pvd_now_ms() - t0) / 1e3;
		if (fd != MHD_INVALID_SOCKET && elapsed < (double)drain_timeout &&
		    take_queued(d, fd, conns) > 0) {
			last_add = pvd_now_ms();
			nanosleep(&pause, NULL);
			continue;
		}
		if (conns == 0)
			break;
		/* Idle keep-alive connections carry no request: after a short
		 * grace for requests still arriving, they do not hold us. */
		if (pvd_metrics_inflight_now() == 0 &&
		    (pvd_now_ms() - last_add) / 1e3 >= 1.0)
			break;
		if (elapsed >= (double)drain_timeout) {
			pvd_log("warn", "drain timeout: %ld requests still in "
			        "flight are cut off", pvd_metrics_inflight_now());
			break;
		}
		nanosleep(&pause, NULL);
	}
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	MHD_stop_daemon(d);
	pvd_deadline_stop();
}
