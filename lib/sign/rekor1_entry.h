/*
 * sign/rekor1_entry.h - a Rekor v1 log entry answer ({uuid: entry}) read
 * defensively and converted to the bundle's TransparencyLogEntry (SPEC
 * 5.8's table). Internal to rekor1.c.
 */
#ifndef PV_SIGN_REKOR1_ENTRY_H
#define PV_SIGN_REKOR1_ENTRY_H

#include "sign/service_call.h"

/* An entry with a 4 MiB body is ~5.6 MB in base64; proofs and the
 * checkpoint add little. 8 MiB bounds a hostile answer. */
#define PV_REKOR1_MAX_ANSWER (8u << 20)

/* ans is the whole answer: exactly one member, keyed by the entry UUID
 * (uuid, when not NULL, must end with the same 64-digit leaf hash). The
 * entry must be about in (kind, digest and signature, or the envelope's
 * hash). On 0, *tle is a new object. Step REKOR, messages naming s. */
PV_MUST_CHECK int pv_rekor1_entry_to_tle(const struct pv_svc *s,
                                         const json_t *ans, const char *uuid,
                                         const struct pv_rekor_input *in,
                                         json_t **tle, pyverify_error *err);

#endif /* PV_SIGN_REKOR1_ENTRY_H */
