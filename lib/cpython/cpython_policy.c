/*
 * cpython_policy.c - the CPython signing policy file (policy/cpython.json):
 * which release manager identity and OIDC issuer signed each release
 * series (SPEC 6.2), from which release on the series was Sigstore-signed
 * (SPEC 6.1) and whether it publishes PGP signatures (SPEC 6.3, PEP 761).
 *
 * The document is hand-maintained and decides who is trusted, so it is
 * validated strictly: unknown schema, unknown members, wrong types, empty
 * lists, duplicate series and versions outside their series are errors.
 * A broken policy is never treated as an empty one.
 *
 * jansson is used directly (not json.h): this is not a protobuf-JSON
 * document, so the camelCase/snake_case aliasing of json.h must not apply.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cpython/cpython.h"
#include "util/json.h"

#define STEP PYVERIFY_STEP_POLICY
/* JSON paths quoted in messages, by depth: "series[255]",
 * "series[255].backfilled_sigstore", "...backfilled_sigstore[63]",
 * "...identities[63].identity". Each level fits the one above plus the
 * longest member name and index. */
#define PATH_SERIES 24
#define PATH_MEMBER 64
#define PATH_ELEM 96
#define PATH_LEAF 128

static int
parse_fail(pyverify_error *err, const char *path, const char *what)
{
	return pv_fail(err, PYVERIFY_EPARSE, STEP, "CPython policy: %s %s",
	               path, what);
}

static int
nomem(pyverify_error *err)
{
	return pv_fail(err, PYVERIFY_ENOMEM, STEP, "out of memory");
}

/* Rejects members of obj not listed in names (NULL-terminated). */
static int
only_members(const json_t *obj, const char *path, const char *const *names,
             pyverify_error *err)
{
	const char *key = pv_json_unknown_member(obj, names);

	if (key == NULL)
		return 0;
	return pv_fail(err, PYVERIFY_EPARSE, STEP,
	               "CPython policy: %s has unknown member \"%.64s\"", path,
	               key);
}

/* A string member, non-empty and at most maxlen bytes. *out borrowed;
 * NULL when absent and not required. */
static int
get_string(const json_t *obj, const char *path, const char *name,
           int required, size_t maxlen, const char **out, pyverify_error *err)
{
	char p[PATH_LEAF];
	json_t *v = json_object_get(obj, name);
	size_t len;

	snprintf(p, sizeof(p), "%s%s%s", path, path[0] ? "." : "", name);
	*out = NULL;
	if (v == NULL) {
		if (required)
			return parse_fail(err, p, "is missing");
		return 0;
	}
	if (!json_is_string(v))
		return parse_fail(err, p, "is not a string");
	len = json_string_length(v);
	if (len == 0)
		return parse_fail(err, p, "is empty");
	if (len > maxlen)
		return pv_fail(err, PYVERIFY_EPARSE, STEP,
		               "CPython policy: %s is %zu bytes, at most %zu",
		               p, len, maxlen);
	*out = json_string_value(v);
	return 0;
}

/* "X.Y": two decimal numbers without leading zeros. */
static int
parse_series_name(const char *s, unsigned *major, unsigned *minor)
{
	const char *dot = strchr(s, '.');
	uint64_t a, b;

	if (dot == NULL ||
	    pv_parse_u64(&a, s, (size_t)(dot - s)) != 0 ||
	    pv_parse_u64(&b, dot + 1, strlen(dot + 1)) != 0 ||
	    a > PV_CPYTHON_MAX_COMPONENT || b > PV_CPYTHON_MAX_COMPONENT)
		return -1;
	*major = (unsigned)a;
	*minor = (unsigned)b;
	return 0;
}

/* A version string that belongs to series s. */
static int
parse_series_version(struct pv_cpython_version *out, const json_t *v,
                     const char *p, const struct pv_cpython_series *s,
                     pyverify_error *err)
{
	if (!json_is_string(v))
		return parse_fail(err, p, "is not a string");
	if (pv_cpython_version_parse(out, json_string_value(v),
	                             json_string_length(v)) != 0)
		return pv_fail(err, PYVERIFY_EPARSE, STEP,
		               "CPython policy: %s \"%.32s\" is not a CPython "
		               "version such as \"3.14.0\" or \"3.14.0rc1\"",
		               p, json_string_value(v));
	if (out->major != s->major || out->minor != s->minor)
		return pv_fail(err, PYVERIFY_EPARSE, STEP,
		               "CPython policy: %s \"%s\" is not in series "
		               "%u.%u", p, json_string_value(v), s->major,
		               s->minor);
	return 0;
}

static int
load_identities(struct pv_cpython_series *s, const json_t *obj,
                const char *path, pyverify_error *err)
{
	static const char *const names[] = { "identity", "issuer", NULL };
	char p[PATH_MEMBER], ip[PATH_ELEM];
	json_t *arr = json_object_get(obj, "identities"), *it;
	const char *identity, *issuer;
	size_t i, n;
	int rc;

	snprintf(p, sizeof(p), "%s.identities", path);
	if (arr == NULL)
		return parse_fail(err, p, "is missing");
	if (!json_is_array(arr))
		return parse_fail(err, p, "is not an array");
	n = json_array_size(arr);
	if (n == 0)
		return parse_fail(err, p, "is empty: a series needs a signer");
	if (n > PV_MAX_POLICY_RULES)
		return pv_fail(err, PYVERIFY_EPARSE, STEP,
		               "CPython policy: %s has %zu entries, at most %d",
		               p, n, PV_MAX_POLICY_RULES);
	s->identities = calloc(n, sizeof(*s->identities));
	if (s->identities == NULL)
		return nomem(err);
	s->n_identities = n;
	for (i = 0; i < n; i++) {
		snprintf(ip, sizeof(ip), "%s[%zu]", p, i);
		it = json_array_get(arr, i);
		if (!json_is_object(it))
			return parse_fail(err, ip, "is not an object");
		if ((rc = only_members(it, ip, names, err)) != 0 ||
		    (rc = get_string(it, ip, "identity", 1, PV_MAX_VALUE_STRING,
		                     &identity, err)) != 0 ||
		    (rc = get_string(it, ip, "issuer", 1, PV_MAX_VALUE_STRING,
		                     &issuer, err)) != 0)
			return rc;
		/* SPEC 6.2: the issuers are https URLs (Sigstore's Dex
		 * connectors); anything else is a typo in the policy. */
		if (strncmp(issuer, "https://", 8) != 0)
			return pv_fail(err, PYVERIFY_EPARSE, STEP,
			               "CPython policy: %s.issuer \"%.64s\" is "
			               "not an https:// URL", ip, issuer);
		s->identities[i].identity = strdup(identity);
		s->identities[i].issuer = strdup(issuer);
		if (s->identities[i].identity == NULL ||
		    s->identities[i].issuer == NULL)
			return nomem(err);
	}
	return 0;
}

static int
load_backfilled(struct pv_cpython_series *s, const json_t *obj,
                const char *path, pyverify_error *err)
{
	char p[PATH_MEMBER], ip[PATH_ELEM];
	json_t *arr = json_object_get(obj, "backfilled_sigstore");
	size_t i, j, n;
	int rc;

	if (arr == NULL)
		return 0;
	snprintf(p, sizeof(p), "%s.backfilled_sigstore", path);
	if (!json_is_array(arr))
		return parse_fail(err, p, "is not an array");
	n = json_array_size(arr);
	if (n == 0)
		return parse_fail(err, p, "is empty (leave it out instead)");
	if (n > PV_MAX_CPYTHON_BACKFILLED)
		return pv_fail(err, PYVERIFY_EPARSE, STEP,
		               "CPython policy: %s has %zu entries, at most %d",
		               p, n, PV_MAX_CPYTHON_BACKFILLED);
	s->backfilled = calloc(n, sizeof(*s->backfilled));
	if (s->backfilled == NULL)
		return nomem(err);
	s->n_backfilled = n;
	for (i = 0; i < n; i++) {
		snprintf(ip, sizeof(ip), "%s[%zu]", p, i);
		rc = parse_series_version(&s->backfilled[i],
		                          json_array_get(arr, i), ip, s, err);
		if (rc != 0)
			return rc;
		if (pv_cpython_version_cmp(&s->backfilled[i],
		                           &s->first_sigstore) >= 0)
			return parse_fail(err, ip,
			                  "is not before first_sigstore");
		for (j = 0; j < i; j++)
			if (pv_cpython_version_cmp(&s->backfilled[i],
			                           &s->backfilled[j]) == 0)
				return parse_fail(err, ip, "is listed twice");
	}
	return 0;
}

static int
load_series(struct pv_cpython_policy *pol, size_t idx, const json_t *obj,
            pyverify_error *err)
{
	static const char *const names[] = {
		"series", "pep", "identities", "first_sigstore",
		"backfilled_sigstore", "pgp", "note", NULL
	};
	struct pv_cpython_series *s = &pol->series[idx];
	char path[PATH_SERIES], p[PATH_MEMBER];
	const char *name, *note;
	json_t *v;
	json_int_t pep;
	size_t i;
	int rc;

	snprintf(path, sizeof(path), "series[%zu]", idx);
	if (!json_is_object(obj))
		return parse_fail(err, path, "is not an object");
	if ((rc = only_members(obj, path, names, err)) != 0 ||
	    (rc = get_string(obj, path, "series", 1, PV_MAX_SHORT_STRING, &name,
	                     err)) != 0 ||
	    (rc = get_string(obj, path, "note", 0, PV_MAX_VALUE_STRING, &note,
	                     err)) != 0)
		return rc;
	if (parse_series_name(name, &s->major, &s->minor) != 0)
		return pv_fail(err, PYVERIFY_EPARSE, STEP,
		               "CPython policy: %s.series \"%.32s\" is not a "
		               "release series such as \"3.14\"", path, name);
	for (i = 0; i < idx; i++)
		if (pol->series[i].major == s->major &&
		    pol->series[i].minor == s->minor)
			return pv_fail(err, PYVERIFY_EPARSE, STEP,
			               "CPython policy: %s.series \"%s\" is "
			               "already defined by series[%zu]", path,
			               name, i);

	v = json_object_get(obj, "pep");
	if (v != NULL) {
		snprintf(p, sizeof(p), "%s.pep", path);
		if (!json_is_integer(v))
			return parse_fail(err, p, "is not an integer");
		pep = json_integer_value(v);
		if (pep < 1 || pep > 9999)
			return parse_fail(err, p, "is not a PEP number");
		s->pep = (unsigned)pep;
	}

	if ((rc = load_identities(s, obj, path, err)) != 0)
		return rc;

	snprintf(p, sizeof(p), "%s.first_sigstore", path);
	v = json_object_get(obj, "first_sigstore");
	if (v == NULL)
		return parse_fail(err, p, "is missing");
	if ((rc = parse_series_version(&s->first_sigstore, v, p, s, err)) != 0)
		return rc;
	if ((rc = load_backfilled(s, obj, path, err)) != 0)
		return rc;

	snprintf(p, sizeof(p), "%s.pgp", path);
	v = json_object_get(obj, "pgp");
	if (v == NULL)
		return parse_fail(err, p, "is missing");
	if (!json_is_boolean(v))
		return parse_fail(err, p, "is not true or false");
	s->pgp = json_is_true(v);
	return 0;
}

int
pv_cpython_policy_load_memory(struct pv_cpython_policy **out, const void *buf,
                              size_t len, pyverify_error *err)
{
	static const char *const names[] = {
		"schema", "description", "series", NULL
	};
	const struct pv_json_bounds bounds =
	    PV_JSON_BOUNDS(PV_MAX_CPYTHON_POLICY_BYTES);
	struct pv_cpython_policy *pol = NULL;
	json_t *root = NULL, *arr;
	json_error_t jerr;
	const char *schema, *desc;
	size_t i, n;
	int rc;

	if (out == NULL || (buf == NULL && len > 0))
		return pv_fail(err, PYVERIFY_EUSAGE, STEP,
		               "no policy buffer or output pointer");
	/* The one JSON intake (util/json.h): size, depth, duplicate keys,
	 * end of input, UTF-8, no \u0000. */
	switch (pv_json_intake(&root, buf, len, &bounds, &jerr)) {
	case PV_JSON_ACCEPTED:
		break;
	case PV_JSON_TOO_LARGE:
		return pv_fail(err, PYVERIFY_EPARSE, STEP,
		               "CPython policy is %zu bytes, at most %u", len,
		               PV_MAX_CPYTHON_POLICY_BYTES);
	case PV_JSON_TOO_DEEP:
		return pv_fail(err, PYVERIFY_EPARSE, STEP,
		               "CPython policy nests JSON deeper than %d levels",
		               PV_MAX_JSON_DEPTH);
	case PV_JSON_NOT_OBJECT:
		return parse_fail(err, "document", "is not a JSON object");
	default:
		return pv_fail(err, PYVERIFY_EPARSE, STEP,
		               "CPython policy is not valid JSON (line %d, "
		               "column %d): %s", jerr.line, jerr.column,
		               pv_json_syntax_error(&jerr));
	}
	if ((rc = only_members(root, "document", names, err)) != 0 ||
	    (rc = get_string(root, "", "schema", 1, PV_MAX_SHORT_STRING,
	                     &schema, err)) != 0 ||
	    (rc = get_string(root, "", "description", 0, PV_MAX_VALUE_STRING,
	                     &desc, err)) != 0)
		goto done;
	if (strcmp(schema, PV_CPYTHON_POLICY_SCHEMA) != 0) {
		rc = pv_fail(err, PYVERIFY_EPARSE, STEP,
		             "CPython policy: schema \"%.64s\" is not "
		             "supported, expected \"%s\"", schema,
		             PV_CPYTHON_POLICY_SCHEMA);
		goto done;
	}
	arr = json_object_get(root, "series");
	if (arr == NULL || !json_is_array(arr)) {
		rc = parse_fail(err, "series", arr == NULL ? "is missing" :
		                "is not an array");
		goto done;
	}
	n = json_array_size(arr);
	if (n == 0 || n > PV_MAX_CPYTHON_SERIES) {
		rc = pv_fail(err, PYVERIFY_EPARSE, STEP,
		             "CPython policy: series has %zu entries, expected "
		             "1 to %d", n, PV_MAX_CPYTHON_SERIES);
		goto done;
	}
	pol = calloc(1, sizeof(*pol));
	if (pol == NULL || (pol->series = calloc(n, sizeof(*pol->series))) ==
	                   NULL) {
		rc = nomem(err);
		goto done;
	}
	pol->n_series = n; /* zeroed entries are safe to free */
	for (i = 0; i < n; i++) {
		rc = load_series(pol, i, json_array_get(arr, i), err);
		if (rc != 0)
			goto done;
	}
	*out = pol;
	pol = NULL; /* the caller owns it now */
	rc = 0;
done:
	pv_cpython_policy_free(pol);
	json_decref(root);
	return rc;
}

int
pv_cpython_policy_load_file(struct pv_cpython_policy **out, const char *path,
                            pyverify_error *err)
{
	char why[PYVERIFY_ERROR_MSG_SIZE];
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if (out == NULL || path == NULL)
		return pv_fail(err, PYVERIFY_EUSAGE, STEP,
		               "no policy path or output pointer");
	rc = pv_file_read(&buf, &len, path, 0, PV_MAX_CPYTHON_POLICY_BYTES,
	                  "CPython policy", why, sizeof(why));
	if (rc != 0)
		return pv_fail(err, (pyverify_status)rc, STEP, "%s", why);
	rc = pv_cpython_policy_load_memory(out, buf, len, err);
	free(buf);
	return rc;
}

void
pv_cpython_policy_free(struct pv_cpython_policy *p)
{
	size_t i, j;

	if (p == NULL)
		return;
	for (i = 0; i < p->n_series && p->series != NULL; i++) {
		struct pv_cpython_series *s = &p->series[i];
		for (j = 0; j < s->n_identities; j++) {
			free(s->identities[j].identity);
			free(s->identities[j].issuer);
		}
		free(s->identities);
		free(s->backfilled);
	}
	free(p->series);
	free(p);
}

const struct pv_cpython_series *
pv_cpython_policy_lookup(const struct pv_cpython_policy *p,
                         const struct pv_cpython_version *v)
{
	size_t i;

	if (p == NULL || v == NULL)
		return NULL;
	/* SPEC 6.2: "select the row by the X.Y prefix of the version". */
	for (i = 0; i < p->n_series; i++)
		if (p->series[i].major == v->major &&
		    p->series[i].minor == v->minor)
			return &p->series[i];
	return NULL;
}

static int
in_series(const struct pv_cpython_series *s,
          const struct pv_cpython_version *v)
{
	return s != NULL && v != NULL && s->major == v->major &&
	       s->minor == v->minor;
}

int
pv_cpython_release_has_sigstore(const struct pv_cpython_series *s,
                                const struct pv_cpython_version *v)
{
	size_t i;

	if (!in_series(s, v))
		return 0;
	if (pv_cpython_version_cmp(v, &s->first_sigstore) >= 0)
		return 1;
	for (i = 0; i < s->n_backfilled; i++)
		if (pv_cpython_version_cmp(v, &s->backfilled[i]) == 0)
			return 1;
	return 0;
}

int
pv_cpython_release_publishes_pgp(const struct pv_cpython_series *s,
                                 const struct pv_cpython_version *v)
{
	/* SPEC 6.3: from 3.14 on there are no .asc files; older series keep
	 * publishing them until end of life. */
	return in_series(s, v) && s->pgp;
}

int
pv_cpython_series_add_to_policy(pyverify_policy *policy,
                                const struct pv_cpython_series *s,
                                pyverify_error *err)
{
	size_t i;

	if (policy == NULL || s == NULL || s->n_identities == 0)
		return pv_fail(err, PYVERIFY_EUSAGE, STEP,
		               "no policy or no CPython series identities");
	/* SPEC 6.2: exact-match identity and issuer. */
	for (i = 0; i < s->n_identities; i++)
		PV_TRY(pyverify_policy_add_identity(
			policy, s->identities[i].identity, PYVERIFY_MATCH_EXACT,
			s->identities[i].issuer, PYVERIFY_MATCH_EXACT, err));
	return 0;
}

static int
is_regular_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

void
pv_cpython_policy_default_path(char *out, size_t outlen)
{
	char exe[PATH_MAX], cand[PATH_MAX + 64], marker[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	snprintf(out, outlen, "%s", PV_CPYTHON_POLICY_INSTALLED);
	if (n <= 0)
		return;
	exe[n] = '\0';
	/* BUILD/program -> the directory above BUILD, a source tree when it
	 * holds lib/pyverify.h. */
	slash = strrchr(exe, '/');
	if (slash == NULL)
		return;
	*slash = '\0';
	slash = strrchr(exe, '/');
	if (slash == NULL)
		return;
	*slash = '\0';
	snprintf(marker, sizeof(marker), "%s/lib/pyverify.h",
	         exe[0] ? exe : "/");
	snprintf(cand, sizeof(cand), "%s/%s", exe, PV_CPYTHON_POLICY_SOURCE);
	if (is_regular_file(marker) && is_regular_file(cand))
		snprintf(out, outlen, "%s", cand);
}
