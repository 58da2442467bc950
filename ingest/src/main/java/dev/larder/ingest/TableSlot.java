package dev.larder.ingest;

import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureTable;
import dev.larder.store.Lineage;
import dev.larder.store.RowBuffer;
import dev.larder.store.internal.StoreInternals;
import dev.larder.store.internal.TableWriter;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Writer-side state of one table generation. Plain fields are confined to the writer thread (or, before the slot is
 * first enqueued and after it is retired, to the thread that owns the table); volatile fields are written by the writer
 * thread and read by any thread.
 */
final class TableSlot {
    /**
     * A change that could not be applied, and why.
     *
     * @param version   the version of the change that failed
     * @param watermark the table's watermark when it failed: reads stay on it, and whatever was applied after it was
     *                  rolled back
     * @param cause     what the writer or the source threw
     */
    record Failure(long version, long watermark, Throwable cause) {
        /**
         * The first version the failure took: the failed change's, or, for a pushed row that arrived after its version
         * had ended (the watermark already covers it), the one after the watermark, whose applied rows were dropped.
         */
        long lost() {
            return Math.max(version, watermark + 1);
        }
    }

    private static final VarHandle ENDED;

    static {
        try {
            ENDED = MethodHandles.lookup().findVarHandle(TableSlot.class, "endedVersion", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final TableHandle handle;
    final FeatureTable table;
    final FeatureSchema schema;
    final TableWriter writer;
    final RowBuffer row;
    /** Source identity stamped on every published watermark. */
    final Lineage source;
    /** No change source feeds the table, so the application may push into it (one feeder per table). */
    final boolean pushed;

    int pendingVersions;
    long pendingSinceNanos;
    boolean listedDirty;
    boolean blocked;
    boolean retired;
    /** The writer thread has claimed the table's writer (see {@code TableWriter.claim}). */
    boolean claimed;
    /**
     * A key the last bulk load received more than once, or null; written by the writer thread at BULK_FINISH and read
     * by the producer once that event's future completes (which orders the two).
     */
    String duplicateKey;

    volatile long durableVersion;
    /**
     * Producer side: the newest version whose END record was enqueued, else the watermark. A row pushed at or below it
     * would be applied after its version ended, never be covered by a watermark and vanish on reopen, so it is refused.
     * Raised by producers as they enqueue END records, ahead of the writer; reset to the watermark on RESUME.
     */
    volatile long endedVersion;
    volatile Failure failure;
    /** A schema found equal to ours by a producer, so later rows built from it skip the deep comparison. */
    volatile FeatureSchema equalSchema;

    TableSlot(TableHandle handle, FeatureTable table, Lineage source) {
        this.handle = handle;
        this.table = table;
        this.schema = table.schema();
        this.writer = StoreInternals.writer(table);
        this.row = table.newRow();
        this.source = source;
        this.pushed = !source.sourceFed();
        this.durableVersion = table.lineage().version();
        this.endedVersion = table.lineage().version();
    }

    /** Raises {@link #endedVersion} to {@code version} unless it is already higher; allocation-free. */
    void raiseEnded(long version) {
        long v;
        do {
            v = endedVersion;
        } while (v < version && !ENDED.compareAndSet(this, v, version));
    }

    String name() {
        return table.name();
    }

    /** Producer-side check that a row was built for this table's schema; identity first, then (once) deep equality. */
    void checkSchema(RowBuffer r) {
        FeatureSchema s = r.schema();
        if (s != schema && s != equalSchema) {
            if (!s.equals(schema)) {
                throw new IllegalArgumentException("row was built for another schema than table " + handle.name()
                        + "'s " + schema);
            }
            equalSchema = s;
        }
    }
}
