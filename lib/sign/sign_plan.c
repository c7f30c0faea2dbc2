/*
 * sign/sign_plan.c - which services a signing run would use, told before
 * anything is signed (`pyverify sign --dry-run`) and used to find the
 * OIDC issuer of the interactive sign-in: the overrides first, else the
 * signing config's selection (SPEC 5.2, signing_config.c).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sign/sign.h"

static int
add(char **slot, const char *url, pyverify_error *err)
{
	*slot = strdup(url);
	if (*slot == NULL)
		return pv_fail(err, PYVERIFY_ENOMEM, PYVERIFY_STEP_NONE,
		               "out of memory");
	return 0;
}

void
pyverify_sign_plan_clear(pyverify_sign_plan *plan)
{
	size_t i;

	if (plan == NULL)
		return;
	free(plan->oidc_url);
	free(plan->fulcio_url);
	for (i = 0; i < plan->n_rekor && i < PYVERIFY_SIGN_PLAN_MAX; i++)
		free(plan->rekor_urls[i]);
	for (i = 0; i < plan->n_tsa && i < PYVERIFY_SIGN_PLAN_MAX; i++)
		free(plan->tsa_urls[i]);
	memset(plan, 0, sizeof(*plan));
}

static int
fill(pyverify_sign_plan *p, const pyverify_sign_options *o,
     const struct pv_service_choice *ch, pyverify_error *err)
{
	int keyless = o->key_pem == NULL;
	int want_tsa;
	size_t i;

	if (keyless && ch != NULL && ch->oidc != NULL)
		PV_TRY(add(&p->oidc_url, ch->oidc->url, err));
	if (keyless && o->fulcio_url != NULL)
		PV_TRY(add(&p->fulcio_url, o->fulcio_url, err));
	else if (keyless && ch != NULL && ch->ca != NULL)
		PV_TRY(add(&p->fulcio_url, ch->ca->url, err));
	else if (keyless)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_NONE,
		               "no Fulcio: the signing config names no valid "
		               "certificate authority and none was given");

	if (o->rekor_url != NULL) {
		if (o->rekor_version != 0 && o->rekor_version != 1 &&
		    o->rekor_version != 2)
			return pv_fail(err, PYVERIFY_EUSAGE,
			               PYVERIFY_STEP_NONE,
			               "Rekor API version %d: 1 or 2",
			               o->rekor_version);
		p->rekor_version = o->rekor_version ? o->rekor_version : 1;
		PV_TRY(add(&p->rekor_urls[0], o->rekor_url, err));
		p->n_rekor = 1;
	} else if (ch != NULL && ch->nrekor > 0) {
		/* As the signer does (Python's rule): the first selected log
		 * only. */
		p->rekor_version = (int)ch->rekor[0]->major;
		if (o->rekor_version != 0 && o->rekor_version != p->rekor_version)
			return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_NONE,
			               "the signing config selects a Rekor v%d "
			               "log (%s), not v%d: name the log with its "
			               "URL", p->rekor_version,
			               ch->rekor[0]->url, o->rekor_version);
		PV_TRY(add(&p->rekor_urls[0], ch->rekor[0]->url, err));
		p->n_rekor = 1;
	} else {
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_NONE,
		               "no Rekor: the signing config names no valid "
		               "transparency log and none was given");
	}

	/* Rekor v2 entries carry no signed time: a timestamp is required
	 * then; with v1 only when asked for (a TSA URL alone does not ask). */
	want_tsa = p->rekor_version == 2 || o->timestamp;
	if (!want_tsa)
		return 0;
	if (o->tsa_url != NULL) {
		PV_TRY(add(&p->tsa_urls[0], o->tsa_url, err));
		p->n_tsa = 1;
	} else if (ch != NULL) {
		for (i = 0; i < ch->ntsa && i < PYVERIFY_SIGN_PLAN_MAX; i++) {
			PV_TRY(add(&p->tsa_urls[i], ch->tsa[i]->url, err));
			p->n_tsa = i + 1;
		}
	}
	if (p->n_tsa == 0)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_NONE,
		               "no timestamp authority: %s needs one and the "
		               "signing config names none valid",
		               p->rekor_version == 2 ? "Rekor v2"
		                                     : "--timestamp");
	return 0;
}

int
pyverify_sign_plan_get(pyverify_sign_plan *out,
                       const pyverify_sign_options *opts, pyverify_error *err)
{
	struct pv_signing_config cfg;
	struct pv_service_choice ch;
	pyverify_sign_plan p;
	char why[PYVERIFY_ERROR_MSG_SIZE];
	int64_t now;
	int rc, have_cfg = 0;

	pv_error_clear(err);
	if (out == NULL || opts == NULL)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_NONE,
		               "plan and options are required");
	memset(&p, 0, sizeof(p));
	memset(&cfg, 0, sizeof(cfg));
	memset(&ch, 0, sizeof(ch));
	if (opts->signing_config != NULL) {
		rc = pv_signing_config_parse(&cfg, opts->signing_config,
		                             opts->signing_config_len, why,
		                             sizeof(why));
		/* why says "signing config: ..." itself. */
		if (rc != 0)
			return pv_fail(err, rc, PYVERIFY_STEP_NONE, "%s", why);
		now = opts->now != 0 ? opts->now : (int64_t)time(NULL);
		rc = pv_signing_config_select(&cfg, now * 1000, &ch, why,
		                              sizeof(why));
		if (rc != 0) {
			pv_signing_config_clear(&cfg);
			/* A config that selects nothing usable is the
			 * caller's to fix, like a bad option. */
			return pv_fail(err, rc == PYVERIFY_EREJECT
			                        ? PYVERIFY_EUSAGE : rc,
			               PYVERIFY_STEP_NONE, "%s", why);
		}
		have_cfg = 1;
	}
	rc = fill(&p, opts, have_cfg ? &ch : NULL, err);
	pv_signing_config_clear(&cfg);
	if (rc != 0) {
		pyverify_sign_plan_clear(&p);
		return rc;
	}
	*out = p;
	return 0;
}
