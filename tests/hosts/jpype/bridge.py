"""A JPype parent written the way users write it: `import jpype.imports`,
`from java.util import ...`, an HSQLDB query and ~100 MB of Java allocation,
Java objects kept alive, then a fork. The child runs one scenario (argv[1])
and leaves through normal interpreter exit (finalizers, atexit), so its exit
status is its own. Each scenario prints `child: ...` lines; the parent prints
`parent: status N` (None: the child hung and was killed) and checks that its
own JVM still works."""
import os
import sys

from javaparent import ArrayList, start_parent
from common import parent_works, wait_bounded

inherited = start_parent()


def isinstance_abc():
    import collections.abc
    print("child: isinstance None Sequence", isinstance(None, collections.abc.Sequence))
    print("child: isinstance list Sequence", isinstance([], collections.abc.Sequence))
    print("child: issubclass dict Mapping", issubclass(dict, collections.abc.Mapping))
    print("child: isinstance 3 Iterable", isinstance(3, collections.abc.Iterable))


def traceback_format():
    import traceback
    try:
        raise ValueError("plain")
    except ValueError as e:
        text = "".join(traceback.format_exception(e))
    print("child: traceback ok", "ValueError: plain" in text)


def import_missing():
    try:
        import forkguard_missing_module  # noqa: F401
        print("child: import missing: imported?!")
    except ImportError as e:
        print("child: import missing: %s" % type(e).__name__)


def gc_pressure():
    import gc
    held = []
    # JPype's GC hook (jp_gc.cpp) measures malloc's in-use bytes (mallinfo)
    # at the end of each Python collection and calls System.gc() through JNI
    # once they pass its limit (its high-water mark + 20 MB). So: ~50 MB of
    # malloc'ed objects per collection (bytearrays of 3000 bytes; a literal
    # like b"x" * 2000 would be one folded constant, and 1 MB objects are
    # mmap'ed, which mallinfo does not count).
    for _ in range(4):
        held.append([bytearray(b"y" * 3000) for _ in range(17000)])
        gc.collect()
    garbage = [[i] for i in range(300000)]  # many tracked objects: automatic GCs
    del garbage, held
    gc.collect()
    print("child: gc pressure ok")


def drop_inherited():
    import gc
    global inherited
    inherited = None
    gc.collect()
    print("child: dropped inherited Java objects")


def uses_java():
    try:
        ArrayList()
        print("child: java call returned?!")
    except Exception as e:
        print("child: exception %s: %s" % (type(e).__name__, e))
    try:
        inherited[0].get("k")
        print("child: inherited call returned?!")
    except Exception as e:
        print("child: second exception %s" % type(e).__name__)
    import collections.abc
    print("child: still isinstance", isinstance(None, collections.abc.Sequence))


def starts_jvm():
    """JayDeBeApi's idiom (and many worker initialisers): start the JVM when
    it does not run. In a child the JVM must not be started again."""
    import jpype
    try:
        if not jpype.isJVMStarted():
            jpype.startJVM(classpath=["/usr/share/java/org.jpype.jar"])
        print("child: started?!")
    except Exception as e:
        print("child: exception %s: %s" % (type(e).__name__, e))


def imports_java():
    """A Java package the parent never imported, through jpype.imports."""
    try:
        from java.time import Instant  # noqa: F401
        print("child: imported?!")
    except ImportError as e:
        print("child: exception %s: %s" % (type(e).__name__, e))


SCENARIOS = {f.__name__: f for f in (isinstance_abc, traceback_format, import_missing,
                                     gc_pressure, drop_inherited, uses_java, starts_jvm,
                                     imports_java)}

if __name__ == "__main__":
    scenario = SCENARIOS[sys.argv[1]]
    bound = float(sys.argv[2]) if len(sys.argv) > 2 else 30
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        scenario()
        sys.stdout.flush()
        sys.exit(7)  # normal interpreter exit: atexit, finalizers, JPype teardown
    print("parent: status", wait_bounded(pid, bound), flush=True)
    print("parent: works", parent_works(), flush=True)
