/*
 * test_cpython_policy.c - the CPython signing policy (lib/cpython/cpython_policy.c
 * and policy/cpython.json): the shipped file loads and says who signs each
 * release, agrees with every bundle of ../shared/testdata/cpython, and
 * broken policies are rejected at step "policy".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "cpython/cpython.h"
#include "testdata.h"

#define GH "https://github.com/login/oauth"
#define GOOGLE "https://accounts.google.com"

static struct pv_cpython_policy *
load_repo_policy(void)
{
	struct pv_cpython_policy *p = NULL;
	pyverify_error err = { 0 };

	cr_assert_eq(pv_cpython_policy_load_file(&p, PV_CPYTHON_POLICY_SOURCE,
	                                         &err),
	             0, "%s: %s", PV_CPYTHON_POLICY_SOURCE, err.msg);
	cr_assert_not_null(p);
	return p;
}

static struct pv_cpython_version
ver(const char *text)
{
	struct pv_cpython_version v;

	cr_assert_eq(pv_cpython_version_parse_str(&v, text), 0, "%s", text);
	return v;
}

static const struct pv_cpython_series *
series_of(const struct pv_cpython_policy *p, const char *text)
{
	struct pv_cpython_version v = ver(text);

	return pv_cpython_policy_lookup(p, &v);
}

static void
assert_signer(const struct pv_cpython_policy *p, const char *version,
              const char *identity, const char *issuer, int pgp)
{
	struct pv_cpython_version v = ver(version);
	const struct pv_cpython_series *s = pv_cpython_policy_lookup(p, &v);

	cr_assert_not_null(s, "no series for %s", version);
	cr_assert_eq(s->n_identities, 1, "%s", version);
	cr_assert_str_eq(s->identities[0].identity, identity, "%s", version);
	cr_assert_str_eq(s->identities[0].issuer, issuer, "%s", version);
	cr_assert_eq(pv_cpython_release_has_sigstore(s, &v), 1, "%s", version);
	cr_assert_eq(pv_cpython_release_publishes_pgp(s, &v), pgp, "%s",
	             version);
}

Test(cpython_policy, shipped_policy_names_the_release_manager_of_each_series)
{
	struct pv_cpython_policy *p = load_repo_policy();

	assert_signer(p, "3.7.14", "nad@python.org", GH, 1);
	assert_signer(p, "3.8.20", "lukasz@langa.pl", GH, 1);
	assert_signer(p, "3.9.14", "lukasz@langa.pl", GH, 1);
	assert_signer(p, "3.10.7", "pablogsal@python.org", GOOGLE, 1);
	assert_signer(p, "3.11.0", "pablogsal@python.org", GOOGLE, 1);
	assert_signer(p, "3.12.0a7", "thomas@python.org", GOOGLE, 1);
	assert_signer(p, "3.13.0a1", "thomas@python.org", GOOGLE, 1);
	assert_signer(p, "3.14.0", "hugo@python.org", GH, 0);
	assert_signer(p, "3.15.0a1", "hugo@python.org", GH, 0);
	/* PEP 826 and the release tracker: 3.16.0a1 and a2 are out. */
	assert_signer(p, "3.16.0a1", "savannah@python.org", GH, 0);
	assert_signer(p, "3.16.0a2", "savannah@python.org", GH, 0);
	assert_signer(p, "3.17.0", "savannah@python.org", GH, 0);
	cr_assert_eq(series_of(p, "3.14.0")->pep, 745);
	cr_assert_eq(series_of(p, "3.16.0a2")->pep, 826);
	pv_cpython_policy_free(p);
}

Test(cpython_policy, releases_before_sigstore_and_unknown_series_are_told_apart)
{
	struct pv_cpython_policy *p = load_repo_policy();
	struct pv_cpython_version v;
	const struct pv_cpython_series *s;

	/* 3.6 and older: no series at all (PGP only). */
	cr_assert_null(series_of(p, "3.6.15"));
	cr_assert_null(series_of(p, "2.7.18"));
	/* Series newer than every one the policy lists. */
	cr_assert_null(series_of(p, "3.18.0a1"));
	cr_assert_null(series_of(p, "4.0.0"));

	v = ver("3.7.13");
	s = pv_cpython_policy_lookup(p, &v);
	cr_assert_not_null(s);
	cr_assert_eq(pv_cpython_release_has_sigstore(s, &v), 0);
	cr_assert_eq(pv_cpython_release_publishes_pgp(s, &v), 1);
	v = ver("3.8.13");
	cr_assert_eq(pv_cpython_release_has_sigstore(
	                 pv_cpython_policy_lookup(p, &v), &v), 0);
	/* 3.10: signing started with 3.10.7; 3.10.1 was signed later. */
	v = ver("3.10.6");
	s = pv_cpython_policy_lookup(p, &v);
	cr_assert_eq(pv_cpython_release_has_sigstore(s, &v), 0);
	v = ver("3.10.0");
	cr_assert_eq(pv_cpython_release_has_sigstore(s, &v), 0);
	v = ver("3.10.1");
	cr_assert_eq(pv_cpython_release_has_sigstore(s, &v), 1);
	/* 3.11: rc1 predates signing, rc2 is signed. */
	v = ver("3.11.0rc1");
	s = pv_cpython_policy_lookup(p, &v);
	cr_assert_eq(pv_cpython_release_has_sigstore(s, &v), 0);
	v = ver("3.11.0b5");
	cr_assert_eq(pv_cpython_release_has_sigstore(s, &v), 0);
	v = ver("3.11.0rc2");
	cr_assert_eq(pv_cpython_release_has_sigstore(s, &v), 1);
	/* A series entry says nothing about another series' versions. */
	v = ver("3.14.0");
	cr_assert_eq(pv_cpython_release_has_sigstore(s, &v), 0);
	cr_assert_eq(pv_cpython_release_publishes_pgp(s, &v), 0);
	cr_assert_eq(pv_cpython_release_has_sigstore(NULL, &v), 0);
	cr_assert_eq(pv_cpython_release_has_sigstore(s, NULL), 0);
	cr_assert_null(pv_cpython_policy_lookup(NULL, &v));
	pv_cpython_policy_free(p);
}

Test(cpython_policy, every_testdata_bundle_matches_the_policy_for_its_version)
{
	struct pv_cpython_policy *p;
	char *text, *line, *next, *f[7];
	size_t rows = 0;
	int k;

	if (td_dir() == NULL)
		cr_skip_test("../shared/testdata not found (set PYVERIFY_TESTDATA)");
	text = td_read(td_path("cpython/MANIFEST.tsv"), NULL);
	cr_assert_not_null(text, "MANIFEST.tsv unreadable");
	p = load_repo_policy();
	line = strchr(text, '\n');
	cr_assert_not_null(line);
	for (line++; *line != '\0'; line = next) {
		struct pv_cpython_version v, named;
		const struct pv_cpython_series *s;
		size_t i;
		int found = 0;

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (*line == '\0')
			continue;
		for (k = 0, f[0] = line; k < 6; k++) {
			char *tab = strchr(f[k], '\t');
			cr_assert_not_null(tab, "short MANIFEST.tsv row");
			*tab = '\0';
			f[k + 1] = tab + 1;
		}
		v = ver(f[0]);
		cr_assert_eq(pv_cpython_parse_artifact_name(&named, f[1]), 0);
		cr_assert_eq(pv_cpython_version_cmp(&v, &named), 0, "%s", f[1]);
		s = pv_cpython_policy_lookup(p, &v);
		cr_assert_not_null(s, "no policy series for %s", f[0]);
		for (i = 0; i < s->n_identities; i++)
			if (strcmp(s->identities[i].identity, f[4]) == 0 &&
			    strcmp(s->identities[i].issuer, f[5]) == 0)
				found = 1;
		cr_assert(found, "%s: %s / %s not in the policy", f[1], f[4],
		          f[5]);
		/* A bundle exists, so the policy must expect Sigstore. */
		cr_assert_eq(pv_cpython_release_has_sigstore(s, &v), 1,
		             "%s has a bundle but the policy says it predates "
		             "Sigstore", f[1]);
		rows++;
	}
	cr_assert_gt(rows, 0);
	free(text);
	pv_cpython_policy_free(p);
}

Test(cpython_policy, releases_without_a_bundle_are_not_claimed_by_newer_rules)
{
	struct pv_cpython_policy *p;
	char *text, *line, *next, *tab;
	size_t rows = 0;

	if (td_dir() == NULL)
		cr_skip_test("../shared/testdata not found (set PYVERIFY_TESTDATA)");
	text = td_read(td_path("cpython/NO-SIGSTORE.tsv"), NULL);
	cr_assert_not_null(text, "NO-SIGSTORE.tsv unreadable");
	p = load_repo_policy();
	line = strchr(text, '\n');
	cr_assert_not_null(line);
	for (line++; *line != '\0'; line = next) {
		struct pv_cpython_version v;
		const struct pv_cpython_series *s;

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (*line == '\0')
			continue;
		tab = strchr(line, '\t');
		cr_assert_not_null(tab);
		*tab = '\0';
		v = ver(line);
		s = pv_cpython_policy_lookup(p, &v);
		cr_assert_eq(pv_cpython_release_has_sigstore(s, &v), 0,
		             "%s has no bundle but the policy expects one",
		             line);
		rows++;
	}
	cr_assert_gt(rows, 0);
	free(text);
	pv_cpython_policy_free(p);
}

Test(cpython_policy, a_series_becomes_an_exact_identity_policy)
{
	struct pv_cpython_policy *p = load_repo_policy();
	pyverify_policy *pol = NULL;
	pyverify_error err = { 0 };

	cr_assert_eq(pyverify_policy_new(&pol, &err), 0, "%s", err.msg);
	cr_assert_eq(pv_cpython_series_add_to_policy(pol,
	                                             series_of(p, "3.14.0"),
	                                             &err),
	             0, "%s", err.msg);
	cr_assert_eq(pv_cpython_series_add_to_policy(pol, NULL, &err),
	             PYVERIFY_EUSAGE);
	cr_assert_eq(err.step, PYVERIFY_STEP_POLICY);
	pyverify_policy_free(pol);
	pv_cpython_policy_free(p);
}

/* ---- broken policies ---------------------------------------------------- */

#define SERIES_OK                                                              \
	"{\"series\":\"3.14\",\"pep\":745,\"identities\":[{\"identity\":"      \
	"\"hugo@python.org\",\"issuer\":\"" GH "\"}],\"first_sigstore\":"      \
	"\"3.14.0a1\",\"pgp\":false}"
#define DOC(series) "{\"schema\":\"pyverify.cpython-policy/1\",\"series\":[" \
	series "]}"

static void
assert_rejected(const char *json, int code, const char *needle)
{
	struct pv_cpython_policy *p = (struct pv_cpython_policy *)&p;
	struct pv_cpython_policy *const sentinel = p;
	pyverify_error err = { 0 };
	int rc = pv_cpython_policy_load_memory(&p, json, strlen(json), &err);

	cr_assert_eq(rc, code, "expected %d, got %d (%s) for %s", code, rc,
	             err.msg, json);
	cr_assert_eq(err.code, code);
	cr_assert_eq(err.step, PYVERIFY_STEP_POLICY, "step %s for %s",
	             pyverify_step_code(err.step), json);
	cr_assert_eq(p, sentinel, "output written on failure");
	if (needle != NULL)
		cr_assert_not_null(strstr(err.msg, needle),
		                   "message \"%s\" lacks \"%s\"", err.msg,
		                   needle);
}

Test(cpython_policy, a_minimal_valid_policy_loads)
{
	struct pv_cpython_policy *p = NULL;
	pyverify_error err = { 0 };
	const char *json = DOC(SERIES_OK);

	cr_assert_eq(pv_cpython_policy_load_memory(&p, json, strlen(json),
	                                           &err),
	             0, "%s", err.msg);
	cr_assert_eq(p->n_series, 1);
	cr_assert_eq(p->series[0].pgp, 0);
	pv_cpython_policy_free(p);
	pv_cpython_policy_free(NULL);
}

Test(cpython_policy, broken_documents_are_rejected_with_step_policy)
{
	static const struct {
		const char *json, *needle;
	} cases[] = {
		{ "", "not valid JSON" },
		{ "{", "not valid JSON" },
		{ DOC(SERIES_OK) " x", "not valid JSON" },
		{ "[]", "not a JSON object" },
		{ "{\"series\":[" SERIES_OK "]}", "schema is missing" },
		{ "{\"schema\":\"pyverify.cpython-policy/2\",\"series\":["
		  SERIES_OK "]}", "not supported" },
		{ "{\"schema\":1,\"series\":[]}", "schema is not a string" },
		{ "{\"schema\":\"pyverify.cpython-policy/1\","
		  "\"schema\":\"pyverify.cpython-policy/1\",\"series\":["
		  SERIES_OK "]}", "not valid JSON" },
		{ "{\"schema\":\"pyverify.cpython-policy/1\"}",
		  "series is missing" },
		{ "{\"schema\":\"pyverify.cpython-policy/1\",\"series\":{}}",
		  "series is not an array" },
		{ DOC(""), "series has 0 entries" },
		{ "{\"schema\":\"pyverify.cpython-policy/1\",\"extra\":1,"
		  "\"series\":[" SERIES_OK "]}", "unknown member \"extra\"" },
		{ DOC("1"), "series[0] is not an object" },
		{ DOC(SERIES_OK "," SERIES_OK), "already defined by series[0]" },
		/* identities */
		{ DOC("{\"series\":\"3.14\",\"first_sigstore\":\"3.14.0\","
		      "\"pgp\":false}"), "series[0].identities is missing" },
		{ DOC("{\"series\":\"3.14\",\"identities\":[],"
		      "\"first_sigstore\":\"3.14.0\",\"pgp\":false}"),
		  "series[0].identities is empty" },
		{ DOC("{\"series\":\"3.14\",\"identities\":{},"
		      "\"first_sigstore\":\"3.14.0\",\"pgp\":false}"),
		  "identities is not an array" },
		{ DOC("{\"series\":\"3.14\",\"identities\":[\"hugo\"],"
		      "\"first_sigstore\":\"3.14.0\",\"pgp\":false}"),
		  "identities[0] is not an object" },
		{ DOC("{\"series\":\"3.14\",\"identities\":[{\"identity\":"
		      "\"\",\"issuer\":\"" GH "\"}],\"first_sigstore\":"
		      "\"3.14.0\",\"pgp\":false}"),
		  "identities[0].identity is empty" },
		{ DOC("{\"series\":\"3.14\",\"identities\":[{\"identity\":"
		      "\"hugo@python.org\"}],\"first_sigstore\":\"3.14.0\","
		      "\"pgp\":false}"), "identities[0].issuer is missing" },
		{ DOC("{\"series\":\"3.14\",\"identities\":[{\"identity\":"
		      "\"hugo@python.org\",\"issuer\":7}],\"first_sigstore\":"
		      "\"3.14.0\",\"pgp\":false}"),
		  "identities[0].issuer is not a string" },
		{ DOC("{\"series\":\"3.14\",\"identities\":[{\"identity\":"
		      "\"hugo@python.org\",\"issuer\":\"http://github.com/"
		      "login/oauth\"}],\"first_sigstore\":\"3.14.0\","
		      "\"pgp\":false}"), "not an https:// URL" },
		{ DOC("{\"series\":\"3.14\",\"identities\":[{\"identity\":"
		      "\"hugo@python.org\",\"issuer\":\"" GH "\",\"regex\":"
		      "true}],\"first_sigstore\":\"3.14.0\",\"pgp\":false}"),
		  "identities[0] has unknown member \"regex\"" },
		/* series name, versions, types */
		{ DOC("{\"series\":3.14,\"identities\":[{\"identity\":\"h\","
		      "\"issuer\":\"" GH "\"}],\"first_sigstore\":\"3.14.0\","
		      "\"pgp\":false}"), "series[0].series is not a string" },
		{ DOC("{\"series\":\"3.14.0\",\"identities\":[{\"identity\":"
		      "\"h\",\"issuer\":\"" GH "\"}],\"first_sigstore\":"
		      "\"3.14.0\",\"pgp\":false}"), "not a release series" },
		{ DOC("{\"series\":\"3.07\",\"identities\":[{\"identity\":"
		      "\"h\",\"issuer\":\"" GH "\"}],\"first_sigstore\":"
		      "\"3.7.0\",\"pgp\":false}"), "not a release series" },
		{ DOC("{\"series\":\"3.14\",\"identities\":[{\"identity\":"
		      "\"h\",\"issuer\":\"" GH "\"}],\"pgp\":false}"),
		  "first_sigstore is missing" },
		{ DOC("{\"series\":\"3.14\",\"identities\":[{\"identity\":"
		      "\"h\",\"issuer\":\"" GH "\"}],\"first_sigstore\":"
		      "\"3.14\",\"pgp\":false}"), "is not a CPython version" },
		{ DOC("{\"series\":\"3.14\",\"identities\":[{\"identity\":"
		      "\"h\",\"issuer\":\"" GH "\"}],\"first_sigstore\":"
		      "\"3.13.0\",\"pgp\":false}"), "is not in series 3.14" },
		{ DOC("{\"series\":\"3.14\",\"identities\":[{\"identity\":"
		      "\"h\",\"issuer\":\"" GH "\"}],\"first_sigstore\":"
		      "[\"3.14.0\"],\"pgp\":false}"),
		  "first_sigstore is not a string" },
		{ DOC("{\"series\":\"3.14\",\"identities\":[{\"identity\":"
		      "\"h\",\"issuer\":\"" GH "\"}],\"first_sigstore\":"
		      "\"3.14.0\"}"), "series[0].pgp is missing" },
		{ DOC("{\"series\":\"3.14\",\"identities\":[{\"identity\":"
		      "\"h\",\"issuer\":\"" GH "\"}],\"first_sigstore\":"
		      "\"3.14.0\",\"pgp\":\"no\"}"), "pgp is not true or false" },
		{ DOC("{\"series\":\"3.14\",\"identities\":[{\"identity\":"
		      "\"h\",\"issuer\":\"" GH "\"}],\"first_sigstore\":"
		      "\"3.14.0\",\"pgp\":0}"), "pgp is not true or false" },
		{ DOC("{\"series\":\"3.14\",\"pep\":\"745\",\"identities\":[{"
		      "\"identity\":\"h\",\"issuer\":\"" GH "\"}],"
		      "\"first_sigstore\":\"3.14.0\",\"pgp\":false}"),
		  "pep is not an integer" },
		{ DOC("{\"series\":\"3.14\",\"pep\":0,\"identities\":[{"
		      "\"identity\":\"h\",\"issuer\":\"" GH "\"}],"
		      "\"first_sigstore\":\"3.14.0\",\"pgp\":false}"),
		  "pep is not a PEP number" },
		{ DOC("{\"series\":\"3.14\",\"identities\":[{\"identity\":"
		      "\"h\",\"issuer\":\"" GH "\"}],\"first_sigstore\":"
		      "\"3.14.0\",\"pgp\":false,\"first_pgp\":\"3.14.0\"}"),
		  "series[0] has unknown member \"first_pgp\"" },
		/* back-filled releases */
		{ DOC("{\"series\":\"3.10\",\"identities\":[{\"identity\":"
		      "\"h\",\"issuer\":\"" GH "\"}],\"first_sigstore\":"
		      "\"3.10.7\",\"backfilled_sigstore\":[\"3.10.8\"],"
		      "\"pgp\":true}"), "is not before first_sigstore" },
		{ DOC("{\"series\":\"3.10\",\"identities\":[{\"identity\":"
		      "\"h\",\"issuer\":\"" GH "\"}],\"first_sigstore\":"
		      "\"3.10.7\",\"backfilled_sigstore\":[\"3.10.1\","
		      "\"3.10.1\"],\"pgp\":true}"),
		  "backfilled_sigstore[1] is listed twice" },
		{ DOC("{\"series\":\"3.10\",\"identities\":[{\"identity\":"
		      "\"h\",\"issuer\":\"" GH "\"}],\"first_sigstore\":"
		      "\"3.10.7\",\"backfilled_sigstore\":[],\"pgp\":true}"),
		  "backfilled_sigstore is empty" },
		{ DOC("{\"series\":\"3.10\",\"identities\":[{\"identity\":"
		      "\"h\",\"issuer\":\"" GH "\"}],\"first_sigstore\":"
		      "\"3.10.7\",\"backfilled_sigstore\":[\"3.9.1\"],"
		      "\"pgp\":true}"), "is not in series 3.10" },
		{ DOC("{\"series\":\"3.14\",\"identities\":[{\"identity\":"
		      "\"h\\u0000x\",\"issuer\":\"" GH "\"}],"
		      "\"first_sigstore\":\"3.14.0\",\"pgp\":false}"),
		  "not valid JSON" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_rejected(cases[i].json, PYVERIFY_EPARSE, cases[i].needle);
}

Test(cpython_policy, an_oversized_policy_is_rejected_before_parsing)
{
	size_t len = PV_MAX_CPYTHON_POLICY_BYTES + 1;
	char *big = malloc(len + 1);
	struct pv_cpython_policy *p = NULL;
	pyverify_error err = { 0 };

	cr_assert_not_null(big);
	memset(big, ' ', len);
	big[len] = '\0';
	cr_assert_eq(pv_cpython_policy_load_memory(&p, big, len, &err),
	             PYVERIFY_EPARSE);
	cr_assert_eq(err.step, PYVERIFY_STEP_POLICY);
	cr_assert_null(p);
	free(big);
}

Test(cpython_policy, a_missing_policy_file_is_an_io_error)
{
	struct pv_cpython_policy *p = NULL;
	pyverify_error err = { 0 };

	cr_assert_eq(pv_cpython_policy_load_file(&p, "policy/no-such.json",
	                                         &err),
	             PYVERIFY_EIO);
	cr_assert_eq(err.step, PYVERIFY_STEP_POLICY);
	cr_assert_null(p);
	cr_assert_eq(pv_cpython_policy_load_file(NULL, PV_CPYTHON_POLICY_SOURCE,
	                                         &err),
	             PYVERIFY_EUSAGE);
}
