#!/usr/bin/env bash
# Registrations across a lossy link: the client and Kamailio in two network
# namespaces made here, joined by a veth pair. Both ends drop 10% and
# duplicate 5% of the packets they send (nftables on the egress hook: this
# kernel has no sch_netem, so neither netem's delay nor its reordering is
# available; duplicates and retransmissions still arrive out of order). Runs
# ctests/lossy/lossy_client over UDP and then TCP; Kamailio is restarted
# on the same port in the middle of each run.
#
#   run.sh CLIENT N CYCLES [EXPIRES]   e.g. run.sh build/lossy/lossy_client 200 1 6
#
# Needs root (namespaces, nft), kamailio, kamcmd, iproute2 and nftables
# (ctests/interop/setup.sh installs them).
set -u
client=$1 n=${2:-200} cycles=${3:-1} expires=${4:-10}
here=$(cd "$(dirname "$0")" && pwd)
tag=$$
cli=regc-lossy-cli-$tag kam=regc-lossy-kam-$tag
run=$(mktemp -d /tmp/regc-lossy.XXXXXX)

cleanup() {
  ip netns exec "$kam" "$here/../interop/kamailio.sh" stop "$run/kam" >/dev/null 2>&1
  ip netns del "$cli" 2>/dev/null
  ip netns del "$kam" 2>/dev/null
  [ -n "${LOSSY_KEEP:-}" ] || rm -rf "$run"
}
trap cleanup EXIT

ip netns add "$cli" && ip netns add "$kam" || { echo "lossy: cannot create network namespaces (root needed)" >&2; exit 2; }
ip link add "lc$tag" type veth peer name "lk$tag" || exit 2
ip link set "lc$tag" netns "$cli" && ip link set "lk$tag" netns "$kam" || exit 2
ip -n "$cli" addr add 10.99.0.1/30 dev "lc$tag" && ip -n "$kam" addr add 10.99.0.2/30 dev "lk$tag" || exit 2
for ns in "$cli" "$kam"; do ip -n "$ns" link set lo up; done
ip -n "$cli" link set "lc$tag" up && ip -n "$kam" link set "lk$tag" up || exit 2
impair() { # namespace device
  ip netns exec "$1" nft -f - <<NFT
table netdev lossy {
  chain out {
    type filter hook egress device "$2" priority 0;
    numgen random mod 20 0 dup to "$2"
    numgen random mod 10 0 drop
  }
}
NFT
}
impair "$cli" "lc$tag" && impair "$kam" "lk$tag" || exit 2

start_kam() {
  KAM_LISTEN_IP=10.99.0.2 KAM_USERS=$n KAM_MAX_EXPIRES=$expires KAM_NONCE_EXPIRE=30 KAM_PORT=${1:-} \
    ip netns exec "$kam" "$here/../interop/kamailio.sh" start "$run/kam" -A WITH_TCP >/dev/null
}
start_kam || exit 2
# shellcheck disable=SC1091
. "$run/kam/env"
status=0
for t in udp tcp; do
  LOSSY_N=$n LOSSY_CYCLES=$cycles LOSSY_EXPIRES=$expires LOSSY_TRANSPORT=$t LOSSY_LOCAL_IP=10.99.0.1 \
    LOSSY_STOP="ip netns exec $kam $here/../interop/kamailio.sh stop $run/kam" \
    LOSSY_START="KAM_LISTEN_IP=10.99.0.2 KAM_USERS=$n KAM_MAX_EXPIRES=$expires KAM_NONCE_EXPIRE=30 KAM_PORT=$KAM_UDP_PORT ip netns exec $kam $here/../interop/kamailio.sh start $run/kam -A WITH_TCP >/dev/null" \
    ip netns exec "$cli" "$client" || status=1
done
[ $status = 0 ] && echo "lossy: $n accounts over UDP and TCP: passed" || echo "lossy: FAILED"
exit $status
