package dev.larder.store.engine;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.store.Column;
import dev.larder.store.ColumnType;
import dev.larder.store.FeatureSchema;
import org.junit.jupiter.api.Test;

/** A key wider than a row's key area is refused naming the key column(s) that make it so. */
class KeyWidthTest {
    @Test
    void aKeyTooWideNamesItsWidestColumns() {
        FeatureSchema schema = FeatureSchema.builder().keyColumn("region", ColumnType.INT32)
                .add(Column.variable("url", ColumnType.STRING, false, 40_000)).key("url")
                .column("x", ColumnType.FLOAT64).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RowLayoutDescriptor(schema));
        assertTrue(e.getMessage().contains("key too wide") && e.getMessage().contains("url (string(40000))")
                && !e.getMessage().contains("region"), e.getMessage());
    }

    @Test
    void keyColumnsOfEqualWidthAreAllNamed() {
        FeatureSchema schema = FeatureSchema.builder().add(Column.variable("a", ColumnType.STRING, false, 20_000))
                .add(Column.variable("b", ColumnType.BINARY, false, 20_000)).key("a", "b")
                .column("x", ColumnType.FLOAT64).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RowLayoutDescriptor(schema));
        assertTrue(e.getMessage().contains("a (string(20000))") && e.getMessage().contains("b (binary(20000))"),
                e.getMessage());
    }
}
