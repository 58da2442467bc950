package dev.larder.kafka;

import dev.larder.ingest.ChangeSink;
import dev.larder.ingest.ChangeSource;
import dev.larder.ingest.HistoryUnavailableException;
import dev.larder.store.FeatureSchema;
import dev.larder.store.RowBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A batch source in memory for {@link BatchAndKafkaSourceTest}: versions of (id, value, ts) upserts and deletes whose
 * history can be dropped, as a vacuumed Delta table's is, so its follower bootstraps again. Version {@code v} commits
 * at {@code 1000 + v} ms. Thread-safe.
 */
final class VanishingBatchSource implements ChangeSource {
    static final FeatureSchema SCHEMA = KafkaFeed.schema("id int64, value float64, ts timestamp", "id");

    private final List<List<double[]>> versions = new ArrayList<>();
    private long historyFloor = -1;

    /** Commits rows {id, value, ts µs} as the next version (a NaN value deletes the id); returns it. */
    synchronized long commit(double[]... rows) {
        versions.add(List.of(rows));
        return versions.size() - 1;
    }

    /** Makes the changes up to the latest version unreadable: a follower behind it must bootstrap again. */
    synchronized void dropHistory() {
        historyFloor = versions.size() - 1;
    }

    @Override
    public String id() {
        return "vanishing";
    }

    @Override
    public String path() {
        return "memory://vanishing";
    }

    @Override
    public FeatureSchema schema() {
        return SCHEMA;
    }

    @Override
    public synchronized long latestVersion() {
        return versions.size() - 1;
    }

    @Override
    public void bootstrap(long version, ChangeSink sink) {
        Map<Long, double[]> state = new TreeMap<>();
        synchronized (this) {
            for (int v = 0; v <= version; v++) {
                for (double[] r : versions.get(v)) {
                    state.put((long) r[0], r);
                }
            }
        }
        sink.begin(version, 1000 + version);
        for (double[] r : state.values()) {
            sink.upsert(fill(sink.row(), r));
        }
        sink.end();
    }

    @Override
    public void changes(long afterVersion, long upToVersion, ChangeSink sink) {
        List<List<double[]>> wanted;
        synchronized (this) {
            if (afterVersion < historyFloor) {
                throw new HistoryUnavailableException("changes after version " + afterVersion + " are gone");
            }
            wanted = List.copyOf(versions.subList((int) afterVersion + 1, (int) upToVersion + 1));
        }
        for (int i = 0; i < wanted.size(); i++) {
            sink.begin(afterVersion + 1 + i, 1000 + afterVersion + 1 + i);
            for (double[] r : wanted.get(i)) {
                if (Double.isNaN(r[1])) {
                    // As a Delta change feed's deletes: the key only.
                    sink.delete(sink.row().setLong(0, (long) r[0]));
                } else {
                    sink.upsert(fill(sink.row(), r));
                }
            }
            sink.end();
        }
    }

    private static RowBuffer fill(RowBuffer row, double[] r) {
        return row.setLong(0, (long) r[0]).setDouble(1, r[1]).setLong(2, (long) r[2]);
    }
}
