package dev.larder;

import dev.larder.ingest.TableHandle;
import dev.larder.snapshot.DeltaSource;
import dev.larder.snapshot.servelog.ServeLogLayout;
import dev.larder.snapshot.servelog.ServeLogRows;
import dev.larder.snapshot.servelog.ServeLogTable;
import dev.larder.snapshot.servelog.SkewCheck;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.hadoop.conf.Configuration;

/**
 * Thread-safe: one vector's served-feature log, the serving threads' {@link LogBuffer}s, the daemon thread that drains
 * them, and the one that commits to the Delta log ({@link ServeLogTable}) every {@link ServeLog#rollEvery()} or
 * {@link ServeLog#rollRows()} vectors. The rows are double-buffered: the drain goes on emptying the serving threads'
 * rings into one set of rows while the other is being committed, so a commit's latency does not fill the rings. The
 * drain thread gives each row's version its commit timestamp: the table's
 * watermark timestamp when the version is the watermark (every drain cycle remembers it), else the source Delta
 * table's timestamp of that version (the rule the store stamped the row with), cached.
 */
final class ServeLogger implements AutoCloseable, ServeLogMXBean {
    private static final System.Logger LOG = System.getLogger(ServeLogger.class.getName());
    /** After a failed commit the drain waits this long before trying again (a flush tries at once). */
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int MAX_CACHED_VERSIONS = 100_000;

    /** A serving thread's buffer and the filler owning it: the buffer is forgotten once both are gone and empty. */
    private record Producer(LogBuffer buffer, WeakReference<Object> owner) {
    }

    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class,
            ByteOrder.LITTLE_ENDIAN);

    private final String vector;
    private final ServeLog settings;
    private final ServeLogLayout layout;
    /** {@link LogBuffer#keyWidth} of the buffers: 0 for one integral key. */
    private final int keyWidth;
    private final ServeLogTable table;
    /** The Hadoop settings the log is written with, and its skew check reads with. */
    private final Configuration conf;
    /** The rows the drain fills; the committer's are {@link #committing}; they swap when a commit is handed over. */
    private ServeLogRows rows;
    /** The other rows, empty, while no commit is in progress or failed; null otherwise. */
    private ServeLogRows spare;
    /** Rows handed to the committer (in progress, or failed and awaiting a retry); null if none. */
    private ServeLogRows committing;
    /** The commit of {@link #committing} in progress; null if none. */
    private Future<?> pending;
    private final ExecutorService committer;
    private final TableHandle[] handles;
    /** Per table its Delta source, null for a table the application feeds. */
    private final DeltaSource[] sources;
    private final List<Map<Long, Long>> commitTimestamps;
    /** The log's reason code for each of the store's read statuses, by ordinal. */
    private final byte[] reasons;
    private final List<Producer> producers = new CopyOnWriteArrayList<>();
    private final Thread drain;
    private volatile boolean closed;
    /*
     * Counters written under this logger's monitor (by one thread at a time) and read without it, so that reading the
     * stats never waits for a commit in progress.
     */
    /** Dropped and logged counts of the buffers forgotten, so the totals stay whole. */
    private volatile long forgottenLogged;
    private volatile long forgottenDropped;
    private volatile long committed;
    private volatile long commits;
    private volatile long failedCommits;
    private volatile long lastVersion = -1;
    private volatile String lastError = "";
    private long windowStart;
    private long retryAfter;

    ServeLogger(String vector, ServeLog settings, ServeLogLayout layout, int keyWidth, TableHandle[] handles,
                DeltaSource[] sources) {
        this.vector = vector;
        this.settings = settings;
        this.layout = layout;
        this.keyWidth = keyWidth;
        this.conf = DeltaSource.localConfiguration();
        if (Cloud.available()) {
            Cloud.hadoopSettings(Map.of()).forEach(conf::set);
        }
        this.table = ServeLogTable.open(settings.to(), conf, layout);
        this.rows = new ServeLogRows(layout, settings.rollRows());
        rows.tags(settings.model(), settings.modelVersion());
        this.spare = new ServeLogRows(layout, settings.rollRows());
        spare.tags(settings.model(), settings.modelVersion());
        this.committer = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().daemon().name("larder-servelog-commit-" + vector).factory());
        this.handles = handles;
        this.sources = sources;
        this.commitTimestamps = java.util.stream.Stream.generate(() -> (Map<Long, Long>) new HashMap<Long, Long>())
                .limit(handles.length).toList();
        dev.larder.store.ReadStatus[] all = dev.larder.store.ReadStatus.values();
        this.reasons = new byte[all.length];
        for (dev.larder.store.ReadStatus s : all) {
            reasons[s.ordinal()] = reason(s);
        }
        this.drain = Thread.ofPlatform().daemon().name("larder-servelog-" + vector).unstarted(this::run);
        drain.start();
    }

    /** The log's reason code for a feature read with status {@code s}. */
    static byte reason(dev.larder.store.ReadStatus s) {
        return switch (ReadStatus.of(s)) {
            case FOUND -> ServeLogRows.FROM_DATA;
            case NOT_FOUND -> ServeLogRows.NOT_FOUND;
            case NULL -> ServeLogRows.NULL;
            case EXPIRED -> ServeLogRows.EXPIRED;
            case NOT_OWNED -> ServeLogRows.NOT_OWNED;
        };
    }

    /** A buffer for a new filler ({@code owner}) of {@code features} features over {@code tables} tables. */
    LogBuffer newBuffer(Object owner, int features, int tables) {
        LogBuffer b = new LogBuffer(settings.bufferRecords(), features, tables, keyWidth, settings.sample());
        producers.add(new Producer(b, new WeakReference<>(owner)));
        return b;
    }

    ServeLog settings() {
        return settings;
    }

    private void run() {
        long pollNanos = Math.clamp(settings.rollEvery().toNanos() / 10, TimeUnit.MILLISECONDS.toNanos(1),
                TimeUnit.MILLISECONDS.toNanos(50));
        while (!closed) {
            try {
                cycle(false);
            } catch (RuntimeException e) {
                lastError = String.valueOf(e);
                LOG.log(System.Logger.Level.WARNING, "served-feature log of vector " + vector + ": " + e, e);
            }
            LockSupport.parkNanos(pollNanos);
        }
    }

    /** Drains every buffer and commits what is due ({@code force}: whatever awaits, failures retried at once). */
    private synchronized void cycle(boolean force) {
        for (int t = 0; t < handles.length; t++) {
            dev.larder.store.Lineage l = handles[t].lineage();
            if (l.version() >= 0) {
                remember(t, l.version(), l.commitTimestampMillis());
            }
        }
        for (Producer p : producers) {
            while (drain(p.buffer()) && handOver(force)) {
                // The rows filled up and went to the committer: drain the rest of this buffer into the spare ones.
            }
            LogBuffer b = p.buffer();
            if (p.owner().get() == null && b.tail() == b.logged()) {
                synchronized (producers) {
                    producers.remove(p);
                    forgottenLogged += b.logged();
                    forgottenDropped += b.dropped();
                }
            }
        }
        if (rows.size() > 0 && (force || rows.full()
                || System.nanoTime() - windowStart >= settings.rollEvery().toNanos())) {
            handOver(force);
        }
        if (force) {
            settle(true);
        }
    }

    /**
     * Moves what {@code b} holds into the rows, as far as they have room.
     *
     * @return whether the rows filled up before the buffer emptied
     */
    private boolean drain(LogBuffer b) {
        long seq = b.tail();
        long end = b.logged();
        int features = b.features;
        int tables = b.tables;
        while (seq < end) {
            if (rows.full()) {
                b.release(seq);
                return true;
            }
            if (rows.size() == 0) {
                windowStart = System.nanoTime();
            }
            int at = b.offset(seq);
            int r = rows.add();
            rows.requestId[r] = b.longs[at + LogBuffer.REQUEST_ID];
            rows.servedAtMillis[r] = b.longs[at + LogBuffer.SERVED_AT];
            if (keyWidth == 0) {
                rows.key[r] = b.longs[at + LogBuffer.KEY];
            } else {
                decodeKey(b.keys, b.keyOffset(seq), r);
            }
            for (int f = 0; f < features; f++) {
                rows.values[f][r] = Double.longBitsToDouble(b.longs[at + LogBuffer.VALUES + f]);
                rows.reasons[f][r] = reasons[b.status(at, f)];
            }
            for (int t = 0; t < tables; t++) {
                long version = b.longs[at + LogBuffer.VALUES + features + t];
                rows.versions[t][r] = version;
                rows.commitTs[t][r] = commitTimestamp(t, version);
            }
            seq++;
        }
        b.release(seq);
        return false;
    }

    /** Sets row {@code r}'s key columns from a key's encoding ({@link dev.larder.store.Key#copyEncoded}) at p. */
    private void decodeKey(byte[] bytes, int p, int r) {
        for (int k = 0; k < layout.keyKinds().size(); k++) {
            switch (layout.keyKinds().get(k)) {
                case LONG -> {
                    rows.longKey(k)[r] = (long) LogBuffer.LONG_LE.get(bytes, p);
                    p += 8;
                }
                case BOOLEAN -> rows.booleanKey(k)[r] = bytes[p++] != 0;
                case STRING -> {
                    int len = (int) INT_LE.get(bytes, p);
                    rows.stringKey(k)[r] = new String(bytes, p + 4, len, StandardCharsets.UTF_8);
                    p += 4 + len;
                }
            }
        }
    }

    private void remember(int t, long version, long millis) {
        Map<Long, Long> cache = commitTimestamps.get(t);
        if (cache.size() >= MAX_CACHED_VERSIONS) {
            cache.clear();
        }
        cache.put(version, millis);
    }

    /** The commit timestamp of table {@code t}'s {@code version}, {@link ServeLogRows#UNKNOWN} if it cannot be told. */
    private long commitTimestamp(int t, long version) {
        if (version < 0) {
            return ServeLogRows.UNKNOWN;
        }
        Long known = commitTimestamps.get(t).get(version);
        if (known != null) {
            return known;
        }
        dev.larder.store.Lineage l = handles[t].lineage();
        long millis = ServeLogRows.UNKNOWN;
        if (l.version() == version) {
            millis = l.commitTimestampMillis();
        } else if (sources[t] != null) {
            try {
                millis = sources[t].commitTimestamp(version);
            } catch (RuntimeException e) {
                // A version whose commit is gone (VACUUMed or expired log): its rows are logged without a timestamp.
                LOG.log(System.Logger.Level.DEBUG, "no commit timestamp for version " + version + ": " + e);
            }
        }
        if (millis != ServeLogRows.UNKNOWN) {
            remember(t, version, millis);
        }
        return millis;
    }

    /**
     * Hands the drained rows to the committer, swapping in the spare ones; with {@code wait}, waits for a commit in
     * progress first and retries a failed one at once.
     *
     * @return false if the committer is still busy (with a commit in progress, or a failed one to retry first)
     */
    private boolean handOver(boolean wait) {
        settle(wait);
        if (pending != null) {
            return false;
        }
        if (committing != null) {
            // A failed commit goes first, so the log keeps its order of commits; the drained rows wait.
            if (wait || System.nanoTime() >= retryAfter) {
                submit();
                settle(wait);
            }
            if (committing != null) {
                return false;
            }
        }
        for (int t = 0; t < handles.length; t++) {
            dev.larder.store.Lineage l = handles[t].lineage();
            rows.sources[t] = sourceName(l);
            rows.tableIds[t] = l.sourceId().isEmpty() ? null : l.sourceId();
        }
        committing = rows;
        rows = spare;
        spare = null;
        submit();
        if (wait) {
            settle(true);
        }
        return true;
    }

    private void submit() {
        ServeLogRows batch = committing;
        pending = committer.submit(() -> {
            long v = table.append(batch);
            committed += batch.size();
            commits++;
            lastVersion = v;
            return null;
        });
    }

    /** Takes the outcome of the commit in progress, if it is done (with {@code wait}: once it is). */
    private void settle(boolean wait) {
        if (pending == null || !wait && !pending.isDone()) {
            return;
        }
        try {
            pending.get();
            committing.clear();
            spare = committing;
            committing = null;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            failedCommits++;
            lastError = String.valueOf(cause);
            retryAfter = System.nanoTime() + RETRY_NANOS;
            LOG.log(System.Logger.Level.WARNING, "served-feature log of vector " + vector + " at " + table.path()
                    + ": " + committing.size() + " vectors not committed, retried in 1 s: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        pending = null;
    }

    /**
     * Drains every buffer and commits what they held.
     *
     * @throws IllegalStateException if the commit failed (the vectors stay, and are retried)
     */
    void flush() {
        synchronized (this) {
            cycle(true);
            // Every vector logged before the call was drained, so rows left over are rows a commit failed to write.
            if (rows.size() > 0 || committing != null) {
                throw new IllegalStateException("served-feature log of vector " + vector + " at " + table.path()
                        + ": vectors not committed: " + lastError);
            }
        }
    }

    /** The name the log records a table's source under: its catalog name, else its path; null for a pushed table. */
    private static String sourceName(dev.larder.store.Lineage l) {
        return !l.catalogTable().isEmpty() ? l.catalogTable() : l.sourcePath().isEmpty() ? null : l.sourcePath();
    }

    /**
     * Commits what is buffered, then checks the whole log against the Delta tables its vectors were read from: the
     * sources this Larder follows by the name the log records them under, any other (an earlier run's) opened by it.
     */
    SkewReport check(int maxDifferences) {
        flush();
        Map<String, DeltaSource> followed = new HashMap<>();
        for (int t = 0; t < handles.length; t++) {
            dev.larder.store.Lineage l = handles[t].lineage();
            String name = sourceName(l);
            if (sources[t] != null && name != null) {
                followed.put(name, sources[t]);
            }
        }
        SkewCheck.Report r;
        try {
            r = SkewCheck.run(settings.to(), conf, source -> followed.containsKey(source) ? followed.get(source)
                    : Cloud.openPath(source, Map.of()), Map.of(), 0,
                    maxDifferences);
        } catch (SkewCheck.UnreadableLogException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        return new SkewReport(r.vectors(), r.values(), r.equal(), r.different(), r.unreadable(), r.unsourced(),
                r.differences().stream().map(SkewCheck.Difference::toString).toList(), r.notes(), r.versionsRead());
    }

    @Override
    public long getLogged() {
        return stats().logged();
    }

    @Override
    public long getDropped() {
        return stats().dropped();
    }

    @Override
    public long getCommitted() {
        return stats().committed();
    }

    @Override
    public long getCommits() {
        return stats().commits();
    }

    @Override
    public long getFailedCommits() {
        return stats().failedCommits();
    }

    @Override
    public String getLastError() {
        return stats().lastError();
    }

    /** The vector's name, or the table's for logged single-table reads. */
    String name() {
        return vector;
    }

    ServeLogStats stats() {
        long logged = 0;
        long dropped = 0;
        // A buffer forgotten moves its counts to the forgotten ones under this lock, so none is counted twice.
        synchronized (producers) {
            logged += forgottenLogged;
            dropped += forgottenDropped;
            for (Producer p : producers) {
                logged += p.buffer().logged();
                dropped += p.buffer().dropped();
            }
        }
        return new ServeLogStats(logged, dropped, committed, commits, lastVersion, failedCommits, lastError);
    }

    /** Stops the drain thread and commits what the buffers hold. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        LockSupport.unpark(drain);
        try {
            drain.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "served-feature log of vector " + vector + ": " + e.getMessage(), e);
        } finally {
            committer.shutdown();
            table.close();
        }
    }
}
