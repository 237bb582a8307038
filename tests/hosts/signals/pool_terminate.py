"""multiprocessing.Pool (fork) whose workers touched Java (their tasks raised),
one of them busy in a long task: pool.terminate() must return promptly. It
SIGTERMs the workers; in a child of a JVM that signal's handler is libjvm's,
which posts to a thread that did not survive the fork, so without forkguard
terminate() waits forever.
usage: pool_terminate.py [BOUND_SECONDS]"""
import multiprocessing as mp
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "jpype"))
import jpype  # noqa: E402
from common import parent_works, start_jvm  # noqa: E402


def java_task(i):
    return int(jpype.JClass("java.lang.Math").abs(-i))


busy_started = None  # an Event the workers inherit through fork


def busy_task():
    busy_started.set()
    time.sleep(30)


if __name__ == "__main__":
    bound = float(sys.argv[1]) if len(sys.argv) > 1 else 10
    start_jvm()
    ctx = mp.get_context("fork")
    busy_started = ctx.Event()
    pool = ctx.Pool(2)
    outcomes = []
    for r in [pool.apply_async(java_task, (i,)) for i in range(4)]:
        try:
            outcomes.append("value %s" % r.get(timeout=bound))
        except mp.TimeoutError:
            outcomes.append("hung")
        except Exception as e:
            outcomes.append(type(e).__name__)
    print("tasks:", " ".join(outcomes), flush=True)
    workers = list(pool._pool)
    pool.apply_async(busy_task)  # one worker busy when terminate comes
    print("busy task started:", busy_started.wait(bound), flush=True)

    start = time.monotonic()
    t = threading.Thread(target=pool.terminate, daemon=True)
    t.start()
    t.join(bound)
    elapsed = time.monotonic() - start
    if t.is_alive():
        print("terminate: hung after %.1f s" % elapsed, flush=True)
        for w in workers:
            try:
                os.kill(w.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        os._exit(1)
    print("terminate: returned in %.2f s" % elapsed, flush=True)
    print("workers:", " ".join(str(w.exitcode) for w in workers), flush=True)
    print("parent: works", parent_works(), flush=True)
