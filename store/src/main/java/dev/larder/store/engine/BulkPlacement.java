package dev.larder.store.engine;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.util.Arrays;

/**
 * Confined to the table's writer thread, finishing a bulk load whose rows no reader reaches yet: places the load's
 * sorted buckets ({@link BulkEntries}), in bucket order, into a new index generation. Linear probing filled in home
 * order, so each entry lands at its home or just past the previous one, written through an {@link IndexWindow}; the
 * few that would run past the last slot wrap to the front by probing once everything else is placed. Keys upserted
 * more than once keep their last row; the others are freed.
 */
public final class BulkPlacement implements BulkEntries.BucketSink {
    private final TableView rows;
    private final TableView next;
    private final MappedByteBuffer state;
    /** Its own key scratch: the writer's probe holds the key of the delete that may be finishing the load. */
    private final IndexProbe probe;
    private final HeapValues heap;
    private final byte[] firstDuplicate;
    private long free;
    private long[] wrapped = new long[0];
    private int wrappedCount;
    private long kept;
    private long duplicates;

    /**
     * @param rows           the view mapping the loaded rows
     * @param next           the view mapping the new, empty index generation
     * @param firstDuplicate receives the image of the first row a later upsert of its key replaced; null for none
     */
    public BulkPlacement(RowLayoutDescriptor layout, String table, TableView rows, TableView next,
                         MappedByteBuffer state, HeapValues heap, byte[] firstDuplicate) {
        this.rows = rows;
        this.next = next;
        this.state = state;
        this.probe = new IndexProbe(layout, table);
        this.heap = heap;
        this.firstDuplicate = firstDuplicate;
    }

    /** Entries placed: the live rows of the loaded table. */
    public long kept() {
        return kept;
    }

    /** Rows a later upsert of their key replaced within the load. */
    public long duplicates() {
        return duplicates;
    }

    /**
     * @param e a bucket sorted ascending: one sign for the whole bucket (its top bits are equal), so signed order
     *          is fingerprint order, and within a fingerprint row ids ascend in upsert order
     */
    @Override
    public void place(long[] e, int n, IndexWindow window) throws IOException {
        for (int i = 0; i < n; ) {
            long fp = e[i] >>> 32;
            int j = i + 1;
            while (j < n && e[j] >>> 32 == fp) {
                j++;
            }
            for (int a = i; a < j; a++) {
                long row = IndexDescriptor.rowId(e[a]);
                if (j - i > 1 && probe.keyOfAnyRow(rows, row, e, a + 1, j)) {
                    if (duplicates++ == 0 && firstDuplicate != null) {
                        rows.rowChunk(row).get(rows.rowOffset(row), firstDuplicate, 0, rows.rowSize);
                    }
                    if (heap.any()) {
                        HeapValues.addGarbage(state, heap.bytes(rows, row));
                    }
                    RowSlots.free(rows, state, row);
                    continue;
                }
                long at = Math.max(next.home(IndexDescriptor.fingerprint(e[a])), free);
                if (at < next.indexSlots) {
                    window.put(at, e[a]);
                    free = at + 1;
                } else {
                    if (wrappedCount == wrapped.length) {
                        wrapped = Arrays.copyOf(wrapped, Math.max(16, wrappedCount * 2));
                    }
                    wrapped[wrappedCount++] = e[a];
                }
                kept++;
            }
            i = j;
        }
    }

    /** After the window is written: the mapping sees its slots (one page cache). */
    public void placeWrapped() {
        for (int k = 0; k < wrappedCount; k++) {
            long at = next.home(IndexDescriptor.fingerprint(wrapped[k]));
            while (next.slotAcquire(at) != IndexDescriptor.EMPTY) {
                at = next.next(at);
            }
            next.slotRelease(at, wrapped[k]);
        }
    }
}
