/* cli.h - shared pieces of the pyverify command's verbs. */
#ifndef PV_CLI_H
#define PV_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pyverify.h"

/* Exit statuses of every verb. */
enum {
	EXIT_VERIFIED = 0,
	EXIT_REJECTED = 1,
	EXIT_USAGE = 2 /* usage error or unreadable input */
};

int cmd_verify_bundle(int argc, char **argv);
int cmd_trust(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_attest(int argc, char **argv);

/* Maps a library status to an exit code: only PYVERIFY_OK maps to 0. */
int cli_exit_code(int status);

/* How a command finds its trusted root (README "Where trust comes from"):
 * the options every verb that needs trust accepts, and their
 * environment variables. */
struct trust_opts {
	const char *root_path; /* --trusted-root FILE */
	int staging;           /* --staging */
	const char *tuf_url;   /* --tuf-url URL, $PYVERIFY_TUF_URL */
	const char *tuf_root;  /* --tuf-root FILE, $PYVERIFY_TUF_ROOT */
	const char *ca_bundle; /* --ca-bundle FILE, $PYVERIFY_CA_BUNDLE */
	int offline;           /* --offline, PYVERIFY_OFFLINE=1 */
	int64_t max_age;       /* --trust-max-age, seconds; 0 default, <0
	                          refresh every time */
	int max_age_set;
};

/* getopt_long codes of the trust options. */
enum {
	TRUST_OPT_ROOT = 400, TRUST_OPT_STAGING, TRUST_OPT_TUF_URL,
	TRUST_OPT_TUF_ROOT, TRUST_OPT_CA_BUNDLE, TRUST_OPT_OFFLINE,
	TRUST_OPT_MAX_AGE
};
/* --trusted-root and --staging are listed by each verb (they predate the
 * others). */
#define TRUST_LONG_OPTS                                                        \
	{ "tuf-url", required_argument, NULL, TRUST_OPT_TUF_URL },             \
	{ "tuf-root", required_argument, NULL, TRUST_OPT_TUF_ROOT },           \
	{ "ca-bundle", required_argument, NULL, TRUST_OPT_CA_BUNDLE },         \
	{ "offline", no_argument, NULL, TRUST_OPT_OFFLINE },                   \
	{ "trust-max-age", required_argument, NULL, TRUST_OPT_MAX_AGE }

/* Applies a trust option (TRUST_OPT_*): 1 if c was one, 0 if not, -1
 * (message printed, prefixed with prog) for a bad value. */
int trust_option(struct trust_opts *t, int c, const char *arg,
                 const char *prog);
/* Fills what the options left unset from the environment; -1 (message
 * printed) for a bad value. Call once, after parsing. */
int trust_env(struct trust_opts *t, const char *prog);
/* "24h", "30m", "3600s", "2d" or plain seconds; 0 or -1. */
int trust_parse_age(const char *s, int64_t *out);
/* The help lines of the trust options and the lookup order. */
void trust_usage(FILE *f);

/* Where the trusted root comes from, in lookup order. */
enum trust_source {
	TRUST_SRC_OPTION = 1, /* --trusted-root FILE */
	TRUST_SRC_ENV,        /* $PYVERIFY_TRUSTED_ROOT (_STAGING_) */
	TRUST_SRC_TUF_CHOSEN, /* --tuf-url/--tuf-root or their variables */
	TRUST_SRC_IMPORTED,   /* `pyverify trust import`, the data dir */
	TRUST_SRC_SYSTEM,     /* /etc/pyverify/trusted_root.json */
	TRUST_SRC_TUF         /* Sigstore's repository, through its cache */
};
struct trust_choice {
	enum trust_source source;
	char path[4096]; /* the file, for the file sources */
};
/* Picks the source (no network, nothing loaded). 0, or -1 with why. */
int trust_choose(struct trust_choice *ch, const struct trust_opts *t,
                 char *why, size_t whylen);
/* What the source is called in messages ("imported file"). */
const char *trust_source_name(enum trust_source s);
/* The TUF options for t (the strings borrowed from t). */
void trust_tuf_options(pyverify_tuf_options *o, const struct trust_opts *t);
/* The user's data directory file for a trusted root. */
int trust_user_path(char *out, size_t outlen, int staging);
/* The system file for a trusted root. */
const char *trust_system_path(int staging);

/* Loads the trusted root per t, refreshing from TUF when that is the
 * source and the cache is old (a failed refresh with a usable cache: one
 * warning line on stderr). 0 and *out; otherwise the exit status, after
 * printing why (and, when nothing usable exists, what to do). When
 * refused is not NULL and a trusted root file was read but refused, that
 * error is returned through it unprinted (verify-bundle reports it as a
 * [trust-root] verdict). */
int trust_load(pyverify_trust_root **out, const struct trust_opts *t,
               pyverify_error *refused);

/* Prints what changed from old_root to new_root, one "  + ", "  - " or
 * "  ~ " line per trust entry (trust_diff.c); returns how many lines. */
size_t trust_print_diff(FILE *f, const pyverify_trust_root *old_root,
                        const pyverify_trust_root *new_root);
/* "2 transparency logs, 1 CT log, ..." (no newline). */
void trust_print_summary(FILE *f, const pyverify_trust_root *root);

/* Writes s with control characters, C1 controls, bidi overrides and bytes
 * that are not UTF-8 shown as '?': names from a mirror tree, manifest cells
 * and certificate identities cannot forge, split or recolour output lines
 * (cli_text.c). */
void cli_put_clean(FILE *f, const char *s);
/* One line: the formatted text passed through cli_put_clean, then '\n'.
 * Every message that quotes a path, an argument or library text (which may
 * quote bundle or trusted-root contents) is printed with it. */
void cli_line(FILE *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
