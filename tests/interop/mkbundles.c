/* mkbundles.c - signs one file with pyverify's signer against the loopback
 * fake services (tests/support/fake_sigstore.h), once with Rekor v1 and
 * once with Rekor v2, each with an RFC 3161 timestamp, plus a DSSE bundle,
 * and writes them with the trusted root into DIR for another Sigstore
 * client to verify (tests/interop/sigstore-js.sh). Prints the identity and
 * issuer the certificates carry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_sigstore.h"
#include "pyverify.h"

static int
put(const char *dir, const char *name, const char *s)
{
	char path[4096];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	ok = fputs(s, f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static int
sign_one(struct fss *s, const pyverify_trust_root *root, const char *tok,
         int rekor, int dsse, const char *dir, const char *name)
{
	static const char art[] = "pyverify interop\n";
	static const char st[] =
	    "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":"
	    "[{\"name\":\"artifact.txt\",\"digest\":{\"sha256\":"
	    "\"b3bcb3b5d1ba40d0c5b2ac9ea7d1ed5ee1a2a1a03b9bf8f2b4f0a6cc0d8e67d1"
	    "\"}}],\"predicateType\":\"https://example.org/interop\","
	    "\"predicate\":{}}";
	char *sc = fss_signing_config(s, rekor, 1), *json = NULL;
	pyverify_sign_options o = { 0 };
	pyverify_signer *sg = NULL;
	pyverify_artifact a;
	pyverify_error e;
	int rc;

	o.trust_root = root;
	o.signing_config = sc;
	o.signing_config_len = strlen(sc);
	o.identity_token = tok;
	o.timestamp = 1;
	rc = pyverify_signer_new(&sg, &o, &e);
	if (rc == 0 && dsse)
		rc = pyverify_sign_dsse(sg, "application/vnd.in-toto+json", st,
		                        strlen(st), &json, &e);
	else if (rc == 0 &&
	         (rc = pyverify_artifact_from_memory(&a, art, strlen(art),
	                                             &e)) == 0)
		rc = pyverify_sign_artifact(sg, &a, &json, &e);
	if (rc == 0) {
		rc = put(dir, name, json);
		if (dsse == 0 && rc == 0)
			rc = put(dir, "artifact.txt", art);
		printf("%s %s %s\n", name, pyverify_signer_identity(sg),
		       pyverify_signer_issuer(sg));
	} else {
		fprintf(stderr, "%s: [%s] %s\n", name,
		        pyverify_step_code(e.step), e.msg);
	}
	free(json);
	pyverify_signer_free(sg);
	free(sc);
	return rc;
}

int
main(int argc, char **argv)
{
	struct fss *s;
	struct fss_token_opts to = { 0 };
	pyverify_trust_root *root = NULL;
	pyverify_error e;
	char *tr, *tok;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: mkbundles DIR\n");
		return 2;
	}
	s = fss_start();
	tr = fss_trust_root_json(s);
	tok = fss_token(s, &to);
	rc = put(argv[1], "trusted_root.json", tr);
	if (rc == 0)
		rc = pyverify_trust_root_load_memory(&root, tr, strlen(tr), "fss",
		                                     &e);
	if (rc == 0)
		rc = sign_one(s, root, tok, 1, 0, argv[1], "rekor1.sigstore.json");
	if (rc == 0)
		rc = sign_one(s, root, tok, 2, 0, argv[1], "rekor2.sigstore.json");
	if (rc == 0)
		rc = sign_one(s, root, tok, 1, 1, argv[1], "dsse1.sigstore.json");
	pyverify_trust_root_free(root);
	free(tr);
	free(tok);
	fss_stop(s);
	return rc == 0 ? 0 : 1;
}
