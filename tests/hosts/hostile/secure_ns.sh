#!/usr/bin/env bash
# secure_ns.sh LIB PROBE SCRATCH CMD...: runs CMD in a private mount namespace
# in which LIB is installed setuid-root as $LIBDIR/libfgsecure-test.so (under
# secure execution ld.so preloads only from its standard directories) and
# PROBE setuid-root as $LIBDIR/fgsecure-test/probe (a path every user can
# search, wherever the checkout lives).
#
# $LIBDIR is covered, in this namespace only, by an overlay whose writable
# layer is a tmpfs mounted on SCRATCH (an empty directory): nothing is ever
# written to the real directory, and when the namespace's last process ends —
# normally, by SIGKILL, or with the machine — the overlay and everything in it
# are gone. No clean-up step exists that could be skipped.
#
# Exit status 125 with one line on stderr when the namespace or the mounts
# cannot be made; otherwise CMD's.
set -u
if [ "${1:-}" != --inside ]; then
  exec unshare --mount --propagation private "$0" --inside "$@" ||
    { echo "secure_ns.sh: unshare --mount failed" >&2; exit 125; }
fi
shift
lib=$1 probe=$2 scratch=$3
shift 3
LIBDIR=/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
die() { echo "secure_ns.sh: $*" >&2; exit 125; }
mount -t tmpfs -o mode=0700,size=64m fgsecure "$scratch" || die "cannot mount a tmpfs on $scratch"
mkdir "$scratch/upper" "$scratch/work" || die "mkdir in $scratch"
mount -t overlay fgsecure -o "lowerdir=$LIBDIR,upperdir=$scratch/upper,workdir=$scratch/work" \
  "$LIBDIR" || die "cannot mount an overlay on $LIBDIR"
# The stub loads its core from its own directory, under its fixed name.
install -m 4755 "$lib" "$LIBDIR/libfgsecure-test.so" &&
  install -m 644 "$(dirname "$lib")/libforkguard-core.so" "$LIBDIR/libforkguard-core.so" &&
  install -d -m 755 "$LIBDIR/fgsecure-test" &&
  install -m 4755 "$probe" "$LIBDIR/fgsecure-test/probe" || die "cannot install into the overlay"
exec "$@"
