"""Helpers for the JPype scenarios: start the JVM the way Debian's JPype needs,
and wait for a child with a bound (a hang is reported, the child killed)."""
import os
import select
import signal

import jpype


def start_jvm():
    # Debian's python3-jpype needs its support jar on the class path.
    jpype.startJVM(classpath=["/usr/share/java/org.jpype.jar"], convertStrings=False)


def wait_bounded(pid, seconds):
    """Returns the child's exit code (negative: killed by that signal), or
    None when it was still running after `seconds` (then it is killed)."""
    fd = os.pidfd_open(pid)
    try:
        ready, _, _ = select.select([fd], [], [], seconds)
        if not ready:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return None
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status)
    finally:
        os.close(fd)


def parent_works():
    """Allocation enough to need several GCs: only a live JVM gets through."""
    arrays = jpype.JClass("java.util.ArrayList")()
    for _ in range(300):
        arrays.add(jpype.JArray(jpype.JByte)(1 << 20))
        if arrays.size() > 20:
            arrays.clear()
    jpype.JClass("java.lang.System").gc()
    return True
