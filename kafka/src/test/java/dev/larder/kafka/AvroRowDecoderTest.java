package dev.larder.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.store.FeatureSchema;
import dev.larder.store.RowBuffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Avro values decoded into rows, encoded by Avro's own writers (datum, single-object) and in Confluent's framing. */
class AvroRowDecoderTest {
    private static final FeatureSchema TABLE = KafkaFeed.schema(
            "id string, clicks int32, score float64, ratio float32, name string, day date, at timestamp,"
                    + " price decimal(10,2), emb float32_array(3), flag boolean, raw binary, kind string", "id");

    static final Schema V1 = KafkaValues.schema("""
            {"type": "record", "name": "Click", "namespace": "test", "fields": [
              {"name": "clicks", "type": "int"},
              {"name": "score", "type": ["null", "double"], "default": null},
              {"name": "ratio", "type": "float"},
              {"name": "name", "type": "string"},
              {"name": "day", "type": {"type": "int", "logicalType": "date"}},
              {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
              {"name": "emb", "type": {"type": "array", "items": "float"}},
              {"name": "flag", "type": "boolean"},
              {"name": "raw", "type": {"type": "fixed", "name": "Raw", "size": 2}},
              {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["A", "B"]}},
              {"name": "id", "type": "string"}
            ]}""");
    /** A later version of the writer: fewer fields, clicks now a long. */
    static final Schema V2 = KafkaValues.schema("""
            {"type": "record", "name": "Click", "namespace": "test", "fields": [
              {"name": "clicks", "type": "long"},
              {"name": "name", "type": ["null", "string"]}
            ]}""");

    @TempDir
    Path dir;

    static GenericRecord v1(long clicks) {
        GenericRecord r = new GenericData.Record(V1);
        r.put("clicks", (int) clicks);
        r.put("score", 0.5);
        r.put("ratio", 0.25f);
        r.put("name", "n" + clicks);
        r.put("day", 20455);
        r.put("at", 1500L);
        r.put("price", new Conversions.DecimalConversion().toBytes(new BigDecimal("12.34"),
                V1.getField("price").schema(), LogicalTypes.decimal(10, 2)));
        r.put("emb", List.of(1f, 2.5f, -3f));
        r.put("flag", true);
        r.put("raw", new GenericData.Fixed(V1.getField("raw").schema(), new byte[] {7, 8}));
        r.put("kind", new GenericData.EnumSymbol(V1.getField("kind").schema(), "B"));
        r.put("id", "u1");
        return r;
    }

    static byte[] datum(GenericRecord r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder e = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(r.getSchema()).write(r, e);
        e.flush();
        return out.toByteArray();
    }

    static byte[] singleObject(GenericRecord r) throws IOException {
        ByteBuffer b = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), r.getSchema()).encode(r);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    static byte[] confluent(int id, GenericRecord r) throws IOException {
        byte[] d = datum(r);
        return ByteBuffer.allocate(5 + d.length).put((byte) 0).putInt(id).put(d).array();
    }

    private static RowBuffer decode(RowDecoder d, String key, byte[] value) {
        RowBuffer row = new RowBuffer(TABLE).clear();
        d.key(key.getBytes(StandardCharsets.UTF_8), row);
        d.value(value, row);
        return row;
    }

    private static void assertV1(RowBuffer r) {
        assertEquals("u1", r.getString(TABLE.indexOf("id")));
        assertEquals(-42, r.getLong(TABLE.indexOf("clicks")));
        assertEquals(0.5, r.getDouble(TABLE.indexOf("score")));
        assertEquals(0.25f, r.getFloat(TABLE.indexOf("ratio")));
        assertEquals("n-42", r.getString(TABLE.indexOf("name")));
        assertEquals(20455, r.getLong(TABLE.indexOf("day")));
        assertEquals(1_500_000, r.getLong(TABLE.indexOf("at")), "timestamp-millis as microseconds");
        assertEquals("12.34", r.getDecimal(TABLE.indexOf("price")).toPlainString());
        float[] emb = new float[3];
        r.getFloatArray(TABLE.indexOf("emb"), emb, 0);
        assertArrayEquals(new float[] {1f, 2.5f, -3f}, emb);
        assertTrue(r.getBoolean(TABLE.indexOf("flag")));
        assertArrayEquals(new byte[] {7, 8}, r.getBytes(TABLE.indexOf("raw")));
        assertEquals("B", r.getString(TABLE.indexOf("kind")));
    }

    @Test
    void aConfiguredWriterSchemaDecodesEveryTypeByFieldName() throws IOException {
        RowDecoder d = KafkaValues.avro(V1).decoder(TABLE);
        assertV1(decode(d, "u1", datum(v1(-42))));
        // The decoder, its records and strings are reused: a second value decodes as cleanly.
        RowBuffer again = decode(d, "u1", datum(v1(7)));
        assertEquals(7, again.getLong(TABLE.indexOf("clicks")));
        assertEquals("n7", again.getString(TABLE.indexOf("name")));
    }

    @Test
    void singleObjectValuesPickTheirSchemaByFingerprint() throws IOException {
        RowDecoder d = KafkaValues.avroSingleObject(List.of(V1, V2)).decoder(TABLE);
        assertV1(decode(d, "u1", singleObject(v1(-42))));
        GenericRecord two = new GenericData.Record(V2);
        two.put("clicks", 5L);
        two.put("name", null);
        RowBuffer r = decode(d, "u9", singleObject(two));
        assertEquals(5, r.getLong(TABLE.indexOf("clicks")));
        assertTrue(r.isNull(TABLE.indexOf("name")));
        assertTrue(r.isNull(TABLE.indexOf("score")), "a column no field names is null");
        RowDecoder onlyV2 = KafkaValues.avroSingleObject(List.of(V2)).decoder(TABLE);
        assertMessage(onlyV2, singleObject(v1(1)), "is not among the configured schemas'");
        assertMessage(onlyV2, datum(two), "not Avro single-object encoding");
    }

    @Test
    void confluentValuesPickTheirSchemaById() throws IOException {
        RowDecoder d = KafkaValues.avroConfluent(Map.of(3, V1, 4, V2)).decoder(TABLE);
        assertV1(decode(d, "u1", confluent(3, v1(-42))));
        GenericRecord two = new GenericData.Record(V2);
        two.put("clicks", 6L);
        two.put("name", "x");
        assertEquals(6, decode(d, "u2", confluent(4, two)).getLong(TABLE.indexOf("clicks")));
        assertMessage(d, confluent(5, two), "schema id 5 is not among the configured schemas'");
        assertMessage(d, datum(two), "not Confluent's Avro wire format");
    }

    @Test
    void refusalsSayWhatAndWhere() throws IOException {
        RowDecoder d = KafkaValues.avro(V2).decoder(TABLE);
        GenericRecord big = new GenericData.Record(V2);
        big.put("clicks", 9_999_999_999L);
        big.put("name", "x");
        assertMessage(d, datum(big), "field clicks (int32): value 9999999999 out of range");
        byte[] whole = datum(big);
        assertMessage(d, java.util.Arrays.copyOf(whole, 2), "not a datum of Avro schema test.Click");
        byte[] longer = java.util.Arrays.copyOf(whole, whole.length + 1);
        assertMessage(d, longer, "trailing bytes after the datum");
        assertMessage(KafkaValues.avro(V1).decoder(TABLE), datum(v1(1)), "key column id in the value differs");
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> KafkaValues.avro(
                KafkaValues.schema("{\"type\": \"record\", \"name\": \"X\", \"fields\": [{\"name\": \"nope\","
                        + " \"type\": \"int\"}]}")).decoder(TABLE));
        assertTrue(unknown.getMessage().contains("field nope of Avro schema X is not a column"), unknown.getMessage());
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class, () -> KafkaValues.avro(
                KafkaValues.schema("{\"type\": \"record\", \"name\": \"X\", \"fields\": [{\"name\": \"flag\","
                        + " \"type\": \"string\"}]}")).decoder(TABLE));
        assertTrue(type.getMessage().contains("field flag of Avro schema X is \"string\", which column flag"
                + " (boolean) cannot take"), type.getMessage());
    }

    @Test
    void schemasComeFromTextOrFiles() throws IOException {
        Path avsc = dir.resolve("click.avsc");
        Files.writeString(avsc, V2.toString());
        assertEquals(V2, KafkaValues.schema(avsc.toString()));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> KafkaValues.schema("{\"type\": \"nonsense\"}"));
        assertTrue(bad.getMessage().startsWith("Avro schema does not parse"), bad.getMessage());
    }

    @Test
    void aCommandLineNamesTheFormatAndItsSchemas() throws IOException {
        Path v1 = dir.resolve("v1.avsc");
        Path v2 = dir.resolve("v2.avsc");
        Files.writeString(v1, V1.toString());
        Files.writeString(v2, V2.toString());
        assertEquals(KafkaValues.JSON, KafkaValues.parse(null, null));
        assertEquals(List.of(V1), KafkaValues.parse("avro", List.of(v1.toString())).schemas());
        assertV1(decode(KafkaValues.parse("avro-single-object", List.of(v1.toString(), v2.toString()))
                .decoder(TABLE), "u1", singleObject(v1(-42))));
        assertV1(decode(KafkaValues.parse("avro-confluent", List.of("7=" + v1, "8=" + v2)).decoder(TABLE), "u1",
                confluent(7, v1(-42))));
        for (String[] bad : new String[][] {{"avro", ""}, {"json", v1.toString()}, {"xml", v1.toString()},
            {"avro-confluent", v1.toString()}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KafkaValues.parse(bad[0],
                    bad[1].isEmpty() ? List.of() : List.of(bad[1])));
            assertTrue(e.getMessage().contains(bad[0]) || e.getMessage().contains("JSON"), e.getMessage());
        }
    }

    private static void assertMessage(RowDecoder d, byte[] value, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> decode(d, "u2", value));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
