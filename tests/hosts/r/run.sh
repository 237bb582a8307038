#!/usr/bin/env bash
# R with Debian's rJava: mclapply children get R errors instead of hangs, the
# PSOCK fix works silently, and a no-fork script behaves exactly as without
# forkguard. rJava links libjvm; R's ldpaths takes it from $JAVA_HOME, so both
# JDK 17 and Temurin 25 are reachable.
set -u
source "$(dirname "$0")/../../lib.sh"
cd "$ROOT/tests/hosts/r"

rs() { bounded 90 env LD_PRELOAD="$FG_LIB" JAVA_HOME="$jh" Rscript "$@"; }
head_re='^forkguard: JNI call AttachCurrentThread in pid [0-9]+, a forked child of JVM owner pid [0-9]+$'
r_fix='fix:     (R) use a PSOCK cluster (parallel::makePSOCKcluster + parLapply) or future::plan(multisession) instead of mclapply/mcparallel/plan(multicore)'

# Deterministic Java work without any fork (a prototype spun at 100 % CPU in
# rJava.so here): output and exit status must match a run without forkguard.
nofork='library(rJava); .jinit()
cat("version", .jcall("java/lang/System", "S", "getProperty", "java.specification.version"), "\n")
m <- .jnew("java/util/HashMap")
for (i in 1:50) .jcall(m, "Ljava/lang/Object;", "put", .jcast(.jnew("java/lang/String", paste0("k", i)), "java/lang/Object"), .jcast(.jnew("java/lang/Integer", as.integer(i)), "java/lang/Object"))
cat("map size", .jcall(m, "I", "size"), "\n")
for (k in 1:30) a <- .jarray(raw(1e6))
.jcall("java/lang/System", "V", "gc")
cat("array length", length(.jevalArray(.jarray(1:10))), "\n")
e <- tryCatch(.jcall("java/lang/Integer", "I", "parseInt", "x"), error = function(e) class(e)[1])
cat("exception", e, "\n")
cat("upper", .jcall(.jnew("java/lang/String", "forkguard"), "S", "toUpperCase"), "\n")'

for jh in $(jdks); do
  n=$(jdk_name "$jh")
  for run in 1 2 3; do
    t="R $n run $run"
    rs mclapply.R
    check "$t: rJava runs on the chosen JDK" "jvm: $jh" has "$OUT" "^jvm: $jh ?$"
    check "$t: mclapply children that never touch Java return their results" \
      "quiet: 2 4 6 8" has "$OUT" '^quiet: 2 4 6 8 ?$'
    check "$t: mclapply Java tasks: an R error per task, not a hang" \
      "4 x 'task i: error AttachCurrentThread failed!'" \
      bash -c "[ \$(grep -c '^task [1-4]: error AttachCurrentThread failed!' '$OUT') = 4 ]"
    check "$t: one report per forked worker, with R's fix" \
      "4 reports (one per child that used Java), each with the (R) fix and libjvm $jh" \
      bash -c "[ \$(grep -cE '$head_re' '$ERR') = 4 ] && [ \$(grep -cF '$r_fix' '$ERR') = 4 ] && grep -q 'libjvm $jh/lib/server/libjvm.so' '$ERR'"
    check "$t: parent keeps using Java after mclapply" "parent: works TRUE" \
      has "$OUT" '^parent: works TRUE ?$'

    # Java objects left in the parent, forked workers three ways: plain tasks
    # (whose gc() finalizes the inherited references) and stop() tasks behave
    # as without a JVM; Java tasks get an R error and one report each.
    rs bridge.R
    for w in mclapply future foreach; do
      k=$([ $w = future ] && echo 2 || echo 4)
      want=$([ $k = 2 ] && echo '10 | 20' || echo '10 | 20 | 30 | 40')
      check "$t: $w: plain tasks that finalize inherited Java objects return their values" \
        "expected '$w plain: $want'" has "$OUT" "^$w plain: $want\$"
      check "$t: $w: stop() tasks return their own errors" "expected two 'plain failure' errors" \
        has "$OUT" "^$w stop: error<plain failure 1> \\| error<plain failure 2>\$"
      check "$t: $w: Java tasks get an R error" "expected two AttachCurrentThread errors" \
        has "$OUT" "^$w java: error<AttachCurrentThread failed! \\(result:-1\\)> \\| error<AttachCurrentThread failed! \\(result:-1\\)>\$"
    done
    check "$t: bridge.R: one report per Java task only, no finalizer errors, parent works" \
      "expected exactly 6 reports, all with the (R) fix, no 'Error in .Internal(gc' lines, 'parent: works TRUE'" \
      bash -c "[ \$(grep -cE '$head_re' '$ERR') = 6 ] && [ \$(grep -c '^forkguard' '$ERR') = 6 ] && [ \$(grep -cF '$r_fix' '$ERR') = 6 ] \
        && ! grep -q 'Error in' '$ERR' && grep -q '^parent: works TRUE' '$OUT'"

    rs psock.R
    check "$t: makePSOCKcluster workers with their own JVM work, no report" \
      "4 tasks ok in forkguard-loaded workers, parent works, no forkguard line" \
      bash -c "[ \$(grep -c '^task [1-4]: ok in pid [0-9]*, forkguard loaded TRUE' '$OUT') = 4 ] && grep -q '^parent: works TRUE' '$OUT' && ! grep -q forkguard '$ERR'"

    rs -e "$nofork"
    got_out=$OUT got_err=$ERR got_rc=$RC got_to=$TIMED_OUT
    bounded 90 env JAVA_HOME="$jh" Rscript -e "$nofork"
    TIMED_OUT=$got_to
    check "$t: no fork: same output, stderr and status as without forkguard" \
      "runs differ (with forkguard rc $got_rc, without rc $RC)" \
      bash -c "[ '$got_rc' = '$RC' ] && [ '$RC' = 0 ] && cmp -s '$got_out' '$OUT' && cmp -s '$got_err' '$ERR' && grep -q '^upper FORKGUARD' '$OUT'"

    rs sigterm.R
    check "$t: SIGTERM ends a forked child that tried Java" \
      "child gone after SIGTERM, result NULL" \
      bash -c "grep -q '^sigterm: child gone after [0-9.]* s, result list(NULL)' '$OUT' && grep -q '^parent: works TRUE' '$OUT'"
  done
done

# The bug itself, once: without forkguard the mclapply workers hang in their
# Java tasks (bounded here; timeout's process-group kill reaps the workers).
jh=$JDK17
bounded 10 env JAVA_HOME="$jh" Rscript mclapply.R
control_to=$TIMED_OUT
TIMED_OUT=0
check "R control: without forkguard mclapply with Java hangs (the bug is real)" \
  "expected a timeout after 10 s, after the quiet mclapply and before any task result" \
  bash -c "[ $control_to = 1 ] && grep -q '^quiet: 2 4 6 8' '$OUT' && ! grep -q '^task' '$OUT'"
finish
