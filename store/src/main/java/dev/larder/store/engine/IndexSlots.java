package dev.larder.store.engine;

import dev.larder.store.StoreException;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * Writer thread only, racing lock-free readers through release stores of whole slots: the changes to the index
 * ({@link IndexDescriptor}) and its counters in state.dat ({@link StateDescriptor#INDEX_USED},
 * {@link StateDescriptor#LIVE_ROWS}). Each change is one release store of a slot, so a reader sees the slot before or
 * after it, and a crash leaves a valid index.
 */
public final class IndexSlots {
    private IndexSlots() {
    }

    /** Points the free slot a missed probe found (empty or tombstone) at a new entry, counting a new live row. */
    public static void insert(TableView v, MappedByteBuffer state, long freePos, long entry) {
        boolean reuseTombstone = v.slotAcquire(freePos) == IndexDescriptor.TOMBSTONE;
        v.slotRelease(freePos, entry);
        if (!reuseTombstone) {
            state.putLong(StateDescriptor.INDEX_USED, state.getLong(StateDescriptor.INDEX_USED) + 1);
        }
        state.putLong(StateDescriptor.LIVE_ROWS, state.getLong(StateDescriptor.LIVE_ROWS) + 1);
    }

    /** Tombstones the slot of a present key, counting one live row less. */
    public static void remove(TableView v, MappedByteBuffer state, long pos) {
        v.slotRelease(pos, IndexDescriptor.TOMBSTONE);
        state.putLong(StateDescriptor.LIVE_ROWS, state.getLong(StateDescriptor.LIVE_ROWS) - 1);
    }

    /** Empties the index in place (no new file, so no disk needed) and zeroes its counters. */
    public static void clear(TableView v, MappedByteBuffer state) {
        for (long pos = 0; pos < v.indexSlots; pos++) {
            v.slotRelease(pos, IndexDescriptor.EMPTY);
        }
        state.putLong(StateDescriptor.LIVE_ROWS, 0);
        state.putLong(StateDescriptor.INDEX_USED, 0);
    }

    /** Whether {@code adding} more used slots would load the index past {@link IndexDescriptor#MAX_LOAD_PERCENT}. */
    public static boolean needsRebuild(TableView v, MappedByteBuffer state, long adding) {
        long used = state.getLong(StateDescriptor.INDEX_USED) + adding;
        return used * 100 > v.indexSlots * IndexDescriptor.MAX_LOAD_PERCENT;
    }

    /**
     * Builds and installs ({@link #install}) the next index generation from the live entries of {@code v} (dropping
     * tombstones, doubling when needed) and returns the view that maps it, for the caller to publish. Readers keep
     * probing the old generation until they load the new view; the writer no longer touches the old one, so what they
     * read there stays valid.
     */
    public static TableView rebuild(TableView v, MappedByteBuffer state, Path dir, String table) {
        long live = state.getLong(StateDescriptor.LIVE_ROWS);
        long slots = IndexDescriptor.indexSlotsFor(live + 1);
        if ((live + 1) * 100 > slots * IndexDescriptor.MAX_LOAD_PERCENT) {
            throw new StoreException("table " + table + " is full: its index holds at most "
                    + IndexDescriptor.MAX_SLOTS * IndexDescriptor.MAX_LOAD_PERCENT / 100 + " rows");
        }
        long gen = v.indexGeneration + 1;
        try {
            MappedByteBuffer[] chunks = IndexFiles.create(dir, gen, slots);
            TableView next = v.withIndex(chunks, slots, gen);
            for (long pos = 0; pos < v.indexSlots; pos++) {
                long slot = v.slotAcquire(pos);
                if (slot != IndexDescriptor.EMPTY && slot != IndexDescriptor.TOMBSTONE) {
                    long p = next.home(IndexDescriptor.fingerprint(slot));
                    while (next.slotAcquire(p) != IndexDescriptor.EMPTY) {
                        p = next.next(p);
                    }
                    next.slotRelease(p, slot);
                }
            }
            install(state, next, live);
            return next;
        } catch (IOException e) {
            throw new StoreException("cannot rebuild index of table " + table + ": " + e.getMessage(), e);
        }
    }

    /**
     * Forces a complete new index generation and switches state.dat to it with one store of its generation; the caller
     * then publishes the view and removes the older generations' files.
     */
    public static void install(MappedByteBuffer state, TableView next, long used) {
        for (MappedByteBuffer c : next.indexChunks) {
            c.force();
        }
        state.putLong(StateDescriptor.INDEX_SLOTS, next.indexSlots);
        state.putLong(StateDescriptor.INDEX_USED, used);
        state.putLong(StateDescriptor.INDEX_GENERATION, next.indexGeneration);
        state.force();
    }
}
