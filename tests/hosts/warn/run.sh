#!/usr/bin/env bash
# Observe-only operation: warn mode, fork-time warnings, the JSON log.
set -u
source "$(dirname "$0")/../../lib.sh"
HERE=$ROOT/tests/hosts/warn
T=$B/hosts/warn
mkdir -p "$T"
"$JDK17/bin/javac" --release 8 -d "$T" "$HERE/Mix.java" || { fail "warn: javac Mix" "javac failed"; finish; exit; }

for jh in $(jdks); do
  n=$(jdk_name "$jh")
  bin=$T/host-$n
  gcc -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE -rdynamic -I"$jh/include" -I"$jh/include/linux" \
      "$ROOT/tests/hosts/c/host.c" -o "$bin" -L"$jh/lib/server" -Wl,-rpath,"$jh/lib/server" \
      -ljvm -ldl -lpthread || { fail "warn $n: build host" "gcc failed"; continue; }
  fg() { bounded 120 env LD_PRELOAD="$FG_LIB" HOST_JVM_OPTS="-Djava.class.path=$T" "$@"; }

  # warn mode lets the child's calls through to a JVM without threads: now
  # and then one blocks on a lock a vanished thread held (the very bug; the
  # host kills it after 2 s). Such a run says nothing about forwarding, so it
  # is retried, up to 3 times.
  for attempt in 1 2 3; do
    fg FORKGUARD_MODE=warn "$bin" mix
    grep -q '^child: timeout' "$OUT" || break
  done
  parent=$(sed -n 's/^parent: mix=//p' "$OUT"); child=$(sed -n 's/^child: mix=//p' "$OUT")
  check "warn $n: child's calls return what the parent's return (variadic int/long/double, double result)" \
    "parent '$parent' child '$child'" bash -c "[ -n '$parent' ] && [ '$parent' = '$child' ] && grep -q '^child: exit 0' '$OUT'"
  check "warn $n: one report per distinct function, passed through" \
    "FindClass, GetStaticMethodID, CallStaticIntMethod, CallStaticDoubleMethod once each, nothing else" \
    bash -c "for f in FindClass GetStaticMethodID CallStaticIntMethod CallStaticDoubleMethod; do
               [ \$(grep -c \"^forkguard: JNI call \$f in pid\" '$ERR') = 1 ] || exit 1; done
             [ \$(grep -c '^forkguard: JNI call' '$ERR') = 4 ] &&
             [ \$(grep -c 'action:  passed through to the real call (FORKGUARD_MODE=warn)' '$ERR') = 4 ]"

  fg FORKGUARD_ON_FORK=warn "$bin" exec
  check "warn $n: FORKGUARD_ON_FORK=warn: 100 forks from one site, one warning" \
    "exactly one 'owner of a live JVM, forked pid' record naming main, children fine" \
    bash -c "[ \$(grep -c 'owner of a live JVM, forked pid [0-9]*\$' '$ERR') = 1 ] &&
             grep -A1 '^  at (fork):' '$ERR' | grep -q 'main+0x' && grep -q '0 of 100 children failed' '$OUT'"

  log=$FG_TMP/fork-$n.log
  fg FORKGUARD_ON_FORK=warn FORKGUARD_FORMAT=json FORKGUARD_LOG="$log" "$bin" exec
  check "warn $n: fork event in JSON" "one parseable fork record with child_pid" \
    "$PYTHON" "$HERE/check_log.py" "$log" fork 1

  fg FORKGUARD_ON_FORK=silent "$bin" exec
  check "warn $n: FORKGUARD_ON_FORK=silent (default) says nothing at fork" "no forkguard output" \
    bash -c "! grep -q forkguard '$ERR'"

  log=$FG_TMP/many-$n.log
  fg FORKGUARD_FORMAT=json FORKGUARD_LOG="$log" "$bin" many
  check "warn $n: 50 children reporting at once into one log: 50 whole JSON lines" \
    "every line parses, 50 distinct pids" \
    bash -c "grep -q '50 of 50 children aborted' '$OUT' && '$PYTHON' '$HERE/check_log.py' '$log' many"
  cp "$log" "$FG_TMP/many.log"
done

# forkguard report: the readable summary of a JSON log, for CI.
{ cat "$FG_TMP/many.log"; echo 'not json at all'; cat "$FG_TMP/fork-17.log"; } > "$FG_TMP/mixed.log"
bounded 30 "$B/forkguard" report "$FG_TMP/mixed.log"
check "report: summary of 50 children, the fork warning and an unreadable line; exit 1" \
  "see stdout" bash -c "[ $RC = 1 ] && grep -q '^forkguard report: .*: 51 records (50 JNI uses in forked children), 1 unreadable lines (first: line 51)' '$OUT' &&
    grep -q '^  children that used JNI: 50\$' '$OUT' && [ \$(grep -c '^    pid [0-9]* (forked by [0-9]*): FindClass \[abort\]\$' '$OUT') = 50 ] &&
    grep -qE '^      first call at #0 0x[0-9a-f]+ (many_children|main)\+0x' '$OUT' && grep -q '^  forks warned about: 1, first at #0 ' '$OUT' &&
    grep -q '^  fix: create the JVM after fork' '$OUT'"
bounded 30 "$B/forkguard" report "$FG_TMP/fork-17.log"
check "report: a log without JNI use in children exits 0" "exit 0, 0 JNI uses" \
  bash -c "[ $RC = 0 ] && grep -q '(0 JNI uses in forked children)' '$OUT'"
bounded 30 "$B/forkguard" report "$FG_TMP/does-not-exist.log"
check "report: unreadable file: one line, exit 2" "exit 2 naming the file" \
  bash -c "[ $RC = 2 ] && [ \$(wc -l < '$ERR') = 1 ] && grep -q '^forkguard: cannot read .*does-not-exist.log: No such file or directory' '$ERR'"


# Escaping: the host runs from a directory whose name has a quote, a
# backslash, a tab, a control byte and non-ASCII; its path appears in the
# backtraces and must come back intact from the JSON.
weird=$FG_TMP/$'d"q\\b\tt\x01-\xc3\xa9'
mkdir -p "$weird" && cp "$T/host-17" "$weird/host"
log=$FG_TMP/weird.log
bounded 120 env LD_PRELOAD="$FG_LIB" FORKGUARD_FORMAT=json FORKGUARD_LOG="$log" "$weird/host" findclass
check "json: quotes, backslashes, control bytes and UTF-8 in paths survive escaping" \
  "the decoded frame names the exact path" "$PYTHON" "$HERE/check_log.py" "$log" path "$weird/host"

log=$FG_TMP/config.log
bounded 30 env LD_PRELOAD="$FG_LIB" FORKGUARD_FORMAT=json FORKGUARD_LOG="$log" FORKGUARD_MODE=$'bo"gus\x02' /bin/true
check "json: a bad value is a config_error record" "one config_error naming FORKGUARD_MODE" \
  "$PYTHON" "$HERE/check_log.py" "$log" config FORKGUARD_MODE
finish
