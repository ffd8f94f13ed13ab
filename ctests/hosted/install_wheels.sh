#!/usr/bin/env bash
# Installs, once, the two pjproject Python hosts of the hosted end-to-end test
# (ctests/hosted/run_e2e.py) into build/hosted-hosts/:
#
#   build/hosted-hosts/pjsua2-python    pjsua2-python==2.15.1.post1 (SWIG,
#       pjproject 2.15.1 linked into pjsua2/_pjsua2.cpython-311-*.so)
#   build/hosted-hosts/pjsua2-pybind11  pjsua2-pybind11==0.1a3 (pybind11,
#       pjproject 2.14.1 as shared libraries in pjsua2_pybind11.libs/)
#
#   ctests/hosted/install_wheels.sh [HOST...]     (default: both)
#
# Idempotent: a marker file per host; offline once installed. Environment:
# HOSTED_HOSTS_DIR (default build/hosted-hosts), HOSTED_PYTHON (python3.11:
# the wheels are cp311). Run from the repository root (or anywhere: paths
# are resolved against the repository).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
dest=${HOSTED_HOSTS_DIR:-$root/build/hosted-hosts}
py=${HOSTED_PYTHON:-python3.11}

die() { echo "install_wheels.sh: $*" >&2; exit 1; }

command -v "$py" >/dev/null 2>&1 || die "$py not found (the wheels are cp311): set HOSTED_PYTHON"
[ "$("$py" -c 'import sys;print("%d.%d"%sys.version_info[:2])')" = 3.11 ] ||
  die "$py is not Python 3.11 (the wheels are cp311)"

pkg_of() {
  case "$1" in
    pjsua2-python) echo "pjsua2-python==2.15.1.post1" ;;
    pjsua2-pybind11) echo "pjsua2-pybind11==0.1a3" ;;
    *) die "unknown host '$1' (pjsua2-python | pjsua2-pybind11)" ;;
  esac
}

install_one() {
  local host=$1 pkg dir marker
  pkg=$(pkg_of "$host")
  dir=$dest/$host
  marker=$dir/.installed-$(printf '%s' "$pkg" | tr -c 'A-Za-z0-9.=_-' _)
  if [ -f "$marker" ] && { compgen -G "$dir/pjsua2*.so" >/dev/null ||
                            compgen -G "$dir/pjsua2/_pjsua2*.so" >/dev/null; }; then
    return 0
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  echo "install_wheels.sh: installing $pkg into $dir (once)" >&2
  PIP_ROOT_USER_ACTION=ignore "$py" -m pip install --quiet --disable-pip-version-check \
      --no-deps --no-compile --target "$dir" "$pkg" >&2 || die "pip install $pkg failed"
  # The import must work from that directory alone.
  PYTHONPATH=$dir "$py" -c 'import pjsua2' || die "import pjsua2 from $dir failed"
  touch "$marker"
}

hosts=("$@")
[ ${#hosts[@]} -gt 0 ] || hosts=(pjsua2-python pjsua2-pybind11)
for h in "${hosts[@]}"; do install_one "$h"; done
