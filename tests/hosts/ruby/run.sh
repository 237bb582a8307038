#!/usr/bin/env bash
# Ruby with Debian's rjb (JAVA_HOME selects the JDK), on JDK 17 and Temurin 25.
# rjb ignores AttachCurrentThread's error code, so a child that uses Java is
# stopped at its first JNIEnv call: a report, then SIGABRT — not a hang.
set -u
source "$(dirname "$0")/../../lib.sh"
cd "$ROOT/tests/hosts/ruby"

rb() { bounded 60 env LD_PRELOAD="$FG_LIB" JAVA_HOME="$jh" ruby "$@"; }
head_re='^forkguard: JNI call [A-Za-z]+ in pid [0-9]+, a forked child of JVM owner pid [0-9]+$'
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
    # The refused attach is reported, then the abort at rjb's first JNIEnv
    # call: the child's last record says abort, with Ruby's fix.
    check "$t: the child's report: abort, with Ruby's fix" \
      "1 or 2 records from the child, the last 'action:  abort', every one with the (ruby) fix and libjvm $jh" \
      bash -c "r=\$(grep -cE '$head_re' '$ERR'); [ \$r -ge 1 ] && [ \$r -le 2 ] && [ \$(grep -cF '$ruby_fix' '$ERR') = \$r ] && [ \"\$(grep '^  action:' '$ERR' | tail -1)\" = '  action:  abort (FORKGUARD_MODE=block)' ] && grep -q 'libjvm $jh/lib/server/libjvm.so' '$ERR'"
    check "$t: no Ruby crash dump or other noise on stderr" \
      "stderr has lines that are not part of a forkguard record" \
      bash -c "! grep -vE '^(forkguard: |  )' '$ERR' | grep -q ."
    check "$t: parent keeps working (GC)" "parent: works true" has "$OUT" '^parent: works true$'

    rb child_quiet.rb
    check "$t: children not using Java exit with their own status, silently" \
      "'child exit: exit 7', 'child end: exit 0', parent works, empty stderr" \
      bash -c "grep -q '^child exit: exit 7\$' '$OUT' && grep -q '^child end: exit 0\$' '$OUT' && grep -q '^parent: works true' '$OUT' && [ ! -s '$ERR' ]"

    rb signals.rb
    check "$t: SIGTERM stops a forked child (Ruby's default handling)" \
      "default: signal TERM" has "$OUT" '^default: signal TERM$'
    check "$t: the parent's own trap reaches the child and the parent" \
      "child's trap ran (exit 4), parent's trap ran, no forkguard output" \
      bash -c "grep -q '^trapped: exit 4\$' '$OUT' && grep -q '^parent: trap ran true, works true' '$OUT' && ! grep -q forkguard '$ERR'"
  done
done

# The bug itself, once: without forkguard the child hangs at its first GC.
jh=$JDK17
bounded 60 env JAVA_HOME="$jh" ruby child_uses_java.rb 5
check "ruby control: without forkguard the child using Java hangs (the bug is real)" \
  "expected 'child: hung' (killed after 5 s)" has "$OUT" '^child: hung$'
finish
