package dev.larder.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.larder.store.Column;
import dev.larder.store.FeatureSchema;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Inline capacities of a Delta table's strings: non-key strings at the inline capacity, key strings whole. */
class DeltaFeatureSchemasTest {
    @Test
    void keyStringsKeepSixtyFourBytesWhateverTheSmallerInlineCapacityOfTheOthers() {
        DeltaSource src = DeltaSource.open(SharedTables.table("cdf-table-non-partitioned").toString());
        DeltaSchema delta = src.schema(src.latestVersion());
        int inline = Column.DEFAULT_VARIABLE_CAPACITY;
        FeatureSchema compact = DeltaFeatureSchemas.toFeatureSchema(delta, List.of("name"), inline);
        assertEquals("string(64)", compact.column(compact.indexOf("name")).typeString());
        FeatureSchema byId = DeltaFeatureSchemas.toFeatureSchema(delta, List.of("id"), inline);
        assertEquals("string(12)", byId.column(byId.indexOf("name")).typeString());
        FeatureSchema wide = DeltaFeatureSchemas.toFeatureSchema(delta, List.of("name"), 100);
        assertEquals("string(100)", wide.column(wide.indexOf("name")).typeString(), "a larger capacity widens keys");
        FeatureSchema narrow = DeltaFeatureSchemas.toFeatureSchema(delta, List.of("name"), 8);
        assertEquals("string(64)", narrow.column(narrow.indexOf("name")).typeString(), "a smaller one keeps them");
    }
}
