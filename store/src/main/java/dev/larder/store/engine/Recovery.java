package dev.larder.store.engine;

import dev.larder.store.StoreCorruptedException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.BitSet;

/**
 * Opening only, before any reader or writer exists: recovery of a table after an unclean close. Undoes, newest first,
 * every recorded change of a version above the published one (the version the crash cut short), then validates the
 * index against the rows file (entries in range, each row reached once, complete, live, holding a key of the entry's
 * fingerprint; row checksums are counted, not refused), rebuilds the free list to hold every slot the index does not
 * reach and recomputes the counters. O(index slots + rows).
 */
public final class Recovery {
    /** Changes undone. */
    public final long undone;
    /** Reachable rows whose checksum fails. */
    public final long damaged;

    private Recovery(long undone, long damaged) {
        this.undone = undone;
        this.damaged = damaged;
    }

    /**
     * Recovers the table in {@code dir} whose files {@code v}, {@code state} and {@code undo} map ({@code indexPath}
     * and {@code rowsPath} are named by the errors); {@code probe}, {@code heap} and {@code checksum} are the writer's.
     */
    public static Recovery run(TableView v, MappedByteBuffer state, UndoLog undo, IndexProbe probe, HeapValues heap,
                               RowChecksum checksum, Path dir, Path indexPath, Path rowsPath, long publishedVersion) {
        long high = state.getLong(StateDescriptor.HIGH_WATER);
        long undone = 0;
        for (long i = undo.count() - 1; i >= 0; i--) {
            long old = undo.oldRow(i);
            long neu = undo.newRow(i);
            if (old >= high || neu >= high || old < UndoLogDescriptor.BULK || neu < UndoLogDescriptor.ABSENT
                    || (old < 0 && neu < 0 && old != UndoLogDescriptor.BULK)) {
                throw new StoreCorruptedException(dir.resolve(UndoLogDescriptor.FILE), "record " + i
                        + " names rows " + old + " and " + neu + " of " + high + " allocated");
            }
            if (undo.version(i) > publishedVersion) {
                try {
                    UndoReplay.undo(v, state, probe, old, neu, rowsPath);
                } catch (IndexOutOfBoundsException | IllegalStateException e) {
                    // Only a damaged index sends a probe out of range or around the whole table.
                    throw new StoreCorruptedException(indexPath, "cannot undo change " + i
                            + " of the unfinished version: " + e);
                }
                undone++;
            }
        }
        undo.clear();
        long damaged = validate(v, state, probe, heap, checksum, high, indexPath, rowsPath);
        state.force();
        return new Recovery(undone, damaged);
    }

    /** Validates every index entry against its row, rebuilds the free list and the counters; returns damaged rows. */
    private static long validate(TableView v, MappedByteBuffer state, IndexProbe probe, HeapValues heap,
                                 RowChecksum checksum, long high, Path indexPath, Path rowsPath) {
        BitSet reachable = new BitSet((int) Math.min(Integer.MAX_VALUE, high));
        long live = 0;
        long liveHeapBytes = 0;
        long used = 0;
        long damaged = 0;
        for (long pos = 0; pos < v.indexSlots; pos++) {
            long slot = v.slotAcquire(pos);
            if (slot == IndexDescriptor.EMPTY) {
                continue;
            }
            used++;
            if (slot == IndexDescriptor.TOMBSTONE) {
                continue;
            }
            long row = IndexDescriptor.rowId(slot);
            if (row < 0 || row >= high) {
                throw new StoreCorruptedException(indexPath, "slot " + pos + " points to row " + row + " beyond the "
                        + high + " allocated rows");
            }
            if (reachable.get((int) row)) {
                throw new StoreCorruptedException(indexPath, "row " + row + " is referenced by two index slots");
            }
            MappedByteBuffer chunk = v.rowChunk(row);
            int off = v.rowOffset(row);
            long seq = (long) TableView.LONG.get(chunk, off);
            if ((seq & 1) != 0 || !RowSlots.isLive(v, row)) {
                throw new StoreCorruptedException(rowsPath, "row " + row
                        + " is referenced by the index but is not a complete live row");
            }
            probe.loadKey(v, row, rowsPath, "referenced by index slot " + pos);
            if (probe.fingerprint() != IndexDescriptor.fingerprint(slot)) {
                throw new StoreCorruptedException(indexPath, "slot " + pos
                        + " holds a fingerprint that is not its row's key");
            }
            if (checksum.of(chunk, off) != chunk.getInt(off + RowLayoutDescriptor.CHECKSUM)) {
                damaged++;
            }
            reachable.set((int) row);
            live++;
            liveHeapBytes += heap.bytes(v, row);
        }
        FreeListRebuild.freeAllBut(v, state, reachable, high, heap);
        state.putLong(StateDescriptor.LIVE_ROWS, live);
        state.putLong(StateDescriptor.INDEX_USED, used);
        // Recomputed from the live rows: what the free pass counted is superseded.
        state.putLong(StateDescriptor.HEAP_GARBAGE, state.getLong(StateDescriptor.HEAP_SIZE) - liveHeapBytes);
        return damaged;
    }
}
