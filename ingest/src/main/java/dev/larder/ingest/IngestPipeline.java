package dev.larder.ingest;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import dev.larder.store.RowBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Thread-safe for producers (any number of threads); every table mutation happens on the one writer thread it owns.
 *
 * <p>An application's push claims a preallocated {@link IngestEvent}, copies its row image into it and publishes;
 * nothing is allocated per row. A producer of many rows (a bootstrap, a commit, a load: {@link RingSink}) publishes a
 * batch of change records per event instead, lending the event a buffer the writer gives back once applied, so the
 * handoff is paid once per batch. The writer applies events, and a batch's records, in ring order, publishes a
 * table's watermark only at that version's END record, and syncs per {@link SyncPolicy}. A change the writer cannot
 * apply stops its table (later events for it are skipped until RESUME) so a watermark never covers a version with a
 * missing change; other tables go on.
 *
 * <p>Close after producers have stopped: a producer that passes the closed check while {@link #close()} runs may have
 * its event left unapplied. Calls after close throw {@link IllegalStateException}.
 */
final class IngestPipeline implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(IngestPipeline.class.getName());
    /**
     * Apply latency is sampled on sequences with these bits clear (one event in 16): two clock reads per event would
     * cost the writer a noticeable share of its ~250 ns budget, and a uniform sample keeps the distribution's shape.
     */
    static final long LATENCY_SAMPLE_MASK = 15;

    private final RingBuffer<IngestEvent> ring;
    private final BatchEventProcessor<IngestEvent> processor;
    private final Thread writerThread;
    private final Backpressure backpressure;
    private final SyncPolicy syncPolicy;
    private final IngestMetrics metrics;
    private final ScheduledExecutorService ticker;
    private final Writer writer;
    private volatile boolean syncPending;
    private volatile boolean closed;

    IngestPipeline(IngestOptions options, Supplier<String[]> unhealthyTables) {
        this.backpressure = options.backpressure();
        this.syncPolicy = options.syncPolicy();
        this.writer = new Writer();
        this.ring = RingBuffer.createMultiProducer(IngestEvent::new, options.ringSize(), options.waitStrategy().get());
        this.processor = new BatchEventProcessorBuilder().build(ring, ring.newBarrier(), writer);
        processor.setExceptionHandler(new LoggingExceptionHandler());
        ring.addGatingSequences(processor.getSequence());
        this.metrics = new IngestMetrics(options.ringSize(), this::occupancy, unhealthyTables);
        this.writerThread = new Thread(processor, "larder-ingest-writer");
        writerThread.setDaemon(true);
        writerThread.start();
        long delay = syncPolicy.maxDelay().toNanos();
        if (delay > 0) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "larder-ingest-sync-timer");
                t.setDaemon(true);
                return t;
            });
            long period = Math.max(TimeUnit.MILLISECONDS.toNanos(1), delay / 2);
            ticker.scheduleAtFixedRate(this::tick, period, period, TimeUnit.NANOSECONDS);
        } else {
            ticker = null;
        }
    }

    IngestMetrics metrics() {
        return metrics;
    }

    int capacity() {
        return ring.getBufferSize();
    }

    private long occupancy() {
        return Math.max(0, ring.getCursor() - processor.getSequence().get());
    }

    // ---------------------------------------------------------------- application pushes, checked at the call

    /**
     * An application's upsert or delete ({@code op}): refused at the call, before anything is enqueued, when the writer
     * could only fail on it or lose it. Allocation-free unless refused.
     *
     * @throws IllegalArgumentException for a row of another schema or with a key column unset, or a version at or
     *                                  below one already ended
     * @throws IllegalStateException    if a change source feeds the table
     * @throws FeedException            if the table is stopped until {@link LarderEngine#resume}
     */
    void pushRow(TableSlot s, byte op, RowBuffer row, long version, long commitTimestampMillis) {
        checkRow(s, row);
        checkNotStopped(s);
        if (version <= s.endedVersion) {
            throw staleVersion(s, version);
        }
        publishRow(claim(s), s, op, row, version, commitTimestampMillis);
    }

    /** An application's END of {@code version}, refused as {@link #pushRow} refuses (ending one again is allowed). */
    void pushEnd(TableSlot s, long version, long commitTimestampMillis) {
        checkPushed(s);
        checkNotStopped(s);
        if (version < 0 || version < s.endedVersion) {
            throw staleVersion(s, version);
        }
        publishEnd(claim(s), s, version, commitTimestampMillis);
    }

    /** Refuses a row the writer could not apply: built for another schema, or with a key column never set. */
    private static void checkRow(TableSlot s, RowBuffer row) {
        s.checkSchema(row);
        checkPushed(s);
        try {
            row.checkKey();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("table " + s.handle.name() + ": row refused, " + e.getMessage()
                    + " (set every key column before pushing)", e);
        }
    }

    private static void checkPushed(TableSlot s) {
        if (!s.pushed) {
            throw new IllegalStateException("table " + s.handle.name() + " is fed by " + s.source.feeder()
                    + "; the application cannot push into it (a table has one feeder)");
        }
    }

    /** Throws while the writer skips the table's changes (a change failed), so no call returns as if it counted. */
    void checkNotStopped(TableSlot s) {
        TableSlot.Failure f = s.failure;
        if (f != null) {
            throw FeedException.stopped(s.handle.name(), f);
        }
    }

    private static IllegalArgumentException staleVersion(TableSlot s, long version) {
        long ended = s.endedVersion;
        return new IllegalArgumentException("table " + s.handle.name() + ": cannot push version " + version + ", "
                + (version < 0 ? "versions are not negative" : "not above version " + ended
                + ", which is already ended (watermark " + s.table.lineage().version() + ")")
                + "; a row pushed there would never be published and would vanish on reopen");
    }

    /**
     * Publishes {@code size} bytes of change records for {@code s} (written for its schema) as one event, lending the
     * writer {@code batch}: once applied it goes back into {@code lender} (dropped when null), so a producer reuses a
     * few buffers and the ring never holds more than they are. A batch pays one ring handoff for all its records.
     */
    void publishBatch(TableSlot s, byte[] batch, int size, BlockingQueue<byte[]> lender) {
        long seq = claim(s);
        IngestEvent e = ring.get(seq);
        e.slot = s;
        e.lend(batch, size, lender);
        stampLatency(e, seq);
        e.op = IngestEvent.CHANGE;
        ring.publish(seq);
    }

    /** Fills a claimed slot with a change record; publishes it even if filling fails, or the ring would stall. */
    private void publishRow(long seq, TableSlot s, byte op, RowBuffer row, long version, long commitTimestampMillis) {
        IngestEvent e = ring.get(seq);
        try {
            e.op = IngestEvent.NOOP;
            e.slot = s;
            ChangeRecordDescriptor.write(e.own(ChangeRecordDescriptor.size(row)), 0, op, version, commitTimestampMillis,
                    row);
            stampLatency(e, seq);
            e.op = IngestEvent.CHANGE;
        } finally {
            ring.publish(seq);
        }
    }

    private static void stampLatency(IngestEvent e, long seq) {
        if ((seq & LATENCY_SAMPLE_MASK) == 0) {
            e.publishNanos = System.nanoTime();
        }
    }

    void endVersion(TableSlot s, long version, long commitTimestampMillis) {
        publishEnd(claim(s), s, version, commitTimestampMillis);
    }

    /**
     * Every slot's record holds a header from the start, so an END record allocates nothing and cannot fail. The
     * table's ended version is raised before the record is published, so from then on producers refuse rows of it.
     */
    private void publishEnd(long seq, TableSlot s, long version, long commitTimestampMillis) {
        IngestEvent e = ring.get(seq);
        e.slot = s;
        ChangeRecordDescriptor.write(e.own(ChangeRecordDescriptor.HEADER), 0, ChangeRecordDescriptor.END, version,
                commitTimestampMillis, null);
        e.op = IngestEvent.CHANGE;
        s.raiseEnded(version);
        ring.publish(seq);
    }

    PushStatus tryUpsert(TableSlot s, RowBuffer row, long version, long commitTimestampMillis) {
        checkRow(s, row);
        PushStatus refused = refusal(s, version <= s.endedVersion);
        if (refused != null) {
            return refused;
        }
        long seq = tryClaim();
        if (seq < 0) {
            return PushStatus.RING_FULL;
        }
        publishRow(seq, s, ChangeRecordDescriptor.UPSERT, row, version, commitTimestampMillis);
        return PushStatus.ACCEPTED;
    }

    PushStatus tryDelete(TableSlot s, RowBuffer keyRow, long version) {
        checkRow(s, keyRow);
        PushStatus refused = refusal(s, version <= s.endedVersion);
        if (refused != null) {
            return refused;
        }
        long seq = tryClaim();
        if (seq < 0) {
            return PushStatus.RING_FULL;
        }
        publishRow(seq, s, ChangeRecordDescriptor.DELETE, keyRow, version, 0);
        return PushStatus.ACCEPTED;
    }

    PushStatus tryEndVersion(TableSlot s, long version, long commitTimestampMillis) {
        checkPushed(s);
        PushStatus refused = refusal(s, version < 0 || version < s.endedVersion);
        if (refused != null) {
            return refused;
        }
        long seq = tryClaim();
        if (seq < 0) {
            return PushStatus.RING_FULL;
        }
        publishEnd(seq, s, version, commitTimestampMillis);
        return PushStatus.ACCEPTED;
    }

    /** Why a push must not be enqueued, or null; a stopped table's writer would only skip the change. */
    private PushStatus refusal(TableSlot s, boolean staleVersion) {
        if (closed) {
            return PushStatus.CLOSED;
        }
        if (s.failure != null) {
            return PushStatus.STOPPED;
        }
        return staleVersion ? PushStatus.STALE_VERSION : null;
    }

    /** A claimed sequence, or -1 when the ring is full; never waits, whatever the backpressure mode. */
    private long tryClaim() {
        try {
            return ring.tryNext();
        } catch (InsufficientCapacityException full) {
            metrics.rejected();
            return -1;
        }
    }

    private long claim(TableSlot s) {
        if (closed) {
            throw new IllegalStateException("ingest pipeline is closed");
        }
        if (backpressure == Backpressure.BLOCK) {
            return ring.next();
        }
        try {
            return ring.tryNext();
        } catch (InsufficientCapacityException e) {
            metrics.rejected();
            throw new RingFullException(s.handle.name(), ring.getBufferSize());
        }
    }

    /**
     * Enqueues a control event (always blocking: control events must not be lost); completes once the writer ran it.
     */
    CompletableFuture<Void> control(byte op, TableSlot s, TableSlot other) {
        if (closed) {
            throw new IllegalStateException("ingest pipeline is closed");
        }
        return enqueueControl(op, s, other);
    }

    private CompletableFuture<Void> enqueueControl(byte op, TableSlot s, TableSlot other) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        long seq = ring.next();
        IngestEvent e = ring.get(seq);
        e.slot = s;
        e.other = other;
        e.done = done;
        e.op = op;
        ring.publish(seq);
        return done;
    }

    private void tick() {
        if (syncPending && !closed) {
            try {
                long seq = ring.tryNext();
                IngestEvent e = ring.get(seq);
                e.slot = null;
                e.op = IngestEvent.TICK;
                ring.publish(seq);
            } catch (InsufficientCapacityException full) {
                // The writer is busy and checks sync deadlines at the end of every batch anyway.
            }
        }
    }

    boolean awaitDurable(TableHandle h, long version, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        TableSlot s = h.slot();
        synchronized (s) {
            while (s.durableVersion < version) {
                TableSlot.Failure f = s.failure;
                if (f != null && f.lost() <= version) {
                    throw s.pushed ? FeedException.stopped(h.name(), f)
                            : new FeedException(h.name(), f.version(), s.source.sourcePath(), f.cause());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(s, left);
            }
        }
        return true;
    }

    /** Drains the ring, syncs every table, stops the writer thread. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (ticker != null) {
            ticker.shutdownNow();
        }
        enqueueControl(IngestEvent.SYNC, null, null).join();
        processor.halt();
        try {
            writerThread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- writer thread

    /**
     * Records whose index slots and rows the writer loads together before applying them: enough to overlap a dozen
     * misses (store-level apply of random keys into 1M rows: 1.7-1.9M/s applied one by one, 2.0-2.1M/s in groups of
     * 16, the same with 32 or 64).
     */
    private static final int PREFETCH_GROUP = 16;

    /** Confined to the writer thread: the only code that mutates tables while the pipeline runs. */
    private final class Writer implements EventHandler<IngestEvent> {
        private final List<TableSlot> dirty = new ArrayList<>();
        private final long maxDelayNanos = syncPolicy.maxDelay().toNanos();
        private long events;
        private long upserts;
        private long deletes;
        private long versions;
        private long syncs;
        private long failed;
        /** Offset of the record being applied in the current event, so a failure names its version. */
        private int applying;
        /** Image offsets of the records {@link #prefetch} hands to the table's writer. */
        private final int[] prefetchOffsets = new int[PREFETCH_GROUP];

        @Override
        public void onBatchStart(long batchSize, long queueDepth) {
            metrics.batchStart(queueDepth);
        }

        @Override
        public void onEvent(IngestEvent e, long sequence, boolean endOfBatch) {
            events++;
            applying = 0;
            TableSlot s = e.slot;
            try {
                if (s != null && !s.claimed) {
                    s.writer.claim();
                    s.claimed = true;
                }
                switch (e.op) {
                    case IngestEvent.CHANGE -> apply(s, e, sequence);
                    case IngestEvent.SYNC -> {
                        if (s == null) {
                            syncAll();
                        } else {
                            sync(s);
                        }
                    }
                    case IngestEvent.TICK -> syncDue(System.nanoTime());
                    case IngestEvent.RESUME -> {
                        // Whatever of the failed version reached the table before the failure was noticed goes.
                        if (!s.retired) {
                            s.writer.rollback();
                        }
                        s.endedVersion = s.table.lineage().version();
                        s.blocked = false;
                        s.failure = null;
                    }
                    case IngestEvent.SWAP -> swap(s, e.other);
                    case IngestEvent.RETIRE -> retire(s);
                    case IngestEvent.BULK_BEGIN -> {
                        if (!s.blocked && !s.retired) {
                            s.writer.beginBulkLoad();
                        }
                    }
                    case IngestEvent.BULK_FINISH -> {
                        if (!s.retired) {
                            // The writer's own row receives a replaced one, whose key the bootstrap's error names.
                            s.duplicateKey = s.writer.finishBulkLoad(s.row) > 0 ? s.row.keyText() : null;
                        }
                    }
                    default -> {
                        // NOOP: a producer failed between claim and publish; nothing to apply.
                    }
                }
                if (e.done != null) {
                    // The batch's counters are published at its end, which may come after this waiter returns.
                    metrics.publishCounters(events, upserts, deletes, versions, syncs, failed);
                    e.done.complete(null);
                }
            } catch (Throwable t) {
                failed++;
                if (s != null && e.op == IngestEvent.CHANGE) {
                    fail(s, ChangeRecordDescriptor.version(e.records, applying), t);
                } else {
                    LOG.log(System.Logger.Level.ERROR, "ingest writer: control event " + e.op + " failed", t);
                }
                if (e.done != null) {
                    e.done.completeExceptionally(t);
                }
            } finally {
                e.giveBack();
                e.slot = null;
                e.other = null;
                e.done = null;
            }
            if (endOfBatch) {
                if (!dirty.isEmpty()) {
                    syncDue(System.nanoTime());
                }
                metrics.batchEnd(events, upserts, deletes, versions, syncs, failed);
            }
        }

        /**
         * Applies an event's records in order. A record that fails stops the table ({@link #fail}), which skips the
         * rest of the batch; {@link #applying} says which record that was.
         */
        private void apply(TableSlot s, IngestEvent e, long sequence) {
            byte[] r = e.records;
            boolean rows = false;
            int prefetchedTo = 0;
            for (int at = 0, end = e.length; at < end; at = ChangeRecordDescriptor.next(r, at)) {
                applying = at;
                if (at >= prefetchedTo) {
                    prefetchedTo = prefetch(s, r, at, end);
                }
                long version = ChangeRecordDescriptor.version(r, at);
                switch (ChangeRecordDescriptor.op(r, at)) {
                    case ChangeRecordDescriptor.UPSERT -> {
                        if (!s.blocked && !s.retired) {
                            checkNotEnded(s, version);
                            s.writer.upsert(s.row.importFrom(r, ChangeRecordDescriptor.image(at)), version,
                                    ChangeRecordDescriptor.commitTimestamp(r, at));
                            upserts++;
                            rows = true;
                        }
                    }
                    case ChangeRecordDescriptor.DELETE -> {
                        if (!s.blocked && !s.retired) {
                            checkNotEnded(s, version);
                            s.writer.delete(s.row.importFrom(r, ChangeRecordDescriptor.image(at)), version);
                            deletes++;
                            rows = true;
                        }
                    }
                    case ChangeRecordDescriptor.END ->
                            endVersion(s, version, ChangeRecordDescriptor.commitTimestamp(r, at));
                    default -> throw new IllegalStateException("change record op " + ChangeRecordDescriptor.op(r, at)
                            + " has no place in the ring");
                }
            }
            if (rows) {
                sampleLatency(e, sequence);
            }
        }

        /**
         * Prefetches the rows of the next {@link #PREFETCH_GROUP} upserts and deletes from {@code at} on (a batch's
         * records are applied in random key order, and each would otherwise wait for its index slot and row in turn);
         * returns the offset after the last record looked at.
         */
        private int prefetch(TableSlot s, byte[] r, int at, int end) {
            int n = 0;
            while (at < end && n < PREFETCH_GROUP) {
                byte op = ChangeRecordDescriptor.op(r, at);
                if (op == ChangeRecordDescriptor.UPSERT || op == ChangeRecordDescriptor.DELETE) {
                    prefetchOffsets[n++] = ChangeRecordDescriptor.image(at);
                }
                at = ChangeRecordDescriptor.next(r, at);
            }
            if (n > 1 && !s.blocked && !s.retired) {
                s.writer.prefetch(r, prefetchOffsets, n);
            }
            return at;
        }

        /**
         * A pushed row of a version that already ended: producers refuse those, but one that checked before another
         * producer ended its version can still arrive after the END. Applied, it would vanish on reopen; failing stops
         * the table, so every later call says so.
         */
        private void checkNotEnded(TableSlot s, long version) {
            if (s.pushed) {
                long watermark = s.table.lineage().version();
                if (version <= watermark) {
                    throw new IllegalStateException("a row of version " + version + " arrived after version "
                            + watermark + " had ended (a producer pushed it while another ended the version)");
                }
            }
        }

        private void sampleLatency(IngestEvent e, long sequence) {
            if ((sequence & LATENCY_SAMPLE_MASK) == 0) {
                metrics.applied(System.nanoTime() - e.publishNanos);
            }
        }

        /**
         * Stops the table and takes back every change applied after the watermark (of the failed version, and of any
         * later version a producer pushed meanwhile), so readers are back on the last good version; later events for it
         * are skipped until RESUME, so no watermark covers the lost change.
         */
        private void fail(TableSlot s, long version, Throwable t) {
            s.blocked = true;
            s.failure = new TableSlot.Failure(version, s.table.lineage().version(), t);
            try {
                s.writer.rollback();
            } catch (RuntimeException ex) {
                t.addSuppressed(ex);
            }
            LOG.log(System.Logger.Level.WARNING, "table " + s.name() + ": cannot apply a change of version " + version
                    + "; what was applied after version " + s.failure.watermark() + " is rolled back and its feed stops"
                    + " until resumed: " + t);
            synchronized (s) {
                s.notifyAll();
            }
        }

        private void endVersion(TableSlot s, long version, long commitTs) {
            if (s.blocked || s.retired || version <= s.table.lineage().version()) {
                return;
            }
            s.writer.publish(s.source.withVersion(version, commitTs));
            versions++;
            if (s.pendingVersions++ == 0) {
                s.pendingSinceNanos = System.nanoTime();
            }
            if (!s.listedDirty) {
                s.listedDirty = true;
                dirty.add(s);
                syncPending = true;
            }
            if (s.pendingVersions >= syncPolicy.maxPendingVersions()) {
                sync(s);
            }
        }

        private void syncDue(long now) {
            for (int i = dirty.size() - 1; i >= 0; i--) {
                TableSlot s = dirty.get(i);
                if (s.pendingVersions > 0 && now - s.pendingSinceNanos >= maxDelayNanos) {
                    sync(s);
                }
            }
        }

        private void syncAll() {
            for (int i = dirty.size() - 1; i >= 0; i--) {
                sync(dirty.get(i));
            }
        }

        /** The durability point for one table, then the acknowledgement to whoever waits for it. */
        private void sync(TableSlot s) {
            if (s.retired) {
                return;
            }
            try {
                s.writer.sync();
            } catch (RuntimeException ex) {
                fail(s, s.table.lineage().version() + 1, ex);
                return;
            }
            syncs++;
            s.pendingVersions = 0;
            if (s.listedDirty) {
                s.listedDirty = false;
                dirty.remove(s);
                syncPending = !dirty.isEmpty();
            }
            long durable = s.table.lineage().version();
            if (durable != s.durableVersion) {
                synchronized (s) {
                    s.durableVersion = durable;
                    s.notifyAll();
                }
            }
        }

        /**
         * Makes {@code next} durable, points the handle at it, and retires {@code old}; readers move on their next
         * resolve.
         */
        private void swap(TableSlot old, TableSlot next) {
            sync(next);
            if (next.failure != null) {
                throw new IllegalStateException("new generation " + next.name() + " could not be synced",
                        next.failure.cause());
            }
            next.handle.slot(next);
            retire(old);
        }

        private void retire(TableSlot s) {
            s.retired = true;
            if (s.listedDirty) {
                s.listedDirty = false;
                dirty.remove(s);
                syncPending = !dirty.isEmpty();
            }
        }
    }

    /**
     * Last resort: the writer catches everything itself, so reaching this is a bug; log it and keep the writer alive.
     */
    private static final class LoggingExceptionHandler implements ExceptionHandler<IngestEvent> {
        @Override
        public void handleEventException(Throwable ex, long sequence, IngestEvent event) {
            LOG.log(System.Logger.Level.ERROR, "ingest writer: unexpected failure at sequence " + sequence, ex);
        }

        @Override
        public void handleOnStartException(Throwable ex) {
            LOG.log(System.Logger.Level.ERROR, "ingest writer: start failed", ex);
        }

        @Override
        public void handleOnShutdownException(Throwable ex) {
            LOG.log(System.Logger.Level.ERROR, "ingest writer: shutdown failed", ex);
        }
    }
}
