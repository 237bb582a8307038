package org.forkguard.shim;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
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
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.logging.Logger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * forkguard's JDBC shim, defined by libforkguard into the system class loader
 * right after the JVM is created (jdbc/classpath.c).
 *
 * DriverManager only hands a connection to a driver whose class the caller's
 * class loader can see, so a driver loaded by a URLClassLoader is refused
 * ("No suitable driver") to everybody else. Registering this wrapper instead,
 * whose class every loader can see, makes the driver usable from any caller,
 * thread and context class loader.
 *
 * The wrapper is lazy: at injection each JAR's META-INF/services file is read
 * as a plain zip entry, and one shim per named class is registered, knowing
 * only the class's name and group. Loading and initialising a driver class
 * (most of the cost: H2's static initialiser alone takes milliseconds) waits
 * until DriverManager first asks that shim something that needs the real
 * driver. A driver that fails then is reported through the native report()
 * (forkguard's own log line) and to the caller as an SQLException.
 *
 * Compiled with javac --release 8; one class file, no lambdas or inner
 * classes, so that the library embeds exactly one class.
 */
public final class ForkguardDriver implements Driver {
    private static final String SERVICE = "META-INF/services/java.sql.Driver";

    /** Every shim's first load runs under this one lock: two threads loading
     *  two drivers at once could otherwise each hold one class's
     *  initialisation lock while the other's static initialiser waits for
     *  it (drivers call DriverManager and each other's classes there). */
    private static final Object LOAD_LOCK = new Object();

    private final String className;
    /** The JAR that named the class (service file) or holds it: for reports. */
    private final String jar;
    /** The group's JARs, and its loader, shared by the group's shims and made
     *  at the group's first load: [0] is the loader (under LOAD_LOCK). */
    private final String[] groupJars;
    private final ClassLoader[] groupLoader;
    private volatile Driver driver;
    private String failure; // under LOAD_LOCK; set once, then every use throws it

    private ForkguardDriver(String className, String jar, String[] groupJars,
                            ClassLoader[] groupLoader) {
        this.className = className;
        this.jar = jar;
        this.groupJars = groupJars;
        this.groupLoader = groupLoader;
    }

    /** forkguard's report path (jdbc/classpath.c registers it with
     *  RegisterNatives before inject runs): one "forkguard: " line. */
    private static native void report(String line);

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
            for (String name : names(drivers))
                loadSystem(name, "the class path", messages);
            return messages.toArray(new String[0]);
        }
        List<ForkguardDriver> shims = new ArrayList<ForkguardDriver>();
        Set<String> seen = new HashSet<String>(); // "group index:class name"
        List<String[]> jarsOf = new ArrayList<String[]>();
        List<List<ZipFile>> zipsOf = new ArrayList<List<ZipFile>>();
        try {
            for (int g = 0; g < groups.length; g++) {
                List<String> valid = new ArrayList<String>();
                List<ZipFile> zips = new ArrayList<ZipFile>();
                for (String path : groups[g].split("\n")) {
                    if (path.isEmpty())
                        continue;
                    try {
                        zips.add(new ZipFile(path)); // a corrupt JAR is named now
                        valid.add(path);
                    } catch (Exception e) {
                        messages.add("FORKGUARD_CLASSPATH entry " + path + ": not a readable JAR ("
                                     + describe(e) + "); skipped");
                    }
                }
                if (valid.isEmpty())
                    continue;
                String[] jars = valid.toArray(new String[0]);
                ClassLoader[] loader = new ClassLoader[1];
                int before = shims.size();
                for (int j = 0; j < jars.length; j++)
                    readServices(jars[j], zips.get(j), zips, jars, loader, jarsOf.size(), seen,
                                 shims, messages);
                jarsOf.add(jars);
                zipsOf.add(zips);
                if (shims.size() == before && names(drivers).isEmpty())
                    messages.add(noDriver(jars));
            }
            nameDrivers(drivers, jarsOf, zipsOf, seen, shims, messages);
        } finally {
            for (List<ZipFile> zips : zipsOf)
                for (ZipFile z : zips)
                    closeQuietly(z);
        }
        for (ForkguardDriver shim : shims) {
            try {
                DriverManager.registerDriver(shim);
            } catch (SQLException e) {
                messages.add("FORKGUARD_CLASSPATH driver " + shim.className + ": " + describe(e)
                             + "; skipped");
            }
        }
        return messages.toArray(new String[0]);
    }

    private static String noDriver(String[] jars) {
        StringBuilder b = new StringBuilder();
        for (String j : jars)
            b.append(b.length() == 0 ? "" : ":").append(j);
        return "FORKGUARD_CLASSPATH group " + b + ": no java.sql.Driver found (none in"
            + " META-INF/services, none named in FORKGUARD_DRIVERS); nothing registered";
    }

    /** The driver classes one JAR's service file names, as ServiceLoader
     *  reads it (UTF-8, '#' comments), each checked to be in the group
     *  without being loaded. */
    private static void readServices(String jar, ZipFile zip, List<ZipFile> zips, String[] jars,
                                     ClassLoader[] loader, int group, Set<String> seen,
                                     List<ForkguardDriver> shims, List<String> messages) {
        ZipEntry e = zip.getEntry(SERVICE);
        if (e == null)
            return;
        List<String> names = new ArrayList<String>();
        try {
            BufferedReader r =
                new BufferedReader(new InputStreamReader(zip.getInputStream(e), "UTF-8"));
            try {
                for (String line; (line = r.readLine()) != null;) {
                    int hash = line.indexOf('#');
                    String name = (hash >= 0 ? line.substring(0, hash) : line).trim();
                    if (!name.isEmpty())
                        names.add(name);
                }
            } finally {
                r.close();
            }
        } catch (Exception x) {
            messages.add("FORKGUARD_CLASSPATH entry " + jar + ": cannot read " + SERVICE + " ("
                         + describe(x) + "); skipped");
            return;
        }
        for (String name : names) {
            if (!seen.add(group + ":" + name))
                continue;
            if (onSystemClassPath(name))
                continue; // the application's own copy wins (parent first): its own driver
            if (holder(name, jars, zips) == null) {
                messages.add("FORKGUARD_CLASSPATH driver service: " + jar + " names " + name
                             + ", which its group does not hold; skipped");
                continue;
            }
            shims.add(new ForkguardDriver(name, jar, jars, loader));
        }
    }

    /** FORKGUARD_DRIVERS: the first group holding the class gets a shim for
     *  it; a class the system class loader has is loaded there now. */
    private static void nameDrivers(String drivers, List<String[]> jarsOf,
                                    List<List<ZipFile>> zipsOf, Set<String> seen,
                                    List<ForkguardDriver> shims, List<String> messages) {
        for (String name : names(drivers)) {
            if (onSystemClassPath(name)) {
                loadSystem(name, "FORKGUARD_CLASSPATH", messages);
                continue;
            }
            boolean found = false;
            for (int g = 0; g < jarsOf.size() && !found; g++) {
                String[] jars = jarsOf.get(g);
                String jar = holder(name, jars, zipsOf.get(g));
                if (jar == null)
                    continue;
                found = true;
                if (seen.add(g + ":" + name))
                    shims.add(new ForkguardDriver(name, jar, jars, sharedLoader(shims, jars)));
            }
            if (!found)
                messages.add("FORKGUARD_DRIVERS class " + name
                             + ": not found in FORKGUARD_CLASSPATH; skipped");
        }
        // A group that gave no driver (services or names) is most likely a mistake.
        if (!names(drivers).isEmpty())
            for (String[] jars : jarsOf) {
                boolean any = false;
                for (ForkguardDriver s : shims)
                    any |= s.groupJars == jars;
                if (!any)
                    messages.add(noDriver(jars));
            }
    }

    /** The loader cell of the group whose JARs are jars: one per group. */
    private static ClassLoader[] sharedLoader(List<ForkguardDriver> shims, String[] jars) {
        for (ForkguardDriver s : shims)
            if (s.groupJars == jars)
                return s.groupLoader;
        return new ClassLoader[1];
    }

    /** The JAR of the group that holds the class file, or null. */
    private static String holder(String name, String[] jars, List<ZipFile> zips) {
        String entry = name.replace('.', '/') + ".class";
        for (int j = 0; j < jars.length; j++)
            if (zips.get(j).getEntry(entry) != null)
                return jars[j];
        return null;
    }

    /** Whether the group loaders' parent would find the class first. A
     *  resource lookup: nothing is loaded. */
    private static boolean onSystemClassPath(String name) {
        return ClassLoader.getSystemClassLoader().getResource(name.replace('.', '/') + ".class")
            != null;
    }

    private static List<String> names(String drivers) {
        List<String> out = new ArrayList<String>();
        if (drivers != null)
            for (String raw : drivers.split(","))
                if (!raw.trim().isEmpty())
                    out.add(raw.trim());
        return out;
    }

    /** A named driver the system class loader has: the application's own
     *  (or, in system mode, injected there), loaded and initialised now, so
     *  that it registers itself as drivers do; one that does not is
     *  registered here, visible to all. */
    private static void loadSystem(String name, String where, List<String> messages) {
        Class<?> cls;
        try {
            cls = Class.forName(name, true, ClassLoader.getSystemClassLoader());
        } catch (ClassNotFoundException e) {
            messages.add("FORKGUARD_DRIVERS class " + name + ": not found in " + where
                         + "; skipped");
            return;
        } catch (Throwable e) {
            messages.add("FORKGUARD_DRIVERS class " + name + ": " + describe(e) + "; skipped");
            return;
        }
        if (!Driver.class.isAssignableFrom(cls)) {
            messages.add("FORKGUARD_DRIVERS class " + name + ": not a java.sql.Driver; skipped");
            return;
        }
        for (Enumeration<Driver> e = DriverManager.getDrivers(); e.hasMoreElements();)
            if (e.nextElement().getClass() == cls)
                return; // it registered itself, in its static initialiser
        try {
            DriverManager.registerDriver((Driver) cls.getDeclaredConstructor().newInstance());
        } catch (Throwable e) {
            messages.add("FORKGUARD_DRIVERS class " + name + ": cannot be instantiated ("
                         + describe(e) + "); skipped");
        }
    }

    private static void closeQuietly(ZipFile z) {
        try {
            z.close();
        } catch (Exception e) {
            // read-only: nothing was lost
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

    /** The real driver, loaded and instantiated at the first call that needs
     *  it, in its group's loader, with that loader as context class loader
     *  (drivers look up helpers through it while initialising). */
    private Driver real() throws SQLException {
        Driver d = driver;
        if (d != null)
            return d;
        synchronized (LOAD_LOCK) {
            if (driver == null && failure == null)
                load();
            if (driver != null)
                return driver;
            throw new SQLException(failure, "08001");
        }
    }

    private void load() {
        Thread t = Thread.currentThread();
        ClassLoader saved = t.getContextClassLoader();
        try {
            ClassLoader loader = groupLoader[0];
            if (loader == null) {
                URL[] urls = new URL[groupJars.length];
                for (int j = 0; j < urls.length; j++)
                    urls[j] = new File(groupJars[j]).toURI().toURL();
                loader = new URLClassLoader(urls, ClassLoader.getSystemClassLoader());
                groupLoader[0] = loader;
            }
            t.setContextClassLoader(loader);
            Class<?> cls = Class.forName(className, true, loader);
            if (!Driver.class.isAssignableFrom(cls))
                fail("not a java.sql.Driver");
            else
                driver = (Driver) cls.getDeclaredConstructor().newInstance();
        } catch (Throwable e) {
            fail(describe(e));
        } finally {
            t.setContextClassLoader(saved);
        }
    }

    private void fail(String why) {
        failure = "FORKGUARD_CLASSPATH driver " + className + " (" + jar + "): " + why
                  + "; not used";
        try {
            report(failure);
        } catch (Throwable e) {
            // Not registered (cannot happen once inject ran): still one line.
            System.err.println("forkguard: " + failure);
        }
    }

    /** Drivers may load helper classes through the context class loader
     *  (SSL factories, authentication plugins): give them their own. */
    public Connection connect(String url, Properties info) throws SQLException {
        Driver d = real();
        Thread t = Thread.currentThread();
        ClassLoader saved = t.getContextClassLoader();
        t.setContextClassLoader(d.getClass().getClassLoader());
        try {
            return d.connect(url, info);
        } finally {
            t.setContextClassLoader(saved);
        }
    }

    /** Loads the driver: answering false unloaded would hide it from
     *  DriverManager.getDriver(url) and the pools that use it. */
    public boolean acceptsURL(String url) throws SQLException {
        return real().acceptsURL(url);
    }

    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
        return real().getPropertyInfo(url, info);
    }

    public int getMajorVersion() {
        Driver d = loaded();
        return d == null ? 0 : d.getMajorVersion();
    }

    public int getMinorVersion() {
        Driver d = loaded();
        return d == null ? 0 : d.getMinorVersion();
    }

    public boolean jdbcCompliant() {
        Driver d = loaded();
        return d != null && d.jdbcCompliant();
    }

    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        Driver d = loaded();
        if (d == null)
            throw new SQLFeatureNotSupportedException(failure);
        return d.getParentLogger();
    }

    /** The real driver, or null when it failed to load (already reported). */
    private Driver loaded() {
        try {
            return real();
        } catch (SQLException e) {
            return null;
        }
    }

    /** The driver this shim stands for, loaded if need be (tests and users
     *  inspecting getDrivers()); null when it failed to load. */
    public Driver unwrap() {
        return loaded();
    }

    /** Names the class without loading it: listing getDrivers() loads nothing. */
    @Override
    public String toString() {
        return "forkguard shim for " + className;
    }
}
