"""os.fork() after startJVM; the child allocates Java arrays until a GC would be
needed. Without forkguard it hangs at the first GC; with it, the child gets a
Python exception at once."""
import os
import sys

import jpype
from common import parent_works, start_jvm, wait_bounded

start_jvm()
pid = os.fork()
if pid == 0:
    try:
        for _ in range(2000):
            jpype.JArray(jpype.JByte)(1 << 20)
        print("child: java worked", flush=True)
    except Exception as e:
        print("child: exception %s: %s" % (type(e).__name__, e), flush=True)
    sys.exit(3)
print("child: status", wait_bounded(pid, 10), flush=True)
print("parent: works", parent_works(), flush=True)
