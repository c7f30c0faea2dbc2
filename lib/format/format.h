/*
 * format/format.h - the parsed forms of the documents pyverify reads:
 * trusted roots and bundles (the JSON parsers live beside this header).
 * Uses util/ and crypto/. */
#ifndef PV_FORMAT_H
#define PV_FORMAT_H

#include "crypto/crypto.h"

/* ---- trusted root (trust_root.c) ----------------------------------------- */

/* A transparency log or CT log of the trusted root. */
struct pv_tlog {
	char *base_url;
	char *origin;        /* base_url without scheme and trailing '/':
	                        the Rekor v2 checkpoint origin and key name */
	uint8_t log_id[32];  /* logId.keyId (always 32 bytes) */
	struct pv_pubkey key;
	struct pv_time_range valid; /* publicKey.validFor */
};

/* A Fulcio CA or a timestamp authority. */
struct pv_ca {
	char *uri;
	/* certChain in file order: most specific first, trust anchor last.
	 * Kept as DER and decoded at first use, through pv_ca_certs(): a
	 * verification needs one or two entries of a root, and in OpenSSL 3.0
	 * each d2i_X509 runs the provider decoder for the certificate's key
	 * (issue 12: 3 of a CLI run's 6 certificate decodes were entries it
	 * never used). Load checks the framing of each; one that does not
	 * frame as strict DER is decoded at load, as before. */
	struct pv_bytes *ders;
	size_t n_certs;      /* >= 1 */
	X509 **_Atomic certs; /* NULL until decoded; read via pv_ca_certs() */
	struct pv_time_range valid;
	/* Whether the entry's own chain (certs[0] up to the anchor) holds,
	 * so a leaf issued by certs[0] can be checked against certs[0]
	 * alone, plus the upper certificates' validity at the signing time.
	 * Found out once, at the first verification that needs it (not at
	 * load: a CLI run that never reaches the chain step, or reaches it
	 * once, should not pay for an extra P-384 check); read it through
	 * pv_ca_first_is_checked_anchor(). 0 unknown, 1 yes, 2 no. */
	_Atomic int anchor_state;
};

struct pyverify_trust_root {
	char *source;        /* where it was loaded from */
	char *media_type;
	struct pv_tlog *tlogs;
	size_t n_tlogs;
	struct pv_tlog *ctlogs;
	size_t n_ctlogs;
	struct pv_ca *cas;
	size_t n_cas;
	struct pv_ca *tsas;
	size_t n_tsas;
};

/* Lookup by 32-byte log ID; NULL if the root does not know the log. */
const struct pv_tlog *pv_trust_root_find_tlog(const pyverify_trust_root *r,
                                              const uint8_t id[32]);
const struct pv_tlog *pv_trust_root_find_ctlog(const pyverify_trust_root *r,
                                               const uint8_t id[32]);

/* ---- bundle (bundle.c) -------------------------------------------------- */

enum pv_material {
	PV_MATERIAL_CHAIN = 1,       /* x509CertificateChain */
	PV_MATERIAL_CERTIFICATE = 2, /* certificate */
	PV_MATERIAL_PUBLIC_KEY = 3   /* publicKey.hint */
};

enum pv_content {
	PV_CONTENT_MESSAGE = 1, /* messageSignature */
	PV_CONTENT_DSSE = 2     /* dsseEnvelope */
};

/* HashAlgorithm (protobuf numbering). */
enum pv_hash_alg {
	PV_HASH_SHA2_256 = 1,
	PV_HASH_SHA2_384 = 2,
	PV_HASH_SHA2_512 = 3
};

struct pv_inclusion_proof {
	int64_t log_index;     /* >= 0 */
	int64_t tree_size;     /* >= 1 */
	uint8_t root_hash[32];
	uint8_t (*hashes)[32]; /* n_hashes <= PV_MAX_PROOF_HASHES */
	size_t n_hashes;
	char *checkpoint;      /* checkpoint.envelope, NUL-terminated UTF-8;
	                          NULL when absent */
	size_t checkpoint_len;
};

struct pv_tlog_entry {
	int64_t log_index;          /* >= 0 */
	uint8_t log_id[32];
	char kind[PV_MAX_SHORT_STRING + 1];    /* kindVersion.kind */
	char version[PV_MAX_SHORT_STRING + 1]; /* kindVersion.version */
	int64_t integrated_time;    /* Unix seconds; 0 = absent */
	struct pv_bytes set;        /* inclusionPromise; len 0 = absent */
	int has_proof;
	struct pv_inclusion_proof proof;
	struct pv_bytes body;       /* canonicalizedBody, decoded */
};

struct pyverify_bundle {
	char *media_type;
	int minor;                  /* 1, 2 or 3 */
	enum pv_material material;
	struct pv_bytes *certs;     /* DER; [0] is the leaf; n_certs == 1 for
	                               PV_MATERIAL_CERTIFICATE, 0 for keys */
	size_t n_certs;
	char *key_hint;             /* publicKey.hint ("" allowed) */

	enum pv_content content;
	/* messageSignature (PV_CONTENT_MESSAGE) */
	int has_message_digest;
	int digest_alg;             /* enum pv_hash_alg */
	struct pv_bytes message_digest;
	/* The signature: messageSignature.signature, or the one DSSE
	 * signatures[0].sig. Never empty. */
	struct pv_bytes signature;
	/* dsseEnvelope (PV_CONTENT_DSSE) */
	struct pv_bytes payload;
	char *payload_type;
	char *dsse_keyid;           /* may be NULL */

	struct pv_tlog_entry *entries;
	size_t n_entries;
	struct pv_bytes *timestamps; /* rfc3161Timestamps[].signedTimestamp */
	size_t n_timestamps;
};

/* ---- trust_root_ca.c ------------------------------------------------------ */

/* trust_root_ca.c: 1 when pv_chain_verify (verify/) may start the path at
 * ca->certs[0] because the entry's own chain was validated (once per
 * loaded root, on first use; safe from several threads). Never fails: a
 * chain it cannot vouch for is simply validated in full at every
 * verification. */
int pv_ca_first_is_checked_anchor(const struct pv_ca *ca);
/* The entry's certificates as X509, decoded at the first call (safe
 * between threads: racing callers decode, one result is kept). NULL when
 * one does not decode or memory runs out; *bad is then its index, or
 * n_certs for memory. */
X509 *const *pv_ca_certs(const struct pv_ca *ca, size_t *bad);
/* Frees what the entry holds (not the entry itself). */
void pv_ca_clear(struct pv_ca *ca);

#endif /* PV_FORMAT_H */
