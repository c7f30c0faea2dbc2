/* version.h - `pyverify --version`. */
#ifndef PV_CMD_VERSION_H
#define PV_CMD_VERSION_H

#include <stdio.h>

/* Prints the version, the libraries in use and where the policy and the
 * trusted root would come from for a plain `pyverify FILE` run (no network,
 * nothing loaded). Returns the exit status. */
int cmd_version(FILE *f);

#endif
