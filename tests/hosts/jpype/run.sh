#!/usr/bin/env bash
# Debian's python3-jpype under /usr/bin/python3, on JDK 17 and Temurin 25.
set -u
source "$(dirname "$0")/../../lib.sh"
cd "$ROOT/tests/hosts/jpype"

py() { bounded 90 env LD_PRELOAD="$FG_LIB" JAVA_HOME="$jh" "$PYTHON" "$@"; }
head_re='^forkguard: JNI call through JPype in pid [0-9]+, a forked child of JVM owner pid [0-9]+$'
java_exc='JVMNotRunning: Java is not usable in this process \(pid [0-9]+\): it is a fork\(\)ed child of pid [0-9]+'

for jh in $(jdks); do
  n=$(jdk_name "$jh")
  py child_uses_java.py
  check "jpype $n: child using Java gets a Python exception, not a hang" \
    "expected JVMNotRunning with forkguard's message in the child and its own exit status 3" \
    bash -c "grep -qE '^child: exception $java_exc' '$OUT' && grep -q '^child: status 3' '$OUT'"
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
    bash -c "grep -q '^pool: 6 of 6 java tasks raised (JVMNotRunning: Java is not usable' '$OUT' && grep -q 'plain tasks ok True' '$OUT' && grep -q 'works True' '$OUT'"

  # A parent written as users write it (javaparent.py: jpype.imports,
  # java.util classes, an HSQLDB query, ~100 MB of Java allocation, live Java
  # objects): a child that never uses Java meets only JPype's housekeeping and
  # must behave as without a JVM — no exception, no report, its own status.
  for s in isinstance_abc traceback_format import_missing gc_pressure drop_inherited; do
    py bridge.py "$s"
    check "jpype $n: housekeeping child ($s): silent, exits with its own status" \
      "expected 'parent: status 7', the scenario's lines, nothing from forkguard, parent working" \
      bash -c "grep -q '^parent: status 7$' '$OUT' && grep -q '^parent: works True$' '$OUT' && ! grep -q forkguard '$ERR' && ! grep -q Traceback '$ERR'"
  done
  py bridge.py isinstance_abc
  check "jpype $n: isinstance/issubclass against collections.abc answer as without a JVM" \
    "expected False True True False" \
    bash -c "grep -q '^child: isinstance None Sequence False$' '$OUT' && grep -q '^child: isinstance list Sequence True$' '$OUT' && grep -q '^child: issubclass dict Mapping True$' '$OUT' && grep -q '^child: isinstance 3 Iterable False$' '$OUT'"
  py bridge.py import_missing
  check "jpype $n: importing a missing module raises ImportError" "expected ModuleNotFoundError" \
    has "$OUT" '^child: import missing: ModuleNotFoundError$'
  py bridge.py traceback_format
  check "jpype $n: traceback formatting works" "expected 'child: traceback ok True'" \
    has "$OUT" '^child: traceback ok True$'

  # Real use: JPype's own exception at the call (catchable), one report, the
  # child goes on (type checks still work) and exits with its own status.
  py bridge.py uses_java
  check "jpype $n: Java use after jpype.imports: catchable exception, one report, child goes on" \
    "expected JVMNotRunning twice, one report, isinstance still False, status 7" \
    bash -c "grep -qE '^child: exception $java_exc' '$OUT' && grep -q '^child: second exception JVMNotRunning$' '$OUT' \
      && grep -q '^child: still isinstance False$' '$OUT' && grep -q '^parent: status 7$' '$OUT' \
      && [ \$(grep -cE '$head_re' '$ERR') = 1 ] && [ \$(grep -c '^forkguard' '$ERR') = 1 ]"

  # Starting the JVM when it "is not started" (JayDeBeApi's idiom), and a
  # Java package the parent never imported: JPype's own refusals, with
  # forkguard's message and one report each (no OSError "cannot be restarted").
  py bridge.py starts_jvm
  check "jpype $n: startJVM in a child (JayDeBeApi's idiom): JVMNotRunning with forkguard's message, one report" \
    "expected JVMNotRunning, not OSError; one report through JPype; status 7" \
    bash -c "grep -qE '^child: exception $java_exc' '$OUT' && grep -q '^parent: status 7$' '$OUT' \
      && [ \$(grep -cE '$head_re' '$ERR') = 1 ] && [ \$(grep -c '^forkguard' '$ERR') = 1 ]"
  py bridge.py imports_java
  check "jpype $n: importing a new Java package in a child: ImportError with forkguard's message, one report" \
    "expected ImportError saying why, one report through JPype, status 7" \
    bash -c "grep -qE '^child: exception ImportError: Java is not usable in this process \(pid [0-9]+\)' '$OUT' \
      && grep -q '^parent: status 7$' '$OUT' && [ \$(grep -cE '$head_re' '$ERR') = 1 ]"

  # The CI gate reads that report from a text log (the default format).
  log=$FG_TMP/jpype-$n.log
  bounded 90 env LD_PRELOAD="$FG_LIB" JAVA_HOME="$jh" FORKGUARD_LOG="$log" "$PYTHON" bridge.py uses_java
  bounded 10 "$B/forkguard" report "$log"
  check "jpype $n: forkguard report counts the JPype refusal in a text log (exit 1)" \
    "expected exit 1 and 'through JPype [refused]'" \
    bash -c "[ $RC = 1 ] && grep -q 'through JPype \[refused\]' '$OUT'"

  # Pools with mixed tasks: results and exceptions come back, workers reused.
  for kind in pool executor; do
    py pools.py "$kind"
    check "jpype $n: $kind (fork): plain results, ValueErrors and Java exceptions all come back, same workers" \
      "expected no hang, 6/6 plain, 6/6 ValueError, 6/6 Java raised, 6/6 plain after, workers reused" \
      bash -c "grep -q '^$kind: hangs 0$' '$OUT' && grep -q '^$kind: plain 6 of 6 ok$' '$OUT' \
        && grep -q '^$kind: ValueError 6 of 6 (ValueError: plain failure' '$OUT' \
        && grep -q '^$kind: java raised 6 of 6 (JVMNotRunning: Java is not usable' '$OUT' \
        && grep -q '^$kind: plain after java 6 of 6 ok$' '$OUT' && grep -q '^$kind: workers reused True$' '$OUT' \
        && grep -q '^parent: works True$' '$OUT'"
    check "jpype $n: $kind (fork): at most one report per worker, none for plain or raising tasks" \
      "expected 1 or 2 reports (2 workers), all through JPype" \
      bash -c "r=\$(grep -c '^forkguard: JNI call' '$ERR'); [ \$r -ge 1 ] && [ \$r -le 2 ] && [ \$(grep -cE '$head_re' '$ERR') = \$r ]"
  done
done

# JPype's GC hook calls System.gc() through JNI from a Python GC callback: 20
# children under allocation pressure, zero aborts, zero reports.
jh=$JDK17
aborted=0
for i in $(seq 20); do
  py bridge.py gc_pressure
  if ! grep -q '^parent: status 7$' "$OUT" || grep -q forkguard "$ERR"; then
    aborted=$((aborted + 1))
    last="status: $(grep '^parent: status' "$OUT") stderr: $(head -c 300 "$ERR" | tr '\n' '|')"
  fi
done
TIMED_OUT=0
check "jpype: 20 GC-pressure children: 0 aborted or reported" "$aborted of 20 failed; last: ${last:-}" \
  [ "$aborted" = 0 ]

# The bug itself, once, to show what the guard prevents: without forkguard the
# quiet child hangs in DestroyJavaVM during interpreter teardown.
jh=$JDK17
bounded 60 env JAVA_HOME="$jh" "$PYTHON" child_quiet.py 5
check "jpype control: without forkguard the quiet child hangs (the bug is real)" \
  "expected 'child: status None' (hung, killed after 5 s)" has "$OUT" '^child: status None$'
finish
