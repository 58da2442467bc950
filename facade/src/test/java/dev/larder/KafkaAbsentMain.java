package dev.larder;

import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Run by {@link KafkaOptionalTest} on a class path without larder-kafka and kafka-clients: follows a Delta table, then
 * declares a Kafka source in code and in a definition file, printing what each does. Args: a scratch directory.
 */
public final class KafkaAbsentMain {
    private KafkaAbsentMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path delta = dir.resolve("users");
        DeltaTableGenerator.generate(GeneratorSpec.builder().rows(100).numericFeatures(1).float32Features(0).commits(0)
                .rowsPerFile(100).build(), delta);
        try (Larder larder = Larder.builder(dir.resolve("store"))
                .follow("users", Source.delta(delta.toString()).key("entity_id")).open()) {
            System.out.println("delta ready: " + larder.awaitReady(Duration.ofSeconds(60)) + ", rows "
                    + larder.table("users").size());
        }
        try {
            Larder.builder(dir.resolve("store")).follow("clicks", Source.kafka("127.0.0.1:9", "clicks").key("id")
                    .schema("id int64, clicks int64")).open().close();
            System.out.println("kafka in code: opened");
        } catch (IllegalStateException e) {
            System.out.println("kafka in code: " + e.getMessage());
        }
        Path file = dir.resolve("features.yaml");
        Files.writeString(file, "store: " + dir.resolve("store") + "\ntables:\n  clicks:\n"
                + "    kafka: {bootstrap: '127.0.0.1:9', topic: clicks, schema: 'id int64, clicks int64'}\n"
                + "    key: id\n");
        try {
            Larder.fromDefinition(file).close();
            System.out.println("kafka in a definition: opened");
        } catch (DefinitionException e) {
            System.out.println("kafka in a definition: " + e.problems());
        }
    }
}
