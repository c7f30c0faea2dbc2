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
# libcurl: its headers only; lib/net loads libcurl.so.4 at run time
# (dlopen), and no fuzz target uses the test harnesses that link it.
PKGS="openssl jansson libsodium libcurl"
PKG_CFLAGS=$(pkg-config --cflags $PKGS)
PKG_LIBS=$(pkg-config --libs openssl jansson libsodium)
# dlopen is in libc from glibc 2.34 on; -ldl only where it is not.
if ! printf '#include <dlfcn.h>\nint main(void) { return dlopen("x", 0) != 0; }\n' |
     $CC -x c -o /dev/null - 2>/dev/null; then
	PKG_LIBS="$PKG_LIBS -ldl"
fi
WARN="-std=c11 -Wall -Wextra -Werror -Wshadow -Wwrite-strings -Wformat=2 \
-Wno-missing-field-initializers"
DEFS="-D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DPYVERIFY_PREFIX=\"/usr/local\""
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all \
-fno-omit-frame-pointer"
CFLAGS="-O1 -g $WARN $DEFS $SAN -Ilib -Itests/support $PKG_CFLAGS"

ALL_TARGETS="fuzz_bundle fuzz_trust_root fuzz_checkpoint fuzz_body fuzz_tsa
fuzz_sct_identity fuzz_dsse fuzz_verify fuzz_server fuzz_tuf_metadata fuzz_json_member"
# fuzz_server links the daemon (server/ but main.c) and libmicrohttpd.
MHD_CFLAGS=$(pkg-config --cflags libmicrohttpd)
MHD_LIBS=$(pkg-config --libs libmicrohttpd)
TARGETS=${*:-$ALL_TARGETS}

mkdir -p "$OUT/obj" "$OUT/bin"
# Objects: rebuilt when the source or any header is newer.
newest_header=$(ls -t lib/*.h lib/*/*.h server/*.h tests/support/*.h tests/fuzz/*.h |
                head -n 1)
objs=""
srv_objs=""
pids=""
for src in lib/*/*.c tests/support/*.c server/*.c; do
	[ "$src" = server/main.c ] && continue
	obj="$OUT/obj/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')"
	case $src in
	server/*) srv_objs="$srv_objs $obj" ;;
	*) objs="$objs $obj" ;;
	esac
	if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] ||
	   [ "$newest_header" -nt "$obj" ]; then
		$CC $CFLAGS $MHD_CFLAGS -fsanitize=fuzzer-no-link -c -o "$obj" \
		    "$src" &
		pids="$pids $!"
		# At most $JOBS compilers at once.
		set -- $pids
		if [ $# -ge "$JOBS" ]; then
			for p in $pids; do wait "$p"; done
			pids=""
		fi
	fi
done
# A failed compile fails its wait, which stops the script (set -e).
for p in $pids; do wait "$p"; done

# archive A OBJ...: rebuilt when an object is newer or the list changed
# (a source file added or removed).
archive() {
	a=$1
	shift
	if [ -f "$a" ] && [ "$*" = "$(cat "$a.list" 2>/dev/null)" ]; then
		stale=0
		for o in "$@"; do [ "$o" -nt "$a" ] && stale=1; done
		[ $stale = 0 ] && return 0
	fi
	rm -f "$a"
	ar rcs "$a" "$@"
	echo "$*" > "$a.list"
}
archive "$OUT/libpyverify-fuzz.a" $objs
archive "$OUT/libpyverifyd-fuzz.a" $srv_objs

for t in $TARGETS; do
	bin="$OUT/bin/$t"
	if [ -f "$bin" ] && [ ! "tests/fuzz/$t.c" -nt "$bin" ] &&
	   [ ! "$newest_header" -nt "$bin" ] &&
	   [ ! "$OUT/libpyverify-fuzz.a" -nt "$bin" ] &&
	   [ ! "$OUT/libpyverifyd-fuzz.a" -nt "$bin" ]; then
		continue
	fi
	echo "CC $OUT/bin/$t"
	case $t in
	fuzz_server|fuzz_json_member)
		$CC $CFLAGS $MHD_CFLAGS -Iserver -fsanitize=fuzzer \
		    -o "$OUT/bin/$t" "tests/fuzz/$t.c" \
		    "$OUT/libpyverifyd-fuzz.a" "$OUT/libpyverify-fuzz.a" \
		    $MHD_LIBS $PKG_LIBS -lpthread ;;
	*)
		$CC $CFLAGS -fsanitize=fuzzer -o "$OUT/bin/$t" \
		    "tests/fuzz/$t.c" "$OUT/libpyverify-fuzz.a" $PKG_LIBS \
		    -lpthread ;;
	esac
done
