#!/usr/bin/env bash
# Builds demo/demo.c against the JDK and runs it under forkguard (./build.sh demo).
set -euo pipefail
cd "$(dirname "$0")/.."
jh=${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
[ -f "$jh/include/jni.h" ] || jh=/usr/lib/jvm/java-17-openjdk-amd64
mkdir -p build
gcc -O1 -g -Wall -Wextra -Werror -I"$jh/include" -I"$jh/include/linux" demo/demo.c \
    -o build/demo-host -L"$jh/lib/server" -Wl,-rpath,"$jh/lib/server" -ljvm
echo "+ LD_PRELOAD=build/libforkguard.so build/demo-host" >&2
# Bounded like everything else: without forkguard this program can hang.
exec timeout -k 5 60 env LD_PRELOAD="$PWD/build/libforkguard.so${LD_PRELOAD:+:$LD_PRELOAD}" \
    build/demo-host
