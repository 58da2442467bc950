package dev.larder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The facade's own statuses mirror the engine's one for one (so a status the engine gains fails here, not in a lookup
 * or a push), and reach the caller's arrays from the multi-value reads.
 */
class FacadeTypesTest {
    @TempDir
    Path dir;

    /** Fails (at the mapping's initialisation, or here) once the store has a status the facade lacks, or reverse. */
    @Test
    void everyStoreStatusMapsToTheFacadeStatusOfItsName() {
        for (dev.larder.store.ReadStatus s : dev.larder.store.ReadStatus.values()) {
            assertEquals(s.name(), ReadStatus.of(s).name());
        }
        assertEquals(dev.larder.store.ReadStatus.values().length, ReadStatus.values().length,
                "the facade has a status the store never returns");
    }

    @Test
    void everyEnginePushStatusAndFollowerStateMapsToTheFacadeOneOfItsName() {
        for (dev.larder.ingest.PushStatus s : dev.larder.ingest.PushStatus.values()) {
            assertEquals(s.name(), PushStatus.of(s).name());
        }
        assertEquals(dev.larder.ingest.PushStatus.values().length, PushStatus.values().length);
        for (dev.larder.ingest.TableStatus.State s : dev.larder.ingest.TableStatus.State.values()) {
            assertEquals(s.name(), TableStatus.State.valueOf(s.name()).name());
        }
        assertEquals(dev.larder.ingest.TableStatus.State.values().length, TableStatus.State.values().length);
    }

    @Test
    void vectorFillsAndSingleColumnBatchesGiveFacadeStatuses() throws Exception {
        Schema schema = Schema.builder().keyColumn("user_id", ColumnType.INT64)
                .column("ctr", ColumnType.FLOAT64).column("clicks", ColumnType.INT32).build();
        try (Larder larder = Larder.builder(dir).push("users", schema, Duration.ZERO)
                .vector("v", Feature.of("users.ctr", -1), Feature.of("users.clicks", -2)).open()) {
            Pusher pusher = larder.table("users").newPusher();
            pusher.row().setLong(0, 1).setDouble(1, 0.5);
            pusher.upsert(1, 1_000);
            pusher.endVersion(1, 1_000);
            larder.flush();

            Vector.Filler filler = larder.vector("v").newFiller();
            double[] out = new double[2];
            ReadStatus[] statuses = new ReadStatus[2];
            assertEquals(1, filler.fill(1L, out, statuses));
            assertArrayEquals(new ReadStatus[] {ReadStatus.FOUND, ReadStatus.NULL}, statuses);
            assertEquals(0, filler.fill(9L, out, statuses));
            assertArrayEquals(new ReadStatus[] {ReadStatus.NOT_FOUND, ReadStatus.NOT_FOUND}, statuses);
            assertArrayEquals(new double[] {-1, -2}, out);

            Reader r = larder.table("users").newReader();
            ReadStatus[] keyStatus = new ReadStatus[3];
            double[] clicks = new double[3];
            assertEquals(0, r.getBatch(new long[] {1, 9, 1}, 3, "clicks", clicks, 0, keyStatus));
            assertArrayEquals(new ReadStatus[] {ReadStatus.NULL, ReadStatus.NOT_FOUND, ReadStatus.NULL}, keyStatus);
            assertSame(ReadStatus.FOUND, r.get(1L));
        }
    }
}
