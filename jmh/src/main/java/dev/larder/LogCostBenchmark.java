package dev.larder;

import dev.larder.jmh.VectorTables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What logging a served vector costs the serving thread, and nothing else: the same 3-table, 20-feature vector filled
 * through the facade unlogged ({@link #unlogged}) and logged ({@link #logged}), in one run, so the difference of their
 * p50s is the copy into the ring (issue 21's goal: at most 100 ns, 0 B/op); and that copy alone ({@link #copy}), which
 * does not vary with the lookups' cache misses as the fills' difference does. The log's drain thread is held for the
 * trial and the benchmark thread empties its own ring after each fill (one release store), so no vector is dropped and
 * the drain's Parquet writing allocates nothing in the measured JVM ({@code -prof gc} counts this thread's allocation
 * only). The trial's last line proves nothing was dropped. In package {@code dev.larder} for the filler's ring.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LogCostBenchmark {
    /** Three application-fed tables and two vectors over the same 20 features: {@code logged} and {@code plain}. */
    @State(Scope.Benchmark)
    public static class Fixture {
        @Param("100000")
        public int keys;

        Larder larder;
        private Path dir;
        private final CountDownLatch release = new CountDownLatch(1);
        private Thread holder;

        @Setup(Level.Trial)
        public void open() throws Exception {
            dir = Files.createTempDirectory("larder-log-cost");
            Larder.Builder b = Larder.builder(dir.resolve("store"));
            Feature[] features = VectorTables.declare(b);
            b.vector("plain", features);
            b.vector("logged", features);
            b.log("logged", ServeLog.to(dir.resolve("log").toString()));
            larder = b.open();
            VectorTables.fill(larder, keys);
            // The drain waits on the logger's monitor for the whole trial: this benchmark's thread is the consumer.
            ServeLogger log = larder.vector("logged").log();
            CountDownLatch held = new CountDownLatch(1);
            holder = Thread.ofPlatform().daemon().start(() -> {
                synchronized (log) {
                    held.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            held.await();
        }

        @TearDown(Level.Trial)
        public void close() throws Exception {
            release.countDown();
            holder.join();
            System.out.println("served-feature log: " + larder.vector("logged").logStats());
            larder.close();
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                System.out.println("could not delete " + dir + ": " + e);
            }
        }
    }

    private Vector.Filler plain;
    private Vector.Filler logged;
    private LogBuffer ring;
    private long state;
    private long keys;
    private final double[] out = new double[VectorTables.FEATURES];
    private final ReadStatus[] statuses = new ReadStatus[VectorTables.FEATURES];

    @Setup
    public void setUp(Fixture f) {
        plain = f.larder.vector("plain").newFiller();
        logged = f.larder.vector("logged").newFiller();
        ring = logged.logBuffer();
        logged.fill(0, out, statuses);
        keys = f.keys;
        state = 0x9E3779B97F4A7C15L ^ Thread.currentThread().threadId();
    }

    /** A uniformly random key (xorshift64*): a few cycles, no memory traffic. */
    private long nextKey() {
        long x = state;
        x ^= x >>> 12;
        x ^= x << 25;
        x ^= x >>> 27;
        state = x;
        return Math.multiplyHigh(x * 0x2545F4914F6CDD1DL >>> 1, keys << 1);
    }

    /** The count of features from data plus the first value, so that neither is dead code. */
    @Benchmark
    public double unlogged() {
        return plain.fill(nextKey(), out, statuses) + out[0];
    }

    /** The same fill logged, then the ring emptied as the drain would (the records are not read). */
    @Benchmark
    public double logged() {
        double r = logged.fill(nextKey(), out, statuses) + out[0];
        ring.release(ring.logged());
        return r;
    }

    /** The last fill's vector logged again (a new key each time): the serving thread's whole logging cost. */
    @Benchmark
    public long copy() {
        logged.relog(nextKey(), out);
        long head = ring.logged();
        ring.release(head);
        return head;
    }
}
