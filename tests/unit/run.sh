#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# cmocka unit tests. Every tests/unit/test_*.c is linked with the library's
# own sources (all of them, as `./build.sh sources` lists them: the
# constructor and the exported hooks come along, as in real use) and built
# twice: plain (-O2 -g) and with ASan+UBSan, since the code under test writes
# into fixed buffers and other people's tables. Each binary runs under a time
# bound; each cmocka case becomes a PASS/FAIL line, and so does each binary.
# Output goes to build/unit/. Usage: tests/unit/run.sh
set -u
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 1

# The binaries carry the library themselves and their constructor reads the
# environment: an outer forkguard run must not configure or preload them.
unset LD_PRELOAD
for var in $(compgen -e | grep '^FORKGUARD_'); do unset "$var"; done

ARCH=$(uname -m)
JH=$JDK_BUILD
U=$B/unit
RUN_SECS=${FG_UNIT_TIMEOUT:-60}

CFLAGS=(-std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -fno-strict-aliasing
        -I"$JH/include" -I"$JH/include/linux" -I"$ROOT")
declare -A VFLAGS=(
  [plain]="-O2 -g"
  [asan+ubsan]="-O2 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
)
VARIANTS=(plain asan+ubsan)
mkdir -p "$U"
# The ASan runtime resolves its interceptors with dlsym while it initialises,
# before any constructor; an executable exporting our dlsym entry would take
# those calls, and fg_realsym_init's strlen then lands in an interceptor that
# is not set up yet (a crash before main). So the sanitized test binaries
# keep dlsym/dlvsym to themselves; the plain ones export them as in real use.
printf '{ local: dlsym; dlvsym; };\n' >"$U/asan.map"
declare -A VLDFLAGS=([plain]="" [asan+ubsan]="-Wl,--version-script=$U/asan.map")

# build_lib VARIANT: the library's objects for VARIANT, compiled by build.sh
# (the one recipe: its flags, its generated sources, incrementally) into
# $U/VARIANT/lib; prints the object list, or the compiler's complaint on
# stderr and fails.
build_lib() {
  local v=$1 dir=$U/${1//+/_}/lib
  ./build.sh variant "$dir" --objects --cflags "${VFLAGS[$v]}" 2>"$U/${1//+/_}.build.log" || {
    cat "$U/${1//+/_}.build.log" >&2
    return 1
  }
}
TESTS=(tests/unit/test_*.c)

# report_cases NAME VARIANT FILE: one line per cmocka case found in FILE (the
# binary's merged stdout+stderr), failures with cmocka's own error lines; a
# case that started but never finished (crash, hang) is a failure too.
report_cases() {
  local name=$1 v=$2 file=$3 status case why
  while IFS=$'\t' read -r status case why; do
    if [ "$status" = PASS ]; then
      pass "unit $name/$case ($v)"
    else
      fail "unit $name/$case ($v)" "$why"
    fi
  done < <(awk '
    # cmocka prints TAP (CMOCKA_MESSAGE_OUTPUT=TAP): "1..N", "ok I - case",
    # "not ok I - case" followed by "# why" lines. A message cmocka wrote to
    # stderr without a newline can precede a verdict on its line.
    function flush() { if (bad != "") print "FAIL\t" bad "\t" (msg == "" ? "failed" : substr(msg, 1, 600)); bad = "" }
    match($0, /1\.\.[0-9]+$/) { plan = substr($0, RSTART + 3) + 0; next }
    match($0, /not ok [0-9]+ - /) { flush(); seen++; bad = substr($0, RSTART + RLENGTH); msg = ""; next }
    match($0, /ok [0-9]+ - /) { flush(); seen++; print "PASS\t" substr($0, RSTART + RLENGTH) "\t"; next }
    bad != "" && sub(/^# /, "") { msg = msg (msg == "" ? "" : " | ") $0; next }
    END { flush(); if (seen < plan) print "FAIL\t(case " seen + 1 " of " plan ")\tstarted but never finished (crash or hang)" }
  ' "$file")
}

# run_one NAME VARIANT BIN: runs BIN bounded, with leak checking when the
# environment allows it (LeakSanitizer cannot work under ptrace).
run_one() {
  local name=$1 v=$2 bin=$3 leaks=1 merged reason
  merged=$U/${v//+/_}/$name.out
  while :; do
    # shellcheck disable=SC2016 # $0 is for the inner shell
    bounded "$RUN_SECS" env CMOCKA_MESSAGE_OUTPUT=TAP \
      ASAN_OPTIONS="detect_leaks=$leaks:abort_on_error=0:halt_on_error=1" \
      UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
      bash -c 'exec "$0" 2>&1' "$bin"
    if [ "$leaks" = 1 ] && [ "$v" != plain ] &&
       grep -qE 'LeakSanitizer (has encountered a fatal error|does not work under ptrace)' "$OUT"; then
      echo "note: unit $name ($v): LeakSanitizer unavailable here; rerun with detect_leaks=0"
      leaks=0
      continue
    fi
    break
  done
  cp "$OUT" "$merged"
  report_cases "$name" "$v" "$OUT"
  reason=
  if [ "$TIMED_OUT" = 1 ]; then
    reason="timed out after $RUN_SECS s"
  elif grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$OUT"; then
    reason="sanitizer report: $(grep -E 'ERROR: |runtime error:|SUMMARY:' "$OUT" | head -3 | tr '\n' '|')"
  elif [ "$RC" -ne 0 ]; then
    reason="exit status $RC"
  elif ! grep -qE '(^|[^t] )ok [0-9]+ - ' "$OUT"; then
    reason="no test case passed"
  fi
  if [ -n "$reason" ]; then
    fail "unit $name ($v)" "$reason — see $merged; last lines: $(tail -5 "$OUT" | tr '\n' '|')"
  else
    pass "unit $name ($v)"
  fi
  rm -f "$OUT" "$ERR"
}

for v in "${VARIANTS[@]}"; do
  vdir=$U/${v//+/_}
  mkdir -p "$vdir"
  if ! objs_txt=$(build_lib "$v" 2>"$vdir/lib.err"); then
    for t in "${TESTS[@]}"; do
      fail "unit $(basename "$t" .c) ($v)" "library build failed: $(head -c 600 "$vdir/lib.err" | tr '\n' '|')"
    done
    continue
  fi
  mapfile -t objs <<<"$objs_txt"
  for t in "${TESTS[@]}"; do
    name=$(basename "$t" .c)
    bin=$vdir/$name
    # shellcheck disable=SC2086
    if ! gcc "${CFLAGS[@]}" ${VFLAGS[$v]} "$t" "${objs[@]}" -o "$bin" ${VLDFLAGS[$v]} \
         -ldl -lpthread -lcmocka -ljson-c 2>"$vdir/$name.build.log"; then
      fail "unit $name ($v)" "build failed: $(head -c 600 "$vdir/$name.build.log" | tr '\n' '|')"
      continue
    fi
    run_one "$name" "$v" "$bin"
  done
done
finish
