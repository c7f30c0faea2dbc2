/* testdata.h - locating ../shared/testdata and reading small files. */
#ifndef PV_TESTDATA_H
#define PV_TESTDATA_H

#include <stddef.h>

/* $PYVERIFY_TESTDATA, else ../shared/testdata (tests run from the repo
 * root); NULL when the directory does not exist. */
const char *td_dir(void);
/* Joins td_dir() and a relative path into a static thread-local buffer. */
const char *td_path(const char *rel);
/* Reads a whole file (malloc'd, NUL-terminated); NULL on error. */
char *td_read(const char *path, size_t *len);
/* Reads a one-line text file and strips the trailing newline. */
char *td_read_line(const char *path);
int td_exists(const char *path);

#endif
