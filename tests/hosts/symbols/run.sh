#!/usr/bin/env bash
# What libforkguard shows every host it is preloaded into: exactly the hooks
# and the public API (anything else would interpose on the host's own names),
# eager binding (a forked child must not resolve symbols lazily), no link-time
# libunwind (dlopen'ed only in JVM processes) and no executable stack.
set -u
. "$(dirname "$0")/../../lib.sh"

EXPECTED="JNI_CreateJavaVM _Fork __register_atfork dlsym dlvsym fork forkguard_jvm_owner forkguard_jvm_usable forkguard_version"

if [ ! -f "$FG_LIB" ]; then
  fail "symbols: $FG_LIB exists" "not built (run ./build.sh)"
  finish; exit
fi

# Defined dynamic symbols; nm prints "name@VERSION" for versioned ones, which
# would be unexpected too, so names are compared as printed.
bounded 30 nm -D --defined-only "$FG_LIB"
actual=$(awk 'NF == 3 { print $3 }' "$OUT" | sort -u)
check "symbols: nm -D runs" "nm failed (exit $RC)" [ "$RC" = 0 ]
unexpected=0
for sym in $actual; do
  case " $EXPECTED " in
    *" $sym "*) ;;
    *) fail "symbols: unexpected export $sym" "only the hooks and forkguard_* may be exported"
       unexpected=1 ;;
  esac
done
[ "$unexpected" = 0 ] && pass "symbols: no unexpected export"
for sym in $EXPECTED; do
  check "symbols: $sym is exported" "missing from nm -D" grep -qx -- "$sym" <(printf '%s\n' "$actual")
done

bounded 30 readelf -dW "$FG_LIB"
DYN=$OUT
check "symbols: BIND_NOW (DT_FLAGS BIND_NOW or DT_FLAGS_1 NOW)" "linked without -z now" \
  eval 'has "$DYN" "\(FLAGS\).*BIND_NOW" || has "$DYN" "\(FLAGS_1\).*[[:space:]]NOW"'
check "symbols: no DT_NEEDED on libunwind" "libunwind is a link-time dependency" \
  hasnt "$DYN" "\(NEEDED\).*libunwind"
check "symbols: DT_NEEDED present at all (readelf output sane)" "no NEEDED entry" \
  has "$DYN" "\(NEEDED\).*libc\.so"

bounded 30 readelf -lW "$FG_LIB"
stack=$(awk '$1 == "GNU_STACK" { print $(NF - 1) }' "$OUT")
check "symbols: no executable stack (GNU_STACK $stack)" "GNU_STACK is missing or executable" \
  eval '[ -n "$stack" ] && [[ $stack != *E* ]]'

finish
