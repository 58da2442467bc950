package dev.larder;

import dev.larder.ingest.LarderEngine;
import dev.larder.ingest.TableHandle;
import dev.larder.store.FeatureSchema;

/**
 * Confined to one producer thread: pushes application rows into a table declared with
 * {@link Larder.Builder#push}. Fill {@link #row()}, then upsert or delete it under a version; a version is served once
 * {@link #endVersion} for it has been applied (readers see its rows appear, never a torn row). Every change goes
 * through the store's single writer thread, so any number of pushers may feed one table.
 *
 * <p>Nothing here allocates. The blocking calls wait while the ingest ring is full; the {@code try} calls never wait
 * and return a {@link PushStatus}: anything but {@code ACCEPTED} enqueued nothing.
 *
 * <p>A push the table could only lose is refused at its call, with nothing enqueued: a row whose key columns are not
 * all set ({@link IllegalArgumentException}, also from the {@code try} calls), a version that is negative or not above
 * the newest version ended ({@link IllegalArgumentException}; {@code STALE_VERSION} from the {@code try} calls), and
 * any push to a table stopped by a change the writer could not apply ({@link FeedException};
 * {@code STOPPED}) until {@link #resume()}.
 */
public final class Pusher {
    private final LarderEngine engine;
    private final TableHandle handle;
    private final Row row;

    Pusher(LarderEngine engine, TableHandle handle) {
        this.engine = engine;
        this.handle = handle;
        this.row = new Row(handle.table().newRow());
    }

    /** The staging row, cleared (every column null): set its key and feature columns, then upsert or delete it. */
    public Row row() {
        row.buffer.clear();
        return row;
    }

    /** The index of column {@code name} for the row's setters; resolve once, outside the push loop. */
    public int column(String name) {
        FeatureSchema s = row.buffer.schema();
        if (!s.hasColumn(name)) {
            throw new IllegalArgumentException("table " + handle.name() + " has no column " + name + " (columns: "
                    + s.names() + ")");
        }
        return s.indexOf(name);
    }

    /**
     * Enqueues an upsert of the staging row at {@code version}; waits while the ring is full.
     *
     * @throws IllegalArgumentException if a key column is unset or {@code version} is not above the newest ended one
     * @throws FeedException if the table is stopped until {@link #resume()}
     */
    public void upsert(long version, long commitTimestampMillis) {
        try {
            engine.upsert(handle, row.buffer, version, commitTimestampMillis);
        } catch (dev.larder.ingest.FeedException e) {
            throw FeedException.of(e);
        }
    }

    /**
     * Enqueues a delete of the staging row's key at {@code version}; waits while the ring is full. Refused as
     * {@link #upsert} is.
     */
    public void delete(long version) {
        try {
            engine.delete(handle, row.buffer, version);
        } catch (dev.larder.ingest.FeedException e) {
            throw FeedException.of(e);
        }
    }

    /**
     * Every change of {@code version} is enqueued: it becomes the table's watermark once applied, and rows of it or
     * older are refused from now on.
     * Call it once every pusher of {@code version} has returned from its calls: a row of it still being pushed by
     * another thread can arrive after the end, and then fails the table, dropping every change pushed after the
     * watermark until {@link #resume()}.
     *
     * @throws IllegalArgumentException if {@code version} is negative or below the newest ended one
     * @throws FeedException if the table is stopped until {@link #resume()}
     */
    public void endVersion(long version, long commitTimestampMillis) {
        try {
            engine.endVersion(handle, version, commitTimestampMillis);
        } catch (dev.larder.ingest.FeedException e) {
            throw FeedException.of(e);
        }
    }

    /** {@link #upsert} without waiting. */
    public PushStatus tryUpsert(long version, long commitTimestampMillis) {
        return PushStatus.of(engine.tryUpsert(handle, row.buffer, version, commitTimestampMillis));
    }

    /** {@link #delete} without waiting. */
    public PushStatus tryDelete(long version) {
        return PushStatus.of(engine.tryDelete(handle, row.buffer, version));
    }

    /** {@link #endVersion} without waiting. */
    public PushStatus tryEndVersion(long version, long commitTimestampMillis) {
        return PushStatus.of(engine.tryEndVersion(handle, version, commitTimestampMillis));
    }

    /**
     * Clears a {@code STOPPED} table (a change that failed) so pushes are accepted again; the failed version is gone.
     */
    public void resume() {
        engine.resume(handle);
    }
}
