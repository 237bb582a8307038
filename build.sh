#!/usr/bin/env bash
# forkguard build driver. See README.md; usage: ./build.sh [build|test|demo|bench|install|clean]
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
B=$ROOT/build
ARCH=$(uname -m)

# Debian packages the build needs (tests add their own in tests/deps.sh).
BUILD_PKGS=(gcc make libc6-dev libunwind-dev libcmocka-dev openjdk-17-jdk-headless)

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

install_pkgs() {
  local missing=() p
  for p in "$@"; do have_pkg "$p" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "build.sh: missing packages: ${missing[*]} (run as root to install them)" >&2
    return 1
  fi
  echo "build.sh: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null || true
  apt-get install -y -q "${missing[@]}" >/dev/null
}

java_home() {
  local jh=/usr/lib/jvm/java-17-openjdk-amd64
  [ -d "$jh" ] || jh=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
  echo "$jh"
}

CFLAGS_COMMON=(-std=gnu11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -fPIC -fvisibility=hidden
               -fno-strict-aliasing)

build_lib() {
  local jh objdir srcs src obj objs=()
  jh=$(java_home)
  objdir=$B/obj
  mkdir -p "$objdir"
  # Every C file of preload/ and hooks/, and this architecture's assembly.
  srcs=(preload/*.c hooks/*.c)
  for src in hooks/*_"$ARCH".S; do [ -e "$src" ] && srcs+=("$src"); done
  for src in "${srcs[@]}"; do
    obj=$objdir/$(echo "${src%.*}" | tr / _).o
    gcc "${CFLAGS_COMMON[@]}" ${FG_EXTRA_CFLAGS:-} -I"$jh/include" -I"$jh/include/linux" \
        -c "$src" -o "$obj"
    objs+=("$obj")
  done
  printf '%s\n' "${objs[@]}" > "$objdir/list"
  # -z now: resolve every symbol in the parent, never lazily in a child.
  gcc -shared -o "$B/libforkguard.so" "${objs[@]}" ${FG_EXTRA_LDFLAGS:-} \
      -Wl,-z,now -Wl,-z,relro -Wl,--version-script=preload/exports.map \
      -Wl,--no-undefined -ldl -lpthread
}

build_all() {
  install_pkgs "${BUILD_PKGS[@]}"
  mkdir -p "$B"
  build_lib
  echo "build.sh: built $B/libforkguard.so" >&2
}

case "${1:-build}" in
  build) build_all ;;
  test)
    build_all
    install_pkgs $(cat tests/packages.txt)
    exec tests/run_all.sh ;;
  demo)
    build_all
    exec demo/run.sh ;;
  bench)
    build_all
    exec tests/bench/run.sh ;;
  install)
    build_all
    PREFIX=${PREFIX:-/usr/local}
    install -D -m 0755 "$B/libforkguard.so" "${DESTDIR:-}$PREFIX/lib/forkguard/libforkguard.so"
    install -D -m 0644 include/forkguard.h "${DESTDIR:-}$PREFIX/include/forkguard.h"
    [ -x "$B/forkguard" ] && install -D -m 0755 "$B/forkguard" "${DESTDIR:-}$PREFIX/bin/forkguard"
    echo "build.sh: installed under ${DESTDIR:-}$PREFIX" >&2 ;;
  clean) rm -rf "$B" ;;
  *) echo "build.sh: unknown command '$1': expected build, test, demo, bench, install or clean" >&2; exit 2 ;;
esac
