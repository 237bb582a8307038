#!/usr/bin/env bash
# tests/run_all.sh judges each suite on its own output and exit status: a
# suite that crashes without a FAIL line after another suite failed, one that
# exits 0 having checked nothing, and one that cannot be run must each count
# as a failure, never disappear in the tally. Fake suites, real run_all.sh.
set -u
. "$(dirname "$0")/../../lib.sh"
S=$FG_TMP/suites
mkdir -p "$S"
suite() { # NAME BODY [noexec]
  printf '#!/bin/sh\n%s\n' "$2" >"$S/$1.sh"
  [ "${3:-}" = noexec ] || chmod +x "$S/$1.sh"
}
suite ok 'echo "PASS: fake ok"'
suite failing 'echo "FAIL: fake failing: on purpose"; exit 1'
suite crash 'echo "PASS: fake before the crash"; exit 3'
suite empty 'exit 0'
suite noexec 'echo "PASS: fake never run"' noexec

bounded 60 env FG_SUITES="$S/ok.sh $S/failing.sh $S/crash.sh $S/empty.sh $S/noexec.sh" \
  "$ROOT/tests/run_all.sh"
check "runner: a suite exiting 3 without FAIL, after another suite failed, is a failure" \
  "expected 'FAIL: $S/crash.sh: exited 3 without a FAIL line'" \
  has "$OUT" "^FAIL: $S/crash.sh: exited 3 without a FAIL line$"
check "runner: a suite exiting 0 without any PASS line is a failure" \
  "expected 'FAIL: $S/empty.sh: exited 0 without a single PASS line'" \
  has "$OUT" "^FAIL: $S/empty.sh: exited 0 without a single PASS line$"
check "runner: a suite that is not executable is a failure, not skipped" \
  "expected 'FAIL: $S/noexec.sh: not an executable file'" \
  has "$OUT" "^FAIL: $S/noexec.sh: not an executable file$"
check "runner: tally and exit status" "expected last line '2 passed, 4 failed' and a non-zero exit (rc $RC)" \
  eval '[ "$(tail -1 "$OUT")" = "2 passed, 4 failed" ] && [ "$RC" -ne 0 ]'

bounded 60 env FG_SUITES="$S/ok.sh" "$ROOT/tests/run_all.sh"
check "runner: one passing suite: '1 passed, 0 failed', exit 0" "rc $RC, last line '$(tail -1 "$OUT")'" \
  eval '[ "$(tail -1 "$OUT")" = "1 passed, 0 failed" ] && [ "$RC" -eq 0 ]'
finish
