/*
 * tuf_fx.h - a TUF repository generated in C for tests, served by http_fx.
 *
 * A struct tfx holds the state of one repository: its keys, the four
 * top-level roles and any delegated targets roles (keys, threshold,
 * version, expiry, who signs), and the targets each targets role lists.
 * Nothing is signed until tfx_publish: it builds every document from the
 * state, signs the canonical JSON (pv_tuf_cjson) of "signed" with the
 * chosen keys and puts the files on an hfx server under the names a client
 * asks for:
 *   consistent snapshots (default): /N.root.json for every root version,
 *   /timestamp.json, /V.snapshot.json, /V.targets.json,
 *   /V.<percent-encoded role>.json, /targets/<sha256>.<name>
 *   otherwise: /N.root.json, /timestamp.json, /snapshot.json,
 *   /targets.json, /<role>.json, /targets/<name>
 * Earlier published files stay on the server (as on a real CDN).
 *
 * Roles are named by their role name ("root", "timestamp", "snapshot",
 * "targets", or a delegated role's name). Defaults of tfx_new: one
 * ed25519 key per top-level role, threshold 1, version 1, expiry the
 * reference time plus 30 days, consistent snapshots, no targets.
 *
 * Typical use:
 *   struct tfx *r = tfx_new(now);
 *   tfx_add_target(r, "targets", "a.txt", "hello", 5);
 *   tfx_publish(r, srv);                     -- v1 of everything
 *   tfx_bump_release(r);                     -- targets/snapshot/timestamp+1
 *   tfx_root_rotate(r); tfx_set_new_key(r, "timestamp", TFX_ECDSA);
 *   tfx_publish(r, srv);                     -- 2.root.json signed by v1 and
 *                                              v2 root keys
 *
 * Functions fail the running Criterion test on setup errors (they never
 * return an error), so a test reads as a list of repository events.
 */
#ifndef TUF_FX_H
#define TUF_FX_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "tuf/tuf.h"

struct hfx;
struct tfx;
struct tfx_key;

enum tfx_scheme {
	TFX_ED25519,          /* libsodium, keyval hex */
	TFX_ECDSA,            /* keytype "ecdsa", P-256, keyval PEM */
	TFX_ECDSA_KEYTYPE,    /* the older keytype "ecdsa-sha2-nistp256" */
	TFX_RSA_PSS,          /* rsassa-pss-sha256, 2048 bits, PEM */
	TFX_UNKNOWN_SCHEME    /* keytype/scheme no client knows; its
	                         "signature" is 64 zero bytes */
};

/* ---- the repository ---------------------------------------------------- */

/* now: the reference time the default expiry is counted from (Unix s). */
struct tfx *tfx_new(int64_t now);
void tfx_free(struct tfx *r); /* accepts NULL */

/* Consistent snapshots on (default) or off; written into root. */
void tfx_set_consistent(struct tfx *r, int on);

/* ---- keys ------------------------------------------------------------- */

/* A new key owned by the repository (freed by tfx_free). */
struct tfx_key *tfx_key_new(struct tfx *r, enum tfx_scheme s);
/* The keyid: hex SHA-256 of the canonical JSON of the public key. */
const char *tfx_key_id(const struct tfx_key *k);

/* The role's keys and threshold (replaces them); keys[0..n). */
void tfx_set_keys(struct tfx *r, const char *role, struct tfx_key *const *keys,
                  size_t n, unsigned threshold);
/* Adds a key to the role's keys (threshold unchanged); returns it. */
struct tfx_key *tfx_add_key(struct tfx *r, const char *role,
                            enum tfx_scheme s);
/* Replaces the role's keys by one new key of scheme s, threshold 1. */
struct tfx_key *tfx_set_new_key(struct tfx *r, const char *role,
                                enum tfx_scheme s);
void tfx_set_threshold(struct tfx *r, const char *role, unsigned threshold);
struct tfx_key *tfx_role_key(struct tfx *r, const char *role, size_t i);

/* Who signs the role's next documents: exactly keys[0..n) (any keys,
 * fewer than the threshold, or keys the role does not list). n == 0
 * restores the default: the role's own keys and, for a new root, also
 * the previous root's root keys. */
void tfx_sign_with(struct tfx *r, const char *role,
                   struct tfx_key *const *keys, size_t n);
/* Every signature of the role's next documents is wrong (a bit flipped). */
void tfx_set_bad_signature(struct tfx *r, const char *role, int on);

/* ---- versions and expiry ----------------------------------------------- */

void tfx_set_version(struct tfx *r, const char *role, uint64_t version);
uint64_t tfx_version(struct tfx *r, const char *role);
void tfx_bump(struct tfx *r, const char *role);
/* A new release: targets, snapshot and timestamp versions + 1. */
void tfx_bump_release(struct tfx *r);
void tfx_set_expires(struct tfx *r, const char *role, int64_t expires);

/* A new root version: the current root is built and kept as it is (it
 * stays served as N.root.json), the version goes up by one and the next
 * root is signed, by default, by the old root's root keys and the new
 * ones. Change keys after this call. */
void tfx_root_rotate(struct tfx *r);

/* ---- how a role is listed in the meta of the role above it -------------
 * (timestamp lists snapshot; snapshot lists targets and delegated roles) */

/* List length and sha256 too (default: version only, as Sigstore does). */
void tfx_meta_hashes(struct tfx *r, const char *role, int on);
/* The listed version is the real one + delta. */
void tfx_meta_version_delta(struct tfx *r, const char *role, int64_t delta);
/* The listed sha256 is wrong / the listed length is one short. */
void tfx_meta_bad_hash(struct tfx *r, const char *role, int on);
void tfx_meta_bad_length(struct tfx *r, const char *role, int on);
/* The listed length is this (any value, e.g. far above the role's bound). */
void tfx_meta_length(struct tfx *r, const char *role, uint64_t length);

/* ---- targets and delegations ------------------------------------------- */

/* Lists (or replaces) a target in a targets role; its file is served. */
void tfx_add_target(struct tfx *r, const char *role, const char *name,
                    const void *data, size_t len);
void tfx_remove_target(struct tfx *r, const char *role, const char *name);
/* The URL path the target is served at ("/targets/<sha256>.<name>"). */
const char *tfx_target_path(struct tfx *r, const char *role, const char *name,
                            char *buf, size_t buflen);

/* Delegates from parent (a targets role) to a new role `name`, appended
 * to parent's delegations (search order). paths and hash_prefixes are
 * NULL-terminated lists; exactly one of them is non-NULL. One new ed25519
 * key, threshold 1, version 1. */
void tfx_delegate(struct tfx *r, const char *parent, const char *name,
                  const char *const *paths, const char *const *hash_prefixes,
                  int terminating);

/* ---- publishing -------------------------------------------------------- */

/* Builds and signs every document and puts it on s. */
void tfx_publish(struct tfx *r, struct hfx *s);

/* The last built bytes of a role (root: the current version), owned by
 * the repository; valid until the next publish. */
const uint8_t *tfx_bytes(struct tfx *r, const char *role, size_t *len);
/* Root version v as published (NULL when it was never built). */
const uint8_t *tfx_root_bytes(struct tfx *r, uint64_t v, size_t *len);
/* The URL path the role's current document is served at
 * ("/3.snapshot.json", "/timestamp.json", "/2.root.json"). */
const char *tfx_meta_path(struct tfx *r, const char *role, char *buf,
                          size_t buflen);

/* ---- Sigstore-shaped repositories (CLI and daemon tests) ---------------- */

/* A fresh repository (ecdsa keys, as Sigstore's) whose top-level targets
 * list "trusted_root.json" and, when sc is not NULL,
 * "signing_config.v0.2.json", published on s. Init a client with
 * tfx_root_bytes(r, 1, &len). */
struct tfx *tfx_sigstore_repo(struct hfx *s, int64_t now, const void *tr,
                              size_t tr_len, const void *sc, size_t sc_len);
/* A new release serving new trusted_root.json bytes (and, when sc is not
 * NULL, a new signing config); with rotate_root, also a new root version
 * with a new root key, signed by the old and new keys. Published on s. */
void tfx_sigstore_update(struct tfx *r, struct hfx *s, const void *tr,
                         size_t tr_len, const void *sc, size_t sc_len,
                         int rotate_root);

/* ---- helpers for tests ------------------------------------------------ */

/* A new empty directory under $TMPDIR (malloc'd path). */
char *tfx_tmpdir(const char *tag);
/* Removes a directory tree (accepts NULL). */
void tfx_rmtree(const char *dir);
/* dir/name read whole (malloc'd, NUL appended); NULL when absent. */
uint8_t *tfx_read(const char *dir, const char *name, size_t *len);
/* Lowercase hex of SHA-256 (out: 65 bytes). */
void tfx_sha256_hex(char out[65], const void *data, size_t len);
/* Percent-encodes one path segment as RFC 3986 says (unreserved kept). */
const char *tfx_escape(const char *s, char *buf, size_t buflen);

/* ---- a client against a served repository (tuf_fx_client.c) ------------ */

/* One test's world: a loopback server, a repository, a metadata and a
 * targets directory, and a client configured with the reference time. */
struct tfx_env {
	struct hfx *srv;
	struct tfx *repo;
	char *dir;          /* metadata directory */
	char *tdir;         /* targets directory */
	pv_tuf_config cfg;
	pv_tuf_client *c;
	char why[512];
};

/* Server, default repository (not yet published), directories and cfg
 * (net: 2 s connect, 10 s total, no retries). */
void tfx_env_start(struct tfx_env *e, int64_t now);
/* Publishes the repository, writes root version 1 into the metadata
 * directory and opens the client. */
void tfx_env_init(struct tfx_env *e);
/* Opens (again) a client on the same directory: a restart. */
void tfx_env_reopen(struct tfx_env *e);
int tfx_env_refresh(struct tfx_env *e);
void tfx_env_stop(struct tfx_env *e);

/* Every file of the metadata directory, kept to compare later. */
struct tfx_saved {
	char *name[16];
	uint8_t *data[16];
	size_t len[16], n;
};
void tfx_save(struct tfx_saved *s, const char *dir);
/* dir/name holds exactly what it held when saved (or is still absent). */
void tfx_assert_kept(const struct tfx_saved *s, const char *dir,
                     const char *name);
/* dir/name holds exactly want[0..len). */
void tfx_assert_file(const char *dir, const char *name, const uint8_t *want,
                     size_t len);
void tfx_saved_free(struct tfx_saved *s);
/* Whether why names `word` (ASCII case ignored). */
int tfx_mentions(const char *why, const char *word);

#endif
