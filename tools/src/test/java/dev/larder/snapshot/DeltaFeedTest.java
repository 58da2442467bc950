package dev.larder.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.ingest.ChangeSink;
import dev.larder.ingest.testkit.TestWriter;
import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.Lineage;
import dev.larder.store.RowBuffer;
import dev.larder.store.TableOptions;
import dev.larder.tools.generate.CommitSummary;
import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeltaFeedTest {
    @TempDir
    Path dir;

    /** Counts what reaches the table, passing everything on. */
    static final class CountingSink implements ChangeSink {
        final ChangeSink inner;
        long upserts;
        long deletes;

        CountingSink(ChangeSink inner) {
            this.inner = inner;
        }

        @Override
        public FeatureSchema schema() {
            return inner.schema();
        }

        @Override
        public RowBuffer row() {
            return inner.row();
        }

        @Override
        public void begin(long version, long commitTimestampMillis) {
            inner.begin(version, commitTimestampMillis);
        }

        @Override
        public void upsert(RowBuffer row) {
            upserts++;
            inner.upsert(row);
        }

        @Override
        public void delete(RowBuffer keyRow) {
            deletes++;
            inner.delete(keyRow);
        }

        @Override
        public void end() {
            inner.end();
        }

        @Override
        public long storedVersion(RowBuffer keyRow) {
            return inner.storedVersion(keyRow);
        }
    }

    @Test
    void copyOnWriteRewritesApplyOnlyTheRowsThatChanged() throws Exception {
        Path delta = dir.resolve("delta");
        GeneratorSpec spec = GeneratorSpec.builder().rows(20_000).numericFeatures(3).float32Features(1).commits(0)
                .rowsPerFile(10_000)
                .updatesPerCommit(50).deletesPerCommit(7).insertsPerCommit(11).build();
        DeltaTableGenerator.generate(spec, delta);
        CommitSummary c = DeltaTableGenerator.appendCommit(delta);
        assertTrue(c.filesRemoved() >= 1);
        DeltaSource src = DeltaSource.open(delta.toString());
        try (FeatureStore store = FeatureStore.open(dir.resolve("store"))) {
            FeatureSchema schema = DeltaFeatureSchemas.toFeatureSchema(src.schema(0),
                    List.of(GeneratorSpec.KEY_COLUMN), 16);
            FeatureTable t = store.create("t", schema, TableOptions.DEFAULT);
            DeltaFeed feed = new DeltaFeed(src, schema);
            Lineage lineage = new Lineage(src.tableId(0), src.tablePath(), -1, 0);
            try (TestWriter w = TestWriter.open(store)) {
                w.larder().load(t, lineage, sink -> feed.bootstrap(0, sink, ScanProgress.NONE));
                CountingSink[] counting = new CountingSink[1];
                assertEquals(1, w.larder().applyChanges(t,
                        sink -> feed.applyChanges(1, 1, counting[0] = new CountingSink(sink))));
                assertEquals(c.updated() + c.inserted(), counting[0].upserts,
                        "rewritten but unchanged rows are not re-applied");
                assertEquals(c.deleted(), counting[0].deletes);
            }
            assertTrue(TableParity.verify(src, t, 5).equal());
        }
    }

    /**
     * Commit after commit of the generator, each rewriting the files it touches (no cdc files): the sink receives
     * exactly the keys that changed, as upserts and deletes, and the table equals the Delta table after each.
     */
    @Test
    void everyRewriteCommitAppliesExactlyTheRowsThatChanged() throws Exception {
        Path delta = dir.resolve("delta");
        GeneratorSpec spec = GeneratorSpec.builder().rows(30_000).numericFeatures(4).float32Features(1)
                .stringFeatures(2).commits(0).rowsPerFile(7_000).updatesPerCommit(300).deletesPerCommit(40)
                .insertsPerCommit(25).build();
        DeltaTableGenerator.generate(spec, delta);
        DeltaSource src = DeltaSource.open(delta.toString());
        try (FeatureStore store = FeatureStore.open(dir.resolve("store"))) {
            FeatureSchema schema = DeltaFeatureSchemas.toFeatureSchema(src.schema(0),
                    List.of(GeneratorSpec.KEY_COLUMN), 16);
            FeatureTable t = store.create("t", schema, TableOptions.DEFAULT);
            DeltaFeed feed = new DeltaFeed(src, schema);
            Lineage lineage = new Lineage(src.tableId(0), src.tablePath(), -1, 0);
            try (TestWriter w = TestWriter.open(store)) {
                w.larder().load(t, lineage, sink -> feed.bootstrap(0, sink, ScanProgress.NONE));
                for (int v = 1; v <= 3; v++) {
                    CommitSummary c = DeltaTableGenerator.appendCommit(delta);
                    assertTrue(c.filesRemoved() >= 1, "commit " + v + " rewrites a file");
                    long version = v;
                    CountingSink[] counting = new CountingSink[1];
                    assertEquals(v, w.larder().applyChanges(t,
                            sink -> feed.applyChanges(version, version, counting[0] = new CountingSink(sink))));
                    assertEquals(c.updated() + c.inserted(), counting[0].upserts, "commit " + v);
                    assertEquals(c.deleted(), counting[0].deletes, "commit " + v);
                    assertEquals(c.rowsAtVersion(), t.size());
                    TableParity.Result r = TableParity.verify(src, t, 5);
                    assertTrue(r.equal(), r.toString());
                }
            }
        }
    }
}
