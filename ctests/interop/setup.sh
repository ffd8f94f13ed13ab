#!/usr/bin/env bash
# Installs what the interop tests need, from Debian packages, when missing:
#   kamailio     (kamailio, kamcmd; registrar, usrloc, auth, auth_db, db_text, ctl)
#   kamailio-tls-modules (tls.so, for the kamailio-tls scenarios)
#   sip-tester   (sipp)
#   openssl      (throwaway CA and server certificate for Kamailio's TLS)
#   iproute2     (ip: the lossy-link test's namespaces and TUN devices)
# Idempotent and quick when everything is there: apt-get runs only when
# something is missing, with one 'apt-get update' first.
# Exits non-zero with a clear message when it cannot install.
set -u

module_dir() {
  local d
  for d in /usr/lib/x86_64-linux-gnu/kamailio/modules /usr/lib/*/kamailio/modules /usr/lib/kamailio/modules; do
    [ -f "$d/registrar.so" ] && { echo "$d"; return 0; }
  done
  return 1
}

missing() {
  local need=() d m
  if ! command -v kamailio >/dev/null 2>&1 || ! command -v kamcmd >/dev/null 2>&1; then
    need+=(kamailio)
  elif d=$(module_dir); then
    for m in registrar usrloc auth auth_db db_text ctl tm sl pv xlog maxfwd textops siputils kex corex; do
      [ -f "$d/$m.so" ] || { need+=(kamailio); break; }
    done
  else
    need+=(kamailio)
  fi
  if ! d=$(module_dir) || [ ! -f "$d/tls.so" ]; then
    need+=(kamailio-tls-modules)
  fi
  command -v sipp >/dev/null 2>&1 || need+=(sip-tester)
  command -v openssl >/dev/null 2>&1 || need+=(openssl)
  command -v ip >/dev/null 2>&1 || need+=(iproute2)
  echo "${need[@]:-}"
}

need=$(missing)
if [ -z "$need" ]; then
  exit 0
fi

# shellcheck disable=SC2086
"$(dirname "$0")/../apt_install.sh" "interop setup" $need || exit 1
# A package install may start the distribution's own Kamailio service
# (on systemd hosts): the tests run their own instance, so stop that one.
if echo "$need" | grep -qw kamailio && command -v systemctl >/dev/null 2>&1 &&
   systemctl is-active --quiet kamailio 2>/dev/null; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo -n"
  echo "interop setup: stopping and disabling the kamailio.service the package started"
  $SUDO systemctl stop kamailio || true
  $SUDO systemctl disable kamailio >/dev/null 2>&1 || true
fi
still=$(missing)
if [ -n "$still" ]; then
  echo "interop setup: FAILED: still missing after install: $still" >&2
  exit 1
fi
echo "interop setup: done"
