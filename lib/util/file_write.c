/* file_write.c - the one way pyverify writes a file it will trust later
 * (an imported trusted root, TUF metadata and targets): the whole content
 * goes to a new temporary file in the same directory, is synced, and is
 * renamed over the destination, so a crash or a full disk leaves either
 * the old file or the new one, never half of one. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

int
pv_mkdir_parents(const char *path, mode_t mode)
{
	char buf[4096];
	size_t len = strlen(path), i;

	if (len == 0 || len >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, path, len + 1);
	for (i = 1; i < len; i++) {
		if (buf[i] != '/')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, mode) != 0 && errno != EEXIST)
			return -1;
		buf[i] = '/';
	}
	return 0;
}

int
pv_mkdir_p(const char *dir, mode_t mode)
{
	char buf[4096];
	int n = snprintf(buf, sizeof(buf), "%s/", dir);

	if (n < 0 || (size_t)n >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return pv_mkdir_parents(buf, mode);
}

/* Syncs the directory holding path, so the rename survives a crash. */
static int
sync_dir_of(const char *path)
{
	char dir[4200];
	const char *slash = strrchr(path, '/');
	int fd, rc;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if ((size_t)(slash - path) >= sizeof(dir))
		return -1;
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash == path ? 1 :
		                                         slash - path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* The temporary file gets a random name and is created with O_EXCL
 * (mkstemp): a symbolic link planted at any name in the directory is never
 * followed, and a link planted at path itself is replaced, not written
 * through. */
int
pv_file_write_atomic(const char *path, const void *data, size_t len,
                     mode_t mode)
{
	const uint8_t *buf = data;
	char tmp[4200];
	int out, rc = -1, saved;
	size_t off = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	out = mkstemp(tmp);
	if (out < 0)
		return -1;
	if (fcntl(out, F_SETFD, FD_CLOEXEC) != 0 || fchmod(out, mode) != 0)
		goto done;
	while (off < len) {
		ssize_t n = write(out, buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			goto done;
		}
		off += (size_t)n;
	}
	if (fsync(out) != 0)
		goto done;
	if (close(out) != 0) {
		out = -1;
		goto done;
	}
	out = -1;
	if (rename(tmp, path) != 0)
		goto done;
	rc = 0;
	/* The file is in place; a failed directory sync only weakens
	 * durability, which an error would not help with. */
	(void)sync_dir_of(path);
done:
	saved = errno;
	if (out >= 0)
		close(out);
	if (rc != 0)
		unlink(tmp);
	errno = saved;
	return rc;
}
