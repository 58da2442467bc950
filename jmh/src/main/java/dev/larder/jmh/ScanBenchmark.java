package dev.larder.jmh;

import dev.larder.snapshot.DeltaSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
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
 * The Delta snapshot scan alone (every row handed to a consumer that reads one feature) of {@link DeltaBootstrap}'s
 * table, with the flat-column parquet fast path on and off ({@code larder.parquet.fast-path}): the decoding share of a
 * bootstrap. Run with {@code -p rows=10000000} to compare with {@link BootstrapBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class ScanBenchmark {
    @Param("1000000")
    public long rows;

    @Param({"true", "false"})
    public boolean fastPath;

    private DeltaSource source;
    private long version;

    @Setup
    public void open() throws IOException {
        String path = DeltaBootstrap.open(Path.of(System.getProperty("larder.bench.dir", "target")), rows).tablePath();
        Configuration conf = DeltaSource.localConfiguration();
        conf.setBoolean("larder.parquet.fast-path", fastPath);
        source = DeltaSource.open(path, conf);
        version = source.latestVersion();
    }

    @Benchmark
    public double scan() {
        double[] sum = {0};
        long n = source.scan(version, r -> sum[0] += r.getDouble(1));
        if (n != rows) {
            throw new IllegalStateException("scanned " + n + " rows, expected " + rows);
        }
        return sum[0];
    }
}
