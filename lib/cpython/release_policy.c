/* release_policy.c - the public face of the CPython policy and of artifact
 * names (pyverify.h, "CPython releases"): the loaders hand out the loaded
 * struct pv_cpython_policy as a pyverify_release_policy, and a read-only
 * view lists its series for programs such as the daemon's /v1/trust. */
#include <string.h>

#include "cpython/release.h"

int
pyverify_release_policy_load_file(pyverify_release_policy **out,
                                   const char *path, pyverify_error *err)
{
	struct pv_cpython_policy *p = NULL;
	int rc;

	if (out == NULL)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_POLICY,
		               "no place for the policy");
	rc = pv_cpython_policy_load_file(&p, path, err);
	if (rc == 0)
		*out = (pyverify_release_policy *)(void *)p;
	return rc;
}

int
pyverify_release_policy_load_memory(pyverify_release_policy **out,
                                     const void *buf, size_t len,
                                     pyverify_error *err)
{
	struct pv_cpython_policy *p = NULL;
	int rc;

	if (out == NULL)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_POLICY,
		               "no place for the policy");
	rc = pv_cpython_policy_load_memory(&p, buf, len, err);
	if (rc == 0)
		*out = (pyverify_release_policy *)(void *)p;
	return rc;
}

void
pyverify_release_policy_free(pyverify_release_policy *policy)
{
	pv_cpython_policy_free((struct pv_cpython_policy *)(void *)policy);
}

const char *
pyverify_release_policy_installed_path(void)
{
	return PV_CPYTHON_POLICY_INSTALLED;
}

void
pyverify_release_policy_default_path(char *out, size_t outlen)
{
	pv_cpython_policy_default_path(out, outlen);
}

size_t
pyverify_release_policy_series_count(const pyverify_release_policy *policy)
{
	const struct pv_cpython_policy *p = pv_release_policy_in(policy);

	return p != NULL ? p->n_series : 0;
}

int
pyverify_release_policy_series(pyverify_release_series *out,
                               const pyverify_release_policy *policy,
                               size_t i)
{
	const struct pv_cpython_policy *p = pv_release_policy_in(policy);
	const struct pv_cpython_series *s;

	if (out == NULL || p == NULL || i >= p->n_series)
		return PYVERIFY_EUSAGE;
	s = &p->series[i];
	memset(out, 0, sizeof(*out));
	out->major = s->major;
	out->minor = s->minor;
	out->pep = s->pep;
	pv_cpython_version_format(out->first_sigstore, &s->first_sigstore);
	out->pgp = s->pgp;
	out->n_identities = s->n_identities;
	return 0;
}

int
pyverify_release_policy_signer(const char **identity, const char **issuer,
                               const pyverify_release_policy *policy,
                               size_t i, size_t k)
{
	const struct pv_cpython_policy *p = pv_release_policy_in(policy);

	if (identity == NULL || issuer == NULL || p == NULL ||
	    i >= p->n_series || k >= p->series[i].n_identities)
		return PYVERIFY_EUSAGE;
	*identity = p->series[i].identities[k].identity;
	*issuer = p->series[i].identities[k].issuer;
	return 0;
}

const char *
pyverify_release_basename(const char *path)
{
	return pv_cpython_basename(path);
}

int
pyverify_release_parse_name(char *version, pyverify_release_kind *kind,
                            const char *name)
{
	struct pv_cpython_version v;
	enum pv_cpython_kind k;

	if (name == NULL || pv_cpython_classify_artifact(&v, &k, name) != 0)
		return -1;
	if (version != NULL)
		pv_cpython_version_format(version, &v);
	if (kind != NULL)
		*kind = (pyverify_release_kind)k;
	return 0;
}
