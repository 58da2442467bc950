package dev.larder.stress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.larder.snapshot.DeltaSource;
import dev.larder.snapshot.TableParity;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash suite: a child JVM ({@link CrashChild}) follows a generated Delta table that keeps receiving commits while its
 * reader checks every row; the suite kills it with SIGKILL after a random delay, so kills land during bootstrap (each
 * episode starts from an empty store), while commits are applied, during rows-file growth and index rebuilds, and
 * during metadata writes (the phase the child reported last is counted). After every kill a new child must open every
 * table resume, catch up with the Delta table's latest version and stop cleanly; then the store, reopened here, must
 * hold exactly one generation equal to the Delta table at its watermark. Before that restart, the store as the kill
 * left it is opened here: every table open at the kill must report recovery and equal the Delta table at its OWN
 * watermark (a version cut short by the kill is rolled back, never half there), and an unfinished bootstrap must hold
 * no row. Short profile: 5 kills; long profile: 50.
 */
class CrashSuiteTest {
    @TempDir
    Path dir;

    private final SplittableRandom rnd = new SplittableRandom(20261124);

    @Test
    void killNineAtRandomPointsThenRestartResumesAndMatchesDelta() throws Exception {
        int kills = (int) StressProfile.pick(5, 50);
        int killsPerEpisode = (int) StressProfile.pick(3, 5);
        // Few updates and deletes per commit, so each copy-on-write commit rewrites only a few files and stays cheap.
        // The long profile appends hundreds of commits, so fewer inserts each keep the table (and every bootstrap)
        // bounded.
        GeneratorSpec spec = GeneratorSpec.builder().rows(StressProfile.pick(60_000, 100_000)).numericFeatures(8)
                .float32Features(2).stringFeatures(2).commits(1).updatesPerCommit(3).deletesPerCommit(2)
                .insertsPerCommit((int) StressProfile.pick(2000, 500))
                .rowsPerFile(10_000).seed(7).build();
        int bootstrapMillis = (int) StressProfile.pick(1200, 2000);
        Path delta = dir.resolve("delta");
        DeltaTableGenerator.generate(spec, delta);
        DeltaSource source = DeltaSource.open(delta.toString());

        AtomicBoolean stopAppending = new AtomicBoolean();
        AtomicReference<Throwable> appendFailure = new AtomicReference<>();
        Thread appender = new Thread(() -> {
            SplittableRandom r = new SplittableRandom(3);
            try {
                while (!stopAppending.get()) {
                    DeltaTableGenerator.appendCommit(delta);
                    Thread.sleep(100 + r.nextInt(400));
                }
            } catch (Throwable t) {
                appendFailure.set(t);
            }
        }, "delta-appender");
        appender.start();

        Map<String, Integer> phases = new TreeMap<>();
        long reads = 0;
        int verified = 0;
        Path store = null;
        try {
            for (int kill = 0; kill < kills; kill++) {
                boolean fresh = kill % killsPerEpisode == 0;
                if (fresh) {
                    store = dir.resolve("store-" + kill);
                }
                Child victim = Child.start(dir, delta, store, spec, -1, "victim-" + kill);
                victim.await("READY", 120);
                // A fresh store bootstraps for roughly bootstrapMillis after READY; later runs catch up, tail, grow and
                // sync.
                Thread.sleep(rnd.nextInt(fresh ? bootstrapMillis : 2500));
                String phase = victim.lastPhase();
                victim.kill();
                phases.merge(phase, 1, Integer::sum);
                reads += victim.reads();
                assertEquals(0, victim.bad(), victim.describe());
                verifyAsKilled(source, store, spec, victim.opened(), kill);

                long target = source.latestVersion();
                Child restart = Child.start(dir, delta, store, spec, target, "restart-" + kill);
                int exit = restart.waitFor(300);
                assertEquals(0, exit, "restart after kill " + kill + " did not catch up and stop cleanly\n"
                        + restart.describe());
                reads += restart.reads();
                assertEquals(0, restart.bad(), restart.describe());
                verify(source, store, spec, target, kill);
                verified++;
            }
        } finally {
            stopAppending.set(true);
            appender.join();
        }
        if (appendFailure.get() != null) {
            throw new AssertionError("appending commits failed", appendFailure.get());
        }
        System.out.printf("crash suite (%s): %d kills (phase at kill: %s), %d restarts opened, caught up and "
                        + "verified equal, %,d rows checked by readers in the children, %,d Delta versions%n",
                StressProfile.LONG ? "long" : "short", kills, phases, verified, reads, source.latestVersion() + 1);
        assertEquals(kills, verified);
    }

    /**
     * A kill while a generation's directory is being created leaves files but no {@code table.properties} (written
     * last); the restart must create that generation afresh rather than fail on the leftovers. Simulated exactly, since
     * the window is too narrow for random kills to hit reliably.
     */
    @Test
    void killDuringTableCreationLeavesNothingThatBlocksTheRestart() throws Exception {
        GeneratorSpec spec = GeneratorSpec.builder().rows(2000).numericFeatures(2).float32Features(1).stringFeatures(1)
                .commits(1).rowsPerFile(1000).build();
        Path delta = dir.resolve("delta");
        DeltaTableGenerator.generate(spec, delta);
        Path store = dir.resolve("store");
        Path half = store.resolve(CrashChild.TABLE);
        Files.createDirectories(half);
        Files.write(half.resolve("state.dat"), new byte[100]);
        Files.write(half.resolve("rows.dat"), new byte[0]);
        Files.write(half.resolve("writer.lock"), new byte[0]);
        Child restart = Child.start(dir, delta, store, spec, 1, "restart-after-create");
        assertEquals(0, restart.waitFor(120), restart.describe());
        verify(DeltaSource.open(delta.toString()), store, spec, 1, 0);
    }

    /**
     * The store exactly as the kill left it: tables open at the kill recover on open, and each equals the Delta table
     * at its own watermark (no row of a later version), or holds nothing if its bootstrap never finished.
     */
    private static void verifyAsKilled(DeltaSource source, Path store, GeneratorSpec spec,
            List<String> openAtKill, int kill) {
        try (FeatureStore s = FeatureStore.open(store)) {
            Set<String> present = new HashSet<>(s.tableNames());
            for (String name : present) {
                FeatureTable t = s.table(name);
                if (openAtKill.contains(name)) {
                    assertTrue(t.recoveredOnOpen(), name + " was open at kill " + kill
                            + " but did not report recovery");
                }
                if (t.lineage().version() < 0) {
                    assertEquals(0, t.size(), "kill " + kill + ": " + name + " has no watermark but holds rows");
                    continue;
                }
                TableParity.Result r = TableParity.verify(source, t, 5);
                assertTrue(r.equal(), "kill " + kill + ", as reopened at its own watermark (" + t.rolledBackOnOpen()
                        + " changes rolled back): " + r);
                assertEquals(spec.stateAt(r.version()).liveCount(), r.tableRows());
            }
        }
    }

    private static void verify(DeltaSource source, Path store, GeneratorSpec spec, long target, int kill) {
        try (FeatureStore s = FeatureStore.open(store)) {
            List<String> names = s.tableNames();
            assertEquals(1, names.size(), "after kill " + kill
                    + " and a clean restart exactly one generation must remain: " + names);
            FeatureTable t = s.table(names.get(0));
            assertFalse(t.recoveredOnOpen(), "the restart closed the table cleanly");
            TableParity.Result r = TableParity.verify(source, t, 5);
            assertTrue(r.version() >= target, "watermark " + r.version() + " behind the catch-up target " + target);
            assertTrue(r.equal(), "after kill " + kill + ": " + r);
            assertEquals(spec.stateAt(r.version()).liveCount(), r.tableRows());
        }
    }

    /** A running child JVM and the lines it printed. */
    private static final class Child {
        private final Process process;
        private final Path log;
        private final LinkedBlockingQueue<String> pending = new LinkedBlockingQueue<>();
        private final List<String> lines = new ArrayList<>();
        private final Thread pump;

        private Child(Process process, Path log) {
            this.process = process;
            this.log = log;
            this.pump = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null; ) {
                        pending.add(l);
                    }
                } catch (IOException ignored) {
                    // The child was killed mid-line; what arrived is kept.
                }
            }, "crash-child-stdout");
            pump.start();
        }

        static Child start(Path dir, Path delta, Path store, GeneratorSpec spec, long until,
                String name) throws IOException {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            Path log = dir.resolve(name + ".log");
            ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xmx512m", "-cp",
                    System.getProperty("java.class.path"),
                    CrashChild.class.getName(), delta.toString(), store.toString(), CrashChild.specArgument(spec),
                    Long.toString(until))
                    .redirectError(log.toFile());
            return new Child(pb.start(), log);
        }

        private synchronized void drain() {
            pending.drainTo(lines);
        }

        void await(String prefix, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (true) {
                synchronized (this) {
                    drain();
                    if (lines.stream().anyMatch(l -> l.startsWith(prefix))) {
                        return;
                    }
                }
                if (!process.isAlive() && !pump.isAlive() && pending.isEmpty()) {
                    fail("child exited with " + process.exitValue() + " before printing " + prefix + "\n" + describe());
                }
                if (System.nanoTime() > deadline) {
                    fail("child printed no " + prefix + " within " + seconds + " s\n" + describe());
                }
                Thread.sleep(5);
            }
        }

        synchronized String lastPhase() {
            drain();
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (lines.get(i).startsWith("PHASE ")) {
                    return lines.get(i).split(" ")[1];
                }
            }
            return "startup";
        }

        /** SIGKILL, verified: the JVM reports death by signal 9 as exit status 128 + 9. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "killed child did not exit");
            pump.join();
            drain();
            assertEquals(137, process.exitValue(), "child was not ended by SIGKILL (or had exited before)\n"
                    + describe());
        }

        int waitFor(int seconds) throws InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
                pump.join();
                drain();
                fail("child did not finish within " + seconds + " s\n" + describe());
            }
            pump.join();
            drain();
            return process.exitValue();
        }

        synchronized List<String> opened() {
            List<String> out = new ArrayList<>();
            for (String l : lines) {
                if (l.startsWith("OPENED ")) {
                    out.add(l.split(" ")[1]);
                } else if (l.startsWith("READY gen=")) {
                    out.add(l.substring("READY gen=".length()));
                }
            }
            return out;
        }

        synchronized long reads() {
            long n = 0;
            for (String l : lines) {
                if (l.startsWith("READS ")) {
                    n = Long.parseLong(l.split(" ")[1]);
                }
            }
            return n;
        }

        synchronized long bad() {
            long n = 0;
            for (String l : lines) {
                if (l.startsWith("READS ")) {
                    n = Long.parseLong(l.split(" ")[3]);
                }
            }
            return n;
        }

        synchronized String describe() {
            drain();
            StringBuilder sb = new StringBuilder("stdout:\n");
            for (String l : lines) {
                if (!l.startsWith("READS ")) {
                    sb.append("  ").append(l).append('\n');
                }
            }
            try {
                List<String> err = Files.readAllLines(log);
                sb.append("stderr (").append(log).append("):\n");
                for (String l : err.subList(Math.max(0, err.size() - 60), err.size())) {
                    sb.append("  ").append(l).append('\n');
                }
            } catch (IOException e) {
                sb.append("stderr unreadable: ").append(e);
            }
            return sb.toString();
        }
    }
}
