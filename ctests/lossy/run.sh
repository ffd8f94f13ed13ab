#!/usr/bin/env bash
# Registrations across a lossy link: the client and Kamailio in two network
# namespaces made here, joined by a point-to-point link with 10% loss, 5%
# duplication and 50 ms +- 30 ms delay each way (so packets overtake one
# another). This kernel has no sch_netem, so the link is a TUN device in
# each namespace and ctests/lossy/link.py carries the packets between them,
# impairing them as netem would. Runs ctests/lossy/lossy_client over UDP
# and then TCP; Kamailio is restarted on the same port in the middle of
# each run.
#
#   run.sh CLIENT N CYCLES [EXPIRES]   e.g. run.sh build/lossy/lossy_client 200 1 6
#
# LOSSY_TCP_N and LOSSY_TCP_EXPIRES (default N and EXPIRES) size the TCP
# run apart: all its accounts share one connection, which this link's loss
# and reordering hold to a few tens of registrations a second, so a load
# UDP carries can be more than it can refresh in time.
#
# Needs root (namespaces, TUN), kamailio, kamcmd, iproute2 and python3
# (ctests/interop/setup.sh installs them).
set -u
client=$1 n=${2:-200} cycles=${3:-1} expires=${4:-10}
tcp_n=${LOSSY_TCP_N:-$n} tcp_expires=${LOSSY_TCP_EXPIRES:-$expires}
users=$(( n > tcp_n ? n : tcp_n )) max_expires=$(( expires > tcp_expires ? expires : tcp_expires ))
here=$(cd "$(dirname "$0")" && pwd)
tag=$$
cli=regc-lossy-cli-$tag kam=regc-lossy-kam-$tag
run=$(mktemp -d /tmp/regc-lossy.XXXXXX)
link_pid=

cleanup() {
  ip netns exec "$kam" "$here/../interop/kamailio.sh" stop "$run/kam" >/dev/null 2>&1
  if [ -n "$link_pid" ]; then kill "$link_pid" 2>/dev/null; wait "$link_pid" 2>/dev/null; fi
  ip netns del "$cli" 2>/dev/null
  ip netns del "$kam" 2>/dev/null
  [ -n "${LOSSY_KEEP:-}" ] || rm -rf "$run"
}
trap cleanup EXIT

ip netns add "$cli" && ip netns add "$kam" || { echo "lossy: cannot create network namespaces (root needed)" >&2; exit 2; }
for ns in "$cli" "$kam"; do
  ip -n "$ns" link set lo up && ip -n "$ns" tuntap add dev rl0 mode tun || exit 2
done
ip -n "$cli" addr add 10.99.0.1 peer 10.99.0.2 dev rl0 && ip -n "$kam" addr add 10.99.0.2 peer 10.99.0.1 dev rl0 || exit 2
python3 "$here/link.py" "$cli" rl0 "$kam" rl0 ${LOSSY_LINK_ARGS:-} >"$run/link.out" 2>"$run/link.err" &
link_pid=$!
for _ in $(seq 100); do grep -q ready "$run/link.out" 2>/dev/null && break; sleep 0.05; done
grep -q ready "$run/link.out" || { echo "lossy: link emulator did not start:" >&2; cat "$run/link.err" >&2; exit 2; }
for ns in "$cli" "$kam"; do ip -n "$ns" link set rl0 up || exit 2; done

start_kam() {
  KAM_LISTEN_IP=10.99.0.2 KAM_USERS=$users KAM_MAX_EXPIRES=$max_expires KAM_NONCE_EXPIRE=30 KAM_PORT=${1:-} \
    ip netns exec "$kam" "$here/../interop/kamailio.sh" start "$run/kam" -A WITH_TCP >/dev/null
}
start_kam || exit 2
# shellcheck disable=SC1091
. "$run/kam/env"
status=0
for t in udp tcp; do
  tn=$n te=$expires
  [ $t = tcp ] && tn=$tcp_n te=$tcp_expires
  LOSSY_AORS="python3 $here/bound_aors.py $KAM_RPC_FIFO" LOSSY_N=$tn LOSSY_CYCLES=$cycles LOSSY_EXPIRES=$te LOSSY_TRANSPORT=$t LOSSY_LOCAL_IP=10.99.0.1 \
    LOSSY_STOP="ip netns exec $kam $here/../interop/kamailio.sh stop $run/kam" \
    LOSSY_START="KAM_LISTEN_IP=10.99.0.2 KAM_USERS=$users KAM_MAX_EXPIRES=$max_expires KAM_NONCE_EXPIRE=30 KAM_PORT=$KAM_UDP_PORT ip netns exec $kam $here/../interop/kamailio.sh start $run/kam -A WITH_TCP >/dev/null" \
    ip netns exec "$cli" "$client" || status=1
done
kill "$link_pid" 2>/dev/null; wait "$link_pid" 2>/dev/null; link_pid=
sed 's/^/lossy: /' "$run/link.err"
[ $status = 0 ] && echo "lossy: $n accounts over UDP and $tcp_n over TCP: passed" || echo "lossy: FAILED"
exit $status
