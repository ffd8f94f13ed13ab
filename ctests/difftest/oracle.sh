#!/usr/bin/env bash
# The oracle: real pjproject (2.15.1) from PyPI's pjsua2-python wheel, whose
# Python extension exports the whole pjlib/pjsip C API. Used only as a test
# oracle, fetched at test time into the build tree, never shipped.
#
#   ctests/difftest/oracle.sh install        pip install once into $ORACLE_DIR
#                                            (offline afterwards: a marker file)
#   ctests/difftest/oracle.sh so             path of the shared object
#   ctests/difftest/oracle.sh ldflags        link arguments (after the sources)
#   ctests/difftest/oracle.sh cflags         -DORACLE_LACKS_<fn> for oracle_init.c
#   ctests/difftest/oracle.sh link OUT SRC.. compile + link one oracle program
#                                            (adds oracle_init.c and the flags)
#   ORACLE_FIRST=LIB.a ... link OUT SRC..    the same with LIB.a linked before
#                                            pjproject (the hosted build's
#                                            static archive, which then
#                                            serves pjsip_regc_*)
#   ctests/difftest/oracle.sh smoke          build and run oracle_smoke.c
#   ctests/difftest/oracle.sh line           print the full link line (info)
#
# Environment: ORACLE_DIR (default build/oracle), ORACLE_PKG
# (pjsua2-python==2.15.1.post1), ORACLE_PYTHON (python3.11, the wheel is
# cp311), CC (cc), ORACLE_CFLAGS (compile flags for `link`; default the
# test flags without sanitizers). Run from the repository root.
set -euo pipefail

ORACLE_DIR=${ORACLE_DIR:-build/oracle}
ORACLE_PKG=${ORACLE_PKG:-pjsua2-python==2.15.1.post1}
CC=${CC:-cc}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DEFAULT_CFLAGS="-std=c99 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -g -Iinclude -Ictests/harness"
ORACLE_CFLAGS=${ORACLE_CFLAGS:-$DEFAULT_CFLAGS}
# Functions our headers declare that pjproject 2.15.1 may not export (the
# pybind11 wheel's 2.14.1 is built without TLS).
MAYBE_MISSING="pjsip_regc_get_module pjsip_regc_set_auth_sess pjsip_regc_get_auth_sess pjsip_tls_transport_start2"

die() { echo "oracle.sh: $*" >&2; exit 1; }

pick_python() {
  local c
  for c in "${ORACLE_PYTHON:-}" python3.11 python3; do
    [ -n "$c" ] || continue
    if command -v "$c" >/dev/null 2>&1 &&
       [ "$("$c" -c 'import sys;print("%d.%d"%sys.version_info[:2])' 2>/dev/null)" = "3.11" ]; then
      echo "$c"; return 0
    fi
  done
  die "need Python 3.11 (the wheel is cp311): set ORACLE_PYTHON"
}

marker() { echo "$ORACLE_DIR/.installed-$(printf '%s' "$ORACLE_PKG" | tr -c 'A-Za-z0-9.=_-' _)"; }

do_install() {
  local py m
  m=$(marker)
  if [ -f "$m" ] && find_so >/dev/null 2>&1; then return 0; fi
  py=$(pick_python)
  mkdir -p "$ORACLE_DIR"
  echo "oracle.sh: installing $ORACLE_PKG into $ORACLE_DIR (once)" >&2
  PIP_ROOT_USER_ACTION=ignore "$py" -m pip install --quiet --disable-pip-version-check --no-deps --no-compile \
      --upgrade --target "$ORACLE_DIR" "$ORACLE_PKG" >&2 ||
    die "pip install $ORACLE_PKG failed"
  find_so >/dev/null || die "no pjproject library of $ORACLE_PKG in $ORACLE_DIR"
  "$py" -c 'import sysconfig;print(sysconfig.get_config_var("LIBDIR"))' > "$ORACLE_DIR/.pylibdir"
  touch "$m"
}

# pjsua2-pybind11 (ORACLE_PKG=pjsua2-pybind11==0.1a3) carries pjproject
# 2.14.1 as separate libraries instead of one object.
pybind11_libs() {
  local d=$ORACLE_DIR/pjsua2_pybind11.libs l out=""
  [ -d "$d" ] || return 1
  d=$(cd "$d" && pwd)
  for l in pjsua pjsip-ua pjsip pjlib-util pj; do
    out="$out $(ls "$d"/lib$l-[0-9a-f]*.so.2 2>/dev/null | head -n 1)"
  done
  echo "${out# }"
}

find_so() {
  local so
  case "$ORACLE_PKG" in
    pjsua2-pybind11*) so=$(pybind11_libs | awk '{print $1}') ;;
    *) so=$(ls "$ORACLE_DIR"/pjsua2/_pjsua2*.so 2>/dev/null | head -n 1) ;;
  esac
  [ -n "$so" ] || return 1
  echo "$(cd "$(dirname "$so")" && pwd)/$(basename "$so")"
}

pylibdir() {
  if [ -s "$ORACLE_DIR/.pylibdir" ]; then cat "$ORACLE_DIR/.pylibdir"; return; fi
  "$(pick_python)" -c 'import sysconfig;print(sysconfig.get_config_var("LIBDIR"))'
}

ldflags() {
  local so dir libdir
  so=$(find_so) || die "oracle not installed: run '$0 install'"
  case "$ORACLE_PKG" in
    pjsua2-pybind11*)
      # Old-style RPATH, so that the libraries find each other too.
      echo "$(pybind11_libs) -Wl,--allow-shlib-undefined -Wl,--disable-new-dtags" \
           "-Wl,-rpath,$(dirname "$so") -lpthread -ldl -lm"
      return ;;
  esac
  dir=$(cd "$(dirname "$so")/.." && pwd)
  libdir=$(pylibdir)
  # The extension references libpython's symbols (data ones resolve at load
  # time), so libpython is linked even though the program uses none of it.
  echo "$so -L$libdir -Wl,--no-as-needed -lpython3.11 -Wl,--as-needed" \
       "-Wl,--allow-shlib-undefined" \
       "-Wl,-rpath,$dir/pjsua2:$dir/pjsua2_python.libs:$libdir -lpthread -ldl -lm"
}

all_sos() {
  case "$ORACLE_PKG" in
    pjsua2-pybind11*) pybind11_libs ;;
    *) find_so ;;
  esac
}

cflags() {
  local so s out=""
  so=$(find_so) || die "oracle not installed: run '$0 install'"
  for s in $MAYBE_MISSING; do
    # What ORACLE_FIRST defines needs no stub.
    if [ -n "${ORACLE_FIRST:-}" ] && nm -g --defined-only "$ORACLE_FIRST" 2>/dev/null | awk '{print $NF}' | grep -qx "$s"; then
      continue
    fi
    # shellcheck disable=SC2046
    if ! nm -D --defined-only $(all_sos) | awk '{print $NF}' | grep -qx "$s"; then
      out="$out -DORACLE_LACKS_$s"
    fi
  done
  echo "${out# }"
}

do_link() {
  [ $# -ge 2 ] || die "usage: $0 link OUT SRC..."
  local out=$1; shift
  mkdir -p "$(dirname "$out")"
  # shellcheck disable=SC2046,SC2086
  if [ -n "${ORACLE_FIRST:-}" ]; then
    # The Rust runtime inside the archive needs these from the system.
    $CC $ORACLE_CFLAGS -o "$out" "$@" $(cflags) "$HERE/oracle_init.c" "$ORACLE_FIRST" $(ldflags) -lgcc_s -lutil -lrt
  else
    $CC $ORACLE_CFLAGS -o "$out" "$@" $(cflags) "$HERE/oracle_init.c" $(ldflags)
  fi
}

do_smoke() {
  do_install
  local out="$ORACLE_DIR/bin/oracle_smoke"
  mkdir -p "$ORACLE_DIR/bin"
  # shellcheck disable=SC2046
  $CC -std=c99 -Wall -Wextra -Werror -g -o "$out" "$HERE/oracle_smoke.c" \
      $(cflags) "$HERE/oracle_init.c" $(ldflags)
  "$out"
}

cmd=${1:-}; [ $# -gt 0 ] && shift
case "$cmd" in
  install) do_install ;;
  so) find_so || die "oracle not installed: run '$0 install'" ;;
  ldflags) ldflags ;;
  cflags) cflags ;;
  link) do_link "$@" ;;
  smoke) do_smoke ;;
  line) echo "$CC $ORACLE_CFLAGS -o OUT SCEN.c ctests/harness/regc_harness.c ctests/harness/registrar_client.c $(cflags) $HERE/oracle_init.c $(ldflags)" ;;
  *) sed -n '2,21p' "$0" >&2; exit 2 ;;
esac
