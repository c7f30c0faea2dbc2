/* fss_config.c - what a signer is configured with to use the fakes: the
 * trusted root (virtual Sigstore + TSA) and a signing_config.v0.2.json. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "vs_impl.h"
#include "fss_impl.h"

char *fss_trust_root_json(struct fss *s)
{
	json_t *root = vs_trust_root(s->vs);
	json_t *tsa = vtsa_trust_root_entry(s->tsa, 0, 0);
	char *text = NULL;

	if (root != NULL && tsa != NULL &&
	    json_array_append(json_object_get(root, "timestampAuthorities"),
	                      tsa) == 0)
		text = vs_dump(root);
	json_decref(tsa);
	json_decref(root);
	cr_assert_not_null(text, "fake_sigstore: cannot make the trusted root");
	return text;
}

static json_t *service(const char *url, int major)
{
	char start[32];

	vsi_rfc3339(start, (int64_t)time(NULL) - VS_YEAR);
	return json_pack("{s:s, s:i, s:{s:s}, s:s}", "url", url,
	                 "majorApiVersion", major, "validFor", "start", start,
	                 "operator", "fss.test");
}

char *fss_signing_config(struct fss *s, int rekor_version, int with_tsa)
{
	int v2 = rekor_version == 2;
	json_t *c = json_pack(
	    "{s:s, s:[o], s:[o], s:[o], s:[], s:{s:s}, s:{s:s}}", "mediaType",
	    "application/vnd.dev.sigstore.signingconfig.v0.2+json", "caUrls",
	    service(s->fulcio, 1), "oidcUrls", service(s->issuer, 1),
	    "rekorTlogUrls", service(v2 ? s->rekor2 : s->rekor1, v2 ? 2 : 1),
	    "tsaUrls", "rekorTlogConfig", "selector", "ANY", "tsaConfig",
	    "selector", "ANY");
	char *text;

	if (c != NULL && with_tsa)
		json_array_append_new(json_object_get(c, "tsaUrls"),
		                      service(s->tsa_url, 1));
	text = c ? vs_dump(c) : NULL;
	json_decref(c);
	cr_assert_not_null(text, "fake_sigstore: cannot make the signing "
	                         "config");
	return text;
}
