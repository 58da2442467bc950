package dev.larder.jmh;

import dev.larder.Larder;
import dev.larder.ReadStatus;
import dev.larder.ServeLog;
import dev.larder.Vector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
 * A 3-table, 20-feature vector filled through the facade, logged (default settings) or not: what the served-feature
 * log costs the serving thread (issue 21's goal: at most 100 ns more at p50). {@code -prof gc} counts the drain
 * thread's allocation too; ServeLogTest proves the serving thread's is zero. One thread filling flat out serves more
 * vectors than the drain commits, so its ring fills and most vectors are dropped (the trial's last line counts them):
 * the measurement mixes logged and dropped fills.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FacadeLoggedFillBenchmark {

    /** Three application-fed tables of {@code keys} rows each and the vector over them, logged or not. */
    @State(Scope.Benchmark)
    public static class Fixture {
        @Param("100000")
        public int keys;

        @Param({"false", "true"})
        public boolean logged;

        Larder larder;
        private Path dir;

        @Setup(Level.Trial)
        public void open() throws Exception {
            dir = Files.createTempDirectory("larder-logged-fill");
            Larder.Builder b = Larder.builder(dir.resolve("store"));
            b.vector("v", VectorTables.declare(b));
            if (logged) {
                b.log("v", ServeLog.to(dir.resolve("log").toString()));
            }
            larder = b.open();
            VectorTables.fill(larder, keys);
        }

        @TearDown(Level.Trial)
        public void close() throws Exception {
            Vector v = larder.vector("v");
            if (v.logged()) {
                System.out.println("served-feature log: " + v.logStats());
            }
            larder.close();
            GetFixture.deleteTree(dir);
        }
    }

    private Vector.Filler filler;
    private KeySequence keys;
    private final double[] out = new double[20];
    private final ReadStatus[] statuses = new ReadStatus[20];

    @Setup
    public void setUp(Fixture f) {
        filler = f.larder.vector("v").newFiller();
        keys = new KeySequence(f.keys, Thread.currentThread().threadId());
    }

    /** The count of features from data plus the first value, so that neither is dead code. */
    @Benchmark
    public double fill() {
        return filler.fill(keys.next(), out, statuses) + out[0];
    }
}
