package dev.larder.tools.generate;

import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeneratorSpecTest {
    private final GeneratorSpec spec = GeneratorSpec.builder()
            .rows(50_000).numericFeatures(5).float32Features(2).stringFeatures(3)
            .updatesPerCommit(300).deletesPerCommit(50).insertsPerCommit(120).seed(11).build();

    @Test
    void schemaHasTheKeyThenDoublesThenFloatsThenStrings() {
        StructType schema = spec.schema();
        assertEquals(1 + 5 + 3, schema.length());
        assertEquals(GeneratorSpec.KEY_COLUMN, schema.at(0).getName());
        assertEquals(LongType.LONG, schema.at(0).getDataType());
        assertFalse(schema.at(0).isNullable());
        assertEquals(DoubleType.DOUBLE, schema.get("f_2").getDataType());
        assertEquals(FloatType.FLOAT, schema.get("f_3").getDataType());
        assertEquals(FloatType.FLOAT, schema.get("f_4").getDataType());
        assertEquals(StringType.STRING, schema.get("c_2").getDataType());
    }

    @Test
    void valuesAreAFunctionOfKeyFeatureVersionAndSeed() {
        GeneratorSpec same = GeneratorSpec.builder()
                .rows(1).numericFeatures(5).float32Features(2).stringFeatures(3).seed(11).build();
        GeneratorSpec otherSeed = GeneratorSpec.builder()
                .rows(50_000).numericFeatures(5).float32Features(2).stringFeatures(3).seed(12).build();
        assertEquals(spec.numericValue(123, 0, 4), same.numericValue(123, 0, 4));
        assertEquals(spec.stringValue(123, 1, 4), same.stringValue(123, 1, 4));
        assertNotEquals(spec.numericValue(123, 0, 4), spec.numericValue(123, 0, 5));
        assertNotEquals(spec.numericValue(123, 0, 4), spec.numericValue(124, 0, 4));
        assertNotEquals(spec.numericValue(123, 0, 4), otherSeed.numericValue(123, 0, 4));
    }

    @Test
    void float32FeaturesAreExactlyRepresentableAsFloat() {
        for (long key = 0; key < 1_000; key++) {
            double value = spec.numericValue(key, 3, 2);
            assertEquals(value, (double) (float) value);
        }
    }

    @Test
    void plansDeleteAndUpdateDistinctLiveKeysAndInsertFreshOnes() {
        for (long version = 1; version <= 6; version++) {
            TableState before = spec.stateAt(version - 1);
            CommitPlan plan = spec.plan(version);
            assertEquals(version, plan.version());
            assertEquals(50, plan.deletedKeys().length);
            assertEquals(300, plan.updatedKeys().length);
            Set<Long> touched = new HashSet<>();
            for (long key : plan.deletedKeys()) {
                assertTrue(before.contains(key));
                assertTrue(touched.add(key));
            }
            for (long key : plan.updatedKeys()) {
                assertTrue(before.contains(key));
                assertTrue(touched.add(key), "key " + key + " both deleted and updated");
            }
            assertEquals(before.keyUpperBound(), plan.firstInsertedKey());
            assertEquals(120, plan.insertedCount());

            TableState after = spec.stateAt(version);
            assertEquals(before.liveCount() - 50 + 120, after.liveCount());
            for (long key : plan.deletedKeys()) {
                assertFalse(after.contains(key));
            }
            for (long key : plan.updatedKeys()) {
                assertEquals(version, after.lastWriteVersion(key));
                assertEquals(spec.numericValue(key, 1, version), after.numericValue(key, 1));
            }
            assertEquals(version, after.lastWriteVersion(plan.firstInsertedKey()));
        }
    }

    @Test
    void plansAreReproducible() {
        GeneratorSpec copy = GeneratorSpec.fromProperty(spec.toProperty());
        assertEquals(spec, copy);
        assertArrayEquals(spec.plan(5).deletedKeys(), copy.plan(5).deletedKeys());
        assertArrayEquals(spec.plan(5).updatedKeys(), copy.plan(5).updatedKeys());
    }

    @Test
    void updatesAndDeletesClusterInASmallPartOfTheKeySpace() {
        CommitPlan plan = spec.plan(3);
        long min = Math.min(plan.deletedKeys()[0], plan.updatedKeys()[0]);
        long max = Math.max(plan.deletedKeys()[49], plan.updatedKeys()[299]);
        long span = max - min;
        // A window of 4x the touched keys, or one that wraps past the end of the key space.
        assertTrue(span <= 4 * 350 || span >= spec.stateAt(2).keyUpperBound() - 4 * 350, "span " + span);
    }

    @Test
    void aShrinkingTableRunsOutOfKeysWithoutStalling() {
        GeneratorSpec shrinking = GeneratorSpec.builder()
                .rows(40).updatesPerCommit(2).deletesPerCommit(3).insertsPerCommit(0).build();
        for (long version = 1; version <= 20; version++) {
            TableState before = shrinking.stateAt(version - 1);
            CommitPlan plan = shrinking.plan(version);
            assertEquals(Math.min(3, before.liveCount()), plan.deletedKeys().length);
            for (long key : plan.updatedKeys()) {
                assertTrue(before.contains(key));
            }
        }
        assertEquals(0, shrinking.stateAt(14).liveCount());
        assertEquals(0, shrinking.plan(15).deletedKeys().length);
    }

    @Test
    void rejectsInvalidShapes() {
        assertThrows(IllegalArgumentException.class, () -> GeneratorSpec.builder().rowsPerFile(0).build());
        assertThrows(IllegalArgumentException.class,
                () -> GeneratorSpec.builder().numericFeatures(2).float32Features(3).build());
        assertThrows(IllegalArgumentException.class, () -> spec.plan(0));
        assertThrows(IllegalArgumentException.class, () -> spec.stateAt(1).lastWriteVersion(spec.rows() + 10_000));
    }
}
