"""multiprocessing.Pool with the fork start method, tasks that use Java: each
task must come back as an exception (the worker survives), and plain tasks
still run in the same workers."""
import multiprocessing as mp
import os

import jpype
from common import parent_works, start_jvm


def java_task(i):
    return int(jpype.JClass("java.lang.Math").abs(-i))


def plain_task(i):
    return (os.getpid(), i * 2)


if __name__ == "__main__":
    start_jvm()
    ctx = mp.get_context("fork")
    with ctx.Pool(2) as pool:
        errors = 0
        for r in [pool.apply_async(java_task, (i,)) for i in range(6)]:
            try:
                r.get(timeout=20)
            except mp.TimeoutError:
                print("pool: task hung", flush=True)
            except Exception as e:
                errors += 1
                last = "%s: %s" % (type(e).__name__, e)
        print("pool: %d of 6 java tasks raised (%s)" % (errors, last), flush=True)
        plain = pool.map_async(plain_task, range(10)).get(timeout=20)
        print("pool: plain tasks ok", [v for _, v in plain] == [i * 2 for i in range(10)],
              flush=True)
    print("parent: works", parent_works(), flush=True)
