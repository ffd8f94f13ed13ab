# pjsip-regc-rs: build, test, install.
#   make                 libraries (release) + generated header
#   make test            every test suite (Rust, header check, C suite under ASan)
#   make demo            pjregc register (tools/pjregc) against the test registrar
#   make pjregc          build/pjregc, the command-line tool (register, monitor, load)
#   make pjregc-test     its tests (ctests/tools), built under ASan
#   make bench-load      pjregc load against SIPp, same UAS, N and W (bench/pjregc_vs_sipp.sh)
#   make interop         the C scenarios against real Kamailio and SIPp (installs them)
#   make demo-kamailio   register examples/register.c against a real Kamailio
#   make install PREFIX=/usr/local   (uninstall; install-test: the installed package alone)
#   make hosted          the hosted build: build/hosted/libpjsip_regc_hosted.{so,a}
#   make fuzz            every cargo-fuzz target for FUZZ_SECONDS, then corpus minimization

PREFIX ?= /usr/local
CARGO ?= cargo
CC ?= cc
PYTHON ?= python3

BUILD := build
LIB_RELEASE := target/release/libpjsip_regc.a
LIB_DEBUG := target/debug/libpjsip_regc.a
HEADER := include/pjregc/pjregc.h
CWARN := -std=c99 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L
ASAN := -fsanitize=address,undefined -fno-omit-frame-pointer
SYSLIBS := -lpthread -ldl -lm
# Real pjproject, pip-installed once into the build tree (see ctests/difftest).
ORACLE_DIR ?= $(BUILD)/oracle
ORACLE_STAMP := $(ORACLE_DIR)/.installed-pjsua2-python==2.15.1.post1

.PHONY: all release debug header check-header header-compat test doc rust-test ctest ctest-transports pytest demo \
	hosted hosted-test hosted-symbols hosted-difftest hosted-unknown hosted-log hosted-e2e \
	install uninstall install-test clean bench stress-tsan fuzz \
	interop demo-kamailio pjregc pjregc-test bench-load lossy soak dns-oracle

all: release header pjregc

release:
	$(CARGO) build --release

debug:
	$(CARGO) build

# cbindgen runs in build.rs; copy its output into include/.
header: debug
	@cp "$$(cat target/pjregc-header-path)" $(HEADER)

check-header: debug
	@if ! cmp -s "$$(cat target/pjregc-header-path)" $(HEADER); then \
	  echo "include/pjregc/pjregc.h is stale: run 'make header' and commit it"; \
	  diff -u $(HEADER) "$$(cat target/pjregc-header-path)" | head -40; exit 1; fi
	@echo "generated header up to date"

# rustdoc of both builds, every public item documented (missing_docs in
# lib.rs), no warning allowed.
doc:
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps --features hosted --target-dir target/hosted

# Registrations across a lossy link to Kamailio in network namespaces
# (ctests/lossy/run.sh; needs root): a short form in make test, the full
# one (10 000 accounts over UDP, 1 000 over TCP, several refresh cycles)
# in make soak.
LOSSY_BIN := $(BUILD)/lossy/lossy_client
$(LOSSY_BIN): ctests/lossy/lossy_client.c $(LIB_DEBUG) $(HEADER)
	@mkdir -p $(dir $@)
	$(CC) $(CWARN) $(ASAN) -g -Iinclude -o $@ $< $(LIB_DEBUG) $(SYSLIBS)

lossy: debug $(LOSSY_BIN)
	@./ctests/interop/setup.sh
	ctests/lossy/run.sh $(LOSSY_BIN) 200 1 6

soak: debug $(LOSSY_BIN)
	@./ctests/interop/setup.sh
	LOSSY_TCP_N=1000 LOSSY_TCP_EXPIRES=60 ctests/lossy/run.sh $(LOSSY_BIN) 10000 3 30

# The thread stress (ctests/stress, also in make ctest under ASan) under
# ThreadSanitizer, std included. Outside make test: it builds std (2-3 min).
stress-tsan:
	ctests/stress/tsan.sh $(BUILD)/tsan

rust-test:
	$(CARGO) test --quiet
	$(CARGO) test --quiet --features hosted --target-dir target/hosted

pytest:
	$(PYTHON) -m unittest discover -s ctests -p 'test_*.py'

# Every ctests/**/test_*.c is one program, built against our headers and
# the debug static library under ASan and UBSan, and run from the repo root.
CTEST_SRCS := $(sort $(wildcard ctests/*/test_*.c))
CTEST_BINS := $(patsubst ctests/%.c,$(BUILD)/ctests/%,$(CTEST_SRCS))
HARNESS_SRCS := $(wildcard ctests/harness/*.c)
HARNESS_HDRS := $(wildcard ctests/harness/*.h)

$(BUILD)/ctests/%: ctests/%.c $(HARNESS_SRCS) $(HARNESS_HDRS) $(LIB_DEBUG) $(HEADER)
	@mkdir -p $(dir $@)
	$(CC) $(CWARN) $(ASAN) -g -Iinclude -Ictests/harness -o $@ $< $(filter-out %selftest_registrar.c,$(HARNESS_SRCS)) $(LIB_DEBUG) $(SYSLIBS)

$(BUILD)/selftest_registrar: ctests/harness/selftest_registrar.c ctests/harness/registrar_client.c $(HARNESS_HDRS)
	@mkdir -p $(BUILD)
	$(CC) $(CWARN) $(ASAN) -g -o $@ ctests/harness/selftest_registrar.c ctests/harness/registrar_client.c

# The headers as C++ (C linkage), as C89 and included twice.
header-compat: debug check-header
	@mkdir -p $(BUILD)
	$(CXX) -Wall -Wextra -Werror -Iinclude -o $(BUILD)/headers_cxx ctests/abi/headers_cxx.cpp $(LIB_DEBUG) $(SYSLIBS)
	$(CC) -ansi -Wall -Wextra -Werror -Iinclude -o $(BUILD)/headers_ansi ctests/abi/headers_ansi.c $(LIB_DEBUG) $(SYSLIBS)
	./$(BUILD)/headers_cxx > /dev/null && ./$(BUILD)/headers_ansi && echo "header-compat: 2 passed, 0 failed"

ctest: debug check-header header-compat $(BUILD)/selftest_registrar $(CTEST_BINS)
	@./ctests/setup.sh
	@./ctests/run.sh $(BUILD)/selftest_registrar $(CTEST_BINS)
	@$(MAKE) --no-print-directory ctest-transports

# The scenarios that register over the harness's transport run again over
# IPv6 UDP and over TCP and TLS on both loopbacks ($REGC_TRANSPORT, see
# ctests/harness/regc_harness.h); those that start their own transports say
# REGC_OWN_TRANSPORTS and run once, above.
CTEST_TRANSPORTS := udp6 tcp tcp6 tls tls6
CTEST_PER_TRANSPORT := $(patsubst ctests/%.c,$(BUILD)/ctests/%,$(sort $(shell grep -L REGC_OWN_TRANSPORTS ctests/regc/test_*.c)))

ctest-transports: debug $(CTEST_PER_TRANSPORT)
	@./ctests/setup.sh
	@status=0; for t in $(CTEST_TRANSPORTS); do \
	  REGC_TRANSPORT=$$t ./ctests/run.sh $(CTEST_PER_TRANSPORT) || status=1; done; exit $$status

# Interop against servers nobody here wrote: Kamailio (registrar, digest
# auth) and SIPp (scripted misbehaving UAS). ctests/interop/setup.sh installs
# them with apt-get when missing; run.sh starts and stops them.
INTEROP_BINS := $(BUILD)/interop/kam_scenarios $(BUILD)/interop/sipp_scenarios
INTEROP_DEPS := ctests/interop/interop.c ctests/interop/interop.h

$(BUILD)/interop/%: ctests/interop/%.c $(INTEROP_DEPS) $(HARNESS_SRCS) $(HARNESS_HDRS) $(LIB_DEBUG) $(HEADER)
	@mkdir -p $(dir $@)
	$(CC) $(CWARN) $(ASAN) -g -Iinclude -Ictests/harness -Ictests/interop -o $@ $< ctests/interop/interop.c $(filter-out %selftest_registrar.c,$(HARNESS_SRCS)) $(LIB_DEBUG) $(SYSLIBS)

interop: debug check-header $(INTEROP_BINS)
	@./ctests/interop/run.sh $(BUILD)/interop

# The installed package alone: examples/*.c built out of the tree with
# pkg-config, shared and static, run against the test registrar; uninstall.
install-test: release header
	MAKE="$(MAKE)" CC="$(CC)" PYTHON="$(PYTHON)" ctests/install_test.sh

test: rust-test doc check-header pytest ctest pjregc-test difftest dns-oracle symbols interop lossy hosted-test install-test

# pjregc, the command-line tool (tools/pjregc), linked with the release
# static library like the examples, so it runs without the shared one
# (--gc-sections: without what it never calls).
PJREGC_SRCS := $(sort $(wildcard tools/pjregc/*.c))
pjregc: release
	@mkdir -p $(BUILD)
	$(CC) $(CWARN) -O2 -Iinclude -o $(BUILD)/pjregc $(PJREGC_SRCS) -Wl,--gc-sections $(LIB_RELEASE) $(SYSLIBS)

# Its tests (ctests/tools/run_pjregc_tests.py) on a build under ASan and
# UBSan with the debug library, against the test registrar (about 20 s).
pjregc-test: debug
	@mkdir -p $(BUILD)/tools
	$(CC) $(CWARN) $(ASAN) -g -Iinclude -o $(BUILD)/tools/pjregc-asan $(PJREGC_SRCS) $(LIB_DEBUG) $(SYSLIBS)
	$(PYTHON) ctests/tools/run_pjregc_tests.py $(BUILD)/tools/pjregc-asan

# pjregc register against the test registrar (digest auth, bindings
# capped at 6 s so that refreshes show) for 12 s, then what the registrar
# received.
DEMO_CONFIG := {"realm":"example.org","users":{"alice":"secret"},"auth":{},"max_expires":6}
demo: pjregc check-header
	$(PYTHON) ctests/with_registrar.py --explain --config '$(DEMO_CONFIG)' -- ./$(BUILD)/pjregc register \
	  sip:alice@example.org --registrar 'sip:127.0.0.1:{port}' --password secret --duration 12

# The demo against a real Kamailio (installed by ctests/interop/setup.sh):
# starts it on loopback, registers with refreshes, unregisters, stops it.
demo-kamailio: release check-header
	@mkdir -p $(BUILD)
	$(CC) $(CWARN) -O2 -Iinclude -o $(BUILD)/register examples/register.c $(LIB_RELEASE) $(SYSLIBS)
	./ctests/interop/demo-kamailio.sh $(BUILD)/register $(ARGS)

# pjregc load and SIPp's UAC, the same N accounts and W in flight,
# against one SIPp UAS answering 200 (installs SIPp when missing).
LOAD_N ?= 20000
LOAD_W ?= 200
bench-load: pjregc
	@./ctests/interop/setup.sh
	bench/pjregc_vs_sipp.sh $(BUILD)/pjregc $(LOAD_N) $(LOAD_W)

# This library against pjproject (the oracle wheel), one benchmark source
# linked against each (bench/bench_regc.c), side by side with the ratio
# (bench/run_bench.py): registrations/s, CPU time, bytes per regc (idle,
# at the last 2xx, settled) at each N of BENCH_NS, and at BENCH_BIG_N for
# this library alone; instructions per registration, unregistration and
# refresh (callgrind, marginal between the two N of BENCH_CG_NS); over UDP
# and TCP, with and without digest auth. Then the hosted build inside
# pjproject (bench/hosted_bench.sh). Every run is capped with timeout.
# About 30 minutes at the defaults; a quick run (about 8):
#   make bench BENCH_NS=2000 BENCH_BIG_N=
BENCH_NS ?= 10000 100000
BENCH_BIG_N ?= 1000000
BENCH_CG_NS ?= 500 2500
bench: release check-header $(ORACLE_STAMP) hosted
	@mkdir -p $(BUILD)
	$(CC) $(CWARN) -O2 -Iinclude -o $(BUILD)/bench_regc bench/bench_regc.c $(LIB_RELEASE) $(SYSLIBS)
	ORACLE_DIR=$(ORACLE_DIR) ORACLE_CFLAGS="$(CWARN) -O2 -Iinclude" \
	  ctests/difftest/oracle.sh link $(BUILD)/bench_regc_pjproject bench/bench_regc.c
	$(PYTHON) bench/run_bench.py $(BUILD)/bench_regc $(BUILD)/bench_regc_pjproject \
	  --ns "$(BENCH_NS)" --big-n "$(BENCH_BIG_N)" --cg-ns "$(BENCH_CG_NS)"
	@echo "== inside pjproject 2.15.1: its own regc against the hosted build (valgrind, then CPU time)"
	bench/hosted_bench.sh $(BUILD)/bench_regc_pjproject $(HOSTED_SO)

# ---- fuzzing (fuzz/, nightly + cargo-fuzz; not part of make test) ----
# Each target runs FUZZ_SECONDS under AddressSanitizer, then its corpus is
# minimized in place (a set cover of the edges, to keep it small). The
# bodies are in src/fuzz_targets.rs; `cargo test` replays fuzz/corpus/* and fuzz/regressions/* on stable. A crash lands in
# fuzz/artifacts/<target>/: fix it, and copy the input into
# fuzz/regressions/<target>/ (minimization would drop it from the corpus).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := response challenge uri deframer c_parse endpoint

fuzz:
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked
	@for t in $(FUZZ_TARGETS); do \
	  echo "== $$t ($(FUZZ_SECONDS) s)"; \
	  $(CARGO) +nightly fuzz run $$t -- -max_total_time=$(FUZZ_SECONDS) || exit 1; \
	  $(CARGO) +nightly fuzz cmin $$t -- -set_cover_merge=1 -use_counters=0 || exit 1; \
	done

# ---- the hosted build (../shared/ref/hosted-regc.md) ----
#   make hosted          build/hosted/libpjsip_regc_hosted.so (LD_PRELOAD it, or
#                        link it before libpjsip-ua) and .a (one object, only
#                        pjsip_regc_* global; link it right after -lpjsua)
#   make hosted-test     exported symbols; the difftest scenarios run inside the
#                        wheel's real pjproject with the hosted regc preloaded
#                        (and linked statically) against the wheel alone, and
#                        inside the pybind11 wheel's pjproject 2.14.1; a host
#                        it does not know; the pjsua2 programs of ctests/hosted
#                        inside both wheels, plain and preloaded
HOSTED_DIR := $(BUILD)/hosted
HOSTED_SO := $(HOSTED_DIR)/libpjsip_regc_hosted.so
HOSTED_A := $(HOSTED_DIR)/libpjsip_regc_hosted.a
HOSTED_DIFFTEST_TRANSPORTS ?= tcp

hosted:
	$(CARGO) build --release --features hosted --target-dir target/hosted
	$(CARGO) build --release --features hosted-static --target-dir target/hosted-static
	ctests/hosted/package.sh target/hosted/release/libpjsip_regc.so target/hosted-static/release/libpjsip_regc.a $(HOSTED_DIR)

hosted-symbols: hosted
	ctests/hosted/symbols.sh $(HOSTED_SO) $(HOSTED_A)

hosted-difftest: hosted $(ORACLE_STAMP)
	@status=0; \
	ORACLE_DIR=$(ORACLE_DIR) CC=$(CC) $(PYTHON) ctests/difftest/run.py --build-dir $(BUILD)/difftest --hosted $(HOSTED_SO) || status=1; \
	for t in $(HOSTED_DIFFTEST_TRANSPORTS); do \
	  ORACLE_DIR=$(ORACLE_DIR) CC=$(CC) $(PYTHON) ctests/difftest/run.py --build-dir $(BUILD)/difftest --no-build \
	    --hosted $(HOSTED_SO) --transport $$t || status=1; done; \
	ORACLE_DIR=$(ORACLE_DIR) CC=$(CC) $(PYTHON) ctests/difftest/run.py --build-dir $(BUILD)/difftest --hosted-static $(HOSTED_A) || status=1; \
	ctests/hosted/install_wheels.sh pjsua2-pybind11 && \
	ORACLE_DIR=$(BUILD)/hosted-hosts/pjsua2-pybind11 ORACLE_PKG=pjsua2-pybind11==0.1a3 CC=$(CC) $(PYTHON) ctests/difftest/run.py \
	  --build-dir $(BUILD)/difftest-2.14 --hosted $(HOSTED_SO) || status=1; \
	exit $$status

# A host it does not know: forwarded (shared), refused at start (static).
hosted-unknown: hosted-difftest
	ORACLE_DIR=$(ORACLE_DIR) ctests/hosted/unknown_host.sh $(HOSTED_SO) $(HOSTED_A) $(BUILD)/hosted-unknown

# pjsua2 programs (ctests/hosted/pjsua2_scenario.py) inside both Python
# wheels (pjproject 2.15.1 and 2.14.1), against the test registrar and
# Kamailio, run as they are and with the hosted library preloaded.
hosted-e2e: hosted
	@./ctests/interop/setup.sh
	ctests/hosted/install_wheels.sh
	$(PYTHON) ctests/hosted/run_e2e.py --preload $(HOSTED_SO)
	@# pjsua's own worker thread polling, as most pjsua2 programs run (the
	@# pybind11 wheel holds the GIL in calls, so only the SWIG wheel can).
	$(PYTHON) ctests/hosted/run_e2e.py --preload $(HOSTED_SO) --hosts pjsua2-python --events worker \
	  --workdir $(BUILD)/hosted-e2e-worker

# pjsip's regc log lines, from the host alone and from the hosted build.
hosted-log: hosted-difftest
	ctests/hosted/log_lines.sh $(HOSTED_SO)

hosted-test: hosted-symbols hosted-difftest hosted-unknown hosted-log hosted-e2e

# ---- differential test against real pjproject ----
#   make difftest   build each ctests/regc scenario twice (ours: the test
#                   build line with ASan/UBSan + target/debug/libpjsip_regc.a;
#                   oracle: same source and include/, no sanitizers, linked
#                   against pjproject 2.15.1 from the pjsua2-python wheel),
#                   run both against the same registrar config, compare.
#                   DIFFTEST_ARGS="test_basic -v" narrows / shows more.
#                   The same binaries then run over IPv6 UDP and over TCP on
#                   both loopbacks (--transport; the wheel's TLS does not
#                   work here, so TLS is not compared).
#   make symbols    nm/readelf check of target/debug/libpjsip_regc.{so,a}
#                   against the oracle's exports and our headers.
#   make oracle     pip-installs the wheel once into build/oracle (offline
#                   afterwards) and runs the oracle link smoke test.
# Needs Python 3.11 (the wheel is cp311) and its libpython3.11.so.
DIFFTEST_ARGS ?=
DIFFTEST_TRANSPORTS ?= tcp udp6 tcp6

.PHONY: difftest symbols oracle

$(ORACLE_STAMP):
	ORACLE_DIR=$(ORACLE_DIR) ctests/difftest/oracle.sh install

oracle: $(ORACLE_STAMP)
	ORACLE_DIR=$(ORACLE_DIR) ctests/difftest/oracle.sh smoke

difftest: debug $(ORACLE_STAMP)
	ORACLE_DIR=$(ORACLE_DIR) CC=$(CC) $(PYTHON) ctests/difftest/run.py --build-dir $(BUILD)/difftest --lib $(LIB_DEBUG) $(DIFFTEST_ARGS)
	@status=0; for t in $(DIFFTEST_TRANSPORTS); do \
	  ORACLE_DIR=$(ORACLE_DIR) CC=$(CC) $(PYTHON) ctests/difftest/run.py --build-dir $(BUILD)/difftest \
	    --lib $(LIB_DEBUG) --no-build --transport $$t $(DIFFTEST_ARGS) || status=1; \
	done; exit $$status

# ctests/dns/test_srv (our build runs in ctest) linked against real pjproject:
# the same checks must pass there (the DNS scenarios are not in difftest,
# whose scenarios are ctests/regc).
dns-oracle: $(ORACLE_STAMP)
	@./ctests/setup.sh
	@mkdir -p $(BUILD)/oracle-dns
	ORACLE_DIR=$(ORACLE_DIR) CC=$(CC) ctests/difftest/oracle.sh link $(BUILD)/oracle-dns/test_srv ctests/dns/test_srv.c $(filter-out %selftest_registrar.c,$(HARNESS_SRCS))
	@./ctests/run.sh $(BUILD)/oracle-dns/test_srv

symbols: debug $(ORACLE_STAMP)
	ORACLE_DIR=$(ORACLE_DIR) PYTHON=$(PYTHON) ctests/difftest/symbols.sh target/debug

# ---- installing ----
#   make install [PREFIX=/usr/local] [DESTDIR=...] [COMPAT_PC=1]
#   make uninstall [PREFIX=...] [DESTDIR=...]
# Libraries go to LIBDIR (the shared one as libpjsip_regc.so.$(VERSION) with
# the links .so.$(SOVERSION), its SONAME, and .so), headers to
# $(PREFIX)/include/pjsip-regc, where the .pc file's Cflags point, so that
# <pjsip.h> and <pj/...> never land beside an installed pjproject's. Both
# libraries lose their debug info on the way (the build tree keeps it).
# COMPAT_PC=1 also installs libpjproject.pc (see README).
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
SOVERSION := $(firstword $(subst ., ,$(VERSION)))
PJ_API_VERSION := $(shell awk '/define PJ_VERSION_NUM_MAJOR /{a=$$3} /define PJ_VERSION_NUM_MINOR /{b=$$3} END{print a "." b}' include/pjregc/pj_base.h)
LIBDIR ?= $(PREFIX)/lib
BINDIR ?= $(PREFIX)/bin
INCLUDEDIR ?= $(PREFIX)/include/pjsip-regc
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
# What the static library needs besides libc (rustc --print native-static-libs).
STATIC_LIBS := -lgcc_s -lutil -lrt -lpthread -lm -ldl
STRIP ?= strip
# Refreshes the loader's cache after a real (not DESTDIR) install as root.
LDCONFIG ?= ldconfig
COMPAT_PC ?=
SO_FILE := libpjsip_regc.so.$(VERSION)
PC_SUBST := -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	-e 's|@VERSION@|$(VERSION)|' -e 's|@PJ_VERSION@|$(PJ_API_VERSION)|' -e 's|@STATIC_LIBS@|$(STATIC_LIBS)|'

install: release header pjregc
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(BINDIR)
	install -m 755 $(BUILD)/pjregc $(DESTDIR)$(BINDIR)/pjregc
	$(STRIP) --strip-unneeded $(DESTDIR)$(BINDIR)/pjregc
	install -m 644 $(LIB_RELEASE) $(DESTDIR)$(LIBDIR)/libpjsip_regc.a
	$(STRIP) --strip-debug $(DESTDIR)$(LIBDIR)/libpjsip_regc.a
	install -m 755 target/release/libpjsip_regc.so $(DESTDIR)$(LIBDIR)/$(SO_FILE)
	$(STRIP) --strip-unneeded $(DESTDIR)$(LIBDIR)/$(SO_FILE)
	ln -sf $(SO_FILE) $(DESTDIR)$(LIBDIR)/libpjsip_regc.so.$(SOVERSION)
	ln -sf libpjsip_regc.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libpjsip_regc.so
	cp -R include/. $(DESTDIR)$(INCLUDEDIR)/
	sed $(PC_SUBST) pjsip-regc.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/pjsip-regc.pc
	$(if $(COMPAT_PC),sed $(PC_SUBST) libpjproject.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/libpjproject.pc)
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then $(LDCONFIG) || true; fi

# libpjproject.pc goes only when it is ours (a real pjproject's may be there).
uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libpjsip_regc.a $(DESTDIR)$(LIBDIR)/$(SO_FILE) \
	  $(DESTDIR)$(LIBDIR)/libpjsip_regc.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libpjsip_regc.so \
	  $(DESTDIR)$(PKGCONFIGDIR)/pjsip-regc.pc $(DESTDIR)$(BINDIR)/pjregc
	@# Our header files one by one, then the folders they leave empty.
	@cd include && find . -type f | while read -r f; do rm -f "$(DESTDIR)$(INCLUDEDIR)/$$f"; done; \
	  find . -mindepth 1 -depth -type d | while read -r d; do rmdir "$(DESTDIR)$(INCLUDEDIR)/$$d" 2>/dev/null; done; \
	  rmdir "$(DESTDIR)$(INCLUDEDIR)" 2>/dev/null; true
	@if grep -qs 'pjsip-regc' $(DESTDIR)$(PKGCONFIGDIR)/libpjproject.pc; then \
	  echo "rm -f $(DESTDIR)$(PKGCONFIGDIR)/libpjproject.pc"; rm -f $(DESTDIR)$(PKGCONFIGDIR)/libpjproject.pc; fi
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then $(LDCONFIG) || true; fi

clean:
	$(CARGO) clean
	rm -rf $(BUILD)
