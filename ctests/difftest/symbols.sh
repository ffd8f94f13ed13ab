#!/usr/bin/env bash
# Symbol check (nm/readelf), run from the repository root:
#   ctests/difftest/symbols.sh [LIBDIR]        (LIBDIR default target/debug)
#
# 1. Every function/variable that the oracle (pjproject 2.15.1, from the
#    pjsua2-python wheel; see oracle.sh) exports AND our headers declare
#    (not as a header-inline function) is exported by our cdylib
#    (LIBDIR/libpjsip_regc.so, dynamic symbol table) and by our static lib
#    (LIBDIR/libpjsip_regc.a, a defined global of default visibility).
# 2. Every pjsip_regc_* our headers declare is exported by both, even where
#    2.15.1 lacks it (get_module, set/get_auth_sess).
# 3. Nothing else leaks: each exported defined symbol of either library must
#    start with pj_, pjsip_, pjlib_ or PJ_, or be a Rust mangled symbol
#    (_ZN..., _R...). Anything else fails unless listed, with a reason, in
#    ctests/difftest/symbols_allow.txt. Hidden-visibility globals of the
#    static lib (Rust's compiler_builtins) are not exported and only counted.
# Informational: declared symbols missing from the oracle or from ours that
# no rule covers, and header-inline functions the oracle exports.
# Closing line: "symbols: N passed, M failed". Exit 1 on any failure.
set -uo pipefail

LIBDIR=${1:-target/debug}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PYTHON=${PYTHON:-python3}
SO="$LIBDIR/libpjsip_regc.so"
AR="$LIBDIR/libpjsip_regc.a"
ALLOW="$HERE/symbols_allow.txt"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

passed=0; failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
ok() { passed=$((passed + 1)); }

for f in "$SO" "$AR"; do
  [ -f "$f" ] || { echo "symbols: $f missing (build the library first)"; echo "symbols: 0 passed, 1 failed"; exit 1; }
done
"$HERE/oracle.sh" install || { echo "symbols: oracle unavailable"; echo "symbols: 0 passed, 1 failed"; exit 1; }
ORACLE_SO=$("$HERE/oracle.sh" so)

# Defined dynamic symbols of a shared object (functions, data, weak, ifunc).
nm -D --defined-only "$ORACLE_SO" | awk 'NF>=3 && $2 ~ /^[TDBRVWiu]$/ {print $3}' | sed 's/@.*//' | sort -u > "$TMP/oracle"
nm -D --defined-only "$SO" | awk 'NF>=3 && $2 ~ /^[TDBRVWiu]$/ {print $3}' | sed 's/@.*//' | sort -u > "$TMP/so"
# Static lib: defined GLOBAL/WEAK symbols by visibility.
readelf -sW "$AR" 2>/dev/null | awk '$7 != "UND" && ($5 == "GLOBAL" || $5 == "WEAK") && $8 != "" {print $6, $8}' > "$TMP/a_all"
awk '$1 == "DEFAULT" || $1 == "PROTECTED" {print $2}' "$TMP/a_all" | sort -u > "$TMP/a"
awk '$1 == "HIDDEN" || $1 == "INTERNAL" {print $2}' "$TMP/a_all" | sort -u > "$TMP/a_hidden"

"$PYTHON" "$HERE/header_symbols.py" --include include > "$TMP/decl" || { echo "symbols: cannot scan include/"; echo "symbols: 0 passed, 1 failed"; exit 1; }
awk '$1 == "func" || $1 == "var" {print $2}' "$TMP/decl" | sort -u > "$TMP/declared"
awk '$1 == "inline" {print $2}' "$TMP/decl" | sort -u > "$TMP/inline"

echo "== symbols: ours $SO ($(wc -l < "$TMP/so") dynamic), $AR ($(wc -l < "$TMP/a") exported, $(wc -l < "$TMP/a_hidden") hidden)"
echo "== oracle $(basename "$ORACLE_SO") ($(wc -l < "$TMP/oracle") dynamic); our headers declare $(wc -l < "$TMP/declared") (+$(wc -l < "$TMP/inline") header-inline)"

# 1. oracle ∩ declared
comm -12 "$TMP/oracle" "$TMP/declared" > "$TMP/required"
echo "-- 1. declared by our headers and exported by the oracle: $(wc -l < "$TMP/required")"
while read -r s; do
  miss=""
  grep -qx "$s" "$TMP/so" || miss="$miss cdylib"
  grep -qx "$s" "$TMP/a" || miss="$miss staticlib"
  if [ -n "$miss" ]; then fail "$s: exported by pjproject, declared by include/, missing from:$miss"; else ok; fi
done < "$TMP/required"

# 2. every declared pjsip_regc_*
grep -E '^pjsip_regc_' "$TMP/declared" | comm -23 - "$TMP/required" > "$TMP/regc_extra"
echo "-- 2. declared pjsip_regc_* not in the oracle: $(tr '\n' ' ' < "$TMP/regc_extra")"
while read -r s; do
  [ -n "$s" ] || continue
  miss=""
  grep -qx "$s" "$TMP/so" || miss="$miss cdylib"
  grep -qx "$s" "$TMP/a" || miss="$miss staticlib"
  if [ -n "$miss" ]; then fail "$s: declared by include/, missing from:$miss"; else ok; fi
done < "$TMP/regc_extra"

# 3. leaks
allowed_reason() { # symbol where -> reason or nothing
  awk -v s="$1" -v w="$2" '!/^#/ && NF >= 2 && $1 == s && ($2 == w || $2 == "both") {$1=""; $2=""; sub(/^ +/, ""); print; exit}' "$ALLOW"
}
echo "-- 3. exported symbols without an allowed prefix"
for kind in so a; do
  where=$([ $kind = so ] && echo cdylib || echo staticlib)
  n=0
  while read -r s; do
    [ -n "$s" ] || continue
    n=$((n + 1))
    r=$(allowed_reason "$s" "$kind")
    if [ -n "$r" ]; then echo "allowed: $s ($where): $r"; ok; else fail "$s: exported by the $where without an allowed prefix"; fi
  done < <(grep -v -E '^(pj_|pjsip_|pjlib_|PJ_|_ZN|_R)' "$TMP/$kind")
  [ "$n" -eq 0 ] && { echo "ok: $where exports no unprefixed symbol"; ok; }
done
hid=$(grep -c -v -E '^(pj_|pjsip_|pjlib_|PJ_|_ZN|_R)' "$TMP/a_hidden" || true)
echo "info: staticlib has $hid unprefixed hidden-visibility globals (e.g. $(grep -v -E '^(pj_|pjsip_|pjlib_|PJ_|_ZN|_R)' "$TMP/a_hidden" | head -3 | tr '\n' ' ')): not exported, not counted"

# Informational lists
comm -23 "$TMP/declared" "$TMP/oracle" > "$TMP/ours_only"
[ -s "$TMP/ours_only" ] && echo "info: declared by include/ but not exported by pjproject 2.15.1: $(tr '\n' ' ' < "$TMP/ours_only")"
comm -23 "$TMP/declared" "$TMP/so" | comm -23 - "$TMP/required" | grep -v -E '^pjsip_regc_' > "$TMP/decl_unexported" || true
[ -s "$TMP/decl_unexported" ] && echo "info: declared by include/, not in the oracle, not exported by our cdylib: $(tr '\n' ' ' < "$TMP/decl_unexported")"
comm -12 "$TMP/inline" "$TMP/oracle" > "$TMP/inline_oracle"
[ -s "$TMP/inline_oracle" ] && echo "info: header-inline in include/ (no symbol needed) but exported by pjproject 2.15.1: $(tr '\n' ' ' < "$TMP/inline_oracle")"

echo "symbols: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
