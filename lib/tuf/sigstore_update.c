/* sigstore_update.c - keeping a Sigstore trusted root current: refresh
 * from the repository, load the cache without the network, and the
 * cache-or-refresh decision verification uses (pyverify_tuf_*). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tuf/sigstore.h"

static pyverify_status
status_of(int tuf_rc)
{
	switch (tuf_rc) {
	case PV_TUF_OK: return PYVERIFY_OK;
	case PV_TUF_ENET: return PYVERIFY_EIO;
	case PV_TUF_EIO: return PYVERIFY_EIO;
	case PV_TUF_ENOMEM: return PYVERIFY_ENOMEM;
	case PV_TUF_EUSAGE: return PYVERIFY_EUSAGE;
	default: return PYVERIFY_EREJECT;
	}
}

static void
copy_trunc(char *out, size_t outlen, const char *s)
{
	size_t n = strlen(s);

	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

static void
info_init(pyverify_tuf_info *info, const pv_sigstore_repo *r)
{
	char sha[65];

	memset(info, 0, sizeof(*info));
	copy_trunc(info->url, sizeof(info->url), r->url);
	copy_trunc(info->cache_dir, sizeof(info->cache_dir), r->dir);
	if (pv_sigstore_stamp_read(r, &info->last_refresh, sha) != 0)
		info->last_refresh = 0;
}

static void
copy_role(pyverify_tuf_role_info *out, const pv_tuf_role_state *s)
{
	out->present = s->present;
	out->version = s->version;
	out->expires = s->expires;
}

static void
info_state(pyverify_tuf_info *info, const pv_tuf_client *c)
{
	pv_tuf_state st;

	pv_tuf_get_state(c, &st);
	copy_role(&info->root, &st.root);
	copy_role(&info->timestamp, &st.timestamp);
	copy_role(&info->snapshot, &st.snapshot);
	copy_role(&info->targets, &st.targets);
}

static void
config_for(pv_tuf_config *cfg, const pv_sigstore_repo *r, int offline)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->metadata_dir = r->metadata_dir;
	cfg->metadata_url = r->url;
	cfg->targets_dir = r->targets_dir;
	cfg->net = r->net;
	cfg->now = r->now;
	cfg->offline = offline;
}

static int
get_target(pv_tuf_client *c, const char *name, uint8_t **out, size_t *len,
           char *why, size_t whylen)
{
	pv_tuf_target t;
	int rc;

	memset(&t, 0, sizeof(t));
	rc = pv_tuf_target_info(c, name, &t, why, whylen);
	if (rc != PV_TUF_OK)
		return rc;
	rc = pv_tuf_target_fetch(c, &t, out, len, why, whylen);
	pv_tuf_target_clear(&t);
	return rc;
}

static int
sha256_hex(char out[65], const uint8_t *buf, size_t len)
{
	uint8_t d[32];

	if (pv_sha256(d, buf, len) != 0)
		return -1;
	pv_hex_encode(out, d, sizeof(d));
	return 0;
}

/* After the metadata is trusted (refreshed, or loaded offline): the
 * trusted root's bytes (*root, may be NULL), the signing config's
 * presence, and info. */
static int
collect(pv_tuf_client *c, const pv_sigstore_repo *r, pyverify_tuf_info *info,
        int offline, uint8_t **root, size_t *rootlen, pyverify_error *err)
{
	char why[PYVERIFY_ERROR_MSG_SIZE];
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	rc = get_target(c, PV_SIGSTORE_TRUSTED_ROOT, &buf, &len, why,
	                sizeof(why));
	if (rc == PV_TUF_ENOTFOUND && !offline)
		return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_TRUST_UPDATE,
		               "TUF repository %s lists no %s: %s", r->url,
		               PV_SIGSTORE_TRUSTED_ROOT, why);
	if (rc != PV_TUF_OK)
		return pv_fail(err, status_of(rc), PYVERIFY_STEP_TRUST_UPDATE,
		               "%s from %s: %s", PV_SIGSTORE_TRUSTED_ROOT,
		               offline ? "the TUF cache" : r->url, why);
	if (sha256_hex(info->trusted_root_sha256, buf, len) != 0) {
		free(buf);
		return pv_fail(err, PYVERIFY_EINTERNAL,
		               PYVERIFY_STEP_TRUST_UPDATE, "SHA-256 failed");
	}
	copy_trunc(info->trusted_root_path, sizeof(info->trusted_root_path),
	           r->trusted_root_file);
	if (root != NULL) {
		*root = buf;
		*rootlen = len;
	} else
		free(buf);
	buf = NULL;
	rc = get_target(c, PV_SIGSTORE_SIGNING_CONFIG, &buf, &len, why,
	                sizeof(why));
	free(buf);
	if (rc == PV_TUF_OK)
		copy_trunc(info->signing_config_path,
		           sizeof(info->signing_config_path),
		           r->signing_config_file);
	else if (rc != PV_TUF_ENOTFOUND && !offline) {
		/* A listed target that fails its checks is refused like any
		 * other metadata failure; offline it is merely not cached. */
		if (root != NULL) {
			free(*root);
			*root = NULL;
		}
		return pv_fail(err, status_of(rc), PYVERIFY_STEP_TRUST_UPDATE,
		               "%s from %s: %s", PV_SIGSTORE_SIGNING_CONFIG,
		               r->url, why);
	}
	return 0;
}

static int
do_update(const pv_sigstore_repo *r, pyverify_tuf_info *info, uint8_t **root,
          size_t *rootlen, pyverify_error *err)
{
	char why[PYVERIFY_ERROR_MSG_SIZE], path[PYVERIFY_TUF_PATH_MAX + 16];
	pv_tuf_client *c = NULL;
	pv_tuf_config cfg;
	uint8_t *buf = NULL;
	size_t len = 0;
	int lock, boot, rc;

	if (pv_mkdir_p(r->dir, 0755) != 0)
		return pv_fail(err, PYVERIFY_EIO, PYVERIFY_STEP_TRUST_UPDATE,
		               "cannot create the TUF cache %s: %s", r->dir,
		               strerror(errno));
	lock = pv_sigstore_lock(r, 1);
	if (lock < 0)
		return pv_fail(err, PYVERIFY_EIO, PYVERIFY_STEP_TRUST_UPDATE,
		               "cannot lock the TUF cache %s: %s", r->lock,
		               strerror(errno));
	boot = pv_sigstore_bootstrap(r, err);
	if (boot < 0) {
		rc = boot;
		goto out;
	}
	config_for(&cfg, r, 0);
	rc = pv_tuf_open(&c, &cfg, why, sizeof(why));
	if (rc != PV_TUF_OK) {
		/* A bootstrap root that does not even sign itself must not
		 * stay behind as if it had been trusted. */
		if (boot == 1) {
			snprintf(path, sizeof(path), "%s/root.json",
			         r->metadata_dir);
			(void)unlink(path);
		}
		rc = pv_fail(err, status_of(rc), PYVERIFY_STEP_TRUST_UPDATE,
		             "TUF root of %s in %s is not usable: %s", r->url,
		             r->metadata_dir, why);
		goto out;
	}
	rc = pv_tuf_refresh(c, why, sizeof(why));
	info_state(info, c);
	if (rc != PV_TUF_OK) {
		rc = pv_fail(err, status_of(rc), PYVERIFY_STEP_TRUST_UPDATE,
		             "refreshing TUF metadata from %s: %s", r->url,
		             why);
		goto out;
	}
	rc = collect(c, r, info, 0, &buf, &len, err);
	if (rc != 0)
		goto out;
	if (pv_sigstore_stamp_write(r, r->now, info->trusted_root_sha256) !=
	    0) {
		rc = pv_fail(err, PYVERIFY_EIO, PYVERIFY_STEP_TRUST_UPDATE,
		             "cannot write %s: %s", r->stamp, strerror(errno));
		goto out;
	}
	info->refreshed = 1;
	info->last_refresh = r->now;
	if (root != NULL) {
		*root = buf;
		*rootlen = len;
		buf = NULL;
	}
out:
	free(buf);
	pv_tuf_free(c);
	pv_sigstore_unlock(lock);
	return rc;
}

/* The stamp records the digest of the trusted root the last complete
 * refresh verified: when a later refresh failed half-way (a new timestamp
 * persisted, its snapshot never arrived), the cached chain no longer
 * loads as one consistent set, yet the file the stamp vouches for is
 * still the last good trusted root. */
static int
load_stamped(const pv_sigstore_repo *r, pyverify_tuf_info *info,
             uint8_t **root, size_t *rootlen)
{
	char sha[65], got[65], why[256];
	const char *path = r->trusted_root_file;
	int64_t t;
	uint8_t *buf = NULL;
	size_t len = 0;

	if (pv_sigstore_stamp_read(r, &t, sha) != 0)
		return -1;
	if (pv_file_read(&buf, &len, path, PV_FILE_NOFOLLOW,
	                 PV_MAX_TUF_TARGET_BYTES, NULL, why, sizeof(why)) != 0)
		return -1;
	if (sha256_hex(got, buf, len) != 0 || strcmp(got, sha) != 0) {
		free(buf);
		return -1;
	}
	memcpy(info->trusted_root_sha256, sha, sizeof(sha));
	copy_trunc(info->trusted_root_path, sizeof(info->trusted_root_path),
	           path);
	if (root != NULL) {
		*root = buf;
		*rootlen = len;
	} else
		free(buf);
	return 0;
}

/* The cached chain checked without the network (signatures, versions,
 * hashes; not expiry) and the cached targets against it: 0. When that
 * fails, the trusted root the stamp vouches for: 1. Else an error. */
static int
load_cached(const pv_sigstore_repo *r, pyverify_tuf_info *info, uint8_t **root,
            size_t *rootlen, pyverify_error *err)
{
	char why[PYVERIFY_ERROR_MSG_SIZE];
	pv_tuf_client *c = NULL;
	pv_tuf_config cfg;
	int lock, rc;

	if (!pv_sigstore_have_root(r))
		return pv_fail(err, PYVERIFY_EIO, PYVERIFY_STEP_TRUST_UPDATE,
		               "nothing is cached for TUF repository %s (in "
		               "%s)", r->url, r->dir);
	/* Shared, so a concurrent refresh does not swap files under the
	 * check; a read-only cache is read without the lock. */
	lock = pv_sigstore_lock(r, 0);
	config_for(&cfg, r, 1);
	rc = pv_tuf_open(&c, &cfg, why, sizeof(why));
	if (rc == PV_TUF_OK) {
		rc = pv_tuf_refresh(c, why, sizeof(why));
		info_state(info, c);
	}
	if (rc != PV_TUF_OK)
		rc = pv_fail(err, status_of(rc), PYVERIFY_STEP_TRUST_UPDATE,
		             "cached TUF metadata of %s (in %s) does not check "
		             "out: %s", r->url, r->metadata_dir, why);
	else
		rc = collect(c, r, info, 1, root, rootlen, err);
	if (rc != 0 && load_stamped(r, info, root, rootlen) == 0) {
		pv_error_clear(err);
		rc = 1;
	}
	pv_tuf_free(c);
	pv_sigstore_unlock(lock);
	return rc;
}

static int
load_root(pyverify_trust_root **out, const pyverify_tuf_info *info,
          uint8_t *buf, size_t len, pyverify_error *err)
{
	int rc = pyverify_trust_root_load_memory(out, buf, len,
	                                         info->trusted_root_path, err);

	free(buf);
	return rc;
}

int
pv_sigstore_update(pyverify_tuf_info *info, const pyverify_tuf_options *o,
                   const pv_sigstore_pin *pins, size_t npins,
                   pyverify_error *err)
{
	pyverify_tuf_info local;
	pv_sigstore_repo r;

	pv_error_clear(err);
	if (info == NULL)
		info = &local;
	memset(info, 0, sizeof(*info));
	PV_TRY(pv_sigstore_resolve(&r, o, pins, npins, err));
	info_init(info, &r);
	if (o->offline)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_TRUST_UPDATE,
		               "a trust update needs the network, but offline "
		               "operation was asked for");
	return do_update(&r, info, NULL, NULL, err);
}

int
pv_sigstore_status(pyverify_tuf_info *info, const pyverify_tuf_options *o,
                   const pv_sigstore_pin *pins, size_t npins,
                   pyverify_error *err)
{
	pyverify_tuf_info local;
	pv_sigstore_repo r;
	int rc;

	pv_error_clear(err);
	if (info == NULL)
		info = &local;
	memset(info, 0, sizeof(*info));
	PV_TRY(pv_sigstore_resolve(&r, o, pins, npins, err));
	info_init(info, &r);
	if (!pv_sigstore_have_root(&r))
		return 0;
	rc = load_cached(&r, info, NULL, NULL, err);
	return rc < 0 ? rc : 0;
}

/* Whether the last refresh is recent enough, from the stamp alone (read
 * by info_init), so that a stale cache is not verified only to be
 * refreshed anyway. A stamp from the future (a clock set back) proves
 * nothing about age. */
static int
stamp_is_young(const pv_sigstore_repo *r, const pyverify_tuf_info *info)
{
	return r->max_age > 0 && info->last_refresh != 0 &&
	       info->last_refresh <= r->now &&
	       r->now - info->last_refresh < r->max_age;
}

int
pv_sigstore_trust_root(pyverify_trust_root **out, pyverify_tuf_info *info,
                       const pyverify_tuf_options *o,
                       const pv_sigstore_pin *pins, size_t npins,
                       pyverify_error *err)
{
	pyverify_tuf_info local;
	pyverify_error cache_err;
	pv_sigstore_repo r;
	uint8_t *buf = NULL;
	size_t len = 0;
	char age[64];
	int rc;

	pv_error_clear(err);
	if (out == NULL)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_TRUST_UPDATE,
		               "no output");
	if (info == NULL)
		info = &local;
	memset(info, 0, sizeof(*info));
	PV_TRY(pv_sigstore_resolve(&r, o, pins, npins, err));
	info_init(info, &r);
	if (o->offline) {
		rc = load_cached(&r, info, &buf, &len, &cache_err);
		if (rc < 0)
			return pv_fail(err, cache_err.code,
			               PYVERIFY_STEP_TRUST_UPDATE,
			               "offline, and %s", cache_err.msg);
		return load_root(out, info, buf, len, err);
	}
	if (pv_sigstore_have_root(&r) && stamp_is_young(&r, info)) {
		rc = load_cached(&r, info, &buf, &len, &cache_err);
		/* Expired metadata is refreshed whatever the stamp says. */
		if (rc == 0 && info->timestamp.present &&
		    info->timestamp.expires > r.now)
			return load_root(out, info, buf, len, err);
		free(buf);
		buf = NULL;
	}
	rc = do_update(&r, info, &buf, &len, err);
	if (rc == 0)
		return load_root(out, info, buf, len, err);
	if (rc == PYVERIFY_ENOMEM)
		return rc;
	/* The last good trusted root beats none: TUF keeps it for exactly
	 * this case, and the warning says how old it is and why. */
	if (load_cached(&r, info, &buf, &len, &cache_err) >= 0) {
		if (info->last_refresh != 0 && info->last_refresh <= r.now)
			pv_sigstore_format_age(age, sizeof(age),
			                       r.now - info->last_refresh);
		else
			snprintf(age, sizeof(age), "an unknown time");
		/* Cut to fit: the warning stays one line. */
		int n = snprintf(info->warning, sizeof(info->warning),
		                 "could not refresh the trusted root (%.800s); "
		                 "using the one cached %s ago",
		                 err != NULL ? err->msg : "error", age);
		(void)n;
		pv_error_clear(err);
		return load_root(out, info, buf, len, err);
	}
	if (err != NULL) {
		char first[PYVERIFY_ERROR_MSG_SIZE];
		copy_trunc(first, sizeof(first), err->msg);
		return pv_fail(err, err->code, PYVERIFY_STEP_TRUST_UPDATE,
		               "no usable trusted root: %s; and none is cached "
		               "in %s", first, r.dir);
	}
	return rc;
}

int
pyverify_tuf_update(pyverify_tuf_info *info, const pyverify_tuf_options *opts,
                    pyverify_error *err)
{
	return pv_sigstore_update(info, opts, pv_sigstore_builtin, 2, err);
}

int
pyverify_tuf_trust_root(pyverify_trust_root **out, pyverify_tuf_info *info,
                        const pyverify_tuf_options *opts, pyverify_error *err)
{
	return pv_sigstore_trust_root(out, info, opts, pv_sigstore_builtin, 2,
	                              err);
}

int
pyverify_tuf_status(pyverify_tuf_info *info, const pyverify_tuf_options *opts,
                    pyverify_error *err)
{
	return pv_sigstore_status(info, opts, pv_sigstore_builtin, 2, err);
}
