# Python's three ways to make processes, with no JVM: forkguard must be
# invisible. Every print flushes so a fork never duplicates buffered output.
import multiprocessing as mp
import os
import subprocess
import sys


def square(x):
    return x * x


if __name__ == "__main__":
    r = subprocess.run(["sh", "-c", "echo from sh; echo to stderr >&2; exit 4"],
                       capture_output=True, text=True)
    print("subprocess.run:", r.returncode, repr(r.stdout), repr(r.stderr), flush=True)
    ctx = mp.get_context("fork")
    with ctx.Pool(4) as pool:
        print("Pool(fork).map:", pool.map(square, range(20)), flush=True)
    p = ctx.Process(target=sys.exit, args=(5,))
    p.start()
    p.join()
    print("Process(fork) exitcode:", p.exitcode, flush=True)
    pid = os.fork()
    if pid == 0:
        print("in os.fork child", flush=True)
        sys.exit(9)  # a normal interpreter teardown in the child
    _, status = os.waitpid(pid, 0)
    print("os.fork child status:", os.waitstatus_to_exitcode(status), flush=True)
    sys.exit(2)
