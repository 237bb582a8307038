#!/usr/bin/env bash
# uWSGI (Debian's uwsgi-core + python3 plugin) serving tests/hosts/gunicorn's
# app.py, which starts the JVM with JPype at import and queries an in-memory
# HSQLDB per /query request; /plain never uses Java but meets JPype's
# housekeeping (type checks, tracebacks, import hook, GC hook). The app is
# loaded in the master (uWSGI's default, no lazy-apps): every worker is a
# forked child of the JVM's owner, and uWSGI runs no Python at-fork hooks.
set -u
source "$(dirname "$0")/../../lib.sh"
source "$ROOT/tests/servers.sh"
cd "$ROOT/tests/hosts/gunicorn"

client() { bounded "$1" "$PYTHON" client.py "${@:2}"; }
uwsgi_fix='fix:     (uwsgi) load the app in each worker (lazy-apps = true)'
head_re='^forkguard: JNI call [A-Za-z ]+ in pid [0-9]+, a forked child of JVM owner pid [0-9]+$'

LOG=""
# start_server FORKGUARD|NONE: 3 workers, app loaded in the master; waits
# with a deadline until the port accepts connections (READY=1).
start_server() {
  local preload=()
  [ "$1" = FORKGUARD ] && preload=(LD_PRELOAD="$FG_LIB")
  PORT=$("$PYTHON" client.py port)
  LOG=$(mktemp)
  timeout -k 5 150 env "${preload[@]}" JAVA_HOME="$jh" /usr/bin/uwsgi --plugin python3 \
    --http-socket "127.0.0.1:$PORT" --master --processes 3 --chdir "$PWD" \
    --wsgi-file app.py --callable app --need-app --die-on-term \
    >/dev/null 2>"$LOG" </dev/null &
  SRV=$!
  client 40 wait "$PORT" 30
  READY=$([ "$RC" = 0 ] && echo 1 || echo 0)
}

for jh in $(jdks); do
  n=$(jdk_name "$jh")
  for run in 1 2 3; do
    t="uwsgi $n run $run"
    start_server FORKGUARD
    TIMED_OUT=0
    check "$t: server ready" "port $PORT not accepting within 30 s; log: $(head -c 300 "$LOG" | tr '\n' '|')" \
      [ "$READY" = 1 ]
    client 90 mixed "$PORT" 60 10 10
    check "$t: plain requests all served, Java requests fail fast (HTTP 500)" \
      "expected /plain ok=30 and /query http500=30, nothing timed out; got $(tr '\n' '|' < "$OUT")" \
      bash -c "grep -qE '^mixed /plain: 30 requests ok=30 http500=0 timeout=0 error=0$' '$OUT' && grep -qE '^mixed /query: 30 requests ok=0 http500=30 timeout=0 error=0$' '$OUT'"
    stop_server TERM 15
    workers=$(sed -nE 's/^spawned uWSGI worker [0-9]+ \(pid: ([0-9]+), cores: 1\)$/\1/p' "$LOG" | sort -u | tr '\n' ' ')
    reported=$(sed -nE 's/^forkguard: JNI call [A-Za-z ]+ in pid ([0-9]+),.*/\1/p' "$LOG" | sort | tr '\n' ' ')
    check "$t: one report per worker that used Java, with uWSGI's fix" \
      "expected 1 to 3 reports from the workers ($workers), each with the (uwsgi) fix; reports from: $reported" \
      bash -c "r=\$(grep -cE '$head_re' '$LOG'); [ \$r -ge 1 ] && [ \$r -le 3 ] && [ \$(grep -cF '$uwsgi_fix' '$LOG') = \$r ] \
        && [ -z \"\$(echo $reported | tr ' ' '\n' | uniq -d)\" ] && for p in $reported; do echo ' $workers' | grep -q \" \$p \" || exit 1; done \
        && grep -q 'JVMNotRunning: Java is not usable in this process' '$LOG'"
    check "$t: no worker died, none respawned, clean stop" \
      "expected 3 workers spawned once, no 'DAMN'/'respawned' lines, 'goodbye to uWSGI' within 15 s" \
      bash -c "[ \$(grep -c '^spawned uWSGI worker' '$LOG') = 3 ] && ! grep -qE 'DAMN|respawned|signal 6|dumped core' '$LOG' \
        && [ $STOP_CLEAN = 1 ] && grep -q 'goodbye to uWSGI' '$LOG'"
  done
done

# The bug itself, once, without forkguard (JDK 17): Java requests in the
# workers hang.
jh=$JDK17
start_server NONE
client 60 mixed "$PORT" 10 5 3
TIMED_OUT=0
check "uwsgi control: without forkguard Java requests hang (the bug is real)" \
  "expected at least one /query timing out after 3 s; got $(tr '\n' '|' < "$OUT")" \
  bash -c "grep -qE '^mixed /query: 5 requests .* timeout=[1-9]' '$OUT'"
stop_server TERM 5
finish
