package dev.larder.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.store.engine.StateDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A version is all or nothing (rollback, crash), and damage to the files is detected rather than served. */
class IntegrityTest {
    @TempDir
    Path dir;

    private static final FeatureSchema SCHEMA = FeatureTableTest.SCHEMA;

    /** Version 1: keys 0..999 with x = id and a long tag for every tenth key (so some values live in the heap). */
    private static Map<Long, Double> loadVersion1(FeatureTable t) {
        Map<Long, Double> model = new HashMap<>();
        RowBuffer row = t.newRow();
        for (long id = 0; id < 1000; id++) {
            t.writer().upsert(row.clear().setLong(0, id).setDouble(1, id).setString(2, tag(id, 1)), 1, 1000);
            model.put(id, (double) id);
        }
        t.writer().publish(new Lineage("src", "/src", 1, 1000));
        return model;
    }

    private static String tag(long id, long version) {
        return (id % 10 == 0 ? "long value ".repeat(4) : "v") + version + "/" + id;
    }

    /** Half of version 2: updates 0..499, deletes 500..599, inserts 1000..1099 (and a heap value each tenth key). */
    private static void applyHalfOfVersion2(FeatureTable t) {
        RowBuffer row = t.newRow();
        for (long id = 0; id < 500; id++) {
            t.writer().upsert(row.clear().setLong(0, id).setDouble(1, -id).setString(2, tag(id, 2)), 2, 2000);
        }
        for (long id = 500; id < 600; id++) {
            t.writer().delete(id, 2);
        }
        for (long id = 1000; id < 1100; id++) {
            t.writer().upsert(row.clear().setLong(0, id).setDouble(1, -id).setString(2, tag(id, 2)), 2, 2000);
        }
    }

    private static void assertVersion1(FeatureTable t, Map<Long, Double> model) {
        TableReader r = t.newReader();
        for (long id = 0; id < 1100; id++) {
            Double x = model.get(id);
            if (x == null) {
                assertEquals(ReadStatus.NOT_FOUND, r.get(id), "id " + id);
            } else {
                assertEquals(ReadStatus.FOUND, r.get(id), "id " + id);
                assertEquals(x, r.getDouble(1), "id " + id);
                assertEquals(tag(id, 1), r.getString(2), "id " + id);
                assertEquals(1, r.version(), "id " + id);
            }
        }
        assertEquals(model.size(), t.size());
        assertEquals(1, t.lineage().version());
    }

    @Test
    void aFailedVersionIsRolledBackWhileReadersRunAndARetryConverges() throws Exception {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", SCHEMA, TableOptions.DEFAULT.withInitialRows(16));
            Map<Long, Double> model = loadVersion1(t);
            t.writer().sync();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong torn = new AtomicLong();
            Thread reader = new Thread(() -> {
                TableReader r = t.newReader();
                Random rnd = new Random(1);
                while (!stop.get()) {
                    long id = rnd.nextInt(1100);
                    // Any row read is a whole row of version 1 or 2, never a mix.
                    if (r.get(id) == ReadStatus.FOUND && !r.getString(2).equals(tag(id, r.version()))) {
                        torn.incrementAndGet();
                    }
                }
            });
            reader.start();
            applyHalfOfVersion2(t);
            assertEquals(2, t.applyingVersion(), "the status says which version is being applied");
            long high = t.state.getLong(StateDescriptor.HIGH_WATER);
            assertEquals(700, t.writer().rollback());
            assertEquals(-1, t.applyingVersion());
            stop.set(true);
            reader.join();
            assertEquals(0, torn.get());
            assertVersion1(t, model);
            // The undone rows went back to the free list: re-applying the version takes no fresh slot.
            applyHalfOfVersion2(t);
            assertEquals(high, t.state.getLong(StateDescriptor.HIGH_WATER));
            t.writer().publish(new Lineage("src", "/src", 2, 2000));
            t.writer().sync();
            TableReader r = t.newReader();
            assertEquals(ReadStatus.FOUND, r.get(7));
            assertEquals(-7.0, r.getDouble(1));
            assertEquals(ReadStatus.NOT_FOUND, r.get(550));
            assertEquals(ReadStatus.FOUND, r.get(1050));
            assertEquals(1000, t.size());
        }
    }

    @Test
    void aCrashMidVersionReopensAtTheWatermarkEvenAfterASyncInsideTheVersion() {
        Map<Long, Double> model;
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", SCHEMA, TableOptions.DEFAULT.withInitialRows(16));
            model = loadVersion1(t);
            t.writer().sync();
            applyHalfOfVersion2(t);
            // A timed sync lands inside version 2: its rows are forced, but the watermark stays 1.
            t.writer().sync();
            RowBuffer row = t.newRow();
            for (long id = 2000; id < 3000; id++) {
                // Enough inserts to grow the rows file and rebuild the index inside the version.
                t.writer().upsert(row.clear().setLong(0, id).setDouble(1, id).setString(2, "x"), 2, 2000);
            }
            t.abandon();
        }
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.table("t");
            assertTrue(t.recoveredOnOpen());
            assertEquals(1700, t.rolledBackOnOpen());
            assertVersion1(t, model);
            assertEquals(ReadStatus.NOT_FOUND, t.newReader().get(2500));
        }
    }

    /**
     * Publishing is the commit point a kill -9 cannot lose: the sync that writes the metadata only adds power-loss
     * safety.
     */
    @Test
    void aCrashAfterAVersionWasPublishedButNotSyncedReopensAtThatVersion() {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", SCHEMA, TableOptions.DEFAULT.withInitialRows(16));
            loadVersion1(t);
            t.writer().sync();
            applyHalfOfVersion2(t);
            t.writer().publish(new Lineage("src", "/src", 2, 2000));
            RowBuffer row = t.newRow();
            t.writer().upsert(row.clear().setLong(0, 5).setDouble(1, 3).setString(2, tag(5, 3)), 3, 3000);
            t.abandon();
        }
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.table("t");
            assertEquals(new Lineage("src", "/src", 2, 2000), t.lineage());
            assertEquals(1, t.rolledBackOnOpen(), "only the unpublished version 3 was undone");
            TableReader r = t.newReader();
            assertEquals(ReadStatus.FOUND, r.get(5));
            assertEquals(-5.0, r.getDouble(1));
            assertEquals(2, r.version());
            assertEquals(ReadStatus.NOT_FOUND, r.get(550));
            assertEquals(1000, t.size());
        }
    }

    @Test
    void aCrashAfterABulkLoadWasInstalledButBeforeItsVersionEndedReopensEmpty() {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", SCHEMA, TableOptions.DEFAULT);
            assertTrue(t.writer().beginBulkLoad());
            RowBuffer row = t.newRow();
            for (long id = 0; id < 5000; id++) {
                t.writer().upsert(row.clear().setLong(0, id).setDouble(1, id), 3, 3000);
            }
            t.writer().finishBulkLoad(null);
            assertEquals(5000, t.size());
            t.writer().sync();
            t.abandon();
        }
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.table("t");
            assertEquals(-1, t.lineage().version());
            assertEquals(0, t.size());
            assertEquals(ReadStatus.NOT_FOUND, t.newReader().get(10));
            // The table is as good as new: a bootstrap loads into it.
            assertTrue(t.writer().beginBulkLoad());
            RowBuffer row = t.newRow();
            for (long id = 0; id < 5000; id++) {
                t.writer().upsert(row.clear().setLong(0, id).setDouble(1, 2 * id), 3, 3000);
            }
            t.writer().publish(new Lineage("src", "/src", 3, 3000));
            assertEquals(5000, t.size());
            assertEquals(5000, t.state.getLong(StateDescriptor.HIGH_WATER), "the discarded load's slots were reused");
        }
    }

    @Test
    void aBulkLoadFailingInProcessIsDiscarded() {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", SCHEMA, TableOptions.DEFAULT);
            assertTrue(t.writer().beginBulkLoad());
            RowBuffer row = t.newRow();
            for (long id = 0; id < 3000; id++) {
                t.writer().upsert(row.clear().setLong(0, id).setDouble(1, id), 3, 3000);
            }
            t.writer().rollback();
            assertEquals(0, t.size());
            assertEquals(ReadStatus.NOT_FOUND, t.newReader().get(10));
            assertTrue(t.writer().beginBulkLoad(), "a new bootstrap can start");
        }
    }

    @Test
    void randomGarbageOverACleanlyClosedIndexIsRefusedAtOpenNamingTheFile() throws IOException {
        try (FeatureStore store = FeatureStore.open(dir)) {
            loadVersion1(store.create("t", SCHEMA, TableOptions.DEFAULT));
        }
        Path index = indexFile();
        byte[] garbage = new byte[(int) Files.size(index)];
        new Random(5).nextBytes(garbage);
        Files.write(index, garbage);
        try (FeatureStore store = FeatureStore.open(dir)) {
            StoreCorruptedException e = assertThrows(StoreCorruptedException.class, () -> store.table("t"));
            assertTrue(e.getMessage().contains(index.getFileName().toString()), e.getMessage());
            assertTrue(e.getMessage().contains("checksum"), e.getMessage());
        }
    }

    @Test
    void oneFlippedBitInTheIndexIsRefusedAtOpen() throws IOException {
        try (FeatureStore store = FeatureStore.open(dir)) {
            loadVersion1(store.create("t", SCHEMA, TableOptions.DEFAULT));
        }
        Path index = indexFile();
        byte[] b = Files.readAllBytes(index);
        int at = 0;
        while (b[at] == 0) {
            at++;
        }
        b[at] ^= 0x10;
        Files.write(index, b);
        try (FeatureStore store = FeatureStore.open(dir)) {
            assertThrows(StoreCorruptedException.class, () -> store.table("t"));
        }
    }

    @Test
    void garbageInTheIndexAfterACrashFailsRecoveryNamingTheFile() throws IOException {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", SCHEMA, TableOptions.DEFAULT);
            loadVersion1(t);
            t.writer().sync();
            t.abandon();
        }
        Path index = indexFile();
        byte[] garbage = new byte[(int) Files.size(index)];
        new Random(6).nextBytes(garbage);
        Files.write(index, garbage);
        try (FeatureStore store = FeatureStore.open(dir)) {
            StoreCorruptedException e = assertThrows(StoreCorruptedException.class, () -> store.table("t"));
            assertTrue(e.getMessage().contains(index.getFileName().toString()), e.getMessage());
        }
    }

    @Test
    void aFlippedBitOfAStoredValueIsFoundByScrubAndByRecovery() throws IOException {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", SCHEMA, TableOptions.DEFAULT);
            loadVersion1(t);
            ScrubResult clean = t.scrub();
            assertEquals(1000, clean.rows());
            assertEquals(0, clean.damaged());
        }
        flipBitOf(777.0);
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.table("t");
            ScrubResult r = t.scrub();
            assertEquals(1, r.damaged());
            assertEquals(1, t.damagedRows());
            assertTrue(r.samples().get(0).startsWith("id=777 "), r.samples().toString());
            t.abandon();
        }
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.table("t");
            assertTrue(t.recoveredOnOpen());
            assertEquals(1, t.damagedRows(), "recovery checks every live row");
        }
    }

    @Test
    void aCheckedReaderRefusesAFlippedBitNamingRowsDatAndTheKeyWhereAPlainReaderServesIt() throws IOException {
        try (FeatureStore store = FeatureStore.open(dir)) {
            loadVersion1(store.create("t", SCHEMA, TableOptions.DEFAULT));
        }
        flipBitOf(777.0);
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.table("t");
            TableReader plain = t.newReader();
            assertEquals(ReadStatus.FOUND, plain.get(777));
            assertEquals(Double.doubleToLongBits(777.0) ^ 1, Double.doubleToLongBits(plain.getDouble(1)), "served");
            TableReader checked = t.newCheckedReader();
            assertTrue(checked.isChecked());
            assertEquals(ReadStatus.FOUND, checked.get(776));
            assertEquals(776.0, checked.getDouble(1));
            StoreCorruptedException e = assertThrows(StoreCorruptedException.class, () -> checked.get(777));
            assertEquals(dir.resolve("t").resolve("rows.dat"), e.file());
            assertTrue(e.getMessage().contains("id=777 "), e.getMessage());
            assertTrue(e.getMessage().contains("fails its checksum"), e.getMessage());
            double[] out = new double[2];
            assertThrows(StoreCorruptedException.class,
                    () -> checked.getBatch(new long[] {1, 777}, 2, 1, out, -1, null), "batches check too");
            assertThrows(StoreCorruptedException.class, () -> checked.forEach(r -> { }), "scans check too");
            assertEquals(1000, plain.forEach(r -> { }));
        }
    }

    private Path indexFile() throws IOException {
        try (var s = Files.list(dir.resolve("t"))) {
            return s.filter(p -> p.getFileName().toString().matches("index-\\d+\\.dat")).findFirst().orElseThrow();
        }
    }

    /** Flips the lowest bit of the one stored float64 equal to {@code x} in rows.dat. */
    private void flipBitOf(double x) throws IOException {
        Path rows = dir.resolve("t").resolve("rows.dat");
        try (FileChannel ch = FileChannel.open(rows, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate((int) ch.size()).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(b, 0);
            long bits = Double.doubleToLongBits(x);
            int found = -1;
            for (int at = 0; at + 8 <= b.capacity(); at += 8) {
                if (b.getLong(at) == bits) {
                    assertFalse(found >= 0, "value stored once");
                    found = at;
                }
            }
            assertTrue(found >= 0, "value found");
            ch.write(ByteBuffer.wrap(new byte[] {(byte) (b.get(found) ^ 1)}), found);
        }
    }
}
