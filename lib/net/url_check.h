/*
 * net/url_check.h - the URL policy of net/ as the transport applies it:
 * the URL is parsed once by libcurl's own parser and that parse is what
 * gets fetched, so the check and the connection cannot disagree about the
 * host. (pv_net_url_allowed in url_text.c is the same policy in plain
 * code, for checks made before any request, when libcurl is not loaded.)
 */
#ifndef PV_NET_URL_CHECK_H
#define PV_NET_URL_CHECK_H

#include "net/net.h"
#include "curl_api.h"

/* URLs longer than this are refused before parsing: no repository or
 * service of Sigstore needs more, and it bounds every message. */
#define PV_NET_MAX_URL 4096

#define PV_NET_HTTP_REFUSED \
	"plain http:// is allowed only to a loopback address (localhost, " \
	"127.0.0.0/8, [::1]); use https://"

/* Parses and checks url with the loaded libcurl cu. On 0, *out is the
 * parsed URL (free with cu->url_cleanup) and *plain_http says whether it
 * is http:// (so the transfer may allow that protocol). PV_NET_EURL or
 * PV_NET_ENOMEM otherwise, with why naming the URL. */
PV_MUST_CHECK int pv_net_url_check(const struct pv_curl_api *cu,
                                   const char *url, int allow_http,
                                   CURLU **out, int *plain_http, char *why,
                                   size_t whylen);

/* localhost, 127.0.0.0/8 and [::1] (host as in a URL, brackets kept). */
int pv_net_host_is_loopback(const char *host);

#endif
