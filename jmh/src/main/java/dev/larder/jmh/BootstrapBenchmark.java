package dev.larder.jmh;

import dev.larder.ingest.IngestOptions;
import dev.larder.ingest.LarderEngine;
import dev.larder.store.FeatureStore;
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
 * Bootstrap of a fresh table from a generated Delta snapshot ({@link DeltaBootstrap}: {@code rows} rows x 20 float64
 * features), end to end: the parquet scan, row copy, bulk-load upserts, index build, final publish (bar: ≥ 1M rows/s
 * at 10M rows: {@code -p rows=10000000}). The score is the time of one bootstrap; each invocation also prints its
 * rows/s.
 *
 * <ul>
 *   <li>{@code load}: {@code Larder.load}, as {@code larder load} does (the benchmark thread scans and fills batches
 *   of rows, the engine's writer thread applies them; the time includes the final sync).
 *   <li>{@code ring}: {@code Larder.follow}, timed until the table's watermark reaches the snapshot's version (the
 *   follower thread scans, the ring hands rows to the writer thread).
 * </ul>
 * The Delta table is generated once into {@code <larder.bench.dir>/bench-delta-<rows>} (default {@code target/},
 * relative to the working directory) and reused by later runs; its files are read from the page cache after the first
 * invocation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
// Default heap ergonomics, as ./larder runs. A pinned 2 GiB heap (-Xms2g) was slower and noisier on the 2-core VM
// (0.66-1.2M against 1.1-1.7M rows/s through the ring): its larger young generation touches more fresh memory, which
// that VM faults in at several microseconds per page.
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class BootstrapBenchmark {
    @Param("1000000")
    public long rows;

    private DeltaBootstrap delta;
    private Path storeDir;
    private FeatureStore store;
    private LarderEngine larder;
    private long started;
    private long elapsedNanos;

    @Setup(Level.Trial)
    public void openDelta() throws IOException {
        delta = DeltaBootstrap.open(Path.of(System.getProperty("larder.bench.dir", "target")), rows);
    }

    @Setup(Level.Invocation)
    public void freshStore() throws IOException {
        storeDir = Files.createTempDirectory("larder-jmh-bootstrap");
        store = FeatureStore.open(storeDir);
    }

    @TearDown(Level.Invocation)
    public void dropStore() throws IOException {
        System.out.printf("%n%,.0f rows/s%n", rows * 1e9 / elapsedNanos);
        if (larder != null) {
            larder.close();
            larder = null;
        }
        store.close();
        GetFixture.deleteTree(storeDir);
        // The closed table's mappings (2+ GB at 10M rows) are released when their buffers are collected; without this
        // the next invocation runs beside them and no longer resembles a fresh process loading a table.
        System.gc();
    }

    @Benchmark
    public long load() {
        started = System.nanoTime();
        return timed(delta.load(store));
    }

    @Benchmark
    public long ring() throws InterruptedException {
        started = System.nanoTime();
        larder = LarderEngine.open(store, IngestOptions.DEFAULT.withJmx(false));
        return timed(delta.ring(larder));
    }

    private long timed(long loaded) {
        elapsedNanos = System.nanoTime() - started;
        return loaded;
    }
}
