#!/usr/bin/env bash
# The java launcher (libjli dlopens libjvm and dlsyms JNI_CreateJavaVM), 17 and 25.
set -u
source "$(dirname "$0")/../../lib.sh"
HERE=$ROOT/tests/hosts/java
T=$B/hosts/java
mkdir -p "$T"
if ! "$JDK17/bin/javac" --release 8 -d "$T" "$HERE/ForkTest.java" 2>"$T/javac.err" ||
   ! gcc -shared -fPIC -O1 -Wall -Wextra -Werror -I"$JDK17/include" -I"$JDK17/include/linux" \
       "$HERE/forknative.c" -o "$T/libforknative.so"; then
  fail "java build" "$(cat "$T/javac.err")"; finish; exit
fi

for jh in $(jdks); do
  n=$(jdk_name "$jh")
  bounded 60 env LD_PRELOAD="$FG_LIB" "$jh/bin/java" -version
  check "java $n -version under forkguard" "exit 0, version on stderr, nothing from forkguard" \
    bash -c "[ $RC = 0 ] && grep -q 'version' '$ERR' && ! grep -q forkguard '$ERR'"

  bounded 120 env LD_PRELOAD="$FG_LIB" "$jh/bin/java" -cp "$T" ForkTest processes
  check "java $n: 200 ProcessBuilder children are silent" "0 of 200 failed, no report" \
    bash -c "grep -q '0 of 200 failed' '$OUT' && grep -q 'parent: works' '$OUT' && ! grep -q forkguard '$ERR'"

  bounded 60 env LD_PRELOAD="$FG_LIB" "$jh/bin/java" -cp "$T" ForkTest native "$T/libforknative.so"
  check "java $n: native fork + FindClass in the child is caught (launcher's JVM recorded)" \
    "child status -6, report with the (java) fix, parent works" \
    bash -c "grep -q 'native: child status -6' '$OUT' && grep -q 'parent: works' '$OUT' &&
             grep -qE '^forkguard: JNI call FindClass in pid [0-9]+, a forked child of JVM owner pid [0-9]+' '$ERR' &&
             grep -q 'fix:     (java) ' '$ERR' && grep -q 'Java_ForkTest_forkAndFindClass' '$ERR'"
done
finish
