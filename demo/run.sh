#!/usr/bin/env bash
# Runs the bundled demo host (build/demo-host, from demo/demo.c) through the
# forkguard command, as a user would (./build.sh demo).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/forkguard ] && [ -x build/demo-host ] || ./build.sh build
echo "+ build/forkguard run" >&2
# Bounded like everything else: without forkguard this program can hang.
exec timeout -k 5 60 build/forkguard run "$@"
