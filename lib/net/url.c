/* net/url.c - which URLs may be fetched, and URL text for paths and
 * messages. Parsing is libcurl's (CURLU), the same parser the transfer
 * uses. */
#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

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

/* localhost, 127.0.0.0/8 and [::1]: the addresses where plain http:// is
 * safe because the bytes never leave the machine. libcurl (7.78 and
 * later) answers "localhost" itself, without asking DNS. */
static int
host_is_loopback(const char *host)
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
pv_net_url_check(const char *url, int allow_http, CURLU **out,
                 int *plain_http, char *why, size_t whylen)
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
	u = curl_url();
	if (u == NULL) {
		say(why, whylen, url, "out of memory");
		return PV_NET_ENOMEM;
	}
	/* No default or guessed scheme: "example.com/x" is refused, so
	 * nothing is fetched over a protocol nobody named. */
	uc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (uc != CURLUE_OK) {
		snprintf(msg, sizeof(msg), "malformed (%s)",
		         curl_url_strerror(uc));
		say(why, whylen, url, msg);
		goto done;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    host[0] == '\0') {
		say(why, whylen, url, "no scheme or no host");
		goto done;
	}
	if (strcmp(scheme, "https") == 0) {
		rc = 0;
	} else if (strcmp(scheme, "http") == 0) {
		if (!allow_http && !host_is_loopback(host)) {
			say(why, whylen, url,
			    "plain http:// is allowed only to a loopback "
			    "address (localhost, 127.0.0.0/8, [::1]); use "
			    "https://");
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
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

int
pv_net_url_allowed(const char *url, int allow_http, char *why,
                   size_t whylen)
{
	CURLU *u = NULL;
	int plain_http;
	int rc = pv_net_url_check(url, allow_http, &u, &plain_http, why,
	                          whylen);

	curl_url_cleanup(u);
	return rc == 0 ? 0 : PV_NET_EURL;
}

int
pv_net_escape_segment(char *out, size_t outlen, const char *s)
{
	/* curl_easy_escape keeps exactly RFC 3986's unreserved bytes
	 * (ALPHA DIGIT - . _ ~) and ignores its handle since 7.82. */
	char *e;
	size_t n;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	e = curl_easy_escape(NULL, s, 0);
	if (e == NULL)
		return -1;
	n = strlen(e);
	if (n >= outlen) {
		curl_free(e);
		return -1;
	}
	memcpy(out, e, n + 1);
	curl_free(e);
	return 0;
}

int
pv_net_join(char *out, size_t outlen, const char *base, const char *path)
{
	size_t blen = strlen(base);
	int n;

	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	while (*path == '/')
		path++;
	if (blen > (size_t)INT_MAX)
		return -1;
	n = snprintf(out, outlen, "%.*s/%s", (int)blen, base, path);
	if (n < 0 || (size_t)n >= outlen) {
		if (outlen > 0)
			out[0] = '\0';
		return -1;
	}
	return 0;
}

/* The fallback for a URL libcurl cannot parse: everything between "://"
 * and the last '@' of the authority could be a password, so it goes. */
static void
copy_raw_without_userinfo(char *out, size_t outlen, const char *url)
{
	const char *p = url, *sep = strstr(url, "://");
	size_t o = 0;

	if (sep != NULL) {
		const char *auth = sep + 3;
		const char *end = auth + strcspn(auth, "/?#");
		const char *at = NULL, *q;

		for (q = auth; q < end; q++)
			if (*q == '@')
				at = q;
		if (at != NULL) {
			size_t k = (size_t)(auth - url);

			for (; o + 1 < outlen && k > 0; k--)
				out[o++] = *p++;
			p = at + 1;
		}
	}
	for (; *p != '\0' && o + 1 < outlen; p++)
		out[o++] = ((unsigned char)*p < 0x20 || *p == 0x7f) ? '?' : *p;
	out[o] = '\0';
}

void
pv_net_url_for_msg(char *out, size_t outlen, const char *url)
{
	CURLU *u;
	char *s = NULL;

	if (out == NULL || outlen == 0)
		return;
	out[0] = '\0';
	if (url == NULL)
		return;
	u = curl_url();
	if (u != NULL &&
	    curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_USER, NULL, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_OPTIONS, NULL, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_QUERY, NULL, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK)
		copy_raw_without_userinfo(out, outlen, s);
	else
		copy_raw_without_userinfo(out, outlen, url);
	curl_free(s);
	curl_url_cleanup(u);
}
