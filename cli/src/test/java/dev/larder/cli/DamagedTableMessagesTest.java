package dev.larder.cli;

import dev.larder.cli.CliTest.Run;
import dev.larder.ingest.testkit.TestWriter;
import dev.larder.store.ColumnType;
import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.TableOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.larder.cli.CliTest.larder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A table with a file missing is named as damaged, with the file and the command that repairs it. */
class DamagedTableMessagesTest {
    @TempDir
    Path dir;

    private Path store() {
        return dir.resolve("store");
    }

    private void createTable(String name) {
        FeatureSchema schema = FeatureSchema.builder().keyColumn("id", ColumnType.INT64)
                .column("x", ColumnType.FLOAT64).build();
        try (FeatureStore s = FeatureStore.open(store())) {
            FeatureTable t = s.create(name, schema, TableOptions.DEFAULT);
            TestWriter.write(s, t, 1, 1000, sink -> sink.upsert(sink.row().setLong(0, 1).setDouble(1, 2.0)));
        }
    }

    @Test
    void aMissingDataFileIsNamedWithTheRebuildCommand() throws Exception {
        for (String file : new String[] {"state.dat", "rows.dat", "heap.dat"}) {
            String table = "t_" + file.replace('.', '_');
            createTable(table);
            Files.delete(store().resolve(table).resolve(file));
            Run get = larder("get", "--store", store().toString(), "--table", table, "1");
            assertEquals(1, get.exit(), get.out());
            assertTrue(get.err().contains(store().resolve(table).resolve(file) + ": missing"), get.err());
            assertTrue(get.err().contains("./larder rebuild --store " + store() + " --table " + table + "\n"),
                    get.err());
        }
    }

    @Test
    void getAndDumpRefuseARowWithAFlippedBitNamingRowsDatAndTheRebuildCommand() throws Exception {
        FeatureSchema schema = FeatureSchema.builder().keyColumn("id", ColumnType.INT64).column("x", ColumnType.FLOAT64)
                .build();
        double stored = 12345.678;
        try (FeatureStore s = FeatureStore.open(store())) {
            FeatureTable t = s.create("t", schema, TableOptions.DEFAULT);
            TestWriter.write(s, t, 1, 1000, sink -> {
                sink.upsert(sink.row().setLong(0, 1).setDouble(1, 1.5));
                sink.upsert(sink.row().setLong(0, 7).setDouble(1, stored));
            });
        }
        Path rows = store().resolve("t").resolve("rows.dat");
        byte[] b = Files.readAllBytes(rows);
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int at = -1;
        for (int i = 0; i + 8 <= b.length; i += 8) {
            if (buf.getLong(i) == Double.doubleToLongBits(stored)) {
                at = i;
            }
        }
        assertTrue(at >= 0, "value found in rows.dat");
        b[at] ^= 1;
        Files.write(rows, b);

        Run good = larder("get", "--store", store().toString(), "--table", "t", "1");
        assertEquals(0, good.exit(), good.err());
        for (Run run : new Run[] {larder("get", "--store", store().toString(), "--table", "t", "7"),
                larder("dump", "--store", store().toString(), "--table", "t")}) {
            assertEquals(1, run.exit(), run.out());
            assertFalse(run.out().contains("1234"), "no damaged value printed: " + run.out());
            assertTrue(run.err().contains(rows + ": the row of id=7 (row "), run.err());
            assertTrue(run.err().contains("fails its checksum"), run.err());
            assertTrue(run.err().contains("./larder rebuild --store " + store() + " --table t\n"), run.err());
        }
    }

    @Test
    void aTableWhoseMetadataIsMissingStaysInStatsAsDamaged() throws Exception {
        createTable("kept");
        createTable("lost");
        Path metadata = store().resolve("lost").resolve("table.properties");
        Files.delete(metadata);

        Run stats = larder("stats", "--store", store().toString());
        assertTrue(stats.out().contains("kept: 1 rows"), stats.out());
        assertTrue(stats.out().contains("lost: ") && stats.out().contains(metadata + ": missing"), stats.out());
        assertTrue(stats.out().contains("./larder rebuild --store " + store()
                + " --table lost --delta PATH --key COLUMNS"), stats.out());

        Run get = larder("get", "--store", store().toString(), "--table", "lost", "1");
        assertEquals(1, get.exit(), get.out());
        assertTrue(get.err().contains(metadata + ": missing"), get.err());
        assertTrue(get.err().contains("./larder rebuild --store " + store()
                + " --table lost --delta PATH --key COLUMNS"), get.err());
    }
}
