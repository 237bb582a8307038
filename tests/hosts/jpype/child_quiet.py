"""A forked child that never touches Java and ends normally (sys.exit): JPype's
teardown calls DestroyJavaVM in the child, which waits forever without
forkguard."""
import os
import sys

from common import parent_works, start_jvm, wait_bounded

start_jvm()
pid = os.fork()
if pid == 0:
    print("child: no java", flush=True)
    sys.exit(5)
print("child: status", wait_bounded(pid, float(sys.argv[1]) if len(sys.argv) > 1 else 10),
      flush=True)
print("parent: works", parent_works(), flush=True)
