/* cli.h - shared pieces of the pyverify command's verbs. */
#ifndef PV_CLI_H
#define PV_CLI_H

#include <stddef.h>
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

/* Maps a library status to an exit code: only PYVERIFY_OK maps to 0. */
int cli_exit_code(int status);

/* Which trusted root to use, in the documented order (README "Trusted
 * root"): explicit path, $PYVERIFY_TRUSTED_ROOT (or _STAGING_ with
 * staging), the user's data directory, /etc/pyverify, PREFIX/share.
 * Writes the chosen path to out; returns 0, or -1 with a message in why
 * (listing the places that were tried). */
int trust_locate(char *out, size_t outlen, const char *explicit_path,
                 int staging, char *why, size_t whylen);
/* The user's data directory file for a trusted root. */
int trust_user_path(char *out, size_t outlen, int staging);

/* Loads the located trusted root; prints a one-line error and returns
 * NULL on failure. */
pyverify_trust_root *trust_load(const char *explicit_path, int staging);

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
