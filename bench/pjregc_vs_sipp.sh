#!/usr/bin/env bash
# pjregc load against SIPp's UAC at registration load (make bench-load).
#
#   pjregc_vs_sipp.sh PJREGC [N [W [ROUNDS]]]     (defaults 20000, 200, 3)
#
# One SIPp UAS (bench/sipp/uas_register.xml: every REGISTER answered 200,
# no authentication, so that only the clients differ) on a free loopback
# port; against it, ROUNDS times in turn:
#   - pjregc load -n N -w W (one thread, then --threads 2),
#   - sipp -sf bench/sipp/uac_register.xml -m N -l W -r 1000000: N calls of
#     one REGISTER each for user<call_number>, at most W at once, started
#     as fast as the limit allows.
# Both rates are N over the wall-clock time of the whole process (start-up
# included), measured the same way; pjregc's own report line is shown too.
# Both SIPp sockets get 4 MB buffers (-buff_size): with the default, lost
# datagrams at this rate cost SIPp 500 ms retransmissions and timeouts (the
# library sizes its own socket's buffer). Prints the best and median rate
# of each. Loopback only; the UAS is stopped by its pid at exit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
pjregc=$1 n=${2:-20000} w=${3:-200} rounds=${4:-3}
command -v sipp >/dev/null || { echo "pjregc_vs_sipp.sh: sipp not installed (ctests/interop/setup.sh)" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pjregc-vs-sipp.XXXXXX")
uas_pid=
cleanup() {
  if [ -n "$uas_pid" ]; then kill "$uas_pid" 2>/dev/null || true; wait "$uas_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

uas_port=$(free_port)
(cd "$tmp" && exec sipp -sf "$here/sipp/uas_register.xml" -i 127.0.0.1 -p "$uas_port" -buff_size 4194304 \
   -nostdin -trace_err >"$tmp/uas.out" 2>&1) &
uas_pid=$!
# SIPp binds before it starts its scenario; give it a moment and check it lives.
sleep 1
kill -0 "$uas_pid" 2>/dev/null || { echo "the SIPp UAS did not start:" >&2; cat "$tmp/uas.out" >&2; exit 1; }

# rate_of OUTFILE COMMAND...: runs the command, its output to OUTFILE;
# prints N / its wall-clock seconds (rounded).
rate_of() {
  local out=$1 start end
  shift
  start=$(date +%s.%N)
  "$@" >"$out" 2>&1
  end=$(date +%s.%N)
  python3 -c "print(round($n / ($end - $start)))"
}

pj1=() pj2=() sp=()
for r in $(seq 1 "$rounds"); do
  rate=$(rate_of "$tmp/pj1.out" "$pjregc" load --registrar "sip:127.0.0.1:$uas_port" -n "$n" -w "$w" --user-prefix "p$r-" \
         --interval 0) ||
    { cat "$tmp/pj1.out"; echo "pjregc load failed" >&2; exit 1; }
  pj1+=("$rate")
  echo "round $r  pjregc (1 thread)   $(printf '%6d' "$rate") reg/s   [$(head -1 "$tmp/pj1.out")]"
  rate=$(rate_of "$tmp/pj2.out" "$pjregc" load --registrar "sip:127.0.0.1:$uas_port" -n "$n" -w "$w" --threads 2 \
         --user-prefix "q$r-" --interval 0) ||
    { cat "$tmp/pj2.out"; echo "pjregc load --threads 2 failed" >&2; exit 1; }
  pj2+=("$rate")
  echo "round $r  pjregc (2 threads)  $(printf '%6d' "$rate") reg/s   [$(head -1 "$tmp/pj2.out")]"
  sipp_port=$(free_port)
  rate=$(cd "$tmp" && rate_of "$tmp/sipp.out" sipp -sf "$here/sipp/uac_register.xml" "127.0.0.1:$uas_port" -i 127.0.0.1 \
         -p "$sipp_port" -m "$n" -l "$w" -r 1000000 -buff_size 4194304 -nostdin) ||
    { tail -30 "$tmp/sipp.out"; echo "sipp failed (calls failed or timed out)" >&2; exit 1; }
  sp+=("$rate")
  echo "round $r  sipp                $(printf '%6d' "$rate") reg/s"
done

summary() { # label rates...
  local label=$1; shift
  printf '%-20s best %6d  median %6d reg/s\n' "$label" \
    "$(printf '%s\n' "$@" | sort -n | tail -1)" "$(printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p")"
}
echo "== N=$n W=$w, same SIPp UAS on 127.0.0.1:$uas_port, $rounds rounds (wall-clock, start-up included)"
summary "pjregc (1 thread)" "${pj1[@]}"
summary "pjregc (2 threads)" "${pj2[@]}"
summary "sipp" "${sp[@]}"
