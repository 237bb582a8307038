#!/usr/bin/env bash
# Debian's python3-jpype under /usr/bin/python3, on JDK 17 and Temurin 25.
set -u
source "$(dirname "$0")/../../lib.sh"
cd "$ROOT/tests/hosts/jpype"

py() { bounded 90 env LD_PRELOAD="$FG_LIB" JAVA_HOME="$jh" "$PYTHON" "$@"; }
head_re='^forkguard: JNI call AttachCurrentThread(AsDaemon)? in pid [0-9]+, a forked child of JVM owner pid [0-9]+$'

for jh in $(jdks); do
  n=$(jdk_name "$jh")
  py child_uses_java.py
  check "jpype $n: child using Java gets a Python exception, not a hang" \
    "expected RuntimeError in the child and its own exit status 3" \
    bash -c "grep -q '^child: exception RuntimeError: Unable to attach' '$OUT' && grep -q '^child: status 3' '$OUT'"
  check "jpype $n: one report naming python's fix" "one report with the (python) fix" \
    bash -c "[ \$(grep -cE '$head_re' '$ERR') = 1 ] && grep -q \"fix:     (python) multiprocessing: set_start_method('spawn')\" '$ERR' && grep -q 'libjvm $jh' '$ERR'"
  check "jpype $n: parent keeps working (GC)" "parent: works True" has "$OUT" '^parent: works True$'

  py child_quiet.py
  check "jpype $n: child not using Java exits 5, forkguard silent" \
    "expected 'child: status 5' and nothing on stderr" \
    bash -c "grep -q '^child: status 5' '$OUT' && grep -q '^parent: works True' '$OUT' && ! grep -q forkguard '$ERR'"

  py subprocesses.py
  check "jpype $n: 200 subprocess.run(/bin/true) silent" "0 of 200 failed, no report" \
    bash -c "grep -q '0 of 200 failed' '$OUT' && grep -q 'works True' '$OUT' && ! grep -q forkguard '$ERR'"

  py pool.py
  check "jpype $n: multiprocessing Pool (fork): Java tasks raise, workers survive" \
    "6 of 6 raised, then plain tasks ran in the same pool" \
    bash -c "grep -q '^pool: 6 of 6 java tasks raised (RuntimeError' '$OUT' && grep -q 'plain tasks ok True' '$OUT' && grep -q 'works True' '$OUT'"
done

# The bug itself, once, to show what the guard prevents: without forkguard the
# quiet child hangs in DestroyJavaVM during interpreter teardown.
jh=$JDK17
bounded 60 env JAVA_HOME="$jh" "$PYTHON" child_quiet.py 5
check "jpype control: without forkguard the quiet child hangs (the bug is real)" \
  "expected 'child: status None' (hung, killed after 5 s)" has "$OUT" '^child: status None$'
finish
