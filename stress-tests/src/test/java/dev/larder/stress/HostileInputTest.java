package dev.larder.stress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.ingest.ChangeSink;
import dev.larder.ingest.ChangeSource;
import dev.larder.ingest.FeedException;
import dev.larder.ingest.FollowOptions;
import dev.larder.ingest.Follower;
import dev.larder.ingest.FreshnessListener;
import dev.larder.ingest.IngestOptions;
import dev.larder.ingest.LarderEngine;
import dev.larder.ingest.LiveReader;
import dev.larder.ingest.TableStatus;
import dev.larder.snapshot.ChangeConsumer;
import dev.larder.snapshot.ChangeKind;
import dev.larder.snapshot.DeltaChangeSource;
import dev.larder.snapshot.DeltaCommit;
import dev.larder.snapshot.DeltaFeatureSchemas;
import dev.larder.snapshot.DeltaFeed;
import dev.larder.snapshot.DeltaReadException;
import dev.larder.snapshot.DeltaRow;
import dev.larder.snapshot.DeltaSource;
import dev.larder.snapshot.Rebuild;
import dev.larder.snapshot.ScanProgress;
import dev.larder.snapshot.TableParity;
import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.Lineage;
import dev.larder.store.ReadStatus;
import dev.larder.store.StoreCorruptedException;
import dev.larder.store.StoreException;
import dev.larder.store.TableOptions;
import dev.larder.store.TableReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile inputs against a followed Delta table (a hand-made one, so each commit holds exactly the damage wanted):
 * every case must stop the feed with a clear error naming what is wrong, keep readers on the last good version
 * (watermark and every row unchanged, nothing of the bad commit visible), and, where the damage can be repaired, resume
 * once it is. Damaged store files must fail to open with an error naming the file, and {@link Rebuild} must bring the
 * table back from its Delta source.
 */
class HostileInputTest {
    static final String TABLE = "t";
    /** Keys read before and after each failure: the table's, the bad commit's, and one planted outside the root. */
    static final List<String> PROBES = probes();

    @TempDir
    Path dir;

    HandMadeDelta delta;
    LarderEngine larder;
    Follower follower;
    final LinkedBlockingQueue<FeedException> failures = new LinkedBlockingQueue<>();
    final AtomicInteger resumed = new AtomicInteger();
    /** Bootstraps the follower began (of any generation): a re-bootstrap shows up here. */
    final AtomicInteger bootstraps = new AtomicInteger();
    static final AtomicInteger INPUTS = new AtomicInteger();

    private static List<String> probes() {
        List<String> p = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            p.add("k" + i);
        }
        p.add("evil");
        return p;
    }

    static List<HandMadeDelta.Row> rows(int from, int to, long version) {
        List<HandMadeDelta.Row> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            // Every fifth note is longer than the 16 inline bytes, so the table's heap file is in use too.
            String note = i % 7 == 0 ? null
                    : i % 5 == 0 ? "a longer note kept in the heap, key " + i + " v" + version
                    : "note-" + i + "-v" + version;
            out.add(new HandMadeDelta.Row("k" + i, i * 10L + version, i / 4.0 + version, note));
        }
        return out;
    }

    /** Version 0 holds k0..k99, version 1 adds k100..k199; the feed is followed up to version 1. */
    void followGoodTable() throws Exception {
        delta = HandMadeDelta.create(dir.resolve("delta"), rows(0, 100, 0));
        delta.commit(1, delta.add(delta.writeData("part-1.parquet", rows(100, 200, 1))));
        startFollowing();
        awaitWatermark(1);
    }

    void startFollowing() {
        startFollowing(FollowOptions.DEFAULT);
    }

    void startFollowing(FollowOptions options) {
        larder = LarderEngine.open(dir.resolve("store"), IngestOptions.DEFAULT.withJmx(false));
        larder.addListener(new FreshnessListener() {
            @Override
            public void onFeedFailed(TableStatus status, FeedException error) {
                failures.add(error);
            }

            @Override
            public void onFeedResumed(TableStatus status) {
                resumed.incrementAndGet();
            }
        });
        DeltaChangeSource source = new DeltaChangeSource(DeltaSource.open(delta.root.toString()), List.of("id"), 16,
                ScanProgress.NONE);
        follower = larder.follow(TABLE, new ChangeSource() {
            @Override
            public String id() {
                return source.id();
            }

            @Override
            public String path() {
                return source.path();
            }

            @Override
            public FeatureSchema schema() {
                return source.schema();
            }

            @Override
            public long latestVersion() {
                return source.latestVersion();
            }

            @Override
            public void bootstrap(long version, ChangeSink sink) {
                bootstraps.incrementAndGet();
                source.bootstrap(version, sink);
            }

            @Override
            public void changes(long afterVersion, long upToVersion, ChangeSink sink) {
                source.changes(afterVersion, upToVersion, sink);
            }
        }, options.withPollInterval(Duration.ofMillis(20)).withRetry(Duration.ofMillis(20), Duration.ofMillis(200)));
    }

    @AfterAll
    static void summary() {
        System.out.printf("hostile-input suite: %d bad inputs tried, each stopped with its error while reads stayed "
                + "on the last good version%n", INPUTS.get());
    }

    @AfterEach
    void close() {
        if (larder != null) {
            larder.close();
        }
    }

    void awaitWatermark(long version) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (follower.handle().lineage().version() < version) {
            assertTrue(System.nanoTime() < deadline, "watermark " + follower.handle().lineage().version()
                    + " never reached " + version
                    + "; last error: " + follower.status().lastError());
            Thread.sleep(10);
        }
    }

    FeedException awaitFailure() throws InterruptedException {
        FeedException e = failures.poll(60, TimeUnit.SECONDS);
        assertNotNull(e, "the feed did not fail");
        INPUTS.incrementAndGet();
        return e;
    }

    /** Every probe key rendered (or NOT_FOUND), read through a LiveReader as a model server would. */
    Map<String, String> reads() {
        LiveReader live = new LiveReader(follower.handle());
        Map<String, String> out = new LinkedHashMap<>();
        for (String id : PROBES) {
            TableReader r = live.refresh();
            out.put(id, r.get(id) == ReadStatus.FOUND ? render(r) : "NOT_FOUND");
        }
        return out;
    }

    static String render(TableReader r) {
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < r.schema().columnCount(); c++) {
            sb.append(r.isNull(c) ? "null" : switch (r.schema().column(c).type()) {
                case STRING -> r.getString(c);
                case INT64 -> Long.toString(r.getLong(c));
                case FLOAT64 -> Double.toString(r.getDouble(c));
                default -> "?";
            }).append(',');
        }
        return sb.append('@').append(r.version()).toString();
    }

    /** The failed feed left everything as it was at version 1, also after several retries. */
    void assertReadsUnchanged(Map<String, String> before) throws InterruptedException {
        assertTrue(failures.poll(30, TimeUnit.SECONDS) != null, "the feed is retried and keeps failing");
        assertEquals(1, follower.handle().lineage().version(), "watermark moved past the last good version");
        assertEquals(before, reads(), "reads changed after a failed commit");
        assertTrue(follower.status().lastError() != null, "status reports the error");
    }

    static void assertReason(FeedException e, DeltaReadException.Reason reason, String... mentions) {
        DeltaReadException cause = cause(e, DeltaReadException.class);
        assertNotNull(cause, "not a Delta read failure: " + e);
        assertEquals(reason, cause.reason(), e.getMessage());
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "'" + m + "' not named in: " + e.getMessage());
        }
    }

    static <T extends Throwable> T cause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /** After a repair: the feed reaches version 2, shows its rows, and equals the Delta table there. */
    void assertResumedAtVersion2() throws InterruptedException {
        assertResumedAtVersion2("k251,2512,64.75,note-251-v2,@2");
    }

    void assertResumedAtVersion2(String k251) throws InterruptedException {
        awaitWatermark(2);
        Map<String, String> after = reads();
        assertEquals(k251, after.get("k251"));
        assertEquals("NOT_FOUND", after.get("evil"));
        follower.close();
        TableParity.Result r = TableParity.verify(DeltaSource.open(delta.root.toString()),
                follower.handle().table(), 5);
        assertEquals(2, r.version());
        assertTrue(r.equal(), r.toString());
        assertEquals(300, r.tableRows());
    }

    /** Writes the good version-2 file, returns its bytes and the add action that names it. */
    String goodVersion2File(byte[][] bytes) throws IOException {
        String name = delta.writeData("part-2.parquet", rows(200, 300, 2));
        bytes[0] = Files.readAllBytes(delta.root.resolve(name));
        return delta.add(name);
    }

    @Test
    void truncatedParquetInANewCommit() throws Exception {
        followGoodTable();
        Map<String, String> before = reads();
        byte[][] good = new byte[1][];
        String add = goodVersion2File(good);
        Files.write(delta.root.resolve("part-2.parquet"), Arrays.copyOf(good[0], good[0].length / 2));
        delta.commit(2, add);
        FeedException e = awaitFailure();
        assertEquals(2, e.version(), e.getMessage());
        assertReason(e, DeltaReadException.Reason.CORRUPT_FILE, "part-2.parquet", "version 2");
        assertReadsUnchanged(before);
        Files.write(delta.root.resolve("part-2.parquet"), good[0]);
        assertResumedAtVersion2();
    }

    /** Applies commits {@code from..to} of {@code source} to {@code t} as {@code apply-changes} does. */
    private static void applyChanges(FeatureStore store, FeatureTable t, DeltaSource source, long from, long to) {
        DeltaFeed feed = new DeltaFeed(source, t.schema());
        try (LarderEngine larder = LarderEngine.open(store, IngestOptions.DEFAULT.withJmx(false))) {
            larder.applyChanges(t, sink -> feed.applyChanges(from, to, sink));
        }
    }

    /**
     * apply-changes (the one-shot path, {@code LarderEngine.applyChanges}) on a commit whose second data
     * file is truncated: the rows of the first file must not stay behind under the old watermark.
     */
    @Test
    void applyChangesOfACommitWhoseSecondFileIsTruncatedLeavesNoTrace() throws Exception {
        delta = HandMadeDelta.create(dir.resolve("delta"), rows(0, 100, 0));
        delta.commit(1, delta.add(delta.writeData("part-1.parquet", rows(100, 200, 1))));
        Path storeDir = dir.resolve("store");
        DeltaSource source = DeltaSource.open(delta.root.toString());
        try (FeatureStore store = FeatureStore.open(storeDir)) {
            FeatureTable t = store.create(TABLE,
                    DeltaFeatureSchemas.toFeatureSchema(source.schema(1), List.of("id"), 16),
                    TableOptions.DEFAULT, new Lineage(source.tableId(1), source.tablePath(), -1, 0));
            applyChanges(store, t, source, 0, 1);
        }
        String first = delta.writeData("part-2a.parquet", rows(200, 1200, 2));
        String second = delta.writeData("part-2b.parquet", rows(1200, 2200, 2));
        String addSecond = delta.add(second);
        byte[] good = Files.readAllBytes(delta.root.resolve(second));
        Files.write(delta.root.resolve(second), Arrays.copyOf(good, good.length / 2));
        delta.commit(2, delta.add(first), addSecond);
        INPUTS.incrementAndGet();
        try (FeatureStore store = FeatureStore.open(storeDir)) {
            FeatureTable t = store.table(TABLE);
            DeltaReadException e = assertThrows(DeltaReadException.class, () -> applyChanges(store, t, source, 2, 2));
            assertTrue(e.getMessage().contains("part-2b.parquet"), e.getMessage());
        }
        try (FeatureStore store = FeatureStore.open(storeDir)) {
            FeatureTable t = store.table(TABLE);
            assertEquals(1, t.lineage().version());
            TableParity.Result r = TableParity.verify(source, t, 5);
            assertTrue(r.equal(), "a failed commit leaves no trace: " + r);
            assertEquals(ReadStatus.NOT_FOUND, t.newReader().get("k250"), "no row of the failed version 2");
        }
        Files.write(delta.root.resolve(second), good);
        try (FeatureStore store = FeatureStore.open(storeDir)) {
            FeatureTable t = store.table(TABLE);
            applyChanges(store, t, source, 2, 2);
            TableParity.Result r = TableParity.verify(source, t, 5);
            assertEquals(2, r.version());
            assertTrue(r.equal(), "the retry converges: " + r);
            assertEquals(2200, r.tableRows());
        }
    }

    /**
     * apply-changes ({@code LarderEngine.applyChanges}) refuses a commit adding keys a live file holds, naming both.
     */
    @Test
    void applyChangesRefusesACommitAddingKeysAnotherLiveFileHolds() throws Exception {
        delta = HandMadeDelta.create(dir.resolve("delta"), rows(0, 100, 0));
        delta.commit(1, delta.add(delta.writeData("part-1.parquet", rows(50, 60, 1))));
        DeltaSource source = DeltaSource.open(delta.root.toString());
        INPUTS.incrementAndGet();
        try (FeatureStore store = FeatureStore.open(dir.resolve("store"))) {
            FeatureTable t = store.create(TABLE,
                    DeltaFeatureSchemas.toFeatureSchema(source.schema(1), List.of("id"), 16),
                    TableOptions.DEFAULT, new Lineage(source.tableId(0), source.tablePath(), -1, 0));
            applyChanges(store, t, source, 0, 0);
            DeltaReadException e = assertThrows(DeltaReadException.class, () -> applyChanges(store, t, source, 1, 1));
            assertEquals(DeltaReadException.Reason.DUPLICATE_KEY, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("part-1.parquet") && e.getMessage().contains("part-0.parquet"),
                    e.getMessage());
        }
        try (FeatureStore store = FeatureStore.open(dir.resolve("store"))) {
            FeatureTable t = store.table(TABLE);
            assertEquals(0, t.lineage().version());
            assertTrue(TableParity.verify(source, t, 5).equal(), "nothing of the refused commit stays");
        }
    }

    @Test
    void corruptParquetInANewCommit() throws Exception {
        followGoodTable();
        Map<String, String> before = reads();
        byte[][] good = new byte[1][];
        String add = goodVersion2File(good);
        byte[] garbage = new byte[good[0].length];
        new Random(1).nextBytes(garbage);
        Files.write(delta.root.resolve("part-2.parquet"), garbage);
        delta.commit(2, add);
        FeedException e = awaitFailure();
        assertReason(e, DeltaReadException.Reason.CORRUPT_FILE, "part-2.parquet", "version 2");
        assertReadsUnchanged(before);
        Files.write(delta.root.resolve("part-2.parquet"), good[0]);
        assertResumedAtVersion2();
    }

    @Test
    void dataFileMissing() throws Exception {
        followGoodTable();
        Map<String, String> before = reads();
        byte[][] good = new byte[1][];
        String add = goodVersion2File(good);
        Files.delete(delta.root.resolve("part-2.parquet"));
        delta.commit(2, add);
        // The latest snapshot reads the file, so it is damage, not history vacuumed: no re-bootstrap (which would fail
        // on the same file), no new generation on any retry; the feed stops and retries.
        FeedException e = awaitFailure();
        assertReason(e, DeltaReadException.Reason.MISSING_FILE, "part-2.parquet", "version 2");
        assertReadsUnchanged(before);
        assertTrue(failures.poll(30, TimeUnit.SECONDS) != null, "retried again");
        assertEquals(1, bootstraps.get(), "a missing data file started a re-bootstrap");
        assertEquals(TABLE, follower.status().generation());
        Files.write(delta.root.resolve("part-2.parquet"), good[0]);
        assertResumedAtVersion2();
        assertEquals(1, bootstraps.get());
        assertEquals(TABLE, follower.handle().table().name(), "resumed in the same generation");
    }

    @Test
    void malformedCommitJson() throws Exception {
        followGoodTable();
        Map<String, String> before = reads();
        byte[][] good = new byte[1][];
        String add = goodVersion2File(good);
        delta.writeCommitText(2, "{\"add\":{\"path\":\n");
        FeedException e = awaitFailure();
        assertReason(e, DeltaReadException.Reason.MALFORMED_LOG);
        assertReadsUnchanged(before);
        delta.commit(2, add);
        assertResumedAtVersion2();
    }

    @Test
    void featureTypeChangedIncompatibly() throws Exception {
        followGoodTable();
        Map<String, String> before = reads();
        delta.commit(2, delta.metaData(HandMadeDelta.SCHEMA_FIELDS.replace("\"score\",\"type\":\"double\"",
                "\"score\",\"type\":\"string\"")));
        FeedException e = awaitFailure();
        assertEquals(2, e.version());
        assertReason(e, DeltaReadException.Reason.INCOMPATIBLE_SCHEMA, "column 'score' changed type", "version 2");
        assertReadsUnchanged(before);
    }

    @Test
    void keyTypeChangedIncompatibly() throws Exception {
        followGoodTable();
        Map<String, String> before = reads();
        delta.commit(2, delta.metaData(HandMadeDelta.SCHEMA_FIELDS.replace("\"id\",\"type\":\"string\"",
                "\"id\",\"type\":\"long\"")));
        FeedException e = awaitFailure();
        assertReason(e, DeltaReadException.Reason.INCOMPATIBLE_SCHEMA, "column 'id' changed type", "version 2");
        assertReadsUnchanged(before);
    }

    @Test
    void addedNullableColumnIsAccepted() throws Exception {
        followGoodTable();
        delta.commit(2, delta.metaData(HandMadeDelta.SCHEMA_FIELDS
                + ",{\"name\":\"extra\",\"type\":\"integer\",\"nullable\":true,\"metadata\":{}}"),
                delta.add(delta.writeData("part-2.parquet", rows(200, 300, 2))));
        // The follower rebuilds a wider generation: the new column reads as null.
        assertResumedAtVersion2("k251,2512,64.75,note-251-v2,null,@2");
        assertTrue(failures.isEmpty(), "an additive schema change must not stop the feed: " + failures);
    }

    @Test
    void nullKey() throws Exception {
        followGoodTable();
        Map<String, String> before = reads();
        List<HandMadeDelta.Row> bad = new ArrayList<>(rows(200, 300, 2));
        bad.add(50, new HandMadeDelta.Row(null, 1L, 1.0, "no key"));
        delta.commit(2, delta.add(delta.writeData("part-2.parquet", bad)));
        FeedException e = awaitFailure();
        assertEquals(2, e.version());
        assertReason(e, DeltaReadException.Reason.INVALID_DATA, "null value in key column 'id'", "version 2");
        assertReadsUnchanged(before);
    }

    @Test
    void oversizedKey() throws Exception {
        followGoodTable();
        Map<String, String> before = reads();
        List<HandMadeDelta.Row> bad = new ArrayList<>(rows(200, 300, 2));
        bad.add(new HandMadeDelta.Row("k".repeat(100), 1L, 1.0, "long key"));
        delta.commit(2, delta.add(delta.writeData("part-2.parquet", bad)));
        FeedException e = awaitFailure();
        assertReason(e, DeltaReadException.Reason.INVALID_DATA, "100 bytes exceeds the capacity of key column id",
                "version 2");
        assertReadsUnchanged(before);
    }

    @Test
    void oversizedString() throws Exception {
        followGoodTable();
        Map<String, String> before = reads();
        List<HandMadeDelta.Row> bad = new ArrayList<>(rows(200, 300, 2));
        int size = (16 << 20) + 1;
        bad.add(new HandMadeDelta.Row("k299x", 1L, 1.0, "n".repeat(size)));
        delta.commit(2, delta.add(delta.writeData("part-2.parquet", bad)));
        FeedException e = awaitFailure();
        assertReason(e, DeltaReadException.Reason.INVALID_DATA,
                size + " bytes exceeds the 16777216-byte limit of column note", "version 2");
        assertReadsUnchanged(before);
    }

    @Test
    void duplicateKeysInOneSnapshot() throws Exception {
        List<HandMadeDelta.Row> dup = new ArrayList<>(rows(0, 100, 0));
        dup.add(new HandMadeDelta.Row("k42", 42L, 0.5, "second k42"));
        delta = HandMadeDelta.create(dir.resolve("delta"), dup);
        startFollowing();
        FeedException e = awaitFailure();
        assertTrue(e.getMessage().contains("101 rows but 100 distinct keys")
                && e.getMessage().contains("[id] do not identify rows uniquely"),
                e.getMessage());
        assertTrue(failures.poll(30, TimeUnit.SECONDS) != null, "the bootstrap is retried and keeps failing");
        assertEquals(-1, follower.handle().lineage().version(),
                "a snapshot with duplicate keys must not become the watermark");
        // The fix: a commit replacing the file with one keyed uniquely; the next bootstrap takes the latest version.
        delta.commit(1, delta.remove("part-0.parquet"), delta.add(delta.writeData("part-1.parquet", rows(0, 100, 1))));
        awaitWatermark(1);
        follower.close();
        TableParity.Result r = TableParity.verify(DeltaSource.open(delta.root.toString()),
                follower.handle().table(), 5);
        assertTrue(r.equal(), r.toString());
        assertEquals(100, r.tableRows());
    }

    @ParameterizedTest
    @ValueSource(strings = {"../outside.parquet", "%2E%2E/outside.parquet", "ABSOLUTE", "/etc/hosts"})
    void logPathEscapingTheTableRootIsRefusedUnread(String path) throws Exception {
        followGoodTable();
        Map<String, String> before = reads();
        // A readable file with a row to plant: if it were read, "evil" would show up (or the error would differ).
        Path outside = dir.resolve("outside.parquet");
        HandMadeDelta.writeParquet(outside, List.of(new HandMadeDelta.Row("evil", 666L, 6.66, "planted")));
        String escaping = path.equals("ABSOLUTE") ? outside.toUri().toString() : path;
        delta.commit(2, delta.add(escaping));
        FeedException e = awaitFailure();
        assertReason(e, DeltaReadException.Reason.PATH_OUTSIDE_TABLE, "refused", "version 2");
        assertEquals(escaping, cause(e, DeltaReadException.class).file());
        assertReadsUnchanged(before);
        delta.commit(2, delta.add(delta.writeData("part-2.parquet", rows(200, 300, 2))));
        assertResumedAtVersion2();
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "directory"})
    void symlinkLeavingTheTableRootIsRefusedUnread(String linked) throws Exception {
        followGoodTable();
        Map<String, String> before = reads();
        // The link target holds a readable row to plant: if it were read, "evil" would show up.
        Path outside = Files.createDirectories(dir.resolve("outside"));
        HandMadeDelta.writeParquet(outside.resolve("part-2.parquet"),
                List.of(new HandMadeDelta.Row("evil", 666L, 6.66, "planted")));
        Path link = linked.equals("file") ? delta.root.resolve("part-2.parquet") : delta.root.resolve("sub");
        Files.createSymbolicLink(link, linked.equals("file") ? outside.resolve("part-2.parquet") : outside);
        String logPath = linked.equals("file") ? "part-2.parquet" : "sub/part-2.parquet";
        delta.commit(2, delta.add(logPath));
        FeedException e = awaitFailure();
        assertEquals(2, e.version(), e.getMessage());
        assertReason(e, DeltaReadException.Reason.PATH_OUTSIDE_TABLE, "symbolic link", "refused", "version 2", logPath);
        assertEquals(logPath, cause(e, DeltaReadException.class).file());
        assertReadsUnchanged(before);
        // The repair: the link replaced by a real file inside the root.
        Files.delete(link);
        Files.createDirectories(delta.root.resolve(logPath).getParent());
        HandMadeDelta.writeParquet(delta.root.resolve(logPath), rows(200, 300, 2));
        delta.commit(2, delta.add(logPath));
        assertResumedAtVersion2();
    }

    /**
     * A commit that leaves two rows with one key in the Delta table stops the feed naming the key, the version and both
     * files (the other one found in the previous version when the commit does not hold it).
     */
    @ParameterizedTest
    @ValueSource(strings = {"twice in one file", "in two files of one commit", "while another live file holds it",
            "as two cdc post-images", "as a cdc insert while another live file holds it"})
    void keyAddedTwiceStopsTheFeed(String how) throws Exception {
        followGoodTable();
        Map<String, String> before = reads();
        List<HandMadeDelta.Row> v2 = rows(200, 300, 2);
        HandMadeDelta.Row k42 = new HandMadeDelta.Row("k42", 42L, 0.5, "second k42");
        String[] mentions = switch (how) {
            case "twice in one file" -> {
                List<HandMadeDelta.Row> bad = new ArrayList<>(v2);
                bad.add(new HandMadeDelta.Row("k250", 1L, 1.0, "second k250"));
                delta.commit(2, delta.add(delta.writeData("part-2.parquet", bad)));
                yield new String[] {"duplicate key (id=k250)", "added twice by file", "part-2.parquet"};
            }
            case "in two files of one commit" -> {
                delta.commit(2, delta.add(delta.writeData("part-2.parquet", v2)),
                        delta.add(delta.writeData("part-2b.parquet", rows(250, 251, 2))));
                yield new String[] {"duplicate key (id=k250)", "part-2.parquet and again by file", "part-2b.parquet"};
            }
            case "while another live file holds it" -> {
                List<HandMadeDelta.Row> bad = new ArrayList<>(v2);
                bad.add(k42);
                delta.commit(2, delta.add(delta.writeData("part-2.parquet", bad)));
                yield new String[] {"duplicate key (id=k42)", "part-2.parquet adds it while file",
                        "part-0.parquet still holds it"};
            }
            case "as two cdc post-images" -> {
                // An UPDATE of k42 (part-0 rewritten) whose change data carries the post-image twice.
                List<HandMadeDelta.Row> part0 = new ArrayList<>(rows(0, 100, 0));
                HandMadeDelta.Row old = part0.set(42, k42);
                String cdc = delta.writeChangeData("cdc-2.parquet", List.of(old, k42, k42),
                        List.of("update_preimage", "update_postimage", "update_postimage"));
                delta.commit(2, delta.remove("part-0.parquet"), delta.add(delta.writeData("part-2.parquet", part0)),
                        delta.cdc(cdc));
                yield new String[] {"duplicate key (id=k42)", "added twice by file", "cdc-2.parquet"};
            }
            default -> {
                String cdc = delta.writeChangeData("cdc-2.parquet", List.of(k42), List.of("insert"));
                delta.commit(2, delta.add(delta.writeData("part-2.parquet", List.of(k42))), delta.cdc(cdc));
                yield new String[] {"duplicate key (id=k42)", "cdc-2.parquet adds it while file",
                        "part-0.parquet still holds it"};
            }
        };
        FeedException e = awaitFailure();
        assertEquals(2, e.version(), e.getMessage());
        assertReason(e, DeltaReadException.Reason.DUPLICATE_KEY, mentions);
        assertReason(e, DeltaReadException.Reason.DUPLICATE_KEY, "version 2");
        assertReadsUnchanged(before);
        delta.commit(2, delta.add(delta.writeData("part-2.parquet", v2)));
        assertResumedAtVersion2();
    }

    /** A rewrite holding the removed file's keys, and an UPDATE through change data, are no duplicates. */
    @Test
    void rewritesAndUpdatesAreNoDuplicates() throws Exception {
        followGoodTable();
        List<HandMadeDelta.Row> rewritten = new ArrayList<>(rows(100, 200, 1));
        rewritten.addAll(rows(200, 300, 2));
        delta.commit(2, delta.remove("part-1.parquet"), delta.add(delta.writeData("part-2.parquet", rewritten)));
        awaitWatermark(2);
        List<HandMadeDelta.Row> part0 = new ArrayList<>(rows(0, 100, 0));
        HandMadeDelta.Row updated = new HandMadeDelta.Row("k42", 4242L, 42.5, "updated");
        HandMadeDelta.Row old = part0.set(42, updated);
        String cdc = delta.writeChangeData("cdc-3.parquet", List.of(old, updated),
                List.of("update_preimage", "update_postimage"));
        delta.commit(3, delta.remove("part-0.parquet"), delta.add(delta.writeData("part-3.parquet", part0)),
                delta.cdc(cdc));
        awaitWatermark(3);
        assertTrue(failures.isEmpty(), "no commit may be taken for a duplicate: " + failures);
        assertEquals("k42,4242,42.5,updated,@3", reads().get("k42"));
        follower.close();
        TableParity.Result r = TableParity.verify(DeltaSource.open(delta.root.toString()),
                follower.handle().table(), 5);
        assertTrue(r.equal(), r.toString());
    }

    /** Keys one commit deletes and the next re-adds, read in one pass of the feed, are no duplicates. */
    @Test
    void keysReAddedAfterTheirDeleteInOneBatchAreNoDuplicates() throws Exception {
        followGoodTable();
        larder.close();
        larder = null;
        delta.commit(2, delta.remove("part-1.parquet"));
        delta.commit(3, delta.add(delta.writeData("part-3.parquet", rows(100, 300, 3))));
        startFollowing();
        awaitWatermark(3);
        assertTrue(failures.isEmpty(), "no commit may be taken for a duplicate: " + failures);
        assertEquals("k151,1513,40.75,note-151-v3,@3", reads().get("k151"));
        follower.close();
        TableParity.Result r = TableParity.verify(DeltaSource.open(delta.root.toString()),
                follower.handle().table(), 5);
        assertTrue(r.equal(), r.toString());
    }

    /**
     * Without staging, a commit's rows reach the table as they are read, so a commit that fails part way had some of
     * its rows applied: they are rolled back before the failure is reported, and the retry applies the commit whole
     * without taking its own rows for keys another file holds.
     */
    @Test
    void aCommitRetriedAfterAPartialApplicationIsNoDuplicate() throws Exception {
        delta = HandMadeDelta.create(dir.resolve("delta"), rows(0, 100, 0));
        delta.commit(1, delta.add(delta.writeData("part-1.parquet", rows(100, 200, 1))));
        startFollowing(FollowOptions.DEFAULT.withCommitStageBytes(0));
        awaitWatermark(1);
        String good = delta.add(delta.writeData("part-2.parquet", rows(200, 300, 2)));
        String add3 = delta.add(delta.writeData("part-3.parquet", rows(300, 310, 2)));
        byte[] part3 = Files.readAllBytes(delta.root.resolve("part-3.parquet"));
        Files.write(delta.root.resolve("part-3.parquet"), Arrays.copyOf(part3, part3.length / 2));
        delta.commit(2, good, add3);
        assertReason(awaitFailure(), DeltaReadException.Reason.CORRUPT_FILE, "part-3.parquet");
        // The retry began after the first failure's writer resume, which applied everything read before it.
        assertReason(awaitFailure(), DeltaReadException.Reason.CORRUPT_FILE, "part-3.parquet");
        assertEquals(1, follower.handle().lineage().version());
        assertEquals("NOT_FOUND", reads().get("k250"),
                "the part of version 2 applied before the failure was rolled back");
        Files.write(delta.root.resolve("part-3.parquet"), part3);
        awaitWatermark(2);
        follower.close();
        TableParity.Result r = TableParity.verify(DeltaSource.open(delta.root.toString()),
                follower.handle().table(), 5);
        assertTrue(r.equal(), r.toString());
        assertEquals(310, r.tableRows());
        for (FeedException f : failures) {
            assertReason(f, DeltaReadException.Reason.CORRUPT_FILE, "part-3.parquet");
        }
    }

    /**
     * Commit files whose modification times go backwards (a storage clock set back): a bootstrap and the change feed
     * give each version one timestamp, never before its predecessor's, so the newest rows do not read as expired.
     */
    @Test
    void commitTimesGoingBackwardsNeitherExpireNewRowsNorSplitAVersion() throws Exception {
        long t0 = System.currentTimeMillis() - Duration.ofHours(1).toMillis();
        long day = Duration.ofDays(1).toMillis();
        delta = HandMadeDelta.create(dir.resolve("delta"), rows(0, 100, 0));
        Files.setLastModifiedTime(delta.commitFile(0), FileTime.fromMillis(t0));
        delta.commitAt(1, t0 - 10 * day, delta.add(delta.writeData("part-1.parquet", rows(100, 200, 1))));
        startFollowing(FollowOptions.DEFAULT.withTableOptions(TableOptions.DEFAULT.withTtl(Duration.ofDays(1))));
        awaitWatermark(1);
        assertEquals(t0 + 1, follower.handle().lineage().commitTimestampMillis(), "bootstrap at version 1");
        delta.commitAt(2, t0 - 20 * day, delta.add(delta.writeData("part-2.parquet", rows(200, 300, 2))));
        awaitWatermark(2);
        assertEquals(t0 + 2, follower.handle().lineage().commitTimestampMillis(), "feed delivery of version 2");
        TableReader r = new LiveReader(follower.handle()).refresh();
        assertEquals(ReadStatus.FOUND, r.get("k150"));
        assertEquals(t0 + 1, r.commitTimestampMillis());
        assertEquals(ReadStatus.FOUND, r.get("k250"));
        assertEquals(t0 + 2, r.commitTimestampMillis());
        // The feed delivers version 1 with the timestamp its bootstrap got, and a bootstrap at 2 matches the feed's.
        List<Long> fed = new ArrayList<>();
        DeltaSource.open(delta.root.toString()).changes(1, 2, new ChangeConsumer() {
            @Override
            public boolean beginCommit(DeltaCommit commit) {
                fed.add(commit.timestampMillis());
                return true;
            }

            @Override
            public void change(ChangeKind kind, DeltaRow row) {
            }

            @Override
            public void endCommit(DeltaCommit commit) {
            }
        });
        assertEquals(List.of(t0 + 1, t0 + 2), fed);
        assertEquals(t0 + 2, DeltaSource.open(delta.root.toString()).commitTimestamp(2));
        assertTrue(failures.isEmpty(), failures.toString());
    }

    /** The index generation a table uses: the only index file a clean close leaves. */
    private static Path currentIndexFile(Path tableDir) throws IOException {
        try (Stream<Path> files = Files.list(tableDir)) {
            List<Path> index = files.filter(p -> p.getFileName().toString().matches("index-\\d+\\.dat")).toList();
            assertEquals(1, index.size(), "index files: " + index);
            return index.get(0);
        }
    }

    /** Store files damaged while the process was down: a clear error naming the file, then a rebuild from Delta. */
    @ParameterizedTest
    @ValueSource(strings = {"rows.dat:truncate", "state.dat:garbage", "table.properties:garbage", "index:truncate",
            "heap.dat:truncate", "state.dat:truncate", "index:garbage", "undo.dat:truncate"})
    void damagedStoreFileIsNamedAndRebuiltFromDelta(String damage) throws Exception {
        followGoodTable();
        Map<String, String> good = reads();
        larder.close();
        larder = null;
        String file = damage.split(":")[0];
        Path storeDir = dir.resolve("store");
        Path damaged = file.equals("index") ? currentIndexFile(storeDir.resolve(TABLE))
                : storeDir.resolve(TABLE).resolve(file);
        if (damage.endsWith("truncate")) {
            byte[] b = Files.readAllBytes(damaged);
            Files.write(damaged, Arrays.copyOf(b, b.length / 3));
        } else {
            byte[] garbage = new byte[(int) Files.size(damaged)];
            new Random(2).nextBytes(garbage);
            Files.write(damaged, garbage);
        }
        INPUTS.incrementAndGet();
        try (FeatureStore store = FeatureStore.open(storeDir)) {
            StoreCorruptedException e = assertThrows(StoreCorruptedException.class, () -> store.table(TABLE));
            assertEquals(damaged, e.file());
            assertTrue(e.getMessage().contains(damaged.toString()), e.getMessage());
        }
        try (LarderEngine l = LarderEngine.open(storeDir, IngestOptions.DEFAULT.withJmx(false))) {
            StoreCorruptedException e = assertThrows(StoreCorruptedException.class, () -> l.follow(TABLE,
                    new DeltaChangeSource(DeltaSource.open(delta.root.toString()), List.of("id"), 16,
                            ScanProgress.NONE), FollowOptions.DEFAULT));
            assertEquals(damaged, e.file(), "following names the damaged file too");
        }
        try (FeatureStore store = FeatureStore.open(storeDir)) {
            Rebuild.Plan plan = file.equals("table.properties")
                    ? Rebuild.Plan.fromDelta(TABLE, delta.root.toString(), List.of("id"), 16, Duration.ZERO)
                    : Rebuild.recordedPlan(store, TABLE);
            Rebuild.Result r = Rebuild.run(store, plan, ScanProgress.NONE);
            assertEquals(1, r.version());
            assertEquals(200, r.rows());
        }
        startFollowing();
        awaitWatermark(1);
        assertEquals(good, reads(), "the rebuilt table reads as before the damage");
        delta.commit(2, delta.add(delta.writeData("part-2.parquet", rows(200, 300, 2))));
        assertResumedAtVersion2();
    }

    @Test
    void rebuildRefusesATableThatIsOpen() throws Exception {
        followGoodTable();
        assertTrue(follower.handle().awaitDurable(1, Duration.ofSeconds(30)));
        try (FeatureStore other = FeatureStore.open(dir.resolve("store"))) {
            Rebuild.Plan plan = Rebuild.recordedPlan(other, TABLE);
            StoreException e = assertThrows(StoreException.class, () -> Rebuild.run(other, plan, ScanProgress.NONE));
            assertTrue(e.getMessage().contains("is open"), e.getMessage());
        }
        assertEquals(1, follower.handle().lineage().version());
        assertEquals("k151,1511,38.75,note-151-v1,@1", reads().get("k151"));
    }
}
