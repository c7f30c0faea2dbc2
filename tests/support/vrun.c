/* vrun.c - see vrun.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "vrun.h"
#include "vsigstore.h"

int
vr_run(json_t *root_json, json_t *bundle_json, const struct vr_opts *o,
       pyverify_result *res, pyverify_error *err)
{
	pyverify_trust_root *root = NULL;
	pyverify_bundle *bundle = NULL;
	pyverify_policy *policy = NULL;
	pyverify_artifact a;
	const void *data = o && o->artifact ? o->artifact : VR_ARTIFACT;
	size_t len = o && o->artifact ? o->len : strlen(VR_ARTIFACT);
	char *rt = vs_dump(root_json), *bt = vs_dump(bundle_json);
	int rc;

	cr_assert_not_null(rt);
	cr_assert_not_null(bt);
	rc = pyverify_trust_root_load_memory(&root, rt, strlen(rt), "test root",
	                                     err);
	cr_assert_eq(rc, 0, "trust root: %s", err->msg);
	if (o && o->digest_only) {
		uint8_t h[32];
		char spec[80];
		size_t i;
		vs_sha256(h, data, len);
		memcpy(spec, "sha256:", 7);
		for (i = 0; i < 32; i++)
			snprintf(spec + 7 + 2 * i, 3, "%02x", h[i]);
		cr_assert_eq(pyverify_artifact_from_digest(&a, spec, err), 0,
		             "%s", err->msg);
	} else {
		cr_assert_eq(pyverify_artifact_from_memory(&a, data, len, err),
		             0);
	}
	cr_assert_eq(pyverify_policy_new(&policy, err), 0);
	if (o && o->key_pem)
		cr_assert_eq(pyverify_policy_set_key_pem(policy, o->key_pem,
		                                         strlen(o->key_pem), err),
		             0, "%s", err->msg);
	else
		cr_assert_eq(pyverify_policy_add_identity(
		                 policy, o && o->identity ? o->identity : VR_ID,
		                 o ? o->identity_mode : PYVERIFY_MATCH_EXACT,
		                 o && o->issuer ? o->issuer : VR_ISS,
		                 PYVERIFY_MATCH_EXACT, err), 0, "%s", err->msg);
	pyverify_policy_set_now(policy,
	                        o && o->now ? o->now : VS_EPOCH + 3600);
	rc = pyverify_bundle_load_memory(&bundle, bt, strlen(bt), err);
	if (rc == 0)
		rc = pyverify_verify(root, bundle, &a, policy, res, err);
	pyverify_bundle_free(bundle);
	pyverify_policy_free(policy);
	pyverify_trust_root_free(root);
	free(rt);
	free(bt);
	return rc;
}

void
vr_expect_step(json_t *root_json, json_t *bundle_json, const struct vr_opts *o,
               pyverify_step step)
{
	pyverify_result res;
	pyverify_error err = { 0 };
	int rc = vr_run(root_json, bundle_json, o, &res, &err);

	cr_assert_neq(rc, 0, "accepted, expected rejection at %s",
	              pyverify_step_code(step));
	/* A rejection is a verdict on what was read: a usage, memory or
	 * internal error at the right step would pass unnoticed otherwise. */
	cr_assert(rc == PYVERIFY_EREJECT || rc == PYVERIFY_EPARSE,
	          "rejected with status %s (%s), expected a verification "
	          "rejection at [%s]", pyverify_status_name(rc), err.msg,
	          pyverify_step_code(step));
	cr_assert_eq(err.step, step, "rejected at [%s] (%s), expected [%s]",
	             pyverify_step_code(err.step), err.msg,
	             pyverify_step_code(step));
	cr_assert_neq(err.msg[0], '\0', "rejection without a message");
}

void
vr_expect_ok(json_t *root_json, json_t *bundle_json, const struct vr_opts *o,
             pyverify_result *res)
{
	pyverify_error err = { 0 };
	int rc = vr_run(root_json, bundle_json, o, res, &err);

	cr_assert_eq(rc, 0, "rejected at [%s]: %s",
	             pyverify_step_code(err.step), err.msg);
}

json_t *
vr_at(json_t *j, const char *path)
{
	char buf[256], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && j;
	     tok = strtok_r(NULL, ".", &save)) {
		if (tok[0] >= '0' && tok[0] <= '9')
			j = json_array_get(j, strtoul(tok, NULL, 10));
		else
			j = json_object_get(j, tok);
	}
	cr_assert_not_null(j, "no %s in the JSON", path);
	return j;
}

void
vr_flip_b64(json_t *j, const char *path, size_t pos)
{
	json_t *s = vr_at(j, path);
	char *v = strdup(json_string_value(s));

	cr_assert_not_null(v);
	cr_assert_lt(pos, strlen(v));
	v[pos] = v[pos] == 'A' ? 'B' : 'A';
	json_string_set(s, v);
	free(v);
}

const char *
vr_rfc3339(int64_t t, char *buf)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static void
free_rows(struct criterion_test_params *p)
{
	cr_free(p->params);
}

struct criterion_test_params
vr_rows(size_t n)
{
	size_t *idx = cr_malloc(n * sizeof(*idx)), i;

	cr_assert_not_null(idx);
	for (i = 0; i < n; i++)
		idx[i] = i;
	return cr_make_param_array(size_t, idx, n, free_rows);
}

void
vr_fx_init(struct vr_fx *f, const struct vs_leaf_opts *lo,
           const struct vs_sign_opts *so)
{
	f->vs = vs_new();
	cr_assert_not_null(f->vs);
	f->leaf = vs_leaf_new(f->vs, lo);
	cr_assert_not_null(f->leaf);
	f->root = vs_trust_root(f->vs);
	cr_assert_not_null(f->root);
	f->bundle = vs_sign(f->vs, f->leaf, so);
	cr_assert_not_null(f->bundle);
}

void
vr_fx_free(struct vr_fx *f)
{
	json_decref(f->bundle);
	json_decref(f->root);
	vs_leaf_free(f->leaf);
	vs_free(f->vs);
}
