#!/usr/bin/env bash
# No hang, ever, in a child: a JVM-owning C host (host.c + throw.cc) forks
# FG_STRESS_FORKS times (default 1000) per JDK (17, and Temurin 25 when
# present) while its other threads make JNI calls, allocate, run System.gc(),
# loop over dl_iterate_phdr/dladdr/malloc and throw and catch C++ exceptions.
# Every child calls FindClass and must be reported and die by SIGABRT within
# 5 s (pidfd_open+poll); a child alive after that is a hang: it is killed and
# fails the suite. Measured on the 2-core machine: ~12 ms per child, so 1000
# forks take ~15 s per JDK when nothing hangs; every hang adds its 5 s bound,
# and after STRESS_MAX_HANGS (20) hangs a run stops, so a JDK costs at most
# ~2 minutes and the suite stays under ~5.
#
# Bounded unwinding: the child's report unwinds and names frames under a
# 500 ms guard, and a report whose unwinding was cut says "(unwinding timed
# out)". The child path takes no lock (frames are named with the loader's
# lock-free _dl_find_object, not with dladdr, and libgcc's unwinder uses it
# too), so nothing in it waits for the other threads:
# the bound must never be reached here, and any cut report fails the suite.
# When gdb is installed, the first hung children's stacks are saved next to
# the binaries (build/hosts/stress/hang-*.txt) and quoted in the failure.
set -u
. "$(dirname "$0")/../../lib.sh"
HERE=$ROOT/tests/hosts/stress
T=$B/hosts/stress
FORKS=${FG_STRESS_FORKS:-1000}
MAX_HANGS=${FG_STRESS_MAX_HANGS:-20}
CHILD_MS=5000
mkdir -p "$T"
ulimit -c 0 # 1000 aborting JVM children must not leave 1000 core files

first_line='^forkguard: JNI call FindClass in pid [0-9]+, a forked child of JVM owner pid [0-9]+$'

if ! g++ -O1 -g -Wall -Wextra -Werror -c "$HERE/throw.cc" -o "$T/throw.o" 2>"$T/build.log"; then
  fail "stress: build throw.cc" "$(head -c 400 "$T/build.log" | tr '\n' '|')"
  finish; exit
fi

for jh in $(jdks); do
  n=$(jdk_name "$jh")
  bin=$T/host$n
  if ! gcc -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE -rdynamic -I"$jh/include" -I"$jh/include/linux" \
       "$HERE/host.c" "$T/throw.o" -o "$bin" -L"$jh/lib/server" -Wl,-rpath,"$jh/lib/server" \
       -ljvm -lstdc++ -ldl -lpthread 2>"$T/build.log"; then
    fail "stress $n: build host" "$(head -c 400 "$T/build.log" | tr '\n' '|')"
    continue
  fi
  rm -f "$T"/hang-"$n"-*.txt
  on_hang=
  command -v gdb >/dev/null &&
    on_hang="gdb -p {} -batch -ex bt 2>/dev/null | grep '^#' > $T/hang-$n-{}.txt"

  # Each fork costs ~15 ms (100 ms allowed), each hang its bound, plus startup.
  secs=$((60 + FORKS / 10 + MAX_HANGS * (CHILD_MS / 1000 + 1)))
  bounded "$secs" env LD_PRELOAD="$FG_LIB" STRESS_CHILD_MS=$CHILD_MS STRESS_MAX_HANGS="$MAX_HANGS" \
    STRESS_ON_HANG="$on_hang" "$bin" "$FORKS"
  summary=$(grep '^stress: forks=' "$OUT")
  threads=$(grep '^stress: threads' "$OUT")
  val() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$summary"; }
  forks=$(val forks); hangs=$(val hangs); abrt=$(val sigabrt); other=$(val other)
  longest=$(val longest_ms)
  reports=$(count "$ERR" "$first_line")
  cut=$(count "$ERR" '\(unwinding timed out\)')
  echo "stress $n: forks=${forks:-?} hangs=${hangs:-?} longest_child_ms=${longest:-?}" \
       "sigabrt=${abrt:-?} reports=$reports unwinding_timed_out=$cut (${summary#stress: })"

  check "stress $n: host ran to the end (summary printed, exit 0)" "exit $RC, no summary line" \
    eval '[ "$RC" = 0 ] && [ -n "$summary" ]'
  # A run stopped at the hang cap is the hang check's failure, not this one's.
  check "stress $n: all $FORKS forks made (unless stopped at $MAX_HANGS hangs)" \
    "forks=${forks:-?} hangs=${hangs:-?}" \
    eval '[ "${forks:-0}" = "$FORKS" ] || [ "${hangs:-0}" -ge "$MAX_HANGS" ]'
  # The first hung child's stack, one frame per function: "a <- b <- c".
  stacks=
  for f in "$T"/hang-"$n"-*.txt; do
    [ -s "$f" ] && stacks="; first hung child's stack ($f): $(awk '
      { s = $0; sub(/^#[0-9]+ +/, "", s); sub(/^0x[0-9a-f]+ in /, "", s)
        if (s ~ /^\?\? \(\) from /) { sub(/.* from /, "", s); sub(/.*\//, "", s) } else sub(/ .*/, "", s)
        if (s != last) out = out (out == "" ? "" : " <- ") s; last = s }
      END { print out }' "$f")"
    break
  done
  if [ "$TIMED_OUT" = 1 ] || [ -z "$summary" ]; then
    fail "stress $n: 0 hangs (every child dead within ${CHILD_MS} ms)" "no summary (the host itself timed out or failed)"
  elif [ "$hangs" = 0 ]; then
    pass "stress $n: 0 hangs (every child dead within ${CHILD_MS} ms)"
  else
    fail "stress $n: 0 hangs (every child dead within ${CHILD_MS} ms)" \
      "$hangs of $forks children still alive after ${CHILD_MS} ms (killed)$([ "$hangs" -ge "$MAX_HANGS" ] && echo "; run stopped at the cap of $MAX_HANGS hangs")$stacks"
  fi
  check "stress $n: every child that ended died by SIGABRT" \
    "sigabrt=${abrt:-?} other=${other:-?}: $(grep -E 'died by|exited|survived' "$OUT" | head -3 | tr '\n' '|')" \
    eval '[ "${other:-x}" = 0 ] && [ "${abrt:-0}" -gt 0 ] && hasnt "$OUT" survived'
  check "stress $n: one report per child ($reports first lines for ${forks:-?} forks)" \
    "report first lines do not match the fork count" [ "$reports" = "${forks:-x}" ]
  check "stress $n: no report's unwinding reached its 500 ms bound (the child path waits on nothing)" \
    "$cut of $reports reports say (unwinding timed out)" [ "$cut" = 0 ]
  check "stress $n: the other threads kept working (${threads#stress: threads })" \
    "a thread made no progress" \
    eval '[[ "$threads" =~ alloc=[1-9].*gc=[1-9].*dl=[1-9].*cxx=[1-9] ]]'
  check "stress $n: parent works after the forks (500 MB + System.gc)" "expected 'parent: works=1'" \
    has "$OUT" '^parent: works=1$'
done
finish
