#!/usr/bin/env bash
# The forkguard command (build/forkguard, cli/): options and their variables,
# LD_PRELOAD composition, errors and exit statuses, the demo, `./build.sh
# install` with PREFIX/DESTDIR, and a real JPype host run through it.
set -u
source "$(dirname "$0")/../../lib.sh"
FG=$B/forkguard
LIB_REAL=$(readlink -f "$FG_LIB")
LIBM=/lib/x86_64-linux-gnu/libm.so.6   # harmless to preload, always there
T=$(readlink -f "$(mktemp -d)")   # real: /proc/self/exe paths are
trap 'rm -rf "$T"' EXIT

if [ ! -x "$FG" ] || [ ! -x "$B/demo-host" ]; then
  fail "wrapper: $FG and $B/demo-host exist" "not built (run ./build.sh)"
  finish; exit
fi

# one_line FILE: exactly one line, starting "forkguard: ".
one_line() { [ "$(wc -l <"$1")" = 1 ] && grep -q '^forkguard: ' "$1"; }
# usage_error FILE-PATTERN: exit 2, nothing on stdout, one line matching it.
usage_error() { [ "$RC" = 2 ] && [ ! -s "$OUT" ] && one_line "$ERR" && has "$ERR" "$1"; }
# exec_error STATUS LINE: exit STATUS, stderr exactly LINE.
exec_error() { [ "$RC" = "$1" ] && [ "$(cat "$ERR")" = "$2" ]; }

# --- help, version, usage errors at the top level
bounded 10 "$FG" --help
check "wrapper: --help prints usage on stdout, exit 0" "rc 0, usage on stdout, stderr empty" \
  bash -c "[ $RC = 0 ] && grep -q '^usage: forkguard run' '$OUT' && [ ! -s '$ERR' ]"
bounded 10 "$FG" --version
version=$(sed -n 's/^#define FG_VERSION "\(.*\)"$/\1/p' "$ROOT/preload/messages.h")
check "wrapper: --version prints 'forkguard $version'" "rc 0 and exactly that line" \
  bash -c "[ $RC = 0 ] && [ \"\$(cat '$OUT')\" = 'forkguard $version' ]"
bounded 10 "$FG"
check "wrapper: no arguments: usage on stderr, exit 2" "rc 2, usage on stderr, stdout empty" \
  bash -c "[ $RC = 2 ] && [ ! -s '$OUT' ] && grep -q '^usage: forkguard run' '$ERR'"
bounded 10 "$FG" frobnicate
check "wrapper: unknown subcommand: one line, exit 2" "names 'frobnicate'" \
  usage_error "unknown command 'frobnicate'"
bounded 10 "$FG" --frobnicate
check "wrapper: unknown top-level option: one line, exit 2" "names '--frobnicate'" \
  usage_error "unknown option '--frobnicate'"
bounded 10 "$FG" run --frobnicate -- true
check "wrapper: unknown run option: one line, exit 2" "names '--frobnicate'" \
  usage_error "unknown option '--frobnicate'"
bounded 10 "$FG" run --help
check "wrapper: run --help prints usage, exit 0" "rc 0, usage on stdout" \
  bash -c "[ $RC = 0 ] && grep -q '^usage: forkguard run' '$OUT'"

# --- LD_PRELOAD
bounded 10 env -u LD_PRELOAD "$FG" run -- sh -c 'echo "$LD_PRELOAD"'
check "wrapper: LD_PRELOAD is the library's real path" "expected exactly $LIB_REAL" \
  bash -c "[ $RC = 0 ] && [ \"\$(cat '$OUT')\" = '$LIB_REAL' ]"
bounded 10 env LD_PRELOAD="$LIBM" "$FG" run sh -c 'echo "$LD_PRELOAD"'
check "wrapper: an existing LD_PRELOAD is kept, the library first (no --)" \
  "expected $LIB_REAL:$LIBM" bash -c "[ \"\$(cat '$OUT')\" = '$LIB_REAL:$LIBM' ]"
bounded 10 env LD_PRELOAD="$LIBM" "$FG" run "$FG" run -- "$FG" run sh -c 'echo "$LD_PRELOAD"'
check "wrapper: run through itself twice: the library once" "expected $LIB_REAL:$LIBM" \
  bash -c "[ \"\$(cat '$OUT')\" = '$LIB_REAL:$LIBM' ]"
ln -s "$FG_LIB" "$T/alias.so"
bounded 10 env LD_PRELOAD="$LIBM $T/alias.so" "$FG" run sh -c 'echo "$LD_PRELOAD"'
check "wrapper: already preloaded under another path (symlink): not added" \
  "expected the LD_PRELOAD unchanged" bash -c "[ \"\$(cat '$OUT')\" = '$LIBM $T/alias.so' ]"

# --- each option sets its variable, in both spellings; arguments after CMD are CMD's
bounded 10 env -u FORKGUARD_MODE -u FORKGUARD_LOG -u FORKGUARD_FORMAT -u FORKGUARD_CLASSPATH \
  -u FORKGUARD_DRIVERS "$FG" run --mode warn --log "$T/fg.log" --format json \
  --classpath /a.jar:/dir --drivers org.x.Driver,org.y.Driver -- env
for kv in mode:FORKGUARD_MODE=warn "log:FORKGUARD_LOG=$T/fg.log" format:FORKGUARD_FORMAT=json \
          classpath:FORKGUARD_CLASSPATH=/a.jar:/dir \
          drivers:FORKGUARD_DRIVERS=org.x.Driver,org.y.Driver; do
  check "wrapper: --${kv%%:*} sets ${kv#*:}" "expected the line ${kv#*:} in env" \
    grep -qxF -- "${kv#*:}" "$OUT"
done
bounded 10 env -u FORKGUARD_MODE -u FORKGUARD_LOG -u FORKGUARD_FORMAT -u FORKGUARD_CLASSPATH \
  -u FORKGUARD_DRIVERS "$FG" run --mode=off --log=stderr --format=text --classpath=/b.jar \
  --drivers=org.z.Driver env
check "wrapper: --opt=value forms set the variables" "all five variables set" \
  bash -c "grep -qx FORKGUARD_MODE=off '$OUT' && grep -qx FORKGUARD_LOG=stderr '$OUT' && grep -qx FORKGUARD_FORMAT=text '$OUT' && grep -qx FORKGUARD_CLASSPATH=/b.jar '$OUT' && grep -qx FORKGUARD_DRIVERS=org.z.Driver '$OUT'"
bounded 10 env -u FORKGUARD_MODE FORKGUARD_ON_FORK=warn "$FG" run env
check "wrapper: no option, no variable; the user's own variables pass through" \
  "no FORKGUARD_MODE, FORKGUARD_ON_FORK=warn kept" \
  bash -c "! grep -q '^FORKGUARD_MODE=' '$OUT' && grep -qx FORKGUARD_ON_FORK=warn '$OUT'"
bounded 10 "$FG" run -- sh -c 'echo "$1 $2"' sh --mode bogus
check "wrapper: options after CMD belong to CMD" "expected '--mode bogus' printed, rc 0" \
  bash -c "[ $RC = 0 ] && [ \"\$(cat '$OUT')\" = '--mode bogus' ]"

# --- --log: made absolute and created by the command, so that every process
# writes to the one file and `forkguard report` finds it even when nothing
# was reported (the library creates it only with the first record).
mkdir -p "$T/cwd/sub"
bounded 10 env -C "$T/cwd" -u FORKGUARD_LOG "$FG" run --log rel.log -- sh -c 'cd sub && echo "$FORKGUARD_LOG"'
check "wrapper: --log with a relative path: FORKGUARD_LOG is absolute, the file created empty, 0600" \
  "expected $T/cwd/rel.log, an empty -rw------- file" \
  bash -c "[ $RC = 0 ] && [ \"\$(cat '$OUT')\" = '$T/cwd/rel.log' ] && [ -f '$T/cwd/rel.log' ] &&
           [ ! -s '$T/cwd/rel.log' ] && [ \"\$(stat -c %A '$T/cwd/rel.log')\" = -rw------- ] && [ ! -e '$T/cwd/sub/rel.log' ]"
bounded 10 "$FG" report "$T/cwd/rel.log"
check "wrapper: report on the log of a run that reported nothing: exit 0" "rc 0, 0 records" \
  bash -c "[ $RC = 0 ] && grep -q ': 0 records (0 JNI uses in forked children)\$' '$OUT'"
mkdir -p "$T/cwd/target" && ln -s target "$T/cwd/lnk"
bounded 10 env -C "$T/cwd" "$FG" run --log lnk/x.log -- true
check "wrapper: --log through a symlinked directory: not created; the library's one line says why" \
  "expected no $T/cwd/target/x.log and 'lnk is a symbolic link'" \
  bash -c "[ $RC = 0 ] && [ ! -e '$T/cwd/target/x.log' ] &&
           grep -qx 'forkguard: FORKGUARD_LOG=$T/cwd/lnk/x.log: cannot open: $T/cwd/lnk is a symbolic link; using stderr' '$ERR'"
bounded 10 env -u FORKGUARD_LOG "$FG" run --log stderr -- sh -c 'echo "$FORKGUARD_LOG"'
check "wrapper: --log stderr stays stderr" "expected 'stderr'" \
  bash -c "[ $RC = 0 ] && [ \"\$(cat '$OUT')\" = stderr ] && [ ! -e stderr ]"

# --- bad and missing values
bounded 10 "$FG" run --mode bogus -- true
check "wrapper: bad --mode: one line naming it and the choices, exit 2" \
  "expected 'bogus' and 'block, warn or off'" usage_error "'bogus'.*block, warn or off"
bounded 10 "$FG" run --format=xml -- true
check "wrapper: bad --format: one line naming it and the choices, exit 2" \
  "expected 'xml' and 'text or json'" usage_error "'xml'.*text or json"
bounded 10 "$FG" run --log
check "wrapper: --log without a value: one line, exit 2" "expected 'option --log needs a value'" \
  usage_error "option --log needs a value"
bounded 10 "$FG" run --mode -- true
check "wrapper: --mode followed by --: missing value, exit 2" "expected 'option --mode needs a value'" \
  usage_error "option --mode needs a value"
bounded 10 "$FG" run --classpath= true
check "wrapper: --classpath= (empty): missing value, exit 2" "expected 'needs a value'" \
  usage_error "option --classpath needs a value"
bounded 10 "$FG" run --mode warn --
check "wrapper: 'run --' with nothing after: error, exit 2" "expected 'missing command after --'" \
  usage_error "missing command after --"

# --- commands that cannot run; exit status propagation
bounded 10 "$FG" run -- forkguard-no-such-command arg
check "wrapper: unknown command: exit 127 and one line" \
  "expected rc 127 and cannot run 'forkguard-no-such-command': No such file or directory" \
  exec_error 127 "forkguard: cannot run 'forkguard-no-such-command': No such file or directory"
printf '#!/bin/sh\necho hi\n' >"$T/noexec.sh"; chmod 0644 "$T/noexec.sh"
bounded 10 "$FG" run "$T/noexec.sh"
check "wrapper: command without execute permission: exit 126" \
  "expected rc 126 and 'Permission denied'" \
  exec_error 126 "forkguard: cannot run '$T/noexec.sh': Permission denied"
bounded 10 "$FG" run -- sh -c 'exit 7'
check "wrapper: exit status is the command's (7)" "expected rc 7" test "$RC" = 7
# Through a shell that prints the status, so the suite's own shell does not
# announce "Terminated".
bounded 10 bash -c '"$1" run -- sh -c "kill -TERM \$\$"; echo "status $?"' bash "$FG"
check "wrapper: a command killed by a signal is seen as such (exec, no middleman)" \
  "expected status 143 (SIGTERM)" grep -qx 'status 143' "$OUT"

# --- the demo
bounded 60 "$FG" run
check "wrapper: 'run' alone runs the demo under forkguard" \
  "expected the FindClass report and the child stopped by SIGABRT" \
  bash -c "grep -qE '^forkguard: JNI call FindClass in pid [0-9]+' '$ERR' && grep -q 'stopped by signal 6' '$OUT' && grep -q 'parent still uses Java' '$OUT'"
bounded 60 "$FG" run --mode warn --format json
check "wrapper: options apply to the demo too (warn, json)" \
  "expected a JSON record with mode warn, the child not aborted" \
  bash -c "grep -q '\"event\":\"jni_in_child\"' '$ERR' && grep -q '\"mode\":\"warn\"' '$ERR' && grep -q 'exited with 0' '$OUT'"

# --- the library or the demo host missing: one line naming both paths tried
mkdir -p "$T/lonely"; cp "$FG" "$T/lonely/forkguard"
bounded 10 "$T/lonely/forkguard" run true
MA=$(gcc -print-multiarch)
check "wrapper: no library beside it: one line naming the paths tried, exit 2" \
  "expected $T/lonely/libforkguard.so, $T/lib/forkguard/libforkguard.so and $T/lib/$MA/libforkguard.so" \
  usage_error "libforkguard.so not found; tried $T/lonely/libforkguard.so, $T/lib/forkguard/libforkguard.so and $T/lib/$MA/libforkguard.so"

cp "$FG_LIB" "$T/lonely/"
bounded 10 "$T/lonely/forkguard" run
check "wrapper: no demo host beside it: 'run' alone names the paths tried, exit 2" \
  "expected $T/lonely/demo-host, $T/lib/forkguard/demo-host and $T/lib/$MA/demo-host" \
  usage_error "demo-host not found; tried $T/lonely/demo-host, $T/lib/forkguard/demo-host and $T/lib/$MA/demo-host"
bounded 10 "$T/lonely/forkguard" run -- sh -c 'echo "$LD_PRELOAD"'
check "wrapper: a copied wrapper uses the library beside it" "expected $T/lonely/libforkguard.so" \
  bash -c "[ \"\$(cat '$OUT')\" = '$T/lonely/libforkguard.so' ]"
# Copied without its core: a program that starts no JVM notices nothing; one
# that does runs unguarded, told so in one line naming the missing file.
bounded 10 "$T/lonely/forkguard" run -- sh -c 'echo plain'
check "wrapper: the library without its core: a program without a JVM runs as without forkguard" \
  "expected 'plain' and an empty stderr" bash -c "[ \"\$(cat '$OUT')\" = plain ] && [ ! -s '$ERR' ]"
bounded 60 "$T/lonely/forkguard" run -- "$JDK17/bin/java" -version
check "wrapper: the library without its core: java -version works, one line names the missing core" \
  "expected exit 0, the version, and 'forkguard: cannot load $T/lonely/libforkguard-core.so: ...; the JVM of this process is not guarded'" \
  bash -c "[ $RC = 0 ] && grep -q 'version \"17' '$ERR' &&
           [ \$(grep -c '^forkguard: ' '$ERR') = 1 ] &&
           grep -q '^forkguard: cannot load $T/lonely/libforkguard-core.so: .*; the JVM of this process is not guarded\$' '$ERR'"

# --- ./build.sh install with PREFIX and DESTDIR
D=$T/destdir
bounded 300 env DESTDIR="$D" PREFIX=/opt/fg "$ROOT/build.sh" install
check "wrapper: ./build.sh install (DESTDIR, PREFIX=/opt/fg) succeeds" "rc 0" test "$RC" = 0
for f in bin/forkguard lib/forkguard/libforkguard.so lib/forkguard/libforkguard-core.so lib/forkguard/demo-host \
         include/forkguard.h; do
  check "wrapper: install puts $f under DESTDIR/opt/fg" "missing $D/opt/fg/$f" test -s "$D/opt/fg/$f"
done
check "wrapper: installed bin/forkguard and demo-host are executable" "not executable" \
  test -x "$D/opt/fg/bin/forkguard" -a -x "$D/opt/fg/lib/forkguard/demo-host"
IFG=$D/opt/fg/bin/forkguard
bounded 10 env -u LD_PRELOAD "$IFG" run -- sh -c 'echo "$LD_PRELOAD"'
check "wrapper: installed wrapper preloads the installed library" \
  "expected $D/opt/fg/lib/forkguard/libforkguard.so" \
  bash -c "[ \"\$(cat '$OUT')\" = '$D/opt/fg/lib/forkguard/libforkguard.so' ]"
bounded 10 "$IFG" run --mode warn -- sh -c 'echo "$FORKGUARD_MODE"; exit 3'
check "wrapper: installed wrapper runs a command (variables, exit status)" "expected warn and rc 3" \
  bash -c "[ $RC = 3 ] && [ \"\$(cat '$OUT')\" = warn ]"
bounded 60 "$IFG" run
check "wrapper: installed wrapper runs the installed demo, with a report" \
  "expected the FindClass report and the installed demo-host in the backtrace" \
  bash -c "grep -qE '^forkguard: JNI call FindClass in pid [0-9]+' '$ERR' && grep -q '$D/opt/fg/lib/forkguard/demo-host' '$ERR'"
ln -s "$IFG" "$T/fg-link"
bounded 10 env -u LD_PRELOAD "$T/fg-link" run -- sh -c 'echo "$LD_PRELOAD"'
check "wrapper: installed wrapper found through a symlink still finds its library" \
  "expected $D/opt/fg/lib/forkguard/libforkguard.so" \
  bash -c "[ \"\$(cat '$OUT')\" = '$D/opt/fg/lib/forkguard/libforkguard.so' ]"

# --- a real JVM host through the wrapper: Debian's JPype
JP=$ROOT/tests/hosts/jpype/child_uses_java.py
bounded 90 env JAVA_HOME="$JDK17" "$FG" run --mode warn -- "$PYTHON" "$JP"
check "wrapper: jpype under 'run --mode warn': reports pass through" \
  "expected 'action:  passed through' and the parent still working" \
  bash -c "grep -qE '^forkguard: JNI call [A-Za-z]+ in pid [0-9]+' '$ERR' && grep -q '^  action:  passed through' '$ERR' && grep -q '^parent: works True' '$OUT'"
bounded 90 env JAVA_HOME="$JDK17" "$FG" run -- "$PYTHON" "$JP"
check "wrapper: jpype under 'run' (block): the child gets JPype's exception, not a hang" \
  "expected jpype.JVMNotRunning with forkguard's message, child status 3, the refusal report, parent working" \
  bash -c "grep -q '^child: exception JVMNotRunning: Java is not usable in this process' '$OUT' && grep -q '^child: status 3' '$OUT' && grep -q '^  action:  refused' '$ERR' && grep -q '^parent: works True' '$OUT'"

finish
