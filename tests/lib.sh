# Shared helpers for test scripts: source it, then call check_* functions.
# Every check prints one "PASS: name" or "FAIL: name: why" line; tests/run_all.sh
# counts them. Every command that could hang runs under `bounded`.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
B=$ROOT/build
FG_LIB=$B/libforkguard.so
FAILURES=0
FG_TMP=$(mktemp -d "${TMPDIR:-/tmp}/fgtest.XXXXXX")   # removed by finish
FG_RUN=0
JDK17=/usr/lib/jvm/java-17-openjdk-amd64
JDK25=/usr/lib/jvm/temurin-25-jdk-amd64
# The JDK whose headers the library is built with (build.sh decides).
JDK_BUILD=$("$ROOT/build.sh" java-home)
export PYTHON=/usr/bin/python3   # Debian's, where python3-jpype lives

# JDK homes to test on: 17 always, 25 when present.
jdks() {
  echo "$JDK17"
  [ -x "$JDK25/bin/java" ] && echo "$JDK25"
  return 0
}
jdk_name() { case "$1" in *temurin-25*) echo 25 ;; *) echo 17 ;; esac; }

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; FAILURES=$((FAILURES + 1)); }

# bounded SECONDS CMD...: runs CMD with stdout in $OUT, stderr in $ERR, exit
# status in $RC; a run past SECONDS is killed and sets TIMED_OUT=1 (RC 124/137).
bounded() {
  local secs=$1; shift
  FG_RUN=$((FG_RUN + 1))
  OUT=$FG_TMP/out.$FG_RUN; ERR=$FG_TMP/err.$FG_RUN
  TIMED_OUT=0
  timeout -k 5 "$secs" "$@" >"$OUT" 2>"$ERR" </dev/null && RC=0 || RC=$?
  if [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ]; then TIMED_OUT=1; fi
}

# check NAME CONDITION-DESCRIPTION TEST-COMMAND...: PASS when the command
# succeeds; a timed-out bounded run always fails with a message.
check() {
  local name=$1 why=$2; shift 2
  if [ "${TIMED_OUT:-0}" = 1 ]; then
    fail "$name" "timed out (hang) — stdout: $(head -c 300 "$OUT" | tr '\n' '|') stderr: $(head -c 300 "$ERR" | tr '\n' '|')"
  elif "$@"; then
    pass "$name"
  else
    fail "$name" "$why — stdout: $(head -c 400 "$OUT" | tr '\n' '|') stderr: $(head -c 600 "$ERR" | tr '\n' '|')"
  fi
}

has() { grep -qE -- "$2" "$1"; }
hasnt() { ! grep -qE -- "$2" "$1"; }
count() { grep -cE -- "$2" "$1" || true; }

finish() { rm -rf "$FG_TMP"; [ "$FAILURES" -eq 0 ]; }
