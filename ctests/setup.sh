#!/usr/bin/env bash
# Installs what the C suite needs beyond a compiler and Python, when
# missing: openssl (the harness's throwaway PKI for the TLS runs).
set -u
command -v openssl >/dev/null 2>&1 && exit 0
exec "$(dirname "$0")/apt_install.sh" "ctest setup" openssl
