/*
 * net/url_check.h - the URL policy of net/, shared by url.c and
 * transport.c: the URL is parsed once by libcurl's own parser and that
 * parse is what gets fetched, so the check and the connection cannot
 * disagree about the host.
 */
#ifndef PV_NET_URL_CHECK_H
#define PV_NET_URL_CHECK_H

#include <curl/curl.h>

#include "net/net.h"

/* URLs longer than this are refused before parsing: no repository or
 * service of Sigstore needs more, and it bounds every message. */
#define PV_NET_MAX_URL 4096

/* Parses and checks url (see pv_net_url_allowed). On 0, *out is the
 * parsed URL (free with curl_url_cleanup) and *plain_http says whether it
 * is http:// (so the transfer may allow that protocol). PV_NET_EURL or
 * PV_NET_ENOMEM otherwise, with why naming the URL. */
PV_MUST_CHECK int pv_net_url_check(const char *url, int allow_http,
                                   CURLU **out, int *plain_http, char *why,
                                   size_t whylen);

#endif
