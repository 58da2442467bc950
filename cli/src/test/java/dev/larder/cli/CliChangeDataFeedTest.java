package dev.larder.cli;

import static dev.larder.cli.CliTest.larder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.cli.CliTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code generate --cdf} writes a Change Data Feed table that the commands apply exactly; the demo generates one. */
class CliChangeDataFeedTest {
    @TempDir
    Path dir;

    @Test
    void aGeneratedCdfTableIsAppliedFromItsChangeFilesAndVerifies() throws Exception {
        Path delta = dir.resolve("delta");
        String store = dir.resolve("store").toString();
        Run gen = larder("generate", "--rows", "3000", "--features", "3", "--commits", "2", "--rows-per-file", "1000",
                "--updates", "200", "--deletes", "30", "--inserts", "40", "--cdf", "--out", delta.toString());
        assertEquals(0, gen.exit(), gen.err());
        assertTrue(gen.out().contains("3,020 rows at latest") && gen.out().contains("Change Data Feed on"), gen.out());
        for (long version = 1; version <= 2; version++) {
            Path commit = delta.resolve("_delta_log").resolve(String.format("%020d.json", version));
            List<String> log = Files.readAllLines(commit);
            assertTrue(log.stream().anyMatch(line -> line.startsWith("{\"cdc\":{\"path\":\"_change_data/")),
                    log.toString());
        }

        Run load = larder("load", "--delta", delta.toString(), "--key", "entity_id", "--store", store,
                "--table", "users", "--version", "0");
        assertEquals(0, load.exit(), load.err());
        Run apply = larder("apply-changes", "--store", store, "--table", "users");
        assertEquals(0, apply.exit(), apply.err());
        assertTrue(apply.out().contains("watermark 2, 3,020 rows"), apply.out());
        Run verify = larder("verify", "--store", store, "--table", "users");
        assertEquals(0, verify.exit(), verify.out());
        assertTrue(verify.out().startsWith("OK"), verify.out());
    }

    @Test
    void followsStatusLineSaysWhereTheLastAppliedCommitsTimeWent() throws Exception {
        Path delta = dir.resolve("delta");
        String store = dir.resolve("store").toString();
        assertEquals(0, larder("generate", "--rows", "3000", "--features", "3", "--commits", "2", "--rows-per-file",
                "1000", "--cdf", "--out", delta.toString()).exit());
        Run load = larder("load", "--delta", delta.toString(), "--key", "entity_id", "--store", store,
                "--table", "users", "--version", "0");
        assertEquals(0, load.exit(), load.err());
        Run follow = larder("follow", "--store", store, "--delta", delta.toString(), "--key", "entity_id", "--table",
                "users", "--status-every", "1s", "--duration", "3s");
        assertEquals(0, follow.exit(), follow.err());
        assertTrue(follow.out().contains("FOLLOWING: watermark v2"), follow.out());
        String applied = ".*; last applied v2( \\(2 versions\\))? visible \\d+ ms after its commit "
                + "\\(poll delay \\d+ ms, check \\d+ ms, log \\d+ ms, read \\d+ ms, apply \\d+ ms\\).*";
        assertTrue(follow.out().lines().anyMatch(l -> l.matches(applied)), follow.out());
        Run verify = larder("verify", "--store", store, "--table", "users");
        assertEquals(0, verify.exit(), verify.out());
    }

    /**
     * The demo serves a logged vector and ends with a skew check of its log: every logged value recomputed from the
     * Delta table at its logged version equals the value served, and the check read every vector committed.
     */
    @Test
    void theDemoFollowsChangeFilesAndEndsEqualAndSkewFree() {
        Run demo = larder("demo", "--rows", "20000", "--features", "3", "--commits", "2", "--lookup-rate", "2000",
                "--log-sample", "1", "--dir", dir.resolve("demo").toString());
        assertEquals(0, demo.exit(), demo.out() + demo.err());
        assertTrue(demo.out().contains("Change Data Feed on"), demo.out());
        assertTrue(demo.out().contains("change files): applied"), demo.out());
        assertTrue(demo.out().contains("EQUAL"), demo.out());
        Matcher logged = Pattern.compile("served-feature log: ([\\d,]+) vectors logged .*, ([\\d,]+) committed in ")
                .matcher(demo.out());
        assertTrue(logged.find(), demo.out());
        Matcher skew = Pattern.compile("\\n   (OK|DIFFERENT): ([\\d,]+) vectors, ([\\d,]+) values: ([\\d,]+) equal, "
                + "([\\d,]+) different, ([\\d,]+) unreadable .*, ([\\d,]+) not checkable").matcher(demo.out());
        assertTrue(skew.find(), demo.out());
        long committed = number(logged.group(2));
        long vectors = number(skew.group(2));
        long values = number(skew.group(3));
        assertTrue(vectors > 0, demo.out());
        assertEquals(committed, vectors, "the check reads every vector the log committed: " + demo.out());
        assertEquals(3 * vectors, values, demo.out());
        assertEquals(0, number(skew.group(5)), demo.out());
        assertEquals(values, number(skew.group(4)), demo.out());
        assertEquals("OK", skew.group(1), demo.out());
    }

    private static long number(String printed) {
        return Long.parseLong(printed.replace(",", ""));
    }
}
