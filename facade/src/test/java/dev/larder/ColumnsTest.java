package dev.larder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads of named columns only: the values the typed getters give, defaults and statuses per column, batches alike. */
class ColumnsTest {
    @TempDir
    Path dir;

    @Test
    void namedColumnsReadAsTheGettersDoWithDefaultsAndLineage() throws Exception {
        Schema schema = Schema.builder().keyColumn("user_id", ColumnType.INT64)
                .column("ctr", ColumnType.FLOAT64).column("clicks", ColumnType.INT32)
                .column("label", ColumnType.STRING).build();
        try (Larder larder = Larder.builder(dir).push("users", schema, Duration.ZERO).open()) {
            Pusher pusher = larder.table("users").newPusher();
            pusher.row().setLong(0, 1).setDouble(1, 0.5).setLong(2, 7);
            pusher.upsert(3, 3_000);
            pusher.row().setLong(0, 2).setDouble(1, 0.25);
            pusher.upsert(3, 3_000);
            pusher.endVersion(3, 3_000);
            larder.flush();

            Reader r = larder.table("users").newReader();
            Columns c = r.columns(-1, "clicks", "ctr");
            double[] out = new double[2];
            ReadStatus[] statuses = new ReadStatus[2];
            assertEquals(ReadStatus.FOUND, r.get(1L, c, out, statuses));
            assertArrayEquals(new double[] {7, 0.5}, out);
            assertArrayEquals(new ReadStatus[] {ReadStatus.FOUND, ReadStatus.FOUND}, statuses);
            assertEquals(3, r.version());
            assertEquals(3_000, r.commitTimestampMillis());

            assertEquals(ReadStatus.FOUND, r.get(2L, c, out, statuses));
            assertArrayEquals(new double[] {-1, 0.25}, out, "a null value reads as the default");
            assertArrayEquals(new ReadStatus[] {ReadStatus.NULL, ReadStatus.FOUND}, statuses);

            float[] outF = new float[2];
            assertEquals(ReadStatus.NOT_FOUND, r.get(3L, c, outF, statuses));
            assertArrayEquals(new float[] {-1, -1}, outF);
            assertEquals(-1, r.version(), "no row, no lineage");

            assertEquals(ReadStatus.FOUND, r.get(1L));
            assertEquals(0.5, r.getDouble("ctr", 0));
            assertEquals(3, r.version(), "a whole-row read reports its own row's lineage");

            float[] batch = new float[3 * c.size()];
            ReadStatus[] keyStatus = new ReadStatus[3];
            assertEquals(2, r.getBatch(new long[] {2, 3, 1}, 3, c, batch, keyStatus));
            assertArrayEquals(new float[] {-1, 0.25f, -1, -1, 7, 0.5f}, batch);
            assertArrayEquals(new ReadStatus[] {ReadStatus.FOUND, ReadStatus.NOT_FOUND, ReadStatus.FOUND}, keyStatus);

            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                    () -> r.columns(0, "ctr", "ctr_7d"));
            assertEquals("no column ctr_7d (columns: [user_id, ctr, clicks, label])", missing.getMessage());
            IllegalArgumentException text = assertThrows(IllegalArgumentException.class, () -> r.columns(0, "label"));
            assertEquals("column label is string(12), not a numeric type a projection can read as a double",
                    text.getMessage());
        }
    }
}
