package dev.larder.cli;

import static dev.larder.cli.CliTest.larder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.Lineage;
import dev.larder.TableStatus;
import dev.larder.cli.CliTest.Run;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A secret in a URI or a setting never reaches what the command line prints or the files it writes. */
class SecretsTest {
    private static final String SECRET = "wJalrXUtnFEMIK7MDENG";

    @TempDir
    Path dir;

    private static void assertHidden(Run r, String masked) {
        String all = r.out() + r.err();
        assertFalse(all.contains(SECRET), all);
        assertTrue(all.contains(masked), all);
    }

    private void assertNoFileHolds(String secret) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertFalse(text.contains(secret), f.toString());
            }
        }
    }

    @Test
    void aTableUriWithCredentialsIsRefusedWithoutPrintingThem() throws IOException {
        Path store = dir.resolve("store");
        Run r = larder("load", "--delta", "s3a://AKIAEXAMPLE:" + SECRET + "@bucket/x", "--key", "id",
                "--store", store.toString(), "--table", "t");
        assertEquals(1, r.exit(), r.out());
        assertHidden(r, "s3a://***@bucket/x");
        assertFalse(r.err().contains("AKIAEXAMPLE"), r.err());
        assertTrue(r.err().contains("carries credentials"), r.err());
        assertTrue(r.err().contains("fs.s3a.secret.key"), r.err());
        assertFalse(Files.exists(store));
    }

    @Test
    void aCatalogUriWithATokenIsRefusedWithoutPrintingIt() {
        Run r = larder("load", "--uc-table", "main.features.users",
                "--uc-uri", "http://user:" + SECRET + "@127.0.0.1:1", "--key", "id",
                "--store", dir.resolve("store").toString(), "--table", "t");
        assertEquals(1, r.exit(), r.out());
        assertHidden(r, "http://***@127.0.0.1:1");
        assertTrue(r.err().contains("$DATABRICKS_TOKEN"), r.err());
    }

    @Test
    void aSettingTypedWithAColonIsAUsageErrorWithoutItsValue() {
        Run r = larder("load", "--delta", dir.toString(), "--key", "id", "--store", dir.resolve("store").toString(),
                "--table", "t", "--conf", "fs.s3a.secret.key:" + SECRET);
        assertEquals(2, r.exit(), r.out());
        assertHidden(r, "fs.s3a.secret.key:***");
        assertTrue(r.err().contains("KEY=VALUE"), r.err());
    }

    @Test
    void aSettingTypedAsAnOptionIsAUsageErrorWithoutItsValue() {
        for (String option : new String[] {"--fs.azure.sas.token=", "-Dfs.s3a.secret.key="}) {
            Run r = larder("load", "--delta", dir.toString(), "--key", "id", "--store",
                    dir.resolve("store").toString(), "--table", "t", option + SECRET);
            assertEquals(2, r.exit(), r.out());
            assertHidden(r, option + "***");
        }
    }

    @Test
    void aUriOnAMistypedCommandLineIsPrintedWithoutItsCredentials() {
        Run r = larder("load", "--delta", dir.toString(), "--key", "id", "--store", dir.resolve("store").toString(),
                "--table", "t", "s3a://AKIAEXAMPLE:" + SECRET + "@bucket/x");
        assertEquals(2, r.exit(), r.out());
        assertHidden(r, "s3a://***@bucket/x");
    }

    /** A store whose lineage holds a URI with credentials (as a source of the application's could record before). */
    @Test
    void getAndStatsShowARecordedSourceWithoutItsCredentials() throws IOException {
        String delta = dir.resolve("delta").toString();
        String store = dir.resolve("store").toString();
        Run gen = larder("generate", "--rows", "200", "--features", "1", "--commits", "2", "--out", delta);
        assertEquals(0, gen.exit(), gen.err());
        Run load = larder("load", "--delta", delta, "--key", "entity_id", "--store", store, "--table", "t");
        assertEquals(0, load.exit(), load.err());
        recordSource(dir.resolve("store/t/table.properties"), "s3a://AKIAEXAMPLE:" + SECRET + "@bucket/x");

        Run get = larder("get", "--store", store, "--table", "t", "1");
        assertTrue(get.exit() == 0 || get.exit() == 2, get.err());
        assertHidden(get, "source=s3a://***@bucket/x");
        Run stats = larder("stats", "--store", store);
        assertEquals(0, stats.exit(), stats.err());
        assertHidden(stats, "source s3a://***@bucket/x");
        Run apply = larder("apply-changes", "--store", store, "--table", "t");
        assertNotEquals(0, apply.exit(), apply.out());
        assertHidden(apply, "s3a://***@bucket/x");
    }

    @Test
    void theStatusLineAndStatsFileHideCredentialsInTheLastError() throws IOException {
        String error = "cannot read s3a://AKIAEXAMPLE:" + SECRET + "@bucket/x/part-0.parquet with fs.s3a.secret.key="
                + SECRET;
        Lineage lineage = new Lineage("id", "s3a://bucket/x", 3, 0, "", "");
        TableStatus s = new TableStatus("t", "t", TableStatus.State.FAILING, lineage, 3, 4, 1,
                Duration.ZERO, Duration.ZERO, false, error, 1, -1, 0, null, List.of());
        String line = StatsFile.statusLine(s);
        assertFalse(line.contains(SECRET), line);
        assertTrue(line.contains("cannot read s3a://***@bucket/x/part-0.parquet with fs.s3a.secret.key=***"), line);
        StatsFile.write(dir, line);
        assertNoFileHolds(SECRET);
    }

    /** Rewrites the recorded source path of a table's metadata file, with its checksum. */
    private static void recordSource(Path properties, String sourcePath) throws IOException {
        String text = Files.readString(properties);
        String body = text.substring(0, text.lastIndexOf("crc32="));
        List<String> lines = body.lines().map(l -> l.startsWith("lineage.source.path=")
                ? "lineage.source.path=" + sourcePath.replace(":", "\\:") : l).toList();
        String edited = String.join("\n", lines) + "\n";
        CRC32 crc = new CRC32();
        crc.update(edited.getBytes(StandardCharsets.UTF_8));
        Files.writeString(properties, edited + "crc32=" + crc.getValue() + "\n");
    }
}
