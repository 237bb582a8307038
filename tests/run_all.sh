#!/usr/bin/env bash
# Runs every test suite: tests/unit/run.sh, each tests/hosts/*/run.sh, then
# the fuzzers for a bounded time (tests/fuzz/run.sh).
# Each suite prints PASS:/FAIL: lines; the last line here is "N passed, N failed".
# Every suite is judged on its own output and exit status: one that is not
# executable, times out, exits non-zero without a FAIL line of its own, or
# exits 0 without a single PASS line gets a FAIL line here.
set -u
cd "$(dirname "$0")/.."
logdir=$(mktemp -d)
trap 'rm -rf "$logdir"' EXIT
suites=(tests/tree/run.sh tests/unit/run.sh tests/hosts/*/run.sh tests/fuzz/run.sh)
[ -n "${FG_SUITES:-}" ] && suites=($FG_SUITES)
n=0
for suite in "${suites[@]}"; do
  n=$((n + 1))
  log=$logdir/$n.log
  echo "=== $suite"
  if [ ! -x "$suite" ]; then
    echo "FAIL: $suite: not an executable file" | tee "$log"
    continue
  fi
  start=$(date +%s)
  # A whole suite is bounded too: a hang the suite itself missed still ends.
  timeout -k 10 1200 "$suite" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "FAIL: $suite: the suite timed out after 1200 s" | tee -a "$log"
  elif [ "$rc" -ne 0 ] && ! grep -q '^FAIL: ' "$log"; then
    echo "FAIL: $suite: exited $rc without a FAIL line" | tee -a "$log"
  elif [ "$rc" -eq 0 ] && ! grep -q '^PASS: ' "$log"; then
    echo "FAIL: $suite: exited 0 without a single PASS line" | tee -a "$log"
  fi
  echo "--- $suite: $(( $(date +%s) - start )) s"
done
all_logs() { local i; for ((i = 1; i <= n; i++)); do cat "$logdir/$i.log"; done; }
passed=$(all_logs | grep -c '^PASS: ')
failed=$(all_logs | grep -c '^FAIL: ')
if [ "$failed" -gt 0 ]; then
  echo
  echo "Failures:"
  all_logs | grep '^FAIL: '
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
