#!/usr/bin/env bash
# The benchmark's instruments (tests/bench/bench.py), not its figures: the
# intervals it prints cover what they must, and what it reads from callgrind
# and the loader agrees with the tools' own reading. Timings are never
# asserted here either.
set -u
source "$(dirname "$0")/../../lib.sh"
HERE=$ROOT/tests/hosts/bench
T=$B/hosts/bench
rm -rf "$T"
mkdir -p "$T"
export PYTHONDONTWRITEBYTECODE=1 # nothing written into the source tree

bounded 60 "$PYTHON" "$HERE/check_bench.py" stats
check "bench: a shift's and a median's 95% intervals cover the truth and tell noise from a shift" \
  "$(tail -3 "$ERR")" test "$RC" = 0

if gcc -O2 -fPIC -shared "$ROOT/tests/bench/empty.c" -o "$T/libempty.so" 2>"$T/gcc.err"; then
  bounded 600 "$PYTHON" "$HERE/check_bench.py" loader "$FG_LIB" "$T/libempty.so" "$T/work"
  check "bench: ld.so's relocation and constructor instructions, and the loader's own counts, read right" \
    "$(tail -3 "$ERR")" test "$RC" = 0
else
  fail "bench: build the empty library" "$(tail -3 "$T/gcc.err")"
fi
finish
