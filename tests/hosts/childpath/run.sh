#!/usr/bin/env bash
# The child path is malloc-, lock- and binding-free: libfgcount.so (count.c),
# preloaded after libforkguard, counts malloc, calloc, realloc, free,
# posix_memalign, aligned_alloc, memalign, pthread_mutex_lock/trylock,
# pthread_rwlock_rdlock/wrlock and abort (it takes a process-wide lock) calls
# made in a forked child of a JVM owner
# (host.c); every count must be 0. Every run is also made under
# LD_DEBUG=bindings: the dynamic linker logs each lazy binding with the pid
# that made it, and no child may make one (a binding runs the dynamic linker
# in the child: libgcc_s, loaded lazily as libjvm's dependency, used to bind
# _Unwind_Find_FDE, _dl_find_object, strlen and pthread_once there). The host
# and libfgcount are linked -z now, so every binding seen is someone else's.
#
# Covered, from forkguard's pthread_atfork child handler on (the host arms the
# counter in a prepare handler that runs before forkguard's, and counting is
# limited to the child's pid, so nothing of the parent's fork work counts):
#   - the poisoning: hooks/fork.c child_sigsafe -> fg_poison_child_sigsafe (JNIEnv
#     table, JavaVM invoke table, signal reset)                  [quiet]
#   - the same reached through forkguard's _Fork() wrapper       [rawfork]
#   - the JavaVM refusals (GetEnv, AttachCurrentThread(AsDaemon) with its one
#     report, DetachCurrentThread, DestroyJavaVM)                [refuse]
#   - a JNIEnv call in block mode: the stub, fg_env_enter, the report (text
#     header, guarded unwinding and symbolization, frames; or JSON) and the
#     end, SIGABRT or _exit(FORKGUARD_EXIT_CODE)    [abort text/json, exit 42]
#   - the same while other threads allocate through JNI and loop over
#     dl_iterate_phdr at fork time                                 [busy]
# glibc's calls to itself (loader locks) go through no PLT and are not
# counted; tests/hosts/forkpath forks with the loader's lock held instead.
# Not covered: warn mode (its real calls run JVM code), the parent's side.
# A control scenario proves the counter and the binding check see calls made
# in the child.
set -u
. "$(dirname "$0")/../../lib.sh"
HERE=$ROOT/tests/hosts/childpath
T=$B/hosts/childpath
ROUNDS=3
mkdir -p "$T"
ulimit -c 0

if ! gcc -O2 -g -Wall -Wextra -Werror -fPIC -shared -fvisibility=hidden "$HERE/count.c" \
     -o "$T/libfgcount.so" -Wl,-z,now -ldl 2>"$T/build.log" ||
   ! gcc -O2 -g -Wall -Wextra -Werror -fPIC -shared "$HERE/lazy.c" -o "$T/libfglazy.so" \
     2>>"$T/build.log"; then
  fail "childpath: build libfgcount.so, libfglazy.so" "$(head -c 400 "$T/build.log" | tr '\n' '|')"
  finish; exit
fi
PRELOAD="$FG_LIB $T/libfgcount.so"

# summary FILE: "total=N in K lines; fn=N...; callers: a, b" for a failure.
summary() {
  awk '
    /^child: fgcount: / { lines++
      for (i = 1; i <= NF; i++) if ($i ~ /^[a-z_]+=[0-9]+$/) { split($i, kv, "="); if (kv[2] > 0 && kv[1] != "pid" && kv[1] != "armed") sum[kv[1]] += kv[2] } }
    /^child:   .* called from / { sub(/^child:   /, ""); if (!($0 in seen)) { seen[$0] = 1; callers = callers (callers == "" ? "" : "; ") $0 } }
    END { s = ""; for (k in sum) s = s " " k "=" sum[k]
          printf "%d count lines;%s; callers: %s", lines, (s == "" ? " no counts" : s), callers }' "$1"
}

# judge NAME WHAT OUTCOME-REGEX: three lines for the last run: the child ended
# as expected in every round (OUTCOME-REGEX on stdout, ROUNDS times) with one
# count line each, no allocation was counted, no lock was counted.
ALLOC='malloc calloc realloc free posix_memalign aligned_alloc memalign'
LOCK='pthread_mutex_lock pthread_mutex_trylock pthread_rwlock_rdlock pthread_rwlock_wrlock abort'
sum_of() { # FUNCTIONS...: total of those counters over the count lines
  local f total=0 v
  for f in "$@"; do
    for v in $(grep '^child: fgcount: ' "$OUT" | grep -o " $f=[0-9]*" | cut -d= -f2); do
      total=$((total + v))
    done
  done
  echo "$total"
}
# child_bindings: the lazy bindings the last run's children made, one line
# each ("symbol from file"), from the LD_DEBUG=bindings log.
child_bindings() {
  local pid
  for pid in $(grep '^child: fgcount: ' "$OUT" | grep -o ' pid=[0-9]*' | cut -d= -f2); do
    cat "$T"/ld.* 2>/dev/null | grep -E "^ *$pid:[[:space:]]binding file " |
      sed -E 's/.*binding file ([^ ]*) .*symbol `([^'"'"']*)'"'"'.*/\2 from \1/'
  done
}
# traced ARGS...: bounded, under LD_DEBUG=bindings, into a fresh log.
traced() {
  rm -f "$T"/ld.*
  bounded 120 env LD_DEBUG=bindings LD_DEBUG_OUTPUT="$T/ld" "$@"
}
judge() {
  local name=$1 outcome=$2 lines ended hung a l b
  lines=$(count "$OUT" '^child: fgcount: ')
  ended=$(count "$OUT" "$outcome")
  hung=$(count "$OUT" '^child: timeout ')
  if [ "$TIMED_OUT" = 1 ]; then
    fail "$name: ran" "the host timed out: $(tail -c 300 "$OUT" | tr '\n' '|')"
    return
  fi
  if [ "$lines" = "$ROUNDS" ] && [ "$ended" = "$ROUNDS" ]; then
    pass "$name: children ended as expected, counts came back"
  else
    fail "$name: children ended as expected, counts came back" \
      "$ended of $ROUNDS matched '$outcome', $hung hung (alive after 5 s, killed), $lines count lines; stderr: $(head -c 300 "$ERR" | tr '\n' '|')"
  fi
  [ "$lines" -gt 0 ] || return
  a=$(sum_of $ALLOC); l=$(sum_of $LOCK)
  if [ "$a" = 0 ]; then pass "$name: no malloc/calloc/realloc/free/memalign ($lines children)"
  else fail "$name: no malloc/calloc/realloc/free/memalign ($lines children)" "$a calls; $(summary "$OUT")"; fi
  if [ "$l" = 0 ]; then pass "$name: no pthread_mutex_lock/trylock/rwlock/abort ($lines children)"
  else fail "$name: no pthread_mutex_lock/trylock/rwlock/abort ($lines children)" "$l calls; $(summary "$OUT")"; fi
  b=$(child_bindings | sort -u | head -8 | tr '\n' ';')
  if [ -z "$b" ]; then pass "$name: no lazy symbol binding (LD_DEBUG=bindings, $lines children)"
  else fail "$name: no lazy symbol binding (LD_DEBUG=bindings, $lines children)" "bound in the child: $b"; fi
}

for jh in $(jdks); do
  n=$(jdk_name "$jh")
  bin=$T/host$n
  if ! gcc -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE -rdynamic -I"$jh/include" -I"$jh/include/linux" \
       "$HERE/host.c" -o "$bin" -L"$jh/lib/server" -L"$T" -Wl,-rpath,"$jh/lib/server" \
       -Wl,-rpath,"$T" -Wl,-z,now -ljvm -lfglazy -ldl -lpthread \
       2>"$T/build.log"; then
    fail "childpath $n: build host" "$(head -c 400 "$T/build.log" | tr '\n' '|')"
    continue
  fi

  traced env LD_PRELOAD="$PRELOAD" "$bin" control "$ROUNDS"
  check "childpath $n: control: the counter sees the child's own strdup, free and pthread_mutex_lock" \
    "$(summary "$OUT")" \
    eval '[ "$(grep -c "^child: fgcount: _exit .* malloc=[1-9].* free=[1-9].* pthread_mutex_lock=[1-9]" "$OUT")" = "$ROUNDS" ]'
  check "childpath $n: control: the binding check sees the child's lazy getpgrp (libfglazy)" \
    "bindings seen: $(child_bindings | sort -u | head -5 | tr '\n' ';')" \
    eval 'child_bindings | grep -q "^getpgrp from .*libfglazy.so"'

  traced env LD_PRELOAD="$PRELOAD" "$bin" quiet "$ROUNDS"
  judge "childpath $n: poisoning (atfork child handler), quiet child" '^child: exit 0$'

  traced env LD_PRELOAD="$PRELOAD" "$bin" rawfork "$ROUNDS"
  judge "childpath $n: poisoning through _Fork(), FindClass report + abort()" '^child: signal 6$'

  traced env LD_PRELOAD="$PRELOAD" "$bin" refuse "$ROUNDS"
  judge "childpath $n: JavaVM refusals (GetEnv, Attach + report, Detach, Destroy)" '^child: exit 7$'
  check "childpath $n: the refused Attach was reported" "no report" \
    has "$ERR" '^forkguard: JNI call AttachCurrentThread '

  traced env LD_PRELOAD="$PRELOAD" "$bin" abort "$ROUNDS"
  judge "childpath $n: FindClass, text report + abort()" '^child: signal 6$'
  check "childpath $n: text reports written" "expected $ROUNDS report first lines" \
    [ "$(count "$ERR" '^forkguard: JNI call FindClass ')" = "$ROUNDS" ]

  traced env LD_PRELOAD="$PRELOAD" FORKGUARD_FORMAT=json "$bin" abort "$ROUNDS"
  judge "childpath $n: FindClass, JSON report + abort()" '^child: signal 6$'
  check "childpath $n: JSON reports written" "expected $ROUNDS jni_in_child records" \
    [ "$(count "$ERR" '^\{"event":"jni_in_child"')" = "$ROUNDS" ]

  traced env LD_PRELOAD="$PRELOAD" FORKGUARD_EXIT_CODE=42 "$bin" abort "$ROUNDS"
  judge "childpath $n: FindClass, report + _exit(FORKGUARD_EXIT_CODE=42)" '^child: exit 42$'

  traced env LD_PRELOAD="$PRELOAD" "$bin" busy "$ROUNDS"
  judge "childpath $n: FindClass while threads use JNI and dl_iterate_phdr" '^child: signal 6$'
done
finish
