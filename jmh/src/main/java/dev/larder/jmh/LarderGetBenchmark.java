package dev.larder.jmh;

import dev.larder.jmh.systems.KvSystem;
import dev.larder.jmh.systems.LarderSystem;
import dev.larder.jmh.systems.Systems;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Single-key get on Larder: 1M entities with 20 float64 features, uniformly random keys, one reader thread, with and
 * without a concurrent writer. SampleTime, because the bars are percentiles; run with {@code -prof gc} for B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LarderGetBenchmark {
    /** Larder, loaded with the dataset. */
    @State(Scope.Benchmark)
    public static class Fixture extends GetFixture {
        @Override
        protected String systemName() {
            return Systems.LARDER;
        }
    }

    /**
     * 0: a plain reader; otherwise a counted reader (lookups by status, one in this many timed), as the facade's
     * {@code Reader} and the metrics use: its cost over the plain one is one opaque store per lookup.
     */
    @Param({"0", "1024"})
    public int sampleEvery;

    private KvSystem.Reader reader;
    private KvSystem.Reader checkedReader;
    private KeySequence keys;
    private KvSystem.Reader rowReader;

    @Setup
    public void setUp(Fixture f) {
        reader = sampleEvery == 0 ? f.system.newReader() : ((LarderSystem) f.system).newCountedReader(sampleEvery);
        checkedReader = ((LarderSystem) f.system).newCheckedReader();
        rowReader = ((LarderSystem) f.system).newRowReader();
        keys = new KeySequence(f.keys, Thread.currentThread().threadId());
    }

    @Benchmark
    public double get() {
        return reader.get(keys.next());
    }

    /**
     * As {@link #get} through the whole-row API ({@code get(key)} then {@code getDouble}), which copies the row (216
     * bytes here) under its seqlock so every accessor reads one state of it; {@code sampleEvery} does not apply.
     */
    @Benchmark
    public double getRow() {
        return rowReader.get(keys.next());
    }

    /**
     * As {@link #get} through a checked reader, which verifies the CRC32C of each row it finds (216 bytes here) and
     * would refuse a damaged one; {@code sampleEvery} does not apply (compare with {@code get} at 0).
     */
    @Benchmark
    public double checkedGet() {
        return checkedReader.get(keys.next());
    }
}
