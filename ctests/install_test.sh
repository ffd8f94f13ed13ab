#!/usr/bin/env bash
# make install-test: the installed package on its own.
#
# Installs into a temporary PREFIX (with COMPAT_PC=1), copies examples/*.c
# out of the tree and builds each one there with nothing but what
# `pkg-config` says (PKG_CONFIG_PATH = that prefix), linked to the shared
# library (rpath from the .pc's libdir) and to the static one; runs them
# against the test registrar; builds register.c through the compatibility
# libpjproject.pc; checks the SONAME, the file names and that no debug info
# was installed; runs the installed pjregc (--help, a short load); then
# `make uninstall` must leave no file behind.
# Expects `make release header` done (the Makefile target sees to it).
set -u
cd "$(dirname "$0")/.." || exit 2
MAKE=${MAKE:-make}
CC=${CC:-cc}
PYTHON=${PYTHON:-python3}
command -v pkg-config >/dev/null 2>&1 || ctests/apt_install.sh "install-test" pkgconf || exit 1

work=$(mktemp -d "${TMPDIR:-/tmp}/pjsip-regc-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
passed=0 failed=0
ok() { echo "  ok   $1"; passed=$((passed + 1)); }
bad() { echo "  FAIL $1"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@" >"$work/out" 2>&1; then ok "$what"; else bad "$what"; sed 's/^/       /' "$work/out"; fi; }

# LDCONFIG=true: a test install must not touch the system's loader cache.
if ! $MAKE --no-print-directory install PREFIX="$prefix" COMPAT_PC=1 LDCONFIG=true >"$work/install.log" 2>&1; then
  cat "$work/install.log"; echo "install-test: make install failed"; exit 1
fi
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
libdir=$(pkg-config --variable=libdir pjsip-regc)
version=$(pkg-config --modversion pjsip-regc)

check "headers only under include/pjsip-regc" test "$(ls "$prefix/include")" = pjsip-regc
check "SONAME libpjsip_regc.so.${version%%.*}" \
  sh -c "readelf -d '$libdir/libpjsip_regc.so.$version' | grep -q 'SONAME.*\[libpjsip_regc.so.${version%%.*}\]'"
check "libpjsip_regc.so -> .so.${version%%.*} -> .so.$version" \
  test "$(readlink "$libdir/libpjsip_regc.so")" = "libpjsip_regc.so.${version%%.*}" -a \
       "$(readlink "$libdir/libpjsip_regc.so.${version%%.*}")" = "libpjsip_regc.so.$version"
for lib in "$libdir/libpjsip_regc.so.$version" "$libdir/libpjsip_regc.a"; do
  check "no debug info in ${lib##*/}" sh -c "! readelf -S -W '$lib' | grep -q ' \.debug_'"
done

# Out of the tree: only the installed headers and libraries can be found.
mkdir -p "$work/src"
cp examples/*.c "$work/src/"
cflags="-std=c99 -Wall -Wextra -Werror -O2 $(pkg-config --cflags pjsip-regc)"
shared_libs="$(pkg-config --libs pjsip-regc) -Wl,-rpath,$libdir"
# -l:libpjsip_regc.a: the archive even though the .so is beside it.
static_libs=$(pkg-config --static --libs pjsip-regc | sed 's/-lpjsip_regc\b/-l:libpjsip_regc.a/')
for src in "$work"/src/*.c; do
  name=$(basename "$src" .c)
  # shellcheck disable=SC2086
  check "build $name (shared)" $CC $cflags -o "$work/$name-shared" "$src" $shared_libs
  # shellcheck disable=SC2086
  check "build $name (static)" $CC $cflags -o "$work/$name-static" "$src" $static_libs -Wl,--gc-sections
done
check "register-shared needs libpjsip_regc.so.${version%%.*}" \
  sh -c "readelf -d '$work/register-shared' | grep -q 'NEEDED.*\[libpjsip_regc.so.${version%%.*}\]'"
check "register-static needs no libpjsip_regc" sh -c "! readelf -d '$work/register-static' | grep -q libpjsip_regc"
# shellcheck disable=SC2046
check "build register via libpjproject.pc" \
  $CC $cflags -o "$work/register-compat" "$work/src/register.c" $(pkg-config --cflags --libs libpjproject) -Wl,-rpath,"$libdir"

# Against the test registrar: digest auth, 2-second bindings so that
# refreshes happen within the 3 seconds register stays registered.
users='"alice":"secret"'
echo "aor,registrar,user,password" >"$work/accounts.in"
for i in $(seq 1 50); do
  users="$users,\"user$i\":\"pw$i\""
  echo "sip:user$i@example.org,sip:127.0.0.1:@PORT@,user$i,pw$i" >>"$work/accounts.in"
done
config="{\"realm\":\"example.org\",\"users\":{$users},\"auth\":{},\"max_expires\":2}"
# Runs a program against a fresh registrar ({port} in its arguments is the
# registrar's port); passes when its output has a line matching $2.
expect() {
  local what=$1 pattern=$2; shift 2
  "$PYTHON" ctests/with_registrar.py --config "$config" -- "$@" >"$work/out" 2>&1
  if grep -Eq "$pattern" "$work/out"; then ok "$what"; else bad "$what"; sed 's/^/       /' "$work/out"; fi
}
for kind in shared static compat; do
  expect "register-$kind: registers, refreshes, unregisters" '^callback: .*code=200 .*\(unregistered\)' \
    "$work/register-$kind" 'sip:127.0.0.1:{port}' alice secret 3
  grep -c 'code=200' "$work/out" | grep -qx '[3-9]' || bad "register-$kind: no refresh seen"
done
for kind in shared static; do
  expect "register_many-$kind: 50 accounts" '^unregistered 50 of 50$' \
    sh -c "sed 's/@PORT@/{port}/' '$work/accounts.in' >'$work/accounts.csv' && exec '$work/register_many-$kind' '$work/accounts.csv' 127.0.0.1"
done

# The installed tool: every command's --help, and a short load with
# digest auth (and unregistration) against the test registrar.
check "pjregc installed without debug info" sh -c "! readelf -S -W '$prefix/bin/pjregc' | grep -q ' \.debug_'"
for cmd in "" register monitor load; do
  # shellcheck disable=SC2086
  check "pjregc${cmd:+ $cmd} --help" sh -c "'$prefix/bin/pjregc' $cmd --help | grep -q '^usage: pjregc'"
done
config="{\"realm\":\"example.org\",\"users\":{$(seq -f '"load%g":"pw"' 0 49 | paste -sd,)},\"auth\":{}}"
expect "pjregc load: 50 accounts, 10 in flight" '^unregistered: 50 of 50 succeeded' \
  "$prefix/bin/pjregc" load --registrar 'sip:127.0.0.1:{port}' -n 50 -w 10 --user-prefix load --password pw --unregister
grep -q '^registered: 50 of 50 succeeded' "$work/out" || bad "pjregc load: registrations"

$MAKE --no-print-directory uninstall PREFIX="$prefix" LDCONFIG=true >"$work/uninstall.log" 2>&1 || { cat "$work/uninstall.log"; bad "make uninstall"; }
check "make uninstall leaves no file" test -z "$(find "$prefix" \( -type f -o -type l \) -print)"

echo "install-test: $passed passed, $failed failed"
[ "$failed" = 0 ]
