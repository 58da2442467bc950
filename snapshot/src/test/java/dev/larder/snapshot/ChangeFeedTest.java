package dev.larder.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class ChangeFeedTest {
    private static final Pattern COMMIT_VERSION = Pattern.compile("\"_commit_version\": (\\d+)");

    /** Collects change rows and checks the delivery contract: begin/end pairs, removals before additions. */
    static final class Recorder implements ChangeConsumer {
        final List<DeltaCommit> commits = new ArrayList<>();
        /** Rows as JSON per version, with the computed/ trailing fields. */
        final Map<Long, List<String>> json = new TreeMap<>();
        /** Rows as upstream table cells per version, with _change_type, _commit_version, _commit_timestamp. */
        final Map<Long, List<Map<String, String>>> cells = new TreeMap<>();
        private DeltaCommit open;
        private boolean additionSeen;

        @Override
        public boolean beginCommit(DeltaCommit commit) {
            assertEquals(null, open, "beginCommit before endCommit");
            if (!commits.isEmpty()) {
                assertEquals(commits.getLast().version() + 1, commit.version());
            }
            open = commit;
            additionSeen = false;
            commits.add(commit);
            json.put(commit.version(), new ArrayList<>());
            cells.put(commit.version(), new ArrayList<>());
            return true;
        }

        @Override
        public void change(ChangeKind kind, DeltaRow row) {
            if (kind.removesImage()) {
                assertFalse(additionSeen, "v" + open.version() + ": a removal followed an addition");
            } else {
                additionSeen = true;
            }
            Map<String, Object> trailing = new LinkedHashMap<>();
            trailing.put("_change_type", kind.deltaName());
            trailing.put("_commit_version", open.version());
            if (open.timestampSource() == DeltaCommit.TimestampSource.IN_COMMIT_TIMESTAMP) {
                trailing.put("_commit_timestamp_ict_ms", open.timestampMillis());
            }
            json.get(open.version()).add(JsonRowFormat.toJson(row, trailing));
            Map<String, String> c = new LinkedHashMap<>();
            for (int i = 0; i < row.schema().size(); i++) {
                StringBuilder sb = new StringBuilder();
                JsonRowFormat.appendValue(sb, row, i);
                c.put(row.schema().column(i).name(), cell(sb.toString()));
            }
            c.put("_change_type", kind.deltaName());
            c.put("_commit_version", Long.toString(open.version()));
            c.put("_commit_timestamp", DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS")
                    .format(LocalDateTime.ofInstant(Instant.ofEpochMilli(open.timestampMillis()), ZoneOffset.UTC)));
            cells.get(open.version()).add(c);
        }

        @Override
        public void endCommit(DeltaCommit commit) {
            assertEquals(open, commit);
            open = null;
        }

        /** Upstream pretty tables print strings bare, structs as {k: v}, nulls as empty cells. */
        private static String cell(String json) {
            if (json.equals("null")) {
                return "";
            }
            if (json.startsWith("\"")) {
                return json.substring(1, json.length() - 1);
            }
            return json.replace("\"", "");
        }
    }

    private static boolean isCdfTable(String name) {
        return Files.exists(SharedTables.root().resolve(name).resolve("computed").resolve("cdf-all-versions.jsonl"));
    }

    /** CDF became readable at v1 on the column-mapping tables (SET TBLPROPERTIES), so computed/ starts there. */
    private static long firstCdfVersion(String name) {
        return name.startsWith("cdf-column-mapping-") ? 1 : 0;
    }

    /** Every CDF table: change rows per version equal computed/cdf-all-versions.jsonl as multisets. */
    @TestFactory
    Stream<DynamicTest> changesEqualComputedFeed() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : SharedTables.names()) {
            if (!isCdfTable(name) || name.equals("cdf-table-update-ops")) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest(name, () -> {
                DeltaSource source = DeltaSource.open(SharedTables.table(name).toString());
                long from = firstCdfVersion(name);
                Recorder rec = new Recorder();
                assertEquals(source.latestVersion(), source.changes(from, source.latestVersion(), rec));
                Map<Long, List<String>> expected = new TreeMap<>();
                for (long v = from; v <= source.latestVersion(); v++) {
                    expected.put(v, new ArrayList<>());
                }
                for (String line : SharedTables.lines(
                        SharedTables.root().resolve(name).resolve("computed").resolve("cdf-all-versions.jsonl"))) {
                    Matcher m = COMMIT_VERSION.matcher(line);
                    assertTrue(m.find(), line);
                    expected.get(Long.parseLong(m.group(1))).add(line);
                }
                for (List<String> rows : expected.values()) {
                    rows.sort(null);
                }
                for (List<String> rows : rec.json.values()) {
                    rows.sort(null);
                }
                assertEquals(expected, rec.json);
            }));
        }
        assertTrue(tests.size() >= 13, "CDF tables found: " + tests.size());
        return tests.stream();
    }

    /** The upstream assertions copied into expected-cdf/: same rows (as printed cells) over the same range. */
    @TestFactory
    Stream<DynamicTest> changesEqualUpstreamAssertions() {
        Pattern kernelRange = Pattern.compile("start_version=(\\d+), end_version=(\\d+|None)");
        Pattern deltaRsVersion = Pattern.compile("with_starting_version\\((\\d+)\\)");
        Pattern deltaRsTimestamp = Pattern.compile("with_starting_timestamp\\(([^)]+)\\)");
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : SharedTables.names()) {
            Path dir = SharedTables.root().resolve(name).resolve("expected-cdf");
            if (!Files.isDirectory(dir) || name.equals("cdf-table-update-ops")) {
                continue;
            }
            for (Path file : list(dir)) {
                tests.add(DynamicTest.dynamicTest(name + "/" + file.getFileName(), () -> {
                    DeltaSource source = DeltaSource.open(SharedTables.table(name).toString());
                    String header = String.join("\n", SharedTables.lines(file).stream()
                            .filter(l -> l.startsWith("#")).toList());
                    long from = 0;
                    long to = source.latestVersion();
                    long minTimestamp = Long.MIN_VALUE;
                    Matcher k = kernelRange.matcher(header);
                    Matcher v = deltaRsVersion.matcher(header);
                    Matcher t = deltaRsTimestamp.matcher(header);
                    if (k.find()) {
                        from = Long.parseLong(k.group(1));
                        to = k.group(2).equals("None") ? to : Long.parseLong(k.group(2));
                    } else if (v.find()) {
                        from = Long.parseLong(v.group(1));
                    } else {
                        assertTrue(t.find(), header);
                        // delta-rs keeps each commit whose own (in-commit) timestamp is >= the start.
                        minTimestamp = LocalDateTime.parse(t.group(1)).toInstant(ZoneOffset.UTC).toEpochMilli();
                    }
                    Recorder rec = new Recorder();
                    source.changes(from, to, rec);
                    // delta-rs stamps commits of tables without in-commit timestamps with commitInfo.timestamp; the
                    // Delta protocol, and so this feed, with the commit file's modification time, which git does not
                    // keep.
                    boolean compareTimestamps = rec.commits.stream()
                            .allMatch(c -> c.timestampSource() == DeltaCommit.TimestampSource.IN_COMMIT_TIMESTAMP);
                    List<String> actual = new ArrayList<>();
                    List<String> expected = new ArrayList<>();
                    List<String> columns = null;
                    int skipped = -1;
                    for (String line : SharedTables.lines(file)) {
                        if (line.startsWith("#") || line.startsWith("+")) {
                            continue;
                        }
                        List<String> cellsOfLine = new ArrayList<>(splitRow(line));
                        if (columns == null) {
                            skipped = compareTimestamps ? -1 : cellsOfLine.indexOf("_commit_timestamp");
                        }
                        if (skipped >= 0) {
                            cellsOfLine.remove(skipped);
                        }
                        if (columns == null) {
                            columns = cellsOfLine;
                        } else {
                            expected.add(String.join("|", cellsOfLine));
                        }
                    }
                    for (DeltaCommit c : rec.commits) {
                        if (c.timestampMillis() < minTimestamp) {
                            continue;
                        }
                        for (Map<String, String> row : rec.cells.get(c.version())) {
                            List<String> picked = new ArrayList<>();
                            for (String col : columns) {
                                picked.add(row.get(col));
                            }
                            actual.add(String.join("|", picked));
                        }
                    }
                    expected.sort(null);
                    actual.sort(null);
                    assertEquals(expected, actual);
                }));
            }
        }
        assertTrue(tests.size() >= 15, "expected-cdf files found: " + tests.size());
        return tests.stream();
    }

    private static List<String> splitRow(String line) {
        String body = line.trim();
        body = body.substring(1, body.length() - 1);
        List<String> out = new ArrayList<>();
        for (String c : body.split("\\|", -1)) {
            out.add(c.trim());
        }
        return out;
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void nonSpecChangeTypesAreRejectedNamingFileAndColumn() {
        DeltaSource source = DeltaSource.open(SharedTables.table("cdf-table-update-ops").toString());
        Recorder rec = new Recorder();
        DeltaReadException e = assertThrows(DeltaReadException.class, () -> source.changes(0, 2, rec));
        assertEquals(DeltaReadException.Reason.INVALID_DATA, e.reason());
        assertEquals(1, e.version());
        assertEquals("_change_type", e.column());
        // The log spells the file URL-encoded (test%25file%25prefix-...); the error names the decoded path.
        assertTrue(e.file().contains("/test%file%prefix-"), e.file());
        assertTrue(e.getMessage().contains("'update_pre'"), e.getMessage());
        assertEquals(10, rec.json.get(0L).size());
    }

    @Test
    void commitTimestampsAreInCommitTimestampsWhereEnabledElseFileTimes() {
        Recorder ict = new Recorder();
        DeltaSource.open(SharedTables.table("cdc_ict_table").toString()).changes(0, 3, ict);
        assertEquals(List.of(1783874203271L, 1683874206883L, 1783874212175L, 1783874213881L),
                ict.commits.stream().map(DeltaCommit::timestampMillis).toList());
        assertTrue(ict.commits.stream()
                .allMatch(c -> c.timestampSource() == DeltaCommit.TimestampSource.IN_COMMIT_TIMESTAMP));

        Recorder plain = new Recorder();
        DeltaSource.open(SharedTables.table("cdf-table").toString()).changes(0, 0, plain);
        assertEquals(DeltaCommit.TimestampSource.FILE_MODIFICATION_TIME, plain.commits.getFirst().timestampSource());
    }

    @Test
    void metadataChangesAreAnnouncedAndTheConsumerCanStop() {
        DeltaSource source = DeltaSource.open(SharedTables.table("cdf-column-mapping-name-mode").toString());
        List<DeltaCommit> seen = new ArrayList<>();
        long last = source.changes(0, 4, new ChangeConsumer() {
            @Override
            public boolean beginCommit(DeltaCommit commit) {
                seen.add(commit);
                return commit.version() < 1 || !commit.metadataChanged();
            }

            @Override
            public void change(ChangeKind kind, DeltaRow row) {
            }

            @Override
            public void endCommit(DeltaCommit commit) {
            }
        });
        assertEquals(0, last, "v1 (SET TBLPROPERTIES) carries metaData, so the consumer stopped before it");
        assertEquals(List.of(true, true), seen.stream().map(DeltaCommit::metadataChanged).toList());
        assertTrue(seen.get(1).schema().isAdditiveEvolutionOf(seen.get(0).schema()));
        assertEquals(List.of("id", "name", "value"),
                seen.get(1).schema().columns().stream().map(DeltaColumn::name).toList());
    }
}
