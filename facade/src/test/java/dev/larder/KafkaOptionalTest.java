package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * larder-kafka is an optional dependency of the facade: without it (and without kafka-clients) on the class path, a
 * Delta table is followed as ever and a Kafka source, in code or in a definition file, is refused naming the
 * dependency. A child JVM on the test class path minus every Kafka jar and build directory.
 */
class KafkaOptionalTest {
    @TempDir
    Path dir;

    @Test
    void withoutLarderKafkaDeltaTablesServeAndAKafkaSourceNamesTheDependency() throws Exception {
        List<String> all = Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
        List<String> kept = all.stream().filter(e -> !isKafka(e)).toList();
        assertTrue(all.size() - kept.size() >= 2, "larder-kafka and kafka-clients were on the class path: " + all);
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", String.join(File.pathSeparator, kept), KafkaAbsentMain.class.getName(), dir.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        List<String> lines = out.lines().filter(l -> l.startsWith("delta") || l.startsWith("kafka"))
                .collect(Collectors.toList());
        String needs = "source kafka://127.0.0.1:9/clicks needs dev.larder:larder-kafka (and"
                + " org.apache.kafka:kafka-clients) on the class path";
        assertEquals(List.of("delta ready: true, rows 100", "kafka in code: " + needs,
                "kafka in a definition: [" + dir.resolve("features.yaml") + ":4: table clicks: " + needs + "]"),
                lines, out);
    }

    /** The larder-kafka build directories and jars, and Kafka's own jars. */
    private static boolean isKafka(String entry) {
        String e = entry.replace(File.separatorChar, '/');
        return e.contains("/kafka/target/") || e.contains("larder-kafka") || e.contains("/org/apache/kafka/");
    }
}
