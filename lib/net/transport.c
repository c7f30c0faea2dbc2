/* net/transport.c - requests over libcurl easy handles: timeouts, a hard
 * size limit, retries with backoff, redirects checked against the URL
 * policy, and messages that name the URL. libcurl is loaded at the first
 * request (curl_loader.c) and reached through its table. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pyverify.h"
#include "net/net.h"
#include "curl_api.h"
#include "url_check.h"

/* pv_net_opts with every default applied. */
struct cfg {
	const struct pv_curl_api *cu;
	long connect_ms, total_ms, low_bytes, low_s, base_ms;
	int retries, allow_http;
	const char *ca, *ua;
};

/* The body being received, never more than max bytes (the endless-data
 * defence: a server that announces nothing is cut off here). */
struct sink {
	uint8_t *buf;
	size_t len, cap, max;
	int toobig, nomem;
};

/* What one transfer (one hop of one attempt) ended with. */
struct hop {
	CURLcode cc;
	long status, os_errno, retry_after_ms, elapsed_ms;
	int connected;
	char *location; /* malloc'd absolute redirect target, or NULL */
	char ctype[128];
	char errbuf[CURL_ERROR_SIZE];
};

/* The request being made; method and body change on a 303. */
struct req {
	const char *method;
	const void *body;
	size_t body_len;
	struct curl_slist *headers;
};

static void
resolve(struct cfg *c, const pv_net_opts *o)
{
	static const pv_net_opts none;

	if (o == NULL)
		o = &none;
	c->connect_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms
	                                          : 10000;
	c->total_ms = o->total_timeout_ms > 0 ? o->total_timeout_ms : 60000;
	c->low_bytes = o->low_speed_bytes > 0 ? o->low_speed_bytes : 1024;
	c->low_s = o->low_speed_seconds > 0 ? o->low_speed_seconds : 10;
	c->retries = o->retries == 0 ? 2 : o->retries < 0 ? 0 : o->retries;
	if (c->retries > PV_NET_MAX_RETRIES)
		c->retries = PV_NET_MAX_RETRIES;
	c->base_ms = o->retry_base_ms > 0 ? o->retry_base_ms : 250;
	c->allow_http = o->allow_http;
	c->ca = o->ca_bundle;
	c->ua = o->user_agent ? o->user_agent : "pyverify/" PYVERIFY_VERSION;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* "10 s" or "1500 ms". */
static void
fmt_ms(char *out, size_t n, long ms)
{
	if (ms % 1000 == 0)
		snprintf(out, n, "%ld s", ms / 1000);
	else
		snprintf(out, n, "%ld ms", ms);
}

static void
fail(char *why, size_t whylen, const char *method, const char *url,
     int attempts, const char *what)
{
	char shown[256], tail[40] = "";

	if (why == NULL || whylen == 0)
		return;
	pv_net_url_for_msg(shown, sizeof(shown), url);
	if (attempts > 1)
		snprintf(tail, sizeof(tail), " after %d attempts", attempts);
	snprintf(why, whylen, "%s%s%s: %s%s",
	         strcmp(method, "GET") == 0 ? "" : method,
	         strcmp(method, "GET") == 0 ? "" : " ", shown, what, tail);
}

static size_t
on_data(char *p, size_t size, size_t nmemb, void *ud)
{
	struct sink *k = ud;
	size_t n = size * nmemb;

	if (n > k->max - k->len) {
		k->toobig = 1;
		return 0; /* libcurl aborts the transfer */
	}
	if (k->len + n + 1 > k->cap) {
		size_t cap = k->cap ? k->cap : 16384;
		uint8_t *b;

		while (cap < k->len + n + 1 && cap <= k->max / 2)
			cap *= 2;
		if (cap < k->len + n + 1)
			cap = k->max + 1;
		b = realloc(k->buf, cap);
		if (b == NULL) {
			k->nomem = 1;
			return 0;
		}
		k->buf = b;
		k->cap = cap;
	}
	memcpy(k->buf + k->len, p, n);
	k->len += n;
	return n;
}

static int
set_method(const struct pv_curl_api *cu, CURL *h, const struct req *r)
{
	int ok = 1;

	if (strcmp(r->method, "GET") == 0) {
		ok &= cu->easy_setopt(h, CURLOPT_HTTPGET, 1L) == CURLE_OK;
	} else if (strcmp(r->method, "HEAD") == 0) {
		ok &= cu->easy_setopt(h, CURLOPT_NOBODY, 1L) == CURLE_OK;
	} else if (r->body_len > 0 || strcmp(r->method, "POST") == 0 ||
	           strcmp(r->method, "PUT") == 0 ||
	           strcmp(r->method, "PATCH") == 0) {
		ok &= cu->easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		                       (curl_off_t)r->body_len) == CURLE_OK;
		ok &= cu->easy_setopt(h, CURLOPT_POSTFIELDS,
		                       r->body ? r->body : "") == CURLE_OK;
		if (strcmp(r->method, "POST") != 0)
			ok &= cu->easy_setopt(h, CURLOPT_CUSTOMREQUEST,
			                       r->method) == CURLE_OK;
	} else {
		ok &= cu->easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method) ==
		      CURLE_OK;
	}
	return ok;
}

/* One transfer of u, no redirect followed. 0, or PV_NET_ENOMEM when the
 * handle cannot be set up; the outcome is in *o and *k. */
static int
transfer(const struct cfg *c, const struct req *r, CURLU *u, int plain_http,
         struct sink *k, struct hop *o)
{
	const struct pv_curl_api *cu = c->cu;
	const char *protos = plain_http ? "http,https" : "https";
	CURL *h = cu->easy_init();
	curl_off_t t = 0, ra = 0;
	char *s = NULL;
	int ok = 1;

	memset(o, 0, sizeof(*o));
	if (h == NULL)
		return PV_NET_ENOMEM;
	ok &= cu->easy_setopt(h, CURLOPT_CURLU, u) == CURLE_OK;
	ok &= cu->easy_setopt(h, CURLOPT_PROTOCOLS_STR, protos) == CURLE_OK;
	ok &= cu->easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https") ==
	      CURLE_OK;
	/* Redirects are followed by the caller, one URL check each, so a
	 * redirect can never reach what a first URL could not. */
	ok &= cu->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK;
	/* Timeouts without SIGALRM: safe in the daemon's threads. */
	ok &= cu->easy_setopt(h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
	ok &= cu->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_ms) ==
	      CURLE_OK;
	ok &= cu->easy_setopt(h, CURLOPT_TIMEOUT_MS, c->total_ms) == CURLE_OK;
	/* The slow-retrieval defence. */
	ok &= cu->easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, c->low_bytes) ==
	      CURLE_OK;
	ok &= cu->easy_setopt(h, CURLOPT_LOW_SPEED_TIME, c->low_s) ==
	      CURLE_OK;
	/* An announced length above the limit ends the transfer before the
	 * body; the write callback catches the rest. 0 would mean "none". */
	if (k->max > 0 && (uint64_t)k->max < (uint64_t)INT64_MAX)
		ok &= cu->easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
		                       (curl_off_t)k->max) == CURLE_OK;
	ok &= cu->easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data) == CURLE_OK;
	ok &= cu->easy_setopt(h, CURLOPT_WRITEDATA, k) == CURLE_OK;
	ok &= cu->easy_setopt(h, CURLOPT_ERRORBUFFER, o->errbuf) == CURLE_OK;
	ok &= cu->easy_setopt(h, CURLOPT_USERAGENT, c->ua) == CURLE_OK;
	ok &= cu->easy_setopt(h, CURLOPT_SSLVERSION,
	                       (long)CURL_SSLVERSION_TLSv1_2) == CURLE_OK;
	if (c->ca != NULL)
		ok &= cu->easy_setopt(h, CURLOPT_CAINFO, c->ca) == CURLE_OK;
	ok &= cu->easy_setopt(h, CURLOPT_HTTPHEADER, r->headers) == CURLE_OK;
	ok &= set_method(cu, h, r);
	if (!ok) {
		cu->easy_cleanup(h);
		return PV_NET_ENOMEM;
	}
	o->cc = cu->easy_perform(h);
	cu->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &o->status);
	cu->easy_getinfo(h, CURLINFO_OS_ERRNO, &o->os_errno);
	if (cu->easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &t) == CURLE_OK)
		o->connected = t > 0;
	if (cu->easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &t) == CURLE_OK)
		o->elapsed_ms = (long)(t / 1000);
	if (cu->easy_getinfo(h, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK &&
	    ra > 0)
		o->retry_after_ms = ra > PV_NET_MAX_RETRY_AFTER_MS / 1000
		                        ? PV_NET_MAX_RETRY_AFTER_MS
		                        : (long)ra * 1000;
	s = NULL;
	if (cu->easy_getinfo(h, CURLINFO_CONTENT_TYPE, &s) == CURLE_OK &&
	    s != NULL)
		snprintf(o->ctype, sizeof(o->ctype), "%s", s);
	s = NULL;
	if (o->cc == CURLE_OK &&
	    cu->easy_getinfo(h, CURLINFO_REDIRECT_URL, &s) == CURLE_OK &&
	    s != NULL) {
		o->location = strdup(s);
		if (o->location == NULL) {
			cu->easy_cleanup(h);
			return PV_NET_ENOMEM;
		}
	}
	cu->easy_cleanup(h);
	return 0;
}

/* Plain words for a failed transfer; whether another attempt may help. */
static int
describe(const struct cfg *c, const struct hop *o, char *out, size_t n)
{
	const struct pv_curl_api *cu = c->cu;
	char d[32];
	const char *eb = o->errbuf[0] ? o->errbuf : cu->easy_strerror(o->cc);

	switch (o->cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		snprintf(out, n, "host name not found (%s)", eb);
		return 1;
	case CURLE_COULDNT_RESOLVE_PROXY:
		snprintf(out, n, "proxy host name not found (%s)", eb);
		return 1;
	case CURLE_COULDNT_CONNECT:
		if (o->os_errno == ECONNREFUSED)
			snprintf(out, n, "connection refused");
		else if (o->os_errno == ENETUNREACH)
			snprintf(out, n, "network unreachable");
		else if (o->os_errno == EHOSTUNREACH)
			snprintf(out, n, "host unreachable");
		else
			snprintf(out, n, "cannot connect (%s)", eb);
		return 1;
	case CURLE_OPERATION_TIMEDOUT:
		if (!o->connected) {
			fmt_ms(d, sizeof(d), c->connect_ms);
			snprintf(out, n, "no connection within %s", d);
			return 1;
		}
		/* Connected, so either the whole transfer took too long or
		 * the rate stayed under the minimum: neither is transient,
		 * and retrying would only multiply the wait. */
		if (o->elapsed_ms + 100 >= c->total_ms) {
			fmt_ms(d, sizeof(d), c->total_ms);
			snprintf(out, n, "timed out after %s", d);
		} else {
			snprintf(out, n,
			         "too slow: under %ld bytes/s for %ld s",
			         c->low_bytes, c->low_s);
		}
		return 0;
	case CURLE_PEER_FAILED_VERIFICATION:
		snprintf(out, n, "TLS certificate not trusted (%s)", eb);
		return 0;
	case CURLE_SSL_CACERT_BADFILE:
		snprintf(out, n, "cannot use CA bundle %s (%s)",
		         c->ca ? c->ca : "(system)", eb);
		return 0;
	case CURLE_SSL_CONNECT_ERROR:
		snprintf(out, n, "TLS handshake failed (%s)", eb);
		return 1;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		snprintf(out, n, "connection lost (%s)", eb);
		return 1;
	default:
		snprintf(out, n, "%s (%s)", cu->easy_strerror(o->cc), eb);
		return 0;
	}
}

static int
is_redirect(long status)
{
	return status == 301 || status == 302 || status == 303 ||
	       status == 307 || status == 308;
}

static int
is_transient(long status)
{
	return status == 429 || (status >= 500 && status <= 599);
}

/* The answer that ended a request. */
struct outcome {
	long status;
	int attempts;
	char ctype[128];
	char *url; /* malloc'd: the URL that answered (after redirects) */
};

/* One attempt: the URL, then at most PV_NET_MAX_REDIRECTS redirects.
 * Returns 0 with a status, or an error with why written; *retry says
 * whether a connection-level failure may be tried again. */
static int
attempt(const struct cfg *c, const struct req *orig, const char *url,
        struct sink *k, struct hop *o, struct outcome *res, int *retry,
        int attempts, char *why, size_t whylen)
{
	struct req r = *orig;
	char *cur = NULL;
	char what[CURL_ERROR_SIZE + 128];
	int hops = 0, rc;

	*retry = 0;
	memset(o, 0, sizeof(*o));
	cur = strdup(url);
	if (cur == NULL)
		return PV_NET_ENOMEM;
	for (;;) {
		CURLU *u = NULL;
		int plain_http = 0;

		rc = pv_net_url_check(c->cu, cur, c->allow_http, &u,
		                      &plain_http, what, sizeof(what));
		if (rc != 0) {
			char shown[256];

			pv_net_url_for_msg(shown, sizeof(shown), url);
			if (why != NULL && whylen > 0 && hops == 0)
				snprintf(why, whylen, "%s", what);
			else if (why != NULL && whylen > 0)
				snprintf(why, whylen,
				         "%s: redirected to a refused %s", shown,
				         what);
			break;
		}
		k->len = 0;
		k->toobig = k->nomem = 0;
		rc = transfer(c, &r, u, plain_http, k, o);
		c->cu->url_cleanup(u);
		if (rc != 0 || k->nomem) {
			fail(why, whylen, r.method, cur, attempts,
			     "out of memory");
			rc = PV_NET_ENOMEM;
			break;
		}
		if (k->toobig || o->cc == CURLE_FILESIZE_EXCEEDED) {
			snprintf(what, sizeof(what),
			         "answer larger than %zu bytes", k->max);
			fail(why, whylen, r.method, cur, 1, what);
			rc = PV_NET_ETOOBIG;
			break;
		}
		if (o->cc != CURLE_OK) {
			*retry = describe(c, o, what, sizeof(what));
			fail(why, whylen, r.method, cur, attempts, what);
			rc = PV_NET_EFAIL;
			break;
		}
		if (!is_redirect(o->status) || o->location == NULL)
			break;
		if (++hops > PV_NET_MAX_REDIRECTS) {
			snprintf(what, sizeof(what), "more than %d redirects",
			         PV_NET_MAX_REDIRECTS);
			fail(why, whylen, r.method, url, attempts, what);
			rc = PV_NET_EFAIL;
			break;
		}
		/* As browsers and curl do: 303 always, and 301/302 after a
		 * POST, continue as a GET without the body; 307/308 repeat
		 * the request as it was. */
		if (o->status == 303 ||
		    (o->status != 307 && o->status != 308 &&
		     strcmp(r.method, "POST") == 0)) {
			r.method = "GET";
			r.body = NULL;
			r.body_len = 0;
		}
		free(cur);
		cur = o->location;
		o->location = NULL;
	}
	free(o->location);
	o->location = NULL;
	if (rc == 0) {
		res->status = o->status;
		memcpy(res->ctype, o->ctype, sizeof(res->ctype));
		res->url = cur;
		cur = NULL;
	}
	free(cur);
	return rc;
}

static int
valid_method(const char *m)
{
	size_t i;

	for (i = 0; m[i] != '\0'; i++)
		if (m[i] < 'A' || m[i] > 'Z' || i >= 16)
			return 0;
	return i > 0;
}

/* The request with its retries. On 0, res and k hold the last answer
 * (any status); k->buf is NUL-terminated. */
static int
run(const pv_net_opts *opts, const char *method, const char *url,
    const char *const *headers, const void *body, size_t body_len,
    size_t max_bytes, int may_retry, struct sink *k, struct outcome *res,
    char *why, size_t whylen)
{
	struct cfg c;
	struct req r = { method, body, body_len, NULL };
	struct hop o;
	const char *loadmsg = "";
	int rc = PV_NET_ENOMEM, retry, i;

	memset(res, 0, sizeof(*res));
	memset(k, 0, sizeof(*k));
	if (why != NULL && whylen > 0)
		why[0] = '\0';
	resolve(&c, opts);
	/* The + 1 of the NUL must not wrap. */
	k->max = max_bytes < SIZE_MAX ? max_bytes : SIZE_MAX - 1;
	/* Here and not earlier: only a request needs libcurl, and one that
	 * cannot have it fails, naming the URL it was for. */
	c.cu = pv_curl_load(&loadmsg);
	if (c.cu == NULL) {
		fail(why, whylen, method, url, 1, loadmsg);
		return PV_NET_EFAIL;
	}
	if (!valid_method(method)) {
		fail(why, whylen, "GET", url, 1, "not an HTTP method name");
		return PV_NET_EURL;
	}
	for (i = 0; headers != NULL && headers[i] != NULL; i++) {
		struct curl_slist *n;

		if (strpbrk(headers[i], "\r\n") != NULL) {
			fail(why, whylen, method, url, 1,
			     "a request header holds a line break");
			rc = PV_NET_EURL;
			goto done;
		}
		n = c.cu->slist_append(r.headers, headers[i]);
		if (n == NULL)
			goto done;
		r.headers = n;
	}
	/* No "Expect: 100-continue" round trip before a larger body. */
	if (body_len > 0) {
		struct curl_slist *n = c.cu->slist_append(r.headers,
		                                          "Expect:");

		if (n == NULL)
			goto done;
		r.headers = n;
	}
	for (i = 1;; i++) {
		long wait;

		free(res->url);
		res->url = NULL;
		rc = attempt(&c, &r, url, k, &o, res, &retry, i, why, whylen);
		if (rc == 0)
			retry = is_transient(res->status);
		if (!retry || !may_retry || i > c.retries)
			break;
		wait = c.base_ms << (i - 1 < 16 ? i - 1 : 16);
		if (wait > PV_NET_MAX_BACKOFF_MS)
			wait = PV_NET_MAX_BACKOFF_MS;
		if (rc == 0 && o.retry_after_ms > wait)
			wait = o.retry_after_ms;
		sleep_ms(wait);
	}
	res->attempts = i;
	if (rc == 0 && k->buf == NULL) {
		k->buf = malloc(1);
		if (k->buf == NULL) {
			fail(why, whylen, method, url, 1, "out of memory");
			rc = PV_NET_ENOMEM;
		}
	}
	if (rc == 0)
		k->buf[k->len] = '\0';
done:
	c.cu->slist_free_all(r.headers);
	if (rc != 0) {
		free(k->buf);
		k->buf = NULL;
		k->len = 0;
		free(res->url);
		res->url = NULL;
	}
	return rc;
}

int
pv_net_get(const pv_net_opts *o, const char *url, size_t max_bytes,
           uint8_t **out, size_t *outlen, char *why, size_t whylen)
{
	struct sink k;
	struct outcome res;
	char what[96];
	int rc;

	*out = NULL;
	*outlen = 0;
	rc = run(o, "GET", url, NULL, NULL, 0, max_bytes, 1, &k, &res, why,
	         whylen);
	if (rc != 0)
		return rc;
	if (res.status == 200) {
		*out = k.buf;
		*outlen = k.len;
		free(res.url);
		return PV_NET_OK;
	}
	if (res.status == 403 || res.status == 404) {
		snprintf(what, sizeof(what), "HTTP %ld (not found)",
		         res.status);
		rc = PV_NET_ENOTFOUND;
	} else {
		snprintf(what, sizeof(what), "HTTP %ld", res.status);
		rc = PV_NET_EFAIL;
	}
	fail(why, whylen, "GET", res.url, res.attempts, what);
	free(res.url);
	free(k.buf);
	return rc;
}

int
pv_net_request(const pv_net_opts *o, const char *method, const char *url,
               const char *const *headers, const void *body, size_t body_len,
               size_t max_bytes, int retry_unsafe, pv_net_response *resp,
               char *why, size_t whylen)
{
	struct sink k;
	struct outcome res;
	int rc, may_retry = retry_unsafe || strcmp(method, "GET") == 0 ||
	                    strcmp(method, "HEAD") == 0;

	memset(resp, 0, sizeof(*resp));
	rc = run(o, method, url, headers, body, body_len, max_bytes, may_retry,
	         &k, &res, why, whylen);
	if (rc != 0)
		return rc;
	resp->status = res.status;
	resp->body = k.buf;
	resp->len = k.len;
	memcpy(resp->content_type, res.ctype, sizeof(resp->content_type));
	free(res.url);
	return PV_NET_OK;
}

void
pv_net_response_free(pv_net_response *r)
{
	if (r == NULL)
		return;
	free(r->body);
	memset(r, 0, sizeof(*r));
}
