package dev.larder.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.store.FeatureSchema;
import dev.larder.store.RowBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonRowDecoderTest {
    private static final FeatureSchema SCHEMA = KafkaFeed.schema(
            "id string, clicks int32, score float64, ratio float32, name string, day date, at timestamp,"
                    + " price decimal(10,2), emb float32_array(3), flag boolean, extra opaque(64)", "id");

    private static RowBuffer decode(String key, String json) {
        JsonRowDecoder d = new JsonRowDecoder(SCHEMA);
        RowBuffer row = new RowBuffer(SCHEMA).clear();
        d.key(key.getBytes(StandardCharsets.UTF_8), row);
        d.value(json.getBytes(StandardCharsets.UTF_8), row);
        return row;
    }

    @Test
    void decodesEveryTypeByColumnName() {
        RowBuffer r = decode("u1", "{\"clicks\": -42, \"score\": 0.1, \"ratio\": 2.5e-1, \"name\": \"a\\\"b\\u00e9\","
                + " \"day\": \"2026-01-02\", \"at\": \"1970-01-01T00:00:01.5Z\", \"price\": 12.34,"
                + " \"emb\": [1, 2.5, -3], \"flag\": true, \"extra\": {\"x\": [1, \"y\"]}, \"id\": \"u1\"}");
        assertEquals("u1", r.getString(SCHEMA.indexOf("id")));
        assertEquals(-42, r.getLong(SCHEMA.indexOf("clicks")));
        assertEquals(0.1, r.getDouble(SCHEMA.indexOf("score")));
        assertEquals(0.25f, r.getFloat(SCHEMA.indexOf("ratio")));
        assertEquals("a\"b\u00e9", r.getString(SCHEMA.indexOf("name")));
        assertEquals(20455, r.getLong(SCHEMA.indexOf("day")));
        assertEquals(1_500_000, r.getLong(SCHEMA.indexOf("at")));
        assertEquals("12.34", r.getDecimal(SCHEMA.indexOf("price")).toPlainString());
        assertEquals("{\"x\": [1, \"y\"]}", new String(r.getBytes(SCHEMA.indexOf("extra")), StandardCharsets.UTF_8));
        float[] emb = new float[3];
        r.getFloatArray(SCHEMA.indexOf("emb"), emb, 0);
        assertArrayEquals(new float[] {1f, 2.5f, -3f}, emb);
        assertTrue(r.getBoolean(SCHEMA.indexOf("flag")));
    }

    @Test
    void missingAndNullFieldsAreNull() {
        RowBuffer r = decode("u2", "{\"clicks\": null}");
        assertTrue(r.isNull(SCHEMA.indexOf("clicks")));
        assertTrue(r.isNull(SCHEMA.indexOf("score")));
    }

    @Test
    void doublesRoundLikeParseDouble() {
        for (String s : new String[] {"0.3", "123456.789", "-0.000001", "9007199254740993", "1.7976931348623157e308",
            "3.14159265358979", "0.1234567890123456789"}) {
            RowBuffer r = decode("k", "{\"score\": " + s + "}");
            assertEquals(Double.parseDouble(s), r.getDouble(SCHEMA.indexOf("score")), s);
        }
    }

    @Test
    void refusalsSayWhatAndWhere() {
        assertMessage("unknown column 'nope'", "{\"nope\": 1}");
        assertMessage("column clicks (int32): expected an integer", "{\"clicks\": \"x\"}");
        assertMessage("out of range for column clicks", "{\"clicks\": 9999999999}");
        assertMessage("expected an integer, not a fraction", "{\"clicks\": 1.5}");
        assertMessage("expected '{'", "not json");
        assertMessage("unexpected end of the value", "{\"clicks\": 1");
        assertMessage("differs from the record key", "{\"id\": \"other\"}");
        assertMessage("needs 3 floats", "{\"emb\": [1, 2]}");
        JsonRowDecoder ints = new JsonRowDecoder(KafkaFeed.schema("id int64, x int32", "id"));
        RowBuffer row = new RowBuffer(KafkaFeed.schema("id int64, x int32", "id")).clear();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ints.key("12a".getBytes(StandardCharsets.UTF_8), row));
        assertTrue(e.getMessage().contains("not the decimal text of an integer"), e.getMessage());
        ints.key("-17".getBytes(StandardCharsets.UTF_8), row);
        assertEquals(-17, row.getLong(0));
    }

    private static void assertMessage(String expected, String json) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> decode("u1", json));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
