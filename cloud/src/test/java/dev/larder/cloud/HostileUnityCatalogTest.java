package dev.larder.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.ingest.Redaction;
import dev.larder.ingest.RemoteText;
import dev.larder.snapshot.CatalogCommits;
import dev.larder.snapshot.DeltaSource;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Unity Catalog that misbehaves, on real loopback sockets: answers that never end or drip a byte at a time, commit
 * listings that never advance or pass their bounds, storage locations on hosts the catalog chose, retry requests, and
 * error texts with terminal escapes or whole HTML pages. Each is a clear error naming the endpoint (or the table,
 * location and catalog), within bounds, and nothing reaches a host that is not an object store. The tables live on the
 * local disk ({@code file:} locations, which these tests allow).
 */
class HostileUnityCatalogTest {
    static TestUnityCatalog catalog;
    static String simple;

    @BeforeAll
    static void start() throws Exception {
        catalog = new TestUnityCatalog(null);
        catalog.vends = "gcp";
        simple = SharedTables.table("simple_table").toUri().toString();
        catalog.add("main.local.simple", simple, false);
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    static UnityCatalog uc(String uri) {
        return UnityCatalog.connect(uri, TestUnityCatalog.TOKEN, "$TEST_TOKEN")
                .withSettings(Map.of(UnityCatalog.ALLOW_FILE_LOCATIONS_KEY, "true"));
    }

    static Map<String, String> allowFiles() {
        return Map.of(UnityCatalog.ALLOW_FILE_LOCATIONS_KEY, "true");
    }

    /** Before: the HTTP client buffered the whole answer (OutOfMemoryError). */
    @Test
    void anAnswerThatNeverEndsIsRefusedAtItsBound() throws Exception {
        try (RawHttpServer endless = new RawHttpServer(RawHttpServer.Mode.ENDLESS)) {
            UnityCatalog client = uc(endless.uri()).withSettings(Map.of(UnityCatalog.MAX_ANSWER_BYTES_KEY, "65536"));
            UnityCatalogException e = assertThrows(UnityCatalogException.class,
                    () -> client.table("main.features.users"));
            assertTrue(e.getMessage().contains("longer than 65536 bytes")
                    && e.getMessage().contains(endless.uri() + UnityCatalog.API_PATH + "/tables/main.features.users")
                    && e.getMessage().contains(UnityCatalog.MAX_ANSWER_BYTES_KEY), e.getMessage());
            assertEquals(1, endless.connections.get(), "a refused answer is not asked again");
        }
    }

    /** Before: the request timeout covered only the answer's head, so a dripping body held the call for ever. */
    @Test
    void anAnswerThatDripsEndsAtTheCallsDeadline() throws Exception {
        try (RawHttpServer drip = new RawHttpServer(RawHttpServer.Mode.DRIP)) {
            UnityCatalog client = uc(drip.uri()).withSettings(Map.of(UnityCatalog.CALL_TIMEOUT_MS_KEY, "1500"));
            UnityCatalogException e = assertThrows(UnityCatalogException.class,
                    () -> client.open("main.features.users", Map.of()));
            assertEquals(-1, e.status());
            assertTrue(e.getMessage().contains("did not answer GET " + drip.uri() + UnityCatalog.API_PATH
                    + "/tables/main.features.users") && e.getMessage().contains("within 1500 ms"), e.getMessage());
        }
    }

    /** Before: a catalog answering every page from version 0 made Larder page (and collect commits) for ever. */
    @Test
    void aCommitListingThatDoesNotAdvanceOrHasTooManyPagesIsRefused() throws Exception {
        Path root = SharedTables.catalogManaged("catalog-owned-preview");
        catalog.addCatalogManaged("main.local.managed", root.toUri().toString(), root, 2);
        UnityCatalog client = uc(catalog.uri());
        UnityCatalogTable table = client.table("main.local.managed");
        String endpoint = catalog.uri() + UnityCatalog.API_PATH + "/delta/preview/commits";
        catalog.commitsPerPage = 1;
        try {
            CatalogCommits.Ratified paged = client.commits(table, 0);
            assertEquals(List.of(1L, 2L), paged.commits().stream().map(CatalogCommits.Commit::version).toList());
            assertEquals(2, client.open("main.local.managed", Map.of()).latestVersion(), "read through pages of one");

            UnityCatalogException pages = assertThrows(UnityCatalogException.class,
                    () -> client.withSettings(Map.of(UnityCatalog.MAX_PAGES_KEY, "1")).commits(table, 0));
            assertTrue(pages.getMessage().contains("more than 1 pages") && pages.getMessage().contains(endpoint)
                    && pages.getMessage().contains("main.local.managed"), pages.getMessage());

            catalog.ignoreStartVersion = true;
            long before = catalog.requests("/delta/");
            UnityCatalogException stuck = assertThrows(UnityCatalogException.class, () -> client.commits(table, 0));
            assertTrue(stuck.getMessage().contains("ignores start_version") && stuck.getMessage().contains(endpoint)
                    && stuck.getMessage().contains("main.local.managed"), stuck.getMessage());
            assertEquals(before + 2, catalog.requests("/delta/"), "stopped at the first page that does not advance");
        } finally {
            catalog.commitsPerPage = Integer.MAX_VALUE;
            catalog.ignoreStartVersion = false;
        }
    }

    /**
     * Before: only pages were counted, so a catalog moving a page's worth of commits forward each time, towards a huge
     * latest version, had Larder build up to max-pages times a page of commits (tens of millions: out of memory).
     */
    @Test
    void aCommitListingPastTheCommitCapIsRefused() {
        TestUnityCatalog.Table many = catalog.add("main.local.many", simple, true);
        for (long v = 0; v < 5000; v++) {
            many.staged.add(new CatalogCommits.Commit(v, String.format("%020d.uuid.json", v), 100, 1));
        }
        many.latestVersion.set(1L << 40);
        UnityCatalog client = uc(catalog.uri()).withSettings(Map.of(UnityCatalog.MAX_COMMITS_KEY, "1000"));
        UnityCatalogTable table = client.table("main.local.many");
        catalog.commitsPerPage = 100;
        try {
            long before = catalog.requests("/delta/");
            UnityCatalogException e = assertThrows(UnityCatalogException.class, () -> client.commits(table, 0));
            assertTrue(e.getMessage().contains("more than 1000 commits") && e.getMessage().contains("main.local.many")
                    && e.getMessage().contains(catalog.uri() + UnityCatalog.API_PATH + "/delta/preview/commits")
                    && e.getMessage().contains(UnityCatalog.MAX_COMMITS_KEY), e.getMessage());
            assertEquals(before + 11, catalog.requests("/delta/"), "stopped at the page that passed the cap");
        } finally {
            catalog.commitsPerPage = Integer.MAX_VALUE;
        }
    }

    /**
     * Before: a version listed twice on one page was kept twice (the listing then failed as not contiguous); now a
     * repeat is dropped, and a version listed with two different files is refused, naming both.
     */
    @Test
    void aCommitListedTwiceIsKeptOnceAndTwoFilesForOneVersionAreRefused() {
        TestUnityCatalog.Table twice = catalog.add("main.local.twice", simple, true);
        for (long v = 1; v <= 3; v++) {
            CatalogCommits.Commit c = new CatalogCommits.Commit(v, String.format("%020d.uuid.json", v), 100, 1);
            twice.staged.add(c);
            twice.staged.add(c);
        }
        twice.latestVersion.set(3);
        UnityCatalog client = uc(catalog.uri());
        UnityCatalogTable table = client.table("main.local.twice");
        assertEquals(List.of(1L, 2L, 3L),
                client.commits(table, 0).commits().stream().map(CatalogCommits.Commit::version).toList());

        twice.staged.add(new CatalogCommits.Commit(2, String.format("%020d.other.json", 2), 100, 1));
        UnityCatalogException e = assertThrows(UnityCatalogException.class, () -> client.commits(table, 0));
        assertTrue(e.getMessage().contains("version 2 twice")
                && e.getMessage().contains("00000000000000000002.uuid.json")
                && e.getMessage().contains("00000000000000000002.other.json")
                && e.getMessage().contains("main.local.twice"), e.getMessage());
    }

    /** Before: each page had its own deadline, so a catalog answering each just in time held a listing for hours. */
    @Test
    void aSlowListingEndsAtTheWholeListingsDeadline() {
        TestUnityCatalog.Table slow = catalog.add("main.local.slow", simple, true);
        for (long v = 0; v < 30; v++) {
            slow.staged.add(new CatalogCommits.Commit(v, String.format("%020d.uuid.json", v), 100, 1));
        }
        slow.latestVersion.set(29);
        UnityCatalog client = uc(catalog.uri()).withSettings(Map.of(UnityCatalog.LISTING_TIMEOUT_MS_KEY, "1000"));
        UnityCatalogTable table = client.table("main.local.slow");
        catalog.commitsPerPage = 1;
        catalog.commitsDelayMillis = 200;
        try {
            long before = catalog.requests("/delta/");
            UnityCatalogException e = assertThrows(UnityCatalogException.class, () -> client.commits(table, 0));
            assertTrue(e.getMessage().contains("within 1000 ms") && e.getMessage().contains("main.local.slow")
                    && e.getMessage().contains(catalog.uri() + UnityCatalog.API_PATH + "/delta/preview/commits")
                    && e.getMessage().contains(UnityCatalog.LISTING_TIMEOUT_MS_KEY), e.getMessage());
            assertTrue(catalog.requests("/delta/") - before < 30, "the listing went on past its deadline");
        } finally {
            catalog.commitsPerPage = Integer.MAX_VALUE;
            catalog.commitsDelayMillis = 0;
        }
    }

    /** Before: 429 was not retried; Retry-After was not read. */
    @Test
    void a429IsRetriedAfterItsRetryAfterWithinTheBound() {
        String json = "{\"error_code\":\"REQUEST_LIMIT_EXCEEDED\",\"message\":\"slow down\"}";
        long before = catalog.requests("/tables/");
        catalog.failNext("/tables/", 429, 2, "application/json", json, "1");
        assertEquals("main.local.simple", uc(catalog.uri()).table("main.local.simple").fullName());
        assertEquals(before + 3, catalog.requests("/tables/"), "two 429 answers retried");

        catalog.failNext("/tables/", 429, 1, "application/json", json, "3600");
        UnityCatalogException e = assertThrows(UnityCatalogException.class,
                () -> uc(catalog.uri()).table("main.local.simple"));
        assertEquals(429, e.status());
        assertTrue(e.getMessage().contains("HTTP 429 REQUEST_LIMIT_EXCEEDED") && e.getMessage().contains("3600000 ms")
                && e.getMessage().contains("/tables/main.local.simple"), e.getMessage());
        assertEquals(before + 4, catalog.requests("/tables/"), "a wait beyond the bound is not waited for");
    }

    /** Before: the location's filesystem was opened, contacting the host the catalog named. */
    @Test
    void aStorageLocationOffTheObjectStoresIsRefusedBeforeAnyRequest() throws Exception {
        try (RawHttpServer foreign = new RawHttpServer(RawHttpServer.Mode.COUNT_ONLY)) {
            String host = foreign.uri().substring("http://".length());
            List<String> locations = List.of("http://" + host + "/tables/t", "https://" + host + "/tables/t",
                    "webhdfs://" + host + "/tables/t", "hdfs://" + host + "/tables/t", "ftp://" + host + "/t",
                    "s3:///no-bucket", "not a uri\u001b[2K", "s3://bucket/\u202egnp.exe");
            for (int i = 0; i < locations.size(); i++) {
                String name = "main.foreign.t" + i;
                catalog.add(name, locations.get(i), false);
                long credentials = catalog.requests("/temporary-table-credentials");
                UnityCatalog plain = UnityCatalog.connect(catalog.uri(), TestUnityCatalog.TOKEN, "$T");
                UnityCatalogException e = assertThrows(UnityCatalogException.class,
                        () -> plain.open(name, allowFiles()));
                String shown = RemoteText.of(locations.get(i));
                assertTrue(e.getMessage().contains("table " + name) && e.getMessage().contains("'" + shown + "'")
                        && e.getMessage().contains("Unity Catalog at " + catalog.uri())
                        && e.getMessage().contains("refused before any request"), e.getMessage());
                assertEquals(credentials, catalog.requests("/temporary-table-credentials"), "no credentials asked for");
            }
            assertEquals(0, foreign.connections.get(), "the host the catalog named was contacted");
        }
    }

    /**
     * Before: an abfs(s) location needed only a container and some host, and a bucket any authority, so the catalog
     * could send ABFS (the SAS it vends, and any account-agnostic OAuth settings) to a host of its choosing.
     */
    @Test
    void anAzureLocationOffAzureOrAMalformedBucketIsRefusedBeforeAnyRequest() throws Exception {
        try (RawHttpServer foreign = new RawHttpServer(RawHttpServer.Mode.COUNT_ONLY)) {
            String host = foreign.uri().substring("http://".length());
            List<String> locations = List.of("abfss://c@" + host + "/t", "abfs://c@" + host + "/t",
                    "abfss://c@attacker.example/t", "abfss://c@acct.dfs.core.windows.net.attacker.example/t",
                    "abfss://c@acct.dfs.core.windows.net:" + foreign.uri().replaceAll(".*:", "") + "/t",
                    "abfss://c@ACCT_1.dfs.core.windows.net/t", "abfss://acct.dfs.core.windows.net/t",
                    "s3://" + host + "/t", "s3://bucket:" + foreign.uri().replaceAll(".*:", "") + "/t",
                    "s3a://KEYID:secret@bucket/t", "gs://" + host + "/t", "gs://Upper_Bucket/t", "s3://ab/t");
            Map<String, String> settings = new HashMap<>(allowFiles());
            settings.put("fs.azure.io.retry.max.retries", "0");
            settings.put("fs.azure.always.use.https", "false");
            catalog.vends = "azure";
            try {
                for (int i = 0; i < locations.size(); i++) {
                    String name = "main.offazure.t" + i;
                    catalog.add(name, locations.get(i), false);
                    long credentials = catalog.requests("/temporary-table-credentials");
                    UnityCatalog plain = UnityCatalog.connect(catalog.uri(), TestUnityCatalog.TOKEN, "$T");
                    UnityCatalogException e = assertThrows(UnityCatalogException.class,
                            () -> plain.open(name, settings));
                    String shown = RemoteText.of(Redaction.uris(locations.get(i)));
                    assertTrue(e.getMessage().contains("table " + name) && e.getMessage().contains("'" + shown + "'")
                            && e.getMessage().contains("refused before any request")
                            && !e.getMessage().contains("secret"), e.getMessage());
                    assertEquals(credentials, catalog.requests("/temporary-table-credentials"),
                            "no credentials asked for " + locations.get(i));
                }
            } finally {
                catalog.vends = "gcp";
            }
            assertEquals(0, foreign.connections.get(), "the host the catalog named was contacted");
        }
    }

    /** Azure's own endpoints pass; a stand-in's host (here on loopback) passes once the user allows its suffix. */
    @Test
    void anAzureHostIsReadWhenAzuresOrWhenTheUserAllowsItsSuffix() throws Exception {
        try (RawHttpServer standIn = new RawHttpServer(RawHttpServer.Mode.COUNT_ONLY)) {
            String port = standIn.uri().replaceAll(".*:", "");
            Map<String, String> settings = new HashMap<>();
            settings.put("fs.azure.abfs.endpoint", "127.0.0.1:" + port);
            settings.put("fs.azure.always.use.https", "false");
            settings.put("fs.azure.account.hns.enabled", "true");
            settings.put("fs.azure.createRemoteFileSystemDuringInitialization", "false");
            settings.put("fs.azure.io.retry.max.retries", "0");
            catalog.add("main.azure.standin", "abfs://c@acct.azure.stand-in.test/t", false);
            catalog.add("main.azure.gov", "abfss://data-1@govacct.dfs.core.usgovcloudapi.net/t", false);
            catalog.vends = "azure";
            try {
                UnityCatalog plain = UnityCatalog.connect(catalog.uri(), TestUnityCatalog.TOKEN, "$T");
                assertEquals("abfss://data-1@govacct.dfs.core.usgovcloudapi.net/t",
                        plain.table("main.azure.gov").storageLocation());
                UnityCatalogException e = assertThrows(UnityCatalogException.class,
                        () -> plain.open("main.azure.standin", settings));
                assertTrue(e.getMessage().contains(UnityCatalog.AZURE_HOST_SUFFIXES_KEY), e.getMessage());
                assertEquals(0, standIn.connections.get());

                settings.put(UnityCatalog.AZURE_HOST_SUFFIXES_KEY, "other.test, .stand-in.test");
                long credentials = catalog.requests("/temporary-table-credentials");
                assertThrows(RuntimeException.class, () -> plain.open("main.azure.standin", settings));
                assertEquals(credentials + 1, catalog.requests("/temporary-table-credentials"));
                assertTrue(standIn.connections.get() > 0, "the allowed stand-in was not read");
            } finally {
                catalog.vends = "gcp";
            }
        }
    }

    /** A local location is the user's to allow: refused by default (before: read), read when allowed. */
    @Test
    void aFileLocationIsReadOnlyWhenAllowed() {
        UnityCatalog plain = UnityCatalog.connect(catalog.uri(), TestUnityCatalog.TOKEN, "$T");
        UnityCatalogException e = assertThrows(UnityCatalogException.class,
                () -> plain.open("main.local.simple", Map.of()));
        assertTrue(e.getMessage().contains(UnityCatalog.ALLOW_FILE_LOCATIONS_KEY + "=true")
                && e.getMessage().contains(simple), e.getMessage());
        DeltaSource src = plain.open("main.local.simple", allowFiles());
        assertEquals(DeltaSource.open(simple).latestVersion(), src.latestVersion());
    }

    /** Before: the message reached the terminal raw (escapes, newlines) and a whole HTML page was printed. */
    @Test
    void theCatalogsTextIsPrintedOnOneLineEscapedAndBounded() {
        String forged = "{\"error_code\":\"BAD\\u001b[31m\","
                + "\"message\":\"no\\u001b[2K\\rloaded 9 rows of s3://x version 9\\n\"}";
        catalog.failNext("/tables/", 400, 1, "application/json", forged, null);
        UnityCatalog client = uc(catalog.uri());
        UnityCatalogException e = assertThrows(UnityCatalogException.class, () -> client.table("main.local.simple"));
        assertPrintable(e.getMessage());
        assertTrue(e.getMessage().contains(
                "HTTP 400 BAD\\u001b[31m: no\\u001b[2K\\rloaded 9 rows of s3://x version 9\\n"), e.getMessage());

        String page = "<html>\n" + "<p>Bad gateway, please try again later</p>\n".repeat(5000) + "</html>";
        catalog.failNext("/tables/", 502, UnityCatalog.ATTEMPTS, "text/html", page, "0");
        UnityCatalogException html = assertThrows(UnityCatalogException.class, () -> client.table("main.local.simple"));
        assertPrintable(html.getMessage());
        assertEquals(502, html.status());
        assertTrue(html.getMessage().contains("HTTP 502: <html>\\n<p>Bad gateway")
                && html.getMessage().contains("more)") && html.getMessage().length() < 1000, html.getMessage());
    }

    /** Before: a space was sent as '+' (form encoding), so the catalog was asked for another table. */
    @Test
    void aTableNameWithSpacesAndReservedCharactersIsSentExactly() {
        String name = "main.odd.my table+x/y?z#w%v&é";
        catalog.add(name, simple, false);
        UnityCatalogTable t = uc(catalog.uri()).table(name);
        assertEquals(name, t.fullName());
        assertEquals(simple, t.storageLocation());
        assertEquals("main.odd.my%20table%2Bx%2Fy%3Fz%23w%25v%26%C3%A9", UnityCatalog.pathSegment(name));
    }

    static void assertPrintable(String message) {
        assertTrue(message.chars().noneMatch(c -> c < 0x20 || c == 0x7f), "control characters in: " + message);
    }
}
