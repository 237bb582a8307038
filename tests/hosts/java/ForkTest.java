import java.util.concurrent.TimeUnit;

/** The java launcher hosting the JVM: 200 ProcessBuilder children must pass
 *  silently; a native method that fork()s and uses JNI in the child must be
 *  reported (proving the launcher's JNI_CreateJavaVM was caught). */
public class ForkTest {
    static native int forkAndFindClass();

    public static void main(String[] args) throws Exception {
        if (args[0].equals("processes")) {
            int bad = 0;
            for (int i = 0; i < 200; i++) {
                Process p = new ProcessBuilder("/bin/true").start();
                if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) bad++;
            }
            System.out.println("processes: " + bad + " of 200 failed");
        } else {
            System.load(args[1]);
            System.out.println("native: child status " + forkAndFindClass());
        }
        byte[][] keep = new byte[16][];
        for (int i = 0; i < 400; i++) keep[i % 16] = new byte[1 << 20];
        System.gc();
        System.out.println("parent: works");
    }
}
