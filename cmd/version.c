/* version.c - `pyverify --version`: enough for a bug report or a security
 * audit of a build machine in one paste. The library versions are the ones
 * the process runs with (a security update of OpenSSL shows here), and the
 * policy and trusted root lines answer "which files will this verify
 * with?" without verifying anything. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "version.h"

static void
print_trust(FILE *f)
{
	struct trust_opts t;
	struct trust_choice ch;
	pyverify_tuf_options o;
	pyverify_tuf_info info;
	pyverify_error err;
	char why[512];

	memset(&t, 0, sizeof(t));
	/* A bad variable is reported by the verbs that use it; here it only
	 * means the answer below is the default. */
	if (trust_env(&t, "pyverify --version") != 0)
		memset(&t, 0, sizeof(t));
	if (trust_choose(&ch, &t, why, sizeof(why)) != 0) {
		cli_line(f, "trusted root: unusable (%s)", why);
		return;
	}
	if (ch.source != TRUST_SRC_TUF && ch.source != TRUST_SRC_TUF_CHOSEN) {
		cli_line(f, "trusted root: %s (%s)", ch.path,
		         trust_source_name(ch.source));
		return;
	}
	trust_tuf_options(&o, &t);
	memset(&info, 0, sizeof(info));
	if (pyverify_tuf_status(&info, &o, &err) != 0 && info.url[0] == '\0') {
		cli_line(f, "trusted root: %s (%s)", trust_source_name(ch.source),
		         err.msg);
		return;
	}
	cli_line(f, "trusted root: %s %s, cache %s%s",
	         trust_source_name(ch.source), info.url, info.cache_dir,
	         info.trusted_root_path[0] != '\0' ? ""
	                                           : " (not yet fetched)");
	cli_line(f, "  (used when none of --trusted-root, "
	         "$PYVERIFY_TRUSTED_ROOT, a 'pyverify trust import' file or "
	         "%s exists)", trust_system_path(0));
}

int
cmd_version(FILE *f)
{
	pyverify_versions v;
	char policy[PATH_MAX + 64];

	pyverify_runtime_versions(&v);
	fprintf(f, "pyverify %s\n", v.pyverify);
	fprintf(f, "libraries: %s, jansson %s, libsodium %s, libcurl %s\n",
	        v.openssl, v.jansson, v.libsodium, v.libcurl);
	pyverify_release_policy_default_path(policy, sizeof(policy));
	cli_line(f, "policy: %s", policy);
	print_trust(f);
	return 0;
}
