package dev.larder.store.engine;

import java.nio.MappedByteBuffer;

/**
 * Confined to the table's writer thread: loads, ahead of applying a group of changes, what their index probes will
 * miss on, so that the misses of the group overlap instead of queueing one per change. Changes nothing.
 */
public final class IndexPrefetch {
    private final RowLayoutDescriptor layout;
    /** Scratch: the key of a record not applied yet. */
    private final byte[] touchKey;
    /** Scratch: the home slots of a group of records. */
    private long[] slots = new long[0];
    /** Sink for the loads, so the JIT cannot drop them as dead. */
    private long prefetched;

    public IndexPrefetch(RowLayoutDescriptor layout) {
        this.layout = layout;
        this.touchKey = new byte[layout.keyCapacity()];
    }

    /**
     * Loads first every key's home index slot, then the header and key of the row each slot names, for the {@code n}
     * row images at {@code images[offsets[i]..]} (in the export form, which starts at the null bitmap); a null key is
     * skipped (its change fails when applied).
     */
    public void prefetch(TableView v, byte[] images, int[] offsets, int n) {
        if (slots.length < n) {
            slots = new long[n];
        }
        int base = -layout.nullsOffset();
        for (int i = 0; i < n; i++) {
            int len = KeyCodec.encodeFromImage(layout, images, offsets[i] + base, touchKey);
            slots[i] = len < 0 ? IndexDescriptor.EMPTY
                    : v.slotAcquire(v.home((int) (KeyCodec.hash(touchKey, len) >>> 32)));
        }
        long sink = 0;
        for (int i = 0; i < n; i++) {
            long slot = slots[i];
            long row = IndexDescriptor.rowId(slot);
            if (slot != IndexDescriptor.EMPTY && slot != IndexDescriptor.TOMBSTONE && row < v.rowCapacity) {
                MappedByteBuffer chunk = v.rowChunk(row);
                int off = v.rowOffset(row);
                // The header (version, key length) and the key may sit on two lines: the apply reads both.
                sink += chunk.getLong(off + RowLayoutDescriptor.VERSION) + chunk.get(off + layout.keyOffset());
            }
        }
        prefetched = sink;
    }
}
