#!/usr/bin/env bash
# Python lines in reports (a CPython host's at (Python) block / python_stack):
# a multiprocessing.Pool task, an os.fork() child, a gunicorn --preload
# worker, each in text and JSON, must name the test program's own lines
# (the lines marked `# L:NAME` in the programs, asserted exactly), and
# `forkguard report` must print them as the first call and the fork site; a
# program embedding CPython whose JNI use comes from a C thread Python never
# ran on gets a plain report. Debian's python3-jpype under /usr/bin/python3.
# And Ruby (rjb): the Ruby line of the child's first JNI call and of the
# fork.
set -u
source "$(dirname "$0")/../../lib.sh"
source "$ROOT/tests/servers.sh"
D=$ROOT/tests/hosts/pystack
cd "$D"
T=$B/hosts/pystack
mkdir -p "$T"

# line_of FILE NAME: the line marked `# L:NAME` in FILE.
line_of() { grep -n "# L:$2\$" "$D/$1" | cut -d: -f1; }
# frame FILE NAME FUNCTION: the line a report shows for that frame.
frame() { echo "File \"$D/$1\", line $(line_of "$1" "$2"), in $3"; }
stack() { bounded 30 "$PYTHON" "$D/check_stack.py" "$@"; }
report() { bounded 30 "$B/forkguard" report "$1"; }

# py FORMAT SCRIPT [ARGS...]: runs SCRIPT under forkguard with a fresh log.
py() {
  local fmt=$1; shift
  LOGF=$FG_TMP/log.$FG_RUN.$fmt
  : >"$LOGF"
  bounded 90 env LD_PRELOAD="$FG_LIB" JAVA_HOME="$jh" FORKGUARD_FORMAT="$fmt" \
    FORKGUARD_LOG="$LOGF" "${PY_ENV[@]}" "$PYTHON" "$@"
}

for jh in $(jdks); do
  n=$(jdk_name "$jh")
  for fmt in text json; do
    t="pystack $n $fmt"
    PY_ENV=()

    # A Pool task that raises without catching: the pool's handler makes
    # JPype's exception, after the task's frame has left the stack.
    py "$fmt" pool_task.py
    log=$LOGF
    check "$t: pool task raises JVMNotRunning" "expected 'pool: task raised JVMNotRunning'" \
      has "$OUT" '^pool: task raised JVMNotRunning$'
    stack "$log" jni_in_child "$D/pool_task.py" \
      "$(frame pool_task.py pool-create '<module>')" "$(frame pool_task.py pool-java w_time)"
    check "$t: pool task: the report names the pool's creation and the task's line" \
      "$(cat "$ERR")" test "$RC" = 0
    report "$log"
    check "$t: pool task: forkguard report's first call and fork site are the program's lines" \
      "expected the w_time and Pool lines" \
      bash -c "grep -qxF '      first call at $(frame pool_task.py pool-java w_time)' '$OUT' \
        && grep -qxF '      forked at     $(frame pool_task.py pool-create '<module>')' '$OUT'"

    # os.fork() in the program, Java two calls down in the child, the fork
    # warning on: the parent's record names the fork line, the child's the
    # calls, the summary both.
    PY_ENV=(FORKGUARD_ON_FORK=warn)
    py "$fmt" fork_child.py
    log=$LOGF
    check "$t: os.fork child raises JVMNotRunning, exits 3" "expected the child's lines" \
      bash -c "grep -q '^child: raised JVMNotRunning$' '$OUT' && grep -q '^parent: child status 3$' '$OUT'"
    stack "$log" jni_in_child "$D/fork_child.py" "$(frame fork_child.py fork-child '<module>')" \
      "$(frame fork_child.py fork-call child)" "$(frame fork_child.py fork-java use_java)"
    check "$t: os.fork child: the report names the child's calls down to the Java use" \
      "$(cat "$ERR")" test "$RC" = 0
    stack "$log" fork "$D/fork_child.py" "$(frame fork_child.py fork-fork '<module>')" \
      --last "$(frame fork_child.py fork-fork '<module>')"
    check "$t: FORKGUARD_ON_FORK=warn: the parent's record names the line that forked" \
      "$(cat "$ERR")" test "$RC" = 0
    report "$log"
    check "$t: os.fork child: forkguard report names the Java use and the fork line" \
      "expected use_java's line and the os.fork() line" \
      bash -c "grep -qxF '      first call at $(frame fork_child.py fork-java use_java)' '$OUT' \
        && grep -qxF '      forked at     $(frame fork_child.py fork-fork '<module>')' '$OUT' \
        && grep -qF 'forks warned about: 1, first at $(frame fork_child.py fork-fork '<module>')' '$OUT'"
    # Without the warning the child's own stack is all there is: the frame
    # that forked, at its line in the child.
    PY_ENV=()
    py "$fmt" fork_child.py
    report "$LOGF"
    check "$t: os.fork child, no fork warning: forked at the frame that called fork()" \
      "expected '<module>' at the child() call" \
      grep -qxF "      forked at     $(frame fork_child.py fork-child '<module>')" "$OUT"

    # Nobody in the child catches: the exception object is made after every
    # frame has left the stack; the report still names the module's line and
    # use_java's.
    py "$fmt" fork_child.py uncaught
    stack "$LOGF" jni_in_child "$D/fork_child.py" "$(frame fork_child.py fork-uncaught '<module>')" \
      "$(frame fork_child.py fork-java use_java)"
    check "$t: os.fork child, exception caught by nobody: the report names its lines" \
      "$(cat "$ERR")" test "$RC" = 0

    # Warn mode: JPype is not stood down, its real JNI calls are reported
    # (GetEnv first) from the stub, on the thread running the child's code.
    PY_ENV=(FORKGUARD_MODE=warn)
    py "$fmt" fork_child.py
    stack "$LOGF" jni_in_child "$D/fork_child.py" --first "$(frame fork_child.py fork-child '<module>')" \
      "$(frame fork_child.py fork-call child)" "$(frame fork_child.py fork-java use_java)"
    check "$t: warn mode: the first JNI report names the child's calls" "$(cat "$ERR")" test "$RC" = 0
    PY_ENV=()

    # Deeper than the bound: the innermost 32 lines (29 of deep's recursion,
    # its call of use_java, use_java, JPype's class), marked as cut.
    py "$fmt" fork_child.py deep
    want=()
    for _ in $(seq 29); do want+=("$(frame fork_child.py fork-deep deep)"); done
    want+=("$(frame fork_child.py fork-deep-java deep)" "$(frame fork_child.py fork-java use_java)")
    stack "$LOGF" jni_in_child "$D/fork_child.py" "${want[@]}" --count 32 --cut \
      --last 'File "/usr/lib/python3/dist-packages/jpype/_jclass.py", line 99, in __new__'
    check "$t: a stack deeper than the bound keeps its 32 innermost lines, marked as cut" \
      "$(cat "$ERR")" test "$RC" = 0
  done

  # gunicorn --preload, one worker: /java raises out of the app into
  # gunicorn's handler (HTTP 500); the worker's report names the app's lines.
  for fmt in text json; do
    t="pystack $n $fmt gunicorn"
    LOGF=$FG_TMP/gunicorn.$n.$fmt
    : >"$LOGF"
    PORT=$("$PYTHON" "$ROOT/tests/hosts/gunicorn/client.py" port)
    timeout -k 5 120 env LD_PRELOAD="$FG_LIB" JAVA_HOME="$jh" FORKGUARD_FORMAT="$fmt" \
      FORKGUARD_LOG="$LOGF" /usr/bin/gunicorn --chdir "$D" -b "127.0.0.1:$PORT" --preload -w 1 \
      --timeout 30 --graceful-timeout 5 gunicorn_app:app >/dev/null 2>"$FG_TMP/gunicorn.err" </dev/null &
    SRV=$!
    bounded 40 "$PYTHON" "$ROOT/tests/hosts/gunicorn/client.py" wait "$PORT" 30
    check "$t: server ready" "port $PORT not accepting within 30 s: $(head -c 300 "$FG_TMP/gunicorn.err")" \
      test "$RC" = 0
    bounded 30 "$PYTHON" "$ROOT/tests/hosts/gunicorn/client.py" get "$PORT" /java 10
    check "$t: /java fails fast (HTTP 500)" "expected status 500" has "$OUT" '^status 500 '
    stop_server TERM 15
    stack "$LOGF" jni_in_child "$D/gunicorn_app.py" "$(frame gunicorn_app.py gunicorn-app app)" \
      "$(frame gunicorn_app.py gunicorn-java java_time)"
    check "$t: the worker's report names the app's call and its Java use" "$(cat "$ERR")" \
      test "$RC" = 0
    report "$LOGF"
    check "$t: forkguard report's first call is the app's Java use" "expected java_time's line" \
      grep -qxF "      first call at $(frame gunicorn_app.py gunicorn-java java_time)" "$OUT"
  done

  # CPython embedded in a C program that created the JVM: a JNI use from a C
  # thread Python never ran on gets the plain report; one from Python code,
  # through ctypes, names that code's line.
  if gcc -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE -rdynamic -I"$jh/include" -I"$jh/include/linux" \
      $(/usr/bin/python3-config --embed --includes) "$D/embed.c" -o "$T/embed-$n" \
      -L"$jh/lib/server" -Wl,-rpath,"$jh/lib/server" -ljvm -lpthread \
      $(/usr/bin/python3-config --embed --ldflags) 2>"$FG_TMP/embed.cc"; then
    for fmt in text json; do
      t="pystack $n $fmt embedded"
      LOGF=$FG_TMP/embed.$n.$fmt
      : >"$LOGF"
      bounded 60 env LD_PRELOAD="$FG_LIB" FORKGUARD_FORMAT="$fmt" FORKGUARD_LOG="$LOGF" \
        "$T/embed-$n" thread "$D/embed_use.py"
      check "$t: C thread: refused attach, child exits 0" "expected 'thread: attach -1', 'child: exit 0'" \
        bash -c "grep -q '^thread: attach -1$' '$OUT' && grep -q '^child: exit 0$' '$OUT'"
      check "$t: C thread without a Python thread state: a report, with C frames only" \
        "expected the AttachCurrentThread report with its attach frame" \
        bash -c "grep -q 'AttachCurrentThread' '$LOGF' && grep -q 'attach+0x' '$LOGF'"
      stack "$LOGF" jni_in_child "$D/embed_use.py" --none
      check "$t: C thread without a Python thread state: no Python block" "$(cat "$ERR")" test "$RC" = 0
      : >"$LOGF"
      bounded 60 env LD_PRELOAD="$FG_LIB" FORKGUARD_FORMAT="$fmt" FORKGUARD_LOG="$LOGF" \
        FORKGUARD_EXIT_CODE=70 "$T/embed-$n" python "$D/embed_use.py"
      check "$t: Python code's JNI use: the child exits 70" "expected 'child: exit 70'" \
        has "$OUT" '^child: exit 70$'
      stack "$LOGF" jni_in_child "$D/embed_use.py" "$(frame embed_use.py embed-java '<module>')" \
        --last "$(frame embed_use.py embed-java '<module>')"
      check "$t: Python code's JNI use: the report names its line, innermost" "$(cat "$ERR")" \
        test "$RC" = 0
    done
    # The report's Python block allocates and locks nothing: libfgcount
    # (tests/hosts/childpath) counts the calls of a grandchild that only
    # reports (FindClass, _exit(70)).
    if gcc -O2 -g -Wall -Wextra -Werror -fPIC -shared -fvisibility=hidden \
        "$ROOT/tests/hosts/childpath/count.c" -o "$T/libfgcount.so" -Wl,-z,now -ldl 2>"$FG_TMP/count.cc"; then
      LOGF=$FG_TMP/embed.$n.count
      : >"$LOGF"
      bounded 60 env LD_PRELOAD="$FG_LIB $T/libfgcount.so" FORKGUARD_LOG="$LOGF" \
        FORKGUARD_EXIT_CODE=70 "$T/embed-$n" count "$D/embed_use.py"
      counts=$(grep -o ' \(malloc\|calloc\|realloc\|free\|posix_memalign\|aligned_alloc\|memalign\|pthread_mutex_lock\|pthread_mutex_trylock\|pthread_rwlock_rdlock\|pthread_rwlock_wrlock\|abort\)=[1-9][0-9]*' "$OUT" | tr '\n' ' ')
      check "pystack $n embedded: a report with its Python block allocates and locks nothing" \
        "expected one count line with zero counts, grandchild exit 70, the Python line in the report; counts: $counts" \
        bash -c "[ \$(grep -c 'fgcount: ' '$OUT') = 1 ] && [ -z '$counts' ] && grep -q '^grandchild: exit 70$' '$OUT' \
          && grep -qF '$(frame embed_use.py embed-java '<module>')' '$LOGF'"
    else
      fail "pystack $n: libfgcount builds" "$(head -c 400 "$FG_TMP/count.cc")"
    fi
  else
    fail "pystack $n: embedded host builds" "$(head -c 400 "$FG_TMP/embed.cc")"
  fi

  # Ruby (rjb): the child's report and the fork warning name the Ruby lines
  # (tests/hosts/ruby's program: java_work's first Java call, the fork).
  R=$ROOT/tests/hosts/ruby
  java_line=$(grep -n "list = Rjb::import('java.util.ArrayList').new" "$R/common.rb" | cut -d: -f1)
  fork_line=$(grep -n '^pid = fork do$' "$R/child_uses_java.rb" | cut -d: -f1)
  for fmt in text json; do
    t="pystack $n $fmt ruby"
    LOGF=$FG_TMP/ruby.$n.$fmt
    : >"$LOGF"
    bounded 60 env -C "$R" LD_PRELOAD="$FG_LIB" JAVA_HOME="$jh" FORKGUARD_FORMAT="$fmt" \
      FORKGUARD_LOG="$LOGF" FORKGUARD_ON_FORK=warn ruby child_uses_java.rb 10
    check "$t: the child aborts at its first JNI call" "expected 'child: signal ABRT'" \
      has "$OUT" '^child: signal ABRT$'
    if [ "$fmt" = text ]; then
      check "$t: the report and the fork warning name the Ruby lines" \
        "expected at (Ruby): $R/common.rb:$java_line and child_uses_java.rb:$fork_line" \
        bash -c "[ \$(grep -cxF '  at (Ruby):      $R/common.rb:$java_line' '$LOGF') = 1 ] \
          && [ \$(grep -cxF '  at (Ruby):      child_uses_java.rb:$fork_line' '$LOGF') = 1 ]"
    else
      check "$t: the report and the fork warning name the Ruby lines" \
        "expected ruby_line $R/common.rb:$java_line and child_uses_java.rb:$fork_line" \
        bash -c "grep '\"event\":\"jni_in_child\"' '$LOGF' | grep -qF '\"ruby_line\":\"$R/common.rb:$java_line\"' \
          && grep '\"event\":\"fork\"' '$LOGF' | grep -qF '\"ruby_line\":\"child_uses_java.rb:$fork_line\"'"
    fi
    report "$LOGF"
    check "$t: forkguard report: first call and fork site are the Ruby lines" \
      "expected common.rb:$java_line and child_uses_java.rb:$fork_line" \
      bash -c "grep -qxF '      first call at $R/common.rb:$java_line' '$OUT' \
        && grep -qxF '      forked at     child_uses_java.rb:$fork_line' '$OUT'"
  done
done
finish
