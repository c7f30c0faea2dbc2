/* dsse.c - STUB: to be implemented. */
#include "internal.h"

int pv_dsse_pae(struct pv_bytes *out, const char *type, const uint8_t *body, size_t body_len)
{ (void)out; (void)type; (void)body; (void)body_len; return -1; }
int pv_dsse_match_subject(const char *payload_type, const uint8_t *payload, size_t len, const uint8_t sha256[32], pyverify_error *err)
{ (void)payload_type; (void)payload; (void)len; (void)sha256; return pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_ARTIFACT, "DSSE envelopes are not supported yet"); }
