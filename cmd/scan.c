/* scan.c - `pyverify scan DIR...` and `pyverify scan --manifest FILE`: the
 * release verdict for every CPython file of a mirror, in parallel. The
 * trusted root and policy are loaded once and shared read-only; results
 * are printed in input order (sorted tree walk, or manifest rows) as soon
 * as every earlier one is done, then one summary line. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/util.h"
#include "util/cursor.h"
#include "cli.h"
#include "release_cli.h"

/* Directory nesting followed below each DIR. Symbolic links to
 * directories are never followed, so there are no loops; the bound only
 * stops pathological trees. */
#define SCAN_MAX_DEPTH 64
/* Worker threads; more than this gains nothing on a verifier that spends
 * its time hashing files. */
#define SCAN_MAX_JOBS 256
/* One manifest line (a few hundred bytes in practice). */
#define SCAN_MAX_LINE (64u << 10)
/* Columns in one manifest line. */
#define SCAN_MAX_COLUMNS 64

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: pyverify scan [options] DIR...\n"
	    "       pyverify scan [options] --manifest FILE\n"
	    "\n"
	    "Verifies every CPython release file of a mirror, in parallel.\n"
	    "\n"
	    "DIR...           walked recursively in sorted order; each CPython "
	    "file\n"
	    "                 (Python-X.Y.Z.tgz, python-X.Y.Z-amd64.exe, ...) "
	    "is paired\n"
	    "                 with F.sigstore / F.sigstore.json / F.asc beside "
	    "it. Other\n"
	    "                 files are counted as skipped; symbolic links to "
	    "files are\n"
	    "                 checked, links to directories are not followed.\n"
	    "--manifest FILE  a tab-separated list with a header row; columns "
	    "found by\n"
	    "                 name: artifact (required), sha256 (hex, or "
	    "sha256:hex),\n"
	    "                 bundle (path relative to FILE's directory); other "
	    "columns\n"
	    "                 are ignored. Artifacts need not exist locally: "
	    "without a\n"
	    "                 sha256 cell the file beside the manifest is "
	    "hashed; without\n"
	    "                 a bundle cell F.sigstore / F.asc beside it are "
	    "looked for.\n"
	    "                 An artifact or bundle cell that is absolute or "
	    "leads out\n"
	    "                 of FILE's directory with '..' fails its row "
	    "(checked\n"
	    "                 lexically: symbolic links are not "
	    "resolved).\n"
	    "--allow-outside-paths\n"
	    "                 accept such cells (a manifest you wrote "
	    "yourself)\n"
	    "-j, --jobs N     verify N files at once (default: all cores)\n");
	rel_common_usage(f);
	fprintf(f,
	    "\n"
	    "Output: one line per artifact (see 'pyverify --help' for the "
	    "statuses), in\n"
	    "input order, then a summary with the count per status and the "
	    "time taken\n"
	    "(on stderr with --json, so stdout is pure JSON lines). On a "
	    "terminal a\n"
	    "progress line is shown on stderr (not with --json or -q).\n"
	    "\n"
	    "exit status: 0 every artifact verified; 1 some failed (or a "
	    "directory could\n"
	    "not be read); 3 none failed but some are legacy-pgp-only, missing "
	    "or\n"
	    "unknown-release, or no CPython file was found; 2 usage error.\n");
}

struct scan {
	struct rel_ctx ctx;
	struct rel_item *items;
	size_t n, cap;
	unsigned long skipped, unreadable;
	int oom;
	int allow_outside; /* --allow-outside-paths */
	/* Shared by the workers, under mu. */
	pthread_mutex_t mu;
	size_t next, next_print, completed;
	char **lines;
	unsigned char *done;
	struct rel_counts counts;
	int progress, progress_shown;
	struct timespec last_progress;
};

static double
seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static struct rel_item *
new_item(struct scan *s)
{
	struct rel_item *p;
	size_t cap;

	if (s->n == s->cap) {
		cap = s->cap ? s->cap * 2 : 256;
		if (cap > ((size_t)-1) / sizeof(*p))
			return NULL;
		p = realloc(s->items, cap * sizeof(*p));
		if (p == NULL)
			return NULL;
		s->items = p;
		s->cap = cap;
	}
	p = &s->items[s->n++];
	memset(p, 0, sizeof(*p));
	return p;
}

static char *
path_join(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *p = malloc(a + b + 2);

	if (p == NULL)
		return NULL;
	memcpy(p, dir, a);
	if (a > 0 && dir[a - 1] != '/')
		p[a++] = '/';
	memcpy(p + a, name, b + 1);
	return p;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

/* Signatures, certificates and SBOMs belong to an artifact (SPEC 6.1);
 * they are found through it, never judged on their own. */
static int
is_material(const char *name)
{
	static const char *const sfx[] = { ".sigstore", ".sigstore.json",
		                           ".asc", ".sig", ".crt",
		                           ".spdx.json" };
	size_t i;

	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++)
		if (ends_with(name, sfx[i]))
			return 1;
	return 0;
}

/* ---- tree walk -------------------------------------------------------------- */

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(struct scan *s, const char *dir, int depth);

/* One directory entry: recurse, take it as an artifact, or skip it. */
/* "pyverify scan: <before><path><after>\n" on stderr, the path (a name
 * from the scanned tree) cleaned of terminal controls. */
static void
walk_error(const char *before, const char *path, const char *after)
{
	cli_line(stderr, "pyverify scan: %s%s%s", before, path, after);
}

/* ": <strerror(errno)>" for walk_error. */
static const char *
errno_tail(char *buf, size_t len)
{
	snprintf(buf, len, ": %s", strerror(errno));
	return buf;
}

static int
visit(struct scan *s, const char *path, const char *name, int depth)
{
	struct rel_item *it;
	struct stat st;

	if (lstat(path, &st) != 0) {
		char tail[256];
		walk_error("cannot stat ", path, errno_tail(tail, sizeof(tail)));
		s->unreadable++;
		return 0;
	}
	if (S_ISDIR(st.st_mode))
		return walk(s, path, depth + 1);
	if (S_ISLNK(st.st_mode) &&
	    (stat(path, &st) != 0 || !S_ISREG(st.st_mode))) {
		s->skipped++; /* dangling, or a link to a directory */
		return 0;
	}
	if (S_ISREG(st.st_mode) && is_material(name))
		return 0; /* found through its artifact */
	if (!S_ISREG(st.st_mode) || !rel_is_cpython_name(name)) {
		s->skipped++;
		return 0;
	}
	it = new_item(s);
	if (it == NULL || (it->artifact = strdup(path)) == NULL ||
	    (it->file = strdup(path)) == NULL ||
	    rel_find_material(it, path) != 0)
		return -1;
	return 0;
}

static int
walk(struct scan *s, const char *dir, int depth)
{
	DIR *d = NULL;
	struct dirent *e;
	char **names = NULL, **grown, *path;
	size_t n = 0, cap = 0, i;
	int rc = -1;

	if (depth > SCAN_MAX_DEPTH) {
		char tail[96];
		snprintf(tail, sizeof(tail), " is nested deeper than %d "
		         "directories; not scanned", SCAN_MAX_DEPTH);
		walk_error("", dir, tail);
		s->unreadable++;
		return 0;
	}
	d = opendir(dir);
	if (d == NULL) {
		char tail[256];
		walk_error("cannot read directory ", dir,
		           errno_tail(tail, sizeof(tail)));
		s->unreadable++;
		return 0;
	}
	/* Sorted, so the output order does not depend on the file system. */
	while ((errno = 0, e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			grown = realloc(names, cap * sizeof(*names));
			if (grown == NULL)
				goto done;
			names = grown;
		}
		if ((names[n] = strdup(e->d_name)) == NULL)
			goto done;
		n++;
	}
	if (errno != 0) {
		char tail[256];
		walk_error("cannot read directory ", dir,
		           errno_tail(tail, sizeof(tail)));
		s->unreadable++;
	}
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		path = path_join(dir, names[i]);
		if (path == NULL || visit(s, path, names[i], depth) != 0) {
			free(path);
			goto done;
		}
		free(path);
	}
	rc = 0;
done:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

/* ---- manifest --------------------------------------------------------------- */

/* Splits line (len bytes, NUL-terminated) at tabs in place; returns the
 * number of cells, max + 1 when there are more. */
static size_t
split_tabs(char *line, size_t len, char **cells, size_t max)
{
	struct pv_cur c;
	const uint8_t *cell;
	size_t n = 0, clen;

	pv_cur_init(&c, line, len);
	for (;;) {
		if (n == max)
			return max + 1;
		/* The rest of the line, until a tab ends it. */
		cells[n++] = line + (len - c.left);
		if (pv_cur_until(&c, '\t', &cell, &clen) != 0)
			return n;
		cells[n - 1][clen] = '\0';
	}
}

static void
chomp(char *line, size_t *len)
{
	while (*len > 0 && (line[*len - 1] == '\n' || line[*len - 1] == '\r'))
		line[--*len] = '\0';
}

/* Reads one line (without its '\n') into buf, which holds SCAN_MAX_LINE + 1
 * bytes. Never reads more than SCAN_MAX_LINE + 1 bytes of a line, so a
 * file without newlines (a binary, /dev/zero, a stalled pipe) costs a
 * bounded buffer and ends the scan. Returns 1 (a line, *len bytes), 0 (end
 * of file, nothing read), -1 (too long or a NUL byte), -2 (read error). */
static int
read_line(FILE *f, char *buf, size_t *len)
{
	size_t n = 0;
	int c;

	while ((c = getc(f)) != EOF && c != '\n') {
		if (c == '\0' || n == SCAN_MAX_LINE)
			return -1;
		buf[n++] = (char)c;
	}
	if (c == EOF && ferror(f))
		return -2;
	buf[n] = '\0';
	*len = n;
	return c == EOF && n == 0 ? 0 : 1;
}

/* dir/rel, or rel itself when it is absolute or dir is "". */
static char *
relative_to(const char *dir, const char *rel)
{
	if (rel[0] == '/' || dir[0] == '\0')
		return strdup(rel);
	return path_join(dir, rel);
}

/* 1 if the manifest cell rel names something inside the manifest's
 * directory: not absolute, and no ".." climbs above where it started.
 * Lexical only: a symbolic link inside the directory is not resolved, so
 * it may still lead elsewhere (README "Mirrors"). */
static int
stays_inside(const char *rel)
{
	const char *p = rel;
	unsigned long depth = 0;
	size_t n;

	if (rel[0] == '/')
		return 0;
	while (*p != '\0') {
		n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (depth == 0)
				return 0;
			depth--;
		} else if (n > 0 && !(n == 1 && p[0] == '.')) {
			depth++;
		}
		p += n;
		p += *p == '/';
	}
	return 1;
}

/* Marks the row failed because a path cell leaves the manifest's
 * directory: a manifest from a mirror must not make pyverify read (or
 * report on) files elsewhere. Nothing is looked up for the row. Returns
 * 0, -1 (ENOMEM). */
static int
outside_row(struct rel_item *it, unsigned long lineno, const char *column,
            const char *cell)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "manifest line %lu: the %s cell '%.256s%s' "
	         "is outside the manifest's directory (an absolute path, or "
	         "'..' leads out); 'pyverify scan --allow-outside-paths' "
	         "accepts it", lineno, column, cell,
	         strlen(cell) > 256 ? "..." : "");
	it->input_error = strdup(msg);
	return it->input_error != NULL ? 0 : -1;
}

/* One manifest row into an item. Returns 0, -1 (ENOMEM). */
static int
manifest_row(struct scan *s, const char *dir, unsigned long lineno,
             const char *artifact, const char *sha, const char *bundle)
{
	struct rel_item *it = new_item(s);
	char digest[80], msg[160];
	pyverify_error err;
	char *base;

	if (it == NULL || (it->artifact = strdup(artifact)) == NULL)
		return -1;
	if (!s->allow_outside && !stays_inside(artifact))
		return outside_row(it, lineno, "artifact", artifact);
	if (!s->allow_outside && bundle != NULL && bundle[0] != '\0' &&
	    !stays_inside(bundle))
		return outside_row(it, lineno, "bundle", bundle);
	base = relative_to(dir, artifact);
	if (base == NULL)
		return -1;
	if (bundle != NULL && bundle[0] != '\0' &&
	    (it->bundle_path = relative_to(dir, bundle)) == NULL)
		goto nomem;
	/* The .asc (and, without a bundle cell, the bundle) beside it. */
	if (rel_find_material(it, base) != 0)
		goto nomem;
	if (sha != NULL && sha[0] != '\0') {
		snprintf(digest, sizeof(digest), "%s%.72s",
		         strncmp(sha, "sha256:", 7) == 0 ? "" : "sha256:", sha);
		if (strlen(sha) > 71 ||
		    pyverify_artifact_from_digest(&it->digest, digest,
		                                  &err) != 0) {
			snprintf(msg, sizeof(msg), "manifest line %lu: the "
			         "sha256 cell is not 64 hexadecimal digits",
			         lineno);
			if ((it->input_error = strdup(msg)) == NULL)
				goto nomem;
		} else {
			it->has_digest = 1;
		}
	} else if (access(base, F_OK) == 0) {
		it->file = base; /* no digest given: hash the local copy */
		base = NULL;
	}
	free(base);
	return 0;
nomem:
	free(base);
	return -1;
}

/* Reads the manifest into items. Returns 0, -1 (message printed; usage
 * error), -2 (ENOMEM). */
static int
read_manifest(struct scan *s, const char *path)
{
	char *line = NULL, *cells[SCAN_MAX_COLUMNS + 1], *dir = NULL, *slash;
	size_t len, n, i;
	long col_art = -1, col_sha = -1, col_bundle = -1;
	unsigned long lineno = 0;
	int rc = -1, header = 1, got, fd;
	char why[PYVERIFY_ERROR_MSG_SIZE];
	FILE *f;

	/* A FIFO or device is refused, never waited on. */
	if (pv_file_open(&fd, NULL, path, 0, "manifest", why, sizeof(why)) !=
	    0) {
		cli_line(stderr, "pyverify scan: %s", why);
		return -1;
	}
	f = fdopen(fd, "r");
	if (f == NULL) {
		close(fd);
		return -2;
	}
	if ((dir = strdup(path)) == NULL ||
	    (line = malloc(SCAN_MAX_LINE + 1)) == NULL) {
		rc = -2;
		goto done;
	}
	slash = strrchr(dir, '/');
	if (slash == NULL)
		dir[0] = '\0';
	else
		slash[slash == dir ? 1 : 0] = '\0'; /* "/m.tsv" -> "/" */
	for (;;) {
		got = read_line(f, line, &len);
		if (got == 0)
			break;
		lineno++;
		if (got == -2) {
			cli_line(stderr, "pyverify scan: cannot read %s", path);
			goto done;
		}
		if (got == -1) {
			cli_line(stderr, "pyverify scan: %s line %lu is longer "
			                 "than %u bytes or holds a NUL byte",
			         path, lineno, SCAN_MAX_LINE);
			goto done;
		}
		chomp(line, &len);
		/* A UTF-8 byte order mark (spreadsheet exports) is not part
		 * of the first column's name. */
		if (lineno == 1 && len >= 3 &&
		    memcmp(line, "\xef\xbb\xbf", 3) == 0) {
			len -= 3;
			memmove(line, line + 3, len + 1);
		}
		if (len == 0 || line[0] == '#')
			continue;
		n = split_tabs(line, len, cells, SCAN_MAX_COLUMNS);
		if (n > SCAN_MAX_COLUMNS) {
			cli_line(stderr, "pyverify scan: %s line %lu has more "
			                 "than %d columns", path, lineno,
			         SCAN_MAX_COLUMNS);
			goto done;
		}
		if (header) {
			/* Columns are found by name, so mirrors may add
			 * their own (size, url, ...). */
			for (i = 0; i < n; i++) {
				long *col = strcmp(cells[i], "artifact") == 0
				                ? &col_art
				            : strcmp(cells[i], "sha256") == 0
				                ? &col_sha
				            : strcmp(cells[i], "bundle") == 0
				                ? &col_bundle
				                : NULL;
				if (col == NULL)
					continue;
				if (*col >= 0) {
					cli_line(stderr, "pyverify scan: %s: "
					         "column '%s' appears twice in the "
					         "header", path, cells[i]);
					goto done;
				}
				*col = (long)i;
			}
			if (col_art < 0) {
				cli_line(stderr, "pyverify scan: %s: the header "
				         "row has no 'artifact' column (columns "
				         "are separated by tabs)", path);
				goto done;
			}
			header = 0;
			continue;
		}
		if ((size_t)col_art >= n || cells[col_art][0] == '\0') {
			cli_line(stderr, "pyverify scan: %s line %lu has no "
			                 "artifact", path, lineno);
			goto done;
		}
		if (manifest_row(s, dir, lineno, cells[col_art],
		                 col_sha >= 0 && (size_t)col_sha < n
		                     ? cells[col_sha] : NULL,
		                 col_bundle >= 0 && (size_t)col_bundle < n
		                     ? cells[col_bundle] : NULL) != 0) {
			rc = -2;
			goto done;
		}
	}
	if (header) {
		cli_line(stderr, "pyverify scan: %s is empty (no header row)",
		         path);
		goto done;
	}
	rc = 0;
done:
	free(line);
	free(dir);
	fclose(f);
	return rc;
}

/* ---- parallel verification -------------------------------------------------- */

static void
clear_progress(struct scan *s)
{
	if (s->progress_shown) {
		fputs("\r\033[K", stderr);
		s->progress_shown = 0;
	}
}

/* Under mu: prints every finished line whose predecessors are printed. */
static void
flush_ready(struct scan *s)
{
	int printed = 0;

	while (s->next_print < s->n && s->done[s->next_print]) {
		char *line = s->lines[s->next_print];
		if (line != NULL) {
			if (!printed)
				clear_progress(s);
			printed = 1;
			fputs(line, stdout);
			free(line);
			s->lines[s->next_print] = NULL;
		}
		s->next_print++;
	}
	if (printed)
		fflush(stdout);
	if (s->progress &&
	    (s->completed == s->n || seconds_since(&s->last_progress) > 0.2)) {
		clock_gettime(CLOCK_MONOTONIC, &s->last_progress);
		fprintf(stderr, "\r\033[Kscan: %zu/%zu checked", s->completed,
		        s->n);
		s->progress_shown = 1;
	}
}

static void *
worker(void *arg)
{
	struct scan *s = arg;
	pyverify_release_verdict *v = malloc(sizeof(*v));
	size_t i;
	char *line;
	int oom;

	for (;;) {
		pthread_mutex_lock(&s->mu);
		i = s->next < s->n ? s->next++ : s->n;
		pthread_mutex_unlock(&s->mu);
		if (i == s->n)
			break;
		line = NULL;
		oom = v == NULL;
		if (v != NULL) {
			rel_evaluate(v, &s->ctx, &s->items[i]);
			line = rel_format(v, &s->ctx.o, &oom);
		}
		pthread_mutex_lock(&s->mu);
		/* A verdict whose line was lost counts once, as a failure:
		 * never a pass, and never both its status and failed. */
		rel_count_outcome(&s->counts, v, oom);
		if (oom)
			s->oom = 1;
		s->lines[i] = line;
		s->done[i] = 1;
		s->completed++;
		flush_ready(s);
		pthread_mutex_unlock(&s->mu);
	}
	free(v);
	return NULL;
}

static long
online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n;
}

static void
run_parallel(struct scan *s, unsigned jobs)
{
	pthread_t *t = calloc(jobs, sizeof(*t));
	unsigned started = 0, i;

	for (i = 0; t != NULL && i < jobs; i++) {
		if (pthread_create(&t[i], NULL, worker, s) != 0)
			break;
		started++;
	}
	/* No thread at all (ENOMEM, limits): do the work here. */
	if (started == 0)
		worker(s);
	for (i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	free(t);
}

static void
summary(struct scan *s, FILE *f, double secs, unsigned jobs)
{
	fprintf(f, "scan: %lu artifact%s in %.2f s (%u job%s): %lu verified, "
	           "%lu failed, %lu legacy-pgp-only, %lu missing, %lu "
	           "unknown-release",
	        s->counts.total, s->counts.total == 1 ? "" : "s", secs, jobs,
	        jobs == 1 ? "" : "s", s->counts.n[PYVERIFY_RELEASE_VERIFIED],
	        s->counts.n[PYVERIFY_RELEASE_FAILED],
	        s->counts.n[PYVERIFY_RELEASE_LEGACY_PGP_ONLY],
	        s->counts.n[PYVERIFY_RELEASE_MISSING],
	        s->counts.n[PYVERIFY_RELEASE_UNKNOWN_RELEASE]);
	if (s->skipped > 0)
		fprintf(f, "; %lu other file%s skipped", s->skipped,
		        s->skipped == 1 ? "" : "s");
	if (s->unreadable > 0)
		fprintf(f, "; %lu path%s could not be read", s->unreadable,
		        s->unreadable == 1 ? "" : "s");
	fputc('\n', f);
}

static const struct option long_opts[] = {
	{ "manifest", required_argument, NULL, 'm' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "allow-outside-paths", no_argument, NULL, 'O' },
	REL_COMMON_LONG_OPTS,
	{ NULL, 0, NULL, 0 },
};

static int
parse_jobs(const char *arg, unsigned *out)
{
	uint64_t v;

	if (pv_parse_u64(&v, arg, strlen(arg)) != 0 || v < 1 ||
	    v > SCAN_MAX_JOBS)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int
cmd_scan(int argc, char **argv)
{
	struct rel_opts o = { 0 };
	struct scan s;
	struct timespec t0;
	const char *manifest = NULL;
	unsigned jobs = 0;
	size_t k;
	int c, i, rc, exit_code = REL_EXIT_USAGE, have_ctx = 0, have_mu = 0;
	int need_root = 0;
	double secs;

	memset(&s, 0, sizeof(s));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "qhj:", long_opts, NULL)) != -1) {
		if (rel_common_option(&o, c, optarg))
			continue;
		switch (c) {
		case 'm': manifest = optarg; break;
		case 'O': s.allow_outside = 1; break;
		case 'j':
			if (parse_jobs(optarg, &jobs) != 0) {
				cli_line(stderr, "pyverify scan: -j wants a "
				         "number from 1 to %d, not '%s'",
				         SCAN_MAX_JOBS, optarg);
				return REL_EXIT_USAGE;
			}
			break;
		case 'h': usage(stdout); return 0;
		default:
			cli_line(stderr, "pyverify scan: unknown or incomplete "
			                 "option '%s'", argv[optind - 1]);
			fprintf(stderr, "'pyverify scan --help' lists the "
			                "options.\n");
			return REL_EXIT_USAGE;
		}
	}
	if ((manifest == NULL) == (optind >= argc)) {
		fprintf(stderr, "pyverify scan: give %s\n",
		        manifest == NULL ? "a DIR or --manifest FILE"
		                         : "either DIRs or --manifest, not both");
		return REL_EXIT_USAGE;
	}
	if (rel_check_opts(&o, "pyverify scan") != 0)
		return REL_EXIT_USAGE;
	for (i = optind; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0 || !S_ISDIR(st.st_mode)) {
			cli_line(stderr, "pyverify scan: %s is not a directory "
			                 "(for files use 'pyverify FILE...')",
			         argv[i]);
			return REL_EXIT_USAGE;
		}
	}
	if (rel_ctx_init(&s.ctx, &o) != 0)
		return REL_EXIT_USAGE;
	have_ctx = 1;

	if (manifest != NULL) {
		rc = read_manifest(&s, manifest);
		if (rc == -2)
			goto nomem;
		if (rc != 0)
			goto done;
	} else {
		for (i = optind; i < argc; i++)
			if (walk(&s, argv[i], 0) != 0)
				goto nomem;
	}
	for (k = 0; k < s.n; k++)
		need_root |= s.items[k].bundle_path != NULL &&
		             rel_is_cpython_name(s.items[k].artifact);
	/* Loaded once, before any output, then shared read-only. */
	if (need_root && rel_need_root(&s.ctx) != 0)
		goto done;

	if (jobs == 0)
		jobs = (unsigned)(online_cpus() > SCAN_MAX_JOBS ? SCAN_MAX_JOBS
		                                                : online_cpus());
	if (s.n > 0 && jobs > s.n)
		jobs = (unsigned)s.n;
	s.lines = calloc(s.n ? s.n : 1, sizeof(*s.lines));
	s.done = calloc(s.n ? s.n : 1, 1);
	if (s.lines == NULL || s.done == NULL)
		goto nomem;
	if (pthread_mutex_init(&s.mu, NULL) != 0)
		goto nomem;
	have_mu = 1;
	s.progress = !o.json && !o.quiet && isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &s.last_progress);
	if (s.n > 0)
		run_parallel(&s, jobs);
	clear_progress(&s);
	if (s.oom)
		fprintf(stderr, "pyverify scan: out of memory: some verdicts "
		                "could not be printed (counted as failed)\n");

	exit_code = rel_exit_status(&s.counts, o.allow_legacy);
	if (s.unreadable > 0 && exit_code != REL_EXIT_FAILED)
		exit_code = REL_EXIT_FAILED; /* unchecked files may hide there */
	secs = seconds_since(&t0);
	if (s.n == 0)
		fprintf(stderr, "pyverify scan: no CPython release file found\n");
	if (!o.quiet || exit_code != REL_EXIT_VERIFIED)
		summary(&s, o.json ? stderr : stdout, secs, jobs);
	/* The workers flush after each line, so an earlier write error is
	 * only in the error flag: a lost report is never a clean exit. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "pyverify scan: cannot write the results\n");
		exit_code = REL_EXIT_FAILED;
	}
	goto done;
nomem:
	fprintf(stderr, "pyverify scan: out of memory\n");
	exit_code = REL_EXIT_FAILED;
done:
	for (k = 0; k < s.n; k++) {
		rel_item_clear(&s.items[k]);
		if (s.lines != NULL)
			free(s.lines[k]);
	}
	free(s.items);
	free(s.lines);
	free(s.done);
	if (have_mu)
		pthread_mutex_destroy(&s.mu);
	if (have_ctx)
		rel_ctx_free(&s.ctx);
	return exit_code;
}
