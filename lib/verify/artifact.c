/* artifact.c - the artifact as its SHA-2 digests: streamed from a file (one
 * pass, however many digests), from memory, or given as "sha256:HEX",
 * "sha384:HEX" or "sha512:HEX". */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "verify/steps.h"

/* Large reads keep the syscall count low; 30 MB tarballs take 60 reads. */
#define READ_CHUNK (512u << 10)

#define N_ALGS 3

/* Where each digest lands in the artifact. */
static unsigned char *
slot(pyverify_artifact *a, const struct pv_digest_info *d)
{
	return d->alg == PV_HASH_SHA2_256   ? a->sha256
	       : d->alg == PV_HASH_SHA2_384 ? a->sha384
	                                    : a->sha512;
}

/* The PYVERIFY_DIGEST_* bits in `algs`, as contexts ready for updates. */
static int
start_digests(EVP_MD_CTX *ctx[N_ALGS], const struct pv_digest_info *d[N_ALGS],
              size_t *n, unsigned algs)
{
	unsigned bit;

	*n = 0;
	for (bit = PYVERIFY_DIGEST_SHA256; bit <= PYVERIFY_DIGEST_SHA512;
	     bit <<= 1) {
		if (!(algs & bit))
			continue;
		d[*n] = pv_digest_by_bit(bit);
		ctx[*n] = EVP_MD_CTX_new();
		if (d[*n] == NULL || ctx[*n] == NULL ||
		    EVP_DigestInit_ex(ctx[*n], pv_digest_md(d[*n]), NULL) != 1) {
			(*n)++;
			return -1;
		}
		(*n)++;
	}
	return *n == 0 ? -1 : 0;
}

static int
update_digests(EVP_MD_CTX *ctx[N_ALGS], size_t n, const void *p, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (EVP_DigestUpdate(ctx[i], p, len) != 1)
			return -1;
	return 0;
}

/* Writes every digest into out; out is untouched on failure. */
static int
finish_digests(EVP_MD_CTX *ctx[N_ALGS], const struct pv_digest_info *d[N_ALGS],
               size_t n, pyverify_artifact *out)
{
	pyverify_artifact tmp;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	size_t i;

	memset(&tmp, 0, sizeof(tmp));
	for (i = 0; i < n; i++) {
		mdlen = 0;
		if (EVP_DigestFinal_ex(ctx[i], md, &mdlen) != 1 ||
		    mdlen != d[i]->len)
			return -1;
		memcpy(slot(&tmp, d[i]), md, mdlen);
		tmp.digests |= d[i]->bit;
	}
	*out = tmp;
	return 0;
}

static void
free_digests(EVP_MD_CTX *ctx[N_ALGS], size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		EVP_MD_CTX_free(ctx[i]);
}

static int
hash_file(pyverify_artifact *out, const char *path, unsigned algs,
          pyverify_error *err)
{
	static __thread unsigned char buf[READ_CHUNK];
	EVP_MD_CTX *ctx[N_ALGS] = { NULL };
	const struct pv_digest_info *d[N_ALGS] = { NULL };
	size_t n_ctx = 0;
	struct stat st;
	int fd = -1, rc;

	if (out == NULL || path == NULL)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_ARTIFACT,
		               "no artifact path");
	{
		/* Regular files only, refused without blocking on a FIFO. */
		char why[PYVERIFY_ERROR_MSG_SIZE];
		rc = pv_file_open(&fd, &st, path, 0, "artifact", why,
		                  sizeof(why));
		if (rc != 0)
			return pv_fail(err, (pyverify_status)rc,
			               PYVERIFY_STEP_ARTIFACT, "%s", why);
	}
#ifdef POSIX_FADV_SEQUENTIAL
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	if (start_digests(ctx, d, &n_ctx, algs) != 0) {
		rc = pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_ARTIFACT,
		             "cannot start hashing the artifact");
		goto done;
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = pv_fail(err, PYVERIFY_EIO, PYVERIFY_STEP_ARTIFACT,
			             "cannot read artifact %s: %s", path,
			             strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		if (update_digests(ctx, n_ctx, buf, (size_t)n) != 0) {
			rc = pv_fail(err, PYVERIFY_EINTERNAL,
			             PYVERIFY_STEP_ARTIFACT,
			             "hashing the artifact failed");
			goto done;
		}
	}
	if (finish_digests(ctx, d, n_ctx, out) != 0) {
		rc = pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_ARTIFACT,
		             "hashing the artifact failed");
		goto done;
	}
	rc = 0;
done:
	free_digests(ctx, n_ctx);
	close(fd);
	return rc;
}

int
pyverify_artifact_from_file(pyverify_artifact *out, const char *path,
                            pyverify_error *err)
{
	return hash_file(out, path, PYVERIFY_DIGEST_SHA256, err);
}

int
pyverify_artifact_from_file_for(pyverify_artifact *out, const char *path,
                                const pyverify_bundle *bundle,
                                pyverify_error *err)
{
	if (bundle == NULL)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_ARTIFACT,
		               "no bundle to choose the artifact digest for");
	return hash_file(out, path, pyverify_bundle_digests(bundle), err);
}

int
pyverify_artifact_from_digest(pyverify_artifact *out, const char *digest,
                              pyverify_error *err)
{
	const struct pv_digest_info *d = NULL;
	const char *colon;
	pyverify_artifact tmp;

	if (out == NULL || digest == NULL)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_ARTIFACT,
		               "no digest");
	colon = strchr(digest, ':');
	if (colon != NULL)
		d = pv_digest_by_name(digest, (size_t)(colon - digest));
	memset(&tmp, 0, sizeof(tmp));
	if (d == NULL || strlen(colon + 1) != 2 * d->len ||
	    pv_hex_decode(slot(&tmp, d), d->len, colon + 1, 2 * d->len) != 0)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_ARTIFACT,
		               "a digest must be \"sha256:\", \"sha384:\" or "
		               "\"sha512:\" followed by 64, 96 or 128 "
		               "hexadecimal digits");
	tmp.digests = d->bit;
	*out = tmp;
	return 0;
}

int
pyverify_artifact_from_memory(pyverify_artifact *out, const void *buf,
                              size_t len, pyverify_error *err)
{
	EVP_MD_CTX *ctx[N_ALGS] = { NULL };
	const struct pv_digest_info *d[N_ALGS] = { NULL };
	size_t n = 0;
	int rc;

	if (out == NULL || (buf == NULL && len != 0))
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_ARTIFACT,
		               "no artifact");

	rc = start_digests(ctx, d, &n,
	                   PYVERIFY_DIGEST_SHA256 | PYVERIFY_DIGEST_SHA384 |
	                       PYVERIFY_DIGEST_SHA512) != 0 ||
	     update_digests(ctx, n, buf ? buf : "", len) != 0 ||
	     finish_digests(ctx, d, n, out) != 0;
	free_digests(ctx, n);
	if (rc)
		return pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_ARTIFACT,
		               "hashing the artifact failed");
	return 0;
}
