#!/usr/bin/env bash
# Ordinary programs with no JVM (and java itself, which owns one but only
# spawns exec'd children) must not notice forkguard: byte-identical stdout,
# stderr and exit status with and without LD_PRELOAD, and no forkguard output.
# Nothing is normalised: no scenario prints PIDs or times (git's dates are
# pinned, so even its commit hashes are stable), and each run starts from a
# fresh copy of its working directory.
set -u
. "$(dirname "$0")/../../lib.sh"
HERE=$ROOT/tests/hosts/bystanders
W=$B/bystanders
rm -rf "$W" && mkdir -p "$W"

# compare NAME EXPECTED-RC SECONDS CMD...: runs CMD in a fresh $W/run (a copy
# of $W/seed) without forkguard, then again with it.
compare() {
  local name=$1 want=$2 secs=$3; shift 3
  rm -rf "$W/run" && cp -a "$W/seed" "$W/run"
  bounded "$secs" env -C "$W/run" "$@"
  local bout=$OUT berr=$ERR brc=$RC
  check "bystanders: $name runs as expected without forkguard" "exit $brc, expected $want" \
    [ "$brc" = "$want" ]
  rm -rf "$W/run" && cp -a "$W/seed" "$W/run"
  bounded "$secs" env -C "$W/run" LD_PRELOAD="$FG_LIB" "$@"
  check "bystanders: $name under forkguard: identical stdout, stderr and status" \
    "exit $RC (was $brc); stdout diff: $(diff "$bout" "$OUT" | head -c 300 | tr '\n' '|'); stderr diff: $(diff "$berr" "$ERR" | head -c 300 | tr '\n' '|')" \
    eval '[ "$RC" = "$brc" ] && cmp -s "$bout" "$OUT" && cmp -s "$berr" "$ERR" && hasnt "$ERR" forkguard'
}

# The working tree every scenario starts from.
S=$W/seed
mkdir -p "$S/tree/sub"
printf 'one\ntwo\n' > "$S/tree/a.txt"; printf 'three\n' > "$S/tree/sub/b.txt"
printf 'all: out.txt\n\t@echo made\nout.txt: in.txt\n\tsort in.txt > out.txt\n\tcat out.txt\n' > "$S/Makefile"
printf 'pear\napple\nfig\n' > "$S/in.txt"
printf '#include <stdio.h>\nint main(void) { puts("hello, world"); return 0; }\n' > "$S/hello.c"
cp "$HERE/procs.py" "$HERE/Spawn.java" "$S/"

if gcc -O2 -Wall -Werror "$HERE/forks.c" -o "$W/forks" -lpthread 2>"$W/forks.log"; then
  pass "bystanders: build forks.c"
else
  fail "bystanders: build forks.c" "$(head -c 400 "$W/forks.log" | tr '\n' '|')"
fi

# forkguard must really be loaded, or every comparison below proves nothing.
bounded 30 env LD_PRELOAD="$FG_LIB" "$PYTHON" -c 'import ctypes; print(ctypes.CDLL(None).forkguard_jvm_owner())'
check "bystanders: the preload is active (forkguard_jvm_owner() is 0 with no JVM)" "not loaded?" \
  eval '[ "$RC" = 0 ] && [ "$(cat "$OUT")" = 0 ]'

compare "sh pipeline" 0 30 sh -c 'printf "b\na\nc\n" | sort | tr a-z A-Z; echo done >&2'
compare "bash subshell and \$(...)" 0 30 bash -c \
  'x=$(echo inner; (echo sub; exit 4); echo "sub status $?"); echo "$x"; (cd tree && ls); wait'
compare "exit status 3" 3 30 sh -c 'echo out; echo err >&2; exit 3'
compare "make" 0 60 make --no-print-directory
compare "gcc hello world" 0 120 sh -c 'gcc -O2 -o hello hello.c && ./hello'
compare "python3 subprocess, Pool(fork), Process, os.fork" 2 120 "$PYTHON" procs.py
compare "perl fork and map" 5 30 perl -e \
  'my $p = fork; exit 5 if !$p && defined $p; waitpid($p, 0); print $? >> 8, "\n"; print join(",", map { $_ * 2 } 1..5), "\n"; exit 5'
# A throwaway HOME keeps the user's git configuration out.
compare "git init, add, commit, log" 0 60 env HOME="$W/run" GIT_AUTHOR_DATE=@1700000000+0000 \
  GIT_COMMITTER_DATE=@1700000000+0000 sh -c \
  'git -c init.defaultBranch=main init -q repo && cd repo &&
   git config user.name Test && git config user.email test@example.com &&
   echo hi > f && git add f && git commit -q -m first && git log --format="%H %an %s" && git status --short'
compare "tar c | tar t" 0 30 sh -c 'tar -C tree -cf - . | tar -tf - | sort'
compare "sort | uniq -c" 0 30 sh -c 'printf "x\ny\nx\nz\nx\n" | sort | uniq -c | sort -rn'
compare "xargs -P 4" 0 30 sh -c 'seq 1 40 | xargs -P 4 -n 1 sh -c "echo \$((\$0 * \$0))" | sort -n | tail -3'
compare "java -version" 0 60 java -version
compare "java ProcessBuilder children" 3 120 java Spawn.java
# The other launch mechanisms: a JVM owner that fork()s (or vforks) then execs.
compare "java ProcessBuilder children, launchMechanism=FORK" 3 120 \
  java -Djdk.lang.Process.launchMechanism=FORK Spawn.java
compare "java ProcessBuilder children, launchMechanism=VFORK" 3 120 \
  java -Djdk.lang.Process.launchMechanism=VFORK Spawn.java
if [ -x "$W/forks" ]; then
  compare "C: 200 forks with distinct exit codes" 0 60 "$W/forks" many
  compare "C: forks from 4 threads at once" 0 60 "$W/forks" threads
  compare "C: vfork+exec and posix_spawn" 0 30 "$W/forks" spawn
fi

# --- What is loaded: a program without a JVM maps the stub only, also with a
# good FORKGUARD_LOG (the stub checks it itself); a bad value loads the core
# at start-up, to say so; a JVM loads it at creation, even after the host
# left the directory a relative LD_PRELOAD was found in.
CORE_RE='/libforkguard-core\.so$'
bounded 10 env LD_PRELOAD="$FG_LIB" cat /proc/self/maps
check "bystanders: a program without a JVM maps the stub, not the core" "core mapped, or stub missing" \
  eval 'has "$OUT" "/libforkguard\.so$" && hasnt "$OUT" "$CORE_RE"'
bounded 10 env LD_PRELOAD="$FG_LIB" FORKGUARD_LOG="$W/maps.log" FORKGUARD_MODE=warn cat /proc/self/maps
check "bystanders: good FORKGUARD_LOG and MODE: still only the stub, no log file, nothing said" \
  "core mapped, $W/maps.log created or stderr not empty" \
  eval 'hasnt "$OUT" "$CORE_RE" && [ ! -e "$W/maps.log" ] && [ ! -s "$ERR" ]'
bounded 10 env LD_PRELOAD="$FG_LIB" FORKGUARD_MODE=bogus cat /proc/self/maps
check "bystanders: a bad value loads the core at start-up and is said in one line" \
  "expected the core mapped and one 'FORKGUARD_MODE=bogus' line" \
  eval 'has "$OUT" "$CORE_RE" && [ "$(grep -c "^forkguard: FORKGUARD_MODE=bogus" "$ERR")" = 1 ]'
if /usr/bin/python3 -c 'import jpype' 2>/dev/null; then
  # shellcheck disable=SC2016
  mkdir -p "$W/rel" && cp "$FG_LIB" "$(dirname "$FG_LIB")/libforkguard-core.so" "$W/rel/"
  bounded 120 env -C "$W/rel" LD_PRELOAD=./libforkguard.so JAVA_HOME="$JDK17" \
    /usr/bin/python3 -c '
import ctypes, os, jpype
os.chdir("/")
fg = ctypes.CDLL(None)
print("owner before", fg.forkguard_jvm_owner())
jpype.startJVM(classpath=["/usr/share/java/org.jpype.jar"])
print("owner is me", fg.forkguard_jvm_owner() == os.getpid())
print("core", any(l.rstrip().endswith("/libforkguard-core.so") for l in open("/proc/self/maps")))
'
  check "bystanders: relative LD_PRELOAD, host changed directory: the core loads at JVM creation" \
    "expected 'owner before 0', 'owner is me True', 'core True' and an empty stderr" \
    eval 'has "$OUT" "^owner before 0$" && has "$OUT" "^owner is me True$" && has "$OUT" "^core True$" && [ ! -s "$ERR" ]'
fi

finish
