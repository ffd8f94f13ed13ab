#!/bin/sh
# The thread stress under ThreadSanitizer: the library and Rust's std are
# built with -Zsanitizer=thread (nightly, -Zbuild-std, so std's own locks
# are seen too), the C side with gcc's -fsanitize=thread, and the program
# linked against Rust's TSan runtime (gcc's libtsan lacks hooks the
# nightly instrumentation calls). Any report fails the run (exit 66).
set -eu
out=${1:-build/tsan}
target=x86_64-unknown-linux-gnu
rustup component list --toolchain nightly --installed | grep -q '^rust-src' ||
    rustup component add rust-src --toolchain nightly
RUSTFLAGS="-Zsanitizer=thread" cargo +nightly build --quiet -Zbuild-std --target $target --target-dir "$out/target"
mkdir -p "$out/obj"
for f in ctests/stress/test_threads.c ctests/harness/regc_harness.c ctests/harness/registrar_client.c; do
    ${CC:-cc} -std=c99 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -fsanitize=thread -g \
        -Iinclude -Ictests/harness -c -o "$out/obj/$(basename "$f" .c).o" "$f"
done
rt="$(rustc +nightly --print sysroot)/lib/rustlib/$target/lib/librustc-nightly_rt.tsan.a"
${CC:-cc} -g -o "$out/test_threads" "$out"/obj/*.o "$out/target/$target/debug/libpjsip_regc.a" \
    -Wl,--whole-archive "$rt" -Wl,--no-whole-archive -lpthread -ldl -lm -lstdc++
TSAN_OPTIONS="halt_on_error=0 exitcode=66 ${TSAN_OPTIONS:-}" "$out/test_threads"
