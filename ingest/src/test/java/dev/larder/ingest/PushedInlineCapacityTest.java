package dev.larder.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.store.Column;
import dev.larder.store.ColumnType;
import dev.larder.store.FeatureSchema;
import dev.larder.store.ReadStatus;
import dev.larder.store.TableOptions;
import dev.larder.store.TableReader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pushed table created when strings kept 64 bytes inline by default is opened by a declaration written against
 * today's 12-byte default: it is served with its stored schema, and its rows read as they were written.
 */
class PushedInlineCapacityTest {
    @TempDir
    Path dir;

    private static FeatureSchema schema(int inline, ColumnType tagType) {
        return FeatureSchema.builder().keyColumn("id", ColumnType.INT64).column("x", ColumnType.FLOAT64)
                .add(Column.variable("tag", tagType, true, inline)).build();
    }

    @Test
    void aTableStoredWithTheOldDefaultIsServedWithItsStoredSchema() {
        String tag = "a tag of forty bytes, inline at 64 bytes";
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            TableHandle h = larder.pushTable("clicks", schema(64, ColumnType.STRING), TableOptions.DEFAULT);
            larder.upsert(h, h.table().newRow().setLong(0, 7).setDouble(1, 0.5).setString(2, tag), 1, 1000);
            larder.endVersion(h, 1, 1000);
            larder.flush();
        }
        FeatureSchema declared = FeatureSchema.builder().keyColumn("id", ColumnType.INT64)
                .column("x", ColumnType.FLOAT64).column("tag", ColumnType.STRING).build();
        assertEquals(Column.DEFAULT_VARIABLE_CAPACITY, declared.column(2).capacity());
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            TableHandle h = larder.pushTable("clicks", declared, TableOptions.DEFAULT);
            assertEquals(schema(64, ColumnType.STRING), h.table().schema(), "served with its stored schema");
            larder.upsert(h, h.table().newRow().setLong(0, 8).setDouble(1, 1.5).setString(2, tag + "!"), 2, 2000);
            larder.endVersion(h, 2, 2000);
            larder.flush();
            TableReader r = h.table().newReader();
            assertEquals(ReadStatus.FOUND, r.get(7));
            assertEquals(tag, r.getString(2));
            assertEquals(ReadStatus.FOUND, r.get(8));
            assertEquals(tag + "!", r.getString(2));
        }
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> larder.pushTable("clicks", schema(12, ColumnType.BINARY), TableOptions.DEFAULT));
            assertTrue(e.getMessage().contains("table clicks in " + dir + " has schema")
                    && e.getMessage().contains("drop it or declare its schema"), e.getMessage());
        }
    }
}
