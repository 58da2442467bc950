package dev.larder.jmh;

import dev.larder.jmh.systems.KvSystem;
import dev.larder.jmh.systems.Systems;
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

/**
 * {@link LarderGetBenchmark}'s workload against Chronicle Map. The JVM flags Chronicle needs live here and only here
 * (the harness reads them from this annotation for its Chronicle child JVM), never in store/ or ingest/.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
        "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
        "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
        "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-opens=java.base/java.io=ALL-UNNAMED",
        "--add-opens=java.base/java.util=ALL-UNNAMED",
        "-Dchronicle.analytics.disable=true"})
public class ChronicleGetBenchmark {
    /** Chronicle Map, loaded with the dataset. */
    @State(Scope.Benchmark)
    public static class Fixture extends GetFixture {
        @Override
        protected String systemName() {
            return Systems.CHRONICLE;
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
