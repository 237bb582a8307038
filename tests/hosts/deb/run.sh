#!/usr/bin/env bash
# The Debian package (./build.sh deb, pkg/deb/): builds it, runs lintian on it,
# installs it with apt-get, runs the demo and a real host (Debian's JPype)
# through /usr/bin/forkguard and through a bare LD_PRELOAD=libforkguard.so,
# uses the pkg-config file and the man pages, purges it and checks that none
# of its files is left. The package is never left installed, even when this
# suite fails or is interrupted (trap). Needs root (apt-get, dpkg).
set -u
source "$(dirname "$0")/../../lib.sh"
HERE=$ROOT/tests/hosts/deb
JP=$ROOT/tests/hosts/jpype/child_uses_java.py
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
APT=(apt-get -y -q -o DPkg::Lock::Timeout=300)
export DEBIAN_FRONTEND=noninteractive

if [ "$(id -u)" -ne 0 ]; then
  fail "deb: runs as root" "apt-get install/purge need root"
  finish; exit
fi

installed() { dpkg-query -W -f='${Status}' forkguard 2>/dev/null | grep -q "install ok installed"; }
purge() { installed || dpkg-query -W forkguard >/dev/null 2>&1 || return 0
          timeout -k 5 300 "${APT[@]}" purge forkguard >/dev/null 2>&1; }
trap 'purge; rm -rf "$FG_TMP"' EXIT
purge   # a package left by an earlier run, or installed by hand

# --- build
bounded 600 "$ROOT/build.sh" deb
DEB=$(ls "$B"/forkguard_*_*.deb 2>/dev/null | head -1)
version=$(sed -n 's/^#define FG_VERSION "\(.*\)"$/\1/p' "$ROOT/preload/messages.h")
check "deb: ./build.sh deb builds build/forkguard_${version}_amd64.deb" "rc 0 and the file" \
  test "$RC" = 0 -a -s "$B/forkguard_${version}_$(dpkg --print-architecture).deb"
if [ -z "$DEB" ]; then finish; exit; fi

# --- metadata: Depends from the ELF files plus the dlopen()ed unwinder, nothing else
bounded 10 dpkg-deb -f "$DEB" Depends
deps=$(tr ',' '\n' <"$OUT" | sed -E 's/^ *//; s/ *\(.*//' | LC_ALL=C sort | tr '\n' ' ')
check "deb: Depends is libc6, libgcc-s1, libjson-c5 and nothing else" "got '$(cat "$OUT")'" \
  test "$deps" = "libc6 libgcc-s1 libjson-c5 "
check "deb: libc6 is versioned by dpkg-shlibdeps" "expected 'libc6 (>= 2.x)'" \
  has "$OUT" 'libc6 \(>= 2\.[0-9]+\)'
bounded 10 dpkg-deb -f "$DEB" Package Version Architecture Suggests
check "deb: control fields (version from FG_VERSION, demo's JDK as Suggests)" \
  "expected Version: $version, Architecture: amd64, Suggests: openjdk-17-jre-headless" \
  bash -c "grep -qx 'Version: $version' '$OUT' && grep -qx 'Architecture: amd64' '$OUT' && grep -qx 'Suggests: openjdk-17-jre-headless' '$OUT'"
bounded 10 dpkg-deb -c "$DEB"
for f in usr/bin/forkguard "usr/lib/$MA/libforkguard.so" "usr/lib/$MA/libforkguard-core.so" \
         usr/lib/forkguard/demo-host \
         usr/include/forkguard.h "usr/lib/$MA/pkgconfig/forkguard.pc" \
         usr/share/man/man1/forkguard.1.gz usr/share/man/man3/libforkguard.3.gz \
         usr/share/doc/forkguard/copyright usr/share/doc/forkguard/changelog.gz; do
  check "deb: contains /$f" "not in dpkg-deb -c" has "$OUT" " \./$f( |$)"
done

# --- the packaged command finds the library in <prefix>/lib/<multiarch>
# (cli/paths.c), tried on the staged tree, before anything is installed.
S=$B/deb/root
bounded 10 env -u LD_PRELOAD "$S/usr/bin/forkguard" run -- sh -c 'echo "$LD_PRELOAD"'
check "deb: the staged usr/bin/forkguard finds usr/lib/$MA/libforkguard.so" "got '$(cat "$OUT")' $(cat "$ERR")" \
  test "$(cat "$OUT")" = "$S/usr/lib/$MA/libforkguard.so"

# --- lintian: no error that is not explained by an override in the package
bounded 600 lintian --fail-on error "$DEB"
check "deb: lintian reports no errors (E:)" "lintian rc $RC" \
  bash -c "[ $RC = 0 ] && ! grep -q '^E: ' '$OUT' '$ERR'"
check "deb: lintian has no unused or mismatched override" "a stale override in pkg/deb/lintian-overrides" \
  bash -c "! grep -qE 'unused-override|mismatched-override' '$OUT' '$ERR'"

# --- install
bounded 600 "${APT[@]}" install "$DEB"
check "deb: apt-get install ./build/forkguard_*.deb" "rc $RC" bash -c "[ $RC = 0 ] && dpkg-query -W forkguard >/dev/null"
if ! installed; then finish; exit; fi
bounded 10 dpkg-query -W -f='${Version}' forkguard
pkgver=$(cat "$OUT")
bounded 10 /usr/bin/forkguard --version
check "deb: forkguard --version matches the package version ($pkgver)" "got '$(cat "$OUT")'" \
  test "$(cat "$OUT")" = "forkguard $pkgver"

bounded 10 env -u LD_PRELOAD /usr/bin/forkguard run -- sh -c 'echo "$LD_PRELOAD"'
check "deb: /usr/bin/forkguard preloads /usr/lib/$MA/libforkguard.so" "got '$(cat "$OUT")'" \
  test "$(cat "$OUT")" = "/usr/lib/$MA/libforkguard.so"
bounded 10 env LD_PRELOAD=libforkguard.so cat /proc/self/maps
check "deb: a bare LD_PRELOAD=libforkguard.so loads the installed library" \
  "expected /usr/lib/$MA/libforkguard.so in the maps, no ld.so error" \
  bash -c "grep -q ' /usr/lib/$MA/libforkguard.so$' '$OUT' && [ ! -s '$ERR' ]"
bounded 10 ldconfig -p
check "deb: the library is in ld.so's cache (ldconfig trigger)" "not in ldconfig -p" \
  has "$OUT" "libforkguard\.so .*=> (/usr)?/lib/$MA/libforkguard\.so$"

# --- the demo, as demo/run.sh runs it
bounded 120 /usr/bin/forkguard run
check "deb: forkguard run (demo): FindClass report, child stopped by SIGABRT" \
  "expected the report naming the installed demo-host and 'stopped by signal 6'" \
  bash -c "grep -qE '^forkguard: JNI call FindClass in pid [0-9]+, a forked child of JVM owner pid [0-9]+$' '$ERR' && grep -q '/usr/lib/forkguard/demo-host' '$ERR' && grep -qE 'child [0-9]+ was stopped by signal 6' '$OUT' && grep -q '^demo: parent still uses Java' '$OUT'"

# --- a real host: a JPype child that uses Java
jpype_ok() {
  grep -q '^child: exception JVMNotRunning' "$OUT" && grep -q '^child: status 3' "$OUT" &&
    grep -q '^parent: works True' "$OUT" && grep -q '^forkguard: JNI call through JPype' "$1"
}
bounded 120 env -u LD_PRELOAD JAVA_HOME="$JDK17" /usr/bin/forkguard run -- "$PYTHON" "$JP"
check "deb: JPype through /usr/bin/forkguard run: JVMNotRunning and one report" \
  "expected 'child: exception JVMNotRunning' and 'forkguard: JNI call through JPype'" jpype_ok "$ERR"
bounded 120 env LD_PRELOAD=libforkguard.so JAVA_HOME="$JDK17" "$PYTHON" "$JP"
check "deb: JPype with a bare LD_PRELOAD=libforkguard.so: JVMNotRunning and one report" \
  "expected 'child: exception JVMNotRunning' and 'forkguard: JNI call through JPype'" jpype_ok "$ERR"

# --- pkg-config and the public API, reached with dlsym as the .pc file says
bounded 10 pkg-config --modversion forkguard
check "deb: pkg-config --modversion forkguard is $version" "got '$(cat "$OUT")'" test "$(cat "$OUT")" = "$version"
bounded 10 pkg-config --variable=preload forkguard
check "deb: pkg-config --variable=preload names the installed library" "got '$(cat "$OUT")'" \
  test "$(cat "$OUT")" = "/usr/lib/$MA/libforkguard.so"
cat >"$FG_TMP/api.c" <<'EOF'
#include <dlfcn.h>
#include <stdio.h>
#include <forkguard.h>
int main(void)
{
    const char *(*version)(void) = (const char *(*)(void))dlsym(RTLD_DEFAULT, "forkguard_version");
    pid_t (*owner)(void) = (pid_t(*)(void))dlsym(RTLD_DEFAULT, "forkguard_jvm_owner");
    printf("%s %d\n", version ? version() : "not-preloaded", owner ? (int)owner() : -1);
    return 0;
}
EOF
bounded 60 bash -c "gcc -Wall -Werror \$(pkg-config --cflags forkguard) '$FG_TMP/api.c' -o '$FG_TMP/api' \$(pkg-config --libs forkguard)"
check "deb: a program builds against forkguard.h with pkg-config's flags" "gcc rc $RC" test "$RC" = 0
bounded 10 env LD_PRELOAD=libforkguard.so "$FG_TMP/api"
check "deb: the API answers through dlsym when preloaded" "expected '$version 0'" test "$(cat "$OUT")" = "$version 0"
bounded 10 env -u LD_PRELOAD "$FG_TMP/api"
check "deb: the same program runs without forkguard" "expected 'not-preloaded -1'" \
  test "$(cat "$OUT")" = "not-preloaded -1"

# --- man pages installed where man finds them
bounded 10 man -w forkguard
check "deb: man -w forkguard finds forkguard(1)" "got '$(cat "$OUT")'" test "$(cat "$OUT")" = /usr/share/man/man1/forkguard.1.gz
bounded 10 man -w forkguard_jvm_owner
check "deb: man -w forkguard_jvm_owner leads to libforkguard(3)" "got '$(cat "$OUT")'" \
  has "$OUT" '^/usr/share/man/man3/(forkguard_jvm_owner|libforkguard)\.3\.gz$'
bounded 30 env MANWIDTH=80 man forkguard_jvm_owner
check "deb: man forkguard_jvm_owner renders libforkguard(3)" "expected the page's NAME line" \
  has "$OUT" 'libforkguard'

# --- docs/deploy.md: each recipe's own text, extracted from the page
# recipe NAME: the fenced block after "<!-- tested: NAME -->".
recipe() {
  awk -v m="<!-- tested: $1 -->" '$0 == m { f = 1; next }
    f && /^```/ { if (in_block) exit; in_block = 1; next }
    f && in_block { print }' "$ROOT/docs/deploy.md"
}
JQ=$ROOT/tests/hosts/jpype/child_quiet.py
R=$FG_TMP/recipes
mkdir -p "$R"

# Dockerfile: the deb it names is the one built, and its ENV lines, applied to
# a JPype child and to a program without a JVM (no Docker engine here).
recipe dockerfile >"$R/Dockerfile"
check "deploy: the Dockerfile installs forkguard_${version}_amd64.deb" "stale file name in docs/deploy.md" \
  grep -q "apt-get install .*/tmp/forkguard_${version}_amd64.deb" "$R/Dockerfile"
mapfile -t denv < <(sed -n 's/^ENV //p' "$R/Dockerfile")
check "deploy: the Dockerfile sets LD_PRELOAD=libforkguard.so" "ENV lines: ${denv[*]:-none}" \
  grep -qx 'ENV LD_PRELOAD=libforkguard.so' "$R/Dockerfile"
bounded 120 env -u LD_PRELOAD "${denv[@]}" JAVA_HOME="$JDK17" "$PYTHON" "$JP"
check "deploy: with the Dockerfile's ENV a JPype child gets JVMNotRunning and a JSON report on stderr" \
  "expected the exception and a jni_in_child record" \
  bash -c "grep -q '^child: exception JVMNotRunning' '$OUT' && grep -q '^{.*\"event\":\"jni_in_child\"' '$ERR'"
bounded 10 env -u LD_PRELOAD "${denv[@]}" sh -c 'echo hello'
check "deploy: with the Dockerfile's ENV a program without a JVM is unchanged" "expected 'hello', empty stderr" \
  bash -c "[ \"\$(cat '$OUT')\" = hello ] && [ ! -s '$ERR' ]"

# systemd drop-in: systemd-analyze verify reads it without a complaint (PID 1
# is not systemd here, so the unit is not started); then its Environment=
# lines, with %N and /var/log moved under the test directory, on a JPype child.
U=$R/units; unit=fg-recipe
mkdir -p "$U/$unit.service.d"
printf '[Unit]\nDescription=forkguard recipe\n[Service]\nType=oneshot\nExecStart=%s %s\n' \
  "$PYTHON" "$JP" >"$U/$unit.service"
recipe systemd >"$U/$unit.service.d/forkguard.conf"
if command -v systemd-analyze >/dev/null; then
  bounded 60 systemd-analyze verify "$U/$unit.service"
  check "deploy: systemd-analyze verify accepts the drop-in" "complaints about $U" \
    bash -c "[ $RC = 0 ] && ! grep -q '$U' '$ERR' '$OUT'"
  cp "$U/$unit.service.d/forkguard.conf" "$R/good.conf"
  echo 'LogsDirectry=typo' >>"$U/$unit.service.d/forkguard.conf"
  bounded 60 systemd-analyze verify "$U/$unit.service"
  check "deploy: (the check works) systemd-analyze verify reports a bad drop-in line" \
    "expected a complaint naming the drop-in" grep -q "$unit.service.d/forkguard.conf" "$ERR"
  cp "$R/good.conf" "$U/$unit.service.d/forkguard.conf"
else
  fail "deploy: systemd-analyze verify accepts the drop-in" "systemd-analyze not installed (package systemd)"
fi
V=$R/var/log
mapfile -t senv < <(sed -n 's/^Environment=//p' "$U/$unit.service.d/forkguard.conf" |
                    sed -e "s/%N/$unit/g" -e "s|/var/log|$V|g")
logsdir=$(sed -n 's/^LogsDirectory=//p' "$U/$unit.service.d/forkguard.conf" | sed "s/%N/$unit/g")
mkdir -p "$V/$logsdir"
bounded 120 env -u LD_PRELOAD "${senv[@]}" JAVA_HOME="$JDK17" "$PYTHON" "$JP"
SLOG=$V/forkguard/$unit/forkguard.jsonl
check "deploy: the drop-in's FORKGUARD_LOG lies in its LogsDirectory" "LogsDirectory=$logsdir, env: ${senv[*]}" \
  bash -c "printf '%s\n' \"\${@}\" | grep -qx 'FORKGUARD_LOG=$V/$logsdir/forkguard.jsonl'" _ "${senv[@]}"
check "deploy: with the drop-in's environment the report lands in the unit's log" \
  "expected a jni_in_child record in $SLOG" \
  bash -c "grep -q '^child: exception JVMNotRunning' '$OUT' && grep -q '\"event\":\"jni_in_child\"' '$SLOG' && ! grep -q '^forkguard' '$ERR'"

# CI: the YAML's steps, run as GitHub runs a run: step (bash -eo pipefail),
# once with tests that use Java in a forked child (the gate fails), once with
# tests whose children never do (it passes), once with no log (it fails).
recipe ci >"$R/ci.yml"
ci_steps() { # DIR: runs each step in DIR; prints "rc" per step in DIR/rcs
  "$PYTHON" - "$R/ci.yml" "$1" <<'PY'
import os, subprocess, sys, yaml
steps = yaml.safe_load(open(sys.argv[1]))
out = []
for step in steps:
    r = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                       cwd=sys.argv[2], env=dict(os.environ, RUNNER_TEMP=sys.argv[2]),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=240)
    sys.stdout.write(r.stdout.decode())
    out.append(str(r.returncode))
open(os.path.join(sys.argv[2], "rcs"), "w").write(" ".join(out))
PY
}
for kind in dirty clean; do
  mkdir -p "$R/ci-$kind"
  script=$JP; [ $kind = clean ] && script=$JQ
  printf '#!/bin/sh\nJAVA_HOME=%s exec %s %s\n' "$JDK17" "$PYTHON" "$script" >"$R/ci-$kind/run-tests.sh"
  chmod +x "$R/ci-$kind/run-tests.sh"
  bounded 600 env -u LD_PRELOAD bash -c "$(declare -f ci_steps); R='$R'; PYTHON='$PYTHON'; ci_steps '$R/ci-$kind'"
done
check "deploy: CI gate fails (1) when a forked child used JNI" "step statuses: $(cat "$R/ci-dirty/rcs" 2>/dev/null)" \
  test "$(cat "$R/ci-dirty/rcs" 2>/dev/null)" = "0 1"
check "deploy: CI gate passes (0) when the children never used Java" "step statuses: $(cat "$R/ci-clean/rcs" 2>/dev/null)" \
  test "$(cat "$R/ci-clean/rcs" 2>/dev/null)" = "0 0"
bounded 30 env RUNNER_TEMP="$R/none" bash --noprofile --norc -eo pipefail -c \
  "$("$PYTHON" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))[-1]["run"])' "$R/ci.yml")"
check "deploy: CI gate fails (2) when there is no log" "rc $RC" test "$RC" = 2
bounded 10 /usr/bin/forkguard report "$SLOG"
check "deploy: forkguard report on the systemd recipe's log exits 1" "rc $RC" test "$RC" = 1

# /etc/ld.so.preload, in a private mount namespace over a copy of /etc.
P=$R/etc-preload
mkdir -p "$P"
chmod 0755 "$FG_TMP" "$R" "$P"        # set-user-ID runs as nobody must reach the helper
if gcc -O1 -Wall -Werror "$HERE/maps.c" -o "$P/maps" && cp "$P/maps" "$P/maps.plain"; then
  chmod 4755 "$P/maps"
  bounded 300 unshare -m "$HERE/preload_etc.sh" "$P" "/usr/lib/$MA/libforkguard.so" "$P/maps" \
    "$PYTHON" "$JP" "$JDK17"
  line() { grep -F -- "$1: " "$OUT" | head -1 | cut -d' ' -f"$(($(wc -w <<<"$1") + 1))-"; }
  if ! has "$OUT" '^setup: ok'; then
    fail "deploy: ld.so.preload: private mount namespace" "unshare/mount failed: $(head -c 300 "$OUT") $(head -c 300 "$ERR")"
  else
    check "deploy: ld.so.preload loads the library into every process" "got '$(line plain)'" \
      test "$(line plain)" = "libforkguard mapped, AT_SECURE 0"
    check "deploy: ld.so.preload reaches set-user-ID programs too (AT_SECURE)" "got '$(line suid)'" \
      test "$(line suid)" = "libforkguard mapped, AT_SECURE 1"
    check "deploy: ld.so.preload guards a JPype child with no LD_PRELOAD" "got '$(line jpype)' of 2 lines" \
      test "$(line jpype)" = 2
    check "deploy: after the back-out line new processes are clean" "got '$(line "after-backout plain")'" \
      test "$(line "after-backout plain")" = "libforkguard absent, AT_SECURE 0"
    check "deploy: LD_PRELOAD (bare name) does not reach a set-user-ID program" \
      "got '$(line "after-backout suid, bare LD_PRELOAD")'" \
      test "$(line "after-backout suid, bare LD_PRELOAD")" = "libforkguard absent, AT_SECURE 1"
    check "deploy: ... and ld.so says so on its stderr" \
      "got '$(line "after-backout suid, bare LD_PRELOAD, stderr")'" \
      has "$OUT" "^after-backout suid, bare LD_PRELOAD, stderr: ERROR: ld.so: object 'libforkguard.so' from LD_PRELOAD cannot be preloaded"
    check "deploy: LD_PRELOAD (a path) does not reach a set-user-ID program, silently" \
      "got '$(line "after-backout suid, path LD_PRELOAD")' / '$(line "after-backout suid, path LD_PRELOAD, stderr")'" \
      bash -c "grep -qx 'after-backout suid, path LD_PRELOAD: libforkguard absent, AT_SECURE 1' '$OUT' && grep -qx 'after-backout suid, path LD_PRELOAD, stderr: ' '$OUT'"
    check "deploy: (the check works) the same bare LD_PRELOAD reaches the same program without set-user-ID" \
      "got '$(line "after-backout no suid, bare LD_PRELOAD")'" \
      test "$(line "after-backout no suid, bare LD_PRELOAD")" = "libforkguard mapped, AT_SECURE 0"
    check "deploy: a listed library that is gone: ld.so's error in every process, which still runs" \
      "got '$(line missing)'" \
      has "$OUT" "^missing: ERROR: ld.so: object '/nonexistent/libforkguard.so' from /etc/ld.so.preload cannot be preloaded .*: ignored\. rc 0$"
  fi
else
  fail "deploy: ld.so.preload helper builds" "gcc failed on $HERE/maps.c"
fi
bounded 10 cat /etc/ld.so.preload
check "deploy: the host's own /etc/ld.so.preload was not touched" "it mentions libforkguard" \
  hasnt "$OUT" libforkguard

# --- purge: nothing of it left
bounded 10 dpkg -L forkguard
cp "$OUT" "$FG_TMP/files"
check "deb: dpkg -L forkguard lists the installed files" "expected /usr/bin/forkguard in it" \
  grep -qx /usr/bin/forkguard "$FG_TMP/files"
bounded 300 "${APT[@]}" purge forkguard
check "deb: apt-get purge forkguard" "rc $RC, package still known to dpkg" \
  bash -c "[ $RC = 0 ] && ! dpkg-query -W forkguard >/dev/null 2>&1"
left=()
while IFS= read -r p; do
  [ "$p" = /. ] && continue
  if [ -d "$p" ] && [ ! -L "$p" ]; then
    # A directory may stay only when another package owns it too.
    dpkg-query -S "$p" >/dev/null 2>&1 || left+=("$p")
  elif [ -e "$p" ] || [ -L "$p" ]; then
    left+=("$p")
  fi
done <"$FG_TMP/files"
check "deb: after purge none of its $(wc -l <"$FG_TMP/files") paths is left" "left: ${left[*]:-}" \
  test "${#left[@]}" = 0
bounded 10 ldconfig -p
check "deb: after purge libforkguard.so is out of ld.so's cache" "still in ldconfig -p" \
  hasnt "$OUT" libforkguard

finish
