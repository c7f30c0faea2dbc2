/*
 * bundle_fx.h - tiny synthetic bundles for the bundle parser tests
 * (test_bundle.c, test_bundle_rejections.c): nothing in them is verified,
 * so arbitrary bytes stand in for keys, hashes and signatures. Criterion
 * assertions inside. Names start with bf_: the support objects are linked
 * into every test binary.
 */
#ifndef BUNDLE_FX_H
#define BUNDLE_FX_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "verify/steps.h"

#define V01 "application/vnd.dev.sigstore.bundle+json;version=0.1"
#define V02 "application/vnd.dev.sigstore.bundle+json;version=0.2"
#define V03 "application/vnd.dev.sigstore.bundle+json;version=0.3"
#define V03B "application/vnd.dev.sigstore.bundle.v0.3+json"
#define CHECKPOINT "log.example - 1\n100\nERERERERERERERERERERERERERERERERERERERERERE=\n\n" \
	"\xe2\x80\x94 log.example AAAAAQ==\n"

/* Builders: base64 of n bytes of value v; of a text; one log entry; a
 * valid bundle of the given version (certificate for v0.3, a one-element
 * chain before; one entry with promise and proof; a message signature with
 * a SHA2_256 digest). The value at a dotted path, set and delete there. */
json_t *bf_b64(uint8_t v, size_t n);
json_t *bf_b64_str(const char *text);
json_t *bf_entry(const char *log_index, uint8_t log_id);
json_t *bf_base_bundle(const char *media_type);
json_t *bf_at(json_t *j, const char *path);
void bf_set(json_t *j, const char *path, const char *key, json_t *v);
void bf_del(json_t *j, const char *path, const char *key);
int bf_load_text(const char *text, pyverify_bundle **b, pyverify_error *err);
/* bf_load consumes j; the expect_ ones assert a rejection at the format
 * step with a message fragment, or a load. */
int bf_load(json_t *j, pyverify_bundle **b, pyverify_error *err);
void bf_expect_text_reject(const char *text, const char *word);
void bf_expect_reject(json_t *j, const char *word);
pyverify_bundle *bf_expect_load(json_t *j);
int bf_all_bytes(const struct pv_bytes *b, uint8_t v, size_t n);
int bf_bytes_eq(const struct pv_bytes *b, const char *text);

#endif
