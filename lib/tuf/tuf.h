/*
 * tuf/tuf.h - the TUF 1.0 client (theupdateframework.io specification,
 * "Detailed client workflow"), internal contract of the tuf/ layer.
 *
 * The client keeps trusted metadata in one directory under unversioned
 * names (root.json, timestamp.json, snapshot.json, targets.json, and
 * <percent-encoded role>.json for delegated roles), each file exactly the
 * bytes that were verified, written atomically (pv_file_write_atomic).
 * Every download goes through net/ with the size bound of its role
 * (util/limits.h) or, for a target, its listed length.
 *
 * Sits on util/, crypto/ and net/; the Sigstore layer (which repository,
 * pinned roots, the cache, trusted_root.json) is built on it.
 */
#ifndef PV_TUF_H
#define PV_TUF_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "net/net.h"
#include "util/util.h"

/* Results of every pv_tuf_ function. */
enum {
	PV_TUF_OK = 0,
	PV_TUF_ENET = -1,      /* the repository could not be reached or did
	                          not answer usably (after net/'s retries) */
	PV_TUF_EREJECT = -2,   /* metadata or a target failed a check:
	                          signatures, threshold, version, rollback,
	                          expiry, length, hash, malformed document */
	PV_TUF_EIO = -3,       /* the local metadata directory or target
	                          cache could not be read or written */
	PV_TUF_ENOTFOUND = -4, /* no trusted targets metadata lists the target
	                          (or, offline, it is not cached) */
	PV_TUF_ENOMEM = -5,
	PV_TUF_EUSAGE = -6     /* bad configuration, no trusted root in the
	                          directory */
};

/* OLPC canonical JSON as TUF and securesystemslib sign it (not RFC 8785):
 * object keys sorted by their UTF-8 bytes, no insignificant whitespace,
 * strings with only '"' and '\\' escaped (every other byte as is),
 * integers only (a real number is refused), true/false/null. *out is
 * malloc'd and NUL-terminated (not counted in *len). 0, or -1 when v holds
 * a real number or memory runs out. */
PV_MUST_CHECK int pv_tuf_cjson(const json_t *v, char **out, size_t *len);

typedef struct {
	const char *metadata_dir; /* required; created if missing */
	/* Base URL of the metadata: <metadata_url>/<N>.root.json,
	 * /timestamp.json, /<N>.snapshot.json, ... */
	const char *metadata_url;
	/* Base URL of the targets; NULL: <metadata_url>/targets. */
	const char *targets_url;
	/* Where verified targets are kept, under their percent-encoded target
	 * path; a cached copy that matches the trusted length and hashes is
	 * used without downloading. NULL: no target cache. */
	const char *targets_dir;
	pv_net_opts net;
	/* The reference time of expiry checks, Unix seconds. 0: the system
	 * clock (time(), so faketime works), read once per refresh. Tests set
	 * it; it is not a user option. */
	int64_t now;
	/* Never touch the network: the local metadata is loaded and its
	 * signatures, versions and hashes are checked as in a refresh, but
	 * expiry is not (hard offline operation), and targets come from
	 * targets_dir only. */
	int offline;
	unsigned max_root_rotations; /* 0: PV_TUF_MAX_ROOT_ROTATIONS */
	unsigned max_delegations;    /* 0: PV_TUF_MAX_DELEGATIONS */
} pv_tuf_config;

typedef struct pv_tuf_client pv_tuf_client;

typedef struct {
	int present;
	uint64_t version;
	int64_t expires; /* Unix seconds */
} pv_tuf_role_state;

typedef struct {
	pv_tuf_role_state root, timestamp, snapshot, targets;
	int consistent_snapshot;
} pv_tuf_state;

#define PV_TUF_MAX_TARGET_HASHES 4
/* A target as the trusted targets metadata lists it. */
typedef struct {
	char *path;
	uint64_t length;
	struct {
		char alg[16];     /* "sha256", "sha512" */
		uint8_t digest[64];
		size_t len;
	} hashes[PV_TUF_MAX_TARGET_HASHES];
	size_t nhashes;
	json_t *custom;       /* the "custom" object or NULL (owned) */
} pv_tuf_target;

/* Writes root (unchecked bytes, as the suite's `init` wants) as the
 * trusted root.json of a new metadata directory. */
PV_MUST_CHECK int pv_tuf_init_dir(const char *metadata_dir,
                                  const uint8_t *root, size_t len,
                                  char *why, size_t whylen);

/* Opens the directory: loads root.json and checks that a threshold of its
 * own root keys signed it (an unusable local root is PV_TUF_EUSAGE). */
PV_MUST_CHECK int pv_tuf_open(pv_tuf_client **out, const pv_tuf_config *cfg,
                              char *why, size_t whylen);

/* The top-level workflow (5.3 root, 5.4 timestamp, 5.5 snapshot, 5.6
 * targets): on success the trusted set is current and persisted. On
 * failure what was trusted before is still what is on disk (each role is
 * persisted only after it verified). Offline: loads and checks the local
 * set without the network. */
PV_MUST_CHECK int pv_tuf_refresh(pv_tuf_client *c, char *why, size_t whylen);

/* Finds a target after pv_tuf_refresh: the top-level targets first, then
 * the delegation tree in preorder (5.6.7), fetching delegated metadata
 * only when needed. out is filled on PV_TUF_OK; clear it with
 * pv_tuf_target_clear. */
PV_MUST_CHECK int pv_tuf_target_info(pv_tuf_client *c, const char *name,
                                     pv_tuf_target *out, char *why,
                                     size_t whylen);

/* The target's bytes, checked against its length and every hash listed:
 * from targets_dir when a matching copy is there, else downloaded
 * (<sha256>.<name> with consistent snapshots, each hash prefix tried in
 * turn) and stored in targets_dir. *out is malloc'd (NUL appended). */
PV_MUST_CHECK int pv_tuf_target_fetch(pv_tuf_client *c, const pv_tuf_target *t,
                                      uint8_t **out, size_t *len, char *why,
                                      size_t whylen);

/* Whether buf matches t's length and all its hashes (at least one known
 * algorithm); 0 or PV_TUF_EREJECT. */
PV_MUST_CHECK int pv_tuf_target_matches(const pv_tuf_target *t,
                                        const uint8_t *buf, size_t len,
                                        char *why, size_t whylen);

void pv_tuf_target_clear(pv_tuf_target *t);
void pv_tuf_get_state(const pv_tuf_client *c, pv_tuf_state *out);
void pv_tuf_free(pv_tuf_client *c);

#endif /* PV_TUF_H */
