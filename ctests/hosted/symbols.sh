#!/usr/bin/env bash
# The hosted build exports exactly pjproject 2.17's 25 pjsip_regc_*
# functions and nothing else, and carries no dependency on a pjproject
# library (it uses the host's):
#   symbols.sh SO A
set -u
so=$1 a=$2
want=$(for n in create destroy destroy2 get_info get_pool init add_ref dec_ref set_reg_tsx_cb set_via_sent_by \
  set_delay_before_refresh set_credentials set_prefs set_route_set set_transport release_transport add_headers \
  register unregister unregister_all update_contact update_expires send set_auth_sess get_auth_sess; do
  echo "pjsip_regc_$n"; done | sort)
passed=0 failed=0
check() {
  local what=$1 got=$2
  if [ "$got" = "$want" ]; then
    echo "hosted symbols: $what exports the 25 pjsip_regc_* functions and nothing else"
    passed=$((passed + 1))
  else
    echo "hosted symbols: FAIL: $what:"
    diff <(echo "$want") <(echo "$got") | sed 's/^/  /'
    failed=$((failed + 1))
  fi
}
check "$so (nm -D --defined-only)" "$(nm -D --defined-only "$so" | awk '{print $NF}' | sort)"
check "$a (global definitions)" "$(nm -g --defined-only "$a" | awk 'NF == 3 {print $3}' | sort)"
if readelf -d "$so" | grep NEEDED | grep -qi 'libpj'; then
  echo "hosted symbols: FAIL: $so depends on a pjproject library:"; readelf -d "$so" | grep NEEDED
  failed=$((failed + 1))
else
  echo "hosted symbols: $so needs no pjproject library (it uses the host's)"
  passed=$((passed + 1))
fi
# Host functions are found at run time, never by the loader: nothing to
# resolve, so preloading it into any program (even with LD_BIND_NOW, and
# into one without pjsip) cannot fail.
undef=$(nm -D --undefined-only "$so" | awk '{print $NF}' | grep '^pj' || true)
if [ -z "$undef" ] && LD_BIND_NOW=1 LD_PRELOAD=$(cd "$(dirname "$so")" && pwd)/$(basename "$so") /bin/true; then
  echo "hosted symbols: $so leaves no pj* symbol to the loader and preloads into /bin/true with LD_BIND_NOW=1"
  passed=$((passed + 1))
else
  echo "hosted symbols: FAIL: undefined pj* symbols in $so: $undef"
  failed=$((failed + 1))
fi
echo "hosted symbols: $passed passed, $failed failed"
[ "$failed" = 0 ]
