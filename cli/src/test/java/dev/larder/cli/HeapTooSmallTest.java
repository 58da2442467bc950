package dev.larder.cli;

import static dev.larder.cli.CliTest.larder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM whose heap cannot hold a parquet file's row group is told so, with the file and the remedy: Kernel wraps the
 * OutOfMemoryError in a RuntimeException, which once read as "CORRUPT_FILE: file is corrupt or truncated" and sent
 * operators to rebuild a healthy table.
 */
class HeapTooSmallTest {
    @TempDir
    Path dir;

    @Test
    void aLoadOutOfHeapSaysSoAndNamesTheFileNotCorruption() throws Exception {
        Path delta = dir.resolve("delta");
        assertEquals(0, larder("generate", "--rows", "300000", "--commits", "0", "--out", delta.toString()).exit());
        Path store = dir.resolve("store");
        // A 35 MB row group of 21 columns: the reader needs several times 32 MB of heap for it.
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m", "-cp", System.getProperty("java.class.path"), LarderCli.class.getName(), "load", "--delta",
                delta.toString(), "--key", "entity_id", "--store", store.toString(), "--table", "t"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));

        assertEquals(1, p.exitValue(), err);
        String parquet;
        try (var files = Files.list(delta)) {
            parquet = files.filter(f -> f.toString().endsWith(".parquet")).findFirst().orElseThrow()
                    .getFileName().toString();
        }
        assertTrue(err.contains("OUT_OF_MEMORY: the Java heap (max ") && err.contains("-Xmx")
                && err.contains(parquet), err);
        assertFalse(err.contains("CORRUPT_FILE") || err.contains("corrupt or truncated"), err);
    }
}
