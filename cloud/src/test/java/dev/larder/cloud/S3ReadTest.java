package dev.larder.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.ingest.IngestOptions;
import dev.larder.ingest.LarderEngine;
import dev.larder.snapshot.DeltaFeatureSchemas;
import dev.larder.snapshot.DeltaFeed;
import dev.larder.snapshot.DeltaSource;
import dev.larder.snapshot.ScanProgress;
import dev.larder.snapshot.TableParity;
import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.Lineage;
import dev.larder.store.TableOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared real Delta tables, uploaded through the S3 API to S3Proxy and read back through s3a, load and follow with
 * the same parity as from local paths: {@code computed/} expectations, {@link TableParity#verify} through s3a, and the
 * same rows as a load of the local copy.
 */
class S3ReadTest {
    /**
     * Key column of each table read here, from MANIFEST.md: checkpoints, deletion vectors, partitions, column mapping,
     * CDF.
     */
    static final Map<String, String> KEYS = new TreeMap<>(Map.of(
            "simple_table", "id", "basic_partitioned", "number", "basic-with-inserts-deletes-checkpoint", "id",
            "dv-partitioned-with-checkpoint", "col1", "dv-with-columnmapping", "col1", "table-with-dv-small", "value",
            "cdf-table", "id", "cdf-table-with-cdc-and-dvs", "id", "cdc_ict_table", "name",
            "cdf-column-mapping-id-mode", "id"));
    static final String BUCKET = "shared";

    @TempDir
    static Path dir;
    static LocalS3 s3;
    static Map<String, String> settings;

    @BeforeAll
    static void upload() throws Exception {
        SharedTables.root();
        s3 = LocalS3.start(dir.resolve("s3"));
        s3.createBucket(BUCKET);
        for (String table : KEYS.keySet()) {
            s3.uploadTable(SharedTables.table(table), BUCKET, table, Set.of());
        }
        settings = CloudSettings.hadoopSettings(s3.hadoopSettings());
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
    }

    static DeltaSource s3a(String table) {
        return DeltaSource.open("s3a://" + BUCKET + "/" + table, settings);
    }

    static FeatureTable bootstrap(FeatureStore store, String name, DeltaSource src, long version, String key) {
        FeatureSchema schema = DeltaFeatureSchemas.toFeatureSchema(src.schema(version), List.of(key), 16);
        FeatureTable t = store.create(name, schema, TableOptions.DEFAULT);
        DeltaFeed feed = new DeltaFeed(src, schema);
        try (LarderEngine larder = LarderEngine.open(store, IngestOptions.DEFAULT.withJmx(false))) {
            larder.load(t, new Lineage(src.tableId(version), src.tablePath(), -1, 0),
                    sink -> feed.bootstrap(version, sink, ScanProgress.NONE));
        }
        return t;
    }

    /** Applies commits {@code from..to} to {@code t} through the engine. */
    static long apply(FeatureStore store, FeatureTable t, DeltaFeed feed, long from, long to) {
        try (LarderEngine larder = LarderEngine.open(store, IngestOptions.DEFAULT.withJmx(false))) {
            return larder.applyChanges(t, sink -> feed.applyChanges(from, to, sink));
        }
    }

    @TestFactory
    Stream<DynamicTest> latestVersionLoadsAndVerifiesThroughS3a() {
        return KEYS.keySet().stream().map(table -> DynamicTest.dynamicTest(table, () -> {
            DeltaSource remote = s3a(table);
            DeltaSource local = DeltaSource.open(SharedTables.table(table).toString());
            long v = remote.latestVersion();
            assertEquals(local.latestVersion(), v, table);
            assertEquals("s3a://" + BUCKET + "/" + table, remote.tablePath());
            try (FeatureStore store = FeatureStore.open(dir.resolve("latest-" + table))) {
                FeatureTable fromS3 = bootstrap(store, "s3", remote, v, KEYS.get(table));
                FeatureTable fromDisk = bootstrap(store, "local", local, v, KEYS.get(table));
                assertEquals(SharedTables.expected(SharedTables.snapshots(table).get(v)), TableParity.dump(fromS3),
                        table + " v" + v);
                assertEquals(TableParity.dump(fromDisk), TableParity.dump(fromS3), table);
                assertEquals(v, fromS3.lineage().version());
                assertEquals("s3a://" + BUCKET + "/" + table, fromS3.lineage().sourcePath());
                TableParity.Result r = TableParity.verify(remote, fromS3, 5);
                assertTrue(r.equal(), table + ": " + r);
            }
        }));
    }

    /** Checkpoint at v10, JSON commits after it, deletion vectors: every version from v0 applied commit by commit. */
    @Test
    void changeFeedAcrossVersionsThroughS3a() {
        for (String table : List.of("dv-partitioned-with-checkpoint", "cdf-table-with-cdc-and-dvs")) {
            DeltaSource src = s3a(table);
            TreeMap<Long, Path> snaps = SharedTables.snapshots(table);
            long first = snaps.firstKey();
            try (FeatureStore store = FeatureStore.open(dir.resolve("feed-" + table))) {
                FeatureTable t = bootstrap(store, "t", src, first, KEYS.get(table));
                DeltaFeed feed = new DeltaFeed(src, t.schema());
                for (long v : snaps.tailMap(first, false).keySet()) {
                    assertEquals(v, apply(store, t, feed, t.lineage().version() + 1, v));
                    assertEquals(SharedTables.expected(snaps.get(v)), TableParity.dump(t), table + " v" + v);
                }
                assertEquals(src.latestVersion(), t.lineage().version());
                TableParity.Result r = TableParity.verify(src, t, 5);
                assertTrue(r.equal(), table + ": " + r);
            }
        }
    }

    /** Databricks names tables s3://bucket/...; CloudSettings reads that scheme through s3a too. */
    @Test
    void s3SchemeReadsThroughS3a() {
        DeltaSource src = DeltaSource.open("s3://" + BUCKET + "/basic_partitioned", settings);
        assertEquals("s3://" + BUCKET + "/basic_partitioned", src.tablePath());
        try (FeatureStore store = FeatureStore.open(dir.resolve("s3-scheme"))) {
            FeatureTable t = bootstrap(store, "t", src, 1, "number");
            assertEquals(SharedTables.expected(SharedTables.snapshots("basic_partitioned").get(1L)),
                    TableParity.dump(t));
        }
    }
}
