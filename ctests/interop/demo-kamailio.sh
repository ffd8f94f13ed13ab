#!/usr/bin/env bash
# make demo-kamailio: examples/register.c against a real Kamailio.
#
#   ctests/interop/demo-kamailio.sh REGISTER_BINARY [SECONDS]
#
# Installs Kamailio if missing (setup.sh), starts it on 127.0.0.1 (a free
# port, run directory build/demo-kamailio, the interop configuration:
# digest auth, bindings capped at 10 s so refreshes show quickly), runs
#   REGISTER_BINARY sip:127.0.0.1:PORT alice secret SECONDS
# shows Kamailio's binding table while registered and after the
# unregistration, and stops Kamailio (also on Ctrl-C).
set -u
cd "$(dirname "$0")/../.." || exit 2
HERE=ctests/interop
BIN=${1:?usage: demo-kamailio.sh REGISTER_BINARY [SECONDS]}
SECONDS_REG=${2:-12}
DIR=build/demo-kamailio
started=0
app=""

cleanup() {
  [ -n "$app" ] && kill "$app" 2>/dev/null
  if [ "$started" = 1 ]; then
    "$HERE/kamailio.sh" stop "$DIR" && echo "kamailio stopped"
    started=0
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$HERE/setup.sh" || { echo "demo-kamailio: Kamailio is not available (see above)"; exit 1; }
rm -rf "$DIR"
"$HERE/kamailio.sh" start "$DIR" || exit 1
started=1
# shellcheck disable=SC1091
. "$DIR/env"
echo "subscriber alice / secret, realm = the To domain; max_expires $KAM_MAX_EXPIRES s, min_expires $KAM_MIN_EXPIRES s"
echo

# line-buffered output so the callbacks interleave with the table dumps
LINEBUF=""; command -v stdbuf >/dev/null 2>&1 && LINEBUF="stdbuf -oL"
$LINEBUF "$BIN" "$KAM_SERVER" alice secret "$SECONDS_REG" &
app=$!
sleep 3
echo
echo "--- Kamailio's location table for alice (kamcmd ul.lookup location alice):"
kamcmd -s "$KAM_CTL" ul.lookup location alice | grep -E 'AoR|Address|Expires|Call-ID|CSeq' | sed 's/^[[:space:]]*/    /'
echo
wait "$app"; rc=$?
app=""
echo
echo "--- after the program exited:"
# kamcmd answers a lookup of an AOR with no binding left with an error
# ("500 - AOR not found in location table", exit status 0): here that is
# the success.
after=$(kamcmd -s "$KAM_CTL" ul.lookup location alice 2>&1)
if echo "$after" | grep -q 'AOR not found'; then
  echo "    no binding left for alice: the unregistration removed it"
  echo "    (kamcmd ul.lookup reports that as an error: $after)"
else
  echo "    alice still has a binding (the unregistration did not remove it):"
  echo "$after" | sed 's/^/    /'
  rc=1
fi
echo "--- REGISTERs Kamailio received: $(grep -c 'INTEROP RX|m=REGISTER' "$KAM_LOG") (each one challenged with 401 first, then sent with credentials)"
echo "    full log: $KAM_LOG"
exit "$rc"
