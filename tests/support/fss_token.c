/* fss_token.c - JWT-shaped identity tokens of the fake OIDC providers (see
 * fake_sigstore.h): the claims a Sigstore client and Fulcio read, a dummy
 * signature (nobody here verifies it). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "fss_impl.h"

#define FSS_DEFAULT_IDENTITY "dev@example.org"

char *fssi_token_make(struct fss *s, const struct fss_token_opts *o)
{
	static const struct fss_token_opts defaults;
	int64_t now = (int64_t)time(NULL);
	const char *email;
	json_t *claims;
	char *header64 = NULL, *claims64 = NULL, *sig64 = NULL, *text = NULL;
	char *out = NULL;
	size_t n;

	if (o == NULL)
		o = &defaults;
	email = o->email ? o->email : FSS_DEFAULT_IDENTITY;
	claims = json_pack("{s:s, s:s, s:s, s:I, s:I}", "iss",
	                   o->iss ? o->iss : s->issuer, "sub",
	                   o->sub ? o->sub : FSS_DEFAULT_IDENTITY, "aud",
	                   o->aud ? o->aud : "sigstore", "iat",
	                   (json_int_t)(o->iat ? o->iat : now), "exp",
	                   (json_int_t)(o->exp ? o->exp : now + 600));
	if (claims == NULL)
		return NULL;
	if (o->nbf != -1)
		json_object_set_new(claims, "nbf",
		                    json_integer(o->nbf ? o->nbf : now));
	if (email[0] != '\0') {
		json_object_set_new(claims, "email", json_string(email));
		json_object_set_new(claims, "email_verified",
		                    json_boolean(!o->email_unverified));
	}
	if (o->connector_id != NULL)
		json_object_set_new(claims, "federated_claims",
		                    json_pack("{s:s, s:s}", "connector_id",
		                              o->connector_id, "user_id", "1"));
	if (o->extra_json != NULL) {
		json_t *extra = json_loads(o->extra_json, 0, NULL);

		if (extra != NULL)
			json_object_update(claims, extra);
		json_decref(extra);
	}
	text = json_dumps(claims, JSON_COMPACT);
	json_decref(claims);
	if (text == NULL)
		return NULL;
	header64 = fssi_b64url("{\"alg\":\"RS256\",\"kid\":\"fss\",\"typ\":"
	                       "\"JWT\"}", 38);
	claims64 = fssi_b64url(text, strlen(text));
	sig64 = fssi_b64url("fake-signature-not-checked", 26);
	if (header64 && claims64 && sig64) {
		n = strlen(header64) + strlen(claims64) + strlen(sig64) + 3;
		out = malloc(n);
		if (out != NULL)
			snprintf(out, n, "%s.%s.%s", header64, claims64, sig64);
	}
	free(text);
	free(header64);
	free(claims64);
	free(sig64);
	return out;
}

json_t *fssi_token_claims(const char *jwt)
{
	const char *dot1 = jwt ? strchr(jwt, '.') : NULL;
	const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	char *part;
	uint8_t *raw;
	size_t len = 0;
	json_t *j = NULL;

	if (dot2 == NULL || strchr(dot2 + 1, '.') != NULL)
		return NULL;
	part = strndup(dot1 + 1, (size_t)(dot2 - dot1 - 1));
	raw = part ? fssi_unb64(part, &len) : NULL;
	if (raw != NULL)
		j = json_loadb((const char *)raw, len, 0, NULL);
	free(raw);
	free(part);
	if (j != NULL && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

static char *dup_or_null(const char *p)
{
	char *d;

	if (p == NULL)
		return NULL;
	d = strdup(p);
	cr_assert_not_null(d, "fake_sigstore: out of memory");
	return d;
}

void fssi_topts_clear(struct fss_topts *t)
{
	free((char *)t->o.iss);
	free((char *)t->o.sub);
	free((char *)t->o.aud);
	free((char *)t->o.email);
	free((char *)t->o.connector_id);
	free((char *)t->o.extra_json);
	memset(t, 0, sizeof(*t));
}

void fssi_topts_set(struct fss_topts *dst, const struct fss_token_opts *o)
{
	fssi_topts_clear(dst);
	if (o == NULL)
		return;
	dst->o = *o;
	dst->o.iss = dup_or_null(o->iss);
	dst->o.sub = dup_or_null(o->sub);
	dst->o.aud = dup_or_null(o->aud);
	dst->o.email = dup_or_null(o->email);
	dst->o.connector_id = dup_or_null(o->connector_id);
	dst->o.extra_json = dup_or_null(o->extra_json);
	dst->set = 1;
}

char *fss_token(struct fss *s, const struct fss_token_opts *opts)
{
	char *t = fssi_token_make(s, opts);

	cr_assert_not_null(t, "fake_sigstore: cannot make a token");
	return t;
}

void fss_set_oidc_token(struct fss *s, const struct fss_token_opts *opts)
{
	pthread_mutex_lock(&s->mu);
	fssi_topts_set(&s->oidc_tok, opts);
	pthread_mutex_unlock(&s->mu);
}

void fss_set_gha_token(struct fss *s, const struct fss_token_opts *opts)
{
	pthread_mutex_lock(&s->mu);
	fssi_topts_set(&s->gha_tok, opts);
	pthread_mutex_unlock(&s->mu);
}
