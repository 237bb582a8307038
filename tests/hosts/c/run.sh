#!/usr/bin/env bash
# Real JVMs (17, and Temurin 25 when present) in a C host, linked with -ljvm and
# finding JNI_CreateJavaVM with dlopen+dlsym / dlvsym. See host.c for scenarios.
set -u
source "$(dirname "$0")/../../lib.sh"
HERE=$ROOT/tests/hosts/c
T=$B/hosts/c
mkdir -p "$T"

build_hosts() { # JDK_HOME NAME
  local jh=$1 n=$2 flags=(-O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE -rdynamic
                        -I"$1/include" -I"$1/include/linux")
  gcc "${flags[@]}" "$HERE/host.c" -o "$T/host-link-$n" -L"$jh/lib/server" \
      -Wl,-rpath,"$jh/lib/server" -ljvm -ldl -lpthread &&
  gcc "${flags[@]}" -DFG_HOST_DLOPEN "$HERE/host.c" -o "$T/host-dlopen-$n" -ldl -lpthread
}

# run_host NAME BINARY SCENARIO [VAR=VALUE...]: runs under forkguard, bounded.
run_host() {
  local bin=$1 scen=$2; shift 2
  bounded 120 env LD_PRELOAD="$FG_LIB" HOST_LIBJVM="$LIBJVM" "$@" "$bin" "$scen"
}

first_line='^forkguard: JNI call FindClass in pid [0-9]+, a forked child of JVM owner pid [0-9]+$'

for jh in $(jdks); do
  n=$(jdk_name "$jh")
  LIBJVM=$jh/lib/server/libjvm.so
  if ! build_hosts "$jh" "$n"; then fail "c host $n build" "gcc failed"; continue; fi

  for kind in link dlopen dlvsym; do
    bin=$T/host-$kind-$n; extra=()
    [ "$kind" = dlvsym ] && { bin=$T/host-dlopen-$n; extra=(HOST_DLVSYM=1); }
    t="c $n $kind findclass"
    run_host "$bin" findclass "${extra[@]}"
    check "$t: child dies by SIGABRT within 2 s" "expected 'child: signal 6'" has "$OUT" '^child: signal 6$'
    check "$t: report first line" "first line of the docs/contract.md format" has "$ERR" "$first_line"
    check "$t: report names libjvm and fork" "jvm:/fork: lines" \
      bash -c "grep -q 'jvm:     created by pid [0-9]* (libjvm $LIBJVM)' '$ERR' && grep -qE 'fork:    pid [0-9]+ forked pid [0-9]+' '$ERR'"
    check "$t: report action and fix" "action: abort, fix: present" \
      bash -c "grep -q 'action:  abort (FORKGUARD_MODE=block)' '$ERR' && grep -q '^  fix:     (c) ' '$ERR'"
    check "$t: both backtraces symbolized" "JNI call frames naming child_findclass, fork frames naming main" \
      bash -c "grep -q '^  at (JNI call):  #0 ' '$ERR' && grep -q 'child_findclass+0x' '$ERR' && grep -A3 '^  at (fork):' '$ERR' | grep -q 'main+0x'"
    check "$t: parent keeps working (500 MB + System.gc)" "expected 'parent: works=1'" has "$OUT" '^parent: works=1$'
    check "$t: child never reached its printf" "FindClass returned in the child" hasnt "$OUT" 'FindClass returned'
  done

  bin=$T/host-link-$n
  run_host "$bin" findclass HOST_JVM_OPTS=-Xcheck:jni
  check "c $n -Xcheck:jni: child aborted with report, parent works" "signal 6 + report + works=1" \
    bash -c "grep -q '^child: signal 6' '$OUT' && grep -qE '$first_line' '$ERR' && grep -q '^parent: works=1' '$OUT'"

  run_host "$bin" findclass FORKGUARD_EXIT_CODE=42
  check "c $n FORKGUARD_EXIT_CODE=42" "expected 'child: exit 42' and action _exit(42)" \
    bash -c "grep -q '^child: exit 42' '$OUT' && grep -q 'action:  _exit(42) (FORKGUARD_EXIT_CODE=42)' '$ERR'"

  run_host "$bin" attach
  check "c $n attach: JNI_ERR twice, one report; the refused env aborts at first use" \
    "AttachCurrentThread=-1 twice with a non-NULL env, one Attach report, then FindClass aborts" \
    bash -c "grep -q 'AttachCurrentThread=-1 env=0x' '$OUT' && grep -q 'again=-1' '$OUT' &&
             [ \$(grep -c '^forkguard: JNI call AttachCurrentThread' '$ERR') = 1 ] && grep -q 'refused: returns JNI_ERR' '$ERR' &&
             grep -q '^forkguard: JNI call FindClass' '$ERR' && grep -q '^child: signal 6' '$OUT' && ! grep -q survived '$OUT'"

  run_host "$bin" create
  check "c $n JNI_CreateJavaVM in child: JNI_ERR + report" "JNI_CreateJavaVM=-1 and a report" \
    bash -c "grep -q 'child: JNI_CreateJavaVM=-1' '$OUT' && grep -q '^forkguard: JNI call JNI_CreateJavaVM in pid' '$ERR'"

  run_host "$bin" quiet
  check "c $n child without Java use: silent, own exit status" "exit 7, GetEnv=-2, DestroyJavaVM=-1, nothing from forkguard" \
    bash -c "grep -q '^child: exit 7' '$OUT' && grep -q 'GetEnv=-2 env=(nil)' '$OUT' && grep -q 'DestroyJavaVM=-1' '$OUT' && ! grep -q forkguard '$ERR'"

  run_host "$bin" grandchild
  check "c $n grandchild: reported and aborted" "grandchild: signal 6, fork line names the middle child" \
    bash -c "grep -q '^grandchild: signal 6' '$OUT' && grep -q '^child: exit 0' '$OUT' && grep -qE '$first_line' '$ERR' &&
             ! grep -qE 'fork:    pid '\"\$(sed -n 's/^parent: pid \\([0-9]*\\).*/\\1/p' '$OUT')\"' forked' '$ERR'"

  run_host "$bin" child-creates
  check "c $n child creating its own JVM is its owner" "child works=1, exit 0, no report" \
    bash -c "grep -q 'created its own JVM, works=1' '$OUT' && grep -q '^child: exit 0' '$OUT' && ! grep -q forkguard '$ERR'"

  run_host "$bin" exec
  check "c $n fork+exec children while threads use JNI: silent" "0 of 100 failed, works=1, no report" \
    bash -c "grep -q '0 of 100 children failed' '$OUT' && grep -q 'works=1' '$OUT' && ! grep -q forkguard '$ERR'"

  run_host "$bin" spawn
  check "c $n posix_spawn and vfork children while threads use JNI: silent" "0 of 200 failed, works=1, no report" \
    bash -c "grep -q '0 of 200 children failed' '$OUT' && grep -q 'works=1' '$OUT' && ! grep -q forkguard '$ERR'"

  run_host "$bin" api
  check "c $n public API: owner and usable in parent, child, after DestroyJavaVM" "see stdout" \
    bash -c "p=\$(sed -n 's/^parent: pid \([0-9]*\) created.*/\1/p' '$OUT');
             grep -qE \"^parent: pid \$p owner \$p usable 1 version [0-9]+\\.[0-9]+\\.[0-9]+\$\" '$OUT' &&
             grep -qE \"^child: pid [0-9]+ owner \$p usable 0 \" '$OUT' &&
             grep -q '^parent: DestroyJavaVM=0' '$OUT' &&
             grep -qE \"^parent after destroy: pid \$p owner \$p usable 0 \" '$OUT'"

  run_host "$bin" table
  with=$(grep digest "$OUT"); with_out=$(grep outside "$OUT" | head -1)
  bounded 120 env HOST_JVM_OPTS= "$bin" table
  without=$(grep digest "$OUT"); without_out=$(grep outside "$OUT" | head -1)
  check "c $n parent's JNI table identical with and without forkguard, before and after fork" \
    "digests differ: with='$with' without='$without'" \
    bash -c "[ -n '$with' ] && [ '$with' = '$without' ] && [ '$with_out' = '$without_out' ] &&
             echo '$with' | awk '{exit !(\$3 == \$6)}'"

  # A real FindClass in an unguarded child may hang (the very bug), so the
  # probe is GetVersion, which never blocks: answered means not poisoned.
  run_host "$bin" getversion FORKGUARD_MODE=off
  check "c $n FORKGUARD_MODE=off: no poisoning, no report" "child GetVersion answered, exit 0, nothing from forkguard" \
    bash -c "grep -q '^child: GetVersion=0x' '$OUT' && grep -q '^child: exit 0' '$OUT' && ! grep -q forkguard '$ERR'"
  # Block mode answers bookkeeping calls itself, silently, as a JVM with
  # nothing pending would; only real use is refused.
  run_host "$bin" housekeeping
  pv=$(sed -n 's/^parent: GetVersion=//p' "$OUT")
  check "c $n block: bookkeeping calls answered in the child, silently" \
    "expected the parent's version ($pv), frames 0, no exception, PopLocalFrame returning its argument, exit 0, no report" \
    bash -c "grep -qx 'child: GetVersion=$pv' '$OUT' && grep -qx 'child: PushLocalFrame=0' '$OUT' && grep -qx 'child: EnsureLocalCapacity=0' '$OUT' \
      && grep -qx 'child: ExceptionCheck=0' '$OUT' && grep -qx 'child: ExceptionOccurred=(nil)' '$OUT' \
      && grep -qx 'child: PopLocalFrame returns its argument=1' '$OUT' && grep -q '^child: exit 0' '$OUT' && ! grep -q forkguard '$ERR'"
  run_host "$bin" housekeeping HOST_THEN_REAL=1
  check "c $n block: the first real call after bookkeeping is refused, one report naming it" \
    "expected 'housekeeping done', then SIGABRT and exactly one report, for FindClass" \
    bash -c "grep -q '^child: housekeeping done' '$OUT' && grep -q '^child: signal 6' '$OUT' \
      && [ \$(grep -c '^forkguard: JNI call' '$ERR') = 1 ] && grep -q '^forkguard: JNI call FindClass in pid' '$ERR'"

  log=$(mktemp -u)
  run_host "$bin" findclass FORKGUARD_FORMAT=json FORKGUARD_LOG="$log"
  check "c $n JSON log: one parseable record with the contract's fields" "see $log" \
    "$PYTHON" -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
r = json.loads(lines[0])
for k in ("event", "pid", "owner_pid", "function", "mode", "action", "backtrace", "fork_backtrace"):
    assert k in r, k
assert r["event"] == "jni_in_child" and r["function"] == "FindClass" and r["action"] == "abort"
assert r["mode"] == "block" and r["pid"] != r["owner_pid"] and len(r["backtrace"]) > 0
assert any("main+" in f for f in r["fork_backtrace"]), r["fork_backtrace"]
' "$log"
  rm -f "$log"
done
finish
