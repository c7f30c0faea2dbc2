#!/bin/sh
# run.sh TARGET SECONDS [libFuzzer options...] - fuzzes one target built by
# build.sh for SECONDS seconds with the corpus build-fuzz/corpus/TARGET.
# The corpus is seeded from the repository's seeds (tests/fuzz/corpus/TARGET,
# made with the fixtures in tests/fuzz/fixtures/TARGET), from the seeds of
# fixtures a target mints when PV_FUZZ_FIXTURES names a directory without
# them, and, when ../shared/testdata (or $PYVERIFY_TESTDATA) exists, from
# real data: conformance and CPython bundles, trusted roots, checkpoints,
# TSA tokens, certificates and DSSE payloads extracted from the bundles
# (needs jq). Crashes are written to build-fuzz/crashes/TARGET/. Exit
# status: libFuzzer's (0 = nothing found).
set -eu
cd "$(dirname "$0")/../.."

if [ $# -lt 2 ]; then
	echo "usage: $0 TARGET SECONDS [libFuzzer options...]" >&2
	exit 2
fi
T=$1
SECS=$2
shift 2
OUT=${FUZZ_BUILD:-build-fuzz}
BIN="$OUT/bin/$T"
CORPUS="$OUT/corpus/$T"
CRASHES="$OUT/crashes/$T"
TD=${PYVERIFY_TESTDATA:-../shared/testdata}
# The repository's fixtures are read, never written: a target mints only
# into a directory that lacks its fixture.
PV_FUZZ_FIXTURES=${PV_FUZZ_FIXTURES:-$PWD/tests/fuzz/fixtures}
export PV_FUZZ_FIXTURES

[ -x "$BIN" ] || { echo "$BIN missing: run tests/fuzz/build.sh" >&2; exit 2; }
mkdir -p "$CORPUS" "$CRASHES"
# Targets' scratch files (fuzz_server's token files), removed at the end.
TMPDIR=$(mktemp -d "$PWD/$OUT/tmp.XXXXXX")
export TMPDIR
trap 'rm -rf "$TMPDIR"' EXIT
trap 'exit 130' INT TERM

# Input size bound per target (bundles and roots are a few KB).
case $T in
fuzz_bundle|fuzz_verify|fuzz_server) MAXLEN=65536 ;;
fuzz_trust_root|fuzz_body) MAXLEN=32768 ;;
*) MAXLEN=16384 ;;
esac

if [ -d "tests/fuzz/corpus/$T" ]; then
	cp -n "tests/fuzz/corpus/$T/"* "$CORPUS/" 2>/dev/null || true
fi
# Mint the fixtures (when missing) and copy their seeds.
"$BIN" -runs=0 "$CORPUS" >/dev/null 2>&1 || true
if [ -d "$PV_FUZZ_FIXTURES/$T/seeds" ]; then
	cp -n "$PV_FUZZ_FIXTURES/$T/seeds/"* "$CORPUS/" 2>/dev/null || true
fi

# seed NAME BYTES-FILE [SELECTOR...]: adds one seed, prefixed with the
# selector bytes the target reads first.
seed() {
	name=$1 file=$2
	shift 2
	{ for b in "$@"; do printf "\\$(printf %03o "$b")"; done
	  cat "$file"; } > "$CORPUS/$name"
}

if [ -d "$TD" ] && [ ! -f "$OUT/corpus/.$T.real-seeds" ]; then
	tmp=$(mktemp -d)
	bundles=$(find "$TD" -name '*.sigstore.json' -o -name '*.sigstore' |
	          sort)
	n=0
	for b in $bundles; do
		n=$((n + 1))
		case $T in
		fuzz_bundle|fuzz_verify)
			seed "real-$n" "$b" ;;
		fuzz_checkpoint)
			jq -j '.verificationMaterial.tlogEntries[]?.inclusionProof
			       .checkpoint.envelope // empty' "$b" \
			    > "$tmp/cp" 2>/dev/null || continue
			[ -s "$tmp/cp" ] || continue
			for sel in 0 1 2; do seed "real-$n-$sel" "$tmp/cp" $sel; done
			;;
		fuzz_body)
			jq -r '.verificationMaterial.tlogEntries[]?
			       .canonicalizedBody // empty' "$b" 2>/dev/null |
			    head -n 1 | base64 -d > "$tmp/body" 2>/dev/null ||
			    continue
			[ -s "$tmp/body" ] || continue
			kv=$(jq -r '.verificationMaterial.tlogEntries[0]
			     .kindVersion | "\(.kind)-\(.version)"' "$b")
			case $kv in
			hashedrekord-0.0.2) k=1 ;; dsse-0.0.1) k=2 ;;
			intoto-0.0.2) k=3 ;; dsse-0.0.2) k=4 ;;
			intoto-0.0.1) k=5 ;; *) k=0 ;;
			esac
			# Against each signed content (byte 0), as logged.
			for c in 0 1 2 3 4 5; do
				seed "real-$n-$c" "$tmp/body" $c $k
			done ;;
		fuzz_tsa)
			jq -r '.verificationMaterial.timestampVerificationData
			       .rfc3161Timestamps[]?.signedTimestamp // empty' \
			    "$b" 2>/dev/null | head -n 1 | base64 -d \
			    > "$tmp/ts" 2>/dev/null || continue
			[ -s "$tmp/ts" ] || continue
			seed "real-$n" "$tmp/ts" ;;
		fuzz_sct_identity)
			jq -r '(.verificationMaterial.certificate.rawBytes //
			        .verificationMaterial.x509CertificateChain
			        .certificates[0].rawBytes) // empty' "$b" \
			    2>/dev/null | base64 -d > "$tmp/crt" 2>/dev/null ||
			    continue
			[ -s "$tmp/crt" ] || continue
			seed "real-$n" "$tmp/crt" ;;
		fuzz_dsse)
			jq -r '.dsseEnvelope.payload // empty' "$b" 2>/dev/null |
			    base64 -d > "$tmp/pl" 2>/dev/null || continue
			[ -s "$tmp/pl" ] || continue
			seed "real-$n" "$tmp/pl" 0 ;;
		esac
	done
	if [ "$T" = fuzz_trust_root ]; then
		n=0
		for r in $(find "$TD" -name '*trusted_root*.json' | sort); do
			n=$((n + 1))
			seed "root-$n" "$r"
		done
	fi
	rm -rf "$tmp"
	: > "$OUT/corpus/.$T.real-seeds"
fi

"$BIN" -max_total_time="$SECS" -max_len="$MAXLEN" -rss_limit_mb=2048 \
    -timeout=10 -print_final_stats=1 -artifact_prefix="$CRASHES/" \
    "$@" "$CORPUS"
