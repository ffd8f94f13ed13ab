# pjsip-regc-rs: build, test, install.
#   make                 libraries (release) + generated header
#   make test            every test suite (Rust, header check, C suite under ASan)
#   make demo            register examples/register.c against the embedded registrar
#   make interop         the C scenarios against real Kamailio and SIPp (installs them)
#   make demo-kamailio   register examples/register.c against a real Kamailio
#   make install PREFIX=/usr/local
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

.PHONY: all release debug header check-header header-compat test rust-test ctest ctest-transports pytest demo \
	hosted hosted-test hosted-symbols hosted-difftest hosted-unknown hosted-log hosted-e2e \
	install clean bench fuzz \
	interop demo-kamailio

all: release header

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

test: rust-test check-header pytest ctest difftest symbols interop hosted-test

demo: release check-header
	@mkdir -p $(BUILD)
	$(CC) $(CWARN) -O2 -Iinclude -Ictests/harness -o $(BUILD)/register examples/register.c ctests/harness/registrar_client.c $(LIB_RELEASE) $(SYSLIBS)
	./$(BUILD)/register $(ARGS)

# Registrations/s and bytes per idle regc, on this library and, for
# comparison, on pjproject (the oracle wheel) from the same source.
N ?= 5000
# The demo against a real Kamailio (installed by ctests/interop/setup.sh):
# starts it on loopback, registers with refreshes, unregisters, stops it.
demo-kamailio: release check-header
	@mkdir -p $(BUILD)
	$(CC) $(CWARN) -O2 -Iinclude -Ictests/harness -o $(BUILD)/register examples/register.c ctests/harness/registrar_client.c $(LIB_RELEASE) $(SYSLIBS)
	./ctests/interop/demo-kamailio.sh $(BUILD)/register $(ARGS)

bench: release check-header $(ORACLE_STAMP) hosted
	@mkdir -p $(BUILD)
	$(CC) $(CWARN) -O2 -Iinclude -o $(BUILD)/bench_regc bench/bench_regc.c $(LIB_RELEASE) $(SYSLIBS)
	ORACLE_DIR=$(ORACLE_DIR) ORACLE_CFLAGS="-std=c99 -O2 -D_POSIX_C_SOURCE=200809L -Iinclude" \
	  ctests/difftest/oracle.sh link $(BUILD)/bench_regc_pjproject bench/bench_regc.c
	@echo "== this library"; ./$(BUILD)/bench_regc $(N)
	@echo "== pjproject 2.15.1"; ./$(BUILD)/bench_regc_pjproject $(N)
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

symbols: debug $(ORACLE_STAMP)
	ORACLE_DIR=$(ORACLE_DIR) PYTHON=$(PYTHON) ctests/difftest/symbols.sh target/debug

install: release header
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include
	install -m 644 $(LIB_RELEASE) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 target/release/libpjsip_regc.so $(DESTDIR)$(PREFIX)/lib/
	cp -R include/. $(DESTDIR)$(PREFIX)/include/
	sed -e 's|@PREFIX@|$(PREFIX)|' pjsip-regc.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/pjsip-regc.pc

clean:
	$(CARGO) clean
	rm -rf $(BUILD)
