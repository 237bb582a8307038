#!/usr/bin/env bash
# Python lines in reports (a CPython host's at (Python) block / python_stack):
# a multiprocessing.Pool task, an os.fork() child, a gunicorn --preload
# worker, each in text and JSON, must name the test program's own lines
# (the lines marked `# L:NAME` in the programs, asserted exactly), and
# `forkguard report` must print them as the first call and the fork site; a
# program embedding CPython whose JNI use comes from a C thread Python never
# ran on gets a plain report. Debian's python3-jpype under /usr/bin/python3.
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
done
finish
