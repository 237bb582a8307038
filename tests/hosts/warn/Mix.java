/** Static methods with mixed argument shapes, called through JNI by the C host's
 *  "mix" scenario to check that warn mode forwards every argument intact. */
public class Mix {
    static int mix(int a, long b, double c) {
        return a + (int) (b % 100000) + (int) (c * 10);
    }

    static double scale(double x, int k, double y, long z) {
        return x * k + y + z / 1e9;
    }
}
