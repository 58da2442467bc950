package dev.larder.kafka;

import dev.larder.store.FeatureSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * How a topic's record values encode a row: JSON objects ({@link #JSON}) or Avro records with a configured writer
 * schema ({@link #avro}), or with an embedded schema reference resolved against configured schemas: Avro's
 * single-object encoding ({@link #avroSingleObject}) or Confluent's wire format ({@link #avroConfluent}). In every
 * format field names are the table's column names (see {@link JsonRowDecoder} and {@link AvroRowDecoder} for the types
 * each column takes). Immutable.
 */
public final class KafkaValues {
    /** One flat JSON object per value, with the table's column names. */
    public static final KafkaValues JSON = new KafkaValues(null, Map.of());

    private final AvroRowDecoder.Framing framing;
    private final Map<Integer, Schema> schemas;

    private KafkaValues(AvroRowDecoder.Framing framing, Map<Integer, Schema> schemas) {
        this.framing = framing;
        this.schemas = schemas;
    }

    /** Values that are the binary datum of {@code writerSchema}, a record, with nothing before it. */
    public static KafkaValues avro(Schema writerSchema) {
        return new KafkaValues(AvroRowDecoder.Framing.RAW, Map.of(0, Objects.requireNonNull(writerSchema)));
    }

    /**
     * Values in Avro's single-object encoding ({@code C3 01}, the writer schema's CRC-64-AVRO fingerprint, the datum),
     * the writer schema being one of {@code writerSchemas}; a value naming another fingerprint stops its partition.
     */
    public static KafkaValues avroSingleObject(Collection<Schema> writerSchemas) {
        Map<Integer, Schema> m = new LinkedHashMap<>();
        for (Schema s : writerSchemas) {
            m.put(m.size(), Objects.requireNonNull(s));
        }
        return new KafkaValues(AvroRowDecoder.Framing.SINGLE_OBJECT, Map.copyOf(m));
    }

    /**
     * Values in Confluent's wire format (a zero byte, a 4-byte schema id, the datum), the writer schema of each id
     * given here (no schema registry is asked); a value naming another id stops its partition.
     */
    public static KafkaValues avroConfluent(Map<Integer, Schema> writerSchemasById) {
        return new KafkaValues(AvroRowDecoder.Framing.CONFLUENT, Map.copyOf(writerSchemasById));
    }

    /**
     * An Avro schema from its JSON text, or from the file {@code jsonOrFile} names (an {@code .avsc}).
     *
     * @throws IllegalArgumentException naming the file or text that does not parse
     */
    public static Schema schema(String jsonOrFile) {
        String text = jsonOrFile.strip();
        String where = "Avro schema";
        if (!text.startsWith("{") && !text.startsWith("\"") && !text.startsWith("[")) {
            Path file = Path.of(text);
            where = "Avro schema file " + file;
            try {
                text = java.nio.file.Files.readString(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + where, e);
            }
        }
        try {
            return new Schema.Parser().parse(text);
        } catch (SchemaParseException e) {
            throw new IllegalArgumentException(where + " does not parse: " + e.getMessage(), e);
        }
    }

    /**
     * The value format a command line names: {@code json} (no schemas); {@code avro} (one writer schema, raw datums);
     * {@code avro-single-object} (one or more schemas); {@code avro-confluent} (schemas as {@code ID=SCHEMA}). Each
     * schema is JSON text or a file, as {@link #schema(String)} reads them.
     *
     * @throws IllegalArgumentException naming the format or schema that does not fit
     */
    public static KafkaValues parse(String format, List<String> schemas) {
        String f = format == null ? "json" : format.strip();
        List<String> given = schemas == null ? List.of() : schemas;
        if (f.equals("json")) {
            if (!given.isEmpty()) {
                throw new IllegalArgumentException("JSON values take no Avro schema (got " + given + ")");
            }
            return JSON;
        }
        if (given.isEmpty()) {
            throw new IllegalArgumentException("value format " + f + " needs its writer schema(s): --avro-schema");
        }
        return switch (f) {
            case "avro" -> {
                if (given.size() != 1) {
                    throw new IllegalArgumentException("value format avro takes one writer schema, not "
                            + given.size() + " (several: avro-single-object or avro-confluent)");
                }
                yield avro(schema(given.get(0)));
            }
            case "avro-single-object" -> avroSingleObject(given.stream().map(KafkaValues::schema).toList());
            case "avro-confluent" -> {
                Map<Integer, Schema> byId = new LinkedHashMap<>();
                for (String g : given) {
                    int eq = g.indexOf('=');
                    try {
                        int id = Integer.parseInt(g.substring(0, Math.max(eq, 0)).strip());
                        byId.put(id, schema(g.substring(eq + 1)));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("value format avro-confluent takes schemas as ID=SCHEMA,"
                                + " not '" + g + "'", e);
                    }
                }
                yield avroConfluent(byId);
            }
            default -> throw new IllegalArgumentException("value format '" + f + "' is not json, avro,"
                    + " avro-single-object or avro-confluent");
        };
    }

    /** Whether values are Avro. */
    public boolean isAvro() {
        return framing != null;
    }

    /** The configured writer schemas (none for JSON). */
    public List<Schema> schemas() {
        return List.copyOf(schemas.values());
    }

    /** A decoder of values into rows of {@code table}; refuses, naming why, a table or schema that cannot match. */
    RowDecoder decoder(FeatureSchema table) {
        return framing == null ? new JsonRowDecoder(table) : new AvroRowDecoder(table, framing, schemas);
    }

    @Override
    public String toString() {
        return framing == null ? "json" : "avro " + framing.name().toLowerCase(java.util.Locale.ROOT) + " "
                + schemas.keySet();
    }
}
