#!/bin/sh
# sigstore-js.sh BUILD - interoperability check (`make interop`): bundles
# that pyverify's signer makes against the loopback fake services are
# verified by another Sigstore client, sigstore-js (@sigstore/verify from
# the npm registry, installed into a temporary directory, or the one
# $SIGSTORE_JS_DIR names). Not part of `make check`: it needs node, npm and
# the npm registry. Exit 0 only when every bundle verifies.
set -eu
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
command -v node >/dev/null && command -v npm >/dev/null ||
    { echo "interop: needs node and npm (apt-get install nodejs npm)" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pyverify-interop.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
js=${SIGSTORE_JS_DIR:-$tmp/js}
if [ ! -d "$js/node_modules/@sigstore/verify" ]; then
	mkdir -p "$js"
	(cd "$js" && npm install --silent --no-audit --no-fund \
	    @sigstore/verify @sigstore/bundle @sigstore/protobuf-specs) ||
	    { echo "interop: npm install failed" >&2; exit 2; }
fi
echo "interop: sigstore-js $(sed -n 's/.*"version": "\(.*\)".*/\1/p' \
    "$js/node_modules/@sigstore/verify/package.json")"
"$BUILD/interop/mkbundles" "$tmp" > "$tmp/signers"
fail=0
while read -r name identity issuer; do
	art=$tmp/artifact.txt
	case $name in dsse*) art=- ;; esac
	NODE_PATH=$js/node_modules node tests/interop/verify.js \
	    "$tmp/trusted_root.json" "$tmp/$name" "$art" "$identity" \
	    "$issuer" || fail=1
	# pyverify itself, for comparison.
	if [ "$art" != - ]; then
		"$BUILD/pyverify" verify-bundle --bundle "$tmp/$name" \
		    --trusted-root "$tmp/trusted_root.json" \
		    --certificate-identity "$identity" \
		    --certificate-oidc-issuer "$issuer" "$art" || fail=1
	fi
done < "$tmp/signers"
exit $fail
