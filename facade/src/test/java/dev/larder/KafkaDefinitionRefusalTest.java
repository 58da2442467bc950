package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka sources in definition files written wrongly: each refused as {@code FILE:LINE: what} before the store
 * directory exists; and the builder's refusals of a Kafka source in code. No broker: nothing is asked of one before
 * the source is found sound.
 */
class KafkaDefinitionRefusalTest {
    @TempDir
    Path dir;

    private List<String> refused(String... lines) throws Exception {
        Path store = dir.resolve("store");
        Path file = dir.resolve("features.yaml");
        Files.writeString(file, "store: " + store + "\ntables:\n" + String.join("\n", lines) + "\n");
        DefinitionException e = assertThrows(DefinitionException.class, () -> Larder.fromDefinition(file));
        assertTrue(Files.notExists(store), "nothing is created: " + e.problems());
        return e.problems().stream().map(p -> p.substring(file.toString().length() + 1)).toList();
    }

    @Test
    void aKafkaSourceNeedsItsTopicAndNoOtherSource() throws Exception {
        assertEquals(List.of("5: table clicks: kafka needs bootstrap and topic (e.g. kafka: {bootstrap: broker:9092,"
                + " topic: clicks, schema: 'user_id int64, clicks int64'})"), refused(
                "  clicks:",
                "    kafka:",
                "      bootstrap: 127.0.0.1:9",
                "    key: id"));
        assertEquals(List.of("3: table clicks: give its source as 'delta: PATH', 'unity_catalog: NAME' or 'kafka:"
                + " {bootstrap: HOST:PORT, topic: T, schema: ...}', not delta and kafka"), refused(
                "  clicks:",
                "    delta: /tmp/clicks",
                "    kafka: {bootstrap: 127.0.0.1:9, topic: clicks, schema: 'id int64'}",
                "    key: id"));
        assertEquals(List.of("5: table clicks kafka: unknown key 'group' (expected one of avro_schemas, bootstrap,"
                + " schema, topic, values)"),
                refused(
                "  clicks:",
                "    kafka: {bootstrap: 127.0.0.1:9, topic: clicks, schema: 'id int64',",
                "      group: g}",
                "    key: id"));
    }

    @Test
    void aValueFormatMustBeOneThatDecodesRows() throws Exception {
        assertEquals(List.of("7: table clicks from kafka://127.0.0.1:9/clicks: value format 'protobuf' is not json,"
                + " avro, avro-single-object or avro-confluent"), refused(
                "  clicks:",
                "    kafka:",
                "      bootstrap: 127.0.0.1:9",
                "      topic: clicks",
                "      schema: 'id int64, clicks int64'",
                "      values: protobuf",
                "      avro_schemas: [clicks.avsc]",
                "    key: id"));
        Path avsc = dir.resolve("clicks.avsc");
        Files.writeString(avsc, "{\"type\": \"record\", \"name\": \"Click\", \"fields\": [{\"name\": \"clicks\","
                + " \"type\": \"string\"}]}");
        List<String> wrongType = refused(
                "  clicks:",
                "    kafka:",
                "      bootstrap: 127.0.0.1:9",
                "      topic: clicks",
                "      schema: 'id int64, clicks int64'",
                "      values: avro",
                "      avro_schemas: [" + avsc + "]",
                "    key: id");
        assertEquals(1, wrongType.size(), wrongType.toString());
        assertTrue(wrongType.get(0).startsWith("7: table clicks from kafka://127.0.0.1:9/clicks: ")
                && wrongType.get(0).contains("clicks"), wrongType.get(0));
    }

    @Test
    void aKafkaFedTableTakesOneKeyAndAValidSchemaAtTheirLines() throws Exception {
        assertEquals(List.of("8: table clicks: a Kafka-fed table has one key column (the record key), not [id, day]"),
                refused(
                "  clicks:",
                "    kafka:",
                "      bootstrap: 127.0.0.1:9",
                "      topic: clicks",
                "      schema: 'id int64, day int32'",
                "    key: [id, day]"));
        List<String> bad = refused(
                "  clicks:",
                "    kafka:",
                "      bootstrap: 127.0.0.1:9",
                "      topic: clicks",
                "      schema: 'id int64, clicks integer'",
                "    key: id");
        assertEquals(1, bad.size(), bad.toString());
        assertTrue(bad.get(0).startsWith("7: table clicks from kafka://127.0.0.1:9/clicks: ")
                && bad.get(0).contains("integer"), bad.get(0));
        assertEquals(List.of("7: table clicks from kafka://127.0.0.1:9/clicks: schema 'id int64, clicks int64' has"
                + " no column user (the key)"), refused(
                "  clicks:",
                "    kafka:",
                "      bootstrap: 127.0.0.1:9",
                "      topic: clicks",
                "      schema: 'id int64, clicks int64'",
                "    key: user"));
    }

    @Test
    void whatOnlyADeltaTableTakesIsRefusedAtItsLine() throws Exception {
        assertEquals(List.of(
                "6: table clicks: a Kafka-fed table takes no columns (its schema gives the columns and their sizes,"
                        + " e.g. name string(32))",
                "7: table clicks: a Kafka-fed table takes no inline_bytes (its schema gives the columns and their"
                        + " sizes, e.g. name string(32))",
                "8: table clicks: shards of a Kafka-fed table take no column (a topic has no partition files to"
                        + " skip); give count and own"), refused(
                "  clicks:",
                "    kafka: {bootstrap: 127.0.0.1:9, topic: clicks, schema: 'id int64, clicks int64'}",
                "    key: id",
                "    columns: [clicks]",
                "    inline_bytes: 32",
                "    shards: {count: 4, own: [1], column: shard}"));
    }

    @Test
    void aNewKafkaFedTableNeedsItsSchema() throws Exception {
        assertEquals(List.of("4: table clicks from kafka://127.0.0.1:9/clicks is new: give its columns (schema 'NAME"
                + " TYPE, ...', the key id among them)"), refused(
                "  clicks:",
                "    kafka: {bootstrap: 127.0.0.1:9, topic: clicks}",
                "    key: id"));
    }

    @Test
    void theBuilderRefusesAKafkaSourceItCannotFollowBeforeCreatingTheStore() {
        Path store = dir.resolve("store");
        Source topic = Source.kafka("127.0.0.1:9", "clicks");
        IllegalArgumentException twoKeys = assertThrows(IllegalArgumentException.class, () -> Larder.builder(store)
                .follow("clicks", topic.key("id", "day").schema("id int64, day int32")).open());
        assertEquals("table clicks from kafka://127.0.0.1:9/clicks: a Kafka-fed table has one key column (the record"
                + " key), not [id, day]", twoKeys.getMessage());
        IllegalArgumentException column = assertThrows(IllegalArgumentException.class, () -> Larder.builder(store)
                .follow("clicks", topic.key("id").schema("id int64").shards(4, 1).shardColumn("shard")).open());
        assertEquals("table clicks from kafka://127.0.0.1:9/clicks: shards of a Kafka-fed table take no shard column"
                + " (a topic has no partition files to skip)", column.getMessage());
        IllegalArgumentException schema = assertThrows(IllegalArgumentException.class, () -> Larder.builder(store)
                .follow("clicks", topic.key("id").schema("id int64, clicks")).open());
        assertTrue(schema.getMessage().startsWith("table clicks from kafka://127.0.0.1:9/clicks: schema 'id int64,"
                + " clicks'"), schema.getMessage());
        assertThrows(IllegalStateException.class, () -> topic.columns("clicks"));
        assertThrows(IllegalStateException.class, () -> Source.delta("/tmp/t").schema("id int64"));
        assertTrue(Files.notExists(store));
    }
}
