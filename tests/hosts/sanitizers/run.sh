#!/usr/bin/env bash
# libforkguard.so itself under AddressSanitizer + UBSan, preloaded into the C
# host (tests/hosts/c/host.c) with real JVMs; and the ordinary library under
# valgrind memcheck in the demo host (demo/demo.c).
#
# ASan build: every library source (./build.sh sources, as build.sh's
# build_lib) compiled with -fsanitize=address,undefined into build/sanitizers/,
# except stub/realsym.c and preload/elf_lookup.c: ASan resolves its own
# interceptors with dlsym while it initialises, before its shadow memory
# exists; in a process where libforkguard is preloaded that dlsym is ours,
# whose first call runs fg_stub_realsym_init -> fg_elf_find, and instrumented code
# there faults on the missing shadow (a crash before main, seen). Those two
# files are covered by the ASan unit tests instead. Run with
# LD_PRELOAD="libasan.so build/sanitizers/libforkguard.so" (the ASan runtime
# must come first) and ASAN_OPTIONS=handle_segv=0:allow_user_segv_handler=1:
# detect_leaks=0 (the JVM takes SIGSEGV for its own purposes and never frees
# its heap); the scenarios must behave as in tests/hosts/c/run.sh and print no
# sanitizer report, in the parent or the forked child.
#
# valgrind: the JVM is noisy under memcheck (its interpreter and GC read
# memory valgrind considers undefined; ~1.5 million errors in ~310 contexts
# for this 3-line host), so the run uses --error-limit=no and fails only on
# an error raised in libforkguard's code: a libforkguard frame (its sources or
# the .so) before any JVM frame, reading the stack from the innermost frame.
# JAVA_TOOL_OPTIONS=-XX:+UseSerialGC -Xint keeps it to seconds. One known
# false positive stays suppressed (valgrind.supp), for builds that still use
# libunwind: it validates addresses by write(2)-ing them to a pipe, which
# memcheck reports as a write() of unaddressable or uninitialised bytes.
set -u
. "$(dirname "$0")/../../lib.sh"
HERE=$ROOT/tests/hosts/sanitizers
S=$B/sanitizers
mkdir -p "$S/obj"
ulimit -c 0
JH=$JDK17
ASAN_LIB=$(gcc -print-file-name=libasan.so)
SAN=(-fsanitize=address,undefined -fno-omit-frame-pointer)

# The symbol lookup runs before ASan is set up (from the dlsym entry): those
# two files stay uninstrumented.
build_asan_lib() {
  "$ROOT/build.sh" variant "$S" --cflags "-O1 ${SAN[*]}" --ldflags "${SAN[*]}" \
    --plain "stub/realsym.c preload/elf_lookup.c" >>"$S/build.log" 2>&1
}

: >"$S/build.log"
if [ ! -e "$ASAN_LIB" ] || ! build_asan_lib; then
  fail "sanitizers: build libforkguard.so with ASan+UBSan" \
    "$(grep -m3 -E 'error|undefined|cannot' "$S/build.log" | tr '\n' '|' | head -c 500) (libasan: $ASAN_LIB)"
else
  pass "sanitizers: build libforkguard.so with ASan+UBSan"
fi

# no_reports: nothing from ASan, LSan or UBSan in the last run's output.
no_reports() {
  ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Undefined)' "$OUT" "$ERR"
}
sanitizer_lines() {
  grep -hE -A3 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$OUT" "$ERR" | head -8 | tr '\n' '|' | head -c 600
}
first_line='^forkguard: JNI call FindClass in pid [0-9]+, a forked child of JVM owner pid [0-9]+$'

if [ -f "$S/libforkguard.so" ]; then
  for jh in $(jdks); do
    n=$(jdk_name "$jh")
    flags=(-O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE -rdynamic -I"$jh/include" -I"$jh/include/linux")
    if ! gcc "${flags[@]}" "$ROOT/tests/hosts/c/host.c" -o "$S/host-link-$n" -L"$jh/lib/server" \
           -Wl,-rpath,"$jh/lib/server" -ljvm -ldl -lpthread 2>"$S/host.log" ||
       ! gcc "${flags[@]}" -DFG_HOST_DLOPEN "$ROOT/tests/hosts/c/host.c" -o "$S/host-dlopen-$n" \
           -ldl -lpthread 2>>"$S/host.log"; then
      fail "sanitizers $n: build the C host" "$(head -c 400 "$S/host.log" | tr '\n' '|')"
      continue
    fi
    run() { # BINARY SCENARIO [VAR=VALUE...]
      local bin=$1 scen=$2; shift 2
      bounded 300 env LD_PRELOAD="$ASAN_LIB $S/libforkguard.so" HOST_LIBJVM="$jh/lib/server/libjvm.so" \
        ASAN_OPTIONS=handle_segv=0:allow_user_segv_handler=1:detect_leaks=0 \
        UBSAN_OPTIONS=print_stacktrace=1 "$@" "$bin" "$scen"
    }
    for kind in link dlopen; do
      run "$S/host-$kind-$n" findclass
      check "sanitizers $n $kind findclass: child aborted with a report, parent works" \
        "expected 'child: signal 6', the report, 'parent: works=1'" \
        eval 'has "$OUT" "^child: signal 6$" && has "$ERR" "$first_line" && has "$ERR" "^  at \(JNI call\):  #0 " && has "$OUT" "^parent: works=1$"'
      check "sanitizers $n $kind findclass: no ASan/UBSan report" "$(sanitizer_lines)" no_reports
    done
    run "$S/host-link-$n" findclass FORKGUARD_FORMAT=json
    check "sanitizers $n findclass, JSON: child aborted, one record, no ASan/UBSan report" \
      "expected 'child: signal 6' and a jni_in_child record; $(sanitizer_lines)" \
      eval 'has "$OUT" "^child: signal 6$" && [ "$(count "$ERR" "^\{\"event\":\"jni_in_child\"")" = 1 ] && no_reports'
    run "$S/host-link-$n" attach
    check "sanitizers $n attach: JNI_ERR, one report, refused env aborts; no ASan/UBSan report" \
      "expected AttachCurrentThread=-1, one Attach report, then signal 6; $(sanitizer_lines)" \
      eval 'has "$OUT" "AttachCurrentThread=-1 env=0x" && [ "$(count "$ERR" "^forkguard: JNI call AttachCurrentThread")" = 1 ] &&
            has "$OUT" "^child: signal 6" && hasnt "$OUT" survived && no_reports'
    run "$S/host-link-$n" quiet
    check "sanitizers $n quiet: silent child, own exit status; no ASan/UBSan report" \
      "expected 'child: exit 7', GetEnv=-2, DestroyJavaVM=-1, nothing from forkguard; $(sanitizer_lines)" \
      eval 'has "$OUT" "^child: exit 7" && has "$OUT" "GetEnv=-2 env=\(nil\)" && has "$OUT" "DestroyJavaVM=-1" && hasnt "$ERR" "^forkguard" && no_reports'
    run "$S/host-link-$n" exec
    check "sanitizers $n exec: fork+exec children under JNI load silent; no ASan/UBSan report" \
      "expected '0 of 100 children failed', works=1, nothing from forkguard; $(sanitizer_lines)" \
      eval 'has "$OUT" "0 of 100 children failed" && has "$OUT" "works=1" && hasnt "$ERR" "^forkguard" && no_reports'
  done
fi

# valgrind memcheck, the ordinary library, the demo host.
if ! command -v valgrind >/dev/null; then
  fail "sanitizers: valgrind available" "install valgrind"
elif ! gcc -O1 -g -Wall -Wextra -Werror -I"$JH/include" -I"$JH/include/linux" "$ROOT/demo/demo.c" \
       -o "$S/demo-host" -L"$JH/lib/server" -Wl,-rpath,"$JH/lib/server" -ljvm 2>"$S/demo.log"; then
  fail "sanitizers: build the demo host" "$(head -c 400 "$S/demo.log" | tr '\n' '|')"
else
  rm -f "$S"/valgrind.*.log
  bounded 600 env LD_PRELOAD="$FG_LIB" JAVA_TOOL_OPTIONS="-XX:+UseSerialGC -Xint -XX:-UsePerfData" \
    valgrind --error-limit=no --smc-check=all-non-file --num-callers=40 --fullpath-after= \
    --suppressions="$HERE/valgrind.supp" --log-file="$S/valgrind.%p.log" "$S/demo-host"
  check "sanitizers: valgrind: the demo host runs (child stopped by SIGABRT with a report, parent goes on)" \
    "expected the demo's three lines and the report" \
    eval 'has "$OUT" "was stopped by signal 6, the parent goes on" && has "$OUT" "parent still uses Java" && has "$ERR" "$first_line" &&
          [ "$(ls "$S"/valgrind.*.log 2>/dev/null | wc -l)" = 2 ]'
  # An error is ours when, reading its stack from the innermost frame, a
  # libforkguard frame comes before any JVM frame (libjvm, or JIT code "???"):
  # the JVM's own errors while JNI_CreateJavaVM runs have our create_hook
  # further out, and are not ours.
  ours=$(awk -v root="$ROOT" '
    function done() { if (block != "" && mine && ++n <= 2) print block; block = ""; mine = 0; decided = 0 }
    /^==[0-9]+== Process terminating/ { done(); next } # the abort itself, not an error
    /^==[0-9]+== [^ ]/ { done(); block = substr($0, index($0, " ") + 1) "|"; next }
    /^==[0-9]+== +(at|by) / {
      if (block == "") next
      block = block substr($0, index($0, " ") + 1) "|"
      if (!decided && (index($0, root "/preload/") || index($0, root "/hooks/") || index($0, "libforkguard"))) { mine = 1; decided = 1 }
      else if (!decided && (index($0, "libjvm.so") || $0 ~ /: \?\?\?$/)) decided = 1
      next }
    /^==[0-9]+== *$/ { done() }
    END { done() }' "$S"/valgrind.*.log | head -c 1500)
  totals=$(grep -h 'ERROR SUMMARY' "$S"/valgrind.*.log | sed 's/==[0-9]*== //' | tr '\n' ' ')
  check "sanitizers: valgrind: no error with a libforkguard frame (all: $totals)" "$ours" [ -z "$ours" ]
fi
finish
