#!/bin/sh
# build_deb.sh OUTDIR - builds the Debian packages of this checkout with
# `dpkg-buildpackage -us -uc -b` in a temporary copy of the tree (with
# deploy/debian as debian/), so the checkout stays as it was, and moves
# the .deb, .buildinfo and .changes files to OUTDIR.
set -eu
out=${1:?usage: build_deb.sh OUTDIR}
top=$(cd "$(dirname "$0")/../.." && pwd)
for t in dpkg-buildpackage dh fakeroot scdoc; do
	command -v "$t" >/dev/null || {
		echo "build_deb: $t is missing (make deps as root installs it)" >&2
		exit 2
	}
done
version=$(sed -n 's/^#define PYVERIFY_VERSION "\(.*\)"/\1/p' "$top/lib/pyverify.h")
changelog=$(sed -n '1s/^pyverify (\([^)]*\)).*/\1/p' "$top/deploy/debian/changelog")
if [ "$version" != "$changelog" ]; then
	echo "build_deb: lib/pyverify.h says $version, deploy/debian/changelog" \
	    "$changelog: add a changelog entry (dch -v $version)" >&2
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/pyverify-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
src="$work/pyverify-$version"
mkdir -p "$src"
# Exactly the source tree: no build directories, no VCS data.
(cd "$top" && tar cf - Makefile README.md cmd lib server policy tests deploy) |
	(cd "$src" && tar xf -)
cp -R "$top/deploy/debian" "$src/debian"

jobs=$(nproc 2>/dev/null || echo 2)
(cd "$src" &&
	DEB_BUILD_OPTIONS="parallel=$jobs nocheck${DEB_BUILD_OPTIONS:+ $DEB_BUILD_OPTIONS}" \
	dpkg-buildpackage -us -uc -b) > "$work/build.log" 2>&1 || {
	tail -n 60 "$work/build.log" >&2
	echo "build_deb: dpkg-buildpackage failed (last lines above)" >&2
	exit 1
}
mkdir -p "$out"
rm -f "$out"/*.deb "$out"/*.buildinfo "$out"/*.changes
mv "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes "$out"/
cp "$work/build.log" "$out/build.log"
ls "$out"/*.deb
