package dev.larder.cli;

import static dev.larder.cli.CliTest.larder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every file a {@code larder follow} process writes is owner-only even under umask 000, and links planted at the status
 * file's names are replaced, never written through. The umask belongs to the process, so the command runs in a child
 * JVM.
 */
class FilesOwnerOnlyTest {
    @TempDir
    Path dir;

    @Test
    void followUnderUmask000WritesOnlyOwnerOnlyFilesAndNeverThroughLinks() throws Exception {
        Path delta = dir.resolve("delta");
        Path store = Files.createDirectory(dir.resolve("store"));
        assertEquals(0, larder("generate", "--rows", "500", "--features", "2", "--commits", "1", "--out",
                delta.toString()).exit());
        Path victim = Files.writeString(dir.resolve("victim"), "precious");
        Path other = Files.writeString(dir.resolve("other"), "also precious");
        Files.createSymbolicLink(store.resolve(StatsFile.NAME + ".tmp"), victim);
        Files.createSymbolicLink(store.resolve(StatsFile.NAME), other);

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = "umask 000 && exec \"$0\" -cp \"$1\" " + LarderCli.class.getName()
                + " follow --store \"$2\" --delta \"$3\" --key entity_id --table users"
                + " --poll 100ms --status-every 200ms --duration 1s";
        Process p = new ProcessBuilder(List.of("/bin/sh", "-c", command, java, System.getProperty("java.class.path"),
                store.toString(), delta.toString())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);

        assertEquals("precious", Files.readString(victim));
        assertEquals("also precious", Files.readString(other));
        Path stats = store.resolve(StatsFile.NAME);
        assertFalse(Files.isSymbolicLink(stats));
        assertTrue(Files.readString(stats).contains("users [users]"), Files.readString(stats));
        assertOwnerOnly(stats, "rw-------");
        assertOwnerOnly(store.resolve("users"), "rwx------");
        try (var files = Files.list(store.resolve("users"))) {
            for (Path f : files.toList()) {
                assertOwnerOnly(f, "rw-------");
            }
        }
    }

    private static void assertOwnerOnly(Path p, String expected) throws java.io.IOException {
        assertEquals(expected, PosixFilePermissions.toString(Files.getPosixFilePermissions(p,
                LinkOption.NOFOLLOW_LINKS)), p.toString());
    }
}
