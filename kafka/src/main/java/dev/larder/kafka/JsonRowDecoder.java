package dev.larder.kafka;

import dev.larder.store.Column;
import dev.larder.store.ColumnType;
import dev.larder.store.FeatureSchema;
import dev.larder.store.RowBuffer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Base64;

/**
 * Decodes a record's key and its value, one flat JSON object with the table's column names, into a row; confined to
 * the thread that uses it (it keeps scratch state).
 *
 * <p>Values by column type: booleans {@code true}/{@code false}; integers as JSON integers in the column's range;
 * float32/float64 as any JSON number; decimal as a number or a string; date as {@code "YYYY-MM-DD"} or days since the
 * epoch; timestamp as an ISO-8601 instant ({@code "2026-01-01T00:00:00Z"}) or microseconds since the epoch;
 * timestamp_ntz as a local date-time or microseconds; string as a string; binary as base64; float32_array as an array
 * of numbers; opaque as any JSON value (kept as its text). {@code null} or a missing field leaves the column null. The
 * key comes from the record key: a string key column takes its UTF-8 bytes, an integral one its decimal text; a value
 * that also names the key column must agree with it. Strings without escapes and integers are copied straight from the
 * record's bytes; a failure throws {@link IllegalArgumentException} saying what and where in the value.
 */
final class JsonRowDecoder implements RowDecoder {
    private static final double[] POW10 = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
        1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

    private final FeatureSchema schema;
    private final byte[][] names;
    private final int keyColumn;
    private final boolean[] seen;
    private final StringBuilder text = new StringBuilder();
    private float[] floats = new float[0];
    private byte[] b;
    private int pos;
    private int end;

    JsonRowDecoder(FeatureSchema schema) {
        if (schema.keyColumnCount() != 1) {
            throw new IllegalArgumentException("a Kafka-fed table has one key column (the record key), not "
                    + schema.keyColumnCount() + ": " + schema);
        }
        this.schema = schema;
        this.keyColumn = schema.keyColumn(0);
        ColumnType kt = schema.type(keyColumn);
        if (kt != ColumnType.STRING && !kt.isIntegral()) {
            throw new IllegalArgumentException("key column " + schema.column(keyColumn).name() + " is "
                    + schema.column(keyColumn).typeString() + "; a Kafka-fed table's key is a string or an integer");
        }
        this.names = new byte[schema.columnCount()][];
        for (int c = 0; c < names.length; c++) {
            names[c] = schema.column(c).name().getBytes(StandardCharsets.UTF_8);
        }
        this.seen = new boolean[names.length];
    }

    @Override
    public void key(byte[] key, RowBuffer row) {
        if (key == null) {
            throw new IllegalArgumentException("the record has no key (the key column "
                    + schema.column(keyColumn).name() + " comes from it)");
        }
        if (schema.type(keyColumn) == ColumnType.STRING) {
            row.setBytes(keyColumn, key, 0, key.length);
        } else {
            row.setLong(keyColumn, decimalKey(key));
        }
    }

    private long decimalKey(byte[] key) {
        b = key;
        pos = 0;
        end = key.length;
        long v = 0;
        if (end > 0 && (key[0] == '-' || key[0] >= '0' && key[0] <= '9')) {
            try {
                v = parseLong();
            } catch (IllegalArgumentException e) {
                pos = -1;
            }
        }
        if (end == 0 || pos != end) {
            throw new IllegalArgumentException("record key '" + new String(key, StandardCharsets.UTF_8)
                    + "' is not the decimal text of an integer (key column " + schema.column(keyColumn).name() + ")");
        }
        return v;
    }

    /** Fills {@code row} (already holding the key) from a JSON object. */
    @Override
    public void value(byte[] value, RowBuffer row) {
        b = value;
        pos = 0;
        end = value.length;
        Arrays.fill(seen, false);
        skipSpace();
        expect('{');
        skipSpace();
        if (peek() == '}') {
            pos++;
        } else {
            while (true) {
                skipSpace();
                int column = fieldName();
                skipSpace();
                expect(':');
                skipSpace();
                if (seen[column]) {
                    throw error("column " + schema.column(column).name() + " appears twice");
                }
                seen[column] = true;
                field(column, row);
                skipSpace();
                byte c = next();
                if (c == '}') {
                    break;
                }
                if (c != ',') {
                    throw error("expected ',' or '}'");
                }
            }
        }
        skipSpace();
        if (pos != end) {
            throw error("trailing bytes after the object");
        }
    }

    private int fieldName() {
        expect('"');
        int start = pos;
        while (pos < end && b[pos] != '"') {
            if (b[pos] == '\\') {
                throw error("escapes in field names are not supported");
            }
            pos++;
        }
        int len = pos - start;
        expect('"');
        for (int c = 0; c < names.length; c++) {
            if (Arrays.equals(names[c], 0, names[c].length, b, start, start + len)) {
                return c;
            }
        }
        throw error("unknown column '" + new String(b, start, len, StandardCharsets.UTF_8) + "' (columns: "
                + schema.names() + ")", start);
    }

    private void field(int column, RowBuffer row) {
        Column col = schema.column(column);
        int at = pos;
        if (peek() == 'n') {
            literal("null");
            if (column == keyColumn) {
                throw error("key column " + col.name() + " is null", at);
            }
            if (!col.nullable()) {
                throw error("column " + col.name() + " is not nullable", at);
            }
            return;
        }
        try {
            if (column == keyColumn) {
                checkKey(col, row);
                return;
            }
            switch (col.type()) {
                case BOOLEAN -> row.setBoolean(column, bool());
                case INT8, INT16, INT32, INT64 -> row.setLong(column, integer());
                case DATE -> row.setLong(column, peek() == '"' ? LocalDate.parse(string()).toEpochDay() : integer());
                case TIMESTAMP -> row.setLong(column, peek() == '"' ? micros(Instant.parse(string())) : integer());
                case TIMESTAMP_NTZ -> row.setLong(column, peek() == '"'
                        ? micros(LocalDateTime.parse(string()).toInstant(ZoneOffset.UTC)) : integer());
                case FLOAT32 -> row.setFloat(column, (float) number());
                case FLOAT64 -> row.setDouble(column, number());
                case DECIMAL -> row.setDecimal(column, new BigDecimal(peek() == '"' ? string() : numberText()));
                case STRING -> stringInto(column, row);
                case BINARY -> row.setBytes(column, Base64.getDecoder().decode(string()));
                case FLOAT32_ARRAY -> row.setFloatArray(column, floatArray(col), 0);
                case OPAQUE -> {
                    skipValue();
                    row.setBytes(column, b, at, pos - at);
                }
                default -> throw error("column " + col.name() + " has unsupported type " + col.typeString(), at);
            }
        } catch (DateTimeParseException | IllegalArgumentException | ArithmeticException e) {
            String what = "column " + col.name() + " (" + col.typeString() + "): ";
            String m = String.valueOf(e.getMessage());
            int colon = m.indexOf(": ");
            if (m.startsWith("at byte") && colon > 0) {
                throw new IllegalArgumentException(m.substring(0, colon + 2) + what + m.substring(colon + 2), e);
            }
            throw error(what + m, at);
        }
    }

    /** The value's copy of the key column must be the record key. */
    private void checkKey(Column col, RowBuffer row) {
        boolean same;
        if (col.type() == ColumnType.STRING) {
            String s = string();
            same = s.equals(row.getString(keyColumn));
        } else {
            same = integer() == row.getLong(keyColumn);
        }
        if (!same) {
            throw new IllegalArgumentException("key column " + col.name()
                    + " in the value differs from the record key");
        }
    }

    private static long micros(Instant i) {
        return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000);
    }

    private boolean bool() {
        if (peek() == 't') {
            literal("true");
            return true;
        }
        if (peek() == 'f') {
            literal("false");
            return false;
        }
        throw error("expected true or false");
    }

    private void literal(String word) {
        for (int i = 0; i < word.length(); i++) {
            if (pos >= end || b[pos] != word.charAt(i)) {
                throw error("expected " + word);
            }
            pos++;
        }
    }

    private long integer() {
        if (peek() != '-' && (peek() < '0' || peek() > '9')) {
            throw error("expected an integer");
        }
        long v = parseLong();
        if (pos < end && (b[pos] == '.' || b[pos] == 'e' || b[pos] == 'E')) {
            throw error("expected an integer, not a fraction");
        }
        return v;
    }

    private long parseLong() {
        boolean neg = b[pos] == '-';
        if (neg) {
            pos++;
        }
        int start = pos;
        long v = 0;
        while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
            int d = b[pos++] - '0';
            if (v < (Long.MIN_VALUE + d) / 10) {
                throw error("integer out of range");
            }
            v = v * 10 - d;
        }
        if (pos == start) {
            throw error("expected digits");
        }
        if (!neg && v == Long.MIN_VALUE) {
            throw error("integer out of range");
        }
        return neg ? v : -v;
    }

    /**
     * A JSON number as a double: exact for up to 15 significant digits with a power of ten up to 22 (both exact as
     * doubles, so one division or multiplication rounds correctly), else through {@link Double#parseDouble}.
     */
    private double number() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        long mantissa = 0;
        int digits = 0;
        int scale = 0;
        while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
            mantissa = mantissa * 10 + (b[pos++] - '0');
            digits++;
        }
        if (pos < end && b[pos] == '.') {
            pos++;
            while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
                mantissa = mantissa * 10 + (b[pos++] - '0');
                digits++;
                scale++;
            }
        }
        if (digits == 0) {
            throw error("expected a number", start);
        }
        if (pos < end && (b[pos] == 'e' || b[pos] == 'E') || digits > 15) {
            pos = start;
            return Double.parseDouble(numberText());
        }
        double v = scale == 0 ? mantissa : mantissa / POW10[scale];
        return b[start] == '-' ? -v : v;
    }

    private String numberText() {
        int start = pos;
        while (pos < end && (b[pos] >= '0' && b[pos] <= '9' || b[pos] == '-' || b[pos] == '+' || b[pos] == '.'
                || b[pos] == 'e' || b[pos] == 'E')) {
            pos++;
        }
        if (pos == start) {
            throw error("expected a number");
        }
        return new String(b, start, pos - start, StandardCharsets.US_ASCII);
    }

    private float[] floatArray(Column col) {
        int dim = col.dimension();
        if (floats.length < dim) {
            floats = new float[dim];
        }
        expect('[');
        int n = 0;
        skipSpace();
        if (peek() == ']') {
            pos++;
        } else {
            while (true) {
                skipSpace();
                double v = number();
                if (n < dim) {
                    floats[n] = (float) v;
                }
                n++;
                skipSpace();
                byte c = next();
                if (c == ']') {
                    break;
                }
                if (c != ',') {
                    throw error("expected ',' or ']'");
                }
            }
        }
        if (n != dim) {
            throw new IllegalArgumentException("needs " + dim + " floats, the value has " + n);
        }
        return floats;
    }

    /** A string column: the raw bytes when the string has no escapes, else the unescaped text. */
    private void stringInto(int column, RowBuffer row) {
        expect('"');
        int start = pos;
        while (pos < end && b[pos] != '"' && b[pos] != '\\') {
            pos++;
        }
        if (pos < end && b[pos] == '"') {
            row.setBytes(column, b, start, pos - start);
            pos++;
            return;
        }
        pos = start - 1;
        row.setString(column, string());
    }

    private String string() {
        expect('"');
        text.setLength(0);
        int start = pos;
        while (true) {
            if (pos >= end) {
                throw error("unterminated string", start - 1);
            }
            byte c = b[pos];
            if (c == '"') {
                break;
            }
            if (c == '\\') {
                text.append(new String(b, start, pos - start, StandardCharsets.UTF_8));
                pos++;
                text.append(escape());
                start = pos;
            } else {
                pos++;
            }
        }
        text.append(new String(b, start, pos - start, StandardCharsets.UTF_8));
        pos++;
        return text.toString();
    }

    private char escape() {
        byte c = next();
        return switch (c) {
            case '"', '\\', '/' -> (char) c;
            case 'b' -> '\b';
            case 'f' -> '\f';
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'u' -> {
                if (pos + 4 > end) {
                    throw error("truncated \\u escape");
                }
                try {
                    char u = (char) Integer.parseInt(new String(b, pos, 4, StandardCharsets.US_ASCII), 16);
                    pos += 4;
                    yield u;
                } catch (NumberFormatException e) {
                    throw error("bad \\u escape");
                }
            }
            default -> throw error("bad escape \\" + (char) c);
        };
    }

    /** Skips one JSON value of any kind (for opaque columns). */
    private void skipValue() {
        skipSpace();
        byte c = peek();
        if (c == '"') {
            string();
        } else if (c == '{' || c == '[') {
            byte close = c == '{' ? (byte) '}' : (byte) ']';
            pos++;
            skipSpace();
            if (peek() == close) {
                pos++;
                return;
            }
            while (true) {
                skipSpace();
                if (c == '{') {
                    string();
                    skipSpace();
                    expect(':');
                }
                skipValue();
                skipSpace();
                byte n = next();
                if (n == close) {
                    return;
                }
                if (n != ',') {
                    throw error("expected ',' or '" + (char) close + "'");
                }
            }
        } else if (c == 't') {
            literal("true");
        } else if (c == 'f') {
            literal("false");
        } else if (c == 'n') {
            literal("null");
        } else {
            numberText();
        }
    }

    private void skipSpace() {
        while (pos < end && (b[pos] == ' ' || b[pos] == '\t' || b[pos] == '\n' || b[pos] == '\r')) {
            pos++;
        }
    }

    private byte peek() {
        if (pos >= end) {
            throw error("unexpected end of the value");
        }
        return b[pos];
    }

    private byte next() {
        byte c = peek();
        pos++;
        return c;
    }

    private void expect(char c) {
        if (next() != c) {
            pos--;
            throw error("expected '" + c + "'");
        }
    }

    private IllegalArgumentException error(String what) {
        return error(what, pos);
    }

    private IllegalArgumentException error(String what, int at) {
        return new IllegalArgumentException("at byte " + at + " of the value: " + what);
    }
}
