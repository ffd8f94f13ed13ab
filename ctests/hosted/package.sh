#!/usr/bin/env bash
# Packages the hosted build (make hosted):
#   package.sh SO A OUTDIR
# SO is cargo's cdylib of --features hosted, A its staticlib of
# --features hosted-static. Writes OUTDIR/libpjsip_regc_hosted.so and
# OUTDIR/libpjsip_regc_hosted.a. The archive holds one relocatable object
# in which only the 25 pjsip_regc_* functions are global: the Rust runtime
# inside cannot clash with anything else the program links.
set -euo pipefail
so=$1 a=$2 out=$3
names="create destroy destroy2 get_info get_pool init add_ref dec_ref set_reg_tsx_cb set_via_sent_by
set_delay_before_refresh set_credentials set_prefs set_route_set set_transport release_transport add_headers
register unregister unregister_all update_contact update_expires send set_auth_sess get_auth_sess"
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
keep=$tmp/keep.txt
for n in $names; do echo "pjsip_regc_$n"; done > "$keep"

install -m 755 "$so" "$out/libpjsip_regc_hosted.so"

ld -r --whole-archive "$a" -o "$tmp/hosted.o"
objcopy --strip-debug --remove-section=.llvmbc --remove-section=.llvmcmd --keep-global-symbols="$keep" "$tmp/hosted.o" "$tmp/pjsip_regc_hosted.o"
rm -f "$out/libpjsip_regc_hosted.a"
ar rcs "$out/libpjsip_regc_hosted.a" "$tmp/pjsip_regc_hosted.o"
echo "hosted: $out/libpjsip_regc_hosted.so $out/libpjsip_regc_hosted.a"
