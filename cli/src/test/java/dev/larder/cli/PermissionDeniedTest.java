package dev.larder.cli;

import static dev.larder.cli.CliTest.larder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.larder.cli.CliTest.Run;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files the process may not read or write are reported as "permission denied" with the path, not as a missing file or a
 * bare path. Permission checks bind a process, and root skips them: as root the command runs in a child JVM whose
 * capability bounding set lacks the two capabilities that override file permissions (setpriv, util-linux).
 */
class PermissionDeniedTest {
    @TempDir
    Path dir;

    private final List<Path> locked = new ArrayList<>();

    @AfterEach
    void unlock() throws Exception {
        for (Path p : locked) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        }
    }

    private void lock(Path p, String perms) throws Exception {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        locked.add(p);
    }

    private static Run larderWithoutPrivileges(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (System.getProperty("user.name").equals("root")) {
            assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")),
                    "setpriv (util-linux) is needed to drop root's file privileges");
            cmd.addAll(List.of("/usr/bin/setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"));
        }
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), LarderCli.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out, err);
    }

    @Test
    void aStoreThatCannotBeCreatedSaysPermissionDenied() throws Exception {
        Path delta = dir.resolve("delta");
        assertEquals(0, larder("generate", "--rows", "100", "--features", "1", "--commits", "0", "--out",
                delta.toString()).exit());
        Path parent = Files.createDirectory(dir.resolve("readonly"));
        lock(parent, "r-x------");
        Path store = parent.resolve("store");

        Run load = larderWithoutPrivileges("load", "--delta", delta.toString(), "--key", "entity_id", "--store",
                store.toString(), "--table", "t");
        assertEquals(1, load.exit(), load.out());
        assertTrue(load.err().contains("permission denied") && load.err().contains(store.toString()), load.err());
        assertFalse(load.err().contains(store + ": " + store), load.err());
        assertFalse(Files.exists(store));
    }

    @Test
    void aTableThatCannotBeReadSaysPermissionDeniedNotMissing() throws Exception {
        Path delta = dir.resolve("delta");
        Path store = dir.resolve("store");
        assertEquals(0, larder("generate", "--rows", "100", "--features", "1", "--commits", "0", "--out",
                delta.toString()).exit());
        assertEquals(0, larder("load", "--delta", delta.toString(), "--key", "entity_id", "--store", store.toString(),
                "--table", "t").exit());
        lock(store.resolve("t"), "---------");

        Run get = larderWithoutPrivileges("get", "--store", store.toString(), "--table", "t", "1");
        assertEquals(1, get.exit(), get.out());
        assertTrue(get.err().contains("permission denied")
                && get.err().contains(store.resolve("t").toString()), get.err());
        assertFalse(get.err().contains("missing"), get.err());

        Run stats = larderWithoutPrivileges("stats", "--store", store.toString());
        assertTrue(stats.out().contains("t: ") && stats.out().contains("permission denied"), stats.out() + stats.err());
    }
}
