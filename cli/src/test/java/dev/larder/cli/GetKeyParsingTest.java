package dev.larder.cli;

import dev.larder.cli.CliTest.Run;
import dev.larder.ingest.testkit.TestWriter;
import dev.larder.store.Column;
import dev.larder.store.ColumnType;
import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.TableOptions;
import java.nio.file.Path;
import java.time.LocalDate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.larder.cli.CliTest.larder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code larder get} parses each key part as its column's type, and refuses text that is not one, naming the column.
 */
class GetKeyParsingTest {
    @TempDir
    Path dir;

    String store;

    @BeforeEach
    void createTable() {
        store = dir.resolve("store").toString();
        FeatureSchema schema = FeatureSchema.builder().keyColumn("active", ColumnType.BOOLEAN)
                .keyColumn("id", ColumnType.INT64).column("score", ColumnType.FLOAT64).build();
        try (FeatureStore s = FeatureStore.open(dir.resolve("store"))) {
            FeatureTable t = s.create("flags", schema, TableOptions.DEFAULT);
            try (TestWriter w = TestWriter.open(s)) {
                w.version(t, 1, 1000, sink -> {
                    sink.upsert(sink.row().setBoolean(0, true).setLong(1, 7).setDouble(2, 1.5));
                    sink.upsert(sink.row().setBoolean(0, false).setLong(1, 7).setDouble(2, -2.5));
                });
                FeatureSchema typed = FeatureSchema.builder().keyColumn("n", ColumnType.INT32)
                        .keyColumn("day", ColumnType.DATE)
                        .add(Column.variable("blob", ColumnType.BINARY, false, 16)).key("blob")
                        .column("score", ColumnType.FLOAT64).build();
                FeatureTable u = s.create("typed", typed, TableOptions.DEFAULT);
                w.version(u, 1, 1000, sink -> sink.upsert(sink.row().setLong(0, 5)
                        .setLong(1, LocalDate.parse("2026-11-24").toEpochDay()).setBytes(2, new byte[] {1, 2, 3})
                        .setDouble(3, 4.5)));
            }
        }
    }

    @Test
    void everyKeyPartIsParsedAsItsColumnsType() {
        Run found = larder("get", "--store", store, "--table", "typed", "5", "2026-11-24", "AQID");
        assertEquals(0, found.exit(), found.err());
        assertTrue(found.out().contains("score (float64) = 4.5"), found.out());
    }

    @Test
    void aKeyPartThatIsNotItsColumnsTypeIsRefusedNamingTheColumnAndType() {
        String[][] cases = {
            {"abc", "2026-11-24", "AQID", "key column n (int32) cannot take 'abc'"},
            {"4294967301", "2026-11-24", "AQID", "key column n (int32) cannot take '4294967301'"},
            {"5", "24/11/2026", "AQID", "key column day (date) cannot take '24/11/2026'"},
            {"5", "2026-11-24", "not base64!", "key column blob (binary(16)) cannot take 'not base64!'"},
        };
        for (String[] c : cases) {
            Run r = larder("get", "--store", store, "--table", "typed", c[0], c[1], c[2]);
            assertEquals(1, r.exit(), String.join(" ", c) + " must be refused: " + r.out());
            assertTrue(r.err().contains(c[3]), r.err());
        }
    }

    @Test
    void booleanKeyPartsAreTrueOrFalseInAnyCase() {
        Run yes = larder("get", "--store", store, "--table", "flags", "TRUE", "7");
        assertEquals(0, yes.exit(), yes.err());
        assertTrue(yes.out().contains("score (float64) = 1.5"), yes.out());
        Run no = larder("get", "--store", store, "--table", "flags", "False", "7");
        assertEquals(0, no.exit(), no.err());
        assertTrue(no.out().contains("score (float64) = -2.5"), no.out());
    }

    @Test
    void aBooleanKeyPartThatIsNeitherTrueNorFalseIsRefused() {
        for (String text : new String[] {"yes", "1", "t", ""}) {
            Run r = larder("get", "--store", store, "--table", "flags", text, "7");
            assertEquals(1, r.exit(), "'" + text + "' must be refused, not read as false: " + r.out());
            assertTrue(r.err().contains("key column active (boolean)") && r.err().contains("'" + text + "'"), r.err());
            assertTrue(r.out().isEmpty(), r.out());
        }
    }
}
