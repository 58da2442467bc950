package dev.larder.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SchemaKeyTest {
    @Test
    void aKeyColumnNamedTwiceIsRefused() {
        FeatureSchema.Builder b = FeatureSchema.builder().keyColumn("id", ColumnType.INT64)
                .column("x", ColumnType.FLOAT64).key("id");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
        assertEquals("key column 'id' is named more than once", e.getMessage());
    }
}
