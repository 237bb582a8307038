#!/usr/bin/env bash
# What libforkguard shows every host it is preloaded into: the stub
# (libforkguard.so) exports exactly the hooks and the public API (anything
# else would interpose on the host's own names) and is bound lazily (a process
# without a JVM binds only what it calls); the core (libforkguard-core.so,
# loaded RTLD_LOCAL at JVM creation) exports only its entry for the stub and
# is bound eagerly (a forked child must not resolve symbols lazily). Neither
# needs libunwind at link time or has an executable stack.
set -u
. "$(dirname "$0")/../../lib.sh"

CORE=$(dirname "$FG_LIB")/libforkguard-core.so
STUB_EXPORTS="JNI_CreateJavaVM _Fork __register_atfork dlsym dlvsym fork forkguard_jvm_owner forkguard_jvm_usable forkguard_version"
CORE_EXPORTS="forkguard_core_init"

# exports NAME LIB EXPECTED: the defined dynamic symbols are exactly EXPECTED
# (nm prints "name@VERSION" for versioned ones, which would be unexpected too).
exports() {
  local name=$1 lib=$2 expected=$3 actual sym unexpected=0
  bounded 30 nm -D --defined-only "$lib"
  actual=$(awk 'NF == 3 { print $3 }' "$OUT" | sort -u)
  check "symbols: $name: nm -D runs" "nm failed (exit $RC)" [ "$RC" = 0 ]
  for sym in $actual; do
    case " $expected " in
      *" $sym "*) ;;
      *) fail "symbols: $name: unexpected export $sym" "expected only: $expected"
         unexpected=1 ;;
    esac
  done
  [ "$unexpected" = 0 ] && pass "symbols: $name: no unexpected export"
  for sym in $expected; do
    check "symbols: $name: $sym is exported" "missing from nm -D" grep -qx -- "$sym" <(printf '%s\n' "$actual")
  done
}

# common NAME LIB: no libunwind at link time, libc needed, no executable stack.
common() {
  local name=$1 lib=$2 stack
  bounded 30 readelf -dW "$lib"
  DYN=$OUT
  check "symbols: $name: no DT_NEEDED on libunwind" "libunwind is a link-time dependency" \
    hasnt "$DYN" "\(NEEDED\).*libunwind"
  check "symbols: $name: DT_NEEDED present at all (readelf output sane)" "no NEEDED entry" \
    has "$DYN" "\(NEEDED\).*libc\.so"
  bounded 30 readelf -lW "$lib"
  stack=$(awk '$1 == "GNU_STACK" { print $(NF - 1) }' "$OUT")
  check "symbols: $name: no executable stack (GNU_STACK $stack)" "GNU_STACK is missing or executable" \
    eval '[ -n "$stack" ] && [[ $stack != *E* ]]'
}

bind_now() { has "$DYN" "\(FLAGS\).*BIND_NOW" || has "$DYN" "\(FLAGS_1\).*[[:space:]]NOW"; }

for lib in "$FG_LIB" "$CORE"; do
  if [ ! -f "$lib" ]; then
    fail "symbols: $lib exists" "not built (run ./build.sh)"
    finish; exit
  fi
done

exports stub "$FG_LIB" "$STUB_EXPORTS"
common stub "$FG_LIB"
check "symbols: stub: bound lazily (no BIND_NOW)" "linked with -z now: every process would bind all its imports at start-up" \
  eval '! bind_now'

exports core "$CORE" "$CORE_EXPORTS"
common core "$CORE"
check "symbols: core: BIND_NOW (DT_FLAGS BIND_NOW or DT_FLAGS_1 NOW)" "linked without -z now" bind_now

finish
