/*
 * util/cursor.h - a bounded cursor over untrusted bytes (STYLE 4, s2n's
 * stuffer, BearSSL's length checks). Every read is checked against what is
 * left and moves the cursor only on success: a failed read leaves it
 * exactly where it was, so a caller may report the position or try
 * another form. Integers are big-endian (TLS, RFC 6962). Part of util/.
 */
#ifndef PV_UTIL_CURSOR_H
#define PV_UTIL_CURSOR_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

struct pv_cur {
	const uint8_t *p; /* the next unread byte */
	size_t left;      /* bytes from p on */
};

/* A cursor over n bytes at p (borrowed; p may be NULL when n is 0). */
void pv_cur_init(struct pv_cur *c, const void *p, size_t n);

/* The next n bytes, borrowed from the underlying buffer. 0 or -1. */
PV_MUST_CHECK int pv_cur_take(struct pv_cur *c, size_t n, const uint8_t **out);
/* Big-endian unsigned integers of 1, 2, 3 and 8 bytes. 0 or -1. */
PV_MUST_CHECK int pv_cur_u8(struct pv_cur *c, uint8_t *out);
PV_MUST_CHECK int pv_cur_u16(struct pv_cur *c, uint16_t *out);
PV_MUST_CHECK int pv_cur_u24(struct pv_cur *c, uint32_t *out);
PV_MUST_CHECK int pv_cur_u64(struct pv_cur *c, uint64_t *out);
/* A TLS vector: a big-endian length of prefix_len bytes (1, 2 or 3), then
 * that many bytes (borrowed). Neither is consumed unless both are there. */
PV_MUST_CHECK int pv_cur_vec(struct pv_cur *c, size_t prefix_len,
                             const uint8_t **out, size_t *len);
/* The bytes up to the next delim (not included in *len), and the delim
 * itself; -1 when no delim is left. */
PV_MUST_CHECK int pv_cur_until(struct pv_cur *c, uint8_t delim,
                               const uint8_t **out, size_t *len);
/* pv_cur_until '\n': one line of text. */
PV_MUST_CHECK int pv_cur_line(struct pv_cur *c, const uint8_t **line,
                              size_t *len);
/* Consumes exactly the n bytes of lit, or nothing (-1) if the input does
 * not start with them. */
PV_MUST_CHECK int pv_cur_expect(struct pv_cur *c, const void *lit, size_t n);

#endif /* PV_UTIL_CURSOR_H */
