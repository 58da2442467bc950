package dev.larder;

import dev.larder.ingest.Follower;
import dev.larder.ingest.TableHandle;
import dev.larder.ingest.LarderEngine;
import dev.larder.store.ReadMetrics;
import java.time.Duration;
import java.util.List;

/**
 * Thread-safe: a served feature table under a stable name; its generation may be swapped by a re-bootstrap, which its
 * readers follow. Obtain it from {@link Larder#table(String)}.
 */
public final class Table {
    private final TableHandle handle;
    private final Follower follower;
    /** The engine that pushes go through; null unless the table was declared with {@link Larder.Builder#push}. */
    private final LarderEngine pushTo;

    Table(TableHandle handle, Follower follower, LarderEngine pushTo) {
        this.handle = handle;
        this.follower = follower;
        this.pushTo = pushTo;
    }

    public String name() {
        return handle.name();
    }

    /** A reader for the calling thread. */
    public Reader newReader() {
        return new Reader(handle);
    }

    /**
     * A pusher for the calling producer thread.
     *
     * @throws IllegalStateException unless the table was declared with {@link Larder.Builder#push} (a followed table
     *                               changes only with its source)
     */
    public Pusher newPusher() {
        if (pushTo == null) {
            throw new IllegalStateException("table " + name() + " is not fed by the application: declare it with Larder.Builder.push"
                    + (follower == null ? "" : " (it follows " + follower.source().path() + ")"));
        }
        return new Pusher(pushTo, handle);
    }

    /** Column names of the current generation, in schema order. */
    public List<String> columns() {
        return handle.table().schema().names();
    }

    /** The current generation's schema: its columns, their types and the key. */
    public Schema schema() {
        return new Schema(handle.table().schema());
    }

    /**
     * How long a row stays served after its commit time (older rows read as EXPIRED); {@link Duration#ZERO} for ever.
     * A followed table keeps the TTL it was bootstrapped with until it is bootstrapped again.
     */
    public Duration ttl() {
        return handle.table().ttl();
    }

    /** Lookups and sampled lookup latency of the current generation's instrumented readers, since it opened. */
    public ReadMetrics.Snapshot readMetrics() {
        return handle.table().readMetrics().snapshot();
    }

    /** Live rows in the current generation. */
    public long size() {
        return handle.table().size();
    }

    /** What the table reflects: source (path, Delta table id, catalog name), watermark version and its commit time. */
    public Lineage lineage() {
        return Lineage.of(handle.lineage());
    }

    /** Feed state, freshness and errors of a followed table; null for a table that is served but not followed. */
    public TableStatus status() {
        return follower == null ? null : TableStatus.of(follower.status());
    }

    /** Whether a follower feeds this table (its {@link #status()} is not null). */
    boolean followed() {
        return follower != null;
    }

    TableHandle handle() {
        return handle;
    }

    @Override
    public String toString() {
        return "Table[" + name() + "]";
    }
}
