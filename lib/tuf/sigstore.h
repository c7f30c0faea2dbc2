/*
 * tuf/sigstore.h - Sigstore's TUF repositories on top of the TUF client:
 * which repository, its pinned bootstrap root, the on-disk cache, and the
 * targets Sigstore clients need (trusted_root.json, and
 * signing_config.v0.2.json when listed). Published as pyverify_tuf_*.
 */
#ifndef PV_TUF_SIGSTORE_H
#define PV_TUF_SIGSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "tuf/tuf.h"
#include "util/util.h"

#define PV_SIGSTORE_PRODUCTION_URL "https://tuf-repo-cdn.sigstore.dev"
#define PV_SIGSTORE_STAGING_URL "https://tuf-repo-cdn.sigstage.dev"
#define PV_SIGSTORE_TRUSTED_ROOT "trusted_root.json"
#define PV_SIGSTORE_SIGNING_CONFIG "signing_config.v0.2.json"

/* A bootstrap root named by version and digest: <url>/<version>.root.json
 * must hash to sha256 (lowercase hex) before anything in it is trusted. */
typedef struct {
	const char *url;
	uint64_t version;
	const char *sha256;
} pv_sigstore_pin;

/* The built-in repositories: [0] production, [1] staging. */
extern const pv_sigstore_pin pv_sigstore_builtin[2];

/* One repository resolved from the options: where it is and where its
 * cache lives. */
typedef struct {
	char url[PYVERIFY_TUF_PATH_MAX];   /* no trailing '/' */
	char dir[PYVERIFY_TUF_PATH_MAX];   /* <cache>/<name> */
	char metadata_dir[PYVERIFY_TUF_PATH_MAX];
	char targets_dir[PYVERIFY_TUF_PATH_MAX];
	char trusted_root_file[PYVERIFY_TUF_PATH_MAX];   /* in targets_dir */
	char signing_config_file[PYVERIFY_TUF_PATH_MAX];
	char stamp[PYVERIFY_TUF_PATH_MAX]; /* last successful refresh */
	char lock[PYVERIFY_TUF_PATH_MAX];
	pv_sigstore_pin pin;               /* url NULL: no pin */
	const char *root_file;             /* bootstrap from a file */
	int64_t now;
	int64_t max_age;                   /* < 0: always refresh */
	pv_net_opts net;
} pv_sigstore_repo;

/* Resolves opts against pins (the built-in ones in the public API; tests
 * pin a generated root): url NULL means production (staging), an explicit
 * url uses the pin listed for it unless opts->root_file is given. */
PV_MUST_CHECK int pv_sigstore_resolve(pv_sigstore_repo *r,
                                      const pyverify_tuf_options *opts,
                                      const pv_sigstore_pin *pins,
                                      size_t npins, pyverify_error *err);

/* The cache directory's name for a repository URL: its host (unsafe bytes
 * as '_') and the first 8 bytes of the URL's SHA-256 in hex. */
PV_MUST_CHECK int pv_sigstore_repo_name(char *out, size_t outlen,
                                        const char *url);

/* "3 days 4 hours", "25 minutes", "less than a minute". */
void pv_sigstore_format_age(char *out, size_t outlen, int64_t seconds);

/* The stamp of the last successful refresh: its time and the SHA-256
 * (lowercase hex) of the trusted_root.json it verified. Read: 0, or -1
 * when missing or malformed. */
int pv_sigstore_stamp_read(const pv_sigstore_repo *r, int64_t *t,
                           char sha256[65]);
PV_MUST_CHECK int pv_sigstore_stamp_write(const pv_sigstore_repo *r,
                                          int64_t t, const char *sha256);

/* An advisory lock on the repository's cache (flock on its lock file),
 * exclusive for a refresh, shared for reads; -1 when the lock file cannot
 * be opened (a read-only cache is still readable, unlocked). */
int pv_sigstore_lock(const pv_sigstore_repo *r, int exclusive);
void pv_sigstore_unlock(int fd);

/* Whether the metadata directory holds a root.json. */
int pv_sigstore_have_root(const pv_sigstore_repo *r);

/* The bootstrap: when the metadata directory holds no root.json yet,
 * writes the pinned root (downloaded, digest checked first) or the root
 * file there and returns 1; 0 when a root was there already; negative
 * (PYVERIFY_EUSAGE when the repository has neither) on failure. */
PV_MUST_CHECK int pv_sigstore_bootstrap(const pv_sigstore_repo *r,
                                        pyverify_error *err);

/* The pyverify_tuf_* functions with the pins given. */
PV_MUST_CHECK int pv_sigstore_update(pyverify_tuf_info *info,
                                     const pyverify_tuf_options *opts,
                                     const pv_sigstore_pin *pins,
                                     size_t npins, pyverify_error *err);
PV_MUST_CHECK int pv_sigstore_trust_root(pyverify_trust_root **out,
                                         pyverify_tuf_info *info,
                                         const pyverify_tuf_options *opts,
                                         const pv_sigstore_pin *pins,
                                         size_t npins, pyverify_error *err);
PV_MUST_CHECK int pv_sigstore_status(pyverify_tuf_info *info,
                                     const pyverify_tuf_options *opts,
                                     const pv_sigstore_pin *pins,
                                     size_t npins, pyverify_error *err);

#endif /* PV_TUF_SIGSTORE_H */
