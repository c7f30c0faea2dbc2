/* identity.c - the signer's identity from a Fulcio certificate (SAN and
 * OIDC issuer extensions) and the identity policy match (SPEC 3.6). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "verify/steps.h"

/* SPEC 3.6.1: Fulcio OIDs under 1.3.6.1.4.1.57264.1. */
#define OID_ISSUER_V1 "1.3.6.1.4.1.57264.1.1"
#define OID_OTHERNAME_SAN "1.3.6.1.4.1.57264.1.7"
#define OID_ISSUER_V2 "1.3.6.1.4.1.57264.1.8"
/* Values are quoted in one-line messages; longer ones are cut. */
#define QUOTE_MAX 200

void
pv_cert_identity_clear(struct pv_cert_identity *id)
{
	size_t i;

	if (id == NULL)
		return;
	for (i = 0; i < id->n_sans; i++)
		free(id->sans[i]);
	free(id->sans);
	free(id->issuer);
	memset(id, 0, sizeof(*id));
}

/* A NUL-terminated copy of certificate bytes: no embedded NUL (it would
 * let "a@x.org\0evil" compare as "a@x.org"), bounded length. NULL with
 * *bad set when the value is malformed, NULL alone on ENOMEM. */
static char *
value_dup(const unsigned char *data, int len, int *bad)
{
	char *s;

	*bad = 0;
	if (data == NULL || len < 0 || (size_t)len > PV_MAX_VALUE_STRING ||
	    memchr(data, '\0', (size_t)len) != NULL) {
		*bad = 1;
		return NULL;
	}
	s = malloc((size_t)len + 1);
	if (s == NULL)
		return NULL;
	memcpy(s, data, (size_t)len);
	s[len] = '\0';
	return s;
}

/* The string of one SAN entry we consider (SPEC 3.6.2), or NULL for
 * entries that are not identities (DNS, IP, other otherNames). Sets *bad
 * for a Fulcio otherName whose value is not [0] EXPLICIT UTF8String. */
static const ASN1_STRING *
san_string(const GENERAL_NAME *g, const ASN1_OBJECT *othername_oid, int *bad)
{
	const ASN1_TYPE *v;

	*bad = 0;
	switch (g->type) {
	case GEN_EMAIL:
		return g->d.rfc822Name;
	case GEN_URI:
		return g->d.uniformResourceIdentifier;
	case GEN_OTHERNAME:
		if (OBJ_cmp(g->d.otherName->type_id, othername_oid) != 0)
			return NULL;
		/* OpenSSL strips the [0] EXPLICIT wrapper; the inner value
		 * must be a UTF8String. */
		v = g->d.otherName->value;
		if (v == NULL || v->type != V_ASN1_UTF8STRING) {
			*bad = 1;
			return NULL;
		}
		return v->value.utf8string;
	default:
		return NULL;
	}
}

static int
read_sans(struct pv_cert_identity *id, X509 *leaf, pyverify_error *err)
{
	GENERAL_NAMES *gens = NULL;
	ASN1_OBJECT *oid = NULL;
	const ASN1_STRING *s;
	int crit = 0, i, n, bad, rc = 0;

	gens = X509_get_ext_d2i(leaf, NID_subject_alt_name, &crit, NULL);
	if (gens == NULL) {
		if (crit == -1)
			goto done; /* no SAN: nothing can match; the match
			              step reports it */
		rc = pv_fail(err, PYVERIFY_EPARSE, PYVERIFY_STEP_IDENTITY,
		             "the signing certificate's subject alternative "
		             "name extension is malformed or duplicated");
		goto done;
	}
	n = sk_GENERAL_NAME_num(gens);
	if (n > PV_MAX_SANS) {
		rc = pv_fail(err, PYVERIFY_EPARSE, PYVERIFY_STEP_IDENTITY,
		             "the signing certificate has %d subject "
		             "alternative names (at most %d)", n, PV_MAX_SANS);
		goto done;
	}
	oid = OBJ_txt2obj(OID_OTHERNAME_SAN, 1);
	id->sans = calloc((size_t)(n > 0 ? n : 1), sizeof(*id->sans));
	if (oid == NULL || id->sans == NULL) {
		rc = pv_fail(err, PYVERIFY_ENOMEM, PYVERIFY_STEP_IDENTITY,
		             "out of memory");
		goto done;
	}
	for (i = 0; i < n; i++) {
		s = san_string(sk_GENERAL_NAME_value(gens, i), oid, &bad);
		if (s == NULL && !bad)
			continue;
		if (s != NULL)
			id->sans[id->n_sans] = value_dup(
			    ASN1_STRING_get0_data(s), ASN1_STRING_length(s),
			    &bad);
		if (bad) {
			rc = pv_fail(err, PYVERIFY_EPARSE,
			             PYVERIFY_STEP_IDENTITY,
			             "subject alternative name %d of the "
			             "signing certificate is malformed (wrong "
			             "type, NUL byte or longer than %d bytes)",
			             i, PV_MAX_VALUE_STRING);
			goto done;
		}
		if (id->sans[id->n_sans] == NULL) {
			rc = pv_fail(err, PYVERIFY_ENOMEM,
			             PYVERIFY_STEP_IDENTITY, "out of memory");
			goto done;
		}
		id->n_sans++;
	}
done:
	GENERAL_NAMES_free(gens);
	ASN1_OBJECT_free(oid);
	ERR_clear_error();
	return rc;
}

/*
 * The content of the one extension with this OID: *found = 0 when absent.
 * -1 when it occurs more than once.
 */
static int
find_ext(X509 *leaf, const char *oid_text, const ASN1_OCTET_STRING **out,
         int *found)
{
	ASN1_OBJECT *oid = OBJ_txt2obj(oid_text, 1);
	int idx, rc = -1;

	*found = 0;
	if (oid == NULL)
		return -1;
	idx = X509_get_ext_by_OBJ(leaf, oid, -1);
	if (idx < 0) {
		rc = 0;
	} else if (X509_get_ext_by_OBJ(leaf, oid, idx) < 0) {
		*out = X509_EXTENSION_get_data(X509_get_ext(leaf, idx));
		*found = 1;
		rc = 0;
	}
	ASN1_OBJECT_free(oid);
	return rc;
}

/* SPEC 3.6.1: .1 holds the raw string; .8 exactly one DER UTF8String. */
static int
read_issuer(struct pv_cert_identity *id, X509 *leaf, pyverify_error *err)
{
	const ASN1_OCTET_STRING *v1 = NULL, *v8 = NULL;
	ASN1_UTF8STRING *u = NULL;
	const unsigned char *p;
	char *s1 = NULL, *s8 = NULL;
	int has1, has8, bad = 0, rc = 0;

	if (find_ext(leaf, OID_ISSUER_V1, &v1, &has1) != 0 ||
	    find_ext(leaf, OID_ISSUER_V2, &v8, &has8) != 0) {
		rc = pv_fail(err, PYVERIFY_EPARSE, PYVERIFY_STEP_ISSUER,
		             "the signing certificate repeats an OIDC issuer "
		             "extension");
		goto done;
	}
	if (has1) {
		s1 = value_dup(ASN1_STRING_get0_data(v1),
		               ASN1_STRING_length(v1), &bad);
		if (s1 == NULL)
			goto fail;
		bad = s1[0] == '\0';
		if (bad)
			goto fail;
	}
	if (has8) {
		p = ASN1_STRING_get0_data(v8);
		u = d2i_ASN1_UTF8STRING(NULL, &p, ASN1_STRING_length(v8));
		bad = u == NULL ||
		      p != ASN1_STRING_get0_data(v8) + ASN1_STRING_length(v8);
		if (bad)
			goto fail;
		s8 = value_dup(ASN1_STRING_get0_data(u), ASN1_STRING_length(u),
		               &bad);
		if (s8 == NULL)
			goto fail;
		bad = s8[0] == '\0';
		if (bad)
			goto fail;
	}
	if (s1 != NULL && s8 != NULL && strcmp(s1, s8) != 0) {
		rc = pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_ISSUER,
		             "the signing certificate names two different OIDC "
		             "issuers (%.*s and %.*s)", QUOTE_MAX, s1,
		             QUOTE_MAX, s8);
		goto done;
	}
	/* .8 is preferred; .1 alone appears in 2022 certificates. */
	if (s8 != NULL) {
		id->issuer = s8;
		s8 = NULL;
	} else {
		id->issuer = s1;
		s1 = NULL;
	}
	goto done;
fail:
	rc = bad ? pv_fail(err, PYVERIFY_EPARSE, PYVERIFY_STEP_ISSUER,
	                   "the signing certificate's OIDC issuer extension "
	                   "is malformed (not one UTF8String, empty, NUL byte "
	                   "or longer than %d bytes)", PV_MAX_VALUE_STRING)
	         : pv_fail(err, PYVERIFY_ENOMEM, PYVERIFY_STEP_ISSUER,
	                   "out of memory");
done:
	ASN1_UTF8STRING_free(u);
	free(s1);
	free(s8);
	ERR_clear_error();
	return rc;
}

int
pv_cert_identity_read(struct pv_cert_identity *out, X509 *leaf,
                      pyverify_error *err)
{
	struct pv_cert_identity id;
	int rc;

	memset(&id, 0, sizeof(id));
	rc = read_sans(&id, leaf, err);
	if (rc == 0)
		rc = read_issuer(&id, leaf, err);
	if (rc != 0) {
		pv_cert_identity_clear(&id);
		return rc;
	}
	*out = id;
	return 0;
}

/* A value fit for a one-line message: control bytes escaped, cut short. */
static void
quote(char *out, size_t outlen, const char *in)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;
	unsigned char c;

	if (in == NULL)
		in = "(none)";
	for (i = 0; in[i] != '\0' && o + 8 < outlen; i++) {
		c = (unsigned char)in[i];
		if (i >= QUOTE_MAX) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (c < 0x20 || c == 0x7f) {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
}

static void
quote_match(char *out, size_t outlen, const struct pv_match *m)
{
	char q[QUOTE_MAX * 4 + 8];

	quote(q, sizeof(q), m->value);
	snprintf(out, outlen, m->mode == PYVERIFY_MATCH_REGEX
	                          ? "one matching /%s/" : "%s", q);
}

int
pv_identity_match(const struct pv_cert_identity *id,
                  const pyverify_policy *policy, pyverify_result *out,
                  pyverify_error *err)
{
	char have[QUOTE_MAX * 4 + 8], iss[QUOTE_MAX * 4 + 8];
	char want[QUOTE_MAX * 4 + 32];
	const struct pv_identity_rule *r;
	size_t i, j, id_rule = 0, id_san = 0;
	int id_matched = 0;

	if (policy == NULL || policy->n_rules == 0)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_POLICY,
		               "the policy names no identity to expect");
	/* SPEC 3.6.3: some SAN matches the rule's identity and the issuer
	 * matches its issuer; both are required, any one rule suffices. */
	for (i = 0; i < policy->n_rules; i++) {
		r = &policy->rules[i];
		for (j = 0; j < id->n_sans; j++) {
			if (!pv_match_value(&r->identity, id->sans[j]))
				continue;
			if (!id_matched) {
				id_matched = 1;
				id_rule = i;
				id_san = j;
			}
			if (id->issuer == NULL ||
			    !pv_match_value(&r->issuer, id->issuer))
				continue;
			if (out != NULL) {
				snprintf(out->identity, sizeof(out->identity),
				         "%s", id->sans[j]);
				snprintf(out->issuer, sizeof(out->issuer), "%s",
				         id->issuer);
				out->policy_index = (int)i;
			}
			return 0;
		}
	}
	quote(iss, sizeof(iss), id->issuer);
	if (!id_matched) {
		quote(have, sizeof(have), id->n_sans > 0 ? id->sans[0] : NULL);
		quote_match(want, sizeof(want), &policy->rules[0].identity);
		if (policy->n_rules > 1)
			return pv_fail(err, PYVERIFY_EREJECT,
			               PYVERIFY_STEP_IDENTITY,
			               "certificate identity is %s (issuer "
			               "%s), expected %s or %zu others",
			               have, iss, want, policy->n_rules - 1);
		return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_IDENTITY,
		               "certificate identity is %s (issuer %s), "
		               "expected %s", have, iss, want);
	}
	quote(have, sizeof(have), id->sans[id_san]);
	quote_match(want, sizeof(want), &policy->rules[id_rule].issuer);
	return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_ISSUER,
	               "certificate OIDC issuer is %s, expected %s for "
	               "identity %s", iss, want, have);
}
