package dev.larder.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.larder.Larder;
import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import dev.larder.tools.generate.TableState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model server over a generated Delta table: vectors over HTTP equal the Delta table's values, defaults elsewhere;
 * every answer is strict JSON; hostile connections do not stop it serving.
 */
class ModelServerTest {
    /** Strict: no NaN tokens, no raw control characters in strings, nothing after the value. */
    private static final ObjectMapper JSON = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    /** Bounds a request that would otherwise hang the test; never reached when the server works. */
    private static final Duration NO_ANSWER = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    Path users;
    final Map<Long, Double> f1 = new HashMap<>();
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void generateTable() throws IOException {
        users = dir.resolve("users");
        GeneratorSpec spec = GeneratorSpec.builder().rows(200).numericFeatures(2).float32Features(0).commits(0)
                .rowsPerFile(200).build();
        DeltaTableGenerator.generate(spec, users);
        // The generator computes any cell of any version without reading the table: the expected f_1 of each key.
        TableState state = spec.stateAt(0);
        for (long key : state.liveKeys()) {
            f1.put(key, state.numericValue(key, 1));
        }
    }

    private Path definition(String table, String vectors) throws IOException {
        Path definition = dir.resolve("features.yaml");
        Files.writeString(definition, """
                store: %s
                poll_interval: 10ms
                tables:
                  users: {delta: %s, key: entity_id%s}
                vectors:
                %s""".formatted(dir.resolve("store"), users, table, vectors));
        return definition;
    }

    private HttpResponse<String> get(ModelServer server, String path) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + server.port() + path);
        return http.send(HttpRequest.newBuilder(uri).timeout(NO_ANSWER).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The body parsed by a strict JSON parser: fails the test on anything RFC 8259 does not allow. */
    private static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    @Test
    void servesDeclaredVectorsOverHttp() throws Exception {
        Path definition = definition("", "  ranker:\n    - {feature: users.f_1, default: -1}\n");
        try (ModelServer server = ModelServer.start(definition, 0, Duration.ofMinutes(2))) {
            HttpResponse<String> found = get(server, "/vectors/ranker/17");
            assertEquals(200, found.statusCode());
            assertEquals("{\"vector\":\"ranker\",\"key\":17,\"features\":{\"users.f_1\":" + f1.get(17L)
                    + "},\"statuses\":{\"users.f_1\":\"FOUND\"}}", found.body());
            HttpResponse<String> missing = get(server, "/vectors/ranker/99999");
            assertEquals(-1.0, json(missing).get("features").get("users.f_1").doubleValue(), missing.body());
            assertEquals("NOT_FOUND", json(missing).get("statuses").get("users.f_1").textValue(), missing.body());
            assertEquals(404, get(server, "/vectors/nope/1").statusCode());
            assertEquals(400, get(server, "/vectors/ranker/abc").statusCode());
            HttpResponse<String> health = get(server, "/health");
            assertEquals(200, health.statusCode());
            assertEquals("{\"healthy\":true,\"unhealthy\":[]}", health.body());
        }
        // Closed cleanly: the store opens again at once.
        try (Larder again = Larder.open(dir.resolve("store"))) {
            assertEquals(200, again.table("users").size());
        }
    }

    /**
     * Names with control characters, keys with a backslash or a newline and a NaN default: every answer, error or not,
     * is valid JSON; a value JSON cannot hold (NaN, infinities) is null, its status still saying where it came from.
     */
    @Test
    void everyAnswerIsValidJson() throws Exception {
        Path definition = definition("", """
                  "tab\\there":
                    - {feature: users.f_1, default: NaN}
                """);
        try (ModelServer server = ModelServer.start(definition, 0, Duration.ofMinutes(2))) {
            HttpResponse<String> missing = get(server, "/vectors/tab%09here/99999");
            assertEquals(200, missing.statusCode(), missing.body());
            JsonNode m = json(missing);
            assertEquals("tab\there", m.get("vector").textValue());
            assertTrue(m.get("features").get("users.f_1").isNull(), missing.body());
            assertEquals("NOT_FOUND", m.get("statuses").get("users.f_1").textValue());
            JsonNode found = json(get(server, "/vectors/tab%09here/17"));
            assertEquals(f1.get(17L), found.get("features").get("users.f_1").doubleValue());
            HttpResponse<String> badKey = get(server, "/vectors/tab%09here/a%5Cb%0A%22c%22");
            assertEquals(400, badKey.statusCode());
            assertTrue(json(badKey).get("error").textValue().endsWith("a\\b\n\"c\""), badKey.body());
            HttpResponse<String> unknown = get(server, "/vectors/no%01pe%5C/1");
            assertEquals(404, unknown.statusCode());
            assertTrue(json(unknown).get("error").textValue().contains("no\u0001pe\\"), unknown.body());
        }
    }

    /** An unhealthy table is named in /health with its state, staleness, versions and the error that stopped it. */
    @Test
    void healthNamesTheUnhealthyTableAndWhy() throws Exception {
        Path definition = definition(", max_staleness: 1ms", "  ranker: [users.f_1]\n");
        try (ModelServer server = ModelServer.start(definition, 0, Duration.ofMinutes(2))) {
            Path broken = users.resolve("_delta_log").resolve(String.format("%020d.json", 1));
            Files.writeString(broken, "not json\n");
            long deadline = System.nanoTime() + NO_ANSWER.toNanos();
            while (true) {
                HttpResponse<String> health = get(server, "/health");
                JsonNode h = json(health);
                if (health.statusCode() == 503 && h.get("unhealthy").size() == 1
                        && !h.get("unhealthy").get(0).get("lastError").isNull()) {
                    assertEquals(false, h.get("healthy").booleanValue());
                    JsonNode t = h.get("unhealthy").get(0);
                    assertEquals("users", t.get("table").textValue(), health.body());
                    assertEquals("FAILING", t.get("state").textValue(), health.body());
                    assertEquals(0, t.get("watermark").longValue(), health.body());
                    assertTrue(t.get("stalenessMillis").longValue() >= 0, health.body());
                    assertTrue(t.get("consecutiveFailures").intValue() >= 1, health.body());
                    assertTrue(t.get("lastError").textValue().contains("version 1"), health.body());
                    break;
                }
                if (System.nanoTime() > deadline) {
                    fail("no unhealthy table with its error in /health: " + health.body());
                }
                Thread.sleep(20);
            }
        }
    }

    /**
     * Connections that send half a request (more than the server has request threads) hold no thread that /health and
     * /vectors need, and the server closes them once its request time has passed.
     */
    @Test
    void halfRequestsNeitherBlockServingNorStayOpen() throws Exception {
        Path definition = definition("", "  ranker: [users.f_1]\n");
        try (ModelServer server = ModelServer.start(definition, 0, Duration.ofMinutes(2))) {
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 64; i++) {
                    Socket s = new Socket("127.0.0.1", server.port());
                    OutputStream out = s.getOutputStream();
                    String half = i % 2 == 0 ? "GET /health HTTP/1.1\r\nHost: x\r\n"
                            : "POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{";
                    out.write(half.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    slow.add(s);
                }
                assertEquals(200, get(server, "/health").statusCode());
                JsonNode vector = json(get(server, "/vectors/ranker/17"));
                assertEquals(f1.get(17L), vector.get("features").get("users.f_1").doubleValue());
                for (int i = 0; i < slow.size(); i++) {
                    slow.get(i).setSoTimeout((int) NO_ANSWER.toMillis() * 2);
                    long answered = bytesUntilClosed(slow.get(i).getInputStream());
                    // A request with half its headers is never answered; one with half its body may be (the handlers do
                    // not read bodies), and its connection is closed all the same.
                    assertTrue(i % 2 == 1 || answered == 0, "a request with half its headers was answered");
                }
            } finally {
                for (Socket s : slow) {
                    s.close();
                }
            }
        }
    }

    /** Reads until the server closes the connection (end of stream or reset); how many bytes it sent first. */
    private static long bytesUntilClosed(InputStream in) throws IOException {
        long n = 0;
        try {
            while (in.read() != -1) {
                n++;
            }
        } catch (SocketException reset) {
            // Closed by the server with unread request bytes: a reset is its way of ending the connection.
        }
        return n;
    }

    @Test
    void bindsLoopbackUnlessToldOtherwise() throws Exception {
        Path definition = definition("", "  ranker: [users.f_1]\n");
        try (ModelServer server = ModelServer.start(definition, 0, Duration.ofMinutes(2))) {
            assertTrue(server.address().getAddress().isLoopbackAddress(), server.address().toString());
        }
        assertEquals(new InetSocketAddress("127.0.0.1", 8080), ModelServer.bindAddress("127.0.0.1:8080"));
        assertEquals(new InetSocketAddress("::1", 0), ModelServer.bindAddress("[::1]:0"));
        assertEquals(new InetSocketAddress("0.0.0.0", 80), ModelServer.bindAddress("0.0.0.0:80"));
        for (String bad : List.of("8080", "host:", ":80", "host:port", "host:70000", "::1:80")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ModelServer.bindAddress(bad));
            assertTrue(e.getMessage().contains("--bind") && e.getMessage().contains(bad), e.getMessage());
        }
    }
}
