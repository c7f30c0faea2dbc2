/*
 * sign/sign_net.c - the one door of the signing services to the network:
 * libcurl through net/, or a transport the program supplied
 * (pyverify_transport). Either way the URL policy and the size bound hold,
 * and error answers become one line a release engineer can act on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sign/sign.h"
#include "util/json.h"

/* A service's error message is quoted, never trusted: cut to this. */
#define PV_SIGN_SERVICE_MSG_MAX 300

static int
via_transport(const struct pv_sign_net *n, const char *method, const char *url,
              const char *const *headers, const void *body, size_t body_len,
              size_t max_bytes, pv_net_response *resp, char *why,
              size_t whylen)
{
	const pyverify_transport *t = n->transport;
	char shown[512];
	long status = 0;
	char ctype[128] = "";
	unsigned char *rbody = NULL;
	size_t rlen = 0;
	char twhy[256] = "";

	pv_net_url_for_msg(shown, sizeof(shown), url);
	int rc = t->request(t->ctx, method, url, headers, body, body_len,
	                    max_bytes, &status, ctype, &rbody, &rlen, twhy,
	                    sizeof(twhy));
	if (rc != 0) {
		free(rbody);
		twhy[sizeof(twhy) - 1] = '\0';
		snprintf(why, whylen, "%s %s: %s", method, shown,
		         twhy[0] ? twhy : "no answer from the transport");
		return PV_NET_EFAIL;
	}
	/* The transport is the program's code: its promise to stay within
	 * max_bytes is checked, not assumed. */
	if (rlen > max_bytes || (rbody == NULL && rlen != 0)) {
		free(rbody);
		snprintf(why, whylen, "%s %s: answer larger than %zu bytes",
		         method, shown, max_bytes);
		return PV_NET_ETOOBIG;
	}
	if (status < 100 || status > 599) {
		free(rbody);
		snprintf(why, whylen, "%s %s: invalid HTTP status %ld", method,
		         shown, status);
		return PV_NET_EFAIL;
	}
	/* Callers rely on net/'s NUL after the body. */
	uint8_t *copy = malloc(rlen + 1);
	if (copy == NULL) {
		free(rbody);
		snprintf(why, whylen, "%s %s: out of memory", method, shown);
		return PV_NET_ENOMEM;
	}
	if (rlen != 0)
		memcpy(copy, rbody, rlen);
	copy[rlen] = '\0';
	free(rbody);
	memset(resp, 0, sizeof(*resp));
	resp->status = status;
	resp->body = copy;
	resp->len = rlen;
	ctype[sizeof(ctype) - 1] = '\0';
	memcpy(resp->content_type, ctype, sizeof(resp->content_type));
	return PV_NET_OK;
}

int
pv_sign_http(const struct pv_sign_net *n, const char *method, const char *url,
             const char *const *headers, const void *body, size_t body_len,
             size_t max_bytes, int retry_unsafe, pv_net_response *resp,
             char *why, size_t whylen)
{
	memset(resp, 0, sizeof(*resp));
	if (n->transport == NULL || n->transport->request == NULL)
		return pv_net_request(&n->opts, method, url, headers, body,
		                      body_len, max_bytes, retry_unsafe, resp,
		                      why, whylen);
	/* The same URL policy as libcurl's path: a replaced transport must
	 * not become a way around "https:// or loopback". */
	int rc = pv_net_url_allowed(url, n->opts.allow_http, why, whylen);
	if (rc != 0)
		return rc;
	return via_transport(n, method, url, headers, body, body_len,
	                     max_bytes, resp, why, whylen);
}

/* Copies at most outlen-1 bytes of s[0..len), control bytes and non-ASCII
 * as '?', stopping at the first line break: a service's message goes into
 * one log line and a terminal. */
static void
neutralise(char *out, size_t outlen, const char *s, size_t len)
{
	size_t o = 0;
	if (outlen == 0)
		return;
	for (size_t i = 0; i < len && o + 1 < outlen; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n' || c == '\r')
			break;
		out[o++] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

void
pv_sign_http_error(char *out, size_t outlen, const pv_net_response *r)
{
	char msg[PV_SIGN_SERVICE_MSG_MAX + 1] = "";

	if (outlen == 0)
		return;
	if (r->body != NULL && r->len != 0) {
		json_t *doc = NULL;
		struct pv_json_bounds b = PV_JSON_BOUNDS(64u << 10);
		if (pv_json_intake(&doc, r->body, r->len, &b, NULL) ==
		    PV_JSON_ACCEPTED) {
			/* Fulcio, Rekor v1 and the TSA say "message"; gRPC
			 * gateways (Rekor v2) too; some proxies "error". */
			json_t *m = json_object_get(doc, "message");
			if (!json_is_string(m))
				m = json_object_get(doc, "error");
			if (json_is_string(m))
				neutralise(msg, sizeof(msg), json_string_value(m),
				           json_string_length(m));
			json_decref(doc);
		} else if (r->body[0] != '{' && r->body[0] != '<') {
			/* Plain text bodies carry their message in the first
			 * line; HTML pages of proxies carry none worth
			 * quoting. */
			neutralise(msg, sizeof(msg), (const char *)r->body,
			           r->len);
		}
	}
	if (msg[0] != '\0')
		snprintf(out, outlen, "HTTP %ld: %s", r->status, msg);
	else
		snprintf(out, outlen, "HTTP %ld", r->status);
}
