#!/usr/bin/env bash
# Ruby with Debian's rjb (JAVA_HOME selects the JDK), on JDK 17 and Temurin 25.
# rjb ignores AttachCurrentThread's error code, so a child that uses Java is
# stopped at its first real JNIEnv call: one report, then SIGABRT — not a hang.
# rjb's own bookkeeping in a child (finalizers: attach, DeleteGlobalRef) is
# answered silently: a child that never uses Java runs as without a JVM. Then
# the preloading servers, puma (preload_app!) and unicorn (preload_app true).
set -u
source "$(dirname "$0")/../../lib.sh"
source "$ROOT/tests/servers.sh"
cd "$ROOT/tests/hosts/ruby"

rb() { bounded 60 env LD_PRELOAD="$FG_LIB" JAVA_HOME="$jh" ruby "$@"; }
ruby_fix='fix:     (ruby) load the JVM (Rjb::load) after fork, e.g. in on_worker_boot/after_fork, not before'

for jh in $(jdks); do
  n=$(jdk_name "$jh")
  for run in 1 2 3; do
    t="ruby $n run $run"
    rb child_uses_java.rb
    check "$t: rjb runs on the chosen JDK" "jvm: $jh" has "$OUT" "^jvm: $jh\$"
    check "$t: child using Java dies by SIGABRT, not a hang" \
      "expected 'child: signal ABRT' and no 'java worked'" \
      bash -c "grep -q '^child: signal ABRT\$' '$OUT' && ! grep -q 'java worked' '$OUT'"
    # The attach rjb ignores is refused silently; the report is written at
    # its first real call (FindClass), and the child aborts.
    check "$t: the child's report: one, at FindClass, abort, with Ruby's fix" \
      "exactly one record, for FindClass, 'action:  abort', with the (ruby) fix and libjvm $jh" \
      bash -c "[ \$(grep -c '^forkguard' '$ERR') = 1 ] && grep -q '^forkguard: JNI call FindClass in pid' '$ERR' && grep -qF '$ruby_fix' '$ERR' && grep -qx '  action:  abort (FORKGUARD_MODE=block)' '$ERR' && grep -q 'libjvm $jh/lib/server/libjvm.so' '$ERR'"
    check "$t: no Ruby crash dump or other noise on stderr" \
      "stderr has lines that are not part of a forkguard record" \
      bash -c "! grep -vE '^(forkguard: |  )' '$ERR' | grep -q ."
    check "$t: parent keeps working (GC)" "parent: works true" has "$OUT" '^parent: works true$'

    rb child_quiet.rb
    check "$t: children not using Java exit with their own status, silently" \
      "'child exit: exit 7', 'child end: exit 0', 'child gc: exit 0' (inherited Java objects collected), parent works, empty stderr" \
      bash -c "grep -q '^child exit: exit 7\$' '$OUT' && grep -q '^child end: exit 0\$' '$OUT' && grep -q '^child gc: exit 0\$' '$OUT' && grep -q '^parent: works true 1 200' '$OUT' && [ ! -s '$ERR' ]"

    rb signals.rb
    check "$t: SIGTERM stops a forked child (Ruby's default handling)" \
      "default: signal TERM" has "$OUT" '^default: signal TERM$'
    check "$t: the parent's own trap reaches the child and the parent" \
      "child's trap ran (exit 4), parent's trap ran, no forkguard output" \
      bash -c "grep -q '^trapped: exit 4\$' '$OUT' && grep -q '^parent: trap ran true, works true' '$OUT' && ! grep -q forkguard '$ERR'"
  done
done

# Preloading servers: the master loads rjb, every worker is a forked child.
# One at a time (tests/servers.sh); $LOG is its stdout+stderr.
client() { bounded "$1" "$PYTHON" ../gunicorn/client.py "${@:2}"; }
# start_server puma|unicorn
start_server() {
  PORT=$("$PYTHON" ../gunicorn/client.py port)
  LOG=$(mktemp)
  if [ "$1" = puma ]; then
    timeout -k 5 120 env LD_PRELOAD="$FG_LIB" JAVA_HOME="$jh" puma -C puma.rb -b "tcp://127.0.0.1:$PORT" app.ru >"$LOG" 2>&1 </dev/null &
  else
    timeout -k 5 120 env LD_PRELOAD="$FG_LIB" JAVA_HOME="$jh" unicorn -c unicorn.rb -l "127.0.0.1:$PORT" app.ru >"$LOG" 2>&1 </dev/null &
  fi
  SRV=$!
  client 40 wait "$PORT" 30
  READY=$([ "$RC" = 0 ] && echo 1 || echo 0)
}

# serve_plain TITLE WHAT-IS-READY: the server just started is ready, and
# answers 200 requests that never use Java, every one.
serve_plain() {
  TIMED_OUT=0
  check "$1: $2 ready" "port $PORT not accepting within 30 s; log: $(head -c 300 "$LOG" | tr '\n' '|')" [ "$READY" = 1 ]
  client 90 load "$PORT" 200 4 10 /plain
  check "$1: 200 requests that never use Java: 200 ok" \
    "got $(sed -n 's/^load: 200 requests //p' "$OUT")" \
    bash -c "grep -qE '^load: 200 requests ok=200 http500=0 timeout=0 error=0 other=0 ' '$OUT'"
}

for jh in $(jdks); do
  n=$(jdk_name "$jh")
  t="puma $n"
  start_server puma
  serve_plain "$t" "preload_app! cluster"
  stop_server TERM 15
  check "$t: no worker died or rebooted, no report, graceful stop" \
    "expected 2 'booted' lines, nothing from forkguard, 'Goodbye!' within 15 s" \
    bash -c "[ \$(grep -c 'Worker [0-9] (PID: [0-9]*) booted' '$LOG') = 2 ] && ! grep -q forkguard '$LOG' && grep -q 'Goodbye!' '$LOG' && [ $STOP_CLEAN = 1 ]"

  t="unicorn $n"
  start_server unicorn
  serve_plain "$t" "preload_app true"
  client 30 get "$PORT" /java 10
  check "$t: a Java request is cut off at once (rjb ignores the refusal: the worker aborts)" \
    "expected the connection closed, no hang" bash -c "grep -qE '^status error [0-9.]+s RemoteDisconnected' '$OUT'"
  client 30 load "$PORT" 20 2 10 /plain
  check "$t: the replacement worker serves plain requests" "got $(head -1 "$OUT")" \
    bash -c "grep -qE '^load: 20 requests ok=20 ' '$OUT'"
  stop_server QUIT 15
  # ArrayList was imported in the master: the request's first real call is
  # the constructor (rjb uses NewObjectA), not the attach before it.
  check "$t: one report for the Java request, at its first real call, none for plain ones" \
    "expected exactly one forkguard record, for NewObjectA, with the (ruby) fix" \
    bash -c "[ \$(grep -c '^forkguard' '$LOG') = 1 ] && grep -q '^forkguard: JNI call NewObjectA in pid' '$LOG' && grep -qF '$ruby_fix' '$LOG'"
  check "$t: only the Java worker aborted; the others exit 0 on a graceful stop" \
    "expected exactly 1 SIGABRT reap and 2 'exit 0' reaps" \
    bash -c "[ \$(grep -c 'reaped .*SIGABRT' '$LOG') = 1 ] && [ \$(grep -c 'reaped .* exit 0> worker=' '$LOG') = 2 ] && [ $STOP_CLEAN = 1 ]"
done

# The bug itself, once: without forkguard the child hangs at its first GC.
jh=$JDK17
bounded 60 env JAVA_HOME="$jh" ruby child_uses_java.rb 5
check "ruby control: without forkguard the child using Java hangs (the bug is real)" \
  "expected 'child: hung' (killed after 5 s)" has "$OUT" '^child: hung$'
finish
