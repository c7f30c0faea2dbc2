/*
 * sign/bundle_out.c - the v0.3 bundle a signing run hands out (SPEC 5.10),
 * written with the protobuf-JSON conventions of SPEC 0.1: camelCase
 * names, bytes as padded standard base64, enum names, empty members left
 * out. Only the leaf certificate goes in: v0.3 forbids chains.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sign/sign.h"

#define BUNDLE_V03 "application/vnd.dev.sigstore.bundle.v0.3+json"

/* obj[name] = b64(p[0..n)); 0 or -1. */
static int
set_b64(json_t *obj, const char *name, const uint8_t *p, size_t n)
{
	char *s = pv_b64_encode(p, n);
	if (s == NULL)
		return -1;
	int rc = json_object_set_new(obj, name, json_string(s));
	free(s);
	return rc;
}

static json_t *
timestamps(const struct pv_bundle_parts *p)
{
	json_t *tvd = json_object(), *arr = json_array();

	if (tvd == NULL || arr == NULL ||
	    json_object_set(tvd, "rfc3161Timestamps", arr) != 0)
		goto fail;
	for (size_t i = 0; i < p->ntimestamps; i++) {
		json_t *ts = json_object();
		if (ts == NULL || json_array_append_new(arr, ts) != 0 ||
		    set_b64(ts, "signedTimestamp", p->timestamps[i],
		            p->timestamp_lens[i]) != 0)
			goto fail;
	}
	json_decref(arr);
	return tvd;
fail:
	json_decref(arr);
	json_decref(tvd);
	return NULL;
}

static json_t *
material(const struct pv_bundle_parts *p)
{
	json_t *vm = json_object(), *m = json_object();

	if (vm == NULL || m == NULL)
		goto fail;
	if (p->cert_der != NULL) {
		if (set_b64(m, "rawBytes", p->cert_der, p->cert_len) != 0 ||
		    json_object_set(vm, "certificate", m) != 0)
			goto fail;
	} else {
		/* A managed key: an empty PublicKeyIdentifier (its hint is
		 * optional and unauthenticated) is still the publicKey
		 * member. */
		if (json_object_set(vm, "publicKey", m) != 0)
			goto fail;
	}
	if (p->tlog_entries != NULL && json_array_size(p->tlog_entries) != 0 &&
	    json_object_set(vm, "tlogEntries", p->tlog_entries) != 0)
		goto fail;
	if (p->ntimestamps != 0) {
		json_t *tvd = timestamps(p);
		if (tvd == NULL ||
		    json_object_set_new(vm, "timestampVerificationData", tvd) != 0)
			goto fail;
	}
	json_decref(m);
	return vm;
fail:
	json_decref(m);
	json_decref(vm);
	return NULL;
}

static json_t *
message_signature(const struct pv_bundle_parts *p)
{
	json_t *ms = json_object(), *md = json_object();

	/* Always with messageDigest: Go's verifier requires it (SPEC 5.6). */
	if (ms == NULL || md == NULL ||
	    json_object_set_new(md, "algorithm", json_string("SHA2_256")) != 0 ||
	    set_b64(md, "digest", p->digest, 32) != 0 ||
	    json_object_set(ms, "messageDigest", md) != 0 ||
	    set_b64(ms, "signature", p->sig, p->sig_len) != 0) {
		json_decref(md);
		json_decref(ms);
		return NULL;
	}
	json_decref(md);
	return ms;
}

static json_t *
dsse_envelope(const struct pv_bundle_parts *p)
{
	json_t *env = json_object(), *sigs = json_array(), *s = json_object();

	if (env == NULL || sigs == NULL || s == NULL ||
	    set_b64(env, "payload", p->payload, p->payload_len) != 0 ||
	    json_object_set_new(env, "payloadType",
	                        json_string(p->payload_type)) != 0 ||
	    set_b64(s, "sig", p->sig, p->sig_len) != 0 ||
	    json_array_append(sigs, s) != 0 ||
	    json_object_set(env, "signatures", sigs) != 0) {
		json_decref(s);
		json_decref(sigs);
		json_decref(env);
		return NULL;
	}
	json_decref(s);
	json_decref(sigs);
	return env;
}

char *
pv_bundle_assemble(const struct pv_bundle_parts *p)
{
	json_t *b = json_object(), *vm = NULL, *content = NULL;
	char *out = NULL;

	if (b == NULL)
		return NULL;
	vm = material(p);
	content = p->payload_type != NULL ? dsse_envelope(p)
	                                  : message_signature(p);
	if (vm == NULL || content == NULL ||
	    json_object_set_new(b, "mediaType", json_string(BUNDLE_V03)) != 0 ||
	    json_object_set(b, "verificationMaterial", vm) != 0 ||
	    json_object_set(b,
	                    p->payload_type != NULL ? "dsseEnvelope"
	                                            : "messageSignature",
	                    content) != 0)
		goto done;
	out = json_dumps(b, JSON_COMPACT);
done:
	json_decref(content);
	json_decref(vm);
	json_decref(b);
	return out;
}
