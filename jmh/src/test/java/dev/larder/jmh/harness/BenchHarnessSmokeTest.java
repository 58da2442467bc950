package dev.larder.jmh.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.larder.jmh.systems.RedisServer;
import dev.larder.jmh.systems.Systems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CI's run of the tail-latency suite: smoke mode (tiny data, seconds per system) through the real harness, child JVMs
 * and peers included, checking that every requested system gets a row: figures, or "not available" with a reason.
 */
class BenchHarnessSmokeTest {
    @TempDir
    Path dir;

    @Test
    void smokeRunWritesAReportWithARowPerSystem() throws Exception {
        BenchOptions o = BenchOptions.of(BenchOptions.Mode.SMOKE, dir);
        Path report = BenchHarness.run(o);

        assertEquals(dir.resolve(Report.REPORT), report);
        String md = Files.readString(report);
        for (String system : Systems.ALL) {
            List<String> rows = md.lines().filter(l -> l.startsWith("| " + system + " |")).toList();
            assertEquals(1, rows.size(), "one row for " + system + " in\n" + md);
            String row = rows.get(0);
            boolean measured = !row.contains("not available");
            if (measured) {
                assertTrue(row.contains(" ns |") || row.contains(" µs |") || row.contains(" ms |"), row);
                assertTrue(Files.size(dir.resolve(system + ".hgrm")) > 0, system + ".hgrm");
                assertTrue(Files.readString(dir.resolve(system + ".hgrm")).contains("#[Mean"), system + ".hgrm");
            } else {
                assertTrue(row.matches("\\| " + system + " \\| not available: \\S.*"), row);
            }
        }
        assertTrue(!md.lines().filter(l -> l.startsWith("| larder |")).findFirst().orElseThrow()
                .contains("not available"),
                "Larder itself must always run:\n" + md);
        assertTrue(!md.lines().filter(l -> l.startsWith("| chm |")).findFirst().orElseThrow().contains("not available"),
                "an in-process map always runs:\n" + md);
        if (RedisServer.findBinary() == null) {
            assertTrue(md.contains("| redis | not available: redis-server not found"), md);
        }
        assertTrue(md.contains("\n## Ingest\n"), md);
        for (String figure : List.of("| writer throughput through the ring (upserts/s) |",
                "| bootstrap, `Larder.follow`",
                "| bootstrap, `Larder.load`")) {
            assertTrue(md.lines().anyMatch(l -> l.startsWith(figure) && l.matches(".*\\| [\\d,]+ \\|")),
                    "ingest figure " + figure + ":\n" + md);
        }
        assertTrue(md.contains("| writer throughput through the ring ≥ 2M upserts/s |"), md);
        String svg = Files.readString(dir.resolve(Report.PLOT));
        assertTrue(svg.startsWith("<svg") && svg.contains("99.9%") && svg.contains(">larder<"), svg);
        JsonNode summary = new ObjectMapper().readTree(dir.resolve(Report.SUMMARY).toFile());
        assertTrue(summary.path("get").path("larder").path("p99_ns").asLong() > 0, summary.toString());
        assertEquals(Systems.ALL.size(), summary.path("get").size(), summary.toString());
        assertTrue(!summary.has("e2e"), "the end-to-end scenario did not run: " + summary);
    }

    @Test
    void peersOptionAlwaysKeepsLarderFirst() {
        assertEquals(List.of("larder", "redis", "chronicle"), BenchOptions.parsePeers("redis, chronicle"));
        assertEquals(Systems.ALL, BenchOptions.parsePeers("all"));
    }
}
