/*
 * jcs.h - RFC 8785 JSON Canonicalization Scheme over jansson values, the
 * subset Sigstore needs (SPEC 0.2): objects, arrays, strings, integers,
 * true/false/null. Used to build the Rekor v1 signed entry timestamp
 * payload (SPEC 3.9) and to rebuild Rekor v2 entry bodies (SPEC 3.8.3).
 *
 * Internal: not installed.
 */
#ifndef PV_JCS_H
#define PV_JCS_H

#include <stddef.h>

#include <jansson.h>

/*
 * Serialises v canonically: no whitespace, object members sorted by key as
 * UTF-16 code units, strings with only the JCS escapes, integers in
 * shortest decimal form. Returns a malloc'd NUL-terminated buffer (caller
 * frees) and its length without the NUL in *len; NULL when v holds a value
 * JCS cannot reproduce here (a real, an integer beyond +-(2^53 - 1), invalid
 * UTF-8), nests deeper than PV_MAX_JSON_DEPTH, or on out of memory.
 */
char *pv_jcs_dumps(const json_t *v, size_t *len);

#endif /* PV_JCS_H */
