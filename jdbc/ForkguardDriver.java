package org.forkguard.shim;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
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
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

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
 * as a plain zip entry (readJar: the central directory is looked through,
 * not indexed as ZipFile does for every name, in interpreted code at this
 * point of start-up), and one shim per named class is registered, knowing
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
    /** Bounds for what a JAR's tables may make us read: a service file is a
     *  few lines; a central directory of a million entries is ~100 MB. */
    private static final int MAX_SERVICE = 1 << 20;
    private static final long MAX_CEN = 1L << 27;

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
        List<List<byte[]>> censOf = new ArrayList<List<byte[]>>();
        for (int g = 0; g < groups.length; g++) {
            List<String> valid = new ArrayList<String>();
            List<byte[]> cens = new ArrayList<byte[]>();
            List<String> services = new ArrayList<String>();
            for (String path : groups[g].split("\n")) {
                if (path.isEmpty())
                    continue;
                try {
                    String[] service = new String[1];
                    cens.add(readJar(path, service)); // a corrupt JAR is named now
                    services.add(service[0]);
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
                if (services.get(j) != null)
                    addServices(jars[j], services.get(j), cens, jars, loader, jarsOf.size(), seen,
                                shims, messages);
            jarsOf.add(jars);
            censOf.add(cens);
            if (shims.size() == before && names(drivers).isEmpty())
                messages.add(noDriver(jars));
        }
        nameDrivers(drivers, jarsOf, censOf, seen, shims, messages);
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
     *  reads it ('#' comments, blanks), each checked to be in the group
     *  without being loaded. */
    private static void addServices(String jar, String service, List<byte[]> cens, String[] jars,
                                    ClassLoader[] loader, int group, Set<String> seen,
                                    List<ForkguardDriver> shims, List<String> messages) {
        List<String> names = new ArrayList<String>();
        for (String line : service.split("\n")) {
            int hash = line.indexOf('#');
            String name = (hash >= 0 ? line.substring(0, hash) : line).trim();
            if (!name.isEmpty())
                names.add(name);
        }
        for (String name : names) {
            if (!seen.add(group + ":" + name))
                continue;
            if (onSystemClassPath(name))
                continue; // the application's own copy wins (parent first): its own driver
            if (holder(name, jars, cens) == null) {
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
                                    List<List<byte[]>> censOf, Set<String> seen,
                                    List<ForkguardDriver> shims, List<String> messages) {
        for (String name : names(drivers)) {
            if (onSystemClassPath(name)) {
                loadSystem(name, "FORKGUARD_CLASSPATH", messages);
                continue;
            }
            boolean found = false;
            for (int g = 0; g < jarsOf.size() && !found; g++) {
                String[] jars = jarsOf.get(g);
                String jar = holder(name, jars, censOf.get(g));
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
    private static String holder(String name, String[] jars, List<byte[]> cens) {
        byte[] entry = utf8(name.replace('.', '/') + ".class");
        for (int j = 0; j < jars.length; j++)
            if (find(cens.get(j), entry) >= 0)
                return jars[j];
        return null;
    }

    /**
     * A JAR's central directory, checked as far as this reads it, and its
     * driver service file (UTF-8) into service[0], null when it has none.
     * What ZipFile does at open, less indexing every entry name: only a few
     * names are looked up here, and the group's URLClassLoader reads the JAR
     * properly at the first driver load. Handles a prefixed JAR (a launcher
     * script before the zip) and ZIP64 directories.
     */
    private static byte[] readJar(String path, String[] service) throws IOException {
        RandomAccessFile f = new RandomAccessFile(path, "r");
        try {
            long len = f.length();
            int tailLen = (int) Math.min(len, 22 + 0xFFFF); // END record + longest comment
            byte[] tail = new byte[tailLen];
            f.seek(len - tailLen);
            f.readFully(tail);
            int end = tailLen - 22;
            while (end >= 0 && (u32(tail, end) != 0x06054b50L
                                || end + 22 + u16(tail, end + 20) > tailLen))
                end--;
            if (end < 0)
                throw new ZipException("zip END header not found");
            long endPos = len - tailLen + end;
            long cenSize = u32(tail, end + 12);
            long cenOff = u32(tail, end + 16);
            if (u16(tail, end + 10) == 0xFFFF || cenSize == 0xFFFFFFFFL
                || cenOff == 0xFFFFFFFFL) {
                // ZIP64: the sizes are in the ZIP64 END record its locator names.
                byte[] loc = read(f, endPos - 20, 20);
                if (u32(loc, 0) != 0x07064b50L)
                    throw new ZipException("ZIP64 END locator not found");
                long z64 = u32(loc, 8) | u32(loc, 12) << 32;
                byte[] rec = read(f, z64, 56);
                if (u32(rec, 0) != 0x06064b50L)
                    throw new ZipException("ZIP64 END header not found");
                cenSize = u32(rec, 40) | u32(rec, 44) << 32;
                endPos = z64;
            }
            long cenPos = endPos - cenSize;
            if (cenSize > MAX_CEN || cenPos < 0 || cenPos - cenOff < 0)
                throw new ZipException("invalid END header (bad central directory size or offset)");
            byte[] cen = read(f, cenPos, (int) cenSize);
            int e = find(cen, utf8(SERVICE));
            if (e == -2)
                throw new ZipException("invalid central directory header");
            if (e >= 0)
                service[0] = new String(entryBytes(f, cen, e, cenPos - cenOff), "UTF-8");
            return cen;
        } finally {
            f.close();
        }
    }

    /** An entry's data, stored or deflated, given its central directory
     *  record at e; base: where the zip starts in the file. */
    private static byte[] entryBytes(RandomAccessFile f, byte[] cen, int e, long base)
        throws IOException {
        int method = u16(cen, e + 10);
        long csize = u32(cen, e + 20);
        long size = u32(cen, e + 24);
        long loc = base + u32(cen, e + 42);
        if (csize > MAX_SERVICE || size > MAX_SERVICE)
            throw new ZipException(SERVICE + " larger than " + MAX_SERVICE + " bytes");
        byte[] head = read(f, loc, 30);
        if (u32(head, 0) != 0x04034b50L)
            throw new ZipException("invalid local header of " + SERVICE);
        byte[] data = read(f, loc + 30 + u16(head, 26) + u16(head, 28), (int) csize);
        if (method == 0)
            return data;
        if (method != 8)
            throw new ZipException(SERVICE + ": unsupported compression method " + method);
        Inflater inflater = new Inflater(true);
        try {
            // One byte past the data: raw inflation may ask for it.
            inflater.setInput(java.util.Arrays.copyOf(data, data.length + 1));
            byte[] out = new byte[(int) size];
            int n = 0;
            while (n < out.length && !inflater.finished()) {
                int k = inflater.inflate(out, n, out.length - n);
                if (k == 0 && (inflater.needsInput() || inflater.needsDictionary()))
                    break;
                n += k;
            }
            if (n != out.length)
                throw new ZipException(SERVICE + ": " + n + " bytes inflated, " + size
                                       + " expected");
            return out;
        } catch (DataFormatException x) {
            throw new ZipException(SERVICE + ": " + x.getMessage());
        } finally {
            inflater.end();
        }
    }

    /** Position in cen of the record named name; -1: none; -2: a record
     *  runs past the directory or lacks its signature before it. */
    private static int find(byte[] cen, byte[] name) {
        int pos = 0;
        while (pos < cen.length) {
            if (pos + 46 > cen.length || u32(cen, pos) != 0x02014b50L)
                return -2;
            int nlen = u16(cen, pos + 28);
            int next = pos + 46 + nlen + u16(cen, pos + 30) + u16(cen, pos + 32);
            if (next > cen.length)
                return -2;
            if (nlen == name.length && same(cen, pos + 46, name))
                return pos;
            pos = next;
        }
        return -1;
    }

    private static boolean same(byte[] b, int at, byte[] name) {
        for (int i = 0; i < name.length; i++)
            if (b[at + i] != name[i])
                return false;
        return true;
    }

    private static byte[] read(RandomAccessFile f, long at, int n) throws IOException {
        if (at < 0 || at + n > f.length())
            throw new ZipException("truncated zip file");
        byte[] b = new byte[n];
        f.seek(at);
        f.readFully(b);
        return b;
    }

    private static int u16(byte[] b, int p) {
        return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8;
    }

    private static long u32(byte[] b, int p) {
        return (u16(b, p) | (long) u16(b, p + 2) << 16) & 0xffffffffL;
    }

    private static byte[] utf8(String s) {
        try {
            return s.getBytes("UTF-8");
        } catch (java.io.UnsupportedEncodingException e) {
            throw new IllegalStateException(e); // every JVM has UTF-8
        }
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
