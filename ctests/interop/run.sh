#!/usr/bin/env bash
# make interop: the library against servers nobody here wrote.
#
#   ctests/interop/run.sh BINDIR      (BINDIR holds kam_scenarios and
#                                      sipp_scenarios, built by make)
#
# 1. setup.sh installs Kamailio and SIPp when missing (fails loudly if it
#    cannot).
# 2. Kamailio (kamailio.cfg.in) on 127.0.0.1, free UDP, TCP and TLS ports
#    (throwaway certificate), its own run directory under build/; every
#    Kamailio scenario runs against it over UDP, then the TCP list over TCP
#    and over TLS; it is stopped and checked gone.
# 3. Every SIPp scenario (sipp/NAME.xml): SIPp as the UAS on a free port,
#    sipp_scenarios NAME as the client; SIPp's own verdict counts too.
# Prints one line per scenario and closes with "interop: N passed, M failed".
# Leaves nothing running: every server is stopped by its pid / process group
# (trap on exit), and a final pgrep checks that none is left.
set -u
cd "$(dirname "$0")/../.." || exit 2
BIN=${1:-build/interop}
HERE=ctests/interop
RUN=build/interop/run
KAMDIR=$RUN/kamailio
SIPPDIR=$RUN/sipp
PER_SCENARIO_TIMEOUT=${INTEROP_TIMEOUT:-60}

passed=0
failed=0
summary=()
sipp_pid=""
kam_started=0

cleanup() {
  if [ -n "$sipp_pid" ] && kill -0 "$sipp_pid" 2>/dev/null; then
    kill -TERM "$sipp_pid" 2>/dev/null
    sleep 0.2
    kill -KILL "$sipp_pid" 2>/dev/null
  fi
  sipp_pid=""
  if [ "$kam_started" = 1 ]; then
    "$HERE/kamailio.sh" stop "$KAMDIR" >/dev/null 2>&1
    kam_started=0
  fi
}
trap cleanup EXIT
trap 'cleanup; echo "interop: interrupted"; exit 130' INT TERM

# One infrastructure check (not from a C program).
check() { # name ok(0/1) [message]
  if [ "$2" = 0 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    summary+=("FAIL  $1${3:+: $3}")
    echo "FAIL: $1${3:+: $3}"
  fi
}

# Runs one scenario program and adds its "N passed, M failed" line.
run_c() { # label command...
  local label=$1; shift
  local out rc line p f
  out=$(timeout "$PER_SCENARIO_TIMEOUT" "$@" 2>&1); rc=$?
  line=$(printf '%s\n' "$out" | grep -E '(^|: )[0-9]+ passed, [0-9]+ failed' | tail -n 1)
  p=$(printf '%s' "$line" | sed -nE 's/^(.*: )?([0-9]+) passed.*/\2/p')
  f=$(printf '%s' "$line" | sed -nE 's/^(.*: )?[0-9]+ passed, ([0-9]+) failed.*/\2/p')
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  printf '%s\n' "$out" | grep '^note:' | sed 's/^/      /'
  if [ -z "$line" ] || [ "$rc" -ne 0 ]; then
    printf '%s\n' "$out" | grep -v 'os_core_unix.c' >&2
    [ -z "$line" ] && failed=$((failed + 1))
    summary+=("FAIL  $label (exit $rc${line:+, $line})")
    echo "FAIL  $label (exit $rc)"
    return 1
  fi
  summary+=("ok    $label ($p checks)")
  echo "ok    $label ($p checks)"
  return 0
}

free_port() {
  python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# Waits (up to 5 s) until something listens on UDP 127.0.0.1:port.
wait_udp_bound() {
  local hex i
  hex=$(printf '0100007F:%04X' "$1")
  for i in $(seq 1 50); do
    grep -q " $hex " /proc/net/udp 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# ------------------------------------------------------------------ setup
if ! "$HERE/setup.sh"; then
  echo "interop: Kamailio / SIPp are not available (see above)"
  echo "interop: 0 passed, 1 failed"
  exit 1
fi
for b in kam_scenarios sipp_scenarios; do
  if [ ! -x "$BIN/$b" ]; then
    echo "interop: $BIN/$b is missing (build with make interop)"
    echo "interop: 0 passed, 1 failed"
    exit 1
  fi
done
# A previous run that was killed outright (no trap) may have left its
# Kamailio: stop it by the process group it recorded.
[ -f "$KAMDIR/kamailio.pgid" ] && "$HERE/kamailio.sh" stop "$KAMDIR" >/dev/null 2>&1
rm -rf "$RUN"
mkdir -p "$KAMDIR" "$SIPPDIR"
echo "interop: $(kamailio -v 2>/dev/null | head -n 1 | sed 's/^version: //'); $(sipp -v 2>/dev/null | grep -o 'SIPp v[^ ]*' | head -n 1)"

# ------------------------------------------------------------------ Kamailio
# INTEROP_ONLY=kamailio|sipp runs one half (for development).
ONLY=${INTEROP_ONLY:-}
KAM_SCENARIOS=${INTEROP_KAM:-"register_auth refresh update_contact multi_contacts unregister_all min_expires max_expires wrong_password wrong_password_403 stale_nonce table_empty large_register_over_tcp"}
# stale_nonce is UDP only: it lets the nonce age without polling, and over
# TCP the connection itself is only set up by the event loop.
KAM_TCP_SCENARIOS=${INTEROP_KAM_TCP:-"register_auth refresh update_contact multi_contacts unregister_all min_expires max_expires wrong_password"}
# TLS runs the TCP list (Kamailio's certificate from a throwaway CA that
# kamailio.sh makes, verified by the client).
KAM_TLS_SCENARIOS=${INTEROP_KAM_TLS:-$KAM_TCP_SCENARIOS}
if [ "$ONLY" = sipp ]; then
  :
elif "$HERE/kamailio.sh" start "$KAMDIR" -A WITH_TCP -A WITH_TLS; then
  kam_started=1
  check "kamailio start" 0
  # shellcheck disable=SC1091
  . "$KAMDIR/env"
  for s in $KAM_SCENARIOS; do
    run_c "kamailio/$s" "$BIN/kam_scenarios" "$s"
  done
  # The same library over TCP (one connection per registration client).
  for s in $KAM_TCP_SCENARIOS; do
    KAM_TRANSPORT=tcp run_c "kamailio-tcp/$s" "$BIN/kam_scenarios" "$s"
  done
  # And over TLS (Kamailio's tls module; server certificate verified).
  for s in $KAM_TLS_SCENARIOS; do
    KAM_TRANSPORT=tls run_c "kamailio-tls/$s" "$BIN/kam_scenarios" "$s"
  done
  grep -E 'CRITICAL|BUG|segfault' "$KAM_LOG" >/dev/null && check "kamailio log clean" 1 "see $KAM_LOG"
  pgid=$(cat "$KAMDIR/kamailio.pgid" 2>/dev/null)
  "$HERE/kamailio.sh" stop "$KAMDIR"; rc=$?
  kam_started=0
  check "kamailio stopped" "$rc"
  if [ -n "$pgid" ] && pgrep -g "$pgid" >/dev/null 2>&1; then
    check "no kamailio process left" 1 "$(pgrep -g "$pgid" | tr '\n' ' ')"
  else
    check "no kamailio process left" 0
  fi
else
  check "kamailio start" 1 "see $KAMDIR/kamailio.log"
fi

# ------------------------------------------------------------------ SIPp
SIPP_SCENARIOS=${INTEROP_SIPP:-"timeout_100 error_500 busy_503 auth_loop auth_stale_loop auth_ok lost_first dup_200 odd_headers interval_423 interval_423_twice"}
[ "$ONLY" = kamailio ] && SIPP_SCENARIOS=""
for s in $SIPP_SCENARIOS; do
  xml=$(pwd)/$HERE/sipp/$s.xml
  port=$(free_port)
  mkdir -p "$SIPPDIR/$s"
  (
    cd "$SIPPDIR/$s" &&
    exec timeout 40 sipp -sf "$xml" -i 127.0.0.1 -p "$port" -m 1 -nostdin \
      -timeout 30s -timeout_error -trace_err -trace_msg
  ) > "$SIPPDIR/$s/screen.log" 2>&1 < /dev/null &
  sipp_pid=$!
  if ! wait_udp_bound "$port"; then
    check "sipp/$s: SIPp listening" 1 "see $SIPPDIR/$s/screen.log"
    cleanup
    continue
  fi
  SIPP_SERVER="sip:127.0.0.1:$port" run_c "sipp/$s" "$BIN/sipp_scenarios" "$s"
  wait "$sipp_pid"; src=$?
  sipp_pid=""
  if [ "$src" -ne 0 ]; then
    check "sipp/$s: SIPp verdict" 1 "SIPp exited $src (its call failed: unexpected or missing message); see $SIPPDIR/$s"
    tail -n 5 "$SIPPDIR/$s"/*_errors.log 2>/dev/null >&2
  else
    check "sipp/$s: SIPp verdict" 0
  fi
  if [ "$s" = lost_first ]; then
    # SIPp's "Retrans" column for the REGISTER: the client did retransmit.
    retrans=$(awk '$1 == "---------->" && $2 == "REGISTER" { print $4; exit }' "$SIPPDIR/$s/screen.log")
    if [ "${retrans:-0}" -ge 1 ] 2>/dev/null; then
      check "sipp/lost_first: client retransmitted" 0
    else
      check "sipp/lost_first: client retransmitted" 1 "SIPp counted ${retrans:-no} retransmissions"
    fi
  fi
done

# ------------------------------------------------------------------ leftovers
cleanup
sleep 0.2
left=$( (pgrep -f "$(pwd)/$RUN"; pgrep -f "sipp -sf $(pwd)/$HERE/sipp") 2>/dev/null | tr '\n' ' ')
if [ -n "$left" ]; then
  check "nothing left running" 1 "pids $left"
else
  check "nothing left running" 0
fi

echo
echo "interop scenario results:"
printf '  %s\n' "${summary[@]}"
echo "interop: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
