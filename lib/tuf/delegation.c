/*
 * tuf/delegation.c - which delegated role may sign a target (paths with
 * shell-style patterns, or path hash prefixes) and the preorder
 * depth-first search of the delegation tree (specification 5.6.7).
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tuf/tuf_impl.h"

int
tuf_path_match(const char *pattern, const char *path)
{
	/* The specification's patterns match one path segment per '*'
	 * (FNM_PATHNAME); a backslash is a plain character, as in Python's
	 * fnmatch which the reference client uses. */
	return fnmatch(pattern, path, FNM_PATHNAME | FNM_NOESCAPE) == 0;
}

int
tuf_role_matches(const struct tuf_role *r, const char *target)
{
	uint8_t d[32];
	char hex[65];

	for (size_t i = 0; i < r->npaths; i++)
		if (tuf_path_match(r->paths[i], target))
			return 1;
	if (r->nprefixes == 0 || pv_sha256(d, target, strlen(target)) != 0)
		return 0;
	pv_hex_encode(hex, d, sizeof(d));
	for (size_t i = 0; i < r->nprefixes; i++)
		if (strncmp(hex, r->prefixes[i], strlen(r->prefixes[i])) == 0)
			return 1;
	return 0;
}

int
tuf_succinct_bin(const struct tuf_md *md, const char *target, char *out,
                 size_t outlen)
{
	unsigned bits = md->succinct_bits;
	uint8_t d[32];
	uint32_t first, bin;
	int width, n;

	if (pv_sha256(d, target, strlen(target)) != 0)
		return -1;
	first = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 |
	        (uint32_t)d[2] << 8 | (uint32_t)d[3];
	bin = bits >= 32 ? first : first >> (32 - bits);
	/* Zero-padded to the hex width of the largest bin number, as TAP 15
	 * names them ("bin-0" .. "bin-3", "bin-00" .. "bin-ff"). */
	width = (int)((bits + 3) / 4);
	n = snprintf(out, outlen, "%s-%0*x", md->succinct.name, width,
	             (unsigned)bin);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

struct visit {
	const char *role;        /* borrowed from the metadata that names it */
	const struct tuf_md *parent;
	const struct tuf_role *delegation;
};

static int
seen(const char **visited, size_t n, const char *role)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(visited[i], role) == 0)
			return 1;
	return 0;
}

int
pv_tuf_target_info(pv_tuf_client *c, const char *name, pv_tuf_target *out,
                   char *why, size_t whylen)
{
	unsigned budget = c->cfg.max_delegations ? c->cfg.max_delegations
	                                         : PV_TUF_MAX_DELEGATIONS;
	struct visit *stack = NULL;
	const char **visited = NULL;
	char **bins = NULL;     /* succinct role names, owned */
	size_t nstack = 0, nvisited = 0, cap = 0, nbins = 0;
	int rc = PV_TUF_ENOTFOUND;

	memset(out, 0, sizeof(*out));
	if (!c->refreshed || c->targets == NULL) {
		TUF_WHY(why, whylen, "no trusted targets metadata: refresh "
		        "first");
		return PV_TUF_EUSAGE;
	}
	visited = calloc(budget + 1, sizeof(*visited));
	bins = calloc(budget + 1, sizeof(*bins));
	stack = malloc(sizeof(*stack) * 8);
	if (visited == NULL || bins == NULL || stack == NULL) {
		rc = PV_TUF_ENOMEM;
		goto out;
	}
	cap = 8;
	stack[nstack++] = (struct visit){ "targets", NULL, NULL };
	while (budget > 0 && nstack > 0) {
		struct visit v = stack[--nstack];
		const struct tuf_md *md;
		json_t *entry;
		size_t first, nchild = 0;

		if (seen(visited, nvisited, v.role))
			continue;
		if (v.parent == NULL) {
			md = c->targets;
		} else {
			rc = tuf_load_targets(c, v.role, v.parent, v.delegation,
			                      &md, why, whylen);
			if (rc != 0)
				goto out;
		}
		entry = json_object_get(md->targets, name);
		if (entry != NULL) {
			rc = tuf_target_from_json(out, name, entry, why,
			                          whylen);
			goto out;
		}
		visited[nvisited++] = v.role;
		budget--;
		first = nstack;
		if (md->has_succinct) {
			/* Exactly one bin can hold the target, and every bin
			 * is terminating (TAP 15). */
			char bin[300];

			if (tuf_succinct_bin(md, name, bin, sizeof(bin)) != 0 ||
			    (bins[nbins] = strdup(bin)) == NULL) {
				rc = PV_TUF_ENOMEM;
				goto out;
			}
			stack[0] = (struct visit){ bins[nbins++], md,
			                           &md->succinct };
			nstack = 1;
			continue;
		}
		for (size_t i = 0; i < md->ndele; i++) {
			const struct tuf_role *r = &md->dele[i];

			if (!tuf_role_matches(r, name))
				continue;
			if (nstack == cap) {
				struct visit *ns = realloc(stack,
				    sizeof(*stack) * cap * 2);

				if (ns == NULL) {
					rc = PV_TUF_ENOMEM;
					goto out;
				}
				stack = ns;
				cap *= 2;
			}
			stack[nstack++] = (struct visit){ r->name, md, r };
			nchild++;
			if (r->terminating) {
				/* Nothing after a terminating match, not even
				 * roles still waiting from higher up. */
				memmove(stack, stack + first,
				        nchild * sizeof(*stack));
				nstack = nchild;
				first = 0;
				break;
			}
		}
		/* Children go on the stack reversed so the first listed is
		 * visited first. */
		for (size_t i = 0; i < nchild / 2; i++) {
			struct visit t = stack[first + i];

			stack[first + i] = stack[first + nchild - 1 - i];
			stack[first + nchild - 1 - i] = t;
		}
		rc = PV_TUF_ENOTFOUND;
	}
	TUF_WHY(why, whylen, "no trusted targets metadata lists %s", name);
	rc = PV_TUF_ENOTFOUND;
out:
	if (rc != 0)
		pv_tuf_target_clear(out);
	free(stack);
	free(visited);
	for (size_t i = 0; i < nbins; i++)
		free(bins[i]);
	free(bins);
	return rc;
}
