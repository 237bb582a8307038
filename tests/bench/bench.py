"""forkguard benchmarks: the same work with and without the preloaded library.

Run by tests/bench/run.sh (./build.sh bench), which builds the helpers first.
Prints the machine, a Markdown table, then one "bench: NAME VALUE UNIT" line
per figure; raw outputs stay in build/bench/raw/. Timings are reported, never
asserted: the exit status is non-zero only when something failed to run.

Every comparison interleaves the variants (with, without, without, with, ...)
so that load from elsewhere on the machine hits both alike, and reports
medians; "ratio" is the median of the run-by-run ratios with/without, and the
bracket after it its 95% confidence interval: a verdict is "within noise"
when the interval straddles the target. Instruction counts (callgrind) are
exact and need no such caution.
"""
import argparse
import collections
import glob
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import time

QUICK = os.environ.get("BENCH_QUICK") == "1"  # a fast smoke run, for editing this file
# BENCH_ONLY=fork,startup: only these sections (Bench method names), for
# editing too; such a partial run leaves docs/performance.md alone.
ONLY = set(filter(None, os.environ.get("BENCH_ONLY", "").split(",")))


def pick(full, quick):
    return quick if QUICK else full


JNI_CALLS = pick(10_000_000, 1_000_000)
JNI_CHUNKS = 10
JNI_WARMUP = pick(1_000_000, 100_000)
JNI_RUNS = pick(9, 2)
XCHECK_RUNS = pick(3, 1)
CG_CALLS = pick(100_000, 20_000)
CG_WARMUP = 50_000  # with -XX:-BackgroundCompilation: compiled before counting
FORK_ROUNDS = pick(12, 1)
FORKS_PER_ROUND = pick(25, 50)  # 300 forks per variant in all
CG_FORKS = 7
FORK_SYSCALL_FN = "_Fork"  # glibc's (>= 2.34): fork() runs its handlers around it
STRACE_FORKS = 5
CHILD_MARK = "/forkguard-bench: the child's first line"  # jvmhost.c's CHILD_MARK
FORK_HEAP_MB = 200
FORK_THREADS = 30
START_N = {"/bin/true": pick(500, 50), "/bin/sh -c :": pick(500, 50),
           "/usr/bin/python3 -c pass": pick(200, 20)}
JAVA_N = pick(100, 3)
JPYPE_N = pick(15, 2)
DLSYM_CALLS = pick(2_000_000, 200_000)
DLSYM_RUNS = pick(7, 2)
CG_DLSYM_CALLS = 100_000
PYTHON = "/usr/bin/python3"  # Debian's, where python3-jpype lives
JPYPE_JAR = "/usr/share/java/org.jpype.jar"
DRIVER_JARS = [("/usr/share/java/h2.jar", "jdbc:h2:mem:fgbench"),
               ("/usr/share/java/hsqldb.jar", "jdbc:hsqldb:mem:fgbench")]
INJECT_N = pick(15, 2)
INJECT_JARS = [("/usr/share/java/h2.jar", "jdbc:h2:mem:fgbench"),
               ("/usr/share/java/hsqldb.jar", "jdbc:hsqldb:mem:fgbench"),
               ("/usr/share/java/postgresql.jar", "jdbc:postgresql://127.0.0.1:1/fgbench")]


class BenchError(Exception):
    pass


class Bench:
    def __init__(self, args):
        self.out = args.out
        self.docs = args.docs
        self.raw = os.path.join(args.out, "raw")
        os.makedirs(self.raw, exist_ok=True)
        self.lib = args.lib
        self.empty = args.empty if args.empty and os.path.exists(args.empty) else None
        self.classes = args.classes
        self.here = os.path.dirname(os.path.abspath(__file__))
        self.jdks = []  # (name, home)
        for spec in args.jdk:
            name, home = spec.split("=", 1)
            self.jdks.append((name, home))
        self.rows = []  # table rows
        self.figures = []  # (name, value, unit)
        self.failures = []
        self.n_raw = 0

    # --- running things -------------------------------------------------
    def env(self, preload=False, **extra):
        e = {k: v for k, v in os.environ.items()
             if k != "LD_PRELOAD" and not k.startswith("FORKGUARD_")}
        if preload:
            e["LD_PRELOAD"] = self.lib
        e.update(extra)
        return e

    def run(self, tag, cmd, env, timeout=600):
        """Runs cmd, keeps its output under raw/, returns stdout."""
        self.n_raw += 1
        base = os.path.join(self.raw, "%03d-%s" % (self.n_raw, tag))
        try:
            p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=timeout, text=True)
        except subprocess.TimeoutExpired:
            raise BenchError("%s: timed out after %d s: %s" % (tag, timeout, " ".join(cmd)))
        with open(base + ".out", "w") as f:
            f.write(p.stdout)
        with open(base + ".err", "w") as f:
            f.write(p.stderr)
        if p.returncode != 0:
            raise BenchError("%s: exit %d: %s: %s" % (tag, p.returncode, " ".join(cmd),
                                                      p.stderr.strip()[-400:]))
        return p.stdout

    def section(self, title, fn, *args):
        if ONLY and fn.__name__ not in ONLY:
            return
        t0 = time.monotonic()
        print("bench.py: running %s" % title, file=sys.stderr, flush=True)
        try:
            fn(*args)
        except BenchError as e:
            self.failures.append(str(e))
            self.row(title, "—", "—", "failed to run", "", "error: see below")
        print("bench.py: %s took %.0f s" % (title, time.monotonic() - t0), file=sys.stderr,
              flush=True)

    def optional(self, fn, *args):
        """A part whose failure (valgrind missing, say) costs its own figures
        only: reported at the end, the rest of the section goes on."""
        try:
            return fn(*args)
        except BenchError as e:
            self.failures.append(str(e))
            return None

    # --- reporting ------------------------------------------------------
    def figure(self, name, value, unit):
        self.figures.append((name, value, unit))

    def row(self, what, without, with_, ratio, target, verdict, floor=""):
        """One table row. floor: the least the same work could cost, printed
        beside the figure so that the distance to the limit shows in one run
        (an empty preloaded library for start-up, one copy-on-write fault for
        the child, ...); empty where the "without" column is the floor."""
        self.rows.append([what, without, with_, floor, ratio, target, verdict])

    # --- 1. the parent's JNI hot path -------------------------------------
    def jni(self, jdk, home):
        host = os.path.join(self.out, "jvmhost-" + jdk)
        opts = "-Xms64m"
        runs = {"without": [], "with": []}
        for i in range(JNI_RUNS):
            order = ["without", "with"] if i % 2 == 0 else ["with", "without"]
            for v in order:
                out = self.run("jni%s-%s" % (jdk, v),
                               [host, "jni", str(JNI_CALLS), str(JNI_CHUNKS), str(JNI_WARMUP)],
                               self.env(v == "with", BENCH_CLASSPATH=self.classes,
                                        BENCH_JVM_OPTS=opts), timeout=300)
                runs[v].append(parse_jni(out))
        xcheck = []
        for i in range(XCHECK_RUNS):
            out = self.run("jni%s-xcheck" % jdk,
                           [host, "jni", str(JNI_CALLS), str(JNI_CHUNKS), str(JNI_WARMUP)],
                           self.env(False, BENCH_CLASSPATH=self.classes,
                                    BENCH_JVM_OPTS=opts + " -Xcheck:jni"), timeout=300)
            xcheck.append(parse_jni(out))
        instr = self.optional(self.callgrind, jdk, host, opts)
        create = self.optional(self.callgrind_create, jdk, host, opts)

        labels = {"getversion": "GetVersion", "callstatic": "CallStaticIntMethod + ExceptionCheck",
                  "arraylength": "GetArrayLength"}
        for kind, label in labels.items():
            wo = [r[kind] for r in runs["without"]]
            wi = [r[kind] for r in runs["with"]]
            xc = [r[kind] for r in xcheck]
            name = "jni_%s_jdk%s" % (kind, jdk)
            ratio, lo, hi = paired_ratio(wo, wi)
            self.figure(name + "_without", statistics.median(wo), "ns")
            self.figure(name + "_with", statistics.median(wi), "ns")
            self.figure(name + "_ratio", ratio, "x")
            self.figure(name + "_xcheck", statistics.median(xc), "ns")
            what = "JNI %s, JDK %s: ns/call (10M calls, %d runs each)" % (label, jdk, JNI_RUNS)
            xratio = statistics.median(xc) / statistics.median(wo)
            if not instr:
                self.row(what, "%.2f" % statistics.median(wo), "%.2f" % statistics.median(wi),
                         ratio_text(ratio, lo, hi), "1.00x", "instructions not counted")
                self.row("  reference: the same with -Xcheck:jni instead of forkguard",
                         "%.2f" % statistics.median(wo), "%.2f" % statistics.median(xc),
                         "%.2fx" % xratio, "", "")
                continue
            iw, iwo, ix = (instr[v][kind] / CG_CALLS for v in ("with", "without", "xcheck"))
            same = instr["with"][kind] == instr["without"][kind]
            self.figure(name + "_instr_without", iwo, "instr")
            self.figure(name + "_instr_with", iw, "instr")
            self.figure(name + "_xcheck_instr", ix, "instr")
            self.row(what + " · instructions/call (callgrind)",
                     "%.2f ns · %.2f" % (statistics.median(wo), iwo),
                     "%.2f ns · %.2f" % (statistics.median(wi), iw),
                     "%s · %s" % (ratio_text(ratio, lo, hi), "instructions identical" if same
                                  else "%+.2f instructions/call" % (iw - iwo)),
                     "1.00x, same instructions", verdict_equal(ratio, lo, hi, same))
            self.row("  reference: the same with -Xcheck:jni instead of forkguard",
                     "%.2f ns · %.2f" % (statistics.median(wo), iwo),
                     "%.2f ns · %.2f" % (statistics.median(xc), ix),
                     "%.2fx · %.2fx instructions" % (xratio, ix / iwo), "", "")
        wo = [r["create"] for r in runs["without"]]
        wi = [r["create"] for r in runs["with"]]
        ratio, lo, hi = paired_ratio(wo, wi)
        added, add_lo, add_hi = paired_diff(wo, wi)
        self.figure("jni_create_vm_jdk%s_without" % jdk, statistics.median(wo), "ms")
        self.figure("jni_create_vm_jdk%s_with" % jdk, statistics.median(wi), "ms")
        self.figure("jni_create_vm_jdk%s_added" % jdk, added, "ms")
        self.row("JNI_CreateJavaVM in a C host (-ljvm), JDK %s, ms (%d runs each)" % (jdk, JNI_RUNS),
                 "%.1f" % statistics.median(wo), "%.1f" % statistics.median(wi),
                 "%s, %+.2f ms [%+.2f – %+.2f]" % (ratio_text(ratio, lo, hi), added, add_lo,
                                                   add_hi),
                 "≤ 1.01x", verdict_le(ratio, lo, hi, 1.01))
        if not create:
            return
        create_jvm, create_fg = create
        self.figure("jni_create_vm_jdk%s_instr_jvm" % jdk, create_jvm, "instr")
        self.figure("jni_create_vm_jdk%s_instr_forkguard" % jdk, create_fg - create_jvm, "instr")
        self.row("JNI_CreateJavaVM, JDK %s: instructions on the creating thread (callgrind: "
                 "libjvm's function, and forkguard's wrapper around it)" % jdk,
                 "%d" % create_jvm, "%d" % create_fg,
                 "%.4fx, %+d" % (create_fg / create_jvm, create_fg - create_jvm), "≤ 1.01x",
                 "met" if create_fg / create_jvm <= 1.01 else "MISSED")

    def callgrind(self, jdk, host, opts):
        """Exact instructions of each kind's loop: callgrind counts only this
        thread while the host toggles collection around the loop."""
        result = {}
        for v in ("without", "with", "xcheck"):
            extra = " -XX:-BackgroundCompilation" + (" -Xcheck:jni" if v == "xcheck" else "")
            counts = self.callgrind_dumps(
                "jni-jdk%s-%s" % (jdk, v), [host, "jni", str(CG_CALLS), "1", str(CG_WARMUP)],
                self.env(v == "with", BENCH_CLASSPATH=self.classes, BENCH_JVM_OPTS=opts + extra),
                {"getversion", "callstatic", "arraylength"})
            result[v] = {k: c[0] for k, c in counts.items()}
        return result

    def callgrind_create(self, jdk, host, opts):
        """Instructions in JNI_CreateJavaVM: libjvm's own, and inclusive of
        forkguard's wrapper (the host binds to it), from one profile."""
        self.callgrind_dumps("create-jdk%s" % jdk, [host, "jni", "1000", "1", "10"],
                             self.env(True, BENCH_CLASSPATH=self.classes, BENCH_JVM_OPTS=opts),
                             {"create"}, collect_at_start=True)
        path = self.dump_paths["create"][0]
        if not shutil_which("callgrind_annotate"):
            raise BenchError("callgrind_annotate not found (valgrind package)")
        p = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", path],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        jvm = fg = None
        for line in p.stdout.splitlines():
            m = re.match(r"\s*([\d,]+) .*:JNI_CreateJavaVM \[(.*)\]\s*$", line)
            if not m:
                continue
            n = int(m.group(1).replace(",", ""))
            if m.group(2).endswith("/libjvm.so"):
                jvm = n
            elif m.group(2) == self.lib:
                fg = n
        if not jvm or not fg:
            raise BenchError("callgrind create %s: JNI_CreateJavaVM not found in %s" % (jdk, path))
        return jvm, fg

    # --- 2. fork() ----------------------------------------------------
    def fork(self, jdk, home):
        host = os.path.join(self.out, "jvmhost-" + jdk)
        variants = ["without", "off", "with"]
        # Per fork: parent ns, child's first line ns (both from before fork()),
        # the child's own CPU ns at its first line, one COW fault's ns, the
        # child's page faults before its first line, and that COW write's.
        samples = {v: [] for v in variants}
        per_round = {v: [] for v in variants}
        info = ""
        for r in range(FORK_ROUNDS):
            order = variants[r % 3:] + variants[:r % 3]
            for v in order:
                env = self.env(v != "without", BENCH_CLASSPATH=self.classes,
                               BENCH_JVM_OPTS="-Xms256m -Xmx512m")
                if v == "off":
                    env["FORKGUARD_MODE"] = "off"
                out = self.run("fork%s-%s" % (jdk, v),
                               [host, "fork", str(FORKS_PER_ROUND), str(FORK_HEAP_MB),
                                str(FORK_THREADS)], env, timeout=300)
                got = [tuple(int(x) for x in a[1:]) for a in
                       (l.split() for l in out.splitlines()) if a and a[0] == "fork"]
                if len(got) != FORKS_PER_ROUND or any(len(g) != 6 for g in got):
                    raise BenchError("fork %s %s: %d samples" % (jdk, v, len(got)))
                samples[v] += got
                per_round[v].append(statistics.median(g[0] for g in got))
                threads = re.search(r"^threads (\d+)", out, re.M)
                rss = re.search(r"^rss_mb (\d+)", out, re.M)
                sched = re.search(r"^sched (\S+)", out, re.M)
                info = "%s threads, %s MB resident%s" % (
                    threads.group(1), rss.group(1),
                    "" if sched.group(1) == "fifo-pinned" else ", default scheduling")
        instr = self.optional(self.callgrind_fork, jdk, host)
        calls = self.optional(self.strace_fork, jdk, host)
        where = self.optional(self.perf_fork_faults, jdk, host)
        par = {v: statistics.median(g[0] for g in samples[v]) / 1e3 for v in variants}
        chi = {v: statistics.median(g[1] for g in samples[v]) / 1e3 for v in variants}
        cpu = {v: [g[2] / 1e3 for g in samples[v]] for v in variants}
        cow, cow_lo, cow_hi = median_ci([g[3] / 1e3 for v in variants for g in samples[v]])
        faults = {v: statistics.median(g[4] for g in samples[v]) for v in variants}
        cow_faults = statistics.median(g[5] for v in variants for g in samples[v])
        ratio, lo, hi = paired_ratio(per_round["without"], per_round["with"])
        n = len(samples["with"])
        desc = "JDK %s, %s, %d forks" % (jdk, info, n)
        self.row("fork(): until it returns in the parent, µs (%s)" % desc,
                 "%.0f" % par["without"], "%.0f" % par["with"], ratio_text(ratio, lo, hi),
                 "≤ 1.01x", verdict_le(ratio, lo, hi, 1.01))
        first, first_lo, first_hi = shift_ci([g[1] / 1e3 for g in samples["without"]],
                                             [g[1] / 1e3 for g in samples["with"]])
        self.row("fork(): until the child's first line, µs (from before fork() in the parent)",
                 "%.0f" % chi["without"], "%.0f" % chi["with"],
                 "%.2fx, %+.0f µs [%+.0f – %+.0f]" % (
                     chi["with"] / chi["without"], first, first_lo, first_hi), "", "")
        # The child side: what the child itself ran before its first line,
        # read from its own CPU clock (zero when the kernel creates it), so
        # neither the parent's part nor the wait for a CPU is in it.
        med = {v: median_ci(cpu[v]) for v in variants}
        add, add_lo, add_hi = shift_ci(cpu["without"], cpu["with"])
        off, off_lo, off_hi = shift_ci(cpu["without"], cpu["off"])
        self.row("fork(): child side, the child's own CPU time from fork() to its first line, µs "
                 "(CLOCK_THREAD_CPUTIME_ID in the child, median [95%% CI] of %d; added: "
                 "Hodges-Lehmann [95%% CI]; floor: one copy-on-write fault)" % n,
                 "%.1f [%.1f–%.1f]" % med["without"], "%.1f [%.1f–%.1f]" % med["with"],
                 "+%.1f µs [%+.1f – %+.1f]; mode off: %+.1f µs [%+.1f – %+.1f]" % (
                     add, add_lo, add_hi, off, off_lo, off_hi), "≤ 10 µs added",
                 verdict_shift(add, add_lo, add_hi, 10),
                 floor="%.1f [%.1f–%.1f] (added ≈ %.1f faults%s)" % (
                     cow, cow_lo, cow_hi, max(add, 0) / cow,
                     "" if cow_faults == 1 else "; the probe took %g faults" % cow_faults))
        self.row("fork(): page faults in the child, fork() to its first line (getrusage in the "
                 "child, median)", "%g" % faults["without"], "%g" % faults["with"],
                 "%+g (mode off: %+g)" % (faults["with"] - faults["without"],
                                          faults["off"] - faults["without"]), "", "")
        if where:
            self.fork_fault_rows(where)
        if instr:
            for side in ("parent", "child"):
                wo, off_i, wi = (instr[v][side] for v in variants)
                self.row("fork(): user-space instructions in the %s, %s (callgrind)" % (
                    side, "fork() to its return" if side == "parent" else
                    "from glibc's _Fork() returning in it to its first line"),
                    "%d" % wo, "%d" % wi, "%+d (mode off: %+d)" % (wi - wo, off_i - wo), "", "")
                for v in variants:
                    self.figure("fork_%s_instr_jdk%s_%s" % (side, jdk, v), instr[v][side],
                                "instr")
        if calls:
            self.fork_syscall_rows(jdk, calls)
        self.figure("fork_parent_jdk%s_without" % jdk, par["without"], "us")
        self.figure("fork_parent_jdk%s_off" % jdk, par["off"], "us")
        self.figure("fork_parent_jdk%s_with" % jdk, par["with"], "us")
        self.figure("fork_parent_jdk%s_ratio" % jdk, ratio, "x")
        self.figure("fork_child_first_line_jdk%s_without" % jdk, chi["without"], "us")
        self.figure("fork_child_first_line_jdk%s_off" % jdk, chi["off"], "us")
        self.figure("fork_child_first_line_jdk%s_with" % jdk, chi["with"], "us")
        for v in variants:
            self.figure("fork_child_cpu_jdk%s_%s" % (jdk, v), med[v][0], "us")
        self.figure("fork_child_cpu_added_jdk%s" % jdk, add, "us")
        self.figure("fork_child_cpu_added_jdk%s_ci_low" % jdk, add_lo, "us")
        self.figure("fork_child_cpu_added_jdk%s_ci_high" % jdk, add_hi, "us")
        self.figure("fork_child_cpu_added_mode_off_jdk%s" % jdk, off, "us")
        self.figure("fork_child_cow_fault_jdk%s" % jdk, cow, "us")
        for v in variants:
            self.figure("fork_child_faults_jdk%s_%s" % (jdk, v), faults[v], "faults")

    def fork_syscall_rows(self, jdk, calls):
        def text(counts):
            total = sum(counts.values())
            return "%d: %s" % (total, ", ".join(
                "%s %d" % (name, k) if k > 1 else name
                for name, k in sorted(counts.items(), key=lambda x: (-x[1], x[0]))))
        wo, off, wi = (calls[v] for v in ("without", "off", "with"))
        self.row("fork(): system calls in the child, fork() to its first line (strace -f, "
                 "every child alike)", text(wo), text(wi),
                 "%+d (mode off: %+d)" % (sum(wi.values()) - sum(wo.values()),
                                          sum(off.values()) - sum(wo.values())), "", "")
        sig = {v: calls[v].get("rt_sigaction", 0) for v in calls}
        self.row("  of which rt_sigaction (the reset of the signals libjvm handles; "
                 "without / mode off / block)", "%d" % sig["without"], "%d" % sig["with"],
                 "mode off: %d" % sig["off"], "", "")
        for v in ("without", "off", "with"):
            self.figure("fork_child_syscalls_jdk%s_%s" % (jdk, v), sum(calls[v].values()),
                        "calls")
            self.figure("fork_child_rt_sigaction_jdk%s_%s" % (jdk, v), sig[v], "calls")

    def fork_fault_rows(self, where):
        def text(diff):
            if not diff:
                return "none"
            return "; ".join("%s%s" % (what, " ×%d" % k if k > 1 else "")
                             for what, k in sorted(diff.items()))
        for v, label in (("with", "block"), ("off", "mode off")):
            added = where[v] - where["without"]
            gone = where["without"] - where[v]
            self.row("  the page faults forkguard adds to the child, %s (perf record -e "
                     "page-faults; code: the function whose page was mapped in, data: the page "
                     "and the function that wrote it)" % label, "", text(added),
                     "%+d%s" % (sum(added.values()) - sum(gone.values()),
                                "; fewer: " + text(gone) if gone else ""), "", "")

    def perf_fork_faults(self, jdk, host):
        """Where each child's page faults are, in its whole life (the part
        after its first line is the same with and without forkguard):
        {variant: Counter of places}, a place being the code page's function
        (an instruction fetch: a library's text is mapped in again in a
        child) or the data page's object and symbol with the function that
        wrote it (copy-on-write)."""
        if not shutil_which("perf"):
            raise BenchError("perf not found (apt-get install linux-perf, as root)")
        line_re = re.compile(r"^\s*(\d+)/(\d+)\s+([0-9a-f]+)\s+(\S+)\s+\((.*?)\)\s+"
                             r"([0-9a-f]+)\s+(\S+)\s+\((.*?)\)\s*$")
        result = {}
        for v in ("without", "off", "with"):
            env = self.env(v != "without", BENCH_CLASSPATH=self.classes, BENCH_JVM_OPTS="-Xms64m")
            if v == "off":
                env["FORKGUARD_MODE"] = "off"
            data = os.path.join(self.raw, "perf-fork-jdk%s-%s.data" % (jdk, v))
            self.run("perf-fork-jdk%s-%s" % (jdk, v),
                     ["perf", "record", "-q", "-e", "page-faults", "-c", "1", "-d", "-o", data,
                      "--", host, "fork", str(STRACE_FORKS), "20", str(FORK_THREADS)], env)
            out = self.run("perf-script-fork-jdk%s-%s" % (jdk, v),
                           ["perf", "script", "-i", data, "-F", "pid,tid,addr,ip,sym,dso"],
                           self.env(False))
            per_pid = {}
            for line in out.splitlines():
                m = line_re.match(line)
                if not m:
                    continue
                pid, addr, asym, adso, ip, sym, dso = (m.group(1), m.group(3), m.group(4),
                                                       m.group(5), m.group(6), m.group(7),
                                                       m.group(8))
                if addr == ip:
                    place = "code %s (%s)" % (sym, os.path.basename(dso))
                elif adso == "[stack]":
                    place = "data stack"  # whoever gets there first: not a writer's
                else:
                    obj = os.path.basename(adso).strip("/[]") or "?"
                    place = "data %s%s by %s" % (
                        obj, "" if asym == "[unknown]" else " " + asym, sym)
                per_pid.setdefault(pid, collections.Counter())[place] += 1
            if not per_pid:
                raise BenchError("perf fork %s: no page-fault samples" % v)
            main = max(per_pid, key=lambda p: sum(per_pid[p].values()))
            children = sorted((c for p, c in per_pid.items() if p != main),
                              key=lambda c: sum(c.values()))
            if len(children) != STRACE_FORKS:
                raise BenchError("perf fork %s: %d children, expected %d"
                                 % (v, len(children), STRACE_FORKS))
            # The places most children share: a stack page more or less
            # (its randomised offset) moves one child, not this.
            common = collections.Counter(frozenset(c.items()) for c in children)
            top, k = common.most_common(1)[0]
            result[v] = (collections.Counter(dict(top)) if k > 1
                         else children[len(children) // 2])
        return result

    def strace_fork(self, jdk, host):
        """System calls each child makes from fork() to its first line, which
        the child marks with a failing access() of a path nobody uses. Every
        child must make the same ones: {variant: Counter of names}."""
        if not shutil_which("strace"):
            raise BenchError("strace not found (apt-get install strace, as root)")
        result = {}
        for v in ("without", "off", "with"):
            env = self.env(v != "without", BENCH_CLASSPATH=self.classes,
                           BENCH_JVM_OPTS="-Xms64m", BENCH_CHILD_MARK="1")
            if v == "off":
                env["FORKGUARD_MODE"] = "off"
            prefix = os.path.join(self.raw, "strace-fork-jdk%s-%s" % (jdk, v))
            for old in glob.glob(prefix + ".*"):
                os.unlink(old)
            self.run("strace-fork-jdk%s-%s" % (jdk, v),
                     ["strace", "-f", "-qq", "-ff", "-e", "signal=none", "-o", prefix,
                      host, "fork", str(STRACE_FORKS), "20", str(FORK_THREADS)], env)
            children = []
            for path in glob.glob(prefix + ".*"):
                with open(path, errors="replace") as f:
                    lines = f.read().splitlines()
                mark = [i for i, l in enumerate(lines) if CHILD_MARK in l]
                if not mark:
                    os.unlink(path)  # a JVM thread's: only the children's are kept
                    continue
                names = [m.group(1) for m in
                         (re.match(r"(\w+)\(", l) for l in lines[:mark[0]]) if m]
                children.append(collections.Counter(names))
            if len(children) != STRACE_FORKS:
                raise BenchError("strace fork %s: %d marked children, expected %d"
                                 % (v, len(children), STRACE_FORKS))
            if any(c != children[0] for c in children):
                raise BenchError("strace fork %s: the children made different system calls: %s"
                                 % (v, "; ".join(str(dict(c)) for c in children)))
            result[v] = children[0]
        return result

    def callgrind_fork(self, jdk, host):
        """User-space instructions of one fork, each side, in steady state
        (the median of CG_FORKS). A child starts with a copy of its parent's
        counters, which hold the parent's work before the fork system call
        (forkguard's capture of the fork site, glibc's prepare work): a dump
        when glibc's _Fork returns, in each process, splits them off. The
        parent's figure is its two parts, the child's only its own, from
        _Fork's return in the child to its first line."""
        trigger = "--dump-after=" + FORK_SYSCALL_FN
        result = {}
        for v in ("without", "off", "with"):
            # A small heap: user-space work does not depend on it; threads do.
            env = self.env(v != "without", BENCH_CLASSPATH=self.classes, BENCH_JVM_OPTS="-Xms64m")
            if v == "off":
                env["FORKGUARD_MODE"] = "off"
            self.callgrind_dumps(
                "fork-jdk%s-%s" % (jdk, v), [host, "fork", str(CG_FORKS), "20", str(FORK_THREADS)],
                env, {"fork_parent", "fork_child"}, options=[trigger])
            parent, child = [], []
            for prev, cur in zip(self.dump_seq, self.dump_seq[1:]):
                if prev[0] != cur[0] or prev[2] != trigger:
                    continue
                if cur[2] == "Client Request: fork_parent":
                    parent.append(prev[3] + cur[3])
                elif cur[2] == "Client Request: fork_child":
                    child.append(cur[3])
            if len(parent) != CG_FORKS or len(child) != CG_FORKS:
                raise BenchError("callgrind fork %s: %d parent and %d child profiles split at "
                                 "%s's return, expected %d" % (v, len(parent), len(child),
                                                               FORK_SYSCALL_FN, CG_FORKS))
            result[v] = {"parent": int(statistics.median(parent)),
                         "child": int(statistics.median(child))}
        return result

    # --- 3. programs that never use a JVM --------------------------------
    def startup(self):
        spawn = os.path.join(self.out, "spawnbench")
        variants = self.start_variants()
        for cmdline, n in START_N.items():
            cmd = cmdline.split()
            slug = re.sub(r"[^a-z0-9]+", "_", cmdline.split("/")[-1]).strip("_")
            runs = self.spawn_runs("start-" + cmd[0].split("/")[-1], spawn, n, 10, cmd,
                                   [spec for _, spec in variants])
            runs = {name: runs[i] for i, (name, _) in enumerate(variants)}
            instr = {v: self.optional(self.callgrind_startup, "start-%s-%s" % (slug, v), cmd,
                                      self.variant_env(v), self.variant_prefix(v))
                     for v, _ in variants}
            if instr["without"] and instr["with"]:
                self.startup_instruction_rows(cmdline, slug, instr)
            if cmdline == "/bin/true":
                counts = {v: self.optional(self.ld_debug_counts, "ld-debug-%s-%s" % (slug, v), cmd,
                                           self.variant_env(v)) for v, _ in variants}
                if counts["without"] and counts["with"]:
                    self.loader_count_rows(cmdline, counts)
            # The target for programs without a JVM: what an empty
            # preloaded library costs, within noise (a ratio against the
            # program alone when the empty library did not run).
            self.timing_rows("start-up `%s`" % cmdline, "start_" + slug, runs, n, 1e3, "µs",
                             "%.0f", 1.02, against_empty=True)

    def timing_rows(self, what, name, runs, n, scale, unit, fmt, limit, against_empty=False):
        """A wall and a cpu row from interleaved runs ({variant: [(wall ns,
        cpu ns)]}, the i-th runs side by side): medians, the paired ratio
        and the paired difference with their intervals, and the empty
        library's figures as the floor when it ran. against_empty: judged
        by the run-by-run difference with forkguard - with the empty
        library (met when its interval reaches 0 or below), not by limit."""
        sfmt = "%+" + fmt[1:]  # the same, signed
        funit = unit.replace("µ", "u")  # the bench: lines stay ASCII
        for kind, k in (("wall", 0), ("cpu", 1)):
            wo = [r[k] / scale for r in runs["without"]]
            wi = [r[k] / scale for r in runs["with"]]
            ratio, lo, hi = paired_ratio(wo, wi)
            add, add_lo, add_hi = paired_diff(wo, wi)
            floor = ""
            if "empty" in runs:
                we = [r[k] / scale for r in runs["empty"]]
                eadd, eadd_lo, eadd_hi = paired_diff(wo, we)
                floor = ("%s (%s [%s – %s])" % (fmt, sfmt, sfmt, sfmt)) % (
                    statistics.median(we), eadd, eadd_lo, eadd_hi)
                self.figure("%s_%s_empty" % (name, kind), statistics.median(we), funit)
                self.figure("%s_%s_empty_added" % (name, kind), eadd, funit)
            self.figure("%s_%s_without" % (name, kind), statistics.median(wo), funit)
            self.figure("%s_%s_with" % (name, kind), statistics.median(wi), funit)
            self.figure("%s_%s_added" % (name, kind), add, funit)
            self.figure("%s_%s_ratio" % (name, kind), ratio, "x")
            ratio_cell = ("%%s, %s %%s [%s – %s]" % (sfmt, sfmt, sfmt)) % (
                ratio_text(ratio, lo, hi), add, unit, add_lo, add_hi)
            target, verdict = "≤ %.2fx" % limit, verdict_le(ratio, lo, hi, limit)
            if against_empty and "empty" in runs:
                over, over_lo, over_hi = paired_diff(we, wi)
                self.figure("%s_%s_over_empty" % (name, kind), over, funit)
                ratio_cell += ("; against the empty library %s %%s [%s – %s]" % (
                    sfmt, sfmt, sfmt)) % (over, unit, over_lo, over_hi)
                target = "within noise of the empty library"
                verdict = ("met" if over_hi <= 0 else "met (within noise)" if over_lo <= 0
                           else "MISSED")
            self.row("%s, %s time, %s (%d runs each%s)" % (
                what, kind, unit, n, "; floor: an empty library preloaded" if floor else ""),
                fmt % statistics.median(wo), fmt % statistics.median(wi), ratio_cell,
                target, verdict, floor=floor)

    def start_variants(self):
        """(name, spawnbench variant) of a start-up measurement. The floor:
        the same program with an empty library preloaded, the least any
        preloaded library costs (its file opened, mapped and relocated, one
        more object in every symbol search)."""
        variants = [("without", "-"), ("with", "LD_PRELOAD=" + self.lib)]
        if self.empty:
            variants.append(("empty", "LD_PRELOAD=" + self.empty))
        return variants

    def variant_env(self, v):
        if v == "empty":
            return self.env(False, LD_PRELOAD=self.empty)
        return self.env(v == "with")

    def variant_prefix(self, v):
        """What counts as the preloaded library in a profile: for forkguard,
        every object named libforkguard* in its directory (the always-loaded
        part and any part it loads later)."""
        # Profiles name objects by the path the kernel mapped: no symlinks.
        if v == "empty":
            return os.path.realpath(self.empty)
        if v == "with":
            return os.path.join(os.path.dirname(os.path.realpath(self.lib)), "libforkguard")
        return None

    def startup_instruction_rows(self, cmdline, slug, instr):
        wo, wi, em = instr["without"], instr["with"], instr.get("empty")
        for key in ("total", "reloc", "ctor", "dtor"):
            for v in ("without", "with", "empty"):
                if instr.get(v):  # the total keeps its earlier name
                    self.figure("start_%s_instr_%s%s" % (slug, "" if key == "total" else key + "_",
                                                         v), instr[v][key], "instr")
        added = wi["total"] - wo["total"]
        if em:
            eadded = em["total"] - wo["total"]
            floor = "%d (%+d)" % (em["total"], eadded)
            ratio = "%.3fx, %+d" % (wi["total"] / wo["total"], added)
            if eadded > 0:
                times = added / eadded
                verdict = "met" if times <= 2 else "MISSED"
                ratio += " (%.1fx the empty library's)" % times
            else:  # the program's own variation hides the floor
                verdict = "n/a (the empty library added %+d)" % eadded
        else:
            floor, verdict = "", "no empty library"
            ratio = "%.3fx, %+d" % (wi["total"] / wo["total"], added)
        self.row("start-up `%s`, user-space instructions (callgrind; floor: an empty library "
                 "preloaded)" % cmdline, "%d" % wo["total"], "%d" % wi["total"], ratio,
                 "≤ 2x the empty library's added", verdict, floor=floor)
        if cmdline != "/bin/true":
            return
        for key, what in (("reloc", "instructions in ld.so's relocation of all objects "
                                    "(callgrind: _dl_relocate_object, inclusive)"),
                          ("ctor", "instructions in the preloaded library's constructors "
                                   "(callgrind: calls from ld.so's init into it, inclusive)"),
                          ("dtor", "instructions in its destructors (calls from ld.so's fini)")):
            self.row("  `%s`: %s" % (cmdline, what), "%d" % wo[key], "%d" % wi[key],
                     "%+d" % (wi[key] - wo[key]), "", "",
                     floor="%d (%+d)" % (em[key], em[key] - wo[key]) if em else "")

    def loader_count_rows(self, cmdline, counts):
        wo, wi, em = counts["without"], counts["with"], counts.get("empty")
        for key, what in (("relocs", "symbol relocations (LD_DEBUG=statistics: "
                                     "\"number of relocations\")"),
                          ("cached", "of which from the lookup cache (\"from cache\")"),
                          ("relative", "relative relocations (no lookup)"),
                          ("lookups", "symbol lookups (LD_DEBUG=bindings: symbols bound)"),
                          ("searched", "objects searched in them (LD_DEBUG=symbols: one line "
                                       "per object looked in)")):
            self.row("  `%s`: %s" % (cmdline, what), "%d" % wo[key], "%d" % wi[key],
                     "%+d" % (wi[key] - wo[key]), "", "",
                     floor="%d (%+d)" % (em[key], em[key] - wo[key]) if em else "")
            for v in counts:
                if counts[v]:
                    self.figure("start_true_%s_%s" % (key, v), counts[v][key], "count")

    def callgrind_startup(self, tag, cmd, env, prefix):
        """One profile of the whole run: its total instructions; ld.so's
        relocation work (_dl_relocate_object, inclusive: every object's,
        lookups included, so with - without is what the preloaded library
        adds to it); and the instructions of ld.so's calls into the preloaded
        objects (path starting with prefix): constructors, from ld.so's init,
        and destructors, from its fini."""
        if not shutil_which("valgrind"):
            raise BenchError("valgrind not found (apt-get install valgrind, as root)")
        path = os.path.join(self.raw, "callgrind-%s.out" % tag)
        # Python's start-up work depends on its random hash seed by tens of
        # thousands of instructions, more than an empty library adds: fixed.
        env = dict(env, PYTHONHASHSEED="0")
        self.run("callgrind-" + tag, ["valgrind", "--tool=callgrind", "-q",
                                      "--compress-strings=no", "--compress-pos=no",
                                      "--callgrind-out-file=" + path] + cmd, env, timeout=300)
        r = callgrind_loader_costs(path, prefix)
        if r["total"] is None:
            raise BenchError("callgrind %s: no totals" % tag)
        if not r["reloc"]:
            raise BenchError("callgrind %s: no _dl_relocate_object in ld.so's profile (ld.so "
                             "without symbols? apt-get install libc6-dbg)" % tag)
        return r

    def ld_debug_counts(self, tag, cmd, env):
        """What the loader reports of its own work: relocations
        (LD_DEBUG=statistics), symbols bound and objects searched."""
        prefix = os.path.join(self.raw, tag)
        for old in glob.glob(prefix + ".*"):
            os.unlink(old)
        env = dict(env, LD_DEBUG="statistics,bindings,symbols", LD_DEBUG_OUTPUT=prefix)
        self.run(tag, cmd, env, timeout=60)
        files = glob.glob(prefix + ".*")
        if len(files) != 1:
            raise BenchError("%s: %d LD_DEBUG_OUTPUT files, expected 1" % (tag, len(files)))
        with open(files[0], errors="replace") as f:
            text = f.read()
        r = {}
        for key, label in (("relocs", "number of relocations"),
                           ("cached", "number of relocations from cache"),
                           ("relative", "number of relative relocations")):
            m = re.search(r"^\s*\d+:\s+%s: (\d+)$" % label, text, re.M)
            if not m:
                raise BenchError("%s: no \"%s\" in the loader's statistics" % (tag, label))
            r[key] = int(m.group(1))
        r["lookups"] = len(re.findall(r"binding file ", text))
        r["searched"] = len(re.findall(r"symbol=\S+;\s+lookup in file=", text))
        return r

    def callgrind_dumps(self, tag, cmd, env, names, collect_at_start=False, options=()):
        """Runs cmd under callgrind (collection off until the program turns it
        on, unless collect_at_start; more valgrind options in options);
        returns {dump name: [instructions...]} for its client-request dumps,
        and leaves their files in dump_paths and every dump, in order, in
        dump_seq: (pid, part, trigger, instructions)."""
        if not shutil_which("valgrind"):
            raise BenchError("valgrind not found (apt-get install valgrind, as root)")
        prefix = os.path.join(self.raw, "callgrind-" + tag)
        for old in glob.glob(prefix + ".*"):
            os.unlink(old)
        self.run("callgrind-" + tag, ["valgrind", "--tool=callgrind", "-q",
                                      "--collect-atstart=" + ("yes" if collect_at_start else "no"),
                                      "--callgrind-out-file=" + prefix + ".%p"]
                 + list(options) + cmd,
                 env, timeout=600)
        counts = {}
        self.dump_paths = {}
        self.dump_seq = []
        for path in glob.glob(prefix + ".*"):
            desc = trigger = total = None
            with open(path) as f:
                for line in f:
                    m = re.match(r"desc: Trigger: (\S.*)$", line)
                    if m:
                        trigger = m.group(1).strip()
                    m = re.match(r"desc: Trigger: Client Request: (\w+)", line)
                    if m:
                        desc = m.group(1)
                    m = re.match(r"totals: (\d+)", line)
                    if m:
                        total = int(m.group(1))
            # prefix.PID.PART, and prefix.PID for the dump at exit, the last
            parts = path[len(prefix) + 1:].split(".")
            self.dump_seq.append((int(parts[0]), int(parts[1]) if len(parts) > 1 else 1 << 30,
                                  trigger, total))
            if desc and total is not None:
                counts.setdefault(desc, []).append(total)
                self.dump_paths.setdefault(desc, []).append(path)
        self.dump_seq.sort()
        if not names <= set(counts):
            raise BenchError("callgrind %s: missing profiles %s (built without valgrind/callgrind.h?)"
                             % (tag, ", ".join(sorted(names - set(counts)))))
        return counts

    def spawn_runs(self, tag, spawn, n, warmup, cmd, variants, extra_env=None):
        """Runs cmd n times under each variant (spawnbench: "-" or a
        comma-separated VAR=VALUE list), interleaved; returns per variant the
        list of (wall ns, cpu ns), the i-th runs of all variants side by side."""
        out = self.run(tag, [spawn, str(n), str(warmup)] + variants + ["--"] + cmd,
                       self.env(False, **(extra_env or {})), timeout=600)
        runs = [[] for _ in variants]
        for line in out.splitlines():
            a = line.split()
            if a and a[0] == "run":
                runs[int(a[1])].append((int(a[2]), int(a[3])))
        if any(len(r) != n for r in runs):
            raise BenchError("%s: %s runs, expected %d each" % (tag, [len(r) for r in runs], n))
        return runs

    # --- 4. JVM start-up --------------------------------------------------
    def java_version(self, jdk, home):
        spawn = os.path.join(self.out, "spawnbench")
        variants = self.start_variants()
        runs = self.spawn_runs("java%s-version" % jdk, spawn, JAVA_N, 2,
                               [os.path.join(home, "bin", "java"), "-version"],
                               [spec for _, spec in variants])
        runs = {name: runs[i] for i, (name, _) in enumerate(variants)}
        self.timing_rows("`java -version`, JDK %s" % jdk, "java_version_jdk%s" % jdk, runs, JAVA_N,
                         1e6, "ms", "%.2f", 1.01)

    def jpype(self, jdk, home):
        script = os.path.join(self.here, "jpype_start.py")
        libjvm = os.path.join(home, "lib", "server", "libjvm.so")
        if not os.path.exists(JPYPE_JAR):
            raise BenchError("JPype: %s missing (apt-get install python3-jpype)" % JPYPE_JAR)
        jar = url = None
        for j, u in DRIVER_JARS:
            if os.path.exists(j):
                jar, url = j, u
                break
        inject = jar is not None
        variants = ["without", "with"] + (["inject"] if inject else [])
        ms = {v: [] for v in variants}
        cpu = {v: [] for v in variants}
        for i in range(JPYPE_N):
            order = variants[:] if i % 2 == 0 else variants[::-1]
            for v in order:
                if v not in variants:
                    continue
                env = self.env(v != "without")
                if v == "inject":
                    env["FORKGUARD_CLASSPATH"] = jar
                out = self.run("jpype%s-%s" % (jdk, v),
                               [PYTHON, script, libjvm] + ([url] if v == "inject" else []),
                               env, timeout=120)
                m = re.search(r"^startjvm_ms ([\d.]+)", out, re.M)
                if not m:
                    raise BenchError("jpype %s: no startjvm_ms line" % v)
                if v == "inject" and "driver yes" not in out:
                    inject = False  # the library does not inject (yet)
                    variants.remove("inject")
                    continue
                ms[v].append(float(m.group(1)))
                cpu[v].append(float(re.search(r"^startjvm_cpu_ms ([\d.]+)", out, re.M).group(1)))
        for kind, data in (("wall", ms), ("cpu", cpu)):
            wo, wi = data["without"], data["with"]
            ratio, lo, hi = paired_ratio(wo, wi)
            added = statistics.median(wi) - statistics.median(wo)
            name = "jpype_startjvm_jdk%s_%s" % (jdk, kind)
            self.figure(name + "_without", statistics.median(wo), "ms")
            self.figure(name + "_with", statistics.median(wi), "ms")
            self.figure(name + "_added", added, "ms")
            self.figure(name + "_ratio", ratio, "x")
            self.row("JPype `startJVM()`, JDK %s, %s time, ms (%d runs each)" % (jdk, kind, len(wo)),
                     "%.1f" % statistics.median(wo), "%.1f" % statistics.median(wi),
                     "%s, %+.2f ms" % (ratio_text(ratio, lo, hi), added), "≤ 1.01x",
                     verdict_le(ratio, lo, hi, 1.01))
        wi = ms["with"]
        label = "JPype `startJVM()` + `FORKGUARD_CLASSPATH` (one driver, isolated), ms"
        if not jar:
            self.row(label, "", "", "n/a (no JDBC driver jar: apt-get install libh2-java)",
                     "≤ 5 ms added", "")
        elif not inject:
            self.row(label, "", "", "n/a (classpath injection not implemented)",
                     "≤ 5 ms added", "")
        else:
            wc = ms["inject"]
            added_cp = statistics.median(wc) - statistics.median(wi)
            added_cpu = statistics.median(cpu["inject"]) - statistics.median(cpu["with"])
            self.figure("jpype_startjvm_inject_jdk%s_wall" % jdk, statistics.median(wc), "ms")
            self.figure("jpype_startjvm_inject_jdk%s_wall_added" % jdk, added_cp, "ms")
            self.figure("jpype_startjvm_inject_jdk%s_cpu_added" % jdk, added_cpu, "ms")
            self.row(label + " (%s; against forkguard without it; %d runs)" % (
                os.path.basename(jar), len(wc)),
                "%.1f" % statistics.median(wi), "%.1f" % statistics.median(wc),
                "%+.1f ms (CPU time %+.1f ms)" % (added_cp, added_cpu), "≤ 5 ms added",
                "met" if added_cp <= 5 else "MISSED")

    # --- 6. JDBC driver injection (FORKGUARD_CLASSPATH) --------------------
    def injection(self, jdk, home):
        """JPype startJVM() with FORKGUARD_CLASSPATH (isolated) of 1, 3 and 10
        drivers against forkguard without it; beside each, the floor: the
        same JARs appended with JVMTI AddToSystemClassLoaderSearch alone
        (tests/bench/jvmti_append.c, no forkguard) against no agent. 1: H2;
        3: H2, HSQLDB, PostgreSQL JDBC in one group; 10: ten groups of one
        driver each, copies of those three (distinct files, so that nothing
        is shared between them that two real drivers would not share)."""
        script = os.path.join(self.here, "jpype_inject.py")
        agent = os.path.join(self.out, "jvmti_append.so")
        libjvm = os.path.join(home, "lib", "server", "libjvm.so")
        real = [(j, u) for j, u in INJECT_JARS if os.path.exists(j)]
        if len(real) < len(INJECT_JARS) or not os.path.exists(JPYPE_JAR):
            raise BenchError("injection: needs %s and %s (python3-jpype, libh2-java, "
                             "libhsqldb-java, libpostgresql-jdbc-java)" % (
                                 JPYPE_JAR, ", ".join(j for j, _ in INJECT_JARS)))
        if not os.path.exists(agent):
            raise BenchError("injection: %s missing (tests/bench/run.sh builds it)" % agent)
        copies = os.path.join(self.out, "injection")
        os.makedirs(copies, exist_ok=True)
        ten = []
        for i in range(10):
            jar, url = real[i % len(real)]
            dst = os.path.join(copies, "%d-%s" % (i, os.path.basename(jar)))
            shutil_copy(jar, dst)
            ten.append((dst, url))
        sets = {1: (real[0][0], [real[0]]),
                3: (":".join(j for j, _ in real), real),
                10: (";".join(j for j, _ in ten), ten)}
        variants = ["with", "plain"] + ["fg%d" % k for k in sets] + ["floor%d" % k for k in sets]
        ms = {v: [] for v in variants}
        cpu = {v: [] for v in variants}
        thread = {v: [] for v in variants}  # the creating thread's CPU time: least disturbed
        for i in range(INJECT_N):
            for v in (variants if i % 2 == 0 else variants[::-1]):
                k = int(v[2:] if v.startswith("fg") else v[5:]) if v[-1].isdigit() else 0
                env = self.env(v == "with" or v.startswith("fg"))
                opts = []
                if v.startswith("fg"):
                    env["FORKGUARD_CLASSPATH"] = sets[k][0]
                elif v.startswith("floor"):
                    opts = ["-agentpath:%s=%s" % (agent, ":".join(j for j, _ in sets[k][1]))]
                urls = sorted(set(u for _, u in sets[k][1])) if k else []
                out = self.run("inject%s-%s" % (jdk, v), [PYTHON, script, libjvm] + opts + ["--"]
                               + urls, env, timeout=120)
                m = re.search(r"^startjvm_ms ([\d.]+)", out, re.M)
                c = re.search(r"^startjvm_cpu_ms ([\d.]+)", out, re.M)
                t = re.search(r"^startjvm_thread_cpu_ms ([\d.]+)", out, re.M)
                if not m or not c or not t or "drivers %d of %d" % (len(urls), len(urls)) not in out:
                    raise BenchError("injection %s: no timing, or a driver not found: %r"
                                     % (v, out[-200:]))
                ms[v].append(float(m.group(1)))
                cpu[v].append(float(c.group(1)))
                thread[v].append(float(t.group(1)))
        def added(data, base, v):  # the median of the run-by-run differences
            return statistics.median(b - a for a, b in zip(data[base], data[v]))

        targets = {1: 5.0, 3: 10.0}
        for k in sets:
            fg, floor = "fg%d" % k, "floor%d" % k
            name = "inject_%d_jdk%s" % (k, jdk)
            for kind, data in (("wall", ms), ("cpu", cpu), ("thread_cpu", thread)):
                self.figure("%s_%s_added" % (name, kind), added(data, "with", fg), "ms")
                self.figure("%s_floor_%s_added" % (name, kind), added(data, "plain", floor), "ms")
            wall = added(ms, "with", fg)
            target = targets.get(k)
            self.row("JDBC injection, JDK %s: JPype `startJVM()` + `FORKGUARD_CLASSPATH` (isolated), "
                     "%d driver%s, ms (against forkguard without it; %d runs, medians of the "
                     "run-by-run differences)" % (jdk, k, "" if k == 1 else "s", len(ms["with"])),
                     "%.1f" % statistics.median(ms["with"]), "%.1f" % statistics.median(ms[fg]),
                     "%+.1f ms (creating thread's CPU time %+.1f ms, process CPU time %+.1f ms)" % (
                         wall, added(thread, "with", fg), added(cpu, "with", fg)),
                     "≤ %g ms added" % target if target else "",
                     verdict_added(wall, added(thread, "with", fg), target) if target else "")
            self.row("  floor: the same JARs appended by JVMTI AddToSystemClassLoaderSearch "
                     "alone (an agent, no forkguard), against no agent",
                     "%.1f" % statistics.median(ms["plain"]),
                     "%.1f" % statistics.median(ms[floor]),
                     "%+.1f ms (creating thread's CPU time %+.1f ms, process CPU time %+.1f ms)" % (
                         added(ms, "plain", floor), added(thread, "plain", floor),
                         added(cpu, "plain", floor)), "", "")

    # --- 5. dlsym ---------------------------------------------------------
    def dlsym(self):
        prog = os.path.join(self.out, "dlsymbench")
        runs = {"without": [], "with": []}
        for i in range(DLSYM_RUNS):
            order = ["without", "with"] if i % 2 == 0 else ["with", "without"]
            for v in order:
                out = self.run("dlsym-" + v, [prog, str(DLSYM_CALLS), "10"], self.env(v == "with"))
                runs[v].append({a[1]: float(a[2]) for a in (l.split() for l in out.splitlines())
                                if a and a[0] == "dlsym"})
        instr = {}
        for v in ("without", "with"):
            counts = self.optional(self.callgrind_dumps, "dlsym-" + v,
                                   [prog, str(CG_DLSYM_CALLS), "1"], self.env(v == "with"),
                                   {"default", "handle", "next"})
            instr[v] = {k: c[0] for k, c in counts.items()} if counts else None
        labels = {"default": "dlsym(RTLD_DEFAULT, \"printf\")",
                  "handle": "dlsym(handle of libm, \"cos\")",
                  "next": "dlsym(RTLD_NEXT, \"printf\")"}
        for kind, label in labels.items():
            wo = [r[kind] for r in runs["without"]]
            wi = [r[kind] for r in runs["with"]]
            ratio, lo, hi = paired_ratio(wo, wi)
            added, add_lo, add_hi = paired_diff(wo, wi)
            self.figure("dlsym_%s_without" % kind, statistics.median(wo), "ns")
            self.figure("dlsym_%s_with" % kind, statistics.median(wi), "ns")
            self.figure("dlsym_%s_added" % kind, added, "ns")
            if not instr["without"] or not instr["with"]:
                self.row("%s: ns/call (%d runs each)" % (label, DLSYM_RUNS),
                         "%.1f" % statistics.median(wo), "%.1f" % statistics.median(wi),
                         "%s, %+.1f ns [%+.1f – %+.1f]" % (ratio_text(ratio, lo, hi), added,
                                                           add_lo, add_hi), "", "")
                continue
            iwo = instr["without"][kind] / CG_DLSYM_CALLS
            iwi = instr["with"][kind] / CG_DLSYM_CALLS
            self.figure("dlsym_%s_instr_without" % kind, iwo, "instr")
            self.figure("dlsym_%s_instr_with" % kind, iwi, "instr")
            # Only the difference: under valgrind the search scope holds its own
            # preloaded object and glibc picks string functions for valgrind's
            # virtual CPU, so absolute counts are not the native ones.
            self.row("%s: ns/call (%d runs each); instructions added (callgrind)" % (
                label, DLSYM_RUNS),
                "%.1f" % statistics.median(wo), "%.1f" % statistics.median(wi),
                "%s, %+.1f ns [%+.1f – %+.1f] · %+.0f instructions" % (
                    ratio_text(ratio, lo, hi), added, add_lo, add_hi, iwi - iwo), "", "")

    # --- the whole run ----------------------------------------------------
    def machine(self):
        model, cores = "?", os.cpu_count()
        try:
            with open("/proc/cpuinfo") as f:
                m = re.search(r"^model name\s*:\s*(.*)$", f.read(), re.M)
                model = m.group(1) if m else model
        except OSError:
            pass
        lines = ["machine: %s, %s CPUs, Linux %s, glibc %s" % (
            model, cores, platform.release(), os.confstr("CS_GNU_LIBC_VERSION").split()[-1])]
        for name, home in self.jdks:
            p = subprocess.run([os.path.join(home, "bin", "java"), "-version"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            first = [l for l in p.stdout.splitlines() if "Runtime Environment" in l]
            lines.append("jdk %s: %s" % (name, first[0].strip() if first else p.stdout.strip()))
        lines.append("forkguard: %s" % self.describe_build())
        return lines

    def describe_build(self):
        root = os.path.dirname(os.path.dirname(self.here))
        try:
            sha = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                 text=True).stdout.strip()
            dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "--",
                                    "preload", "hooks", "include"], stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True).stdout.strip()
        except OSError:
            sha, dirty = "", ""
        return "%s (git %s%s)" % (self.lib, sha or "?", " + uncommitted changes" if dirty else "")

    def main(self):
        t0 = time.monotonic()
        header = self.machine()
        header.append("load average at start: %s" % loadavg())
        for name, home in self.jdks:
            self.section("JNI hot path, JDK %s" % name, self.jni, name, home)
        name, home = self.jdks[0]
        self.section("fork(), JDK %s" % name, self.fork, name, home)
        self.section("start-up of programs without a JVM", self.startup)
        for name, home in self.jdks:
            self.section("java -version, JDK %s" % name, self.java_version, name, home)
        name, home = self.jdks[0]
        self.section("JPype startJVM, JDK %s" % name, self.jpype, name, home)
        self.section("dlsym pass-through", self.dlsym)
        self.section("JDBC driver injection, JDK %s" % self.jdks[0][0], self.injection, *self.jdks[0])
        header.append("load average at end: %s; %.0f s in all" % (loadavg(), time.monotonic() - t0))

        table = ["| measurement | without forkguard | with forkguard | floor "
                 "| ratio [95% CI] / added | target | verdict |", "|---|---:|---:|---:|---|---|---|"]
        for r in self.rows:
            table.append("| " + " | ".join(r) + " |")
        text = "\n".join(header) + "\n\n" + "\n".join(table) + "\n"
        with open(os.path.join(self.out, "table.md"), "w") as f:
            f.write(text)
        if self.docs and not self.failures and not ONLY:
            update_docs(self.docs, text)
        print(text)
        for name, value, unit in self.figures:
            print("bench: %s %s %s" % (name, fmt_value(value), unit))
        if self.failures:
            for msg in dict.fromkeys(self.failures):  # each message once, in order
                print("bench.py: error: %s" % msg, file=sys.stderr)
            print("bench.py: %d part(s) failed to run (raw output in %s)" % (len(self.failures),
                                                                          self.raw),
                  file=sys.stderr)
            return 1
        return 0


def update_docs(path, text):
    """Replaces what lies between the bench markers of docs/performance.md."""
    begin, end = "<!-- bench:begin -->\n", "<!-- bench:end -->"
    with open(path) as f:
        page = f.read()
    a, b = page.find(begin), page.find(end)
    if a < 0 or b < a:
        print("bench.py: %s has no bench markers; not updated" % path, file=sys.stderr)
        return
    with open(path, "w") as f:
        f.write(page[:a + len(begin)] + text + "\n" + page[b:])


# --- statistics and formatting ---------------------------------------------
def parse_jni(out):
    r = {}
    for line in out.splitlines():
        a = line.split()
        if a and a[0] == "jni":
            r[a[1]] = float(a[2])  # the fastest chunk of the run
        elif a and a[0] == "create_ms":
            r["create"] = float(a[1])
    if set(r) != {"getversion", "callstatic", "arraylength", "create"}:
        raise BenchError("jvmhost jni: incomplete output: %r" % out[-300:])
    return r


def paired_ratio(without, with_):
    """The median of the run-by-run ratios with/without (runs interleaved, so
    each pair saw the same machine), and a distribution-free 95% confidence
    interval of that median (order statistics of the binomial)."""
    ratios = sorted(b / a for a, b in zip(without, with_))
    n = len(ratios)
    k = max(0, int(math.floor((n - 1.96 * math.sqrt(n)) / 2)))
    return statistics.median(ratios), ratios[k], ratios[n - 1 - k]


def callgrind_loader_costs(path, prefix):
    """From a callgrind profile written with --compress-strings=no and
    --compress-pos=no: total instructions; the inclusive instructions of
    ld.so's _dl_relocate_object; those of ld.so's calls into the objects
    whose path starts with prefix (None: none), split into calls from its
    fini functions (destructors) and from the rest (constructors). A call
    line's next line holds the call's inclusive cost; cob= names the callee's
    object for the next call only (the caller's object otherwise)."""
    r = {"total": None, "reloc": 0, "ctor": 0, "dtor": 0}
    ob = fn = cob = None
    with open(path, errors="replace") as f:
        lines = iter(f)
        for line in lines:
            if line.startswith("ob="):
                ob = line[3:].strip()
            elif line.startswith("fn="):
                fn = line[3:].strip()
            elif line.startswith("cob="):
                cob = line[4:].strip()
            elif line.startswith("calls="):
                cost = int(next(lines).split()[1])
                callee = cob or ob
                cob = None
                if "/ld-linux" not in ob:
                    continue
                if fn == "_dl_relocate_object":
                    r["reloc"] += cost
                if prefix and callee.startswith(prefix):
                    r["dtor" if "fini" in fn else "ctor"] += cost
            elif line[:1].isdigit():
                if fn == "_dl_relocate_object" and "/ld-linux" in ob:
                    r["reloc"] += int(line.split()[1])
            elif line.startswith("totals:"):
                r["total"] = int(line.split()[1])
    return r


def paired_diff(without, with_):
    """The median of the run-by-run differences with - without, and its 95%
    confidence interval (runs interleaved, as for paired_ratio)."""
    return median_ci([b - a for a, b in zip(without, with_)])


def median_ci(xs):
    """The median and a distribution-free 95% confidence interval of it."""
    xs = sorted(xs)
    n = len(xs)
    k = max(0, int(math.floor((n - 1.96 * math.sqrt(n)) / 2)))
    return statistics.median(xs), xs[k], xs[n - 1 - k]


def shift_ci(without, with_):
    """How much larger with_ is than without, for two independent samples:
    the Hodges-Lehmann estimate (the median of all pairwise differences) and
    its distribution-free 95% confidence interval (from the Mann-Whitney
    statistic). Unlike a difference of two medians, the interval says how
    far noise alone could move it."""
    d = sorted(b - a for a in without for b in with_)
    n, m = len(without), len(with_)
    nm = n * m
    k = int(math.floor(nm / 2 - 1.96 * math.sqrt(nm * (n + m + 1) / 12)))
    k = min(max(k, 0), nm - 1)
    return statistics.median(d), d[k], d[nm - 1 - k]


def verdict_shift(est, lo, hi, limit):
    """An added cost with its interval, against an upper limit."""
    if hi <= limit:
        return "met"
    if est <= limit:
        return "met (within noise)"
    if lo > limit:
        return "MISSED"
    return "missed (within noise)"


def ratio_text(ratio, lo, hi):
    return "%.3fx [%.3f–%.3f]" % (ratio, lo, hi)


def verdict_le(ratio, lo, hi, limit):
    if hi <= limit:
        return "met"
    if ratio <= limit:
        return "met (within noise)"
    if lo > limit:
        return "MISSED"
    return "missed (within noise)"


def verdict_equal(ratio, lo, hi, same_instructions):
    if not same_instructions:
        return "MISSED"
    if lo <= 1.0 <= hi or round(ratio, 2) == 1.0:
        return "met"
    return "met (instructions identical; time within noise)"


def verdict_added(wall, thread_cpu, target):
    """Wall time decides; when only the thread's CPU time (which other load
    on the machine barely moves) meets the target, the miss is called noise."""
    if wall <= target:
        return "met"
    if thread_cpu <= target:
        return "missed (wall time; creating thread's CPU time met)"
    return "MISSED"


def fmt_value(v):
    if isinstance(v, int):
        return str(v)
    return "%.4f" % v if abs(v) < 10 else "%.2f" % v


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def shutil_copy(src, dst):
    import shutil
    shutil.copyfile(src, dst)


def shutil_which(name):
    import shutil
    return shutil.which(name)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--lib", required=True)
    ap.add_argument("--classes", required=True)
    ap.add_argument("--empty", help="an empty shared library: the floor of any preloaded one")
    ap.add_argument("--jdk", action="append", required=True, help="NAME=JAVA_HOME")
    ap.add_argument("--docs", help="docs/performance.md: its table is replaced by this run's")
    sys.exit(Bench(ap.parse_args()).main())
