/*
 * release.c - the verdict on one CPython release artifact (pyverify.h,
 * "CPython releases"): SPEC 6 applied to what the caller found beside the
 * artifact.
 *
 * The order of the decision matters and is fail-closed: a name that is not
 * a python.org artifact, or a series the policy does not know, is never
 * verified against a guessed signer; material that exists but cannot be
 * read is a failure, not an absence; an absent bundle is only "legacy"
 * when the release predates Sigstore signing and a PGP signature exists.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cpython/release.h"

const char *
pyverify_release_status_name(pyverify_release_status s)
{
	switch (s) {
	case PYVERIFY_RELEASE_VERIFIED: return "verified";
	case PYVERIFY_RELEASE_FAILED: return "failed";
	case PYVERIFY_RELEASE_LEGACY_PGP_ONLY: return "legacy-pgp-only";
	case PYVERIFY_RELEASE_MISSING: return "missing";
	case PYVERIFY_RELEASE_UNKNOWN_RELEASE: return "unknown-release";
	}
	return "failed";
}

const char *
pyverify_release_kind_name(pyverify_release_kind k)
{
	switch (k) {
	case PYVERIFY_RELEASE_KIND_SOURCE: return "source";
	case PYVERIFY_RELEASE_KIND_WINDOWS: return "windows";
	case PYVERIFY_RELEASE_KIND_WINDOWS_MANIFEST: return "windows-manifest";
	case PYVERIFY_RELEASE_KIND_WINDOWS_HELP: return "windows-help";
	case PYVERIFY_RELEASE_KIND_MACOS: return "macos";
	case PYVERIFY_RELEASE_KIND_ANDROID: return "android";
	case PYVERIFY_RELEASE_KIND_IOS: return "ios";
	case PYVERIFY_RELEASE_KIND_DOCS: return "docs";
	case PYVERIFY_RELEASE_KIND_NONE: break;
	}
	return "";
}

int
pyverify_release_verdict_passes(const pyverify_release_verdict *v,
                                int allow_legacy_pgp)
{
	if (v == NULL)
		return 0;
	return v->status == PYVERIFY_RELEASE_VERIFIED ||
	       (allow_legacy_pgp &&
	        v->status == PYVERIFY_RELEASE_LEGACY_PGP_ONLY);
}

static void
set_status(pyverify_release_verdict *v, pyverify_release_status s,
           const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
set_status(pyverify_release_verdict *v, pyverify_release_status s,
           const char *fmt, ...)
{
	va_list ap;

	v->status = s;
	va_start(ap, fmt);
	vsnprintf(v->note, sizeof(v->note), fmt, ap);
	va_end(ap);
}

/* A verdict of failure with err (which names the step). */
static int
set_failed(pyverify_release_verdict *v, const pyverify_error *err)
{
	v->status = PYVERIFY_RELEASE_FAILED;
	v->error = *err;
	if (v->error.code == PYVERIFY_OK)
		v->error.code = PYVERIFY_EREJECT; /* never a failure without one */
	return 0;
}

/* Used when the caller broke the contract: the verdict still says no. */
static int
caller_error(pyverify_release_verdict *v, pyverify_status code,
             const char *what)
{
	pyverify_error err;

	pv_fail(&err, code, PYVERIFY_STEP_NONE, "%s", what);
	set_failed(v, &err);
	return code;
}

/* The oldest series with any Sigstore-signed release: signing began with
 * 3.7.14 (SPEC 6.1). No release of an older series was ever signed. */
#define PV_FIRST_SIGNED_MAJOR 3u
#define PV_FIRST_SIGNED_MINOR 7u

/* 1 if release v predates Sigstore signing although its series is not in
 * the policy: its series is older than 3.7 and than every series of the
 * policy. A replacement policy (--policy) may list only some series; the
 * signed series it leaves out are unknown, never "before Sigstore", or an
 * .asc alone would pass them with --allow-legacy-pgp. */
static int
predates_policy(const struct pv_cpython_policy *p,
                const struct pv_cpython_version *v)
{
	size_t i;

	if (p->n_series == 0)
		return 0;
	if (v->major > PV_FIRST_SIGNED_MAJOR ||
	    (v->major == PV_FIRST_SIGNED_MAJOR &&
	     v->minor >= PV_FIRST_SIGNED_MINOR))
		return 0;
	for (i = 0; i < p->n_series; i++) {
		const struct pv_cpython_series *s = &p->series[i];
		if (v->major > s->major ||
		    (v->major == s->major && v->minor >= s->minor))
			return 0;
	}
	return 1;
}

static const char *
kind_gap_text(pyverify_release_kind k)
{
	/* SPEC 6.1: "a few bundles are known to be missing (e.g.
	 * python3101.chm.sigstore ...), and the Windows release manifest may
	 * have no bundle". */
	if (k == PYVERIFY_RELEASE_KIND_WINDOWS_HELP)
		return "python.org did not publish Sigstore bundles for some "
		       "Windows help files (.chm)";
	if (k == PYVERIFY_RELEASE_KIND_WINDOWS_MANIFEST)
		return "python.org may publish the Windows release manifest "
		       "without a Sigstore bundle";
	return NULL;
}

/* No Sigstore bundle: legacy-pgp-only or missing, with the reason. */
static void
classify_absence(pyverify_release_verdict *v,
                 const pyverify_release_input *in, const char *name, int has_sigstore, int publishes_pgp)
{
	const struct pv_cpython_series *series = pv_verdict_series(v);
	const char *gap = kind_gap_text(v->kind);

	if (!has_sigstore) {
		/* SPEC 6.1: releases before signing began have PGP only. */
		if (in->has_asc)
			set_status(v, PYVERIFY_RELEASE_LEGACY_PGP_ONLY,
			           "%s predates Sigstore signing; only its PGP "
			           "signature (.asc) exists, which pyverify does "
			           "not check (use gpg)", v->version);
		else
			set_status(v, PYVERIFY_RELEASE_MISSING,
			           "%s predates Sigstore signing and no PGP "
			           "signature (%s.asc) lies beside it: nothing "
			           "to verify", v->version, name);
		return;
	}
	/* Not legacy-pgp-only: the release does not predate Sigstore
	 * signing, so --allow-legacy-pgp must not pass the unchecked file. */
	if (gap != NULL && in->has_asc && publishes_pgp) {
		set_status(v, PYVERIFY_RELEASE_MISSING,
		           "%s; only its PGP signature (.asc) exists, which "
		           "pyverify does not check (use gpg)", gap);
		return;
	}
	if (in->has_asc && !publishes_pgp)
		/* SPEC 6.3: PEP 761, no .asc files from 3.14 on. */
		set_status(v, PYVERIFY_RELEASE_MISSING,
		           "suspicious: only a PGP signature (.asc) was found, "
		           "but CPython %u.%u publishes no PGP signatures "
		           "(PEP 761); get %s.sigstore from python.org",
		           series ? series->major : 0,
		           series ? series->minor : 0, name);
	else if (in->has_asc)
		set_status(v, PYVERIFY_RELEASE_MISSING,
		           "%s was published with a Sigstore bundle but only a "
		           "PGP signature (.asc) was found; get %s.sigstore "
		           "from python.org", v->version, name);
	else if (in->has_detached)
		/* SPEC 6.2: .sig + .crt carry no log entry; verifying them
		 * needs an online Rekor lookup, which pyverify never does. */
		set_status(v, PYVERIFY_RELEASE_MISSING,
		           "only %s.sig + %s.crt were found; they can only be "
		           "checked online: get %s.sigstore from python.org",
		           name, name, name);
	else if (gap != NULL)
		set_status(v, PYVERIFY_RELEASE_MISSING, "%s; nothing to verify",
		           gap);
	else
		set_status(v, PYVERIFY_RELEASE_MISSING,
		           "%s was published with a Sigstore bundle, but no "
		           "%s.sigstore (or .sigstore.json) was found",
		           v->version, name);
}

static int
verify_bundle(pyverify_release_verdict *v, const pyverify_trust_root *root,
              const pyverify_release_input *in, int has_sigstore)
{
	pyverify_policy *policy = NULL;
	pyverify_result res;
	pyverify_error err;
	int rc;

	if (in->digest == NULL || root == NULL)
		return caller_error(v, PYVERIFY_EUSAGE,
		                    "a bundle needs the artifact digest and a "
		                    "trusted root");
	rc = pyverify_policy_new(&policy, &err);
	if (rc == 0) {
		if (v->override_identity != NULL)
			rc = pyverify_policy_add_identity(
				policy, v->override_identity,
				PYVERIFY_MATCH_EXACT, v->override_issuer,
				PYVERIFY_MATCH_EXACT, &err);
		else
			rc = pv_cpython_series_add_to_policy(
				policy, pv_verdict_series(v), &err);
	}
	if (rc == 0)
		rc = pyverify_verify(root, in->bundle, in->digest, policy, &res,
		                     &err);
	pyverify_policy_free(policy);
	if (rc != 0) {
		set_failed(v, &err);
		return rc == PYVERIFY_ENOMEM ? rc : 0;
	}
	pv_verdict_set_verified(v, &res);
	if (v->override_identity != NULL)
		snprintf(v->note, sizeof(v->note),
		         "signer given by the caller, not the policy's");
	else if (!has_sigstore)
		snprintf(v->note, sizeof(v->note),
		         "the policy says %s predates Sigstore signing, yet "
		         "this bundle verifies", v->version);
	return 0;
}

const struct pv_cpython_series *
pv_verdict_series(const pyverify_release_verdict *v)
{
	const struct pv_cpython_policy *p = pv_release_policy_in(v->policy);

	if (p == NULL || v->series < 0 || (size_t)v->series >= p->n_series)
		return NULL;
	return &p->series[v->series];
}

void
pv_verdict_init(pyverify_release_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->status = PYVERIFY_RELEASE_FAILED;
	v->policy_index = -1;
	v->log_index = -1;
	v->series = -1;
}

int
pv_release_has_sha256(const pyverify_artifact *a)
{
	/* A zeroed digests field means sha256 alone (pyverify.h). */
	return a != NULL &&
	       (a->digests == 0 || (a->digests & PYVERIFY_DIGEST_SHA256) != 0);
}

void
pv_verdict_set_verified(pyverify_release_verdict *v,
                        const pyverify_result *res)
{
	v->status = PYVERIFY_RELEASE_VERIFIED;
	memcpy(v->identity, res->identity, sizeof(v->identity));
	memcpy(v->issuer, res->issuer, sizeof(v->issuer));
	v->policy_index = res->policy_index;
	v->log_index = res->log_index;
	v->integrated_time = res->integrated_time;
	v->signing_time = res->signing_time;
}

int
pyverify_release_verify(pyverify_release_verdict *out,
                        const pyverify_trust_root *root,
                        const pyverify_release_policy *public_policy,
                  const pyverify_release_input *in)
{
	const struct pv_cpython_policy *policy =
		pv_release_policy_in(public_policy);
	const struct pv_cpython_series *series;
	struct pv_cpython_version ver;
	enum pv_cpython_kind kind;
	const char *name;
	int has_sigstore, publishes_pgp, predates = 0;
	size_t len;

	if (out == NULL)
		return PYVERIFY_EUSAGE;
	pv_verdict_init(out);
	if (in == NULL || in->artifact == NULL || policy == NULL)
		return caller_error(out, PYVERIFY_EUSAGE,
		                    "no artifact or no CPython policy");
	len = strlen(in->artifact);
	if (len >= sizeof(out->artifact))
		return caller_error(out, PYVERIFY_EUSAGE,
		                    "artifact name is too long");
	memcpy(out->artifact, in->artifact, len + 1);
	if (in->bundle_path != NULL) {
		len = strlen(in->bundle_path);
		if (len >= sizeof(out->bundle))
			return caller_error(out, PYVERIFY_EUSAGE,
			                    "bundle path is too long");
		memcpy(out->bundle, in->bundle_path, len + 1);
	}
	if (pv_release_has_sha256(in->digest))
		pv_hex_encode(out->sha256, in->digest->sha256, 32);
	if ((in->identity == NULL) != (in->issuer == NULL))
		return caller_error(out, PYVERIFY_EUSAGE,
		                    "an identity override needs both the "
		                    "identity and the OIDC issuer");

	/* SPEC 6.1: the version comes from the python.org file name alone. */
	name = pv_cpython_basename(in->artifact);
	if (pv_cpython_classify_artifact(&ver, &kind, name) != 0) {
		set_status(out, PYVERIFY_RELEASE_UNKNOWN_RELEASE,
		           "not a python.org CPython release file name");
		return 0;
	}
	out->kind = (pyverify_release_kind)kind;
	pv_cpython_version_format(out->version, &ver);
	out->override_identity = in->identity;
	out->override_issuer = in->issuer;
	/* SPEC 6.2: select the row by the X.Y prefix of the version. */
	series = pv_cpython_policy_lookup(policy, &ver);
	out->policy = public_policy;
	out->series = series != NULL ? (long)(series - policy->series) : -1;
	if (series == NULL) {
		predates = predates_policy(policy, &ver);
		if (!predates && in->identity == NULL) {
			set_status(out, PYVERIFY_RELEASE_UNKNOWN_RELEASE,
			           "the CPython policy has no signer for series "
			           "%u.%u (update the policy, or name the signer "
			           "with --certificate-identity and "
			           "--certificate-oidc-issuer)",
			           ver.major, ver.minor);
			return 0;
		}
	}
	if (series != NULL) {
		has_sigstore = pv_cpython_release_has_sigstore(series, &ver);
		publishes_pgp = pv_cpython_release_publishes_pgp(series,
		                                                 &ver);
	} else {
		/* Before the first series of the policy: PGP era. After it
		 * (only reached with an override): assume the newest rules,
		 * Sigstore only. */
		has_sigstore = !predates;
		publishes_pgp = predates;
	}

	if (in->material_error != NULL)
		return set_failed(out, in->material_error);
	if (in->bundle != NULL) {
		if (series == NULL && in->identity == NULL) {
			set_status(out, PYVERIFY_RELEASE_UNKNOWN_RELEASE,
			           "%s predates Sigstore signing and the CPython "
			           "policy names no signer for series %u.%u; name "
			           "one with --certificate-identity and "
			           "--certificate-oidc-issuer", out->version,
			           ver.major, ver.minor);
			return 0;
		}
		return verify_bundle(out, root, in, has_sigstore);
	}
	classify_absence(out, in, name, has_sigstore, publishes_pgp);
	return 0;
}

/* ---- JSON ---------------------------------------------------------------- */

/* A JSON string for s; file names are bytes, so anything that is not UTF-8
 * is written as "\xNN" text rather than dropped. NULL on ENOMEM. */
static json_t *
jstr(const char *s)
{
	static const char hex[] = "0123456789abcdef";
	json_t *j;
	char *buf;
	size_t i, n = 0, len;

	j = json_string(s);
	if (j != NULL)
		return j;
	len = strlen(s);
	if (len > ((size_t)-1) / 4 - 1)
		return NULL;
	buf = malloc(len * 4 + 1);
	if (buf == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			buf[n++] = (char)c;
		} else {
			buf[n++] = '\\';
			buf[n++] = 'x';
			buf[n++] = hex[c >> 4];
			buf[n++] = hex[c & 15];
		}
	}
	buf[n] = '\0';
	j = json_string(buf);
	free(buf);
	return j;
}

/* s, or null when s is empty. */
static json_t *
jstr_or_null(const char *s)
{
	return s[0] != '\0' ? jstr(s) : json_null();
}

static json_t *
jtime(int64_t t)
{
	char when[32];

	if (t <= 0)
		return json_null();
	pv_format_rfc3339(when, t);
	return json_string(when);
}

static json_t *
jpair(const char *identity, const char *issuer)
{
	json_t *o = json_object();

	if (o == NULL || json_object_set_new(o, "identity", jstr(identity)) ||
	    json_object_set_new(o, "issuer", jstr(issuer))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
jexpected(const pyverify_release_verdict *v)
{
	json_t *a = json_array();
	const struct pv_cpython_series *series = pv_verdict_series(v);
	size_t i;

	if (a == NULL)
		return NULL;
	if (v->override_identity != NULL && v->override_issuer != NULL) {
		if (json_array_append_new(a, jpair(v->override_identity,
		                                   v->override_issuer)) != 0)
			goto fail;
	} else if (series != NULL) {
		for (i = 0; i < series->n_identities; i++)
			if (json_array_append_new(
				    a, jpair(series->identities[i].identity,
				             series->identities[i].issuer)) != 0)
				goto fail;
	}
	return a;
fail:
	json_decref(a);
	return NULL;
}

static json_t *
jerror(const pyverify_release_verdict *v)
{
	json_t *o;

	if (v->status != PYVERIFY_RELEASE_FAILED)
		return json_null();
	o = json_object();
	if (o == NULL ||
	    json_object_set_new(o, "step",
	                        json_string(pyverify_step_code(v->error.step))) ||
	    json_object_set_new(o, "message", jstr(v->error.msg))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

char *
pyverify_release_verdict_json(const pyverify_release_verdict *v)
{
	json_t *o;
	char *text = NULL;
	int bad;

	if (v == NULL)
		return NULL;
	o = json_object();
	if (o == NULL)
		return NULL;
	/* json_object_set_new() steals the value and fails on NULL, so one
	 * failed allocation anywhere makes bad non-zero. */
	bad = json_object_set_new(o, "artifact", jstr(v->artifact));
	bad |= json_object_set_new(
		o, "status", json_string(pyverify_release_status_name(v->status)));
	bad |= json_object_set_new(o, "version", jstr_or_null(v->version));
	bad |= json_object_set_new(
		o, "kind", jstr_or_null(pyverify_release_kind_name(v->kind)));
	bad |= json_object_set_new(o, "identity", jstr_or_null(v->identity));
	bad |= json_object_set_new(o, "issuer", jstr_or_null(v->issuer));
	bad |= json_object_set_new(o, "expected", jexpected(v));
	bad |= json_object_set_new(o, "sha256", jstr_or_null(v->sha256));
	bad |= json_object_set_new(o, "bundle", jstr_or_null(v->bundle));
	bad |= json_object_set_new(o, "log_index",
	                           v->log_index >= 0
	                               ? json_integer(v->log_index)
	                               : json_null());
	bad |= json_object_set_new(o, "integrated_time",
	                           jtime(v->integrated_time));
	bad |= json_object_set_new(o, "signing_time", jtime(v->signing_time));
	bad |= json_object_set_new(o, "error", jerror(v));
	bad |= json_object_set_new(o, "note", jstr_or_null(v->note));
	if (!bad)
		text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return text;
}
