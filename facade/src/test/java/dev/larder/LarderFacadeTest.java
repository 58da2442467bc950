package dev.larder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.snapshot.DeltaSource;
import dev.larder.snapshot.generate.DeltaTableGenerator;
import dev.larder.snapshot.generate.GeneratorSpec;
import dev.larder.store.ReadStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The facade over a generated Delta table: values equal Delta's, vectors assemble with defaults, errors name what is wrong. */
class LarderFacadeTest {
    @TempDir
    Path dir;
    Path delta;
    /** f_0 and f_1 of every key at the latest version, read through Delta Kernel. */
    final Map<Long, double[]> expected = new HashMap<>();

    @BeforeEach
    void table() throws Exception {
        delta = dir.resolve("users");
        DeltaTableGenerator.generate(GeneratorSpec.builder().rows(2000).numericFeatures(2).float32Features(0).commits(2)
                .rowsPerFile(500).build(), delta);
        DeltaSource src = DeltaSource.open(delta.toString());
        int key = src.schema(src.latestVersion()).indexOf(GeneratorSpec.KEY_COLUMN);
        int f0 = src.schema(src.latestVersion()).indexOf("f_0");
        int f1 = src.schema(src.latestVersion()).indexOf("f_1");
        src.scan(src.latestVersion(), r -> expected.put(r.getLong(key),
                new double[] {r.isNull(f0) ? Double.NaN : r.getDouble(f0), r.isNull(f1) ? Double.NaN : r.getDouble(f1)}));
    }

    Larder.Builder builder() {
        return Larder.builder(dir.resolve("store"))
                .follow("users", Source.delta(delta.toString()).key(GeneratorSpec.KEY_COLUMN))
                .vector("model", Feature.of("users.f_1", -1), Feature.of("users.f_0", -2));
    }

    @Test
    void everyKeyReadsAsDeltaHasItAndVectorsFillDefaultsForMissingKeys() throws Exception {
        try (Larder larder = builder().open()) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(2)));
            Table users = larder.table("users");
            assertEquals(expected.size(), users.size());
            assertTrue(users.lineage().version() >= 0 && users.status() != null);
            Reader r = users.newReader();
            Vector.Filler filler = larder.vector("model").newFiller();
            double[] v = new double[2];
            ReadStatus[] statuses = new ReadStatus[2];
            for (long k = 0; k < 2100; k++) {
                double[] want = expected.get(k);
                ReadStatus s = r.get(k);
                filler.fill(k, v, statuses);
                if (want == null) {
                    assertEquals(ReadStatus.NOT_FOUND, s, "key " + k);
                    assertEquals(-7.5, r.getDouble("f_0", -7.5));
                    assertArrayEquals(new double[] {-1, -2}, v, "defaults for missing key " + k);
                } else {
                    assertEquals(ReadStatus.FOUND, s, "key " + k);
                    assertEquals(want[0], r.getDouble("f_0", Double.NaN), "key " + k);
                    assertEquals(want[1], r.getDouble(r.column("f_1")), "key " + k);
                    assertArrayEquals(new double[] {want[1], want[0]}, v, "vector of key " + k);
                }
            }
            assertEquals(java.util.List.of("users.f_1", "users.f_0"), larder.vector("model").features());
            assertTrue(larder.healthy());
        }
        // Reopened without following: the table is served as the store holds it.
        try (Larder larder = Larder.open(dir.resolve("store"))) {
            Reader r = larder.table("users").newReader();
            long some = expected.keySet().iterator().next();
            assertEquals(ReadStatus.FOUND, r.get(some));
            assertEquals(expected.get(some)[0], r.getDouble("f_0", Double.NaN));
            assertEquals(null, larder.table("users").status(), "served, not followed");
        }
    }

    @Test
    void mistakesAreNamed() {
        IllegalArgumentException column = assertThrows(IllegalArgumentException.class, () -> builder()
                .vector("bad", Feature.of("users.nope"), Feature.of("other.f_0")).open());
        assertTrue(column.getMessage().contains("vector bad") && column.getMessage().contains("users.nope")
                && column.getMessage().contains("no column nope") && column.getMessage().contains("no table other"), column.getMessage());
        // The failed open released the store: a correct one opens it again.
        try (Larder larder = builder().open()) {
            IllegalArgumentException table = assertThrows(IllegalArgumentException.class, () -> larder.table("missing"));
            assertTrue(table.getMessage().contains("no table missing"), table.getMessage());
            IllegalArgumentException vector = assertThrows(IllegalArgumentException.class, () -> larder.vector("nope"));
            assertTrue(vector.getMessage().contains("no vector nope") && vector.getMessage().contains("model"), vector.getMessage());
            IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
                    () -> larder.table("users").newReader().getDouble("nope", 0));
            assertTrue(name.getMessage().contains("no column nope"), name.getMessage());
        }
        IllegalArgumentException noKey = assertThrows(IllegalArgumentException.class,
                () -> Larder.builder(dir.resolve("s2")).follow("t", Source.delta(delta.toString())).open());
        assertTrue(noKey.getMessage().contains("has no key"), noKey.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Feature.of("nodot"));
    }
}
