"""Checks of the benchmark's own instruments (tests/bench/bench.py), not of
its figures: the intervals cover what they must, and the loader's costs read
from a callgrind profile agree with callgrind_annotate's own reading.

    check_bench.py stats
    check_bench.py loader LIB EMPTY_LIB WORKDIR

Exits 0 when every assertion holds; otherwise prints why on stderr, exit 1."""
import argparse
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
import bench  # noqa: E402


def expect(cond, why):
    if not cond:
        print(why, file=sys.stderr)
        sys.exit(1)


def stats():
    base = [100 + (i * 37) % 23 for i in range(300)]
    est, lo, hi = bench.shift_ci(base, [x + 3 for x in base])
    expect(est == 3 and lo <= 3 <= hi, "shift_ci of a sample moved by 3: %r" % ((est, lo, hi),))
    est, lo, hi = bench.shift_ci(base, list(reversed(base)))
    expect(est == 0 and lo <= 0 <= hi, "shift_ci of the same values: %r" % ((est, lo, hi),))
    est, lo, hi = bench.shift_ci(base, [x + 10 for x in base])
    expect(lo > 0, "shift_ci: a shift of 10 in values spread over 23 is told from 0: %r"
           % ((est, lo, hi),))
    noisy = [x + (-1) ** i * 30 for i, x in enumerate(base)]
    est, lo, hi = bench.shift_ci(base, noisy)
    expect(lo < 0 < hi, "shift_ci: noise of ±30 around no shift must straddle 0: %r"
           % ((est, lo, hi),))
    est, lo, hi = bench.paired_diff(base, [x + 2 for x in base])
    expect((est, lo, hi) == (2, 2, 2), "paired_diff of a constant 2: %r" % ((est, lo, hi),))
    med, lo, hi = bench.median_ci(range(101))
    expect(med == 50 and 35 < lo < 50 < hi < 65, "median_ci of 0..100: %r" % ((med, lo, hi),))


def annotate_reloc(path):
    """_dl_relocate_object's inclusive instructions as callgrind_annotate
    reads them (its line for the function's own file)."""
    p = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    for line in p.stdout.splitlines():
        m = re.match(r"\s*([\d,]+) .*dl-reloc\.c:_dl_relocate_object ", line)
        if m:
            return int(m.group(1).replace(",", ""))
    return None


def loader(lib, empty, work):
    args = argparse.Namespace(out=work, docs=None, lib=lib, classes=work, jdk=[], empty=empty)
    b = bench.Bench(args)
    fg = b.callgrind_startup("fg", ["/bin/true"], b.env(True), b.variant_prefix("with"))
    ann = annotate_reloc(os.path.join(b.raw, "callgrind-fg.out"))
    expect(ann is not None and fg["reloc"] == ann,
           "ld.so's relocation: %r instructions read, callgrind_annotate says %r"
           % (fg["reloc"], ann))
    expect(0 < fg["ctor"] < fg["total"], "forkguard's constructors: %r instructions of %r"
           % (fg["ctor"], fg["total"]))
    plain = b.callgrind_startup("plain", ["/bin/true"], b.env(False), None)
    expect(plain["ctor"] == 0 and plain["dtor"] == 0,
           "no preloaded library, yet constructors %r, destructors %r"
           % (plain["ctor"], plain["dtor"]))
    e = b.callgrind_startup("empty", ["/bin/true"], b.variant_env("empty"),
                            b.variant_prefix("empty"))
    expect(0 < e["ctor"] < 1000, "the empty library's constructors: %r instructions" % e["ctor"])
    with_, without = (b.ld_debug_counts("ld-" + v, ["/bin/true"], b.env(v == "with"))
                      for v in ("with", "without"))
    expect(without["relocs"] > 0 and without["lookups"] > 0,
           "the loader's statistics of /bin/true: %r" % without)
    expect(with_["relocs"] > without["relocs"] and with_["lookups"] > without["lookups"],
           "a preloaded library with imports adds relocations and lookups: %r, %r"
           % (with_, without))


if __name__ == "__main__":
    try:
        if sys.argv[1:2] == ["stats"]:
            stats()
        elif sys.argv[1:2] == ["loader"] and len(sys.argv) == 5:
            loader(*sys.argv[2:])
        else:
            expect(False, __doc__)
    except bench.BenchError as e:
        expect(False, "bench: %s" % e)
