#!/usr/bin/env bash
# Runs each C test program, prints its output, and sums the
# "N passed, N failed" lines into one closing line (naming $REGC_TRANSPORT
# when it is set).
set -u
passed=0; failed=0; broken=0
for t in "$@"; do
  out=$("$t" 2>&1); rc=$?
  printf '%s\n' "$out"
  line=$(printf '%s\n' "$out" | grep -E '(^|: )[0-9]+ passed, [0-9]+ failed' | tail -n 1)
  if [ -z "$line" ] || [ $rc -ne 0 ]; then
    echo "FAILED: $t (exit $rc)"; broken=$((broken + 1))
  fi
  p=$(printf '%s' "$line" | sed -E 's/^(.*: )?([0-9]+) passed.*/\2/'); f=$(printf '%s' "$line" | sed -E 's/^(.*: )?[0-9]+ passed, ([0-9]+) failed.*/\2/')
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
label="C suite"
[ -n "${REGC_TRANSPORT:-}" ] && label="C suite over $REGC_TRANSPORT"
echo "$label: $passed passed, $((failed + broken)) failed"
[ $((failed + broken)) -eq 0 ]
