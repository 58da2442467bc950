package dev.larder.store.internal;

import dev.larder.store.FeatureTable;
import dev.larder.store.Key;
import dev.larder.store.Lineage;
import dev.larder.store.RowBuffer;

/**
 * The single writer of one {@link FeatureTable}, confined to the thread that claimed it; readers never wait for it.
 *
 * <p>Not part of Larder's API: the store module exports this package only to the ingest module, whose ring writer
 * thread is the one door through which tables change. Obtain it with {@link StoreInternals#writer(FeatureTable)}.
 *
 * <p>Changes (upsert, delete, the bulk load, publish) assert under {@code -ea} that they run on the owning thread: the
 * first thread to change the table, or the last one to {@link #claim()} it. {@link #sync()} and {@link #rollback()}
 * also run when a table closes, on the closing thread, so they do not assert. Handing the writer to another thread
 * therefore takes a happens-before edge (a queue, a ring publication) followed by {@code claim()} on the new thread.
 */
public interface TableWriter {
    /** Result of an upsert or delete. */
    enum Outcome {
        INSERTED, UPDATED, DELETED, ABSENT, IGNORED_OLDER,
        /** The key falls in a shard the table does not hold ({@link dev.larder.store.ShardSpec}): nothing changed. */
        NOT_OWNED
    }

    /** Makes the calling thread this writer's owner; later mutating calls from other threads fail an assertion. */
    void claim();

    /**
     * Inserts or replaces the row with the key held in {@code row}'s key columns, stamped with {@code version} and
     * {@code commitTimestampMillis}. A row whose stored version is newer is left as it is; an equal version is
     * replaced, so re-applying a version after a crash is idempotent. A table with an event-time column
     * ({@link dev.larder.store.TableOptions#eventTime()}) compares event times instead of versions: a row whose stored
     * event time is newer than {@code row}'s is left as it is (an equal one is replaced; a null one is older than any
     * other), and the skip is counted ({@link FeatureTable#olderEventsSkipped()}). During a bulk load every upsert
     * reports INSERTED; a key upserted twice is settled (last one wins) when the load finishes.
     */
    Outcome upsert(RowBuffer row, long version, long commitTimestampMillis);

    /**
     * Deletes the row whose key is in {@code keyRow}'s key columns, unless the stored row has a newer version; in a
     * table with an event-time column, unless {@code keyRow}'s event time is set and older than the stored row's (a
     * delete without one always applies). Other columns are ignored.
     */
    Outcome delete(RowBuffer keyRow, long version);

    /**
     * Loads what applying the {@code n} upsert or delete row images at {@code images[offsets[i]..]} (in
     * {@link RowBuffer#exportTo}'s format) will miss on, so a writer about to apply a group of records has their cache
     * misses overlap instead of queueing one per record. Changes nothing.
     */
    void prefetch(byte[] images, int[] offsets, int n);

    /** Deletes by lookup key; see {@link #delete(RowBuffer, long)}. */
    Outcome delete(Key k, long version);

    /** Convenience for single integral keys. */
    Outcome delete(long singleKey, long version);

    /**
     * Starts a bulk load (rows are appended and indexed in one pass when it finishes) if the table holds no rows;
     * returns whether one is open. Upserts then skip the index until {@link #finishBulkLoad}, which {@link #publish}
     * and any delete call first.
     */
    boolean beginBulkLoad();

    /**
     * Ends an open bulk load (no-op otherwise): settles keys upserted more than once (the last upsert wins), builds and
     * installs a new index generation holding the loaded rows, and makes them visible to readers.
     *
     * @param firstDuplicate if not null and a key was upserted more than once, receives a replaced row (key columns
     *                       are what it is good for), so the caller can name the key
     * @return upserts replaced by a later one of the same key
     */
    long finishBulkLoad(RowBuffer firstDuplicate);

    /**
     * Publishes the table's watermark to readers ({@link FeatureTable#lineage()}); call when every change up to and
     * including {@code lineage.version()} is applied (an open bulk load is finished first). Durable at the next
     * {@link #sync()}.
     */
    void publish(Lineage lineage);

    /**
     * The durability point: forces rows, index and state to disk, then atomically rewrites the metadata with the
     * published lineage. After a crash the table reopens at (at least) the lineage of the last completed sync.
     */
    void sync();

    /**
     * Takes back every change made since the last published watermark (and an open bulk load), newest first, so the
     * table again reflects exactly its watermark; returns how many changes were undone. Called after a version failed
     * part-way and on close; readers stay live throughout (they see the undone rows go, and the old ones come back).
     */
    long rollback();
}
