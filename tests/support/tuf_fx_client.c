/* tuf_fx_client.c - a TUF client against a served test repository, and
 * comparisons of its metadata directory (see tuf_fx.h). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "http_fx.h"
#include "tuf_fx.h"

void
tfx_env_start(struct tfx_env *e, int64_t now)
{
	memset(e, 0, sizeof(*e));
	e->srv = hfx_start();
	e->repo = tfx_new(now);
	e->dir = tfx_tmpdir("tufmeta");
	e->tdir = tfx_tmpdir("tuftargets");
	e->cfg.metadata_dir = e->dir;
	e->cfg.metadata_url = hfx_url(e->srv);
	e->cfg.targets_dir = e->tdir;
	e->cfg.now = now;
	e->cfg.net.connect_timeout_ms = 2000;
	e->cfg.net.total_timeout_ms = 10000;
	e->cfg.net.retries = -1;
}

void
tfx_env_reopen(struct tfx_env *e)
{
	pv_tuf_free(e->c);
	e->c = NULL;
	cr_assert_eq(pv_tuf_open(&e->c, &e->cfg, e->why, sizeof(e->why)),
	             PV_TUF_OK, "open: %s", e->why);
}

void
tfx_env_init(struct tfx_env *e)
{
	const uint8_t *root;
	size_t len = 0;

	tfx_publish(e->repo, e->srv);
	root = tfx_root_bytes(e->repo, 1, &len);
	cr_assert_not_null(root);
	cr_assert_eq(pv_tuf_init_dir(e->dir, root, len, e->why,
	                             sizeof(e->why)), PV_TUF_OK, "init: %s",
	             e->why);
	tfx_env_reopen(e);
}

int
tfx_env_refresh(struct tfx_env *e)
{
	e->why[0] = '\0';
	return pv_tuf_refresh(e->c, e->why, sizeof(e->why));
}

void
tfx_env_stop(struct tfx_env *e)
{
	pv_tuf_free(e->c);
	hfx_stop(e->srv);
	tfx_free(e->repo);
	tfx_rmtree(e->dir);
	tfx_rmtree(e->tdir);
	free(e->dir);
	free(e->tdir);
	memset(e, 0, sizeof(*e));
}

void
tfx_save(struct tfx_saved *s, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	memset(s, 0, sizeof(*s));
	cr_assert_not_null(d, "cannot open %s", dir);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		cr_assert_lt(s->n, 16);
		s->name[s->n] = strdup(de->d_name);
		cr_assert_not_null(s->name[s->n]);
		s->data[s->n] = tfx_read(dir, de->d_name, &s->len[s->n]);
		s->n++;
	}
	closedir(d);
}

void
tfx_assert_file(const char *dir, const char *name, const uint8_t *want,
                size_t len)
{
	size_t n = 0;
	uint8_t *got = tfx_read(dir, name, &n);

	if (want == NULL) {
		cr_assert_null(got, "%s/%s should not exist", dir, name);
		return;
	}
	cr_assert_not_null(got, "%s/%s is missing", dir, name);
	cr_assert(n == len && memcmp(got, want, len) == 0,
	          "%s/%s does not hold the expected %zu bytes (%zu)", dir,
	          name, len, n);
	free(got);
}

void
tfx_assert_kept(const struct tfx_saved *s, const char *dir, const char *name)
{
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->name[i], name) == 0) {
			tfx_assert_file(dir, name, s->data[i], s->len[i]);
			return;
		}
	}
	tfx_assert_file(dir, name, NULL, 0);
}

void
tfx_saved_free(struct tfx_saved *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->name[i]);
		free(s->data[i]);
	}
	memset(s, 0, sizeof(*s));
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

int
tfx_mentions(const char *why, const char *word)
{
	size_t n = strlen(word);

	for (; *why != '\0'; why++) {
		size_t i = 0;

		while (i < n && why[i] != '\0' && lower(why[i]) == lower(word[i]))
			i++;
		if (i == n)
			return 1;
	}
	return 0;
}
