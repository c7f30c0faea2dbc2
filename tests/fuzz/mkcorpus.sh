#!/bin/sh
# mkcorpus.sh - mints new fixtures and seeds for every target built by
# build.sh and replaces tests/fuzz/fixtures/ and tests/fuzz/corpus/ with
# them. Run it when a target's fixture changes (new keys: findings saved
# with the old ones stop reproducing). The fixtures hold public material
# only: trusted roots, bundles, public keys.
set -eu
cd "$(dirname "$0")/../.."

OUT=${FUZZ_BUILD:-build-fuzz}
TARGETS="fuzz_bundle fuzz_trust_root fuzz_checkpoint fuzz_body fuzz_tsa
fuzz_sct_identity fuzz_dsse fuzz_verify fuzz_server fuzz_tuf_metadata"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pyverify-mkcorpus.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
TMPDIR=$tmp
export TMPDIR
for t in $TARGETS; do
	[ -x "$OUT/bin/$t" ] ||
	    { echo "$OUT/bin/$t missing: run tests/fuzz/build.sh" >&2; exit 2; }
	mkdir -p "$tmp/empty/$t"
	PV_FUZZ_FIXTURES=$tmp/fixtures "$OUT/bin/$t" -runs=0 \
	    "$tmp/empty/$t" > "$tmp/$t.log" 2>&1 ||
	    { cat "$tmp/$t.log" >&2; exit 1; }
	[ -d "$tmp/fixtures/$t/seeds" ] ||
	    { echo "$t minted no seeds" >&2; exit 1; }
done
rm -rf tests/fuzz/fixtures tests/fuzz/corpus
mkdir -p tests/fuzz/fixtures tests/fuzz/corpus
for t in $TARGETS; do
	mv "$tmp/fixtures/$t/seeds" "tests/fuzz/corpus/$t"
	mv "$tmp/fixtures/$t" "tests/fuzz/fixtures/$t"
done
du -sh tests/fuzz/fixtures tests/fuzz/corpus
