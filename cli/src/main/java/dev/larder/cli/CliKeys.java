package dev.larder.cli;

import dev.larder.ColumnType;
import dev.larder.Key;
import dev.larder.Reader;
import dev.larder.Schema;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Base64;

/** Parsing keys from command-line text and rendering values for humans. Stateless. */
final class CliKeys {
    private CliKeys() {
    }

    /** Sets {@code k}, a key of table {@code table} whose schema is {@code schema}, to {@code values} in key order. */
    static Key parse(String table, Schema schema, String[] values, Key k) {
        int keyColumns = schema.keyColumns().size();
        if (values.length != keyColumns) {
            throw new IllegalArgumentException("table " + table + " has " + keyColumns + " key column(s), got "
                    + values.length + " value(s)");
        }
        for (int i = 0; i < values.length; i++) {
            KeyColumn c = new KeyColumn(schema, schema.indexOf(schema.keyColumns().get(i)));
            String text = values[i];
            switch (c.type()) {
                case STRING -> k.setString(i, text);
                case BOOLEAN -> k.setBoolean(i, parseBoolean(c, text));
                case DATE -> k.setLong(i, parseDate(c, text));
                case BINARY -> {
                    byte[] b = parseBase64(c, text);
                    k.setBytes(i, b, 0, b.length);
                }
                default -> k.setLong(i, parseIntegral(c, text));
            }
        }
        return k;
    }

    /** A key column: its schema and index, for its type and the messages that name it. */
    private record KeyColumn(Schema schema, int index) {
        ColumnType type() {
            return schema.type(index);
        }

        String name() {
            return schema.name(index);
        }

        String typeString() {
            return schema.typeName(index);
        }
    }

    /**
     * Only the two words: any other text would otherwise look up the {@code false} row and answer as if asked for it.
     */
    private static boolean parseBoolean(KeyColumn c, String text) {
        if (text.equalsIgnoreCase("true")) {
            return true;
        }
        if (text.equalsIgnoreCase("false")) {
            return false;
        }
        throw refused(c, text, "true or false");
    }

    private static long parseDate(KeyColumn c, String text) {
        try {
            return LocalDate.parse(text).toEpochDay();
        } catch (DateTimeParseException e) {
            throw refused(c, text, "a date like 2026-11-24");
        }
    }

    private static byte[] parseBase64(KeyColumn c, String text) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw refused(c, text, "base64 bytes");
        }
    }

    /** Range-checked for narrow types: keys widen to int64, so an out-of-range value would silently find nothing. */
    private static long parseIntegral(KeyColumn c, String text) {
        long min = switch (c.type()) {
            case INT8 -> Byte.MIN_VALUE;
            case INT16 -> Short.MIN_VALUE;
            case INT32 -> Integer.MIN_VALUE;
            default -> Long.MIN_VALUE;
        };
        long max = -(min + 1);
        String expected = switch (c.type()) {
            case TIMESTAMP, TIMESTAMP_NTZ -> "an integer (microseconds since 1970-01-01T00:00)";
            case INT64 -> "an integer";
            default -> "an integer from " + min + " to " + max;
        };
        long v;
        try {
            v = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw refused(c, text, expected);
        }
        if (v < min || v > max) {
            throw refused(c, text, expected);
        }
        return v;
    }

    private static IllegalArgumentException refused(KeyColumn c, String text, String expected) {
        return new IllegalArgumentException("key column " + c.name() + " (" + c.typeString() + ") cannot take '" + text
                + "': expected " + expected);
    }

    /** Column {@code c} of the last lookup's row of {@code r}, whose table has {@code schema}, for humans. */
    static String render(Reader r, Schema schema, int c) {
        if (r.isNull(c)) {
            return "null";
        }
        Object v = r.getObject(c);
        return switch (schema.type(c)) {
            case DATE -> LocalDate.ofEpochDay((Long) v).toString();
            case TIMESTAMP -> Instant.EPOCH.plusNanos((Long) v * 1000).toString();
            case FLOAT32_ARRAY -> Arrays.toString((float[]) v);
            case BINARY -> Base64.getEncoder().encodeToString((byte[]) v);
            case OPAQUE -> new String((byte[]) v, StandardCharsets.UTF_8);
            default -> String.valueOf(v);
        };
    }
}
