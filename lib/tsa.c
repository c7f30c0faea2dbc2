/* tsa.c - STUB: to be implemented. */
#include "internal.h"

int pv_tsa_verify(const pyverify_trust_root *root, const uint8_t *resp, size_t resp_len, const uint8_t *signature, size_t sig_len, int64_t *gen_time_ms, pyverify_error *err)
{ (void)root; (void)resp; (void)resp_len; (void)signature; (void)sig_len; (void)gen_time_ms; return pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_TIMESTAMP, "RFC 3161 timestamps are not supported yet"); }
