package dev.larder.jmh;

import dev.larder.Larder;
import dev.larder.Reader;
import dev.larder.Source;
import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * A model server's single-key get through the facade ({@code dev.larder.Reader}): the status and one feature of a
 * uniformly random entity of a followed generator table (20 numeric + 2 string features), no writer. Beside
 * {@link LarderGetBenchmark} it shows what the facade adds over the engine's reader.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FacadeGetBenchmark {
    /** A store following a generated Delta table, shared by the benchmark's threads. */
    @State(Scope.Benchmark)
    public static class Fixture {
        @Param("1000000")
        public long rows;

        Larder larder;
        Path dir;

        @Setup(Level.Trial)
        public void open() throws Exception {
            dir = Files.createTempDirectory("larder-facade-bench");
            Path delta = dir.resolve("delta");
            DeltaTableGenerator.generate(GeneratorSpec.builder().rows(rows).commits(0).build(), delta);
            larder = Larder.builder(dir.resolve("store"))
                    .follow("users", Source.delta(delta.toUri().toString()).key(GeneratorSpec.KEY_COLUMN)).open();
            if (!larder.awaitReady(Duration.ofMinutes(10))) {
                throw new IllegalStateException("the table did not bootstrap in 10 minutes");
            }
        }

        @TearDown(Level.Trial)
        public void close() throws Exception {
            larder.close();
            GetFixture.deleteTree(dir);
        }
    }

    private Reader reader;
    private int column;
    private KeySequence keys;

    @Setup
    public void setUp(Fixture f) {
        reader = f.larder.table("users").newReader();
        column = reader.column("f_0");
        keys = new KeySequence(f.rows, Thread.currentThread().threadId());
    }

    /** The status's ordinal plus the feature, so that neither is dead code; the same source on either facade. */
    @Benchmark
    public double get() {
        int status = reader.get(keys.next()).ordinal();
        return status + reader.getDouble(column);
    }
}
