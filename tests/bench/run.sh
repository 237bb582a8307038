#!/usr/bin/env bash
# ./build.sh bench: forkguard's cost against the same work without it.
# Builds the helpers into build/bench/, then tests/bench/bench.py measures and
# prints the machine, a table and one "bench: NAME VALUE UNIT" line per figure.
# Timings are never asserted: non-zero exit only when something failed to run.
# BENCH_QUICK=1 runs far fewer iterations (for editing, not for numbers).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/tests/bench
B=$ROOT/build
OUT=$B/bench
JDK17=/usr/lib/jvm/java-17-openjdk-amd64
JDK25=/usr/lib/jvm/temurin-25-jdk-amd64
PYTHON=/usr/bin/python3

die() { echo "tests/bench/run.sh: $*" >&2; exit 1; }
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# What the benchmark needs beyond the build: callgrind (valgrind, which also
# ships valgrind/callgrind.h; libc6-dbg names ld.so's functions in its
# profiles), strace and perf (the child's system calls and page faults),
# JPype, and JDBC driver jars for the classpath and injection rows. Installed
# when running as root; otherwise the affected rows fail to run.
missing=()
for p in valgrind libc6-dbg strace linux-perf python3-jpype libh2-java libhsqldb-java \
         libpostgresql-jdbc-java; do have_pkg "$p" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "tests/bench/run.sh: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null || true
    apt-get install -y -q "${missing[@]}" >/dev/null || echo "tests/bench/run.sh: could not install ${missing[*]}" >&2
  else
    echo "tests/bench/run.sh: missing packages: ${missing[*]} (run as root to install them)" >&2
  fi
fi

[ -f "$B/libforkguard.so" ] || die "$B/libforkguard.so missing: run ./build.sh bench"
[ -x "$PYTHON" ] || die "$PYTHON missing"
[ -x "$JDK17/bin/javac" ] || die "JDK 17 missing at $JDK17"

rm -rf "$OUT"
mkdir -p "$OUT"
# A private copy: the numbers belong to this one build, even if build/ is
# rebuilt while the benchmark runs.
cp "$B"/libforkguard*.so "$OUT/" # with any part the library loads from its own directory

jdk_args=(--jdk "17=$JDK17")
[ -x "$JDK25/bin/java" ] && jdk_args+=(--jdk "25=$JDK25")

cflags=(-std=gnu11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror)
[ -f /usr/include/valgrind/callgrind.h ] && cflags+=(-DHAVE_CALLGRIND)

"$JDK17/bin/javac" --release 8 -d "$OUT" "$HERE/FgBench.java" || die "javac FgBench.java failed"
for spec in "${jdk_args[@]}"; do
  [ "$spec" = --jdk ] && continue
  name=${spec%%=*} jh=${spec#*=}
  # -z now: a child binds nothing lazily, so what it does after fork()
  # (faults, lookups through the preloaded library) is the same in every
  # variant.
  gcc "${cflags[@]}" -I"$jh/include" -I"$jh/include/linux" "$HERE/jvmhost.c" -o "$OUT/jvmhost-$name" \
      -L"$jh/lib/server" -Wl,-rpath,"$jh/lib/server" -Wl,-z,now -ljvm || die "building jvmhost-$name failed"
done
gcc "${cflags[@]}" "$HERE/spawnbench.c" -o "$OUT/spawnbench" || die "building spawnbench failed"
gcc "${cflags[@]}" "$HERE/dlsymbench.c" -o "$OUT/dlsymbench" -ldl || die "building dlsymbench failed"
# The floor of start-up: a preloaded library that does nothing, built the
# ordinary way (no special link options).
gcc -O2 -fPIC -shared "$HERE/empty.c" -o "$OUT/libempty.so" || die "building libempty.so failed"
# The floor of the injection rows: a JVMTI agent that only appends JARs.
gcc "${cflags[@]}" -shared -fPIC -I"$JDK17/include" -I"$JDK17/include/linux" "$HERE/jvmti_append.c" \
    -o "$OUT/jvmti_append.so" || die "building jvmti_append.so failed"

exec "$PYTHON" "$HERE/bench.py" --out "$OUT" --lib "$OUT/libforkguard.so" --classes "$OUT" "${jdk_args[@]}" \
  --empty "$OUT/libempty.so" \
  --docs "$ROOT/docs/performance.md"
