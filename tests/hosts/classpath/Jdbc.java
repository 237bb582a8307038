import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** JDBC scenarios for tests/hosts/classpath/run.sh; each prints "<tag>: ok ..."
 *  or "<tag>: error ..." lines that the script checks. */
public class Jdbc {
    static final AtomicInteger TABLES = new AtomicInteger();

    /** Create a table, write rows, read them back: real SQL on any of H2,
     *  HSQLDB and PostgreSQL. */
    static String work(String url, String user) throws Exception {
        Connection c = user == null ? DriverManager.getConnection(url)
                                    : DriverManager.getConnection(url, user, "");
        try {
            String t = "fg_t" + TABLES.incrementAndGet() + "_" + Thread.currentThread().getId();
            Statement s = c.createStatement();
            s.executeUpdate("CREATE TABLE " + t + " (id INT, name VARCHAR(20))");
            s.executeUpdate("INSERT INTO " + t + " VALUES (1, 'one')");
            s.executeUpdate("INSERT INTO " + t + " VALUES (2, 'two')");
            ResultSet rs = s.executeQuery("SELECT COUNT(*), MAX(name) FROM " + t);
            rs.next();
            String out = rs.getInt(1) + " rows, max " + rs.getString(2) + ", "
                         + c.getMetaData().getDatabaseProductName();
            s.executeUpdate("DROP TABLE " + t);
            return out;
        } finally {
            c.close();
        }
    }

    static void report(String tag, Callable<String> job) {
        try {
            System.out.println(tag + ": ok " + job.call());
        } catch (Throwable e) {
            Throwable cause = e.getCause() != null && !(e instanceof java.sql.SQLException)
                              ? e.getCause() : e;
            System.out.println(tag + ": error " + cause);
        }
    }

    /** Main thread, a new thread, and a ForkJoinPool.commonPool() task. */
    public static void everywhere(final String url, final String user) throws Exception {
        Callable<String> job = new Callable<String>() {
            public String call() throws Exception { return work(url, user); }
        };
        report("main", job);
        final Callable<String> j = job;
        Thread t = new Thread() { public void run() { report("thread", j); } };
        t.start();
        t.join();
        report("pool", new Callable<String>() {
            public String call() throws Exception {
                return ForkJoinPool.commonPool().submit(j).get(60, TimeUnit.SECONDS);
            }
        });
    }

    /** The fat-jar shape: the driver only inside a custom URLClassLoader, the
     *  JDBC code run in a pool thread (context loader: the system loader). */
    static void fatjar(String jar, final String url) throws Exception {
        final URLClassLoader app = new URLClassLoader(new URL[] {new File(jar).toURI().toURL()},
                                                      Jdbc.class.getClassLoader());
        report("fatjar", new Callable<String>() {
            public String call() throws Exception {
                return ForkJoinPool.commonPool().submit(new Callable<String>() {
                    public String call() throws Exception {
                        app.loadClass("java.lang.Object"); // the app's loader is in use
                        return work(url, null);
                    }
                }).get(60, TimeUnit.SECONDS);
            }
        });
    }

    /** Two threads using two drivers for the first time while a third
     *  connects, released together. */
    static void race(final String url1, final String url2) throws Exception {
        final CountDownLatch go = new CountDownLatch(1);
        final String[] urls = {url1, url2, url1};
        final List<String> results = Collections.synchronizedList(new ArrayList<String>());
        Thread[] ts = new Thread[3];
        for (int i = 0; i < 3; i++) {
            final int k = i;
            ts[i] = new Thread() {
                public void run() {
                    try {
                        go.await();
                        results.add("ok " + work(urls[k], null));
                    } catch (Throwable e) {
                        results.add("error " + e);
                    }
                }
            };
            ts[i].start();
        }
        go.countDown();
        for (Thread t : ts)
            t.join();
        int ok = 0;
        for (String r : results)
            if (r.startsWith("ok"))
                ok++;
            else
                System.out.println("race: " + r);
        System.out.println("race: " + ok + " of 3 ok");
    }

    static List<String> names() {
        List<String> names = new ArrayList<String>();
        for (Driver d : Collections.list(DriverManager.getDrivers()))
            names.add(d.toString().replaceAll("@[0-9a-f]+$", ""));
        Collections.sort(names);
        return names;
    }

    static void drivers() {
        for (int round = 0; round < 3; round++)
            System.out.println("drivers: " + names());
    }

    /** Connects to jdbc:tiny0: .. jdbc:tinyN-1: and prints "TAG: K of N". */
    static void connectAll(String tag, int n) {
        int ok = 0;
        for (int i = 0; i < n; i++) {
            try {
                Connection c = DriverManager.getConnection("jdbc:tiny" + i + ":x");
                if (c.toString().equals("tiny" + i + " connection"))
                    ok++;
                c.close();
            } catch (Throwable e) {
                System.out.println(tag + ": error " + e);
            }
        }
        System.out.println(tag + ": " + ok + " of " + n);
    }

    /** The lazy shims seen from the host (run.sh's tiny drivers): listing
     *  them loads none; the first connection loads only the driver
     *  DriverManager asks first; then every driver connects from the main
     *  thread, a thread whose context class loader sees nothing, and a pool
     *  task; the listing is unchanged by the loads. */
    static void tiny(final int n) throws Exception {
        System.out.println("listed: " + names());
        Connection first = DriverManager.getConnection("jdbc:tiny0:x");
        System.out.println("first: " + first);
        first.close();
        connectAll("main", n);
        Thread t = new Thread("odd-context") {
            public void run() { connectAll("odd-context", n); }
        };
        t.setContextClassLoader(new URLClassLoader(new URL[0], null));
        t.start();
        t.join();
        ForkJoinPool.commonPool().submit(new Callable<Void>() {
            public Void call() { connectAll("pool", n); return null; }
        }).get(60, TimeUnit.SECONDS);
        System.out.println("listed: " + names());
    }

    /** A driver that fails at its first use (BoomDriver, registered first):
     *  the host's JDBC goes on; with no other driver for a URL the caller
     *  gets the failure instead of "No suitable driver", every time. */
    static void late() throws Exception {
        System.out.println("listed: " + names());
        for (int round = 0; round < 2; round++) {
            report("late-tiny", new Callable<String>() {
                public String call() throws Exception {
                    Connection c = DriverManager.getConnection("jdbc:tiny0:x");
                    c.close();
                    return c.toString() + ", getDriver: " + DriverManager.getDriver("jdbc:tiny0:x");
                }
            });
            try {
                DriverManager.getConnection("jdbc:nothing:x");
                System.out.println("late-none: connected");
            } catch (java.sql.SQLException e) {
                System.out.println("late-none: " + e.getMessage());
            }
        }
    }

    public static void main(String[] a) throws Exception {
        if (a[0].equals("everywhere"))
            everywhere(a[1], a.length > 2 ? a[2] : null);
        else if (a[0].equals("fatjar"))
            fatjar(a[1], a[2]);
        else if (a[0].equals("race"))
            race(a[1], a[2]);
        else if (a[0].equals("drivers"))
            drivers();
        else if (a[0].equals("tiny"))
            tiny(Integer.parseInt(a[1]));
        else if (a[0].equals("late"))
            late();
        else if (a[0].equals("connect"))
            report("connect", new Callable<String>() {
                public String call() throws Exception {
                    Connection c = DriverManager.getConnection(a[1]);
                    c.close();
                    return c.toString();
                }
            });
        else if (a[0].equals("forname")) {
            Class.forName(a[1]);
            report("forname", new Callable<String>() {
                public String call() throws Exception { return work(a[2], null); }
            });
        }
    }
}
