package dev.larder.cli;

import static dev.larder.cli.CliTest.larder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.cli.CliTest.Run;
import dev.larder.store.ColumnType;
import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.RowBuffer;
import dev.larder.store.TableOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code larder get} parses each key part as its column's type, and refuses text that is not one, naming the column. */
class GetKeyParsingTest {
    @TempDir
    Path dir;

    String store;

    @BeforeEach
    void createTable() {
        store = dir.resolve("store").toString();
        FeatureSchema schema = FeatureSchema.builder().keyColumn("active", ColumnType.BOOLEAN).keyColumn("id", ColumnType.INT64)
                .column("score", ColumnType.FLOAT64).build();
        try (FeatureStore s = FeatureStore.open(dir.resolve("store"))) {
            FeatureTable t = s.create("flags", schema, TableOptions.DEFAULT);
            RowBuffer row = t.newRow();
            t.writer().upsert(row.setBoolean(0, true).setLong(1, 7).setDouble(2, 1.5), 1, 1000);
            t.writer().upsert(row.setBoolean(0, false).setLong(1, 7).setDouble(2, -2.5), 1, 1000);
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
