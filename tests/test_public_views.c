/*
 * test_public_views.c - the read-only public views a front-end lists trust
 * material with (pyverify.h): the trusted root's entries and the CPython
 * policy's series, and artifact name parsing. Uses pyverify.h alone, as
 * cmd/ and server/ do.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "pyverify.h"
#include "testdata.h"

Test(public_views, the_production_root_lists_its_logs_cas_and_tsas)
{
	const char *path = td_path("sigstore/production.trusted_root.json");
	pyverify_trust_root *r = NULL;
	pyverify_error err = { 0 };
	pyverify_trust_entry *e = malloc(sizeof(*e));

	cr_assert_not_null(e);
	if (td_dir() == NULL || !td_exists(path)) {
		free(e);
		cr_skip_test("no production trusted root at %s", path);
	}
	cr_assert_eq(pyverify_trust_root_load_file(&r, path, &err), 0, "%s",
	             err.msg);
	cr_assert_eq(pyverify_trust_root_count(r, PYVERIFY_TRUST_TLOG), 2);
	cr_assert_eq(pyverify_trust_root_count(r, PYVERIFY_TRUST_CTLOG), 2);
	cr_assert_eq(pyverify_trust_root_count(r, PYVERIFY_TRUST_CA), 2);
	cr_assert_eq(pyverify_trust_root_count(r, PYVERIFY_TRUST_TSA), 1);
	cr_assert_eq(pyverify_trust_root_count(r, (pyverify_trust_kind)99), 0);
	cr_assert_str_eq(pyverify_trust_root_media_type(r),
	                 "application/vnd.dev.sigstore.trustedroot+json;"
	                 "version=0.1");

	/* The Rekor v1 log: its ID, key and open-ended window. */
	cr_assert_eq(pyverify_trust_root_entry(e, r, PYVERIFY_TRUST_TLOG, 0,
	                                       &err), 0, "%s", err.msg);
	cr_assert_eq(e->kind, PYVERIFY_TRUST_TLOG);
	cr_assert_str_eq(e->url, "https://rekor.sigstore.dev");
	cr_assert_str_eq(e->log_id_hex, "c0d23d6ad406973f9559f3ba2d1ca01f"
	                                "84147d8ffc5b8445c224f98b9591801d");
	cr_assert_str_eq(e->key_type, "PKIX_ECDSA_P256_SHA_256");
	cr_assert_str_eq(e->subject, "");
	cr_assert_eq(e->n_certificates, 0);
	cr_assert(e->has_start);
	cr_assert_not(e->has_end);
	/* 2021-01-12T11:53:27Z: the window is closed at its start. */
	cr_assert(pyverify_trust_entry_valid_at(e, 1610452407000));
	cr_assert_not(pyverify_trust_entry_valid_at(e, 1610452406999));

	cr_assert_eq(pyverify_trust_root_entry(e, r, PYVERIFY_TRUST_TLOG, 1,
	                                       &err), 0);
	cr_assert_str_eq(e->key_type, "PKIX_ED25519");

	/* A CT log that was retired: its window has an end, inclusive. */
	cr_assert_eq(pyverify_trust_root_entry(e, r, PYVERIFY_TRUST_CTLOG, 0,
	                                       &err), 0);
	cr_assert(e->has_end);
	cr_assert(pyverify_trust_entry_valid_at(e, e->end_ms));
	cr_assert_not(pyverify_trust_entry_valid_at(e, e->end_ms + 1));

	/* The current Fulcio CA: intermediate + root, both subjects shown. */
	cr_assert_eq(pyverify_trust_root_entry(e, r, PYVERIFY_TRUST_CA, 1,
	                                       &err), 0);
	cr_assert_eq(e->kind, PYVERIFY_TRUST_CA);
	cr_assert_eq(e->n_certificates, 2);
	cr_assert_str_eq(e->log_id_hex, "");
	cr_assert_null(e->key_type);
	cr_assert_not_null(strstr(e->subject, "sigstore-intermediate"), "%s",
	                   e->subject);
	cr_assert_not_null(strstr(e->anchor, "CN=sigstore"), "%s", e->anchor);

	cr_assert_eq(pyverify_trust_root_entry(e, r, PYVERIFY_TRUST_TSA, 0,
	                                       &err), 0);
	cr_assert_geq(e->n_certificates, 1);

	/* Out of range: a usage error, never a read past the end. */
	cr_assert_eq(pyverify_trust_root_entry(e, r, PYVERIFY_TRUST_TSA, 1,
	                                       &err), PYVERIFY_EUSAGE);
	cr_assert_eq(pyverify_trust_root_entry(e, NULL, PYVERIFY_TRUST_CA, 0,
	                                       NULL), PYVERIFY_EUSAGE);
	pyverify_trust_root_free(r);
	free(e);
}

Test(public_views, the_shipped_policy_lists_its_series_and_signers)
{
	pyverify_release_policy *p = NULL;
	pyverify_release_series s;
	pyverify_error err = { 0 };
	const char *identity = NULL, *issuer = NULL;
	size_t i, n;
	int found = 0;

	cr_assert_eq(pyverify_release_policy_load_file(
			     &p, PYVERIFY_RELEASE_POLICY_SOURCE, &err),
	             0, "%s", err.msg);
	n = pyverify_release_policy_series_count(p);
	cr_assert_geq(n, 8);
	for (i = 0; i < n; i++) {
		cr_assert_eq(pyverify_release_policy_series(&s, p, i), 0);
		cr_assert_geq(s.n_identities, 1);
		if (s.major != 3 || s.minor != 7)
			continue;
		found = 1;
		cr_assert_str_eq(s.first_sigstore, "3.7.14");
		cr_assert(s.pgp);
		cr_assert_eq(pyverify_release_policy_signer(&identity, &issuer,
		                                            p, i, 0), 0);
		cr_assert_str_eq(identity, "nad@python.org");
		cr_assert_str_eq(issuer, "https://github.com/login/oauth");
		cr_assert_eq(pyverify_release_policy_signer(&identity, &issuer,
		                                            p, i,
		                                            s.n_identities),
		             PYVERIFY_EUSAGE);
	}
	cr_assert(found, "no 3.7 series");
	cr_assert_eq(pyverify_release_policy_series(&s, p, n), PYVERIFY_EUSAGE);
	pyverify_release_policy_free(p);
	pyverify_release_policy_free(NULL);
}

Test(public_views, artifact_names_give_version_and_kind)
{
	char version[PYVERIFY_RELEASE_VERSION_MAX] = "untouched";
	pyverify_release_kind kind = PYVERIFY_RELEASE_KIND_NONE;

	cr_assert_eq(pyverify_release_parse_name(version, &kind,
	                                         "Python-3.14.0rc1.tar.xz"), 0);
	cr_assert_str_eq(version, "3.14.0rc1");
	cr_assert_eq(kind, PYVERIFY_RELEASE_KIND_SOURCE);
	cr_assert_str_eq(pyverify_release_kind_name(kind), "source");
	cr_assert_eq(pyverify_release_parse_name(NULL, NULL,
	                                         "python-3.13.1-amd64.exe"), 0);
	/* A path is no name; a signature file is no artifact. */
	strcpy(version, "untouched");
	cr_assert_eq(pyverify_release_parse_name(version, &kind,
	                                         "dl/Python-3.14.0.tgz"), -1);
	cr_assert_eq(pyverify_release_parse_name(
			     version, &kind, "Python-3.14.0.tgz.sigstore"),
	             -1);
	cr_assert_str_eq(version, "untouched");
	cr_assert_str_eq(pyverify_release_basename("dl/Python-3.14.0.tgz"),
	                 "Python-3.14.0.tgz");
	cr_assert_str_eq(pyverify_release_kind_name(PYVERIFY_RELEASE_KIND_NONE),
	                 "");
}
