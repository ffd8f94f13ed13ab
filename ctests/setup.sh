#!/usr/bin/env bash
# Installs what the C suite needs beyond a compiler and Python, when
# missing: openssl (the harness's throwaway PKI for the TLS runs) and
# dnsmasq (the DNS server of ctests/dns).
set -u
need=()
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ] || need+=(dnsmasq-base)
[ ${#need[@]} -eq 0 ] && exit 0
exec "$(dirname "$0")/apt_install.sh" "ctest setup" "${need[@]}"
