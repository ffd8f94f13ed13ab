#!/usr/bin/env bash
# Start / stop the interop Kamailio (ctests/interop/kamailio.cfg.in).
#
#   kamailio.sh start RUNDIR [-A DEFINE ...]   writes RUNDIR/kamailio.cfg, the
#                 db_text subscriber table, starts Kamailio in the foreground
#                 (own process group, -DD -E, log in RUNDIR/kamailio.log),
#                 waits until its RPC answers, writes RUNDIR/env.
#   kamailio.sh stop RUNDIR                     stops that Kamailio (by the pid
#                 it recorded) and checks that none of its processes is left.
#
# RUNDIR/env (shell syntax) gives KAM_UDP_PORT, KAM_TCP_PORT, KAM_TLS_PORT,
# KAM_SERVER, KAM_CTL, KAM_RPC_FIFO, KAM_LOG, KAM_PID, KAM_REALM, KAM_MIN_EXPIRES,
# KAM_MAX_EXPIRES, KAM_NONCE_EXPIRE and, with -A WITH_TLS, KAM_TLS_CA.
# With -A WITH_TLS, start also makes a throwaway CA and a server certificate
# for 127.0.0.1 / localhost (openssl, keys only in RUNDIR/tls) and writes
# RUNDIR/tls.cfg for Kamailio's tls module (TLSv1.2+).
# Tunables (environment): KAM_MIN_EXPIRES (3), KAM_MAX_EXPIRES (10),
# KAM_NONCE_EXPIRE (2), KAM_REALM (interop.test), KAM_LISTEN_IP (127.0.0.1),
# KAM_PORT (a free one; set it to restart on the same port), KAM_USERS (0:
# also subscribers u0 .. u<N-1>, password "secret"; Kamailio's memory grows
# with N).
set -u
here=$(cd "$(dirname "$0")" && pwd)

free_port() {
  python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# A port free for both UDP and TCP: Kamailio listens on both with one port
# number, where a client moving a large request from UDP to TCP connects.
free_udp_tcp_port() {
  python3 -c 'import socket
for _ in range(50):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        t.bind(("127.0.0.1", u.getsockname()[1]))
    except OSError:
        continue
    print(u.getsockname()[1])
    break'
}

module_path() {
  local d
  for d in /usr/lib/x86_64-linux-gnu/kamailio/modules /usr/lib/*/kamailio/modules /usr/lib/kamailio/modules /usr/local/lib64/kamailio/modules; do
    [ -f "$d/registrar.so" ] && { echo "$d"; return 0; }
  done
  return 1
}

# Throwaway PKI in $1/tls: ca.pem (the clients' trust anchor), srv.pem and
# srv.key (Kamailio's certificate, SAN localhost / 127.0.0.1); and $1/tls.cfg.
make_tls() {
  local rundir=$1 d=$1/tls
  local ec="-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
  command -v openssl >/dev/null || { echo "kamailio.sh: openssl is not installed (run ctests/interop/setup.sh)" >&2; return 1; }
  rm -rf "$d"; mkdir -p "$d" && chmod 700 "$d" || return 1
  # shellcheck disable=SC2086
  if ! ( cd "$d" &&
      openssl req -x509 $ec -keyout ca.key -out ca.pem -days 1 -subj '/CN=kamailio interop CA' &&
      printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > srv.ext &&
      openssl req $ec -keyout srv.key -out srv.csr -subj '/CN=localhost' &&
      openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 1 \
        -extfile srv.ext ) > "$d/openssl.log" 2>&1; then
    echo "kamailio.sh: certificate generation failed:" >&2; tail -10 "$d/openssl.log" >&2; return 1
  fi
  rm -f "$d/ca.key" "$d/srv.csr"
  cat > "$rundir/tls.cfg" <<TLSCFG
# Written by ctests/interop/kamailio.sh: throwaway certificate, TLSv1.2+.
[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
private_key = $d/srv.key
certificate = $d/srv.pem

[client:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
TLSCFG
}

# Subscribers: user:password rows of the db_text table (realm column = KAM_REALM).
USERS="alice bob carol dave erin frank grace heidi ivan judy mallory oscar peggy trent victor walter"

start() {
  local rundir=$1; shift
  local min=${KAM_MIN_EXPIRES:-3} max=${KAM_MAX_EXPIRES:-10} nonce=${KAM_NONCE_EXPIRE:-2}
  local realm=${KAM_REALM:-interop.test} ip=${KAM_LISTEN_IP:-127.0.0.1}
  local mpath port tcp_port tls_port
  # ul.dump builds its whole reply in private memory; bindings, nonces and
  # transactions live in shared memory.
  local pkg_mb=$(( 8 + ${KAM_USERS:-0} / 500 )) shm_mb=$(( 64 + ${KAM_USERS:-0} / 100 ))
  mkdir -p "$rundir" "$rundir/db"
  rundir=$(cd "$rundir" && pwd)
  if [ -f "$rundir/kamailio.pid" ] && kill -0 "$(cat "$rundir/kamailio.pid")" 2>/dev/null; then
    echo "kamailio.sh: a Kamailio from $rundir is still running (pid $(cat "$rundir/kamailio.pid")); stop it first" >&2
    return 1
  fi
  command -v kamailio >/dev/null || { echo "kamailio.sh: kamailio is not installed (run ctests/interop/setup.sh)" >&2; return 1; }
  command -v kamcmd >/dev/null || { echo "kamailio.sh: kamcmd is not installed" >&2; return 1; }
  mpath=$(module_path) || { echo "kamailio.sh: no Kamailio module directory with registrar.so found" >&2; return 1; }
  port=${KAM_PORT:-$(free_udp_tcp_port)}; tcp_port=$port; tls_port=$(free_port)

  # db_text subscriber table: id, username, domain, password, ha1, ha1b.
  {
    echo "id(int,auto) username(string) domain(string) password(string) ha1(string) ha1b(string) "
    local i=1 u
    for u in $USERS; do
      ha1=$(printf '%s' "$u:$realm:secret" | md5sum | cut -d' ' -f1)
      ha1b=$(printf '%s' "$u@$realm:$realm:secret" | md5sum | cut -d' ' -f1)
      echo "$i:$u:$realm:secret:$ha1:$ha1b"; i=$((i + 1))
    done
    # Many accounts (one process for all their digests).
    python3 - "$i" "${KAM_USERS:-0}" "$realm" <<'PY'
import hashlib, sys
first, n, realm = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
md5 = lambda s: hashlib.md5(s.encode()).hexdigest()
for k in range(n):
    u = "u%d" % k
    print("%d:%s:%s:secret:%s:%s" % (first + k, u, realm, md5("%s:%s:secret" % (u, realm)), md5("%s@%s:%s:secret" % (u, realm, realm))))
PY
  } > "$rundir/db/subscriber"
  printf 'table_name(string) table_version(int) \nsubscriber:7\n' > "$rundir/db/version"

  local tls=0 a
  for a in "$@"; do [ "$a" = WITH_TLS ] && tls=1; done
  if [ "$tls" = 1 ]; then
    make_tls "$rundir" || return 1
  else
    rm -f "$rundir/tls.cfg"
  fi

  sed -e "s|@LISTEN_IP@|$ip|g" -e "s|@UDP_PORT@|$port|g" -e "s|@TCP_PORT@|$tcp_port|g" -e "s|@TLS_PORT@|$tls_port|g" \
      -e "s|@MPATH@|$mpath|g" -e "s|@RUNDIR@|$rundir|g" -e "s|@DBDIR@|$rundir/db|g" \
      -e "s|@MIN_EXPIRES@|$min|g" -e "s|@MAX_EXPIRES@|$max|g" -e "s|@NONCE_EXPIRE@|$nonce|g" \
      "$here/kamailio.cfg.in" > "$rundir/kamailio.cfg"

  if ! kamailio -c -f "$rundir/kamailio.cfg" "$@" > "$rundir/check.log" 2>&1; then
    echo "kamailio.sh: configuration check failed:" >&2; tail -20 "$rundir/check.log" >&2; return 1
  fi

  rm -f "$rundir/kamailio_ctl"
  # setsid: Kamailio and its children get their own process group, so stop
  # can signal exactly them.
  setsid kamailio -f "$rundir/kamailio.cfg" -DD -E -m "$shm_mb" -M "$pkg_mb" -Y "$rundir" \
    -P "$rundir/kamailio.pid" "$@" > "$rundir/kamailio.log" 2>&1 < /dev/null &
  local pid=$!
  echo "$pid" > "$rundir/kamailio.pgid"
  local i
  for i in $(seq 1 100); do
    if kamcmd -s "unix:$rundir/kamailio_ctl" core.version >/dev/null 2>&1; then break; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "kamailio.sh: Kamailio exited during start-up:" >&2; tail -30 "$rundir/kamailio.log" >&2; return 1
    fi
    sleep 0.1
  done
  if ! kamcmd -s "unix:$rundir/kamailio_ctl" core.version >/dev/null 2>&1; then
    echo "kamailio.sh: Kamailio RPC did not answer within 10 s" >&2; tail -30 "$rundir/kamailio.log" >&2
    stop "$rundir"; return 1
  fi
  cat > "$rundir/env" <<ENV
export KAM_UDP_PORT=$port
export KAM_TCP_PORT=$tcp_port
export KAM_TLS_PORT=$tls_port
export KAM_SERVER=sip:$ip:$port
export KAM_CTL=unix:$rundir/kamailio_ctl
export KAM_RPC_FIFO=$rundir/kamailio_rpc.fifo
export KAM_LOG=$rundir/kamailio.log
export KAM_PID=$pid
export KAM_REALM=$realm
export KAM_MIN_EXPIRES=$min
export KAM_MAX_EXPIRES=$max
export KAM_NONCE_EXPIRE=$nonce
ENV
  [ "$tls" = 1 ] && echo "export KAM_TLS_CA=$rundir/tls/ca.pem" >> "$rundir/env"
  echo "kamailio $(kamailio -v | sed -n 's/^version: kamailio \([^ ]*\).*/\1/p') on udp:$ip:$port$(grep -q '^export KAM_TLS_CA' "$rundir/env" && echo ", tls:$ip:$tls_port") (pid $pid, run dir $rundir)"
}

stop() {
  local rundir=$1 pgid i
  [ -f "$rundir/kamailio.pgid" ] || return 0
  pgid=$(cat "$rundir/kamailio.pgid")
  if kill -0 "$pgid" 2>/dev/null || pgrep -g "$pgid" >/dev/null 2>&1; then
    kill -TERM -- "-$pgid" 2>/dev/null
    for i in $(seq 1 50); do
      pgrep -g "$pgid" >/dev/null 2>&1 || break
      sleep 0.1
    done
    if pgrep -g "$pgid" >/dev/null 2>&1; then
      kill -KILL -- "-$pgid" 2>/dev/null
      sleep 0.2
    fi
  fi
  if pgrep -g "$pgid" >/dev/null 2>&1; then
    echo "kamailio.sh: Kamailio processes still running in group $pgid:" >&2
    pgrep -a -g "$pgid" >&2
    return 1
  fi
  rm -f "$rundir/kamailio.pgid"
  return 0
}

case "${1:-}" in
  start) shift; [ $# -ge 1 ] || { echo "usage: $0 start RUNDIR [kamailio args]" >&2; exit 2; }; start "$@" ;;
  stop) shift; [ $# -ge 1 ] || { echo "usage: $0 stop RUNDIR" >&2; exit 2; }; stop "$1" ;;
  *) echo "usage: $0 start RUNDIR [-A DEFINE ...] | stop RUNDIR" >&2; exit 2 ;;
esac
