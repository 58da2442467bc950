package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's settings on the facade builder: checked once by open(), naming the setting, and applied. */
class BuilderSettingsTest {
    private static final Schema SCHEMA = Schema.builder().keyColumn("user_id", ColumnType.INT64)
            .column("ctr", ColumnType.FLOAT64).build();

    @TempDir
    Path dir;

    @Test
    void badSettingsAreRefusedByOpenNamingTheSettingBeforeTheStoreIsCreated() {
        Path store = dir.resolve("store");
        Larder.Builder ring = Larder.builder(store).ringSize(1000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, ring::open);
        assertEquals("ringSize must be a power of two of at least 2, got 1000", e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> Larder.builder(store).waitStrategy(null).open());
        assertTrue(e.getMessage().startsWith("waitStrategy must be one of [PHASED_BACKOFF, BLOCKING"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Larder.builder(store).syncPolicy(0, Duration.ZERO).open());
        assertEquals("syncPolicy's maxPendingVersions must be at least 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Larder.builder(store).syncPolicy(1, Duration.ofMillis(-1)).open());
        assertEquals("syncPolicy's maxDelay must be zero or positive, got PT-0.001S", e.getMessage());
        assertFalse(Files.exists(store), "a refused setting leaves no store behind");
    }

    @Test
    void theRingAndWaitStrategyReachTheEngine() throws Exception {
        try (Larder larder = Larder.builder(dir.resolve("store")).ringSize(64).waitStrategy(WaitStrategy.BLOCKING)
                .push("clicks", SCHEMA, Duration.ZERO).open()) {
            assertEquals(64, larder.ingestMetrics().getRingCapacity());
            Pusher pusher = larder.table("clicks").newPusher();
            for (long v = 1; v <= 200; v++) {
                pusher.row().setLong(0, v).setDouble(1, v / 10.0);
                pusher.upsert(v, 0);
                pusher.endVersion(v, 0);
            }
            await("version 200", () -> larder.table("clicks").lineage().version() == 200);
            Reader r = larder.table("clicks").newReader();
            assertEquals(ReadStatus.FOUND, r.get(200L));
            assertEquals(20.0, r.getDouble("ctr", Double.NaN));
        }
    }

    @Test
    void theSyncPolicyDecidesWhenEndedVersionsAreSynced() throws Exception {
        // Never by the policy: ended versions wait for flush().
        try (Larder larder = Larder.builder(dir.resolve("lazy")).syncPolicy(1000, Duration.ofHours(1))
                .push("clicks", SCHEMA, Duration.ZERO).open()) {
            long before = larder.ingestMetrics().getSyncs();
            push(larder, 1);
            await("version 1", () -> larder.table("clicks").lineage().version() == 1);
            assertEquals(before, larder.ingestMetrics().getSyncs(), "the policy syncs after 1000 versions or an hour");
            larder.flush();
            assertTrue(larder.ingestMetrics().getSyncs() > before, "flush syncs whatever the policy");
        }
        // Every ended version at once.
        try (Larder larder = Larder.builder(dir.resolve("eager")).syncPolicy(1, Duration.ofHours(1))
                .push("clicks", SCHEMA, Duration.ZERO).open()) {
            long before = larder.ingestMetrics().getSyncs();
            push(larder, 1);
            await("the sync of version 1", () -> larder.ingestMetrics().getSyncs() > before);
        }
    }

    private static void push(Larder larder, long version) {
        Pusher pusher = larder.table("clicks").newPusher();
        pusher.row().setLong(0, version).setDouble(1, 0.5);
        pusher.upsert(version, 0);
        pusher.endVersion(version, 0);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(2);
        }
    }
}
