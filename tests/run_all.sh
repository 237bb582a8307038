#!/usr/bin/env bash
# Runs every test suite: tests/unit/run.sh, each tests/hosts/*/run.sh, then
# the fuzzers for a bounded time (tests/fuzz/run.sh).
# Each suite prints PASS:/FAIL: lines; the last line here is "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
log=$(mktemp)
suites=(tests/unit/run.sh tests/hosts/*/run.sh tests/fuzz/run.sh)
[ -n "${FG_SUITES:-}" ] && suites=($FG_SUITES)
for suite in "${suites[@]}"; do
  [ -x "$suite" ] || continue
  echo "=== $suite"
  start=$(date +%s)
  # A whole suite is bounded too: a hang the suite itself missed still ends.
  timeout -k 10 1200 "$suite" 2>&1 | tee -a "$log"
  rc=${PIPESTATUS[0]}
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "FAIL: $suite: the suite timed out after 1200 s" | tee -a "$log"
  elif [ "$rc" -ne 0 ] && ! grep -q '^FAIL: ' <(sed -n '/^=== /!p' "$log"); then
    echo "FAIL: $suite: exited $rc without a FAIL line" | tee -a "$log"
  fi
  echo "--- $suite: $(( $(date +%s) - start )) s"
done
passed=$(grep -c '^PASS: ' "$log")
failed=$(grep -c '^FAIL: ' "$log")
if [ "$failed" -gt 0 ]; then
  echo
  echo "Failures:"
  grep '^FAIL: ' "$log"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
