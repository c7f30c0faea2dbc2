/*
 * tuf/client.c - the client workflow (specification 5.3 to 5.6): which
 * file is read or downloaded, in which order, and what is persisted.
 * The checks themselves are in trusted_set.c. A role's bytes are written
 * to the metadata directory only after they verified, exactly as they
 * were received.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tuf/tuf_impl.h"

#define URL_MAX 4096

int
tuf_local_path(char *out, size_t outlen, const char *dir, const char *name,
               const char *suffix)
{
	char esc[1024];
	int n;

	if (pv_net_escape_segment(esc, sizeof(esc), name) != 0)
		return -1;
	n = snprintf(out, outlen, "%s/%s%s", dir, esc, suffix);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int
tuf_net_code(int net_rc)
{
	switch (net_rc) {
	case PV_NET_OK:
		return PV_TUF_OK;
	case PV_NET_ETOOBIG:
		/* Endless data is an attack (arbitrary length), not an
		 * outage. */
		return PV_TUF_EREJECT;
	case PV_NET_EURL:
		return PV_TUF_EUSAGE;
	case PV_NET_ENOMEM:
		return PV_TUF_ENOMEM;
	default:
		return PV_TUF_ENET;
	}
}

/* Downloads [<version>.]<role>.json (version 0: unversioned). Returns a
 * PV_NET_ code so callers can tell "no such file". */
static int
fetch_meta(pv_tuf_client *c, const char *role, uint64_t version, size_t max,
           uint8_t **out, size_t *len, char *why, size_t whylen)
{
	char esc[1024], name[1100], url[URL_MAX];

	if (pv_net_escape_segment(esc, sizeof(esc), role) != 0)
		goto toolong;
	if (version != 0)
		snprintf(name, sizeof(name), "%llu.%s.json",
		         (unsigned long long)version, esc);
	else
		snprintf(name, sizeof(name), "%s.json", esc);
	if (pv_net_join(url, sizeof(url), c->metadata_url, name) != 0)
		goto toolong;
	return pv_net_get(&c->cfg.net, url, max, out, len, why, whylen);
toolong:
	TUF_WHY(why, whylen, "the URL of role %.100s metadata is too long",
	        role);
	return PV_NET_EURL;
}

/* The download limit for a role file: the length the signed listing names
 * when there is one, but never above the role's cap (the local read uses
 * the same cap), so a listing cannot lift the endless-data defence. */
static size_t
meta_limit(uint64_t listed, size_t cap)
{
	return listed != 0 && listed < cap ? (size_t)listed : cap;
}

/* The local copy of a role, or -1 (absent or unreadable: then it is
 * simply not used). */
static int
read_local(pv_tuf_client *c, const char *role, size_t max, uint8_t **out,
           size_t *len)
{
	char path[4096], why[256];

	if (tuf_local_path(path, sizeof(path), c->metadata_dir, role,
	                   ".json") != 0)
		return -1;
	return pv_file_read(out, len, path, 0, max, "TUF metadata", why,
	                    sizeof(why)) == 0 ? 0 : -1;
}

static int
persist(pv_tuf_client *c, const char *role, const uint8_t *raw, size_t len,
        char *why, size_t whylen)
{
	char path[4096];

	if (tuf_local_path(path, sizeof(path), c->metadata_dir, role,
	                   ".json") != 0 ||
	    pv_file_write_atomic(path, raw, len, 0644) != 0) {
		TUF_WHY(why, whylen, "cannot store verified %s metadata in "
		        "%s: %s", role, c->metadata_dir, strerror(errno));
		return PV_TUF_EIO;
	}
	return 0;
}

static void
remove_local(pv_tuf_client *c, const char *role)
{
	char path[4096];

	if (tuf_local_path(path, sizeof(path), c->metadata_dir, role,
	                   ".json") == 0)
		(void)unlink(path);
}

static char *
dup_opt(const char *s, int *fail)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = strdup(s);
	if (d == NULL)
		*fail = 1;
	return d;
}

int
pv_tuf_init_dir(const char *metadata_dir, const uint8_t *root, size_t len,
                char *why, size_t whylen)
{
	char path[4096];
	int n;

	if (metadata_dir == NULL || root == NULL) {
		TUF_WHY(why, whylen, "no metadata directory or root given");
		return PV_TUF_EUSAGE;
	}
	n = snprintf(path, sizeof(path), "%s/root.json", metadata_dir);
	if (n < 0 || (size_t)n >= sizeof(path) ||
	    pv_mkdir_p(metadata_dir, 0755) != 0 ||
	    pv_file_write_atomic(path, root, len, 0644) != 0) {
		TUF_WHY(why, whylen, "cannot write %s: %s", path,
		        strerror(errno));
		return PV_TUF_EIO;
	}
	return 0;
}

int
pv_tuf_open(pv_tuf_client **out, const pv_tuf_config *cfg, char *why,
            size_t whylen)
{
	pv_tuf_client *c;
	uint8_t *raw = NULL;
	size_t len = 0;
	char path[4096];
	int fail = 0, rc;

	*out = NULL;
	if (cfg == NULL || cfg->metadata_dir == NULL ||
	    (cfg->metadata_url == NULL && !cfg->offline)) {
		TUF_WHY(why, whylen, "the TUF client needs a metadata "
		        "directory and, online, a metadata URL");
		return PV_TUF_EUSAGE;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return PV_TUF_ENOMEM;
	c->cfg = *cfg;
	c->metadata_dir = dup_opt(cfg->metadata_dir, &fail);
	c->metadata_url = dup_opt(cfg->metadata_url, &fail);
	c->targets_url = dup_opt(cfg->targets_url, &fail);
	c->targets_dir = dup_opt(cfg->targets_dir, &fail);
	c->ca_bundle = dup_opt(cfg->net.ca_bundle, &fail);
	c->user_agent = dup_opt(cfg->net.user_agent, &fail);
	c->cfg.net.ca_bundle = c->ca_bundle;
	c->cfg.net.user_agent = c->user_agent;
	c->cfg.metadata_dir = c->metadata_dir;
	c->cfg.metadata_url = c->metadata_url;
	c->cfg.targets_url = c->targets_url;
	c->cfg.targets_dir = c->targets_dir;
	if (!c->targets_url && c->metadata_url) {
		char t[URL_MAX];

		if (pv_net_join(t, sizeof(t), c->metadata_url, "targets") == 0)
			c->targets_url = dup_opt(t, &fail);
		c->cfg.targets_url = c->targets_url;
	}
	if (fail) {
		pv_tuf_free(c);
		return PV_TUF_ENOMEM;
	}
	if (pv_mkdir_p(c->metadata_dir, 0755) != 0) {
		TUF_WHY(why, whylen, "cannot create the metadata directory "
		        "%s: %s", c->metadata_dir, strerror(errno));
		pv_tuf_free(c);
		return PV_TUF_EIO;
	}
	snprintf(path, sizeof(path), "%s/root.json", c->metadata_dir);
	rc = pv_file_read(&raw, &len, path, 0, PV_MAX_TUF_ROOT_BYTES,
	                  "trusted TUF root", why, whylen);
	if (rc == 0)
		rc = tuf_md_parse(&c->root, TUF_ROOT, path, raw, len, why,
		                  whylen);
	if (rc == 0)
		rc = tuf_md_verify(c->root, &c->root->keys,
		                   &c->root->roles[TUF_ROOT], path, "itself",
		                   why, whylen);
	free(raw);
	if (rc != 0) {
		pv_tuf_free(c);
		return rc == PV_TUF_ENOMEM ? rc : PV_TUF_EUSAGE;
	}
	*out = c;
	return 0;
}

/* The canonical form of root's entry for role, to tell key rotations. */
static char *
role_form(const struct tuf_md *root, const char *role)
{
	json_t *r = json_object_get(json_object_get(json_object_get(
	    root->doc, "signed"), "roles"), role);
	char *s = NULL;
	size_t n;

	return pv_tuf_cjson(r, &s, &n) == 0 ? s : NULL;
}

/* 5.3: root rotation, one version at a time, then the freeze check. */
static int
load_root(pv_tuf_client *c, char *why, size_t whylen)
{
	unsigned max = c->cfg.max_root_rotations ? c->cfg.max_root_rotations
	                                         : PV_TUF_MAX_ROOT_ROTATIONS;
	char *ts0 = role_form(c->root, "timestamp");
	char *sn0 = role_form(c->root, "snapshot");
	char *ts1 = NULL, *sn1 = NULL;
	int rc = 0;

	if (ts0 == NULL || sn0 == NULL) {
		rc = PV_TUF_ENOMEM;
		goto out;
	}
	for (unsigned i = 0; i < max; i++) {
		uint8_t *raw = NULL;
		size_t len = 0;

		rc = fetch_meta(c, "root", c->root->version + 1,
		                PV_MAX_TUF_ROOT_BYTES, &raw, &len, why, whylen);
		if (rc == PV_NET_ENOTFOUND) {
			rc = 0;
			break;
		}
		if (rc != 0) {
			rc = tuf_net_code(rc);
			goto out;
		}
		rc = tuf_update_root(c, raw, len, why, whylen);
		if (rc == 0)
			rc = persist(c, "root", raw, len, why, whylen);
		free(raw);
		if (rc != 0)
			goto out;
	}
	if (tuf_expired(c, c->root)) {
		char t[32];

		pv_format_rfc3339(t, c->root->expires);
		TUF_WHY(why, whylen, "root.json version %llu expired at %s "
		        "and the repository offers no newer root (freeze "
		        "attack or an unmaintained repository)",
		        (unsigned long long)c->root->version, t);
		rc = PV_TUF_EREJECT;
		goto out;
	}
	/* 5.3.11: after a rotation of timestamp or snapshot keys the old
	 * versions must not block recovery from a fast-forward attack. */
	ts1 = role_form(c->root, "timestamp");
	sn1 = role_form(c->root, "snapshot");
	if (ts1 == NULL || sn1 == NULL) {
		rc = PV_TUF_ENOMEM;
		goto out;
	}
	if (strcmp(ts0, ts1) != 0 || strcmp(sn0, sn1) != 0) {
		remove_local(c, "timestamp");
		remove_local(c, "snapshot");
	}
out:
	free(ts0);
	free(sn0);
	free(ts1);
	free(sn1);
	return rc;
}

/* 5.4: the local timestamp (verified, kept for rollback checks even when
 * expired), then the repository's. */
static int
load_timestamp(pv_tuf_client *c, char *why, size_t whylen)
{
	uint8_t *raw = NULL;
	size_t len = 0;
	char lwhy[256] = "it is missing";
	int rc;

	if (read_local(c, "timestamp", PV_MAX_TUF_TIMESTAMP_BYTES, &raw,
	               &len) == 0) {
		rc = tuf_update_timestamp(c, raw, len, lwhy, sizeof(lwhy));
		free(raw);
		raw = NULL;
		if (rc == PV_TUF_ENOMEM)
			return rc;
	}
	if (c->cfg.offline) {
		if (c->timestamp == NULL) {
			TUF_WHY(why, whylen, "offline: no usable timestamp.json "
			        "in %s (%s; refresh once with network)",
			        c->metadata_dir, lwhy);
			return PV_TUF_EIO;
		}
		return 0;
	}
	rc = fetch_meta(c, "timestamp", 0, PV_MAX_TUF_TIMESTAMP_BYTES, &raw,
	                &len, why, whylen);
	if (rc != 0)
		return tuf_net_code(rc);
	rc = tuf_update_timestamp(c, raw, len, why, whylen);
	if (rc == TUF_EQUAL_VERSION)
		rc = tuf_check_final_timestamp(c, why, whylen);
	else if (rc == 0)
		rc = persist(c, "timestamp", raw, len, why, whylen);
	free(raw);
	return rc;
}

/* 5.5: the local snapshot when it is the one the timestamp lists, else
 * the repository's, checked against the local one for rollback. */
static int
load_snapshot(pv_tuf_client *c, char *why, size_t whylen)
{
	const struct tuf_meta_file *m = &c->timestamp->meta[0];
	uint8_t *raw = NULL;
	size_t len = 0;
	int rc = PV_TUF_EIO;

	if (read_local(c, "snapshot", PV_MAX_TUF_SNAPSHOT_BYTES, &raw,
	               &len) == 0) {
		rc = tuf_update_snapshot(c, raw, len, 1, why, whylen);
		free(raw);
		raw = NULL;
		if (rc == 0 || rc == PV_TUF_ENOMEM)
			return rc;
	}
	if (c->cfg.offline) {
		if (rc == PV_TUF_EIO)
			TUF_WHY(why, whylen, "offline: no snapshot.json in %s "
			        "(refresh once with network)",
			        c->metadata_dir);
		return rc;
	}
	rc = fetch_meta(c, "snapshot",
	                c->root->consistent_snapshot ? m->version : 0,
	                meta_limit(m->length, PV_MAX_TUF_SNAPSHOT_BYTES),
	                &raw, &len, why, whylen);
	if (rc != 0)
		return tuf_net_code(rc);
	rc = tuf_update_snapshot(c, raw, len, 0, why, whylen);
	if (rc == 0)
		rc = persist(c, "snapshot", raw, len, why, whylen);
	free(raw);
	return rc;
}

int
tuf_load_targets(pv_tuf_client *c, const char *role,
                 const struct tuf_md *parent,
                 const struct tuf_role *delegation,
                 const struct tuf_md **out, char *why, size_t whylen)
{
	const struct tuf_meta_file *m;
	uint8_t *raw = NULL;
	size_t len = 0;
	char file[1100];
	int rc = PV_TUF_EIO;

	if ((*out = tuf_trusted_targets(c, role)) != NULL)
		return 0;
	if (read_local(c, role, PV_MAX_TUF_TARGETS_BYTES, &raw, &len) == 0) {
		rc = tuf_update_targets(c, role, parent, delegation, raw, len,
		                        why, whylen);
		free(raw);
		raw = NULL;
		if (rc == 0)
			*out = tuf_trusted_targets(c, role);
		if (rc == 0 || rc == PV_TUF_ENOMEM)
			return rc;
	}
	if (c->cfg.offline) {
		if (rc == PV_TUF_EIO)
			TUF_WHY(why, whylen, "offline: no %.200s metadata in "
			        "%s", role, c->metadata_dir);
		return rc;
	}
	snprintf(file, sizeof(file), "%.1000s.json", role);
	m = tuf_md_meta(c->snapshot, file);
	if (m == NULL) {
		TUF_WHY(why, whylen, "role %.200s is delegated but "
		        "snapshot.json does not list it", role);
		return PV_TUF_EREJECT;
	}
	rc = fetch_meta(c, role, c->root->consistent_snapshot ? m->version : 0,
	                meta_limit(m->length, PV_MAX_TUF_TARGETS_BYTES),
	                &raw, &len, why, whylen);
	if (rc != 0)
		return tuf_net_code(rc);
	rc = tuf_update_targets(c, role, parent, delegation, raw, len, why,
	                        whylen);
	if (rc == 0)
		rc = persist(c, role, raw, len, why, whylen);
	free(raw);
	if (rc == 0)
		*out = tuf_trusted_targets(c, role);
	return rc;
}

static void
forget_session(pv_tuf_client *c)
{
	tuf_md_free(c->timestamp);
	tuf_md_free(c->snapshot);
	tuf_md_free(c->targets);
	c->timestamp = c->snapshot = c->targets = NULL;
	for (size_t i = 0; i < c->ndele; i++) {
		free(c->dele[i].name);
		tuf_md_free(c->dele[i].md);
	}
	c->ndele = 0;
	c->refreshed = 0;
}

int
pv_tuf_refresh(pv_tuf_client *c, char *why, size_t whylen)
{
	const struct tuf_md *t;
	int rc;

	forget_session(c);
	c->now = c->cfg.now ? c->cfg.now : (int64_t)time(NULL);
	if (!c->cfg.offline)
		PV_TRY(load_root(c, why, whylen));
	rc = load_timestamp(c, why, whylen);
	if (rc == 0 && c->cfg.offline)
		rc = tuf_check_final_timestamp(c, why, whylen);
	if (rc == 0)
		rc = load_snapshot(c, why, whylen);
	if (rc == 0)
		rc = tuf_load_targets(c, "targets", NULL, NULL, &t, why,
		                      whylen);
	if (rc != 0) {
		forget_session(c);
		return rc;
	}
	c->refreshed = 1;
	return 0;
}

static void
role_state(pv_tuf_role_state *s, const struct tuf_md *m)
{
	memset(s, 0, sizeof(*s));
	if (m == NULL)
		return;
	s->present = 1;
	s->version = m->version;
	s->expires = m->expires;
}

void
pv_tuf_get_state(const pv_tuf_client *c, pv_tuf_state *out)
{
	memset(out, 0, sizeof(*out));
	if (c == NULL)
		return;
	role_state(&out->root, c->root);
	role_state(&out->timestamp, c->timestamp);
	role_state(&out->snapshot, c->snapshot);
	role_state(&out->targets, c->targets);
	out->consistent_snapshot = c->root ? c->root->consistent_snapshot : 0;
}

void
pv_tuf_free(pv_tuf_client *c)
{
	if (c == NULL)
		return;
	forget_session(c);
	free(c->dele);
	tuf_md_free(c->root);
	free(c->metadata_dir);
	free(c->metadata_url);
	free(c->targets_url);
	free(c->targets_dir);
	free(c->ca_bundle);
	free(c->user_agent);
	free(c);
}
