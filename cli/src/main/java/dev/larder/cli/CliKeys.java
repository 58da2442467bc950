package dev.larder.cli;

import dev.larder.store.Column;
import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureTable;
import dev.larder.store.Key;
import dev.larder.store.RowImage;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;

/** Parsing keys from command-line text and rendering values for humans. Stateless. */
final class CliKeys {
    private CliKeys() {
    }

    static Key parse(FeatureTable t, String[] values) {
        FeatureSchema schema = t.schema();
        if (values.length != schema.keyColumnCount()) {
            throw new IllegalArgumentException("table " + t.name() + " has " + schema.keyColumnCount() + " key column(s), got "
                    + values.length + " value(s)");
        }
        Key k = t.newKey();
        for (int i = 0; i < values.length; i++) {
            Column c = schema.column(schema.keyColumn(i));
            switch (c.type()) {
                case STRING -> k.setString(i, values[i]);
                case BOOLEAN -> k.setBoolean(i, parseBoolean(c, values[i]));
                case DATE -> k.setLong(i, LocalDate.parse(values[i]).toEpochDay());
                case BINARY -> {
                    byte[] b = java.util.Base64.getDecoder().decode(values[i]);
                    k.setBytes(i, b, 0, b.length);
                }
                default -> k.setLong(i, Long.parseLong(values[i]));
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
        throw new IllegalArgumentException("key column " + c.name() + " (" + c.typeString() + ") cannot take '" + text
                + "': expected true or false");
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
            case BINARY -> java.util.Base64.getEncoder().encodeToString(r.getBytes(c));
            case OPAQUE -> new String(r.getBytes(c), java.nio.charset.StandardCharsets.UTF_8);
            default -> String.valueOf(r.getObject(c));
        };
    }
}
