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
}
