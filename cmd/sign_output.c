/* sign_output.c - where `pyverify sign` and `attest` put their bundles:
 * beside each input, into --output-dir, or --bundle; checked all together
 * before the first signature (an existing bundle is replaced only with
 * --overwrite, so a refusal signs and writes nothing), then each written
 * whole through a new file renamed into place. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sign_cli.h"
#include "util/util.h"

char *
sign_destination(const struct sign_cli *c, const char *input,
                 const char *suffix)
{
	const char *base;
	char *out;
	size_t n;

	if (c->bundle_out != NULL)
		return strdup(c->bundle_out);
	if (c->output_dir != NULL) {
		base = pyverify_release_basename(input);
		n = strlen(c->output_dir) + strlen(base) + strlen(suffix) + 2;
		if ((out = malloc(n)) != NULL)
			snprintf(out, n, "%s/%s%s", c->output_dir, base, suffix);
		return out;
	}
	n = strlen(input) + strlen(suffix) + 1;
	if ((out = malloc(n)) != NULL)
		snprintf(out, n, "%s%s", input, suffix);
	return out;
}

int
sign_check_destinations(const struct sign_cli *c, char *const *dest, size_t n)
{
	struct stat st;
	size_t i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < i; k++)
			if (strcmp(dest[i], dest[k]) == 0) {
				cli_line(stderr, "%s: two files would write "
				         "the same bundle %s (files with the "
				         "same name in --output-dir?)", c->prog,
				         dest[i]);
				return EXIT_USAGE;
			}
		/* lstat: a dangling link is in the way too. */
		if (lstat(dest[i], &st) == 0) {
			if (!c->overwrite || !S_ISREG(st.st_mode)) {
				cli_line(stderr, "%s: %s exists%s; nothing "
				         "was signed", c->prog, dest[i],
				         S_ISREG(st.st_mode)
				             ? " (--overwrite replaces it)"
				             : " and is not a regular file");
				return EXIT_USAGE;
			}
		} else if (errno != ENOENT) {
			cli_line(stderr, "%s: cannot check %s: %s; nothing "
			         "was signed", c->prog, dest[i],
			         strerror(errno));
			return EXIT_USAGE;
		}
	}
	/* Made now, so that a directory that cannot be made stops the run
	 * before anything is logged; a dry run makes nothing. */
	if (c->output_dir != NULL && !c->dry_run &&
	    pv_mkdir_p(c->output_dir, 0755) != 0) {
		cli_line(stderr, "%s: cannot create %s: %s", c->prog,
		         c->output_dir, strerror(errno));
		return EXIT_USAGE;
	}
	return 0;
}

int
sign_prepare_destinations(const struct sign_cli *c, char *const *files,
                          size_t n, const char *suffix, char ***dest,
                          char ***bundles)
{
	size_t i;

	*dest = calloc(n, sizeof(**dest));
	*bundles = calloc(n, sizeof(**bundles));
	for (i = 0; *dest != NULL && *bundles != NULL && i < n; i++)
		if (((*dest)[i] = sign_destination(c, files[i], suffix)) ==
		    NULL)
			break;
	if (i < n) {
		cli_line(stderr, "%s: out of memory", c->prog);
		return EXIT_USAGE;
	}
	return sign_check_destinations(c, *dest, n);
}

int
sign_write_bundles(const struct sign_cli *c, char *const *dest,
                   char *const *bundles, size_t n)
{
	struct stat st;
	size_t i;

	for (i = 0; i < n; i++) {
		/* Checked again: signing took a while, and a bundle that
		 * appeared meanwhile is someone else's. */
		if (!c->overwrite && lstat(dest[i], &st) == 0) {
			cli_line(stderr, "%s: %s appeared while signing; not "
			         "replaced (%zu of %zu bundles written)",
			         c->prog, dest[i], i, n);
			return EXIT_USAGE;
		}
		if (pv_file_write_atomic(dest[i], bundles[i],
		                         strlen(bundles[i]), 0644) != 0) {
			cli_line(stderr, "%s: cannot write %s: %s (%zu of %zu "
			         "bundles written)", c->prog, dest[i],
			         strerror(errno), i, n);
			return EXIT_USAGE;
		}
		cli_line(stdout, "wrote %s", dest[i]);
	}
	return 0;
}
