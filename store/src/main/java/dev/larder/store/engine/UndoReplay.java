package dev.larder.store.engine;

import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * Writer thread only (or opening, before any reader): undoes one record of the {@link UndoLog}, so that the key of its
 * rows points at its old row again, or at nothing. Idempotent, so it is right whether or not the index change after
 * the record happened before a crash.
 */
public final class UndoReplay {
    private UndoReplay() {
    }

    /**
     * Undoes the record ({@code old}, {@code neu}); {@code probe} is the writer's scratch. Returns true for a bulk
     * record, whose rows only a free-list rebuild ({@link FreeListRebuild}) reclaims.
     */
    public static boolean undo(TableView v, MappedByteBuffer state, IndexProbe probe, long old, long neu,
                               Path rowsFile) {
        if (old == UndoLogDescriptor.BULK) {
            // A bulk load only ever fills an empty table.
            IndexSlots.clear(v, state);
            return true;
        }
        probe.loadKey(v, neu >= 0 ? neu : old, rowsFile, "named by the undo log");
        boolean found = probe.find(v);
        if (old >= 0) {
            long entry = IndexDescriptor.entry(probe.fingerprint(), old);
            if (found) {
                v.slotRelease(probe.foundPos(), entry);
            } else {
                IndexSlots.insert(v, state, probe.freePos(), entry);
            }
        } else if (found) {
            IndexSlots.remove(v, state, probe.foundPos());
        }
        return false;
    }

    /**
     * Undoes every record of {@code undo}, newest first (a rollback). Returns true when one was a bulk record: then
     * only a free-list rebuild ({@link FreeListRebuild}) reclaims the rows, else {@link #freeNewRows} does.
     */
    public static boolean undoAll(TableView v, MappedByteBuffer state, UndoLog undo, IndexProbe probe,
                                  Path rowsFile) {
        boolean bulk = false;
        for (long i = undo.count() - 1; i >= 0; i--) {
            bulk |= undo(v, state, probe, undo.oldRow(i), undo.newRow(i), rowsFile);
        }
        return bulk;
    }

    /**
     * After {@link #undoAll} without a bulk record: frees the new rows of the {@code records} undone, counting as heap
     * garbage the values they did not share with the old row the undo restored.
     */
    public static void freeNewRows(TableView v, MappedByteBuffer state, UndoLog undo, HeapValues heap, long records) {
        for (long i = 0; i < records; i++) {
            long neu = undo.newRow(i);
            if (neu >= 0) {
                if (heap.any()) {
                    long old = undo.oldRow(i);
                    HeapValues.addGarbage(state, heap.bytesNotIn(v, neu, old >= 0 ? old : -1));
                }
                RowSlots.free(v, state, neu);
            }
        }
    }
}
