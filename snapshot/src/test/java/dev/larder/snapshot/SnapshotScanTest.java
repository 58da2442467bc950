package dev.larder.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class SnapshotScanTest {
    private static final Pattern SNAPSHOT_FILE = Pattern.compile("snapshot-v(\\d+)\\.jsonl");

    /** Every table, every version with a computed snapshot: the scan equals it line for line once sorted. */
    @TestFactory
    Stream<DynamicTest> scanEqualsComputedSnapshots() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : SharedTables.names()) {
            Path computed = SharedTables.root().resolve(name).resolve("computed");
            DeltaSource source = DeltaSource.open(SharedTables.table(name).toString());
            try (Stream<Path> files = Files.list(computed)) {
                files.forEach(f -> {
                    Matcher m = SNAPSHOT_FILE.matcher(f.getFileName().toString());
                    if (m.matches()) {
                        long version = Long.parseLong(m.group(1));
                        tests.add(DynamicTest.dynamicTest(name + " v" + version, () -> {
                            List<String> expected = new ArrayList<>(SharedTables.lines(f));
                            List<String> actual = new ArrayList<>();
                            long[] lastProgress = new long[2];
                            long n = source.scan(version, row -> actual.add(JsonRowFormat.toJson(row)),
                                    (rows, filesDone) -> {
                                        lastProgress[0] = rows;
                                        lastProgress[1] = filesDone;
                                    });
                            expected.sort(null);
                            actual.sort(null);
                            assertEquals(expected, actual);
                            assertEquals(expected.size(), n);
                            assertEquals(n, lastProgress[0]);
                        }));
                    }
                });
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        assertTrue(tests.size() > 100, "expected computed snapshots for every table, found " + tests.size());
        return tests.stream();
    }

    @Test
    void aFilesystemUriReadsLikeAPath() {
        java.nio.file.Path table = SharedTables.table("basic_partitioned");
        List<String> viaPath = new ArrayList<>();
        List<String> viaUri = new ArrayList<>();
        DeltaSource.open(table.toString()).scan(1, r -> viaPath.add(JsonRowFormat.toJson(r)));
        DeltaSource byUri = DeltaSource.open(table.toUri().toString());
        assertTrue(byUri.tablePath().startsWith("file:"), byUri.tablePath());
        byUri.scan(1, r -> viaUri.add(JsonRowFormat.toJson(r)));
        viaPath.sort(null);
        viaUri.sort(null);
        assertEquals(6, viaUri.size());
        assertEquals(viaPath, viaUri);
    }

    @Test
    void schemaUsesLogicalNamesTypesAndPartitionColumns() {
        DeltaSchema mapped = DeltaSource.open(SharedTables.table("dv-with-columnmapping").toString()).schema(15);
        assertEquals(List.of("part", "col1", "col2"), mapped.columns().stream().map(DeltaColumn::name).toList());
        assertEquals(List.of("part"), mapped.partitionColumns());
        assertEquals(DeltaType.Kind.INT, mapped.column(0).type().kind());
        assertEquals(DeltaType.Kind.STRING, mapped.column(2).type().kind());

        DeltaSchema all = DeltaSource.open(SharedTables.table("parquet-all-types").toString()).schema(0);
        assertEquals(new DeltaType(DeltaType.Kind.DECIMAL, 10, 2, "decimal(10,2)"),
                all.column(all.indexOf("decimal")).type());
        assertEquals(DeltaType.Kind.TIMESTAMP_NTZ, all.column(all.indexOf("TimestampNTZType")).type().kind());
        assertEquals("struct<aa:string,ac:struct<aca:integer>>",
                all.column(all.indexOf("nested_struct")).type().deltaName());
        assertEquals("map<integer,struct<ab:long>>", all.column(all.indexOf("map_of_rows")).type().deltaName());
    }

    @Test
    void primitiveAccessorsReadTypedValues() {
        DeltaSource source = DeltaSource.open(SharedTables.table("parquet-all-types").toString());
        DeltaSchema s = source.schema(0);
        List<String> seen = new ArrayList<>();
        source.scan(0, row -> {
            if (!row.isNull(s.indexOf("LongType")) && row.getLong(s.indexOf("LongType")) == 73) {
                seen.add(row.getInt(s.indexOf("IntegerType")) + "|" + row.getShort(s.indexOf("ShortType")) + "|"
                        + row.getFloat(s.indexOf("FloatType")) + "|" + row.getDecimal(s.indexOf("decimal")) + "|"
                        + row.getDate(s.indexOf("DateType")) + "|" + row.getTimestampMicros(s.indexOf("TimestampType"))
                        + "|" + new String(row.getBinary(s.indexOf("BinaryType"))) + "|"
                        + row.getNested(s.indexOf("nested_struct")).toJson());
            }
        });
        assertEquals(List.of("72|72|16.848|8893.44|16|1686493656000|72|{\"aa\": \"72\", \"ac\": {\"aca\": 72}}"), seen);
    }

    @Test
    void versionAtOrBeforeFollowsInCommitTimestamps() {
        DeltaSource ict = DeltaSource.open(SharedTables.table("cdc_ict_table").toString());
        assertEquals(3, ict.latestVersion());
        assertEquals(3, ict.versionAtOrBefore(1783874213881L));
        assertEquals(2, ict.versionAtOrBefore(1783874213880L));
        assertEquals(3, ict.versionAtOrBefore(Long.MAX_VALUE));
    }
}
