#!/bin/sh
# snippets.sh MKFIXTURE WORKDIR - runs the snippets of deploy/hooks/distro
# in real package builds of a tiny package (not CPython: a one-line
# Makefile in a tarball named like a CPython release, signed by the tests'
# virtual Sigstore as the 3.14 release manager; the bad case is the same
# bundle with a tampered tarball, as a compromised mirror would serve):
#   debian-rules.snippet      dpkg-buildpackage -us -uc -b, good and bad bundle
#   debian-watch.snippet      uscan against a loopback file server, with
#   + debian-verify-orig      a good and a bad bundle
#   python3.spec-prep.snippet rpmbuild -bb, good and bad bundle (if rpmbuild)
# A good bundle must let the build pass; a bad one must stop it at the
# verification step with pyverify's own message, before anything is built.
# Needs the pyverify under test as `pyverify` on PATH with its policy
# installed (check.sh installs the package). Prints one line per case.
set -u
mkfixture=${1:?usage: snippets.sh MKFIXTURE WORKDIR}
work=${2:?usage: snippets.sh MKFIXTURE WORKDIR}
top=$(cd "$(dirname "$0")/../.." && pwd)
distro="$top/deploy/hooks/distro"
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }
# expect_fail LOG: the build stopped at pyverify's verdict line.
stopped_by_pyverify() {
	grep -qE '^failed (.*/)?Python-3\.14\.0\.tar\.xz: .*\[' "$1"
}

rm -rf "$work"
mkdir -p "$work/src/Python-3.14.0" "$work/good" "$work/bad"
printf '%s\n' 'all:' '	echo built > built.txt' 'install:' \
    '	mkdir -p $(DESTDIR)/usr/share/pvsnippet' \
    '	cp built.txt $(DESTDIR)/usr/share/pvsnippet/' \
    > "$work/src/Python-3.14.0/Makefile"
tarball="$work/Python-3.14.0.tar.xz"
(cd "$work/src" && tar cJf "$tarball" Python-3.14.0)
ident=hugo@python.org
issuer=https://github.com/login/oauth
"$mkfixture" "$tarball" "$work/good" "$ident" "$issuer" || exit 2
cp "$work/good/bundle.sigstore.json" "$work/bad/bundle.sigstore.json"
echo '	echo injected' >> "$work/src/Python-3.14.0/Makefile"
(cd "$work/src" && tar cJf "$work/bad/Python-3.14.0.tar.xz" Python-3.14.0)
cp "$tarball" "$work/good/Python-3.14.0.tar.xz"
# Every build trusts the fixture's root (the virtual Sigstore's).
PYVERIFY_TRUSTED_ROOT="$work/good/trusted_root.json"
export PYVERIFY_TRUSTED_ROOT

# ---- debian/rules override ---------------------------------------------
# deb_tree DIR VERSION: an unpacked source package using the snippets.
deb_tree() {
	mkdir -p "$1/debian/source" "$1/debian/upstream"
	cp "$work/src/Python-3.14.0/Makefile" "$1/"
	echo "3.0 (quilt)" > "$1/debian/source/format"
	cat > "$1/debian/control" <<CTL
Source: pvsnippet
Section: misc
Priority: optional
Maintainer: pyverify tests <tests@example.org>
Build-Depends: debhelper-compat (= 13), pyverify
Standards-Version: 4.6.2
Rules-Requires-Root: no

Package: pvsnippet
Architecture: all
Depends: \${misc:Depends}
Description: test package for the pyverify distribution snippets
 Built by pyverify's tests/package/snippets.sh.
CTL
	cat > "$1/debian/changelog" <<CHL
pvsnippet ($2-1) unstable; urgency=medium

  * Test.

 -- pyverify tests <tests@example.org>  Wed, 03 Dec 2025 12:00:00 +0000
CHL
	# The snippet verbatim, included below the dh rule as its comment
	# says to paste it.
	cp "$distro/debian-rules.snippet" "$1/debian/pyverify-rules.mk"
	printf '%s\n' '#!/usr/bin/make -f' '%:' '	dh $@' \
	    'include debian/pyverify-rules.mk' > "$1/debian/rules"
	chmod +x "$1/debian/rules"
}

# Without pyverify installed as a package, Build-Depends cannot be met.
nodeps=""
dpkg -s pyverify >/dev/null 2>&1 || nodeps=-d
for case in good bad; do
	d="$work/deb-$case/pvsnippet-3.14.0"
	deb_tree "$d" 3.14.0
	cp "$work/$case/Python-3.14.0.tar.xz" \
	    "$work/deb-$case/pvsnippet_3.14.0.orig.tar.xz"
	cp "$work/$case/bundle.sigstore.json" \
	    "$d/debian/upstream/Python-3.14.0.tar.xz.sigstore"
	log="$work/deb-$case.log"
	(cd "$d" && timeout 120 dpkg-buildpackage -us -uc -b $nodeps) \
	    > "$log" 2>&1
	rc=$?
	if [ $case = good ]; then
		if [ $rc -eq 0 ] && grep -qE '^verified (.*/)?Python-3\.14\.0\.tar\.xz: ' "$log" &&
		    ls "$work/deb-good"/pvsnippet_3.14.0-1_all.deb >/dev/null 2>&1; then
			ok "debian/rules snippet: good bundle, package built"
		else
			bad "debian/rules snippet: good bundle (exit $rc), see $log"
		fi
	elif [ $rc -ne 0 ] && stopped_by_pyverify "$log" &&
	    [ ! -e "$d/built.txt" ]; then
		ok "debian/rules snippet: bad bundle stops the build: $(grep '^failed' "$log" | head -n 1 | cut -c1-100)"
	else
		bad "debian/rules snippet: bad bundle (exit $rc), see $log"
	fi
done

# ---- debian/watch + debian-verify-orig ---------------------------------
if ! command -v uscan >/dev/null || ! command -v python3 >/dev/null; then
	echo "skip debian/watch recipe: uscan or python3 (the file server) missing"
else
	for case in good bad; do
		srv="$work/ftp-$case"
		mkdir -p "$srv/ftp/python/3.13.0" "$srv/ftp/python/3.14.0"
		cp "$work/$case/Python-3.14.0.tar.xz" "$srv/ftp/python/3.14.0/"
		cp "$work/$case/bundle.sigstore.json" \
		    "$srv/ftp/python/3.14.0/Python-3.14.0.tar.xz.sigstore"
		# A loopback file server with directory listings for uscan.
		python3 -m http.server --bind 127.0.0.1 --directory "$srv" 0 \
		    > "$work/http-$case.log" 2>&1 &
		pid=$!
		port=""
		for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
			port=$(sed -n 's/.*port \([0-9][0-9]*\).*/\1/p' "$work/http-$case.log" | head -n 1)
			[ -n "$port" ] && break
			sleep 0.25
		done
		d="$work/watch-$case/pvsnippet-3.13.0"
		deb_tree "$d" 3.13.0
		sed "s|https://www.python.org/ftp/python/|http://127.0.0.1:$port/ftp/python/|" \
		    "$distro/debian-watch.snippet" > "$d/debian/watch"
		cp "$distro/debian-verify-orig" "$d/debian/verify-orig"
		chmod +x "$d/debian/verify-orig"
		log="$work/watch-$case.log"
		(cd "$d" && PYVERIFY_PYTHON_FTP="http://127.0.0.1:$port/ftp/python" \
		    timeout 60 uscan --no-conf --verbose) > "$log" 2>&1
		rc=$?
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		orig="$work/watch-$case/pvsnippet_3.14.0.orig.tar.xz"
		if [ -z "$port" ]; then
			bad "debian/watch recipe ($case): the file server did not start"
		elif [ $case = good ]; then
			if [ $rc -eq 0 ] && [ -f "$orig" ] &&
			    [ -f "$d/debian/upstream/Python-3.14.0.tar.xz.sigstore" ] &&
			    grep -qE '^verified (.*/)?Python-3\.14\.0\.tar\.xz: ' "$log"; then
				ok "debian/watch recipe: uscan found 3.14.0, downloaded and verified it"
			else
				bad "debian/watch recipe: good bundle (exit $rc), see $log"
			fi
		elif [ $rc -ne 0 ] && stopped_by_pyverify "$log" &&
		    [ ! -e "$orig" ] && [ -L "$orig.unverified" ] &&
		    [ -f "$work/watch-$case/Python-3.14.0.tar.xz.unverified" ]; then
			ok "debian/watch recipe: bad bundle fails uscan, tarball set aside"
		else
			bad "debian/watch recipe: bad bundle (exit $rc), see $log"
		fi
	done
fi

# ---- RPM %prep -----------------------------------------------------------
if ! command -v rpmbuild >/dev/null; then
	echo "skip RPM %prep snippet: rpmbuild missing (apt-get install rpm)"
else
	for case in good bad; do
		t="$work/rpm-$case"
		mkdir -p "$t/SOURCES" "$t/SPECS"
		cp "$work/$case/Python-3.14.0.tar.xz" "$t/SOURCES/"
		cp "$work/$case/bundle.sigstore.json" \
		    "$t/SOURCES/Python-3.14.0.tar.xz.sigstore"
		cat > "$t/SPECS/pvsnippet.spec" <<SPEC
%global upstream_version 3.14.0
Name: pvsnippet
Version: 3.14.0
Release: 1
Summary: test package for the pyverify RPM snippet
License: MIT
BuildArch: noarch
Source0: Python-%{upstream_version}.tar.xz
Source1: Python-%{upstream_version}.tar.xz.sigstore
BuildRequires: pyverify

%description
Built by pyverify's tests/package/snippets.sh.

%include $distro/python3.spec-prep.snippet

%build
make

%install
make install DESTDIR=%{buildroot}

%files
/usr/share/pvsnippet/built.txt
SPEC
		log="$work/rpm-$case.log"
		# --nodeps: BuildRequires are checked against the RPM database,
		# which knows nothing of the Debian package.
		timeout 120 rpmbuild -bb --nodeps --define "_topdir $t" \
		    "$t/SPECS/pvsnippet.spec" > "$log" 2>&1
		rc=$?
		if [ $case = good ]; then
			if [ $rc -eq 0 ] && grep -qE '^verified (.*/)?Python-3\.14\.0\.tar\.xz: ' "$log" &&
			    ls "$t"/RPMS/noarch/pvsnippet-3.14.0-1.noarch.rpm >/dev/null 2>&1; then
				ok "RPM %prep snippet: good bundle, package built"
			else
				bad "RPM %prep snippet: good bundle (exit $rc), see $log"
			fi
		elif [ $rc -ne 0 ] && stopped_by_pyverify "$log" &&
		    ! grep -q 'Executing(%build)' "$log"; then
			ok "RPM %prep snippet: bad bundle stops the build in %prep"
		else
			bad "RPM %prep snippet: bad bundle (exit $rc), see $log"
		fi
	done
fi
exit $fail
