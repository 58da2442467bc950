package dev.larder.store;

import dev.larder.store.engine.BulkEntries;
import dev.larder.store.engine.FreshRows;
import dev.larder.store.engine.HeapDescriptor;
import dev.larder.store.engine.IndexDescriptor;
import dev.larder.store.engine.IndexFiles;
import dev.larder.store.engine.IndexWindow;
import dev.larder.store.engine.KeyCodec;
import dev.larder.store.engine.RowChecksum;
import dev.larder.store.engine.RowLayoutDescriptor;
import dev.larder.store.engine.StateDescriptor;
import dev.larder.store.engine.TableView;
import dev.larder.store.engine.UndoLog;
import dev.larder.store.engine.UndoLogDescriptor;
import dev.larder.store.internal.TableWriter;
import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;

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
 */
final class MappedTableWriter implements TableWriter {

    private static final VarHandle LONG = TableView.LONG;

    private final FeatureTable table;
    private final RowLayoutDescriptor layout;
    private final MappedByteBuffer state;
    private final int rowSize;
    private final byte[] key;
    /** Scratch for {@link #prefetch}: the key of a record not applied yet. */
    private final byte[] touchKey;
    /** Scratch for {@link #prefetch}: the home slots of a group of records. */
    private long[] prefetchSlots = new long[0];
    /** Sink for {@link #prefetch}'s loads, so the JIT cannot drop them as dead. */
    private long prefetched;
    private final byte[] rowKey;
    private final UndoLog undo;
    private final RowChecksum checksum;
    /** Version of an open bulk load (the highest one upserted into it). */
    private long bulkVersion = -1;
    private final RowBuffer deleteRow;
    /** Non-key STRING/BINARY/OPAQUE columns: the ones whose values may live in the heap. */
    private final int[] spillable;
    private int keyLength;
    private long keyHash;
    private long foundPos;
    private long foundRow;
    private long freePos;
    /** Index entries of an open bulk load; null outside one. */
    private BulkEntries bulk;
    /** Bulk-loaded rows for never-used slots, not yet written to rows.dat. */
    private final FreshRows fresh;
    /**
     * Undo records {@code undo.count()..retiredEnd-1} are retired: published, their old rows (when not negative)
     * garbage that nothing reuses yet. An append overwrites the record at {@code undo.count()}, so its row is taken
     * first.
     */
    private long retiredEnd;
    /** Heap bytes of the rows the version being applied replaced or deleted: garbage once it is published. */
    private long replacedHeapBytes;
    /** Scratch for comparing a value with the heap bytes of the value it replaces; grown on demand, then reused. */
    private byte[] heapScratch = new byte[64];
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
        this.key = new byte[layout.keyCapacity()];
        this.touchKey = new byte[layout.keyCapacity()];
        this.rowKey = new byte[layout.keyCapacity()];
        this.deleteRow = new RowBuffer(layout);
        this.fresh = new FreshRows(table.rowsChannel, table.name(), rowSize);
        this.shards = table.shardFilter();
        this.eventTime = table.eventTimeColumn();
        FeatureSchema schema = layout.schema();
        java.util.List<Integer> cols = new java.util.ArrayList<>();
        for (int c = 0; c < schema.columnCount(); c++) {
            if (schema.column(c).type().isVariableWidth()) {
                cols.add(c);
            }
        }
        this.spillable = cols.stream().mapToInt(Integer::intValue).toArray();
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
        keyLength = KeyCodec.encodeFromRow(layout, img, key);
        if (shards != null && !shards.ownsKey(layout.schema(), key)) {
            return Outcome.NOT_OWNED;
        }
        keyHash = KeyCodec.hash(key, keyLength);
        TableView v = table.view();
        boolean found = bulk == null && find(v);
        if (found && (eventTime >= 0 ? eventTime(img) < storedEventTime(v, foundRow)
                : rowVersion(v, foundRow) > version)) {
            return ignoredOlder();
        }
        RowImage.LONGS.set(img, RowLayoutDescriptor.VERSION, version);
        RowImage.LONGS.set(img, RowLayoutDescriptor.COMMIT_TS, commitTimestampMillis);
        RowImage.SHORTS.set(img, RowLayoutDescriptor.FLAGS, RowLayoutDescriptor.FLAG_LIVE);
        RowImage.SHORTS.set(img, RowLayoutDescriptor.KEY_LENGTH, (short) keyLength);
        System.arraycopy(key, 0, img, layout.keyOffset(), keyLength);
        if (bulk == null && !found && needsIndexRebuild(1)) {
            rebuildIndex();
            v = table.view();
            find(v);
        }
        spillToHeap(row, found ? foundRow : -1);
        RowImage.INTS.set(img, RowLayoutDescriptor.CHECKSUM, checksum.of(img));
        if (bulk == null) {
            // Room for the undo record before the table is touched, so a full disk fails the change cleanly.
            undo.ensureRoom();
        }
        // A bulk load writes never-used slots (those at the high-water mark) by positional writes.
        long highWater = bulk != null ? state.getLong(StateDescriptor.HIGH_WATER) : -1;
        long retired = bulk == null ? retiredRow() : -1;
        long newRow = retired >= 0 ? retired : allocate();
        long entry = IndexDescriptor.entry((int) (keyHash >>> 32), newRow);
        if (bulk != null) {
            if (newRow == highWater) {
                fresh.stage(newRow, img);
            } else {
                fresh.flush();
                writeRow(table.view(), newRow, img);
            }
            bulk.add(entry);
            bulkVersion = Math.max(bulkVersion, version);
            return Outcome.INSERTED;
        }
        v = table.view();
        writeRow(v, newRow, img);
        if (found) {
            replaced(v, foundRow, newRow);
        }
        undo.append(version, found ? foundRow : UndoLogDescriptor.ABSENT, newRow);
        noteApplying(version);
        if (found) {
            // The old row stays intact (and unreachable) until its version is published: a rollback points back at it.
            v.slotRelease(foundPos, entry);
            return Outcome.UPDATED;
        }
        boolean reuseTombstone = v.slotAcquire(freePos) == IndexDescriptor.TOMBSTONE;
        v.slotRelease(freePos, entry);
        if (!reuseTombstone) {
            state.putLong(StateDescriptor.INDEX_USED, state.getLong(StateDescriptor.INDEX_USED) + 1);
        }
        state.putLong(StateDescriptor.LIVE_ROWS, state.getLong(StateDescriptor.LIVE_ROWS) + 1);
        return Outcome.INSERTED;
    }

    @Override
    public Outcome delete(RowBuffer keyRow, long version) {
        assert onOwningThread() : notOwner();
        table.ensureOpen();
        keyLength = KeyCodec.encodeFromRow(layout, keyRow.bytes, key);
        return deleteEncoded(version, keyRow.bytes);
    }

    @Override
    public Outcome delete(Key k, long version) {
        assert onOwningThread() : notOwner();
        table.ensureOpen();
        if (!k.compatibleWith(layout.schema())) {
            throw new IllegalArgumentException("key was built for another key schema");
        }
        keyLength = k.encode();
        System.arraycopy(k.encoded, 0, key, 0, keyLength);
        return deleteEncoded(version, null);
    }

    @Override
    public Outcome delete(long singleKey, long version) {
        deleteRow.clear();
        deleteRow.setLong(layout.schema().keyColumn(0), singleKey);
        return delete(deleteRow, version);
    }

    /** A delete of the encoded {@link #key}; {@code img}, when not null, is a row image whose event time it carries. */
    private Outcome deleteEncoded(long version, byte[] img) {
        if (shards != null && !shards.ownsKey(layout.schema(), key)) {
            return Outcome.NOT_OWNED;
        }
        finishBulkLoad(null);
        keyHash = KeyCodec.hash(key, keyLength);
        TableView v = table.view();
        if (!find(v)) {
            return Outcome.ABSENT;
        }
        if (eventTime >= 0 ? img != null && !RowImage.isNull(layout, img, eventTime)
                && eventTime(img) < storedEventTime(v, foundRow) : rowVersion(v, foundRow) > version) {
            return ignoredOlder();
        }
        undo.ensureRoom();
        freeRetiredRow();
        replaced(v, foundRow, -1);
        undo.append(version, foundRow, UndoLogDescriptor.ABSENT);
        noteApplying(version);
        v.slotRelease(foundPos, IndexDescriptor.TOMBSTONE);
        state.putLong(StateDescriptor.LIVE_ROWS, state.getLong(StateDescriptor.LIVE_ROWS) - 1);
        return Outcome.DELETED;
    }

    /**
     * Loads what applying the {@code n} row images at {@code images[offsets[i]..]} (as {@link RowBuffer#exportTo} wrote
     * them: upserts or deletes about to be applied) will miss on: first every key's home index slot, then the header
     * and key of the row each slot names, so the misses of the group overlap instead of queueing one per record when
     * they are applied. Writer thread only; changes nothing; a null key is skipped (its change fails when applied).
     */
    @Override
    public void prefetch(byte[] images, int[] offsets, int n) {
        if (bulk != null) {
            // A bulk load's upserts append rows and probe nothing: there is nothing to load ahead.
            return;
        }
        if (prefetchSlots.length < n) {
            prefetchSlots = new long[n];
        }
        TableView v = table.view();
        int base = -layout.nullsOffset();
        for (int i = 0; i < n; i++) {
            int len = KeyCodec.encodeFromImage(layout, images, offsets[i] + base, touchKey);
            prefetchSlots[i] = len < 0 ? IndexDescriptor.EMPTY
                    : v.slotAcquire(v.home((int) (KeyCodec.hash(touchKey, len) >>> 32)));
        }
        long sink = 0;
        for (int i = 0; i < n; i++) {
            long slot = prefetchSlots[i];
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

    /**
     * Probes for {@link #key}; sets foundPos/foundRow when present, else freePos (first tombstone or the empty slot
     * that ended the probe).
     */
    private boolean find(TableView v) {
        int fp = (int) (keyHash >>> 32);
        long pos = v.home(fp);
        long firstTombstone = -1;
        for (long probes = 0; probes < v.indexSlots; probes++) {
            long slot = v.slotAcquire(pos);
            if (slot == IndexDescriptor.EMPTY) {
                freePos = firstTombstone >= 0 ? firstTombstone : pos;
                return false;
            }
            if (slot == IndexDescriptor.TOMBSTONE) {
                if (firstTombstone < 0) {
                    firstTombstone = pos;
                }
            } else if (IndexDescriptor.fingerprint(slot) == fp) {
                long row = IndexDescriptor.rowId(slot);
                if (keyEquals(v, row)) {
                    foundPos = pos;
                    foundRow = row;
                    return true;
                }
            }
            pos = v.next(pos);
        }
        if (firstTombstone < 0) {
            throw new IllegalStateException("index of table " + table.name() + " is full");
        }
        freePos = firstTombstone;
        return false;
    }

    /**
     * Stores the heap offsets of the row image's values longer than their inline capacity: a value equal to the one
     * the row it replaces ({@code oldRow}, -1 for none) holds points to the same heap bytes (they are never modified,
     * and an update usually leaves most of a row's values as they were), any other is appended to the heap.
     */
    private void spillToHeap(RowBuffer row, long oldRow) {
        for (int c : spillable) {
            if (row.isNull(c)) {
                continue;
            }
            int len = row.getLength(c);
            if (len > layout.schema().column(c).capacity()) {
                long offset = oldRow >= 0 ? sameHeapValue(oldRow, c, row.overflow(c), len) : -1;
                if (offset < 0) {
                    offset = appendHeap(row.overflow(c), len);
                }
                RowImage.LONGS.set(row.bytes, layout.columnOffset(c) + RowLayoutDescriptor.LENGTH_PREFIX, offset);
            }
        }
    }

    /** The heap offset of row {@code row}'s value of column {@code c} when it is {@code value[0..len)}, else -1. */
    private long sameHeapValue(long row, int c, byte[] value, int len) {
        TableView v = table.view();
        MappedByteBuffer chunk = v.rowChunk(row);
        int off = v.rowOffset(row);
        if (outOfLineLength(chunk, off, c) != len) {
            return -1;
        }
        long offset = chunk.getLong(off + layout.columnOffset(c) + RowLayoutDescriptor.LENGTH_PREFIX);
        // The old row's checksum is not checked here: a damaged offset must not fail the update that would heal it.
        if (offset < 0 || offset + len > state.getLong(StateDescriptor.HEAP_SIZE)
                || (offset & HeapDescriptor.CHUNK_MASK) + len > HeapDescriptor.CHUNK_BYTES) {
            return -1;
        }
        if (heapScratch.length < len) {
            heapScratch = new byte[Math.max(len, 2 * heapScratch.length)];
        }
        v.readHeap(offset, heapScratch, 0, len);
        return Arrays.equals(heapScratch, 0, len, value, 0, len) ? offset : -1;
    }

    /** Length of the value of column {@code c} of the row at {@code off} when it lives in the heap, else -1. */
    private int outOfLineLength(MappedByteBuffer chunk, int off, int c) {
        int len = chunk.getInt(off + layout.columnOffset(c));
        boolean isNull = (chunk.get(off + layout.nullsOffset() + (c >>> 3)) & (1 << (c & 7))) != 0;
        return !isNull && len > layout.schema().column(c).capacity() ? len : -1;
    }

    private long appendHeap(byte[] src, int len) {
        long at = state.getLong(StateDescriptor.HEAP_SIZE);
        if ((at & HeapDescriptor.CHUNK_MASK) + len > HeapDescriptor.CHUNK_BYTES) {
            at = (at | HeapDescriptor.CHUNK_MASK) + 1;
        }
        TableView v = table.view();
        if (at + len > v.heapCapacity) {
            long capacity = Math.max(HeapDescriptor.MIN_CAPACITY, v.heapCapacity);
            while (capacity < at + len) {
                capacity = capacity < HeapDescriptor.CHUNK_BYTES ? capacity * 2 : capacity + HeapDescriptor.CHUNK_BYTES;
            }
            try {
                MappedByteBuffer[] chunks = table.growHeap(capacity);
                state.putLong(StateDescriptor.HEAP_CAPACITY, capacity);
                v = v.withHeap(chunks, capacity);
                table.publish(v);
            } catch (IOException e) {
                throw new StoreException("cannot grow heap of table " + table.name() + ": " + e.getMessage(), e);
            }
        }
        v.heapChunks[(int) (at >>> HeapDescriptor.CHUNK_SHIFT)].put((int) (at & HeapDescriptor.CHUNK_MASK), src, 0,
                len);
        state.putLong(StateDescriptor.HEAP_SIZE, at + len);
        return at;
    }

    private boolean keyEquals(TableView v, long row) {
        MappedByteBuffer chunk = v.rowChunk(row);
        int off = v.rowOffset(row);
        int len = chunk.getShort(off + RowLayoutDescriptor.KEY_LENGTH);
        if (len != keyLength) {
            return false;
        }
        chunk.get(off + layout.keyOffset(), rowKey, 0, len);
        return Arrays.equals(rowKey, 0, len, key, 0, len);
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

    /** The event time of stored row {@code row}; a null one is older than any other. */
    private long storedEventTime(TableView v, long row) {
        MappedByteBuffer chunk = v.rowChunk(row);
        int off = v.rowOffset(row);
        boolean isNull = (chunk.get(off + layout.nullsOffset() + (eventTime >>> 3)) & (1 << (eventTime & 7))) != 0;
        return isNull ? Long.MIN_VALUE : chunk.getLong(off + layout.columnOffset(eventTime));
    }

    private static long rowVersion(TableView v, long row) {
        return v.rowChunk(row).getLong(v.rowOffset(row) + RowLayoutDescriptor.VERSION);
    }

    /** Seqlock write: odd seq, data, even seq (release), so readers either see the whole row or retry. */
    private void writeRow(TableView v, long row, byte[] img) {
        MappedByteBuffer chunk = v.rowChunk(row);
        int off = v.rowOffset(row);
        long seq = (long) LONG.get(chunk, off);
        LONG.setOpaque(chunk, off, seq + 1);
        VarHandle.storeStoreFence();
        chunk.put(off + 8, img, 8, rowSize - 8);
        LONG.setRelease(chunk, off, seq + 2);
    }

    /** Heap bytes the row's out-of-line values occupy. */
    private long heapBytes(TableView v, long row) {
        return heapBytesNotIn(v, row, -1);
    }

    /**
     * Heap bytes of the row's out-of-line values that row {@code other} (-1 for none) does not point to as well: what
     * becomes garbage when the row goes and {@code other} stays (values an update left unchanged share their bytes).
     */
    private long heapBytesNotIn(TableView v, long row, long other) {
        MappedByteBuffer chunk = v.rowChunk(row);
        int off = v.rowOffset(row);
        MappedByteBuffer otherChunk = other >= 0 ? v.rowChunk(other) : null;
        int otherOff = other >= 0 ? v.rowOffset(other) : 0;
        long sum = 0;
        for (int c : spillable) {
            int len = outOfLineLength(chunk, off, c);
            if (len < 0) {
                continue;
            }
            int at = layout.columnOffset(c) + RowLayoutDescriptor.LENGTH_PREFIX;
            boolean shared = otherChunk != null && outOfLineLength(otherChunk, otherOff, c) == len
                    && otherChunk.getLong(otherOff + at) == chunk.getLong(off + at);
            sum += shared ? 0 : len;
        }
        return sum;
    }

    private void freeRow(TableView v, long row) {
        if (spillable.length > 0) {
            state.putLong(StateDescriptor.HEAP_GARBAGE,
                    state.getLong(StateDescriptor.HEAP_GARBAGE) + heapBytes(v, row));
        }
        freeRowNoAccounting(v, row);
    }

    private void freeRowNoAccounting(TableView v, long row) {
        MappedByteBuffer chunk = v.rowChunk(row);
        int off = v.rowOffset(row);
        long seq = (long) LONG.get(chunk, off);
        LONG.setOpaque(chunk, off, seq + 1);
        VarHandle.storeStoreFence();
        chunk.putShort(off + RowLayoutDescriptor.FLAGS, (short) 0);
        chunk.putInt(off + RowLayoutDescriptor.NEXT_FREE, (int) state.getLong(StateDescriptor.FREE_HEAD));
        LONG.setRelease(chunk, off, seq + 2);
        state.putLong(StateDescriptor.FREE_HEAD, row);
    }

    long allocate() {
        long head = state.getLong(StateDescriptor.FREE_HEAD);
        TableView v = table.view();
        if (head >= 0) {
            int next = v.rowChunk(head).getInt(v.rowOffset(head) + RowLayoutDescriptor.NEXT_FREE);
            state.putLong(StateDescriptor.FREE_HEAD, next == -1 ? -1 : next & 0xFFFF_FFFFL);
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

    private boolean needsIndexRebuild(long adding) {
        long used = state.getLong(StateDescriptor.INDEX_USED) + adding;
        return used * 100 > table.view().indexSlots * IndexDescriptor.MAX_LOAD_PERCENT;
    }

    /**
     * Builds the next index generation from the live entries (dropping tombstones, doubling when needed), forces it,
     * switches state.dat to it with one store, and publishes it. Readers keep probing the old generation until they
     * load the new view; the writer no longer touches the old one, so what they read there stays valid.
     */
    private void rebuildIndex() {
        TableView v = table.view();
        long live = state.getLong(StateDescriptor.LIVE_ROWS);
        long slots = IndexDescriptor.indexSlotsFor(live + 1);
        if ((live + 1) * 100 > slots * IndexDescriptor.MAX_LOAD_PERCENT) {
            throw new StoreException("table " + table.name() + " is full: its index holds at most "
                    + IndexDescriptor.MAX_SLOTS * IndexDescriptor.MAX_LOAD_PERCENT / 100 + " rows");
        }
        long gen = v.indexGeneration + 1;
        try {
            MappedByteBuffer[] chunks = IndexFiles.create(table.directory(), gen, slots);
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
            install(next, chunks, live);
        } catch (IOException e) {
            throw new StoreException("cannot rebuild index of table " + table.name() + ": " + e.getMessage(), e);
        }
    }

    /** Forces a complete new index generation, switches state.dat to it with one store, and publishes it. */
    private void install(TableView next, MappedByteBuffer[] chunks, long used) throws IOException {
        for (MappedByteBuffer c : chunks) {
            c.force();
        }
        state.putLong(StateDescriptor.INDEX_SLOTS, next.indexSlots);
        state.putLong(StateDescriptor.INDEX_USED, used);
        state.putLong(StateDescriptor.INDEX_GENERATION, next.indexGeneration);
        state.force();
        table.publish(next);
        IndexFiles.removeAllBut(table.directory(), next.indexGeneration);
    }

    @Override
    public boolean beginBulkLoad() {
        assert onOwningThread() : notOwner();
        table.ensureOpen();
        if (bulk == null && liveRows() == 0) {
            // A bulk load takes slots from the free list and the high-water mark only.
            freeRetiredRows(undo.count());
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
        try {
            long gen = v.indexGeneration + 1;
            MappedByteBuffer[] chunks = IndexFiles.create(table.directory(), gen, slots);
            TableView next = v.withIndex(chunks, slots, gen);
            entries.sort();
            BulkPlacement placement = new BulkPlacement(v, next, firstDuplicate);
            try (IndexWindow window = new IndexWindow(IndexFiles.path(table.directory(), gen), slots)) {
                entries.drain(placement::place, window);
            }
            placement.placeWrapped();
            undo.ensureRoom();
            freeRetiredRow();
            undo.append(bulkVersion, UndoLogDescriptor.BULK, UndoLogDescriptor.ABSENT);
            noteApplying(bulkVersion);
            bulkVersion = -1;
            state.putLong(StateDescriptor.LIVE_ROWS, placement.kept);
            install(next, chunks, placement.kept);
            return placement.duplicates;
        } catch (IOException ex) {
            throw new StoreException("cannot build index of table " + table.name() + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Places a bulk load's buckets, in bucket order, into a new index: linear probing filled in home order, so each
     * entry lands at its home or just past the previous one; the few that would run past the last slot wrap to the
     * front by probing once everything else is placed. Keys upserted more than once keep their last row.
     */
    private final class BulkPlacement {
        private final TableView rows;
        private final TableView next;
        private final RowBuffer firstDuplicate;
        private long free;
        private long[] wrapped = new long[0];
        private int wrappedCount;
        long kept;
        long duplicates;

        BulkPlacement(TableView rows, TableView next, RowBuffer firstDuplicate) {
            this.rows = rows;
            this.next = next;
            this.firstDuplicate = firstDuplicate;
        }

        /**
         * @param e a bucket sorted ascending: one sign for the whole bucket (its top bits are equal), so signed order
         *          is fingerprint order, and within a fingerprint row ids ascend in upsert order
         */
        void place(long[] e, int n, IndexWindow window) throws IOException {
            for (int i = 0; i < n; ) {
                long fp = e[i] >>> 32;
                int j = i + 1;
                while (j < n && e[j] >>> 32 == fp) {
                    j++;
                }
                for (int a = i; a < j; a++) {
                    long row = IndexDescriptor.rowId(e[a]);
                    if (j - i > 1 && replacedLater(rows, row, e, a + 1, j)) {
                        if (duplicates++ == 0 && firstDuplicate != null) {
                            rows.rowChunk(row).get(rows.rowOffset(row), firstDuplicate.bytes, 0, rowSize);
                        }
                        freeRow(rows, row);
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
        void placeWrapped() {
            for (int k = 0; k < wrappedCount; k++) {
                long at = next.home(IndexDescriptor.fingerprint(wrapped[k]));
                while (next.slotAcquire(at) != IndexDescriptor.EMPTY) {
                    at = next.next(at);
                }
                next.slotRelease(at, wrapped[k]);
            }
        }
    }

    /** Whether the row's key is also the key of one of the entries {@code e[from..to)}. */
    private boolean replacedLater(TableView v, long row, long[] e, int from, int to) {
        MappedByteBuffer chunk = v.rowChunk(row);
        int off = v.rowOffset(row);
        keyLength = chunk.getShort(off + RowLayoutDescriptor.KEY_LENGTH);
        chunk.get(off + layout.keyOffset(), key, 0, keyLength);
        for (int b = from; b < to; b++) {
            if (keyEquals(v, IndexDescriptor.rowId(e[b]))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void publish(Lineage lineage) {
        assert onOwningThread() : notOwner();
        finishBulkLoad(null);
        state.putLong(StateDescriptor.PUBLISHED_TS, lineage.commitTimestampMillis());
        LONG.setRelease(state, StateDescriptor.PUBLISHED_VERSION, lineage.version());
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

    /**
     * Empties the undo log, whose records nothing can undo any more: they become the retired records, after the rows
     * that the previous version retired and this one did not reuse are freed. A crash half-way leaves records that
     * recovery recognises as published by their versions.
     */
    private void discardPublished() {
        long end = undo.count();
        freeRetiredRows(end);
        retiredEnd = end;
        undo.clear();
        if (replacedHeapBytes != 0) {
            long garbage = state.getLong(StateDescriptor.HEAP_GARBAGE);
            state.putLong(StateDescriptor.HEAP_GARBAGE, garbage + replacedHeapBytes);
            replacedHeapBytes = 0;
        }
    }

    /**
     * Notes a row the version being applied replaces by {@code by} or deletes ({@code by} -1), right before its undo
     * record is appended.
     */
    private void replaced(TableView v, long row, long by) {
        if (spillable.length > 0) {
            replacedHeapBytes += heapBytesNotIn(v, row, by);
        }
    }

    /**
     * The retired row of the record the next append overwrites, or -1 (none, or the record retired no row). Taking it
     * twice is harmless: it stays unreachable until the record naming it as new row is appended.
     */
    private long retiredRow() {
        long n = undo.count();
        return n < retiredEnd ? undo.oldRow(n) : -1;
    }

    /**
     * Frees the retired row of the record the next append overwrites; call right before that append. Its heap values
     * were counted as garbage when its version was published.
     */
    private void freeRetiredRow() {
        long row = retiredRow();
        if (row >= 0) {
            freeRowNoAccounting(table.view(), row);
        }
    }

    /** Frees the retired rows of records {@code from..retiredEnd-1}, the ones no later change will reuse. */
    private void freeRetiredRows(long from) {
        TableView v = table.view();
        for (long i = from; i < retiredEnd; i++) {
            long old = undo.oldRow(i);
            if (old >= 0) {
                freeRowNoAccounting(v, old);
            }
        }
        retiredEnd = Math.min(retiredEnd, from);
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
        for (long i = records - 1; i >= 0; i--) {
            rebuildFreeList |= undo(undo.oldRow(i), undo.newRow(i));
        }
        if (rebuildFreeList) {
            rebuildFreeList();
        } else {
            TableView v = table.view();
            for (long i = 0; i < records; i++) {
                long neu = undo.newRow(i);
                if (neu >= 0) {
                    // The old row the undo restored keeps the heap values the new one shared with it.
                    if (spillable.length > 0) {
                        long old = undo.oldRow(i);
                        state.putLong(StateDescriptor.HEAP_GARBAGE, state.getLong(StateDescriptor.HEAP_GARBAGE)
                                + heapBytesNotIn(v, neu, old >= 0 ? old : -1));
                    }
                    freeRowNoAccounting(v, neu);
                }
            }
            freeRetiredRows(records);
        }
        retiredEnd = 0;
        replacedHeapBytes = 0;
        undo.clear();
        table.publishApplying(-1);
        return records;
    }

    /**
     * Undoes one recorded change: the key of the record's rows points at {@code old} again (or is removed). Idempotent,
     * so it is right whether or not the index change after the record happened before a crash. Returns true for a bulk
     * record, whose rows only a free-list rebuild reclaims.
     */
    private boolean undo(long old, long neu) {
        TableView v = table.view();
        if (old == UndoLogDescriptor.BULK) {
            // A bulk load only ever fills an empty table: empty the index in place (no new file, so no disk needed).
            for (long pos = 0; pos < v.indexSlots; pos++) {
                v.slotRelease(pos, IndexDescriptor.EMPTY);
            }
            state.putLong(StateDescriptor.LIVE_ROWS, 0);
            state.putLong(StateDescriptor.INDEX_USED, 0);
            return true;
        }
        loadKey(v, neu >= 0 ? neu : old);
        keyHash = KeyCodec.hash(key, keyLength);
        boolean found = find(v);
        if (old >= 0) {
            long entry = IndexDescriptor.entry((int) (keyHash >>> 32), old);
            if (found) {
                v.slotRelease(foundPos, entry);
            } else {
                boolean reuseTombstone = v.slotAcquire(freePos) == IndexDescriptor.TOMBSTONE;
                v.slotRelease(freePos, entry);
                if (!reuseTombstone) {
                    state.putLong(StateDescriptor.INDEX_USED, state.getLong(StateDescriptor.INDEX_USED) + 1);
                }
                state.putLong(StateDescriptor.LIVE_ROWS, state.getLong(StateDescriptor.LIVE_ROWS) + 1);
            }
        } else if (found) {
            v.slotRelease(foundPos, IndexDescriptor.TOMBSTONE);
            state.putLong(StateDescriptor.LIVE_ROWS, state.getLong(StateDescriptor.LIVE_ROWS) - 1);
        }
        return false;
    }

    /** Loads a row's key into {@link #key}; the row must be a complete one (undo records only name such rows). */
    private void loadKey(TableView v, long row) {
        MappedByteBuffer chunk = v.rowChunk(row);
        int off = v.rowOffset(row);
        int len = chunk.getShort(off + RowLayoutDescriptor.KEY_LENGTH);
        if (len <= 0 || len > key.length) {
            throw new StoreCorruptedException(table.directory().resolve(RowLayoutDescriptor.FILE), "row " + row
                    + " named by the undo log has key length " + len);
        }
        keyLength = len;
        chunk.get(off + layout.keyOffset(), key, 0, len);
    }

    /**
     * Rebuilds the free list from reachability (every allocated row the index does not reach is freed) and recomputes
     * the counters; only for an empty undo log, whose records could still need unreachable rows.
     */
    private void rebuildFreeList() {
        TableView v = table.view();
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
        freeAllBut(v, keep, high);
        state.putLong(StateDescriptor.LIVE_ROWS, live);
        state.putLong(StateDescriptor.INDEX_USED, used);
    }

    /**
     * Makes the free list hold exactly the allocated rows not in {@code keep}, in ascending order; rows still flagged
     * live (undone or leaked, so never freed) add their heap values to the garbage count. A torn seq word (a crash
     * inside a row write) is made even first, so the freed row is a whole one.
     */
    private void freeAllBut(TableView v, BitSet keep, long high) {
        // Retired rows are unreachable: they go to the free list with the rest.
        retiredEnd = 0;
        state.putLong(StateDescriptor.FREE_HEAD, -1);
        for (long row = high - 1; row >= 0; row--) {
            if (!keep.get((int) row)) {
                MappedByteBuffer chunk = v.rowChunk(row);
                int off = v.rowOffset(row);
                if (spillable.length > 0
                        && (chunk.getShort(off + RowLayoutDescriptor.FLAGS) & RowLayoutDescriptor.FLAG_LIVE) != 0) {
                    state.putLong(StateDescriptor.HEAP_GARBAGE,
                            state.getLong(StateDescriptor.HEAP_GARBAGE) + heapBytes(v, row));
                }
                long seq = (long) LONG.get(chunk, off);
                LONG.setOpaque(chunk, off, (seq | 1) + 1);
                freeRowNoAccounting(v, row);
            }
        }
    }

    /**
     * Recovery after an unclean close: undoes, newest first, every recorded change of a version above
     * {@code publishedVersion} (the version the crash cut short), then validates the
     * index against the rows file (entries in range, each row reached once, complete, live, holding a key of the
     * entry's fingerprint; row checksums are counted, not refused), rebuilds the free list to hold every slot the index
     * does not reach and recomputes the counters. Runs on open, before any reader exists. O(index slots + rows).
     *
     * @return changes undone
     */
    long recover(Path indexPath, Path rowsPath, long publishedVersion) {
        TableView v = table.view();
        long high = state.getLong(StateDescriptor.HIGH_WATER);
        long undone = 0;
        for (long i = undo.count() - 1; i >= 0; i--) {
            long old = undo.oldRow(i);
            long neu = undo.newRow(i);
            if (old >= high || neu >= high || old < UndoLogDescriptor.BULK || neu < UndoLogDescriptor.ABSENT
                    || (old < 0 && neu < 0 && old != UndoLogDescriptor.BULK)) {
                throw new StoreCorruptedException(table.directory().resolve(UndoLogDescriptor.FILE), "record " + i
                        + " names rows " + old + " and " + neu + " of " + high + " allocated");
            }
            if (undo.version(i) > publishedVersion) {
                try {
                    undo(old, neu);
                } catch (IndexOutOfBoundsException | IllegalStateException e) {
                    // Only a damaged index sends a probe out of range or around the whole table.
                    throw new StoreCorruptedException(indexPath, "cannot undo change " + i
                            + " of the unfinished version: " + e);
                }
                undone++;
            }
        }
        undo.clear();
        v = table.view();
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
            long seq = (long) LONG.get(chunk, off);
            short flags = chunk.getShort(off + RowLayoutDescriptor.FLAGS);
            if ((seq & 1) != 0 || (flags & RowLayoutDescriptor.FLAG_LIVE) == 0) {
                throw new StoreCorruptedException(rowsPath, "row " + row
                        + " is referenced by the index but is not a complete live row");
            }
            loadKey(v, row);
            if ((int) (KeyCodec.hash(key, keyLength) >>> 32) != IndexDescriptor.fingerprint(slot)) {
                throw new StoreCorruptedException(indexPath, "slot " + pos
                        + " holds a fingerprint that is not its row's key");
            }
            if (checksum.of(chunk, off) != chunk.getInt(off + RowLayoutDescriptor.CHECKSUM)) {
                damaged++;
            }
            reachable.set((int) row);
            live++;
            liveHeapBytes += heapBytes(v, row);
        }
        freeAllBut(v, reachable, high);
        state.putLong(StateDescriptor.LIVE_ROWS, live);
        state.putLong(StateDescriptor.INDEX_USED, used);
        // Recomputed from the live rows: what the free pass counted is superseded.
        state.putLong(StateDescriptor.HEAP_GARBAGE, state.getLong(StateDescriptor.HEAP_SIZE) - liveHeapBytes);
        state.force();
        table.publishDamagedRows(damaged);
        return undone;
    }
}
