/*
 * util/util.h - the bottom layer: errors, bounded file reading, encodings
 * and times. Used by every other layer; includes nothing of the library but
 * the public header, util/limits.h and util/time.h. */
#ifndef PV_UTIL_H
#define PV_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "pyverify.h"
#include "util/limits.h"
#include "util/time.h"

#define PV_MUST_CHECK __attribute__((warn_unused_result))
#define PV_TRY(x)                                                              \
	do {                                                                   \
		int pv_rc_ = (x);                                              \
		if (pv_rc_ != 0)                                               \
			return pv_rc_;                                         \
	} while (0)

/* ---- err.c ------------------------------------------------------------ */

/* Fills err (if not NULL) and returns code. Messages are one line; the step
 * code is not repeated in the message. */
int pv_fail(pyverify_error *err, pyverify_status code, pyverify_step step,
            const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Resets err to "no error". */
void pv_error_clear(pyverify_error *err);

/* ---- file_open.c ---------------------------------------------------------- */

/* Every input file (artifact, bundle, trusted root, policy, manifest, key,
 * token file) is opened through these. `what` names the document in
 * messages ("bundle"; NULL for none); why receives one line such as
 * "bundle /m/x.sigstore is not a regular file (a FIFO)". Results are 0,
 * PYVERIFY_EIO (cannot open or read, not a regular file), PYVERIFY_EPARSE
 * (larger than max) or PYVERIFY_ENOMEM. */
#define PV_FILE_NOFOLLOW 1u /* refuse a symbolic link (secrets) */
/* Opens path read-only and close-on-exec, without blocking: a FIFO, device,
 * socket or directory is refused before anything is read. *fd_out is -1
 * on failure; st_out (may be NULL) receives the file's fstat. */
PV_MUST_CHECK int pv_file_open(int *fd_out, struct stat *st_out,
                               const char *path, unsigned flags,
                               const char *what, char *why, size_t whylen);
/* Reads fd to its end, at most max bytes (max < SIZE_MAX), into a malloc'd
 * buffer with a NUL appended (not counted in *len). st (may be NULL) sizes
 * the first allocation; buffers are wiped before they are freed. */
PV_MUST_CHECK int pv_file_read_fd(uint8_t **out, size_t *len, int fd,
                                  const struct stat *st, size_t max,
                                  const char *what, const char *path,
                                  char *why, size_t whylen);
/* pv_file_open + pv_file_read_fd + close. */
PV_MUST_CHECK int pv_file_read(uint8_t **out, size_t *len, const char *path,
                               unsigned flags, size_t max, const char *what,
                               char *why, size_t whylen);

/* ---- file_write.c ------------------------------------------------------ */

/* Creates every missing directory above path (not path itself), each with
 * mode; 0 or -1 with errno. */
PV_MUST_CHECK int pv_mkdir_parents(const char *path, mode_t mode);
/* Creates dir and every missing directory above it; 0 or -1 with errno. */
PV_MUST_CHECK int pv_mkdir_p(const char *dir, mode_t mode);
/* Replaces path with exactly data[0..len): a new temporary file in the same
 * directory (mkstemp, O_EXCL), fsync, rename, fsync of the directory. A
 * crash or full disk leaves the old file or the new one, never a mix; a
 * symbolic link at path is replaced, not followed. mode is applied as
 * given (no umask). 0, or -1 with errno (the temporary file removed). */
PV_MUST_CHECK int pv_file_write_atomic(const char *path, const void *data,
                                       size_t len, mode_t mode);

/* ---- encoding.c --------------------------------------------------------- */

/* An owned byte string. data may be NULL when len is 0. */
struct pv_bytes {
	uint8_t *data;
	size_t len;
};
void pv_bytes_clear(struct pv_bytes *b); /* frees, zeroes */
PV_MUST_CHECK int pv_bytes_dup(struct pv_bytes *out, const void *p, size_t n);
/* The len bytes at s as a malloc'd NUL-terminated string; NULL on ENOMEM. */
char *pv_strndup(const char *s, size_t len);

/* Strict RFC 4648 standard base64 with padding; rejects whitespace,
 * non-alphabet bytes, non-zero pad bits and anything after the padding.
 * Returns 0 or -1 (out untouched on failure). An empty input decodes to an
 * empty string. */
PV_MUST_CHECK int pv_b64_decode(struct pv_bytes *out, const char *in,
                                size_t inlen);
/* Standard padded base64, NUL-terminated, malloc'd; NULL on ENOMEM. */
char *pv_b64_encode(const uint8_t *in, size_t len);
/* Exactly outlen bytes from 2*outlen hex digits (either case); 0 or -1. */
PV_MUST_CHECK int pv_hex_decode(uint8_t *out, size_t outlen, const char *in,
                                size_t inlen);
/* Lowercase hex; out must hold 2*len+1 bytes. */
void pv_hex_encode(char *out, const uint8_t *in, size_t len);
/* Decimal without sign or leading zeros ("0" alone is fine), fits uint64. */
PV_MUST_CHECK int pv_parse_u64(uint64_t *out, const char *s, size_t len);
/* SHA-256 of a buffer; 0 or -1. */
PV_MUST_CHECK int pv_sha256(uint8_t out[32], const void *data, size_t len);

#endif /* PV_UTIL_H */
