package dev.larder.stress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.larder.snapshot.DeltaSource;
import dev.larder.snapshot.TableParity;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real full disk under a running {@code larder follow} (a child process): the store lives on a small tmpfs that the
 * test fills. The commits that need more space fail with an error naming the file and "No space left on device"; the
 * process stays up, serving the last good version (nothing of the failed commits is visible); once space returns the
 * feed catches up by itself, and the table equals the Delta table. A {@code get} on the full disk works too.
 */
class DiskFullTest {
    @TempDir
    Path dir;

    private Path mount;

    @AfterEach
    void unmount() throws Exception {
        if (mount != null) {
            run(List.of("umount", "-l", mount.toString()));
        }
    }

    @Test
    void followSurvivesAFullDiskAndCatchesUpWhenSpaceReturns() throws Exception {
        GeneratorSpec spec = GeneratorSpec.builder().rows(20_000).numericFeatures(8).float32Features(0)
                .stringFeatures(2).commits(0)
                .updatesPerCommit(500).deletesPerCommit(100).insertsPerCommit(20_000).rowsPerFile(20_000)
                .seed(11).build();
        Path delta = dir.resolve("delta");
        DeltaTableGenerator.generate(spec, delta);
        mount = Files.createDirectories(dir.resolve("small"));
        // Filling a real file system needs a small one of our own: a tmpfs, which only root (CAP_SYS_ADMIN) may mount.
        boolean mounted = run(List.of("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", mount.toString())) == 0;
        if (!mounted) {
            mount = null;
        }
        assumeTrue(mounted, "cannot mount a tmpfs here (needs root): the full-disk suite did not run");
        Path store = mount.resolve("store");

        Path out = dir.resolve("follow.out");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process follow = new ProcessBuilder(java.toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "dev.larder.cli.LarderCli", "follow", "--store", store.toString(), "--delta", delta.toString(), "--key",
                "entity_id",
                "--table", "t", "--poll", "100ms", "--status-every", "200ms")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            awaitOutput(out, follow, l -> l.contains("watermark v0") && l.contains("FOLLOWING"), "bootstrap");

            Path filler = mount.resolve("filler");
            fill(filler);
            for (int i = 0; i < 3; i++) {
                DeltaTableGenerator.appendCommit(delta);
            }
            String error = awaitOutput(out, follow, l -> l.contains("No space left on device")
                    && !l.contains("larder-stats.txt"),
                    "the full disk reported");
            System.out.println("disk full: " + error);
            assertTrue(error.contains(store.toString()), "the error names the file: " + error);
            assertTrue(error.contains("version 1"), "the error names the version: " + error);
            // Keep failing for a while: the process stays up, and nothing of the failed commits becomes visible.
            Thread.sleep(1500);
            assertTrue(follow.isAlive(), "follow is still running on a full disk\n" + Files.readString(out));
            String status = lastStatus(out);
            assertTrue(status.contains("watermark v0") && status.contains("FAILING"), status);
            assertFalse(Files.readString(out).contains("InternalError"), Files.readString(out));

            Files.delete(filler);
            awaitOutput(out, follow, l -> l.contains("watermark v3") && l.contains("FOLLOWING"),
                    "catch-up once space returned");
        } finally {
            follow.destroy();
            assertTrue(follow.waitFor(60, TimeUnit.SECONDS));
        }
        try (FeatureStore s = FeatureStore.open(store)) {
            FeatureTable t = s.table("t");
            TableParity.Result r = TableParity.verify(DeltaSource.open(delta.toString()), t, 5);
            assertEquals(3, r.version());
            assertTrue(r.equal(), r.toString());
        }

        // A lookup on a full disk opens the table and answers.
        Path filler = mount.resolve("filler");
        fill(filler);
        Process get = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                "dev.larder.cli.LarderCli",
                "get", "--store", store.toString(), "--table", "t", "5").redirectErrorStream(true).start();
        String got = new String(get.getInputStream().readAllBytes());
        assertTrue(get.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, get.exitValue(), got);
        assertTrue(got.contains("status: FOUND"), got);
    }

    /** Writes zeros until the file system is full. */
    private static void fill(Path filler) throws IOException {
        byte[] mb = new byte[1 << 20];
        try (OutputStream o = Files.newOutputStream(filler)) {
            while (true) {
                o.write(mb);
            }
        } catch (IOException full) {
            assertTrue(String.valueOf(full.getMessage()).contains("No space left"), full.toString());
        }
    }

    private static String lastStatus(Path out) throws IOException {
        List<String> status = new ArrayList<>();
        for (String l : Files.readAllLines(out)) {
            if (l.startsWith("t [t]")) {
                status.add(l);
            }
        }
        return status.isEmpty() ? "" : status.get(status.size() - 1);
    }

    /** Waits (bounded, for a broken run) for an output line matching {@code p}; returns it. */
    private static String awaitOutput(Path out, Process p, Predicate<String> match, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            for (String l : Files.readAllLines(out)) {
                if (match.test(l)) {
                    return l;
                }
            }
            if (!p.isAlive()) {
                fail(what + ": follow exited with " + p.exitValue() + "\n" + Files.readString(out));
            }
            Thread.sleep(100);
        }
        return fail(what + " did not happen\n" + Files.readString(out));
    }

    private static int run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }
}
