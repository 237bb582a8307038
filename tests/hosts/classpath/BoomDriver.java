import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverPropertyInfo;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;

/** A driver whose static initialiser throws: forkguard must name it and go on. */
public class BoomDriver implements Driver {
    static {
        if (true)
            throw new IllegalStateException("boom from BoomDriver's static initialiser");
    }
    public Connection connect(String url, Properties info) { return null; }
    public boolean acceptsURL(String url) { return false; }
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) { return null; }
    public int getMajorVersion() { return 1; }
    public int getMinorVersion() { return 0; }
    public boolean jdbcCompliant() { return false; }
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }
}
