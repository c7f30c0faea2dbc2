/*
 * fuzz_common.h - shared helpers of the libFuzzer targets (tests/fuzz).
 *
 * Fixtures (trusted roots, signed bundles, public keys) are minted once with
 * the test support code (vsigstore, vtsa) and kept in the repository under
 * $PV_FUZZ_FIXTURES (default tests/fuzz/fixtures, relative to the
 * repository root)/<target>/, so every run - and every crash reproduction -
 * sees the same keys as the seeds in tests/fuzz/corpus/<target>/. A target
 * mints its fixture only where it is missing; seed inputs made at that
 * moment go to <target>/seeds/ (tests/fuzz/mkcorpus.sh moves them into the
 * corpus).
 *
 * Test-only: never linked into the library.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "verify/steps.h"

#define FZ_PATH_MAX 4096

/* Aborts the fuzzer: a fixture could not be made (not a finding). */
#define FZ_REQUIRE(cond)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz fixture: %s failed (%s:%d)\n",   \
			        #cond, __FILE__, __LINE__);                    \
			exit(2);                                               \
		}                                                              \
	} while (0)

static inline const char *
fz_root_dir(void)
{
	const char *d = getenv("PV_FUZZ_FIXTURES");

	return d != NULL && d[0] != '\0' ? d : "tests/fuzz/fixtures";
}

static inline void
fz_mkdirs(const char *path)
{
	char buf[FZ_PATH_MAX];
	size_t i, n = strlen(path);

	FZ_REQUIRE(n < sizeof(buf));
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] == '/' || buf[i] == '\0') {
			char c = buf[i];

			buf[i] = '\0';
			if (mkdir(buf, 0777) != 0 && errno != EEXIST)
				FZ_REQUIRE(!"mkdir");
			buf[i] = c;
		}
	}
}

static inline void
fz_path(char *out, const char *target, const char *name)
{
	int n = snprintf(out, FZ_PATH_MAX, "%s/%s/%s", fz_root_dir(), target,
	                 name);

	FZ_REQUIRE(n > 0 && n < FZ_PATH_MAX);
}

/* Reads <fixtures>/<target>/<name>; 0, or -1 when absent. NUL-terminated
 * (not counted in len). */
static inline int
fz_load(const char *target, const char *name, struct pv_bytes *out)
{
	char path[FZ_PATH_MAX];
	FILE *f;
	long n;

	fz_path(path, target, name);
	f = fopen(path, "rb");
	if (f == NULL)
		return -1;
	FZ_REQUIRE(fseek(f, 0, SEEK_END) == 0);
	n = ftell(f);
	FZ_REQUIRE(n >= 0 && fseek(f, 0, SEEK_SET) == 0);
	out->data = malloc((size_t)n + 1);
	FZ_REQUIRE(out->data != NULL);
	FZ_REQUIRE(fread(out->data, 1, (size_t)n, f) == (size_t)n);
	out->data[n] = 0;
	out->len = (size_t)n;
	fclose(f);
	return 0;
}

/* Writes <fixtures>/<target>/<name> (name may contain "seeds/"). */
static inline void
fz_save(const char *target, const char *name, const void *p, size_t n)
{
	char path[FZ_PATH_MAX], *slash;
	FILE *f;

	fz_path(path, target, name);
	slash = strrchr(path, '/');
	*slash = '\0';
	fz_mkdirs(path);
	*slash = '/';
	f = fopen(path, "wb");
	FZ_REQUIRE(f != NULL);
	FZ_REQUIRE(n == 0 || fwrite(p, 1, n, f) == n);
	FZ_REQUIRE(fclose(f) == 0);
}

static inline void
fz_save_str(const char *target, const char *name, const char *s)
{
	fz_save(target, name, s, strlen(s));
}

/* A seed input: one selector byte (or none when sel < 0) then data. */
static inline void
fz_seed(const char *target, const char *name, int sel, const void *p,
        size_t n)
{
	char seed[FZ_PATH_MAX];
	uint8_t *buf = malloc(n + 1);
	size_t off = sel >= 0 ? 1 : 0;

	FZ_REQUIRE(buf != NULL);
	if (sel >= 0)
		buf[0] = (uint8_t)sel;
	if (n > 0)
		memcpy(buf + off, p, n);
	FZ_REQUIRE(snprintf(seed, sizeof(seed), "seeds/%s", name) > 0);
	fz_save(target, seed, buf, n + off);
	free(buf);
}

/* libFuzzer hands out exactly `size` bytes; most of the library's inputs
 * are NUL-terminated C strings in their structs, so copies are made with a
 * terminator that is not part of the length. */
static inline char *
fz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	FZ_REQUIRE(s != NULL);
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* With FZ_VERBOSE set (e.g. when replaying seeds), prints each verdict. */
static inline void
fz_report(int rc, const pyverify_error *err)
{
	if (getenv("FZ_VERBOSE") != NULL)
		fprintf(stderr, "rc=%d step=%s: %s\n", rc,
		        pyverify_step_code(err->step), err->msg);
}

#endif
