package dev.larder.jmh.harness;

import dev.larder.Feature;
import dev.larder.Larder;
import dev.larder.ReadStatus;
import dev.larder.ServeLog;
import dev.larder.ServeLogStats;
import dev.larder.Vector;
import dev.larder.jmh.VectorTables;
import dev.larder.snapshot.DeltaSource;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * The served-feature log's drain end to end: {@code threads} threads fill {@code vectors} logged vectors of 20
 * features over 3 tables (issue 21's vector) as fast as they can, into rings big enough to hold every one (so nothing
 * is dropped and the drain, not the serving, sets the pace), then the log is flushed and its rows counted by reading
 * the Delta table back. Prints the vectors committed per second from the first fill to the last commit, and the
 * fills' own rate.
 *
 * <p>Usage: {@code java -Xmx3g --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -cp
 * jmh/target/benchmarks.jar dev.larder.jmh.harness.ServeLogDrain VECTORS THREADS DIR [ROLL_ROWS]}; DIR is emptied.
 */
public final class ServeLogDrain {
    private static final int KEYS = 100_000;

    private ServeLogDrain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: ServeLogDrain VECTORS THREADS DIR [ROLL_ROWS]");
            System.exit(2);
        }
        long vectors = Long.parseLong(args[0]);
        int threads = Integer.parseInt(args[1]);
        Path dir = Path.of(args[2]);
        int rollRows = args.length > 3 ? Integer.parseInt(args[3]) : 100_000;
        long perThread = (vectors + threads - 1) / threads;
        if (perThread > 1 << 20) {
            throw new IllegalArgumentException("at most 1048576 vectors a thread (the largest ring), got " + perThread);
        }
        deleteTree(dir);
        Larder.Builder b = Larder.builder(dir.resolve("store"));
        Feature[] features = VectorTables.declare(b);
        b.vector("v", features);
        String log = dir.resolve("log").toString();
        b.log("v", ServeLog.to(log).bufferRecords((int) perThread).rollRows(rollRows)
                .rollEvery(Duration.ofSeconds(10)).tags("drain", "1"));
        try (Larder larder = b.open()) {
            VectorTables.fill(larder, KEYS);
            Vector v = larder.vector("v");
            List<Vector.Filler> fillers = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                fillers.add(v.newFiller());
            }
            LongAdder filled = new LongAdder();
            long start = System.nanoTime();
            List<Thread> workers = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                Vector.Filler f = fillers.get(i);
                int seed = i;
                workers.add(Thread.ofPlatform().name("filler-" + i).start(() -> {
                    double[] out = new double[features.length];
                    ReadStatus[] statuses = new ReadStatus[features.length];
                    for (long n = 0; n < perThread; n++) {
                        f.fill((n * 7919 + seed) % KEYS, out, statuses);
                    }
                    filled.add(perThread);
                }));
            }
            for (Thread w : workers) {
                w.join();
            }
            long fillNanos = System.nanoTime() - start;
            v.flushLog();
            long totalNanos = System.nanoTime() - start;
            ServeLogStats stats = v.logStats();
            DeltaSource delta = DeltaSource.open(log);
            LongAdder rows = new LongAdder();
            delta.scan(delta.latestVersion(), row -> rows.increment());
            System.out.printf(Locale.ROOT, "filled %,d vectors from %d threads in %.2f s (%,.0f/s); %s%n",
                    filled.sum(), threads, fillNanos / 1e9, filled.sum() / (fillNanos / 1e9), stats);
            System.out.printf(Locale.ROOT, "log %s: %,d rows in %,d commits; %,.0f vectors/s committed end to end"
                    + " (%.2f s from the first fill to the last commit)%n", log, rows.sum(), stats.commits(),
                    rows.sum() / (totalNanos / 1e9), totalNanos / 1e9);
            // CPU time per vector of the log's threads: what the machine's load does not change.
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().startsWith("larder-servelog")) {
                    System.out.printf(Locale.ROOT, "thread %s: %.0f ns CPU a vector%n", t.getName(),
                            mx.getThreadCpuTime(t.threadId()) / (double) rows.sum());
                }
            }
            fillers.clear();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
