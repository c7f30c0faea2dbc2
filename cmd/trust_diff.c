/* trust_diff.c - what changed between two trusted roots, in the terms a
 * release engineer audits: which logs, CT logs, CAs and timestamp
 * authorities came or went, and whose validity window changed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util/util.h"

static const struct {
	pyverify_trust_kind kind;
	const char *name;
} kinds[] = {
	{ PYVERIFY_TRUST_TLOG, "transparency log" },
	{ PYVERIFY_TRUST_CTLOG, "CT log" },
	{ PYVERIFY_TRUST_CA, "certificate authority" },
	{ PYVERIFY_TRUST_TSA, "timestamp authority" },
};

/* Logs are known by their log ID; CAs and TSAs by their chain's subject,
 * anchor and start of validity (a re-issued CA keeps its subject). */
static int
same_entry(const pyverify_trust_entry *a, const pyverify_trust_entry *b)
{
	if (a->kind == PYVERIFY_TRUST_TLOG || a->kind == PYVERIFY_TRUST_CTLOG)
		return strcmp(a->log_id_hex, b->log_id_hex) == 0;
	return strcmp(a->subject, b->subject) == 0 &&
	       strcmp(a->anchor, b->anchor) == 0 &&
	       a->has_start == b->has_start && a->start_ms == b->start_ms;
}

static void
window(char *out, size_t outlen, const pyverify_trust_entry *e)
{
	char a[32], b[32];

	if (e->has_start)
		pv_format_rfc3339(a, pv_ms_to_seconds(e->start_ms));
	else
		snprintf(a, sizeof(a), "%s", PV_WINDOW_NO_START);
	if (e->has_end)
		pv_format_rfc3339(b, pv_ms_to_seconds(e->end_ms));
	else
		snprintf(b, sizeof(b), "%s", PV_WINDOW_NO_END);
	snprintf(out, outlen, "%s to %s", a, b);
}

static void
print_entry(FILE *f, char sign, const char *kind,
            const pyverify_trust_entry *e)
{
	char w[80];

	window(w, sizeof(w), e);
	if (e->kind == PYVERIFY_TRUST_TLOG || e->kind == PYVERIFY_TRUST_CTLOG)
		cli_line(f, "  %c %s %s (log ID %.16s..., valid %s)", sign, kind,
		         e->url != NULL ? e->url : "(no URL)", e->log_id_hex, w);
	else
		cli_line(f, "  %c %s %s (%s, valid %s)", sign, kind,
		         e->url != NULL ? e->url : "(no URI)",
		         e->subject[0] != '\0' ? e->subject : "subject unknown",
		         w);
}

/* Entry i of (root, kind), or NULL; e is scratch. */
static pyverify_trust_entry *
entry(pyverify_trust_entry *e, const pyverify_trust_root *root,
      pyverify_trust_kind kind, size_t i)
{
	pyverify_error err;

	return pyverify_trust_root_entry(e, root, kind, i, &err) == 0 ? e
	                                                              : NULL;
}

static size_t
one_side(FILE *f, const pyverify_trust_root *a, const pyverify_trust_root *b,
         size_t k, char sign, int report_changes)
{
	pyverify_trust_entry *x = malloc(sizeof(*x)), *y = malloc(sizeof(*y));
	size_t i, j, na, nb, changes = 0;
	char wa[80], wb[80];

	if (x == NULL || y == NULL) {
		free(x);
		free(y);
		fprintf(stderr, "pyverify: out of memory\n");
		return 0;
	}
	na = pyverify_trust_root_count(a, kinds[k].kind);
	nb = pyverify_trust_root_count(b, kinds[k].kind);
	for (i = 0; i < na; i++) {
		int found = 0;
		if (entry(x, a, kinds[k].kind, i) == NULL)
			continue;
		for (j = 0; j < nb && !found; j++) {
			if (entry(y, b, kinds[k].kind, j) == NULL ||
			    !same_entry(x, y))
				continue;
			found = 1;
			window(wa, sizeof(wa), y);
			window(wb, sizeof(wb), x);
			if (report_changes && strcmp(wa, wb) != 0) {
				cli_line(f, "  ~ %s %s: valid %s (was %s)",
				         kinds[k].name,
				         x->url != NULL ? x->url : "", wb, wa);
				changes++;
			}
		}
		if (!found) {
			print_entry(f, sign, kinds[k].name, x);
			changes++;
		}
	}
	free(x);
	free(y);
	return changes;
}

size_t
trust_print_diff(FILE *f, const pyverify_trust_root *old_root,
                 const pyverify_trust_root *new_root)
{
	size_t k, n = 0;

	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		n += one_side(f, old_root, new_root, k, '-', 0);
		n += one_side(f, new_root, old_root, k, '+', 1);
	}
	return n;
}

void
trust_print_summary(FILE *f, const pyverify_trust_root *root)
{
	fprintf(f, "%zu transparency log%s, %zu CT log%s, %zu certificate "
	           "authorit%s, %zu timestamp authorit%s",
	        pyverify_trust_root_count(root, PYVERIFY_TRUST_TLOG),
	        pyverify_trust_root_count(root, PYVERIFY_TRUST_TLOG) == 1 ? "" : "s",
	        pyverify_trust_root_count(root, PYVERIFY_TRUST_CTLOG),
	        pyverify_trust_root_count(root, PYVERIFY_TRUST_CTLOG) == 1 ? "" : "s",
	        pyverify_trust_root_count(root, PYVERIFY_TRUST_CA),
	        pyverify_trust_root_count(root, PYVERIFY_TRUST_CA) == 1 ? "y" : "ies",
	        pyverify_trust_root_count(root, PYVERIFY_TRUST_TSA),
	        pyverify_trust_root_count(root, PYVERIFY_TRUST_TSA) == 1 ? "y" : "ies");
}
