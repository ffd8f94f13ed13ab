#!/usr/bin/env bash
# Installs Debian packages for the tests: apt_install.sh LABEL PACKAGE...
# One 'apt-get update' first; as root, or through password-less sudo.
# Exits non-zero with a clear message (prefixed by LABEL) when it cannot.
set -u
label=$1; shift
[ $# -gt 0 ] || exit 0
echo "$label: installing Debian packages: $*"
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "$label: FAILED: need root (or password-less sudo) to apt-get install $*" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "$label: FAILED: apt-get is not available; install $* by hand" >&2
  exit 1
fi
log=$(mktemp)
if ! $SUDO apt-get update -qq >"$log" 2>&1; then
  echo "$label: FAILED: apt-get update failed:" >&2
  tail -5 "$log" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
if ! $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"; then
  echo "$label: FAILED: apt-get install $* failed (package unavailable?)" >&2
  exit 1
fi
