#!/usr/bin/env bash
# libFuzzer targets (clang, -fsanitize=fuzzer,address,undefined), each run for
# a bounded time: tests/fuzz/run.sh [SECONDS-PER-TARGET] (default 20; `./build.sh
# fuzz` passes 300). One PASS/FAIL line per target build and run; a crash
# leaves its input in build/fuzz/artifacts/TARGET/ and the failure quotes the
# first lines of the report. Corpora persist in build/fuzz/corpus/TARGET/.
# FG_FUZZ_TARGETS="fuzz_cli_report ..." runs only those targets.
#   fuzz_config    FORKGUARD_* parser (preload/config.c), the input split into
#                  the 8 variables
#   fuzz_json      JSON escaper (preload/buf.c) with room to spare: valid JSON
#                  string content, decodes back to the input (invalid UTF-8 as
#                  U+FFFD); and the printable echo of bad values
#   fuzz_json_cut  the same escaper in buffers too small: what is left must
#                  still be valid content and a prefix of the input
#   fuzz_report    report formatter (preload/report.c) with fuzzed names,
#                  paths and sizes: JSON records parse, text fits its buffer
#   fuzz_cplist    FORKGUARD_CLASSPATH list parser (jdbc/classpath_list.c)
#   fuzz_cli_report  the log reader of `forkguard report` (cli/report_read.c, report_text.c),
#                  text and JSON records, cut and glued
set -u
. "$(dirname "$0")/../lib.sh"
SECS=${1:-20}
case $SECS in ''|*[!0-9]*) echo "usage: $0 [SECONDS-PER-TARGET]" >&2; exit 2 ;; esac
HERE=$ROOT/tests/fuzz
F=$B/fuzz
mkdir -p "$F"
JH=$JDK_BUILD
CC=${FG_FUZZ_CC:-clang}

if ! command -v "$CC" >/dev/null; then
  fail "fuzz: $CC available" "install clang and libclang-rt-14-dev (libFuzzer runtime)"
  finish; exit
fi

CFLAGS=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
        -fno-omit-frame-pointer -std=gnu11 -D_GNU_SOURCE -I"$ROOT" -I"$HERE"
        -I"$JH/include" -I"$JH/include/linux")
declare -A SRCS=(
  [fuzz_config]="tests/fuzz/fuzz_config.c preload/config.c preload/buf.c"
  [fuzz_json]="tests/fuzz/fuzz_json.c preload/buf.c"
  [fuzz_json_cut]="-DFG_FUZZ_CUT tests/fuzz/fuzz_json.c preload/buf.c"
  [fuzz_report]="tests/fuzz/fuzz_report.c preload/report.c preload/config.c preload/buf.c"
  [fuzz_cplist]="tests/fuzz/fuzz_cplist.c jdbc/classpath_list.c preload/buf.c"
  [fuzz_cli_report]="tests/fuzz/fuzz_cli_report.c cli/report_read.c cli/report_text.c cli/report_python.c -ljson-c"
)
TARGETS=(${FG_FUZZ_TARGETS:-fuzz_config fuzz_json fuzz_json_cut fuzz_report fuzz_cplist fuzz_cli_report})

# Seeds: a few well-formed inputs so that the first seconds are not spent
# discovering the format.
seed() { # TARGET NAME BYTES (printf format)
  mkdir -p "$F/corpus/$1"
  # shellcheck disable=SC2059
  printf "$3" >"$F/corpus/$1/seed-$2"
}
seed fuzz_config all '\377\000block\000/tmp/x.log\000json\000warn\00042\000a.jar:b\000org.X\000system'
seed fuzz_config bad '\377\001BLOCK\000\000JSON\000yes\000256\000\000\000System'
seed fuzz_config log '\002\000\000stderr'
seed fuzz_json ascii '\000\010hello "world"\\ \t\n'
seed fuzz_json utf8 '\000\010caf\303\251 \342\202\254 \360\237\230\200 \355\240\200 \300\257 \377'
seed fuzz_json_cut short '\000\013a\001b"c\\d\303\251e'
seed fuzz_report small '\100\000\000\003\002\000\000\000\001\000\000\000\002\000\000\000jni_in_child\000FindClass\000/usr/lib/jvm/x/libjvm.so\000c\000fix it\000abort\000abort (FORKGUARD_MODE=block)\000\000/lib/libc.so.6\000main\000/bin/host\000fn'
seed fuzz_report real '\000\000\200\040\040\000\000\000\001\000\000\000\002\000\000\000ev\000fn\000lib\000host\000fix\000act\000text\000msg\000mod\000sym'
seed fuzz_cplist plain 'a.jar:lib;b.jar'
seed fuzz_cli_report text 'forkguard: JNI call FindClass in pid 12, a forked child of JVM owner pid 10\n  jvm:     created by pid 10 (libjvm /x/libjvm.so)\n  fork:    pid 10 forked pid 12\n  why:     w\n  fix:     (c) f\n  action:  abort (FORKGUARD_MODE=block)\n  at (JNI call):  #0 0x1 main+0x2 (/bin/h)\n                  #1 0x3 x+0x1 (/l)\n  at (fork):      #0 0x4 main+0x5 (/bin/h)\nforkguard: pid 10, owner of a live JVM, forked pid 13\n  jvm:     created by pid 10 (libjvm unknown)\n  why:     w\n  fix:     f\n  action:  none\n  at (fork):      (no frames)\nforkguard: FORKGUARD_MODE=x: expected block; using block\n'
seed fuzz_cli_report json '{"event":"jni_in_child","pid":12,"owner_pid":10,"parent_pid":10,"function":"GetEnv","action":"passed","backtrace":["#0 a"],"fork_backtrace":[]}\n{"event":"fork","pid":10,"owner_pid":10}\n{"event":"config_error","message":"m"}\n{"event":"truncated"}\npartial{"event":"fork","pid":1,"owner_pid":1}\n'
seed fuzz_cplist odd 'lib/;empty:nojar;pipe.jar:link.jar;/nonexistent::;;lib/sub.jar'
seed fuzz_cplist names 'nl\ndir:bad\376dir;lib/caf\303\251.jar:lib/x\nevil.jar'

for t in "${TARGETS[@]}"; do
  # shellcheck disable=SC2086
  if ! (cd "$ROOT" && "$CC" "${CFLAGS[@]}" ${SRCS[$t]} -o "$F/$t") 2>"$F/$t.build.log"; then
    fail "fuzz: build $t" "$(grep -m3 -E 'error|undefined' "$F/$t.build.log" | tr '\n' '|' | head -c 500)"
    continue
  fi
  pass "fuzz: build $t"
  mkdir -p "$F/corpus/$t" "$F/artifacts/$t"
  rm -rf "$F/fixture.$t"
  bounded $((SECS + 60)) env FG_FUZZ_FIXTURE="$F/fixture.$t" \
    ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1" \
    "$F/$t" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$F/artifacts/$t/" "$F/corpus/$t"
  rm -rf "$F/fixture.$t"
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$ERR")
  if [ "$TIMED_OUT" = 1 ]; then
    fail "fuzz: $t for ${SECS} s" "the fuzzer itself did not stop (timed out)"
  elif [ "$RC" = 0 ] && grep -q '^Done [0-9]* runs' "$ERR"; then
    pass "fuzz: $t for ${SECS} s (${runs:-?} inputs, no finding)"
  else
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$ERR" | head -1)
    fail "fuzz: $t for ${SECS} s" \
      "$(grep -m4 -E '^fuzz_[a-z_]+: |ERROR: |runtime error|SUMMARY' "$ERR" | cut -c1-300 | tr '\n' '|') input: ${artifact:-none} (replay: $F/$t $artifact)"
  fi
done
finish
