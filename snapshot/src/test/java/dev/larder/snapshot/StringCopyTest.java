package dev.larder.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.larder.snapshot.parquet.ByteRangeVector;
import dev.larder.store.Column;
import dev.larder.store.ColumnType;
import dev.larder.store.FeatureSchema;
import dev.larder.store.RowBuffer;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A string copied from a decoded vector's bytes lands exactly as the one decoded to a {@code String} and encoded again:
 * ASCII straight from the bytes, anything else (multi-byte, malformed UTF-8, which decoding replaces) the long way.
 */
class StringCopyTest {
    private static final FeatureSchema SCHEMA = FeatureSchema.builder()
            .keyColumn("id", ColumnType.INT64)
            .add(Column.variable("s", ColumnType.STRING, true, 8))
            .build();

    /** One batch of string values as byte ranges of one array, as the parquet fast path delivers them. */
    private record Bytes(byte[][] values) implements ByteRangeVector {
        @Override
        public byte[] data() {
            int n = 0;
            for (byte[] v : values) {
                n += v.length;
            }
            byte[] all = new byte[n + 3];
            int at = 3;
            for (byte[] v : values) {
                System.arraycopy(v, 0, all, at, v.length);
                at += v.length;
            }
            return all;
        }

        @Override
        public int start(int row) {
            int at = 3;
            for (int i = 0; i < row; i++) {
                at += values[i].length;
            }
            return at;
        }

        @Override
        public int length(int row) {
            return values[row].length;
        }

        @Override
        public DataType getDataType() {
            return StringType.STRING;
        }

        @Override
        public int getSize() {
            return values.length;
        }

        @Override
        public void close() {
        }

        @Override
        public boolean isNullAt(int row) {
            return false;
        }

        @Override
        public String getString(int row) {
            return new String(values[row], StandardCharsets.UTF_8);
        }
    }

    /** Row numbers as the key column. */
    private record Ids(int size) implements ColumnVector {
        @Override
        public DataType getDataType() {
            return LongType.LONG;
        }

        @Override
        public int getSize() {
            return size;
        }

        @Override
        public void close() {
        }

        @Override
        public boolean isNullAt(int row) {
            return false;
        }

        @Override
        public long getLong(int row) {
            return row;
        }
    }

    @Test
    void everyStringLandsAsDecodingAndEncodingItWould() {
        byte[][] values = {
            "DE".getBytes(StandardCharsets.UTF_8),
            new byte[0],
            "ünï ✓".getBytes(StandardCharsets.UTF_8),
            {'a', (byte) 0xC3},
            {(byte) 0xFF, 'b'},
            "a longer ASCII value than inline".getBytes(StandardCharsets.UTF_8),
            "中文中文中文中文".getBytes(StandardCharsets.UTF_8),
        };
        StructType logical = new StructType().add("id", LongType.LONG, false).add("s", StringType.STRING, true);
        TableLayout layout = TableLayout.of(logical, List.of(), Map.of(), "file:/t", 0);
        VectorRow row = new VectorRow(layout);
        row.bind(new ColumnVector[2], new ColumnVector[] {new Ids(values.length), new Bytes(values)});
        DeltaRowCopier copier = new DeltaRowCopier(SCHEMA);
        RowBuffer copied = new RowBuffer(SCHEMA);
        RowBuffer expected = new RowBuffer(SCHEMA);
        for (int i = 0; i < values.length; i++) {
            row.moveTo(i);
            copier.copy(row, copied.clear());
            expected.clear().setLong(0, i).setString(1, new String(values[i], StandardCharsets.UTF_8));
            byte[] a = new byte[expected.getLength(1)];
            byte[] b = new byte[expected.getLength(1)];
            assertEquals(b.length, copied.getLength(1), "value " + i);
            copied.getBytes(1, a, 0);
            expected.getBytes(1, b, 0);
            assertArrayEquals(b, a, "value " + i);
            assertEquals(new String(values[i], StandardCharsets.UTF_8), copied.getString(1), "value " + i);
            if (b.length <= 8) {
                // Inline values: the whole image is the same (a longer value's inline bytes are not read).
                byte[] imageA = new byte[copied.exportSize()];
                byte[] imageB = new byte[expected.exportSize()];
                copied.exportTo(imageA);
                expected.exportTo(imageB);
                assertArrayEquals(imageB, imageA, "image of value " + i);
            }
        }
    }
}
