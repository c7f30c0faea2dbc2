/* net/url.c - the URL check the transport applies to every URL it
 * fetches, redirects included: parsed by libcurl (CURLU), the parser the
 * transfer then uses. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "net/net.h"
#include "url_check.h"

static void
say(char *why, size_t whylen, const char *url, const char *what)
{
	char shown[256];

	if (why == NULL || whylen == 0)
		return;
	pv_net_url_for_msg(shown, sizeof(shown), url);
	snprintf(why, whylen, "URL %s: %s", shown, what);
}

/* The addresses where plain http:// is safe because the bytes never leave
 * the machine. libcurl (7.78 and later) answers "localhost" itself,
 * without asking DNS. */
int
pv_net_host_is_loopback(const char *host)
{
	struct in_addr a4;

	if (strcasecmp(host, "localhost") == 0)
		return 1;
	if (strcmp(host, "[::1]") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return 0;
}

int
pv_net_url_check(const struct pv_curl_api *cu, const char *url,
                 int allow_http, CURLU **out, int *plain_http, char *why,
                 size_t whylen)
{
	CURLU *u = NULL;
	char *scheme = NULL, *host = NULL;
	char msg[160];
	int rc = PV_NET_EURL;
	CURLUcode uc;

	*out = NULL;
	*plain_http = 0;
	if (url == NULL || url[0] == '\0') {
		say(why, whylen, "", "empty URL");
		return PV_NET_EURL;
	}
	if (strlen(url) > PV_NET_MAX_URL) {
		snprintf(msg, sizeof(msg), "longer than %d characters",
		         PV_NET_MAX_URL);
		say(why, whylen, url, msg);
		return PV_NET_EURL;
	}
	u = cu->url();
	if (u == NULL) {
		say(why, whylen, url, "out of memory");
		return PV_NET_ENOMEM;
	}
	/* No default or guessed scheme: "example.com/x" is refused, so
	 * nothing is fetched over a protocol nobody named. */
	uc = cu->url_set(u, CURLUPART_URL, url, 0);
	if (uc != CURLUE_OK) {
		snprintf(msg, sizeof(msg), "malformed (%s)",
		         cu->url_strerror(uc));
		say(why, whylen, url, msg);
		goto done;
	}
	if (cu->url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    cu->url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    host[0] == '\0') {
		say(why, whylen, url, "no scheme or no host");
		goto done;
	}
	if (strcmp(scheme, "https") == 0) {
		rc = 0;
	} else if (strcmp(scheme, "http") == 0) {
		if (!allow_http && !pv_net_host_is_loopback(host)) {
			say(why, whylen, url, PV_NET_HTTP_REFUSED);
			goto done;
		}
		*plain_http = 1;
		rc = 0;
	} else {
		snprintf(msg, sizeof(msg), "scheme %.32s:// is not allowed "
		         "(https:// only)", scheme);
		say(why, whylen, url, msg);
		goto done;
	}
	*out = u;
	u = NULL; /* the caller's now */
done:
	cu->free(scheme);
	cu->free(host);
	cu->url_cleanup(u);
	return rc;
}
