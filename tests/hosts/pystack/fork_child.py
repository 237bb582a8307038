"""os.fork() in the program's own code; the child uses Java two calls down
(with `deep`: 60 calls down) and catches the exception itself (with
`uncaught`: one call down, from the module, and nobody catches it). Lines marked
`# L:` are asserted by run.sh."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "jpype"))
import jpype  # noqa: E402
from common import start_jvm, wait_bounded  # noqa: E402


def use_java():
    return jpype.JClass("java.lang.System").currentTimeMillis()  # L:fork-java


def deep(n):
    if n == 0:
        return use_java()  # L:fork-deep-java
    return deep(n - 1)  # L:fork-deep


def child():
    try:
        if sys.argv[1:] == ["deep"]:
            deep(60)
        use_java()  # L:fork-call
    except Exception as e:
        print("child: raised", type(e).__name__, flush=True)
    os._exit(3)


start_jvm()
pid = os.fork()  # L:fork-fork
if pid == 0 and sys.argv[1:] == ["uncaught"]:
    use_java()  # L:fork-uncaught
if pid == 0:
    child()  # L:fork-child
print("parent: child status", wait_bounded(pid, 30), flush=True)
