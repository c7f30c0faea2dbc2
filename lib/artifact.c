/* artifact.c - the artifact as a SHA-256 digest: streamed from a file, from
 * memory, or given as "sha256:HEX". */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "internal.h"

/* Large reads keep the syscall count low; 30 MB tarballs take 60 reads. */
#define READ_CHUNK (512u << 10)

int
pyverify_artifact_from_file(pyverify_artifact *out, const char *path,
                            pyverify_error *err)
{
	static __thread unsigned char buf[READ_CHUNK];
	EVP_MD_CTX *ctx = NULL;
	struct stat st;
	int fd = -1, rc;
	unsigned int mdlen = 0;
	unsigned char md[EVP_MAX_MD_SIZE];

	if (out == NULL || path == NULL)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_ARTIFACT,
		               "no artifact path");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pv_fail(err, PYVERIFY_EIO, PYVERIFY_STEP_ARTIFACT,
		               "cannot open artifact %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return pv_fail(err, PYVERIFY_EIO, PYVERIFY_STEP_ARTIFACT,
		               "artifact %s is not a regular file", path);
	}
#ifdef POSIX_FADV_SEQUENTIAL
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		rc = pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_ARTIFACT,
		             "cannot start SHA-256");
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
		if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1) {
			rc = pv_fail(err, PYVERIFY_EINTERNAL,
			             PYVERIFY_STEP_ARTIFACT, "SHA-256 failed");
			goto done;
		}
	}
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32) {
		rc = pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_ARTIFACT,
		             "SHA-256 failed");
		goto done;
	}
	memcpy(out->sha256, md, 32);
	rc = 0;
done:
	EVP_MD_CTX_free(ctx);
	close(fd);
	return rc;
}

int
pyverify_artifact_from_digest(pyverify_artifact *out, const char *digest,
                              pyverify_error *err)
{
	uint8_t d[32];
	size_t len;

	if (out == NULL || digest == NULL)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_ARTIFACT,
		               "no digest");
	len = strlen(digest);
	if (len != 7 + 64 || strncmp(digest, "sha256:", 7) != 0 ||
	    pv_hex_decode(d, sizeof(d), digest + 7, 64) != 0)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_ARTIFACT,
		               "a digest must be \"sha256:\" followed by 64 "
		               "hexadecimal digits");
	memcpy(out->sha256, d, 32);
	return 0;
}

int
pyverify_artifact_from_memory(pyverify_artifact *out, const void *buf,
                              size_t len, pyverify_error *err)
{
	if (out == NULL || (buf == NULL && len != 0))
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_ARTIFACT,
		               "no artifact");
	if (pv_sha256(out->sha256, buf ? buf : "", len) != 0)
		return pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_ARTIFACT,
		               "SHA-256 failed");
	return 0;
}
