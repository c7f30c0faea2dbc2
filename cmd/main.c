/* main.c - the pyverify command: dispatches verbs, nothing else. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct verb {
	const char *name;
	int (*run)(int, char **);
	const char *summary;
} verbs[] = {
	{ "verify-bundle", cmd_verify_bundle,
	  "verify one Sigstore bundle (Sigstore conformance CLI protocol)" },
	{ "trust", cmd_trust,
	  "import or show the trusted root used for verification" },
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f,
	        "usage: pyverify <command> [options]\n"
	        "\n"
	        "pyverify verifies Sigstore bundles offline, against a pinned\n"
	        "Sigstore trusted root (trusted_root.json). It never uses the\n"
	        "network.\n"
	        "\n"
	        "commands:\n");
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-14s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(f,
	        "\n"
	        "examples:\n"
	        "  pyverify trust import trusted_root.json\n"
	        "  pyverify verify-bundle --bundle Python-3.14.0.tgz.sigstore \\\n"
	        "      --certificate-identity hugo@python.org \\\n"
	        "      --certificate-oidc-issuer https://github.com/login/oauth \\\n"
	        "      Python-3.14.0.tgz\n"
	        "\n"
	        "exit status: 0 verified, 1 rejected, 2 usage error or "
	        "unreadable input.\n"
	        "'pyverify <command> --help' explains each command.\n");
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("pyverify %s\n", PYVERIFY_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(argv[1], verbs[i].name) == 0)
			return verbs[i].run(argc - 1, argv + 1);
	fprintf(stderr, "pyverify: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
