"""WSGI app that starts the JVM at import time (JPype) and runs an HSQLDB
query through java.sql.DriverManager per request. Under `gunicorn --preload`
the import (and the JVM) happens in the arbiter, and every worker is a forked
child of the JVM's owner; without --preload each worker starts its own JVM."""
import collections.abc
import gc
import os
import time
import traceback

import jpype
import jpype.imports  # noqa: F401  (enables the java.* import hooks)

CLASSPATH = ["/usr/share/java/org.jpype.jar", "/usr/share/java/hsqldb.jar"]
jpype.startJVM(classpath=CLASSPATH, convertStrings=False)

_seq = 0


def query():
    """One round trip through JDBC: a table per process in an in-memory
    database, one insert, one count. Some allocation on the side so that a
    broken child would also meet a GC."""
    global _seq
    _seq += 1
    dm = jpype.JClass("java.sql.DriverManager")
    conn = dm.getConnection("jdbc:hsqldb:mem:fg%d" % os.getpid(), "SA", "")
    try:
        st = conn.createStatement()
        st.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER, v VARCHAR(100))")
        st.execute("INSERT INTO t VALUES (%d, 'row %d')" % (_seq, _seq))
        rs = st.executeQuery("SELECT COUNT(*) FROM t")
        rs.next()
        n = int(rs.getInt(1))
        jpype.JArray(jpype.JByte)(1 << 20)
        return n
    finally:
        conn.close()


def plain():
    """A request that never uses Java but meets every piece of JPype's
    housekeeping in a worker: ABC type checks, traceback formatting, an import
    that fails, Python allocation with collections (JPype's GC hook)."""
    ok = not isinstance(None, collections.abc.Sequence)
    try:
        raise ValueError("handled")
    except ValueError as e:
        ok = ok and "ValueError: handled" in "".join(traceback.format_exception(e))
    try:
        import forkguard_missing_module  # noqa: F401
        ok = False
    except ImportError:
        pass
    held = [bytes(1 << 20) for _ in range(40)]
    gc.collect()
    del held
    return ok


def app(environ, start_response):
    """Errors become HTTP 500 with the traceback in the server's log, as a web
    framework would do (uWSGI itself would only drop the connection)."""
    try:
        return route(environ, start_response)
    except Exception:
        traceback.print_exc()
        data = b"internal error\n"
        start_response("500 Internal Server Error", [("Content-Type", "text/plain"),
                                                     ("Content-Length", str(len(data)))])
        return [data]


def route(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path == "/plain":
        body = "plain %s pid %d\n" % (plain(), os.getpid())
    elif path == "/query":
        body = "rows %d pid %d\n" % (query(), os.getpid())
    elif path == "/slow":
        # A worker that tried Java (and may have failed) and is then stuck in
        # a slow request: gunicorn's --timeout must be able to replace it.
        try:
            query()
            tried = "ok"
        except Exception as e:  # forkguard refuses the attach in a --preload worker
            tried = type(e).__name__
        time.sleep(float(environ.get("QUERY_STRING") or 30))
        body = "slept after java %s pid %d\n" % (tried, os.getpid())
    elif path == "/pid":
        body = "pid %d\n" % os.getpid()
    else:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found\n"]
    data = body.encode()
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(data)))])
    return [data]
