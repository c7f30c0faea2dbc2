/* tuf_fx_util.c - temporary directories and file reading for the TUF tests
 * (see tuf_fx.h). */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "tuf_fx.h"
#include "util/util.h"

char *
tfx_tmpdir(const char *tag)
{
	const char *base = getenv("TMPDIR");
	char *d = malloc(4096);

	cr_assert_not_null(d);
	snprintf(d, 4096, "%s/pyverify-%s-XXXXXX",
	         base != NULL && base[0] != '\0' ? base : "/tmp", tag);
	cr_assert_not_null(mkdtemp(d), "mkdtemp %s", d);
	return d;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

void
tfx_rmtree(const char *dir)
{
	if (dir != NULL)
		(void)nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

uint8_t *
tfx_read(const char *dir, const char *name, size_t *len)
{
	char path[4096], why[256];
	uint8_t *buf = NULL;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (access(path, F_OK) != 0)
		return NULL;
	cr_assert_eq(pv_file_read(&buf, &n, path, 0, 64u << 20, "file", why,
	                          sizeof(why)), 0, "%s", why);
	if (len != NULL)
		*len = n;
	return buf;
}
