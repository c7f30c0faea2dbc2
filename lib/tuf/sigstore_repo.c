/* sigstore_repo.c - which TUF repository the options name, its pinned
 * bootstrap root, and where its cache lives. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tuf/sigstore.h"

/* The digests of published roots (sigstore/root-signing's root_history),
 * the same files as ../shared/testdata/sigstore/{production,staging}
 * .root.json; a test checks them against those files. Pinning a digest
 * rather than embedding the file keeps the trust anchor reviewable in one
 * line, and the client rotates forward from it on first use. */
const pv_sigstore_pin pv_sigstore_builtin[2] = {
	{ PV_SIGSTORE_PRODUCTION_URL, 15,
	  "73747011d0857ada15479a16c4cae0f3ed03aac698b523b97e1de314ac9d9ca8" },
	{ PV_SIGSTORE_STAGING_URL, 14,
	  "353d172f05f9e73b4a647b1a464f16726d929cbfd030cc42bffb86cd742fb61f" },
};

static int
copy_str(char *out, size_t outlen, const char *s)
{
	size_t n = strlen(s);

	if (n >= outlen)
		return -1;
	memcpy(out, s, n + 1);
	return 0;
}

int
pv_sigstore_repo_name(char *out, size_t outlen, const char *url)
{
	const char *host = strstr(url, "://");
	uint8_t digest[32];
	char hex[65];
	size_t i, n = 0;

	host = host != NULL ? host + 3 : url;
	if (pv_sha256(digest, url, strlen(url)) != 0)
		return -1;
	pv_hex_encode(hex, digest, 8);
	/* The host keeps the directory recognisable; the hash keeps two URLs
	 * on one host (ports, paths) apart and makes the name safe whatever
	 * the URL holds. */
	for (i = 0; host[i] != '\0' && host[i] != '/' && n < 64; i++) {
		char c = host[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		         (c >= '0' && c <= '9') || c == '.' || c == '-';
		if (n + 1 >= outlen)
			return -1;
		out[n++] = ok ? c : '_';
	}
	if (n == 0 || out[0] == '.') {
		if (n + 1 >= outlen)
			return -1;
		memmove(out + 1, out, n);
		out[0] = '_';
		n++;
	}
	if (snprintf(out + n, outlen - n, "-%s", hex) >= (int)(outlen - n))
		return -1;
	return 0;
}

static int
default_cache_base(char *out, size_t outlen, pyverify_error *err)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	int n;

	/* The XDG spec says a relative value is invalid and to be ignored. */
	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(out, outlen, "%s/pyverify/tuf", xdg);
	else if (home != NULL && home[0] == '/')
		n = snprintf(out, outlen, "%s/.cache/pyverify/tuf", home);
	else
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_TRUST_UPDATE,
		               "no cache directory for TUF metadata: set "
		               "XDG_CACHE_HOME or HOME, or name a cache "
		               "directory");
	if (n < 0 || (size_t)n >= outlen)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_TRUST_UPDATE,
		               "cache directory path is too long");
	return 0;
}

static int
join_path(char *out, size_t outlen, const char *dir, const char *name)
{
	int n = snprintf(out, outlen, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int
pv_sigstore_resolve(pv_sigstore_repo *r, const pyverify_tuf_options *o,
                    const pv_sigstore_pin *pins, size_t npins,
                    pyverify_error *err)
{
	char base[PYVERIFY_TUF_PATH_MAX], name[128], why[512];
	size_t i, n;

	memset(r, 0, sizeof(*r));
	if (o == NULL)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_TRUST_UPDATE,
		               "no TUF options");
	if (o->url != NULL && o->url[0] != '\0') {
		if (copy_str(r->url, sizeof(r->url), o->url) != 0)
			return pv_fail(err, PYVERIFY_EUSAGE,
			               PYVERIFY_STEP_TRUST_UPDATE,
			               "TUF repository URL is too long");
	} else {
		const pv_sigstore_pin *d = &pv_sigstore_builtin[o->staging ? 1 : 0];
		if (copy_str(r->url, sizeof(r->url), d->url) != 0)
			return pv_fail(err, PYVERIFY_EINTERNAL,
			               PYVERIFY_STEP_TRUST_UPDATE, "URL");
		r->pin = *d;
	}
	n = strlen(r->url);
	while (n > 0 && r->url[n - 1] == '/')
		r->url[--n] = '\0';
	if (n == 0)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_TRUST_UPDATE,
		               "empty TUF repository URL");
	/* Refused here already, so a bad URL never creates a cache. */
	if (pv_net_url_allowed(r->url, o->allow_http, why, sizeof(why)) != 0)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_TRUST_UPDATE,
		               "TUF repository %s", why);
	if (r->pin.url == NULL && o->root_file == NULL) {
		for (i = 0; i < npins; i++)
			if (pins[i].url != NULL &&
			    strcmp(pins[i].url, r->url) == 0)
				r->pin = pins[i];
	}
	if (o->root_file != NULL && o->root_file[0] != '\0') {
		r->root_file = o->root_file;
		memset(&r->pin, 0, sizeof(r->pin));
	}
	if (o->cache_dir != NULL && o->cache_dir[0] != '\0') {
		if (copy_str(base, sizeof(base), o->cache_dir) != 0)
			return pv_fail(err, PYVERIFY_EUSAGE,
			               PYVERIFY_STEP_TRUST_UPDATE,
			               "cache directory path is too long");
	} else
		PV_TRY(default_cache_base(base, sizeof(base), err));
	if (pv_sigstore_repo_name(name, sizeof(name), r->url) != 0 ||
	    join_path(r->dir, sizeof(r->dir), base, name) != 0 ||
	    join_path(r->metadata_dir, sizeof(r->metadata_dir), r->dir,
	              "metadata") != 0 ||
	    join_path(r->targets_dir, sizeof(r->targets_dir), r->dir,
	              "targets") != 0 ||
	    join_path(r->trusted_root_file, sizeof(r->trusted_root_file),
	              r->targets_dir, PV_SIGSTORE_TRUSTED_ROOT) != 0 ||
	    join_path(r->signing_config_file, sizeof(r->signing_config_file),
	              r->targets_dir, PV_SIGSTORE_SIGNING_CONFIG) != 0 ||
	    join_path(r->stamp, sizeof(r->stamp), r->dir, "refreshed") != 0 ||
	    join_path(r->lock, sizeof(r->lock), r->dir, "lock") != 0)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_TRUST_UPDATE,
		               "cache directory path is too long");
	r->now = o->now != 0 ? o->now : (int64_t)time(NULL);
	r->max_age = o->max_age == 0 ? PYVERIFY_TUF_DEFAULT_MAX_AGE
	                             : o->max_age;
	r->net.ca_bundle = o->ca_bundle;
	r->net.allow_http = o->allow_http;
	return 0;
}

void
pv_sigstore_format_age(char *out, size_t outlen, int64_t s)
{
	int64_t d = s / 86400, h = (s % 86400) / 3600, m = (s % 3600) / 60;

	if (s < 60)
		snprintf(out, outlen, "less than a minute");
	else if (d > 0 && h > 0)
		snprintf(out, outlen, "%lld day%s %lld hour%s", (long long)d,
		         d == 1 ? "" : "s", (long long)h, h == 1 ? "" : "s");
	else if (d > 0)
		snprintf(out, outlen, "%lld day%s", (long long)d,
		         d == 1 ? "" : "s");
	else if (h > 0)
		snprintf(out, outlen, "%lld hour%s %lld minute%s",
		         (long long)h, h == 1 ? "" : "s", (long long)m,
		         m == 1 ? "" : "s");
	else
		snprintf(out, outlen, "%lld minute%s", (long long)m,
		         m == 1 ? "" : "s");
}
