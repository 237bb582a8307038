package org.forkguard.shim;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Properties;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.jar.JarFile;
import java.util.logging.Logger;

/**
 * forkguard's JDBC shim, defined by libforkguard into the system class loader
 * right after the JVM is created (jdbc/classpath.c).
 *
 * DriverManager only hands a connection to a driver whose class the caller's
 * class loader can see, so a driver loaded by a URLClassLoader is refused
 * ("No suitable driver") to everybody else. Registering this wrapper instead,
 * whose class every loader can see, makes the driver usable from any caller,
 * thread and context class loader. Driver discovery runs here, in Java,
 * because ServiceLoader needs a Java caller (from JNI alone it throws
 * "no caller to check if it declares 'uses'").
 *
 * Compiled with javac --release 8; one class file, no lambdas or inner
 * classes, so that the library embeds exactly one class.
 */
public final class ForkguardDriver implements Driver {
    private final Driver driver;
    private final ClassLoader loader;

    private ForkguardDriver(Driver driver) {
        this.driver = driver;
        this.loader = driver.getClass().getClassLoader();
    }

    /**
     * Entry point from C. Each element of groups is one ';'-group: JAR paths
     * separated by '\n' (directories already expanded, missing files already
     * reported by the C side). drivers: ','-separated class names, or "".
     * system: the JARs were appended to the system class loader (JVMTI), so
     * no loaders and no shims are made; only DriverManager is initialised and
     * the named drivers loaded. Returns one-line messages for the user.
     */
    public static String[] inject(String[] groups, String drivers, boolean system) {
        List<String> messages = new ArrayList<String>();
        // DriverManager's own one-shot scan (JDK 9+), now, on this thread,
        // with the system class loader as context loader, before any host
        // thread can race it or run it with the wrong context loader.
        DriverManager.getDrivers();
        if (system || groups.length == 0) {
            // The JARs are on the application class path (system mode), or
            // there are none: named drivers are loaded there, serially.
            loadNamed(drivers, new ClassLoader[] {ClassLoader.getSystemClassLoader()}, null,
                      messages);
            return messages.toArray(new String[0]);
        }
        IdentityHashMap<Class<?>, Boolean> registered = new IdentityHashMap<Class<?>, Boolean>();
        List<ClassLoader> loaders = new ArrayList<ClassLoader>();
        List<String> names = new ArrayList<String>();
        for (int g = 0; g < groups.length; g++) {
            StringBuilder valid = new StringBuilder();
            ClassLoader loader = groupLoader(groups[g], valid, messages);
            if (loader == null)
                continue;
            loaders.add(loader);
            names.add(valid.toString());
            registerServices(loader, registered, messages);
        }
        loadNamed(drivers, loaders.toArray(new ClassLoader[0]), registered, messages);
        // A group that gave no driver is most likely a mistake worth a line.
        for (int g = 0; g < loaders.size(); g++) {
            boolean any = false;
            for (Class<?> c : registered.keySet())
                any |= c.getClassLoader() == loaders.get(g);
            if (!any)
                messages.add("FORKGUARD_CLASSPATH group " + names.get(g) + ": no java.sql.Driver"
                             + " found (none in META-INF/services, none named in"
                             + " FORKGUARD_DRIVERS); nothing registered");
        }
        return messages.toArray(new String[0]);
    }

    private static ClassLoader groupLoader(String group, StringBuilder valid,
                                           List<String> messages) {
        List<URL> urls = new ArrayList<URL>();
        for (String path : group.split("\n")) {
            if (path.isEmpty())
                continue;
            try {
                new JarFile(path).close(); // a corrupt JAR is named now, not at first use
                urls.add(new File(path).toURI().toURL());
                valid.append(valid.length() == 0 ? "" : ":").append(path);
            } catch (Exception e) {
                messages.add("FORKGUARD_CLASSPATH entry " + path + ": not a readable JAR ("
                             + describe(e) + "); skipped");
            }
        }
        if (urls.isEmpty())
            return null;
        return new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getSystemClassLoader());
    }

    /** Every java.sql.Driver the group's own JARs declare in META-INF/services. */
    private static void registerServices(ClassLoader loader, IdentityHashMap<Class<?>, Boolean> done,
                                         List<String> messages) {
        Iterator<Driver> it = ServiceLoader.load(Driver.class, loader).iterator();
        while (true) {
            Driver d;
            try {
                if (!it.hasNext())
                    break;
                d = it.next();
            } catch (ServiceConfigurationError e) {
                messages.add("FORKGUARD_CLASSPATH driver service: " + describe(e) + "; skipped");
                continue;
            } catch (LinkageError e) {
                messages.add("FORKGUARD_CLASSPATH driver: " + describe(e) + "; skipped");
                continue;
            }
            // The parent (system) loader's drivers are the application's own.
            if (d.getClass().getClassLoader() != loader)
                continue;
            register(d, done, messages);
        }
    }

    private static void loadNamed(String drivers, ClassLoader[] loaders,
                                  IdentityHashMap<Class<?>, Boolean> done, List<String> messages) {
        if (drivers == null || drivers.isEmpty())
            return;
        for (String raw : drivers.split(",")) {
            String name = raw.trim();
            if (name.isEmpty())
                continue;
            Class<?> cls = null;
            Throwable failure = null;
            for (ClassLoader loader : loaders) {
                try {
                    cls = Class.forName(name, true, loader);
                    break;
                } catch (ClassNotFoundException e) {
                    // try the next group
                } catch (Throwable e) {
                    failure = e;
                    break;
                }
            }
            if (failure != null) {
                messages.add("FORKGUARD_DRIVERS class " + name + ": " + describe(failure)
                             + "; skipped");
            } else if (cls == null) {
                messages.add("FORKGUARD_DRIVERS class " + name + ": not found in "
                             + (done == null ? "the class path" : "FORKGUARD_CLASSPATH")
                             + "; skipped");
            } else if (!Driver.class.isAssignableFrom(cls)) {
                messages.add("FORKGUARD_DRIVERS class " + name
                             + ": not a java.sql.Driver; skipped");
            } else if (done != null && !isOneOf(cls.getClassLoader(), loaders)) {
                // Parent-first delegation found the application's own copy
                // (on its class path): it registers itself, visible to all.
                continue;
            } else if (done == null ? !isRegistered(cls) : !done.containsKey(cls)) {
                try {
                    Driver d = (Driver) cls.getDeclaredConstructor().newInstance();
                    if (done != null)
                        register(d, done, messages);
                    else
                        DriverManager.registerDriver(d); // visible to all: no shim needed
                } catch (Throwable e) {
                    messages.add("FORKGUARD_DRIVERS class " + name + ": cannot be instantiated ("
                                 + describe(e) + "); skipped");
                }
            }
        }
    }

    private static boolean isOneOf(ClassLoader l, ClassLoader[] loaders) {
        for (ClassLoader x : loaders)
            if (x == l)
                return true;
        return false;
    }

    /** Whether a driver of exactly this class registered itself (most do, in
     *  their static initialiser). */
    private static boolean isRegistered(Class<?> cls) {
        for (Enumeration<Driver> e = DriverManager.getDrivers(); e.hasMoreElements();)
            if (e.nextElement().getClass() == cls)
                return true;
        return false;
    }

    private static void register(Driver d, IdentityHashMap<Class<?>, Boolean> done,
                                 List<String> messages) {
        if (done.containsKey(d.getClass()))
            return;
        try {
            DriverManager.registerDriver(new ForkguardDriver(d));
            done.put(d.getClass(), Boolean.TRUE);
        } catch (SQLException e) {
            messages.add("FORKGUARD_CLASSPATH driver " + d.getClass().getName() + ": "
                         + describe(e) + "; skipped");
        }
    }

    /** The exception and, when it has one, its root cause: a driver's failing
     *  static initialiser is the interesting part. */
    private static String describe(Throwable e) {
        Throwable root = e;
        // Bounded: a cause chain may loop (A -> B -> A).
        for (int depth = 0; depth < 16 && root.getCause() != null && root.getCause() != root; depth++)
            root = root.getCause();
        String text = oneLine(e);
        if (root != e)
            text += " (caused by " + oneLine(root) + ")";
        return text;
    }

    private static String oneLine(Throwable e) {
        String msg = e.getMessage();
        return (e.getClass().getName() + (msg == null ? "" : ": " + msg)).replace('\n', ' ');
    }

    /** Drivers may load helper classes through the context class loader
     *  (SSL factories, authentication plugins): give them their own. */
    public Connection connect(String url, Properties info) throws SQLException {
        Thread t = Thread.currentThread();
        ClassLoader saved = t.getContextClassLoader();
        t.setContextClassLoader(loader);
        try {
            return driver.connect(url, info);
        } finally {
            t.setContextClassLoader(saved);
        }
    }

    public boolean acceptsURL(String url) throws SQLException {
        return driver.acceptsURL(url);
    }

    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
        return driver.getPropertyInfo(url, info);
    }

    public int getMajorVersion() {
        return driver.getMajorVersion();
    }

    public int getMinorVersion() {
        return driver.getMinorVersion();
    }

    public boolean jdbcCompliant() {
        return driver.jdbcCompliant();
    }

    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return driver.getParentLogger();
    }

    /** The driver this shim stands for (tests and users inspecting getDrivers()). */
    public Driver unwrap() {
        return driver;
    }

    @Override
    public String toString() {
        return "forkguard shim for " + driver.getClass().getName();
    }
}
