package dev.larder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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

    /** The served-feature log says why a default was served in the facade status's own name, for every status. */
    @Test
    void everyStoreStatusIsLoggedUnderTheFacadeStatusName() {
        for (dev.larder.store.ReadStatus s : dev.larder.store.ReadStatus.values()) {
            String logged = dev.larder.snapshot.servelog.ServeLogRows.reasonName(ServeLogger.reason(s));
            assertEquals(ReadStatus.of(s) == ReadStatus.FOUND ? null : ReadStatus.of(s).name(), logged);
        }
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

    /** A measure the store's memory report gains fails here until the facade's report carries it too. */
    @Test
    void theFacadesMemoryReportCarriesEveryMeasureOfTheStores() {
        java.util.Set<String> store = new java.util.TreeSet<>();
        for (var c : dev.larder.store.MemoryUse.class.getRecordComponents()) {
            store.add(c.getName());
        }
        java.util.Set<String> facade = new java.util.TreeSet<>();
        for (var c : TableFiles.Memory.class.getRecordComponents()) {
            facade.add(c.getName());
        }
        // The row slot's size is the generation's (TableFiles.rowBytes), not its memory's.
        store.remove("rowSize");
        assertEquals(store, facade);
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

    /** A composite key, a string column and the schema a table reports, all through the facade's own types. */
    @Test
    void compositeKeysRowsAndSchemasGoThroughTheFacadeTypes() throws Exception {
        Schema schema = Schema.builder().keyColumn("user_id", ColumnType.INT64).keyColumn("country", ColumnType.STRING)
                .column("ctr", ColumnType.FLOAT64).column("label", ColumnType.STRING, 32).build();
        IllegalArgumentException capacity = assertThrows(IllegalArgumentException.class,
                () -> Schema.builder().column("n", ColumnType.INT64, 32));
        assertTrue(capacity.getMessage().contains("column n: an inline capacity is for STRING"), capacity.getMessage());
        try (Larder larder = Larder.builder(dir).push("geo", schema, Duration.ZERO)
                .vector("v", Feature.of("geo.ctr", -1)).open()) {
            Table geo = larder.table("geo");
            assertEquals(schema, geo.schema());
            assertEquals(List.of("user_id", "country"), geo.schema().keyColumns());
            assertEquals(ColumnType.STRING, geo.schema().type(geo.schema().indexOf("label")));
            Pusher pusher = geo.newPusher();
            pusher.row().setLong(0, 7).setString(1, "fr").setDouble(pusher.column("ctr"), 0.25)
                    .setString(pusher.column("label"), "a label longer than twelve bytes");
            assertEquals(PushStatus.ACCEPTED, pusher.tryUpsert(1, 1_000));
            pusher.endVersion(1, 1_000);
            larder.flush();
            assertEquals("application", geo.lineage().sourceId());
            assertEquals(1, geo.lineage().version());

            Reader r = geo.newReader();
            assertEquals(ReadStatus.FOUND, r.get(r.key().setLong(0, 7).setString(1, "fr")));
            assertEquals("a label longer than twelve bytes", r.getString("label", null));
            assertEquals(ReadStatus.NOT_FOUND, r.get(r.key().setLong(0, 7).setString(1, "de")));
            Vector.Filler filler = larder.vector("v").newFiller();
            float[] out = new float[1];
            ReadStatus[] statuses = new ReadStatus[1];
            assertEquals(1, filler.fill(filler.key().setLong(0, 7).setString(1, "fr"), out, statuses));
            assertEquals(0.25f, out[0]);
            assertEquals(ReadStatus.FOUND, statuses[0]);
        }
    }
}
