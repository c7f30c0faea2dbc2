/* tuf_fx_impl.h - what the tuf_fx*.c files share (not for tests). */
#ifndef TUF_FX_IMPL_H
#define TUF_FX_IMPL_H

#include <openssl/evp.h>
#include <sodium.h>

#include "tuf_fx.h"

struct tfx_key {
	enum tfx_scheme scheme;
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
	EVP_PKEY *pkey;
	json_t *pub; /* {"keytype", "scheme", "keyval": {"public"}} */
	char id[65];
};

/* Key generation and signing (tuf_fx_keys.c). */
struct tfx_key *tfx_key_make(enum tfx_scheme s);
void tfx_key_free(struct tfx_key *k);
/* One signature over msg as hex (malloc'd); bad flips a bit first. */
char *tfx_key_sign(const struct tfx_key *k, const char *msg, size_t len,
                   int bad);

/* The repository's state (tuf_fx.c); documents are built from it by
 * tuf_fx_publish.c. */
#define TFX_MAX_KEYS 8
#define TFX_MAX_TARGETS 16
#define TFX_MAX_ROLES 16
#define TFX_MAX_PATTERNS 8
#define TFX_MAX_ROOTS 300
#define TFX_MAX_ALL_KEYS 128

struct tfx_target {
	char *name;
	uint8_t *data;
	size_t len;
};

struct tfx_role {
	char name[64];
	int parent;                 /* index of the delegating role, or -1 */
	uint64_t version;
	int64_t expires;
	struct tfx_key *keys[TFX_MAX_KEYS];
	size_t nkeys;
	unsigned threshold;
	struct tfx_key *signers[TFX_MAX_KEYS];
	size_t nsigners;            /* 0: the default signers */
	int bad_sig;
	/* delegated roles */
	char *paths[TFX_MAX_PATTERNS];
	size_t npaths;
	char *prefixes[TFX_MAX_PATTERNS];
	size_t nprefixes;
	int use_prefixes, terminating;
	/* how the role is listed in the meta above it */
	int meta_hashes, meta_bad_hash, meta_bad_length;
	uint64_t meta_length; /* listed instead of the real one; 0: real */
	int64_t meta_version_delta;
	/* targets roles */
	struct tfx_target targets[TFX_MAX_TARGETS];
	size_t ntargets;
	uint8_t *bytes; /* the last built document */
	size_t len;
};

enum { R_ROOT, R_TIMESTAMP, R_SNAPSHOT, R_TARGETS, R_TOP };

struct tfx {
	int64_t now;
	int consistent;
	struct tfx_role roles[TFX_MAX_ROLES];
	size_t nroles;
	struct tfx_key *all[TFX_MAX_ALL_KEYS]; /* owned */
	size_t nall;
	/* root keys and threshold of the previous root version */
	struct tfx_key *prev_root_keys[TFX_MAX_KEYS];
	size_t nprev_root_keys;
	struct {
		uint8_t *bytes;
		size_t len;
	} roots[TFX_MAX_ROOTS + 1]; /* by version */
};

extern const char *const TFX_TOP[R_TOP];

struct tfx_role *tfx_role_of(struct tfx *r, const char *name);

#endif
