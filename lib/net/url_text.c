/* net/url_text.c - URL text in plain code, no libcurl: the policy check
 * made before any request (a cached trusted root must stay usable on a
 * machine without libcurl), percent-encoding, queries, joining, and URLs
 * for messages. The transport checks again, with libcurl's own parse, the
 * URL it actually fetches (url.c). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/net.h"
#include "util/util.h"
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

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_unreserved(int c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c == '.' ||
	       c == '_' || c == '~';
}

/* Host characters accepted before a request: a registered name (bytes
 * above 0x7f for IDNs, which libcurl converts) or an IPv4 address. The
 * rest (percent-encoding, sub-delims) no Sigstore service needs, and
 * refusing it keeps this parse and libcurl's from disagreeing. */
static int
is_host_byte(int c)
{
	return is_unreserved(c) || c >= 0x80;
}

static int
port_ok(const char *p, const char *end)
{
	long v = 0;

	if (end - p > 5)
		return 0;
	for (; p < end; p++) {
		if (!is_digit((unsigned char)*p))
			return 0;
		v = v * 10 + (*p - '0');
	}
	return v <= 65535;
}

/* The host of authority [a, end) without user info and port, brackets
 * kept for IPv6, into out; 0, or -1 when it is not a host. */
static int
split_host(const char *a, const char *end, char *out, size_t outlen)
{
	const char *at = NULL, *p, *h, *hend;

	for (p = a; p < end; p++)
		if (*p == '@')
			at = p;
	h = at != NULL ? at + 1 : a;
	if (h < end && *h == '[') {
		hend = memchr(h, ']', (size_t)(end - h));
		if (hend == NULL)
			return -1;
		for (p = h + 1; p < hend; p++)
			if (!is_digit((unsigned char)*p) && *p != ':' &&
			    *p != '.' && strchr("abcdefABCDEF", *p) == NULL)
				return -1;
		hend++;
	} else {
		for (hend = h; hend < end && *hend != ':'; hend++)
			if (!is_host_byte((unsigned char)*hend))
				return -1;
	}
	if (hend == h || (size_t)(hend - h) >= outlen)
		return -1;
	if (hend < end && (*hend != ':' || !port_ok(hend + 1, end)))
		return -1;
	memcpy(out, h, (size_t)(hend - h));
	out[hend - h] = '\0';
	return 0;
}

int
pv_net_url_allowed(const char *url, int allow_http, char *why,
                   size_t whylen)
{
	const char *sep, *auth, *end, *p;
	char scheme[33], host[256], msg[160];
	size_t slen;

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
	for (p = url; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '\\') {
			say(why, whylen, url, "malformed (a space, control "
			    "byte or backslash)");
			return PV_NET_EURL;
		}
	sep = strstr(url, "://");
	slen = sep != NULL ? (size_t)(sep - url) : 0;
	for (p = url; p < url + slen; p++)
		if (!is_alpha((unsigned char)*p) &&
		    (p == url || (!is_digit((unsigned char)*p) &&
		                  strchr("+-.", *p) == NULL)))
			slen = 0;
	if (slen == 0 || slen >= sizeof(scheme)) {
		say(why, whylen, url, "no scheme or no host");
		return PV_NET_EURL;
	}
	memcpy(scheme, url, slen);
	scheme[slen] = '\0';
	auth = sep + 3;
	end = auth + strcspn(auth, "/?#");
	if (split_host(auth, end, host, sizeof(host)) != 0) {
		say(why, whylen, url, "no scheme or no host");
		return PV_NET_EURL;
	}
	if (strcasecmp(scheme, "https") == 0)
		return 0;
	if (strcasecmp(scheme, "http") == 0) {
		if (allow_http || pv_net_host_is_loopback(host))
			return 0;
		say(why, whylen, url, PV_NET_HTTP_REFUSED);
		return PV_NET_EURL;
	}
	snprintf(msg, sizeof(msg), "scheme %.32s:// is not allowed (https:// "
	         "only)", scheme);
	say(why, whylen, url, msg);
	return PV_NET_EURL;
}

/* Writes s percent-encoded (RFC 3986 unreserved bytes kept) to out, or
 * only counts when out is NULL. The encoded length. */
static size_t
escape(char *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (is_unreserved(c)) {
			if (out != NULL)
				out[n] = (char)c;
			n++;
			continue;
		}
		if (out != NULL) {
			out[n] = '%';
			out[n + 1] = hex[c >> 4];
			out[n + 2] = hex[c & 15];
		}
		n += 3;
	}
	return n;
}

int
pv_net_escape_segment(char *out, size_t outlen, const char *s)
{
	size_t n;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	n = escape(NULL, s);
	if (n >= outlen)
		return -1;
	escape(out, s);
	out[n] = '\0';
	return 0;
}

char *
pv_net_url_with_query(const char *url, const char *const *pairs)
{
	size_t need, i, o;
	const char *sep;
	char *out;

	/* A fragment would have to stay last; no endpoint this is for has
	 * one (RFC 6749 3.1 forbids it for authorization endpoints). */
	if (url == NULL || strchr(url, '#') != NULL)
		return NULL;
	need = strlen(url) + 1;
	for (i = 0; pairs[i] != NULL && pairs[i + 1] != NULL; i += 2) {
		need += strlen(pairs[i]) + escape(NULL, pairs[i + 1]) + 2;
		if (need > PV_NET_MAX_URL)
			return NULL;
	}
	out = malloc(need);
	if (out == NULL)
		return NULL;
	o = strlen(url);
	memcpy(out, url, o);
	/* Appended to a query the URL already has, or a new one. */
	sep = strchr(url, '?') == NULL ? "?"
	      : (url[o - 1] == '?' || url[o - 1] == '&') ? "" : "&";
	for (i = 0; pairs[i] != NULL && pairs[i + 1] != NULL; i += 2) {
		size_t nl = strlen(pairs[i]);

		if (*sep != '\0')
			out[o++] = *sep;
		memcpy(out + o, pairs[i], nl);
		o += nl;
		out[o++] = '=';
		o += escape(out + o, pairs[i + 1]);
		sep = "&";
	}
	out[o] = '\0';
	return out;
}

char *
pv_net_unescape(const char *s, size_t len)
{
	char *out = malloc(len + 1);
	size_t i, o = 0;

	if (out == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		uint8_t byte;

		/* A '%' without two hex digits stays as it is, as in
		 * libcurl's curl_easy_unescape. */
		if (s[i] == '%' && i + 2 < len &&
		    pv_hex_decode(&byte, 1, s + i + 1, 2) == 0) {
			out[o] = (char)byte;
			i += 2;
		} else {
			out[o] = s[i];
		}
		/* A NUL would silently cut the value. */
		if (out[o] == '\0') {
			free(out);
			return NULL;
		}
		o++;
	}
	out[o] = '\0';
	return out;
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

void
pv_net_url_for_msg(char *out, size_t outlen, const char *url)
{
	const char *p, *sep, *stop;
	size_t o = 0;

	if (out == NULL || outlen == 0)
		return;
	out[0] = '\0';
	if (url == NULL)
		return;
	p = url;
	sep = strstr(url, "://");
	if (sep != NULL) {
		/* Everything up to the last '@' of the authority could be a
		 * user name and password: it goes. */
		const char *auth = sep + 3;
		const char *end = auth + strcspn(auth, "/?#");
		const char *at = NULL, *q;

		for (q = auth; q < end; q++)
			if (*q == '@')
				at = q;
		if (at != NULL) {
			for (; p < auth && o + 1 < outlen; p++)
				out[o++] = *p;
			p = at + 1;
		}
		stop = end + strcspn(end, "?#");
	} else {
		stop = url + strcspn(url, "?#");
	}
	/* Query and fragment may carry tokens or codes: they go too. */
	for (; p < stop && o + 1 < outlen; p++)
		out[o++] = ((unsigned char)*p < 0x20 || *p == 0x7f) ? '?' : *p;
	out[o] = '\0';
}
