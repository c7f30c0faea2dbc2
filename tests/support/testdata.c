/* testdata.c - see testdata.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testdata.h"

const char *
td_dir(void)
{
	const char *d = getenv("PYVERIFY_TESTDATA");
	struct stat st;

	if (d == NULL || d[0] == '\0')
		d = "../shared/testdata";
	return stat(d, &st) == 0 && S_ISDIR(st.st_mode) ? d : NULL;
}

const char *
td_path(const char *rel)
{
	static __thread char buf[4096];
	const char *d = td_dir();

	snprintf(buf, sizeof(buf), "%s/%s", d ? d : "(no testdata)", rel);
	return buf;
}

char *
td_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		goto done;
	buf = malloc((size_t)n + 1);
	if (buf == NULL)
		goto done;
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
		goto done;
	}
	buf[n] = '\0';
	if (len)
		*len = (size_t)n;
done:
	fclose(f);
	return buf;
}

char *
td_read_line(const char *path)
{
	char *s = td_read(path, NULL);
	size_t n;

	if (s == NULL)
		return NULL;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' ||
	                 s[n - 1] == ' '))
		s[--n] = '\0';
	return s;
}

int
td_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}
