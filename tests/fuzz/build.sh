#!/bin/sh
# build.sh [TARGET...] - builds the libFuzzer targets into build-fuzz/.
# The library and the test support code are compiled with
# -fsanitize=fuzzer-no-link,address,undefined; each target links with
# -fsanitize=fuzzer,address,undefined. Needs clang (>= 14) with libFuzzer.
# Run from anywhere; paths are relative to the repository root.
set -eu
cd "$(dirname "$0")/../.."

CC=${FUZZ_CC:-clang}
OUT=${FUZZ_BUILD:-build-fuzz}
JOBS=${FUZZ_JOBS:-2}
PKGS="openssl jansson libsodium"
PKG_CFLAGS=$(pkg-config --cflags $PKGS)
PKG_LIBS=$(pkg-config --libs $PKGS)
WARN="-std=c11 -Wall -Wextra -Werror -Wshadow -Wwrite-strings -Wformat=2 \
-Wno-missing-field-initializers"
DEFS="-D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DPYVERIFY_PREFIX=\"/usr/local\""
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all \
-fno-omit-frame-pointer"
CFLAGS="-O1 -g $WARN $DEFS $SAN -Ilib -Itests/support $PKG_CFLAGS"

ALL_TARGETS="fuzz_bundle fuzz_trust_root fuzz_checkpoint fuzz_body fuzz_tsa
fuzz_sct_identity fuzz_dsse fuzz_verify"
TARGETS=${*:-$ALL_TARGETS}

mkdir -p "$OUT/obj" "$OUT/bin"
# Objects: rebuilt when the source or any header is newer.
newest_header=$(ls -t lib/*.h tests/support/*.h tests/fuzz/*.h | head -n 1)
objs=""
pids=""
for src in lib/*.c tests/support/*.c; do
	obj="$OUT/obj/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')"
	objs="$objs $obj"
	if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] ||
	   [ "$newest_header" -nt "$obj" ]; then
		$CC $CFLAGS -fsanitize=fuzzer-no-link -c -o "$obj" "$src" &
		pids="$pids $!"
		# At most $JOBS compilers at once.
		set -- $pids
		if [ $# -ge "$JOBS" ]; then
			for p in $pids; do wait "$p"; done
			pids=""
		fi
	fi
done
for p in $pids; do wait "$p"; done
rm -f "$OUT/libpyverify-fuzz.a"
ar rcs "$OUT/libpyverify-fuzz.a" $objs

for t in $TARGETS; do
	echo "CC $OUT/bin/$t"
	$CC $CFLAGS -fsanitize=fuzzer -o "$OUT/bin/$t" "tests/fuzz/$t.c" \
	    "$OUT/libpyverify-fuzz.a" $PKG_LIBS -lpthread
done
