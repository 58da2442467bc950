package dev.larder.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.store.engine.RowLayoutDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A read-only open maps, reads and sees what the writer published; it never locks, recovers or writes. */
class ReadOnlyTest {
    @TempDir
    Path dir;

    private static final FeatureSchema SCHEMA = FeatureTableTest.SCHEMA;

    private static void write(FeatureTable t, long from, long to, long version) {
        RowBuffer row = t.newRow();
        for (long id = from; id < to; id++) {
            row.clear().setLong(0, id).setDouble(1, id * version).setString(2, "v" + version);
            t.writer().upsert(row, version, version * 1000);
        }
    }

    @Test
    void readsBesideTheOpenWriterAtItsPublishedWatermarkAndSeesAnUnpublishedVersionRowByRow() {
        try (FeatureStore writing = FeatureStore.open(dir)) {
            FeatureTable w = writing.create("t", SCHEMA, TableOptions.DEFAULT);
            write(w, 0, 100, 1);
            w.writer().publish(new Lineage("src", "/src", 1, 1000));
            w.writer().sync();
            write(w, 0, 300, 2);
            // Published but not synced: table.properties still says version 1; state.dat says 2.
            w.writer().publish(new Lineage("src", "/src", 2, 2000));
            write(w, 0, 10, 3);
            try (FeatureStore reading = FeatureStore.openReadOnly(dir)) {
                assertTrue(reading.isReadOnly());
                FeatureTable r = reading.table("t");
                assertTrue(r.isReadOnly());
                assertTrue(r.openForWrite());
                assertFalse(r.recoveredOnOpen());
                assertEquals(2, r.lineage().version());
                assertEquals(2000, r.lineage().commitTimestampMillis());
                assertEquals(300, r.size());
                TableReader reader = r.newReader();
                assertEquals(ReadStatus.FOUND, reader.get(5));
                assertEquals(3, reader.version(), "a version being applied shows row by row, as to live readers");
                assertEquals(ReadStatus.FOUND, reader.get(299));
                assertEquals(598.0, reader.getDouble(1));
                assertEquals("v2", reader.getString(2));
                assertEquals(ReadStatus.NOT_FOUND, reader.get(300));
                assertEquals(0, r.scrub().damaged());
            }
            assertEquals(ReadStatus.FOUND, w.newReader().get(1), "the writer is untouched");
        }
    }

    @Test
    void aWriterGrowingItsFilesAndSwitchingIndexFilesUnderAReadOnlyOpenDoesNotBreakIt() {
        try (FeatureStore writing = FeatureStore.open(dir)) {
            FeatureTable w = writing.create("t", SCHEMA, TableOptions.DEFAULT.withInitialRows(16));
            write(w, 0, 10, 1);
            w.writer().publish(new Lineage("src", "/src", 1, 1000));
            try (FeatureStore reading = FeatureStore.openReadOnly(dir)) {
                FeatureTable r = reading.table("t");
                long mapped = r.mappedBytes();
                // Grows rows.dat and replaces the index file the read-only open mapped (deleting it).
                write(w, 10, 5_000, 2);
                w.writer().publish(new Lineage("src", "/src", 2, 2000));
                assertTrue(w.mappedBytes() > mapped);
                TableReader reader = r.newReader();
                assertEquals(ReadStatus.FOUND, reader.get(3));
                assertEquals("v1", reader.getString(2));
                for (long id = 10; id < 5_000; id++) {
                    ReadStatus s = reader.get(id);
                    assertTrue(s == ReadStatus.FOUND || s == ReadStatus.NOT_FOUND, s + " for " + id);
                }
                assertEquals(1, r.lineage().version(), "the version published when it opened");
                try (FeatureStore again = FeatureStore.openReadOnly(dir)) {
                    FeatureTable r2 = again.table("t");
                    assertEquals(2, r2.lineage().version());
                    assertEquals(ReadStatus.FOUND, r2.newReader().get(4_999));
                }
            }
        }
    }

    private static String longTag(long id, long version) {
        return ("tag-" + id + "-v" + version + "-").repeat(8);
    }

    /**
     * Rewrites rows 0..9 with values spilled to heap.dat (empty when the reader opened), then grows rows.dat and
     * switches index files with new keys: an updated key's new row lies beyond the rows the reader mapped or its slot
     * only in the new index file, and its value beyond the heap mapped.
     */
    private static void outgrowTheReader(FeatureTable w) {
        RowBuffer row = w.newRow();
        for (long id = 0; id < 10; id++) {
            row.clear().setLong(0, id).setDouble(1, -id).setString(2, longTag(id, 2));
            w.writer().upsert(row, 2, 2000);
        }
        write(w, 10, 5_000, 2);
        w.writer().publish(new Lineage("src", "/src", 2, 2000));
    }

    @Test
    void aReadOnlyReadFollowsTheWriterPastTheRowsIndexAndHeapItMapped() {
        try (FeatureStore writing = FeatureStore.open(dir)) {
            FeatureTable w = writing.create("t", SCHEMA, TableOptions.DEFAULT.withInitialRows(16));
            write(w, 0, 10, 1);
            w.writer().publish(new Lineage("src", "/src", 1, 1000));
            try (FeatureStore reading = FeatureStore.openReadOnly(dir)) {
                FeatureTable r = reading.table("t");
                TableReader reader = r.newCheckedReader();
                outgrowTheReader(w);
                // Without a refresh a value beyond the heap mapped is the race with the writer, named as such.
                assertEquals(ReadStatus.FOUND, reader.get(0));
                StoreException race = assertThrows(StoreException.class, () -> reader.getString(2));
                assertTrue(race.getMessage().contains("heap.dat") && race.getMessage().contains("grew"),
                        race.getMessage());
                for (long id = 0; id < 10; id++) {
                    long key = id;
                    String got = r.readConsistently(
                            () -> reader.get(key) == ReadStatus.FOUND ? reader.getString(2) : "missing");
                    assertEquals(longTag(id, 2), got, "key " + id);
                }
                assertEquals(2, r.lineage().version(), "a refresh takes the newest published watermark");
                Map<Long, String> all = r.readConsistently(() -> {
                    Map<Long, String> rows = new TreeMap<>();
                    reader.forEach(x -> rows.put(x.getLong(0), x.getString(2)));
                    return rows;
                });
                assertEquals(5_000, all.size());
                assertEquals(longTag(3, 2), all.get(3L));
                assertEquals("v2", all.get(4_999L));
                assertFalse(r.refresh(), "already current");
            }
        }
    }

    @Test
    void aReadOnlyReadDuringWhichTheWriterOutgrowsTheMappingRunsAgainOnTheNewOne() {
        try (FeatureStore writing = FeatureStore.open(dir)) {
            FeatureTable w = writing.create("t", SCHEMA, TableOptions.DEFAULT.withInitialRows(16));
            write(w, 0, 10, 1);
            w.writer().publish(new Lineage("src", "/src", 1, 1000));
            try (FeatureStore reading = FeatureStore.openReadOnly(dir)) {
                FeatureTable r = reading.table("t");
                TableReader reader = r.newReader();
                int[] runs = {0};
                long found = r.readConsistently(() -> {
                    if (runs[0]++ == 0) {
                        outgrowTheReader(w);
                    }
                    return Stream.iterate(0L, id -> id < 5_000, id -> id + 1)
                            .filter(id -> reader.get(id) == ReadStatus.FOUND).count();
                });
                assertEquals(2, runs[0], "the first run saw a mapping the writer had outgrown");
                assertEquals(5_000, found);
            }
        }
    }

    @Test
    void aValueBeyondTheWholeHeapIsDamageNamingHeapDatNotARace() throws IOException {
        int slot;
        try (FeatureStore writing = FeatureStore.open(dir)) {
            FeatureTable w = writing.create("t", SCHEMA, TableOptions.DEFAULT);
            RowBuffer row = w.newRow().setLong(0, 1).setDouble(1, 1).setString(2, longTag(1, 1));
            w.writer().upsert(row, 1, 1000);
            w.writer().publish(new Lineage("src", "/src", 1, 1000));
            slot = w.layout().columnOffset(2);
        }
        // The only row is row 0: point its spilled value far beyond heap.dat.
        try (FileChannel ch = FileChannel.open(dir.resolve("t").resolve("rows.dat"), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40),
                    slot + RowLayoutDescriptor.LENGTH_PREFIX);
        }
        try (FeatureStore reading = FeatureStore.openReadOnly(dir)) {
            FeatureTable r = reading.table("t");
            TableReader reader = r.newReader();
            assertEquals(ReadStatus.FOUND, reader.get(1));
            StoreCorruptedException e = assertThrows(StoreCorruptedException.class,
                    () -> r.readConsistently(() -> reader.getString(2)));
            assertEquals(dir.resolve("t").resolve("heap.dat"), e.file());
        }
    }

    @Test
    void aReadOnlyOpenWritesNothingAndRefusesWrites() throws IOException {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", SCHEMA, TableOptions.DEFAULT);
            write(t, 0, 50, 1);
            t.writer().publish(new Lineage("src", "/src", 1, 1000));
        }
        Map<String, Snapshot> before = snapshot(dir.resolve("t"));
        try (FeatureStore store = FeatureStore.openReadOnly(dir)) {
            FeatureTable t = store.table("t");
            assertEquals(ReadStatus.FOUND, t.newCheckedReader().get(7));
            assertEquals(50, t.newReader().forEach(r -> { }));
            StoreException e = assertThrows(StoreException.class, t::writer);
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
            assertThrows(StoreException.class, () -> store.create("u", SCHEMA, TableOptions.DEFAULT));
            assertThrows(StoreException.class, () -> store.createGeneration("t", 1, SCHEMA, TableOptions.DEFAULT));
            assertThrows(StoreException.class, () -> store.drop("t"));
            assertEquals(before, snapshot(dir.resolve("t")));
            // A writer may open the table while the read-only open holds it: no lock is taken.
            try (FeatureStore writing = FeatureStore.open(dir)) {
                writing.checkNotOpen("t");
            }
            before = snapshot(dir.resolve("t"));
        }
        assertEquals(before, snapshot(dir.resolve("t")), "closing a read-only table writes nothing");
        assertFalse(Files.exists(dir.resolve("u")));
    }

    @Test
    void aTableLeftByACrashIsReadAsItWasLeftAndRecoveredOnlyByAWriter() throws IOException {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", SCHEMA, TableOptions.DEFAULT);
            write(t, 0, 50, 1);
            t.writer().publish(new Lineage("src", "/src", 1, 1000));
            t.writer().sync();
            write(t, 0, 60, 2);
            t.abandon();
        }
        Map<String, Snapshot> before = snapshot(dir.resolve("t"));
        try (FeatureStore store = FeatureStore.openReadOnly(dir)) {
            FeatureTable t = store.table("t");
            assertFalse(t.recoveredOnOpen());
            assertTrue(t.openForWrite());
            assertEquals(1, t.lineage().version());
            assertEquals(ReadStatus.FOUND, t.newReader().get(55), "the cut-short version's rows, as left");
        }
        assertEquals(before, snapshot(dir.resolve("t")));
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.table("t");
            assertTrue(t.recoveredOnOpen());
            assertEquals(ReadStatus.NOT_FOUND, t.newReader().get(55));
        }
    }

    @Test
    void aMissingStoreIsNotCreated() {
        StoreException e = assertThrows(StoreException.class, () -> FeatureStore.openReadOnly(dir.resolve("nope")));
        assertTrue(e.getMessage().startsWith("no store at"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("nope")));
    }

    private record Snapshot(FileTime modified, byte[] content) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Snapshot s && s.modified.equals(modified) && Arrays.equals(s.content, content);
        }

        @Override
        public int hashCode() {
            return modified.hashCode();
        }

        @Override
        public String toString() {
            return modified + " " + content.length + " bytes";
        }
    }

    /** Every file of a table directory: modification time and content. */
    private static Map<String, Snapshot> snapshot(Path table) throws IOException {
        Map<String, Snapshot> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(table)) {
            for (Path p : files.toList()) {
                out.put(p.getFileName().toString(), new Snapshot(Files.getLastModifiedTime(p), Files.readAllBytes(p)));
            }
        }
        return out;
    }
}
