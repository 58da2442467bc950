package dev.larder.snapshot;

import dev.larder.ingest.BackgroundWriterSink;
import dev.larder.ingest.TableWriterSink;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.ingest.ChangeSink;
import dev.larder.snapshot.generate.DeltaTableGenerator;
import dev.larder.snapshot.generate.GeneratorSpec;
import dev.larder.store.Column;
import dev.larder.store.ColumnType;
import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.Lineage;
import dev.larder.store.RowBuffer;
import dev.larder.store.TableOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackgroundWriterSinkTest {
    private static final FeatureSchema SCHEMA = FeatureSchema.builder()
            .keyColumn("id", ColumnType.INT64)
            .column("x", ColumnType.FLOAT64)
            .add(Column.variable("note", ColumnType.STRING, true, 16))
            .build();

    @TempDir
    Path dir;

    @Test
    void aLoadThroughTheWriterThreadEqualsALoadOnTheCallingThread() throws IOException {
        Path delta = dir.resolve("delta");
        DeltaTableGenerator.generate(GeneratorSpec.builder().rows(20_000).numericFeatures(4).float32Features(1)
                .stringFeatures(1).commits(1).rowsPerFile(3_000).seed(5).build(), delta);
        DeltaSource src = DeltaSource.open(delta.toString());
        long v = src.latestVersion();
        DeltaChangeSource changes = new DeltaChangeSource(src, List.of(GeneratorSpec.KEY_COLUMN), 32, ScanProgress.NONE);
        Lineage lineage = new Lineage(changes.id(), changes.path(), -1, 0);
        try (FeatureStore store = FeatureStore.open(dir.resolve("store"))) {
            FeatureTable direct = store.create("direct", changes.schema(), TableOptions.DEFAULT);
            FeatureTable background = store.create("background", changes.schema(), TableOptions.DEFAULT);
            new DeltaFeed(src, changes.schema()).bootstrap(v, new TableWriterSink(direct, lineage, true), ScanProgress.NONE);
            long rows;
            try (BackgroundWriterSink sink = new BackgroundWriterSink(new TableWriterSink(background, lineage, true), "test-writer")) {
                rows = new DeltaFeed(src, changes.schema()).bootstrap(v, sink, ScanProgress.NONE);
                assertEquals(v, background.lineage().version(), "end() returns once the writer has published the version");
            }
            assertEquals(background.size(), rows);
            assertEquals(TableParity.dump(direct), TableParity.dump(background));
            assertTrue(TableParity.verify(src, background, 5).equal());
        }
    }

    /** Every call arrives in order on the writer thread, rows larger than a batch included. */
    @Test
    void callsReachTheTargetInOrderOnTheWriterThread() {
        Recording target = new Recording();
        String huge = "y".repeat(3 << 20);
        try (BackgroundWriterSink sink = new BackgroundWriterSink(target, "test-writer")) {
            for (long version = 1; version <= 3; version++) {
                sink.begin(version, version * 10);
                for (long id = 0; id < 20_000; id++) {
                    sink.upsert(sink.row().setLong(0, id).setDouble(1, id * version).setString(2, id == 7 ? huge : "n" + id));
                }
                sink.delete(sink.row().setLong(0, 3));
                sink.end();
                assertEquals("end " + version, target.events.get(target.events.size() - 1));
            }
        }
        assertEquals(3 * (20_000 + 3), target.events.size());
        assertEquals("begin 2 20", target.events.get(20_003));
        assertEquals("upsert 7 14.0 " + huge.length(), target.events.get(20_003 + 8));
        assertEquals("upsert 19999 39998.0 n19999", target.events.get(20_003 + 20_000));
        assertEquals("delete 3", target.events.get(20_003 + 20_001));
        assertEquals(List.of("test-writer"), target.threads.stream().distinct().toList());
    }

    @Test
    void aFailureOfTheTargetReachesTheProducerAndNothingAfterItIsApplied() {
        Recording target = new Recording();
        target.failAt = 5_000;
        BackgroundWriterSink sink = new BackgroundWriterSink(target, "test-writer");
        sink.begin(1, 10);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
            for (long id = 0; id < 200_000; id++) {
                sink.upsert(sink.row().setLong(0, id).setDouble(1, 1).setString(2, "n"));
            }
            sink.end();
        });
        assertSame(target.failure, e);
        sink.close();
        assertEquals(1 + 5_000, target.events.size(), "begin and the upserts before the failing one");
    }

    private static final class Recording implements ChangeSink {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<String> threads = new ArrayList<>();
        final RowBuffer row = new RowBuffer(SCHEMA);
        long failAt = -1;
        IllegalArgumentException failure;

        @Override
        public FeatureSchema schema() {
            return SCHEMA;
        }

        @Override
        public RowBuffer row() {
            return row.clear();
        }

        @Override
        public void begin(long version, long commitTimestampMillis) {
            record("begin " + version + " " + commitTimestampMillis);
        }

        @Override
        public void upsert(RowBuffer r) {
            if (r.getLong(0) == failAt) {
                failure = new IllegalArgumentException("upsert " + failAt + " refused");
                throw failure;
            }
            String note = r.getString(2);
            record("upsert " + r.getLong(0) + " " + r.getDouble(1) + " " + (note.length() > 100 ? note.length() : note));
        }

        @Override
        public void delete(RowBuffer keyRow) {
            record("delete " + keyRow.getLong(0));
        }

        @Override
        public void end() {
            record("end " + events.stream().filter(s -> s.startsWith("begin")).count());
        }

        private void record(String event) {
            events.add(event);
            String name = Thread.currentThread().getName();
            if (threads.isEmpty() || !threads.get(threads.size() - 1).equals(name)) {
                threads.add(name);
            }
        }
    }
}
