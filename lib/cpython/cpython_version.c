/*
 * cpython_version.c - CPython release versions and the python.org artifact
 * file names that carry them (SPEC 6.1).
 *
 * Names are matched against a closed list of forms; anything else is "not a
 * CPython artifact". Sources for the forms: SPEC 6.1, the file descriptions
 * in python/release-tools add_to_pydotorg.py (source tarballs, Windows
 * installers and embeddable zips, windows-X.Y.Z.json, macOS .pkg, Android
 * and iOS archives), the release-tools FTP listing used by its tests
 * (-amd64.zip, -embeddable-*, -test-*, free-threaded "t" zips), the
 * cpython-release-tracker snapshot (python3100.chm, 3.10.0post2-macos11.pkg)
 * and the MANIFEST.tsv / NO-SIGSTORE.tsv test data (Python-2.7.tgz = 2.7.0).
 */
#include <stdio.h>
#include <string.h>

#include "cpython/cpython.h"

/* Longest file name a POSIX file system stores (NAME_MAX); a longer "name"
 * cannot be a python.org file. */
#define PV_CPYTHON_NAME_MAX 255

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Reads a decimal number at s[*pos] (no leading zero unless it is "0",
 * value <= PV_CPYTHON_MAX_COMPONENT). Advances *pos only on success. */
static int
scan_num(const char *s, size_t len, size_t *pos, unsigned *out)
{
	size_t i = *pos;
	unsigned v = 0;

	if (i >= len || !is_digit(s[i]))
		return -1;
	if (s[i] == '0' && i + 1 < len && is_digit(s[i + 1]))
		return -1;
	while (i < len && is_digit(s[i])) {
		v = v * 10 + (unsigned)(s[i] - '0');
		if (v > PV_CPYTHON_MAX_COMPONENT)
			return -1;
		i++;
	}
	*pos = i;
	*out = v;
	return 0;
}

/* An optional "aN", "bN" or "rcN" at s[*pos]; N >= 1 (no release is a0).
 * Without a marker followed by a digit nothing is consumed and pre = 0. */
static int
scan_pre(const char *s, size_t len, size_t *pos, char *pre, unsigned *num)
{
	size_t i = *pos;
	char kind = 0;

	if (i + 1 < len && (s[i] == 'a' || s[i] == 'b') && is_digit(s[i + 1])) {
		kind = s[i];
		i += 1;
	} else if (i + 2 < len && s[i] == 'r' && s[i + 1] == 'c' &&
	           is_digit(s[i + 2])) {
		kind = 'c';
		i += 2;
	}
	if (kind == 0) {
		*pre = 0;
		*num = 0;
		return 0;
	}
	if (scan_num(s, len, &i, num) != 0 || *num == 0)
		return -1;
	*pre = kind;
	*pos = i;
	return 0;
}

/* "X.Y.Z[pre]", or "X.Y[pre]" (micro 0) when allow_two. *two says which.
 * Advances *pos only on success. */
static int
scan_version(const char *s, size_t len, size_t *pos, int allow_two,
             struct pv_cpython_version *out, int *two)
{
	struct pv_cpython_version v = { 0 };
	size_t i = *pos;

	if (scan_num(s, len, &i, &v.major) != 0 || i >= len || s[i] != '.')
		return -1;
	i++;
	if (scan_num(s, len, &i, &v.minor) != 0)
		return -1;
	*two = 0;
	if (i + 1 < len && s[i] == '.' && is_digit(s[i + 1])) {
		i++;
		if (scan_num(s, len, &i, &v.micro) != 0)
			return -1;
	} else if (allow_two) {
		*two = 1;
	} else {
		return -1;
	}
	if (scan_pre(s, len, &i, &v.pre, &v.pre_num) != 0)
		return -1;
	*pos = i;
	*out = v;
	return 0;
}

int
pv_cpython_version_parse(struct pv_cpython_version *out, const char *s,
                         size_t len)
{
	struct pv_cpython_version v;
	size_t pos = 0;
	int two;

	if (out == NULL || s == NULL)
		return -1;
	if (scan_version(s, len, &pos, 0, &v, &two) != 0 || pos != len)
		return -1;
	*out = v;
	return 0;
}

int
pv_cpython_version_parse_str(struct pv_cpython_version *out, const char *s)
{
	if (s == NULL)
		return -1;
	return pv_cpython_version_parse(out, s, strlen(s));
}

static int
pre_rank(const struct pv_cpython_version *v)
{
	switch (v->pre) {
	case 'a': return 1;
	case 'b': return 2;
	case 'c': return 3;
	default: return 4; /* the final release sorts after its rcs */
	}
}

static int
cmp_u(unsigned a, unsigned b)
{
	return (a > b) - (a < b);
}

int
pv_cpython_version_cmp(const struct pv_cpython_version *a,
                       const struct pv_cpython_version *b)
{
	int c;

	if ((c = cmp_u(a->major, b->major)) != 0 ||
	    (c = cmp_u(a->minor, b->minor)) != 0 ||
	    (c = cmp_u(a->micro, b->micro)) != 0)
		return c;
	if ((c = pre_rank(a) - pre_rank(b)) != 0)
		return c < 0 ? -1 : 1;
	return cmp_u(a->pre_num, b->pre_num);
}

void
pv_cpython_version_format(char out[PV_CPYTHON_VERSION_TEXT_MAX],
                          const struct pv_cpython_version *v)
{
	const char *pre = v->pre == 'a' ? "a" : v->pre == 'b' ? "b" :
	                  v->pre == 'c' ? "rc" : "";

	if (pre[0] == '\0')
		snprintf(out, PV_CPYTHON_VERSION_TEXT_MAX, "%u.%u.%u", v->major,
		         v->minor, v->micro);
	else
		snprintf(out, PV_CPYTHON_VERSION_TEXT_MAX, "%u.%u.%u%s%u",
		         v->major, v->minor, v->micro, pre, v->pre_num);
}

const char *
pv_cpython_basename(const char *path)
{
	const char *slash;

	if (path == NULL)
		return NULL;
	slash = strrchr(path, '/');
	return slash != NULL ? slash + 1 : path;
}

/* ---- artifact names ----------------------------------------------------- */

/* What may follow "python-X.Y.Z[pre]" (or "Python-" for source tarballs,
 * the only form published with a capital P). */
static const struct suffix {
	const char *text;
	enum pv_cpython_kind kind;
} suffixes[] = {
	{ ".tgz", PV_CPYTHON_SOURCE },
	{ ".tar.xz", PV_CPYTHON_SOURCE },
	{ ".tar.bz2", PV_CPYTHON_SOURCE },
	/* Windows installers: 32-bit has no architecture; the web installers
	 * were published for 3.5 to 3.10; .msi before 3.5. */
	{ ".exe", PV_CPYTHON_WINDOWS },
	{ "-amd64.exe", PV_CPYTHON_WINDOWS },
	{ "-arm64.exe", PV_CPYTHON_WINDOWS },
	{ "-webinstall.exe", PV_CPYTHON_WINDOWS },
	{ "-amd64-webinstall.exe", PV_CPYTHON_WINDOWS },
	{ ".msi", PV_CPYTHON_WINDOWS },
	{ ".amd64.msi", PV_CPYTHON_WINDOWS },
	{ "-embed-amd64.zip", PV_CPYTHON_WINDOWS },
	{ "-embed-arm64.zip", PV_CPYTHON_WINDOWS },
	{ "-embed-win32.zip", PV_CPYTHON_WINDOWS },
	/* Install-manager packages (3.14+): full, embeddable, test suite and
	 * free-threaded ("t") builds. */
	{ "-amd64.zip", PV_CPYTHON_WINDOWS },
	{ "-arm64.zip", PV_CPYTHON_WINDOWS },
	{ "-win32.zip", PV_CPYTHON_WINDOWS },
	{ "-embeddable-amd64.zip", PV_CPYTHON_WINDOWS },
	{ "-embeddable-arm64.zip", PV_CPYTHON_WINDOWS },
	{ "-embeddable-win32.zip", PV_CPYTHON_WINDOWS },
	{ "-test-amd64.zip", PV_CPYTHON_WINDOWS },
	{ "-test-arm64.zip", PV_CPYTHON_WINDOWS },
	{ "-test-win32.zip", PV_CPYTHON_WINDOWS },
	{ "t-amd64.zip", PV_CPYTHON_WINDOWS },
	{ "t-arm64.zip", PV_CPYTHON_WINDOWS },
	{ "t-win32.zip", PV_CPYTHON_WINDOWS },
	{ "-aarch64-linux-android.tar.gz", PV_CPYTHON_ANDROID },
	{ "-x86_64-linux-android.tar.gz", PV_CPYTHON_ANDROID },
	{ "-iOS-XCframework.tar.gz", PV_CPYTHON_IOS },
	{ "-docs-html.tar.bz2", PV_CPYTHON_DOCS },
	{ "-docs-html.zip", PV_CPYTHON_DOCS },
	{ "-docs-pdf-a4.tar.bz2", PV_CPYTHON_DOCS },
	{ "-docs-pdf-a4.zip", PV_CPYTHON_DOCS },
	{ "-docs-pdf-letter.tar.bz2", PV_CPYTHON_DOCS },
	{ "-docs-pdf-letter.zip", PV_CPYTHON_DOCS },
	{ "-docs-text.tar.bz2", PV_CPYTHON_DOCS },
	{ "-docs-text.zip", PV_CPYTHON_DOCS },
	{ "-docs-texinfo.tar.bz2", PV_CPYTHON_DOCS },
	{ "-docs-texinfo.zip", PV_CPYTHON_DOCS },
	{ "-docs.epub", PV_CPYTHON_DOCS },
};

static int
rest_is(const char *s, size_t len, size_t pos, const char *text)
{
	size_t n = strlen(text);

	return len - pos == n && memcmp(s + pos, text, n) == 0;
}

/* macOS installers: "-macosx10.N.pkg" (and ".dmg", used up to 2.7/3.2),
 * "-macosNN.pkg" and "-macosNN.N.pkg" (3.9.1 shipped "-macos11.0.pkg"). */
static int
is_macos_suffix(const char *s, size_t len, size_t pos)
{
	unsigned major, minor;
	size_t i = pos;

	if (len - i > 8 && memcmp(s + i, "-macosx1", 8) == 0) {
		i += 7; /* at "10" */
		if (scan_num(s, len, &i, &major) != 0 || major != 10 ||
		    i >= len || s[i] != '.')
			return 0;
		i++;
		if (scan_num(s, len, &i, &minor) != 0)
			return 0;
		return rest_is(s, len, i, ".pkg") || rest_is(s, len, i, ".dmg");
	}
	if (len - i > 6 && memcmp(s + i, "-macos", 6) == 0) {
		i += 6;
		if (scan_num(s, len, &i, &major) != 0 || major < 11)
			return 0;
		if (i + 1 < len && s[i] == '.' && is_digit(s[i + 1])) {
			i++;
			if (scan_num(s, len, &i, &minor) != 0)
				return 0;
		}
		return rest_is(s, len, i, ".pkg");
	}
	return 0;
}

/* SPEC 6.1 / python.org: the X.Y.0 releases of 2.x and 3.0-3.2 were named
 * without the micro ("Python-2.7.tgz", "python-3.2.msi"); from 3.3 on every
 * name has three components, so "Python-3.14.tgz" is not an artifact. */
static int
two_components_allowed(const struct pv_cpython_version *v)
{
	return v->major < 3 || (v->major == 3 && v->minor <= 2);
}

/* "pythonXYZ.chm", the Windows help file (up to 3.10): the version digits
 * are run together. The first digit is the major version; the rest splits
 * into minor and micro, neither with a leading zero. Where two splits are
 * possible ("3714": 3.7.14 or 3.71.4) a one-digit minor is chosen when it is
 * 7 or more (2.7 and 3.7-3.9 reached two-digit micro releases with Windows
 * builds) and a two-digit minor otherwise ("3124" = 3.12.4). So
 * python3101.chm = 3.10.1, python31011.chm = 3.10.11, python3714.chm =
 * 3.7.14, python2718.chm = 2.7.18, python390.chm = 3.9.0. (3.4.10-3.6.15
 * were source-only releases, so "python3410.chm" never existed.) */
static int
parse_chm(struct pv_cpython_version *out, const char *s, size_t len)
{
	struct pv_cpython_version v = { 0 }, a = { 0 }, b = { 0 };
	size_t pos = 6, start = 6, n, k;
	int a_ok, b_ok;
	const char *d;

	while (pos < len && is_digit(s[pos]))
		pos++;
	n = pos - start; /* major + minor + micro digits */
	if (n < 3 || n > 5 || s[start] == '0')
		return -1;
	d = s + start;
	if (scan_pre(s, len, &pos, &v.pre, &v.pre_num) != 0 ||
	    !rest_is(s, len, pos, ".chm"))
		return -1;
	v.major = (unsigned)(d[0] - '0');
	/* Split A: one-digit minor d[1], micro d[2..n). */
	a = v;
	a.minor = (unsigned)(d[1] - '0');
	k = 2;
	a_ok = !(d[k] == '0' && n - k > 1);
	for (a.micro = 0; k < n; k++)
		a.micro = a.micro * 10 + (unsigned)(d[k] - '0');
	/* Split B: two-digit minor d[1..3), micro d[3..n). */
	b = v;
	b_ok = n >= 4 && d[1] != '0' && !(d[3] == '0' && n - 3 > 1);
	if (b_ok) {
		b.minor = (unsigned)(d[1] - '0') * 10 + (unsigned)(d[2] - '0');
		for (b.micro = 0, k = 3; k < n; k++)
			b.micro = b.micro * 10 + (unsigned)(d[k] - '0');
	}
	if (a_ok && (!b_ok || d[1] >= '7'))
		*out = a;
	else if (b_ok)
		*out = b;
	else
		return -1;
	return 0;
}

int
pv_cpython_classify_artifact(struct pv_cpython_version *out,
                             enum pv_cpython_kind *kind, const char *name)
{
	struct pv_cpython_version v;
	enum pv_cpython_kind k = 0;
	size_t len, pos, i;
	int two, capital, post = 0;
	unsigned post_num;

	if (out == NULL || name == NULL)
		return -1;
	len = strlen(name);
	if (len == 0 || len > PV_CPYTHON_NAME_MAX || strchr(name, '/') != NULL)
		return -1;

	/* The Windows release manifest (3.14+), SPEC 6.1. */
	if (len > 8 && memcmp(name, "windows-", 8) == 0) {
		pos = 8;
		if (scan_version(name, len, &pos, 0, &v, &two) != 0 ||
		    !rest_is(name, len, pos, ".json"))
			return -1;
		k = PV_CPYTHON_WINDOWS_MANIFEST;
		goto found;
	}
	if (len > 6 && memcmp(name, "python", 6) == 0 && is_digit(name[6])) {
		if (parse_chm(&v, name, len) != 0)
			return -1;
		k = PV_CPYTHON_WINDOWS_HELP;
		goto found;
	}
	if (len <= 7 || (memcmp(name, "python-", 7) != 0 &&
	                 memcmp(name, "Python-", 7) != 0))
		return -1;
	capital = name[0] == 'P';
	pos = 7;
	if (scan_version(name, len, &pos, 1, &v, &two) != 0)
		return -1;
	if (two && !two_components_allowed(&v))
		return -1;
	/* A rebuilt macOS installer: "python-3.10.0post2-macos11.pkg". */
	if (len - pos > 4 && memcmp(name + pos, "post", 4) == 0) {
		pos += 4;
		if (scan_num(name, len, &pos, &post_num) != 0 || post_num == 0)
			return -1;
		post = 1;
	}
	if (is_macos_suffix(name, len, pos)) {
		k = PV_CPYTHON_MACOS;
	} else {
		for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
			if (rest_is(name, len, pos, suffixes[i].text)) {
				k = suffixes[i].kind;
				break;
			}
		}
	}
	if (k == 0 || (post && k != PV_CPYTHON_MACOS) ||
	    (capital && k != PV_CPYTHON_SOURCE))
		return -1;
found:
	*out = v;
	if (kind != NULL)
		*kind = k;
	return 0;
}

int
pv_cpython_parse_artifact_name(struct pv_cpython_version *out,
                               const char *name)
{
	return pv_cpython_classify_artifact(out, NULL, name);
}

int
pv_cpython_parse_artifact_path(struct pv_cpython_version *out,
                               const char *path)
{
	if (path == NULL)
		return -1;
	return pv_cpython_classify_artifact(out, NULL,
	                                    pv_cpython_basename(path));
}
