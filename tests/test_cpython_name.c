/*
 * test_cpython_name.c - CPython versions and python.org artifact names
 * (lib/cpython/cpython_version.c): every artifact of ../shared/testdata/cpython
 * maps to its listed version, odd real forms are understood, anything else
 * is "not a CPython artifact".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "cpython/cpython.h"
#include "testdata.h"

static struct pv_cpython_version
must_parse(const char *text)
{
	struct pv_cpython_version v;

	cr_assert_eq(pv_cpython_version_parse_str(&v, text), 0,
	             "version \"%s\" rejected", text);
	return v;
}

static void
assert_name(const char *name, const char *want, enum pv_cpython_kind kind)
{
	struct pv_cpython_version v;
	enum pv_cpython_kind k = 0;
	char text[PV_CPYTHON_VERSION_TEXT_MAX];

	cr_assert_eq(pv_cpython_classify_artifact(&v, &k, name), 0,
	             "\"%s\" not recognised", name);
	pv_cpython_version_format(text, &v);
	cr_assert_str_eq(text, want, "\"%s\" gave %s, expected %s", name,
	                 text, want);
	cr_assert_eq(k, kind, "\"%s\" has kind %d, expected %d", name, (int)k,
	             (int)kind);
}

/* Checks every row of a TSV file whose first two columns are version and
 * artifact; returns the number of rows checked. */
static size_t
check_tsv(const char *rel)
{
	size_t len = 0, rows = 0;
	char *text = td_read(td_path(rel), &len), *line, *next, *tab, *tab2;
	struct pv_cpython_version got, listed;
	char fmt[PV_CPYTHON_VERSION_TEXT_MAX];

	cr_assert_not_null(text, "%s unreadable", rel);
	line = strchr(text, '\n'); /* skip the header */
	cr_assert_not_null(line, "%s has no rows", rel);
	for (line++; *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (*line == '\0')
			continue;
		tab = strchr(line, '\t');
		cr_assert_not_null(tab, "%s: row without columns: %s", rel, line);
		*tab = '\0';
		tab2 = strchr(tab + 1, '\t');
		if (tab2 != NULL)
			*tab2 = '\0';
		listed = must_parse(line);
		cr_assert_eq(pv_cpython_parse_artifact_name(&got, tab + 1), 0,
		             "%s: \"%s\" not recognised", rel, tab + 1);
		pv_cpython_version_format(fmt, &got);
		cr_assert_eq(pv_cpython_version_cmp(&got, &listed), 0,
		             "%s: \"%s\" parsed as %s, listed as %s", rel,
		             tab + 1, fmt, line);
		cr_assert_str_eq(fmt, line);
		rows++;
	}
	free(text);
	return rows;
}

Test(cpython_name, every_testdata_artifact_maps_to_its_listed_version)
{
	if (td_dir() == NULL)
		cr_skip_test("../shared/testdata not found (set PYVERIFY_TESTDATA)");
	cr_assert_gt(check_tsv("cpython/MANIFEST.tsv"), 0);
	cr_assert_gt(check_tsv("cpython/NO-SIGSTORE.tsv"), 0);
}

Test(cpython_name, every_real_artifact_form_is_understood)
{
	static const struct {
		const char *name, *version;
		enum pv_cpython_kind kind;
	} cases[] = {
		{ "Python-3.14.0.tgz", "3.14.0", PV_CPYTHON_SOURCE },
		{ "Python-3.14.0.tar.xz", "3.14.0", PV_CPYTHON_SOURCE },
		{ "Python-2.7.18.tar.bz2", "2.7.18", PV_CPYTHON_SOURCE },
		{ "python-3.14.0.tgz", "3.14.0", PV_CPYTHON_SOURCE },
		{ "Python-3.14.0a1.tgz", "3.14.0a1", PV_CPYTHON_SOURCE },
		{ "Python-3.14.0b2.tar.xz", "3.14.0b2", PV_CPYTHON_SOURCE },
		{ "Python-3.14.0rc1.tar.bz2", "3.14.0rc1", PV_CPYTHON_SOURCE },
		{ "Python-2.7.tgz", "2.7.0", PV_CPYTHON_SOURCE },
		{ "Python-3.2.tar.bz2", "3.2.0", PV_CPYTHON_SOURCE },
		{ "Python-2.7rc1.tgz", "2.7.0rc1", PV_CPYTHON_SOURCE },
		{ "python-3.10.1.exe", "3.10.1", PV_CPYTHON_WINDOWS },
		{ "python-3.13.1-amd64.exe", "3.13.1", PV_CPYTHON_WINDOWS },
		{ "python-3.14.0rc1-arm64.exe", "3.14.0rc1", PV_CPYTHON_WINDOWS },
		{ "python-3.9.13-amd64-webinstall.exe", "3.9.13",
		  PV_CPYTHON_WINDOWS },
		{ "python-3.11.6-embed-arm64.zip", "3.11.6", PV_CPYTHON_WINDOWS },
		{ "python-3.12.1-embed-amd64.zip", "3.12.1", PV_CPYTHON_WINDOWS },
		{ "python-3.8.10-embed-win32.zip", "3.8.10", PV_CPYTHON_WINDOWS },
		{ "python-3.14.0a1-amd64.zip", "3.14.0a1", PV_CPYTHON_WINDOWS },
		{ "python-3.14.0a1t-arm64.zip", "3.14.0a1", PV_CPYTHON_WINDOWS },
		{ "python-3.14.0-embeddable-win32.zip", "3.14.0",
		  PV_CPYTHON_WINDOWS },
		{ "python-3.14.0-test-amd64.zip", "3.14.0", PV_CPYTHON_WINDOWS },
		{ "python-2.7.18.amd64.msi", "2.7.18", PV_CPYTHON_WINDOWS },
		{ "python-3.4.4.msi", "3.4.4", PV_CPYTHON_WINDOWS },
		{ "python-2.7.amd64.msi", "2.7.0", PV_CPYTHON_WINDOWS },
		{ "windows-3.14.0.json", "3.14.0", PV_CPYTHON_WINDOWS_MANIFEST },
		{ "python3101.chm", "3.10.1", PV_CPYTHON_WINDOWS_HELP },
		{ "python31011.chm", "3.10.11", PV_CPYTHON_WINDOWS_HELP },
		{ "python3100.chm", "3.10.0", PV_CPYTHON_WINDOWS_HELP },
		{ "python3714.chm", "3.7.14", PV_CPYTHON_WINDOWS_HELP },
		{ "python390.chm", "3.9.0", PV_CPYTHON_WINDOWS_HELP },
		{ "python2718.chm", "2.7.18", PV_CPYTHON_WINDOWS_HELP },
		{ "python3100rc1.chm", "3.10.0rc1", PV_CPYTHON_WINDOWS_HELP },
		{ "python-3.9.0-macosx10.9.pkg", "3.9.0", PV_CPYTHON_MACOS },
		{ "python-2.7.3-macosx10.6.dmg", "2.7.3", PV_CPYTHON_MACOS },
		{ "python-3.14.0-macos11.pkg", "3.14.0", PV_CPYTHON_MACOS },
		{ "python-3.9.1-macos11.0.pkg", "3.9.1", PV_CPYTHON_MACOS },
		{ "python-3.10.0post2-macos11.pkg", "3.10.0", PV_CPYTHON_MACOS },
		{ "python-3.15.0a5-aarch64-linux-android.tar.gz", "3.15.0a5",
		  PV_CPYTHON_ANDROID },
		{ "python-3.14.0-x86_64-linux-android.tar.gz", "3.14.0",
		  PV_CPYTHON_ANDROID },
		{ "python-3.14.0-iOS-XCframework.tar.gz", "3.14.0",
		  PV_CPYTHON_IOS },
		{ "python-3.14.0-docs-html.tar.bz2", "3.14.0", PV_CPYTHON_DOCS },
		{ "python-3.14.0-docs-html.zip", "3.14.0", PV_CPYTHON_DOCS },
		{ "python-3.14.0-docs-pdf-a4.zip", "3.14.0", PV_CPYTHON_DOCS },
		{ "python-3.14.0-docs-pdf-letter.tar.bz2", "3.14.0",
		  PV_CPYTHON_DOCS },
		{ "python-3.14.0-docs-text.tar.bz2", "3.14.0", PV_CPYTHON_DOCS },
		{ "python-3.14.0-docs-texinfo.zip", "3.14.0", PV_CPYTHON_DOCS },
		{ "python-3.14.0-docs.epub", "3.14.0", PV_CPYTHON_DOCS },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_name(cases[i].name, cases[i].version, cases[i].kind);
}

Test(cpython_name, names_outside_the_known_forms_are_not_artifacts)
{
	static const char *const bad[] = {
		"", "Python-3.14.0.tgz.sigstore", "Python-3.14.0.tgz.asc",
		"Python-3.14.0.tgz.sig", "Python-3.14.0.tgz.crt",
		"Python-3.14.0.tgz.spdx.json", "Python-3.14.tgz",
		"Python-3.14.0.tgz.evil", "foo-3.14.0.tgz", "Python-3.14.0",
		"Python-3.14.0.", "Python-3.14.0.zip", "Python-3.14.0-amd64.exe",
		"PYTHON-3.14.0.tgz", "Python_3.14.0.tgz", "Python3.14.0.tgz",
		"Python-03.14.0.tgz", "Python-3.014.0.tgz", "Python-3.14.00.tgz",
		"Python-3.14.0a0.tgz", "Python-3.14.0a01.tgz",
		"Python-3.14.0c1.tgz", "Python-3.14.0rc.tgz", "Python-3.14.0a.tgz",
		"Python-3.14.0.1.tgz", "Python-3.14.0-1.tgz",
		"Python-3.14.0 .tgz", " Python-3.14.0.tgz",
		"Python-99999.0.0.tgz", "Python-3.14.0rc99999.tgz",
		"dir/Python-3.14.0.tgz", "python-3.14-amd64.exe",
		"python-3.14.0-amd64.exe.sigstore", "python-3.14.0-x86.exe",
		"python-3.14.0-embed-x86.zip", "python-3.14.0post1-amd64.exe",
		"python-3.14.0post0-macos11.pkg", "python-3.14.0-macos10.pkg",
		"python-3.14.0-macosx10.pkg", "python-3.14.0-macosx11.9.dmg",
		"python-3.14.0-macos11.dmg", "python-3.14.0-ios-xcframework.tar.gz",
		"python-3.14.0-arm-linux-android.tar.gz",
		"python-3.14.0-docs-html.tar.xz", "python-3.14.0t.tgz",
		"windows-3.14.json", "windows-3.14.0.json.sigstore",
		"Windows-3.14.0.json", "windows-3.14.0.zip",
		"python31.chm", "python3101.chm.sigstore", "Python3101.chm",
		"python03101.chm", "python3101a.chm", "python31001.chm",
		"python3.10.1.chm", "python310111.chm",
	};
	struct pv_cpython_version v = { 7, 7, 7, 0, 0 };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(pv_cpython_parse_artifact_name(&v, bad[i]), -1,
		             "\"%s\" accepted", bad[i]);
		cr_assert_eq(v.major, 7, "\"%s\" wrote the output", bad[i]);
	}
	cr_assert_eq(pv_cpython_parse_artifact_name(&v, NULL), -1);
	cr_assert_eq(pv_cpython_parse_artifact_name(NULL, "Python-3.14.0.tgz"),
	             -1);
}

Test(cpython_name, a_long_name_is_rejected_without_overflow)
{
	char name[600];
	struct pv_cpython_version v;

	memset(name, '9', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	memcpy(name, "Python-3.", 9);
	cr_assert_eq(pv_cpython_parse_artifact_name(&v, name), -1);
	snprintf(name, sizeof(name), "Python-3.14.0%0300d.tgz", 0);
	cr_assert_eq(pv_cpython_parse_artifact_name(&v, name), -1);
}

Test(cpython_name, paths_are_reduced_to_their_basename)
{
	struct pv_cpython_version v;
	char text[PV_CPYTHON_VERSION_TEXT_MAX];

	cr_assert_str_eq(pv_cpython_basename("a/b/Python-3.14.0.tgz"),
	                 "Python-3.14.0.tgz");
	cr_assert_str_eq(pv_cpython_basename("Python-3.14.0.tgz"),
	                 "Python-3.14.0.tgz");
	cr_assert_str_eq(pv_cpython_basename("/tmp/dir/"), "");
	cr_assert_eq(pv_cpython_parse_artifact_path(
	                 &v, "/srv/ftp/python/3.14.0/python-3.14.0-amd64.exe"),
	             0);
	pv_cpython_version_format(text, &v);
	cr_assert_str_eq(text, "3.14.0");
	cr_assert_eq(pv_cpython_parse_artifact_path(&v, "/srv/3.14.0/"), -1);
	cr_assert_eq(pv_cpython_parse_artifact_path(
	                 &v, "Python-3.14.0.tgz/evil.tgz"), -1);
	cr_assert_eq(pv_cpython_parse_artifact_path(&v, NULL), -1);
}

Test(cpython_name, version_strings_are_parsed_strictly)
{
	static const char *const good[] = {
		"3.14.0", "3.14.0a1", "3.14.0b2", "3.14.0rc1", "0.0.0",
		"2.7.18", "3.10.11", "9999.9999.9999rc9999",
	};
	static const char *const bad[] = {
		"", "3", "3.14", "3.14.", "3.14.0.", "3.14.0.0", "03.14.0",
		"3.014.0", "3.14.01", "3.14.0a", "3.14.0a0", "3.14.0a01",
		"3.14.0c1", "3.14.0RC1", "3.14.0rc1 ", " 3.14.0", "3.14.0-rc1",
		"3.14.0+", "-3.14.0", "3.14.0post1", "10000.0.0",
		"3.14.0rc10000", "3..0", "a.b.c",
	};
	struct pv_cpython_version v;
	char text[PV_CPYTHON_VERSION_TEXT_MAX];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = must_parse(good[i]);
		pv_cpython_version_format(text, &v);
		cr_assert_str_eq(text, good[i], "round trip of %s", good[i]);
	}
	v = must_parse("3.14.0rc1");
	cr_assert_eq(v.major, 3);
	cr_assert_eq(v.minor, 14);
	cr_assert_eq(v.micro, 0);
	cr_assert_eq(v.pre, 'c');
	cr_assert_eq(v.pre_num, 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(pv_cpython_version_parse_str(&v, bad[i]), -1,
		             "\"%s\" accepted", bad[i]);
	/* The length bounds the parse: no reading past it. */
	cr_assert_eq(pv_cpython_version_parse(&v, "3.14.0rc1", 6), 0);
	pv_cpython_version_format(text, &v);
	cr_assert_str_eq(text, "3.14.0");
	cr_assert_eq(pv_cpython_version_parse(&v, "3.14.0rc1", 7), -1);
}

Test(cpython_name, versions_order_alpha_beta_rc_then_final)
{
	static const char *const ordered[] = {
		"2.7.18", "3.7.13", "3.7.14", "3.9.0a1", "3.9.0a2", "3.9.0a10",
		"3.9.0b1", "3.9.0b5", "3.9.0rc1", "3.9.0rc2", "3.9.0",
		"3.9.1rc1", "3.9.1", "3.9.10", "3.10.0a1", "3.10.0",
		"3.10.7", "3.14.0", "3.15.0a1",
	};
	struct pv_cpython_version a, b;
	size_t i, j, n = sizeof(ordered) / sizeof(ordered[0]);

	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			int c;
			a = must_parse(ordered[i]);
			b = must_parse(ordered[j]);
			c = pv_cpython_version_cmp(&a, &b);
			if (i < j)
				cr_assert_lt(c, 0, "%s < %s", ordered[i],
				             ordered[j]);
			else if (i > j)
				cr_assert_gt(c, 0, "%s > %s", ordered[i],
				             ordered[j]);
			else
				cr_assert_eq(c, 0, "%s == %s", ordered[i],
				             ordered[j]);
		}
	}
}
