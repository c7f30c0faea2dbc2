/* file_open.c - the one way pyverify opens an input file: regular files
 * only, refused without blocking, and read whole within a bound.
 *
 * Mirrors are filled by rsync -a, which copies FIFOs and device nodes as
 * they are upstream. A plain open() of a FIFO waits for a writer that never
 * comes (and a daemon stuck in a reload then ignores SIGTERM), so every
 * open is non-blocking and the file type is checked on the descriptor
 * before anything is read. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "util/util.h"

/* First allocation when the size is unknown (files in /proc say 0). */
#define FIRST_CHUNK (64u << 10)

static const char *
kind(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a plain file";
}

/* "bundle /x/y" or "/x/y" when the caller has no name for the document. */
static void
name(char *out, size_t outlen, const char *what, const char *path)
{
	if (what != NULL && what[0] != '\0')
		snprintf(out, outlen, "%s %s", what, path);
	else
		snprintf(out, outlen, "%s", path);
}

int
pv_file_open(int *fd_out, struct stat *st_out, const char *path,
             unsigned flags, const char *what, char *why, size_t whylen)
{
	char subject[1100], reason[128] = "unknown error";
	struct stat st;
	int fd, oflags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, fl;

	*fd_out = -1;
	name(subject, sizeof(subject), what, path);
	if (flags & PV_FILE_NOFOLLOW)
		oflags |= O_NOFOLLOW;
	do
		fd = open(path, oflags);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		int e = errno;
		if (e == ELOOP && (flags & PV_FILE_NOFOLLOW)) {
			snprintf(why, whylen, "%s is not a regular file (a "
			         "symbolic link, which is not followed here)",
			         subject);
			return PYVERIFY_EIO;
		}
		(void)strerror_r(e, reason, sizeof(reason));
		snprintf(why, whylen, "cannot open %s: %s", subject, reason);
		return PYVERIFY_EIO;
	}
	if (fstat(fd, &st) != 0) {
		(void)strerror_r(errno, reason, sizeof(reason));
		snprintf(why, whylen, "cannot open %s: %s", subject, reason);
		close(fd);
		return PYVERIFY_EIO;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "%s is not a regular file (%s)", subject,
		         kind(st.st_mode));
		close(fd);
		return PYVERIFY_EIO;
	}
	/* O_NONBLOCK means nothing for regular files on Linux, but a reader
	 * elsewhere must not see EAGAIN. */
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
		(void)strerror_r(errno, reason, sizeof(reason));
		snprintf(why, whylen, "cannot open %s: %s", subject, reason);
		close(fd);
		return PYVERIFY_EIO;
	}
	if (st_out != NULL)
		*st_out = st;
	*fd_out = fd;
	return 0;
}

/* Moves the bytes to a bigger buffer and wipes the old one, so a token
 * file leaves no stray copy behind (realloc would). */
static uint8_t *
grow(uint8_t *old, size_t used, size_t newcap)
{
	uint8_t *p = malloc(newcap + 1);

	if (p != NULL && used > 0)
		memcpy(p, old, used);
	if (old != NULL)
		OPENSSL_cleanse(old, used);
	free(old);
	return p;
}

int
pv_file_read_fd(uint8_t **out, size_t *len, int fd, const struct stat *st,
                size_t max, const char *what, const char *path, char *why,
                size_t whylen)
{
	char subject[1100], reason[128] = "unknown error";
	uint8_t *buf = NULL;
	size_t cap, n = 0;
	int rc;

	name(subject, sizeof(subject), what, path);
	/* A size over the bound is refused before allocating for it; one
	 * byte more than the bound is read so "grew past it" is seen too. */
	if (st != NULL && st->st_size > 0 && (uint64_t)st->st_size > max) {
		snprintf(why, whylen, "%s is larger than the limit of %zu "
		         "bytes", subject, max);
		return PYVERIFY_EPARSE;
	}
	cap = st != NULL && st->st_size > 0 ? (size_t)st->st_size + 1
	                                     : FIRST_CHUNK;
	if (cap > max + 1)
		cap = max + 1;
	buf = grow(NULL, 0, cap);
	if (buf == NULL)
		goto nomem;
	for (;;) {
		ssize_t r;

		if (n == cap) {
			size_t want;
			if (cap >= max + 1)
				break; /* already holds max + 1 bytes */
			want = cap > (max + 1) / 2 ? max + 1 : cap * 2;
			if ((buf = grow(buf, n, want)) == NULL)
				goto nomem;
			cap = want;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			(void)strerror_r(errno, reason, sizeof(reason));
			snprintf(why, whylen, "cannot read %s: %s", subject,
			         reason);
			rc = PYVERIFY_EIO;
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		snprintf(why, whylen, "%s is larger than the limit of %zu bytes",
		         subject, max);
		rc = PYVERIFY_EPARSE;
		goto fail;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
nomem:
	snprintf(why, whylen, "out of memory reading %s", subject);
	rc = PYVERIFY_ENOMEM;
fail:
	if (buf != NULL)
		OPENSSL_cleanse(buf, n);
	free(buf);
	return rc;
}

int
pv_file_read(uint8_t **out, size_t *len, const char *path, unsigned flags,
             size_t max, const char *what, char *why, size_t whylen)
{
	struct stat st;
	int fd, rc;

	rc = pv_file_open(&fd, &st, path, flags, what, why, whylen);
	if (rc != 0)
		return rc;
	rc = pv_file_read_fd(out, len, fd, &st, max, what, path, why, whylen);
	close(fd);
	return rc;
}
