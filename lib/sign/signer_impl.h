/*
 * sign/signer_impl.h - the pyverify_signer object shared by signer.c
 * (setting up: services, key, certificate) and signer_sign.c (signing,
 * logging, timestamping and checking each bundle). Internal to sign/.
 */
#ifndef PV_SIGN_SIGNER_IMPL_H
#define PV_SIGN_SIGNER_IMPL_H

#include "crypto/crypto.h"
#include "sign/sign.h"

struct pyverify_signer {
	const pyverify_trust_root *root;   /* borrowed, as the options say */
	pyverify_transport transport;      /* copied; its ctx is borrowed */
	struct pv_sign_net net;
	char *ca_bundle;
	int64_t now;                       /* 0: the clock at each use */

	char *rekor_url;
	int rekor_version;                 /* 1 or 2 */
	char *tsa_urls[PV_SIGN_MAX_SERVICES];
	size_t ntsa;                       /* 0: no timestamps */

	EVP_PKEY *key;                     /* private; never leaves memory */
	struct pv_pubkey pub;              /* its public half */
	int managed;                       /* key from the caller, no Fulcio */
	char *pub_pem;                     /* managed: the verify policy key */
	size_t pub_pem_len;
	struct pv_fulcio_cert cert;        /* keyless */
	int64_t cert_not_after;            /* Unix seconds */
	char *identity, *issuer;           /* "" with a managed key */
};

/* Unix seconds now: s->now, or the clock. */
int64_t pv_signer_now(const pyverify_signer *s);

#endif /* PV_SIGN_SIGNER_IMPL_H */
