package dev.larder.cli;

import dev.larder.store.Column;
import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureTable;
import dev.larder.store.Key;
import dev.larder.store.RowImage;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Base64;

/** Parsing keys from command-line text and rendering values for humans. Stateless. */
final class CliKeys {
    private CliKeys() {
    }

    static Key parse(FeatureTable t, String[] values) {
        return parse("table " + t.name(), t.schema(), values);
    }

    /** Parses a key of {@code schema}; {@code what} names the key's owner in errors. */
    static Key parse(String what, FeatureSchema schema, String[] values) {
        if (values.length != schema.keyColumnCount()) {
            throw new IllegalArgumentException(what + " has " + schema.keyColumnCount() + " key column(s), got "
                    + values.length + " value(s)");
        }
        Key k = new Key(schema);
        for (int i = 0; i < values.length; i++) {
            Column c = schema.column(schema.keyColumn(i));
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

    /** Only the two words: any other text would otherwise look up the {@code false} row and answer as if asked for it. */
    private static boolean parseBoolean(Column c, String text) {
        if (text.equalsIgnoreCase("true")) {
            return true;
        }
        if (text.equalsIgnoreCase("false")) {
            return false;
        }
        throw refused(c, text, "true or false");
    }

    private static long parseDate(Column c, String text) {
        try {
            return LocalDate.parse(text).toEpochDay();
        } catch (DateTimeParseException e) {
            throw refused(c, text, "a date like 2026-11-24");
        }
    }

    private static byte[] parseBase64(Column c, String text) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw refused(c, text, "base64 bytes");
        }
    }

    /** Range-checked for narrow types: keys widen to int64, so an out-of-range value would silently find nothing. */
    private static long parseIntegral(Column c, String text) {
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

    private static IllegalArgumentException refused(Column c, String text, String expected) {
        return new IllegalArgumentException("key column " + c.name() + " (" + c.typeString() + ") cannot take '" + text + "': expected "
                + expected);
    }

    static String render(RowImage r, int c) {
        if (r.isNull(c)) {
            return "null";
        }
        Column col = r.schema().column(c);
        return switch (col.type()) {
            case DATE -> LocalDate.ofEpochDay(r.getLong(c)).toString();
            case TIMESTAMP -> Instant.EPOCH.plusNanos(r.getLong(c) * 1000).toString();
            case FLOAT32_ARRAY -> {
                float[] v = new float[col.dimension()];
                r.getFloatArray(c, v, 0);
                yield Arrays.toString(v);
            }
            case BINARY -> Base64.getEncoder().encodeToString(r.getBytes(c));
            case OPAQUE -> new String(r.getBytes(c), java.nio.charset.StandardCharsets.UTF_8);
            default -> String.valueOf(r.getObject(c));
        };
    }
}
