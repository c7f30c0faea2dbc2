/*
 * sign/oidc.h - what the two halves of identity-token discovery share:
 * oidc_token.c (explicit token, environment, GitHub Actions, the public
 * pyverify_oidc_* entry points) and oidc_flow.c (the interactive OAuth 2.0
 * authorization code flow with PKCE, SPEC 5.3).
 */
#ifndef PV_SIGN_OIDC_H
#define PV_SIGN_OIDC_H

#include <stddef.h>

#include "sign/sign.h"

/* The interactive flow against o->issuer: discovery, the user's sign-in
 * (loopback redirect or pasted code), the token request. On 0 *token is
 * malloc'd and *src says which way it came. Step OIDC. */
PV_MUST_CHECK int pv_oidc_interactive(char **token, pyverify_oidc_source *src,
                                      const pyverify_oidc_options *o,
                                      const struct pv_sign_net *n,
                                      pyverify_error *err);

/* oidc_listener.c: a listening socket on 127.0.0.1 and its port. Step
 * OIDC. */
PV_MUST_CHECK int pv_oidc_listener_open(int *fd, unsigned *port,
                                        pyverify_error *err);
/* Waits at most wait_ms for the browser's redirect to /auth/callback
 * (other paths get 404, a few times), checks its state and takes its
 * code (malloc'd). The issuer's own refusal (error=...) is quoted. */
PV_MUST_CHECK int pv_oidc_await_code(int fd, long wait_ms, const char *state,
                                     char **code, pyverify_error *err);

/* A copy of s[0..len) without surrounding white space, checked to look
 * like a JWT (three base64url parts); `from` names the source in
 * messages. 0, PYVERIFY_EPARSE or PYVERIFY_ENOMEM. Step OIDC. */
PV_MUST_CHECK int pv_oidc_take_token(char **out, const char *s, size_t len,
                                     const char *from, pyverify_error *err);

/* One line for a refused OAuth/OIDC answer: "HTTP 400: invalid_grant:
 * <error_description>" or what pv_sign_http_error finds. */
void pv_oidc_http_error(char *out, size_t outlen, const pv_net_response *r);

/* Wipes and frees a response that may hold a token. */
void pv_oidc_response_wipe(pv_net_response *r);

#endif /* PV_SIGN_OIDC_H */
