#!/usr/bin/env bash
# Dynamic classpath (FORKGUARD_CLASSPATH): real JVMs, real drivers (H2, HSQLDB,
# PostgreSQL JDBC), a real PostgreSQL server.
set -u
source "$(dirname "$0")/../../lib.sh"
HERE=$ROOT/tests/hosts/classpath
T=$B/hosts/classpath
H2=/usr/share/java/h2.jar HSQL=/usr/share/java/hsqldb.jar PG=/usr/share/java/postgresql.jar
rm -rf "$T" && mkdir -p "$T/classes" "$T/drivers" "$T/tinysrc"
# Ten tiny drivers (fgtiny0.Driver .. fgtiny9.Driver) from one template. The
# drivers are compiled apart from Jdbc: on the host's class path they would
# be the application's own, which forkguard leaves alone.
for i in 0 1 2 3 4 5 6 7 8 9; do
  mkdir -p "$T/tinysrc/fgtiny$i" && sed "s/@N@/$i/g" "$HERE/TinyDriver.java.in" >"$T/tinysrc/fgtiny$i/Driver.java"
done
if ! "$JDK17/bin/javac" --release 8 -d "$T/classes" "$HERE/Jdbc.java" 2>"$T/javac.err" ||
   ! "$JDK17/bin/javac" --release 8 -d "$T/drivers" "$HERE/BoomDriver.java" 2>>"$T/javac.err" ||
   ! "$JDK17/bin/javac" --release 8 -d "$T/tinyclasses" "$T"/tinysrc/*/Driver.java 2>>"$T/javac.err" ||
   ! "$PYTHON" "$HERE/make_jars.py" "$T/bad" "$T/drivers" "$T/tinyclasses"; then
  fail "classpath: build test classes" "$(cat "$T/javac.err")"; finish; exit
fi
TINY=$T/bad/tiny
# A directory of names no JVM may be given (see the test below), and a current
# directory whose evil.jar must never be loaded.
mkdir -p "$T/names" "$T/nl" "$T/cwd"
cp "$H2" "$T/names/caf$(printf '\303\251')-h2.jar"
for name in "bad$(printf '\377').jar" "e$(printf '\360\237\230\200').jar"; do
  cp "$HSQL" "$T/names/$name"
done
cp "$HSQL" "$T/nl/"$'x\nevil.jar'
cp "$HSQL" "$T/cwd/evil.jar"
jdbc() { # JDK VAR=VALUE... -- ARGS...: java -cp classes Jdbc ARGS under forkguard
  local jh=$1; shift; local envs=()
  while [ "$1" != -- ]; do envs+=("$1"); shift; done; shift
  # -Xcheck:jni checks forkguard's JNI use during injection; XCHECK= drops it
  # where only speed matters (the 50-JVM race).
  bounded 120 env LD_PRELOAD="$FG_LIB" "${envs[@]}" "$jh/bin/java" ${XCHECK--Xcheck:jni} \
    -XX:TieredStopAtLevel=1 -cp "$T/classes" Jdbc "$@"
}
all_ok() { # FILE TAG...: every tag printed "ok"
  local f=$1 t; shift
  for t in "$@"; do grep -q "^$t: ok " "$f" || return 1; done
}
no_jni_warnings() { ! grep -qiE 'WARNING.*(JNI|native)|FATAL ERROR' "$1"; }

# --- JPype (Debian's python3-jpype), JVM class path without H2.
bounded 120 env LD_PRELOAD="$FG_LIB" "$PYTHON" "$HERE/jpype_h2.py" "$T/classes"
check "classpath: JPype without FORKGUARD_CLASSPATH: No suitable driver (the bug)" \
  "every caller should fail" bash -c "grep -q '^python-main: error .*No suitable driver' '$OUT' && grep -q '^pool: error .*No suitable driver' '$OUT'"
bounded 120 env LD_PRELOAD="$FG_LIB" FORKGUARD_CLASSPATH="$H2" "$PYTHON" "$HERE/jpype_h2.py" "$T/classes"
check "classpath: JPype + FORKGUARD_CLASSPATH=h2.jar: main thread, Python thread, Java thread, commonPool" \
  "all six callers connect and run SQL, forkguard silent" \
  bash -c "grep -q '^python-main: ok 42' '$OUT' && grep -q '^python-thread: ok 42' '$OUT' &&
           grep -q '^main: ok 2 rows' '$OUT' && grep -q '^thread: ok 2 rows' '$OUT' && grep -q '^pool: ok 2 rows' '$OUT' &&
           ! grep -q forkguard '$ERR'"

for jh in $(jdks); do
  n=$(jdk_name "$jh")
  # --- the fat-jar shape: driver only behind a URLClassLoader, JDBC in a pool thread.
  jdbc "$jh" -- fatjar "$H2" jdbc:h2:mem:fat
  check "classpath $n: fat-jar shape fails without forkguard's classpath" "No suitable driver" \
    has "$OUT" '^fatjar: error .*No suitable driver'
  jdbc "$jh" FORKGUARD_CLASSPATH="$H2" -- fatjar "$H2" jdbc:h2:mem:fat
  check "classpath $n: fat-jar shape works with FORKGUARD_CLASSPATH (-Xcheck:jni clean)" "fatjar: ok" \
    bash -c "all_ok() { grep -q '^fatjar: ok ' \"\$1\"; }; all_ok '$OUT' && ! grep -qiE 'WARNING|FATAL' '$ERR'"

  # --- two groups, two drivers, first loads racing a third connection; 50 JVMs.
  bad=0 hung=0
  for round in $(seq 1 50); do
    XCHECK= jdbc "$jh" FORKGUARD_CLASSPATH="$H2;$HSQL" -- race jdbc:h2:mem:r jdbc:hsqldb:mem:r
    [ "$TIMED_OUT" = 1 ] && hung=$((hung + 1))
    grep -q '^race: 3 of 3 ok' "$OUT" || bad=$((bad + 1))
  done
  TIMED_OUT=0
  check "classpath $n: 2 groups x 2 drivers, racing first use, 50 JVMs: no deadlock, all connect" \
    "$hung runs hung, $bad runs had a failed connection" bash -c "[ $hung = 0 ] && [ $bad = 0 ]"

  jdbc "$jh" FORKGUARD_CLASSPATH="$H2;$HSQL" -- drivers
  check "classpath $n: getDrivers() lists each injected driver once, every time" "3 identical lists of 2 shims" \
    bash -c "[ \$(grep -c '^drivers: \[forkguard shim for org.h2.Driver, forkguard shim for org.hsqldb.jdbc.JDBCDriver\]$' '$OUT') = 3 ]"

  # --- system mode: the JARs join the application class path.
  jdbc "$jh" FORKGUARD_CLASSPATH="$H2" FORKGUARD_CLASSPATH_MODE=system -- forname org.h2.Driver jdbc:h2:mem:s
  check "classpath $n: system mode: the application sees the driver class itself" "forname: ok" \
    has "$OUT" '^forname: ok 2 rows'

  # --- FORKGUARD_DRIVERS: a driver without META-INF/services.
  jdbc "$jh" FORKGUARD_CLASSPATH="$T/bad/jars" FORKGUARD_DRIVERS=org.h2.Driver -- everywhere jdbc:h2:mem:d
  check "classpath $n: FORKGUARD_DRIVERS loads a driver without META-INF/services" "main/thread/pool ok, silent" \
    bash -c "grep -q '^main: ok' '$OUT' && grep -q '^pool: ok' '$OUT' && ! grep -q forkguard '$ERR'"

  # --- every bad input: one line each, named; the good entry still works.
  # (BoomDriver's static initialiser throws: named at the first connection,
  # which loads it, as DriverManager asks its group's shim first.)
  jdbc "$jh" FORKGUARD_CLASSPATH="/nonexistent/x.jar:$T/bad/emptydir:$T/bad/corrupt.jar:$T/bad/nodriver.jar;$T/bad/boom.jar;$H2" \
       FORKGUARD_DRIVERS="com.example.NoSuchDriver,java.lang.String" -- everywhere jdbc:h2:mem:b
  check "classpath $n: bad inputs named one line each, host's JDBC still works, no JNI warning" "see stderr" \
    bash -c "grep -qx 'forkguard: FORKGUARD_CLASSPATH entry /nonexistent/x.jar: no such file; skipped' '$ERR' &&
      grep -qx 'forkguard: FORKGUARD_CLASSPATH entry $T/bad/emptydir: directory has no readable .jar files; skipped' '$ERR' &&
      grep -q '^forkguard: FORKGUARD_CLASSPATH entry $T/bad/corrupt.jar: not a readable JAR (.*); skipped\$' '$ERR' &&
      grep -qx 'forkguard: FORKGUARD_CLASSPATH driver BoomDriver ($T/bad/boom.jar): java.lang.ExceptionInInitializerError (caused by java.lang.IllegalStateException: boom from BoomDriver.s static initialiser); not used' '$ERR' &&
      grep -q '^forkguard: FORKGUARD_CLASSPATH group $T/bad/nodriver.jar: no java.sql.Driver found' '$ERR' &&
      grep -qx 'forkguard: FORKGUARD_DRIVERS class com.example.NoSuchDriver: not found in FORKGUARD_CLASSPATH; skipped' '$ERR' &&
      grep -qx 'forkguard: FORKGUARD_DRIVERS class java.lang.String: not a java.sql.Driver; skipped' '$ERR' &&
      [ \$(grep -c '^forkguard: ' '$ERR') = 7 ] &&
      grep -q '^main: ok' '$OUT' && grep -q '^thread: ok' '$OUT' && grep -q '^pool: ok' '$OUT' &&
      ! grep -qiE 'WARNING|FATAL|Exception in' '$ERR'"

  # --- lazy shims: 1, 3 and 10 drivers (tiny0..tiny9, one group, a
  # directory's JARs in name order). Listing loads nothing; the first
  # connection loads only tiny0, with its own loader as context loader;
  # every driver then connects from three callers, one with a context
  # loader that sees nothing; still one shim per driver.
  for k in 1 3 10; do
    jars=$TINY; [ $k = 1 ] && jars=$TINY/tiny0.jar; [ $k = 3 ] && jars=$TINY/tiny0.jar:$TINY/tiny1.jar:$TINY/tiny2.jar
    jdbc "$jh" FORKGUARD_CLASSPATH="$jars" -- tiny $k
    shims=$(for i in $(seq 0 $((k - 1))); do printf 'forkguard shim for fgtiny%s.Driver, ' "$i"; done)
    shims="[${shims%, }]"
    check "classpath $n: $k lazy drivers: listed unloaded, loaded at first use only, every caller and context loader" \
      "listing $shims, then tiny0 loaded alone, then $k of $k from main, odd-context and pool" \
      bash -c "[ \"\$(sed -n 1p '$OUT')\" = 'listed: $shims' ] &&
        [ \"\$(sed -n 2p '$OUT')\" = 'loaded: tiny0 on main, own context loader: true' ] &&
        [ \"\$(sed -n 3p '$OUT')\" = 'first: tiny0 connection' ] &&
        grep -qx 'main: $k of $k' '$OUT' && grep -qx 'odd-context: $k of $k' '$OUT' && grep -qx 'pool: $k of $k' '$OUT' &&
        [ \$(grep -c '^loaded: tiny[0-9] on .*own context loader: true\$' '$OUT') = $k ] &&
        [ \$(grep -c '^loaded: ' '$OUT') = $k ] &&
        [ \"\$(tail -1 '$OUT')\" = 'listed: $shims' ] && ! grep -qiE 'forkguard|WARNING|FATAL' '$ERR'"
  done

  # --- JARs read without ZipFile at start-up (ForkguardDriver.readJar):
  # odd but valid layouts give their driver; a truncated JAR is named.
  jdbc "$jh" FORKGUARD_CLASSPATH="$TINY/odd" -- drivers
  check "classpath $n: prefixed, stored, ZIP64 and commented JARs give their drivers; a truncated one is named" \
    "4 shims (tiny1..4), one line for 5-truncated.jar" \
    bash -c "grep -qx 'drivers: \[forkguard shim for fgtiny1.Driver, forkguard shim for fgtiny2.Driver, forkguard shim for fgtiny3.Driver, forkguard shim for fgtiny4.Driver\]' '$OUT' &&
      grep -q '^forkguard: FORKGUARD_CLASSPATH entry $TINY/odd/5-truncated.jar: not a readable JAR (java.util.zip.ZipException: .*); skipped\$' '$ERR' &&
      [ \$(grep -c '^forkguard: ' '$ERR') = 1 ]"
  for i in 1 2 3 4; do
    XCHECK= jdbc "$jh" FORKGUARD_CLASSPATH="$TINY/odd" -- connect "jdbc:tiny$i:x"
    check "classpath $n: odd JAR layout $i: its driver connects" "connect: ok tiny$i connection" \
      has "$OUT" "^connect: ok tiny$i connection\$"
  done

  # --- a driver that fails at its first use, long after start-up: one
  # forkguard line naming class and JAR (through the native report path),
  # the failure to a caller that has no other driver, the host goes on.
  jdbc "$jh" FORKGUARD_CLASSPATH="$T/bad/boom.jar;$TINY/tiny0.jar" -- late
  check "classpath $n: late driver failure: reported once by name, caller gets it, other drivers work" \
    "one forkguard line for BoomDriver, late-tiny ok twice, late-none carries the failure twice" \
    bash -c "grep -qx 'listed: \[forkguard shim for BoomDriver, forkguard shim for fgtiny0.Driver\]' '$OUT' &&
      [ \$(grep -c '^late-tiny: ok tiny0 connection, getDriver: forkguard shim for fgtiny0.Driver\$' '$OUT') = 2 ] &&
      [ \$(grep -c '^late-none: FORKGUARD_CLASSPATH driver BoomDriver ($T/bad/boom.jar): java.lang.ExceptionInInitializerError.*; not used\$' '$OUT') = 2 ] &&
      grep -qx 'forkguard: FORKGUARD_CLASSPATH driver BoomDriver ($T/bad/boom.jar): java.lang.ExceptionInInitializerError (caused by java.lang.IllegalStateException: boom from BoomDriver.s static initialiser); not used' '$ERR' &&
      [ \$(grep -c '^forkguard: ' '$ERR') = 1 ] && ! grep -qiE 'WARNING|FATAL|Exception in' '$ERR'"
  jdbc "$jh" FORKGUARD_CLASSPATH="$T/bad/boom.jar;$TINY/tiny0.jar" FORKGUARD_FORMAT=json -- late
  check "classpath $n: late driver failure in a JSON log: one classpath record" "one classpath event naming BoomDriver" \
    bash -c "[ \$(grep -c '\"event\":\"classpath\".*BoomDriver' '$ERR') = 1 ] && [ \$(grep -c . '$ERR') = 1 ]"

  # --- names a directory listing can hold that no JVM may be given: a newline
  # (whose halves would name $T/nl/x and a relative evil.jar, which the
  # current directory holds: HSQLDB, whose driver must not appear), invalid
  # UTF-8, a 4-byte character; a relative entry is taken from the current
  # directory and named absolute. The valid non-ASCII name is H2, loaded.
  cd "$T/cwd" && jdbc "$jh" FORKGUARD_CLASSPATH="$T/nl:$T/names:rel/missing.jar" -- drivers; cd "$ROOT"
  check "classpath $n: odd names in listed directories: named and skipped, nothing from the current directory" \
    "only H2's shim, five one-line messages" \
    bash -c "[ \$(grep -c '^drivers: \[forkguard shim for org.h2.Driver\]$' '$OUT') = 3 ] &&
      grep -qxF 'forkguard: FORKGUARD_CLASSPATH entry $T/nl/x\\x0aevil.jar: contains a newline; skipped' '$ERR' &&
      grep -qxF 'forkguard: FORKGUARD_CLASSPATH entry $T/nl: directory has no readable .jar files; skipped' '$ERR' &&
      grep -qxF 'forkguard: FORKGUARD_CLASSPATH entry $T/names/bad\\xff.jar: not valid UTF-8; skipped' '$ERR' &&
      grep -qxF 'forkguard: FORKGUARD_CLASSPATH entry $T/names/e\\xf0\\x9f\\x98\\x80.jar: has a character above U+FFFF, which JNI strings cannot carry; skipped' '$ERR' &&
      grep -qxF 'forkguard: FORKGUARD_CLASSPATH entry $T/cwd/rel/missing.jar: no such file; skipped' '$ERR' &&
      [ \$(grep -c '^forkguard: ' '$ERR') = 5 ] && ! grep -qiE 'WARNING|FATAL|Exception in' '$ERR'"
  cd "$T/cwd" && jdbc "$jh" FORKGUARD_CLASSPATH="$T/nl:$T/names" FORKGUARD_CLASSPATH_MODE=system -- \
    forname org.hsqldb.jdbc.JDBCDriver jdbc:hsqldb:mem:n; cd "$ROOT"
  check "classpath $n: system mode, same directory: no class from the current directory" \
    "expected ClassNotFoundException for org.hsqldb.jdbc.JDBCDriver" \
    has "$ERR" 'ClassNotFoundException: org.hsqldb.jdbc.JDBCDriver'
done

# --- PostgreSQL: a real server on a private port and directory, driver only
# through FORKGUARD_CLASSPATH.
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$pgbin" ]; then
  fail "classpath: postgresql" "no /usr/lib/postgresql/*/bin (package postgresql missing)"
else
  pgdir=$(mktemp -d /tmp/fgpg.XXXXXX); chown postgres "$pgdir"; chmod 700 "$pgdir"
  port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_pg() { runuser -u postgres -- "$@"; }
  stop_pg() { as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1; rm -rf "$pgdir"; }
  trap stop_pg EXIT
  if as_pg "$pgbin/initdb" -D "$pgdir/data" -A trust -U postgres >"$pgdir/initdb.log" 2>&1 &&
     as_pg timeout 60 "$pgbin/pg_ctl" -D "$pgdir/data" -w -t 50 -l "$pgdir/server.log" \
       -o "-p $port -k $pgdir -c listen_addresses=127.0.0.1" start >/dev/null 2>&1; then
    for jh in $(jdks); do
      n=$(jdk_name "$jh")
      jdbc "$jh" -- everywhere "jdbc:postgresql://127.0.0.1:$port/postgres" postgres
      check "classpath $n: PostgreSQL without FORKGUARD_CLASSPATH: No suitable driver" "error" \
        has "$OUT" '^main: error .*No suitable driver'
      jdbc "$jh" FORKGUARD_CLASSPATH="$PG" -- everywhere "jdbc:postgresql://127.0.0.1:$port/postgres" postgres
      check "classpath $n: PostgreSQL server through FORKGUARD_CLASSPATH: create, write, read" \
        "main, thread and pool tasks ran SQL on PostgreSQL" \
        bash -c "grep -q '^main: ok 2 rows, max two, PostgreSQL' '$OUT' && grep -q '^thread: ok 2 rows, max two, PostgreSQL' '$OUT' &&
                 grep -q '^pool: ok 2 rows, max two, PostgreSQL' '$OUT' && ! grep -q forkguard '$ERR'"
    done
  else
    fail "classpath: start PostgreSQL" "$(tail -5 "$pgdir"/*.log 2>/dev/null | tr '\n' '|')"
  fi
  stop_pg; trap - EXIT
fi
finish
