"""JPype whose JVM class path lacks H2: connect from the main thread, a
Python thread and a ForkJoinPool.commonPool() task (Jdbc.everywhere)."""
import sys
import threading

import jpype

jpype.startJVM(classpath=["/usr/share/java/org.jpype.jar", sys.argv[1]], convertStrings=True)
Jdbc = jpype.JClass("Jdbc")
DM = jpype.JClass("java.sql.DriverManager")


def python_side(tag):
    try:
        c = DM.getConnection("jdbc:h2:mem:py" + tag)
        rs = c.createStatement().executeQuery("SELECT 40 + 2")
        rs.next()
        print("%s: ok %d" % (tag, rs.getInt(1)), flush=True)
        c.close()
    except Exception as e:  # noqa: BLE001 - printed for the test to judge
        print("%s: error %s" % (tag, e), flush=True)


python_side("python-main")
t = threading.Thread(target=python_side, args=("python-thread",))
t.start()
t.join()
Jdbc.everywhere("jdbc:h2:mem:j", None)
