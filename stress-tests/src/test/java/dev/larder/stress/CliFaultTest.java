package dev.larder.stress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.larder.cli.LarderCli;
import dev.larder.snapshot.DeltaSource;
import dev.larder.snapshot.generate.DeltaTableGenerator;
import dev.larder.snapshot.generate.GeneratorSpec;
import dev.larder.store.FeatureStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line under process-level faults, each command a real child JVM: a {@code load} that runs out of disk
 * (a file-size limit, so its writes fail with EFBIG as on a full disk), and kill -9 during the bootstrap of
 * {@code load} and of {@code follow}. Whatever the fault, the re-run of the command must finish the job and
 * {@code verify} must then find the table equal to its Delta table.
 */
class CliFaultTest {
    @TempDir
    Path dir;

    /** Wide rows (~40 MB of rows file at 200k rows), so a few MB of file-size limit stop a load part way. */
    static final GeneratorSpec DISK_SPEC = GeneratorSpec.builder().rows(200_000).numericFeatures(8).float32Features(2).stringFeatures(2)
            .commits(1).rowsPerFile(50_000).seed(11).build();
    /** Large enough that a bootstrap takes seconds, so a kill lands inside it. */
    static final GeneratorSpec KILL_SPEC = GeneratorSpec.builder().rows(1_500_000).numericFeatures(8).float32Features(2).stringFeatures(1)
            .commits(1).rowsPerFile(100_000).seed(12).build();

    Path delta;
    Path store;

    void generate(GeneratorSpec spec) throws IOException {
        delta = dir.resolve("delta");
        store = dir.resolve("store");
        DeltaTableGenerator.generate(spec, delta);
    }

    String[] load() {
        return new String[] {"load", "--delta", delta.toString(), "--key", GeneratorSpec.KEY_COLUMN, "--store", store.toString(), "--table", "t"};
    }

    String[] follow() {
        return new String[] {"follow", "--delta", delta.toString(), "--key", GeneratorSpec.KEY_COLUMN, "--store", store.toString(),
                "--table", "t", "--poll", "100ms", "--status-every", "200ms"};
    }

    List<String> tables() {
        try (FeatureStore s = FeatureStore.open(store)) {
            return s.tableNames();
        }
    }

    void assertVerifies() throws Exception {
        Cli verify = Cli.start(0, "verify", "--store", store.toString(), "--table", "t");
        assertEquals(0, verify.waitFor(300), verify.output());
        assertTrue(verify.output().contains("OK: t equals"), verify.output());
    }

    /**
     * A full disk (a small tmpfs, mounted where permitted): the load fails, and closing its table would write (and fail)
     * again, so the table it created must be dropped as it is and the first error reported; with space freed, the
     * same command must load.
     */
    @Test
    void loadOnAFullDiskDropsWhatItBuiltReportsTheCauseAndTheRetryWorks() throws Exception {
        generate(DISK_SPEC);
        Path disk = dir.resolve("disk");
        Files.createDirectories(disk);
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", disk.toString()) == 0, "cannot mount a tmpfs here");
        try {
            store = disk.resolve("store");
            Cli full = Cli.start(0, load());
            assertEquals(1, full.waitFor(300), full.output());
            String error = full.errorLine();
            assertTrue(error.contains("No space left on device") && !full.output().contains("(then, cleaning up"),
                    "the first error alone must be reported: " + error + "\n" + full.output());
            assertEquals(List.of(), tables(), "the half-built table must be gone\n" + full.output());

            assertEquals(0, run("mount", "-o", "remount,size=256m", disk.toString()));
            Cli retry = Cli.start(0, load());
            assertEquals(0, retry.waitFor(300), retry.output());
            assertTrue(retry.output().contains("loaded " + String.format("%,d", DISK_SPEC.stateAt(1).liveCount()) + " rows"), retry.output());
            assertVerifies();
        } finally {
            assertEquals(0, run("umount", disk.toString()));
        }
    }

    /**
     * A file-size limit: writes past it fail with EFBIG (the JVM ignores SIGXFSZ rather than dying of it); the load must
     * report that error and leave no table behind, so that the retry loads.
     */
    @Test
    void loadPastAFileSizeLimitDropsWhatItBuiltReportsTheCauseAndTheRetryWorks() throws Exception {
        generate(DISK_SPEC);
        Cli full = Cli.start(6 * 1024, load());
        assertEquals(1, full.waitFor(300), "the load must fail, not die of SIGXFSZ or succeed\n" + full.output());
        String error = full.errorLine();
        assertTrue(error.contains("File too large"), "the original error (EFBIG) must be the one reported: " + error + "\n" + full.output());
        assertEquals(List.of(), tables(), "the half-built table must be gone\n" + full.output());

        Cli retry = Cli.start(0, load());
        assertEquals(0, retry.waitFor(300), retry.output());
        assertTrue(retry.output().contains("loaded " + String.format("%,d", DISK_SPEC.stateAt(1).liveCount()) + " rows"), retry.output());
        assertVerifies();
    }

    private static int run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor();
    }

    /** A child {@code larder} command with stdout and stderr merged. */
    static final class Cli {
        private final Process process;
        private final StringBuffer out = new StringBuffer();
        private final Thread pump;

        private Cli(Process process) {
            this.process = process;
            this.pump = new Thread(() -> {
                byte[] buf = new byte[8192];
                try (InputStream in = process.getInputStream()) {
                    for (int n; (n = in.read(buf)) > 0; ) {
                        out.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    }
                } catch (IOException ignored) {
                    // The child was killed; what arrived is kept.
                }
            }, "cli-child-output");
            pump.start();
        }

        /**
         * Starts {@code larder args...} in a new JVM; with {@code fileSizeLimitKb > 0} under {@code ulimit -f}, so that
         * a write past that size fails with EFBIG (the JVM ignores SIGXFSZ), as writes fail on a full disk.
         */
        static Cli start(long fileSizeLimitKb, String... args) throws IOException {
            List<String> cmd = new ArrayList<>();
            if (fileSizeLimitKb > 0) {
                cmd.addAll(List.of("bash", "-c", "ulimit -f " + fileSizeLimitKb + " && exec \"$@\"", "bash"));
            }
            cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-XX:-UsePerfData",
                    "-cp", System.getProperty("java.class.path"), LarderCli.class.getName()));
            cmd.addAll(List.of(args));
            return new Cli(new ProcessBuilder(cmd).redirectErrorStream(true).start());
        }

        int waitFor(int seconds) throws InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
                pump.join();
                fail("child did not finish within " + seconds + " s\n" + output());
            }
            pump.join();
            return process.exitValue();
        }

        String output() {
            return out.toString();
        }

        /** The command's error line ({@code larder CMD: message}). */
        String errorLine() {
            Matcher m = Pattern.compile("(?m)^larder [a-z-]+: .*$").matcher(output());
            assertTrue(m.find(), "no error line in\n" + output());
            return m.group();
        }
    }
}
