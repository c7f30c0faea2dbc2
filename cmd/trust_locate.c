/* trust_locate.c - where the trusted root comes from. Verification never
 * fetches it: a distribution package or `pyverify trust import` puts it in
 * one of these places. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

#ifndef PYVERIFY_PREFIX
#define PYVERIFY_PREFIX "/usr/local"
#endif

static const char *
file_name(int staging)
{
	return staging ? "staging_trusted_root.json" : "trusted_root.json";
}

static int
is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int
trust_user_path(char *out, size_t outlen, int staging)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	int n;

	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(out, outlen, "%s/pyverify/%s", xdg,
		             file_name(staging));
	else if (home != NULL && home[0] == '/')
		n = snprintf(out, outlen, "%s/.local/share/pyverify/%s", home,
		             file_name(staging));
	else
		return -1;
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int
trust_locate(char *out, size_t outlen, const char *explicit_path, int staging,
             char *why, size_t whylen)
{
	const char *env_name = staging ? "PYVERIFY_STAGING_TRUSTED_ROOT"
	                               : "PYVERIFY_TRUSTED_ROOT";
	const char *env = getenv(env_name);
	char cands[3][4096];
	size_t n = 0, i;
	int w;

	/* An explicit choice is never silently replaced by another file. */
	if (explicit_path != NULL || (env != NULL && env[0] != '\0')) {
		const char *p = explicit_path ? explicit_path : env;
		if (strlen(p) >= outlen) {
			snprintf(why, whylen, "trusted root path is too long");
			return -1;
		}
		memcpy(out, p, strlen(p) + 1);
		return 0;
	}
	if (trust_user_path(cands[n], sizeof(cands[n]), staging) == 0)
		n++;
	snprintf(cands[n++], sizeof(cands[0]), "/etc/pyverify/%s",
	         file_name(staging));
	snprintf(cands[n++], sizeof(cands[0]), "%s/share/pyverify/%s",
	         PYVERIFY_PREFIX, file_name(staging));
	for (i = 0; i < n; i++) {
		if (is_file(cands[i]) && strlen(cands[i]) < outlen) {
			memcpy(out, cands[i], strlen(cands[i]) + 1);
			return 0;
		}
	}
	w = snprintf(why, whylen,
	             "no %strusted root found (looked for --trusted-root, $%s",
	             staging ? "staging " : "", env_name);
	for (i = 0; i < n && w > 0 && (size_t)w < whylen; i++)
		w += snprintf(why + w, whylen - (size_t)w, ", %s", cands[i]);
	if (w > 0 && (size_t)w < whylen)
		snprintf(why + w, whylen - (size_t)w,
		         "); get Sigstore's trusted_root.json from its TUF "
		         "repository (or your distribution) and run 'pyverify "
		         "trust import%s FILE', or pass --trusted-root FILE",
		         staging ? " --staging" : "");
	return -1;
}

pyverify_trust_root *
trust_load(const char *explicit_path, int staging)
{
	char path[4096], why[2048];
	pyverify_trust_root *root = NULL;
	pyverify_error err;

	if (trust_locate(path, sizeof(path), explicit_path, staging, why,
	                 sizeof(why)) != 0) {
		cli_line(stderr, "pyverify: %s", why);
		return NULL;
	}
	if (pyverify_trust_root_load_file(&root, path, &err) != 0) {
		cli_line(stderr, "pyverify: cannot use trusted root %s: %s",
		         path, err.msg);
		return NULL;
	}
	return root;
}
