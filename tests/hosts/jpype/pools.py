"""multiprocessing.Pool and ProcessPoolExecutor (fork) after a real JPype
parent (javaparent.py), with mixed tasks: plain ones, ones that raise a plain
ValueError, ones that use Java. Every result and every exception must come
back within a bound, Java tasks as a catchable exception, and the same
workers must go on serving plain tasks (no worker died). Prints one
`<pool>: ...` line per property; run.sh checks them."""
import concurrent.futures as cf
import multiprocessing as mp
import os
import sys

from javaparent import ArrayList, start_parent
from common import parent_works

inherited = start_parent()
BOUND = 30


def plain(i):
    return (os.getpid(), i * 2)


def raises(i):
    raise ValueError("plain failure %d" % i)


def java(i):
    return ArrayList().size() + i


def collect(futures):
    """[(kind, value)] per future: ("ok", v), ("exc", "Type: msg"), ("hang", None)."""
    out = []
    for f in futures:
        try:
            out.append(("ok", f()))
        except (mp.TimeoutError, cf.TimeoutError):
            out.append(("hang", None))
        except Exception as e:
            out.append(("exc", "%s: %s" % (type(e).__name__, e)))
    return out


def summarize(name, before, after, results):
    kinds = [k for k, _ in results]
    plain_res = [v for k, v in results[:6] if k == "ok"]
    errs = [v for k, v in results[6:12] if k == "exc"]
    javas = [v for k, v in results[12:18] if k == "exc"]
    late = [v for k, v in results[18:] if k == "ok"]
    print("%s: hangs %d" % (name, kinds.count("hang")), flush=True)
    print("%s: plain %d of 6 ok" % (name, len(plain_res)), flush=True)
    print("%s: ValueError %d of 6 (%s)" % (
        name, sum(e.startswith("ValueError: plain failure") for e in errs),
        errs[0] if errs else "-"), flush=True)
    print("%s: java raised %d of 6 (%s)" % (name, len(javas), javas[0] if javas else "-"),
          flush=True)
    pids = {p for p, _ in plain_res + late}
    print("%s: plain after java %d of 6 ok" % (name, len(late)), flush=True)
    # No worker died: the same processes before and after, and they served.
    print("%s: workers reused %s" % (name, before == after and pids <= before), flush=True)


def run_pool():
    ctx = mp.get_context("fork")
    with ctx.Pool(2) as pool:
        before = {p.pid for p in pool._pool}
        jobs = ([pool.apply_async(plain, (i,)) for i in range(6)]
                + [pool.apply_async(raises, (i,)) for i in range(6)]
                + [pool.apply_async(java, (i,)) for i in range(6)])
        res = collect([lambda j=j: j.get(timeout=BOUND) for j in jobs])
        late = [pool.apply_async(plain, (i,)) for i in range(6)]
        res += collect([lambda j=j: j.get(timeout=BOUND) for j in late])
        summarize("pool", before, {p.pid for p in pool._pool}, res)


def run_executor():
    ctx = mp.get_context("fork")
    with cf.ProcessPoolExecutor(max_workers=2, mp_context=ctx) as ex:
        futs = ([ex.submit(plain, i) for i in range(6)]
                + [ex.submit(raises, i) for i in range(6)]
                + [ex.submit(java, i) for i in range(6)])
        res = collect([lambda f=f: f.result(timeout=BOUND) for f in futs])
        before = set(ex._processes)
        late = [ex.submit(plain, i) for i in range(6)]
        res += collect([lambda f=f: f.result(timeout=BOUND) for f in late])
        summarize("executor", before, set(ex._processes), res)


if __name__ == "__main__":
    {"pool": run_pool, "executor": run_executor}[sys.argv[1]]()
    print("parent: works", parent_works(), flush=True)
