/*
 * net/net.h - the one network transport of libpyverify, over libcurl.
 * Everything that goes over the network (TUF metadata and targets, OIDC,
 * Fulcio, Rekor and timestamp requests) goes through here, so every
 * request has a connect and a total timeout, a minimum transfer rate, a
 * hard size limit on what it receives, a few retries with backoff, and
 * https:// only (http:// for loopback addresses, or when the caller allows
 * it explicitly). Messages name the URL and what went wrong.
 *
 * libcurl's usual environment applies: http_proxy, https_proxy, no_proxy;
 * the system CA store unless a CA bundle is named.
 *
 * libcurl is not linked: the first request loads libcurl.so.4 (dlopen,
 * curl_loader.c), so programs that never use the network do not pay for
 * loading it. Without it, that request fails (PV_NET_EFAIL) saying so
 * and naming the package; everything else here is plain code and works
 * without it. $PYVERIFY_LIBCURL names another file to load (a test and
 * diagnostic knob).
 */
#ifndef PV_NET_H
#define PV_NET_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

/* Zero means the default in brackets. */
typedef struct {
	long connect_timeout_ms; /* [10000] */
	long total_timeout_ms;   /* [60000] whole transfer, per attempt */
	/* Slow-retrieval defence: abort when fewer than low_speed_bytes per
	 * second arrive for low_speed_seconds. [1024 B/s for 10 s] */
	long low_speed_bytes;
	long low_speed_seconds;
	int retries;             /* [2] extra attempts; negative: none */
	long retry_base_ms;      /* [250] first backoff, doubled each time */
	int allow_http;          /* http:// to any host, not only loopback */
	const char *ca_bundle;   /* PEM file of CAs; NULL: the system store */
	const char *user_agent;  /* NULL: "pyverify/" PYVERIFY_VERSION */
} pv_net_opts;

/* Results. PV_NET_OK also when the server answered with an HTTP error
 * status for pv_net_request (the caller reads resp->status). */
enum {
	PV_NET_OK = 0,
	PV_NET_ENOTFOUND = -1, /* pv_net_get: 404 or 403 (TUF: "no such file") */
	PV_NET_ETOOBIG = -2,   /* more than max_bytes arrived or were announced */
	PV_NET_EFAIL = -3,     /* no usable answer after the retries: DNS,
	                          connect, TLS, timeout, too slow, 5xx, 429 */
	PV_NET_EURL = -4,      /* the URL is refused (scheme, http:// to a
	                          host that is not loopback, malformed) */
	PV_NET_ENOMEM = -5
};

typedef struct {
	long status;             /* HTTP status of the last attempt */
	uint8_t *body;           /* malloc'd, NUL-terminated (not counted) */
	size_t len;
	char content_type[128];  /* "" when none */
} pv_net_response;

/* GET url; on PV_NET_OK *out holds the body (malloc'd, NUL appended, not
 * counted in *outlen) and the status was 200. Retries on connection errors,
 * 5xx and 429. why gets one line naming the URL. */
PV_MUST_CHECK int pv_net_get(const pv_net_opts *o, const char *url,
                             size_t max_bytes, uint8_t **out, size_t *outlen,
                             char *why, size_t whylen);

/* Any method. headers: NULL-terminated "Name: value" list (may be NULL).
 * body may be NULL when body_len is 0. Retries on connection errors, 5xx
 * and 429 only when retry_unsafe or the method is GET/HEAD. On PV_NET_OK
 * resp holds the last answer whatever its status; free it with
 * pv_net_response_free. PV_NET_EURL also for a method that is not 1-16
 * capital letters or a header holding a line break. */
PV_MUST_CHECK int pv_net_request(const pv_net_opts *o, const char *method,
                                 const char *url, const char *const *headers,
                                 const void *body, size_t body_len,
                                 size_t max_bytes, int retry_unsafe,
                                 pv_net_response *resp, char *why,
                                 size_t whylen);
void pv_net_response_free(pv_net_response *r);

/* Whether url may be fetched: https://, or http:// to a loopback address
 * (localhost, 127.0.0.0/8, [::1]) or when allow_http. 0 or PV_NET_EURL.
 * A check before any request, without libcurl and a little stricter than
 * it (no percent-encoded or unusual host names); requests check again
 * with libcurl's parse of the URL they fetch. */
PV_MUST_CHECK int pv_net_url_allowed(const char *url, int allow_http,
                                     char *why, size_t whylen);

/* Percent-encodes s for one URL path segment, query value or form value
 * (RFC 3986 unreserved bytes kept; everything else, '/', '&', '=' and
 * space included, as %XX). 0, or -1 if out is too small. */
PV_MUST_CHECK int pv_net_escape_segment(char *out, size_t outlen,
                                        const char *s);

/* url with "name=value" query parameters appended ('?' or '&' as the URL
 * needs), each value percent-encoded (names are taken as they are).
 * pairs: name, value, name, value, ..., NULL. malloc'd; NULL when out of
 * memory, when url has a fragment or when the result would be longer
 * than a URL may be. */
char *pv_net_url_with_query(const char *url, const char *const *pairs);

/* The len bytes at s with %XX sequences decoded (a '%' without two hex
 * digits kept as it is; '+' kept). malloc'd, NUL-terminated; NULL when
 * out of memory or when the result would hold a NUL byte. */
char *pv_net_unescape(const char *s, size_t len);

/* Joins base and a relative path with exactly one '/'; 0 or -1. */
PV_MUST_CHECK int pv_net_join(char *out, size_t outlen, const char *base,
                              const char *path);

/* url as messages may show it: without user name, password, query and
 * fragment (they may carry secrets); control bytes replaced, truncated to
 * fit out. */
void pv_net_url_for_msg(char *out, size_t outlen, const char *url);

/* The version of the libcurl requests use ("7.88.1"), loading it if need
 * be; when it cannot be loaded, "not available (" the reason ")". A static
 * string. */
const char *pv_net_libcurl_version(void);

/* Whether this process has loaded libcurl (never loads it): verification
 * and other offline work must leave it unloaded. */
int pv_net_libcurl_loaded(void);

#endif /* PV_NET_H */
