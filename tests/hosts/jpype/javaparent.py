"""The parent side users write before they fork: `import jpype.imports`,
`from java.util import ...`, a JDBC query (HSQLDB) and ~100 MB of Java
allocation, with Java objects still alive when the children start."""
import jpype
import jpype.imports  # noqa: F401  (its import finder is part of what children meet)

jpype.startJVM(classpath=["/usr/share/java/org.jpype.jar", "/usr/share/java/hsqldb.jar"],
               convertStrings=False)

from java.util import ArrayList, HashMap  # noqa: E402
from java.sql import DriverManager  # noqa: E402

__all__ = ["ArrayList", "HashMap", "start_parent"]


def start_parent():
    """Runs the JDBC query and the allocation; returns 50 live HashMaps."""
    conn = DriverManager.getConnection("jdbc:hsqldb:mem:bridge", "SA", "")
    stmt = conn.createStatement()
    stmt.execute("CREATE TABLE t (x INT)")
    stmt.execute("INSERT INTO t VALUES (42)")
    rs = stmt.executeQuery("SELECT x FROM t")
    rs.next()
    assert rs.getInt(1) == 42
    keep = ArrayList()
    for _ in range(100):
        keep.add(jpype.JArray(jpype.JByte)(1 << 20))
    keep.clear()
    inherited = [HashMap() for _ in range(50)]
    for m in inherited:
        m.put("k", "v")
    return inherited
