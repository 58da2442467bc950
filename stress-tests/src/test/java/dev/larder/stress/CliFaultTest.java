package dev.larder.stress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.larder.cli.LarderCli;
import dev.larder.ingest.IngestOptions;
import dev.larder.ingest.LarderEngine;
import dev.larder.snapshot.DeltaSource;
import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureStore;
import dev.larder.store.TableOptions;
import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
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
    static final GeneratorSpec DISK_SPEC = GeneratorSpec.builder().rows(200_000).numericFeatures(8).float32Features(2)
            .stringFeatures(2)
            .commits(1).rowsPerFile(50_000).seed(11).build();
    /**
     * Large enough that a bootstrap takes seconds, so a kill lands inside it; generated once, read by both kill tests.
     */
    static final GeneratorSpec KILL_SPEC = GeneratorSpec.builder().rows(400_000).numericFeatures(8).float32Features(2)
            .stringFeatures(1)
            .commits(1).rowsPerFile(50_000).seed(12).build();

    @TempDir
    static Path shared;
    static Path killDelta;

    Path delta;
    Path store;

    void generate(GeneratorSpec spec) throws IOException {
        delta = dir.resolve("delta");
        store = dir.resolve("store");
        DeltaTableGenerator.generate(spec, delta);
    }

    /** The Delta table of {@link #KILL_SPEC}, generated on first use. */
    void useKillTable() throws IOException {
        synchronized (CliFaultTest.class) {
            if (killDelta == null) {
                Path d = shared.resolve("delta");
                DeltaTableGenerator.generate(KILL_SPEC, d);
                killDelta = d;
            }
        }
        delta = killDelta;
        store = dir.resolve("store");
    }

    String[] load() {
        return new String[] {"load", "--delta", delta.toString(), "--key", GeneratorSpec.KEY_COLUMN, "--store",
                store.toString(), "--table", "t"};
    }

    String[] follow() {
        return new String[] {"follow", "--delta", delta.toString(), "--key", GeneratorSpec.KEY_COLUMN, "--store",
                store.toString(),
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
     * A full disk (a small tmpfs, mounted where permitted): the load fails, and closing its table would write (and
     * fail) again, so the table it created must be dropped as it is and the first error reported; with space freed, the
     * same command must load.
     */
    @Test
    void loadOnAFullDiskDropsWhatItBuiltReportsTheCauseAndTheRetryWorks() throws Exception {
        generate(DISK_SPEC);
        Path disk = dir.resolve("disk");
        Files.createDirectories(disk);
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", disk.toString()) == 0,
                "cannot mount a tmpfs here");
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
            assertTrue(retry.output()
                    .contains("loaded " + String.format("%,d", DISK_SPEC.stateAt(1).liveCount()) + " rows"),
                    retry.output());
            assertVerifies();
        } finally {
            assertEquals(0, run("umount", disk.toString()));
        }
    }

    /**
     * A file-size limit: writes past it fail with EFBIG (the JVM ignores SIGXFSZ rather than dying of it); the load
     * must report that error and leave no table behind, so that the retry loads.
     */
    @Test
    void loadPastAFileSizeLimitDropsWhatItBuiltReportsTheCauseAndTheRetryWorks() throws Exception {
        generate(DISK_SPEC);
        Cli full = Cli.start(6 * 1024, load());
        assertEquals(1, full.waitFor(300), "the load must fail, not die of SIGXFSZ or succeed\n" + full.output());
        String error = full.errorLine();
        assertTrue(error.contains("File too large"), "the original error (EFBIG) must be the one reported: " + error
                + "\n" + full.output());
        assertEquals(List.of(), tables(), "the half-built table must be gone\n" + full.output());

        Cli retry = Cli.start(0, load());
        assertEquals(0, retry.waitFor(300), retry.output());
        assertTrue(retry.output()
                .contains("loaded " + String.format("%,d", DISK_SPEC.stateAt(1).liveCount()) + " rows"),
                retry.output());
        assertVerifies();
    }

    /**
     * Waits until the child's bootstrap is writing rows into table {@code t} (its rows file grows), then kills it with
     * SIGKILL; checks that the kill landed inside the bootstrap (no watermark recorded).
     */
    void killDuringBootstrap(Cli child) throws Exception {
        Path rows = store.resolve("t").resolve("rows.dat");
        Path metadata = store.resolve("t").resolve("table.properties");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        long firstSize = -1;
        while (true) {
            assertTrue(child.alive(), "the child ended before it could be killed in its bootstrap\n" + child.output());
            assertTrue(System.nanoTime() < deadline, "no bootstrap seen within 120 s\n" + child.output());
            if (Files.exists(metadata) && Files.exists(rows)) {
                long size = Files.size(rows);
                if (firstSize < 0) {
                    firstSize = size;
                } else if (size > firstSize) {
                    break;
                }
            }
            Thread.sleep(2);
        }
        child.kill();
        assertTrue(Files.readString(metadata).contains("lineage.version=-1\n"),
                "the kill landed after the bootstrap ended:\n"
                + Files.readString(metadata));
    }

    /**
     * The table a killed bootstrap left records its Delta table from its creation on, so the application cannot
     * declare it pushed and serve (and extend) the half-loaded rows; nothing of it is changed by the refusal.
     */
    void assertTheApplicationCannotAdoptIt() {
        try (LarderEngine app = LarderEngine.open(store, IngestOptions.DEFAULT.withJmx(false))) {
            FeatureSchema schema = app.store().metadata("t").schema();
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> app.pushTable("t", schema, TableOptions.DEFAULT));
            assertTrue(e.getMessage().contains("table t in " + store + " is fed by Delta table ")
                    && e.getMessage().contains("the application (pushed rows) cannot feed it too"), e.getMessage());
        }
    }

    @Test
    void loadKilledDuringItsBootstrapIsFinishedByRunningItAgain() throws Exception {
        useKillTable();
        killDuringBootstrap(Cli.start(0, load()));
        assertTheApplicationCannotAdoptIt();
        for (String command : List.of("apply-changes", "verify")) {
            Cli c = Cli.start(0, command, "--store", store.toString(), "--table", "t");
            assertEquals(1, c.waitFor(300), c.output());
            assertTrue(c.errorLine().contains("bootstrap of table t did not finish; re-run load (or follow)"),
                    c.output());
        }
        Cli again = Cli.start(0, load());
        assertEquals(0, again.waitFor(300), again.output());
        assertTrue(again.output()
                .contains("loaded " + String.format("%,d", KILL_SPEC.stateAt(1).liveCount()) + " rows"),
                again.output());
        assertEquals(List.of("t"), tables());
        assertVerifies();
    }

    @Test
    void followKilledDuringItsBootstrapIsFinishedInPlaceByRunningItAgain() throws Exception {
        useKillTable();
        long latest = DeltaSource.open(delta.toString()).latestVersion();
        killDuringBootstrap(Cli.start(0, follow()));
        assertTheApplicationCannotAdoptIt();
        Cli again = Cli.start(0, follow());
        Matcher status = again.await(Pattern.compile("(?m)^t \\[(\\S+)\\] FOLLOWING: watermark v" + latest + " "), 300);
        again.terminate();
        assertEquals("t", status.group(1), "the table must be bootstrapped again under its own name\n"
                + again.output());
        assertEquals(List.of("t"), tables());
        assertVerifies();
    }

    /**
     * A commit stamped ten years ahead (its file's modification time) is applied, and every command that applies it
     * says so on a warning line naming the Delta table, the version, the stamped time and how far ahead it is: the
     * change feed ({@code apply-changes}, {@code follow}) and a bootstrap ({@code load}, {@code rebuild}). The
     * timestamp is kept, so under a TTL its rows read as FOUND until a TTL after it.
     */
    @Test
    void commitsStampedInTheFutureAreReportedByEveryCommandThatAppliesThem() throws Exception {
        store = dir.resolve("store");
        HandMadeDelta delta = HandMadeDelta.create(dir.resolve("delta"), HostileInputTest.rows(0, 10, 0));
        Files.setLastModifiedTime(delta.commitFile(0), FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        String root = DeltaSource.open(delta.root.toString()).tablePath();
        String[] load0 = {"load", "--delta", delta.root.toString(), "--key", "id", "--store", store.toString(),
            "--version", "0", "--ttl", "PT24H", "--table"};
        for (String table : List.of("fed", "followed")) {
            Cli load = Cli.start(0, append(load0, table));
            assertEquals(0, load.waitFor(120), load.output());
            assertFalse(load.output().contains("warning:"), load.output());
        }
        Instant future = Instant.ofEpochMilli(System.currentTimeMillis() + Duration.ofDays(3650).toMillis());
        delta.commitAt(1, future.toEpochMilli(), delta.add(delta.writeData("part-1.parquet",
                HostileInputTest.rows(10, 20, 1))));
        String stamped = Pattern.quote(future.toString());
        Pattern warning = Pattern.compile("(?m)^warning: table " + Pattern.quote(root) + ", version 1: commit "
                + "timestamp " + stamped + " is 36(49|50) d \\d+ h ahead of this machine's clock "
                + ".*expire only a TTL after " + stamped + "$");
        List<String[]> commands = List.of(
                new String[] {"apply-changes", "--store", store.toString(), "--table", "fed"},
                new String[] {"follow", "--delta", delta.root.toString(), "--key", "id", "--store", store.toString(),
                    "--table", "followed", "--poll", "100ms", "--duration", "3s"},
                new String[] {"load", "--delta", delta.root.toString(), "--key", "id", "--store", store.toString(),
                    "--table", "loaded"},
                new String[] {"rebuild", "--store", store.toString(), "--table", "fed", "--yes"});
        for (String[] command : commands) {
            Cli c = Cli.start(0, command);
            assertEquals(0, c.waitFor(120), c.output());
            assertTrue(warning.matcher(c.output()).find(), command[0] + " gave no warning line " + warning + "\n"
                    + c.output());
        }
        for (String table : List.of("fed", "followed", "loaded")) {
            Cli get = Cli.start(0, "get", "--store", store.toString(), "--table", table, "k15");
            assertEquals(0, get.waitFor(120), get.output());
            String out = get.output();
            assertTrue(out.contains("status: FOUND"), table + ": " + out);
            assertTrue(out.contains("row lineage: version=1 commitTimestamp=" + future), table + ": " + out);
        }
    }

    private static String[] append(String[] args, String last) {
        String[] out = Arrays.copyOf(args, args.length + 1);
        out[args.length] = last;
        return out;
    }

    private static int run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
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
            cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                    "-XX:-UsePerfData",
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

        boolean alive() {
            return process.isAlive();
        }

        /** SIGKILL, verified: the JVM reports death by signal 9 as exit status 128 + 9. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "killed child did not exit");
            pump.join();
            assertEquals(137, process.exitValue(), "child was not ended by SIGKILL (or had exited before)\n"
                    + output());
        }

        /** SIGTERM, as Ctrl-C: the command's shutdown hook stops it cleanly. */
        void terminate() throws InterruptedException {
            process.destroy();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "child did not stop on SIGTERM\n" + output());
            pump.join();
        }

        /** Waits for output matching {@code p}; fails if the child ends or {@code seconds} pass first. */
        Matcher await(Pattern p, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (true) {
                Matcher m = p.matcher(output());
                if (m.find()) {
                    return m;
                }
                if (!process.isAlive()) {
                    pump.join();
                    m = p.matcher(output());
                    if (m.find()) {
                        return m;
                    }
                    fail("child exited with " + process.exitValue() + " before printing " + p + "\n" + output());
                }
                if (System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    fail("child printed no " + p + " within " + seconds + " s\n" + output());
                }
                Thread.sleep(20);
            }
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
