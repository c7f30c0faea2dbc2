/* fss_log.c - the in-memory RFC 6962 Merkle log behind the fake Rekor v1
 * and v2: leaf hashes appended in order, tree heads and inclusion proofs
 * of any size computed from them (the logs of a test hold a few entries). */
#include <stdlib.h>
#include <string.h>

#include "vs_impl.h"
#include "fss_impl.h"

int fssi_mlog_append(struct fss_mlog *l, const void *body, size_t len,
                     uint64_t *index)
{
	uint8_t *lb = malloc(len + 1);

	if (lb == NULL)
		return -1;
	if (l->n == l->cap) {
		uint64_t cap = l->cap ? l->cap * 2 : 16;
		uint8_t (*p)[32] = realloc(l->leaf, cap * sizeof(*p));

		if (p == NULL) {
			free(lb);
			return -1;
		}
		l->leaf = p;
		l->cap = cap;
	}
	/* Leaf hash = H(0x00 || body). */
	lb[0] = 0x00;
	memcpy(lb + 1, body, len);
	vs_sha256(l->leaf[l->n], lb, len + 1);
	free(lb);
	*index = l->n++;
	return 0;
}

static void node(uint8_t out[32], const uint8_t a[32], const uint8_t b[32])
{
	uint8_t buf[65];

	buf[0] = 0x01;
	memcpy(buf + 1, a, 32);
	memcpy(buf + 33, b, 32);
	vs_sha256(out, buf, sizeof(buf));
}

static uint64_t split(uint64_t n) /* largest power of two < n, n >= 2 */
{
	uint64_t k = 1;

	while ((k << 1) < n)
		k <<= 1;
	return k;
}

/* MTH(D[lo:lo+n]) */
static void mth(const struct fss_mlog *l, uint64_t lo, uint64_t n,
                uint8_t out[32])
{
	uint8_t a[32], b[32];
	uint64_t k;

	if (n == 0) {
		vs_sha256(out, "", 0);
		return;
	}
	if (n == 1) {
		memcpy(out, l->leaf[lo], 32);
		return;
	}
	k = split(n);
	mth(l, lo, k, a);
	mth(l, lo + k, n - k, b);
	node(out, a, b);
}

void fssi_mlog_root(const struct fss_mlog *l, uint64_t size, uint8_t out[32])
{
	mth(l, 0, size, out);
}

static void path(const struct fss_mlog *l, uint64_t m, uint64_t lo,
                 uint64_t n, uint8_t (*out)[32], size_t *np)
{
	uint64_t k;

	if (n <= 1)
		return;
	k = split(n);
	if (m < k) {
		path(l, m, lo, k, out, np);
		mth(l, lo + k, n - k, out[(*np)++]);
	} else {
		path(l, m - k, lo + k, n - k, out, np);
		mth(l, lo, k, out[(*np)++]);
	}
}

size_t fssi_mlog_proof(const struct fss_mlog *l, uint64_t index,
                       uint64_t size, uint8_t (*out)[32])
{
	size_t np = 0;

	if (index < size && size <= l->n)
		path(l, index, 0, size, out, &np);
	return np;
}

void fssi_mlog_clear(struct fss_mlog *l)
{
	free(l->leaf);
	memset(l, 0, sizeof(*l));
}
