package dev.larder.ingest;

import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.Generations;
import dev.larder.store.Lineage;
import dev.larder.store.ScrubResult;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Thread-safe control and status of one followed table; the follow loop runs on its own daemon thread
 * ({@code larder-follow-<table>}), so a table whose source fails or hangs never delays another.
 *
 * <p>The loop: if the table has no watermark, bootstrap it at the source's latest version; then poll, and deliver the
 * changes of every version after the watermark through the ingest ring, in order; between polls it waits on the
 * source's {@link VersionWatch} (woken as soon as a version lands where the source can tell, else after the poll
 * interval). {@link TableStatus#lastApply()} says where the last applied commit's time went. Restarting resumes at
 * watermark + 1;
 * a version that was partly applied before a stop or crash was rolled back by the store (on close, or on reopen after
 * a crash), so it is applied whole, once. When the source reports the needed history gone, the table is
 * re-bootstrapped into a new generation ({@code table.gN}) that replaces the current one for readers only once it is
 * complete and durable. A failed commit stops the feed, what of it was applied is rolled back (reads return to the last
 * good version), and it is retried with exponential backoff until it succeeds.
 *
 * <p>Crash safety of generations: on start the newest generation with a watermark is current; once it is found to
 * follow this source, every other generation of the table (an unfinished bootstrap, or one already replaced) is
 * dropped. A table with no complete generation (a bootstrap killed before its end) is bootstrapped again under its own
 * name.
 */
public final class Follower implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Follower.class.getName());

    private final LarderEngine larder;
    private final FeatureStore store;
    private final IngestPipeline pipeline;
    private final ChangeSource source;
    private final String name;
    private final FollowOptions options;
    private final InstantSource clock;
    private final Lineage sourceLineage;
    private final TableHandle handle;
    private final RingSink sink;
    private final Thread thread;
    private final long startedMillis;

    private volatile boolean stopped;
    private volatile TableStatus.State state = TableStatus.State.STARTING;
    private volatile long latestSourceVersion = -1;
    private volatile long lastPollMillis;
    private volatile long caughtUpMillis;
    /** When a poll first found a part of the source stopped ({@link ChangeSource#stoppedParts()}), or -1. */
    private volatile long stoppedSinceMillis = -1;
    private volatile String lastError;
    private volatile int failures;
    private volatile long failureCount;
    private volatile ApplyLag lastApply;
    private boolean reportedStale;
    private long lastScrubMillis;

    Follower(LarderEngine larder, String name, ChangeSource source, FollowOptions options) {
        this.larder = larder;
        this.store = larder.store();
        this.pipeline = larder.pipeline();
        this.source = source;
        this.name = name;
        this.options = options;
        this.clock = larder.clock();
        this.sourceLineage = source.origin();
        this.startedMillis = clock.millis();
        this.lastPollMillis = startedMillis;
        this.caughtUpMillis = startedMillis;
        this.lastScrubMillis = startedMillis;
        FeatureTable current = resolveGeneration();
        this.handle = larder.register(name, current, sourceLineage);
        this.sink = new RingSink(pipeline, handle, source.path(), this::stopped, options.commitStageBytes(), false);
        this.thread = new Thread(this::run, "larder-follow-" + name);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * Picks the current generation (the newest with a watermark) and checks that it follows this source; only then
     * drops the other generations (an unfinished bootstrap, or one already replaced). Without a complete generation (a
     * bootstrap killed or stopped before its end) the table is bootstrapped again in place: under its own name,
     * generation 0.
     */
    private FeatureTable resolveGeneration() {
        List<Long> gens = store.generations(name);
        long currentGen = store.currentGeneration(name);
        FeatureTable current = currentGen < 0 ? null : store.generation(name, currentGen);
        if (current != null && !current.lineage().sourceId().isEmpty()
                && !current.lineage().sourceId().equals(source.id())) {
            throw new IllegalStateException("table " + name + " (" + current.name() + ") follows source "
                    + current.lineage().sourceId()
                    + " (" + Redaction.uris(current.lineage().sourcePath()) + "), not " + source.id()
                    + " (" + Redaction.uris(source.path()) + "); nothing was changed");
        }
        FeatureSchema schema = current == null ? source.schema() : null;
        List<String> obsolete = new ArrayList<>();
        for (long g : gens) {
            if (g != currentGen) {
                obsolete.add(Generations.name(name, g));
            }
        }
        for (String dir : obsolete) {
            store.close(dir);
            store.checkNotOpen(dir);
        }
        for (String dir : obsolete) {
            LOG.log(System.Logger.Level.INFO, "table " + name + ": dropping generation " + dir
                    + (Generations.parse(name, dir) > currentGen ? " (unfinished bootstrap)" : " (replaced)"));
            store.drop(dir);
        }
        if (current == null) {
            return store.createGeneration(name, 0, schema, options.tableOptions(), sourceLineage);
        }
        return current;
    }

    /** The table's handle; readers resolve the current generation through it. */
    public TableHandle handle() {
        return handle;
    }

    public String table() {
        return name;
    }

    public ChangeSource source() {
        return source;
    }

    // ---------------------------------------------------------------- follow loop (follower thread)

    private void run() {
        VersionWatch watch;
        try {
            watch = source.watch();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "table " + name + ": cannot watch " + Redaction.uris(source.path())
                    + " for new versions, polling every " + options.pollInterval() + ": " + e);
            watch = VersionWatch.SLEEP;
        }
        try (VersionWatch w = watch) {
            follow(w);
        }
        state = TableStatus.State.STOPPED;
    }

    private void follow(VersionWatch watch) {
        long backoff = options.retryInitial().toNanos();
        boolean rebootstrap = false;
        while (!stopped) {
            long pollStart = clock.millis();
            long pollStartNanos = System.nanoTime();
            try {
                TableSlot s = handle.slot();
                long watermark = s.table.lineage().version();
                long latest = watermark >= 0 && !rebootstrap ? source.latestVersionAfter(watermark)
                        : source.latestVersion();
                latestSourceVersion = latest;
                if (latest >= 0 && (rebootstrap || watermark < 0)) {
                    state = TableStatus.State.BOOTSTRAPPING;
                    if (!rebootstrap && s.table.size() == 0) {
                        bootstrap(s, latest);
                    } else {
                        bootstrapNewGeneration(latest);
                    }
                    rebootstrap = false;
                } else if (latest > watermark) {
                    long checked = System.nanoTime();
                    sink.open(s, watermark, true);
                    source.changes(watermark, latest, sink);
                    sink.checkComplete();
                    long read = System.nanoTime();
                    sink.settle();
                    applied(watermark, pollStart, pollStartNanos, checked, read);
                }
                lastPollMillis = clock.millis();
                if (handle.lineage().version() >= latest) {
                    caughtUpMillis = pollStart;
                }
                if (source.stoppedParts().isEmpty()) {
                    stoppedSinceMillis = -1;
                } else if (stoppedSinceMillis < 0) {
                    stoppedSinceMillis = pollStart;
                }
                state = TableStatus.State.FOLLOWING;
                backoff = options.retryInitial().toNanos();
                if (failures > 0) {
                    failures = 0;
                    lastError = null;
                    LOG.log(System.Logger.Level.INFO, "table " + name + ": feed resumed at version "
                            + handle.lineage().version());
                    TableStatus st = status();
                    larder.fire(l -> l.onFeedResumed(st));
                }
                scrubIfDue();
                checkHealth();
                awaitVersion(watch, latest);
            } catch (HistoryUnavailableException e) {
                if (stopped) {
                    break;
                }
                LOG.log(System.Logger.Level.WARNING, "table " + name + ": history after version "
                        + handle.lineage().version()
                        + " unavailable in " + Redaction.uris(source.path())
                        + ", re-bootstrapping into a new generation: " + e.getMessage());
                sink.reset();
                rebootstrap = true;
            } catch (RuntimeException | Error e) {
                if (stopped) {
                    break;
                }
                failed(e);
                pause(backoff);
                backoff = Math.min(backoff * 2, options.retryMax().toNanos());
            }
        }
    }

    /** Waits for a version after {@code version}, at most the poll interval. */
    private void awaitVersion(VersionWatch watch, long version) {
        if (options.pollInterval().isPositive() && !stopped) {
            try {
                watch.await(version, options.pollInterval());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopped = true;
            }
        }
    }

    /** Records where the time of a poll that applied versions went ({@link ApplyLag}); logs it at debug level. */
    private void applied(long watermark, long pollStart, long pollStartNanos, long checked, long read) {
        long visible = System.nanoTime();
        Lineage l = handle.lineage();
        if (l.version() <= watermark) {
            return;
        }
        long commitTs = l.commitTimestampMillis();
        long lagMillis = clock.millis() - commitTs;
        long began = sink.firstBeginNanos() == 0 ? checked : sink.firstBeginNanos();
        ApplyLag lag = new ApplyLag(l.version(), l.version() - watermark, commitTs,
                Duration.ofMillis(Math.max(0, lagMillis)), Duration.ofMillis(Math.max(0, pollStart - commitTs)),
                Duration.ofNanos(checked - pollStartNanos),
                Duration.ofNanos(began - checked), Duration.ofNanos(read - began), Duration.ofNanos(visible - read));
        lastApply = lag;
        LOG.log(System.Logger.Level.DEBUG, () -> "table " + name + ": " + lag);
    }

    /** Checks every row of the current generation against its checksum once per scrub interval; reports damage. */
    private void scrubIfDue() {
        long interval = options.scrubInterval().toMillis();
        long now = clock.millis();
        if (interval <= 0 || now - lastScrubMillis < interval) {
            return;
        }
        lastScrubMillis = now;
        FeatureTable t = handle.slot().table;
        ScrubResult r = t.scrub();
        if (r.damaged() > 0) {
            LOG.log(System.Logger.Level.ERROR, "table " + name + ": " + r.damaged() + " of " + r.rows()
                    + " rows fail their checksum (damaged files; run ./larder rebuild): " + r.samples());
        }
    }

    private void failed(Throwable e) {
        FeedException fe = e instanceof FeedException f ? f
                : new FeedException(name, sink.failedVersion(), source.path(), e);
        failures++;
        failureCount++;
        lastError = fe.getMessage();
        state = TableStatus.State.FAILING;
        LOG.log(System.Logger.Level.WARNING, fe.getMessage() + " (attempt " + failures + ", retrying with backoff)");
        sink.reset();
        try {
            // RESUME rolls back what of the failed version reached the table, so listeners see the last good version.
            await(pipeline.control(IngestEvent.RESUME, handle.slot(), null));
        } catch (RuntimeException | InterruptedException | ExecutionException ex) {
            LOG.log(System.Logger.Level.WARNING, "table " + name + ": cannot resume the writer yet: " + ex);
        }
        TableStatus st = status();
        larder.fire(l -> l.onFeedFailed(st, fe));
        checkHealth();
    }

    private void bootstrap(TableSlot s, long version) {
        sink.open(s, -1, false);
        source.bootstrap(version, sink);
        sink.checkComplete();
        sink.settle();
    }

    /** Bootstraps a new generation beside the current one, then swaps it in and drops the old one. */
    private void bootstrapNewGeneration(long version) {
        String replaced = handle.slot().name();
        NextGeneration.bootstrap(larder, handle, true, sink, source.schema(), options.tableOptions(), sourceLineage,
                s -> {
                    source.bootstrap(version, s);
                    return version;
                });
        LOG.log(System.Logger.Level.INFO, "table " + name + ": generation " + handle.slot().name() + " at version "
                + version + " replaced " + replaced);
    }

    static void await(Future<Void> f) throws InterruptedException, ExecutionException {
        f.get();
    }

    private void pause(long nanos) {
        if (nanos > 0 && !stopped) {
            try {
                Thread.sleep(Duration.ofNanos(nanos));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopped = true;
            }
        }
    }

    // ---------------------------------------------------------------- status and health

    /** Failed attempts since this follower started, never reset (unlike {@link TableStatus#consecutiveFailures()}). */
    public long failureCount() {
        return failureCount;
    }

    /** Whether {@link #close()} has asked the follower thread to stop. */
    boolean stopped() {
        return stopped;
    }

    /** Freshness and health now (does not notify listeners). */
    public TableStatus status() {
        long now = clock.millis();
        Lineage l = handle.lineage();
        long latest = latestSourceVersion;
        long lag = latest >= 0 ? Math.max(0, latest - l.version()) : 0;
        // A stopped part no longer follows its source: the table is as stale as a stopped feed, from when it stopped.
        long stoppedSince = stoppedSinceMillis;
        long fresh = stoppedSince >= 0 ? Math.min(caughtUpMillis, stoppedSince) : caughtUpMillis;
        Duration staleness = Duration.ofMillis(Math.max(0, now - fresh));
        boolean healthy = staleness.compareTo(options.maxStaleness()) <= 0;
        FeatureTable table = handle.slot().table;
        long damaged = table.damagedRows();
        return new TableStatus(name, handle.slot().name(), state, l, handle.durableVersion(), latest, lag,
                Duration.ofMillis(Math.max(0, now - lastPollMillis)), staleness, healthy && damaged == 0, lastError,
                failures, table.applyingVersion(), damaged, lastApply, source.stoppedParts());
    }

    /** Evaluates health now and notifies listeners of a stale or recovered transition. */
    public synchronized TableStatus checkHealth() {
        TableStatus st = status();
        if (!st.healthy() && !reportedStale) {
            reportedStale = true;
            LOG.log(System.Logger.Level.WARNING, "table " + name + " is unhealthy: " + st.staleness() + " behind (max "
                    + options.maxStaleness() + ")" + (st.lastError() == null ? "" : "; " + st.lastError())
                    + (st.stoppedParts().isEmpty() ? "" : "; stopped: " + String.join("; ", st.stoppedParts())));
            larder.fire(x -> x.onStale(st));
        } else if (st.healthy() && reportedStale) {
            reportedStale = false;
            LOG.log(System.Logger.Level.INFO, "table " + name + " is fresh again at version " + st.watermarkVersion());
            larder.fire(x -> x.onRecovered(st));
        }
        return st;
    }

    /**
     * Stops the loop (mid-version if need be: the partial version is re-applied on the next start) and waits for it.
     */
    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        larder.unregister(this);
    }
}
