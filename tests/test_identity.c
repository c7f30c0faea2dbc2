/* test_identity.c - SANs, Fulcio OIDC issuer extensions and the identity
 * policy match (lib/verify/identity.c). */
#include <string.h>

#include <criterion/criterion.h>

#include "vsigstore.h"
#include "verify/steps.h"
#include "testdata.h"

#define CONF_IDENTITY                                                        \
	"https://github.com/sigstore-conformance/extremely-dangerous-public-" \
	"oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@" \
	"refs/heads/main"
#define CONF_ISSUER "https://token.actions.githubusercontent.com"

static struct cm_pki pki;

static void
setup(void)
{
	cr_assert_eq(cm_pki_init(&pki), 0);
}

static void
teardown(void)
{
	cm_pki_free(&pki);
}

TestSuite(identity, .init = setup, .fini = teardown);

static X509 *
mint(const struct cm_leaf_opts *o)
{
	X509 *x = cm_leaf(o, pki.leaf_key, pki.inter, pki.int_key);

	cr_assert_not_null(x);
	return x;
}

/* Reads the identity of a leaf minted with o; asserts success. */
static void
read_ok(const struct cm_leaf_opts *o, struct pv_cert_identity *id)
{
	pyverify_error err = { 0 };
	X509 *x = mint(o);

	cr_assert_eq(pv_cert_identity_read(id, x, &err), 0, "%s", err.msg);
	X509_free(x);
}

static void
read_fails(const struct cm_leaf_opts *o, int code, pyverify_step step)
{
	pyverify_error err = { 0 };
	struct pv_cert_identity id = { 0 };
	X509 *x = mint(o);

	cr_assert_eq(pv_cert_identity_read(&id, x, &err), code, "%s", err.msg);
	cr_assert_eq(err.step, step, "%s", err.msg);
	cr_assert_eq(id.n_sans, 0, "out must be untouched on failure");
	X509_free(x);
}

static pyverify_policy *
policy1(const char *identity, int im, const char *issuer, int ism)
{
	pyverify_policy *p = NULL;
	pyverify_error err = { 0 };

	cr_assert_eq(pyverify_policy_new(&p, &err), 0);
	cr_assert_eq(pyverify_policy_add_identity(p, identity, im, issuer, ism,
	                                          &err), 0, "%s", err.msg);
	return p;
}

static void
add_rule(pyverify_policy *p, const char *identity, const char *issuer)
{
	pyverify_error err = { 0 };

	cr_assert_eq(pyverify_policy_add_identity(p, identity,
	                                          PYVERIFY_MATCH_EXACT, issuer,
	                                          PYVERIFY_MATCH_EXACT, &err),
	             0, "%s", err.msg);
}

static int
match(const struct pv_cert_identity *id, const pyverify_policy *p,
      pyverify_result *res, pyverify_error *err)
{
	memset(res, 0, sizeof(*res));
	return pv_identity_match(id, p, res, err);
}

/* ---- reading ------------------------------------------------------------ */

Test(identity, san_values_of_each_kind_are_read_in_certificate_order)
{
	struct cm_leaf_opts o = { .email = "dev@example.org",
	                          .uri = "https://example.org/wf@main",
	                          .othername = "alice",
	                          .issuer_v8 = "https://issuer.example" };
	struct pv_cert_identity id = { 0 };

	read_ok(&o, &id);
	cr_assert_eq(id.n_sans, 3);
	cr_assert_str_eq(id.sans[0], "dev@example.org");
	cr_assert_str_eq(id.sans[1], "https://example.org/wf@main");
	cr_assert_str_eq(id.sans[2], "alice");
	cr_assert_str_eq(id.issuer, "https://issuer.example");
	pv_cert_identity_clear(&id);
	cr_assert_null(id.sans);
}

Test(identity, issuer_from_v1_extension_only)
{
	struct cm_leaf_opts o = { .email = "a@b.c",
	                          .issuer_v1 = "https://accounts.google.com" };
	struct pv_cert_identity id = { 0 };

	read_ok(&o, &id);
	cr_assert_str_eq(id.issuer, "https://accounts.google.com");
	pv_cert_identity_clear(&id);
}

Test(identity, issuer_from_v8_extension_only)
{
	struct cm_leaf_opts o = { .email = "a@b.c",
	                          .issuer_v8 = "https://issuer.example" };
	struct pv_cert_identity id = { 0 };

	read_ok(&o, &id);
	cr_assert_str_eq(id.issuer, "https://issuer.example");
	pv_cert_identity_clear(&id);
}

Test(identity, equal_v1_and_v8_issuers_are_accepted)
{
	struct cm_leaf_opts o = { .email = "a@b.c",
	                          .issuer_v1 = "https://issuer.example",
	                          .issuer_v8 = "https://issuer.example" };
	struct pv_cert_identity id = { 0 };

	read_ok(&o, &id);
	cr_assert_str_eq(id.issuer, "https://issuer.example");
	pv_cert_identity_clear(&id);
}

Test(identity, different_v1_and_v8_issuers_are_rejected)
{
	struct cm_leaf_opts o = { .email = "a@b.c",
	                          .issuer_v1 = "https://issuer.example",
	                          .issuer_v8 = "https://evil.example" };

	read_fails(&o, PYVERIFY_EREJECT, PYVERIFY_STEP_ISSUER);
}

Test(identity, no_issuer_extension_reads_as_null)
{
	struct cm_leaf_opts o = { .email = "a@b.c" };
	struct pv_cert_identity id = { 0 };

	read_ok(&o, &id);
	cr_assert_null(id.issuer);
	pv_cert_identity_clear(&id);
}

Test(identity, v8_issuer_that_is_not_one_utf8string_is_malformed)
{
	/* IA5String tag, trailing byte, and a truncated length. */
	static const uint8_t ia5[] = { 0x16, 0x01, 'x' };
	static const uint8_t trailing[] = { 0x0c, 0x01, 'x', 0x00 };
	static const uint8_t truncated[] = { 0x0c, 0x05, 'x' };
	static const uint8_t nul[] = { 0x0c, 0x03, 'a', 0x00, 'b' };
	struct cm_leaf_opts o = { .email = "a@b.c" };

	o.issuer_v8_raw = ia5;
	o.issuer_v8_raw_len = sizeof(ia5);
	read_fails(&o, PYVERIFY_EPARSE, PYVERIFY_STEP_ISSUER);
	o.issuer_v8_raw = trailing;
	o.issuer_v8_raw_len = sizeof(trailing);
	read_fails(&o, PYVERIFY_EPARSE, PYVERIFY_STEP_ISSUER);
	o.issuer_v8_raw = truncated;
	o.issuer_v8_raw_len = sizeof(truncated);
	read_fails(&o, PYVERIFY_EPARSE, PYVERIFY_STEP_ISSUER);
	o.issuer_v8_raw = nul;
	o.issuer_v8_raw_len = sizeof(nul);
	read_fails(&o, PYVERIFY_EPARSE, PYVERIFY_STEP_ISSUER);
}

Test(identity, repeated_issuer_extension_is_malformed)
{
	struct cm_leaf_opts o = { .email = "a@b.c",
	                          .issuer_v1 = "https://issuer.example",
	                          .issuer_v1_twice = 1 };

	read_fails(&o, PYVERIFY_EPARSE, PYVERIFY_STEP_ISSUER);
}

Test(identity, san_with_embedded_nul_is_malformed)
{
	struct cm_leaf_opts o = { .uri = "https://a.example\0.evil",
	                          .uri_len = 23,
	                          .issuer_v8 = "https://issuer.example" };

	read_fails(&o, PYVERIFY_EPARSE, PYVERIFY_STEP_IDENTITY);
}

Test(identity, fulcio_othername_that_is_not_utf8string_is_malformed)
{
	struct cm_leaf_opts o = { .othername = "alice", .othername_ia5 = 1,
	                          .issuer_v8 = "https://issuer.example" };

	read_fails(&o, PYVERIFY_EPARSE, PYVERIFY_STEP_IDENTITY);
}

/* ---- matching ----------------------------------------------------------- */

static void
match_one(const struct cm_leaf_opts *o, const char *identity, int im,
          const char *issuer, int ism, int want, pyverify_step step)
{
	struct pv_cert_identity id = { 0 };
	pyverify_policy *p = policy1(identity, im, issuer, ism);
	pyverify_error err = { 0 };
	pyverify_result res;

	read_ok(o, &id);
	cr_assert_eq(match(&id, p, &res, &err), want, "%s", err.msg);
	if (want == 0) {
		cr_assert_eq(res.policy_index, 0);
		cr_assert_str_eq(res.issuer, id.issuer);
	} else {
		cr_assert_eq(err.step, step, "%s", err.msg);
		cr_assert_str_eq(res.identity, "", "out untouched on failure");
	}
	pv_cert_identity_clear(&id);
	pyverify_policy_free(p);
}

#define EX PYVERIFY_MATCH_EXACT
#define RE PYVERIFY_MATCH_REGEX

Test(identity, email_identity_matches_exactly_or_not_at_all)
{
	struct cm_leaf_opts o = { .email = "dev@example.org",
	                          .issuer_v8 = "https://issuer.example" };

	match_one(&o, "dev@example.org", EX, "https://issuer.example", EX, 0,
	          0);
	match_one(&o, "Dev@example.org", EX, "https://issuer.example", EX,
	          PYVERIFY_EREJECT, PYVERIFY_STEP_IDENTITY);
	match_one(&o, "dev@example.or", EX, "https://issuer.example", EX,
	          PYVERIFY_EREJECT, PYVERIFY_STEP_IDENTITY);
}

Test(identity, uri_identity_matches_exact_and_regex)
{
	struct cm_leaf_opts o = { .uri = "https://github.com/org/repo/.github/"
	                                 "workflows/release.yml@refs/tags/v1",
	                          .issuer_v8 = CONF_ISSUER };

	match_one(&o, o.uri, EX, CONF_ISSUER, EX, 0, 0);
	match_one(&o, "https://github\\.com/org/repo/.*", RE, CONF_ISSUER, EX,
	          0, 0);
	match_one(&o, "https://github\\.com/other/.*", RE, CONF_ISSUER, EX,
	          PYVERIFY_EREJECT, PYVERIFY_STEP_IDENTITY);
	/* Whole-value match: a pattern is not a substring search. */
	match_one(&o, "org/repo", RE, CONF_ISSUER, EX, PYVERIFY_EREJECT,
	          PYVERIFY_STEP_IDENTITY);
	match_one(&o, o.uri, EX, "https://token\\.actions\\..*", RE, 0, 0);
}

Test(identity, othername_identity_matches_exact_and_regex)
{
	struct cm_leaf_opts o = { .othername = "alice",
	                          .issuer_v8 = "https://issuer.example" };

	match_one(&o, "alice", EX, "https://issuer.example", EX, 0, 0);
	match_one(&o, "al[a-z]+", RE, "https://issuer.example", EX, 0, 0);
	match_one(&o, "bob", EX, "https://issuer.example", EX,
	          PYVERIFY_EREJECT, PYVERIFY_STEP_IDENTITY);
	match_one(&o, "b.*", RE, "https://issuer.example", EX,
	          PYVERIFY_EREJECT, PYVERIFY_STEP_IDENTITY);
}

Test(identity, right_identity_with_wrong_issuer_fails_the_issuer_step)
{
	struct cm_leaf_opts o = { .email = "dev@example.org",
	                          .issuer_v1 = "https://accounts.google.com" };
	struct pv_cert_identity id = { 0 };
	pyverify_policy *p = policy1("dev@example.org", EX,
	                             "https://github.com/login/oauth", EX);
	pyverify_error err = { 0 };
	pyverify_result res;

	read_ok(&o, &id);
	cr_assert_eq(match(&id, p, &res, &err), PYVERIFY_EREJECT);
	cr_assert_eq(err.step, PYVERIFY_STEP_ISSUER);
	cr_assert_not_null(strstr(err.msg, "https://accounts.google.com"),
	                   "%s", err.msg);
	cr_assert_not_null(strstr(err.msg, "https://github.com/login/oauth"),
	                   "%s", err.msg);
	pv_cert_identity_clear(&id);
	pyverify_policy_free(p);
}

Test(identity, certificate_without_issuer_fails_the_issuer_step)
{
	struct cm_leaf_opts o = { .email = "dev@example.org" };

	match_one(&o, "dev@example.org", EX, "https://issuer.example", EX,
	          PYVERIFY_EREJECT, PYVERIFY_STEP_ISSUER);
}

Test(identity, wrong_identity_message_names_actual_and_expected)
{
	struct cm_leaf_opts o = { .email = "mallory@example.org",
	                          .issuer_v8 = "https://issuer.example" };
	struct pv_cert_identity id = { 0 };
	pyverify_policy *p = policy1("dev@example.org", EX,
	                             "https://issuer.example", EX);
	pyverify_error err = { 0 };
	pyverify_result res;

	read_ok(&o, &id);
	cr_assert_eq(match(&id, p, &res, &err), PYVERIFY_EREJECT);
	cr_assert_eq(err.step, PYVERIFY_STEP_IDENTITY);
	cr_assert_str_eq(err.msg, "certificate identity is mallory@example.org "
	                          "(issuer https://issuer.example), expected "
	                          "dev@example.org");
	add_rule(p, "a@example.org", "https://issuer.example");
	add_rule(p, "b@example.org", "https://issuer.example");
	cr_assert_eq(match(&id, p, &res, &err), PYVERIFY_EREJECT);
	cr_assert_not_null(strstr(err.msg, "or 2 others"), "%s", err.msg);
	pv_cert_identity_clear(&id);
	pyverify_policy_free(p);
}

Test(identity, any_matching_rule_passes_and_is_reported)
{
	struct cm_leaf_opts o = { .email = "dev@example.org",
	                          .issuer_v8 = "https://issuer.example" };
	struct pv_cert_identity id = { 0 };
	pyverify_policy *p = policy1("dev@example.org", EX,
	                             "https://other.example", EX);
	pyverify_error err = { 0 };
	pyverify_result res;

	add_rule(p, "x@example.org", "https://issuer.example");
	add_rule(p, "dev@example.org", "https://issuer.example");
	read_ok(&o, &id);
	cr_assert_eq(match(&id, p, &res, &err), 0, "%s", err.msg);
	cr_assert_eq(res.policy_index, 2);
	cr_assert_str_eq(res.identity, "dev@example.org");
	cr_assert_str_eq(res.issuer, "https://issuer.example");
	pv_cert_identity_clear(&id);
	pyverify_policy_free(p);
}

Test(identity, policy_without_identities_is_a_usage_error)
{
	struct cm_leaf_opts o = { .email = "dev@example.org",
	                          .issuer_v8 = "https://issuer.example" };
	struct pv_cert_identity id = { 0 };
	pyverify_policy *p = NULL;
	pyverify_error err = { 0 };
	pyverify_result res;

	cr_assert_eq(pyverify_policy_new(&p, &err), 0);
	read_ok(&o, &id);
	cr_assert_eq(match(&id, p, &res, &err), PYVERIFY_EUSAGE);
	cr_assert_eq(err.step, PYVERIFY_STEP_POLICY);
	pv_cert_identity_clear(&id);
	pyverify_policy_free(p);
}

Test(identity, certificate_without_san_fails_the_identity_step)
{
	struct cm_leaf_opts o = { .issuer_v8 = "https://issuer.example" };

	match_one(&o, "dev@example.org", EX, "https://issuer.example", EX,
	          PYVERIFY_EREJECT, PYVERIFY_STEP_IDENTITY);
}

Test(identity, control_bytes_in_values_do_not_break_the_message_line)
{
	struct cm_leaf_opts o = { .uri = "https://a.example/\nforged: ok",
	                          .issuer_v8 = "https://issuer.example" };
	struct pv_cert_identity id = { 0 };
	pyverify_policy *p = policy1("dev@example.org", EX,
	                             "https://issuer.example", EX);
	pyverify_error err = { 0 };
	pyverify_result res;

	read_ok(&o, &id);
	cr_assert_eq(match(&id, p, &res, &err), PYVERIFY_EREJECT);
	cr_assert_null(strchr(err.msg, '\n'), "%s", err.msg);
	cr_assert_not_null(strstr(err.msg, "\\x0a"), "%s", err.msg);
	pv_cert_identity_clear(&id);
	pyverify_policy_free(p);
}

/* ---- real data ---------------------------------------------------------- */

static void
real_identity(const char *bundle, const char *identity, const char *issuer)
{
	struct pv_cert_identity id = { 0 };
	pyverify_policy *p;
	pyverify_error err = { 0 };
	pyverify_result res;
	X509 *leaf;

	if (td_dir() == NULL)
		cr_skip_test("../shared/testdata not present");
	leaf = cm_bundle_leaf(td_path(bundle), NULL);
	cr_assert_not_null(leaf);
	cr_assert_eq(pv_cert_identity_read(&id, leaf, &err), 0, "%s",
	             err.msg);
	cr_assert_eq(id.n_sans, 1);
	cr_assert_str_eq(id.sans[0], identity);
	cr_assert_str_eq(id.issuer, issuer);
	p = policy1(identity, EX, issuer, EX);
	cr_assert_eq(match(&id, p, &res, &err), 0, "%s", err.msg);
	cr_assert_str_eq(res.identity, identity);
	cr_assert_str_eq(res.issuer, issuer);
	pyverify_policy_free(p);
	p = policy1(identity, EX, "https://accounts.example", EX);
	cr_assert_eq(match(&id, p, &res, &err), PYVERIFY_EREJECT);
	cr_assert_eq(err.step, PYVERIFY_STEP_ISSUER);
	pyverify_policy_free(p);
	pv_cert_identity_clear(&id);
	X509_free(leaf);
}

Test(identity, conformance_happy_path_has_the_default_conformance_identity)
{
	/* Carries both .1 and .8 with the same value. */
	real_identity("conformance/cases/happy-path-v0.3/bundle.sigstore.json",
	              CONF_IDENTITY, CONF_ISSUER);
}

Test(identity, cpython_3_11_0_is_signed_by_pablogsal_via_google)
{
	/* A 2022 certificate: only the .1 issuer extension. */
	real_identity("cpython/bundles/Python-3.11.0.tgz.sigstore",
	              "pablogsal@python.org", "https://accounts.google.com");
}

/* The issue's rule: a pattern is always matched against the whole value.
 * Wrapping it as ^(...)$ is not enough on its own: a pattern with an
 * unbalanced ")" closes the wrapper's group early, and its anchors then
 * bind to one alternative only ("^(x)|(y)$"). */
Test(identity, a_regex_with_an_unbalanced_parenthesis_still_matches_whole_values)
{
	struct cm_leaf_opts o = { .uri = "https://github.com/python/evil-fork",
	                          .issuer_v8 = CONF_ISSUER };

	match_one(&o, "https://github\\.com/python/)|(x", RE, CONF_ISSUER, EX,
	          PYVERIFY_EREJECT, PYVERIFY_STEP_IDENTITY);
	match_one(&o, o.uri, EX, "https://token\\.actions\\.)|(x", RE,
	          PYVERIFY_EREJECT, PYVERIFY_STEP_ISSUER);
	/* A balanced pattern with alternatives keeps working. */
	match_one(&o, "https://github\\.com/python/(evil-fork|cpython)", RE,
	          CONF_ISSUER, EX, 0, 0);
}
