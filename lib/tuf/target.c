/*
 * tuf/target.c - a target's bytes: from the target cache when a copy
 * there matches the trusted length and hashes, else downloaded with the
 * listed length as the hard limit (5.7), checked, and cached.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tuf/tuf_impl.h"

void
pv_tuf_target_clear(pv_tuf_target *t)
{
	if (t == NULL)
		return;
	free(t->path);
	json_decref(t->custom);
	memset(t, 0, sizeof(*t));
}

int
pv_tuf_target_matches(const pv_tuf_target *t, const uint8_t *buf, size_t len,
                      char *why, size_t whylen)
{
	char what[300];

	snprintf(what, sizeof(what), "target %.250s", t->path ? t->path : "?");
	if ((uint64_t)len != t->length) {
		TUF_WHY(why, whylen, "%s is %zu bytes, not the %llu bytes the "
		        "trusted targets metadata lists", what, len,
		        (unsigned long long)t->length);
		return PV_TUF_EREJECT;
	}
	if (t->nhashes == 0) {
		TUF_WHY(why, whylen, "%s has no trusted hash", what);
		return PV_TUF_EREJECT;
	}
	return tuf_check_hashes(t, t->length, buf, len, what, why, whylen);
}

/* The URL of the target: <base>/<dir>/[<hash>.]<basename>, each path
 * segment percent-encoded. */
static int
target_url(char *out, size_t outlen, const char *base, const char *path,
           const char *hashprefix)
{
	char seg[1024];
	size_t n;
	const char *p = path;

	n = (size_t)snprintf(out, outlen, "%s", base);
	if (n >= outlen)
		return -1;
	while (n > 0 && out[n - 1] == '/')
		out[--n] = '\0';
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t sl = slash ? (size_t)(slash - p) : strlen(p);
		char raw[1024];
		int w;

		if (sl >= sizeof(raw))
			return -1;
		memcpy(raw, p, sl);
		raw[sl] = '\0';
		if (pv_net_escape_segment(seg, sizeof(seg), raw) != 0)
			return -1;
		if (slash == NULL && hashprefix != NULL)
			w = snprintf(out + n, outlen - n, "/%s.%s", hashprefix,
			             seg);
		else
			w = snprintf(out + n, outlen - n, "/%s", seg);
		if (w < 0 || (size_t)w >= outlen - n)
			return -1;
		n += (size_t)w;
		if (slash == NULL)
			return 0;
		p = slash + 1;
	}
}

static int
cached(pv_tuf_client *c, const pv_tuf_target *t, const char *path,
       uint8_t **out, size_t *len)
{
	uint8_t *buf = NULL;
	size_t n = 0;
	char why[256];

	if (pv_file_read(&buf, &n, path, 0, (size_t)t->length + 1,
	                 "cached target", why, sizeof(why)) != 0)
		return -1;
	if (pv_tuf_target_matches(t, buf, n, why, sizeof(why)) != 0) {
		free(buf);
		return -1;
	}
	(void)c;
	*out = buf;
	*len = n;
	return 0;
}

int
pv_tuf_target_fetch(pv_tuf_client *c, const pv_tuf_target *t, uint8_t **out,
                    size_t *len, char *why, size_t whylen)
{
	char local[4096], url[4096], hex[129];
	uint8_t *buf = NULL;
	size_t n = 0;
	int rc = PV_NET_ENOTFOUND, have_local = 0, asked = 0;

	*out = NULL;
	*len = 0;
	if (t == NULL || t->path == NULL) {
		TUF_WHY(why, whylen, "no target given");
		return PV_TUF_EUSAGE;
	}
	if (t->length > PV_MAX_TUF_TARGET_BYTES) {
		TUF_WHY(why, whylen, "target %.200s is listed as %llu bytes, "
		        "more than the %u this client accepts", t->path,
		        (unsigned long long)t->length,
		        (unsigned)PV_MAX_TUF_TARGET_BYTES);
		return PV_TUF_EREJECT;
	}
	if (c->targets_dir != NULL) {
		if (tuf_local_path(local, sizeof(local), c->targets_dir,
		                   t->path, "") != 0) {
			TUF_WHY(why, whylen, "target path %.200s is too long",
			        t->path);
			return PV_TUF_EUSAGE;
		}
		have_local = 1;
		if (cached(c, t, local, out, len) == 0)
			return 0;
	}
	if (c->cfg.offline) {
		TUF_WHY(why, whylen, "offline: target %.200s is not in the "
		        "target cache", t->path);
		return PV_TUF_ENOTFOUND;
	}
	if (c->targets_url == NULL) {
		TUF_WHY(why, whylen, "no targets URL configured");
		return PV_TUF_EUSAGE;
	}
	/* With consistent snapshots each listed hash names a copy; a
	 * repository may publish only some of them. */
	for (size_t i = 0; rc == PV_NET_ENOTFOUND && i <= t->nhashes; i++) {
		const char *prefix = NULL;

		if (c->root->consistent_snapshot) {
			if (i == t->nhashes)
				break;
			if (t->hashes[i].len == 0)
				continue;
			pv_hex_encode(hex, t->hashes[i].digest,
			              t->hashes[i].len);
			prefix = hex;
		} else if (i > 0) {
			break;
		}
		if (target_url(url, sizeof(url), c->targets_url, t->path,
		               prefix) != 0) {
			TUF_WHY(why, whylen, "the URL of target %.200s is too "
			        "long", t->path);
			return PV_TUF_EUSAGE;
		}
		rc = pv_net_get(&c->cfg.net, url, (size_t)t->length, &buf, &n,
		                why, whylen);
		asked = 1;
	}
	if (rc == PV_NET_ENOTFOUND && !asked) {
		TUF_WHY(why, whylen, "target %.200s lists no hash of a known "
		        "algorithm, so no consistent-snapshot copy can be named",
		        t->path);
		return PV_TUF_EREJECT;
	}
	if (rc == PV_NET_ENOTFOUND)
		return PV_TUF_ENET;
	if (rc != 0)
		return tuf_net_code(rc);
	rc = pv_tuf_target_matches(t, buf, n, why, whylen);
	if (rc == 0 && have_local &&
	    (pv_mkdir_p(c->targets_dir, 0755) != 0 ||
	     pv_file_write_atomic(local, buf, n, 0644) != 0)) {
		TUF_WHY(why, whylen, "cannot store target %.200s in %s: %s",
		        t->path, c->targets_dir, strerror(errno));
		rc = PV_TUF_EIO;
	}
	if (rc != 0) {
		free(buf);
		return rc;
	}
	*out = buf;
	*len = n;
	return 0;
}
