#!/usr/bin/env bash
# Observe-only operation: warn mode, fork-time warnings, the JSON log.
set -u
source "$(dirname "$0")/../../lib.sh"
HERE=$ROOT/tests/hosts/warn
T=$B/hosts/warn
mkdir -p "$T"

for jh in $(jdks); do
  n=$(jdk_name "$jh")
  bin=$T/host-$n
  gcc -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE -rdynamic -I"$jh/include" -I"$jh/include/linux" \
      "$ROOT/tests/hosts/c/host.c" -o "$bin" -L"$jh/lib/server" -Wl,-rpath,"$jh/lib/server" \
      -ljvm -ldl -lpthread || { fail "warn $n: build host" "gcc failed"; continue; }
  fg() { bounded 120 env LD_PRELOAD="$FG_LIB" "$@"; }

  # warn mode forwards the child's call to the real one. Only a call that
  # never blocks in a forked child proves that deterministically: any other
  # (FindClass, Call*Method) can hang on a safepoint or a lock left by a
  # vanished JVM thread, which is the very bug, not forkguard's. GetVersion
  # is such a call (HotSpot's JNI_LEAF: no thread-state transition), so a
  # timeout here is forkguard's own hang and fails, with no retry. The
  # variadic argument shapes are checked on fake tables in tests/unit
  # (test_poison: test_warn_env_calls_forwarded).
  fg FORKGUARD_MODE=off "$bin" getversion
  want=$(sed -n 's/^child: GetVersion=//p' "$OUT")
  fg FORKGUARD_MODE=warn "$bin" getversion
  got=$(sed -n 's/^child: GetVersion=//p' "$OUT")
  check "warn $n: the child's GetVersion passes through: the same answer as unguarded, exit 0" \
    "off mode '$want', warn mode '$got'" \
    bash -c "[ -n '$want' ] && [ '$want' = '$got' ] && grep -q '^child: exit 0' '$OUT'"
  check "warn $n: one report, passed through" \
    "exactly one 'JNI call GetVersion' record saying 'passed through'" \
    bash -c "[ \$(grep -c '^forkguard: JNI call GetVersion in pid' '$ERR') = 1 ] &&
             [ \$(grep -c '^forkguard: JNI call' '$ERR') = 1 ] &&
             [ \$(grep -c 'action:  passed through to the real call (FORKGUARD_MODE=warn)' '$ERR') = 1 ]"

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

  # The same in the default text format, for forkguard report.
  log=$FG_TMP/many-text-$n.log
  fg FORKGUARD_LOG="$log" "$bin" many
  fg FORKGUARD_ON_FORK=warn FORKGUARD_LOG="$FG_TMP/fork-text-$n.log" "$bin" exec
done

# forkguard report: the readable summary of a log, for CI. It gates a job, so
# it fails closed: a line it cannot read might have been a report.
{ cat "$FG_TMP/many.log"; echo 'not json at all'; cat "$FG_TMP/fork-17.log"; } > "$FG_TMP/mixed.log"
bounded 30 "$B/forkguard" report "$FG_TMP/mixed.log"
check "report: summary of 50 children, the fork warning and an unreadable line; exit 1" \
  "see stdout" bash -c "[ $RC = 1 ] && grep -q '^forkguard report: .*: 51 records (50 JNI uses in forked children), 1 unreadable or truncated line (line 51)\$' '$OUT' &&
    grep -q '^  children that used JNI: 50\$' '$OUT' && [ \$(grep -c '^    pid [0-9]* (forked by [0-9]*): FindClass \[abort\]\$' '$OUT') = 50 ] &&
    grep -qE '^      first call at #0 0x[0-9a-f]+ (many_children|main)\+0x' '$OUT' && grep -q '^  forks warned about: 1, first at #0 ' '$OUT' &&
    grep -q '^  fix: create the JVM after fork' '$OUT'"
bounded 30 "$B/forkguard" report "$FG_TMP/fork-17.log"
check "report: a log without JNI use in children exits 0" "exit 0, 0 JNI uses" \
  bash -c "[ $RC = 0 ] && grep -q '(0 JNI uses in forked children)\$' '$OUT' && [ ! -s '$ERR' ]"
bounded 30 "$B/forkguard" report "$FG_TMP/does-not-exist.log"
check "report: unreadable file: one line, exit 2" "exit 2 naming the file" \
  bash -c "[ $RC = 2 ] && [ \$(wc -l < '$ERR') = 1 ] && grep -q '^forkguard: cannot read .*does-not-exist.log: No such file or directory' '$ERR'"

# The default format is text: once read as 0 records, exit 0.
bounded 30 "$B/forkguard" report "$FG_TMP/many-text-17.log"
check "report: a text log: 50 children that used JNI, exit 1" "see stdout" \
  bash -c "[ $RC = 1 ] && grep -q '^forkguard report: .*: 50 records (50 JNI uses in forked children)\$' '$OUT' &&
    [ \$(grep -c '^    pid [0-9]* (forked by [0-9]*): FindClass \[abort\]\$' '$OUT') = 50 ] &&
    [ \$(grep -cE '^      first call at #0 0x[0-9a-f]+ (many_children|main)\+0x' '$OUT') = 50 ] &&
    grep -q '^  fix: create the JVM after fork' '$OUT' && [ ! -s '$ERR' ]"
bounded 30 "$B/forkguard" report "$FG_TMP/fork-text-17.log"
check "report: a text log with a fork warning and no JNI use: exit 0" "see stdout" \
  bash -c "[ $RC = 0 ] && grep -q ': 1 records (0 JNI uses in forked children)\$' '$OUT' &&
    grep -q '^  forks warned about: 1, first at #0 ' '$OUT' && [ ! -s '$ERR' ]"

# A record cut short (full disk: the write stopped mid-record, no newline at
# the end): no JNI use can be seen, but the log proves nothing: exit 3.
{ cat "$FG_TMP/fork-17.log"; head -c 60 "$FG_TMP/many.log"; } > "$FG_TMP/cut.log"
lines=$(wc -l < "$FG_TMP/fork-17.log")
bounded 30 "$B/forkguard" report "$FG_TMP/cut.log"
check "report: a record cut at the end: exit 3, its line named on stdout and stderr" \
  "exit 3, 'line $((lines + 1))'" \
  bash -c "[ $RC = 3 ] && grep -q ': 1 records (0 JNI uses in forked children), 1 unreadable or truncated line (line $((lines + 1)))\$' '$OUT' &&
    [ \$(wc -l < '$ERR') = 1 ] && grep -q '^forkguard: .*cut.log: 1 unreadable or truncated line (line $((lines + 1))): the log cannot show' '$ERR'"
bounded 30 "$B/forkguard" report --allow-unreadable "$FG_TMP/cut.log"
check "report --allow-unreadable: the same log lists the line and exits 0" "exit 0" \
  bash -c "[ $RC = 0 ] && grep -q '1 unreadable or truncated line (line $((lines + 1)))\$' '$OUT' && [ ! -s '$ERR' ]"
# A text record cut mid-line and the next process's record glued onto it (a
# log written before records started on a fresh line).
{ head -n 2 "$FG_TMP/many-text-17.log"; printf '  fork:    pid 1 for'; sed -n '/^forkguard: JNI call/,$p' "$FG_TMP/many-text-17.log" | tail -n +2 | sed -n '/^forkguard: JNI call/,$p'; } > "$FG_TMP/glued.log"
bounded 30 "$B/forkguard" report "$FG_TMP/glued.log"
check "report: a cut text record with another glued on: both JNI uses counted, the lines named, exit 1" \
  "exit 1, 50 JNI uses, lines 1 and 3 bad" \
  bash -c "[ $RC = 1 ] && grep -q ': 50 records (50 JNI uses in forked children), 2 unreadable or truncated lines (lines 1, 3)\$' '$OUT' &&
    grep -q ': 2 unreadable or truncated lines (lines 1, 3)\$' '$ERR'"
bounded 30 "$B/forkguard" report --bogus "$FG_TMP/cut.log"
check "report: unknown option: one line, exit 2" "exit 2 naming --bogus" \
  bash -c "[ $RC = 2 ] && [ \$(wc -l < '$ERR') = 1 ] && grep -q \"unknown option '--bogus'\" '$ERR'"

# Escaping: the host runs from a directory whose name has a quote, a
# backslash, a tab, a control byte and non-ASCII; its path appears in the
# backtraces and must come back intact from the JSON.
weird=$FG_TMP/$'d"q\\b\tt\x01-\xc3\xa9'
mkdir -p "$weird" && cp "$T/host-17" "$weird/host"
log=$FG_TMP/weird.log
bounded 120 env LD_PRELOAD="$FG_LIB" FORKGUARD_FORMAT=json FORKGUARD_LOG="$log" "$weird/host" findclass
check "json: quotes, backslashes, control bytes and UTF-8 in paths survive escaping" \
  "the decoded frame names the exact path" "$PYTHON" "$HERE/check_log.py" "$log" path "$weird/host"

# --- The FORKGUARD_LOG file: opened by the first record only, at one
# absolute path, never through a symlink, never someone else's.
badrec=(env LD_PRELOAD="$FG_LIB" FORKGUARD_MODE=bogus) # a config error, written at load
D=$FG_TMP/logdir && mkdir -p "$D/d1" "$D/d2"
bounded 30 env -C "$D" LD_PRELOAD="$FG_LIB" FORKGUARD_LOG=fg.log \
  sh -c 'cd d1 && /bin/true && cd ../d2 && /bin/true && sh -c "cd .. && /bin/true"'
check "log: a relative FORKGUARD_LOG: processes with nothing to report create no file anywhere" \
  "no fg.log under $D" bash -c "[ $RC = 0 ] && [ -z \"\$(find '$D' -name fg.log)\" ]"
bounded 30 env -C "$D" LD_PRELOAD="$FG_LIB" FORKGUARD_LOG=fg.log \
  sh -c 'cd d1 && FORKGUARD_MODE=bogus /bin/true && cd ../d2 && FORKGUARD_MODE=bogus2 /bin/true; echo "$FORKGUARD_LOG"'
check "log: a relative FORKGUARD_LOG is resolved once: descendants elsewhere write to the same file, exported absolute" \
  "two records in $D/fg.log, none in d1/ or d2/, the variable absolute" \
  bash -c "[ \$(grep -c '^forkguard: FORKGUARD_MODE=bogus' '$D/fg.log') = 2 ] && [ ! -e '$D/d1/fg.log' ] &&
           [ ! -e '$D/d2/fg.log' ] && [ \"\$(cat '$OUT')\" = '$D/fg.log' ]"
bounded 120 env -C "$D" LD_PRELOAD="$FG_LIB" FORKGUARD_LOG=jvm.log "$T/host-17" exec
check "log: a JVM owner that forks and execs, nothing to report: no file" "no $D/jvm.log" \
  bash -c "grep -q '0 of 100 children failed' '$OUT' && [ ! -e '$D/jvm.log' ]"

umask 022
bounded 30 "${badrec[@]}" FORKGUARD_LOG="$D/new.log" /bin/true
check "log: a new log is created 0600" "mode -rw-------" \
  bash -c "[ \"\$(stat -c %A '$D/new.log')\" = -rw------- ]"

printf 'partial record cut by a full disk' > "$D/cut.log"
bounded 30 "${badrec[@]}" FORKGUARD_LOG="$D/cut.log" /bin/true
bounded 30 "${badrec[@]}" FORKGUARD_LOG="$D/cut.log" /bin/true
check "log: a record never continues a partial line: it starts a fresh one" \
  "line 1 the partial one, lines 2-3 the records" \
  bash -c "[ \"\$(sed -n 1p '$D/cut.log')\" = 'partial record cut by a full disk' ] &&
           [ \$(grep -c '^forkguard: FORKGUARD_MODE=bogus' '$D/cut.log') = 2 ] && [ \$(wc -l < '$D/cut.log') = 3 ]"

# refused LOG WHY-PATTERN NAME: the record on stderr after one line naming
# the path and the reason; the program runs on; no file behind the path.
refused() {
  bounded 30 "${badrec[@]}" FORKGUARD_LOG="$1" /bin/true
  check "log: $3: refused, one line naming it, the record on stderr" "stderr: '$2'" \
    bash -c "[ $RC = 0 ] && [ \$(wc -l < '$ERR') = 2 ] &&
             grep -qF -- \"forkguard: FORKGUARD_LOG=$1: cannot open: $2; using stderr\" '$ERR' &&
             grep -q '^forkguard: FORKGUARD_MODE=bogus' '$ERR'"
}
mkdir -p "$D/real" && ln -s real "$D/dirlink" && ln -s real/target.log "$D/filelink"
refused "$D/dirlink/x.log" "$D/dirlink is a symbolic link" "a symlinked directory in the path"
check "log: nothing created through the symlinked directory" "no $D/real/x.log" test ! -e "$D/real/x.log"
refused "$D/filelink" "is a symbolic link" "a symlink as the log"
check "log: nothing created through the symlink" "no $D/real/target.log" test ! -e "$D/real/target.log"
touch "$D/real/one.log" && ln "$D/real/one.log" "$D/real/two.log"
refused "$D/real/two.log" "it has more than one hard link" "a log with a second hard link"
mkfifo "$D/fifo"
refused "$D/fifo" "not a regular file" "a FIFO (nobody reading: no hang)"
if [ "$(id -u)" = 0 ]; then
  touch "$D/theirs.log" && chown 65534 "$D/theirs.log"
  refused "$D/theirs.log" "owned by uid 65534, not by this process (uid 0)" "an existing log of another user"
else
  refused /etc/passwd "owned by uid 0, not by this process (uid $(id -u))" "an existing log of another user"
fi
check "log: nothing was written to a refused log" "all empty" \
  bash -c "[ ! -s '$D/real/two.log' ] && { [ ! -e '$D/theirs.log' ] || [ ! -s '$D/theirs.log' ]; }"

log=$FG_TMP/config.log
bounded 30 env LD_PRELOAD="$FG_LIB" FORKGUARD_FORMAT=json FORKGUARD_LOG="$log" FORKGUARD_MODE=$'bo"gus\x02' /bin/true
check "json: a bad value is a config_error record" "one config_error naming FORKGUARD_MODE" \
  "$PYTHON" "$HERE/check_log.py" "$log" config FORKGUARD_MODE
finish
