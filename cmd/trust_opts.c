/* trust_opts.c - the options and environment variables that say where a
 * command's trusted root comes from, shared by every verb that needs one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util/util.h"

int
trust_parse_age(const char *s, int64_t *out)
{
	size_t n = strlen(s);
	uint64_t v, unit = 1;

	if (n == 0)
		return -1;
	switch (s[n - 1]) {
	case 's': unit = 1; n--; break;
	case 'm': unit = 60; n--; break;
	case 'h': unit = 3600; n--; break;
	case 'd': unit = 86400; n--; break;
	default: break;
	}
	/* Ten years is plenty; the bound keeps the product far from
	 * overflow. */
	if (pv_parse_u64(&v, s, n) != 0 || v > 10ull * 366 * 86400 / unit)
		return -1;
	*out = (int64_t)(v * unit);
	return 0;
}

static int
set_max_age(struct trust_opts *t, const char *arg, const char *from,
            const char *prog)
{
	int64_t v;

	if (trust_parse_age(arg, &v) != 0) {
		cli_line(stderr, "%s: %s wants an age such as 24h, 30m, 3600s "
		         "or 2d, not '%s'", prog, from, arg);
		return -1;
	}
	/* 0 means "always refresh" to a user; the library's 0 is its
	 * default. */
	t->max_age = v == 0 ? -1 : v;
	t->max_age_set = 1;
	return 0;
}

int
trust_option(struct trust_opts *t, int c, const char *arg, const char *prog)
{
	switch (c) {
	case TRUST_OPT_ROOT: t->root_path = arg; return 1;
	case TRUST_OPT_STAGING: t->staging = 1; return 1;
	case TRUST_OPT_TUF_URL: t->tuf_url = arg; return 1;
	case TRUST_OPT_TUF_ROOT: t->tuf_root = arg; return 1;
	case TRUST_OPT_CA_BUNDLE: t->ca_bundle = arg; return 1;
	case TRUST_OPT_OFFLINE: t->offline = 1; return 1;
	case TRUST_OPT_MAX_AGE:
		return set_max_age(t, arg, "--trust-max-age", prog) == 0 ? 1
		                                                         : -1;
	default: return 0;
	}
}

static const char *
env_value(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

int
trust_env(struct trust_opts *t, const char *prog)
{
	const char *v;

	if (t->tuf_url == NULL)
		t->tuf_url = env_value("PYVERIFY_TUF_URL");
	if (t->tuf_root == NULL)
		t->tuf_root = env_value("PYVERIFY_TUF_ROOT");
	if (t->ca_bundle == NULL)
		t->ca_bundle = env_value("PYVERIFY_CA_BUNDLE");
	v = env_value("PYVERIFY_OFFLINE");
	if (!t->offline && v != NULL) {
		if (strcmp(v, "1") == 0)
			t->offline = 1;
		else if (strcmp(v, "0") != 0) {
			cli_line(stderr, "%s: PYVERIFY_OFFLINE is 1 or 0, not "
			         "'%s'", prog, v);
			return -1;
		}
	}
	v = env_value("PYVERIFY_TRUST_MAX_AGE");
	if (!t->max_age_set && v != NULL &&
	    set_max_age(t, v, "PYVERIFY_TRUST_MAX_AGE", prog) != 0)
		return -1;
	return 0;
}

void
trust_usage(FILE *f)
{
	fprintf(f,
	    "trust (where the Sigstore trusted root comes from; first match "
	    "wins):\n"
	    "  1. --trusted-root FILE, else $PYVERIFY_TRUSTED_ROOT\n"
	    "     ($PYVERIFY_STAGING_TRUSTED_ROOT with --staging)\n"
	    "  2. a TUF repository you name: --tuf-url URL (with --tuf-root "
	    "ROOT.json,\n"
	    "     its initial root, on first use), or $PYVERIFY_TUF_URL and\n"
	    "     $PYVERIFY_TUF_ROOT\n"
	    "  3. a file installed with 'pyverify trust import' "
	    "($XDG_DATA_HOME/pyverify/,\n"
	    "     else ~/.local/share/pyverify/)\n"
	    "  4. /etc/pyverify/trusted_root.json "
	    "(staging_trusted_root.json with --staging)\n"
	    "  5. Sigstore's TUF repository (tuf-repo-cdn.sigstore.dev; "
	    "--staging:\n"
	    "     tuf-repo-cdn.sigstage.dev), cached in "
	    "$XDG_CACHE_HOME/pyverify/tuf/\n"
	    "     (else ~/.cache/pyverify/tuf/) and refreshed first when "
	    "older than\n"
	    "     --trust-max-age (default 24h)\n"
	    "  --offline          never use the network (also "
	    "PYVERIFY_OFFLINE=1): TUF\n"
	    "                     trust comes from the cache alone\n"
	    "  --trust-max-age AGE  refresh the TUF cache when older than AGE "
	    "(24h, 30m,\n"
	    "                     3600s, 2d; 0 = every time; "
	    "$PYVERIFY_TRUST_MAX_AGE)\n"
	    "  --ca-bundle FILE   CA certificates for HTTPS instead of the "
	    "system store\n"
	    "                     ($PYVERIFY_CA_BUNDLE); https_proxy and "
	    "no_proxy apply\n"
	    "  When a refresh fails but a cached trusted root exists, it is "
	    "used with a\n"
	    "  warning naming its age. 'pyverify trust show' says which root "
	    "is in use.\n");
}
