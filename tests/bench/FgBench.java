// Java side of the benchmark host (jvmhost.c): a trivial static method for the
// JNI call loop, and the live heap and idle threads of the fork benchmark.
// Compiled with javac --release 8 so every JDK under test loads it.
public final class FgBench {
    private static volatile Object keep;

    public static int trivial(int x) {
        return x + 1;
    }

    // Keeps mb megabytes of the heap live (and touched: arrays are zeroed).
    public static int allocate(int mb) {
        byte[][] a = new byte[mb][];
        for (int i = 0; i < mb; i++)
            a[i] = new byte[1 << 20];
        keep = a;
        return mb;
    }

    // Idle daemon threads, like a pool waiting for work at fork time.
    public static int startThreads(int n) {
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(() -> {
                for (;;) {
                    try {
                        Thread.sleep(Long.MAX_VALUE);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "fgbench-idle-" + i);
            t.setDaemon(true);
            t.start();
        }
        return n;
    }
}
