package dev.larder.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Spark's own published values of {@code hash(...)}; the cli module cross-checks random keys against spark-unsafe. */
class SparkHashTest {
    private static int string(String s, int seed) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return SparkHash.hashBytes(b, 0, b.length, seed);
    }

    @Test
    void matchesSparkSqlHashOnKnownValues() {
        assertEquals(-559580957, SparkHash.hashInt(1, SparkHash.SEED));
        assertEquals(933211791, SparkHash.hashInt(0, SparkHash.SEED));
        assertEquals(-1712319331, SparkHash.hashLong(1L, SparkHash.SEED));
        assertEquals(-1439831649, SparkHash.hashLong(123456789012L, SparkHash.SEED));
        assertEquals(142593372, string("", SparkHash.SEED));
        assertEquals(1485273170, string("a", SparkHash.SEED));
        assertEquals(1322437556, string("abc", SparkHash.SEED));
        assertEquals(-396302900, string("abcd", SparkHash.SEED));
        assertEquals(1292883468, string("user_1", SparkHash.SEED));
        assertEquals(228093765, string("Spark", SparkHash.SEED));
        // Spark's documentation example, hash('Spark', array(123), 2): columns and array elements chain their seeds.
        assertEquals(-1321691492, SparkHash.hashInt(2, SparkHash.hashInt(123, string("Spark", SparkHash.SEED))));
    }

    @Test
    void aKeyHashesEachColumnAsItsDeclaredTypeInKeyOrder() {
        FeatureSchema ints = FeatureSchema.builder().keyColumn("id", ColumnType.INT32).build();
        FeatureSchema longs = FeatureSchema.builder().keyColumn("id", ColumnType.INT64).build();
        Key k = new Key(ints);
        k.setLong(0, 1);
        k.encode();
        assertEquals(-559580957, SparkHash.hashKey(ints, k.encoded));
        Key l = new Key(longs);
        l.setLong(0, 1);
        l.encode();
        assertEquals(-1712319331, SparkHash.hashKey(longs, l.encoded));
        FeatureSchema composite = FeatureSchema.builder().keyColumn("name", ColumnType.STRING)
                .keyColumn("n", ColumnType.INT32).build();
        Key c = new Key(composite);
        c.setString(0, "Spark").setLong(1, 123);
        c.encode();
        assertEquals(SparkHash.hashInt(123, string("Spark", SparkHash.SEED)), SparkHash.hashKey(composite, c.encoded));
        assertEquals(3, SparkHash.shardOf(-1, 4));
        assertEquals(Math.floorMod(-1321691492, 7), SparkHash.shardOf(-1321691492, 7));
    }
}
