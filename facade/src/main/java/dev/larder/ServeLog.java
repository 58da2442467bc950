package dev.larder;

import java.time.Duration;
import java.util.Objects;

/**
 * Immutable: how a vector's served-feature log is written ({@link Larder.Builder#log}), or a table's logged reads
 * ({@link Larder.Builder#logReads}). Every vector a
 * {@link Vector.Filler} serves (or a sampled share of them) is copied by the serving thread into its own bounded
 * buffer, without allocating, locking or a system call; a background thread drains the buffers into a Delta table at
 * {@link #to()}, committing every {@link #rollEvery()} or {@link #rollRows()} rows, whichever comes first. A vector
 * served while its thread's buffer is full is dropped and counted ({@link ServeLogStats#dropped()}), never waited for.
 *
 * <pre>{@code
 * Larder.builder(dir)
 *     .vector("ranker", Feature.of("users.ctr_7d"), Feature.of("items.price"))
 *     .log("ranker", ServeLog.to("s3a://lake/logs/ranker").sample(0.1).tags("ranker", "v7"))
 * }</pre>
 *
 * @see Vector#logStats()
 */
public final class ServeLog {
    private final String to;
    private final double sample;
    private final Duration rollEvery;
    private final int rollRows;
    private final int bufferRecords;
    private final String model;
    private final String modelVersion;

    private ServeLog(String to, double sample, Duration rollEvery, int rollRows, int bufferRecords, String model,
                     String modelVersion) {
        this.to = to;
        this.sample = sample;
        this.rollEvery = rollEvery;
        this.rollRows = rollRows;
        this.bufferRecords = bufferRecords;
        this.model = model;
        this.modelVersion = modelVersion;
    }

    /**
     * A log into the Delta table at {@code pathOrUri} (a local path or any file system Larder reads), created if
     * missing; every vector logged, committed every 10 s or 100,000 rows, 4,096 vectors buffered per serving thread.
     */
    public static ServeLog to(String pathOrUri) {
        if (Objects.requireNonNull(pathOrUri, "pathOrUri").isBlank()) {
            throw new IllegalArgumentException("a served-feature log needs a path or URI");
        }
        return new ServeLog(pathOrUri, 1.0, Duration.ofSeconds(10), 100_000, 4_096, null, null);
    }

    /**
     * The share of served vectors logged, 0 to 1 (default 1: all), drawn independently per vector.
     *
     * @throws IllegalArgumentException outside [0, 1]
     */
    public ServeLog sample(double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("sample must be between 0 and 1, got " + rate);
        }
        return new ServeLog(to, rate, rollEvery, rollRows, bufferRecords, model, modelVersion);
    }

    /**
     * Commits at least this often while vectors are logged (default 10 s): a crash loses at most this window.
     *
     * @throws IllegalArgumentException unless positive
     */
    public ServeLog rollEvery(Duration every) {
        if (every == null || every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException("rollEvery must be positive, got " + every);
        }
        return new ServeLog(to, sample, every, rollRows, bufferRecords, model, modelVersion);
    }

    /**
     * Commits once this many vectors await (default 100,000); also the drain's buffer size.
     *
     * @throws IllegalArgumentException unless positive
     */
    public ServeLog rollRows(int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("rollRows must be at least 1, got " + rows);
        }
        return new ServeLog(to, sample, rollEvery, rows, bufferRecords, model, modelVersion);
    }

    /**
     * Vectors each serving thread's buffer holds before it drops (default 4,096), rounded up to a power of two. Each
     * takes about {@code 8 * (3 + features + tables) + features} bytes (rounded up to 8), allocated when the
     * thread's filler is made.
     *
     * @throws IllegalArgumentException unless between 1 and 2^20
     */
    public ServeLog bufferRecords(int records) {
        if (records < 1 || records > 1 << 20) {
            throw new IllegalArgumentException("bufferRecords must be between 1 and 1048576, got " + records);
        }
        return new ServeLog(to, sample, rollEvery, rollRows, records, model, modelVersion);
    }

    /** Tags every logged vector with the model name and version that consumed it (either may be null). */
    public ServeLog tags(String modelName, String version) {
        return new ServeLog(to, sample, rollEvery, rollRows, bufferRecords, modelName, version);
    }

    /** Where the log is written. */
    public String to() {
        return to;
    }

    public double sample() {
        return sample;
    }

    public Duration rollEvery() {
        return rollEvery;
    }

    public int rollRows() {
        return rollRows;
    }

    public int bufferRecords() {
        return bufferRecords;
    }

    /** The model name every vector is tagged with; null for none. */
    public String model() {
        return model;
    }

    /** The model version every vector is tagged with; null for none. */
    public String modelVersion() {
        return modelVersion;
    }

    @Override
    public String toString() {
        return "ServeLog[to=" + to + ", sample=" + sample + ", rollEvery=" + rollEvery + ", rollRows=" + rollRows
                + ", bufferRecords=" + bufferRecords + ", model=" + model + ", modelVersion=" + modelVersion + "]";
    }
}
