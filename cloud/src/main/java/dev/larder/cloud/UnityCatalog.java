package dev.larder.cloud;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.larder.ingest.Redaction;
import dev.larder.ingest.RemoteText;
import dev.larder.snapshot.CatalogCommits;
import dev.larder.snapshot.CatalogTable;
import dev.larder.snapshot.DeltaSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
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
 * properties), {@code POST /temporary-table-credentials} (operation READ: temporary cloud credentials with an expiry)
 * and, for catalog-managed tables, {@code GET /delta/preview/commits} (the ratified commits not yet published). A 5xx
 * or 429 answer (after its {@code Retry-After}, up to {@value #MAX_RETRY_AFTER_MILLIS} ms) or an unreachable catalog is
 * tried {@value #ATTEMPTS} times with backoff; every failure is a {@link UnityCatalogException} naming the table and
 * the endpoint, with the catalog's own text on one line, control characters escaped, cut to a few hundred characters.
 *
 * <p>A catalog that misbehaves cannot make Larder wait, page or buffer without end: each call (retries and the whole
 * answer included) ends within {@link #CALL_TIMEOUT_MS_KEY}, each answer holds at most {@link #MAX_ANSWER_BYTES_KEY}
 * bytes, a commit listing ends within {@link #LISTING_TIMEOUT_MS_KEY} and holds at most {@link #MAX_PAGES_KEY} pages,
 * each page past the last, and {@link #MAX_COMMITS_KEY} commits. Nor can it send Larder elsewhere: a table's storage
 * location must be an object store URI ({@code s3}, {@code s3a} or {@code gs} with a valid bucket name; {@code abfs} or
 * {@code abfss} on an Azure storage endpoint, or a host under a suffix {@link #AZURE_HOST_SUFFIXES_KEY} allows), or a
 * {@code file:} one where {@link #ALLOW_FILE_LOCATIONS_KEY} allows it. These settings are read from the settings given
 * to {@link #open} or {@link #withSettings}.
 */
public final class UnityCatalog {
    /** The REST base under the catalog's URI. */
    public static final String API_PATH = "/api/2.1/unity-catalog";
    /** Setting: the most bytes one answer of the catalog may hold (default 4 MiB); a longer answer is refused. */
    public static final String MAX_ANSWER_BYTES_KEY = "larder.uc.max-answer-bytes";
    /** Setting: the most milliseconds one catalog call may take, retries and whole answer included (default 60 s). */
    public static final String CALL_TIMEOUT_MS_KEY = "larder.uc.call-timeout-ms";
    /** Setting: the most pages one listing of a table's commits may take (default 1000). */
    public static final String MAX_PAGES_KEY = "larder.uc.max-pages";
    /** Setting: the most milliseconds one listing of a table's commits may take, all its pages (default 300 s). */
    public static final String LISTING_TIMEOUT_MS_KEY = "larder.uc.listing-timeout-ms";
    /** Setting: the most commits one listing of a table's commits may hold (default 100,000). */
    public static final String MAX_COMMITS_KEY = "larder.uc.max-commits";
    /**
     * Setting: host suffixes besides Azure's own storage endpoints that an {@code abfs}/{@code abfss} storage location
     * may name, comma-separated (e.g. {@code storage.example.test} for a stand-in; default none). A host under one of
     * them may also carry a port.
     */
    public static final String AZURE_HOST_SUFFIXES_KEY = "larder.uc.azure-host-suffixes";
    /** Setting: {@code true} lets a table's storage location be a local {@code file:} URI (default false). */
    public static final String ALLOW_FILE_LOCATIONS_KEY = "larder.uc.allow-file-locations";
    static final int ATTEMPTS = 3;
    /** The schemes of the object stores Larder reads catalog tables from (with credentials the catalog vends). */
    static final Set<String> STORAGE_SCHEMES = Set.of("s3", "s3a", "abfs", "abfss", "gs");
    /**
     * An account on the storage endpoints of Azure's public, US Government and China clouds; an account name is 3 to
     * 24 lowercase letters and digits.
     */
    private static final Pattern AZURE_HOST =
            Pattern.compile("[a-z0-9]{3,24}\\.(dfs|blob)\\.core\\."
                    + "(windows\\.net|usgovcloudapi\\.net|chinacloudapi\\.cn)");
    /** A container: lowercase letters, digits and hyphens ({@code $root}, {@code $web} and the like start with $). */
    private static final Pattern AZURE_CONTAINER = Pattern.compile("\\$?[a-z0-9][a-z0-9-]{0,62}");
    /** An S3 bucket name's characters (lowercase letters, digits, dots, hyphens), a letter or digit at each end. */
    private static final Pattern S3_BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]*[a-z0-9]");
    /** The characters of a GCS bucket name: S3's and underscores. */
    private static final Pattern GCS_BUCKET = Pattern.compile("[a-z0-9][a-z0-9._-]*[a-z0-9]");
    /** A host suffix the user may allow. */
    private static final Pattern HOST_SUFFIX = Pattern.compile("[a-z0-9]([a-z0-9.-]*[a-z0-9])?");
    /** The longest {@code Retry-After} honoured; a catalog asking for more fails the call at once. */
    static final long MAX_RETRY_AFTER_MILLIS = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final URI uri;
    private final String token;
    private final String tokenOrigin;
    private final HttpClient http;
    private final int maxAnswerBytes;
    private final long callTimeoutMillis;
    private final long listingTimeoutMillis;
    private final int maxPages;
    private final int maxCommits;
    private final boolean allowFileLocations;
    private final List<String> azureHostSuffixes;

    private UnityCatalog(URI uri, String token, String tokenOrigin, HttpClient http, int maxAnswerBytes,
                         long callTimeoutMillis, long listingTimeoutMillis, int maxPages, int maxCommits,
                         boolean allowFileLocations, List<String> azureHostSuffixes) {
        this.uri = uri;
        this.token = token;
        this.tokenOrigin = tokenOrigin;
        this.http = http;
        this.maxAnswerBytes = maxAnswerBytes;
        this.callTimeoutMillis = callTimeoutMillis;
        this.listingTimeoutMillis = listingTimeoutMillis;
        this.maxPages = maxPages;
        this.maxCommits = maxCommits;
        this.allowFileLocations = allowFileLocations;
        this.azureHostSuffixes = azureHostSuffixes;
    }

    /**
     * A client of the catalog at {@code uri} (e.g. {@code https://dbc-1234.cloud.databricks.com}, or a bare host name
     * as {@code DATABRICKS_HOST} often holds it) with a bearer {@code token} (null: no Authorization header).
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
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        return new UnityCatalog(URI.create(u), token, tokenOrigin, http, 4 << 20, 60_000, 300_000, 1000, 100_000, false,
                List.of());
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

    /**
     * This client with the bounds and permissions {@code settings} set ({@link #MAX_ANSWER_BYTES_KEY},
     * {@link #CALL_TIMEOUT_MS_KEY}, {@link #LISTING_TIMEOUT_MS_KEY}, {@link #MAX_PAGES_KEY}, {@link #MAX_COMMITS_KEY},
     * {@link #ALLOW_FILE_LOCATIONS_KEY}, {@link #AZURE_HOST_SUFFIXES_KEY}); the others are kept.
     *
     * @throws IllegalArgumentException naming the setting if a value is not a positive number (or true/false, or host
     *                                  suffixes)
     */
    public UnityCatalog withSettings(Map<String, String> settings) {
        return new UnityCatalog(uri, token, tokenOrigin, http,
                (int) positive(settings, MAX_ANSWER_BYTES_KEY, maxAnswerBytes, Integer.MAX_VALUE),
                positive(settings, CALL_TIMEOUT_MS_KEY, callTimeoutMillis, Long.MAX_VALUE / 1_000_000),
                positive(settings, LISTING_TIMEOUT_MS_KEY, listingTimeoutMillis, Long.MAX_VALUE / 1_000_000),
                (int) positive(settings, MAX_PAGES_KEY, maxPages, Integer.MAX_VALUE),
                (int) positive(settings, MAX_COMMITS_KEY, maxCommits, Integer.MAX_VALUE),
                bool(settings, ALLOW_FILE_LOCATIONS_KEY, allowFileLocations),
                hostSuffixes(settings, AZURE_HOST_SUFFIXES_KEY, azureHostSuffixes));
    }

    /** The catalog's URI, e.g. {@code https://dbc-1234.cloud.databricks.com}. */
    public URI uri() {
        return uri;
    }

    /**
     * {@code GET /tables/{full_name}}.
     *
     * @throws UnityCatalogException if the catalog fails, or names a storage location Larder does not read from
     */
    public UnityCatalogTable table(String fullName) {
        if (fullName == null || fullName.split("\\.", -1).length != 3 || fullName.contains("..")
                || fullName.startsWith(".")
                || fullName.endsWith(".")) {
            throw new IllegalArgumentException("a Unity Catalog table name is catalog.schema.table: " + fullName);
        }
        String path = "/tables/" + pathSegment(fullName);
        JsonNode t = call("GET", path, null, fullName);
        String id = text(t, "table_id", fullName, path);
        if (!id.matches("[\\p{Alnum}._~-]{1,128}")) {
            throw new UnityCatalogException("Unity Catalog's answer for table " + fullName + " from " + endpoint(path)
                    + " has a malformed table_id '" + RemoteText.of(id) + "'", 200, null);
        }
        String location = text(t, "storage_location", fullName, path);
        String format = t.path("data_source_format").asText("DELTA");
        if (!format.equalsIgnoreCase("DELTA")) {
            throw new UnityCatalogException("Unity Catalog table " + fullName + " is " + RemoteText.of(format)
                    + ", not a Delta table", 200, null);
        }
        checkLocation(fullName, location);
        JsonNode props = t.path("properties");
        boolean managedCommits = props.has("delta.feature.catalogManaged")
                || props.has("delta.feature.catalogOwned-preview");
        String type = RemoteText.of(t.path("table_type").asText(""));
        return new UnityCatalogTable(fullName, id, location, type, managedCommits);
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
     *
     * @throws UnityCatalogException if the catalog fails, lists more than {@link #MAX_PAGES_KEY} pages or
     *                               {@link #MAX_COMMITS_KEY} commits, takes longer than
     *                               {@link #LISTING_TIMEOUT_MS_KEY}, lists one version with two different files, or
     *                               answers a page with no commit past the previous one (it ignores
     *                               {@code start_version})
     */
    public CatalogCommits.Ratified commits(UnityCatalogTable table, long startVersion) {
        String path = "/delta/preview/commits";
        long deadline = System.nanoTime() + listingTimeoutMillis * 1_000_000;
        // By version, so that a version listed again (on this page or a later one) is kept once.
        Map<Long, CatalogCommits.Commit> commits = new HashMap<>();
        long latest = -1;
        long start = startVersion;
        for (int page = 1; ; page++) {
            if (page > maxPages) {
                throw new UnityCatalogException("Unity Catalog lists the commits of table " + table.fullName()
                        + " from " + endpoint(path) + " in more than " + maxPages + " pages (still short of version "
                        + latest + " at " + start + "); raise " + MAX_PAGES_KEY + " if the table has that many "
                        + "unpublished commits", 200, null);
            }
            if (page > 1 && System.nanoTime() - deadline >= 0) {
                throw listingTooSlow(table, path, page - 1, start, latest);
            }
            ObjectNode body = JSON.createObjectNode().put("table_id", table.tableId())
                    .put("table_uri", table.storageLocation()).put("start_version", start);
            JsonNode r = call("GET", path, body, table.fullName(), deadline);
            latest = r.path("latest_table_version").asLong(-1);
            long highest = -1;
            int listed = 0;
            for (JsonNode c : r.path("commits")) {
                long v = c.path("version").asLong();
                listed++;
                // A commit before start_version was on an earlier page: keeping it again would list it twice.
                if (v < start) {
                    continue;
                }
                CatalogCommits.Commit commit = new CatalogCommits.Commit(v,
                        text(c, "file_name", table.fullName(), path), c.path("file_size").asLong(),
                        c.path("file_modification_timestamp").asLong());
                CatalogCommits.Commit before = commits.putIfAbsent(v, commit);
                if (before != null && !before.fileName().equals(commit.fileName())) {
                    throw new UnityCatalogException("Unity Catalog lists version " + v + " twice for table "
                            + table.fullName() + " from " + endpoint(path) + ", as '" + RemoteText.of(before.fileName())
                            + "' and as '" + RemoteText.of(commit.fileName()) + "'", 200, null);
                }
                if (commits.size() > maxCommits) {
                    throw new UnityCatalogException("Unity Catalog lists more than " + maxCommits + " commits of table "
                            + table.fullName() + " from " + endpoint(path) + " (" + page + " pages, still short of "
                            + "version " + latest + "); refused, raise " + MAX_COMMITS_KEY + " if the table has that "
                            + "many unpublished commits", 200, null);
                }
                highest = Math.max(highest, v);
            }
            if (listed > 0 && highest < 0) {
                throw new UnityCatalogException("Unity Catalog answered start_version " + start + " for table "
                        + table.fullName() + " from " + endpoint(path) + " with " + listed + " commits all before it "
                        + "(it ignores start_version): the listing does not advance", 200, null);
            }
            // A page that stops short of the latest version means more commits wait (the API paginates that way).
            if (highest < 0 || highest >= latest) {
                break;
            }
            start = highest + 1;
        }
        if (latest < 0) {
            throw new UnityCatalogException("Unity Catalog does not manage the commits of table " + table.fullName()
                    + " (latest_table_version -1 from " + endpoint(path) + ")", 200, null);
        }
        return new CatalogCommits.Ratified(new ArrayList<>(commits.values()), latest);
    }

    private UnityCatalogException listingTooSlow(UnityCatalogTable table, String path, int pages, long at,
                                                 long latest) {
        return new UnityCatalogException("Unity Catalog did not list the commits of table " + table.fullName()
                + " from " + endpoint(path) + " within " + listingTimeoutMillis + " ms (" + LISTING_TIMEOUT_MS_KEY
                + ", the whole listing; " + pages + " pages, still short of version " + latest + " at " + at + ")",
                -1, null);
    }

    /**
     * Opens the Unity Catalog table {@code fullName} for reading: resolves it to its storage location, reads it with
     * temporary credentials the catalog vends (refreshed before they expire, for as long as the source is used), and
     * for a catalog-managed table asks the catalog for its ratified commits on every read.
     *
     * @param hadoopSettings further filesystem settings, e.g. {@code fs.s3a.endpoint}, and this client's settings
     *                       ({@link #withSettings})
     */
    public DeltaSource open(String fullName, Map<String, String> hadoopSettings) {
        UnityCatalog uc = withSettings(hadoopSettings);
        UnityCatalogTable table = uc.table(fullName);
        VendedCredentials credentials = VendedCredentials.register(uc, table);
        Map<String, String> settings = new LinkedHashMap<>(hadoopSettings);
        settings.putAll(credentials.hadoopSettings());
        Configuration conf = DeltaSource.localConfiguration();
        CloudSettings.hadoopSettings(settings).forEach(conf::set);
        CatalogCommits commits = table.catalogManaged() ? new UnityCatalogCommits(uc, table) : null;
        return DeltaSource.open(table.storageLocation(), conf, new CatalogTable(fullName, table.tableId(), commits));
    }

    String endpoint(String path) {
        return uri + API_PATH + path;
    }

    /**
     * Refuses a storage location Larder would not read a table from, before anything is sent there: the catalog must
     * not be able to point Larder's requests (and the credentials it vends) at any host it likes.
     */
    private void checkLocation(String table, String location) {
        URI u;
        try {
            // URIs admit Unicode format characters (bidi overrides), which reorder the line a location is printed on.
            if (location.chars().anyMatch(c -> Character.getType(c) == Character.FORMAT)) {
                throw new URISyntaxException(location, "format character");
            }
            u = new URI(location);
        } catch (URISyntaxException e) {
            u = null;
        }
        String scheme = u == null || u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        String why = u == null ? "is not a URI"
                : scheme.equals("file") ? (allowFileLocations ? null
                        : "is local, which only " + ALLOW_FILE_LOCATIONS_KEY + "=true allows")
                : !STORAGE_SCHEMES.contains(scheme)
                        ? "has a scheme Larder does not read catalog tables from (only s3, s3a, abfs, abfss, gs)"
                : u.getRawAuthority() == null ? "names no bucket or container"
                : scheme.startsWith("abfs") ? azureProblem(u)
                : bucketProblem(scheme, u.getRawAuthority());
        if (why != null) {
            throw new UnityCatalogException("Unity Catalog at " + uri + " gives table " + table
                    + " the storage location '" + RemoteText.of(Redaction.uris(location)) + "', which " + why
                    + "; refused before any request to it", 200, null);
        }
    }

    /**
     * Why an abfs(s) location is refused, or null: ABFS sends the vended SAS (and any account-agnostic OAuth
     * settings) to the location's host, so that must be Azure's storage or a host the user allows.
     */
    private String azureProblem(URI u) {
        String container = u.getRawUserInfo();
        String host = u.getHost() == null ? "" : u.getHost().toLowerCase(Locale.ROOT);
        if (container == null || !AZURE_CONTAINER.matcher(container).matches() || host.isEmpty()) {
            return "is not container@account.dfs.core.windows.net (a container of lowercase letters, digits and "
                    + "hyphens, and a host)";
        }
        boolean allowed = azureHostSuffixes.stream().anyMatch(x -> host.equals(x) || host.endsWith("." + x));
        if (allowed || u.getPort() < 0 && AZURE_HOST.matcher(host).matches()) {
            return null;
        }
        return "names the host '" + RemoteText.of(u.getRawAuthority().substring(container.length() + 1))
                + "', not an Azure storage endpoint (account.dfs or account.blob under core.windows.net, "
                + "core.usgovcloudapi.net or core.chinacloudapi.cn, no port); " + AZURE_HOST_SUFFIXES_KEY
                + " allows other host suffixes";
    }

    /** Why an s3, s3a or gs location's bucket is refused (its cloud's naming rules), or null. */
    private static String bucketProblem(String scheme, String bucket) {
        boolean gcs = scheme.equals("gs");
        boolean valid = (gcs ? GCS_BUCKET : S3_BUCKET).matcher(bucket).matches() && !bucket.contains("..")
                && bucket.length() >= 3 && bucket.length() <= (gcs && bucket.contains(".") ? 222 : 63);
        for (String part : bucket.split("\\.")) {
            valid &= part.length() <= 63;
        }
        return valid ? null : "does not name a valid bucket (3 to 63 lowercase letters, digits, dots and hyphens"
                + (gcs ? ", or underscores" : "") + "; no port or user info)";
    }

    /** {@code s} as one URI path segment: every byte but RFC 3986's unreserved characters percent-encoded. */
    static String pathSegment(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
                    || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(HEX[c >> 4]).append(HEX[c & 15]);
            }
        }
        return sb.toString();
    }

    /** One call, with retries of 5xx, 429 and unreachable, all within the call's deadline; the answer's JSON. */
    private JsonNode call(String method, String path, JsonNode body, String table) {
        return call(method, path, body, table, null);
    }

    /**
     * {@link #call(String, String, JsonNode, String)} as one page of a listing, ending by the listing's deadline
     * ({@link System#nanoTime}) too, when that comes first; null: not part of a listing.
     */
    private JsonNode call(String method, String path, JsonNode body, String table, Long listingDeadline) {
        String endpoint = endpoint(path);
        long deadline = System.nanoTime() + callTimeoutMillis * 1_000_000;
        boolean listingFirst = listingDeadline != null && listingDeadline - deadline < 0;
        if (listingFirst) {
            deadline = listingDeadline;
        }
        // No request timeout of the client's own: it would cover only the head; the deadline covers the whole call.
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint)).header("Accept", "application/json");
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
        long waitMillis = 0;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            if (attempt > 1) {
                if (waitMillis >= remainingMillis(deadline)) {
                    break;
                }
                sleep(waitMillis);
            }
            Reply response;
            try {
                response = send(request, deadline);
            } catch (TimeoutException e) {
                String bound = listingFirst
                        ? " within " + listingTimeoutMillis + " ms of the listing it is a page of ("
                        + LISTING_TIMEOUT_MS_KEY + ", the whole listing)"
                        : " within " + callTimeoutMillis + " ms (the whole answer, retries included; "
                        + CALL_TIMEOUT_MS_KEY + ")";
                throw new UnityCatalogException("Unity Catalog did not answer " + what + bound
                        + (last == null ? "" : "; before: " + last.getMessage()), -1, null);
            } catch (AnswerTooLong e) {
                throw new UnityCatalogException("Unity Catalog's answer to " + what + " is longer than "
                        + maxAnswerBytes + " bytes (" + MAX_ANSWER_BYTES_KEY + "); refused", 200, null);
            } catch (IOException e) {
                last = new UnityCatalogException("Unity Catalog unreachable: " + what + ": " + e, -1, e);
                waitMillis = 125L << (attempt + 1);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UnityCatalogException("interrupted: " + what, -1, e);
            }
            int status = response.status();
            Answer answer = response.answer();
            if (status == 200) {
                try {
                    return JSON.readTree(answer.bytes());
                } catch (IOException e) {
                    // Jackson's full message quotes the answer's text around the error: its own words only.
                    String problem = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
                    throw new UnityCatalogException("Unity Catalog answered " + what + " with malformed JSON: "
                            + RemoteText.of(problem), status, e);
                }
            }
            UnityCatalogException failure =
                    new UnityCatalogException(explain(status, answer, what, table), status, null);
            if (status != 429 && status < 500) {
                throw failure;
            }
            last = failure;
            long retryAfter = retryAfterMillis(response);
            if (retryAfter > Math.min(MAX_RETRY_AFTER_MILLIS, remainingMillis(deadline))) {
                throw new UnityCatalogException(failure.getMessage() + "; it asks to be retried after " + retryAfter
                        + " ms, longer than this call may still wait", status, null);
            }
            waitMillis = retryAfter >= 0 ? retryAfter : 125L << (attempt + 1);
        }
        throw last;
    }

    /** Sends {@code request} and reads its answer, at most {@link #maxAnswerBytes} of it, before {@code deadline}. */
    private Reply send(HttpRequest request, long deadline) throws IOException, InterruptedException, TimeoutException {
        // Awaited as the client's own threads complete it, not through the future sendAsync returns: that one is
        // completed by a task on the common ForkJoinPool, whose only worker (2 cores) the S3 analytics accelerator's
        // prefetch can hold while its read waits for credentials from this very call, a deadlock of every call.
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        CompletableFuture<HttpResponse<Answer>> f = http.sendAsync(request, info -> {
            BoundedBody body = new BoundedBody(maxAnswerBytes, info.statusCode() == 200);
            body.result.whenComplete((answer, t) -> {
                if (t == null) {
                    reply.complete(new Reply(info.statusCode(), info.headers(), answer));
                } else {
                    reply.completeExceptionally(t);
                }
            });
            return body;
        });
        // A failure before any answer (unreachable) reaches only the returned future.
        f.whenComplete((r, t) -> {
            if (t != null) {
                reply.completeExceptionally(t);
            }
        });
        try {
            return reply.get(Math.max(1, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (TimeoutException | InterruptedException e) {
            // Cancelling aborts the exchange and closes its connection, so a dripping answer stops arriving.
            f.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                if (t instanceof AnswerTooLong tooLong) {
                    throw tooLong;
                }
            }
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    private static long remainingMillis(long deadline) {
        return Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
    }

    /** The wait a 429 or 503 asks for in {@code Retry-After} (seconds or an HTTP date), or -1 when it asks none. */
    private static long retryAfterMillis(Reply response) {
        String v = response.headers().firstValue("Retry-After").orElse("").strip();
        if (v.isEmpty()) {
            return -1;
        }
        try {
            return Math.multiplyExact(Math.max(0, Long.parseLong(v)), 1000L);
        } catch (NumberFormatException | ArithmeticException notSeconds) {
            try {
                long at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
                return Math.max(0, at - System.currentTimeMillis());
            } catch (DateTimeParseException notDate) {
                return -1;
            }
        }
    }

    private String explain(int status, Answer answer, String what, String table) {
        String body = new String(answer.bytes(), StandardCharsets.UTF_8).strip();
        String code = "";
        String message = body;
        if (!answer.cut()) {
            try {
                JsonNode e = JSON.readTree(body);
                code = e.path("error_code").asText("");
                message = e.path("message").asText(message);
            } catch (IOException | RuntimeException notJson) {
                // The answer's text is shown as it is (escaped and cut).
            }
        }
        String text = RemoteText.of(message) + (answer.cut() && message.length() <= RemoteText.MAX_CHARS
                ? "…(answer cut at " + maxAnswerBytes + " bytes)" : "");
        String answered = "HTTP " + status + (code.isEmpty() ? "" : " " + RemoteText.of(code))
                + (text.isEmpty() ? "" : ": " + text);
        return switch (status) {
            case 401 -> "Unity Catalog did not accept the token from " + tokenOrigin + " (" + answered + ") for "
                    + what;
            case 403 -> "Unity Catalog denied access to table " + table + " (" + answered + ") for " + what
                    + "; the token from " + tokenOrigin
                    + " needs SELECT on the table (and EXTERNAL USE SCHEMA for credentials)";
            case 404 -> "Unity Catalog has no table " + table + " (" + answered + ") for " + what;
            default -> "Unity Catalog failed " + what + ": " + answered;
        };
    }

    private String text(JsonNode n, String field, String table, String path) {
        String s = n.path(field).asText("");
        if (s.isEmpty()) {
            throw new UnityCatalogException("Unity Catalog's answer for table " + table + " from " + endpoint(path)
                    + " has no " + field, 200, null);
        }
        return s;
    }

    private static long positive(Map<String, String> settings, String key, long otherwise, long max) {
        String v = settings.get(key);
        if (v == null) {
            return otherwise;
        }
        try {
            long n = Long.parseLong(v.strip());
            if (n > 0 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // Reported below with the range.
        }
        throw new IllegalArgumentException(key + " must be a whole number from 1 to " + max + ", not '" + v + "'");
    }

    /** The host suffixes the setting {@code key} lists (comma-separated, a leading dot or "*." dropped). */
    private static List<String> hostSuffixes(Map<String, String> settings, String key, List<String> otherwise) {
        String v = settings.get(key);
        if (v == null) {
            return otherwise;
        }
        List<String> suffixes = new ArrayList<>();
        for (String s : v.split(",")) {
            if (s.isBlank()) {
                continue;
            }
            String x = s.strip().toLowerCase(Locale.ROOT).replaceFirst("^\\*?\\.", "");
            if (!HOST_SUFFIX.matcher(x).matches()) {
                throw new IllegalArgumentException(key + " must list host suffixes separated by commas (e.g. "
                        + "storage.example.test), not '" + v + "'");
            }
            suffixes.add(x);
        }
        return List.copyOf(suffixes);
    }

    private static boolean bool(Map<String, String> settings, String key, boolean otherwise) {
        String v = settings.get(key);
        if (v == null) {
            return otherwise;
        }
        return switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(key + " must be true or false, not '" + v + "'");
        };
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** An answer: its status, headers and bytes. */
    private record Reply(int status, HttpHeaders headers, Answer answer) {
    }

    /** An answer's bytes; {@code cut} when it was longer than the bound and only its start was kept. */
    private record Answer(byte[] bytes, boolean cut) {
    }

    /** An answer longer than the bound, where the whole answer is needed (a 200's JSON). */
    private static final class AnswerTooLong extends IOException {
        private static final long serialVersionUID = 1L;
    }

    /**
     * Collects an answer up to {@code max} bytes, then stops reading it (cancelling the subscription closes the
     * connection): a 200 fails with {@link AnswerTooLong}, an error answer keeps its start to quote.
     */
    private static final class BoundedBody implements HttpResponse.BodySubscriber<Answer> {
        private final int max;
        private final boolean refuseLonger;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<Answer> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        BoundedBody(int max, boolean refuseLonger) {
            this.max = max;
            this.refuseLonger = refuseLonger;
        }

        @Override
        public CompletionStage<Answer> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : buffers) {
                int room = max - bytes.size();
                if (b.remaining() > room) {
                    subscription.cancel();
                    if (refuseLonger) {
                        result.completeExceptionally(new AnswerTooLong());
                    } else {
                        append(b, room);
                        result.complete(new Answer(bytes.toByteArray(), true));
                    }
                    return;
                }
                append(b, b.remaining());
            }
            subscription.request(1);
        }

        private void append(ByteBuffer b, int n) {
            byte[] chunk = new byte[n];
            b.get(chunk);
            bytes.write(chunk, 0, n);
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(new Answer(bytes.toByteArray(), false));
        }
    }
}
