#!/usr/bin/env bash
# dlsym/dlvsym interposition must be invisible: every lookup a host makes
# (RTLD_NEXT, RTLD_DEFAULT, handles, versions, misses, interposers, lookups
# from constructors that run before forkguard's) finds the same thing with and
# without libforkguard preloaded. glibc resolves RTLD_NEXT from the caller's
# return address, so this only holds while stub/dlsym_x86_64.S tail-jumps;
# test programs and the library are each built at -O0, -O2 and -O3.
set -u
. "$(dirname "$0")/../../lib.sh"
HERE=$ROOT/tests/hosts/rtld_next
W=$B/rtld_next
LIBJVM=$JDK17/lib/server/libjvm.so
LEVELS="0 2 3"
rm -rf "$W" && mkdir -p "$W"

# --- forkguard variants: build.sh's own recipe with only the -O level changed.
build_fg() { # LEVEL [EXTRA-FLAG...]
  local lvl=$1
  shift
  "$ROOT/build.sh" variant "$W/fg-O$lvl" --cflags "-O$lvl $*" &&
    cp "$W/fg-O$lvl/libforkguard.so" "$W/libforkguard-O$lvl.so"
}
for lvl in $LEVELS; do
  if build_fg "$lvl" >"$W/fg-O$lvl.log" 2>&1; then
    pass "rtld_next: build libforkguard -O$lvl"
  else
    fail "rtld_next: build libforkguard -O$lvl" "$(head -c 600 "$W/fg-O$lvl.log" | tr '\n' '|')"
    # Still test the code at that level: a warning must not hide a runtime bug.
    build_fg "$lvl" -Wno-error >"$W/fg-O$lvl.log" 2>&1 || rm -f "$W/libforkguard-O$lvl.so"
  fi
done
FG_VARIANTS=("$FG_LIB")
for lvl in $LEVELS; do [ -f "$W/libforkguard-O$lvl.so" ] && FG_VARIANTS+=("$W/libforkguard-O$lvl.so"); done

# --- test programs at each level. Link order main, liba, libctor, libb, libwrap:
# RTLD_NEXT from liba or libctor must reach libb (a lookup made from
# libforkguard, preloaded before them all, would find liba's instead).
build_progs() { # LEVEL
  local d=$W/prog-O$1 cc=(gcc -O"$1" -g -D_GNU_SOURCE -Wall -Werror -fPIC)
  mkdir -p "$d" && cd "$d" || return 1
  "${cc[@]}" -shared -DNAME='"a"' -DPROBE_NEXT "$HERE/probe.c" -o liba.so &&
  "${cc[@]}" -shared -DNAME='"b"' "$HERE/probe.c" -o libb.so &&
  "${cc[@]}" -shared -DNAME='"d"' -DD_ONLY "$HERE/probe.c" -o libd.so &&
  "${cc[@]}" -shared "$HERE/wrap.c" -o libwrap.so &&
  "${cc[@]}" -shared "$HERE/ctor.c" -o libctor.so &&
  "${cc[@]}" "$HERE/main.c" -o main -L. -Wl,--no-as-needed -la -lctor -lb -lwrap \
      -Wl,-rpath,"$d" -lpthread &&
  "${cc[@]}" "$HERE/jvmcheck.c" -o jvmcheck &&
  "${cc[@]}" -I"$JDK17/include" -I"$JDK17/include/linux" "$HERE/selfhandle.c" -o selfhandle &&
  "${cc[@]}" -DLINKED -I"$JDK17/include" -I"$JDK17/include/linux" "$HERE/selfhandle.c" \
      -o selfhandle-linked -L"$(dirname "$LIBJVM")" -Wl,--no-as-needed -ljvm \
      -Wl,-rpath,"$(dirname "$LIBJVM")"
}
for lvl in $LEVELS; do
  if (build_progs "$lvl") >"$W/prog-O$lvl.log" 2>&1; then
    pass "rtld_next: build test programs -O$lvl"
  else
    fail "rtld_next: build test programs -O$lvl" "$(head -c 600 "$W/prog-O$lvl.log" | tr '\n' '|')"
  fi
done

# --- without forkguard: the programs themselves must see what we expect,
# or an identical comparison below would prove nothing.
expect_line() { has "$OUT" "^$(printf '%s' "$1" | sed 's/[][().*+?^$|\\]/\\&/g')\$"; }
baseline_ok() {
  expect_line 'liba next_probe: b' &&
  expect_line 'ctor: next=b default=a vputs=found missing=(null) err='"$W/prog-O$1/libctor.so: undefined symbol: no_such_symbol_ctor" &&
  expect_line 'liba RTLD_NEXT probe_name: libb.so:probe_name dlerror=(none)' &&
  expect_line 'handle(libd) probe_name: libd.so:probe_name -> d' &&
  expect_line 'RTLD_NEXT missing (liba): NULL dlerror='"$W/prog-O$1/liba.so: undefined symbol: no_such_symbol_3" &&
  expect_line 'threads: 0 of 4 saw another probe than b' &&
  expect_line 'atoi("42") through the interposer: 1042' &&
  [ "$RC" = 7 ] && [ ! -s "$ERR" ]
}
for lvl in $LEVELS; do
  prog=$W/prog-O$lvl/main
  [ -x "$prog" ] || continue
  bounded 30 "$prog" "$W/prog-O$lvl"
  cp "$OUT" "$W/base-O$lvl.out"; echo "$RC" > "$W/base-O$lvl.rc"; cp "$ERR" "$W/base-O$lvl.err"
  check "rtld_next: -O$lvl programs find the expected symbols without forkguard" \
    "unexpected baseline (exit $RC)" baseline_ok "$lvl"

  for fglib in "${FG_VARIANTS[@]}"; do
    bounded 30 env LD_PRELOAD="$fglib" "$prog" "$W/prog-O$lvl"
    check "rtld_next: -O$lvl programs under $(basename "$fglib"): identical stdout and status" \
      "differs from the run without forkguard (exit $RC, was $(cat "$W/base-O$lvl.rc")): $(diff "$W/base-O$lvl.out" "$OUT" | head -c 600 | tr '\n' '|')" \
      eval 'cmp -s "$W/base-O$lvl.out" "$OUT" && [ "$RC" = "$(cat "$W/base-O$lvl.rc")" ] && cmp -s "$W/base-O$lvl.err" "$ERR"'
  done
done

# The constructor scenario only means something if libctor's constructor
# really runs before libforkguard's: check glibc's order once.
prog=$W/prog-O2/main
if [ -x "$prog" ]; then
  bounded 30 env LD_DEBUG=libs LD_PRELOAD="$FG_LIB" "$prog" "$W/prog-O2"
  init_order() { grep -oE 'calling init: .*/(libctor|libforkguard)[^/]*\.so' "$ERR" | sed 's|.*/||' | tr '\n' ' '; }
  check "rtld_next: libctor's constructor runs before libforkguard's (so its lookups hit the pre-init path)" \
    "init order: $(init_order)" eval '[ "$(init_order)" = "libctor.so libforkguard.so " ]'
fi

# --- JNI_CreateJavaVM from a libjvm handle is forkguard's wrapper; the other
# JNI_ entry points stay libjvm's own (compared with readelf's symbol values).
jvm_sym() { printf '0x%x' "0x$(readelf --dyn-syms -W "$LIBJVM" | awk -v s="$1@@" 'index($8, s) == 1 { print $2; exit }')"; }
create_off=$(jvm_sym JNI_CreateJavaVM)
getvms_off=$(jvm_sym JNI_GetCreatedJavaVMs)
initargs_off=$(jvm_sym JNI_GetDefaultJavaVMInitArgs)
jvmcheck=$W/prog-O2/jvmcheck
if [ -x "$jvmcheck" ]; then
  bounded 30 "$jvmcheck" "$LIBJVM"
  check "rtld_next: without forkguard, dlsym(libjvm handle) gives libjvm's own JNI_CreateJavaVM" \
    "expected $LIBJVM $create_off" \
    eval 'has "$OUT" "^create: $LIBJVM $create_off\$" && has "$OUT" "^vcreate: $LIBJVM $create_off\$"'
  for fglib in "${FG_VARIANTS[@]}"; do
    name=$(basename "$fglib")
    bounded 30 env LD_PRELOAD="$fglib" "$jvmcheck" "$LIBJVM"
    check "rtld_next: under $name, dlsym/dlvsym(libjvm handle, JNI_CreateJavaVM) is forkguard's wrapper" \
      "expected a pointer into $fglib" \
      eval 'has "$OUT" "^create: $fglib 0x" && has "$OUT" "^vcreate: $fglib 0x"'
    check "rtld_next: under $name, JNI_GetCreatedJavaVMs and JNI_GetDefaultJavaVMInitArgs are libjvm's own" \
      "expected $LIBJVM $getvms_off and $initargs_off" \
      eval 'has "$OUT" "^getvms: $LIBJVM $getvms_off\$" && has "$OUT" "^initargs: $LIBJVM $initargs_off\$" && [ ! -s "$ERR" ]'
  done
fi

# --- a handle whose scope holds libforkguard itself (the main program's):
# the lookup may find forkguard's own export, but calling it must behave like
# libjvm's JNI_CreateJavaVM (JNI_ERR with no libjvm loaded; a JVM with one).
# This is C logic, not code generation: the default build is enough.
d=$W/prog-O2
if [ -x "$d/selfhandle-linked" ]; then
  bounded 60 "$d/selfhandle-linked" call
  check "rtld_next: without forkguard, dlsym(dlopen(NULL), JNI_CreateJavaVM) creates a -ljvm host's JVM" \
    "expected 'call: 0' (exit $RC)" eval 'has "$OUT" "^call: 0\$" && [ "$RC" = 0 ]'
  for fglib in "$FG_LIB"; do
    name=$(basename "$fglib")
    bounded 30 env LD_PRELOAD="$fglib" "$d/selfhandle" call
    check "rtld_next: under $name, dlsym(dlopen(NULL), JNI_CreateJavaVM) with no libjvm returns JNI_ERR when called" \
      "expected 'call: -1' and exit 0 (exit $RC)" eval 'has "$OUT" "^call: -1\$" && [ "$RC" = 0 ]'
    bounded 60 env LD_PRELOAD="$fglib" "$d/selfhandle-linked" call
    check "rtld_next: under $name, a -ljvm host creates its JVM through dlsym(dlopen(NULL), JNI_CreateJavaVM)" \
      "expected 'call: 0' and exit 0 (exit $RC)" eval 'has "$OUT" "^call: 0\$" && [ "$RC" = 0 ]'
    bounded 60 env LD_PRELOAD="$fglib" "$d/selfhandle-linked" direct
    check "rtld_next: under $name, a -ljvm host still creates its JVM directly after that lookup" \
      "expected 'direct: 0' and exit 0 (exit $RC)" eval 'has "$OUT" "^direct: 0\$" && [ "$RC" = 0 ]'
  done
fi

finish
