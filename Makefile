# pyverify - verify Sigstore bundles. One Makefile, no autotools.
#
# Variables you may override:
#   CC, CFLAGS (default -O2 -g), LDFLAGS, PREFIX (/usr/local), DESTDIR
#
# Targets:
#   make                build/pyverify, build/pyverifyd, build/libpyverify.{a,so},
#                       build/pyverify.pc, and build/tuf-client (the TUF
#                       conformance suite's client under test; not installed)
#   make check          install missing packages (as root), build, run every
#                       test, then the unit tests again under ASan + UBSan,
#                       then every fuzz target briefly (fuzz-check)
#   make test           unit and CLI tests only (no package install, no ASan)
#   make test-asan      unit tests built with AddressSanitizer and UBSan
#   make bench          speed measurements, printed as ratios
#   make bench-server   pyverifyd throughput under wrk, as ratios
#   make install        PREFIX=... DESTDIR=... (LIBDIR, SYSTEMD_UNIT_DIR)
#   make deb            the Debian packages (deploy/debian), built in a
#                       temporary copy of the tree; the .deb files land in
#                       DEB_OUT (build/deb)
#   make package-check  (part of check) build the packages, lintian, install
#                       them into a temporary root, --version, man -l,
#                       systemd-analyze verify, completions, and the
#                       deploy/hooks/distro snippets in real package builds
#   make lint           banned functions; include rules of lib/README.md
#   make fuzz           libFuzzer, FUZZ_SECONDS (60) per target (clang)
#   make fuzz-check     every fuzz target for FUZZ_CHECK_SECONDS (15), two at
#                       a time, from the seeds in tests/fuzz/corpus; a crash
#                       fails

.SUFFIXES:

CC      ?= cc
CFLAGS  ?= -O2 -g
LDFLAGS ?=
PREFIX  ?= /usr/local
DESTDIR ?=
LIBDIR  ?= $(PREFIX)/lib
SYSTEMD_UNIT_DIR ?= $(PREFIX)/lib/systemd/system

# libcurl is compiled against (lib/net's types) but not linked: lib/net
# loads libcurl.so.4 at the first network call (dlopen), so a process that
# never uses the network does not pay for loading it and its ~20
# dependencies. Test harnesses that are HTTP clients themselves link it
# (CURL_LIBS).
PKGS     = openssl jansson libsodium libcurl
LINK_PKGS = openssl jansson libsodium
DEB_PKGS = libssl-dev libjansson-dev libcurl4-openssl-dev libsodium-dev \
           libcriterion-dev libmicrohttpd-dev pkg-config openssl scdoc
# make package-check: building and checking the Debian packages, the RPM
# snippet (rpm) and the completions (bash-completion, zsh).
PKG_DEB_PKGS = debhelper lintian devscripts fakeroot rpm bash-completion zsh \
               man-db systemd
# clang 14's libFuzzer and sanitizer runtimes (libclang_rt.fuzzer-x86_64.a)
# are in libclang-rt-14-dev, only a Recommends of clang: named explicitly.
FUZZ_DEB_PKGS = clang libclang-rt-14-dev
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# dlopen is in libc from glibc 2.34 on; -ldl only where it is not.
DL_LIBS    := $(shell printf '\043include <dlfcn.h>\nint main(void) { return dlopen("x", 0) != 0; }\n' | \
                $(CC) -x c -o /dev/null - 2>/dev/null || echo -ldl)
PKG_LIBS   := $(shell pkg-config --libs $(LINK_PKGS) 2>/dev/null) $(DL_LIBS)
CURL_LIBS  := $(shell pkg-config --libs libcurl 2>/dev/null)
MHD_LIBS   := $(shell pkg-config --libs libmicrohttpd 2>/dev/null)
CRIT_LIBS  := $(shell pkg-config --libs criterion 2>/dev/null || echo -lcriterion)

WARN    = -std=c11 -Wall -Wextra -Werror -Wshadow -Wwrite-strings -Wformat=2 \
          -Wno-missing-field-initializers
DEFS    = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
          -DPYVERIFY_PREFIX='"$(PREFIX)"'
HARDEN  = -fstack-protector-strong -fPIC -fvisibility=hidden $(FORTIFY)
# glibc's _FORTIFY_SOURCE needs an optimising build (it warns, and -Werror
# fails, at -O0), so it is added whenever CFLAGS optimise.
FORTIFY = $(if $(filter-out -O0,$(filter -O%,$(CFLAGS))),-D_FORTIFY_SOURCE=2)
# Each object records the headers it includes (-MMD), so a header change
# rebuilds exactly the objects that include it.
DEPFLAGS = -MMD -MP
LDHARDEN = -Wl,-z,relro,-z,now,-z,noexecstack
ALL_CFLAGS = $(WARN) $(DEFS) $(HARDEN) $(DEPFLAGS) -Ilib $(PKG_CFLAGS) $(CFLAGS)

BUILD ?= build
VERSION := $(shell sed -n 's/^\#define PYVERIFY_VERSION "\(.*\)"/\1/p' lib/pyverify.h)
# lib/ is layered, one folder a layer (lib/README.md): util, crypto, format,
# verify, cpython, net, tuf, sign; lib/pyverify.h is the public API.
LIB_LAYERS = util crypto format verify cpython net tuf sign
LIB_SRC  = $(sort $(foreach l,$(LIB_LAYERS),$(wildcard lib/$(l)/*.c)))
CMD_SRC  = $(sort $(wildcard cmd/*.c))
SRV_SRC  = $(sort $(wildcard server/*.c))
SUP_SRC  = $(sort $(wildcard tests/support/*.c))
TEST_SRC = $(sort $(wildcard tests/test_*.c))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CMD_OBJ  = $(CMD_SRC:%.c=$(BUILD)/obj/%.o)
SRV_OBJ  = $(SRV_SRC:%.c=$(BUILD)/obj/%.o)
SUP_OBJ  = $(SUP_SRC:%.c=$(BUILD)/obj/%.o)
TESTS    = $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
DEPS     = $(LIB_OBJ:.o=.d) $(CMD_OBJ:.o=.d) $(SRV_OBJ:.o=.d) \
           $(SUP_OBJ:.o=.d) $(TESTS:=.d)

SERVER_BIN = $(if $(SRV_SRC),$(BUILD)/pyverifyd)

MAN_PAGES = $(BUILD)/man/pyverify.1 $(BUILD)/man/pyverifyd.8 \
            $(BUILD)/man/libpyverify.3

all: $(BUILD)/pyverify $(BUILD)/libpyverify.a $(BUILD)/libpyverify.so \
     $(BUILD)/pyverify.pc $(SERVER_BIN) $(BUILD)/tuf-client $(MAN_PAGES)

# The man pages: scdoc sources next to what they document.
$(BUILD)/man/pyverify.1: cmd/pyverify.1.scd
	@mkdir -p $(@D)
	scdoc < $< > $@
$(BUILD)/man/pyverifyd.8: server/pyverifyd.8.scd
	@mkdir -p $(@D)
	scdoc < $< > $@
$(BUILD)/man/libpyverify.3: lib/libpyverify.3.scd
	@mkdir -p $(@D)
	scdoc < $< > $@

# PREFIX is compiled in (trusted-root and policy locations) and written to
# the .pc file: a different PREFIX must rebuild them, so it is kept in a
# stamp file that changes only when PREFIX does.
PREFIX_STAMP = $(BUILD)/prefix.stamp
$(PREFIX_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(PREFIX) $(LIBDIR)' | cmp -s - $@ || echo '$(PREFIX) $(LIBDIR)' > $@
FORCE:

$(BUILD)/obj/%.o: %.c $(PREFIX_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libpyverify.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $(LIB_OBJ)

$(BUILD)/libpyverify.so: $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libpyverify.so.0 $(LDHARDEN) $(LDFLAGS) \
	    $(CFLAGS) -o $@ $(LIB_OBJ) $(PKG_LIBS)

$(BUILD)/pyverify: $(CMD_OBJ) $(BUILD)/libpyverify.a
	$(CC) $(LDHARDEN) $(LDFLAGS) $(CFLAGS) -o $@ $(CMD_OBJ) \
	    $(BUILD)/libpyverify.a $(PKG_LIBS) -lpthread

$(BUILD)/pyverifyd: $(SRV_OBJ) $(BUILD)/libpyverify.a
	$(CC) $(LDHARDEN) $(LDFLAGS) $(CFLAGS) -o $@ $(SRV_OBJ) \
	    $(BUILD)/libpyverify.a $(MHD_LIBS) $(PKG_LIBS) -lpthread

$(BUILD)/pyverify.pc: Makefile $(PREFIX_STAMP)
	@mkdir -p $(@D)
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' \
	    'includedir=$${prefix}/include' '' 'Name: pyverify' \
	    'Description: Offline Sigstore bundle verification' \
	    'Version: $(VERSION)' \
	    '# libcurl (libcurl.so.4) is loaded at run time, at the first' \
	    '# network call (dlopen): not a link dependency.' \
	    'Requires.private: libcrypto jansson libsodium' \
	    'Libs: -L$${libdir} -lpyverify' 'Libs.private: $(DL_LIBS)' \
	    'Cflags: -I$${includedir}' > $@

# Unit tests: one Criterion binary per tests/test_*.c, linked with the
# static library (internal symbols included) and tests/support.
$(BUILD)/tests/%: tests/%.c $(SUP_OBJ) $(BUILD)/libpyverify.a $(PREFIX_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/support -o $@ $< $(SUP_OBJ) \
	    $(BUILD)/libpyverify.a $(CRIT_LIBS) $(MHD_LIBS) $(PKG_LIBS) \
	    $(CURL_LIBS) -lpthread

# The public header alone, strict C11 and pedantic (libgit2's headertest).
$(BUILD)/headertest: tests/headertest.c lib/pyverify.h $(BUILD)/libpyverify.a
	@mkdir -p $(@D)
	$(CC) -std=c11 -pedantic -Wall -Wextra -Werror -Ilib $(CFLAGS) \
	    $(LDFLAGS) -o $@ tests/headertest.c $(BUILD)/libpyverify.a \
	    $(PKG_LIBS) -lpthread

tests-build: $(TESTS) $(BUILD)/pyverify $(SERVER_BIN) $(BUILD)/headertest \
             $(BUILD)/tuf-client

# The client under test of the TUF conformance suite
# (tests/tuf-conformance/README.md): built, never installed; linked
# dynamically against libc so the suite's faketime reaches its clock.
$(BUILD)/tuf-client: tests/tuf-conformance/tuf_client.c \
                     $(BUILD)/libpyverify.a $(PREFIX_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDHARDEN) $(LDFLAGS) -o $@ $< \
	    $(BUILD)/libpyverify.a $(PKG_LIBS) -lpthread

# Each test binary runs from the repository root so it finds
# ../shared/testdata relative to it (PYVERIFY_TESTDATA overrides).
# A sanitizer report fails the run even where Criterion would not notice
# it (LeakSanitizer speaks after a test has already passed).
SAN_REPORT = ERROR: (Address|Leak)Sanitizer|runtime error:
test: tests-build
	@fail=0; $(BUILD)/headertest || { echo "headertest failed"; fail=1; }; \
	for t in $(TESTS); do \
	    echo "== $$t"; \
	    PYVERIFY_BUILD=$(BUILD) $$t --jobs 2 --verbose > $$t.log 2>&1; \
	    rc=$$?; \
	    grep -vE '^\[(RUN |PASS)\]' $$t.log; \
	    if grep -qE '$(SAN_REPORT)' $$t.log; then \
	        echo "sanitizer report in $$t"; fail=1; fi; \
	    [ $$rc -eq 0 ] || { echo "$$t failed (exit $$rc)"; fail=1; }; \
	done; \
	awk '/Synthesis: Tested:/ { for (i = 1; i <= NF; i++) { \
	        if ($$i == "Passing:") p += $$(i + 1); \
	        if ($$i == "Failing:") f += $$(i + 1); \
	        if ($$i == "Crashing:") f += $$(i + 1); } } \
	    /^\[SKIP\]/ { k++ } \
	    END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, k }' \
	    $(TESTS:%=%.log); \
	exit $$fail

SAN = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
test-asan:
	$(MAKE) BUILD=build-asan CFLAGS="-O1 -g $(SAN)" LDFLAGS="$(SAN)" test

check: deps
	$(MAKE) lint
	$(MAKE) all
	$(MAKE) test
	$(MAKE) test-asan
	$(MAKE) fuzz-check
	$(MAKE) package-check

# Installs the Debian packages that are missing (as root), or says how.
deps:
	@missing=""; for p in $(DEB_PKGS) $(FUZZ_DEB_PKGS) $(PKG_DEB_PKGS); do \
	    dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	        apt-get install -y -qq $$missing; \
	else \
	    echo "missing packages; run as root:"; \
	    echo "  apt-get install -y$$missing"; exit 1; \
	fi

BENCH_BINS = $(BUILD)/bench/bench_verify $(BUILD)/bench/mkfixture \
    $(BUILD)/bench/bench_exec
$(BUILD)/bench/bench_exec: tests/bench/bench_exec.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $<
$(BUILD)/bench/bench_verify: tests/bench/bench_verify.c $(BUILD)/libpyverify.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libpyverify.a $(PKG_LIBS) -lpthread
# The virtual Sigstore: the tests/support/vs_* files (the others use
# Criterion).
VS_OBJ = $(filter $(BUILD)/obj/tests/support/vs_%,$(SUP_OBJ))
$(BUILD)/bench/mkfixture: tests/bench/mkfixture.c $(VS_OBJ) \
    $(BUILD)/libpyverify.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/support -o $@ $< \
	    $(VS_OBJ) \
	    $(BUILD)/libpyverify.a $(PKG_LIBS) -lpthread

bench: all $(BENCH_BINS)
	sh tests/bench/run.sh $(BUILD)

# pyverifyd under wrk on loopback (installs wrk as root), 10 s per run.
bench-server: all $(BENCH_BINS)
	sh tests/bench/server/run.sh $(BUILD) 10

# Interoperability: bundles made by pyverify's signer against the loopback
# fake services, verified by sigstore-js (needs node, npm and the npm
# registry; not part of check). tests/interop/sigstore-js.sh.
$(BUILD)/interop/mkbundles: tests/interop/mkbundles.c $(SUP_OBJ) \
    $(BUILD)/libpyverify.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/support -o $@ $< $(SUP_OBJ) \
	    $(BUILD)/libpyverify.a $(CRIT_LIBS) $(MHD_LIBS) $(PKG_LIBS) \
	    $(CURL_LIBS) -lpthread

# Built by every test run, so that the benchmark and interop programs
# cannot break unnoticed between the runs that use them.
tests-build: $(BENCH_BINS) $(BUILD)/interop/mkbundles

interop: all $(BUILD)/interop/mkbundles
	sh tests/interop/sigstore-js.sh $(BUILD)

# libFuzzer targets for every parser of untrusted bytes and for pyverifyd's
# request handling (needs clang with libFuzzer; jq for the optional seeds
# from ../shared/testdata). fuzz runs long and keeps its corpus in
# build-fuzz/; fuzz-check (part of check) runs each target briefly on a
# temporary copy of the seeds in tests/fuzz/corpus, so a parser regression
# fails CI without ../shared or the network.
FUZZ_SECONDS ?= 60
FUZZ_CHECK_SECONDS ?= 15
FUZZ_TARGETS = fuzz_bundle fuzz_trust_root fuzz_checkpoint fuzz_body \
               fuzz_tsa fuzz_sct_identity fuzz_dsse fuzz_verify fuzz_server \
               fuzz_tuf_metadata fuzz_json_member
fuzz:
	tests/fuzz/build.sh
	for t in $(FUZZ_TARGETS); do \
	    tests/fuzz/run.sh $$t $(FUZZ_SECONDS) || exit 1; done

fuzz-check:
	tests/fuzz/build.sh $(FUZZ_TARGETS)
	tests/fuzz/check.sh $(FUZZ_CHECK_SECONDS) $(FUZZ_TARGETS)

install: all
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBDIR) \
	    $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(PREFIX)/include \
	    $(DESTDIR)$(PREFIX)/share/pyverify \
	    $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man3 \
	    $(DESTDIR)$(PREFIX)/share/man/man8 \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	    $(DESTDIR)$(PREFIX)/share/zsh/vendor-completions
	cp $(BUILD)/pyverify $(DESTDIR)$(PREFIX)/bin/
	if [ -x $(BUILD)/pyverifyd ]; then cp $(BUILD)/pyverifyd $(DESTDIR)$(PREFIX)/bin/; fi
	cp $(BUILD)/libpyverify.a $(DESTDIR)$(LIBDIR)/
	cp $(BUILD)/libpyverify.so $(DESTDIR)$(LIBDIR)/libpyverify.so.0
	ln -sf libpyverify.so.0 $(DESTDIR)$(LIBDIR)/libpyverify.so
	cp $(BUILD)/pyverify.pc $(DESTDIR)$(LIBDIR)/pkgconfig/
	cp lib/pyverify.h $(DESTDIR)$(PREFIX)/include/
	if [ -d policy ] && ls policy/*.json >/dev/null 2>&1; then \
	    cp policy/*.json $(DESTDIR)$(PREFIX)/share/pyverify/; fi
	cp $(BUILD)/man/pyverify.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	cp $(BUILD)/man/libpyverify.3 $(DESTDIR)$(PREFIX)/share/man/man3/
	cp $(BUILD)/man/pyverifyd.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	cp cmd/completion/pyverify.bash \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions/pyverify
	cp cmd/completion/_pyverify $(DESTDIR)$(PREFIX)/share/zsh/vendor-completions/
	# The units name the installed paths (/usr/local in the source).
	if [ -x $(BUILD)/pyverifyd ]; then \
	    mkdir -p $(DESTDIR)$(SYSTEMD_UNIT_DIR) && \
	    for u in pyverifyd.service pyverifyd.socket; do \
	        sed 's|/usr/local/|$(PREFIX)/|g' deploy/systemd/$$u \
	            > $(DESTDIR)$(SYSTEMD_UNIT_DIR)/$$u || exit 1; done; fi

# The Debian packages (deploy/debian), built from a temporary copy of the
# tree so nothing is left in the checkout; the .deb, .buildinfo and
# .changes files land in DEB_OUT.
DEB_OUT ?= $(BUILD)/deb
deb:
	sh tests/package/build_deb.sh $(DEB_OUT)

# Builds the packages and checks them, and runs the distribution snippets
# in real package builds (tests/package/check.sh).
package-check:
	sh tests/package/check.sh $(BUILD)/package-check $(BUILD)

BANNED = strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|atoll|strtok|sscanf
lint:
	@! grep -nE "(^|[^_a-z])($(BANNED)) *\(" $(LIB_SRC) cmd/*.c $(SRV_SRC) \
	    || { echo "banned function used (see BANNED in the Makefile)"; \
	         exit 1; }
	@echo "lint: no banned functions"
	@sh tests/lint/includes.sh

clean:
	rm -rf build build-asan

# Test-support objects are kept between builds (make would delete them as
# intermediates of the test binaries and rebuild them every time).
.SECONDARY: $(SUP_OBJ)

-include $(DEPS)


.PHONY: interop
.PHONY: FORCE all bench-server check fuzz fuzz-check deps test test-asan tests-build bench install lint clean deb package-check
