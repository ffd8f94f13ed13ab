#!/usr/bin/env bash
# The hosted regc against the host's own, in the same process setup: one
# benchmark program linked against real pjproject (the wheel), run as it is
# and with build/hosted/libpjsip_regc_hosted.so preloaded.
#   hosted_bench.sh BENCH_BINARY HOSTED_SO [N]
# Prints instructions per registration (callgrind; the marginal cost
# between N1 and N2 registrations, so set-up and tear-down cancel out) and
# CPU time per registration (user + system, N registrations, best of 3).
# Each run is capped (timeout) so that a hang fails make bench.
set -euo pipefail
bin=$1 so=$2 n=${3:-10000}
n1=500 n2=2500
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

instructions() { # preload N -> total Ir
  local pre=$1 count=$2 out=$tmp/cg.$RANDOM
  if [ -n "$pre" ]; then
    BENCH_SETTLE_MS=0 timeout 900 env LD_PRELOAD="$pre" valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" "$count" >/dev/null 2>"$tmp/vg.err"
  else
    BENCH_SETTLE_MS=0 timeout 900 valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" "$count" >/dev/null 2>"$tmp/vg.err"
  fi
  awk '/^summary:/ {print $2}' "$out"
}

cpu_us() { # preload N -> best user+sys microseconds per registration of 3 runs
  python3 - "$bin" "$2" "$1" <<'PY'
import os, resource, subprocess, sys
binary, n, pre = sys.argv[1], int(sys.argv[2]), sys.argv[3]
env = dict(os.environ, BENCH_SETTLE_MS="0")
if pre:
    env["LD_PRELOAD"] = pre
best = None
for _ in range(3):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([binary, str(n)], env=env, stdout=subprocess.DEVNULL, check=True, timeout=300)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    best = cpu if best is None else min(best, cpu)
print("%.1f" % (best * 1e6 / n))
PY
}

printf "%-32s %28s %22s\n" "regc" "instructions/registration" "CPU us/registration"
for mode in host hosted; do
  pre=""
  label="pjproject 2.15.1's own regc"
  if [ "$mode" = hosted ]; then pre=$(cd "$(dirname "$so")" && pwd)/$(basename "$so"); label="hosted (preloaded)"; fi
  i1=$(instructions "$pre" $n1)
  i2=$(instructions "$pre" $n2)
  per=$(( (i2 - i1) / (n2 - n1) ))
  printf "%-32s %28s %22s\n" "$label" "$per" "$(cpu_us "$pre" "$n")"
done
echo "(the whole process: the host's transactions and transport, the in-process UAS answering, and the regc;"
echo " the difference between the two lines is the regc's own)"
