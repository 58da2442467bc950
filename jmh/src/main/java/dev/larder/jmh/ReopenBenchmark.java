package dev.larder.jmh;

import dev.larder.jmh.systems.LarderSystem;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.ReadStatus;
import dev.larder.store.TableOptions;
import java.io.IOException;
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
 * Reopening a cleanly closed table of {@code rows} rows and serving the first lookup (bar: ≤ 1 s at 10M rows, no
 * rebuild: run with {@code -p rows=10000000}; the default is smaller to keep the setup short). The files stay in the
 * page cache, as after a process restart on a server; the time measured is mapping plus validation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
@Fork(1)
public class ReopenBenchmark {
    @Param("1000000")
    public int rows;

    private Path dir;
    private FeatureStore store;

    @Setup(Level.Trial)
    public void create() throws IOException {
        dir = Files.createTempDirectory("larder-jmh-reopen");
        try (FeatureStore s = FeatureStore.open(dir)) {
            LarderSystem.load(s, s.create(LarderSystem.TABLE, Dataset.schema(),
                    TableOptions.DEFAULT.withInitialRows(rows)), rows);
        }
    }

    @Benchmark
    public ReadStatus reopen() {
        store = FeatureStore.open(dir);
        FeatureTable t = store.table(LarderSystem.TABLE);
        if (t.recoveredOnOpen()) {
            throw new IllegalStateException("a cleanly closed table was recovered (rebuilt) on open");
        }
        return t.newReader().get(rows - 1L);
    }

    @TearDown(Level.Invocation)
    public void close() {
        store.close();
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        GetFixture.deleteTree(dir);
    }
}
