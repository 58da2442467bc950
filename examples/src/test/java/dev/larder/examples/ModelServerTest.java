package dev.larder.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.Larder;
import dev.larder.snapshot.DeltaSource;
import dev.larder.snapshot.generate.DeltaTableGenerator;
import dev.larder.snapshot.generate.GeneratorSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model server over a generated Delta table: vectors over HTTP equal the Delta table's values, defaults elsewhere. */
class ModelServerTest {
    @TempDir
    Path dir;

    @Test
    void servesDeclaredVectorsOverHttp() throws Exception {
        Path users = dir.resolve("users");
        DeltaTableGenerator.generate(GeneratorSpec.builder().rows(200).numericFeatures(2).float32Features(0).commits(0)
                .rowsPerFile(200).build(), users);
        Map<Long, Double> f1 = new HashMap<>();
        DeltaSource src = DeltaSource.open(users.toString());
        int key = src.schema(0).indexOf(GeneratorSpec.KEY_COLUMN);
        int col = src.schema(0).indexOf("f_1");
        src.scan(0, r -> f1.put(r.getLong(key), r.getDouble(col)));
        Path definition = dir.resolve("features.yaml");
        Files.writeString(definition, """
                store: %s
                tables:
                  users: {delta: %s, key: entity_id}
                vectors:
                  ranker:
                    - {feature: users.f_1, default: -1}
                """.formatted(dir.resolve("store"), users));
        HttpClient http = HttpClient.newHttpClient();
        try (ModelServer server = ModelServer.start(definition, 0, Duration.ofMinutes(2))) {
            String base = "http://127.0.0.1:" + server.port();
            HttpResponse<String> found = http.send(HttpRequest.newBuilder(URI.create(base + "/vectors/ranker/17")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, found.statusCode());
            assertEquals("{\"vector\":\"ranker\",\"key\":17,\"features\":{\"users.f_1\":" + f1.get(17L)
                    + "},\"statuses\":{\"users.f_1\":\"FOUND\"}}", found.body());
            HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(base + "/vectors/ranker/99999")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(missing.body().contains("\"users.f_1\":-1.0") && missing.body().contains("NOT_FOUND"), missing.body());
            assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(base + "/vectors/nope/1")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(400, http.send(HttpRequest.newBuilder(URI.create(base + "/vectors/ranker/abc")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
        }
        // Closed cleanly: the store opens again at once.
        try (Larder again = Larder.open(dir.resolve("store"))) {
            assertEquals(200, again.table("users").size());
        }
    }
}
