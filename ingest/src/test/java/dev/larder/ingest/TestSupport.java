package dev.larder.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.larder.store.FeatureTable;
import dev.larder.store.ReadStatus;
import dev.larder.store.RowBuffer;
import dev.larder.store.TableReader;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Stateless helpers shared by the ingest tests. */
final class TestSupport {
    private TestSupport() {
    }

    /** Options for tests: small ring, no JMX, quick coalesced syncs. */
    static IngestOptions options() {
        return IngestOptions.DEFAULT.withRingSize(1024).withJmx(false)
                .withSyncPolicy(SyncPolicy.coalesced(100, Duration.ofMillis(20)));
    }

    static FollowOptions fastFollow() {
        return FollowOptions.DEFAULT.withPollInterval(Duration.ofMillis(5))
                .withRetry(Duration.ofMillis(5), Duration.ofMillis(40));
    }

    /**
     * Enqueues an upsert of a row without its key, past the producers' checks (as a feed's record would come), so the
     * writer fails on it and stops the table.
     */
    static void enqueueKeylessRow(LarderEngine larder, TableHandle t, long version) {
        RowBuffer keyless = t.table().newRow().clear().setDouble(1, 2.0);
        byte[] record = new byte[ChangeRecordDescriptor.size(keyless)];
        ChangeRecordDescriptor.write(record, 0, ChangeRecordDescriptor.UPSERT, version, version * 1000, keyless);
        larder.pipeline().publishBatch(t.slot(), record, record.length, null);
    }

    /** Waits for a condition the code under test will reach; the timeout only bounds a broken run. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(2);
        }
    }

    /** The table holds exactly {@code expected}: same keys (by count and lookup) and same values. */
    static void assertMatches(FeatureTable table, Map<Long, FakeSource.Row> expected) {
        TableReader r = table.newReader();
        for (Map.Entry<Long, FakeSource.Row> e : expected.entrySet()) {
            assertEquals(ReadStatus.FOUND, r.get(e.getKey()), "key " + e.getKey() + " in " + table.name());
            assertEquals(e.getValue().x(), r.getDouble(1), "x of key " + e.getKey());
            assertEquals(e.getValue().tag(), r.isNull(2) ? null : r.getString(2), "tag of key " + e.getKey());
        }
        assertEquals(expected.size(), table.size(), "live rows of " + table.name());
    }
}
