#!/usr/bin/env bash
# pjsip's regc lines in a host's log read the same with the hosted library:
# the scenarios' sip_reg.c lines at level 4 (sender, text, order), from the
# wheel alone and with the hosted library preloaded.
#   log_lines.sh HOSTED_SO
set -u
so=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/../.."
passed=0 failed=0
# The timer heap's dump at shutdown names each pending timer's source
# line and time left: neither is a regc line, and the time is not stable.
lines() { grep -a "sip_reg\.c" | sed 's/^[0-9:.]* *//' | grep -av '^timer\.c'; }
for t in test_basic test_transaction test_lifecycle test_quirks; do
  bin=build/difftest/bin/oracle/$t
  [ -x "$bin" ] || { echo "log lines: $bin missing (run make difftest first)"; exit 1; }
  host=$(REGC_LOG_LEVEL=4 timeout 120 "$bin" 2>&1 | lines)
  ours=$(REGC_LOG_LEVEL=4 LD_PRELOAD=$so timeout 120 "$bin" 2>&1 | lines)
  n=$(printf '%s\n' "$host" | grep -c .)
  if [ "$n" -gt 0 ] && [ "$host" = "$ours" ]; then
    echo "log lines: $t: the same $n sip_reg.c lines"
    passed=$((passed + 1))
  else
    echo "log lines: FAIL: $t:"
    diff <(printf '%s\n' "$host") <(printf '%s\n' "$ours") | sed 's/^/  /' | head -20
    failed=$((failed + 1))
  fi
done
echo "log lines: $passed passed, $failed failed"
[ "$failed" = 0 ]
