#!/usr/bin/env bash
# gunicorn (Debian's, /usr/bin/gunicorn on /usr/bin/python3) serving app.py,
# which starts the JVM with JPype at import and queries an in-memory HSQLDB
# through JDBC per request; JDK 17 and Temurin 25 (JPype follows JAVA_HOME).
# --preload: the arbiter owns the JVM and every worker is a forked child.
set -u
source "$(dirname "$0")/../../lib.sh"
source "$ROOT/tests/servers.sh"
cd "$ROOT/tests/hosts/gunicorn"

client() { bounded "$1" "$PYTHON" client.py "${@:2}"; }
gunicorn_fix='fix:     (gunicorn) drop --preload (the JVM is then started per worker), or start the JVM in a post_fork hook instead of at import time'
head_re='^forkguard: JNI call [A-Za-z ]+ in pid [0-9]+, a forked child of JVM owner pid [0-9]+$'

# One server at a time (tests/servers.sh): $LOG is gunicorn's stderr (its
# log, and forkguard's reports), $PORT a free loopback port.
LOG=""

# start_server FORKGUARD|NONE GUNICORN-ARGS...: starts it (with or without
# the guard preloaded) and waits, with a deadline, until the port accepts
# connections; READY=1 when it does.
start_server() {
  local guard=$1; shift
  PORT=$("$PYTHON" client.py port)
  LOG=$(mktemp)
  if [ "$guard" = FORKGUARD ]; then
    timeout -k 5 150 env LD_PRELOAD="$FG_LIB" JAVA_HOME="$jh" /usr/bin/gunicorn \
      -b "127.0.0.1:$PORT" "$@" app:app >/dev/null 2>"$LOG" </dev/null &
  else
    timeout -k 5 150 env JAVA_HOME="$jh" /usr/bin/gunicorn \
      -b "127.0.0.1:$PORT" "$@" app:app >/dev/null 2>"$LOG" </dev/null &
  fi
  SRV=$!
  client 40 wait "$PORT" 30
  READY=$([ "$RC" = 0 ] && echo 1 || echo 0)
}

# wait_log SECS REGEX: polls gunicorn's log until a line matches.
wait_log() {
  local deadline=$((SECONDS + $1))
  while [ $SECONDS -lt $deadline ]; do
    grep -qE -- "$2" "$LOG" && return 0
    sleep 0.1
  done
  return 1
}

summary() { sed -n 's/^load: 60 requests //p' "$OUT"; }

for jh in $(jdks); do
  n=$(jdk_name "$jh")
  for run in 1 2 3; do
    t="gunicorn $n run $run"

    # --preload, 3 workers, 60 requests from 10 threads, 5 s per request.
    start_server FORKGUARD --preload -w 3 --timeout 30 --graceful-timeout 5
    TIMED_OUT=0
    check "$t: --preload: server ready" "port $PORT not accepting within 30 s; log: $(head -c 300 "$LOG" | tr '\n' '|')" \
      [ "$READY" = 1 ]
    client 60 load "$PORT" 60 10 5
    check "$t: --preload: no request hangs, every one fails fast (HTTP 500)" \
      "expected 60 answered within 5 s each, 0 timeouts, 0 connection errors; got $(summary)" \
      bash -c "grep -qE '^load: 60 requests ok=0 http500=60 timeout=0 error=0 other=0 ' '$OUT'"
    # Requests that never use Java meet JPype's housekeeping (type checks,
    # tracebacks, its import hook, its GC hook) and must all succeed, mixed
    # with Java requests that fail fast, in the same workers.
    client 90 mixed "$PORT" 60 10 10
    check "$t: --preload: plain requests all served beside failing Java ones" \
      "expected /plain ok=30 and /query http500=30, nothing timed out; got $(tr '\n' '|' < "$OUT")" \
      bash -c "grep -qE '^mixed /plain: 30 requests ok=30 http500=0 timeout=0 error=0$' '$OUT' && grep -qE '^mixed /query: 30 requests ok=0 http500=30 timeout=0 error=0$' '$OUT'"
    stop_server TERM 15
    workers=$(sed -n 's/.*Booting worker with pid: \([0-9]*\)$/\1/p' "$LOG" | sort -u | tr '\n' ' ')
    reported=$(sed -nE 's/^forkguard: JNI call [A-Za-z ]+ in pid ([0-9]+),.*/\1/p' "$LOG" | sort | tr '\n' ' ')
    check "$t: --preload: the workers' log carries the report with gunicorn's fix" \
      "expected 1 to 3 reports, at most one per worker pid ($workers), each with the (gunicorn) fix and libjvm $jh; reports from: $reported" \
      bash -c "r=\$(grep -cE '$head_re' '$LOG'); [ \$r -ge 1 ] && [ \$r -le 3 ] && [ \$(grep -cF '$gunicorn_fix' '$LOG') = \$r ] \
        && [ -z \"\$(echo $reported | tr ' ' '\n' | uniq -d)\" ] && for p in $reported; do echo ' $workers' | grep -q \" \$p \" || exit 1; done \
        && grep -q 'libjvm $jh/lib/server/libjvm.so' '$LOG' && grep -q 'JVMNotRunning: Java is not usable in this process' '$LOG'"
    check "$t: --preload: server stops gracefully, no worker needs SIGKILL" \
      "expected a clean stop within 15 s and no 'terminated due to signal 9'" \
      bash -c "[ $STOP_CLEAN = 1 ] && ! grep -q 'terminated due to signal 9' '$LOG' && grep -q 'Shutting down: Master' '$LOG'"
    check "$t: --preload: no worker died or timed out, none respawned" \
      "expected exactly 3 'Booting worker' lines, no WORKER TIMEOUT, no 'exited with code', no signal deaths" \
      bash -c "[ \$(grep -c 'Booting worker with pid' '$LOG') = 3 ] && ! grep -qE 'WORKER TIMEOUT|exited with code|terminated due to signal' '$LOG'"

    # Without --preload every worker starts its own JVM: the fix works. The
    # first requests wait for the workers' JVMs, hence 15 s per request.
    start_server FORKGUARD -w 3 --timeout 30 --graceful-timeout 5
    TIMED_OUT=0
    check "$t: no --preload: server ready" "port $PORT not accepting within 30 s" [ "$READY" = 1 ]
    client 90 load "$PORT" 60 10 15
    check "$t: no --preload: all 60 requests served (HSQLDB via JDBC)" \
      "expected ok=60; got $(summary)" \
      bash -c "grep -qE '^load: 60 requests ok=60 http500=0 timeout=0 error=0 other=0 ' '$OUT'"
    stop_server TERM 15
    check "$t: no --preload: no forkguard report at all" \
      "gunicorn's log must not mention forkguard" hasnt "$LOG" forkguard

    # Item 4: a --preload worker that tried Java and is then stuck in a slow
    # request is replaced on --timeout: the arbiter's SIGABRT ends it (no
    # SIGKILL in the log), a new worker boots and serves.
    start_server FORKGUARD --preload -w 1 --timeout 2 --graceful-timeout 5
    TIMED_OUT=0
    check "$t: --timeout: server ready" "port $PORT not accepting within 30 s" [ "$READY" = 1 ]
    wait_log 10 'Booting worker with pid: [0-9]+$'
    old=$(sed -n 's/.*Booting worker with pid: \([0-9]*\)$/\1/p' "$LOG" | head -1)
    client 30 get "$PORT" '/slow?30' 20
    check "$t: --timeout: the slow request is cut off, not left hanging" \
      "expected the connection closed by the server well before 20 s" \
      bash -c "grep -qE '^status error [0-9.]+s RemoteDisconnected' '$OUT'"
    deadline=$((SECONDS + 15))
    while [ $SECONDS -lt $deadline ] && { kill -0 "$old" 2>/dev/null || \
          [ "$(grep -c 'Booting worker with pid' "$LOG")" -lt 2 ]; }; do sleep 0.1; done
    new=$(sed -n 's/.*Booting worker with pid: \([0-9]*\)$/\1/p' "$LOG" | sed -n 2p)
    check "$t: --timeout: the stuck worker is gone and a new one booted, within 15 s" \
      "old worker $old, new worker '${new}'" \
      bash -c "[ -n '$new' ] && [ '$new' != '$old' ] && ! kill -0 '$old' 2>/dev/null && grep -q 'WORKER TIMEOUT (pid:$old)' '$LOG'"
    check "$t: --timeout: the stuck worker ended without SIGKILL" \
      "gunicorn logged 'Worker with pid $old was terminated due to signal 9'" \
      bash -c "! grep -q 'Worker with pid $old was terminated due to signal 9' '$LOG'"
    client 30 get "$PORT" /pid 10
    check "$t: --timeout: the new worker serves" "status 200 from pid $new" \
      has "$OUT" "^status 200 .* pid $new\$"
    stop_server TERM 15
    check "$t: --timeout: the worker's report names gunicorn's fix" \
      "one report from pid $old with the (gunicorn) fix" \
      bash -c "[ \$(grep -cE '^forkguard: JNI call [A-Za-z ]+ in pid $old,' '$LOG') = 1 ] && grep -qF '$gunicorn_fix' '$LOG'"
  done
done

# The bug itself, once each, without forkguard (JDK 17): --preload workers
# hang on their requests, and a stuck worker needs gunicorn's SIGKILL.
jh=$JDK17
start_server NONE --preload -w 3 --timeout 30 --graceful-timeout 2
client 60 load "$PORT" 10 5 3
TIMED_OUT=0
check "gunicorn control: without forkguard --preload requests hang (the bug is real)" \
  "expected at least one request timing out after 3 s; got $(sed -n 's/^load: 10 requests //p' "$OUT")" \
  bash -c "grep -qE '^load: 10 requests .* timeout=[1-9]' '$OUT'"
stop_server TERM 15
start_server NONE --preload -w 1 --timeout 2 --graceful-timeout 2
wait_log 10 'Booting worker with pid: [0-9]+$'
old=$(sed -n 's/.*Booting worker with pid: \([0-9]*\)$/\1/p' "$LOG" | head -1)
client 30 get "$PORT" '/slow?30' 20
wait_log 15 "Worker with pid $old was terminated due to signal"
TIMED_OUT=0
check "gunicorn control: without forkguard the stuck worker needs SIGKILL (the bug is real)" \
  "expected 'Worker with pid $old was terminated due to signal 9'" \
  has "$LOG" "Worker with pid $old was terminated due to signal 9"
stop_server TERM 15
finish
