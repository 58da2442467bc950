package dev.larder.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Users embed the store in model servers: it must work in a JVM started with no --add-opens/--add-exports flag. */
class NoJvmFlagsTest {
    @TempDir
    Path dir;

    /** Entry point of the child JVM: writes, reopens and reads a table, then reports its own JVM arguments. */
    public static void main(String[] args) {
        Path d = Path.of(args[0]);
        try (FeatureStore store = FeatureStore.open(d)) {
            FeatureTable t = store.create("t", FeatureTableTest.SCHEMA, TableOptions.DEFAULT.withInitialRows(8));
            for (long id = 0; id < 10_000; id++) {
                FeatureTableTest.put(t, id, id * 2.0, 1);
            }
            t.writer().publish(new Lineage("", "", 1, 0));
        }
        try (FeatureStore store = FeatureStore.open(d)) {
            TableReader r = store.table("t").newReader();
            for (long id = 0; id < 10_000; id++) {
                if (r.get(id) != ReadStatus.FOUND || r.getDouble(1) != id * 2.0) {
                    System.exit(3);
                }
            }
        }
        System.out.println("ARGS " + ManagementFactory.getRuntimeMXBean().getInputArguments());
        System.out.println("OK");
    }

    @Test
    void storeWorksWithoutAnyJvmFlag() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                NoJvmFlagsTest.class.getName(), dir.toString()).redirectErrorStream(true);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("OK"), out);
        String argsLine = out.lines().filter(l -> l.startsWith("ARGS ")).findFirst().orElseThrow();
        for (String flag : List.of("--add-opens", "--add-exports", "--enable-preview", "--enable-native-access")) {
            assertTrue(!argsLine.contains(flag), "child ran with " + flag + ": " + argsLine);
        }
        assertTrue(!out.contains("WARNING"),
                "no JVM warnings (e.g. restricted or terminally deprecated methods): " + out);
    }
}
