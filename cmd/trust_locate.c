/* trust_locate.c - where the trusted root comes from: an explicit file, a
 * TUF repository the user named, a file a user or site installed on
 * purpose, else Sigstore's own TUF repository through the cache. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

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

const char *
trust_system_path(int staging)
{
	return staging ? "/etc/pyverify/staging_trusted_root.json"
	               : "/etc/pyverify/trusted_root.json";
}

const char *
trust_source_name(enum trust_source s)
{
	switch (s) {
	case TRUST_SRC_OPTION: return "--trusted-root";
	case TRUST_SRC_ENV: return "environment variable";
	case TRUST_SRC_TUF_CHOSEN: return "TUF repository (chosen)";
	case TRUST_SRC_IMPORTED: return "imported file";
	case TRUST_SRC_SYSTEM: return "system file";
	case TRUST_SRC_TUF: return "TUF repository";
	}
	return "?";
}

static int
set_path(struct trust_choice *ch, const char *p, char *why, size_t whylen)
{
	if (strlen(p) >= sizeof(ch->path)) {
		snprintf(why, whylen, "trusted root path is too long");
		return -1;
	}
	memcpy(ch->path, p, strlen(p) + 1);
	return 0;
}

int
trust_choose(struct trust_choice *ch, const struct trust_opts *t, char *why,
             size_t whylen)
{
	const char *env = getenv(t->staging ? "PYVERIFY_STAGING_TRUSTED_ROOT"
	                                    : "PYVERIFY_TRUSTED_ROOT");
	char user[4096];

	memset(ch, 0, sizeof(*ch));
	/* An explicit choice is never silently replaced by another. */
	if (t->root_path != NULL) {
		ch->source = TRUST_SRC_OPTION;
		return set_path(ch, t->root_path, why, whylen);
	}
	if (env != NULL && env[0] != '\0') {
		ch->source = TRUST_SRC_ENV;
		return set_path(ch, env, why, whylen);
	}
	if (t->tuf_url != NULL || t->tuf_root != NULL) {
		ch->source = TRUST_SRC_TUF_CHOSEN;
		return 0;
	}
	/* Files someone installed on purpose (an air-gapped import, a
	 * site's or a build chroot's pinned file) before the default. */
	if (trust_user_path(user, sizeof(user), t->staging) == 0 &&
	    is_file(user)) {
		ch->source = TRUST_SRC_IMPORTED;
		return set_path(ch, user, why, whylen);
	}
	if (is_file(trust_system_path(t->staging))) {
		ch->source = TRUST_SRC_SYSTEM;
		return set_path(ch, trust_system_path(t->staging), why, whylen);
	}
	ch->source = TRUST_SRC_TUF;
	return 0;
}

void
trust_tuf_options(pyverify_tuf_options *o, const struct trust_opts *t)
{
	memset(o, 0, sizeof(*o));
	o->url = t->tuf_url;
	o->staging = t->staging;
	o->root_file = t->tuf_root;
	o->offline = t->offline;
	o->max_age = t->max_age;
	o->ca_bundle = t->ca_bundle;
}

static void
print_instructions(const struct trust_opts *t)
{
	const char *st = t->staging ? " --staging" : "";

	fprintf(stderr, "pyverify: to get a trusted root, do one of:\n");
	cli_line(stderr, "  - run 'pyverify trust update%s' on a machine with "
	         "network access to the TUF repository (once is enough for "
	         "--offline use)", st);
	cli_line(stderr, "  - run 'pyverify trust import%s FILE' with a "
	         "trusted_root.json you obtained through a channel you trust",
	         st);
	cli_line(stderr, "  - install that file as %s", trust_system_path(
	         t->staging));
	cli_line(stderr, "  - pass --trusted-root FILE");
}

static int
load_tuf(pyverify_trust_root **out, const struct trust_opts *t)
{
	pyverify_tuf_options o;
	pyverify_tuf_info info;
	pyverify_error err;

	trust_tuf_options(&o, t);
	if (pyverify_tuf_trust_root(out, &info, &o, &err) != 0) {
		cli_line(stderr, "pyverify: %s", err.msg);
		if (err.code != PYVERIFY_EUSAGE)
			print_instructions(t);
		return EXIT_USAGE;
	}
	if (info.warning[0] != '\0')
		cli_line(stderr, "pyverify: warning: %s", info.warning);
	return 0;
}

int
trust_load(pyverify_trust_root **out, const struct trust_opts *t,
           pyverify_error *refused)
{
	struct trust_choice ch;
	pyverify_error err;
	char why[512];

	*out = NULL;
	if (trust_choose(&ch, t, why, sizeof(why)) != 0) {
		cli_line(stderr, "pyverify: %s", why);
		return EXIT_USAGE;
	}
	if (ch.source == TRUST_SRC_TUF || ch.source == TRUST_SRC_TUF_CHOSEN)
		return load_tuf(out, t);
	if (pyverify_trust_root_load_file(out, ch.path, &err) == 0)
		return 0;
	if (refused != NULL) {
		*refused = err;
		if (strstr(err.msg, ch.path) == NULL)
			snprintf(refused->msg, sizeof(refused->msg),
			         "trusted root %.400s: %.590s", ch.path,
			         err.msg);
		return cli_exit_code(err.code);
	}
	cli_line(stderr, "pyverify: cannot use trusted root %s (%s): %s",
	         ch.path, trust_source_name(ch.source), err.msg);
	return EXIT_USAGE;
}
