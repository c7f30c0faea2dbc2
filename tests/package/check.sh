#!/bin/sh
# check.sh WORKDIR [BUILD] - `make package-check`: builds the Debian packages of the
# checkout (in a temporary copy: build_deb.sh), runs lintian (errors fail),
# unpacks them into a temporary root and checks what a user gets there:
# pyverify --version and pyverifyd --version, man -l on every page without
# groff warnings, systemd-analyze verify on the units, the completions;
# then the deploy/hooks/distro snippets in real package builds
# (snippets.sh), with the pyverify package installed on this machine for
# the duration (as root; removed again if it was not installed before).
# Everything it writes is under WORKDIR.
set -u
work=${1:?usage: check.sh WORKDIR [BUILD]}
# The build directory whose objects mkfixture (the fixture minter) reuses.
build=${2:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
fail=0
skipped=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }
skip() { echo "skip $*"; skipped=$((skipped + 1)); }
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)

echo "== building the Debian packages"
sh tests/package/build_deb.sh "$work/deb" >/dev/null || exit 1
ok "dpkg-buildpackage -us -uc -b: $(cd "$work/deb" && ls *.deb | grep -v dbgsym | tr '\n' ' ')"

if command -v lintian >/dev/null; then
	# Warnings are printed, not fatal; deploy/debian/copyright says why
	# the license is still "undeclared".
	lintian --fail-on error "$work"/deb/*.changes > "$work/lintian.log" 2>&1
	if [ $? -eq 0 ]; then
		ok "lintian: no errors, $(grep -c '^W:' "$work/lintian.log") warnings"
		grep '^W:' "$work/lintian.log"
	else
		bad "lintian:"; grep '^E:' "$work/lintian.log"
	fi
else
	skip "lintian: not installed"
fi

root="$work/root"
for d in "$work"/deb/*.deb; do
	case $d in *-dbgsym_*) continue ;; esac
	dpkg -x "$d" "$root"
done

# The symbols file lists exactly what the library exports.
so=$(ls "$root"/usr/lib/*/libpyverify.so.0)
nm -D --defined-only "$so" | awk '$2 ~ /^[TDBR]$/ { print $3 }' | sort -u > "$work/exported"
sed -n 's/^ \([^@]*\)@Base .*/\1/p' deploy/debian/libpyverify0.symbols | sort -u > "$work/listed"
if cmp -s "$work/exported" "$work/listed"; then
	ok "libpyverify0.symbols lists all $(wc -l < "$work/exported") exported symbols"
else
	bad "libpyverify0.symbols differs from the library (tests/package/gen_symbols.sh):"
	diff "$work/listed" "$work/exported"
fi

out=$("$root/usr/bin/pyverify" --version 2>&1)
if printf '%s\n' "$out" | grep -q '^libraries: OpenSSL .*, jansson .*, libsodium .*, libcurl ' &&
   printf '%s\n' "$out" | grep -q '^policy: /usr/share/pyverify/cpython.json$' &&
   printf '%s\n' "$out" | grep -q '^trusted root: '; then
	ok "pyverify --version: $(printf '%s\n' "$out" | head -n 2 | tr '\n' ' ')"
else
	bad "pyverify --version printed:"; printf '%s\n' "$out"
fi
out=$("$root/usr/bin/pyverifyd" --version 2>&1)
if printf '%s\n' "$out" | grep -q '^libraries: OpenSSL' &&
   printf '%s\n' "$out" | grep -q '^trusted root: '; then
	ok "pyverifyd --version"
else
	bad "pyverifyd --version printed:"; printf '%s\n' "$out"
fi

for page in man1/pyverify.1 man8/pyverifyd.8 man3/libpyverify.3; do
	f="$root/usr/share/man/$page.gz"
	if [ ! -f "$f" ]; then
		bad "man page $page missing"
		continue
	fi
	warn=$(MANWIDTH=80 man --warnings -E UTF-8 -l "$f" 2>&1 >/dev/null)
	lines=$(MANWIDTH=80 man -E UTF-8 -l "$f" 2>/dev/null | wc -l)
	if [ -z "$warn" ] && [ "$lines" -gt 40 ]; then
		ok "man -l $page ($lines lines)"
	else
		bad "man -l $page: $warn"
	fi
done

if command -v systemd-analyze >/dev/null; then
	# The units name /usr/bin/pyverifyd, which exists only in the temporary
	# root: verify copies that point there.
	u="$work/units"
	mkdir -p "$u/pyverifyd.service.d"
	for f in pyverifyd.service pyverifyd.socket; do
		sed "s|/usr/bin/pyverifyd|$root/usr/bin/pyverifyd|" \
		    "$root/lib/systemd/system/$f" > "$u/$f"
	done
	cp "$root/lib/systemd/system/pyverifyd.service.d/debian.conf" \
	    "$u/pyverifyd.service.d/"
	# Documentation=man:pyverifyd(8) is checked with man(1): the page is
	# in the temporary root.
	if (cd "$u" && MANPATH="$root/usr/share/man" \
	    systemd-analyze verify pyverifyd.socket pyverifyd.service) \
	    > "$work/systemd-analyze.log" 2>&1 &&
	    ! grep -i 'pyverifyd' "$work/systemd-analyze.log" | grep -qiv 'debian.conf'; then
		ok "systemd-analyze verify pyverifyd.socket pyverifyd.service"
	else
		bad "systemd-analyze verify:"; cat "$work/systemd-analyze.log"
	fi
else
	skip "systemd-analyze: not installed"
fi

sh tests/package/completion.sh "$root" "$work/completion" || fail=1

echo "== snippets in real package builds"
mk=$build
if ! make -s BUILD="$mk" "$mk/bench/mkfixture" >/dev/null 2>"$work/mkfixture.log"; then
	bad "building mkfixture:"; tail -n 20 "$work/mkfixture.log"
elif [ "$(id -u)" != 0 ]; then
	skip "snippet builds: they need the pyverify package installed (its policy path is fixed); run as root"
else
	installed_before=$(dpkg-query -W -f '${Status}' pyverify 2>/dev/null | grep -c 'ok installed')
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    "$work"/deb/pyverify_*.deb > "$work/apt.log" 2>&1; then
		bad "installing the pyverify package:"; tail -n 20 "$work/apt.log"
	else
		ok "apt-get install ./pyverify_*.deb; man pyverify finds the page: $(man -w pyverify)"
		sh tests/package/snippets.sh "$mk/bench/mkfixture" "$work/snippets" || fail=1
		if [ "$installed_before" = 0 ]; then
			DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq pyverify \
			    >> "$work/apt.log" 2>&1
		fi
	fi
fi
# Skipped checks are counted in the last line, never passed silently.
if [ $fail -ne 0 ]; then
	echo "package-check: FAILED"
elif [ $skipped -ne 0 ]; then
	echo "package-check: all run passed, $skipped skipped (see skip lines)"
else
	echo "package-check: all passed"
fi
exit $fail
