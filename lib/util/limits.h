/*
 * util/limits.h - every bound on untrusted input, each with its reason.
 * Raise one only with a reason written next to it.
 */
#ifndef PV_LIMITS_H
#define PV_LIMITS_H

/* Largest real bundle in the test data is ~16 KB; DSSE bundles carry an
 * in-toto statement (SLSA provenance is tens of KB). 8 MiB leaves room. */
#define PV_MAX_BUNDLE_BYTES (8u << 20)
/* The production trusted root is ~7 KB. */
#define PV_MAX_TRUST_ROOT_BYTES (4u << 20)
/* A managed public key in PEM. */
#define PV_MAX_KEY_PEM_BYTES (64u << 10)
/* Same bound as sigstore-go (internal/limits). */
#define PV_MAX_TLOG_ENTRIES 32
#define PV_MAX_TIMESTAMPS 32
/* A tree of 2^63 leaves needs at most 63 siblings plus border nodes. */
#define PV_MAX_PROOF_HASHES 64
/* Leaf, a few intermediates, root. */
#define PV_MAX_CHAIN_CERTS 10
/* Fulcio leaves are ~3 KB with many extensions; RSA chains are larger. */
#define PV_MAX_CERT_BYTES (64u << 10)
/* A log entry body; intoto bodies embed the whole envelope. */
#define PV_MAX_BODY_BYTES (4u << 20)
/* A checkpoint is a few hundred bytes plus a line per cosignature. */
#define PV_MAX_CHECKPOINT_BYTES (64u << 10)
/* Go's sumdb/note reads at most 100 signature lines. */
#define PV_MAX_CHECKPOINT_SIGS 100
/* Entries per trusted-root section (production has 2-3). */
#define PV_MAX_TRUST_ENTRIES 256
/* in-toto limits from sigstore-go. */
#define PV_MAX_DSSE_SUBJECTS 1024
#define PV_MAX_SUBJECT_DIGESTS 32
/* Short strings: media types, kinds, versions, enum names, hints. */
#define PV_MAX_SHORT_STRING 256
/* URLs and identities (SAN values, issuers). */
#define PV_MAX_VALUE_STRING 4096
/* SAN entries examined in one certificate (Fulcio writes exactly one). */
#define PV_MAX_SANS 64
/* SCTs in one certificate. */
#define PV_MAX_SCTS 16
/* Identities in one policy. */
#define PV_MAX_POLICY_RULES 64
/* JSON nesting depth accepted in any document. */
#define PV_MAX_JSON_DEPTH 32

/* TUF metadata, each role by what Sigstore's repositories need with room
 * to grow (the same bounds as python-tuf's defaults): a download that
 * grows past its bound is cut off (endless-data attack). */
#define PV_MAX_TUF_ROOT_BYTES (512u << 10)
#define PV_MAX_TUF_TIMESTAMP_BYTES (16u << 10)
#define PV_MAX_TUF_SNAPSHOT_BYTES (2u << 20)
#define PV_MAX_TUF_TARGETS_BYTES (5u << 20)
/* A target is bounded by its listed length, and that by this. */
#define PV_MAX_TUF_TARGET_BYTES (64u << 20)
/* Root versions walked in one refresh (python-tuf: 256). */
#define PV_TUF_MAX_ROOT_ROTATIONS 256
/* Delegated roles visited in one target search (python-tuf: 32). */
#define PV_TUF_MAX_DELEGATIONS 32
/* Keys and signatures in one TUF document. */
#define PV_MAX_TUF_KEYS 1024
#define PV_MAX_TUF_SIGNATURES 1024

/* HTTP answers (net/). A Retry-After longer than this is cut to it, so a
 * server cannot park a client; the backoff between retries never grows
 * past the cap; redirects are followed at most this many times (curl's
 * own tool defaults to 50; no Sigstore service needs more than one). */
#define PV_NET_MAX_RETRY_AFTER_MS 5000
#define PV_NET_MAX_BACKOFF_MS 8000
#define PV_NET_MAX_RETRIES 8
#define PV_NET_MAX_REDIRECTS 5

/* Identity tokens (sign/oidc_*.c): a GitHub Actions JWT is ~1.5 KB, a Dex
 * one smaller; 64 KiB leaves room for large claim sets. The OIDC
 * provider's answers (discovery document, token response) are small JSON;
 * a pasted out-of-band code is a few dozen characters; the browser's
 * redirect to the loopback listener is one request head. */
#define PV_MAX_ID_TOKEN_BYTES (64u << 10)
#define PV_MAX_OIDC_ANSWER_BYTES (256u << 10)
#define PV_MAX_OIDC_CODE_BYTES 2048
#define PV_MAX_OIDC_REQUEST_HEAD 8192

#endif
