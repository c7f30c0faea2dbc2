/* cursor.c - bounded reads over untrusted bytes that move only on success
 * (util/cursor.h). */
#include <string.h>

#include "util/cursor.h"

void
pv_cur_init(struct pv_cur *c, const void *p, size_t n)
{
	c->p = p;
	c->left = p != NULL ? n : 0;
}

int
pv_cur_take(struct pv_cur *c, size_t n, const uint8_t **out)
{
	if (n > c->left)
		return -1; /* cursor untouched */
	*out = c->p;
	c->p += n;
	c->left -= n;
	return 0;
}

/* n <= 8 big-endian bytes. */
static int
be(struct pv_cur *c, size_t n, uint64_t *out)
{
	const uint8_t *b;
	uint64_t v = 0;
	size_t i;

	if (pv_cur_take(c, n, &b) != 0)
		return -1;
	for (i = 0; i < n; i++)
		v = (v << 8) | b[i];
	*out = v;
	return 0;
}

/* The fixed-width readers: be() into the caller's type. */
#define CUR_UINT(name, type, n)                                                \
	int name(struct pv_cur *c, type *out)                                  \
	{                                                                      \
		uint64_t v;                                                    \
		PV_TRY(be(c, (n), &v));                                        \
		*out = (type)v;                                                \
		return 0;                                                      \
	}
CUR_UINT(pv_cur_u8, uint8_t, 1)
CUR_UINT(pv_cur_u16, uint16_t, 2)
CUR_UINT(pv_cur_u24, uint32_t, 3)

int
pv_cur_u64(struct pv_cur *c, uint64_t *out)
{
	return be(c, 8, out);
}

int
pv_cur_vec(struct pv_cur *c, size_t prefix_len, const uint8_t **out,
           size_t *len)
{
	struct pv_cur save = *c;
	uint64_t n;

	if (prefix_len < 1 || prefix_len > 3)
		return -1;
	if (be(c, prefix_len, &n) != 0 || pv_cur_take(c, (size_t)n, out) != 0) {
		*c = save; /* the length prefix is given back too */
		return -1;
	}
	*len = (size_t)n;
	return 0;
}

int
pv_cur_until(struct pv_cur *c, uint8_t delim, const uint8_t **out,
             size_t *len)
{
	const uint8_t *d;

	if (c->left == 0 || (d = memchr(c->p, delim, c->left)) == NULL)
		return -1;
	*out = c->p;
	*len = (size_t)(d - c->p);
	c->left -= *len + 1;
	c->p = d + 1;
	return 0;
}

int
pv_cur_line(struct pv_cur *c, const uint8_t **line, size_t *len)
{
	return pv_cur_until(c, '\n', line, len);
}

int
pv_cur_expect(struct pv_cur *c, const void *lit, size_t n)
{
	if (n == 0)
		return 0;
	if (n > c->left || memcmp(c->p, lit, n) != 0)
		return -1;
	c->p += n;
	c->left -= n;
	return 0;
}
