#!/bin/sh
# gen_symbols.sh LIBPYVERIFY0.deb - rewrites deploy/debian/libpyverify0.symbols
# from the built library: every exported symbol, the version it first
# appeared in kept from the old file, new ones at the current version.
# Run it after adding public API (the package build fails until then:
# DPKG_GENSYMBOLS_CHECK_LEVEL=4 in deploy/debian/rules) and review the diff:
# a symbol that disappears is an ABI break and needs a new soname.
set -eu
deb=${1:?usage: gen_symbols.sh libpyverify0_VERSION_ARCH.deb}
top=$(cd "$(dirname "$0")/../.." && pwd)
file="$top/deploy/debian/libpyverify0.symbols"
version=$(sed -n 's/^#define PYVERIFY_VERSION "\(.*\)"/\1/p' "$top/lib/pyverify.h")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
dpkg -x "$deb" "$tmp/root"
so=$(find "$tmp/root" -name 'libpyverify.so.0' -type f | head -n 1)
[ -n "$so" ] || { echo "gen_symbols: no libpyverify.so.0 in $deb" >&2; exit 1; }
nm -D --defined-only "$so" | awk '$2 ~ /^[TDBR]$/ { print $3 }' | sort -u \
	> "$tmp/now"
[ -f "$file" ] || : > "$file"
{
	echo "libpyverify.so.0 libpyverify0 #MINVER#"
	awk -v v="$version" -v old_file="$file" 'FILENAME == old_file {
		if ($1 ~ /@Base$/) { sub(/@Base$/, "", $1); old[$1] = $2 }
		next }
	{ print " " $1 "@Base " (($1 in old) ? old[$1] : v) }' "$file" "$tmp/now"
} > "$tmp/new"
mv "$tmp/new" "$file"
echo "gen_symbols: $(wc -l < "$tmp/now") symbols in $file"
