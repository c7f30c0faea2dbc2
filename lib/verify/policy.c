/* policy.c - who must have signed: identity/issuer rules or a managed key. */
#include <stdlib.h>
#include <string.h>

#include "verify/steps.h"

int
pyverify_policy_new(pyverify_policy **out, pyverify_error *err)
{
	pyverify_policy *p;

	if (out == NULL)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_POLICY,
		               "no output pointer");
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return pv_fail(err, PYVERIFY_ENOMEM, PYVERIFY_STEP_POLICY,
		               "out of memory");
	p->min_times = 1;
	*out = p;
	return 0;
}

static void
match_clear(struct pv_match *m)
{
	if (m->mode == PYVERIFY_MATCH_REGEX && m->value != NULL)
		regfree(&m->re);
	free(m->value);
	m->value = NULL;
}

void
pyverify_policy_free(pyverify_policy *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n_rules; i++) {
		match_clear(&p->rules[i].identity);
		match_clear(&p->rules[i].issuer);
	}
	free(p->rules);
	pv_pubkey_clear(&p->key);
	free(p);
}

static int
match_init(struct pv_match *m, const char *value, int mode, const char *what,
           pyverify_error *err)
{
	size_t len;
	char *anchored;
	int rc;

	if (value == NULL || value[0] == '\0')
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_POLICY,
		               "the expected %s is empty", what);
	len = strlen(value);
	if (len > PV_MAX_VALUE_STRING)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_POLICY,
		               "the expected %s is too long (%zu bytes)", what, len);
	if (mode != PYVERIFY_MATCH_EXACT && mode != PYVERIFY_MATCH_REGEX)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_POLICY,
		               "unknown match mode %d for the %s", mode, what);
	m->value = strdup(value);
	if (m->value == NULL)
		return pv_fail(err, PYVERIFY_ENOMEM, PYVERIFY_STEP_POLICY,
		               "out of memory");
	m->mode = mode;
	if (mode == PYVERIFY_MATCH_EXACT)
		return 0;
	/* The whole value must match: a pattern is never a substring search,
	 * so "python.org" cannot be satisfied by "evil-python.org.example". */
	anchored = malloc(len + 5);
	if (anchored == NULL) {
		free(m->value);
		m->value = NULL;
		return pv_fail(err, PYVERIFY_ENOMEM, PYVERIFY_STEP_POLICY,
		               "out of memory");
	}
	memcpy(anchored, "^(", 2);
	memcpy(anchored + 2, value, len);
	memcpy(anchored + 2 + len, ")$", 3);
	/* No REG_NOSUB: pv_match_value needs the match bounds. */
	rc = regcomp(&m->re, anchored, REG_EXTENDED);
	free(anchored);
	if (rc != 0) {
		char buf[128];
		regerror(rc, &m->re, buf, sizeof(buf));
		free(m->value);
		m->value = NULL;
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_POLICY,
		               "invalid %s regular expression \"%s\": %s", what,
		               value, buf);
	}
	return 0;
}

int
pyverify_policy_add_identity(pyverify_policy *p, const char *identity,
                             int identity_match, const char *issuer,
                             int issuer_match, pyverify_error *err)
{
	struct pv_identity_rule rule, *grown;
	int rc;

	if (p == NULL)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_POLICY,
		               "no policy");
	if (p->has_key)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_POLICY,
		               "a policy expects either a key or identities, "
		               "not both");
	if (p->n_rules >= PV_MAX_POLICY_RULES)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_POLICY,
		               "too many identities (at most %d)",
		               PV_MAX_POLICY_RULES);
	memset(&rule, 0, sizeof(rule));
	rc = match_init(&rule.identity, identity, identity_match, "identity",
	                err);
	if (rc != 0)
		return rc;
	rc = match_init(&rule.issuer, issuer, issuer_match, "OIDC issuer", err);
	if (rc != 0) {
		match_clear(&rule.identity);
		return rc;
	}
	grown = realloc(p->rules, (p->n_rules + 1) * sizeof(*grown));
	if (grown == NULL) {
		match_clear(&rule.identity);
		match_clear(&rule.issuer);
		return pv_fail(err, PYVERIFY_ENOMEM, PYVERIFY_STEP_POLICY,
		               "out of memory");
	}
	p->rules = grown;
	p->rules[p->n_rules++] = rule;
	return 0;
}

int
pyverify_policy_set_key_pem(pyverify_policy *p, const void *pem, size_t len,
                            pyverify_error *err)
{
	struct pv_pubkey key;
	int rc;

	if (p == NULL || pem == NULL)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_POLICY,
		               "no policy or key");
	if (p->n_rules > 0)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_POLICY,
		               "a policy expects either a key or identities, "
		               "not both");
	rc = pv_pubkey_from_pem(&key, pem, len, PYVERIFY_STEP_KEY, err);
	if (rc != 0)
		return rc;
	pv_pubkey_clear(&p->key);
	p->key = key;
	p->has_key = 1;
	return 0;
}

void
pyverify_policy_set_now(pyverify_policy *p, int64_t unix_seconds)
{
	if (p == NULL)
		return;
	p->now = unix_seconds;
	p->has_now = 1;
}

int
pyverify_policy_set_min_verified_times(pyverify_policy *p, unsigned n,
                                       pyverify_error *err)
{
	if (p == NULL || n == 0 || n > PV_MAX_TLOG_ENTRIES + PV_MAX_TIMESTAMPS)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_POLICY,
		               "the number of required verified times must be "
		               "between 1 and %d",
		               PV_MAX_TLOG_ENTRIES + PV_MAX_TIMESTAMPS);
	p->min_times = n;
	return 0;
}

int
pv_match_value(const struct pv_match *m, const char *value)
{
	regmatch_t whole;

	if (m->value == NULL || value == NULL)
		return 0;
	if (m->mode == PYVERIFY_MATCH_EXACT)
		return strcmp(m->value, value) == 0;
	/* The "^(...)$" wrapper alone does not anchor a pattern with an
	 * unbalanced ")": "x)|(y" becomes "^(x)|(y)$", whose first branch
	 * matches any value that merely starts with x. So the match itself
	 * must span the whole value (POSIX reports the leftmost-longest). */
	if (regexec(&m->re, value, 1, &whole, 0) != 0)
		return 0;
	return whole.rm_so == 0 && whole.rm_eo >= 0 &&
	       (size_t)whole.rm_eo == strlen(value);
}
