package dev.larder.kafka;

import dev.larder.store.Column;
import dev.larder.store.ColumnType;
import dev.larder.store.FeatureSchema;
import dev.larder.store.RowBuffer;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;

/**
 * Decodes a record's value, one Avro record datum whose field names are the table's columns, into a row; confined to
 * the thread that uses it (it reuses its decoder, records and scratch). The key comes from the record key as for
 * {@link JsonRowDecoder}.
 *
 * <p><b>Framing.</b> {@link Framing#RAW}: the value is the binary datum of the one configured writer schema.
 * {@link Framing#SINGLE_OBJECT}: Avro's single-object encoding, {@code C3 01}, the writer schema's 8-byte
 * little-endian CRC-64-AVRO fingerprint ({@link SchemaNormalization#parsingFingerprint64}), then the datum; the
 * fingerprint picks one of the configured schemas. {@link Framing#CONFLUENT}: Confluent's wire format, a zero byte,
 * the 4-byte big-endian schema id, then the datum; the id picks one of the configured schemas (no registry is asked).
 *
 * <p><b>Fields by column type</b>, checked against every configured schema when the decoder is built (a field that is
 * no column, or of a type its column cannot take, is refused then, naming schema and field): boolean from boolean;
 * integers from int or long (range-checked per value); date from int (days); timestamp and timestamp_ntz from long,
 * as microseconds, or milliseconds when the field's logical type says {@code timestamp-millis} or
 * {@code local-timestamp-millis}; float32/float64 from float, double, int or long; decimal from a {@code decimal}
 * bytes or fixed, a string, an int or a long; string from string or enum; binary from bytes or fixed; float32_array
 * from an array of floats or doubles of the column's dimension; opaque from anything (kept as Avro's JSON text).
 * A field may be a union of null and one of these; a null, or a column no field names, leaves the column null. A field
 * naming the key column must agree with the record key. Per value, a failure throws {@link IllegalArgumentException}
 * naming the field.
 */
final class AvroRowDecoder implements RowDecoder {
    /** How a value frames its datum. */
    enum Framing { RAW, SINGLE_OBJECT, CONFLUENT }

    private final FeatureSchema schema;
    private final JsonRowDecoder keys;
    private final int keyColumn;
    private final Framing framing;
    /** The configured writer schemas, with their single-object fingerprints or Confluent ids in {@link #tags}. */
    private final Writer[] writers;
    private final long[] tags;
    private BinaryDecoder decoder;
    private float[] floats = new float[0];

    /** One writer schema: its reader, the record it reuses, and each field's column and (non-null) type. */
    private static final class Writer {
        final Schema avro;
        final GenericDatumReader<GenericRecord> reader;
        final int[] columns;
        final Schema[] types;
        GenericRecord reuse;

        Writer(Schema avro, int[] columns, Schema[] types) {
            this.avro = avro;
            this.reader = new GenericDatumReader<>(avro);
            this.columns = columns;
            this.types = types;
        }
    }

    /**
     * @param schemas the writer schemas: for {@link Framing#RAW} exactly one (its key ignored), for
     *                {@link Framing#SINGLE_OBJECT} any number (keys ignored: their fingerprints are computed), for
     *                {@link Framing#CONFLUENT} each under its schema id
     * @throws IllegalArgumentException for a table no record can fill, or a schema whose fields it cannot take
     */
    AvroRowDecoder(FeatureSchema schema, Framing framing, Map<Integer, Schema> schemas) {
        this.schema = schema;
        this.keys = new JsonRowDecoder(schema);
        this.keyColumn = schema.keyColumn(0);
        this.framing = framing;
        if (schemas.isEmpty() || framing == Framing.RAW && schemas.size() != 1) {
            throw new IllegalArgumentException("Avro values " + framing + " need " + (framing == Framing.RAW
                    ? "exactly one writer schema" : "at least one writer schema") + ", not " + schemas.size());
        }
        this.writers = new Writer[schemas.size()];
        this.tags = new long[schemas.size()];
        int i = 0;
        for (Map.Entry<Integer, Schema> e : schemas.entrySet()) {
            writers[i] = writer(e.getValue());
            tags[i] = framing == Framing.CONFLUENT ? e.getKey()
                    : SchemaNormalization.parsingFingerprint64(e.getValue());
            i++;
        }
    }

    private Writer writer(Schema avro) {
        if (avro.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException("Avro schema " + avro.getFullName() + " is a " + avro.getType()
                    + ", not a record whose fields are the table's columns");
        }
        List<Schema.Field> fields = avro.getFields();
        int[] columns = new int[fields.size()];
        Schema[] types = new Schema[fields.size()];
        for (Schema.Field f : fields) {
            if (!schema.names().contains(f.name())) {
                throw new IllegalArgumentException("field " + f.name() + " of Avro schema " + avro.getFullName()
                        + " is not a column of the table (columns: " + schema.names() + ")");
            }
            int c = schema.indexOf(f.name());
            Schema t = nonNull(avro, f);
            String refused = refusal(schema.column(c), t);
            if (refused != null) {
                throw new IllegalArgumentException("field " + f.name() + " of Avro schema " + avro.getFullName()
                        + " is " + t + ", which column " + f.name() + " (" + schema.column(c).typeString()
                        + ") cannot take: " + refused);
            }
            columns[f.pos()] = c;
            types[f.pos()] = t;
        }
        return new Writer(avro, columns, types);
    }

    /** The type of a field, or of the one non-null branch of its union with null. */
    private static Schema nonNull(Schema avro, Schema.Field f) {
        Schema t = f.schema();
        if (t.getType() != Schema.Type.UNION) {
            return t;
        }
        List<Schema> branches = new ArrayList<>();
        for (Schema b : t.getTypes()) {
            if (b.getType() != Schema.Type.NULL) {
                branches.add(b);
            }
        }
        if (branches.size() != 1) {
            throw new IllegalArgumentException("field " + f.name() + " of Avro schema " + avro.getFullName() + " is "
                    + t + "; a field is one type or a union of null and one type");
        }
        return branches.get(0);
    }

    /** Why column {@code c} cannot take Avro values of type {@code t}, or null when it can. */
    private static String refusal(Column c, Schema t) {
        Schema.Type a = t.getType();
        boolean ok = switch (c.type()) {
            case BOOLEAN -> a == Schema.Type.BOOLEAN;
            case INT8, INT16, INT32, INT64 -> a == Schema.Type.INT || a == Schema.Type.LONG;
            case DATE -> a == Schema.Type.INT;
            case TIMESTAMP, TIMESTAMP_NTZ -> a == Schema.Type.LONG;
            case FLOAT32, FLOAT64 -> a == Schema.Type.FLOAT || a == Schema.Type.DOUBLE || a == Schema.Type.INT
                    || a == Schema.Type.LONG;
            case DECIMAL -> (a == Schema.Type.BYTES || a == Schema.Type.FIXED)
                    && t.getLogicalType() instanceof LogicalTypes.Decimal
                    || a == Schema.Type.STRING || a == Schema.Type.INT || a == Schema.Type.LONG;
            case STRING -> a == Schema.Type.STRING || a == Schema.Type.ENUM;
            case BINARY -> a == Schema.Type.BYTES || a == Schema.Type.FIXED;
            case FLOAT32_ARRAY -> a == Schema.Type.ARRAY && (t.getElementType().getType() == Schema.Type.FLOAT
                    || t.getElementType().getType() == Schema.Type.DOUBLE);
            case OPAQUE -> true;
            default -> false;
        };
        return ok ? null : "types differ";
    }

    @Override
    public void key(byte[] key, RowBuffer row) {
        keys.key(key, row);
    }

    @Override
    public void value(byte[] value, RowBuffer row) {
        int at = 0;
        Writer w;
        switch (framing) {
            case RAW -> w = writers[0];
            case SINGLE_OBJECT -> {
                if (value.length < 10 || value[0] != (byte) 0xC3 || value[1] != 0x01) {
                    throw new IllegalArgumentException("not Avro single-object encoding (C3 01, an 8-byte schema"
                            + " fingerprint, the datum): starts " + head(value));
                }
                w = writer(littleEndianLong(value, 2), "schema fingerprint");
                at = 10;
            }
            default -> {
                if (value.length < 5 || value[0] != 0) {
                    throw new IllegalArgumentException("not Confluent's Avro wire format (a zero byte, a 4-byte"
                            + " schema id, the datum): starts " + head(value));
                }
                w = writer(((value[1] & 0xFFL) << 24) | ((value[2] & 0xFF) << 16) | ((value[3] & 0xFF) << 8)
                        | (value[4] & 0xFF), "schema id");
                at = 5;
            }
        }
        decoder = DecoderFactory.get().binaryDecoder(value, at, value.length - at, decoder);
        GenericRecord r;
        try {
            r = w.reader.read(w.reuse, decoder);
            w.reuse = r;
            if (!decoder.isEnd()) {
                throw new IllegalArgumentException("trailing bytes after the datum of Avro schema "
                        + w.avro.getFullName());
            }
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new IllegalArgumentException("not a datum of Avro schema " + w.avro.getFullName() + ": " + e, e);
        }
        for (int f = 0; f < w.columns.length; f++) {
            field(w.columns[f], w.types[f], r.get(f), row);
        }
    }

    private Writer writer(long tag, String what) {
        for (int i = 0; i < tags.length; i++) {
            if (tags[i] == tag) {
                return writers[i];
            }
        }
        List<String> known = new ArrayList<>();
        for (long t : tags) {
            known.add(framing == Framing.CONFLUENT ? Long.toString(t) : HexFormat.of().toHexDigits(t));
        }
        throw new IllegalArgumentException(what + " " + (framing == Framing.CONFLUENT ? Long.toString(tag)
                : HexFormat.of().toHexDigits(tag)) + " is not among the configured schemas' " + known);
    }

    private static long littleEndianLong(byte[] b, int at) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }

    private static String head(byte[] b) {
        return HexFormat.ofDelimiter(" ").formatHex(b, 0, Math.min(b.length, 10)) + (b.length > 10 ? " ..." : "");
    }

    private void field(int c, Schema type, Object v, RowBuffer row) {
        Column col = schema.column(c);
        if (v == null) {
            if (c == keyColumn) {
                throw new IllegalArgumentException("key column " + col.name() + " is null");
            }
            if (!col.nullable()) {
                throw new IllegalArgumentException("column " + col.name() + " is not nullable");
            }
            return;
        }
        try {
            if (c == keyColumn) {
                boolean same = col.type() == ColumnType.STRING ? v.toString().equals(row.getString(c))
                        : ((Number) v).longValue() == row.getLong(c);
                if (!same) {
                    throw new IllegalArgumentException("key column " + col.name()
                            + " in the value differs from the record key");
                }
                return;
            }
            switch (col.type()) {
                case BOOLEAN -> row.setBoolean(c, (Boolean) v);
                case INT8, INT16, INT32, INT64, DATE -> row.setLong(c, ((Number) v).longValue());
                case TIMESTAMP, TIMESTAMP_NTZ -> row.setLong(c, millis(type.getLogicalType())
                        ? Math.multiplyExact((Long) v, 1000L) : (Long) v);
                case FLOAT32 -> row.setFloat(c, ((Number) v).floatValue());
                case FLOAT64 -> row.setDouble(c, ((Number) v).doubleValue());
                case DECIMAL -> row.setDecimal(c, decimal(type, v));
                case STRING -> {
                    if (v instanceof Utf8 u) {
                        row.setBytes(c, u.getBytes(), 0, u.getByteLength());
                    } else {
                        row.setString(c, v.toString());
                    }
                }
                case BINARY -> {
                    if (v instanceof ByteBuffer b) {
                        row.setBytes(c, b.array(), b.arrayOffset() + b.position(), b.remaining());
                    } else {
                        row.setBytes(c, ((GenericFixed) v).bytes());
                    }
                }
                case FLOAT32_ARRAY -> row.setFloatArray(c, floats(col, (List<?>) v), 0);
                case OPAQUE -> row.setBytes(c, GenericData.get().toString(v).getBytes(StandardCharsets.UTF_8));
                default -> throw new IllegalArgumentException("unsupported column type");
            }
        } catch (IllegalArgumentException | ArithmeticException | ClassCastException e) {
            throw new IllegalArgumentException("field " + col.name() + " (" + col.typeString() + "): "
                    + e.getMessage(), e);
        }
    }

    private static boolean millis(LogicalType t) {
        return t instanceof LogicalTypes.TimestampMillis || t instanceof LogicalTypes.LocalTimestampMillis;
    }

    private static BigDecimal decimal(Schema type, Object v) {
        if (v instanceof ByteBuffer b) {
            byte[] bytes = new byte[b.remaining()];
            b.duplicate().get(bytes);
            return new BigDecimal(new BigInteger(bytes), ((LogicalTypes.Decimal) type.getLogicalType()).getScale());
        }
        if (v instanceof GenericFixed f) {
            return new BigDecimal(new BigInteger(f.bytes()), ((LogicalTypes.Decimal) type.getLogicalType()).getScale());
        }
        if (v instanceof Number n) {
            return BigDecimal.valueOf(n.longValue());
        }
        return new BigDecimal(v.toString());
    }

    private float[] floats(Column col, List<?> values) {
        int dim = col.dimension();
        if (values.size() != dim) {
            throw new IllegalArgumentException("needs " + dim + " floats, the value has " + values.size());
        }
        if (floats.length < dim) {
            floats = new float[dim];
        }
        for (int i = 0; i < dim; i++) {
            floats[i] = ((Number) values.get(i)).floatValue();
        }
        return floats;
    }
}
