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
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Batch get of 100 random keys, one float64 column into a caller's float[] (bar: p99 ≤ 15 µs). Drawing the 100 keys
 * is inside the measured call (a few ns each) so that every batch hits fresh rows rather than a cache-resident set.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BatchGetBenchmark {
    static final int BATCH = 100;

    @State(Scope.Benchmark)
    public static class Fixture extends GetFixture {
        @Override
        protected String systemName() {
            return Systems.LARDER;
        }
    }

    private TableReader reader;
    private KeySequence keys;
    private final long[] batch = new long[BATCH];
    private final float[] out = new float[BATCH];
    private final ReadStatus[] status = new ReadStatus[BATCH];

    @Setup
    public void setUp(Fixture f) {
        reader = ((LarderSystem) f.system).table().newReader();
        keys = new KeySequence(f.keys, Thread.currentThread().threadId());
    }

    @Benchmark
    public void getBatch(Blackhole bh) {
        for (int i = 0; i < BATCH; i++) {
            batch[i] = keys.next();
        }
        bh.consume(reader.getBatch(batch, BATCH, Dataset.FIRST_FEATURE_COLUMN + 7, out, Float.NaN, status));
        bh.consume(out);
    }
}
