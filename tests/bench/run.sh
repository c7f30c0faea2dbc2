#!/bin/sh
# tests/bench/run.sh BUILD - pyverify speed, always as ratios against a baseline
# measured in the same run on the same machine.
set -eu
BUILD=${1:-build}
TD=${PYVERIFY_TESTDATA:-../shared/testdata}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "== 1. verify one CPython bundle by digest, in process"
if [ -f "$TD/cpython/MANIFEST.tsv" ]; then
	# The newest source tarball in the manifest.
	row=$(awk -F'\t' 'NR > 1 && $2 ~ /^Python-3\.14/ { r = $0 } END { print r }' \
	    "$TD/cpython/MANIFEST.tsv")
	artifact=$(printf '%s' "$row" | cut -f2)
	sha=$(printf '%s' "$row" | cut -f3)
	ident=$(printf '%s' "$row" | cut -f5)
	iss=$(printf '%s' "$row" | cut -f6)
	bundle=$(printf '%s' "$row" | cut -f7)
	echo "($artifact)"
	"$BUILD/bench/bench_verify" "$TD/sigstore/production.trusted_root.json" \
	    "$TD/cpython/$bundle" "sha256:$sha" "$ident" "$iss" 300
else
	echo "skipped: $TD is absent (no CPython bundle)"
fi

echo
echo "== 2. pyverify verify-bundle on a 30 MB file vs openssl dgst -sha256"
head -c 31457280 /dev/urandom > "$tmp/artifact.bin"
"$BUILD/bench/mkfixture" "$tmp/artifact.bin" "$tmp"
runs=15
best() { # best wall time in ms of N runs of a command
	b=""
	i=0
	while [ $i -lt $runs ]; do
		s=$(date +%s%N)
		"$@" >/dev/null 2>&1 || { echo "command failed: $*" >&2; exit 1; }
		e=$(date +%s%N)
		t=$(( (e - s) / 1000 ))
		if [ -z "$b" ] || [ "$t" -lt "$b" ]; then b=$t; fi
		i=$((i + 1))
	done
	echo "$b"
}
cat "$tmp/artifact.bin" > /dev/null  # page cache warm for both
ossl=$(best openssl dgst -sha256 "$tmp/artifact.bin")
pv=$(best "$BUILD/pyverify" verify-bundle --trusted-root "$tmp/trusted_root.json" \
    --bundle "$tmp/bundle.sigstore.json" --certificate-identity dev@example.org \
    --certificate-oidc-issuer https://issuer.example "$tmp/artifact.bin")
echo "openssl dgst -sha256:        $((ossl / 1000)).$(( (ossl % 1000) / 100 )) ms (best of $runs)"
echo "pyverify verify-bundle:      $((pv / 1000)).$(( (pv % 1000) / 100 )) ms (best of $runs)"
awk -v a="$pv" -v b="$ossl" 'BEGIN { printf "ratio pyverify/openssl: %.2fx (goal <= 1.20x)\n", a / b }'
