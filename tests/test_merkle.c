/* test_merkle.c - RFC 6962 inclusion proofs (lib/verify/merkle.c). Trees and
 * proofs are built here with the recursive definitions of RFC 6962 2.1
 * (MTH and PATH), independent of the iterative check under test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/sha.h>

#include "verify/steps.h"

#define MAX_LEAVES 70

static void
hex32(uint8_t out[32], const char *hex)
{
	cr_assert_eq(pv_hex_decode(out, 32, hex, strlen(hex)), 0);
}

static void
node(uint8_t out[32], const uint8_t l[32], const uint8_t r[32])
{
	uint8_t buf[65];

	buf[0] = 0x01;
	memcpy(buf + 1, l, 32);
	memcpy(buf + 33, r, 32);
	SHA256(buf, sizeof(buf), out);
}

static size_t
split_point(size_t n) /* largest power of two below n (n >= 2) */
{
	size_t k = 1;

	while (k * 2 < n)
		k *= 2;
	return k;
}

/* RFC 6962 2.1: MTH(D[n]) over leaf hashes. */
static void
mth(uint8_t out[32], uint8_t (*leaves)[32], size_t n)
{
	uint8_t l[32], r[32];
	size_t k;

	if (n == 1) {
		memcpy(out, leaves[0], 32);
		return;
	}
	k = split_point(n);
	mth(l, leaves, k);
	mth(r, leaves + k, n - k);
	node(out, l, r);
}

/* RFC 6962 2.1.1: PATH(m, D[n]), appended to proof[*np]. */
static void
path(uint8_t (*proof)[32], size_t *np, size_t m, uint8_t (*leaves)[32],
     size_t n)
{
	size_t k;

	if (n == 1)
		return;
	k = split_point(n);
	if (m < k) {
		path(proof, np, m, leaves, k);
		mth(proof[(*np)++], leaves + k, n - k);
	} else {
		path(proof, np, m - k, leaves + k, n - k);
		mth(proof[(*np)++], leaves, k);
	}
}

static void
make_leaves(uint8_t (*leaves)[32], size_t n)
{
	size_t i;
	char data[32];

	for (i = 0; i < n; i++) {
		int len = snprintf(data, sizeof(data), "leaf %zu", i);
		cr_assert_eq(pv_merkle_leaf_hash(leaves[i],
		                                 (const uint8_t *)data,
		                                 (size_t)len), 0);
	}
}

static unsigned
expected_len(uint64_t index, uint64_t size)
{
	uint64_t x = index ^ (size - 1);
	unsigned inner = 0, border = 0;

	while (x) {
		inner++;
		x >>= 1;
	}
	x = inner >= 64 ? 0 : index >> inner;
	while (x) {
		border += (unsigned)(x & 1);
		x >>= 1;
	}
	return inner + border;
}

static int
check(const uint8_t leaf[32], uint64_t index, uint64_t size,
      uint8_t (*proof)[32], size_t n, const uint8_t root[32],
      pyverify_error *err)
{
	return pv_merkle_verify_inclusion(leaf, index, size,
	                                  (const uint8_t(*)[32])proof, n, root,
	                                  err);
}

static void
assert_rejected(int rc, const pyverify_error *err)
{
	cr_assert_eq(rc, PYVERIFY_EREJECT, "rc %d", rc);
	cr_assert_eq(err->code, PYVERIFY_EREJECT);
	cr_assert_eq(err->step, PYVERIFY_STEP_INCLUSION_PROOF);
	cr_assert_neq(err->msg[0], '\0');
}

Test(merkle, leaf_hash_prefixes_a_zero_byte)
{
	uint8_t got[32], want[32];

	/* RFC 6962 test vector: the hash of the empty leaf. */
	hex32(want, "6e340b9cffb37a989ca544e6bb780a2c"
	            "78901d3fb33738768511a30617afa01d");
	cr_assert_eq(pv_merkle_leaf_hash(got, NULL, 0), 0);
	cr_assert_arr_eq(got, want, 32);
}

Test(merkle, rfc6962_reference_tree_roots_are_reproduced)
{
	/* certificate-transparency reference vectors: 8 leaves, roots of
	 * every prefix. */
	static const char *const data[] = {
		"", "00", "10", "2021", "3031", "40414243",
		"5051525354555657", "606162636465666768696a6b6c6d6e6f",
	};
	static const char *const roots[] = {
		"6e340b9cffb37a989ca544e6bb780a2c"
		"78901d3fb33738768511a30617afa01d",
		"fac54203e7cc696cf0dfcb42c92a1d9d"
		"baf70ad9e621f4bd8d98662f00e3c125",
		"aeb6bcfe274b70a14fb067a5e5578264"
		"db0fa9b51af5e0ba159158f329e06e77",
		"d37ee418976dd95753c1c73862b9398f"
		"a2a2cf9b4ff0fdfe8b30cd95209614b7",
		"4e3bbb1f7b478dcfe71fb631631519a3"
		"bca12c9aefca1612bfce4c13a86264d4",
		"76e67dadbcdf1e10e1b74ddc608abd2f"
		"98dfb16fbce75277b5232a127f2087ef",
		"ddb89be403809e325750d3d263cd7892"
		"9c2942b7942a34b77e122c9594a74c8c",
		"5dc9da79a70659a9ad559cb701ded9a2"
		"ab9d823aad2f4960cfe370eff4604328",
	};
	uint8_t leaves[8][32], proof[8][32], root[32];
	size_t n, m, np;
	pyverify_error err = { 0 };

	for (n = 0; n < 8; n++) {
		uint8_t buf[16];
		size_t len = strlen(data[n]) / 2;
		cr_assert_eq(pv_hex_decode(buf, len, data[n], 2 * len), 0);
		cr_assert_eq(pv_merkle_leaf_hash(leaves[n], buf, len), 0);
	}
	for (n = 1; n <= 8; n++) {
		hex32(root, roots[n - 1]);
		for (m = 0; m < n; m++) {
			np = 0;
			path(proof, &np, m, leaves, n);
			cr_assert_eq(check(leaves[m], m, n, proof, np, root,
			                   &err), 0, "leaf %zu of %zu: %s", m,
			             n, err.msg);
		}
	}
}

Test(merkle, every_leaf_of_trees_up_to_70_verifies)
{
	uint8_t leaves[MAX_LEAVES][32], proof[PV_MAX_PROOF_HASHES][32];
	uint8_t root[32];
	size_t n, m, np;
	pyverify_error err = { 0 };

	make_leaves(leaves, MAX_LEAVES);
	for (n = 1; n <= MAX_LEAVES; n++) {
		mth(root, leaves, n);
		for (m = 0; m < n; m++) {
			np = 0;
			path(proof, &np, m, leaves, n);
			cr_assert_eq(np, expected_len(m, n));
			cr_assert_eq(check(leaves[m], m, n, proof, np, root,
			                   &err), 0, "leaf %zu of %zu: %s", m,
			             n, err.msg);
		}
	}
}

Test(merkle, single_leaf_tree_needs_an_empty_proof_and_root_equal_to_leaf)
{
	uint8_t leaf[32], other[32];
	pyverify_error err = { 0 };

	cr_assert_eq(pv_merkle_leaf_hash(leaf, (const uint8_t *)"x", 1), 0);
	cr_assert_eq(pv_merkle_leaf_hash(other, (const uint8_t *)"y", 1), 0);
	cr_assert_eq(check(leaf, 0, 1, NULL, 0, leaf, &err), 0, "%s",
	             err.msg);
	assert_rejected(check(leaf, 0, 1, NULL, 0, other, &err), &err);
}

Test(merkle, a_flipped_bit_in_any_proof_hash_is_rejected)
{
	uint8_t leaves[MAX_LEAVES][32], proof[PV_MAX_PROOF_HASHES][32];
	uint8_t root[32];
	size_t n, m, np, j;
	pyverify_error err = { 0 };

	make_leaves(leaves, MAX_LEAVES);
	for (n = 2; n <= MAX_LEAVES; n++) {
		mth(root, leaves, n);
		for (m = 0; m < n; m++) {
			np = 0;
			path(proof, &np, m, leaves, n);
			for (j = 0; j < np; j++) {
				proof[j][j % 32] ^= 0x01;
				assert_rejected(check(leaves[m], m, n, proof,
				                      np, root, &err), &err);
				cr_assert(strstr(err.msg, "root") != NULL);
				proof[j][j % 32] ^= 0x01;
			}
		}
	}
}

Test(merkle, a_tampered_leaf_or_root_is_rejected)
{
	uint8_t leaves[MAX_LEAVES][32], proof[PV_MAX_PROOF_HASHES][32];
	uint8_t root[32], bad[32];
	size_t np = 0;
	pyverify_error err = { 0 };

	make_leaves(leaves, MAX_LEAVES);
	mth(root, leaves, 37);
	path(proof, &np, 20, leaves, 37);
	memcpy(bad, leaves[20], 32);
	bad[31] ^= 0x80;
	assert_rejected(check(bad, 20, 37, proof, np, root, &err), &err);
	memcpy(bad, root, 32);
	bad[0] ^= 0x01;
	assert_rejected(check(leaves[20], 20, 37, proof, np, bad, &err),
	                &err);
}

Test(merkle, mismatch_message_shows_both_roots_in_hex)
{
	uint8_t leaves[4][32], proof[4][32], root[32], bad[32];
	char want[65], got[65];
	size_t np = 0;
	pyverify_error err = { 0 };

	make_leaves(leaves, 4);
	mth(root, leaves, 4);
	path(proof, &np, 1, leaves, 4);
	memset(bad, 0xab, sizeof(bad));
	assert_rejected(check(leaves[1], 1, 4, proof, np, bad, &err), &err);
	pv_hex_encode(want, bad, 32);
	pv_hex_encode(got, root, 32);
	want[16] = got[16] = '\0';
	cr_assert(strstr(err.msg, want) != NULL, "%s", err.msg);
	cr_assert(strstr(err.msg, got) != NULL, "%s", err.msg);
}

Test(merkle, every_other_index_is_rejected)
{
	uint8_t leaves[MAX_LEAVES][32], proof[PV_MAX_PROOF_HASHES][32];
	uint8_t root[32];
	size_t n, m, np, other;
	pyverify_error err = { 0 };

	make_leaves(leaves, MAX_LEAVES);
	for (n = 2; n <= MAX_LEAVES; n += 3) {
		mth(root, leaves, n);
		for (m = 0; m < n; m++) {
			np = 0;
			path(proof, &np, m, leaves, n);
			for (other = 0; other < n + 2; other++) {
				if (other == m)
					continue;
				assert_rejected(check(leaves[m], other, n,
				                      proof, np, root, &err),
				                &err);
			}
		}
	}
}

Test(merkle, a_tree_size_needing_another_proof_length_is_rejected)
{
	uint8_t leaves[MAX_LEAVES][32], proof[PV_MAX_PROOF_HASHES][32];
	uint8_t root[32];
	size_t n, m, np, size2;
	pyverify_error err = { 0 };

	make_leaves(leaves, MAX_LEAVES);
	for (n = 1; n <= MAX_LEAVES; n++) {
		mth(root, leaves, n);
		for (m = 0; m < n; m++) {
			np = 0;
			path(proof, &np, m, leaves, n);
			for (size2 = m + 1; size2 <= 2 * n + 1; size2++) {
				if (expected_len(m, size2) == np)
					continue;
				assert_rejected(check(leaves[m], m, size2,
				                      proof, np, root, &err),
				                &err);
				cr_assert(strstr(err.msg, "expected") != NULL);
			}
		}
	}
}

Test(merkle, tree_size_is_bound_only_through_the_root)
{
	/* Index 0 has the same path shape (three right siblings) in trees
	 * of 5..8 leaves: the proof alone cannot tell those sizes apart,
	 * which is why the root must come from a signed checkpoint. */
	uint8_t leaves[8][32], proof[8][32], root[32];
	size_t np = 0;
	pyverify_error err = { 0 };

	make_leaves(leaves, 8);
	mth(root, leaves, 5);
	path(proof, &np, 0, leaves, 5);
	cr_assert_eq(check(leaves[0], 0, 6, proof, np, root, &err), 0, "%s",
	             err.msg);
	mth(root, leaves, 6);
	assert_rejected(check(leaves[0], 0, 6, proof, np, root, &err), &err);
}

Test(merkle, an_extra_or_missing_hash_is_rejected)
{
	uint8_t leaves[MAX_LEAVES][32], proof[PV_MAX_PROOF_HASHES + 1][32];
	uint8_t root[32];
	size_t n, m, np;
	pyverify_error err = { 0 };

	make_leaves(leaves, MAX_LEAVES);
	for (n = 1; n <= MAX_LEAVES; n++) {
		mth(root, leaves, n);
		for (m = 0; m < n; m++) {
			np = 0;
			path(proof, &np, m, leaves, n);
			memset(proof[np], 0, 32);
			assert_rejected(check(leaves[m], m, n, proof, np + 1,
			                      root, &err), &err);
			cr_assert(strstr(err.msg, "expected") != NULL);
			if (np == 0)
				continue;
			assert_rejected(check(leaves[m], m, n, proof, np - 1,
			                      root, &err), &err);
			/* Dropping the first hash instead of the last. */
			assert_rejected(check(leaves[m], m, n, proof + 1,
			                      np - 1, root, &err), &err);
		}
	}
}

Test(merkle, proof_length_message_names_expected_and_actual_counts)
{
	uint8_t leaf[32] = { 0 }, root[32] = { 0 }, proof[3][32];
	pyverify_error err = { 0 };

	memset(proof, 0, sizeof(proof));
	/* index 4 of 7: inner = bit_length(4 ^ 6) = 2, border = 1. */
	assert_rejected(check(leaf, 4, 7, proof, 2, root, &err), &err);
	cr_assert(strstr(err.msg, "2 hashes") != NULL, "%s", err.msg);
	cr_assert(strstr(err.msg, "expected 3") != NULL, "%s", err.msg);
}

Test(merkle, empty_tree_and_index_past_the_end_are_rejected)
{
	uint8_t leaf[32] = { 0 }, proof[1][32] = { { 0 } };
	pyverify_error err = { 0 };

	assert_rejected(check(leaf, 0, 0, NULL, 0, leaf, &err), &err);
	assert_rejected(check(leaf, 5, 5, proof, 1, leaf, &err), &err);
	assert_rejected(check(leaf, UINT64_MAX, UINT64_MAX, proof, 1, leaf,
	                      &err), &err);
	assert_rejected(check(leaf, UINT64_MAX, 1, NULL, 0, leaf, &err),
	                &err);
}

Test(merkle, huge_trees_use_at_most_64_hashes_without_overflow)
{
	uint8_t leaf[32] = { 1 }, root[32] = { 2 };
	uint8_t proof[PV_MAX_PROOF_HASHES + 1][32];
	pyverify_error err = { 0 };
	uint64_t big = (uint64_t)1 << 63;

	memset(proof, 7, sizeof(proof));
	/* Index 0 of 2^63 + 1 leaves: 64 inner levels, no border. */
	cr_assert_eq(expected_len(0, big + 1), 64);
	assert_rejected(check(leaf, 0, big + 1, proof, 64, root, &err), &err);
	cr_assert(strstr(err.msg, "root") != NULL, "%s", err.msg);
	assert_rejected(check(leaf, 0, big + 1, proof, 65, root, &err), &err);
	cr_assert(strstr(err.msg, "expected 64") != NULL, "%s", err.msg);
	/* Last leaf of a full-width tree: all border. */
	assert_rejected(check(leaf, UINT64_MAX - 1, UINT64_MAX, proof,
	                      expected_len(UINT64_MAX - 1, UINT64_MAX), root,
	                      &err), &err);
	cr_assert(strstr(err.msg, "root") != NULL, "%s", err.msg);
}

/* ---- real data -------------------------------------------------------- */

static json_t *
load_case(const char *name)
{
	const char *base = getenv("PYVERIFY_TESTDATA");
	char path[1024];
	json_error_t jerr;

	if (base == NULL || base[0] == '\0')
		base = "../shared/testdata";
	snprintf(path, sizeof(path),
	         "%s/conformance/cases/%s/bundle.sigstore.json", base, name);
	return json_load_file(path, 0, &jerr);
}

static uint64_t
json_u64(json_t *v)
{
	uint64_t out = 0;
	const char *s = json_string_value(v);

	cr_assert_not_null(s);
	cr_assert_eq(pv_parse_u64(&out, s, strlen(s)), 0);
	return out;
}

static void
b64_exact(uint8_t *out, size_t len, json_t *v)
{
	struct pv_bytes b = { 0 };
	const char *s = json_string_value(v);

	cr_assert_not_null(s);
	cr_assert_eq(pv_b64_decode(&b, s, strlen(s)), 0);
	cr_assert_eq(b.len, len);
	memcpy(out, b.data, len);
	pv_bytes_clear(&b);
}

/* Checks the first entry's inclusion proof of a conformance bundle. */
static int
check_case(const char *name, pyverify_error *err)
{
	json_t *root_doc = load_case(name), *entry, *ip, *hashes;
	struct pv_bytes body = { 0 };
	uint8_t leaf[32], root[32], proof[PV_MAX_PROOF_HASHES][32];
	const char *s;
	size_t i, n;
	int rc;

	if (root_doc == NULL)
		cr_skip_test("conformance test data not found (set "
		             "PYVERIFY_TESTDATA)");
	entry = json_array_get(json_object_get(json_object_get(root_doc,
	                       "verificationMaterial"), "tlogEntries"), 0);
	ip = json_object_get(entry, "inclusionProof");
	hashes = json_object_get(ip, "hashes");
	n = json_array_size(hashes);
	cr_assert(n > 0 && n <= PV_MAX_PROOF_HASHES);
	for (i = 0; i < n; i++)
		b64_exact(proof[i], 32, json_array_get(hashes, i));
	b64_exact(root, 32, json_object_get(ip, "rootHash"));
	s = json_string_value(json_object_get(entry, "canonicalizedBody"));
	cr_assert_not_null(s);
	cr_assert_eq(pv_b64_decode(&body, s, strlen(s)), 0);
	cr_assert_eq(pv_merkle_leaf_hash(leaf, body.data, body.len), 0);
	rc = check(leaf, json_u64(json_object_get(ip, "logIndex")),
	           json_u64(json_object_get(ip, "treeSize")), proof, n, root,
	           err);
	pv_bytes_clear(&body);
	json_decref(root_doc);
	return rc;
}

Test(merkle, happy_path_v03_inclusion_proof_verifies)
{
	pyverify_error err = { 0 };

	cr_assert_eq(check_case("happy-path-v0.3", &err), 0, "%s", err.msg);
}

Test(merkle, rekor_v2_happy_path_inclusion_proof_verifies)
{
	pyverify_error err = { 0 };

	cr_assert_eq(check_case("rekor2-happy-path", &err), 0, "%s", err.msg);
}

Test(merkle, conformance_corrupted_proof_hash_is_rejected)
{
	pyverify_error err = { 0 };

	assert_rejected(check_case("inclusion-proof-corrupted-hash_fail",
	                           &err), &err);
}
