package dev.larder.jmh;

import dev.larder.jmh.systems.LarderSystem;
import dev.larder.jmh.systems.Systems;
import dev.larder.store.ReadStatus;
import dev.larder.store.TableReader;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Batch get of {@code batch} random keys (100: the bar is p99 ≤ 15 µs; 1,000), one float64 column into a caller's
 * float[]. Drawing the keys is inside the measured call (a few ns each) so that every batch hits fresh rows rather
 * than a cache-resident set.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BatchGetBenchmark {

    /** Larder, loaded with the dataset. */
    @State(Scope.Benchmark)
    public static class Fixture extends GetFixture {
        @Override
        protected String systemName() {
            return Systems.LARDER;
        }
    }

    @Param({"100", "1000"})
    public int batch;

    private TableReader reader;
    private KeySequence keys;
    private long[] batchKeys;
    private float[] out;
    private ReadStatus[] status;

    @Setup
    public void setUp(Fixture f) {
        reader = ((LarderSystem) f.system).table().newReader();
        keys = new KeySequence(f.keys, Thread.currentThread().threadId());
        batchKeys = new long[batch];
        out = new float[batch];
        status = new ReadStatus[batch];
    }

    @Benchmark
    public void getBatch(Blackhole bh) {
        for (int i = 0; i < batch; i++) {
            batchKeys[i] = keys.next();
        }
        bh.consume(reader.getBatch(batchKeys, batch, Dataset.FIRST_FEATURE_COLUMN + 7, out, Float.NaN, status));
        bh.consume(out);
    }
}
