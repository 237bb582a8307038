#!/usr/bin/env bash
# Two copies of libforkguard in one process (a global LD_PRELOAD plus another
# install's `forkguard run`): the copy loaded first guards, the other stands
# down. Neither may take the other's JNI_CreateJavaVM for the JVM's (with no
# JVM loaded that was an endless mutual recursion), the child of a JVM owner
# gets exactly one report, and configuration errors are said once. Both load
# orders; hosts that link the JVM, dlopen it, or find the symbol through a
# handle to the other copy; no JVM, a JVM not named libjvm.so, real JDKs.
set -u
. "$(dirname "$0")/../../lib.sh"
HERE=$ROOT/tests/hosts/twocopies
T=$B/hosts/twocopies
rm -rf "$T" && mkdir -p "$T/a" "$T/b"

# Two installs: the same build under two paths (two files, so ld.so maps both).
for d in a b; do cp "$FG_LIB" "$(dirname "$FG_LIB")/libforkguard-core.so" "$B/forkguard" "$T/$d/"; done
A=$T/a/libforkguard.so
BB=$T/b/libforkguard.so

cc=(gcc -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE -I"$JDK17/include" -I"$JDK17/include/linux")
build() {
  "${cc[@]}" -shared -fPIC "$HERE/fakevm.c" -o "$T/libfakevm.so" &&
  "${cc[@]}" "$HERE/host.c" -o "$T/host" -ldl &&
  "${cc[@]}" -DLINKED "$HERE/host.c" -o "$T/host-fakevm" -L"$T" -Wl,-rpath,"$T" \
      -Wl,--no-as-needed -lfakevm -ldl || return 1
  local jh
  for jh in $(jdks); do
    "${cc[@]}" -DLINKED "$HERE/host.c" -o "$T/host-jvm$(jdk_name "$jh")" \
        -L"$jh/lib/server" -Wl,-rpath,"$jh/lib/server" -Wl,--no-as-needed -ljvm -ldl || return 1
  done
}
if ! build >"$T/build.log" 2>&1; then
  fail "twocopies: build" "$(head -c 600 "$T/build.log" | tr '\n' '|')"
  finish; exit 1
fi

header='^forkguard: JNI call FindClass in pid [0-9]+, a forked child of JVM owner pid [0-9]+$'
one_header() { [ "$(count "$ERR" "$header")" -eq 1 ]; }

# The orders a user can end up with: "first:second" in LD_PRELOAD.
for order in "$A:$BB" "$BB:$A"; do
  first=${order%%:*}; second=${order#*:}
  o=$([ "$first" = "$A" ] && echo "a first" || echo "b first")

  # --- no JVM loaded: each copy's lookup must not find the other's export.
  for how in default self copy; do
    t="twocopies $o: no JVM, $how lookup"
    bounded 30 env LD_PRELOAD="$order" OTHER_COPY="$second" "$T/host" "$how"
    check "$t: JNI_CreateJavaVM says JNI_ERR, no crash" \
      "expected 'create: -1' and exit 0 (rc $RC)" \
      bash -c "[ $RC -eq 0 ] && grep -qx 'create: -1' '$OUT'"
  done
  t="twocopies $o: a JVM library not named libjvm.so"
  bounded 30 env LD_PRELOAD="$order" "$T/host-fakevm" linked
  check "$t: its JNI_CreateJavaVM is the one reached" "expected 'create: 42', exit 0 (rc $RC)" \
    bash -c "[ $RC -eq 0 ] && grep -qx 'create: 42' '$OUT'"

  # --- one voice: a bad value is reported by one copy, not by each.
  bounded 30 env LD_PRELOAD="$order" FORKGUARD_MODE=bogus "$T/host" default
  check "twocopies $o: a configuration error is reported once" \
    "expected exactly one FORKGUARD_MODE line" \
    bash -c "[ \"\$(grep -c 'FORKGUARD_MODE=bogus' '$ERR')\" -eq 1 ]"

  # --- real JVMs: linked, dlopen, and found through a handle to the other copy.
  for jh in $(jdks); do
    n=$(jdk_name "$jh"); libjvm=$jh/lib/server/libjvm.so
    for how in linked dlopen copy; do
      bin=$T/host; [ "$how" = linked ] && bin=$T/host-jvm$n
      t="twocopies $o: JDK $n, $how"
      bounded 120 env LD_PRELOAD="$order" HOST_LIBJVM="$libjvm" OTHER_COPY="$second" "$bin" "$how"
      check "$t: JVM created" "expected 'create: 0'" has "$OUT" '^create: 0$'
      check "$t: the child is stopped (SIGABRT)" "expected 'child: signal 6'" \
        has "$OUT" '^child: signal 6$'
      check "$t: exactly one report" "expected one FindClass report header" one_header
      check "$t: the report names the real libjvm" "expected 'libjvm $libjvm'" \
        has "$ERR" "created by pid [0-9]+ \\(libjvm $libjvm\\)$"
    done
  done
done

# --- the user's case: a global LD_PRELOAD of one install, `forkguard run` of
# the other (which puts its own copy first).
n=$(jdk_name "$JDK17")
bounded 120 env LD_PRELOAD="$BB" "$T/a/forkguard" run -- "$T/host-jvm$n" linked
check "twocopies: forkguard run under a global LD_PRELOAD: one report, child stopped" \
  "expected 'child: signal 6' and one report" \
  bash -c "grep -q '^child: signal 6$' '$OUT' && [ \"\$(grep -cE '$header' '$ERR')\" -eq 1 ]"
bounded 30 env LD_PRELOAD="$BB" "$T/a/forkguard" run -- "$T/host" default
check "twocopies: forkguard run under a global LD_PRELOAD, no JVM: JNI_ERR, no crash" \
  "expected 'create: -1', exit 0 (rc $RC)" bash -c "[ $RC -eq 0 ] && grep -qx 'create: -1' '$OUT'"

# --- one copy only, in a non-PIE program that takes the marker's address: the
# program's canonical PLT entry for it is not another copy (the library must
# not stand down: a bad value is still said).
printf '%s\n' '#include "forkguard.h"' '#include <stdio.h>' \
  'int main(void) { const char *(*volatile f)(void) = forkguard_version; printf("%s\n", f()); return 0; }' \
  >"$T/nopie.c"
if gcc -no-pie -fno-pic -I"$ROOT/include" "$T/nopie.c" -o "$T/nopie" -L"$T/a" -lforkguard \
     -Wl,-rpath,"$T/a" 2>"$T/nopie.log"; then
  bounded 30 env FORKGUARD_MODE=bogus "$T/nopie"
  check "twocopies: a non-PIE program taking forkguard_version's address: the only copy does not stand down" \
    "expected the version and one FORKGUARD_MODE=bogus line (rc $RC)" \
    bash -c "[ $RC -eq 0 ] && grep -qE '^[0-9]+\.[0-9]+' '$OUT' && [ \"\$(grep -c 'FORKGUARD_MODE=bogus' '$ERR')\" -eq 1 ]"
else
  fail "twocopies: build a non-PIE program linked with the library" "$(head -c 300 "$T/nopie.log")"
fi

finish
