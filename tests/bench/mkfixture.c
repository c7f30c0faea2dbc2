/*
 * mkfixture.c - writes a test trusted root and a bundle signed by the
 * virtual Sigstore of tests/support for FILE, so the command can be timed
 * on a large artifact without network or real keys.
 *
 * usage: mkfixture FILE OUTDIR [IDENTITY ISSUER]
 *        (writes OUTDIR/trusted_root.json and OUTDIR/bundle.sigstore.json;
 *        the certificate names IDENTITY and ISSUER when given, so the
 *        package tests can mint a bundle the CPython policy accepts)
 */
#include <stdio.h>
#include <stdlib.h>

#include "vsigstore.h"

static int
write_file(const char *dir, const char *name, const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

int
main(int argc, char **argv)
{
	struct vs *vs;
	struct vs_leaf *leaf;
	struct vs_sign_opts o = { 0 };
	struct vs_leaf_opts lo = { 0 };
	json_t *bundle;
	char *root_text, *bundle_text, *data;
	FILE *f;
	long n;

	if (argc != 3 && argc != 5) {
		fprintf(stderr, "usage: mkfixture FILE OUTDIR [IDENTITY ISSUER]\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		return 1;
	data = malloc((size_t)n + 1);
	if (data == NULL || fread(data, 1, (size_t)n, f) != (size_t)n)
		return 1;
	fclose(f);
	o.artifact = data;
	o.artifact_len = (size_t)n;
	vs = vs_new();
	if (argc == 5) {
		lo.identity = argv[3];
		lo.issuer = argv[4];
	}
	leaf = vs ? vs_leaf_new(vs, argc == 5 ? &lo : NULL) : NULL;
	bundle = leaf ? vs_sign(vs, leaf, &o) : NULL;
	if (bundle == NULL)
		return 1;
	root_text = vs_trust_root_string(vs);
	bundle_text = vs_dump(bundle);
	if (root_text == NULL || bundle_text == NULL ||
	    write_file(argv[2], "trusted_root.json", root_text) != 0 ||
	    write_file(argv[2], "bundle.sigstore.json", bundle_text) != 0)
		return 1;
	free(root_text);
	free(bundle_text);
	json_decref(bundle);
	vs_leaf_free(leaf);
	vs_free(vs);
	free(data);
	return 0;
}
