/* sigstore_cache.c - the on-disk side of a Sigstore TUF repository: the
 * refresh stamp, the lock that keeps two processes from refreshing one
 * cache at once, and the bootstrap of an empty cache from a pinned root. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tuf/sigstore.h"

int
pv_sigstore_stamp_read(const pv_sigstore_repo *r, int64_t *t, char sha256[65])
{
	uint8_t *buf = NULL;
	size_t len = 0, i;
	const char *sp;
	uint64_t v;
	char why[256];
	int ok;

	if (pv_file_read(&buf, &len, r->stamp, PV_FILE_NOFOLLOW, 128, NULL,
	                 why, sizeof(why)) != 0)
		return -1;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	sp = memchr(buf, ' ', len);
	ok = sp != NULL && len - (size_t)(sp + 1 - (const char *)buf) == 64 &&
	     pv_parse_u64(&v, (const char *)buf,
	                  (size_t)(sp - (const char *)buf)) == 0 &&
	     v <= (uint64_t)INT64_MAX;
	for (i = 0; ok && i < 64; i++) {
		char c = sp[1 + i];
		ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
	}
	if (ok) {
		memcpy(sha256, sp + 1, 64);
		sha256[64] = '\0';
		*t = (int64_t)v;
	}
	free(buf);
	return ok ? 0 : -1;
}

int
pv_sigstore_stamp_write(const pv_sigstore_repo *r, int64_t t,
                        const char *sha256)
{
	char buf[128];
	int n = snprintf(buf, sizeof(buf), "%lld %s\n", (long long)t, sha256);

	if (n < 0 || (size_t)n >= sizeof(buf))
		return -1;
	return pv_file_write_atomic(r->stamp, buf, (size_t)n, 0644);
}

int
pv_sigstore_lock(const pv_sigstore_repo *r, int exclusive)
{
	int fd = open(r->lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);

	if (fd < 0)
		return -1;
	while (flock(fd, exclusive ? LOCK_EX : LOCK_SH) != 0) {
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

void
pv_sigstore_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* releases the flock */
}

int
pv_sigstore_have_root(const pv_sigstore_repo *r)
{
	char path[PYVERIFY_TUF_PATH_MAX + 16];
	struct stat st;

	snprintf(path, sizeof(path), "%s/root.json", r->metadata_dir);
	return lstat(path, &st) == 0;
}

/* Downloads <url>/<N>.root.json and accepts it only when its SHA-256 is
 * the pinned one: the digest is checked before the bytes are parsed or
 * written anywhere, so a tampered mirror cannot become the trust anchor. */
static int
fetch_pinned(const pv_sigstore_repo *r, uint8_t **out, size_t *len,
             pyverify_error *err)
{
	char url[PYVERIFY_TUF_PATH_MAX + 32], why[PYVERIFY_ERROR_MSG_SIZE];
	char hex[65];
	uint8_t digest[32];
	int rc;

	snprintf(url, sizeof(url), "%s/%llu.root.json", r->url,
	         (unsigned long long)r->pin.version);
	rc = pv_net_get(&r->net, url, PV_MAX_TUF_ROOT_BYTES, out, len, why,
	                sizeof(why));
	if (rc == PV_NET_ENOMEM)
		return pv_fail(err, PYVERIFY_ENOMEM, PYVERIFY_STEP_TRUST_UPDATE,
		               "out of memory fetching %s", url);
	if (rc != PV_NET_OK)
		return pv_fail(err, PYVERIFY_EIO, PYVERIFY_STEP_TRUST_UPDATE,
		               "bootstrap root: %s", why);
	if (pv_sha256(digest, *out, *len) != 0) {
		free(*out);
		*out = NULL;
		return pv_fail(err, PYVERIFY_EINTERNAL,
		               PYVERIFY_STEP_TRUST_UPDATE, "SHA-256 failed");
	}
	pv_hex_encode(hex, digest, sizeof(digest));
	if (strcmp(hex, r->pin.sha256) != 0) {
		free(*out);
		*out = NULL;
		return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_TRUST_UPDATE,
		               "bootstrap root %s has SHA-256 %s, but pyverify "
		               "pins %s for it; refusing to trust this "
		               "repository (a tampered mirror or proxy?)",
		               url, hex, r->pin.sha256);
	}
	return 0;
}

int
pv_sigstore_bootstrap(const pv_sigstore_repo *r, pyverify_error *err)
{
	char why[PYVERIFY_ERROR_MSG_SIZE];
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if (pv_sigstore_have_root(r))
		return 0;
	if (r->root_file != NULL) {
		rc = pv_file_read(&buf, &len, r->root_file, 0,
		                  PV_MAX_TUF_ROOT_BYTES, "TUF root", why,
		                  sizeof(why));
		if (rc != 0)
			return pv_fail(err, rc, PYVERIFY_STEP_TRUST_UPDATE,
			               "%s", why);
	} else if (r->pin.url != NULL) {
		PV_TRY(fetch_pinned(r, &buf, &len, err));
	} else
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_TRUST_UPDATE,
		               "no trusted TUF root for %s: name the "
		               "repository's initial root.json (--tuf-root "
		               "FILE, $PYVERIFY_TUF_ROOT)", r->url);
	if (pv_mkdir_p(r->metadata_dir, 0755) != 0) {
		free(buf);
		return pv_fail(err, PYVERIFY_EIO, PYVERIFY_STEP_TRUST_UPDATE,
		               "cannot create %s: %s", r->metadata_dir,
		               strerror(errno));
	}
	rc = pv_tuf_init_dir(r->metadata_dir, buf, len, why, sizeof(why));
	free(buf);
	if (rc != PV_TUF_OK)
		return pv_fail(err, rc == PV_TUF_ENOMEM ? PYVERIFY_ENOMEM
		                                        : PYVERIFY_EIO,
		               PYVERIFY_STEP_TRUST_UPDATE,
		               "cannot start the TUF cache %s: %s",
		               r->metadata_dir, why);
	return 1;
}
