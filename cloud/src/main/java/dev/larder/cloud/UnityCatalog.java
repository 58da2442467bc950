package dev.larder.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.larder.ingest.Redaction;
import dev.larder.snapshot.CatalogCommits;
import dev.larder.snapshot.CatalogTable;
import dev.larder.snapshot.DeltaSource;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * A Unity Catalog REST client over the JDK HttpClient, and the door to reading a Unity Catalog table by name;
 * thread-safe.
 *
 * <pre>{@code
 * UnityCatalog uc = UnityCatalog.fromEnvironment();            // $DATABRICKS_HOST, $DATABRICKS_TOKEN
 * DeltaSource users = uc.open("main.features.users", Map.of());
 * }</pre>
 *
 * <p>Endpoints, under {@code <uri>/api/2.1/unity-catalog}: {@code GET /tables/{full_name}} (table id, storage location,
 * properties), {@code POST /temporary-table-credentials} (operation READ: temporary cloud credentials with an expiry) and,
 * for catalog-managed tables, {@code GET /delta/preview/commits} (the ratified commits not yet published). A 5xx answer
 * or an unreachable catalog is retried {@value #ATTEMPTS} times with backoff; every failure is a
 * {@link UnityCatalogException} naming the table and the endpoint.
 */
public final class UnityCatalog {
    /** The REST base under the catalog's URI. */
    public static final String API_PATH = "/api/2.1/unity-catalog";
    static final int ATTEMPTS = 3;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI uri;
    private final String token;
    private final String tokenOrigin;
    private final HttpClient http;

    private UnityCatalog(URI uri, String token, String tokenOrigin) {
        this.uri = uri;
        this.token = token;
        this.tokenOrigin = tokenOrigin;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    /**
     * A client of the catalog at {@code uri} (e.g. {@code https://dbc-1234.cloud.databricks.com}, or a bare host name as
     * {@code DATABRICKS_HOST} often holds it) with a bearer {@code token} (null: no Authorization header).
     *
     * @param tokenOrigin where the token came from, repeated in authentication errors (e.g. {@code $DATABRICKS_TOKEN})
     */
    public static UnityCatalog connect(String uri, String token, String tokenOrigin) {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("no Unity Catalog URI: pass --uc-uri or set DATABRICKS_HOST");
        }
        String u = uri.strip();
        if (Redaction.hasCredentials(u.contains("://") ? u : "https://" + u)) {
            throw new IllegalArgumentException("the Unity Catalog URI " + Redaction.uris(u) + " carries credentials, "
                    + "which would be printed in every error; give it without them and the token in " + tokenOrigin);
        }
        if (!u.contains("://")) {
            u = "https://" + u;
        }
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        return new UnityCatalog(URI.create(u), token, tokenOrigin);
    }

    /** {@link #connect} with {@code $DATABRICKS_HOST} and {@code $DATABRICKS_TOKEN}. */
    public static UnityCatalog fromEnvironment() {
        return fromEnvironment(null, "DATABRICKS_TOKEN");
    }

    /**
     * {@link #connect} with {@code uri} (null: {@code $DATABRICKS_HOST}) and the token in the environment variable
     * {@code tokenEnv}; no token when that variable is unset.
     */
    public static UnityCatalog fromEnvironment(String uri, String tokenEnv) {
        String host = uri != null ? uri : System.getenv("DATABRICKS_HOST");
        return connect(host, System.getenv(tokenEnv), "$" + tokenEnv);
    }

    /** The catalog's URI, e.g. {@code https://dbc-1234.cloud.databricks.com}. */
    public URI uri() {
        return uri;
    }

    /** {@code GET /tables/{full_name}}. */
    public UnityCatalogTable table(String fullName) {
        if (fullName == null || fullName.split("\\.", -1).length != 3 || fullName.contains("..") || fullName.startsWith(".")
                || fullName.endsWith(".")) {
            throw new IllegalArgumentException("a Unity Catalog table name is catalog.schema.table: " + fullName);
        }
        JsonNode t = call("GET", "/tables/" + URLEncoder.encode(fullName, StandardCharsets.UTF_8), null, fullName);
        String id = text(t, "table_id", fullName, "/tables");
        String location = text(t, "storage_location", fullName, "/tables");
        String format = t.path("data_source_format").asText("DELTA");
        if (!format.equalsIgnoreCase("DELTA")) {
            throw new UnityCatalogException("Unity Catalog table " + fullName + " is " + format + ", not a Delta table", 200, null);
        }
        JsonNode props = t.path("properties");
        boolean managedCommits = props.has("delta.feature.catalogManaged") || props.has("delta.feature.catalogOwned-preview");
        return new UnityCatalogTable(fullName, id, location, t.path("table_type").asText(""), managedCommits);
    }

    /** Temporary read credentials for {@code table}: {@code POST /temporary-table-credentials}, operation READ. */
    public TemporaryCredentials temporaryCredentials(UnityCatalogTable table) {
        ObjectNode body = JSON.createObjectNode().put("table_id", table.tableId()).put("operation", "READ");
        JsonNode c = call("POST", "/temporary-table-credentials", body, table.fullName());
        return TemporaryCredentials.from(c, table.fullName(), endpoint("/temporary-table-credentials"));
    }

    /**
     * The ratified commits of a catalog-managed table not yet published, from {@code startVersion}:
     * {@code GET /delta/preview/commits}, following its pages up to the latest version.
     */
    public CatalogCommits.Ratified commits(UnityCatalogTable table, long startVersion) {
        List<CatalogCommits.Commit> commits = new ArrayList<>();
        long latest;
        long start = startVersion;
        while (true) {
            ObjectNode body = JSON.createObjectNode().put("table_id", table.tableId())
                    .put("table_uri", table.storageLocation()).put("start_version", start);
            JsonNode r = call("GET", "/delta/preview/commits", body, table.fullName());
            latest = r.path("latest_table_version").asLong(-1);
            long highest = -1;
            for (JsonNode c : r.path("commits")) {
                long v = c.path("version").asLong();
                commits.add(new CatalogCommits.Commit(v, text(c, "file_name", table.fullName(), "/delta/preview/commits"),
                        c.path("file_size").asLong(), c.path("file_modification_timestamp").asLong()));
                highest = Math.max(highest, v);
            }
            // A page that stops short of the latest version means more commits wait (the API paginates that way).
            if (highest < 0 || highest >= latest) {
                break;
            }
            start = highest + 1;
        }
        if (latest < 0) {
            throw new UnityCatalogException("Unity Catalog does not manage the commits of table " + table.fullName()
                    + " (latest_table_version -1 from " + endpoint("/delta/preview/commits") + ")", 200, null);
        }
        return new CatalogCommits.Ratified(commits, latest);
    }

    /**
     * Opens the Unity Catalog table {@code fullName} for reading: resolves it to its storage location, reads it with
     * temporary credentials the catalog vends (refreshed before they expire, for as long as the source is used), and
     * for a catalog-managed table asks the catalog for its ratified commits on every read.
     *
     * @param hadoopSettings further filesystem settings, e.g. {@code fs.s3a.endpoint}
     */
    public DeltaSource open(String fullName, Map<String, String> hadoopSettings) {
        UnityCatalogTable table = table(fullName);
        VendedCredentials credentials = VendedCredentials.register(this, table);
        Map<String, String> settings = new LinkedHashMap<>(hadoopSettings);
        settings.putAll(credentials.hadoopSettings());
        Configuration conf = DeltaSource.localConfiguration();
        CloudSettings.hadoopSettings(settings).forEach(conf::set);
        CatalogCommits commits = table.catalogManaged() ? new UnityCatalogCommits(this, table) : null;
        return DeltaSource.open(table.storageLocation(), conf, new CatalogTable(fullName, table.tableId(), commits));
    }

    String endpoint(String path) {
        return uri + API_PATH + path;
    }

    /** One request with retries of 5xx and unreachable; the answer's JSON, or an exception naming what failed. */
    private JsonNode call(String method, String path, JsonNode body, String table) {
        String endpoint = endpoint(path);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint)).timeout(TIMEOUT)
                .header("Accept", "application/json");
        if (token != null && !token.isEmpty()) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        HttpRequest request = b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body.toString())).build();
        String what = method + " " + endpoint + " (table " + table + ")";
        UnityCatalogException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            if (attempt > 1) {
                sleep(125L << attempt);
            }
            HttpResponse<String> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                last = new UnityCatalogException("Unity Catalog unreachable: " + what + ": " + e, -1, e);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UnityCatalogException("interrupted: " + what, -1, e);
            }
            int status = response.statusCode();
            if (status == 200) {
                try {
                    return JSON.readTree(response.body());
                } catch (IOException e) {
                    throw new UnityCatalogException("Unity Catalog answered " + what + " with malformed JSON: " + e.getMessage(), status, e);
                }
            }
            UnityCatalogException failure = new UnityCatalogException(explain(status, response.body(), what, table), status, null);
            if (status < 500) {
                throw failure;
            }
            last = failure;
        }
        throw last;
    }

    private String explain(int status, String body, String what, String table) {
        String code = "";
        String message = body == null ? "" : body.strip();
        try {
            JsonNode e = JSON.readTree(body);
            code = e.path("error_code").asText("");
            message = e.path("message").asText(message);
        } catch (IOException | RuntimeException notJson) {
            // The answer's text is shown as it is.
        }
        String answer = "HTTP " + status + (code.isEmpty() ? "" : " " + code) + (message.isEmpty() ? "" : ": " + message);
        return switch (status) {
            case 401 -> "Unity Catalog did not accept the token from " + tokenOrigin + " (" + answer + ") for " + what;
            case 403 -> "Unity Catalog denied access to table " + table + " (" + answer + ") for " + what
                    + "; the token from " + tokenOrigin + " needs SELECT on the table (and EXTERNAL USE SCHEMA for credentials)";
            case 404 -> "Unity Catalog has no table " + table + " (" + answer + ") for " + what;
            default -> "Unity Catalog failed " + what + ": " + answer;
        };
    }

    private static String text(JsonNode n, String field, String table, String path) {
        String s = n.path(field).asText("");
        if (s.isEmpty()) {
            throw new UnityCatalogException("Unity Catalog's answer for table " + table + " from " + path + " has no " + field, 200, null);
        }
        return s;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
