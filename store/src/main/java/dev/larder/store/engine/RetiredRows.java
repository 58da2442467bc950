package dev.larder.store.engine;

import java.nio.MappedByteBuffer;

/**
 * Confined to the table's writer thread: the retired records of the {@link UndoLog}. Once a version is published its
 * records can undo nothing, and the rows it replaced or deleted are garbage. They are not freed there and then (a burst
 * of one cache and TLB miss per row, on a core a reader may share): the records stay in the emptied log as retired
 * records, and each change of the next version takes the retired row of the record its append overwrites, an upsert
 * writing its new row there, a delete freeing it; what the next version leaves is freed when it is published. A crash
 * forgets retired rows; recovery frees every unreachable row anyway.
 */
public final class RetiredRows {
    private final UndoLog undo;
    private final MappedByteBuffer state;
    /**
     * Records {@code undo.count()..end-1} are retired: their old rows (when not negative) garbage that nothing reuses
     * yet. An append overwrites the record at {@code undo.count()}, so its row is taken first.
     */
    private long end;

    public RetiredRows(UndoLog undo, MappedByteBuffer state) {
        this.undo = undo;
        this.state = state;
    }

    /**
     * The retired row of the record the next append overwrites, or -1 (none, or the record retired no row). Taking it
     * twice is harmless: it stays unreachable until the record naming it as new row is appended.
     */
    public long next() {
        long n = undo.count();
        return n < end ? undo.oldRow(n) : -1;
    }

    /**
     * Frees the retired row of the record the next append overwrites; call right before that append. Its heap values
     * were counted as garbage when its version was published.
     */
    public void freeNext(TableView v) {
        long row = next();
        if (row >= 0) {
            RowSlots.free(v, state, row);
        }
    }

    /** Frees the retired rows of records {@code from..end-1}, the ones no later change will reuse. */
    public void freeFrom(TableView v, long from) {
        for (long i = from; i < end; i++) {
            long old = undo.oldRow(i);
            if (old >= 0) {
                RowSlots.free(v, state, old);
            }
        }
        end = Math.min(end, from);
    }

    /**
     * Empties the undo log, whose records nothing can undo any more: they become the retired records, after the rows
     * that the previous version retired and this one did not reuse are freed. A crash half-way leaves records that
     * recovery recognises as published by their versions.
     */
    public void retireAll(TableView v) {
        long n = undo.count();
        freeFrom(v, n);
        end = n;
        undo.clear();
    }

    /** Forgets the retired rows: a free-list rebuild ({@link FreeListRebuild}) takes them with the unreachable rest. */
    public void forget() {
        end = 0;
    }
}
