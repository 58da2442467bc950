package dev.larder.cli;

import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.Lineage;
import dev.larder.store.StoreCorruptedException;
import dev.larder.store.StoreException;
import dev.larder.store.StoreFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code larder stats}: per table, rows, lineage, freshness and file sizes from the store; then the live freshness and
 * metrics a running {@code larder follow} last wrote, with their age.
 */
@Command(name = "stats", description = "Show tables (rows, lineage, freshness, sizes) and the live metrics of a running follow.")
final class StatsCommand implements Callable<Integer> {
    @Option(names = "--store", required = true, description = "Store directory.")
    Path store;

    @Override
    public Integer call() throws Exception {
        Path live = store.resolve(StatsFile.NAME);
        java.util.Optional<String> metrics = StatsFile.read(store);
        try (FeatureStore s = FeatureStore.openExisting(store)) {
            TreeSet<String> names = new TreeSet<>(s.tableNames());
            names.addAll(s.damagedTableNames());
            for (String name : names) {
                System.out.println(describe(s, name));
            }
        }
        if (metrics.isPresent()) {
            Duration age = Duration.between(Files.getLastModifiedTime(live).toInstant(), Instant.now());
            System.out.println();
            System.out.println("live status from the follow process (" + StatsFile.human(age) + " old):");
            metrics.get().lines().forEach(l -> System.out.println("  " + l));
        } else {
            System.out.println();
            System.out.println("no follow process has written " + StatsFile.NAME + " here (ingest metrics appear while one runs)");
        }
        return 0;
    }

    private static String describe(FeatureStore s, String name) {
        String size = sizeOnDisk(s.directory().resolve(name));
        FeatureTable t;
        try {
            t = s.table(name);
        } catch (StoreException e) {
            String hint = e instanceof StoreCorruptedException c ? LarderCli.rebuildHint(c).map(h -> "\n" + h).orElse("") : "";
            return name + ": " + size + "; " + e.getMessage() + hint;
        }
        Lineage l = t.lineage();
        String fresh = l.version() < 0 ? "no watermark yet"
                : "watermark v" + l.version() + " committed " + Instant.ofEpochMilli(l.commitTimestampMillis()) + " ("
                + StatsFile.human(Duration.ofMillis(Math.max(0, System.currentTimeMillis() - l.commitTimestampMillis()))) + " ago)";
        String out = String.format("%s: %,d rows, %s; source %s (id %s); %d-byte rows, %s%s%s", name, t.size(), fresh,
                l.sourcePath().isEmpty() ? "-" : l.sourcePath(), l.sourceId().isEmpty() ? "-" : l.sourceId(), t.layout().rowSize(),
                size, t.ttl().isZero() ? "" : ", TTL " + t.ttl(), t.recoveredOnOpen() ? " (recovered after an unclean close)" : "");
        s.close(name);
        return out;
    }

    /** The table directory's size for humans; a directory that cannot be listed says why instead of failing the listing. */
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
