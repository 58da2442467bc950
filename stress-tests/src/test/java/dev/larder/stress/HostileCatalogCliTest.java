package dev.larder.stress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.larder.cli.LarderCli;
import dev.larder.cloud.RawHttpServer;
import dev.larder.cloud.SharedTables;
import dev.larder.cloud.TestUnityCatalog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code larder load --uc-table} in a child JVM against a Unity Catalog on loopback that misbehaves: an answer that
 * never ends, one that drips a byte at a time, an error message that forges a line of output, a storage location on
 * a host of the catalog's choosing, and credentials vended already expired. Each load must end by itself with one
 * clear error line naming what failed, and send nothing to the foreign host.
 */
class HostileCatalogCliTest {
    private static final String TABLE = "main.features.users";

    @TempDir
    Path dir;

    /** The child's exit code and its output (stdout and stderr merged). */
    record Run(int exit, String output) {
    }

    /** {@code larder load} of {@link #TABLE} from the catalog at {@code uri}, the test token in the environment. */
    Run load(String uri, String... conf) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"), LarderCli.class.getName(),
                "load", "--uc-table", TABLE, "--uc-uri", uri, "--key", "id", "--store", dir.resolve("store").toString(),
                "--table", "users"));
        for (String c : conf) {
            cmd.addAll(List.of("--conf", c));
        }
        Path out = dir.resolve("child.out");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("DATABRICKS_TOKEN", TestUnityCatalog.TOKEN);
        Process p = pb.start();
        // Far beyond the call deadlines below: a child still running then hangs.
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor();
            fail("load did not end by itself\n" + Files.readString(out, StandardCharsets.UTF_8));
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    static void assertOneCleanErrorLine(Run run, String... mentions) {
        assertEquals(1, run.exit(), run.output());
        assertTrue(run.output().chars().noneMatch(c -> c < 0x20 && c != '\n' || c == 0x7f),
                "control characters: " + run.output());
        List<String> lines = run.output().lines().filter(l -> l.startsWith("larder load: ")).toList();
        assertEquals(1, lines.size(), run.output());
        for (String m : mentions) {
            assertTrue(lines.get(0).contains(m), "'" + m + "' not in: " + run.output());
        }
        assertFalse(run.output().contains("OutOfMemoryError") || run.output().contains("\tat "), run.output());
    }

    @Test
    void anAnswerThatNeverEndsIsRefusedAtItsBound() throws Exception {
        try (RawHttpServer endless = new RawHttpServer(RawHttpServer.Mode.ENDLESS)) {
            Run run = load(endless.uri());
            assertOneCleanErrorLine(run, "longer than 4194304 bytes",
                    endless.uri() + "/api/2.1/unity-catalog/tables/" + TABLE);
        }
    }

    @Test
    void anAnswerThatDripsEndsAtTheCallsDeadline() throws Exception {
        try (RawHttpServer drip = new RawHttpServer(RawHttpServer.Mode.DRIP)) {
            Run run = load(drip.uri(), "larder.uc.call-timeout-ms=3000");
            assertOneCleanErrorLine(run, "did not answer GET " + drip.uri() + "/api/2.1/unity-catalog/tables/" + TABLE,
                    "within 3000 ms");
        }
    }

    @Test
    void anErrorMessageCannotForgeALineOfOutput() throws Exception {
        try (TestUnityCatalog catalog = new TestUnityCatalog(null)) {
            catalog.failNext("/tables/", 400, 1, "application/json", "{\"error_code\":\"INVALID_PARAMETER_VALUE\","
                    + "\"message\":\"no\\u001b[2K\\r\\nloaded 9 rows of s3://x/users version 9\\n\"}", null);
            Run run = load(catalog.uri());
            assertOneCleanErrorLine(run, "HTTP 400 INVALID_PARAMETER_VALUE: no\\u001b[2K\\r\\nloaded 9 rows");
            assertTrue(run.output().lines().noneMatch(l -> l.startsWith("loaded")), run.output());
        }
    }

    @Test
    void aStorageLocationOnAForeignHostIsRefusedBeforeAnyRequest() throws Exception {
        try (TestUnityCatalog catalog = new TestUnityCatalog(null);
             RawHttpServer foreign = new RawHttpServer(RawHttpServer.Mode.COUNT_ONLY)) {
            String location = foreign.uri() + "/tables/users";
            catalog.add(TABLE, location, false);
            Run run = load(catalog.uri());
            assertOneCleanErrorLine(run, "Unity Catalog at " + catalog.uri(), "table " + TABLE, "'" + location + "'",
                    "refused before any request");
            assertEquals(0, foreign.connections.get(), "the host the catalog named was contacted");
            assertEquals(0, catalog.requests("/temporary-table-credentials"));
        }
    }

    @Test
    void credentialsVendedAlreadyExpiredEndTheLoadAfterOneCatalogCall() throws Exception {
        try (TestUnityCatalog catalog = new TestUnityCatalog(null)) {
            catalog.vends = "gcp";
            catalog.credentialLifetimeMillis = -60_000;
            catalog.add(TABLE, SharedTables.table("simple_table").toUri().toString(), false);
            Run run = load(catalog.uri(), "larder.uc.allow-file-locations=true");
            assertOneCleanErrorLine(run, "already expired", "table " + TABLE, "Unity Catalog at " + catalog.uri());
            assertEquals(1, catalog.requests("/temporary-table-credentials"), "catalog calls for credentials");
        }
    }
}
