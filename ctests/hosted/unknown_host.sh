#!/usr/bin/env bash
# A host the hosted library does not know:
#  - shared: preloaded into a program whose pj_get_version() names an
#    unknown pjproject, it logs one line and forwards every call to the
#    host's own regc: the scenario's results equal the host alone;
#  - static: the program does not start, with a clear message.
#   unknown_host.sh HOSTED_SO HOSTED_A BUILD_DIR
set -u
so=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
a=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
dir=$3
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
mkdir -p "$dir"
passed=0 failed=0
ok() { echo "unknown host: $1"; passed=$((passed + 1)); }
bad() { echo "unknown host: FAIL: $1"; failed=$((failed + 1)); }

cc -shared -fPIC -o "$dir/libfake_version.so" "$here/fake_version.c" || exit 1
scen=test_basic
oracle_bin=build/difftest/bin/oracle/$scen
[ -x "$oracle_bin" ] || { echo "unknown host: $oracle_bin missing (run make difftest first)"; exit 1; }

# Shared: forwarded, so the checks come out as with the host alone.
for v in 2.17-dev 2.12 3.0; do
  out_fwd=$(FAKE_PJ_VERSION=$v REGC_LOG_LEVEL=4 LD_PRELOAD="$dir/libfake_version.so $so" "$oracle_bin" 2>&1)
  out_host=$(FAKE_PJ_VERSION=$v LD_PRELOAD="$dir/libfake_version.so" "$oracle_bin" 2>&1)
  if echo "$out_fwd" | grep -q "steps aside: pjproject $v is not a release whose layout it knows"; then
    ok "pjproject $v: one line, then the host's own regc serves"
  else
    bad "pjproject $v: no 'steps aside' line"; echo "$out_fwd" | grep regc-hosted | head -3
  fi
  if [ "$(echo "$out_fwd" | grep -c "served by pjsip-regc-rs")" = 0 ] &&
     [ "$(echo "$out_fwd" | grep "CHECK\|expected" | sed 's/^[0-9:. ]*//' )" = "$(echo "$out_host" | grep "CHECK\|expected" | sed 's/^[0-9:. ]*//')" ]; then
    ok "pjproject $v: the scenario's checks come out as with the host alone"
  else
    bad "pjproject $v: forwarded run differs from the host alone"
  fi
done

# Static: refuses to start.
ORACLE_DIR=${ORACLE_DIR:-build/oracle} ORACLE_FIRST=$a \
  ORACLE_CFLAGS="-std=c99 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -g -Iinclude -Ictests/harness" \
  ctests/difftest/oracle.sh link "$dir/static_unknown" ctests/regc/$scen.c ctests/harness/regc_harness.c \
  ctests/harness/registrar_client.c "$here/fake_version.c" || exit 1
out=$(FAKE_PJ_VERSION=2.12 "$dir/static_unknown" 2>&1); rc=$?
if [ $rc = 1 ] && echo "$out" | grep -q "pjproject 2.12 is not a release whose layout it knows" &&
   ! echo "$out" | grep -q "passed"; then
  ok "static archive with pjproject 2.12: does not start (exit 1, clear message)"
else
  bad "static archive with pjproject 2.12: rc=$rc"; echo "$out" | tail -3
fi
out=$("$dir/static_unknown" 2>&1); rc=$?
if [ $rc = 1 ] && echo "$out" | grep -q "pjproject 2.17-dev is not a release"; then
  ok "static archive with pjproject 2.17-dev: does not start"
else
  bad "static archive with pjproject 2.17-dev: rc=$rc"
fi
echo "unknown host: $passed passed, $failed failed"
[ $failed = 0 ]
