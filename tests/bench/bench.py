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
        t0 = time.monotonic()
        print("bench.py: running %s" % title, file=sys.stderr, flush=True)
        try:
            fn(*args)
        except BenchError as e:
            self.failures.append(str(e))
            self.rows.append([title, "—", "—", "failed to run", "", "error: see below"])
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

    def row(self, what, without, with_, ratio, target, verdict):
        self.rows.append([what, without, with_, ratio, target, verdict])

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
        added = statistics.median(wi) - statistics.median(wo)
        self.figure("jni_create_vm_jdk%s_without" % jdk, statistics.median(wo), "ms")
        self.figure("jni_create_vm_jdk%s_with" % jdk, statistics.median(wi), "ms")
        self.figure("jni_create_vm_jdk%s_added" % jdk, added, "ms")
        self.row("JNI_CreateJavaVM in a C host (-ljvm), JDK %s, ms (%d runs each)" % (jdk, JNI_RUNS),
                 "%.1f" % statistics.median(wo), "%.1f" % statistics.median(wi),
                 "%s, %+.2f ms" % (ratio_text(ratio, lo, hi), added), "≤ 1.01x",
                 verdict_le(ratio, lo, hi, 1.01))
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
                got = [(int(a[1]), int(a[2])) for a in
                       (l.split() for l in out.splitlines()) if a and a[0] == "fork"]
                if len(got) != FORKS_PER_ROUND:
                    raise BenchError("fork %s %s: %d samples" % (jdk, v, len(got)))
                samples[v] += got
                per_round[v].append(statistics.median(p for p, _ in got))
                threads = re.search(r"^threads (\d+)", out, re.M)
                rss = re.search(r"^rss_mb (\d+)", out, re.M)
                sched = re.search(r"^sched (\S+)", out, re.M)
                info = "%s threads, %s MB resident%s" % (
                    threads.group(1), rss.group(1),
                    "" if sched.group(1) == "fifo-pinned" else ", default scheduling")
        instr = self.optional(self.callgrind_fork, jdk, host)
        par = {v: statistics.median(p for p, _ in samples[v]) / 1e3 for v in variants}
        chi = {v: statistics.median(c for _, c in samples[v]) / 1e3 for v in variants}
        gap = {v: statistics.median(c - p for p, c in samples[v]) / 1e3 for v in variants}
        ratio, lo, hi = paired_ratio(per_round["without"], per_round["with"])
        child_cost = gap["with"] - gap["off"]
        lib_cost = gap["off"] - gap["without"]
        n = len(samples["with"])
        desc = "JDK %s, %s, %d forks" % (jdk, info, n)
        self.row("fork(): until it returns in the parent, µs (%s)" % desc,
                 "%.0f" % par["without"], "%.0f" % par["with"], ratio_text(ratio, lo, hi),
                 "≤ 1.01x", verdict_le(ratio, lo, hi, 1.01))
        self.row("fork(): until the child's first line, µs", "%.0f" % chi["without"],
                 "%.0f" % chi["with"], "%.2fx" % (chi["with"] / chi["without"]), "", "")
        self.row("fork(): child-side poisoning alone, µs (block − FORKGUARD_MODE=off)",
                 "", "%.1f" % child_cost, "", "≤ 25 µs",
                 "met" if child_cost <= 25 else "MISSED")
        self.row("fork(): child side with the library loaded, mode off, µs (off − without)",
                 "", "%.1f" % lib_cost, "", "", "")
        for side in ("parent", "child") if instr else ():
            wo, off, wi = (instr[v][side] for v in variants)
            self.row("fork(): user-space instructions in the %s, fork() to %s (callgrind)" % (
                side, "its return" if side == "parent" else "the first line"),
                "%d" % wo, "%d" % wi, "%+d (mode off: %+d)" % (wi - wo, off - wo), "", "")
            for v in variants:
                self.figure("fork_%s_instr_jdk%s_%s" % (side, jdk, v), instr[v][side], "instr")
        self.figure("fork_parent_jdk%s_without" % jdk, par["without"], "us")
        self.figure("fork_parent_jdk%s_off" % jdk, par["off"], "us")
        self.figure("fork_parent_jdk%s_with" % jdk, par["with"], "us")
        self.figure("fork_parent_jdk%s_ratio" % jdk, ratio, "x")
        self.figure("fork_child_first_line_jdk%s_without" % jdk, chi["without"], "us")
        self.figure("fork_child_first_line_jdk%s_off" % jdk, chi["off"], "us")
        self.figure("fork_child_first_line_jdk%s_with" % jdk, chi["with"], "us")
        self.figure("fork_child_after_parent_return_jdk%s_without" % jdk, gap["without"], "us")
        self.figure("fork_child_after_parent_return_jdk%s_off" % jdk, gap["off"], "us")
        self.figure("fork_child_after_parent_return_jdk%s_with" % jdk, gap["with"], "us")
        self.figure("fork_child_poisoning_jdk%s" % jdk, child_cost, "us")
        self.figure("fork_child_library_mode_off_jdk%s" % jdk, lib_cost, "us")

    def callgrind_fork(self, jdk, host):
        """User-space instructions of one fork, each side, in steady state
        (the median of CG_FORKS)."""
        result = {}
        for v in ("without", "off", "with"):
            # A small heap: user-space work does not depend on it; threads do.
            env = self.env(v != "without", BENCH_CLASSPATH=self.classes, BENCH_JVM_OPTS="-Xms64m")
            if v == "off":
                env["FORKGUARD_MODE"] = "off"
            counts = self.callgrind_dumps(
                "fork-jdk%s-%s" % (jdk, v), [host, "fork", str(CG_FORKS), "20", str(FORK_THREADS)],
                env, {"fork_parent", "fork_child"})
            if len(counts["fork_parent"]) != CG_FORKS or len(counts["fork_child"]) != CG_FORKS:
                raise BenchError("callgrind fork %s: %d parent and %d child profiles, expected %d"
                                 % (v, len(counts["fork_parent"]), len(counts["fork_child"]),
                                    CG_FORKS))
            result[v] = {"parent": int(statistics.median(counts["fork_parent"])),
                         "child": int(statistics.median(counts["fork_child"]))}
        return result

    # --- 3. programs that never use a JVM --------------------------------
    def startup(self):
        spawn = os.path.join(self.out, "spawnbench")
        for cmdline, n in START_N.items():
            wall, cpu = self.spawn_pairs("start-" + cmdline.split()[0].split("/")[-1], spawn, n,
                                         10, cmdline.split())
            slug = re.sub(r"[^a-z0-9]+", "_", cmdline.split("/")[-1]).strip("_")
            instr = {v: self.optional(self.callgrind_total, "start-%s-%s" % (slug, v),
                                      cmdline.split(), self.env(v == "with"))
                     for v in ("without", "with")}
            if instr["without"] and instr["with"]:
                self.figure("start_%s_instr_without" % slug, instr["without"], "instr")
                self.figure("start_%s_instr_with" % slug, instr["with"], "instr")
                self.row("start-up `%s`, user-space instructions (callgrind)" % cmdline,
                         "%d" % instr["without"], "%d" % instr["with"],
                         "%.3fx, %+d" % (instr["with"] / instr["without"],
                                         instr["with"] - instr["without"]), "", "")
            for kind, pairs in (("wall", wall), ("cpu", cpu)):
                wo = [a for a, _ in pairs]
                wi = [b for _, b in pairs]
                ratio, lo, hi = paired_ratio(wo, wi)
                mwo, mwi = statistics.median(wo) / 1e3, statistics.median(wi) / 1e3
                self.figure("start_%s_%s_without" % (slug, kind), mwo, "us")
                self.figure("start_%s_%s_with" % (slug, kind), mwi, "us")
                self.figure("start_%s_%s_ratio" % (slug, kind), ratio, "x")
                self.row("start-up `%s`, %s time, µs (%d runs each)" % (cmdline, kind, n),
                         "%.0f" % mwo, "%.0f" % mwi,
                         "%s, %+.0f µs" % (ratio_text(ratio, lo, hi), mwi - mwo),
                         "≤ 1.02x", verdict_le(ratio, lo, hi, 1.02))

    def callgrind_dumps(self, tag, cmd, env, names, collect_at_start=False):
        """Runs cmd under callgrind (collection off until the program turns it
        on, unless collect_at_start); returns {dump name: [instructions...]}
        for its client-request dumps, and leaves their files in dump_paths."""
        if not shutil_which("valgrind"):
            raise BenchError("valgrind not found (apt-get install valgrind, as root)")
        prefix = os.path.join(self.raw, "callgrind-" + tag)
        for old in glob.glob(prefix + ".*"):
            os.unlink(old)
        self.run("callgrind-" + tag, ["valgrind", "--tool=callgrind", "-q",
                                      "--collect-atstart=" + ("yes" if collect_at_start else "no"),
                                      "--callgrind-out-file=" + prefix + ".%p"] + cmd, env,
                 timeout=600)
        counts = {}
        self.dump_paths = {}
        for path in glob.glob(prefix + ".*"):
            desc = total = None
            with open(path) as f:
                for line in f:
                    m = re.match(r"desc: Trigger: Client Request: (\w+)", line)
                    if m:
                        desc = m.group(1)
                    m = re.match(r"totals: (\d+)", line)
                    if m:
                        total = int(m.group(1))
            if desc and total is not None:
                counts.setdefault(desc, []).append(total)
                self.dump_paths.setdefault(desc, []).append(path)
        if not names <= set(counts):
            raise BenchError("callgrind %s: missing profiles %s (built without valgrind/callgrind.h?)"
                             % (tag, ", ".join(sorted(names - set(counts)))))
        return counts

    def callgrind_total(self, tag, cmd, env):
        if not shutil_which("valgrind"):
            raise BenchError("valgrind not found (apt-get install valgrind, as root)")
        path = os.path.join(self.raw, "callgrind-%s.out" % tag)
        self.run("callgrind-" + tag, ["valgrind", "--tool=callgrind", "-q",
                                      "--callgrind-out-file=" + path] + cmd, env, timeout=300)
        with open(path) as f:
            m = re.search(r"^totals: (\d+)", f.read(), re.M)
        if not m:
            raise BenchError("callgrind %s: no totals" % tag)
        return int(m.group(1))

    def spawn_pairs(self, tag, spawn, n, warmup, cmd, extra_env=None):
        out = self.run(tag, [spawn, str(n), str(warmup), "-", "LD_PRELOAD=" + self.lib, "--"] + cmd,
                       self.env(False, **(extra_env or {})), timeout=600)
        runs = {0: [], 1: []}
        for line in out.splitlines():
            a = line.split()
            if a and a[0] == "run":
                runs[int(a[1])].append((int(a[2]), int(a[3])))
        wall = list(zip((w for w, _ in runs[0]), (w for w, _ in runs[1])))
        cpu = list(zip((c for _, c in runs[0]), (c for _, c in runs[1])))
        return wall, cpu

    # --- 4. JVM start-up --------------------------------------------------
    def java_version(self, jdk, home):
        spawn = os.path.join(self.out, "spawnbench")
        wall, cpu = self.spawn_pairs("java%s-version" % jdk, spawn, JAVA_N, 2,
                                     [os.path.join(home, "bin", "java"), "-version"])
        for kind, pairs in (("wall", wall), ("cpu", cpu)):
            wo = [a / 1e6 for a, _ in pairs]
            wi = [b / 1e6 for _, b in pairs]
            ratio, lo, hi = paired_ratio(wo, wi)
            added = statistics.median(wi) - statistics.median(wo)
            name = "java_version_jdk%s_%s" % (jdk, kind)
            self.figure(name + "_without", statistics.median(wo), "ms")
            self.figure(name + "_with", statistics.median(wi), "ms")
            self.figure(name + "_added", added, "ms")
            self.figure(name + "_ratio", ratio, "x")
            self.row("`java -version`, JDK %s, %s time, ms (%d runs each)" % (jdk, kind, JAVA_N),
                     "%.1f" % statistics.median(wo), "%.1f" % statistics.median(wi),
                     "%s, %+.2f ms" % (ratio_text(ratio, lo, hi), added), "≤ 1.01x",
                     verdict_le(ratio, lo, hi, 1.01))

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
            added = statistics.median(wi) - statistics.median(wo)
            self.figure("dlsym_%s_without" % kind, statistics.median(wo), "ns")
            self.figure("dlsym_%s_with" % kind, statistics.median(wi), "ns")
            self.figure("dlsym_%s_added" % kind, added, "ns")
            if not instr["without"] or not instr["with"]:
                self.row("%s: ns/call (%d runs each)" % (label, DLSYM_RUNS),
                         "%.1f" % statistics.median(wo), "%.1f" % statistics.median(wi),
                         "%s, %+.1f ns" % (ratio_text(ratio, lo, hi), added), "", "")
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
                "%s, %+.1f ns · %+.0f instructions" % (ratio_text(ratio, lo, hi), added,
                                                     iwi - iwo), "", "")

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

        table = ["| measurement | without forkguard | with forkguard | ratio [95% CI] / added "
                 "| target | verdict |", "|---|---:|---:|---|---|---|"]
        for r in self.rows:
            table.append("| " + " | ".join(r) + " |")
        text = "\n".join(header) + "\n\n" + "\n".join(table) + "\n"
        with open(os.path.join(self.out, "table.md"), "w") as f:
            f.write(text)
        if self.docs and not self.failures:
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
    ap.add_argument("--jdk", action="append", required=True, help="NAME=JAVA_HOME")
    ap.add_argument("--docs", help="docs/performance.md: its table is replaced by this run's")
    sys.exit(Bench(ap.parse_args()).main())
