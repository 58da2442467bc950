package dev.larder.store.engine;

import java.nio.MappedByteBuffer;
import java.util.BitSet;

/**
 * Writer thread only (or opening, before any reader): rebuilds the free list of rows.dat ({@link RowSlots}) from
 * reachability, so it holds exactly the allocated rows the index does not reach, rows a crash leaked included. Only
 * for an empty undo log, whose records could still need unreachable rows. O(index slots + rows).
 */
public final class FreeListRebuild {
    private FreeListRebuild() {
    }

    /** Frees every allocated row the index of {@code v} does not reach and recomputes the counters. */
    public static void fromIndex(TableView v, MappedByteBuffer state, HeapValues heap) {
        long high = state.getLong(StateDescriptor.HIGH_WATER);
        BitSet keep = new BitSet((int) Math.min(Integer.MAX_VALUE, high));
        long live = 0;
        long used = 0;
        for (long pos = 0; pos < v.indexSlots; pos++) {
            long slot = v.slotAcquire(pos);
            if (slot != IndexDescriptor.EMPTY) {
                used++;
                if (slot != IndexDescriptor.TOMBSTONE) {
                    keep.set((int) IndexDescriptor.rowId(slot));
                    live++;
                }
            }
        }
        freeAllBut(v, state, keep, high, heap);
        state.putLong(StateDescriptor.LIVE_ROWS, live);
        state.putLong(StateDescriptor.INDEX_USED, used);
    }

    /**
     * Makes the free list hold exactly the rows below {@code high} not in {@code keep}, in ascending order; rows still
     * flagged live (undone or leaked, so never freed) add their heap values to the garbage count. A torn seq word (a
     * crash inside a row write) is made even first, so the freed row is a whole one.
     */
    public static void freeAllBut(TableView v, MappedByteBuffer state, BitSet keep, long high, HeapValues heap) {
        state.putLong(StateDescriptor.FREE_HEAD, -1);
        for (long row = high - 1; row >= 0; row--) {
            if (!keep.get((int) row)) {
                if (heap.any() && RowSlots.isLive(v, row)) {
                    HeapValues.addGarbage(state, heap.bytes(v, row));
                }
                RowSlots.mend(v, row);
                RowSlots.free(v, state, row);
            }
        }
    }
}
