#!/usr/bin/env bash
# Children of a JVM owner can be stopped (Debian's python3-jpype under
# /usr/bin/python3, JDK 17 and Temurin 25): forkguard resets, in the child,
# the signal handlers that live in libjvm; the parent's own handlers stay.
set -u
source "$(dirname "$0")/../../lib.sh"
cd "$ROOT/tests/hosts/signals"

py() { bounded 60 env LD_PRELOAD="$FG_LIB" JAVA_HOME="$jh" "$PYTHON" "$@"; }
jvm5='SIGTERM handler in libjvm.so; SIGINT handler in libjvm.so; SIGHUP handler in libjvm.so; SIGPIPE handler in libjvm.so; SIGXFSZ handler in libjvm.so'

for jh in $(jdks); do
  n=$(jdk_name "$jh")
  for run in 1 2 3; do
    t="signals $n run $run"
    py handlers.py
    check "$t: the parent's handlers are libjvm's (the scenario is real)" \
      "parent: $jvm5" has "$OUT" "^parent: $jvm5\$"
    check "$t: child that touched Java: libjvm's handlers reset" \
      "back to Python's own: SIGTERM/SIGHUP default, SIGINT Python's handler, SIGPIPE/SIGXFSZ ignored" \
      has "$OUT" '^child: java JVMNotRunning; SIGTERM default; SIGINT handler in python3; SIGHUP default; SIGPIPE ignore; SIGXFSZ ignore$'
    check "$t: os.kill(child, SIGTERM) ends it" "status -15 (within the script's 10 s bound)" \
      has "$OUT" '^child: after SIGTERM status -15 in '
    check "$t: the parent's dispositions are unchanged by the fork" \
      "parent: unchanged after fork True" has "$OUT" '^parent: unchanged after fork True$'
    check "$t: a handler the parent installs after startJVM is kept, in parent and child" \
      "own handler (in python3) ran in the parent and in the next child" \
      bash -c "grep -q '^parent: own SIGTERM handler in python3\$' '$OUT' && grep -q '^parent: own handler ran True\$' '$OUT' && grep -q '^child2: SIGTERM handler in python3, ran True\$' '$OUT'"
    check "$t: parent keeps working; one report (the child that touched Java)" \
      "parent: works True, exactly one forkguard record" \
      bash -c "grep -q '^parent: works True' '$OUT' && [ \$(grep -c '^forkguard: JNI call' '$ERR') = 1 ]"

    py pool_terminate.py
    check "$t: Pool(fork) Java tasks raise in the workers" \
      "tasks: JVMNotRunning x4" has "$OUT" '^tasks: JVMNotRunning JVMNotRunning JVMNotRunning JVMNotRunning$'
    # A bound, not a benchmark: terminate() returns at once or never.
    check "$t: pool.terminate() returns within 2 s (busy worker)" \
      "terminate: returned in < 2 s" \
      bash -c "s=\$(sed -n 's/^terminate: returned in \([0-9.]*\) s\$/\1/p' '$OUT'); [ -n \"\$s\" ] && awk -v s=\"\$s\" 'BEGIN { exit !(s < 2) }'"
    check "$t: one report per Pool worker, with the multiprocessing fix" \
      "1 or 2 records (2 workers), each with the (python) set_start_method fix" \
      bash -c "r=\$(grep -c '^forkguard: JNI call' '$ERR'); [ \$r -ge 1 ] && [ \$r -le 2 ] && [ \$(grep -cF \"fix:     (python) multiprocessing: set_start_method('spawn') or 'forkserver'\" '$ERR') = \$r ]"
    check "$t: the busy worker died by SIGTERM, the parent works" \
      "the busy task started, workers: include -15, none still running; parent works" \
      bash -c "grep -q '^busy task started: True\$' '$OUT' && grep -qE '^workers: (.* )?-15( |\$)' '$OUT' && ! grep -q '^workers:.*None' '$OUT' && grep -q '^parent: works True' '$OUT'"
  done
done

# The bug itself, once each: without forkguard a child of the JVM ignores
# SIGTERM, and Pool.terminate() never returns.
jh=$JDK17
bounded 60 env JAVA_HOME="$jh" "$PYTHON" handlers.py 3
check "signals control: without forkguard the child ignores SIGTERM (the bug is real)" \
  "expected 'status None' (still running 3 s after SIGTERM, then killed)" \
  has "$OUT" '^child: after SIGTERM status None in '
bounded 60 env JAVA_HOME="$jh" "$PYTHON" pool_terminate.py 3
check "signals control: without forkguard pool.terminate() hangs (the bug is real)" \
  "expected 'terminate: hung'" has "$OUT" '^terminate: hung after '
finish
