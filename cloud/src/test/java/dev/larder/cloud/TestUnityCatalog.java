package dev.larder.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.larder.snapshot.CatalogCommits;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Unity Catalog on loopback (JDK HttpServer) answering the endpoints Larder calls, under
 * {@code /api/2.1/unity-catalog}, with the real request and answer shapes and error answers
 * ({@code {"error_code", "message"}}): {@code GET /tables/{full_name}}, {@code POST /temporary-table-credentials}
 * (session credentials from a {@link SessionTokenGate}, expiring after a lifetime the test sets) and
 * {@code GET /delta/preview/commits} (the staged commits of catalog-managed tables, up to a latest version the test
 * moves). Requests without the bearer token get 401; {@link #failNext} makes the next answers of an endpoint fail with
 * a given status (and body, Retry-After); a catalog can also page its commits ({@link #commitsPerPage}), answer each
 * page slowly ({@link #commitsDelayMillis}) or ignore {@code start_version}.
 */
public final class TestUnityCatalog implements AutoCloseable {
    public static final String TOKEN = "dapi-larder-test-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One table: where it lives and, when catalog-managed, its unpublished commits. */
    public static final class Table {
        final String fullName;
        public final String tableId = UUID.randomUUID().toString();
        final String storageLocation;
        final boolean catalogManaged;
        public final List<CatalogCommits.Commit> staged = new ArrayList<>();
        public final AtomicLong latestVersion = new AtomicLong(-1);

        Table(String fullName, String storageLocation, boolean catalogManaged) {
            this.fullName = fullName;
            this.storageLocation = storageLocation;
            this.catalogManaged = catalogManaged;
        }
    }

    /** An injected failure: the answer's status, content type, body and {@code Retry-After} (null: none). */
    private record Failure(int status, AtomicInteger remaining, String contentType, String body, String retryAfter) {
    }

    private final HttpServer server;
    private final SessionTokenGate gate;
    private final Map<String, Table> tables = new ConcurrentHashMap<>();
    private final Map<String, Failure> failures = new ConcurrentHashMap<>();
    final AtomicLong credentialRequests = new AtomicLong();
    /** The table id each vended access key id was issued for. */
    final Map<String, String> issuedFor = new ConcurrentHashMap<>();
    public volatile long credentialLifetimeMillis = 3_600_000;
    /**
     * Which cloud's credentials are vended: {@code aws} (from the gate), {@code azure} or {@code gcp} (numbered
     * tokens).
     */
    public volatile String vends = "aws";
    private final AtomicLong tokens = new AtomicLong();
    /** The most commits one page of {@code /delta/preview/commits} lists. */
    public volatile int commitsPerPage = Integer.MAX_VALUE;
    /** Answer every commits page from version 0, as a catalog ignoring {@code start_version} would. */
    public volatile boolean ignoreStartVersion;
    /** How long each answer of {@code /delta/preview/commits} takes, as a slow catalog's would. */
    public volatile long commitsDelayMillis;
    /** Requests per endpoint (path under the API base, up to its second slash: {@code /tables/}, ...). */
    public final Map<String, AtomicLong> requests = new ConcurrentHashMap<>();

    public TestUnityCatalog(SessionTokenGate gate) throws IOException {
        this.gate = gate;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(UnityCatalog.API_PATH + "/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    public String uri() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public Table add(String fullName, String storageLocation, boolean catalogManaged) {
        Table t = new Table(fullName, storageLocation, catalogManaged);
        tables.put(fullName, t);
        return t;
    }

    /**
     * The next {@code count} requests to the endpoint whose path (under the API base) starts with {@code path} fail.
     */
    public void failNext(String path, int status, int count) {
        failures.put(path, new Failure(status, new AtomicInteger(count), null, null, null));
    }

    /** As {@link #failNext(String, int, int)}, answering {@code body} as {@code contentType}, with a Retry-After. */
    public void failNext(String path, int status, int count, String contentType, String body, String retryAfter) {
        failures.put(path, new Failure(status, new AtomicInteger(count), contentType, body, retryAfter));
    }

    /** How many requests reached the endpoint {@code path}, e.g. {@code /temporary-table-credentials}. */
    public long requests(String path) {
        AtomicLong n = requests.get(path);
        return n == null ? 0 : n.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath().substring(UnityCatalog.API_PATH.length());
            int second = path.indexOf('/', 1);
            requests.computeIfAbsent(second < 0 ? path : path.substring(0, second + 1), p -> new AtomicLong())
                    .incrementAndGet();
            if (!("Bearer " + TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                error(ex, 401, "UNAUTHENTICATED", "Invalid access token.");
                return;
            }
            for (Map.Entry<String, Failure> f : failures.entrySet()) {
                Failure fail = f.getValue();
                if (path.startsWith(f.getKey()) && fail.remaining().getAndDecrement() > 0) {
                    if (fail.retryAfter() != null) {
                        ex.getResponseHeaders().set("Retry-After", fail.retryAfter());
                    }
                    if (fail.body() != null) {
                        byte[] bytes = fail.body().getBytes(StandardCharsets.UTF_8);
                        ex.getResponseHeaders().set("Content-Type", fail.contentType());
                        ex.sendResponseHeaders(fail.status(), bytes.length);
                        try (OutputStream out = ex.getResponseBody()) {
                            out.write(bytes);
                        }
                        return;
                    }
                    error(ex, fail.status(), fail.status() >= 500 ? "TEMPORARILY_UNAVAILABLE" : "INVALID_STATE",
                            "injected failure");
                    return;
                }
            }
            JsonNode body;
            try (InputStream in = ex.getRequestBody()) {
                byte[] bytes = in.readAllBytes();
                body = bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
            }
            String method = ex.getRequestMethod();
            if (method.equals("GET") && path.startsWith("/tables/")) {
                // A path keeps '+' literal (RFC 3986); URLDecoder's form decoding would read it as a space.
                String name = path.substring("/tables/".length()).replace("+", "%2B");
                table(ex, URLDecoder.decode(name, StandardCharsets.UTF_8));
            } else if (method.equals("POST") && path.equals("/temporary-table-credentials")) {
                credentials(ex, body);
            } else if (method.equals("GET") && path.equals("/delta/preview/commits")) {
                commits(ex, body);
            } else {
                error(ex, 404, "ENDPOINT_NOT_FOUND", "No such endpoint: " + method + " " + path);
            }
        }
    }

    private void table(HttpExchange ex, String name) throws IOException {
        Table t = tables.get(name);
        if (t == null) {
            error(ex, 404, "TABLE_DOES_NOT_EXIST", "Table '" + name + "' does not exist.");
            return;
        }
        String[] parts = name.split("\\.");
        ObjectNode n = JSON.createObjectNode().put("name", parts[2]).put("catalog_name", parts[0])
                .put("schema_name", parts[1])
                .put("full_name", name).put("table_type", t.catalogManaged ? "MANAGED" : "EXTERNAL")
                .put("data_source_format", "DELTA").put("storage_location", t.storageLocation)
                .put("table_id", t.tableId);
        ObjectNode props = n.putObject("properties");
        if (t.catalogManaged) {
            props.put("delta.feature.catalogManaged", "supported").put("io.unitycatalog.tableId", t.tableId);
        }
        send(ex, 200, n);
    }

    private void credentials(HttpExchange ex, JsonNode body) throws IOException {
        String id = body.path("table_id").asText();
        if (tables.values().stream().noneMatch(t -> t.tableId.equals(id))
                || !"READ".equals(body.path("operation").asText())) {
            error(ex, 404, "TABLE_DOES_NOT_EXIST", "Table with id '" + id + "' does not exist.");
            return;
        }
        credentialRequests.incrementAndGet();
        ObjectNode n = JSON.createObjectNode();
        switch (vends) {
            case "aws" -> {
                SessionTokenGate.Issued c = gate.issue(credentialLifetimeMillis);
                issuedFor.put(c.accessKeyId(), id);
                n.putObject("aws_temp_credentials").put("access_key_id", c.accessKeyId())
                        .put("secret_access_key", c.secretAccessKey()).put("session_token", c.sessionToken());
            }
            case "azure" -> n.putObject("azure_user_delegation_sas")
                    .put("sas_token", "sv=2024&sig=vended" + tokens.incrementAndGet());
            default -> n.putObject("gcp_oauth_token").put("oauth_token", "ya29.vended" + tokens.incrementAndGet());
        }
        n.put("expiration_time", System.currentTimeMillis() + credentialLifetimeMillis);
        send(ex, 200, n);
    }

    private void commits(HttpExchange ex, JsonNode body) throws IOException {
        String id = body.path("table_id").asText();
        Table t = tables.values().stream().filter(x -> x.tableId.equals(id)).findFirst().orElse(null);
        if (t == null) {
            error(ex, 404, "TABLE_DOES_NOT_EXIST", "Table with id '" + id + "' does not exist.");
            return;
        }
        if (!body.has("table_uri") || body.path("start_version").asLong(0) < 0) {
            error(ex, 400, "INVALID_PARAMETER_VALUE", "table_uri is required and start_version must be >= 0");
            return;
        }
        if (commitsDelayMillis > 0) {
            try {
                Thread.sleep(commitsDelayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        long start = ignoreStartVersion ? 0 : body.path("start_version").asLong(0);
        long latest = t.catalogManaged ? t.latestVersion.get() : -1;
        ObjectNode n = JSON.createObjectNode();
        ArrayNode list = n.putArray("commits");
        synchronized (t.staged) {
            for (CatalogCommits.Commit c : t.staged) {
                if (c.version() >= start && c.version() <= latest && list.size() < commitsPerPage) {
                    list.addObject().put("version", c.version()).put("timestamp", c.modificationTimeMillis())
                            .put("file_name", c.fileName()).put("file_size", c.size())
                            .put("file_modification_timestamp", c.modificationTimeMillis());
                }
            }
        }
        n.put("latest_table_version", latest);
        send(ex, 200, n);
    }

    private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
        send(ex, status, JSON.createObjectNode().put("error_code", code).put("message", message));
    }

    private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /**
     * Registers the catalog-managed table at {@code root}, stored at {@code storageLocation}, with its staged commits
     * up to {@code latest}.
     */
    public Table addCatalogManaged(String fullName, String storageLocation, java.nio.file.Path root,
            long latest) throws IOException {
        Table t = add(fullName, storageLocation, true);
        try (java.util.stream.Stream<java.nio.file.Path> files =
                java.nio.file.Files.list(root.resolve("_delta_log/_staged_commits"))) {
            for (java.nio.file.Path f : files.sorted().toList()) {
                String file = f.getFileName().toString();
                t.staged.add(new CatalogCommits.Commit(Long.parseLong(file.substring(0, 20)), file,
                        java.nio.file.Files.size(f),
                        java.nio.file.Files.getLastModifiedTime(f).toMillis()));
            }
        }
        t.latestVersion.set(latest);
        return t;
    }
}
