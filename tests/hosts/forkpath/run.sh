#!/usr/bin/env bash
# The fork path never waits for the loader, and the child path never breaks
# the host's signals or misses a JNI call (issue 11 items 2, 3, 5 and 7).
# host.c is a JVM owner linked with libfgearly.so (early.c, an atfork
# handler registered before forkguard's); libfgslow.so (slow.c) has a
# constructor that holds the loader's lock until the host lets it go.
#   slow-fork, slow-rawfork: a thread sits in libfgslow's constructor during
#     the owner's first fork() / _Fork(), which must return without waiting
#     for it (forkguard used to dlopen its unwinders there: a deadlock until
#     the constructor's own 10 s bound).
#   slow-jni (warn, block): the same at _Fork(), and the child calls
#     GetVersion (warn) or FindClass (block): glibc does not reset the loader's lock after _Fork, so the
#     child must not take it (dladdr in the warn-mode check used to hang it
#     for good; in the report's frame naming it cut the report at 500 ms).
#   alrm (block, warn): the child has SIGALRM blocked and pending when it
#     uses JNI: block mode still reports and aborts; warn mode gives the
#     host its SIGALRM afterwards (the guard used to jump on it: SIGSEGV).
#   atfork (block): libfgearly's atfork child handler calls FindClass; it
#     must be caught like any JNI call in the child.
#   refork (block): the child forks again from a frame whose unwind
#     information points at unmapped memory: the fork site's walk faults,
#     and must be cut by the guard, not kill the child (item 8).
#   badcfi (block): the owner itself forks from that frame: its fork-site
#     walk (libgcc's unwinder trusts CFI) must be cut, not kill the owner.
# Each child is waited for 5 s (then killed: "child: timeout").
set -u
. "$(dirname "$0")/../../lib.sh"
HERE=$ROOT/tests/hosts/forkpath
T=$B/hosts/forkpath
mkdir -p "$T"
ulimit -c 0
cd "$T" || exit 1 # a JVM that crashes writes hs_err_pid*.log into the working directory

for lib in slow early; do
  if ! gcc -O1 -g -Wall -Wextra -Werror -fPIC -shared "$HERE/$lib.c" -o "$T/libfg$lib.so" \
       2>"$T/build.log"; then
    fail "forkpath: build libfg$lib.so" "$(head -c 400 "$T/build.log" | tr '\n' '|')"
    finish; exit
  fi
done

# run JDK-NAME MODE SCENARIO: the host under forkguard, bounded.
run() {
  bounded 60 env LD_PRELOAD="$FG_LIB" FORKGUARD_MODE="$2" FG_SLOW_LIB="$T/libfgslow.so" \
    "$T/host$1" "$3"
}
late='^slow: constructor released by its own'
header='^forkguard: JNI call (GetVersion|FindClass) in pid [0-9]+, a forked child of JVM owner pid [0-9]+$'

for jh in $(jdks); do
  n=$(jdk_name "$jh")
  if ! gcc -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE -I"$jh/include" -I"$jh/include/linux" \
       "$HERE/host.c" "$HERE/badcfi_$(uname -m).S" -o "$T/host$n" -L"$jh/lib/server" -L"$T" -Wl,--no-as-needed -lfgearly \
       -Wl,--as-needed -Wl,-rpath,"$jh/lib/server" -Wl,-rpath,"$T" -ljvm -ldl -lpthread \
       2>"$T/build.log"; then
    fail "forkpath $n: build host" "$(head -c 400 "$T/build.log" | tr '\n' '|')"
    continue
  fi

  for how in fork rawfork; do
    run "$n" block "slow-$how"
    echo "forkpath $n: slow-$how: $(grep '^host: fork returned' "$OUT")"
    check "forkpath $n: the owner's first $([ $how = fork ] && echo "fork()" || echo "_Fork()") returns while a thread is in a library constructor" \
      "fork waited for the loader's lock" \
      eval 'hasnt "$OUT" "$late" && has "$OUT" "^host: fork returned" && has "$OUT" "^child: exit 0$" && has "$OUT" "^host: done$"'
  done

  run "$n" warn slow-jni
  check "forkpath $n: warn, _Fork with the loader's lock held: the child's JNI call is reported and returns" \
    "the child hung or died" \
    eval 'has "$OUT" "^child: exit 0$" && has "$ERR" "$header" && hasnt "$ERR" "unwinding timed out"'

  run "$n" block slow-jni
  check "forkpath $n: block, _Fork with the loader's lock held: full report (frames named, not cut), SIGABRT" \
    "expected 'child: signal 6' and a report whose unwinding was not cut" \
    eval 'has "$OUT" "^child: signal 6$" && has "$ERR" "$header" && has "$ERR" "at \\(JNI call\\): +#0 .* jni_in_child\\+0x" && hasnt "$ERR" "unwinding timed out"'

  run "$n" block alrm
  check "forkpath $n: block, SIGALRM blocked and pending: reported with backtraces, then SIGABRT" \
    "expected 'child: signal 6' and a full report" \
    eval 'has "$OUT" "^child: signal 6$" && has "$ERR" "$header" && has "$ERR" "at \\(JNI call\\): +#0 " && hasnt "$ERR" "unwinding timed out"'

  run "$n" warn alrm
  check "forkpath $n: warn, SIGALRM blocked and pending: the host's handler gets it after the report" \
    "expected 'child: exit 0' (exit 3: the handler did not run once)" \
    eval 'has "$OUT" "^child: exit 0$" && has "$ERR" "$header"'

  run "$n" block atfork
  check "forkpath $n: a JNI call from another library's atfork child handler is caught" \
    "expected the FindClass report and SIGABRT" \
    eval 'has "$OUT" "^child: signal 6$" && has "$ERR" "$header"'

  run "$n" block refork
  check "forkpath $n: a child forking again from an unwalkable frame still forks (walk cut, not fatal)" \
    "expected 'child: exit 0' (signal 11: the walk faulted unguarded)" \
    has "$OUT" "^child: exit 0$"

  run "$n" block badcfi
  check "forkpath $n: the owner forking from an unwalkable frame goes on (walk cut, not fatal)" \
    "expected 'child: exit 0' and 'host: done'" \
    eval 'has "$OUT" "^child: exit 0$" && has "$OUT" "^host: done$"'
done
finish
