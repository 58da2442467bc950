package dev.larder.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.ingest.RemoteText;
import dev.larder.snapshot.CatalogCommits;
import dev.larder.snapshot.DeltaSource;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Unity Catalog that misbehaves, on real loopback sockets: answers that never end or drip a byte at a time, commit
 * listings that never advance, storage locations on hosts the catalog chose, retry requests, and error texts with
 * terminal escapes or whole HTML pages. Each is a clear error naming the endpoint (or the table, location and
 * catalog), within bounds, and nothing reaches a host that is not an object store. The tables live on the local disk
 * ({@code file:} locations, which these tests allow).
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
