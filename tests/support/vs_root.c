/*
 * vs_root.c - the trusted root JSON of the virtual Sigstore (SPEC 2.1).
 *
 * Part of the virtual Sigstore (tests/support/vsigstore.h). Independent of
 * lib/ on purpose: the fixture must not share a bug with the code it tests.
 * Every function returns NULL / -1 on failure and frees what it took.
 */
#include "vs_impl.h"

#include <stdlib.h>

/* ---- trusted root ------------------------------------------------------- */

static json_t *valid_for(void)
{
	char t[32];
	json_t *o = json_object();
	if (vsi_rfc3339(t, VS_EPOCH - VS_YEAR) != 0 ||
	    vsi_jset(o, "start", json_string(t)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* A TransparencyLogInstance (SPEC 2.1). json_pack steals every "o" value,
 * even when it fails, and fails on a NULL one. */
static json_t *log_instance(const char *url, const void *raw, size_t rawlen,
                            const char *details, const uint8_t log_id[32])
{
	return json_pack("{s:s, s:s, s:{s:o, s:s, s:o}, s:{s:o}}",
	                 "baseUrl", url, "hashAlgorithm", "SHA2_256",
	                 "publicKey", "rawBytes", vsi_jb64(raw, rawlen),
	                 "keyDetails", details, "validFor", valid_for(),
	                 "logId", "keyId", vsi_jb64(log_id, 32));
}

static json_t *ec_log_instance(const char *url, EVP_PKEY *k,
                               const uint8_t log_id[32])
{
	unsigned char *d = NULL;
	size_t n = 0;
	json_t *o;
	if (vsi_spki(k, &d, &n) != 0)
		return NULL;
	o = log_instance(url, d, n, "PKIX_ECDSA_P256_SHA_256", log_id);
	OPENSSL_free(d);
	return o;
}

static json_t *ca_instance(struct vs *vs)
{
	return json_pack("{s:{s:s, s:s}, s:s, s:{s:[o, o]}, s:o}",
	                 "subject", "organization", "vsigstore.test",
	                 "commonName", "vsigstore", "uri", "https://fulcio.test",
	                 "certChain", "certificates", vsi_jcert(vs->inter),
	                 vsi_jcert(vs->root), "validFor", valid_for());
}

json_t *vs_trust_root(struct vs *vs)
{
	static const uint8_t ed_prefix[12] = {0x30, 0x2a, 0x30, 0x05,
	                                      0x06, 0x03, 0x2b, 0x65,
	                                      0x70, 0x03, 0x21, 0x00};
	uint8_t ed_spki[44];
	if (vs == NULL)
		return NULL;
	/* SPEC 2.3: PKIX_ED25519 rawBytes is the 44-byte SPKI. */
	memcpy(ed_spki, ed_prefix, sizeof(ed_prefix));
	memcpy(ed_spki + sizeof(ed_prefix), vs->r2_pk, 32);
	return json_pack(
	    "{s:s, s:[o, o], s:[o], s:[o], s:[]}", "mediaType",
	    "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
	    "tlogs",
	    ec_log_instance("https://rekor.test", vs->rekor_key,
	                    vs->rekor_log_id),
	    log_instance("https://rekor-v2.test", ed_spki, sizeof(ed_spki),
	                 "PKIX_ED25519", vs->r2_log_id),
	    "certificateAuthorities", ca_instance(vs), "ctlogs",
	    ec_log_instance("https://ct.test", vs->ct_key, vs->ct_log_id),
	    "timestampAuthorities");
}

char *vs_trust_root_string(struct vs *vs)
{
	json_t *j = vs_trust_root(vs);
	char *s = j ? vs_dump(j) : NULL;
	json_decref(j);
	return s;
}
