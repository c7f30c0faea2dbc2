/*
 * tuf/tuf_impl.h - what the files of the TUF client share: parsed
 * metadata (metadata.c), keys and signature thresholds (keys.c), the
 * trusted set and its checks (trusted_set.c), delegation search
 * (delegation.c), the client state (client.c) and targets (target.c).
 */
#ifndef PV_TUF_IMPL_H
#define PV_TUF_IMPL_H

#include <openssl/evp.h>

#include "tuf/tuf.h"

#define TUF_WHY(why, whylen, ...)                                              \
	((why) != NULL && (whylen) > 0 ? snprintf((why), (whylen), __VA_ARGS__)  \
	                                 : 0)

enum tuf_type { TUF_ROOT, TUF_TIMESTAMP, TUF_SNAPSHOT, TUF_TARGETS };

/* ---- keys.c ------------------------------------------------------------- */

enum tuf_key_kind { TUF_KEY_UNUSABLE, TUF_KEY_ECDSA_P256, TUF_KEY_ED25519,
	            TUF_KEY_RSA_PSS, TUF_KEY_RSA_PKCS1 };
struct tuf_key {
	char *keyid;
	int kind;        /* TUF_KEY_UNUSABLE: unknown type, scheme or key */
	EVP_PKEY *pkey;  /* ECDSA and RSA */
	uint8_t ed25519[32];
};
struct tuf_keys {
	struct tuf_key *v;
	size_t n;
};
/* The keys object of root or of delegations; an unknown or malformed key
 * is kept as unusable (never fatal). EREJECT only for a malformed object. */
PV_MUST_CHECK int tuf_keys_parse(struct tuf_keys *out, const json_t *obj,
                                 const char *doc, char *why, size_t whylen);
void tuf_keys_clear(struct tuf_keys *k);
const struct tuf_key *tuf_keys_find(const struct tuf_keys *k,
                                    const char *keyid);
/* 1 if sighex is a valid signature by key over msg. */
int tuf_key_verify(const struct tuf_key *key, const char *sighex,
                   const uint8_t *msg, size_t len);

/* A role as a delegator lists it: keys, threshold, and for delegated
 * roles their paths and whether the search stops at them. */
struct tuf_role {
	char *name;
	char **keyids;
	size_t nkeyids;
	uint64_t threshold;
	char **paths;          /* NULL when path_hash_prefixes is used */
	size_t npaths;
	char **prefixes;
	size_t nprefixes;
	int terminating;
};
void tuf_role_clear(struct tuf_role *r);

/* ---- metadata.c ----------------------------------------------------------- */

struct tuf_meta_file {
	char *name;        /* "snapshot.json", "targets.json", "a%2Fb.json"... */
	uint64_t version;
	uint64_t length;   /* 0: not listed */
	pv_tuf_target hashes; /* only hashes/nhashes used */
};

struct tuf_md {
	int type;
	uint64_t version;
	int64_t expires;
	json_t *doc;           /* the whole document */
	char *canon;           /* canonical form of "signed" */
	size_t canonlen;
	/* root */
	int consistent_snapshot;
	struct tuf_keys keys;  /* root keys, or delegation keys of targets */
	struct tuf_role roles[4]; /* indexed by enum tuf_type */
	/* timestamp, snapshot */
	struct tuf_meta_file *meta;
	size_t nmeta;
	/* targets */
	json_t *targets;       /* borrowed from doc */
	struct tuf_role *dele;
	size_t ndele;
	/* TAP 15 "succinct_roles" (hash bins) instead of dele: one role
	 * entry (keyids, threshold; name is the name_prefix) standing for
	 * 2^succinct_bits roles <prefix>-<hex bin>. */
	int has_succinct;
	struct tuf_role succinct;
	unsigned succinct_bits;
};

/* Longest delegated role name: "<name>.json" fits every buffer the
 * client builds it in (the text of the refusal says 200). */
#define TUF_MAX_ROLE_NAME 200

/* Parses raw as a document of type, every field of "signed"
 * checked; signatures are not verified here. name is the role name in
 * messages ("root", "snapshot", a delegated role). */
PV_MUST_CHECK int tuf_md_parse(struct tuf_md **out, int type,
                               const char *name, const uint8_t *raw,
                               size_t len, char *why, size_t whylen);
void tuf_md_free(struct tuf_md *m);
const struct tuf_meta_file *tuf_md_meta(const struct tuf_md *m,
                                        const char *file);
/* Whether a threshold of role's keys (from keys) signed md. 0 or EREJECT. */
PV_MUST_CHECK int tuf_md_verify(const struct tuf_md *md,
                                const struct tuf_keys *keys,
                                const struct tuf_role *role, const char *name,
                                const char *signer, char *why, size_t whylen);
/* A hashes object into t's hashes; 0 or EREJECT. */
PV_MUST_CHECK int tuf_hashes_parse(pv_tuf_target *t, const json_t *obj,
                                   const char *where, char *why,
                                   size_t whylen);
/* buf against a listed length (0: none) and hashes; 0 or EREJECT. */
PV_MUST_CHECK int tuf_check_hashes(const pv_tuf_target *t, uint64_t length,
                                   const uint8_t *buf, size_t len,
                                   const char *what, char *why, size_t whylen);
/* One entry of a targets "targets" object into out. */
PV_MUST_CHECK int tuf_target_from_json(pv_tuf_target *out, const char *path,
                                       const json_t *v, char *why,
                                       size_t whylen);
const char *tuf_type_name(int type);

/* ---- delegation.c --------------------------------------------------------- */

/* Whether a delegated role's paths or hash prefixes cover target. */
int tuf_role_matches(const struct tuf_role *r, const char *target);
/* fnmatch-style pattern where '*' does not cross '/'. */
int tuf_path_match(const char *pattern, const char *path);
/* The succinct hash-bin role of md that target falls in:
 * "<prefix>-<bin>", the bin being the first succinct_bits bits of
 * SHA-256(target) in lowercase hex, zero-padded to the width of the
 * largest bin. 0, or -1 when out is too small. */
PV_MUST_CHECK int tuf_succinct_bin(const struct tuf_md *md,
                                   const char *target, char *out,
                                   size_t outlen);


/* ---- the client (client.c, trusted_set.c, delegation.c, target.c) ------- */

struct tuf_delegated {
	char *name;
	struct tuf_md *md;
};

struct pv_tuf_client {
	pv_tuf_config cfg;      /* strings below are owned copies */
	char *metadata_dir, *metadata_url, *targets_url, *targets_dir;
	char *ca_bundle, *user_agent;
	int64_t now;            /* reference time of the current refresh */
	int refreshed;
	struct tuf_md *root, *timestamp, *snapshot, *targets;
	struct tuf_delegated *dele;
	size_t ndele, capdele;
};

/* 1 when expiry counts (online) and md expired at the reference time. */
int tuf_expired(const pv_tuf_client *c, const struct tuf_md *md);

/* trusted_set.c: each update checks data against the trusted set (5.3 to
 * 5.6) and on success makes it trusted, consuming *md. A timestamp or
 * snapshot that verified but is expired or (snapshot) not the version the
 * timestamp lists is still made trusted, for rollback checks, and the
 * error returned; the caller then looks for a newer one. */
#define TUF_EQUAL_VERSION 1
PV_MUST_CHECK int tuf_update_root(pv_tuf_client *c, const uint8_t *raw,
                                  size_t len, char *why, size_t whylen);
PV_MUST_CHECK int tuf_update_timestamp(pv_tuf_client *c, const uint8_t *raw,
                                       size_t len, char *why, size_t whylen);
PV_MUST_CHECK int tuf_update_snapshot(pv_tuf_client *c, const uint8_t *raw,
                                      size_t len, int local, char *why,
                                      size_t whylen);
/* Targets metadata of role (top-level "targets" or delegated), delegated
 * by parent's role entry. */
PV_MUST_CHECK int tuf_update_targets(pv_tuf_client *c, const char *role,
                                     const struct tuf_md *parent_keys,
                                     const struct tuf_role *delegation,
                                     const uint8_t *raw, size_t len,
                                     char *why, size_t whylen);
PV_MUST_CHECK int tuf_check_final_timestamp(const pv_tuf_client *c,
                                            char *why, size_t whylen);
PV_MUST_CHECK int tuf_check_final_snapshot(const pv_tuf_client *c, char *why,
                                           size_t whylen);
const struct tuf_md *tuf_trusted_targets(const pv_tuf_client *c,
                                         const char *role);

/* client.c: loads role's targets metadata (local copy if it verifies,
 * else downloaded and persisted). */
PV_MUST_CHECK int tuf_load_targets(pv_tuf_client *c, const char *role,
                                   const struct tuf_md *parent,
                                   const struct tuf_role *delegation,
                                   const struct tuf_md **out, char *why,
                                   size_t whylen);
/* <dir>/<escaped name> into out; 0 or -1 when too long. */
PV_MUST_CHECK int tuf_local_path(char *out, size_t outlen, const char *dir,
                                 const char *name, const char *suffix);
/* net/ result to PV_TUF_ code. */
int tuf_net_code(int net_rc);

#endif /* PV_TUF_IMPL_H */
