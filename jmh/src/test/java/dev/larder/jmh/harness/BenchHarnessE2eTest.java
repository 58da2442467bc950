package dev.larder.jmh.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.larder.jmh.e2e.FeatureSources;
import dev.larder.jmh.systems.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The end-to-end scenario through the real harness, tiny (2,000 entities, one second per request kind, smoke mode's
 * writer rewriting rows meanwhile), each source in its own JVM: {@code summary.json} has {@code e2e.single} and
 * {@code e2e.ranking} with positive p50/p99/p99.9 for Larder and the array baseline (and Redis when redis-server is
 * installed), and the report and plots show them. Structure, not timing.
 */
class BenchHarnessE2eTest {
    @TempDir
    Path dir;

    @Test
    void e2eRunWritesSummaryJsonWithFiguresPerSourceAndKind() throws Exception {
        BenchOptions o = BenchOptions.of(BenchOptions.Mode.SMOKE, dir)
                .withScenarios(BenchOptions.parseScenarios("e2e"))
                .withSystems(BenchOptions.parsePeers("redis"))
                .withKeys(2_000)
                .withWarmupSeconds(1)
                .withDurationSeconds(1);
        Path report = BenchHarness.run(o);

        JsonNode summary = new ObjectMapper().readTree(dir.resolve(Report.SUMMARY).toFile());
        assertFalse(summary.has("get"), "the key-value suite did not run: " + summary);
        List<String> measured = new ArrayList<>(List.of(FeatureSources.LARDER, FeatureSources.ARRAY));
        if (RedisServer.findBinary() != null) {
            measured.add(FeatureSources.REDIS);
        }
        for (String kind : List.of("single", "ranking")) {
            JsonNode k = summary.path("e2e").path(kind);
            assertEquals(List.of(FeatureSources.LARDER, FeatureSources.REDIS, FeatureSources.ARRAY), names(k),
                    kind + " in " + summary);
            for (String source : measured) {
                JsonNode s = k.path(source);
                for (String p : List.of("p50_ns", "p99_ns", "p999_ns")) {
                    assertTrue(s.path(p).isIntegralNumber() && s.path(p).asLong() > 0, kind + "." + source + "." + p
                            + " in " + summary);
                }
                assertTrue(s.path("p50_ns").asLong() <= s.path("p99_ns").asLong()
                        && s.path("p99_ns").asLong() <= s.path("p999_ns").asLong(), kind + "." + source + ": " + s);
                java.util.Properties info = SystemResult.read(E2eWorker.stem(source, kind), dir, "missing").info();
                assertEquals("0", info.getProperty("misses"), "features missed by " + source + " (" + kind + ")");
                assertTrue(Long.parseLong(info.getProperty(E2eWorker.FETCH_P99)) > 0, "fetch time of " + source);
                assertTrue(Long.parseLong(info.getProperty(E2eWorker.BYTES_PER_REQUEST)) >= 0, "bytes of " + source);
                assertTrue(Long.parseLong(info.getProperty("writesPerSecond")) > 0, "the writer ran for " + source);
            }
            if (RedisServer.findBinary() == null) {
                assertTrue(k.path(FeatureSources.REDIS).path("unavailable").asText()
                        .startsWith("redis-server not found"),
                        summary.toString());
            }
            String svg = Files.readString(dir.resolve(E2eReport.plot(kind)));
            assertTrue(svg.startsWith("<svg") && svg.contains(">larder<") && svg.contains(">array<"), svg);
        }
        String md = Files.readString(report);
        assertTrue(md.contains("\n## End to end: fetch the features, score them\n"), md);
        assertTrue(md.contains("\n### single\n") && md.contains("\n### ranking\n"), md);
        assertTrue(md.lines().anyMatch(l -> l.startsWith("| larder | ") && !l.contains("not available")
                && l.matches(".*\\| [\\d.]+ [nµm]?s, [\\d.]+ [nµm]?s, [\\d.]+ [nµm]?s \\| [\\d,]+ B \\|.*")), md);
        assertTrue(md.contains("| single: Larder p99 ≤ 1.2 × array p99 | array "), md);
        assertFalse(md.contains("## Single-key get latency"), "the key-value suite did not run:\n" + md);
    }

    @Test
    void scenarioOptionNamesWhatRuns() {
        assertEquals(List.of(BenchOptions.Scenario.KV), BenchOptions.of(BenchOptions.Mode.SHORT, dir).scenarios());
        assertEquals(List.of(BenchOptions.Scenario.KV, BenchOptions.Scenario.E2E), BenchOptions.parseScenarios("all"));
        assertEquals(List.of("larder", "chronicle", "array"),
                BenchOptions.of(BenchOptions.Mode.SHORT, dir).withSystems(BenchOptions.parsePeers("chronicle,chm"))
                        .e2eSources());
    }

    private static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
