"""JPype start-up for bench.py's injection rows, timed inside the interpreter:
only startJVM() itself.

Usage: jpype_inject.py LIBJVM [JVM_OPTION] -- [JDBC_URL...]
Prints "startjvm_ms MS", "startjvm_cpu_ms MS" (CPU time, the JVM's threads
included), "startjvm_thread_cpu_ms MS" (the calling thread's CPU time: the
least disturbed by other load) and then "drivers K of N": for how many of the URLs DriverManager
has a driver (checked after the timing: it loads the drivers)."""
import os
import sys
import time

import jpype

sep = sys.argv.index("--")
opts, urls = sys.argv[2:sep], sys.argv[sep + 1:]
t0 = time.perf_counter()
c0 = time.process_time()  # the whole process: the JVM's threads too
h0 = time.thread_time()  # this thread: JNI_CreateJavaVM and the injection run on it
# Debian's python3-jpype needs its support jar on the JVM class path.
jpype.startJVM(sys.argv[1], *opts, classpath=["/usr/share/java/org.jpype.jar"],
               convertStrings=False)
t1 = time.perf_counter()
c1 = time.process_time()
h1 = time.thread_time()
print("startjvm_ms %.3f" % ((t1 - t0) * 1e3))
print("startjvm_cpu_ms %.3f" % ((c1 - c0) * 1e3))
print("startjvm_thread_cpu_ms %.3f" % ((h1 - h0) * 1e3))
found = 0
for url in urls:
    try:
        jpype.JClass("java.sql.DriverManager").getDriver(url)
        found += 1
    except Exception:  # java.sql.SQLException: No suitable driver
        pass
print("drivers %d of %d" % (found, len(urls)))
sys.stdout.flush()
# Skip the JVM's shutdown: it is not part of start-up.
os._exit(0)
