"""A multiprocessing.Pool (fork) task that uses Java without catching: the
exception leaves the task's frame before JPype's exception object is made
(in the pool's handler), and the report must still name the task's line and
the line that created the pool. Lines marked `# L:` are asserted by run.sh."""
import multiprocessing as mp
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "jpype"))
import jpype  # noqa: E402
from common import start_jvm  # noqa: E402


def w_time(i):
    return int(jpype.JClass("java.lang.System").currentTimeMillis())  # L:pool-java


if __name__ == "__main__":
    start_jvm()
    with mp.get_context("fork").Pool(1) as pool:  # L:pool-create
        try:
            pool.apply_async(w_time, (1,)).get(timeout=30)
        except mp.TimeoutError:
            print("pool: task hung", flush=True)
        except Exception as e:
            print("pool: task raised", type(e).__name__, flush=True)
