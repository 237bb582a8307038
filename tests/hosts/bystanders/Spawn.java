// A JVM owner that starts children the Java way (ProcessBuilder: posix_spawn
// of jspawnhelper, then exec): fork+exec children are never flagged.
public class Spawn {
    public static void main(String[] args) throws Exception {
        for (int i = 0; i < 3; i++) {
            Process p = new ProcessBuilder("sh", "-c", "echo child " + i + "; exit " + (10 + i))
                .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            System.out.println(out + " -> " + p.waitFor());
        }
        System.exit(3);
    }
}
