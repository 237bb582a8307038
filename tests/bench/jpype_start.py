"""JPype start-up, timed inside the interpreter: only startJVM() itself.

Usage: jpype_start.py LIBJVM [JDBC_URL]
Prints "startjvm_ms MS", "startjvm_cpu_ms MS" (CPU time, the JVM's threads
included) and, with JDBC_URL, "driver yes|no": whether DriverManager has a
driver for it (FORKGUARD_CLASSPATH injection worked)."""
import os
import sys
import time

import jpype

t0 = time.perf_counter()
c0 = time.process_time()  # the whole process: the JVM's threads too
# Debian's python3-jpype needs its support jar on the JVM class path.
jpype.startJVM(sys.argv[1], classpath=["/usr/share/java/org.jpype.jar"], convertStrings=False)
t1 = time.perf_counter()
c1 = time.process_time()
print("startjvm_ms %.3f" % ((t1 - t0) * 1e3))
print("startjvm_cpu_ms %.3f" % ((c1 - c0) * 1e3))
if len(sys.argv) > 2:
    try:
        jpype.JClass("java.sql.DriverManager").getDriver(sys.argv[2])
        print("driver yes")
    except Exception:  # java.sql.SQLException: No suitable driver
        print("driver no")
sys.stdout.flush()
# Skip the JVM's shutdown: it is not part of start-up.
os._exit(0)
