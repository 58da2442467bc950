package dev.larder.cli;

import dev.larder.Larder;
import dev.larder.ReadStats;
import dev.larder.TableStatus;
import dev.larder.ingest.Redaction;
import dev.larder.store.StoreFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * The status a running {@code larder follow} leaves in its store ({@code larder-stats.txt}, replaced atomically at each
 * status interval) so that {@code larder stats}, a separate process, can show live freshness and metrics. Stateless.
 */
final class StatsFile {
    static final String NAME = "larder-stats.txt";

    private StatsFile() {
    }

    static String render(Larder larder) {
        StringBuilder sb = new StringBuilder();
        sb.append("written ").append(Instant.now()).append(" by pid ").append(ProcessHandle.current().pid())
                .append('\n');
        for (TableStatus s : larder.status()) {
            sb.append(statusLine(s)).append('\n');
            ReadStats r = larder.table(s.table()).readStats();
            if (r.lookups() > 0) {
                sb.append("  ").append(r).append('\n');
            }
        }
        sb.append("ingest: ").append(larder.ingestMetrics().snapshot()).append('\n');
        return sb.toString();
    }

    static String statusLine(TableStatus s) {
        return String.format("%s [%s] %s: watermark v%d (committed %s), source latest v%d, lag %d versions, "
                        + "last poll %s ago, staleness %s, %s%s",
                s.table(), s.generation(), s.state(), s.watermarkVersion(),
                Instant.ofEpochMilli(s.watermarkCommitTimestampMillis()), s.latestSourceVersion(), s.lagVersions(),
                human(s.sinceLastPoll()), human(s.staleness()), s.healthy() ? "HEALTHY" : "UNHEALTHY",
                (s.applyingVersion() >= 0 ? "; applying v" + s.applyingVersion() : "")
                        + (s.lastApply() == null ? "" : "; last applied " + s.lastApply())
                        + (s.damagedRows() > 0 ? "; " + s.damagedRows() + " rows fail their checksum" : "")
                        + (s.lastError() == null ? "" : "; last error: " + Redaction.text(s.lastError()))
                        + (s.stoppedParts().isEmpty() ? "" : "; stopped: "
                                + Redaction.text(String.join("; ", s.stoppedParts()))));
    }

    static String human(java.time.Duration d) {
        long ms = d.toMillis();
        return ms < 10_000 ? ms + " ms" : ms < 600_000 ? ms / 1000 + " s" : d.toMinutes() + " min";
    }

    static void write(Path store, String text) throws IOException {
        StoreFiles.replaceAtomically(store.resolve(NAME), text.getBytes(StandardCharsets.UTF_8));
    }

    static Optional<String> read(Path store) throws IOException {
        Path p = store.resolve(NAME);
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
