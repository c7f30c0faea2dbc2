/*
 * test_sha2_digests.c - issue 8 defect 8: bundles that sign the SHA-384 or
 * SHA-512 digest of the artifact (P-384 and P-521 Fulcio leaves and managed
 * keys, PKIX_ECDSA_P384_SHA_384 / PKIX_ECDSA_P521_SHA_512), end to end
 * through the library and through `pyverify verify-bundle`: hashedrekord
 * 0.0.1 with sha384/sha512, the 0.0.2 form, DSSE statements whose subjects
 * carry only sha512, digest inputs of each algorithm and files hashed with
 * the bundle's algorithm. All material is minted (tests/support/vsigstore).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <openssl/evp.h>

#include "pyverify.h"
#include "vrun.h"
#include "vsigstore.h"

static const char artifact[] = "hello\n";

/* "shaNNN:<hex>" of data. */
static void
digest_spec(char *out, size_t outlen, int bits, const void *data, size_t len)
{
	const EVP_MD *md = bits == 384 ? EVP_sha384()
	                   : bits == 512 ? EVP_sha512() : EVP_sha256();
	unsigned char d[64];
	unsigned int n = 0;
	size_t used, i;

	cr_assert_eq(EVP_Digest(data, len, d, &n, md, NULL), 1);
	used = (size_t)snprintf(out, outlen, "sha%d:", bits);
	for (i = 0; i < n; i++)
		snprintf(out + used + 2 * i, outlen - used - 2 * i, "%02x",
		         d[i]);
}

struct run {
	const char *digest;   /* a digest argument, or */
	const char *file;     /* a file, hashed with pyverify_artifact_from_file_for */
	const char *key_pem;  /* managed key instead of the default identity */
};

/* Verifies through the public API only; returns the status. */
static int
verify(json_t *root_json, json_t *bundle_json, const struct run *r,
       pyverify_error *err)
{
	pyverify_trust_root *root = NULL;
	pyverify_bundle *bundle = NULL;
	pyverify_policy *policy = NULL;
	pyverify_artifact a;
	pyverify_result res;
	char *rt = vs_dump(root_json), *bt = vs_dump(bundle_json);
	int rc;

	cr_assert(rt != NULL && bt != NULL);
	cr_assert_eq(pyverify_trust_root_load_memory(&root, rt, strlen(rt),
	                                             NULL, err), 0, "%s",
	             err->msg);
	cr_assert_eq(pyverify_bundle_load_memory(&bundle, bt, strlen(bt), err),
	             0, "%s", err->msg);
	cr_assert_eq(pyverify_policy_new(&policy, err), 0);
	if (r->key_pem != NULL)
		cr_assert_eq(pyverify_policy_set_key_pem(policy, r->key_pem,
		                                         strlen(r->key_pem),
		                                         err), 0, "%s",
		             err->msg);
	else
		cr_assert_eq(pyverify_policy_add_identity(
		                 policy, VR_ID, PYVERIFY_MATCH_EXACT, VR_ISS,
		                 PYVERIFY_MATCH_EXACT, err), 0);
	pyverify_policy_set_now(policy, VS_EPOCH + 3600);
	if (r->digest != NULL)
		rc = pyverify_artifact_from_digest(&a, r->digest, err);
	else
		rc = pyverify_artifact_from_file_for(&a, r->file, bundle, err);
	cr_assert_eq(rc, 0, "%s", err->msg);
	rc = pyverify_verify(root, bundle, &a, policy, &res, err);
	pyverify_bundle_free(bundle);
	pyverify_policy_free(policy);
	pyverify_trust_root_free(root);
	free(rt);
	free(bt);
	return rc;
}

static void
expect_ok(json_t *root, json_t *bundle, const struct run *r)
{
	pyverify_error err = { 0 };
	int rc = verify(root, bundle, r, &err);

	cr_assert_eq(rc, 0, "rejected at [%s]: %s",
	             pyverify_step_code(err.step), err.msg);
}

static void
expect_fail(json_t *root, json_t *bundle, const struct run *r,
            pyverify_step step, const char *needle)
{
	pyverify_error err = { 0 };
	int rc = verify(root, bundle, r, &err);

	cr_assert_eq(rc, PYVERIFY_EREJECT, "rc %d: %s", rc, err.msg);
	cr_assert_eq(err.step, step, "[%s] %s", pyverify_step_code(err.step),
	             err.msg);
	cr_assert(needle == NULL || strstr(err.msg, needle) != NULL,
	          "message \"%s\" lacks \"%s\"", err.msg, needle);
}

struct fx {
	struct vs *vs;
	struct vs_leaf *leaf;
	json_t *root;
	char dir[64], file[128];
};

static void
fx_init(struct fx *f, const char *curve)
{
	struct vs_leaf_opts lo = { 0 };
	FILE *fp;

	memset(f, 0, sizeof(*f));
	lo.curve = curve;
	f->vs = vs_new();
	cr_assert_not_null(f->vs);
	f->leaf = vs_leaf_new(f->vs, &lo);
	cr_assert_not_null(f->leaf);
	f->root = vs_trust_root(f->vs);
	cr_assert_not_null(f->root);
	snprintf(f->dir, sizeof(f->dir), "/tmp/pvsha2-XXXXXX");
	cr_assert_not_null(mkdtemp(f->dir));
	snprintf(f->file, sizeof(f->file), "%s/artifact", f->dir);
	fp = fopen(f->file, "wb");
	cr_assert_not_null(fp);
	fputs(artifact, fp);
	fclose(fp);
}

static void
fx_free(struct fx *f)
{
	unlink(f->file);
	rmdir(f->dir);
	json_decref(f->root);
	vs_leaf_free(f->leaf);
	vs_free(f->vs);
}

static const struct {
	const char *curve;
	int bits;
	const char *details;
} signers[] = {
	{ "P-384", 384, "PKIX_ECDSA_P384_SHA_384" },
	{ "P-521", 512, "PKIX_ECDSA_P521_SHA_512" },
};

/* The fixture really produced what a P-384/P-521 client publishes. */
static void
assert_bundle_shape(json_t *b, int bits)
{
	char want[16];
	json_t *alg = json_object_get(json_object_get(json_object_get(b,
	                  "messageSignature"), "messageDigest"), "algorithm");

	snprintf(want, sizeof(want), "SHA2_%d", bits);
	cr_assert_str_eq(json_string_value(alg), want);
}

Test(sha2_digests, leaf_bundles_verify_from_the_file_and_from_the_digest)
{
	size_t i;

	for (i = 0; i < 2; i++) {
		struct fx f;
		struct run r = { 0 };
		pyverify_result res;
		char spec[160];
		json_t *b;

		fx_init(&f, signers[i].curve);
		b = vs_sign(f.vs, f.leaf, NULL);
		cr_assert_not_null(b);
		assert_bundle_shape(b, signers[i].bits);
		/* The library hashes the file with the bundle's algorithm. */
		r.file = f.file;
		expect_ok(f.root, b, &r);
		/* Before the fix: rejected at [tlog-body] ("expected
		 * sha256"). */
		digest_spec(spec, sizeof(spec), signers[i].bits, artifact,
		            strlen(artifact));
		r.file = NULL;
		r.digest = spec;
		expect_ok(f.root, b, &r);
		/* vrun gives every digest (from memory). */
		vr_expect_ok(f.root, b, NULL, &res);
		json_decref(b);
		fx_free(&f);
	}
}

Test(sha2_digests, a_digest_of_another_artifact_or_algorithm_is_rejected)
{
	size_t i;

	for (i = 0; i < 2; i++) {
		struct fx f;
		struct run r = { 0 };
		char spec[160], want[16];
		json_t *b;

		fx_init(&f, signers[i].curve);
		b = vs_sign(f.vs, f.leaf, NULL);
		cr_assert_not_null(b);
		/* Another artifact, right algorithm: the log entry is not
		 * about it (as for SHA-256 digests). */
		digest_spec(spec, sizeof(spec), signers[i].bits, "other\n", 6);
		r.digest = spec;
		expect_fail(f.root, b, &r, PYVERIFY_STEP_TLOG_BODY,
		            "another artifact");
		/* The right artifact by its SHA-256: refused, naming the
		 * algorithm the bundle signs. */
		digest_spec(spec, sizeof(spec), 256, artifact,
		            strlen(artifact));
		snprintf(want, sizeof(want), "SHA-%d digest", signers[i].bits);
		expect_fail(f.root, b, &r, PYVERIFY_STEP_ARTIFACT, want);
		/* Without the messageDigest hint, the log entry still
		 * names the algorithm and the digest must match it. */
		json_decref(b);
		{
			struct vs_sign_opts so = { 0 };
			so.no_message_digest = 1;
			b = vs_sign(f.vs, f.leaf, &so);
		}
		cr_assert_not_null(b);
		expect_fail(f.root, b, &r, PYVERIFY_STEP_ARTIFACT, want);
		digest_spec(spec, sizeof(spec), signers[i].bits, "other\n", 6);
		expect_fail(f.root, b, &r, PYVERIFY_STEP_TLOG_BODY,
		            "another artifact");
		r.digest = NULL;
		r.file = f.file;
		expect_ok(f.root, b, &r);
		json_decref(b);
		fx_free(&f);
	}
}

Test(sha2_digests, a_p384_signature_over_a_sha256_digest_still_verifies)
{
	/* SPEC 3.7.1 step 4: older clients signed the SHA-256 digest with a
	 * P-384 leaf; the bundle's messageDigest says which. */
	struct fx f;
	struct run r = { 0 };
	struct vs_sign_opts so = { 0 };
	char spec[160];
	json_t *b;

	fx_init(&f, "P-384");
	so.hash = 256;
	b = vs_sign(f.vs, f.leaf, &so);
	cr_assert_not_null(b);
	assert_bundle_shape(b, 256);
	r.file = f.file;
	expect_ok(f.root, b, &r);
	digest_spec(spec, sizeof(spec), 384, artifact, strlen(artifact));
	r.file = NULL;
	r.digest = spec;
	expect_fail(f.root, b, &r, PYVERIFY_STEP_ARTIFACT, "SHA-256 digest");
	json_decref(b);
	fx_free(&f);
}

Test(sha2_digests, a_tampered_signature_is_rejected_at_the_signature_step)
{
	struct fx f;
	struct run r = { 0 };
	json_t *b;

	fx_init(&f, "P-521");
	{
		struct vs_sign_opts so = { 0 };
		EVP_PKEY *other = EVP_EC_gen("P-521");
		cr_assert_not_null(other);
		so.signing_key = other;
		b = vs_sign(f.vs, f.leaf, &so);
		EVP_PKEY_free(other);
	}
	cr_assert_not_null(b);
	r.file = f.file;
	expect_fail(f.root, b, &r, PYVERIFY_STEP_SIGNATURE, "does not verify");
	json_decref(b);
	fx_free(&f);
}

Test(sha2_digests, managed_p384_and_p521_keys_verify_on_both_logs)
{
	size_t i;

	for (i = 0; i < 2; i++) {
		struct fx f;
		struct run r = { 0 };
		struct vs_sign_opts so = { 0 };
		struct vtsa *tsa;
		EVP_PKEY *key = EVP_EC_gen(signers[i].curve);
		char *pem, spec[160];
		json_t *b;

		cr_assert_not_null(key);
		pem = vs_public_key_pem(key);
		cr_assert_not_null(pem);
		fx_init(&f, NULL);
		b = vs_sign_with_key(f.vs, key, NULL);
		cr_assert_not_null(b);
		assert_bundle_shape(b, signers[i].bits);
		r.key_pem = pem;
		r.file = f.file;
		expect_ok(f.root, b, &r);
		digest_spec(spec, sizeof(spec), signers[i].bits, artifact,
		            strlen(artifact));
		r.file = NULL;
		r.digest = spec;
		expect_ok(f.root, b, &r);
		json_decref(b);

		/* Rekor v2: hashedrekord 0.0.2 with SHA2_384/SHA2_512 and
		 * the key's details, timestamped. */
		so.rekor_v2 = 1;
		b = vs_sign_with_key(f.vs, key, &so);
		cr_assert_not_null(b);
		{
			uint8_t sig[256], *der = NULL;
			size_t sig_len, der_len = 0;
			struct vtsa_stamp_opts to = { 0 };
			const char *s64 = json_string_value(json_object_get(
			    json_object_get(b, "messageSignature"),
			    "signature"));
			char *b64;
			int n;
			tsa = vtsa_new(NULL);
			cr_assert_not_null(tsa);
			n = EVP_DecodeBlock(sig, (const unsigned char *)s64,
			                    (int)strlen(s64));
			cr_assert_gt(n, 0);
			sig_len = (size_t)n - (s64[strlen(s64) - 1] == '=') -
			          (s64[strlen(s64) - 2] == '=');
			to.gen_time_ms = (VS_EPOCH + 30) * 1000;
			to.embed_certs = 1;
			cr_assert_eq(vtsa_stamp(tsa, sig, sig_len, &to, &der,
			                        &der_len), 0);
			b64 = malloc(der_len * 2 + 8);
			cr_assert_not_null(b64);
			EVP_EncodeBlock((unsigned char *)b64, der, (int)der_len);
			json_object_set_new(
			    json_object_get(b, "verificationMaterial"),
			    "timestampVerificationData",
			    json_pack("{s:[{s:s}]}", "rfc3161Timestamps",
			              "signedTimestamp", b64));
			json_object_set_new(f.root, "timestampAuthorities",
			                    json_pack("[o]",
			                              vtsa_trust_root_entry(tsa,
			                                                    0, 0)));
			free(b64);
			free(der);
		}
		{
			const char *body = json_string_value(vr_at(b,
			    "verificationMaterial.tlogEntries.0."
			    "canonicalizedBody"));
			unsigned char text[4096];
			char want[32];
			int n = EVP_DecodeBlock(text, (const unsigned char *)body,
			                        (int)strlen(body));
			cr_assert(n > 0 && (size_t)n < sizeof(text));
			text[n] = '\0';
			snprintf(want, sizeof(want), "SHA2_%d", signers[i].bits);
			cr_assert_not_null(strstr((char *)text, want));
			cr_assert_not_null(strstr((char *)text,
			                          signers[i].details));
		}
		expect_ok(f.root, b, &r);
		r.digest = NULL;
		r.file = f.file;
		expect_ok(f.root, b, &r);
		json_decref(b);
		vtsa_free(tsa);
		fx_free(&f);
		free(pem);
		EVP_PKEY_free(key);
	}
}

Test(sha2_digests, dsse_statements_with_only_sha512_subjects_match_the_file)
{
	struct fx f;
	struct run r = { 0 };
	struct vs_subject subj[2] = { { "other", "other\n", 6, VS_SHA512 },
		                      { "artifact", artifact, 6, VS_SHA512 } };
	char *st, spec[160];
	json_t *b;

	fx_init(&f, "P-384");
	st = vs_intoto_statement(subj, 2, NULL);
	cr_assert_not_null(st);
	cr_assert_null(strstr(st, "sha256"), "%s", st);
	b = vs_sign_dsse(f.vs, f.leaf, NULL, st);
	cr_assert_not_null(b);
	/* The file: hashed with SHA-512 because the subjects say so. */
	r.file = f.file;
	expect_ok(f.root, b, &r);
	digest_spec(spec, sizeof(spec), 512, artifact, strlen(artifact));
	r.file = NULL;
	r.digest = spec;
	expect_ok(f.root, b, &r);
	/* Its SHA-256 cannot be compared with any subject. */
	digest_spec(spec, sizeof(spec), 256, artifact, strlen(artifact));
	expect_fail(f.root, b, &r, PYVERIFY_STEP_ARTIFACT,
	            "carry only sha512 digests");
	/* Another artifact's SHA-512 is not a subject. */
	digest_spec(spec, sizeof(spec), 512, "third\n", 6);
	expect_fail(f.root, b, &r, PYVERIFY_STEP_ARTIFACT, "not a subject");
	json_decref(b);
	free(st);
	fx_free(&f);
}

Test(sha2_digests, digest_arguments_of_each_length_parse_and_others_do_not)
{
	pyverify_artifact a;
	pyverify_error err = { 0 };
	char spec[160];

	digest_spec(spec, sizeof(spec), 384, artifact, strlen(artifact));
	cr_assert_eq(pyverify_artifact_from_digest(&a, spec, &err), 0);
	cr_assert_eq(a.digests, PYVERIFY_DIGEST_SHA384);
	digest_spec(spec, sizeof(spec), 512, artifact, strlen(artifact));
	cr_assert_eq(pyverify_artifact_from_digest(&a, spec, &err), 0);
	cr_assert_eq(a.digests, PYVERIFY_DIGEST_SHA512);
	/* A SHA-512 length under the sha384 name, and the reverse. */
	memcpy(spec, "sha384", 6);
	cr_assert_eq(pyverify_artifact_from_digest(&a, spec, &err),
	             PYVERIFY_EUSAGE);
	cr_assert_not_null(strstr(err.msg, "sha512:"));
	digest_spec(spec, sizeof(spec), 384, artifact, strlen(artifact));
	memcpy(spec, "sha512", 6);
	cr_assert_eq(pyverify_artifact_from_digest(&a, spec, &err),
	             PYVERIFY_EUSAGE);
	cr_assert_eq(pyverify_artifact_from_digest(&a, "md5:00", &err),
	             PYVERIFY_EUSAGE);
	cr_assert_eq(pyverify_artifact_from_digest(&a, "sha384", &err),
	             PYVERIFY_EUSAGE);
}

/* ---- the CLI ----------------------------------------------------------- */

struct out {
	int code;
	char err[4096], out[4096];
};

static void
slurp(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0;

	if (f != NULL) {
		n = fread(buf, 1, cap - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

static struct out
cli(const char *dir, const char *const *argv)
{
	char bin[4096], o[256], e[256];
	const char *b = getenv("PYVERIFY_BUILD");
	struct out r;
	pid_t pid;
	int st;

	snprintf(bin, sizeof(bin), "%s/pyverify", b && *b ? b : "build");
	snprintf(o, sizeof(o), "%s/out", dir);
	snprintf(e, sizeof(e), "%s/err", dir);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		const char *args[32];
		size_t i, n = 0;
		args[n++] = bin;
		for (i = 0; argv[i] != NULL && n < 31; i++)
			args[n++] = argv[i];
		args[n] = NULL;
		unsetenv("PYVERIFY_TRUSTED_ROOT");
		if (freopen(o, "wb", stdout) == NULL ||
		    freopen(e, "wb", stderr) == NULL)
			_exit(126);
		alarm(60); /* bounded in time */
		execv(bin, (char *const *)args);
		_exit(127);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	r.code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	slurp(o, r.out, sizeof(r.out));
	slurp(e, r.err, sizeof(r.err));
	unlink(o);
	unlink(e);
	return r;
}

static void
write_json(const char *path, json_t *j)
{
	char *text = vs_dump(j);
	FILE *f = fopen(path, "wb");

	cr_assert(text != NULL && f != NULL);
	fputs(text, f);
	fclose(f);
	free(text);
}

Test(sha2_digests, cli_verifies_files_and_every_digest_form)
{
	struct fx f;
	char root[160], bundle[160], spec[160];
	struct out r;
	json_t *b;

	fx_init(&f, "P-384");
	b = vs_sign(f.vs, f.leaf, NULL);
	cr_assert_not_null(b);
	snprintf(root, sizeof(root), "%s/root.json", f.dir);
	snprintf(bundle, sizeof(bundle), "%s/a.sigstore.json", f.dir);
	write_json(root, f.root);
	write_json(bundle, b);
	{
		const char *argv[] = { "verify-bundle", "--bundle", bundle,
		                       "--certificate-identity", VR_ID,
		                       "--certificate-oidc-issuer", VR_ISS,
		                       "--trusted-root", root, f.file, NULL };
		r = cli(f.dir, argv);
		cr_assert_eq(r.code, 0, "%s", r.err);
		cr_assert(strncmp(r.out, "OK ", 3) == 0, "%s", r.out);
	}
	digest_spec(spec, sizeof(spec), 384, artifact, strlen(artifact));
	{
		const char *argv[] = { "verify-bundle", "--bundle", bundle,
		                       "--certificate-identity", VR_ID,
		                       "--certificate-oidc-issuer", VR_ISS,
		                       "--trusted-root", root, spec, NULL };
		r = cli(f.dir, argv);
		cr_assert_eq(r.code, 0, "%s", r.err);
		/* The wrong algorithm: a rejection that says which. */
		digest_spec(spec, sizeof(spec), 256, artifact,
		            strlen(artifact));
		r = cli(f.dir, argv);
		cr_assert_eq(r.code, 1, "%s", r.err);
		cr_assert(strstr(r.err, "[artifact]") &&
		          strstr(r.err, "SHA-384 digest") &&
		          strstr(r.err, "sha384:"), "%s", r.err);
		/* Another artifact's SHA-384. */
		digest_spec(spec, sizeof(spec), 384, "other\n", 6);
		r = cli(f.dir, argv);
		cr_assert_eq(r.code, 1, "%s", r.err);
		cr_assert(strstr(r.err, "[tlog-body]"), "%s", r.err);
	}
	json_decref(b);
	unlink(root);
	unlink(bundle);
	fx_free(&f);

	/* P-521: the SHA-512 form. */
	fx_init(&f, "P-521");
	b = vs_sign(f.vs, f.leaf, NULL);
	cr_assert_not_null(b);
	snprintf(root, sizeof(root), "%s/root.json", f.dir);
	snprintf(bundle, sizeof(bundle), "%s/a.sigstore.json", f.dir);
	write_json(root, f.root);
	write_json(bundle, b);
	digest_spec(spec, sizeof(spec), 512, artifact, strlen(artifact));
	{
		const char *argv[] = { "verify-bundle", "--bundle", bundle,
		                       "--certificate-identity", VR_ID,
		                       "--certificate-oidc-issuer", VR_ISS,
		                       "--trusted-root", root, spec, NULL };
		r = cli(f.dir, argv);
		cr_assert_eq(r.code, 0, "%s", r.err);
	}
	{
		const char *argv[] = { "verify-bundle", "--bundle", bundle,
		                       "--certificate-identity", VR_ID,
		                       "--certificate-oidc-issuer", VR_ISS,
		                       "--trusted-root", root, f.file, NULL };
		r = cli(f.dir, argv);
		cr_assert_eq(r.code, 0, "%s", r.err);
	}
	json_decref(b);
	unlink(root);
	unlink(bundle);
	fx_free(&f);
}
