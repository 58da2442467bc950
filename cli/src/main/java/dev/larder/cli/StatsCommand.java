package dev.larder.cli;

import dev.larder.Larder;
import dev.larder.Lineage;
import dev.larder.TableFiles;
import dev.larder.ingest.Redaction;
import dev.larder.store.StoreCorruptedException;
import dev.larder.store.StoreFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code larder stats}: per table, rows, lineage, freshness and file sizes from the store; then the live freshness and
 * metrics a running {@code larder follow} last wrote, with their age. Opens the store read-only
 * ({@link Larder#openReadOnly}), so it answers beside a running {@code follow} and recovers nothing.
 */
@Command(name = "stats",
        description = "Show tables (rows, lineage, freshness, sizes) and the live metrics of a running follow.")
final class StatsCommand implements Callable<Integer> {
    @Option(names = "--store", required = true, description = "Store directory.")
    Path store;

    @Override
    public Integer call() throws Exception {
        Path live = store.resolve(StatsFile.NAME);
        java.util.Optional<String> metrics = StatsFile.read(store);
        try (Larder larder = Larder.openReadOnly(store)) {
            for (TableFiles t : larder.tableFiles(PAYLOAD_SAMPLE)) {
                System.out.println(describe(t));
            }
        }
        if (metrics.isPresent()) {
            Duration age = Duration.between(Files.getLastModifiedTime(live).toInstant(), Instant.now());
            System.out.println();
            System.out.println("live status from the follow process (" + StatsFile.human(age) + " old):");
            metrics.get().lines().forEach(l -> System.out.println("  " + Redaction.text(l)));
        } else {
            System.out.println();
            System.out.println("no follow process has written " + StatsFile.NAME
                    + " here (ingest metrics appear while one runs)");
        }
        return 0;
    }

    /**
     * One generation of a table: as {@code t} when it is the only one, else as {@code t [t.g2]}, saying which is
     * current.
     */
    private String describe(TableFiles t) {
        String size = sizeOnDisk(store.resolve(t.generation()));
        String name = t.table();
        if (!t.generation().equals(t.table()) || t.generations() > 1) {
            name = t.table() + " [" + t.generation() + (t.current() ? "" : ", not current: an unfinished or replaced "
                    + "generation, dropped when the table is next followed or rebuilt") + "]";
        }
        if (t.error() != null) {
            String hint = t.error() instanceof StoreCorruptedException c
                    ? LarderCli.rebuildHint(c).map(h -> "\n" + h).orElse("") : "";
            return name + ": " + size + "; " + t.error().getMessage() + hint;
        }
        Lineage l = t.lineage();
        String fresh = l.version() < 0 ? "no watermark yet"
                : "watermark v" + l.version() + " committed " + Instant.ofEpochMilli(l.commitTimestampMillis()) + " ("
                + StatsFile.human(Duration.ofMillis(Math.max(0,
                        System.currentTimeMillis() - l.commitTimestampMillis())))
                + " ago)";
        String catalog = l.fromCatalog()
                ? "Unity Catalog table " + l.catalogTable() + " (table_id " + l.catalogTableId() + ") at " : "";
        return String.format("%s: %,d rows, %s; source %s%s (id %s); %d-byte rows, %s%s%s%n  %s", name, t.rows(),
                fresh, catalog,
                l.sourcePath().isEmpty() ? "-" : Redaction.uris(l.sourcePath()),
                l.sourceId().isEmpty() ? "-" : l.sourceId(), t.rowBytes(),
                size, t.ttl().isZero() ? "" : ", TTL " + t.ttl(),
                t.openForWrite() ? " (open in a writer, or not closed cleanly)" : "",
                memory(t.memory()));
    }

    /** The payload of this many live rows is measured (a uniform sample: index order is hash order). */
    static final long PAYLOAD_SAMPLE = 100_000;

    /**
     * Off-heap bytes per row against the payload (the values' own bytes), and what the bytes are: for a table of a
     * few rows, the files' minimum sizes dominate and the row slot size says what a row costs.
     */
    static String memory(TableFiles.Memory m) {
        String files = String.format("rows.dat %s, index %s, heap.dat %s of which %s garbage until a rebuild",
                human(m.rowsBytes()), human(m.indexBytes()), human(m.heapBytes()), human(m.heapGarbage()));
        if (m.liveRows() == 0) {
            return "off-heap " + human(m.offHeapBytes()) + ": " + files;
        }
        return String.format("off-heap %.1f B/row (%s), payload %.1f B/row (values' bytes, over %,d rows): %.2fx the "
                + "payload", m.bytesPerRow(), files, m.payloadPerRow(), m.sampledRows(), m.ratioToPayload());
    }

    private static String human(long bytes) {
        return bytes < 10_000 ? bytes + " B" : bytes < 10_000_000 ? String.format("%.1f kB", bytes / 1e3)
                : String.format("%.1f MB", bytes / 1e6);
    }

    /**
     * The table directory's size for humans; a directory that cannot be listed says why instead of failing the listing.
     */
    private static String sizeOnDisk(Path dir) {
        long bytes = 0;
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                bytes += Files.size(p);
            }
        } catch (IOException e) {
            return "size unknown (" + StoreFiles.describe(e) + ")";
        }
        return String.format("%.1f MB on disk", bytes / 1e6);
    }
}
