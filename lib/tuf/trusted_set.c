/*
 * tuf/trusted_set.c - the checks of the client workflow that decide
 * whether new metadata joins the trusted set (specification 5.3 to 5.6):
 * signatures by the delegating role, exact versions, rollback and freeze.
 * Whether the bytes came from the repository or the local directory, they
 * are verified the same way before they are used for anything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tuf/tuf_impl.h"

int
tuf_expired(const pv_tuf_client *c, const struct tuf_md *md)
{
	return !c->cfg.offline && md->expires <= c->now;
}

static int
expired_error(const struct tuf_md *md, const char *file, char *why,
              size_t whylen)
{
	char t[32];

	pv_format_rfc3339(t, md->expires);
	TUF_WHY(why, whylen, "%s version %llu expired at %s (freeze attack "
	        "or a repository that is not maintained)", file,
	        (unsigned long long)md->version, t);
	return PV_TUF_EREJECT;
}

int
tuf_update_root(pv_tuf_client *c, const uint8_t *raw, size_t len, char *why,
                size_t whylen)
{
	uint64_t want = c->root->version + 1;
	struct tuf_md *m;
	char file[48], signer[64];

	snprintf(file, sizeof(file), "%llu.root.json",
	         (unsigned long long)want);
	PV_TRY(tuf_md_parse(&m, TUF_ROOT, file, raw, len, why, whylen));
	snprintf(signer, sizeof(signer), "trusted root version %llu",
	         (unsigned long long)c->root->version);
	/* 5.3.4: a threshold of the trusted root's keys, then of its own. */
	int rc = tuf_md_verify(m, &c->root->keys, &c->root->roles[TUF_ROOT],
	                       file, signer, why, whylen);
	if (rc == 0) {
		snprintf(signer, sizeof(signer), "new root version %llu",
		         (unsigned long long)m->version);
		rc = tuf_md_verify(m, &m->keys, &m->roles[TUF_ROOT], file,
		                   signer, why, whylen);
	}
	if (rc == 0 && m->version != want) {
		TUF_WHY(why, whylen, "%s holds version %llu, not %llu (a root "
		        "must advance one version at a time)", file,
		        (unsigned long long)m->version,
		        (unsigned long long)want);
		rc = PV_TUF_EREJECT;
	}
	if (rc != 0) {
		tuf_md_free(m);
		return rc;
	}
	tuf_md_free(c->root);
	c->root = m;
	return 0;
}

int
tuf_update_timestamp(pv_tuf_client *c, const uint8_t *raw, size_t len,
                     char *why, size_t whylen)
{
	struct tuf_md *m;
	const struct tuf_md *old = c->timestamp;
	int rc;

	PV_TRY(tuf_md_parse(&m, TUF_TIMESTAMP, "timestamp.json", raw, len, why,
	                    whylen));
	rc = tuf_md_verify(m, &c->root->keys, &c->root->roles[TUF_TIMESTAMP],
	                   "timestamp.json", "the trusted root", why, whylen);
	if (rc == 0 && old != NULL) {
		uint64_t sv = old->meta[0].version, nsv = m->meta[0].version;

		if (m->version < old->version) {
			TUF_WHY(why, whylen, "timestamp.json version %llu is "
			        "older than the trusted version %llu (rollback)",
			        (unsigned long long)m->version,
			        (unsigned long long)old->version);
			rc = PV_TUF_EREJECT;
		} else if (m->version == old->version) {
			rc = TUF_EQUAL_VERSION;
		} else if (nsv < sv) {
			TUF_WHY(why, whylen, "timestamp.json version %llu lists "
			        "snapshot version %llu, older than the trusted "
			        "%llu (rollback)",
			        (unsigned long long)m->version,
			        (unsigned long long)nsv,
			        (unsigned long long)sv);
			rc = PV_TUF_EREJECT;
		}
	}
	if (rc != 0) {
		tuf_md_free(m);
		return rc;
	}
	tuf_md_free(c->timestamp);
	c->timestamp = m;
	return tuf_check_final_timestamp(c, why, whylen);
}

int
tuf_check_final_timestamp(const pv_tuf_client *c, char *why, size_t whylen)
{
	if (c->timestamp == NULL) {
		TUF_WHY(why, whylen, "no trusted timestamp.json");
		return PV_TUF_EREJECT;
	}
	if (tuf_expired(c, c->timestamp))
		return expired_error(c->timestamp, "timestamp.json", why,
		                     whylen);
	return 0;
}

int
tuf_update_snapshot(pv_tuf_client *c, const uint8_t *raw, size_t len,
                    int local, char *why, size_t whylen)
{
	const struct tuf_meta_file *want;
	struct tuf_md *m;
	int rc;

	PV_TRY(tuf_check_final_timestamp(c, why, whylen));
	want = &c->timestamp->meta[0];
	/* A local copy was checked against its timestamp when it was
	 * stored; its version is checked below like any other. */
	if (!local)
		PV_TRY(tuf_check_hashes(&want->hashes, want->length, raw, len,
		                        "snapshot.json", why, whylen));
	PV_TRY(tuf_md_parse(&m, TUF_SNAPSHOT, "snapshot.json", raw, len, why,
	                    whylen));
	rc = tuf_md_verify(m, &c->root->keys, &c->root->roles[TUF_SNAPSHOT],
	                   "snapshot.json", "the trusted root", why, whylen);
	for (size_t i = 0; rc == 0 && c->snapshot && i < c->snapshot->nmeta;
	     i++) {
		const struct tuf_meta_file *o = &c->snapshot->meta[i];
		const struct tuf_meta_file *n = tuf_md_meta(m, o->name);

		if (n == NULL) {
			TUF_WHY(why, whylen, "snapshot.json version %llu no "
			        "longer lists %s (rollback)",
			        (unsigned long long)m->version, o->name);
			rc = PV_TUF_EREJECT;
		} else if (n->version < o->version) {
			TUF_WHY(why, whylen, "snapshot.json version %llu lists "
			        "%s version %llu, older than the trusted %llu "
			        "(rollback)", (unsigned long long)m->version,
			        o->name, (unsigned long long)n->version,
			        (unsigned long long)o->version);
			rc = PV_TUF_EREJECT;
		}
	}
	if (rc != 0) {
		tuf_md_free(m);
		return rc;
	}
	tuf_md_free(c->snapshot);
	c->snapshot = m;
	return tuf_check_final_snapshot(c, why, whylen);
}

int
tuf_check_final_snapshot(const pv_tuf_client *c, char *why, size_t whylen)
{
	uint64_t want;

	if (c->snapshot == NULL || c->timestamp == NULL) {
		TUF_WHY(why, whylen, "no trusted snapshot.json");
		return PV_TUF_EREJECT;
	}
	if (tuf_expired(c, c->snapshot))
		return expired_error(c->snapshot, "snapshot.json", why, whylen);
	want = c->timestamp->meta[0].version;
	if (c->snapshot->version != want) {
		TUF_WHY(why, whylen, "snapshot.json is version %llu, but "
		        "timestamp.json lists version %llu (mix-and-match)",
		        (unsigned long long)c->snapshot->version,
		        (unsigned long long)want);
		return PV_TUF_EREJECT;
	}
	return 0;
}

const struct tuf_md *
tuf_trusted_targets(const pv_tuf_client *c, const char *role)
{
	if (strcmp(role, "targets") == 0)
		return c->targets;
	for (size_t i = 0; i < c->ndele; i++)
		if (strcmp(c->dele[i].name, role) == 0)
			return c->dele[i].md;
	return NULL;
}

static int
keep_delegated(pv_tuf_client *c, const char *role, struct tuf_md *m)
{
	if (c->ndele == c->capdele) {
		size_t cap = c->capdele ? c->capdele * 2 : 8;
		struct tuf_delegated *n = realloc(c->dele, cap * sizeof(*n));

		if (n == NULL)
			return PV_TUF_ENOMEM;
		c->dele = n;
		c->capdele = cap;
	}
	c->dele[c->ndele].name = strdup(role);
	if (c->dele[c->ndele].name == NULL)
		return PV_TUF_ENOMEM;
	c->dele[c->ndele++].md = m;
	return 0;
}

int
tuf_update_targets(pv_tuf_client *c, const char *role,
                   const struct tuf_md *parent,
                   const struct tuf_role *delegation, const uint8_t *raw,
                   size_t len, char *why, size_t whylen)
{
	const struct tuf_meta_file *want;
	const struct tuf_keys *keys;
	char file[300], signer[300];
	struct tuf_md *m;
	int rc;

	PV_TRY(tuf_check_final_snapshot(c, why, whylen));
	snprintf(file, sizeof(file), "%.250s.json", role);
	want = tuf_md_meta(c->snapshot, file);
	if (want == NULL) {
		TUF_WHY(why, whylen, "snapshot.json does not list %s", file);
		return PV_TUF_EREJECT;
	}
	PV_TRY(tuf_check_hashes(&want->hashes, want->length, raw, len, file,
	                        why, whylen));
	PV_TRY(tuf_md_parse(&m, TUF_TARGETS, file, raw, len, why, whylen));
	if (parent == NULL) {
		keys = &c->root->keys;
		delegation = &c->root->roles[TUF_TARGETS];
		snprintf(signer, sizeof(signer), "the trusted root");
	} else {
		keys = &parent->keys;
		snprintf(signer, sizeof(signer), "its delegating role");
	}
	rc = tuf_md_verify(m, keys, delegation, file, signer, why, whylen);
	if (rc == 0 && m->version != want->version) {
		TUF_WHY(why, whylen, "%s is version %llu, but snapshot.json "
		        "lists version %llu (mix-and-match)", file,
		        (unsigned long long)m->version,
		        (unsigned long long)want->version);
		rc = PV_TUF_EREJECT;
	}
	if (rc == 0 && tuf_expired(c, m))
		rc = expired_error(m, file, why, whylen);
	if (rc == 0 && parent == NULL) {
		c->targets = m;
		return 0;
	}
	if (rc == 0)
		rc = keep_delegated(c, role, m);
	if (rc != 0)
		tuf_md_free(m);
	return rc;
}
