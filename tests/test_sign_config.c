/* test_sign_config.c - signing_config.v0.2.json: parsing every field and
 * the selection rules of SPEC 5.2, on Sigstore's real configs and on
 * synthetic ones made for each rule. */
#define _GNU_SOURCE /* asprintf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "sign/sign.h"
#include "testdata.h"

TestSuite(sign_config, .timeout = 30);

#define MT "\"mediaType\":\"application/vnd.dev.sigstore.signingconfig.v0.2+json\""
/* 2025-01-01T00:00:00Z */
#define NOW_MS 1735689600000LL

static char why[1024];

static int
parse(struct pv_signing_config *c, const char *json)
{
	why[0] = '\0';
	return pv_signing_config_parse(c, (const uint8_t *)json, strlen(json),
	                               why, sizeof(why));
}

/* A config with the given rekorTlogUrls items and rekorTlogConfig (""
 * leaves it out), one Fulcio and one OIDC provider. */
static char *
cfg_rekor(const char *rekors, const char *rekor_cfg)
{
	char *out = NULL;
	int n = asprintf(
	    &out,
	    "{" MT ","
	    "\"caUrls\":[{\"url\":\"https://fulcio.test\",\"majorApiVersion\":1,"
	    "\"validFor\":{\"start\":\"2022-01-01T00:00:00Z\"},\"operator\":\"a\"}],"
	    "\"oidcUrls\":[{\"url\":\"https://oidc.test\",\"majorApiVersion\":1,"
	    "\"validFor\":{\"start\":\"2022-01-01T00:00:00Z\"}}],"
	    "\"rekorTlogUrls\":[%s]%s%s}",
	    rekors, rekor_cfg[0] ? "," : "", rekor_cfg);
	cr_assert(n > 0);
	return out;
}

/* One service object. */
#define SVC(url, major, start, end, op)                                        \
	"{\"url\":\"" url "\",\"majorApiVersion\":" #major                     \
	",\"validFor\":{\"start\":\"" start "\"" end "},\"operator\":\"" op    \
	"\"}"
#define NOEND ""
#define END(t) ",\"end\":\"" t "\""

static void
select_rekor(const char *rekors, const char *rekor_cfg,
             struct pv_signing_config *c, struct pv_service_choice *ch,
             int want_rc)
{
	char *json = cfg_rekor(rekors, rekor_cfg);
	cr_assert_eq(parse(c, json), 0, "%s", why);
	free(json);
	int rc = pv_signing_config_select(c, NOW_MS, ch, why, sizeof(why));
	cr_assert_eq(rc, want_rc, "select: %d (%s)", rc, why);
}

Test(sign_config, production_config_selects_public_good)
{
	size_t len;
	char *buf = td_read(
	    td_path("sigstore/production.signing_config.v0.2.json"), &len);
	if (buf == NULL)
		cr_skip_test("no production signing config in the test data");
	struct pv_signing_config c;
	struct pv_service_choice ch;
	cr_assert_eq(pv_signing_config_parse(&c, (uint8_t *)buf, len, why,
	                                     sizeof(why)),
	             0, "%s", why);
	cr_assert_eq(c.rekor_selector, PV_SEL_ANY);
	cr_assert_eq(c.tsa_selector, PV_SEL_ANY);
	/* 2026-01-01: every service of the file is valid. */
	cr_assert_eq(pv_signing_config_select(&c, 1767225600000LL, &ch, why,
	                                      sizeof(why)),
	             0, "%s", why);
	cr_assert_str_eq(ch.ca->url, "https://fulcio.sigstore.dev");
	cr_assert_str_eq(ch.oidc->url, "https://oauth2.sigstore.dev/auth");
	cr_assert_eq(ch.nrekor, 1);
	cr_assert_str_eq(ch.rekor[0]->url, "https://rekor.sigstore.dev");
	cr_assert_eq(ch.rekor[0]->major, 1);
	cr_assert_eq(ch.ntsa, 1);
	cr_assert_str_eq(ch.tsa[0]->url,
	                 "https://timestamp.sigstore.dev/api/v1/timestamp");
	cr_assert_str_eq(ch.tsa[0]->operator_name, "sigstore.dev");
	/* Before the TSA's validFor.start (2025-07-04) there is none. */
	cr_assert_eq(pv_signing_config_select(&c, NOW_MS, &ch, why,
	                                      sizeof(why)),
	             0, "%s", why);
	cr_assert_eq(ch.ntsa, 0);
	pv_signing_config_clear(&c);
	free(buf);
}

Test(sign_config, staging_config_parses_and_selects)
{
	size_t len;
	char *buf = td_read(td_path("sigstore/staging.signing_config.v0.2.json"),
	                    &len);
	if (buf == NULL)
		cr_skip_test("no staging signing config in the test data");
	struct pv_signing_config c;
	struct pv_service_choice ch;
	cr_assert_eq(pv_signing_config_parse(&c, (uint8_t *)buf, len, why,
	                                     sizeof(why)),
	             0, "%s", why);
	cr_assert_gt(c.rekor.n, 0);
	cr_assert_eq(pv_signing_config_select(&c, 1767225600000LL, &ch, why,
	                                      sizeof(why)),
	             0, "%s", why);
	cr_assert_not_null(ch.ca);
	cr_assert_gt(ch.nrekor, 0);
	/* Never two API versions at once. */
	for (size_t i = 1; i < ch.nrekor; i++)
		cr_assert_eq(ch.rekor[i]->major, ch.rekor[0]->major);
	cr_assert(strstr(ch.ca->url, "sigstage.dev") != NULL);
	pv_signing_config_clear(&c);
	free(buf);
}

Test(sign_config, expired_and_future_services_are_skipped)
{
	struct pv_signing_config c;
	struct pv_service_choice ch;
	select_rekor(SVC("https://old.test", 1, "2020-01-01T00:00:00Z",
	                 END("2024-01-01T00:00:00Z"), "a") ","
	             SVC("https://future.test", 1, "2026-01-01T00:00:00Z", NOEND,
	                 "b") ","
	             SVC("https://now.test", 1, "2024-06-01T00:00:00Z", NOEND,
	                 "c"),
	             "\"rekorTlogConfig\":{\"selector\":\"ALL\"}", &c, &ch, 0);
	cr_assert_eq(ch.nrekor, 1);
	cr_assert_str_eq(ch.rekor[0]->url, "https://now.test");
	pv_signing_config_clear(&c);
}

Test(sign_config, window_end_is_inclusive)
{
	struct pv_signing_config c;
	struct pv_service_choice ch;
	select_rekor(SVC("https://edge.test", 1, "2020-01-01T00:00:00Z",
	                 END("2025-01-01T00:00:00Z"), "a"),
	             "", &c, &ch, 0);
	cr_assert_eq(ch.nrekor, 1);
	pv_signing_config_clear(&c);
}

Test(sign_config, unsupported_major_version_is_skipped)
{
	struct pv_signing_config c;
	struct pv_service_choice ch;
	select_rekor(SVC("https://v3.test", 3, "2024-01-01T00:00:00Z", NOEND,
	                 "a") ","
	             SVC("https://v1.test", 1, "2024-01-01T00:00:00Z", NOEND,
	                 "a"),
	             "", &c, &ch, 0);
	cr_assert_eq(ch.nrekor, 1);
	cr_assert_str_eq(ch.rekor[0]->url, "https://v1.test");
	pv_signing_config_clear(&c);
}

Test(sign_config, highest_rekor_version_wins_and_never_mixes)
{
	struct pv_signing_config c;
	struct pv_service_choice ch;
	select_rekor(SVC("https://v1a.test", 1, "2024-01-01T00:00:00Z", NOEND,
	                 "a") ","
	             SVC("https://v2b.test", 2, "2024-01-01T00:00:00Z", NOEND,
	                 "b") ","
	             SVC("https://v1c.test", 1, "2024-01-01T00:00:00Z", NOEND,
	                 "c"),
	             "\"rekorTlogConfig\":{\"selector\":\"ALL\"}", &c, &ch, 0);
	cr_assert_eq(ch.nrekor, 1);
	cr_assert_str_eq(ch.rekor[0]->url, "https://v2b.test");
	cr_assert_eq(ch.rekor[0]->major, 2);
	pv_signing_config_clear(&c);
}

Test(sign_config, rekor_v2_not_yet_valid_falls_back_to_v1)
{
	struct pv_signing_config c;
	struct pv_service_choice ch;
	select_rekor(SVC("https://v2.test", 2, "2026-01-01T00:00:00Z", NOEND,
	                 "a") ","
	             SVC("https://v1.test", 1, "2021-01-01T00:00:00Z", NOEND,
	                 "a"),
	             "\"rekorTlogConfig\":{\"selector\":\"ANY\"}", &c, &ch, 0);
	cr_assert_eq(ch.nrekor, 1);
	cr_assert_str_eq(ch.rekor[0]->url, "https://v1.test");
	pv_signing_config_clear(&c);
}

Test(sign_config, newest_service_per_operator)
{
	struct pv_signing_config c;
	struct pv_service_choice ch;
	select_rekor(SVC("https://a-old.test", 2, "2024-01-01T00:00:00Z", NOEND,
	                 "a") ","
	             SVC("https://b.test", 2, "2024-02-01T00:00:00Z", NOEND,
	                 "b") ","
	             SVC("https://a-new.test", 2, "2024-06-01T00:00:00Z", NOEND,
	                 "a"),
	             "\"rekorTlogConfig\":{\"selector\":\"ALL\"}", &c, &ch, 0);
	cr_assert_eq(ch.nrekor, 2);
	cr_assert_str_eq(ch.rekor[0]->url, "https://a-new.test");
	cr_assert_str_eq(ch.rekor[1]->url, "https://b.test");
	pv_signing_config_clear(&c);
}

#define THREE_OPS                                                              \
	SVC("https://a.test", 1, "2024-01-01T00:00:00Z", NOEND, "a") ","       \
	SVC("https://b.test", 1, "2024-01-01T00:00:00Z", NOEND, "b") ","       \
	SVC("https://c.test", 1, "2024-01-01T00:00:00Z", NOEND, "c")

Test(sign_config, any_takes_the_first)
{
	struct pv_signing_config c;
	struct pv_service_choice ch;
	select_rekor(THREE_OPS, "\"rekorTlogConfig\":{\"selector\":\"ANY\"}",
	             &c, &ch, 0);
	cr_assert_eq(ch.nrekor, 1);
	cr_assert_str_eq(ch.rekor[0]->url, "https://a.test");
	pv_signing_config_clear(&c);
}

Test(sign_config, all_takes_every_operator)
{
	struct pv_signing_config c;
	struct pv_service_choice ch;
	select_rekor(THREE_OPS, "\"rekorTlogConfig\":{\"selector\":\"ALL\"}",
	             &c, &ch, 0);
	cr_assert_eq(ch.nrekor, 3);
	pv_signing_config_clear(&c);
}

Test(sign_config, absent_selector_config_means_all)
{
	struct pv_signing_config c;
	struct pv_service_choice ch;
	select_rekor(THREE_OPS, "", &c, &ch, 0);
	cr_assert_eq(c.rekor_selector, PV_SEL_ALL);
	cr_assert_eq(c.tsa_selector, PV_SEL_ALL);
	cr_assert_eq(ch.nrekor, 3);
	cr_assert_eq(ch.ntsa, 0);
	pv_signing_config_clear(&c);
}

Test(sign_config, exact_takes_count)
{
	struct pv_signing_config c;
	struct pv_service_choice ch;
	select_rekor(THREE_OPS,
	             "\"rekorTlogConfig\":{\"selector\":\"EXACT\",\"count\":2}",
	             &c, &ch, 0);
	cr_assert_eq(ch.nrekor, 2);
	cr_assert_str_eq(ch.rekor[0]->url, "https://a.test");
	cr_assert_str_eq(ch.rekor[1]->url, "https://b.test");
	pv_signing_config_clear(&c);
}

Test(sign_config, exact_with_too_few_is_refused)
{
	struct pv_signing_config c;
	struct pv_service_choice ch;
	select_rekor(THREE_OPS,
	             "\"rekorTlogConfig\":{\"selector\":\"EXACT\",\"count\":4}",
	             &c, &ch, PYVERIFY_EREJECT);
	cr_assert(strstr(why, "EXACT 4") != NULL, "%s", why);
	pv_signing_config_clear(&c);
}

Test(sign_config, exact_with_count_zero_is_refused)
{
	struct pv_signing_config c;
	struct pv_service_choice ch;
	select_rekor(THREE_OPS, "\"rekorTlogConfig\":{\"selector\":\"EXACT\"}",
	             &c, &ch, PYVERIFY_EREJECT);
	cr_assert(strstr(why, "count 0") != NULL, "%s", why);
	pv_signing_config_clear(&c);
}

Test(sign_config, undefined_selector_is_refused)
{
	struct pv_signing_config c;
	struct pv_service_choice ch;
	select_rekor(THREE_OPS,
	             "\"tsaConfig\":{\"selector\":\"SERVICE_SELECTOR_UNDEFINED\"}",
	             &c, &ch, PYVERIFY_EREJECT);
	cr_assert(strstr(why, "undefined") != NULL, "%s", why);
	pv_signing_config_clear(&c);
	/* A config object without a selector is the proto default. */
	select_rekor(THREE_OPS, "\"rekorTlogConfig\":{}", &c, &ch,
	             PYVERIFY_EREJECT);
	pv_signing_config_clear(&c);
}

Test(sign_config, fulcio_newest_valid_start_wins)
{
	const char *json =
	    "{" MT ",\"caUrls\":["
	    SVC("https://f-old.test", 1, "2022-01-01T00:00:00Z", NOEND, "x") ","
	    SVC("https://f-new.test", 1, "2024-01-01T00:00:00Z", NOEND, "x") ","
	    SVC("https://f-v2.test", 2, "2024-06-01T00:00:00Z", NOEND, "x") ","
	    SVC("https://f-future.test", 1, "2030-01-01T00:00:00Z", NOEND, "x")
	    "]}";
	struct pv_signing_config c;
	struct pv_service_choice ch;
	cr_assert_eq(parse(&c, json), 0, "%s", why);
	cr_assert_eq(pv_signing_config_select(&c, NOW_MS, &ch, why,
	                                      sizeof(why)),
	             0, "%s", why);
	cr_assert_str_eq(ch.ca->url, "https://f-new.test");
	cr_assert_null(ch.oidc);
	cr_assert_eq(ch.nrekor, 0);
	pv_signing_config_clear(&c);
}

static void
refused(const char *json, const char *needle)
{
	struct pv_signing_config c;
	int rc = parse(&c, json);
	cr_assert_eq(rc, PYVERIFY_EPARSE, "accepted: %s", json);
	cr_assert(strstr(why, needle) != NULL, "message \"%s\" lacks \"%s\"",
	          why, needle);
}

Test(sign_config, malformed_configs_are_refused)
{
	refused("{\"mediaType\":\"application/vnd.dev.sigstore.signingconfig."
	        "v0.1+json\"}",
	        "mediaType");
	refused("{}", "mediaType");
	refused("[1]", "signing config");
	refused("{" MT ",\"caUrls\":{}}", "caUrls");
	refused("{" MT ",\"caUrls\":[{\"majorApiVersion\":1,\"validFor\":"
	        "{\"start\":\"2022-01-01T00:00:00Z\"}}]}",
	        "url");
	refused("{" MT ",\"caUrls\":[{\"url\":\"ftp://x\",\"majorApiVersion\":1,"
	        "\"validFor\":{\"start\":\"2022-01-01T00:00:00Z\"}}]}",
	        "https");
	refused("{" MT ",\"caUrls\":[{\"url\":\"https://x\",\"majorApiVersion\":1}]}",
	        "validFor");
	refused("{" MT ",\"caUrls\":[{\"url\":\"https://x\",\"majorApiVersion\":1,"
	        "\"validFor\":{\"end\":\"2022-01-01T00:00:00Z\"}}]}",
	        "start");
	refused("{" MT ",\"caUrls\":[{\"url\":\"https://x\",\"majorApiVersion\":1,"
	        "\"validFor\":{\"start\":\"yesterday\"}}]}",
	        "RFC 3339");
	refused("{" MT ",\"caUrls\":[{\"url\":\"https://x\",\"majorApiVersion\":1,"
	        "\"validFor\":{\"start\":\"2022-01-01T00:00:00Z\","
	        "\"end\":\"2021-01-01T00:00:00Z\"}}]}",
	        "ends before");
	refused("{" MT ",\"caUrls\":[{\"url\":\"https://x\",\"majorApiVersion\":-1,"
	        "\"validFor\":{\"start\":\"2022-01-01T00:00:00Z\"}}]}",
	        "majorApiVersion");
	refused("{" MT ",\"caUrls\":[{\"url\":\"https://x\",\"majorApiVersion\":"
	        "\"one\",\"validFor\":{\"start\":\"2022-01-01T00:00:00Z\"}}]}",
	        "majorApiVersion");
	refused("{" MT ",\"tsaConfig\":{\"selector\":\"SOME\"}}", "selector");
	refused("{" MT ",\"tsaConfig\":{\"selector\":7}}", "selector");
	refused("{" MT ",\"tsaConfig\":{\"selector\":\"EXACT\",\"count\":-2}}",
	        "count");
	refused("{" MT ",\"caUrls\":[1]}", "caUrls[0]");
}

Test(sign_config, numbers_in_both_protobuf_spellings)
{
	const char *json =
	    "{" MT ",\"rekorTlogUrls\":[{\"url\":\"http://127.0.0.1:1/r\","
	    "\"majorApiVersion\":\"2\",\"validFor\":{\"start\":"
	    "\"2024-01-01T00:00:00.123456789Z\",\"end\":null}}],"
	    "\"rekor_tlog_config\":{\"selector\":3,\"count\":\"1\"}}";
	struct pv_signing_config c;
	struct pv_service_choice ch;
	cr_assert_eq(parse(&c, json), 0, "%s", why);
	cr_assert_eq(c.rekor.v[0].major, 2);
	cr_assert_str_eq(c.rekor.v[0].operator_name, "");
	cr_assert_eq(c.rekor_selector, PV_SEL_EXACT);
	cr_assert_eq(c.rekor_count, 1);
	cr_assert_eq(pv_signing_config_select(&c, NOW_MS, &ch, why,
	                                      sizeof(why)),
	             0, "%s", why);
	cr_assert_eq(ch.nrekor, 1);
	pv_signing_config_clear(&c);
}
