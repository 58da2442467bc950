package dev.larder.jmh;

import dev.larder.ingest.FollowOptions;
import dev.larder.ingest.Follower;
import dev.larder.ingest.IngestOptions;
import dev.larder.ingest.LarderEngine;
import dev.larder.snapshot.DeltaChangeSource;
import dev.larder.snapshot.DeltaFeed;
import dev.larder.snapshot.DeltaSource;
import dev.larder.snapshot.ScanProgress;
import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.Lineage;
import dev.larder.store.TableOptions;
import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * A generated Delta snapshot of {@code rows} rows x {@link #FEATURES} float64 features (key {@code entity_id},
 * ~200-byte rows, files of 1M rows) and the two ways a store bootstraps from it (both through the ingest ring), for
 * {@link BootstrapBenchmark} and the harness. Both load into a
 * new table of the default size (1024 rows) that grows, as a bootstrap of unknown size does.
 */
public final class DeltaBootstrap {
    public static final int FEATURES = 20;
    /** Pinned, not the generator's default, so that a cached table always has the shape its directory name implies. */
    static final int ROWS_PER_FILE = 1_000_000;
    static final String TABLE = "bootstrap";

    private final DeltaSource source;
    private final long rows;
    private final long version;
    private final FeatureSchema schema;
    private final Lineage lineage;

    private DeltaBootstrap(DeltaSource source, long rows) {
        this.source = source;
        this.rows = rows;
        this.version = source.latestVersion();
        DeltaChangeSource changes = changeSource();
        this.schema = changes.schema();
        this.lineage = new Lineage(changes.id(), changes.path(), -1, 0);
    }

    /**
     * Opens {@code <root>/bench-delta-<rows>}, generating it on first use (into a temporary sibling, renamed into place
     * when complete, so an interrupted generation is never reused).
     */
    public static DeltaBootstrap open(Path root, long rows) throws IOException {
        Path table = root.toAbsolutePath().resolve("bench-delta-" + rows);
        if (!Files.isDirectory(table.resolve("_delta_log"))) {
            Files.createDirectories(table.getParent());
            Path partial = Files.createTempDirectory(table.getParent(), "bench-delta-" + rows + ".partial");
            GeneratorSpec spec = GeneratorSpec.builder().rows(rows).numericFeatures(FEATURES).float32Features(0)
                    .stringFeatures(0).commits(0).rowsPerFile(ROWS_PER_FILE).build();
            System.out.println("generating " + table + ": " + DeltaTableGenerator.generate(spec, partial.resolve("t")));
            Files.move(partial.resolve("t"), table, StandardCopyOption.ATOMIC_MOVE);
            Files.delete(partial);
        }
        return new DeltaBootstrap(DeltaSource.open(table.toString()), rows);
    }

    public long rows() {
        return rows;
    }

    /** The generated Delta table's root. */
    public String tablePath() {
        return source.tablePath();
    }

    private DeltaChangeSource changeSource() {
        return new DeltaChangeSource(source, List.of(GeneratorSpec.KEY_COLUMN), 32, ScanProgress.NONE);
    }

    /**
     * {@code Larder.load} of the snapshot into a new table of {@code store}, as {@code larder load} does: the calling
     * thread scans and fills batches of rows, the engine's writer thread applies them as its bulk load.
     */
    public long load(FeatureStore store) {
        FeatureTable t = store.create(TABLE, schema, TableOptions.DEFAULT, lineage);
        DeltaFeed feed = new DeltaFeed(source, schema);
        try (LarderEngine larder = LarderEngine.open(store, IngestOptions.DEFAULT.withJmx(false))) {
            return check(larder.load(t, lineage, sink -> feed.bootstrap(version, sink, ScanProgress.NONE)));
        }
    }

    /**
     * {@code LarderEngine.follow} of the snapshot through the ring; returns once the table's watermark reaches its
     * version.
     */
    public long ring(LarderEngine larder) throws InterruptedException {
        Follower f = larder.follow(TABLE, changeSource(), FollowOptions.DEFAULT);
        // 1 ms polls: negligible against a bootstrap of seconds, and no core taken from the follower and writer.
        while (f.handle().lineage().version() < version) {
            String error = f.status().lastError();
            if (error != null) {
                throw new IllegalStateException("bootstrap failed: " + error);
            }
            Thread.sleep(1);
        }
        return check(f.handle().table().size());
    }

    private long check(long loaded) {
        if (loaded != rows) {
            throw new IllegalStateException("loaded " + loaded + " rows, expected " + rows);
        }
        return loaded;
    }
}
