/*
 * test_release.c - the per-artifact CPython verdict (lib/cpython/release.c): what
 * status a name, a digest, a bundle and an .asc lead to, which signer of a
 * hand-over is named, and the JSON object the CLI and the daemon print.
 * Bundles are made by the virtual Sigstore of tests/support.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "cpython/release.h"
#include "vsigstore.h"

#define ID "dev@example.org"
#define ISS "https://issuer.example"

/* 3.7 starts signing at 3.7.14 and publishes PGP; 3.14 was handed over
 * (another signer first, ours second) and publishes no PGP (PEP 761). */
static const char policy_text[] =
	"{\"schema\":\"pyverify.cpython-policy/1\",\"series\":["
	"{\"series\":\"3.7\",\"identities\":[{\"identity\":\"" ID "\","
	"\"issuer\":\"" ISS "\"}],\"first_sigstore\":\"3.7.14\",\"pgp\":true},"
	"{\"series\":\"3.14\",\"identities\":["
	"{\"identity\":\"rm@example.org\",\"issuer\":\"" ISS "\"},"
	"{\"identity\":\"" ID "\",\"issuer\":\"" ISS "\"}],"
	"\"first_sigstore\":\"3.14.0a1\",\"pgp\":false}]}";

static const char artifact_bytes[] = "release tarball bytes\n";

struct fx {
	struct vs *vs;
	struct vs_leaf *leaf;
	pyverify_trust_root *root;
	pyverify_release_policy *policy;
	pyverify_bundle *bundle; /* signs artifact_bytes */
	pyverify_artifact digest;
};

static pyverify_bundle *
sign(struct fx *f, const struct vs_leaf *leaf, const char *bytes)
{
	struct vs_sign_opts o = { 0 };
	pyverify_bundle *b = NULL;
	pyverify_error err;
	json_t *j;
	char *text;

	o.artifact = bytes;
	o.artifact_len = strlen(bytes);
	j = vs_sign(f->vs, leaf, &o);
	cr_assert_not_null(j);
	text = vs_dump(j);
	cr_assert_eq(pyverify_bundle_load_memory(&b, text, strlen(text), &err),
	             0, "%s", err.msg);
	free(text);
	json_decref(j);
	return b;
}

static void
fx_init(struct fx *f)
{
	pyverify_error err;
	char *root_text;

	memset(f, 0, sizeof(*f));
	f->vs = vs_new();
	cr_assert_not_null(f->vs);
	f->leaf = vs_leaf_new(f->vs, NULL);
	cr_assert_not_null(f->leaf);
	root_text = vs_trust_root_string(f->vs);
	cr_assert_eq(pyverify_trust_root_load_memory(&f->root, root_text,
	                                             strlen(root_text), "vs",
	                                             &err), 0, "%s", err.msg);
	free(root_text);
	cr_assert_eq(pyverify_release_policy_load_memory(
			     &f->policy, policy_text, strlen(policy_text), &err),
	             0, "%s", err.msg);
	f->bundle = sign(f, f->leaf, artifact_bytes);
	cr_assert_eq(pyverify_artifact_from_memory(&f->digest, artifact_bytes,
	                                           strlen(artifact_bytes), &err),
	             0);
}

static void
fx_free(struct fx *f)
{
	pyverify_bundle_free(f->bundle);
	pyverify_release_policy_free(f->policy);
	pyverify_trust_root_free(f->root);
	vs_leaf_free(f->leaf);
	vs_free(f->vs);
}

/* A verdict on the heap (it is ~17 KB). */
static pyverify_release_verdict *
judge(struct fx *f, const pyverify_release_input *in, int expect_rc)
{
	pyverify_release_verdict *v = malloc(sizeof(*v));

	cr_assert_not_null(v);
	cr_assert_eq(pyverify_release_verify(v, f->root, f->policy, in),
	             expect_rc, "%s: %s", in ? in->artifact : "(null)", v->error.msg);
	return v;
}

static json_t *
as_json(const pyverify_release_verdict *v)
{
	char *text = pyverify_release_verdict_json(v);
	json_error_t jerr;
	json_t *j;

	cr_assert_not_null(text);
	cr_assert_null(strchr(text, '\n'), "one line: %s", text);
	j = json_loads(text, 0, &jerr);
	cr_assert_not_null(j, "%s: %s", jerr.text, text);
	free(text);
	return j;
}

Test(release, a_bundle_of_a_handed_over_series_names_the_signer_that_matched)
{
	struct fx f;
	pyverify_release_input in = { 0 };
	pyverify_release_verdict *v;

	fx_init(&f);
	in.artifact = "/mirror/3.14.0/Python-3.14.0.tgz";
	in.digest = &f.digest;
	in.bundle = f.bundle;
	in.bundle_path = "/mirror/3.14.0/Python-3.14.0.tgz.sigstore";
	v = judge(&f, &in, 0);
	cr_assert_eq(v->status, PYVERIFY_RELEASE_VERIFIED, "%s", v->error.msg);
	cr_assert_str_eq(v->version, "3.14.0");
	cr_assert_eq(v->kind, PYVERIFY_RELEASE_KIND_SOURCE);
	cr_assert_str_eq(v->identity, ID);
	cr_assert_str_eq(v->issuer, ISS);
	cr_assert_eq(v->policy_index, 1, "the second accepted signer matched");
	cr_assert_eq(v->integrated_time, VS_EPOCH + 60);
	cr_assert_geq(v->log_index, 0);
	cr_assert_eq(v->error.code, PYVERIFY_OK);
	cr_assert(pyverify_release_verdict_passes(v, 0));
	free(v);
	fx_free(&f);
}

Test(release, a_bundle_for_other_bytes_fails_and_names_the_step)
{
	struct fx f;
	pyverify_release_input in = { 0 };
	pyverify_artifact other;
	pyverify_error err;
	pyverify_release_verdict *v;

	fx_init(&f);
	cr_assert_eq(pyverify_artifact_from_memory(&other, "tampered", 8, &err),
	             0);
	in.artifact = "Python-3.14.0.tgz";
	in.digest = &other;
	in.bundle = f.bundle;
	v = judge(&f, &in, 0);
	cr_assert_eq(v->status, PYVERIFY_RELEASE_FAILED);
	cr_assert_eq(v->error.code, PYVERIFY_EREJECT);
	cr_assert_eq(v->error.step, PYVERIFY_STEP_TLOG_BODY, "step %s: %s",
	             pyverify_step_code(v->error.step), v->error.msg);
	cr_assert_not(pyverify_release_verdict_passes(v, 1));
	free(v);
	fx_free(&f);
}

Test(release, a_bundle_from_someone_outside_the_policy_fails_at_identity)
{
	struct fx f;
	struct vs_leaf_opts lo = { 0 };
	struct vs_leaf *mallory;
	pyverify_release_input in = { 0 };
	pyverify_bundle *b;
	pyverify_release_verdict *v;

	fx_init(&f);
	lo.identity = "mallory@example.org";
	mallory = vs_leaf_new(f.vs, &lo);
	cr_assert_not_null(mallory);
	b = sign(&f, mallory, artifact_bytes);
	in.artifact = "Python-3.7.17.tgz";
	in.digest = &f.digest;
	in.bundle = b;
	v = judge(&f, &in, 0);
	cr_assert_eq(v->status, PYVERIFY_RELEASE_FAILED);
	cr_assert_eq(v->error.code, PYVERIFY_EREJECT);
	cr_assert_eq(v->error.step, PYVERIFY_STEP_IDENTITY, "%s", v->error.msg);
	cr_assert_str_eq(v->identity, "");
	free(v);
	pyverify_bundle_free(b);
	vs_leaf_free(mallory);
	fx_free(&f);
}

Test(release, releases_before_sigstore_with_an_asc_are_legacy_pgp_only)
{
	static const char *const names[] = {
		"Python-3.6.15.tgz",  /* series older than every policy series */
		"Python-2.7.tgz",
		"Python-3.7.13.tgz",  /* in the series, before first_sigstore */
		"Python-3.7.0rc1.tgz",
	};
	struct fx f;
	size_t i;

	fx_init(&f);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		pyverify_release_input in = { 0 };
		pyverify_release_verdict *v;

		in.artifact = names[i];
		in.has_asc = 1;
		v = judge(&f, &in, 0);
		cr_expect_eq(v->status, PYVERIFY_RELEASE_LEGACY_PGP_ONLY, "%s: %s",
		             names[i], pyverify_release_status_name(v->status));
		cr_expect_not(pyverify_release_verdict_passes(v, 0));
		cr_expect(pyverify_release_verdict_passes(v, 1));
		/* Without the .asc there is nothing at all to verify. */
		in.has_asc = 0;
		free(v);
		v = judge(&f, &in, 0);
		cr_expect_eq(v->status, PYVERIFY_RELEASE_MISSING, "%s", names[i]);
		cr_expect_not(pyverify_release_verdict_passes(v, 1));
		free(v);
	}
	fx_free(&f);
}

Test(release, a_signed_release_without_its_bundle_is_missing)
{
	struct fx f;
	pyverify_release_input in = { 0 };
	pyverify_release_verdict *v;

	fx_init(&f);
	in.artifact = "Python-3.7.14.tgz";
	in.has_asc = 1; /* 3.7 still publishes PGP: an .asc is not enough */
	v = judge(&f, &in, 0);
	cr_assert_eq(v->status, PYVERIFY_RELEASE_MISSING);
	cr_assert_not_null(strstr(v->note, "Python-3.7.14.tgz.sigstore"), "%s",
	                   v->note);
	free(v);
	/* From 3.14 on an .asc alone is suspicious (PEP 761). */
	in.artifact = "Python-3.14.0.tgz";
	v = judge(&f, &in, 0);
	cr_assert_eq(v->status, PYVERIFY_RELEASE_MISSING);
	cr_assert_not_null(strstr(v->note, "suspicious"), "%s", v->note);
	cr_assert_not_null(strstr(v->note, "PEP 761"), "%s", v->note);
	free(v);
	/* .sig + .crt cannot be checked offline (SPEC 6.2). */
	in.has_asc = 0;
	in.has_detached = 1;
	v = judge(&f, &in, 0);
	cr_assert_eq(v->status, PYVERIFY_RELEASE_MISSING);
	cr_assert_not_null(strstr(v->note, ".crt"), "%s", v->note);
	free(v);
	fx_free(&f);
}

Test(release, windows_help_files_without_bundles_are_a_known_gap)
{
	struct fx f;
	pyverify_release_input in = { 0 };
	pyverify_release_verdict *v;

	fx_init(&f);
	in.artifact = "python3714.chm"; /* 3.7.14: a Sigstore-era release */
	in.has_asc = 1;
	v = judge(&f, &in, 0);
	/* Not legacy-pgp-only: the release does not predate Sigstore, and
	 * --allow-legacy-pgp must not pass an unchecked help file. */
	cr_assert_eq(v->status, PYVERIFY_RELEASE_MISSING, "%s",
	             pyverify_release_status_name(v->status));
	cr_assert_not(pyverify_release_verdict_passes(v, 1));
	cr_assert_eq(v->kind, PYVERIFY_RELEASE_KIND_WINDOWS_HELP);
	cr_assert_not_null(strstr(v->note, ".chm"), "%s", v->note);
	cr_assert_not_null(strstr(v->note, ".asc"), "%s", v->note);
	free(v);
	/* The same for the Windows release manifest of a series that
	 * publishes PGP signatures. */
	in.artifact = "windows-3.7.14.json";
	v = judge(&f, &in, 0);
	cr_assert_eq(v->status, PYVERIFY_RELEASE_MISSING, "%s",
	             pyverify_release_status_name(v->status));
	cr_assert_not_null(strstr(v->note, ".asc"), "%s", v->note);
	free(v);
	in.artifact = "python3714.chm";
	in.has_asc = 0;
	v = judge(&f, &in, 0);
	cr_assert_eq(v->status, PYVERIFY_RELEASE_MISSING);
	free(v);
	fx_free(&f);
}

/* A replacement policy (--policy) that lists only the series a distro
 * builds: the series it leaves out are not thereby "before Sigstore". */
Test(release, a_signed_series_left_out_of_a_policy_is_never_legacy)
{
	static const char one_series[] =
		"{\"schema\":\"pyverify.cpython-policy/1\",\"series\":["
		"{\"series\":\"3.12\",\"identities\":[{\"identity\":\"" ID "\","
		"\"issuer\":\"" ISS "\"}],\"first_sigstore\":\"3.12.0a1\","
		"\"pgp\":true}]}";
	static const struct {
		const char *name;
		pyverify_release_status status;
	} cases[] = {
		{ "Python-3.11.4.tgz", PYVERIFY_RELEASE_UNKNOWN_RELEASE },
		{ "Python-3.7.17.tgz", PYVERIFY_RELEASE_UNKNOWN_RELEASE },
		{ "python-3.8.14-amd64.exe", PYVERIFY_RELEASE_UNKNOWN_RELEASE },
		/* Series before 3.7 were never Sigstore-signed. */
		{ "Python-3.6.15.tgz", PYVERIFY_RELEASE_LEGACY_PGP_ONLY },
		{ "Python-2.7.18.tgz", PYVERIFY_RELEASE_LEGACY_PGP_ONLY },
	};
	pyverify_release_policy *policy = NULL;
	pyverify_error err;
	size_t i;

	cr_assert_eq(pyverify_release_policy_load_memory(&policy, one_series,
	                                           strlen(one_series), &err),
	             0, "%s", err.msg);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pyverify_release_input in = { 0 };
		pyverify_release_verdict *v = malloc(sizeof(*v));

		cr_assert_not_null(v);
		in.artifact = cases[i].name;
		in.has_asc = 1;
		cr_assert_eq(pyverify_release_verify(v, NULL, policy, &in), 0);
		cr_expect_eq(v->status, cases[i].status, "%s: %s (%s)",
		             cases[i].name, pyverify_release_status_name(v->status),
		             v->note);
		free(v);
	}
	pyverify_release_policy_free(policy);
}

Test(release, names_and_series_outside_the_policy_are_unknown_releases)
{
	static const char *const names[] = {
		"README.txt", "Python-3.14.0.tgz.sigstore", "Python-3.14.tgz",
		"Python-3.16.0.tgz", /* newer than every series of the policy */
		"Python-3.10.1.tgz", /* between series the policy lists */
	};
	struct fx f;
	size_t i;

	fx_init(&f);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		pyverify_release_input in = { 0 };
		pyverify_release_verdict *v;

		in.artifact = names[i];
		in.digest = &f.digest;
		in.bundle = f.bundle; /* even a good bundle: no guessed signer */
		v = judge(&f, &in, 0);
		cr_expect_eq(v->status, PYVERIFY_RELEASE_UNKNOWN_RELEASE, "%s: %s",
		             names[i], pyverify_release_status_name(v->status));
		free(v);
	}
	fx_free(&f);
}

Test(release, an_explicit_signer_overrides_the_policy)
{
	struct fx f;
	pyverify_release_input in = { 0 };
	pyverify_release_verdict *v;

	fx_init(&f);
	in.artifact = "Python-3.16.0.tgz";
	in.digest = &f.digest;
	in.bundle = f.bundle;
	in.identity = ID;
	in.issuer = ISS;
	v = judge(&f, &in, 0);
	cr_assert_eq(v->status, PYVERIFY_RELEASE_VERIFIED, "%s", v->error.msg);
	cr_assert_str_eq(v->identity, ID);
	free(v);
	/* The override replaces the policy: the policy's signer of 3.14 is
	 * then not accepted. */
	in.artifact = "Python-3.14.0.tgz";
	in.identity = "rm@example.org";
	v = judge(&f, &in, 0);
	cr_assert_eq(v->status, PYVERIFY_RELEASE_FAILED);
	cr_assert_eq(v->error.step, PYVERIFY_STEP_IDENTITY, "%s", v->error.msg);
	free(v);
	/* Half an override is a caller error, and still a failed verdict. */
	in.issuer = NULL;
	v = judge(&f, &in, PYVERIFY_EUSAGE);
	cr_assert_eq(v->status, PYVERIFY_RELEASE_FAILED);
	free(v);
	fx_free(&f);
}

Test(release, unreadable_material_fails_with_its_error)
{
	struct fx f;
	pyverify_release_input in = { 0 };
	pyverify_error err;
	pyverify_release_verdict *v;

	fx_init(&f);
	pv_fail(&err, PYVERIFY_EPARSE, PYVERIFY_STEP_BUNDLE_FORMAT,
	        "bundle is not JSON");
	in.artifact = "Python-3.14.0.tgz";
	in.material_error = &err;
	in.has_asc = 1;
	v = judge(&f, &in, 0);
	cr_assert_eq(v->status, PYVERIFY_RELEASE_FAILED);
	cr_assert_eq(v->error.code, PYVERIFY_EPARSE);
	cr_assert_eq(v->error.step, PYVERIFY_STEP_BUNDLE_FORMAT);
	cr_assert_str_eq(v->error.msg, "bundle is not JSON");
	free(v);
	fx_free(&f);
}

Test(release, a_bundle_without_digest_or_root_is_a_caller_error)
{
	struct fx f;
	pyverify_release_input in = { 0 };
	pyverify_release_verdict *v = malloc(sizeof(*v));

	fx_init(&f);
	cr_assert_not_null(v);
	in.artifact = "Python-3.14.0.tgz";
	in.bundle = f.bundle;
	cr_assert_eq(pyverify_release_verify(v, f.root, f.policy, &in),
	             PYVERIFY_EUSAGE);
	cr_assert_eq(v->status, PYVERIFY_RELEASE_FAILED);
	in.digest = &f.digest;
	cr_assert_eq(pyverify_release_verify(v, NULL, f.policy, &in),
	             PYVERIFY_EUSAGE);
	cr_assert_eq(v->status, PYVERIFY_RELEASE_FAILED);
	cr_assert_eq(pyverify_release_verify(v, f.root, NULL, &in), PYVERIFY_EUSAGE);
	cr_assert_eq(pyverify_release_verify(v, f.root, f.policy, NULL),
	             PYVERIFY_EUSAGE);
	cr_assert_eq(pyverify_release_verify(NULL, f.root, f.policy, &in),
	             PYVERIFY_EUSAGE);
	free(v);
	fx_free(&f);
}

Test(release, the_json_of_a_verified_artifact_has_every_field)
{
	struct fx f;
	pyverify_release_input in = { 0 };
	pyverify_release_verdict *v;
	char hex[65];
	json_t *j, *exp;

	fx_init(&f);
	in.artifact = "Python-3.14.0.tgz";
	in.digest = &f.digest;
	in.bundle = f.bundle;
	in.bundle_path = "Python-3.14.0.tgz.sigstore";
	v = judge(&f, &in, 0);
	j = as_json(v);
	pv_hex_encode(hex, f.digest.sha256, 32);
	cr_assert_str_eq(json_string_value(json_object_get(j, "artifact")),
	                 "Python-3.14.0.tgz");
	cr_assert_str_eq(json_string_value(json_object_get(j, "status")),
	                 "verified");
	cr_assert_str_eq(json_string_value(json_object_get(j, "version")),
	                 "3.14.0");
	cr_assert_str_eq(json_string_value(json_object_get(j, "kind")),
	                 "source");
	cr_assert_str_eq(json_string_value(json_object_get(j, "identity")), ID);
	cr_assert_str_eq(json_string_value(json_object_get(j, "issuer")), ISS);
	cr_assert_str_eq(json_string_value(json_object_get(j, "sha256")), hex);
	cr_assert_str_eq(json_string_value(json_object_get(j, "bundle")),
	                 "Python-3.14.0.tgz.sigstore");
	cr_assert_eq(json_integer_value(json_object_get(j, "log_index")),
	             v->log_index);
	/* VS_EPOCH + 60 = 1700000060 */
	cr_assert_str_eq(json_string_value(json_object_get(j,
	                                                   "integrated_time")),
	                 "2023-11-14T22:14:20Z");
	cr_assert(json_is_null(json_object_get(j, "error")));
	exp = json_object_get(j, "expected");
	cr_assert_eq(json_array_size(exp), 2);
	cr_assert_str_eq(json_string_value(json_object_get(
	                     json_array_get(exp, 0), "identity")),
	                 "rm@example.org");
	json_decref(j);
	free(v);
	fx_free(&f);
}

Test(release, the_json_of_a_failure_has_error_step_and_message)
{
	struct fx f;
	pyverify_release_input in = { 0 };
	pyverify_artifact other;
	pyverify_error err;
	pyverify_release_verdict *v;
	json_t *j, *e;

	fx_init(&f);
	cr_assert_eq(pyverify_artifact_from_memory(&other, "x", 1, &err), 0);
	in.artifact = "Python-3.14.0.tgz";
	in.digest = &other;
	in.bundle = f.bundle;
	v = judge(&f, &in, 0);
	j = as_json(v);
	cr_assert_str_eq(json_string_value(json_object_get(j, "status")),
	                 "failed");
	e = json_object_get(j, "error");
	cr_assert(json_is_object(e));
	cr_assert_str_eq(json_string_value(json_object_get(e, "step")),
	                 pyverify_step_code(v->error.step));
	cr_assert_str_eq(json_string_value(json_object_get(e, "message")),
	                 v->error.msg);
	cr_assert(json_is_null(json_object_get(j, "identity")));
	cr_assert(json_is_null(json_object_get(j, "log_index")));
	cr_assert(json_is_null(json_object_get(j, "integrated_time")));
	json_decref(j);
	free(v);
	fx_free(&f);
}

Test(release, json_keeps_names_that_are_not_utf8_and_quotes_control_bytes)
{
	struct fx f;
	pyverify_release_input in = { 0 };
	pyverify_release_verdict *v;
	json_t *j;

	fx_init(&f);
	in.artifact = "dir\xff/\"odd\"\n.tgz";
	v = judge(&f, &in, 0);
	cr_assert_eq(v->status, PYVERIFY_RELEASE_UNKNOWN_RELEASE);
	j = as_json(v);
	cr_assert_str_eq(json_string_value(json_object_get(j, "artifact")),
	                 "dir\\xff/\"odd\"\n.tgz");
	cr_assert(json_is_null(json_object_get(j, "version")));
	cr_assert(json_is_null(json_object_get(j, "sha256")));
	json_decref(j);
	free(v);
	fx_free(&f);
}

Test(release, status_names_are_the_documented_words)
{
	static const struct {
		pyverify_release_status status;
		const char *name;
	} names[] = {
		{ PYVERIFY_RELEASE_VERIFIED, "verified" },
		{ PYVERIFY_RELEASE_FAILED, "failed" },
		{ PYVERIFY_RELEASE_LEGACY_PGP_ONLY, "legacy-pgp-only" },
		{ PYVERIFY_RELEASE_MISSING, "missing" },
		{ PYVERIFY_RELEASE_UNKNOWN_RELEASE, "unknown-release" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		cr_assert_str_eq(pyverify_release_status_name(names[i].status),
		                 names[i].name);
}
