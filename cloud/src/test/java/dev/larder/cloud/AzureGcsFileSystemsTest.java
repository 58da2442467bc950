package dev.larder.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.hadoop.fs.gcs.GoogleHadoopFileSystem;
import com.google.cloud.hadoop.repackaged.gcs.com.google.cloud.hadoop.gcsio.GoogleCloudStorageOptions;
import com.google.cloud.hadoop.util.AccessTokenProvider;
import com.sun.net.httpserver.HttpServer;
import dev.larder.snapshot.DeltaReadException;
import dev.larder.snapshot.DeltaSource;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.azurebfs.AzureBlobFileSystem;
import org.apache.hadoop.fs.azurebfs.SecureAzureBlobFileSystem;
import org.apache.hadoop.fs.azurebfs.services.AuthType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * abfss (hadoop-azure) and gs (gcs-connector) without an emulator: the filesystems load, the settings and vended tokens
 * reach them and go out on requests to a recording HTTP server on loopback, and an unreachable endpoint fails fast with
 * an error naming the table. Each test uses its own account or bucket: Hadoop caches one filesystem per authority.
 */
class AzureGcsFileSystemsTest {
    static final String ACCOUNT_KEY = Base64.getEncoder()
            .encodeToString("larder-test-account-key-000000001".getBytes());

    /** Requests a loopback server saw: method, path with query, Authorization header. */
    record Request(String method, String uri, String authorization) {
    }

    HttpServer server;
    final List<Request> requests = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** Starts a server on loopback that records every request and answers 404 (no such object). */
    int recordingServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                    exchange.getRequestHeaders().getFirst("Authorization")));
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.start();
        return server.getAddress().getPort();
    }

    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static Configuration conf(Map<String, String> settings) {
        Configuration conf = DeltaSource.localConfiguration();
        settings.forEach(conf::set);
        return conf;
    }

    /**
     * ABFS on {@code 127.0.0.1:port} (its emulator mode: the account name moves into the path), plain HTTP so the
     * recording server can read it, no retries, and the account declared hierarchical so initializing sends nothing.
     */
    static Map<String, String> azureEndpoint(int port) {
        Map<String, String> s = new HashMap<>();
        s.put("fs.azure.abfs.endpoint", "127.0.0.1:" + port);
        s.put("fs.azure.always.use.https", "false");
        s.put("fs.azure.account.hns.enabled", "true");
        s.put("fs.azure.createRemoteFileSystemDuringInitialization", "false");
        s.put("fs.azure.io.retry.max.retries", "0");
        s.put("fs.azure.http.connection.timeout", "1000");
        s.put("fs.azure.http.read.timeout", "2000");
        return s;
    }

    /** gcs-connector against {@code http://127.0.0.1:port/}, no retries. */
    static Map<String, String> gcsEndpoint(int port) {
        Map<String, String> s = new HashMap<>();
        s.put("fs.gs.storage.root.url", "http://127.0.0.1:" + port + "/");
        s.put("fs.gs.project.id", "larder-test-project");
        s.put("fs.gs.http.max.retry", "0");
        s.put("fs.gs.http.connect-timeout", "1000");
        s.put("fs.gs.http.read-timeout", "2000");
        return s;
    }

    static GoogleCloudStorageOptions gcsOptions(GoogleHadoopFileSystem fs) {
        return fs.getGcsFs().getOptions().getCloudStorageOptions();
    }

    @Test
    void abfssAndGsResolveToTheirFileSystems() throws IOException {
        Configuration conf = DeltaSource.localConfiguration();
        assertEquals(SecureAzureBlobFileSystem.class, FileSystem.getFileSystemClass("abfss", conf));
        assertEquals(AzureBlobFileSystem.class, FileSystem.getFileSystemClass("abfs", conf));
        assertEquals(GoogleHadoopFileSystem.class, FileSystem.getFileSystemClass("gs", conf));
    }

    @Test
    void azureAccountKeyAndEndpointReachTheFileSystem() throws IOException {
        int port = recordingServer();
        Map<String, String> settings = azureEndpoint(port);
        settings.put("fs.azure.account.key.keyacct.dfs.core.windows.net", ACCOUNT_KEY);
        try (FileSystem fs = FileSystem.newInstance(URI.create("abfs://c@keyacct.dfs.core.windows.net/"),
                conf(settings))) {
            var abfs = ((AzureBlobFileSystem) fs).getAbfsStore().getAbfsConfiguration();
            assertEquals(AuthType.SharedKey, abfs.getAuthType("keyacct.dfs.core.windows.net"));
            assertEquals(ACCOUNT_KEY, abfs.getStorageAccountKey());
            assertEquals(0, abfs.getMaxIoRetries());
            assertEquals(List.of(), requests, "nothing is sent while initializing");

            assertThrows(FileNotFoundException.class, () -> fs.getFileStatus(new Path("/t/_delta_log")));
        }
        Request r = requests.getFirst();
        assertTrue(r.uri().startsWith("/keyacct/c/t/_delta_log"), r.toString());
        assertTrue(r.authorization().startsWith("SharedKey keyacct:"), r.toString());
    }

    @Test
    void gcsProjectEndpointAndAuthTypeReachTheFileSystem() throws IOException {
        int port = recordingServer();
        Map<String, String> settings = gcsEndpoint(port);
        settings.put("fs.gs.auth.type", "UNAUTHENTICATED");
        try (FileSystem fs = FileSystem.newInstance(URI.create("gs://settings-bucket/"), conf(settings))) {
            GoogleCloudStorageOptions options = gcsOptions((GoogleHadoopFileSystem) fs);
            assertEquals("larder-test-project", options.getProjectId());
            assertEquals("http://127.0.0.1:" + port + "/", options.getStorageRootUrl());
            assertEquals(0, options.getMaxHttpRequestRetries());
            assertEquals(Duration.ofMillis(1000), options.getHttpRequestConnectTimeout());

            assertThrows(FileNotFoundException.class, () -> fs.getFileStatus(new Path("/t/_delta_log/x.json")));
        }
        // The object and the directory under its name are looked up in parallel.
        assertTrue(!requests.isEmpty()
                && requests.stream().allMatch(r -> r.uri().startsWith("/storage/v1/b/settings-bucket/o")
                && r.authorization() == null), "UNAUTHENTICATED sends no credentials: " + requests);
    }

    @Test
    void anUnreachableAbfssTableFailsFastNamingTheUri() throws IOException {
        Map<String, String> settings = azureEndpoint(closedPort());
        settings.remove("fs.azure.always.use.https");
        // Unset, as users leave it: initializing then asks the account whether it is hierarchical, and that fails.
        settings.remove("fs.azure.account.hns.enabled");
        settings.put("fs.azure.account.key.downacct.dfs.core.windows.net", ACCOUNT_KEY);
        assertUnreachable("abfss://c@downacct.dfs.core.windows.net/tables/t", settings);
    }

    /**
     * Opening {@code uri} fails within seconds, as an IO failure naming the URI and saying the storage cannot be
     * reached.
     */
    static void assertUnreachable(String uri, Map<String, String> settings) {
        DeltaReadException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(DeltaReadException.class, () -> DeltaSource.open(uri, settings)));
        assertEquals(DeltaReadException.Reason.IO, e.reason());
        assertTrue(e.getMessage().contains(uri), e.getMessage());
        assertTrue(e.getMessage().contains("the storage cannot be reached"), e.getMessage());
    }

    @Test
    void anUnreachableGsTableFailsFastNamingTheUri() throws IOException {
        Map<String, String> settings = gcsEndpoint(closedPort());
        settings.put("fs.gs.auth.type", "UNAUTHENTICATED");
        assertUnreachable("gs://down-bucket/tables/t", settings);
    }

    @Test
    void aVendedSasTokenGoesOutOnEachAzureRequest() throws IOException {
        int port = recordingServer();
        String location = "abfs://c@sasacct.dfs.core.windows.net/tables/t";
        Map<String, String> settings = azureEndpoint(port);
        settings.putAll(VendedTokenSettings.azureSas(location, "?sv=2024-01-01&sr=d&sig=larderSig"));
        try (FileSystem fs = FileSystem.newInstance(URI.create(location), conf(settings))) {
            var abfs = ((AzureBlobFileSystem) fs).getAbfsStore().getAbfsConfiguration();
            assertEquals(AuthType.SAS, abfs.getAuthType("sasacct.dfs.core.windows.net"));
            assertEquals("sv=2024-01-01&sr=d&sig=larderSig",
                    abfs.getSASTokenProvider().getSASToken("sasacct.dfs.core.windows.net", "c", "/tables/t", "read"));
        }
        assertThrows(DeltaReadException.class, () -> DeltaSource.open(location, settings));
        assertTrue(!requests.isEmpty() && requests.stream().allMatch(r -> r.uri().startsWith("/sasacct/c")
                && r.uri().contains("sv=2024-01-01&sr=d&sig=larderSig") && r.authorization() == null),
                requests.toString());
    }

    @Test
    void aVendedGcsTokenGoesOutAsTheBearerToken() throws IOException {
        int port = recordingServer();
        long expiresAt = Instant.now().plus(Duration.ofHours(1)).toEpochMilli();
        Map<String, String> settings = gcsEndpoint(port);
        settings.putAll(VendedTokenSettings.gcsAccessToken("gs://token-bucket/tables/t", "ya29.larder-token",
                expiresAt));

        VendedGcsTokenProvider provider = new VendedGcsTokenProvider();
        provider.setConf(conf(settings));
        AccessTokenProvider.AccessToken token = provider.getAccessToken();
        assertEquals("ya29.larder-token", token.getToken());
        assertEquals(Instant.ofEpochMilli(expiresAt), token.getExpirationTime());

        assertThrows(DeltaReadException.class, () -> DeltaSource.open("gs://token-bucket/tables/t", settings));
        assertTrue(!requests.isEmpty()
                && requests.stream().allMatch(r -> r.uri().startsWith("/storage/v1/b/token-bucket/")
                && "Bearer ya29.larder-token".equals(r.authorization())), requests.toString());
    }

    /**
     * A Unity Catalog table on Azure: every request carries the SAS token the catalog vends, and once the first expires
     * (1 s lifetime) the next requests carry a refreshed one.
     */
    @Test
    void unityCatalogSasTokensReachEveryAzureRequestAndAreRefreshed() throws Exception {
        int port = recordingServer();
        try (TestUnityCatalog catalog = new TestUnityCatalog(null)) {
            catalog.vends = "azure";
            catalog.credentialLifetimeMillis = 2000;
            TestUnityCatalog.Table table = catalog.add("main.azure.t",
                    "abfs://c@ucacct.dfs.core.windows.net/tables/t", false);
            UnityCatalog uc = UnityCatalog.connect(catalog.uri(), TestUnityCatalog.TOKEN, "$TEST_TOKEN");
            assertThrows(DeltaReadException.class, () -> uc.open("main.azure.t", azureEndpoint(port)));
            assertTrue(!requests.isEmpty() && requests.stream().allMatch(r -> r.uri().startsWith("/ucacct/c")
                    && r.uri().contains("sig=vended") && r.authorization() == null), requests.toString());
            Set<String> first = tokens(requests, r -> r.uri().replaceAll(".*sig=(vended\\d+).*", "$1"));
            // The open table's provider, as the filesystem holds it: the same token until it nears expiry, then a new
            // one.
            VendedAzureSasTokenProvider provider = new VendedAzureSasTokenProvider();
            provider.initialize(conf(Map.of(VendedCredentials.KEY, uc.uri() + "#" + table.tableId)),
                    "ucacct.dfs.core.windows.net");
            String now = provider.getSASToken("ucacct.dfs.core.windows.net", "c", "/tables/t", "read");
            assertTrue(first.contains(now.replaceAll(".*sig=", "")), first + " vs " + now);
            Thread.sleep(2100);
            String later = provider.getSASToken("ucacct.dfs.core.windows.net", "c", "/tables/t", "read");
            assertTrue(later.contains("sig=vended") && !first.contains(later.replaceAll(".*sig=", "")),
                    first + " then " + later);
        }
    }

    static Set<String> tokens(List<Request> requests, java.util.function.Function<Request, String> token) {
        Set<String> out = new java.util.TreeSet<>();
        requests.forEach(r -> out.add(token.apply(r)));
        return out;
    }

    /** A Unity Catalog table on GCS: every request carries the catalog's OAuth token, refreshed once it expires. */
    @Test
    void unityCatalogOAuthTokensReachEveryGcsRequestAndAreRefreshed() throws Exception {
        int port = recordingServer();
        try (TestUnityCatalog catalog = new TestUnityCatalog(null)) {
            catalog.vends = "gcp";
            catalog.credentialLifetimeMillis = 2000;
            TestUnityCatalog.Table table = catalog.add("main.gcs.t", "gs://uc-bucket/tables/t", false);
            UnityCatalog uc = UnityCatalog.connect(catalog.uri(), TestUnityCatalog.TOKEN, "$TEST_TOKEN");
            assertThrows(DeltaReadException.class, () -> uc.open("main.gcs.t", gcsEndpoint(port)));
            assertTrue(!requests.isEmpty()
                    && requests.stream().allMatch(r -> r.uri().startsWith("/storage/v1/b/uc-bucket/")
                    && r.authorization() != null && r.authorization().startsWith("Bearer ya29.vended")),
                    requests.toString());
            Set<String> first = tokens(requests, Request::authorization);
            VendedGcsTokenProvider provider = new VendedGcsTokenProvider();
            provider.setConf(conf(Map.of(VendedCredentials.KEY, uc.uri() + "#" + table.tableId)));
            assertTrue(first.contains("Bearer " + provider.getAccessToken().getToken()), first.toString());
            Thread.sleep(2100);
            provider.refresh();
            String later = "Bearer " + provider.getAccessToken().getToken();
            assertTrue(later.startsWith("Bearer ya29.vended") && !first.contains(later), first + " then " + later);
        }
    }

    @Test
    void anExpiredVendedGcsTokenFailsToRefreshSayingSo() throws IOException {
        VendedGcsTokenProvider live = new VendedGcsTokenProvider();
        live.setConf(conf(VendedTokenSettings.gcsAccessToken("gs://b/t", "tok",
                Instant.now().plus(Duration.ofMinutes(2)).toEpochMilli())));
        live.refresh();
        assertEquals("tok", live.getAccessToken().getToken(), "a token near its expiry stays in use");

        VendedGcsTokenProvider expired = new VendedGcsTokenProvider();
        expired.setConf(conf(VendedTokenSettings.gcsAccessToken("gs://b/t", "tok", 1_000L)));
        IOException e = assertThrows(IOException.class, expired::refresh);
        assertTrue(e.getMessage().contains("expired at 1970-01-01T00:00:01Z"), e.getMessage());
    }

    @Test
    void vendedSettingsNameTheAccountAndRejectOtherLocations() {
        Map<String, String> sas = VendedTokenSettings.azureSas("abfss://c@acct.dfs.core.windows.net/t", "sv=1&sig=s");
        assertEquals("SAS", sas.get("fs.azure.account.auth.type.acct.dfs.core.windows.net"));
        assertEquals("sv=1&sig=s", sas.get("fs.azure.sas.fixed.token.acct.dfs.core.windows.net"));
        assertEquals("a SAS token vended for abfss://c@acct.dfs.core.windows.net/t",
                sas.get(DeltaSource.CREDENTIALS_ORIGIN_KEY));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VendedTokenSettings.azureSas("gs://bucket/t", "sig"));
        assertTrue(e.getMessage().contains("gs://bucket/t"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> VendedTokenSettings.azureSas("abfss://acct.dfs.core.windows.net/t", "sig"));
        e = assertThrows(IllegalArgumentException.class,
                () -> VendedTokenSettings.gcsAccessToken("abfss://c@acct.dfs.core.windows.net/t", "tok", 0));
        assertTrue(e.getMessage().contains("abfss://c@acct.dfs.core.windows.net/t"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> VendedTokenSettings.gcsAccessToken("gs://bucket/t", " ", 0));
        assertTrue(e.getMessage().contains("gs://bucket/t"), e.getMessage());
    }
}
