"""Signal dispositions around a JVM owner's fork, read from the kernel.
1. A child that touched Java: the handlers that live in libjvm are reset
   (SIGTERM, SIGINT, SIGHUP to default; SIGPIPE, SIGXFSZ to ignore), and
   os.kill(child, SIGTERM) ends it.
2. The parent is unchanged by the fork.
3. A handler the parent installs itself after startJVM is not libjvm's: it
   stays in the parent and in its next child, and runs in both.
usage: handlers.py [BOUND_SECONDS]"""
import os
import select
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "jpype"))
import jpype  # noqa: E402
from common import parent_works, start_jvm, wait_bounded  # noqa: E402
from sigstate import disposition  # noqa: E402

SIGS = [signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGPIPE, signal.SIGXFSZ]


def dispositions():
    return "; ".join("%s %s" % (signal.Signals(s).name, disposition(s)) for s in SIGS)


def fork_reporting(body):
    """Forks; the child runs body() and writes its one-line result into a
    pipe, then sleeps. Returns (pid, line); line is None if it never came."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            line = body()
        except BaseException as e:  # report anything rather than hang the parent
            line = "child failed: %r" % e
        os.write(w, (line + "\n").encode())
        os.close(w)
        time.sleep(30)
        os._exit(9)
    os.close(w)
    ready, _, _ = select.select([r], [], [], bound)
    line = os.read(r, 4096).decode().strip() if ready else None
    os.close(r)
    return pid, line


def touch_java():
    try:
        jpype.JClass("java.lang.Math").abs(-1)
        tried = "worked"
    except Exception as e:
        tried = type(e).__name__
    return "java %s; %s" % (tried, dispositions())


bound = float(sys.argv[1]) if len(sys.argv) > 1 else 10
start_jvm()
before = dispositions()
print("parent:", before, flush=True)

pid, line = fork_reporting(touch_java)
print("child:", line, flush=True)
start = time.monotonic()
os.kill(pid, signal.SIGTERM)
status = wait_bounded(pid, bound)
print("child: after SIGTERM status %s in %.2f s" % (status, time.monotonic() - start), flush=True)
print("parent: unchanged after fork", dispositions() == before, flush=True)

got = []
signal.signal(signal.SIGTERM, lambda s, f: got.append(os.getpid()))
print("parent: own SIGTERM", disposition(signal.SIGTERM), flush=True)
os.kill(os.getpid(), signal.SIGTERM)
time.sleep(0.05)
print("parent: own handler ran", got == [os.getpid()], flush=True)


def own_handler_in_child():
    del got[:]
    where = disposition(signal.SIGTERM)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(0.05)
    return "SIGTERM %s, ran %s" % (where, got == [os.getpid()])


pid, line = fork_reporting(own_handler_in_child)
print("child2:", line, flush=True)
os.kill(pid, signal.SIGKILL)
wait_bounded(pid, bound)
print("parent: works", parent_works(), flush=True)
