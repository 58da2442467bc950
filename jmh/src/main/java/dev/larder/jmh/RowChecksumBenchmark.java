package dev.larder.jmh;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
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
 * What a row checksum costs: CRC32C over a row slot but its seq and checksum words, as the writer computes it on every
 * upsert and a checked reader on every lookup ({@code LarderGetBenchmark.checkedGet} measures such a lookup whole).
 * {@code rowBytes} 216 is the benchmark dataset's row (20 float64).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RowChecksumBenchmark {
    @Param({"216", "1024"})
    public int rowBytes;

    private final CRC32C crc = new CRC32C();
    private byte[] row;

    @Setup
    public void fill() {
        row = new byte[rowBytes];
        new SplittableRandom(1).nextBytes(row);
    }

    @Benchmark
    public long rowChecksum() {
        crc.reset();
        crc.update(row, 8, 16);
        crc.update(row, 28, rowBytes - 28);
        return crc.getValue();
    }
}
