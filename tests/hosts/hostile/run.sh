#!/usr/bin/env bash
# Hostile environment. forkguard reads FORKGUARD_* in every process it is
# preloaded into; whatever they hold, the host must run as without them.
#  - Each validated variable (MODE, FORMAT, ON_FORK, EXIT_CODE, CLASSPATH_MODE)
#    set to empty, huge, binary and malformed values: exactly one line on
#    stderr, naming the variable, the value printable-escaped and cut, the
#    expected values and the default; /bin/true still exits 0. "Huge" is the
#    largest value exec accepts: the kernel limits one environment string to
#    128 KiB (MAX_ARG_STRLEN, including "NAME=" and the NUL), so 1 MB cannot be
#    passed at all.
#  - CLASSPATH and DRIVERS (free-form) with the same values: silent without a
#    JVM; in a JVM host every message about them one printable line (class
#    names with ESC, BEL, newline).
#  - All of them bad at once in a JVM host (tests/hosts/c/host.c, findclass):
#    still guarded with the defaults (block, text, abort()).
#  - FORKGUARD_LOG unusable (empty, huge, binary, a long binary path, missing
#    directory, a directory, a FIFO nobody reads, a symlink to a file, /sys, a
#    root-owned directory for an unprivileged user, /proc/version which opens
#    as root but takes no writes): one clear line and the report on stderr
#    instead; the symlink's target untouched; an existing log appended to,
#    never truncated.
#  - Secure execution (AT_SECURE: a setuid-root copy of probe.c run by
#    nobody; the library setuid in the standard library directory, since
#    ld.so preloads nothing else there — both only inside a private mount
#    namespace, see secure_ns.sh): no FORKGUARD_LOG path opened, no
#    FORKGUARD_CLASSPATH injected; nothing installed outside the namespace.
set -u
. "$(dirname "$0")/../../lib.sh"
HERE=$ROOT/tests/hosts/hostile
T=$B/hosts/hostile
mkdir -p "$T"
ulimit -c 0

JH=$JDK17
if ! gcc -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE -rdynamic -I"$JH/include" -I"$JH/include/linux" \
     "$ROOT/tests/hosts/c/host.c" -o "$T/host" -L"$JH/lib/server" -Wl,-rpath,"$JH/lib/server" \
     -ljvm -ldl -lpthread 2>"$T/build.log" ||
   ! gcc -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE -I"$JH/include" -I"$JH/include/linux" \
     "$HERE/probe.c" -o "$T/probe" -L"$JH/lib/server" -Wl,-rpath,"$JH/lib/server" -ljvm -ldl \
     2>>"$T/build.log"; then
  fail "hostile: build hosts" "$(head -c 400 "$T/build.log" | tr '\n' '|')"
  finish; exit
fi

# The largest value exec accepts for NAME: 128 KiB minus "NAME=" and the NUL.
huge() { head -c $((131072 - ${#1} - 2)) /dev/zero | tr '\0' x; }
BINARY=$'\x01\x02\t\n\x1b[31m\x7f\x80\xff\xfe"\\q'
declare -A EXPECT=(
  [MODE]='expected block, warn or off; using block'
  [FORMAT]='expected text or json; using text'
  [ON_FORK]='expected silent or warn; using silent'
  [EXIT_CODE]='expected an integer from 1 to 255; using abort()'
  [CLASSPATH_MODE]='expected isolated or system; using isolated'
)
declare -A MALFORMED=(
  [MODE]='BLOCK| block|block,warn|blocks|warn '
  [FORMAT]='JSON|text |json;text'
  [ON_FORK]='yes|1|Warn'
  [EXIT_CODE]='0|256|-1|+5|42abc| 42|1e2|99999999999999999999|0x2a'
  [CLASSPATH_MODE]='System|isolated,system'
)

# one_line VAR: the last run's stderr is exactly one printable line naming
# FORKGUARD_VAR, at most 300 characters.
one_line() {
  [ "$(wc -l <"$ERR")" = 1 ] && [ "$(head -c 10000 "$ERR" | wc -c)" -le 301 ] &&
    has "$ERR" "^forkguard: FORKGUARD_$1=" && ! LC_ALL=C grep -q '[^ -~]' "$ERR"
}
show() { printf '%q' "$1" | cut -c1-40; }

# Choice variables.
for var in MODE FORMAT ON_FORK EXIT_CODE CLASSPATH_MODE; do
  exp=${EXPECT[$var]}
  IFS='|' read -r -a bad <<<"${MALFORMED[$var]}"
  labels=(empty huge binary) values=("" "$(huge "FORKGUARD_$var")" "$BINARY")
  for v in "${bad[@]}"; do labels+=("malformed $(show "$v")"); values+=("$v"); done
  for i in "${!values[@]}"; do
    v=${values[$i]}
    bounded 30 env LD_PRELOAD="$FG_LIB" "FORKGUARD_$var=$v" /bin/true
    check "hostile: FORKGUARD_$var ${labels[$i]}: one clear line, default used, /bin/true exits 0" \
      "expected one printable line naming FORKGUARD_$var and '$exp' (exit $RC)" \
      eval '[ "$RC" = 0 ] && one_line "$var" && grep -qF -- ": $exp" "$ERR"'
  done
  # The value is shown escaped and cut.
  bounded 30 env LD_PRELOAD="$FG_LIB" "FORKGUARD_$var=$BINARY" /bin/true
  check "hostile: FORKGUARD_$var binary value shown escaped" 'expected \x01\x02\x09\x0a\x1b[31m\x7f\x80\xff\xfe"\\q' \
    grep -qF -- "FORKGUARD_$var="'\x01\x02\x09\x0a\x1b[31m\x7f\x80\xff\xfe"\\q: ' "$ERR"
  bounded 30 env LD_PRELOAD="$FG_LIB" "FORKGUARD_$var=$(huge "FORKGUARD_$var")" /bin/true
  check "hostile: FORKGUARD_$var huge value cut to 64 bytes and '...'" "expected x{64}...:" \
    grep -qE -- "FORKGUARD_$var=x{64}\.\.\.: " "$ERR"
done

# Free-form variables: read at load, used only at JVM creation.
for var in CLASSPATH DRIVERS; do
  for label in empty huge binary; do
    case $label in empty) v= ;; huge) v=$(huge "FORKGUARD_$var") ;; binary) v=$BINARY ;; esac
    bounded 30 env LD_PRELOAD="$FG_LIB" "FORKGUARD_$var=$v" sh -c 'exit 3'
    check "hostile: FORKGUARD_$var $label, no JVM: silent, exit status kept" "exit $RC, expected 3 and nothing on stderr" \
      eval '[ "$RC" = 3 ] && [ ! -s "$ERR" ]'
  done
done

# Everything bad at once in a JVM host: the defaults guard it.
first_line='^forkguard: JNI call FindClass in pid [0-9]+, a forked child of JVM owner pid [0-9]+$'
for label in binary huge; do
  envs=()
  for var in MODE FORMAT ON_FORK EXIT_CODE CLASSPATH_MODE CLASSPATH DRIVERS; do
    case $label in binary) v=$BINARY ;; huge) v=$(huge "FORKGUARD_$var") ;; esac
    envs+=("FORKGUARD_$var=$v")
  done
  bounded 120 env LD_PRELOAD="$FG_LIB" "${envs[@]}" "$T/host" findclass
  check "hostile: all variables $label in a JVM host: child blocked with the defaults (abort, text report)" \
    "expected 'child: signal 6', a text report, parent works=1" \
    eval 'has "$OUT" "^child: signal 6$" && has "$ERR" "$first_line" && has "$ERR" "action:  abort \(FORKGUARD_MODE=block\)" && has "$OUT" "^parent: works=1$"'
  check "hostile: all variables $label in a JVM host: one line per validated variable, nothing else" \
    "expected exactly one line for each of MODE FORMAT ON_FORK EXIT_CODE CLASSPATH_MODE, at most one for CLASSPATH and DRIVERS, all printable (DRIVERS: checked below), no fork warning" \
    eval 'for v in MODE FORMAT ON_FORK EXIT_CODE CLASSPATH_MODE; do [ "$(count "$ERR" "^forkguard: FORKGUARD_$v=")" = 1 ] || exit 1; done
          [ "$(count "$ERR" "^forkguard: FORKGUARD_CLASSPATH[ =]")" -le 1 ] && [ "$(count "$ERR" "^forkguard: FORKGUARD_DRIVERS")" -le 1 ] &&
          ! grep -v "^forkguard: FORKGUARD_DRIVERS class " "$ERR" | LC_ALL=C grep -q "[^ -~]" &&
          hasnt "$ERR" "owner of a live JVM, forked"'
done

# Names from FORKGUARD_DRIVERS come back in messages from the Java side: they
# must be escaped like any other value (one line each, nothing a terminal
# would interpret).
bounded 120 env LD_PRELOAD="$FG_LIB" "FORKGUARD_DRIVERS=org.example.Missing,a"$'\x1b[31mb\x07,c\nd' "$T/host" findclass
check "hostile: FORKGUARD_DRIVERS names with ESC, BEL and newline, JVM host: one printable line per name" \
  "expected 3 printable 'forkguard: FORKGUARD_DRIVERS class' lines and nothing else outside the report; got: $(grep -v '^  ' "$ERR" | grep -v "$first_line" | cat -A | head -c 300 | tr '\n' '|')" \
  eval '[ "$(grep -v "^  " "$ERR" | grep -cvE "$first_line")" = 3 ] &&
        [ "$(count "$ERR" "^forkguard: FORKGUARD_DRIVERS class ")" = 3 ] && ! LC_ALL=C grep -q "[^ -~]" "$ERR"'

# JSON: a bad value becomes a config_error record that parses.
bounded 30 env LD_PRELOAD="$FG_LIB" FORKGUARD_FORMAT=json "FORKGUARD_MODE=$BINARY" /bin/true
check "hostile: FORKGUARD_FORMAT=json, binary FORKGUARD_MODE: one config_error record that parses" \
  "expected one JSON line with event config_error and the escaped message" \
  "$PYTHON" -c '
import json, sys
lines = open(sys.argv[1], "rb").read().splitlines()
assert len(lines) == 1, lines
r = json.loads(lines[0].decode("ascii"))
assert r["event"] == "config_error", r
m = r["message"]
assert m.startswith("forkguard: FORKGUARD_MODE=\\x01\\x02") and m.endswith("expected block, warn or off; using block"), m
' "$ERR"

# FORKGUARD_LOG.
L=$T/log
rm -rf "$L" && mkdir -p "$L/dir"
# log_case LABEL VALUE WHY-REGEX: /bin/true gets one line naming FORKGUARD_LOG,
# the reason and "; using stderr".
log_case() {
  LOG_WHY=$3
  bounded 10 env LD_PRELOAD="$FG_LIB" "FORKGUARD_LOG=$2" /bin/true
  check "hostile: FORKGUARD_LOG $1: one clear line, stderr used, /bin/true exits 0" \
    "expected one printable line 'forkguard: FORKGUARD_LOG=...$3...; using stderr' (exit $RC)" \
    eval '[ "$RC" = 0 ] && one_line LOG && grep -qF -- "$LOG_WHY" "$ERR" && has "$ERR" "; using stderr$"'
}
log_case empty "" ': expected stderr or a file path'
log_case "huge path" "/$(huge FORKGUARD_LOG | cut -c2-)" ': cannot open: File name too long'
log_case "binary path" "$L/missing"$'\x01\xff/log' ': cannot open: No such file or directory'
# 150 control bytes: echoed as \x01 each, the line must still end with the
# reason and "; using stderr" (the echo is cut, not the explanation).
log_case "long binary path" "$L/missing/$(head -c 150 /dev/zero | tr '\0' '\001')" ': cannot open: No such file or directory'
log_case "in a missing directory" "$L/missing/fg.log" ': cannot open: No such file or directory'
log_case "a directory" "$L/dir" ': cannot open: Is a directory'
log_case "under /sys" /sys/forkguard-test.log ': cannot open: '
mkfifo "$L/fifo"
log_case "a FIFO nobody reads" "$L/fifo" ': cannot open: '
printf 'precious\n' >"$L/target"
ln -s "$L/target" "$L/link"
log_case "a symlink to a file" "$L/link" ': cannot open: is a symbolic link'
check "hostile: FORKGUARD_LOG symlink: target untouched" "target changed: $(head -c 100 "$L/target" | tr '\n' '|')" \
  eval '[ "$(cat "$L/target")" = precious ]'
# A log that cannot be used must not swallow the report.
bounded 120 env LD_PRELOAD="$FG_LIB" FORKGUARD_LOG="$L/missing/fg.log" "$T/host" findclass
check "hostile: FORKGUARD_LOG in a missing directory, JVM host: the line, then the report on stderr" \
  "expected the config line and the report on stderr, child aborted" \
  eval 'has "$ERR" "^forkguard: FORKGUARD_LOG=.*: cannot open: No such file or directory; using stderr$" && has "$ERR" "$first_line" && has "$OUT" "^child: signal 6$"'
# /proc/version opens for writing as root (a regular file in procfs) but every
# write fails: the report must still reach someone.
bounded 120 env LD_PRELOAD="$FG_LIB" FORKGUARD_LOG=/proc/version "$T/host" findclass
check "hostile: FORKGUARD_LOG=/proc/version (opens, takes no writes), JVM host: a line and the report on stderr" \
  "expected a FORKGUARD_LOG line and the report on stderr; got nothing (child: $(grep '^child:' "$OUT" | tr '\n' ' '))" \
  eval 'has "$ERR" "^forkguard: FORKGUARD_LOG=/proc/version: write failed: " && has "$ERR" "$first_line"'

# An existing log is appended to, never truncated.
printf 'line one, written before\n' >"$L/existing.log"
bounded 120 env LD_PRELOAD="$FG_LIB" FORKGUARD_LOG="$L/existing.log" "$T/host" findclass
bounded 120 env LD_PRELOAD="$FG_LIB" FORKGUARD_LOG="$L/existing.log" "$T/host" findclass
check "hostile: existing FORKGUARD_LOG appended to, never truncated" \
  "expected the old first line, then two reports: $(head -c 200 "$L/existing.log" | tr '\n' '|')" \
  eval '[ "$(head -1 "$L/existing.log")" = "line one, written before" ] &&
        [ "$(count "$L/existing.log" "$first_line")" = 2 ] && ! grep -q forkguard "$ERR"'

# Secure execution: a setuid-root probe run by nobody gets AT_SECURE, and
# ld.so then preloads only setuid libraries from its standard directories.
# Both are installed only inside a private mount namespace (secure_ns.sh: an
# overlay on the library directory, its writes in a tmpfs), so the machine
# never holds a setuid-root forkguard, not even while the suite runs, and a
# SIGKILL cannot leave one behind; the probe lives there too, on a path every
# user can search wherever the checkout is.
secure_setup() {
  [ "$(id -u)" = 0 ] || { echo "note: hostile: secure execution needs root; skipped"; return 1; }
  id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null ||
    { echo "note: hostile: no nobody user or setpriv; secure execution skipped"; return 1; }
  unshare --mount true 2>/dev/null ||
    { echo "note: hostile: no private mount namespace (unshare --mount needs CAP_SYS_ADMIN); secure execution skipped"; return 1; }
  LIBDIR=/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
  S=$T/suid
  rm -rf "$S" && mkdir -p "$S/logs" "$S/scratch" && chmod 755 "$S" "$S/logs"
  SECURE_NS=("$HERE/secure_ns.sh" "$FG_LIB" "$T/probe" "$S/scratch")
  SECLIB=libfgsecure-test.so
  PROBE=$LIBDIR/fgsecure-test/probe
  bounded 30 "${SECURE_NS[@]}" true
  [ "$RC" = 0 ] || { fail "hostile: secure execution" "secure_ns.sh: $(head -c 300 "$ERR" | tr '\n' '|')"; return 1; }
  mkdir -p "$S/m/src/fgtest" "$S/m/classes"
  echo 'package fgtest; public class Marker {}' >"$S/m/src/fgtest/Marker.java"
  "$JH/bin/javac" --release 8 -nowarn -d "$S/m/classes" "$S/m/src/fgtest/Marker.java" 2>/dev/null &&
    "$JH/bin/jar" cf "$S/m/marker.jar" -C "$S/m/classes" fgtest ||
    { fail "hostile: secure execution" "could not build the marker JAR"; return 1; }
}
if secure_setup; then
  AS_NOBODY=(setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups)
  # Here because nobody must be able to read the library: the checkout may be
  # where only root can enter (/root); the namespace's copy is in $LIBDIR.
  mkdir -p "$L/rootonly" && chmod 755 "$L/rootonly"
  bounded 10 "${SECURE_NS[@]}" "${AS_NOBODY[@]}" \
    env LD_PRELOAD="$SECLIB" FORKGUARD_LOG="$L/rootonly/fg.log" /bin/true
  check "hostile: FORKGUARD_LOG in a root-owned directory, as nobody: one clear line, stderr used" \
    "expected 'cannot open: Permission denied; using stderr' (exit $RC)" \
    eval '[ "$RC" = 0 ] && one_line LOG && has "$ERR" ": cannot open: Permission denied; using stderr$" && [ ! -e "$L/rootonly/fg.log" ]'

  # FORKGUARD_MODE=bogus: a record at load, which is what opens (creates) a log.
  bounded 60 "${SECURE_NS[@]}" "${AS_NOBODY[@]}" env LD_PRELOAD="$SECLIB" FORKGUARD_MODE=bogus FORKGUARD_LOG="$S/logs/secure.log" "$PROBE"
  check "hostile: setuid probe run by nobody has AT_SECURE and forkguard loaded" \
    "expected 'secure=1 ... forkguard=<version>'" has "$OUT" '^probe: secure=1 .* forkguard=[0-9]'
  check "hostile: secure execution: FORKGUARD_LOG path not opened (file not created)" \
    "$S/logs/secure.log exists, or the probe did not run securely" \
    eval 'has "$OUT" "^probe: secure=1 " && [ ! -e "$S/logs/secure.log" ]'
  bounded 60 "${SECURE_NS[@]}" env LD_PRELOAD="$SECLIB" FORKGUARD_MODE=bogus FORKGUARD_LOG="$S/logs/control.log" "$PROBE"
  check "hostile: control: the same probe run by root (not secure) opens FORKGUARD_LOG" \
    "expected secure=0 and $S/logs/control.log created" \
    eval 'has "$OUT" "^probe: secure=0 .* forkguard=[0-9]" && [ -e "$S/logs/control.log" ]'

  cp_env=(FORKGUARD_CLASSPATH="$S/m/marker.jar" FORKGUARD_CLASSPATH_MODE=system)
  bounded 120 "${SECURE_NS[@]}" "${AS_NOBODY[@]}" env LD_PRELOAD="$SECLIB" "${cp_env[@]}" "$PROBE" jvm
  check "hostile: secure execution: FORKGUARD_CLASSPATH not injected (fgtest.Marker not visible)" \
    "expected 'secure=1 ... marker=0'" has "$OUT" '^probe: secure=1 .* marker=0$'
  bounded 120 "${SECURE_NS[@]}" env LD_PRELOAD="$SECLIB" "${cp_env[@]}" "$PROBE" jvm
  check "hostile: control: not secure, FORKGUARD_CLASSPATH_MODE=system makes fgtest.Marker visible" \
    "expected 'secure=0 ... marker=1' (is the injection implemented?)" has "$OUT" '^probe: secure=0 .* marker=1$'

  # The machine's library directory never holds the setuid library: not while
  # a namespace that has it is alive, not after that namespace is SIGKILLed.
  mkfifo "$S/ready"
  "${SECURE_NS[@]}" sh -c 'test -u "$1" && echo installed >"$2"; exec sleep 120' sh \
    "$LIBDIR/$SECLIB" "$S/ready" >/dev/null 2>&1 &
  holder=$!
  ready=$(timeout 30 cat "$S/ready")
  present=$(ls -d "$LIBDIR/$SECLIB" "$LIBDIR/fgsecure-test" 2>/dev/null | tr '\n' ' ')
  kill -KILL "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
  after=$(ls -d "$LIBDIR"/*fgsecure* 2>/dev/null | tr '\n' ' ')
  TIMED_OUT=0
  check "hostile: secure execution: the setuid library exists only inside its namespace, none left after SIGKILL" \
    "inside: '$ready' (expected 'installed'); in $LIBDIR while it ran: '$present', after SIGKILL: '$after' (expected nothing)" \
    eval '[ "$ready" = installed ] && [ -z "$present" ] && [ -z "$after" ]'
fi
finish
