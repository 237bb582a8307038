#!/usr/bin/env bash
# Run by tests/hosts/deb/run.sh under `unshare -m`: a copy of /etc, bound over
# /etc in this private mount namespace only, gets the /etc/ld.so.preload line
# of docs/deploy.md; the host's own /etc is never written. Prints one
# "NAME: result" line per observation for run.sh to check.
# Usage: preload_etc.sh DIR LIB MAPS PYTHON SCRIPT JAVA_HOME
set -u
T=$1 LIB=$2 MAPS=$3 PY=$4 JP=$5 JH=$6
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

cp -a /etc "$T/etc" && mount --bind "$T/etc" /etc || { echo "setup: failed"; exit 1; }
echo "setup: ok"
echo "$LIB" >> /etc/ld.so.preload          # the recipe's line

echo "plain: $(env -u LD_PRELOAD "$MAPS")"
echo "suid: $(nobody env -u LD_PRELOAD "$MAPS")"
out=$(env -u LD_PRELOAD JAVA_HOME="$JH" timeout -k 5 120 "$PY" "$JP" 2>&1)
echo "jpype: $(printf '%s\n' "$out" | grep -cE '^child: exception JVMNotRunning|^forkguard: JNI call through JPype')"

sed -i '\|libforkguard|d' /etc/ld.so.preload   # the recipe's back-out
echo "after-backout plain: $(env -u LD_PRELOAD "$MAPS")"
echo "after-backout suid, bare LD_PRELOAD: $(nobody env LD_PRELOAD=libforkguard.so "$MAPS" 2>"$T/err")"
echo "after-backout suid, bare LD_PRELOAD, stderr: $(cat "$T/err")"
echo "after-backout suid, path LD_PRELOAD: $(nobody env LD_PRELOAD="$LIB" "$MAPS" 2>"$T/err")"
echo "after-backout suid, path LD_PRELOAD, stderr: $(cat "$T/err")"
echo "after-backout no suid, bare LD_PRELOAD: $(nobody env LD_PRELOAD=libforkguard.so "$MAPS.plain" 2>&1)"

echo /nonexistent/libforkguard.so > /etc/ld.so.preload   # the library removed first
msg=$(/bin/true 2>&1); rc=$?
echo "missing: $msg rc $rc"
