package dev.larder.jmh;

import dev.larder.jmh.systems.KvSystem;
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
 * {@link LarderGetBenchmark}'s workload against the peers that need no JVM flags: same keys, same value bytes, same
 * writer, plus the memory-access floor. Redis needs a redis-server binary; without one its setup fails with the
 * reason and the others still run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PeerGetBenchmark {
    /** The peer named by {@code peer}, loaded with the same dataset. */
    @State(Scope.Benchmark)
    public static class Fixture extends GetFixture {
        @Param({"chm", "caffeine", "redis", "floor"})
        public String peer;

        @Override
        protected String systemName() {
            return peer;
        }
    }

    private KvSystem.Reader reader;
    private KeySequence keys;

    @Setup
    public void setUp(Fixture f) {
        reader = f.system.newReader();
        keys = new KeySequence(f.keys, Thread.currentThread().threadId());
    }

    @Benchmark
    public double get() {
        return reader.get(keys.next());
    }
}
