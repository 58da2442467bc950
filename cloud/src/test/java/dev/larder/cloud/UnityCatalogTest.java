package dev.larder.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.ingest.ChangeSink;
import dev.larder.ingest.ChangeSource;
import dev.larder.ingest.FollowOptions;
import dev.larder.ingest.Follower;
import dev.larder.ingest.IngestOptions;
import dev.larder.ingest.LarderEngine;
import dev.larder.snapshot.CatalogCommits;
import dev.larder.snapshot.DeltaChangeSource;
import dev.larder.snapshot.DeltaReadException;
import dev.larder.snapshot.DeltaSource;
import dev.larder.snapshot.JsonRowFormat;
import dev.larder.snapshot.ScanProgress;
import dev.larder.snapshot.TableParity;
import dev.larder.store.FeatureSchema;
import dev.larder.store.RowBuffer;
import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading tables by their Unity Catalog name against a catalog on loopback ({@link TestUnityCatalog}) that vends
 * session credentials for an S3 endpoint that checks them ({@link SessionTokenGate} in front of S3Proxy): an external
 * table, the shared catalog-managed table (its commits 1-2 exist only as staged commits the catalog reports),
 * credentials that expire while a feed runs, and the catalog's error answers.
 */
class UnityCatalogTest {
    private static final String MANAGED = "catalog-owned-preview";

    @TempDir
    static Path dir;
    static LocalS3 s3;
    static SessionTokenGate gate;
    static TestUnityCatalog catalog;
    static Path generated;

    @BeforeAll
    static void start() throws Exception {
        s3 = LocalS3.startWithoutAuthorization(dir.resolve("s3"));
        gate = new SessionTokenGate(s3.endpoint());
        catalog = new TestUnityCatalog(gate);
        generated = dir.resolve("generated");
        DeltaTableGenerator.generate(GeneratorSpec.builder().rows(3000).numericFeatures(2).float32Features(1)
                .stringFeatures(1).commits(2)
                .rowsPerFile(1000).build(), generated);
        s3.createBucket("uc-external");
        s3.uploadTable(generated, "uc-external", "features/users", java.util.Set.of());
        catalog.add("main.features.users", "s3://uc-external/features/users", false);
    }

    @AfterAll
    static void stop() {
        catalog.close();
        gate.close();
        s3.close();
    }

    /** Endpoint settings for the gate; no credentials: those come from the catalog. */
    static Map<String, String> settings() {
        Map<String, String> m = new LinkedHashMap<>(s3.endpointSettings());
        m.put("fs.s3a.endpoint", gate.endpoint());
        return m;
    }

    static UnityCatalog uc() {
        return UnityCatalog.connect(catalog.uri(), TestUnityCatalog.TOKEN, "$TEST_TOKEN");
    }

    static List<String> rows(DeltaSource source, long version) {
        List<String> out = new ArrayList<>();
        source.scan(version, r -> out.add(JsonRowFormat.toJson(r)));
        out.sort(null);
        return out;
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "never happened: " + what);
            Thread.sleep(20);
        }
    }

    /**
     * Uploads the shared catalog-managed table to its own bucket and registers it with the staged commits up to latest.
     */
    static TestUnityCatalog.Table managedTable(String bucket, String name, long latest) throws Exception {
        Path root = SharedTables.catalogManaged(MANAGED);
        s3.createBucket(bucket);
        s3.uploadTable(root, bucket, "tables/" + name, java.util.Set.of());
        TestUnityCatalog.Table t = catalog.addCatalogManaged("main.features." + name,
                "s3://" + bucket + "/tables/" + name, root, latest);
        return t;
    }

    static List<String> computed(long version) {
        return SharedTables.expected(SharedTables.catalogManaged(MANAGED).resolveSibling("computed")
                .resolve("snapshot-v" + version + ".jsonl"));
    }

    @Test
    void anExternalTableIsReadByNameWithTheCredentialsTheCatalogVends() {
        long refusedBefore = gate.unknownRefusals.get();
        DeltaSource byName = uc().open("main.features.users", settings());
        assertEquals("s3://uc-external/features/users", byName.tablePath());
        DeltaSource local = DeltaSource.open(generated.toString());
        assertEquals(local.latestVersion(), byName.latestVersion());
        for (long v = 0; v <= local.latestVersion(); v++) {
            assertEquals(rows(local, v), rows(byName, v), "version " + v);
        }
        assertTrue(gate.accepted.values().stream().mapToLong(java.util.concurrent.atomic.AtomicLong::get).sum() > 0);
        assertEquals(refusedBefore, gate.unknownRefusals.get(), "every request carried vended credentials");
    }

    @Test
    void theCatalogManagedTableIsReadWithTheCommitsTheCatalogReports() throws Exception {
        managedTable("uc-managed", "cop", 2);
        DeltaSource src = uc().open("main.features.cop", settings());
        assertEquals(2, src.latestVersion());
        for (long v = 0; v <= 2; v++) {
            assertEquals(computed(v), rows(src, v), "version " + v);
        }
        DeltaReadException byPath = assertThrows(DeltaReadException.class,
                () -> DeltaSource.open("s3a://uc-managed/tables/cop", s3.hadoopSettings()).latestVersion());
        assertTrue(byPath.getMessage().contains("catalog-managed"), byPath.getMessage());
    }

    /**
     * Two tables in one bucket, each with credentials vended for it alone: every request goes out with the credentials
     * of the table it reads, though Hadoop would share one filesystem per bucket.
     */
    @Test
    void tablesSharingABucketReadWithTheirOwnCredentials() throws Exception {
        s3.createBucket("uc-shared");
        s3.uploadTable(generated, "uc-shared", "a/users", java.util.Set.of());
        s3.uploadTable(generated, "uc-shared", "b/users", java.util.Set.of());
        TestUnityCatalog.Table a = catalog.add("main.shared.a", "s3://uc-shared/a/users", false);
        TestUnityCatalog.Table b = catalog.add("main.shared.b", "s3://uc-shared/b/users", false);
        DeltaSource srcA = uc().open("main.shared.a", settings());
        DeltaSource srcB = uc().open("main.shared.b", settings());
        assertEquals(rows(srcA, 2), rows(srcB, 2));
        Map<String, String> prefixOf = Map.of(a.tableId, "a/", b.tableId, "b/");
        int checked = 0;
        for (Map.Entry<String, String> issued : catalog.issuedFor.entrySet()) {
            String prefix = prefixOf.get(issued.getValue());
            if (prefix == null) {
                continue;
            }
            for (String path : gate.paths.getOrDefault(issued.getKey(), java.util.Set.of())) {
                assertTrue(path.startsWith("/uc-shared/" + prefix)
                        || path.contains("prefix=" + prefix.replace("/", "%2F")),
                        "credentials of table " + prefix + " used for " + path);
                checked++;
            }
        }
        assertTrue(checked > 10, "requests checked: " + checked);
    }

    /** Counts the versions a follower applies, to show a commit ratified mid-follow is applied once. */
    static final class Counting implements ChangeSource {
        final ChangeSource inner;
        final Map<Long, AtomicInteger> begun = new ConcurrentHashMap<>();

        Counting(ChangeSource inner) {
            this.inner = inner;
        }

        public String id() {
            return inner.id();
        }

        public String path() {
            return inner.path();
        }

        public FeatureSchema schema() {
            return inner.schema();
        }

        public long latestVersion() {
            return inner.latestVersion();
        }

        public void bootstrap(long version, ChangeSink sink) {
            inner.bootstrap(version, counting(sink));
        }

        public void changes(long afterVersion, long upToVersion, ChangeSink sink) {
            inner.changes(afterVersion, upToVersion, counting(sink));
        }

        private ChangeSink counting(ChangeSink sink) {
            return new ChangeSink() {
                public void begin(long version, long commitTimestampMillis) {
                    begun.computeIfAbsent(version, v -> new AtomicInteger()).incrementAndGet();
                    sink.begin(version, commitTimestampMillis);
                }

                public FeatureSchema schema() {
                    return sink.schema();
                }

                public RowBuffer row() {
                    return sink.row();
                }

                public void upsert(RowBuffer row) {
                    sink.upsert(row);
                }

                public void delete(RowBuffer keyRow) {
                    sink.delete(keyRow);
                }

                public void end() {
                    sink.end();
                }

                public long storedVersion(RowBuffer keyRow) {
                    return sink.storedVersion(keyRow);
                }
            };
        }
    }

    /**
     * Follow a catalog-managed table whose credentials live 2 s: they are refreshed before they expire (the S3 endpoint
     * refuses none as expired), and a commit the catalog ratifies while the feed runs is applied exactly once.
     */
    @Test
    void aCommitRatifiedWhileFollowingIsAppliedOnceAcrossCredentialRefreshes() throws Exception {
        TestUnityCatalog.Table t = managedTable("uc-follow", "follow", 1);
        catalog.credentialLifetimeMillis = 2000;
        try {
            long expiredBefore = gate.expiredRefusals.get();
            UnityCatalog uc = uc();
            DeltaSource src = uc.open("main.features.follow", settings());
            Counting counting = new Counting(new DeltaChangeSource(src, List.of("col1"), 16, ScanProgress.NONE));
            try (LarderEngine larder = LarderEngine.open(dir.resolve("store-follow"), IngestOptions.DEFAULT)) {
                Follower f = larder.follow("follow", counting,
                        FollowOptions.DEFAULT.withPollInterval(Duration.ofMillis(50))
                                .withRetry(Duration.ofMillis(100), Duration.ofSeconds(1)));
                await("bootstrap to v1", () -> f.handle().lineage().version() == 1);
                long requestsBefore = catalog.credentialRequests.get();
                // Several credential lifetimes of polling the catalog and the storage.
                Thread.sleep(5000);
                assertTrue(catalog.credentialRequests.get() >= requestsBefore + 2,
                        "credentials refreshed while following: " + catalog.credentialRequests.get() + " requests");
                t.latestVersion.set(2);
                await("watermark v2", () -> f.handle().lineage().version() == 2);
                Thread.sleep(500);
                assertEquals(1, counting.begun.get(2L).get(), "version 2 applied once");
                assertEquals(computed(2).size(), TableParity.dump(f.handle().table()).size());
                TableParity.Result r = TableParity.verify(src, f.handle().table(), 5);
                assertTrue(r.equal(), r.toString());
                assertEquals(expiredBefore, gate.expiredRefusals.get(), "no request went out with expired credentials");
            }
        } finally {
            catalog.credentialLifetimeMillis = 3_600_000;
        }
    }

    /**
     * The catalog answers 503 to the commits API while a feed runs: the table keeps serving its last version, reports
     * the failure naming the catalog, and catches up once the catalog answers again.
     */
    @Test
    void aCatalogOutageMidFollowKeepsServingAndTheFeedResumes() throws Exception {
        TestUnityCatalog.Table t = managedTable("uc-outage", "outage", 1);
        DeltaSource src = uc().open("main.features.outage", settings());
        try (LarderEngine larder = LarderEngine.open(dir.resolve("store-outage"), IngestOptions.DEFAULT)) {
            Follower f = larder.follow("outage", new DeltaChangeSource(src, List.of("col1"), 16, ScanProgress.NONE),
                    FollowOptions.DEFAULT.withPollInterval(Duration.ofMillis(50))
                            .withRetry(Duration.ofMillis(100), Duration.ofSeconds(1)));
            await("bootstrap to v1", () -> f.handle().lineage().version() == 1);
            catalog.failNext("/delta/preview/commits", 503, 1_000_000);
            t.latestVersion.set(2);
            await("feed failing", () -> f.status().state() == dev.larder.ingest.TableStatus.State.FAILING);
            String error = f.status().lastError();
            assertTrue(error.contains("Unity Catalog table main.features.outage") && error.contains("HTTP 503")
                    && error.contains("/delta/preview/commits"), error);
            assertEquals(1, f.handle().lineage().version());
            assertEquals(computed(1).size(), TableParity.dump(f.handle().table()).size(), "reads stay on version 1");
            catalog.failNext("/delta/preview/commits", 503, 0);
            await("caught up to v2", () -> f.handle().lineage().version() == 2
                    && f.status().state() == dev.larder.ingest.TableStatus.State.FOLLOWING);
            assertTrue(TableParity.verify(src, f.handle().table(), 5).equal());
        }
    }

    @Test
    void expiredCredentialsThatCannotBeRefreshedAreNamedAndReadsRecoverOnceTheCatalogVendsAgain() throws Exception {
        managedTable("uc-expiry", "expiry", 2);
        catalog.credentialLifetimeMillis = 1500;
        try {
            DeltaSource src = uc().open("main.features.expiry", settings());
            assertEquals(2, src.latestVersion());
            catalog.failNext("/temporary-table-credentials", 503, 1_000_000);
            Thread.sleep(1700);
            DeltaReadException e = assertThrows(DeltaReadException.class, src::latestVersion);
            assertEquals(DeltaReadException.Reason.EXPIRED_CREDENTIALS, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("s3://uc-expiry/tables/expiry")
                    && e.getMessage().contains("main.features.expiry")
                    && e.getMessage().contains("expired") && e.getMessage().contains(catalog.uri()), e.getMessage());
            catalog.failNext("/temporary-table-credentials", 503, 0);
            Thread.sleep(1100);
            assertEquals(2, src.latestVersion());
            assertEquals(computed(2), rows(src, 2));
        } finally {
            catalog.credentialLifetimeMillis = 3_600_000;
        }
    }

    /** Before: installed as they came, they were refreshed on every storage request (85 catalog calls for a load). */
    @Test
    void credentialsVendedAlreadyExpiredFailTheOpenAfterOneCatalogCall() {
        catalog.credentialLifetimeMillis = -60_000;
        try {
            long before = catalog.credentialRequests.get();
            UnityCatalogException e = assertThrows(UnityCatalogException.class,
                    () -> uc().open("main.features.users", settings()));
            assertTrue(e.getMessage().contains("already expired") && e.getMessage().contains("main.features.users")
                    && e.getMessage().contains("Unity Catalog at " + catalog.uri()), e.getMessage());
            assertEquals(before + 1, catalog.credentialRequests.get(), "catalog calls for credentials");
        } finally {
            catalog.credentialLifetimeMillis = 3_600_000;
        }
    }

    /**
     * Once valid credentials run out and the catalog only vends expired ones, a read fails as EXPIRED_CREDENTIALS (not
     * MALFORMED_LOG) naming the table and the catalog, after a bounded number of catalog calls.
     */
    @Test
    void credentialsRenewedOnlyWithExpiredOnesFailAsExpiredWithFewCatalogCalls() throws Exception {
        managedTable("uc-stale", "stale", 2);
        catalog.credentialLifetimeMillis = 1500;
        try {
            DeltaSource src = uc().open("main.features.stale", settings());
            assertEquals(2, src.latestVersion());
            catalog.credentialLifetimeMillis = -60_000;
            Thread.sleep(1700);
            long before = catalog.credentialRequests.get();
            DeltaReadException e = assertThrows(DeltaReadException.class, () -> rows(src, 2));
            assertEquals(DeltaReadException.Reason.EXPIRED_CREDENTIALS, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("main.features.stale") && e.getMessage().contains(catalog.uri())
                    && e.getMessage().contains("already expired"), e.getMessage());
            long calls = catalog.credentialRequests.get() - before;
            assertTrue(calls >= 1 && calls <= 3, "catalog calls for credentials during one failed read: " + calls);
        } finally {
            catalog.credentialLifetimeMillis = 3_600_000;
        }
    }

    /**
     * Before: a call waited on the future HttpClient.sendAsync returns, which a common ForkJoinPool task completes; the
     * S3 analytics accelerator's prefetch held that pool's only worker (2 cores) while its read waited for credentials
     * from a call, and every catalog call of the JVM went unanswered until its timeout.
     */
    @Test
    void aCallIsAnsweredWhileTheCommonPoolIsBlocked() throws Exception {
        int workers = ForkJoinPool.getCommonPoolParallelism();
        CountDownLatch blocked = new CountDownLatch(workers);
        CountDownLatch release = new CountDownLatch(1);
        List<CompletableFuture<Void>> holds = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            holds.add(CompletableFuture.runAsync(() -> {
                blocked.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        try {
            blocked.await();
            UnityCatalog uc = uc().withSettings(Map.of(UnityCatalog.CALL_TIMEOUT_MS_KEY, "20000"));
            assertEquals("s3://uc-external/features/users", uc.table("main.features.users").storageLocation());
        } finally {
            release.countDown();
            CompletableFuture.allOf(holds.toArray(CompletableFuture[]::new)).join();
        }
    }

    @Test
    void theCatalogsErrorAnswersNameTheTableAndTheEndpoint() {
        String tables = catalog.uri() + UnityCatalog.API_PATH + "/tables/main.features.users";
        UnityCatalogException unauthorized = assertThrows(UnityCatalogException.class,
                () -> UnityCatalog.connect(catalog.uri(), "wrong", "$MY_TOKEN")
                        .open("main.features.users", settings()));
        assertEquals(401, unauthorized.status());
        assertTrue(unauthorized.getMessage().contains("$MY_TOKEN") && unauthorized.getMessage().contains(tables)
                && unauthorized.getMessage().contains("UNAUTHENTICATED"), unauthorized.getMessage());

        UnityCatalogException missing = assertThrows(UnityCatalogException.class,
                () -> uc().open("main.features.nope", settings()));
        assertEquals(404, missing.status());
        assertTrue(missing.getMessage().contains("main.features.nope")
                && missing.getMessage().contains("TABLE_DOES_NOT_EXIST")
                && missing.getMessage().contains("/tables/main.features.nope"), missing.getMessage());

        catalog.failNext("/tables/", 503, UnityCatalog.ATTEMPTS);
        UnityCatalogException down = assertThrows(UnityCatalogException.class,
                () -> uc().open("main.features.users", settings()));
        assertEquals(503, down.status());
        assertTrue(down.getMessage().contains("HTTP 503") && down.getMessage().contains(tables), down.getMessage());

        catalog.failNext("/tables/", 503, UnityCatalog.ATTEMPTS - 1);
        assertEquals(2, uc().open("main.features.users", settings()).latestVersion(),
                "retried through passing 5xx answers");

        catalog.failNext("/temporary-table-credentials", 403, 1);
        UnityCatalogException denied = assertThrows(UnityCatalogException.class,
                () -> uc().open("main.features.users", settings()));
        assertTrue(denied.getMessage().contains("denied access to table main.features.users")
                && denied.getMessage().contains("/temporary-table-credentials"), denied.getMessage());

        IllegalArgumentException badName = assertThrows(IllegalArgumentException.class,
                () -> uc().table("features.users"));
        assertTrue(badName.getMessage().contains("catalog.schema.table"), badName.getMessage());
    }
}
