package dev.larder.store;

import dev.larder.store.engine.IndexDescriptor;
import dev.larder.store.engine.RowChecksum;
import dev.larder.store.engine.RowLayoutDescriptor;
import dev.larder.store.engine.RowSlots;
import dev.larder.store.engine.TableView;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.function.Consumer;

/**
 * One pass of {@link FeatureTable#scrub()}, for ONE thread: walks the published index for the rows it reaches, then
 * checks each of those rows, in file order, on a copy taken under the row's seqlock, so it runs beside the writer and
 * readers without locks. A row the writer frees during the pass is skipped, one it replaces may be checked as it was
 * (its replacement is checked by the next pass).
 *
 * <p>Rows in index order would be rows at random, a cache and TLB miss each and, on a table not in the page cache, a
 * page fault each: in file order they are read sequentially, for one bit per row slot of memory.
 */
final class RowScrubber extends RowImage {
    private final FeatureTable table;
    private final RowChecksum checksum;

    RowScrubber(FeatureTable table, RowLayoutDescriptor layout) {
        super(layout);
        this.table = table;
        this.checksum = new RowChecksum(layout.rowSize());
    }

    ScrubResult run(Consumer<? super RowImage> eachRow) {
        TableView v = table.view();
        BitSet reachable = new BitSet((int) Math.min(Integer.MAX_VALUE, v.rowCapacity));
        for (long pos = 0; pos < v.indexSlots; pos++) {
            long slot = v.slotAcquire(pos);
            if (slot == IndexDescriptor.EMPTY || slot == IndexDescriptor.TOMBSTONE) {
                continue;
            }
            long row = IndexDescriptor.rowId(slot);
            if (row >= 0 && row < v.rowCapacity) {
                reachable.set((int) row);
            }
        }
        long rows = 0;
        long damaged = 0;
        List<String> samples = new ArrayList<>();
        for (int row = reachable.nextSetBit(0); row >= 0; row = reachable.nextSetBit(row + 1)) {
            if (!RowSlots.copy(v, row, bytes)
                    || ((short) SHORTS.get(bytes, RowLayoutDescriptor.FLAGS) & RowLayoutDescriptor.FLAG_LIVE) == 0) {
                continue;
            }
            rows++;
            if (checksum.of(bytes) != (int) INTS.get(bytes, RowLayoutDescriptor.CHECKSUM)) {
                if (damaged++ < ScrubResult.MAX_SAMPLES) {
                    samples.add(describeDamaged(row));
                }
            }
            eachRow.accept(this);
        }
        return new ScrubResult(rows, damaged, samples);
    }
}
