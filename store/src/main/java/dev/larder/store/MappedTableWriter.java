package dev.larder.store;

import dev.larder.store.engine.BulkEntries;
import dev.larder.store.engine.BulkPlacement;
import dev.larder.store.engine.FreeListRebuild;
import dev.larder.store.engine.FreshRows;
import dev.larder.store.engine.HeapValues;
import dev.larder.store.engine.IndexDescriptor;
import dev.larder.store.engine.IndexFiles;
import dev.larder.store.engine.IndexPrefetch;
import dev.larder.store.engine.IndexProbe;
import dev.larder.store.engine.IndexSlots;
import dev.larder.store.engine.IndexWindow;
import dev.larder.store.engine.KeyCodec;
import dev.larder.store.engine.Recovery;
import dev.larder.store.engine.RetiredRows;
import dev.larder.store.engine.RowChecksum;
import dev.larder.store.engine.RowLayoutDescriptor;
import dev.larder.store.engine.RowSlots;
import dev.larder.store.engine.StateDescriptor;
import dev.larder.store.engine.TableView;
import dev.larder.store.engine.UndoLog;
import dev.larder.store.engine.UndoLogDescriptor;
import dev.larder.store.engine.UndoReplay;
import dev.larder.store.internal.TableWriter;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * The single writer of a {@link FeatureTable}, over its mapped files: confined to the thread that {@linkplain #claim()
 * claimed} it (the ingest writer thread), which mutating calls assert; readers run concurrently without locks.
 *
 * <p><b>Copy-on-write rows.</b> An upsert writes the new row into an unreachable slot and publishes it by swapping the
 * index slot (one release store); the old slot is reused once its version is published. A row slot is only ever
 * modified while it is unreachable from the index, between two bumps of its seqlock word, so a reader that raced with
 * reuse detects it (changed seq, freed flag or other key) and retries.
 *
 * <p><b>A version is all or nothing.</b> Replaced and deleted rows are not freed at once: every index change is first
 * recorded in the {@link UndoLog} (the key's old row and new row), and the old rows stay intact until the version is
 * published. {@link #publish} is the commit point: one release store of the version into state.dat (which a kill -9
 * cannot lose), after which the version's undo records go and its replaced rows are garbage. They are not freed there
 * and then (a burst of one cache and TLB miss per row, on a core a reader may share): they stay in the emptied log
 * as <em>retired</em> records, and each change of the next version takes the retired row of the record it overwrites,
 * an upsert writing its new row there, a delete freeing it; what the next version leaves is freed when it is
 * published. A crash forgets retired rows; recovery frees every unreachable row anyway. {@link #rollback()} (a
 * failed version, {@link FeatureTable#close()}) and reopening after a crash undo, newest first, every change not yet
 * published, so the table again equals its source at the watermark. Readers of a live table may see a version's
 * changes appear one by one while it is applied; they never see a torn row.
 *
 * <p><b>Crash consistency (kill -9).</b> Stores to mapped memory survive the process, so after every single store the
 * files must describe a valid table: a slot becomes reachable only after it is fully written; the old slot is freed
 * only after the index no longer points to it; a rebuilt index is switched in by one store of its generation. A crash
 * can therefore only leak a slot (allocated but unreachable), which {@link #recover} returns to the free list.
 *
 * <p><b>Bulk load.</b> Filling an empty table (a bootstrap) can skip the per-row index probe, a cache and TLB miss on a
 * random slot: between {@link #beginBulkLoad()} and {@link #finishBulkLoad(RowBuffer)} upserts only append rows and
 * remember (fingerprint, row) entries; finishing sorts those by home slot and writes a new index generation in one
 * sequential pass. The rows stay unreachable, so invisible to readers and leaked slots to a crash, until then.
 *
 * <p><b>Durability point.</b> {@link #sync()} forces rows, index and state to disk and then atomically rewrites the
 * metadata with the published lineage, so the persisted watermark never runs ahead of the data it describes.
 *
 * <p><b>Seams.</b> This class adapts the API's types (row buffers, keys, shards, the table's views and files) to the
 * engine's operations over the layouts, which take views, mapped state and byte arrays: {@link RowSlots} (the seqlock
 * write and the free list), {@link IndexProbe} and {@link IndexSlots} (probe, insert, delete, rebuild),
 * {@link HeapValues}, {@link UndoReplay} and {@link Recovery}, {@link RetiredRows}, {@link FreeListRebuild},
 * {@link BulkPlacement} and {@link IndexPrefetch}. What stays here is what needs the table: ownership, the order of
 * changes to a key (versions or event times) and the undo records that order appends, growing and remapping files and
 * publishing views.
 */
final class MappedTableWriter implements TableWriter {

    private final FeatureTable table;
    private final RowLayoutDescriptor layout;
    private final MappedByteBuffer state;
    private final int rowSize;
    /** The key of the change being applied, its hash and where the index holds it. */
    private final IndexProbe probe;
    private final IndexPrefetch prefetch;
    private final HeapValues heap;
    private final UndoLog undo;
    private final RowChecksum checksum;
    /** Version of an open bulk load (the highest one upserted into it). */
    private long bulkVersion = -1;
    private final RowBuffer deleteRow;
    /** Index entries of an open bulk load; null outside one. */
    private BulkEntries bulk;
    /** Bulk-loaded rows for never-used slots, not yet written to rows.dat. */
    private final FreshRows fresh;
    /** The undo log's records of published versions, whose old rows the next version's changes reuse. */
    private final RetiredRows retired;
    /** Heap bytes of the rows the version being applied replaced or deleted: garbage once it is published. */
    private long replacedHeapBytes;
    /** The table's shards when it holds only some; null when it holds every key. */
    private final ShardSpec shards;
    /** The column whose value orders changes to a key ({@link TableOptions#eventTime()}), or -1: versions do. */
    private final int eventTime;

    MappedTableWriter(FeatureTable table, RowLayoutDescriptor layout, UndoLog undo) {
        this.table = table;
        this.undo = undo;
        this.checksum = new RowChecksum(layout.rowSize());
        this.layout = layout;
        this.state = table.state;
        this.rowSize = layout.rowSize();
        this.probe = new IndexProbe(layout, table.name());
        this.prefetch = new IndexPrefetch(layout);
        this.heap = new HeapValues(layout);
        this.retired = new RetiredRows(undo, table.state);
        this.deleteRow = new RowBuffer(layout);
        this.fresh = new FreshRows(table.rowsChannel, table.name(), rowSize);
        this.shards = table.shardFilter();
        this.eventTime = table.eventTimeColumn();
    }

    /** Written only by the owning thread itself; a plain field suffices because a change of owner is a hand-off. */
    private Thread owner;

    @Override
    public void claim() {
        owner = Thread.currentThread();
    }

    /** True on the owning thread; the first mutating thread becomes the owner when none has claimed the writer. */
    private boolean onOwningThread() {
        Thread t = Thread.currentThread();
        if (owner == null) {
            owner = t;
        }
        return owner == t;
    }

    private String notOwner() {
        return "table " + table.name() + " is written by thread " + owner.getName() + ", not by "
                + Thread.currentThread().getName()
                + " (a table has one writer; hand it over and call claim() on the new thread)";
    }

    long liveRows() {
        return state.getLong(StateDescriptor.LIVE_ROWS);
    }

    @Override
    public Outcome upsert(RowBuffer row, long version, long commitTimestampMillis) {
        assert onOwningThread() : notOwner();
        table.ensureOpen();
        // Rows from the table's newRow() share its layout: one compare instead of a deep schema equality per row.
        if (row.layout != layout && (row.layout.rowSize() != rowSize || !row.schema.equals(layout.schema()))) {
            throw new IllegalArgumentException("row was built for another schema");
        }
        byte[] img = row.bytes;
        IndexProbe p = probe;
        int keyLength = KeyCodec.encodeFromRow(layout, img, p.key);
        p.keyLength(keyLength);
        if (shards != null && !shards.ownsKey(layout.schema(), p.key)) {
            return Outcome.NOT_OWNED;
        }
        p.hash();
        TableView v = table.view();
        boolean found = bulk == null && p.find(v);
        if (found && (eventTime >= 0 ? eventTime(img) < RowSlots.eventTime(v, layout, p.foundRow(), eventTime)
                : RowSlots.version(v, p.foundRow()) > version)) {
            return ignoredOlder();
        }
        RowImage.LONGS.set(img, RowLayoutDescriptor.VERSION, version);
        RowImage.LONGS.set(img, RowLayoutDescriptor.COMMIT_TS, commitTimestampMillis);
        RowImage.SHORTS.set(img, RowLayoutDescriptor.FLAGS, RowLayoutDescriptor.FLAG_LIVE);
        RowImage.SHORTS.set(img, RowLayoutDescriptor.KEY_LENGTH, (short) keyLength);
        System.arraycopy(p.key, 0, img, layout.keyOffset(), keyLength);
        if (bulk == null && !found && IndexSlots.needsRebuild(v, state, 1)) {
            rebuildIndex();
            v = table.view();
            p.find(v);
        }
        long foundRow = found ? p.foundRow() : -1;
        spillToHeap(row, foundRow);
        RowImage.INTS.set(img, RowLayoutDescriptor.CHECKSUM, checksum.of(img));
        if (bulk == null) {
            // Room for the undo record before the table is touched, so a full disk fails the change cleanly.
            undo.ensureRoom();
        }
        // A bulk load writes never-used slots (those at the high-water mark) by positional writes.
        long highWater = bulk != null ? state.getLong(StateDescriptor.HIGH_WATER) : -1;
        long reused = bulk == null ? retired.next() : -1;
        long newRow = reused >= 0 ? reused : allocate();
        long entry = IndexDescriptor.entry(p.fingerprint(), newRow);
        if (bulk != null) {
            if (newRow == highWater) {
                fresh.stage(newRow, img);
            } else {
                fresh.flush();
                RowSlots.write(table.view(), newRow, img, rowSize);
            }
            bulk.add(entry);
            bulkVersion = Math.max(bulkVersion, version);
            return Outcome.INSERTED;
        }
        v = table.view();
        RowSlots.write(v, newRow, img, rowSize);
        if (found) {
            replaced(v, foundRow, newRow);
        }
        undo.append(version, found ? foundRow : UndoLogDescriptor.ABSENT, newRow);
        noteApplying(version);
        if (found) {
            // The old row stays intact (and unreachable) until its version is published: a rollback points back at it.
            v.slotRelease(p.foundPos(), entry);
            return Outcome.UPDATED;
        }
        IndexSlots.insert(v, state, p.freePos(), entry);
        return Outcome.INSERTED;
    }

    @Override
    public Outcome delete(RowBuffer keyRow, long version) {
        assert onOwningThread() : notOwner();
        table.ensureOpen();
        probe.keyLength(KeyCodec.encodeFromRow(layout, keyRow.bytes, probe.key));
        return deleteEncoded(version, keyRow.bytes);
    }

    @Override
    public Outcome delete(Key k, long version) {
        assert onOwningThread() : notOwner();
        table.ensureOpen();
        if (!k.compatibleWith(layout.schema())) {
            throw new IllegalArgumentException("key was built for another key schema");
        }
        int keyLength = k.encode();
        System.arraycopy(k.encoded, 0, probe.key, 0, keyLength);
        probe.keyLength(keyLength);
        return deleteEncoded(version, null);
    }

    @Override
    public Outcome delete(long singleKey, long version) {
        deleteRow.clear();
        deleteRow.setLong(layout.schema().keyColumn(0), singleKey);
        return delete(deleteRow, version);
    }

    /** A delete of the probe's key; {@code img}, when not null, is a row image whose event time it carries. */
    private Outcome deleteEncoded(long version, byte[] img) {
        IndexProbe p = probe;
        if (shards != null && !shards.ownsKey(layout.schema(), p.key)) {
            return Outcome.NOT_OWNED;
        }
        finishBulkLoad(null);
        p.hash();
        TableView v = table.view();
        if (!p.find(v)) {
            return Outcome.ABSENT;
        }
        long foundRow = p.foundRow();
        if (eventTime >= 0 ? img != null && !RowImage.isNull(layout, img, eventTime)
                && eventTime(img) < RowSlots.eventTime(v, layout, foundRow, eventTime)
                : RowSlots.version(v, foundRow) > version) {
            return ignoredOlder();
        }
        undo.ensureRoom();
        retired.freeNext(v);
        replaced(v, foundRow, -1);
        undo.append(version, foundRow, UndoLogDescriptor.ABSENT);
        noteApplying(version);
        IndexSlots.remove(v, state, p.foundPos());
        return Outcome.DELETED;
    }

    /**
     * Loads what applying the {@code n} row images at {@code images[offsets[i]..]} (as {@link RowBuffer#exportTo} wrote
     * them: upserts or deletes about to be applied) will miss on ({@link IndexPrefetch}). Writer thread only; changes
     * nothing.
     */
    @Override
    public void prefetch(byte[] images, int[] offsets, int n) {
        if (bulk != null) {
            // A bulk load's upserts append rows and probe nothing: there is nothing to load ahead.
            return;
        }
        prefetch.prefetch(table.view(), images, offsets, n);
    }

    /**
     * Stores the heap offsets of the row image's values longer than their inline capacity: a value equal to the one
     * the row it replaces ({@code oldRow}, -1 for none) holds points to the same heap bytes (they are never modified,
     * and an update usually leaves most of a row's values as they were), any other is appended to the heap.
     */
    private void spillToHeap(RowBuffer row, long oldRow) {
        for (int c : heap.columns()) {
            if (row.isNull(c)) {
                continue;
            }
            int len = row.getLength(c);
            if (len > layout.schema().column(c).capacity()) {
                long offset = oldRow >= 0 ? heap.sameValue(table.view(), state, oldRow, c, row.overflow(c), len) : -1;
                if (offset < 0) {
                    offset = appendHeap(row.overflow(c), len);
                }
                RowImage.LONGS.set(row.bytes, layout.columnOffset(c) + RowLayoutDescriptor.LENGTH_PREFIX, offset);
            }
        }
    }

    /** Appends a value to the heap, growing heap.dat (and publishing a view that maps it) when it does not fit. */
    private long appendHeap(byte[] src, int len) {
        long at = HeapValues.appendOffset(state, len);
        TableView v = table.view();
        if (at + len > v.heapCapacity) {
            long capacity = HeapValues.capacityFor(v.heapCapacity, at + len);
            try {
                MappedByteBuffer[] chunks = table.growHeap(capacity);
                state.putLong(StateDescriptor.HEAP_CAPACITY, capacity);
                v = v.withHeap(chunks, capacity);
                table.publish(v);
            } catch (IOException e) {
                throw new StoreException("cannot grow heap of table " + table.name() + ": " + e.getMessage(), e);
            }
        }
        HeapValues.append(v, state, at, src, len);
        return at;
    }

    /** Counts a change skipped because the stored row is newer (by event time, when the table has one column). */
    private Outcome ignoredOlder() {
        if (eventTime >= 0) {
            table.skippedOlderEvent();
        }
        return Outcome.IGNORED_OLDER;
    }

    /** The event time of row image {@code img}; a null one is older than any other. */
    private long eventTime(byte[] img) {
        return RowImage.isNull(layout, img, eventTime) ? Long.MIN_VALUE
                : (long) RowImage.LONGS.get(img, layout.columnOffset(eventTime));
    }

    /** Allocates a row slot: the free list's head, else the high-water mark (growing rows.dat when it is full). */
    long allocate() {
        TableView v = table.view();
        long head = RowSlots.takeFree(v, state);
        if (head >= 0) {
            return head;
        }
        long high = state.getLong(StateDescriptor.HIGH_WATER);
        if (high == v.rowCapacity) {
            growRows(v);
        }
        state.putLong(StateDescriptor.HIGH_WATER, high + 1);
        return high;
    }

    /**
     * Grows the rows file and publishes a view that maps it: by an eighth, so spare capacity stays under 12.5% of the
     * table (each growth remaps the last chunk, which readers then fault in again); in a bulk load, which knows nothing
     * of its size until it ends and then trims ({@link #trimRows}), by doubling (capped at whole chunks).
     */
    private void growRows(TableView v) {
        long perChunk = 1L << v.rowChunkShift;
        long capacity;
        if (bulk != null) {
            capacity = v.rowCapacity < perChunk ? Math.min(v.rowCapacity * 2, perChunk) : v.rowCapacity + perChunk;
        } else {
            capacity = v.rowCapacity + Math.max(FeatureTable.MIN_ROWS, v.rowCapacity / 8);
        }
        capacity = Math.min(capacity, IndexDescriptor.MAX_ROWS);
        if (capacity <= v.rowCapacity) {
            throw new StoreException("table " + table.name() + " is full (" + v.rowCapacity + " rows)");
        }
        try {
            MappedByteBuffer[] chunks = table.mapRows(table.growRowsFile(capacity), capacity);
            state.putLong(StateDescriptor.ROW_CAPACITY, capacity);
            table.publish(v.withRows(chunks, capacity));
        } catch (IOException e) {
            throw new StoreException("cannot grow rows file of table " + table.name() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Maps only the rows a bulk load handed out: its doubling reserved more, which the next growths use without
     * reserving again. The file keeps that reserved length (it never shrinks, so a read-only process mapping the
     * capacity it read a moment before still finds the bytes there); only the mapping, and so memory, shrinks. No
     * reader reaches a row at or past the high-water mark, so a view still mapping the old capacity stays valid.
     */
    private void trimRows() {
        TableView v = table.view();
        long capacity = Math.max(FeatureTable.MIN_ROWS, state.getLong(StateDescriptor.HIGH_WATER));
        if (capacity >= v.rowCapacity) {
            return;
        }
        try {
            MappedByteBuffer[] chunks = table.mapRows(table.rowsChannel, capacity);
            state.putLong(StateDescriptor.ROW_CAPACITY, capacity);
            table.publish(v.withRows(chunks, capacity));
        } catch (IOException e) {
            throw new StoreException("cannot remap rows file of table " + table.name() + ": " + e.getMessage(), e);
        }
    }

    /** Builds the next index generation ({@link IndexSlots#rebuild}), publishes it and removes the older files. */
    private void rebuildIndex() {
        publishIndex(IndexSlots.rebuild(table.view(), state, table.directory(), table.name()));
    }

    /** Publishes an installed index generation and removes the files of the older ones. */
    private void publishIndex(TableView next) {
        table.publish(next);
        try {
            IndexFiles.removeAllBut(table.directory(), next.indexGeneration);
        } catch (IOException e) {
            throw new StoreException("cannot remove old index files of table " + table.name() + " in "
                    + table.directory() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean beginBulkLoad() {
        assert onOwningThread() : notOwner();
        table.ensureOpen();
        if (bulk == null && liveRows() == 0) {
            // A bulk load takes slots from the free list and the high-water mark only.
            retired.freeFrom(table.view(), undo.count());
            bulk = new BulkEntries();
        }
        return bulk != null;
    }

    @Override
    public long finishBulkLoad(RowBuffer firstDuplicate) {
        assert onOwningThread() : notOwner();
        if (bulk == null) {
            return 0;
        }
        if (firstDuplicate != null && firstDuplicate.layout.rowSize() != rowSize) {
            throw new IllegalArgumentException("row was built for another schema");
        }
        fresh.flush();
        BulkEntries entries = bulk;
        bulk = null;
        trimRows();
        TableView v = table.view();
        // Sized for every upsert: duplicates are rare (in a bootstrap they are an error), and sizing for the distinct
        // keys would need a pass over all buckets before placing any.
        long slots = IndexDescriptor.bulkIndexSlotsFor(entries.size() + 1);
        long gen = v.indexGeneration + 1;
        TableView next;
        BulkPlacement placement;
        try {
            next = v.withIndex(IndexFiles.create(table.directory(), gen, slots), slots, gen);
            entries.sort();
            placement = new BulkPlacement(layout, table.name(), v, next, state, heap,
                    firstDuplicate == null ? null : firstDuplicate.bytes);
            try (IndexWindow window = new IndexWindow(IndexFiles.path(table.directory(), gen), slots)) {
                entries.drain(placement, window);
            }
        } catch (IOException ex) {
            throw new StoreException("cannot build index of table " + table.name() + ": " + ex.getMessage(), ex);
        }
        placement.placeWrapped();
        undo.ensureRoom();
        retired.freeNext(table.view());
        undo.append(bulkVersion, UndoLogDescriptor.BULK, UndoLogDescriptor.ABSENT);
        noteApplying(bulkVersion);
        bulkVersion = -1;
        state.putLong(StateDescriptor.LIVE_ROWS, placement.kept());
        IndexSlots.install(state, next, placement.kept());
        publishIndex(next);
        return placement.duplicates();
    }

    @Override
    public void publish(Lineage lineage) {
        assert onOwningThread() : notOwner();
        finishBulkLoad(null);
        state.putLong(StateDescriptor.PUBLISHED_TS, lineage.commitTimestampMillis());
        TableView.LONG.setRelease(state, StateDescriptor.PUBLISHED_VERSION, lineage.version());
        table.publishLineage(lineage);
        discardPublished();
        table.publishApplying(-1);
    }

    /** Tells status readers which version is being applied (first change of a version only: one compare otherwise). */
    private void noteApplying(long version) {
        if (table.applyingVersion() != version) {
            table.publishApplying(version);
        }
    }

    @Override
    public void sync() {
        fresh.flush();
        fresh.awaitWriteBehind();
        TableView v = table.view();
        for (MappedByteBuffer c : v.rowChunks) {
            c.force();
        }
        for (MappedByteBuffer c : v.indexChunks) {
            c.force();
        }
        for (MappedByteBuffer c : v.heapChunks) {
            c.force();
        }
        undo.force();
        state.force();
        Lineage l = table.lineage();
        TableMetadata md = table.metadata();
        if (!md.lineage().equals(l)) {
            TableMetadata updated = md.withLineage(l);
            updated.write(table.directory());
            table.publishMetadata(updated);
        }
    }

    /** Retires the published version's undo records and counts the heap bytes its replaced rows left as garbage. */
    private void discardPublished() {
        retired.retireAll(table.view());
        if (replacedHeapBytes != 0) {
            HeapValues.addGarbage(state, replacedHeapBytes);
            replacedHeapBytes = 0;
        }
    }

    /**
     * Notes a row the version being applied replaces by {@code by} or deletes ({@code by} -1), right before its undo
     * record is appended.
     */
    private void replaced(TableView v, long row, long by) {
        if (heap.any()) {
            replacedHeapBytes += heap.bytesNotIn(v, row, by);
        }
    }

    @Override
    public long rollback() {
        table.ensureOpen();
        boolean rebuildFreeList = false;
        if (bulk != null) {
            bulk = null;
            fresh.discard();
            bulkVersion = -1;
            rebuildFreeList = true;
        }
        long records = undo.count();
        TableView v = table.view();
        rebuildFreeList |= UndoReplay.undoAll(v, state, undo, probe,
                table.directory().resolve(RowLayoutDescriptor.FILE));
        if (rebuildFreeList) {
            FreeListRebuild.fromIndex(v, state, heap);
        } else {
            UndoReplay.freeNewRows(v, state, undo, heap, records);
            retired.freeFrom(v, records);
        }
        retired.forget();
        replacedHeapBytes = 0;
        undo.clear();
        table.publishApplying(-1);
        return records;
    }

    /**
     * Recovery after an unclean close ({@link Recovery}): runs on open, before any reader exists, and publishes the
     * damaged rows it counted.
     *
     * @return changes undone
     */
    long recover(Path indexPath, Path rowsPath, long publishedVersion) {
        retired.forget();
        Recovery r = Recovery.run(table.view(), state, undo, probe, heap, checksum, table.directory(), indexPath,
                rowsPath, publishedVersion);
        table.publishDamagedRows(r.damaged);
        return r.undone;
    }
}
