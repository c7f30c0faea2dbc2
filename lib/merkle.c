/* merkle.c - STUB: to be implemented. */
#include "internal.h"

void pv_merkle_leaf_hash(uint8_t out[32], const uint8_t *data, size_t len) { (void)out; (void)data; (void)len; }
int pv_merkle_verify_inclusion(const uint8_t leaf_hash[32], uint64_t index, uint64_t size, const uint8_t (*proof)[32], size_t n_proof, const uint8_t root[32], pyverify_error *err)
{ (void)leaf_hash; (void)index; (void)size; (void)proof; (void)n_proof; (void)root; return pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_INCLUSION_PROOF, "not implemented"); }
