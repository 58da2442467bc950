package dev.larder.ingest;

import dev.larder.store.Column;
import dev.larder.store.ColumnType;
import dev.larder.store.FeatureSchema;
import dev.larder.store.RowBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread-safe in-memory versioned table for follower tests: version v holds commits 0..v; each commit is a list of
 * changes. Failure hooks: throw at a given change of a version, pause there until released, or drop old history.
 */
final class FakeSource implements ChangeSource {
    static final FeatureSchema SCHEMA = FeatureSchema.builder()
            .keyColumn("id", ColumnType.INT64)
            .column("x", ColumnType.FLOAT64)
            .add(Column.variable("tag", ColumnType.STRING, true, 16))
            .build();

    /** One change: an upsert of (id, x, tag) or, with delete set, a delete of id. */
    record Change(long id, double x, String tag, boolean delete) {
        static Change put(long id, double x) {
            return new Change(id, x, "t" + id, false);
        }

        static Change del(long id) {
            return new Change(id, 0, null, true);
        }
    }

    /** A stored row of the source's state. */
    record Row(double x, String tag) {
    }

    private final String id;
    private final List<List<Change>> commits = new ArrayList<>();
    private final List<Long> timestamps = new ArrayList<>();
    private long historyFloor = -1;
    private long failVersion = -1;
    private int failChange;
    private int failTimes;
    private long pauseVersion = -1;
    private int pauseChange;
    private CountDownLatch paused;
    private CountDownLatch release;
    final AtomicInteger bootstraps = new AtomicInteger();
    final List<Long> changeCallsAfter = new java.util.concurrent.CopyOnWriteArrayList<>();

    FakeSource(String id) {
        this.id = id;
    }

    synchronized long commit(Change... changes) {
        commits.add(List.of(changes));
        timestamps.add(1_000_000L + commits.size() * 1000L);
        return commits.size() - 1;
    }

    /** The state at {@code version}. */
    synchronized Map<Long, Row> state(long version) {
        Map<Long, Row> s = new TreeMap<>();
        for (int v = 0; v <= version; v++) {
            for (Change c : commits.get(v)) {
                if (c.delete()) {
                    s.remove(c.id());
                } else {
                    s.put(c.id(), new Row(c.x(), c.tag()));
                }
            }
        }
        return s;
    }

    synchronized long timestamp(long version) {
        return timestamps.get((int) version);
    }

    /** Throws at change {@code change} of {@code version}, {@code times} times (Integer.MAX_VALUE: until cleared). */
    synchronized void failAt(long version, int change, int times) {
        failVersion = version;
        failChange = change;
        failTimes = times;
    }

    synchronized void clearFailure() {
        failTimes = 0;
    }

    /** Blocks the reading thread before change {@code change} of {@code version} until {@link #release()}. */
    synchronized CountDownLatch pauseAt(long version, int change) {
        pauseVersion = version;
        pauseChange = change;
        paused = new CountDownLatch(1);
        release = new CountDownLatch(1);
        return paused;
    }

    synchronized void release() {
        pauseVersion = -1;
        release.countDown();
    }

    /** Drops the change history up to and including {@code version}: reading changes after an older version fails. */
    synchronized void vacuum(long version) {
        historyFloor = version;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String path() {
        return "mem://" + id;
    }

    @Override
    public FeatureSchema schema() {
        return SCHEMA;
    }

    @Override
    public synchronized long latestVersion() {
        return commits.size() - 1;
    }

    @Override
    public void bootstrap(long version, ChangeSink sink) {
        bootstraps.incrementAndGet();
        Map<Long, Row> s = state(version);
        sink.begin(version, timestamp(version));
        for (Map.Entry<Long, Row> e : s.entrySet()) {
            RowBuffer r = sink.row();
            fill(r, e.getKey(), e.getValue().x(), e.getValue().tag());
            sink.upsert(r);
        }
        sink.end();
    }

    @Override
    public void changes(long afterVersion, long upToVersion, ChangeSink sink) {
        changeCallsAfter.add(afterVersion);
        List<List<Change>> todo;
        long floor;
        synchronized (this) {
            todo = new ArrayList<>(commits.subList((int) afterVersion + 1, (int) upToVersion + 1));
            floor = historyFloor;
        }
        if (afterVersion < floor) {
            throw new HistoryUnavailableException("changes after version " + afterVersion
                    + " were vacuumed (history starts after " + floor + ")");
        }
        for (int i = 0; i < todo.size(); i++) {
            long v = afterVersion + 1 + i;
            sink.begin(v, timestamp(v));
            List<Change> changes = todo.get(i);
            for (int c = 0; c < changes.size(); c++) {
                hooks(v, c);
                Change ch = changes.get(c);
                RowBuffer r = sink.row();
                if (ch.delete()) {
                    r.setLong(0, ch.id());
                    sink.delete(r);
                } else {
                    fill(r, ch.id(), ch.x(), ch.tag());
                    sink.upsert(r);
                }
            }
            sink.end();
        }
    }

    private void hooks(long version, int change) {
        CountDownLatch wait = null;
        synchronized (this) {
            if (version == failVersion && change == failChange && failTimes > 0) {
                failTimes--;
                throw new IllegalStateException("injected failure reading change " + change + " of version " + version);
            }
            if (version == pauseVersion && change == pauseChange) {
                paused.countDown();
                wait = release;
            }
        }
        if (wait != null) {
            try {
                wait.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while paused", e);
            }
        }
    }

    static void fill(RowBuffer r, long id, double x, String tag) {
        r.setLong(0, id).setDouble(1, x);
        if (tag == null) {
            r.setNull(2);
        } else {
            r.setString(2, tag);
        }
    }
}
